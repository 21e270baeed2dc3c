//! Writes a synthetic model:
//! `cargo run --release --example synth -- N [--hubs K] > big.yaml`: N target accounts
//! spread evenly over K hub roles (default 1) in one management account.

#[path = "../benches/support/synth.rs"]
mod synth;

const USAGE: &str = "usage: synth N [--hubs K]   (N target accounts, K hub roles, default 1)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |s: Option<&String>| s.and_then(|a| a.parse::<usize>().ok());
    let (n, hubs) = match args.as_slice() {
        [n] => (number(Some(n)), Some(1)),
        [n, flag, k] if flag == "--hubs" => (number(Some(n)), number(Some(k))),
        _ => (None, None),
    };
    let (Some(n), Some(hubs)) = (n, hubs.filter(|&k| k >= 1)) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    print!("{}", synth::model_with_hubs(n, hubs));
}
