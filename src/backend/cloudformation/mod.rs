//! CloudFormation: one template per account, or several when an account outgrows a
//! stack's quotas (see `split`). Within a template, references are `!Ref` and `!GetAtt`;
//! a stack cannot see another's resources, so a role in another stack is named by its
//! literal ARN (built from the partition), and the README orders the deployments.

mod adopt;
mod limits;
pub mod map;
mod naming;
mod readme;
mod renames;
mod split;
mod stackset;
mod template;

use self::map::Map;
use self::naming::{RoleIds, pascal};
use self::template::*;
use crate::backend::header::header;
use crate::diag::{Diagnostic, Diagnostics};
use crate::iam;
use crate::ir::{self, AccountIdx, Graph, POLICY_VERSION, RoleIdx, Text};
use crate::output::FileSet;
use crate::templates::Templates;

/// How the CloudFormation templates are organised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// One template per account (several for an account beyond one stack's quotas).
    #[default]
    PerAccount,
    /// Roles that have one shape in several accounts become one parameterised StackSet
    /// template, with a parameter file per account; the others stay per account.
    Stackset,
}

/// The logical IDs and template file names of the per-account layout are distinct (the
/// StackSet layout only takes roles out of those templates), and each of its templates
/// fits CloudFormation's 1,000,000 bytes, as `generate` requires; the warnings name those
/// past the 51,200 bytes of a direct template body, as `generate` warns.
pub fn check_names(graph: &Graph) -> Result<Vec<crate::backend::Warning>, Diagnostics> {
    naming::check(graph)?;
    let stacks = split::split(graph, &vec![false; graph.roles.len()]);
    naming::check_files(graph, &stacks)?;
    let mut diags = Diagnostics::default();
    let mut warnings = Vec::new();
    for (s, stack) in stacks.stacks.iter().enumerate() {
        let text = template_text(graph, &stack_template(graph, &stacks, s))?;
        let file = map::stack_file(&graph.account(stack.account).key, stack.part);
        if let Some(error) = oversized(graph, stack.account, &file, text.len()) {
            diags.push(error);
        } else if too_big_for_a_body(&text) {
            warnings.push(body_warning(&file, text.len()));
        }
    }
    diags.into_result(warnings)
}

/// The error for a template past the 1,000,000 bytes CloudFormation takes at most.
fn oversized(graph: &Graph, account: AccountIdx, file: &str, len: usize) -> Option<Diagnostic> {
    if len <= limits::TEMPLATE_BODY_S3 {
        return None;
    }
    let message = format!(
        "the CloudFormation template {file} would be {len} bytes; CloudFormation takes at most {} bytes, even through S3",
        limits::TEMPLATE_BODY_S3
    );
    let hint = "move roles with large inline policies into managed policies of their own, or into another account";
    Some(Diagnostic::at(&graph.account(account).loc, message).hint(hint))
}

pub fn generate(
    graph: &Graph,
    templates: &Templates,
    options: &crate::backend::Options,
) -> Result<crate::backend::Output, Diagnostics> {
    let (layout, adopt) = (options.cloudformation_layout, options.adopt.as_deref());
    let map = Map::new(graph, layout)?;
    let order = graph.deploy_order_for("CloudFormation stacks", "")?;
    if adopt.is_some() && layout == Layout::Stackset {
        return Err(Diagnostic::nowhere(
            "--adopt takes the per-account CloudFormation layout: an IMPORT change set imports into a stack, not a StackSet",
        )
        .hint("adopt with `--cloudformation-layout per-account`; a StackSet can then take the stacks over with `aws cloudformation import-stacks-to-stack-set`")
        .into());
    }
    let mut files = FileSet::default();
    let mut diags = Diagnostics::default();
    let mut large = Vec::new();
    let mut adopting = Vec::new();
    for (s, stack) in map.stacks.stacks.iter().enumerate() {
        let text = match adopt {
            Some(existing) => adopted_stack(graph, &map, s, existing, &mut files, &mut adopting)?,
            None => stack_text(graph, &map, s)?,
        };
        large.push(too_big_for_a_body(&text));
        if let Some(error) = oversized(graph, stack.account, &map.stack_file(s), text.len()) {
            diags.push(error);
        }
        files.insert(map.stack_file(s), text);
    }
    for (g, group) in map.groups.iter().enumerate() {
        let text = template_text(graph, &group.template)?;
        files.insert(map.stackset_template(g), text);
        for (i, member) in group.members.iter().enumerate() {
            let file = map.parameter_file(g, graph.role(*member).account);
            files.insert(file, stackset::parameter_file(graph, group, i));
        }
    }
    let readme = readme::render(graph, &order, &map, &large, templates)?;
    files.insert("README.md", readme);
    let position = |s: &adopt::Stack| {
        order
            .iter()
            .position(|a| graph.account(*a).key == s.account)
    };
    adopting.sort_by_key(|s| position(s));
    adopt::insert_readme(&mut files, graph, &adopting, templates)?;
    let recorded = renames::recorded(graph, &map);
    let mut warnings = renames::warnings(options, &recorded);
    warnings.extend(too_big(&files));
    diags.into_result(crate::backend::Output {
        files,
        warnings,
        recorded,
    })
}

