#!/usr/bin/env bash
# Benchmark of the systems list at region scale against /healthz on the same server in the same
# run: release build, init + demo + demo --scale region, varn serve, an API token, then wrk (16
# connections) on the first page of /api/v1/systems, a filtered page, a page deep into the
# cursor, pages of 10 and 1 (what a row costs) and the information list, each paired with
# /healthz (below); prints requests/s, p99 and the cost relative to /healthz (its requests/s
# divided by theirs). Needs wrk (Debian
# package wrk; not in scripts/deps.sh: bench is not part of make test). Not part of make test.
# Then, when valgrind is installed, the instructions per request, which the machine's load does
# not change: the same server under callgrind, 100 requests per URL on one keep-alive connection
# after a warm-up, the counters dumped before and after (callgrind_control).
# Usage: bench/catalog_list.sh [SECONDS] [CONNECTIONS]; VARN_BENCH_ROUNDS=n pairs per URL (3).
# VARN_BENCH_BIN=path/to/varn benches that binary instead of building build-bench (to compare
# two versions on the same machine in the same hour). VARN_BENCH_WRK=0 or VARN_BENCH_CALLGRIND=0
# leaves out that half.
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
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
db=$work/bench.db

"$varn" --db "$db" init >/dev/null 2>&1
"$varn" --db "$db" demo --scale region | grep 'region-scale'
token=$("$varn" --db "$db" token create --org ITC --role administrator --name bench 2>/dev/null)

# Start "$@" varn serve (a prefix such as valgrind, or nothing); sets pid and base.
serve() {
    : >"$work/serve.log"
    "$@" "$varn" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
    pid=$!
    port=
    for _ in $(seq 300); do
        port=$(grep -o '"port":[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2 || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "varn serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
    base=http://127.0.0.1:$port
}
stop() {
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    pid=
}
serve

cat >"$work/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA

get() { curl -sf -H "Authorization: Bearer $token" "$base$1"; }
cursor_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["next_cursor"] or "")'; }

# A page deep into the cursor: follow next_cursor 20 pages from the start.
deep=/api/v1/systems
for _ in $(seq 20); do
    c=$(get "$deep" | cursor_of)
    [ -n "$c" ] || break
    deep="/api/v1/systems?cursor=$c"
done
filtered='/api/v1/systems?lifecycle=production&level=3'
first=/api/v1/systems
printf 'first page: %s items; filtered: %s items; deep: %s\n' \
    "$(get "$first" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" \
    "$(get "$filtered" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" \
    "$(get "$deep" | python3 -c 'import json,sys; d=json.load(sys.stdin)["items"]; print(d[0]["external_id"] + "..." + d[-1]["external_id"])')"

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
label_of() { if [ "$1" = "$deep" ]; then echo "/api/v1/systems?cursor=… (page 21)"; else echo "$1"; fi; }
printf '\n%s, %s cores %s, load %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
urls=("$first" "$filtered" "$deep" "/api/v1/systems?limit=10" "/api/v1/systems?limit=1"
    "/api/v1/information")

# The machine's speed drifts (a shared virtual machine), so /healthz and each list URL are
# measured in pairs, one right after the other, $rounds times; a round's cost is /healthz's
# requests/s divided by the URL's, and the round with the median cost is printed, with the
# lowest and highest cost of all rounds.
rounds=${VARN_BENCH_ROUNDS:-3}
if [ "${VARN_BENCH_WRK:-1}" != 0 ]; then
    printf '\nwrk, %s connections, %s rounds of %s s for /healthz then %s s for the URL\n' \
        "$conns" "$rounds" "$secs" "$secs"
    printf '%-44s %10s %8s %10s %8s %8s %14s\n' "request" "req/s" "p99 ms" "/healthz" "p99 ms" \
        "cost" "all rounds"
    for path in "${urls[@]}"; do
        pairs=
        for _ in $(seq "$rounds"); do
            read -r h_rps _ h_p99 < <(run /healthz)
            read -r rps _ p99 < <(run "$path")
            pairs+="$h_rps $h_p99 $rps $p99"$'\n'
        done
        python3 -c '
import sys
rounds = [[float(v) for v in line.split()] for line in sys.stdin if line.strip()]
costs = sorted((h / u, h, hp, u, up) for h, hp, u, up in rounds)
cost, h, hp, u, up = costs[len(costs) // 2]
print("%-44s %10.0f %8.2f %10.0f %8.2f %7.2fx %6.2f-%.2fx" % (
    sys.argv[1], u, up, h, hp, cost, costs[0][0], costs[-1][0]))
' "$(label_of "$path")" <<<"$pairs"
    done
fi
stop

# N GETs of a path on one keep-alive connection; fails on any status but 200.
requests() {
    python3 - "$port" "$token" "$1" "$2" <<'PY'
import http.client, sys
port, token, path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
for _ in range(n):
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("%s answered %d" % (path, r.status))
PY
}
# The instructions counted since the last dump (callgrind_control -d dumps and zeroes them).
dumped() {
    callgrind_control -d "$pid" >/dev/null 2>&1
    local f
    f=$(ls -t "$work"/cg.out.* | head -1)
    awk '/^(totals|summary):/ { print $2; exit }' "$f"
}

if [ "${VARN_BENCH_CALLGRIND:-1}" != 0 ]; then
    if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
        echo "valgrind is not installed (apt-get install valgrind): no instruction counts" >&2
        exit 0
    fi
    n=100
    serve valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --dump-line=no
    printf '\ncallgrind, instructions per request (%s requests on one connection)\n' "$n"
    printf '%-44s %12s %8s\n' "request" "instructions" "cost"
    # Each worker thread opens its database connection at its first request (some 3 M
    # instructions): open them all before counting, from a few connections.
    for _ in 1 2 3 4; do requests "/api/v1/systems?limit=1" 1; done
    h_ir=
    for path in /healthz "${urls[@]}"; do
        requests "$path" 10
        dumped >/dev/null
        requests "$path" "$n"
        ir=$(($(dumped) / n))
        [ -n "$h_ir" ] || h_ir=$ir
        printf '%-44s %12s %7sx\n' "$(label_of "$path")" "$ir" \
            "$(python3 -c "import sys; print('%.2f' % (int(sys.argv[1]) / int(sys.argv[2])))" "$ir" "$h_ir")"
    done
    stop
fi
