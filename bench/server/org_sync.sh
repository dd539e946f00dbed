#!/usr/bin/env bash
# Organisation sync benchmark (issue 15): GET /api/sync for a member of an organisation with
# COLLECTIONS collections and ITEMS organisation items, of which the member is assigned
# ASSIGNED collections (so sees ITEMS * ASSIGNED / COLLECTIONS items), against nginx serving the
# same answer in the same run, as bench/server/run.sh does for a personal vault.
#
#   bench/server/org_sync.sh [BUILD_DIR]   (default build/release; needs wrk, nginx, curl, sqlite3)
#   Environment: COLLECTIONS (100), ASSIGNED (20), ITEMS (10000), DURATION in s (10), ROUNDS (2).
#
# The organisation is written straight into the server's SQLite file (the organisation routes are
# not what is measured): one organisation, the vault account a confirmed user, a direct grant on
# ASSIGNED collections, item i in collection i % COLLECTIONS. The sync runs a fixed number of
# statements whatever these counts (vault/organization_cipher_store.h): the account, two-factor
# providers, folders, the member's collections, personal items, organisation items.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
KW=$BUILD/src/keywarden
FILL=$BUILD/bench/keywarden_server_fill
COLLECTIONS=${COLLECTIONS:-100}
ASSIGNED=${ASSIGNED:-20}
ITEMS=${ITEMS:-10000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
NGINX_PORT=${NGINX_PORT:-18092}
SERVER_PORT=${SERVER_PORT:-18093}
for tool in wrk nginx curl sqlite3; do command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup)" >&2; exit 1; }; done
[[ -x $KW && -x $FILL ]] || { echo "build $BUILD first (targets keywarden, keywarden_server_fill)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$KW" server init --key-file "$work/signing-key.pem" >/dev/null
cat >"$work/server.toml" <<CONF
public_url = "http://127.0.0.1:$SERVER_PORT"
listen = "127.0.0.1:$SERVER_PORT"
[database]
sqlite_path = "$work/server.db"
[signing_key]
key_file = "$work/signing-key.pem"
[tokens]
access_token_seconds = 86400
CONF
"$KW" server serve --config "$work/server.toml" 2>"$work/server.log" &
server_pid=$!
base="http://127.0.0.1:$SERVER_PORT"
for _ in $(seq 100); do curl -sf "$base/alive" >/dev/null && break; sleep 0.1; done
curl -sf "$base/alive" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
"$FILL" "$SERVER_PORT" "$work/data" 0 1 0

echo "== organisation: $COLLECTIONS collections, $ITEMS items, the member assigned $ASSIGNED collections" >&2
# A secure note's payload as the server stores it, with well-formed EncStrings.
enc="2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
data="{\"name\":\"$enc\",\"notes\":\"$enc\",\"key\":null,\"secureNote\":{\"type\":0},\"fields\":null,\"passwordHistory\":null}"
sqlite3 "$work/server.db" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
BEGIN;
INSERT INTO organizations(id, name, billing_email, public_key, private_key, enabled, creation_date, revision_date)
  VALUES ('00000000-0000-4000-8000-000000000001', 'Bench', 'b@bench.example', 'cA==', '$enc', 1, 1, 1);
INSERT INTO organization_users(id, organization_id, user_id, type, status, member_key, creation_date, revision_date)
  SELECT '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', id, 2, 2, '4.a2V5', 1, 1
  FROM users WHERE email = 'vault@bench.example';
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $COLLECTIONS)
INSERT INTO collections(id, organization_id, name, type, creation_date, revision_date)
  SELECT printf('00000000-0000-4000-8001-%012d', i), '00000000-0000-4000-8000-000000000001', '$enc', 0, i, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ASSIGNED)
INSERT INTO collection_users(collection_id, organization_user_id, read_only, hide_passwords, manage)
  SELECT printf('00000000-0000-4000-8001-%012d', i), '00000000-0000-4000-8000-000000000002', 0, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ITEMS)
INSERT INTO ciphers(id, organization_id, type, data, favorite, reprompt, creation_date, revision_date)
  SELECT printf('00000000-0000-4000-8002-%012d', i), '00000000-0000-4000-8000-000000000001', 2, '$data', 0, 0,
         1000 + i, 1000 + i FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ITEMS)
INSERT INTO collection_ciphers(collection_id, cipher_id)
  SELECT printf('00000000-0000-4000-8001-%012d', i % $COLLECTIONS), printf('00000000-0000-4000-8002-%012d', i) FROM n;
COMMIT;
ANALYZE;
SQL

mkdir -p "$work/www" "$work/nginx"
sync_path="/api/sync?excludeDomains=true"
tok=$work/data/vault.token
curl -sf -H "Authorization: Bearer $(cat "$tok")" "$base$sync_path" -o "$work/www/sync.json"
sync_bytes=$(stat -c %s "$work/www/sync.json")
seen=$(grep -o '"organizationUseTotp":true' "$work/www/sync.json" | wc -l)
collections=$(grep -o '"object":"collectionDetails"' "$work/www/sync.json" | wc -l)
echo "== the member's sync: $seen organisation items, $collections collections, $sync_bytes bytes" >&2
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /api/sync { default_type application/json; alias $work/www/sync.json; }
  }
}
CONF
chmod 755 "$work" && chmod -R a+rX "$work/www"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"

# wrk_run NAME BASE_URL: requests/s and p99 of 16 connections for DURATION seconds.
wrk_run() {
  local out
  out=$(wrk -t2 -c16 -d"${DURATION}s" --timeout 30s --latency -s bench/server/api.lua \
    "$2$sync_path" -- GET "$sync_path" - "$tok" - 2)
  awk -v n="$1" '/Requests\/sec/ {rps = $2} $1 == "99%" {p99 = $2} /Non-2xx/ {bad = $5}
    END {printf "%-14s %10s %10s %6d\n", n, rps, p99, bad}' <<<"$out"
}
printf "%-14s %10s %10s %6s\n" run "req/s" p99 non2xx
for round in $(seq "$ROUNDS"); do
  server_row=$(wrk_run "sync-$round" "$base")
  nginx_row=$(wrk_run "nginx-sync-$round" "http://127.0.0.1:$NGINX_PORT")
  echo "$server_row"
  echo "$nginx_row"
  awk -v s="$(awk '{print $2}' <<<"$server_row")" -v n="$(awk '{print $2}' <<<"$nginx_row")" \
    'BEGIN {printf "ratio-%s        %.3f\n", "'"$round"'", s / n}'
done
curl -sf -H "Authorization: Bearer $(cat "$tok")" "$base$sync_path" | cmp -s - "$work/www/sync.json" ||
  echo "warning: the sync answer changed during the run" >&2
