//! jikoku-time: turning a time as written in a log into UTC, and saying how.
//!
//! # Brief overview
//! - [`RawTime`]: a time as a parser found it (year and offset optional).
//! - [`TimeContext`]: what the caller knows about a source: its zone and where that came
//!   from, and a declared clock skew.
//! - [`YearInference`]: gives yearless records a year, walking a file's records with
//!   Dec→Jan rollover detection and anchoring the last record to a reference year (the
//!   file's mtime, `--year`, or a neighbouring record that had a full date).
//! - [`resolve`]: one [`RawTime`] + context → [`Resolved`] (UTC instant, local rendering,
//!   zone, DST ambiguity, skew), written into an event's `jikoku.time.*` by
//!   [`Resolved::apply`].
//! - [`human`]: times typed by people (`Wed, 8 May 2002 13:29:44 -0400`, `13:29 JST`).
//!
//! This crate never reads files and never calls `now()`: reference instants are passed in.
//!
//! ```
//! use jikoku_time::{resolve, RawTime, TimeContext, ZoneSource, YearOrigin};
//! let ctx = TimeContext::new(chrono_tz::Asia::Tokyo, ZoneSource::Option);
//! let raw = RawTime::new(None, 5, 8, 13, 1, 38);
//! let r = resolve(&raw, Some((2002, YearOrigin::Option)), &ctx).unwrap();
//! assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T04:01:38Z");
//! assert_eq!(r.local, "2002-05-08T13:01:38+09:00");
//! ```
#![warn(missing_docs)]

pub mod human;
mod resolve;
mod year;

pub use resolve::*;
pub use year::*;

/// Errors of time resolution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The fields do not make a calendar date or a clock time.
    #[error("invalid date or time: {0}")]
    Invalid(String),
    /// A zone name that the zone database does not know.
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    /// A zone abbreviation that names more than one zone (IST) or none we know.
    #[error("{0}")]
    AmbiguousAbbreviation(String),
    /// Text that is not a time in any form we read.
    #[error("cannot read {0:?} as a time: {1}")]
    Unparsable(String, String),
    /// A skew specification we cannot read.
    #[error("invalid skew {0:?}: {1}")]
    InvalidSkew(String, String),
}

/// Parses an IANA zone name (`Asia/Tokyo`, `UTC`).
pub fn parse_zone(name: &str) -> Result<chrono_tz::Tz, TimeError> {
    name.parse::<chrono_tz::Tz>().map_err(|_| TimeError::UnknownZone(name.to_string()))
}
