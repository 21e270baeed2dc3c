//! Deploying a model's generated Terraform to moto, for the cloud tests: every root
//! module of the layout, in apply order, each provider pointed at moto with keys moto
//! attributes to its account; then a second plan that must be empty, and the IAM read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegraph::backend::terraform;
use rolegraph::plan::AccountIam;

use super::cloud::{Generated, Tools};
use super::moto::{Moto, account_specs, create_prerequisites, dump, harness};
use super::terraform::{copy_dir, terraform, terraform_status};

/// Provider alias → account id, read from the generated providers.tf.
fn provider_accounts(providers_tf: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut alias: Option<String> = None;
    for line in providers_tf.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("alias") {
            alias = rest.split('"').nth(1).map(str::to_owned);
        } else if let Some(a) = &alias {
            let quoted = line.trim_end_matches(',').trim_matches('"');
            if quoted.len() == 12 && quoted.bytes().all(|b| b.is_ascii_digit()) {
                out.push((a.clone(), quoted.to_owned()));
                alias = None;
            }
        }
    }
    out
}

/// apply, then a second plan that must be empty, then the IAM read back.
///
/// On a heavily loaded machine moto (one request at a time) can answer so slowly that
/// the provider gives up on a CreateRole that moto then completes, and its retry meets
/// `EntityAlreadyExists` on a fresh server. That one failure is retried once, on a new
/// server, and said so; output that really creates a role twice fails both times.
pub fn deploy_terraform(
    g: &Generated,
    tools: &Tools,
    work: &Path,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let attempt = |dir: &Path| {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let moto = Moto::start(&dir.join("moto-terraform.log"))?;
        terraform_on(&moto, g, tools, dir).map_err(|e| e + &moto.errors())
    };
    once_more_on_entity_exists(work, attempt)
}

/// `attempt` in `work`, and once more in `work/retry` (on the new moto server it starts)
/// when it failed on `EntityAlreadyExists`, with a line that says so: the provider
/// retrying a create that a slow moto then completed (see `deploy_terraform`).
pub fn once_more_on_entity_exists<T>(
    work: &Path,
    attempt: impl Fn(&Path) -> Result<T, String>,
) -> Result<T, String> {
    match attempt(work) {
        Err(err) if err.contains("EntityAlreadyExists") => {
            println!(
                "retrying once on a new moto server after a provider retry met EntityAlreadyExists:\n{}",
                err.lines()
                    .find(|l| l.contains("EntityAlreadyExists"))
                    .unwrap_or_default()
            );
            attempt(&work.join("retry"))
        }
        other => other,
    }
}

/// The root modules to apply, in order, each with the inputs it declares, as the
/// Terraform output map places them: one for the `root` and `module` layouts (the module
/// through its `example/`), one per account in deploy order for `per-account`.
fn terraform_roots(g: &Generated, dir: &Path) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let map = terraform::map::Map::new(&g.graph, g.layout).map_err(|d| d.to_string())?;
    // Without an order (accounts that trust each other both ways) only the single-root
    // layouts generate, and their one root needs none.
    let order = g
        .graph
        .deploy_order()
        .unwrap_or_else(|| g.graph.account_indices());
    let mut roots: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for account in order {
        let root = dir.join(map.root_folder(account));
        if roots.iter().any(|(r, _)| *r == root) {
            continue;
        }
        let inputs = map.root_inputs(&g.graph, account);
        roots.push((root, inputs.iter().map(|i| i.name.clone()).collect()));
    }
    Ok(roots)
}

/// Points every provider of one root module at moto, with keys that moto attributes to
/// the provider's account; returns the accounts it found.
fn override_providers(
    moto: &Moto,
    root: &Path,
    creds: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Vec<(String, String)>, String> {
    let providers =
        std::fs::read_to_string(root.join("providers.tf")).map_err(|e| e.to_string())?;
    let aliases = provider_accounts(&providers);
    let mut override_tf = String::from(
        "# Written by tests/support/cloud.rs: every provider talks to moto, with keys that\n\
         # moto attributes to the provider's account. allowed_account_ids stays in force.\n",
    );
    for (alias, id) in &aliases {
        let keys = creds
            .get(id)
            .ok_or(format!("no credentials for account {id}"))?;
        override_tf += &format!(
            "\nprovider \"aws\" {{\n  alias                       = \"{alias}\"\n  access_key                  = \"{}\"\n  secret_key                  = \"{}\"\n  token                       = \"{}\"\n  skip_credentials_validation = true\n  skip_metadata_api_check     = true\n\n  endpoints {{\n    iam = \"{url}\"\n    sts = \"{url}\"\n  }}\n}}\n",
            keys["access_key"],
            keys["secret_key"],
            keys["token"],
            url = moto.url
        );
    }
    std::fs::write(root.join("zz_override.tf"), override_tf).map_err(|e| e.to_string())?;
    Ok(aliases)
}

pub fn var_args(g: &Generated, names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|k| format!("-var={k}={}", g.inputs[k]))
        .collect()
}

/// The generated Terraform copied to `work`, every provider pointed at moto; returns the
/// root modules in apply order with the inputs each declares.
pub fn terraform_on_moto(
    moto: &Moto,
    g: &Generated,
    work: &Path,
) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    create_prerequisites(moto, &g.plan)?;
    terraform_on_existing(moto, g, work)
}

/// `terraform_on_moto` for accounts that hold what the model attaches already (an
/// adoption): no prerequisites are created.
pub fn terraform_on_existing(
    moto: &Moto,
    g: &Generated,
    work: &Path,
) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let dir = work.join("terraform");
    copy_dir(&g.out.join("terraform"), &dir);
    let specs = account_specs(&g.plan);
    let mut args = vec!["creds", moto.url.as_str()];
    args.extend(specs.iter().map(String::as_str));
    let creds: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&harness(&args)?).map_err(|e| e.to_string())?;
    let roots = terraform_roots(g, &dir)?;
    let mut providers = 0;
    for (root, _) in &roots {
        providers += override_providers(moto, root, &creds)?.len();
    }
    if providers != g.plan.accounts.len() {
        return Err(format!(
            "the {:?} layout configures {providers} aliased providers for {} accounts",
            g.layout,
            g.plan.accounts.len()
        ));
    }
    Ok(roots)
}

fn terraform_on(
    moto: &Moto,
    g: &Generated,
    tools: &Tools,
    work: &Path,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let roots = terraform_on_moto(moto, g, work)?;
    let config = &tools.tf_config;
    for (root, inputs) in &roots {
        let vars = var_args(g, inputs);
        // No separate `validate`: `apply` validates first and stops with the same
        // diagnostics, and each invocation starts one provider per account.
        terraform(&["init", "-input=false", "-no-color"], root, config)?;
        let mut apply = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        apply.extend(vars.iter().map(String::as_str));
        terraform(&apply, root, config)?;
    }
    // Only once every root is applied: a later root must not change an earlier one.
    for (root, inputs) in &roots {
        let vars = var_args(g, inputs);
        let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        plan.extend(vars.iter().map(String::as_str));
        match terraform_status(&plan, root, config)? {
            (0, _) => {}
            (2, output) => {
                return Err(format!(
                    "the plan of {} after apply is not empty (a perpetual diff):\n{output}",
                    root.display()
                ));
            }
            (code, output) => {
                return Err(format!("terraform plan failed with {code}:\n{output}"));
            }
        }
    }
    dump(moto, &g.plan)
}
