#!/usr/bin/env bash
# Connector benchmark: wrk against `keywarden connector serve` on SQLite, and, in the same run,
# against nginx serving a static JSON file of the same size (the ceiling on this machine).
#
#   bench/connector/run.sh [BUILD_DIR]        (default build/release; needs wrk and nginx)
#   Environment: USERS (5000), NEW_TOKENS (300000), DURATION in s (10), CONNECTIONS (64),
#   CONNECTOR_THREADS (0: one I/O thread per core).
#
# Workloads, 64 connections each:
#   put      PUT /user-keys for USERS users (durable commits; fills the database)
#   new      GET /user-keys, every request with a token never seen before
#   reuse    GET /user-keys, USERS users reusing their tokens
#   nginx    GET of a static file of the same size as the connector's answer (plain wrk)
#   nginx-new, nginx-reuse
#            the same static file fetched with the same wrk script and tokens as `new` and
#            `reuse`: the client does identical work, so these are the like-for-like ceilings
# Then the connector's resident memory after at least a million requests.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/connector/nginx_ceiling.sh
BUILD=${1:-build/release}
KW=$BUILD/src/keywarden
MINT=$BUILD/bench/keywarden_mint_tokens
USERS=${USERS:-5000}
NEW_TOKENS=${NEW_TOKENS:-300000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
CONNECTOR_THREADS=${CONNECTOR_THREADS:-0}   # the connector's [limits] threads (0: one per core)
THREADS=2
NGINX_PORT=${NGINX_PORT:-18080}
CONNECTOR_PORT=${CONNECTOR_PORT:-18081}
for tool in wrk nginx; do command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup)" >&2; exit 1; }; done
[[ -x $KW && -x $MINT ]] || { echo "build $BUILD first (targets keywarden, keywarden_mint_tokens)" >&2; exit 1; }

work=$(mktemp -d)
connector_pid=""
cleanup() {
  [[ -n $connector_pid ]] && kill "$connector_pid" 2>/dev/null && wait "$connector_pid" 2>/dev/null
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== preparing: issuer key, $USERS users, $NEW_TOKENS fresh tokens" >&2
issuer="http://127.0.0.1:$NGINX_PORT"
"$MINT" "$work/www" "$issuer" "$USERS" "$NEW_TOKENS" >&2
start_nginx_ceiling "$work" "$NGINX_PORT"

"$KW" connector init --key-file "$work/key.pem" >/dev/null
cat >"$work/connector.toml" <<CONF
identity_server_uri = "$issuer"
listen = "127.0.0.1:$CONNECTOR_PORT"
[database]
sqlite_path = "$work/connector.db"
[rsa_key]
key_file = "$work/key.pem"
[limits]
threads = $CONNECTOR_THREADS
CONF
"$KW" connector serve --config "$work/connector.toml" 2>"$work/connector.log" &
connector_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$CONNECTOR_PORT/alive" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$CONNECTOR_PORT/alive" >/dev/null || { echo "the connector did not start:" >&2; cat "$work/connector.log" >&2; exit 1; }

total_requests=0
run() {  # name url [script script-args...]
  local name=$1 url=$2; shift 2
  local out script=()
  if (($# > 0)); then script=(-s "$1"); shift; fi
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" "$url" -- "$@")
  local rps p99 requests errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$name $rps $p99 $requests ${errors:-0}"
}

echo "== wrk: ${DURATION}s per workload, $CONNECTIONS connections, $THREADS threads" >&2
put=$(run put "http://127.0.0.1:$CONNECTOR_PORT/user-keys" bench/connector/put.lua "$work/www/users.txt" "$THREADS")
new=$(run new "http://127.0.0.1:$CONNECTOR_PORT/user-keys" bench/connector/tokens.lua "$work/www/new_tokens.txt" "$THREADS")
reuse=$(run reuse "http://127.0.0.1:$CONNECTOR_PORT/user-keys" bench/connector/tokens.lua "$work/www/users.txt" "$THREADS")
nginx_row=$(run nginx "http://127.0.0.1:$NGINX_PORT/key.json")
nginx_new=$(run nginx-new "http://127.0.0.1:$NGINX_PORT/user-keys" bench/connector/tokens.lua "$work/www/new_tokens.txt" "$THREADS")
nginx_reuse=$(run nginx-reuse "http://127.0.0.1:$NGINX_PORT/user-keys" bench/connector/tokens.lua "$work/www/users.txt" "$THREADS")
total=$(awk '{s += $4} END {print s}' <<<"$put
$new
$reuse")
# Keep the reuse workload going until the connector has served a million requests.
while ((total < 1000000)); do
  more=$(run reuse "http://127.0.0.1:$CONNECTOR_PORT/user-keys" bench/connector/tokens.lua "$work/www/users.txt" "$THREADS")
  total=$((total + $(awk '{print $4}' <<<"$more")))
done
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$connector_pid/status")
commits=$(curl -s "http://127.0.0.1:$CONNECTOR_PORT/metrics" | awk '/^keywarden_user_keys_stored/ {print $2}')

nginx_rps=$(awk '{print $2}' <<<"$nginx_row")
nginx_new_rps=$(awk '{print $2}' <<<"$nginx_new")
nginx_reuse_rps=$(awk '{print $2}' <<<"$nginx_reuse")
echo
echo "| workload | requests/s | vs nginx | vs nginx, same wrk script | p99 latency | requests | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for row in "$put" "$new" "$reuse" "$nginx_row" "$nginx_new" "$nginx_reuse"; do
  read -r name rps p99 requests errors <<<"$row"
  same=$nginx_rps
  case $name in new | nginx-new) same=$nginx_new_rps ;; reuse | nginx-reuse) same=$nginx_reuse_rps ;; esac
  awk -v n="$name" -v r="$rps" -v g="$nginx_rps" -v s="$same" -v p="$p99" -v q="$requests" -v e="$errors" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n", n, r, r / g, r / s, p, q, e }'
done
echo
echo "connector resident memory after $total requests: $((rss_kb / 1024)) MiB; keys stored: $commits"
