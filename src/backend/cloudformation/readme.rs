//! The deploy guide for the templates, rendered from a tera template.

use serde::Serialize;

use super::map::Map;
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
    /// `stacksets/<name>/<account id>.json`
    parameter_files: String,
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
    /// Too big to pass as a body: deployed through an S3 bucket.
    s3: bool,
}

/// `large[s]` says whether stack `s`'s template is too big to pass as a body.
pub fn render(
    graph: &Graph,
    order: &[AccountIdx],
    map: &Map,
    large: &[bool],
    templates: &Templates,
) -> Result<String, Diagnostics> {
    let mut entries = Vec::new();
    for &account in order {
        let mut previous: Option<String> = None;
        let parts = map.stacks.of(account).count();
        for (i, s) in map.stacks.of(account) {
            let mut entry = stack(graph, map, i);
            entry.s3 = large[i];
            if parts > 1 {
                entry.part = format!("part {} of {parts}", s.part + 1);
            }
            entry.after.extend(previous.take());
            previous = Some(entry.template.clone());
            entries.push(entry);
        }
    }
    let stacks = entries;
    let stacksets = (0..map.groups.len())
        .map(|g| stackset(graph, map, g))
        .collect();
    let context = Context {
        model: &graph.name,
        source: &graph.source_name,
        stacks,
        stacksets,
        diagram: crate::diagram::for_readme(graph),
    };
    templates.render("cloudformation-README.md", &context)
}

fn stack(graph: &Graph, map: &Map, i: usize) -> Stack {
    let s = &map.stacks.stacks[i];
    let idx = s.account;
    let account = graph.account(idx);
    let after = graph
        .waits_for(idx)
        .into_iter()
        .map(|a| graph.account(a).key.clone())
        .collect();
    let parameters = map.stack_parameters(graph, i);
    Stack {
        account: account.key.clone(),
        account_id: account.id.clone(),
        template: map.stack_file(i),
        part: String::new(),
        stack_name: map.stack_name(i),
        region: region(account),
        parameters,
        after,
        s3: false,
    }
}

fn stackset(graph: &Graph, map: &Map, g: usize) -> StackSet {
    let group = &map.groups[g];
    let instances = group
        .members
        .iter()
        .map(|&m| {
            let account = graph.account(graph.role(m).account);
            Instance {
                account: account.key.clone(),
                account_id: account.id.clone(),
                region: region(account),
                parameter_file: map.parameter_file(g, graph.role(m).account),
            }
        })
        .collect();
    StackSet {
        template: map.stackset_template(g),
        parameter_files: map.parameter_files_pattern(g),
        stack_set_name: map.stackset_name(g),
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
    account.region_or_default().to_owned()
}
