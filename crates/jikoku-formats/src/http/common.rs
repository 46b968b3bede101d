//! What access-log parsers (built-in and custom) extract, and how it becomes an event.

use std::borrow::Cow;

use jikoku_core::{Event, HttpBody};
use jikoku_time::RawTime;

/// Family name for `jikoku.http.*` fields.
pub const FAMILY: &str = "http";

/// The fields of one access-log line, decoded (escapes undone, `-` left out).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Access {
    /// Virtual host (`%v`, `$server_name`, `$host`).
    pub vhost: Option<String>,
    /// Server port (`%p`, `$server_port`).
    pub vport: Option<u16>,
    /// Client as written (IP or host name).
    pub client: Option<String>,
    /// Client port.
    pub client_port: Option<u16>,
    /// identd name (`%l`).
    pub ident: Option<String>,
    /// Authenticated (claimed) user.
    pub user: Option<String>,
    /// The time as written.
    pub time: Option<RawTime>,
    /// The request line, decoded.
    pub request: Option<String>,
    /// Method when logged on its own (`%m`, `$request_method`).
    pub method: Option<String>,
    /// URI when logged on its own (`%U%q`, `$request_uri`).
    pub uri: Option<String>,
    /// Protocol when logged on its own (`%H`, `$server_protocol`).
    pub protocol: Option<String>,
    /// Status code.
    pub status: Option<i64>,
    /// Response body bytes.
    pub body_bytes: Option<i64>,
    /// Response bytes including headers.
    pub response_bytes: Option<i64>,
    /// Request bytes including headers.
    pub request_bytes: Option<i64>,
    /// Referer header.
    pub referrer: Option<String>,
    /// User-Agent header.
    pub user_agent: Option<String>,
    /// Duration in nanoseconds.
    pub duration_ns: Option<i64>,
    /// Request id.
    pub request_id: Option<String>,
    /// Process id of the server child.
    pub pid: Option<i64>,
    /// Named fields with no ECS home, `jikoku.http.<key>`.
    pub extras: Vec<(String, String)>,
    /// Trailing fields of a built-in format that have no name.
    pub extra_fields: Vec<String>,
    /// The last quoted field had no closing quote (the line was cut).
    pub truncated: bool,
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Jan` → 1 (case-insensitive, English).
pub fn month_number(s: &str) -> Option<u32> {
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s)).map(|i| i as u32 + 1)
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `+hhmm`, `-hhmm`, `+hh:mm`, `Z` → seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let sign = match s.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let digits: String = s.get(1..)?.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 {
        return None;
    }
    let h: i32 = num(digits.get(..2)?)?;
    let m: i32 = num(digits.get(2..)?)?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// `HH:MM:SS[.frac]` → (h, m, s, frac digits).
pub fn parse_hms(s: &str) -> Option<(u32, u32, u32, &str)> {
    let (hms, frac) = match s.split_once(['.', ',']) {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    let mut it = hms.split(':');
    let h = num(it.next()?)?;
    let m = num(it.next()?)?;
    let sec = num(it.next()?)?;
    if it.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((h, m, sec, frac))
}

/// Common Log Format time, without brackets: `10/Oct/2000:13:55:36 -0700`. The offset may
/// be missing (then `offset` is `None`: the source's zone applies).
pub fn parse_clf_time(s: &str) -> Option<RawTime> {
    let s = s.trim();
    let (dt, off) = match s.split_once(' ') {
        Some((a, b)) => (a, Some(b.trim())),
        None => (s, None),
    };
    let mut it = dt.splitn(3, '/');
    let day: u32 = num(it.next()?)?;
    let month = month_number(it.next()?)?;
    let rest = it.next()?;
    let (year, time) = rest.split_once(':')?;
    let year: i32 = num(year)?;
    let (h, m, sec, frac) = parse_hms(time)?;
    if !(1..=31).contains(&day) || year.to_string().len() != 4 {
        return None;
    }
    let offset = match off {
        None | Some("") => None,
        Some(o) => Some(parse_offset(o)?),
    };
    let mut t = RawTime::new(Some(year), month, day, h, m, sec).with_offset(offset);
    if !frac.is_empty() {
        t = t.with_fraction(frac);
    }
    Some(t)
}

/// ISO 8601 `2026-11-22T19:21:53+00:00` (also with a space, fraction, `Z`, or no offset).
pub fn parse_iso_time(s: &str) -> Option<RawTime> {
    let s = s.trim();
    let date = s.get(..10)?;
    let rest = s.get(10..)?;
    let mut it = date.split('-');
    let year: i32 = num(it.next()?)?;
    let month: u32 = num(it.next()?)?;
    let day: u32 = num(it.next()?)?;
    let rest = rest.strip_prefix(['T', ' '])?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .unwrap_or(rest.len());
    let (h, m, sec, frac) = parse_hms(rest.get(..end)?)?;
    let off = rest.get(end..)?.trim();
    let offset = if off.is_empty() { None } else { Some(parse_offset(off)?) };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = RawTime::new(Some(year), month, day, h, m, sec).with_offset(offset);
    if !frac.is_empty() {
        t = t.with_fraction(frac);
    }
    Some(t)
}

/// Seconds since the epoch (with an optional fraction) → a UTC time.
pub fn epoch_time(secs: i64, nanos: u32, digits: u8) -> Option<RawTime> {
    use chrono::{Datelike, Timelike};
    let dt = chrono::DateTime::from_timestamp(secs, nanos)?;
    let mut t =
        RawTime::new(Some(dt.year()), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
            .with_offset(Some(0));
    t.nanos = nanos;
    t.digits = digits;
    Some(t)
}

/// `1700000000.123` → time.
pub fn parse_epoch_frac(s: &str) -> Option<RawTime> {
    let (a, b) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = num(a)?;
    let digits: String = b.chars().take(9).collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let nanos = if digits.is_empty() {
        0
    } else {
        num::<u32>(&digits)? * 10u32.pow(9 - digits.len() as u32)
    };
    epoch_time(secs, nanos, digits.len() as u8)
}

/// A decimal number of seconds (`0.004`, `12`) → nanoseconds.
pub fn secs_to_ns(s: &str) -> Option<i64> {
    let (a, b) = s.split_once('.').unwrap_or((s, ""));
    let whole: i64 = num(a)?;
    let frac: String = b.chars().take(9).collect();
    let f: i64 = if frac.is_empty() {
        0
    } else {
        if !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        num::<i64>(&frac)? * 10i64.pow(9 - frac.len() as u32)
    };
    whole.checked_mul(1_000_000_000)?.checked_add(f)
}

/// A decimal integer (`-` and empty → `None`).
pub fn int(s: &str) -> Option<i64> {
    num(s)
}

/// A value that means "absent" when it is `-` or empty.
pub fn present(s: String) -> Option<String> {
    if s.is_empty() || s == "-" { None } else { Some(s) }
}

/// Splits `host:port` where the port is numeric; IPv6 without brackets keeps its colons.
pub fn split_host_port(s: &str) -> (String, Option<u16>) {
    let bare = s.trim();
    if let Some(rest) = bare.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once("]:") {
            return (h.to_string(), num(p));
        }
        return (rest.trim_end_matches(']').to_string(), None);
    }
    if let Some((h, p)) = bare.rsplit_once(':') {
        if let Some(port) = num::<u16>(p) {
            // One colon: host:port. Many colons: IPv6, split only if the left part is an IP.
            if !h.contains(':')
                || (h.parse::<std::net::Ipv6Addr>().is_ok()
                    && bare.parse::<std::net::Ipv6Addr>().is_err())
            {
                return (h.to_string(), Some(port));
            }
        }
    }
    (bare.to_string(), None)
}

/// A request line split into what can be known.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RequestLine {
    /// Method (an HTTP token).
    pub method: Option<String>,
    /// Target as written.
    pub target: Option<String>,
    /// `1.1` from `HTTP/1.1`.
    pub version: Option<String>,
    /// False when the line is not `METHOD TARGET HTTP/x` (raw bytes, no protocol, `-`).
    pub well_formed: bool,
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+.^_`|~-".contains(&c))
}

