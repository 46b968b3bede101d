//! Zone, DST and skew resolution of one time.

use std::borrow::Cow;

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use jikoku_core::{Event, Timestamp};

use crate::TimeError;

/// A time as written in a record. Parsers fill it; only this crate turns it into UTC.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawTime {
    /// The year, when the record carries one.
    pub year: Option<i32>,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–60 (a leap second is folded into :59.999…).
    pub second: u32,
    /// Sub-second part in nanoseconds.
    pub nanos: u32,
    /// Sub-second digits as written.
    pub digits: u8,
    /// Offset east of UTC in seconds, when the record carries one.
    pub offset: Option<i32>,
    /// A zone name or abbreviation written in the record (`JST`, `UTC`), if any.
    pub zone_hint: Option<String>,
}

impl RawTime {
    /// A time without sub-seconds or offset.
    pub fn new(
        year: Option<i32>,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Self {
        RawTime { year, month, day, hour, minute, second, ..Default::default() }
    }

    /// Sets the sub-second part from the digits as written (`"383804"` → 383804000 ns, 6 digits).
    pub fn with_fraction(mut self, digits: &str) -> Self {
        let d: String = digits.chars().take(9).collect();
        let n = d.len();
        if let Ok(v) = d.parse::<u32>() {
            self.nanos = v * 10u32.pow(9u32.saturating_sub(n as u32));
            self.digits = n as u8;
        }
        self
    }

    /// Sets the record's own offset (seconds east of UTC).
    pub fn with_offset(mut self, secs: Option<i32>) -> Self {
        self.offset = secs;
        self
    }

    /// Month and day as one sortable number (`mmdd`).
    pub fn month_day(&self) -> u32 {
        self.month * 100 + self.day
    }

    /// The wall-clock date and time, given a year.
    pub fn naive(&self, year: i32) -> Result<NaiveDateTime, TimeError> {
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day).ok_or_else(|| {
            TimeError::Invalid(format!("{year:04}-{:02}-{:02} is not a date", self.month, self.day))
        })?;
        // A leap second (:60) is kept as :59 plus one second's worth of nanos, as chrono does.
        let (sec, extra) = if self.second == 60 { (59, 1_000_000_000) } else { (self.second, 0) };
        let time = NaiveTime::from_hms_nano_opt(self.hour, self.minute, sec, self.nanos + extra)
            .ok_or_else(|| {
                TimeError::Invalid(format!(
                    "{:02}:{:02}:{:02} is not a time",
                    self.hour, self.minute, self.second
                ))
            })?;
        Ok(NaiveDateTime::new(date, time))
    }
}

/// Where a source's zone came from (`jikoku.time.zone_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneSource {
    /// The record carried an offset or zone.
    Record,
    /// `--tz` on the command line.
    Option,
    /// Discovered on the image (etc/timezone, etc/localtime).
    Image,
    /// Nothing said: UTC, warned about.
    Default,
}

impl ZoneSource {
    /// The schema's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneSource::Record => "record",
            ZoneSource::Option => "option",
            ZoneSource::Image => "image",
            ZoneSource::Default => "default",
        }
    }
}

/// How a yearless record's year was found (`jikoku.time.year_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearOrigin {
    /// `--year`.
    Option,
    /// The source file's modification time.
    Mtime,
    /// Carried across the members of a rotation chain.
    Rotation,
    /// A neighbouring record with a full date.
    Neighbour,
}

impl YearOrigin {
    /// The schema's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            YearOrigin::Option => "option",
            YearOrigin::Mtime => "mtime",
            YearOrigin::Rotation => "rotation",
            YearOrigin::Neighbour => "neighbour",
        }
    }
}

/// What is known about a source's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeContext {
    /// Zone of records that carry none.
    pub zone: Tz,
    /// Where `zone` came from.
    pub zone_source: ZoneSource,
    /// Declared clock error in seconds (positive = the clock was fast); subtracted.
    pub skew_seconds: f64,
}

impl TimeContext {
    /// A context with no skew.
    pub fn new(zone: Tz, zone_source: ZoneSource) -> Self {
        TimeContext { zone, zone_source, skew_seconds: 0.0 }
    }

    /// UTC, stated as `default` (the caller warns once per source).
    pub fn default_utc() -> Self {
        TimeContext::new(Tz::UTC, ZoneSource::Default)
    }
}

