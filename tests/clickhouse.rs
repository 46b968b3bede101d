//! `jikoku ship` into a two-shard ClickHouse cluster on loopback, and `--engine clickhouse`
//! answering exactly as the local index does.
//!
//! Needs Debian's `clickhouse-server` (18.16 on bookworm; `.ci/run` installs it). Without it this
//! test FAILS: it never skips. tests/clickhouse/start.sh writes the two servers' configurations
//! (127.0.0.1 only, cluster `jikoku` of two shards) and starts them; they are stopped at the end,
//! also when an assertion fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use jikoku_clickhouse::Client;

fn jikoku() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jikoku"));
    c.env("TZ", "Pacific/Chatham");
    c
}

fn run(args: &[&str]) -> Output {
    let o = jikoku().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "jikoku {args:?} failed: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clickhouse/start.sh")
}

/// The two servers; stopped when dropped.
struct Cluster {
    dir: PathBuf,
    urls: [String; 2],
}

impl Cluster {
    fn start(dir: &Path, base: u16) -> Cluster {
        let o = Command::new("bash")
            .arg(script())
            .args(["start", dir.to_str().unwrap(), &base.to_string()])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "clickhouse-server must be installed (apt-get install clickhouse-server) and start: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8(o.stdout).unwrap();
        let urls: Vec<String> = out.split_whitespace().map(String::from).collect();
        assert_eq!(urls.len(), 2, "{out}");
        Cluster { dir: dir.to_path_buf(), urls: [urls[0].clone(), urls[1].clone()] }
    }

