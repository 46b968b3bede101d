//! Authentication and account messages inside syslog: sshd (and OpenSSH ≥ 9.8 `sshd-session`),
//! dropbear, PAM (any service, also the old `(pam_unix)` and `pam_unix:` prefixes), su
//! (util-linux and shadow forms), login, cron/cronie, account management (useradd, groupadd,
//! usermod, userdel, groupdel, passwd, chpasswd, chage), fail2ban's own ban lines, ftpd
//! connections and klogind failures.
//!
//! Grammar notes and real lines: shared/FORMATS.md §7; every form has a field test on a real
//! line in tests/auth.rs. User names may contain spaces, be empty or hold ` from `: sshd lines
//! take the first ` from ADDR port N` followed by nothing, `ssh1`/`ssh2` or `: …` (old sshd
//! appended the client's text after `ssh2: `), else the last ` from ADDR`. PAM `ruser=`/`user=`
//! values are delimited by the real `rhost=` (the one followed by ` user=`, else the last).
//! `source.ip` of an IPv4-mapped peer (`::ffff:1.2.3.4`) is the IPv4 address.
//!
//! Datasets: `auth.sshd`, `auth.dropbear`, `auth.pam`, `auth.su`, `auth.login`, `auth.cron`,
//! `auth.account`, `auth.fail2ban`, `auth.ftpd`, `auth.klogind`.
//! Fields: `event.category/type/action/outcome/reason`, `user.name` (who acted: the login name
//! for sshd, the caller for su and PAM `ruser`), `user.id`, `user.target.name/id` (the account
//! acted as or on), `group.name/id`, `source.ip/port/address/domain`, `destination.*` (sshd
//! `Connection from … on ADDR port N`), `process.command_line` (cron), `jikoku.tty`, and
//! `jikoku.ssh.*` / `jikoku.pam.*` / `jikoku.cron.*` / `jikoku.account.*` / `jikoku.fail2ban.*`.
//! sshd lines without a peer (`fatal: …`, `kex_exchange_identification: …`) get it from the
//! same host and pid in the syslog parser (`jikoku.ssh.source_from_pid`).
//!
//! Known gaps: GSSAPI principal names and `AuthorizedKeysCommand` lines are kept as plain
//! `auth.sshd` events without fields; selinux/audit `type=USER_LOGIN` lines are audit.log
//! records, not syslog (no audit parser yet).

mod account;
mod pam;
mod sshd;
mod su;

use std::borrow::Cow;

use jikoku_core::Event;

use crate::MessageDecoder;

/// sshd, PAM, su, login, cron, account management.
pub struct AuthDecoder;

