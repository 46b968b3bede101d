#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Complaint reading on the seed's header examples and on messages relayed by a real sendmail.

use jikoku_formats::mailheader::{Complaint, Origin, read_complaint};

fn fixture(name: &str) -> String {
    let p = format!("{}/tests/fixtures/mailheader/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("missing fixture {p}: {e}"))
}

fn utc(c: &Complaint, msg: usize, hop: usize) -> String {
    c.messages[msg].hops[hop].time.as_ref().unwrap().parsed.as_ref().unwrap().to_rfc3339()
}

#[test]
fn seed_complaint_quoted_chain() {
    let c = read_complaint(fixture("seed-000-complaint.eml").as_bytes());
    let env = c.envelope.as_ref().unwrap();
    assert_eq!(
        env.date.as_ref().unwrap().parsed.as_ref().unwrap().to_rfc3339(),
        "2002-05-08T17:29:44Z"
    );
    assert_eq!(
        env.subject.as_deref(),
        Some("Re: Fwd: IMPORTANT NOTICE: Regarding your domain name")
    );
    assert_eq!(c.messages.len(), 1);
    let m = &c.messages[0];
    assert_eq!(m.origin, Origin::Quoted);
    assert_eq!(m.message_id.as_deref(), Some("B0003157268@aaa.bbb.co.jp"));
    assert_eq!(m.hops.len(), 4);
    let h = |i: usize| &m.hops[i].received;
    assert_eq!(h(0).by_name.as_deref(), Some("f07n01.yyy.XXX.edu"));
    assert_eq!(h(0).from_ip.as_deref(), Some("10.222.141.37"));
    assert_eq!(h(0).id.as_deref(), Some("AAA40986"));
    assert_eq!(h(1).local_user.as_deref(), Some("daemon@localhost"));
    assert_eq!(h(2).from_name.as_deref(), Some("aaa.bbb.co.jp"));
    assert_eq!(h(2).from_ip.as_deref(), Some("10.19.10.227"));
    assert_eq!(h(2).by_name.as_deref(), Some("f04n09.yyy.XXX.edu"));
    assert_eq!(h(3).from_name.as_deref(), Some("mail.yapoo.comcom"));
    assert_eq!(h(3).from_ip.as_deref(), Some("192.168.255.77"));
    assert_eq!(h(3).by_name.as_deref(), Some("aaa.bbb.co.jp"));
    assert_eq!(h(3).by_software.as_deref(), Some("EMWAC SMTPRS 0.83"));
    assert_eq!(h(3).protocol.as_deref(), Some("SMTP"));
    assert_eq!(h(3).id.as_deref(), Some("B0003157268@aaa.bbb.co.jp"));
    // aaa.bbb.co.jp's hop, +0900 → UTC; the next hop 57 minutes later in -0400
    assert_eq!(utc(&c, 0, 3), "2002-05-08T04:01:38Z");
    assert_eq!(utc(&c, 0, 2), "2002-05-08T04:58:41Z");
    assert_eq!(utc(&c, 0, 0), "2002-05-08T04:58:47Z");
    assert_eq!(
        m.date.as_ref().unwrap().parsed.as_ref().unwrap().to_rfc3339(),
        "2002-05-08T04:00:43Z"
    );
}

#[test]
fn seed_slide_verbatim_with_cropped_preview() {
    let c = read_complaint(fixture("seed-000-slide.txt").as_bytes());
    // the cropped preview is a block too (its times do not read), the complete one has 4 hops
    let full: Vec<_> = c.messages.iter().filter(|m| m.hops.len() == 4).collect();
    assert_eq!(full.len(), 1);
    assert_eq!(full[0].hops[3].received.id.as_deref(), Some("B0003157268@aaa.bbb.co.jp"));
    let cropped = c.messages.iter().find(|m| m.hops.len() == 1).unwrap();
    assert!(cropped.hops[0].time.as_ref().unwrap().parsed.is_err());
}

#[test]
fn seed_hotmail_webmail_rewrapped() {
    let c = read_complaint(fixture("seed-000-hotmail.txt").as_bytes());
    assert_eq!(c.messages.len(), 1);
    let m = &c.messages[0];
    assert_eq!(m.origin, Origin::Complaint);
    assert_eq!(m.hops.len(), 4);
    assert_eq!(m.x_originating_ip.as_deref(), Some("10.15.147.133"));
    let web = &m.hops[3].received;
    assert_eq!(web.from_ip.as_deref(), Some("10.15.147.133"));
    assert_eq!(web.by_name.as_deref(), Some("AAA.BBB.hotmail.msn.com"));
    assert_eq!(web.protocol.as_deref(), Some("HTTP"));
    assert_eq!(utc(&c, 0, 3), "2002-12-13T05:48:49Z");
    assert_eq!(m.hops[2].received.protocol.as_deref(), Some("Microsoft SMTPSVC"));
    assert_eq!(utc(&c, 0, 2), "2002-12-13T05:48:49Z");
    // the lines broken without indentation are joined; the garbled dates are refused, not guessed
    assert_eq!(m.hops[0].received.id.as_deref(), Some("MAILINXF51-1213005328"));
    assert_eq!(m.hops[0].received.by_name.as_deref(), Some("X-YYY.mail.aol.com"));
    assert!(m.hops[0].time.as_ref().unwrap().parsed.is_err());
    assert!(m.hops[1].time.as_ref().unwrap().parsed.is_err());
    assert_eq!(m.hops[1].received.from_ip, None, "207.68.xxx.xx is no address");
    let cc = c.blocks[0].fields.iter().find(|f| f.name == "Cc").unwrap();
    assert!(cc.rewrapped);
    assert_eq!(cc.value, "x, x, x, x, x, x, x, x, x");
}

fn quote(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}\n")).collect()
}

