//! `.rolegraph-manifest`: the files rolegraph owns in an output folder, with the sha256 of
//! what it last wrote to each. It is how `generate` tells its own stale files (delete)
//! from a hand edit (refuse) and from a file it never wrote (leave alone).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::FileSet;

pub const MANIFEST_NAME: &str = ".rolegraph-manifest";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The format of this file.
    pub version: u32,
    /// sha256 of the model file the files were generated from.
    pub model_sha256: String,
    /// Relative path → sha256 of the content rolegraph wrote.
    pub files: BTreeMap<String, String>,
    /// Relative path → sha256 of the content a run in progress is writing. Written before
    /// the files are touched and gone when the run completes, so that after a run is
    /// killed, each file is recognised as owned whether it is the old or the new version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    pub fn of(files: &FileSet, model_bytes: &[u8]) -> Self {
        Manifest {
            version: 1,
            model_sha256: sha256(model_bytes),
            files: hash_all(files),
            pending: BTreeMap::new(),
        }
    }

    /// The manifest after a run that produced `files` for the backends in `folders`: the
    /// previous entries of other folders stay, since `--only` left those files alone.
    pub fn after(
        files: &FileSet,
        model_bytes: &[u8],
        previous: Option<&Manifest>,
        folders: &[&str],
    ) -> Self {
        let mut manifest = Manifest::of(files, model_bytes);
        for (path, hash) in previous.iter().flat_map(|m| &m.files) {
            if !in_scope(path, folders) {
                manifest.files.insert(path.clone(), hash.clone());
            }
        }
        manifest
    }

    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The manifest in `root`, if there is one. A manifest that cannot be read is an
    /// error, not "no manifest": treating it as absent would disown every file.
    pub fn load(root: &Path) -> Result<Option<Self>, String> {
        let path = root.join(MANIFEST_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{} is not a rolegraph manifest: {e}", path.display()))
    }
}

/// How a path in the output folder stands, between the last run and this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// Not on disk.
    Absent,
    /// On disk with exactly the content this run would write.
    Current,
    /// Owned, and unchanged since rolegraph wrote it.
    Owned,
    /// Owned, but its content is no longer what rolegraph wrote: a hand edit.
    Edited,
    /// On disk, and rolegraph never wrote it.
    Foreign,
}

/// Where `path` stands, given the previous manifest and what this run would write.
pub fn ownership(
    root: &Path,
    path: &str,
    previous: Option<&Manifest>,
    new: Option<&str>,
) -> Ownership {
    let Ok(on_disk) = std::fs::read(root.join(path)) else {
        return Ownership::Absent;
    };
    if new.is_some_and(|n| n.as_bytes() == on_disk) {
        return Ownership::Current;
    }
    let Some(manifest) = previous else {
        return Ownership::Foreign;
    };
    let recorded = [manifest.files.get(path), manifest.pending.get(path)];
    if recorded.iter().all(Option::is_none) {
        return Ownership::Foreign;
    }
    let hash = sha256(&on_disk);
    if recorded.iter().flatten().any(|h| **h == hash) {
        Ownership::Owned
    } else {
        Ownership::Edited
    }
}

/// Whether `path` is under one of `folders`, the backends a run governs.
pub fn in_scope(path: &str, folders: &[&str]) -> bool {
    folders.iter().any(|f| {
        path.strip_prefix(f)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The sha256 of every file, spread over the machine's cores for large sets.
fn hash_all(files: &FileSet) -> BTreeMap<String, String> {
    let all: Vec<(&str, &str)> = files.iter().collect();
    let hashed = super::map_chunks(&all, 256, |part| {
        part.iter()
            .map(|(path, contents)| ((*path).to_owned(), sha256(contents.as_bytes())))
            .collect::<Vec<_>>()
    });
    hashed.into_iter().flatten().collect()
}
