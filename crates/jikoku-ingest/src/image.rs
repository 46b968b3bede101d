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
}
