//! `rolegraph drift` offline: the Seqera example's plan written out as the files its
//! accounts would give (tests/support/live_files.rs), then changed the way people change
//! accounts by hand. drift_live.rs does the same against a deployment on moto.

use std::path::{Path, PathBuf};

use rolegraph::plan::{AccountIam, Plan};
use serde_json::{Value, json};

use crate::support::live_files::{write_accounts, write_plan};
use crate::support::{bin, repo, text};

const VARS: [&str; 2] = [
    "production_external_id=ext-prod-1",
    "development_external_id=ext-dev-1",
];

fn model() -> PathBuf {
    repo().join("examples/seqera/rolegraph.yaml")
}

fn seed_plan() -> Plan {
    let graph = rolegraph::compile(&model()).expect("the example compiles");
    let mut inputs = rolegraph::plan::Inputs::default();
    for var in VARS {
        let (name, value) = var.split_once('=').unwrap();
        inputs.0.insert(name.into(), value.into());
    }
    rolegraph::plan::plan(&graph, &inputs)
}

/// `rolegraph drift` of the example against `files`: exit code, stdout, stderr.
pub fn drift(files: &[PathBuf], extra: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = bin();
    cmd.arg("drift").arg(model());
    for var in VARS {
        cmd.args(["--var", var]);
    }
    cmd.args(extra).arg("--live").args(files);
    let out = cmd.output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The example's accounts after `edit`, written to `dir`.
fn accounts_with(dir: &Path, edit: impl FnOnce(&mut Plan)) -> Vec<PathBuf> {
    let mut plan = seed_plan();
    edit(&mut plan);
    write_plan(&plan, dir)
}

fn iam<'a>(plan: &'a mut Plan, key: &str) -> &'a mut AccountIam {
    &mut plan.accounts.get_mut(key).unwrap().iam
}

#[test]
fn a_faithful_deployment_is_in_sync() {
    let dir = tempfile::tempdir().unwrap();
    let files = accounts_with(dir.path(), |_| {});
    let (code, out, err) = drift(&files, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out, "in sync: 3 roles in 3 accounts as the model expects\n",
        "{err}"
    );
}

/// The three hand edits: a policy attached to the platform role, a trust
/// statement added to a target, a tag changed; each is named, and JSON carries the same.
#[test]
fn hand_edits_are_each_named() {
    let dir = tempfile::tempdir().unwrap();
    let added = json!({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444444444444:root"]}, "Action": ["sts:AssumeRole"]});
    let files = accounts_with(dir.path(), |plan| {
        let platform = iam(plan, "management")
            .roles
            .get_mut("SeqeraPlatform-EC2-InstanceRole")
            .unwrap();
        platform
            .attached_policies
            .push("arn:aws:iam::aws:policy/AdministratorAccess".into());
        let target = iam(plan, "production")
            .roles
            .get_mut("SeqeraPlatformRole-AccountA")
            .unwrap();
        let statements = target.trust_policy["Statement"].as_array_mut().unwrap();
        statements.push(added.clone());
        let dev = iam(plan, "development")
            .roles
            .get_mut("SeqeraPlatformRole-AccountB")
            .unwrap();
        dev.tags.insert("Project".into(), "other".into());
    });
    let (code, out, err) = drift(&files, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("account ")).collect();
    assert_eq!(
        lines,
        [
            "account development (222222222222), role SeqeraPlatformRole-AccountB, tags: expected {\"ManagedBy\":\"rolegraph\",\"Project\":\"seqera\"}, found {\"ManagedBy\":\"rolegraph\",\"Project\":\"other\"}",
            "account management (999999999999), role SeqeraPlatform-EC2-InstanceRole, attached policies: not in the model [\"arn:aws:iam::aws:policy/AdministratorAccess\"]",
            "account production (111111111111), role SeqeraPlatformRole-AccountA, trust policy: documents differ:",
        ],
        "{out}"
    );
    assert!(
        out.contains("+ unexpected statement") && out.contains("arn:aws:iam::444444444444:root"),
        "{out}"
    );
    assert!(
        out.ends_with("drift: 3 differences from the model in 3 accounts\n"),
        "{out}"
    );

    let (code, json_out, _) = drift(&files, &["--format", "json"]);
    assert_eq!(code, Some(1));
    let report: Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(report["in_sync"], false);
    let parts: Vec<(String, String, String)> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_owned();
            (s("account"), s("name"), s("part"))
        })
        .collect();
    assert_eq!(
        parts,
        [
            (
                "development (222222222222)".into(),
                "SeqeraPlatformRole-AccountB".into(),
                "tags".into()
            ),
            (
                "management (999999999999)".into(),
                "SeqeraPlatform-EC2-InstanceRole".into(),
                "attached policies".into()
            ),
            (
                "production (111111111111)".into(),
                "SeqeraPlatformRole-AccountA".into(),
                "trust policy".into()
            ),
        ]
    );
    let unexpected = &report["differences"][2]["unexpected_statements"];
    assert_eq!(unexpected.as_array().map(Vec::len), Some(1), "{unexpected}");
    assert!(
        unexpected.to_string().contains("444444444444"),
        "{unexpected}"
    );
}

