//! Which trust entries become the model's `role:` edges. An entry that names an imported
//! role holding a pure grant on the trusting role becomes an edge (source, target), unless
//! it would close a cycle (the model rejects those: IAM needs the trusted role first).
//! Entries are taken in order, so the first of a cycle's edges win.
//!
//! An account's roles may come from someone else's hands, 100,000 of them in one chain:
//! an edge can close a cycle only inside a strongly connected component of all the
//! candidate edges, so only those edges are checked by a search, and only among their own
//! component. A chain has no such component, and costs one pass.

use std::collections::BTreeSet;

use super::build::Kept;
use super::grants;
use super::trust::{self, Who};
use crate::live;

pub(super) fn choose(
    accounts: &[live::Account],
    kept: &[Kept],
    trusts: &[trust::Trust],
) -> Vec<(usize, usize)> {
    let candidates = candidates(accounts, kept, trusts);
    let component = components(kept.len(), &candidates);
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    // Chosen edges inside a component, by source: the only ones a cycle can use.
    let mut inside: Vec<Vec<usize>> = vec![Vec::new(); kept.len()];
    for (source, target) in candidates {
        if component[source] == component[target] {
            if source == target || reaches(&inside, target, source) {
                continue;
            }
            inside[source].push(target);
        }
        chosen.push((source, target));
    }
    chosen
}

/// Every (source, target) that a trust entry and a grant support, in the order of the
/// trusts and their entries, each once.
fn candidates(
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
    let mut seen = BTreeSet::new();
    let mut edges = Vec::new();
    for (target, t) in trusts.iter().enumerate() {
        for entry in &t.entries {
            let Who::Role(source, _) = entry.who else {
                continue;
            };
            if granted[source].contains(&kept[target].role.arn) && seen.insert((source, target)) {
                edges.push((source, target));
            }
        }
    }
    edges
}

/// Whether `from` reaches `to` along the edges of `next` (targets by source).
fn reaches(next: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node) {
            stack.extend(&next[node]);
        }
    }
    false
}

/// The strongly connected component of each of `nodes` nodes under `edges`, numbered
/// from 0 (Tarjan's algorithm, without recursion: a chain may be 100,000 roles long).
fn components(nodes: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for &(source, target) in edges {
        next[source].push(target);
    }
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; nodes];
    let mut low = vec![0; nodes];
    let mut on_stack = vec![false; nodes];
    let mut component = vec![UNSEEN; nodes];
    let (mut counter, mut components) = (0, 0);
    let mut stack = Vec::new();
    for start in 0..nodes {
        if index[start] != UNSEEN {
            continue;
        }
        // (node, how many of its edges have been followed)
        let mut path = vec![(start, 0)];
        index[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (node, ref mut followed)) = path.last_mut() {
            if let Some(&target) = next[node].get(*followed) {
                *followed += 1;
                if index[target] == UNSEEN {
                    index[target] = counter;
                    low[target] = counter;
                    counter += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    path.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            path.pop();
            if let Some(&(parent, _)) = path.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = components;
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_a_chain_are_apart_and_a_cycle_is_one() {
        let chain = components(4, &[(0, 1), (1, 2), (2, 3)]);
        let distinct: BTreeSet<_> = chain.iter().collect();
        assert_eq!(distinct.len(), 4);
        let c = components(5, &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)]);
        assert!(c[0] == c[1] && c[1] == c[2]);
        assert!(c[3] != c[0] && c[4] != c[3] && c[4] != c[0]);
        let self_loop = components(2, &[(0, 0), (0, 1)]);
        assert_ne!(self_loop[0], self_loop[1]);
    }

    #[test]
    fn reaches_follows_edges_only_forwards() {
        let next = vec![vec![1], vec![2], vec![], vec![0]];
        assert!(reaches(&next, 0, 2));
        assert!(!reaches(&next, 2, 0));
        assert!(reaches(&next, 3, 2));
    }
}
