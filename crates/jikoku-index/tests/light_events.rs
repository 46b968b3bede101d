//! Light events (`Snapshot::search_keys`): every key they carry has the value the stored event
//! holds, keys the stored event lacks are absent, and `Snapshot::fetch` returns the stored
//! events in the order asked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use jikoku_core::{Event, Timestamp};
use jikoku_index::{CaseIndex, REF_KEY};
use serde_json::Value;

/// The keys a light event may carry.
const KEYS: &[&str] = &[
    "@timestamp",
    "host.name",
    "event.action",
    "event.outcome",
    "event.dataset",
    "event.duration",
    "user.name",
    "user.target.name",
    "source.ip",
    "source.address",
    "source.port",
    "process.pid",
    "process.name",
    "process.end",
    "jikoku.tty",
    "jikoku.time.zone",
    "jikoku.source.sha256",
    "log.offset",
];

fn nested<'a>(e: &'a Value, dotted: &str) -> Option<&'a Value> {
    if dotted == "@timestamp" {
        return e.get(dotted);
    }
    dotted.split('.').try_fold(e, |v, k| v.get(k))
}

fn ns(t: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp_nanos_opt().unwrap()
}

fn event(i: i64, addr: &str) -> Event {
    let mut e = Event::new(if i % 2 == 0 { "auth.sshd" } else { "acct.linux_v3" });
    e.timestamp =
        Some(Timestamp { utc: Utc.timestamp_opt(1_020_878_984 + i, 123_456).unwrap(), digits: 6 });
    e.host.name = Some(if i % 3 == 0 { "mail" } else { "www" }.into());
    e.event.action = Some("ssh-login".into());
    e.event.outcome = Some("success".into());
    e.user.name = Some(format!("user{i}"));
    if i % 2 == 1 {
        e.user.target.name = Some("root".into());
        e.event.duration = Some(1_500_000_000 + i);
        e.process.end = Some(format!("2002-05-08T17:30:{:02}.5+09:00", i % 60));
        e.process.name = Some("bash".into());
        e.jikoku.tty = Some(format!("pts/{i}"));
    }
    e.source.set_address(addr);
    e.source.port = Some(40_000 + i as u16);
    e.process.pid = Some(1000 + i);
    e.jikoku.time.zone = Some(if i % 2 == 0 { "Asia/Tokyo" } else { "+09:00" }.into());
    e.jikoku.source.sha256 = Some("ab".repeat(32));
    e.log.offset = Some(100 * i as u64);
    e
}

#[test]
fn light_events_hold_the_stored_values_and_fetch_returns_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let idx = CaseIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(64 << 20).unwrap();
    // Canonical and non-canonical address texts (the light event must give the text as
    // written), a host name, and no address at all.
    let addrs = [
        "203.0.113.45",
        "::ffff:198.51.100.7",
        "2001:DB8::7",
        "2001:db8::7",
        "[2001:db8::8]",
        "mx.example.org",
        "",
        "fe80::1%eth0",
    ];
    for (i, a) in addrs.iter().enumerate() {
        let mut e = event(i as i64, a);
        if a.is_empty() {
            e.source = Default::default();
            e.user.name = None;
            e.event.outcome = None;
        }
        w.add(&e, 0, i as u64).unwrap();
    }
    w.finish_source(jikoku_index::ManifestEntry {
        path: "x".into(),
        sha256: "ab".repeat(32),
        events: addrs.len() as u64,
        records: addrs.len() as u64,
        ..Default::default()
    })
    .unwrap();
    w.finish().unwrap();

    let snap = idx.snapshot().unwrap();
    let full = snap.search_running("", None, None, None, None).unwrap();
    let light = snap.search_keys("", None, None, None).unwrap();
    assert_eq!(full.len(), addrs.len());
    assert_eq!(light.len(), full.len());
    for (l, f) in light.iter().zip(&full) {
        for k in KEYS {
            let (lv, fv) = (l.get(*k), nested(f, k));
            match *k {
                // Instants: the same nanosecond, written in UTC.
                "@timestamp" | "process.end" => assert_eq!(
                    lv.map(|v| ns(v.as_str().unwrap())),
                    fv.map(|v| ns(v.as_str().unwrap())),
                    "{k} of {f}"
                ),
                _ => assert_eq!(lv, fv, "{k} of {f}"),
            }
        }
        // Nothing else but the reference.
        let extra: Vec<&String> = l
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !KEYS.contains(&k.as_str()) && *k != REF_KEY)
            .collect();
        assert!(extra.is_empty(), "{extra:?}");
    }
    // The texts as written.
    let ips: Vec<Option<&str>> =
        light.iter().map(|l| l.get("source.ip").and_then(Value::as_str)).collect();
    assert_eq!(
        ips,
        vec![
            Some("203.0.113.45"),
            Some("::ffff:198.51.100.7"),
            Some("2001:DB8::7"),
            Some("2001:db8::7"),
            Some("2001:db8::8"),
            None,
            None,
            nested(&full[7], "source.ip").and_then(Value::as_str),
        ]
    );
    // Fetch, in the order asked (reversed, with a repeat).
    let mut refs: Vec<u64> = light.iter().map(|l| l[REF_KEY].as_u64().unwrap()).collect();
    refs.reverse();
    refs.push(refs[0]);
    let got = snap.fetch(&refs).unwrap();
    let mut want: Vec<Value> = full.iter().rev().cloned().collect();
    want.push(want[0].clone());
    assert_eq!(got, want);
    // A reference to no event is an error.
    assert!(snap.fetch(&[u64::MAX]).is_err());
}
