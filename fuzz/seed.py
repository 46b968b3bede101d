#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ seed corpora from the repository's fixtures (never from
/work/shared). Run from the repository root: python3 fuzz/seed.py"""
import glob, gzip, bz2, lzma, os, re, hashlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FX = os.path.join(ROOT, "crates/jikoku-formats/tests/fixtures")
OUT = os.path.join(ROOT, "fuzz/corpus")

def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def files(*pats):
    out = []
    for p in pats:
        out += [f for f in glob.glob(os.path.join(ROOT, p), recursive=True) if os.path.isfile(f)]
    return sorted(set(out))

def chunks(data, size=4096, n=8):
    """Whole-line chunks of at most `size` bytes, at most n of them."""
    lines = data.splitlines(keepends=True)
    cur, out = b"", []
    for l in lines:
        if len(cur) + len(l) > size and cur:
            out.append(cur); cur = b""
            if len(out) >= n: break
        cur += l
    if cur and len(out) < n: out.append(cur)
    return out

SYSLOG = files("tests/golden/*/input.log", "sample-logs/**/*.log", "sample-logs/**/messages",
               "crates/jikoku-formats/tests/fixtures/mail/*.log",
               "crates/jikoku-formats/tests/fixtures/sudo/syslog-auth.log",
               "crates/jikoku-formats/tests/fixtures/sudo/real-samples/sudo-syslog-auth.log")
HDR = re.compile(rb"^(?:\S+\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\dT\S+)\s+\S+\s+([^\s\[:]+)(?:\[\d+\])?:\s?(.*)$")

AUTH = ["sshd", "su", "sudo", "login", "passwd", "useradd", "userdel", "usermod", "groupadd",
        "chpasswd", "CRON", "cron", "systemd-logind", "unix_chkpwd", "gdm-password", "polkitd",
        "sshd-session", "chage"]
MAIL = ["postfix/smtpd", "postfix/qmgr", "postfix/smtp", "postfix/cleanup", "postfix/local",
        "postfix/pickup", "postfix/lmtp", "postfix/bounce", "postfix/postscreen",
        "postfix/submission/smtpd", "sendmail", "sm-mta", "sm-msp-queue", "dovecot", "imap-login",
        "pop3-login"]

for f in SYSLOG:
    data = open(f, "rb").read()
    for c in chunks(data):
        put("syslog", c)
        put("mail", bytes([0x80]) + c)
        put("pipeline", c)
    for line in data.splitlines():
        m = HDR.match(line)
        if not m: continue
        prog, msg = m.group(1).decode("latin1"), m.group(2)
        if prog in AUTH: put("auth", bytes([AUTH.index(prog)]) + msg)
        if prog == "sudo": put("sudo", b"\x00" + msg)
        if prog in MAIL: put("mail", bytes([MAIL.index(prog)]) + msg)
        if prog in ("nginx", "httpd", "apache2"): put("http", b"\x02" + msg)

for f in files("crates/jikoku-formats/tests/fixtures/sudo/*.log",
               "crates/jikoku-formats/tests/fixtures/sudo/wrap/*.log",
               "crates/jikoku-formats/tests/fixtures/sudo/real-samples/sudo-logfile-default.log"):
    for c in chunks(open(f, "rb").read()): put("sudo", b"\x01" + c)
for f in files("crates/jikoku-formats/tests/fixtures/sudo/**/*.json",
               "crates/jikoku-formats/tests/fixtures/sudo/**/*.json.in",
               "crates/jikoku-formats/tests/fixtures/sudo/logsrvd/logsrvd-json.log"):
    put("sudo", b"\x02" + open(f, "rb").read()[:16384])
for f in files("crates/jikoku-formats/tests/fixtures/sudo/**/log"):
    put("sudo", b"\x03" + open(f, "rb").read())

for f in files("crates/jikoku-formats/tests/fixtures/acct/*.bin",
               "crates/jikoku-formats/tests/fixtures/acct/*pacct*", "crates/jikoku-formats/tests/fixtures/acct/freebsd/*"):
    if f.endswith(".txt") or f.endswith(".sh"): continue
    d = open(f, "rb").read()
    put("acct", d[:8192]); put("pipeline", d[:8192])
for f in files("crates/jikoku-formats/tests/fixtures/utmp/*.bin",
               "crates/jikoku-formats/tests/fixtures/utmp/plaso/*"):
    if f.endswith(".md"): continue
    d = open(f, "rb").read()[:8192]
    put("utmp", b"\x00" + d); put("utmp", b"\x01" + d); put("pipeline", d)
for f in files("crates/jikoku-formats/tests/fixtures/lastcomm/*.txt",
               "crates/jikoku-formats/tests/fixtures/acct/*.lastcomm.txt"):
    for c in chunks(open(f, "rb").read()): put("lastcomm", c)

for f in files("crates/jikoku-formats/tests/fixtures/http/*.log"):
    for c in chunks(open(f, "rb").read(), n=3):
        put("http", b"\x00" + c); put("http", b"\x01" + c); put("pipeline", c)
# Custom formats: the format strings the tests use, then lines.
FMTS = [b'%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"',
        b'%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
        b'%a %{%Y-%m-%dT%H:%M:%S}t.%{msec_frac}t %D %{X-Forwarded-For}i %>s %I %O',
        b'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
        b'escape=json \'{"time":"$time_iso8601","addr":"$remote_addr","req":"$request","st":$status}\'',
        b'$msec $request_time $remote_addr:$remote_port "$request" $status $upstream_addr']
lines = [l for f in files("crates/jikoku-formats/tests/fixtures/http/*.log") for l in open(f, "rb").read().splitlines()[:3]]
for i, fm in enumerate(FMTS):
    put("http_custom", fm + b"\n" + b"\n".join(lines[i::len(FMTS)][:6]))
for f in files("crates/jikoku-formats/tests/fixtures/http/conf/*"):
    put("http_custom", b"\n" + open(f, "rb").read())

for t in ["2002-05-08 13:04:05 +0900", "2002-05-08T04:00:00Z", "@1020830645", "@1020830645.25",
          "2002-05-08 13:04 JST", "2002-05-08 Asia/Tokyo", "May 8 2002 13:04:05 EDT", "8 May 2002",
          "2002-05-08T13:04:05.123456789+09:00", "2024-03-31 02:30 Europe/London", "1h30m", "-90s",
          "2002/05/08 1:04pm PST", "yesterday", "2002-W19", "2002-05-08 13:04:05.5 -0430"]:
    put("human_time", t.encode())
for q in ["host.name:mail", "user.name:adm* AND NOT event.outcome:success",
          "http.response.status_code:[500 TO 599]", "source.ip:10.19.0.0/16",
          "@timestamp:[2002-05-08T04:00:00Z TO 2002-05-08T05:00:00Z]",
          '(sshd OR "Failed password") -user.name:root', "process.pid:[* TO 100]",
          "source.ip:[192.0.2.1 TO 192.0.2.9]", "message:\"a b c\" OR event.original:x*"]:
    put("query", q.encode())

plain = b"".join(chunks(open(os.path.join(ROOT, "sample-logs/mail/var/log/auth.log"), "rb").read(), n=1))
put("decompress", plain)
put("decompress", gzip.compress(plain)); put("decompress", gzip.compress(plain) + gzip.compress(b"x\n"))
put("decompress", bz2.compress(plain)); put("decompress", lzma.compress(plain))
put("pipeline", gzip.compress(plain)); put("pipeline", bz2.compress(plain)); put("pipeline", lzma.compress(plain))
try:
    import zstandard
    put("decompress", zstandard.ZstdCompressor().compress(plain))
except ImportError:
    import subprocess
    z = subprocess.run(["zstd", "-c", "-q"], input=plain, capture_output=True).stdout
    if z: put("decompress", z); put("pipeline", z)
for t in sorted(os.listdir(OUT)):
    print(t, len(os.listdir(os.path.join(OUT, t))))
