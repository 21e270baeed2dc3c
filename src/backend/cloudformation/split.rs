//! Cutting an account's roles into stacks within CloudFormation's per-stack quotas: 500
//! resources, 200 parameters, 200 outputs. An account that fits keeps one template,
//! `<account>.yaml`, with its roles in model order. A larger one gets `<account>.yaml`,
//! `<account>-2.yaml`, …, filled in an order where a role trusted by another role of the
//! account comes first, so that deploying the parts in order creates every trusted role
//! before the trust policy that names it. A role's resources (the role, its instance
//! profile and its `-assume` policies) always stay in one stack.

use std::collections::BTreeSet;

use super::limits;
use crate::ir::{AccountIdx, Graph, Role, RoleIdx, Text};

pub struct Stack {
    pub account: AccountIdx,
    /// 0 for `<account>.yaml`, 1 for `<account>-2.yaml`, …
    pub part: usize,
    pub roles: Vec<RoleIdx>,
}

/// Every stack, accounts in model order and each account's parts in deploy order.
pub struct Stacks {
    pub stacks: Vec<Stack>,
    /// The index in `stacks` of each role's stack (`usize::MAX` for a role in a StackSet).
    pub stack_of: Vec<usize>,
    /// Each account's stacks, which are adjacent in `stacks`: looked up per stack, so a
    /// scan of all stacks would be quadratic in the accounts.
    by_account: Vec<std::ops::Range<usize>>,
}

impl Stacks {
    /// The stacks of one account, in the order to deploy them.
    pub fn of(&self, account: AccountIdx) -> impl Iterator<Item = (usize, &Stack)> {
        let range = self.by_account[account.0].clone();
        range.clone().zip(&self.stacks[range])
    }
}

/// What one role adds to a stack.
struct Cost<'g> {
    resources: usize,
    outputs: usize,
    inputs: BTreeSet<&'g str>,
}

fn cost(graph: &Graph, idx: RoleIdx) -> Cost<'_> {
    let (resources, outputs) = resources_and_outputs(graph.role(idx));
    let inputs = graph
        .inputs_of(std::iter::once(idx))
        .into_iter()
        .map(|i| i.name.as_str())
        .collect();
    Cost {
        resources,
        outputs,
        inputs,
    }
}

/// A role's resources (itself, its instance profile, its `-assume` policies) and outputs
/// (its ARN, its instance profile's name).
fn resources_and_outputs(role: &Role) -> (usize, usize) {
    let profile = usize::from(role.instance_profile.is_some());
    (1 + profile + role.assume.len(), 1 + profile)
}

/// The stacks of every account, leaving out the roles `elsewhere` marks (deployed by a
/// StackSet); an account left without roles gets no stack.
pub fn split(graph: &Graph, elsewhere: &[bool]) -> Stacks {
    let mut stacks = Vec::with_capacity(graph.accounts.len());
    let mut stack_of = vec![usize::MAX; graph.roles.len()];
    let mut by_account = Vec::with_capacity(graph.accounts.len());
    for account in graph.account_indices() {
        let first = stacks.len();
        let roles: Vec<RoleIdx> = graph
            .roles_in(account)
            .map(|(i, _)| i)
            .filter(|i| !elsewhere[i.0])
            .collect();
        // In model order when one stack holds them all; otherwise in trust order.
        let parts = if roles.is_empty() {
            Vec::new()
        } else if surely_fits(graph, &roles) {
            vec![roles]
        } else {
            let costs: Vec<Cost> = roles.iter().map(|&r| cost(graph, r)).collect();
            let parts = fill(&roles, &costs, 0..roles.len());
            if parts.len() > 1 {
                fill(&roles, &costs, trust_order(graph, &roles))
            } else {
                parts
            }
        };
        for (part, roles) in parts.into_iter().enumerate() {
            for r in &roles {
                stack_of[r.0] = stacks.len();
            }
            stacks.push(Stack {
                account,
                part,
                roles,
            });
        }
        by_account.push(first..stacks.len());
    }
    Stacks {
        stacks,
        stack_of,
        by_account,
    }
}

/// Whether `roles` fit one stack by their totals alone, counting every input each role
/// names (a shared input counts more than once, so the count is never too low): what
/// `fill` would find, without the sets it builds, for the usual account far below the
/// quotas.
fn surely_fits(graph: &Graph, roles: &[RoleIdx]) -> bool {
    let (mut resources, mut outputs, mut inputs) = (0, 0, 0);
    for &idx in roles {
        let role = graph.role(idx);
        let (r, o) = resources_and_outputs(role);
        resources += r;
        outputs += o;
        inputs += role.trust_inputs().count();
    }
    resources <= limits::RESOURCES && outputs <= limits::OUTPUTS && inputs <= limits::PARAMETERS
}

/// Greedy: the roles at the positions `order` gives, a new part whenever the next role
/// would break a quota. Running totals keep it linear. No roles, no parts.
fn fill(
    roles: &[RoleIdx],
    costs: &[Cost],
    order: impl IntoIterator<Item = usize>,
) -> Vec<Vec<RoleIdx>> {
    let mut parts: Vec<Vec<RoleIdx>> = Vec::new();
    let mut current: Vec<RoleIdx> = Vec::new();
    let (mut resources, mut outputs, mut inputs) = (0, 0, BTreeSet::new());
    for i in order {
        let c = &costs[i];
        let new_inputs = c.inputs.iter().filter(|n| !inputs.contains(*n)).count();
        let fits = resources + c.resources <= limits::RESOURCES
            && outputs + c.outputs <= limits::OUTPUTS
            && inputs.len() + new_inputs <= limits::PARAMETERS;
        if !fits && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            (resources, outputs, inputs) = (0, 0, BTreeSet::new());
        }
        current.push(roles[i]);
        resources += c.resources;
        outputs += c.outputs;
        inputs.extend(c.inputs.iter().copied());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Positions in `roles` (one account's) ordered so that a role comes after every role of
/// the account its trust policy names; otherwise in model order. The graph has no trust
/// cycles (validation rejects them), so every role gets a place.
fn trust_order(graph: &Graph, roles: &[RoleIdx]) -> Vec<usize> {
    let positions: std::collections::BTreeMap<RoleIdx, usize> =
        roles.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let position = |r: RoleIdx| positions.get(&r).copied();
    let mut waits: Vec<usize> = vec![0; roles.len()];
    let mut unblocks: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
    for (i, &r) in roles.iter().enumerate() {
        let named: BTreeSet<usize> = graph
            .role(r)
            .trust_policy
            .statements
            .iter()
            .flat_map(|s| &s.principals)
            .flat_map(|p| &p.ids)
            .filter_map(|id| match id {
                Text::RoleArn(source) if *source != r => position(*source),
                _ => None,
            })
            .collect();
        waits[i] = named.len();
        for n in named {
            unblocks[n].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..roles.len()).filter(|&i| waits[i] == 0).collect();
    let mut order = Vec::with_capacity(roles.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &w in &unblocks[next] {
            waits[w] -= 1;
            if waits[w] == 0 {
                ready.insert(w);
            }
        }
    }
    order
}
