//! Turns the YAML tree into the typed model, recording every shape error it meets.

use super::node::{Node, Value};
use super::reader::{Fields, Reader};
use super::types::*;
use std::fmt::Display;

const MODEL_KEYS: &[&str] = &[
    "version",
    "name",
    "exclusive",
    "tags",
    "accounts",
    "roles",
    "seqera",
    "limits",
];
const ACCOUNT_KEYS: &[&str] = &["id", "region", "partition", "deploy_role"];
const ROLE_KEYS: &[&str] = &[
    "account",
    "name",
    "path",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "managed_policies",
    "policies",
    "tags",
    "instance_profile",
    "trusted_by",
    "accept_risks",
];
const POLICY_KEYS: &[&str] = &["statements", "file"];
const STATEMENT_KEYS: &[&str] = &[
    "sid",
    "effect",
    "actions",
    "not_actions",
    "resources",
    "not_resources",
    "conditions",
];
const PRINCIPAL_KEYS: [&str; 4] = ["service", "role", "arn", "account"];
const TRUST_KEYS: &[&str] = &[
    "service",
    "role",
    "arn",
    "account",
    "external_id",
    "session_tags",
    "conditions",
];

/// Policy files named by `file:`, to be read once the model's shape is known.
pub struct PolicyFileRef {
    pub role: usize,
    pub policy: usize,
    pub path: Sp<String>,
}

pub fn decode(r: &mut Reader, root: &Node) -> (Model, Vec<PolicyFileRef>) {
    let mut model = Model {
        name: None,
        tags: Vec::new(),
        accounts: Vec::new(),
        roles: Vec::new(),
        seqera: None,
        limits: Limits::default(),
        exclusive: None,
    };
    let mut files = Vec::new();
    let Some(top) = r.fields(root, "the model", MODEL_KEYS) else {
        return (model, files);
    };
    if let Some(node) = top.required(r, "version", "the model") {
        let version = r.spelling(node).to_owned();
        if !matches!(node.value, Value::Number) || version != "1" {
            r.error(
                node,
                format!("unsupported model version `{version}`"),
                "this rolegraph reads `version: 1`",
            );
        }
    }
    model.name = top
        .required(r, "name", "the model")
        .and_then(|n| r.string(n, "the model's `name`"));
    if let Some(node) = top.get("exclusive") {
        model.exclusive = r.bool(node, "`exclusive`").map(|value| Sp {
            value,
            loc: r.loc(node),
        });
    }
    if let Some(node) = top.get("tags") {
        model.tags = tags(r, node);
    }
    if let Some(node) = top.required(r, "accounts", "the model") {
        let entries = r.entries(node, "`accounts`");
        model.accounts.reserve_exact(entries.len());
        for (key, value) in entries {
            model.accounts.push(account(r, key, value));
        }
    }
    if let Some(node) = top.required(r, "roles", "the model") {
        let entries = r.entries(node, "`roles`");
        model.roles.reserve_exact(entries.len());
        for (key, value) in entries {
            let index = model.roles.len();
            let role = role(r, key, value, index, &mut files);
            model.roles.push(role);
        }
    }
    model.seqera = top
        .get("seqera")
        .map(|n| super::decode_seqera::seqera(r, n));
    if let Some(node) = top.get("limits") {
        model.limits = super::decode_seqera::limits(r, node);
    }
    (model, files)
}

fn tags(r: &mut Reader, node: &Node) -> Vec<(Sp<String>, Sp<String>)> {
    r.entries(node, "`tags`")
        .into_iter()
        .filter_map(|(key, value)| {
            let what = format!("the value of tag `{}`", key.value);
            Some((key, r.string(value, &what)?))
        })
        .collect()
}

/// Account ids are strings: YAML reads `012345678901` as a number and drops the zero.
pub fn account_id(r: &mut Reader, node: &Node, what: impl Display + Copy) -> Option<Sp<String>> {
    if let Value::Number = node.value {
        let spelling = r.spelling(node).to_owned();
        r.error(
            node,
            format!("{what} must be a quoted string of 12 digits, but YAML read a number"),
            format!(
                "quote it: \"{spelling}\" (YAML reads an unquoted id as a number, and an id that starts with 0 loses its leading zero)"
            ),
        );
        return None;
    }
    r.string(node, what)
}

/// A malformed account is still returned (with nothing but its key), so that the roles
/// that name it do not each report an unknown account on top of the real error.
fn account(r: &mut Reader, key: Sp<String>, node: &Node) -> Account {
    let what = format_args!("account `{}`", key.value);
    let Some(f) = r.fields(node, what, ACCOUNT_KEYS) else {
        return Account {
            key,
            id: None,
            region: None,
            partition: Partition::Aws,
            deploy_role: None,
        };
    };
    let id = f
        .required(r, "id", what)
        .and_then(|n| account_id(r, n, format_args!("the id of {what}")));
    let region = opt_string(r, &f, "region", what);
    let deploy_role = opt_string(r, &f, "deploy_role", what);
    let mut partition = Partition::Aws;
    if let Some(p) = opt_string(r, &f, "partition", what) {
        match Partition::ALL.iter().find(|(name, _)| *name == p.value) {
            Some((_, found)) => partition = *found,
            None => r.error(
                f.get("partition").unwrap_or(node),
                format!("unknown partition `{}` for {what}", p.value),
                "use one of: aws, aws-cn, aws-us-gov",
            ),
        }
    }
    Account {
        key,
        id,
        region,
        partition,
        deploy_role,
    }
}

