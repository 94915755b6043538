#!/usr/bin/env bash
# Benchmark of reading risks at region scale against /healthz on the same server in the same
# run, as bench/catalog_list.sh does for systems: release build, init + demo + demo --scale
# region (which adds the risk assessments, risks and measures of the risk module), varn serve,
# an administrator's API token for the IT centre, then wrk (16 connections, 10 s each) on
# /healthz, one risk (GET /api/v1/risks/{id}), the first page of /api/v1/risks and a page of 10;
# prints requests/s, p50, p99 and the cost relative to /healthz (its requests/s divided by
# theirs). Needs wrk (Debian package wrk; not in scripts/deps.sh) and the risk module's API.
# Not part of make test.
# Usage: bench/risk_read.sh [SECONDS] [CONNECTIONS]
# VARN_BENCH_BIN=path/to/varn benches that binary instead of building build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
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
"$varn" --db "$db" demo --scale region | grep 'region-scale'
token=$("$varn" --db "$db" token create --org ITC --role administrator --name bench 2>/dev/null)

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

cat >"$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA

get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }

list=/api/v1/risks
if ! page=$(get "$list"); then
    echo "GET $list failed: this binary has no risk API yet (the risk module's routes)" >&2
    exit 1
fi
# One risk from the middle of the first page: its id as the list gives it.
id=$(python3 -c 'import json, sys
items = json.load(sys.stdin)["items"]
if not items:
    sys.exit("the demo made no risks: varn demo --scale region must add them")
print(items[len(items) // 2]["id"])' <<<"$page")
one=/api/v1/risks/$id
get "$one" >/dev/null || { echo "GET $one failed" >&2; exit 1; }
printf 'risks on the first page: %s; one risk: %s (%s bytes)\n' \
    "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' <<<"$page")" \
    "$one" "$(get "$one" | wc -c)"

# wrk's "Requests/sec" and the 50% and 99% lines of --latency, in milliseconds.
run() {
    local out
    out=$(wrk -t 2 -c "$conns" -d "${secs}s" --latency -s "$work/auth.lua" "$base$1")
    awk 'function ms(v) {
             if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
             if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
             if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
             return v }
         /^Requests\/sec:/ { rps = $2 }
         $1 == "50%" { p50 = ms($2) }
         $1 == "99%" { p99 = ms($2) }
         END { printf "%s %.2f %.2f\n", rps, p50, p99 }' <<<"$out"
}

row() { printf '%-44s %10s %8s %8s %8s\n' "$@"; }
printf '\n%s, %s connections, %s s each, %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$conns" "$secs" \
    "$(nproc) cores $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
row "request" "req/s" "p50 ms" "p99 ms" "cost"
read -r h_rps h_p50 h_p99 < <(run /healthz)
row /healthz "$h_rps" "$h_p50" "$h_p99" "1.00x"
for path in "$one" "$list" "$list?limit=10"; do
    read -r rps p50 p99 < <(run "$path")
    ratio=$(python3 -c "import sys; print('%.2fx' % (float(sys.argv[1]) / float(sys.argv[2])))" "$h_rps" "$rps")
    label=$path
    [ "$path" = "$one" ] && label="/api/v1/risks/{id}"
    row "$label" "$rps" "$p50" "$p99" "$ratio"
done
