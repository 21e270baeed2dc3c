//! The Seqera Platform setup: which role Platform's credentials assume from, and the
//! credential of each workspace. Checked here, so that lint and the Seqera backend can
//! rely on every credential naming a role that the platform role may assume directly.

use std::collections::BTreeSet;

use super::build::Builder;
use super::*;
use crate::model::{self, Sp};
use crate::platform;

#[derive(Debug, Clone)]
pub struct SeqeraSetup {
    pub loc: Loc,
    pub platform_role: RoleIdx,
    pub allow_instance_credentials: bool,
    pub allow_instance_credentials_loc: Loc,
    pub credentials: Vec<Credential>,
}

#[derive(Debug, Clone)]
pub struct Credential {
    pub loc: Loc,
    pub name: String,
    /// `organization/workspace`
    pub workspace: String,
    pub role: RoleIdx,
}

pub(super) fn setup(b: &mut Builder, spec: &model::Seqera) -> Option<SeqeraSetup> {
    let platform = spec.platform_role.as_ref().and_then(|key| role_ref(b, key));
    let mut credentials = Vec::new();
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    for c in &spec.credentials {
        if let Some(name) = &c.name {
            check_credential_name(b, name);
        }
        if let Some(ws) = &c.workspace {
            check_workspace(b, ws);
        }
        let role = c.role.as_ref().and_then(|key| role_ref(b, key));
        if let (Some(role), Some(platform), Some(key)) = (role, platform, &c.role)
            && !trusts_directly(b, role, platform)
        {
            b.error(
                &key.loc,
                format!(
                    "role `{}` does not trust the platform role `{}`",
                    key.value, b.roles[platform.0].key
                ),
                format!(
                    "add `- role: {}` to the `trusted_by` of role `{}`",
                    b.roles[platform.0].key, key.value
                ),
            );
        }
        if let (Some(name), Some(ws)) = (&c.name, &c.workspace)
            && !names.insert((ws.value.clone(), name.value.clone()))
        {
            b.error(
                &name.loc,
                format!(
                    "workspace `{}` has two credentials named `{}`",
                    ws.value, name.value
                ),
                "credential names are unique within a workspace; rename one",
            );
        }
        if let (Some(name), Some(ws), Some(role)) = (&c.name, &c.workspace, role) {
            credentials.push(Credential {
                loc: c.loc.clone(),
                name: name.value.clone(),
                workspace: ws.value.clone(),
                role,
            });
        }
    }
    if spec.allow_instance_credentials.value
        && let Some(platform) = &spec.platform_role
    {
        let roles: BTreeSet<&str> = spec
            .credentials
            .iter()
            .filter_map(|c| c.role.as_ref())
            .map(|r| r.value.as_str())
            .collect();
        for role in roles {
            reject_external_ids(b, role, &platform.value);
        }
    }
    Some(SeqeraSetup {
        loc: spec.loc.clone(),
        platform_role: platform?,
        allow_instance_credentials: spec.allow_instance_credentials.value,
        allow_instance_credentials_loc: spec.allow_instance_credentials.loc.clone(),
        credentials,
    })
}

/// With instance credentials on, Platform assumes a credential's role with its instance
/// role and sends no External ID ("remove the entire `Condition` block for
/// `sts:ExternalId`", Seqera's AWS Batch guide), so a trust that requires one shuts the
/// credential out: an error at each `external_id` (or `sts:ExternalId` condition) of the
/// role's trust in the platform role.
fn reject_external_ids(b: &mut Builder, role_key: &str, platform_key: &str) {
    let Some(role) = b.model.roles.iter().find(|r| r.key.value == role_key) else {
        return;
    };
    let mut places = Vec::new();
    for entry in &role.trusted_by {
        if !matches!(&entry.principal, Some(model::Principal::Role(k)) if k.value == platform_key) {
            continue;
        }
        match &entry.external_id {
            Some(model::ExternalId::Input(name)) => places.push(name.loc.clone()),
            Some(model::ExternalId::Values(values)) => {
                places.extend(values.first().map(|v| v.loc.clone()))
            }
            None => {}
        }
        let required = entry.conditions.iter().filter(|c| {
            let condition = Condition {
                operator: c.operator.value.clone(),
                key: c.key.value.clone(),
                values: c
                    .values
                    .iter()
                    .map(|v| Text::Lit(v.value.clone()))
                    .collect(),
            };
            condition.requires_external_id()
        });
        places.extend(required.map(|c| c.key.loc.clone()));
    }
    for loc in places {
        b.error(
            &loc,
            format!(
                "instance credentials are on, so Platform assumes role `{role_key}` with its instance role and sends no External ID, but this trust requires one: the credential could never assume the role"
            ),
            format!(
                "remove the External ID and accept the seed's risk on role `{role_key}` with `accept_risks: [{{ rule: RG001, reason: … }}]`, or set `seqera.allow_instance_credentials: false` to keep it"
            ),
        );
    }
}

/// Whether `target`'s trust policy names `source` itself (not through a chain).
fn trusts_directly(b: &Builder, target: RoleIdx, source: RoleIdx) -> bool {
    b.roles[target.0].trust.naming(source).next().is_some()
}

fn role_ref(b: &mut Builder, key: &Sp<String>) -> Option<RoleIdx> {
    if let Some(idx) = b.role_keys.get(&key.value) {
        return Some(idx);
    }
    if !b.model.roles.iter().any(|r| r.key.value == key.value) {
        let hint = match b.role_keys.closest(&key.value) {
            Some(near) => format!("did you mean `{near}`? give a role key from `roles:`"),
            None => "give a role key from `roles:`".to_owned(),
        };
        b.error(&key.loc, format!("unknown role `{}`", key.value), hint);
    }
    None
}

fn check_credential_name(b: &mut Builder, name: &Sp<String>) {
    if !platform::credential_name(&name.value) {
        b.error(
            &name.loc,
            format!(
                "credential name `{}` is not one Platform accepts",
                name.value
            ),
            format!(
                "use 1 to {} letters, digits, `_` and `-`",
                platform::CREDENTIAL_NAME_MAX
            ),
        );
    }
}

fn check_workspace(b: &mut Builder, ws: &Sp<String>) {
    let Some((org, workspace)) = ws.value.split_once('/') else {
        b.error(
            &ws.loc,
            format!("workspace `{}` is not `organization/workspace`", ws.value),
            "write the organization and workspace names with a `/` between them, e.g. acme/production",
        );
        return;
    };
    for (what, name) in [("organization", org), ("workspace", workspace)] {
        if !platform::space_name(name) {
            b.error(
                &ws.loc,
                format!(
                    "{what} name `{name}` in `{}` is not one Platform accepts",
                    ws.value
                ),
                format!(
                    "use {} to {} letters and digits, with single `-` or `_` between them",
                    platform::SPACE_NAME_MIN,
                    platform::SPACE_NAME_MAX
                ),
            );
        }
    }
}
