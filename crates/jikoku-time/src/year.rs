//! Year inference for yearless records (BSD syslog, lastcomm, sudo's log file).
//!
//! Records are observed in file order. Each gets a *relative* year: 0 for the first, plus
//! one at every rollover. A rollover is a step backwards of more than six months from the
//! previous record (`Dec 31` → `Jan 1`); a shorter step back is an out-of-order record
//! (network senders keep their own clocks) and stays in the same year. Once the whole
//! source has been observed, [`YearInference::base`] turns relative years into real ones
//! from a reference:
//!
//! - `--year Y` ([`YearAnchor::Option`]): the *first* yearless record is in Y.
//! - the file's modification time ([`YearAnchor::Mtime`]): the *last* record was written no
//!   later than the mtime, so it is in the mtime's year, or the year before when its month
//!   and day come after the mtime's (a log last written in 2003 gets 2003, never the
//!   current year).
//! - a record of the same source that carried a full date ([`YearInference::observe_dated`]).
//!
//! With none of these the year is unknown, and the caller says so; it is never taken from
//! the current date.

use crate::{RawTime, YearOrigin};

/// A reference that fixes the year of a source's yearless records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearAnchor {
    /// `--year`: the year of the first yearless record.
    Option(i32),
    /// The source's modification time in the source's zone: (year, month, day).
    Mtime(i32, u32, u32),
    /// The year of the last record of the next newer member of a rotation chain, with that
    /// record's month and day.
    Rotation(i32, u32, u32),
    /// Nothing known.
    None,
}

/// Walks a source's yearless records in order, see the module doc.
#[derive(Debug, Clone, Default)]
pub struct YearInference {
    prev: Option<u32>,
    rel: i32,
    last_md: Option<u32>,
    first_md: Option<u32>,
    neighbour: Option<(i32, i32)>,
}

/// Steps backwards longer than this many months start a new year.
const ROLLOVER_MONTHS: u32 = 6;

impl YearInference {
    /// A fresh walk.
    pub fn new() -> Self {
        Self::default()
    }

    /// Observes the next yearless record; returns its relative year.
    pub fn observe(&mut self, raw: &RawTime) -> i32 {
        self.observe_month_day(raw.month, raw.day)
    }

    /// As [`Self::observe`], from a month (1–12) and day.
    pub fn observe_month_day(&mut self, month: u32, day: u32) -> i32 {
        let md = month * 100 + day;
        if let Some(prev) = self.prev {
            let prev_month = prev / 100;
            if prev_month > month && prev_month - month > ROLLOVER_MONTHS {
                self.rel += 1;
            } else if month > prev_month && month - prev_month > ROLLOVER_MONTHS {
                // A jump forward of more than six months (Jan → Dec) is a record from the
                // previous year written out of order, or a clock set back; it belongs to the
                // year before the current walk position. The walk position itself stays:
                // neither `prev` (else the next January would count as a rollover) nor
                // `last_md` (the mtime anchor fixes the year of the walk position) move.
                return self.rel - 1;
            }
        }
        self.prev = Some(md);
        self.last_md = Some(md);
        self.first_md.get_or_insert(md);
        self.rel
    }

    /// Observes a record that carried its full date (`year`), at the walk's current position.
    pub fn observe_dated(&mut self, year: i32) {
        self.neighbour = Some((year, self.rel));
    }

    /// Relative year of the last observed record.
    pub fn last_relative(&self) -> i32 {
        self.rel
    }

    /// True when at least one yearless record was observed.
    pub fn saw_yearless(&self) -> bool {
        self.last_md.is_some()
    }

    /// Month and day (`mmdd`) of the last yearless record.
    pub fn last_month_day(&self) -> Option<u32> {
        self.last_md
    }

    /// The year of relative year 0, and how it was found; `None` when nothing fixes it.
    pub fn base(&self, anchor: YearAnchor) -> Option<(i32, YearOrigin)> {
        match anchor {
            YearAnchor::Option(y) => Some((y, YearOrigin::Option)),
            YearAnchor::Mtime(y, m, d) => Some((self.anchor_last(y, m, d), YearOrigin::Mtime)),
            YearAnchor::Rotation(y, m, d) => {
                Some((self.anchor_last(y, m, d), YearOrigin::Rotation))
            }
            YearAnchor::None => self.neighbour.map(|(y, rel)| (y - rel, YearOrigin::Neighbour)),
        }
    }

