//! Synthetic models for benchmarks: one management account with K hub (platform) roles,
//! and N target accounts spread evenly over the hubs, each with one role that trusts its
//! hub with an External ID and carries an inline S3 policy on the account's own bucket.

use std::fmt::Write;

/// One hub: `model_with_hubs(targets, 1)`.
#[allow(dead_code)]
pub fn model(targets: usize) -> String {
    model_with_hubs(targets, 1)
}

/// The key of hub `k` of `hubs`: `platform` when there is one.
fn hub_key(k: usize, hubs: usize) -> String {
    if hubs == 1 {
        "platform".to_owned()
    } else {
        format!("platform-{k:02}")
    }
}

pub fn model_with_hubs(targets: usize, hubs: usize) -> String {
    let hubs = hubs.max(1);
    let mut out = String::with_capacity(300 * targets + 1024);
    out.push_str("version: 1\nname: synthetic\n\ntags:\n  ManagedBy: rolegraph\n\naccounts:\n");
    out.push_str("  management:\n    id: \"900000000000\"\n    region: us-east-1\n");
    for i in 0..targets {
        writeln!(
            out,
            "  target-{i:05}:\n    id: \"{:012}\"",
            100_000_000_000u64 + i as u64
        )
        .unwrap();
    }
    out.push_str("\nroles:\n");
    for k in 0..hubs {
        let key = hub_key(k, hubs);
        let name = if hubs == 1 {
            "Platform".to_owned()
        } else {
            format!("Platform-{k:02}")
        };
        writeln!(
            out,
            "  {key}:\n    account: management\n    name: {name}\n    instance_profile: true\n    trusted_by:\n      - service: ec2.amazonaws.com"
        )
        .unwrap();
    }
    for i in 0..targets {
        let hub = hub_key(i * hubs / targets.max(1), hubs);
        // Each account's bucket is named after the account, so that every target role
        // has one shape (the StackSet layout makes them one template).
        let account = 100_000_000_000u64 + i as u64;
        writeln!(
            out,
            "  worker-{i:05}:\n    account: target-{i:05}\n    name: Worker\n    path: /seqera/\n    trusted_by:\n      - role: {hub}\n        external_id: ext-{i:05}-3f1e9a52\n    policies:\n      data:\n        statements:\n          - actions: [s3:GetObject, s3:PutObject]\n            resources: [\"arn:aws:s3:::data-{account}/*\"]"
        )
        .unwrap();
    }
    out
}