fn opt_string(
    r: &mut Reader,
    f: &Fields,
    key: &str,
    what: impl Display + Copy,
) -> Option<Sp<String>> {
    let node = f.get(key)?;
    r.string(node, format_args!("`{key}` of {what}"))
}

/// Like accounts, a malformed role is kept with only its key, so references to it resolve.
fn role(
    r: &mut Reader,
    key: Sp<String>,
    node: &Node,
    index: usize,
    files: &mut Vec<PolicyFileRef>,
) -> Role {
    let what = format!("role `{}`", key.value);
    let Some(f) = r.fields(node, &what, ROLE_KEYS) else {
        return Role {
            key,
            account: None,
            name: None,
            path: None,
            description: None,
            max_session_duration: None,
            permissions_boundary: None,
            managed_policies: Vec::new(),
            policies: Vec::new(),
            tags: Vec::new(),
            instance_profile: None,
            trusted_by: Vec::new(),
            accept_risks: Vec::new(),
        };
    };
    let mut role = Role {
        account: f
            .required(r, "account", &what)
            .and_then(|n| r.string(n, format_args!("`account` of {what}"))),
        name: f
            .required(r, "name", &what)
            .and_then(|n| r.string(n, format_args!("`name` of {what}"))),
        path: opt_string(r, &f, "path", &what),
        description: opt_string(r, &f, "description", &what),
        max_session_duration: f
            .get("max_session_duration")
            .and_then(|n| r.integer(n, format_args!("`max_session_duration` of {what}"))),
        permissions_boundary: opt_string(r, &f, "permissions_boundary", &what),
        managed_policies: Vec::new(),
        policies: Vec::new(),
        tags: f.get("tags").map(|n| tags(r, n)).unwrap_or_default(),
        instance_profile: None,
        trusted_by: Vec::new(),
        accept_risks: f
            .get("accept_risks")
            .map(|n| super::decode_seqera::accept_risks(r, n))
            .unwrap_or_default(),
        key,
    };
    if let Some(n) = f.get("managed_policies")
        && let Some(items) = r.seq(n, format_args!("`managed_policies` of {what}"))
    {
        role.managed_policies = items
            .iter()
            .filter_map(|item| r.string(item, "a managed policy ARN"))
            .collect();
    }
    if let Some(n) = f.get("instance_profile") {
        role.instance_profile = match &n.value {
            Value::Bool(true) => Some(r.sp(n, InstanceProfile::RoleName)),
            Value::Bool(false) => None,
            _ => r
                .string(n, format_args!("`instance_profile` of {what}"))
                .map(|s| Sp {
                    value: InstanceProfile::Named(s.value),
                    loc: s.loc,
                }),
        };
    }
    if let Some(n) = f.get("policies") {
        let entries = r.entries(n, format_args!("`policies` of {what}"));
        role.policies.reserve_exact(entries.len());
        for (name, body) in entries {
            let policy = role.policies.len();
            if let Some(p) = inline_policy(r, name, body, index, policy, files) {
                role.policies.push(p);
            }
        }
    }
    if let Some(n) = f.required(r, "trusted_by", &what)
        && let Some(items) = r.seq(n, format_args!("`trusted_by` of {what}"))
    {
        if items.is_empty() {
            r.error(
                n,
                format!("`trusted_by` of {what} is empty, so nothing could assume the role"),
                "add at least one entry such as `- service: ec2.amazonaws.com` or `- role: <role key>`",
            );
        }
        role.trusted_by = Vec::with_capacity(items.len());
        let trusts = items.iter().filter_map(|item| trust(r, item));
        role.trusted_by.extend(trusts);
    }
    role
}

fn inline_policy(
    r: &mut Reader,
    name: Sp<String>,
    node: &Node,
    role: usize,
    policy: usize,
    files: &mut Vec<PolicyFileRef>,
) -> Option<InlinePolicy> {
    let what = format_args!("policy `{}`", name.value);
    let f = r.fields(node, what, POLICY_KEYS)?;
    let mut statements = Vec::new();
    match (f.get("statements"), f.get("file")) {
        (Some(list), None) => {
            let items = r.seq(list, format_args!("`statements` of {what}"))?;
            if items.is_empty() {
                r.error(
                    list,
                    format!("{what} has no statements"),
                    "IAM rejects an empty policy; add a statement or remove the policy",
                );
            }
            statements.reserve_exact(items.len());
            for item in items {
                statements.extend(statement(r, item));
            }
        }
        (None, Some(path)) => {
            let path = r.string(path, format_args!("`file` of {what}"))?;
            files.push(PolicyFileRef { role, policy, path });
        }
        _ => {
            r.error(
                node,
                format!("{what} needs exactly one of `statements` or `file`"),
                "write the statements inline, or `file: policies/<name>.json`",
            );
            return None;
        }
    }
    Some(InlinePolicy { name, statements })
}

