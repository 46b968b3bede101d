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
    // A lone `-` (an empty field in l2tcsv) cannot be a formula.
    let neutral = if s != "-" && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
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

/// Markdown table cell: control characters made visible, pipes and backslashes escaped, HTML
/// angle brackets as entities, line breaks as spaces, backticks neutralised.
pub fn markdown_cell(s: &str) -> String {
    terminal(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('⏎', " ")
        .replace('`', "'")
}

/// HTML text or attribute value: `&`, `<`, `>`, `"`, `'` as character references. Control
/// characters and bidi overrides are made visible first (as in [`terminal`]); U+2028/U+2029 become
/// character references.
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in terminal(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Harmless in HTML text, but kept out of the file (JavaScript line terminators).
            '\u{2028}' => o.push_str("&#x2028;"),
            '\u{2029}' => o.push_str("&#x2029;"),
            c => o.push(c),
        }
    }
    o
}

/// JSON text safe inside an HTML `<script type="application/json">` element: `<`, `>`, `&` and
/// the JavaScript line terminators U+2028/U+2029 as `\uXXXX` escapes, so no log text can close
/// the element (`</script>`) or open a comment (`<!--`). JSON outside strings never contains
/// these characters, so the result parses to the same value.
pub fn json_for_script(json: &str) -> String {
    let mut o = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            '\u{2028}' => o.push_str("\\u2028"),
            '\u{2029}' => o.push_str("\\u2029"),
            c => o.push(c),
        }
    }
    o
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
    fn markdown_cells() {
        assert_eq!(markdown_cell("a|b<script>`x`\nz"), "a\\|b&lt;script&gt;'x' z");
    }

    #[test]
    fn html_text() {
        assert_eq!(
            html("<script>\"a\"&'b'</script>\x1b"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;\\x1B"
        );
    }

    #[test]
    fn json_in_script() {
        let v = serde_json::json!({"m": "</script><!-- \u{2028}\u{2029}&"});
        let j = json_for_script(&v.to_string());
        assert!(!j.contains('<') && !j.contains('>') && !j.contains('&'));
        assert!(!j.contains('\u{2028}') && !j.contains('\u{2029}'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&j).unwrap(), v);
    }

    #[test]
    fn csv_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-7"), "'-7");
        assert_eq!(csv_cell("-"), "-");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
