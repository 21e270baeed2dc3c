//! Terraform addresses for every block rolegraph emits. Two model keys that differ only
//! in case or in `-` against `_` would map to one address; that is reported at the model
//! position instead of producing a module Terraform rejects.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::ir::{AccountIdx, Graph, RoleIdx};

/// Files of the root module that are not per-account files.
pub const FIXED_FILES: [&str; 4] = ["versions", "providers", "variables", "outputs"];

/// Names Terraform does not allow for a variable.
const RESERVED_VARIABLES: [&str; 8] = [
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

pub struct Names {
    pub roles: Vec<RoleNames>,
    /// Provider alias per account, e.g. `management` for `aws.management`.
    pub aliases: Vec<String>,
    pub region_vars: Vec<String>,
}

pub struct RoleNames {
    /// Label of the role and its instance profile; every other label derives from it.
    pub role: String,
    /// The root module's outputs: the role's ARN, and its instance profile's name.
    pub arn_output: String,
    pub profile_output: String,
    pub trust_doc: String,
    /// One label per generated `-assume` policy: `<role>_assume`, `<role>_assume_2`, …
    pub assume: Vec<String>,
    pub inline: Vec<String>,
    pub managed: Vec<String>,
}

/// Lowercase snake case, Terraform's convention for labels.
pub fn ident(key: &str) -> String {
    let mut out: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Labels already taken, per namespace (resource type, `data.` type, variable, output, file).
#[derive(Default)]
struct Registry {
    taken: BTreeMap<(String, String), (Loc, String)>,
    /// One collision per model position: a role key that clashes clashes in every label.
    reported: std::collections::BTreeSet<Loc>,
    diags: Diagnostics,
}

impl Registry {
    fn claim(&mut self, namespace: &str, label: &str, loc: &Loc, what: String) {
        let key = (namespace.to_owned(), label.to_owned());
        if let Some((_, first)) = self.taken.get(&key) {
            if !self.reported.insert(loc.clone()) {
                return;
            }
            let message =
                format!("{what} and {first} would both become Terraform `{namespace}.{label}`");
            self.diags.push(
                Diagnostic::at(loc, message).hint(
                    "rename one key: Terraform labels are lowercase, with `-` written as `_`",
                ),
            );
            return;
        }
        self.taken.insert(key, (loc.clone(), what));
    }
}

pub fn names(graph: &Graph) -> Result<Names, Diagnostics> {
    let mut reg = Registry::default();
    for fixed in FIXED_FILES {
        reg.taken.insert(
            ("file".to_owned(), fixed.to_owned()),
            (
                graph
                    .accounts
                    .first()
                    .map(|a| a.loc.clone())
                    .unwrap_or_else(dummy_loc),
                format!("the module's own `{fixed}.tf`"),
            ),
        );
    }
    let mut aliases = Vec::new();
    let mut region_vars = Vec::new();
    for account in &graph.accounts {
        let what = format!("account `{}`", account.key);
        let alias = ident(&account.key);
        reg.claim(
            "file",
            &account.key.to_ascii_lowercase(),
            &account.loc,
            what.clone(),
        );
        reg.claim("provider aws", &alias, &account.loc, what.clone());
        let region_var = format!("region_{alias}");
        if account.region.is_none() {
            reg.claim("var", &region_var, &account.loc, what);
        }
        aliases.push(alias);
        region_vars.push(region_var);
    }
    for input in &graph.inputs {
        if RESERVED_VARIABLES.contains(&input.name.as_str()) {
            let message = format!("input `{}` is a name Terraform reserves", input.name);
            reg.diags.push(Diagnostic::at(&input.loc, message).hint(
                "Terraform variables cannot be called source, version, providers, count, for_each, lifecycle, depends_on or locals; rename the input",
            ));
        }
        reg.claim(
            "var",
            &input.name,
            &input.loc,
            format!("input `{}`", input.name),
        );
    }
    let roles = (0..graph.roles.len())
        .map(|i| role_names(&mut reg, graph, RoleIdx(i)))
        .collect();
    reg.diags.into_result(Names {
        roles,
        aliases,
        region_vars,
    })
}

fn role_names(reg: &mut Registry, graph: &Graph, idx: RoleIdx) -> RoleNames {
    let role = graph.role(idx);
    let base = ident(&role.key);
    let what = |thing: &str| format!("{thing} of role `{}`", role.key);
    let loc = &role.loc;
    reg.claim("aws_iam_role", &base, loc, format!("role `{}`", role.key));
    let arn_output = format!("{base}_role_arn");
    let profile_output = format!("{base}_instance_profile_name");
    reg.claim("output", &arn_output, loc, what("the ARN output"));
    if role.instance_profile.is_some() {
        reg.claim(
            "aws_iam_instance_profile",
            &base,
            loc,
            what("the instance profile"),
        );
        reg.claim(
            "output",
            &profile_output,
            loc,
            what("the instance profile output"),
        );
    }
    let trust_doc = format!("{base}_trust");
    reg.claim(
        "data.aws_iam_policy_document",
        &trust_doc,
        loc,
        what("the trust policy"),
    );
    let assume = role
        .assume
        .iter()
        .enumerate()
        .map(|(n, policy)| {
            let label = crate::ir::numbered(&format!("{base}_assume"), "_", n);
            let w = what(&format!("policy `{}`", policy.name));
            reg.claim("data.aws_iam_policy_document", &label, loc, w.clone());
            reg.claim("aws_iam_policy", &label, loc, w.clone());
            reg.claim("aws_iam_role_policy_attachment", &label, loc, w);
            label
        })
        .collect();
    let inline = role
        .inline_policies
        .iter()
        .map(|p| {
            let label = format!("{base}_{}", ident(&p.name));
            let w = what(&format!("policy `{}`", p.name));
            reg.claim("data.aws_iam_policy_document", &label, &p.loc, w.clone());
            reg.claim("aws_iam_role_policy", &label, &p.loc, w);
            label
        })
        .collect();
    let managed = role
        .managed_policies
        .iter()
        .map(|arn| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            let label = format!("{base}_{}", ident(name));
            reg.claim(
                "aws_iam_role_policy_attachment",
                &label,
                loc,
                what(&format!("managed policy `{arn}`")),
            );
            label
        })
        .collect();
    RoleNames {
        role: base,
        arn_output,
        profile_output,
        trust_doc,
        assume,
        inline,
        managed,
    }
}

fn dummy_loc() -> Loc {
    Loc::new(&"rolegraph.yaml".into(), 1, 1)
}

impl Names {
    pub fn alias(&self, account: AccountIdx) -> &str {
        &self.aliases[account.0]
    }
}
