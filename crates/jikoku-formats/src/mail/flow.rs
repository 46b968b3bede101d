//! Per-message flows: the records of one queued message (by host + queue id) joined into one
//! answer to "which message left at that time, who submitted it, from where, to whom, and
//! through which relay".
//!
//! Pure: takes decoded events (with or without `@timestamp`), returns flows in the order of
//! their first record. Queue ids are reused by Postfix (inode numbers): a flow is closed by
//! `mail-removed`, and the same id seen afterwards starts a new flow.

use std::collections::HashMap;

use jikoku_core::{Endpoint, Event, Timestamp};
use serde_json::{Value, json};

/// One recipient of a flow, with the last delivery attempt seen for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recipient {
    /// Address (`email.to.address`).
    pub address: String,
    /// Postfix `orig_to=` when different.
    pub orig_to: Option<String>,
    /// Last status (`sent`, `deferred`, `bounced`, …).
    pub status: Option<String>,
    /// Last `relay=` as written.
    pub relay: Option<String>,
    /// Where the relay was.
    pub destination: Endpoint,
    /// DSN code.
    pub dsn: Option<String>,
    /// Reply / reason text of the last attempt.
    pub response: Option<String>,
    /// Number of delivery records seen for this recipient.
    pub attempts: u32,
    /// Time of the last attempt.
    pub at: Option<Timestamp>,
}

/// One message on one host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MailFlow {
    /// `host.name` of the records.
    pub host: Option<String>,
    /// The MTA queue id.
    pub queue_id: String,
    /// `mail.postfix` or `mail.sendmail`.
    pub dataset: String,
    /// Indices (into the input slice) of the records of this flow.
    pub events: Vec<usize>,
    /// First and last record times.
    pub first: Option<Timestamp>,
    /// Last record time.
    pub last: Option<Timestamp>,
    /// The client that handed the message over (smtpd `client=`, sendmail `relay=` of `from=`).
    pub client: Endpoint,
    /// SASL login of the submitter.
    pub sasl_username: Option<String>,
    /// Local submitter: account name (sendmail `relay=user@localhost`).
    pub user_name: Option<String>,
    /// Local submitter: uid (postfix pickup).
    pub user_id: Option<String>,
    /// `smtp` or `local`.
    pub submission: Option<String>,
    /// Envelope sender (`None` for the null sender `<>`).
    pub from: Option<String>,
    /// True when the envelope sender is `<>` (a bounce).
    pub null_sender: bool,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// Size in bytes.
    pub size: Option<i64>,
    /// Recipients, in first-seen order.
    pub recipients: Vec<Recipient>,
    /// Queue ids of the bounce/DSN messages this one caused.
    pub bounces: Vec<String>,
    /// Queue id of the message this one is a bounce of.
    pub bounce_of: Option<String>,
    /// Queue ids given by the next MTA (`queued as X`, `X Message accepted for delivery`).
    pub next_queue_ids: Vec<String>,
    /// `removed` seen (postfix) / `done` (sendmail).
    pub removed: bool,
    /// Expired and returned to sender.
    pub expired: bool,
}

impl MailFlow {
    /// One JSON object (absent values omitted).
    pub fn to_json(&self) -> Value {
        let ts = |t: &Option<Timestamp>| t.as_ref().map(Timestamp::to_rfc3339);
        let ep = |e: &Endpoint| serde_json::to_value(e).unwrap_or(Value::Null);
        let mut v = json!({
            "host": self.host,
            "queue_id": self.queue_id,
            "dataset": self.dataset,
            "records": self.events.len(),
            "first": ts(&self.first),
            "last": ts(&self.last),
            "client": if self.client.is_empty() { Value::Null } else { ep(&self.client) },
            "sasl_username": self.sasl_username,
            "user_name": self.user_name,
            "user_id": self.user_id,
            "submission": self.submission,
            "from": self.from,
            "null_sender": self.null_sender.then_some(true),
            "message_id": self.message_id,
            "size": self.size,
            "recipients": self.recipients.iter().map(|r| {
                let mut o = json!({
                    "address": r.address, "orig_to": r.orig_to, "status": r.status, "relay": r.relay,
                    "destination": if r.destination.is_empty() { Value::Null } else { ep(&r.destination) },
                    "dsn": r.dsn, "response": r.response, "attempts": r.attempts, "at": ts(&r.at),
                });
                strip_nulls(&mut o);
                o
            }).collect::<Vec<_>>(),
            "bounces": self.bounces,
            "bounce_of": self.bounce_of,
            "next_queue_ids": self.next_queue_ids,
            "removed": self.removed,
            "expired": self.expired.then_some(true),
        });
        strip_nulls(&mut v);
        v
    }
}

/// The `jikoku.mail.flow` record of a flow, shaped like an event: `@timestamp` (the first
/// record's time), `event.dataset: jikoku.mail.flow`, `host.name`, `jikoku.mail.queue_id` and the
/// flow under `jikoku.mail.flow`.
pub fn flow_record(f: &MailFlow) -> Value {
    let mut v = json!({
        "@timestamp": f.first.as_ref().map(Timestamp::to_rfc3339),
        "event": {"kind": "event", "category": ["email"], "dataset": "jikoku.mail.flow", "action": "mail-flow"},
        "host": f.host.as_ref().map(|h| json!({"name": h})),
        "jikoku": {"mail": {"queue_id": f.queue_id, "flow": f.to_json()}},
    });
    strip_nulls(&mut v);
    v
}

fn strip_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null() && !x.as_array().is_some_and(Vec::is_empty));
    }
}

fn extra_str(e: &Event, key: &str) -> Option<String> {
    e.extra("mail", key).and_then(Value::as_str).map(str::to_string)
}

