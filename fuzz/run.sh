#!/bin/sh
# Runs every fuzz target (or those named) for SECS seconds each, one at a time, niced, and
# prints libFuzzer's final stats. Run from the repository root:
#   sh fuzz/run.sh            # all targets, 240 s each
#   SECS=600 sh fuzz/run.sh syslog mail
# Needs: rustup toolchain nightly, cargo install cargo-fuzz. Crashes land in fuzz/artifacts/<target>/.
set -u
SECS=${SECS:-240}
cd "$(dirname "$0")/.." || exit 1
[ -d fuzz/corpus ] || python3 fuzz/seed.py
mkdir -p fuzz/logs
TARGETS=${*:-"syslog auth sudo acct utmp lastcomm mail http http_custom human_time query decompress pipeline"}
for t in $TARGETS; do
  mkdir -p "fuzz/corpus/$t"
  nice cargo +nightly fuzz run -a -s none "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECS" -timeout=10 -max_len=16384 -print_final_stats=1 \
    > "fuzz/logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "fuzz/logs/$t.log" | awk '{print $2}')
  echo "$t: exit $rc, ${execs:-?} executions in ${SECS}s, $(ls fuzz/artifacts/$t 2>/dev/null | wc -l) artifacts"
done
