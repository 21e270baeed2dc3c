//! Writing the file set as the folder's owner, so that a run killed at any point leaves
//! every file either complete and old or complete and new, and the next run repairs it.
//!
//! The order: the folder is locked; the manifest gains a `pending` list (the new hashes);
//! every changed file is written to a temporary sibling; one sync makes them durable; each
//! is renamed over its target; stale owned files are deleted; the final manifest replaces
//! the pending one and a last sync makes the renames durable.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::commit::{
    Durability, Move, STAGING, commit, put_in_place, remove_debris, stage, sync, temp_path,
    write_all,
};
use super::lock::{FolderLock, LockError, Mode, lock};
use super::manifest::{
    LoadError, MANIFEST_NAME, Manifest, Ownership, in_scope, ownership_and_hash,
};
use super::paths::Obstacle;
use super::{FileSet, ModelId, WriteError, WriteReport, interrupt};

/// How `generate` writes.
#[derive(Debug, Clone)]
pub struct WriteOptions<'a> {
    /// The backends this run governs (`--only`); owned files elsewhere are neither deleted
    /// nor dropped from the manifest.
    pub folders: &'a [&'a str],
    /// Every backend's folder: the only places a manifest entry may be.
    pub owned: &'a [&'a str],
    /// Overwrite or delete what rolegraph does not own as it is.
    pub force: bool,
    pub durability: Durability,
    /// How long to wait for another run that holds the folder.
    pub lock_timeout: Duration,
}

/// A path this run writes, with the hash of what is there now (for the pending manifest).
struct Change<'a> {
    path: &'a str,
    contents: &'a str,
    old_hash: Option<String>,
    /// What must be removed before the file can be put in place (only with `--force`).
    obstacle: Option<Obstacle>,
}

/// What a run will do to an existing folder, decided before anything is touched.
#[derive(Default)]
struct Plan<'a> {
    changed: Vec<Change<'a>>,
    /// Owned files no longer generated, with the hash on disk.
    stale: Vec<(String, String)>,
    unchanged: usize,
    refused: Vec<(String, String)>,
}

impl FileSet {
    /// Writes the set into `root` as its owner: refuses (unless `force`) when a file it
    /// would overwrite or delete was edited by hand or never written by rolegraph; deletes
    /// owned files this run no longer produces; records everything in the manifest.
    /// Nothing is written when it refuses.
    pub fn write_owned(
        &self,
        root: &Path,
        model: &ModelId,
        options: &WriteOptions,
    ) -> Result<WriteReport, WriteError> {
        let _lock = lock_folder(root, options.lock_timeout)?;
        remove_debris(root, options.folders);
        if is_empty(root).map_err(WriteError::Io)? {
            return self.write_fresh(root, model, options.durability);
        }
        let previous = previous_manifest(root, options.owned, options.force)?;
        if let Some(recorded) = previous.as_ref().and_then(|m| m.other_model(model))
            && !options.force
        {
            return Err(WriteError::OtherModel {
                recorded: recorded.to_owned(),
                this: model.name.to_owned(),
            });
        }
        let plan = self.classify(root, previous.as_ref(), options.folders)?;
        refuse(&plan, options.force)?;
        let after = Manifest::after(self, model, previous.as_ref(), options.folders);
        let final_manifest = after.render();
        let mut report = WriteReport {
            unchanged: plan.unchanged,
            ..WriteReport::default()
        };
        if plan.changed.is_empty() && plan.stale.is_empty() && is_current(root, &final_manifest) {
            return Ok(report);
        }
        let pending = pending_manifest(after, &plan).render();
        let written = stage_changes(root, &plan, &pending, options.durability).and_then(|batch| {
            commit_changes(root, &plan, batch, &final_manifest, options.durability)
        });
        interrupt::forget();
        report.written = written.map_err(WriteError::Io)?;
        report.deleted = plan.stale.iter().map(|(p, _)| root.join(p)).collect();
        Ok(report)
    }

