//! One `Received:` field (RFC 5321 §4.4 trace, as real MTAs write it) into its parts.
//!
//! Forms read (examples in the tests and in tests/fixtures/mailheader/):
//! - sendmail: `from helo (rdns [ip]) by host (8.17.1.9/8.17.1.9/Debian-2) with ESMTP id Q for <r>; date`,
//!   the MSP `(from user@localhost) by host (8.x/Submit) id Q; date`;
//! - postfix: `from helo (rdns [ip]) by host (Postfix) with ESMTP id Q for <r>; date`,
//!   local pickup `by host (Postfix, from userid 33) id Q; date`;
//! - exim: `from [ip] (helo=name) by host with esmtpa (Exim 4.96) (envelope-from <a>) id 1abc-00 for r; date`;
//! - qmail: `(qmail 123 invoked by uid 33); date`, `from unknown (HELO name) (ip) by host with SMTP; date`;
//! - Microsoft: `from name (ip) by host (ip) with Microsoft SMTP Server (TLS) id 15.1.2.3; date`,
//!   `from mail pickup service by hotmail.com with Microsoft SMTPSVC; date`;
//! - webmail: `from 10.15.147.133 by host.hotmail.msn.com with HTTP; date`;
//! - EMWAC and other old MTAs: `(EMWAC SMTPRS 0.83) with SMTP id <B0003157268@host>`.
//!
//! Pure; never fails: what cannot be read is left `None` and the raw text is kept.

use std::net::IpAddr;

use serde_json::{Value, json};

/// The parts of one `Received:` field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Received {
    /// The field value, unfolded.
    pub raw: String,
    /// `from` name as the client gave it (HELO/EHLO), or the words after `from`.
    pub from_name: Option<String>,
    /// Reverse-DNS name the receiving MTA found for the client (`(rdns [ip])`).
    pub from_rdns: Option<String>,
    /// The client's address as the receiving MTA saw it.
    pub from_ip: Option<String>,
    /// HELO name in a comment (`(HELO x)`, `(helo=x)`).
    pub helo: Option<String>,
    /// A local submitter (`(from user@localhost)`, `(Postfix, from userid 33)`, `invoked by uid 33`).
    pub local_user: Option<String>,
    /// The receiving host (`by`).
    pub by_name: Option<String>,
    /// The receiving software, from the comment after `by` (`Postfix`, `8.9.3/8.9.3`, `Exim 4.96`).
    pub by_software: Option<String>,
    /// The protocol (`with`): `ESMTP`, `SMTP`, `HTTP`, `esmtpa`, `Microsoft SMTPSVC`, …
    pub protocol: Option<String>,
    /// The receiving MTA's id for the message (`id`), without angle brackets.
    pub id: Option<String>,
    /// The recipient (`for`), without angle brackets.
    pub for_addr: Option<String>,
    /// `envelope-from` (exim).
    pub envelope_from: Option<String>,
    /// The date after the last `;`, as written.
    pub date_text: Option<String>,
}

impl Received {
    /// The parts as a JSON object (absent parts omitted).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "from_name": self.from_name, "from_rdns": self.from_rdns, "from_ip": self.from_ip,
            "helo": self.helo, "local_user": self.local_user, "by_name": self.by_name,
            "by_software": self.by_software, "protocol": self.protocol, "id": self.id,
            "for": self.for_addr, "envelope_from": self.envelope_from, "date_text": self.date_text,
        });
        if let Value::Object(m) = &mut v {
            m.retain(|_, x| !x.is_null());
        }
        v
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Comment(String),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = vec![];
    let mut word = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                if !word.is_empty() {
                    out.push(Tok::Word(std::mem::take(&mut word)));
                }
                let mut depth = 1usize;
                let mut com = String::new();
                for d in chars.by_ref() {
                    match d {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    com.push(d);
                }
                out.push(Tok::Comment(com.trim().to_string()));
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push(Tok::Word(std::mem::take(&mut word)));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(Tok::Word(word));
    }
    out
}

const KEYWORDS: &[&str] = &["from", "by", "via", "with", "id", "for"];

fn keyword(t: &Tok) -> Option<&'static str> {
    match t {
        Tok::Word(w) => KEYWORDS.iter().copied().find(|k| w.eq_ignore_ascii_case(k)),
        Tok::Comment(_) => None,
    }
}