/// Joins mail events into per-message flows (see the module doc).
pub fn build_flows(events: &[Event]) -> Vec<MailFlow> {
    let mut flows: Vec<MailFlow> = Vec::new();
    let mut open: HashMap<(Option<String>, String), usize> = HashMap::new();
    // sendmail AUTH=server (no queue id) waiting for the from= of the same host + pid
    let mut pending_auth: HashMap<(Option<String>, i64), (Option<String>, Endpoint)> =
        HashMap::new();

    for (i, e) in events.iter().enumerate() {
        let ds = e.event.dataset.as_ref();
        if ds != "mail.postfix" && ds != "mail.sendmail" {
            continue;
        }
        let action = e.event.action.as_deref().unwrap_or("");
        if ds == "mail.sendmail"
            && action == "mail-auth"
            && extra_str(e, "auth_side").as_deref() == Some("server")
        {
            if let Some(pid) = e.process.pid {
                pending_auth.insert(
                    (e.host.name.clone(), pid),
                    (e.jikoku.mail.sasl_username.clone(), e.source.clone()),
                );
            }
            continue;
        }
        let Some(qid) = e.jikoku.mail.queue_id.clone() else { continue };
        let key = (e.host.name.clone(), qid.clone());
        let idx = match open.get(&key) {
            Some(&n) => n,
            None => {
                flows.push(MailFlow {
                    host: e.host.name.clone(),
                    queue_id: qid,
                    dataset: ds.to_string(),
                    ..MailFlow::default()
                });
                let n = flows.len() - 1;
                open.insert(key.clone(), n);
                n
            }
        };
        let Some(f) = flows.get_mut(idx) else { continue };
        f.events.push(i);
        if f.first.is_none() {
            f.first = e.timestamp;
        }
        if e.timestamp.is_some() {
            f.last = e.timestamp;
        }
        apply(f, e, action);
        if ds == "mail.sendmail" && action == "mail-submit" {
            if let Some(pid) = e.process.pid {
                if let Some((user, ep)) = pending_auth.remove(&(e.host.name.clone(), pid)) {
                    if f.sasl_username.is_none() {
                        f.sasl_username = user;
                    }
                    if f.client.is_empty() {
                        f.client = ep;
                    }
                }
            }
        }
        if action == "mail-removed" && ds == "mail.postfix" {
            open.remove(&key);
        }
    }
    // bounce_of: the reverse of bounces
    let links: Vec<(Option<String>, String, String)> = flows
        .iter()
        .flat_map(|f| f.bounces.iter().map(|b| (f.host.clone(), b.clone(), f.queue_id.clone())))
        .collect();
    for (host, bounce, orig) in links {
        if let Some(f) = flows
            .iter_mut()
            .find(|f| f.host == host && f.queue_id == bounce && f.bounce_of.is_none())
        {
            f.bounce_of = Some(orig);
        }
    }
    flows
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

fn apply(f: &mut MailFlow, e: &Event, action: &str) {
    if let Some(m) = &e.email.message_id {
        f.message_id.get_or_insert_with(|| m.clone());
    }
    if let Some(b) = extra_str(e, "bounce_queue_id") {
        push_unique(&mut f.bounces, b);
    }
    match action {
        "mail-submit" => {
            if !e.source.is_empty() {
                f.client = e.source.clone();
            }
            if let Some(u) = &e.jikoku.mail.sasl_username {
                f.sasl_username = Some(u.clone());
            }
            if let Some(s) = extra_str(e, "submission") {
                f.submission = Some(s);
            }
            if let Some(u) = &e.user.id {
                f.user_id = Some(u.clone());
            }
            if f.submission.as_deref() == Some("local") {
                if let Some(u) = &e.user.name {
                    f.user_name = Some(u.clone());
                }
            }
            sender(f, e);
        }
        "mail-queued" | "mail-expired" => {
            sender(f, e);
            if action == "mail-expired" {
                f.expired = true;
            }
        }
        "mail-delivery" => {
            for addr in &e.email.to.address {
                let pos = match f.recipients.iter().position(|r| &r.address == addr) {
                    Some(p) => p,
                    None => {
                        f.recipients
                            .push(Recipient { address: addr.clone(), ..Recipient::default() });
                        f.recipients.len() - 1
                    }
                };
                let Some(r) = f.recipients.get_mut(pos) else { continue };
                r.attempts = r.attempts.saturating_add(1);
                r.status = e.jikoku.mail.status.clone().or(r.status.take());
                if let Some(rel) = &e.jikoku.mail.relay {
                    r.relay = Some(rel.clone());
                }
                if !e.destination.is_empty() {
                    r.destination = e.destination.clone();
                }
                r.dsn = extra_str(e, "dsn").or(r.dsn.take());
                r.response =
                    extra_str(e, "response").or_else(|| extra_str(e, "stat")).or(r.response.take());
                if let Some(o) = extra_str(e, "orig_to") {
                    r.orig_to = Some(o);
                }
                r.at = e.timestamp.or(r.at);
            }
            for k in ["remote_queue_id", "forwarded_queue_id"] {
                if let Some(n) = extra_str(e, k) {
                    push_unique(&mut f.next_queue_ids, n);
                }
            }
        }
        "mail-removed" => f.removed = true,
        _ => {}
    }
}

fn sender(f: &mut MailFlow, e: &Event) {
    if let Some(a) = e.email.from.address.first() {
        f.from = Some(a.clone());
    }
    if e.extra("mail", "null_sender").is_some() {
        f.null_sender = true;
    }
    if let Some(s) = e.extra("mail", "size").and_then(Value::as_i64) {
        f.size = Some(s);
    }
}
