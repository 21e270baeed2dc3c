//! `rolegraph check`: the output folder against what `generate` would write now, without
//! writing anything. Like `cargo fmt --check`, a stale file is shown as a unified diff.

use std::path::Path;
use std::time::Duration;

use similar::TextDiff;

use super::lock::{LockError, Mode, lock};
use super::manifest::{Disk, LoadError, MANIFEST_NAME, Manifest, Ownership, in_scope, ownership};
use super::{FileSet, ModelId};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Files whose content differs, with a unified diff from the folder to the model (or
    /// what stands there instead of a file).
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

/// Why `check` could not compare: the folder is not something it can judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// Manifest entries that name paths rolegraph never writes, with the rule each breaks.
    Untrusted(Vec<(String, String)>),
    /// Another run held the folder for the whole of `waited`.
    Busy { waited: Duration },
    /// Something could not be read; the message names it.
    Unreadable(String),
    /// `--out` is not a folder rolegraph writes into.
    Root(super::paths::RootError),
    /// The folder holds the output of a model with another name (the first).
    OtherModel { recorded: String, this: String },
    /// Files the manifest names that carry no header (`Ownership::Unproved`), with why:
    /// `generate` would refuse them, so the folder is not merely out of date.
    Unproved(Vec<(String, String)>),
}

/// Compares `files`, plus the manifest `generate` would write with them, with `root`.
/// Files in `root` that rolegraph never owned are not its business and are not listed.
///
/// `folders` are the backends compared (`--only`); owned files elsewhere are not listed.
pub fn check(
    files: &FileSet,
    root: &Path,
    model: &ModelId,
    folders: &[&str],
    owned: &[&str],
    lock_timeout: Duration,
) -> Result<CheckReport, CheckError> {
    super::paths::root_state(root).map_err(CheckError::Root)?;
    let _lock = match lock(root, Mode::Shared, lock_timeout) {
        Ok(held) => Some(held),
        Err(LockError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(LockError::Io(e)) => {
            return Err(CheckError::Unreadable(format!(
                "cannot open {}: {e}",
                root.display()
            )));
        }
        Err(LockError::Busy { waited }) => return Err(CheckError::Busy { waited }),
    };
    let mut report = CheckReport::default();
    let previous = match Manifest::load(root, owned) {
        Ok(previous) => previous,
        Err(LoadError::Untrusted(entries)) => return Err(CheckError::Untrusted(entries)),
        // The manifest is compared like any file below, and shown as stale.
        Err(LoadError::Unreadable(_)) => None,
    };
    if let Some(recorded) = previous.as_ref().and_then(|m| m.other_model(model)) {
        return Err(CheckError::OtherModel {
            recorded: recorded.to_owned(),
            this: model.name.to_owned(),
        });
    }
    let manifest = Manifest::after(files, model, previous.as_ref(), folders).render();
    let expected = files
        .iter()
        .chain(std::iter::once((MANIFEST_NAME, manifest.as_str())));
    let mut unproved = Vec::new();
    for (path, contents) in expected {
        match super::manifest::read_owned(root, path).map_err(CheckError::Unreadable)? {
            Disk::Absent => report.missing.push(path.to_owned()),
            Disk::Blocked(obstacle) => report
                .stale
                .push((path.to_owned(), format!("{path} {}\n", obstacle.reason()))),
            Disk::File(found) if found == contents.as_bytes() => {}
            Disk::File(found) => {
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
        if files.contains(path) || !in_scope(path, folders) {
            continue;
        }
        let standing =
            ownership(root, path, previous.as_ref(), None).map_err(CheckError::Unreadable)?;
        match standing {
            Ownership::Absent => {}
            Ownership::Unproved => unproved.push((path.clone(), super::write::UNPROVED.to_owned())),
            _ => report.extra.push(path.clone()),
        }
    }
    if !unproved.is_empty() {
        return Err(CheckError::Unproved(unproved));
    }
    Ok(report)
}