/// An IP address in `s` (`[1.2.3.4]`, `[IPv6:2001:db8::1]`, `1.2.3.4`, `1.2.3.4:25`), if `s` is one.
pub fn ip_of(s: &str) -> Option<String> {
    // [v6]:port
    if let Some(rest) = s.trim().strip_prefix('[') {
        if let Some((inner, port)) = rest.split_once("]:") {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                return ip_of(inner);
            }
        }
    }
    let t = s.trim().trim_start_matches('[').trim_end_matches(']').trim();
    let t = t.strip_prefix("IPv6:").or_else(|| t.strip_prefix("ipv6:")).unwrap_or(t);
    if let Ok(ip) = t.parse::<IpAddr>() {
        // ::ffff:1.2.3.4 is an IPv4 client seen by a dual-stack listener
        if let IpAddr::V6(v6) = ip {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return Some(v4.to_string());
            }
        }
        return Some(ip.to_string());
    }
    // 1.2.3.4:port, [v6]:port
    if let Some((a, p)) = t.rsplit_once(':') {
        if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() {
            let a = a.trim_end_matches(']').trim_start_matches('[');
            if let Ok(ip) = a.parse::<std::net::Ipv4Addr>() {
                return Some(ip.to_string());
            }
        }
    }
    None
}

/// An address as Received: lines write it: also `ident@1.2.3.4` (qmail), `1.2.3.4.port`
/// (old exim), `[1.2.3.4]:port`.
fn rcvd_ip(w: &str) -> Option<String> {
    let w = w.trim_matches(|c| c == '(' || c == ')' || c == '?' || c == ';' || c == ',');
    let w = w.rsplit('@').next().unwrap_or(w);
    if let Some(ip) = ip_of(w) {
        return Some(ip);
    }
    let bare = w.trim_start_matches('[').trim_end_matches(']');
    let parts: Vec<&str> = bare.split('.').collect();
    if parts.len() == 5
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return ip_of(&parts.get(..4)?.join("."));
    }
    None
}

/// `s` without what a client claims about itself (`HELO x`, `helo=x`).
fn without_helo(s: &str) -> String {
    let mut out = vec![];
    let mut skip = false;
    for w in s.split_whitespace() {
        let l = w.to_ascii_lowercase();
        if skip {
            skip = false;
            continue;
        }
        if l == "helo" || l == "ehlo" {
            skip = true;
            continue;
        }
        if l.starts_with("helo=") || l.starts_with("ehlo=") {
            continue;
        }
        out.push(w);
    }
    out.join(" ")
}

