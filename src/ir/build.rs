//! Model → role graph. Every check records a diagnostic and carries on, so one run
//! reports every problem; the graph is only handed out when there were none.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use foldhash::fast::RandomState;

use super::checks::{self, Check};
use super::keys::{Folded, Keys};
use super::trust::{self, Edge};
use super::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::iam;
use crate::model::{self, InstanceProfile, Sp};

pub(super) struct Builder<'m> {
    pub model: &'m model::Model,
    pub diags: &'m mut Diagnostics,
    pub accounts: Vec<Account>,
    pub account_keys: Keys<'m, AccountIdx>,
    pub roles: Vec<Role>,
    pub role_keys: Keys<'m, RoleIdx>,
    /// The model's own tags, checked and built once, for the roles that add none.
    model_tags: Option<Arc<BTreeMap<String, String>>>,
}

impl Builder<'_> {
    pub fn report(&mut self, at: &crate::diag::Loc, result: Check) {
        if let Err((message, hint)) = result {
            self.diags.push(Diagnostic::at(at, message).hint(hint));
        }
    }

    pub fn error(&mut self, at: &crate::diag::Loc, message: String, hint: impl Into<String>) {
        self.diags.push(Diagnostic::at(at, message).hint(hint));
    }
}

/// Resolves and validates the model. Errors go to `diags`; the graph is returned only
/// when the model, including what the caller already reported, has none.
pub fn build(model: &model::Model, source_name: &str, diags: &mut Diagnostics) -> Option<Graph> {
    let mut b = Builder {
        model,
        diags,
        accounts: Vec::with_capacity(model.accounts.len()),
        account_keys: Keys::with_capacity(model.accounts.len()),
        roles: Vec::with_capacity(model.roles.len()),
        role_keys: Keys::with_capacity(model.roles.len()),
        model_tags: None,
    };
    if let Some(name) = &model.name {
        let ok = (1..=128).contains(&name.value.chars().count())
            && !name.value.chars().any(char::is_control);
        if !ok {
            b.error(
                &name.loc,
                "the model's `name` must be 1 to 128 characters on one line".to_owned(),
                "it appears in generated headers and descriptions",
            );
        }
    }
    accounts(&mut b);
    let mut role_models = Vec::with_capacity(model.roles.len());
    for role in &model.roles {
        if let Some(built) = self::role(&mut b, role) {
            b.role_keys.insert(&role.key.value, RoleIdx(b.roles.len()));
            b.roles.push(built);
            role_models.push(role);
        }
    }
    unique_per_account(&mut b, &role_models);
    let mut edges: Vec<Edge> = Vec::with_capacity(model.roles.len());
    let mut inputs: BTreeMap<String, Input> = BTreeMap::new();
    for (i, role) in role_models.iter().enumerate() {
        let target = RoleIdx(i);
        let document = trust::document(&mut b, target, role, &mut edges, &mut inputs);
        b.roles[i].trust_policy = PolicyDocument {
            statements: super::compact::merge_principals(&document.statements),
        };
        b.roles[i].trust = document;
    }
    trust::reject_cycles(&mut b, &edges);
    let limits = super::quota::limits(&mut b);
    trust::assume_policies(&mut b, &edges, &limits);
    let trust_edge_count = role_models.iter().map(|r| r.trusted_by.len()).sum();
    let mut account_roles = vec![Vec::new(); b.accounts.len()];
    for (i, role) in b.roles.iter().enumerate() {
        account_roles[role.account.0].push(RoleIdx(i));
    }
    roleless_accounts(&mut b);
    let seqera = model
        .seqera
        .as_ref()
        .and_then(|s| super::seqera::setup(&mut b, s));
    if !b.diags.is_empty() {
        return None;
    }
    let graph = Graph {
        name: model
            .name
            .as_ref()
            .map(|n| n.value.clone())
            .unwrap_or_default(),
        source_name: source_name.to_owned(),
        accounts: b.accounts,
        roles: b.roles,
        inputs: inputs.into_values().collect(),
        trust_edge_count,
        account_roles,
        seqera,
        limits,
        exclusive: model.exclusive.as_ref().is_some_and(|e| e.value),
    };
    let over_quota = super::quota::check(&graph);
    if !over_quota.is_empty() {
        for diagnostic in over_quota {
            b.diags.push(diagnostic);
        }
        return None;
    }
    Some(graph)
}