    /// Phase 1, classify: what the run would do to each path it writes or deletes, and
    /// why it may not; nothing is touched yet.
    fn classify<'a>(
        &'a self,
        root: &Path,
        previous: Option<&Manifest>,
        folders: &[&str],
    ) -> Result<Plan<'a>, WriteError> {
        let mut plan = Plan::default();
        // A link where a folder belongs blocks every file under it; it is named once.
        let mut blocked_folders = BTreeSet::new();
        let standing = |path: &str, new: Option<&str>| {
            ownership_and_hash(root, path, previous, new).map_err(WriteError::Unreadable)
        };
        for (path, contents) in self.iter() {
            let (state, old_hash) = standing(path, Some(contents))?;
            let refusal = match &state {
                Ownership::Current => {
                    plan.unchanged += 1;
                    continue;
                }
                Ownership::Absent | Ownership::Owned => None,
                Ownership::Edited => Some("was edited by hand since rolegraph wrote it".to_owned()),
                Ownership::Foreign => Some("exists, and rolegraph did not write it".to_owned()),
                Ownership::Unproved => Some(UNPROVED.to_owned()),
                Ownership::Blocked(Obstacle::Folder { at, kind }) => {
                    if blocked_folders.insert(at.clone()) {
                        plan.refused.push((
                            at.clone(),
                            format!("is {kind}, not a folder; rolegraph never writes through it"),
                        ));
                    }
                    None
                }
                Ownership::Blocked(obstacle) => Some(obstacle.reason()),
            };
            if let Some(reason) = refusal {
                plan.refused.push((path.to_owned(), reason));
            }
            let obstacle = match state {
                Ownership::Blocked(obstacle) => Some(obstacle),
                _ => None,
            };
            plan.changed.push(Change {
                path,
                contents,
                old_hash,
                obstacle,
            });
        }
        let owned: BTreeSet<&String> = previous
            .iter()
            .flat_map(|m| m.files.keys().chain(m.pending.keys()))
            .collect();
        for path in owned {
            if self.contains(path) || !in_scope(path, folders) {
                continue;
            }
            let (state, hash) = standing(path, None)?;
            match state {
                Ownership::Owned => {}
                Ownership::Edited => plan.refused.push((
                    path.clone(),
                    "is no longer generated, but was edited by hand".to_owned(),
                )),
                Ownership::Unproved => plan.refused.push((path.clone(), UNPROVED.to_owned())),
                _ => continue,
            }
            if let Some(hash) = hash {
                plan.stale.push((path.clone(), hash));
            }
        }
        Ok(plan)
    }
}

/// Why a file the manifest names is not taken as rolegraph's.
pub(super) const UNPROVED: &str = "is named in the manifest, but carries no `Generated by rolegraph` header, so rolegraph did not write it";

/// The manifest of the previous run. One that cannot be read is refused like an edited
/// file (`--force` replaces it); one with entries outside the backend folders is never
/// trusted, `--force` or not.
fn previous_manifest(
    root: &Path,
    owned: &[&str],
    force: bool,
) -> Result<Option<Manifest>, WriteError> {
    match Manifest::load(root, owned) {
        Ok(previous) => Ok(previous),
        Err(LoadError::Untrusted(entries)) => Err(WriteError::Untrusted(entries)),
        Err(LoadError::Unreadable(_)) if force => Ok(None),
        Err(LoadError::Unreadable(message)) => Err(WriteError::Refused(vec![(
            MANIFEST_NAME.to_owned(),
            format!("{message}; --force replaces it"),
        )])),
    }
}

/// Phase 2, refuse: every path the run may not write or delete, all at once, unless
/// `--force`; then nothing has been written.
fn refuse(plan: &Plan, force: bool) -> Result<(), WriteError> {
    if plan.refused.is_empty() || force {
        return Ok(());
    }
    Err(WriteError::Refused(plan.refused.clone()))
}

/// Whether the manifest on disk already is `manifest`: then a run that changes no file
/// writes nothing at all.
fn is_current(root: &Path, manifest: &str) -> bool {
    matches!(
        super::manifest::read_owned(root, MANIFEST_NAME),
        Ok(super::manifest::Disk::File(bytes)) if bytes == manifest.as_bytes()
    )
}

/// While the run is in progress each file may be what is on disk now or what this run
/// writes; the pending manifest records exactly those two, so that a run killed at any
/// point, and then another killed too, never looks like a hand edit.
fn pending_manifest(mut pending: Manifest, plan: &Plan) -> Manifest {
    for change in &plan.changed {
        let path = change.path.to_owned();
        if let Some(new) = pending.files.get(&path).cloned() {
            pending.pending.insert(path.clone(), new);
        }
        match &change.old_hash {
            Some(old) => pending.files.insert(path, old.clone()),
            None => pending.files.remove(&path),
        };
    }
    for (path, old) in &plan.stale {
        pending.files.insert(path.clone(), old.clone());
    }
    pending
}

/// Phase 3, stage: clears what `--force` replaces, then writes the pending manifest and
/// every changed file as temporaries beside their targets (synced when durable). Until
/// the commit, a signal or an error leaves the previous tree as it was.
fn stage_changes<'a>(
    root: &Path,
    plan: &Plan<'a>,
    pending: &'a str,
    durability: Durability,
) -> std::io::Result<Vec<Move<'a>>> {
    let manifest_path = root.join(MANIFEST_NAME);
    // Before staging: a folder is created where a link stood, never through it.
    for change in &plan.changed {
        if let Some(obstacle) = &change.obstacle {
            clear(root, change.path, obstacle)?;
        }
    }
    let mut batch: Vec<Move> = vec![(
        temp_path(&manifest_path),
        manifest_path.clone(),
        pending.as_bytes(),
    )];
    for change in &plan.changed {
        let target = root.join(change.path);
        batch.push((temp_path(&target), target, change.contents.as_bytes()));
    }
    stage(root, &batch, durability)?;
    Ok(batch)
}

