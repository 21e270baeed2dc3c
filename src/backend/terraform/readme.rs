//! The README of each layout, rendered from a tera template that users may replace
//! (`terraform-README.md`, `terraform-module-README.md`, `terraform-per-account-README.md`).

use serde::Serialize;

use super::map::Map;
use crate::diag::Diagnostics;
use crate::ir::{AccountIdx, Graph};
use crate::templates::Templates;

#[derive(Serialize)]
struct Context<'a> {
    model: &'a str,
    source: &'a str,
    diagram: Option<String>,
    /// In model order, except for the per-account layout: there, in the order to apply.
    accounts: Vec<Account<'a>>,
    inputs: Vec<&'a str>,
    /// `exclusive: true`: an apply removes policies added by hand.
    exclusive: bool,
}

#[derive(Serialize)]
struct Account<'a> {
    key: &'a str,
    id: &'a str,
    alias: &'a str,
    /// The file of the account's roles, relative to `terraform/`.
    file: String,
    /// The folder to run terraform in for the account, relative to `terraform/`.
    folder: &'a str,
    region: String,
    /// Accounts whose roles this account's trust policies name.
    after: Vec<&'a str>,
    /// The inputs that this account's trust policies require.
    inputs: Vec<&'a str>,
}

fn context<'a>(graph: &'a Graph, map: &'a Map, order: &[AccountIdx]) -> Context<'a> {
    let accounts = order
        .iter()
        .map(|&idx| {
            let a = graph.account(idx);
            Account {
                key: &a.key,
                id: &a.id,
                alias: map.names.alias(idx),
                file: map.account_file(idx),
                folder: map.root_folder(idx),
                region: match &a.region {
                    Some(r) => r.clone(),
                    None => format!("`var.{}`", map.names.region_vars[idx.0]),
                },
                after: graph
                    .waits_for(idx)
                    .into_iter()
                    .map(|w| graph.account(w).key.as_str())
                    .collect(),
                inputs: graph
                    .inputs_in(idx)
                    .into_iter()
                    .map(|i| i.name.as_str())
                    .collect(),
            }
        })
        .collect();
    Context {
        model: &graph.name,
        source: &graph.source_name,
        diagram: crate::diagram::for_readme(graph),
        accounts,
        inputs: graph.inputs.iter().map(|i| i.name.as_str()).collect(),
        exclusive: graph.exclusive,
    }
}

pub fn root(graph: &Graph, map: &Map, templates: &Templates) -> Result<String, Diagnostics> {
    let context = context(graph, map, &graph.account_indices());
    templates.render("terraform-README.md", &context)
}

pub fn module(graph: &Graph, map: &Map, templates: &Templates) -> Result<String, Diagnostics> {
    let context = context(graph, map, &graph.account_indices());
    templates.render("terraform-module-README.md", &context)
}

pub fn per_account(
    graph: &Graph,
    map: &Map,
    order: &[AccountIdx],
    templates: &Templates,
) -> Result<String, Diagnostics> {
    templates.render(
        "terraform-per-account-README.md",
        &context(graph, map, order),
    )
}
