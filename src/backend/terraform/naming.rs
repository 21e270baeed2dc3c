//! Terraform addresses for every block rolegraph emits. Two model keys that differ only
//! in case or in `-` against `_` would map to one address; that is reported at the model
//! position instead of producing a module Terraform rejects.

use std::collections::{BTreeSet, HashMap};

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

/// Who claims a label, kept as indexes into the graph so that its description is written
/// only when two claims collide (ten thousand labels for a 1,000-account model, no clash).
#[derive(Clone, Copy)]
enum Claimant {
    File(&'static str),
    Account(AccountIdx),
    Input(usize),
    Role(RoleIdx, Part),
}

#[derive(Clone, Copy)]
enum Part {
    Itself,
    ArnOutput,
    InstanceProfile,
    ProfileOutput,
    TrustPolicy,
    Assume(usize),
    Inline(usize),
    Managed(usize),
}

impl Claimant {
    fn describe(self, graph: &Graph) -> String {
        let (role, part) = match self {
            Claimant::File(file) => return format!("the module's own `{file}.tf`"),
            Claimant::Account(a) => return format!("account `{}`", graph.accounts[a.0].key),
            Claimant::Input(i) => return format!("input `{}`", graph.inputs[i].name),
            Claimant::Role(idx, part) => (graph.role(idx), part),
        };
        let thing = match part {
            Part::Itself => return format!("role `{}`", role.key),
            Part::ArnOutput => "the ARN output".to_owned(),
            Part::InstanceProfile => "the instance profile".to_owned(),
            Part::ProfileOutput => "the instance profile output".to_owned(),
            Part::TrustPolicy => "the trust policy".to_owned(),
            Part::Assume(n) => format!("policy `{}`", role.assume[n].name),
            Part::Inline(n) => format!("policy `{}`", role.inline_policies[n].name),
            Part::Managed(n) => format!("managed policy `{}`", role.managed_policies[n]),
        };
        format!("{thing} of role `{}`", role.key)
    }
}

/// Labels already taken, per namespace (resource type, `data.` type, variable, output, file).
struct Registry<'g> {
    graph: &'g Graph,
    taken: HashMap<(&'static str, String), (Loc, Claimant)>,
    /// One collision per model position: a role key that clashes clashes in every label.
    reported: BTreeSet<Loc>,
    diags: Diagnostics,
}

impl<'g> Registry<'g> {
    fn claim(&mut self, namespace: &'static str, label: &str, loc: &Loc, who: Claimant) {
        let key = (namespace, label.to_owned());
        if let Some((_, first)) = self.taken.get(&key) {
            if !self.reported.insert(loc.clone()) {
                return;
            }
            let (what, first) = (who.describe(self.graph), first.describe(self.graph));
            let message =
                format!("{what} and {first} would both become Terraform `{namespace}.{label}`");
            self.diags.push(
                Diagnostic::at(loc, message).hint(
                    "rename one key: Terraform labels are lowercase, with `-` written as `_`",
                ),
            );
            return;
        }
        self.taken.insert(key, (loc.clone(), who));
    }
}

pub fn names(graph: &Graph) -> Result<Names, Diagnostics> {
    // About eight labels per role and three per account: one allocation, no rehashing.
    let labels = FIXED_FILES.len() + 3 * graph.accounts.len() + graph.inputs.len();
    let mut reg = Registry {
        graph,
        taken: HashMap::with_capacity(labels + 8 * graph.roles.len()),
        reported: BTreeSet::new(),
        diags: Diagnostics::default(),
    };
    let first_loc = graph
        .accounts
        .first()
        .map(|a| a.loc.clone())
        .unwrap_or_else(dummy_loc);
    for fixed in FIXED_FILES {
        reg.taken.insert(
            ("file", fixed.to_owned()),
            (first_loc.clone(), Claimant::File(fixed)),
        );
    }
    let mut aliases = Vec::new();
    let mut region_vars = Vec::new();
    for (a, account) in graph.accounts.iter().enumerate() {
        let who = Claimant::Account(AccountIdx(a));
        let alias = ident(&account.key);
        reg.claim("file", &account.key.to_ascii_lowercase(), &account.loc, who);
        reg.claim("provider aws", &alias, &account.loc, who);
        let region_var = format!("region_{alias}");
        if account.region.is_none() {
            reg.claim("var", &region_var, &account.loc, who);
        }
        aliases.push(alias);
        region_vars.push(region_var);
    }
    for (i, input) in graph.inputs.iter().enumerate() {
        if RESERVED_VARIABLES.contains(&input.name.as_str()) {
            let message = format!("input `{}` is a name Terraform reserves", input.name);
            reg.diags.push(Diagnostic::at(&input.loc, message).hint(
                "Terraform variables cannot be called source, version, providers, count, for_each, lifecycle, depends_on or locals; rename the input",
            ));
        }
        reg.claim("var", &input.name, &input.loc, Claimant::Input(i));
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
    let who = |part| Claimant::Role(idx, part);
    let loc = &role.loc;
    reg.claim("aws_iam_role", &base, loc, who(Part::Itself));
    let arn_output = format!("{base}_role_arn");
    let profile_output = format!("{base}_instance_profile_name");
    reg.claim("output", &arn_output, loc, who(Part::ArnOutput));
    if role.instance_profile.is_some() {
        reg.claim(
            "aws_iam_instance_profile",
            &base,
            loc,
            who(Part::InstanceProfile),
        );
        reg.claim("output", &profile_output, loc, who(Part::ProfileOutput));
    }
    let trust_doc = format!("{base}_trust");
    reg.claim(
        "data.aws_iam_policy_document",
        &trust_doc,
        loc,
        who(Part::TrustPolicy),
    );
    let assume = (0..role.assume.len())
        .map(|n| {
            let label = crate::ir::numbered(&format!("{base}_assume"), "_", n);
            let w = who(Part::Assume(n));
            reg.claim("data.aws_iam_policy_document", &label, loc, w);
            reg.claim("aws_iam_policy", &label, loc, w);
            reg.claim("aws_iam_role_policy_attachment", &label, loc, w);
            label
        })
        .collect();
    let inline = role
        .inline_policies
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let label = format!("{base}_{}", ident(&p.name));
            let w = who(Part::Inline(n));
            reg.claim("data.aws_iam_policy_document", &label, &p.loc, w);
            reg.claim("aws_iam_role_policy", &label, &p.loc, w);
            label
        })
        .collect();
    let managed = role
        .managed_policies
        .iter()
        .enumerate()
        .map(|(n, arn)| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            let label = format!("{base}_{}", ident(name));
            reg.claim(
                "aws_iam_role_policy_attachment",
                &label,
                loc,
                who(Part::Managed(n)),
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
