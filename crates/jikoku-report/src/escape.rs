//! Escaping attacker-controlled text for each output.

/// Terminal: control characters (ESC, CR, BEL, backspace, C1 controls, …) become visible
/// `\xNN` / `\u{NNNN}` escapes, so that a log line cannot move the cursor, change the title,
/// or hide lines. Newlines in multi-line messages become `⏎`.
pub fn terminal(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => o.push('⏎'),
            '\t' => o.push(' '),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\x{:02X}", c as u32))
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                o.push_str(&format!("\\u{{{:04X}}}", c as u32))
            }
            // Bidi overrides can reorder what is shown.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                o.push_str(&format!("\\u{{{:04X}}}", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

/// CSV cell: quoted when needed; a cell starting with `=`, `+`, `-`, `@`, TAB or CR is
/// prefixed with `'` so that spreadsheets do not run it as a formula (OWASP CSV injection).
pub fn csv_cell(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) || neutral != neutral.trim() {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes() {
        assert_eq!(terminal("a\x1b]0;pwned\x07b\r"), "a\\x1B]0;pwned\\x07b\\x0D");
        assert_eq!(terminal("x\u{202e}y"), "x\\u{202E}y");
    }

    #[test]
    fn csv_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-7"), "'-7");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
