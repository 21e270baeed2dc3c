//! Renames without recreation. Terraform addresses come from model keys, so a renamed
//! key would destroy a role and create it again (a new RoleId). Each run records every
//! resource's address with its IAM identity (`Recorded`, kept in the manifest); when an
//! identity turns up at another address, `moved.tf` says so, one to one, and keeps
//! saying it on later runs until the old address is back in use. A move between two
//! root modules (per-account, when an account key changes) cannot be a `moved` block:
//! it becomes a warning with the `state rm` and `import` steps.

use std::collections::{BTreeMap, BTreeSet};

use ::hcl::Block;

use super::Layout;
use super::hcl::{attr, block, reference};
use super::map::Map;
use super::naming::Names;
use crate::backend::{Recorded, Warning};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{self, Graph, RoleIdx};

pub const MOVED_FILE: &str = "moved.tf";

/// `terraform[/<root>]/<address>` → identity, for every resource the output declares.
pub fn resources(graph: &Graph, map: &Map, layout: Layout) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for idx in (0..graph.roles.len()).map(RoleIdx) {
        let account = graph.role(idx).account;
        let folder = match layout {
            Layout::Root | Layout::Module => "terraform".to_owned(),
            Layout::PerAccount => format!("terraform/{}", map.root_folder(account)),
        };
        for (address, identity) in role_resources(graph, &map.names, idx) {
            out.insert(format!("{folder}/{address}"), identity);
        }
    }
    out
}

/// Each resource of one role with what it is in IAM: ARNs carry account, path and name.
fn role_resources(graph: &Graph, names: &Names, idx: RoleIdx) -> Vec<(String, String)> {
    let role = graph.role(idx);
    let n = names.role(idx);
    let arn = graph.role_arn(idx);
    let account = graph.account(role.account);
    let mut out = vec![(format!("aws_iam_role.{}", n.role()), format!("role {arn}"))];
    if let Some(profile) = &role.instance_profile {
        out.push((
            format!("aws_iam_instance_profile.{}", n.role()),
            format!("instance-profile {}:{}{profile}", account.id, role.path),
        ));
    }
    for (policy, label) in role.managed_policies.iter().zip(n.managed()) {
        out.push((
            format!("aws_iam_role_policy_attachment.{label}"),
            format!("attachment {arn} {policy}"),
        ));
    }
    for (policy, label) in role.inline_policies.iter().zip(n.inline()) {
        out.push((
            format!("aws_iam_role_policy.{label}"),
            format!("role-policy {arn} {}", policy.name),
        ));
    }
    for (assume, label) in role.assume.iter().zip(n.assume()) {
        let policy = ir::policy_arn(account, &role.path, &assume.name);
        out.push((
            format!("aws_iam_policy.{label}"),
            format!("policy {policy}"),
        ));
        out.push((
            format!("aws_iam_role_policy_attachment.{label}"),
            format!("attachment {arn} {policy}"),
        ));
    }
    if graph.exclusive {
        out.push((
            format!("aws_iam_role_policy_attachments_exclusive.{}", n.role()),
            format!("attachments-exclusive {arn}"),
        ));
        out.push((
            format!("aws_iam_role_policies_exclusive.{}", n.role()),
            format!("policies-exclusive {arn}"),
        ));
    }
    out
}

/// What the last run's record and this run's resources imply.
#[derive(Debug, Default)]
pub struct Moves {
    /// Module folder → `from` → `to`, for `moved.tf` there.
    pub within: BTreeMap<String, BTreeMap<String, String>>,
    /// Moves between two root modules, by (from folder, to folder): `(from, to)` addresses.
    pub across: BTreeMap<(String, String), Vec<(String, String)>>,
}

/// The one-to-one moves from `previous` to `current`; an identity that could move to
/// or from more than one address, or onto an address still in use, is an error naming
/// both sides, since a wrong `moved` block would hand one role's state to another.
pub fn moves(
    previous: Option<&Recorded>,
    current: &BTreeMap<String, String>,
) -> Result<Moves, Diagnostics> {
    let mut out = Moves::default();
    let Some(previous) = previous.map(trusted) else {
        return Ok(out);
    };
    let previous = &previous;
    let mut diags = Diagnostics::default();
    let index = |map: &BTreeMap<String, String>| {
        let mut by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (key, identity) in map {
            by.entry(identity.clone()).or_default().insert(key.clone());
        }
        by
    };
    let (before, now) = (index(&previous.resources), index(current));
    for (identity, to) in &now {
        let Some(from) = before.get(identity).filter(|from| *from != to) else {
            continue;
        };
        match (single(from), single(to)) {
            (Some(from), Some(to)) => match check_move(previous, current, from, to, identity) {
                Err(diagnostic) => diags.push(diagnostic),
                Ok(()) => add_move(&mut out, from, to),
            },
            _ => diags.push(ambiguous(identity, from, to)),
        }
    }
    keep_earlier_moves(previous, current, &mut out);
    diags.into_result(out)
}

/// The resource types this backend declares; a record naming another is not ours.
const TYPES: [&str; 7] = [
    "aws_iam_role",
    "aws_iam_instance_profile",
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_role_policy_attachments_exclusive",
    "aws_iam_role_policies_exclusive",
];