/// Phase 4, commit: renames the staged files over their targets, deletes the stale owned
/// files and puts the final manifest in place; a signal waits until the tree is complete.
/// Returns the paths written.
fn commit_changes(
    root: &Path,
    plan: &Plan,
    batch: Vec<Move>,
    final_manifest: &str,
    durability: Durability,
) -> std::io::Result<Vec<PathBuf>> {
    let manifest_path = root.join(MANIFEST_NAME);
    interrupt::critical(|| {
        put_in_place(root, &batch, durability)?;
        for (path, _) in &plan.stale {
            std::fs::remove_file(root.join(path))?;
            remove_empty_parents(root, path);
        }
        let last = [(
            temp_path(&manifest_path),
            manifest_path.clone(),
            final_manifest.as_bytes(),
        )];
        commit(root, &last, durability)
    })?;
    Ok(batch.into_iter().skip(1).map(|(_, t, _)| t).collect())
}

/// Removes what stands in the way of a generated file (`--force` only): the link, FIFO or
/// folder itself, never what a link points at.
fn clear(root: &Path, path: &str, obstacle: &Obstacle) -> std::io::Result<()> {
    let at = match obstacle {
        Obstacle::Folder { at, .. } => root.join(at),
        Obstacle::File { .. } => root.join(path),
    };
    match std::fs::symlink_metadata(&at) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&at),
        Ok(_) => std::fs::remove_file(&at),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates `root` if needed (noting it, so a signal removes it again) and locks it.
fn lock_folder(root: &Path, timeout: Duration) -> Result<FolderLock, WriteError> {
    if !super::paths::root_state(root).map_err(WriteError::Root)? {
        std::fs::create_dir_all(root)
            .map_err(super::commit::at(root, "cannot create the output folder"))
            .map_err(WriteError::Io)?;
        interrupt::track_created(root.to_path_buf());
    }
    lock(root, Mode::Exclusive, timeout).map_err(|e| match e {
        LockError::Busy { waited } => WriteError::Busy { waited },
        LockError::Io(e) => WriteError::Io(e),
    })
}

fn is_empty(root: &Path) -> std::io::Result<bool> {
    Ok(std::fs::read_dir(root)?.next().is_none())
}

impl FileSet {
    /// A new tree, built in a staging folder inside `root` and moved into place: the
    /// manifest first (so a run killed among the moves still owns what it moved), then each
    /// backend's folder in one rename.
    fn write_fresh(
        &self,
        root: &Path,
        model: &ModelId,
        durability: Durability,
    ) -> Result<WriteReport, WriteError> {
        let staging = root.join(STAGING);
        interrupt::track_folder(staging.clone());
        let result = (|| {
            let manifest = Manifest::of(self, model).render();
            let files: Vec<(PathBuf, &[u8])> = self
                .iter()
                .chain([(MANIFEST_NAME, manifest.as_str())])
                .map(|(path, contents)| (staging.join(path), contents.as_bytes()))
                .collect();
            write_all(&files)?;
            if durability == Durability::Synced {
                sync(&staging, std::iter::empty())?;
            }
            let tops: BTreeSet<&str> = self
                .iter()
                .filter_map(|(path, _)| path.split('/').next())
                .collect();
            interrupt::critical(|| {
                std::fs::rename(staging.join(MANIFEST_NAME), root.join(MANIFEST_NAME))?;
                for top in tops {
                    std::fs::rename(staging.join(top), root.join(top))?;
                }
                std::fs::remove_dir(&staging)
            })?;
            if durability == Durability::Synced {
                sync(root, std::iter::once(root))?;
            }
            Ok(())
        })();
        if let Err(err) = result {
            let _ = std::fs::remove_dir_all(&staging);
            interrupt::forget();
            return Err(WriteError::Io(err));
        }
        interrupt::forget();
        Ok(WriteReport {
            written: self.iter().map(|(p, _)| root.join(p)).collect(),
            ..WriteReport::default()
        })
    }
}

/// Removes the folders a deletion left empty, up to (not including) the backend's folder.
fn remove_empty_parents(root: &Path, path: &str) {
    let parts: Vec<&str> = path.split('/').collect();
    for depth in (2..parts.len()).rev() {
        if std::fs::remove_dir(root.join(parts[..depth].join("/"))).is_err() {
            return;
        }
    }
}
