//! The resources of one account: trust documents, roles, instance profiles and policies.
//! Every layout emits the same resources; they differ only in how a role ARN of another
//! account is written and whether the account's provider is checked.

use ::hcl::{Attribute, Block, Expression};

use super::hcl::{attr, block, reference, string, strings};
use super::naming::Names;
use crate::ir::{self, AccountIdx, Graph, PolicyDocument, RoleIdx, Statement, Text};

/// What the resources of one account are written with.
pub struct Emit<'a> {
    pub graph: &'a Graph,
    pub names: &'a Names,
    /// A root of its own cannot refer to another account's resources, so their ARNs are
    /// written out (the per-account layout).
    pub literal_foreign_arns: bool,
    /// A module receives its providers from the caller, who may wire one to the wrong
    /// account; a data source with a postcondition stops the plan before anything is
    /// created there (the module layout).
    pub verify_account: bool,
}

impl Emit<'_> {
    /// Every resource of `account`, in role order.
    pub fn account(&self, account: AccountIdx) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.verify_account {
            blocks.push(self.caller_identity(account));
        }
        for (idx, _) in self.graph.roles_in(account) {
            self.role_resources(idx, &mut blocks);
        }
        blocks
    }

    fn provider(&self, account: AccountIdx) -> Attribute {
        attr("provider", reference("aws", &[self.names.alias(account)]))
    }

    fn text(&self, account: AccountIdx, value: &Text) -> Expression {
        match value {
            Text::Lit(s) => string(s),
            Text::RoleArn(role)
                if self.literal_foreign_arns && self.graph.role(*role).account != account =>
            {
                string(&self.graph.role_arn(*role))
            }
            Text::RoleArn(role) => {
                reference("aws_iam_role", &[self.names.role(*role).role(), "arn"])
            }
            Text::Input(name) => reference("var", &[name]),
        }
    }

    fn texts(&self, account: AccountIdx, values: &[Text]) -> Expression {
        Expression::Array(values.iter().map(|v| self.text(account, v)).collect())
    }

    fn caller_identity(&self, account: AccountIdx) -> Block {
        let a = self.graph.account(account);
        let alias = self.names.alias(account);
        let condition = ::hcl::expr::Operation::Binary(::hcl::expr::BinaryOp::new(
            reference("self", &["account_id"]),
            ::hcl::expr::BinaryOperator::Eq,
            string(&a.id),
        ));
        let message = format!(
            "The provider passed as aws.{alias} must reach account {} ({}): pass this module a provider configured for that account.",
            a.id, a.key
        );
        let postcondition = block(
            "postcondition",
            &[],
            vec![
                attr("condition", Expression::from(condition)),
                attr("error_message", string(&message)),
            ],
            Vec::new(),
        );
        let lifecycle = block("lifecycle", &[], Vec::new(), vec![postcondition]);
        block(
            "data",
            &["aws_caller_identity", alias],
            vec![self.provider(account)],
            vec![lifecycle],
        )
    }

    fn policy_document(&self, account: AccountIdx, label: &str, doc: &PolicyDocument) -> Block {
        let statements = doc
            .statements
            .iter()
            .map(|s| self.statement(account, s))
            .collect();
        block(
            "data",
            &["aws_iam_policy_document", label],
            vec![self.provider(account)],
            statements,
        )
    }

    fn statement(&self, account: AccountIdx, s: &Statement) -> Block {
        let mut attrs = Vec::new();
        if let Some(sid) = &s.sid {
            attrs.push(attr("sid", string(sid)));
        }
        attrs.push(attr("effect", string(s.effect.as_str())));
        let lists: [(&str, &[String]); 2] =
            [("actions", &s.actions), ("not_actions", &s.not_actions)];
        for (key, list) in lists {
            if !list.is_empty() {
                attrs.push(attr(key, strings(list.iter().map(String::as_str))));
            }
        }
        for (key, list) in [
            ("resources", &s.resources),
            ("not_resources", &s.not_resources),
        ] {
            if !list.is_empty() {
                attrs.push(attr(key, self.texts(account, list)));
            }
        }
        let mut blocks = Vec::new();
        for p in &s.principals {
            let attrs = vec![
                attr("type", string(p.kind.as_str())),
                attr("identifiers", self.texts(account, &p.ids)),
            ];
            blocks.push(block("principals", &[], attrs, Vec::new()));
        }
        for c in &s.conditions {
            let attrs = vec![
                attr("test", string(&c.operator)),
                attr("variable", string(&c.key)),
                attr("values", self.texts(account, &c.values)),
            ];
            blocks.push(block("condition", &[], attrs, Vec::new()));
        }
        block("statement", &[], attrs, blocks)
    }

    fn role_resources(&self, idx: RoleIdx, blocks: &mut Vec<Block>) {
        // Every field, without `..`: a new one does not compile until it is written here
        // (or named as not Terraform's business).
        let ir::Role {
            key: _,
            loc: _,
            account,
            name: _,
            path,
            description: _,
            max_session_duration: _,
            permissions_boundary: _,
            tags: _,
            managed_policies,
            inline_policies,
            instance_profile,
            trust: _,
            trust_policy,
            assume,
            accepted_risks: _,
        } = self.graph.role(idx);
        // `name`, `description`, `max_session_duration`, `permissions_boundary`, `tags`:
        // attributes of the role block.
        let account = *account;
        let n = self.names.role(idx);
        let role_ref = |attr_name: &str| reference("aws_iam_role", &[n.role(), attr_name]);
        blocks.push(self.policy_document(account, n.trust_doc(), trust_policy));
        blocks.push(self.role_block(idx));
        if let Some(profile) = instance_profile {
            let attrs = vec![
                self.provider(account),
                attr("name", string(profile)),
                attr("path", string(path)),
                attr("role", role_ref("name")),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_instance_profile", n.role()],
                attrs,
                Vec::new(),
            ));
        }
        for (arn, label) in managed_policies.iter().zip(n.managed()) {
            let attrs = vec![
                self.provider(account),
                attr("role", role_ref("name")),
                attr("policy_arn", string(arn)),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_role_policy_attachment", label],
                attrs,
                Vec::new(),
            ));
        }
        for (policy, label) in inline_policies.iter().zip(n.inline()) {
            blocks.push(self.policy_document(account, label, &policy.document));
            let attrs = vec![
                self.provider(account),
                attr("name", string(&policy.name)),
                attr("role", role_ref("name")),
                attr(
                    "policy",
                    reference("data", &["aws_iam_policy_document", label, "json"]),
                ),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_role_policy", label],
                attrs,
                Vec::new(),
            ));
        }
        for (assume, label) in assume.iter().zip(n.assume()) {
            blocks.push(self.policy_document(account, label, &assume.document));
            let attrs = vec![
                self.provider(account),
                attr("name", string(&assume.name)),
                attr("path", string(path)),
                attr(
                    "description",
                    string(assume.description.as_deref().unwrap_or_default()),
                ),
                attr(
                    "policy",
                    reference("data", &["aws_iam_policy_document", label, "json"]),
                ),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_policy", label],
                attrs,
                Vec::new(),
            ));
            let attrs = vec![
                self.provider(account),
                attr("role", role_ref("name")),
                attr("policy_arn", reference("aws_iam_policy", &[label, "arn"])),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_role_policy_attachment", label],
                attrs,
                Vec::new(),
            ));
        }
        if self.graph.exclusive {
            self.exclusive(idx, blocks);
        }
    }

    /// The whole set of the role's attached and inline policies, so that an apply detaches
    /// and deletes any added outside the model. The lists refer to the attachments and
    /// policies themselves, so Terraform orders them after those and never removes one
    /// it is about to create.
    fn exclusive(&self, idx: RoleIdx, blocks: &mut Vec<Block>) {
        let role = self.graph.role(idx);
        let n = self.names.role(idx);
        let attachment =
            |label: &str| reference("aws_iam_role_policy_attachment", &[label, "policy_arn"]);
        let arns = n.managed().chain(n.assume()).map(attachment).collect();
        let names = n
            .inline()
            .map(|label| reference("aws_iam_role_policy", &[label, "name"]))
            .collect();
        let role_name = reference("aws_iam_role", &[n.role(), "name"]);
        for (kind, list, items) in [
            (
                "aws_iam_role_policy_attachments_exclusive",
                "policy_arns",
                arns,
            ),
            ("aws_iam_role_policies_exclusive", "policy_names", names),
        ] {
            let attrs = vec![
                self.provider(role.account),
                attr("role_name", role_name.clone()),
                attr(list, Expression::Array(items)),
            ];
            blocks.push(block("resource", &[kind, n.role()], attrs, Vec::new()));
        }
    }

    fn role_block(&self, idx: RoleIdx) -> Block {
        let role = self.graph.role(idx);
        let n = self.names.role(idx);
        let mut attrs = vec![
            self.provider(role.account),
            attr("name", string(&role.name)),
            attr("path", string(&role.path)),
        ];
        if let Some(d) = &role.description {
            attrs.push(attr("description", string(d)));
        }
        attrs.push(attr(
            "assume_role_policy",
            reference("data", &["aws_iam_policy_document", n.trust_doc(), "json"]),
        ));
        if let Some(m) = role.max_session_duration {
            attrs.push(attr("max_session_duration", Expression::Number(m.into())));
        }
        if let Some(pb) = &role.permissions_boundary {
            attrs.push(attr("permissions_boundary", string(pb)));
        }
        if !role.tags.is_empty() {
            let tags = role.tags.iter().map(|(k, v)| (k.as_str(), string(v)));
            attrs.push(attr("tags", super::hcl::object(tags)));
        }
        block("resource", &["aws_iam_role", n.role()], attrs, Vec::new())
    }
}
