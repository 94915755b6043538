#!/bin/sh
# The policy engine on the region with access control data at region scale (bench/RESULTS.md):
# a release build, varn init, demo --scale region (which brings 200 300 accounts and 500 000
# grants), then bench/engine_eval.c (whose floor also steps the access rows once) and the
# findings per access obligation.
set -eu
cd "$(dirname "$0")/.."
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench varn bench/engine_eval >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
VARN_ADMIN_PASSWORD=bench-password-1234 ./build-bench/varn --db "$dir/b.db" init >/dev/null
VARN_DEMO_PASSWORD=bench-password-1234 ./build-bench/varn --db "$dir/b.db" demo --scale region >/dev/null
./build-bench/bench/engine_eval "$dir/b.db"
VARN_NOW=2026-11-23T08:00:00Z ./build-bench/varn --db "$dir/b.db" check --format json |
    python3 -c '
import collections, json, sys
doc = json.load(sys.stdin)
c = collections.Counter((f["obligation"], f["rule"], f["status"]) for f in doc["findings"]
                        if f["rule"].startswith("access_"))
for (o, r, s), n in sorted(c.items()):
    print("%-12s %-30s %-9s %7d" % (o, r, s, n))
print("access findings", sum(c.values()), "of", len(doc["findings"]))'
