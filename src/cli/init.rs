//! `rolegraph init`: a starter model that validates, and the JSON Schema its first line
//! points editors at (a local file, so it works offline and matches this version).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::diag::Diagnostic;
use crate::model::Access;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Example {
    /// Seqera Platform on EC2 assuming roles in two other accounts.
    Seqera,
}

pub(super) const SCHEMA_FILE: &str = "rolegraph.schema.json";
const SCHEMA_LINE: &str = "# yaml-language-server: $schema=./rolegraph.schema.json\n";

const MINIMAL: &str = r#"# A starter model: an EC2 instance role in one account that assumes a role in another.
# `rolegraph validate` checks it, `rolegraph plan` shows what it deploys, and
# `rolegraph generate --out generated` writes the Terraform and CloudFormation.
version: 1
name: my-roles
exclusive: true                 # an apply removes policies attached to these roles by hand

accounts:
  management:
    id: "111111111111"          # quote account ids
    region: us-east-1
  workload:
    id: "222222222222"

roles:
  app:
    account: management
    name: App-InstanceRole
    instance_profile: true
    trusted_by:
      - service: ec2.amazonaws.com

  deployer:
    account: workload
    name: App-Deployer
    path: /app/
    trusted_by:
      - role: app                      # also grants `app` sts:AssumeRole on this role
        external_id: { input: deployer_external_id }
    policies:
      read-artifacts:
        statements:
          - actions: [s3:GetObject]
            resources: ["arn:aws:s3:::my-artifacts/*"]
"#;

pub fn init(example: Option<Example>, dir: &Path, force: bool, access: Access) -> ExitCode {
    let schema = match serde_json::to_string_pretty(&crate::model::schema::json_schema()) {
        Ok(schema) => schema + "\n",
        Err(err) => {
            Diagnostic::nowhere(format!("cannot render the schema: {err}")).eprint();
            return ExitCode::from(1);
        }
    };
    let mut files: Vec<(&str, String)> = vec![(SCHEMA_FILE, schema)];
    match example {
        None => files.push(("rolegraph.yaml", format!("{SCHEMA_LINE}{MINIMAL}"))),
        Some(Example::Seqera) => {
            let model = include_str!("../../examples/seqera/rolegraph.yaml");
            files.push(("rolegraph.yaml", format!("{SCHEMA_LINE}{model}")));
            let batch = include_str!("../../examples/seqera/policies/batch.json");
            files.push(("policies/batch.json", batch.to_owned()));
        }
    }
    let files: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|(name, contents)| (dir.join(name), contents.into_bytes()))
        .collect();
    if let Err(code) = super::new_files::write(dir, &files, force, access) {
        return code;
    }
    if crate::term::verbosity() > crate::term::Verbosity::Quiet {
        for (path, _) in &files {
            crate::cli::stdout::outln(&format!("wrote {}", path.display()));
        }
    }
    ExitCode::SUCCESS
}
