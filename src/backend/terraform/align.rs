//! hcl-rs writes `key = value` with one space; `terraform fmt` aligns the `=` of
//! consecutive one-line attributes. This pass applies terraform's rule (hclwrite's
//! `formatCells`), so the output passes `terraform fmt -check` as emitted:
//! - a line is an assignment when it has an `=` after its first token and the brackets
//!   from that `=` to the end of the line balance (a line opening `[` or `{` is not);
//! - consecutive assignment lines form a group, and any other line ends the group;
//! - within a group every `=` sits one column after the longest key.

pub fn align(text: &str) -> String {
    let lines: Vec<(&str, Option<(&str, &str)>)> =
        text.split('\n').map(|l| (l, assignment(l))).collect();
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

/// Splits `  key = value` into (`  key`, `= value`) when terraform would align it.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') || trimmed.starts_with("//") {
        return None;
    }
    let bytes = line.as_bytes();
    let (eq, _) = outside_strings(line).find(|&(i, b)| {
        let prev = i.checked_sub(1).map(|p| bytes[p]);
        let next = bytes.get(i + 1).copied();
        let operator =
            matches!(prev, Some(b'=' | b'!' | b'<' | b'>')) || matches!(next, Some(b'=' | b'>'));
        b == b'=' && !operator
    })?;
    let lead = line[..eq].trim_end();
    if lead.trim().is_empty() || !balanced(&line[eq..]) {
        return None;
    }
    Some((lead, &line[eq..]))
}

/// Brackets outside string literals net to zero; `${ … }` inside strings nets to zero too.
fn balanced(text: &str) -> bool {
    let depth: i32 = outside_strings(text)
        .map(|(_, b)| match b {
            b'(' | b'[' | b'{' => 1,
            b')' | b']' | b'}' => -1,
            _ => 0,
        })
        .sum();
    depth == 0
}

/// The bytes of a line that are not inside a quoted string, with their positions.
fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
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
}
