#!/bin/sh
# Side-by-side read speed of jikoku and its peers on the same files of a jikoku-gen data set.
# Usage: benches/peers.sh DATA_DIR [JIKOKU] [PLASO_VENV]
#   DATA_DIR   written by `jikoku-gen --size 200MB --seed 1 --out DATA_DIR`
#   JIKOKU     default target/release/jikoku
#   PLASO_VENV a venv with `pip install plaso` (default /tmp/plaso-venv)
# Peers: lnav (Debian), plaso log2timeline + psort (PyPI), GNU acct lastcomm/dump-acct (Debian),
# ripgrep and wc (read-speed ceiling). Each number is the best of 3 wall-clock runs, warm cache,
# printed with the 1-minute load average at the time (the machine may be shared).
set -eu
D=$1
J=${2:-target/release/jikoku}
P=${3:-/tmp/plaso-venv}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

best() { # best wall seconds of 3 runs of "$@" (stdout discarded)
  b=
  for i in 1 2 3; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
load() { cut -d' ' -f1 /proc/loadavg; }
row() { # label records seconds
  printf '| %s | %s | %.3f | %.0f | %s |\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)" "$(load)"
}

SYS=$D/db/var/log/auth.log          # BSD syslog, 2-char host, 7-digit pids
R3339=$D/web01/var/log/auth.log     # rsyslog RFC 3339
WEB=$D/web01/var/log/apache2/access.log
ACCT=$D/db/var/log/account/pacct
n_sys=$(wc -l < "$SYS"); n_3339=$(wc -l < "$R3339"); n_web=$(wc -l < "$WEB")
n_acct=$(( $(stat -c %s "$ACCT") / 64 ))
echo "| tool | records | best of 3 (s) | records/s | load |"
echo "|---|---|---|---|---|"
for f in "$SYS:$n_sys:bsd-syslog" "$R3339:$n_3339:rfc3339-syslog" "$WEB:$n_web:apache"; do
  file=${f%%:*}; rest=${f#*:}; n=${rest%%:*}; label=${rest#*:}
  row "rg -c '' ($label)" "$n" "$(best rg -c '' "$file")"
  row "wc -l ($label)" "$n" "$(best wc -l "$file")"
  row "jikoku parse ($label)" "$n" "$(best "$J" parse --tz UTC --year 2025 "$file")"
  case $label in apache) tbl=access_log ;; *) tbl=syslog_log ;; esac
  row "lnav -n ($label, SELECT count(*) FROM $tbl)" "$n" "$(best lnav -n -c ";SELECT count(*) FROM $tbl" "$file")"
done
row "jikoku parse (pacct v3)" "$n_acct" "$(best "$J" parse "$ACCT")"
row "lastcomm -f (pacct v3)" "$n_acct" "$(best lastcomm -f "$ACCT")"
row "dump-acct (pacct v3)" "$n_acct" "$(best dump-acct "$ACCT")"
# plaso is ~1,000x slower: a 20,000-line head of the same files, one run each.
if [ -x "$P/bin/log2timeline" ]; then
  for f in "$SYS:text/syslog,text/syslog_traditional:bsd-syslog" "$WEB:text/apache_access:apache"; do
    file=${f%%:*}; rest=${f#*:}; parsers=${rest%%:*}; label=${rest#*:}
    mkdir -p "$W/$label"; head -n 20000 "$file" > "$W/$label/$(basename "$file")"
    touch -r "$file" "$W/$label/$(basename "$file")"
    s=$(date +%s.%N)
    "$P/bin/log2timeline" --logfile "$W/l2t.log.gz" --quiet --status_view none --parsers "$parsers" --storage_file "$W/$label.plaso" "$W/$label" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    row "plaso log2timeline ($label, 20,000-line head)" 20000 "$(echo "$e - $s" | bc)"
    s=$(date +%s.%N)
    "$P/bin/psort" --logfile "$W/psort.log.gz" --status_view none -o json_line -w "$W/$label.jsonl" "$W/$label.plaso" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    nout=$(wc -l < "$W/$label.jsonl" 2>/dev/null || echo 0)
    row "plaso psort -o json_line ($label: $nout events out)" "$nout" "$(echo "$e - $s" | bc)"
    jn=$("$J" parse --tz UTC --year 2025 "$W/$label/$(basename "$file")" 2>/dev/null | grep -vc '"pipeline_error"' || true)
    echo "|  jikoku on the same head: $jn events, 0 pipeline errors expected | | | | |"
  done
fi
