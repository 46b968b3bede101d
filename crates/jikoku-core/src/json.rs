//! A hand-written JSON writer for [`Event`]: the bytes serde_json writes for the derived
//! `Serialize` (same field order, same omissions, same escaping), without the serializer's
//! per-field dispatch. `jikoku parse` writes every event through it.
//!
//! Byte-identity with `serde_json::to_string(&event)` is the contract; the tests below and
//! tests/golden.rs check it on every event they build.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::event::*;

/// How serde_json escapes a byte in a string: 0 = not at all, `u` = `\u00XX`, otherwise the
/// letter after the backslash.
#[inline]
fn escape(b: u8) -> u8 {
    match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        0..=0x1f => b'u',
        _ => 0,
    }
}

/// True when one of the eight bytes of `x` is below 0x20, `"` or `\\` (exact: the classic
/// has-zero-byte tests, see "Bit Twiddling Hacks").
#[inline]
fn needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let q = x ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let b = x ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b & HIGH;
    below_space | quote | backslash != 0
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string (quotes included), escaped as serde_json escapes.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs escaping (most text).
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(a)) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
            let esc = escape(b);
            if esc == 0 {
                continue;
            }
            out.extend_from_slice(bytes.get(start..j).unwrap_or(&[]));
            out.push(b'\\');
            out.push(esc);
            if esc == b'u' {
                out.extend_from_slice(b"00");
                out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                out.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
            }
            start = j + 1;
        }
        i = end;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or(&[]));
    out.push(b'"');
}

/// `"name":`, the way [`Obj::key`] takes a member's name (one copy instead of three).
macro_rules! q {
    ($k:literal) => {
        concat!("\"", $k, "\":")
    };
}

/// One JSON object being written: commas between members.
struct Obj<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Obj<'a> {
    fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, empty: true }
    }

    /// Writes a member's name, `k` = `"name":` as [`q!`] writes it (a field name of the
    /// schema: nothing to escape).
    fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.extend_from_slice(k.as_bytes());
        self.out
    }

    fn str(&mut self, k: &str, v: &str) {
        let out = self.key(k);
        write_str(out, v);
    }

    fn opt_str<S: AsRef<str>>(&mut self, k: &str, v: &Option<S>) {
        if let Some(v) = v {
            self.str(k, v.as_ref());
        }
    }

    fn opt_int<I: itoa::Integer>(&mut self, k: &str, v: Option<I>) {
        if let Some(v) = v {
            let out = self.key(k);
            out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
    }

    fn strs(&mut self, k: &str, v: &[Cow<'static, str>]) {
        if v.is_empty() {
            return;
        }
        let out = self.key(k);
        out.push(b'[');
        for (i, s) in v.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, s);
        }
        out.push(b']');
    }

    /// A nested object, omitted when `f` writes no member (the derived `skip_serializing_if =
    /// "is_empty"`: a group is empty exactly when each of its fields is absent).
    fn group(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) {
        let mark = self.out.len();
        let was_empty = self.empty;
        let out = self.key(k);
        let mut inner = Obj::open(out);
        f(&mut inner);
        if inner.empty {
            self.out.truncate(mark);
            self.empty = was_empty;
        } else {
            self.out.push(b'}');
        }
    }

    /// A nested object written even when empty (`{}`).
    fn always(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) {
        let out = self.key(k);
        let mut inner = Obj::open(out);
        f(&mut inner);
        self.out.push(b'}');
    }

    /// The entries of a flattened map, in its order.
    fn flatten(&mut self, m: &Map<String, Value>) {
        for (k, v) in m {
            if !self.empty {
                self.out.push(b',');
            }
            self.empty = false;
            write_str(self.out, k);
            self.out.push(b':');
            value(self.out, v);
        }
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::String(s) => write_str(out, s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes());
            } else {
                serde_fallback(out, v);
            }
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value(out, x);
            }
            out.push(b']');
        }
        Value::Object(m) => {
            let mut o = Obj::open(out);
            o.flatten(m);
            o.close();
        }
    }
}

