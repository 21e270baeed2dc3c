//! One failing input per validation rule: exit code 2, `file:line:column` in stderr, the
//! message, and no output folder. The expected position is marked in each model with `‸`.

use crate::support;

use support::{run, text};

const MARK: char = '‸';

/// The start of every case: two accounts, a valid hub role and a spoke it may assume.
const BASE: &str = r#"version: 1
name: t
accounts:
  main:
    id: "111111111111"
  other:
    id: "222222222222"
roles:
  spoke:
    account: other
    name: Spoke
    trusted_by:
      - role: hub
  hub:
    account: main
    name: Hub
    trusted_by:
      - service: ec2.amazonaws.com
"#;

struct Case {
    name: &'static str,
    model: String,
    files: Vec<(&'static str, &'static str)>,
    message: &'static str,
    /// Where the error is, when it is not in the model (a policy file's own syntax).
    elsewhere: Option<&'static str>,
}

fn case(name: &'static str, extra: &str, message: &'static str) -> Case {
    Case {
        name,
        model: format!("{BASE}{extra}"),
        files: Vec::new(),
        message,
        elsewhere: None,
    }
}

/// Removes every marker; returns the clean text and the 1-based line:column of each.
fn strip_marks(marked: &str) -> (String, Vec<String>) {
    let mut clean = String::new();
    let mut marks = Vec::new();
    for (i, line) in marked.split_inclusive('\n').enumerate() {
        let mut col = 0;
        for c in line.chars() {
            if c == MARK {
                marks.push(format!("{}:{}", i + 1, col + 1));
            } else {
                clean.push(c);
                col += 1;
            }
        }
    }
    (clean, marks)
}

