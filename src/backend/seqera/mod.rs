//! Seqera Platform: the `tw` commands that create each workspace's credential, the
//! `tower.env` line when instance credentials are on, and a README with the order of
//! steps (External IDs exist only once Platform has saved the credentials).

mod script;

use serde::Serialize;

use crate::backend::cloudformation::{parameter_name, readme::stack_name};
use crate::backend::terraform::naming::ident;
use crate::diag::Diagnostics;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{Graph, RoleIdx, Text};
use crate::output::FileSet;
use crate::templates::Templates;

pub fn generate(graph: &Graph, templates: &Templates) -> Result<FileSet, Diagnostics> {
    let mut files = FileSet::default();
    let Some(seqera) = &graph.seqera else {
        return Ok(files);
    };
    let context = context(graph, seqera);
    if seqera.allow_instance_credentials {
        files.insert("tower.env", templates.render("seqera-tower.env", &context)?);
    }
    files.insert("credentials.sh", script::credentials(graph, seqera));
    files.insert("README.md", templates.render("seqera-README.md", &context)?);
    Ok(files)
}

#[derive(Serialize)]
struct Context {
    model: String,
    source: String,
    allow_instance_credentials: bool,
    platform: RoleInfo,
    /// Terraform addresses that create the platform role on its own, before the credentials.
    terraform_targets: Vec<String>,
    platform_stack: String,
    platform_template: String,
    credentials: Vec<CredentialInfo>,
}

#[derive(Serialize)]
struct RoleInfo {
    key: String,
    name: String,
    arn: String,
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
    cfn_parameter: Option<String>,
    cfn_template: String,
    literal: Option<String>,
}

fn role_info(graph: &Graph, idx: RoleIdx) -> RoleInfo {
    let role = graph.role(idx);
    let account = graph.account(role.account);
    RoleInfo {
        key: role.key.clone(),
        name: role.name.clone(),
        arn: graph.role_arn(idx),
        account: account.key.clone(),
        account_id: account.id.clone(),
    }
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

fn context(graph: &Graph, seqera: &SeqeraSetup) -> Context {
    let platform = graph.role(seqera.platform_role);
    let label = ident(&platform.key);
    let mut terraform_targets = vec![format!("aws_iam_role.{label}")];
    if platform.instance_profile.is_some() {
        terraform_targets.push(format!("aws_iam_instance_profile.{label}"));
    }
    let platform_account = graph.account(platform.account);
    let credentials = seqera
        .credentials
        .iter()
        .map(|c| {
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
            let account = &graph.account(graph.role(c.role).account).key;
            CredentialInfo {
                name: c.name.clone(),
                workspace: c.workspace.clone(),
                role: role_info(graph, c.role),
                external_id,
                cfn_parameter: input.as_deref().map(parameter_name),
                input,
                cfn_template: format!("{account}.yaml"),
                literal,
            }
        })
        .collect();
    Context {
        model: graph.name.clone(),
        source: graph.source_name.clone(),
        allow_instance_credentials: seqera.allow_instance_credentials,
        platform: role_info(graph, seqera.platform_role),
        terraform_targets,
        platform_stack: stack_name(&graph.name, &platform_account.key),
        platform_template: format!("{}.yaml", platform_account.key),
        credentials,
    }
}
