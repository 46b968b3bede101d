//! Every query form against a small index built from events made here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use jikoku_core::{Event, Timestamp};
use jikoku_index::CaseIndex;

#[allow(clippy::too_many_arguments)]
fn ev(
    secs: i64,
    nanos: u32,
    host: &str,
    user: &str,
    ip: &str,
    action: &str,
    msg: &str,
    status: Option<i64>,
) -> Event {
    let mut e = Event::new("test.case");
    e.timestamp = Some(Timestamp { utc: Utc.timestamp_opt(secs, nanos).unwrap(), digits: 6 });
    e.host.name = Some(host.into());
    e.user.name = Some(user.into());
    e.source.set_address(ip);
    e.event.action = Some(action.to_string().into());
    e.message = Some(msg.into());
    e.http.response.status_code = status;
    e
}

fn build() -> (tempfile::TempDir, CaseIndex) {
    let dir = tempfile::tempdir().unwrap();
    let idx = CaseIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(64 << 20).unwrap();
    let t0 = 1_020_878_984; // 2002-05-08T17:29:44Z
    let events = [
        ev(t0, 0, "mail", "root", "198.51.100.7", "ssh-login", "Failed password for root", None),
        ev(
            t0 - 3600,
            0,
            "mail",
            "kenji",
            "203.0.113.45",
            "ssh-login",
            "Accepted password for kenji",
            None,
        ),
        ev(
            t0 + 1,
            500_000,
            "www",
            "oracle",
            "198.51.100.7",
            "ssh-invalid-user",
            "Invalid user oracle",
            None,
        ),
        ev(
            t0 + 1,
            500_000,
            "www",
            "-",
            "2001:db8::7",
            "http-request",
            "GET /wp-login.php",
            Some(404),
        ),
        ev(t0 + 2, 0, "www", "-", "10.19.10.227", "http-request", "POST /up.php", Some(500)),
    ];
    for (i, e) in events.iter().enumerate() {
        w.add(e, 0, i as u64).unwrap();
    }
    w.finish_source(jikoku_index::ManifestEntry {
        path: "x".into(),
        sha256: "abc".into(),
        events: 5,
        records: 5,
        ..Default::default()
    })
    .unwrap();
    w.finish().unwrap();
    (dir, idx)
}

fn users(idx: &CaseIndex, q: &str) -> Vec<String> {
    idx.search(q, None, None, None)
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}@{}",
                e["user"]["name"].as_str().unwrap(),
                e["host"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn query_forms() {
    let (_d, idx) = build();
    assert_eq!(idx.count().unwrap(), 5);
    // All events, sorted by time then record order.
    assert_eq!(users(&idx, ""), ["kenji@mail", "root@mail", "oracle@www", "-@www", "-@www"]);
    assert_eq!(users(&idx, "host.name:mail"), ["kenji@mail", "root@mail"]);
    assert_eq!(users(&idx, "host.name:www AND user.name:oracle"), ["oracle@www"]);
    assert_eq!(users(&idx, "user.name:root OR user.name:oracle"), ["root@mail", "oracle@www"]);
    assert_eq!(users(&idx, "host.name:mail NOT user.name:root"), ["kenji@mail"]);
    assert_eq!(users(&idx, "-host.name:www"), ["kenji@mail", "root@mail"]);
    assert_eq!(
        users(&idx, "(host.name:mail OR host.name:www) AND event.action:ssh-login"),
        ["kenji@mail", "root@mail"]
    );
    assert_eq!(users(&idx, "user.name:ora*"), ["oracle@www"]);
    // Phrases and free text over message/original.
    assert_eq!(users(&idx, "\"failed password\""), ["root@mail"]);
    assert_eq!(users(&idx, "message:accepted"), ["kenji@mail"]);
    assert_eq!(users(&idx, "password"), ["kenji@mail", "root@mail"]);
    // Ranges.
    assert_eq!(users(&idx, "http.response.status_code:[500 TO 599]"), ["-@www"]);
    assert_eq!(users(&idx, "http.response.status_code:404"), ["-@www"]);
    assert_eq!(
        users(&idx, "@timestamp:[2002-05-08T17:29:44Z TO 2002-05-08T17:29:45.5Z]"),
        ["root@mail", "oracle@www", "-@www"]
    );
    assert_eq!(users(&idx, "@timestamp:[* TO 2002-05-08T17:00:00Z]"), ["kenji@mail"]);
    // IPs and CIDR, v4 and v6.
    assert_eq!(users(&idx, "source.ip:198.51.100.0/24"), ["root@mail", "oracle@www"]);
    assert_eq!(users(&idx, "source.ip:10.19.0.0/16"), ["-@www"]);
    assert_eq!(users(&idx, "source.ip:2001:db8::/32"), ["-@www"]);
    assert_eq!(users(&idx, "source.ip:203.0.113.45"), ["kenji@mail"]);
    assert_eq!(
        users(&idx, "source.ip:[198.51.100.0 TO 203.0.113.255]"),
        ["kenji@mail", "root@mail", "oracle@www"]
    );
    // Time window from the caller (--from/--to) and limit.
    let t0 = 1_020_878_984_000_000_000i64;
    assert_eq!(idx.search("", Some(t0), Some(t0 + 1_500_000_000), None).unwrap().len(), 3);
    assert_eq!(idx.search("", None, None, Some(2)).unwrap().len(), 2);
    // Errors name the problem.
    for (q, words) in [
        ("nosuch.field:x", "not an indexed field"),
        ("source.ip:banana", "not an IP"),
        ("http.response.status_code:abc", "not a number"),
        ("(host.name:mail", "missing )"),
        ("\"open", "unclosed quote"),
        ("@timestamp:[yesterday TO *]", "RFC 3339"),
    ] {
        let e = idx.search(q, None, None, None).err().unwrap().to_string();
        assert!(e.contains(words), "{q}: {e}");
    }
    assert_eq!(idx.manifest().unwrap().len(), 1);
}
