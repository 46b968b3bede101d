//! Plain incident facts in the text of a complaint, outside its header blocks: times in any
//! common form with their zones, IPv4/IPv6 addresses, ports, URLs, and pasted log lines
//! (read with the registry's parsers, in the zone they state or the zone the text states).

use std::net::IpAddr;

use jikoku_time::human::{HumanTime, parse_human};
use serde_json::Value;

use super::received::ip_of;

/// A time found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeFact {
    /// 1-based line.
    pub line: usize,
    /// As written.
    pub text: String,
    /// Read in the zone it states.
    pub time: HumanTime,
}

/// A log line pasted into the complaint, read by one of jikoku's parsers.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// 1-based line.
    pub line: usize,
    /// The line (quote markers removed).
    pub text: String,
    /// The parser that read it.
    pub parser: String,
    /// The event it became (no `@timestamp`: see `utc`).
    pub event: Value,
    /// The instant, when the line states its offset or the text states a zone (and the year is
    /// in the line or elsewhere in the complaint).
    pub utc: Option<chrono::DateTime<chrono::Utc>>,
    /// How the zone was found: `line` (offset in the line), `text` (a zone stated in the
    /// complaint), or `unknown`.
    pub zone_from: String,
    /// The zone or offset used.
    pub zone: Option<String>,
}

/// Everything found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    /// Times, in text order.
    pub times: Vec<TimeFact>,
    /// IP addresses (normalised), first-seen order, with the first line they appear on.
    pub ips: Vec<(String, usize)>,
    /// Ports (`port 22`, `:8080`, `/tcp`), with the line.
    pub ports: Vec<(u16, usize)>,
    /// URLs.
    pub urls: Vec<(String, usize)>,
    /// Pasted log lines.
    pub log_lines: Vec<LogLine>,
    /// A zone the text states for its times (`all times are JST`, `times in UTC`).
    pub stated_zone: Option<String>,
}

fn push_unique<T: PartialEq>(v: &mut Vec<(T, usize)>, x: T, line: usize) {
    if !v.iter().any(|(y, _)| *y == x) {
        v.push((x, line));
    }
}

fn is_date_anchor(w: &str) -> bool {
    let l =
        w.trim_matches(|c: char| c == ',' || c == '.' || c == '(' || c == ')').to_ascii_lowercase();
    const M: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ];
    let month = M.iter().any(|m| {
        l == *m || (l.len() > 3 && l.starts_with(m) && l.chars().all(|c| c.is_ascii_alphabetic()))
    });
    let b = l.as_bytes();
    let iso = b.len() >= 10
        && b.get(..4).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && matches!(b.get(4), Some(b'-' | b'/'))
        && b.get(5..7).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    // 08/May/2002:13:29:44 (web logs)
    let clf = l.len() >= 11 && l.get(2..3) == Some("/") && l.get(6..7) == Some("/");
    month || iso || clf || l.contains('年')
}

/// Times in `line`: from each date anchor, the longest run of words around it that reads as a
/// time with a zone.
fn times_in(line: &str, n: usize, out: &mut Vec<TimeFact>, default_zone: Option<chrono_tz::Tz>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut used_until = 0usize;
    for (i, w) in words.iter().enumerate() {
        if i < used_until || !is_date_anchor(w) {
            continue;
        }
        let mut found = None;
        'outer: for start in [i.saturating_sub(1), i.saturating_sub(2), i] {
            for len in (1..=8usize).rev() {
                let end = (start + len).min(words.len());
                if end <= i {
                    continue;
                }
                let Some(span) = words.get(start..end) else { continue };
                let text = span.join(" ");
                let text = text.trim_matches(|c: char| {
                    c == ',' || c == '.' || c == '"' || c == '\'' || c == '[' || c == ']'
                });
                if !text.contains(':') && !text.contains('時') {
                    continue; // a date alone is no incident time
                }
                if let Ok(t) = parse_human(text, default_zone) {
                    found = Some((end, text.to_string(), t));
                    break 'outer;
                }
            }
        }
        if let Some((end, text, time)) = found {
            used_until = end;
            out.push(TimeFact { line: n, text, time });
        }
    }
}

