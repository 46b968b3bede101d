//! jikoku-clickhouse: jikoku events in a ClickHouse cluster.
//!
//! jikoku stays the parser, time corrector and question-asker at the edge; the events go to
//! ClickHouse, which stores and scans them across shards.
//!
//! # Brief overview
//! - [`Client`]: ClickHouse's HTTP interface (blocking, plain HTTP, `ureq`), with the error text
//!   the server sends and a retryable/permanent verdict per error.
//! - [`table`]: the table DDL (a `MergeTree` ordered by host and time with the indexed fields as
//!   columns and the whole event as JSON; a `Distributed` table over per-shard tables for a
//!   cluster) and the row of an event (JSONEachRow).
//! - [`ship::Shipper`]: batches, a sender thread (bounded: parsing waits for the network),
//!   retries with backoff, and the per-source record (`<table>_sources`) written only after
//!   every row of the source was acknowledged.
//! - [`sql`]: the query language of `jikoku search` (its syntax tree from
//!   [`jikoku_index::query::parse_ast`]) translated to a SQL condition, and [`search`]: the same
//!   results, in the same order, as [`jikoku_index::CaseIndex::search`].
//!
//! Only SQL and HTTP features of ClickHouse 18.16 (Debian bookworm's package) are used, so newer
//! servers work too.
#![warn(missing_docs)]

pub mod ship;
pub mod sql;
pub mod table;

use std::time::Duration;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server could not be reached (connection refused, reset, timeout).
    #[error("ClickHouse at {url} unreachable: {message}")]
    Unreachable {
        /// Server URL.
        url: String,
        /// What the HTTP client said.
        message: String,
    },
    /// The server answered with an error.
    #[error("ClickHouse at {url} refused: {message}")]
    Server {
        /// Server URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// ClickHouse's error code (`Code: 60`), when it sent one.
        code: Option<u32>,
        /// The server's text, first line.
        message: String,
    },
    /// A query we cannot translate (the same messages as the local index's).
    #[error("query: {0}")]
    Query(String),
    /// An answer we cannot read.
    #[error("ClickHouse answer unreadable: {0}")]
    Answer(String),
    /// A bad URL or option.
    #[error("{0}")]
    Usage(String),
    /// Shipping stopped (the message names the batch and what to do).
    #[error("{0}")]
    Shipping(String),
}

impl Error {
    /// True when trying again may succeed (network trouble, a shard down, server overload);
    /// false for rows or statements the server rejects as such.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Unreachable { .. } => true,
            // A shard that went away while receiving the rows: its error code may look like
            // bad input (`Attempt to read after eof`), the text says where it happened.
            Error::Server { message, .. }
                if [
                    "NetException",
                    "while receiving packet",
                    "while writing to socket",
                    "Connection refused",
                    "Connection reset",
                ]
                .iter()
                .any(|m| message.contains(m)) =>
            {
                true
            }
            Error::Server { code: Some(c), .. } => !PERMANENT_CODES.contains(c),
            Error::Server { status, code: None, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// ClickHouse error codes that another attempt will not cure: bad input, unknown table/column,
/// syntax, types, authentication, permissions.
const PERMANENT_CODES: &[u32] = &[
    6, 16, 26, 27, 33, 38, 41, 43, 44, 46, 47, 53, 60, 62, 69, 70, 72, 81, 117, 131, 164, 192, 193,
    194, 195, 497, 516,
];

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A ClickHouse server reached over HTTP.
#[derive(Clone)]
pub struct Client {
    url: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("url", &self.url).finish()
    }
}

impl Client {
    /// `url`: `http://host:8123` (optionally with `?user=…&password=…&database=…`, which
    /// ClickHouse reads from the query string). Plain HTTP only: put a TLS proxy or an SSH tunnel
    /// in front of a remote cluster.
    pub fn new(url: &str) -> Result<Client> {
        if !url.starts_with("http://") {
            return Err(Error::Usage(format!(
                "--clickhouse {url:?}: an http:// URL of ClickHouse's HTTP interface (http://127.0.0.1:8123)"
            )));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .into();
        Ok(Client { url: url.trim_end_matches('/').to_string(), agent })
    }

    /// The server's URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn endpoint(&self, settings: &[(&str, &str)], query: Option<&str>) -> String {
        let mut u = self.url.clone();
        let mut sep = if u.contains('?') { '&' } else { '?' };
        if !u.contains("/?") && !u.contains('?') {
            u.push('/');
        }
        let mut add = |k: &str, v: &str| {
            u.push(sep);
            u.push_str(k);
            u.push('=');
            u.push_str(&percent(v));
            sep = '&';
        };
        if let Some(q) = query {
            add("query", q);
        }
        for (k, v) in settings {
            add(k, v);
        }
        u
    }

