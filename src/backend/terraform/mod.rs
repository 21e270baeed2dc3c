//! Terraform: one root module with an aliased `aws` provider per account and no default
//! provider, so nothing can be applied to an account by accident.

mod align;
mod hcl;
pub(crate) mod naming;
mod root;

use ::hcl::{Attribute, Block, Body, Expression};

use self::hcl::{attr, block, reference, string, strings};
use self::naming::Names;
use crate::backend::header::header;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{AccountIdx, Graph, PolicyDocument, RoleIdx, Statement, Text};
use crate::output::FileSet;
use crate::templates::Templates;

pub fn generate(graph: &Graph, templates: &Templates) -> Result<FileSet, Diagnostics> {
    let names = naming::names(graph)?;
    let mut files = FileSet::default();
    files.insert("README.md", readme(graph, &names, templates)?);
    files.insert("versions.tf", render(graph, root::versions())?);
    files.insert(
        "providers.tf",
        render(graph, root::providers(graph, &names))?,
    );
    files.insert(
        "variables.tf",
        render(graph, root::variables(graph, &names))?,
    );
    files.insert("outputs.tf", render(graph, root::outputs(graph, &names))?);
    for (i, account) in graph.accounts.iter().enumerate() {
        let body = account_body(graph, &names, AccountIdx(i));
        files.insert(format!("{}.tf", account.key), render(graph, body)?);
    }
    Ok(files)
}

#[derive(serde::Serialize)]
struct ReadmeContext<'a> {
    model: &'a str,
    source: &'a str,
    diagram: Option<String>,
    accounts: Vec<ReadmeAccount<'a>>,
    inputs: Vec<&'a str>,
}

#[derive(serde::Serialize)]
struct ReadmeAccount<'a> {
    key: &'a str,
    id: &'a str,
    alias: &'a str,
    region: String,
}

fn readme(graph: &Graph, names: &Names, templates: &Templates) -> Result<String, Diagnostics> {
    let accounts = graph
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| ReadmeAccount {
            key: &a.key,
            id: &a.id,
            alias: names.alias(AccountIdx(i)),
            region: match &a.region {
                Some(r) => r.clone(),
                None => format!("`var.{}`", names.region_vars[i]),
            },
        })
        .collect();
    let context = ReadmeContext {
        model: &graph.name,
        source: &graph.source_name,
        diagram: crate::diagram::for_readme(graph),
        accounts,
        inputs: graph.inputs.iter().map(|i| i.name.as_str()).collect(),
    };
    templates.render("terraform-README.md", &context)
}

fn render(graph: &Graph, blocks: Vec<Block>) -> Result<String, Diagnostics> {
    let body = Body::from_iter(blocks);
    let text = ::hcl::format::to_string(&body).map_err(|err| {
        Diagnostic::nowhere(format!("internal error: cannot format HCL: {err}"))
            .hint("please report this with the model that caused it")
    })?;
    let mut out = header(graph, "#");
    if !text.trim().is_empty() {
        out.push('\n');
        out.push_str(&align::align(&text));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn provider(names: &Names, account: AccountIdx) -> Attribute {
    attr("provider", reference("aws", &[names.alias(account)]))
}

fn text(names: &Names, value: &Text) -> Expression {
    match value {
        Text::Lit(s) => string(s),
        Text::RoleArn(role) => reference("aws_iam_role", &[&names.roles[role.0].role, "arn"]),
        Text::Input(name) => reference("var", &[name]),
    }
}

fn texts(names: &Names, values: &[Text]) -> Expression {
    Expression::Array(values.iter().map(|v| text(names, v)).collect())
}

fn policy_document(names: &Names, account: AccountIdx, label: &str, doc: &PolicyDocument) -> Block {
    let statements = doc.statements.iter().map(|s| statement(names, s)).collect();
    block(
        "data",
        &["aws_iam_policy_document", label],
        vec![provider(names, account)],
        statements,
    )
}

fn statement(names: &Names, s: &Statement) -> Block {
    let mut attrs = Vec::new();
    if let Some(sid) = &s.sid {
        attrs.push(attr("sid", string(sid)));
    }
    attrs.push(attr("effect", string(s.effect.as_str())));
    let lists: [(&str, &[String]); 2] = [("actions", &s.actions), ("not_actions", &s.not_actions)];
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
            attrs.push(attr(key, texts(names, list)));
        }
    }
    let mut blocks = Vec::new();
    for p in &s.principals {
        let attrs = vec![
            attr("type", string(p.kind.as_str())),
            attr("identifiers", texts(names, &p.ids)),
        ];
        blocks.push(block("principals", &[], attrs, Vec::new()));
    }
    for c in &s.conditions {
        let attrs = vec![
            attr("test", string(&c.operator)),
            attr("variable", string(&c.key)),
            attr("values", texts(names, &c.values)),
        ];
        blocks.push(block("condition", &[], attrs, Vec::new()));
    }
    block("statement", &[], attrs, blocks)
}

