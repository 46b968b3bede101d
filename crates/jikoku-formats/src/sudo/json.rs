//! sudo's JSON event logs: `log_format=json` (one pretty object per file whose members are
//! `"accept": {…}`, `"reject": {…}`, `"exit": {…}`, `"alert": {…}`, keys repeated), `json_compact`
//! (one `{"accept":{…}}` per line), sudo_logsrvd event objects (a bare event, no type key), the
//! `@cee:{"sudo":{…}}` syslog form, and I/O log `log.json` session files.
//!
//! The top-level object is read member by member (duplicate keys are the norm), so a file cut
//! short by a crash still yields every complete member, and the rest becomes a pipeline error.

use std::io::BufRead;

use jikoku_core::Event;
use jikoku_time::RawTime;
use serde_json::{Map, Value};

use super::{Verdict, apply_verdict, classify_reason, compact_tsid, render_command};
use crate::{Confidence, Head, ParseOptions, Parser, Record, Sink};

/// Dataset of sudo JSON events.
pub const DATASET: &str = "sudo.json";
/// Dataset of I/O log session records.
pub const DATASET_IOLOG: &str = "sudo.iolog";

const TYPES: [&str; 4] = ["accept", "reject", "exit", "alert"];
/// Largest JSON source read (whole file in memory).
const MAX_JSON: u64 = 512 << 20;

/// Reader of sudo JSON event logs.
pub struct SudoJsonParser;

impl Parser for SudoJsonParser {
    fn name(&self) -> &'static str {
        "sudo.json"
    }

    fn description(&self) -> &'static str {
        "sudo JSON event logs (log_format=json/json_compact, sudo_logsrvd) and I/O log log.json"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["sudo-json"]
    }

    fn sniff(&self, head: &Head<'_>) -> Confidence {
        let mut t = head.bytes.trim_ascii_start();
        // Comment lines someone put above the JSON (not sudo's, but seen in shared samples).
        while t.starts_with(b"//") || t.starts_with(b"#") {
            let eol = memchr::memchr(b'\n', t).map_or(t.len(), |i| i + 1);
            t = t.get(eol..).unwrap_or(&[]).trim_ascii_start();
        }
        if t.first() != Some(&b'{') {
            return 0;
        }
        let has = |n: &[u8]| memchr::memmem::find(head.bytes, n).is_some();
        let typed = TYPES.iter().any(|k| has(format!("\"{k}\"").as_bytes()));
        if has(b"\"submituser\"") && (typed || has(b"\"submit_time\"") || has(b"\"runargv\"")) {
            return 90;
        }
        0
    }

    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut data = vec![];
        std::io::Read::read_to_end(&mut std::io::Read::take(input, MAX_JSON), &mut data)?;
        let tsid = opts.source_path.as_deref().and_then(tsid_from_path);
        parse_bytes(&data, tsid.as_deref(), sink);
        Ok(())
    }
}

/// Counts lines up to increasing offsets, and remembers accept events by uuid (exit events
/// carry only the uuid, times and status: the rest is taken from their accept).
struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    accepts: std::collections::HashMap<String, Map<String, Value>>,
}

/// Most accept events remembered for their exit events.
const MAX_PENDING_ACCEPTS: usize = 4096;

impl Lines<'_> {
    fn at(&mut self, off: usize) -> u64 {
        if off > self.pos {
            let seg = self.data.get(self.pos..off).unwrap_or(&[]);
            self.line += memchr::memchr_iter(b'\n', seg).count() as u64;
            self.pos = off;
        }
        self.line
    }
}

