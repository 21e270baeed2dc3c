//! Random valid models for the property test of tests/integration/cloud_equivalence.rs. A model is a
//! pure function of its seed, so a failure is replayed with ROLEGRAPH_PROPTEST_SEED.
//!
//! Validity is built in, not filtered for: role trust only points at roles generated
//! earlier in an account not later in the list, so there are no trust cycles and every
//! CloudFormation deploy order exists; names are unique per account; nothing trips a
//! lint error (no wildcard principal, no `*` action, no iam:PassRole).

use std::fmt::Write;

/// splitmix64: tiny, good enough for test inputs, and no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }

    /// A few distinct items, in the order they were drawn.
    pub fn some<'a, T>(&mut self, items: &'a [T], lo: usize, hi: usize) -> Vec<&'a T> {
        let mut indices: Vec<usize> = (0..items.len()).collect();
        let n = self.range(lo, hi.min(items.len()));
        (0..n)
            .map(|_| {
                let i = self.range(0, indices.len() - 1);
                &items[indices.swap_remove(i)]
            })
            .collect()
    }
}

const REGIONS: [Option<&str>; 4] = [
    None,
    Some("us-east-1"),
    Some("eu-west-1"),
    Some("ap-southeast-2"),
];
const PATHS: [&str; 5] = ["/", "/", "/team/", "/seqera/", "/a/b-c_d/"];
const SERVICES: [&str; 4] = [
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "batch.amazonaws.com",
];
const AWS_POLICIES: [&str; 3] = [
    "ReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonSSMManagedInstanceCore",
];
const ACTIONS: [&str; 8] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "logs:PutLogEvents",
    "batch:SubmitJob",
    "ec2:Describe*",
    "sts:GetCallerIdentity",
    "kms:Decrypt",
];
const RESOURCES: [&str; 5] = [
    "*",
    "arn:{p}:s3:::data-bucket",
    "arn:{p}:s3:::data-bucket/home/${aws:username}/*",
    "arn:{p}:logs:*:*:log-group:/rolegraph/*",
    "arn:{p}:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000000",
];
/// Strings that YAML 1.1, HCL templates or shells treat specially.
const DESCRIPTIONS: [&str; 7] = [
    "Plain description",
    "yes",
    "2012-10-17",
    "Has ${interpolation} and %{directive}",
    "Quotes \\\"here\\\" and a \\\\ backslash",
    "a: b # not a comment",
    "0123",
];