/// The record without entries rolegraph could not have written: the manifest is read
/// from the repository, and its addresses end up in `moved.tf`.
fn trusted(previous: &Recorded) -> Recorded {
    let ident = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let key_ok = |key: &str| {
        let (folder, address) = split(key);
        let folder_ok = folder == "terraform"
            || folder.strip_prefix("terraform/").is_some_and(|f| {
                !f.is_empty()
                    && f.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
            });
        let address_ok = address
            .split_once('.')
            .is_some_and(|(kind, label)| TYPES.contains(&kind) && ident(label));
        folder_ok && address_ok
    };
    Recorded {
        resources: previous
            .resources
            .iter()
            .filter(|(k, _)| key_ok(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        moved: previous
            .moved
            .iter()
            .filter(|(k, _)| key_ok(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

fn single(keys: &BTreeSet<String>) -> Option<&str> {
    (keys.len() == 1)
        .then(|| keys.iter().next().map(String::as_str))
        .flatten()
}

fn split(key: &str) -> (&str, &str) {
    key.rsplit_once('/').unwrap_or(("terraform", key))
}

fn check_move(
    previous: &Recorded,
    current: &BTreeMap<String, String>,
    from: &str,
    to: &str,
    identity: &str,
) -> Result<(), Diagnostic> {
    let hint = "rename in two steps: give the resource a key nobody used, generate and apply, then rename it again";
    if let Some(other) = current.get(from) {
        return Err(Diagnostic::nowhere(format!(
            "{identity} would move from {from} to {to}, but {from} is now {other}: a moved block cannot swap two addresses"
        ))
        .hint(hint));
    }
    if let Some(other) = previous.resources.get(to) {
        // Read from the manifest: shown escaped, never as raw terminal input.
        let other = other.escape_debug();
        return Err(Diagnostic::nowhere(format!(
            "{identity} would move from {from} to {to}, but the last run had {to} for {other}, which its state still holds"
        ))
        .hint(hint));
    }
    Ok(())
}

fn ambiguous(identity: &str, from: &BTreeSet<String>, to: &BTreeSet<String>) -> Diagnostic {
    let list = |keys: &BTreeSet<String>| keys.iter().cloned().collect::<Vec<_>>().join(" and ");
    Diagnostic::nowhere(format!(
        "{identity} is not one resource on each side: the last run had it at {}, this one at {}",
        list(from),
        list(to)
    ))
    .hint("a moved block must be one to one; remove the extra resource from the state with `terraform state rm`, then generate again")
}

fn add_move(out: &mut Moves, from: &str, to: &str) {
    let ((from_folder, from_address), (to_folder, to_address)) = (split(from), split(to));
    if from_folder == to_folder {
        out.within
            .entry(from_folder.to_owned())
            .or_default()
            .insert(from_address.to_owned(), to_address.to_owned());
        return;
    }
    out.across
        .entry((from_folder.to_owned(), to_folder.to_owned()))
        .or_default()
        .push((from_address.to_owned(), to_address.to_owned()));
}

/// One warning per pair of root modules that resources move between, with the commands
/// that move the state instead (a moved block works within one state only).
pub fn across_warnings(moves: &Moves) -> Vec<Warning> {
    let chdir = |folder: &str| folder.strip_prefix("terraform/").unwrap_or(".").to_owned();
    moves
        .across
        .iter()
        .map(|((from, to), pairs)| {
            let mut pairs = pairs.clone();
            pairs.sort();
            let olds: Vec<&str> = pairs.iter().map(|(f, _)| f.as_str()).collect();
            let imports: Vec<String> = pairs
                .iter()
                .map(|(_, t)| format!("`terraform -chdir={} import {t} <id>`", chdir(to)))
                .collect();
            Warning {
                message: format!(
                    "{} move from the root module {from} to {to} ({}): a moved block cannot cross two states, so the apply would destroy them and create them anew",
                    crate::diag::plural(pairs.len(), "resource"),
                    olds.join(", ")
                ),
                hint: format!(
                    "before applying, in terraform/: `terraform -chdir={} state rm {}`, then {} (a role's id is its name; `generate --adopt` with the accounts' authorization details writes these as import blocks)",
                    chdir(from),
                    olds.join(" "),
                    imports.join(", ")
                ),
            }
        })
        .collect()
}

/// Moves that earlier runs wrote stay while their target is this run's and their source
/// is not: a second `generate` before the apply must not drop them.
fn keep_earlier_moves(previous: &Recorded, current: &BTreeMap<String, String>, out: &mut Moves) {
    for (from, to) in &previous.moved {
        let (folder, from_address) = split(from);
        let target = format!("{folder}/{to}");
        if current.contains_key(&target) && !current.contains_key(from) {
            out.within
                .entry(folder.to_owned())
                .or_default()
                .entry(from_address.to_owned())
                .or_insert_with(|| to.clone());
        }
    }
}

/// The record of this run: its resources, and the moves it writes (`folder/from` → `to`).
pub fn recorded(resources: BTreeMap<String, String>, moves: &Moves) -> Recorded {
    let moved = moves
        .within
        .iter()
        .flat_map(|(folder, pairs)| {
            pairs
                .iter()
                .map(move |(from, to)| (format!("{folder}/{from}"), to.clone()))
        })
        .collect();
    Recorded { resources, moved }
}

/// `moved { from = …, to = … }` for each move of one module folder.
pub fn blocks(pairs: &BTreeMap<String, String>) -> Vec<Block> {
    pairs
        .iter()
        .map(|(from, to)| {
            let address = |a: &str| {
                let (kind, label) = a.split_once('.').unwrap_or((a, ""));
                reference(kind, &[label])
            };
            block(
                "moved",
                &[],
                vec![attr("from", address(from)), attr("to", address(to))],
                Vec::new(),
            )
        })
        .collect()
}
