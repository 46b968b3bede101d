//! The query language of `jikoku search`, translated to a ClickHouse condition.
//!
//! The translator walks the syntax tree of [`jikoku_index::query::parse_ast`], so both engines
//! read a query the same way, and gives each term the local index's meaning:
//!
//! | term | local index (tantivy) | ClickHouse |
//! |---|---|---|
//! | keyword `f:v`, `f:"v w"` | exact term | `has(f, 'v')` |
//! | keyword `f:ad*` | regex over the whole term | `arrayExists(x -> match(x, '^(?:ad.*)$'), f)` |
//! | keyword `f:[a TO b]` | byte-order range | `arrayExists(x -> x >= 'a' AND x <= 'b', f)` |
//! | number `f:5`, `f:[1 TO *]` | i64 term, range | `has(f, 5)`, `arrayExists(x -> x >= 1, f)` |
//! | IP `f:a`, `f:net/len`, `f:[a TO b]` | IPv6 (IPv4 mapped) term, range | the same range over `IPv6StringToNum` / `IPv4ToIPv6(IPv4StringToNum)` (18.16 has no `IPv4CIDRToRange`; the bounds are computed here) |
//! | `@timestamp:…` | i64 ns | `ts` |
//! | word, "phrase", text field | tokens (lower case, split on non-alphanumerics), consecutive | `positionCaseInsensitiveUTF8` (fast filter), then a word-boundary regex over `lowerUTF8(x)`: `(^\|[^\pL\pN])w1[^\pL\pN]+w2([^\pL\pN]\|$)` |
//!
//! Free text differs from the index only where Unicode's idea of a letter differs from RE2's
//! `\pL\pN` (tantivy splits on `char::is_alphanumeric`) or where ClickHouse's `lowerUTF8` does
//! not fold a letter that Rust's `to_lowercase` folds; ASCII text matches identically.
//! Words of 40 bytes or more match nothing in either engine (tantivy's tokenizer drops them).

use std::net::IpAddr;

use jikoku_index::query::{Node, Value, cidr, ip6, parse_ast, parse_instant, regex_escape, words};
use jikoku_index::schema::{FIELDS, Kind};

use crate::table::{column, ident, literal};
use crate::{Error, Result};

/// tantivy's default tokenizer drops tokens of this many bytes or more.
const LONG_TOKEN: usize = 40;

/// The SQL condition of a jikoku query (an empty query is `1`).
pub fn condition(query: &str) -> Result<String> {
    let ast = parse_ast(query).map_err(|e| Error::Query(query_message(e)))?;
    node(&ast)
}

fn query_message(e: jikoku_index::Error) -> String {
    match e {
        jikoku_index::Error::Query(m) => m,
        other => other.to_string(),
    }
}

/// The whole `SELECT` of a search: events in time, source and record order, each row once.
pub fn select(
    table: &str,
    query: &str,
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<usize>,
) -> Result<String> {
    let mut cond = condition(query)?;
    if let Some(f) = from {
        cond = format!("({cond}) AND ts >= {f}");
    }
    if let Some(t) = to {
        cond = format!("({cond}) AND ts <= {t}");
    }
    let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    Ok(format!(
        "SELECT event FROM {} WHERE {cond} ORDER BY ts, seq, source_sha256, record LIMIT 1 BY source_sha256, record{limit} FORMAT JSONEachRow",
        ident(table)
    ))
}

fn node(n: &Node) -> Result<String> {
    Ok(match n {
        Node::All => "1".into(),
        Node::Or(parts) => {
            let p: Vec<String> = parts.iter().map(node).collect::<Result<_>>()?;
            format!("({})", p.join(" OR "))
        }
        Node::And(parts) => {
            let p: Vec<String> = parts
                .iter()
                .map(|(neg, q)| node(q).map(|s| if *neg { format!("NOT {s}") } else { s }))
                .collect::<Result<_>>()?;
            format!("({})", p.join(" AND "))
        }
        Node::Text(s) => text(&["message", "event_original"], s),
        Node::Field(name, v) => field(name, v)?,
    })
}

