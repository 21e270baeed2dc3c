//! The rules a security reviewer expects (RG005 as IAM reads it, RG010, RG011, RG012):
//! each fires on the pattern that slipped through before, and its safe twin is quiet.
//! golden/lint-reviewer holds the same patterns with lint's report reviewed.

use crate::lint_rules::{SAFE, findings, naive_seed, policy, rules, with_role};

const SERVICE: &str = "      - service: ec2.amazonaws.com\n";

fn statement(lines: &str) -> String {
    policy(&format!(
        "          - {}\n",
        lines.trim().replace('\n', "\n            ")
    ))
}

fn policy_rules(lines: &str) -> Vec<&'static str> {
    rules(&with_role(SERVICE, &statement(lines)))
}

#[test]
fn rg005_not_action_allow_alls() {
    let all_but_iam = "not_actions: [\"iam:*\"]\nresources: [\"*\"]";
    assert_eq!(policy_rules(all_but_iam), ["RG005"]);
    let not_resource =
        "not_actions: [secretsmanager:GetSecretValue]\nnot_resources: [\"arn:aws:s3:::b/*\"]";
    let found = findings(&with_role(SERVICE, &statement(not_resource)));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("sts:AssumeRole on every role"),
        "{}",
        found[0].message
    );
    // NotAction on named resources, and NotAction in a Deny, allow nothing broad.
    assert_eq!(
        policy_rules("not_actions: [\"s3:Delete*\"]\nresources: [\"arn:aws:s3:::b/*\"]"),
        Vec::<&str>::new()
    );
    assert_eq!(
        policy_rules("effect: Deny\nnot_actions: [\"iam:*\"]\nresources: [\"*\"]"),
        Vec::<&str>::new()
    );
}

#[test]
fn rg005_pass_role_on_wildcard_roles() {
    for wide in [
        "actions: [iam:PassRole]\nnot_resources: [\"arn:aws:iam::999999999999:role/Admin\"]",
        "actions: [iam:PassRole]\nresources: [\"arn:aws:iam::*:role/*\"]",
        "actions: [\"iam:*\"]\nresources: [\"arn:aws:iam::999999999999:role/*\"]",
        "actions: [iam:PassRole]\nresources: [\"*\"]\nconditions: { StringNotEquals: { iam:PassedToService: [batch.amazonaws.com] } }",
        "actions: [iam:PassRole]\nresources: [\"*\"]\nconditions: { StringEqualsIfExists: { aws:ResourceTag/team: [data] } }",
    ] {
        assert_eq!(policy_rules(wide), ["RG005"], "{wide}");
    }
    // IAM sets iam:PassedToService on every PassRole, so IfExists narrows there too.
    let if_exists = "actions: [iam:PassRole]\nresources: [\"*\"]\nconditions: { StringEqualsIfExists: { iam:PassedToService: [batch.amazonaws.com] } }";
    assert_eq!(policy_rules(if_exists), Vec::<&str>::new());
    let exact =
        "actions: [iam:PassRole]\nresources: [\"arn:aws:iam::999999999999:role/TowerForge-*\"]";
    assert_eq!(policy_rules(exact), Vec::<&str>::new());
}

/// Seqera's documented Platform policy passes roles with `iam:PassedToService`, as
/// RG005's own hint says to; without that condition the same statement fails.
#[test]
fn rg005_takes_passed_to_service_into_account() {
    let documented = "sid: PassRolesToBatch\nactions: [iam:PassRole]\nresources: [\"*\"]\nconditions: { StringEquals: { iam:PassedToService: [batch.amazonaws.com, ec2.amazonaws.com] } }";
    assert_eq!(policy_rules(documented), Vec::<&str>::new());
    let wildcard_roles = documented.replace("[\"*\"]", "[\"arn:aws:iam::*:role/TowerForge-*\"]");
    assert_eq!(policy_rules(&wildcard_roles), Vec::<&str>::new());
    let unconditioned = "sid: PassRolesToBatch\nactions: [iam:PassRole]\nresources: [\"*\"]";
    assert_eq!(policy_rules(unconditioned), ["RG005"]);
    let any_service = documented.replace("[batch.amazonaws.com, ec2.amazonaws.com]", "[\"*\"]");
    assert_eq!(policy_rules(&any_service), ["RG005"]);
}

#[test]
fn rg012_assume_role_anywhere() {
    for wide in [
        "actions: [sts:AssumeRole]\nresources: [\"*\"]",
        "actions: [\"sts:*\"]\nresources: [\"arn:aws:iam::*:role/*\"]",
        "actions: [sts:AssumeRole]\nresources: [\"arn:aws:iam::111111111111:role/*\"]",
        "actions: [sts:AssumeRole]\nnot_resources: [\"arn:aws:iam::111111111111:role/Admin\"]",
    ] {
        assert_eq!(policy_rules(wide), ["RG012"], "{wide}");
    }
    let named = "actions: [sts:AssumeRole]\nresources: [\"arn:aws:iam::111111111111:role/Prod\"]";
    assert_eq!(policy_rules(named), Vec::<&str>::new());
}

#[test]
fn rg010_a_wildcard_principal_arn_does_not_narrow_an_account_root() {
    let trust = |condition: &str| {
        rules(&with_role(
            &format!("      - account: \"999999999999\"\n        conditions: {condition}\n"),
            "",
        ))
    };
    for wide in [
        "{ StringLike: { aws:PrincipalArn: [\"*\"] } }",
        "{ ArnLike: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:*\"] } }",
        "{ ArnLike: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:role/*\"] } }",
        "{ ArnNotEquals: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:role/Deployer\"] } }",
    ] {
        assert_eq!(trust(wide), ["RG010"], "{wide}");
    }
    // Every request carries aws:PrincipalArn: IfExists narrows as the plain operator does.
    for narrow in [
        "{ ArnEqualsIfExists: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:role/Deployer\"] } }",
        "{ ArnEquals: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:role/Deployer\"] } }",
        "{ ArnLike: { aws:PrincipalArn: [\"arn:aws:iam::999999999999:role/team/*\"] } }",
    ] {
        assert_eq!(trust(narrow), Vec::<&str>::new(), "{narrow}");
    }
}

#[test]
fn rg011_wildcard_external_ids() {
    let wildcard = |value: &str| {
        SAFE.replace(
            "external_id: { input: production_external_id }",
            &format!("conditions: {{ StringLike: {{ sts:ExternalId: [\"{value}\"] }} }}"),
        )
    };
    // Role mode: the wildcard is RG011, and RG008 because nothing is required.
    assert_eq!(rules(&wildcard("*")), ["RG008", "RG011"]);
    assert_eq!(rules(&wildcard("acme-*")), ["RG008", "RG011"]);
    // A StringLike without a pattern is an exact ID.
    assert_eq!(rules(&wildcard("abc-123")), ["RG009"]);
    // With instance credentials on, RG011 joins RG001 on the seed's risk.
    let instance = naive_seed().replace(
        "    name: Prod\n    trusted_by:\n      - role: platform\n",
        "    name: Prod\n    trusted_by:\n      - role: platform\n        conditions: { StringLike: { sts:ExternalId: [\"*\"] } }\n",
    );
    let found = rules(&instance);
    assert!(
        found.contains(&"RG001") && found.contains(&"RG011"),
        "{found:?}"
    );
}
