//! `rolegraph import`: authorization-details files → `DIR/rolegraph.yaml`, its policy
//! files and the schema, then the report. Nothing is written when an input is bad, and
//! nothing that exists is replaced without `--force`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::invalid;
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::{self, Options};
use crate::plan::Format;
use crate::term::{Verbosity, verbosity};

pub struct ImportArgs<'a> {
    pub files: &'a [PathBuf],
    pub accounts: &'a [(String, String)],
    pub name: &'a str,
    pub dir: &'a Path,
    pub include: Option<regex::Regex>,
    pub force: bool,
    pub format: Format,
    pub access: crate::model::Access,
}

pub fn run(args: ImportArgs) -> ExitCode {
    let accounts = match crate::live::read_all(args.files, args.access) {
        Ok(accounts) => accounts,
        Err(diags) => return invalid(&diags),
    };
    if let Err(diags) = check_names(&args, &accounts) {
        return invalid(&diags);
    }
    let options = Options {
        keys: args.accounts.to_vec(),
        name: args.name.to_owned(),
        include: args.include.clone(),
        inline_only: false,
    };
    let imported = import::import(&accounts, &options);
    let files = match files_to_write(&args, &imported) {
        Ok(files) => files,
        Err(code) => return code,
    };
    if let Err(code) = super::new_files::write(args.dir, &files, args.force, args.access) {
        return code;
    }
    let model_path = args.dir.join("rolegraph.yaml");
    if let Err(code) = validate_written(&model_path) {
        return code;
    }
    print_report(args.format, &imported.report, &model_path)
}

/// The model, the schema and the policy files, rendered; nothing is written yet.
fn files_to_write(
    args: &ImportArgs,
    imported: &import::Imported,
) -> Result<Vec<(PathBuf, Vec<u8>)>, ExitCode> {
    let names: Vec<String> = args
        .files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap_or(f.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let comment = format!(
        "Imported by `rolegraph import` from {}.\nReview it: `rolegraph plan` shows what it deploys; then `rolegraph generate --adopt`.",
        names.join(", ")
    );
    let failed = |what: &str, err: String| {
        Diagnostic::nowhere(format!("internal error: cannot render {what}: {err}")).eprint();
        ExitCode::from(1)
    };
    let model =
        import::doc::render(&imported.model, &comment).map_err(|e| failed("the model", e))?;
    let schema = serde_json::to_string_pretty(&crate::model::schema::json_schema())
        .map_err(|e| failed("the schema", e.to_string()))?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (args.dir.join("rolegraph.yaml"), model.into_bytes()),
        (
            args.dir.join(super::init::SCHEMA_FILE),
            (schema + "\n").into_bytes(),
        ),
    ];
    files.extend(
        imported
            .files
            .iter()
            .map(|(rel, text)| (args.dir.join(rel), text.clone().into_bytes())),
    );
    Ok(files)
}

/// The written model must validate; where it does not, the accounts hold values the
/// model's checks refuse, and the user sees them.
fn validate_written(model_path: &Path) -> Result<(), ExitCode> {
    let Err(diags) = crate::compile(model_path) else {
        return Ok(());
    };
    crate::term::eprint(&diags.render(crate::term::colored(crate::term::Stream::Stderr)));
    Diagnostic::nowhere(format!(
        "the model import wrote to {} does not validate: the accounts hold values the model refuses (above)",
        model_path.display()
    ))
    .hint("fix them in the model by hand; if AWS accepts such values, please report it with the input files (their policies may be redacted)")
    .eprint();
    Err(ExitCode::from(1))
}

/// The report on stdout (text unless quiet, where only what the model cannot say is
/// printed); exit 1 when there is such a thing.
fn print_report(format: Format, report: &import::Report, model_path: &Path) -> ExitCode {
    match format {
        Format::Json => {
            super::stdout::out(&(serde_json::to_string_pretty(report).unwrap_or_default() + "\n"))
        }
        Format::Text if verbosity() > Verbosity::Quiet || !report.inexpressible.is_empty() => {
            super::stdout::out(&report.text(&model_path.display().to_string()))
        }
        Format::Text => {}
    }
    if report.inexpressible.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `--account` keys must be model keys, once each, of accounts in the files; `--name` a
/// model name.
fn check_names(args: &ImportArgs, accounts: &[crate::live::Account]) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut problems: Vec<(String, String)> = Vec::new();
    if let Err((message, hint)) = crate::ir::checks::logical_key("model name", args.name) {
        problems.push((format!("--name: {message}"), hint));
    }
    for (i, (key, id)) in args.accounts.iter().enumerate() {
        if let Err((message, hint)) = crate::ir::checks::logical_key("account", key) {
            problems.push((format!("--account {key}={id}: {message}"), hint));
        }
        if !accounts.iter().any(|a| a.id == *id) {
            let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
            problems.push((
                format!("--account {key}={id}: no file given is of account {id}"),
                format!("the files are of {}", ids.join(", ")),
            ));
        }
        let again = args.accounts[..i]
            .iter()
            .find(|(k, other)| k == key || other == id);
        if let Some((k, other)) = again {
            problems.push((
                format!("--account {key}={id} repeats --account {k}={other}"),
                "give each account one key, and each key one account".to_owned(),
            ));
        }
    }
    for (message, hint) in problems {
        diags.push(Diagnostic::nowhere(message).hint(hint));
    }
    diags.into_result(())
}
