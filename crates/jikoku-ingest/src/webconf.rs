//! Web server configurations inside an image → which log file is written in which format, for
//! which virtual host.
//!
//! Reads Apache (`etc/apache2/apache2.conf`, `etc/httpd/conf/httpd.conf`, FreeBSD
//! `usr/local/etc/apache2*/httpd.conf`, `usr/local/apache2/conf/httpd.conf`) and nginx
//! (`etc/nginx/nginx.conf`, `usr/local/etc/nginx/nginx.conf`) with their `Include` /
//! `IncludeOptional` / `include` files expanded in place (globs, directories, paths relative to
//! `ServerRoot` or nginx's configuration directory), Apache `${VAR}` from `Define` and Debian's
//! `envvars`, then hands the text to [`jikoku_formats::http::config`]. Every path is resolved
//! inside the image root ([`crate::image::resolve_in_root`]): a link that leaves the root is
//! not followed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jikoku_formats::http::config::{self, LogKind, Server, ServerLogConfig};

use crate::image::resolve_in_root;
use crate::rotation;
use crate::{Input, SourceHint};

/// Largest configuration file read (bytes).
const MAX_CONF: u64 = 4 << 20;
/// Most configuration files read for one server.
const MAX_FILES: usize = 2000;
/// Deepest include nesting followed.
const MAX_DEPTH: usize = 16;

/// Formats known to the built-in parsers: a log written in one of these needs no compiled
/// format (the built-in parser reads its variants more leniently).
const BUILTIN: &[&str] = &[
    r#"%h %l %u %t \"%r\" %>s %b"#,
    r#"%h %l %u %t \"%r\" %>s %O"#,
    r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""#,
    r#"%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""#,
    r#"%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""#,
    config::NGINX_COMBINED,
];

/// One server configuration read from the image.
#[derive(Debug, Clone)]
struct Conf {
    server: Server,
    /// The main file, as a path inside the image.
    main: String,
    /// What the extractor found in the expanded text.
    found: ServerLogConfig,
    /// Apache `ServerRoot` (inside the image), or nginx's configuration directory.
    root_dir: String,
    /// `${VAR}` values.
    vars: HashMap<String, String>,
}

/// What was learned: hints keyed by the input's display path, and notes for the user.
#[derive(Debug, Default)]
pub struct Learned {
    /// `Input::display` → hint.
    pub hints: HashMap<String, SourceHint>,
    /// One line per configuration read or problem met.
    pub notes: Vec<String>,
}

