//! The generated file set, and how it reaches the disk: all files are rendered in memory
//! first, so an error never leaves a half-written tree, and each file is written to a
//! temporary sibling and renamed over the old one, so a crash never leaves half a file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

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
