//! Diagnostics: every user-facing error carries a `file:line:column`, a message and a hint,
//! and all of them are collected before anything is reported, so that one run shows every
//! problem in the model.

mod json;
mod snippet;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use json::{Format, render as render_json};

/// A position in a source file. Lines and columns start at 1, as editors count them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: u32,
    pub col: u32,
    /// How many characters of the line, from `col`, the fault covers, for the marker
    /// under it; 0 when only the position is known.
    pub len: u32,
}

impl Loc {
    pub fn new(file: &Arc<str>, line: u32, col: u32) -> Self {
        Loc {
            file: Arc::clone(file),
            line: line.max(1),
            col: col.max(1),
            len: 0,
        }
    }

    /// `new`, with the length of what is marked.
    pub fn spanning(file: &Arc<str>, line: u32, col: u32, len: usize) -> Self {
        Loc {
            len: len.min(u32::MAX as usize) as u32,
            ..Loc::new(file, line, col)
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Option<Loc>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn at(loc: &Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            loc: Some(loc.clone()),
            message: message.into(),
            hint: None,
        }
    }

    pub fn nowhere(message: impl Into<String>) -> Self {
        Diagnostic {
            loc: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints this error to stderr. Every user-facing error is a `Diagnostic`, printed here
    /// or through `Diagnostics`, so all share one format and its colours.
    pub fn eprint(&self) {
        crate::term::eprintln(&self.to_string());
    }

    /// The first line, `file:line:column: error: message`, which editors and CI matchers
    /// read, and stays the same whether or not a snippet follows.
    fn headline(&self, color: bool) -> String {
        let error = crate::term::paint_if(color, crate::term::Style::Error, "error");
        match &self.loc {
            Some(loc) => format!("{loc}: {error}: {}", self.message),
            None => format!("{error}: {}", self.message),
        }
    }

    /// The whole report: the headline, then the source line with a marker under the fault
    /// when `source` holds it, then the hint.
    pub fn render(&self, source: Option<&mut snippet::Lines>, color: bool) -> String {
        let mut text = self.headline(color);
        let snippet = match (&self.loc, source) {
            (Some(loc), Some(source)) => snippet::render(loc, source, self.hint.as_deref(), color),
            _ => None,
        };
        match (snippet, &self.hint) {
            (Some(snippet), _) => {
                text.push('\n');
                text.push_str(&snippet);
            }
            (None, Some(hint)) => {
                let label = crate::term::paint_if(color, crate::term::Style::Note, "hint");
                text.push_str(&format!("\n  {label}: {hint}"));
            }
            (None, None) => {}
        }
        text
    }
}

/// Prints `errors` one after another, without the count `Diagnostics` ends with: errors
/// of one kind (files that are refused, flags), each with its own hint or none.
pub fn eprint_all(errors: &[Diagnostic]) {
    for error in errors {
        error.eprint();
    }
}

/// `eprint_all`, with one `hint` for them all, after the last.
pub fn eprint_all_with_hint(mut errors: Vec<Diagnostic>, hint: impl Into<String>) {
    if let Some(last) = errors.pop() {
        errors.push(last.hint(hint));
    }
    eprint_all(&errors);
}

/// For standard error, without a snippet (no source at hand).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(None, crate::term::colored(crate::term::Stream::Stderr)))
    }
}

/// The errors of one run, kept in source order so that the report reads top to bottom,
/// with the text of the files they point into, for the snippets.
#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>, Sources, usize);

/// File name as shown in diagnostics → its text.
type Sources = BTreeMap<Arc<str>, Arc<str>>;

/// How many errors a text report shows in full.
pub const SHOWN: usize = 200;

/// How many errors a run keeps; past them it only counts. A 60 MiB model can hold 50
/// million faults, and keeping each would take gigabytes.
pub const KEPT: usize = 10_000;

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.0.len() < KEPT {
            self.0.push(diagnostic);
        } else {
            self.2 += 1;
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.2 += other.2;
        for diagnostic in other.0 {
            self.push(diagnostic);
        }
        self.1.extend(other.1);
    }

    /// Keeps the text of `file`, so that errors in it show the line they are about.
    pub fn add_source(&mut self, file: &Arc<str>, text: &str) {
        self.1.insert(Arc::clone(file), text.into());
    }

    /// The sources of `other`, for errors that were found after the text was read.
    pub fn take_sources(&mut self, other: &mut Diagnostics) {
        self.1.append(&mut other.1);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many errors were found, kept or not.
    pub fn count(&self) -> usize {
        self.0.len() + self.2
    }

    /// How many errors were found past the `KEPT` that are kept.
    pub fn omitted(&self) -> usize {
        self.2
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// The first `SHOWN` errors with their snippets, then how many more there are and the
    /// count, for standard error: a person reads the first screens, and a model of 60,000
    /// errors must not take minutes to report. `validate --format json` lists every one
    /// kept (`KEPT`).
    pub fn render(&self, color: bool) -> String {
        let mut lines: BTreeMap<&Arc<str>, snippet::Lines> = BTreeMap::new();
        let mut text = String::new();
        for diagnostic in self.0.iter().take(SHOWN) {
            let source = diagnostic.loc.as_ref().and_then(|loc| {
                let (file, source) = self.1.get_key_value(&loc.file)?;
                Some(
                    lines
                        .entry(file)
                        .or_insert_with(|| snippet::Lines::of(source)),
                )
            });
            text.push_str(&diagnostic.render(source, color));
            text.push('\n');
        }
        if self.count() > SHOWN {
            let more = plural(self.count() - SHOWN, "more error");
            text.push_str(&format!(
                "… and {more} (`rolegraph validate --format json` lists the first {KEPT})\n"
            ));
        }
        text.push_str(&plural(self.count(), "error"));
        text
    }

    /// Ok when nothing was reported; otherwise the sorted, de-duplicated errors.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            return Ok(value);
        }
        Err(self.sorted())
    }

    /// In source order, without repeats: the order a reader fixes them in.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| a.loc.cmp(&b.loc));
        self.0.dedup();
        self
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic], Sources::new(), 0)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(crate::term::colored(crate::term::Stream::Stderr)))
    }
}

/// `1 error`, `2 errors`: English plurals for the counts in messages.
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["trusted_by", "tags", "name"];
        assert_eq!(closest("trusted_bye", keys), Some("trusted_by"));
        assert_eq!(closest("tgas", keys), Some("tags"));
        assert_eq!(closest("completely_else", keys), None);
    }
}
