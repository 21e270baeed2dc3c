//! The files `init` and `import` create in a folder the user names (`--dir`): created new,
//! never written through a link, and never over a file that exists without `--force`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::diag::Diagnostic;
use crate::model::Access;

/// Writes `files` into their folders, or reports why not (nothing is written then): a link
/// among `dir`'s components, a subfolder that is a link or a file, or a file that exists
/// (a link at a file's place counts) without `force`. Each file is created new
/// (`O_CREAT|O_EXCL|O_NOFOLLOW`); with `force`, what stood at its name is removed first,
/// never written through.
pub fn write(
    dir: &Path,
    files: &[(PathBuf, Vec<u8>)],
    force: bool,
    access: Access,
) -> Result<(), ExitCode> {
    if !access.outside_files {
        crate::output::refuse_linked(dir, "--dir", true)
            .map_err(|err| super::output::not_a_folder(&err))?;
    }
    refuse(dir, files, force)?;
    let borrowed: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.clone(), b.as_slice()))
        .collect();
    crate::output::write_new_files(&borrowed).map_err(|err| {
        Diagnostic::nowhere(format!("cannot write the files: {err}")).eprint();
        ExitCode::from(1)
    })
}

fn refuse(dir: &Path, files: &[(PathBuf, Vec<u8>)], force: bool) -> Result<(), ExitCode> {
    let subfolders: std::collections::BTreeSet<&Path> = files
        .iter()
        .filter_map(|(path, _)| path.parent())
        .filter(|folder| *folder != dir)
        .collect();
    for folder in subfolders {
        if std::fs::symlink_metadata(folder).is_ok_and(|m| !m.is_dir()) {
            Diagnostic::nowhere(format!(
                "{} is not a folder (a link or a file)",
                folder.display()
            ))
            .hint("nothing was written; rolegraph writes only into real folders")
            .eprint();
            return Err(ExitCode::from(2));
        }
    }
    if force {
        return Ok(());
    }
    let existing: Vec<Diagnostic> = files
        .iter()
        .filter(|(path, _)| std::fs::symlink_metadata(path).is_ok())
        .map(|(path, _)| Diagnostic::nowhere(format!("{} already exists", path.display())))
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    crate::diag::eprint_all_with_hint(
        existing,
        "nothing was written; use --force to replace, or --dir for another folder",
    );
    Err(ExitCode::from(2))
}
