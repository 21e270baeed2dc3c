//! The resolved role graph: every reference checked, every policy built, both halves of
//! every trust edge derived from the one edge in the model. It knows no backend.

mod build;
pub mod checks;
pub mod compact;
pub mod edges;
mod keys;
mod pack;
pub mod policy;
pub mod quota;
pub mod seqera;
pub mod size;
mod trust;

use std::collections::BTreeMap;

pub use build::build;
pub use policy::*;

use crate::diag::Loc;
pub use crate::model::Partition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountIdx(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleIdx(pub usize);

#[derive(Debug, Clone)]
pub struct Graph {
    pub name: String,
    /// The model file's name, cited in every generated file's header.
    pub source_name: String,
    pub accounts: Vec<Account>,
    pub roles: Vec<Role>,
    /// Deploy-time values (`external_id: { input: NAME }`), sorted by name.
    pub inputs: Vec<Input>,
    pub trust_edge_count: usize,
    /// The roles of each account, in model order: backends walk accounts, and scanning
    /// every role per account would be quadratic in large organisations.
    pub account_roles: Vec<Vec<RoleIdx>>,
    pub seqera: Option<seqera::SeqeraSetup>,
    /// The IAM quotas in force.
    pub limits: quota::Limits,
    /// The IaC owns each role's whole set of attached and inline policies: an apply
    /// removes what was added by hand. CloudFormation's role properties always are.
    pub exclusive: bool,
}

/// A lint rule that a role's model accepts, with the reason given.
#[derive(Debug, Clone)]
pub struct AcceptedRisk {
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub key: String,
    pub loc: Loc,
    pub id: String,
    pub partition: Partition,
    pub region: Option<String>,
    pub deploy_role: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub key: String,
    pub loc: Loc,
    pub account: AccountIdx,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub max_session_duration: Option<u64>,
    pub permissions_boundary: Option<String>,
    pub managed_policies: Vec<String>,
    pub inline_policies: Vec<NamedPolicy>,
    /// Shared by every role that adds no tags of its own to the model's: a large model's
    /// roles mostly carry the same few tags, and a map per role (544 bytes for one tag) was
    /// the largest single allocation site of the graph.
    pub tags: std::sync::Arc<BTreeMap<String, String>>,
    pub instance_profile: Option<String>,
    /// The trust as the model states it: one statement per `trusted_by` entry, each with
    /// its position. Lint and the graph queries read this.
    pub trust: PolicyDocument,
    /// The trust policy as written to IAM: `trust` with statements that differ only in
    /// their principals merged (see `compact`). Backends and the size quota use this.
    pub trust_policy: PolicyDocument,
    /// The identity half of this role's outgoing `role:` edges: `<name>-assume`,
    /// `<name>-assume-2`, … (as many as the managed-policy size quota needs), or none.
    pub assume: Vec<NamedPolicy>,
    pub accepted_risks: Vec<AcceptedRisk>,
}

#[derive(Debug, Clone)]
pub struct NamedPolicy {
    pub name: String,
    /// Only managed policies carry one; IAM has no description for inline policies.
    pub description: Option<String>,
    pub loc: Loc,
    pub document: PolicyDocument,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub loc: Loc,
    /// The roles whose trust policy requires this value, for the variable's description.
    pub used_by: Vec<RoleIdx>,
}

/// `arn:<partition>:iam::<account>:role<path><name>`: the path is part of the ARN.
/// The `n`th (from 0) of a series of names: the first is `base`, the next `base`, the
/// separator and 2, then 3, …: `-assume`, `-assume-2`; `prod.yaml`, `prod-2.yaml`. Every
/// numbered name rolegraph writes comes from here.
pub fn numbered(base: &str, separator: &str, n: usize) -> String {
    let mut name = base.to_owned();
    push_number(&mut name, separator, n);
    name
}

/// Appends to a base what `numbered` adds: nothing for the first, the separator and the
/// number after it.
pub fn push_number(name: &mut String, separator: &str, n: usize) {
    if n > 0 {
        // Writing to a `String` cannot fail.
        let _ = std::fmt::Write::write_fmt(name, format_args!("{separator}{}", n + 1));
    }
}

impl Role {
    /// The names of the deploy-time inputs its trust policy uses, once per use.
    pub fn trust_inputs(&self) -> impl Iterator<Item = &str> {
        self.trust
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .flat_map(|c| &c.values)
            .filter_map(|value| match value {
                Text::Input(name) => Some(name.as_str()),
                _ => None,
            })
    }
}

impl Account {
    /// The region to deploy through: the model's, or the partition's first (IAM is global).
    pub fn region_or_default(&self) -> &str {
        self.region
            .as_deref()
            .unwrap_or_else(|| self.partition.default_region())
    }
}

pub fn role_arn(account: &Account, role: &Role) -> String {
    format!(
        "arn:{}:iam::{}:role{}{}",
        account.partition.as_str(),
        account.id,
        role.path,
        role.name
    )
}

/// The ARN of a customer managed policy `name` at `path` in `account`.
pub fn policy_arn(account: &Account, path: &str, name: &str) -> String {
    format!(
        "arn:{}:iam::{}:policy{path}{name}",
        account.partition.as_str(),
        account.id
    )
}

impl Graph {
    pub fn account(&self, idx: AccountIdx) -> &Account {
        &self.accounts[idx.0]
    }

    pub fn role(&self, idx: RoleIdx) -> &Role {
        &self.roles[idx.0]
    }

    /// Every account, in model order.
    pub fn account_indices(&self) -> Vec<AccountIdx> {
        (0..self.accounts.len()).map(AccountIdx).collect()
    }

    pub fn roles_in(&self, account: AccountIdx) -> impl Iterator<Item = (RoleIdx, &Role)> {
        self.account_roles[account.0]
            .iter()
            .map(|&idx| (idx, self.role(idx)))
    }

    /// The deploy-time inputs that the trust policies of one account's roles require,
    /// sorted by name.
    pub fn inputs_in(&self, account: AccountIdx) -> Vec<&Input> {
        self.inputs_of(self.roles_in(account).map(|(idx, _)| idx))
    }

    /// The deploy-time inputs that the trust policies of `roles` require, sorted by name.
    pub fn inputs_of(&self, roles: impl Iterator<Item = RoleIdx>) -> Vec<&Input> {
        let mut names = std::collections::BTreeSet::new();
        for role in roles.map(|idx| self.role(idx)) {
            names.extend(role.trust_inputs());
        }
        names
            .into_iter()
            .filter_map(|name| {
                let found = self.inputs.binary_search_by(|i| i.name.as_str().cmp(name));
                found.ok().map(|i| &self.inputs[i])
            })
            .collect()
    }

    pub fn role_arn(&self, idx: RoleIdx) -> String {
        let role = self.role(idx);
        role_arn(self.account(role.account), role)
    }

    /// The other accounts whose roles the trust policies of `account`'s roles name: IAM
    /// needs those roles to exist first. In model order.
    pub fn waits_for(&self, account: AccountIdx) -> std::collections::BTreeSet<AccountIdx> {
        let mut accounts = std::collections::BTreeSet::new();
        for (_, role) in self.roles_in(account) {
            let principals = role.trust.statements.iter().flat_map(|s| &s.principals);
            for id in principals.flat_map(|p| &p.ids) {
                if let Text::RoleArn(source) = id {
                    accounts.insert(self.role(*source).account);
                }
            }
        }
        accounts.remove(&account);
        accounts
    }

    /// Accounts in an order that creates every trusted role before the roles that trust
    /// it: IAM rejects a trust policy whose role principal does not exist yet. Ties keep
    /// model order. `None` when accounts trust each other's roles both ways.
    pub fn deploy_order(&self) -> Option<Vec<AccountIdx>> {
        let n = self.accounts.len();
        let waits_for: Vec<_> = (0..n).map(|a| self.waits_for(AccountIdx(a))).collect();
        let mut unblocks = vec![Vec::new(); n];
        let mut pending: Vec<usize> = waits_for.iter().map(|w| w.len()).collect();
        for (account, deps) in waits_for.iter().enumerate() {
            for dep in deps {
                unblocks[dep.0].push(account);
            }
        }
        let mut ready: std::collections::BTreeSet<usize> =
            (0..n).filter(|&a| pending[a] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(next) = ready.pop_first() {
            order.push(AccountIdx(next));
            for &waiter in &unblocks[next] {
                pending[waiter] -= 1;
                if pending[waiter] == 0 {
                    ready.insert(waiter);
                }
            }
        }
        (order.len() == n).then_some(order)
    }

    /// [`Graph::deploy_order`] for backends that deploy one account at a time, where a
    /// two-way trust between accounts has no valid order: `units` names what is deployed
    /// ("CloudFormation stacks") and `alternative` ends the hint.
    pub fn deploy_order_for(
        &self,
        units: &str,
        alternative: &str,
    ) -> Result<Vec<AccountIdx>, crate::diag::Diagnostics> {
        self.deploy_order().ok_or_else(|| {
            let message = format!(
                "accounts trust each other's roles in both directions, so no order of {units} can create every trusted role first"
            );
            let hint = format!(
                "trust an `account:` root with an aws:PrincipalArn condition on one side, or keep both roles in one account{alternative}"
            );
            let diagnostic = match self.accounts.first() {
                Some(account) => crate::diag::Diagnostic::at(&account.loc, message),
                None => crate::diag::Diagnostic::nowhere(message),
            };
            diagnostic.hint(hint).into()
        })
    }
}
