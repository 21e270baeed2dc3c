//! `seqera/credentials.sh` against the stand-in tw (`tests/support/tw-standin/tw`), in the
//! cases a README cannot show: a second run, an old tw, no endpoint, no External ID from
//! Platform, a name that exists but is not recorded, and a record edited by someone else.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{bin, repo, text};

struct Script {
    _work: tempfile::TempDir,
    seqera: PathBuf,
    state: PathBuf,
    log: PathBuf,
}

/// The seed's output, generated into a new folder.
fn generated() -> Script {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let status = bin()
        .args(["generate", "golden/seed/rolegraph.yaml", "--out"])
        .arg(&out)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", text(&status.stderr));
    Script {
        seqera: out.join("seqera"),
        state: work.path().join("tw-state.json"),
        log: work.path().join("tw.log"),
        _work: work,
    }
}

impl Script {
    fn run(&self, env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            repo().join("tests/support/tw-standin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .arg("credentials.sh")
            .current_dir(&self.seqera)
            .env("PATH", path)
            .env("TW_STANDIN_STATE", &self.state)
            .env("TW_STANDIN_LOG", &self.log)
            .env("TOWER_ACCESS_TOKEN", "token")
            .env("TOWER_API_ENDPOINT", "https://platform.example/api")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.seqera.join(name)).ok()
    }

    /// The `tw credentials add` calls the stand-in has seen.
    fn adds(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"add\""))
            .count()
    }

    fn id_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.seqera)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("external-ids.") && n.ends_with(".json"))
            .collect();
        names.sort();
        names
    }
}

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

#[test]
fn a_second_run_creates_nothing_and_keeps_the_ids() {
    let s = generated();
    let first = s.run(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(s.adds(), 2);
    let files: Vec<(String, Option<String>)> = s
        .id_files()
        .into_iter()
        .map(|n| (n.clone(), s.file(&n)))
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    let second = s.run(&[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(s.adds(), 2, "a rerun called tw credentials add again");
    assert!(stderr(&second).contains("not created again"));
    let again: Vec<(String, Option<String>)> = s
        .id_files()
        .into_iter()
        .map(|n| (n.clone(), s.file(&n)))
        .collect();
    assert_eq!(files, again);
}

#[test]
fn the_ids_in_the_files_are_the_ones_tw_printed() {
    let s = generated();
    let out = s.run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.state).unwrap()).unwrap();
    let production = state["acme/production aws-production"]["externalId"]
        .as_str()
        .unwrap();
    let tfvars: serde_json::Value =
        serde_json::from_str(&s.file("external-ids.tfvars.json").unwrap()).unwrap();
    assert_eq!(tfvars["production_external_id"], production);
    let cfn: Vec<String> =
        serde_json::from_str(&s.file("external-ids.production.cfn.json").unwrap()).unwrap();
    assert_eq!(cfn, [format!("ProductionExternalId={production}")]);
}

#[test]
fn an_old_tw_stops_before_anything_is_created() {
    let s = generated();
    let out = s.run(&[("TW_STANDIN_VERSION", "0.32.9")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tw 0.32.9 is too old: install tw 0.33.0 or later"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.adds(), 0);
    assert!(s.id_files().is_empty());
    let newer = generated();
    let out = newer.run(&[("TW_STANDIN_VERSION", "0.100.0")]);
    assert!(out.status.success(), "0.100.0 is newer: {}", stderr(&out));
}

#[test]
fn without_an_endpoint_it_says_it_uses_seqera_cloud() {
    let s = generated();
    let out = s.run(&[("TOWER_API_ENDPOINT", "")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("TOWER_API_ENDPOINT"))
        .map(str::to_owned)
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("Seqera Cloud (https://api.cloud.seqera.io)"));
    assert!(said[0].contains("export TOWER_API_ENDPOINT="));
}

#[test]
fn no_external_id_from_platform_writes_no_files() {
    let s = generated();
    let out = s.run(&[("TW_STANDIN_NO_EXTERNAL_ID", "1")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Platform returned no External ID"));
    assert!(s.id_files().is_empty());
    assert_eq!(s.file("external-ids.txt"), None);
}

#[test]
fn an_existing_credential_without_a_record_is_named_and_never_overwritten() {
    let s = generated();
    assert!(s.run(&[]).status.success());
    std::fs::remove_file(s.seqera.join("external-ids.txt")).unwrap();
    let out = s.run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("already exists"), "{err}");
    assert!(
        err.contains("add the line \"acme/production aws-production <its External ID>\""),
        "{err}"
    );
    // The stand-in refuses --overwrite with its own message: it never came.
    assert!(!err.contains("refuses --overwrite"), "{err}");
}

#[test]
fn a_record_that_is_not_an_external_id_is_refused() {
    let s = generated();
    assert!(s.run(&[]).status.success());
    let record = s.seqera.join("external-ids.txt");
    let text = std::fs::read_to_string(&record).unwrap();
    let planted: String = text
        .lines()
        .map(|l| match l.starts_with("acme/production ") {
            true => "acme/production aws-production x\"$(touch${IFS}planted)".to_owned(),
            false => l.to_owned(),
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&record, planted).unwrap();
    let before = s.file("external-ids.tfvars.json");
    let out = s.run(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("which is not an External ID"));
    assert_eq!(s.file("external-ids.tfvars.json"), before);
    assert!(!Path::new(&s.seqera.join("planted")).exists());
}
