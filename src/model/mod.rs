//! The input side: `rolegraph.yaml` as written, read with positions for every value.

mod decode;
mod decode_seqera;
mod node;
mod operators;
pub mod policy_file;
mod reader;
pub mod schema;
pub mod strict_json;
mod types;
mod yaml;

use std::path::Path;
use std::sync::Arc;

pub use types::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::input;

/// For the `model` fuzz target: where the YAML reader's fast path builds another tree than
/// its full reader for `source`, if it does.
#[doc(hidden)]
pub use yaml::fast_path_disagreement;

/// What a model may make rolegraph read besides itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// Policy files may resolve outside the folder that holds the model
    /// (`--allow-outside-files`). Off, a model from someone else's commit cannot make
    /// rolegraph read `~/.aws/credentials` and echo it in an error.
    pub outside_files: bool,
}

/// The model path that means standard input, as cargo and terraform spell it.
pub const STDIN: &str = "-";

/// Reads and decodes a model with its policy files. Shape errors go to `diags` and
/// decoding carries on; only an unreadable file or broken YAML stops it here. The model
/// `-` is standard input; its policy files are then relative to the current folder.
pub fn load(path: &Path, access: Access, diags: &mut Diagnostics) -> Result<Model, Diagnostics> {
    let (source, file) = read_source(path, access)?;
    parse(&file, &source, base_of(path), access, diags)
}

/// The folder policy-file paths are relative to: the model's, or the current one for
/// standard input.
pub fn base_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !is_stdin(path) => parent,
        _ => Path::new("."),
    }
}

pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The model's text and the name its diagnostics give it (`<stdin>` for `-`). The model
/// must resolve inside the folder it was named in, as its policy files must, unless
/// `access` allows outside files: a committed `rolegraph.yaml` that links to
/// `~/.aws/credentials` would otherwise be quoted in the first error.
pub fn read_source(path: &Path, access: Access) -> Result<(String, Arc<str>), Diagnostic> {
    let limit = input::Limit::Model;
    let (read, file) = if is_stdin(path) {
        (input::read_stdin(limit), "<stdin>".into())
    } else {
        let scope = match access.outside_files {
            true => input::Scope::Anywhere,
            false => input::Scope::Within(base_of(path)),
        };
        let read = input::read_text(path, limit, scope);
        (read, path.display().to_string().into())
    };
    let source = read.map_err(|err| {
        let hint = match &err {
            input::ReadError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                "save the model as UTF-8 text".to_owned()
            }
            input::ReadError::Outside(_) => {
                "keep the model in the folder it is named in, or pass --allow-outside-files"
                    .to_owned()
            }
            err if err.is_refusal() => format!(
                "a model is a regular file of at most {}",
                input::mib(limit.bytes())
            ),
            _ => "pass the model's path, or run in a folder that holds rolegraph.yaml".to_owned(),
        };
        Diagnostic::nowhere(format!("cannot read model `{}`: {err}", path.display())).hint(hint)
    })?;
    Ok((source, file))
}

/// Decodes model text; `base` is the folder that policy-file paths are relative to. The
/// caller adds `source` to the diagnostics it returns, if any (a model that reads cleanly
/// is not copied for them).
pub fn parse(
    file: &Arc<str>,
    source: &str,
    base: &Path,
    access: Access,
    diags: &mut Diagnostics,
) -> Result<Model, Diagnostics> {
    let root = match yaml::parse(file, source) {
        Ok(root) => root,
        Err(errors) => {
            let mut fatal = std::mem::take(diags);
            for error in errors {
                fatal.push(error);
            }
            return Err(fatal);
        }
    };
    let mut reader = reader::Reader::new(Arc::clone(file), source);
    let (mut model, files) = decode::decode(&mut reader, &root);
    diags.extend(reader.diags);
    for reference in files {
        let statements = policy_file::load(base, &reference.path, access, diags);
        model.roles[reference.role].policies[reference.policy].statements = statements;
    }
    Ok(model)
}
