//! Lint output: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning tools.

use serde_json::{Value, json};

use super::{Finding, RULES, Severity};
use crate::diag::plural;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

pub fn render(findings: &[Finding], format: Format) -> String {
    render_to(findings, format, crate::term::Stream::Stdout)
}

/// As `render`, with colour decided for `stream` (`generate` prints findings to stderr).
pub fn render_to(findings: &[Finding], format: Format, stream: crate::term::Stream) -> String {
    match format {
        Format::Text => text(findings, stream),
        Format::Json => pretty(&json_report(findings)),
        Format::Sarif => pretty(&sarif(findings)),
    }
}

fn pretty(value: &Value) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let open = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.accepted.is_none() && f.rule.severity == s)
            .count()
    };
    let accepted = findings.iter().filter(|f| f.accepted.is_some()).count();
    (open(Severity::Error), open(Severity::Warning), accepted)
}

/// One block per finding, like compiler diagnostics, and a summary line.
fn text(findings: &[Finding], stream: crate::term::Stream) -> String {
    use crate::term::{Style, paint};
    let mut out = String::new();
    for f in findings {
        let label = match &f.accepted {
            Some(_) => paint(stream, Style::Note, "accepted"),
            None => {
                let style = match f.rule.severity {
                    Severity::Error => Style::Error,
                    Severity::Warning => Style::Warning,
                };
                paint(stream, style, f.rule.severity.as_str())
            }
        };
        let at = match &f.place {
            Some(p) => format!("{}/{}", p.account, p.role),
            None => f.loc.to_string(),
        };
        out.push_str(&format!("{at}: {label}[{}]: {}\n", f.rule.id, f.message));
        match &f.accepted {
            Some(reason) => out.push_str(&format!("  accepted because: {reason}\n")),
            None => out.push_str(&format!(
                "  {}: {}\n",
                paint(stream, Style::Note, "hint"),
                f.hint
            )),
        }
    }
    let (errors, warnings, accepted) = counts(findings);
    out.push_str(&format!(
        "lint: {}, {}, {} accepted\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        accepted
    ));
    out
}

fn json_report(findings: &[Finding]) -> Value {
    let items: Vec<Value> = findings
        .iter()
        .map(|f| {
            let (file, line, column) = position(f);
            let mut item = json!({
                "rule": f.rule.id,
                "severity": f.rule.severity,
                "file": file,
                "line": line,
                "column": column,
                "message": f.message,
                "hint": f.hint,
                "accepted": f.accepted.as_ref().map(|reason| json!({ "reason": reason })),
            });
            if let Some(p) = &f.place {
                item["account"] = json!(p.account);
                item["role"] = json!(p.role);
                item["arn"] = json!(p.arn);
            }
            item
        })
        .collect();
    let (errors, warnings, accepted) = counts(findings);
    json!({
        "findings": items,
        "summary": { "errors": errors, "warnings": warnings, "accepted": accepted },
    })
}

fn sarif(findings: &[Finding]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.help },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": r.severity.as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
            let (file, line, column) = position(f);
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(file) },
                    "region": { "startLine": line, "startColumn": column },
                }
            });
            if let Some(p) = &f.place {
                location["logicalLocations"] = json!([{
                    "name": p.role,
                    "fullyQualifiedName": p.arn,
                    "kind": "resource",
                }]);
            }
            let mut result = json!({
                "ruleId": f.rule.id,
                "ruleIndex": index,
                "level": f.rule.severity.as_str(),
                "message": { "text": format!("{} Hint: {}", f.message, f.hint) },
                "locations": [location],
            });
            if let Some(reason) = &f.accepted {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "rolegraph",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    })
}

/// The file, line and column a reader opens: the model's position, or for a live
/// finding the role's entry in the authorization-details file.
fn position(f: &Finding) -> (&str, u32, u32) {
    match &f.place {
        Some(p) => (&p.file, p.line, 1),
        None => (&f.loc.file, f.loc.line, f.loc.col),
    }
}

/// A relative URI reference for a file path: `/` separators, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}
