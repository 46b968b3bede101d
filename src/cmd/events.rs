//! Where `search`, `timeline` and `at` get their events: the local index, or a ClickHouse
//! cluster filled by `jikoku ship` (`--engine clickhouse URL`). Both answer the same question
//! with the same events in the same order (time, then source and record order).

use std::path::Path;

use jikoku_index::CaseIndex;

use super::UserError;

/// An engine that answers searches.
pub enum EventSource {
    /// A local tantivy index.
    Index(CaseIndex),
    /// A ClickHouse server (a node of the cluster) and the events table.
    ClickHouse { client: jikoku_clickhouse::Client, table: String },
}

impl EventSource {
    /// `--index DIR`, or `--engine clickhouse URL [--table NAME]`.
    pub fn open(index: Option<&Path>, engine: &[String], table: &str) -> anyhow::Result<Self> {
        match (engine, index) {
            ([name, url], _) if name == "clickhouse" => {
                let client = jikoku_clickhouse::Client::new(url)
                    .map_err(|e| UserError(format!("--engine: {e}")))?;
                Ok(EventSource::ClickHouse { client, table: table.to_string() })
            }
            ([name, _], _) => {
                Err(UserError(format!("--engine: unknown engine {name:?}; known: clickhouse"))
                    .into())
            }
            (_, Some(dir)) => {
                Ok(EventSource::Index(CaseIndex::open(dir).map_err(|e| UserError(e.to_string()))?))
            }
            (_, None) => Err(UserError("--index DIR or --engine clickhouse URL".into()).into()),
        }
    }

    /// Events matching `query` within [from, to] (UTC ns, inclusive), sorted by time, source and
    /// record order; at most `limit`.
    pub fn search(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        limit: Option<usize>,
    ) -> anyhow::Result<Vec<serde_json::Value>> {
        match self {
            EventSource::Index(index) => {
                index.search(query, from, to, limit).map_err(|e| match e {
                    jikoku_index::Error::Query(m) => {
                        anyhow::Error::from(UserError(format!("query: {m}")))
                    }
                    other => other.into(),
                })
            }
            EventSource::ClickHouse { client, table } => jikoku_clickhouse::search(
                client, table, query, from, to, limit,
            )
            .map_err(|e| match e {
                jikoku_clickhouse::Error::Answer(_) => anyhow::Error::from(e),
                other => anyhow::Error::from(UserError(other.to_string())),
            }),
        }
    }
}
