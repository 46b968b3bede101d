//! Custom access-log formats: an Apache `LogFormat` string or an nginx `log_format` string,
//! compiled into a list of literals and fields, then matched against each line.
//!
//! Matching walks the pieces left to right. A field ends where the literal after it is found
//! (escaped characters skipped), trying each later occurrence when the first does not lead to a
//! whole-line match (bounded backtracking); each field checks its own shape (a status is three
//! digits, a time parses), which is what makes the right occurrence win.

use chrono::format::{Parsed, StrftimeItems};

use super::common::{
    Access, epoch_time, int, parse_clf_time, parse_epoch_frac, parse_iso_time, present, secs_to_ns,
};
use super::escape::decode_text;

/// What a directive or variable holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `%h`, `%a`, `$remote_addr`
    Client,
    /// `%{remote}p`, `$remote_port`
    ClientPort,
    /// `%l`
    Ident,
    /// `%u`, `$remote_user`
    User,
    /// `%t`: `[10/Oct/2000:13:55:36 -0700]` with its brackets
    TimeClfBracketed,
    /// `$time_local`
    TimeClf,
    /// `$time_iso8601`
    TimeIso,
    /// `$msec`: `1700000000.123`
    TimeEpochFrac,
    /// `%{sec}t` (0), `%{msec}t` (3), `%{usec}t` (6): integer epoch
    TimeEpoch(u8),
    /// `%{msec_frac}t` (3), `%{usec_frac}t` (6)
    TimeFrac(u8),
    /// `%{strftime}t`
    TimeStrftime(String),
    /// `%r`, `$request`
    Request,
    /// `%m`, `$request_method`
    Method,
    /// `$request_uri`
    Uri,
    /// `%U`, `$uri`
    Path,
    /// `%q` (with `?`), `$args` (without)
    Query,
    /// `%H`, `$server_protocol`
    Protocol,
    /// `%s`, `%>s`, `$status`
    Status,
    /// `%b`, `%B`, `$body_bytes_sent`
    BodyBytes,
    /// `%O`, `$bytes_sent`
    ResponseBytes,
    /// `%I`, `$request_length`
    RequestBytes,
    /// `%D`, `%{us}T`
    DurationMicros,
    /// `%{ms}T`
    DurationMillis,
    /// `%T`, `$request_time` (decimal seconds)
    DurationSecs,
    /// `%v`, `%V`, `$server_name`, `$host`
    VHost,
    /// `%p`, `$server_port`
    ServerPort,
    /// `%{Referer}i`, `$http_referer`
    Referer,
    /// `%{User-agent}i`, `$http_user_agent`
    UserAgent,
    /// `%L`, `%{X-Request-Id}i`, `$request_id`
    RequestId,
    /// `%P`, `$pid`
    Pid,
    /// Anything else, kept under `jikoku.http.<name>`.
    Named(String),
}

/// A piece of a compiled format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text written as is.
    Lit(Vec<u8>),
    /// A value.
    Field(Field),
}

/// Which server's syntax the format was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `%h %l %u %t "%r" ...`
    Apache,
    /// `$remote_addr - $remote_user [$time_local] ...`
    Nginx,
}

/// A compiled custom format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFormat {
    /// The pieces.
    pub pieces: Vec<Piece>,
    /// The syntax it was written in.
    pub syntax: Syntax,
}

