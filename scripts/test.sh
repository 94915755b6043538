#!/usr/bin/env bash
# Runs every test suite: unit, API and browser tests on a -Werror build, the same again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the fuzzers for a short while, and the source
# checks. Ends with one line CI reads: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
failed_steps=()
extra_pass=0
extra_fail=0
logs=()

step() { printf '\n== %s\n' "$*"; }
record() { # name status
    if [ "$2" -eq 0 ]; then
        extra_pass=$((extra_pass + 1))
    else
        extra_fail=$((extra_fail + 1))
        failed_steps+=("$1")
    fi
}

setup() { # dir options...
    local dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; return 1; }
}

suites() { # dir label
    local dir=$1
    step "$2: unit, API and browser tests"
    meson test -C "$dir" --print-errorlogs --num-processes 2 --no-rebuild
    local rc=$?
    logs+=("$dir/meson-logs/testlog.json")
    [ $rc -eq 0 ] || failed_steps+=("$2 tests")
}

step "release build (build/)"
setup build
record "release build" $?

step "test build with -Werror (build-test/)"
if setup build-test -Dtest_fixtures=true -Dwerror=true; then
    record "test build" 0
    suites build-test "build-test"
else
    record "test build" 1
fi

step "AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if setup build-asan -Dtest_fixtures=true -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false "-Dc_args=-fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -Dbuildtype=debug; then
    record "sanitizer build" 0
    suites build-asan "build-asan"
else
    record "sanitizer build" 1
fi

if command -v clang >/dev/null 2>&1; then
    step "fuzzers (build-fuzz/, ${VARN_FUZZ_SECONDS:-30} s each)"
    if CC=clang setup build-fuzz -Dfuzzers=true -Dtest_fixtures=true; then
        for target in csv json_body route; do
            work=$(mktemp -d)
            cp tests/fuzz/corpus/$target/* "$work/" 2>/dev/null
            mkdir -p build-fuzz/findings
            dict=()
            [ -f tests/fuzz/$target.dict ] && dict=(-dict=tests/fuzz/$target.dict)
            ./build-fuzz/tests/fuzz_$target -max_total_time="${VARN_FUZZ_SECONDS:-30}" \
                -timeout=5 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
                -artifact_prefix=build-fuzz/findings/$target- "${dict[@]}" "$work" \
                >build-fuzz/fuzz_$target.log 2>&1
            rc=$?
            grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' build-fuzz/fuzz_$target.log | tail -1
            [ $rc -eq 0 ] || tail -40 build-fuzz/fuzz_$target.log
            record "fuzz $target" $rc
            rm -rf "$work"
        done
    else
        record "fuzz build" 1
    fi
else
    echo "fuzzers skipped: clang is not installed (make deps installs it)"
fi

step "source checks"
scripts/checksrc.sh
record "banned functions" $?
if command -v clang-format >/dev/null 2>&1; then
    bad=$(find src tests -name '*.[ch]' -exec clang-format --dry-run -Werror {} + 2>&1 | grep -c 'error:' || true)
    if [ "$bad" -ne 0 ]; then
        echo "clang-format: $bad places differ from .clang-format; run 'make format'"
        find src tests -name '*.[ch]' -exec clang-format --dry-run -Werror {} + 2>&1 | head -20
    fi
    record "clang-format" "$([ "$bad" -eq 0 ] && echo 0 || echo 1)"
fi

elapsed=$(($(date +%s) - start))
step "summary"
python3 scripts/tap_summary.py --extra-pass "$extra_pass" --extra-fail "$extra_fail" \
    --seconds "$elapsed" "${logs[@]}"
summary_rc=$?
if [ ${#failed_steps[@]} -ne 0 ]; then
    echo "failed: ${failed_steps[*]}"
    exit 1
fi
exit $summary_rc
