//! RFC 3339 text without `format!` or strftime: the hot path of every event writes two or three
//! of these (`@timestamp`, `jikoku.time.local`, `process.start`/`end`).
//!
//! The output is byte-identical to chrono's `to_rfc3339_opts` / `%Y-%m-%dT%H:%M:%S` for years
//! 0–9999 and ordinary (non-leap) seconds; callers fall back to chrono outside that range
//! ([`write_datetime`] returns false).

use chrono::{Datelike, NaiveDateTime, Timelike};

/// Appends `n` as exactly two digits (`n` < 100).
fn push2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends `YYYY-MM-DDTHH:MM:SS` and, when `digits` > 0, a fraction of `digits` digits
/// (truncated, as chrono does). Returns false (and appends nothing) for a year outside 0–9999
/// or a leap second, which the caller formats with chrono.
pub fn write_datetime(out: &mut String, t: &NaiveDateTime, digits: u8) -> bool {
    let year = t.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return false;
    }
    let y = year.unsigned_abs();
    push2(out, y / 100);
    push2(out, y % 100);
    out.push('-');
    push2(out, t.month());
    out.push('-');
    push2(out, t.day());
    out.push('T');
    push2(out, t.hour());
    out.push(':');
    push2(out, t.minute());
    out.push(':');
    push2(out, t.second());
    if digits > 0 {
        out.push('.');
        let mut div = 100_000_000u32;
        for _ in 0..digits.min(9) {
            out.push(char::from(b'0' + (nanos / div % 10) as u8));
            div /= 10;
        }
    }
    true
}

/// Appends an offset as `+HH:MM` / `-HH:MM` (seconds east of UTC; seconds of a minute dropped).
pub fn write_offset(out: &mut String, secs: i32) {
    out.push(if secs < 0 { '-' } else { '+' });
    let a = secs.unsigned_abs();
    let h = a / 3600;
    if h >= 100 {
        out.push_str(&h.to_string());
    } else {
        push2(out, h);
    }
    out.push(':');
    push2(out, (a % 3600) / 60);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::string_slice, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use chrono::{DateTime, SecondsFormat};

    #[test]
    fn matches_chrono() {
        for (s, n) in [
            ("2025-03-09T07:00:00Z", 0),
            ("0999-01-02T03:04:05.123456789Z", 9),
            ("2025-12-31T23:59:59.000100Z", 6),
            ("2025-12-31T23:59:59.5Z", 3),
            ("2025-12-31T23:59:59.5Z", 1),
        ] {
            let d = DateTime::parse_from_rfc3339(s).unwrap().naive_utc();
            let mut out = String::new();
            assert!(write_datetime(&mut out, &d, n));
            let want = d.format("%Y-%m-%dT%H:%M:%S").to_string();
            let frac = format!("{:09}", d.and_utc().timestamp_subsec_nanos());
            let want = if n > 0 { format!("{want}.{}", &frac[..n as usize]) } else { want };
            assert_eq!(out, want);
            let fmt = match n {
                0 => SecondsFormat::Secs,
                1..=3 => SecondsFormat::Millis,
                4..=6 => SecondsFormat::Micros,
                _ => SecondsFormat::Nanos,
            };
            let want_digits = match n {
                0 => 0,
                1..=3 => 3,
                4..=6 => 6,
                _ => 9,
            };
            let mut z = String::new();
            assert!(write_datetime(&mut z, &d, want_digits));
            z.push('Z');
            assert_eq!(z, d.and_utc().to_rfc3339_opts(fmt, true));
        }
        let mut o = String::new();
        write_offset(&mut o, -(4 * 3600 + 30 * 60));
        write_offset(&mut o, 9 * 3600);
        write_offset(&mut o, 0);
        assert_eq!(o, "-04:30+09:00+00:00");
    }
}
