#!/bin/sh
# The policy engine on the whole region (bench/RESULTS.md): a release build, varn init, demo
# --scale region, then bench/engine_eval.c times engine_evaluate against a floor in the same run.
set -eu
cd "$(dirname "$0")/.."
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench varn bench/engine_eval >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
VARN_ADMIN_PASSWORD=bench-password-1234 ./build-bench/varn --db "$dir/b.db" init >/dev/null
VARN_DEMO_PASSWORD=bench-password-1234 ./build-bench/varn --db "$dir/b.db" demo --scale region >/dev/null
./build-bench/bench/engine_eval "$dir/b.db"
