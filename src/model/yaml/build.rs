//! The node tree built straight from the parser's events, with no serde layer between:
//! one pass, one allocation per value, a position on every node.

use std::borrow::Cow;

use granit_parser::{Event, ScalarStyle, Span, Tag};

use super::scalar::{Plain, classify};
use super::tags::{self, Meaning};
use super::{Fault, keys};
use crate::model::node::{ByteSpan, Node, Value};

/// How far a model may nest: a real one needs about eight levels, and the tree is dropped
/// recursively, so the limit also keeps the stack safe.
pub const MAX_DEPTH: usize = 64;

/// The read stopped at a fault, which is in `faults`.
pub struct Stopped;

/// A collection whose end event has not come yet.
struct Open<'s> {
    head: Node<'s>,
    anchor: usize,
    /// The node count when it opened, so that an anchor knows its size at the end.
    nodes_before: usize,
    /// How many collections deep its deepest item goes (0 for scalars only).
    deepest: usize,
    items: Vec<Node<'s>>,
    /// Mappings: the key waiting for its value, and whether it is `<<`.
    key: Option<(Node<'s>, bool)>,
    /// Mappings: the values of their `<<` entries, merged in when the mapping ends.
    merges: Vec<Node<'s>>,
    pairs: Vec<(Node<'s>, Node<'s>)>,
    mapping: bool,
}

#[derive(Clone)]
struct Anchored<'s> {
    node: Node<'s>,
    /// Its size in nodes, against the budget, and its depth in collections, against the
    /// nesting limit: an alias repeats both.
    size: usize,
    depth: usize,
}

pub struct Builder<'s> {
    source: &'s str,
    stack: Vec<Open<'s>>,
    /// Anchored values by the parser's anchor id (0 is "no anchor"); `None` while the
    /// anchored collection is still open.
    anchors: Vec<Option<Anchored<'s>>>,
    nodes: usize,
    max_nodes: usize,
    root: Option<Node<'s>>,
    documents: usize,
    pub faults: Vec<Fault>,
}

impl<'s> Builder<'s> {
    pub fn new(source: &'s str) -> Self {
        Builder {
            source,
            stack: Vec::new(),
            anchors: Vec::new(),
            nodes: 0,
            max_nodes: super::node_budget(source),
            root: None,
            documents: 0,
            faults: Vec::new(),
        }
    }

