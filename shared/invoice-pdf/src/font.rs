//! The two standard fonts used (Helvetica and Helvetica-Bold): text encoded for them in
//! WinAnsiEncoding, and its width. Standard fonts are built into every PDF reader, so no
//! font file is embedded; the price is that only WinAnsi's characters can be shown.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    /// Its name in a page's resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Self::Regular => b"F1",
            Self::Bold => b"F2",
        }
    }

    /// The standard font's PostScript name.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Self::Regular => b"Helvetica",
            Self::Bold => b"Helvetica-Bold",
        }
    }

    /// Width of `text` (WinAnsi bytes) at `size` points.
    pub fn width(self, text: &[u8], size: f32) -> f32 {
        let units: u32 = text.iter().map(|&b| u32::from(self.glyph_width(b))).sum();
        units as f32 * size / 1000.0
    }

    /// Advance width of one WinAnsi byte in thousandths of the font size, from the
    /// fonts' AFM metrics. Only printable ASCII is tabled; any other byte counts as
    /// 1000, as wide as the widest glyph there, so measured text may end a little early
    /// but never runs past its column.
    pub fn glyph_width(self, byte: u8) -> u16 {
        let table = match self {
            Self::Regular => &REGULAR,
            Self::Bold => &BOLD,
        };
        match byte {
            b' '..=b'~' => table[usize::from(byte - b' ')],
            _ => 1000,
        }
    }
}

/// Helvetica, ' ' to '~'.
#[rustfmt::skip]
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Helvetica-Bold, ' ' to '~'.
#[rustfmt::skip]
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// `text` in WinAnsiEncoding: line breaks and tabs become spaces, and any character the
/// encoding lacks (other scripts, emoji, control characters) becomes '?'.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

fn win_ansi(c: char) -> u8 {
    match c {
        '\t' | '\n' | '\r' => b' ',
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        // WinAnsi's 0x80..0x9F, where Latin-1 has control characters.
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => b'?',
    }
}

/// The ellipsis that ends a cut text.
pub const ELLIPSIS: &[u8] = &[0x85];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_latin_text_and_replaces_the_rest() {
        assert_eq!(encode("Café €5 – ok"), b"Caf\xE9 \x805 \x96 ok");
        assert_eq!(encode("東京 🙂"), b"?? ?");
        assert_eq!(encode("a\nb\tc\u{0}\u{7F}\u{85}"), b"a b c???");
    }

    #[test]
    fn measures_with_the_afm_widths() {
        // "Hi": H 722 + i 222 in Helvetica; 722 + 278 in bold.
        assert_eq!(Font::Regular.width(b"Hi", 10.0), 9.44);
        assert_eq!(Font::Bold.width(b"Hi", 10.0), 10.0);
    }
}
