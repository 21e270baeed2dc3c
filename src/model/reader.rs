//! Typed reads from the YAML tree that record a diagnostic instead of stopping, so a
//! model with five mistakes reports five errors in one run. Each read's `what` (where the
//! value stands, for the message) is formatted only when there is something to report.

use std::fmt::Display;
use std::sync::Arc;

use super::node::{Node, Value};
use super::types::Sp;
use crate::diag::{Diagnostic, Diagnostics, Loc, closest};

pub struct Reader<'s> {
    pub file: Arc<str>,
    source: &'s str,
    pub diags: Diagnostics,
}

/// The entries of a YAML mapping whose keys were checked against the allowed set.
pub struct Fields<'n> {
    owner: &'n Node<'n>,
    /// The mapping as written: looked up in place, which costs no list of its own per
    /// mapping (4,000 of them in a 1,000-account model).
    pairs: &'n [(Node<'n>, Node<'n>)],
    allowed: &'n [&'n str],
    /// Keys already offered as "did you mean": not reported again as missing.
    suggested: Vec<String>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, one of the keys `Reader::fields` allowed (any other was reported
    /// as unknown there).
    pub fn get(&self, key: &str) -> Option<&'n Node<'n>> {
        debug_assert!(self.allowed.contains(&key), "`{key}` is not an allowed key");
        self.pairs
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(name) if name == key))
            .map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A key that must be present; a missing one is reported at the mapping itself.
    pub fn required(
        &self,
        reader: &mut Reader,
        key: &str,
        what: impl Display + Copy,
    ) -> Option<&'n Node<'n>> {
        let found = self.get(key);
        if found.is_none() && !self.suggested.iter().any(|s| s == key) {
            reader.error(
                self.owner,
                format!("{what} is missing the required key `{key}`"),
                format!("add `{key}:` to this mapping"),
            );
        }
        found
    }
}

impl<'s> Reader<'s> {
    pub fn new(file: Arc<str>, source: &'s str) -> Self {
        Reader {
            file,
            source,
            diags: Diagnostics::default(),
        }
    }

    pub fn loc(&self, node: &Node) -> Loc {
        Loc::spanning(&self.file, node.line, node.col, self.first_line_width(node))
    }

    /// The characters of the node's first line, which its error marks.
    fn first_line_width(&self, node: &Node) -> usize {
        let Some(text) = node
            .span
            .get()
            .and_then(|(start, len)| self.source.get(start..start + len))
        else {
            return 0;
        };
        line_width(text)
    }

    pub fn sp<T>(&self, node: &Node, value: T) -> Sp<T> {
        Sp {
            value,
            loc: self.loc(node),
        }
    }

    pub fn error(&mut self, node: &Node, message: impl Into<String>, hint: impl Into<String>) {
        let diagnostic = Diagnostic::at(&self.loc(node), message).hint(hint);
        self.diags.push(diagnostic);
    }

