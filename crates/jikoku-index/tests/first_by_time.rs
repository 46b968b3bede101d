//! `search` with a limit searches a short span at the start of the range first and widens it:
//! the answer must be the first events of the whole answer, whatever the spread of the times.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use jikoku_core::{Event, Timestamp};
use jikoku_index::CaseIndex;

#[test]
fn limited_search_gives_the_first_events_of_the_whole_answer() {
    let dir = tempfile::tempdir().unwrap();
    let idx = CaseIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(64 << 20).unwrap();
    // Clustered and spread times over ten years, two hosts, one event without a time.
    let mut n = 0u64;
    for i in 0..3000i64 {
        let secs = if i % 10 == 0 { 1_000_000_000 + i * 86_400 * 3 } else { 1_200_000_000 + i };
        let mut e = Event::new("test.case");
        e.timestamp = Some(Timestamp { utc: Utc.timestamp_opt(secs, 0).unwrap(), digits: 0 });
        e.host.name = Some(if i % 7 == 0 { "a" } else { "b" }.into());
        e.message = Some(format!("event {i}"));
        w.add(&e, 0, n).unwrap();
        n += 1;
    }
    let mut e = Event::new("test.case");
    e.host.name = Some("a".into());
    w.add(&e, 0, n).unwrap();
    w.finish_source(jikoku_index::ManifestEntry {
        path: "x".into(),
        sha256: "ab".into(),
        events: n + 1,
        records: n + 1,
        ..Default::default()
    })
    .unwrap();
    w.finish().unwrap();
    let from = Some(1_100_000_000_000_000_000);
    for (q, from, to) in [
        ("", None, None),
        ("host.name:a", None, None),
        ("host.name:b", from, None),
        ("", from, Some(1_200_000_100_000_000_000)),
        ("event", None, Some(1_000_000_000_000_000_000)),
        ("nothing", None, None),
    ] {
        let all = idx.search(q, from, to, None).unwrap();
        for k in [0, 1, 10, 299, 5000] {
            let first = idx.search(q, from, to, Some(k)).unwrap();
            assert_eq!(first.as_slice(), all.get(..k.min(all.len())).unwrap(), "{q} {k}");
        }
    }
}
