//! Field assertions for every auth message form, on real lines.
//!
//! Lines marked `fixture` come from tests/golden/rsyslog-auth-traditional/input.log (written by
//! rsyslogd 8.2302 from real sshd 9.2p1, su, cron, shadow 4.13 runs, see
//! tests/fixtures-gen/syslog-auth/gen.sh); `fail2ban`, `plaso`, `loghub` lines are copied from
//! those projects' published test files (shared/corpora).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use jikoku_core::Event;
use jikoku_formats::registry;

fn parse(text: &str) -> Vec<Event> {
    let p = registry::find("syslog").unwrap();
    let mut out = vec![];
    let mut input = text.as_bytes();
    p.parse(&mut input, &Default::default(), &mut |r| out.push(*r.event)).unwrap();
    out
}

fn one(line: &str) -> Event {
    let v = parse(line);
    assert_eq!(v.len(), 1, "{line}");
    v.into_iter().next().unwrap()
}

/// Expected fields; `None` means "must be absent".
#[derive(Default)]
struct Want {
    dataset: &'static str,
    action: Option<&'static str>,
    outcome: Option<&'static str>,
    user: Option<&'static str>,
    target: Option<&'static str>,
    ip: Option<&'static str>,
    port: Option<u16>,
}

fn check(line: &str, w: Want) -> Event {
    let e = one(line);
    assert_eq!(e.event.kind, "event", "{line}");
    assert_eq!(e.event.dataset, w.dataset, "dataset of {line}");
    assert_eq!(e.event.action.as_deref(), w.action, "action of {line}");
    assert_eq!(e.event.outcome.as_deref(), w.outcome, "outcome of {line}");
    assert_eq!(e.user.name.as_deref(), w.user, "user.name of {line}");
    assert_eq!(e.user.target.name.as_deref(), w.target, "user.target.name of {line}");
    assert_eq!(e.source.ip.as_deref(), w.ip, "source.ip of {line}");
    assert_eq!(e.source.port, w.port, "source.port of {line}");
    e
}

const SSHD: &str = "auth.sshd";

#[test]
fn sshd_logins_fixture() {
    let e = check(
        "Nov 23 06:11:29 vm sshd[12060]: Accepted password for carol from 127.0.0.1 port 58448 ssh2",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("success"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58448),
            ..Default::default()
        },
    );
    assert_eq!(
        (e.host.name.as_deref(), e.process.name.as_deref(), e.process.pid),
        (Some("vm"), Some("sshd"), Some(12060))
    );
    assert_eq!(e.event.category, ["authentication", "session"]);
    assert_eq!(e.extra("ssh", "method").unwrap(), "password");
    let e = check(
        "Nov 23 06:11:29 vm sshd[12084]: Accepted publickey for carol from 127.0.0.1 port 58460 ssh2: ED25519 SHA256:HqZl2BbfZ8oHuCxj5mlh3unJlIrvQ+gZeYkPt31oHYI",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("success"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58460),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("ssh", "key_type").unwrap(), "ED25519");
    assert_eq!(
        e.extra("ssh", "fingerprint").unwrap(),
        "SHA256:HqZl2BbfZ8oHuCxj5mlh3unJlIrvQ+gZeYkPt31oHYI"
    );
    let e = check(
        "Nov 23 06:11:29 vm sshd[12084]: Postponed publickey for carol from 127.0.0.1 port 58460 ssh2 [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-login-postponed"),
            outcome: Some("success"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58460),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("ssh", "preauth").unwrap(), true);
    let e = check(
        "Nov 23 06:11:29 vm sshd[12084]: Accepted key ED25519 SHA256:HqZl2BbfZ8oHuCxj5mlh3unJlIrvQ+gZeYkPt31oHYI found at /home/carol/.ssh/authorized_keys:1",
        Want { dataset: SSHD, action: Some("ssh-key-accepted"), ..Default::default() },
    );
    assert_eq!(e.extra("ssh", "authorized_keys").unwrap(), "/home/carol/.ssh/authorized_keys:1");
    check(
        "Nov 23 06:11:32 vm sshd[12094]: Failed password for carol from 127.0.0.1 port 58470 ssh2",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58470),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:46 vm sshd[13291]: Failed password for root from 127.0.0.1 port 50274 ssh2",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("127.0.0.1"),
            port: Some(50274),
            ..Default::default()
        },
    );
}