/// Stack `s`'s template with its existing resources `Retain`, and, where there are any,
/// the import template and resources-to-import file beside it.
fn adopted_stack(
    graph: &Graph,
    map: &Map,
    s: usize,
    existing: &crate::live::Existing,
    files: &mut FileSet,
    adopting: &mut Vec<adopt::Stack>,
) -> Result<String, Diagnostics> {
    let imported = adopt::existing_in_stack(graph, map, s, existing);
    let mut template = stack_template(graph, &map.stacks, s);
    adopt::retain(&mut template, &imported);
    let text = template_text(graph, &template)?;
    if imported.is_empty() {
        return Ok(text);
    }
    let roles = map.stacks.stacks[s]
        .roles
        .iter()
        .copied()
        .filter(|&r| existing.role(graph, r));
    let parameters: Vec<String> = graph
        .inputs_of(roles)
        .iter()
        .map(|i| parameter_name(&i.name))
        .collect();
    let import = adopt::import_template(
        stack_template(graph, &map.stacks, s),
        &imported,
        &parameters,
    );
    let (import_file, resources_file) = adopt::file_names(map, s);
    files.insert(import_file.clone(), template_text(graph, &import)?);
    let list = serde_json::to_string_pretty(&imported)
        .map_err(|e| Diagnostics::from(Diagnostic::nowhere(format!("internal error: {e}"))))?;
    files.insert(resources_file.clone(), list + "\n");
    let account = graph.account(map.stacks.stacks[s].account);
    adopting.push(adopt::Stack {
        account: account.key.clone(),
        account_id: account.id.clone(),
        region: account.region_or_default().to_owned(),
        stack_name: map.stack_name(s),
        template: map.stack_file(s),
        import_template: import_file,
        resources_file,
        parameters,
        imported: imported
            .iter()
            .map(|i| {
                let kind = i.resource_type.rsplit("::").next().unwrap_or_default();
                let value = i
                    .resource_identifier
                    .values()
                    .next()
                    .cloned()
                    .unwrap_or_default();
                format!("{kind} {value}")
            })
            .collect(),
    });
    Ok(text)
}

/// Stack `s`'s template file, as written.
fn stack_text(graph: &Graph, map: &Map, s: usize) -> Result<String, Diagnostics> {
    template_text(graph, &stack_template(graph, &map.stacks, s))
}

/// A template file as written: the header, then the YAML.
fn template_text(graph: &Graph, template: &Template) -> Result<String, Diagnostics> {
    Ok(format!("{}\n{}", header(graph, "#"), to_yaml(template)?))
}

/// Whether a template must be deployed through S3 (`aws cloudformation deploy
/// --s3-bucket`): CloudFormation takes a body of at most 51,200 bytes.
fn too_big_for_a_body(text: &str) -> bool {
    text.len() > limits::TEMPLATE_BODY
}

/// For each stack of `map`, whether its template must go through S3: for a backend that
/// names the deploy commands without the CloudFormation files at hand.
pub fn stacks_through_s3(graph: &Graph, map: &Map) -> Vec<bool> {
    (0..map.stacks.stacks.len())
        .map(|s| stack_text(graph, map, s).is_ok_and(|text| too_big_for_a_body(&text)))
        .collect()
}

/// Templates too big to pass directly to CloudFormation.
fn too_big(files: &FileSet) -> Vec<crate::backend::Warning> {
    files
        .iter()
        .filter(|(path, body)| path.ends_with(".yaml") && too_big_for_a_body(body))
        .map(|(path, body)| body_warning(path, body.len()))
        .collect()
}

fn body_warning(path: &str, len: usize) -> crate::backend::Warning {
    crate::backend::Warning {
        message: format!(
            "cloudformation/{path} is {len} bytes; CloudFormation takes at most {} bytes as a template body",
            limits::TEMPLATE_BODY
        ),
        hint: "deploy it through S3 (`aws cloudformation deploy --s3-bucket <bucket>`), which takes up to 1 MB".to_owned(),
    }
}

