//! Live accounts → the model document and the report.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToKebabCase;

use super::doc::{self, Ordered, Values};
use super::report::{self, Report};
use super::trust::{self, Who};
use super::{Imported, Options, account_key, grants, statement};
use crate::live;

/// An imported role: where it is, and the key the model gives it.
struct Kept<'a> {
    account: usize,
    role: &'a live::Role,
    key: String,
}

/// The most managed policies AWS lets a role attach (a raised quota).
const MOST_GRANT_POLICIES: usize = 20;

/// Inline policies longer than this (characters of compact JSON) go to `policies/`.
const INLINE_LIMIT: usize = 800;

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
    let edges = choose_edges(accounts, &kept, &trusts);
    let mut folds: Vec<BTreeSet<String>> = vec![BTreeSet::new(); kept.len()];
    for &(source, target) in &edges {
        folds[source].insert(kept[target].role.arn.clone());
    }
    let mut files = Vec::new();
    let mut roles = Ordered::default();
    for (i, k) in kept.iter().enumerate() {
        let account = &accounts[k.account];
        let mut r = Recovered {
            report: &mut report,
            account_key: &keys[k.account],
            kept: k,
        };
        let mut role = r.role(account, &folds[i], &mut files);
        role.trusted_by = r.trusted_by(&trusts[i], &edges, i, &kept);
        roles.0.push((k.key.clone(), role));
    }
    let tags = lift_shared_tags(&mut roles);
    for (a, account) in accounts.iter().enumerate() {
        let (key, named) = account_key(options, account);
        let count = kept.iter().filter(|k| k.account == a).count();
        report.accounts.push(report::AccountLine {
            key,
            id: account.id.clone(),
            named,
            roles: count,
        });
        let names: Vec<&str> = kept
            .iter()
            .filter(|k| k.account == a)
            .map(|k| k.role.name.as_str())
            .collect();
        if !account.has_role_list && !names.is_empty() {
            report.warnings.push(format!(
                "account {}: no list-roles file, so the descriptions and maximum session lengths of {} are unknown; give `aws iam list-roles` output for it too, or adopting resets them",
                account.id,
                names.join(", ")
            ));
        }
    }
    report.roles = kept.len();
    let model = doc::Model {
        version: 1,
        name: options.name.clone(),
        tags,
        accounts: Ordered(
            accounts
                .iter()
                .zip(&keys)
                .enumerate()
                // The model rejects an account without roles.
                .filter(|(i, _)| kept.iter().any(|k| k.account == *i))
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
        ),
        roles,
    };
    Imported {
        model,
        files,
        report,
    }
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
            match role.skip_reason() {
                Some("service-linked") => report.skipped.service_linked_roles += 1,
                Some(_) => report.skipped.aws_reserved_roles += 1,
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
    let mut taken = BTreeSet::new();
    for (i, k) in kept.iter_mut().enumerate() {
        let shared = base.iter().filter(|b| **b == base[i]).count() > 1;
        let stem = if shared {
            format!("{}-{}", keys[k.account], base[i])
        } else {
            base[i].clone()
        };
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
    let key: String = name
        .to_kebab_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    match key.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => key,
        _ => format!("role-{key}"),
    }
}

/// Trust entries that name an imported role holding a pure grant on the trusting role
/// become edges (source, target), unless one would close a cycle (the model rejects
/// those: IAM needs the trusted role first).
fn choose_edges(
    accounts: &[live::Account],
    kept: &[Kept],
    trusts: &[trust::Trust],
) -> Vec<(usize, usize)> {
    let granted: Vec<BTreeSet<String>> = kept
        .iter()
        .map(|k| {
            let account = &accounts[k.account];
            let inline = k.role.inline.iter().map(|(_, d)| d);
            let managed = k
                .role
                .attached
                .iter()
                .filter_map(|arn| account.policy(arn))
                .map(|p| &p.document);
            inline.chain(managed).flat_map(grants::granted).collect()
        })
        .collect();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (target, t) in trusts.iter().enumerate() {
        for entry in &t.entries {
            let Who::Role(source, _) = entry.who else {
                continue;
            };
            if !granted[source].contains(&kept[target].role.arn)
                || edges.contains(&(source, target))
            {
                continue;
            }
            if !reaches(&edges, target, source) && source != target {
                edges.push((source, target));
            }
        }
    }
    edges
}

