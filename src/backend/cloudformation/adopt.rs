//! `generate --adopt` for CloudFormation. A stack whose resources exist in part is
//! created by an `IMPORT` change set, which can only import: from `adopt/<stack>.yaml`,
//! its existing resources alone (no outputs: an import may not add them), with
//! `adopt/<stack>.resources-to-import.json` naming each by the identifier its type takes
//! (the primary identifier of its resource schema); then updated with the full template.
//! Imported resources are `Retain` in both, as the import requires.

use serde::Serialize;

use super::map::Map;
use super::naming::RoleIds;
use super::template::Template;
use crate::diag::Diagnostics;
use crate::ir::{self, Graph};
use crate::live::Existing;
use crate::output::FileSet;
use crate::templates::Templates;

pub const FOLDER: &str = "adopt";

/// One entry of a resources-to-import file, as `create-change-set` reads it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ToImport {
    pub resource_type: &'static str,
    pub logical_resource_id: String,
    pub resource_identifier: std::collections::BTreeMap<&'static str, String>,
}

/// The resources of stack `s` that exist, in template order.
pub fn existing_in_stack(graph: &Graph, map: &Map, s: usize, existing: &Existing) -> Vec<ToImport> {
    let mut out = Vec::new();
    let mut add = |kind: &'static str, id: &str, key: &'static str, value: &str| {
        out.push(ToImport {
            resource_type: kind,
            logical_resource_id: id.to_owned(),
            resource_identifier: [(key, value.to_owned())].into(),
        })
    };
    for &idx in &map.stacks.stacks[s].roles {
        let role = graph.role(idx);
        let ids = RoleIds::new(&role.key);
        if existing.role(graph, idx) {
            add("AWS::IAM::Role", &ids.role, "RoleName", &role.name);
        }
        if let Some(profile) = &role.instance_profile
            && existing.profile(graph, idx, profile)
        {
            add(
                "AWS::IAM::InstanceProfile",
                &ids.profile,
                "InstanceProfileName",
                profile,
            );
        }
        for (n, assume) in role.assume.iter().enumerate() {
            let arn = ir::policy_arn(graph.account(role.account), &role.path, &assume.name);
            if existing.policy(&arn) {
                add("AWS::IAM::ManagedPolicy", &ids.assume(n), "PolicyArn", &arn);
            }
        }
    }
    out
}

/// Marks the imported resources of `template` `Retain`.
pub fn retain(template: &mut Template, imported: &[ToImport]) {
    for (id, entry) in &mut template.resources.0 {
        if imported.iter().any(|i| i.logical_resource_id == *id) {
            entry.retain();
        }
    }
}

/// `template` cut down to what an IMPORT change set may hold: the imported resources,
/// the parameters their properties use, no outputs.
pub fn import_template(
    mut template: Template,
    imported: &[ToImport],
    parameters: &[String],
) -> Template {
    retain(&mut template, imported);
    template
        .resources
        .0
        .retain(|(id, _)| imported.iter().any(|i| i.logical_resource_id == *id));
    template
        .parameters
        .0
        .retain(|(name, _)| parameters.contains(name));
    template.outputs.0.clear();
    template.description = format!(
        "{} (the import step of `generate --adopt`)",
        template.description
    );
    template
}

/// A stack with resources to import, for the adoption README.
#[derive(Serialize)]
pub struct Stack {
    pub account: String,
    pub account_id: String,
    pub region: String,
    pub stack_name: String,
    pub template: String,
    pub import_template: String,
    pub resources_file: String,
    pub parameters: Vec<String>,
    /// `Role SeqeraPlatformRole-AccountA`, …
    pub imported: Vec<String>,
}

#[derive(Serialize)]
struct Context<'a> {
    model: &'a str,
    source: &'a str,
    stacks: &'a [Stack],
}

pub fn readme(
    graph: &Graph,
    stacks: &[Stack],
    templates: &Templates,
) -> Result<String, Diagnostics> {
    let context = Context {
        model: &graph.name,
        source: &graph.source_name,
        stacks,
    };
    templates.render("cloudformation-adopt-README.md", &context)
}

/// The file names of stack `s`'s adoption files.
pub fn file_names(map: &Map, s: usize) -> (String, String) {
    let stem = map.stack_file(s);
    let stem = stem.trim_end_matches(".yaml");
    (
        format!("{FOLDER}/{stem}.yaml"),
        format!("{FOLDER}/{stem}.resources-to-import.json"),
    )
}

pub fn insert_readme(
    files: &mut FileSet,
    graph: &Graph,
    stacks: &[Stack],
    templates: &Templates,
) -> Result<(), Diagnostics> {
    if !stacks.is_empty() {
        files.insert(
            format!("{FOLDER}/README.md"),
            readme(graph, stacks, templates)?,
        );
    }
    Ok(())
}
