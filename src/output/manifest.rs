//! `.rolegraph-manifest`: the files rolegraph owns in an output folder, with the sha256 of
//! what it last wrote to each. It is how `generate` tells its own stale files (delete)
//! from a hand edit (refuse) and from a file it never wrote (leave alone).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::paths::{Obstacle, entry_error, obstacle};
use super::{FileSet, ModelId};

pub const MANIFEST_NAME: &str = ".rolegraph-manifest";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The format of this file.
    pub version: u32,
    /// The `name:` of the model the files were generated from; absent in manifests
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// sha256 of the model file the files were generated from.
    pub model_sha256: String,
    /// Relative path → sha256 of the content rolegraph wrote.
    pub files: BTreeMap<String, String>,
    /// Relative path → sha256 of the content a run in progress is writing. Written before
    /// the files are touched and gone when the run completes, so that after a run is
    /// killed, each file is recognised as owned whether it is the old or the new version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
    /// `<module folder>/<address>` → the IAM identity behind it (`role arn:…`), so that
    /// the next run can tell a renamed key from a new resource (`backend::Recorded`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, String>,
    /// `<module folder>/<from>` → `<to>`: the `moved` blocks written, kept while needed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub moved: BTreeMap<String, String>,
}

/// The SHA-256 of `bytes` in lowercase hex, written digit by digit: the manifest hashes
/// every file of every run, and a `format!` per byte cost more than the hash itself.
pub fn sha256(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

impl Manifest {
    pub fn of(files: &FileSet, model: &ModelId) -> Self {
        Manifest {
            version: 1,
            model: Some(model.name.to_owned()),
            model_sha256: sha256(model.text),
            files: hash_all(files),
            pending: BTreeMap::new(),
            resources: model
                .recorded
                .map(|r| r.resources.clone())
                .unwrap_or_default(),
            moved: model.recorded.map(|r| r.moved.clone()).unwrap_or_default(),
        }
    }

    /// What the last run recorded, for the backends: nothing when the folder held
    /// another model's output (its addresses are not this model's).
    pub fn recorded(&self, model_name: &str) -> Option<crate::backend::Recorded> {
        if self.model.as_deref().is_some_and(|m| m != model_name) {
            return None;
        }
        Some(crate::backend::Recorded {
            resources: self.resources.clone(),
            moved: self.moved.clone(),
        })
    }

    /// The manifest after a run that produced `files` for the backends in `folders`: the
    /// previous entries of other folders stay, since `--only` left those files alone.
    pub fn after(
        files: &FileSet,
        model: &ModelId,
        previous: Option<&Manifest>,
        folders: &[&str],
    ) -> Self {
        let mut manifest = Manifest::of(files, model);
        for (path, hash) in previous.iter().flat_map(|m| &m.files) {
            if !in_scope(path, folders) {
                manifest.files.insert(path.clone(), hash.clone());
            }
        }
        let kept = |map: &BTreeMap<String, String>| -> Vec<(String, String)> {
            map.iter()
                .filter(|(key, _)| !in_scope(key, folders))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        if let Some(previous) = previous {
            manifest.resources.extend(kept(&previous.resources));
            manifest.moved.extend(kept(&previous.moved));
        }
        manifest
    }

    /// The recorded model's name when it is not `model`'s: the folder holds another
    /// model's output.
    pub fn other_model(&self, model: &ModelId) -> Option<&str> {
        self.model
            .as_deref()
            .filter(|recorded| *recorded != model.name)
    }

    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The manifest in `root`, if there is one. A manifest that cannot be read is an
    /// error, not "no manifest": treating it as absent would disown every file. Entries
    /// must lie inside one of the `owned` folders (every backend's, whatever `--only`
    /// governs).
    pub fn load(root: &Path, owned: &[&str]) -> Result<Option<Self>, LoadError> {
        let path = root.join(MANIFEST_NAME);
        let limit = crate::input::Limit::Manifest;
        let bytes = match crate::input::read(&path, limit, crate::input::Scope::NoLink) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(LoadError::Unreadable(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            LoadError::Unreadable(format!(
                "{} is not a rolegraph manifest: {e}",
                path.display()
            ))
        })?;
        let bad: Vec<(String, String)> = manifest
            .files
            .keys()
            .chain(manifest.pending.keys())
            .filter_map(|entry| Some((entry.clone(), entry_error(entry, owned)?)))
            .collect();
        if !bad.is_empty() {
            return Err(LoadError::Untrusted(bad));
        }
        Ok(Some(manifest))
    }
}

/// Why a manifest was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Not readable or not a manifest; `--force` may replace it.
    Unreadable(String),
    /// Entries that name paths rolegraph never writes (`..`, absolute, outside a backend's
    /// folder), with the rule each breaks. Never overridden: acting on them would touch
    /// files outside the output folder.
    Untrusted(Vec<(String, String)>),
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
    /// Named in the manifest with its hash, but the file carries no header: the manifest
    /// may come from someone else's commit, so it alone proves nothing.
    Unproved,
    /// A link, a FIFO, a folder … at the path or on the way to it: never rolegraph's.
    Blocked(Obstacle),
}

/// Where `path` stands, given the previous manifest and what this run would write. A
/// file that exists but cannot be read is an error naming it, never "absent".
pub fn ownership(
    root: &Path,
    path: &str,
    previous: Option<&Manifest>,
    new: Option<&str>,
) -> Result<Ownership, String> {
    ownership_and_hash(root, path, previous, new).map(|(ownership, _)| ownership)
}

/// `ownership`, with the sha256 of the file on disk where there is one and it is not
/// already `Current`: `generate` records it in the pending manifest, from this one read.
pub fn ownership_and_hash(
    root: &Path,
    path: &str,
    previous: Option<&Manifest>,
    new: Option<&str>,
) -> Result<(Ownership, Option<String>), String> {
    let on_disk = match read_owned(root, path)? {
        Disk::Absent => return Ok((Ownership::Absent, None)),
        Disk::Blocked(obstacle) => return Ok((Ownership::Blocked(obstacle), None)),
        Disk::File(bytes) => bytes,
    };
    if new.is_some_and(|n| n.as_bytes() == on_disk) {
        return Ok((Ownership::Current, None));
    }
    let hash = sha256(&on_disk);
    let recorded: Vec<&String> = previous
        .iter()
        .flat_map(|m| [m.files.get(path), m.pending.get(path)])
        .flatten()
        .collect();
    let ownership = if recorded.is_empty() {
        Ownership::Foreign
    } else if !carries_header(path, &on_disk) {
        Ownership::Unproved
    } else if recorded.contains(&&hash) {
        Ownership::Owned
    } else {
        Ownership::Edited
    };
    Ok((ownership, Some(hash)))
}

/// What every generated text file says in its first lines (`backend::header`).
pub const HEADER_MARK: &str = "Generated by rolegraph from ";

/// Folders that only rolegraph writes, for the one kind of generated file that has no room
/// for a header: JSON lists that the AWS CLI reads (StackSet instances' parameters,
/// resources to import). There, a `.json` file is proved by the manifest alone. The golden
/// test holds every generated file to this rule.
pub const HEADERLESS_FOLDERS: &[&str] = &["cloudformation/stacksets/", "cloudformation/adopt/"];

/// Whether the file at `path` proves that rolegraph wrote it: its header in the first three
/// lines, or a JSON file in a folder of rolegraph's alone. A forged manifest entry naming
/// the user's own `terraform/backend.tf` with its true hash then still leaves it alone.
pub fn carries_header(path: &str, bytes: &[u8]) -> bool {
    if path.ends_with(".json") && HEADERLESS_FOLDERS.iter().any(|f| path.starts_with(f)) {
        return true;
    }
    let head = bytes.split(|b| *b == b'\n').take(3);
    head.into_iter()
        .any(|line| memchr::memmem::find(line, HEADER_MARK.as_bytes()).is_some())
}

/// What is at a generated path.
pub enum Disk {
    Absent,
    Blocked(Obstacle),
    File(Vec<u8>),
}

/// Reads `path` under `root` without following a link on the way or at the end.
pub fn read_owned(root: &Path, path: &str) -> Result<Disk, String> {
    let full = root.join(path);
    let cannot = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", full.display());
    if let Some(obstacle) = obstacle(root, path).map_err(|e| cannot(&e))? {
        return Ok(Disk::Blocked(obstacle));
    }
    match crate::input::read(
        &full,
        crate::input::Limit::Output,
        crate::input::Scope::NoLink,
    ) {
        Ok(bytes) => Ok(Disk::File(bytes)),
        Err(e) if e.is_not_found() => Ok(Disk::Absent),
        Err(crate::input::ReadError::NotRegular(kind)) => {
            Ok(Disk::Blocked(Obstacle::File { kind }))
        }
        Err(e) => Err(cannot(&e)),
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

#[cfg(test)]
mod tests {
    /// FIPS 180-2's test vectors, as the manifest records them.
    #[test]
    fn hashes_are_lowercase_hex_sha256() {
        assert_eq!(
            super::sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            super::sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
