//! Several runs on one output folder, and runs interrupted with SIGINT or SIGTERM. Every run
//! that exits 0 leaves a tree that `check` accepts; the others say that another run holds
//! the folder. An interrupted run leaves no temporary or staging file, and the previous
//! tree intact or the new one complete.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Instant;

use support::random_model::Rng;
use support::{accounts_model, bin, read_tree, run, text};

const ACCOUNTS: usize = 1000;
const TRIALS: usize = 10;
/// 20 SIGINTs, and a SIGTERM after every fourth.
const INTERRUPTS: usize = 24;

fn spawn_generate(root: &Path, model: &str, extra: &[&str]) -> Child {
    bin()
        .args(["generate", model, "--out", "out", "--no-sync", "-q"])
        .args(extra)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rolegraph")
}

fn check_passes(root: &Path, model: &str) -> bool {
    run(&["check", model, "--out", "out", "-q"], root)
        .status
        .code()
        == Some(0)
}

/// The model the manifest in `out/` says the tree was generated from.
fn manifest_model(root: &Path) -> &'static str {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("out/.rolegraph-manifest")).unwrap())
            .unwrap();
    let hash = manifest["model_sha256"].as_str().unwrap();
    ["m0.yaml", "m1.yaml"]
        .into_iter()
        .find(|m| {
            rolegraph::output::manifest::sha256(&std::fs::read(root.join(m)).unwrap()) == hash
        })
        .expect("the manifest names one of the two models")
}

fn write_models(root: &Path) {
    for (i, version) in ["v1", "v2"].iter().enumerate() {
        std::fs::write(
            root.join(format!("m{i}.yaml")),
            accounts_model(ACCOUNTS, version),
        )
        .unwrap();
    }
}

/// Four runs at once; returns which of them exited 0, after checking the others' message.
fn race(root: &Path, models: [&str; 4], timeout: &str) -> Vec<usize> {
    let children: Vec<Child> = models
        .iter()
        .map(|m| spawn_generate(root, m, &["--lock-timeout", timeout]))
        .collect();
    let mut succeeded = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        match out.status.code() {
            Some(0) => succeeded.push(i),
            Some(2) => assert!(
                stderr.contains("another rolegraph run holds the lock on out"),
                "run {i} exited 2 without naming the lock: {stderr}"
            ),
            other => panic!("run {i} exited {other:?}: {stderr}"),
        }
    }
    assert!(!succeeded.is_empty(), "no run got the lock");
    succeeded
}

#[test]
fn concurrent_runs_never_corrupt_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_models(root);
    let mut outcomes = BTreeMap::new();
    for trial in 0..TRIALS {
        // Alternate a short and the default wait, so that both outcomes occur.
        let timeout = if trial % 2 == 0 { "0.05" } else { "30" };
        let _ = std::fs::remove_dir_all(root.join("out"));
        let fresh = race(root, ["m0.yaml"; 4], timeout);
        assert!(
            check_passes(root, "m0.yaml"),
            "fresh trial {trial}: check fails"
        );
        *outcomes.entry(("fresh", fresh.len())).or_insert(0) += 1;

        // Two models into an existing folder: the tree is exactly the one its manifest
        // names (every file differs between the two, so it cannot match both).
        let existing = race(root, ["m1.yaml", "m0.yaml", "m1.yaml", "m0.yaml"], timeout);
        let model = manifest_model(root);
        assert!(
            check_passes(root, model),
            "existing trial {trial}: not {model}"
        );
        *outcomes.entry(("existing", existing.len())).or_insert(0) += 1;
    }
    println!("trials by how many of the 4 runs exited 0: {outcomes:?}");
    assert!(
        outcomes.keys().any(|(_, n)| *n < 4) && outcomes.keys().any(|(_, n)| *n > 1),
        "the lock was never contended both ways: {outcomes:?}"
    );
}

fn debris(root: &Path) -> Vec<String> {
    let mut found: Vec<String> = read_tree(root)
        .into_keys()
        .filter(|p| p.contains(".rolegraph-tmp"))
        .collect();
    if root.join(".staging.rolegraph-tmp").exists() {
        found.push(".staging.rolegraph-tmp/".to_owned());
    }
    found
}

fn tree_without_manifest(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut tree = read_tree(root);
    tree.remove(".rolegraph-manifest");
    tree
}

#[test]
fn interrupted_runs_clean_up_and_leave_one_whole_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_models(root);
    let mut versions = Vec::new();
    for i in 0..2 {
        let reference = format!("ref{i}");
        let model = format!("m{i}.yaml");
        let out = run(
            &["generate", &model, "--out", &reference, "--no-sync"],
            root,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        versions.push(tree_without_manifest(&root.join(reference)));
    }
    let out = run(&["generate", "m0.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The length of a run like the interrupted ones: the other model into this tree.
    let start = Instant::now();
    let out = run(&["generate", "m1.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let full_run = start.elapsed();
    let out = run(&["generate", "m0.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let seed = std::env::var("ROLEGRAPH_INTERRUPT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::process::id() as u64);
    println!("interrupt seed {seed} (ROLEGRAPH_INTERRUPT_SEED replays it)");
    let mut rng = Rng::new(seed);
    // The version the tree holds; None while there is none.
    let mut current = Some(0);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut handled = 0;
    for i in 0..INTERRUPTS {
        let fresh = i % 4 == 3;
        if fresh {
            let _ = std::fs::remove_dir_all(root.join("out"));
            current = None;
        }
        let next = current.map_or(1, |c| 1 - c);
        let (signal, code) = if i % 5 == 4 {
            (libc::SIGTERM, 143)
        } else {
            (libc::SIGINT, 130)
        };
        let mut child = spawn_generate(root, &format!("m{next}.yaml"), &[]);
        // From after start-up (rendering) to past the end: most signals land while the
        // run reads, stages or renames.
        let delay = full_run.mul_f64(rng.range(300, 1300) as f64 / 1000.0);
        std::thread::sleep(delay);
        // SAFETY: kill takes a pid and a signal number; the child is not yet reaped.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().unwrap();
        // A signal that comes before the handler is installed (while the process starts)
        // ends it the default way, before it has touched anything.
        let exit = status.code();
        if exit == Some(code) {
            handled += 1;
        }
        let early = std::os::unix::process::ExitStatusExt::signal(&status) == Some(signal);
        assert!(
            exit == Some(0) || exit == Some(code) || early,
            "interrupt {i}: exit {status:?}, expected 0 or {code}"
        );
        assert_eq!(
            debris(root),
            Vec::<String>::new(),
            "interrupt {i}: debris left"
        );
        let out = root.join("out");
        let tree = tree_without_manifest(&out);
        let outcome = if tree == versions[next] {
            current = Some(next);
            "new tree complete"
        } else {
            match current {
                None => assert!(tree.is_empty(), "interrupt {i}: a partial first tree"),
                Some(c) => assert!(tree == versions[c], "interrupt {i}: neither version"),
            }
            "previous tree intact"
        };
        if let Some(c) = current {
            let model = format!("m{c}.yaml");
            assert!(
                check_passes(root, &model),
                "interrupt {i}: check fails ({outcome})"
            );
        }
        *outcomes.entry(outcome).or_insert(0) += 1;
    }
    println!("outcomes: {outcomes:?}");
    let out = run(&["generate", "m1.yaml", "--out", "out"], root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(check_passes(root, "m1.yaml"));
    println!("{handled} of {INTERRUPTS} runs handled the signal (exit 130/143)");
    assert!(
        handled > 0,
        "no run handled its signal: every one came too early or too late"
    );
}