/// An account without roles would be an empty CloudFormation stack, which AWS rejects.
/// Roles that failed their own checks still count, so that no error is reported twice.
fn roleless_accounts(b: &mut Builder) {
    let used: std::collections::BTreeSet<&str> = b
        .model
        .roles
        .iter()
        .filter_map(|r| r.account.as_ref())
        .map(|a| a.value.as_str())
        .collect();
    for account in &b.model.accounts {
        if !used.contains(account.key.value.as_str()) {
            let message = format!("account `{}` has no roles", account.key.value);
            b.diags.push(
                Diagnostic::at(&account.key.loc, message)
                    .hint("add a role with `account: <this key>`, or remove the account"),
            );
        }
    }
}

fn accounts(b: &mut Builder) {
    let mut by_id: BTreeMap<&str, &str> = BTreeMap::new();
    for account in &b.model.accounts {
        let loc = account.key.loc.clone();
        b.report(&loc, checks::logical_key("account", &account.key.value));
        let mut id = String::new();
        if let Some(sp) = &account.id {
            b.report(&sp.loc, checks::account_id(&sp.value));
            if let Some(other) = by_id.insert(&sp.value, &account.key.value) {
                b.error(
                    &sp.loc,
                    format!(
                        "account id {} is already declared as account `{other}`",
                        sp.value
                    ),
                    "declare each AWS account once and refer to it by its key",
                );
            }
            id = sp.value.clone();
        }
        if let Some(region) = &account.region {
            b.report(&region.loc, checks::region(&region.value));
        }
        if let Some(role) = &account.deploy_role {
            match checks::role_arn(&role.value) {
                Ok(p) if p != account.partition => b.error(
                    &role.loc,
                    format!(
                        "deploy_role is in partition {}, but the account is in {}",
                        p.as_str(),
                        account.partition.as_str()
                    ),
                    "a provider can only assume a role in its own partition",
                ),
                Ok(_) => {}
                Err(e) => b.report(&role.loc, Err(e)),
            }
        }
        b.account_keys
            .insert(&account.key.value, AccountIdx(b.accounts.len()));
        b.accounts.push(Account {
            key: account.key.value.clone(),
            loc,
            id,
            partition: account.partition,
            region: account.region.as_ref().map(|r| r.value.clone()),
            deploy_role: account.deploy_role.as_ref().map(|r| r.value.clone()),
        });
    }
}

fn role(b: &mut Builder, role: &model::Role) -> Option<Role> {
    let key = &role.key;
    b.report(&key.loc, checks::logical_key("role", &key.value));
    let account = role.account.as_ref().and_then(|a| account_ref(b, key, a));
    let partition = account.map(|a| b.accounts[a.0].partition);
    if let Some(name) = &role.name {
        b.report(&name.loc, checks::role_name(&name.value));
    }
    let path = match &role.path {
        Some(p) => {
            b.report(&p.loc, checks::path(&p.value));
            p.value.clone()
        }
        None => "/".to_owned(),
    };
    if let Some(d) = &role.description {
        let latin1 = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}');
        if d.value.chars().count() > 1000 || !d.value.chars().all(latin1) {
            b.error(
                &d.loc,
                "the role description is over 1000 characters or has characters IAM rejects"
                    .to_owned(),
                "IAM allows printable Latin-1 text of at most 1000 characters",
            );
        }
    }
    if let Some(m) = &role.max_session_duration
        && !(iam::SESSION_MIN..=iam::SESSION_MAX).contains(&m.value)
    {
        b.error(
            &m.loc,
            format!("max_session_duration {} is out of range", m.value),
            format!(
                "IAM accepts {} to {} seconds (1 to 12 hours)",
                iam::SESSION_MIN,
                iam::SESSION_MAX
            ),
        );
    }
    if let Some(pb) = &role.permissions_boundary {
        policy_arn(b, pb, key, partition);
    }
    let mut managed = Vec::new();
    for arn in &role.managed_policies {
        policy_arn(b, arn, key, partition);
        if managed.contains(&arn.value) {
            b.error(
                &arn.loc,
                format!("`{}` is attached twice", arn.value),
                "list each managed policy once",
            );
        }
        managed.push(arn.value.clone());
    }
    let instance_profile = role.instance_profile.as_ref().and_then(|ip| {
        let profile = match &ip.value {
            InstanceProfile::RoleName => role.name.as_ref()?.value.clone(),
            InstanceProfile::Named(n) => n.clone(),
        };
        b.report(&ip.loc, checks::instance_profile_name(&profile));
        Some(profile)
    });
    let inline_policies = inline_policies(b, role);
    let tags = tags(b, role);
    Some(Role {
        key: key.value.clone(),
        loc: key.loc.clone(),
        account: account?,
        name: role.name.as_ref()?.value.clone(),
        path,
        description: role.description.as_ref().map(|d| d.value.clone()),
        max_session_duration: role.max_session_duration.as_ref().map(|m| m.value),
        permissions_boundary: role.permissions_boundary.as_ref().map(|p| p.value.clone()),
        managed_policies: managed,
        inline_policies,
        tags,
        instance_profile,
        trust: PolicyDocument::default(),
        trust_policy: PolicyDocument::default(),
        assume: Vec::new(),
        accepted_risks: accepted_risks(b, role),
    })
}

