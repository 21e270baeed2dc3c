//! `imports.tf` for `generate --adopt`: an `import {}` block (Terraform 1.5 or later) for
//! each generated resource that already exists, so that the first apply takes it over
//! instead of failing on `EntityAlreadyExists` or replacing it. Each resource type takes
//! the id its provider documents: a role or profile its name, an inline policy
//! `role:policy`, an attachment `role/arn`, a managed policy its ARN.

use ::hcl::Block;

use super::hcl::{attr, block, reference, string};
use super::naming::Names;
use crate::ir::{self, Graph, RoleIdx};
use crate::live::Existing;

pub const IMPORTS_FILE: &str = "imports.tf";

/// The import blocks of `roles`' existing resources; `module` is the module call's name
/// when the resources are in a module that the root calls.
pub fn blocks(
    graph: &Graph,
    names: &Names,
    existing: &Existing,
    roles: impl Iterator<Item = RoleIdx>,
    module: Option<&str>,
) -> Vec<Block> {
    let mut out = Vec::new();
    for idx in roles {
        let role = graph.role(idx);
        let n = names.role(idx);
        let alias = names.alias(role.account);
        let mut add = |kind: &str, label: &str, id: String| {
            // Terraform takes `provider` only for a resource of the root module; one in a
            // module gets its provider from the module call (`providers = { … }`).
            let (to, provider) = match module {
                Some(m) => (reference("module", &[m, kind, label]), None),
                None => (reference(kind, &[label]), Some(reference("aws", &[alias]))),
            };
            let mut attrs = vec![attr("to", to), attr("id", string(&id))];
            attrs.extend(provider.map(|p| attr("provider", p)));
            out.push(block("import", &[], attrs, Vec::new()));
        };
        if existing.role(graph, idx) {
            add("aws_iam_role", n.role(), role.name.clone());
        }
        if let Some(profile) = &role.instance_profile
            && existing.profile(graph, idx, profile)
        {
            add("aws_iam_instance_profile", n.role(), profile.clone());
        }
        for (arn, label) in role.managed_policies.iter().zip(n.managed()) {
            if existing.attachment(graph, idx, arn) {
                add(
                    "aws_iam_role_policy_attachment",
                    label,
                    format!("{}/{arn}", role.name),
                );
            }
        }
        for (policy, label) in role.inline_policies.iter().zip(n.inline()) {
            if existing.inline(graph, idx, &policy.name) {
                add(
                    "aws_iam_role_policy",
                    label,
                    format!("{}:{}", role.name, policy.name),
                );
            }
        }
        for (assume, label) in role.assume.iter().zip(n.assume()) {
            let arn = ir::policy_arn(graph.account(role.account), &role.path, &assume.name);
            if existing.policy(&arn) {
                add("aws_iam_policy", label, arn.clone());
            }
            if existing.attachment(graph, idx, &arn) {
                add(
                    "aws_iam_role_policy_attachment",
                    label,
                    format!("{}/{arn}", role.name),
                );
            }
        }
    }
    out
}

/// Adds `imports.tf` to `files` when there is anything to import.
pub fn insert(
    files: &mut crate::output::FileSet,
    graph: &Graph,
    blocks: Vec<Block>,
) -> Result<(), crate::diag::Diagnostics> {
    if blocks.is_empty() {
        return Ok(());
    }
    files.insert(IMPORTS_FILE, super::render(graph, blocks)?);
    Ok(())
}
