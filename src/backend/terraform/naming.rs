//! Terraform addresses for every block rolegraph emits. Two model keys that differ only
//! in case or in `-` against `_` would map to one address; that is reported at the model
//! position instead of producing a module Terraform rejects.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use foldhash::fast::RandomState;

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
    let mut out = String::with_capacity(key.len() + 1);
    // A label starts with a letter or `_`: every other character maps to one of those,
    // except a digit.
    if key.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(key.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        }
    }));
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

/// Labels already taken, per namespace (resource type, `data.` type, variable, output,
/// file). The labels are borrowed from the names already worked out: ten thousand of them
/// for a 1,000-account model, and the registry copies none.
struct Registry<'g, 'n> {
    graph: &'g Graph,
    taken: HashMap<(&'static str, &'n str), Claimant, RandomState>,
    /// One collision per model position: a role key that clashes clashes in every label.
    reported: BTreeSet<Loc>,
    diags: Diagnostics,
}

impl<'n> Registry<'_, 'n> {
    fn claim(&mut self, namespace: &'static str, label: &'n str, loc: &Loc, who: Claimant) {
        let first = match self.taken.entry((namespace, label)) {
            Entry::Occupied(first) => *first.get(),
            Entry::Vacant(slot) => {
                slot.insert(who);
                return;
            }
        };
        if !self.reported.insert(loc.clone()) {
            return;
        }
        let (what, first) = (who.describe(self.graph), first.describe(self.graph));
        let message =
            format!("{what} and {first} would both become Terraform `{namespace}.{label}`");
        self.diags.push(
            Diagnostic::at(loc, message)
                .hint("rename one key: Terraform labels are lowercase, with `-` written as `_`"),
        );
    }
}

/// Every label of the Terraform backend, or a diagnostic for each model position whose
/// label another key already takes. The names are worked out first, then claimed in
/// model order, so that the first key written keeps its label.
pub fn names(graph: &Graph) -> Result<Names, Diagnostics> {
    let aliases: Vec<String> = graph.accounts.iter().map(|a| ident(&a.key)).collect();
    let region_vars: Vec<String> = aliases.iter().map(|a| ["region_", a].concat()).collect();
    let files: Vec<String> = graph
        .accounts
        .iter()
        .map(|a| a.key.to_ascii_lowercase())
        .collect();
    let roles: Vec<RoleNames> = (0..graph.roles.len())
        .map(|i| role_names(graph, RoleIdx(i)))
        .collect();
    let diags = {
        let labels = FIXED_FILES.len() + 3 * graph.accounts.len() + graph.inputs.len();
        let mut reg = Registry {
            graph,
            taken: HashMap::with_capacity_and_hasher(
                labels + 8 * graph.roles.len(),
                RandomState::default(),
            ),
            reported: BTreeSet::new(),
            diags: Diagnostics::default(),
        };
        for fixed in FIXED_FILES {
            reg.taken.insert(("file", fixed), Claimant::File(fixed));
        }
        for (a, account) in graph.accounts.iter().enumerate() {
            let who = Claimant::Account(AccountIdx(a));
            reg.claim("file", &files[a], &account.loc, who);
            reg.claim("provider aws", &aliases[a], &account.loc, who);
            if account.region.is_none() {
                reg.claim("var", &region_vars[a], &account.loc, who);
            }
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
        for (i, names) in roles.iter().enumerate() {
            claim_role(&mut reg, names, RoleIdx(i));
        }
        reg.diags
    };
    diags.into_result(Names {
        roles,
        aliases,
        region_vars,
    })
}

fn role_names(graph: &Graph, idx: RoleIdx) -> RoleNames {
    let role = graph.role(idx);
    let base = ident(&role.key);
    let assume = (0..role.assume.len())
        .map(|n| crate::ir::numbered(&[&base, "_assume"].concat(), "_", n))
        .collect();
    let inline = role
        .inline_policies
        .iter()
        .map(|p| [&base, "_", &ident(&p.name)].concat())
        .collect();
    let managed = role
        .managed_policies
        .iter()
        .map(|arn| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            [&base, "_", &ident(name)].concat()
        })
        .collect();
    RoleNames {
        arn_output: [&base, "_role_arn"].concat(),
        profile_output: [&base, "_instance_profile_name"].concat(),
        trust_doc: [&base, "_trust"].concat(),
        role: base,
        assume,
        inline,
        managed,
    }
}

/// Claims every label of one role, in the order its blocks are written.
fn claim_role<'n>(reg: &mut Registry<'_, 'n>, names: &'n RoleNames, idx: RoleIdx) {
    let role = reg.graph.role(idx);
    let who = |part| Claimant::Role(idx, part);
    let loc = &role.loc;
    reg.claim("aws_iam_role", &names.role, loc, who(Part::Itself));
    reg.claim("output", &names.arn_output, loc, who(Part::ArnOutput));
    if role.instance_profile.is_some() {
        let profile = who(Part::InstanceProfile);
        reg.claim("aws_iam_instance_profile", &names.role, loc, profile);
        let output = who(Part::ProfileOutput);
        reg.claim("output", &names.profile_output, loc, output);
    }
    let trust = who(Part::TrustPolicy);
    reg.claim("data.aws_iam_policy_document", &names.trust_doc, loc, trust);
    for (n, label) in names.assume.iter().enumerate() {
        let w = who(Part::Assume(n));
        reg.claim("data.aws_iam_policy_document", label, loc, w);
        reg.claim("aws_iam_policy", label, loc, w);
        reg.claim("aws_iam_role_policy_attachment", label, loc, w);
    }
    for (n, (label, policy)) in names.inline.iter().zip(&role.inline_policies).enumerate() {
        let w = who(Part::Inline(n));
        reg.claim("data.aws_iam_policy_document", label, &policy.loc, w);
        reg.claim("aws_iam_role_policy", label, &policy.loc, w);
    }
    for (n, label) in names.managed.iter().enumerate() {
        let w = who(Part::Managed(n));
        reg.claim("aws_iam_role_policy_attachment", label, loc, w);
    }
}

impl Names {
    pub fn alias(&self, account: AccountIdx) -> &str {
        &self.aliases[account.0]
    }
}

#[cfg(test)]
mod tests {
    use super::ident;

    /// Each character becomes a lowercase letter, a digit or `_`, and a label that would
    /// start with a digit (or be empty) gets a leading `_`.
    #[test]
    fn labels_are_lowercase_snake_case() {
        let cases = [
            ("seqera-prod", "seqera_prod"),
            ("Prod_EU", "prod_eu"),
            ("-a", "_a"),
            ("_x", "_x"),
            ("9x", "_9x"),
            ("", "_"),
            ("é", "_"),
            ("éa9", "_a9"),
            ("a.b c", "a_b_c"),
        ];
        for (key, label) in cases {
            assert_eq!(ident(key), label, "key {key:?}");
        }
    }
}
