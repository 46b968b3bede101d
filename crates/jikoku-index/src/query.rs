//! The query language of `jikoku search`.
//!
//! ```text
//! query   := or
//! or      := and ( "OR" and )*
//! and     := unary ( ["AND"] unary )*          juxtaposition means AND
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" query ")" | FIELD ":" value | value
//! value   := "quoted phrase" | [LOW TO HIGH] | word        (* in a keyword word is a wildcard)
//! ```
//!
//! - keyword fields (`host.name:mail`) match exactly; `*` is a wildcard (`user.name:adm*`);
//! - numeric fields take numbers and ranges (`http.response.status_code:[500 TO 599]`, `*` = open);
//! - IP fields take an address, a CIDR block (`source.ip:10.19.0.0/16`) or a range;
//! - `@timestamp:[2002-05-08T04:00:00Z TO 2002-05-08T05:00:00Z]` takes RFC 3339 instants;
//! - text fields (`message`, `event.original`, `process.command_line`, `user_agent.original`) and a
//!   bare word or phrase (over `message` and `event.original`) match words, case-insensitively.

use std::net::{IpAddr, Ipv6Addr};
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::schema::{Fields, Kind};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    /// `field:` prefix.
    Field(String),
    Word(String),
    Phrase(String),
    Range(String, String),
}

fn tokenize(q: &str) -> Result<Vec<Tok>> {
    let mut out = vec![];
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let bad = |m: String| Error::Query(m);
    while let Some(&c) = chars.get(i) {
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad("unclosed quote".into())),
                        Some('\\') => {
                            if let Some(n) = chars.get(i + 1) {
                                s.push(*n);
                            }
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Phrase(s));
            }
            '[' | '{' => {
                let close = if c == '[' { ']' } else { '}' };
                let rest: String =
                    chars.get(i + 1..).map(|r| r.iter().collect()).unwrap_or_default();
                let end = rest.find(close).ok_or_else(|| bad(format!("unclosed range {c}")))?;
                let inner = rest.get(..end).unwrap_or("");
                let (lo, hi) = inner
                    .split_once(" TO ")
                    .ok_or_else(|| bad(format!("a range is [LOW TO HIGH], found [{inner}]")))?;
                out.push(Tok::Range(lo.trim().to_string(), hi.trim().to_string()));
                i += 1 + inner.chars().count() + 1;
            }
            '-' if out.last().is_none_or(|t| !matches!(t, Tok::Field(_))) => {
                out.push(Tok::Not);
                i += 1;
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.get(i) {
                    if c == ' ' || c == '(' || c == ')' || c == '\t' {
                        break;
                    }
                    if c == '\\' {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                            i += 2;
                            continue;
                        }
                    }
                    s.push(c);
                    i += 1;
                    // `field:` ends a field name (but not `::` inside IPv6 values).
                    if c == ':'
                        && out.last().is_none_or(|t| !matches!(t, Tok::Field(_)))
                        && is_field_name(&s)
                    {
                        break;
                    }
                }
                if let Some(f) = s.strip_suffix(':').filter(|f| is_field_name(&format!("{f}:"))) {
                    out.push(Tok::Field(f.to_string()));
                } else {
                    match s.as_str() {
                        "AND" | "&&" => out.push(Tok::And),
                        "OR" | "||" => out.push(Tok::Or),
                        "NOT" => out.push(Tok::Not),
                        _ => out.push(Tok::Word(s)),
                    }
                }
            }
        }
    }
    Ok(out)
}

fn is_field_name(s: &str) -> bool {
    let Some(name) = s.strip_suffix(':') else { return false };
    !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '@')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '@')
}

/// A parsed query: the syntax tree, for engines other than tantivy (`jikoku-clickhouse`
/// translates it to SQL). [`parse`] lowers the same tree to a tantivy query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Every event (an empty query; the positive side of a purely negative conjunction).
    All,
    /// At least one part matches.
    Or(Vec<Node>),
    /// Every part matches; a part marked `true` must NOT match.
    And(Vec<(bool, Node)>),
    /// A bare word or quoted phrase, over `message` and `event.original`.
    Text(String),
    /// `FIELD:value`.
    Field(String, Value),
}

