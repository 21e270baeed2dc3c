//! The source line under an error's first line, with a marker under the fault, in rustc's
//! layout (annotate-snippets is the renderer rustc and cargo use).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::Loc;

/// Where each line of a source starts, so that a report of many errors finds each one's
/// line at once instead of counting lines from the top for every error.
pub struct Lines<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn of(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|at| at + 1));
        Lines { source, starts }
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
}

/// The snippet and hint for `loc` in `source`, or None when the line is not there (a
/// position past the end, or a file that changed since it was read).
pub fn render(loc: &Loc, source: &Lines, hint: Option<&str>, color: bool) -> Option<String> {
    let line = source.line(loc.line as usize)?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line = if loc.line == 1 {
        line.strip_prefix('\u{feff}').unwrap_or(line)
    } else {
        line
    };
    let span = marked(line, loc.col as usize, loc.len as usize);
    let snippet = Snippet::source(line)
        .line_start(loc.line as usize)
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

/// The byte range of `line` to mark: `len` characters from the `col`th (cut at the line's
/// end), or the one character there when the length is unknown.
fn marked(line: &str, col: usize, len: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let width: usize = rest.chars().take(len.max(1)).map(char::len_utf8).sum();
    start..start + width
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
        let text = render(&loc(2, 8, 6), &Lines::of(source), Some("write 4096"), false).unwrap();
        assert_eq!(
            text,
            "  |\n2 |   max: 0x1000\n  |        ^^^^^^\n  |\n  = hint: write 4096"
        );
    }

    #[test]
    fn an_unknown_length_marks_one_character_and_a_line_end_marks_its_end() {
        assert_eq!(marked("héllo", 2, 0), 1..3);
        assert_eq!(marked("ab", 3, 0), 2..2);
        assert_eq!(marked("héllo", 1, 2), 0..3);
        assert_eq!(marked("ab", 1, 99), 0..2);
    }

    #[test]
    fn a_line_past_the_end_has_no_snippet() {
        assert!(render(&loc(9, 1, 0), &Lines::of("a: 1\n"), None, false).is_none());
        assert!(render(&loc(2, 1, 0), &Lines::of("a: 1"), None, false).is_none());
        let lines = Lines::of("a\r\nb\n\nc");
        let all: Vec<_> = (1..=5).map(|n| lines.line(n)).collect();
        assert_eq!(all, [Some("a\r"), Some("b"), Some(""), Some("c"), None]);
    }
}
