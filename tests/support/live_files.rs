//! The files an account holding a given IAM state would give `aws iam
//! get-account-authorization-details` and `aws iam list-roles`: what `import`, `drift`
//! and `lint --live` read, without a cloud.

use std::path::{Path, PathBuf};

use rolegraph::plan::{AccountIam, Plan};
use serde_json::{Value, json};

/// What `get-account-authorization-details` would print for `iam`, ids made up.
pub fn authorization_details(iam: &AccountIam) -> Value {
    let roles: Vec<Value> = iam
        .roles
        .iter()
        .enumerate()
        .map(|(i, (name, role))| {
            let profiles: Vec<Value> = iam
                .instance_profiles
                .iter()
                .filter(|(_, p)| p.roles.contains(name))
                .map(|(profile, p)| {
                    json!({"InstanceProfileName": profile, "InstanceProfileId": format!("AIPA{i}"),
                           "Path": p.path, "Roles": [{"RoleName": name}]})
                })
                .collect();
            let inline: Vec<Value> = role
                .inline_policies
                .iter()
                .map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d}))
                .collect();
            let attached: Vec<Value> = role
                .attached_policies
                .iter()
                .map(|a| json!({"PolicyArn": a}))
                .collect();
            let tags: Vec<Value> = role
                .tags
                .iter()
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect();
            let mut detail = json!({
                "Path": role.path, "RoleName": name, "RoleId": format!("AROA{i}"),
                "Arn": role.arn, "AssumeRolePolicyDocument": role.trust_policy,
                "InstanceProfileList": profiles, "RolePolicyList": inline,
                "AttachedManagedPolicies": attached, "Tags": tags,
            });
            if let Some(boundary) = &role.permissions_boundary {
                detail["PermissionsBoundary"] = json!({"PermissionsBoundaryArn": boundary});
            }
            detail
        })
        .collect();
    let policies: Vec<Value> = iam
        .managed_policies
        .iter()
        .map(|(name, p)| {
            let attachments =
                iam.roles.values().filter(|r| r.attached_policies.contains(&p.arn)).count();
            json!({"PolicyName": name, "Arn": p.arn, "Path": p.path, "Description": p.description,
                   "DefaultVersionId": "v1", "AttachmentCount": attachments,
                   "PolicyVersionList": [{"Document": p.document, "VersionId": "v1", "IsDefaultVersion": true}]})
        })
        .collect();
    json!({"RoleDetailList": roles, "Policies": policies, "UserDetailList": [], "GroupDetailList": []})
}

pub fn list_roles(iam: &AccountIam) -> Value {
    let roles: Vec<Value> = iam
        .roles
        .values()
        .map(|r| json!({"Arn": r.arn, "Description": r.description, "MaxSessionDuration": r.max_session_duration}))
        .collect();
    json!({ "Roles": roles })
}

/// Both files of each of the plan's accounts in `dir`, as `<id>.authorization.json` and
/// `<id>.roles.json`; their paths.
pub fn write_accounts(accounts: &[(&str, &AccountIam)], dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (id, iam) in accounts {
        for (kind, value) in [
            ("authorization", authorization_details(iam)),
            ("roles", list_roles(iam)),
        ] {
            let path = dir.join(format!("{id}.{kind}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
            files.push(path);
        }
    }
    files
}

/// `write_accounts` of every account of `plan`.
pub fn write_plan(plan: &Plan, dir: &Path) -> Vec<PathBuf> {
    let accounts: Vec<(&str, &AccountIam)> = plan
        .accounts
        .values()
        .map(|a| (a.id.as_str(), &a.iam))
        .collect();
    write_accounts(&accounts, dir)
}
