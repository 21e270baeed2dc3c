//! Logical IDs come from model keys, so a renamed role key gives the role a new logical
//! ID, and CloudFormation replaces the role (a new RoleId) unless the stack is
//! refactored first. Each run records every role's logical ID with its ARN (in the
//! manifest, as `Recorded`); a role found under another logical ID or in another stack
//! is a warning that says how to refactor.

use std::collections::BTreeMap;

use super::Layout;
use super::map::{Map, Place};
use super::naming::RoleIds;
use crate::backend::{Options, Recorded, Warning};
use crate::ir::{Graph, RoleIdx};

/// `cloudformation/<template>/<LogicalId>` → `role <arn>` for every role.
pub fn recorded(graph: &Graph, map: &Map) -> Recorded {
    let resources = (0..graph.roles.len())
        .map(RoleIdx)
        .map(|idx| {
            let file = match map.place(idx) {
                Place::Stack(stack) => map.stack_file(stack),
                Place::StackSet { group, .. } => map.stackset_template(group),
            };
            let logical = RoleIds::new(&graph.role(idx).key).role;
            (
                format!("cloudformation/{file}/{logical}"),
                format!("role {}", graph.role_arn(idx)),
            )
        })
        .collect();
    Recorded {
        resources,
        moved: BTreeMap::new(),
    }
}

/// A warning for each role of this run's record (`now`) whose logical ID or template
/// changed since the last run.
pub fn warnings(options: &Options, now: &Recorded) -> Vec<Warning> {
    let Some(previous) = options.previous.as_deref() else {
        return Vec::new();
    };
    let before: BTreeMap<&String, &String> = previous
        .resources
        .iter()
        .filter(|(key, _)| key.starts_with("cloudformation/"))
        .map(|(key, identity)| (identity, key))
        .collect();
    let refactor = match options.cloudformation_layout {
        Layout::PerAccount => {
            "refactor the stack before deploying: `aws cloudformation create-stack-refactor` with a resource mapping from the old logical ID to the new (cloudformation/README.md, \"Renaming\"), then deploy"
        }
        Layout::Stackset => {
            "StackSets cannot be refactored: keep the old key, or accept a new role (a new RoleId) and update whatever trusts it"
        }
    };
    now.resources
        .iter()
        .filter_map(|(key, identity)| {
            let old = before.get(identity).filter(|old| **old != key)?;
            let shown = |k: &str| {
                k.strip_prefix("cloudformation/")
                    .unwrap_or(k)
                    .replace(".yaml/", ".yaml: ")
            };
            Some(Warning {
                message: format!(
                    "{identity} was {} in the last run and is {} now: CloudFormation will replace the role (a new RoleId) unless the stack is refactored",
                    shown(old),
                    shown(key)
                ),
                hint: refactor.to_owned(),
            })
        })
        .collect()
}
