//! Times typed by people, for `at` and `--from/--to`: RFC 2822, RFC 3339, `2002-05-08 13:29:44 EDT`,
//! `13:29:44 JST` with a date, and zone abbreviations.
//!
//! Zone abbreviations (documented in docs/time.md). Each names one fixed offset; the
//! abbreviations that name several zones in common use are refused with an explanation.
//!
//! | abbr | offset | meaning |
//! |---|---|---|
//! | UTC, GMT, UT, Z | +00:00 | |
//! | JST | +09:00 | Japan |
//! | KST | +09:00 | Korea |
//! | EST / EDT | −05:00 / −04:00 | US Eastern |
//! | CST / CDT | −06:00 / −05:00 | US Central (not China: write +0800 or Asia/Shanghai) |
//! | MST / MDT | −07:00 / −06:00 | US Mountain |
//! | PST / PDT | −08:00 / −07:00 | US Pacific |
//! | AKST / AKDT | −09:00 / −08:00 | Alaska |
//! | HST | −10:00 | Hawaii |
//! | BST | +01:00 | British Summer Time |
//! | WET / WEST | +00:00 / +01:00 | Western Europe |
//! | CET / CEST | +01:00 / +02:00 | Central Europe |
//! | EET / EEST | +02:00 / +03:00 | Eastern Europe |
//! | MSK | +03:00 | Moscow |
//! | HKT | +08:00 | Hong Kong |
//! | SGT | +08:00 | Singapore |
//! | AEST / AEDT | +10:00 / +11:00 | Australian Eastern |
//! | NZST / NZDT | +12:00 / +13:00 | New Zealand |
//! | IST | refused | India +05:30, Ireland +01:00 or Israel +02:00 |

use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::{RawTime, TimeError};

/// Offsets (seconds east of UTC) of the zone abbreviations we accept.
pub const ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("JST", 9 * 3600),
    ("KST", 9 * 3600),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("CST", -6 * 3600),
    ("CDT", -5 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
    ("BST", 3600),
    ("WET", 0),
    ("WEST", 3600),
    ("CET", 3600),
    ("CEST", 2 * 3600),
    ("EET", 2 * 3600),
    ("EEST", 3 * 3600),
    ("MSK", 3 * 3600),
    ("HKT", 8 * 3600),
    ("SGT", 8 * 3600),
    ("AEST", 10 * 3600),
    ("AEDT", 11 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
];

/// Abbreviations refused because they name several zones, with the explanation given.
pub const REFUSED: &[(&str, &str)] = &[(
    "IST",
    "IST is ambiguous: India Standard Time (+05:30), Irish Standard Time (+01:00) or Israel Standard Time (+02:00); write the offset (+0530) or a zone name (Asia/Kolkata)",
)];

/// Offset in seconds of an accepted abbreviation (case-insensitive).
pub fn abbreviation_offset(abbr: &str) -> Result<i32, TimeError> {
    let up = abbr.to_ascii_uppercase();
    if let Some((_, why)) = REFUSED.iter().find(|(a, _)| *a == up) {
        return Err(TimeError::AmbiguousAbbreviation((*why).to_string()));
    }
    ABBREVIATIONS
        .iter()
        .find(|(a, _)| *a == up)
        .map(|(_, o)| *o)
        .ok_or_else(|| TimeError::UnknownZone(abbr.to_string()))
}

/// A zone written in a record or typed by a person: an IANA name, or an abbreviation
/// (mapped to the fixed-offset `Etc/GMT±N` zone, whose sign is inverted by POSIX convention).
pub fn zone_from_hint(hint: &str) -> Result<Tz, TimeError> {
    if let Ok(tz) = hint.parse::<Tz>() {
        if hint.contains('/') || hint.eq_ignore_ascii_case("UTC") {
            return Ok(tz);
        }
    }
    let off = abbreviation_offset(hint)?;
    if off % 3600 != 0 {
        return Err(TimeError::UnknownZone(hint.to_string()));
    }
    let h = off / 3600;
    let name = match h {
        0 => "Etc/UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    };
    name.parse::<Tz>().map_err(|_| TimeError::UnknownZone(hint.to_string()))
}

// ---------------------------------------------------------------------------------------
// Times typed by people.
// ---------------------------------------------------------------------------------------

/// How the zone of a [`HumanTime`] was determined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneFrom {
    /// A numeric offset written in the text (`-0400`, `+09:00`, `Z`, `GMT+0900`).
    Offset,
    /// A zone abbreviation written in the text (`JST`, `EDT`, `GMT`), from [`ABBREVIATIONS`].
    Abbreviation(String),
    /// An IANA zone name written in the text (`Asia/Tokyo`, `[Europe/London]`).
    Name(Tz),
    /// Nothing in the text: the caller's default zone (`--at-tz`).
    Default(Tz),
    /// A Unix epoch time (`@1020878984`): UTC by definition.
    Epoch,
}

impl ZoneFrom {
    /// A short name for reports: `offset`, `abbreviation`, `name`, `default`, `epoch`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ZoneFrom::Offset => "offset",
            ZoneFrom::Abbreviation(_) => "abbreviation",
            ZoneFrom::Name(_) => "name",
            ZoneFrom::Default(_) => "default",
            ZoneFrom::Epoch => "epoch",
        }
    }
}

/// How finely a [`HumanTime`] was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// A date only (`2002-05-08`): midnight of that day.
    Day,
    /// Hours and minutes (`13:29`).
    Minute,
    /// Whole seconds (`13:29:44`).
    Second,
    /// Sub-second digits (`13:29:44.25` → `Fraction(2)`).
    Fraction(u8),
}

/// A time typed by a person, read by [`parse_human`].
#[derive(Debug, Clone, PartialEq)]
pub struct HumanTime {
    /// The instant.
    pub utc: DateTime<Utc>,
    /// The offset the wall time was read with (stated, or the zone's offset at that time).
    pub offset: FixedOffset,
    /// How the zone was determined.
    pub zone: ZoneFrom,
    /// The text as given.
    pub text: String,
    /// How finely the time was written.
    pub precision: Precision,
    /// The wall time fell in a DST fold or gap of the zone used.
    pub ambiguous: bool,
    /// How a fold or gap was resolved (as [`crate::local_to_utc`] says).
    pub note: Option<String>,
}

impl HumanTime {
    /// The instant as the text's wall clock shows it.
    pub fn local(&self) -> DateTime<FixedOffset> {
        self.utc.with_timezone(&self.offset)
    }

    /// The instant in UTC, RFC 3339, with the sub-second digits that were written.
    pub fn to_rfc3339(&self) -> String {
        let digits = match self.precision {
            Precision::Fraction(d) => d,
            _ => 0,
        };
        jikoku_core::Timestamp { utc: self.utc, digits }.to_rfc3339()
    }
}

