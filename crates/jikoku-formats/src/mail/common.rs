//! Pieces shared by the mail decoders: `host[ip]:port` peers, `<address>`, `k=v, k=v` lists.

use jikoku_core::{Endpoint, Event};

/// A peer as MTAs write it: `name[ip]`, `name[ip]:port`, `[ip]:port`, or sendmail's `name [ip]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer<'a> {
    /// Host name (`unknown` when the MTA found none; empty when absent).
    pub host: &'a str,
    /// Text inside the brackets (an IP, or `IPv6:…` for sendmail), possibly empty.
    pub ip: &'a str,
    /// Port after `]:`, when written.
    pub port: Option<u16>,
}

/// Parses `name[ip]`, `name[ip]:port`, `[ip]:port` or `name [ip]` at the start of `s`;
/// returns the peer and the rest of the text after it.
pub fn peer(s: &str) -> Option<(Peer<'_>, &str)> {
    let open = s.find('[')?;
    let host = s.get(..open)?.trim_end();
    if host.contains(char::is_whitespace) {
        return None;
    }
    let after_open = s.get(open + 1..)?;
    let close = after_open.find(']')?;
    let ip = after_open.get(..close)?;
    let mut rest = after_open.get(close + 1..)?;
    let mut port = None;
    if let Some(p) = rest.strip_prefix(':') {
        let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
        if end > 0 {
            port = p.get(..end).and_then(|d| d.parse().ok());
            rest = p.get(end..)?;
        }
    }
    Some((Peer { host, ip, port }, rest))
}

/// The first `name[ip]` in `s` whose bracket text is an IP address.
pub fn find_peer(s: &str) -> Option<Peer<'_>> {
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|t| t.find('[')) {
        let open = from + pos;
        // the host name runs back to the previous space (or `(`, `=`)
        let start = s.get(..open)?.rfind([' ', '(', '=', ',']).map_or(0, |i| i + 1);
        if let Some((p, _)) = s.get(start..).and_then(peer) {
            if is_ip(p.ip) {
                return Some(p);
            }
        }
        from = open + 1;
    }
    None
}

/// True when `s` (optionally `IPv6:`-prefixed) is an IP address.
pub fn is_ip(s: &str) -> bool {
    strip_v6(s).parse::<std::net::IpAddr>().is_ok()
}

fn strip_v6(s: &str) -> &str {
    s.strip_prefix("IPv6:").or_else(|| s.strip_prefix("ipv6:")).unwrap_or(s)
}

/// Fills an endpoint from a peer: `ip` (when it is one), `domain` (unless `unknown`), `port`,
/// and `address` = the IP when there is one, else the name.
pub fn set_peer(ep: &mut Endpoint, p: &Peer<'_>) {
    let ip = strip_v6(p.ip);
    let host = p.host.trim_end_matches('.');
    if ip.parse::<std::net::IpAddr>().is_ok() {
        ep.ip = Some(ip.to_string());
        ep.address = Some(ip.to_string());
    }
    if !host.is_empty() && host != "unknown" {
        if host.parse::<std::net::IpAddr>().is_ok() {
            if ep.ip.is_none() {
                ep.ip = Some(host.to_string());
            }
        } else {
            ep.domain = Some(host.to_string());
        }
        if ep.address.is_none() {
            ep.address = Some(host.to_string());
        }
    }
    if p.port.is_some() {
        ep.port = p.port;
    }
}

/// `<addr>` → `addr` (also trims spaces); a bare value is returned as is.
pub fn unangle(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('<').and_then(|x| x.strip_suffix('>')).unwrap_or(t)
}

/// Splits `k=v, k=v (text, with, commas), k=<a>,<b>` at `, ` outside `()`, `<>` and `[]`;
/// a piece that does not start with `key=` is glued back to the previous value.
pub fn comma_kv(s: &str) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    let pieces = split_top(s);
    let mut value_end: Option<(usize, usize)> = None; // (index in out, value start)
    for (a, z) in pieces {
        let Some(piece) = s.get(a..z) else { continue };
        match key_of(piece) {
            Some(k) => {
                let v = piece.get(k.len() + 1..).unwrap_or("");
                out.push((k, v));
                value_end = Some((out.len() - 1, a + k.len() + 1));
            }
            None => {
                if let Some((idx, vstart)) = value_end {
                    if let (Some(slot), Some(v)) = (out.get_mut(idx), s.get(vstart..z)) {
                        slot.1 = v;
                    }
                } else {
                    out.push(("", piece));
                    value_end = Some((out.len() - 1, a));
                }
            }
        }
    }
    out
}

