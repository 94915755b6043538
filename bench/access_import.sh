#!/usr/bin/env bash
# Benchmark of the accounts-and-grants CSV import (src/access/access_import.c through
# access_snapshot_apply) at region scale: release build, init + demo --scale region (2 000
# systems), 20 000 people imported, then a generated grants file of 200 000 accounts (100 per
# system, one in ten tied to no person) with 500 000 grants, timed three ways: the first import
# (everything new), the same file again (nothing changes) and a changed file (one account in a
# hundred gone, one grant row in seven renamed). Prints each run's wall-clock and CPU time.
# Not part of make test.
# Usage: bench/access_import.sh
# VARN_BENCH_BIN=path/to/varn benches that binary instead of building build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
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
trap 'rm -rf "$work"' EXIT
db=$work/bench.db
"$varn" --db "$db" init >/dev/null 2>&1
"$varn" --db "$db" demo --scale region | grep 'region-scale'
python3 - "$work" "$db" <<'PY'
import sqlite3, sys
work, db = sys.argv[1], sys.argv[2]
orgs = ["NORRBY", "SODERAS", "VASTERFJALL"]
with open(work + "/people.csv", "w") as f:
    f.write("user_id,name,email,organisation,manager_user_id,employment_start,employment_end,"
            "privileged\n")
    for i in range(20000):
        f.write("p%05d,Person %d,p%05d@example.org,%s,,,,nej\n" % (i, i, i, orgs[i % 3]))
systems = [r[0] for r in sqlite3.connect(db).execute("SELECT external_id FROM system ORDER BY id")]
head = ("system,username,user_id,shared,privileged,mfa_enrolled,last_login,status,entitlement,"
        "granted_at\n")
with open(work + "/grants.csv", "w") as a, open(work + "/grants2.csv", "w") as b:
    a.write(head)
    b.write(head)
    n = 0
    for si, s in enumerate(systems):
        for k in range(100):
            uid = "p%05d" % ((si * 100 + k) % 20000) if k % 10 else ""
            user = "u%05d_%d" % ((si * 100 + k) % 20000, k)
            for g in range(2 if (si * 100 + k) % 2 == 0 else 3):
                n += 1
                row = [s, user, uid, "ja" if not uid else "nej", "ja" if k % 7 == 0 else "nej",
                       "ja" if k % 3 else "nej", "2026-11-0%dT08:00:00Z" % (1 + k % 9), "active",
                       "Roll %d" % ((k + g) % 12), "2025-01-15"]
                a.write(",".join(row) + "\n")
                if k == 5:
                    continue
                if n % 7 == 0:
                    row[8] += "b"
                b.write(",".join(row) + "\n")
PY
"$varn" --db "$db" import people "$work/people.csv"
wc -l <"$work/grants.csv" | awk '{print "grant rows:", $1 - 1}'
for f in grants grants grants2; do
    /usr/bin/time -f "  %e s wall, %U s user, %S s system, %M KiB" \
        "$varn" --db "$db" import grants "$work/$f.csv"
done
