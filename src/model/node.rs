//! A span-carrying YAML tree. serde-saphyr parses; we keep every node's position so that
//! decoding can report all problems at once with `file:line:column`, which a derived
//! `Deserialize` cannot do (it stops at the first error).

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Loc};

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// A plain scalar that YAML typed as a number; kept as its source spelling.
    Number,
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub line: u32,
    pub col: u32,
    /// Byte range in the source, used to quote the user's own spelling in hints.
    pub span: Option<(usize, usize)>,
    pub value: Value,
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned: Spanned<Value> = Spanned::deserialize(deserializer)?;
        let loc = spanned.referenced;
        let span = loc.span();
        let span = match (span.byte_offset(), span.byte_len()) {
            (Some(o), Some(l)) => Some((o as usize, l as usize)),
            _ => None,
        };
        Ok(Node {
            line: loc.line().min(u32::MAX as u64) as u32,
            col: loc.column().min(u32::MAX as u64) as u32,
            span,
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Number)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// Parses YAML into a node tree. YAML 1.2 booleans only, so `yes` and `on` stay strings;
/// duplicate keys are errors, since a silently dropped role would be a silent permission change.
pub fn parse(file: &Arc<str>, source: &str) -> Result<Node, Diagnostic> {
    // serde-saphyr's default budget (250,000 nodes) guards against inputs that expand,
    // but a 10,000-account model has about 300,000 nodes. Every node needs at least one
    // byte of source unless aliases expand it, so a budget of one node (and a few parser
    // events) per byte admits any plain model and still bounds an expanding one.
    let options = serde_saphyr::options! {
        strict_booleans: true,
        // A tag such as `!Ref` would otherwise be dropped and its scalar kept as text.
        reject_unsupported_tags: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_nodes: source.len().max(250_000),
            max_events: source.len().saturating_mul(4).max(1_000_000),
        },
    };
    serde_saphyr::from_str_with_options::<Node>(source, options).map_err(|err| {
        let (line, col) = err
            .location()
            .map(|l| (l.line() as u32, l.column() as u32))
            .unwrap_or((1, 1));
        if let serde_saphyr::Error::UnsupportedTag { tag, .. } = &err {
            return Diagnostic::at(
                &tag_loc(file, source, line, col, tag),
                format!("the YAML tag `{tag}` has no meaning in a model"),
            )
            .hint(
                "the model is not a template: write the value itself (a role key, an ARN, or \
                 `{ input: NAME }` for a deploy-time value); rolegraph writes the !Ref and \
                 !GetAtt the templates need",
            );
        }
        let message = err.to_string();
        let message = message
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .trim_start_matches("error: ");
        let message = strip_position_prefix(message);
        let message = message.split(" at line ").next().unwrap_or(message);
        Diagnostic::at(
            &Loc::new(file, line, col),
            format!("invalid YAML: {message}"),
        )
        .hint("fix the YAML syntax at this position")
    })
}

/// Where `tag` is written: serde-saphyr reports the position of the tagged value, and the
/// tag stands before it on the same line (or at the end of the one before); the value's
/// position when it cannot be found.
fn tag_loc(file: &Arc<str>, source: &str, line: u32, col: u32, tag: &str) -> Loc {
    let lines: Vec<&str> = source.split('\n').collect();
    let at = |n: u32| lines.get(n as usize - 1).copied();
    let before_value = at(line).map(|text| {
        let end = text
            .char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| i);
        &text[..end]
    });
    let candidates = [
        (line, before_value),
        (line.saturating_sub(1), at(line.saturating_sub(1))),
    ];
    for (n, text) in candidates {
        if let (true, Some(text)) = (n > 0, text)
            && let Some(byte) = text.rfind(tag)
        {
            let col = text[..byte].chars().count() + 1;
            return Loc::spanning(file, n, col as u32, tag.chars().count());
        }
    }
    Loc::new(file, line, col)
}

/// serde-saphyr starts its messages with "line L column C: "; we print the position ourselves.
fn strip_position_prefix(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx].contains("column")
    {
        return &rest[idx + 2..];
    }
    message
}
