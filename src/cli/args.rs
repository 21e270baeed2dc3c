//! The command line as clap parses it. Each command lists only the flags it takes and the
//! exit codes it can give, so `rolegraph help COMMAND` never promises what it does not do.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::init;
use super::output;
use crate::lint::{Format, Severity};

const EXIT_CODES: &str = "Exit codes (each command's help lists its own):
  0    success
  1    lint errors, a folder out of date, or output that could not be written
  2    an invalid model, a wrong command line, or a folder rolegraph will not write into
  130  interrupted (SIGINT), 143 terminated (SIGTERM)
  141  standard output or error was a closed pipe";

const GENERATE_EXIT_CODES: &str = "Exit codes:
  0    success
  1    a lint error that the model does not accept, or the output could not be written
  2    the model is invalid, the command line is wrong, --out is not a folder or passes
       through a link, a file to replace or delete was edited by hand or not written by
       rolegraph (its header proves it, not the manifest alone), the folder holds
       another model's output, the manifest names a path outside the backends' folders,
       another run holds the folder, or an --adopt file is bad or holds a model role's
       name under another path (nothing is written)
  130  interrupted (SIGINT), 143 terminated (SIGTERM): the previous tree is intact, or
       the new one complete
  141  standard output or error was a closed pipe";

const READ_ONLY_EXIT_CODES: &str = "Exit codes:
  0  success
  2  the model is invalid, a role or input named on the command line is unknown or
     its value invalid, or the command line is wrong";

const VALIDATE_EXIT_CODES: &str = "Exit codes:
  0  the model is valid
  2  it is not (every error is listed), or the command line is wrong";

const CHECK_EXIT_CODES: &str = "Exit codes:
  0  the folder is what `generate` would write
  1  it is not: stale, missing or no longer generated files (listed)
  2  the model is invalid, the command line is wrong, --out is not a folder or passes
     through a link, the folder holds another model's output, the manifest names a
     path outside the backends' folders or a file without rolegraph's header,
     something in the folder cannot be read, or another run holds the folder";

const INIT_EXIT_CODES: &str = "Exit codes:
  0  the files were written
  1  they could not be written
  2  a file exists, a link included (and no --force), --dir passes through a link, or
     the command line is wrong (nothing is written)";

const IMPORT_EXIT_CODES: &str = "Exit codes:
  0  the model was written, and says everything the accounts hold
  1  it was written, but something in the accounts cannot be said in the model (the
     report's `not expressible` lines name each), or it could not be written
  2  a file is not authorization-details or list-roles JSON, is cut short, repeats a
     key or an account, or lies outside the folder it is named in; an --account or
     --name is wrong; a file to write exists (and no --force); --dir passes through a
     link; or the command line is wrong (nothing is written)";

const LINT_EXIT_CODES: &str = "Exit codes:
  0  no finding at or above --deny, other than accepted ones
  1  at least one such finding
  2  the model is invalid, a --live file is not authorization-details or list-roles
     JSON (or the accounts hold what the model cannot say), or the command line is wrong";

const DRIFT_EXIT_CODES: &str = "Exit codes:
  0  the accounts hold what the model's plan expects
  1  they do not: every difference is listed (account, resource, part, statements)
  2  the model is invalid, an input has no --var value, a --live file is not
     authorization-details or list-roles JSON or is cut short, a model account has no
     file, or the command line is wrong";

const PRINT_EXIT_CODES: &str = "Exit codes:
  0  success
  1  the text could not be rendered
  2  the command line is wrong";

const MODEL_HELP: &str = "The model file, or `-` for standard input (then policy `file:` paths are \
relative to the current folder)";

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

/// `--quiet` and `--verbose`, for `generate`, the one command that has more to say.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Talk {
    /// Print only errors (no summary line, no lint warnings).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also list every file written or deleted.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Quiet {
    /// Print only errors (no summary line).
    #[arg(long, short)]
    pub quiet: bool,
}

impl Talk {
    pub fn verbosity(self) -> crate::term::Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => crate::term::Verbosity::Quiet,
            (_, true) => crate::term::Verbosity::Verbose,
            _ => crate::term::Verbosity::Normal,
        }
    }
}