/// The value of a `FIELD:value` term.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A bare word (`*` in a keyword word is a wildcard).
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// `[LOW TO HIGH]`, bounds inclusive, `*` open.
    Range(String, String),
}

struct P {
    toks: Vec<Tok>,
    pos: usize,
}

/// Parses `q` into its syntax tree; an empty query is [`Node::All`]. Field names and values are
/// checked when the tree is lowered ([`parse`]) or translated.
pub fn parse_ast(q: &str) -> Result<Node> {
    let toks = tokenize(q)?;
    if toks.is_empty() {
        return Ok(Node::All);
    }
    let mut p = P { toks, pos: 0 };
    let q = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(Error::Query(format!("unexpected {t:?}")));
    }
    Ok(q)
}

/// Parses `q` into a tantivy query; an empty query matches everything.
pub fn parse(f: &Fields, q: &str) -> Result<Box<dyn Query>> {
    lower(f, parse_ast(q)?)
}

fn lower(f: &Fields, n: Node) -> Result<Box<dyn Query>> {
    Ok(match n {
        Node::All => Box::new(AllQuery),
        Node::Or(parts) => Box::new(BooleanQuery::new(
            parts
                .into_iter()
                .map(|q| Ok((Occur::Should, lower(f, q)?)))
                .collect::<Result<Vec<_>>>()?,
        )),
        Node::And(parts) => Box::new(BooleanQuery::new(
            parts
                .into_iter()
                .map(|(neg, q)| Ok((if neg { Occur::MustNot } else { Occur::Must }, lower(f, q)?)))
                .collect::<Result<Vec<_>>>()?,
        )),
        Node::Text(s) => Box::new(BooleanQuery::new(vec![
            (Occur::Should, text_query(f.message, &s)),
            (Occur::Should, text_query(f.original, &s)),
        ])),
        Node::Field(name, v) => field_query(
            f,
            &name,
            match v {
                Value::Word(w) => Tok::Word(w),
                Value::Phrase(p) => Tok::Phrase(p),
                Value::Range(lo, hi) => Tok::Range(lo, hi),
            },
        )?,
    })
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn or(&mut self) -> Result<Node> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        if parts.len() == 1 {
            return parts.pop().ok_or_else(|| Error::Query("empty".into()));
        }
        Ok(Node::Or(parts))
    }

    fn and(&mut self) -> Result<Node> {
        let mut parts: Vec<(bool, Node)> = vec![];
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::RParen) => break,
                Some(Tok::And) => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            parts.push(self.unary()?);
        }
        if parts.is_empty() {
            return Err(Error::Query("expected a term".into()));
        }
        if parts.len() == 1 && parts.first().is_some_and(|(neg, _)| !*neg) {
            return parts.pop().map(|(_, q)| q).ok_or_else(|| Error::Query("empty".into()));
        }
        // A purely negative query means "everything except".
        if parts.iter().all(|(neg, _)| *neg) {
            parts.push((false, Node::All));
        }
        Ok(Node::And(parts))
    }

    fn unary(&mut self) -> Result<(bool, Node)> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            let (neg, q) = self.unary()?;
            return Ok((!neg, q));
        }
        Ok((false, self.primary()?))
    }

    fn primary(&mut self) -> Result<Node> {
        let t = self.peek().cloned().ok_or_else(|| Error::Query("query ends too early".into()))?;
        self.pos += 1;
        match t {
            Tok::LParen => {
                let q = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(Error::Query("missing )".into()));
                }
                self.pos += 1;
                Ok(q)
            }
            Tok::Field(name) => {
                let v = self
                    .peek()
                    .cloned()
                    .ok_or_else(|| Error::Query(format!("{name}: needs a value")))?;
                self.pos += 1;
                let v = match v {
                    Tok::Word(w) => Value::Word(w),
                    Tok::Phrase(p) => Value::Phrase(p),
                    Tok::Range(lo, hi) => Value::Range(lo, hi),
                    other => return Err(Error::Query(format!("{name}: unexpected {other:?}"))),
                };
                Ok(Node::Field(name, v))
            }
            Tok::Word(w) => Ok(Node::Text(w)),
            Tok::Phrase(p) => Ok(Node::Text(p)),
            other => Err(Error::Query(format!("unexpected {other:?}"))),
        }
    }
}

