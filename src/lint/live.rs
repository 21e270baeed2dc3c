//! `rolegraph lint --live`: the rules on what the accounts hold. The topology is the one
//! `import` recovers, compiled in memory; a trust that names a role by ARN counts as an
//! edge from that role whether or not the role holds the grant, since IAM's trust policy
//! alone decides who may try. Given a model, its `seqera:` section (which credential
//! uses which role) is applied to the live roles, so the Seqera rules judge what is
//! deployed. Findings are placed at the live role (account, name, the dump's line).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Finding;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::seqera::{Credential, SeqeraSetup};
use crate::ir::{Graph, RoleIdx, Text};
use crate::live;

/// Where a live finding is: the role in its account, and its entry in the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub account: String,
    pub role: String,
    pub arn: String,
    pub file: Arc<str>,
    pub line: u32,
}

/// Every finding on the live accounts, and notes on what the model's `seqera:` names
/// that the accounts do not hold.
pub struct Linted {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

pub fn lint_live(accounts: &[live::Account], model: Option<&Graph>) -> Result<Linted, Diagnostics> {
    let mut graph = recovered_graph(accounts, model)?;
    resolve_role_arns(&mut graph);
    let mut notes = Vec::new();
    graph.seqera = model.and_then(|m| seqera_on_live(m, &graph, &mut notes));
    let mut findings = super::lint(&graph);
    findings.extend(super::rules::live_only(&graph));
    let places = places(accounts, &graph);
    for f in &mut findings {
        f.place = f.role.and_then(|r| places.get(&r).cloned()).map(Arc::new);
        // Accepted risks are the model's to give; live roles have none.
        f.accepted = None;
    }
    findings.sort_by(|a, b| (place_key(a), a.rule.id).cmp(&(place_key(b), b.rule.id)));
    Ok(Linted { findings, notes })
}

fn place_key(f: &Finding) -> (String, String, u32) {
    match &f.place {
        Some(p) => (p.account.clone(), p.role.clone(), f.loc.line),
        None => (String::new(), String::new(), f.loc.line),
    }
}

/// The model `import` writes for the accounts, compiled from memory. Values AWS accepts
/// but the model refuses make it invalid; then the accounts cannot be linted as a whole.
fn recovered_graph(
    accounts: &[live::Account],
    model: Option<&Graph>,
) -> Result<Graph, Diagnostics> {
    let keys = model
        .map(|m| {
            m.accounts
                .iter()
                .map(|a| (a.key.clone(), a.id.clone()))
                .collect()
        })
        .unwrap_or_default();
    let options = crate::import::Options {
        keys,
        name: "live".to_owned(),
        include: None,
        inline_only: true,
    };
    let imported = crate::import::import(accounts, &options);
    let nowhere = |message: String| {
        let mut diags = Diagnostics::default();
        diags.push(Diagnostic::nowhere(message));
        diags
    };
    let text = crate::import::doc::render(&imported.model, "lint --live")
        .map_err(|e| nowhere(format!("internal error: cannot render the live model: {e}")))?;
    let file: Arc<str> = Arc::from("(live accounts)");
    crate::compile_source(&file, &text, std::path::Path::new("."), crate::model::Access::default())
        .map_err(|diags| {
            nowhere(format!(
                "the accounts hold IAM that rolegraph's model cannot say, so they cannot be linted as one topology; `rolegraph import` of the same files names each part:\n{diags}"
            ))
        })
}

/// A principal that spells a role of the graph by ARN is that role.
fn resolve_role_arns(graph: &mut Graph) {
    let by_arn: BTreeMap<String, RoleIdx> = (0..graph.roles.len())
        .map(|i| (graph.role_arn(RoleIdx(i)), RoleIdx(i)))
        .collect();
    for role in &mut graph.roles {
        for s in &mut role.trust.statements {
            for p in &mut s.principals {
                for id in &mut p.ids {
                    if let Text::Lit(arn) = id
                        && let Some(&idx) = by_arn.get(arn.as_str())
                    {
                        *id = Text::RoleArn(idx);
                    }
                }
            }
        }
    }
}

/// The model's Seqera setup with each role replaced by the live role of the same
/// account id and name.
fn seqera_on_live(model: &Graph, live: &Graph, notes: &mut Vec<String>) -> Option<SeqeraSetup> {
    let seqera = model.seqera.as_ref()?;
    let find = |role: RoleIdx| {
        let r = model.role(role);
        let id = &model.account(r.account).id;
        let found = (0..live.roles.len())
            .map(RoleIdx)
            .find(|&i| live.role(i).name == r.name && &live.account(live.role(i).account).id == id);
        (found, format!("role `{}` ({} in {id})", r.key, r.name))
    };
    let (platform, shown) = find(seqera.platform_role);
    let Some(platform_role) = platform else {
        notes.push(format!("the model's platform {shown} is not in the accounts: its `seqera:` section is not applied"));
        return None;
    };
    let mut credentials = Vec::new();
    for c in &seqera.credentials {
        match find(c.role) {
            (Some(role), _) => credentials.push(Credential { role, ..c.clone() }),
            (None, shown) => notes.push(format!(
                "credential `{}` uses {shown}, which is not in the accounts",
                c.name
            )),
        }
    }
    Some(SeqeraSetup {
        platform_role,
        credentials,
        ..seqera.clone()
    })
}

fn places(accounts: &[live::Account], graph: &Graph) -> BTreeMap<RoleIdx, Place> {
    let mut out = BTreeMap::new();
    for i in (0..graph.roles.len()).map(RoleIdx) {
        let role = graph.role(i);
        let id = &graph.account(role.account).id;
        let Some(account) = accounts.iter().find(|a| &a.id == id) else {
            continue;
        };
        if let Some(live) = account.role(&role.name) {
            out.insert(
                i,
                Place {
                    account: id.clone(),
                    role: live.name.clone(),
                    arn: live.arn.clone(),
                    file: Arc::clone(&account.file),
                    line: live.line,
                },
            );
        }
    }
    out
}