/// A parameter that takes an External ID, checked against AWS's rule for one.
fn external_id_parameter(description: String) -> Parameter {
    Parameter {
        kind: "String",
        description,
        // `*`, not `+`: MinLength already refuses the empty value.
        allowed_pattern: format!("^{}*$", iam::EXTERNAL_ID_CLASS),
        min_length: iam::EXTERNAL_ID_MIN,
        max_length: iam::EXTERNAL_ID_MAX,
        constraint_description: format!("{} (AWS's External ID rule)", iam::external_id_rule()),
    }
}

fn to_yaml(template: &Template) -> Result<String, Diagnostics> {
    serde_saphyr::to_string(template).map_err(|err| {
        Diagnostic::nowhere(format!("internal error: cannot write YAML: {err}"))
            .hint("please report this with the model that caused it")
            .into()
    })
}

/// CloudFormation parameter name of an input: logical IDs are alphanumeric.
pub fn parameter_name(input: &str) -> String {
    pascal(input)
}

/// What a template can refer to: the roles it may name with `!GetAtt` (those of its own
/// stack), and for a StackSet template the account id that `${AWS::AccountId}` stands for.
struct Scope<'a> {
    within: Within<'a>,
    /// In a StackSet template every instance has its own account id, so a string that
    /// contains the member's id is written with `!Sub` and `${AWS::AccountId}`.
    account_id: Option<&'a str>,
}

enum Within<'a> {
    Stack {
        stacks: &'a split::Stacks,
        stack: usize,
    },
    /// A StackSet template: one role, whose logical IDs come from its name (which all
    /// members share) rather than its key.
    Role(RoleIdx),
}

impl Scope<'_> {
    fn contains(&self, role: RoleIdx) -> bool {
        match &self.within {
            Within::Stack { stacks, stack } => stacks.stack_of[role.0] == *stack,
            Within::Role(r) => *r == role,
        }
    }

    fn ids(&self, graph: &Graph, role: RoleIdx) -> RoleIds {
        let role = graph.role(role);
        match self.within {
            Within::Stack { .. } => RoleIds::new(&role.key),
            Within::Role(_) => RoleIds::new(&role.name),
        }
    }

    fn literal(&self, s: &str) -> Str {
        match self.account_id {
            Some(id) if s.contains(id) => {
                // `${` starts a substitution in `!Sub`; `${!` writes it literally (IAM policy
                // variables such as `${aws:username}`).
                let escaped = s.replace("${", "${!");
                Str::Sub(escaped.replace(id, "${AWS::AccountId}"))
            }
            _ => Str::Lit(s.to_owned()),
        }
    }
}

fn stack_template(graph: &Graph, stacks: &split::Stacks, s: usize) -> Template {
    let stack = &stacks.stacks[s];
    let account = stack.account;
    let scope = Scope {
        within: Within::Stack { stacks, stack: s },
        account_id: None,
    };
    let a = graph.account(account);
    let part = match stacks.of(account).count() {
        1 => String::new(),
        n => format!(", part {} of {n}", stack.part + 1),
    };
    let mut template = Template {
        format_version: "2010-09-09",
        description: format!(
            "IAM roles of account {} ({}) in model {}{part}, generated by rolegraph",
            a.key, a.id, graph.name
        ),
        parameters: Ordered::default(),
        resources: Ordered::default(),
        outputs: Ordered::default(),
    };
    for input in graph.inputs_of(stack.roles.iter().copied()) {
        let roles: Vec<&str> = input
            .used_by
            .iter()
            .map(|r| graph.role(*r).name.as_str())
            .collect();
        let description = format!(
            "External ID that the trust policy of {} requires (input {})",
            roles.join(", "),
            input.name
        );
        template.parameters.push(
            parameter_name(&input.name),
            external_id_parameter(description),
        );
    }
    for &idx in &stack.roles {
        role_resources(
            graph,
            &scope,
            idx,
            &graph.role(idx).trust_policy,
            &mut template,
        );
    }
    template
}

