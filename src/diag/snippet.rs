//! The source line under an error's first line, with a marker under the fault, in rustc's
//! layout (annotate-snippets is the renderer rustc and cargo use).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::Loc;

/// Where each line of a source starts, so that a report of many errors finds each one's
/// line at once instead of counting lines from the top for every error; and where the
/// last column asked for was, since errors come in source order and a model may be one
/// line of 60 MiB.
pub struct Lines<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// (line, column, byte offset in the line) of the last column found.
    cursor: (usize, usize, usize),
}

impl<'a> Lines<'a> {
    pub fn of(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|at| at + 1));
        Lines {
            source,
            starts,
            cursor: (0, 1, 0),
        }
    }

    /// Line `number` (from 1), without its line end; None past the end.
    fn line(&self, number: usize) -> Option<&'a str> {
        let start = *self.starts.get(number.checked_sub(1)?)?;
        let end = self
            .starts
            .get(number)
            .map_or(self.source.len(), |next| next - 1);
        Some(&self.source[start..end])
    }

    /// The byte offset of character `col` (from 1) of `line`, line number `number`: walked
    /// on from the last one asked for when it lies further on the same line.
    fn byte_of(&mut self, number: usize, line: &str, col: usize) -> usize {
        let (from_col, from_byte) = match self.cursor {
            (n, c, b) if n == number && c <= col && b <= line.len() => (c, b),
            _ => (1, 0),
        };
        let byte = line[from_byte..]
            .char_indices()
            .nth(col - from_col)
            .map_or(line.len(), |(i, _)| from_byte + i);
        self.cursor = (number, col, byte);
        byte
    }
}

/// How many characters of a long line a snippet shows on each side of the fault.
const CONTEXT: usize = 60;

/// The longest line, in bytes, that a snippet shows whole.
const WHOLE: usize = 240;

/// The snippet and hint for `loc` in `source`, or None when the line is not there (a
/// position past the end, or a file that changed since it was read). A line longer than
/// `WHOLE` is cut to the fault and its context, with `…` where it was cut.
pub fn render(loc: &Loc, source: &mut Lines, hint: Option<&str>, color: bool) -> Option<String> {
    let number = loc.line as usize;
    let line = source.line(number)?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let bom = match number == 1 && line.starts_with('\u{feff}') {
        true => '\u{feff}'.len_utf8(),
        false => 0,
    };
    let col = (loc.col as usize).max(1) + usize::from(bom > 0);
    let start = source.byte_of(number, line, col);
    let (shown, span) = window(&line[bom..], start - bom, loc.len as usize);
    let snippet = Snippet::source(&shown)
        .line_start(number)
        .annotation(AnnotationKind::Primary.span(span));
    let mut group = Group::with_level(Level::ERROR).element(snippet);
    if let Some(hint) = hint {
        group = group.element(Level::NOTE.with_name("hint").message(hint));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    Some(renderer.render(&[group]))
}

/// The part of `line` to show and the byte range in it to mark: `len` characters from
/// byte `start` (cut at the line's end, and at twice `CONTEXT`), or the one character there
/// when the length is unknown; at most `CONTEXT` characters on either side.
fn window(line: &str, start: usize, len: usize) -> (String, std::ops::Range<usize>) {
    let rest = &line[start..];
    let marked = len.clamp(1, 2 * CONTEXT);
    let width: usize = rest.chars().take(marked).map(char::len_utf8).sum();
    if line.len() <= WHOLE {
        return (line.to_owned(), start..start + width);
    }
    let before: usize = line[..start]
        .chars()
        .rev()
        .take(CONTEXT)
        .map(char::len_utf8)
        .sum();
    let after: usize = line[start + width..]
        .chars()
        .take(CONTEXT)
        .map(char::len_utf8)
        .sum();
    let (from, to) = (start - before, start + width + after);
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    let offset = shown.len() + start - from;
    shown.push_str(&line[from..to]);
    if to < line.len() {
        shown.push('…');
    }
    (shown, offset..offset + width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn loc(line: u32, col: u32, len: usize) -> Loc {
        Loc::spanning(&Arc::from("m.yaml"), line, col, len)
    }

    #[test]
    fn marks_the_span_on_its_line() {
        let source = "a: 1\n  max: 0x1000\n";
        let text = render(
            &loc(2, 8, 6),
            &mut Lines::of(source),
            Some("write 4096"),
            false,
        )
        .unwrap();
        assert_eq!(
            text,
            "  |\n2 |   max: 0x1000\n  |        ^^^^^^\n  |\n  = hint: write 4096"
        );
    }

    #[test]
    fn an_unknown_length_marks_one_character_and_a_line_end_marks_its_end() {
        let marked = |line: &str, col: usize, len: usize| {
            let start = Lines::of(line).byte_of(1, line, col);
            window(line, start, len).1
        };
        assert_eq!(marked("héllo", 2, 0), 1..3);
        assert_eq!(marked("ab", 3, 0), 2..2);
        assert_eq!(marked("héllo", 1, 2), 0..3);
        assert_eq!(marked("ab", 1, 99), 0..2);
        let long = "x".repeat(1000);
        assert_eq!(marked(&long, 1, 1000), 0..120);
    }

    #[test]
    fn a_long_line_is_cut_around_the_fault_and_columns_walk_on() {
        let line = format!("{}é{}", "a".repeat(150), "b".repeat(150));
        let mut lines = Lines::of(&line);
        let start = lines.byte_of(1, &line, 151);
        assert_eq!(start, 150);
        let (shown, span) = window(&line, start, 1);
        assert_eq!(shown, format!("…{}é{}…", "a".repeat(60), "b".repeat(60)));
        assert_eq!(&shown[span], "é");
        // The next column on the same line is found from the last one, and an earlier one
        // from the line's start.
        assert_eq!(lines.byte_of(1, &line, 152), 152);
        assert_eq!(lines.byte_of(1, &line, 2), 1);
        let text = render(&loc(1, 151, 1), &mut Lines::of(&line), None, false).unwrap();
        assert!(text.contains("1 | …aaaa") && text.len() < 400, "{text}");
    }

    #[test]
    fn a_line_past_the_end_has_no_snippet() {
        assert!(render(&loc(9, 1, 0), &mut Lines::of("a: 1\n"), None, false).is_none());
        assert!(render(&loc(2, 1, 0), &mut Lines::of("a: 1"), None, false).is_none());
        let lines = Lines::of("a\r\nb\n\nc");
        let all: Vec<_> = (1..=5).map(|n| lines.line(n)).collect();
        assert_eq!(all, [Some("a\r"), Some("b"), Some(""), Some("c"), None]);
    }
}