    fn post(&self, endpoint: &str, body: &[u8]) -> Result<String> {
        let unreachable = |e: ureq::Error| Error::Unreachable {
            url: self.url.clone(),
            message: match e {
                ureq::Error::Io(io) => io.to_string(),
                other => other.to_string(),
            },
        };
        let mut resp = self.agent.post(endpoint).send(body).map_err(unreachable)?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(unreachable)?;
        if status >= 300 {
            let first = text.lines().next().unwrap_or("").trim().to_string();
            let code = first
                .strip_prefix("Code: ")
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok());
            return Err(Error::Server { url: self.url.clone(), status, code, message: first });
        }
        Ok(text)
    }

    /// Runs one statement (the body of the POST) and returns the server's answer.
    pub fn query(&self, sql: &str) -> Result<String> {
        self.post(&self.endpoint(&[], None), sql.as_bytes())
    }

    /// Runs one statement with query settings.
    pub fn query_with(&self, sql: &str, settings: &[(&str, &str)]) -> Result<String> {
        self.post(&self.endpoint(settings, None), sql.as_bytes())
    }

    /// `INSERT INTO table FORMAT format` with `data` as the body.
    pub fn insert(
        &self,
        table: &str,
        format: &str,
        data: &[u8],
        settings: &[(&str, &str)],
    ) -> Result<()> {
        let q = format!("INSERT INTO {} FORMAT {format}", table::ident(table));
        self.post(&self.endpoint(settings, Some(&q)), data).map(|_| ())
    }

    /// The server's version (`18.16.1`): also the check that it answers at all.
    pub fn version(&self) -> Result<String> {
        Ok(self.query("SELECT version()")?.trim().to_string())
    }
}

/// Percent-encodes a query-string value.
fn percent(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Events matching `query` within [from, to] (UTC ns, inclusive), sorted by time, source and
/// record order, at most `limit`: the answer [`jikoku_index::CaseIndex::search`] gives on the
/// same events. Rows shipped twice (a retried batch) are returned once.
pub fn search(
    client: &Client,
    table: &str,
    query: &str,
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<usize>,
) -> Result<Vec<serde_json::Value>> {
    let sql = sql::select(table, query, from, to, limit)?;
    let text = client.query(&sql)?;
    let mut out = vec![];
    for line in text.lines().filter(|l| !l.is_empty()) {
        let row: serde_json::Value =
            serde_json::from_str(line).map_err(|e| Error::Answer(e.to_string()))?;
        let ev = row
            .get("event")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Answer("a row without its event".into()))?;
        out.push(serde_json::from_str(ev).map_err(|e| Error::Answer(e.to_string()))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let c = Client::new("http://127.0.0.1:8123/").unwrap();
        assert_eq!(
            c.endpoint(&[("date_time_input_format", "best_effort")], Some("INSERT INTO t")),
            "http://127.0.0.1:8123/?query=INSERT%20INTO%20t&date_time_input_format=best_effort"
        );
        let c = Client::new("http://h:8123/?user=u&password=p").unwrap();
        assert_eq!(c.endpoint(&[("a", "b")], None), "http://h:8123/?user=u&password=p&a=b");
        assert!(Client::new("https://h").is_err());
    }

    #[test]
    fn verdicts() {
        let e =
            |code| Error::Server { url: String::new(), status: 500, code, message: String::new() };
        assert!(!e(Some(27)).retryable());
        assert!(e(Some(279)).retryable());
        let eof = Error::Server {
            url: String::new(),
            status: 500,
            code: Some(32),
            message: "Code: 32, e.displayText() = DB::Exception: Attempt to read after eof: while receiving packet from 127.0.0.1:18144".into(),
        };
        assert!(eof.retryable());
        assert!(Error::Unreachable { url: String::new(), message: String::new() }.retryable());
    }
}
