//! `CaseWriter::replace_host`: a host's events rewritten in one commit with a manifest record
//! (what `jikoku skew --apply` uses); other hosts untouched, sort keys kept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use jikoku_core::{Event, Timestamp};
use jikoku_index::{CaseIndex, ManifestEntry, SkewRecord};

fn ev(secs: i64, host: &str, msg: &str) -> Event {
    let mut e = Event::new("test.case");
    e.timestamp = Some(Timestamp { utc: Utc.timestamp_opt(secs, 0).unwrap(), digits: 0 });
    e.host.name = Some(host.into());
    e.message = Some(msg.into());
    e
}

#[test]
fn a_hosts_events_are_replaced_in_one_commit_with_the_skew_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let idx = CaseIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(64 << 20).unwrap();
    let t0 = 1_020_878_984;
    for (i, (t, h, m)) in
        [(t0, "mail", "a"), (t0 + 1, "mail", "b"), (t0, "www", "c"), (t0 + 1, "mail", "d")]
            .iter()
            .enumerate()
    {
        w.add(&ev(*t, h, m), 0, i as u64).unwrap();
    }
    w.finish_source(ManifestEntry { path: "x".into(), ..Default::default() }).unwrap();
    w.finish().unwrap();

    let mut mail = idx.host_events("mail").unwrap();
    assert_eq!(mail.len(), 3);
    // Same-time events keep their record order (sequence keys).
    assert_eq!(
        mail.iter().map(|(_, _, e)| e["message"].as_str().unwrap()).collect::<Vec<_>>(),
        ["a", "b", "d"]
    );
    for (ts, _, e) in mail.iter_mut() {
        *ts -= 93_000_000_000;
        e["@timestamp"] = serde_json::Value::String(
            chrono::DateTime::from_timestamp_nanos(*ts)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
    }
    let mut w = idx.writer(64 << 20).unwrap();
    let rec = SkewRecord {
        host: "mail".into(),
        before_s: 0.0,
        after_s: 93.0,
        estimated_from: "test".into(),
        events: 3,
        applied_at: None,
    };
    w.replace_host("mail", &mail, rec.clone()).unwrap();
    w.finish().unwrap();

    assert_eq!(idx.count().unwrap(), 4);
    assert_eq!(idx.skews().unwrap(), vec![rec]);
    assert_eq!(idx.manifest().unwrap().len(), 1);
    // The time range query sees the new times; www is untouched.
    let early = idx
        .search(
            "host.name:mail",
            Some((t0 - 93) * 1_000_000_000),
            Some((t0 - 92) * 1_000_000_000),
            None,
        )
        .unwrap();
    assert_eq!(early.len(), 3);
    assert_eq!(early[0]["@timestamp"], "2002-05-08T17:28:11Z");
    let www = idx.host_events("www").unwrap();
    assert_eq!(www.len(), 1);
    assert_eq!(www[0].0, t0 * 1_000_000_000);
}