/// Words (or a phrase) over the text columns, as the index's tokens match.
fn text(columns: &[&str], s: &str) -> String {
    let w = words(s);
    if w.is_empty() || w.iter().any(|x| x.len() >= LONG_TOKEN) {
        return "0".into();
    }
    let sep = r"[^\pL\pN]";
    let re = format!(
        "(^|{sep}){}({sep}|$)",
        w.iter().map(|x| regex_escape(x)).collect::<Vec<_>>().join(&format!("{sep}+"))
    );
    let longest = w.iter().max_by_key(|x| x.len()).map_or("", String::as_str);
    let arr = if let [one] = columns {
        column(one)
    } else {
        format!("arrayConcat({})", columns.iter().map(|c| column(c)).collect::<Vec<_>>().join(", "))
    };
    format!(
        "arrayExists(x -> positionCaseInsensitiveUTF8(x, {}) > 0 AND match(lowerUTF8(x), {}), {arr})",
        literal(longest),
        literal(&re)
    )
}

fn ip_expr(x: &str) -> String {
    format!("if(position({x}, ':') > 0, IPv6StringToNum({x}), IPv4ToIPv6(IPv4StringToNum({x})))")
}

fn ip_literal(ip: std::net::Ipv6Addr) -> String {
    let hex: String = ip.octets().iter().map(|b| format!("{b:02X}")).collect();
    format!("unhex('{hex}')")
}

fn num(name: &str, s: &str) -> Result<i64> {
    s.parse().map_err(|_| Error::Query(format!("{name}: {s:?} is not a number")))
}

fn range(col: &str, lo: Option<String>, hi: Option<String>, x: &str) -> String {
    let mut c = vec![];
    if let Some(l) = lo {
        c.push(format!("{x} >= {l}"));
    }
    if let Some(h) = hi {
        c.push(format!("{x} <= {h}"));
    }
    if c.is_empty() {
        return format!("notEmpty({col})");
    }
    format!("arrayExists(x -> {}, {col})", c.join(" AND "))
}

