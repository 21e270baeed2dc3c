//! Reading what a repository holds: the model, policy files, templates and the manifest
//! may all come from someone else's commit. Only regular files are read, each up to a
//! limit, and opening never waits: a FIFO, a device or `/dev/zero` fails at once instead of
//! hanging or filling memory.

use std::fmt;
use std::io::Read;
use std::path::Path;

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
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "No such file or directory"),
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
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

/// How a file is opened: whether a symbolic link at `path` itself is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Inputs named by the user or the model: a link is followed (the model's folder rule
    /// is checked on the resolved path).
    Follow,
    /// Files inside the output folder: a link there is never followed.
    Refuse,
}

/// The bytes of the regular file at `path`, at most `limit`.
pub fn read(path: &Path, limit: Limit, links: Links) -> Result<Vec<u8>, ReadError> {
    let file = open(path, links)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
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

/// Like `read`, as UTF-8 text.
pub fn read_text(path: &Path, limit: Limit, links: Links) -> Result<String, ReadError> {
    utf8(read(path, limit, links)?)
}

fn open(path: &Path, links: Links) -> Result<std::fs::File, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO without a writer returns at once (then fstat says
        // it is no regular file); it changes nothing for regular files.
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ if links == Links::Refuse && is_link(path) => ReadError::NotRegular("a symbolic link"),
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
        let err = read(dir.path(), Limit::Model, Links::Follow).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a regular file");
    }

    #[test]
    fn a_device_is_not_read() {
        let err = read(Path::new("/dev/zero"), Limit::Model, Links::Follow).unwrap_err();
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
            read(&link, Limit::Output, Links::Refuse),
            Err(ReadError::NotRegular("a symbolic link"))
        ));
        assert_eq!(
            read(&link, Limit::Output, Links::Follow).unwrap(),
            b"secret"
        );
    }

    #[test]
    fn missing_is_not_found() {
        let err = read(Path::new("/nonexistent/x"), Limit::Model, Links::Follow).unwrap_err();
        assert!(err.is_not_found());
    }
}
