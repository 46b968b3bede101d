//! A mounted disk image: what it says about its host, and where its logs are.
//!
//! Everything is read inside the image root. A symbolic link is resolved *inside the root*
//! (an absolute target is taken relative to the root, `..` never climbs above it), never on the
//! examiner's machine; a link that would leave the root is not followed and is reported.
//!
//! Discovered:
//! - host name: `etc/hostname`, `etc/HOSTNAME`, `etc/sysconfig/network` (`HOSTNAME=`), FreeBSD
//!   `etc/rc.conf` (`hostname=`);
//! - time zone: `etc/timezone`, the `etc/localtime` link target (`…/zoneinfo/Asia/Tokyo`), a TZif
//!   copy at `etc/localtime` matched by content against the zone database of this machine
//!   (`/usr/share/zoneinfo`), RHEL `etc/sysconfig/clock` (`ZONE=`), FreeBSD `var/db/zoneinfo`;
//! - users and groups: `etc/passwd`, `etc/group`;
//! - the host's own addresses and names ([`Identity`], each with the file that states it):
//!   `etc/hosts` (the lines naming the host), `etc/network/interfaces` (`address`),
//!   `etc/netplan/*.yaml` (`addresses:`), `etc/sysconfig/network-scripts/ifcfg-*` (`IPADDR`,
//!   `IPADDRn`, `IPV6ADDR`, `IPV6ADDR_SECONDARIES`), NetworkManager `*.nmconnection`
//!   (`addressN=`), FreeBSD `etc/rc.conf` (`ifconfig_IF[_ipv6|_aliasN]`), `etc/mailname`, Postfix
//!   `etc/postfix/main.cf` (`myhostname`, `mydomain`, `inet_interfaces`, `proxy_interfaces`),
//!   sendmail `etc/mail/local-host-names` and `sendmail.cw`; loopback addresses left out;
//! - logs: everything under `var/log`, `var/adm`, `var/account`, macOS `private/var/log`, and
//!   `var/run/utmp`, `run/utmp`.

use std::path::{Component, Path, PathBuf};

use chrono_tz::Tz;

use crate::Input;

/// What an image root told us.
#[derive(Debug, Clone, Default)]
pub struct ImageFacts {
    /// Host name and the file it came from.
    pub host: Option<(String, String)>,
    /// Zone and how it was found.
    pub zone: Option<(Tz, String)>,
    /// `etc/passwd` text.
    pub passwd: Option<String>,
    /// `etc/group` text.
    pub group: Option<String>,
    /// Log files found, displayed as their path inside the image (`/var/log/auth.log`).
    pub inputs: Vec<Input>,
    /// Links not followed, unreadable directories, special files skipped.
    pub problems: Vec<String>,
    /// The host's own addresses and names.
    pub identity: Identity,
}

/// Maximum links followed while resolving one path.
const MAX_LINKS: usize = 40;

/// Resolves `rel` (a path inside the image) to a real path under `root`, following symbolic
/// links inside the root only. `None` when a link leaves the root, loops, or a part is missing.
pub fn resolve_in_root(root: &Path, rel: &Path) -> Option<PathBuf> {
    resolve_in_root_why(root, rel).ok()
}

/// Why a path inside an image cannot be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// A link climbs above the image root.
    LeavesRoot,
    /// More than 40 links (a loop).
    Loops,
    /// A part of the path (or of a link's target) does not exist inside the image.
    Missing,
}

impl Unresolved {
    /// For messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Unresolved::LeavesRoot => "symbolic link leaves the image root; not followed",
            Unresolved::Loops => "symbolic link loops (more than 40 links); not followed",
            Unresolved::Missing => {
                "symbolic link points to nothing inside the image (dangling); not followed"
            }
        }
    }
}

