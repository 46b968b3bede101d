//! Resolution cases through the public API of jikoku-time.
//!
//! Every expected instant here was computed outside this crate: DST rows by
//! `gen_dst_cases.py` beside this file (Python's zoneinfo, PEP 495 fold=0: the earlier
//! instant in a fold, the offset in force before the change in a gap); the other rows by
//! hand from the zone's fixed offset and checked with `TZ=… date -d` / zoneinfo.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDateTime, Timelike};
use chrono_tz::Tz;
use jikoku_core::{Event, Timestamp};
use jikoku_time::{
    RawTime, TimeContext, TimeError, YearAnchor, YearInference, YearOrigin, ZoneSource,
    parse_duration_secs, resolve,
};
use pretty_assertions::assert_eq;

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

fn raw_at(local: &str) -> RawTime {
    let n = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap();
    use chrono::Datelike;
    RawTime::new(Some(n.year()), n.month(), n.day(), n.hour(), n.minute(), n.second())
}

/// (zone, wall time, expected UTC, expected `local`, "" | "fold" | "gap").
struct Case(&'static str, &'static str, &'static str, &'static str, &'static str);

fn c(
    zone: &'static str,
    wall: &'static str,
    utc: &'static str,
    local: &'static str,
    kind: &'static str,
) -> Case {
    Case(zone, wall, utc, local, kind)
}

/// Both DST changes of 2002 and 2024 in New York, London and Lord Howe (whose change is
/// 30 minutes), at the second before the change, its start, inside, its last second and
/// just after; and Tokyo, which has no DST.
fn dst_cases() -> Vec<Case> {
    vec![
        // America/New_York 2002-04-07 07:00Z: -05:00 -> -04:00 (gap 02:00-03:00)
        c(
            "America/New_York",
            "2002-04-07 01:59:59",
            "2002-04-07T06:59:59Z",
            "2002-04-07T01:59:59-05:00",
            "",
        ),
        c(
            "America/New_York",
            "2002-04-07 02:00:00",
            "2002-04-07T07:00:00Z",
            "2002-04-07T02:00:00-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2002-04-07 02:30:00",
            "2002-04-07T07:30:00Z",
            "2002-04-07T02:30:00-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2002-04-07 02:59:59",
            "2002-04-07T07:59:59Z",
            "2002-04-07T02:59:59-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2002-04-07 03:00:00",
            "2002-04-07T07:00:00Z",
            "2002-04-07T03:00:00-04:00",
            "",
        ),
        // America/New_York 2002-10-27 06:00Z: -04:00 -> -05:00 (fold 01:00-02:00)
        c(
            "America/New_York",
            "2002-10-27 00:59:59",
            "2002-10-27T04:59:59Z",
            "2002-10-27T00:59:59-04:00",
            "",
        ),
        c(
            "America/New_York",
            "2002-10-27 01:00:00",
            "2002-10-27T05:00:00Z",
            "2002-10-27T01:00:00-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2002-10-27 01:30:00",
            "2002-10-27T05:30:00Z",
            "2002-10-27T01:30:00-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2002-10-27 01:59:59",
            "2002-10-27T05:59:59Z",
            "2002-10-27T01:59:59-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2002-10-27 02:00:00",
            "2002-10-27T07:00:00Z",
            "2002-10-27T02:00:00-05:00",
            "",
        ),
        // America/New_York 2024-03-10 07:00Z: -05:00 -> -04:00 (gap 02:00-03:00)
        c(
            "America/New_York",
            "2024-03-10 01:59:59",
            "2024-03-10T06:59:59Z",
            "2024-03-10T01:59:59-05:00",
            "",
        ),
        c(
            "America/New_York",
            "2024-03-10 02:00:00",
            "2024-03-10T07:00:00Z",
            "2024-03-10T02:00:00-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2024-03-10 02:30:00",
            "2024-03-10T07:30:00Z",
            "2024-03-10T02:30:00-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2024-03-10 02:59:59",
            "2024-03-10T07:59:59Z",
            "2024-03-10T02:59:59-05:00",
            "gap",
        ),
        c(
            "America/New_York",
            "2024-03-10 03:00:00",
            "2024-03-10T07:00:00Z",
            "2024-03-10T03:00:00-04:00",
            "",
        ),
        // America/New_York 2024-11-03 06:00Z: -04:00 -> -05:00 (fold 01:00-02:00)
        c(
            "America/New_York",
            "2024-11-03 00:59:59",
            "2024-11-03T04:59:59Z",
            "2024-11-03T00:59:59-04:00",
            "",
        ),
        c(
            "America/New_York",
            "2024-11-03 01:00:00",
            "2024-11-03T05:00:00Z",
            "2024-11-03T01:00:00-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2024-11-03 01:30:00",
            "2024-11-03T05:30:00Z",
            "2024-11-03T01:30:00-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2024-11-03 01:59:59",
            "2024-11-03T05:59:59Z",
            "2024-11-03T01:59:59-04:00",
            "fold",
        ),
        c(
            "America/New_York",
            "2024-11-03 02:00:00",
            "2024-11-03T07:00:00Z",
            "2024-11-03T02:00:00-05:00",
            "",
        ),
        // Europe/London 2002-03-31 01:00Z: +00:00 -> +01:00 (gap 01:00-02:00)
        c(
            "Europe/London",
            "2002-03-31 00:59:59",
            "2002-03-31T00:59:59Z",
            "2002-03-31T00:59:59+00:00",
            "",
        ),
        c(
            "Europe/London",
            "2002-03-31 01:00:00",
            "2002-03-31T01:00:00Z",
            "2002-03-31T01:00:00+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2002-03-31 01:30:00",
            "2002-03-31T01:30:00Z",
            "2002-03-31T01:30:00+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2002-03-31 01:59:59",
            "2002-03-31T01:59:59Z",
            "2002-03-31T01:59:59+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2002-03-31 02:00:00",
            "2002-03-31T01:00:00Z",
            "2002-03-31T02:00:00+01:00",
            "",
        ),
        // Europe/London 2002-10-27 01:00Z: +01:00 -> +00:00 (fold 01:00-02:00)
        c(
            "Europe/London",
            "2002-10-27 00:59:59",
            "2002-10-26T23:59:59Z",
            "2002-10-27T00:59:59+01:00",
            "",
        ),
        c(
            "Europe/London",
            "2002-10-27 01:00:00",
            "2002-10-27T00:00:00Z",
            "2002-10-27T01:00:00+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2002-10-27 01:30:00",
            "2002-10-27T00:30:00Z",
            "2002-10-27T01:30:00+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2002-10-27 01:59:59",
            "2002-10-27T00:59:59Z",
            "2002-10-27T01:59:59+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2002-10-27 02:00:00",
            "2002-10-27T02:00:00Z",
            "2002-10-27T02:00:00+00:00",
            "",
        ),
        // Europe/London 2024-03-31 01:00Z: +00:00 -> +01:00 (gap 01:00-02:00)
        c(
            "Europe/London",
            "2024-03-31 00:59:59",
            "2024-03-31T00:59:59Z",
            "2024-03-31T00:59:59+00:00",
            "",
        ),
        c(
            "Europe/London",
            "2024-03-31 01:00:00",
            "2024-03-31T01:00:00Z",
            "2024-03-31T01:00:00+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2024-03-31 01:30:00",
            "2024-03-31T01:30:00Z",
            "2024-03-31T01:30:00+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2024-03-31 01:59:59",
            "2024-03-31T01:59:59Z",
            "2024-03-31T01:59:59+00:00",
            "gap",
        ),
        c(
            "Europe/London",
            "2024-03-31 02:00:00",
            "2024-03-31T01:00:00Z",
            "2024-03-31T02:00:00+01:00",
            "",
        ),
        // Europe/London 2024-10-27 01:00Z: +01:00 -> +00:00 (fold 01:00-02:00)
        c(
            "Europe/London",
            "2024-10-27 00:59:59",
            "2024-10-26T23:59:59Z",
            "2024-10-27T00:59:59+01:00",
            "",
        ),
        c(
            "Europe/London",
            "2024-10-27 01:00:00",
            "2024-10-27T00:00:00Z",
            "2024-10-27T01:00:00+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2024-10-27 01:30:00",
            "2024-10-27T00:30:00Z",
            "2024-10-27T01:30:00+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2024-10-27 01:59:59",
            "2024-10-27T00:59:59Z",
            "2024-10-27T01:59:59+01:00",
            "fold",
        ),
        c(
            "Europe/London",
            "2024-10-27 02:00:00",
            "2024-10-27T02:00:00Z",
            "2024-10-27T02:00:00+00:00",
            "",
        ),
        // Australia/Lord_Howe 2002-03-30 15:00Z: +11:00 -> +10:30 (fold 01:30-02:00)
        c(
            "Australia/Lord_Howe",
            "2002-03-31 01:29:59",
            "2002-03-30T14:29:59Z",
            "2002-03-31T01:29:59+11:00",
            "",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-03-31 01:30:00",
            "2002-03-30T14:30:00Z",
            "2002-03-31T01:30:00+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-03-31 01:45:00",
            "2002-03-30T14:45:00Z",
            "2002-03-31T01:45:00+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-03-31 01:59:59",
            "2002-03-30T14:59:59Z",
            "2002-03-31T01:59:59+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-03-31 02:00:00",
            "2002-03-30T15:30:00Z",
            "2002-03-31T02:00:00+10:30",
            "",
        ),
        // Australia/Lord_Howe 2002-10-26 15:30Z: +10:30 -> +11:00 (gap 02:00-02:30)
        c(
            "Australia/Lord_Howe",
            "2002-10-27 01:59:59",
            "2002-10-26T15:29:59Z",
            "2002-10-27T01:59:59+10:30",
            "",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-10-27 02:00:00",
            "2002-10-26T15:30:00Z",
            "2002-10-27T02:00:00+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-10-27 02:15:00",
            "2002-10-26T15:45:00Z",
            "2002-10-27T02:15:00+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-10-27 02:29:59",
            "2002-10-26T15:59:59Z",
            "2002-10-27T02:29:59+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2002-10-27 02:30:00",
            "2002-10-26T15:30:00Z",
            "2002-10-27T02:30:00+11:00",
            "",
        ),
        // Australia/Lord_Howe 2024-04-06 15:00Z: +11:00 -> +10:30 (fold 01:30-02:00)
        c(
            "Australia/Lord_Howe",
            "2024-04-07 01:29:59",
            "2024-04-06T14:29:59Z",
            "2024-04-07T01:29:59+11:00",
            "",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-04-07 01:30:00",
            "2024-04-06T14:30:00Z",
            "2024-04-07T01:30:00+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-04-07 01:45:00",
            "2024-04-06T14:45:00Z",
            "2024-04-07T01:45:00+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-04-07 01:59:59",
            "2024-04-06T14:59:59Z",
            "2024-04-07T01:59:59+11:00",
            "fold",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-04-07 02:00:00",
            "2024-04-06T15:30:00Z",
            "2024-04-07T02:00:00+10:30",
            "",
        ),
        // Australia/Lord_Howe 2024-10-05 15:30Z: +10:30 -> +11:00 (gap 02:00-02:30)
        c(
            "Australia/Lord_Howe",
            "2024-10-06 01:59:59",
            "2024-10-05T15:29:59Z",
            "2024-10-06T01:59:59+10:30",
            "",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-10-06 02:00:00",
            "2024-10-05T15:30:00Z",
            "2024-10-06T02:00:00+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-10-06 02:15:00",
            "2024-10-05T15:45:00Z",
            "2024-10-06T02:15:00+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-10-06 02:29:59",
            "2024-10-05T15:59:59Z",
            "2024-10-06T02:29:59+10:30",
            "gap",
        ),
        c(
            "Australia/Lord_Howe",
            "2024-10-06 02:30:00",
            "2024-10-05T15:30:00Z",
            "2024-10-06T02:30:00+11:00",
            "",
        ),
        c(
            "Asia/Tokyo",
            "2002-05-08 13:29:44",
            "2002-05-08T04:29:44Z",
            "2002-05-08T13:29:44+09:00",
            "",
        ),
        c(
            "Asia/Tokyo",
            "2002-12-31 23:59:59",
            "2002-12-31T14:59:59Z",
            "2002-12-31T23:59:59+09:00",
            "",
        ),
        c(
            "Asia/Tokyo",
            "2024-03-10 02:30:00",
            "2024-03-09T17:30:00Z",
            "2024-03-10T02:30:00+09:00",
            "",
        ),
    ]
}

#[test]
fn dst_transitions() {
    let cases = dst_cases();
    assert_eq!(cases.len(), 63);
    for Case(zone, wall, utc, local, kind) in cases {
        let ctx = TimeContext::new(tz(zone), ZoneSource::Option);
        let r = resolve(&raw_at(wall), None, &ctx).unwrap_or_else(|e| panic!("{zone} {wall}: {e}"));
        let what = format!("{zone} {wall}");
        assert_eq!(r.timestamp.to_rfc3339(), utc, "{what}");
        assert_eq!(r.local, local, "{what}");
        assert_eq!(r.zone, zone, "{what}");
        assert_eq!(r.zone_source, ZoneSource::Option, "{what}");
        assert_eq!(r.year_origin, None, "{what}");
        assert_eq!(r.ambiguous, !kind.is_empty(), "{what}");
        match kind {
            "" => assert_eq!(r.note, None, "{what}"),
            k => {
                let note = r.note.unwrap_or_default();
                assert!(note.contains(&format!("DST {k}")), "{what}: note {note:?}");
                assert!(note.contains(zone), "{what}: note {note:?}");
            }
        }
    }
}

/// The fold note names both offsets and says which was taken; the gap note names the
/// offset used.
#[test]
fn fold_and_gap_notes() {
    let ny = TimeContext::new(tz("America/New_York"), ZoneSource::Image);
    let r = resolve(&raw_at("2024-11-03 01:30:00"), None, &ny).unwrap();
    assert_eq!(
        r.note.as_deref(),
        Some(
            "2024-11-03 01:30:00 occurred twice in America/New_York (DST fold): took the earlier instant (-04:00), not -05:00"
        )
    );
    assert_eq!(r.zone_source, ZoneSource::Image);
    let r = resolve(&raw_at("2024-03-10 02:30:00"), None, &ny).unwrap();
    assert_eq!(
        r.note.as_deref(),
        Some(
            "2024-03-10 02:30:00 does not exist in America/New_York (DST gap): read with the offset before the change (-05:00)"
        )
    );
}

/// Walks yearless records (month, day, hour, minute, second) through a [`YearInference`],
/// then resolves each in Asia/Tokyo (+09:00, no DST) with the anchor's base year.
fn walk(
    records: &[(u32, u32, u32, u32, u32)],
    anchor: YearAnchor,
) -> Vec<(String, Option<YearOrigin>)> {
    let mut inf = YearInference::new();
    let raws: Vec<RawTime> =
        records.iter().map(|&(mo, d, h, mi, s)| RawTime::new(None, mo, d, h, mi, s)).collect();
    let rels: Vec<i32> = raws.iter().map(|r| inf.observe(r)).collect();
    let (base, origin) = inf.base(anchor).expect("a base year");
    let ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    raws.iter()
        .zip(rels)
        .map(|(raw, rel)| {
            let r = resolve(raw, Some((base + rel, origin)), &ctx).unwrap();
            (r.local, r.year_origin)
        })
        .collect()
}

fn locals(v: &[(String, Option<YearOrigin>)]) -> Vec<&str> {
    v.iter().map(|(l, _)| l.as_str()).collect()
}

#[test]
fn new_year_rollover_with_mtime_gives_two_years() {
    let recs = [(12, 31, 23, 59, 58), (12, 31, 23, 59, 59), (1, 1, 0, 0, 0), (1, 1, 0, 0, 1)];
    let out = walk(&recs, YearAnchor::Mtime(2003, 1, 1));
    assert_eq!(
        locals(&out),
        vec![
            "2002-12-31T23:59:58+09:00",
            "2002-12-31T23:59:59+09:00",
            "2003-01-01T00:00:00+09:00",
            "2003-01-01T00:00:01+09:00",
        ]
    );
    assert!(out.iter().all(|(_, o)| *o == Some(YearOrigin::Mtime)));
    // And the instant: Jan 1 00:00:00 JST is Dec 31 15:00 UTC.
    let ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    let r =
        resolve(&RawTime::new(None, 1, 1, 0, 0, 0), Some((2003, YearOrigin::Mtime)), &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-12-31T15:00:00Z");
}

#[test]
fn mtime_fixes_the_year_never_the_current_date() {
    // A log last written in 2003 gets 2003.
    let recs = [(3, 1, 10, 0, 0), (7, 4, 10, 0, 0), (11, 30, 10, 0, 0)];
    let out = walk(&recs, YearAnchor::Mtime(2003, 12, 31));
    assert_eq!(
        locals(&out),
        vec!["2003-03-01T10:00:00+09:00", "2003-07-04T10:00:00+09:00", "2003-11-30T10:00:00+09:00"]
    );
    // mtime Jan 5 2004, last record Dec 25: the records are from 2003.
    let out = walk(&[(12, 20, 1, 0, 0), (12, 25, 1, 0, 0)], YearAnchor::Mtime(2004, 1, 5));
    assert_eq!(locals(&out), vec!["2003-12-20T01:00:00+09:00", "2003-12-25T01:00:00+09:00"]);
    // Last record one day after the mtime (zone difference between clock and mtime): same year.
    let out = walk(&[(5, 8, 13, 0, 0)], YearAnchor::Mtime(2002, 5, 7));
    assert_eq!(locals(&out), vec!["2002-05-08T13:00:00+09:00"]);
    // Two days after: the year before.
    let out = walk(&[(5, 9, 13, 0, 0)], YearAnchor::Mtime(2002, 5, 7));
    assert_eq!(locals(&out), vec!["2001-05-09T13:00:00+09:00"]);
}

#[test]
fn option_year_is_the_first_record_and_rollovers_add_one() {
    let recs = [
        (11, 20, 8, 0, 0),
        (12, 31, 23, 0, 0),
        (1, 2, 8, 0, 0),
        (12, 30, 9, 0, 0),
        (1, 1, 0, 0, 0),
    ];
    let out = walk(&recs, YearAnchor::Option(2002));
    // Jan 2 → Dec 30 is a forward jump of 11 months: a late record of the previous year;
    // the walk position stays at Jan 2 2003, so the following Jan 1 is 2003 too.
    assert_eq!(
        locals(&out),
        vec![
            "2002-11-20T08:00:00+09:00",
            "2002-12-31T23:00:00+09:00",
            "2003-01-02T08:00:00+09:00",
            "2002-12-30T09:00:00+09:00",
            "2003-01-01T00:00:00+09:00",
        ]
    );
    assert!(out.iter().all(|(_, o)| *o == Some(YearOrigin::Option)));
}

#[test]
fn short_steps_back_are_out_of_order_records() {
    // A network sender's clock 5 months behind: no rollover.
    let recs = [(11, 22, 12, 0, 0), (6, 30, 12, 0, 0), (11, 22, 12, 0, 1)];
    let out = walk(&recs, YearAnchor::Option(2002));
    assert_eq!(
        locals(&out),
        vec!["2002-11-22T12:00:00+09:00", "2002-06-30T12:00:00+09:00", "2002-11-22T12:00:01+09:00"]
    );
    // Seven months back is a rollover.
    let out = walk(&[(8, 1, 0, 0, 0), (1, 1, 0, 0, 0)], YearAnchor::Option(2002));
    assert_eq!(locals(&out), vec!["2002-08-01T00:00:00+09:00", "2003-01-01T00:00:00+09:00"]);
}

#[test]
fn a_forward_jump_of_more_than_six_months_is_the_previous_year() {
    let recs = [(1, 5, 10, 0, 0), (12, 30, 22, 0, 0), (1, 5, 10, 0, 1)];
    let out = walk(&recs, YearAnchor::Option(2003));
    assert_eq!(
        locals(&out),
        vec!["2003-01-05T10:00:00+09:00", "2002-12-30T22:00:00+09:00", "2003-01-05T10:00:01+09:00"]
    );
    // With the mtime as anchor, a late December record last in the file does not pull
    // the whole file a year back: the walk position (Jan 5) is the mtime's year.
    let out = walk(&[(1, 5, 10, 0, 0), (12, 30, 22, 0, 0)], YearAnchor::Mtime(2003, 1, 6));
    assert_eq!(locals(&out), vec!["2003-01-05T10:00:00+09:00", "2002-12-30T22:00:00+09:00"]);
}

#[test]
fn neighbour_records_with_full_dates() {
    let mut inf = YearInference::new();
    inf.observe(&RawTime::new(None, 12, 31, 23, 0, 0));
    assert_eq!(inf.observe(&RawTime::new(None, 1, 1, 1, 0, 0)), 1);
    inf.observe_dated(2005);
    assert_eq!(inf.base(YearAnchor::None), Some((2004, YearOrigin::Neighbour)));
    // Nothing known: no year, and the record cannot be resolved.
    let inf = YearInference::new();
    assert_eq!(inf.base(YearAnchor::None), None);
    let ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    assert!(matches!(
        resolve(&RawTime::new(None, 5, 8, 13, 0, 0), None, &ctx),
        Err(TimeError::Invalid(_))
    ));
}

#[test]
fn rotation_anchor() {
    let mut inf = YearInference::new();
    inf.observe(&RawTime::new(None, 12, 30, 0, 0, 0));
    // The newer member's last record is Jan 3 2003: this member ends no later, in 2002.
    assert_eq!(inf.base(YearAnchor::Rotation(2003, 1, 3)), Some((2002, YearOrigin::Rotation)));
}

#[test]
fn feb_29() {
    let ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    let leap = RawTime::new(None, 2, 29, 12, 0, 0);
    let r = resolve(&leap, Some((2004, YearOrigin::Option)), &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2004-02-29T03:00:00Z");
    assert_eq!(r.note, None);
    // Inferred 2003 has no Feb 29: the nearest earlier leap year is 2000.
    let r = resolve(&leap, Some((2003, YearOrigin::Mtime)), &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2000-02-29T03:00:00Z");
    assert_eq!(r.local, "2000-02-29T12:00:00+09:00");
    assert_eq!(r.note.as_deref(), Some("Feb 29 does not exist in 2003; year taken as 2000"));
    assert!(!r.ambiguous);
    // 2005 → 2004.
    let r = resolve(&leap, Some((2005, YearOrigin::Option)), &ctx).unwrap();
    assert_eq!(r.local, "2004-02-29T12:00:00+09:00");
    // 2100 is not a leap year; the nearest earlier one is 2096.
    let r = resolve(&leap, Some((2100, YearOrigin::Option)), &ctx).unwrap();
    assert_eq!(r.local, "2096-02-29T12:00:00+09:00");
    // A record that wrote its own year 2003 is simply invalid.
    let own = RawTime::new(Some(2003), 2, 29, 12, 0, 0);
    let e = resolve(&own, None, &ctx).unwrap_err();
    assert_eq!(e.to_string(), "invalid date or time: 2003-02-29 is not a date");
}

#[test]
fn records_carrying_their_own_offset_or_zone() {
    let ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    // `2002-05-08T13:29:44-04:00` read on a Tokyo host: the record's offset wins.
    let raw = RawTime::new(Some(2002), 5, 8, 13, 29, 44).with_offset(Some(-4 * 3600));
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T17:29:44Z");
    assert_eq!(r.local, "2002-05-08T13:29:44-04:00");
    assert_eq!(r.zone, "-04:00");
    assert_eq!(r.zone_source, ZoneSource::Record);
    assert!(!r.ambiguous);
    // +05:30, and an offset inside a New York fold is never ambiguous.
    let ny = TimeContext::new(tz("America/New_York"), ZoneSource::Option);
    let raw = RawTime::new(Some(2024), 11, 3, 1, 30, 0).with_offset(Some(-5 * 3600));
    let r = resolve(&raw, None, &ny).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2024-11-03T06:30:00Z");
    assert!(!r.ambiguous);
    let raw = RawTime::new(Some(2002), 5, 8, 13, 29, 44).with_offset(Some(5 * 3600 + 1800));
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T07:59:44Z");
    assert_eq!(r.zone, "+05:30");
    // A zone written in the record (`JST`) on a New York source.
    let raw =
        RawTime { zone_hint: Some("JST".into()), ..RawTime::new(Some(2002), 5, 8, 13, 29, 44) };
    let r = resolve(&raw, None, &ny).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T04:29:44Z");
    assert_eq!(r.zone, "Etc/GMT-9");
    assert_eq!(r.zone_source, ZoneSource::Record);
    assert_eq!(r.local, "2002-05-08T13:29:44+09:00");
    // An IANA name in the record goes through DST rules: London gap.
    let raw = RawTime {
        zone_hint: Some("Europe/London".into()),
        ..RawTime::new(Some(2024), 3, 31, 1, 30, 0)
    };
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2024-03-31T01:30:00Z");
    assert_eq!(r.zone, "Europe/London");
    assert_eq!(r.zone_source, ZoneSource::Record);
    assert!(r.ambiguous);
    // A zone written in the record that names several zones (IST) is not used: the
    // source's zone is, and the note says why.
    let raw =
        RawTime { zone_hint: Some("IST".into()), ..RawTime::new(Some(2002), 5, 8, 13, 29, 44) };
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T04:29:44Z");
    assert_eq!(r.zone, "Asia/Tokyo");
    assert_eq!(r.zone_source, ZoneSource::Option);
    let note = r.note.unwrap();
    assert!(
        note.starts_with("zone \"IST\" written in the record was not used (IST is ambiguous"),
        "{note}"
    );
    assert!(note.ends_with("read in Asia/Tokyo"), "{note}");
    // A yearless record with an offset still takes the inferred year.
    let raw = RawTime::new(None, 5, 8, 13, 29, 44).with_offset(Some(0));
    let r = resolve(&raw, Some((2002, YearOrigin::Neighbour)), &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T13:29:44Z");
    assert_eq!(r.year_origin, Some(YearOrigin::Neighbour));
}

#[test]
fn default_zone_is_utc_stated_as_default() {
    let ctx = TimeContext::default_utc();
    let r = resolve(&RawTime::new(Some(2002), 5, 8, 13, 29, 44), None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T13:29:44Z");
    assert_eq!(r.local, "2002-05-08T13:29:44+00:00");
    assert_eq!(r.zone, "UTC");
    assert_eq!(r.zone_source, ZoneSource::Default);
}

#[test]
fn skewed_clocks() {
    let mut ctx = TimeContext::new(tz("Asia/Tokyo"), ZoneSource::Option);
    let raw = RawTime::new(Some(2002), 5, 8, 13, 29, 44);
    // The clock was 93 s fast: 13:29:44 JST on it was really 13:28:11 JST = 04:28:11Z.
    ctx.skew_seconds = parse_duration_secs("+93s").unwrap();
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T04:28:11Z");
    assert_eq!(r.local, "2002-05-08T13:29:44+09:00", "local stays as the clock wrote it");
    assert_eq!(r.skew_seconds, 93.0);
    // 7 minutes slow: 13:29:44 on it was really 13:36:44 JST = 04:36:44Z.
    ctx.skew_seconds = parse_duration_secs("-7m").unwrap();
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T04:36:44Z");
    assert_eq!(r.skew_seconds, -420.0);
    // Skew applies to records with their own offset too, and across midnight UTC.
    ctx.skew_seconds = 93.0;
    let raw = RawTime::new(Some(2003), 1, 1, 0, 0, 30).with_offset(Some(0));
    let r = resolve(&raw, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-12-31T23:58:57Z");
}

#[test]
fn sub_second_digits_are_kept() {
    let ctx = TimeContext::new(tz("UTC"), ZoneSource::Option);
    let base = RawTime::new(Some(2002), 5, 8, 13, 29, 44);
    for (digits, ts, local) in [
        ("383804", "2002-05-08T13:29:44.383804Z", "2002-05-08T13:29:44.383804+00:00"),
        ("120", "2002-05-08T13:29:44.120Z", "2002-05-08T13:29:44.120+00:00"),
        ("123456789", "2002-05-08T13:29:44.123456789Z", "2002-05-08T13:29:44.123456789+00:00"),
        ("000", "2002-05-08T13:29:44.000Z", "2002-05-08T13:29:44.000+00:00"),
        // Digits that are not millis/micros/nanos are padded to the next of those in
        // @timestamp; `local` keeps exactly the digits written.
        ("5", "2002-05-08T13:29:44.500Z", "2002-05-08T13:29:44.5+00:00"),
        ("1234", "2002-05-08T13:29:44.123400Z", "2002-05-08T13:29:44.1234+00:00"),
    ] {
        let r = resolve(&base.clone().with_fraction(digits), None, &ctx).unwrap();
        assert_eq!(r.timestamp.to_rfc3339(), ts, "{digits}");
        assert_eq!(r.local, local, "{digits}");
    }
    // Whole seconds print without a fraction.
    let r = resolve(&base, None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T13:29:44Z");
    // A skew with a fraction is kept to the nanosecond.
    let mut ctx = ctx;
    ctx.skew_seconds = 0.5;
    let r = resolve(&base.clone().with_fraction("383804"), None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2002-05-08T13:29:43.883804Z");
    assert_eq!(
        Timestamp { utc: r.timestamp.utc, digits: 9 }.to_rfc3339(),
        "2002-05-08T13:29:43.883804000Z"
    );
}

#[test]
fn apply_writes_the_schema_fields() {
    let ctx = TimeContext::new(tz("America/New_York"), ZoneSource::Option);
    let raw = RawTime::new(None, 11, 3, 1, 30, 0);
    let r = resolve(&raw, Some((2024, YearOrigin::Mtime)), &ctx).unwrap();
    let mut e = Event::new("test");
    r.apply(&mut e);
    assert_eq!(e.timestamp.map(|t| t.to_rfc3339()).as_deref(), Some("2024-11-03T05:30:00Z"));
    let t = &e.jikoku.time;
    assert_eq!(t.local.as_deref(), Some("2024-11-03T01:30:00-04:00"));
    assert_eq!(t.zone.as_deref(), Some("America/New_York"));
    assert_eq!(t.zone_source.as_deref(), Some("option"));
    assert_eq!(t.year.as_deref(), Some("inferred"));
    assert_eq!(t.year_source.as_deref(), Some("mtime"));
    assert_eq!(t.skew_seconds, Some(0.0));
    assert_eq!(t.ambiguous, Some(true));
    assert!(t.note.as_deref().unwrap().contains("DST fold"));
    // A record with its year: year = record, no year_source, no ambiguity flag.
    let r = resolve(&RawTime::new(Some(2002), 5, 8, 13, 29, 44), None, &ctx).unwrap();
    let mut e = Event::new("test");
    r.apply(&mut e);
    assert_eq!(e.jikoku.time.year.as_deref(), Some("record"));
    assert_eq!(e.jikoku.time.year_source, None);
    assert_eq!(e.jikoku.time.ambiguous, None);
    assert_eq!(e.jikoku.time.note, None);
}

#[test]
fn invalid_fields_are_errors() {
    let ctx = TimeContext::new(tz("UTC"), ZoneSource::Option);
    for raw in [
        RawTime::new(Some(2002), 13, 1, 0, 0, 0),
        RawTime::new(Some(2002), 4, 31, 0, 0, 0),
        RawTime::new(Some(2002), 5, 8, 24, 0, 0),
        RawTime::new(Some(2002), 5, 8, 23, 60, 0),
        RawTime::new(Some(2002), 5, 8, 23, 59, 61),
        RawTime::new(Some(2002), 5, 8, 0, 0, 0).with_offset(Some(86_400)),
    ] {
        assert!(matches!(resolve(&raw, None, &ctx), Err(TimeError::Invalid(_))), "{raw:?}");
    }
    // A leap second is :59 plus one second, printed as :60.
    let r = resolve(&RawTime::new(Some(2016), 12, 31, 23, 59, 60), None, &ctx).unwrap();
    assert_eq!(r.timestamp.to_rfc3339(), "2016-12-31T23:59:60Z");
}

#[test]
fn durations() {
    let ok: &[(&str, f64)] = &[
        ("+93s", 93.0),
        ("93s", 93.0),
        ("93", 93.0),
        (" +93s ", 93.0),
        ("-7m", -420.0),
        ("1h30m", 5400.0),
        ("-1h30m", -5400.0),
        ("2m30s", 150.0),
        ("1d", 86400.0),
        ("1d2h3m4s", 93784.0),
        ("-0.5s", -0.5),
        ("1.5m", 90.0),
        ("+0", 0.0),
    ];
    for (text, want) in ok {
        assert_eq!(parse_duration_secs(text).unwrap(), *want, "{text:?}");
    }
    for bad in
        ["", "+", "-", "93x", "s", "m5", "1m30", "1..5s", "1.2.3", "1h 30m", "1H", "--5s", "5 s"]
    {
        assert!(matches!(parse_duration_secs(bad), Err(TimeError::InvalidSkew(..))), "{bad:?}");
    }
    assert_eq!(
        parse_duration_secs("93x").unwrap_err().to_string(),
        "invalid skew \"93x\": units are d, h, m, s"
    );
}
