//! Seqera Platform: the `tw` commands that create each workspace's credential and record
//! the External IDs Platform generates, the `tower.env` line when instance credentials
//! are on, and a README with Seqera's order of steps, every one a command.

mod ids;
mod script;
mod steps;

use serde::Serialize;

use crate::backend::cloudformation::map::Map as CloudFormationMap;
use crate::backend::terraform::map::Map as TerraformMap;
use crate::backend::{Options, cloudformation};
use crate::diag::Diagnostics;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{Graph, RoleIdx, Text};
use crate::output::FileSet;
use crate::templates::Templates;
use ids::IdFile;
use ids::RECORD;
use steps::{Block, Steps};

pub fn generate(
    graph: &Graph,
    templates: &Templates,
    options: &Options,
) -> Result<FileSet, Diagnostics> {
    let mut files = FileSet::default();
    let Some(seqera) = &graph.seqera else {
        return Ok(files);
    };
    let maps = Maps {
        terraform: TerraformMap::new(graph, options.terraform_layout)?,
        cloudformation: CloudFormationMap::new(graph, options.cloudformation_layout)?,
    };
    let id_files = ids::all(graph, seqera, &maps.terraform, &maps.cloudformation);
    let steps = Steps {
        graph,
        seqera,
        through_s3: cloudformation::stacks_through_s3(graph, &maps.cloudformation),
        maps: &maps,
    };
    let context = context(graph, seqera, &steps, &id_files);
    if seqera.allow_instance_credentials {
        files.insert("tower.env", templates.render("seqera-tower.env", &context)?);
    }
    files.insert(
        "credentials.sh",
        script::credentials(graph, seqera, &id_files),
    );
    files.insert("README.md", templates.render("seqera-README.md", &context)?);
    Ok(files)
}

/// Where the other backends put each role, in the layouts of this run.
struct Maps {
    terraform: TerraformMap,
    cloudformation: CloudFormationMap,
}

#[derive(Serialize)]
struct Context {
    model: String,
    source: String,
    /// The oldest tw that prints the External IDs.
    tw_min: &'static str,
    /// The oldest Seqera Enterprise with role credentials, and the release that fixed them.
    enterprise_min: &'static str,
    enterprise_fixed: &'static str,
    allow_instance_credentials: bool,
    platform: RoleInfo,
    /// Whether the platform role has an instance profile (Platform runs on EC2).
    platform_profile: bool,
    /// Where `credentials.sh` records the IDs.
    record: &'static str,
    credentials: Vec<CredentialInfo>,
    /// The ID files `credentials.sh` writes, and what reads each.
    files: Vec<FileInfo>,
    /// Step 1's commands, and whether they pass placeholders that step 4 replaces.
    management: Vec<Block>,
    pending_vars: bool,
    random_parameters: bool,
    /// Step 4's commands.
    targets: Vec<Block>,
    /// Templates the CloudFormation commands upload to S3, and the variable that names
    /// the bucket.
    through_s3: Vec<String>,
    s3_bucket: &'static str,
}

#[derive(Serialize)]
struct RoleInfo {
    key: String,
    name: String,
    account: String,
    account_id: String,
}

#[derive(Serialize)]
struct CredentialInfo {
    name: String,
    workspace: String,
    role: RoleInfo,
    /// `input`, `literal` or `none`: how the role's trust requires the External ID.
    external_id: &'static str,
    input: Option<String>,
    literal: Option<String>,
}

#[derive(Serialize)]
struct FileInfo {
    path: String,
    read_by: String,
}

fn role_info(graph: &Graph, idx: RoleIdx) -> RoleInfo {
    let role = graph.role(idx);
    let account = graph.account(role.account);
    RoleInfo {
        key: role.key.clone(),
        name: role.name.clone(),
        account: account.key.clone(),
        account_id: account.id.clone(),
    }
}

fn context(graph: &Graph, seqera: &SeqeraSetup, steps: &Steps, files: &[IdFile]) -> Context {
    Context {
        model: graph.name.clone(),
        source: graph.source_name.clone(),
        tw_min: crate::platform::TW_MIN,
        enterprise_min: crate::platform::ENTERPRISE_MIN,
        enterprise_fixed: crate::platform::ENTERPRISE_FIXED,
        allow_instance_credentials: seqera.allow_instance_credentials,
        platform: role_info(graph, seqera.platform_role),
        platform_profile: graph.role(seqera.platform_role).instance_profile.is_some(),
        record: RECORD,
        credentials: seqera
            .credentials
            .iter()
            .map(|c| credential(graph, seqera, c))
            .collect(),
        files: files.iter().map(file_info).collect(),
        management: steps.management(),
        pending_vars: steps.pending_vars(),
        random_parameters: steps.random_parameters(),
        targets: steps.targets(),
        through_s3: steps.s3_templates(),
        s3_bucket: steps::S3_BUCKET,
    }
}

fn file_info(file: &IdFile) -> FileInfo {
    FileInfo {
        path: file.path.clone(),
        read_by: file.read_by.clone(),
    }
}

fn credential(
    graph: &Graph,
    seqera: &SeqeraSetup,
    c: &crate::ir::seqera::Credential,
) -> CredentialInfo {
    let values = ids::required_ids(graph, c.role, seqera.platform_role);
    let input = values.iter().find_map(|t| match t {
        Text::Input(name) => Some(name.clone()),
        _ => None,
    });
    let literal = values.iter().find_map(|t| match t {
        Text::Lit(value) => Some(value.clone()),
        _ => None,
    });
    let external_id = match (&input, &literal) {
        (Some(_), _) => "input",
        (None, Some(_)) => "literal",
        (None, None) => "none",
    };
    CredentialInfo {
        name: c.name.clone(),
        workspace: c.workspace.clone(),
        role: role_info(graph, c.role),
        external_id,
        input,
        literal,
    }
}

/// Each credential's workspace and name, with the input its External ID fills (if any):
/// how a test ties the IDs Platform handed out to the plan's inputs.
pub fn credential_inputs(graph: &Graph) -> Vec<(String, String, Option<String>)> {
    let Some(seqera) = &graph.seqera else {
        return Vec::new();
    };
    seqera
        .credentials
        .iter()
        .map(|c| {
            let c = credential(graph, seqera, c);
            (c.workspace, c.name, c.input)
        })
        .collect()
}