/// Reads a time typed by a person (an abuse complaint's time, `jikoku at TIME`,
/// `--from`/`--to`). See docs/time.md for the forms; among them:
///
/// - RFC 2822: `Wed, 8 May 2002 13:29:44 -0400`, `8 May 02 13:29 EDT`, `(EDT)` comments;
///   a weekday is checked against the date.
/// - RFC 3339 / ISO 8601: `2002-05-08T13:29:44-04:00`, `2002-05-08 13:29:44.5Z`,
///   `20020508T132944Z`, `2002-05-08T13:29:44+09:00[Asia/Tokyo]`.
/// - `2002/05/08 13:29:44 JST`, `May 8, 2002 1:29:44 PM EDT`, `13:29:44 JST 2002-05-08`,
///   `08/May/2002:13:29:44 +0900` (web server logs), `2002年5月8日 13時29分44秒 JST`.
/// - asctime `Wed May  8 13:29:44 2002`; a zone name `2002-05-08 13:29:44 Asia/Tokyo`.
/// - `@1020878984` (Unix epoch seconds).
///
/// The zone is the one written (offset, abbreviation or IANA name), else `default_zone`;
/// with neither the text is refused. A wall time in a DST fold or gap of a named zone is
/// resolved as [`crate::local_to_utc`] does. A date is required; a missing time is
/// midnight ([`Precision::Day`]). Numeric dates must be year first (`08/05/2002` is
/// refused as ambiguous).
pub fn parse_human(text: &str, default_zone: Option<Tz>) -> Result<HumanTime, TimeError> {
    let trimmed = text.trim();
    if let Some(epoch) = trimmed.strip_prefix('@') {
        return parse_epoch(text, epoch);
    }
    let parts = Reader::new(text).read()?;
    parts.finish(text, default_zone)
}

fn unparsable(text: &str, why: impl Into<String>) -> TimeError {
    TimeError::Unparsable(text.to_string(), why.into())
}

fn parse_epoch(text: &str, body: &str) -> Result<HumanTime, TimeError> {
    let body = body.trim();
    let (neg, digits) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let bad = || {
        unparsable(
            text,
            format!("expected Unix epoch seconds after '@' (@1020878984), found {body:?}"),
        )
    };
    if whole.is_empty() || whole.len() > 12 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let secs: i64 = whole.parse().map_err(|_| bad())?;
    let (nanos, digits_n) = match frac {
        None => (0u32, 0u8),
        Some(f) => {
            if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            (frac_nanos(f), f.len() as u8)
        }
    };
    let utc = if neg {
        // -1.5 is one and a half seconds before the epoch.
        DateTime::<Utc>::from_timestamp(-secs, 0)
            .and_then(|t| t.checked_sub_signed(chrono::Duration::nanoseconds(i64::from(nanos))))
    } else {
        DateTime::<Utc>::from_timestamp(secs, nanos)
    }
    .ok_or_else(|| unparsable(text, format!("epoch {body} is out of range")))?;
    Ok(HumanTime {
        utc,
        offset: FixedOffset::east_opt(0).unwrap_or(Utc.fix()),
        zone: ZoneFrom::Epoch,
        text: text.to_string(),
        precision: if digits_n > 0 { Precision::Fraction(digits_n) } else { Precision::Second },
        ambiguous: false,
        note: None,
    })
}

/// Nanoseconds of sub-second digits (at most 9, all ASCII digits).
fn frac_nanos(digits: &str) -> u32 {
    let n = digits.len().min(9);
    let v: u32 = digits.get(..n).and_then(|d| d.parse().ok()).unwrap_or(0);
    v.saturating_mul(10u32.pow(9u32.saturating_sub(n as u32)))
}