fn serde_fallback<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

fn f64_value(out: &mut Vec<u8>, v: f64) {
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() { b"-0.0" } else { b"0.0" });
    } else {
        serde_fallback(out, &v);
    }
}

fn group_fields(o: &mut Obj<'_>, g: &GroupFields) {
    o.opt_str(q!("name"), &g.name);
    o.opt_str(q!("id"), &g.id);
}

fn user_ref(o: &mut Obj<'_>, u: &UserRef) {
    o.opt_str(q!("name"), &u.name);
    o.opt_str(q!("id"), &u.id);
    if let Some(g) = &u.group {
        o.always(q!("group"), |o| group_fields(o, g));
    }
}

fn endpoint(o: &mut Obj<'_>, e: &Endpoint) {
    o.opt_str(q!("address"), &e.address);
    o.opt_str(q!("ip"), &e.ip);
    o.opt_int(q!("port"), e.port);
    o.opt_str(q!("domain"), &e.domain);
}

fn addresses(o: &mut Obj<'_>, a: &Addresses) {
    if !a.address.is_empty() {
        let out = o.key(q!("address"));
        out.push(b'[');
        for (i, s) in a.address.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, s);
        }
        out.push(b']');
    }
}

fn code_name(o: &mut Obj<'_>, k: &str, c: &Option<CodeName>) {
    if let Some(c) = c {
        o.always(k, |o| {
            o.opt_int(q!("code"), Some(c.code));
            o.str(q!("name"), &c.name);
        });
    }
}

