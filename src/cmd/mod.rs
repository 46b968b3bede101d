//! Subcommand wiring.

mod at;
mod index;
mod parse;
mod skew;
mod stats;

use std::process::ExitCode;

use crate::args::{Cli, Command, SourceArgs};

/// An error the user can fix (bad option, unreadable path): exit status 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Ingest(a) => index::ingest(a),
        Command::Search(a) => index::search(a),
        Command::Sources(a) => index::sources(a),
        Command::Skew(a) => skew::run(a),
        Command::At(a) => at::run(a),
        Command::Timeline(a) => index::timeline(a),
        Command::Stats(a) => stats::run(a),
        Command::Formats => {
            for p in jikoku_formats::registry::parsers() {
                let aliases = p.aliases().join(", ");
                println!(
                    "{:<14} {}{}",
                    p.name(),
                    p.description(),
                    if aliases.is_empty() { String::new() } else { format!(" (also: {aliases})") }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `64G`, `500M`, `1024K`, `123` (bytes).
fn parse_size(s: &str) -> anyhow::Result<u64> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('K' | 'k') => (t.get(..t.len() - 1).unwrap_or(""), 1u64 << 10),
        Some('M' | 'm') => (t.get(..t.len() - 1).unwrap_or(""), 1 << 20),
        Some('G' | 'g') => (t.get(..t.len() - 1).unwrap_or(""), 1 << 30),
        Some('T' | 't') => (t.get(..t.len() - 1).unwrap_or(""), 1 << 40),
        _ => (t, 1),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| UserError(format!("--max-decompressed: {s:?} is not a size (64G, 500M)")))?;
    Ok(n.saturating_mul(mult))
}

/// Source options → ingest options.
#[allow(clippy::needless_update)]
pub fn source_options(a: &SourceArgs) -> anyhow::Result<jikoku_ingest::Options> {
    let mut tz = None;
    let mut tz_by_host = vec![];
    for z in &a.tz {
        let zone_of =
            |name: &str| jikoku_time::parse_zone(name).map_err(|e| UserError(format!("--tz: {e}")));
        match z.split_once('=') {
            Some((host, name)) => tz_by_host.push((host.to_string(), zone_of(name)?)),
            None => tz = Some(zone_of(z)?),
        }
    }
    let mut skews = vec![];
    for s in &a.skew {
        let (host, dur) = match s.split_once('=') {
            Some((h, d)) => (Some(h.to_string()), d),
            None => (None, s.as_str()),
        };
        let secs =
            jikoku_time::parse_duration_secs(dur).map_err(|e| UserError(format!("--skew: {e}")))?;
        skews.push((host, secs));
    }
    if let Some(f) = Some(a.format.as_str()).filter(|f| *f != "auto") {
        if jikoku_formats::registry::find(f).is_none() {
            return Err(UserError(format!(
                "--format: unknown format {f:?}; known: auto, {}",
                jikoku_formats::registry::names().join(", ")
            ))
            .into());
        }
    }
    let read = |p: &std::path::PathBuf, what: &str| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| UserError(format!("--{what} {}: {e}", p.display())))
    };
    let id_names = match (&a.passwd, &a.group) {
        (None, None) => None,
        (p, g) => {
            let mut names = jikoku_formats::acct::IdNames::from_passwd(&match p {
                Some(p) => read(p, "passwd")?,
                None => String::new(),
            });
            if let Some(g) = g {
                names = names.with_group(&read(g, "group")?);
            }
            Some(std::sync::Arc::new(names))
        }
    };
    Ok(jikoku_ingest::Options {
        format: Some(a.format.clone()),
        tz,
        tz_by_host,
        year_anchor: None,
        limits: jikoku_ingest::Limits {
            max_ratio: a.max_ratio,
            max_bytes: parse_size(&a.max_decompressed)?,
            ..Default::default()
        },
        tz_source: tz.map(|_| jikoku_time::ZoneSource::Option),
        year: a.year,
        host: a.host.clone(),
        skews,
        hints: Default::default(),
        parse: jikoku_formats::ParseOptions {
            http_format: a.http_format.clone(),
            id_names,
            ..Default::default()
        },
    })
}
