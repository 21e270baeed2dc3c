//! Command-line interface. Exit codes follow terraform and cargo: 0 success, 1 a failure
//! that is not the model's fault (writing output), 2 invalid model or usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::backend::{self, Backend};
use crate::diag::Diagnostics;
use crate::templates::Templates;

const EXIT_CODES: &str = "Exit codes:
  0  success
  1  the output could not be written
  2  the model is invalid, or the command line is wrong (nothing is written)";

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
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write Terraform and CloudFormation for the model into a folder.
    #[command(after_help = EXIT_CODES)]
    Generate {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
        /// Folder to write into; `terraform/` and `cloudformation/` are created in it.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Folder of tera templates that replace the built-in ones of the same file name
        /// (prose only, such as `cloudformation-README.md`).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Check the model and print a one-line summary; writes nothing.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The model file.
        #[arg(default_value = "rolegraph.yaml", value_name = "MODEL")]
        model: PathBuf,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            model,
            out,
            templates,
        } => generate(&model, &out, templates.as_deref()),
        Command::Validate { model } => validate(&model),
    }
}

fn invalid(diags: &Diagnostics) -> ExitCode {
    eprintln!("{diags}");
    ExitCode::from(2)
}

fn validate(model: &Path) -> ExitCode {
    match crate::compile(model) {
        Ok(graph) => {
            println!(
                "{}: valid: {}, {}, {}",
                model.display(),
                count(graph.accounts.len(), "account"),
                count(graph.roles.len(), "role"),
                count(graph.trust_edge_count, "trust edge")
            );
            ExitCode::SUCCESS
        }
        Err(diags) => invalid(&diags),
    }
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn generate(model: &Path, out: &Path, templates: Option<&Path>) -> ExitCode {
    let files = match crate::compile(model).and_then(|graph| {
        let templates = Templates::with_overrides(templates)?;
        backend::generate_all(&graph, &Backend::ALL, &templates)
    }) {
        Ok(files) => files,
        Err(diags) => return invalid(&diags),
    };
    match files.write(out) {
        Ok(report) => {
            println!(
                "wrote {} of {} files to {} ({} unchanged)",
                report.written.len(),
                files.len(),
                out.display(),
                report.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write to {}: {err}", out.display());
            ExitCode::from(1)
        }
    }
}