fn field(name: &str, v: &Value) -> Result<String> {
    if name == "@timestamp" {
        return match v {
            Value::Range(lo, hi) => {
                let mut c = vec![];
                if lo != "*" {
                    c.push(format!(
                        "ts >= {}",
                        parse_instant(lo).map_err(|e| Error::Query(query_message(e)))?
                    ));
                }
                if hi != "*" {
                    c.push(format!(
                        "ts <= {}",
                        parse_instant(hi).map_err(|e| Error::Query(query_message(e)))?
                    ));
                }
                Ok(if c.is_empty() { "1".into() } else { format!("({})", c.join(" AND ")) })
            }
            Value::Word(w) | Value::Phrase(w) => Ok(format!(
                "ts = {}",
                parse_instant(w).map_err(|e| Error::Query(query_message(e)))?
            )),
        };
    }
    let kind = FIELDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k).ok_or_else(|| {
        Error::Query(format!(
            "{name} is not an indexed field; indexed: @timestamp, {}",
            FIELDS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let col = column(name);
    let bound = |s: &str, f: &dyn Fn(&str) -> Result<String>| -> Result<Option<String>> {
        if s == "*" { Ok(None) } else { f(s).map(Some) }
    };
    match (kind, v) {
        (Kind::Keyword, Value::Word(w) | Value::Phrase(w)) if w.contains('*') => {
            let re: String = w.split('*').map(regex_escape).collect::<Vec<_>>().join(".*");
            Ok(format!("arrayExists(x -> match(x, {}), {col})", literal(&format!("^(?:{re})$"))))
        }
        (Kind::Keyword, Value::Word(w) | Value::Phrase(w)) => {
            Ok(format!("has({col}, {})", literal(w)))
        }
        (Kind::Keyword, Value::Range(lo, hi)) => {
            let lit = |s: &str| Ok(literal(s));
            Ok(range(&col, bound(lo, &lit)?, bound(hi, &lit)?, "x"))
        }
        (Kind::Text, Value::Word(w) | Value::Phrase(w)) => Ok(text(&[name], w)),
        (Kind::I64, Value::Word(w)) => Ok(format!("has({col}, toInt64({}))", num(name, w)?)),
        (Kind::I64, Value::Range(lo, hi)) => {
            let n = |s: &str| num(name, s).map(|n| n.to_string());
            Ok(range(&col, bound(lo, &n)?, bound(hi, &n)?, "x"))
        }
        (Kind::Ip, Value::Word(w)) => {
            let x = ip_expr("x");
            if let Some((lo, hi)) = cidr(w) {
                return Ok(format!(
                    "arrayExists(x -> {x} >= {} AND {x} <= {}, {col})",
                    ip_literal(lo),
                    ip_literal(hi)
                ));
            }
            let ip: IpAddr = w.trim_matches(['[', ']']).parse().map_err(|_| {
                Error::Query(format!("{name}: {w:?} is not an IP address or CIDR block"))
            })?;
            Ok(format!("arrayExists(x -> {x} = {}, {col})", ip_literal(ip6(ip))))
        }
        (Kind::Ip, Value::Range(lo, hi)) => {
            let b = |s: &str| -> Result<String> {
                let ip: IpAddr = s
                    .parse()
                    .map_err(|_| Error::Query(format!("{name}: {s:?} is not an IP address")))?;
                Ok(ip_literal(ip6(ip)))
            };
            Ok(range(&col, bound(lo, &b)?, bound(hi, &b)?, &ip_expr("x")))
        }
        (_, other) => Err(Error::Query(format!("{name}: unexpected {}", value_debug(other)))),
    }
}

/// The index's error text names the token (`Phrase("x")`, `Range("a", "b")`).
fn value_debug(v: &Value) -> String {
    match v {
        Value::Word(w) => format!("Word({w:?})"),
        Value::Phrase(p) => format!("Phrase({p:?})"),
        Value::Range(lo, hi) => format!("Range({lo:?}, {hi:?})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms() {
        assert_eq!(condition("").unwrap(), "1");
        assert_eq!(condition("host.name:mail").unwrap(), "has(host_name, 'mail')");
        assert_eq!(
            condition("host.name:mail -user.name:ro*").unwrap(),
            "(has(host_name, 'mail') AND NOT arrayExists(x -> match(x, '^(?:ro.*)$'), user_name))"
        );
        assert_eq!(
            condition("http.response.status_code:[500 TO *]").unwrap(),
            "arrayExists(x -> x >= 500, http_response_status_code)"
        );
        let c = condition("source.ip:10.19.0.0/16").unwrap();
        assert!(c.contains("unhex('00000000000000000000FFFF0A130000')"), "{c}");
        assert!(c.contains("unhex('00000000000000000000FFFF0A13FFFF')"), "{c}");
        assert_eq!(
            condition("\"Accepted password\"").unwrap(),
            "arrayExists(x -> positionCaseInsensitiveUTF8(x, 'password') > 0 AND match(lowerUTF8(x), '(^|[^\\\\pL\\\\pN])accepted[^\\\\pL\\\\pN]+password([^\\\\pL\\\\pN]|$)'), arrayConcat(message, event_original))"
        );
        assert_eq!(condition("\"...\"").unwrap(), "0");
        assert_eq!(
            condition("@timestamp:[2002-05-08T04:00:00Z TO *]").unwrap(),
            "(ts >= 1020830400000000000)"
        );
    }

    #[test]
    fn errors_like_the_index() {
        assert!(
            matches!(condition("nosuch.field:x"), Err(Error::Query(m)) if m.starts_with("nosuch.field is not an indexed field"))
        );
        assert!(
            matches!(condition("process.pid:abc"), Err(Error::Query(m)) if m == "process.pid: \"abc\" is not a number")
        );
        assert!(condition("(a").is_err());
    }

    #[test]
    fn select_orders_and_dedups() {
        let s = select("ev", "", Some(1), Some(2), Some(10)).unwrap();
        assert_eq!(
            s,
            "SELECT event FROM ev WHERE ((1) AND ts >= 1) AND ts <= 2 ORDER BY ts, seq, source_sha256, record LIMIT 1 BY source_sha256, record LIMIT 10 FORMAT JSONEachRow"
        );
    }
}