/// Reads the web server configurations of the image at `root` and matches their log files to
/// `inputs` (rotated and compressed members of a configured log included).
pub fn learn(root: &Path, inputs: &[Input]) -> Learned {
    let mut out = Learned::default();
    let mut confs = vec![];
    for (main, server_root) in [
        ("etc/apache2/apache2.conf", "/etc/apache2"),
        ("etc/httpd/conf/httpd.conf", "/etc/httpd"),
        ("usr/local/etc/apache24/httpd.conf", "/usr/local"),
        ("usr/local/etc/apache22/httpd.conf", "/usr/local"),
        ("usr/local/etc/apache2/httpd.conf", "/usr/local"),
        ("usr/local/apache2/conf/httpd.conf", "/usr/local/apache2"),
    ] {
        if let Some(c) = read_apache(root, main, server_root, &mut out.notes) {
            confs.push(c);
        }
    }
    for main in ["etc/nginx/nginx.conf", "usr/local/etc/nginx/nginx.conf"] {
        if let Some(c) = read_nginx(root, main, &mut out.notes) {
            confs.push(c);
        }
    }
    // Inputs by real directory, with their file names.
    let mut by_dir: HashMap<PathBuf, Vec<(String, &Input)>> = HashMap::new();
    for i in inputs {
        let Some(dir) = i.path.parent() else { continue };
        let Some(name) = i.path.file_name().map(|n| n.to_string_lossy().to_string()) else {
            continue;
        };
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        by_dir.entry(dir).or_default().push((name, i));
    }
    // A file named by two directives with different formats or hosts keeps the first format and
    // no host.
    let mut conflicts: HashSet<String> = HashSet::new();
    for c in &confs {
        for log in &c.found.logs {
            let Some(path) = log_path(c, &log.path) else { continue };
            let (dir, name) = match path.rsplit_once('/') {
                Some((d, n)) if !n.is_empty() => (if d.is_empty() { "/" } else { d }, n),
                _ => continue,
            };
            let Some(real_dir) = resolve_in_root(root, Path::new(dir.trim_start_matches('/')))
            else {
                continue;
            };
            let real_dir = std::fs::canonicalize(&real_dir).unwrap_or(real_dir);
            // rotatelogs-style names (`access_log.%Y%m%d`): every file that starts with the part
            // before the pattern; otherwise the file and its rotated members.
            let in_dir = by_dir.get(&real_dir).map(Vec::as_slice).unwrap_or(&[]);
            let members: Vec<&Input> = match name.find('%') {
                Some(p) => {
                    let prefix = name.get(..p).unwrap_or(name);
                    in_dir
                        .iter()
                        .filter(|(n, _)| !prefix.is_empty() && n.starts_with(prefix))
                        .map(|(_, i)| *i)
                        .collect()
                }
                None => in_dir
                    .iter()
                    .filter(|(n, _)| n == name || rotation::member(n).0 == name)
                    .map(|(_, i)| *i)
                    .collect(),
            };
            let format = log
                .format
                .clone()
                .filter(|f| log.kind == LogKind::Access && !BUILTIN.iter().any(|b| b == f));
            let vhost = log.server_name.as_ref().map(|s| strip_port(s).to_string());
            let parser = match c.server {
                Server::Apache => "http",
                Server::Nginx => "http.nginx",
            };
            let origin = match (&log.format_name, &log.format) {
                (Some(n), Some(_)) => {
                    format!("{} and its includes ({} format {n})", c.main, directive(c, log.kind))
                }
                (None, Some(_)) => {
                    format!(
                        "{} and its includes ({} inline format)",
                        c.main,
                        directive(c, log.kind)
                    )
                }
                _ => format!("{} and its includes ({})", c.main, directive(c, log.kind)),
            };
            for m in members {
                let hint = SourceHint {
                    format: Some(parser.to_string()),
                    http_format: format.clone(),
                    vhost: vhost.clone(),
                    origin: origin.clone(),
                };
                match out.hints.get_mut(&m.display) {
                    None => {
                        out.hints.insert(m.display.clone(), hint);
                    }
                    Some(h) => {
                        if h.vhost != hint.vhost {
                            h.vhost = None;
                        }
                        if h.http_format != hint.http_format && conflicts.insert(m.display.clone())
                        {
                            out.notes.push(format!(
                                "{}: written by several directives with different formats; the first ({}) is used",
                                m.display, h.origin
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

fn directive(c: &Conf, kind: LogKind) -> &'static str {
    match (c.server, kind) {
        (Server::Apache, LogKind::Access) => "CustomLog",
        (Server::Apache, LogKind::Error) => "ErrorLog",
        (Server::Nginx, LogKind::Access) => "access_log",
        (Server::Nginx, LogKind::Error) => "error_log",
    }
}

fn strip_port(s: &str) -> &str {
    match s.rsplit_once(':') {
        Some((h, p))
            if !h.is_empty() && !h.ends_with(']') && p.bytes().all(|b| b.is_ascii_digit()) =>
        {
            h
        }
        Some((h, p)) if h.ends_with(']') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    }
}

/// The log path of a directive as an absolute path inside the image, or None for a pipe to
/// syslog, `off`, or a path that cannot be known.
fn log_path(c: &Conf, written: &str) -> Option<String> {
    let mut p = expand_vars(written.trim(), &c.vars);
    if let Some(cmd) = p.strip_prefix('|').or_else(|| p.strip_prefix("||")) {
        // `|/usr/bin/rotatelogs [-l] /var/log/httpd/access_log.%Y%m%d 86400`: the first path
        // argument after the program.
        let cmd = cmd.trim_start_matches(['|', '$']).trim();
        let mut words = cmd.split_whitespace();
        words.next();
        p = words
            .find(|w| !w.starts_with('-') && (w.contains('/') || w.contains('%')))?
            .to_string();
    }
    if p.is_empty()
        || p == "off"
        || p.starts_with("syslog:")
        || p.starts_with("stderr")
        || p.starts_with("/dev/")
        || p.contains('$')
    {
        return None;
    }
    Some(if p.starts_with('/') { p } else { format!("{}/{}", c.root_dir.trim_end_matches('/'), p) })
}

fn expand_vars(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(rest.get(start..).unwrap_or(""));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a text file inside the image (links resolved inside the root, size-capped).
fn read_in_root(root: &Path, rel: &str) -> Option<String> {
    let p = resolve_in_root(root, Path::new(rel.trim_start_matches('/')))?;
    let meta = std::fs::metadata(&p).ok()?;
    if !meta.is_file() || meta.len() > MAX_CONF {
        return None;
    }
    let bytes = std::fs::read(&p).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Files named by an include pattern (absolute inside the image): a directory → its files in
/// order; a glob in the last component → the matching files in order.
fn include_targets(root: &Path, pattern: &str) -> Vec<String> {
    let pattern = pattern.trim_end_matches('/');
    let (dir, last) = match pattern.rsplit_once('/') {
        Some((d, l)) => (if d.is_empty() { "/" } else { d }, l),
        None => return vec![],
    };
    let glob = last.contains(['*', '?', '[']);
    if dir.contains(['*', '?', '[']) {
        // Wildcards in directory parts (rare): not expanded.
        return vec![];
    }
    let Some(real_dir) = resolve_in_root(root, Path::new(dir.trim_start_matches('/'))) else {
        return vec![];
    };
    if !glob {
        let full = format!("{}/{last}", dir.trim_end_matches('/'));
        let Some(real) = resolve_in_root(root, Path::new(full.trim_start_matches('/'))) else {
            return vec![];
        };
        if real.is_dir() {
            return list_dir(&real)
                .into_iter()
                .map(|n| format!("{}/{n}", full.trim_end_matches('/')))
                .collect();
        }
        return vec![full];
    }
    list_dir(&real_dir)
        .into_iter()
        .filter(|n| wildcard(last, n))
        .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
        .collect()
}

fn list_dir(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else { return vec![] };
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// `*`, `?` and `[...]` (as fnmatch without flags).
fn wildcard(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| n.get(i..).is_some_and(|t| go(rest, t))),
            Some(('?', rest)) => n.split_first().is_some_and(|(_, t)| go(rest, t)),
            Some(('[', rest)) => {
                let Some(end) = rest.iter().position(|&c| c == ']') else {
                    return n.split_first().is_some_and(|(c, t)| *c == '[' && go(rest, t));
                };
                let (set, after) =
                    (rest.get(..end).unwrap_or(&[]), rest.get(end + 1..).unwrap_or(&[]));
                let (neg, set) = match set.split_first() {
                    Some(('!' | '^', s)) => (true, s),
                    _ => (false, set),
                };
                let Some((c, t)) = n.split_first() else { return false };
                let mut hit = false;
                let mut i = 0;
                while let Some(&a) = set.get(i) {
                    if set.get(i + 1) == Some(&'-') {
                        if let Some(&b) = set.get(i + 2) {
                            hit |= a <= *c && *c <= b;
                            i += 3;
                            continue;
                        }
                    }
                    hit |= a == *c;
                    i += 1;
                }
                hit != neg && go(after, t)
            }
            Some((c, rest)) => n.split_first().is_some_and(|(d, t)| c == d && go(rest, t)),
        }
    }
    go(&p, &n)
}

/// Debian's `envvars`: `export NAME=value` lines (`$SUFFIX` and `${SUFFIX}` dropped).
fn envvars(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        let l = line.trim();
        let l = l.strip_prefix("export ").unwrap_or(l);
        if let Some((k, v)) = l.split_once('=') {
            if k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !k.is_empty() {
                let v = v.trim().trim_matches(['"', '\'']);
                let v = v.replace("${SUFFIX}", "").replace("$SUFFIX", "");
                vars.insert(k.to_string(), v);
            }
        }
    }
    vars
}

struct Expander<'a> {
    root: &'a Path,
    server: Server,
    root_dir: String,
    vars: HashMap<String, String>,
    seen: HashSet<String>,
    files: usize,
    notes: &'a mut Vec<String>,
}

impl Expander<'_> {
    /// The text of `path` with its include lines replaced by the included files' texts.
    fn expand(&mut self, path: &str, text: &str, depth: usize) -> String {
        let mut out = String::with_capacity(text.len());
        for line in text.lines() {
            let t = line.trim();
            if self.server == Server::Apache {
                let mut words = t.split_whitespace();
                let first = words.next().unwrap_or("");
                if first.eq_ignore_ascii_case("ServerRoot") {
                    if let Some(v) = words.next() {
                        self.root_dir = v.trim_matches('"').trim_end_matches('/').to_string();
                    }
                } else if first.eq_ignore_ascii_case("Define") {
                    if let (Some(k), Some(v)) = (words.next(), words.next()) {
                        let v = expand_vars(v.trim_matches('"'), &self.vars);
                        self.vars.insert(k.to_string(), v);
                    }
                } else if first.eq_ignore_ascii_case("Include")
                    || first.eq_ignore_ascii_case("IncludeOptional")
                {
                    let arg: String = words.collect::<Vec<_>>().join(" ");
                    let arg = expand_vars(arg.trim().trim_matches('"'), &self.vars);
                    self.include(path, &arg, depth, &mut out);
                    continue;
                }
            } else if let Some(arg) =
                t.strip_prefix("include ").or_else(|| t.strip_prefix("include\t"))
            {
                let arg = arg.trim().trim_end_matches(';').trim().trim_matches(['"', '\'']);
                self.include(path, arg, depth, &mut out);
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn include(&mut self, from: &str, arg: &str, depth: usize, out: &mut String) {
        if depth >= MAX_DEPTH {
            self.notes
                .push(format!("{from}: includes nested deeper than {MAX_DEPTH}: not followed"));
            return;
        }
        let abs = if arg.starts_with('/') {
            arg.to_string()
        } else {
            format!("{}/{arg}", self.root_dir.trim_end_matches('/'))
        };
        for f in include_targets(self.root, &abs) {
            if self.files >= MAX_FILES || !self.seen.insert(f.clone()) {
                continue;
            }
            self.files += 1;
            if let Some(text) = read_in_root(self.root, &f) {
                let expanded = self.expand(&f, &text, depth + 1);
                out.push_str(&expanded);
                out.push('\n');
            }
        }
    }
}

fn read_apache(
    root: &Path,
    main: &str,
    server_root: &str,
    notes: &mut Vec<String>,
) -> Option<Conf> {
    let text = read_in_root(root, main)?;
    let mut vars = HashMap::new();
    if main.starts_with("etc/apache2/") {
        vars.insert("APACHE_LOG_DIR".to_string(), "/var/log/apache2".to_string());
        if let Some(env) = read_in_root(root, "etc/apache2/envvars") {
            vars.extend(envvars(&env));
        }
    }
    let display = format!("/{main}");
    let mut ex = Expander {
        root,
        server: Server::Apache,
        root_dir: server_root.to_string(),
        vars,
        seen: HashSet::from([display.clone()]),
        files: 1,
        notes,
    };
    let expanded = ex.expand(&display, &text, 0);
    let files = ex.files;
    let (root_dir, vars) = (ex.root_dir, ex.vars);
    let found = config::extract_apache(&expanded);
    notes.push(format!(
        "web server configuration: {display} ({files} file(s) read, {} log file(s) named)",
        found.logs.len()
    ));
    Some(Conf { server: Server::Apache, main: display, found, root_dir, vars })
}

fn read_nginx(root: &Path, main: &str, notes: &mut Vec<String>) -> Option<Conf> {
    let text = read_in_root(root, main)?;
    let display = format!("/{main}");
    let conf_dir = display.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
    let mut ex = Expander {
        root,
        server: Server::Nginx,
        root_dir: conf_dir,
        vars: HashMap::new(),
        seen: HashSet::from([display.clone()]),
        files: 1,
        notes,
    };
    let expanded = ex.expand(&display, &text, 0);
    let files = ex.files;
    let root_dir = ex.root_dir;
    let mut found = config::extract_nginx(&expanded);
    // nginx's compiled-in default when no access_log is given at all.
    if !found.logs.iter().any(|l| l.kind == LogKind::Access) {
        found.logs.push(config::LogFile {
            server: Server::Nginx,
            kind: LogKind::Access,
            path: "/var/log/nginx/access.log".to_string(),
            format_name: Some("combined".to_string()),
            format: Some(config::NGINX_COMBINED.to_string()),
            server_name: None,
        });
    }
    notes.push(format!(
        "web server configuration: {display} ({files} file(s) read, {} log file(s) named)",
        found.logs.len()
    ));
    Some(Conf { server: Server::Nginx, main: display, found, root_dir, vars: HashMap::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.conf", "000-default.conf"));
        assert!(!wildcard("*.conf", "000-default.conf.bak"));
        assert!(wildcard("site-?", "site-a"));
        assert!(wildcard("[0-9]*", "5x"));
        assert!(!wildcard("[!0-9]*", "5x"));
        assert!(wildcard("*", "anything"));
    }

    #[test]
    fn vars_and_ports() {
        let vars = envvars("export APACHE_LOG_DIR=/var/log/apache2$SUFFIX\nexport X=\"y\"\n");
        assert_eq!(vars.get("APACHE_LOG_DIR").map(String::as_str), Some("/var/log/apache2"));
        assert_eq!(expand_vars("${APACHE_LOG_DIR}/a.log", &vars), "/var/log/apache2/a.log");
        assert_eq!(expand_vars("${NOPE}/a", &vars), "${NOPE}/a");
        assert_eq!(strip_port("www.example.jp:80"), "www.example.jp");
        assert_eq!(strip_port("[::1]:443"), "[::1]");
        assert_eq!(strip_port("example.jp"), "example.jp");
    }
}