fn skip_ws(d: &[u8], mut i: usize) -> usize {
    while d.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

fn next_value(d: &[u8], i: usize) -> Option<(Value, usize)> {
    let slice = d.get(i..)?;
    let mut it = serde_json::Deserializer::from_slice(slice).into_iter::<Value>();
    let v = it.next()?.ok()?;
    Some((v, i + it.byte_offset()))
}

/// Parses a whole source; `tsid` is the I/O log session id (from the path) for `log.json`.
pub fn parse_bytes(data: &[u8], tsid: Option<&str>, sink: &mut Sink<'_>) {
    let mut lines = Lines { data, pos: 0, line: 1, accepts: Default::default() };
    let mut p = 0usize;
    let len = data.len();
    loop {
        p = skip_ws(data, p);
        if p >= len {
            break;
        }
        if data.get(p) == Some(&b'{') {
            match parse_object(data, p, tsid, &mut lines, sink) {
                Ok(end) => {
                    p = end;
                    continue;
                }
                Err(bad) => {
                    // Resynchronise at the next line that starts an object.
                    let resume = memchr::memmem::find(data.get(bad..).unwrap_or(&[]), b"\n{")
                        .map_or(len, |i| bad + i + 1);
                    let line = lines.at(bad);
                    let raw = data.get(bad..resume).unwrap_or(&[]);
                    sink(Record::error(
                        DATASET,
                        raw,
                        bad as u64,
                        Some(line),
                        "incomplete or invalid sudo JSON",
                    ));
                    p = resume;
                    continue;
                }
            }
        }
        let eol = memchr::memchr(b'\n', data.get(p..).unwrap_or(&[])).map_or(len, |i| p + i);
        let line = lines.at(p);
        let raw = data.get(p..eol).unwrap_or(&[]);
        sink(Record::error(
            DATASET,
            raw,
            p as u64,
            Some(line),
            "not sudo JSON (expected an object)",
        ));
        p = eol + 1;
    }
}

/// Reads one top-level object at `start`, emitting its events; returns the end offset, or the
/// offset from which the text could not be read.
fn parse_object(
    data: &[u8],
    start: usize,
    tsid: Option<&str>,
    lines: &mut Lines<'_>,
    sink: &mut Sink<'_>,
) -> Result<usize, usize> {
    let mut i = skip_ws(data, start + 1);
    let mut bare: Option<Map<String, Value>> = None;
    if data.get(i) == Some(&b'}') {
        return Ok(i + 1);
    }
    loop {
        let member_start = i;
        let fail = if bare.is_some() { start } else { member_start };
        let (Value::String(key), after_key) = next_value(data, i).ok_or(fail)? else {
            return Err(fail);
        };
        i = skip_ws(data, after_key);
        if data.get(i) != Some(&b':') {
            return Err(fail);
        }
        let (value, after_val) = next_value(data, i + 1).ok_or(fail)?;
        if member_start == skip_ws(data, start + 1)
            && !TYPES.contains(&key.as_str())
            && key != "sudo"
        {
            bare = Some(Map::new());
        }
        if let Some(m) = bare.as_mut() {
            m.insert(key, value);
        } else {
            let raw = data.get(member_start..after_val).unwrap_or(&[]);
            emit_member(&key, value, raw, member_start, tsid, lines, sink);
        }
        i = skip_ws(data, after_val);
        match data.get(i) {
            Some(b',') => i = skip_ws(data, i + 1),
            Some(b'}') => {
                let end = i + 1;
                if let Some(m) = bare {
                    let raw = data.get(start..end).unwrap_or(&[]);
                    let line = lines.at(start);
                    sink(bare_record(&m, raw, start, line, tsid));
                }
                return Ok(end);
            }
            _ => return Err(if bare.is_some() { start } else { i }),
        }
    }
}

fn emit_member(
    key: &str,
    value: Value,
    raw: &[u8],
    off: usize,
    tsid: Option<&str>,
    lines: &mut Lines<'_>,
    sink: &mut Sink<'_>,
) {
    let line = lines.at(off);
    if key == "sudo" {
        // @cee-style wrapper: {"sudo":{"accept":{…}}}
        if let Value::Object(inner) = value {
            for (k, v) in inner {
                emit_member(&k, v, raw, off, tsid, lines, sink);
            }
            return;
        }
    }
    let Value::Object(obj) = value else {
        sink(Record::error(
            DATASET,
            raw,
            off as u64,
            Some(line),
            format!("sudo JSON member {key:?} is not an object"),
        ));
        return;
    };
    if !TYPES.contains(&key) {
        sink(Record::error(
            DATASET,
            raw,
            off as u64,
            Some(line),
            format!("unknown sudo event type {key:?}"),
        ));
        return;
    }
    let _ = tsid;
    let uuid = s(&obj, "uuid").map(str::to_string);
    let mut obj = obj;
    if let Some(u) = uuid {
        if key == "accept" {
            if lines.accepts.len() >= MAX_PENDING_ACCEPTS {
                lines.accepts.clear();
            }
            lines.accepts.insert(u, obj.clone());
        } else if key == "exit" {
            if let Some(acc) = lines.accepts.remove(&u) {
                for (k, v) in acc {
                    if !obj.contains_key(&k) && !k.ends_with("_time") {
                        obj.insert(k, v);
                    }
                }
            }
        }
    }
    let mut ev = Event::new(DATASET);
    let time = fill_event(Some(key), &obj, &mut ev);
    finish(&mut ev, raw, off, line);
    sink(Record { event: Box::new(ev), time });
}

fn bare_record(
    m: &Map<String, Value>,
    raw: &[u8],
    off: usize,
    line: u64,
    tsid: Option<&str>,
) -> Record {
    let iolog = m.contains_key("timestamp") && !m.contains_key("submit_time");
    let mut ev = Event::new(if iolog { DATASET_IOLOG } else { DATASET });
    let time = if iolog { fill_session(m, &mut ev) } else { fill_event(None, m, &mut ev) };
    // The session id of an I/O log `log.json` is its directory.
    if let (true, Some(t)) = (iolog && ev.extra("sudo", "tsid").is_none(), tsid) {
        ev.set_extra("sudo", "tsid", t.to_string());
    }
    finish(&mut ev, raw, off, line);
    Record { event: Box::new(ev), time }
}

fn finish(ev: &mut Event, raw: &[u8], off: usize, line: u64) {
    ev.log.offset = Some(off as u64);
    ev.jikoku.line = Some(line);
    let n = memchr::memchr_iter(b'\n', raw).count() as u64 + 1;
    if n > 1 {
        ev.jikoku.lines = Some(n);
    }
    ev.event.original = Some(String::from_utf8_lossy(raw).into_owned());
}

/// Decodes the JSON of a `@cee:` syslog message (`{"sudo":{"accept":{…}}}`) into `ev`.
pub fn decode_cee(js: &str, ev: &mut Event) -> bool {
    let Ok(Value::Object(top)) = serde_json::from_str::<Value>(js.trim()) else { return false };
    let Some(Value::Object(inner)) = top.get("sudo") else { return false };
    let Some((kind, Value::Object(obj))) = inner.iter().next() else { return false };
    if !TYPES.contains(&kind.as_str()) {
        return false;
    }
    let message = ev.message.take();
    fill_event(Some(kind), obj, ev);
    // The syslog MSG stays the message (fill_event renders one for JSON files).
    if message.is_some() {
        ev.message = message;
    }
    true
}

fn s<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

fn id(o: &Map<String, Value>, k: &str) -> Option<String> {
    match o.get(k)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A `{seconds, nanoseconds, iso8601}` time object (or an `iso8601` string alone) as UTC.
pub fn json_time(v: &Value) -> Option<RawTime> {
    if let Some(secs) = v.get("seconds").and_then(Value::as_i64) {
        let nanos = v.get("nanoseconds").and_then(Value::as_u64).unwrap_or(0);
        let dt = chrono::DateTime::from_timestamp(secs, u32::try_from(nanos).ok()?)?;
        return Some(raw_from_utc(dt.naive_utc(), v.get("nanoseconds").is_some()));
    }
    let iso = v.get("iso8601").and_then(Value::as_str).or_else(|| v.as_str())?;
    let dt = chrono::NaiveDateTime::parse_from_str(iso, "%Y%m%d%H%M%SZ").ok()?;
    Some(raw_from_utc(dt, false))
}

fn raw_from_utc(dt: chrono::NaiveDateTime, nanos: bool) -> RawTime {
    use chrono::{Datelike, Timelike};
    let mut r =
        RawTime::new(Some(dt.year()), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
            .with_offset(Some(0));
    if nanos {
        r.nanos = dt.nanosecond();
        r.digits = 9;
    }
    r
}

fn argv_of(o: &Map<String, Value>) -> Vec<String> {
    o.get("runargv")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Fills `ev` from one sudo event object; `kind` is the member key (`None` for a bare logsrvd
/// event). Returns the event's time.
pub fn fill_event(kind: Option<&str>, o: &Map<String, Value>, ev: &mut Event) -> Option<RawTime> {
    fill_common(o, ev);
    let reason = s(o, "reason");
    let exited = o.contains_key("exit_value") || o.contains_key("signal");
    let verdict = match (kind, reason) {
        (Some("accept"), _) => Verdict::Accepted,
        (Some("exit"), _) => Verdict::Exited,
        (_, Some(r)) => classify_reason(r),
        (Some("reject" | "alert"), None) => Verdict::Denied,
        (_, None) if exited => Verdict::Exited,
        _ => Verdict::Accepted,
    };
    apply_verdict(ev, verdict, reason);
    if let Some(x) = o.get("exit_value").and_then(Value::as_i64) {
        ev.process.exit_code = Some(x);
    }
    if let Some(sig) = s(o, "signal") {
        ev.set_extra("sudo", "signal", sig.to_string());
    }
    if let Some(true) = o.get("dumped_core").and_then(Value::as_bool) {
        ev.set_extra("sudo", "dumped_core", true);
    }
    if let Some(rt) = o.get("run_time") {
        let secs = rt.get("seconds").and_then(Value::as_i64).unwrap_or(0);
        let ns = rt.get("nanoseconds").and_then(Value::as_i64).unwrap_or(0);
        ev.event.duration = secs.checked_mul(1_000_000_000).and_then(|x| x.checked_add(ns));
    }
    if let Some(k) = kind {
        ev.set_extra("sudo", "event", k.to_string());
    }
    ev.message = Some(render_message(kind.unwrap_or("accept"), o, ev));
    let key = match kind {
        Some("exit") => "exit_time",
        Some("alert") => "alert_time",
        _ => "submit_time",
    };
    o.get(key).or_else(|| o.get("submit_time")).or_else(|| o.get("server_time")).and_then(json_time)
}

fn fill_common(o: &Map<String, Value>, ev: &mut Event) {
    if let Some(u) = s(o, "submituser") {
        ev.user.name = Some(u.to_string());
    }
    // The invoking user's uid: sudo puts it in the command's environment (SUDO_UID).
    if let Some(env) = o.get("runenv").and_then(Value::as_array) {
        let uid = env.iter().filter_map(Value::as_str).find_map(|v| v.strip_prefix("SUDO_UID="));
        if let Some(uid) = uid.filter(|u| !u.is_empty() && u.bytes().all(|c| c.is_ascii_digit())) {
            ev.user.id = Some(uid.to_string());
        }
    }
    if let Some(u) = s(o, "runuser") {
        ev.user.target.name = Some(u.to_string());
    }
    ev.user.target.id = id(o, "runuid");
    if o.contains_key("rungroup") || o.contains_key("rungid") {
        ev.user.target.group = Some(jikoku_core::event::GroupFields {
            name: s(o, "rungroup").filter(|g| !g.is_empty()).map(str::to_string),
            id: id(o, "rungid"),
        });
    }
    let argv = argv_of(o);
    if let Some(cmd) = s(o, "command") {
        let args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
        ev.process.command_line = Some(render_command(cmd, &args));
        ev.process.executable = Some(cmd.to_string());
    }
    if !argv.is_empty() {
        ev.set_extra("sudo", "argv", Value::from(argv));
    }
    if let Some(d) = s(o, "submitcwd").or_else(|| s(o, "runcwd")) {
        ev.process.working_directory = Some(d.to_string());
    }
    if let Some(d) = s(o, "runcwd") {
        ev.set_extra("sudo", "runcwd", d.to_string());
    }
    if let Some(t) = s(o, "ttyname") {
        ev.jikoku.tty = Some(t.strip_prefix("/dev/").unwrap_or(t).to_string());
    }
    if let Some(h) = s(o, "submithost") {
        ev.host.name = Some(h.to_string());
    }
    if let Some(f) = s(o, "iolog_file") {
        ev.set_extra("sudo", "tsid", compact_tsid(f));
    }
    if let Some(f) = s(o, "iolog_path") {
        ev.set_extra("sudo", "iolog_path", f.to_string());
    }
    if let Some(env) = o.get("runenv_override").and_then(Value::as_array) {
        let v: Vec<&str> = env.iter().filter_map(Value::as_str).collect();
        if !v.is_empty() {
            ev.set_extra("sudo", "env", v.join(" "));
        }
    }
    if let Some(c) = s(o, "runchroot") {
        ev.set_extra("sudo", "chroot", c.to_string());
    }
    if let Some(p) = s(o, "peeraddr") {
        ev.source.set_address(p);
    }
    if let Some(u) = s(o, "uuid") {
        ev.set_extra("sudo", "uuid", u.to_string());
    }
    if let Some(r) = s(o, "source") {
        ev.set_extra("sudo", "rule", r.to_string());
    }
}

/// An I/O log session (`log.json`): the command run with I/O logging, at the session's creation.
pub fn fill_session(o: &Map<String, Value>, ev: &mut Event) -> Option<RawTime> {
    fill_common(o, ev);
    ev.categorize("session", "start", "sudo-session");
    ev.outcome("success");
    ev.message = Some(render_message("session", o, ev));
    o.get("timestamp").and_then(json_time)
}

fn render_message(kind: &str, o: &Map<String, Value>, ev: &Event) -> String {
    let mut parts: Vec<String> = vec![];
    if let Some(r) = s(o, "reason") {
        parts.push(r.to_string());
    }
    if let Some(h) = s(o, "submithost") {
        parts.push(format!("HOST={h}"));
    }
    if let Some(t) = &ev.jikoku.tty {
        parts.push(format!("TTY={t}"));
    }
    if let Some(d) = &ev.process.working_directory {
        parts.push(format!("PWD={d}"));
    }
    if let Some(u) = &ev.user.target.name {
        parts.push(format!("USER={u}"));
    }
    if let Some(c) = &ev.process.command_line {
        parts.push(format!("COMMAND={c}"));
    }
    if let Some(sig) = s(o, "signal") {
        parts.push(format!("SIGNAL={sig}"));
    }
    if let Some(x) = ev.process.exit_code {
        parts.push(format!("EXIT={x}"));
    }
    format!("{kind}: {} : {}", ev.user.name.as_deref().unwrap_or("?"), parts.join(" ; "))
}

/// The TSID of an I/O log session from the path of its `log`/`log.json` file: `00/00/01/log`
/// gives `000001`; other layouts give the session directory's name.
pub fn tsid_from_path(path: &str) -> Option<String> {
    let comps: Vec<&str> = path.split(['/', '\\']).filter(|c| !c.is_empty()).collect();
    let n = comps.len();
    if n < 2 {
        return None;
    }
    let dirs = comps.get(..n - 1)?;
    let last3 = dirs.get(dirs.len().saturating_sub(3)..)?;
    if last3.len() == 3
        && last3.iter().all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_alphanumeric()))
    {
        return Some(last3.concat());
    }
    dirs.last().map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Record> {
        let mut out = vec![];
        parse_bytes(text.as_bytes(), None, &mut |r| out.push(r));
        out
    }

    #[test]
    fn duplicate_keys_and_truncation() {
        let t = "{\n  \"accept\": {\"submituser\":\"a\",\"command\":\"/bin/x\",\"runargv\":[\"x\",\"a b\"],\"runuser\":\"root\",\"submit_time\":{\"seconds\":1,\"nanoseconds\":5}},\n  \"accept\": {\"submituser\":\"b\",\"command\":\"/bin/y\"},\n  \"reject\": {\"submituser\":\"c\", \"reason\":\"command not";
        let r = parse(t);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].event.process.command_line.as_deref(), Some("/bin/x 'a b'"));
        assert_eq!(r[0].event.jikoku.line, Some(2));
        let tm = r[0].time.as_ref().unwrap();
        assert_eq!((tm.year, tm.nanos, tm.offset), (Some(1970), 5, Some(0)));
        assert_eq!(r[1].event.user.name.as_deref(), Some("b"));
        assert!(r[2].is_error());
        assert_eq!(r[2].event.jikoku.line, Some(4));
    }

    #[test]
    fn compact_lines_and_junk() {
        let r = parse(
            "// comment\n{\"reject\":{\"submituser\":\"a\",\"reason\":\"3 incorrect password attempts\"}}\n{\"exit\":{\"exit_value\":3}}\n",
        );
        assert_eq!(r.len(), 3);
        assert!(r[0].is_error());
        assert_eq!(r[1].event.event.action.as_deref(), Some("sudo-auth-failure"));
        assert_eq!(r[2].event.process.exit_code, Some(3));
    }

    #[test]
    fn tsid_paths() {
        assert_eq!(tsid_from_path("/var/log/sudo-io/00/00/01/log").as_deref(), Some("000001"));
        assert_eq!(
            tsid_from_path("/var/log/sudo-io/alice/20261122/log.json").as_deref(),
            Some("20261122")
        );
        assert_eq!(tsid_from_path("log"), None);
    }
}
