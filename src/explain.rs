//! `rolegraph explain`: who can assume a role, directly and through chains, and what it
//! can assume in turn, with the conditions on each hop and the accounts crossed.

use std::fmt::Write;

use serde::Serialize;

use crate::diag::{Diagnostic, plural};
use crate::ir::edges::{Source, TrustEdge};
use crate::ir::{Graph, RoleIdx};

/// Paths beyond this many are left out (and the report says so): a dense trust graph
/// can have exponentially many.
const MAX_PATHS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Serialize)]
pub struct Report {
    pub role: RoleInfo,
    pub assumed_by: Vec<Chain>,
    pub can_assume: Vec<Chain>,
    /// True when a list stopped at the path limit.
    pub truncated: bool,
}

#[derive(Serialize)]
pub struct RoleInfo {
    pub key: String,
    pub name: String,
    pub account: String,
    pub account_id: String,
    pub arn: String,
}

#[derive(Serialize)]
pub struct Chain {
    /// The principals from the first to the last, e.g. `["service ec2.amazonaws.com", "platform", "production"]`.
    pub path: Vec<String>,
    pub hops: Vec<Hop>,
}

#[derive(Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    /// The account of `from`, when it is a role of the model.
    pub from_account: Option<String>,
    pub to_account: String,
    pub crosses_accounts: bool,
    pub external_ids: Vec<String>,
    pub session_tags: bool,
    pub conditions: Vec<String>,
}