/// Words of a text as the default tokenizer makes them (lower case, split on non-alphanumerics).
pub fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn text_query(field: Field, s: &str) -> Box<dyn Query> {
    let w = words(s);
    match w.len() {
        0 => Box::new(EmptyQuery),
        1 => Box::new(TermQuery::new(
            Term::from_field_text(field, w.first().map_or("", String::as_str)),
            IndexRecordOption::Basic,
        )),
        _ => {
            Box::new(PhraseQuery::new(w.iter().map(|x| Term::from_field_text(field, x)).collect()))
        }
    }
}

/// An address as the index stores it: IPv4 as IPv4-mapped IPv6.
pub fn ip6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

/// `10.19.0.0/16` → (first, last) as IPv6.
pub fn cidr(s: &str) -> Option<(Ipv6Addr, Ipv6Addr)> {
    let (a, bits) = s.split_once('/')?;
    let ip: IpAddr = a.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let (v6, total_bits) = match ip {
        IpAddr::V4(_) => (ip6(ip), bits.checked_add(96)?),
        IpAddr::V6(v) => (v, bits),
    };
    if total_bits > 128 {
        return None;
    }
    let n = u128::from(v6);
    let mask = if total_bits == 0 { 0 } else { u128::MAX << (128 - total_bits) };
    Some((Ipv6Addr::from(n & mask), Ipv6Addr::from(n | !mask)))
}

/// An RFC 3339 instant of an `@timestamp` term, in UTC nanoseconds.
pub fn parse_instant(s: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().and_then(|d| d.timestamp_nanos_opt()).ok_or_else(
        || {
            Error::Query(format!(
                "@timestamp: {s:?} is not an RFC 3339 instant (2002-05-08T04:00:00Z)"
            ))
        },
    )
}

fn field_query(f: &Fields, name: &str, v: Tok) -> Result<Box<dyn Query>> {
    if name == "@timestamp" {
        let bound = |s: &str| -> Result<Bound<Term>> {
            if s == "*" {
                Ok(Bound::Unbounded)
            } else {
                Ok(Bound::Included(Term::from_field_i64(f.ts, parse_instant(s)?)))
            }
        };
        return match v {
            Tok::Range(lo, hi) => Ok(Box::new(RangeQuery::new(bound(&lo)?, bound(&hi)?))),
            Tok::Word(w) | Tok::Phrase(w) => Ok(equal_i64(f.ts, parse_instant(&w)?)),
            other => Err(Error::Query(format!("@timestamp: unexpected {other:?}"))),
        };
    }
    let (kind, field) = f.get(name).ok_or_else(|| {
        Error::Query(format!(
            "{name} is not an indexed field; indexed: @timestamp, {}",
            f.indexed.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    })?;
    match (kind, v) {
        (Kind::Keyword, Tok::Word(w) | Tok::Phrase(w)) if w.contains('*') => {
            let re: String = w.split('*').map(regex_escape).collect::<Vec<_>>().join(".*");
            Ok(Box::new(
                RegexQuery::from_pattern(&re, field).map_err(|e| Error::Query(e.to_string()))?,
            ))
        }
        (Kind::Keyword, Tok::Word(w) | Tok::Phrase(w)) => {
            Ok(Box::new(TermQuery::new(Term::from_field_text(field, &w), IndexRecordOption::Basic)))
        }
        (Kind::Keyword, Tok::Range(lo, hi)) => {
            let b = |s: &str| {
                if s == "*" {
                    Bound::Unbounded
                } else {
                    Bound::Included(Term::from_field_text(field, s))
                }
            };
            Ok(Box::new(RangeQuery::new(b(&lo), b(&hi))))
        }
        (Kind::Text, Tok::Word(w) | Tok::Phrase(w)) => Ok(text_query(field, &w)),
        (Kind::I64, Tok::Word(w)) => {
            let n: i64 =
                w.parse().map_err(|_| Error::Query(format!("{name}: {w:?} is not a number")))?;
            Ok(equal_i64(field, n))
        }
        (Kind::I64, Tok::Range(lo, hi)) => {
            let b = |s: &str| -> Result<Bound<Term>> {
                if s == "*" {
                    return Ok(Bound::Unbounded);
                }
                let n: i64 = s
                    .parse()
                    .map_err(|_| Error::Query(format!("{name}: {s:?} is not a number")))?;
                Ok(Bound::Included(Term::from_field_i64(field, n)))
            };
            Ok(Box::new(RangeQuery::new(b(&lo)?, b(&hi)?)))
        }
        (Kind::Ip, Tok::Word(w)) => {
            if let Some((lo, hi)) = cidr(&w) {
                return Ok(Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_ip_addr(field, lo)),
                    Bound::Included(Term::from_field_ip_addr(field, hi)),
                )));
            }
            let ip: IpAddr = w.trim_matches(['[', ']']).parse().map_err(|_| {
                Error::Query(format!("{name}: {w:?} is not an IP address or CIDR block"))
            })?;
            Ok(Box::new(TermQuery::new(
                Term::from_field_ip_addr(field, ip6(ip)),
                IndexRecordOption::Basic,
            )))
        }
        (Kind::Ip, Tok::Range(lo, hi)) => {
            let b = |s: &str| -> Result<Bound<Term>> {
                if s == "*" {
                    return Ok(Bound::Unbounded);
                }
                let ip: IpAddr = s
                    .parse()
                    .map_err(|_| Error::Query(format!("{name}: {s:?} is not an IP address")))?;
                Ok(Bound::Included(Term::from_field_ip_addr(field, ip6(ip))))
            };
            Ok(Box::new(RangeQuery::new(b(&lo)?, b(&hi)?)))
        }
        (_, other) => Err(Error::Query(format!("{name}: unexpected {other:?}"))),
    }
}