/// A role nobody modelled is someone else's unless --all; a profile that holds a model
/// role, and an inline policy added to one, are drift either way.
#[test]
fn unmanaged_roles_count_only_with_all() {
    let dir = tempfile::tempdir().unwrap();
    let files = accounts_with(dir.path(), |plan| {
        let prod = iam(plan, "production");
        let mut stray = prod.roles["SeqeraPlatformRole-AccountA"].clone();
        stray.arn = "arn:aws:iam::111111111111:role/Unrelated".into();
        stray.path = "/".into();
        prod.roles.insert("Unrelated".into(), stray);
    });
    let (code, out, err) = drift(&files, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, _) = drift(&files, &["--all"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "account production (111111111111), role Unrelated: exists but is not in the model"
        ),
        "{out}"
    );

    let edited = dir.path().join("edited");
    std::fs::create_dir(&edited).unwrap();
    let files = accounts_with(&edited, |plan| {
        let prod = iam(plan, "production");
        let role = prod.roles.get_mut("SeqeraPlatformRole-AccountA").unwrap();
        role.inline_policies.insert(
            "by-hand".into(),
            json!({"Version": "2012-10-17", "Statement": []}),
        );
    });
    let (code, out, _) = drift(&files, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("inline policy by-hand: not in the model"),
        "{out}"
    );
}

#[test]
fn a_missing_account_file_or_input_value_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let plan = seed_plan();
    let two: Vec<(&str, &AccountIam)> = plan
        .accounts
        .values()
        .filter(|a| a.id != "222222222222")
        .map(|a| (a.id.as_str(), &a.iam))
        .collect();
    let files = write_accounts(&two, dir.path());
    let (code, out, err) = drift(&files, &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(
            "account `development` (222222222222) of the model has no authorization-details file"
        ),
        "{err}"
    );

    let files = write_plan(&plan, dir.path());
    let out = bin()
        .arg("drift")
        .arg(model())
        .args(["--var", VARS[0], "--live"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("input `development_external_id` has no value"),
        "{err}"
    );
    assert!(
        err.contains("rolegraph.yaml:"),
        "the input's position: {err}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"Roles\": 3}").unwrap();
    let (code, out, err) = drift(&[bad], &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("bad.json:1:"), "{err}");
}

/// Without list-roles files descriptions and session lengths are unknown, and drift says
/// it did not compare them instead of reporting IAM's defaults as drift.
#[test]
fn without_list_roles_descriptions_are_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = accounts_with(dir.path(), |_| {})
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".authorization.json"))
        .collect();
    let (code, out, err) = drift(&files, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        err.matches("descriptions and session lengths not compared")
            .count(),
        3,
        "{err}"
    );
}
