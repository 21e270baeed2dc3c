//! The CloudFormation template as typed values. serde-saphyr serializes them and quotes
//! every string a YAML 1.1 reader would take for a boolean, number or date.

use serde::Serialize;
use serde::ser::Serializer;
use serde_saphyr::Tagged;

pub use crate::ordered::Ordered;

/// A string property: literal, or resolved by CloudFormation within the stack.
#[derive(Debug, Clone)]
pub enum Str {
    Lit(String),
    Ref(String),
    /// `!GetAtt Resource.Attribute`
    GetAtt(String),
    /// `!Sub` with `${AWS::AccountId}` and friends.
    Sub(String),
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Str::Lit(s) => serializer.serialize_str(s),
            Str::Ref(s) => Tagged(s.as_str(), Some("!Ref".to_owned())).serialize(serializer),
            Str::GetAtt(s) => Tagged(s.as_str(), Some("!GetAtt".to_owned())).serialize(serializer),
            Str::Sub(s) => Tagged(s.as_str(), Some("!Sub".to_owned())).serialize(serializer),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Parameters", skip_serializing_if = "Ordered::is_empty")]
    pub parameters: Ordered<Parameter>,
    #[serde(rename = "Resources")]
    pub resources: Ordered<Entry>,
    #[serde(rename = "Outputs", skip_serializing_if = "Ordered::is_empty")]
    pub outputs: Ordered<Output>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub kind: &'static str,
    pub description: String,
    pub allowed_pattern: String,
    pub min_length: usize,
    pub max_length: usize,
    pub constraint_description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub description: String,
    pub value: Str,
}

/// A resource and its policies: `generate --adopt` keeps a resource that was imported
/// (`Retain`), and CloudFormation's import requires it.
#[derive(Debug, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub resource: Resource,
    #[serde(rename = "DeletionPolicy", skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<&'static str>,
    #[serde(
        rename = "UpdateReplacePolicy",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_replace_policy: Option<&'static str>,
}

impl From<Resource> for Entry {
    fn from(resource: Resource) -> Self {
        Entry {
            resource,
            deletion_policy: None,
            update_replace_policy: None,
        }
    }
}

impl Entry {
    pub fn retain(&mut self) {
        self.deletion_policy = Some("Retain");
        self.update_replace_policy = Some("Retain");
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "Type", content = "Properties")]
pub enum Resource {
    #[serde(rename = "AWS::IAM::Role")]
    Role(Role),
    #[serde(rename = "AWS::IAM::InstanceProfile")]
    InstanceProfile(InstanceProfile),
    #[serde(rename = "AWS::IAM::ManagedPolicy")]
    ManagedPolicy(ManagedPolicy),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub role_name: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    pub assume_role_policy_document: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<InlinePolicy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    pub instance_profile_name: String,
    pub path: String,
    pub roles: Vec<Str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub managed_policy_name: String,
    pub path: String,
    pub description: String,
    pub policy_document: PolicyDocument,
    pub roles: Vec<Str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: &'static str,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub principal: Ordered<Vec<Str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub action: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_action: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_resource: Vec<Str>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub condition: Ordered<Ordered<Vec<Str>>>,
}
