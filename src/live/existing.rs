//! What already exists in the accounts `generate --adopt` was given, looked up by the IAM
//! identity each generated resource will have. A role whose name exists with another
//! path is not the model's role: importing it would make Terraform replace it.

use std::collections::BTreeSet;

use super::Account;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Graph, RoleIdx};

#[derive(Debug, Default)]
pub struct Existing {
    /// (account id, role name)
    roles: BTreeSet<(String, String)>,
    profiles: BTreeSet<(String, String)>,
    /// Customer-managed policy ARNs.
    policies: BTreeSet<String>,
    /// (account id, role name, policy name)
    inline: BTreeSet<(String, String, String)>,
    /// (account id, role name, policy ARN)
    attachments: BTreeSet<(String, String, String)>,
    /// Model roles that exist only in another of the accounts given: `generate` creates
    /// them anew where the model puts them, which the user should know.
    pub elsewhere: Vec<String>,
}

impl Existing {
    /// The resources of `accounts`; a model role whose name is taken by a role with
    /// another path is an error.
    pub fn of(graph: &Graph, accounts: &[Account]) -> Result<Existing, Diagnostics> {
        let mut out = Existing::default();
        for account in accounts {
            let id = &account.id;
            for role in &account.roles {
                out.roles.insert((id.clone(), role.name.clone()));
                for profile in &role.profiles {
                    out.profiles.insert((id.clone(), profile.name.clone()));
                }
                for (name, _) in &role.inline {
                    out.inline
                        .insert((id.clone(), role.name.clone(), name.clone()));
                }
                for arn in &role.attached {
                    out.attachments
                        .insert((id.clone(), role.name.clone(), arn.clone()));
                }
            }
            out.policies
                .extend(account.policies.iter().map(|p| p.arn.clone()));
        }
        let mut diags = Diagnostics::default();
        for role in &graph.roles {
            let account = graph.account(role.account);
            let here = accounts.iter().find(|a| a.id == account.id);
            let exists_here = here.is_some_and(|a| a.role(&role.name).is_some());
            let other = accounts
                .iter()
                .find(|a| a.id != account.id && a.role(&role.name).is_some());
            if let (false, Some(other)) = (exists_here, other) {
                out.elsewhere.push(format!(
                    "role `{}` ({}) exists in account {}, not in {} where the model puts it: it is created anew there, and the one in {} is left alone",
                    role.key, role.name, other.id, account.id, other.id
                ));
            }
            let Some(live) = here else {
                continue;
            };
            let same_name = live
                .roles
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(&role.name));
            if let Some(found) = same_name.filter(|r| r.path != role.path || r.name != role.name) {
                diags.push(
                    Diagnostic::at(
                        &role.loc,
                        format!(
                            "role `{}` would be {}{} in account {}, but the account has {}{}: adopting it would replace it",
                            role.key, role.path, role.name, account.id, found.path, found.name
                        ),
                    )
                    .hint("give the model the live role's path and name, or adopt without it"),
                );
            }
        }
        diags.into_result(out)
    }

    fn account(graph: &Graph, role: RoleIdx) -> &str {
        &graph.account(graph.role(role).account).id
    }

    pub fn role(&self, graph: &Graph, role: RoleIdx) -> bool {
        let key = (
            Self::account(graph, role).to_owned(),
            graph.role(role).name.clone(),
        );
        self.roles.contains(&key)
    }

    pub fn profile(&self, graph: &Graph, role: RoleIdx, name: &str) -> bool {
        self.profiles
            .contains(&(Self::account(graph, role).to_owned(), name.to_owned()))
    }

    pub fn inline(&self, graph: &Graph, role: RoleIdx, policy: &str) -> bool {
        let r = graph.role(role);
        let key = (
            Self::account(graph, role).to_owned(),
            r.name.clone(),
            policy.to_owned(),
        );
        self.inline.contains(&key)
    }

    pub fn attachment(&self, graph: &Graph, role: RoleIdx, arn: &str) -> bool {
        let r = graph.role(role);
        let key = (
            Self::account(graph, role).to_owned(),
            r.name.clone(),
            arn.to_owned(),
        );
        self.attachments.contains(&key)
    }

    pub fn policy(&self, arn: &str) -> bool {
        self.policies.contains(arn)
    }
}
