//! The generated file set, and how it reaches the disk: all files are rendered in memory
//! first, so an error never leaves a half-written tree, and each file is written to a
//! temporary sibling and renamed over the old one, so a crash never leaves half a file.
//! A manifest records what rolegraph owns, so stale files go and hand edits stay.

mod check;
pub mod manifest;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use check::{CheckReport, check};
use manifest::{MANIFEST_NAME, Manifest, Ownership, in_scope, ownership};

/// Relative paths (with `/`) to contents; a BTreeMap so every listing is in one order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSet(BTreeMap<String, String>);

impl FileSet {
    pub fn insert(&mut self, path: impl Into<String>, contents: String) {
        self.0.insert(path.into(), contents);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Puts another set under a folder, e.g. a backend's files under `terraform/`.
    pub fn nest(&mut self, folder: &str, other: FileSet) {
        for (path, contents) in other.0 {
            self.0.insert(format!("{folder}/{path}"), contents);
        }
    }

    /// Writes the set into `root` as its owner: refuses (unless `force`) when a file it
    /// would overwrite or delete was edited by hand or never written by rolegraph; deletes
    /// owned files this run no longer produces; records everything in the manifest,
    /// written last. Nothing is written when it refuses.
    ///
    /// `folders` are the backends this run governs (`--only`); owned files elsewhere are
    /// neither deleted nor dropped from the manifest.
    pub fn write_owned(
        &self,
        root: &Path,
        model_bytes: &[u8],
        folders: &[&str],
        force: bool,
    ) -> Result<WriteReport, WriteError> {
        let previous = match Manifest::load(root) {
            Ok(previous) => previous,
            Err(_) if force => None,
            Err(message) => {
                return Err(WriteError::Refused(vec![(
                    MANIFEST_NAME.to_owned(),
                    format!("{message}; --force replaces it"),
                )]));
            }
        };
        let mut refused = Vec::new();
        for (path, contents) in &self.0 {
            match ownership(root, path, previous.as_ref(), Some(contents)) {
                Ownership::Edited => refused.push((
                    path.clone(),
                    "was edited by hand since rolegraph wrote it".to_owned(),
                )),
                Ownership::Foreign => refused.push((
                    path.clone(),
                    "exists, and rolegraph did not write it".to_owned(),
                )),
                Ownership::Absent | Ownership::Current | Ownership::Owned => {}
            }
        }
        let mut stale = Vec::new();
        for path in previous.iter().flat_map(|m| m.files.keys()) {
            if self.0.contains_key(path) || !in_scope(path, folders) {
                continue;
            }
            match ownership(root, path, previous.as_ref(), None) {
                Ownership::Owned => stale.push(path.clone()),
                Ownership::Edited => {
                    refused.push((
                        path.clone(),
                        "is no longer generated, but was edited by hand".to_owned(),
                    ));
                    stale.push(path.clone());
                }
                _ => {}
            }
        }
        if !refused.is_empty() && !force {
            return Err(WriteError::Refused(refused));
        }
        let mut report = self.write(root).map_err(WriteError::Io)?;
        for path in &stale {
            let target = root.join(path);
            std::fs::remove_file(&target).map_err(WriteError::Io)?;
            remove_empty_parents(root, &target);
            report.deleted.push(target);
        }
        let manifest = Manifest::after(self, model_bytes, previous.as_ref(), folders).render();
        let manifest_path = root.join(MANIFEST_NAME);
        if std::fs::read(&manifest_path).map_or(true, |old| old != manifest.as_bytes()) {
            write_atomic(&manifest_path, manifest.as_bytes()).map_err(WriteError::Io)?;
        }
        Ok(report)
    }

    /// Writes every file under `root`, each atomically. Files already identical are left
    /// alone, so timestamps only move for files whose content changed.
    pub fn write(&self, root: &Path) -> std::io::Result<WriteReport> {
        let mut report = WriteReport::default();
        for (relative, contents) in &self.0 {
            let target = root.join(relative);
            if std::fs::read(&target).is_ok_and(|old| old == contents.as_bytes()) {
                report.unchanged += 1;
                continue;
            }
            let dir = target.parent().unwrap_or(root);
            std::fs::create_dir_all(dir)?;
            write_atomic(&target, contents.as_bytes())?;
            report.written.push(target);
        }
        Ok(report)
    }
}

#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: usize,
    /// Owned files that this run no longer produces.
    pub deleted: Vec<PathBuf>,
}

#[derive(Debug)]
pub enum WriteError {
    /// Files the run would overwrite or delete although rolegraph does not own them as
    /// they are, with the reason for each. Nothing was written.
    Refused(Vec<(String, String)>),
    Io(std::io::Error),
}

/// Removes the folders a deletion left empty, up to (not including) `root`.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            return;
        }
        dir = d.parent();
    }
}

fn write_atomic(target: &Path, contents: &[u8]) -> std::io::Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = target.with_file_name(format!(".{name}.rolegraph-tmp"));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
