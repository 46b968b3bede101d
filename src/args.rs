//! Command-line definitions (shared/ARCHITECTURE.md §3).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// jikoku (時刻): Unix logs into one corrected, searchable forensic timeline.
#[derive(Debug, Parser)]
#[command(name = "jikoku", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse sources without an index: JSON Lines to stdout in source order, a summary on stderr.
    Parse(ParseArgs),
    /// Add sources to the index at DIR (created if absent); re-ingesting a source adds nothing.
    Ingest(IngestArgs),
    /// Search the index: events matching QUERY in a time range, sorted by time.
    Search(SearchArgs),
    /// Export the timeline (events in a time range matching QUERY) in a format for another tool.
    Timeline(TimelineArgs),
    /// "Who did what at TIME": the events around TIME grouped as a person reads them.
    At(AtArgs),
    /// Read an abuse complaint (mail headers, quoted or forwarded, ARF, times and addresses),
    /// find our hops and times, look them up, and write a draft incident note.
    Complaint(ComplaintArgs),
    /// The evidence manifest: each source's path, size, mtime, SHA-256, format, counts and time decisions.
    Sources(SourcesArgs),
    /// Estimate each host's clock offset from events seen by two hosts (mail handoffs, ssh
    /// hops); `--apply` removes it from the indexed events as declared skew.
    Skew(SkewArgs),
    /// Per-account / per-client analytics and ranked abuse signals (polars; `--features analytics`).
    Stats(StatsArgs),
    /// Send events to a ClickHouse cluster (exactly once per source); `--engine clickhouse URL`
    /// then answers search, at and timeline there.
    Ship(ShipArgs),
    /// List the formats jikoku reads.
    Formats,
}

/// Options shared by `parse` and `ingest`.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Source format: auto (sniff each source) or a name from `jikoku formats`.
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Zone of records that carry none: `ZONE` (IANA name, e.g. Asia/Tokyo) for every source, or
    /// `HOST=ZONE` for the records of one host. Repeatable. Default: UTC, with a warning.
    #[arg(long, value_name = "[HOST=]ZONE")]
    pub tz: Vec<String>,
    /// Year of the first yearless record (BSD syslog, lastcomm, sudo log); later Dec→Jan rollovers add one.
    /// Default: inferred from the file's mtime, walking backwards.
    #[arg(long)]
    pub year: Option<i32>,
    /// Host name for records that carry none.
    #[arg(long)]
    pub host: Option<String>,
    /// Declared clock error: `[HOST=]±DURATION` (`mail=+93s`: mail's clock was 93 s fast). Repeatable.
    #[arg(long, value_name = "[HOST=]±DUR", allow_hyphen_values = true)]
    pub skew: Vec<String>,
    /// Custom HTTP log format: an Apache LogFormat or nginx log_format string.
    #[arg(long)]
    pub http_format: Option<String>,
    /// The host's passwd file, to name the uids of process accounting and login records
    /// (on an image: its etc/passwd). The numeric id is always kept.
    #[arg(long)]
    pub passwd: Option<PathBuf>,
    /// The host's group file, to name gids.
    #[arg(long)]
    pub group: Option<PathBuf>,
    /// Stop decompressing a source whose decompressed/compressed ratio passes this (bomb guard).
    #[arg(long, default_value_t = 1000)]
    pub max_ratio: u64,
    /// Stop decompressing a source past this size (`64G`, `500M`, `1024K`, bytes).
    #[arg(long, default_value = "64G")]
    pub max_decompressed: String,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// `events` (default): every event in source order; `flows`: one `jikoku.mail.flow` record
    /// per mail message (queue id on one host); `all`: the events, then the flow records.
    #[arg(long, default_value = "events", value_parser = ["events", "flows", "all"])]
    pub output: String,
    /// Files or directories; `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// PATH is the root of a mounted disk image.
    #[arg(long)]
    pub image: bool,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Writer memory budget in MB (fixed, whatever the input size).
    #[arg(long, default_value_t = 256)]
    pub memory_mb: usize,
    /// Parsing threads (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Commit at the first source boundary after this many events.
    #[arg(long, default_value_t = 500_000)]
    pub commit_events: u64,
    /// Files or directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Index directory.
    #[arg(long, required_unless_present = "engine")]
    pub index: Option<PathBuf>,
    /// Ask another engine instead of a local index: `--engine clickhouse URL` (events shipped
    /// there with `jikoku ship`). Same questions, same answers, same output.
    #[arg(long, num_args = 2, value_names = ["ENGINE", "URL"], conflicts_with = "index")]
    pub engine: Vec<String>,
    /// Events table, with `--engine clickhouse`.
    #[arg(long, default_value = "jikoku_events")]
    pub table: String,
    /// From this time (any common form: RFC 2822, RFC 3339, `2002-05-08 13:29:44 EDT`, …).
    #[arg(long)]
    pub from: Option<String>,
    /// To this time (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Zone for --from/--to written without one.
    #[arg(long)]
    pub at_tz: Option<String>,
    /// At most N events.
    #[arg(long)]
    pub limit: Option<usize>,
    /// table (default on a terminal), jsonl (default otherwise), csv, timesketch, l2tcsv, markdown,
    /// html (one self-contained file with an interactive timeline), parquet (built with
    /// `--features analytics-parquet`).
    #[arg(long)]
    pub output: Option<String>,
    /// field:value terms, "phrases", AND/OR/NOT, ranges [a TO b], CIDR for IP fields, free text.
    #[arg(allow_hyphen_values = true, num_args = 0..)]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub search: SearchArgs,
    /// Write to this file instead of stdout (never overwritten). With --partition: a directory
    /// (must not exist).
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
    /// With `--output parquet -o DIR`: hive-style partitions, `host,day` →
    /// DIR/host=NAME/date=YYYY-MM-DD/part-0.parquet (`host`, `day`, or both in either order).
    #[arg(long, value_name = "KEYS")]
    pub partition: Option<String>,
}

