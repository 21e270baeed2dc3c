//! `rolegraph import` on the brownfield fixture (tests/support/brownfield.py built it in
//! moto and dumped it): the model it writes, the edges it recovers, and that the model's
//! plan is the live state apart from exactly the grants the report says it folded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegraph::plan::{AccountIam, Plan};
use serde_json::Value;

use crate::support::{bin, brownfield_dumps, compare_snapshot, repo, text};

pub(crate) fn fixture() -> PathBuf {
    repo().join("tests/fixtures/brownfield")
}

/// The fixture's files, authorization details and list-roles for each account.
pub(crate) fn dumps() -> Vec<PathBuf> {
    brownfield_dumps(&fixture())
}

/// `--account KEY=ID` for each of the fixture's accounts, as the tests name them.
pub(crate) fn account_flags() -> Vec<String> {
    [
        "management=999999999999",
        "production=111111111111",
        "development=222222222222",
    ]
    .iter()
    .flat_map(|a| ["--account".to_owned(), (*a).to_owned()])
    .collect()
}

pub(crate) fn import(files: &[PathBuf], dir: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg("import")
        .args(files)
        .args(account_flags())
        .args(["--name", "seqera-brownfield", "--dir"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn report(files: &[PathBuf], dir: &Path) -> Value {
    let out = import(files, dir, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn plan(model: &Path) -> Plan {
    let out = bin()
        .args(["plan", "--format", "json"])
        .arg(model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn live_state(files: &[PathBuf]) -> BTreeMap<String, AccountIam> {
    let accounts = rolegraph::live::read_all(files, rolegraph::model::Access::default())
        .expect("the fixture reads");
    accounts.iter().map(|a| (a.id.clone(), a.state())).collect()
}

#[test]
fn the_brownfield_model_is_the_reviewed_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(&dumps(), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let model = std::fs::read_to_string(dir.path().join("rolegraph.yaml")).unwrap();
    compare_snapshot(
        &model,
        &fixture().join("expected/rolegraph.yaml"),
        "the imported model",
    );
    let shown = text(&out.stdout).replace(&dir.path().display().to_string(), "DIR");
    compare_snapshot(&shown, &fixture().join("expected/report.txt"), "the report");
    let again = tempfile::tempdir().unwrap();
    import(&dumps(), again.path(), &[]);
    let second = std::fs::read_to_string(again.path().join("rolegraph.yaml")).unwrap();
    assert_eq!(model, second, "import is not deterministic");
    let linted = bin()
        .arg("lint")
        .arg(dir.path().join("rolegraph.yaml"))
        .output()
        .unwrap();
    assert_eq!(linted.status.code(), Some(0), "{}", text(&linted.stdout));
}

/// The plan of the imported model against the accounts: after taking out of the live
/// side the inline policies the report says the generated grant replaced, and out of the
/// plan the generated grants of the roles they were folded from, nothing differs but the
/// customer-managed policies that roles attach and the model does not write.
#[test]
fn the_imported_plan_is_the_live_state_but_for_the_folded_grants() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(&dumps(), dir.path());
    let mut live = live_state(&dumps());
    let mut planned = plan(&dir.path().join("rolegraph.yaml"));
    let folded = report["folded"].as_array().unwrap();
    assert_eq!(folded.len(), 1, "{report:#}");
    for f in folded {
        assert_eq!(f["replaced"], true);
        let (role, policy) = (f["role"].as_str().unwrap(), f["policy"].as_str().unwrap());
        let removed = live
            .values_mut()
            .find_map(|iam| iam.roles.get_mut(role))
            .and_then(|r| r.inline_policies.remove(policy));
        assert!(removed.is_some(), "{role} has no inline policy {policy}");
        let generated = format!("{role}-assume");
        let account = planned
            .accounts
            .values_mut()
            .find(|a| a.iam.roles.contains_key(role))
            .unwrap();
        let grant = account
            .iam
            .managed_policies
            .remove(&generated)
            .expect("a generated grant");
        account
            .iam
            .roles
            .get_mut(role)
            .unwrap()
            .attached_policies
            .retain(|a| *a != grant.arn);
    }
    for iam in live.values_mut() {
        let attached: Vec<String> = iam
            .roles
            .values()
            .flat_map(|r| r.attached_policies.clone())
            .collect();
        iam.managed_policies
            .retain(|_, p| !attached.contains(&p.arn));
    }
    let differences = rolegraph::plan::compare(&planned, &live);
    let shown: Vec<String> = differences.iter().map(ToString::to_string).collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
    assert_eq!(report["edges"].as_array().unwrap().len(), 2, "{report:#}");
    let skipped = &report["skipped"];
    assert_eq!(
        (
            skipped["service_linked_roles"].as_u64(),
            skipped["users"].as_u64()
        ),
        (Some(1), Some(1))
    );
}

/// Percent-encodes every policy document, as the raw IAM API returns them.
fn url_encode_documents(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let document = matches!(
                    key.as_str(),
                    "AssumeRolePolicyDocument" | "PolicyDocument" | "Document"
                );
                if document && inner.is_object() {
                    let json = serde_json::to_string(inner).unwrap();
                    let encoded: String = json
                        .bytes()
                        .map(|b| match b {
                            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                                (b as char).to_string()
                            }
                            _ => format!("%{b:02X}"),
                        })
                        .collect();
                    *inner = Value::String(encoded);
                } else {
                    url_encode_documents(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(url_encode_documents),
        _ => {}
    }
}

#[test]
fn url_encoded_documents_import_as_decoded_ones() {
    let work = tempfile::tempdir().unwrap();
    let mut encoded = Vec::new();
    for path in dumps() {
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        url_encode_documents(&mut value);
        let to = work.path().join(path.file_name().unwrap());
        std::fs::write(&to, serde_json::to_string(&value).unwrap()).unwrap();
        encoded.push(to);
    }
    assert!(
        std::fs::read_to_string(&encoded[0])
            .unwrap()
            .contains("%7B%22")
    );
    let (plain, url) = (work.path().join("plain"), work.path().join("url"));
    assert_eq!(import(&dumps(), &plain, &[]).status.code(), Some(0));
    let out = import(&encoded, &url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let read = |d: &Path| std::fs::read_to_string(d.join("rolegraph.yaml")).unwrap();
    // The header names the files read; the model below it is the same.
    let body = |s: String| s.lines().skip(3).collect::<Vec<_>>().join("\n");
    assert_eq!(body(read(&plain)), body(read(&url)));
}

/// Each bad input: exit 2, the file (and where it applies the position) named, and
/// nothing written.
#[test]
fn bad_input_is_refused_with_its_place_and_nothing_is_written() {
    let work = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = work.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let auth = std::fs::read_to_string(fixture().join("999999999999.authorization.json")).unwrap();
    let bad_url = auth.replacen(
        "\"AssumeRolePolicyDocument\": {",
        "\"AssumeRolePolicyDocument\": \"%7B%2\", \"Ignored\": {",
        1,
    );
    // A name that reaches a file name: IAM allows only `[\w+=,.@-]` in it.
    let escape = std::fs::read_to_string(fixture().join("111111111111.authorization.json"))
        .unwrap()
        .replace(
            "\"PolicyName\": \"data-access\"",
            "\"PolicyName\": \"../../escape\"",
        );
    let cases: Vec<(&str, Vec<PathBuf>, Vec<&str>)> = vec![
        (
            "a policy name IAM could not have written",
            vec![write("escape.json", &escape)],
            vec![
                "escape.json: role `SeqeraPlatformRole-AccountA`: policy name `../../escape` contains `/`, which IAM does not allow",
            ],
        ),
        (
            "not authorization details",
            vec![write("users.json", "{\n  \"Users\": []\n}\n")],
            vec![
                "users.json:1:1",
                "neither `get-account-authorization-details` nor `list-roles`",
            ],
        ),
        (
            "JSON, but not an object",
            vec![write("list.json", "[]\n")],
            vec!["list.json:1:", "it is not a JSON object"],
        ),
        (
            "truncated",
            vec![write("cut.json", &auth[..auth.len() / 2])],
            vec!["cut.json:", "the JSON ends early"],
        ),
        (
            "two files for one account",
            vec![
                fixture().join("999999999999.authorization.json"),
                write("again.json", &auth),
            ],
            vec![
                "again.json",
                "a second authorization-details file for account 999999999999",
            ],
        ),
        (
            "a URL-encoded document that does not decode",
            vec![write("bad-url.json", &bad_url)],
            vec!["bad-url.json:7:", "`%` without two hex digits"],
        ),
    ];
    for (what, files, expected) in cases {
        let dir = work.path().join("out");
        let out = bin()
            .arg("import")
            .args(&files)
            .arg("--dir")
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        for part in expected {
            assert!(
                stderr.contains(part),
                "{what}: `{part}` missing from:\n{stderr}"
            );
        }
        assert!(!dir.exists(), "{what}: something was written");
        assert!(out.stdout.is_empty(), "{what}");
    }
}

#[test]
fn nothing_is_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("rolegraph.yaml");
    std::fs::write(&model, "mine\n").unwrap();
    let out = import(&dumps(), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "mine\n");
    let out = import(&dumps(), dir.path(), &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(&model)
            .unwrap()
            .contains("seqera-brownfield")
    );
}

/// What the model cannot say is imported as far as it goes, and named with its role, and
/// the run exits 1.
#[test]
fn what_the_model_cannot_say_is_reported_and_exits_1() {
    let work = tempfile::tempdir().unwrap();
    let path = fixture().join("111111111111.authorization.json");
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let roles = value["RoleDetailList"].as_array_mut().unwrap();
    let analyst = roles
        .iter_mut()
        .find(|r| r["RoleName"] == "DataAnalyst")
        .unwrap();
    analyst["AssumeRolePolicyDocument"]["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }));
    let changed = work.path().join("111111111111.authorization.json");
    std::fs::write(&changed, serde_json::to_string(&value).unwrap()).unwrap();
    let dir = work.path().join("out");
    let out = bin()
        .arg("import")
        .arg(&changed)
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}{stdout}", text(&out.stderr));
    assert!(
        stdout.contains("not expressible: DataAnalyst in account-111111111111: a Deny statement in the trust policy"),
        "{stdout}"
    );
    assert!(stdout.contains("no list-roles file"), "{stdout}");
    assert!(dir.join("rolegraph.yaml").is_file());
}

#[test]
fn include_keeps_only_matching_roles_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with(&dumps(), dir.path(), &["--include", "^/seqera/"]);
    assert_eq!(report["roles"], 1, "{report:#}");
    assert_eq!(report["skipped"]["not_included"], 4, "{report:#}");
    // The platform role is not imported, so its trust stays a plain ARN and nothing folds.
    assert!(report["edges"].as_array().unwrap().is_empty());
    let model = std::fs::read_to_string(dir.path().join("rolegraph.yaml")).unwrap();
    assert!(
        model.contains("arn: arn:aws:iam::999999999999:role/SeqeraPlatform-EC2-InstanceRole"),
        "{model}"
    );
}

fn report_with(files: &[PathBuf], dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let out = import(files, dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}
