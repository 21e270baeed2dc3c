//! Reading what a repository holds: the model, policy files, templates and the manifest
//! may all come from someone else's commit. Only regular files are read, each up to a
//! limit, and opening never waits: a FIFO, a device or `/dev/zero` fails at once instead of
//! hanging or filling memory.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

const MIB: u64 = 1024 * 1024;

/// How much rolegraph reads of each kind of file; the README's Safety section lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Model,
    PolicyFile,
    Template,
    Manifest,
    /// A file in the output folder that rolegraph compares with what it would write.
    Output,
    /// An account's `get-account-authorization-details` or `list-roles` output.
    Live,
}

impl Limit {
    pub fn bytes(self) -> u64 {
        match self {
            Limit::Model => 64 * MIB,
            Limit::PolicyFile | Limit::Template => 10 * MIB,
            Limit::Manifest | Limit::Output | Limit::Live => 256 * MIB,
        }
    }
}

#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// Not a regular file: `kind` says what it is instead.
    NotRegular(&'static str),
    /// A file of a kernel file system (`/proc`, `/sys`): its size says nothing, and it can
    /// hold the process's secrets (`/proc/self/environ`).
    Kernel(&'static str),
    /// It resolves, links included, outside the folder it must stay in.
    Outside(PathBuf),
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }

    /// Whether the file is of a kind or place rolegraph never reads, as opposed to one it
    /// could not read.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ReadError::NotRegular(_)
                | ReadError::Kernel(_)
                | ReadError::Outside(_)
                | ReadError::TooLarge { .. }
        )
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "No such file or directory"),
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::Kernel(name) => {
                write!(
                    f,
                    "it is a file of {name}, a kernel file system, not a regular file"
                )
            }
            ReadError::Outside(folder) => write!(
                f,
                "it resolves, links included, outside the folder `{}` it was named in",
                folder.display()
            ),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {size} bytes, over the limit of {} ({limit} bytes)",
                mib(*limit)
            ),
            ReadError::Io(err) => write!(f, "{err}"),
        }
    }
}

/// `64 MiB`, for messages.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / MIB)
}

/// Where a file may be. Whatever the scope, only regular files are read, never one of a
/// kernel file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Inside this folder once every link is resolved: the folder an input was named in
    /// (the model's, a `--templates` folder, a dump's), so that a committed link to
    /// `~/.aws/credentials` is refused before a byte of it is read.
    Within(&'a Path),
    /// Anywhere: the user passed `--allow-outside-files`, or typed the path.
    Anywhere,
    /// Inside the output folder, whose own folders the caller has checked: a link at the
    /// path itself is never followed.
    NoLink,
}

/// The bytes of the regular file at `path`, at most `limit`, if `scope` allows it.
pub fn read(path: &Path, limit: Limit, scope: Scope) -> Result<Vec<u8>, ReadError> {
    let resolved = confine(path, scope)?;
    let file = open(resolved.as_deref().unwrap_or(path), scope)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    if let Some(name) = kernel_file_system(&file) {
        return Err(ReadError::Kernel(name));
    }
    let max = limit.bytes();
    if meta.len() > max {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max,
        });
    }
    read_bounded(file, max, meta.len() as usize)
}

/// The path with every link resolved, when `scope` confines it; an error when it leaves
/// its folder. The caller opens the resolved path, so that what was checked is what is read.
fn confine(path: &Path, scope: Scope) -> Result<Option<PathBuf>, ReadError> {
    let Scope::Within(folder) = scope else {
        return Ok(None);
    };
    let not_found = |err: std::io::Error| match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(err),
    };
    let base = folder.canonicalize().map_err(not_found)?;
    let resolved = path.canonicalize().map_err(not_found)?;
    if !resolved.starts_with(&base) {
        return Err(ReadError::Outside(folder.to_path_buf()));
    }
    Ok(Some(resolved))
}

/// The name of the kernel file system that holds `file`, if it is one (procfs, sysfs and
/// their kin): their files claim to be regular and empty, and print what the kernel knows.
fn kernel_file_system(file: &std::fs::File) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        let kind = rustix::fs::fstatfs(file).ok()?.f_type as u64;
        KERNEL_FILE_SYSTEMS
            .iter()
            .find(|(magic, _)| *magic == kind)
            .map(|(_, name)| *name)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// The magic numbers of Linux's pseudo file systems (`linux/magic.h`).
