//! Rotation chains: `messages`, `messages.1`, `messages.2.gz`, `messages-20240101`, `.bz2`, `.xz`, `.zst`
//! grouped into one logical log, newest member first.
//!
//! The year of yearless records is anchored on the newest member (its mtime, or `--year`) and
//! carried backwards: an older member's last record was written no later than the first record
//! of the member after it ([`crate::YearAnchor::Rotation`]). This holds when mtimes were lost in
//! copying, and catches a year boundary between members.

use std::collections::BTreeMap;

use crate::Input;
use crate::source::strip_compression_suffix;

/// How old a member is within its chain: 0 for the live file; `.N` → N; `-YYYYMMDD` → older the
/// earlier the date (ranked after every numbered member, newest date first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Age {
    /// The live file.
    Live,
    /// `name-YYYYMMDD` (dateext): the date, inverted so that newer sorts first.
    Dated(std::cmp::Reverse<u32>),
    /// `name.N`.
    Numbered(u32),
}

/// (chain name, age) of a file name: `messages.2.gz` → (`messages`, Numbered(2)).
pub fn member(file_name: &str) -> (String, Age) {
    let name = strip_compression_suffix(file_name);
    if let Some((base, n)) = name.rsplit_once('.') {
        if !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(v) = n.parse() {
                return (base.to_string(), Age::Numbered(v));
            }
        }
    }
    if let Some((base, d)) = name.rsplit_once('-') {
        let digits: String = d.chars().filter(char::is_ascii_digit).collect();
        if (d.len() == 8 || d.len() == 10)
            && digits.len() == 8
            && d.bytes().all(|b| b.is_ascii_digit())
        {
            if let Ok(v) = digits.parse() {
                return (base.to_string(), Age::Dated(std::cmp::Reverse(v)));
            }
        }
    }
    (name.to_string(), Age::Live)
}

/// Groups inputs into chains (same directory, same chain name); each chain newest first.
/// Chains are returned in the order of their first appearance (inputs are sorted by path).
pub fn chains(inputs: Vec<Input>) -> Vec<Vec<Input>> {
    let mut groups: BTreeMap<(String, String), Vec<(Age, Input)>> = BTreeMap::new();
    let mut order: Vec<(String, String)> = vec![];
    for i in inputs {
        let (dir, file) = match i.display.rsplit_once('/') {
            Some((d, f)) => (d.to_string(), f.to_string()),
            None => (String::new(), i.display.clone()),
        };
        let (chain, age) = member(&file);
        let key = (dir, chain);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push((age, i));
    }
    let mut out = vec![];
    for key in order {
        if let Some(mut members) = groups.remove(&key) {
            // Dated members are older than the live file but their order against numbered
            // ones is unknown; numbered and dated chains rarely mix.
            members.sort_by(|a, b| {
                rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.1.display.cmp(&b.1.display))
            });
            out.push(members.into_iter().map(|(_, i)| i).collect());
        }
    }
    out
}

fn rank(a: &Age) -> (u8, u32) {
    match a {
        Age::Live => (0, 0),
        Age::Numbered(n) => (1, *n),
        Age::Dated(std::cmp::Reverse(d)) => (2, u32::MAX - d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inp(p: &str) -> Input {
        Input { path: p.into(), display: p.into() }
    }

    #[test]
    fn members() {
        assert_eq!(member("messages"), ("messages".into(), Age::Live));
        assert_eq!(member("messages.1"), ("messages".into(), Age::Numbered(1)));
        assert_eq!(member("messages.12.gz"), ("messages".into(), Age::Numbered(12)));
        assert_eq!(
            member("messages-20240101"),
            ("messages".into(), Age::Dated(std::cmp::Reverse(20240101)))
        );
        assert_eq!(
            member("secure-20240107.xz"),
            ("secure".into(), Age::Dated(std::cmp::Reverse(20240107)))
        );
        assert_eq!(member("auth.log"), ("auth.log".into(), Age::Live));
        assert_eq!(member("auth.log.2.zst"), ("auth.log".into(), Age::Numbered(2)));
        assert_eq!(member("pacct.0"), ("pacct".into(), Age::Numbered(0)));
    }

    #[test]
    fn chain_order() {
        let c = chains(vec![
            inp("var/log/auth.log"),
            inp("var/log/auth.log.1"),
            inp("var/log/auth.log.10.gz"),
            inp("var/log/auth.log.2.gz"),
            inp("var/log/syslog"),
            inp("x/messages-20240101"),
            inp("x/messages"),
            inp("x/messages-20240108"),
        ]);
        let names: Vec<Vec<&str>> =
            c.iter().map(|ch| ch.iter().map(|i| i.display.as_str()).collect()).collect();
        assert_eq!(
            names,
            vec![
                vec![
                    "var/log/auth.log",
                    "var/log/auth.log.1",
                    "var/log/auth.log.2.gz",
                    "var/log/auth.log.10.gz"
                ],
                vec!["var/log/syslog"],
                vec!["x/messages", "x/messages-20240108", "x/messages-20240101"],
            ]
        );
    }
}