/// A model as YAML text.
pub fn model(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let partition = if rng.chance(15) { "aws-us-gov" } else { "aws" };
    let accounts = rng.range(1, 5);
    // Every account needs a role (an empty stack is an error), so at least one each.
    let roles = rng.range(accounts, 8);
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# random model, seed {seed}\nversion: 1\nname: random-{seed}"
    );
    if rng.chance(50) {
        let _ = writeln!(y, "tags:\n  ManagedBy: rolegraph\n  Seed: \"{seed}\"");
    }
    let _ = writeln!(y, "accounts:");
    let account_ids: Vec<String> = (0..accounts)
        .map(|a| {
            format!(
                "{:012}",
                100_000_000_000 + a as u64 * 1_111_111 + seed % 1000
            )
        })
        .collect();
    for (a, id) in account_ids.iter().enumerate() {
        let _ = writeln!(y, "  acct-{a}:\n    id: \"{id}\"");
        if partition != "aws" {
            let _ = writeln!(y, "    partition: {partition}");
            if rng.chance(50) {
                let _ = writeln!(y, "    region: us-gov-east-1");
            }
        } else if let Some(region) = rng.pick(&REGIONS) {
            let _ = writeln!(y, "    region: {region}");
        }
    }
    // Roles sorted by account, so "earlier" means an earlier account or an earlier role
    // of the same one: trust along that order has no cycles, within or across accounts.
    let mut owners: Vec<usize> = (0..roles)
        .map(|r| {
            if r < accounts {
                r
            } else {
                rng.range(0, accounts - 1)
            }
        })
        .collect();
    owners.sort();
    let mut inputs = 0;
    let _ = writeln!(y, "roles:");
    for (r, &account) in owners.iter().enumerate() {
        let _ = writeln!(
            y,
            "  role-{r}:\n    account: acct-{account}\n    name: Rg{r}-{}",
            rng.next() % 10_000
        );
        let path = rng.pick(&PATHS);
        if *path != "/" || rng.chance(30) {
            let _ = writeln!(y, "    path: {path}");
        }
        if rng.chance(40) {
            let _ = writeln!(y, "    description: \"{}\"", rng.pick(&DESCRIPTIONS));
        }
        if rng.chance(30) {
            let _ = writeln!(
                y,
                "    max_session_duration: {}",
                3600 + 1800 * rng.range(0, 10)
            );
        }
        if rng.chance(20) {
            let _ = writeln!(
                y,
                "    permissions_boundary: arn:{partition}:iam::aws:policy/PowerUserAccess"
            );
        }
        if partition == "aws" && rng.chance(40) {
            let _ = writeln!(y, "    managed_policies:");
            for name in rng.some(&AWS_POLICIES, 1, 2) {
                let _ = writeln!(y, "      - arn:aws:iam::aws:policy/{name}");
            }
        }
        if rng.chance(40) {
            let _ = writeln!(y, "    tags:\n      Team: t{}", rng.range(1, 3));
            if rng.chance(50) {
                let _ = writeln!(y, "      ManagedBy: \"override-{r}\"");
            }
        }
        if rng.chance(25) {
            if rng.chance(50) {
                let _ = writeln!(y, "    instance_profile: true");
            } else {
                let _ = writeln!(y, "    instance_profile: Profile-{r}");
            }
        }
        if rng.chance(60) {
            let _ = writeln!(y, "    policies:");
            for p in 0..rng.range(1, 2) {
                let _ = writeln!(y, "      policy-{p}:\n        statements:");
                for s in 0..rng.range(1, 3) {
                    statement(&mut y, &mut rng, partition, s);
                }
            }
        }
        let _ = writeln!(y, "    trusted_by:");
        let earlier: Vec<usize> = (0..r).collect();
        let mut kinds = rng.some(&["service", "role", "arn", "account"], 1, 3);
        if earlier.is_empty() {
            kinds.retain(|k| **k != "role");
            if kinds.is_empty() {
                kinds.push(&"service");
            }
        }
        for kind in kinds {
            match *kind {
                "service" => {
                    let _ = writeln!(y, "      - service: {}", rng.pick(&SERVICES));
                }
                "role" => {
                    let source = *rng.pick(&earlier);
                    let _ = writeln!(y, "      - role: role-{source}");
                }
                "arn" => {
                    let _ = writeln!(
                        y,
                        "      - arn: arn:{partition}:iam::{:012}:role/external/Caller{}",
                        400_000_000_000u64 + seed % 1000,
                        rng.range(1, 3)
                    );
                }
                _ => {
                    let _ = writeln!(
                        y,
                        "      - account: \"{:012}\"\n        conditions:\n          ArnEquals:\n            aws:PrincipalArn: arn:{partition}:iam::{:012}:role/Auditor",
                        500_000_000_000u64 + seed % 1000,
                        500_000_000_000u64 + seed % 1000
                    );
                }
            }
            if *kind != "service" && rng.chance(60) {
                if rng.chance(50) {
                    let _ = writeln!(y, "        external_id: {{ input: ext_id_{inputs} }}");
                    inputs += 1;
                } else {
                    let _ = writeln!(
                        y,
                        "        external_id: [ext-{}-a, \"ext:{r}/b\"]",
                        rng.next() % 1000
                    );
                }
            }
            if (*kind == "role" || *kind == "arn") && rng.chance(40) {
                let _ = writeln!(y, "        session_tags: true");
            }
        }
    }
    y
}

fn statement(y: &mut String, rng: &mut Rng, partition: &str, index: usize) {
    let first = if rng.chance(40) {
        format!("          - sid: Stmt{index}\n            ")
    } else {
        "          - ".to_owned()
    };
    let _ = write!(y, "{first}");
    let deny = rng.chance(15);
    if deny {
        let _ = write!(y, "effect: Deny\n            ");
    }
    let actions: Vec<String> = rng
        .some(&ACTIONS, 1, 3)
        .into_iter()
        .map(|a| format!("\"{a}\""))
        .collect();
    // An Allow with NotAction on these resources allows nearly everything (lint RG005),
    // so only a Deny says NotAction; the draw stays, so other statements do not change.
    let key = if rng.chance(10) && deny {
        "not_actions"
    } else {
        "actions"
    };
    let _ = writeln!(y, "{key}: [{}]", actions.join(", "));
    let resources: Vec<String> = rng
        .some(&RESOURCES, 1, 2)
        .into_iter()
        .map(|r| format!("\"{}\"", r.replace("{p}", partition)))
        .collect();
    let _ = writeln!(y, "            resources: [{}]", resources.join(", "));
    if rng.chance(25) {
        let _ = writeln!(
            y,
            "            conditions:\n              StringEquals:\n                aws:ResourceTag/team: [t1, t{}]",
            rng.range(2, 4)
        );
    }
}