/// Whether `from` reaches `to` along (source → target) edges.
fn reaches(edges: &[(usize, usize)], from: usize, to: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node) {
            stack.extend(edges.iter().filter(|e| e.0 == node).map(|e| e.1));
        }
    }
    false
}

struct Recovered<'r, 'a> {
    report: &'r mut Report,
    account_key: &'r str,
    kept: &'r Kept<'a>,
}

impl Recovered<'_, '_> {
    fn inexpressible(&mut self, reason: String) {
        self.report.inexpressible.push(report::Inexpressible {
            account: self.account_key.to_owned(),
            role: self.kept.role.name.clone(),
            reason,
        });
    }

    fn role(
        &mut self,
        account: &live::Account,
        folded: &BTreeSet<String>,
        files: &mut Vec<(String, String)>,
    ) -> doc::Role {
        let live = self.kept.role;
        let mut role = doc::Role {
            account: self.account_key.to_owned(),
            name: live.name.clone(),
            path: (live.path != "/").then(|| live.path.clone()),
            description: live.description.clone(),
            max_session_duration: live
                .max_session_duration
                .filter(|&s| s != crate::plan::DEFAULT_MAX_SESSION_DURATION),
            permissions_boundary: live.boundary.clone(),
            managed_policies: Vec::new(),
            instance_profile: self.instance_profile(),
            tags: Ordered(live.tags.clone()),
            policies: Ordered::default(),
            trusted_by: Vec::new(),
        };
        for arn in &live.attached {
            if !self.fold_managed(account, arn, folded) {
                role.managed_policies.push(arn.clone());
            }
        }
        for (name, document) in &live.inline {
            if let Some(policy) = self.inline_policy(name, document, folded, files) {
                role.policies.0.push((name.clone(), policy));
            }
        }
        role
    }

    fn instance_profile(&mut self) -> Option<doc::InstanceProfile> {
        let live = self.kept.role;
        let (first, rest) = live.profiles.split_first()?;
        for other in rest {
            self.inexpressible(format!(
                "it is in a second instance profile, {}: a model role has one",
                other.name
            ));
        }
        if first.path != live.path {
            self.inexpressible(format!(
                "its instance profile {} has the path {}, the role {}: the model gives a profile its role's path",
                first.name, first.path, live.path
            ));
        }
        Some(if first.name == live.name {
            doc::InstanceProfile::RoleName
        } else {
            doc::InstanceProfile::Named(first.name.clone())
        })
    }

    /// Whether the attached managed policy `arn` is a grant the model now writes: a
    /// customer-managed policy of this account, attached to this role alone, whose every
    /// statement is a grant on edges' targets.
    fn fold_managed(
        &mut self,
        account: &live::Account,
        arn: &str,
        folded: &BTreeSet<String>,
    ) -> bool {
        let Some(policy) = account.policy(arn) else {
            return false;
        };
        if policy.attachment_count > 1 || !grants::folds_whole(&policy.document, folded) {
            return false;
        }
        let live = self.kept.role;
        let generated = policy.path == live.path && is_generated_name(&live.name, &policy.name);
        if generated && policy.other_versions > 0 {
            self.inexpressible(format!(
                "its grant policy {} has {} besides the default, which the model does not describe",
                policy.name,
                crate::diag::plural(policy.other_versions, "version")
            ));
        }
        let delete = vec![
            format!(
                "aws iam detach-role-policy --role-name {} --policy-arn {arn}",
                live.name
            ),
            format!("aws iam delete-policy --policy-arn {arn}"),
        ];
        self.report.folded.push(report::Folded {
            account: self.account_key.to_owned(),
            role: live.name.clone(),
            policy: policy.name.clone(),
            managed_arn: Some(arn.to_owned()),
            targets: grants::granted(&policy.document).into_iter().collect(),
            replaced: true,
            generated,
            delete: if generated { Vec::new() } else { delete },
        });
        true
    }

