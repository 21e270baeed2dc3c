//! A span-carrying YAML tree: every node keeps its position so that decoding can report all
//! problems at once with `file:line:column`, which a derived `Deserialize` cannot do (it
//! stops at the first error). `yaml` builds it.

use std::borrow::Cow;

/// A value; its text borrows the model's source where it is written there as it reads (a
/// plain or quoted scalar without escapes), so reading a model copies no text twice.
#[derive(Debug, Clone)]
pub enum Value<'s> {
    Null,
    Bool(bool),
    /// A plain scalar that YAML typed as a number; kept as its source spelling.
    Number,
    Str(Cow<'s, str>),
    Seq(Vec<Node<'s>>),
    Map(Vec<(Node<'s>, Node<'s>)>),
}

#[derive(Debug, Clone)]
pub struct Node<'s> {
    pub line: u32,
    pub col: u32,
    /// Byte range in the source, used to quote the user's own spelling in hints.
    pub span: Option<(usize, usize)>,
    pub value: Value<'s>,
}

impl Node<'_> {
    /// The node as written in `source`, trimmed: for hints such as `quote it: "0123"` and
    /// for the keys that YAML typed as numbers.
    pub fn spelling<'s>(&self, source: &'s str) -> Option<&'s str> {
        let (start, len) = self.span?;
        source.get(start..start + len).map(str::trim)
    }

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
