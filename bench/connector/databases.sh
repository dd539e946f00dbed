#!/usr/bin/env bash
# Connector benchmark across databases: the PUT and GET (tokens reused) workloads of run.sh on
# SQLite, PostgreSQL and MariaDB, with one connector instance and with two instances on the same
# database (wrk against both at once, connections split), and nginx serving the same answer as
# the ceiling, all in one run. The database servers run in a temporary folder on loopback ports,
# started the way the tests start them (initdb + postgres; mariadb-install-db + mariadbd).
#
#   bench/connector/databases.sh [BUILD_DIR]   (default build/release; needs wrk, nginx,
#                                               PostgreSQL and MariaDB: scripts/setup)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/connector/nginx_ceiling.sh
BUILD=${1:-build/release}
KW=$BUILD/src/keywarden
MINT=$BUILD/bench/keywarden_mint_tokens
USERS=${USERS:-5000}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
BASE_PORT=${BASE_PORT:-18180}
NGINX_PORT=$BASE_PORT PG_PORT=$((BASE_PORT + 1)) MARIA_PORT=$((BASE_PORT + 2))
for tool in wrk nginx mariadbd mariadb-install-db mariadb; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup)" >&2; exit 1; }
done
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
[[ -x $PG_BIN/postgres ]] || { echo "missing PostgreSQL (initdb, postgres)" >&2; exit 1; }
[[ -x $KW && -x $MINT ]] || { echo "build $BUILD first (targets keywarden, keywarden_mint_tokens)" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  # runuser does not pass signals on: stop the postmaster by its own pid.
  [[ -f $work/pg/data/postmaster.pid ]] && kill "$(head -1 "$work/pg/data/postmaster.pid")" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# The servers refuse to run as root: as root they run as their Debian accounts.
as() { if ((EUID == 0)); then runuser -u "$1" -- "${@:2}"; else "${@:2}"; fi; }

echo "== preparing: issuer key, $USERS users" >&2
issuer="http://127.0.0.1:$NGINX_PORT"
"$MINT" "$work/www" "$issuer" "$USERS" 1 >&2
start_nginx_ceiling "$work" "$NGINX_PORT"
"$KW" connector init --key-file "$work/key.pem" >/dev/null

echo "== starting PostgreSQL and MariaDB" >&2
mkdir -p "$work/pg" "$work/maria"
((EUID == 0)) && chown postgres "$work/pg" && chown mysql "$work/maria"
as postgres "$PG_BIN/initdb" -D "$work/pg/data" -U keywarden -A trust --no-sync --no-locale -E UTF8 >/dev/null
as postgres "$PG_BIN/postgres" -D "$work/pg/data" -p "$PG_PORT" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c max_connections=200 >"$work/pg.log" 2>&1 &
pids+=($!)
mariadb-install-db --no-defaults --datadir="$work/maria/data" --user=mysql --skip-test-db \
  --auth-root-authentication-method=socket >/dev/null 2>&1
mariadbd --no-defaults --datadir="$work/maria/data" --socket="$work/maria/sock" --port="$MARIA_PORT" \
  --bind-address=127.0.0.1 --user=mysql --skip-name-resolve --max-connections=500 >"$work/maria.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && mariadb --socket="$work/maria/sock" -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
mariadb --socket="$work/maria/sock" -e "CREATE USER kw@'127.0.0.1' IDENTIFIED BY 'kw'; GRANT ALL ON \`kw%\`.* TO kw@'127.0.0.1'"

database=0
# Prints the [database] table of a new, empty database of kind $1, number $database.
new_database() {
  case $1 in
    sqlite) echo "sqlite_path = \"$work/bench-$database.db\"" ;;
    postgresql)
      "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U keywarden -d postgres -c "CREATE DATABASE kw$database" >&2
      printf 'provider = "postgresql"\npostgresql = "Host=127.0.0.1;Port=%s;Database=kw%s;Username=keywarden;Password=unused"\n' \
        "$PG_PORT" "$database" ;;
    mysql)
      mariadb --socket="$work/maria/sock" -e "CREATE DATABASE kw$database" >&2
      printf 'provider = "mysql"\nmysql = "mysql://kw:kw@127.0.0.1:%s/kw%s"\n' "$MARIA_PORT" "$database" ;;
  esac
}

# `wrk` with CONNECTIONS split over the given ports; prints "requests/s p99-of-the-first requests non-2xx".
run() {  # script script-arg ports...
  local script=$1 arg=$2; shift 2
  local n=$# i=0 outs=() wrks=()
  for port in "$@"; do
    wrk -t$((2 / n)) -c$((CONNECTIONS / n)) -d"${DURATION}s" --latency -s "$script" \
      "http://127.0.0.1:$port/user-keys" -- "$arg" $((2 / n)) >"$work/wrk-$i.out" &
    wrks+=($!) outs+=("$work/wrk-$i.out") i=$((i + 1))
  done
  wait "${wrks[@]}"
  awk '/Requests\/sec/ {r += $2} $1 == "99%" && !p {p = $2} /requests in/ {q += $1} /Non-2xx/ {e += $5}
       END {printf "%.0f %s %d %d\n", r, p, q, e}' "${outs[@]}"
}

rows=()
for kind in sqlite postgresql mysql; do
  for instances in 1 2; do
    # SQLite is one machine's database: several instances are for the server databases.
    [[ $kind == sqlite && $instances == 2 ]] && continue
    database=$((database + 1))
    db=$(new_database "$kind")
    ports=() started=()
    for i in $(seq "$instances"); do
      port=$((BASE_PORT + 10 + i))
      printf 'identity_server_uri = "%s"\nlisten = "127.0.0.1:%s"\n[database]\n%s\n[rsa_key]\nkey_file = "%s"\n[log]\naudit = false\n' \
        "$issuer" "$port" "$db" "$work/key.pem" >"$work/c$i.toml"
      "$KW" connector serve --config "$work/c$i.toml" 2>"$work/c$i.log" &
      started+=($!) ports+=("$port")
      for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
      curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "no connector on $kind:" >&2; cat "$work/c$i.log" >&2; exit 1; }
    done
    echo "== $kind, $instances instance(s)" >&2
    put=$(run bench/connector/put.lua "$work/www/users.txt" "${ports[@]}")
    reuse=$(run bench/connector/tokens.lua "$work/www/users.txt" "${ports[@]}")
    rows+=("$kind $instances put $put" "$kind $instances get-reuse $reuse")
    kill "${started[@]}"; wait "${started[@]}" 2>/dev/null || true
  done
done
nginx_row=$(run bench/connector/tokens.lua "$work/www/users.txt" "$NGINX_PORT")

echo
echo "| database | instances | workload | requests/s | p99 latency | requests | non-2xx |"
echo "|---|---:|---|---:|---:|---:|---:|"
for row in "${rows[@]}" "nginx - get-reuse $nginx_row"; do
  read -r kind n workload rps p99 requests errors <<<"$row"
  echo "| $kind | $n | $workload | $rps | $p99 | $requests | $errors |"
done