/// As [`resolve_in_root`], saying why not.
pub fn resolve_in_root_why(root: &Path, rel: &Path) -> Result<PathBuf, Unresolved> {
    let mut parts: Vec<std::ffi::OsString> = vec![];
    let mut todo: Vec<std::ffi::OsString> = rel
        .components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    let mut links = 0;
    while let Some(c) = todo.pop() {
        if c == ".." {
            parts.pop();
            continue;
        }
        let mut cur = root.to_path_buf();
        cur.extend(&parts);
        cur.push(&c);
        let meta = std::fs::symlink_metadata(&cur).map_err(|_| Unresolved::Missing)?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return Err(Unresolved::Loops);
            }
            let target = std::fs::read_link(&cur).map_err(|_| Unresolved::Missing)?;
            if target.is_absolute() {
                parts.clear();
            }
            let comps: Vec<std::ffi::OsString> = target
                .components()
                .filter_map(|t| match t {
                    Component::Normal(s) => Some(s.to_os_string()),
                    Component::ParentDir => Some("..".into()),
                    _ => None,
                })
                .collect();
            // `..` above the root: the link leaves the image.
            let mut depth = parts.len() as isize;
            for t in &comps {
                depth += if t == ".." { -1 } else { 1 };
                if depth < 0 {
                    return Err(Unresolved::LeavesRoot);
                }
            }
            todo.extend(comps.into_iter().rev());
        } else {
            parts.push(c);
        }
    }
    let mut out = root.to_path_buf();
    out.extend(&parts);
    Ok(out)
}

fn read_text(root: &Path, rel: &str) -> Option<String> {
    let p = resolve_in_root(root, Path::new(rel))?;
    let meta = std::fs::metadata(&p).ok()?;
    if !meta.is_file() || meta.len() > 4 << 20 {
        return None;
    }
    std::fs::read(&p).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn assignment(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim();
        let v = l.strip_prefix(key)?.strip_prefix('=')?;
        let v = v.trim().trim_matches('"').trim_matches('\'');
        (!v.is_empty()).then(|| v.to_string())
    })
}

fn discover_host(root: &Path) -> Option<(String, String)> {
    for f in ["etc/hostname", "etc/HOSTNAME"] {
        if let Some(t) = read_text(root, f) {
            if let Some(h) = t.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))
            {
                return Some((h.to_string(), f.to_string()));
            }
        }
    }
    if let Some(h) =
        read_text(root, "etc/sysconfig/network").and_then(|t| assignment(&t, "HOSTNAME"))
    {
        return Some((h, "etc/sysconfig/network".into()));
    }
    if let Some(h) = read_text(root, "etc/rc.conf").and_then(|t| assignment(&t, "hostname")) {
        return Some((h, "etc/rc.conf".into()));
    }
    None
}

fn zone_after_zoneinfo(target: &str) -> Option<Tz> {
    let name = target.rsplit_once("zoneinfo/").map(|(_, n)| n)?;
    let name = name.strip_prefix("posix/").or_else(|| name.strip_prefix("right/")).unwrap_or(name);
    name.parse().ok()
}

/// A TZif file's zone, by content, in this machine's zone database.
fn match_tzif(bytes: &[u8]) -> Option<Tz> {
    let db = Path::new("/usr/share/zoneinfo");
    let mut stack = vec![db.to_path_buf()];
    let mut found: Vec<String> = vec![];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            let rel = p.strip_prefix(db).map(|r| r.display().to_string()).unwrap_or_default();
            if rel.starts_with("posix") || rel.starts_with("right") {
                continue;
            }
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file()
                && std::fs::metadata(&p).map(|m| m.len() == bytes.len() as u64).unwrap_or(false)
                && std::fs::read(&p).map(|b| b == bytes).unwrap_or(false)
            {
                found.push(rel);
            }
        }
    }
    // Prefer canonical Area/City names over aliases (`Japan`).
    found.sort_by_key(|n| (!n.contains('/'), n.starts_with("Etc/"), n.clone()));
    found.iter().find_map(|n| n.parse().ok())
}

fn discover_zone(root: &Path) -> Option<(Tz, String)> {
    if let Some(t) = read_text(root, "etc/timezone") {
        if let Some(tz) = t.lines().next().and_then(|l| l.trim().parse().ok()) {
            return Some((tz, "etc/timezone".into()));
        }
    }
    let lt = root.join("etc/localtime");
    if let Ok(target) = std::fs::read_link(&lt) {
        if let Some(tz) = zone_after_zoneinfo(&target.to_string_lossy()) {
            return Some((tz, format!("etc/localtime -> {}", target.display())));
        }
    }
    if let Some(p) = resolve_in_root(root, Path::new("etc/localtime")) {
        if let Ok(b) = std::fs::read(&p) {
            if b.starts_with(b"TZif") {
                if let Some(tz) = match_tzif(&b) {
                    return Some((
                        tz,
                        "etc/localtime (TZif content matched in the zone database)".into(),
                    ));
                }
            }
        }
    }
    if let Some(z) = read_text(root, "etc/sysconfig/clock").and_then(|t| assignment(&t, "ZONE")) {
        if let Ok(tz) = z.parse() {
            return Some((tz, "etc/sysconfig/clock".into()));
        }
    }
    if let Some(t) = read_text(root, "var/db/zoneinfo") {
        if let Some(tz) = t.lines().next().and_then(|l| l.trim().parse().ok()) {
            return Some((tz, "var/db/zoneinfo".into()));
        }
    }
    None
}

