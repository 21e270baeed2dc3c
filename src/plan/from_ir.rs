//! The expected state, read off the role graph. It follows IAM's view, not any backend's:
//! ARNs are resolved, deploy-time inputs take the values given (or stay as a visible
//! placeholder), and every document is normalized.

use std::collections::BTreeMap;

use super::{
    AccountIam, AccountPlan, DEFAULT_MAX_SESSION_DURATION, InstanceProfileState,
    ManagedPolicyState, Plan, RoleState,
};
use crate::ir::{Graph, Text};

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
            // Every field, without `..`: a new one does not compile until the plan
            // states it (or names it as not part of the deployed IAM).
            let crate::ir::Role {
                key: _,
                loc: _,
                account: _,
                name,
                path,
                description,
                max_session_duration,
                permissions_boundary,
                managed_policies,
                inline_policies,
                tags,
                instance_profile,
                trust: _,
                trust_policy,
                assume,
                accepted_risks: _,
            } = role;
            let resolve = |text: &Text| match text {
                Text::Lit(s) => s.clone(),
                Text::RoleArn(r) => graph.role_arn(*r),
                Text::Input(name) => inputs
                    .0
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Inputs::placeholder(name)),
            };
            let mut attached = managed_policies.clone();
            for assume in assume {
                let arn = crate::ir::policy_arn(account, path, &assume.name);
                attached.push(arn.clone());
                iam.managed_policies.insert(
                    assume.name.clone(),
                    ManagedPolicyState {
                        arn,
                        path: path.clone(),
                        description: assume.description.clone(),
                        document: assume.document.to_json(&resolve),
                    },
                );
            }
            if let Some(profile) = instance_profile {
                iam.instance_profiles.insert(
                    profile.clone(),
                    InstanceProfileState {
                        path: path.clone(),
                        roles: vec![name.clone()],
                    },
                );
            }
            let inline_policies = inline_policies
                .iter()
                .map(|p| (p.name.clone(), p.document.to_json(&resolve)))
                .collect();
            iam.roles.insert(
                name.clone(),
                RoleState {
                    arn: graph.role_arn(idx),
                    path: path.clone(),
                    description: description.clone(),
                    max_session_duration: max_session_duration
                        .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
                    permissions_boundary: permissions_boundary.clone(),
                    tags: BTreeMap::clone(tags),
                    trust_policy: trust_policy.to_json(&resolve),
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
                region: account.region_or_default().to_owned(),
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
