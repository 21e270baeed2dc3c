//! The deploy guide for the templates, rendered from a tera template.

use serde::Serialize;

use super::parameter_name;
use crate::diag::Diagnostics;
use crate::ir::{AccountIdx, Graph};
use crate::templates::Templates;

#[derive(Serialize)]
struct Context<'a> {
    model: &'a str,
    source: &'a str,
    stacks: Vec<Stack>,
    diagram: Option<String>,
}

#[derive(Serialize)]
struct Stack {
    account: String,
    account_id: String,
    template: String,
    stack_name: String,
    region: String,
    parameters: Vec<String>,
    /// Accounts whose roles this stack's trust policies name, deployed before it.
    after: Vec<String>,
}

pub fn render(
    graph: &Graph,
    order: &[AccountIdx],
    templates: &Templates,
) -> Result<String, Diagnostics> {
    let stacks = order.iter().map(|&a| stack(graph, a)).collect();
    let context = Context {
        model: &graph.name,
        source: &graph.source_name,
        stacks,
        diagram: crate::diagram::for_readme(graph),
    };
    templates.render("cloudformation-README.md", &context)
}

fn stack(graph: &Graph, idx: AccountIdx) -> Stack {
    let account = graph.account(idx);
    let after = graph
        .waits_for(idx)
        .into_iter()
        .map(|a| graph.account(a).key.clone())
        .collect();
    let parameters = graph
        .inputs_in(idx)
        .iter()
        .map(|i| parameter_name(&i.name))
        .collect();
    Stack {
        account: account.key.clone(),
        account_id: account.id.clone(),
        template: format!("{}.yaml", account.key),
        stack_name: stack_name(&graph.name, &account.key),
        region: account
            .region
            .clone()
            .unwrap_or_else(|| account.partition.default_region().to_owned()),
        parameters,
        after,
    }
}

/// Stack names are `[A-Za-z][-A-Za-z0-9]*`, at most 128 characters.
pub fn stack_name(model: &str, account: &str) -> String {
    let raw = format!("{model}-{account}");
    let mut name: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "rg-");
    }
    name.truncate(128);
    name
}