const LOG_DIRS: &[&str] = &["var/log", "var/adm", "var/account", "private/var/log"];
const LOG_FILES: &[&str] = &["var/run/utmp", "run/utmp"];

fn walk(root: &Path, rel: &Path, out: &mut ImageFacts, depth: usize) {
    if depth > 32 {
        out.problems.push(format!("/{}: deeper than 32 levels; not descended", rel.display()));
        return;
    }
    let Some(real) = resolve_in_root(root, rel) else { return };
    let rd = match std::fs::read_dir(&real) {
        Ok(rd) => rd,
        Err(e) => {
            out.problems.push(format!("/{}: {e}", rel.display()));
            return;
        }
    };
    let mut names: Vec<std::ffi::OsString> = rd.flatten().map(|e| e.file_name()).collect();
    names.sort();
    for n in names {
        let child = rel.join(&n);
        let shown = format!("/{}", child.display());
        let Ok(lmeta) = std::fs::symlink_metadata(real.join(&n)) else { continue };
        let target = if lmeta.file_type().is_symlink() {
            match resolve_in_root_why(root, &child) {
                Ok(t) => t,
                Err(why) => {
                    out.problems.push(format!("{shown}: {}", why.as_str()));
                    continue;
                }
            }
        } else {
            real.join(&n)
        };
        match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                if lmeta.file_type().is_symlink() {
                    out.problems
                        .push(format!("{shown}: symbolic link to a directory; not descended"));
                } else {
                    walk(root, &child, out, depth + 1);
                }
            }
            Ok(m) if m.is_file() => out.inputs.push(Input { path: target, display: shown }),
            Ok(_) => out.problems.push(format!("{shown}: device, FIFO or socket; skipped")),
            Err(e) => out.problems.push(format!("{shown}: {e}")),
        }
    }
}

/// Looks at an image root.
pub fn discover(root: &Path) -> ImageFacts {
    let mut f =
        ImageFacts { host: discover_host(root), zone: discover_zone(root), ..Default::default() };
    f.identity =
        discover_identity(root, f.host.as_ref().map(|(h, from)| (h.as_str(), from.as_str())));
    f.passwd = read_text(root, "etc/passwd");
    f.group = read_text(root, "etc/group");
    for d in LOG_DIRS {
        if resolve_in_root(root, Path::new(d)).is_some_and(|p| p.is_dir()) {
            walk(root, Path::new(d), &mut f, 0);
        }
    }
    for file in LOG_FILES {
        if let Some(p) = resolve_in_root(root, Path::new(file)) {
            if p.is_file() && !f.inputs.iter().any(|i| i.path == p) {
                f.inputs.push(Input { path: p, display: format!("/{file}") });
            }
        }
    }
    f
}

// ---------------------------------------------------------------------------------------
// The host's own addresses and names (to tell our hops in a complaint's Received: chain).
// ---------------------------------------------------------------------------------------

/// The host's own addresses and names, each with the file that states it (evidence).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    /// (address without prefix length, file) — loopback and unspecified addresses left out.
    pub addresses: Vec<(String, String)>,
    /// (host name, file), lower case.
    pub names: Vec<(String, String)>,
    /// (mail domain, file): Postfix `mydomain`.
    pub domains: Vec<(String, String)>,
}

impl Identity {
    fn add_addr(&mut self, a: &str, from: &str) {
        let a =
            a.trim().trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']' || c == ',');
        let a = a.split('/').next().unwrap_or(a);
        // `fe80::1%eth0`
        let a = a.split('%').next().unwrap_or(a);
        let Ok(ip) = a.parse::<std::net::IpAddr>() else { return };
        if ip.is_loopback() || ip.is_unspecified() {
            return;
        }
        let s = ip.to_string();
        if !self.addresses.iter().any(|(x, _)| *x == s) {
            self.addresses.push((s, from.to_string()));
        }
    }

    fn add_name(&mut self, n: &str, from: &str) {
        let n = n.trim().trim_matches(|c| c == '"' || c == '\'').trim_end_matches('.');
        if n.is_empty()
            || n.len() > 253
            || n.parse::<std::net::IpAddr>().is_ok()
            || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return;
        }
        let n = n.to_ascii_lowercase();
        if matches!(n.as_str(), "localhost" | "localhost.localdomain" | "localdomain")
            || n.starts_with("localhost.")
            || n.starts_with("ip6-")
        {
            return;
        }
        if !self.names.iter().any(|(x, _)| *x == n) {
            self.names.push((n, from.to_string()));
        }
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.names.is_empty() && self.domains.is_empty()
    }
}

