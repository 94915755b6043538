#!/usr/bin/env bash
# Benchmark of starting an access review campaign at region scale (bench/RESULTS.md): release
# build, init + demo --scale region (500 000 grants of the region's staff), the first R-SYS
# systems that hold at least 100 000 active grants, then POST /api/v1/access-reviews over them
# as the IT centre's CISO (an API token), timed with curl, next to two floors from the same run
# on a copy of the same database: sqlite3 copying the same grants into a plain table (INSERT
# INTO t SELECT ... FROM access_grant), and sqlite3 inserting them as items of a new campaign
# into access_review_item itself (its indexes, the reviewer the system's owner), in one
# transaction. Each is run REPS times (a new campaign each time); prints the medians, the
# ratios and the machine. Target: the POST under 2 s. Not part of make test.
# Usage: bench/access_review.sh [REPS] [GRANTS]
# VARN_BENCH_BIN=path/to/varn benches that binary instead of building build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
want=${2:-100000}
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed: apt-get install sqlite3" >&2; exit 1; }
build=build-bench
varn=${VARN_BENCH_BIN:-}
if [ -z "$varn" ]; then
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" -Dbuildtype=release >/dev/null
    fi
    ninja -C "$build" varn >/dev/null
    varn=$build/varn
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
db=$work/bench.db

"$varn" --db "$db" init >/dev/null 2>&1
VARN_DEMO_PASSWORD=bench-password-1234 "$varn" --db "$db" demo --scale region | grep 'region-scale'
token=$("$varn" --db "$db" token create --org ITC --role ciso --name bench 2>/dev/null)

# The first R-SYS systems, in order, until their active grants reach the wanted number.
sqlite3 "$db" "SELECT s.external_id, s.id, count(g.id) FROM system s JOIN access_grant g
               ON g.system_id = s.id AND g.revoked_at IS NULL
               WHERE s.external_id LIKE 'R-SYS-%' GROUP BY s.id ORDER BY s.id" |
    awk -F'|' -v want="$want" 'n < want { print; n += $3 }' >"$work/systems"
grants=$(awk -F'|' '{ n += $3 } END { print n }' "$work/systems")
nsys=$(wc -l <"$work/systems")
ids=$(cut -d'|' -f2 "$work/systems" | paste -sd, -)
python3 - "$work/systems" >"$work/body.json" <<'PY'
import json, sys
systems = [line.split("|")[0] for line in open(sys.argv[1]) if line.strip()]
print(json.dumps({"title": "Benchmark", "due_on": "2099-12-31", "systems": systems}))
PY
printf 'campaign: %s systems, %s active grants\n' "$nsys" "$grants"

# The floors, on a copy taken before the server writes anything.
cp "$db" "$work/floor.db"
floor() {
    sqlite3 "$work/floor.db" <<SQL | awk '/^Run Time:/ { print $4 }' | tail -1
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS t (grant_id INTEGER, system_id INTEGER, organisation_id INTEGER);
DELETE FROM t;
.timer on
$1
.timer off
SQL
}
plain="INSERT INTO t SELECT id, system_id, organisation_id FROM access_grant
       WHERE system_id IN ($ids) AND revoked_at IS NULL;"
items="BEGIN;
INSERT INTO access_review (organisation_id, title, due_on, status, started_at, updated_at)
  SELECT id, 'floor', '2099-12-31', 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
  FROM organisation WHERE code = 'ITC';
INSERT INTO access_review_item (review_id, grant_id, system_id, organisation_id, reviewer_id)
  SELECT (SELECT max(id) FROM access_review), g.id, g.system_id, g.organisation_id, s.owner_id
  FROM access_grant g JOIN system s ON s.id = g.system_id
  WHERE g.system_id IN ($ids) AND g.revoked_at IS NULL;
COMMIT;"
# One statement per timer line: the items floor is the sum of its statements.
floor_items() {
    sqlite3 "$work/floor.db" <<SQL | awk '/^Run Time:/ { s += $4 } END { printf "%.3f\n", s }'
PRAGMA foreign_keys = ON;
.timer on
$items
.timer off
SQL
}

"$varn" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
port=
for _ in $(seq 50); do
    port=$(grep -o '"port":[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "varn serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
base=http://127.0.0.1:$port

post() {
    curl -s -o "$work/resp.json" -w '%{http_code} %{time_total}\n' -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary @"$work/body.json" "$base/api/v1/access-reviews"
}

api=() plainf=() itemsf=()
for i in $(seq "$reps"); do
    read -r code secs < <(post)
    if [ "$code" != 201 ]; then
        echo "POST /api/v1/access-reviews answered $code (the access-workflow API?):" >&2
        head -c 600 "$work/resp.json" >&2
        exit 1
    fi
    api+=("$secs")
    plainf+=("$(floor "$plain")")
    itemsf+=("$(floor_items)")
done
made=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("items"))' \
    "$work/resp.json")
[ "$made" = "$grants" ] || echo "warning: the campaign has $made items, not $grants" >&2

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }
m_api=$(median "${api[@]}")
m_plain=$(median "${plainf[@]}")
m_items=$(median "${itemsf[@]}")
printf '\n%s, %s runs each, %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$reps" \
    "$(nproc) cores $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-58s %10s %16s\n' "step ($grants grants, $nsys systems)" "median s" "range s"
printf '%-58s %10s %16s\n' "POST /api/v1/access-reviews (201, $made items)" "$m_api" "$(range "${api[@]}")"
printf '%-58s %10s %16s\n' "floor: sqlite3 INSERT INTO t SELECT ... FROM access_grant" "$m_plain" "$(range "${plainf[@]}")"
printf '%-58s %10s %16s\n' "floor: sqlite3 the same into access_review_item" "$m_items" "$(range "${itemsf[@]}")"
python3 -c 'import sys; a, p, i = map(float, sys.argv[1:]); print("ratio: %.1fx the plain floor, %.1fx the items floor; target < 2 s: %s" % (a / p, a / i, "met" if a < 2 else "NOT met"))' \
    "$m_api" "$m_plain" "$m_items"