fn key(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

fn header_field(name: &str) -> Field {
    match name.to_ascii_lowercase().as_str() {
        "referer" | "referrer" => Field::Referer,
        "user-agent" => Field::UserAgent,
        "x-request-id" => Field::RequestId,
        _ => Field::Named(key(name)),
    }
}

/// Undoes the escapes Apache's config parser handles in a quoted `LogFormat` argument.
fn apache_config_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some('"') => {
                    out.push('"');
                    it.next();
                }
                Some('\\') => {
                    out.push('\\');
                    it.next();
                }
                Some('t') => {
                    out.push('\t');
                    it.next();
                }
                Some('n') => {
                    out.push('\n');
                    it.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn compile_apache(fmt: &str) -> Result<Vec<Piece>, String> {
    let mut src = fmt.trim();
    if src.len() >= 2 && src.starts_with('"') && src.ends_with('"') {
        src = src.get(1..src.len() - 1).unwrap_or(src);
    }
    let s = apache_config_unescape(src);
    let b = s.as_bytes();
    let mut pieces = vec![];
    let mut lit: Vec<u8> = vec![];
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'%' {
            lit.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'%') {
            lit.push(b'%');
            i += 1;
            continue;
        }
        // Modifiers: `!`, status lists `400,501`, `<` / `>`.
        while b.get(i).is_some_and(|c| matches!(c, b'!' | b',' | b'<' | b'>' | b'0'..=b'9')) {
            i += 1;
        }
        let mut arg: Option<String> = None;
        if b.get(i) == Some(&b'{') {
            let close = b
                .get(i..)
                .and_then(|r| r.iter().position(|&c| c == b'}'))
                .ok_or_else(|| format!("unterminated %{{ in {fmt:?}"))?;
            arg =
                Some(String::from_utf8_lossy(b.get(i + 1..i + close).unwrap_or(&[])).into_owned());
            i += close + 1;
        }
        let Some(&d) = b.get(i) else {
            return Err(format!("format {fmt:?} ends inside a directive"));
        };
        i += 1;
        let a = arg.as_deref();
        let field = match d {
            b'h' | b'a' => Field::Client,
            b'A' => Field::Named("local_ip".into()),
            b'l' => Field::Ident,
            b'u' => Field::User,
            b't' => match a {
                None => Field::TimeClfBracketed,
                Some(x) => {
                    let x =
                        x.strip_prefix("begin:").or_else(|| x.strip_prefix("end:")).unwrap_or(x);
                    match x {
                        "sec" => Field::TimeEpoch(0),
                        "msec" => Field::TimeEpoch(3),
                        "usec" => Field::TimeEpoch(6),
                        "msec_frac" => Field::TimeFrac(3),
                        "usec_frac" => Field::TimeFrac(6),
                        f => Field::TimeStrftime(f.to_string()),
                    }
                }
            },
            b'r' => Field::Request,
            b'm' => Field::Method,
            b'U' => Field::Path,
            b'q' => Field::Query,
            b'H' => Field::Protocol,
            b's' => Field::Status,
            b'b' | b'B' => Field::BodyBytes,
            b'O' => Field::ResponseBytes,
            b'I' => Field::RequestBytes,
            b'S' => Field::Named("bytes_total".into()),
            b'D' => Field::DurationMicros,
            b'T' => match a {
                Some("ms") => Field::DurationMillis,
                Some("us") => Field::DurationMicros,
                _ => Field::DurationSecs,
            },
            b'v' | b'V' => Field::VHost,
            b'p' => match a {
                Some("remote") => Field::ClientPort,
                _ => Field::ServerPort,
            },
            b'P' => Field::Pid,
            b'L' => Field::RequestId,
            b'i' => header_field(a.unwrap_or("header")),
            b'o' => Field::Named(format!("response_{}", key(a.unwrap_or("header")))),
            b'C' => Field::Named(format!("cookie_{}", key(a.unwrap_or("")))),
            b'e' => Field::Named(format!("env_{}", key(a.unwrap_or("")))),
            b'n' => Field::Named(format!("note_{}", key(a.unwrap_or("")))),
            b'f' => Field::Named("filename".into()),
            b'k' => Field::Named("keepalive_requests".into()),
            b'R' => Field::Named("handler".into()),
            b'X' => Field::Named("connection_status".into()),
            other => Field::Named(format!("directive_{}", other as char)),
        };
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        pieces.push(Piece::Field(field));
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(pieces)
}

fn nginx_var(name: &str) -> Field {
    match name {
        "remote_addr" | "realip_remote_addr" => Field::Client,
        "remote_port" | "realip_remote_port" => Field::ClientPort,
        "remote_user" => Field::User,
        "time_local" => Field::TimeClf,
        "time_iso8601" => Field::TimeIso,
        "msec" => Field::TimeEpochFrac,
        "request" => Field::Request,
        "request_method" => Field::Method,
        "request_uri" => Field::Uri,
        "uri" | "document_uri" => Field::Path,
        "args" | "query_string" => Field::Query,
        "server_protocol" => Field::Protocol,
        "status" => Field::Status,
        "body_bytes_sent" => Field::BodyBytes,
        "bytes_sent" => Field::ResponseBytes,
        "request_length" => Field::RequestBytes,
        "request_time" => Field::DurationSecs,
        "http_referer" => Field::Referer,
        "http_user_agent" => Field::UserAgent,
        "request_id" | "http_x_request_id" => Field::RequestId,
        "host" | "server_name" | "http_host" => Field::VHost,
        "server_port" => Field::ServerPort,
        "pid" => Field::Pid,
        other => Field::Named(other.to_string()),
    }
}

/// The nginx config form `'a' "b" c` → `abc`, escape removed; a bare string stays.
fn nginx_join(s: &str) -> String {
    let t = s.trim().trim_end_matches(';').trim();
    if !(t.starts_with('\'') || t.starts_with('"')) {
        return t.to_string();
    }
    let mut out = String::new();
    let mut it = t.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\'' || c == '"' {
            while let Some(d) = it.next() {
                if d == '\\' {
                    if let Some(&e) = it.peek() {
                        if e == c || e == '\\' {
                            out.push(e);
                            it.next();
                            continue;
                        }
                    }
                    out.push(d);
                } else if d == c {
                    break;
                } else {
                    out.push(d);
                }
            }
        }
    }
    out
}

fn compile_nginx(fmt: &str) -> Result<Vec<Piece>, String> {
    let s = nginx_join(fmt);
    let b = s.as_bytes();
    let mut pieces = vec![];
    let mut lit: Vec<u8> = vec![];
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let name_start = if c == b'$' && b.get(i + 1) == Some(&b'{') {
            Some(i + 2)
        } else if c == b'$' && b.get(i + 1).is_some_and(|x| x.is_ascii_alphabetic() || *x == b'_') {
            Some(i + 1)
        } else {
            None
        };
        let Some(ns) = name_start else {
            lit.push(c);
            i += 1;
            continue;
        };
        let mut j = ns;
        while b.get(j).is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_') {
            j += 1;
        }
        let name = String::from_utf8_lossy(b.get(ns..j).unwrap_or(&[])).into_owned();
        if ns == i + 2 {
            if b.get(j) != Some(&b'}') {
                return Err(format!("unterminated ${{ in {fmt:?}"));
            }
            j += 1;
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        pieces.push(Piece::Field(nginx_var(&name)));
        i = j;
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(pieces)
}

fn is_nginx(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| {
        w.first() == Some(&b'$')
            && w.get(1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'{')
    })
}

