//! Ceilings that keep hostile input linear: one syslog record gathers at most 1000 lines and
//! 16 MiB; sudo joins at most 128 `(command continued)` parts and 64 KiB, and re-reads a
//! hard-wrapped record for at most 32 lines and 16 KiB. Past them nothing is lost: lines and
//! parts are kept as records (or message text) of their own. Found by fuzzing (`sudo` target:
//! re-reading the joined record at every part was quadratic; a run of 20,000 tiny parts took
//! minutes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use jikoku_formats::{ParseOptions, Record, registry};

fn parse(data: &[u8]) -> Vec<Record> {
    let mut out = vec![];
    let mut input: &[u8] = data;
    registry::find("syslog")
        .unwrap()
        .parse(&mut input, &ParseOptions::default(), &mut |r| out.push(r))
        .unwrap();
    out
}

#[test]
fn a_record_holds_at_most_16_mib_of_continuation_lines() {
    let mut data = b"Jan  1 00:00:00 h app[1]: start\n".to_vec();
    let line = vec![b'x'; 1 << 20];
    for _ in 0..17 {
        data.extend_from_slice(&line);
        data.push(b'\n');
    }
    let recs = parse(&data);
    // 15 lines of 1 MiB fit with the first line; the 16th would pass 16 MiB.
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0].event.jikoku.lines, Some(16));
    for r in &recs[1..] {
        assert!(r.is_error());
        assert_eq!(
            r.event.error.message.as_deref(),
            Some(
                "not a syslog line, and the record before it already holds the most one record may (1000 lines, 16 MiB)"
            )
        );
        assert_eq!(r.event.event.original.as_ref().unwrap().len(), 1 << 20);
    }
    assert_eq!(recs[2].event.log.offset, Some(32 + 16 * ((1 << 20) + 1)));
}

#[test]
fn sudo_joins_at_most_128_continued_parts_and_keeps_the_rest() {
    let mut data =
        b"Jan  1 00:00:00 h sudo[1]:    alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo\n"
            .to_vec();
    for i in 0..500 {
        data.extend_from_slice(
            format!("Jan  1 00:00:00 h sudo[1]:    alice : (command continued) a{i}\n").as_bytes(),
        );
    }
    let start = std::time::Instant::now();
    let recs = parse(&data);
    let first = &recs[0].event;
    assert_eq!(first.extra("sudo", "parts").and_then(|v| v.as_i64()), Some(128));
    assert!(first.process.command_line.as_deref().unwrap().ends_with(" a126"));
    // The other 373 parts: records of their own, each with its text.
    assert_eq!(recs.len(), 1 + 500 - 127);
    assert_eq!(recs[1].event.extra("sudo", "continued").and_then(|v| v.as_str()), Some("a127"));
    assert!(recs.iter().all(|r| !r.is_error()));
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn sudo_rewraps_at_most_32_lines() {
    let mut data =
        b"Jan  1 00:00:00 h sudo[1]:    alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo\n"
            .to_vec();
    for i in 0..100 {
        data.extend_from_slice(format!("w{i}\n").as_bytes());
    }
    let recs = parse(&data);
    assert_eq!(recs.len(), 1);
    let e = &recs[0].event;
    assert_eq!(e.jikoku.lines, Some(101));
    // Lines 2..=32 re-read into the command; later ones appended to the message as text.
    let cmd = e.process.command_line.as_deref().unwrap();
    assert!(cmd.ends_with(" w30"), "{cmd}");
    assert!(e.message.as_deref().unwrap().ends_with("\nw99"));
}
