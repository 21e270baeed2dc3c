//! Writes a synthetic model: `cargo run --release --example synth -- N > big.yaml`.

#[path = "../benches/support/synth.rs"]
mod synth;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| {
            eprintln!("usage: synth N   (N target accounts)");
            std::process::exit(2);
        });
    print!("{}", synth::model(n));
}
