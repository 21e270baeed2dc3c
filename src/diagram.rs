//! `rolegraph graph`: accounts as subgraphs, roles as nodes, trust edges labelled with
//! their conditions, in Mermaid (rendered by GitHub in the generated READMEs) or DOT.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::ir::edges::{Source, TrustEdge};
use crate::ir::{AccountIdx, Graph};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
}

/// Above this many roles a README shows no diagram: GitHub refuses to render very large
/// Mermaid charts, and a thousand boxes explain nothing. `rolegraph graph` still draws it.
pub const README_MAX_ROLES: usize = 100;

/// The Mermaid chart for a generated README, or `None` for a model too large to draw.
pub fn for_readme(graph: &Graph) -> Option<String> {
    (graph.roles.len() <= README_MAX_ROLES).then(|| render(graph, Format::Mermaid))
}

pub fn render(graph: &Graph, format: Format) -> String {
    let view = View::new(graph);
    match format {
        Format::Mermaid => mermaid(graph, &view),
        Format::Dot => dot(graph, &view),
    }
}

/// Node ids for everything drawn: `r<n>` for roles, `p<n>` for outside principals,
/// numbered in the order the model first names them.
struct View {
    edges: Vec<TrustEdge>,
    outside: Vec<Source>,
    numbers: BTreeMap<Source, usize>,
}

impl View {
    fn new(graph: &Graph) -> Self {
        let edges = graph.trust_edges();
        let mut outside = Vec::new();
        let mut numbers = BTreeMap::new();
        for e in &edges {
            if !matches!(e.source, Source::Role(_)) && !numbers.contains_key(&e.source) {
                outside.push(e.source.clone());
                numbers.insert(e.source.clone(), outside.len());
            }
        }
        View {
            edges,
            outside,
            numbers,
        }
    }

    fn id(&self, source: &Source) -> String {
        match source {
            Source::Role(r) => format!("r{}", r.0),
            other => format!("p{}", self.numbers.get(other).copied().unwrap_or(0)),
        }
    }
}

fn outside_label(source: &Source) -> String {
    match source {
        Source::Service(name) => format!("service {name}"),
        Source::External(arn) => arn.clone(),
        Source::Role(_) => String::new(),
    }
}

fn account_title(graph: &Graph, account: AccountIdx) -> String {
    let a = graph.account(account);
    format!("{} ({})", a.key, a.id)
}

/// Mermaid strings take `#quot;` for a double quote.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

fn mermaid(graph: &Graph, view: &View) -> String {
    let mut out = String::from("flowchart LR\n");
    for source in &view.outside {
        let id = view.id(source);
        let shape = match source {
            Source::Service(_) => ("([", "])"),
            _ => ("[/", "/]"),
        };
        let _ = writeln!(
            out,
            "  {id}{}\"{}\"{}",
            shape.0,
            mermaid_text(&outside_label(source)),
            shape.1
        );
    }
    for (i, _) in graph.accounts.iter().enumerate() {
        let account = AccountIdx(i);
        let _ = writeln!(
            out,
            "  subgraph a{i}[\"{}\"]",
            mermaid_text(&account_title(graph, account))
        );
        for (idx, role) in graph.roles_in(account) {
            let _ = writeln!(
                out,
                "    r{}[\"{}<br/>{}\"]",
                idx.0,
                mermaid_text(&role.key),
                mermaid_text(&role.name)
            );
        }
        out.push_str("  end\n");
    }
    for e in &view.edges {
        let from = view.id(&e.source);
        let label = e.label();
        if label.is_empty() {
            let _ = writeln!(out, "  {from} --> r{}", e.target.0);
        } else {
            let _ = writeln!(
                out,
                "  {from} -->|\"{}\"| r{}",
                mermaid_text(&label),
                e.target.0
            );
        }
    }
    out
}

/// DOT strings escape `"` and `\`.
fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(graph: &Graph, view: &View) -> String {
    let mut out = String::from(
        "digraph rolegraph {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for source in &view.outside {
        let id = view.id(source);
        let shape = match source {
            Source::Service(_) => "ellipse",
            _ => "parallelogram",
        };
        let _ = writeln!(
            out,
            "  {id} [shape={shape}, label=\"{}\"];",
            dot_text(&outside_label(source))
        );
    }
    for (i, _) in graph.accounts.iter().enumerate() {
        let account = AccountIdx(i);
        let _ = writeln!(
            out,
            "  subgraph cluster_a{i} {{\n    label=\"{}\";",
            dot_text(&account_title(graph, account))
        );
        for (idx, role) in graph.roles_in(account) {
            let _ = writeln!(
                out,
                "    r{} [label=\"{}\\n{}\"];",
                idx.0,
                dot_text(&role.key),
                dot_text(&role.name)
            );
        }
        out.push_str("  }\n");
    }
    for e in &view.edges {
        let from = view.id(&e.source);
        let label = e.label();
        if label.is_empty() {
            let _ = writeln!(out, "  {from} -> r{};", e.target.0);
        } else {
            let _ = writeln!(
                out,
                "  {from} -> r{} [label=\"{}\"];",
                e.target.0,
                dot_text(&label)
            );
        }
    }
    out.push_str("}\n");
    out
}
