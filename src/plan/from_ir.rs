//! The expected state, read off the role graph. It follows IAM's view, not any backend's:
//! ARNs are resolved, deploy-time inputs take the values given (or stay as a visible
//! placeholder), and every document is normalized.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{
    AccountIam, AccountPlan, DEFAULT_MAX_SESSION_DURATION, InstanceProfileState,
    ManagedPolicyState, Plan, RoleState,
};
use crate::ir::{Graph, POLICY_VERSION, PolicyDocument, Statement, Text};

/// Values for the model's deploy-time inputs (`external_id: { input: NAME }`), by name.
#[derive(Debug, Clone, Default)]
pub struct Inputs(pub BTreeMap<String, String>);

impl Inputs {
    /// What an input without a value shows as: it cannot be mistaken for a real External
    /// ID, because IAM rejects `$`, `{` and `}` there.
    pub fn placeholder(name: &str) -> String {
        format!("${{input.{name}}}")
    }
}

pub fn plan(graph: &Graph, inputs: &Inputs) -> Plan {
    let mut accounts = BTreeMap::new();
    for (a, account) in graph.accounts.iter().enumerate() {
        let mut iam = AccountIam::default();
        for (idx, role) in graph.roles_in(crate::ir::AccountIdx(a)) {
            let resolve = |text: &Text| match text {
                Text::Lit(s) => s.clone(),
                Text::RoleArn(r) => graph.role_arn(*r),
                Text::Input(name) => inputs
                    .0
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Inputs::placeholder(name)),
            };
            let mut attached = role.managed_policies.clone();
            if let Some(assume) = &role.assume {
                let arn = format!(
                    "arn:{}:iam::{}:policy{}{}",
                    account.partition.as_str(),
                    account.id,
                    role.path,
                    assume.name
                );
                attached.push(arn.clone());
                iam.managed_policies.insert(
                    assume.name.clone(),
                    ManagedPolicyState {
                        arn,
                        path: role.path.clone(),
                        description: assume.description.clone(),
                        document: document(&assume.document, &resolve),
                    },
                );
            }
            if let Some(profile) = &role.instance_profile {
                iam.instance_profiles.insert(
                    profile.clone(),
                    InstanceProfileState {
                        path: role.path.clone(),
                        roles: vec![role.name.clone()],
                    },
                );
            }
            let inline_policies = role
                .inline_policies
                .iter()
                .map(|p| (p.name.clone(), document(&p.document, &resolve)))
                .collect();
            iam.roles.insert(
                role.name.clone(),
                RoleState {
                    arn: graph.role_arn(idx),
                    path: role.path.clone(),
                    description: role.description.clone(),
                    max_session_duration: role
                        .max_session_duration
                        .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
                    permissions_boundary: role.permissions_boundary.clone(),
                    tags: role.tags.clone(),
                    trust_policy: document(&role.trust, &resolve),
                    attached_policies: attached,
                    inline_policies,
                },
            );
        }
        accounts.insert(
            account.key.clone(),
            AccountPlan {
                id: account.id.clone(),
                partition: account.partition.as_str().to_owned(),
                region: account
                    .region
                    .clone()
                    .unwrap_or_else(|| account.partition.default_region().to_owned()),
                iam: iam.normalized(),
            },
        );
    }
    let deploy_order = graph.deploy_order().map(|order| {
        order
            .into_iter()
            .map(|a| graph.account(a).key.clone())
            .collect()
    });
    Plan {
        model: graph.name.clone(),
        deploy_order,
        accounts,
    }
}

/// The document as IAM stores it, before normalization.
fn document(doc: &PolicyDocument, resolve: &dyn Fn(&Text) -> String) -> Value {
    let statements: Vec<Value> = doc
        .statements
        .iter()
        .map(|s| statement(s, resolve))
        .collect();
    json!({ "Version": POLICY_VERSION, "Statement": statements })
}

fn statement(s: &Statement, resolve: &dyn Fn(&Text) -> String) -> Value {
    let texts = |items: &[Text]| -> Value { items.iter().map(resolve).collect() };
    let mut out = Map::new();
    if let Some(sid) = &s.sid {
        out.insert("Sid".into(), sid.clone().into());
    }
    out.insert("Effect".into(), s.effect.as_str().into());
    if !s.principals.is_empty() {
        let mut principals: Map<String, Value> = Map::new();
        for p in &s.principals {
            let ids = principals
                .entry(p.kind.as_str())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(ids) = ids {
                ids.extend(p.ids.iter().map(|t| Value::from(resolve(t))));
            }
        }
        out.insert("Principal".into(), Value::Object(principals));
    }
    for (name, items) in [("Action", &s.actions), ("NotAction", &s.not_actions)] {
        if !items.is_empty() {
            out.insert(name.into(), items.clone().into());
        }
    }
    for (name, items) in [
        ("Resource", &s.resources),
        ("NotResource", &s.not_resources),
    ] {
        if !items.is_empty() {
            out.insert(name.into(), texts(items));
        }
    }
    if !s.conditions.is_empty() {
        let mut operators: Map<String, Value> = Map::new();
        for c in &s.conditions {
            let keys = operators
                .entry(c.operator.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = keys {
                keys.insert(c.key.clone(), texts(&c.values));
            }
        }
        out.insert("Condition".into(), Value::Object(operators));
    }
    Value::Object(out)
}