/// One role's resources and outputs: the role, its instance profile and its `-assume`
/// policies. `trust` is the trust policy to write (a StackSet's has parameters in it).
fn role_resources(
    graph: &Graph,
    scope: &Scope,
    idx: RoleIdx,
    trust: &ir::PolicyDocument,
    template: &mut Template,
) {
    let role = graph.role(idx);
    let ids = scope.ids(graph, idx);
    template.resources.push(
        ids.role.clone(),
        Resource::Role(role_properties(graph, scope, idx, trust)).into(),
    );
    template.outputs.push(
        format!("{}Arn", ids.role),
        Output {
            description: format!("ARN of role {}", role.name),
            value: Str::GetAtt(format!("{}.Arn", ids.role)),
        },
    );
    if let Some(profile) = &role.instance_profile {
        template.resources.push(
            ids.profile.clone(),
            Resource::InstanceProfile(InstanceProfile {
                instance_profile_name: profile.clone(),
                path: role.path.clone(),
                roles: vec![Str::Ref(ids.role.clone())],
            })
            .into(),
        );
        template.outputs.push(
            format!("{}Name", ids.profile),
            Output {
                description: format!("Instance profile of role {}", role.name),
                value: Str::Ref(ids.profile.clone()),
            },
        );
    }
    for (n, assume) in role.assume.iter().enumerate() {
        template.resources.push(
            ids.assume(n),
            Resource::ManagedPolicy(ManagedPolicy {
                managed_policy_name: assume.name.clone(),
                path: role.path.clone(),
                description: assume.description.clone().unwrap_or_default(),
                policy_document: document(graph, scope, &assume.document),
                roles: vec![Str::Ref(ids.role.clone())],
            })
            .into(),
        );
    }
}

fn role_properties(graph: &Graph, scope: &Scope, idx: RoleIdx, trust: &ir::PolicyDocument) -> Role {
    // Every field, without `..`: a new one does not compile until it is written here (or
    // named as not this resource's business).
    let ir::Role {
        key: _,
        loc: _,
        account: _,
        name,
        path,
        description,
        max_session_duration,
        permissions_boundary,
        managed_policies,
        inline_policies,
        tags,
        // Resources of their own (`role_resources`).
        instance_profile: _,
        assume: _,
        // The trust as stated; `trust` is the merged (and for a StackSet parameterised) policy.
        trust: _,
        trust_policy: _,
        accepted_risks: _,
    } = graph.role(idx);
    Role {
        role_name: name.clone(),
        path: path.clone(),
        description: description.clone(),
        max_session_duration: *max_session_duration,
        permissions_boundary: permissions_boundary.clone(),
        assume_role_policy_document: document(graph, scope, trust),
        managed_policy_arns: managed_policies.clone(),
        policies: inline_policies
            .iter()
            .map(|p| InlinePolicy {
                policy_name: p.name.clone(),
                policy_document: document(graph, scope, &p.document),
            })
            .collect(),
        tags: tags
            .iter()
            .map(|(k, v)| Tag {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
    }
}

fn text(graph: &Graph, scope: &Scope, value: &Text) -> Str {
    match value {
        Text::Lit(s) => scope.literal(s),
        Text::RoleArn(r) if scope.contains(*r) => {
            Str::GetAtt(format!("{}.Arn", scope.ids(graph, *r).role))
        }
        Text::RoleArn(r) => scope.literal(&graph.role_arn(*r)),
        Text::Input(name) => Str::Ref(parameter_name(name)),
    }
}

fn document(graph: &Graph, scope: &Scope, doc: &ir::PolicyDocument) -> PolicyDocument {
    let texts = |values: &[Text]| {
        values
            .iter()
            .map(|v| text(graph, scope, v))
            .collect::<Vec<_>>()
    };
    let statement = doc
        .statements
        .iter()
        .map(|s| {
            let mut principal = Ordered::default();
            for p in &s.principals {
                principal.push(p.kind.as_str(), texts(&p.ids));
            }
            // Conditions are sorted by operator, so each operator's keys are adjacent.
            let mut condition: Ordered<Ordered<Vec<Str>>> = Ordered::default();
            for c in &s.conditions {
                match condition.0.last_mut() {
                    Some((op, keys)) if *op == c.operator => {
                        keys.push(c.key.clone(), texts(&c.values))
                    }
                    _ => {
                        let mut keys = Ordered::default();
                        keys.push(c.key.clone(), texts(&c.values));
                        condition.push(c.operator.clone(), keys);
                    }
                }
            }
            Statement {
                sid: s.sid.clone(),
                effect: s.effect.as_str(),
                principal,
                action: s.actions.clone(),
                not_action: s.not_actions.clone(),
                resource: texts(&s.resources),
                not_resource: texts(&s.not_resources),
                condition,
            }
        })
        .collect();
    PolicyDocument {
        version: POLICY_VERSION,
        statement,
    }
}
