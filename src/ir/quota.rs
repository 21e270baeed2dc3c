//! AWS's IAM quotas on policy sizes and counts, checked on the resolved graph: a model
//! that breaks one fails here with the numbers, not at `apply` time. Sizes are counted
//! as IAM counts them (see `size`), each deploy-time input as `INPUT_CHARS`.

use super::build::Builder;
use super::size::{INPUT_CHARS, policy_chars};
use super::{Graph, RoleIdx};
use crate::diag::Diagnostic;
use crate::model::Sp;

/// The quotas in force for a model: AWS's defaults, or the model's `limits:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub trust_policy: usize,
    pub managed_policy: usize,
    pub inline_total: usize,
    pub managed_per_role: usize,
}

struct Quota {
    key: &'static str,
    default: usize,
    max: usize,
    /// Why `max` is the ceiling, for the error.
    ceiling: &'static str,
}

const TRUST_POLICY: Quota = Quota {
    key: "trust_policy",
    default: 2048,
    max: 4096,
    ceiling: "AWS allows at most 4096 characters, after a quota raise",
};
const MANAGED_POLICY: Quota = Quota {
    key: "managed_policy",
    default: 6144,
    max: 6144,
    ceiling: "a managed policy holds at most 6144 characters, and AWS does not raise that",
};
const INLINE_TOTAL: Quota = Quota {
    key: "inline_total",
    default: 10240,
    max: 10240,
    ceiling: "a role's inline policies hold at most 10240 characters together, and AWS does not raise that",
};
const MANAGED_PER_ROLE: Quota = Quota {
    key: "managed_per_role",
    default: 10,
    max: 20,
    ceiling: "AWS allows at most 20 managed policies per role, after a quota raise",
};

impl Default for Limits {
    fn default() -> Self {
        Limits {
            trust_policy: TRUST_POLICY.default,
            managed_policy: MANAGED_POLICY.default,
            inline_total: INLINE_TOTAL.default,
            managed_per_role: MANAGED_PER_ROLE.default,
        }
    }
}

impl Limits {
    /// Whether AWS can raise the trust-policy quota above the one in force.
    pub fn trust_policy_raisable(&self) -> bool {
        self.trust_policy < TRUST_POLICY.max
    }
}

/// The model's `limits:`, each checked against AWS's ceiling.
pub(super) fn limits(b: &mut Builder) -> Limits {
    let model: &crate::model::Model = b.model;
    let model = &model.limits;
    let mut resolve = |quota: &Quota, value: &Option<Sp<u64>>| {
        let Some(value) = value else {
            return quota.default;
        };
        if (1..=quota.max as u64).contains(&value.value) {
            return value.value as usize;
        }
        b.error(
            &value.loc,
            format!("{} limit {} is out of range", quota.key, value.value),
            format!("{}; the default is {}", quota.ceiling, quota.default),
        );
        quota.default
    };
    Limits {
        trust_policy: resolve(&TRUST_POLICY, &model.trust_policy),
        managed_policy: resolve(&MANAGED_POLICY, &model.managed_policy),
        inline_total: resolve(&INLINE_TOTAL, &model.inline_total),
        managed_per_role: resolve(&MANAGED_PER_ROLE, &model.managed_per_role),
    }
}

/// Every role's trust policy, inline policies and managed-policy count against the
/// quotas. (Each generated `-assume` policy fits its quota by construction: see `pack`.)
pub fn check(graph: &Graph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let limits = &graph.limits;
    for (i, role) in graph.roles.iter().enumerate() {
        let idx = RoleIdx(i);
        let size = policy_chars(graph, &role.trust_policy);
        if size > limits.trust_policy {
            out.push(trust_too_big(graph, idx, size));
        }
        let inline: usize = role
            .inline_policies
            .iter()
            .map(|p| policy_chars(graph, &p.document))
            .sum();
        if inline > limits.inline_total {
            let message = format!(
                "the inline policies of role `{}` are {inline} characters together (whitespace not counted); the quota is {}",
                role.key, limits.inline_total
            );
            let loc = role.inline_policies.first().map_or(&role.loc, |p| &p.loc);
            out.push(Diagnostic::at(loc, message).hint(
                "move some statements into a customer-managed policy of their own and attach its ARN with `managed_policies`",
            ));
        }
        let attached = role.managed_policies.len();
        let generated = role.assume.len();
        if attached + generated > limits.managed_per_role {
            out.push(too_many_managed(graph, idx, attached));
        }
    }
    out
}

fn trust_too_big(graph: &Graph, idx: RoleIdx, size: usize) -> Diagnostic {
    let role = graph.role(idx);
    let limit = graph.limits.trust_policy;
    let message = format!(
        "the trust policy of role `{}` is {size} characters (whitespace not counted, each deploy-time External ID counted as {INPUT_CHARS}); the quota is {limit}",
        role.key
    );
    let hint = if graph.limits.trust_policy_raisable() {
        "trust fewer principals, or raise the quota with AWS and set `limits: { trust_policy: 4096 }`"
    } else {
        "trust fewer principals: 4096 characters is the most AWS allows"
    };
    Diagnostic::at(&role.loc, message).hint(hint)
}

fn too_many_managed(graph: &Graph, idx: RoleIdx, attached: usize) -> Diagnostic {
    let role = graph.role(idx);
    let limits = &graph.limits;
    let policies = &role.assume;
    let grant_chars: usize = policies
        .iter()
        .map(|p| policy_chars(graph, &p.document))
        .sum();
    let targets: usize = policies
        .iter()
        .flat_map(|p| p.document.statements.first())
        .map(|s| s.resources.len())
        .sum();
    let room = limits.managed_per_role.saturating_sub(attached);
    let message = format!(
        "role `{}` needs {} managed policies, {attached} from `managed_policies` and {} to grant sts:AssumeRole on {targets} roles ({grant_chars} characters, at most {} per policy); the quota is {} per role, which leaves room for {} characters of grants",
        role.key,
        attached + policies.len(),
        policies.len(),
        limits.managed_policy,
        limits.managed_per_role,
        room * limits.managed_policy,
    );
    let raise = if limits.managed_per_role < MANAGED_PER_ROLE.max {
        "raise the quota with AWS (up to 20) and set `limits: { managed_per_role: 20 }`, or "
    } else {
        ""
    };
    let hint = format!(
        "{raise}spread the target roles over more source roles. Granting on a common path such as `/seqera/*` would fit in one policy but allows every role under that path; rolegraph grants only the exact ARNs the model lists"
    );
    Diagnostic::at(&role.loc, message).hint(hint)
}
