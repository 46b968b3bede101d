#!/bin/bash
# Produces the real syslog/auth fixtures under tests/golden/rsyslog-auth-*/ with real programs,
# on loopback only. Run as root from anywhere:  bash tests/fixtures-gen/syslog-auth/gen.sh
#
# What it does (re-runnable: it cleans up its own users, daemons and output first):
#  1. starts its own rsyslogd (own config, own work dir under /tmp/jikoku-syslogfx, TZ=Asia/Tokyo)
#     with imuxsock (/dev/log) and imudp on 127.0.0.1:5514, writing the SAME messages to four files:
#       traditional.log  RSYSLOG_TraditionalFileFormat   (Mmm dd hh:mm:ss host tag: msg)
#       rfc3339.log      RSYSLOG_FileFormat              (2026-11-23T06:10:01.123456+09:00 host tag: msg)
#       protocol23.log   RSYSLOG_SyslogProtocol23Format  (<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG)
#       pri.log          custom "<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag%%msg%"
#  2. logger lines: with pid, with tag, a path tag (/usr/local/bin/sudo), TAB and other control
#     characters (rsyslog writes #011), non-ASCII UTF-8, invalid UTF-8 bytes, an embedded newline,
#     RFC 5424 through `logger --rfc5424`, RFC 5424 with structured data over UDP, and a
#     BSD message with no hostname over UDP;
#  3. account management: groupadd, useradd (carol, dave, erin: the users alice/bob of this machine
#     belong to other fixtures and are left alone), usermod, chpasswd, passwd (on a pty), passwd -l;
#  4. a second sshd (own config, 127.0.0.1:2222, LogLevel VERBOSE, UsePAM yes, MaxAuthTries 3,
#     DenyUsers erin): password and publickey logins, failed password, invalid user, a user name
#     with a space, a denied user, too many failures, a no-banner connection, a bad banner,
#     a key-exchange mismatch;
#  5. su: root -> carol (no password), carol -> dave with the password typed on a pty, and a
#     failed su carol -> dave with a wrong password;
#  6. cron -f with a crontab line in /etc/cron.d run once (at least one `CMD` line);
#  7. userdel/groupdel, then stops its daemons and copies the four files into tests/golden/.
#
# Package versions used for the committed fixtures (Debian 12):
#   rsyslog 8.2302.0-1+deb12u2, openssh-server/client 1:9.2p1-2+deb12u10, cron 3.0pl1-162,
#   sshpass 1.09-1+b1, passwd/login 1:4.13+dfsg1-1+deb12u2, bsdutils (logger) 1:2.38.1-5+deb12u3,
#   util-linux (su) 2.38.1-5+deb12u3.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
W=/tmp/jikoku-syslogfx
UDP_PORT=5514
SSH_PORT=2222
PW_CAROL='Carol-pw-1'
PW_DAVE='Dave-pw-2'

stop() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null; rm -f "$1"; }
cleanup_users() {
  for u in carol dave erin; do id "$u" >/dev/null 2>&1 && userdel -r "$u" >/dev/null 2>&1; done
  getent group jkfx >/dev/null && groupdel jkfx
}

# --- 0. clean up a previous run ---------------------------------------------------------------
stop $W/sshd.pid; stop $W/cron.pid; stop $W/rsyslogd.pid
rm -f /etc/cron.d/jikoku-fixture
cleanup_users
rm -rf $W; mkdir -p $W/spool $W/out
sleep 1

# --- 1. rsyslogd -------------------------------------------------------------------------------
cat > $W/rsyslog.conf <<EOF
global(workDirectory="$W/spool")
module(load="imuxsock" SysSock.Use="on" SysSock.Name="/dev/log")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$UDP_PORT")
template(name="PriTraditional" type="string" string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
# Only the programs this script runs: other jobs on the machine may write to /dev/log meanwhile.
if \$programname == ["rsyslogd", "jikoku-test", "/usr/local/bin/sudo", "1", "app5424", "evntslog", "su",
    "noh0st-prog", "sshd", "groupadd", "useradd", "usermod", "chpasswd", "passwd", "chage", "cron", "CRON",
    "userdel", "groupdel"] then {
  action(type="omfile" file="$W/out/traditional.log" template="RSYSLOG_TraditionalFileFormat")
  action(type="omfile" file="$W/out/rfc3339.log" template="RSYSLOG_FileFormat")
  action(type="omfile" file="$W/out/protocol23.log" template="RSYSLOG_SyslogProtocol23Format")
  action(type="omfile" file="$W/out/pri.log" template="PriTraditional")
}
EOF
TZ=Asia/Tokyo rsyslogd -f $W/rsyslog.conf -i $W/rsyslogd.pid
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S /dev/log ] && break; sleep 0.5; done
sleep 1

# --- 2. logger -----------------------------------------------------------------------------------
logger -t jikoku-test "plain message with a tag"
logger -i -t jikoku-test "message with a pid"
logger -t /usr/local/bin/sudo "carol : TTY=pts/0 ; PWD=/home/carol ; USER=root ; COMMAND=/usr/bin/id"
logger -t jikoku-test "$(printf 'tab\there and bell\a end')"
logger -t jikoku-test "ユーザー 日本語 ü 'quoted' \"double\""
printf 'invalid utf-8 \xff\xfe\xc3 bytes' | logger -t jikoku-test
logger -t jikoku-test "$(printf 'first line\nsecond line')"
logger --rfc5424 -t app5424 --msgid ID47 "RFC 5424 through logger"
logger --rfc5424=notq,notime -t app5424 "RFC 5424 without time quality"
python3 - "$UDP_PORT" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
port = int(sys.argv[1])
for m in [
    b'<165>1 2026-11-22T12:00:00.003Z mymachine.example.com evntslog - ID47 '
    b'[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] '
    b'\xef\xbb\xbfAn application event log entry',
    b'<34>1 2026-11-22T21:14:15.000003+09:00 192.0.2.1 su - - [origin ip="192.0.2.1" software="test\\"q\\]"] '
    b"'su root' failed for lonvick on /dev/pts/8",
    b'<13>Nov 22 12:00:00 noh0st-prog: a BSD message with no hostname',
    b'<38>Nov 22 12:00:01 sshd[4242]: Invalid user oracle from 192.0.2.100 port 50000',
]:
    s.sendto(m, ("127.0.0.1", port))