impl LogFormat {
    /// Compiles an Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`, config escapes
    /// allowed) or an nginx `log_format` string (`$remote_addr - ...`, optionally with the
    /// config's quotes and a leading `escape=json`).
    pub fn compile(fmt: &str) -> Result<LogFormat, String> {
        let mut f = fmt.trim();
        for p in ["escape=default", "escape=json", "escape=none"] {
            if let Some(r) = f.strip_prefix(p) {
                f = r.trim_start();
            }
        }
        let (pieces, syntax) = if is_nginx(f) {
            (compile_nginx(f)?, Syntax::Nginx)
        } else {
            (compile_apache(f)?, Syntax::Apache)
        };
        if !pieces.iter().any(|p| matches!(p, Piece::Field(_))) {
            return Err(format!(
                "the HTTP log format {fmt:?} has no field (%h, $remote_addr, ...)"
            ));
        }
        Ok(LogFormat { pieces, syntax })
    }

    /// Matches a line; `None` when it does not have this format.
    pub fn parse(&self, line: &[u8]) -> Option<Access> {
        let line = trim_end(line);
        let mut caps: Vec<(usize, usize, usize)> = vec![];
        // Work budget (calls + bytes scanned): linear in the line, so that a hostile line
        // cannot make backtracking quadratic.
        let mut budget: u64 = 100_000 + 16 * line.len() as u64;
        if !self.walk(line, 0, 0, &mut caps, &mut budget) {
            return None;
        }
        self.build(line, &caps)
    }