#[test]
fn sshd_invalid_and_denied_users_fixture() {
    let e = check(
        "Nov 23 06:11:32 vm sshd[12326]: Invalid user nosuchuser from 127.0.0.1 port 58480",
        Want {
            dataset: SSHD,
            action: Some("ssh-invalid-user"),
            outcome: Some("failure"),
            user: Some("nosuchuser"),
            ip: Some("127.0.0.1"),
            port: Some(58480),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("ssh", "invalid_user").unwrap(), true);
    // A user name with a space, as sshd logs it.
    check(
        "Nov 23 06:11:36 vm sshd[12459]: Invalid user admin test from 127.0.0.1 port 50250",
        Want {
            dataset: SSHD,
            action: Some("ssh-invalid-user"),
            outcome: Some("failure"),
            user: Some("admin test"),
            ip: Some("127.0.0.1"),
            port: Some(50250),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:38 vm sshd[12459]: Failed password for invalid user admin test from 127.0.0.1 port 50250 ssh2",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("admin test"),
            ip: Some("127.0.0.1"),
            port: Some(50250),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:39 vm sshd[12459]: Connection closed by invalid user admin test 127.0.0.1 port 50250 [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection-closed"),
            user: Some("admin test"),
            ip: Some("127.0.0.1"),
            port: Some(50250),
            ..Default::default()
        },
    );
    let e = check(
        "Nov 23 06:11:40 vm sshd[13060]: User erin from 127.0.0.1 not allowed because listed in DenyUsers",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("erin"),
            ip: Some("127.0.0.1"),
            ..Default::default()
        },
    );
    assert_eq!(e.event.reason.as_deref(), Some("not allowed because listed in DenyUsers"));
    check(
        "Nov 23 06:11:51 vm sshd[13324]: Connection closed by authenticating user dave 127.0.0.1 port 50880 [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection-closed"),
            user: Some("dave"),
            ip: Some("127.0.0.1"),
            port: Some(50880),
            ..Default::default()
        },
    );
}

