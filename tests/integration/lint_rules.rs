//! Every lint rule fires on a model written to trigger it, and stays quiet on its fixed
//! twin. The models are variants of the seed scenario with a `seqera:` section.

use rolegraph::lint::{Finding, Severity, lint};

/// The safe setup: instance credentials off, one role and one External ID per credential.
pub(crate) const SAFE: &str = r#"version: 1
name: lint
accounts:
  management: { id: "999999999999" }
  production: { id: "111111111111" }
  development: { id: "222222222222" }
roles:
  platform:
    account: management
    name: Platform
    instance_profile: true
    trusted_by:
      - service: ec2.amazonaws.com
  production:
    account: production
    name: Prod
    trusted_by:
      - role: platform
        external_id: { input: production_external_id }
  development:
    account: development
    name: Dev
    trusted_by:
      - role: platform
        external_id: { input: development_external_id }
seqera:
  platform_role: platform
  allow_instance_credentials: false
  credentials:
    - name: aws-production
      workspace: acme/production
      role: production
    - name: aws-development
      workspace: acme/development
      role: development
"#;

/// The seed as written: instance credentials on and no External IDs.
pub(crate) fn naive_seed() -> String {
    SAFE.replace(
        "allow_instance_credentials: false",
        "allow_instance_credentials: true",
    )
    .replace(
        "\n        external_id: { input: production_external_id }",
        "",
    )
    .replace(
        "\n        external_id: { input: development_external_id }",
        "",
    )
}

pub(crate) fn findings(model: &str) -> Vec<Finding> {
    let graph = crate::support::compile_text(model)
        .unwrap_or_else(|e| panic!("model invalid:\n{e}\n{model}"));
    lint(&graph)
}

pub(crate) fn rules(model: &str) -> Vec<&'static str> {
    findings(model).iter().map(|f| f.rule.id).collect()
}

/// A role in the management account with the given extra lines, trusted as given.
pub(crate) fn with_role(trust: &str, extra: &str) -> String {
    SAFE.replace("seqera:\n", &format!("  extra:\n    account: management\n    name: Extra\n{extra}    trusted_by:\n{trust}seqera:\n"))
}

#[test]
fn the_safe_setup_has_no_findings() {
    assert_eq!(rules(SAFE), Vec::<&str>::new());
}

#[test]
fn rg001_the_naive_seed_fails() {
    let found = findings(&naive_seed());
    let rg001: Vec<&Finding> = found.iter().filter(|f| f.rule.id == "RG001").collect();
    assert_eq!(rg001.len(), 2, "{found:#?}");
    assert!(rg001.iter().all(|f| f.fails(Severity::Error)));
    assert!(
        rg001[0]
            .message
            .contains("TOWER_ALLOW_INSTANCE_CREDENTIALS=true")
    );
    assert!(rg001[0].message.contains("workspace A/B risk"));
    assert!(rg001[0].loc.line > 0);
}

#[test]
fn rg001_two_workspaces_on_one_role() {
    let model = naive_seed().replace(
        "workspace: acme/development\n      role: development",
        "workspace: acme/development\n      role: production",
    );
    let found = findings(&model);
    // `development` is reported too: no credential uses it, but its trust needs no ID.
    let production: Vec<&Finding> = found
        .iter()
        .filter(|f| f.rule.id == "RG001" && f.message.contains("role `production`"))
        .collect();
    assert_eq!(production.len(), 1, "{found:#?}");
    assert!(
        production[0]
            .message
            .contains("2 workspaces (acme/development, acme/production)")
    );
}

/// The model's errors, as `compile` reports them.
fn compile_errors(model: &str) -> String {
    match crate::support::compile_text(model) {
        Ok(_) => panic!("the model compiled:\n{model}"),
        Err(e) => e,
    }
}