#[test]
fn real_sendmail_msp_and_mta_hops() {
    let c = read_complaint(fixture("captured-1.eml").as_bytes());
    let m = &c.messages[0];
    assert_eq!(m.hops.len(), 2);
    let mta = &m.hops[0].received;
    assert_eq!(mta.from_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(mta.from_rdns.as_deref(), Some("localhost"));
    assert_eq!(mta.by_name.as_deref(), Some("mail.example.test"));
    assert_eq!(mta.protocol.as_deref(), Some("ESMTP"));
    assert_eq!(mta.id.as_deref(), Some("6AN0M73X029487"));
    assert_eq!(mta.for_addr.as_deref(), Some("victim@sink.test"));
    let msp = &m.hops[1].received;
    assert_eq!(msp.local_user.as_deref(), Some("www-data@localhost"));
    assert_eq!(msp.id.as_deref(), Some("6AN0M7sP029482"));
    assert_eq!(msp.by_software.as_deref(), Some("8.17.1.9/8.17.1.9/Submit"));
    assert_eq!(utc(&c, 0, 0), "2026-11-23T00:22:07Z");
    assert_eq!(m.message_id.as_deref(), Some("php-mailer-1@mail.example.test"));
}

#[test]
fn quoted_twice_and_mixed_markers() {
    let raw = fixture("captured-1.eml");
    for prefix in ["> > ", ">> ", "> >", ">>"] {
        let complaint = format!(
            "From: abuse@victim.example\nSubject: spam from you\nDate: Mon, 23 Nov 2026 10:00:00 +0900\n\nSee below.\n\n{}",
            quote(&raw, prefix)
        );
        let c = read_complaint(complaint.as_bytes());
        assert_eq!(c.messages.len(), 1, "prefix {prefix:?}: {:?}", c.blocks);
        let m = &c.messages[0];
        assert_eq!(m.origin, Origin::Quoted);
        assert_eq!(m.hops.len(), 2, "prefix {prefix:?}");
        assert_eq!(m.hops[0].received.id.as_deref(), Some("6AN0M73X029487"), "prefix {prefix:?}");
        assert_eq!(m.hops[0].received.for_addr.as_deref(), Some("victim@sink.test"));
        assert_eq!(utc(&c, 0, 0), "2026-11-23T00:22:07Z");
    }
}

#[test]
fn forwarded_as_attachment() {
    let raw = fixture("captured-2.eml");
    let complaint = format!(
        "From: Abuse Desk <abuse@victim.example>\nTo: abuse@example.test\nSubject: Fwd: spam\nDate: Mon, 23 Nov 2026 10:00:00 +0900\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain; charset=us-ascii\n\nSpam relayed by your server, attached.\n\n--b1\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n{raw}\n--b1--\n"
    );
    let c = read_complaint(complaint.as_bytes());
    assert_eq!(c.messages.len(), 1, "{:?}", c.blocks);
    let m = &c.messages[0];
    assert_eq!(m.origin, Origin::Attached);
    assert_eq!(m.hops.len(), 3);
    let ours = &m.hops[0].received;
    assert_eq!(ours.from_name.as_deref(), Some("friendly.example.org"));
    assert_eq!(ours.from_rdns.as_deref(), Some("spammer.outside.test"));
    assert_eq!(ours.from_ip.as_deref(), Some("127.0.0.13"));
    assert_eq!(ours.id.as_deref(), Some("6AN0MBCC029506"));
    // the two forged lines the client wrote itself
    assert_eq!(m.hops[1].received.id.as_deref(), Some("FORGED1"));
    assert_eq!(m.hops[2].received.from_ip.as_deref(), Some("10.9.9.9"));
}

#[test]
fn arf_report() {
    let raw = fixture("captured-2.eml");
    let headers = raw.split("\n\n").next().unwrap();
    let complaint = format!(
        "From: <fbl@isp.example>\nDate: Mon, 23 Nov 2026 10:05:00 +0900\nSubject: FW: abuse report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report;\n    boundary=\"part1_13d.2e68ed54_boundary\"\n\n--part1_13d.2e68ed54_boundary\nContent-Type: text/plain; charset=\"US-ASCII\"\n\nThis is an email abuse report for an email message received from IP\n127.0.0.13 on Mon, 23 Nov 2026 09:22:11 +0900.\n\n--part1_13d.2e68ed54_boundary\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Mail-From: <offers@outside.test>\nOriginal-Rcpt-To: <victim@sink.test>\nArrival-Date: Mon, 23 Nov 2026 09:22:11 +0900\nSource-IP: 127.0.0.13\nReported-Domain: outside.test\n\n--part1_13d.2e68ed54_boundary\nContent-Type: text/rfc822-headers\n\n{headers}\n\n--part1_13d.2e68ed54_boundary--\n"
    );
    let c = read_complaint(complaint.as_bytes());
    assert_eq!(c.arf.len(), 1, "{:?}", c.blocks);
    let a = &c.arf[0];
    assert_eq!(a.feedback_type.as_deref(), Some("abuse"));
    assert_eq!(a.source_ip.as_deref(), Some("127.0.0.13"));
    assert_eq!(a.original_rcpt_to, vec!["victim@sink.test"]);
    assert_eq!(a.arrival_date.as_ref().unwrap().utc_ns().unwrap(), 1_795_393_331_000_000_000);
    assert_eq!(c.messages.len(), 1);
    assert_eq!(c.messages[0].origin, Origin::ArfOriginal);
    assert_eq!(c.messages[0].hops[0].received.id.as_deref(), Some("6AN0MBCC029506"));
    // the text part's facts
    assert!(c.facts.ips.iter().any(|(ip, _)| ip == "127.0.0.13"));
    assert!(c.facts.times.iter().any(|t| t.time.to_rfc3339() == "2026-11-23T00:22:11Z"));
}

#[test]
fn hostile_input_never_panics() {
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b">>>>>>>>>>>>>>>>>>>>".to_vec(),
        b"Received: (((((\nReceived: ;;;;\n".to_vec(),
        b"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n!!!!\n".to_vec(),
        vec![0xff, 0xfe, b'\n', b'R', b'e', b'c', b':'],
        "Received: from a\u{202e} (b [1.2.3.4]) by c id \x1b[31m; Wed, 8 May 2002 13:29:44 -0400\nMessage-ID: <x>\n".as_bytes().to_vec(),
    ];
    for c in cases {
        let _ = read_complaint(&c);
    }
}