#[test]
fn sshd_connections_fixture() {
    let e = check(
        "Nov 23 06:11:29 vm sshd[12060]: Connection from 127.0.0.1 port 58448 on 127.0.0.1 port 2222 rdomain \"\"",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection"),
            ip: Some("127.0.0.1"),
            port: Some(58448),
            ..Default::default()
        },
    );
    assert_eq!((e.destination.ip.as_deref(), e.destination.port), (Some("127.0.0.1"), Some(2222)));
    let e = check(
        "Nov 23 06:11:29 vm sshd[12074]: Received disconnect from 127.0.0.1 port 58448:11: disconnected by user",
        Want {
            dataset: SSHD,
            action: Some("ssh-disconnect"),
            ip: Some("127.0.0.1"),
            port: Some(58448),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("ssh", "disconnect_reason").unwrap(), "disconnected by user");
    check(
        "Nov 23 06:11:29 vm sshd[12074]: Disconnected from user carol 127.0.0.1 port 58448",
        Want {
            dataset: SSHD,
            action: Some("ssh-disconnect"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58448),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:29 vm sshd[12074]: Starting session: command for carol from 127.0.0.1 port 58448 id 0",
        Want {
            dataset: SSHD,
            action: Some("ssh-session-start"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58448),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:29 vm sshd[12090]: Close session: user carol from 127.0.0.1 port 58460 id 0",
        Want {
            dataset: SSHD,
            action: Some("ssh-session-end"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            port: Some(58460),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:51 vm sshd[13447]: Connection reset by 127.0.0.1 port 50888",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection-closed"),
            ip: Some("127.0.0.1"),
            port: Some(50888),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:51 vm sshd[13450]: banner exchange: Connection from 127.0.0.1 port 50898: invalid format",
        Want {
            dataset: SSHD,
            action: Some("ssh-bad-banner"),
            outcome: Some("failure"),
            ip: Some("127.0.0.1"),
            port: Some(50898),
            ..Default::default()
        },
    );
    let e = check(
        "Nov 23 06:11:52 vm sshd[13455]: Unable to negotiate with 127.0.0.1 port 50900: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,ext-info-c,kex-strict-c-v00@openssh.com [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-negotiation-failed"),
            outcome: Some("failure"),
            ip: Some("127.0.0.1"),
            port: Some(50900),
            ..Default::default()
        },
    );
    assert!(e.event.reason.unwrap().starts_with("no matching key exchange method found"));
    let e = check(
        "Nov 23 06:11:22 vm sshd[12056]: Server listening on 127.0.0.1 port 2222.",
        Want { dataset: SSHD, action: Some("ssh-listen"), ..Default::default() },
    );
    assert_eq!(e.extra("ssh", "listen_port").unwrap(), 2222);
    check(
        "Nov 23 06:12:05 vm sshd[12056]: Received signal 15; terminating.",
        Want { dataset: SSHD, action: Some("ssh-stop"), ..Default::default() },
    );
}

#[test]
fn sshd_peer_carried_by_pid_fixture() {
    let v = parse(concat!(
        "Nov 23 06:11:51 vm sshd[13447]: Connection from 127.0.0.1 port 50888 on 127.0.0.1 port 2222 rdomain \"\"\n",
        "Nov 23 06:11:51 vm sshd[13447]: error: kex_exchange_identification: read: Connection reset by peer\n",
        "Nov 23 06:11:51 vm sshd[99999]: error: kex_exchange_identification: read: Connection reset by peer\n",
    ));
    assert_eq!(v[1].event.action.as_deref(), Some("ssh-bad-banner"));
    assert_eq!((v[1].source.ip.as_deref(), v[1].source.port), (Some("127.0.0.1"), Some(50888)));
    assert_eq!(v[1].extra("ssh", "source_from_pid").unwrap(), true);
    assert_eq!(v[2].source.ip, None, "another pid gets no peer");
}

#[test]
fn sshd_published_forms() {
    // fail2ban
    check(
        "Jun 21 16:47:48 digital-mlhhyiqscv sshd[13709]: error: PAM: Authentication failure for myhlj1374 from 192.030.0.6",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("myhlj1374"),
            ..Default::default()
        },
    );
    let e = one(
        "May 29 20:56:52 imago sshd[28732]: error: PAM: Authentication failure for stefanor from example.com",
    );
    assert_eq!(e.source.domain.as_deref(), Some("example.com"));
    check(
        "Apr 29 12:53:38 Jamess-iMac.local sshd[47831]: error: PAM: authentication failure for james from 205.186.180.88 via 192.168.1.201",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("james"),
            ip: Some("205.186.180.88"),
            ..Default::default()
        },
    );
    check(
        "Dec 12 20:04:39 aragorn sshd[1328]: error: PAM: User not known to the underlying authentication module for illegal user kernelitshell from 10.215.4.227 ",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("kernelitshell"),
            ip: Some("10.215.4.227"),
            ..Default::default()
        },
    );
    check(
        "Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("1.2.3.4"),
            ..Default::default()
        },
    );
    check(
        "Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("1.2.3.4"),
            port: Some(12345),
            ..Default::default()
        },
    );
    let e = check(
        "Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed in AllowUsers",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("211.188.220.49"),
            ..Default::default()
        },
    );
    assert_eq!((e.host.name.as_deref(), e.process.name.as_deref()), (None, Some("sshd")));
    check(
        "Nov 11 23:33:27 Server sshd[5174]: refused connect from _U2FsdGVkX19P3BCJmFBHhjLza8BcMH06WCUVwttMHpE=_@::ffff:218.249.210.161 (::ffff:218.249.210.161)",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection-refused"),
            outcome: Some("failure"),
            ip: Some("218.249.210.161"),
            ..Default::default()
        },
    );
    let e = check(
        "Mar 29 05:20:09 dusky sshd[19558]: [ID 800047 auth.info] Failed keyboard-interactive for james from 205.186.180.30 port 54520 ssh2",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("james"),
            ip: Some("205.186.180.30"),
            port: Some(54520),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("syslog", "solaris_msgid").unwrap(), "800047 auth.info");
    // Attacker text after the real peer (old sshd appended the client's version string).
    for line in [
        "Sep 29 17:15:02 spaceman sshd[12946]: Failed password for user from 127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4",
        "Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2",
        "Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2",
    ] {
        let e = one(line);
        assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"), "{line}");
        assert_eq!(e.extra("ssh", "key_type"), None, "{line}");
    }
    check(
        "Jul 13 18:44:28 mdop sshd[4931]: Received disconnect from 89.24.13.192: 3: com.jcraft.jsch.JSchException: Auth fail",
        Want {
            dataset: SSHD,
            action: Some("ssh-disconnect"),
            ip: Some("89.24.13.192"),
            ..Default::default()
        },
    );
    check(
        "Jan  2 01:18:41 host sshd[11808]: error: Received disconnect from 10.0.0.1 port 7736:3: com.jcraft.jsch.JSchException: Auth fail [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-disconnect"),
            ip: Some("10.0.0.1"),
            port: Some(7736),
            ..Default::default()
        },
    );
    check(
        "Feb 12 04:09:21 localhost sshd[26713]: Disconnecting: Too many authentication failures for root [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-too-many-failures"),
            outcome: Some("failure"),
            user: Some("root"),
            ..Default::default()
        },
    );
    check(
        "Jun 7 01:11:58 host sshd[8783]: Bad protocol version identification 'dummy string' from 192.0.2.1' from 69.61.56.115 port 31778",
        Want {
            dataset: SSHD,
            action: Some("ssh-bad-banner"),
            outcome: Some("failure"),
            ip: Some("69.61.56.115"),
            port: Some(31778),
            ..Default::default()
        },
    );
    check(
        "Mar  1 18:59:52 srv sshd[12345]: fatal: Timeout before authentication for 192.0.2.14 port 55555",
        Want {
            dataset: SSHD,
            action: Some("ssh-login-timeout"),
            outcome: Some("failure"),
            ip: Some("192.0.2.14"),
            port: Some(55555),
            ..Default::default()
        },
    );
    check(
        "Jun 10 09:43:06 host sshd[3801]: Timeout before authentication for connection from 192.0.2.17 to 127.0.0.1, pid = 29098",
        Want {
            dataset: SSHD,
            action: Some("ssh-login-timeout"),
            outcome: Some("failure"),
            ip: Some("192.0.2.17"),
            ..Default::default()
        },
    );
    check(
        "Mar  1 18:59:50 hostname sshd[71905]: ssh_dispatch_run_fatal: Connection from 192.0.2.13 port 33738: message authentication code incorrect [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-protocol-error"),
            outcome: Some("failure"),
            ip: Some("192.0.2.13"),
            port: Some(33738),
            ..Default::default()
        },
    );
    check(
        "Nov 24 23:46:41 host sshd[32686]: SSH: Server;Ltype: Authname;Remote: 127.0.0.1-1780;Name: root [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-connection-info"),
            user: Some("root"),
            ip: Some("127.0.0.1"),
            port: Some(1780),
            ..Default::default()
        },
    );
    // loghub OpenSSH / elastic system-auth
    let e = check(
        "Dec 10 07:07:38 LabSZ sshd[24206]: input_userauth_request: invalid user test9 [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-invalid-user"),
            outcome: Some("failure"),
            user: Some("test9"),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("ssh", "preauth").unwrap(), true);
    check(
        "Dec 10 07:13:56 LabSZ sshd[24227]: PAM service(sshd) ignoring max retries; 6 > 3",
        Want {
            dataset: SSHD,
            action: Some("ssh-pam-max-retries"),
            outcome: Some("failure"),
            ..Default::default()
        },
    );
    let e = check(
        "Feb 22 16:45:26 slave22 sshd[2738]: fatal: Read from socket failed: Connection reset by peer [preauth]",
        Want {
            dataset: SSHD,
            action: Some("ssh-fatal"),
            outcome: Some("failure"),
            ..Default::default()
        },
    );
    assert_eq!(
        e.event.reason.as_deref(),
        Some("Read from socket failed: Connection reset by peer")
    );
    // plaso (two spaces after the tag, as rsyslog writes them)
    let e = check(
        "Mar 11 19:26:39 osx-machine sshd[3]:  Accepted publickey for plaso from 192.168.0.1 port 59229 ssh2: RSA 00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("success"),
            user: Some("plaso"),
            ip: Some("192.168.0.1"),
            port: Some(59229),
            ..Default::default()
        },
    );
    assert_eq!(
        e.extra("ssh", "fingerprint").unwrap(),
        "00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99"
    );
    check(
        "Mar 11 22:55:30 ubuntu2015 sshd[3]:  Failed publickey for plaso from 001:db8:a0b:12f0::1 port 8759",
        Want {
            dataset: SSHD,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("plaso"),
            ip: Some("001:db8:a0b:12f0::1"),
            port: Some(8759),
            ..Default::default()
        },
    );
}

