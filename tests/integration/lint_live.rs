//! `rolegraph lint --live`: the rules on accounts read from their authorization details.
//! The brownfield fixture (built by hand on moto, tests/support/brownfield.py), and the
//! seed's naive setup written out as the files its accounts would give: Platform's role
//! trusted by two targets without an External ID.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::lint_rules::{SAFE, naive_seed};
use crate::support::live_files::write_plan;
use crate::support::{bin, brownfield_dumps, repo, text};

fn lint_live(
    model: Option<&Path>,
    files: &[PathBuf],
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let mut cmd = bin();
    cmd.arg("lint");
    if let Some(model) = model {
        cmd.arg(model);
    }
    let out = cmd.args(extra).arg("--live").args(files).output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The lines of a text report that carry a finding: `place: severity[RULE]`.
fn heads(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("lint: "))
        .map(|l| l.split("]: ").next().unwrap_or(l).to_owned() + "]")
        .collect()
}

#[test]
fn the_brownfield_accounts_are_placed_at_their_roles() {
    let files = brownfield_dumps(&repo().join("tests/fixtures/brownfield"));
    let (code, out, err) = lint_live(None, &files, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        heads(&out),
        [
            "111111111111/DataAnalyst: warning[RG003]",
            "111111111111/SeqeraPlatformRole-AccountA: warning[RG006]",
        ],
        "{out}"
    );
    let (_, json_out, _) = lint_live(None, &files, &["--format", "json"]);
    let report: Value = serde_json::from_str(&json_out).unwrap();
    let first = &report["findings"][0];
    assert_eq!(first["account"], "111111111111");
    assert_eq!(first["arn"], "arn:aws:iam::111111111111:role/DataAnalyst");
    let file = first["file"].as_str().unwrap();
    assert!(file.ends_with("111111111111.authorization.json"), "{file}");
    let line = first["line"].as_u64().unwrap() as usize;
    let dump = std::fs::read_to_string(file).unwrap();
    assert!(
        dump.lines()
            .nth(line - 1)
            .unwrap()
            .contains("\"DataAnalyst\""),
        "line {line}"
    );

    let (_, sarif, _) = lint_live(None, &files, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let location = &sarif["runs"][0]["results"][0]["locations"][0];
    assert!(
        location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("111111111111.authorization.json")
    );
    assert_eq!(
        location["physicalLocation"]["region"]["startLine"],
        line as u64
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:iam::111111111111:role/DataAnalyst"
    );
}

/// The naive seed's accounts: the model with instance credentials on and no External IDs,
/// planned and written out as dumps.
fn naive_accounts(dir: &Path) -> Vec<PathBuf> {
    let model = dir.join("naive.yaml");
    std::fs::write(&model, naive_seed()).unwrap();
    let graph = rolegraph::compile(&model).unwrap();
    let plan = rolegraph::plan::plan(&graph, &rolegraph::plan::Inputs::default());
    let dumps = dir.join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    write_plan(&plan, &dumps)
}

#[test]
fn iam_alone_names_the_seeds_precondition() {
    let dir = tempfile::tempdir().unwrap();
    let files = naive_accounts(dir.path());
    let (code, out, err) = lint_live(None, &files, &[]);
    assert_eq!(code, Some(0), "warnings only: {out}{err}");
    assert_eq!(
        heads(&out),
        [
            "111111111111/Prod: warning[RG013]",
            "222222222222/Dev: warning[RG013]"
        ],
        "{out}"
    );
    assert!(
        out.contains("arn:aws:iam::999999999999:role/Platform"),
        "{out}"
    );
    let (code, _, _) = lint_live(None, &files, &["--deny", "warning"]);
    assert_eq!(code, Some(1));
}

/// The model's `seqera:` section judges the live trust: with instance credentials on,
/// RG001 (the seed's risk); with the safe model's role-mode credentials, RG008, because
/// the accounts lack the External IDs the model says they require.
#[test]
fn the_models_seqera_section_judges_the_live_trust() {
    let dir = tempfile::tempdir().unwrap();
    let files = naive_accounts(dir.path());
    let naive = dir.path().join("naive.yaml");
    let (code, out, err) = lint_live(Some(&naive), &files, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    let rg001: Vec<String> = heads(&out)
        .into_iter()
        .filter(|h| h.contains("RG001"))
        .collect();
    assert_eq!(
        rg001,
        [
            "111111111111/Prod: error[RG001]",
            "222222222222/Dev: error[RG001]"
        ],
        "{out}"
    );
    assert!(out.contains("workspace A/B risk"), "{out}");

    let safe = dir.path().join("safe.yaml");
    std::fs::write(&safe, SAFE).unwrap();
    let model_alone = bin().arg("lint").arg(&safe).output().unwrap();
    assert_eq!(
        model_alone.status.code(),
        Some(0),
        "the safe model itself is clean"
    );
    let (code, out, _) = lint_live(Some(&safe), &files, &["--deny", "warning"]);
    assert_eq!(code, Some(1), "{out}");
    let rg008: Vec<String> = heads(&out)
        .into_iter()
        .filter(|h| h.contains("RG008"))
        .collect();
    assert_eq!(
        rg008,
        [
            "111111111111/Prod: warning[RG008]",
            "222222222222/Dev: warning[RG008]"
        ],
        "{out}"
    );
}

#[test]
fn a_bad_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[1, 2").unwrap();
    let (code, out, err) = lint_live(None, &[bad], &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(out.is_empty());
    assert!(err.contains("bad.json:1:"), "{err}");
}