    fn walk(
        &self,
        line: &[u8],
        pi: usize,
        pos: usize,
        caps: &mut Vec<(usize, usize, usize)>,
        budget: &mut u64,
    ) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Some(piece) = self.pieces.get(pi) else { return pos == line.len() };
        let rest = line.get(pos..).unwrap_or(&[]);
        match piece {
            Piece::Lit(l) => {
                rest.starts_with(l) && self.walk(line, pi + 1, pos + l.len(), caps, budget)
            }
            Piece::Field(f) => match self.pieces.get(pi + 1) {
                None => {
                    if valid(f, rest) {
                        caps.push((pi, pos, line.len()));
                        true
                    } else {
                        false
                    }
                }
                Some(Piece::Field(_)) => {
                    let mut end = pos;
                    while let Some(&c) = line.get(end) {
                        if c == b'\\' {
                            end += 2;
                            continue;
                        }
                        if stops(f, c) {
                            break;
                        }
                        end += 1;
                    }
                    let end = end.min(line.len());
                    if valid(f, line.get(pos..end).unwrap_or(&[])) {
                        caps.push((pi, pos, end));
                        if self.walk(line, pi + 1, end, caps, budget) {
                            return true;
                        }
                        caps.pop();
                    }
                    false
                }
                Some(Piece::Lit(l)) => {
                    let Some(&l0) = l.first() else { return false };
                    let mut j = pos;
                    while let Some(&c) = line.get(j) {
                        if *budget == 0 {
                            return false;
                        }
                        *budget -= 1;
                        if c == b'\\' && l0 != b'\\' {
                            j += 2;
                            continue;
                        }
                        if c == l0 && line.get(j..).is_some_and(|r| r.starts_with(l)) {
                            let v = line.get(pos..j).unwrap_or(&[]);
                            if valid(f, v) {
                                caps.push((pi, pos, j));
                                if self.walk(line, pi + 1, j, caps, budget) {
                                    return true;
                                }
                                caps.pop();
                            }
                            *budget = budget.saturating_sub(1);
                        }
                        j += 1;
                    }
                    false
                }
            },
        }
    }

    fn build(&self, line: &[u8], caps: &[(usize, usize, usize)]) -> Option<Access> {
        let mut a = Access::default();
        let mut parsed = Parsed::new();
        let mut have_parsed = false;
        let mut frac: Option<(u32, u8)> = None;
        let mut path: Option<String> = None;
        let mut query: Option<String> = None;
        let mut dur_rank = 0u8;
        for &(pi, s, e) in caps {
            let Some(Piece::Field(f)) = self.pieces.get(pi) else { continue };
            let raw = line.get(s..e).unwrap_or(&[]);
            let txt = decode_text(raw);
            let val = present(txt.clone());
            match f {
                Field::Client => a.client = val,
                Field::ClientPort => a.client_port = val.and_then(|v| v.parse().ok()),
                Field::Ident => a.ident = val,
                Field::User => a.user = val,
                Field::TimeClfBracketed => {
                    a.time = txt
                        .strip_prefix('[')
                        .and_then(|t| t.strip_suffix(']'))
                        .and_then(parse_clf_time)
                }
                Field::TimeClf => a.time = parse_clf_time(&txt),
                Field::TimeIso => a.time = parse_iso_time(&txt),
                Field::TimeEpochFrac => a.time = parse_epoch_frac(&txt),
                Field::TimeEpoch(d) => {
                    let v = int(&txt)?;
                    let p = 10i64.pow(u32::from(*d));
                    let nanos = (v.rem_euclid(p) * (1_000_000_000 / p)) as u32;
                    a.time = epoch_time(v.div_euclid(p), nanos, *d);
                }
                Field::TimeFrac(d) => {
                    let scale = 10u32.pow(u32::from(*d));
                    let v = u32::try_from(int(&txt)?).ok().filter(|v| *v < scale)?;
                    frac = Some((v * (1_000_000_000 / scale), *d));
                }
                Field::TimeStrftime(fmt) => {
                    chrono::format::parse(&mut parsed, &txt, StrftimeItems::new(fmt)).ok()?;
                    have_parsed = true;
                }
                Field::Request => a.request = val,
                Field::Method => a.method = val,
                Field::Uri => a.uri = val,
                Field::Path => path = val,
                Field::Query => query = if txt.is_empty() || txt == "-" { None } else { Some(txt) },
                Field::Protocol => a.protocol = val,
                Field::Status => a.status = int(&txt),
                Field::BodyBytes => a.body_bytes = int(&txt),
                Field::ResponseBytes => a.response_bytes = int(&txt),
                Field::RequestBytes => a.request_bytes = int(&txt),
                // The most precise duration wins (`%D %T` both present).
                Field::DurationMicros => set_duration(
                    &mut a,
                    &mut dur_rank,
                    3,
                    int(&txt).and_then(|v| v.checked_mul(1000)),
                ),
                Field::DurationMillis => set_duration(
                    &mut a,
                    &mut dur_rank,
                    2,
                    int(&txt).and_then(|v| v.checked_mul(1_000_000)),
                ),
                Field::DurationSecs => {
                    let rank = if txt.contains('.') { 2 } else { 1 };
                    set_duration(&mut a, &mut dur_rank, rank, secs_to_ns(&txt))
                }
                Field::VHost => a.vhost = val,
                Field::ServerPort => a.vport = val.and_then(|v| v.parse().ok()),
                Field::Referer => a.referrer = val,
                Field::UserAgent => a.user_agent = val,
                Field::RequestId => a.request_id = val,
                Field::Pid => a.pid = val.and_then(|v| v.parse().ok()),
                Field::Named(n) => {
                    if let Some(v) = val {
                        a.extras.push((n.clone(), v));
                    }
                }
            }
        }
        if have_parsed {
            a.time = from_parsed(&parsed);
        }
        if let (Some(t), Some((ns, d))) = (a.time.as_mut(), frac) {
            t.nanos = ns;
            t.digits = d;
        }
        if a.uri.is_none() && (path.is_some() || query.is_some()) {
            let mut u = path.unwrap_or_default();
            if let Some(q) = query {
                if !q.starts_with('?') {
                    u.push('?');
                }
                u.push_str(&q);
            }
            a.uri = Some(u);
        }
        Some(a)
    }
}

