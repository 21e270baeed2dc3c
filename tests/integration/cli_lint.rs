//! `rolegraph lint` and the lint gate in `generate`, as a user runs them: exit codes,
//! `--deny`, JSON, and SARIF checked against the SARIF 2.1.0 schema.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{require_tool, run, text};

const NAIVE: &str = r#"version: 1
name: naive
accounts:
  management: { id: "999999999999" }
  production: { id: "111111111111" }
roles:
  platform:
    account: management
    name: Platform
    trusted_by:
      - service: ec2.amazonaws.com
  production:
    account: production
    name: Prod
    trusted_by:
      - role: platform
seqera:
  platform_role: platform
  allow_instance_credentials: true
  credentials:
    - name: aws-production
      workspace: acme/production
      role: production
"#;

const ACCEPT: &str = "    accept_risks:\n      - rule: RG001\n        reason: the only workspace with access to this account\n";

fn accepted() -> String {
    NAIVE.replace("    name: Prod\n", &format!("    name: Prod\n{ACCEPT}"))
}

fn with_model(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    dir
}

#[test]
fn lint_exit_codes_follow_deny() {
    let naive = with_model(NAIVE);
    let out = run(&["lint"], naive.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report = text(&out.stdout);
    assert!(
        report.contains("rolegraph.yaml:16:9: error[RG001]:"),
        "{report}"
    );
    assert!(
        report.ends_with("lint: 1 error, 1 warning, 0 accepted\n"),
        "{report}"
    );

    let ok = with_model(&accepted());
    let out = run(&["lint"], ok.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("accepted[RG001]"));
    assert!(text(&out.stdout).contains("accepted because: the only workspace"));
    // RG008 (a warning) remains and fails only when warnings are denied.
    let out = run(&["lint", "--deny", "warning"], ok.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lint_json_lists_findings_and_a_summary() {
    let dir = with_model(&accepted());
    let out = run(&["lint", "--format", "json"], dir.path());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(
        report["summary"],
        serde_json::json!({"errors": 0, "warnings": 1, "accepted": 1})
    );
    let rg001 = &report["findings"][0];
    assert_eq!(rg001["rule"], "RG001");
    assert_eq!(rg001["severity"], "error");
    assert_eq!(
        (rg001["line"].as_u64(), rg001["column"].as_u64()),
        (Some(19), Some(9))
    );
    assert_eq!(
        rg001["accepted"]["reason"],
        "the only workspace with access to this account"
    );
}

#[test]
fn generate_stops_on_an_unaccepted_lint_error_and_goes_on_once_accepted() {
    let naive = with_model(NAIVE);
    let out = run(&["generate", "--out", "gen"], naive.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[RG001]"));
    assert!(!naive.path().join("gen").exists());

    let ok = with_model(&accepted());
    let out = run(&["generate", "--out", "gen"], ok.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("accepted[RG001]"));
    assert!(ok.path().join("gen/terraform/providers.tf").exists());
}

#[test]
fn an_unknown_rule_in_accept_risks_is_invalid() {
    let dir = with_model(&accepted().replace("rule: RG001", "rule: RG999"));
    let out = run(&["lint"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("rolegraph.yaml:16:15: error: unknown lint rule `RG999`"),
        "{}",
        text(&out.stderr)
    );
}

/// The SARIF 2.1.0 schema, from `ROLEGRAPH_SARIF_SCHEMA` or the npm package that ships it.
fn sarif_schema(work: &Path) -> Option<PathBuf> {
    if let Ok(path) = std::env::var("ROLEGRAPH_SARIF_SCHEMA") {
        return Some(PathBuf::from(path));
    }
    let packed = Command::new("npm")
        .args(["pack", "--silent", "@microsoft/jest-sarif@1.0.0-beta.0"])
        .current_dir(work)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let tarball = text(&packed.stdout).trim().to_owned();
    let unpacked = Command::new("tar")
        .args(["xzf", &tarball])
        .current_dir(work)
        .status()
        .ok()?;
    let schema = work.join("package/lib/schemas/sarif-2.1.0-rtm.5.json");
    (unpacked.success() && schema.is_file()).then_some(schema)
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let work = tempfile::tempdir().unwrap();
    let has_jsonschema = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool("python3 with jsonschema", has_jsonschema) {
        return;
    }
    let Some(schema) = sarif_schema(work.path()) else {
        require_tool(
            "the SARIF 2.1.0 schema (npm pack @microsoft/jest-sarif)",
            false,
        );
        return;
    };
    let dir = with_model(&accepted());
    let out = run(&["lint", "--format", "sarif"], dir.path());
    let sarif_path = dir.path().join("report.sarif");
    std::fs::write(&sarif_path, &out.stdout).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = &report["runs"][0]["results"];
    assert_eq!(results.as_array().map(Vec::len), Some(2), "{report:#}");
    assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        cls = jsonschema.validators.validator_for(schema)\n\
        errors = sorted(cls(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)\n\
        [print(e.message, list(e.path)) for e in errors]\n\
        sys.exit(1 if errors else 0)\n";
    let check = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&sarif_path)
        .output()
        .expect("run python3");
    assert!(
        check.status.success(),
        "SARIF does not validate:\n{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    // The validator must be able to fail: a result without a message is invalid SARIF.
    let mut broken = report.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    std::fs::write(&sarif_path, serde_json::to_vec(&broken).unwrap()).unwrap();
    let check = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&sarif_path)
        .output()
        .unwrap();
    assert!(
        !check.status.success(),
        "the schema check accepted a result without a message"
    );
}
