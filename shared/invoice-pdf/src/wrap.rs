//! Fitting encoded text into a width: wrapped onto a few lines at spaces, the last line
//! cut with an ellipsis. Every step stops once its lines are full, so a text of any
//! length costs no more than what is shown.

use crate::font::{ELLIPSIS, Font};

/// `text` broken into at most `max_lines` lines no wider than `width`: at the last space
/// that fits, or inside a word longer than a line. A text that needs more lines ends
/// with an ellipsis.
pub fn wrap(text: &[u8], font: Font, size: f32, width: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut rest = trim(text);
    while !rest.is_empty() && lines.len() < max_lines {
        if lines.len() + 1 == max_lines {
            lines.push(truncate(rest, font, size, width));
            break;
        }
        // At least one byte, so that wrapping moves on even in a column narrower than a glyph.
        let fits = fitting(rest, font, size, width).max(1);
        let cut = if fits == rest.len() {
            fits
        } else {
            // The last space that fits (a space just past the fitting part breaks there).
            match rest[..=fits].iter().rposition(|&b| b == b' ') {
                Some(space) if space > 0 => space,
                _ => fits,
            }
        };
        lines.push(trim(&rest[..cut]).to_vec());
        rest = trim(&rest[cut..]);
    }
    lines
}

/// `text` on one line no wider than `width`, cut with an ellipsis if it is wider.
pub fn truncate(text: &[u8], font: Font, size: f32, width: f32) -> Vec<u8> {
    let text = trim(text);
    if fitting(text, font, size, width) == text.len() {
        return text.to_vec();
    }
    let room = width - font.width(ELLIPSIS, size);
    let kept = trim(&text[..fitting(text, font, size, room)]);
    [kept, ELLIPSIS].concat()
}

/// How many leading bytes of `text` fit in `width`.
fn fitting(text: &[u8], font: Font, size: f32, width: f32) -> usize {
    let mut used = 0.0;
    for (i, &b) in text.iter().enumerate() {
        used += font.width(&[b], size);
        if used > width {
            return i;
        }
    }
    text.len()
}

fn trim(text: &[u8]) -> &[u8] {
    text.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: f32 = 10.0;

    fn lines(text: &str, width: f32, max: usize) -> Vec<String> {
        wrap(text.as_bytes(), Font::Regular, SIZE, width, max)
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).replace('\u{FFFD}', "…"))
            .collect()
    }

    #[test]
    fn short_text_stays_on_one_line() {
        assert_eq!(lines("Room 1", 100.0, 3), ["Room 1"]);
        assert!(lines("   ", 100.0, 3).is_empty());
    }

    #[test]
    fn wraps_at_spaces() {
        // "aaaa" is 22.24 pt wide at 10 pt: two words fit in 50 pt, three do not.
        assert_eq!(lines("aaaa aaaa aaaa", 50.0, 3), ["aaaa aaaa", "aaaa"]);
    }

    #[test]
    fn breaks_words_longer_than_a_line() {
        assert_eq!(lines("aaaaaaaaaaaa", 30.0, 5), ["aaaaa", "aaaaa", "aa"]);
    }

    #[test]
    fn ends_with_an_ellipsis_when_lines_run_out() {
        let out = lines(&"word ".repeat(100_000), 60.0, 2);
        assert_eq!(out.len(), 2);
        assert!(out[1].ends_with('…'), "{out:?}");
        for line in wrap(b"x".repeat(1000).as_slice(), Font::Bold, SIZE, 60.0, 3) {
            assert!(Font::Bold.width(&line, SIZE) <= 60.0);
        }
    }

    #[test]
    fn a_column_narrower_than_a_glyph_still_ends() {
        assert_eq!(lines("abc", 1.0, 10), ["a", "b", "c"]);
        assert_eq!(truncate(b"abc", Font::Regular, SIZE, 0.0), b"\x85");
    }
}
