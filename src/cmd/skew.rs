//! `jikoku skew`: estimate each host's clock offset from events seen by two hosts, and
//! optionally apply it to the indexed events as declared skew.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use jikoku_index::{CaseIndex, SkewRecord};
use jikoku_report::escape::{markdown_cell, terminal};
use jikoku_timeline::skew::{Estimate, Link, Options, Pair, estimate, reskew};

use super::UserError;
use crate::args::SkewArgs;

/// The events the estimator looks at: mail lines, ssh logins, accounting `ssh` records.
pub const EVIDENCE_QUERY: &str =
    "event.dataset:mail* OR event.action:ssh-login OR process.name:ssh";

fn signed(x: f64) -> String {
    let x = x + 0.0; // no "-0"
    if x == 0.0 {
        "0 s".into()
    } else if x.fract() == 0.0 {
        format!("{x:+} s")
    } else {
        format!("{x:+.1} s")
    }
}

/// One applied change.
#[derive(Debug)]
struct Applied {
    host: String,
    before_s: f64,
    after_s: f64,
    events: u64,
}

fn from_what(est: &Estimate, host: &str) -> String {
    let reference = est.reference.as_deref().unwrap_or("?");
    let mut parts = vec![format!("reference {reference}")];
    for l in &est.links {
        let kinds: Vec<String> = l.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        parts.push(format!(
            "{} ↔ {}: {} pairs ({}), MAD {:.1} s, min {:+.1} s, max {:+.1} s",
            l.a,
            l.b,
            l.n,
            kinds.join(", "),
            l.mad_s,
            l.min_s,
            l.max_s
        ));
    }
    if let Some(h) = est.hosts.iter().find(|h| h.host == host) {
        if !h.via.is_empty() {
            parts.push(format!("via {}", h.via.join(", ")));
        }
    }
    parts.join("; ")
}

