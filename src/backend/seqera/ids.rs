//! The files `credentials.sh` writes beside itself once Platform has generated the
//! External IDs: one Terraform variables file per root module that takes one, and one
//! CloudFormation parameter file per stack or StackSet instance that does. The README's
//! commands read them as they are, so no ID is ever copied by hand. rolegraph computes
//! their names and contents here but never writes, owns or deletes them: they hold values
//! that exist only in Platform.

use crate::backend::cloudformation::map::{Map as CloudFormationMap, Place};
use crate::backend::cloudformation::parameter_name;
use crate::backend::terraform::map::Map as TerraformMap;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{AccountIdx, Graph, RoleIdx, Text};

/// Each credential's own External ID record, read again by the next run of the script.
pub const RECORD: &str = "external-ids.txt";

/// A value in an ID file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// The External ID Platform generated for the `n`th credential.
    Credential(usize),
    /// A value the model fixes, or a placeholder for an input no credential provides.
    Fixed(String),
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `terraform apply -var-file=`: one JSON object of variables.
    Tfvars,
    /// `aws cloudformation deploy --parameter-overrides file://`: a JSON list of
    /// `Key=Value` strings, the one shape AWS CLI v1 and v2 both take.
    KeyValueList,
    /// `aws cloudformation create-stack-instances --parameter-overrides file://`: a JSON
    /// list of `{"ParameterKey", "ParameterValue"}`.
    ParameterList,
}

#[derive(Debug, Clone)]
pub struct IdFile {
    /// Relative to `seqera/`.
    pub path: String,
    pub format: Format,
    pub entries: Vec<(String, Value)>,
    /// What reads it, for the README's list.
    pub read_by: String,
}

/// The credential (its index) whose External ID fills input `input`.
pub fn provider(graph: &Graph, seqera: &SeqeraSetup, input: &str) -> Option<usize> {
    seqera.credentials.iter().position(|c| {
        required_ids(graph, c.role, seqera.platform_role)
            .iter()
            .any(|t| matches!(t, Text::Input(name) if name == input))
    })
}

/// The External ID values that `target`'s trust requires of `source`.
pub fn required_ids(graph: &Graph, target: RoleIdx, source: RoleIdx) -> Vec<&Text> {
    graph
        .role(target)
        .trust
        .naming(source)
        .flat_map(|s| s.external_ids())
        .collect()
}

/// The Terraform variables file for `account`'s root module, if that root takes the
/// External ID of some credential.
pub fn terraform_file(
    graph: &Graph,
    seqera: &SeqeraSetup,
    map: &TerraformMap,
    account: AccountIdx,
) -> Option<IdFile> {
    let entries: Vec<(String, Value)> = map
        .root_inputs(graph, account)
        .iter()
        .filter_map(|i| {
            provider(graph, seqera, &i.name).map(|c| (i.name.clone(), Value::Credential(c)))
        })
        .collect();
    let path = match map.one_root() {
        true => "external-ids.tfvars.json".to_owned(),
        false => format!("external-ids.{}.tfvars.json", map.root_folder(account)),
    };
    let read_by = format!("`terraform apply` in `../{}`", map.root_path(account));
    id_file(path, Format::Tfvars, entries, read_by)
}

/// The parameter file for the stack of `stack` (an index in the map), if one of its
/// parameters is a credential's External ID.
pub fn stack_file(
    graph: &Graph,
    seqera: &SeqeraSetup,
    map: &CloudFormationMap,
    stack: usize,
) -> Option<IdFile> {
    let roles = map.stacks.stacks[stack].roles.iter().copied();
    let entries: Vec<(String, Value)> = graph
        .inputs_of(roles)
        .iter()
        .map(|i| (parameter_name(&i.name), input_value(graph, seqera, &i.name)))
        .collect();
    let stem = map.stack_file(stack);
    let stem = stem.strip_suffix(".yaml").unwrap_or(&stem);
    let read_by = format!("stack `{}`", map.stack_name(stack));
    let path = format!("external-ids.{stem}.cfn.json");
    id_file(path, Format::KeyValueList, entries, read_by)
}

/// The parameter file for the StackSet instance that deploys `role`, if one of its
/// parameters is a credential's External ID.
pub fn instance_file(
    graph: &Graph,
    seqera: &SeqeraSetup,
    map: &CloudFormationMap,
    role: RoleIdx,
) -> Option<IdFile> {
    let Place::StackSet { group, member } = map.place(role) else {
        return None;
    };
    let entries = map.groups[group].values[member]
        .iter()
        .enumerate()
        .map(|(slot, value)| {
            let key = map.slot_parameter(slot);
            let value = match value {
                Text::Lit(s) => Value::Fixed(s.clone()),
                Text::RoleArn(r) => Value::Fixed(graph.role_arn(*r)),
                Text::Input(name) => input_value(graph, seqera, name),
            };
            (key, value)
        })
        .collect();
    let account = graph.account(graph.role(role).account);
    let source = map.parameter_file(group, graph.role(role).account);
    let stem = source.strip_suffix(".json").unwrap_or(&source);
    let path = format!("external-ids.{}.cfn.json", stem.replace('/', "."));
    let read_by = format!(
        "StackSet `{}`, instance in {} ({})",
        map.stackset_name(group),
        account.key,
        account.id
    );
    id_file(path, Format::ParameterList, entries, read_by)
}

fn input_value(graph: &Graph, seqera: &SeqeraSetup, input: &str) -> Value {
    match provider(graph, seqera, input) {
        Some(c) => Value::Credential(c),
        None => Value::Fixed(format!("<value of input {input}>")),
    }
}

/// A file only where some entry is a credential's ID: the others need no script.
fn id_file(
    path: String,
    format: Format,
    entries: Vec<(String, Value)>,
    read_by: String,
) -> Option<IdFile> {
    let any = entries
        .iter()
        .any(|(_, v)| matches!(v, Value::Credential(_)));
    any.then_some(IdFile {
        path,
        format,
        entries,
        read_by,
    })
}

/// Every ID file of this run's layouts, each once: Terraform roots in account order,
/// then stacks, then StackSet instances.
pub fn all(
    graph: &Graph,
    seqera: &SeqeraSetup,
    terraform: &TerraformMap,
    cloudformation: &CloudFormationMap,
) -> Vec<IdFile> {
    let mut files: Vec<IdFile> = Vec::new();
    let mut push = |file: Option<IdFile>| {
        if let Some(file) = file
            && !files.iter().any(|f| f.path == file.path)
        {
            files.push(file);
        }
    };
    for account in graph.account_indices() {
        push(terraform_file(graph, seqera, terraform, account));
    }
    for stack in 0..cloudformation.stacks.stacks.len() {
        push(stack_file(graph, seqera, cloudformation, stack));
    }
    for (idx, _) in graph.roles.iter().enumerate() {
        push(instance_file(graph, seqera, cloudformation, RoleIdx(idx)));
    }
    files
}
