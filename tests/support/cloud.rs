//! Deploying a model's generated Terraform and CloudFormation to moto and reading back
//! what each built, for tests/cloud_equivalence.rs. The Python side (moto_harness.py)
//! talks to moto; this side runs the tools and compares.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rolegraph::plan::{AccountIam, Difference, Plan};

pub use super::moto::{Moto, deploy_stacks, dump};
use super::moto::{account_specs, create_prerequisites, harness};

use super::terraform::{
    available, cli_config, copy_dir, provider_mirror, terraform, terraform_status,
};
use super::{bin, require_tool, text};

/// What the cloud tests need on the machine; `None` (after a printed reason) skips them.
pub struct Tools {
    pub tf_config: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn tools() -> Option<Tools> {
    let python = Command::new("python3")
        .args(["-c", "import moto, boto3, yaml, flask, flask_cors"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool("terraform", available("terraform", "version"))
        || !require_tool("python3 with moto[server], boto3 and PyYAML", python)
        || !require_tool("cfn-lint", available("cfn-lint", "--version"))
    {
        return None;
    }
    let mirror =
        provider_mirror().filter(|m| m.join("registry.terraform.io/hashicorp/aws").is_dir());
    let Some(mirror) = mirror else {
        require_tool("the hashicorp/aws provider mirror", false);
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let tf_config = cli_config(dir.path(), &mirror);
    // Terraform's plugin cache is not safe for concurrent installs: two `init`s filling an
    // empty cache at once can each see the other's half-copied provider. Fill it once here;
    // the parallel `init`s after this only link from it (see `cli_config`).
    let warm = dir.path().join("warm-cache");
    std::fs::create_dir_all(&warm).unwrap();
    std::fs::write(
        warm.join("versions.tf"),
        "terraform {\n  required_providers {\n    aws = {\n      source = \"hashicorp/aws\"\n    }\n  }\n}\n",
    )
    .unwrap();
    if let Err(err) = terraform(
        &["init", "-input=false", "-backend=false"],
        &warm,
        &tf_config,
    ) {
        panic!("cannot fill the provider cache from the mirror: {err}");
    }
    Some(Tools {
        tf_config,
        _dir: dir,
    })
}

/// A model run through `generate` and `plan`, with a value for every input.
pub struct Generated {
    pub out: PathBuf,
    /// The `--terraform-layout` it was generated with.
    pub layout: &'static str,
    pub plan: Plan,
    pub graph: rolegraph::ir::Graph,
    pub inputs: BTreeMap<String, String>,
}

/// A value each input accepts (AWS's External ID rule), different per input.
fn input_value(name: &str) -> String {
    format!("ext-{}:{}", name.replace('_', "-"), name.len())
}

pub fn generate(model: &Path, work: &Path) -> Result<Generated, String> {
    generate_layout(model, work, "root")
}

pub fn generate_layout(
    model: &Path,
    work: &Path,
    layout: &'static str,
) -> Result<Generated, String> {
    generate_with(model, work, layout, "per-account")
}

/// `generate` with the given `--terraform-layout` and `--cloudformation-layout`.
pub fn generate_with(
    model: &Path,
    work: &Path,
    layout: &'static str,
    cloudformation_layout: &str,
) -> Result<Generated, String> {
    let out = work.join("out");
    let generated = bin()
        .args([
            "generate".as_ref(),
            model.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--terraform-layout".as_ref(),
            layout.as_ref(),
            "--cloudformation-layout".as_ref(),
            cloudformation_layout.as_ref(),
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !generated.status.success() {
        return Err(format!("generate failed:\n{}", text(&generated.stderr)));
    }
    let graph = rolegraph::compile(model).map_err(|d| d.to_string())?;
    let inputs: BTreeMap<String, String> = graph
        .inputs
        .iter()
        .map(|i| (i.name.clone(), input_value(&i.name)))
        .collect();
    let mut cmd = bin();
    cmd.args([
        "plan".as_ref(),
        model.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    for (name, value) in &inputs {
        cmd.arg("--var").arg(format!("{name}={value}"));
    }
    let planned = cmd.output().map_err(|e| e.to_string())?;
    if !planned.status.success() {
        return Err(format!("plan failed:\n{}", text(&planned.stderr)));
    }
    let plan: Plan =
        serde_json::from_slice(&planned.stdout).map_err(|e| format!("plan JSON: {e}"))?;
    Ok(Generated {
        out,
        layout,
        plan,
        graph,
        inputs,
    })
}

/// `cfn-lint` on every template, as a user's CI would run it (`terraform validate` runs
/// in the deploy folder, after its `init`).
pub fn cfn_lint(g: &Generated) -> Result<(), String> {
    let top = g.out.join("cloudformation");
    let templates: Vec<PathBuf> = [top.clone(), top.join("stacksets")]
        .iter()
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    let out = Command::new("cfn-lint")
        .args(&templates)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "cfn-lint failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ));
    }
    Ok(())
}

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
    validate: bool,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let attempt = |dir: &Path| {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let moto = Moto::start(&dir.join("moto-terraform.log"))?;
        terraform_on(&moto, g, tools, dir, validate).map_err(|e| e + &moto.errors())
    };
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

/// The root modules to apply, in order, each with the inputs it declares: one for the
/// `root` and `module` layouts (the module through its `example/`), one per account in
/// deploy order for `per-account`.
fn terraform_roots(g: &Generated, dir: &Path) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let all_inputs: Vec<String> = g.inputs.keys().cloned().collect();
    Ok(match g.layout {
        "root" => vec![(dir.to_path_buf(), all_inputs)],
        "module" => vec![(dir.join("example"), all_inputs)],
        "per-account" => {
            let order = g.plan.deploy_order.as_ref().ok_or("no deploy order")?;
            let mut roots = Vec::new();
            for key in order {
                let idx = g.graph.accounts.iter().position(|a| &a.key == key);
                let idx = rolegraph::ir::AccountIdx(idx.ok_or("unknown account")?);
                let inputs = g
                    .graph
                    .inputs_in(idx)
                    .iter()
                    .map(|i| i.name.clone())
                    .collect();
                roots.push((dir.join(key), inputs));
            }
            roots
        }
        other => return Err(format!("unknown layout {other}")),
    })
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
            "the {} layout configures {providers} aliased providers for {} accounts",
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
    validate: bool,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let roots = terraform_on_moto(moto, g, work)?;
    let config = &tools.tf_config;
    for (root, inputs) in &roots {
        let vars = var_args(g, inputs);
        terraform(&["init", "-input=false", "-no-color"], root, config)?;
        if validate {
            terraform(&["validate", "-no-color"], root, config)?;
        }
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

/// One stack per account template, in the plan's deploy order, each created with keys
/// that moto attributes to its account.
pub fn deploy_cloudformation(
    g: &Generated,
    work: &Path,
    edit: &dyn Fn(&str, String) -> String,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let moto = Moto::start(&work.join("moto-cloudformation.log"))?;
    cloudformation_on(&moto, g, work, edit).map_err(|e| e + &moto.errors())
}

fn cloudformation_on(
    moto: &Moto,
    g: &Generated,
    work: &Path,
    edit: &dyn Fn(&str, String) -> String,
) -> Result<BTreeMap<String, AccountIam>, String> {
    create_prerequisites(moto, &g.plan)?;
    let order = g
        .plan
        .deploy_order
        .as_ref()
        .ok_or("the model has no deploy order")?;
    let dir = work.join("cloudformation");
    copy_dir(&g.out.join("cloudformation"), &dir);
    let mut stacks = Vec::new();
    for key in order {
        let account = &g.plan.accounts[key];
        for (file, part) in account_templates(&dir, key) {
            let template = dir.join(&file);
            let body = std::fs::read_to_string(&template).map_err(|e| e.to_string())?;
            let parameters: BTreeMap<String, String> = template_parameters(&body)
                .into_iter()
                .map(|name| {
                    let input = g
                        .graph
                        .inputs
                        .iter()
                        .find(|i| {
                            rolegraph::backend::cloudformation::parameter_name(&i.name) == name
                        })
                        .ok_or(format!("{file}: parameter {name} is no input"))?;
                    Ok((name, g.inputs[&input.name].clone()))
                })
                .collect::<Result<_, String>>()?;
            std::fs::write(&template, edit(key, body)).map_err(|e| e.to_string())?;
            let stack: String = format!("{key}-{part}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            stacks.push(serde_json::json!({
                "account": format!("{}:{}:{}", account.id, account.partition, account.region),
                "stack": format!("rolegraph-{stack}"),
                "template": template,
                "parameters": parameters,
            }));
        }
    }
    stacks.extend(stackset_instances(g, &dir)?);
    deploy_stacks(moto, work, &stacks)?;
    dump(moto, &g.plan)
}

/// Every StackSet instance as a stack of its own, after all other stacks (nothing waits
/// for a StackSet's roles): `stacksets/<name>.yaml` with the parameters of
/// `stacksets/<name>/<account id>.json`, each input's placeholder replaced by its value.
fn stackset_instances(g: &Generated, dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let sets = dir.join("stacksets");
    let mut out = Vec::new();
    if !sets.is_dir() {
        return Ok(out);
    }
    let mut templates: Vec<PathBuf> = std::fs::read_dir(&sets)
        .map_err(|e| e.to_string())?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    templates.sort();
    for template in templates {
        let name = template.file_stem().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(sets.join(&name))
            .map_err(|e| e.to_string())?
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let id = file.file_stem().unwrap().to_string_lossy().into_owned();
            let account = g
                .plan
                .accounts
                .values()
                .find(|a| a.id == id)
                .ok_or(format!("{}: no account {id}", file.display()))?;
            let json: Vec<BTreeMap<String, String>> =
                serde_json::from_str(&std::fs::read_to_string(&file).map_err(|e| e.to_string())?)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            let mut parameters = BTreeMap::new();
            for p in json {
                let value = &p["ParameterValue"];
                let value = match value
                    .strip_prefix("<value of input ")
                    .and_then(|v| v.strip_suffix('>'))
                {
                    Some(input) => g.inputs[input].clone(),
                    None => value.clone(),
                };
                parameters.insert(p["ParameterKey"].clone(), value);
            }
            out.push(serde_json::json!({
                "account": format!("{}:{}:{}", account.id, account.partition, account.region),
                "stack": format!("rolegraph-stackset-{name}"),
                "template": template,
                "parameters": parameters,
            }));
        }
    }
    Ok(out)
}

/// An account's templates in deploy order: `<key>.yaml`, then `<key>-2.yaml`, … while
/// they exist (none when the StackSet layout put all its roles in StackSets).
fn account_templates(dir: &Path, key: &str) -> Vec<(String, usize)> {
    if !dir.join(format!("{key}.yaml")).is_file() {
        return Vec::new();
    }
    let mut out = vec![(format!("{key}.yaml"), 1)];
    for part in 2.. {
        let file = format!("{key}-{part}.yaml");
        if !dir.join(&file).is_file() {
            break;
        }
        out.push((file, part));
    }
    out
}

/// The names under a template's top-level `Parameters:`.
fn template_parameters(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in body.lines() {
        if !line.starts_with(' ') {
            inside = line == "Parameters:";
            continue;
        }
        if inside
            && let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !name.starts_with(' ')
        {
            out.push(name.to_owned());
        }
    }
    out
}

/// The three-way check: Terraform's state == the plan == CloudFormation's state.
pub fn three_way(g: &Generated, tools: &Tools, work: &Path, validate: bool) -> Result<(), String> {
    let (terraform, cloudformation) = std::thread::scope(|s| {
        let tf = s.spawn(|| deploy_terraform(g, tools, work, validate));
        let cf = deploy_cloudformation(g, work, &|_, body| body);
        (
            tf.join()
                .unwrap_or_else(|_| Err("terraform deploy panicked".into())),
            cf,
        )
    });
    let mut report = Vec::new();
    for (backend, state) in [("terraform", terraform), ("cloudformation", cloudformation)] {
        match state {
            Ok(state) => report.extend(
                rolegraph::plan::compare(&g.plan, &state)
                    .iter()
                    .map(|d: &Difference| format!("{backend}: {d}")),
            ),
            Err(err) => report.push(format!("{backend}: {err}")),
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.join("\n"))
    }
}
