//! Live accounts → the model document and the report.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToKebabCase;

use super::doc::{self, Ordered};
use super::report::{self, Report};
use super::role::Recovered;
use super::trust;
use super::{Imported, Options, account_key};
use crate::live;

/// An imported role: where it is, and the key the model gives it.
pub(super) struct Kept<'a> {
    pub account: usize,
    pub role: &'a live::Role,
    pub key: String,
}

pub fn import(accounts: &[live::Account], options: &Options) -> Imported {
    let mut report = Report {
        model: options.name.clone(),
        ..Report::default()
    };
    let keys: Vec<String> = accounts.iter().map(|a| account_key(options, a).0).collect();
    let kept = kept_roles(accounts, &keys, options, &mut report);
    let by_arn: BTreeMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, k)| (k.role.arn.as_str(), i))
        .collect();
    let lookup = |arn: &str| by_arn.get(arn).copied();
    let trusts: Vec<trust::Trust> = kept
        .iter()
        .map(|k| trust::read(&k.role.trust, &lookup))
        .collect();
    let edges = super::edges::choose(accounts, &kept, &trusts);
    let mut folds: Vec<BTreeSet<String>> = vec![BTreeSet::new(); kept.len()];
    for &(source, target) in &edges {
        folds[source].insert(kept[target].role.arn.clone());
    }
    let edges: BTreeSet<(usize, usize)> = edges.into_iter().collect();
    let mut files = Vec::new();
    let mut roles = Ordered::default();
    for (i, k) in kept.iter().enumerate() {
        let account = &accounts[k.account];
        let mut r = Recovered {
            report: &mut report,
            account_key: &keys[k.account],
            kept: k,
            inline_only: options.inline_only,
        };
        let mut role = r.role(account, &folds[i], &mut files);
        role.trusted_by = r.trusted_by(&trusts[i], &edges, i, &kept);
        roles.0.push((k.key.clone(), role));
    }
    let tags = lift_shared_tags(&mut roles);
    account_lines(accounts, &kept, options, &mut report);
    report.roles = kept.len();
    let model = doc::Model {
        version: 1,
        name: options.name.clone(),
        tags,
        accounts: model_accounts(accounts, &keys, &kept),
        roles,
    };
    Imported {
        model,
        files,
        report,
    }
}

/// Each account's line in the report, and a warning where no list-roles file came.
fn account_lines(
    accounts: &[live::Account],
    kept: &[Kept],
    options: &Options,
    report: &mut Report,
) {
    for (a, account) in accounts.iter().enumerate() {
        let (key, named) = account_key(options, account);
        let names: Vec<&str> = kept
            .iter()
            .filter(|k| k.account == a)
            .map(|k| k.role.name.as_str())
            .collect();
        report.accounts.push(report::AccountLine {
            key,
            id: account.id.clone(),
            named,
            roles: names.len(),
        });
        if !account.has_role_list && !names.is_empty() {
            report.warnings.push(format!(
                "account {}: no list-roles file, so the descriptions and maximum session lengths of {} are unknown; give `aws iam list-roles` output for it too, or adopting resets them",
                account.id,
                names.join(", ")
            ));
        }
    }
}

/// The model's accounts: those with an imported role (the model rejects an empty one).
fn model_accounts(
    accounts: &[live::Account],
    keys: &[String],
    kept: &[Kept],
) -> Ordered<doc::Account> {
    let used = |i: usize| kept.iter().any(|k| k.account == i);
    Ordered(
        accounts
            .iter()
            .zip(keys)
            .enumerate()
            .filter(|(i, _)| used(*i))
            .map(|(_, (a, key))| {
                let partition = (a.partition != crate::model::Partition::Aws)
                    .then(|| a.partition.as_str().to_owned());
                (
                    key.clone(),
                    doc::Account {
                        id: a.id.clone(),
                        partition,
                    },
                )
            })
            .collect(),
    )
}

fn kept_roles<'a>(
    accounts: &'a [live::Account],
    keys: &[String],
    options: &Options,
    report: &mut Report,
) -> Vec<Kept<'a>> {
    let mut kept = Vec::new();
    for (a, account) in accounts.iter().enumerate() {
        report.skipped.users += account.users;
        report.skipped.groups += account.groups;
        let mut roles: Vec<&live::Role> = account.roles.iter().collect();
        roles.sort_by(|x, y| x.name.cmp(&y.name));
        for role in roles {
            match role.owned_by_aws() {
                Some(live::Owner::Service) => report.skipped.service_linked_roles += 1,
                Some(live::Owner::Aws) => report.skipped.aws_reserved_roles += 1,
                None if options
                    .include
                    .as_ref()
                    .is_some_and(|re| !re.is_match(&format!("{}{}", role.path, role.name))) =>
                {
                    report.skipped.not_included += 1
                }
                None => kept.push(Kept {
                    account: a,
                    role,
                    key: String::new(),
                }),
            }
        }
    }
    // Keys from names: `SeqeraPlatformRole-AccountA` → `seqera-platform-role-account-a`;
    // the account key goes in front where two accounts hold one name.
    let base: Vec<String> = kept.iter().map(|k| key_of(&k.role.name)).collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for stem in &base {
        *uses.entry(stem).or_default() += 1;
    }
    let mut taken = BTreeSet::new();
    for (i, k) in kept.iter_mut().enumerate() {
        let shared = uses[base[i].as_str()] > 1;
        let stem = if shared {
            format!("{}-{}", keys[k.account], base[i])
        } else {
            base[i].clone()
        };
        let stem: String = stem.chars().take(60).collect();
        let stem = stem.trim_end_matches('-').to_owned();
        let mut n = 0;
        let key = loop {
            let candidate = crate::ir::numbered(&stem, "-", n);
            // Terraform labels and CloudFormation logical IDs drop or rewrite `-`.
            if taken.insert(candidate.replace('-', "")) {
                break candidate;
            }
            n += 1;
        };
        k.key = key;
    }
    kept
}

fn key_of(name: &str) -> String {
    // Room for an account key in front and a number behind, within a key's 64 characters.
    let key: String = name
        .to_kebab_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    match key.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => key,
        _ => format!("role-{key}"),
    }
}

/// Tags that every role carries with the same value go to the model's `tags:`.
fn lift_shared_tags(roles: &mut Ordered<doc::Role>) -> Ordered<String> {
    let Some((_, first)) = roles.0.first() else {
        return Ordered::default();
    };
    if roles.0.len() < 2 {
        return Ordered::default();
    }
    let shared: Vec<(String, String)> = first
        .tags
        .0
        .iter()
        .filter(|tag| roles.0.iter().all(|(_, r)| r.tags.0.contains(tag)))
        .cloned()
        .collect();
    for (_, role) in &mut roles.0 {
        role.tags.0.retain(|t| !shared.contains(t));
    }
    Ordered(shared)
}
