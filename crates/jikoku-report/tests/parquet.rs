//! Parquet export (feature `analytics-parquet`): the sample-logs events written and read back
//! with polars, single file and hive-style partitions.
#![cfg(feature = "analytics-parquet")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use jikoku_report::parquet::{
    COLUMNS, EVENT_JSON, Partition, events_frame, partition_value, write_events, write_partitioned,
};
use polars::prelude::*;
use serde_json::Value;

/// The events of the repository's sample-logs (both hosts), year 2002, as `jikoku parse` reads
/// them with `--image` (mail's zone Asia/Tokyo, www's America/New_York).
fn sample_events() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-logs");
    let dirs: Vec<PathBuf> = ["mail/var/log", "www/var/log"].iter().map(|d| root.join(d)).collect();
    for d in &dirs {
        assert!(d.is_dir(), "missing {}", d.display());
    }
    let (inputs, problems) = jikoku_ingest::walk(&dirs);
    assert!(problems.is_empty(), "{problems:?}");
    let mut out = vec![];
    for input in &inputs {
        let (host, tz) = if input.path.starts_with(root.join("mail")) {
            ("mail", chrono_tz::Asia::Tokyo)
        } else {
            ("www", chrono_tz::America::New_York)
        };
        let opts = jikoku_ingest::Options {
            year: Some(2002),
            host: Some(host.into()),
            tz: Some(tz),
            ..jikoku_ingest::Options::default()
        };
        jikoku_ingest::process_file(input, &opts, &mut |e| {
            out.push(serde_json::to_value(e).unwrap())
        })
        .unwrap();
    }
    out
}

fn read(bytes: Vec<u8>) -> DataFrame {
    ParquetReader::new(Cursor::new(bytes)).finish().unwrap()
}

fn texts(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name).unwrap().str().unwrap().iter().map(|o| o.map(str::to_string)).collect()
}

fn ints(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    df.column(name).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().iter().collect()
}

#[test]
fn sample_logs_round_trip() {
    let events = sample_events();
    // mail: Apache, auth, mail, messages, accounting, wtmp; www: auth.
    assert!(events.len() > 72, "{}", events.len());
    let mut buf = vec![];
    write_events(&mut buf, &events).unwrap();
    assert_eq!(&buf[..4], b"PAR1");
    // Kept for a look with other readers (pyarrow: docs/analytics.md).
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parquet-test");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join("sample-logs.parquet"), &buf).unwrap();
    let df = read(buf);
    assert_eq!(df.height(), events.len());
    assert_eq!(df.width(), COLUMNS.len() + 1);
    let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names[0], "@timestamp");
    assert_eq!(names.last().unwrap(), EVENT_JSON);
    assert_eq!(
        df.column("@timestamp").unwrap().dtype(),
        // UTC nanoseconds; the "UTC" annotation is not written yet (polars without its
        // `timezones` feature drops it): known gap, docs/analytics.md.
        &DataType::Datetime(TimeUnit::Nanoseconds, None)
    );
    assert_eq!(df.column("log.offset").unwrap().dtype(), &DataType::Int64);
    assert_eq!(df.column("jikoku.time.skew_seconds").unwrap().dtype(), &DataType::Float64);

    // Every row: the flat columns agree with the event, and event_json is the event.
    let ts = ints(&df, "@timestamp");
    let hosts = texts(&df, "host.name");
    let paths = texts(&df, "log.file.path");
    let offsets = ints(&df, "log.offset");
    let shas = texts(&df, "jikoku.source.sha256");
    let json = texts(&df, EVENT_JSON);
    for (i, e) in events.iter().enumerate() {
        let t = chrono::DateTime::parse_from_rfc3339(e["@timestamp"].as_str().unwrap()).unwrap();
        assert_eq!(ts[i], t.timestamp_nanos_opt(), "row {i}");
        assert_eq!(hosts[i].as_deref(), e["host"]["name"].as_str());
        assert_eq!(paths[i].as_deref(), e["log"]["file"]["path"].as_str());
        assert_eq!(offsets[i], e["log"]["offset"].as_i64());
        assert_eq!(shas[i].as_deref(), e["jikoku"]["source"]["sha256"].as_str());
        let back: Value = serde_json::from_str(json[i].as_deref().unwrap()).unwrap();
        assert_eq!(&back, e);
    }

    // Known values: the sudo chmod on mail, the webshell POST in Apache's log.
    let i = events
        .iter()
        .position(|e| e["event"]["action"] == "sudo-command" && e["host"]["name"] == "mail")
        .unwrap();
    assert_eq!(
        texts(&df, "process.command_line")[i].as_deref(),
        Some("/bin/chmod 777 /var/www/html/wp-content/uploads")
    );
    assert_eq!(texts(&df, "user.name")[i].as_deref(), Some("kenji"));
    assert_eq!(texts(&df, "user.target.name")[i].as_deref(), Some("root"));
    let methods = texts(&df, "http.request.method");
    let urls = texts(&df, "url.original");
    let shell: Vec<usize> = (0..df.height())
        .filter(|&i| {
            methods[i].as_deref() == Some("POST")
                && urls[i].as_deref() == Some("/wp-content/uploads/.cache/x.php")
        })
        .collect();
    assert!(methods.iter().filter(|m| m.as_deref() == Some("POST")).count() >= 4);
    assert!(shell.len() >= 2);
    for &i in &shell {
        assert_eq!(ints(&df, "http.response.status_code")[i], Some(200));
        assert_eq!(texts(&df, "source.ip")[i].as_deref(), Some("198.51.100.99"));
        assert_eq!(texts(&df, "user_agent.original")[i].as_deref(), Some("python-requests/0.1"));
        assert_eq!(texts(&df, "jikoku.time.zone_source")[i].as_deref(), Some("record"));
    }
    // 02:31:08 +0900 is 17:31:08 UTC.
    assert_eq!(
        ts[shell[0]],
        chrono::DateTime::parse_from_rfc3339("2002-05-08T17:31:08Z").unwrap().timestamp_nanos_opt()
    );
    // Absent fields are nulls, not empty strings.
    let http = events.iter().filter(|e| e["url"]["original"].is_string()).count();
    assert_eq!(urls.iter().filter(|u| u.is_some()).count(), http);
    assert!(http >= 6 && http < events.len());
    // Arrays are joined.
    assert!(
        texts(&df, "event.category")
            .iter()
            .flatten()
            .any(|c| c == "authentication,session" || c == "authentication")
    );
}

