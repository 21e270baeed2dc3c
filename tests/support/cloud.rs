//! Deploying a model's generated Terraform and CloudFormation to moto and reading back
//! what each built, for the cloud tests: the tools they need, the generated output, and
//! the three-way comparison. Each backend's deployment is beside this file
//! (`deploy_terraform.rs`, `deploy_cloudformation.rs`); the Python side (moto_harness.py)
//! talks to moto.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rolegraph::backend::{cloudformation, flag_value, terraform};
use rolegraph::plan::{Difference, Plan};

pub use super::deploy_cloudformation::deploy_cloudformation;
pub use super::deploy_terraform::{
    deploy_terraform, terraform_on_existing, terraform_on_moto, var_args,
};
pub use super::moto::{Moto, dump};

use super::terraform::{available, cli_config, provider_mirror, terraform};
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
    pub layout: terraform::Layout,
    pub plan: Plan,
    pub graph: rolegraph::ir::Graph,
    pub inputs: BTreeMap<String, String>,
}

/// A value each input accepts (AWS's External ID rule), different per input.
pub fn input_value(name: &str) -> String {
    format!("ext-{}:{}", name.replace('_', "-"), name.len())
}

pub fn generate(model: &Path, work: &Path) -> Result<Generated, String> {
    generate_layout(model, work, terraform::Layout::default())
}

pub fn generate_layout(
    model: &Path,
    work: &Path,
    layout: terraform::Layout,
) -> Result<Generated, String> {
    generate_with(model, work, layout, cloudformation::Layout::default())
}

/// `generate` with the given `--terraform-layout` and `--cloudformation-layout`.
pub fn generate_with(
    model: &Path,
    work: &Path,
    layout: terraform::Layout,
    cloudformation_layout: cloudformation::Layout,
) -> Result<Generated, String> {
    let out = work.join("out");
    let generated = bin()
        .args([
            "generate".as_ref(),
            model.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--terraform-layout".as_ref(),
            flag_value(&layout).as_ref(),
            "--cloudformation-layout".as_ref(),
            flag_value(&cloudformation_layout).as_ref(),
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

/// The three-way check: Terraform's state == the plan == CloudFormation's state.
pub fn three_way(g: &Generated, tools: &Tools, work: &Path) -> Result<(), String> {
    let (terraform, cloudformation) = std::thread::scope(|s| {
        let tf = s.spawn(|| deploy_terraform(g, tools, work));
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