#[test]
fn real_postfix_pickup_and_smtpd_hops() {
    let c = read_complaint(fixture("captured-postfix-1.eml").as_bytes());
    let m = &c.messages[0];
    assert_eq!(m.hops.len(), 1);
    let h = &m.hops[0].received;
    assert_eq!(h.by_name.as_deref(), Some("mail.example.test"));
    assert_eq!(h.by_software.as_deref(), Some("Postfix"));
    assert_eq!(h.local_user.as_deref(), Some("uid 33"));
    assert_eq!(h.id.as_deref(), Some("A773A9CCC34"));
    assert_eq!(h.from_ip, None);
    assert_eq!(utc(&c, 0, 0), "2026-11-23T00:39:04Z");
    assert_eq!(m.message_id.as_deref(), Some("20261123003904.A773A9CCC34@mail.example.test"));
    let c = read_complaint(fixture("captured-postfix-2.eml").as_bytes());
    let m = &c.messages[0];
    assert_eq!(m.hops.len(), 3);
    let h = &m.hops[0].received;
    assert_eq!(h.from_name.as_deref(), Some("friendly.example.org"));
    assert_eq!(h.from_rdns.as_deref(), Some("spammer.outside.test"));
    assert_eq!(h.from_ip.as_deref(), Some("127.0.0.13"));
    assert_eq!(h.protocol.as_deref(), Some("ESMTP"));
    assert_eq!(h.id.as_deref(), Some("EC9079CCC42"));
    assert_eq!(h.for_addr.as_deref(), Some("victim@sink.test"));
    assert_eq!(utc(&c, 0, 0), "2026-11-23T00:39:08Z");
    assert_eq!(m.hops[1].received.id.as_deref(), Some("FORGED1"));
}

