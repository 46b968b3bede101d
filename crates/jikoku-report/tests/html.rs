//! The HTML report with hostile log text: payloads planted in every log family (fixtures/hostile,
//! see gen.sh) must stay inert. Checked on the file itself and on the DOM that headless Chromium
//! builds from it (Debian's `chromium`; the test fails if it is missing), with screenshots saved
//! under target/tmp/html-test/.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use jikoku_report::at::Header;
use jikoku_report::html;
use jikoku_timeline::{Question, answer};
use serde_json::Value;

const P1: &str = "<script>alert(1)</script>";
const P2: &str = "\"><img src=x onerror=alert(2)>";
const P3: &str = "</script><script>alert(3)</script>";
const P2W: &str = "\"><img/src=x/onerror=alert(6)>";
const ACCT: &str = "</script><b>x";

fn fixture(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile").join(name);
    assert!(p.is_file(), "missing fixture {} (run gen.sh beside it)", p.display());
    p
}

/// Every hostile fixture through the real parsers (binary ones named host `www`).
fn events() -> Vec<Value> {
    let mut out = vec![];
    for name in ["auth.log", "mail.log", "access.log", "pacct", "wtmp"] {
        let (inputs, problems) = jikoku_ingest::walk(&[fixture(name)]);
        assert!(problems.is_empty(), "{problems:?}");
        let opts = jikoku_ingest::Options {
            host: Some("www".into()),
            ..jikoku_ingest::Options::default()
        };
        for input in &inputs {
            let r = jikoku_ingest::process_file(input, &opts, &mut |e| {
                out.push(serde_json::to_value(e).unwrap())
            })
            .unwrap();
            assert_eq!(r.errors, 0, "{name}: {r:?}");
        }
    }
    out
}

fn field<'a>(e: &'a Value, dotted: &str) -> &'a Value {
    dotted.split('.').fold(e, |v, k| &v[k])
}

fn find<'a>(evs: &'a [Value], dataset: &str, action: &str) -> (usize, &'a Value) {
    evs.iter()
        .enumerate()
        .find(|(_, e)| e["event"]["dataset"] == dataset && e["event"]["action"] == action)
        .unwrap_or_else(|| panic!("no {dataset} {action} event"))
}

/// The payloads reached parsed fields (not only the raw line) in every family.
#[test]
fn payloads_reach_the_fields_of_every_family() {
    let evs = events();
    assert_eq!(evs.len(), 9);
    assert_eq!(field(find(&evs, "auth.sshd", "ssh-invalid-user").1, "user.name"), P1);
    let sudo = find(&evs, "sudo.syslog", "sudo-command").1;
    assert_eq!(field(sudo, "process.command_line"), &format!("/bin/echo {P2}"));
    let note = evs.iter().find(|e| e["event"]["dataset"] == "syslog.rfc3339").unwrap();
    let msg = note["message"].as_str().unwrap();
    assert!(msg.contains(P3) && msg.contains('\u{2028}'), "{msg}");
    assert_eq!(field(find(&evs, "mail.postfix", "mail-submit").1, "user.name"), P1);
    assert_eq!(
        field(find(&evs, "mail.postfix", "mail-queued").1, "email.from.address")[0],
        format!("x{P3}@evil.example")
    );
    let web = find(&evs, "http.apache_combined", "http-request").1;
    assert_eq!(field(web, "user_agent.original"), P1);
    assert_eq!(field(web, "url.original"), &format!("/search?q={P2}"));
    assert_eq!(field(find(&evs, "acct.linux_v3", "process-run").1, "process.name"), ACCT);
    assert_eq!(field(find(&evs, "login.wtmp", "login").1, "source.domain"), P2W);
}

/// What a page must never contain, whatever the logs said.
fn assert_inert(page: &str, what: &str) {
    assert_eq!(page.matches("<script").count(), 2, "{what}: only the data block and the script");
    assert_eq!(page.matches("</script>").count(), 2, "{what}");
    assert!(!page.contains("<img"), "{what}: an <img> element");
    assert!(!page.contains("<b>"), "{what}: a <b> element");
    assert!(!page.contains('\u{2028}') && !page.contains('\u{2029}'), "{what}: U+2028/9 raw");
}

fn at_page(evs: &[Value]) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-03-01T08:01:00Z").unwrap();
    let q = Question {
        t: t.timestamp_nanos_opt().unwrap(),
        window: 600_000_000_000,
        ..Question::default()
    };
    let ans = answer(&q, evs, evs);
    assert!(ans.items.len() >= 7, "{}", ans.items.len());
    let hd = Header {
        text: format!("2026-03-01 08:01:00 UTC {P1}"),
        utc: "2026-03-01T08:01:00Z".into(),
        reporter_offset: "+00:00".into(),
        window: "10m".into(),
        focus: vec![format!("user {P2}")],
    };
    let mut out = vec![];
    html::write_at(&mut out, &hd, &ans).unwrap();
    String::from_utf8(out).unwrap()
}

