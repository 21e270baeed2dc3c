//! The output folder as someone else's commit may leave it: a manifest that names paths
//! outside, links planted at temporaries and at generated paths, FIFOs, a symlinked backend
//! folder. Each attack's victim is a file in a folder beside `--out`; after the run it must
//! be unchanged, and `--out` too wherever the run refuses.

use crate::support;

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{read_tree, repo, run_guarded, text};

const VICTIM: &str = "do not touch\n";

struct Scene {
    _dir: tempfile::TempDir,
    root: PathBuf,
    model: String,
}

impl Scene {
    /// A generated seed tree in `out/`, and `victim/outside.txt` beside it.
    fn new() -> Scene {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let model = repo()
            .join("examples/seqera/rolegraph.yaml")
            .display()
            .to_string();
        std::fs::create_dir(root.join("victim")).unwrap();
        std::fs::write(root.join("victim/outside.txt"), VICTIM).unwrap();
        let scene = Scene {
            _dir: dir,
            root,
            model,
        };
        let out = scene.generate(&[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        scene
    }

    fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    fn victim(&self) -> PathBuf {
        self.root.join("victim/outside.txt")
    }

    fn command(&self, command: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![command, self.model.as_str(), "--out", "out", "-q"];
        args.extend_from_slice(extra);
        run_guarded(&args, &self.root, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("`{command} {extra:?}` hung"))
    }

    fn generate(&self, extra: &[&str]) -> std::process::Output {
        self.command("generate", extra)
    }

    fn assert_victim_intact(&self) {
        assert_eq!(std::fs::read_to_string(self.victim()).unwrap(), VICTIM);
    }

    /// The tree as it stands, links and FIFOs described rather than followed.
    fn snapshot(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut stack = vec![self.out()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(self.out()).unwrap().display().to_string();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let what = if meta.file_type().is_symlink() {
                    format!("link to {}", std::fs::read_link(&path).unwrap().display())
                } else if meta.is_dir() {
                    stack.push(path);
                    "folder".to_owned()
                } else if meta.is_file() {
                    String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()
                } else {
                    "special".to_owned()
                };
                out.insert(rel, what);
            }
        }
        out
    }

    fn edit_manifest(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let path = self.out().join(".rolegraph-manifest");
        let mut manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        edit(&mut manifest);
        std::fs::write(path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    }
}

fn sha256_of(path: &Path) -> String {
    rolegraph::output::manifest::sha256(&std::fs::read(path).unwrap())
}

fn assert_refused(out: &std::process::Output, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
}

#[test]
fn a_manifest_entry_outside_the_folder_deletes_nothing() {
    let scene = Scene::new();
    let hash = sha256_of(&scene.victim());
    let victim = scene.victim().display().to_string();
    for entry in ["terraform/../../victim/outside.txt", victim.as_str()] {
        let scene = Scene::new();
        scene.edit_manifest(|m| m["files"][entry] = hash.clone().into());
        let before = scene.snapshot();
        for args in [&[][..], &["--force"][..]] {
            let out = scene.generate(args);
            assert_refused(&out, &format!("entry `{entry}`"));
            scene.assert_victim_intact();
            assert_eq!(scene.snapshot(), before, "{args:?} changed --out");
        }
        assert_refused(&scene.command("check", &[]), &format!("entry `{entry}`"));
    }
}

#[test]
fn a_link_at_a_temporary_name_is_never_written_through() {
    let scene = Scene::new();
    let target = scene.out().join("terraform/management.tf");
    let generated = std::fs::read(&target).unwrap();
    std::fs::remove_file(&target).unwrap();
    let temps = [
        "terraform/.management.tf.rolegraph-tmp",
        "..rolegraph-manifest.rolegraph-tmp",
        ".rolegraph-manifest.rolegraph-tmp",
    ];
    for temp in temps {
        symlink(scene.victim(), scene.out().join(temp)).unwrap();
    }
    let out = scene.generate(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    scene.assert_victim_intact();
    let meta = std::fs::symlink_metadata(&target).unwrap();
    assert!(meta.is_file(), "{target:?} is not a regular file");
    assert_eq!(std::fs::read(&target).unwrap(), generated);
    for temp in temps {
        assert!(std::fs::symlink_metadata(scene.out().join(temp)).is_err());
    }
    assert_eq!(scene.command("check", &[]).status.code(), Some(0));
}

#[test]
fn a_link_at_a_generated_path_is_foreign_and_force_replaces_the_link_only() {
    for target in ["victim/outside.txt", "/dev/zero"] {
        let scene = Scene::new();
        let path = scene.out().join("terraform/management.tf");
        std::fs::remove_file(&path).unwrap();
        let pointee = scene.root.join(target);
        symlink(&pointee, &path).unwrap();
        let before = scene.snapshot();
        let out = scene.generate(&[]);
        assert_refused(&out, "is a symbolic link, not a regular file");
        assert_eq!(scene.snapshot(), before);
        let check = scene.command("check", &[]);
        assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
        assert!(text(&check.stdout).contains("is a symbolic link"));
        let out = scene.generate(&["--force"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        scene.assert_victim_intact();
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        assert_eq!(scene.command("check", &[]).status.code(), Some(0));
    }
}

#[test]
fn a_symlinked_backend_folder_is_refused() {
    let scene = Scene::new();
    let elsewhere = scene.root.join("victim/terraform");
    std::fs::rename(scene.out().join("terraform"), &elsewhere).unwrap();
    symlink(&elsewhere, scene.out().join("terraform")).unwrap();
    let inside = read_tree(&elsewhere);
    std::fs::write(elsewhere.join("management.tf"), "changed\n").unwrap();
    let before = scene.snapshot();
    let out = scene.generate(&[]);
    assert_refused(&out, "out/terraform: is a symbolic link, not a folder");
    assert_eq!(
        text(&out.stderr).matches("error:").count(),
        1,
        "{}",
        text(&out.stderr)
    );
    assert_eq!(scene.snapshot(), before);
    let out = scene.generate(&["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("management.tf")).unwrap(),
        "changed\n",
        "--force wrote through the link"
    );
    assert_eq!(read_tree(&elsewhere).len(), inside.len());
    assert!(
        std::fs::symlink_metadata(scene.out().join("terraform"))
            .unwrap()
            .is_dir()
    );
    assert_eq!(scene.command("check", &[]).status.code(), Some(0));
}

#[test]
fn a_fifo_at_a_generated_path_or_as_the_manifest_does_not_hang() {
    let scene = Scene::new();
    let path = scene.out().join("terraform/management.tf");
    std::fs::remove_file(&path).unwrap();
    support::mkfifo(&path);
    assert_refused(&scene.generate(&[]), "is a FIFO, not a regular file");
    assert_eq!(scene.command("check", &[]).status.code(), Some(1));

    let scene = Scene::new();
    let manifest = scene.out().join(".rolegraph-manifest");
    std::fs::remove_file(&manifest).unwrap();
    support::mkfifo(&manifest);
    assert_refused(&scene.generate(&[]), "it is a FIFO, not a regular file");
    assert_eq!(scene.command("check", &[]).status.code(), Some(1));

    let scene = Scene::new();
    support::mkfifo(&scene.out().join("terraform/old.tf"));
    scene.edit_manifest(|m| m["files"]["terraform/old.tf"] = "00".into());
    let out = scene.generate(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(scene.out().join("terraform/old.tf")).is_ok());
}

#[test]
fn an_owned_entry_that_is_now_a_link_is_not_deleted_through() {
    for pointee in [None, Some("/dev/zero")] {
        let scene = Scene::new();
        let hash = sha256_of(&scene.victim());
        let pointee = pointee.map_or_else(|| scene.victim(), PathBuf::from);
        symlink(&pointee, scene.out().join("terraform/old.tf")).unwrap();
        scene.edit_manifest(|m| m["files"]["terraform/old.tf"] = hash.into());
        for args in [&[][..], &["--force"][..]] {
            let out = scene.generate(args);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            scene.assert_victim_intact();
            let link = std::fs::symlink_metadata(scene.out().join("terraform/old.tf"));
            assert!(
                link.unwrap().file_type().is_symlink(),
                "the link was removed"
            );
        }
    }
}

#[test]
fn an_unreadable_file_is_not_taken_for_absent() {
    let scene = Scene::new();
    let path = scene.out().join("terraform/management.tf");
    std::fs::write(&path, "mine\n").unwrap();
    std::fs::set_permissions(&path, PermissionsExt::from_mode(0o000)).unwrap();
    // Root reads a file of mode 000, so as root the run drops to user `nobody`.
    if support::running_as_root() {
        std::fs::set_permissions(&scene.root, PermissionsExt::from_mode(0o755)).unwrap();
    }
    let out = support::bin_unprivileged()
        .args(["generate", &scene.model, "--out", "out", "-q"])
        .current_dir(&scene.root)
        .output()
        .unwrap();
    assert_refused(
        &out,
        "cannot read out/terraform/management.tf: Permission denied",
    );
    std::fs::set_permissions(&path, PermissionsExt::from_mode(0o644)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
}

#[test]
fn emptied_folders_are_removed_only_up_to_the_backend_folder() {
    let scene = Scene::new();
    let out = scene.generate(&["--terraform-layout", "per-account"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = scene.generate(&["--only", "terraform"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!scene.out().join("terraform/production").exists());
    assert!(scene.out().join("terraform").is_dir());
}
