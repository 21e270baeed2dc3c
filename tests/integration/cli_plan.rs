//! `rolegraph plan`: the contract that tests/cloud_equivalence.rs holds both backends to,
//! as a command. Here: its inputs, errors, determinism and shape.

use crate::support;

use rolegraph::plan::Plan;
use support::{golden_cases, repo, run, text};

fn seed() -> String {
    repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string()
}

fn plan_json(args: &[&str]) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    let out = run(args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("plan --format json parses as a Plan")
}

#[test]
fn inputs_show_as_placeholders_until_given() {
    let without = plan_json(&["plan", &seed(), "--format", "json"]);
    let trust = |plan: &Plan| {
        plan.accounts["production"].iam.roles["SeqeraPlatformRole-AccountA"]
            .trust_policy
            .to_string()
    };
    assert!(trust(&without).contains(r#""sts:ExternalId":["${input.production_external_id}"]"#));
    let with = plan_json(&[
        "plan",
        &seed(),
        "--format",
        "json",
        "--var",
        "production_external_id=abc-123",
    ]);
    assert!(
        trust(&with).contains(r#""sts:ExternalId":["abc-123"]"#),
        "{}",
        trust(&with)
    );
}

#[test]
fn bad_vars_are_usage_errors_and_all_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "plan",
            &seed(),
            "--var",
            "production_externalid=abc-123",
            "--var",
            "production_external_id=no spaces",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("--var production_externalid: the model has no such input"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `production_external_id`?"),
        "{err}"
    );
    assert!(
        err.contains("--var production_external_id: external_id `no spaces` contains ' '"),
        "{err}"
    );
    let out = run(&["plan", &seed(), "--var", "no-equals-sign"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not NAME=VALUE"));
}

#[test]
fn an_invalid_model_exits_2_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rolegraph.yaml"),
        "version: 1\nname: x\naccounts: {}\nroles: {}\nrolez: 1\n",
    )
    .unwrap();
    let out = run(&["plan"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("rolegraph.yaml:5:1"),
        "{}",
        text(&out.stderr)
    );
}

/// Every golden case: the same bytes on every run, every model role planned once in its
/// account, and documents already in normal form (normalizing again changes nothing).
#[test]
fn every_golden_plan_is_deterministic_complete_and_normalized() {
    let dir = tempfile::tempdir().unwrap();
    for case in golden_cases() {
        let model = case.join("rolegraph.yaml").display().to_string();
        let first = run(&["plan", &model, "--format", "json"], dir.path());
        let second = run(&["plan", &model, "--format", "json"], dir.path());
        assert_eq!(first.stdout, second.stdout, "{model}");
        let plan: Plan = serde_json::from_slice(&first.stdout).unwrap();
        let graph = rolegraph::compile(std::path::Path::new(&model)).unwrap();
        let planned: usize = plan.accounts.values().map(|a| a.iam.roles.len()).sum();
        assert_eq!(planned, graph.roles.len(), "{model}");
        for role in &graph.roles {
            let account = &graph.accounts[role.account.0];
            assert!(
                plan.accounts[&account.key]
                    .iam
                    .roles
                    .contains_key(&role.name),
                "{model}: {}",
                role.name
            );
        }
        for account in plan.accounts.values() {
            assert_eq!(account.iam.clone().normalized(), account.iam, "{model}");
        }
    }
}
