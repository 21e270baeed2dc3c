//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cloud;
pub mod cloudformation;
pub mod moto;
pub mod random_model;
pub mod terraform;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rolegraph"))
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
