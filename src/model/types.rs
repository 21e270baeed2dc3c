//! The model as the user writes it in `rolegraph.yaml`, with a source position on every
//! value that a later check may need to point at. Nothing here is validated beyond its shape.

use crate::diag::Loc;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: Option<Sp<String>>,
    pub tags: Vec<(Sp<String>, Sp<String>)>,
    pub accounts: Vec<Account>,
    pub roles: Vec<Role>,
    pub seqera: Option<Seqera>,
    pub limits: Limits,
    /// Whether the IaC owns each role's whole set of policies (see `ir::Graph::exclusive`).
    pub exclusive: Option<Sp<bool>>,
}

/// AWS quotas in force, for accounts that had some raised (or tests that lower them).
/// Sizes are in characters without whitespace, as IAM counts them.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub trust_policy: Option<Sp<u64>>,
    pub managed_policy: Option<Sp<u64>>,
    pub inline_total: Option<Sp<u64>>,
    pub managed_per_role: Option<Sp<u64>>,
}

/// How Seqera Platform uses the roles: which role's credentials it holds, whether it may
/// use the EC2 instance role directly, and the credentials of each workspace.
#[derive(Debug, Clone)]
pub struct Seqera {
    pub loc: Loc,
    pub platform_role: Option<Sp<String>>,
    pub allow_instance_credentials: Sp<bool>,
    pub credentials: Vec<Credential>,
}

#[derive(Debug, Clone)]
pub struct Credential {
    pub loc: Loc,
    pub name: Option<Sp<String>>,
    /// `organization/workspace`
    pub workspace: Option<Sp<String>>,
    pub role: Option<Sp<String>>,
}

/// A lint finding the model knowingly accepts, with the reason on record.
#[derive(Debug, Clone)]
pub struct AcceptedRisk {
    pub rule: Sp<String>,
    pub reason: Sp<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    pub const ALL: [(&'static str, Partition); 3] = [
        ("aws", Partition::Aws),
        ("aws-cn", Partition::AwsCn),
        ("aws-us-gov", Partition::AwsUsGov),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// Where a provider goes when the model names no region; IAM is global within a
    /// partition, so any region of the partition reaches the same IAM.
    pub fn default_region(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-north-1",
            Partition::AwsUsGov => "us-gov-west-1",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub key: Sp<String>,
    pub id: Option<Sp<String>>,
    pub region: Option<Sp<String>>,
    pub partition: Partition,
    pub deploy_role: Option<Sp<String>>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub key: Sp<String>,
    pub account: Option<Sp<String>>,
    pub name: Option<Sp<String>>,
    pub path: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub max_session_duration: Option<Sp<u64>>,
    pub permissions_boundary: Option<Sp<String>>,
    pub managed_policies: Vec<Sp<String>>,
    pub policies: Vec<InlinePolicy>,
    pub tags: Vec<(Sp<String>, Sp<String>)>,
    pub instance_profile: Option<Sp<InstanceProfile>>,
    pub trusted_by: Vec<Trust>,
    pub accept_risks: Vec<AcceptedRisk>,
}

#[derive(Debug, Clone)]
pub enum InstanceProfile {
    /// `instance_profile: true`: the profile takes the role's own name.
    RoleName,
    Named(String),
}

#[derive(Debug, Clone)]
pub struct InlinePolicy {
    pub name: Sp<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// An identity-policy statement, written inline or read from a JSON policy file.
#[derive(Debug, Clone)]
pub struct Statement {
    pub loc: Loc,
    pub sid: Option<Sp<String>>,
    pub effect: Effect,
    pub actions: Vec<Sp<String>>,
    pub not_actions: Vec<Sp<String>>,
    pub resources: Vec<Sp<String>>,
    pub not_resources: Vec<Sp<String>>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: Sp<String>,
    pub key: Sp<String>,
    pub values: Vec<Sp<String>>,
}

#[derive(Debug, Clone)]
pub struct Trust {
    pub loc: Loc,
    pub principal: Option<Principal>,
    pub external_id: Option<ExternalId>,
    /// As written; unset means off, except on a Seqera credential's role's trust of the
    /// platform role, where Platform tags its sessions.
    pub session_tags: Option<bool>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Service(Sp<String>),
    Role(Sp<String>),
    Arn(Sp<String>),
    Account(Sp<String>),
}

#[derive(Debug, Clone)]
pub enum ExternalId {
    Values(Vec<Sp<String>>),
    /// Supplied at deploy time: Seqera generates it when the credential is saved.
    Input(Sp<String>),
}
