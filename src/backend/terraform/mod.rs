//! Terraform in one of three layouts. Every layout writes the same resources for an
//! account (see `resources`); they differ in where providers are configured and in how
//! many root modules, and so states, there are. There is never a default provider, so
//! nothing can be applied to an account by accident.

mod align;
mod hcl;
mod imports;
pub mod map;
mod moved;
mod naming;
mod readme;
mod resources;
mod root;

use ::hcl::{Block, Body, Expression, ObjectKey};

use self::hcl::{attr, block, reference, string};
use self::map::Map;
use self::naming::Names;
use self::resources::Emit;
use crate::backend::header::header;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{AccountIdx, Graph, RoleIdx};
use crate::live::Existing;
use crate::output::FileSet;
use crate::templates::Templates;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// One root module with an aliased provider per account.
    #[default]
    Root,
    /// A reusable module that takes its providers from the caller, and an `example/`
    /// root module that configures them and calls it.
    Module,
    /// One root module per account, each with its own provider, variables and state;
    /// role ARNs of other accounts are written out.
    PerAccount,
}

pub fn generate(
    graph: &Graph,
    templates: &Templates,
    options: &crate::backend::Options,
) -> Result<crate::backend::Output, Diagnostics> {
    let layout = options.terraform_layout;
    let map = Map::new(graph, layout)?;
    let mut files = match layout {
        Layout::Root => root_layout(graph, &map, templates),
        Layout::Module => module_layout(graph, &map, templates),
        Layout::PerAccount => per_account_layout(graph, &map, templates),
    }?;
    if let Some(existing) = options.adopt.as_deref() {
        add_imports(graph, &map, layout, existing, &mut files)?;
    }
    let current = moved::resources(graph, &map, layout);
    let moves = moved::moves(options.previous.as_deref(), &current)?;
    for (folder, pairs) in &moves.within {
        // `terraform` or `terraform/<root>`; the backend's files are relative to `terraform/`.
        let path = match folder.strip_prefix("terraform/") {
            Some(root) => format!("{root}/{}", moved::MOVED_FILE),
            None => moved::MOVED_FILE.to_owned(),
        };
        files.insert(path, render(graph, moved::blocks(pairs))?);
    }
    let mut warnings = moved::across_warnings(&moves);
    warnings.extend(layout_warning(graph, layout));
    Ok(crate::backend::Output {
        files,
        warnings,
        recorded: moved::recorded(current, &moves),
    })
}

/// `imports.tf` in each root module: the root, `example/` (addressing the module call),
/// or each account's root.
fn add_imports(
    graph: &Graph,
    map: &Map,
    layout: Layout,
    existing: &Existing,
    files: &mut FileSet,
) -> Result<(), Diagnostics> {
    let names = &map.names;
    match layout {
        Layout::Root => {
            let blocks = imports::blocks(graph, names, existing, all_roles(graph), None);
            imports::insert(files, graph, blocks)
        }
        Layout::Module => {
            let module = Some(map.module_label());
            let blocks = imports::blocks(graph, names, existing, all_roles(graph), module);
            let mut example = FileSet::default();
            imports::insert(&mut example, graph, blocks)?;
            files.nest(map::EXAMPLE_FOLDER, example);
            Ok(())
        }
        Layout::PerAccount => {
            for idx in graph.account_indices() {
                let roles = graph.roles_in(idx).map(|(r, _)| r);
                let blocks = imports::blocks(graph, names, existing, roles, None);
                let mut root = FileSet::default();
                imports::insert(&mut root, graph, blocks)?;
                files.nest(map.root_folder(idx), root);
            }
            Ok(())
        }
    }
}

/// The labels, variables and files of every layout are distinct (the layouts share them).
pub fn check_names(graph: &Graph) -> Result<(), Diagnostics> {
    naming::names(graph).map(|_| ())
}

/// Accounts above which one root module gets unwieldy: every plan refreshes every
/// account through its own provider, and one state holds them all.
pub const ROOT_LAYOUT_ACCOUNTS: usize = 50;

/// One root module for many accounts gets unwieldy; the per-account layout scales.
fn layout_warning(graph: &Graph, layout: Layout) -> Option<crate::backend::Warning> {
    let accounts = graph.accounts.len();
    if layout != Layout::Root || accounts <= ROOT_LAYOUT_ACCOUNTS {
        return None;
    }
    Some(crate::backend::Warning {
        message: format!(
            "the Terraform root module has {accounts} accounts, each with its own provider alias, in one state: every plan configures {accounts} providers"
        ),
        hint: "use `--terraform-layout per-account` for one root module (and state) per account"
            .to_owned(),
    })
}

fn all_roles(graph: &Graph) -> impl Iterator<Item = RoleIdx> {
    (0..graph.roles.len()).map(RoleIdx)
}

