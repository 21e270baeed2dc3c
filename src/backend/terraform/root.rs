//! The module's fixed files: versions, providers, variables and outputs.

use ::hcl::{Block, Expression};

use super::hcl::{attr, block, func, object, reference, string, strings};
use super::naming::Names;
use crate::ir::{AccountIdx, Graph};

pub fn versions() -> Vec<Block> {
    let aws = object([
        ("source", string("hashicorp/aws")),
        ("version", string(">= 5.0")),
    ]);
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

/// One aliased provider per account, pinned to that account's id.
pub fn providers(graph: &Graph, names: &Names) -> Vec<Block> {
    graph
        .accounts
        .iter()
        .enumerate()
        .map(|(i, account)| {
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

pub fn variables(graph: &Graph, names: &Names) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (i, account) in graph.accounts.iter().enumerate() {
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
    for input in &graph.inputs {
        let roles: Vec<&str> = input
            .used_by
            .iter()
            .map(|r| graph.role(*r).name.as_str())
            .collect();
        let description = format!(
            "External ID that the trust policy of {} requires in sts:ExternalId; Seqera Platform generates it when the credential is saved.",
            roles.join(", ")
        );
        let var = || reference("var", &[&input.name]);
        let length = || func("length", vec![var()]);
        let condition = binary(
            binary(
                binary(
                    length(),
                    ::hcl::expr::BinaryOperator::GreaterEq,
                    Expression::Number(2.into()),
                ),
                ::hcl::expr::BinaryOperator::And,
                binary(
                    length(),
                    ::hcl::expr::BinaryOperator::LessEq,
                    Expression::Number(1224.into()),
                ),
            ),
            ::hcl::expr::BinaryOperator::And,
            func(
                "can",
                vec![func("regex", vec![string(r"^[\w+=,.@:/-]+$"), var()])],
            ),
        );
        let validation = block(
            "validation",
            &[],
            vec![
                attr("condition", condition),
                attr(
                    "error_message",
                    string(
                        "An External ID is 2 to 1224 characters of letters, digits and _+=,.@:/- (AWS's rule).",
                    ),
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

fn binary(lhs: Expression, op: ::hcl::expr::BinaryOperator, rhs: Expression) -> Expression {
    Expression::from(::hcl::expr::Operation::Binary(::hcl::expr::BinaryOp::new(
        lhs, op, rhs,
    )))
}

pub fn outputs(graph: &Graph, names: &Names) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (i, role) in graph.roles.iter().enumerate() {
        let label = &names.roles[i].role;
        let description = format!(
            "ARN of role {} in account {}",
            role.name,
            graph.account(role.account).key
        );
        let attrs = vec![
            attr("description", string(&description)),
            attr("value", reference("aws_iam_role", &[label, "arn"])),
        ];
        blocks.push(block(
            "output",
            &[&format!("{label}_role_arn")],
            attrs,
            Vec::new(),
        ));
        if role.instance_profile.is_some() {
            let attrs = vec![
                attr(
                    "description",
                    string(&format!("Instance profile of role {}", role.name)),
                ),
                attr(
                    "value",
                    reference("aws_iam_instance_profile", &[label, "name"]),
                ),
            ];
            blocks.push(block(
                "output",
                &[&format!("{label}_instance_profile_name")],
                attrs,
                Vec::new(),
            ));
        }
    }
    blocks
}
