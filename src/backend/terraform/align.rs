//! hcl-rs writes `key = value` with one space; `terraform fmt` aligns the `=` of
//! consecutive one-line attributes. This pass applies terraform's rule (hclwrite's
//! `formatCells`), so the output passes `terraform fmt -check` as emitted:
//! - a line is an assignment when it has an `=` after its first token and the brackets
//!   from that `=` to the end of the line balance (a line opening `[` or `{` is not);
//! - consecutive assignment lines form a group, and any other line ends the group;
//! - within a group every `=` sits one column after the longest key.

pub fn align(text: &str) -> String {
    let lines: Vec<(&str, Option<(&str, &str)>)> =
        lines(text).map(|l| (l, assignment(l))).collect();
    // Written into one buffer: this runs over every generated `.tf` file.
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for group in lines.chunk_by(|a, b| a.1.is_some() && b.1.is_some()) {
        let width = group
            .iter()
            .filter_map(|(_, a)| a.map(|(lead, _)| lead.chars().count()))
            .max()
            .unwrap_or(0);
        for (line, split) in group {
            match split {
                Some((lead, rest)) => {
                    out.push_str(lead);
                    let pad = width - lead.chars().count() + 1;
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(rest);
                }
                None => out.push_str(line),
            }
            out.push('\n');
        }
    }
    out.pop(); // the split added no line break after the last line
    out
}

/// `text.split('\n')`, with the line breaks found by `memchr`: a generated module has
/// tens of thousands of short lines, where `str::split`'s searcher costs more per line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    let mut start = 0;
    ends.map(move |end| {
        let line = &text[start..end];
        start = end + 1;
        line
    })
}

/// Splits `  key = value` into (`  key`, `= value`) when terraform would align it.
/// This runs for every line of every `.tf` file: a line without `=` (a list item, a
/// bracket, a block header) is no assignment, found without scanning for strings.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    memchr::memchr(b'=', bytes)?; // no `=`, no assignment
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') || trimmed.starts_with("//") {
        return None;
    }
    let eq = assignment_eq(bytes)?;
    let lead = line[..eq].trim_end();
    if lead.trim().is_empty() || bracket_depth(&bytes[eq..]) != 0 {
        return None;
    }
    Some((lead, &line[eq..]))
}

/// The first `=` outside strings that is not part of an operator.
fn assignment_eq(bytes: &[u8]) -> Option<usize> {
    let mut strings = Strings::default();
    (0..bytes.len()).find(|&i| strings.outside(bytes[i]) && bytes[i] == b'=' && !operator(bytes, i))
}

/// Opening minus closing brackets outside strings (`${ … }` inside a string is skipped).
fn bracket_depth(bytes: &[u8]) -> i32 {
    let mut strings = Strings::default();
    let mut depth = 0;
    for &b in bytes {
        if strings.outside(b) {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
        }
    }
    depth
}

/// Where a scan of a line stands with respect to quoted strings.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Takes the next byte; whether it is outside strings (the quotes themselves are not).
    fn outside(&mut self, b: u8) -> bool {
        if self.inside {
            match b {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.inside = false,
                _ => {}
            }
            return false;
        }
        if b == b'"' {
            self.inside = true;
            return false;
        }
        true
    }
}

/// Whether the `=` at `i` belongs to `==`, `!=`, `<=`, `>=` or `=>`.
fn operator(bytes: &[u8], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| bytes[p]);
    let next = bytes.get(i + 1).copied();
    matches!(prev, Some(b'=' | b'!' | b'<' | b'>')) || matches!(next, Some(b'=' | b'>'))
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn aligns_runs_of_one_line_attributes() {
        let input =
            "a {\n  name = \"x\"\n  description = \"y\"\n  list = [\n    \"z\",\n  ]\n  k = 1\n}\n";
        let expected = "a {\n  name        = \"x\"\n  description = \"y\"\n  list = [\n    \"z\",\n  ]\n  k = 1\n}\n";
        assert_eq!(align(input), expected);
    }

    #[test]
    fn ignores_equals_inside_strings_and_operators() {
        let input = "  \"a=b\" = 1\n  cc = x == y\n";
        let expected = "  \"a=b\" = 1\n  cc    = x == y\n";
        assert_eq!(align(input), expected);
    }

    #[test]
    fn blank_lines_and_blocks_break_groups() {
        let input = "x = 1\n\nlonger = 2\nb {\n}\n";
        assert_eq!(align(input), input);
    }

    /// The rule as first written, in two scans of an iterator over the bytes outside
    /// strings: `assignment` and its short cuts must split every line as it does.
    fn reference(line: &str) -> Option<(&str, &str)> {
        fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
            let (mut in_string, mut escaped) = (false, false);
            text.bytes().enumerate().filter(move |&(_, b)| {
                if in_string {
                    match b {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => in_string = false,
                        _ => {}
                    }
                    return false;
                }
                if b == b'"' {
                    in_string = true;
                    return false;
                }
                true
            })
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            return None;
        }
        let bytes = line.as_bytes();
        let (eq, _) = outside_strings(line).find(|&(i, b)| {
            let prev = i.checked_sub(1).map(|p| bytes[p]);
            let next = bytes.get(i + 1).copied();
            let operator = matches!(prev, Some(b'=' | b'!' | b'<' | b'>'))
                || matches!(next, Some(b'=' | b'>'));
            b == b'=' && !operator
        })?;
        let depth: i32 = outside_strings(&line[eq..])
            .map(|(_, b)| match b {
                b'(' | b'[' | b'{' => 1,
                b')' | b']' | b'}' => -1,
                _ => 0,
            })
            .sum();
        let lead = line[..eq].trim_end();
        (!lead.trim().is_empty() && depth == 0).then(|| (lead, &line[eq..]))
    }

    #[test]
    fn lines_are_split_at_every_line_break() {
        for text in ["", "a", "a\n", "\n\n", "a\nb", "é\n\nx\n"] {
            let ours: Vec<&str> = super::lines(text).collect();
            assert_eq!(ours, text.split('\n').collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn short_cuts_split_like_the_reference() {
        let mut lines: Vec<String> = [
            "  a = \"x\\\"=\" # c",
            "  a = [\"${b}\", {",
            "  f = { x = 1 }",
            "  g = (1 + [2",
            "x=>y",
            " = 1",
            "  k = \"unterminated",
            "  \"q\\\\\" = \"v\"",
            "a <= b",
            "c = d != e",
            "// x = 1",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
        let mut stack = vec![golden];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "tf") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    lines.extend(text.lines().map(str::to_owned));
                }
            }
        }
        assert!(lines.len() > 1000, "only {} lines", lines.len());
        for line in &lines {
            assert_eq!(super::assignment(line), reference(line), "{line:?}");
        }
    }
}