PY

# --- 3. accounts -----------------------------------------------------------------------------------
groupadd jkfx
useradd -m -s /bin/bash carol
useradd -m -s /bin/bash -G jkfx dave
useradd -M -s /usr/sbin/nologin erin
usermod -aG jkfx carol
usermod -c "Carol Fixture" carol
echo "carol:$PW_CAROL" | chpasswd
echo "erin:Erin-pw-3" | chpasswd
python3 - "$PW_DAVE" <<'PY'
import os, pty, sys, time
pw = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp("passwd", ["passwd", "dave"])
buf = b""
for _ in range(2):
    while b"password:" not in buf.lower():
        buf += os.read(fd, 1024)
    buf = b""
    os.write(fd, pw + b"\n")
try:
    while os.read(fd, 1024):
        pass
except OSError:
    pass
os.waitpid(pid, 0)
PY
passwd -l erin
passwd -u erin
chage -M 90 dave

# --- 4. sshd on 127.0.0.1:2222 ------------------------------------------------------------------------
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f $W/ssh_host_ed25519_key
ssh-keygen -q -t ed25519 -N '' -C carol-fixture -f $W/carol_key
install -d -m 700 -o carol -g carol /home/carol/.ssh
install -m 600 -o carol -g carol $W/carol_key.pub /home/carol/.ssh/authorized_keys
cat > $W/sshd_config <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $W/ssh_host_ed25519_key
PidFile $W/sshd.pid
SyslogFacility AUTH
LogLevel VERBOSE
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
MaxAuthTries 3
DenyUsers erin
PrintMotd no
EOF
/usr/sbin/sshd -f $W/sshd_config
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -f $W/sshd.pid ] && break; sleep 0.5; done
SSHO=(-p $SSH_PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10)
PWO=(-o PreferredAuthentications=password -o PubkeyAuthentication=no)
sshpass -p "$PW_CAROL" ssh "${SSHO[@]}" "${PWO[@]}" carol@127.0.0.1 true
ssh "${SSHO[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i $W/carol_key carol@127.0.0.1 true
sshpass -p wrong-password ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=1 carol@127.0.0.1 true
sshpass -p whatever ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=1 nosuchuser@127.0.0.1 true
sshpass -p whatever ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=1 "admin test@127.0.0.1" true
sshpass -p Erin-pw-3 ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=1 erin@127.0.0.1 true
sshpass -p whatever ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=1 root@127.0.0.1 true
sshpass -p wrong-password ssh "${SSHO[@]}" "${PWO[@]}" -o NumberOfPasswordPrompts=5 dave@127.0.0.1 true
# a TCP connection that sends nothing, one that sends an HTTP request, one with no common kex
python3 - "$SSH_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port)); time.sleep(0.3); s.close()
s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET / HTTP/1.0\r\n\r\n"); time.sleep(0.5); s.close()
PY
ssh "${SSHO[@]}" -o KexAlgorithms=diffie-hellman-group1-sha1 carol@127.0.0.1 true
sleep 1

# --- 5. su ------------------------------------------------------------------------------------------
su -s /bin/sh -c true carol
python3 - "$PW_DAVE" <<'PY'
import os, pty, sys
def su_on_pty(pw):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("su", ["su", "-s", "/bin/sh", "carol", "-c", "su -s /bin/sh dave -c true"])
    buf = b""
    try:
        while b"password:" not in buf.lower():
            buf += os.read(fd, 1024)
        os.write(fd, pw + b"\n")
        while os.read(fd, 1024):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
su_on_pty(sys.argv[1].encode())
su_on_pty(b"not-daves-password")
PY

# --- 6. cron --------------------------------------------------------------------------------------
echo '* * * * * root echo jikoku-fixture-cron >/dev/null' > /etc/cron.d/jikoku-fixture
chmod 644 /etc/cron.d/jikoku-fixture
cron -f -L 15 & echo $! > $W/cron.pid
# wait past the next minute boundary, then a few seconds for the job to finish
sleep $(( 62 - $(date +%-S) + 3 ))
stop $W/cron.pid
rm -f /etc/cron.d/jikoku-fixture

# --- 7. clean up ------------------------------------------------------------------------------------
stop $W/sshd.pid
userdel -r carol 2>/dev/null
userdel -r dave 2>/dev/null
userdel erin
groupdel jkfx
sleep 2
stop $W/rsyslogd.pid
rm -f /dev/log
sleep 1

for v in traditional rfc3339 protocol23 pri; do
  d=$REPO/tests/golden/rsyslog-auth-$v
  mkdir -p "$d"
  cp $W/out/$v.log "$d/input.log"
  printf -- '--tz Asia/Tokyo\n--year 2026\n' > "$d/args"
done
dpkg-query -W rsyslog openssh-server openssh-client cron sshpass passwd login bsdutils util-linux \
  > "$(dirname "$0")/versions.txt"
wc -l $W/out/*.log