/// `field = n` on a fast (column-only) number field: a one-value range.
fn equal_i64(field: Field, n: i64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_i64(field, n)),
        Bound::Included(Term::from_field_i64(field, n)),
    ))
}

/// Escapes the regular-expression metacharacters of a keyword wildcard's literal parts.
pub fn regex_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = tokenize(r#"host.name:mail AND NOT user.name:"a b" OR source.ip:10.19.0.0/16 -x @timestamp:[a TO b]"#).unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Field("host.name".into()),
                Tok::Word("mail".into()),
                Tok::And,
                Tok::Not,
                Tok::Field("user.name".into()),
                Tok::Phrase("a b".into()),
                Tok::Or,
                Tok::Field("source.ip".into()),
                Tok::Word("10.19.0.0/16".into()),
                Tok::Not,
                Tok::Word("x".into()),
                Tok::Field("@timestamp".into()),
                Tok::Range("a".into(), "b".into()),
            ]
        );
        let t = tokenize("source.ip:2001:db8::1").unwrap();
        assert_eq!(t, vec![Tok::Field("source.ip".into()), Tok::Word("2001:db8::1".into())]);
    }

    #[test]
    fn cidr_bounds() {
        let (lo, hi) = cidr("10.19.0.0/16").unwrap();
        assert_eq!(lo, "10.19.0.0".parse::<std::net::Ipv4Addr>().unwrap().to_ipv6_mapped());
        assert_eq!(hi, "10.19.255.255".parse::<std::net::Ipv4Addr>().unwrap().to_ipv6_mapped());
        assert!(cidr("10.0.0.0/33").is_none());
    }
}

#[cfg(test)]
mod ast_tests {
    use super::*;

    #[test]
    fn tree() {
        assert_eq!(parse_ast("").unwrap(), Node::All);
        assert_eq!(
            parse_ast("host.name:mail -user.name:root OR \"a b\"").unwrap(),
            Node::Or(vec![
                Node::And(vec![
                    (false, Node::Field("host.name".into(), Value::Word("mail".into()))),
                    (true, Node::Field("user.name".into(), Value::Word("root".into()))),
                ]),
                Node::Text("a b".into()),
            ])
        );
        assert_eq!(
            parse_ast("NOT x").unwrap(),
            Node::And(vec![(true, Node::Text("x".into())), (false, Node::All)])
        );
        assert!(parse_ast("(a").is_err());
        assert!(parse_ast("host.name:").is_err());
    }
}
