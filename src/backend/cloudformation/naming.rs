//! CloudFormation logical IDs: alphanumeric only, unique across a template's parameters
//! and resources. Keys that differ only in `-`, `_` or case can map to one ID; that is
//! reported at the model position.

use std::collections::BTreeMap;

use super::map::Map;
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::ir::{AccountIdx, Graph};

/// `seqera-prod_role` → `SeqeraProdRole`.
pub fn pascal(key: &str) -> String {
    key.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

pub struct RoleIds {
    pub role: String,
    pub profile: String,
    base: String,
}

impl RoleIds {
    pub fn new(key: &str) -> Self {
        let base = pascal(key);
        RoleIds {
            role: format!("{base}Role"),
            profile: format!("{base}InstanceProfile"),
            base,
        }
    }

    /// The `n`th (from 0) of the role's generated `-assume` policies:
    /// `<Base>AssumePolicy`, `<Base>AssumePolicy2`, …
    pub fn assume(&self, n: usize) -> String {
        crate::ir::numbered(&format!("{}AssumePolicy", self.base), "", n)
    }
}

/// Template files must differ in more than case (file systems that ignore case would
/// merge them): `prod-2.yaml` is both account `prod-2`'s template and the second part of
/// account `prod`'s.
pub fn check_files(graph: &Graph, map: &Map) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (s, stack) in map.stacks.stacks.iter().enumerate() {
        let file = map.stack_file(s);
        let account = graph.account(stack.account);
        match files.get(&file.to_ascii_lowercase()) {
            Some(first) if *first != account.key => {
                diags.push(collision(
                    &account.loc,
                    &file,
                    "account",
                    &account.key,
                    first,
                ));
            }
            Some(_) => {}
            None => {
                files.insert(file.to_ascii_lowercase(), account.key.clone());
            }
        }
    }
    diags.into_result(())
}

/// Checks that the IDs a template will use are distinct.
pub fn check(graph: &Graph) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    for (i, _) in graph.accounts.iter().enumerate() {
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut claim = |id: String, loc: &Loc, what: String| {
            if let Some(first) = ids.get(&id) {
                diags.push(
                    Diagnostic::at(
                        loc,
                        format!(
                            "{what} and {first} would both become CloudFormation logical ID `{id}`"
                        ),
                    )
                    .hint("rename one key: logical IDs keep letters and digits only"),
                );
            } else {
                ids.insert(id, what);
            }
        };
        for (_, role) in graph.roles_in(AccountIdx(i)) {
            let r = RoleIds::new(&role.key);
            claim(r.role.clone(), &role.loc, format!("role `{}`", role.key));
            if role.instance_profile.is_some() {
                claim(
                    r.profile.clone(),
                    &role.loc,
                    format!("the instance profile of role `{}`", role.key),
                );
            }
            for (n, policy) in role.assume.iter().enumerate() {
                claim(
                    r.assume(n),
                    &role.loc,
                    format!("policy `{}` of role `{}`", policy.name, role.key),
                );
            }
        }
        for input in graph.inputs_in(AccountIdx(i)) {
            claim(
                pascal(&input.name),
                &input.loc,
                format!("input `{}`", input.name),
            );
        }
    }
    diags.into_result(())
}

fn collision(loc: &Loc, file: &str, kind: &str, key: &str, first: &str) -> Diagnostic {
    Diagnostic::at(
        loc,
        format!("{kind} `{key}` and account `{first}` would both write cloudformation/{file}"),
    )
    .hint("file names ignore case on some systems, and a large account's templates are numbered (`<account>-2.yaml`); rename one key")
}
