//! jikoku-core: the normalized record of jikoku and its field names.
//!
//! # Brief overview
//! - [`Event`]: one normalized record, serialized as ECS-shaped JSON (absent fields omitted).
//! - [`Event::pipeline_error`]: a record that could not be parsed, keeping its bytes and the reason.
//! - [`escape`]: source bytes to text without loss (invalid UTF-8 becomes `\xNN`).
//! - [`fields`]: the dotted field names used in queries and exports.
//!
//! ```
//! use jikoku_core::Event;
//! let mut e = Event::new("syslog.rfc3164");
//! e.message = Some("hello".into());
//! assert!(e.to_json().contains(r#""message":"hello""#));
//! ```
//!
//! This crate knows no log format, no index and no clock.
#![warn(missing_docs)]

pub mod escape;
pub mod event;
pub mod fields;
pub mod json;
pub mod timefmt;

pub use event::*;