impl Event {
    /// Appends the event as one line of JSON (no newline): the same bytes as
    /// `serde_json::to_writer(out, self)`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Obj::open(out);
        if let Some(t) = &self.timestamp {
            let s = t.to_rfc3339();
            o.str(q!("@timestamp"), &s);
        }
        let ev = &self.event;
        o.always(q!("event"), |o| {
            o.str(q!("kind"), &ev.kind);
            o.str(q!("dataset"), &ev.dataset);
            o.strs(q!("category"), &ev.category);
            o.strs(q!("type"), &ev.kind_type);
            o.opt_str(q!("action"), &ev.action);
            o.opt_str(q!("outcome"), &ev.outcome);
            o.opt_str(q!("reason"), &ev.reason);
            o.opt_str(q!("original"), &ev.original);
            o.opt_int(q!("duration"), ev.duration);
            o.opt_int(q!("severity"), ev.severity);
        });
        o.opt_str(q!("message"), &self.message);
        o.group(q!("error"), |o| o.opt_str(q!("message"), &self.error.message));
        o.group(q!("host"), |o| o.opt_str(q!("name"), &self.host.name));
        let u = &self.user;
        o.group(q!("user"), |o| {
            o.opt_str(q!("name"), &u.name);
            o.opt_str(q!("id"), &u.id);
            o.group(q!("effective"), |o| user_ref(o, &u.effective));
            o.group(q!("target"), |o| user_ref(o, &u.target));
        });
        o.group(q!("group"), |o| group_fields(o, &self.group));
        let p = &self.process;
        o.group(q!("process"), |o| {
            o.opt_str(q!("name"), &p.name);
            o.opt_int(q!("pid"), p.pid);
            o.group(q!("parent"), |o| o.opt_int(q!("pid"), p.parent.pid));
            o.opt_str(q!("command_line"), &p.command_line);
            o.opt_str(q!("executable"), &p.executable);
            o.opt_str(q!("working_directory"), &p.working_directory);
            o.opt_int(q!("exit_code"), p.exit_code);
            o.opt_str(q!("start"), &p.start);
            o.opt_str(q!("end"), &p.end);
        });
        o.group(q!("source"), |o| endpoint(o, &self.source));
        o.group(q!("destination"), |o| endpoint(o, &self.destination));
        let m = &self.email;
        o.group(q!("email"), |o| {
            o.group(q!("from"), |o| addresses(o, &m.from));
            o.group(q!("to"), |o| addresses(o, &m.to));
            o.opt_str(q!("message_id"), &m.message_id);
            o.opt_str(q!("subject"), &m.subject);
        });
        let h = &self.http;
        o.group(q!("http"), |o| {
            o.group(q!("request"), |o| {
                o.opt_str(q!("method"), &h.request.method);
                o.opt_str(q!("referrer"), &h.request.referrer);
                o.opt_str(q!("id"), &h.request.id);
                o.opt_int(q!("bytes"), h.request.bytes);
            });
            o.group(q!("response"), |o| {
                o.opt_int(q!("status_code"), h.response.status_code);
                if let Some(b) = &h.response.body {
                    o.always(q!("body"), |o| o.opt_int(q!("bytes"), b.bytes));
                }
                o.opt_int(q!("bytes"), h.response.bytes);
            });
            o.opt_str(q!("version"), &h.version);
        });
        o.group(q!("url"), |o| {
            o.opt_str(q!("original"), &self.url.original);
            o.opt_str(q!("path"), &self.url.path);
            o.opt_str(q!("query"), &self.url.query);
        });
        o.group(q!("user_agent"), |o| o.opt_str(q!("original"), &self.user_agent.original));
        let l = &self.log;
        o.always(q!("log"), |o| {
            o.group(q!("file"), |o| o.opt_str(q!("path"), &l.file.path));
            o.opt_int(q!("offset"), l.offset);
            let s = &l.syslog;
            o.group(q!("syslog"), |o| {
                o.opt_int(q!("priority"), s.priority);
                code_name(o, q!("facility"), &s.facility);
                code_name(o, q!("severity"), &s.severity);
                o.opt_str(q!("appname"), &s.appname);
                o.opt_str(q!("procid"), &s.procid);
                o.opt_str(q!("msgid"), &s.msgid);
                if let Some(sd) = &s.structured_data {
                    let out = o.key(q!("structured_data"));
                    let mut inner = Obj::open(out);
                    inner.flatten(sd);
                    inner.close();
                }
                o.opt_str(q!("version"), &s.version);
            });
            o.opt_str(q!("level"), &l.level);
        });
        let j = &self.jikoku;
        o.always(q!("jikoku"), |o| {
            o.opt_int(q!("line"), j.line);
            o.opt_str(q!("tty"), &j.tty);
            o.group(q!("source"), |o| o.opt_str(q!("sha256"), &j.source.sha256));
            let t = &j.time;
            o.group(q!("time"), |o| {
                o.opt_str(q!("local"), &t.local);
                o.opt_str(q!("zone"), &t.zone);
                o.opt_str(q!("zone_source"), &t.zone_source);
                o.opt_str(q!("year"), &t.year);
                o.opt_str(q!("year_source"), &t.year_source);
                if let Some(s) = t.skew_seconds {
                    let out = o.key(q!("skew_seconds"));
                    f64_value(out, s);
                }
                if let Some(a) = t.ambiguous {
                    let out = o.key(q!("ambiguous"));
                    out.extend_from_slice(if a { b"true" } else { b"false" });
                }
                o.opt_str(q!("note"), &t.note);
            });
            let m = &j.mail;
            o.group(q!("mail"), |o| {
                o.opt_str(q!("queue_id"), &m.queue_id);
                o.opt_str(q!("status"), &m.status);
                o.opt_str(q!("relay"), &m.relay);
                o.opt_str(q!("sasl_username"), &m.sasl_username);
                o.flatten(&m.extra);
            });
            o.opt_int(q!("lines"), j.lines);
            o.flatten(&j.extra);
        });
        o.close();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::string_slice, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn same(e: &Event) {
        let mut out = vec![];
        e.write_json(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(e).unwrap());
    }