const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("january", 1),
    ("feb", 2),
    ("february", 2),
    ("mar", 3),
    ("march", 3),
    ("apr", 4),
    ("april", 4),
    ("may", 5),
    ("jun", 6),
    ("june", 6),
    ("jul", 7),
    ("july", 7),
    ("aug", 8),
    ("august", 8),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
    ("oct", 10),
    ("october", 10),
    ("nov", 11),
    ("november", 11),
    ("dec", 12),
    ("december", 12),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("mon", Weekday::Mon),
    ("monday", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("tuesday", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("wednesday", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("thursday", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("friday", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("saturday", Weekday::Sat),
    ("sun", Weekday::Sun),
    ("sunday", Weekday::Sun),
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let w = word.to_ascii_lowercase();
    WEEKDAYS.iter().find(|(n, _)| *n == w).map(|(_, d)| *d)
}

/// 月火水木金土日, alone or followed by 曜 / 曜日.
fn japanese_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim();
    let s = s.strip_suffix("曜日").or_else(|| s.strip_suffix('曜')).unwrap_or(s);
    match s {
        "月" => Some(Weekday::Mon),
        "火" => Some(Weekday::Tue),
        "水" => Some(Weekday::Wed),
        "木" => Some(Weekday::Thu),
        "金" => Some(Weekday::Fri),
        "土" => Some(Weekday::Sat),
        "日" => Some(Weekday::Sun),
        _ => None,
    }
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A zone written as an offset or abbreviation: seconds east, and how it was written.
#[derive(Debug, Clone, PartialEq)]
enum Stated {
    Offset(i32),
    Abbr(String, i32),
}

impl Stated {
    fn secs(&self) -> i32 {
        match self {
            Stated::Offset(s) | Stated::Abbr(_, s) => *s,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Clock {
    hour: u32,
    minute: u32,
    second: Option<u32>,
    nanos: u32,
    digits: u8,
}

#[derive(Debug, Default)]
struct Parts {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    clock: Option<Clock>,
    stated: Option<Stated>,
    name: Option<Tz>,
    weekday: Option<Weekday>,
}

impl Parts {
    fn finish(self, text: &str, default_zone: Option<Tz>) -> Result<HumanTime, TimeError> {
        let (Some(month), Some(day)) = (self.month, self.day) else {
            return Err(unparsable(
                text,
                "expected a date (2002-05-08, 8 May 2002, May 8 2002), found none",
            ));
        };
        let Some(year) = self.year else {
            return Err(unparsable(
                text,
                format!(
                    "the date has no year: expected a year (2002) with month {month} day {day}"
                ),
            ));
        };
        let clock =
            self.clock.unwrap_or(Clock { hour: 0, minute: 0, second: None, nanos: 0, digits: 0 });
        let raw = RawTime {
            year: Some(year),
            month,
            day,
            hour: clock.hour,
            minute: clock.minute,
            second: clock.second.unwrap_or(0),
            nanos: clock.nanos,
            digits: clock.digits,
            offset: None,
            zone_hint: None,
        };
        let naive = raw.naive(year)?;
        if let Some(wd) = self.weekday {
            let actual = naive.date().weekday();
            if wd != actual {
                return Err(unparsable(
                    text,
                    format!(
                        "the weekday does not match the date: {} was written, but {} is a {}",
                        weekday_name(wd),
                        naive.date().format("%Y-%m-%d"),
                        weekday_name(actual)
                    ),
                ));
            }
        }
        let precision = match (self.clock, clock.second) {
            (None, _) => Precision::Day,
            (Some(_), None) => Precision::Minute,
            (Some(_), Some(_)) if clock.digits > 0 => Precision::Fraction(clock.digits),
            (Some(_), Some(_)) => Precision::Second,
        };
        let (utc, off, zone, ambiguous, note) = if let Some(stated) = self.stated {
            let secs = stated.secs();
            let fixed = FixedOffset::east_opt(secs)
                .ok_or_else(|| unparsable(text, format!("offset of {secs} s is out of range")))?;
            let utc = naive
                .checked_sub_signed(chrono::Duration::seconds(i64::from(secs)))
                .ok_or_else(|| unparsable(text, "the date is out of range"))?
                .and_utc();
            if let Some(tz) = self.name {
                let in_zone = tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc();
                if in_zone != secs {
                    return Err(unparsable(
                        text,
                        format!(
                            "the offset {} does not agree with {} at that time ({})",
                            fmt_off(secs),
                            tz.name(),
                            fmt_off(in_zone)
                        ),
                    ));
                }
            }
            let zone = match stated {
                Stated::Offset(_) => ZoneFrom::Offset,
                Stated::Abbr(a, _) => ZoneFrom::Abbreviation(a),
            };
            (utc, fixed, zone, false, None)
        } else {
            let (tz, zone) = match (self.name, default_zone) {
                (Some(tz), _) => (tz, ZoneFrom::Name(tz)),
                (None, Some(tz)) => (tz, ZoneFrom::Default(tz)),
                (None, None) => {
                    return Err(unparsable(
                        text,
                        "a zone is needed: expected an offset (+0900), an abbreviation (JST) or a zone name (Asia/Tokyo) in the time, or a default zone (--at-tz), found none",
                    ));
                }
            };
            let (utc, secs, amb, note) = crate::local_to_utc(&tz, &naive)?;
            let fixed = FixedOffset::east_opt(secs)
                .ok_or_else(|| unparsable(text, format!("offset of {secs} s is out of range")))?;
            (utc, fixed, zone, amb, note)
        };
        Ok(HumanTime { utc, offset: off, zone, text: text.to_string(), precision, ambiguous, note })
    }
}

fn fmt_off(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// A hand-written reader over the text: a cursor and one method per component.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    parts: Parts,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader { text, pos: 0, parts: Parts::default() }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn digits(&mut self) -> &'a str {
        self.take_while(|c| c.is_ascii_digit())
    }

    fn letters(&mut self) -> &'a str {
        self.take_while(|c| c.is_ascii_alphabetic())
    }

    /// What is at the cursor, for error messages.
    fn found(&self) -> String {
        let r = self.rest();
        if r.is_empty() {
            return "the end of the text".to_string();
        }
        let s: String = r.chars().take(12).collect();
        if s.len() < r.len() { format!("{s:?}…") } else { format!("{s:?}") }
    }

    fn err(&self, expected: &str) -> TimeError {
        unparsable(self.text, format!("expected {expected}, found {}", self.found()))
    }

    /// Exactly `min..=max` digits as a number.
    fn number(&mut self, min: usize, max: usize, what: &str) -> Result<u32, TimeError> {
        let save = self.pos;
        let d = self.digits();
        if d.len() < min || d.len() > max {
            self.pos = save;
            return Err(self.err(what));
        }
        d.parse().map_err(|_| self.err(what))
    }

    fn read(mut self) -> Result<Parts, TimeError> {
        loop {
            self.skip_ws();
            if self.eat(',') {
                continue;
            }
            let Some(c) = self.peek() else { break };
            match c {
                '(' => self.comment()?,
                '[' => self.bracket_zone()?,
                '+' | '-' | '\u{2212}' => self.offset()?,
                c if c.is_ascii_digit() => self.number_led()?,
                c if c.is_ascii_alphabetic() => self.word_led()?,
                _ => {
                    return Err(self.err("a date, a time or a zone"));
                }
            }
        }
        Ok(self.parts)
    }

    fn set_date(&mut self, year: Option<i32>, month: u32, day: u32) -> Result<(), TimeError> {
        if self.parts.month.is_some() {
            return Err(unparsable(self.text, "two dates in the text"));
        }
        if !(1..=12).contains(&month) {
            return Err(unparsable(self.text, format!("expected a month 1–12, found {month}")));
        }
        if !(1..=31).contains(&day) {
            return Err(unparsable(self.text, format!("expected a day 1–31, found {day}")));
        }
        if let Some(y) = year {
            self.set_year(y)?;
        }
        self.parts.month = Some(month);
        self.parts.day = Some(day);
        Ok(())
    }

    fn set_year(&mut self, y: i32) -> Result<(), TimeError> {
        if self.parts.year.is_some() {
            return Err(unparsable(self.text, "two years in the text"));
        }
        self.parts.year = Some(y);
        Ok(())
    }

    fn set_clock(&mut self, c: Clock) -> Result<(), TimeError> {
        if self.parts.clock.is_some() {
            return Err(unparsable(self.text, "two times of day in the text"));
        }
        if c.hour > 23 {
            return Err(unparsable(self.text, format!("expected an hour 0–23, found {}", c.hour)));
        }
        if c.minute > 59 {
            return Err(unparsable(
                self.text,
                format!("expected minutes 0–59, found {}", c.minute),
            ));
        }
        if c.second.is_some_and(|s| s > 60) {
            return Err(unparsable(
                self.text,
                format!("expected seconds 0–60, found {}", c.second.unwrap_or(0)),
            ));
        }
        self.parts.clock = Some(c);
        Ok(())
    }

    fn set_stated(&mut self, s: Stated) -> Result<(), TimeError> {
        match &self.parts.stated {
            None => {
                self.parts.stated = Some(s);
                Ok(())
            }
            // `-0400 EDT`: two ways of saying the same offset.
            Some(prev) if prev.secs() == s.secs() => {
                if matches!(prev, Stated::Offset(_)) && matches!(s, Stated::Abbr(..)) {
                    self.parts.stated = Some(s);
                }
                Ok(())
            }
            Some(prev) => Err(unparsable(
                self.text,
                format!(
                    "two zones that disagree: {} and {}",
                    fmt_off(prev.secs()),
                    fmt_off(s.secs())
                ),
            )),
        }
    }

    fn set_name(&mut self, tz: Tz) -> Result<(), TimeError> {
        if self.parts.name.is_some_and(|p| p != tz) {
            return Err(unparsable(self.text, "two zone names in the text"));
        }
        self.parts.name = Some(tz);
        Ok(())
    }

    fn set_weekday(&mut self, d: Weekday) -> Result<(), TimeError> {
        if self.parts.weekday.is_some_and(|p| p != d) {
            return Err(unparsable(self.text, "two different weekdays in the text"));
        }
        self.parts.weekday = Some(d);
        Ok(())
    }

    /// `(…)`: an RFC 2822 comment (nested parentheses allowed), ignored unless it is a
    /// Japanese weekday (`(水)`), which is checked like an English one.
    fn comment(&mut self) -> Result<(), TimeError> {
        let start = self.pos;
        let mut depth = 0u32;
        loop {
            match self.bump() {
                Some('(') => depth += 1,
                Some(')') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                Some('\\') => {
                    self.bump();
                }
                Some(_) => {}
                None => {
                    self.pos = start;
                    return Err(self.err("a comment closed by ')'"));
                }
            }
        }
        let inner = self.text.get(start + 1..self.pos - 1).unwrap_or("");
        if let Some(d) = japanese_weekday(inner) {
            self.set_weekday(d)?;
        }
        Ok(())
    }

    /// `[Asia/Tokyo]` (RFC 9557 suffix).
    fn bracket_zone(&mut self) -> Result<(), TimeError> {
        self.bump();
        self.eat('!');
        let name = self.take_while(|c| c != ']');
        if !self.eat(']') {
            return Err(self.err("a zone name closed by ']'"));
        }
        let tz = crate::parse_zone(name.trim())?;
        self.set_name(tz)
    }

    /// `+0900`, `+09:00`, `+09`, `-0400`.
    fn offset(&mut self) -> Result<(), TimeError> {
        let secs = self.offset_value()?;
        self.set_stated(Stated::Offset(secs))
    }

    fn offset_value(&mut self) -> Result<i32, TimeError> {
        let sign = match self.bump() {
            Some('+') => 1,
            _ => -1,
        };
        let save = self.pos;
        let d = self.digits();
        let (h, m) = match d.len() {
            1 | 2 => {
                let h: u32 = d.parse().unwrap_or(99);
                let m = if self.peek() == Some(':')
                    && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
                {
                    self.bump();
                    self.number(2, 2, "two digits of offset minutes (+09:00)")?
                } else {
                    0
                };
                (h, m)
            }
            4 => {
                let v: u32 = d.parse().unwrap_or(9999);
                (v / 100, v % 100)
            }
            _ => {
                self.pos = save;
                return Err(self.err("an offset as +hhmm, +hh:mm or +hh"));
            }
        };
        if h > 23 || m > 59 {
            return Err(unparsable(
                self.text,
                format!(
                    "expected an offset up to ±23:59, found {}{d}",
                    if sign > 0 { '+' } else { '-' }
                ),
            ));
        }
        Ok(sign * (h as i32 * 3600 + m as i32 * 60))
    }

    /// Something that starts with a digit: a date, a time, a year.
    fn number_led(&mut self) -> Result<(), TimeError> {
        let start = self.pos;
        let d = self.digits();
        let next = self.peek();
        match (d.len(), next) {
            // 20020508T132944Z, or 20020508 alone.
            (8, n) if n.is_none_or(|c| c == 'T' || c == 't' || c.is_whitespace() || c == ',') => {
                let v: u32 = d.parse().unwrap_or(0);
                self.set_date(Some((v / 10000) as i32), (v / 100) % 100, v % 100)?;
                if matches!(n, Some('T' | 't')) {
                    self.bump();
                    self.compact_clock()?;
                }
                Ok(())
            }
            (_, Some(':')) => {
                self.pos = start;
                self.clock()
            }
            (_, Some('時')) => {
                self.pos = start;
                self.japanese_clock()
            }
            (4, Some('年')) => {
                let y: i32 = d.parse().unwrap_or(0);
                self.bump();
                self.skip_ws();
                let m = self.number(1, 2, "a month before 月")?;
                self.skip_ws();
                if !self.eat('月') {
                    return Err(self.err("月 after the month"));
                }
                self.skip_ws();
                let day = self.number(1, 2, "a day before 日")?;
                self.skip_ws();
                if !self.eat('日') {
                    return Err(self.err("日 after the day"));
                }
                self.set_date(Some(y), m, day)
            }
            (4, Some(sep @ ('-' | '/' | '.'))) => {
                let y: i32 = d.parse().unwrap_or(0);
                self.bump();
                let m = self.number(1, 2, "a month (2002-05-08)")?;
                if !self.eat(sep) {
                    return Err(self.err(&format!("'{sep}' between month and day")));
                }
                let day = self.number(1, 2, "a day (2002-05-08)")?;
                self.set_date(Some(y), m, day)?;
                // `T` between date and time.
                if matches!(self.peek(), Some('T' | 't'))
                    && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
                {
                    self.bump();
                }
                Ok(())
            }
            // 08/May/2002:13:29:44 (web server logs), 8-May-2002.
            (1 | 2, Some(sep @ ('/' | '-')))
                if self.peek_at(1).is_some_and(|c| c.is_ascii_alphabetic()) =>
            {
                let day: u32 = d.parse().unwrap_or(0);
                self.bump();
                let w = self.letters();
                let Some(m) = month_of(w) else {
                    return Err(unparsable(
                        self.text,
                        format!("expected a month name, found {w:?}"),
                    ));
                };
                if !self.eat(sep) {
                    return Err(self.err(&format!("'{sep}' between month and year")));
                }
                let y = self.number(4, 4, "a four-digit year")?;
                self.set_date(Some(y as i32), m, day)?;
                if self.peek() == Some(':') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
                Ok(())
            }
            (1 | 2, Some('-' | '/' | '.')) => Err(unparsable(
                self.text,
                format!(
                    "a numeric date must be year first (2002-05-08); {} is ambiguous (day/month or month/day)",
                    self.text.get(start..).unwrap_or("").split_whitespace().next().unwrap_or("")
                ),
            )),
            (1 | 2, _) => {
                // `8 May 2002` (RFC 2822), or `8th May`.
                let day: u32 = d.parse().unwrap_or(0);
                self.ordinal_suffix();
                self.skip_ws();
                let save = self.pos;
                let w = self.letters();
                let Some(m) = month_of(w) else {
                    self.pos = save;
                    return Err(
                        self.err("a month name after the day (8 May 2002), or ':' in a time")
                    );
                };
                self.eat('.');
                self.skip_ws();
                self.eat(',');
                self.skip_ws();
                let year = self.year_after_day(true)?;
                self.set_date(year, m, day)
            }
            (4, _) => {
                let y: i32 = d.parse().unwrap_or(0);
                self.set_year(y)
            }
            _ => {
                self.pos = start;
                Err(self.err("a date (2002-05-08), a time (13:29:44) or a year"))
            }
        }
    }

    fn ordinal_suffix(&mut self) {
        let r = self.rest();
        for s in ["st", "nd", "rd", "th"] {
            let Some(head) = r.get(..2) else { return };
            if head.eq_ignore_ascii_case(s)
                && !r.get(2..3).is_some_and(|c| c.chars().all(|c| c.is_ascii_alphabetic()))
            {
                self.pos += 2;
                return;
            }
        }
    }

    /// A year after `8 May` or `May 8,`: a number not followed by ':' (that would be a
    /// time). `rfc2822`: two- and three-digit years as RFC 2822 §4.3 reads them.
    fn year_after_day(&mut self, rfc2822: bool) -> Result<Option<i32>, TimeError> {
        let save = self.pos;
        let d = self.digits();
        if d.is_empty() || matches!(self.peek(), Some(':' | '時')) {
            self.pos = save;
            return Ok(None);
        }
        let v: i32 = match d.len() {
            4 => d.parse().unwrap_or(0),
            2 if rfc2822 => {
                let v: i32 = d.parse().unwrap_or(0);
                if v < 50 { 2000 + v } else { 1900 + v }
            }
            3 if rfc2822 => 1900 + d.parse::<i32>().unwrap_or(0),
            _ => {
                self.pos = save;
                return Err(self.err("a four-digit year"));
            }
        };
        Ok(Some(v))
    }

    /// `13:29`, `13:29:44`, `13:29:44.123`, `1:29:44 PM`.
    fn clock(&mut self) -> Result<(), TimeError> {
        let hour = self.number(1, 2, "an hour (13:29)")?;
        self.eat(':');
        let minute = self.number(2, 2, "two digits of minutes (13:29)")?;
        let mut second = None;
        let (mut nanos, mut digits) = (0, 0);
        if self.peek() == Some(':') {
            self.bump();
            second = Some(self.number(2, 2, "two digits of seconds (13:29:44)")?);
            if matches!(self.peek(), Some('.' | ','))
                && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
            {
                self.bump();
                let f = self.digits();
                if f.len() > 9 {
                    return Err(unparsable(
                        self.text,
                        format!("expected at most 9 sub-second digits, found {}", f.len()),
                    ));
                }
                nanos = frac_nanos(f);
                digits = f.len() as u8;
            }
        }
        let hour = self.meridiem(hour)?;
        self.set_clock(Clock { hour, minute, second, nanos, digits })
    }

    /// `AM`/`PM` (`a.m.`, `pm`) after a time: converts a 12-hour clock.
    fn meridiem(&mut self, hour: u32) -> Result<u32, TimeError> {
        let save = self.pos;
        self.skip_ws();
        let r = self.rest().to_ascii_lowercase();
        let (pm, len) = if r.starts_with("a.m.") || r.starts_with("p.m.") {
            (r.starts_with('p'), 4)
        } else if (r.starts_with("am") || r.starts_with("pm"))
            && !r.get(2..3).is_some_and(|c| c.chars().all(|c| c.is_ascii_alphabetic()))
        {
            (r.starts_with('p'), 2)
        } else {
            self.pos = save;
            return Ok(hour);
        };
        if !(1..=12).contains(&hour) {
            self.pos = save;
            return Err(unparsable(
                self.text,
                format!("expected an hour 1–12 before AM/PM, found {hour}"),
            ));
        }
        self.pos += len;
        Ok(match (pm, hour) {
            (false, 12) => 0,
            (false, h) => h,
            (true, 12) => 12,
            (true, h) => h + 12,
        })
    }

    /// `132944`, `1329`, `132944.5` after the `T` of a compact date.
    fn compact_clock(&mut self) -> Result<(), TimeError> {
        let save = self.pos;
        let d = self.digits();
        let v: u32 = match d.len() {
            4 | 6 => d.parse().unwrap_or(0),
            _ => {
                self.pos = save;
                return Err(self.err("a time as hhmmss or hhmm after 'T' (20020508T132944Z)"));
            }
        };
        let (hour, minute, second) = if d.len() == 6 {
            (v / 10000, (v / 100) % 100, Some(v % 100))
        } else {
            (v / 100, v % 100, None)
        };
        let (mut nanos, mut digits) = (0, 0);
        if second.is_some()
            && matches!(self.peek(), Some('.' | ','))
            && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
        {
            self.bump();
            let f = self.digits();
            if f.len() > 9 {
                return Err(unparsable(self.text, "expected at most 9 sub-second digits"));
            }
            nanos = frac_nanos(f);
            digits = f.len() as u8;
        }
        self.set_clock(Clock { hour, minute, second, nanos, digits })
    }

    /// `13時29分44秒`, `13時29分`.
    fn japanese_clock(&mut self) -> Result<(), TimeError> {
        let hour = self.number(1, 2, "an hour before 時")?;
        self.eat('時');
        self.skip_ws();
        let minute = if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let m = self.number(1, 2, "minutes before 分")?;
            if !self.eat('分') {
                return Err(self.err("分 after the minutes"));
            }
            m
        } else {
            0
        };
        self.skip_ws();
        let mut second = None;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let s = self.number(1, 2, "seconds before 秒")?;
            if !self.eat('秒') {
                return Err(self.err("秒 after the seconds"));
            }
            second = Some(s);
        }
        self.set_clock(Clock { hour, minute, second, nanos: 0, digits: 0 })
    }

    /// Something that starts with a letter: weekday, month, zone, AM/PM out of place.
    fn word_led(&mut self) -> Result<(), TimeError> {
        let start = self.pos;
        let w = self.letters();
        // An IANA name: Asia/Tokyo, America/Argentina/Buenos_Aires, Etc/GMT+9.
        if matches!(self.peek(), Some('/' | '_')) {
            self.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'));
            let name = self.text.get(start..self.pos).unwrap_or("");
            let tz = crate::parse_zone(name)?;
            return self.set_name(tz);
        }
        if let Some(d) = weekday_of(w) {
            self.eat('.');
            return self.set_weekday(d);
        }
        if let Some(m) = month_of(w) {
            // `May 8 2002`, `May 8, 2002`, `May  8` (asctime: the year comes after the time).
            self.eat('.');
            self.skip_ws();
            let day = self.number(1, 2, "a day after the month name (May 8)")?;
            self.ordinal_suffix();
            let save = self.pos;
            self.skip_ws();
            self.eat(',');
            self.skip_ws();
            let year = self.year_after_day(false)?;
            if year.is_none() {
                self.pos = save;
            }
            return self.set_date(year, m, day);
        }
        let up = w.to_ascii_uppercase();
        if up == "AM" || up == "PM" {
            self.pos = start;
            return Err(self.err("a time before AM/PM"));
        }
        // `GMT+0900`, `UTC-4`: an offset written after UTC/GMT (the usual sign, not POSIX's).
        if (up == "GMT" || up == "UTC" || up == "UT")
            && matches!(self.peek(), Some('+' | '-' | '\u{2212}'))
        {
            let secs = self.offset_value()?;
            return self.set_stated(Stated::Offset(secs));
        }
        if up == "Z" && self.parts.clock.is_some() {
            return self.set_stated(Stated::Offset(0));
        }
        if up == "T" && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Ok(());
        }
        match abbreviation_offset(w) {
            Ok(secs) => self.set_stated(Stated::Abbr(up, secs)),
            Err(TimeError::UnknownZone(_)) => {
                // A single-word IANA name (`UTC`, `Japan`, `Singapore`).
                if let Ok(tz) = w.parse::<Tz>() {
                    return self.set_name(tz);
                }
                self.pos = start;
                Err(self.err("a month, a weekday, AM/PM, or a zone (JST, +0900, Asia/Tokyo)"))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Europe};

    const EDT_UTC: &str = "2002-05-08T17:29:44Z";
    const JST_UTC: &str = "2002-05-08T04:29:44Z";

    /// (text, default zone, expected UTC instant, zone source, precision). Expected
    /// instants were checked with GNU `date -u -d` and Python's email.utils / zoneinfo.
    #[test]
    fn forms() {
        use Precision::*;
        let cases: &[(&str, Option<Tz>, &str, &str, Precision)] = &[
            // RFC 2822
            ("Wed, 8 May 2002 13:29:44 -0400", None, EDT_UTC, "offset", Second),
            ("8 May 2002 13:29:44 -0400", None, EDT_UTC, "offset", Second),
            ("Wed, 08 May 2002 13:29:44 -0400 (EDT)", None, EDT_UTC, "offset", Second),
            (
                "Wed,  8 May 2002 13:29:44 -0400 (Eastern (Daylight) Time)",
                None,
                EDT_UTC,
                "offset",
                Second,
            ),
            ("Wed, 8 May 2002 13:29:44 EDT", None, EDT_UTC, "abbreviation", Second),
            ("Wed, 8 May 02 13:29:44 -0400", None, EDT_UTC, "offset", Second),
            ("Sat, 8 May 99 13:29:44 UT", None, "1999-05-08T13:29:44Z", "abbreviation", Second),
            ("8 May 102 13:29:44 GMT", None, "2002-05-08T13:29:44Z", "abbreviation", Second),
            ("8 May 02 13:29 EDT", None, "2002-05-08T17:29:00Z", "abbreviation", Minute),
            ("Wed, 8 May 2002 13:29:44 GMT", None, "2002-05-08T13:29:44Z", "abbreviation", Second),
            ("Fri, 1 Jan 1999 00:00:00 +1300", None, "1998-12-31T11:00:00Z", "offset", Second),
            ("Wed, 8 May 2002 13:29:44 -0400 EDT", None, EDT_UTC, "abbreviation", Second),
            // RFC 3339 / ISO 8601
            ("2002-05-08T13:29:44-04:00", None, EDT_UTC, "offset", Second),
            ("2002-05-08T17:29:44Z", None, EDT_UTC, "offset", Second),
            ("2002-05-08t17:29:44z", None, EDT_UTC, "offset", Second),
            (
                "2002-05-08T13:29:44.25+09:00",
                None,
                "2002-05-08T04:29:44.250Z",
                "offset",
                Fraction(2),
            ),
            (
                "2002-05-08 13:29:44,123456789+09:00",
                None,
                "2002-05-08T04:29:44.123456789Z",
                "offset",
                Fraction(9),
            ),
            ("2002-05-08 13:29:44 EDT", None, EDT_UTC, "abbreviation", Second),
            ("2002-05-08 13:29 +0900", None, "2002-05-08T04:29:00Z", "offset", Minute),
            ("2002-05-08 13:29:44 +09", None, JST_UTC, "offset", Second),
            ("2002-05-08 13:29:44 +0530", None, "2002-05-08T07:59:44Z", "offset", Second),
            ("20020508T132944Z", None, "2002-05-08T13:29:44Z", "offset", Second),
            ("20020508T132944+0900", None, JST_UTC, "offset", Second),
            ("20020508T1329 JST", None, "2002-05-08T04:29:00Z", "abbreviation", Minute),
            ("2002-05-08T13:29:44+09:00[Asia/Tokyo]", None, JST_UTC, "offset", Second),
            ("2002-05-08 13:29:44 \u{2212}04:00", None, EDT_UTC, "offset", Second),
            // Other orders
            ("2002/05/08 13:29:44 JST", None, JST_UTC, "abbreviation", Second),
            ("2002.05.08 13:29:44 JST", None, JST_UTC, "abbreviation", Second),
            ("8 May 2002 13:29:44 JST", None, JST_UTC, "abbreviation", Second),
            ("May 8 2002 13:29:44 JST", None, JST_UTC, "abbreviation", Second),
            ("May 8, 2002 1:29:44 PM EDT", None, EDT_UTC, "abbreviation", Second),
            ("May 8th, 2002 1:29:44 p.m. EDT", None, EDT_UTC, "abbreviation", Second),
            ("Wednesday, May 8, 2002 1:29:44pm EDT", None, EDT_UTC, "abbreviation", Second),
            ("12:05 AM May 8 2002 PDT", None, "2002-05-08T07:05:00Z", "abbreviation", Minute),
            ("May 8 2002 12:05 PM PDT", None, "2002-05-08T19:05:00Z", "abbreviation", Minute),
            ("13:29:44 JST 2002-05-08", None, JST_UTC, "abbreviation", Second),
            ("08/May/2002:13:29:44 +0900", None, JST_UTC, "offset", Second),
            ("8-May-2002 13:29:44 jst", None, JST_UTC, "abbreviation", Second),
            (
                "Wed May 08 2002 13:29:44 GMT+0900 (Japan Standard Time)",
                None,
                JST_UTC,
                "offset",
                Second,
            ),
            // asctime / ctime: the zone comes from the default
            ("Wed May  8 13:29:44 2002", Some(Asia::Tokyo), JST_UTC, "default", Second),
            ("Wed May  8 13:29:44 2002", Some(America::New_York), EDT_UTC, "default", Second),
            ("Wed May  8 13:29:44 EDT 2002", None, EDT_UTC, "abbreviation", Second),
            // IANA names in the text
            ("2002-05-08 13:29:44 Asia/Tokyo", None, JST_UTC, "name", Second),
            ("2002-05-08 13:29:44 America/New_York", Some(Asia::Tokyo), EDT_UTC, "name", Second),
            (
                "2002-05-08 13:29:44 America/Argentina/Buenos_Aires",
                None,
                "2002-05-08T16:29:44Z",
                "name",
                Second,
            ),
            ("2002-05-08 13:29:44 Etc/GMT-9", None, JST_UTC, "name", Second),
            ("2002-05-08 13:29:44 Japan", None, JST_UTC, "name", Second),
            // bare local times
            ("2002-05-08 13:29:44", Some(Asia::Tokyo), JST_UTC, "default", Second),
            ("2002-05-08", Some(Asia::Tokyo), "2002-05-07T15:00:00Z", "default", Day),
            ("2002-05-08 13:29:44 JST", Some(America::New_York), JST_UTC, "abbreviation", Second),
            // Unix epoch
            ("@1020878984", None, EDT_UTC, "epoch", Second),
            ("  @1020878984.5 ", None, "2002-05-08T17:29:44.500Z", "epoch", Fraction(1)),
            ("@0", None, "1970-01-01T00:00:00Z", "epoch", Second),
            ("@-1.5", None, "1969-12-31T23:59:58.500Z", "epoch", Fraction(1)),
            // Japanese
            ("2002年5月8日 13時29分44秒 JST", None, JST_UTC, "abbreviation", Second),
            ("2002年5月8日(水) 13:29:44 +0900", None, JST_UTC, "offset", Second),
            (
                "2002年05月08日 13時29分",
                Some(Asia::Tokyo),
                "2002-05-08T04:29:00Z",
                "default",
                Minute,
            ),
            // leap second: kept as :59 + 1 s, which chrono prints as :60
            ("2016-12-31T23:59:60Z", None, "2016-12-31T23:59:60Z", "offset", Second),
        ];
        for (text, dz, want, zf, prec) in cases {
            let h = parse_human(text, *dz).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(h.to_rfc3339(), *want, "{text:?}");
            assert_eq!(h.zone.as_str(), *zf, "{text:?}");
            assert_eq!(h.precision, *prec, "{text:?}");
            assert_eq!(h.text, *text);
        }
    }

    #[test]
    fn offsets_and_zones_are_reported() {
        let h = parse_human("Wed, 8 May 2002 13:29:44 -0400 (EDT)", None).unwrap();
        assert_eq!(h.offset.local_minus_utc(), -4 * 3600);
        assert_eq!(h.local().to_rfc3339(), "2002-05-08T13:29:44-04:00");
        let h = parse_human("2002-05-08 13:29:44 jst", None).unwrap();
        assert_eq!(h.zone, ZoneFrom::Abbreviation("JST".into()));
        assert_eq!(h.offset.local_minus_utc(), 9 * 3600);
        let h = parse_human("2002-05-08 13:29:44 Asia/Tokyo", None).unwrap();
        assert_eq!(h.zone, ZoneFrom::Name(Asia::Tokyo));
        let h = parse_human("2002-05-08 13:29:44", Some(Europe::London)).unwrap();
        assert_eq!(h.zone, ZoneFrom::Default(Europe::London));
        assert_eq!(h.offset.local_minus_utc(), 3600);
        assert_eq!(h.to_rfc3339(), "2002-05-08T12:29:44Z");
        assert!(!h.ambiguous);
        assert_eq!(h.note, None);
    }

    /// DST folds and gaps of named zones go through `local_to_utc`. Expected instants:
    /// Python zoneinfo with fold=0 (the earlier instant in a fold, the offset before the
    /// change in a gap).
    #[test]
    fn dst_in_named_zones() {
        let h = parse_human("2024-11-03 01:30:00 America/New_York", None).unwrap();
        assert_eq!(h.to_rfc3339(), "2024-11-03T05:30:00Z");
        assert!(h.ambiguous);
        assert!(h.note.as_deref().unwrap().contains("fold"));
        let h = parse_human("2024-03-10 02:30", Some(America::New_York)).unwrap();
        assert_eq!(h.to_rfc3339(), "2024-03-10T07:30:00Z");
        assert!(h.ambiguous);
        assert!(h.note.as_deref().unwrap().contains("gap"));
        assert_eq!(h.offset.local_minus_utc(), -5 * 3600);
        let h = parse_human("2024-04-07 01:45 Australia/Lord_Howe", None).unwrap();
        assert_eq!(h.to_rfc3339(), "2024-04-06T14:45:00Z");
        assert!(h.ambiguous);
        // A stated offset is never ambiguous.
        let h = parse_human("2024-11-03 01:30:00 -0500", None).unwrap();
        assert_eq!(h.to_rfc3339(), "2024-11-03T06:30:00Z");
        assert!(!h.ambiguous);
    }

    #[test]
    fn refusals() {
        // (text, default zone, words the error must contain)
        let cases: &[(&str, Option<Tz>, &[&str])] = &[
            ("2002-05-08 13:29:44 IST", None, &["IST is ambiguous", "+0530", "Asia/Kolkata"]),
            ("2002-05-08 13:29:44 ist", Some(Asia::Tokyo), &["IST is ambiguous"]),
            (
                "Thu, 8 May 2002 13:29:44 -0400",
                None,
                &["weekday", "Thursday", "2002-05-08 is a Wednesday"],
            ),
            ("2002年5月8日(木) 13:29:44 JST", None, &["weekday", "Wednesday"]),
            ("Wed May  8 13:29:44 2002", None, &["a zone is needed", "--at-tz"]),
            ("2002-05-08 13:29:44", None, &["a zone is needed"]),
            ("13:29:44 JST", None, &["expected a date"]),
            ("May 8 13:29:44 JST", None, &["no year"]),
            ("08/05/2002 13:29 JST", None, &["year first", "ambiguous"]),
            ("5/8/2002 13:29 JST", None, &["year first"]),
            ("2002-02-30 13:29 JST", None, &["2002-02-30 is not a date"]),
            ("2003-02-29 00:00 UTC", None, &["2003-02-29 is not a date"]),
            ("2002-13-08 13:29 JST", None, &["month 1–12", "13"]),
            ("2002-05-08 24:00 JST", None, &["hour 0–23", "24"]),
            ("2002-05-08 13:60 JST", None, &["minutes 0–59", "60"]),
            ("2002-05-08 13:29:61 JST", None, &["seconds 0–60", "61"]),
            ("2002-05-08 13:29 +2500", None, &["offset up to ±23:59"]),
            ("2002-05-08 13:29 +123", None, &["expected an offset"]),
            (
                "2002-05-08 13:29 XYZ",
                None,
                &["expected a month, a weekday, AM/PM, or a zone", "XYZ"],
            ),
            ("2002-05-08 13:29 Mars/Olympus", None, &["Mars/Olympus"]),
            ("2002-05-08 13:29 JST +0100", None, &["disagree", "+09:00", "+01:00"]),
            ("2002-05-08T13:29:44+08:00[Asia/Tokyo]", None, &["does not agree", "Asia/Tokyo"]),
            ("2002-05-08 2002-05-09 JST", None, &["two dates"]),
            ("2002-05-08 13:29 14:00 JST", None, &["two times"]),
            ("May 8 2002 13:29 PM EDT", None, &["hour 1–12"]),
            ("May 8 2002 PM EDT", None, &["a time before AM/PM"]),
            ("Wed, 8 May 2002 13:29:44 -0400 (EDT", None, &["comment closed by ')'"]),
            ("2002-05-08 13:29:44.1234567890Z", None, &["at most 9 sub-second digits"]),
            ("@", None, &["epoch"]),
            ("@12x", None, &["epoch"]),
            ("@99999999999999999999", None, &["epoch"]),
            ("", None, &["expected a date"]),
            ("   ", Some(Asia::Tokyo), &["expected a date"]),
            ("yesterday", Some(Asia::Tokyo), &["yesterday"]),
            (
                "2002-05-08 13:29:44 JST; rm -rf /",
                None,
                &["expected a date, a time or a zone", ";"],
            ),
            ("8 Mayo 2002", Some(Asia::Tokyo), &["month name"]),
            ("20020508T13Z", None, &["hhmmss"]),
            ("123456 JST", None, &["a date (2002-05-08)"]),
        ];
        for (text, dz, words) in cases {
            let e = parse_human(text, *dz).expect_err(text).to_string();
            for w in *words {
                assert!(e.contains(w), "{text:?}: error {e:?} lacks {w:?}");
            }
        }
    }

    /// Garbage never panics: every prefix and suffix of the valid forms (cut at each
    /// character boundary), odd inputs, and every byte value after a valid time.
    #[test]
    fn garbage_never_panics() {
        let seeds = [
            "Wed, 8 May 2002 13:29:44 -0400 (EDT)",
            "2002年5月8日(水) 13時29分44秒 JST",
            "2002-05-08T13:29:44.123+09:00[Asia/Tokyo]",
            "08/May/2002:13:29:44 +0900",
            "May 8th, 2002 1:29:44 p.m. EDT",
            "@1020878984.5",
            "20020508T132944Z",
        ];
        let odd = [
            "((((",
            ")",
            "[",
            "[]",
            "@@",
            "+",
            "-",
            "+:",
            "9999999999999999999999:00",
            "::::",
            "T",
            "TT",
            "\u{0}",
            "年月日",
            "時分秒",
            "2002年",
            "2002年5月",
            "ﾃｽﾄ",
            "Z Z Z",
            "am pm",
            "0000-00-00 00:00 UTC",
            "9999-12-31 23:59:59 -2359",
            "0001-01-01 00:00 +2359",
            "262143-01-01 00:00 UTC",
            "1 Jan 99999 00:00 UTC",
            "Feb 29 2004 00:00 UTC",
            "(\\",
            "8 May 2002 13:29:44 (\\)",
        ];
        for s in seeds {
            for (i, _) in s.char_indices() {
                let _ = parse_human(s.get(..i).unwrap(), Some(Asia::Tokyo));
                let _ = parse_human(s.get(i..).unwrap(), None);
            }
        }
        for s in odd {
            let _ = parse_human(s, Some(Asia::Tokyo));
            let _ = parse_human(s, None);
        }
        for b in 0u8..=255 {
            let c = char::from(b);
            let _ = parse_human(&c.to_string(), None);
            let _ = parse_human(&format!("2002-05-08 13:29:44{c}"), Some(Asia::Tokyo));
        }
    }

    /// Examples quoted in docs/time.md.
    #[test]
    fn doc_examples() {
        let t = |s: &str| parse_human(s, None).unwrap().to_rfc3339();
        assert_eq!(t("May 8th, 2002 1:29 p.m. EDT"), "2002-05-08T17:29:00Z");
        assert_eq!(t("2002-05-08 13:29 UTC-4"), "2002-05-08T17:29:00Z");
        assert_eq!(t("2002-05-08 13:29 Singapore"), "2002-05-08T05:29:00Z");
        assert_eq!(t("2002-05-08 12:05 AM GMT"), "2002-05-08T00:05:00Z");
        assert_eq!(
            parse_human("2002-05-08 13:29 XYZ", None).unwrap_err().to_string(),
            "cannot read \"2002-05-08 13:29 XYZ\" as a time: expected a month, a weekday, AM/PM, or a zone (JST, +0900, Asia/Tokyo), found \"XYZ\""
        );
        assert_eq!(
            parse_human("Thu, 8 May 2002 13:29:44 -0400", None).unwrap_err().to_string(),
            "cannot read \"Thu, 8 May 2002 13:29:44 -0400\" as a time: the weekday does not match the date: Thursday was written, but 2002-05-08 is a Wednesday"
        );
        assert_eq!(
            parse_human("2002-05-08 13:29 IST", None).unwrap_err().to_string(),
            REFUSED[0].1
        );
    }

    #[test]
    fn abbreviations_and_hints() {
        assert_eq!(abbreviation_offset("jst").unwrap(), 9 * 3600);
        assert_eq!(abbreviation_offset("EDT").unwrap(), -4 * 3600);
        assert!(matches!(abbreviation_offset("IST"), Err(TimeError::AmbiguousAbbreviation(_))));
        assert!(matches!(abbreviation_offset("XYZ"), Err(TimeError::UnknownZone(_))));
        assert_eq!(zone_from_hint("JST").unwrap().name(), "Etc/GMT-9");
        assert_eq!(zone_from_hint("EST").unwrap().name(), "Etc/GMT+5");
        assert_eq!(zone_from_hint("UTC").unwrap().name(), "UTC");
        assert_eq!(zone_from_hint("Asia/Tokyo").unwrap(), Asia::Tokyo);
    }
}
