//! `rolegraph graph`: accounts as subgraphs, roles as nodes, trust edges labelled with
//! their conditions, in Mermaid (rendered by GitHub in the generated READMEs) or DOT.

use std::collections::BTreeMap;

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
        Format::Mermaid => draw(graph, &view, &Mermaid),
        Format::Dot => draw(graph, &view, &Dot),
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

/// How one diagram language writes each part; `draw` walks the graph once for all.
trait Dialect {
    fn start(&self) -> &'static str;
    fn end(&self) -> &'static str;
    fn outside(&self, id: &str, is_service: bool, label: &str) -> String;
    fn account(&self, index: usize, title: &str) -> String;
    fn account_end(&self) -> &'static str;
    fn role(&self, id: &str, key: &str, name: &str) -> String;
    fn edge(&self, from: &str, to: &str, label: &str) -> String;
}

struct Mermaid;

/// Mermaid strings take `#quot;` for a double quote.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

impl Dialect for Mermaid {
    fn start(&self) -> &'static str {
        "flowchart LR\n"
    }
    fn end(&self) -> &'static str {
        ""
    }
    fn outside(&self, id: &str, is_service: bool, label: &str) -> String {
        let (open, close) = if is_service {
            ("([", "])")
        } else {
            ("[/", "/]")
        };
        format!("  {id}{open}\"{}\"{close}\n", mermaid_text(label))
    }
    fn account(&self, index: usize, title: &str) -> String {
        format!("  subgraph a{index}[\"{}\"]\n", mermaid_text(title))
    }
    fn account_end(&self) -> &'static str {
        "  end\n"
    }
    fn role(&self, id: &str, key: &str, name: &str) -> String {
        format!(
            "    {id}[\"{}<br/>{}\"]\n",
            mermaid_text(key),
            mermaid_text(name)
        )
    }
    fn edge(&self, from: &str, to: &str, label: &str) -> String {
        if label.is_empty() {
            format!("  {from} --> {to}\n")
        } else {
            format!("  {from} -->|\"{}\"| {to}\n", mermaid_text(label))
        }
    }
}

struct Dot;

/// DOT strings escape `"` and `\`.
fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Dialect for Dot {
    fn start(&self) -> &'static str {
        "digraph rolegraph {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n"
    }
    fn end(&self) -> &'static str {
        "}\n"
    }
    fn outside(&self, id: &str, is_service: bool, label: &str) -> String {
        let shape = if is_service {
            "ellipse"
        } else {
            "parallelogram"
        };
        format!("  {id} [shape={shape}, label=\"{}\"];\n", dot_text(label))
    }
    fn account(&self, index: usize, title: &str) -> String {
        format!(
            "  subgraph cluster_a{index} {{\n    label=\"{}\";\n",
            dot_text(title)
        )
    }
    fn account_end(&self) -> &'static str {
        "  }\n"
    }
    fn role(&self, id: &str, key: &str, name: &str) -> String {
        format!(
            "    {id} [label=\"{}\\n{}\"];\n",
            dot_text(key),
            dot_text(name)
        )
    }
    fn edge(&self, from: &str, to: &str, label: &str) -> String {
        if label.is_empty() {
            format!("  {from} -> {to};\n")
        } else {
            format!("  {from} -> {to} [label=\"{}\"];\n", dot_text(label))
        }
    }
}

fn draw(graph: &Graph, view: &View, dialect: &dyn Dialect) -> String {
    let mut out = String::from(dialect.start());
    for source in &view.outside {
        let is_service = matches!(source, Source::Service(_));
        out.push_str(&dialect.outside(&view.id(source), is_service, &outside_label(source)));
    }
    for i in 0..graph.accounts.len() {
        let account = AccountIdx(i);
        out.push_str(&dialect.account(i, &account_title(graph, account)));
        for (idx, role) in graph.roles_in(account) {
            out.push_str(&dialect.role(&view.id(&Source::Role(idx)), &role.key, &role.name));
        }
        out.push_str(dialect.account_end());
    }
    for e in &view.edges {
        let to = view.id(&Source::Role(e.target));
        out.push_str(&dialect.edge(&view.id(&e.source), &to, &e.label()));
    }
    out.push_str(dialect.end());
    out
}