    /// The node as the user spelled it, for hints such as `quote it: "0123"`.
    pub fn spelling(&self, node: &Node) -> &'s str {
        node.spelling(self.source).unwrap_or("")
    }

    pub fn string(&mut self, node: &Node, what: impl Display + Copy) -> Option<Sp<String>> {
        match &node.value {
            Value::Str(s) => Some(self.sp(node, s.to_string())),
            Value::Null | Value::Bool(_) | Value::Number => {
                let spelling = self.spelling(node).to_owned();
                let hint = if spelling.is_empty() {
                    "write a quoted string here".to_owned()
                } else {
                    format!("quote it to keep it as text: \"{spelling}\"")
                };
                self.error(
                    node,
                    format!("{what} must be a string, but YAML read {}", node.kind()),
                    hint,
                );
                None
            }
            Value::Seq(_) | Value::Map(_) => {
                self.error(
                    node,
                    format!("{what} must be a string, not {}", node.kind()),
                    "write a single quoted string here",
                );
                None
            }
        }
    }

    /// A string that may also be written as a list of strings.
    pub fn strings(&mut self, node: &Node, what: impl Display + Copy) -> Vec<Sp<String>> {
        match &node.value {
            Value::Seq(items) => {
                // Sized for the list as written: a collected `filter_map` would start at
                // four entries, whatever the list's length.
                let mut strings = Vec::with_capacity(items.len());
                strings.extend(items.iter().filter_map(|item| self.string(item, what)));
                strings
            }
            _ => self.string(node, what).into_iter().collect(),
        }
    }

    /// Like `strings`, but an empty list is an error: IAM rejects an empty element, and an
    /// empty `external_id` would silently drop the condition the user asked for.
    pub fn nonempty_strings(&mut self, node: &Node, what: impl Display + Copy) -> Vec<Sp<String>> {
        if matches!(&node.value, Value::Seq(items) if items.is_empty()) {
            self.error(
                node,
                format!("{what} is an empty list"),
                "give at least one value, or remove the key",
            );
        }
        self.strings(node, what)
    }

    pub fn bool(&mut self, node: &Node, what: impl Display + Copy) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.error(
                    node,
                    format!("{what} must be true or false, not {}", node.kind()),
                    "write true or false",
                );
                None
            }
        }
    }

    pub fn integer(&mut self, node: &Node, what: impl Display + Copy) -> Option<Sp<u64>> {
        let spelling = self.spelling(node).to_owned();
        let problem = match node.value {
            Value::Number => match spelling.parse::<u64>() {
                Ok(n) => return Some(self.sp(node, n)),
                Err(_) => number_problem(&spelling),
            },
            _ => NumberProblem::NotANumber,
        };
        let (message, hint) = match problem {
            NumberProblem::NotANumber if matches!(node.value, Value::Number) => (
                format!("{what} must be a whole number, not {spelling}"),
                "write a whole number, e.g. 3600".to_owned(),
            ),
            NumberProblem::NotANumber => (
                format!("{what} must be a whole number, not {}", node.kind()),
                "write the number without quotes, e.g. 3600".to_owned(),
            ),
            NumberProblem::Negative => (
                format!("{what} must not be negative, but it is {spelling}"),
                "write a whole number of 0 or more, e.g. 3600".to_owned(),
            ),
            NumberProblem::Fraction => (
                format!("{what} must be a whole number, not the fraction {spelling}"),
                "write it without a decimal point or exponent, e.g. 3600".to_owned(),
            ),
            NumberProblem::Radix(radix, Some(value)) => (
                format!("{what} must be written in decimal, not {radix} ({spelling})"),
                format!("write {value}"),
            ),
            NumberProblem::Radix(radix, None) => (
                format!("{what} must be written in decimal, not {radix} ({spelling})"),
                "write the number in decimal digits".to_owned(),
            ),
            NumberProblem::Separators(digits) => (
                format!("{what} must be written without `_` separators ({spelling})"),
                format!("write {digits}"),
            ),
            NumberProblem::TooLarge => (
                format!("{what} is too large ({spelling})"),
                "write a smaller whole number".to_owned(),
            ),
        };
        self.error(node, message, hint);
        None
    }

    pub fn seq<'n>(
        &mut self,
        node: &'n Node<'n>,
        what: impl Display + Copy,
    ) -> Option<&'n [Node<'n>]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                self.error(
                    node,
                    format!("{what} must be a list, not {}", node.kind()),
                    "write a YAML list, one `- item` per line",
                );
                None
            }
        }
    }

    /// Entries of a mapping whose keys the user chooses (accounts, roles, tags …).
    pub fn entries<'n>(
        &mut self,
        node: &'n Node<'n>,
        what: impl Display + Copy,
    ) -> Vec<(Sp<String>, &'n Node<'n>)> {
        let Value::Map(pairs) = &node.value else {
            self.error(
                node,
                format!("{what} must be a mapping, not {}", node.kind()),
                "write `key: value` pairs, one per line",
            );
            return Vec::new();
        };
        pairs
            .iter()
            .filter_map(|(k, v)| {
                let key = self.string(k, format_args!("a key of {what}"))?;
                Some((key, v))
            })
            .collect()
    }

    /// A mapping with a fixed set of keys; unknown keys are errors with a suggestion.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node<'n>,
        what: impl Display + Copy,
        allowed: &'n [&'n str],
    ) -> Option<Fields<'n>> {
        let Value::Map(pairs) = &node.value else {
            self.error(
                node,
                format!("{what} must be a mapping, not {}", node.kind()),
                format!("expected keys: {}", allowed.join(", ")),
            );
            return None;
        };
        let mut suggested = Vec::new();
        for (key, _) in pairs {
            let Value::Str(name) = &key.value else {
                self.error(
                    key,
                    format!("keys of {what} must be strings"),
                    "quote the key",
                );
                continue;
            };
            if allowed.contains(&name.as_ref()) {
                continue;
            }
            let hint = match closest(name, allowed.iter().copied()) {
                Some(near) => {
                    suggested.push(near.to_owned());
                    format!("did you mean `{near}`?")
                }
                None => format!("expected one of: {}", allowed.join(", ")),
            };
            self.error(key, format!("unknown key `{name}` in {what}"), hint);
        }
        Some(Fields {
            owner: node,
            pairs,
            allowed,
            suggested,
        })
    }
}