#[test]
fn instance_credentials_reject_every_external_id_of_a_credentials_role() {
    let model = SAFE.replace(
        "allow_instance_credentials: false",
        "allow_instance_credentials: true",
    );
    let errors = compile_errors(&model);
    let lines: Vec<&str> = errors.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(lines.len(), 2, "{errors}");
    for (line, role) in lines.iter().zip(["production", "development"]) {
        assert!(line.contains(&format!("role `{role}`")), "{line}");
        assert!(line.contains("sends no External ID"), "{line}");
    }
    assert!(errors.contains("rule: RG001"), "{errors}");
    // A raw condition on sts:ExternalId requires one just as well.
    let condition = naive_seed().replace(
        "    name: Prod\n    trusted_by:\n      - role: platform\n",
        "    name: Prod\n    trusted_by:\n      - role: platform\n        conditions: { StringEquals: { sts:ExternalId: [abc-123] } }\n",
    );
    assert_ne!(condition, naive_seed());
    assert!(compile_errors(&condition).contains("role `production`"));
}

#[test]
fn a_wildcard_external_id_is_no_external_id() {
    let wildcard = "conditions: { StringLike: { sts:ExternalId: [\"*\"] } }";
    let instance = naive_seed().replace(
        "    name: Prod\n    trusted_by:\n      - role: platform\n",
        &format!("    name: Prod\n    trusted_by:\n      - role: platform\n        {wildcard}\n"),
    );
    assert_ne!(instance, naive_seed());
    let rg001: Vec<Finding> = findings(&instance)
        .into_iter()
        .filter(|f| f.rule.id == "RG001")
        .collect();
    assert_eq!(rg001.len(), 2, "{rg001:#?}");
    assert!(rg001[0].message.contains("requires no External ID"));
    let role_mode = SAFE.replace("external_id: { input: production_external_id }", wildcard);
    assert_ne!(role_mode, SAFE);
    // RG011 names the pattern itself (lint_reviewer.rs).
    assert_eq!(rules(&role_mode), ["RG008", "RG011"]);
}

#[test]
fn rg002_shared_role_and_shared_external_id() {
    assert!(
        !rules(SAFE).contains(&"RG002"),
        "one role and one External ID per credential"
    );
    let shared_role = SAFE.replace(
        "workspace: acme/development\n      role: development",
        "workspace: acme/development\n      role: production",
    );
    assert!(rules(&shared_role).contains(&"RG002"));
    let shared_id = SAFE.replace(
        "{ input: development_external_id }",
        "{ input: production_external_id }",
    );
    let found = findings(&shared_id);
    assert!(
        found
            .iter()
            .any(|f| f.rule.id == "RG002" && f.message.contains("production_external_id")),
        "{found:#?}"
    );
    let shared_literal = SAFE
        .replace("{ input: development_external_id }", "same-id")
        .replace("{ input: production_external_id }", "same-id");
    assert!(rules(&shared_literal).contains(&"RG002"));
}

#[test]
fn rg003_account_root_without_principal_arn() {
    let open = with_role("      - account: \"333333333333\"\n", "");
    assert_eq!(rules(&open), vec!["RG003"]);
    let narrowed = with_role(
        "      - account: \"333333333333\"\n        conditions:\n          ArnEquals:\n            aws:PrincipalArn: arn:aws:iam::333333333333:role/Deployer\n",
        "",
    );
    assert_eq!(rules(&narrowed), Vec::<&str>::new());
}

#[test]
fn rg004_wildcard_principals() {
    assert!(rules(&with_role("      - arn: \"*\"\n", "")).contains(&"RG004"));
    assert!(
        rules(&with_role(
            "      - arn: arn:aws:iam::333333333333:role/team-*\n",
            ""
        ))
        .contains(&"RG004")
    );
    assert_eq!(
        rules(&with_role(
            "      - arn: arn:aws:iam::333333333333:role/team-a\n",
            ""
        )),
        Vec::<&str>::new()
    );
}

pub(crate) fn policy(statement: &str) -> String {
    format!("    policies:\n      p:\n        statements:\n{statement}")
}

