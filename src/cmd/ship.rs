//! `jikoku ship`: events into a ClickHouse cluster, exactly once per source.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use jikoku_clickhouse::ship::{Known, Options, Progress, Shipper, SourceRecord, Totals};
use jikoku_clickhouse::table::{Layout, RowKey, ddl, row};
use jikoku_clickhouse::{Client, Error};
use jikoku_core::Event;
use jikoku_index::{CaseIndex, ManifestEntry};
use jikoku_ingest::SourceReport;
use jikoku_ingest::batch::Consumer;

use super::index::{discover, entry, safe};
use super::{UserError, source_options};
use crate::args::ShipArgs;

fn user(e: Error) -> anyhow::Error {
    match e {
        Error::Answer(_) => e.into(),
        other => UserError(other.to_string()).into(),
    }
}

/// `18.16.1` → (18, 16).
fn version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut it = v.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

fn shipper_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

pub fn run(a: ShipArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&a.clickhouse).map_err(user)?;
    let layout = match &a.cluster {
        Some(c) => Layout::Cluster(c.clone()),
        None => Layout::Single,
    };
    if a.print_ddl {
        let (local, dist) = ddl(&a.table, &layout, false);
        for s in local.iter().chain(&dist) {
            println!("{s};\n");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let version = client.version().map_err(user)?;
    let mut err = std::io::stderr().lock();
    if a.create {
        let (local, dist) = ddl(&a.table, &layout, version_at_least(&version, 19, 1));
        let mut shards = vec![];
        for u in &a.shard {
            shards.push(Client::new(u).map_err(user)?);
        }
        if shards.is_empty() {
            shards.push(client.clone());
        }
        for s in &shards {
            for stmt in &local {
                s.query(stmt).map_err(user)?;
            }
        }
        let mut servers = shards.clone();
        if !a.shard.iter().any(|u| u.trim_end_matches('/') == client.url()) {
            servers.push(client.clone());
        }
        for s in &servers {
            for stmt in &dist {
                s.query(stmt).map_err(user)?;
            }
        }
        let _ = writeln!(err, "tables ready: {} and {}_sources", a.table, a.table);
    }
    let known = jikoku_clickhouse::ship::known_sources(&client, &a.table).map_err(|e| match e {
        Error::Server { code: Some(60), .. } => UserError(format!(
            "{}: table {}_sources does not exist there; create the tables with --create (docs/SCALE.md shows the DDL)",
            client.url(),
            a.table
        ))
        .into(),
        other => user(other),
    })?;
    let opts = Options {
        table: a.table.clone(),
        batch_rows: a.batch_rows.max(1),
        attempts: a.attempts.max(1),
        shipper: shipper_name(),
        ..Options::default()
    };
    let shipper = Shipper::new(client.clone(), opts);
    let started = Instant::now();
    let (result, mut lines, skipped, added) = match &a.index {
        Some(dir) => ship_index(dir, &known, shipper)?,
        None => ship_paths(&a, &known, shipper, &mut err)?,
    };
    let secs = started.elapsed().as_secs_f64().max(0.001);
    let totals = match result {
        Ok(t) => t,
        Err((e, t)) => {
            for l in &lines {
                let _ = writeln!(err, "{l}");
            }
            let _ = writeln!(
                err,
                "shipped before the failure: {} rows in {} batches, {} sources recorded",
                t.rows, t.batches, t.sources
            );
            return Err(UserError(e.to_string()).into());
        }
    };
    lines.push(format!(
        "{added} sources shipped ({} rows, {:.1} MB of JSON, {} batches, {} retries) to {} in {secs:.1} s: {:.0} events/s; {skipped} already shipped or duplicates",
        totals.rows,
        totals.bytes as f64 / 1e6,
        totals.batches,
        totals.retries,
        client.url(),
        totals.rows as f64 / secs
    ));
    for l in &lines {
        let _ = writeln!(err, "{l}");
    }
    Ok(ExitCode::SUCCESS)
}

type Outcome = (std::result::Result<Totals, (Error, Totals)>, Vec<String>, u64, u64);

fn bar(total: u64, bytes: bool) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    let t = if bytes {
        "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {msg}"
    } else {
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} events read {msg}"
    };
    pb.set_style(
        indicatif::ProgressStyle::with_template(t)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb
}

fn message(progress: &Progress, started: Instant) -> String {
    let rows = progress.rows.load(Ordering::Relaxed);
    let retries = progress.retries.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "{rows} rows stored, {:.0} rows/s{}",
        rows as f64 / secs,
        if retries > 0 { format!(", {retries} retries") } else { String::new() }
    )
}

