//! One imported role in the model's terms: its properties, its policies with the
//! recovered edges' grants folded out, and its trust entries.

use std::collections::BTreeSet;

use super::build::Kept;
use super::doc::{self, Ordered, Values};
use super::report::{self, Report};
use super::trust::{self, Who};
use super::{grants, statement};
use crate::live;

/// The most managed policies AWS lets a role attach (a raised quota).
const MOST_GRANT_POLICIES: usize = 20;

/// Inline policies longer than this (characters of compact JSON) go to `policies/`.
const INLINE_LIMIT: usize = 800;

pub(super) struct Recovered<'r, 'a> {
    pub report: &'r mut Report,
    pub account_key: &'r str,
    pub kept: &'r Kept<'a>,
    /// `Options::inline_only`.
    pub inline_only: bool,
}

impl Recovered<'_, '_> {
    fn inexpressible(&mut self, reason: String) {
        self.report.inexpressible.push(report::Inexpressible {
            account: self.account_key.to_owned(),
            role: self.kept.role.name.clone(),
            reason,
        });
    }

    pub fn role(
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
        // A path may hold any printable character: the ARN is quoted for the shell.
        let quoted = shell_word(arn);
        let delete = vec![
            format!(
                "aws iam detach-role-policy --role-name {} --policy-arn {quoted}",
                live.name
            ),
            format!("aws iam delete-policy --policy-arn {quoted}"),
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
        if compact.len() <= INLINE_LIMIT || self.inline_only {
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

    pub fn trusted_by(
        &mut self,
        t: &trust::Trust,
        edges: &std::collections::BTreeSet<(usize, usize)>,
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

/// `word` as one shell word: as it is when it holds only characters no shell treats
/// specially, otherwise in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_/:.,=+@-".contains(c);
    if word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `<role>-assume`, `<role>-assume-2`, …: the names of the generated grant policies.
fn is_generated_name(role: &str, policy: &str) -> bool {
    (0..MOST_GRANT_POLICIES)
        .any(|n| crate::ir::numbered(&format!("{role}-assume"), "-", n) == policy)
}