/// Files of a directory inside the image whose names end with `suffix` (sorted).
fn files_in(root: &Path, dir: &str, prefix: &str, suffix: &str) -> Vec<String> {
    let Some(real) = resolve_in_root(root, Path::new(dir)) else { return vec![] };
    let Ok(rd) = std::fs::read_dir(real) else { return vec![] };
    let mut v: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    v.sort();
    v
}

fn no_comment(l: &str) -> &str {
    l.split('#').next().unwrap_or("").trim()
}

/// `etc/hosts`: the lines that name the host (its host name, or its first label).
fn hosts_file(text: &str, host: &str, id: &mut Identity) {
    let host = host.to_ascii_lowercase();
    let short = host.split('.').next().unwrap_or(&host).to_string();
    for l in text.lines() {
        let mut w = no_comment(l).split_whitespace();
        let Some(addr) = w.next() else { continue };
        let names: Vec<String> = w.map(str::to_ascii_lowercase).collect();
        // its host name, its first label, or (for a short host name) a full name with that label
        let ours = names.iter().any(|n| {
            *n == host
                || *n == short
                || (!host.contains('.') && n.split('.').next() == Some(short.as_str()))
        });
        if ours {
            id.add_addr(addr, "etc/hosts");
            for n in &names {
                id.add_name(n, "etc/hosts");
            }
        }
    }
}

/// Netplan YAML: the items of every `addresses:` key that is not under `nameservers:`.
fn netplan(text: &str, from: &str, id: &mut Identity) {
    let mut stack: Vec<(usize, String)> = vec![];
    let mut in_list: Option<usize> = None; // indentation of the `addresses:` key
    for l in text.lines() {
        let t = no_comment(l);
        if t.is_empty() {
            continue;
        }
        let ind = l.len() - l.trim_start().len();
        if let Some(k) = in_list {
            if ind > k && t.starts_with('-') {
                id.add_addr(t.trim_start_matches('-'), from);
                continue;
            }
            in_list = None;
        }
        let Some((key, val)) = t.trim_start_matches("- ").split_once(':') else { continue };
        let key = key.trim().trim_matches('"').to_string();
        while stack.last().is_some_and(|(i, _)| *i >= ind) {
            stack.pop();
        }
        let under_ns = stack.iter().any(|(_, k)| k == "nameservers");
        if key == "addresses" && !under_ns {
            let v = val.trim();
            if v.starts_with('[') {
                for a in v.trim_matches(|c| c == '[' || c == ']').split(',') {
                    id.add_addr(a, from);
                }
            } else if v.is_empty() {
                in_list = Some(ind);
            }
        }
        stack.push((ind, key));
    }
}

