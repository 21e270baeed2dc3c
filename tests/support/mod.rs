//! Helpers shared by the integration tests.

pub mod cloud;
pub mod deploy_cloudformation;
pub mod deploy_terraform;
pub mod live_files;
pub mod moto;
pub mod npm;
pub mod random_model;
pub mod terraform;
pub mod variants;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rolegraph"))
}

/// The binary, run as user `nobody` (through `setpriv`) when the tests run as root, for
/// tests of permissions that root would override; prepare the files for `nobody` first.
pub fn bin_unprivileged() -> Command {
    if !running_as_root() {
        return bin();
    }
    let mut setpriv = Command::new("setpriv");
    setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
    setpriv.arg(env!("CARGO_BIN_EXE_rolegraph"));
    setpriv
}

pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Compares `actual` with the reviewed file `expected`, or rewrites it under
/// `SNAPSHOTS=overwrite`; `what` names the output in the failure.
pub fn compare_snapshot(actual: &str, expected: &Path, what: &str) {
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") {
        std::fs::write(expected, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(expected).unwrap_or_default();
    assert_eq!(
        actual,
        want,
        "{what} differs from {} (review, then SNAPSHOTS=overwrite to accept)",
        expected.display()
    );
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run rolegraph")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every case under `golden/`, sorted.
/// Compiles a model given as text, written to `rolegraph.yaml` in a folder of its own:
/// the graph, or every error as `rolegraph` prints them.
pub fn compile_text(yaml: &str) -> Result<rolegraph::ir::Graph, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rolegraph.yaml");
    std::fs::write(&path, yaml).unwrap();
    rolegraph::compile(&path).map_err(|d| d.to_string())
}

pub fn golden_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("golden"))
        .expect("golden/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("rolegraph.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

/// Whether a tool missing from this machine fails the test (under CI) or skips it.
pub fn require_tool(tool: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{tool} is required under CI=true but was not found");
    }
    println!("skipped: {tool} is not installed on this machine");
    false
}

/// Relative path → contents of every file below `root`.
pub fn read_tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// The keys under a top-level section of a generated CloudFormation template
/// (`Resources:`, `Parameters:`, `Outputs:`), read from the text as rolegraph writes it.
pub fn template_section(body: &str, name: &str) -> Vec<String> {
    let header = format!("{name}:");
    let mut inside = false;
    let mut out = Vec::new();
    for line in body.lines() {
        if !line.starts_with(' ') {
            inside = line == header;
        } else if inside
            && let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            out.push(key.to_owned());
        }
    }
    out
}

/// A model of `accounts` accounts with one EC2 role each; every role carries `version` in
/// its description, so every role's files differ between two versions.
pub fn accounts_model(accounts: usize, version: &str) -> String {
    let mut y = format!("version: 1\nname: crash-{accounts}\naccounts:\n");
    for a in 0..accounts {
        y += &format!(
            "  a{a:04}: {{ id: \"{:012}\" }}\n",
            100_000_000_000u64 + a as u64
        );
    }
    y += "roles:\n";
    for a in 0..accounts {
        y += &format!(
            "  r{a:04}:\n    account: a{a:04}\n    name: Role{a}\n    description: \"{version}\"\n    trusted_by:\n      - service: ec2.amazonaws.com\n"
        );
    }
    y
}

/// Runs rolegraph, killing it if it has not ended after `limit`: a guard against a hang,
/// not a timing test. `None` when it had to be killed.
pub fn run_guarded(args: &[&str], cwd: &Path, limit: std::time::Duration) -> Option<Output> {
    let mut child = bin()
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run rolegraph");
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A FIFO at `path`, made with mkfifo(1).
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The brownfield fixture's accounts (tests/support/brownfield.py builds them).
pub const BROWNFIELD_ACCOUNTS: [&str; 3] = ["999999999999", "111111111111", "222222222222"];

/// The fixture's dumps in `dir`: each account's authorization details, then its list-roles.
pub fn brownfield_dumps(dir: &Path) -> Vec<PathBuf> {
    BROWNFIELD_ACCOUNTS
        .iter()
        .flat_map(|id| ["authorization", "roles"].map(|kind| dir.join(format!("{id}.{kind}.json"))))
        .collect()
}