/// Byte ranges of the pieces of `s` split at `, ` outside `()`, `<>` and `[]`. When the
/// brackets do not balance (an attacker-chosen address such as `from=<a[b@x>`), every `, ` splits
/// instead, so that one stray bracket cannot swallow the rest of the line ([`comma_kv`] joins
/// pieces that do not start with `key=` back onto the value before them).
pub fn split_top(s: &str) -> Vec<(usize, usize)> {
    let nested = split_at_depth(s, true);
    match nested {
        Some(p) => p,
        None => split_at_depth(s, false).unwrap_or_else(|| vec![(0, s.len())]),
    }
}

/// `None` when `nested` and the brackets do not balance.
fn split_at_depth(s: &str, nested: bool) -> Option<Vec<(usize, usize)>> {
    let b = s.as_bytes();
    let mut depth: i32 = 0;
    let mut start = 0;
    let mut i = 0;
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    while let Some(&c) = b.get(i) {
        match c {
            b'(' | b'<' | b'[' if nested => depth += 1,
            b')' | b'>' | b']' if nested => depth = (depth - 1).max(0),
            b',' if depth == 0 && b.get(i + 1) == Some(&b' ') => {
                pieces.push((start, i));
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    pieces.push((start, s.len()));
    Some(pieces)
}

/// `key` when `piece` starts with `key=` (key: letters, digits, `_`, `-`, `.`).
pub fn key_of(piece: &str) -> Option<&str> {
    let eq = piece.find('=')?;
    let k = piece.get(..eq)?;
    if !k.is_empty()
        && k.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    {
        Some(k)
    } else {
        None
    }
}

/// Space-separated `k=v` pairs (postfix reject tails: `from=<a> to=<b> proto=ESMTP helo=<h>`),
/// with `<...>` values kept whole; separators `,` after a value are dropped.
pub fn space_kv(s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let Some(k) = key_of(rest) else {
            // skip one word
            let n = rest.find(' ').map_or(rest.len(), |i| i + 1);
            rest = rest.get(n..).unwrap_or("").trim_start();
            continue;
        };
        let v_all = rest.get(k.len() + 1..).unwrap_or("");
        let vlen = if v_all.starts_with('<') {
            v_all.find('>').map_or(v_all.len(), |i| i + 1)
        } else {
            v_all.find(' ').unwrap_or(v_all.len())
        };
        let v = v_all.get(..vlen).unwrap_or("");
        out.push((k, v.trim_end_matches(',')));
        rest = v_all.get(vlen..).unwrap_or("").trim_start_matches(',').trim_start();
    }
    out
}

/// Looks a key up in a kv list.
pub fn get<'a>(kv: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    kv.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// A number as JSON: integer when it is one, else float, else the text.
pub fn num(v: &str) -> serde_json::Value {
    if let Ok(i) = v.parse::<i64>() {
        return i.into();
    }
    if let Ok(f) = v.parse::<f64>() {
        if f.is_finite() {
            return f.into();
        }
    }
    v.into()
}

/// Splits `status (text)` → (`status`, `text`); text without the outer parentheses.
pub fn word_and_paren(v: &str) -> (&str, Option<&str>) {
    let v = v.trim();
    match v.find(" (") {
        Some(i) => {
            let w = v.get(..i).unwrap_or(v);
            let t = v.get(i + 2..).unwrap_or("");
            (w, Some(t.strip_suffix(')').unwrap_or(t)))
        }
        None => (v, None),
    }
}

/// `NNN X.Y.Z text` → (code, enhanced code) when the text starts with an SMTP reply.
pub fn smtp_reply(text: &str) -> (Option<u16>, Option<&str>) {
    let mut it = text.split(' ');
    let code = it
        .next()
        .filter(|c| c.len() == 3)
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (200..600).contains(c));
    if code.is_none() {
        return (None, None);
    }
    let enh = it.next().filter(|e| {
        let parts: Vec<&str> = e.split('.').collect();
        parts.len() == 3
            && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    });
    (code, enh)
}

/// A remote queue id in a reply: `... queued as ABC123` (postfix) or `(QID Message accepted for delivery)`.
pub fn remote_queue_id(text: &str) -> Option<&str> {
    if let Some(i) = text.find("queued as ") {
        let rest = text.get(i + 10..)?;
        let end = rest.find([' ', ')', ',', ';']).unwrap_or(rest.len());
        let id = rest.get(..end)?.trim_end_matches('.');
        return (!id.is_empty()).then_some(id);
    }
    if let Some(i) = text.find(" Message accepted for delivery") {
        let id = text.get(..i)?.rsplit([' ', '(']).next()?;
        return (!id.is_empty()).then_some(id);
    }
    None
}

/// Adds an address to `email.to.address` unless already there.
pub fn add_to(e: &mut Event, addr: &str) {
    let a = unangle(addr);
    if !a.is_empty() && !e.email.to.address.iter().any(|x| x == a) {
        e.email.to.address.push(a.to_string());
    }
}

/// Sets `email.from.address`; the null sender `<>` (bounces) sets `jikoku.mail.null_sender` instead.
pub fn set_from(e: &mut Event, addr: &str) {
    let a = unangle(addr);
    if a.is_empty() {
        e.set_extra("mail", "null_sender", true);
    } else {
        e.email.from.address = vec![a.to_string()];
    }
}

/// Seconds as written (`0.06`, `3.4`) → `event.duration` in nanoseconds.
pub fn set_duration_secs(e: &mut Event, secs: &str) {
    if let Ok(f) = secs.parse::<f64>() {
        if (0.0..1e9).contains(&f) {
            e.event.duration = Some((f * 1e9).round() as i64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_bracket_does_not_swallow_the_line() {
        let kv = comma_kv("from=<a[b\x1b[2J<x>@evil>, size=100, nrcpt=1 (queue active)");
        assert_eq!(
            kv,
            vec![("from", "<a[b\x1b[2J<x>@evil>"), ("size", "100"), ("nrcpt", "1 (queue active)")]
        );
        let kv = comma_kv("status=deferred (host x[1.2.3.4] said: 450 a, b=c), to=<u@x>");
        assert_eq!(kv.first(), Some(&("status", "deferred (host x[1.2.3.4] said: 450 a, b=c)")));
    }

    #[test]
    fn peers() {
        let (p, rest) = peer("unknown[127.0.0.10]:50755 ehlo=2").unwrap();
        assert_eq!((p.host, p.ip, p.port, rest), ("unknown", "127.0.0.10", Some(50755), " ehlo=2"));
        let (p, _) = peer("mx.example[2001:db8::1]:25").unwrap();
        assert_eq!((p.host, p.ip, p.port), ("mx.example", "2001:db8::1", Some(25)));
        let (p, rest) = peer("vm.example.test [127.0.0.1] (may be forged)").unwrap();
        assert_eq!((p.host, p.ip, rest), ("vm.example.test", "127.0.0.1", " (may be forged)"));
        let p = find_peer("lost connection after EHLO from unknown[127.0.0.14]").unwrap();
        assert_eq!(p.ip, "127.0.0.14");
        let mut ep = Endpoint::default();
        set_peer(&mut ep, &peer("example.com [IPv6:2001:DB8::1]").unwrap().0);
        assert_eq!(ep.ip.as_deref(), Some("2001:DB8::1"));
        assert_eq!(ep.domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn kv_lists() {
        let kv = comma_kv(
            "to=<a@x>,<b@y>, ctladdr=<c@z> (1001/1001), delay=00:00:00, stat=Sent (OK, fine)",
        );
        assert_eq!(get(&kv, "to"), Some("<a@x>,<b@y>"));
        assert_eq!(get(&kv, "ctladdr"), Some("<c@z> (1001/1001)"));
        assert_eq!(get(&kv, "stat"), Some("Sent (OK, fine)"));
        let kv = comma_kv("reject=550 5.7.1 <v@r>... Relaying denied, sorry, later");
        assert_eq!(get(&kv, "reject"), Some("550 5.7.1 <v@r>... Relaying denied, sorry, later"));
        let kv = space_kv("from=<eve@o.test> to=<v@r.example> proto=ESMTP helo=<c.example.test>");
        assert_eq!(get(&kv, "helo"), Some("<c.example.test>"));
        assert_eq!(get(&kv, "proto"), Some("ESMTP"));
        assert_eq!(remote_queue_id("250 2.0.0 Ok: queued as SINK25520"), Some("SINK25520"));
        assert_eq!(
            remote_queue_id("6AMJQ1lk015447 Message accepted for delivery"),
            Some("6AMJQ1lk015447")
        );
        assert_eq!(smtp_reply("554 5.7.1 <v>: Relay access denied"), (Some(554), Some("5.7.1")));
    }
}