    /// Base year such that the last record falls no later than (y, m, d), allowing one day
    /// for zone differences between the clock and the mtime.
    fn anchor_last(&self, y: i32, m: u32, d: u32) -> i32 {
        let last = self.last_md.unwrap_or(0);
        let reference = m * 100 + d;
        let last_year = if last > next_day(reference) { y - 1 } else { y };
        last_year - self.rel
    }
}

/// `mmdd` of the day after, roughly (month ends are treated as 31 days; only used as a
/// tolerance).
fn next_day(md: u32) -> u32 {
    let (m, d) = (md / 100, md % 100);
    // Dec 31 stays in the same year: the tolerance never wraps into January.
    if d >= 31 && m < 12 { (m + 1) * 100 + 1 } else { m * 100 + d + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(mds: &[(u32, u32)]) -> (YearInference, Vec<i32>) {
        let mut y = YearInference::new();
        let rels = mds.iter().map(|&(m, d)| y.observe_month_day(m, d)).collect();
        (y, rels)
    }

    #[test]
    fn new_year_rollover_gives_two_years() {
        let (y, rels) = walk(&[(12, 30), (12, 31), (1, 1), (1, 2)]);
        assert_eq!(rels, vec![0, 0, 1, 1]);
        // mtime 2003-01-02: the last record is 2003, so the first is 2002.
        assert_eq!(y.base(YearAnchor::Mtime(2003, 1, 2)), Some((2002, YearOrigin::Mtime)));
    }

    #[test]
    fn mtime_before_last_record_means_previous_year() {
        let (y, _) = walk(&[(12, 20), (12, 25)]);
        // Written Dec 25 but the file's mtime is Jan 5 2004: the records are from 2003.
        assert_eq!(y.base(YearAnchor::Mtime(2004, 1, 5)), Some((2003, YearOrigin::Mtime)));
        // mtime in 2003 gives 2003, never the current year.
        assert_eq!(y.base(YearAnchor::Mtime(2003, 12, 31)), Some((2003, YearOrigin::Mtime)));
    }

    #[test]
    fn out_of_order_record_is_not_a_rollover() {
        let (_, rels) = walk(&[(11, 22), (10, 11), (11, 22)]);
        assert_eq!(rels, vec![0, 0, 0]);
    }

    #[test]
    fn forward_jump_does_not_move_the_walk_position() {
        // Jan 5, a late Dec 30 of the previous year, then Jan 5 again: no rollover.
        let (y, rels) = walk(&[(1, 5), (12, 30), (1, 5)]);
        assert_eq!(rels, vec![0, -1, 0]);
        assert_eq!(y.last_month_day(), Some(105));
        // mtime Jan 6 2003: the walk position (Jan 5) is in 2003, the late record in 2002.
        assert_eq!(y.base(YearAnchor::Mtime(2003, 1, 6)), Some((2003, YearOrigin::Mtime)));
        let (y, _) = walk(&[(1, 5), (12, 30)]);
        assert_eq!(y.base(YearAnchor::Mtime(2003, 1, 6)), Some((2003, YearOrigin::Mtime)));
    }

    #[test]
    fn option_is_first_record_year() {
        let (y, _) = walk(&[(12, 31), (1, 1)]);
        assert_eq!(y.base(YearAnchor::Option(2001)), Some((2001, YearOrigin::Option)));
    }

    #[test]
    fn neighbour_fixes_year_without_mtime() {
        let mut y = YearInference::new();
        y.observe_month_day(12, 31);
        y.observe_month_day(1, 1);
        y.observe_dated(2005);
        assert_eq!(y.base(YearAnchor::None), Some((2004, YearOrigin::Neighbour)));
        assert_eq!(YearInference::new().base(YearAnchor::None), None);
    }
}