fn stated_zone(line: &str) -> Option<String> {
    let l = line.to_ascii_lowercase();
    let cue = ["times are", "time zone", "timezone", "times in", "all times", "時刻は", "(times"]
        .iter()
        .any(|c| l.contains(c));
    if !cue {
        return None;
    }
    for w in line.split(|c: char| {
        c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == '.' || c == ':'
    }) {
        if w.len() < 2 {
            continue;
        }
        if w.contains('/') && jikoku_time::parse_zone(w).is_ok() {
            return Some(w.to_string());
        }
        if w.chars().all(|c| c.is_ascii_uppercase())
            && jikoku_time::human::abbreviation_offset(w).is_ok()
        {
            return Some(w.to_string());
        }
        if (w.starts_with('+') || w.starts_with('-'))
            && w.len() == 5
            && w.get(1..).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(w.to_string());
        }
    }
    None
}

fn zone_of_statement(z: &str) -> Option<chrono_tz::Tz> {
    jikoku_time::human::zone_from_hint(z).ok().or_else(|| jikoku_time::parse_zone(z).ok())
}

/// Looks like a log line: starts with a syslog/ISO timestamp, or is a web server log line.
fn looks_like_log(s: &str) -> bool {
    let b = s.as_bytes();
    let bsd = b.len() > 16
        && is_date_anchor(s.split_whitespace().next().unwrap_or(""))
        && b.get(9..10).is_some_and(|c| c == b":" || c == b" ")
        && s.get(7..15).is_some_and(|t| t.matches(':').count() == 2);
    let iso = b.len() > 20
        && b.get(..4).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b' '));
    let web = s.contains(" - - [") || s.contains("\" ") && s.contains('[') && s.contains("HTTP/");
    bsd || iso || web
}

fn read_log_line(text: &str) -> Option<(String, Value, Option<jikoku_time::RawTime>)> {
    let head = crate::Head { bytes: text.as_bytes(), file_name: "", len: Some(text.len() as u64) };
    let parser = crate::registry::sniff(&head)?;
    let mut got = None;
    let mut input = std::io::Cursor::new(format!("{text}\n").into_bytes());
    let mut sink = |r: crate::Record| {
        if got.is_none() && !r.is_error() {
            if let Ok(v) = serde_json::to_value(&r.event) {
                got = Some((v, r.time));
            }
        }
    };
    parser.parse(&mut input, &crate::ParseOptions::default(), &mut sink).ok()?;
    let (v, t) = got?;
    Some((parser.name().to_string(), v, t))
}