/// A resolved time.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The corrected instant (skew removed).
    pub timestamp: Timestamp,
    /// The time as the host's clock wrote it, with the offset it was resolved to.
    pub local: String,
    /// Zone name, or the record's fixed offset (`+09:00`).
    pub zone: String,
    /// Where the zone came from.
    pub zone_source: ZoneSource,
    /// `None` when the record carried its year.
    pub year_origin: Option<YearOrigin>,
    /// Skew subtracted, in seconds.
    pub skew_seconds: f64,
    /// The local time was in a DST fold or gap.
    pub ambiguous: bool,
    /// How an ambiguity or oddity was resolved.
    pub note: Option<String>,
}

impl Resolved {
    /// As [`Resolved::apply`], moving the strings into the event instead of copying them.
    pub fn apply_owned(self, e: &mut Event) {
        e.timestamp = Some(self.timestamp);
        let t = &mut e.jikoku.time;
        t.local = Some(self.local);
        t.zone = Some(self.zone);
        t.zone_source = Some(Cow::Borrowed(self.zone_source.as_str()));
        match self.year_origin {
            None => t.year = Some(Cow::Borrowed("record")),
            Some(o) => {
                t.year = Some(Cow::Borrowed("inferred"));
                t.year_source = Some(Cow::Borrowed(o.as_str()));
            }
        }
        t.skew_seconds = Some(self.skew_seconds);
        if self.ambiguous {
            t.ambiguous = Some(true);
        }
        if self.note.is_some() {
            t.note = self.note;
        }
    }

    /// Writes `@timestamp` and `jikoku.time.*` into an event.
    pub fn apply(&self, e: &mut Event) {
        self.clone().apply_owned(e);
    }
}

fn fmt_offset(secs: i32) -> String {
    let mut s = String::with_capacity(6);
    jikoku_core::timefmt::write_offset(&mut s, secs);
    s
}

fn fmt_local(naive: &NaiveDateTime, digits: u8, offset_secs: i32) -> String {
    let mut s = String::with_capacity(40);
    if jikoku_core::timefmt::write_datetime(&mut s, naive, digits) {
        jikoku_core::timefmt::write_offset(&mut s, offset_secs);
        return s;
    }
    let mut s = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
    if digits > 0 {
        let frac = format!("{:09}", naive.and_utc().timestamp_subsec_nanos());
        s.push('.');
        s.push_str(frac.get(..usize::from(digits.min(9))).unwrap_or(&frac));
    }
    s.push_str(&fmt_offset(offset_secs));
    s
}

/// Resolves `raw` to UTC.
///
/// `year`: the year to use for a yearless record and how it was found (from
/// [`YearInference`]); ignored when the record carries its own year. A yearless record
/// with `year: None` cannot be resolved and gives [`TimeError::Invalid`].
pub fn resolve(
    raw: &RawTime,
    year: Option<(i32, YearOrigin)>,
    ctx: &TimeContext,
) -> Result<Resolved, TimeError> {
    let (y, year_origin) = match (raw.year, year) {
        (Some(y), _) => (y, None),
        (None, Some((y, o))) => (y, Some(o)),
        (None, None) => {
            return Err(TimeError::Invalid(
                "the record has no year and none could be inferred".into(),
            ));
        }
    };
    let mut note = None;
    let naive = match raw.naive(y) {
        Ok(n) => n,
        // A yearless Feb 29 in an inferred non-leap year: the inference was off; the nearest
        // earlier leap year is the only year the clock could have written it in.
        Err(_) if year_origin.is_some() && raw.month == 2 && raw.day == 29 => {
            let leap = (y - 7..y).rev().find(|c| NaiveDate::from_ymd_opt(*c, 2, 29).is_some());
            match leap {
                Some(ly) => {
                    note = Some(format!("Feb 29 does not exist in {y}; year taken as {ly}"));
                    raw.naive(ly)?
                }
                None => return Err(TimeError::Invalid(format!("Feb 29 in {y}"))),
            }
        }
        Err(e) => return Err(e),
    };

    // 1. The record's own offset, 2. a zone written in the record, 3. the source's zone.
    let (utc, offset_secs, zone, zone_source, ambiguous) = if let Some(off) = raw.offset {
        let fixed = FixedOffset::east_opt(off)
            .ok_or_else(|| TimeError::Invalid(format!("offset {off}s out of range")))?;
        let dt = fixed
            .from_local_datetime(&naive)
            .single()
            .ok_or_else(|| TimeError::Invalid("offset arithmetic out of range".into()))?;
        (dt.with_timezone(&Utc), off, fmt_offset(off), ZoneSource::Record, false)
    } else if let Some(tz) =
        raw.zone_hint.as_deref().and_then(|h| crate::human::zone_from_hint(h).ok())
    {
        let (utc, off, amb, n) = local_to_utc(&tz, &naive)?;
        if n.is_some() {
            note = n;
        }
        (utc, off, tz.name().to_string(), ZoneSource::Record, amb)
    } else {
        let (utc, off, amb, n) = local_to_utc(&ctx.zone, &naive)?;
        if n.is_some() {
            note = n;
        }
        // A zone written in the record that we cannot use (IST, an unknown name) is not
        // silently dropped: the note says so.
        if let Some(hint) = raw.zone_hint.as_deref() {
            if let Err(e) = crate::human::zone_from_hint(hint) {
                let unused = format!(
                    "zone {hint:?} written in the record was not used ({e}); read in {}",
                    ctx.zone.name()
                );
                note = Some(match note.take() {
                    Some(n) => format!("{n}; {unused}"),
                    None => unused,
                });
            }
        }
        (utc, off, ctx.zone.name().to_string(), ctx.zone_source, amb)
    };

    let skew_ns = (ctx.skew_seconds * 1e9).round() as i64;
    let corrected = utc
        .checked_sub_signed(Duration::nanoseconds(skew_ns))
        .ok_or_else(|| TimeError::Invalid("skew out of range".into()))?;
    Ok(Resolved {
        timestamp: Timestamp { utc: corrected, digits: raw.digits },
        local: fmt_local(&naive, raw.digits, offset_secs),
        zone,
        zone_source,
        year_origin,
        skew_seconds: ctx.skew_seconds,
        ambiguous,
        note,
    })
}

