//! SIGINT and SIGTERM during `generate`: before the renames begin, the run removes what it
//! made (temporaries, the staging folder, an output folder it created) and exits 130 or
//! 143, so the previous tree is intact and nothing is left for `git add .`. Once the
//! renames begin, the signal waits until the run is complete: the new tree is then whole.

use std::path::PathBuf;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

#[derive(Default)]
struct Debris {
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
    /// Removed only if empty: the output folder when this run created it.
    created: Vec<PathBuf>,
    /// How deep inside `critical` sections the run is: while above 0 a signal is noted,
    /// not acted on.
    depth: u32,
    pending: Option<i32>,
}

static DEBRIS: Mutex<Debris> = Mutex::new(Debris {
    files: Vec::new(),
    folders: Vec::new(),
    created: Vec::new(),
    depth: 0,
    pending: None,
});

/// Held (shared) by every thread while it creates and fills a tracked file, and taken
/// (exclusive) by the signal handler before it cleans up, so that no file is created after
/// the clean-up has passed it.
static WRITING: RwLock<()> = RwLock::new(());

/// Starts the thread that handles SIGINT and SIGTERM; once per process.
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        })?;
    Ok(())
}

fn on_signal(signal: i32) {
    let _no_writes = WRITING.write().unwrap_or_else(|p| p.into_inner());
    let mut debris = lock();
    if debris.depth > 0 {
        debris.pending = Some(signal);
        return;
    }
    debris.clean();
    // Both locks stay held: no other thread creates anything until the process is gone.
    std::process::exit(128 + signal);
}

fn lock() -> std::sync::MutexGuard<'static, Debris> {
    DEBRIS.lock().unwrap_or_else(|p| p.into_inner())
}

impl Debris {
    fn clean(&mut self) {
        for file in self.files.drain(..) {
            let _ = std::fs::remove_file(file);
        }
        for folder in self.folders.drain(..) {
            let _ = std::fs::remove_dir_all(folder);
        }
        for folder in self.created.drain(..) {
            let _ = std::fs::remove_dir(folder);
        }
    }
}

/// Files a signal must remove: temporaries about to be written.
pub fn track_files(files: impl IntoIterator<Item = PathBuf>) {
    lock().files.extend(files);
}

/// A staging folder a signal must remove with its contents.
pub fn track_folder(folder: PathBuf) {
    lock().folders.push(folder);
}

/// An output folder this run created, removed on a signal if it is still empty.
pub fn track_created(folder: PathBuf) {
    lock().created.push(folder);
}

/// Forgets everything tracked: the run has finished with it.
pub fn forget() {
    let mut debris = lock();
    debris.files.clear();
    debris.folders.clear();
    debris.created.clear();
}

/// The guard to hold while creating and filling a tracked file.
pub fn writing() -> RwLockReadGuard<'static, ()> {
    WRITING.read().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` with signals held back; a signal that came meanwhile ends the process after
/// the outermost such section, with what is still tracked cleaned up first.
pub fn critical<R>(f: impl FnOnce() -> R) -> R {
    lock().depth += 1;
    let result = f();
    let mut debris = lock();
    debris.depth -= 1;
    if debris.depth > 0 {
        return result;
    }
    if let Some(signal) = debris.pending.take() {
        debris.clean();
        std::process::exit(128 + signal);
    }
    result
}
