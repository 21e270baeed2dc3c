//! One run at a time per output folder: `generate` holds an exclusive lock on the folder
//! itself, `check` a shared one. The lock is an `flock` on the folder's own descriptor, so
//! it needs no lock file in the tree, and the kernel releases it when a run dies.

use std::path::Path;
use std::time::{Duration, Instant};

/// Held until dropped.
#[derive(Debug)]
pub struct FolderLock {
    _folder: std::fs::File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// For a run that writes.
    Exclusive,
    /// For a run that only reads.
    Shared,
}

#[derive(Debug)]
pub enum LockError {
    /// Another run held the folder for the whole of `waited`.
    Busy {
        waited: Duration,
    },
    Io(std::io::Error),
}

/// How often a waiting run tries again.
const RETRY: Duration = Duration::from_millis(20);

/// Locks the folder `root`, waiting up to `timeout` for another run to let go.
pub fn lock(root: &Path, mode: Mode, timeout: Duration) -> Result<FolderLock, LockError> {
    let folder = std::fs::File::open(root).map_err(LockError::Io)?;
    let start = Instant::now();
    loop {
        let attempt = match mode {
            Mode::Exclusive => folder.try_lock(),
            Mode::Shared => folder.try_lock_shared(),
        };
        match attempt {
            Ok(()) => return Ok(FolderLock { _folder: folder }),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(LockError::Busy { waited });
        }
        std::thread::sleep(RETRY.min(timeout - waited));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), Mode::Exclusive, Duration::ZERO).unwrap();
        let second = lock(dir.path(), Mode::Exclusive, Duration::from_millis(50));
        assert!(matches!(second, Err(LockError::Busy { .. })));
        let reader = lock(dir.path(), Mode::Shared, Duration::ZERO);
        assert!(matches!(reader, Err(LockError::Busy { .. })));
        drop(held);
        lock(dir.path(), Mode::Exclusive, Duration::ZERO).unwrap();
    }

    #[test]
    fn readers_share() {
        let dir = tempfile::tempdir().unwrap();
        let _one = lock(dir.path(), Mode::Shared, Duration::ZERO).unwrap();
        let _two = lock(dir.path(), Mode::Shared, Duration::ZERO).unwrap();
    }
}