/// Everything of one account's roles: trust documents, roles, profiles and policies.
fn account_body(graph: &Graph, names: &Names, account: AccountIdx) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (idx, role) in graph.roles_in(account) {
        let n = &names.roles[idx.0];
        let role_ref = |attr_name: &str| reference("aws_iam_role", &[&n.role, attr_name]);
        blocks.push(policy_document(names, account, &n.trust_doc, &role.trust));
        blocks.push(role_block(graph, names, idx));
        if let Some(profile) = &role.instance_profile {
            let attrs = vec![
                provider(names, account),
                attr("name", string(profile)),
                attr("path", string(&role.path)),
                attr("role", role_ref("name")),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_instance_profile", &n.role],
                attrs,
                Vec::new(),
            ));
        }
        for (arn, label) in role.managed_policies.iter().zip(&n.managed) {
            let attrs = vec![
                provider(names, account),
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
        for (policy, label) in role.inline_policies.iter().zip(&n.inline) {
            blocks.push(policy_document(names, account, label, &policy.document));
            let attrs = vec![
                provider(names, account),
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
        if let Some(assume) = &role.assume {
            blocks.push(policy_document(names, account, &n.assume, &assume.document));
            let attrs = vec![
                provider(names, account),
                attr("name", string(&assume.name)),
                attr("path", string(&role.path)),
                attr(
                    "description",
                    string(assume.description.as_deref().unwrap_or_default()),
                ),
                attr(
                    "policy",
                    reference("data", &["aws_iam_policy_document", &n.assume, "json"]),
                ),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_policy", &n.assume],
                attrs,
                Vec::new(),
            ));
            let attrs = vec![
                provider(names, account),
                attr("role", role_ref("name")),
                attr(
                    "policy_arn",
                    reference("aws_iam_policy", &[&n.assume, "arn"]),
                ),
            ];
            blocks.push(block(
                "resource",
                &["aws_iam_role_policy_attachment", &n.assume],
                attrs,
                Vec::new(),
            ));
        }
    }
    blocks
}

fn role_block(graph: &Graph, names: &Names, idx: RoleIdx) -> Block {
    let role = graph.role(idx);
    let n = &names.roles[idx.0];
    let mut attrs = vec![
        provider(names, role.account),
        attr("name", string(&role.name)),
        attr("path", string(&role.path)),
    ];
    if let Some(d) = &role.description {
        attrs.push(attr("description", string(d)));
    }
    attrs.push(attr(
        "assume_role_policy",
        reference("data", &["aws_iam_policy_document", &n.trust_doc, "json"]),
    ));
    if let Some(m) = role.max_session_duration {
        attrs.push(attr("max_session_duration", Expression::Number(m.into())));
    }
    if let Some(pb) = &role.permissions_boundary {
        attrs.push(attr("permissions_boundary", string(pb)));
    }
    if !role.tags.is_empty() {
        let tags = role.tags.iter().map(|(k, v)| (k.as_str(), string(v)));
        attrs.push(attr("tags", self::hcl::object(tags)));
    }
    block("resource", &["aws_iam_role", &n.role], attrs, Vec::new())
}
