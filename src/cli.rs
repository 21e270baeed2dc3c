//! Command-line interface. Exit codes follow terraform and cargo: 0 success, 1 a failure
//! that is not the model's fault (writing output), 2 invalid model or usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod init;
mod output;
mod stdout;

use crate::diag::{Diagnostic, Diagnostics, plural};
use crate::lint::{Format, Severity};
use crate::model::Access;

const EXIT_CODES: &str = "Exit codes:
  0    success
  1    a lint error that the model does not accept, or the output could not be written
  2    the model is invalid, the command line is wrong, a file to replace or delete was
       edited by hand or not written by rolegraph, the manifest names a path outside the
       backends' folders, or another run holds the folder (nothing is written)
  130  interrupted (SIGINT), 143 terminated (SIGTERM): the previous tree is intact, or
       the new one complete
  141  standard output was a closed pipe";

const EXIT_CODES_READ_ONLY: &str = "Exit codes:
  0  success
  2  the model is invalid, a role or input named on the command line is unknown or
     its value invalid, or the command line is wrong";

const CHECK_EXIT_CODES: &str = "Exit codes:
  0  the folder is what `generate` would write
  1  it is not: stale, missing or no longer generated files (listed)
  2  the model is invalid, the command line is wrong, the manifest names a path outside
     the backends' folders, something in the folder cannot be read, or another run holds
     the folder";

const INIT_EXIT_CODES: &str = "Exit codes:
  0  the files were written
  1  they could not be written
  2  a file exists (and no --force), or the command line is wrong";

const LINT_EXIT_CODES: &str = "Exit codes:
  0  no finding at or above --deny, other than accepted ones
  1  at least one such finding
  2  the model is invalid, or the command line is wrong";

#[derive(Parser, Debug)]
#[command(
    name = "rolegraph",
    version,
    about = "Generate Terraform and CloudFormation for an AWS IAM trust topology from one model",
    long_about = "rolegraph reads one model of AWS IAM roles and the trust between them \
(rolegraph.yaml) and writes Terraform and CloudFormation that agree by construction: every \
trust edge yields both the target's trust policy and the source's sts:AssumeRole grant.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors and what was asked for (no summaries, no lint warnings).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Also list every file written or deleted.
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Colour: on a terminal (auto), always or never; never when NO_COLOR is set.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: crate::term::ColorChoice,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write Terraform and CloudFormation for the model into a folder.
    ///
    /// The folder's `.rolegraph-manifest` records the files rolegraph owns. A rerun deletes
    /// owned files the model no longer produces, and refuses to overwrite or delete a
    /// file that was edited by hand or that rolegraph never wrote (unless --force).
    #[command(after_help = EXIT_CODES)]
    Generate {
        #[command(flatten)]
        output: output::OutputArgs,
        /// Overwrite or delete files even when they were edited by hand, or were never
        /// written by rolegraph.
        #[arg(long)]
        force: bool,
        /// Skip syncing to disk, for throwaway output. A killed run still never leaves half
        /// a file; only a power loss could.
        #[arg(long)]
        no_sync: bool,
    },
    /// Compare a folder with what `generate` would write now; writes nothing.
    ///
    /// Prints a unified diff for each stale file, and lists missing files and owned files
    /// the model no longer produces. For CI and pre-commit: exit 1 when out of sync.
    #[command(after_help = CHECK_EXIT_CODES)]
    Check {
        #[command(flatten)]
        output: output::OutputArgs,
    },
    /// Check the model against security rules (RG001…); exit 1 on findings at or above --deny.
    #[command(after_help = LINT_EXIT_CODES)]
    Lint {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// The lowest severity that fails the run.
        #[arg(long, value_enum, default_value = "error")]
        deny: Severity,
    },
    /// Draw the trust graph: accounts as subgraphs, roles as nodes, edges with their conditions.
    #[command(after_help = EXIT_CODES_READ_ONLY)]
    Graph {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: crate::diagram::Format,
    },
    /// Show who can assume a role (directly and through chains) and what it can assume.
    #[command(after_help = EXIT_CODES_READ_ONLY)]
    Explain {
        /// `[MODEL] ROLE`: the model file (default rolegraph.yaml), and a role key or IAM name.
        #[arg(num_args = 1..=2, required = true, value_names = ["MODEL", "ROLE"])]
        args: Vec<String>,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: crate::explain::Format,
    },
    /// Print the IAM that deploying the output must leave in each account; writes nothing.
    ///
    /// Roles with their trust and inline policies, attached policies, instance profiles and
    /// managed policies, per account. Both backends are tested to build exactly this state.
    /// `--format json` gives it as the IAM API reports it, normalized (lone values as
    /// lists; statements, values and keys sorted).
    #[command(after_help = EXIT_CODES_READ_ONLY)]
    Plan {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: crate::plan::Format,
        /// A deploy-time input's value (`external_id: { input: NAME }`); repeatable.
        /// Inputs without a value show as `${input.NAME}`.
        #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
        vars: Vec<(String, String)>,
    },
    /// Print the model's JSON Schema (draft-07), for editors and validators.
    Schema,
    /// Start a model: write `rolegraph.yaml` (and the schema it names for editors).
    #[command(after_help = INIT_EXIT_CODES)]
    Init {
        /// Start from the Seqera Platform example instead of a minimal model.
        #[arg(long, value_enum)]
        example: Option<init::Example>,
        /// The folder to write into.
        #[arg(long, default_value = ".", value_name = "DIR")]
        dir: PathBuf,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script, e.g. `rolegraph completions bash > /etc/bash_completion.d/rolegraph`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): rolegraph(1), or rolegraph-COMMAND(1) for one command,
    /// e.g. `rolegraph man generate > /usr/local/share/man/man1/rolegraph-generate.1`.
    Man {
        /// The command whose page to print; none for rolegraph(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Check the model and print a one-line summary; writes nothing.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
    },
}