    fn inline_policy(
        &mut self,
        name: &str,
        document: &serde_json::Value,
        folded: &BTreeSet<String>,
        files: &mut Vec<(String, String)>,
    ) -> Option<doc::Policy> {
        if let Some(reason) = statement::odd_version(document) {
            self.inexpressible(format!(
                "inline policy {name}: {reason}; the model writes 2012-10-17"
            ));
        }
        let folding = grants::fold(document, folded);
        let live = self.kept.role;
        if !folding.removed.is_empty() {
            let replaced = folding.kept.is_empty();
            self.report.folded.push(report::Folded {
                account: self.account_key.to_owned(),
                role: live.name.clone(),
                policy: name.to_owned(),
                managed_arn: None,
                targets: folding.removed.clone(),
                replaced,
                generated: false,
                delete: vec![format!(
                    "aws iam delete-role-policy --role-name {} --policy-name {name}",
                    live.name
                )],
            });
            if replaced {
                return None;
            }
        }
        let mut statements = Vec::new();
        for kept in folding.kept {
            match kept {
                Ok(p) if p.principal.is_some() || p.not_principal => {
                    self.inexpressible(format!(
                        "inline policy {name} has a Principal, which identity policies do not take"
                    ));
                }
                Ok(p) => statements.push(p),
                Err((_, reason)) => self.inexpressible(format!("inline policy {name}: {reason}")),
            }
        }
        let json: Vec<serde_json::Value> = statements.iter().map(statement::to_json).collect();
        let compact = serde_json::to_string(&json).unwrap_or_default();
        if compact.len() <= INLINE_LIMIT {
            return Some(doc::Policy::Inline {
                statements: statements.iter().map(statement::model_statement).collect(),
            });
        }
        let path = format!("policies/{}.{name}.json", self.kept.key);
        let document = serde_json::json!({ "Version": "2012-10-17", "Statement": json });
        let text = serde_json::to_string_pretty(&document).unwrap_or_default() + "\n";
        files.push((path.clone(), text));
        Some(doc::Policy::File { file: path })
    }

    fn trusted_by(
        &mut self,
        t: &trust::Trust,
        edges: &[(usize, usize)],
        me: usize,
        kept: &[Kept],
    ) -> Vec<doc::Trust> {
        for reason in &t.inexpressible {
            self.inexpressible(reason.clone());
        }
        for note in &t.notes {
            self.report
                .warnings
                .push(format!("{}: {note}", self.kept.role.name));
        }
        let mut out = Vec::new();
        for entry in &t.entries {
            let principal = match &entry.who {
                Who::Service(s) => doc::Principal::Service(s.clone()),
                Who::Account(a) => doc::Principal::Account(a.clone()),
                Who::Arn(a) => doc::Principal::Arn(a.clone()),
                Who::Role(source, _) if edges.contains(&(*source, me)) => {
                    self.report.edges.push(report::Edge {
                        source: kept[*source].key.clone(),
                        target: self.kept.key.clone(),
                        external_id: entry.external_id.is_some(),
                        session_tags: entry.session_tags,
                    });
                    doc::Principal::Role(kept[*source].key.clone())
                }
                Who::Role(source, arn) => {
                    self.report.warnings.push(format!(
                        "{} trusts {}, which holds no grant on it: kept as `arn:`, so the model grants nothing",
                        self.kept.role.name, kept[*source].role.name
                    ));
                    doc::Principal::Arn(arn.clone())
                }
            };
            out.push(doc::Trust {
                principal,
                external_id: entry.external_id.clone().map(Values),
                session_tags: entry.session_tags.then_some(true),
                conditions: statement::model_conditions(&entry.conditions),
            });
        }
        if out.is_empty() {
            self.inexpressible("its trust policy allows no one the model can name".to_owned());
        }
        out
    }
}

/// `<role>-assume`, `<role>-assume-2`, …: the names of the generated grant policies.
fn is_generated_name(role: &str, policy: &str) -> bool {
    (0..MOST_GRANT_POLICIES)
        .any(|n| crate::ir::numbered(&format!("{role}-assume"), "-", n) == policy)
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
