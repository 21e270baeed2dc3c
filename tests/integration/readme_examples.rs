//! The README shows real output of `graph`, `explain` and `plan` for the seed example; these
//! tests keep it real.

use crate::support;

use support::{repo, run, text};

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

fn seed() -> String {
    repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string()
}

/// The body of the first fenced block whose opening line is `opening` and whose body
/// contains `needle`. Fences are paired in order, so a closing fence is never an opening.
fn block(readme: &str, opening: &str, needle: &str) -> String {
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("```") {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let body = body.join("\n") + "\n";
        if line == opening && body.contains(needle) {
            return body;
        }
    }
    panic!("README has no {opening} block containing {needle:?}");
}

#[test]
fn the_readme_chart_is_what_graph_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["graph", &seed()], dir.path());
    assert_eq!(
        block(&readme(), "```mermaid", "flowchart LR"),
        text(&out.stdout)
    );
}

#[test]
fn the_readme_explanation_is_what_explain_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", &seed(), "production"], dir.path());
    assert_eq!(
        block(&readme(), "```", "Who can assume it"),
        text(&out.stdout)
    );
}

#[test]
fn the_readme_plan_is_what_plan_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["plan", &seed()], dir.path());
    assert_eq!(
        block(&readme(), "```", "Deploy order: management"),
        text(&out.stdout)
    );
}