/// SpamAssassin's published Received: parser cases (t/rcvd_parser.t, Apache-2.0; see the
/// fixture README): the client address, the receiving host and the id must match theirs.
#[test]
fn spamassassin_rcvd_parser_cases() {
    use jikoku_formats::mailheader::parse_received;
    let tsv = fixture("spamassassin-rcvd-parser.tsv");
    let mut n = 0;
    let mut bad = vec![];
    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (hdr, ip, by, id) = (f[0], f[1], f[2], f[3]);
        let r = parse_received(hdr);
        let got = (
            r.from_ip.clone().unwrap_or_default(),
            r.by_name.clone().unwrap_or_default(),
            r.id.clone().unwrap_or_default(),
        );
        if got != (ip.to_string(), by.to_string(), id.to_string()) {
            bad.push(format!(
                "{hdr}\n   want ip={ip} by={by} id={id}\n   got  ip={} by={} id={}",
                got.0, got.1, got.2
            ));
        }
        n += 1;
    }
    assert_eq!(n, 110);
    assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let p = format!("{}/tests/fixtures/mailheader/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("missing fixture {p}: {e}"))
}

/// nkf's ISO-2022-JP complaint (gen-ja.sh): 7-bit body with escape sequences, a subject in two
/// folded =?ISO-2022-JP?B?…?= words, the spam quoted with its own encoded words.
#[test]
fn japanese_iso2022jp_complaint_by_nkf() {
    let b = fixture_bytes("ja-iso2022jp.eml");
    assert!(b.windows(3).any(|w| w == b"\x1b$B"), "fixture is ISO-2022-JP");
    let c = read_complaint(&b);
    let env = c.envelope.as_ref().unwrap();
    assert_eq!(env.subject.as_deref(), Some("【至急】貴社サーバからのフィッシングメールについて"));
    assert_eq!(env.from.as_deref(), Some("セキュリティ担当 <security@example.co.jp>"));
    assert_eq!(c.messages.len(), 1);
    let m = &c.messages[0];
    assert_eq!(m.subject.as_deref(), Some("口座確認のお願い"));
    assert_eq!(m.from.as_deref(), Some("バンク・エグザンプル <info@bank.example>"));
    assert_eq!(m.hops.len(), 4);
    assert_eq!(m.hops[2].received.id.as_deref(), Some("6F7A8B9C0D"));
    assert_eq!(m.hops[3].received.local_user.as_deref(), Some("uid 33"));
    // the facts of the Japanese text
    let times: Vec<(usize, &str, String)> =
        c.facts.times.iter().map(|t| (t.line, t.text.as_str(), t.time.to_rfc3339())).collect();
    assert_eq!(times[0], (16, "2002年5月9日 02時37分25秒 JST", "2002-05-08T17:37:25Z".to_string()));
    assert!(c.facts.ips.iter().any(|(ip, l)| ip == "192.0.2.30" && *l == 17), "{:?}", c.facts.ips);
    let l = &c.facts.log_lines[0];
    assert_eq!(l.line, 19);
    assert_eq!(l.utc.unwrap().to_rfc3339(), "2002-05-08T17:37:25+00:00");
    assert!(l.text.contains("3F1B8D2: client=mx.example.jp[192.0.2.30]"));
    assert!(c.notes.iter().any(|n| n.contains("converted from ISO-2022-JP")), "{:?}", c.notes);
}

