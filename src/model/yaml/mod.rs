//! The model's YAML, read into rolegraph's span-carrying node tree straight from the events
//! of granit-parser (the YAML 1.2 parser under serde-saphyr). Every error says what is
//! wrong in the model's terms, at a line and column, with a hint.

mod build;
mod compare;
mod fast;
mod faults;
mod keys;
mod scalar;
mod tags;

use std::sync::Arc;

use granit_parser::Parser;

use super::node::Node;
use crate::diag::Diagnostic;
pub use compare::fast_path_disagreement;
use faults::Fault;

/// The most values (nodes) a model may hold, aliases expanded: a node takes 48 bytes, and
/// a 64 MiB model written to hold as many as it can (`[x,x,x,…]`) would otherwise take
/// gigabytes before the first error. A model of 10,000 accounts (the benchmark's) holds about 330,000.
pub const MAX_VALUES: usize = 2_000_000;

/// How many nodes a reader builds of `source` before it stops: every node needs a byte of
/// source unless an alias repeats it, so one node per byte admits any model written out and
/// still stops an alias bomb; and never more than `MAX_VALUES`.
fn node_budget(source: &str) -> usize {
    source.len().clamp(250_000, MAX_VALUES)
}

/// Parses YAML into a node tree. YAML 1.2 booleans only, so `yes` and `on` stay strings;
/// duplicate keys are errors, all of them reported; any other fault stops the read.
pub fn parse<'s>(file: &Arc<str>, source: &'s str) -> Result<Node<'s>, Vec<Diagnostic>> {
    if let Some(node) = fast::read(source) {
        return Ok(node);
    }
    parse_events(file, source)
}

/// `parse` by granit-parser's events: every model the fast path leaves, and every error.
fn parse_events<'s>(file: &Arc<str>, source: &'s str) -> Result<Node<'s>, Vec<Diagnostic>> {
    let options = granit_parser::options! { emit_comments: false };
    let mut builder = build::Builder::new(source);
    for item in Parser::new_from_str_with_options(source, options) {
        match item {
            Ok((event, span)) => {
                if builder.event(event, span).is_err() {
                    break;
                }
            }
            Err(error) => {
                builder.faults.push(Fault::syntax(source, &error));
                break;
            }
        }
    }
    if builder.faults.is_empty() {
        return Ok(builder.finish());
    }
    Err(builder
        .faults
        .iter()
        .map(|fault| fault.diagnostic(file))
        .collect())
}

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;
