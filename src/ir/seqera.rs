//! The Seqera Platform setup: which role Platform's credentials assume from, and the
//! credential of each workspace. Checked here, so that lint and the Seqera backend can
//! rely on every credential naming a role that the platform role may assume directly.

use std::collections::BTreeSet;

use super::build::Builder;
use super::*;
use crate::diag::closest;
use crate::model::{self, Sp};

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
            check_word(
                b,
                name,
                "credential name",
                "letters, digits, `.`, `_` and `-`",
            );
        }
        if let Some(ws) = &c.workspace {
            let ok = ws
                .value
                .split_once('/')
                .is_some_and(|(org, w)| word(org) && word(w));
            if !ok {
                b.error(&ws.loc, format!("workspace `{}` is not `organization/workspace`", ws.value), "write the organization and workspace names with a `/` between them, e.g. acme/production");
            }
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
    Some(SeqeraSetup {
        loc: spec.loc.clone(),
        platform_role: platform?,
        allow_instance_credentials: spec.allow_instance_credentials.value,
        allow_instance_credentials_loc: spec.allow_instance_credentials.loc.clone(),
        credentials,
    })
}

/// Whether `target`'s trust policy names `source` itself (not through a chain).
fn trusts_directly(b: &Builder, target: RoleIdx, source: RoleIdx) -> bool {
    b.roles[target.0].trust.naming(source).next().is_some()
}

fn role_ref(b: &mut Builder, key: &Sp<String>) -> Option<RoleIdx> {
    if let Some(&idx) = b.role_keys.get(key.value.as_str()) {
        return Some(idx);
    }
    if !b.model.roles.iter().any(|r| r.key.value == key.value) {
        let hint = match closest(&key.value, b.role_keys.keys().copied()) {
            Some(near) => format!("did you mean `{near}`? give a role key from `roles:`"),
            None => "give a role key from `roles:`".to_owned(),
        };
        b.error(&key.loc, format!("unknown role `{}`", key.value), hint);
    }
    None
}

fn word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn check_word(b: &mut Builder, value: &Sp<String>, what: &str, alphabet: &str) {
    if !word(&value.value) {
        b.error(
            &value.loc,
            format!("{what} `{}` is not allowed", value.value),
            format!("use {alphabet}"),
        );
    }
}
