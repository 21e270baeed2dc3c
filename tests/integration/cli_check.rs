//! Living in an infra repo: `check` as the CI gate, and `generate` as the owner of the
//! files it wrote (manifest, stale files deleted, hand edits and foreign files refused).

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{read_tree, run, text};

/// Two accounts, the second trusting a role of the first.
const TWO_ACCOUNTS: &str = r#"version: 1
name: check-test
accounts:
  hub: { id: "111111111111" }
  spoke: { id: "222222222222" }
roles:
  platform:
    account: hub
    name: Platform
    trusted_by:
      - service: ec2.amazonaws.com
  worker:
    account: spoke
    name: Worker
    trusted_by:
      - role: platform
        external_id: worker-external-id
"#;

/// The same without the spoke: its files must go.
const ONE_ACCOUNT: &str = r#"version: 1
name: check-test
accounts:
  hub: { id: "111111111111" }
roles:
  platform:
    account: hub
    name: Platform
    trusted_by:
      - service: ec2.amazonaws.com
"#;

fn setup(model: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    dir
}

fn check(dir: &Path) -> (Option<i32>, String, String) {
    let before = read_tree(dir);
    let out = run(&["check", "--out", "gen"], dir);
    assert_eq!(read_tree(dir), before, "check wrote something");
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn check_passes_in_sync() {
    let dir = setup(TWO_ACCOUNTS);
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("gen is up to date"), "{stdout}");
}

#[test]
fn check_shows_a_changed_byte_as_a_unified_diff() {
    let dir = setup(TWO_ACCOUNTS);
    let file = dir.path().join("gen/terraform/spoke.tf");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("Worker", "Workes", 1);
    std::fs::write(&file, edited).unwrap();
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("--- a/terraform/spoke.tf\n+++ b/terraform/spoke.tf\n@@ "),
        "{stdout}"
    );
    let changed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(['-', '+']) && !l.starts_with("---") && !l.starts_with("+++"))
        .collect();
    assert_eq!(
        changed,
        [
            "-  name               = \"Workes\"",
            "+  name               = \"Worker\""
        ],
        "{stdout}"
    );
    assert!(
        stderr.contains("1 stale, 0 missing, 0 no longer generated"),
        "{stderr}"
    );
}

#[test]
fn check_lists_a_missing_file() {
    let dir = setup(TWO_ACCOUNTS);
    std::fs::remove_file(dir.path().join("gen/cloudformation/hub.yaml")).unwrap();
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("missing: gen/cloudformation/hub.yaml"),
        "{stderr}"
    );
}

#[test]
fn an_owned_file_the_model_no_longer_produces_is_listed_then_deleted() {
    let dir = setup(TWO_ACCOUNTS);
    std::fs::write(dir.path().join("rolegraph.yaml"), ONE_ACCOUNT).unwrap();
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("no longer generated: gen/cloudformation/spoke.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no longer generated: gen/terraform/spoke.tf"),
        "{stderr}"
    );

    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 stale files deleted"),
        "{}",
        text(&out.stdout)
    );
    assert!(!dir.path().join("gen/terraform/spoke.tf").exists());
    assert!(!dir.path().join("gen/cloudformation/spoke.yaml").exists());
    assert_eq!(check(dir.path()).0, Some(0));
}

#[test]
fn a_hand_edit_stops_generate_until_forced() {
    let dir = setup(TWO_ACCOUNTS);
    let edited_path = dir.path().join("gen/terraform/hub.tf");
    let edited = std::fs::read_to_string(&edited_path).unwrap() + "# my change\n";
    std::fs::write(&edited_path, &edited).unwrap();
    // A model change that rewrites other files too, so "nothing written" means something.
    std::fs::write(
        dir.path().join("rolegraph.yaml"),
        TWO_ACCOUNTS.replace("worker-external-id", "new-external-id"),
    )
    .unwrap();
    let before = read_tree(dir.path());

    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: gen/terraform/hub.tf: was edited by hand since rolegraph wrote it"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        read_tree(dir.path()),
        before,
        "a refused generate wrote something"
    );

    let out = run(&["generate", "--out", "gen", "--force"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_ne!(std::fs::read_to_string(&edited_path).unwrap(), edited);
    assert_eq!(check(dir.path()).0, Some(0));
}

#[test]
fn a_file_rolegraph_did_not_write_is_never_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), TWO_ACCOUNTS).unwrap();
    std::fs::create_dir_all(dir.path().join("gen/terraform")).unwrap();
    std::fs::write(
        dir.path().join("gen/terraform/hub.tf"),
        "# written by a person\n",
    )
    .unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("gen/terraform/hub.tf: exists, and rolegraph did not write it")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("gen/terraform/hub.tf")).unwrap(),
        "# written by a person\n"
    );
    assert!(!dir.path().join("gen/.rolegraph-manifest").exists());
}

