//! `validate --format json`: every diagnostic as an object, for editors and CI.

use serde::Serialize;

use super::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `file:line:column: error: …`, the source line and the hint.
    #[default]
    Text,
    /// One JSON object: the summary, or every diagnostic with its position.
    Json,
}

#[derive(Serialize)]
struct Entry<'a> {
    severity: &'static str,
    /// Null for an error that is about no position in a file (an unreadable model).
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    /// The column just past the marked span on the same line, when its length is known.
    end_column: Option<u32>,
    message: &'a str,
    hint: Option<&'a str>,
}

fn entry(diagnostic: &Diagnostic) -> Entry<'_> {
    let loc = diagnostic.loc.as_ref();
    let end_column = loc.and_then(|l| (l.len > 0).then(|| l.col + l.len));
    Entry {
        severity: "error",
        file: loc.map(|l| l.file.as_ref()),
        line: loc.map(|l| l.line),
        column: loc.map(|l| l.col),
        end_column,
        message: &diagnostic.message,
        hint: diagnostic.hint.as_deref(),
    }
}

/// `{"model": …, "valid": false, "diagnostics": [...]}`; `summary` is the counts of a
/// valid model; `omitted`, when there is any, how many errors were found past the ones
/// kept (`diag::KEPT`).
pub fn render(
    model: &str,
    diagnostics: &[&Diagnostic],
    omitted: usize,
    summary: Option<serde_json::Value>,
) -> String {
    let entries: Vec<Entry> = diagnostics.iter().map(|d| entry(d)).collect();
    let mut object = serde_json::json!({
        "model": model,
        "valid": entries.is_empty(),
        "diagnostics": entries,
    });
    if let (Some(summary), Some(map)) = (summary, object.as_object_mut()) {
        map.insert("summary".to_owned(), summary);
    }
    if let (true, Some(map)) = (omitted > 0, object.as_object_mut()) {
        map.insert("omitted".to_owned(), omitted.into());
    }
    let mut text = serde_json::to_string_pretty(&object).unwrap_or_default();
    text.push('\n');
    text
}
