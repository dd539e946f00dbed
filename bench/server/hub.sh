#!/usr/bin/env bash
# Notification hub benchmark (issue 18): how long an approved login with device takes to reach
# the waiting device through the anonymous hub, on one instance and across two instances on one
# PostgreSQL database; and 10,000 idle hub connections held, with the server's resident memory.
# Each latency is set against an authenticated GET round trip measured in the same run
# (keywarden_hub_bench, bench/server/hub_bench.cc).
#
#   bench/server/hub.sh [BUILD_DIR]        (default build/release; needs curl and PostgreSQL)
#   Environment: ROUNDS (200), CONNECTIONS (10000), HOLD (40 s), BASE_PORT (18280).
#
#  (a) SQLite, one instance: latency (requests and hub on the same instance), then the idle hold.
#  (b) PostgreSQL in a temporary folder (initdb + postgres on a loopback port), two instances on
#      one database and public URL, as behind a load balancer: latency with the requests on A and
#      the hub on B (the push crosses instances through the database's LISTEN/NOTIFY), then on A
#      alone for comparison.
# Configuration: the defaults, except [limits] max_connections (the default 10,000 would leave
# no room beside 10,000 hubs) and a day-long access token. The hold spreads its connections over
# source addresses 127.0.0.2, .3, ... so the default per-address cap (1,000) stands.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
KW=$BUILD/src/keywarden
HUB=$BUILD/bench/keywarden_hub_bench
ROUNDS=${ROUNDS:-200}
CONNECTIONS=${CONNECTIONS:-10000}
HOLD=${HOLD:-40}
BASE_PORT=${BASE_PORT:-18280}
PG_PORT=$((BASE_PORT + 1))
command -v curl >/dev/null || { echo "missing curl (scripts/setup)" >&2; exit 1; }
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
[[ -x $PG_BIN/postgres ]] || { echo "missing PostgreSQL (initdb, postgres)" >&2; exit 1; }
[[ -x $KW && -x $HUB ]] || { echo "build $BUILD first (targets keywarden, keywarden_hub_bench)" >&2; exit 1; }
# Each held connection is a descriptor in this script's client and one in the server.
ulimit -n "$((CONNECTIONS + 1000))" 2>/dev/null || {
  echo "ulimit -n $(ulimit -n) is too low for $CONNECTIONS connections" >&2
  exit 1
}

work=$(mktemp -d)
chmod 755 "$work"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  # runuser does not pass signals on: stop the postmaster by its own pid.
  [[ -f $work/pg/data/postmaster.pid ]] && kill "$(head -1 "$work/pg/data/postmaster.pid")" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# PostgreSQL refuses to run as root: as root it runs as its Debian account.
as() { if ((EUID == 0)); then runuser -u "$1" -- "${@:2}"; else "${@:2}"; fi; }

"$KW" server init --key-file "$work/signing-key.pem" >/dev/null
public_url="http://127.0.0.1:$((BASE_PORT + 10))"
# start_server NAME PORT DATABASE_TABLE_LINES: starts an instance, waits for /alive; its pid in $server_pid.
start_server() {
  local name=$1 port=$2 database=$3
  cat >"$work/$name.toml" <<CONF
public_url = "$public_url"
listen = "127.0.0.1:$port"
[database]
$database
[signing_key]
key_file = "$work/signing-key.pem"
[tokens]
access_token_seconds = 86400
[limits]
max_connections = $((CONNECTIONS + 1000))
CONF
  "$KW" server serve --config "$work/$name.toml" 2>"$work/$name.log" &
  server_pid=$!
  servers+=("$server_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/alive" >/dev/null && return; sleep 0.1; done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}
stop_servers() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
port_a=$((BASE_PORT + 10)) port_b=$((BASE_PORT + 11))

echo "== (a) SQLite, one instance: $ROUNDS approvals" >&2
start_server sqlite "$port_a" "sqlite_path = \"$work/server.db\""
sqlite_pid=$server_pid
latency_sqlite=$("$HUB" latency "$port_a" "$port_a" "$ROUNDS")
echo "== (a) SQLite: $CONNECTIONS idle hub connections held ${HOLD}s" >&2
idle_status=0
idle=$("$HUB" idle "$port_a" "$sqlite_pid" "$CONNECTIONS" "$HOLD") || idle_status=$?
stop_servers

echo "== (b) PostgreSQL, two instances on one database" >&2
mkdir -p "$work/pg"
((EUID == 0)) && chown postgres "$work/pg"
as postgres "$PG_BIN/initdb" -D "$work/pg/data" -U keywarden -A trust --no-sync --no-locale -E UTF8 >/dev/null
as postgres "$PG_BIN/postgres" -D "$work/pg/data" -p "$PG_PORT" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  >"$work/pg.log" 2>&1 &
for _ in $(seq 300); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.1; done
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U keywarden -d postgres -c "CREATE DATABASE keywarden" >&2
postgres=$(printf 'provider = "postgresql"\npostgresql = "Host=127.0.0.1;Port=%s;Database=keywarden;Username=keywarden;Password=unused"' \
  "$PG_PORT")
start_server pg-a "$port_a" "$postgres"
start_server pg-b "$port_b" "$postgres"
latency_two=$("$HUB" latency "$port_a" "$port_b" "$ROUNDS")
latency_one=$("$HUB" latency "$port_a" "$port_a" "$ROUNDS")
stop_servers

echo
echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r);" \
  "load average $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "(a) SQLite, one instance"
echo "$latency_sqlite"
echo
echo "(a) SQLite, idle hub connections"
echo "$idle"
echo
echo "(b) PostgreSQL, requests on A, hub on B"
echo "$latency_two"
echo
echo "(b) PostgreSQL, A alone"
echo "$latency_one"
exit "$idle_status"
