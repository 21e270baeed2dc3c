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
    /// Where the node is written in the source, to quote the user's own spelling in hints.
    pub span: ByteSpan,
    pub value: Value<'s>,
}

/// A byte range of the source in two `u32`s (a model is read whole into memory and held
/// far below 4 GiB), so that a node takes 48 bytes rather than 64: the tree of a large
/// model is most of what reading it costs, in memory and in page faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSpan {
    start: u32,
    /// `u32::MAX` where the range is unknown or does not fit.
    len: u32,
}

// The size the comment above promises, where pointers take 64 bits.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Node<'static>>() == 48);

impl ByteSpan {
    pub const UNKNOWN: ByteSpan = ByteSpan {
        start: 0,
        len: u32::MAX,
    };

    /// `len` bytes from `start`; unknown where they do not fit in `u32`.
    pub fn new(start: usize, len: usize) -> Self {
        match (u32::try_from(start), u32::try_from(len)) {
            (Ok(start), Ok(len)) if len != u32::MAX => ByteSpan { start, len },
            _ => ByteSpan::UNKNOWN,
        }
    }

    /// The range as `(start, len)`, if known.
    pub fn get(self) -> Option<(usize, usize)> {
        (self.len != u32::MAX).then_some((self.start as usize, self.len as usize))
    }
}

impl Node<'_> {
    /// The node as written in `source`, trimmed: for hints such as `quote it: "0123"` and
    /// for the keys that YAML typed as numbers.
    pub fn spelling<'s>(&self, source: &'s str) -> Option<&'s str> {
        let (start, len) = self.span.get()?;
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
