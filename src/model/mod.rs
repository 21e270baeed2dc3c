//! The input side: `rolegraph.yaml` as written, read with positions for every value.

mod decode;
mod decode_seqera;
mod node;
mod policy_file;
mod reader;
pub mod schema;
mod types;

use std::path::Path;
use std::sync::Arc;

pub use types::*;

use crate::diag::{Diagnostic, Diagnostics};

/// Reads and decodes a model with its policy files. Shape errors go to `diags` and
/// decoding carries on; only an unreadable file or broken YAML stops it here.
pub fn load(path: &Path, diags: &mut Diagnostics) -> Result<Model, Diagnostics> {
    let source = std::fs::read_to_string(path).map_err(|err| {
        let hint = match err.kind() {
            std::io::ErrorKind::InvalidData => "save the model as UTF-8 text",
            _ => "pass the model's path, or run in a folder that holds rolegraph.yaml",
        };
        Diagnostic::nowhere(format!("cannot read model `{}`: {err}", path.display())).hint(hint)
    })?;
    let file: Arc<str> = path.display().to_string().into();
    parse(
        &file,
        &source,
        path.parent().unwrap_or(Path::new(".")),
        diags,
    )
}

/// Decodes model text; `base` is the folder that policy-file paths are relative to.
pub fn parse(
    file: &Arc<str>,
    source: &str,
    base: &Path,
    diags: &mut Diagnostics,
) -> Result<Model, Diagnostics> {
    let root = node::parse(file, source)?;
    let mut reader = reader::Reader::new(Arc::clone(file), source);
    let (mut model, files) = decode::decode(&mut reader, &root);
    diags.extend(reader.diags);
    for reference in files {
        let statements = policy_file::load(base, &reference.path, diags);
        model.roles[reference.role].policies[reference.policy].statements = statements;
    }
    Ok(model)
}