#[cfg(target_os = "linux")]
const KERNEL_FILE_SYSTEMS: &[(u64, &str)] = &[
    (0x9fa0, "procfs"),
    (0x6265_6572, "sysfs"),
    (0x6462_6720, "debugfs"),
    (0x7472_6163, "tracefs"),
    (0x7363_6673, "securityfs"),
    (0x0027_e0eb, "cgroupfs"),
    (0x6367_7270, "cgroup2fs"),
    (0x6265_6570, "configfs"),
    (0xde5e_81e4, "efivarfs"),
    (0xcafe_4a11, "bpffs"),
    (0x6165_676c, "pstore"),
    (0x1cd1, "devpts"),
];

/// At most `max` bytes of `source`: one that grows while it is read, or a stream, stops at
/// one byte over the limit.
fn read_bounded(source: impl Read, max: u64, expected: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(expected);
    source
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit: max,
        });
    }
    Ok(bytes)
}

/// Standard input as UTF-8 text, at most `limit`: a pipe is what `-` is for, so any kind
/// of stream is read (it ends when its writer closes it).
pub fn read_stdin(limit: Limit) -> Result<String, ReadError> {
    utf8(read_bounded(std::io::stdin().lock(), limit.bytes(), 0)?)
}

fn utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Like `read`, as UTF-8 text, without the byte-order mark that PowerShell and some
/// Windows editors put first.
pub fn read_text(path: &Path, limit: Limit, scope: Scope) -> Result<String, ReadError> {
    let mut text = utf8(read(path, limit, scope)?)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Opens `path` for reading, never through a link at the path itself: a confined path is
/// already resolved, and an output file's link is refused.
fn open(path: &Path, scope: Scope) -> Result<std::fs::File, ReadError> {
    let no_link = scope != Scope::Anywhere;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO without a writer returns at once (then fstat says
        // it is no regular file); it changes nothing for regular files.
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if no_link {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ if no_link && is_link(path) => ReadError::NotRegular("a symbolic link"),
        _ => ReadError::Io(err),
    })
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// What a non-regular file is, in words.
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    let file_type = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a folder"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), Limit::Model, Scope::Anywhere).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a regular file");
    }

    #[test]
    fn a_device_is_not_read() {
        let err = read(Path::new("/dev/zero"), Limit::Model, Scope::Anywhere).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is a character device, not a regular file"
        );
    }

    #[test]
    fn a_link_inside_the_output_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("target"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("target"), dir.path().join("link")).unwrap();
        let link = dir.path().join("link");
        assert!(matches!(
            read(&link, Limit::Output, Scope::NoLink),
            Err(ReadError::NotRegular("a symbolic link"))
        ));
        assert_eq!(
            read(&link, Limit::Output, Scope::Anywhere).unwrap(),
            b"secret"
        );
    }

    #[test]
    fn a_link_within_the_folder_is_read_and_one_out_of_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("repo");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("model.yaml"), "\u{feff}inside").unwrap();
        std::fs::write(dir.path().join("secret"), "outside").unwrap();
        std::os::unix::fs::symlink("model.yaml", inner.join("near")).unwrap();
        std::os::unix::fs::symlink("../secret", inner.join("far")).unwrap();
        let scope = Scope::Within(&inner);
        let near = read_text(&inner.join("near"), Limit::Model, scope).unwrap();
        assert_eq!(near, "inside", "the byte-order mark is dropped");
        let far = read(&inner.join("far"), Limit::Model, scope).unwrap_err();
        assert!(matches!(far, ReadError::Outside(_)), "{far}");
        assert_eq!(
            read(&inner.join("far"), Limit::Model, Scope::Anywhere).unwrap(),
            b"outside"
        );
        let kernel = read(
            Path::new("/proc/self/status"),
            Limit::Model,
            Scope::Anywhere,
        );
        assert!(matches!(kernel, Err(ReadError::Kernel("procfs"))));
    }

    #[test]
    fn missing_is_not_found() {
        let err = read(Path::new("/nonexistent/x"), Limit::Model, Scope::Anywhere).unwrap_err();
        assert!(err.is_not_found());
    }
}
