//! Server configuration text → which log file is written in which format.
//!
//! For ingest of a disk image: given the text of `apache2.conf` (and its included files) or
//! `nginx.conf`, [`extract`] lists the named formats (`LogFormat "..." name`,
//! `log_format name '...'`) and the log files (`CustomLog path name`, `access_log path name`,
//! `ErrorLog`, `error_log`) with the format string each one uses, resolved where possible.
//! Paths are returned as written (`${APACHE_LOG_DIR}/access.log` is not expanded).

/// Which server's syntax a definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// Apache httpd.
    Apache,
    /// nginx.
    Nginx,
}

/// A named log format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFormat {
    /// The server syntax.
    pub server: Server,
    /// Nickname (`combined`); Apache's nameless `LogFormat "..."` is named `""`.
    pub name: String,
    /// The format string, as `--http-format` takes it (config quoting removed).
    pub format: String,
    /// nginx `escape=` parameter, if given.
    pub escape: Option<String>,
}

/// Whether a log file holds requests or errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// `CustomLog`, `TransferLog`, `access_log`.
    Access,
    /// `ErrorLog`, `error_log`.
    Error,
}

/// One log file named in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The server syntax.
    pub server: Server,
    /// Access or error.
    pub kind: LogKind,
    /// Path as written.
    pub path: String,
    /// Format nickname used (`combined`), if a name was given.
    pub format_name: Option<String>,
    /// The format string, when it was given inline or its nickname is known (for an Apache
    /// error log: the `ErrorLogFormat` in effect, if any).
    pub format: Option<String>,
    /// `ServerName` / `server_name` of the virtual host block the directive is in.
    pub server_name: Option<String>,
}

/// Everything found in one configuration text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerLogConfig {
    /// Named formats, in order (later definitions of a name win).
    pub formats: Vec<NamedFormat>,
    /// Log files, in order.
    pub logs: Vec<LogFile>,
    /// Other files the text includes (`Include`, `IncludeOptional`, `include`), as written
    /// (globs and variables unexpanded): the caller reads them too.
    pub includes: Vec<String>,
}

impl ServerLogConfig {
    /// The format string for a nickname (built-in nginx `combined` included).
    pub fn format(&self, server: Server, name: &str) -> Option<String> {
        if let Some(f) = self.formats.iter().rev().find(|f| f.server == server && f.name == name) {
            return Some(f.format.clone());
        }
        (server == Server::Nginx && name == "combined").then(|| NGINX_COMBINED.to_string())
    }
}

/// nginx's predefined `combined` format.
pub const NGINX_COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

/// Splits an Apache directive line into arguments (double quotes, `\"` inside them).
fn apache_args(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut it = line.chars().peekable();
    loop {
        while it.peek().is_some_and(|c| c.is_whitespace()) {
            it.next();
        }
        let Some(&c) = it.peek() else { break };
        let mut cur = String::new();
        if c == '"' || c == '\'' {
            it.next();
            while let Some(d) = it.next() {
                if d == '\\' {
                    // Keep the escape: the LogFormat compiler undoes it.
                    if let Some(&e) = it.peek() {
                        cur.push(d);
                        cur.push(e);
                        it.next();
                        continue;
                    }
                }
                if d == c {
                    break;
                }
                cur.push(d);
            }
        } else {
            while let Some(&d) = it.peek() {
                if d.is_whitespace() {
                    break;
                }
                cur.push(d);
                it.next();
            }
        }
        out.push(cur);
    }
    out
}

