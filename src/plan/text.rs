//! `rolegraph plan` for people: each account's resources, who each role trusts and on
//! what condition, and what is attached. The JSON form carries the full documents.

use std::fmt::Write;

use serde_json::Value;

use super::Plan;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let count = |f: fn(&super::AccountIam) -> usize| -> usize {
        plan.accounts.values().map(|a| f(&a.iam)).sum()
    };
    let _ = writeln!(
        out,
        "Model {} deploys {}, {}, {} and {} into {}.",
        plan.model,
        count_of(count(|a| a.roles.len()), "role", "roles"),
        count_of(
            count(|a| a.roles.values().map(|r| r.inline_policies.len()).sum()),
            "inline policy",
            "inline policies"
        ),
        count_of(
            count(|a| a.managed_policies.len()),
            "managed policy",
            "managed policies"
        ),
        count_of(
            count(|a| a.instance_profiles.len()),
            "instance profile",
            "instance profiles"
        ),
        count_of(plan.accounts.len(), "account", "accounts"),
    );
    if let Some(order) = &plan.deploy_order {
        let _ = writeln!(out, "Deploy order: {}.", order.join(", "));
    }
    let keys: Vec<&String> = match &plan.deploy_order {
        Some(order) => order.iter().collect(),
        None => plan.accounts.keys().collect(),
    };
    for key in keys {
        let Some(account) = plan.accounts.get(key) else {
            continue;
        };
        let _ = writeln!(
            out,
            "\naccount {key} ({}, partition {}, region {})",
            account.id, account.partition, account.region
        );
        for (name, role) in &account.iam.roles {
            // Every field, without `..`: a new one does not compile until the text shows
            // it (or names it as left to `--format json`).
            let super::RoleState {
                arn,
                max_session_duration,
                permissions_boundary,
                trust_policy,
                attached_policies,
                inline_policies,
                // In the ARN.
                path: _,
                description,
                tags,
            } = role;
            let _ = writeln!(out, "  role {name}");
            let _ = writeln!(out, "    arn          {arn}");
            if let Some(description) = description {
                let _ = writeln!(out, "    description  {description}");
            }
            if !tags.is_empty() {
                let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let _ = writeln!(out, "    tags         {}", tags.join(", "));
            }
            if *max_session_duration != super::DEFAULT_MAX_SESSION_DURATION {
                let _ = writeln!(out, "    sessions     {max_session_duration} s");
            }
            if let Some(boundary) = permissions_boundary {
                let _ = writeln!(out, "    boundary     {boundary}");
            }
            for statement in statements(trust_policy) {
                let _ = writeln!(out, "    trust        {}", statement_line(statement));
            }
            for arn in attached_policies {
                let _ = writeln!(out, "    attached     {arn}");
            }
            for (policy, doc) in inline_policies {
                let _ = writeln!(out, "    inline       {policy}");
                for statement in statements(doc) {
                    let _ = writeln!(out, "      {}", statement_line(statement));
                }
            }
        }
        for (name, profile) in &account.iam.instance_profiles {
            let _ = writeln!(
                out,
                "  instance profile {name} (role {})",
                profile.roles.join(", ")
            );
        }
        for (name, policy) in &account.iam.managed_policies {
            let _ = writeln!(out, "  managed policy {name}");
            if let Some(description) = &policy.description {
                let _ = writeln!(out, "    description  {description}");
            }
            for statement in statements(&policy.document) {
                let _ = writeln!(out, "    {}", statement_line(statement));
            }
        }
    }
    out
}

fn statements(doc: &Value) -> &[Value] {
    doc.get("Statement")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn strings(value: Option<&Value>) -> String {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// One statement on one line, every element of it shown: `Allow sts:AssumeRole by AWS
/// arn:… if StringEquals sts:ExternalId = x`, `Allow s3:GetObject on arn:…`,
/// `Allow all but iam:* on all but arn:…`.
fn statement_line(statement: &Value) -> String {
    let mut line = strings(statement.get("Effect"));
    if let Some(sid) = statement.get("Sid") {
        line = format!("[{}] {line}", strings(Some(sid)));
    }
    if let Some(actions) = statement.get("Action") {
        let _ = write!(line, " {}", strings(Some(actions)));
    }
    if let Some(actions) = statement.get("NotAction") {
        let _ = write!(line, " all but {}", strings(Some(actions)));
    }
    for (key, prefix) in [("Principal", "by"), ("NotPrincipal", "by all but")] {
        match statement.get(key) {
            Some(Value::Object(principals)) => {
                for (kind, ids) in principals {
                    let _ = write!(line, " {prefix} {kind} {}", strings(Some(ids)));
                }
            }
            Some(other) => {
                let _ = write!(line, " {prefix} {}", strings(Some(other)));
            }
            None => {}
        }
    }
    if let Some(resources) = statement.get("Resource") {
        let _ = write!(line, " on {}", strings(Some(resources)));
    }
    if let Some(resources) = statement.get("NotResource") {
        let _ = write!(line, " on all but {}", strings(Some(resources)));
    }
    if let Some(Value::Object(operators)) = statement.get("Condition") {
        for (op, keys) in operators {
            if let Value::Object(keys) = keys {
                for (key, values) in keys {
                    let _ = write!(line, " if {op} {key} = {}", strings(Some(values)));
                }
            }
        }
    }
    line
}

fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
