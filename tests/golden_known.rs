//! Known answers published with the golden inputs, asserted on the reviewed `expected.jsonl`
//! files (which `golden.rs` checks against the pipeline's output): plaso's counts and fields
//! (shared/corpora/plaso/EXPECTED-NOTES.md, plaso commit 4ea03ef9) and the RFC examples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;

fn case(name: &str) -> Vec<Value> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
        .join("expected.jsonl");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn events(v: &[Value]) -> Vec<&Value> {
    v.iter().filter(|e| e["event"]["kind"] == "event").collect()
}

fn errors(v: &[Value]) -> usize {
    v.iter().filter(|e| e["event"]["kind"] == "pipeline_error").count()
}

fn s<'a>(e: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(e, |v, k| &v[k])
}

#[test]
fn plaso_counts() {
    for (name, n, err) in [
        ("plaso-syslog", 16, 1),
        ("plaso-syslog-cron-log", 9, 0),
        ("plaso-syslog-osx", 2, 0),
        ("plaso-syslog-rsyslog-sysklogdfileformat", 9, 0),
        ("plaso-syslog-rsyslog-traditional", 8, 0),
        ("plaso-syslog-ssh-log", 9, 0),
        ("plaso-syslog-chromeos", 8, 0),
        ("plaso-syslog-rsyslog", 5, 0),
        ("plaso-syslog-rsyslog-syslogprotocol23format", 9, 0),
    ] {
        let v = case(name);
        assert_eq!((events(&v).len(), errors(&v)), (n, err), "{name}");
    }
}

#[test]
fn plaso_fields() {
    let v = case("plaso-syslog");
    let ev = events(&v);
    let e = ev[0];
    assert_eq!(s(e, "host.name"), "myhostname.myhost.com");
    assert_eq!(s(e, "process.name"), "client");
    assert_eq!(s(e, "process.pid"), 30840);
    assert_eq!(s(e, "message"), "INFO No new content in ímynd.dd.");
    assert_eq!(s(e, "@timestamp"), "2012-01-22T07:52:33Z");
    let e = ev[9];
    assert_eq!(s(e, "process.name"), "somrandomexe");
    assert_eq!(s(e, "message"), "This syslog message has a fractional value for seconds.");
    // plaso puts this record one year after the first (relative year 0001); jikoku's year
    // inference (jikoku-time) keeps it in the first year: the file's Dec→Mar order is synthetic.
    assert_eq!(s(e, "@timestamp"), "2012-03-23T23:01:18.123Z");
    assert_eq!(errors(&v), 1);
    assert!(v.iter().any(|e| e["event"]["kind"] == "pipeline_error"
        && s(e, "event.original").as_str().unwrap().starts_with("MMM 22 07:54:32")));

    let v = case("plaso-syslog-cron-log");
    let e = events(&v)[1];
    assert_eq!(s(e, "event.action"), "cron-command");
    assert_eq!(s(e, "user.name"), "root");
    assert_eq!(s(e, "process.command_line"), "sleep $(( 1 * 60 )); touch /tmp/afile.txt");
    assert_eq!(s(e, "@timestamp"), "2026-03-11T19:26:39Z");

    let v = case("plaso-syslog-osx");
    let e = events(&v)[0];
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name")),
        (&Value::from("osx-machine"), &Value::from("kernel"))
    );
    assert_eq!(s(e, "@timestamp"), "2026-03-11T19:26:39Z");

    let v = case("plaso-syslog-rsyslog-sysklogdfileformat");
    let e = events(&v)[0];
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name")),
        (&Value::from("hostname"), &Value::from("log_tag"))
    );
    assert_eq!(s(e, "@timestamp"), "2026-03-06T04:07:28Z");
    assert_eq!(s(events(&v)[1], "message"), "this is info\nwith another line");

    let v = case("plaso-syslog-rsyslog-traditional");
    let e = events(&v)[0];
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name")),
        (&Value::from("myhostname.myhost.com"), &Value::from("Job"))
    );
    assert_eq!(s(e, "@timestamp"), "2026-01-22T07:54:32Z");

    let v = case("plaso-syslog-ssh-log");
    let ev = events(&v);
    assert_eq!(s(ev[1], "event.action"), "ssh-login");
    assert_eq!(s(ev[1], "source.ip"), "192.168.0.1");
    assert_eq!(s(ev[1], "jikoku.ssh.key_type"), "RSA");
    assert_eq!(
        s(ev[1], "jikoku.ssh.fingerprint"),
        "00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99"
    );
    assert_eq!(s(ev[1], "@timestamp"), "2026-03-11T19:26:39Z");
    assert_eq!(
        (s(ev[3], "event.outcome"), s(ev[3], "source.ip"), s(ev[3], "source.port")),
        (&Value::from("failure"), &Value::from("001:db8:a0b:12f0::1"), &Value::from(8759))
    );
    assert_eq!(s(ev[3], "@timestamp"), "2026-03-11T22:55:30Z");
    assert_eq!(
        (s(ev[4], "event.action"), s(ev[4], "source.ip")),
        (&Value::from("ssh-connection"), &Value::from("188.124.3.41"))
    );
    assert_eq!(s(ev[4], "@timestamp"), "2026-03-11T22:55:31Z");

    let v = case("plaso-syslog-chromeos");
    let e = events(&v)[0];
    assert_eq!(s(e, "@timestamp"), "2016-10-25T19:37:23.297265Z");
    assert_eq!(s(e, "log.level"), "INFO");
    assert_eq!(
        (s(e, "process.name"), s(e, "process.pid")),
        (&Value::from("periodic_scheduler"), &Value::from(13707))
    );
    assert_eq!(s(e, "message"), "cleanup_logs: job completed");
    assert!(s(e, "host.name").is_null());

    let v = case("plaso-syslog-rsyslog");
    let e = events(&v)[0];
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name")),
        (&Value::from("localhost"), &Value::from("rsyslogd"))
    );
    assert_eq!(s(e, "@timestamp"), "2020-05-31T00:00:45.698463Z");

    let v = case("plaso-syslog-rsyslog-syslogprotocol23format");
    let e = events(&v)[0];
    assert_eq!(s(e, "log.syslog.facility.name"), "user");
    assert_eq!(s(e, "log.syslog.severity.name"), "debug");
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name")),
        (&Value::from("hostname"), &Value::from("log_tag"))
    );
    assert_eq!(s(e, "log.syslog.msgid"), "123");
    assert_eq!(s(e, "@timestamp"), "2021-03-06T04:07:38.251122Z");
    assert_eq!(s(events(&v)[1], "message"), "this is info\nwith another line");
}