/// Apache config text → logical lines (continuations joined, comments dropped).
fn apache_lines(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for raw in text.lines() {
        let l = raw.trim();
        if cur.is_empty() && l.starts_with('#') {
            continue;
        }
        if let Some(c) = l.strip_suffix('\\') {
            cur.push_str(c);
            cur.push(' ');
            continue;
        }
        cur.push_str(l);
        if !cur.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.clear();
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// (kind, path, format nickname, inline format, server name) before nicknames are resolved.
type ApacheUse = (LogKind, String, Option<String>, Option<String>, Option<String>);

/// Reads an Apache configuration text.
pub fn extract_apache(text: &str) -> ServerLogConfig {
    let mut c = ServerLogConfig::default();
    let mut uses: Vec<ApacheUse> = vec![];
    let mut vhost: Option<(usize, Option<String>)> = None;
    let mut error_format: Option<String> = None;
    let mut vhost_error_format: Option<String> = None;
    for line in apache_lines(text) {
        let args = apache_args(&line);
        let Some(d) = args.first() else { continue };
        let lower = d.to_ascii_lowercase();
        if lower.starts_with("<virtualhost") {
            vhost = Some((uses.len(), None));
            vhost_error_format = None;
            continue;
        }
        if lower.starts_with("</virtualhost") {
            if let Some((start, name)) = vhost.take() {
                for u in uses.iter_mut().skip(start) {
                    u.4 = name.clone();
                }
            }
            vhost_error_format = None;
            continue;
        }
        match lower.as_str() {
            "servername" => {
                if let (Some((_, n)), Some(a)) = (vhost.as_mut(), args.get(1)) {
                    *n = Some(a.split(':').next().unwrap_or(a).to_string());
                }
            }
            "include" | "includeoptional" => {
                if let Some(a) = args.get(1) {
                    c.includes.push(a.clone());
                }
            }
            "errorlogformat" => {
                let f = args.get(1).cloned();
                if vhost.is_some() {
                    vhost_error_format = f;
                } else {
                    error_format = f;
                }
            }
            "logformat" => {
                if let Some(f) = args.get(1) {
                    let name = args.get(2).cloned().unwrap_or_default();
                    c.formats.push(NamedFormat {
                        server: Server::Apache,
                        name,
                        format: f.clone(),
                        escape: None,
                    });
                }
            }
            "customlog" => {
                if let (Some(p), Some(f)) = (args.get(1), args.get(2)) {
                    // An argument with a `%` is an inline format; otherwise a nickname.
                    if f.contains('%') {
                        uses.push((LogKind::Access, p.clone(), None, Some(f.clone()), None));
                    } else {
                        uses.push((LogKind::Access, p.clone(), Some(f.clone()), None, None));
                    }
                }
            }
            "transferlog" => {
                if let Some(p) = args.get(1) {
                    // TransferLog uses the last nameless LogFormat, else common.
                    let f = c
                        .formats
                        .iter()
                        .rev()
                        .find(|f| f.name.is_empty())
                        .map(|f| f.format.clone());
                    let name = if f.is_none() { Some("common".to_string()) } else { None };
                    uses.push((LogKind::Access, p.clone(), name, f, None));
                }
            }
            "errorlog" => {
                if let Some(p) = args.get(1) {
                    let f = vhost_error_format.clone().or_else(|| error_format.clone());
                    uses.push((LogKind::Error, p.clone(), None, f, None));
                }
            }
            _ => {}
        }
    }
    for (kind, path, name, fmt, server_name) in uses {
        let format = fmt.or_else(|| name.as_deref().and_then(|n| c.format(Server::Apache, n)));
        c.logs.push(LogFile {
            server: Server::Apache,
            kind,
            path,
            format_name: name,
            format,
            server_name,
        });
    }
    c
}

/// One nginx statement: its tokens, and whether it opens a block (`server {`), closes one
/// (`}`), or is a plain `;` statement.
#[derive(Debug, PartialEq)]
enum Stmt {
    Plain(Vec<String>),
    Open(Vec<String>),
    Close,
}

/// nginx config text → statements (tokens up to `;`, `{` or `}`), quotes kept on quoted tokens.
fn nginx_statements(text: &str) -> Vec<Stmt> {
    let mut out = vec![];
    let mut cur: Vec<String> = vec![];
    let mut it = text.chars().peekable();
    while let Some(&c) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        if c == '#' {
            for d in it.by_ref() {
                if d == '\n' {
                    break;
                }
            }
            continue;
        }
        if c == ';' || c == '{' || c == '}' {
            it.next();
            let toks = std::mem::take(&mut cur);
            match c {
                '{' => out.push(Stmt::Open(toks)),
                '}' => {
                    if !toks.is_empty() {
                        out.push(Stmt::Plain(toks));
                    }
                    out.push(Stmt::Close);
                }
                _ if !toks.is_empty() => out.push(Stmt::Plain(toks)),
                _ => {}
            }
            continue;
        }
        let mut tok = String::new();
        if c == '\'' || c == '"' {
            it.next();
            tok.push(c);
            while let Some(d) = it.next() {
                if d == '\\' {
                    if let Some(e) = it.next() {
                        if e != c && e != '\\' {
                            tok.push(d);
                        }
                        tok.push(e);
                    }
                    continue;
                }
                if d == c {
                    break;
                }
                tok.push(d);
            }
            tok.push(c);
        } else {
            while let Some(&d) = it.peek() {
                if d.is_whitespace() || d == ';' || d == '{' || d == '}' {
                    break;
                }
                tok.push(d);
                it.next();
            }
        }
        cur.push(tok);
    }
    if !cur.is_empty() {
        out.push(Stmt::Plain(cur));
    }
    out
}

fn unquote(t: &str) -> &str {
    if t.len() >= 2
        && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')))
    {
        t.get(1..t.len() - 1).unwrap_or(t)
    } else {
        t
    }
}

/// Reads an nginx configuration text.
pub fn extract_nginx(text: &str) -> ServerLogConfig {
    let mut c = ServerLogConfig::default();
    let mut uses: Vec<(LogKind, String, Option<String>, Option<String>)> = vec![];
    // Open blocks: (is a `server` block, first use inside it, its server_name).
    let mut blocks: Vec<(bool, usize, Option<String>)> = vec![];
    for stmt in nginx_statements(text) {
        let st = match stmt {
            Stmt::Open(h) => {
                blocks.push((h.first().is_some_and(|d| d == "server"), uses.len(), None));
                continue;
            }
            Stmt::Close => {
                if let Some((true, start, name)) = blocks.pop() {
                    for u in uses.iter_mut().skip(start).filter(|u| u.3.is_none()) {
                        u.3 = name.clone();
                    }
                }
                continue;
            }
            Stmt::Plain(st) => st,
        };
        let Some(d) = st.first() else { continue };
        match d.as_str() {
            "server_name" => {
                if let (Some(b), Some(n)) = (blocks.iter_mut().rev().find(|b| b.0), st.get(1)) {
                    b.2 = Some(unquote(n).to_string());
                }
            }
            "include" => {
                if let Some(p) = st.get(1) {
                    c.includes.push(unquote(p).to_string());
                }
            }
            "log_format" => {
                let Some(name) = st.get(1) else { continue };
                let mut escape = None;
                let mut format = String::new();
                for t in st.get(2..).unwrap_or(&[]) {
                    if let Some(e) = t.strip_prefix("escape=") {
                        escape = Some(e.to_string());
                    } else {
                        format.push_str(unquote(t));
                    }
                }
                c.formats.push(NamedFormat {
                    server: Server::Nginx,
                    name: unquote(name).to_string(),
                    format,
                    escape,
                });
            }
            "access_log" => {
                let Some(p) = st.get(1) else { continue };
                if p == "off" {
                    continue;
                }
                let name = st
                    .get(2)
                    .filter(|t| !t.contains('='))
                    .map(|t| unquote(t).to_string())
                    .unwrap_or_else(|| "combined".into());
                uses.push((LogKind::Access, unquote(p).to_string(), Some(name), None));
            }
            "error_log" => {
                if let Some(p) = st.get(1) {
                    uses.push((LogKind::Error, unquote(p).to_string(), None, None));
                }
            }
            _ => {}
        }
    }
    for (kind, path, name, server_name) in uses {
        let format = name.as_deref().and_then(|n| c.format(Server::Nginx, n));
        c.logs.push(LogFile {
            server: Server::Nginx,
            kind,
            path,
            format_name: name,
            format,
            server_name,
        });
    }
    c
}

/// Reads a configuration text of either server (nginx when it has `http {` / `;`-terminated
/// `log_format`/`access_log` statements, Apache otherwise).
pub fn extract(text: &str) -> ServerLogConfig {
    let looks_nginx = text.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("log_format ")
            || t.starts_with("access_log ")
            || t.starts_with("error_log ")
            || t.starts_with("http {")
    });
    if looks_nginx { extract_nginx(text) } else { extract_apache(text) }
}

