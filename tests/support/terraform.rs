//! Running the real terraform offline: the provider comes from the machine's filesystem
//! mirror, never from the network.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::text;

pub fn available(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The folder that holds `registry.terraform.io/hashicorp/aws`: from
/// `ROLEGRAPH_TF_PROVIDER_MIRROR`, else found on this machine.
pub fn provider_mirror() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("ROLEGRAPH_TF_PROVIDER_MIRROR") {
        return Some(PathBuf::from(dir));
    }
    let found = Command::new("find")
        .args([
            "/",
            "-maxdepth",
            "5",
            "-type",
            "d",
            "-path",
            "*/registry.terraform.io/hashicorp/aws",
        ])
        .output()
        .ok()?;
    let first = text(&found.stdout).lines().next()?.to_owned();
    Some(
        Path::new(&first)
            .parent()?
            .parent()?
            .parent()?
            .to_path_buf(),
    )
}

/// A CLI config for offline installs from `mirror`, with a plugin cache in `dir`. The
/// generated modules have no lock file, and without one Terraform 1.4+ reinstalls into the
/// cache on every `init`, which races when tests run `init` in parallel; the cache setting
/// below makes `init` use a cached provider as it is (the throwaway test folders need no
/// lock file).
pub fn cli_config(dir: &Path, mirror: &Path) -> PathBuf {
    let cache = dir.join("plugin-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let config = format!(
        "plugin_cache_dir = {cache:?}\nplugin_cache_may_break_dependency_lock_file = true\nprovider_installation {{\n  filesystem_mirror {{\n    path    = {mirror:?}\n    include = [\"registry.terraform.io/*/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/*/*\"]\n  }}\n}}\n"
    );
    let path = dir.join("terraform.rc");
    std::fs::write(&path, config).unwrap();
    path
}

pub fn terraform(args: &[&str], dir: &Path, config: &Path) -> Result<(), String> {
    match terraform_status(args, dir, config)? {
        (0, _) => Ok(()),
        (_, output) => Err(format!("terraform {} failed:\n{output}", args.join(" "))),
    }
}

/// Exit code and combined output, for commands whose non-zero codes mean something
/// (`plan -detailed-exitcode`).
pub fn terraform_status(args: &[&str], dir: &Path, config: &Path) -> Result<(i32, String), String> {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run terraform: {e}"))?;
    let output = format!("{}{}", text(&out.stdout), text(&out.stderr));
    Ok((out.status.code().unwrap_or(-1), output))
}

/// Copies a folder with its subfolders (the layouts' `example/` and per-account roots).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