    #[test]
    fn identical_to_serde() {
        let mut e = Event::new("auth.sshd");
        same(&e);
        e.message =
            Some("a \"quoted\" \\ line\twith\u{1}\u{1f}\u{7f} é 日本 \n\r\u{8}\u{c}".into());
        e.categorize("authentication", "start", "ssh-login");
        e.outcome("failure");
        e.event.reason = Some("r".into());
        e.event.original = Some("orig".into());
        e.event.duration = Some(-5);
        e.event.severity = Some(6);
        e.error.message = Some("err".into());
        e.host.name = Some("h".into());
        e.user.name = Some("u".into());
        e.user.id = Some("0".into());
        e.user.target.name = Some("root".into());
        e.user.target.group = Some(GroupFields::default());
        e.user.effective.group = Some(GroupFields { name: Some("g".into()), id: None });
        e.group.id = Some("5".into());
        e.process.name = Some("sshd".into());
        e.process.pid = Some(1234567);
        e.process.parent.pid = Some(1);
        e.process.command_line = Some("ls -l".into());
        e.process.exit_code = Some(-1);
        e.process.start = Some("2025-01-01T00:00:00Z".into());
        e.source.set_address("203.0.113.66");
        e.source.port = Some(65535);
        e.destination.set_address("example.org");
        e.email.to.address = vec!["a@b".into(), "c@d".into()];
        e.email.subject = Some("s".into());
        e.http.request.method = Some("GET".into());
        e.http.response.body = Some(HttpBody::default());
        e.http.response.status_code = Some(200);
        e.http.version = Some("1.1".into());
        e.url.original = Some("/x?y".into());
        e.user_agent.original = Some("ua \\x22".into());
        e.log.offset = Some(u64::MAX);
        e.log.file.path = Some("a/b".into());
        e.log.syslog.priority = Some(38);
        e.log.syslog.facility = Some(CodeName { code: 4, name: "auth".into() });
        e.log.syslog.severity = Some(CodeName { code: 6, name: "info".into() });
        let mut sd = Map::new();
        sd.insert("id@1".into(), serde_json::json!({"k": "v", "n": [1, 2.5, null, true]}));
        e.log.syslog.structured_data = Some(sd);
        e.log.level = Some("INFO".into());
        e.jikoku.line = Some(3);
        e.jikoku.tty = Some("pts/0".into());
        e.jikoku.source.sha256 = Some("ab".into());
        e.jikoku.time.local = Some("l".into());
        e.jikoku.time.skew_seconds = Some(0.0);
        e.jikoku.time.ambiguous = Some(false);
        e.jikoku.mail.queue_id = Some("Q".into());
        e.set_extra("mail", "size", 12);
        e.set_extra("mail", "delay", 0.25);
        e.set_extra("sudo", "tsid", "000001");
        e.set_extra("acct", "flags", serde_json::json!(["F", "S"]));
        e.jikoku.lines = Some(2);
        e.timestamp = Some(Timestamp {
            utc: chrono::DateTime::parse_from_rfc3339("2025-03-09T07:00:00.5Z").unwrap().into(),
            digits: 2,
        });
        same(&e);
        for s in [-0.0, 93.0, -1.5, 1e-9, 12345678.9] {
            e.jikoku.time.skew_seconds = Some(s);
            same(&e);
        }
        same(&Event::pipeline_error("x", b"\xff\x00a", "why"));
        // Every position of an escaped byte in and after the eight-byte chunks.
        for n in 0..20 {
            for c in ['"', '\\', '\n', '\u{1f}', '\u{0}', '\u{7f}', 'é', ' ', '!', '#', '[', ']'] {
                let mut t: String = "abcdefghijklmnopqrstuvwxyz".chars().take(n).collect();
                t.push(c);
                t.push_str("tail é");
                let mut e = Event::new("x");
                e.message = Some(t);
                same(&e);
            }
        }
    }
}
