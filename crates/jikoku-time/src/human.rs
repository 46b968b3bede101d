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

use chrono_tz::Tz;

use crate::TimeError;

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