fn record_of(m: &ManifestEntry) -> SourceRecord {
    SourceRecord {
        sha256: m.sha256.clone(),
        content_sha256: m.content_sha256.clone(),
        number: m.number,
        path: m.path.clone(),
        format: m.format.clone(),
        records: m.records,
        events: m.events,
        errors: m.errors,
        duplicate_of: m.duplicate_of.clone().unwrap_or_default(),
        manifest: serde_json::to_string(m).unwrap_or_default(),
    }
}

/// The events of a local index, with the index's source numbers.
fn ship_index(
    dir: &std::path::Path,
    known: &[Known],
    mut shipper: Shipper,
) -> anyhow::Result<Outcome> {
    let index = CaseIndex::open(dir).map_err(|e| UserError(e.to_string()))?;
    let manifest = index.manifest()?;
    let known_sha: HashSet<&str> =
        known.iter().filter(|k| k.duplicate_of.is_empty()).map(|k| k.sha256.as_str()).collect();
    let known_pair: HashSet<(&str, &str)> =
        known.iter().map(|k| (k.sha256.as_str(), k.path.as_str())).collect();
    let mut lines = vec![];
    let mut skipped = 0u64;
    let mut send: HashMap<u64, &ManifestEntry> = HashMap::new();
    let mut later = vec![];
    for m in &manifest {
        let dup = m.duplicate_of.is_some();
        if known_pair.contains(&(m.sha256.as_str(), m.path.as_str()))
            || (!dup && known_sha.contains(m.sha256.as_str()))
        {
            skipped += 1;
            lines.push(format!("{}: already shipped; nothing sent", safe(&m.path)));
            continue;
        }
        if dup {
            skipped += 1;
        } else {
            send.insert(m.number, m);
        }
        later.push(record_of(m));
    }
    let total = index.count()?;
    let pb = bar(total, false);
    let progress = shipper.progress();
    let started = Instant::now();
    let mut record_no: u64 = 0;
    let r = index.scan(&mut |ts, seq, text| -> anyhow::Result<()> {
        record_no += 1;
        if record_no % 4096 == 0 {
            pb.set_position(record_no);
            pb.set_message(message(&progress, started));
        }
        let Some(m) = send.get(&(seq >> 32)) else { return Ok(()) };
        if shipper.failed() {
            return Err(anyhow::anyhow!("stopped"));
        }
        let json: serde_json::Value = serde_json::from_str(text)?;
        let offset = json.get("log").and_then(|l| l.get("offset")).and_then(|o| o.as_u64());
        let line = row(&json, text, RowKey { ts, seq, source_sha256: &m.sha256 });
        shipper.push(&line, &m.path, &m.sha256, offset, seq & 0xffff_ffff);
        Ok(())
    });
    pb.finish_and_clear();
    let added = send.len() as u64;
    if !shipper.failed() {
        r?;
        for s in later {
            shipper.source_done(s);
        }
    }
    Ok((shipper.finish(), lines, skipped, added))
}

/// Parses PATHs as `ingest` does and ships their events; sources are numbered as `ingest`
/// numbers them in a fresh index (after the sources already recorded in the cluster).
fn ship_paths(
    a: &ShipArgs,
    known: &[Known],
    shipper: Shipper,
    err: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let mut opts = source_options(&a.source)?;
    let (inputs, problems, _) = discover(a.image, &a.paths, &mut opts, err)?;
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let total_bytes: u64 =
        inputs.iter().filter_map(|i| std::fs::metadata(&i.path).ok()).map(|m| m.len()).sum();
    let first_path: HashMap<String, String> = known
        .iter()
        .filter(|k| k.duplicate_of.is_empty())
        .map(|k| (k.sha256.clone(), k.path.clone()))
        .collect();
    let progress = shipper.progress();
    let mut s = Ship {
        shipper,
        progress,
        pb: bar(total_bytes, true),
        started: Instant::now(),
        known: known.to_vec(),
        this_run: vec![],
        lines: vec![],
        current: None,
        record: 0,
        added: 0,
        skipped: 0,
    };
    let chains = jikoku_ingest::rotation::chains(inputs);
    jikoku_ingest::batch::parse_chains(chains, &opts, jobs, &first_path, &|e| e, &mut s);
    s.pb.finish_and_clear();
    for p in &problems {
        s.lines.push(format!("jikoku: {}", safe(p)));
    }
    let Ship { shipper, lines, skipped, added, .. } = s;
    Ok((shipper.finish(), lines, skipped, added))
}

struct Current {
    number: u64,
    path: String,
    sha256: String,
}

struct Ship {
    shipper: Shipper,
    progress: Arc<Progress>,
    pb: indicatif::ProgressBar,
    started: Instant,
    /// Sources recorded in the cluster before this run.
    known: Vec<Known>,
    /// Sources (and duplicates) recorded by this run, in order: (sha256, content sha256, path).
    this_run: Vec<(String, String, String, bool)>,
    lines: Vec<String>,
    current: Option<Current>,
    record: u64,
    added: u64,
    skipped: u64,
}