/// What the model may make rolegraph read besides itself.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct AccessArgs {
    /// Read policy files that resolve (links included) outside the folder that holds the
    /// model; without it, such a `file:` is an error, so that a model from someone else's
    /// commit cannot read files elsewhere on the machine.
    #[arg(long)]
    allow_outside_files: bool,
}

impl AccessArgs {
    pub fn access(self) -> crate::model::Access {
        crate::model::Access {
            outside_files: self.allow_outside_files,
        }
    }
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage(&err),
    };
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => crate::term::Verbosity::Quiet,
        (_, true) => crate::term::Verbosity::Verbose,
        _ => crate::term::Verbosity::Normal,
    };
    crate::term::init(cli.color, verbosity);
    match cli.command {
        Command::Generate {
            output,
            force,
            no_sync,
        } => output::generate(&output, force, no_sync),
        Command::Check { output } => output::check(&output),
        Command::Schema => match serde_json::to_string_pretty(&crate::model::schema::json_schema())
        {
            Ok(json) => {
                crate::cli::stdout::outln(&json);
                ExitCode::SUCCESS
            }
            Err(err) => {
                Diagnostic::nowhere(format!("cannot render the schema: {err}")).eprint();
                ExitCode::from(1)
            }
        },
        Command::Init {
            example,
            dir,
            force,
        } => init::init(example, &dir, force),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "rolegraph", &mut script);
            crate::cli::stdout::out(&String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
        Command::Man { command: name } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            if let Some(name) = name {
                let Some(sub) = command.find_subcommand(&name).cloned() else {
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
            let rendered = clap_mangen::Man::new(command).render(&mut page);
            match rendered {
                Ok(()) => {
                    crate::cli::stdout::out(&String::from_utf8_lossy(&page));
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    Diagnostic::nowhere(format!("cannot write the man page: {err}")).eprint();
                    ExitCode::from(1)
                }
            }
        }
        Command::Validate { model, access } => validate(&model, access.access()),
        Command::Plan {
            model,
            access,
            format,
            vars,
        } => plan(&model, access.access(), format, vars),
        Command::Graph {
            model,
            access,
            format,
        } => graph(&model, access.access(), format),
        Command::Explain {
            args,
            access,
            format,
        } => {
            let (model, role) = match args.as_slice() {
                [role] => (PathBuf::from("rolegraph.yaml"), role.as_str()),
                [model, role] => (PathBuf::from(model), role.as_str()),
                _ => unreachable!("clap takes one or two values"),
            };
            explain(&model, access.access(), role, format)
        }
        Command::Lint {
            model,
            access,
            format,
            deny,
        } => lint(&model, access.access(), format, deny),
    }
}

