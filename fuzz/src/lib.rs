//! The harnesses live in `../harness.rs`, shared with `tests/fuzz_regressions.rs`.
#[path = "../harness.rs"]
mod harness;
pub use harness::*;
