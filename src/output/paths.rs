//! Which paths inside the output folder rolegraph may touch. The manifest is read from the
//! folder, so from the repository, so from anyone's commit: an entry is trusted only as a
//! normalized relative path inside a backend's folder, and nothing is written or deleted
//! through a symbolic link or over something that is not a regular file.

use std::io;
use std::path::Path;

/// Why `--out` cannot be the output folder: what stands there, and what to do, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootError {
    pub message: String,
    pub hint: String,
}

/// Refuses a relative folder to write into (`--out`, `--dir`) when one of its components, as
/// resolved from the current folder, is a symbolic link: a committed `infra -> /elsewhere`
/// would send `--out infra/generated` outside the repository (git refuses to write through
/// a symlinked folder of its work tree for this reason). `flag` names the option in the
/// message. An absolute path was typed by the user, so its links are the user's own.
/// `itself`: whether the folder itself is checked too (`--out` has a rule of its own for
/// that, `root_state`, which no flag lifts).
pub fn refuse_linked(folder: &Path, flag: &str, itself: bool) -> Result<(), RootError> {
    if folder.is_absolute() {
        return Ok(());
    }
    let components: Vec<_> = folder.components().collect();
    let checked = components.len() - usize::from(!itself && !components.is_empty());
    let mut prefix = std::path::PathBuf::new();
    for &component in &components[..checked] {
        prefix.push(component);
        if !matches!(component, std::path::Component::Normal(_)) {
            continue;
        }
        let is_link = std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            let target = std::fs::read_link(&prefix)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".to_owned());
            let under = match prefix.as_path() == folder {
                true => "is".to_owned(),
                false => format!("lies under {}, which is", prefix.display()),
            };
            return Err(RootError {
                message: format!(
                    "{flag} {} {under} a symbolic link (to {target}); rolegraph never writes through a link",
                    folder.display()
                ),
                hint: "give the real folder's path, or pass --allow-outside-files to write through the link".to_owned(),
            });
        }
    }
    Ok(())
}

/// Whether `root` exists as a real folder (`Ok(true)`), does not exist (`Ok(false)`), or
/// is something rolegraph will not write into: a file, a FIFO, a link (dangling or not; a
/// committed link named like the output folder must not send the writes elsewhere).
pub fn root_state(root: &Path) -> Result<bool, RootError> {
    let shown = root.display();
    let meta = match std::fs::symlink_metadata(root) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(RootError {
                message: format!("cannot look at the output folder {shown}: {e}"),
                hint: "give --out a folder rolegraph can read".to_owned(),
            });
        }
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(root)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "?".to_owned());
        let dangling = if root.exists() {
            ""
        } else {
            ", which does not exist"
        };
        return Err(RootError {
            message: format!(
                "--out {shown} is a symbolic link (to {target}{dangling}); rolegraph writes only into a real folder"
            ),
            hint: "give the folder itself as --out, or remove the link".to_owned(),
        });
    }
    if !meta.is_dir() {
        return Err(RootError {
            message: format!(
                "--out {shown} is {}, not a folder",
                crate::input::kind(&meta)
            ),
            hint: "give --out a folder (it is created if missing); rolegraph never replaces a file it did not write, --force included".to_owned(),
        });
    }
    Ok(true)
}

/// Why a manifest entry is not one rolegraph could have written, if it is not.
pub fn entry_error(entry: &str, folders: &[&str]) -> Option<String> {
    if entry.contains('\0') {
        return Some("contains a NUL character".to_owned());
    }
    if entry.starts_with('/') || entry.contains('\\') {
        return Some("is not a relative path with `/` separators".to_owned());
    }
    let parts: Vec<&str> = entry.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Some("has an empty, `.` or `..` component".to_owned());
    }
    if parts.len() < 2 || !folders.contains(&parts[0]) {
        return Some(format!(
            "is not inside a backend's folder ({})",
            folders.join(", ")
        ));
    }
    None
}

/// What stands at a path or on the way to it, where only folders and regular files belong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obstacle {
    /// `at` (relative to the output folder) is `kind` (a symbolic link, a FIFO, …) where a
    /// folder is needed.
    Folder { at: String, kind: &'static str },
    /// The path itself is `kind` where a regular file belongs.
    File { kind: &'static str },
}

impl Obstacle {
    pub fn reason(&self) -> String {
        match self {
            Obstacle::Folder { at, kind } => format!(
                "lies under `{at}`, which is {kind}, not a folder; rolegraph never writes through it"
            ),
            Obstacle::File { kind } => {
                format!("is {kind}, not a regular file; rolegraph never writes through it")
            }
        }
    }
}

/// The state of `rel` under `root`: `Ok(None)` when every folder on the way is a real
/// folder (or missing) and the path is a regular file or missing.
pub fn obstacle(root: &Path, rel: &str) -> io::Result<Option<Obstacle>> {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let last = i + 1 == parts.len();
        if last && !meta.is_file() {
            return Ok(Some(Obstacle::File {
                kind: crate::input::kind(&meta),
            }));
        }
        if !last && !meta.is_dir() {
            return Ok(Some(Obstacle::Folder {
                at: parts[..=i].join("/"),
                kind: crate::input::kind(&meta),
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLDERS: &[&str] = &["terraform", "cloudformation", "seqera"];

    #[test]
    fn generated_paths_are_entries() {
        for entry in [
            "terraform/prod.tf",
            "terraform/prod/main.tf",
            "seqera/README.md",
        ] {
            assert_eq!(entry_error(entry, FOLDERS), None, "{entry}");
        }
    }

    #[test]
    fn paths_that_leave_or_dodge_the_folder_are_not() {
        for entry in [
            "terraform/../../outside.txt",
            "/etc/passwd",
            "terraform//prod.tf",
            "terraform/./prod.tf",
            "terraform",
            "outside.txt",
            "other/prod.tf",
            "terraform/a\0b",
            "terraform\\..\\x",
            "C:/x",
            "",
        ] {
            assert!(entry_error(entry, FOLDERS).is_some(), "{entry:?}");
        }
    }

    #[test]
    fn a_link_on_the_way_is_an_obstacle() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), root.path().join("terraform")).unwrap();
        let found = obstacle(root.path(), "terraform/prod.tf").unwrap();
        assert_eq!(
            found,
            Some(Obstacle::Folder {
                at: "terraform".to_owned(),
                kind: "a symbolic link"
            })
        );
        assert_eq!(obstacle(root.path(), "seqera/x.md").unwrap(), None);
    }
}
