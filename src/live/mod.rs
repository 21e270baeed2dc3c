//! What an AWS account already holds, as `aws iam get-account-authorization-details`
//! (and `aws iam list-roles`) print it. `import` recovers a model from it, and
//! `generate --adopt` learns from it which resources to import instead of create. These
//! files come from someone else's account: every field is checked before it is used.

mod document;
mod existing;
mod read;
mod state;

use std::sync::Arc;

use serde_json::Value;

pub use existing::Existing;
pub use read::{read_all, read_texts};

use crate::model::Partition;

/// One account's IAM, from one authorization-details file and at most one list-roles file.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub partition: Partition,
    /// The authorization-details file, for messages.
    pub file: Arc<str>,
    /// Whether a list-roles file supplied descriptions and session lengths.
    pub has_role_list: bool,
    pub roles: Vec<Role>,
    /// Customer-managed policies (AWS-managed ones in the file are left out).
    pub policies: Vec<Policy>,
    pub users: usize,
    pub groups: usize,
    /// Where each role and policy is in its list, by name and by ARN (the first of each):
    /// lookups that scanned the list made an account of many roles quadratic.
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    roles: std::collections::HashMap<String, usize>,
    policies: std::collections::HashMap<String, usize>,
}

impl Index {
    fn of(roles: &[Role], policies: &[Policy]) -> Self {
        let mut index = Index::default();
        for (at, role) in roles.iter().enumerate() {
            index.roles.entry(role.name.clone()).or_insert(at);
        }
        for (at, policy) in policies.iter().enumerate() {
            index.policies.entry(policy.arn.clone()).or_insert(at);
        }
        index
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub id: String,
    pub trust: Value,
    /// Inline policies by name, in the file's order.
    pub inline: Vec<(String, Value)>,
    /// ARNs of the attached managed policies.
    pub attached: Vec<String>,
    pub boundary: Option<String>,
    pub tags: Vec<(String, String)>,
    pub profiles: Vec<InstanceProfile>,
    /// From list-roles; the authorization details do not carry them.
    pub description: Option<String>,
    pub max_session_duration: Option<u64>,
    /// The line of its entry in the authorization-details file, for `lint --live`.
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct InstanceProfile {
    pub name: String,
    pub path: String,
    pub id: String,
    /// Names of the roles in it.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    pub attachment_count: u64,
    /// The default version's document.
    pub document: Value,
    /// Versions other than the default: IAM enforces only the default, but a user can make
    /// another one the default at any time.
    pub other_versions: usize,
}

/// Where a role lives in IAM: two roles with the same identity are the same resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleIdentity {
    pub account: String,
    pub name: String,
    pub path: String,
}

/// Roles that belong to AWS, not to the account's IaC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// `/aws-service-role/…`: its service creates and deletes it.
    Service,
    /// `/aws-reserved/…`: AWS's own, such as IAM Identity Center's roles.
    Aws,
}

impl Role {
    /// Who owns the role when the account does not: neither can be managed from IaC.
    pub fn owned_by_aws(&self) -> Option<Owner> {
        if self.path.starts_with("/aws-service-role/") {
            Some(Owner::Service)
        } else if self.path.starts_with("/aws-reserved/") {
            Some(Owner::Aws)
        } else {
            None
        }
    }
}

impl Account {
    /// The role named `name`. The index is checked against the list, which is public: a
    /// caller that changed the list gets no wrong role.
    pub fn role(&self, name: &str) -> Option<&Role> {
        let at = *self.index.roles.get(name)?;
        self.roles.get(at).filter(|role| role.name == name)
    }

    pub fn policy(&self, arn: &str) -> Option<&Policy> {
        let at = *self.index.policies.get(arn)?;
        self.policies.get(at).filter(|policy| policy.arn == arn)
    }
}