fn timeline_page(evs: &[Value]) -> String {
    let mut out = vec![];
    html::write_timeline(&mut out, &format!("hostile {P3}"), evs).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn pages_keep_payloads_as_text() {
    let evs = events();
    let tl = timeline_page(&evs);
    assert_inert(&tl, "timeline");
    assert!(
        tl.contains("<title>hostile &lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;</title>")
    );
    // The data block parses back to the same events.
    let start = tl.find("id=\"jikoku-data\">").unwrap() + "id=\"jikoku-data\">".len();
    let end = start + tl[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&tl[start..end]).unwrap();
    let back: Vec<Value> =
        data["events"].as_array().unwrap().iter().map(|x| x["e"].clone()).collect();
    assert_eq!(back, evs);
    let at = at_page(&evs);
    assert_inert(&at, "at");
    assert!(at.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(at.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    for page in [&tl, &at] {
        let csp = html::content_security_policy();
        assert!(
            page.contains(&format!("http-equiv=\"Content-Security-Policy\" content=\"{csp}\""))
        );
        assert!(!page.contains("http://") && !page.contains("https://"), "no external resource");
        for tag in
            ["<link", "<iframe", "<object", "<embed", "<a ", "<base", "<form", "url(", "@import"]
        {
            assert!(!page.contains(tag), "{tag}: nothing to load or follow");
        }
    }
}

// ---- headless Chromium ----

fn chromium() -> PathBuf {
    let candidates = ["chromium", "chromium-browser"];
    for c in candidates {
        if let Ok(o) = Command::new(c).arg("--version").output() {
            if o.status.success() {
                return PathBuf::from(c);
            }
        }
    }
    panic!(
        "headless Chromium is required by this test: apt-get install -y chromium (Debian's package)"
    );
}

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-test");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_chromium(args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn dom(file: &Path, hash: &str) -> String {
    let url = format!("file://{}{hash}", file.display());
    let d = run_chromium(&["--dump-dom".into(), url]);
    assert!(!d.contains("data-error="), "script error: {d}");
    d
}

fn rendered(d: &str) -> usize {
    let i = d.find("data-rendered=\"").expect("the script did not run") + "data-rendered=\"".len();
    d[i..].split('"').next().unwrap().parse().unwrap()
}

/// Elements the DOM holds that the page did not put there: any <img>, <b>, or a third <script>.
fn assert_dom_inert(d: &str, what: &str) {
    assert_eq!(d.matches("<script").count(), 2, "{what}: a script element was created");
    assert!(!d.contains("<img"), "{what}: an <img> element was created");
    assert!(!d.contains("<b>"), "{what}: a <b> element was created");
}

#[test]
fn chromium_renders_payloads_as_text() {
    let evs = events();
    let dir = out_dir();
    let tl_file = dir.join("hostile-timeline.html");
    std::fs::write(&tl_file, timeline_page(&evs)).unwrap();
    let at_file = dir.join("hostile-at.html");
    std::fs::write(&at_file, at_page(&evs)).unwrap();

    // Every event is a row; every payload is text in it.
    let d = dom(&tl_file, "");
    assert_eq!(rendered(&d), evs.len());
    assert_eq!(d.matches("<tr class=\"ev").count(), evs.len());
    assert_dom_inert(&d, "timeline");
    for text in [
        "&lt;script&gt;alert(1)&lt;/script&gt;", // sshd user, smtpd SASL user
        "\"&gt;&lt;img src=x onerror=alert(2)&gt;", // sudo command, URL
        "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;", // syslog message, mail from=
        "&lt;/script&gt;&lt;b&gt;x",             // acct command name
    ] {
        assert!(d.contains(text), "{text} not shown as text");
    }
    assert!(d.contains('\u{2028}'), "U+2028 kept as text in the row");

    // Filters from the URL hash.
    let n_mail = evs.iter().filter(|e| e["host"]["name"] == "mail").count();
    assert_eq!(rendered(&dom(&tl_file, "#host=mail")), n_mail);
    assert_eq!(rendered(&dom(&tl_file, "#kind=login.wtmp")), 2);
    let d = dom(&tl_file, "#q=alert(3)");
    assert_eq!(rendered(&d), 2);
    assert!(d.contains("<option value=\"&lt;script&gt;alert(1)&lt;/script&gt;\">"), "user filter");

    // The detail of the wtmp login (host planted) and of the sudo command: raw line, JSON.
    let (i, _) = find(&evs, "login.wtmp", "login");
    let d = dom(&tl_file, &format!("#ev={i}"));
    assert_dom_inert(&d, "wtmp detail");
    assert!(d.contains("\"domain\": \"\\\"&gt;&lt;img/src=x/onerror=alert(6)&gt;\""), "{d}");
    let (i, _) = find(&evs, "sudo.syslog", "sudo-command");
    let d = dom(&tl_file, &format!("#ev={i}"));
    assert_dom_inert(&d, "sudo detail");
    assert!(d.contains(
        "<pre class=\"raw\">2026-03-01T08:00:05+00:00 www sudo:    alice : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/bin/echo \"&gt;&lt;img src=x onerror=alert(2)&gt;</pre>"
    ));

    // The at page: static tables and the timeline.
    let d = dom(&at_file, "");
    assert_dom_inert(&d, "at");
    assert!(rendered(&d) >= 7);
    assert!(d.contains("<h2>Evidence</h2>"));

    // Screenshots (looked at by hand; must not be blank).
    let (i, _) = find(&evs, "http.apache_combined", "http-request");
    for (file, hash, png) in [
        (&tl_file, format!("#ev={i}"), "hostile-timeline.png"),
        (&at_file, String::new(), "hostile-at.png"),
    ] {
        let shot = dir.join(png);
        let _ = std::fs::remove_file(&shot);
        run_chromium(&[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,1200".into(),
            "--hide-scrollbars".into(),
            format!("file://{}{hash}", file.display()),
        ]);
        let len = std::fs::metadata(&shot).unwrap().len();
        assert!(len > 30_000, "{}: {len} bytes, blank?", shot.display());
    }
}
