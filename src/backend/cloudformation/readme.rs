//! The deploy guide for the templates, rendered from a tera template.

use serde::Serialize;

use super::parameter_name;
use super::split::{self, Stacks};
use super::stackset::Group;
use crate::diag::Diagnostics;
use crate::ir::{AccountIdx, Graph};
use crate::templates::Templates;

#[derive(Serialize)]
struct Context<'a> {
    model: &'a str,
    source: &'a str,
    stacks: Vec<Stack>,
    /// Deployed after every stack: nothing waits for their roles.
    stacksets: Vec<StackSet>,
    diagram: Option<String>,
}

#[derive(Serialize)]
struct StackSet {
    template: String,
    stack_set_name: String,
    role: String,
    parameters: Vec<String>,
    instances: Vec<Instance>,
}

#[derive(Serialize)]
struct Instance {
    account: String,
    account_id: String,
    region: String,
    parameter_file: String,
}

#[derive(Serialize)]
struct Stack {
    account: String,
    account_id: String,
    template: String,
    stack_name: String,
    region: String,
    parameters: Vec<String>,
    /// `part 2 of 3` when the account has several templates, else empty.
    part: String,
    /// Accounts whose roles this stack's trust policies name, and the account's previous
    /// template when it has several: deployed before it.
    after: Vec<String>,
}

pub fn render(
    graph: &Graph,
    order: &[AccountIdx],
    stacks: &Stacks,
    groups: &[Group],
    templates: &Templates,
) -> Result<String, Diagnostics> {
    let mut entries = Vec::new();
    for &account in order {
        let mut previous: Option<String> = None;
        let parts = stacks.of(account).count();
        for (_, s) in stacks.of(account) {
            let mut entry = stack(graph, s);
            if parts > 1 {
                entry.part = format!("part {} of {parts}", s.part + 1);
            }
            entry.after.extend(previous.take());
            previous = Some(entry.template.clone());
            entries.push(entry);
        }
    }
    let stacks = entries;
    let stacksets = groups.iter().map(|g| stackset(graph, g)).collect();
    let context = Context {
        model: &graph.name,
        source: &graph.source_name,
        stacks,
        stacksets,
        diagram: crate::diagram::for_readme(graph),
    };
    templates.render("cloudformation-README.md", &context)
}

fn stack(graph: &Graph, s: &split::Stack) -> Stack {
    let idx = s.account;
    let account = graph.account(idx);
    let after = graph
        .waits_for(idx)
        .into_iter()
        .map(|a| graph.account(a).key.clone())
        .collect();
    let parameters = graph
        .inputs_of(s.roles.iter().copied())
        .iter()
        .map(|i| parameter_name(&i.name))
        .collect();
    let stack_key = match s.part {
        0 => account.key.clone(),
        n => format!("{}-{}", account.key, n + 1),
    };
    Stack {
        account: account.key.clone(),
        account_id: account.id.clone(),
        template: s.file(graph),
        part: String::new(),
        stack_name: stack_name(&graph.name, &stack_key),
        region: region(account),
        parameters,
        after,
    }
}

fn stackset(graph: &Graph, group: &Group) -> StackSet {
    let instances = group
        .members
        .iter()
        .map(|&m| {
            let account = graph.account(graph.role(m).account);
            Instance {
                account: account.key.clone(),
                account_id: account.id.clone(),
                region: region(account),
                parameter_file: format!("stacksets/{}/{}.json", group.name, account.id),
            }
        })
        .collect();
    StackSet {
        template: format!("stacksets/{}.yaml", group.name),
        stack_set_name: stack_name(&graph.name, &group.name),
        role: graph.role(group.members[0]).name.clone(),
        parameters: group
            .template
            .parameters
            .0
            .iter()
            .map(|(k, _)| k.clone())
            .collect(),
        instances,
    }
}

fn region(account: &crate::ir::Account) -> String {
    account
        .region
        .clone()
        .unwrap_or_else(|| account.partition.default_region().to_owned())
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
