#!/usr/bin/env bash
# Benchmark of varn import grants at region scale against floors from the same run
# (bench/RESULTS.md): release build, init + demo --scale region, whose 500 000 grants of 200 300
# accounts on the region's 2 000 systems are written out as a grants CSV (the columns of
# docs/import.md, one row per grant: the staff's real user ids, shares and dates) and then
# removed from a copy of the database, which every run starts from. Timed, REPS times each:
#   - varn import grants FILE on that copy (everything new: accounts, entitlements, grants);
#   - floor 1: sqlite3's .import of the same CSV into a plain table (reading the file);
#   - floor 2: floor 1, then the same rows into the real tables set-based (entitlement, account,
#     access_grant with their indexes and foreign keys, one transaction): what any import of
#     this file into this schema must at least do;
# and once each: the same file imported again (nothing changes) and a changed file (every
# hundredth account gone, one grant row in seven for another entitlement). Prints the medians,
# the ratios and the machine. Target: the import under 10 s. Not part of make test.
# Usage: bench/access_import.sh [REPS]
# VARN_BENCH_BIN=path/to/varn benches that binary instead of building build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
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
trap 'rm -rf "$work"' EXIT
db=$work/region.db
base=$work/base.db
csv=$work/grants.csv

"$varn" --db "$db" init >/dev/null 2>&1
VARN_DEMO_PASSWORD=bench-password-1234 "$varn" --db "$db" demo --scale region | grep 'region-scale'

# The region's grants as a system would export them.
region="SELECT id FROM system WHERE external_id LIKE 'R-SYS-%'"
sqlite3 -csv -header "$db" >"$csv" <<SQL
SELECT s.external_id AS system, a.username, coalesce(p.user_id, '') AS user_id,
       CASE a.shared WHEN 1 THEN 'ja' ELSE 'nej' END AS shared,
       CASE a.privileged WHEN 1 THEN 'ja' ELSE 'nej' END AS privileged,
       CASE a.mfa_enrolled WHEN 1 THEN 'ja' ELSE 'nej' END AS mfa_enrolled,
       coalesce(a.last_login, '') AS last_login, a.status, e.name AS entitlement, g.granted_at
FROM access_grant g JOIN account a ON a.id = g.account_id JOIN system s ON s.id = g.system_id
JOIN entitlement e ON e.id = g.entitlement_id LEFT JOIN person p ON p.id = a.person_id
WHERE g.system_id IN ($region) AND g.revoked_at IS NULL ORDER BY s.id, a.username, e.name;
SQL
rows=$(($(wc -l <"$csv") - 1))
python3 - "$csv" "$work/changed.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r, w = csv.reader(f), csv.writer(g)
    w.writerow(next(r))
    accounts = {}
    for n, row in enumerate(r):
        a = accounts.setdefault((row[0], row[1]), len(accounts))
        if a % 100 == 0:
            continue
        if n % 7 == 0:
            row[8] += " (ny)"
        w.writerow(row)
PY
printf 'grants file: %s rows, %s MiB\n' "$rows" "$(du -m "$csv" | cut -f1)"

# The region without its accounts, entitlements and grants (the small demo's stay).
cp "$db" "$base"
sqlite3 "$base" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
DELETE FROM access_grant WHERE system_id IN ($region);
DELETE FROM account WHERE system_id IN ($region);
DELETE FROM entitlement WHERE system_id IN ($region);
COMMIT;
VACUUM;
SQL

seconds() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }
elapsed() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$@"; }

staging="CREATE TABLE staging (system TEXT, username TEXT, user_id TEXT, shared TEXT,
  privileged TEXT, mfa_enrolled TEXT, last_login TEXT, status TEXT, entitlement TEXT,
  granted_at TEXT);"
apply="PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO entitlement (system_id, name, privileged, created_at)
  SELECT DISTINCT s.id, t.entitlement, 0, '2026-01-01T00:00:00Z'
  FROM staging t JOIN system s ON s.external_id = t.system;
INSERT INTO account (system_id, organisation_id, username, person_id, shared, privileged,
  mfa_enrolled, last_login, status, source, created_at, updated_at)
  SELECT s.id, coalesce(p.organisation_id, s.organisation_id), t.username, p.id,
  t.shared = 'ja', t.privileged = 'ja', t.mfa_enrolled = 'ja', nullif(t.last_login, ''),
  t.status, 'csv', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
  FROM staging t JOIN system s ON s.external_id = t.system
  LEFT JOIN person p ON p.user_id = nullif(t.user_id, '')
  GROUP BY s.id, t.username;
INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id, granted_at,
  source)
  SELECT a.id, e.id, s.id, a.organisation_id, t.granted_at, 'csv'
  FROM staging t JOIN system s ON s.external_id = t.system
  JOIN account a ON a.system_id = s.id AND a.username = t.username
  JOIN entitlement e ON e.system_id = s.id AND e.name = t.entitlement;
COMMIT;"

imp=() f1=() f2=()
for i in $(seq "$reps"); do
    cp "$base" "$work/run.db"
    t0=$(seconds)
    out=$("$varn" --db "$work/run.db" import grants "$csv")
    t1=$(seconds)
    imp+=("$(elapsed "$t0" "$t1")")
    [ "$i" = 1 ] && echo "varn import grants: $out"

    cp "$base" "$work/floor.db"
    t0=$(seconds)
    sqlite3 "$work/floor.db" "$staging" ".import --csv --skip 1 $csv staging"
    t1=$(seconds)
    sqlite3 "$work/floor.db" "$apply"
    t2=$(seconds)
    f1+=("$(elapsed "$t0" "$t1")")
    f2+=("$(elapsed "$t0" "$t2")")
done
made=$(sqlite3 "$work/floor.db" "SELECT count(*) FROM access_grant WHERE system_id IN ($region)")
[ "$made" = "$rows" ] || echo "warning: floor 2 made $made grants, not $rows" >&2
t0=$(seconds)
again=$("$varn" --db "$work/run.db" import grants "$csv")
t1=$(seconds)
changed=$("$varn" --db "$work/run.db" import grants "$work/changed.csv")
t2=$(seconds)

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
m_imp=$(median "${imp[@]}")
m_f1=$(median "${f1[@]}")
m_f2=$(median "${f2[@]}")
printf '\n%s, %s runs each, %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$reps" \
    "$(nproc) cores $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
row() { printf '%-62s %9s %14s\n' "$@"; }
row "step ($rows grant rows)" "median s" "range s"
row "varn import grants (all new)" "$m_imp" "$(range "${imp[@]}")"
row "floor 1: sqlite3 .import of the CSV into a plain table" "$m_f1" "$(range "${f1[@]}")"
row "floor 2: floor 1 + set-based into entitlement/account/grant" "$m_f2" "$(range "${f2[@]}")"
row "varn import grants, the same file again (once)" "$(elapsed "$t0" "$t1")" ""
echo "  ($again)"
row "varn import grants, a changed file (once)" "$(elapsed "$t1" "$t2")" ""
echo "  ($changed)"
python3 -c 'import sys; i, a, b = map(float, sys.argv[1:]); print("ratio: %.1fx floor 1, %.1fx floor 2; target < 10 s: %s" % (i / a, i / b, "met" if i < 10 else "NOT met"))' \
    "$m_imp" "$m_f1" "$m_f2"
