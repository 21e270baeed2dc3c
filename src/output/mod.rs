//! The generated file set, and how it reaches the disk: all files are rendered in memory
//! first, so an error never leaves a half-written tree, and each file is written to a
//! temporary sibling and renamed over the old one, so a crash never leaves half a file.
//! A manifest records what rolegraph owns, so stale files go and hand edits stay. The
//! folder's content may come from anyone's commit: nothing is followed through a link,
//! and the manifest's entries are trusted only as paths inside the backends' folders.

mod check;
mod commit;
mod interrupt;
mod lock;
pub mod manifest;
mod paths;
mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use check::{CheckError, CheckReport, check};
pub use commit::{Durability, TEMP_SUFFIX, write_all as write_new_files};
pub use interrupt::install as handle_signals;
pub use paths::{RootError, refuse_linked};
pub use write::WriteOptions;

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
}

#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: usize,
    /// Owned files that this run no longer produces.
    pub deleted: Vec<PathBuf>,
}

/// The model a run renders, as the manifest records it: its `name:` (so that a second model
/// sent to the same folder is noticed) and its text (for the hash).
#[derive(Debug, Clone, Copy)]
pub struct ModelId<'a> {
    pub name: &'a str,
    pub text: &'a [u8],
    /// The backends' record of this run (resource addresses and moves), for the manifest.
    pub recorded: Option<&'a crate::backend::Recorded>,
}

#[derive(Debug)]
pub enum WriteError {
    /// Files the run would overwrite or delete although rolegraph does not own them as
    /// they are, with the reason for each. Nothing was written.
    Refused(Vec<(String, String)>),
    /// Manifest entries that name paths rolegraph never writes, with the rule each breaks.
    /// Nothing was written, whatever `--force` says.
    Untrusted(Vec<(String, String)>),
    /// Another run held the folder for the whole of `waited`.
    Busy {
        waited: std::time::Duration,
    },
    /// A path that exists could not be read (the message names it). Nothing was written:
    /// taking it for absent would overwrite it.
    Unreadable(String),
    /// `--out` is not a folder rolegraph writes into. Nothing was written.
    Root(paths::RootError),
    /// The output folder holds the output of a model with another name (the first), and
    /// there was no `--force`. Nothing was written.
    OtherModel {
        recorded: String,
        this: String,
    },
    Io(std::io::Error),
}

/// `f` over `items` in consecutive chunks of at least `min_chunk`, one scoped thread per
/// chunk and at most one per core (four at most); the results in order. File creation and
/// hashing scale with cores, and a 1,000-account model has 2,000 files.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let jobs: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        jobs.into_iter()
            .map(|job| job.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
