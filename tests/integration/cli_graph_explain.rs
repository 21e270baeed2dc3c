//! `rolegraph graph` and `rolegraph explain` on the seed example: the Mermaid chart, DOT
//! that Graphviz renders, and chains with their conditions in text and JSON.

use crate::support;

use std::process::Command;

use support::{repo, require_tool, run, text};

fn seed() -> String {
    repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string()
}

#[test]
fn mermaid_draws_accounts_roles_and_labelled_edges() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["graph", &seed()], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let chart = text(&out.stdout);
    assert!(chart.starts_with("flowchart LR\n"));
    for line in [
        "  p1([\"service ec2.amazonaws.com\"])",
        "  subgraph a1[\"production (111111111111)\"]",
        "    r1[\"production<br/>SeqeraPlatformRole-AccountA\"]",
        "  p1 --> r0",
        "  r0 -->|\"ExternalId (input production_external_id), TagSession\"| r1",
        "  r0 -->|\"ExternalId (input development_external_id), TagSession\"| r2",
    ] {
        assert!(
            chart.lines().any(|l| l == line),
            "missing {line:?} in:\n{chart}"
        );
    }
    assert_eq!(chart.matches("subgraph").count(), 3);
    assert_eq!(chart.matches("\n  end\n").count(), 3);
}

#[test]
fn dot_output_renders_with_graphviz() {
    let has_dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool("dot (Graphviz)", has_dot) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for case in support::golden_cases() {
        let model = case.join("rolegraph.yaml");
        let out = run(
            &["graph", model.to_str().unwrap(), "--format", "dot"],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let dot_file = dir.path().join("graph.dot");
        std::fs::write(&dot_file, &out.stdout).unwrap();
        let svg = Command::new("dot")
            .arg("-Tsvg")
            .arg(&dot_file)
            .output()
            .expect("run dot");
        assert!(
            svg.status.success(),
            "{}: {}",
            case.display(),
            text(&svg.stderr)
        );
        let svg = text(&svg.stdout);
        assert!(
            svg.contains("<svg") && svg.contains("cluster_a0"),
            "{}",
            case.display()
        );
    }
}

#[test]
fn explain_lists_chains_with_conditions_and_crossed_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", &seed(), "production"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.starts_with(
        "production: SeqeraPlatformRole-AccountA in account production (111111111111)\n"
    ));
    assert!(report.contains("Who can assume it (2 paths):"), "{report}");
    assert!(
        report.contains("  service ec2.amazonaws.com → platform → production\n"),
        "{report}"
    );
    assert!(report.contains("platform (management) → production (production): crosses management → production; ExternalId input production_external_id; TagSession"), "{report}");
    assert!(report.contains("What it can assume: nothing"), "{report}");
}

#[test]
fn explain_finds_a_role_by_iam_name_and_speaks_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "explain",
            &seed(),
            "SeqeraPlatform-EC2-InstanceRole",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["role"]["key"], "platform");
    let can_assume = report["can_assume"].as_array().unwrap();
    assert_eq!(can_assume.len(), 2);
    let hop = &can_assume[0]["hops"][0];
    assert_eq!(hop["from"], "platform");
    assert_eq!(hop["to"], "production");
    assert_eq!(hop["crosses_accounts"], true);
    assert_eq!(
        hop["external_ids"],
        serde_json::json!(["input production_external_id"])
    );
    assert_eq!(hop["session_tags"], true);
    assert_eq!(
        report["assumed_by"][0]["path"],
        serde_json::json!(["service ec2.amazonaws.com", "platform"])
    );
}

#[test]
fn explain_follows_chains_across_three_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo().join("golden/chain/rolegraph.yaml");
    let out = run(&["explain", model.to_str().unwrap(), "last"], dir.path());
    let report = text(&out.stdout);
    assert!(report.contains("Who can assume it (3 paths):"), "{report}");
    assert!(
        report.contains("  service lambda.amazonaws.com → entry → middle → last\n"),
        "{report}"
    );
    let out = run(&["explain", model.to_str().unwrap(), "entry"], dir.path());
    let report = text(&out.stdout);
    assert!(report.contains("What it can assume (2 paths):"), "{report}");
    assert!(report.contains("  entry → middle → last\n"), "{report}");
}

#[test]
fn explain_rejects_an_unknown_role() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", &seed(), "nobody"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no role `nobody` in the model"));
    assert!(text(&out.stderr).contains("keys are: platform, production, development"));
}