/// Why a scalar YAML typed as a number is not a whole number we can read, so that the
/// message names the spelling's actual fault.
#[derive(Debug, PartialEq, Eq)]
enum NumberProblem {
    NotANumber,
    Negative,
    Fraction,
    /// The base's name, and the value in decimal when it fits.
    Radix(&'static str, Option<u64>),
    /// The digits without their `_`.
    Separators(String),
    TooLarge,
}

fn number_problem(spelling: &str) -> NumberProblem {
    let unsigned = spelling.strip_prefix('+').unwrap_or(spelling);
    if unsigned.starts_with('-') {
        return NumberProblem::Negative;
    }
    let radix = [
        ("0x", "hexadecimal", 16),
        ("0o", "octal", 8),
        ("0b", "binary", 2),
    ];
    for (prefix, name, base) in radix {
        if let Some(digits) = unsigned
            .strip_prefix(prefix)
            .or_else(|| unsigned.strip_prefix(&prefix.to_uppercase()))
        {
            return NumberProblem::Radix(name, u64::from_str_radix(digits, base).ok());
        }
    }
    if unsigned.contains('_') {
        let digits = unsigned.replace('_', "");
        if digits.parse::<u64>().is_ok() {
            return NumberProblem::Separators(digits);
        }
    }
    if unsigned.bytes().all(|b| b.is_ascii_digit()) && !unsigned.is_empty() {
        return NumberProblem::TooLarge;
    }
    let special = [".inf", ".nan"].contains(&unsigned.to_ascii_lowercase().as_str());
    if !special && unsigned.contains(['.', 'e', 'E']) {
        return NumberProblem::Fraction;
    }
    NumberProblem::NotANumber
}

/// The characters of `text`'s first line, trailing white space left out. Most nodes are
/// short ASCII, counted in one pass over their bytes; others take the general way.
fn line_width(text: &str) -> usize {
    let mut width = 0;
    for (i, &byte) in text.as_bytes().iter().enumerate() {
        match byte {
            b'\n' => return width,
            // What `char::is_whitespace` takes among ASCII.
            b'\t' | 0x0b | 0x0c | b'\r' | b' ' => {}
            _ if byte.is_ascii() => width = i + 1,
            _ => return unicode_line_width(text),
        }
    }
    width
}

fn unicode_line_width(text: &str) -> usize {
    let first = match memchr::memchr(b'\n', text.as_bytes()) {
        Some(end) => &text[..end],
        None => text,
    };
    first.trim_end().chars().count()
}

#[cfg(test)]
mod tests {
    use super::{NumberProblem, line_width, number_problem, unicode_line_width};

    /// The one-pass count agrees with counting the trimmed first line's characters.
    #[test]
    fn a_nodes_width_is_its_first_lines_characters_without_trailing_space() {
        let cases = [
            ("", 0),
            ("Worker", 6),
            ("a b  ", 3),
            ("  a", 3),
            ("ab\ncd", 2),
            ("ab \r\ncd", 2),
            ("a\t\x0b\x0c ", 1),
            ("\n", 0),
            ("é", 1),
            ("aé b\nc", 4),
            ("a\u{a0}", 1),
            ("a\u{2003}\u{a0}", 1),
            ("a\x7f", 2),
        ];
        for (text, width) in cases {
            assert_eq!(line_width(text), width, "{text:?}");
            assert_eq!(unicode_line_width(text), width, "{text:?}");
        }
    }

    #[test]
    fn each_spelling_gets_its_own_fault() {
        assert_eq!(number_problem("-5"), NumberProblem::Negative);
        assert_eq!(number_problem("3600.5"), NumberProblem::Fraction);
        assert_eq!(number_problem("3.6e3"), NumberProblem::Fraction);
        assert_eq!(
            number_problem("0x1000"),
            NumberProblem::Radix("hexadecimal", Some(4096))
        );
        assert_eq!(
            number_problem("0o17"),
            NumberProblem::Radix("octal", Some(15))
        );
        assert_eq!(
            number_problem("3_600"),
            NumberProblem::Separators("3600".to_owned())
        );
        assert_eq!(
            number_problem("99999999999999999999"),
            NumberProblem::TooLarge
        );
    }
}