#[test]
fn dropbear_published_forms() {
    let d = "auth.dropbear";
    check(
        "Mar 24 15:25:51 buffalo1 dropbear[4092]: bad password attempt for 'root' from 198.51.100.87:5543",
        Want {
            dataset: d,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("198.51.100.87"),
            port: Some(5543),
            ..Default::default()
        },
    );
    check(
        "Feb 11 15:23:17 dropbear[1252]: login attempt for nonexistent user from ::ffff:198.51.100.215:60495",
        Want {
            dataset: d,
            action: Some("ssh-invalid-user"),
            outcome: Some("failure"),
            ip: Some("198.51.100.215"),
            port: Some(60495),
            ..Default::default()
        },
    );
    check(
        "Jul 27 01:04:22 fail2ban-test dropbear[1335]: Exit before auth (user 'root', 10 fails): Max auth tries reached - user 'root' from 1.2.3.4:60588",
        Want {
            dataset: d,
            action: Some("ssh-disconnect"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("1.2.3.4"),
            port: Some(60588),
            ..Default::default()
        },
    );
    check(
        "Jul 10 23:53:52 fail2ban-test dropbear[825]: [825] Jul 10 23:53:52 Bad password attempt for 'root' from 1.2.3.4:52289",
        Want {
            dataset: d,
            action: Some("ssh-login"),
            outcome: Some("failure"),
            user: Some("root"),
            ip: Some("1.2.3.4"),
            port: Some(52289),
            ..Default::default()
        },
    );
    check(
        "Jul 10 23:59:24 fail2ban-test dropbear[826]: [826] Jul 10 23:59:24 Exit before auth from <192.0.2.3:52325>: Max auth tries reached - user 'is invalid'",
        Want {
            dataset: d,
            action: Some("ssh-disconnect"),
            outcome: Some("failure"),
            ip: Some("192.0.2.3"),
            port: Some(52325),
            ..Default::default()
        },
    );
}

#[test]
fn pam_forms() {
    let p = "auth.pam";
    let e = check(
        "Nov 23 06:11:29 vm sshd[12094]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=127.0.0.1  user=carol",
        Want {
            dataset: p,
            action: Some("auth-failure"),
            outcome: Some("failure"),
            user: Some("carol"),
            ip: Some("127.0.0.1"),
            ..Default::default()
        },
    );
    assert_eq!(e.extra("pam", "service").unwrap(), "sshd");
    assert_eq!(e.extra("pam", "type").unwrap(), "auth");
    // su: ruser typed the password for user.
    let e = check(
        "Nov 23 06:11:53 vm su: pam_unix(su:auth): authentication failure; logname= uid=1007 euid=0 tty=/dev/pts/1 ruser=carol rhost=  user=dave",
        Want {
            dataset: p,
            action: Some("auth-failure"),
            outcome: Some("failure"),
            user: Some("carol"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    assert_eq!(e.jikoku.tty.as_deref(), Some("pts/1"));
    let e = check(
        "Nov 23 06:11:29 vm sshd[12060]: pam_unix(sshd:session): session opened for user carol(uid=1007) by (uid=0)",
        Want {
            dataset: p,
            action: Some("session-opened"),
            outcome: Some("success"),
            user: Some("carol"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.user.id.as_deref(), Some("1007"));
    let e = check(
        "Nov 23 06:11:53 vm su[13636]: pam_unix(su:session): session opened for user dave(uid=1008) by (uid=1007)",
        Want {
            dataset: p,
            action: Some("session-opened"),
            outcome: Some("success"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    assert_eq!((e.user.id.as_deref(), e.user.target.id.as_deref()), (Some("1007"), Some("1008")));
    check(
        "Nov 23 06:11:53 vm su[13636]: pam_unix(su:session): session closed for user dave",
        Want {
            dataset: p,
            action: Some("session-closed"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:29 vm sshd[12060]: pam_unix(sshd:session): session closed for user carol",
        Want {
            dataset: p,
            action: Some("session-closed"),
            user: Some("carol"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:12:01 vm CRON[14770]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        Want {
            dataset: p,
            action: Some("session-opened"),
            outcome: Some("success"),
            user: Some("root"),
            target: Some("root"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:28 vm chpasswd[11982]: pam_unix(chpasswd:chauthtok): password changed for carol",
        Want {
            dataset: p,
            action: Some("password-changed"),
            outcome: Some("success"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:32 vm sshd[12326]: pam_unix(sshd:auth): check pass; user unknown",
        Want {
            dataset: p,
            action: Some("auth-failure"),
            outcome: Some("failure"),
            ..Default::default()
        },
    );
    // fail2ban: old prefixes and injected values
    let e = check(
        "May 12 09:47:54 vaio sshd[16004]: (pam_unix) authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=71-13-115-12.static.mdsn.wi.charter.com  user=root",
        Want {
            dataset: p,
            action: Some("auth-failure"),
            outcome: Some("failure"),
            user: Some("root"),
            ..Default::default()
        },
    );
    assert_eq!(e.source.domain.as_deref(), Some("71-13-115-12.static.mdsn.wi.charter.com"));
    let e = one(
        "Jul 19 18:11:26 srv2 vsftpd: pam_unix: authentication failure; logname= uid=0 euid=0 tty=ftp ruser=an8767 rhost=www.google.com",
    );
    assert_eq!(
        (e.user.name.as_deref(), e.source.domain.as_deref()),
        (Some("an8767"), Some("www.google.com"))
    );
    let e = one(
        "Jul 19 18:11:50 srv2 daemon: pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser=test rhost=192.0.2.151 rhost=192.0.2.1",
    );
    assert_eq!(
        (e.user.name.as_deref(), e.source.ip.as_deref()),
        (Some("test rhost=192.0.2.151"), Some("192.0.2.1"))
    );
    let e = one(
        "Jul 19 18:11:52 srv2 daemon: pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152",
    );
    assert_eq!(
        (e.user.name.as_deref(), e.source.ip.as_deref()),
        (Some("test rhost=192.0.2.152"), Some("192.0.2.2"))
    );
}

#[test]
fn su_forms() {
    let s = "auth.su";
    let e = check(
        "Nov 23 06:11:53 vm su[13636]: (to dave) carol on pts/0",
        Want {
            dataset: s,
            action: Some("su"),
            outcome: Some("success"),
            user: Some("carol"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    assert_eq!(e.jikoku.tty.as_deref(), Some("pts/0"));
    let e = check(
        "Nov 23 06:11:53 vm su[13585]: (to carol) root on none",
        Want {
            dataset: s,
            action: Some("su"),
            outcome: Some("success"),
            user: Some("root"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.jikoku.tty, None);
    check(
        "Nov 23 06:11:56 vm su[13671]: FAILED SU (to dave) carol on pts/1",
        Want {
            dataset: s,
            action: Some("su"),
            outcome: Some("failure"),
            user: Some("carol"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    // RFC 3164 / 5424 example text
    check(
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
        Want {
            dataset: s,
            action: Some("su"),
            outcome: Some("failure"),
            user: Some("lonvick"),
            target: Some("root"),
            ..Default::default()
        },
    );
}

#[test]
fn ftpd_klogind_loghub() {
    let e = check(
        "Jun 17 07:07:00 combo ftpd[29504]: connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005 ",
        Want {
            dataset: "auth.ftpd",
            action: Some("ftp-connection"),
            ip: Some("24.54.76.216"),
            ..Default::default()
        },
    );
    assert_eq!(e.source.domain.as_deref(), Some("24-54-76-216.bflony.adelphia.net"));
    let e = check(
        "Jun 30 20:53:04 combo klogind[19272]: Authentication failed from 163.27.187.39 (163.27.187.39): Permission denied in replay cache code ",
        Want {
            dataset: "auth.klogind",
            action: Some("rlogin-login"),
            outcome: Some("failure"),
            ip: Some("163.27.187.39"),
            ..Default::default()
        },
    );
    assert_eq!(e.event.reason.as_deref(), Some("Permission denied in replay cache code "));
}

#[test]
fn cron_forms() {
    let c = "auth.cron";
    let e = check(
        "Nov 23 06:12:01 vm CRON[14770]: (root) CMD ([14771] echo jikoku-fixture-cron >/dev/null)",
        Want { dataset: c, action: Some("cron-command"), user: Some("root"), ..Default::default() },
    );
    assert_eq!(e.process.command_line.as_deref(), Some("echo jikoku-fixture-cron >/dev/null"));
    assert_eq!(e.extra("cron", "job_pid").unwrap(), 14771);
    let e = check(
        "Nov 23 06:12:01 vm CRON[14770]: (root) END ([14771] echo jikoku-fixture-cron >/dev/null)",
        Want {
            dataset: c,
            action: Some("cron-command-end"),
            user: Some("root"),
            ..Default::default()
        },
    );
    assert_eq!(e.process.command_line.as_deref(), Some("echo jikoku-fixture-cron >/dev/null"));
    // plaso
    let e = check(
        "Mar 11 19:26:39 osx-machine CRON[3]: (root) CMD (sleep $(( 1 * 60 )); touch /tmp/afile.txt)",
        Want { dataset: c, action: Some("cron-command"), user: Some("root"), ..Default::default() },
    );
    assert_eq!(
        e.process.command_line.as_deref(),
        Some("sleep $(( 1 * 60 )); touch /tmp/afile.txt")
    );
    let e = one("Nov 23 06:11:57 vm cron[14643]: (CRON) INFO (pidfile fd = 3)");
    assert_eq!((e.event.dataset.as_ref(), e.event.action.as_deref()), (c, None));
}

#[test]
fn account_forms_fixture() {
    let a = "auth.account";
    let e = check(
        "Nov 23 06:11:28 vm useradd[11946]: new user: name=carol, UID=1007, GID=1008, home=/home/carol, shell=/bin/bash, from=none",
        Want {
            dataset: a,
            action: Some("user-created"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.user.target.id.as_deref(), Some("1007"));
    assert_eq!(e.extra("account", "shell").unwrap(), "/bin/bash");
    let e = check(
        "Nov 23 06:11:28 vm groupadd[11940]: new group: name=jkfx, GID=1007",
        Want { dataset: a, action: Some("group-created"), ..Default::default() },
    );
    assert_eq!((e.group.name.as_deref(), e.group.id.as_deref()), (Some("jkfx"), Some("1007")));
    let e = check(
        "Nov 23 06:11:28 vm usermod[11967]: add 'carol' to shadow group 'jkfx'",
        Want {
            dataset: a,
            action: Some("user-added-to-group"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.group.name.as_deref(), Some("jkfx"));
    check(
        "Nov 23 06:11:28 vm passwd[12031]: password for 'erin' changed by 'root'",
        Want {
            dataset: a,
            action: Some("password-changed"),
            user: Some("root"),
            target: Some("erin"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:11:28 vm chage[12045]: changed password expiry for dave",
        Want {
            dataset: a,
            action: Some("password-expiry-changed"),
            target: Some("dave"),
            ..Default::default()
        },
    );
    check(
        "Nov 23 06:12:05 vm userdel[15349]: delete user 'carol'",
        Want {
            dataset: a,
            action: Some("user-deleted"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    let e = check(
        "Nov 23 06:12:05 vm userdel[15349]: delete 'carol' from group 'jkfx'",
        Want {
            dataset: a,
            action: Some("user-removed-from-group"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.group.name.as_deref(), Some("jkfx"));
    let e = check(
        "Nov 23 06:12:05 vm userdel[15349]: removed shadow group 'carol' owned by 'carol'",
        Want {
            dataset: a,
            action: Some("group-deleted"),
            target: Some("carol"),
            ..Default::default()
        },
    );
    assert_eq!(e.group.name.as_deref(), Some("carol"));
    let e = check(
        "Nov 23 06:12:05 vm groupdel[15383]: group 'jkfx' removed from /etc/group",
        Want { dataset: a, action: Some("group-deleted"), ..Default::default() },
    );
    assert_eq!(
        (e.group.name.as_deref(), e.extra("account", "file").unwrap().as_str()),
        (Some("jkfx"), Some("/etc/group"))
    );
}

#[test]
fn header_variants_published() {
    // loghub Mac: tags with spaces, launchd context
    let e = one(
        "Jul  4 23:22:09 calvisitor-10-105-162-105 Microsoft Word[14463]: Cocoa scripting error for '0x00660011': four character codes must be four characters long.",
    );
    assert_eq!((e.process.name.as_deref(), e.process.pid), (Some("Microsoft Word"), Some(14463)));
    let e = one(
        "Jul  1 09:29:02 calvisitor-10-105-160-95 sandboxd[129] ([31211]): com.apple.Addres(31211) deny network-outbound /private/var/run/mDNSResponder",
    );
    assert_eq!(
        e.message.as_deref(),
        Some("com.apple.Addres(31211) deny network-outbound /private/var/run/mDNSResponder")
    );
    assert_eq!(e.extra("syslog", "context").unwrap(), "[31211]");
    // loghub Linux: sysklogd version, old login ident
    let e = one("Jun 19 04:09:11 combo syslogd 1.4.1: restart.");
    assert_eq!(
        (e.process.name.as_deref(), e.message.as_deref()),
        (Some("syslogd"), Some("restart."))
    );
    let e = one("Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2");
    assert_eq!(
        (e.host.name.as_deref(), e.process.pid, e.message.as_deref()),
        (Some("combo"), Some(2421), Some("ROOT LOGIN ON tty2"))
    );
    // loghub Thunderbird: HPC prefix
    let e = one(
        "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
    );
    assert_eq!(
        (e.host.name.as_deref(), e.process.pid, e.message.as_deref()),
        (Some("dn228"), Some(2915), Some("session closed for user root"))
    );
    assert_eq!(e.event.action.as_deref(), Some("session-closed"));
    assert_eq!(e.extra("syslog", "epoch").unwrap(), 1131566461);
    // ChromeOS severity word instead of a host
    let e = one(
        "2016-10-25T12:37:23.297265-07:00 INFO periodic_scheduler[13707]: cleanup_logs: job completed",
    );
    assert_eq!(
        (e.host.name.as_deref(), e.log.level.as_deref(), e.process.name.as_deref()),
        (None, Some("INFO"), Some("periodic_scheduler"))
    );
    // French / German month names (journalctl under LC_TIME=fr_FR / de_DE; lnav and fail2ban tests)
    let e = one("août 19 11:08:37 nlaptop symphorien[4961]: test");
    assert_eq!((e.host.name.as_deref(), e.process.pid), (Some("nlaptop"), Some(4961)));
    let e = one(
        "Dez 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 193.168.0.128",
    );
    assert_eq!(
        (e.process.name.as_deref(), e.source.ip.as_deref()),
        (Some("sshd"), Some("193.168.0.128"))
    );
    // fail2ban's own log, tag padded before the pid
    let e = one(
        "2006-02-13 15:52:30,388 fail2ban.actions        [123]: NOTICE  [sendmail] Ban 1.2.3.4",
    );
    assert_eq!(
        (e.process.name.as_deref(), e.process.pid, e.host.name.as_deref()),
        (Some("fail2ban.actions"), Some(123), None)
    );
    assert_eq!(
        (e.event.action.as_deref(), e.source.ip.as_deref()),
        (Some("fail2ban-ban"), Some("1.2.3.4"))
    );
    assert_eq!(e.extra("fail2ban", "jail").unwrap(), "sendmail");
    // A `<PRI>` line without a timestamp is an error, not a continuation.
    let v = parse(
        "<34>Oct 11 22:14:15 mymachine su: x\n<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!\n",
    );
    assert_eq!((v.len(), v[1].event.kind.as_ref()), (2, "pipeline_error"));
    // Blank lines after a comment join it.
    let v =
        parse("# comment\n\n\nJan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4\n");
    assert_eq!(
        (v.len(), v[0].event.dataset.as_ref(), v[0].jikoku.lines),
        (2, "text.comment", Some(3))
    );
}