fn set_duration(a: &mut Access, rank_now: &mut u8, rank: u8, v: Option<i64>) {
    if v.is_some() && rank > *rank_now {
        a.duration_ns = v;
        *rank_now = rank;
    }
}

fn from_parsed(p: &Parsed) -> Option<jikoku_time::RawTime> {
    if let Some(ts) = p.timestamp() {
        return epoch_time(ts, p.nanosecond().unwrap_or(0), 0);
    }
    let date = p.to_naive_date().ok()?;
    let time = p.to_naive_time().ok()?;
    use chrono::{Datelike, Timelike};
    let mut t = jikoku_time::RawTime::new(
        Some(date.year()),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second(),
    )
    .with_offset(p.offset());
    let ns = time.nanosecond();
    if ns != 0 {
        t.nanos = ns;
        t.digits = if ns % 1_000_000 == 0 {
            3
        } else if ns % 1000 == 0 {
            6
        } else {
            9
        };
    }
    Some(t)
}

fn trim_end(b: &[u8]) -> &[u8] {
    let mut e = b.len();
    while e > 0 && matches!(b.get(e - 1), Some(b' ' | b'\t')) {
        e -= 1;
    }
    b.get(..e).unwrap_or(b)
}

/// Where a field ends when another field follows with no literal between.
fn stops(f: &Field, c: u8) -> bool {
    match f {
        Field::Path => c == b'?' || c == b'"',
        _ => c == b' ' || c == b'"',
    }
}

fn digits_or_dash(v: &[u8]) -> bool {
    v == b"-" || (!v.is_empty() && v.iter().all(u8::is_ascii_digit))
}

