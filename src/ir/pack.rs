//! Packing one source role's AssumeRole grants into managed policies. A hub that assumes
//! a thousand roles needs about 60,000 characters of grants, and a managed policy holds
//! 6,144. The grants are cut, in ARN order, into consecutive runs that each fill a policy
//! as far as it goes. Every ARN lands in exactly one policy, so the policies together
//! allow exactly the roles the model lists: splitting never widens a grant.

use super::size::policy_chars_with;
use super::{ASSUME_ROLE, PolicyDocument, RoleIdx, Statement, TAG_SESSION, Text};

/// One target role of a source role's grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub target: RoleIdx,
    /// Whether the edge passes session tags, which needs `sts:TagSession` as well.
    pub session_tags: bool,
}

/// The grant document of `grants`: `sts:AssumeRole` on every target, and
/// `sts:TagSession` on those that pass session tags.
pub fn document(grants: &[Grant]) -> PolicyDocument {
    let mut assume = Statement::allow(vec![ASSUME_ROLE.to_owned()]);
    assume.sid = Some("AssumeRole".to_owned());
    let mut tag = Statement::allow(vec![TAG_SESSION.to_owned()]);
    tag.sid = Some("TagSession".to_owned());
    for g in grants {
        assume.resources.push(Text::RoleArn(g.target));
        if g.session_tags {
            tag.resources.push(Text::RoleArn(g.target));
        }
    }
    let mut statements = vec![assume];
    if !tag.resources.is_empty() {
        statements.push(tag);
    }
    PolicyDocument { statements }
}

/// A single grant is larger than the managed-policy quota allows (only possible with a
/// lowered `limits: managed_policy`): the characters it needs alone.
#[derive(Debug, PartialEq, Eq)]
pub struct TooSmall(pub usize);

/// `grants`, in the order given (sorted by ARN), cut into as few documents of at most
/// `limit` characters as a greedy fill gives. `arn_chars` is the size of a target's ARN as
/// a JSON string. Linear: each step adds the few characters one ARN costs, and a whole
/// document is measured only when a run starts or gains its `TagSession` statement.
pub fn pack(
    grants: &[Grant],
    limit: usize,
    arn_chars: &dyn Fn(RoleIdx) -> usize,
) -> Result<Vec<PolicyDocument>, TooSmall> {
    let measure = |run: &[Grant]| policy_chars_with(&document(run), arn_chars);
    let mut documents = Vec::new();
    let mut start = 0;
    while start < grants.len() {
        let mut end = start + 1;
        let mut size = measure(&grants[start..end]);
        if size > limit {
            return Err(TooSmall(size));
        }
        let mut tagged = grants[start].session_tags;
        while let Some(next) = grants.get(end) {
            // One more ARN in a list costs its characters and a comma.
            let item = arn_chars(next.target) + 1;
            let grown = match (next.session_tags, tagged) {
                (false, _) => size + item,
                (true, true) => size + 2 * item,
                (true, false) => measure(&grants[start..=end]),
            };
            if grown > limit {
                break;
            }
            size = grown;
            tagged |= next.session_tags;
            end += 1;
        }
        debug_assert_eq!(size, measure(&grants[start..end]));
        documents.push(document(&grants[start..end]));
        start = end;
    }
    Ok(documents)
}

/// The name of the `n`th (from 0) policy of a role's grants.
pub fn policy_name(role_name: &str, n: usize) -> String {
    super::numbered(&format!("{role_name}-assume"), "-", n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ARN sizes (quotes included) that vary like real ones, from
    /// `arn:aws:iam::123456789012:role/Target` to longer names and paths.
    fn arn_chars(r: RoleIdx) -> usize {
        40 + (r.0 * 7919) % 20
    }

    fn grants(n: usize, tag_every: usize) -> Vec<Grant> {
        (0..n)
            .map(|i| Grant {
                target: RoleIdx(i),
                session_tags: tag_every > 0 && i % tag_every == 0,
            })
            .collect()
    }

    fn resources(doc: &PolicyDocument, action: &str) -> Vec<RoleIdx> {
        doc.statements
            .iter()
            .filter(|s| s.actions == [action])
            .flat_map(|s| &s.resources)
            .map(|t| match t {
                Text::RoleArn(r) => *r,
                other => panic!("unexpected resource {other:?}"),
            })
            .collect()
    }

    /// Every packing allows exactly the grants it was given, no more: each target once,
    /// `sts:AssumeRole` on all of them and `sts:TagSession` on exactly the tagged ones;
    /// every document within the limit; and every cut necessary (the next grant would not
    /// have fit).
    #[test]
    fn packing_allows_exactly_the_listed_roles_within_the_limit() {
        for (n, tag_every, limit) in [
            (1, 0, 6144),
            (1000, 0, 6144),
            (1000, 3, 6144),
            (1000, 1, 6144),
            (257, 5, 2000),
            (40, 2, 400),
            (40, 0, 200),
        ] {
            let input = grants(n, tag_every);
            let docs = pack(&input, limit, &arn_chars).unwrap();
            let assumed: Vec<RoleIdx> = docs
                .iter()
                .flat_map(|d| resources(d, ASSUME_ROLE))
                .collect();
            let tagged: Vec<RoleIdx> = docs
                .iter()
                .flat_map(|d| resources(d, TAG_SESSION))
                .collect();
            let want: Vec<RoleIdx> = input.iter().map(|g| g.target).collect();
            let want_tagged: Vec<RoleIdx> = input
                .iter()
                .filter(|g| g.session_tags)
                .map(|g| g.target)
                .collect();
            assert_eq!(assumed, want, "n={n} limit={limit}");
            assert_eq!(tagged, want_tagged, "n={n} limit={limit}");
            let mut offset = 0;
            for doc in &docs {
                let size = policy_chars_with(doc, &arn_chars);
                assert!(size <= limit, "{size} > {limit}");
                let end = offset + resources(doc, ASSUME_ROLE).len();
                if end < n {
                    let with_next = document(&input[offset..=end]);
                    assert!(policy_chars_with(&with_next, &arn_chars) > limit);
                }
                offset = end;
            }
        }
    }

    #[test]
    fn a_thousand_targets_fit_ten_default_policies() {
        // 1,000 ARNs of about 70 characters: the hub.
        let docs = pack(&grants(1000, 0), 6144, &arn_chars).unwrap();
        assert!(docs.len() <= 10, "{} policies", docs.len());
    }

    #[test]
    fn a_grant_larger_than_the_limit_is_reported() {
        let one = grants(1, 1);
        let size = policy_chars_with(&document(&one), &arn_chars);
        assert_eq!(pack(&one, size, &arn_chars).map(|d| d.len()), Ok(1));
        assert_eq!(pack(&one, size - 1, &arn_chars), Err(TooSmall(size)));
    }

    #[test]
    fn names_count_from_the_second_policy() {
        assert_eq!(policy_name("Hub", 0), "Hub-assume");
        assert_eq!(policy_name("Hub", 1), "Hub-assume-2");
        assert_eq!(policy_name("Hub", 9), "Hub-assume-10");
    }
}
