#!/usr/bin/env bash
# Benchmark of `varn audit verify`: fills a database with N audit entries (default 1 000 000)
# through the real append path, then times the verifier against `SELECT count(*)` on the same
# file, and prints the ratio. Not part of make test. Usage: bench/audit_verify.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
build=build-bench
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dbuildtype=release >/dev/null
fi
ninja -C "$build" varn bench/audit_fill >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/bench.db

now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

"$build/varn" --db "$db" init >/dev/null
"$build/varn" --db "$db" demo >/dev/null
t0=$(now)
"$build/bench/audit_fill" "$db" "$n"
t1=$(now)
fill=$(secs "$t0" "$t1")
entries=$(sqlite3 "$db" 'SELECT count(*) FROM audit_log')
size=$(du -m "$db" | cut -f1)

# Warm the page cache once, so that both timings read from memory.
sqlite3 "$db" 'SELECT count(*) FROM audit_log' >/dev/null
t0=$(now)
sqlite3 "$db" 'SELECT count(*) FROM audit_log' >/dev/null
t1=$(now)
count=$(secs "$t0" "$t1")

# Reading every column of every row, as verify does, without hashing: the I/O floor.
t0=$(now)
sqlite3 "$db" "SELECT sum(length(at) + length(actor) + length(ifnull(address, ''))
  + length(action) + length(ifnull(object_id, '')) + length(ifnull(before, ''))
  + length(ifnull(after, '')) + length(prev_hash) + length(hash)) FROM audit_log" >/dev/null
t1=$(now)
scan=$(secs "$t0" "$t1")

t0=$(now)
out=$("$build/varn" --db "$db" audit verify)
t1=$(now)
verify=$(secs "$t0" "$t1")
rss=$( { /usr/bin/time -f '%M' "$build/varn" --db "$db" audit verify >/dev/null; } 2>&1 | tail -1)

python3 - "$entries" "$size" "$fill" "$count" "$scan" "$verify" "$rss" "$out" <<'PY'
import sys
entries, size, fill, count, scan, verify, rss, out = sys.argv[1:]
entries, fill, count, scan, verify = int(entries), float(fill), float(count), float(scan), float(verify)
print(out)
print("entries               %d (database %s MiB)" % (entries, size))
print("fill (audit_append)   %.1f s, %.0f entries/s" % (fill, entries / fill))
print("sqlite3 count(*)      %.3f s" % count)
print("sqlite3 full scan     %.2f s (every column of every row, no hashing)" % scan)
print("varn audit verify     %.2f s, %.0f entries/s, max RSS %s KiB" % (verify, entries / verify, rss))
print("ratio verify/count    %.0fx" % (verify / count if count > 0 else float("inf")))
print("ratio verify/scan     %.1fx" % (verify / scan if scan > 0 else float("inf")))
PY
