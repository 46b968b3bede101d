//! Mail decoders (postfix, sendmail, dovecot) over REAL fixtures written by the programs
//! themselves (tests/fixtures/mail/gen-postfix.sh, gen-sendmail.sh; README.md there).
//!
//! Two kinds of checks:
//! - golden: a projection of every event (dataset, action, outcome, queue id, status, relay, peers,
//!   addresses, user, reason, extras) compared with `<fixture>.expected.jsonl`, reviewed by hand
//!   when first written (`JIKOKU_UPDATE_GOLDEN=1` rewrites them; review the diff);
//! - explicit assertions of what the generating scripts sent (who submitted, from where, to whom,
//!   through which relay, what became of it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::path::PathBuf;

use jikoku_formats::{ParseOptions, Record, registry};
use serde_json::{Map, Value, json};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail").join(name)
}

fn parse(name: &str) -> Vec<Record> {
    let bytes =
        std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name} missing: {e}"));
    let parser = registry::find("syslog").expect("syslog parser");
    let mut out = Vec::new();
    parser.parse(&mut &bytes[..], &ParseOptions::default(), &mut |r| out.push(r)).unwrap();
    let lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    assert_eq!(out.len(), lines, "{name}: one record per line");
    out
}

/// Events of a fixture, as JSON values (comment lines of the real sample skipped).
fn events(name: &str) -> Vec<Value> {
    parse(name)
        .into_iter()
        .map(|r| {
            assert!(!r.is_error(), "{name}: pipeline error {:?}", r.event.error);
            serde_json::to_value(&r.event).unwrap()
        })
        .filter(|v| v["event"]["dataset"] != "text.comment")
        .collect()
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for p in path.split('.') {
        cur = cur.get(p).unwrap_or(&Value::Null);
    }
    cur
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    get(v, path).as_str().unwrap_or("")
}

/// The fields the decoders set, without provenance and time (so that the RFC 3339 and the
/// traditional renderings of the same run project identically).
fn projection(v: &Value) -> Value {
    let mut m = Map::new();
    for k in [
        "event.dataset",
        "event.action",
        "event.outcome",
        "event.reason",
        "event.duration",
        "email",
        "user",
        "source",
        "destination",
        "jikoku.mail",
        "process.name",
        "process.command_line",
        "log.level",
    ] {
        let x = get(v, k);
        if !x.is_null() {
            m.insert(k.to_string(), x.clone());
        }
    }
    Value::Object(m)
}

