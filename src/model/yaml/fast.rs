//! The fast path: the block-style YAML that models are written in (mappings, lists, plain
//! and quoted one-line scalars, one-line flow lists and mappings of scalars, comments),
//! read straight from the bytes into the tree the full reader builds, position for
//! position. Anything else (anchors, aliases, tags, block scalars, escapes, scalars over
//! several lines, nested flow collections, tabs, CR, non-ASCII text, duplicate or `<<`
//! keys, and every error) makes it give up, and the full reader (granit-parser's events)
//! reads the model from the start: this path never decides that a model is wrong, and
//! never reports anything. Why it exists: the event parser took half of `validate`.
//!
//! `tests.rs` holds it to the full reader on every model and variant, and the `model`
//! fuzz target does on whatever the fuzzer makes.

use std::borrow::Cow;

use super::build::{MAX_DEPTH, plain_value};
use super::keys;
use crate::model::node::{ByteSpan, Node, Value};

/// The tree of `source`, or `None` where the full reader must read it.
pub fn read(source: &str) -> Option<Node<'_>> {
    let plain_ascii = source
        .bytes()
        .all(|b| b == b'\n' || (b' '..=b'~').contains(&b));
    if !plain_ascii {
        return None;
    }
    let mut fast = Fast {
        src: source,
        bytes: source.as_bytes(),
        start: 0,
        end: line_end(source.as_bytes(), 0),
        line: 1,
        nodes: 0,
        max_nodes: super::node_budget(source),
        depth: 0,
        pairs: Vec::new(),
        items: Vec::new(),
    };
    if fast.next_content() != Some(0) || fast.dash(0) {
        return None;
    }
    let root = fast.map(0)?;
    match fast.next_content() {
        None => Some(root),
        Some(_) => None,
    }
}

/// Characters a plain scalar may not start with (YAML's indicators; `-`, `?` and `:` can
/// start one in YAML when a non-space follows, but never in a model worth a fast path).
fn is_indicator(byte: u8) -> bool {
    b"-?:,[]{}#&*!|>'\"%@`".contains(&byte)
}

fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |n| start + n)
}

/// The reader's place: the current line (`start..end`, without its newline) and what the
/// full reader would count against its limits.
struct Fast<'s> {
    src: &'s str,
    bytes: &'s [u8],
    start: usize,
    end: usize,
    line: u32,
    nodes: usize,
    max_nodes: usize,
    depth: usize,
    /// The entries of the collections open now, innermost last: each one is moved into a
    /// vector of its exact size when it closes (a vector grown by pushing holds up to
    /// twice its entries, and leaves the smaller ones it outgrew behind).
    pairs: Vec<(Node<'s>, Node<'s>)>,
    items: Vec<Node<'s>>,
}

impl<'s> Fast<'s> {
    /// Moves to the next line.
    fn advance(&mut self) {
        self.start = self.end + 1;
        self.end = line_end(self.bytes, self.start);
        self.line += 1;
    }

    /// Skips blank and comment-only lines; the indent of the line it stops at, or `None`
    /// at the end of the text.
    fn next_content(&mut self) -> Option<usize> {
        while self.start < self.bytes.len() {
            let at = self.skip_spaces(self.start);
            if at < self.end && self.bytes[at] != b'#' {
                return Some(at - self.start);
            }
            self.advance();
        }
        None
    }

    fn skip_spaces(&self, mut at: usize) -> usize {
        while at < self.end && self.bytes[at] == b' ' {
            at += 1;
        }
        at
    }

    fn byte(&self, at: usize) -> Option<u8> {
        (at < self.end).then(|| self.bytes[at])
    }

    /// Whether the current line has a list entry's `-` at column `indent`.
    fn dash(&self, indent: usize) -> bool {
        self.byte(self.start + indent) == Some(b'-')
    }

    /// A node at byte `at` of the current line.
    fn node(&self, at: usize, len: usize, value: Value<'s>) -> Node<'s> {
        Node {
            line: self.line,
            col: (at - self.start + 1) as u32,
            span: ByteSpan::new(at, len),
            value,
        }
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.max_nodes).then_some(())
    }

