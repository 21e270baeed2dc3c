//! Synthetic models for benchmarks: one management account with a platform role, and N
//! target accounts, each with one role that trusts it with an External ID and carries an
//! inline S3 policy.

use std::fmt::Write;

pub fn model(targets: usize) -> String {
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
    out.push_str("\nroles:\n  platform:\n    account: management\n    name: Platform\n");
    out.push_str(
        "    instance_profile: true\n    trusted_by:\n      - service: ec2.amazonaws.com\n",
    );
    for i in 0..targets {
        writeln!(
            out,
            "  worker-{i:05}:\n    account: target-{i:05}\n    name: Worker\n    path: /seqera/\n    trusted_by:\n      - role: platform\n        external_id: ext-{i:05}-3f1e9a52\n    policies:\n      data:\n        statements:\n          - actions: [s3:GetObject, s3:PutObject]\n            resources: [\"arn:aws:s3:::data-{i:05}/*\"]"
        )
        .unwrap();
    }
    out
}