pub fn run(a: SkewArgs) -> anyhow::Result<ExitCode> {
    let max = jikoku_time::parse_duration_secs(&a.max_offset)
        .map_err(|e| UserError(format!("--max-offset: {e}")))?;
    if max <= 0.0 {
        return Err(UserError("--max-offset must be positive".into()).into());
    }
    let mut addresses = vec![];
    for x in &a.addr {
        let Some((h, ip)) = x.split_once('=') else {
            return Err(UserError(format!("--addr {x:?}: expected HOST=IP")).into());
        };
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(UserError(format!("--addr {x:?}: {ip:?} is not an IP address")).into());
        }
        addresses.push((h.to_string(), ip.to_string()));
    }
    let format = a.output.as_str();
    if !matches!(format, "table" | "markdown" | "md" | "jsonl" | "json") {
        return Err(UserError(format!(
            "--output: unknown format {format:?}; known: table, markdown, jsonl"
        ))
        .into());
    }
    let index = CaseIndex::open(&a.index).map_err(|e| UserError(e.to_string()))?;
    let events = index.search(EVIDENCE_QUERY, None, None, None)?;
    let opts = Options { max_offset_s: max, reference: a.reference.clone(), addresses };
    let est = estimate(&events, &opts);
    if let Some(r) = &a.reference {
        if !est.hosts.iter().any(|h| &h.host == r) {
            return Err(UserError(format!(
                "--reference {r}: no evidence mentions this host (hosts with evidence: {})",
                est.links
                    .iter()
                    .flat_map(|l| [l.a.clone(), l.b.clone()])
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
    }
    let mut applied = vec![];
    if a.apply {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let targets: Vec<_> = est
            .hosts
            .iter()
            .filter(|h| h.apply_s != 0.0)
            .filter(|h| a.host.is_empty() || a.host.contains(&h.host))
            .collect();
        if !targets.is_empty() {
            let mut writer = index.writer(64 << 20)?;
            for h in targets {
                let mut evs = index.host_events(&h.host)?;
                let mut before: std::collections::BTreeMap<i64, u64> = Default::default();
                for (ts, _, e) in evs.iter_mut() {
                    let old = jikoku_timeline::get(e, "jikoku.time.skew_seconds")
                        .and_then(serde_json::Value::as_f64)
                        .unwrap_or(0.0);
                    *before.entry((old * 1e3).round() as i64).or_insert(0) += 1;
                    // The difference is added to what each event already carries.
                    if let Some(t) = reskew(e, old + h.apply_s) {
                        *ts = t;
                    }
                }
                let before_s = before
                    .into_iter()
                    .max_by_key(|(_, n)| *n)
                    .map(|(k, _)| k as f64 / 1e3)
                    .unwrap_or(0.0);
                let rec = SkewRecord {
                    host: h.host.clone(),
                    before_s,
                    after_s: before_s + h.apply_s,
                    estimated_from: from_what(&est, &h.host),
                    events: evs.len() as u64,
                    applied_at: Some(now.clone()),
                };
                writer.replace_host(&h.host, &evs, rec)?;
                applied.push(Applied {
                    host: h.host.clone(),
                    before_s,
                    after_s: before_s + h.apply_s,
                    events: evs.len() as u64,
                });
            }
            writer.finish()?;
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    match format {
        "jsonl" | "json" => jsonl(&mut out, &est, &applied)?,
        "markdown" | "md" => markdown(&mut out, &est, &applied, a.show_pairs)?,
        _ => table(&mut out, &est, &applied, a.show_pairs, a.apply)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn jsonl(out: &mut dyn Write, est: &Estimate, applied: &[Applied]) -> anyhow::Result<()> {
    let line = |out: &mut dyn Write, v: serde_json::Value| -> anyhow::Result<()> {
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    line(
        out,
        serde_json::json!({"type":"estimate","reference":est.reference,"unlinked":est.unlinked,
            "implausible_pairs":est.implausible,"addresses":est.addresses,"notes":est.notes}),
    )?;
    for h in &est.hosts {
        let mut v = serde_json::to_value(h)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("type".into(), "host".into());
        }
        line(out, v)?;
    }
    for l in &est.links {
        let mut v = serde_json::to_value(l)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("type".into(), "link".into());
        }
        line(out, v)?;
    }
    for x in applied {
        line(
            out,
            serde_json::json!({"type":"applied","host":x.host,"before_s":x.before_s,
                "after_s":x.after_s,"events":x.events}),
        )?;
    }
    Ok(())
}

fn pair_text(p: &Pair) -> String {
    let w = |x: &jikoku_timeline::skew::Witness| {
        format!(
            "[{}] {} ({}{})",
            x.host,
            x.local.as_deref().unwrap_or(&x.timestamp),
            x.path.as_deref().unwrap_or("?"),
            x.line
                .map(|l| format!(":{l}"))
                .or(x.offset.map(|o| format!("@{o}")))
                .unwrap_or_default()
        )
    };
    format!("{}: {} → {}: {:+.3} s", p.key, w(&p.earlier), w(&p.later), p.diff_s)
}

fn link_text(l: &Link) -> String {
    let kinds: Vec<String> = l.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    format!(
        "{b} − {a} = {off} from {n} pairs ({kinds}); {nm} at the minimum delay; differences: median {med:+.1} s, MAD {mad:.1} s, min {min:+.1} s, max {max:+.1} s; typical delay {d:.1} s{out}",
        a = l.a,
        b = l.b,
        off = signed(l.offset_s),
        n = l.n,
        kinds = kinds.join(", "),
        nm = l.n_min_delay,
        med = l.median_s + 0.0,
        mad = l.mad_s,
        min = l.min_s + 0.0,
        max = l.max_s + 0.0,
        d = l.typical_delay_s,
        out = if l.outliers > 0 {
            format!("; {} outliers dropped", l.outliers)
        } else {
            String::new()
        }
    )
}

fn table(
    out: &mut dyn Write,
    est: &Estimate,
    applied: &[Applied],
    show: usize,
    apply: bool,
) -> anyhow::Result<()> {
    let Some(r) = &est.reference else {
        writeln!(
            out,
            "No evidence ties two hosts' clocks together (no mail handed from one indexed host to another, no ssh hop with accounting on the client)."
        )?;
        return Ok(());
    };
    writeln!(
        out,
        "Clock offsets relative to {} (positive: the clock was fast), from events seen by two hosts",
        terminal(r)
    )?;
    writeln!(
        out,
        "{:<16} {:>10} {:>8} {:>10} {:>10} {:>6} {:>6}  via",
        "host", "offset", "apply", "declared", "total", "pairs", "±"
    )?;
    for h in &est.hosts {
        writeln!(
            out,
            "{:<16} {:>10} {:>8} {:>10} {:>10} {:>6} {:>6}  {}",
            terminal(&h.host),
            if &h.host == r { "reference".to_string() } else { signed(h.offset_s) },
            signed(h.apply_s),
            signed(h.declared_s),
            signed(h.declared_s + h.apply_s),
            h.n,
            format!("{:.1}", h.uncertainty_s),
            terminal(&h.via.join(" → "))
        )?;
    }
    for u in &est.unlinked {
        writeln!(out, "{:<16} {:>10}  (no evidence links it to the others)", terminal(u), "?")?;
    }
    writeln!(out)?;
    writeln!(out, "Links")?;
    for l in &est.links {
        writeln!(out, "  {}", terminal(&link_text(l)))?;
        let mut ps: Vec<&Pair> = l.pairs.iter().collect();
        ps.sort_by(|x, y| x.diff_s.abs().total_cmp(&y.diff_s.abs()));
        for p in ps.iter().take(show) {
            writeln!(out, "    {}", terminal(&pair_text(p)))?;
        }
        if l.pairs.len() > show {
            writeln!(out, "    … {} more (--show-pairs N, --output jsonl)", l.pairs.len() - show)?;
        }
    }
    if est.implausible > 0 {
        writeln!(out, "  {} pairs ignored as implausible (beyond --max-offset)", est.implausible)?;
    }
    writeln!(out)?;
    for n in &est.notes {
        writeln!(out, "note: {n}")?;
    }
    if apply {
        writeln!(out)?;
        if applied.is_empty() {
            writeln!(out, "nothing to apply: every estimated offset rounds to 0 s")?;
        }
        for x in applied {
            writeln!(
                out,
                "applied: {} skew {} → {} ({} events rewritten; recorded in the manifest)",
                terminal(&x.host),
                signed(x.before_s),
                signed(x.after_s),
                x.events
            )?;
        }
    } else if est.hosts.iter().any(|h| h.apply_s != 0.0) {
        writeln!(out)?;
        writeln!(out, "to apply: jikoku skew --index DIR --apply")?;
    }
    Ok(())
}

fn markdown(
    out: &mut dyn Write,
    est: &Estimate,
    applied: &[Applied],
    show: usize,
) -> anyhow::Result<()> {
    writeln!(out, "## Clock skew\n")?;
    let Some(r) = &est.reference else {
        writeln!(out, "No evidence ties two hosts' clocks together.")?;
        return Ok(());
    };
    writeln!(
        out,
        "Offsets relative to `{}` (positive: the clock was fast), from events seen by two hosts.\n",
        markdown_cell(r)
    )?;
    writeln!(out, "| host | offset | apply | declared | total | pairs | ± s | via |")?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for h in &est.hosts {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.1} | {} |",
            markdown_cell(&h.host),
            if &h.host == r { "reference".to_string() } else { signed(h.offset_s) },
            signed(h.apply_s),
            signed(h.declared_s),
            signed(h.declared_s + h.apply_s),
            h.n,
            h.uncertainty_s,
            markdown_cell(&h.via.join(" → "))
        )?;
    }
    for u in &est.unlinked {
        writeln!(out, "| {} | ? | | | | 0 | | no evidence |", markdown_cell(u))?;
    }
    writeln!(out, "\n### Evidence\n")?;
    for l in &est.links {
        writeln!(out, "- {}", markdown_cell(&link_text(l)))?;
        for p in l.pairs.iter().take(show) {
            writeln!(out, "  - {}", markdown_cell(&pair_text(p)))?;
        }
    }
    writeln!(out)?;
    for n in &est.notes {
        writeln!(out, "> {}\n", markdown_cell(n))?;
    }
    for x in applied {
        writeln!(
            out,
            "Applied: `{}` skew {} → {} ({} events rewritten).\n",
            markdown_cell(&x.host),
            signed(x.before_s),
            signed(x.after_s),
            x.events
        )?;
    }
    Ok(())
}