/// Splits a decoded request line. Malformed lines give what can be known: a method only when
/// the first word is an upper-case token followed by a target.
pub fn split_request(req: &str) -> RequestLine {
    let mut r = RequestLine::default();
    let t = req.trim_matches(' ');
    if t.is_empty() || t == "-" {
        return r;
    }
    let (head, version) = match t.rsplit_once(' ') {
        Some((h, p)) if p.starts_with("HTTP/") && p.len() > 5 => {
            (h.trim_end_matches(' '), Some(p.get(5..).unwrap_or("").to_string()))
        }
        _ => (t, None),
    };
    let (m, target) = match head.split_once(' ') {
        Some((m, rest)) => (m, Some(rest.trim_start_matches(' '))),
        None => (head, None),
    };
    let method_ok = is_token(m)
        && m.bytes().any(|c| c.is_ascii_uppercase())
        && !m.bytes().any(|c| c.is_ascii_lowercase());
    // `- - HTTP/1.0` (an empty request as some servers log it) has no method: `-` is no
    // upper-case token.
    if let (true, Some(tg)) = (method_ok, target) {
        r.method = Some(m.to_string());
        if !tg.is_empty() && tg != "-" {
            r.target = Some(tg.to_string());
        }
        r.well_formed = version.is_some() && !tg.contains(' ');
    }
    r.version = version;
    r
}