fn account_ref(b: &mut Builder, role: &Sp<String>, account: &Sp<String>) -> Option<AccountIdx> {
    if let Some(idx) = b.account_keys.get(&account.value) {
        return Some(idx);
    }
    let hint = match b.account_keys.closest(&account.value) {
        Some(near) => format!("did you mean `{near}`? accounts are declared under `accounts:`"),
        None => "declare the account under `accounts:` or fix the key".to_owned(),
    };
    let message = format!(
        "role `{}` refers to unknown account `{}`",
        role.value, account.value
    );
    b.error(&account.loc, message, hint);
    None
}

/// A managed policy or permissions boundary, which must be in the role's partition.
fn policy_arn(b: &mut Builder, arn: &Sp<String>, role: &Sp<String>, partition: Option<Partition>) {
    match (checks::policy_arn(&arn.value), partition) {
        (Ok(p), Some(expected)) if p != expected => b.error(
            &arn.loc,
            format!(
                "`{}` is in partition {}, but role `{}` is in {}",
                arn.value,
                p.as_str(),
                role.value,
                expected.as_str()
            ),
            "attach policies from the role's own partition",
        ),
        (Ok(_), _) => {}
        (Err(e), _) => b.report(&arn.loc, Err(e)),
    }
}

/// Role tags are merged over the model's top-level tags. The model's tags are checked with
/// the first role (as often as before, once the diagnostics are deduplicated) and their map
/// is shared by every role that adds no tags of its own.
fn tags(b: &mut Builder, role: &model::Role) -> Arc<BTreeMap<String, String>> {
    let shared = match &b.model_tags {
        Some(shared) => Arc::clone(shared),
        None => {
            let mut merged = BTreeMap::new();
            add_tags(b, &mut merged, &b.model.tags);
            Arc::clone(b.model_tags.insert(Arc::new(merged)))
        }
    };
    let merged = if role.tags.is_empty() {
        shared
    } else {
        let mut merged = BTreeMap::clone(&shared);
        add_tags(b, &mut merged, &role.tags);
        Arc::new(merged)
    };
    if merged.len() > 50 {
        b.error(
            &role.key.loc,
            format!(
                "role `{}` would carry {} tags; IAM allows 50",
                role.key.value,
                merged.len()
            ),
            "drop tags from the model's `tags:` or the role's",
        );
    }
    merged
}

/// Checks each tag and adds it to `merged`, over any tag of the same key already there.
fn add_tags(
    b: &mut Builder,
    merged: &mut BTreeMap<String, String>,
    tags: &[(Sp<String>, Sp<String>)],
) {
    for (k, v) in tags {
        b.report(&k.loc, checks::tag(&k.value, &v.value));
        merged.insert(k.value.clone(), v.value.clone());
    }
}

fn inline_policies(b: &mut Builder, role: &model::Role) -> Vec<NamedPolicy> {
    let repeated = repeated_names(&role.policies);
    let mut out = Vec::with_capacity(role.policies.len());
    for (i, policy) in role.policies.iter().enumerate() {
        b.report(&policy.name.loc, checks::policy_name(&policy.name.value));
        if repeated.binary_search(&i).is_ok() {
            b.error(
                &policy.name.loc,
                format!(
                    "role `{}` has two policies named `{}`",
                    role.key.value, policy.name.value
                ),
                "IAM policy names are case-insensitive; rename one",
            );
        }
        let statements = policy.statements.iter().map(|s| statement(b, s)).collect();
        unique_sids(b, &policy.statements);
        out.push(NamedPolicy {
            name: policy.name.value.clone(),
            description: None,
            loc: policy.name.loc.clone(),
            document: PolicyDocument { statements },
        });
    }
    out
}