fn golden(name: &str) {
    let got: Vec<String> = events(name).iter().map(|e| projection(e).to_string()).collect();
    let path = fixture(&format!("{name}.expected.jsonl"));
    if std::env::var_os("JIKOKU_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got.join("\n") + "\n").unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let want: Vec<&str> = want.lines().collect();
    assert_eq!(got.len(), want.len(), "{name}: event count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        pretty_assertions::assert_eq!(g.as_str(), w, "{name}: event {}", i + 1);
    }
}

#[test]
fn golden_postfix() {
    golden("postfix-rfc3339.log");
}

#[test]
fn golden_sendmail() {
    golden("sendmail-rfc3339.log");
}

#[test]
fn golden_postscreen() {
    golden("postscreen-rfc3339.log");
}

#[test]
fn postscreen_and_ipv6_scenario() {
    let ev = events("postscreen-rfc3339.log");
    let ps: Vec<(String, String, Value)> = find(&ev, |e| {
        s(e, "jikoku.mail.daemon") == "postscreen" && !get(e, "jikoku.mail.postscreen").is_null()
    })
    .iter()
    .map(|e| {
        (
            s(e, "jikoku.mail.postscreen").to_string(),
            s(e, "source.ip").to_string(),
            get(e, "event.outcome").clone(),
        )
    })
    .collect();
    let v = |w: &str, ip: &str, o: Value| (w.to_string(), ip.to_string(), o);
    assert_eq!(
        ps,
        vec![
            v("CONNECT", "127.0.0.30", Value::Null),
            v("DENYLISTED", "127.0.0.30", json!("failure")),
            v("DISCONNECT", "127.0.0.30", Value::Null),
            v("CONNECT", "127.0.0.31", Value::Null),
            v("PREGREET", "127.0.0.31", json!("failure")),
            v("DISCONNECT", "127.0.0.31", Value::Null),
            v("CONNECT", "127.0.0.32", Value::Null),
            v("PASS NEW", "127.0.0.32", Value::Null),
            v("DISCONNECT", "127.0.0.32", Value::Null),
            v("CONNECT", "127.0.0.32", Value::Null),
            v("PASS OLD", "127.0.0.32", Value::Null),
            v("CONNECT", "127.0.0.33", Value::Null),
            v("NON-SMTP COMMAND", "127.0.0.33", json!("failure")),
            v("HANGUP", "127.0.0.33", Value::Null),
            v("DISCONNECT", "127.0.0.33", Value::Null),
            v("CONNECT", "127.0.0.34", Value::Null),
            v("HANGUP", "127.0.0.34", Value::Null),
            v("DISCONNECT", "127.0.0.34", Value::Null),
        ]
    );
    let c = find(&ev, |e| s(e, "jikoku.mail.postscreen") == "CONNECT")[0];
    assert_eq!((s(c, "destination.ip"), get(c, "destination.port")), ("127.0.0.1", &json!(25)));
    let rej: Vec<(&str, &str, &str)> = find(&ev, |e| s(e, "event.action") == "mail-reject")
        .iter()
        .map(|e| (s(e, "source.ip"), s(e, "jikoku.mail.dsn"), s(e, "jikoku.mail.helo")))
        .collect();
    assert_eq!(
        rej,
        vec![
            ("127.0.0.30", "5.3.2", "deny.example.test"),
            ("127.0.0.31", "5.5.1", "early.example.test"),
            ("127.0.0.32", "4.3.2", "good.example.test"),
            ("::1", "5.7.1", "v6.example.test"),
        ]
    );
    // IPv6 SASL submission on 587
    let sub = find(&ev, |e| {
        s(e, "event.action") == "mail-submit" && s(e, "jikoku.mail.sasl_username") == "alice"
    })[0];
    assert_eq!(
        (s(sub, "source.ip"), s(sub, "source.address"), s(sub, "jikoku.mail.service")),
        ("::1", "::1", "submission")
    );
    assert_eq!(get(sub, "source.port"), &json!(34848));
    assert!(get(sub, "source.domain").is_null(), "`unknown` is not a domain");
    // the message that passed postscreen
    let good = find(&ev, |e| s(e, "email.message_id") == "ps-good@good.example.test")[0];
    assert_eq!(s(good, "jikoku.mail.queue_id"), "15C53B84A1");
}

#[test]
fn golden_postlog() {
    golden("postlog.log");
    let ev = events("postlog.log");
    let sub =
        find(&ev, |e| s(e, "event.action") == "mail-submit" && s(e, "source.ip") == "127.0.0.40")
            [0];
    assert_eq!(s(sub, "jikoku.mail.queue_id"), "2F38AB84A1");
    assert!(get(sub, "user.name").is_null(), "no AUTH, no user");
    assert_eq!(s(&ev[0], "host.name"), "mail");
}

#[test]
fn golden_real_sample() {
    golden("real-sample-postfix-dovecot.log");
}

#[test]
fn traditional_rendering_decodes_the_same() {
    for (a, b) in [
        ("postfix-rfc3339.log", "postfix-traditional.log"),
        ("sendmail-rfc3339.log", "sendmail-traditional.log"),
    ] {
        let x: Vec<Value> = events(a).iter().map(projection).collect();
        let y: Vec<Value> = events(b).iter().map(projection).collect();
        assert_eq!(x, y, "{a} vs {b}");
    }
}

#[test]
fn every_mail_line_is_decoded() {
    for name in [
        "postfix-rfc3339.log",
        "sendmail-rfc3339.log",
        "postscreen-rfc3339.log",
        "real-sample-postfix-dovecot.log",
    ] {
        for e in events(name) {
            let ds = s(&e, "event.dataset");
            assert!(ds.starts_with("mail."), "{name}: not decoded: {}", s(&e, "message"));
            assert!(!get(&e, "event.action").is_null(), "{name}: no action: {}", s(&e, "message"));
        }
    }
}

fn find(ev: &[Value], pred: impl Fn(&Value) -> bool) -> Vec<&Value> {
    ev.iter().filter(|e| pred(e)).collect()
}

#[test]
fn postfix_scenario() {
    let ev = events("postfix-rfc3339.log");
    let act = |a: &'static str| move |e: &Value| s(e, "event.action") == a;

    // SASL submissions: who, from where (client address, port with port logging on 587)
    let subs = find(&ev, |e| act("mail-submit")(e) && s(e, "jikoku.mail.submission") == "smtp");
    let got: Vec<(String, String, Value, String)> = subs
        .iter()
        .map(|e| {
            (
                s(e, "jikoku.mail.sasl_username").to_string(),
                s(e, "source.ip").to_string(),
                get(e, "source.port").clone(),
                s(e, "jikoku.mail.queue_id").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("alice".into(), "127.0.0.10".into(), json!(50755), "E1BF8B8AD3".into()),
            ("bob".into(), "127.0.0.11".into(), Value::Null, "005CFB8AD4".into()),
        ]
    );
    assert_eq!(s(subs[0], "user.name"), "alice");
    assert_eq!(s(subs[0], "jikoku.mail.sasl_method"), "PLAIN");
    assert_eq!(s(subs[0], "jikoku.mail.service"), "submission");
    assert_eq!(s(subs[1], "jikoku.mail.sasl_method"), "LOGIN");

    // local submissions (pickup): uid and sender
    let local: Vec<(String, String)> = find(&ev, |e| s(e, "jikoku.mail.submission") == "local")
        .iter()
        .map(|e| {
            (
                s(e, "user.id").to_string(),
                get(e, "email.from.address")[0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        local,
        vec![
            ("1005".into(), "alice@example.test".into()),
            ("0".into(), "root".into()),
            ("1005".into(), "alice@example.test".into()),
            ("0".into(), "root@example.test".into()),
        ]
    );

    // message-id of the 587 submission
    let mid = find(&ev, |e| s(e, "email.message_id") == "sub-587@client.example.test");
    assert_eq!(s(mid[0], "jikoku.mail.queue_id"), "E1BF8B8AD3");

    // deliveries: to whom, through which relay, status
    let del: Vec<(String, String, String, String, String)> = find(&ev, act("mail-delivery"))
        .iter()
        .map(|e| {
            (
                s(e, "jikoku.mail.queue_id").to_string(),
                get(e, "email.to.address")[0].as_str().unwrap().to_string(),
                s(e, "jikoku.mail.relay").to_string(),
                s(e, "jikoku.mail.status").to_string(),
                s(e, "event.outcome").to_string(),
            )
        })
        .collect();
    let d = |q: &str, t: &str, r: &str, st: &str, o: &str| {
        (q.into(), t.into(), r.into(), st.into(), o.into())
    };
    assert_eq!(
        del,
        vec![
            d("B612DB8ABA", "alice@example.test", "local", "sent", "success"),
            d("BB25BB8ABA", "nosuch@example.test", "local", "bounced", "failure"),
            d("BCD89B8AC3", "alice@example.test", "local", "sent", "success"),
            d("B44DEB8AB9", "bob@sink.test", "127.0.0.1[127.0.0.1]:2525", "sent", "success"),
            d("E1BF8B8AD3", "carol@dead.test", "none", "deferred", "failure"),
            d("E1BF8B8AD3", "bob@sink.test", "127.0.0.1[127.0.0.1]:2525", "sent", "success"),
            d(
                "005CFB8AD4",
                "rejectme@sink.test",
                "127.0.0.1[127.0.0.1]:2525",
                "bounced",
                "failure"
            ),
            d("0CEBEB8AD6", "bob@example.test", "local", "sent", "success"),
            d("E1BF8B8AD3", "carol@dead.test", "none", "deferred", "failure"),
            d("88173B8AD7", "alice@example.test", "local", "sent", "success"),
            d("63298B8AAD", "dave@dead.test", "none", "deferred", "failure"),
        ]
    );
    let sent =
        find(&ev, |e| s(e, "jikoku.mail.queue_id") == "B44DEB8AB9" && act("mail-delivery")(e))[0];
    assert_eq!(s(sent, "destination.ip"), "127.0.0.1");
    assert_eq!(get(sent, "destination.port"), &json!(2525));
    assert_eq!(s(sent, "jikoku.mail.delays"), "0.01/0.01/0.05/0");
    assert_eq!(s(sent, "jikoku.mail.dsn"), "2.0.0");
    assert_eq!(get(sent, "event.duration"), &json!(70_000_000));
    assert_eq!(s(sent, "jikoku.mail.remote_queue_id"), "SINK25520");
    let deferred = find(&ev, |e| s(e, "jikoku.mail.status") == "deferred")[0];
    assert_eq!(
        get(deferred, "destination.port"),
        &json!(2526),
        "destination from `connect to` when relay=none"
    );
    assert_eq!(
        s(deferred, "event.reason"),
        "connect to 127.0.0.1[127.0.0.1]:2526: Connection refused"
    );
    let orig = find(&ev, |e| s(e, "jikoku.mail.orig_to") == "alice");
    assert_eq!(orig.len(), 1);

    // queued: size/nrcpt; bounce links; expiry; removal
    let q = find(&ev, |e| act("mail-queued")(e) && s(e, "jikoku.mail.queue_id") == "E1BF8B8AD3")[0];
    assert_eq!((get(q, "jikoku.mail.size"), get(q, "jikoku.mail.nrcpt")), (&json!(430), &json!(2)));
    let links: Vec<(String, String)> = find(&ev, act("mail-bounce"))
        .iter()
        .map(|e| {
            (
                s(e, "jikoku.mail.queue_id").to_string(),
                s(e, "jikoku.mail.bounce_queue_id").to_string(),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            ("BB25BB8ABA".into(), "BCD89B8AC3".into()),
            ("005CFB8AD4".into(), "0CEBEB8AD6".into()),
            ("E1BF8B8AD3".into(), "88173B8AD7".into())
        ]
    );
    let exp = find(&ev, act("mail-expired"));
    assert_eq!(exp.len(), 1);
    assert_eq!(s(exp[0], "jikoku.mail.status"), "expired");
    assert_eq!(s(exp[0], "event.reason"), "returned to sender");
    assert_eq!(find(&ev, act("mail-removed")).len(), 8);
    assert_eq!(get(find(&ev, act("mail-admin"))[1], "jikoku.mail.count"), &json!(1));

    // rejects, SASL failure, connection trouble
    let rej = find(&ev, act("mail-reject"));
    assert_eq!(rej.len(), 2);
    assert_eq!(s(rej[0], "source.ip"), "127.0.0.13");
    assert_eq!(get(rej[0], "email.from.address"), &json!(["eve@outside.test"]));
    assert_eq!(get(rej[0], "email.to.address"), &json!(["victim@remote.example"]));
    assert_eq!(s(rej[0], "jikoku.mail.helo"), "spammer.example.test");
    assert_eq!(s(rej[0], "event.reason"), "554 5.7.1 <victim@remote.example>: Relay access denied");
    assert_eq!(get(rej[0], "jikoku.mail.reply_code"), &json!(554));
    assert_eq!(s(rej[0], "event.outcome"), "failure");
    assert_eq!(s(rej[1], "source.domain"), "localhost");
    assert_eq!(s(rej[1], "jikoku.mail.dsn"), "5.1.1");
    let fails: Vec<(String, String, String)> = find(&ev, act("mail-auth-failure"))
        .iter()
        .map(|e| {
            (
                s(e, "event.dataset").to_string(),
                s(e, "user.name").to_string(),
                s(e, "source.ip").to_string(),
            )
        })
        .collect();
    assert_eq!(
        fails,
        vec![
            ("mail.dovecot".into(), "alice".into(), "127.0.0.12".into()),
            ("mail.postfix".into(), "alice".into(), "127.0.0.12".into()),
            ("mail.dovecot".into(), "alice".into(), "127.0.0.21".into()),
            ("mail.dovecot".into(), "alice".into(), "127.0.0.21".into()),
            ("mail.dovecot".into(), "mallory".into(), "127.0.0.22".into()),
            ("mail.dovecot".into(), "mallory".into(), "127.0.0.22".into()),
        ]
    );
    assert_eq!(s(find(&ev, act("mail-lost-connection"))[0], "source.ip"), "127.0.0.14");
    let to = find(&ev, act("mail-timeout"))[0];
    assert_eq!((s(to, "source.ip"), s(to, "jikoku.mail.after")), ("127.0.0.15", "CONNECT"));
    let tls = find(&ev, act("mail-tls"))[0];
    assert_eq!(s(tls, "jikoku.mail.tls_version"), "TLSv1.3");
    let disc = find(&ev, act("mail-disconnect"))[0];
    assert_eq!(
        get(disc, "jikoku.mail.commands"),
        &json!({"ehlo":"2","starttls":"1","auth":"1","mail":"1","rcpt":"2","data":"1","quit":"1","commands":"9"})
    );
    assert_eq!(find(&ev, act("mail-connect")).len(), 7);

    // dovecot IMAP login
    let login = find(&ev, act("mail-login"))[0];
    assert_eq!(
        (s(login, "user.name"), s(login, "source.ip"), s(login, "destination.ip")),
        ("alice", "127.0.0.20", "127.0.0.1")
    );
    assert_eq!(s(login, "jikoku.mail.sasl_method"), "PLAIN");
    let logout = find(&ev, act("mail-logout"))[0];
    assert_eq!(get(logout, "jikoku.mail.bytes_out"), &json!(813));
}

#[test]
fn sendmail_scenario() {
    let ev = events("sendmail-rfc3339.log");
    let act = |a: &'static str| move |e: &Value| s(e, "event.action") == a;
    // local submissions through the MSP: relay=user@localhost → user.name
    let local: Vec<(String, String)> = find(&ev, |e| s(e, "jikoku.mail.submission") == "local")
        .iter()
        .map(|e| (s(e, "user.name").to_string(), s(e, "jikoku.mail.queue_id").to_string()))
        .collect();
    assert_eq!(
        local,
        vec![
            ("alice".into(), "6AMLAtSe006482".into()),
            ("root".into(), "6AMLAto1006517".into()),
            ("alice".into(), "6AMLAtdr006541".into())
        ]
    );
    // MSP → MTA link through the accepting reply
    let msp =
        find(&ev, |e| s(e, "jikoku.mail.queue_id") == "6AMLAtSe006482" && act("mail-delivery")(e))
            [0];
    assert_eq!(s(msp, "jikoku.mail.remote_queue_id"), "6AMLAtlb006491");
    assert_eq!(get(msp, "jikoku.mail.ctladdr_uid"), &json!(1005));
    // SASL: AUTH=server then the from= line of the same connection
    let auth = find(&ev, act("mail-auth"))[0];
    assert_eq!(
        (s(auth, "user.name"), s(auth, "source.ip"), s(auth, "source.domain")),
        ("alice", "127.0.0.10", "client10.example.test")
    );
    assert_eq!(s(auth, "jikoku.mail.sasl_username"), "alice");
    let sub = find(&ev, |e| s(e, "email.message_id") == "sm-587@client.example.test")[0];
    assert_eq!(
        (s(sub, "jikoku.mail.queue_id"), s(sub, "jikoku.mail.daemon"), s(sub, "jikoku.mail.proto")),
        ("6AMLAwPn007305", "MSP-v4", "ESMTPA")
    );
    assert_eq!(get(sub, "jikoku.mail.nrcpts"), &json!(3));
    // deliveries of that message
    let del: Vec<(String, String, String)> =
        find(&ev, |e| act("mail-delivery")(e) && s(e, "jikoku.mail.queue_id") == "6AMLAwPn007305")
            .iter()
            .map(|e| {
                (
                    get(e, "email.to.address")[0].as_str().unwrap().to_string(),
                    s(e, "jikoku.mail.status").to_string(),
                    s(e, "destination.ip").to_string(),
                )
            })
            .collect();
    assert_eq!(
        del,
        vec![
            ("rejectme@sink.test".into(), "bounced".into(), "127.0.0.1".into()),
            ("bob@sink.test".into(), "sent".into(), "127.0.0.1".into()),
            ("carol@dead.test".into(), "deferred".into(), "127.0.0.2".into()),
        ]
    );
    let bounce = find(&ev, act("mail-bounce"))[0];
    assert_eq!(
        (s(bounce, "jikoku.mail.queue_id"), s(bounce, "jikoku.mail.bounce_queue_id")),
        ("6AMLAwPn007305", "6AMLAwPn007307")
    );
    assert_eq!(s(bounce, "event.reason"), "User unknown");
    // failures and rejects
    let af = find(&ev, act("mail-auth-failure"))[0];
    assert_eq!((s(af, "user.name"), s(af, "source.ip")), ("bob", "127.0.0.12"));
    let relay = find(&ev, |e| {
        s(e, "jikoku.mail.ruleset") == "check_rcpt" && s(e, "source.ip") == "127.0.0.13"
    })[0];
    assert!(s(relay, "event.reason").contains("Relaying denied"));
    assert_eq!(get(relay, "email.to.address"), &json!(["victim@remote.example"]));
    assert_eq!(s(relay, "source.domain"), "spammer.outside.test");
    let unknown =
        find(&ev, |e| act("mail-reject")(e) && s(e, "jikoku.mail.queue_id") == "6AMLAw9G007315")[0];
    assert_eq!(get(unknown, "email.to.address"), &json!(["nosuch@example.test"]));
    assert_eq!(s(find(&ev, act("mail-lost-connection"))[0], "source.ip"), "127.0.0.15");
    let idle: Vec<&str> =
        find(&ev, act("mail-no-transaction")).iter().map(|e| s(e, "source.ip")).collect();
    assert_eq!(idle, vec!["127.0.0.12", "127.0.0.14"]);
    assert_eq!(find(&ev, act("mail-connect")).len(), 9);
    // the MSP's AUTH= parameter not trusted by the MTA: not a rejected message
    let ta = find(&ev, act("mail-auth-untrusted"));
    assert_eq!(ta.len(), 3);
    assert!(ta.iter().all(|e| get(e, "event.outcome").is_null()));
}

#[test]
fn sendmail_tls() {
    golden("sendmail-tls-rfc3339.log");
    let ev = events("sendmail-tls-rfc3339.log");
    let tls: Vec<(&str, &str, &str)> = find(&ev, |e| s(e, "jikoku.mail.tls_side") == "server")
        .iter()
        .map(|e| {
            (s(e, "source.ip"), s(e, "jikoku.mail.tls_version"), s(e, "jikoku.mail.tls_cipher"))
        })
        .collect();
    assert_eq!(
        tls,
        vec![
            ("127.0.0.50", "TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            ("127.0.0.51", "TLSv1.3", "TLS_AES_256_GCM_SHA384")
        ]
    );
    let sub = find(&ev, |e| s(e, "email.message_id") == "sm-tls@tls-client.example.test")[0];
    assert_eq!(s(sub, "jikoku.mail.proto"), "ESMTPSA");
    let flows = jikoku_formats::mail::flow::build_flows(&raw_events("sendmail-tls-rfc3339.log"));
    let f = flows.iter().find(|f| f.queue_id == "6AMLRDAi012841").unwrap();
    assert_eq!(
        (f.sasl_username.as_deref(), f.client.ip.as_deref()),
        (Some("bob"), Some("127.0.0.50"))
    );
    let carol = f.recipients.iter().find(|r| r.address == "carol@dead.test").unwrap();
    assert_eq!(
        (carol.attempts, carol.status.as_deref()),
        (2, Some("deferred")),
        "queue run retried it"
    );
}

#[test]
fn real_sample_long_queue_ids_and_pam() {
    let ev = events("real-sample-postfix-dovecot.log");
    let long = find(&ev, |e| s(e, "jikoku.mail.queue_id") == "4jXf7y58fNz5n6d");
    assert_eq!(long.len(), 5);
    assert_eq!(s(long[0], "jikoku.mail.sasl_username"), "alice");
    let pam = find(&ev, |e| s(e, "jikoku.mail.passdb") == "pam")[0];
    assert_eq!(
        (s(pam, "user.name"), s(pam, "source.ip"), s(pam, "event.action")),
        ("alice", "127.0.0.1", "mail-auth-failure")
    );
}

fn raw_events(name: &str) -> Vec<jikoku_core::Event> {
    parse(name).into_iter().map(|r| *r.event).collect()
}

#[test]
fn postfix_flows() {
    use jikoku_formats::mail::flow::build_flows;
    let flows = build_flows(&raw_events("postfix-rfc3339.log"));
    let ids: Vec<&str> = flows.iter().map(|f| f.queue_id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "B44DEB8AB9",
            "B612DB8ABA",
            "BB25BB8ABA",
            "BCD89B8AC3",
            "E1BF8B8AD3",
            "005CFB8AD4",
            "0CEBEB8AD6",
            "88173B8AD7",
            "63298B8AAD"
        ]
    );
    // the 587 submission: who, from where, to whom, through which relay
    let f = &flows[4];
    assert_eq!(f.host.as_deref(), Some("mail"));
    assert_eq!(f.sasl_username.as_deref(), Some("alice"));
    assert_eq!(f.client.ip.as_deref(), Some("127.0.0.10"));
    assert_eq!(f.client.port, Some(50755));
    assert_eq!(f.from.as_deref(), Some("alice@example.test"));
    assert_eq!(f.message_id.as_deref(), Some("sub-587@client.example.test"));
    assert_eq!(f.size, Some(430));
    let r: Vec<(&str, &str, Option<&str>, u32)> = f
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.status.as_deref().unwrap(), r.relay.as_deref(), r.attempts))
        .collect();
    assert_eq!(
        r,
        vec![
            ("carol@dead.test", "deferred", Some("none"), 2),
            ("bob@sink.test", "sent", Some("127.0.0.1[127.0.0.1]:2525"), 1)
        ]
    );
    assert_eq!(f.recipients[1].destination.port, Some(2525));
    assert!(f.expired && f.removed);
    assert_eq!(f.bounces, vec!["88173B8AD7".to_string()]);
    assert_eq!(f.next_queue_ids, vec!["SINK25328".to_string()]);
    assert_eq!(f.events.len(), 10);
    // the bounce it caused knows its origin and has the null sender
    let b = flows.iter().find(|f| f.queue_id == "88173B8AD7").unwrap();
    assert_eq!(b.bounce_of.as_deref(), Some("E1BF8B8AD3"));
    assert!(b.null_sender && b.from.is_none());
    // local submission by uid 1005
    let l = &flows[0];
    assert_eq!((l.user_id.as_deref(), l.submission.as_deref()), (Some("1005"), Some("local")));
    let j = f.to_json();
    assert_eq!(j["recipients"][1]["destination"]["ip"], "127.0.0.1");
    assert_eq!(j["client"]["ip"], "127.0.0.10");
}

#[test]
fn postfix_flows_split_on_reused_queue_id() {
    use jikoku_formats::mail::flow::build_flows;
    let mk = |msg: &str| {
        let line = format!("2026-11-22T20:00:00+00:00 mail postfix/qmgr[1]: {msg}\n");
        let parser = registry::find("syslog").unwrap();
        let mut out = Vec::new();
        parser
            .parse(&mut line.as_bytes(), &ParseOptions::default(), &mut |r| out.push(*r.event))
            .unwrap();
        out.remove(0)
    };
    let evs = vec![
        mk("ABCDEF123: from=<a@x.test>, size=1, nrcpt=1 (queue active)"),
        mk("ABCDEF123: removed"),
        mk("ABCDEF123: from=<b@x.test>, size=2, nrcpt=1 (queue active)"),
    ];
    let flows = build_flows(&evs);
    assert_eq!(flows.len(), 2);
    assert_eq!(flows[1].from.as_deref(), Some("b@x.test"));
}

#[test]
fn sendmail_flows_link_auth_and_msp() {
    use jikoku_formats::mail::flow::build_flows;
    let flows = build_flows(&raw_events("sendmail-rfc3339.log"));
    let f = flows.iter().find(|f| f.queue_id == "6AMLAwPn007305").unwrap();
    assert_eq!(f.sasl_username.as_deref(), Some("alice"), "AUTH=server joined by pid");
    assert_eq!(f.client.domain.as_deref(), Some("client10.example.test"));
    assert_eq!(f.recipients.len(), 3);
    assert_eq!(f.bounces, vec!["6AMLAwPn007307".to_string()]);
    let msp = flows.iter().find(|f| f.queue_id == "6AMLAtSe006482").unwrap();
    assert_eq!(
        (msp.user_name.as_deref(), msp.submission.as_deref()),
        (Some("alice"), Some("local"))
    );
    assert_eq!(msp.next_queue_ids, vec!["6AMLAtlb006491".to_string()]);
}

/// Decoders never panic: every prefix and suffix of every fixture message, under every mail program.
#[test]
fn truncated_messages_never_panic() {
    let decoders = registry::decoders();
    let programs = [
        "postfix/smtpd",
        "postfix/qmgr",
        "postfix/smtp",
        "postfix/postscreen",
        "postfix/anvil",
        "sendmail",
        "sm-mta",
        "dovecot",
        "imap-login",
    ];
    let mut n = 0u64;
    for name in ["postfix-rfc3339.log", "sendmail-rfc3339.log", "real-sample-postfix-dovecot.log"] {
        for r in parse(name) {
            let msg = r.event.message.clone().unwrap_or_default();
            let cuts: Vec<usize> = msg.char_indices().map(|(i, _)| i).chain([msg.len()]).collect();
            for &c in &cuts {
                for part in [&msg[..c], &msg[c..]] {
                    for p in programs {
                        for d in &decoders {
                            let mut e = jikoku_core::Event::new("syslog.rfc3339");
                            d.decode(p, part, &mut e);
                            n += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(n > 100_000);
}

/// Published shapes that the local runs did not produce (FORMATS.md §5, Postfix and Dovecot docs).
#[test]
fn published_variants() {
    let decode = |program: &str, msg: &str| {
        let mut e = jikoku_core::Event::new("syslog.rfc3164");
        let ok = registry::decoders().iter().any(|d| d.decode(program, msg, &mut e));
        assert!(ok, "not decoded: {program}: {msg}");
        serde_json::to_value(&e).unwrap()
    };
    let v = decode(
        "dovecot",
        "imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, mpid=1234, TLS, session=<abc123>",
    );
    assert_eq!(
        (s(&v, "user.name"), s(&v, "source.ip"), s(&v, "destination.ip")),
        ("alice", "192.0.2.1", "192.0.2.2")
    );
    assert_eq!(get(&v, "jikoku.mail.tls"), &json!(true));
    assert_eq!(s(&v, "jikoku.mail.session"), "abc123");
    let v = decode(
        "imap-login",
        "Disconnected (auth failed, 1 attempts in 2 secs): user=<alice>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, TLS, session=<x>",
    );
    assert_eq!((s(&v, "event.action"), s(&v, "event.outcome")), ("mail-auth-failure", "failure"));
    let v = decode(
        "dovecot",
        "imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=192.0.2.9, lip=192.0.2.2, session=<y>",
    );
    assert_eq!((s(&v, "event.action"), s(&v, "source.ip")), ("mail-disconnect", "192.0.2.9"));
    assert!(get(&v, "user.name").is_null());
    let v = decode("dovecot", "lmtp(bob)<777><sess>: msgid=<m1@x.test>: saved mail to INBOX");
    assert_eq!(
        (s(&v, "event.action"), s(&v, "email.message_id"), s(&v, "user.name")),
        ("mail-delivery", "m1@x.test", "bob")
    );
    // IPv6 client with port logging; IPv6 relay
    let v = decode(
        "postfix/smtpd",
        "1A2B3C4D5E: client=mx.example.org[2001:db8::25]:41234, sasl_method=LOGIN, sasl_username=carol@example.org",
    );
    assert_eq!((s(&v, "source.ip"), s(&v, "source.domain")), ("2001:db8::25", "mx.example.org"));
    assert_eq!(get(&v, "source.port"), &json!(41234));
    let v = decode(
        "postfix/smtp",
        "1A2B3C4D5E: to=<x@example.org>, relay=mx.example.org[2001:db8::25]:25, conn_use=2, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x)",
    );
    assert_eq!(
        (s(&v, "destination.ip"), s(&v, "destination.domain")),
        ("2001:db8::25", "mx.example.org")
    );
    assert_eq!(get(&v, "jikoku.mail.conn_use"), &json!(2));
    // postscreen, milter reject, header check, cleanup reject
    let v = decode("postfix/postscreen", "PASS NEW [198.51.100.7]:51234");
    assert_eq!(
        (s(&v, "event.action"), s(&v, "jikoku.mail.postscreen"), s(&v, "source.ip")),
        ("mail-postscreen", "PASS NEW", "198.51.100.7")
    );
    let v = decode(
        "postfix/postscreen",
        "NOQUEUE: reject: RCPT from [198.51.100.7]:51234: 550 5.7.1 Service unavailable; client [198.51.100.7] blocked using zen.spamhaus.org; from=<a@b.test>, to=<c@d.test>, proto=ESMTP, helo=<x>",
    );
    assert_eq!((s(&v, "event.action"), s(&v, "source.ip")), ("mail-reject", "198.51.100.7"));
    assert_eq!(get(&v, "email.to.address"), &json!(["c@d.test"]));
    let v = decode(
        "postfix/cleanup",
        "4104E3D: milter-reject: END-OF-MESSAGE from unknown[203.0.113.5]: 5.7.1 Spam; from=<s@spam.test> to=<u@example.test> proto=ESMTP helo=<spam.test>",
    );
    assert_eq!(
        (s(&v, "event.action"), s(&v, "jikoku.mail.stage"), s(&v, "source.ip")),
        ("mail-reject", "END-OF-MESSAGE", "203.0.113.5")
    );
    assert_eq!(s(&v, "jikoku.mail.dsn"), "5.7.1");
    let v = decode(
        "postfix/cleanup",
        "D8B07E3DB6: warning: header Subject: hello from unknown[203.0.113.5]; from=<a@b.test> to=<c@d.test> proto=ESMTP helo=<h>",
    );
    assert_eq!(
        (s(&v, "event.action"), s(&v, "log.level"), s(&v, "source.ip")),
        ("mail-header-check", "warning", "203.0.113.5")
    );
    let v = decode(
        "postfix/local",
        "6D4E81FA19: to=<alias@example.test>, orig_to=<alias>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (forwarded as 6D4E81FA1A)",
    );
    assert_eq!(s(&v, "jikoku.mail.forwarded_queue_id"), "6D4E81FA1A");
    // Sendmail STARTTLS and DSN link (FORMATS.md §5.2)
    let v = decode(
        "sm-mta",
        "6AMJRl8D017865: STARTTLS=server, relay=vm.example.test [127.0.0.1], version=TLSv1.3, verify=NO, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
    );
    assert_eq!(
        (s(&v, "event.action"), s(&v, "jikoku.mail.tls_version"), s(&v, "source.domain")),
        ("mail-tls", "TLSv1.3", "vm.example.test")
    );
    let v = decode("sendmail", "6AMJQ1YF015187: 6AMJQ1YG015187: DSN: User unknown");
    assert_eq!(
        (s(&v, "event.action"), s(&v, "jikoku.mail.bounce_queue_id")),
        ("mail-bounce", "6AMJQ1YG015187")
    );
    // not mail
    let mut e = jikoku_core::Event::new("syslog.rfc3164");
    assert!(
        !registry::decoders()
            .iter()
            .filter(|d| ["postfix", "sendmail", "dovecot"].contains(&d.name()))
            .any(|d| d.decode(
                "sshd",
                "Accepted password for alice from 1.2.3.4 port 22 ssh2",
                &mut e
            ))
    );
}
