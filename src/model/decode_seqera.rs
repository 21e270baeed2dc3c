//! The model's `seqera:`, `limits:` and `accept_risks:` sections.

use super::node::Node;
use super::reader::Reader;
use super::types::*;

const SEQERA_KEYS: &[&str] = &["platform_role", "allow_instance_credentials", "credentials"];
const CREDENTIAL_KEYS: &[&str] = &["name", "workspace", "role"];
const LIMIT_KEYS: &[&str] = &[
    "trust_policy",
    "managed_policy",
    "inline_total",
    "managed_per_role",
];
const RISK_KEYS: &[&str] = &["rule", "reason"];

pub fn seqera(r: &mut Reader, node: &Node) -> Seqera {
    let what = "`seqera`";
    let mut seqera = Seqera {
        loc: r.loc(node),
        platform_role: None,
        allow_instance_credentials: r.sp(node, false),
        credentials: Vec::new(),
    };
    let Some(f) = r.fields(node, what, SEQERA_KEYS) else {
        return seqera;
    };
    seqera.platform_role = f
        .required(r, "platform_role", what)
        .and_then(|n| r.string(n, "`platform_role`"));
    if let Some(n) = f.get("allow_instance_credentials")
        && let Some(b) = r.bool(n, "`allow_instance_credentials`")
    {
        seqera.allow_instance_credentials = r.sp(n, b);
    }
    if let Some(n) = f.get("credentials")
        && let Some(items) = r.seq(n, "`credentials`")
    {
        for item in items {
            let Some(c) = r.fields(item, "a credential", CREDENTIAL_KEYS) else {
                continue;
            };
            let loc = r.loc(item);
            let mut required = |key: &str| {
                c.required(r, key, "a credential")
                    .and_then(|n| r.string(n, format_args!("`{key}` of a credential")))
            };
            let (name, workspace, role) =
                (required("name"), required("workspace"), required("role"));
            seqera.credentials.push(Credential {
                loc,
                name,
                workspace,
                role,
            });
        }
    }
    seqera
}

pub fn limits(r: &mut Reader, node: &Node) -> Limits {
    let mut limits = Limits::default();
    if let Some(f) = r.fields(node, "`limits`", LIMIT_KEYS) {
        let mut get = |key: &str| {
            f.get(key)
                .and_then(|n| r.integer(n, format_args!("`{key}` of `limits`")))
        };
        limits.trust_policy = get("trust_policy");
        limits.managed_policy = get("managed_policy");
        limits.inline_total = get("inline_total");
        limits.managed_per_role = get("managed_per_role");
    }
    limits
}

pub fn accept_risks(r: &mut Reader, node: &Node) -> Vec<AcceptedRisk> {
    let Some(items) = r.seq(node, "`accept_risks`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let what = "an `accept_risks` entry";
        let Some(f) = r.fields(item, what, RISK_KEYS) else {
            continue;
        };
        let rule = f
            .required(r, "rule", what)
            .and_then(|n| r.string(n, "`rule`"));
        let reason = f
            .required(r, "reason", what)
            .and_then(|n| r.string(n, "`reason`"));
        if let Some(reason) = &reason
            && reason.value.trim().is_empty()
            && let Some(n) = f.get("reason")
        {
            r.error(
                n,
                "an accepted risk needs a reason",
                "say why the risk is acceptable: it is kept on record in lint output",
            );
        }
        if let (Some(rule), Some(reason)) = (rule, reason) {
            out.push(AcceptedRisk { rule, reason });
        }
    }
    out
}
