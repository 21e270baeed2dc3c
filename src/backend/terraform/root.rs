//! The fixed files of a module: versions, providers, variables and outputs. Each takes
//! the accounts, inputs or roles it covers, so every layout builds them the same way.

use ::hcl::{Block, Expression};

use super::hcl::{attr, block, func, object, reference, string, strings};
use super::naming::Names;
use crate::iam;
use crate::ir::{AccountIdx, Graph, Input, RoleIdx};

/// `configuration_aliases` lists the providers a reusable module expects from its caller;
/// a root module configures its own and passes `None`.
pub fn versions(
    graph: &Graph,
    names: &Names,
    configuration_aliases: Option<&[AccountIdx]>,
) -> Vec<Block> {
    let mut aws = vec![
        ("source", string("hashicorp/aws")),
        ("version", string(provider_version(graph))),
    ];
    if let Some(accounts) = configuration_aliases {
        let aliases = accounts
            .iter()
            .map(|&a| reference("aws", &[names.alias(a)]))
            .collect();
        aws.push(("configuration_aliases", Expression::Array(aliases)));
    }
    let aws = object(aws);
    let providers = block(
        "required_providers",
        &[],
        vec![attr("aws", aws)],
        Vec::new(),
    );
    vec![block(
        "terraform",
        &[],
        vec![attr("required_version", string(">= 1.3"))],
        vec![providers],
    )]
}

/// The oldest hashicorp/aws release with every resource the output uses: 5.72.0 added
/// `aws_iam_role_policy_attachments_exclusive` (5.68.0 had added
/// `aws_iam_role_policies_exclusive`).
fn provider_version(graph: &Graph) -> &'static str {
    if graph.exclusive { ">= 5.72" } else { ">= 5.0" }
}

/// One aliased provider per account, pinned to that account's id.
pub fn providers(graph: &Graph, names: &Names, accounts: &[AccountIdx]) -> Vec<Block> {
    accounts
        .iter()
        .map(|&AccountIdx(i)| {
            let account = &graph.accounts[i];
            let region = match &account.region {
                Some(r) => string(r),
                None => reference("var", &[&names.region_vars[i]]),
            };
            let attrs = vec![
                attr("alias", string(names.alias(AccountIdx(i)))),
                attr("region", region),
                attr("allowed_account_ids", strings([account.id.as_str()])),
            ];
            let assume = account.deploy_role.iter().map(|arn| {
                block(
                    "assume_role",
                    &[],
                    vec![attr("role_arn", string(arn))],
                    Vec::new(),
                )
            });
            block("provider", &["aws"], attrs, assume.collect())
        })
        .collect()
}

/// The region variables of `region_accounts` that have no fixed region, then `inputs`.
pub fn variables(
    graph: &Graph,
    names: &Names,
    region_accounts: &[AccountIdx],
    inputs: &[&Input],
) -> Vec<Block> {
    let mut blocks = Vec::new();
    for &AccountIdx(i) in region_accounts {
        let account = &graph.accounts[i];
        if account.region.is_some() {
            continue;
        }
        let description = format!(
            "Region of the provider for account {} ({}). IAM is global, so any region of partition {} reaches the same roles.",
            account.key,
            account.id,
            account.partition.as_str()
        );
        let attrs = vec![
            attr("description", string(&description)),
            attr("type", reference("string", &[])),
            attr("default", string(account.partition.default_region())),
        ];
        blocks.push(block(
            "variable",
            &[&names.region_vars[i]],
            attrs,
            Vec::new(),
        ));
    }
    for input in inputs {
        let roles: Vec<&str> = input
            .used_by
            .iter()
            .map(|r| graph.role(*r).name.as_str())
            .collect();
        let origin = if input
            .used_by
            .iter()
            .any(|&r| has_seqera_credential(graph, r))
        {
            "; Seqera Platform generates it when the credential is saved"
        } else {
            ""
        };
        let description = format!(
            "External ID that the trust policy of {} requires in sts:ExternalId{origin}.",
            roles.join(", ")
        );
        let var = || reference("var", &[&input.name]);
        let length = || func("length", vec![var()]);
        let condition = binary(
            binary(
                binary(
                    length(),
                    ::hcl::expr::BinaryOperator::GreaterEq,
                    Expression::Number(iam::EXTERNAL_ID_MIN.into()),
                ),
                ::hcl::expr::BinaryOperator::And,
                binary(
                    length(),
                    ::hcl::expr::BinaryOperator::LessEq,
                    Expression::Number(iam::EXTERNAL_ID_MAX.into()),
                ),
            ),
            ::hcl::expr::BinaryOperator::And,
            func(
                "can",
                vec![func(
                    "regex",
                    vec![string(&iam::external_id_regex()), var()],
                )],
            ),
        );
        let validation = block(
            "validation",
            &[],
            vec![
                attr("condition", condition),
                attr(
                    "error_message",
                    string(&format!(
                        "An External ID is {} (AWS's rule).",
                        iam::external_id_rule()
                    )),
                ),
            ],
            Vec::new(),
        );
        let attrs = vec![
            attr("description", string(&description)),
            attr("type", reference("string", &[])),
        ];
        blocks.push(block("variable", &[&input.name], attrs, vec![validation]));
    }
    blocks
}

/// Whether a Seqera credential of the model assumes `role`: only then does Platform
/// generate the External ID that the role's trust requires.
fn has_seqera_credential(graph: &Graph, role: RoleIdx) -> bool {
    graph
        .seqera
        .as_ref()
        .is_some_and(|s| s.credentials.iter().any(|c| c.role == role))
}

fn binary(lhs: Expression, op: ::hcl::expr::BinaryOperator, rhs: Expression) -> Expression {
    Expression::from(::hcl::expr::Operation::Binary(::hcl::expr::BinaryOp::new(
        lhs, op, rhs,
    )))
}

/// One output of a module: its name, description and value.
pub struct Output {
    pub name: String,
    pub description: String,
    pub value: Expression,
}

/// The ARN of every role in `roles`, and the name of its instance profile if it has one.
pub fn role_outputs(
    graph: &Graph,
    names: &Names,
    roles: impl IntoIterator<Item = RoleIdx>,
) -> Vec<Output> {
    let mut outputs = Vec::new();
    for idx in roles {
        let role = graph.role(idx);
        let role_names = names.role(idx);
        let label = role_names.role();
        outputs.push(Output {
            name: role_names.arn_output().to_owned(),
            description: format!(
                "ARN of role {} in account {}",
                role.name,
                graph.account(role.account).key
            ),
            value: reference("aws_iam_role", &[label, "arn"]),
        });
        if role.instance_profile.is_some() {
            outputs.push(Output {
                name: role_names.profile_output().to_owned(),
                description: format!("Instance profile of role {}", role.name),
                value: reference("aws_iam_instance_profile", &[label, "name"]),
            });
        }
    }
    outputs
}

pub fn outputs(outputs: Vec<Output>) -> Vec<Block> {
    outputs
        .into_iter()
        .map(|o| {
            let attrs = vec![
                attr("description", string(&o.description)),
                attr("value", o.value),
            ];
            block("output", &[&o.name], attrs, Vec::new())
        })
        .collect()
}