#[test]
fn rg005_every_action_or_passrole_everywhere() {
    let service = "      - service: ec2.amazonaws.com\n";
    let star =
        policy("          - actions: [\"*\"]\n            resources: [\"arn:aws:s3:::b\"]\n");
    assert_eq!(rules(&with_role(service, &star)), vec!["RG005"]);
    let pass = policy("          - actions: [\"iam:Pass*\"]\n            resources: [\"*\"]\n");
    assert_eq!(rules(&with_role(service, &pass)), vec!["RG005"]);
    let narrow = policy(
        "          - actions: [iam:PassRole]\n            resources: [\"arn:aws:iam::999999999999:role/Batch\"]\n",
    );
    assert_eq!(rules(&with_role(service, &narrow)), Vec::<&str>::new());
    let deny = policy(
        "          - effect: Deny\n            actions: [\"*\"]\n            resources: [\"*\"]\n",
    );
    assert_eq!(rules(&with_role(service, &deny)), Vec::<&str>::new());
}

#[test]
fn rg006_long_sessions_on_chained_roles() {
    let chained = SAFE.replace(
        "    name: Prod\n",
        "    name: Prod\n    max_session_duration: 7200\n",
    );
    assert_eq!(rules(&chained), vec!["RG006"]);
    let direct = with_role(
        "      - service: ec2.amazonaws.com\n",
        "    max_session_duration: 7200\n",
    );
    assert_eq!(rules(&direct), Vec::<&str>::new());
    let one_hour = SAFE.replace(
        "    name: Prod\n",
        "    name: Prod\n    max_session_duration: 3600\n",
    );
    assert_eq!(rules(&one_hour), Vec::<&str>::new());
}

#[test]
fn rg008_cross_account_credential_without_external_id() {
    assert!(
        !rules(SAFE).contains(&"RG008"),
        "both credentials require an External ID"
    );
    let same_account = SAFE
        .replace(
            "\n        external_id: { input: production_external_id }",
            "",
        )
        .replace(
            "    account: production\n    name: Prod",
            "    account: management\n    name: Prod",
        );
    let same_account = same_account.replace("  production: { id: \"111111111111\" }\n", "");
    assert!(
        !rules(&same_account).contains(&"RG008"),
        "a credential within one account is not RG008"
    );
    let model = SAFE.replace(
        "\n        external_id: { input: production_external_id }",
        "",
    );
    let found = findings(&model);
    assert_eq!(
        found.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
        vec!["RG008"]
    );
    assert!(!found[0].fails(Severity::Error) && found[0].fails(Severity::Warning));
}

#[test]
fn accepted_risks_are_reported_and_do_not_fail() {
    let accept =
        "    accept_risks:\n      - rule: RG001\n        reason: one workspace uses this account\n";
    let model = naive_seed()
        .replace("    name: Prod\n", &format!("    name: Prod\n{accept}"))
        .replace("    name: Dev\n", &format!("    name: Dev\n{accept}"));
    let found = findings(&model);
    let rg001: Vec<&Finding> = found.iter().filter(|f| f.rule.id == "RG001").collect();
    assert_eq!(rg001.len(), 2);
    assert!(
        rg001
            .iter()
            .all(|f| f.accepted.as_deref() == Some("one workspace uses this account"))
    );
    assert!(
        !found.iter().any(|f| f.fails(Severity::Error)),
        "{found:#?}"
    );
}

#[test]
fn rg009_fixed_external_id_on_a_role_mode_credential() {
    let fixed = SAFE.replace("{ input: development_external_id }", "dev-fixed-id");
    let found = findings(&fixed);
    assert_eq!(
        found.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
        vec!["RG009"]
    );
    assert!(found[0].message.contains("dev-fixed-id"));
    // With instance credentials on, any External ID is an error of the model instead.
    let instance = fixed.replace(
        "allow_instance_credentials: false",
        "allow_instance_credentials: true",
    );
    assert!(compile_errors(&instance).contains("sends no External ID"));
}