/// Python's email package (gen-ja.py): a Shift_JIS base64 part, an EUC-JP quoted-printable part
/// with a pasted log line, the spam attached with a =?utf-8?q?…?= subject folded in three words.
#[test]
fn japanese_multipart_complaint_by_python_email() {
    let c = read_complaint(&fixture_bytes("ja-multipart.eml"));
    let env = c.envelope.as_ref().unwrap();
    assert_eq!(env.subject.as_deref(), Some("迷惑メール受信のご報告 (チケット #20020509-0042)"));
    assert_eq!(env.from.as_deref(), Some("example.ne.jp 不正利用対策窓口 <abuse@example.ne.jp>"));
    assert_eq!(c.messages.len(), 1);
    let m = &c.messages[0];
    assert_eq!(m.origin, Origin::Attached);
    assert_eq!(m.subject.as_deref(), Some("【重要】アカウント停止のお知らせ"));
    assert_eq!(m.hops[1].received.from_ip.as_deref(), Some("192.0.2.30"));
    assert_eq!(m.hops[2].received.id.as_deref(), Some("5E6F7A8B9C"));
    assert_eq!(m.hops[3].received.id.as_deref(), Some("2B3C4D5E6F"));
    // Shift_JIS part: the reported time; EUC-JP part: the log line (read once, decoded)
    let times: Vec<(&str, String)> =
        c.facts.times.iter().map(|t| (t.text.as_str(), t.time.to_rfc3339())).collect();
    assert!(
        times.contains(&("2002/05/09 02:34:53 JST", "2002-05-08T17:34:53Z".to_string())),
        "{times:?}"
    );
    assert_eq!(c.facts.log_lines.len(), 1, "{:?}", c.facts.log_lines);
    assert!(c.facts.log_lines[0].text.ends_with("mx.example.jp:192.0.2.30::40211"));
    let notes = c.notes.join("\n");
    assert!(notes.contains("a base64 part in Shift_JIS was decoded and converted"), "{notes}");
    assert!(
        notes.contains("a quoted-printable part in EUC-JP was decoded and converted"),
        "{notes}"
    );
}

/// Python's mailbox module (gen-ja.py): three messages; the third's body line "From the logs…"
/// was written as ">From the logs…" and comes back unquoted.
#[test]
fn mbox_by_python_mailbox() {
    use jikoku_formats::mailheader::mbox::split;
    let b = fixture_bytes("complaints.mbox");
    assert!(b.windows(15).any(|w| w == b"\n>From the logs"));
    let ms = split(&b).unwrap();
    let lines: Vec<usize> = ms.iter().map(|m| m.line).collect();
    assert_eq!(lines, [1, 45, 85]);
    assert_eq!(ms[1].postmark, "From security@example.co.jp Thu May  9 01:15:02 2002");
    let third = String::from_utf8(ms[2].bytes.clone()).unwrap();
    assert!(third.contains("\nFrom the logs of our bastion host:\n"), "{third}");
    assert!(!third.contains(">From"));
    // each message is a complaint of its own: its header is the complaint's header
    let subjects: Vec<String> =
        ms.iter().map(|m| read_complaint(&m.bytes).envelope.unwrap().subject.unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "Fwd: spam from your server mail.example.jp",
            "【至急】貴社サーバからのフィッシングメールについて",
            "ssh scanning from your network"
        ]
    );
    let c3 = read_complaint(&ms[2].bytes);
    assert_eq!(c3.facts.times[0].time.to_rfc3339(), "2002-05-08T17:29:40Z");
    assert_eq!(c3.facts.ips[0].0, "198.51.100.7");
}
