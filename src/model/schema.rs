//! The model's JSON Schema (`rolegraph schema`), for editors: completion, hover text and
//! early errors while typing. The loader in this folder reads the model with positions
//! and its own messages; these types exist only to describe the same shape, with the
//! doc comments as descriptions. A test holds them to the loader: every golden model
//! validates, and models the loader rejects for their shape fail.

use std::collections::BTreeMap;

use crate::{iam, platform};
use schemars::JsonSchema;

/// A rolegraph model: AWS accounts, IAM roles, and who may assume each role.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, title = "rolegraph model")]
#[allow(dead_code)]
pub struct Model {
    /// The model format; 1 is the only one.
    #[schemars(range(min = 1, max = 1))]
    version: u32,
    /// Names the model in generated files and descriptions.
    name: String,
    /// Whether Terraform owns each role's whole set of attached and inline policies, and
    /// removes any that were added outside the model (`aws_iam_role_policy_attachments_exclusive`,
    /// `aws_iam_role_policies_exclusive`). Default false; `rolegraph init` writes true.
    exclusive: Option<bool>,
    /// Tags on every role (a role's own tags win).
    tags: Option<BTreeMap<String, String>>,
    /// The accounts, by a key that other entries refer to.
    accounts: BTreeMap<String, Account>,
    /// The roles, by a key that trust edges and Seqera credentials refer to.
    roles: BTreeMap<String, Role>,
    /// How Seqera Platform uses the roles (writes `seqera/` files).
    seqera: Option<Seqera>,
    /// AWS quotas that were raised for these accounts.
    limits: Option<Limits>,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Account {
    /// The 12-digit account id; quote it, so YAML keeps the leading zeros.
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    id: String,
    /// The region for the provider or stack; IAM is global, so any region of the
    /// partition works. Default: the partition's first region.
    region: Option<String>,
    partition: Option<Partition>,
    /// A role in this account that Terraform assumes to deploy (provider `assume_role`).
    deploy_role: Option<String>,
}

/// The AWS partition; all accounts that trust each other must share one.
#[derive(JsonSchema)]
#[allow(dead_code)]
enum Partition {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "aws-cn")]
    AwsCn,
    #[serde(rename = "aws-us-gov")]
    AwsUsGov,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Role {
    /// The key of the account the role lives in.
    account: String,
    /// The IAM role name.
    name: String,
    /// The IAM path, `/` by default; part of the role's ARN, so grants name it too.
    #[schemars(regex(pattern = iam::PATH_PATTERN), length(max = iam::PATH_MAX))]
    path: Option<String>,
    description: Option<String>,
    /// Seconds, 3600 to 43200.
    #[schemars(range(min = iam::SESSION_MIN, max = iam::SESSION_MAX))]
    max_session_duration: Option<u32>,
    /// ARN of the managed policy that bounds the role's permissions.
    permissions_boundary: Option<String>,
    /// ARNs of managed policies to attach.
    managed_policies: Option<OneOrMany>,
    /// Inline policies, by name.
    policies: Option<BTreeMap<String, Policy>>,
    tags: Option<BTreeMap<String, String>>,
    /// `true` for an instance profile named like the role, or the profile's name.
    instance_profile: Option<InstanceProfile>,
    /// Who may assume the role: each entry names exactly one principal.
    trusted_by: Vec<Trust>,
    /// Lint findings this role knowingly accepts.
    accept_risks: Option<Vec<AcceptedRisk>>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum InstanceProfile {
    SameName(bool),
    Named(String),
}

/// A string or a list of strings.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A condition value: IAM compares strings; booleans may be written bare.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ConditionValue {
    Text(String),
    Flag(bool),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ConditionValues {
    One(ConditionValue),
    Many(Vec<ConditionValue>),
}

/// `Operator: { key: value or [values] }`, as in IAM's `Condition` element.
type Conditions = BTreeMap<String, BTreeMap<String, ConditionValues>>;

/// An inline policy: statements written here, or a JSON policy document in a file.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Policy {
    Statements(InlineStatements),
    File(PolicyFile),
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct InlineStatements {
    statements: Vec<Statement>,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct PolicyFile {
    /// Path of a JSON policy document, relative to the model.
    file: String,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Statement {
    sid: Option<String>,
    effect: Option<Effect>,
    actions: Option<OneOrMany>,
    not_actions: Option<OneOrMany>,
    resources: Option<OneOrMany>,
    not_resources: Option<OneOrMany>,
    conditions: Option<Conditions>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
enum Effect {
    Allow,
    Deny,
}

/// The trust edge's principal and conditions. `role:` edges also grant the source role
/// `sts:AssumeRole` on this role.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Trust {
    Service(ServiceTrust),
    Role(RoleTrust),
    Arn(ArnTrust),
    Account(AccountTrust),
}

/// The fields every trust entry takes besides its principal.
macro_rules! trust_entry {
    ($name:ident, $field:ident, $doc:literal) => {
        #[derive(JsonSchema)]
        #[schemars(deny_unknown_fields)]
        #[allow(dead_code)]
        struct $name {
            #[doc = $doc]
            $field: String,
            /// Required `sts:ExternalId`: fixed values, or `{ input: NAME }` for one given at
            /// deploy time (a Terraform variable, a CloudFormation parameter).
            external_id: Option<ExternalId>,
            /// Also allow `sts:TagSession`, in a statement of its own without the External
            /// ID. Default: on where a Seqera credential's role trusts the platform role
            /// (Platform tags its sessions), off elsewhere.
            session_tags: Option<bool>,
            conditions: Option<Conditions>,
        }
    };
}

trust_entry!(
    ServiceTrust,
    service,
    "An AWS service, e.g. `ec2.amazonaws.com`."
);
trust_entry!(RoleTrust, role, "The key of a role in this model.");
trust_entry!(ArnTrust, arn, "The ARN of a principal outside the model.");
trust_entry!(
    AccountTrust,
    account,
    "A 12-digit account id: its root, that is, any principal the account allows."
);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ExternalId {
    One(ExternalIdValue),
    Many(Vec<ExternalIdValue>),
    Input(ExternalIdInput),
}

/// AWS's rule for an External ID.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct ExternalIdValue(
    #[schemars(
        regex(pattern = iam::external_id_regex()),
        length(min = iam::EXTERNAL_ID_MIN, max = iam::EXTERNAL_ID_MAX)
    )]
    String,
);

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct ExternalIdInput {
    /// The input's name: letters, digits and `_`, starting with a letter.
    #[schemars(regex(pattern = iam::INPUT_PATTERN), length(max = iam::INPUT_MAX))]
    input: String,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct AcceptedRisk {
    /// The lint rule id, e.g. `RG003`.
    rule: String,
    /// Why the risk is accepted; kept on record in SARIF output.
    reason: String,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Seqera {
    /// The key of the role whose credentials Platform holds (its EC2 instance role).
    platform_role: String,
    /// `TOWER_ALLOW_INSTANCE_CREDENTIALS`: true lets Platform use the instance role
    /// without External IDs (lint rule RG001).
    allow_instance_credentials: Option<bool>,
    credentials: Option<Vec<Credential>>,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Credential {
    /// The credential's name in Platform.
    #[schemars(regex(pattern = platform::CREDENTIAL_NAME_PATTERN))]
    name: String,
    /// `organization/workspace`, each a name Platform accepts.
    #[schemars(regex(pattern = platform::workspace_pattern()))]
    workspace: String,
    /// The key of the role the credential assumes.
    role: String,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Limits {
    /// Trust policy size quota in characters, whitespace excluded: 2048, or up to 4096
    /// once raised.
    #[schemars(range(min = 1, max = 4096))]
    trust_policy: Option<u32>,
    /// Managed policy size quota in characters, whitespace excluded: at most 6144. The
    /// generated `-assume` grants are packed into as few policies of this size as fit.
    #[schemars(range(min = 1, max = 6144))]
    managed_policy: Option<u32>,
    /// Quota on the inline policies of one role together, in characters without
    /// whitespace: at most 10240.
    #[schemars(range(min = 1, max = 10240))]
    inline_total: Option<u32>,
    /// Managed policies attached to one role, the generated `-assume` policies included:
    /// 10, or up to 20 once raised.
    #[schemars(range(min = 1, max = 20))]
    managed_per_role: Option<u32>,
}

/// The schema as `rolegraph schema` prints it: JSON Schema draft-07, which editors'
/// YAML language servers read.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Model>();
    serde_json::to_value(schema).unwrap_or_default()
}