/// Finds the facts of `text`, skipping the line ranges of header blocks (`skip`, 0-based,
/// end exclusive).
pub fn find(text: &str, skip: &[(usize, usize)], _encoded: bool, f: &mut Facts) {
    let lines: Vec<&str> = text.lines().collect();
    if f.stated_zone.is_none() {
        f.stated_zone = lines.iter().find_map(|l| stated_zone(l));
    }
    let zone = f.stated_zone.as_deref().and_then(zone_of_statement);
    let mut pending_logs: Vec<(usize, String, String, Value, Option<jikoku_time::RawTime>)> =
        vec![];
    for (i, raw) in lines.iter().enumerate() {
        if skip.iter().any(|(a, b)| *a <= i && i < *b) {
            continue;
        }
        let (_, line) = super::unquote(raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        if looks_like_log(line) {
            if let Some((p, v, t)) = read_log_line(line) {
                pending_logs.push((n, line.to_string(), p, v, t));
            }
        }
        times_in(line, n, &mut f.times, zone);
        for w in line.split(|c: char| {
            c.is_whitespace()
                || c == ','
                || c == ';'
                || c == '"'
                || c == '<'
                || c == '>'
                || c == '('
                || c == ')'
        }) {
            let w = w.trim_end_matches(['.', ':']);
            if w.starts_with("http://")
                || w.starts_with("https://")
                || w.starts_with("hxxp://")
                || w.starts_with("hxxps://")
            {
                push_unique(&mut f.urls, w.to_string(), n);
                continue;
            }
            let defanged = w.replace("[.]", ".").replace("(.)", ".");
            if let Some(ip) = ip_of(&defanged) {
                // a bare number or a time is no address
                if defanged.contains('.') || defanged.matches(':').count() >= 2 {
                    if let Ok(a) = ip.parse::<IpAddr>() {
                        push_unique(&mut f.ips, a.to_string(), n);
                    }
                }
                // ip:port
                if let Some((_, p)) = defanged.rsplit_once(':') {
                    if defanged.matches(':').count() == 1 || defanged.contains("]:") {
                        if let Ok(port) = p.parse::<u16>() {
                            push_unique(&mut f.ports, port, n);
                        }
                    }
                }
            }
        }
        // port 22, ports 22/tcp, dst port: 25
        let lw: Vec<String> = line.split_whitespace().map(|w| w.to_ascii_lowercase()).collect();
        for (k, w) in lw.iter().enumerate() {
            let w = w.trim_start_matches(['(', '[']).trim_end_matches([':', '=', ')', ',']);
            if w == "port" || w == "ports" || w == "dpt" || w == "spt" {
                if let Some(p) = lw.get(k + 1).and_then(|x| {
                    x.trim_matches(|c: char| !c.is_ascii_digit())
                        .split('/')
                        .next()
                        .and_then(|d| d.parse::<u16>().ok())
                }) {
                    push_unique(&mut f.ports, p, n);
                }
            } else if let Some(p) = w.strip_suffix("/tcp").or_else(|| w.strip_suffix("/udp")) {
                if let Ok(p) = p.parse::<u16>() {
                    push_unique(&mut f.ports, p, n);
                }
            } else if let Some(p) = w.strip_prefix("dpt=").or_else(|| w.strip_prefix("spt=")) {
                if let Ok(p) = p.parse::<u16>() {
                    push_unique(&mut f.ports, p, n);
                }
            }
        }
    }
    // a year for yearless log lines: the year of the complaint's first stated time
    use chrono::Datelike;
    let year_hint = f.times.first().map(|t| t.time.local().year());
    for (n, text, parser, v, t) in pending_logs {
        let mut utc = None;
        let mut zone_from = "unknown".to_string();
        let mut zname = None;
        if let Some(t) = &t {
            let year = t.year.or(year_hint);
            if let Some(naive) = year.and_then(|y| t.naive(y).ok()) {
                if let Some(off) = t.offset {
                    utc = Some(naive - chrono::Duration::seconds(i64::from(off)));
                    zone_from = "line".into();
                    zname = chrono::FixedOffset::east_opt(off).map(|o| o.to_string());
                } else if let Some(z) = &zone {
                    if let Ok((u, _, _, _)) = jikoku_time::local_to_utc(z, &naive) {
                        utc = Some(u.naive_utc());
                        zone_from = "text".into();
                        zname = f.stated_zone.clone();
                    }
                }
            }
        }
        f.log_lines.push(LogLine {
            line: n,
            text,
            parser,
            event: v,
            utc: utc.map(|u| u.and_utc()),
            zone_from,
            zone: zname,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_ips_ports_urls() {
        let mut f = Facts::default();
        let t = "We saw an attack from 198.51.100.7 port 22 on Wed, 8 May 2002 13:29:44 -0400.\nAlso 2002-05-08 17:30:00 UTC to [2001:db8::7]:443, see hxxp://evil.example/x and 203.0.113[.]45\nversion 1.2 at 12:30\n";
        find(t, &[], false, &mut f);
        let ts: Vec<String> = f.times.iter().map(|t| t.time.to_rfc3339()).collect();
        assert_eq!(ts, vec!["2002-05-08T17:29:44Z", "2002-05-08T17:30:00Z"]);
        let ips: Vec<&str> = f.ips.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ips, vec!["198.51.100.7", "2001:db8::7", "203.0.113.45"]);
        assert!(f.ports.iter().any(|(p, _)| *p == 22));
        assert_eq!(f.urls[0].0, "hxxp://evil.example/x");
    }

    #[test]
    fn pasted_log_lines_in_stated_zone() {
        let mut f = Facts::default();
        let t = "All times are EDT.\nOn Wed, 8 May 2002 13:29:44 -0400 we logged:\n> May  8 13:29:40 www sshd[3112]: Invalid user oracle from 198.51.100.7 port 51122\n192.0.2.1 - - [08/May/2002:13:29:41 -0400] \"GET /x HTTP/1.1\" 404 10 \"-\" \"curl\"\n";
        find(t, &[], false, &mut f);
        assert_eq!(f.stated_zone.as_deref(), Some("EDT"));
        assert_eq!(f.log_lines.len(), 2, "{:?}", f.log_lines);
        let sys = &f.log_lines[0];
        assert_eq!(sys.zone_from, "text");
        assert_eq!(sys.utc.unwrap().to_rfc3339(), "2002-05-08T17:29:40+00:00");
        let web = &f.log_lines[1];
        assert_eq!(web.zone_from, "line");
        assert_eq!(web.utc.unwrap().to_rfc3339(), "2002-05-08T17:29:41+00:00");
    }
}
