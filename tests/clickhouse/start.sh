#!/usr/bin/env bash
# Starts (or stops) a two-shard ClickHouse cluster on loopback for jikoku's tests and CI.
#
#   tests/clickhouse/start.sh start DIR [BASEPORT]   # two servers, data and configs under DIR
#   tests/clickhouse/start.sh stop DIR
#   tests/clickhouse/start.sh kill DIR N             # SIGKILL server N (1 or 2): a crash
#   tests/clickhouse/start.sh restart DIR N          # start server N again after a kill
#
# Server N (1, 2) listens on 127.0.0.1 only: HTTP BASEPORT+N*10 (default 18123 → 18133, 18143),
# native TCP BASEPORT+N*10+1, interserver BASEPORT+N*10+2. Both know the cluster `jikoku`
# (`remote_servers`): two shards, one replica each. Written for Debian's clickhouse-server
# 18.16 (bookworm); newer servers read the same configuration.
set -euo pipefail

cmd=${1:?usage: start.sh start|stop|kill|restart DIR [BASEPORT|N]}
dir=${2:?usage: start.sh start|stop|kill|restart DIR [BASEPORT|N]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

server_bin() {
  for b in /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  if command -v clickhouse >/dev/null 2>&1; then echo "$(command -v clickhouse) server"; return; fi
  echo "clickhouse-server not found: apt-get install clickhouse-server" >&2
  exit 1
}

http_port() { echo $(( $(cat "$dir/baseport") + $1 * 10 )); }

write_config() {
  local n=$1 base=$2
  local http=$((base + n * 10)) tcp=$((base + n * 10 + 1)) inter=$((base + n * 10 + 2))
  local tcp1=$((base + 11)) tcp2=$((base + 21))
  local d="$dir/s$n"
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log" "$d/format_schemas"
  cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/error.log</errorlog><size>50M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <jikoku>
      <shard><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$tcp2</port></replica></shard>
    </jikoku>
  </remote_servers>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
  cat > "$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><load_balancing>in_order</load_balancing></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

start_one() {
  local n=$1 d="$dir/s$1"
  if [ -f "$d/pid" ] && alive "$(cat "$d/pid")"; then return; fi
  # shellcheck disable=SC2046
  ( cd "$d" && exec $(server_bin) --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1 ) &
  echo $! > "$d/pid"
}

alive() {  # a process that exists and is not a zombie
  local st
  st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Waits for server N's /ping; a server that exits at once (its ports not yet released by a
# killed predecessor) is started again, up to 10 times.
wait_up() {
  local n=$1 port tries=0
  port=$(http_port "$n")
  for _ in $(seq 1 300); do
    if [ "$(curl -s "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Ok." ]; then return 0; fi
    if ! alive "$(cat "$dir/s$n/pid")"; then
      tries=$((tries + 1))
      if [ "$tries" -gt 10 ]; then
        echo "clickhouse server $n exited; its log:" >&2
        tail -n 20 "$dir/s$n/log/stdout.log" "$dir/s$n/log/error.log" >&2 2>/dev/null || true
        exit 1
      fi
      sleep 1
      start_one "$n"
    fi
    sleep 0.2
  done
  echo "clickhouse server $n did not answer on 127.0.0.1:$port" >&2
  exit 1
}

case "$cmd" in
  start)
    base=${3:-18123}
    echo "$base" > "$dir/baseport"
    server_bin >/dev/null
    for n in 1 2; do write_config "$n" "$base"; start_one "$n"; done
    for n in 1 2; do wait_up "$n"; done
    echo "http://127.0.0.1:$(http_port 1) http://127.0.0.1:$(http_port 2)"
    ;;
  stop)
    for n in 1 2; do
      if [ -f "$dir/s$n/pid" ]; then
        pid=$(cat "$dir/s$n/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/s$n/pid"
      fi
    done
    ;;
  kill)
    n=${3:?server number}
    pid=$(cat "$dir/s$n/pid")
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    ;;
  restart)
    n=${3:?server number}
    start_one "$n"; wait_up "$n"
    ;;
  *) echo "unknown command $cmd" >&2; exit 1 ;;
esac