    /// The root, once the stream has ended; a document with no content is null.
    pub fn finish(self) -> Node<'s> {
        self.root.unwrap_or(Node {
            line: 1,
            col: 1,
            span: ByteSpan::UNKNOWN,
            value: Value::Null,
        })
    }

    /// Takes one event; `Err` stops the read (the fault is recorded first).
    pub fn event(&mut self, event: Event<'s>, span: Span) -> Result<(), Stopped> {
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return self.stop(Fault::second_document(span));
                }
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => self.scalar(text, style, anchor, tag, span),
            Event::SequenceStart(_, anchor, tag) => self.open(false, anchor, tag, span),
            Event::MappingStart(_, anchor, tag) => self.open(true, anchor, tag, span),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            // An empty document is null, where its content would have been.
            Event::DocumentEnd | Event::StreamEnd if self.root.is_none() => {
                self.root = Some(self.head(span));
                Ok(())
            }
            Event::Alias(id) => self.alias(id, span),
            _ => Ok(()),
        }
    }

    fn stop(&mut self, fault: Fault) -> Result<(), Stopped> {
        self.faults.push(fault);
        Err(Stopped)
    }

    fn head(&self, span: Span) -> Node<'s> {
        Node {
            line: span.start.line().min(u32::MAX as usize) as u32,
            col: (span.start.col() + 1).min(u32::MAX as usize) as u32,
            span: span
                .byte_range()
                .map_or(ByteSpan::UNKNOWN, |r| ByteSpan::new(r.start, r.len())),
            value: Value::Null,
        }
    }

    fn count(&mut self, nodes: usize, span: Span) -> Result<(), Stopped> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > self.max_nodes && self.max_nodes == super::MAX_VALUES {
            return self.stop(Fault::too_many(span));
        }
        if self.nodes > self.max_nodes {
            return self.stop(Fault::expansion(span, self.max_nodes));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: Cow<'s, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'s, Tag>>,
        span: Span,
    ) -> Result<(), Stopped> {
        self.count(1, span)?;
        let plain = style == ScalarStyle::Plain;
        if plain && text == "<<" && tag.as_deref().is_none_or(tags::is_merge) {
            let node = self.head(span);
            return self.place(node, true, 0);
        }
        let value = match tags::meaning(tag.as_deref()) {
            Meaning::Untagged if plain => plain_value(text),
            Meaning::Untagged | Meaning::NonSpecific | Meaning::Str => Value::Str(text),
            Meaning::Typed(wanted) => match (wanted, classify(&text)) {
                (Plain::Number, Plain::Number) => Value::Number,
                (Plain::Bool(_), Plain::Bool(b)) => Value::Bool(b),
                (Plain::Null, Plain::Null) => Value::Null,
                _ => return self.stop(Fault::mistyped(self.source, span, tag.as_deref())),
            },
            Meaning::Collection(_) | Meaning::Foreign => {
                return self.stop(Fault::tag(self.source, span, tag.as_deref()));
            }
        };
        let node = Node {
            value,
            ..self.head(span)
        };
        self.anchor(anchor, &node, 1, 0);
        self.place(node, false, 0)
    }

    fn open(
        &mut self,
        mapping: bool,
        anchor: usize,
        tag: Option<Cow<'s, Tag>>,
        span: Span,
    ) -> Result<(), Stopped> {
        self.count(1, span)?;
        match tags::meaning(tag.as_deref()) {
            Meaning::Untagged | Meaning::NonSpecific => {}
            Meaning::Collection(map) if map == mapping => {}
            Meaning::Collection(_) | Meaning::Str | Meaning::Typed(_) => {
                return self.stop(Fault::tag_kind(self.source, span, tag.as_deref(), mapping));
            }
            Meaning::Foreign => return self.stop(Fault::tag(self.source, span, tag.as_deref())),
        }
        if self.stack.len() >= MAX_DEPTH {
            return self.stop(Fault::depth(span));
        }
        if anchor > 0 {
            self.reserve_anchor(anchor);
        }
        self.stack.push(Open {
            head: self.head(span),
            anchor,
            nodes_before: self.nodes,
            deepest: 0,
            items: Vec::new(),
            key: None,
            merges: Vec::new(),
            pairs: Vec::new(),
            mapping,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Stopped> {
        let Some(open) = self.stack.pop() else {
            return Ok(());
        };
        let mut node = open.head;
        node.value = if open.mapping {
            let mut pairs = open.pairs;
            self.faults.extend(keys::duplicates(self.source, &pairs));
            keys::merge(self.source, &mut pairs, open.merges);
            Value::Map(pairs)
        } else {
            Value::Seq(open.items)
        };
        let (size, depth) = (self.nodes - open.nodes_before + 1, open.deepest + 1);
        self.anchor(open.anchor, &node, size, depth);
        self.place(node, false, depth)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Stopped> {
        let Some(anchored) = self.anchors.get(id).and_then(Option::as_ref) else {
            return self.stop(Fault::recursive_alias(self.source, span));
        };
        let (mut node, size, depth) = (anchored.node.clone(), anchored.size, anchored.depth);
        self.count(size, span)?;
        if self.stack.len() + depth > MAX_DEPTH {
            return self.stop(Fault::depth(span));
        }
        // Every node of the repeated value is where it is used: an error about this use
        // points at the alias, as serde-saphyr's did.
        let at = self.head(span);
        relocate(&mut node, &at);
        self.place(node, false, depth)
    }

    fn reserve_anchor(&mut self, id: usize) {
        if self.anchors.len() <= id {
            self.anchors.resize(id + 1, None);
        }
    }

    fn anchor(&mut self, id: usize, node: &Node<'s>, size: usize, depth: usize) {
        if id > 0 {
            self.reserve_anchor(id);
            self.anchors[id] = Some(Anchored {
                node: node.clone(),
                size,
                depth,
            });
        }
    }

    /// Puts a finished node, `depth` collections deep, where it belongs: an item, a key, a
    /// value, or the root.
    fn place(&mut self, node: Node<'s>, merge_key: bool, depth: usize) -> Result<(), Stopped> {
        let as_key = self
            .stack
            .last()
            .is_some_and(|open| open.mapping && open.key.is_none());
        if merge_key && !as_key {
            return self.stop(Fault::merge_outside_key(&node));
        }
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        open.deepest = open.deepest.max(depth);
        if !open.mapping {
            open.items.push(node);
            return Ok(());
        }
        match open.key.take() {
            None => open.key = Some((node, merge_key)),
            Some((_, true)) => {
                if !keys::mergeable(&node) {
                    return self.stop(Fault::merge_value(&node));
                }
                open.merges.push(node);
            }
            Some((key, false)) => open.pairs.push((key, node)),
        }
        Ok(())
    }
}

pub(super) fn plain_value(text: Cow<'_, str>) -> Value<'_> {
    match classify(&text) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Number => Value::Number,
        Plain::Str => Value::Str(text),
    }
}

/// Gives `node` and everything in it the position of `at`.
pub fn relocate(node: &mut Node<'_>, at: &Node<'_>) {
    (node.line, node.col, node.span) = (at.line, at.col, at.span);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|item| relocate(item, at)),
        Value::Map(pairs) => pairs.iter_mut().for_each(|(key, value)| {
            relocate(key, at);
            relocate(value, at);
        }),
        _ => {}
    }
}