impl MessageDecoder for AuthDecoder {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn decode(&self, program: &str, msg: &str, e: &mut Event) -> bool {
        // `sshd(pam_unix)` (RHEL 4 era): the PAM module named in the tag.
        let (prog, pam_module) = match program.split_once('(') {
            Some((p, m)) => (p, m.strip_suffix(')')),
            None => (program, None),
        };
        // rsyslog keeps a second space before some messages (`sshd[3]:  Accepted …`).
        let msg = msg.trim_start_matches(' ');
        // Solaris syslogd's message ID: `[ID 800047 auth.info] Failed …`.
        let msg = match msg.strip_prefix("[ID ").and_then(|r| r.split_once("] ")) {
            Some((id, rest))
                if id.split(' ').next().is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit())) =>
            {
                e.set_extra("syslog", "solaris_msgid", id);
                rest
            }
            _ => msg,
        };
        if let Some(body) = msg.strip_prefix("pam_").and_then(|_| pam::split_pam_prefix(msg)) {
            return pam::decode(prog, body.0, body.1, e);
        }
        // `(pam_unix) authentication failure; …` (RHEL 4), `pam_unix: authentication failure; …`
        let old_pam = msg.strip_prefix("(pam_").and_then(|r| r.split_once(") ")).or_else(|| {
            msg.strip_prefix("pam_")
                .and_then(|r| r.split_once(": "))
                .filter(|(m, _)| !m.contains([' ', '(']))
        });
        if let Some((module, body)) = old_pam {
            return pam::decode(prog, &format!("pam_{module}"), body, e);
        }
        if let Some(module) = pam_module {
            if module.starts_with("pam_") {
                return pam::decode(prog, module, msg, e);
            }
        }
        if prog.starts_with("fail2ban") {
            return decode_fail2ban(msg, e);
        }
        if let Some(r) = msg.strip_prefix("connection from ").filter(|_| prog.ends_with("ftpd")) {
            // wu-ftpd/BSD ftpd: `connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Sun Jul 17 15:09:26 2005`
            let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
            set(e, "auth.ftpd", "network", "connection", "ftp-connection");
            peer(e, addr, None);
            if let Some(name) =
                rest.strip_prefix('(').and_then(|x| x.split_once(')')).map(|(n, _)| n)
            {
                if !name.is_empty() && e.source.domain.is_none() {
                    e.source.domain = Some(name.to_string());
                }
            }
            return true;
        }
        if prog == "klogind" || prog == "kshd" || prog == "eklogind" {
            // `Authentication failed from 163.27.187.39 (163.27.187.39): Software caused connection abort`
            if let Some(r) = msg.strip_prefix("Authentication failed from ") {
                let (addr, reason) = r.split_once(": ").unwrap_or((r, ""));
                set(e, "auth.klogind", "authentication", "start", "rlogin-login");
                e.outcome("failure");
                if !reason.is_empty() {
                    e.event.reason = Some(reason.to_string());
                }
                peer(e, addr.split(' ').next().unwrap_or(addr), None);
                return true;
            }
            if msg.starts_with("Kerberos authentication failed") {
                set(e, "auth.klogind", "authentication", "start", "rlogin-login");
                e.outcome("failure");
                e.event.reason = Some("Kerberos authentication failed".into());
                return true;
            }
        }
        match prog {
            "sshd" | "sshd-session" | "sshd-auth" => sshd::decode(msg, e),
            "dropbear" => sshd::decode_dropbear(msg, e),
            "su" => su::decode(msg, e),
            "login" => su::decode_login(msg, e),
            "CRON" | "cron" | "crond" | "CROND" | "crontab" | "anacron" => {
                account::decode_cron(prog, msg, e)
            }
            "useradd" | "userdel" | "usermod" | "groupadd" | "groupdel" | "groupmod" | "passwd"
            | "chpasswd" | "chage" | "gpasswd" | "adduser" | "deluser" => {
                account::decode(prog, msg, e)
            }
            _ => false,
        }
    }
}

/// fail2ban's own log: `NOTICE  [sshd] Ban 192.0.2.1`, `[sshd] Unban …`, `[sshd] Restore Ban …`,
/// `[sshd] Found 192.0.2.1 - 2005-08-14 10:00:00`, also behind `fail2ban.actions        [123]: `.
fn decode_fail2ban(msg: &str, e: &mut Event) -> bool {
    for (kw, action, kind) in [
        ("] Restore Ban ", "fail2ban-ban", "denied"),
        ("] Ban ", "fail2ban-ban", "denied"),
        ("] Unban ", "fail2ban-unban", "allowed"),
        ("] Found ", "fail2ban-found", "info"),
    ] {
        let Some(i) = msg.find(kw) else { continue };
        let Some(jail) = msg.get(..i).and_then(|h| h.rsplit_once('[')).map(|(_, j)| j) else {
            continue;
        };
        let Some(ip) = msg.get(i + kw.len()..).and_then(|r| r.split(' ').next()) else { continue };
        set(e, "auth.fail2ban", "intrusion_detection", kind, action);
        e.set_extra("fail2ban", "jail", jail);
        peer(e, ip, None);
        return true;
    }
    false
}

fn set(
    e: &mut Event,
    dataset: &'static str,
    category: &'static str,
    kind: &'static str,
    action: &'static str,
) {
    e.event.dataset = Cow::Borrowed(dataset);
    e.categorize(category, kind, action);
}

/// `IP port N` at the end of a text (after `from`), allowing a `[preauth]`/`ssh2` tail.
/// `source.ip` of an IPv4-mapped IPv6 peer (`::ffff:1.2.3.4`) is the IPv4 address;
/// `source.address` keeps what was written.
fn peer(e: &mut Event, addr: &str, port: Option<&str>) {
    let addr =
        if addr.parse::<std::net::IpAddr>().is_ok() { addr } else { addr.trim_end_matches(':') };
    e.source.set_address(addr);
    if let Some(v4) =
        addr.strip_prefix("::ffff:").and_then(|r| r.parse::<std::net::Ipv4Addr>().ok())
    {
        e.source.ip = Some(v4.to_string());
    }
    e.source.port = port.and_then(|p| p.parse().ok());
}
