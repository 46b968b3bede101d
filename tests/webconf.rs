//! `jikoku ingest --image` learns each web log's format and virtual host from the server
//! configurations inside the image (Debian apache2 + nginx with custom formats; a RHEL-style
//! httpd with `ServerRoot`-relative paths through the `logs` link and a piped rotatelogs).
//! The logs are real Apache 2.4.71 / nginx 1.22.1 output (crates/jikoku-formats/tests/fixtures/http).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn fixture(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    assert!(p.exists(), "missing fixture {}", p.display());
    p
}

fn run(args: &[&str]) -> (String, String) {
    let out = bin().args(args).output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {e}");
    (o, e)
}

fn jsonl(s: &str) -> Vec<Value> {
    s.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.').try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

fn n(v: &Value, path: &str) -> Option<i64> {
    path.split('.').try_fold(v, |v, k| v.get(k)).and_then(Value::as_i64)
}

fn manifest(index: &Path) -> Vec<Value> {
    let (out, _) = run(&["sources", "--index", index.to_str().unwrap(), "--output", "jsonl"]);
    jsonl(&out)
}

fn events_of(index: &Path, path: &str) -> Vec<Value> {
    let q = format!("log.file.path:\"{path}\"");
    let (out, _) = run(&[
        "search",
        "--index",
        index.to_str().unwrap(),
        "--output",
        "jsonl",
        "--limit",
        "1000",
        &q,
    ]);
    jsonl(&out)
}

#[test]
fn debian_apache_and_nginx_custom_formats() {
    let image = fixture("tests/fixtures/webconf/image");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("idx");
    let (_, err) =
        run(&["ingest", "--index", index.to_str().unwrap(), "--image", image.to_str().unwrap()]);
    assert!(err.contains("web server configuration: /etc/apache2/apache2.conf"), "{err}");
    assert!(err.contains("web server configuration: /etc/nginx/nginx.conf"), "{err}");

    let m = manifest(&index);
    let by_path = |p: &str| {
        m.iter().find(|e| s(e, "path") == Some(p)).unwrap_or_else(|| panic!("{p} not in manifest"))
    };
    for (path, format, records, note) in [
        (
            "/var/log/apache2/custom.log",
            "http",
            10,
            "CustomLog format custom); virtual host www.example.test",
        ),
        (
            "/var/log/apache2/custom.log.1.gz",
            "http",
            5,
            "CustomLog format custom); virtual host www.example.test",
        ),
        ("/var/log/apache2/access.log", "http", 15, "CustomLog format combined)"),
        (
            "/var/log/apache2/other_vhosts_access.log",
            "http",
            15,
            "CustomLog format vhost_combined)",
        ),
        ("/var/log/apache2/error.log", "http", 15, "(ErrorLog)"),
        (
            "/var/log/nginx/custom.log",
            "http.nginx",
            15,
            "access_log format custom); virtual host nginx.example.test",
        ),
        ("/var/log/nginx/access.log", "http.nginx", 15, "(access_log"),
    ] {
        let e = by_path(path);
        assert_eq!(s(e, "format"), Some(format), "{path}");
        assert_eq!(n(e, "records"), Some(records), "{path}");
        assert_eq!(n(e, "events"), Some(records), "{path}: every record an event");
        assert_eq!(n(e, "errors"), Some(0), "{path}");
        let notes: Vec<&str> =
            e["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(notes.iter().any(|x| x.contains(note)), "{path}: {notes:?}");
    }

    // Apache custom: `%v %a %{remote}p %{%Y-%m-%dT%H:%M:%S}t.%{usec_frac}t %{%z}t %m "%U%q" %H %>s %B %{ms}T "%{User-Agent}i"`
    let ev = events_of(&index, "/var/log/apache2/custom.log.1.gz");
    assert_eq!(ev.len(), 5);
    let first = &ev[0];
    assert_eq!(s(first, "event.dataset"), Some("http.custom"));
    assert_eq!(s(first, "@timestamp"), Some("2026-11-22T21:13:23.432266Z"));
    assert_eq!(s(first, "source.ip"), Some("127.0.0.1"));
    assert_eq!(n(first, "source.port"), Some(40790));
    assert_eq!(s(first, "http.request.method"), Some("GET"));
    assert_eq!(s(first, "url.original"), Some("/index.html"));
    assert_eq!(n(first, "http.response.status_code"), Some(200));
    assert_eq!(n(first, "http.response.body.bytes"), Some(6));
    assert_eq!(s(first, "user_agent.original"), Some("Mozilla/5.0 (X11; Linux x86_64) curl-ish"));
    assert_eq!(s(first, "destination.domain"), Some("www.example.test"));
    let q = &ev[1];
    assert_eq!(s(q, "url.path"), Some("/missing.php"));
    assert_eq!(s(q, "url.query"), Some("q=%22quoted%22&x=1"));
    assert_eq!(n(q, "http.response.status_code"), Some(404));
    let ipv6 = &ev[2];
    assert_eq!(s(ipv6, "source.ip"), Some("::1"));
    assert_eq!(s(ipv6, "http.request.method"), Some("HEAD"));
    assert_eq!(s(ipv6, "http.version"), Some("1.0"));

    // nginx custom: `$host $remote_addr:$remote_port $time_iso8601 $msec "$request_method $request_uri $server_protocol" ...`
    let ev = events_of(&index, "/var/log/nginx/custom.log");
    assert_eq!(ev.len(), 15);
    assert!(ev.iter().all(|e| s(e, "event.dataset") == Some("http.custom")));
    assert_eq!(s(&ev[0], "source.ip"), Some("127.0.0.1"));
    assert_eq!(n(&ev[0], "source.port"), Some(51172));
    assert_eq!(s(&ev[0], "url.original"), Some("/"));
    assert_eq!(n(&ev[0], "http.response.status_code"), Some(200));
    assert_eq!(s(&ev[0], "user_agent.original"), Some("Mozilla/5.0 (X11; Linux x86_64) curl-ish"));
    // $msec gives the millisecond: 1795382013.523.
    assert_eq!(s(&ev[0], "@timestamp"), Some("2026-11-22T21:13:33.523Z"));

    // The same file without its configuration is not recognised: the learned format is what
    // makes it readable.
    let (_, err) = run(&["parse", image.join("var/log/nginx/custom.log").to_str().unwrap()]);
    assert!(err.contains("0 events + 1 pipeline errors"), "{err}");
}

#[test]
fn rhel_httpd_server_root_logs_link_and_rotatelogs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("image");
    let w = |rel: &str, data: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    w("etc/hostname", b"web1\n");
    w("etc/timezone", b"UTC\n");
    w(
        "etc/httpd/conf/httpd.conf",
        br#"ServerRoot "/etc/httpd"
Include conf.modules.d/*.conf
<IfModule log_config_module>
    LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
    LogFormat "%v %a %{remote}p %{%Y-%m-%dT%H:%M:%S}t.%{usec_frac}t %{%z}t %m \"%U%q\" %H %>s %B %{ms}T \"%{User-Agent}i\"" custom
    CustomLog "logs/access_log" combined
</IfModule>
ErrorLog "logs/error_log"
IncludeOptional conf.d/*.conf
"#,
    );
    w(
        "etc/httpd/conf.modules.d/00-base.conf",
        b"LoadModule log_config_module modules/mod_log_config.so\n",
    );
    w(
        "etc/httpd/conf.d/shop.conf",
        b"<VirtualHost *:80>\n    ServerName shop.example.com\n    CustomLog \"|/usr/sbin/rotatelogs -l /var/log/httpd/shop_log.%Y%m%d 86400\" custom\n</VirtualHost>\n",
    );
    std::fs::create_dir_all(root.join("var/log/httpd")).unwrap();
    std::os::unix::fs::symlink("../../var/log/httpd", root.join("etc/httpd/logs")).unwrap();
    let http = fixture("crates/jikoku-formats/tests/fixtures/http");
    std::fs::copy(http.join("apache-combined.log"), root.join("var/log/httpd/access_log")).unwrap();
    std::fs::copy(http.join("apache-error.log"), root.join("var/log/httpd/error_log")).unwrap();
    std::fs::copy(http.join("apache-custom.log"), root.join("var/log/httpd/shop_log.20261122"))
        .unwrap();

    let index = tmp.path().join("idx");
    run(&["ingest", "--index", index.to_str().unwrap(), "--image", root.to_str().unwrap()]);
    let m = manifest(&index);
    let shop = m.iter().find(|e| s(e, "path") == Some("/var/log/httpd/shop_log.20261122")).unwrap();
    assert_eq!(n(shop, "errors"), Some(0), "{shop}");
    assert_eq!(n(shop, "events"), Some(15));
    let notes = shop["notes"].to_string();
    assert!(notes.contains("virtual host shop.example.com"), "{notes}");
    let access = m.iter().find(|e| s(e, "path") == Some("/var/log/httpd/access_log")).unwrap();
    assert!(access["notes"].to_string().contains("CustomLog format combined"), "{access}");
    let ev = events_of(&index, "/var/log/httpd/shop_log.20261122");
    assert!(ev.iter().all(|e| s(e, "event.dataset") == Some("http.custom")));
    // The line names its own virtual host (%v): that wins over the configuration's.
    assert_eq!(s(&ev[0], "destination.domain"), Some("www.example.test"));
}
