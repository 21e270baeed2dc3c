//! Where each thing the Terraform backend writes lives, in each layout: the file of an
//! account's resources, the folder to run `terraform` in, and the address of a role, an
//! instance profile or a policy there (`module.<name>.` included). The emitter, the
//! READMEs and the Seqera backend all ask this map; nothing else formats a Terraform
//! address or file name. Labels come from `naming`, which makes them distinct.

use super::Layout;
use super::naming::{self, Names};
use crate::diag::Diagnostics;
use crate::ir::{AccountIdx, Graph, Input, RoleIdx};

/// The per-account layout's resource file in each account's folder.
pub const MAIN_FILE: &str = "main.tf";
/// The module layout's root module that calls the module.
pub const EXAMPLE_FOLDER: &str = "example";

pub struct Map {
    pub names: Names,
    layout: Layout,
    /// The module call's label in the module layout: the model name as a label.
    module: String,
    accounts: Vec<String>,
}

impl Map {
    pub fn new(graph: &Graph, layout: Layout) -> Result<Map, Diagnostics> {
        Ok(Map {
            names: naming::names(graph)?,
            layout,
            module: naming::ident(&graph.name),
            accounts: graph.accounts.iter().map(|a| a.key.clone()).collect(),
        })
    }

    /// The label of `module "<label>"` in the module layout's `example/main.tf`.
    pub fn module_label(&self) -> &str {
        &self.module
    }

    /// The folder under `terraform/` to run `terraform` in for `account`'s roles; empty for
    /// the root layout's single root module.
    pub fn root_folder(&self, account: AccountIdx) -> &str {
        match self.layout {
            Layout::Root => "",
            Layout::Module => EXAMPLE_FOLDER,
            Layout::PerAccount => &self.accounts[account.0],
        }
    }

    /// Whether one root module holds every account (so one variables file serves all).
    pub fn one_root(&self) -> bool {
        self.layout != Layout::PerAccount
    }

    /// `root_folder` as a path from the output folder: `terraform`, `terraform/example`,
    /// `terraform/<account>`.
    pub fn root_path(&self, account: AccountIdx) -> String {
        let top = crate::backend::Backend::Terraform.folder();
        match self.root_folder(account) {
            "" => top.to_owned(),
            folder => format!("{top}/{folder}"),
        }
    }

    /// The inputs the root module of `account`'s folder declares as variables: all of
    /// them where one root module holds every account.
    pub fn root_inputs<'g>(&self, graph: &'g Graph, account: AccountIdx) -> Vec<&'g Input> {
        match self.layout {
            Layout::Root | Layout::Module => graph.inputs.iter().collect(),
            Layout::PerAccount => graph.inputs_in(account),
        }
    }

    /// The file that holds `account`'s resources, relative to `terraform/`.
    pub fn account_file(&self, account: AccountIdx) -> String {
        let key = &self.accounts[account.0];
        match self.layout {
            Layout::Root | Layout::Module => format!("{key}.tf"),
            Layout::PerAccount => format!("{key}/{MAIN_FILE}"),
        }
    }

    /// `module.<name>.` in the module layout, where the resources sit in the called module.
    fn prefix(&self) -> String {
        match self.layout {
            Layout::Module => format!("module.{}.", self.module),
            Layout::Root | Layout::PerAccount => String::new(),
        }
    }

    pub fn role_address(&self, role: RoleIdx) -> String {
        format!(
            "{}aws_iam_role.{}",
            self.prefix(),
            self.names.role(role).role()
        )
    }

    /// The instance profile's address (it shares the role's label).
    pub fn instance_profile_address(&self, role: RoleIdx) -> String {
        format!(
            "{}aws_iam_instance_profile.{}",
            self.prefix(),
            self.names.role(role).role()
        )
    }

    /// The address of the `n`th generated `-assume` policy of `role`.
    pub fn assume_policy_address(&self, role: RoleIdx, n: usize) -> String {
        format!(
            "{}aws_iam_policy.{}",
            self.prefix(),
            self.names
                .role(role)
                .assume()
                .nth(n)
                .expect("an -assume policy of the role")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Graph {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/seed/rolegraph.yaml");
        crate::compile(&path).expect("the seed is valid")
    }

    /// Every layout answers for the seed's platform role (in `management`).
    #[test]
    fn each_layout_names_its_own_folder_file_and_address() {
        let graph = seed();
        let platform = RoleIdx(
            graph
                .roles
                .iter()
                .position(|r| r.key == "platform")
                .unwrap(),
        );
        let account = graph.role(platform).account;
        let expect = [
            (Layout::Root, "terraform", "management.tf", ""),
            (
                Layout::Module,
                "terraform/example",
                "management.tf",
                "module.seqera_platform.",
            ),
            (
                Layout::PerAccount,
                "terraform/management",
                "management/main.tf",
                "",
            ),
        ];
        for (layout, path, file, prefix) in expect {
            let map = Map::new(&graph, layout).unwrap();
            assert_eq!(map.root_path(account), path, "{layout:?}");
            assert_eq!(map.account_file(account), file, "{layout:?}");
            assert_eq!(
                map.role_address(platform),
                format!("{prefix}aws_iam_role.platform")
            );
            assert_eq!(
                map.instance_profile_address(platform),
                format!("{prefix}aws_iam_instance_profile.platform")
            );
            assert_eq!(
                map.assume_policy_address(platform, 0),
                format!("{prefix}aws_iam_policy.platform_assume")
            );
        }
    }
}
