//! `rolegraph check`: the output folder against what `generate` would write now, without
//! writing anything. Like `cargo fmt --check`, a stale file is shown as a unified diff.

use std::path::Path;

use similar::TextDiff;

use super::FileSet;
use super::manifest::{MANIFEST_NAME, Manifest, Ownership, in_scope, ownership};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Files whose content differs, with a unified diff from the folder to the model.
    pub stale: Vec<(String, String)>,
    /// Files `generate` would create.
    pub missing: Vec<String>,
    /// Owned files that `generate` would delete: the model no longer produces them.
    pub extra: Vec<String>,
}

impl CheckReport {
    pub fn in_sync(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `files`, plus the manifest `generate` would write with them, with `root`.
/// Files in `root` that rolegraph never owned are not its business and are not listed.
///
/// `folders` are the backends compared (`--only`); owned files elsewhere are not listed.
pub fn check(files: &FileSet, root: &Path, model_bytes: &[u8], folders: &[&str]) -> CheckReport {
    let mut report = CheckReport::default();
    let previous = Manifest::load(root).ok().flatten();
    let manifest = Manifest::after(files, model_bytes, previous.as_ref(), folders).render();
    let expected = files
        .iter()
        .chain(std::iter::once((MANIFEST_NAME, manifest.as_str())));
    for (path, contents) in expected {
        match std::fs::read(root.join(path)) {
            Err(_) => report.missing.push(path.to_owned()),
            Ok(found) if found == contents.as_bytes() => {}
            Ok(found) => {
                let found = String::from_utf8_lossy(&found);
                let diff = TextDiff::from_lines(found.as_ref(), contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string();
                report.stale.push((path.to_owned(), diff));
            }
        }
    }
    let owned: std::collections::BTreeSet<&String> = previous
        .iter()
        .flat_map(|m| m.files.keys().chain(m.pending.keys()))
        .collect();
    for path in owned {
        let gone = ownership(root, path, previous.as_ref(), None) == Ownership::Absent;
        if !gone && !files.contains(path) && in_scope(path, folders) {
            report.extra.push(path.clone());
        }
    }
    report
}
