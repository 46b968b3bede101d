#!/usr/bin/env python3
"""Writes sample-logs/mail/var/log/account/pacct: Linux process accounting records in the
kernel's acct_v3 layout (<linux/acct.h>, 64 bytes, little-endian, as x86_64 writes them; compare
crates/jikoku-formats/tests/fixtures/acct/pacct-v3.bin, written by a real kernel).

The records are written (not captured: the incident is in 2002) from the table below, in the
order the kernel writes them: when a process EXITS. Times are what mail's clock read (it ran
93 s fast, like every other log of that host), in its zone (JST, +09:00); ac_btime stores them
as epoch seconds. Process ids match the syslog lines (su[2088], useradd[2091], chpasswd[2095],
usermod[2097], CRON[2121]/[2133]) and tty 0x8801 is pts/1 (major 136, minor 1), kenji's
terminal in auth.log and wtmp.

Check with GNU acct (apt-get install acct): `dump-acct FILE`, `lastcomm -f FILE`.
"""
import datetime
import struct
import sys

JST = datetime.timezone(datetime.timedelta(hours=9))
AFORK, ASU = 0x01, 0x02
PTS1 = (136 << 8) | 1

# comm, uid, gid, pid, ppid, tty, start (mail's clock, JST), elapsed s, flags, mem KB
RECORDS = [
    # kenji's ssh session (sshd child 2018 on pts/1, from 203.0.113.45)
    ("bash", 1003, 1003, 2019, 2018, PTS1, "2002-05-09 01:58:13", 2989.05, 0, 5120),
    ("id", 1003, 1003, 2020, 2019, PTS1, "2002-05-09 01:58:20", 0.01, 0, 2304),
    ("ls", 1003, 1003, 2022, 2019, PTS1, "2002-05-09 01:59:02", 0.01, 0, 3828),
    ("cat", 1003, 1003, 2031, 2019, PTS1, "2002-05-09 02:01:15", 0.00, 0, 2392),
    ("su", 0, 0, 2088, 2019, PTS1, "2002-05-09 02:03:36", 379.20, ASU, 4100),
    ("bash", 0, 0, 2089, 2088, PTS1, "2002-05-09 02:03:40", 375.10, ASU, 5180),
    ("useradd", 0, 0, 2091, 2089, PTS1, "2002-05-09 02:03:41", 0.05, ASU, 3300),
    ("chpasswd", 0, 0, 2095, 2089, PTS1, "2002-05-09 02:04:05", 0.02, ASU, 3100),
    ("usermod", 0, 0, 2097, 2089, PTS1, "2002-05-09 02:05:12", 0.03, ASU, 3320),
    ("sudo", 0, 0, 2110, 2019, PTS1, "2002-05-09 02:12:30", 0.06, ASU, 4600),
    ("chmod", 0, 0, 2111, 2110, PTS1, "2002-05-09 02:12:30", 0.00, ASU, 2420),
    ("ls", 1003, 1003, 2113, 2019, PTS1, "2002-05-09 02:13:02", 0.01, 0, 3828),
    ("ssh", 1003, 1003, 2180, 2019, PTS1, "2002-05-09 02:40:10", 374.40, 0, 7800),
    # cron: root's hourly run-parts, www-data's job running the uploaded script
    ("sh", 0, 0, 2122, 2121, 0, "2002-05-09 02:17:01", 0.01, ASU | AFORK, 2300),
    ("run-parts", 0, 0, 2123, 2122, 0, "2002-05-09 02:17:01", 0.01, ASU, 2400),
    ("sh", 33, 33, 2134, 2133, 0, "2002-05-09 02:24:30", 1.32, AFORK, 2300),
    ("php", 33, 33, 2135, 2134, 0, "2002-05-09 02:24:30", 1.30, 0, 21000),
    ("sendmail", 33, 33, 2136, 2135, 0, "2002-05-09 02:24:31", 0.04, 0, 3700),
    ("postdrop", 33, 113, 2137, 2136, 0, "2002-05-09 02:24:31", 0.01, 0, 2900),
    # PHP's mail() from Apache (mod_php, www-data, no tty): sendmail → postdrop, one per POST
    ("sendmail", 33, 33, 2146, 1890, 0, "2002-05-09 02:31:09", 0.05, 0, 3700),
    ("postdrop", 33, 113, 2147, 2146, 0, "2002-05-09 02:31:09", 0.01, 0, 2900),
    ("sendmail", 33, 33, 2158, 1890, 0, "2002-05-09 02:33:39", 0.05, 0, 3700),
    ("postdrop", 33, 113, 2159, 2158, 0, "2002-05-09 02:33:39", 0.01, 0, 2900),
    ("sendmail", 33, 33, 2165, 1891, 0, "2002-05-09 02:36:19", 0.04, 0, 3700),
    ("postdrop", 33, 113, 2166, 2165, 0, "2002-05-09 02:36:19", 0.01, 0, 2900),
    ("sendmail", 33, 33, 2173, 1890, 0, "2002-05-09 02:38:52", 0.05, 0, 3700),
    ("postdrop", 33, 113, 2174, 2173, 0, "2002-05-09 02:38:52", 0.01, 0, 2900),
]


def comp_t(v):
    """The kernel's encode_comp_t: 13-bit mantissa, 3-bit base-8 exponent."""
    v = int(v)
    exp = 0
    while v > 0x1FFF:
        v = (v + 4) >> 3 if (v & 7) >= 4 else v >> 3
        exp += 1
    return (exp << 13) | v


def record(comm, uid, gid, pid, ppid, tty, start, elapsed, flags, mem):
    t = datetime.datetime.strptime(start, "%Y-%m-%d %H:%M:%S").replace(tzinfo=JST)
    btime = int(t.timestamp())
    ticks = elapsed * 100  # AHZ = 100
    # CPU ticks: a little for the short commands, a small share of long interactive ones
    cpu = (1 + int(min(ticks * 0.002, 150))) if elapsed >= 0.01 else 0
    return struct.pack(
        "<BBHIIIIIIf8H16s",
        flags, 3, tty, 0, uid, gid, pid, ppid, btime, ticks,
        comp_t(cpu // 2), comp_t(cpu - cpu // 2), comp_t(mem), comp_t(0), comp_t(0),
        comp_t(90 + mem // 40), comp_t(0), comp_t(0),
        comm.encode()[:15],
    ), btime + elapsed


def main(out):
    recs = sorted((record(*r) for r in RECORDS), key=lambda x: x[1])
    with open(out, "wb") as f:
        for r, _ in recs:
            assert len(r) == 64
            f.write(r)


if __name__ == "__main__":
    main(sys.argv[1])