fn statement(r: &mut Reader, node: &Node) -> Option<Statement> {
    let what = "a policy statement";
    let f = r.fields(node, what, STATEMENT_KEYS)?;
    let mut list = |key: &str| {
        f.get(key)
            .map(|n| r.nonempty_strings(n, format_args!("`{key}` of {what}")))
            .unwrap_or_default()
    };
    let actions = list("actions");
    let not_actions = list("not_actions");
    let resources = list("resources");
    let not_resources = list("not_resources");
    let mut effect = Effect::Allow;
    if let Some(e) = opt_string(r, &f, "effect", what) {
        match e.value.as_str() {
            "Allow" => {}
            "Deny" => effect = Effect::Deny,
            other => r.error(
                f.get("effect")?,
                format!("unknown effect `{other}`"),
                "use Allow or Deny",
            ),
        }
    }
    let shape = [
        (
            "actions",
            "not_actions",
            f.has("actions"),
            f.has("not_actions"),
        ),
        (
            "resources",
            "not_resources",
            f.has("resources"),
            f.has("not_resources"),
        ),
    ];
    for (a, b, has_a, has_b) in shape {
        if has_a == has_b {
            r.error(
                node,
                format!("a policy statement needs exactly one of `{a}` or `{b}`"),
                format!(
                    "IAM accepts either `{a}` or `{b}` in a statement, not both and not neither"
                ),
            );
        }
    }
    Some(Statement {
        loc: r.loc(node),
        sid: opt_string(r, &f, "sid", what),
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        conditions: f
            .get("conditions")
            .map(|n| conditions(r, n))
            .unwrap_or_default(),
    })
}

fn conditions(r: &mut Reader, node: &Node) -> Vec<Condition> {
    let mut out = Vec::new();
    for (operator, keys) in r.entries(node, "`conditions`") {
        if !super::operators::is_condition_operator(&operator.value) {
            let message = format!("`{}` is not an IAM condition operator", operator.value);
            let hint = super::operators::hint(&operator.value);
            r.diags
                .push(crate::diag::Diagnostic::at(&operator.loc, message).hint(hint));
        }
        let what = format_args!("condition operator `{}`", operator.value);
        for (key, values) in r.entries(keys, what) {
            let values = condition_values(r, values, &key.value);
            out.push(Condition {
                operator: operator.clone(),
                key,
                values,
            });
        }
    }
    out
}

/// IAM compares condition values as strings, except booleans, which are safe to spell out.
fn condition_values(r: &mut Reader, node: &Node, key: &str) -> Vec<Sp<String>> {
    let one = |r: &mut Reader, n: &Node| match n.value {
        Value::Bool(b) => Some(r.sp(n, b.to_string())),
        _ => r.string(n, format_args!("a value of condition key `{key}`")),
    };
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| one(r, n)).collect(),
        _ => one(r, node).into_iter().collect(),
    }
}

fn trust(r: &mut Reader, node: &Node) -> Option<Trust> {
    let what = "a `trusted_by` entry";
    let f = r.fields(node, what, TRUST_KEYS)?;
    let present: Vec<&str> = PRINCIPAL_KEYS.into_iter().filter(|k| f.has(k)).collect();
    let mut principal = None;
    if present.len() == 1 {
        let kind = present[0];
        let n = f.get(kind)?;
        principal = match kind {
            "service" => r.string(n, "`service`").map(Principal::Service),
            "role" => r.string(n, "`role`").map(Principal::Role),
            "arn" => r.string(n, "`arn`").map(Principal::Arn),
            _ => account_id(r, n, "`account`").map(Principal::Account),
        };
    } else {
        let found = if present.is_empty() {
            "none".to_owned()
        } else {
            present.join(" and ")
        };
        r.error(
            node,
            format!("a `trusted_by` entry needs exactly one principal, found {found}"),
            "write one of `service:`, `role:`, `arn:` or `account:` per entry; use two entries for two principals",
        );
    }
    let external_id = f.get("external_id").and_then(|n| external_id(r, n));
    let session_tags = f
        .get("session_tags")
        .and_then(|n| r.bool(n, "`session_tags`"));
    Some(Trust {
        loc: r.loc(node),
        principal,
        external_id,
        session_tags,
        conditions: f
            .get("conditions")
            .map(|n| conditions(r, n))
            .unwrap_or_default(),
    })
}

fn external_id(r: &mut Reader, node: &Node) -> Option<ExternalId> {
    if let Value::Map(_) = node.value {
        let f = r.fields(node, "`external_id`", &["input"])?;
        let name = f.required(r, "input", "`external_id`")?;
        return r
            .string(name, "`input` of `external_id`")
            .map(ExternalId::Input);
    }
    let values = r.nonempty_strings(node, "`external_id`");
    (!values.is_empty()).then_some(ExternalId::Values(values))
}