#[test]
fn unowned_files_survive_every_command() {
    let dir = setup(TWO_ACCOUNTS);
    let keep = [
        (
            "gen/terraform/backend.tf",
            "terraform {\n  backend \"s3\" {}\n}\n",
        ),
        ("gen/notes.md", "ours\n"),
        ("gen/cloudformation/extra.yaml", "Resources: {}\n"),
    ];
    for (path, contents) in keep {
        std::fs::write(dir.path().join(path), contents).unwrap();
    }
    let survived = |dir: &Path| {
        for (path, contents) in keep {
            assert_eq!(
                std::fs::read_to_string(dir.join(path)).unwrap(),
                contents,
                "{path}"
            );
        }
    };
    let (code, stdout, stderr) = check(dir.path());
    assert_eq!(
        code,
        Some(0),
        "unowned files are not check's business: {stdout}{stderr}"
    );
    std::fs::write(dir.path().join("rolegraph.yaml"), ONE_ACCOUNT).unwrap();
    check(dir.path());
    for args in [
        &["generate", "--out", "gen"][..],
        &["generate", "--out", "gen", "--force"][..],
    ] {
        let out = run(args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        survived(dir.path());
    }
    std::fs::write(dir.path().join("rolegraph.yaml"), TWO_ACCOUNTS).unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    survived(dir.path());
}

#[test]
fn check_of_an_invalid_model_exits_2() {
    let dir = setup(TWO_ACCOUNTS);
    std::fs::write(dir.path().join("rolegraph.yaml"), "version: 1\nname: x\n").unwrap();
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("rolegraph.yaml:"), "{stderr}");
}

#[test]
fn only_governs_just_the_selected_backends() {
    let dir = setup(TWO_ACCOUNTS);
    std::fs::write(dir.path().join("rolegraph.yaml"), ONE_ACCOUNT).unwrap();
    let out = run(
        &["generate", "--out", "gen", "--only", "terraform"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!dir.path().join("gen/terraform/spoke.tf").exists());
    assert!(dir.path().join("gen/cloudformation/spoke.yaml").exists());

    let out = run(
        &["check", "--out", "gen", "--only", "terraform"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (code, _, stderr) = check(dir.path());
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("no longer generated: gen/cloudformation/spoke.yaml"),
        "{stderr}"
    );

    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!dir.path().join("gen/cloudformation/spoke.yaml").exists());
    assert_eq!(check(dir.path()).0, Some(0));
}

/// The pre-commit hooks the repo offers run real subcommands, with the settings a
/// whole-model tool needs (pre-commit must not pass file names as models).
#[test]
fn pre_commit_hooks_run_real_subcommands() {
    let text_of = std::fs::read_to_string(support::repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<BTreeMap<String, serde_json::Value>> = serde_saphyr::from_str(&text_of).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"rolegraph-check"), "{ids:?}");
    let dir = tempfile::tempdir().unwrap();
    for hook in &hooks {
        assert_eq!(hook["language"], "rust", "{hook:?}");
        assert_eq!(hook["pass_filenames"], false, "{hook:?}");
        let entry = hook["entry"].as_str().unwrap();
        let sub = entry
            .strip_prefix("rolegraph ")
            .expect("entry runs rolegraph");
        let out = run(&[sub, "--help"], dir.path());
        assert_eq!(out.status.code(), Some(0), "{entry}: {}", text(&out.stderr));
    }
}