    fn ctl(&self, what: &str, n: u32) {
        let s = Command::new("bash")
            .arg(script())
            .args([what, self.dir.to_str().unwrap(), &n.to_string()])
            .status()
            .unwrap();
        assert!(s.success(), "start.sh {what} {n}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ =
            Command::new("bash").arg(script()).args(["stop", self.dir.to_str().unwrap()]).status();
    }
}

fn counts(url: &str, table: &str) -> (u64, u64) {
    jikoku_clickhouse::ship::count_rows(&Client::new(url).unwrap(), table).unwrap()
}

/// A generated fleet: `hosts` hosts, `lines` auth lines each, the same instants on every host
/// (so equal times are ordered by source and record, as in the index), IPv4 and IPv6 clients.
fn fleet(dir: &Path, hosts: usize, lines: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let users = ["alice", "bob", "carol", "root", "www-data"];
    for h in 0..hosts {
        let mut s = String::new();
        let mut x: u64 = 7 + h as u64;
        for i in 0..lines {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (x >> 33) % 100;
            let t = i * 7;
            let (hh, mm, ss) = ((t / 3600) % 24, (t / 60) % 60, t % 60);
            let day = 1 + (t / 86400) % 28;
            let user = users[((x >> 13) % 5) as usize];
            let ip = if r % 7 == 0 {
                format!("2001:db8::{:x}", (x >> 20) % 4096)
            } else {
                format!(
                    "{}.{}.{}.{}",
                    [10, 198, 203][((x >> 7) % 3) as usize],
                    (x >> 24) % 256,
                    (x >> 40) % 256,
                    1 + (x >> 48) % 254
                )
            };
            let pid = 1000 + (x >> 17) % 90000;
            let msg = match r {
                0..=39 => format!(
                    "sshd[{pid}]: Failed password for {user} from {ip} port {} ssh2",
                    1024 + (x >> 9) % 60000
                ),
                40..=59 => format!(
                    "sshd[{pid}]: Accepted publickey for {user} from {ip} port {} ssh2: ED25519 SHA256:abc",
                    1024 + (x >> 9) % 60000
                ),
                60..=74 => format!("CRON[{pid}]: (root) CMD (run-parts /etc/cron.hourly)"),
                75..=89 => format!("su[{pid}]: (to root) {user} on pts/{}", (x >> 5) % 20),
                _ => format!(
                    "sudo:    {user} : TTY=pts/{} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/id -u",
                    (x >> 5) % 20
                ),
            };
            s.push_str(&format!("May {day:>2} {hh:02}:{mm:02}:{ss:02} host{h} {msg}\n"));
        }
        std::fs::write(dir.join(format!("host{h}.log")), s).unwrap();
    }
}

/// Waits until the ship under way has stored some rows.
fn wait_for_rows(url: &str, table: &str) {
    let t0 = Instant::now();
    let c = Client::new(url).unwrap();
    loop {
        let n = c
            .query(&format!("SELECT count() FROM {table}"))
            .map(|s| s.trim().parse::<u64>().unwrap_or(0))
            .unwrap_or(0);
        if n > 0 {
            return;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "ship never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every question asked of both engines gives byte-identical output.
fn same_answers(index: &Path, url: &str, table: &str, questions: &[Vec<&str>]) {
    for q in questions {
        // The engine's options go first: a QUERY takes every word after it.
        let (cmd, rest) = q.split_first().unwrap();
        let mut local: Vec<&str> = vec![cmd, "--index", index.to_str().unwrap()];
        local.extend(rest);
        let mut remote: Vec<&str> = vec![cmd, "--engine", "clickhouse", url, "--table", table];
        remote.extend(rest);
        let a = run(&local).stdout;
        let b = run(&remote).stdout;
        assert!(!a.is_empty(), "{q:?}: no output");
        assert!(
            a == b,
            "{q:?}: the engines differ\n--- index\n{}\n--- clickhouse\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
}

#[test]
fn ship_and_ask_a_two_shard_cluster() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let base = 28_100 + (std::process::id() % 50) as u16 * 40;
    let cluster = Cluster::start(&tmp.path().join("ch"), base);
    let [s1, s2] = cluster.urls.clone();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = |p: &str| root.join("sample-logs").join(p).to_str().unwrap().to_string();

    // 1. sample-logs: the README's ingest, then the index shipped to the cluster.
    let case = tmp.path().join("case");
    let c = case.to_str().unwrap();
    run(&[
        "ingest",
        "--index",
        c,
        "--image",
        "--year",
        "2002",
        "--skew",
        "mail=+93s",
        &sample("mail"),
    ]);
    run(&["ingest", "--index", c, "--image", "--year", "2002", &sample("www")]);
    let o = run(&[
        "ship",
        "--clickhouse",
        &s1,
        "--create",
        "--cluster",
        "jikoku",
        "--shard",
        &s1,
        "--shard",
        &s2,
        "--index",
        c,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    // As many rows as the index holds events.
    let n = run(&["search", "--index", c, "--output", "jsonl"])
        .stdout
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64;
    assert!(n >= 72, "sample-logs: {n} events");
    assert!(err.contains(&format!("sources shipped ({n} rows")), "{err}");
    assert_eq!(counts(&s1, "jikoku_events"), (n, n));
    // Both shards hold some of the events (sharded by source).
    let on = |url: &str, t: &str| {
        Client::new(url)
            .unwrap()
            .query(&format!("SELECT count() FROM {t}"))
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    let (a, b) = (on(&s1, "jikoku_events_local"), on(&s2, "jikoku_events_local"));
    assert!(a > 0 && b > 0 && a + b == n, "{a} + {b}");
    // Re-shipping adds nothing.
    let o = run(&["ship", "--clickhouse", &s1, "--index", c]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 sources shipped (0 rows"));
    assert_eq!(counts(&s1, "jikoku_events"), (n, n));
    let at = "Wed, 8 May 2002 13:29:44 -0400";
    {
        same_answers(
            &case,
            &s1,
            "jikoku_events",
            &[
                vec!["at", at, "--window", "10m"],
                vec!["at", at, "--window", "10m", "--output", "jsonl"],
                vec!["at", at, "--ip", "198.51.100.7", "--output", "markdown"],
                vec!["search", "--output", "jsonl"],
                vec!["search", "--output", "csv", "--limit", "20"],
                vec![
                    "search",
                    "--output",
                    "jsonl",
                    "event.action:sudo-command OR http.response.status_code:[200 TO 299]",
                ],
                vec![
                    "search",
                    "--output",
                    "jsonl",
                    "source.ip:198.51.100.0/24 -http.request.method:GET",
                ],
                vec![
                    "search",
                    "--output",
                    "jsonl",
                    "--from",
                    "2002-05-08T17:00:00Z",
                    "--to",
                    "2002-05-08T17:40:00Z",
                ],
                vec!["timeline", "--output", "l2tcsv", "host.name:mail*"],
                // Only negative terms, keyword ranges, free words and phrases, exact instants.
                vec!["search", "--output", "jsonl", "NOT event.dataset:http*"],
                vec!["search", "--output", "jsonl", "user.name:[a TO m] OR \"sent\" OR postfix"],
                vec![
                    "search",
                    "--output",
                    "jsonl",
                    "@timestamp:[2002-05-08T17:29:00Z TO 2002-05-08T17:31:00Z] -host.name:www",
                ],
            ],
        );
    }
    // Either server answers for the whole cluster.
    same_answers(&case, &s2, "jikoku_events", &[vec!["at", at, "--window", "10m"]]);
    // A bad query is the same user error (exit 1) on both engines.
    let o = jikoku().args(["search", "--engine", "clickhouse", &s1, "no.such:x"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no.such is not an indexed field"));

    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    // 2. a generated fleet shipped from its files (parsed here, as `ingest` parses them).
    let fl = tmp.path().join("fleet");
    fleet(&fl, 6, 1500);
    let fleet_index = tmp.path().join("fleet-index");
    let fi = fleet_index.to_str().unwrap();
    let f = fl.to_str().unwrap();
    run(&["ingest", "--index", fi, "--year", "2002", "--tz", "Asia/Tokyo", f]);
    let o = run(&[
        "ship",
        "--clickhouse",
        &s2,
        "--table",
        "fleet",
        "--create",
        "--cluster",
        "jikoku",
        "--shard",
        &s1,
        "--shard",
        &s2,
        "--year",
        "2002",
        "--tz",
        "Asia/Tokyo",
        "--batch-rows",
        "2000",
        f,
    ]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("6 sources shipped (9000 rows"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&[
        "ship",
        "--clickhouse",
        &s2,
        "--table",
        "fleet",
        "--year",
        "2002",
        "--tz",
        "Asia/Tokyo",
        f,
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("6 already shipped"));
    assert_eq!(counts(&s1, "fleet"), (9000, 9000));
    let fleet_questions: Vec<Vec<&str>> = vec![
        vec!["search", "--output", "jsonl"],
        vec![
            "search",
            "--output",
            "jsonl",
            "--limit",
            "777",
            "user.name:alice OR source.ip:2001:db8::/32",
        ],
        vec!["search", "--output", "csv", "\"failed password\" -host.name:host3"],
        vec![
            "search",
            "--output",
            "jsonl",
            "process.pid:[5000 TO 20000] AND event.outcome:success",
        ],
        vec!["at", "2002-05-03 10:00:00", "--at-tz", "Asia/Tokyo", "--window", "20m"],
        vec![
            "at",
            "2002-05-03 10:00:00",
            "--at-tz",
            "Asia/Tokyo",
            "--window",
            "20m",
            "--user",
            "bob",
            "--output",
            "jsonl",
        ],
    ];
    same_answers(&fleet_index, &s1, "fleet", &fleet_questions);

    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    // 3. a shard killed mid-ship: the shipper retries until it is back; nothing lost, nothing doubled.
    let child = jikoku()
        .args([
            "ship",
            "--clickhouse",
            &s1,
            "--table",
            "crash",
            "--create",
            "--cluster",
            "jikoku",
            "--shard",
            &s1,
            "--shard",
            &s2,
            "--year",
            "2002",
            "--tz",
            "Asia/Tokyo",
            "--batch-rows",
            "300",
            "--jobs",
            "1",
            f,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_rows(&s1, "crash");
    cluster.ctl("kill", 2);
    std::thread::sleep(Duration::from_millis(1500));
    cluster.ctl("restart", 2);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // Gave up: the error names the batch; running the same command again completes it.
        assert!(err.contains("was not stored"), "{err}");
        run(&[
            "ship",
            "--clickhouse",
            &s1,
            "--table",
            "crash",
            "--year",
            "2002",
            "--tz",
            "Asia/Tokyo",
            f,
        ]);
    } else {
        assert!(!err.contains(" 0 retries"), "the kill did not interrupt the ship: {err}");
    }
    let (distinct, raw) = counts(&s1, "crash");
    assert_eq!(distinct, 9000, "rows lost");
    assert!(raw >= distinct);
    same_answers(&fleet_index, &s2, "crash", &fleet_questions[..2]);

    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    // 4. a ship that gives up at once reports the batch (source and offsets); the re-run completes it.
    let (local, dist) = jikoku_clickhouse::table::ddl(
        "gaveup",
        &jikoku_clickhouse::table::Layout::Cluster("jikoku".into()),
        false,
    );
    for url in [&s1, &s2] {
        let c = Client::new(url).unwrap();
        for stmt in local.iter().chain(&dist) {
            c.query(stmt).unwrap();
        }
    }
    let child = jikoku()
        .args([
            "ship",
            "--clickhouse",
            &s1,
            "--table",
            "gaveup",
            "--attempts",
            "1",
            "--batch-rows",
            "300",
            "--index",
            fi,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_rows(&s1, "gaveup");
    cluster.ctl("kill", 2);
    let o = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("was not stored")
            && e.contains("byte offsets")
            && e.contains("run the same command again"),
        "{e}"
    );
    cluster.ctl("restart", 2);
    run(&["ship", "--clickhouse", &s1, "--table", "gaveup", "--index", fi]);
    assert_eq!(counts(&s2, "gaveup").0, 9000);
    same_answers(&fleet_index, &s1, "gaveup", &fleet_questions[..1]);

    let unreachable = jikoku()
        .args(["search", "--engine", "clickhouse", "http://127.0.0.1:9", "x"])
        .output()
        .unwrap();
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unreachable.stderr).contains("unreachable"));
    eprintln!("clickhouse test: {:.1} s", started.elapsed().as_secs_f64());
}