/// Postfix `main.cf` parameters (last assignment wins), `$name` expanded once.
fn postfix(text: &str, id: &mut Identity) {
    let from = "etc/postfix/main.cf";
    let mut params: Vec<(String, String)> = vec![];
    let mut last: Option<usize> = None;
    for l in text.lines() {
        if l.trim_start().starts_with('#') || l.trim().is_empty() {
            continue;
        }
        if l.starts_with(char::is_whitespace) {
            if let Some(p) = last.and_then(|i| params.get_mut(i)) {
                p.1.push(' ');
                p.1.push_str(l.trim());
            }
            continue;
        }
        if let Some((k, v)) = l.split_once('=') {
            let k = k.trim().to_string();
            params.retain(|(x, _)| *x != k);
            params.push((k, v.trim().to_string()));
            last = Some(params.len() - 1);
        }
    }
    let get = |k: &str| params.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let expand = |v: String| {
        let mut v = v;
        for k in ["myhostname", "mydomain"] {
            if let Some(x) = get(k) {
                v = v.replace(&format!("${{{k}}}"), &x).replace(&format!("${k}"), &x);
            }
        }
        v
    };
    let myhostname = get("myhostname").map(expand);
    if let Some(h) = &myhostname {
        id.add_name(h, from);
    }
    let mydomain = get("mydomain").map(expand).or_else(|| {
        myhostname.as_ref().and_then(|h| h.split_once('.').map(|(_, d)| d.to_string()))
    });
    if let Some(d) = mydomain.filter(|d| d.contains('.') && !d.contains('$')) {
        let d = d.trim().to_ascii_lowercase();
        if !id.domains.iter().any(|(x, _)| *x == d) {
            id.domains.push((d, from.to_string()));
        }
    }
    if let Some(o) = get("myorigin").map(expand).filter(|o| !o.starts_with('/')) {
        // myorigin is the domain appended to local senders: a name of ours only if it names a host
        if myhostname.as_deref() == Some(o.as_str()) {
            id.add_name(&o, from);
        }
    }
    for k in ["inet_interfaces", "proxy_interfaces"] {
        if let Some(v) = get(k).map(expand) {
            for a in v.split(|c: char| c == ',' || c.is_whitespace()) {
                id.add_addr(a, from);
            }
        }
    }
}

/// FreeBSD `rc.conf`: `ifconfig_IF="inet A …"`, `ifconfig_IF_ipv6="inet6 A …"`,
/// `ifconfig_IF_aliasN="inet A/32"`.
fn rc_conf(text: &str, id: &mut Identity) {
    for l in text.lines() {
        let t = no_comment(l);
        let Some((k, v)) = t.split_once('=') else { continue };
        if !k.trim().starts_with("ifconfig_") {
            continue;
        }
        let v = v.trim().trim_matches('"').trim_matches('\'');
        let mut w = v.split_whitespace();
        while let Some(x) = w.next() {
            if x == "inet" || x == "inet6" {
                if let Some(a) = w.next() {
                    id.add_addr(a, "etc/rc.conf");
                }
            }
        }
    }
}