/// Reads several configuration texts of one server as one (the main file first, then the
/// files it includes), so that a `CustomLog ... combined` in a site file finds the `LogFormat`
/// of the main file.
pub fn extract_many(texts: &[&str]) -> ServerLogConfig {
    extract(&texts.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_debian() {
        let conf = r#"
# LogFormat "%h" ignored
LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%r\" %>s %O" common
ErrorLog ${APACHE_LOG_DIR}/error.log
IncludeOptional sites-enabled/*.conf
<VirtualHost *:80>
    ServerName www.example.test:80
    ErrorLogFormat "[%{cu}t] [%l] %M"
    ErrorLog /var/log/apache2/www-error.log
    CustomLog ${APACHE_LOG_DIR}/access.log combined
    CustomLog "/var/log/apache2/timing.log" "%h %t \"%r\" %D"
    CustomLog /var/log/apache2/split.log \
        common
</VirtualHost>
"#;
        let mut c = extract(conf);
        assert_eq!(c.formats.len(), 3);
        assert_eq!(
            c.formats.get(1).unwrap().format,
            r#"%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""#
        );
        assert_eq!(c.includes, vec!["sites-enabled/*.conf"]);
        assert_eq!(c.logs.len(), 5);
        let e = c.logs.remove(1);
        assert_eq!(e.format.as_deref(), Some("[%{cu}t] [%l] %M"));
        assert_eq!(e.server_name.as_deref(), Some("www.example.test"));
        assert_eq!(c.logs.first().unwrap().server_name, None);
        let l = c.logs.get(1).unwrap();
        assert_eq!(
            (l.kind, l.path.as_str(), l.format_name.as_deref()),
            (LogKind::Access, "${APACHE_LOG_DIR}/access.log", Some("combined"))
        );
        assert!(l.format.as_deref().unwrap().starts_with("%h %l %u %t"));
        assert_eq!(c.logs.get(2).unwrap().format.as_deref(), Some(r#"%h %t \"%r\" %D"#));
        assert_eq!(c.logs.get(3).unwrap().format.as_deref(), Some(r#"%h %l %u %t \"%r\" %>s %O"#));
        assert_eq!(c.logs.first().unwrap().kind, LogKind::Error);
        // Every format compiles.
        for f in &c.formats {
            super::super::custom::LogFormat::compile(&f.format).unwrap();
        }
    }

    #[test]
    fn nginx_conf() {
        let conf = r#"
http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    log_format js escape=json '{"a":"$remote_addr","r":"$request"}';
    access_log /var/log/nginx/access.log main buffer=32k;
    error_log /var/log/nginx/error.log warn;
    include /etc/nginx/conf.d/*.conf;
    server {
        listen 80;
        server_name shop.example.test www.shop.example.test;
        access_log /var/log/nginx/default.log;
        access_log /var/log/nginx/j.log js;
        access_log off;
    }
}
"#;
        let c = extract(conf);
        assert_eq!(c.formats.len(), 2);
        let m = c.formats.first().unwrap();
        assert_eq!(
            m.format,
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#
        );
        let j = c.formats.get(1).unwrap();
        assert_eq!(
            (j.escape.as_deref(), j.format.as_str()),
            (Some("json"), r#"{"a":"$remote_addr","r":"$request"}"#)
        );
        let paths: Vec<_> =
            c.logs.iter().map(|l| (l.path.as_str(), l.format_name.as_deref())).collect();
        assert_eq!(
            paths,
            vec![
                ("/var/log/nginx/access.log", Some("main")),
                ("/var/log/nginx/error.log", None),
                ("/var/log/nginx/default.log", Some("combined")),
                ("/var/log/nginx/j.log", Some("js"))
            ]
        );
        assert_eq!(c.logs.get(2).unwrap().format.as_deref(), Some(NGINX_COMBINED));
        assert_eq!(c.logs.get(2).unwrap().server_name.as_deref(), Some("shop.example.test"));
        assert_eq!(c.logs.first().unwrap().server_name, None);
        assert_eq!(c.includes, vec!["/etc/nginx/conf.d/*.conf"]);
        for f in &c.formats {
            super::super::custom::LogFormat::compile(&f.format).unwrap();
        }
    }
}