/// Fills `url.*` from a request target: `url.original` as written, `url.path` and `url.query`
/// for origin-form (`/p?q`) and absolute-form (`http://h/p?q`) targets.
pub fn fill_url(e: &mut Event, target: &str) {
    e.url.original = Some(target.to_string());
    let after_authority = if target.starts_with('/') {
        Some(target)
    } else if let Some(p) = target.find("://") {
        let rest = target.get(p + 3..).unwrap_or("");
        Some(rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/"))
    } else {
        None
    };
    if let Some(pq) = after_authority {
        let pq = pq.split('#').next().unwrap_or(pq);
        match pq.split_once('?') {
            Some((p, q)) => {
                e.url.path = Some(p.to_string());
                e.url.query = Some(q.to_string());
            }
            None => e.url.path = Some(pq.to_string()),
        }
    }
}

/// Fills `destination.*` from a virtual host name and port.
pub fn fill_destination(e: &mut Event, host: &str, port: Option<u16>) {
    let (h, p) = split_host_port(host);
    if h.parse::<std::net::IpAddr>().is_ok() {
        e.destination.ip = Some(h);
    } else if !h.is_empty() && h != "-" {
        e.destination.domain = Some(h);
    }
    e.destination.port = port.or(p);
}

/// Fills `source.*` from a client as written (and a port logged separately).
pub fn fill_source(e: &mut Event, client: &str, port: Option<u16>) {
    let (h, p) = split_host_port(client);
    e.source.set_address(&h);
    e.source.port = port.or(p);
}

impl Access {
    /// The event for this line (dataset chosen by the caller). `original` is the raw line.
    pub fn into_event(self, dataset: &'static str, original: &str) -> Event {
        let mut e = Event::new(Cow::Borrowed(dataset));
        e.categorize("web", "access", "http-request");
        e.event.original = Some(original.to_string());
        if let Some(c) = &self.client {
            fill_source(&mut e, c, self.client_port);
        }
        if let Some(v) = &self.vhost {
            fill_destination(&mut e, v, self.vport);
        } else if let Some(p) = self.vport {
            e.destination.port = Some(p);
        }
        if let Some(i) = self.ident {
            e.set_extra(FAMILY, "ident", i);
        }
        e.user.name = self.user;
        let mut message = String::new();
        if let Some(req) = &self.request {
            let rl = split_request(req);
            e.http.request.method = rl.method.clone();
            if let Some(t) = &rl.target {
                fill_url(&mut e, t);
            }
            e.http.version = rl.version.clone();
            if !rl.well_formed {
                e.set_extra(FAMILY, "request_line", req.as_str());
            }
            message.push_str(req);
        }
        if let Some(m) = self.method {
            e.http.request.method = Some(m);
        }
        if let Some(u) = self.uri {
            fill_url(&mut e, &u);
        }
        if let Some(p) = self.protocol {
            e.http.version = Some(p.strip_prefix("HTTP/").unwrap_or(&p).to_string());
        }
        if message.is_empty() {
            let parts: Vec<&str> = [e.http.request.method.as_deref(), e.url.original.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            message = parts.join(" ");
        }
        if let Some(s) = self.status {
            e.http.response.status_code = Some(s);
            e.outcome(if s >= 400 { "failure" } else { "success" });
            if !message.is_empty() {
                message.push_str(" -> ");
            }
            message.push_str(&s.to_string());
        }
        if !message.is_empty() {
            e.message = Some(message);
        }
        if let Some(b) = self.body_bytes {
            e.http.response.body = Some(HttpBody { bytes: Some(b) });
        }
        e.http.response.bytes = self.response_bytes;
        e.http.request.bytes = self.request_bytes;
        e.http.request.referrer = self.referrer;
        e.user_agent.original = self.user_agent;
        e.event.duration = self.duration_ns;
        e.http.request.id = self.request_id;
        e.process.pid = self.pid;
        for (k, v) in self.extras {
            e.set_extra(FAMILY, &k, v);
        }
        if !self.extra_fields.is_empty() {
            e.set_extra(FAMILY, "extra_fields", self.extra_fields);
        }
        if self.truncated {
            e.set_extra(FAMILY, "truncated", true);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = parse_clf_time("10/Oct/2000:13:55:36 -0700").unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.offset),
            (Some(2000), 10, 10, 13, Some(-7 * 3600))
        );
        let t = parse_clf_time("31/Jan/2015:14:29:44 ").unwrap();
        assert_eq!(t.offset, None);
        assert!(parse_clf_time("31/Foo/2015:14:29:44").is_none());
        let t = parse_iso_time("2026-11-22T19:21:53+09:00").unwrap();
        assert_eq!((t.hour, t.offset), (19, Some(9 * 3600)));
        let t = parse_epoch_frac("1700000000.123").unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.nanos, t.digits),
            (Some(2023), 11, 14, 22, 123_000_000, 3)
        );
        assert_eq!(secs_to_ns("0.004"), Some(4_000_000));
        assert_eq!(secs_to_ns("2"), Some(2_000_000_000));
    }

    #[test]
    fn requests() {
        let r = split_request("GET /a b?x=1 HTTP/1.1");
        assert_eq!(
            (r.method.as_deref(), r.target.as_deref(), r.version.as_deref(), r.well_formed),
            (Some("GET"), Some("/a b?x=1"), Some("1.1"), false)
        );
        let r = split_request("GET /prot\"ected/?x= y");
        assert_eq!(
            (r.method.as_deref(), r.target.as_deref(), r.version),
            (Some("GET"), Some("/prot\"ected/?x= y"), None)
        );
        let r = split_request("\u{16}\u{3}\u{1}");
        assert_eq!(r, RequestLine::default());
        let r = split_request("- - HTTP/1.0");
        assert_eq!((r.method, r.target, r.version.as_deref()), (None, None, Some("1.0")));
        assert_eq!(split_request("batman").method, None);
        assert_eq!(split_request("HELP").method, None);
        let r = split_request("CONNECT 1.2.3.4:443 HTTP/1.1");
        assert_eq!(r.target.as_deref(), Some("1.2.3.4:443"));
    }

    #[test]
    fn host_ports() {
        assert_eq!(split_host_port("127.0.0.1:80"), ("127.0.0.1".into(), Some(80)));
        assert_eq!(split_host_port("::1"), ("::1".into(), None));
        assert_eq!(
            split_host_port("2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6"),
            ("2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6".into(), None)
        );
        assert_eq!(split_host_port("[::1]:8080"), ("::1".into(), Some(8080)));
        assert_eq!(
            split_host_port("www.example.test:8080"),
            ("www.example.test".into(), Some(8080))
        );
    }
}