/// The first bracketed IP in `s` (`rdns [ip]`), or a bare IP word; never the HELO argument.
fn find_ip(s: &str) -> Option<String> {
    let s = without_helo(s);
    let mut rest = s.as_str();
    while let Some(open) = rest.find('[') {
        let after = rest.get(open + 1..).unwrap_or("");
        let Some(close) = after.find(']') else { break };
        if let Some(ip) = rcvd_ip(after.get(..close).unwrap_or("")) {
            return Some(ip);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    s.split(|c: char| c.is_whitespace() || c == ',' || c == '=').find_map(rcvd_ip)
}

fn strip_angles(s: &str) -> String {
    s.trim().trim_end_matches(';').trim_start_matches('<').trim_end_matches('>').to_string()
}

/// Reads one `Received:` field value (unfolded or not).
pub fn parse_received(value: &str) -> Received {
    let raw: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut r = Received { raw: raw.clone(), ..Received::default() };
    // The date follows the last ';' (when what follows looks like a date).
    let (clauses, date) = match raw.rsplit_once(';') {
        Some((c, d)) if d.chars().any(|c| c.is_ascii_digit()) => (c.to_string(), Some(d.trim())),
        _ => (raw.clone(), None),
    };
    // `…; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11` (an id after the date)
    let mut late_id = None;
    let date = date.map(|d| match d.find(" id ") {
        Some(p) => {
            late_id = d.get(p + 4..).and_then(|x| x.split_whitespace().next()).map(strip_angles);
            d.get(..p).unwrap_or(d).trim()
        }
        None => d,
    });
    r.date_text = date.filter(|d| !d.is_empty()).map(str::to_string);
    let toks = tokenize(&clauses);
    let mut i = 0usize;
    let mut current: Option<&'static str> = None;
    let mut from_words: Vec<String> = vec![];
    let mut from_comments: Vec<String> = vec![];
    let mut with_words: Vec<String> = vec![];
    let mut by_comments: Vec<String> = vec![];
    let mut other_comments: Vec<String> = vec![];
    while let Some(t) = toks.get(i) {
        i += 1;
        if let Some(k) = keyword(t) {
            // `by` and `for` inside a clause's first word position only; `id` after with/by.
            let starts_clause = match k {
                "from" => r.from_name.is_none() && from_words.is_empty() && current.is_none(),
                _ => true,
            };
            if starts_clause {
                current = Some(k);
                continue;
            }
        }
        match (current, t) {
            (None, Tok::Comment(c)) => other_comments.push(c.clone()),
            (None, Tok::Word(_)) => {}
            (Some("from"), Tok::Word(w)) => {
                if w.starts_with('[') && !from_words.is_empty() {
                    if let Some(ip) = rcvd_ip(w) {
                        r.from_ip.get_or_insert(ip);
                        continue;
                    }
                }
                from_words.push(w.clone())
            }
            (Some("from"), Tok::Comment(c)) => from_comments.push(c.clone()),
            (Some("by"), Tok::Word(w)) => {
                if r.by_name.is_none() {
                    r.by_name = Some(w.trim_end_matches([';', ',']).to_string());
                }
            }
            (Some("by"), Tok::Comment(c)) => by_comments.push(c.clone()),
            (Some("with"), Tok::Word(w)) => with_words.push(w.trim_end_matches(';').to_string()),
            (Some("with"), Tok::Comment(c)) => {
                if r.by_software.is_none() && !c.is_empty() {
                    other_comments.push(c.clone());
                }
            }
            (Some("id"), Tok::Word(w)) => {
                if r.id.is_none() {
                    r.id = Some(strip_angles(w));
                }
            }
            (Some("for"), Tok::Word(w)) => {
                if r.for_addr.is_none() {
                    r.for_addr = Some(strip_angles(w));
                }
            }
            (Some(_), Tok::Comment(c)) => other_comments.push(c.clone()),
            (Some(_), Tok::Word(_)) => {}
        }
    }
    if r.id.is_none() {
        r.id = late_id;
    }
    if !from_words.is_empty() {
        r.from_name = Some(from_words.join(" "));
    }
    if !with_words.is_empty() {
        r.protocol = Some(with_words.join(" "));
    }
    // from comments: (rdns [ip]), (unverified [ip]), ([ip]), (HELO x) (ip), (helo=x), (ip)
    for c in &from_comments {
        let lower = c.to_ascii_lowercase();
        if let Some(h) = lower.strip_prefix("helo ").or_else(|| lower.strip_prefix("ehlo ")) {
            let start = c.len() - h.len();
            r.helo = c.get(start..).map(|s| s.trim().to_string());
            continue;
        }
        if let Some(pos) = lower.find("helo=") {
            r.helo = c
                .get(pos + 5..)
                .and_then(|s| s.split_whitespace().next())
                .map(|s| s.trim_end_matches(')').to_string());
        }
        if r.from_ip.is_none() {
            if let Some(ip) = find_ip(c) {
                r.from_ip = Some(ip);
                // the word before the bracket is the reverse-DNS name
                if let Some(first) = c.split_whitespace().next() {
                    let bare = first.trim_matches(|ch| ch == '[' || ch == ']');
                    let word = first.to_ascii_lowercase();
                    if !first.starts_with('[')
                        && ip_of(bare).is_none()
                        && word != "unverified"
                        && word != "may"
                        && !word.starts_with("helo")
                        && !word.contains('=')
                    {
                        r.from_rdns = Some(first.to_string());
                    }
                }
            }
        }
        if let Some(ef) = lower.find("envelope-from") {
            r.envelope_from = c
                .get(ef + 13..)
                .and_then(|s| s.split_whitespace().next())
                .map(|s| strip_angles(s.trim_start_matches('=')));
        }
    }
    if r.from_ip.is_none() {
        if let Some(name) = &r.from_name {
            // `from [ip]`, `from 10.15.147.133` (webmail), `from name ([ip])` handled above
            if let Some(ip) = name.split_whitespace().find_map(rcvd_ip) {
                r.from_ip = Some(ip);
            }
        }
    }
    // by comments: software, Postfix local pickup `from userid N`
    for c in &by_comments {
        let lower = c.to_ascii_lowercase();
        if let Some(pos) = lower.find("from userid ") {
            r.local_user = c.get(pos + 12..).map(|s| format!("uid {}", s.trim()));
        }
        if r.by_software.is_none() && find_ip(c).is_none() {
            let soft = c.split(',').next().unwrap_or(c).trim();
            if !soft.is_empty() {
                r.by_software = Some(soft.to_string());
            }
        }
    }
    for c in &other_comments {
        let lower = c.to_ascii_lowercase();
        // sendmail MSP: (from user@localhost); qmail: (qmail 123 invoked by uid 33)
        if let Some(u) = lower.strip_prefix("from ") {
            if r.from_ip.is_none() && r.from_name.is_none() {
                if let Some(ip) = find_ip(u) {
                    // `(from NAME [ip])`: a client, not a local user
                    r.from_ip = Some(ip);
                    let start = c.len() - u.len();
                    r.from_name = c
                        .get(start..)
                        .and_then(|x| x.split_whitespace().next())
                        .map(str::to_string);
                    continue;
                }
            }
            if !u.contains(' ') && r.local_user.is_none() {
                let start = c.len() - u.len();
                r.local_user = c.get(start..).map(str::to_string);
            }
        } else if let Some(pos) = lower.find("invoked by uid ") {
            r.local_user = c.get(pos + 15..).map(|s| format!("uid {}", s.trim()));
        } else if lower.contains("invoked from network") {
            // qmail: an SMTP hop without a from-clause address (look in the rest)
        } else if lower.contains("envelope-from") {
            r.envelope_from = c
                .get(lower.find("envelope-from").unwrap_or(0) + 13..)
                .and_then(|s| s.split_whitespace().next())
                .map(|s| strip_angles(s.trim_start_matches('=')));
        } else if r.by_software.is_none() && current_is_software(c) {
            r.by_software = Some(c.trim().to_string());
        }
    }
    r
}

fn current_is_software(c: &str) -> bool {
    let l = c.to_ascii_lowercase();
    l.contains("exim") || l.contains("postfix") || l.contains("sendmail") || l.contains("smtp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendmail_mta_hop() {
        let r = parse_received(
            "from mail.example.test (localhost [127.0.0.1])\n\tby mail.example.test (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6AN0M73X029487\n\tfor <victim@sink.test>; Mon, 23 Nov 2026 09:22:07 +0900",
        );
        assert_eq!(r.from_name.as_deref(), Some("mail.example.test"));
        assert_eq!(r.from_rdns.as_deref(), Some("localhost"));
        assert_eq!(r.from_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(r.by_name.as_deref(), Some("mail.example.test"));
        assert_eq!(r.by_software.as_deref(), Some("8.17.1.9/8.17.1.9/Debian-2+deb12u2"));
        assert_eq!(r.protocol.as_deref(), Some("ESMTP"));
        assert_eq!(r.id.as_deref(), Some("6AN0M73X029487"));
        assert_eq!(r.for_addr.as_deref(), Some("victim@sink.test"));
        assert_eq!(r.date_text.as_deref(), Some("Mon, 23 Nov 2026 09:22:07 +0900"));
    }

    #[test]
    fn sendmail_msp_and_postfix_pickup() {
        let r = parse_received(
            "(from www-data@localhost) by mail.example.test (8.17.1.9/8.17.1.9/Submit) id 6AN0M7sP029482; Mon, 23 Nov 2026 09:22:07 +0900",
        );
        assert_eq!(r.local_user.as_deref(), Some("www-data@localhost"));
        assert_eq!(r.id.as_deref(), Some("6AN0M7sP029482"));
        assert_eq!(r.from_ip, None);
        let p = parse_received(
            "by mail.example.jp (Postfix, from userid 33) id 4F1A2B3C4D; Thu,  9 May 2002 02:31:10 +0900 (JST)",
        );
        assert_eq!(p.local_user.as_deref(), Some("uid 33"));
        assert_eq!(p.by_software.as_deref(), Some("Postfix"));
        assert_eq!(p.id.as_deref(), Some("4F1A2B3C4D"));
        assert_eq!(p.date_text.as_deref(), Some("Thu, 9 May 2002 02:31:10 +0900 (JST)"));
    }

    #[test]
    fn emwac_exim_qmail_microsoft_http() {
        let r = parse_received(
            "from mail.yapoo.comcom (unverified [192.168.255.77]) by aaa.bbb.co.jp (EMWAC SMTPRS 0.83) with SMTP id <B0003157268@aaa.bbb.co.jp>; Wed, 08 May 2002 13:01:38 +0900",
        );
        assert_eq!(r.from_ip.as_deref(), Some("192.168.255.77"));
        assert_eq!(r.from_rdns, None);
        assert_eq!(r.by_software.as_deref(), Some("EMWAC SMTPRS 0.83"));
        assert_eq!(r.id.as_deref(), Some("B0003157268@aaa.bbb.co.jp"));
        let e = parse_received(
            "from [198.51.100.9] (helo=client.example) by mx.example.org with esmtpa (Exim 4.96) (envelope-from <a@b.example>) id 1rXyZq-000AbC-2f for v@example.org; Wed, 08 May 2002 13:01:38 +0000",
        );
        assert_eq!(e.from_ip.as_deref(), Some("198.51.100.9"));
        assert_eq!(e.helo.as_deref(), Some("client.example"));
        assert_eq!(e.protocol.as_deref(), Some("esmtpa"));
        assert_eq!(e.by_software.as_deref(), Some("Exim 4.96"));
        assert_eq!(e.envelope_from.as_deref(), Some("a@b.example"));
        assert_eq!(e.id.as_deref(), Some("1rXyZq-000AbC-2f"));
        let q = parse_received("(qmail 4213 invoked by uid 33); 8 May 2002 17:31:37 -0000");
        assert_eq!(q.local_user.as_deref(), Some("uid 33"));
        assert_eq!(q.date_text.as_deref(), Some("8 May 2002 17:31:37 -0000"));
        let q2 = parse_received(
            "from unknown (HELO client.example) (203.0.113.5) by mail.example.com with SMTP; 8 May 2002 17:31:37 -0000",
        );
        assert_eq!(q2.from_ip.as_deref(), Some("203.0.113.5"));
        assert_eq!(q2.helo.as_deref(), Some("client.example"));
        let m = parse_received(
            "from mail pickup service by hotmail.com with Microsoft SMTPSVC; Thu, 12 Dec 2002 21:48:49 -0800",
        );
        assert_eq!(m.from_name.as_deref(), Some("mail pickup service"));
        assert_eq!(m.protocol.as_deref(), Some("Microsoft SMTPSVC"));
        let h = parse_received(
            "from 10.15.147.133 by AAA.BBB.hotmail.msn.com with HTTP; Fri, 13 Dec 2002 05:48:49 GMT",
        );
        assert_eq!(h.from_ip.as_deref(), Some("10.15.147.133"));
        assert_eq!(h.protocol.as_deref(), Some("HTTP"));
        let x = parse_received(
            "from EX01.corp.example (10.0.0.5) by EX02.corp.example (10.0.0.6) with Microsoft SMTP Server (version=TLS1_2) id 15.1.2507.6; Wed, 8 May 2002 13:01:38 +0000",
        );
        assert_eq!(x.from_ip.as_deref(), Some("10.0.0.5"));
        assert_eq!(x.protocol.as_deref(), Some("Microsoft SMTP Server"));
        let v6 = parse_received(
            "from host.example (host.example [IPv6:2001:db8::25]) by mx.example with ESMTPS id 4XyZ; Wed, 8 May 2002 13:01:38 +0000",
        );
        assert_eq!(v6.from_ip.as_deref(), Some("2001:db8::25"));
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["", ";", "(", "from (", "by", "id <", "from [1.2.3.4", "((((", "from x (y [z]"] {
            let _ = parse_received(s);
        }
    }
}
