//! Time and peak memory of `generate` (parse, validate, lint, all backends, in memory) for a
//! platform role and N target accounts. Each size runs in a child process, so its peak
//! RSS is its own.
//!
//! `cargo bench --bench generate` (sizes 10, 100, 1000), or `-- 5000` for other sizes.

#[path = "support/synth.rs"]
mod synth;

use std::process::Command;
use std::time::{Duration, Instant};

use rolegraph::backend::{Backend, generate_all};
use rolegraph::templates::Templates;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn one(n: usize) {
    let dir = std::env::temp_dir().join(format!("rolegraph-bench-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("rolegraph.yaml");
    std::fs::write(&model, synth::model(n)).unwrap();
    let templates = Templates::builtin().unwrap();
    let mut samples = Vec::new();
    let mut bytes = 0;
    let budget = Instant::now();
    while samples.len() < 5 || (budget.elapsed() < Duration::from_secs(3) && samples.len() < 50) {
        let start = Instant::now();
        let graph = rolegraph::compile(&model).expect("synthetic model is valid");
        let findings = rolegraph::lint::lint(&graph);
        assert!(
            findings
                .iter()
                .all(|f| !f.fails(rolegraph::lint::Severity::Error))
        );
        let files = generate_all(&graph, &Backend::ALL, &templates, &Default::default())
            .expect("generates")
            .files;
        samples.push(start.elapsed());
        bytes = files.iter().map(|(_, c)| c.len()).sum::<usize>();
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    let input = std::fs::metadata(&model).unwrap().len();
    println!(
        "targets {n:>6}: median {:>9.2} ms, min {:>9.2} ms over {:>2} runs; model {:>8} B -> output {:>9} B; peak RSS {:>7} KiB",
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples.len(),
        input,
        bytes,
        peak_rss_kib()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [flag, n] = args.as_slice()
        && flag == "--one"
    {
        one(n.parse().expect("a size"));
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![10, 100, 1000]
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    let me = std::env::current_exe().expect("own path");
    for n in sizes {
        let status = Command::new(&me)
            .args(["--one", &n.to_string()])
            .status()
            .expect("run child");
        assert!(status.success(), "size {n} failed");
    }
}
