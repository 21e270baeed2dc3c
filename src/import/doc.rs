//! The model `import` writes, as typed values that serde-saphyr serializes: the same
//! shape a person writes by hand (the README's model reference), with nothing a default
//! already says.

use serde::Serialize;
use serde::ser::Serializer;
use serde_saphyr::FlowSeq;

pub use crate::ordered::Ordered;

/// One value as a scalar, several as a list: `external_id: abc` or `[a, b]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Values(pub Vec<String>);

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            many => FlowSeq(many).serialize(s),
        }
    }
}

/// `operator → key → value(s)`, as the model writes conditions.
pub type Conditions = Ordered<Ordered<Values>>;

#[derive(Debug, Serialize)]
pub struct Model {
    pub version: u32,
    pub name: String,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub tags: Ordered<String>,
    pub accounts: Ordered<Account>,
    pub roles: Ordered<Role>,
}

#[derive(Debug, Serialize)]
pub struct Account {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Role {
    pub account: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<InstanceProfile>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub tags: Ordered<String>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub policies: Ordered<Policy>,
    pub trusted_by: Vec<Trust>,
}

#[derive(Debug)]
pub enum InstanceProfile {
    /// The profile has the role's name: `instance_profile: true`.
    RoleName,
    Named(String),
}

impl Serialize for InstanceProfile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            InstanceProfile::RoleName => s.serialize_bool(true),
            InstanceProfile::Named(name) => s.serialize_str(name),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Policy {
    Inline { statements: Vec<Statement> },
    File { file: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Only `Deny`: `Allow` is the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(skip_serializing_if = "empty")]
    pub actions: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "empty")]
    pub not_actions: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "empty")]
    pub resources: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "empty")]
    pub not_resources: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub conditions: Conditions,
}

fn empty(list: &FlowSeq<Vec<String>>) -> bool {
    list.0.is_empty()
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    Service(String),
    Role(String),
    Arn(String),
    Account(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Trust {
    #[serde(flatten)]
    pub principal: Principal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Values>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_tags: Option<bool>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub conditions: Conditions,
}

/// The schema line `init` writes, so that editors check the model as it is edited.
pub const SCHEMA_LINE: &str = "# yaml-language-server: $schema=./rolegraph.schema.json\n";

pub fn render(model: &Model, comment: &str) -> Result<String, String> {
    let mut options = serde_saphyr::SerializerOptions::default();
    // `  - service: …` under its key, as the README's models are written.
    options.compact_list_indent = false;
    let body = serde_saphyr::to_string_with_options(model, options).map_err(|e| e.to_string())?;
    let mut out = String::from(SCHEMA_LINE);
    for line in comment.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}