impl Ship {
    fn next_number(&self) -> u64 {
        (self.known.len() + self.this_run.len()) as u64
    }

    fn step(&mut self, input: &jikoku_ingest::Input) {
        self.pb.inc(std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0));
        self.pb.set_message(message(&self.progress, self.started));
    }

    /// The first source (not a duplicate) with these bytes or this content.
    fn first_with(&self, sha: &str, content: &str) -> Option<String> {
        self.known
            .iter()
            .filter(|k| k.duplicate_of.is_empty())
            .map(|k| (&k.sha256, &k.content_sha256, &k.path))
            .chain(self.this_run.iter().filter(|t| !t.3).map(|t| (&t.0, &t.1, &t.2)))
            .find(|(s, c, _)| {
                *s == sha || (!content.is_empty() && (*c == content || *s == content))
            })
            .map(|(_, _, p)| p.clone())
    }

    fn has_path(&self, path: &str) -> bool {
        self.known.iter().any(|k| k.path == path) || self.this_run.iter().any(|t| t.2 == path)
    }

    fn duplicate(&mut self, path: &str, sha: &str, content: &str, first: &str) {
        let m = ManifestEntry {
            number: self.next_number(),
            path: path.to_string(),
            sha256: sha.to_string(),
            content_sha256: content.to_string(),
            duplicate_of: Some(first.to_string()),
            ..Default::default()
        };
        self.this_run.push((sha.to_string(), content.to_string(), path.to_string(), true));
        self.shipper.source_done(record_of(&m));
    }
}

impl Consumer for Ship {
    fn known(&mut self, input: &jikoku_ingest::Input, sha: &str, first: &str) {
        self.step(input);
        self.skipped += 1;
        if first == input.display {
            self.lines.push(format!("{}: already shipped; nothing sent", safe(&input.display)));
        } else if !self.has_path(&input.display) {
            self.lines.push(format!(
                "{}: same bytes as {}; recorded as a duplicate",
                safe(&input.display),
                safe(first)
            ));
            self.duplicate(&input.display, sha, "", first);
        }
    }

    fn failed(&mut self, input: &jikoku_ingest::Input, e: jikoku_ingest::Error) {
        self.step(input);
        self.lines.push(format!("jikoku: {}", safe(&e.to_string())));
    }

    fn begin(&mut self, _input: &jikoku_ingest::Input, r: &SourceReport) -> bool {
        if self.shipper.failed() || self.first_with(&r.sha256, &r.content_sha256).is_some() {
            return false;
        }
        self.current = Some(Current {
            number: self.next_number(),
            path: r.path.clone(),
            sha256: r.sha256.clone(),
        });
        self.record = 0;
        true
    }

    fn event(&mut self, e: Event) {
        let Some(c) = &self.current else { return };
        if self.shipper.failed() {
            return;
        }
        let Ok(json) = serde_json::to_value(&e) else { return };
        let text = json.to_string();
        let ts = e.timestamp.and_then(|t| t.utc.timestamp_nanos_opt()).unwrap_or(i64::MIN);
        let seq = (c.number << 32) | (self.record & 0xffff_ffff);
        let line = row(&json, &text, RowKey { ts, seq, source_sha256: &c.sha256 });
        self.shipper.push(&line, &c.path, &c.sha256, e.log.offset, self.record);
        self.record += 1;
    }

    fn end(
        &mut self,
        input: &jikoku_ingest::Input,
        r: SourceReport,
        twin: Option<String>,
        accepted: bool,
    ) {
        self.step(input);
        if self.shipper.failed() {
            return;
        }
        if let Some(first) = twin {
            self.skipped += 1;
            self.lines.push(format!(
                "{}: same content as {} (compressed twin); recorded as a duplicate",
                safe(&r.path),
                safe(&first)
            ));
            self.duplicate(&r.path, &r.sha256, &r.content_sha256, &first);
            return;
        }
        if !accepted {
            let first = self.first_with(&r.sha256, &r.content_sha256).unwrap_or_default();
            self.skipped += 1;
            self.lines.push(format!(
                "{}: same content as {}; recorded as a duplicate",
                safe(&r.path),
                safe(&first)
            ));
            self.duplicate(&r.path, &r.sha256, &r.content_sha256, &first);
            return;
        }
        let number = self.current.take().map_or_else(|| self.next_number(), |c| c.number);
        self.lines.push(format!(
            "{}: {} records = {} events + {} errors ({})",
            safe(&r.path),
            r.records,
            r.events,
            r.errors,
            if r.format.is_empty() { "-" } else { &r.format },
        ));
        self.added += 1;
        let m = entry(number, &r);
        self.this_run.push((r.sha256.clone(), r.content_sha256.clone(), r.path.clone(), false));
        self.shipper.source_done(record_of(&m));
    }
}
