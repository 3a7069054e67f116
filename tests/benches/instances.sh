#!/usr/bin/env bash
# Throughput of one Erbij instance and of two on one PostgreSQL database (issue 19).
#
#   bash tests/benches/instances.sh
#
# Builds the release binary, seeds the demo site into a fresh PostgreSQL database
# (erbij_bench_instances on ERBIJ_BENCH_DATABASE_URL's server, default the local one), and
# measures requests per second with wrk for a mix of reading pages — the home page, a
# practice page, a public thread's page and a search, in turn — as a visitor and as
# signed-in demo members (MEMBERS of them, 8, each request with the next one's cookie):
# with one instance (wrk -t2 -c32 on it), and with two instances on the same database (one
# wrk -t1 -c16 on each: the connections split evenly, as a round-robin load balancer does
# per connection; the figure is the sum). RUNS rounds (2), interleaved: one, two, one, two.
# Each measurement follows a warm-up. Traffic goes to 127.0.0.1 only; the script stops only
# the processes it started, and drops its database at the end.
#
# Needs wrk (apt-get install wrk), psql and curl. DURATION (20s), WARMUP (3s), CONNECTIONS
# (32), RUNS and MEMBERS may be set, and PAGES (paths separated by commas) for another mix. wrk runs on the same machine as the servers and
# PostgreSQL, so on a small machine the figures say what the instances cost each other, not
# how far more machines would take the site.
set -euo pipefail

ADMIN_URL=${ERBIJ_BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-32}
RUNS=${RUNS:-2}
MEMBERS=${MEMBERS:-8}
DB=erbij_bench_instances
URL="${ADMIN_URL%/*}/$DB"
PORTS=(3191 3192)

