//! Typed reads from the YAML tree that record a diagnostic instead of stopping, so a
//! model with five mistakes reports five errors in one run.

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
    owner: &'n Node,
    entries: Vec<(&'n str, &'n Node)>,
    /// Keys already offered as "did you mean": not reported again as missing.
    suggested: Vec<String>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A key that must be present; a missing one is reported at the mapping itself.
    pub fn required(&self, reader: &mut Reader, key: &str, what: &str) -> Option<&'n Node> {
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
        Loc::new(&self.file, node.line, node.col)
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
        node.span
            .and_then(|(start, len)| self.source.get(start..start + len))
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        match &node.value {
            Value::Str(s) => Some(self.sp(node, s.clone())),
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
    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<Sp<String>> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.string(item, what))
                .collect(),
            _ => self.string(node, what).into_iter().collect(),
        }
    }

    /// Like `strings`, but an empty list is an error: IAM rejects an empty element, and an
    /// empty `external_id` would silently drop the condition the user asked for.
    pub fn nonempty_strings(&mut self, node: &Node, what: &str) -> Vec<Sp<String>> {
        if matches!(&node.value, Value::Seq(items) if items.is_empty()) {
            self.error(
                node,
                format!("{what} is an empty list"),
                "give at least one value, or remove the key",
            );
        }
        self.strings(node, what)
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
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

    pub fn integer(&mut self, node: &Node, what: &str) -> Option<Sp<u64>> {
        if let Value::Number = node.value
            && let Ok(n) = self.spelling(node).parse::<u64>()
        {
            return Some(self.sp(node, n));
        }
        self.error(
            node,
            format!("{what} must be a whole number, not {}", node.kind()),
            "write the number without quotes, e.g. 3600",
        );
        None
    }

    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
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
    pub fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Vec<(Sp<String>, &'n Node)> {
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
                let key = self.string(k, &format!("a key of {what}"))?;
                Some((key, v))
            })
            .collect()
    }

    /// A mapping with a fixed set of keys; unknown keys are errors with a suggestion.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Map(pairs) = &node.value else {
            self.error(
                node,
                format!("{what} must be a mapping, not {}", node.kind()),
                format!("expected keys: {}", allowed.join(", ")),
            );
            return None;
        };
        let mut entries = Vec::with_capacity(pairs.len());
        let mut suggested = Vec::new();
        for (key, value) in pairs {
            let Value::Str(name) = &key.value else {
                self.error(
                    key,
                    format!("keys of {what} must be strings"),
                    "quote the key",
                );
                continue;
            };
            if allowed.contains(&name.as_str()) {
                entries.push((name.as_str(), value));
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
            entries,
            suggested,
        })
    }
}
