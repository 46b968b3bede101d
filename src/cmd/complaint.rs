//! `jikoku complaint FILE`: read an abuse complaint, find the hops and times that concern our
//! hosts, look them up in the index and write a draft incident note. All index access is here;
//! the analysis is `jikoku_timeline::complaint`, the rendering `jikoku_report::complaint`.

use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;

use jikoku_formats::mailheader::Complaint;
use jikoku_index::CaseIndex;
use jikoku_timeline::complaint::{
    Fetched, Options, OurHost, Ours, Probe, Report, candidate_names, investigate,
};

use super::UserError;
use crate::args::ComplaintArgs;

/// A term value for the query language: letters, digits and `-._@` only (queue ids, host names).
fn term_safe(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

pub fn run(a: ComplaintArgs) -> anyhow::Result<ExitCode> {
    let format: jikoku_report::complaint::Format = a.output.parse().map_err(UserError)?;
    let bytes = if a.file.as_os_str() == "-" {
        let mut b = vec![];
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(&a.file).map_err(|e| UserError(format!("{}: {e}", a.file.display())))?
    };
    let ours = a
        .ours
        .iter()
        .map(|o| Ours::parse(o).map_err(|e| UserError(format!("--ours: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let window_s = jikoku_time::parse_duration_secs(&a.window)
        .map_err(|e| UserError(format!("--window: {e}")))?;
    if window_s <= 0.0 {
        return Err(UserError("--window must be positive".into()).into());
    }
    let index = CaseIndex::open(&a.index).map_err(|e| UserError(e.to_string()))?;
    // our hosts' own addresses and names, as their images state them (the manifest); each under
    // the host name its events carry (the image's name, or its first label)
    let has_events = |h: &str| -> anyhow::Result<bool> {
        Ok(term_safe(h)
            && !index.search(&format!("host.name:{h}"), None, None, Some(1))?.is_empty())
    };
    let mut identities = vec![];
    for id in index.identities()? {
        let first = id.host.split('.').next().unwrap_or(&id.host).to_string();
        let host =
            if has_events(&id.host)? || !has_events(&first)? { id.host.clone() } else { first };
        let pairs = |v: &[jikoku_index::Known]| {
            v.iter().map(|k| (k.value.clone(), k.from.clone())).collect::<Vec<_>>()
        };
        let mut names = pairs(&id.names);
        for n in &mut names {
            n.0 = n.0.to_ascii_lowercase();
        }
        identities.push(OurHost {
            host,
            addresses: pairs(&id.addresses),
            names,
            domains: pairs(&id.domains),
        });
    }
    let window = (window_s * 1e9) as i64;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match jikoku_formats::mailheader::mbox::split(&bytes).filter(|m| m.len() > 1) {
        // an mbox: each message is a complaint of its own
        Some(msgs) => {
            let mut reports = vec![];
            for (n, m) in msgs.iter().enumerate() {
                let c = jikoku_formats::mailheader::read_complaint(&m.bytes);
                let r = analyse(&index, &c, &ours, window, &identities)?;
                reports.push(jikoku_report::complaint::Numbered {
                    number: n + 1,
                    line: m.line,
                    postmark: m.postmark.clone(),
                    report: r,
                });
            }
            jikoku_report::complaint::write_many(&mut out, &reports, format)?;
        }
        None => {
            let bytes = match jikoku_formats::mailheader::mbox::split(&bytes) {
                Some(mut one) => one.pop().map(|m| m.bytes).unwrap_or_default(),
                None => bytes,
            };
            let c = jikoku_formats::mailheader::read_complaint(&bytes);
            let report = analyse(&index, &c, &ours, window, &identities)?;
            jikoku_report::complaint::write(&mut out, &report, format)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The addresses the complaint's receivers saw the message come from, when our own logs show
/// one of our servers listening on it: sshd's `Connection from A port P on B port 22` and
/// dovecot's `lip=B` put B in `destination.ip` of that host's event. Each is added to the host's
/// identity with the log line that shows it.
fn learn_addresses_from_logs(
    index: &CaseIndex,
    complaint: &Complaint,
    ids: &mut Vec<OurHost>,
) -> anyhow::Result<()> {
    let mut ips: Vec<std::net::IpAddr> = vec![];
    for m in &complaint.messages {
        for h in &m.hops {
            if let Some(ip) = h.received.from_ip.as_deref().and_then(|i| i.parse().ok()) {
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
    }
    for ip in ips {
        let known = ids.iter().any(|h| {
            h.addresses.iter().any(|(a, _)| a.parse::<std::net::IpAddr>().ok() == Some(ip))
        });
        if known || ip.is_loopback() || ip.is_unspecified() {
            continue;
        }
        let q = format!(
            "destination.ip:{ip} AND (event.dataset:auth.sshd OR event.dataset:mail.dovecot)"
        );
        let Some(e) = index.search(&q, None, None, Some(1))?.into_iter().next() else { continue };
        let s = |k: &str| jikoku_timeline::s(&e, k).map(str::to_string);
        let Some(host) = s("host.name") else { continue };
        let line = jikoku_timeline::get(&e, "jikoku.line").and_then(serde_json::Value::as_u64);
        let from = format!(
            "{}{}: {} listened on it",
            s("log.file.path").unwrap_or_else(|| "?".into()),
            line.map(|l| format!(":{l}")).unwrap_or_default(),
            if s("event.dataset").as_deref() == Some("auth.sshd") { "sshd" } else { "dovecot" }
        );
        match ids.iter_mut().find(|h| h.host == host) {
            Some(h) => h.addresses.push((ip.to_string(), from)),
            None => ids.push(OurHost {
                host,
                addresses: vec![(ip.to_string(), from)],
                ..OurHost::default()
            }),
        }
    }
    Ok(())
}

/// One complaint against the index: which of its names are our hosts, which hop ids are our
/// queue ids, then the investigation with the events fetched for each probe.
fn analyse(
    index: &CaseIndex,
    complaint: &Complaint,
    ours: &[Ours],
    window: i64,
    identities: &[OurHost],
) -> anyhow::Result<Report> {
    // which names of the complaint are hosts of the index
    let mut known_hosts = vec![];
    for n in candidate_names(complaint) {
        if term_safe(&n)
            && !index.search(&format!("host.name:{n}"), None, None, Some(1))?.is_empty()
        {
            known_hosts.push((n.clone(), n));
        }
    }
    // names confirmed ours: the hop's id is a queue id of the host its first label names
    let mut confirmed: Vec<String> = vec![];
    for m in &complaint.messages {
        for h in &m.hops {
            let (Some(by), Some(id)) = (&h.received.by_name, &h.received.id) else { continue };
            let first = by.split('.').next().unwrap_or("").to_ascii_lowercase();
            let id = id.split('@').next().unwrap_or(id);
            let host = known_hosts.iter().find(|(n, _)| *n == first || n.eq_ignore_ascii_case(by));
            if let Some((_, host)) = host {
                if term_safe(id)
                    && term_safe(host)
                    && !index
                        .search(
                            &format!("jikoku.mail.queue_id:{id} AND host.name:{host}"),
                            None,
                            None,
                            Some(1),
                        )?
                        .is_empty()
                    && !confirmed.contains(by)
                {
                    confirmed.push(by.clone());
                }
            }
        }
    }
    let mut identities = identities.to_vec();
    learn_addresses_from_logs(index, complaint, &mut identities)?;
    let opts = Options { ours: ours.to_vec(), known_hosts, window, confirmed, identities };
    let day = 86_400_000_000_000i64;
    let mut error: Option<anyhow::Error> = None;
    let mut fetch = |p: &Probe| -> Fetched {
        let run = || -> anyhow::Result<Fetched> {
            let near = index.search("", Some(p.t - p.window), Some(p.t + p.window), None)?;
            let mut context = index.search(
                "(event.action:ssh-login AND event.outcome:success) OR (event.action:su AND event.outcome:success) OR event.action:login OR event.dataset:acct*",
                Some(p.t - day),
                Some(p.t + p.window),
                None,
            )?;
            context.extend(index.search(
                "event.action:session-closed OR event.action:ssh-disconnect OR event.action:logout",
                Some(p.t - day),
                Some(p.t + day),
                None,
            )?);
            let mut mail = vec![];
            for q in &p.queue_ids {
                let q = q.trim_start_matches('<').trim_end_matches('>');
                let q = q.split('@').next().unwrap_or(q);
                if term_safe(q) {
                    mail.extend(index.search(
                        &format!("jikoku.mail.queue_id:{q}"),
                        Some(p.t - day),
                        Some(p.t + day),
                        None,
                    )?);
                }
            }
            Ok(Fetched { near, context, mail })
        };
        run().unwrap_or_else(|e| {
            error.get_or_insert(e);
            Fetched::default()
        })
    };
    let report = investigate(complaint, &opts, &mut fetch);
    if let Some(e) = error {
        return Err(e);
    }
    Ok(report)
}
