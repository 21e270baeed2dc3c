//! `generate` and `check`: the two commands that render the output, one to write it as
//! the folder's owner and one to compare it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::invalid;
use crate::backend::cloudformation::Layout as CloudformationLayout;
use crate::backend::terraform::Layout as TerraformLayout;
use crate::backend::{self, Backend, Options};
use crate::diag::Diagnostic;
use crate::lint::Severity;
use crate::output::{CheckError, Durability, FileSet, ModelId, WriteError, WriteOptions};
use crate::templates::Templates;
use crate::term::{Verbosity, verbosity};

#[derive(clap::Args, Debug)]
pub struct OutputArgs {
    /// The model file, or `-` for standard input (then policy `file:` paths are relative
    /// to the current folder).
    #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
    model: PathBuf,
    #[command(flatten)]
    access: super::AccessArgs,
    /// The output folder; `terraform/`, `cloudformation/` and `seqera/` are in it.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Folder of tera templates that replace the built-in ones of the same file name
    /// (prose only, such as `cloudformation-README.md`).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Only these backends (comma-separated); default: all. `seqera` has files only for
    /// models with a `seqera:` section.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "BACKENDS")]
    only: Vec<Backend>,
    /// How the Terraform files are organised; `check` needs the layout `generate` used.
    #[arg(long, value_enum, default_value_t, value_name = "LAYOUT")]
    terraform_layout: TerraformLayout,
    /// How the CloudFormation templates are organised; `check` needs the layout
    /// `generate` used.
    #[arg(long, value_enum, default_value_t, value_name = "LAYOUT")]
    cloudformation_layout: CloudformationLayout,
    /// Each account's `aws iam get-account-authorization-details` output: Terraform gets
    /// an `imports.tf` with an `import` block for every generated resource that already
    /// exists, so the first apply adopts it instead of creating it; CloudFormation gets
    /// `adopt/`, an IMPORT change set's template and resources per stack. A later run
    /// without --adopt removes them.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    adopt: Vec<PathBuf>,
    /// How long to wait for another rolegraph run that holds the output folder, in seconds.
    #[arg(long, default_value = "5", value_name = "SECONDS", value_parser = parse_seconds)]
    lock_timeout: Duration,
}

