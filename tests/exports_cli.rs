//! `--output html` and `--output parquet` from the command line, over the sample-logs case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README's main command: each host of sample-logs/ ingested as a disk image.
fn ingest_sample(idx: &Path) {
    for (host, skew) in [("mail", Some("mail=+93s")), ("www", None), ("mx", None)] {
        let mut c = bin();
        c.args(["ingest", "--image", "--year", "2002", "--index"]).arg(idx);
        if let Some(k) = skew {
            c.args(["--skew", k]);
        }
        let out = c.arg(root().join("sample-logs").join(host)).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn html_and_parquet_exports() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    ingest_sample(&idx);
    let manifest: Vec<Value> =
        ok(&bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap())
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let shas: Vec<&str> = manifest.iter().map(|m| m["sha256"].as_str().unwrap()).collect();
    assert!(shas.len() >= 8, "{}", shas.len());
    let answer: Vec<Value> = ok(&bin()
        .args(["at", "Wed, 8 May 2002 13:29:44 -0400", "--window", "10m", "--output", "jsonl"])
        .arg("--index")
        .arg(&idx)
        .output()
        .unwrap())
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    let sessions = answer.iter().filter(|l| l["kind"] == "session").count();
    let mail =
        answer.iter().filter(|l| l["kind"] == "item" && l["item"]["section"] == "mail").count();
    assert!(sessions >= 1 && mail >= 5, "{sessions} {mail}");

    // at: the report as a page, with every source's SHA-256 in its evidence table.
    let at = case.path().join("at.html");
    let at_cmd = |path: &Path| {
        bin()
            .args(["at", "Wed, 8 May 2002 13:29:44 -0400", "--window", "10m", "--output", "html"])
            .arg("--index")
            .arg(&idx)
            .arg("-o")
            .arg(path)
            .output()
            .unwrap()
    };
    ok(&at_cmd(&at));
    let page = std::fs::read_to_string(&at).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-"));
    for h in ["<h2>Question</h2>", "<h2>Time conversions</h2>", "<h2>Assumptions</h2>"] {
        assert!(page.contains(h), "{h}");
    }
    assert!(page.contains(&format!("<h2>Sessions active at that time ({sessions})</h2>")));
    assert!(page.contains(&format!("<h2>Mail near that time ({mail})</h2>")));
    assert!(page.contains("<h3 class=\"ev\" data-ev=\""), "commands of the session");
    assert!(page.contains("<td>mail</td><td>Asia/Tokyo</td><td class=\"mono\">2002-05-09 02:29:44 JST (+09:00)</td><td>+93 s</td><td class=\"mono\">2002-05-09 02:31:17 JST (+09:00)</td>"));
    // The evidence table: every hash is a source's, and the sources of the cited events are there.
    let ev = page.get(page.find("<h2>Evidence</h2>").unwrap()..).unwrap();
    let cited: Vec<&str> = ev
        .split("<td class=\"mono\">")
        .filter_map(|c| c.get(..64))
        .filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    assert!(cited.len() >= 4, "{cited:?}");
    assert!(cited.iter().all(|c| shas.contains(c)), "{cited:?}");
    for l in &answer {
        if let Some(sha) = l["item"]["event"]["jikoku"]["source"]["sha256"].as_str() {
            assert!(cited.contains(&sha), "{sha}");
        }
    }
    // Never overwritten.
    std::fs::write(&at, "keep").unwrap();
    let out = at_cmd(&at);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&at).unwrap(), "keep");

    // timeline -o FILE and search to stdout: every event in the data block.
    let tl = case.path().join("tl.html");
    ok(&bin()
        .args(["timeline", "--output", "html", "--index"])
        .arg(&idx)
        .arg("-o")
        .arg(&tl)
        .output()
        .unwrap());
    let page = std::fs::read_to_string(&tl).unwrap();
    let search =
        ok(&bin().args(["search", "--output", "html", "--index"]).arg(&idx).output().unwrap());
    assert_eq!(page, search);
    let start = page.find("id=\"jikoku-data\">").unwrap() + "id=\"jikoku-data\">".len();
    let end = start + page.get(start..).unwrap().find("</script>").unwrap();
    let data: Value = serde_json::from_str(page.get(start..end).unwrap()).unwrap();
    let all =
        ok(&bin().args(["search", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap());
    assert_eq!(data["events"].as_array().unwrap().len(), all.lines().count());

    // parquet: written with the feature; a clear message and exit 1 without it.
    let pq = case.path().join("t.parquet");
    let out = bin()
        .args(["timeline", "--output", "parquet", "--index"])
        .arg(&idx)
        .arg("-o")
        .arg(&pq)
        .output()
        .unwrap();
    let parts = case.path().join("parts");
    let part_out = bin()
        .args(["timeline", "--output", "parquet", "--partition", "host,day", "--index"])
        .arg(&idx)
        .arg("-o")
        .arg(&parts)
        .output()
        .unwrap();
    if cfg!(feature = "analytics-parquet") {
        ok(&out);
        assert_eq!(&std::fs::read(&pq).unwrap()[..4], b"PAR1");
        ok(&part_out);
        assert!(parts.join("host=mail/date=2002-05-08/part-0.parquet").is_file());
        assert!(parts.join("host=www/date=2002-05-08/part-0.parquet").is_file());
    } else {
        for o in [&out, &part_out] {
            assert_eq!(o.status.code(), Some(1));
            assert_eq!(
                String::from_utf8_lossy(&o.stderr).trim(),
                "jikoku: --output parquet: built without analytics-parquet: cargo build --features analytics-parquet"
            );
        }
        assert!(!pq.exists() && !parts.exists());
    }
    // --partition needs parquet.
    let out = bin()
        .args(["timeline", "--output", "html", "--partition", "host", "--index"])
        .arg(&idx)
        .arg("-o")
        .arg(case.path().join("p2"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
