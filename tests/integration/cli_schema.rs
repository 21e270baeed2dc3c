//! `rolegraph schema` and `rolegraph init`: the schema accepts every model the loader
//! accepts (the golden cases, the example, init's starters), rejects shapes the loader
//! rejects, and carries the doc comments as descriptions.

use crate::support;

use serde_json::Value;
use support::{golden_cases, repo, run, text};

fn schema() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["schema"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// YAML 1.2, as editors' language servers and rolegraph read it: `yes` is a string.
fn yaml(text: &str) -> Value {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options).expect("the model parses as YAML")
}

fn errors(validator: &jsonschema::Validator, model: &Value) -> Vec<String> {
    validator
        .iter_errors(model)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_is_draft_07_with_descriptions() {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(jsonschema::draft7::meta::is_valid(&schema));
    assert_eq!(
        schema["properties"]["accounts"]["description"],
        "The accounts, by a key that other entries refer to."
    );
    assert!(schema.to_string().contains("12-digit account id"));
}

#[test]
fn every_model_the_loader_accepts_validates() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    let mut models: Vec<_> = golden_cases()
        .iter()
        .map(|c| c.join("rolegraph.yaml"))
        .collect();
    models.push(repo().join("examples/seqera/rolegraph.yaml"));
    for model in models {
        let value = yaml(&std::fs::read_to_string(&model).unwrap());
        assert_eq!(
            errors(&validator, &value),
            Vec::<String>::new(),
            "{}",
            model.display()
        );
    }
}

#[test]
fn shapes_the_loader_rejects_fail_the_schema_too() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    let seed = std::fs::read_to_string(repo().join("examples/seqera/rolegraph.yaml")).unwrap();
    let broken = [
        ("version: 1\n", "version: 2\n"),
        ("    id: \"111111111111\"\n", "    id: 111111111111\n"),
        (
            "    trusted_by:\n      - service: ec2.amazonaws.com\n",
            "    trusted_bye:\n      - service: ec2.amazonaws.com\n",
        ),
        (
            "      - role: platform\n        external_id: { input: development",
            "      - role: platform\n        service: ec2.amazonaws.com\n        external_id: { input: development",
        ),
        (
            "    path: /seqera/\n",
            "    path: /seqera/\n    max_session_duration: 60\n",
        ),
        (
            "      workspace: acme/production",
            "      workspace: acme-production",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in broken {
        assert!(seed.contains(from), "the seed has {from:?}");
        let model = seed.replacen(from, to, 1);
        assert!(
            !errors(&validator, &yaml(&model)).is_empty(),
            "the schema accepts {to:?}"
        );
        std::fs::write(dir.path().join("rolegraph.yaml"), &model).unwrap();
        std::fs::create_dir_all(dir.path().join("policies")).unwrap();
        std::fs::copy(
            repo().join("examples/seqera/policies/batch.json"),
            dir.path().join("policies/batch.json"),
        )
        .unwrap();
        let out = run(&["validate"], dir.path());
        assert_eq!(out.status.code(), Some(2), "the loader accepts {to:?}");
    }
}

#[test]
fn init_writes_models_that_validate_both_ways() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    for example in [None, Some("seqera")] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["init"];
        args.extend(example.iter().flat_map(|e| ["--example", e]));
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let model = std::fs::read_to_string(dir.path().join("rolegraph.yaml")).unwrap();
        assert!(model.starts_with("# yaml-language-server: $schema=./rolegraph.schema.json\n"));
        let written: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("rolegraph.schema.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(written, schema());
        assert_eq!(errors(&validator, &yaml(&model)), Vec::<String>::new());
        let out = run(&["validate"], dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{:?}: {}",
            example,
            text(&out.stderr)
        );
        let out = run(&["lint"], dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{:?}: {}",
            example,
            text(&out.stdout)
        );

        let before = std::fs::read_to_string(dir.path().join("rolegraph.yaml")).unwrap();
        let again = run(&["init"], dir.path());
        assert_eq!(again.status.code(), Some(2));
        assert!(text(&again.stderr).contains("already exists"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("rolegraph.yaml")).unwrap(),
            before
        );
    }
}

/// The schema states IAM's rules with the numbers and patterns of `rolegraph::iam`, the
/// module the model checks and both backends' parameter validation take them from.
#[test]
fn the_schema_states_iams_rules_as_the_iam_module_does() {
    use rolegraph::iam;
    let schema = schema();
    let defs = &schema["definitions"];
    let session = &defs["Role"]["properties"]["max_session_duration"];
    assert_eq!(session["minimum"], iam::SESSION_MIN);
    assert_eq!(session["maximum"], iam::SESSION_MAX);
    let path = &defs["Role"]["properties"]["path"];
    assert_eq!(path["pattern"], iam::PATH_PATTERN);
    assert_eq!(path["maxLength"], iam::PATH_MAX);
    let external_id = &defs["ExternalIdValue"];
    assert_eq!(external_id["pattern"], iam::external_id_regex());
    assert_eq!(external_id["minLength"], iam::EXTERNAL_ID_MIN);
    assert_eq!(external_id["maxLength"], iam::EXTERNAL_ID_MAX);
    let input = &defs["ExternalIdInput"]["properties"]["input"];
    assert_eq!(input["pattern"], iam::INPUT_PATTERN);
    assert_eq!(input["maxLength"], iam::INPUT_MAX);
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let model = |external_id: &str| {
        yaml(&format!(
            "version: 1\nname: m\naccounts: {{ a: {{ id: \"111111111111\" }} }}\nroles:\n  r:\n    account: a\n    name: r\n    trusted_by: [{{ account: \"222222222222\", external_id: \"{external_id}\" }}]\n"
        ))
    };
    assert_eq!(errors(&validator, &model("ab")), Vec::<String>::new());
    assert!(
        !errors(&validator, &model("a")).is_empty(),
        "one character is too short"
    );
    assert!(
        !errors(&validator, &model("a b")).is_empty(),
        "a space is not in the alphabet"
    );
}

/// The schema states Platform's naming rules with `rolegraph::platform`'s patterns, and
/// refuses what the model's checks refuse.
#[test]
fn the_schema_states_platforms_naming_rules() {
    use rolegraph::platform;
    let schema = schema();
    let credential = &schema["definitions"]["Credential"]["properties"];
    assert_eq!(
        credential["name"]["pattern"],
        platform::CREDENTIAL_NAME_PATTERN
    );
    assert_eq!(
        credential["workspace"]["pattern"],
        platform::workspace_pattern()
    );
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let seed = std::fs::read_to_string(repo().join("examples/seqera/rolegraph.yaml")).unwrap();
    assert_eq!(errors(&validator, &yaml(&seed)), Vec::<String>::new());
    for (from, to) in [
        ("name: aws-production", "name: aws.production"),
        ("workspace: acme/production", "workspace: acme/production-"),
        ("workspace: acme/production", "workspace: a/production"),
        ("workspace: acme/production", "workspace: ac--me/production"),
    ] {
        let model = seed.replacen(from, to, 1);
        assert_ne!(model, seed);
        assert!(!errors(&validator, &yaml(&model)).is_empty(), "{to}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            repo().join("examples/seqera/policies/batch.json"),
            dir.path().join("batch.json"),
        )
        .unwrap();
        let model = model.replace("policies/batch.json", "batch.json");
        std::fs::write(dir.path().join("rolegraph.yaml"), &model).unwrap();
        assert!(
            rolegraph::compile(&dir.path().join("rolegraph.yaml")).is_err(),
            "{to}"
        );
    }
}