/// A role by key, or by IAM name when that name is unique in the model.
pub fn find_role(graph: &Graph, wanted: &str) -> Result<RoleIdx, Diagnostic> {
    if let Some(i) = graph.roles.iter().position(|r| r.key == wanted) {
        return Ok(RoleIdx(i));
    }
    let by_name: Vec<usize> = (0..graph.roles.len())
        .filter(|&i| graph.roles[i].name.eq_ignore_ascii_case(wanted))
        .collect();
    match by_name.as_slice() {
        [one] => Ok(RoleIdx(*one)),
        [] => Err(
            Diagnostic::nowhere(format!("no role `{wanted}` in the model")).hint(format!(
                "give a role key or IAM name; keys are: {}",
                keys(graph)
            )),
        ),
        many => Err(
            Diagnostic::nowhere(format!("{} roles are named `{wanted}`", many.len())).hint(
                format!(
                    "give the role key instead: {}",
                    many.iter()
                        .map(|&i| graph.roles[i].key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        ),
    }
}

fn keys(graph: &Graph) -> String {
    graph
        .roles
        .iter()
        .map(|r| r.key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn explain(graph: &Graph, role: RoleIdx) -> Report {
    let edges = graph.trust_edges();
    let mut truncated = false;
    let mut assumed_by = Vec::new();
    walk_back(
        graph,
        &edges,
        role,
        &mut Vec::new(),
        &mut assumed_by,
        &mut truncated,
    );
    let mut can_assume = Vec::new();
    walk_forward(
        graph,
        &edges,
        role,
        &mut Vec::new(),
        &mut can_assume,
        &mut truncated,
    );
    for list in [&mut assumed_by, &mut can_assume] {
        list.sort_by_key(|c| c.hops.len());
    }
    let r = graph.role(role);
    let account = graph.account(r.account);
    Report {
        role: RoleInfo {
            key: r.key.clone(),
            name: r.name.clone(),
            account: account.key.clone(),
            account_id: account.id.clone(),
            arn: graph.role_arn(role),
        },
        assumed_by,
        can_assume,
        truncated,
    }
}

/// Every chain that ends at `target`; `below` holds the edges already walked, last first.
fn walk_back<'e>(
    graph: &Graph,
    edges: &'e [TrustEdge],
    target: RoleIdx,
    below: &mut Vec<&'e TrustEdge>,
    out: &mut Vec<Chain>,
    truncated: &mut bool,
) {
    for e in edges.iter().filter(|e| e.target == target) {
        if out.len() >= MAX_PATHS {
            *truncated = true;
            return;
        }
        below.push(e);
        out.push(chain(graph, below.iter().rev().copied()));
        if let Source::Role(source) = e.source {
            walk_back(graph, edges, source, below, out, truncated);
        }
        below.pop();
    }
}

/// Every chain that starts at `source`.
fn walk_forward<'e>(
    graph: &Graph,
    edges: &'e [TrustEdge],
    source: RoleIdx,
    above: &mut Vec<&'e TrustEdge>,
    out: &mut Vec<Chain>,
    truncated: &mut bool,
) {
    for e in edges.iter().filter(|e| e.source == Source::Role(source)) {
        if out.len() >= MAX_PATHS {
            *truncated = true;
            return;
        }
        above.push(e);
        out.push(chain(graph, above.iter().copied()));
        walk_forward(graph, edges, e.target, above, out, truncated);
        above.pop();
    }
}

fn source_name(graph: &Graph, source: &Source) -> String {
    match source {
        Source::Role(r) => graph.role(*r).key.clone(),
        Source::Service(name) => format!("service {name}"),
        Source::External(arn) => arn.clone(),
    }
}

fn chain<'e>(graph: &Graph, edges: impl Iterator<Item = &'e TrustEdge>) -> Chain {
    let hops: Vec<Hop> = edges
        .map(|e| {
            let from_account = match e.source {
                Source::Role(r) => Some(graph.role(r).account),
                _ => None,
            };
            let to_account = graph.role(e.target).account;
            Hop {
                from: source_name(graph, &e.source),
                to: graph.role(e.target).key.clone(),
                from_account: from_account.map(|a| graph.account(a).key.clone()),
                to_account: graph.account(to_account).key.clone(),
                crosses_accounts: from_account.is_some_and(|a| a != to_account),
                external_ids: e.external_ids.clone(),
                session_tags: e.session_tags,
                conditions: e.conditions.clone(),
            }
        })
        .collect();
    let mut path: Vec<String> = hops.first().map(|h| h.from.clone()).into_iter().collect();
    path.extend(hops.iter().map(|h| h.to.clone()));
    Chain { path, hops }
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => {
            let mut out = serde_json::to_string_pretty(report).unwrap_or_default();
            out.push('\n');
            out
        }
        Format::Text => text(report),
    }
}

fn text(report: &Report) -> String {
    let r = &report.role;
    let mut out = format!(
        "{}: {} in account {} ({})\n  {}\n",
        r.key, r.name, r.account, r.account_id, r.arn
    );
    for (title, chains) in [
        ("Who can assume it", &report.assumed_by),
        ("What it can assume", &report.can_assume),
    ] {
        if chains.is_empty() {
            let _ = writeln!(out, "\n{title}: nothing");
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", plural(chains.len(), "path"));
        for c in chains {
            let _ = writeln!(out, "  {}", c.path.join(" → "));
            for h in &c.hops {
                let from = match &h.from_account {
                    Some(a) => format!("{} ({a})", h.from),
                    None => h.from.clone(),
                };
                let mut notes = Vec::new();
                if h.crosses_accounts {
                    notes.push(format!(
                        "crosses {} → {}",
                        h.from_account.as_deref().unwrap_or("?"),
                        h.to_account
                    ));
                }
                if !h.external_ids.is_empty() {
                    notes.push(format!("ExternalId {}", h.external_ids.join(" | ")));
                }
                if h.session_tags {
                    notes.push("TagSession".to_owned());
                }
                notes.extend(h.conditions.iter().cloned());
                let notes = if notes.is_empty() {
                    "no conditions".to_owned()
                } else {
                    notes.join("; ")
                };
                let _ = writeln!(out, "    {from} → {} ({}): {notes}", h.to, h.to_account);
            }
        }
    }
    if report.truncated {
        let _ = writeln!(
            out,
            "\n(more than {MAX_PATHS} paths; the rest are left out)"
        );
    }
    out
}