/// The positions, in order, of the policies whose name an earlier policy of the same role
/// has, ignoring ASCII case as IAM does. Sorting finds them without a string or a map
/// node per policy, and a role with one policy needs no allocation at all.
fn repeated_names(policies: &[model::InlinePolicy]) -> Vec<usize> {
    if policies.len() < 2 {
        return Vec::new();
    }
    let name = |i: usize| Folded(&policies[i].name.value);
    let mut order: Vec<usize> = (0..policies.len()).collect();
    // Stable: within one name, the first position comes first.
    order.sort_by_key(|&i| name(i));
    let mut repeated: Vec<usize> = order
        .windows(2)
        .filter(|pair| name(pair[0]) == name(pair[1]))
        .map(|pair| pair[1])
        .collect();
    repeated.sort_unstable();
    repeated
}

fn statement(b: &mut Builder, s: &model::Statement) -> Statement {
    fn checked<T>(
        b: &mut Builder,
        list: &[Sp<String>],
        check: fn(&str) -> Check,
        wrap: fn(String) -> T,
    ) -> Vec<T> {
        list.iter()
            .map(|sp| {
                b.report(&sp.loc, check(&sp.value));
                wrap(sp.value.clone())
            })
            .collect()
    }
    if let Some(sid) = &s.sid {
        b.report(&sid.loc, checks::sid(&sid.value));
    }
    Statement {
        sid: s.sid.as_ref().map(|x| x.value.clone()),
        effect: s.effect,
        actions: checked(b, &s.actions, checks::action, String::from),
        not_actions: checked(b, &s.not_actions, checks::action, String::from),
        resources: checked(b, &s.resources, checks::resource, Text::Lit),
        not_resources: checked(b, &s.not_resources, checks::resource, Text::Lit),
        principals: Vec::new(),
        conditions: trust::conditions(b, &s.conditions, Vec::new()),
        loc: Some(s.loc.clone()),
    }
}

fn accepted_risks(b: &mut Builder, role: &model::Role) -> Vec<AcceptedRisk> {
    let mut out = Vec::new();
    for risk in &role.accept_risks {
        if crate::catalogue::rule(&risk.rule.value).is_none() {
            let known: Vec<&str> = crate::catalogue::RULES.iter().map(|r| r.id).collect();
            b.error(
                &risk.rule.loc,
                format!("unknown lint rule `{}`", risk.rule.value),
                format!("rules are {}", known.join(", ")),
            );
        }
        out.push(AcceptedRisk {
            rule: risk.rule.value.clone(),
            reason: risk.reason.value.clone(),
        });
    }
    out
}

/// IAM requires a statement id to be unique within its policy.
fn unique_sids(b: &mut Builder, statements: &[model::Statement]) {
    let mut seen = std::collections::BTreeSet::new();
    for sid in statements.iter().filter_map(|s| s.sid.as_ref()) {
        if !seen.insert(sid.value.as_str()) {
            b.error(
                &sid.loc,
                format!("sid `{}` is used twice in this policy", sid.value),
                "give each statement its own sid, or none",
            );
        }
    }
}

/// IAM names are case-insensitive and unique per account.
fn unique_per_account(b: &mut Builder, roles: &[&model::Role]) {
    // Only asked who came first, never iterated: hash maps, sized for every role.
    let mut names = HashMap::with_capacity_and_hasher(roles.len(), RandomState::default());
    let mut profiles = HashMap::with_hasher(RandomState::default());
    let mut clashes = Vec::new();
    for (i, (role, spec)) in b.roles.iter().zip(roles).enumerate() {
        if let Some(first) = claim(&mut names, (role.account, Folded(&role.name)), i) {
            let at = spec.name.as_ref().map_or(&role.loc, |n| &n.loc);
            let message = format!(
                "role name `{}` is already used by role `{}` in account `{}`",
                role.name, b.roles[first].key, b.accounts[role.account.0].key
            );
            clashes.push(
                Diagnostic::at(at, message)
                    .hint("IAM role names are unique per account, ignoring case; rename one"),
            );
        }
        let Some(profile) = &role.instance_profile else {
            continue;
        };
        if let Some(first) = claim(&mut profiles, (role.account, Folded(profile)), i) {
            let at = spec.instance_profile.as_ref().map_or(&role.loc, |p| &p.loc);
            let message = format!(
                "instance profile `{profile}` is already used by role `{}`",
                b.roles[first].key
            );
            clashes.push(
                Diagnostic::at(at, message)
                    .hint("instance profile names are unique per account, ignoring case"),
            );
        }
    }
    for clash in clashes {
        b.diags.push(clash);
    }
}

/// Records `index` as the owner of `key`; returns the earlier owner if there was one.
fn claim<'a>(
    owners: &mut HashMap<(AccountIdx, Folded<'a>), usize, RandomState>,
    key: (AccountIdx, Folded<'a>),
    index: usize,
) -> Option<usize> {
    match owners.entry(key) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(index);
            None
        }
    }
}