impl Quiet {
    pub fn verbosity(self) -> crate::term::Verbosity {
        Talk {
            quiet: self.quiet,
            verbose: false,
        }
        .verbosity()
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write Terraform and CloudFormation for the model into a folder.
    ///
    /// The folder's `.rolegraph-manifest` records the files rolegraph owns. A rerun deletes
    /// owned files the model no longer produces, and refuses to overwrite or delete a
    /// file that was edited by hand or that rolegraph never wrote (unless --force).
    #[command(after_help = GENERATE_EXIT_CODES)]
    Generate {
        #[command(flatten)]
        output: output::OutputArgs,
        /// Overwrite or delete files even when they were edited by hand, or were never
        /// written by rolegraph; take over a folder that holds another model's output.
        #[arg(long)]
        force: bool,
        /// Skip syncing to disk, for throwaway output. A killed run still never leaves half
        /// a file; only a power loss could.
        #[arg(long)]
        no_sync: bool,
        #[command(flatten)]
        talk: Talk,
    },
    /// Compare a folder with what `generate` would write now; writes nothing.
    ///
    /// Prints a unified diff for each stale file, and lists missing files and owned files
    /// the model no longer produces. For CI and pre-commit: exit 1 when out of sync.
    #[command(after_help = CHECK_EXIT_CODES)]
    Check {
        #[command(flatten)]
        output: output::OutputArgs,
        #[command(flatten)]
        quiet: Quiet,
    },
    /// Check the model against security rules (RG001…); exit 1 on findings at or above --deny.
    ///
    /// With --live FILE..., the rules run on what the accounts hold instead (the topology
    /// `import` recovers from their authorization details), each finding placed at its
    /// account and role; a MODEL given too (before --live) lends its `seqera:` section,
    /// so that the Seqera rules judge the deployed trust policies.
    #[command(
        after_help = LINT_EXIT_CODES,
        override_usage = "rolegraph lint [OPTIONS] [MODEL] [--live <FILE>...]"
    )]
    Lint {
        /// The model file (default rolegraph.yaml, or none with --live), or `-` for
        /// standard input.
        #[arg(value_name = "MODEL")]
        model: Option<PathBuf>,
        /// Authorization-details (and list-roles) files of live accounts; repeatable.
        #[arg(long, num_args = 1.., value_name = "FILE")]
        live: Vec<PathBuf>,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// The lowest severity that fails the run.
        #[arg(long, value_enum, default_value = "error")]
        deny: Severity,
    },
    /// Draw the trust graph: accounts as subgraphs, roles as nodes, edges with their conditions.
    #[command(after_help = READ_ONLY_EXIT_CODES)]
    Graph {
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL", help = MODEL_HELP)]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: crate::diagram::Format,
    },
    /// Show who can assume a role (directly and through chains) and what it can assume.
    ///
    /// With one argument, it is the role and the model is ./rolegraph.yaml.
    #[command(
        after_help = READ_ONLY_EXIT_CODES,
        override_usage = "rolegraph explain [OPTIONS] [MODEL] <ROLE>"
    )]
    Explain {
        /// The model file (default rolegraph.yaml), or `-` for standard input.
        #[arg(value_name = "MODEL")]
        model: Option<String>,
        /// A role key or IAM role name.
        #[arg(value_name = "ROLE")]
        role: Option<String>,
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
    #[command(after_help = READ_ONLY_EXIT_CODES)]
    Plan {
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL", help = MODEL_HELP)]
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
    /// Compare the IAM the model expects (its plan) with what the accounts hold now.
    ///
    /// Each --live FILE is one account's `aws iam get-account-authorization-details`
    /// output, or its `aws iam list-roles` output (which adds descriptions and session
    /// lengths). Every model account needs one. The model's roles, managed policies and
    /// instance profiles are compared part by part, so a policy attached or a trust
    /// statement added by hand is drift; resources the model does not have are ignored
    /// unless --all.
    #[command(
        after_help = DRIFT_EXIT_CODES,
        override_usage = "rolegraph drift [OPTIONS] [MODEL] --live <FILE>..."
    )]
    Drift {
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL", help = MODEL_HELP)]
        model: PathBuf,
        /// An authorization-details or list-roles file; repeatable.
        #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
        live: Vec<PathBuf>,
        /// A deploy-time input's value (`external_id: { input: NAME }`); every input needs one.
        #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
        vars: Vec<(String, String)>,
        /// Also report every resource the model does not have, in every account given.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: crate::plan::Format,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Write a model of roles that already exist, from each account's IAM.
    ///
    /// Each FILE is one account's `aws iam get-account-authorization-details` output, or
    /// its `aws iam list-roles` output (which adds descriptions and session lengths).
    /// Writes DIR/rolegraph.yaml, its policy files and the schema, and prints a report:
    /// the trust edges recovered (a trust naming an imported role that holds the grant
    /// becomes `role:`, and the grant is folded away), what was skipped, and what the
    /// model cannot say. Then `generate --adopt FILE...` imports instead of creating.
    #[command(after_help = IMPORT_EXIT_CODES)]
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A key for the account with this id (default `account-<id>`); repeatable.
        #[arg(long = "account", value_name = "KEY=ID", value_parser = parse_var)]
        accounts: Vec<(String, String)>,
        /// The model's name.
        #[arg(long, default_value = "imported", value_name = "NAME")]
        name: String,
        /// The folder to write into.
        #[arg(long, default_value = ".", value_name = "DIR")]
        dir: PathBuf,
        /// Only roles whose path and name (`/seqera/Role-A`) this regular expression
        /// matches somewhere.
        #[arg(long, value_name = "REGEX")]
        include: Option<regex::Regex>,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: crate::plan::Format,
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        quiet: Quiet,
    },
    /// Print the model's JSON Schema (draft-07), for editors and validators.
    #[command(after_help = PRINT_EXIT_CODES)]
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
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        quiet: Quiet,
    },
    /// Print a shell completion script, e.g. `rolegraph completions bash > /etc/bash_completion.d/rolegraph`.
    #[command(after_help = PRINT_EXIT_CODES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): rolegraph(1), or rolegraph-COMMAND(1) for one command,
    /// e.g. `rolegraph man generate > /usr/local/share/man/man1/rolegraph-generate.1`.
    #[command(after_help = PRINT_EXIT_CODES)]
    Man {
        /// The command whose page to print; none for rolegraph(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Check the model and print a one-line summary; writes nothing.
    #[command(after_help = VALIDATE_EXIT_CODES)]
    Validate {
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL", help = MODEL_HELP)]
        model: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
        /// `json`: every diagnostic as an object with file, line, column, message and
        /// hint, for editors and CI.
        #[arg(long, value_enum, default_value = "text")]
        format: crate::diag::Format,
        #[command(flatten)]
        quiet: Quiet,
    },
}

/// What the model may make rolegraph read besides itself.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct AccessArgs {
    /// Read inputs that resolve (links included) outside the folder they are named in: the
    /// model, its policy files (outside the model's folder), --templates files, --live and
    /// --adopt files. Without it, such an input is an error, read no further, so that a
    /// link in someone else's commit cannot make rolegraph show a file from elsewhere on
    /// the machine.
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

fn parse_var(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{arg}` is not NAME=VALUE")),
    }
}