#[derive(Debug, Args)]
pub struct AtArgs {
    /// The reported time, in any common form: `Wed, 8 May 2002 13:29:44 -0400`, RFC 3339,
    /// `2002-05-08 13:29:44 EDT`, or a local time with --at-tz.
    pub time: String,
    /// Index directory.
    #[arg(long, required_unless_present = "engine")]
    pub index: Option<PathBuf>,
    /// Ask another engine instead of a local index: `--engine clickhouse URL` (events shipped
    /// there with `jikoku ship`). Same questions, same answers, same output.
    #[arg(long, num_args = 2, value_names = ["ENGINE", "URL"], conflicts_with = "index")]
    pub engine: Vec<String>,
    /// Events table, with `--engine clickhouse`.
    #[arg(long, default_value = "jikoku_events")]
    pub table: String,
    /// Half-width of the window around TIME (`15m`, `90s`, `1h`).
    #[arg(long, default_value = "15m")]
    pub window: String,
    /// Focus on an address (source, destination, mail relay). Repeatable.
    #[arg(long)]
    pub ip: Vec<String>,
    /// Focus on a user (user, target user, SASL user). Repeatable.
    #[arg(long)]
    pub user: Vec<String>,
    /// Focus on a host. Repeatable.
    #[arg(long)]
    pub host: Vec<String>,
    /// Zone of TIME when it is written without one.
    #[arg(long)]
    pub at_tz: Option<String>,
    /// table (default), markdown, jsonl, html (one self-contained page with an interactive
    /// timeline), parquet (the events cited; `--features analytics-parquet`).
    #[arg(long, default_value = "table")]
    pub output: String,
    /// Write to this file instead of stdout (never overwritten).
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShipArgs {
    /// ClickHouse's HTTP interface: `http://host:8123` (`?user=…&password=…&database=…`
    /// are passed on to the server).
    #[arg(long, value_name = "URL")]
    pub clickhouse: String,
    /// Events table (for a cluster: the `Distributed` table); its sources are recorded in
    /// `NAME_sources`.
    #[arg(long, default_value = "jikoku_events")]
    pub table: String,
    /// Create the tables when absent (see docs/SCALE.md for the DDL).
    #[arg(long)]
    pub create: bool,
    /// With --create: the cluster (`remote_servers` name) for `Distributed` tables over
    /// per-shard `NAME_local` tables.
    #[arg(long)]
    pub cluster: Option<String>,
    /// With --create --cluster: a server of each shard, to create its local tables
    /// (repeatable; default: only --clickhouse).
    #[arg(long, value_name = "URL")]
    pub shard: Vec<String>,
    /// Print the DDL (for --cluster if given) and exit.
    #[arg(long)]
    pub print_ddl: bool,
    /// Ship the events of this index (its manifest's sources) instead of parsing PATHs.
    #[arg(long, conflicts_with_all = ["paths", "image"])]
    pub index: Option<PathBuf>,
    /// PATH is the root of a mounted disk image.
    #[arg(long)]
    pub image: bool,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Parsing threads (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Rows per batch (one INSERT).
    #[arg(long, default_value_t = 20_000)]
    pub batch_rows: usize,
    /// Attempts per batch before giving up (waits 0.5 s, 1 s, 2 s, … up to 30 s in between).
    #[arg(long, default_value_t = 8)]
    pub attempts: u32,
    /// Files or directories.
    #[arg(required_unless_present_any = ["index", "print_ddl"])]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ComplaintArgs {
    /// The complaint: an RFC 5322 message, an mbox, or plain text; `-` reads stdin.
    pub file: PathBuf,
    /// Index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// Our address blocks (CIDR) and domains; repeatable. Hosts known to the index are ours too.
    #[arg(long, value_name = "CIDR|DOMAIN")]
    pub ours: Vec<String>,
    /// Half-width of the window around each time (`10m`, `90s`).
    #[arg(long, default_value = "10m")]
    pub window: String,
    /// table (default), markdown (a draft incident note), html, json.
    #[arg(long, default_value = "table")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct SkewArgs {
    /// Index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// The host whose clock is taken as correct (offset 0). Default: the host with the most
    /// evidence.
    #[arg(long)]
    pub reference: Option<String>,
    /// A host's address, to recognise its ssh logins on other hosts: `HOST=IP`. Repeatable.
    /// Addresses are also learned from mail handoffs (the receiver's `client=` line).
    #[arg(long, value_name = "HOST=IP")]
    pub addr: Vec<String>,
    /// Pairs whose clocks differ by more than this are ignored as implausible.
    #[arg(long, default_value = "1h", allow_hyphen_values = true)]
    pub max_offset: String,
    /// Remove the estimated offsets from the indexed events (as `--skew HOST=…` at ingest
    /// would have), and record it in the manifest.
    #[arg(long)]
    pub apply: bool,
    /// With --apply: only these hosts. Repeatable.
    #[arg(long)]
    pub host: Vec<String>,
    /// table (default), markdown, jsonl.
    #[arg(long, default_value = "table")]
    pub output: String,
    /// Evidence pairs listed per link (table/markdown).
    #[arg(long, default_value_t = 5)]
    pub show_pairs: usize,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// table (default) or jsonl.
    #[arg(long, default_value = "table")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// What to analyse: `http` (webshells, CMS logins, form-spam bursts, scanners) or `mail`
    /// (SASL accounts per day).
    #[arg(value_parser = ["http", "mail"])]
    pub what: String,
    /// http: signal (default: ranked findings with reasons), client, path.
    /// mail: signal (default), day (per account and day).
    #[arg(long, default_value = "signal")]
    pub by: String,
    /// table (default on a terminal), csv, jsonl (default otherwise), parquet.
    #[arg(long)]
    pub output: Option<String>,
    /// At most N rows.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Read the events from this index instead of PATHs.
    #[arg(long, conflicts_with = "paths")]
    pub index: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Files or directories to parse (without --index).
    #[arg(required_unless_present = "index")]
    pub paths: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_flags() {
        let c = Cli::try_parse_from([
            "jikoku",
            "parse",
            "--tz",
            "Asia/Tokyo",
            "--year",
            "2002",
            "--skew",
            "mail=+93s",
            "--skew",
            "-7m",
            "a.log",
        ])
        .unwrap();
        let Command::Parse(p) = c.command else { panic!() };
        assert_eq!(p.source.tz, vec!["Asia/Tokyo"]);
        assert_eq!(p.source.year, Some(2002));
        assert_eq!(p.source.skew, vec!["mail=+93s", "-7m"]);
        assert!(Cli::try_parse_from(["jikoku", "parse"]).is_err());
    }
}
