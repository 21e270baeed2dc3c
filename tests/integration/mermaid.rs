//! Every Mermaid chart rolegraph draws is parsed by Mermaid's own parser (`mermaid.parse`
//! from the `mermaid` npm package, pinned in `tests/mermaid/package-lock.json`, run by
//! Node in jsdom): the chart of every golden case, of random models, and the README's.
//! A chart with a syntax error must fail, so that a parser that accepts anything would.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{golden_cases, random_model, repo, run, text};

/// Random models whose charts are parsed after the golden cases'.
const RANDOM_MODELS: u64 = 30;

fn parser() -> Option<PathBuf> {
    crate::support::npm::install("mermaid", &["parse.mjs"], "mermaid", "mermaid")
}

/// `parse.mjs` on `files`: per file, Ok(diagram type) or Err(message).
fn parse(tool: &Path, files: &[PathBuf]) -> Vec<(String, Result<String, String>)> {
    let out = Command::new("node")
        .arg(tool.join("parse.mjs"))
        .args(files)
        .output()
        .expect("run node");
    let report = text(&out.stdout);
    assert!(
        !report.is_empty(),
        "parse.mjs printed nothing: {}",
        text(&out.stderr)
    );
    report
        .lines()
        .map(|line| {
            let (status, rest) = line.split_once(' ').unwrap();
            let (path, detail) = rest.split_once(' ').unwrap_or((rest, ""));
            let result = match status {
                "ok" => Ok(detail.to_owned()),
                _ => Err(detail.to_owned()),
            };
            (path.to_owned(), result)
        })
        .collect()
}

fn chart(model: &Path, cwd: &Path) -> String {
    let out = run(&["graph", model.to_str().unwrap()], cwd);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The README's ```mermaid blocks.
fn readme_charts() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    readme
        .split("```mermaid\n")
        .skip(1)
        .map(|rest| rest[..rest.find("```").unwrap()].to_owned())
        .collect()
}

#[test]
fn mermaid_parses_every_chart_and_rejects_a_broken_one() {
    let Some(tool) = parser() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut write = |name: String, chart: String| {
        let path = dir.path().join(format!("{name}.mmd"));
        std::fs::write(&path, chart).unwrap();
        files.push(path);
    };
    for case in golden_cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        write(name, chart(&case.join("rolegraph.yaml"), &case));
    }
    let readme = readme_charts();
    assert!(!readme.is_empty(), "the README has no mermaid chart");
    for (i, chart) in readme.into_iter().enumerate() {
        write(format!("readme-{i}"), chart);
    }
    for seed in 0..RANDOM_MODELS {
        let model = dir.path().join(format!("random-{seed}.yaml"));
        std::fs::write(&model, random_model::model(seed)).unwrap();
        write(format!("random-{seed}"), chart(&model, dir.path()));
    }
    let broken = dir.path().join("broken.mmd");
    std::fs::write(&broken, "flowchart LR\n  a[\"unclosed --> b\n").unwrap();
    files.push(broken.clone());

    let results = parse(&tool, &files);
    assert_eq!(results.len(), files.len());
    let mut problems = Vec::new();
    for (path, result) in &results {
        match (Path::new(path) == broken, result) {
            (false, Ok(kind)) if kind.starts_with("flowchart") => {}
            (false, other) => problems.push(format!("{path}: {other:?}")),
            (true, Err(_)) => {}
            (true, Ok(_)) => problems.push("the broken chart was accepted".to_owned()),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
