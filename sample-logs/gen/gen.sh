#!/bin/bash
# Builds the binary files of sample-logs/mail from the text in this directory:
#   mail/var/log/account/pacct   mail-pacct.py (acct_v3 records; see its docstring)
#   mail/var/log/wtmp            util-linux `utmpdump -r` (2.38.1) from mail-wtmp.utmpdump.txt:
#                                boot, runlevel, kenji's ssh login on pts/1 (sshd child 2018, from
#                                203.0.113.45) and its logout — times as mail's clock read them
#                                (93 s fast), UTC, as wtmp stores them.
# and records how GNU acct 6.6.4 and util-linux read them back (mail-pacct.*.txt, mail-wtmp.last.txt).
set -eu
cd "$(dirname "$0")"
export TZ=UTC
mkdir -p ../mail/var/log/account
python3 mail-pacct.py ../mail/var/log/account/pacct
utmpdump -r < mail-wtmp.utmpdump.txt > ../mail/var/log/wtmp 2>/dev/null
dump-acct ../mail/var/log/account/pacct > mail-pacct.dump-acct.txt
lastcomm --forwards -f ../mail/var/log/account/pacct > mail-pacct.lastcomm.txt
last -F -w -x -f ../mail/var/log/wtmp > mail-wtmp.last.txt
