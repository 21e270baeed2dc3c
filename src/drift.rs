//! `rolegraph drift`: the IAM the model's plan expects against what each account holds,
//! from the same authorization-details files `import` reads. The comparison is the one
//! the deploy tests trust (`plan::compare_account`), so "in sync" means what they mean.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics, plural};
use crate::live;
use crate::plan::{AccountIam, Difference, Plan, compare_account};

/// Which live resources are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The model's roles, policies and instance profiles, and profiles that hold a
    /// model role; everything else in the accounts is someone else's.
    Managed,
    /// Every resource of every account given, whether the model has it or not.
    All,
}

#[derive(Debug, Default)]
pub struct Report {
    pub differences: Vec<Difference>,
    /// `production (111111111111)`, in the plan's order.
    pub accounts: Vec<String>,
    pub roles_compared: usize,
    /// What was not compared, and why (no list-roles file, accounts the model lacks).
    pub notes: Vec<String>,
}

/// Every difference between `plan` and `accounts`; exit 2 material when a model account
/// has no file, since a check that skipped it would report a sync it never saw.
pub fn drift(plan: &Plan, accounts: &[live::Account], scope: Scope) -> Result<Report, Diagnostics> {
    let by_id: BTreeMap<&str, &live::Account> =
        accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut diags = Diagnostics::default();
    let mut report = Report::default();
    for (key, expected) in &plan.accounts {
        let label = format!("{key} ({})", expected.id);
        let Some(live) = by_id.get(expected.id.as_str()) else {
            diags.push(
                Diagnostic::nowhere(format!(
                    "account `{key}` ({}) of the model has no authorization-details file among --live",
                    expected.id
                ))
                .hint(format!(
                    "dump it with `aws iam get-account-authorization-details > {key}.json` under that account's credentials, and pass it to --live"
                )),
            );
            continue;
        };
        let mut found = live.state();
        if scope == Scope::Managed {
            found = managed_part(found, &expected.iam);
        }
        if !live.has_role_list {
            unknown_without_role_list(&mut found, &expected.iam);
            report.notes.push(format!(
                "account {label}: descriptions and session lengths not compared ({} is not joined by a list-roles file)",
                live.file
            ));
        }
        report.roles_compared += expected.iam.roles.len();
        report
            .differences
            .extend(compare_account(&label, &expected.iam, &found));
        report.accounts.push(label);
    }
    let known = |id: &str| plan.accounts.values().any(|a| a.id == id);
    for live in accounts.iter().filter(|a| !known(&a.id)) {
        match scope {
            Scope::All => {
                let found = live.state();
                report.differences.extend(compare_account(
                    &live.id,
                    &AccountIam::default(),
                    &found,
                ));
                report.accounts.push(live.id.clone());
            }
            Scope::Managed => report.notes.push(format!(
                "account {} ({}) is not in the model: not compared (--all compares it)",
                live.id, live.file
            )),
        }
    }
    diags.into_result(report)
}

/// The part of an account's IAM that the model manages: its resources by name, and any
/// instance profile that holds one of its roles (EC2 can then hand that role out).
fn managed_part(mut found: AccountIam, expected: &AccountIam) -> AccountIam {
    found
        .roles
        .retain(|name, _| expected.roles.contains_key(name));
    found
        .managed_policies
        .retain(|name, _| expected.managed_policies.contains_key(name));
    found.instance_profiles.retain(|name, profile| {
        expected.instance_profiles.contains_key(name)
            || profile.roles.iter().any(|r| expected.roles.contains_key(r))
    });
    found
}

/// Authorization details carry neither descriptions nor session lengths; without a
/// list-roles file the found values are the defaults, so take the expected ones instead
/// of reporting drift nobody can see.
fn unknown_without_role_list(found: &mut AccountIam, expected: &AccountIam) {
    for (name, role) in &mut found.roles {
        if let Some(want) = expected.roles.get(name) {
            role.description = want.description.clone();
            role.max_session_duration = want.max_session_duration;
        }
    }
}

impl Report {
    pub fn in_sync(&self) -> bool {
        self.differences.is_empty()
    }

    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for d in &self.differences {
            out.push_str(&format!("{d}\n"));
        }
        let accounts = plural(self.accounts.len(), "account");
        if self.in_sync() {
            out.push_str(&format!(
                "in sync: {} in {accounts} as the model expects\n",
                plural(self.roles_compared, "role")
            ));
        } else {
            out.push_str(&format!(
                "drift: {} from the model in {accounts}\n",
                plural(self.differences.len(), "difference")
            ));
        }
        out
    }

    pub fn to_json(&self) -> Value {
        #[derive(Serialize)]
        struct Entry<'a> {
            account: &'a str,
            kind: &'a str,
            name: &'a str,
            part: &'a str,
            detail: &'a str,
            missing_statements: &'a [Value],
            unexpected_statements: &'a [Value],
        }
        let differences: Vec<Entry> = self
            .differences
            .iter()
            .map(|d| Entry {
                account: &d.account,
                kind: d.kind,
                name: &d.name,
                part: &d.part,
                detail: &d.detail,
                missing_statements: &d.missing,
                unexpected_statements: &d.unexpected,
            })
            .collect();
        serde_json::json!({
            "in_sync": self.in_sync(),
            "accounts": self.accounts,
            "roles_compared": self.roles_compared,
            "differences": differences,
            "notes": self.notes,
        })
    }
}