#[test]
fn hive_partitions_by_host_and_day() {
    let mut events = sample_events();
    // A hostile host name must stay inside its partition directory.
    let mut evil = events[0].clone();
    evil["host"]["name"] = Value::from("../../x=1/%2F");
    events.push(evil);
    let mut nohost = events[1].clone();
    nohost.as_object_mut().unwrap().remove("host");
    events.push(nohost);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parquet-test/partitions");
    let _ = std::fs::remove_dir_all(&keep);
    std::fs::create_dir_all(keep.parent().unwrap()).unwrap();
    write_partitioned(&keep, &events, &[Partition::Host, Partition::Day]).unwrap();
    let files = write_partitioned(&dir, &events, &[Partition::Host, Partition::Day]).unwrap();
    let listed: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    let mut expected: Vec<String> = events
        .iter()
        .map(|e| {
            let day = e["@timestamp"].as_str().unwrap().get(..10).unwrap().to_string();
            let host = e["host"]["name"].as_str().unwrap_or("");
            format!("host={}/date={day}/part-0.parquet", partition_value(host))
        })
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(listed, expected);
    assert!(listed.contains(&"host=mail/date=2002-05-08/part-0.parquet".to_string()));
    assert!(listed.contains(&"host=www/date=2002-05-08/part-0.parquet".to_string()));
    assert!(listed.iter().any(|p| p.starts_with("host=%2E.%2F..%2Fx%3D1%2F%252F/date=")));
    assert!(listed.iter().any(|p| p.starts_with("host=__HIVE_DEFAULT_PARTITION__/date=")));
    assert_eq!(files.iter().map(|(_, n)| n).sum::<usize>(), events.len());
    let mut total = 0;
    for (rel, n) in &files {
        let p = dir.join(rel);
        assert!(p.starts_with(&dir) && p.is_file());
        let df = read(std::fs::read(&p).unwrap());
        assert_eq!(df.height(), *n);
        total += df.height();
    }
    assert_eq!(total, events.len());
    let www = read(std::fs::read(dir.join("host=www/date=2002-05-08/part-0.parquet")).unwrap());
    assert!(texts(&www, "host.name").iter().all(|h| h.as_deref() == Some("www")));
    assert_eq!(www.height(), events.iter().filter(|e| e["host"]["name"] == "www").count());
    // Never written into an existing directory.
    assert!(write_partitioned(&dir, &events, &[Partition::Day]).is_err());
    // Without a day: one level.
    let files = write_partitioned(&tmp.path().join("d"), &events, &[Partition::Day]).unwrap();
    assert!(files.iter().all(|(p, _)| p.components().count() == 2));
    assert!(files.iter().any(|(p, _)| p == &PathBuf::from("date=2002-05-08/part-0.parquet")));
    assert_eq!(files.iter().map(|(_, n)| n).sum::<usize>(), events.len());
}

#[test]
fn empty_frame_has_the_schema() {
    let df = events_frame(&[]).unwrap();
    assert_eq!(df.height(), 0);
    assert_eq!(df.width(), COLUMNS.len() + 1);
}