    /// A collection opens: counted, and kept well inside the full reader's depth limit.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth + 2 > MAX_DEPTH {
            return None;
        }
        self.count()
    }

    /// A block mapping whose keys stand at column `col`; the first key starts at byte
    /// `col` of the current line.
    fn map(&mut self, col: usize) -> Option<Node<'s>> {
        self.enter()?;
        let mut at = self.start + col;
        let head = self.node(at, 0, Value::Null);
        let base = self.pairs.len();
        loop {
            let (key, colon) = self.key(at)?;
            let value = self.value(col, colon)?;
            self.pairs.push((key, value));
            match self.next_content() {
                Some(indent) if indent == col && !self.dash(indent) => at = self.start + col,
                Some(indent) if indent > col => return None,
                _ => break,
            }
        }
        Some(Node {
            value: self.close_map(base)?,
            ..head
        })
    }

    /// The mapping whose entries start at `base` of `pairs`, closed; `None` where a key
    /// repeats.
    fn close_map(&mut self, base: usize) -> Option<Value<'s>> {
        if !keys::duplicates(self.src, &self.pairs[base..]).is_empty() {
            return None;
        }
        self.depth -= 1;
        Some(Value::Map(self.pairs.drain(base..).collect()))
    }

    /// The list whose items start at `base` of `items`, closed.
    fn close_seq(&mut self, base: usize) -> Value<'s> {
        self.depth -= 1;
        Value::Seq(self.items.drain(base..).collect())
    }

    /// A key at byte `at` and the byte of its `:`.
    fn key(&mut self, at: usize) -> Option<(Node<'s>, usize)> {
        let first = self.byte(at)?;
        if first == b'"' || first == b'\'' {
            let (node, after) = self.quoted(at)?;
            return self.colon(after).then_some((node, after));
        }
        let document_end = at == self.start && self.src[at..].starts_with("...");
        if is_indicator(first) || document_end {
            return None;
        }
        let mut i = at;
        while !self.colon(i) {
            match self.byte(i)? {
                b'[' | b']' | b'{' | b'}' | b',' => return None,
                b'#' if self.bytes[i - 1] == b' ' => return None,
                _ => i += 1,
            }
        }
        let text = &self.src[at..i];
        if self.bytes[i - 1] == b' ' || text == "<<" || text.len() > 1000 {
            return None;
        }
        self.count()?;
        Some((self.node(at, i - at, plain_value(Cow::Borrowed(text))), i))
    }

    /// Whether byte `at` is a `:` that ends a key: followed by a space or the line's end.
    fn colon(&self, at: usize) -> bool {
        self.byte(at) == Some(b':') && matches!(self.byte(at + 1), None | Some(b' '))
    }

    /// The value after the key's `:` at byte `colon`, in a mapping at column `col`.
    fn value(&mut self, col: usize, colon: usize) -> Option<Node<'s>> {
        let at = self.skip_spaces(colon + 1);
        if at < self.end && self.bytes[at] != b'#' {
            return self.inline(at);
        }
        // Nothing on the key's line: a block below it, or null where the `:` is.
        let null = self.node(colon, 0, Value::Null);
        self.advance();
        match self.next_content() {
            Some(indent) if indent > col && self.dash(indent) => self.seq(indent, false),
            Some(indent) if indent > col => self.map(indent),
            Some(indent) if indent == col && self.dash(indent) => self.seq(indent, true),
            _ => {
                self.count()?;
                Some(null)
            }
        }
    }

    /// A block list whose `-` stand at column `col`; an indentless one (at its key's own
    /// column) is placed at its first item, as the full reader places it.
    fn seq(&mut self, col: usize, indentless: bool) -> Option<Node<'s>> {
        self.enter()?;
        let first = self.skip_spaces(self.start + col + 1);
        let head = self.node(
            if indentless { first } else { self.start + col },
            0,
            Value::Null,
        );
        let base = self.items.len();
        loop {
            let dash = self.start + col;
            if self.byte(dash + 1) != Some(b' ') {
                return None;
            }
            let at = self.skip_spaces(dash + 1);
            let item = match self.byte(at)? {
                b'#' => return None,
                _ if self.is_entry(at)? => self.map(at - self.start)?,
                _ => self.inline(at)?,
            };
            self.items.push(item);
            match self.next_content() {
                Some(indent) if indent == col && self.dash(indent) => {}
                Some(indent) if indent > col => return None,
                _ => break,
            }
        }
        Some(Node {
            value: self.close_seq(base),
            ..head
        })
    }

    /// Whether the text at byte `at` starts a mapping entry (`key: ...`); `None` where the
    /// fast path cannot tell.
    fn is_entry(&self, at: usize) -> Option<bool> {
        let first = self.byte(at)?;
        if first == b'"' || first == b'\'' {
            let close = self.closing_quote(at)?;
            return Some(self.colon(close + 1));
        }
        if first == b'[' || first == b'{' {
            return Some(false);
        }
        let mut i = at;
        while i < self.end {
            if self.colon(i) {
                return Some(true);
            }
            if self.bytes[i] == b'#' && i > at && self.bytes[i - 1] == b' ' {
                break;
            }
            i += 1;
        }
        Some(false)
    }

    /// A scalar or flow list that is the rest of the current line (a comment aside); the
    /// reader moves past the line.
    fn inline(&mut self, at: usize) -> Option<Node<'s>> {
        let (node, after) = match self.byte(at)? {
            b'[' | b'{' => self.flow(at)?,
            b'"' | b'\'' => self.quoted(at)?,
            first if is_indicator(first) => return None,
            _ => self.plain(at)?,
        };
        let rest = self.skip_spaces(after);
        let comment = rest > after && self.byte(rest) == Some(b'#');
        if rest < self.end && !comment {
            return None;
        }
        self.advance();
        Some(node)
    }

    /// A plain scalar in block context: up to a comment or the line's end, trimmed.
    fn plain(&mut self, at: usize) -> Option<(Node<'s>, usize)> {
        let mut i = at;
        while i < self.end {
            match self.bytes[i] {
                b':' if self.colon(i) => return None,
                b'#' if self.bytes[i - 1] == b' ' => break,
                _ => i += 1,
            }
        }
        let end = at + self.src[at..i].trim_end_matches(' ').len();
        // A merge key out of place: the full reader reports it.
        if self.src[at..end] == *"<<" {
            return None;
        }
        self.count()?;
        let value = plain_value(Cow::Borrowed(&self.src[at..end]));
        Some((self.node(at, end - at, value), end))
    }

    /// The byte of the quote that closes the one at `at`, on the same line; `None` for an
    /// escape (`\` in double quotes, `''` in single quotes) or no closing quote.
    fn closing_quote(&self, at: usize) -> Option<usize> {
        let quote = self.bytes[at];
        let inner = &self.bytes[at + 1..self.end];
        let stop = |b: &u8| *b == quote || (quote == b'"' && *b == b'\\');
        let close = at + 1 + inner.iter().position(stop)?;
        let escaped =
            self.bytes[close] == b'\\' || (quote == b'\'' && self.byte(close + 1) == Some(b'\''));
        (!escaped).then_some(close)
    }

    /// A quoted scalar on one line, without escapes; its node and the byte after it.
    fn quoted(&mut self, at: usize) -> Option<(Node<'s>, usize)> {
        let close = self.closing_quote(at)?;
        self.count()?;
        let text = Cow::Borrowed(&self.src[at + 1..close]);
        Some((self.node(at, close + 1 - at, Value::Str(text)), close + 1))
    }

    /// A flow list or mapping of scalars on one line; its node and the byte after its
    /// `]` or `}`.
    fn flow(&mut self, at: usize) -> Option<(Node<'s>, usize)> {
        self.enter()?;
        let mapping = self.bytes[at] == b'{';
        let closer = if mapping { b'}' } else { b']' };
        let head = self.node(at, 1, Value::Null);
        let base = if mapping {
            self.pairs.len()
        } else {
            self.items.len()
        };
        let mut i = self.skip_spaces(at + 1);
        if self.byte(i)? != closer {
            loop {
                let (item, after) = self.flow_scalar(i, closer, mapping)?;
                i = self.skip_spaces(after);
                if mapping {
                    i = self.skip_spaces(i + 1);
                    let (value, after) = self.flow_scalar(i, closer, false)?;
                    self.pairs.push((item, value));
                    i = self.skip_spaces(after);
                } else {
                    self.items.push(item);
                }
                match self.byte(i)? {
                    b',' => i = self.skip_spaces(i + 1),
                    found if found == closer => break,
                    _ => return None,
                }
                if self.byte(i)? == closer {
                    return None;
                }
            }
        }
        let value = if mapping {
            self.close_map(base)?
        } else {
            self.close_seq(base)
        };
        Some((Node { value, ..head }, i + 1))
    }

    /// A scalar inside a flow collection closed by `closer`: quoted, or plain up to `,`,
    /// the closer or, for a key, its `: `.
    fn flow_scalar(&mut self, at: usize, closer: u8, key: bool) -> Option<(Node<'s>, usize)> {
        let first = self.byte(at)?;
        if first == b'"' || first == b'\'' {
            let (node, after) = self.quoted(at)?;
            return (!key || self.colon(after)).then_some((node, after));
        }
        if is_indicator(first) {
            return None;
        }
        let mut i = at;
        loop {
            match self.byte(i)? {
                b':' if key && self.byte(i + 1) == Some(b' ') => break,
                b':' if matches!(
                    self.byte(i + 1),
                    None | Some(b' ' | b',' | b'[' | b']' | b'{' | b'}')
                ) =>
                {
                    return None;
                }
                b',' if !key => break,
                found if found == closer && !key => break,
                b'[' | b']' | b'{' | b'}' | b',' => return None,
                b'#' if self.bytes[i - 1] == b' ' => return None,
                _ => i += 1,
            }
        }
        let end = at + self.src[at..i].trim_end_matches(' ').len();
        if (key && end < i) || self.src[at..end] == *"<<" {
            return None;
        }
        self.count()?;
        let value = plain_value(Cow::Borrowed(&self.src[at..end]));
        Some((self.node(at, end - at, value), end))
    }
}