fn check(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let (model, marks) = strip_marks(&case.model);
    assert!(!marks.is_empty(), "case {} marks no position", case.name);
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    for (path, contents) in &case.files {
        std::fs::write(dir.path().join(path), contents).unwrap();
    }
    let out = run(&["generate", "rolegraph.yaml", "--out", "out"], dir.path());
    let stderr = text(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(2) {
        problems.push(format!("exit code {:?}, expected 2", out.status.code()));
    }
    for mark in &marks {
        let expected = match case.elsewhere {
            Some(at) => format!("{at}: error: "),
            None => format!("rolegraph.yaml:{mark}: error: "),
        };
        if !stderr.contains(&expected) {
            problems.push(format!("no error at {expected}"));
        }
        if case.elsewhere.is_some()
            && !stderr.contains(&format!("referenced at rolegraph.yaml:{mark}"))
        {
            problems.push(format!("the hint does not point at {mark}"));
        }
    }
    if !stderr.contains(case.message) {
        problems.push(format!("message {:?} missing", case.message));
    }
    if !stderr.contains("hint: ") {
        problems.push("no hint".to_owned());
    }
    if dir.path().join("out").exists() {
        problems.push("the output folder was created".to_owned());
    }
    if !text(&out.stdout).is_empty() {
        problems.push("something was printed on stdout".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case {}: {}\nstderr:\n{stderr}",
            case.name,
            problems.join("; ")
        ))
    }
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        case(
            "unknown key",
            "  b:\n    account: main\n    name: B\n    ‸trusted_bye:\n      - role: hub\n",
            "did you mean `trusted_by`?",
        ),
        case(
            "unknown top-level key",
            "‸acounts: {}\n",
            "unknown key `acounts`",
        ),
        case(
            "dangling role reference",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: ‸hubb\n",
            "unknown role `hubb`",
        ),
        case(
            "dangling account reference",
            "  b:\n    account: ‸mian\n    name: B\n    trusted_by:\n      - role: hub\n",
            "unknown account `mian`",
        ),
        case(
            "duplicate role name, other case",
            "  b:\n    account: main\n    name: ‸hub\n    trusted_by:\n      - role: hub\n",
            "is already used by role `hub`",
        ),
        case(
            "role name with a bad character",
            "  b:\n    account: main\n    name: ‸Bad/Name\n    trusted_by:\n      - role: hub\n",
            "which IAM does not allow",
        ),
        case(
            "role name too long",
            &format!(
                "  b:\n    account: main\n    name: ‸{}\n    trusted_by:\n      - role: hub\n",
                "r".repeat(65)
            ),
            "IAM allows 1 to 64",
        ),
        case(
            "path without slashes",
            "  b:\n    account: main\n    name: B\n    path: ‸team\n    trusted_by:\n      - role: hub\n",
            "must start and end with `/`",
        ),
        case(
            "instance profile name too long",
            &format!(
                "  b:\n    account: main\n    name: B\n    instance_profile: ‸{}\n    trusted_by:\n      - role: hub\n",
                "p".repeat(129)
            ),
            "IAM allows 1 to 128",
        ),
        case(
            "max_session_duration too low",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸3599\n    trusted_by:\n      - role: hub\n",
            "max_session_duration 3599 is out of range",
        ),
        case(
            "max_session_duration too high",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸43201\n    trusted_by:\n      - role: hub\n",
            "max_session_duration 43201 is out of range",
        ),
        case(
            "principal ARN from the seed",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - arn: ‸\"arn:aws:iam::::############::role/AWS_EC2_Instance_Role\"\n",
            "is not an IAM principal ARN",
        ),
        case(
            "managed policy ARN",
            "  b:\n    account: main\n    name: B\n    managed_policies: [‸\"arn:aws:iam::aws:role/X\"]\n    trusted_by:\n      - role: hub\n",
            "is not a managed policy ARN",
        ),
        case(
            "permissions boundary ARN",
            "  b:\n    account: main\n    name: B\n    permissions_boundary: ‸arn:aws:s3:::bucket\n    trusted_by:\n      - role: hub\n",
            "is not a managed policy ARN",
        ),
        case(
            "external_id too short",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: ‸x\n",
            "external_id `x` is 1 character long",
        ),
        case(
            "external_id with a space",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: [ok-id, ‸\"not ok\"]\n",
            "contains ' '",
        ),
        case(
            "external_id input name",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: { input: ‸\"bad name\" }\n",
            "is not a valid identifier",
        ),
        case(
            "empty trusted_by",
            "  b:\n    account: main\n    name: B\n    trusted_by: ‸[]\n",
            "`trusted_by` of role `b` is empty",
        ),
        case(
            "trust entry without a principal",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - ‸external_id: abc\n",
            "needs exactly one principal, found none",
        ),
        case(
            "trust entry with two principals",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - ‸role: hub\n        service: ec2.amazonaws.com\n",
            "found service and role",
        ),
        case(
            "unquoted account id",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - account: ‸222222222222\n",
            "quote it: \"222222222222\"",
        ),
        case(
            "trust cycle",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: c\n  ‸c:\n    account: other\n    name: C\n    trusted_by:\n      - role: b\n",
            "forms a cycle: b trusts c trusts b",
        ),
        case(
            "partition mismatch",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - arn: ‸arn:aws-cn:iam::222222222222:root\n",
            "is in partition aws-cn",
        ),
        case(
            "tag value YAML reads as a number",
            "  b:\n    account: main\n    name: B\n    tags:\n      Code: ‸0123\n    trusted_by:\n      - role: hub\n",
            "quote it to keep it as text: \"0123\"",
        ),
        case(
            "input name Terraform reserves",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: { input: ‸version }\n",
            "a name Terraform reserves",
        ),
        case(
            "two keys, one Terraform label",
            "  hub-b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n  ‸hub_b:\n    account: main\n    name: C\n    trusted_by:\n      - role: hub\n",
            "would both become Terraform `aws_iam_role.hub_b`",
        ),
        case(
            "empty external_id list",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: ‸[]\n",
            "`external_id` is an empty list",
        ),
        case(
            "empty actions",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n    policies:\n      p:\n        statements:\n          - actions: ‸[]\n            resources: [\"*\"]\n",
            "is an empty list",
        ),
        case(
            "duplicate sid",
            "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n    policies:\n      p:\n        statements:\n          - sid: One\n            actions: [s3:GetObject]\n            resources: [\"*\"]\n          - sid: ‸One\n            actions: [s3:PutObject]\n            resources: [\"*\"]\n",
            "sid `One` is used twice",
        ),
        case(
            "credential role not trusted by the platform role",
            "seqera:\n  platform_role: spoke\n  credentials:\n    - name: c\n      workspace: acme/ws\n      role: ‸hub\n",
            "role `hub` does not trust the platform role `spoke`",
        ),
        case(
            "credential names unique within a workspace",
            "seqera:\n  platform_role: hub\n  credentials:\n    - name: c\n      workspace: acme/ws\n      role: spoke\n    - name: ‸c\n      workspace: acme/ws\n      role: spoke\n",
            "workspace `acme/ws` has two credentials named `c`",
        ),
        case(
            "unknown platform role",
            "seqera:\n  platform_role: ‸hubb\n",
            "unknown role `hubb`",
        ),
        case(
            "workspace without organization",
            "seqera:\n  platform_role: hub\n  credentials:\n    - name: c\n      workspace: ‸production\n      role: spoke\n",
            "is not `organization/workspace`",
        ),
        case(
            "credential name Platform refuses",
            "seqera:\n  platform_role: hub\n  credentials:\n    - name: ‸aws.spoke\n      workspace: acme/ws\n      role: spoke\n",
            "credential name `aws.spoke` is not one Platform accepts",
        ),
        case(
            "organization name Platform refuses",
            "seqera:\n  platform_role: hub\n  credentials:\n    - name: c\n      workspace: ‸acme-/ws\n      role: spoke\n",
            "organization name `acme-` in `acme-/ws` is not one Platform accepts",
        ),
        case(
            "workspace name Platform refuses",
            "seqera:\n  platform_role: hub\n  credentials:\n    - name: c\n      workspace: ‸acme/a__b\n      role: spoke\n",
            "workspace name `a__b` in `acme/a__b` is not one Platform accepts",
        ),
        case(
            "External ID with instance credentials",
            "  b:\n    account: other\n    name: B\n    trusted_by:\n      - role: hub\n        external_id: { input: ‸b_id }\nseqera:\n  platform_role: hub\n  allow_instance_credentials: true\n  credentials:\n    - name: c\n      workspace: acme/ws\n      role: b\n",
            "sends no External ID, but this trust requires one",
        ),
        case(
            "trust policy limit above AWS's maximum",
            "limits:\n  trust_policy: ‸8192\n",
            "trust_policy limit 8192 is out of range",
        ),
        case("YAML syntax", "  b: ‸[\n", "invalid YAML: unclosed bracket"),
        case(
            "negative number",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸-5\n    trusted_by:\n      - role: hub\n",
            "must not be negative, but it is -5",
        ),
        case(
            "fraction",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸3600.5\n    trusted_by:\n      - role: hub\n",
            "must be a whole number, not the fraction 3600.5",
        ),
        case(
            "hexadecimal",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸0x1000\n    trusted_by:\n      - role: hub\n",
            "must be written in decimal, not hexadecimal (0x1000)",
        ),
        case(
            "underscore separators",
            "  b:\n    account: main\n    name: B\n    max_session_duration: ‸3_600\n    trusted_by:\n      - role: hub\n",
            "must be written without `_` separators (3_600)",
        ),
        case(
            "a CloudFormation tag",
            "  b:\n    account: main\n    name: B\n    description: ‸!GetAtt Foo.Arn\n    trusted_by:\n      - role: hub\n",
            "the YAML tag `!GetAtt` has no meaning in a model",
        ),
        case(
            "a tag on a mapping",
            "  b: ‸!Sub\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n",
            "the YAML tag `!Sub` has no meaning in a model",
        ),
    ];
    cases.push(Case {
        name: "account without roles",
        model: BASE.replace("roles:\n", "  ‸empty:\n    id: \"333333333333\"\nroles:\n"),
        files: Vec::new(),
        message: "account `empty` has no roles",
        elsewhere: None,
    });
    // The account id check lives in the accounts section, ahead of the roles.
    cases.push(Case {
        name: "unquoted account id in accounts",
        model: BASE.replace("id: \"222222222222\"", "id: ‸022222222222"),
        files: Vec::new(),
        message: "quote it: \"022222222222\"",
        elsewhere: None,
    });
    let policy_role = "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n    policies:\n      p: { file: ‸policy.json }\n";
    cases.push(Case {
        name: "policy file missing",
        model: format!("{BASE}{policy_role}"),
        files: Vec::new(),
        message: "cannot read policy file `policy.json`",
        elsewhere: None,
    });
    cases.push(Case {
        name: "policy file is not a policy document",
        model: format!("{BASE}{policy_role}"),
        files: vec![("policy.json", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#)],
        message: "`Principal` is not allowed here",
        elsewhere: None,
    });
    cases.push(Case {
        name: "policy file is not JSON",
        model: format!("{BASE}{policy_role}"),
        files: vec![("policy.json", "{\"Version\": \"2012-10-17\",}")],
        message: "policy file is not valid JSON: trailing comma",
        elsewhere: Some("policy.json:1:26"),
    });
    cases
}

#[test]
fn every_validation_rule_fails_with_position_exit_2_and_no_output() {
    let failures: Vec<String> = cases().iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn all_errors_are_reported_in_one_run() {
    let extra = "  b:\n    account: ‸mian\n    name: ‸Bad/Name\n    ‸trusted_bye: []\n  c:\n    account: main\n    name: C\n    max_session_duration: ‸1\n    trusted_by:\n      - role: ‸nobody\n";
    let c = case("several errors", extra, "5 errors");
    if let Err(e) = check(&c) {
        panic!("{e}");
    }
}

#[test]
fn inline_policy_names_that_differ_only_in_case_are_reported_at_each_repeat() {
    let policy = "{ statements: [{ actions: [s3:GetObject], resources: [\"*\"] }] }";
    let extra = format!(
        "  b:\n    account: main\n    name: B\n    trusted_by:\n      - role: hub\n    policies:\n      Data: {policy}\n      ‸data: {policy}\n      other: {policy}\n      ‸DATA: {policy}\n      Other2: {policy}\n"
    );
    // Two errors and no more: the first `Data`, `other` and `Other2` are fine.
    for message in [
        "2 errors",
        "role `b` has two policies named `data`",
        "role `b` has two policies named `DATA`",
    ] {
        if let Err(e) = check(&case("policy names ignoring case", &extra, message)) {
            panic!("{e}");
        }
    }
}

#[test]
fn a_missing_model_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["generate", "--out", "out"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read model `rolegraph.yaml`"));
    assert!(!dir.path().join("out").exists());
}
