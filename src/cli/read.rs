//! The commands that read the model and print: validate, plan, graph, explain, lint.

use std::path::Path;
use std::process::ExitCode;

use super::invalid;
use crate::diag::{Diagnostic, plural};
use crate::lint::{Format, Severity};
use crate::model::Access;
use crate::term::{Verbosity, verbosity};

pub fn validate(model: &Path, access: Access, format: crate::diag::Format) -> ExitCode {
    let compiled = crate::compile_warned(model, access).map(|(graph, _, warnings)| {
        for warning in &warnings {
            crate::term::eprintln(&warning.to_string());
        }
        graph
    });
    if format == crate::diag::Format::Json {
        let shown = model.display().to_string();
        let (diags, omitted, summary) = match &compiled {
            Ok(graph) => (
                Vec::new(),
                0,
                Some(serde_json::json!({
                    "accounts": graph.accounts.len(),
                    "roles": graph.roles.len(),
                    "trust_edges": graph.trust_edge_count,
                })),
            ),
            Err(diags) => (diags.iter().collect(), diags.omitted(), None),
        };
        let json = crate::diag::render_json(&shown, &diags, omitted, summary);
        crate::cli::stdout::out(&json);
        return if compiled.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    match compiled {
        Ok(graph) => {
            if verbosity() > Verbosity::Quiet {
                crate::cli::stdout::outln(&format!(
                    "{}: valid: {}, {}, {}",
                    model.display(),
                    plural(graph.accounts.len(), "account"),
                    plural(graph.roles.len(), "role"),
                    plural(graph.trust_edge_count, "trust edge")
                ));
            }
            // The process ends here: the system frees the graph faster than its drop would.
            std::mem::forget(graph);
            ExitCode::SUCCESS
        }
        Err(diags) => invalid(&diags),
    }
}

pub fn plan(
    model: &Path,
    access: Access,
    format: crate::plan::Format,
    vars: Vec<(String, String)>,
) -> ExitCode {
    let graph = match crate::compile_with(model, access) {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    let inputs = match inputs(&graph, vars) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
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

/// The `--var` values, each checked against the model's inputs and as an External ID.
pub(super) fn inputs(
    graph: &crate::ir::Graph,
    vars: Vec<(String, String)>,
) -> Result<crate::plan::Inputs, ExitCode> {
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
        return Err(ExitCode::from(2));
    }
    Ok(inputs)
}

pub fn graph(model: &Path, access: Access, format: crate::diagram::Format) -> ExitCode {
    match crate::compile_with(model, access) {
        Ok(graph) => {
            crate::cli::stdout::out(&crate::diagram::render(&graph, format));
            ExitCode::SUCCESS
        }
        Err(diags) => invalid(&diags),
    }
}

pub fn explain(
    model: &Path,
    access: Access,
    role: &str,
    format: crate::explain::Format,
) -> ExitCode {
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

pub fn lint(model: &Path, access: Access, format: Format, deny: Severity) -> ExitCode {
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

/// `lint --live`: the rules on the accounts' IAM, with the model's `seqera:` if given.
pub fn lint_live(
    files: &[std::path::PathBuf],
    model: Option<&Path>,
    access: Access,
    format: Format,
    deny: Severity,
) -> ExitCode {
    let graph = match model.map(|m| crate::compile_with(m, access)).transpose() {
        Ok(graph) => graph,
        Err(diags) => return invalid(&diags),
    };
    let linted = crate::live::read_all(files, access)
        .and_then(|accounts| crate::lint::lint_live(&accounts, graph.as_ref()));
    let linted = match linted {
        Ok(linted) => linted,
        Err(diags) => return invalid(&diags),
    };
    for note in &linted.notes {
        let warning = crate::backend::Warning {
            message: note.clone(),
            hint: "give the model the live role's account id and name, or dump that account too"
                .to_owned(),
        };
        crate::term::eprintln(&format!("{warning}"));
    }
    crate::cli::stdout::out(&crate::lint::render(&linted.findings, format));
    if linted.findings.iter().any(|f| f.fails(deny)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