/// Reads the host's addresses and names from its configuration (see the module doc).
pub fn discover_identity(root: &Path, host: Option<(&str, &str)>) -> Identity {
    let mut id = Identity::default();
    if let Some((h, from)) = host {
        id.add_name(h, from);
    }
    let host = host.map(|(h, _)| h);
    if let (Some(t), Some(h)) = (read_text(root, "etc/hosts"), host) {
        hosts_file(&t, h, &mut id);
    }
    if let Some(t) = read_text(root, "etc/network/interfaces") {
        for l in t.lines() {
            let mut w = no_comment(l).split_whitespace();
            if w.next() == Some("address") {
                if let Some(a) = w.next() {
                    id.add_addr(a, "etc/network/interfaces");
                }
            }
        }
    }
    for f in files_in(root, "etc/netplan", "", ".yaml") {
        if let Some(t) = read_text(root, &f) {
            netplan(&t, &f, &mut id);
        }
    }
    for f in files_in(root, "etc/sysconfig/network-scripts", "ifcfg-", "") {
        if f.ends_with("ifcfg-lo") {
            continue;
        }
        let Some(t) = read_text(root, &f) else { continue };
        for l in t.lines() {
            let Some((k, v)) = no_comment(l).split_once('=') else { continue };
            let k = k.trim();
            let is_v4 =
                k.strip_prefix("IPADDR").is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
            if is_v4 || k == "IPV6ADDR" || k == "IPV6ADDR_SECONDARIES" {
                for a in v.trim().trim_matches('"').trim_matches('\'').split_whitespace() {
                    id.add_addr(a, &f);
                }
            }
        }
    }
    for f in files_in(root, "etc/NetworkManager/system-connections", "", ".nmconnection") {
        let Some(t) = read_text(root, &f) else { continue };
        for l in t.lines() {
            let Some((k, v)) = no_comment(l).split_once('=') else { continue };
            let k = k.trim();
            if k.strip_prefix("address")
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            {
                // `address1=192.0.2.10/24,192.0.2.1` (address, then gateway)
                if let Some(a) = v.split(',').next() {
                    id.add_addr(a, &f);
                }
            }
        }
    }
    if let Some(t) = read_text(root, "etc/rc.conf") {
        rc_conf(&t, &mut id);
    }
    if let Some(t) = read_text(root, "etc/mailname") {
        if let Some(n) = t.lines().map(no_comment).find(|l| !l.is_empty()) {
            id.add_name(n, "etc/mailname");
        }
    }
    if let Some(t) = read_text(root, "etc/postfix/main.cf") {
        postfix(&t, &mut id);
    }
    for f in ["etc/mail/local-host-names", "etc/mail/sendmail.cw"] {
        if let Some(t) = read_text(root, f) {
            for l in t.lines() {
                let n = no_comment(l);
                if !n.is_empty() {
                    id.add_name(n, f);
                }
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_stay_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("var/log")).unwrap();
        std::fs::create_dir_all(r.join("data")).unwrap();
        std::fs::write(r.join("data/messages"), "x").unwrap();
        std::os::unix::fs::symlink("/data/messages", r.join("var/log/abs")).unwrap();
        std::os::unix::fs::symlink("../../data/messages", r.join("var/log/rel")).unwrap();
        std::os::unix::fs::symlink("../../../../etc/passwd", r.join("var/log/escape")).unwrap();
        std::os::unix::fs::symlink("loop2", r.join("var/log/loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", r.join("var/log/loop2")).unwrap();
        assert_eq!(resolve_in_root(r, Path::new("var/log/abs")).unwrap(), r.join("data/messages"));
        assert_eq!(resolve_in_root(r, Path::new("var/log/rel")).unwrap(), r.join("data/messages"));
        assert!(resolve_in_root(r, Path::new("var/log/escape")).is_none());
        assert!(resolve_in_root(r, Path::new("var/log/loop1")).is_none());
        let f = discover(r);
        let shown: Vec<&str> = f.inputs.iter().map(|i| i.display.as_str()).collect();
        assert_eq!(shown, ["/var/log/abs", "/var/log/rel"]);
        assert_eq!(f.problems.len(), 3, "{:?}", f.problems);
    }

    #[test]
    fn tzif_copy_and_freebsd_forms() {
        // A TZif copy (not a link) at etc/localtime is matched by content in this machine's zone
        // database (tzdata is installed by .ci/run).
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::copy("/usr/share/zoneinfo/Asia/Tokyo", r.join("etc/localtime")).unwrap();
        let (tz, from) = discover(r).zone.unwrap();
        assert_eq!(tz, chrono_tz::Asia::Tokyo);
        assert!(from.contains("TZif content matched"), "{from}");
        // FreeBSD: hostname in rc.conf, zone name in var/db/zoneinfo.
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::create_dir_all(r.join("var/db")).unwrap();
        std::fs::write(
            r.join("etc/rc.conf"),
            "sshd_enable=\"YES\"\nhostname=\"bsd.example.org\"\n",
        )
        .unwrap();
        std::fs::write(r.join("var/db/zoneinfo"), "Europe/London\n").unwrap();
        let f = discover(r);
        assert_eq!(f.host.unwrap(), ("bsd.example.org".into(), "etc/rc.conf".into()));
        assert_eq!(f.zone.unwrap(), (chrono_tz::Europe::London, "var/db/zoneinfo".into()));
    }

    #[test]
    fn host_and_zone() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc/sysconfig")).unwrap();
        std::fs::write(
            r.join("etc/sysconfig/network"),
            "NETWORKING=yes\nHOSTNAME=mail.example.jp\n",
        )
        .unwrap();
        std::fs::write(r.join("etc/sysconfig/clock"), "ZONE=\"Asia/Tokyo\"\nUTC=false\n").unwrap();
        let f = discover(r);
        assert_eq!(f.host.unwrap().0, "mail.example.jp");
        assert_eq!(f.zone.unwrap().0, chrono_tz::Asia::Tokyo);
        std::fs::write(r.join("etc/hostname"), "www\n").unwrap();
        std::os::unix::fs::symlink("/usr/share/zoneinfo/America/New_York", r.join("etc/localtime"))
            .unwrap();
        let f = discover(r);
        assert_eq!(f.host.unwrap(), ("www".into(), "etc/hostname".into()));
        let (tz, from) = f.zone.unwrap();
        assert_eq!(tz, chrono_tz::America::New_York);
        assert!(from.starts_with("etc/localtime ->"));
    }
    #[test]
    fn identity_from_network_and_mail_configuration() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        for dir in [
            "etc/network",
            "etc/netplan",
            "etc/sysconfig/network-scripts",
            "etc/NetworkManager/system-connections",
            "etc/postfix",
            "etc/mail",
        ] {
            std::fs::create_dir_all(r.join(dir)).unwrap();
        }
        let w = |f: &str, t: &str| std::fs::write(r.join(f), t).unwrap();
        w("etc/hostname", "mail\n");
        w(
            "etc/hosts",
            "127.0.0.1\tlocalhost\n127.0.1.1\tmail.example.jp mail\n192.0.2.10  mail.example.jp mail # lan\n192.0.2.30 mx.example.jp mx\n::1 localhost ip6-localhost ip6-loopback\n",
        );
        w(
            "etc/network/interfaces",
            "auto lo\niface lo inet loopback\nauto eth1\niface eth1 inet static\n    address 203.0.113.10/24\n    gateway 203.0.113.1\n",
        );
        w(
            "etc/netplan/50-cloud-init.yaml",
            "network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses:\n        - 198.51.100.20/24\n        - \"2001:db8::20/64\"\n      nameservers:\n        addresses: [192.0.2.53, 192.0.2.54]\n    eth2:\n      addresses: [198.51.100.21/24]\n",
        );
        w(
            "etc/sysconfig/network-scripts/ifcfg-eth3",
            "DEVICE=eth3\nIPADDR=10.0.0.3\nIPADDR1=10.0.0.4\nPREFIX=24\nIPV6ADDR=2001:db8:1::3/64\nDNS1=10.0.0.53\n",
        );
        w("etc/sysconfig/network-scripts/ifcfg-lo", "IPADDR=127.0.0.1\n");
        w(
            "etc/NetworkManager/system-connections/wired.nmconnection",
            "[connection]\nid=wired\n[ipv4]\naddress1=10.1.0.5/24,10.1.0.1\ndns=10.1.0.53;\nmethod=manual\n",
        );
        w("etc/mailname", "mail.example.jp\n");
        w(
            "etc/postfix/main.cf",
            "# comment\nmyhostname = smtp.example.jp\nmydomain = example.jp\nmyorigin = $mydomain\ninet_interfaces = 127.0.0.1,\n  192.0.2.11\nproxy_interfaces = 203.0.113.99\n",
        );
        w("etc/mail/local-host-names", "# names\nexample.jp\nmail2.example.jp\n");
        let f = discover(r);
        let id = f.identity;
        let addrs: Vec<(&str, &str)> =
            id.addresses.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            addrs,
            [
                ("192.0.2.10", "etc/hosts"),
                ("203.0.113.10", "etc/network/interfaces"),
                ("198.51.100.20", "etc/netplan/50-cloud-init.yaml"),
                ("2001:db8::20", "etc/netplan/50-cloud-init.yaml"),
                ("198.51.100.21", "etc/netplan/50-cloud-init.yaml"),
                ("10.0.0.3", "etc/sysconfig/network-scripts/ifcfg-eth3"),
                ("10.0.0.4", "etc/sysconfig/network-scripts/ifcfg-eth3"),
                ("2001:db8:1::3", "etc/sysconfig/network-scripts/ifcfg-eth3"),
                ("10.1.0.5", "etc/NetworkManager/system-connections/wired.nmconnection"),
                ("192.0.2.11", "etc/postfix/main.cf"),
                ("203.0.113.99", "etc/postfix/main.cf"),
            ]
        );
        let names: Vec<(&str, &str)> =
            id.names.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            names,
            [
                ("mail", "etc/hostname"),
                ("mail.example.jp", "etc/hosts"),
                ("smtp.example.jp", "etc/postfix/main.cf"),
                ("example.jp", "etc/mail/local-host-names"),
                ("mail2.example.jp", "etc/mail/local-host-names"),
            ]
        );
        assert_eq!(id.domains, [("example.jp".to_string(), "etc/postfix/main.cf".to_string())]);
        // FreeBSD
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(
            r.join("etc/rc.conf"),
            "hostname=\"bsd.example.org\"\nifconfig_em0=\"inet 192.0.2.40 netmask 255.255.255.0\"\nifconfig_em0_ipv6=\"inet6 2001:db8::40 prefixlen 64\"\nifconfig_em0_alias0=\"inet 192.0.2.41/32\"\nifconfig_em1=\"DHCP\"\n",
        )
        .unwrap();
        let id = discover(r).identity;
        let a: Vec<&str> = id.addresses.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(a, ["192.0.2.40", "2001:db8::40", "192.0.2.41"]);
        assert_eq!(id.names, [("bsd.example.org".to_string(), "etc/rc.conf".to_string())]);
    }
}