/// What clap has to say instead of a run: help and version go through `stdout::out`, so a
/// closed pipe is no crash; usage errors go to standard error with exit 2.
fn usage(err: &clap::Error) -> ExitCode {
    if err.use_stderr() {
        let _ = err.print();
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
    eprintln!("{diags}");
    ExitCode::from(2)
}

fn validate(model: &Path, access: Access) -> ExitCode {
    match crate::compile_with(model, access) {
        Ok(graph) => {
            crate::cli::stdout::outln(&format!(
                "{}: valid: {}, {}, {}",
                model.display(),
                plural(graph.accounts.len(), "account"),
                plural(graph.roles.len(), "role"),
                plural(graph.trust_edge_count, "trust edge")
            ));
            ExitCode::SUCCESS
        }
        Err(diags) => invalid(&diags),
    }
}

fn parse_var(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{arg}` is not NAME=VALUE")),
    }
}

fn plan(
    model: &Path,
    access: Access,
    format: crate::plan::Format,
    vars: Vec<(String, String)>,
) -> ExitCode {
    let graph = match crate::compile_with(model, access) {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    let mut errors = Vec::new();
    let mut inputs = crate::plan::Inputs::default();
    for (name, value) in vars {
        if graph
            .inputs
            .binary_search_by(|i| i.name.cmp(&name))
            .is_err()
        {
            let names = graph.inputs.iter().map(|i| i.name.as_str());
            let hint = match crate::diag::closest(&name, names.clone()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if graph.inputs.is_empty() => "the model has no inputs".to_owned(),
                None => format!(
                    "the model's inputs are {}",
                    names.collect::<Vec<_>>().join(", ")
                ),
            };
            errors.push(
                Diagnostic::nowhere(format!("--var {name}: the model has no such input"))
                    .hint(hint),
            );
        } else if let Err((message, hint)) = crate::ir::checks::external_id(&value) {
            errors.push(Diagnostic::nowhere(format!("--var {name}: {message}")).hint(hint));
        } else if inputs.0.insert(name.clone(), value).is_some() {
            errors.push(Diagnostic::nowhere(format!("--var {name} is given twice")));
        }
    }
    if !errors.is_empty() {
        crate::diag::eprint_all(&errors);
        return ExitCode::from(2);
    }
    let plan = crate::plan::plan(&graph, &inputs);
    match format {
        crate::plan::Format::Text => crate::cli::stdout::out(&crate::plan::render_text(&plan)),
        crate::plan::Format::Json => match serde_json::to_string_pretty(&plan) {
            Ok(json) => crate::cli::stdout::outln(&json),
            Err(err) => {
                Diagnostic::nowhere(format!("cannot render the plan: {err}")).eprint();
                return ExitCode::from(1);
            }
        },
    }
    ExitCode::SUCCESS
}

fn graph(model: &Path, access: Access, format: crate::diagram::Format) -> ExitCode {
    match crate::compile_with(model, access) {
        Ok(graph) => {
            crate::cli::stdout::out(&crate::diagram::render(&graph, format));
            ExitCode::SUCCESS
        }
        Err(diags) => invalid(&diags),
    }
}

fn explain(model: &Path, access: Access, role: &str, format: crate::explain::Format) -> ExitCode {
    let graph = match crate::compile_with(model, access) {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    match crate::explain::find_role(&graph, role) {
        Ok(idx) => {
            crate::cli::stdout::out(&crate::explain::render(
                &crate::explain::explain(&graph, idx),
                format,
            ));
            ExitCode::SUCCESS
        }
        Err(diag) => invalid(&diag.into()),
    }
}

fn lint(model: &Path, access: Access, format: Format, deny: Severity) -> ExitCode {
    let graph = match crate::compile_with(model, access) {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    let findings = crate::lint::lint(&graph);
    crate::cli::stdout::out(&crate::lint::render(&findings, format));
    if findings.iter().any(|f| f.fails(deny)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
