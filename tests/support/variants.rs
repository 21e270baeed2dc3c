//! Broken copies of a model, made the same way for every test that feeds them to a reader:
//! cut short at every `cut_step`-th byte, each `line_step`-th line dropped, doubled, and
//! its value replaced by each odd value. Also compiled into the library's own tests.

/// Values that YAML reads as something other than the text a model wants, or not at all.
pub const ODD_VALUES: &[&str] = &[
    "",
    "~",
    "null",
    "0123",
    "yes",
    "[",
    "{",
    "]",
    "}",
    "-",
    "&a",
    "*a",
    "!!binary x",
    "\"",
    "''",
    "[1, 2]",
    "{a: 1}",
    "1e999",
    "-1",
    "999999999999999999999999",
    "'   '",
    "\t",
    ": :",
];

pub fn variants(seed: &str, odd_values: &[&str], cut_step: usize, line_step: usize) -> Vec<String> {
    let lines: Vec<&str> = seed.lines().collect();
    let mut out = Vec::new();
    for cut in (0..seed.len()).step_by(cut_step) {
        if seed.is_char_boundary(cut) {
            out.push(seed[..cut].to_owned());
        }
    }
    for i in (0..lines.len()).step_by(line_step) {
        let mut without = lines.clone();
        without.remove(i);
        out.push(without.join("\n"));
        let mut doubled = lines.clone();
        doubled.insert(i, lines[i]);
        out.push(doubled.join("\n"));
        if let Some((key, _)) = lines[i].split_once(": ") {
            for value in odd_values {
                let mut replaced = lines.clone();
                let line = format!("{key}: {value}");
                replaced[i] = &line;
                out.push(replaced.join("\n"));
            }
        }
    }
    out
}
