//! `sts:TagSession` in a trust statement of its own, without the `sts:ExternalId`
//! condition (as Seqera's trust examples write it; a policy engine evaluates TagSession
//! without the ID), and on by default where a Seqera credential's role trusts the
//! platform role. The policy-engine test evaluates the result.

use rolegraph::ir::{Graph, RoleIdx, Statement};

const MODEL: &str = r#"version: 1
name: tags
accounts:
  management: { id: "999999999999" }
  production: { id: "111111111111" }
roles:
  platform:
    account: management
    name: Platform
    trusted_by:
      - service: ec2.amazonaws.com
  production:
    account: production
    name: Prod
    trusted_by:
      - role: platform
        external_id: { input: production_external_id }
  reader:
    account: production
    name: Reader
    trusted_by:
      - account: "999999999999"
        external_id: reader-id-1234
        session_tags: true
        conditions: { ArnEquals: { aws:PrincipalArn: ["arn:aws:iam::999999999999:role/Platform"] } }
seqera:
  platform_role: platform
  credentials:
    - name: aws-production
      workspace: acme/production
      role: production
"#;

fn compile(model: &str) -> Graph {
    crate::support::compile_text(model).unwrap_or_else(|e| panic!("{e}"))
}

fn trust<'g>(graph: &'g Graph, key: &str) -> &'g [Statement] {
    let idx = graph.roles.iter().position(|r| r.key == key).unwrap();
    &graph.role(RoleIdx(idx)).trust_policy.statements
}

fn keys(s: &Statement) -> Vec<&str> {
    s.conditions.iter().map(|c| c.key.as_str()).collect()
}

#[test]
fn tag_session_stands_alone_without_the_external_id() {
    let graph = compile(MODEL);
    let [assume, tag] = trust(&graph, "reader") else {
        panic!("{:#?}", trust(&graph, "reader"))
    };
    assert_eq!(assume.actions, ["sts:AssumeRole"]);
    assert_eq!(keys(assume), ["aws:PrincipalArn", "sts:ExternalId"]);
    assert_eq!(tag.actions, ["sts:TagSession"]);
    assert_eq!(keys(tag), ["aws:PrincipalArn"], "other conditions stay");
    assert_eq!(tag.principals, assume.principals);
}

#[test]
fn a_seqera_credentials_role_tags_sessions_unless_told_not_to() {
    let graph = compile(MODEL);
    let [assume, tag] = trust(&graph, "production") else {
        panic!("{:#?}", trust(&graph, "production"))
    };
    assert_eq!(keys(assume), ["sts:ExternalId"]);
    assert_eq!(
        (tag.actions.as_slice(), keys(tag)),
        (&["sts:TagSession".to_owned()][..], vec![])
    );
    let platform = &graph.roles[0];
    let grants: Vec<&str> = platform.assume[0]
        .document
        .statements
        .iter()
        .flat_map(|s| &s.actions)
        .map(String::as_str)
        .collect();
    assert_eq!(grants, ["sts:AssumeRole", "sts:TagSession"]);

    let off = MODEL.replace(
        "external_id: { input: production_external_id }\n",
        "external_id: { input: production_external_id }\n        session_tags: false\n",
    );
    assert_ne!(off, MODEL);
    let graph = compile(&off);
    let [assume] = trust(&graph, "production") else {
        panic!("{:#?}", trust(&graph, "production"))
    };
    assert_eq!(assume.actions, ["sts:AssumeRole"]);
    let grants = &graph.roles[0].assume[0].document.statements;
    assert!(
        grants.iter().all(|s| s.actions == ["sts:AssumeRole"]),
        "{grants:#?}"
    );
}

#[test]
fn roles_outside_seqera_tag_sessions_only_when_asked() {
    let plain = MODEL.replace("        session_tags: true\n", "");
    let graph = compile(&plain);
    assert_eq!(trust(&graph, "reader").len(), 1);
}