cd "$(dirname "$0")/../.."
for tool in wrk psql curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done
cargo build --release --quiet
BIN=$PWD/target/release/erbij
WORK=$(mktemp -d)
PIDS=()

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
# Stops the instance started last (instance 1).
stop_one() {
  local pid=${PIDS[-1]}
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}
cleanup() {
  stop_all
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
echo "== seeding the demo site into $DB"
(cd "$WORK" && DATABASE_URL=$URL ERBIJ_DATA_DIR=$WORK/seed RUST_LOG=warn "$BIN" seed demo) >/dev/null
# Statistics for the planner now, not whenever autovacuum comes by during a measurement.
psql "$URL" -qc "VACUUM ANALYZE"

# Starts instance number $1 (0 or 1) on its port, with its own folder.
start() {
  local port=${PORTS[$1]} dir=$WORK/instance-$1
  mkdir -p "$dir"
  (cd "$dir" && DATABASE_URL=$URL ERBIJ_DATA_DIR=$dir ERBIJ_BIND=127.0.0.1:$port \
    ERBIJ_BASE_URL=http://127.0.0.1:$port RUST_LOG=warn exec "$BIN" serve) \
    >"$dir/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "instance $1 did not come up:" >&2
  cat "$dir/log" >&2
  exit 1
}

# The pages: home, a practice, the public thread with the most posts (page 1), a search.
query() { psql "$URL" -tAc "$1"; }
THREAD=$(query "SELECT t.id FROM threads t JOIN posts p ON p.thread_id = t.id
  WHERE t.visibility = 'public' GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1")
PRACTICE=$(query "SELECT slug FROM practices WHERE kind = 'practice' AND NOT archived
  ORDER BY position LIMIT 1")
MEMBER_EMAILS=$(query "SELECT email FROM users WHERE NOT is_admin AND NOT disabled
  AND deleted_at IS NULL AND password_hash IS NOT NULL ORDER BY id LIMIT $MEMBERS")
PATHS=${PAGES:-"/,/praktijken/$PRACTICE,/onderwerpen/$THREAD,/zoeken?q=eenzaamheid"}

cat >"$WORK/mix.lua" <<'LUA'
-- Each request the next page of the mix, as a browser asks for it (compressed), with a
-- member's cookie when there are any.
local paths = {}
for p in string.gmatch(os.getenv("PATHS"), "[^,]+") do paths[#paths + 1] = p end
local headers = { ["Accept-Encoding"] = "gzip, br", ["Accept-Language"] = "nl" }
local cookies = {}
for c in string.gmatch(os.getenv("COOKIES") or "", "[^|]+") do cookies[#cookies + 1] = c end
local n = 0
request = function()
  n = n + 1
  -- Each member asks for the four pages in turn, then the next member.
  if #cookies > 0 then headers["Cookie"] = cookies[(math.floor(n / #paths) % #cookies) + 1] end
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end
LUA

# The demo members sign in once (sessions are in the database: valid on both instances).
start 0
MEMBER_COOKIES=""
for MEMBER in $MEMBER_EMAILS; do
  JAR=$WORK/jar-$MEMBER
  curl -s -c "$JAR" -o /dev/null "http://127.0.0.1:${PORTS[0]}/inloggen"
  TOKEN=$(awk '$6 == "erbij_csrf" { print $7 }' "$JAR")
  STATUS=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=$MEMBER" \
    --data-urlencode "password=demo-wachtwoord-erbij" "http://127.0.0.1:${PORTS[0]}/inloggen")
  [ "$STATUS" = 303 ] || { echo "signing in $MEMBER failed ($STATUS)" >&2; exit 1; }
  COOKIE=$(awk '$6 ~ /^erbij_/ { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$JAR")
  MEMBER_COOKIES=${MEMBER_COOKIES:+$MEMBER_COOKIES|}$COOKIE
done

# Runs wrk on each of the given instance numbers at once, the connections split evenly;
# prints the summed requests per second, the non-2xx/3xx answers and socket errors.
measure() {
  local who=$1 cookie=$2; shift 2
  local n=$# threads=$((2 / $#)) conns=$((CONNECTIONS / $#)) i running=()
  for i in "$@"; do
    PATHS=$PATHS COOKIES=$cookie wrk -t"$threads" -c"$conns" -d"$WARMUP" -s "$WORK/mix.lua" \
      "http://127.0.0.1:${PORTS[$i]}" >/dev/null &
    running+=($!)
  done
  wait "${running[@]}"
  running=()
  for i in "$@"; do
    PATHS=$PATHS COOKIES=$cookie wrk -t"$threads" -c"$conns" -d"$DURATION" --latency \
      -s "$WORK/mix.lua" "http://127.0.0.1:${PORTS[$i]}" >"$WORK/wrk-$who-$n-$RUN-$i.txt" &
    running+=($!)
  done
  wait "${running[@]}"
  awk -v who="$who" -v n="$n" -v run="$RUN" '
    /Requests\/sec/ { rps += $2 }
    /Non-2xx/ { bad += $NF }
    /Socket errors/ { errors = errors $0 }
    / 50%/ { p50 = p50 (p50 ? "/" : "") $2 }
    / 99%/ { p99 = p99 (p99 ? "/" : "") $2 }
    END { printf "| %s | %d | %d | %.0f | %s | %s | %d | %s |\n", who, n, run, rps, p50, p99, bad, errors ? errors : "none" }
  ' "$WORK"/wrk-"$who"-"$n"-"$RUN"-*.txt
}

echo "== pages: $PATHS; $(echo $MEMBER_EMAILS | wc -w) members"
echo "== wrk, $CONNECTIONS connections in all, $DURATION after a $WARMUP warm-up; $(nproc) cores"
echo "| who | instances | run | req/s | p50 | p99 | non-2xx/3xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for RUN in $(seq "$RUNS"); do
  measure visitor "" 0
  measure member "$MEMBER_COOKIES" 0
  start 1
  measure visitor "" 0 1
  measure member "$MEMBER_COOKIES" 0 1
  stop_one
done
stop_all
