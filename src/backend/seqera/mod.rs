//! Seqera Platform: the `tw` commands that create each workspace's credential, the
//! `tower.env` line when instance credentials are on, and a README with the order of
//! steps (External IDs exist only once Platform has saved the credentials).

mod script;

use serde::Serialize;

use crate::backend::Options;
use crate::backend::cloudformation::map::{Map as CloudFormationMap, Place};
use crate::backend::terraform::map::Map as TerraformMap;
use crate::diag::Diagnostics;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{Graph, RoleIdx, Text};
use crate::output::FileSet;
use crate::templates::Templates;

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
    let context = context(graph, seqera, &maps);
    if seqera.allow_instance_credentials {
        files.insert("tower.env", templates.render("seqera-tower.env", &context)?);
    }
    files.insert("credentials.sh", script::credentials(graph, seqera));
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
    allow_instance_credentials: bool,
    platform: RoleInfo,
    /// Terraform addresses that create the platform role on its own, before the credentials.
    terraform_targets: Vec<String>,
    /// The folder to run `terraform` in for the platform role, relative to `seqera/`.
    platform_terraform_folder: String,
    /// The variables that folder's root module requires: Terraform asks for them even
    /// when it applies only the platform role.
    platform_terraform_vars: Vec<String>,
    /// The folders to run `terraform` in after the credentials exist: the credentials'
    /// roles' in deploy order, then the platform role's (which step 1 applied in part).
    target_terraform_folders: Vec<String>,
    platform_stack: String,
    platform_template: String,
    /// The parameters of the platform's stack: External IDs of roles beside it, which
    /// exist only once the credentials are saved.
    platform_stack_parameters: Vec<String>,
    /// Whether some credential's role is deployed by a StackSet.
    stacksets: bool,
    credentials: Vec<CredentialInfo>,
}

#[derive(Serialize)]
struct RoleInfo {
    key: String,
    name: String,
    arn: String,
    account: String,
    account_id: String,
    /// The folder to run `terraform` in for this role, relative to `seqera/`.
    terraform_folder: String,
    /// The template (a stack's, or a StackSet instance's parameter file) that deploys it.
    cfn_template: String,
    /// Whether `cfn_template` is a StackSet instance's parameter file.
    cfn_stackset: bool,
}

#[derive(Serialize)]
struct CredentialInfo {
    name: String,
    workspace: String,
    role: RoleInfo,
    /// `input`, `literal` or `none`: how the role's trust requires the External ID.
    external_id: &'static str,
    input: Option<String>,
    cfn_parameter: Option<String>,
    cfn_template: String,
    cfn_stackset: bool,
    literal: Option<String>,
}

fn role_info(graph: &Graph, maps: &Maps, idx: RoleIdx) -> RoleInfo {
    let role = graph.role(idx);
    let account = graph.account(role.account);
    let (cfn_template, cfn_stackset) = match maps.cloudformation.place(idx) {
        Place::Stack(stack) => (maps.cloudformation.stack_file(stack), false),
        Place::StackSet { group, .. } => (
            maps.cloudformation.parameter_file(group, role.account),
            true,
        ),
    };
    RoleInfo {
        key: role.key.clone(),
        name: role.name.clone(),
        arn: graph.role_arn(idx),
        account: account.key.clone(),
        account_id: account.id.clone(),
        terraform_folder: terraform_folder(&maps.terraform, role.account),
        cfn_template,
        cfn_stackset,
    }
}

/// The folder to run `terraform` in, as the README (in `seqera/`) names it.
fn terraform_folder(map: &TerraformMap, account: crate::ir::AccountIdx) -> String {
    format!("../{}", map.root_path(account))
}

/// The External ID values that `target`'s trust requires of `source`.
fn external_ids(graph: &Graph, target: RoleIdx, source: RoleIdx) -> Vec<&Text> {
    graph
        .role(target)
        .trust
        .naming(source)
        .flat_map(|s| s.external_ids())
        .collect()
}