#[test]
fn rfc5424_examples() {
    let v = case("rfc5424-examples");
    let ev = events(&v);
    assert_eq!((ev.len(), errors(&v)), (4, 0));
    assert_eq!(s(ev[0], "@timestamp"), "2003-10-11T22:14:15.003Z");
    assert_eq!(s(ev[0], "log.syslog.facility.name"), "auth");
    assert_eq!(s(ev[0], "log.syslog.severity.name"), "crit");
    assert_eq!(s(ev[0], "log.syslog.msgid"), "ID47");
    assert_eq!(s(ev[0], "message"), "'su root' failed for lonvick on /dev/pts/8");
    assert_eq!(
        (s(ev[0], "user.name"), s(ev[0], "user.target.name")),
        (&Value::from("lonvick"), &Value::from("root"))
    );
    assert_eq!(s(ev[1], "@timestamp"), "2003-08-24T12:14:15.000003Z");
    assert_eq!(
        (s(ev[1], "host.name"), s(ev[1], "process.pid")),
        (&Value::from("192.0.2.1"), &Value::from(8710))
    );
    assert_eq!(s(ev[2], "log.syslog.structured_data.exampleSDID@32473.eventSource"), "Application");
    assert_eq!(s(ev[2], "message"), "An application event log entry...");
    assert_eq!(s(ev[3], "log.syslog.structured_data.examplePriority@32473.class"), "high");
}

#[test]
fn rfc3164_examples() {
    let v = case("rfc3164-examples");
    assert_eq!((events(&v).len(), errors(&v)), (4, 1));
    let e = events(&v)[0];
    assert_eq!(
        (s(e, "host.name"), s(e, "process.name"), s(e, "log.syslog.priority")),
        (&Value::from("mymachine"), &Value::from("su"), &Value::from(34))
    );
    assert_eq!(s(e, "@timestamp"), "2003-10-11T22:14:15Z");
    // RFC 3164 §5.4 example 3: a relay reads `CST` as the HOSTNAME.
    assert_eq!(s(events(&v)[2], "host.name"), "CST");
}