fn valid(f: &Field, v: &[u8]) -> bool {
    let s = || std::str::from_utf8(v).unwrap_or("");
    match f {
        Field::Status => v == b"-" || (v.len() == 3 && v.iter().all(u8::is_ascii_digit)),
        Field::BodyBytes
        | Field::ResponseBytes
        | Field::RequestBytes
        | Field::DurationMicros
        | Field::DurationMillis
        | Field::ClientPort
        | Field::ServerPort
        | Field::Pid
        | Field::TimeEpoch(_)
        | Field::TimeFrac(_) => digits_or_dash(v),
        Field::DurationSecs => {
            v == b"-" || (!v.is_empty() && v.iter().all(|c| c.is_ascii_digit() || *c == b'.'))
        }
        Field::Client | Field::Ident | Field::VHost | Field::Method | Field::Protocol => {
            !v.is_empty() && !v.contains(&b' ') && !v.contains(&b'"')
        }
        Field::TimeClfBracketed => s()
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .and_then(parse_clf_time)
            .is_some(),
        Field::TimeClf => parse_clf_time(s()).is_some(),
        Field::TimeIso => parse_iso_time(s()).is_some(),
        Field::TimeEpochFrac => parse_epoch_frac(s()).is_some(),
        Field::TimeStrftime(fmt) => {
            let mut p = Parsed::new();
            chrono::format::parse(&mut p, s(), StrftimeItems::new(fmt)).is_ok()
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_combined_with_duration() {
        let f = LogFormat::compile(
            r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{X-Request-Id}i"#,
        )
        .unwrap();
        assert_eq!(f.syntax, Syntax::Apache);
        let a = f
            .parse(br#"10.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /a b?x=\"1\" HTTP/1.1" 200 2326 "http://r/" "UA \"x\"" 1234 abc-1"#)
            .unwrap();
        assert_eq!(a.client.as_deref(), Some("10.0.0.1"));
        assert_eq!(a.user.as_deref(), Some("bob"));
        assert_eq!(a.request.as_deref(), Some(r#"GET /a b?x="1" HTTP/1.1"#));
        assert_eq!(a.status, Some(200));
        assert_eq!(a.user_agent.as_deref(), Some(r#"UA "x""#));
        assert_eq!(a.duration_ns, Some(1_234_000));
        assert_eq!(a.request_id.as_deref(), Some("abc-1"));
        assert_eq!(a.time.unwrap().offset, Some(-7 * 3600));
        assert!(f.parse(b"something else").is_none());
    }

    #[test]
    fn apache_strftime_and_parts() {
        let f = LogFormat::compile(
            "%v:%p %a %{%Y-%m-%d %H:%M:%S}t.%{msec_frac}t %{%z}t %m %U%q %H %>s %O %T",
        )
        .unwrap();
        let a = f
            .parse(b"h.test:8080 ::1 2026-11-22 19:22:05.123 +0900 GET /p?q=1 HTTP/1.1 404 99 2")
            .unwrap();
        let t = a.time.unwrap();
        assert_eq!(
            (t.year, t.hour, t.nanos, t.digits, t.offset),
            (Some(2026), 19, 123_000_000, 3, Some(9 * 3600))
        );
        assert_eq!(a.uri.as_deref(), Some("/p?q=1"));
        assert_eq!(a.vhost.as_deref(), Some("h.test"));
        assert_eq!(a.vport, Some(8080));
        assert_eq!(a.duration_ns, Some(2_000_000_000));
        // An out-of-range fraction is no match (and no overflow).
        assert!(
            f.parse(
                b"h.test:8080 ::1 2026-11-22 19:22:05.99999999999 +0900 GET /p HTTP/1.1 404 99 2"
            )
            .is_none()
        );
    }

    #[test]
    fn nginx_formats() {
        let f = LogFormat::compile(r#"'$remote_addr - $remote_user [$time_local] "$request" ' '$status $body_bytes_sent "$http_referer" ' '"$http_user_agent" $request_time $host'"#).unwrap();
        assert_eq!(f.syntax, Syntax::Nginx);
        let a = f.parse(br#"::1 - - [22/Nov/2026:19:21:53 +0000] "GET /x\x22 HTTP/1.1" 404 153 "-" "Evil \x22q\x22" 0.004 www.example.test"#).unwrap();
        assert_eq!(a.request.as_deref(), Some("GET /x\" HTTP/1.1"));
        assert_eq!(a.user_agent.as_deref(), Some("Evil \"q\""));
        assert_eq!(a.duration_ns, Some(4_000_000));
        assert_eq!(a.vhost.as_deref(), Some("www.example.test"));
        let f = LogFormat::compile(r#"escape=json '{"t":"$time_iso8601","a":"$remote_addr","r":"$request","s":$status,"ua":"$http_user_agent","x":"$upstream_addr"}'"#).unwrap();
        let a = f.parse(br#"{"t":"2026-11-22T19:21:53+00:00","a":"127.0.0.1","r":"GET /\"q\" HTTP/1.1","s":200,"ua":"a\\b","x":"10.0.0.1:9000"}"#).unwrap();
        assert_eq!(a.request.as_deref(), Some(r#"GET /"q" HTTP/1.1"#));
        assert_eq!(a.user_agent.as_deref(), Some(r"a\b"));
        assert_eq!(a.extras, vec![("upstream_addr".to_string(), "10.0.0.1:9000".to_string())]);
        assert!(LogFormat::compile("no fields here").is_err());
        assert!(LogFormat::compile("%{Referer").is_err());
    }
}