fn root_layout(graph: &Graph, map: &Map, templates: &Templates) -> Result<FileSet, Diagnostics> {
    let names = &map.names;
    let accounts = graph.account_indices();
    let inputs: Vec<_> = graph.inputs.iter().collect();
    let emit = Emit {
        graph,
        names,
        literal_foreign_arns: false,
        verify_account: false,
    };
    let mut files = FileSet::default();
    files.insert("README.md", readme::root(graph, map, templates)?);
    root_module_files(graph, names, &accounts, &inputs, &mut files)?;
    let outputs = root::role_outputs(graph, names, all_roles(graph));
    files.insert("outputs.tf", render(graph, root::outputs(outputs))?);
    account_files(&emit, map, &mut files)?;
    Ok(files)
}

/// `versions.tf`, `providers.tf` and `variables.tf` of a root module that configures the
/// providers of `accounts` itself and takes `inputs`: the same in every layout's roots.
fn root_module_files(
    graph: &Graph,
    names: &Names,
    accounts: &[AccountIdx],
    inputs: &[&crate::ir::Input],
    files: &mut FileSet,
) -> Result<(), Diagnostics> {
    files.insert(
        "versions.tf",
        render(graph, root::versions(graph, names, None))?,
    );
    let providers = root::providers(graph, names, accounts);
    files.insert("providers.tf", render(graph, providers)?);
    let variables = root::variables(graph, names, accounts, inputs);
    files.insert("variables.tf", render(graph, variables)?);
    Ok(())
}

/// `<account>.tf` for every account.
fn account_files(emit: &Emit, map: &Map, files: &mut FileSet) -> Result<(), Diagnostics> {
    for account in emit.graph.account_indices() {
        let file = map.account_file(account);
        files.insert(file, render(emit.graph, emit.account(account))?);
    }
    Ok(())
}

/// The module's own files, and `example/`: the root module a user would write to call it.
fn module_layout(graph: &Graph, map: &Map, templates: &Templates) -> Result<FileSet, Diagnostics> {
    let names = &map.names;
    let accounts = graph.account_indices();
    let inputs: Vec<_> = graph.inputs.iter().collect();
    let emit = Emit {
        graph,
        names,
        literal_foreign_arns: false,
        verify_account: true,
    };
    let module_name = map.module_label();
    let mut files = FileSet::default();
    files.insert("README.md", readme::module(graph, map, templates)?);
    let versions = root::versions(graph, names, Some(&accounts));
    files.insert("versions.tf", render(graph, versions)?);
    let variables = root::variables(graph, names, &[], &inputs);
    files.insert("variables.tf", render(graph, variables)?);
    let outputs = root::role_outputs(graph, names, all_roles(graph));
    let passthrough = outputs
        .iter()
        .map(|o| root::Output {
            name: o.name.clone(),
            description: o.description.clone(),
            value: reference("module", &[module_name, &o.name]),
        })
        .collect();
    files.insert("outputs.tf", render(graph, root::outputs(outputs))?);
    account_files(&emit, map, &mut files)?;
    let mut example = FileSet::default();
    root_module_files(graph, names, &accounts, &inputs, &mut example)?;
    let call = module_call(graph, names, module_name);
    example.insert(map::MAIN_FILE, render(graph, vec![call])?);
    example.insert("outputs.tf", render(graph, root::outputs(passthrough))?);
    files.nest(map::EXAMPLE_FOLDER, example);
    Ok(files)
}

/// `module "<model>" { source = "../", providers = { aws.x = aws.x }, <input> = var.<input> }`
fn module_call(graph: &Graph, names: &Names, module_name: &str) -> Block {
    let mut providers = ::hcl::Object::new();
    for alias in &names.aliases {
        providers.insert(
            ObjectKey::Expression(reference("aws", &[alias])),
            reference("aws", &[alias]),
        );
    }
    let mut attrs = vec![
        attr("source", string("../")),
        attr("providers", Expression::Object(providers)),
    ];
    for input in &graph.inputs {
        attrs.push(attr(&input.name, reference("var", &[&input.name])));
    }
    block("module", &[module_name], attrs, Vec::new())
}

/// A root module per account in `<account>/`, and a README that orders the applies.
fn per_account_layout(
    graph: &Graph,
    map: &Map,
    templates: &Templates,
) -> Result<FileSet, Diagnostics> {
    let names = &map.names;
    let order = graph.deploy_order_for(
        "per-account Terraform root modules",
        ", or use `--terraform-layout root`, where Terraform orders the roles itself",
    )?;
    let emit = Emit {
        graph,
        names,
        literal_foreign_arns: true,
        verify_account: false,
    };
    let mut files = FileSet::default();
    files.insert(
        "README.md",
        readme::per_account(graph, map, &order, templates)?,
    );
    for idx in graph.account_indices() {
        let mut root_module = FileSet::default();
        let inputs = graph.inputs_in(idx);
        root_module_files(graph, names, &[idx], &inputs, &mut root_module)?;
        let roles = graph.roles_in(idx).map(|(r, _)| r);
        let outputs = root::role_outputs(graph, names, roles);
        root_module.insert("outputs.tf", render(graph, root::outputs(outputs))?);
        root_module.insert(map::MAIN_FILE, render(graph, emit.account(idx))?);
        files.nest(map.root_folder(idx), root_module);
    }
    Ok(files)
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
