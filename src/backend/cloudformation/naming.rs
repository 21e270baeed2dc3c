//! CloudFormation logical IDs: alphanumeric only, unique across a template's parameters
//! and resources. Keys that differ only in `-`, `_` or case can map to one ID; that is
//! reported at the model position.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use foldhash::fast::RandomState;

use super::map::Map;
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::ir::{AccountIdx, Graph, Input, RoleIdx};

/// `seqera-prod_role` → `SeqeraProdRole`: the runs of ASCII letters and digits, each with
/// its first letter in upper case.
pub fn pascal(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut word_start = true;
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if word_start {
                c.to_ascii_uppercase()
            } else {
                c
            });
            word_start = false;
        } else {
            word_start = true;
        }
    }
    out
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
            role: [&base, "Role"].concat(),
            profile: [&base, "InstanceProfile"].concat(),
            base,
        }
    }

    /// The `n`th (from 0) of the role's generated `-assume` policies:
    /// `<Base>AssumePolicy`, `<Base>AssumePolicy2`, …
    pub fn assume(&self, n: usize) -> String {
        crate::ir::numbered(&[&self.base, "AssumePolicy"].concat(), "", n)
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

/// What takes a logical ID, described only when two take the same one.
#[derive(Clone, Copy)]
enum Owner<'g> {
    Role(RoleIdx),
    InstanceProfile(RoleIdx),
    Assume(RoleIdx, usize),
    Input(&'g Input),
}

impl Owner<'_> {
    fn describe(self, graph: &Graph) -> String {
        match self {
            Owner::Role(r) => format!("role `{}`", graph.role(r).key),
            Owner::InstanceProfile(r) => {
                format!("the instance profile of role `{}`", graph.role(r).key)
            }
            Owner::Assume(r, n) => {
                let role = graph.role(r);
                format!("policy `{}` of role `{}`", role.assume[n].name, role.key)
            }
            Owner::Input(input) => format!("input `{}`", input.name),
        }
    }
}

/// Checks that the IDs a template will use are distinct.
pub fn check<'g>(graph: &'g Graph) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut ids: HashMap<String, Owner<'g>, RandomState> = HashMap::default();
    for (i, _) in graph.accounts.iter().enumerate() {
        ids.clear();
        let mut claim = |id: String, loc: &Loc, owner: Owner<'g>| match ids.entry(id) {
            Entry::Occupied(first) => {
                let (what, first, id) = (
                    owner.describe(graph),
                    first.get().describe(graph),
                    first.key(),
                );
                diags.push(
                    Diagnostic::at(
                        loc,
                        format!(
                            "{what} and {first} would both become CloudFormation logical ID `{id}`"
                        ),
                    )
                    .hint("rename one key: logical IDs keep letters and digits only"),
                );
            }
            Entry::Vacant(slot) => {
                slot.insert(owner);
            }
        };
        for (idx, role) in graph.roles_in(AccountIdx(i)) {
            let mut r = RoleIds::new(&role.key);
            claim(std::mem::take(&mut r.role), &role.loc, Owner::Role(idx));
            if role.instance_profile.is_some() {
                let profile = std::mem::take(&mut r.profile);
                claim(profile, &role.loc, Owner::InstanceProfile(idx));
            }
            for n in 0..role.assume.len() {
                claim(r.assume(n), &role.loc, Owner::Assume(idx, n));
            }
        }
        for input in graph.inputs_in(AccountIdx(i)) {
            claim(pascal(&input.name), &input.loc, Owner::Input(input));
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

#[cfg(test)]
mod tests {
    use super::pascal;

    /// The runs of ASCII letters and digits, each capitalised; everything else is dropped.
    #[test]
    fn logical_ids_are_pascal_case() {
        let cases = [
            ("seqera-prod_role", "SeqeraProdRole"),
            ("a--b", "AB"),
            ("x9y", "X9y"),
            ("9lives", "9lives"),
            ("é-a", "A"),
            ("aéb", "AB"),
            ("", ""),
        ];
        for (key, id) in cases {
            assert_eq!(pascal(key), id, "key {key:?}");
        }
    }
}
