//! `jikoku stats`: ranked abuse signals and per-client / per-account summaries, computed with
//! polars lazy queries over the events' ECS fields (feature `analytics`).
//!
//! # Brief overview
//! - [`http_frame`] / [`mail_frame`]: events (ECS JSON) → one polars `DataFrame` row per request /
//!   per mail log event. Classification of a path (`.php`, CMS login, form-like name, upload
//!   directory) is done in Rust while building the frame, so polars needs no `strings` feature.
//! - [`http_signals`] / [`mail_signals`]: the ranked [`Finding`]s, best first.
//! - [`http_summary`] / [`mail_summary`]: plain per-client, per-path, per-account-and-day tables.
//! - [`findings_frame`], [`write_frame`]: output as table, CSV, JSON Lines (and Parquet with the
//!   `analytics-parquet` feature).
//!
//! Scores are 0–100 and comparable across kinds: a kind's weight caps what it can reach
//! (a webshell or a compromised account outranks a noisy scanner).

mod frame;
mod http;
mod mail;
mod output;

pub use frame::{HTTP_COLUMNS, MAIL_COLUMNS, http_frame, mail_frame};
pub use http::{http_signals, http_signals_frame, http_summary};
pub use mail::{mail_signals, mail_summary};
pub use output::{StatsFormat, findings_frame, write_frame};

pub use polars::prelude::{DataFrame, PolarsError, PolarsResult};

/// One ranked signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `webshell`, `admin-login`, `form-burst`, `scanner`, `mail-account`.
    pub kind: String,
    /// Client IP, path or account.
    pub subject: String,
    /// 0–100, higher is more suspicious.
    pub score: f64,
    /// Why, in words, with the numbers that gave the score.
    pub reason: String,
    /// First event behind the finding (UTC milliseconds since the epoch).
    pub first_seen_ms: i64,
    /// Last event behind the finding.
    pub last_seen_ms: i64,
    /// Events behind the finding.
    pub count: i64,
}

/// Sorts findings by score (best first), then kind and subject for a stable order.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.subject.cmp(&b.subject))
    });
}

/// RFC 3339 UTC text of epoch milliseconds (`""` when out of range).
pub fn ms_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}
