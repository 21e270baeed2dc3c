//! Test tools from npm, pinned by a lock file under `tests/<folder>/`: `npm ci` once per
//! test run into cargo's scratch folder, and again only when the pinned files change.

use std::path::PathBuf;
use std::process::Command;

use super::{repo, require_tool};

/// The pinned tool in `tests/<folder>` (its `package.json`, `package-lock.json` and
/// `scripts`) installed under CARGO_TARGET_TMPDIR; `installed` is a path under
/// `node_modules` that exists once it is. None (after one line, or a failure under CI)
/// when node or the install is missing.
pub fn install(folder: &str, scripts: &[&str], installed: &str, what: &str) -> Option<PathBuf> {
    let node = Command::new("node").arg("--version").output();
    if !require_tool("node", node.is_ok_and(|o| o.status.success())) {
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let source = repo().join("tests").join(folder);
    let mut fresh = true;
    for file in ["package.json", "package-lock.json"].iter().chain(scripts) {
        let want = std::fs::read(source.join(file)).unwrap();
        fresh &= std::fs::read(dir.join(file)).is_ok_and(|have| have == want);
        std::fs::write(dir.join(file), want).unwrap();
    }
    if !fresh || !dir.join("node_modules").join(installed).exists() {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .output();
        let ok = out.as_ref().is_ok_and(|o| o.status.success());
        if !require_tool(&format!("npm ci of tests/{folder} ({what})"), ok) {
            return None;
        }
    }
    Some(dir)
}