fn parse_seconds(arg: &str) -> Result<Duration, String> {
    arg.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{arg}` is not a number of seconds, such as 5 or 0.5"))
}

impl OutputArgs {
    fn backends(&self) -> Vec<Backend> {
        let mut backends = if self.only.is_empty() {
            Backend::ALL.to_vec()
        } else {
            self.only.clone()
        };
        backends.sort();
        backends.dedup();
        backends
    }

    fn options(
        &self,
        adopt: Option<std::sync::Arc<crate::live::Existing>>,
        model_name: &str,
    ) -> Options {
        Options {
            terraform_layout: self.terraform_layout,
            cloudformation_layout: self.cloudformation_layout,
            adopt,
            previous: self.previous_record(model_name).map(std::sync::Arc::new),
        }
    }

    /// What the folder's manifest recorded, if it can be read now; a manifest that
    /// cannot be (or cannot be trusted) is the write's and check's to report.
    fn previous_record(&self, model_name: &str) -> Option<crate::backend::Recorded> {
        let owned = owned_folders();
        crate::output::manifest::Manifest::load(&self.out, &owned)
            .ok()
            .flatten()
            .and_then(|m| m.recorded(model_name))
    }

    /// The `generate` command line that brings `--out` up to date, for hints.
    fn generate_command(&self) -> String {
        let mut command = format!(
            "rolegraph generate {} --out {}",
            self.model.display(),
            self.out.display()
        );
        if !self.only.is_empty() {
            let only: Vec<&str> = self.backends().iter().map(|b| b.folder()).collect();
            command.push_str(&format!(" --only {}", only.join(",")));
        }
        if self.terraform_layout != TerraformLayout::default() {
            command.push_str(" --terraform-layout ");
            command.push_str(&crate::backend::flag_value(&self.terraform_layout));
        }
        if self.cloudformation_layout != CloudformationLayout::default() {
            command.push_str(" --cloudformation-layout ");
            command.push_str(&crate::backend::flag_value(&self.cloudformation_layout));
        }
        if let Some(dir) = &self.templates {
            command.push_str(&format!(" --templates {}", dir.display()));
        }
        if !self.adopt.is_empty() {
            command.push_str(" --adopt");
            for file in &self.adopt {
                command.push_str(&format!(" {}", file.display()));
            }
        }
        command
    }

    fn folders(&self) -> Vec<&'static str> {
        self.backends().iter().map(|b| b.folder()).collect()
    }
}

/// Every backend's folder, whatever `--only` selects: where the manifest may own files.
fn owned_folders() -> Vec<&'static str> {
    Backend::ALL.iter().map(|b| b.folder()).collect()
}

/// What a run renders: the files, and the model's name and text for the manifest.
struct Rendered {
    files: FileSet,
    name: String,
    text: String,
    recorded: crate::backend::Recorded,
}

impl Rendered {
    fn model(&self) -> ModelId<'_> {
        ModelId {
            name: &self.name,
            text: self.text.as_bytes(),
            recorded: Some(&self.recorded),
        }
    }
}

/// The files and the model's bytes (for the manifest), or the exit code of a failure
/// already reported. `lint_gate` stops on unaccepted lint errors, as `generate` must.
fn render(args: &OutputArgs, lint_gate: bool) -> Result<Rendered, ExitCode> {
    if !args.access.access().outside_files {
        crate::output::refuse_linked(&args.out, "--out", false)
            .map_err(|err| not_a_folder(&err))?;
    }
    let (graph, model_text) =
        crate::compile_read(&args.model, args.access.access()).map_err(|diags| invalid(&diags))?;
    if lint_gate {
        let findings = crate::lint::lint(&graph);
        let failing = findings.iter().any(|f| f.fails(Severity::Error));
        if !findings.is_empty() && (failing || verbosity() > Verbosity::Quiet) {
            let stream = crate::term::Stream::Stderr;
            crate::term::eprint(&crate::lint::render_to(
                &findings,
                crate::lint::Format::Text,
                stream,
            ));
        }
        if failing {
            Diagnostic::nowhere(
                "nothing was written: fix the lint errors above or accept them with `accept_risks`",
            )
            .eprint();
            return Err(ExitCode::from(1));
        }
    }
    let adopt = if args.adopt.is_empty() {
        None
    } else {
        let existing = crate::live::read_all(&args.adopt, args.access.access())
            .and_then(|accounts| crate::live::Existing::of(&graph, &accounts))
            .map_err(|diags| invalid(&diags))?;
        if lint_gate && verbosity() > Verbosity::Quiet {
            for note in &existing.elsewhere {
                let warning = crate::backend::Warning {
                    message: note.clone(),
                    hint: "to adopt that role instead, give the model its account".to_owned(),
                };
                crate::term::eprintln(&format!("{warning}"));
            }
        }
        Some(std::sync::Arc::new(existing))
    };
    let options = args.options(adopt, &graph.name);
    let generated = Templates::with_overrides(
        args.templates.as_deref(),
        args.access.access().outside_files,
    )
    .and_then(|templates| backend::generate_all(&graph, &args.backends(), &templates, &options))
    .map_err(|diags| invalid(&diags))?;
    // `check` compares only; the warnings are `generate`'s to give.
    if lint_gate && verbosity() > Verbosity::Quiet {
        for warning in &generated.warnings {
            crate::term::eprintln(&format!("{warning}"));
        }
    }
    let files = generated.files;
    Ok(Rendered {
        files,
        name: graph.name.clone(),
        text: model_text,
        recorded: generated.recorded,
    })
}

pub fn generate(args: &OutputArgs, force: bool, no_sync: bool) -> ExitCode {
    if let Err(err) = crate::output::handle_signals() {
        Diagnostic::nowhere(format!("cannot handle interrupts: {err}")).eprint();
        return ExitCode::from(1);
    }
    let rendered = match render(args, true) {
        Ok(rendered) => rendered,
        Err(code) => return code,
    };
    let files = &rendered.files;
    let out = &args.out;
    let folders = args.folders();
    let owned = owned_folders();
    let options = WriteOptions {
        folders: &folders,
        owned: &owned,
        force,
        durability: if no_sync {
            Durability::Unsynced
        } else {
            Durability::Synced
        },
        lock_timeout: args.lock_timeout,
    };
    let report = match files.write_owned(out, &rendered.model(), &options) {
        Ok(report) => report,
        Err(err) => return write_failed(args, err),
    };
    if verbosity() == Verbosity::Verbose {
        for path in &report.written {
            crate::cli::stdout::outln(&format!("wrote {}", path.display()));
        }
        for path in &report.deleted {
            crate::cli::stdout::outln(&format!("deleted {}", path.display()));
        }
    }
    if verbosity() == Verbosity::Quiet {
        return ExitCode::SUCCESS;
    }
    let deleted = match report.deleted.len() {
        0 => String::new(),
        n => format!(", {} deleted", crate::diag::plural(n, "stale file")),
    };
    crate::cli::stdout::outln(&format!(
        "wrote {} of {} files to {} ({} unchanged{deleted})",
        report.written.len(),
        files.len(),
        out.display(),
        report.unchanged
    ));
    ExitCode::SUCCESS
}

fn write_failed(args: &OutputArgs, err: WriteError) -> ExitCode {
    let out = args.out.as_path();
    match err {
        WriteError::Refused(files) => {
            let hint = format!(
                "nothing was written; move your changes into the model, or rerun with --force to replace {}",
                if files.len() == 1 { "it" } else { "them" }
            );
            let errors: Vec<Diagnostic> = files
                .iter()
                .map(|(path, reason)| {
                    Diagnostic::nowhere(format!("{}: {reason}", out.join(path).display()))
                })
                .collect();
            crate::diag::eprint_all_with_hint(errors, hint);
            ExitCode::from(2)
        }
        WriteError::Untrusted(entries) => untrusted(out, &entries),
        WriteError::Busy { waited } => busy(out, waited),
        WriteError::Unreadable(message) => {
            Diagnostic::nowhere(message)
                .hint("nothing was written; a path rolegraph cannot read is never overwritten")
                .eprint();
            ExitCode::from(2)
        }
        WriteError::Root(root) => not_a_folder(&root),
        WriteError::OtherModel { recorded, this } => other_model(
            args,
            &recorded,
            &this,
            "nothing was written; give each model its own --out, or rerun with --force to let this model take the folder over (it deletes the other model's files)",
        ),
        WriteError::Io(err) => {
            Diagnostic::nowhere(format!("cannot write to {}: {err}", out.display())).eprint();
            ExitCode::from(1)
        }
    }
}

pub(super) fn not_a_folder(root: &crate::output::RootError) -> ExitCode {
    Diagnostic::nowhere(root.message.clone())
        .hint(root.hint.clone())
        .eprint();
    ExitCode::from(2)
}

fn other_model(args: &OutputArgs, recorded: &str, this: &str, hint: &str) -> ExitCode {
    Diagnostic::nowhere(format!(
        "{} holds the output of model `{recorded}` (its {} says so), not of `{this}` ({})",
        args.out.display(),
        crate::output::manifest::MANIFEST_NAME,
        args.model.display()
    ))
    .hint(hint)
    .eprint();
    ExitCode::from(2)
}

fn untrusted(out: &std::path::Path, entries: &[(String, String)]) -> ExitCode {
    let manifest = out.join(crate::output::manifest::MANIFEST_NAME);
    let errors: Vec<Diagnostic> = entries
        .iter()
        .map(|(entry, rule)| {
            Diagnostic::nowhere(format!(
                "{}: entry `{}` {rule}",
                manifest.display(),
                entry.escape_debug()
            ))
        })
        .collect();
    let hint = "nothing was written or deleted; rolegraph owns only normalized relative paths inside terraform/, cloudformation/ and seqera/. Someone edited this manifest: restore it from history, or delete it and rerun with --force";
    crate::diag::eprint_all_with_hint(errors, hint);
    ExitCode::from(2)
}

fn busy(out: &std::path::Path, waited: Duration) -> ExitCode {
    Diagnostic::nowhere(format!(
        "another rolegraph run holds the lock on {} (waited {:.1} s)",
        out.display(),
        waited.as_secs_f64()
    ))
    .hint("wait for it to finish, or give it longer with --lock-timeout SECONDS")
    .eprint();
    ExitCode::from(2)
}

pub fn check(args: &OutputArgs) -> ExitCode {
    let rendered = match render(args, false) {
        Ok(rendered) => rendered,
        Err(code) => return code,
    };
    let files = &rendered.files;
    let out = &args.out;
    let checked = crate::output::check(
        files,
        out,
        &rendered.model(),
        &args.folders(),
        &owned_folders(),
        args.lock_timeout,
    );
    let report = match checked {
        Ok(report) => report,
        Err(CheckError::Untrusted(entries)) => return untrusted(out, &entries),
        Err(CheckError::Busy { waited }) => return busy(out, waited),
        Err(CheckError::Root(root)) => return not_a_folder(&root),
        Err(CheckError::OtherModel { recorded, this }) => {
            return other_model(
                args,
                &recorded,
                &this,
                "give check the folder this model was generated into",
            );
        }
        Err(CheckError::Unreadable(message)) => {
            Diagnostic::nowhere(message).eprint();
            return ExitCode::from(2);
        }
        Err(CheckError::Unproved(files)) => {
            let errors = files
                .iter()
                .map(|(path, reason)| {
                    Diagnostic::nowhere(format!("{}: {reason}", out.join(path).display()))
                })
                .collect();
            crate::diag::eprint_all_with_hint(
                errors,
                "`generate` would refuse it: remove its entry from .rolegraph-manifest, or let `generate --force` take it",
            );
            return ExitCode::from(2);
        }
    };
    for (_, diff) in &report.stale {
        crate::cli::stdout::out(diff);
    }
    for path in &report.missing {
        crate::term::eprintln(&format!("missing: {}", out.join(path).display()));
    }
    for path in &report.extra {
        crate::term::eprintln(&format!(
            "no longer generated: {}",
            out.join(path).display()
        ));
    }
    if report.in_sync() {
        if verbosity() == Verbosity::Quiet {
            return ExitCode::SUCCESS;
        }
        crate::cli::stdout::outln(&format!(
            "{} is up to date ({} files)",
            out.display(),
            files.len()
        ));
        return ExitCode::SUCCESS;
    }
    crate::term::eprintln(&format!(
        "{} is out of date: {} stale, {} missing, {} no longer generated; run `{}`",
        out.display(),
        report.stale.len(),
        report.missing.len(),
        report.extra.len(),
        args.generate_command()
    ));
    ExitCode::from(1)
}
