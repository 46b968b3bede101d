#!/usr/bin/env python3
"""Writes a deterministic BSD-syslog auth data set for rough measurements (docs/PERFORMANCE.md).

Usage: gen_auth.py OUTDIR [FILES] [LINES_PER_FILE]   (default 10 files x 200,000 lines, ~182 MB)
Lines: 40% sshd Failed password, 20% Accepted publickey, 20% cron CMD, 20% su; 7-digit pids,
IPv4 clients, hosts host0..hostN, one line every 6 s starting Jan 1, no year.
"""
import os, random, sys

out = sys.argv[1]
files = int(sys.argv[2]) if len(sys.argv) > 2 else 10
per = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
random.seed(7)
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
users = [f"user{i}" for i in range(500)]
os.makedirs(out, exist_ok=True)
for f in range(files):
    with open(os.path.join(out, f"auth{f}.log"), "w") as o:
        for i in range(per):
            t = i * 6
            mon = months[min(5, t // (86400 * 30))]
            day = 1 + (t // 86400) % 28
            hh, mm, ss = (t // 3600) % 24, (t // 60) % 60, t % 60
            r = random.random()
            ip = f"{random.choice([10, 198, 203])}.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
            pid = random.randint(100, 9999999)
            if r < 0.4:
                msg = f"sshd[{pid}]: Failed password for {random.choice(users)} from {ip} port {random.randint(1024, 65535)} ssh2"
            elif r < 0.6:
                msg = f"sshd[{pid}]: Accepted publickey for {random.choice(users)} from {ip} port {random.randint(1024, 65535)} ssh2: ED25519 SHA256:abcdefghijklmnop"
            elif r < 0.8:
                msg = f"CRON[{pid}]: (root) CMD (run-parts /etc/cron.hourly)"
            else:
                msg = f"su[{pid}]: (to root) {random.choice(users)} on pts/{random.randint(0, 20)}"
            o.write(f"{mon} {day:>2} {hh:02}:{mm:02}:{ss:02} host{f} {msg}\n")
