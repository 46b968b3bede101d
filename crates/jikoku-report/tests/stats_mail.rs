//! Mail signals on generated postfix events (the field names the postfix parser emits:
//! `jikoku.mail.sasl_username`, `jikoku.mail.queue_id`, `jikoku.mail.status`, `email.to.address`,
//! `source.ip`, `source.domain`): 50 accounts over a month, a newsletter account that is busy every
//! day, and 3 compromised accounts that must rank first.
#![cfg(feature = "analytics")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use jikoku_report::stats;
use serde_json::{Value, json};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 2026-06-01T00:00:00Z.
const T0: i64 = 1_780_272_000;
const DAY: i64 = 86_400;
const COMPROMISED: [&str; 3] = ["user07@example.jp", "user23@example.jp", "user41@example.jp"];

fn ts(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One submitted message: the smtpd line (client, account), one delivery line per recipient,
/// as the postfix parser emits them.
fn message(
    v: &mut Vec<Value>,
    n: &mut u64,
    t: i64,
    account: &str,
    ip: &str,
    rdns: &str,
    rcpts: &[(String, &str)],
) {
    *n += 1;
    let q = format!("{:X}", 0x4A0000 + *n);
    v.push(json!({
        "@timestamp": ts(t), "event": {"dataset": "postfix.smtpd"},
        "source": {"ip": ip, "domain": rdns},
        "jikoku": {"mail": {"queue_id": q, "sasl_username": account}}
    }));
    v.push(json!({
        "@timestamp": ts(t + 1), "event": {"dataset": "postfix.qmgr"},
        "email": {"from": {"address": [account]}},
        "jikoku": {"mail": {"queue_id": q}}
    }));
    for (i, (to, status)) in rcpts.iter().enumerate() {
        v.push(json!({
            "@timestamp": ts(t + 2 + i as i64), "event": {"dataset": "postfix.smtp"},
            "email": {"to": {"address": [to]}},
            "jikoku": {"mail": {"queue_id": q, "status": status}}
        }));
    }
}

fn traffic() -> Vec<Value> {
    let mut r = Rng(7);
    let mut v = vec![];
    let mut n = 0;
    for a in 1..=50u64 {
        let account = format!("user{a:02}@example.jp");
        let home = format!("203.0.{}.{}", 100 + a, 10 + a);
        let home_rdns = format!("p{a}.home.example.jp");
        let mobile = format!("198.51.{}.{}", a, 20 + a);
        let mobile_rdns = format!("m{a}.mobile.example.ne.jp");
        for d in 0..30 {
            for _ in 0..r.below(8) {
                let t = T0 + d * DAY + 7 * 3600 + r.below(14 * 3600) as i64;
                let (ip, rdns) =
                    if r.below(4) == 0 { (&mobile, &mobile_rdns) } else { (&home, &home_rdns) };
                let rcpts: Vec<(String, &str)> = (0..1 + r.below(3))
                    .map(|k| {
                        (
                            format!("friend{k}@example.com"),
                            if r.below(33) == 0 { "bounced" } else { "sent" },
                        )
                    })
                    .collect();
                message(&mut v, &mut n, t, &account, ip, rdns, &rcpts);
            }
        }
    }
    // A newsletter: 300 recipients every day, from one host.
    for d in 0..30 {
        let t = T0 + d * DAY + 6 * 3600;
        let rcpts: Vec<(String, &str)> = (0..300)
            .map(|k| (format!("sub{k}@example.org"), if k % 50 == 0 { "bounced" } else { "sent" }))
            .collect();
        message(&mut v, &mut n, t, "news@example.jp", "192.0.2.25", "mail.example.jp", &rcpts);
    }
    // Compromised: on 2 days, ~300 messages each from 30 hosts of a botnet in many /24s and
    // countries; 35% bounced.
    let tlds = ["br", "vn", "ru", "in", "id", "tr", "ar", "mx", "net", "com"];
    for (k, account) in COMPROMISED.iter().enumerate() {
        for d in [18 + k as i64, 19 + k as i64] {
            for m in 0..300u64 {
                let h = r.below(30);
                let ip = format!("{}.{}.{}.{}", 100 + h * 3, 40 + k, h * 7 % 250, 1 + m % 250);
                let rdns = format!("host{h}.dyn.example.{}", tlds[(h % 10) as usize]);
                let t = T0 + d * DAY + (m as i64) * 100;
                let rcpts: Vec<(String, &str)> = (0..1 + r.below(3))
                    .map(|j| {
                        (
                            format!("victim{m}{j}@example.net"),
                            if r.below(100) < 35 { "bounced" } else { "sent" },
                        )
                    })
                    .collect();
                message(&mut v, &mut n, t, account, &ip, &rdns, &rcpts);
            }
        }
    }
    v.sort_by(|a, b| a["@timestamp"].as_str().cmp(&b["@timestamp"].as_str()));
    v
}

#[test]
fn compromised_accounts_rank_first() {
    let events = traffic();
    let f = stats::mail_signals(&events).unwrap();
    for x in f.iter().take(6) {
        eprintln!("{:>5.1} {:<22} {}", x.score, x.subject, x.reason);
    }
    assert_eq!(f.len(), 51, "50 accounts and the newsletter");
    let mut top: Vec<&str> = f.iter().take(3).map(|x| x.subject.as_str()).collect();
    top.sort_unstable();
    assert_eq!(top, COMPROMISED);
    // Clearly apart from the rest (the newsletter is busy every day: its usual day).
    assert!(f[2].score > f[3].score + 30.0, "{:?} vs {:?}", f[2], f[3]);
    let news = f.iter().find(|x| x.subject == "news@example.jp").unwrap();
    assert!(news.score < 40.0, "{news:?}");
    assert!(news.reason.contains("usually 300.0 recipients a day"), "{}", news.reason);
    let c = f.iter().find(|x| x.subject == COMPROMISED[0]).unwrap();
    assert!(c.reason.contains("worst day 2026-06-"), "{}", c.reason);
    assert!(c.reason.contains("10 rDNS TLDs") || c.reason.contains("11 rDNS TLDs"), "{}", c.reason);
}

#[test]
fn per_account_day_table() {
    let events = traffic();
    let t = stats::mail_summary(&events).unwrap();
    let names: Vec<String> = t.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(
        names,
        [
            "account",
            "day",
            "messages",
            "recipients",
            "client_ips",
            "nets_24",
            "tlds",
            "bounced",
            "bounce_ratio",
            "rejects",
            "first_seen",
            "last_seen"
        ]
    );
    // Busiest account-day first: a compromised account's day (~600 recipients) beats the
    // newsletter's 300.
    let acct = t.column("account").unwrap().str().unwrap().get(0).unwrap().to_string();
    assert!(COMPROMISED.contains(&acct.as_str()), "{acct}");
    let nets = t.column("nets_24").unwrap().i64().unwrap().get(0).unwrap();
    assert!(nets >= 25, "{nets}");
    let msgs = t.column("messages").unwrap().i64().unwrap().get(0).unwrap();
    // 300 from the botnet, plus the account owner's own 0–7 that day.
    assert!((300..=307).contains(&msgs), "{msgs}");
}