/// A local wall time in `tz` → (UTC, offset used, ambiguous, note).
///
/// Fold (the wall time happened twice): the earlier instant. Gap (the wall time never
/// happened): read with the offset in force just before the change, which lands after it.
pub fn local_to_utc(
    tz: &Tz,
    naive: &NaiveDateTime,
) -> Result<(DateTime<Utc>, i32, bool, Option<String>), TimeError> {
    match tz.from_local_datetime(naive) {
        LocalResult::Single(dt) => {
            Ok((dt.with_timezone(&Utc), dt.offset().fix().local_minus_utc(), false, None))
        }
        LocalResult::Ambiguous(a, b) => {
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let off = early.offset().fix().local_minus_utc();
            let note = format!(
                "{naive} occurred twice in {} (DST fold): took the earlier instant ({}), not {}",
                tz.name(),
                fmt_offset(off),
                fmt_offset(late.offset().fix().local_minus_utc())
            );
            Ok((early.with_timezone(&Utc), off, true, Some(note)))
        }
        LocalResult::None => {
            // Find the offset in force before the gap by stepping back in 15-minute steps.
            let mut probe = *naive;
            for _ in 0..16 {
                probe = probe
                    .checked_sub_signed(Duration::minutes(15))
                    .ok_or_else(|| TimeError::Invalid("date out of range".into()))?;
                if let LocalResult::Single(dt) = tz.from_local_datetime(&probe) {
                    let off = dt.offset().fix().local_minus_utc();
                    let utc = naive
                        .checked_sub_signed(Duration::seconds(i64::from(off)))
                        .ok_or_else(|| TimeError::Invalid("date out of range".into()))?
                        .and_utc();
                    let note = format!(
                        "{naive} does not exist in {} (DST gap): read with the offset before the change ({})",
                        tz.name(),
                        fmt_offset(off)
                    );
                    return Ok((utc, off, true, Some(note)));
                }
            }
            Err(TimeError::Invalid(format!("{naive} cannot be placed in {}", tz.name())))
        }
    }
}

/// Parses a skew as written on the command line: `+93s`, `-7m`, `1h30m`, `-0.5s`, `93`
/// (seconds). Positive means the clock was fast.
pub fn parse_duration_secs(text: &str) -> Result<f64, TimeError> {
    let t = text.trim();
    let bad = |why: &str| TimeError::InvalidSkew(text.to_string(), why.to_string());
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    if body.is_empty() {
        return Err(bad("empty"));
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut any_unit = false;
    for c in body.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86400.0,
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(bad("units are d, h, m, s")),
        };
        let v: f64 = num.parse().map_err(|_| bad("a number must precede each unit"))?;
        total += v * unit;
        num.clear();
        any_unit = true;
    }
    if !num.is_empty() {
        if any_unit {
            return Err(bad("a trailing number has no unit"));
        }
        total = num.parse().map_err(|_| bad("not a number"))?;
    }
    Ok(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_forms() {
        assert_eq!(parse_duration_secs("+93s").unwrap(), 93.0);
        assert_eq!(parse_duration_secs("-7m").unwrap(), -420.0);
        assert_eq!(parse_duration_secs("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration_secs("93").unwrap(), 93.0);
        assert!(parse_duration_secs("93x").is_err());
        assert!(parse_duration_secs("").is_err());
    }
}
