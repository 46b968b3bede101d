//! An index written with another schema (an older jikoku) is refused with a clear message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use jikoku_index::{CaseIndex, schema};

#[test]
fn an_index_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Schema 2 had no columns for the session keys: the current schema without them.
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field(schema::STORED_EVENT, tantivy::schema::STORED);
    b.add_i64_field(schema::TIMESTAMP_NS, tantivy::schema::NumericOptions::default().set_fast());
    tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
    let err = CaseIndex::open(dir.path()).err().expect("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("index written by another schema version")
            && msg.contains(&format!("version {}", schema::SCHEMA_VERSION)),
        "{msg}"
    );
}
