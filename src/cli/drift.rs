//! `rolegraph drift`: the model's plan against the accounts' authorization details.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::invalid;
use crate::diag::Diagnostic;
use crate::drift::{Scope, drift};
use crate::model::Access;
use crate::plan::Format;

pub struct DriftArgs<'a> {
    pub model: &'a Path,
    pub access: Access,
    pub live: &'a [PathBuf],
    pub vars: Vec<(String, String)>,
    pub all: bool,
    pub format: Format,
}

pub fn run(args: DriftArgs) -> ExitCode {
    let graph = match crate::compile_with(args.model, args.access) {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    let inputs = match super::read::inputs(&graph, args.vars) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let unset: Vec<Diagnostic> = graph
        .inputs
        .iter()
        .filter(|i| !inputs.0.contains_key(&i.name))
        .map(|i| {
            Diagnostic::at(&i.loc, format!("input `{}` has no value", i.name)).hint(format!(
                "drift compares trust policies with the External ID deployed: pass `--var {}=<the ID>`",
                i.name
            ))
        })
        .collect();
    if !unset.is_empty() {
        crate::diag::eprint_all(&unset);
        return ExitCode::from(2);
    }
    let accounts = match crate::live::read_all(args.live, args.access) {
        Ok(accounts) => accounts,
        Err(diags) => return invalid(&diags),
    };
    let plan = crate::plan::plan(&graph, &inputs);
    let scope = if args.all { Scope::All } else { Scope::Managed };
    let report = match drift(&plan, &accounts, scope) {
        Ok(report) => report,
        Err(diags) => return invalid(&diags),
    };
    for note in &report.notes {
        crate::term::eprintln(&format!(
            "{}: {note}",
            crate::term::paint(
                crate::term::Stream::Stderr,
                crate::term::Style::Note,
                "note"
            )
        ));
    }
    match args.format {
        Format::Text => super::stdout::out(&report.render_text()),
        Format::Json => match serde_json::to_string_pretty(&report.to_json()) {
            Ok(json) => super::stdout::outln(&json),
            Err(err) => {
                Diagnostic::nowhere(format!("cannot render the report: {err}")).eprint();
                return ExitCode::from(1);
            }
        },
    }
    if report.in_sync() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
