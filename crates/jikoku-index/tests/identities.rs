//! Hosts' own addresses and names in the manifest (`CaseWriter::note_identity`): committed with
//! the next commit, merged per host across ingests, absent from indexes written before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use jikoku_index::{CaseIndex, HostIdentity, Known};

fn k(v: &str, from: &str) -> Known {
    Known { value: v.into(), from: from.into() }
}

#[test]
fn identities_are_kept_and_merged_per_host() {
    let dir = tempfile::tempdir().unwrap();
    let idx = CaseIndex::open_or_create(dir.path()).unwrap();
    assert!(idx.identities().unwrap().is_empty());
    let mut w = idx.writer(64 << 20).unwrap();
    w.note_identity(HostIdentity {
        host: "mail".into(),
        addresses: vec![k("192.0.2.10", "etc/hosts")],
        names: vec![k("mail.example.jp", "etc/hosts")],
        domains: vec![],
    });
    w.finish().unwrap();
    let mut w = idx.writer(64 << 20).unwrap();
    w.note_identity(HostIdentity {
        host: "mail".into(),
        addresses: vec![k("192.0.2.10", "etc/hosts"), k("203.0.113.10", "etc/network/interfaces")],
        names: vec![],
        domains: vec![k("example.jp", "etc/postfix/main.cf")],
    });
    w.note_identity(HostIdentity { host: "mx".into(), ..Default::default() });
    w.finish().unwrap();
    let ids = CaseIndex::open(dir.path()).unwrap().identities().unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(
        ids[0].addresses,
        [k("192.0.2.10", "etc/hosts"), k("203.0.113.10", "etc/network/interfaces")]
    );
    assert_eq!(ids[0].names, [k("mail.example.jp", "etc/hosts")]);
    assert_eq!(ids[0].domains, [k("example.jp", "etc/postfix/main.cf")]);
    assert_eq!(ids[1].host, "mx");
}