fn context(graph: &Graph, seqera: &SeqeraSetup, maps: &Maps) -> Context {
    let platform_idx = seqera.platform_role;
    let platform = graph.role(platform_idx);
    let mut terraform_targets = vec![maps.terraform.role_address(platform_idx)];
    if platform.instance_profile.is_some() {
        terraform_targets.push(maps.terraform.instance_profile_address(platform_idx));
    }
    let credentials: Vec<CredentialInfo> = seqera
        .credentials
        .iter()
        .map(|c| credential(graph, seqera, maps, c))
        .collect();
    let target_terraform_folders = target_folders(graph, seqera, maps);
    let cfn = &maps.cloudformation;
    // A platform role without credentials grants nothing, so it can share a StackSet.
    let (platform_stack, platform_template, platform_stack_parameters) =
        match cfn.place(platform_idx) {
            Place::Stack(stack) => (
                cfn.stack_name(stack),
                cfn.stack_file(stack),
                cfn.stack_parameters(graph, stack),
            ),
            Place::StackSet { group, .. } => (
                cfn.stackset_name(group),
                cfn.stackset_template(group),
                Vec::new(),
            ),
        };
    Context {
        model: graph.name.clone(),
        source: graph.source_name.clone(),
        tw_min: crate::platform::TW_MIN,
        allow_instance_credentials: seqera.allow_instance_credentials,
        platform: role_info(graph, maps, platform_idx),
        terraform_targets,
        platform_terraform_folder: terraform_folder(&maps.terraform, platform.account),
        platform_terraform_vars: maps
            .terraform
            .root_inputs(graph, platform.account)
            .iter()
            .map(|i| i.name.clone())
            .collect(),
        target_terraform_folders,
        platform_stack,
        platform_template,
        platform_stack_parameters,
        stacksets: credentials.iter().any(|c| c.cfn_stackset),
        credentials,
    }
}

fn credential(
    graph: &Graph,
    seqera: &SeqeraSetup,
    maps: &Maps,
    c: &crate::ir::seqera::Credential,
) -> CredentialInfo {
    let ids = external_ids(graph, c.role, seqera.platform_role);
    let input = ids.iter().find_map(|t| match t {
        Text::Input(name) => Some(name.clone()),
        _ => None,
    });
    let literal = ids.iter().find_map(|t| match t {
        Text::Lit(value) => Some(value.clone()),
        _ => None,
    });
    let external_id = match (&input, &literal) {
        (Some(_), _) => "input",
        (None, Some(_)) => "literal",
        (None, None) => "none",
    };
    let role = role_info(graph, maps, c.role);
    CredentialInfo {
        name: c.name.clone(),
        workspace: c.workspace.clone(),
        external_id,
        cfn_parameter: input
            .as_deref()
            .and_then(|i| maps.cloudformation.input_parameter(c.role, i)),
        input,
        cfn_template: role.cfn_template.clone(),
        cfn_stackset: role.cfn_stackset,
        role,
        literal,
    }
}

/// The Terraform folders of the credentials' roles, each once, in deploy order (model
/// order when accounts trust each other both ways: then only the root layout deploys),
/// then the platform role's, where step 1 applied only the role and its profile.
fn target_folders(graph: &Graph, seqera: &SeqeraSetup, maps: &Maps) -> Vec<String> {
    let order = graph
        .deploy_order()
        .unwrap_or_else(|| graph.account_indices());
    let mut folders: Vec<String> = Vec::new();
    for account in order {
        let targeted = seqera
            .credentials
            .iter()
            .any(|c| graph.role(c.role).account == account);
        let folder = terraform_folder(&maps.terraform, account);
        if targeted && !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    let platform = terraform_folder(&maps.terraform, graph.role(seqera.platform_role).account);
    if !folders.contains(&platform) {
        folders.push(platform);
    }
    folders
}
