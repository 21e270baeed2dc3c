//! The IAM state that a deployment of the model must leave in each account, in a
//! normalized form that can be compared with what a cloud really holds. It is the
//! contract both backends are tested against (tests/integration/cloud_equivalence.rs): Terraform and
//! CloudFormation must each build exactly this, no more and no less.

mod diff;
mod from_ir;
pub mod normalize;
mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use diff::{Difference, compare, compare_account};
pub use from_ir::{Inputs, plan};
pub use text::render as render_text;

/// What `rolegraph plan` prints: the model's accounts and, per account, its IAM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub model: String,
    /// Account keys in an order that creates every trusted role before the roles that
    /// trust it; absent when accounts trust each other's roles both ways.
    pub deploy_order: Option<Vec<String>>,
    /// By account key.
    pub accounts: BTreeMap<String, AccountPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPlan {
    pub id: String,
    pub partition: String,
    /// The region a provider or stack uses; IAM is global within the partition.
    pub region: String,
    pub iam: AccountIam,
}

/// One account's IAM as the IAM API reports it, keyed by name (IAM names are unique per
/// account whatever the path). Ids and dates are left out: they differ on every deploy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountIam {
    pub roles: BTreeMap<String, RoleState>,
    pub instance_profiles: BTreeMap<String, InstanceProfileState>,
    /// Customer-managed policies; AWS-managed ones appear only as attachments.
    pub managed_policies: BTreeMap<String, ManagedPolicyState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleState {
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    /// Seconds; IAM reports 3600 when none was set.
    pub max_session_duration: u64,
    pub permissions_boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub trust_policy: Value,
    /// ARNs of the attached managed policies, sorted.
    pub attached_policies: Vec<String>,
    /// Inline policies by name.
    pub inline_policies: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceProfileState {
    pub path: String,
    /// Names of the roles in the profile.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicyState {
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    pub document: Value,
}

/// IAM's session length when a role sets none.
pub const DEFAULT_MAX_SESSION_DURATION: u64 = 3600;

impl AccountIam {
    /// The same state with every document normalized and every list sorted, so that two
    /// states that IAM treats alike compare equal.
    pub fn normalized(mut self) -> Self {
        for role in self.roles.values_mut() {
            role.trust_policy = normalize::document(&role.trust_policy);
            role.attached_policies.sort();
            for doc in role.inline_policies.values_mut() {
                *doc = normalize::document(doc);
            }
        }
        for profile in self.instance_profiles.values_mut() {
            profile.roles.sort();
        }
        for policy in self.managed_policies.values_mut() {
            policy.document = normalize::document(&policy.document);
        }
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
