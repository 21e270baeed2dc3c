//! Command-line interface. Exit codes follow terraform and cargo: 0 success, 1 a failure
//! that is not the model's fault (writing output), 2 invalid model or usage.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod drift;
mod import;
mod init;
mod new_files;
mod output;
mod read;
mod stdout;

pub use args::{AccessArgs, Cli, Command};

use crate::diag::{Diagnostic, Diagnostics};
use crate::term::Verbosity;

/// Runs the command line; a standard error that failed on the way decides the status, since
/// the run could not say what it did.
pub fn run() -> ExitCode {
    let code = run_command();
    match crate::term::stderr_status() {
        Some(status) => ExitCode::from(status),
        None => code,
    }
}

fn run_command() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage(&err),
    };
    crate::term::init(cli.color, verbosity(&cli.command));
    match cli.command {
        Command::Generate {
            output,
            force,
            no_sync,
            talk: _,
        } => output::generate(&output, force, no_sync),
        Command::Check { output, quiet: _ } => output::check(&output),
        Command::Schema => schema(),
        Command::Init {
            example,
            dir,
            force,
            access,
            quiet: _,
        } => init::init(example, &dir, force, access.access()),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "rolegraph", &mut script);
            stdout::out(&String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
        Command::Man { command } => man(command.as_deref()),
        Command::Validate {
            model,
            access,
            format,
            quiet: _,
        } => read::validate(&model, access.access(), format),
        Command::Plan {
            model,
            access,
            format,
            vars,
        } => read::plan(&model, access.access(), format, vars),
        Command::Graph {
            model,
            access,
            format,
        } => read::graph(&model, access.access(), format),
        Command::Explain {
            model,
            role,
            access,
            format,
        } => {
            let (model, role) = match (model, role) {
                (Some(model), Some(role)) => (model, role),
                (Some(role), None) => ("rolegraph.yaml".to_owned(), role),
                (None, _) => return usage(&missing_role()),
            };
            read::explain(model.as_ref(), access.access(), &role, format)
        }
        Command::Lint {
            model,
            live,
            access,
            format,
            deny,
        } => match live.is_empty() {
            true => {
                let model = model.unwrap_or_else(|| "rolegraph.yaml".into());
                read::lint(&model, access.access(), format, deny)
            }
            false => read::lint_live(&live, model.as_deref(), access.access(), format, deny),
        },
        Command::Drift {
            model,
            live,
            vars,
            all,
            format,
            access,
        } => drift::run(drift::DriftArgs {
            model: &model,
            access: access.access(),
            live: &live,
            vars,
            all,
            format,
        }),
        Command::Import {
            files,
            accounts,
            name,
            dir,
            include,
            force,
            format,
            access,
            quiet: _,
        } => import::run(import::ImportArgs {
            files: &files,
            accounts: &accounts,
            name: &name,
            dir: &dir,
            include,
            force,
            format,
            access: access.access(),
        }),
    }
}

fn verbosity(command: &Command) -> Verbosity {
    match command {
        Command::Generate { talk, .. } => talk.verbosity(),
        Command::Check { quiet, .. }
        | Command::Init { quiet, .. }
        | Command::Import { quiet, .. }
        | Command::Validate { quiet, .. } => quiet.verbosity(),
        _ => Verbosity::Normal,
    }
}

/// `explain` with no role: clap's own message and usage line, since clap cannot require
/// the second of two positionals when the first may be left out.
fn missing_role() -> clap::Error {
    let mut command = <Cli as clap::CommandFactory>::command();
    let explain = command
        .find_subcommand_mut("explain")
        .expect("explain is a command");
    explain.error(
        clap::error::ErrorKind::MissingRequiredArgument,
        "the following required arguments were not provided:\n  <ROLE>",
    )
}

fn schema() -> ExitCode {
    match serde_json::to_string_pretty(&crate::model::schema::json_schema()) {
        Ok(json) => {
            stdout::outln(&json);
            ExitCode::SUCCESS
        }
        Err(err) => {
            Diagnostic::nowhere(format!("cannot render the schema: {err}")).eprint();
            ExitCode::from(1)
        }
    }
}

fn man(name: Option<&str>) -> ExitCode {
    let mut command = <Cli as clap::CommandFactory>::command();
    if let Some(name) = name {
        let Some(sub) = command.find_subcommand(name).cloned() else {
            let names: Vec<String> = command
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            Diagnostic::nowhere(format!("no command `{name}`"))
                .hint(format!("one of {}", names.join(", ")))
                .eprint();
            return ExitCode::from(2);
        };
        command = sub.name(format!("rolegraph-{name}"));
    }
    let mut page = Vec::new();
    match clap_mangen::Man::new(command).render(&mut page) {
        Ok(()) => {
            stdout::out(&String::from_utf8_lossy(&page));
            ExitCode::SUCCESS
        }
        Err(err) => {
            Diagnostic::nowhere(format!("cannot write the man page: {err}")).eprint();
            ExitCode::from(1)
        }
    }
}

/// What clap has to say instead of a run: help and version go through `stdout::out`, so a
/// closed pipe is no crash; usage errors go to standard error with exit 2.
fn usage(err: &clap::Error) -> ExitCode {
    if err.use_stderr() {
        let color = crate::term::colored(crate::term::Stream::Stderr)
            || (std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()));
        let rendered = err.render();
        match color {
            true => crate::term::eprint(&rendered.ansi().to_string()),
            false => crate::term::eprint(&rendered.to_string()),
        }
        return ExitCode::from(2);
    }
    let rendered = err.render();
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        crate::cli::stdout::out(&rendered.ansi().to_string());
    } else {
        crate::cli::stdout::out(&rendered.to_string());
    }
    ExitCode::SUCCESS
}

pub(crate) fn invalid(diags: &Diagnostics) -> ExitCode {
    crate::term::eprintln(&diags.to_string());
    ExitCode::from(2)
}
