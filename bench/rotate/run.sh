#!/usr/bin/env bash
# Rotation benchmark: `keywarden connector rotate-data-key` over ROWS stored keys on SQLite, or with
# DATABASE=postgresql on a PostgreSQL server started in the temporary folder (initdb + postgres).
#
#   bench/rotate/run.sh [BUILD_DIR]        (default build/release; targets keywarden, keywarden_rotate_fill)
#
# Fills a fresh database in a temporary folder with ROWS (default 1,000,000) users with random ids
# and keys, sealed as the connector seals them (bench/rotate/fill.cc writes them in big
# transactions, not over HTTP), then times the whole `rotate-data-key` process: the new version,
# the re-sealing pass, and the verifying pass over every row. The database is in TMPDIR (give
# one on the disk the connector would use: fsync costs are part of the figure).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
KW=$BUILD/src/keywarden
FILL=$BUILD/bench/keywarden_rotate_fill
ROWS=${ROWS:-1000000}
BATCH=${BATCH:-2000}
[[ -x $KW && -x $FILL ]] || { echo "build $BUILD first (targets keywarden, keywarden_rotate_fill)" >&2; exit 1; }

work=$(mktemp -d)
pg_pid=""
# runuser does not pass signals on: stop the postmaster by its own pid.
trap '[[ -n $pg_pid ]] && kill "$(head -1 "$work/pg/data/postmaster.pid")" && wait "$pg_pid"; rm -rf "$work"' EXIT
"$KW" connector init --key-file "$work/key.pem" >/dev/null
database="sqlite_path = \"$work/connector.db\""
if [[ ${DATABASE:-sqlite} == postgresql ]]; then
  PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
  PG_PORT=${PG_PORT:-18432}
  as() { if ((EUID == 0)); then runuser -u "$1" -- "${@:2}"; else "${@:2}"; fi; }
  chmod 755 "$work" && mkdir "$work/pg" && { ((EUID != 0)) || chown postgres "$work/pg"; }
  as postgres "$PG_BIN/initdb" -D "$work/pg/data" -U keywarden -A trust --no-locale -E UTF8 >/dev/null
  as postgres "$PG_BIN/postgres" -D "$work/pg/data" -p "$PG_PORT" -k "$work/pg" -c listen_addresses=127.0.0.1 \
    >"$work/pg.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 100); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.1; done
  database=$(printf 'provider = "postgresql"\npostgresql = "Host=127.0.0.1;Port=%s;Database=postgres;Username=keywarden;Password=unused"' "$PG_PORT")
fi
cat >"$work/connector.toml" <<CONF
identity_server_uri = "http://127.0.0.1:9"
[database]
$database
[rsa_key]
key_file = "$work/key.pem"
CONF

echo "== filling $ROWS rows" >&2
"$FILL" "$work/connector.toml" "$ROWS" >&2
[[ -f $work/connector.db ]] && echo "== database: $(du -h "$work/connector.db" | cut -f1)" >&2
sync

echo "== keywarden connector rotate-data-key --batch $BATCH" >&2
start=$(date +%s%N)
"$KW" connector rotate-data-key --config "$work/connector.toml" --batch "$BATCH" --quiet >"$work/summary.json"
end=$(date +%s%N)
cat "$work/summary.json"
jq -e --argjson rows "$ROWS" '.failed == 0 and .verified == $rows and .resealed == $rows' "$work/summary.json" >/dev/null ||
  { echo "the rotation did not re-seal and verify every row" >&2; exit 1; }
ms=$(((end - start) / 1000000))
printf 'rotate-data-key: %d rows in %d.%01d s (wall clock, whole process)\n' "$ROWS" $((ms / 1000)) $((ms % 1000 / 100))
