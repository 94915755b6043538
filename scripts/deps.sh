#!/bin/sh
# Installs what Värn needs to build and test on Debian 12: the Debian packages (apt-get, with
# sudo when not root) and the UI's npm packages from web/package-lock.json. Idempotent: when
# everything is present it changes nothing and asks no network.
set -eu
cd "$(dirname "$0")/.."

# Build: compiler, Meson, libraries (liboath for TOTP, libqrencode for the enrolment QR code,
# libxlsxwriter for the XLSX exports, cairo and pango for the PDF risk report, with DejaVu as
# its font).
# Tests: cmocka, clang + libFuzzer for the fuzzers, python3 for the API tests (python3-openpyxl
# reads the XLSX exports back, poppler-utils' pdftotext the PDF report), Chromium for the
# browser test, clang-format for the style check, prometheus for promtool, which checks GET
# /metrics (tests/api/test_metrics.py). Note: on a machine that runs systemd, that package's
# postinst also enables and starts the Prometheus server on :9090 (not in containers, where
# policy-rc.d stops it); a machine that does not want it: systemctl disable --now prometheus
# (promtool keeps working).
# Directory import: libldap for the LDAP / AD sync, and slapd with ldap-utils so that
# tests/api/test_directory.py runs a real directory (slapd's debconf is kept quiet by
# DEBIAN_FRONTEND=noninteractive below; the tests start their own slapd, not the system's).
PACKAGES="gcc meson ninja-build pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3
libjansson-dev libsodium-dev liboath-dev libqrencode-dev libxlsxwriter-dev libcairo2-dev
libpango1.0-dev fonts-dejavu-core libcmocka-dev python3 python3-openpyxl poppler-utils clang
libfuzzer-14-dev libclang-rt-14-dev clang-format chromium prometheus
libldap-dev slapd ldap-utils"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js brings its own npm; Debian's npm must not be installed beside it.
if ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi

if [ -n "$missing" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "make deps: installing$missing"
    # apt-get update once, and only when the package lists are empty or too old to know a
    # package we need.
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
        $sudo apt-get update
    fi
    # shellcheck disable=SC2086
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; then
        $sudo apt-get update
        # shellcheck disable=SC2086
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
    fi
fi

# The UI's packages, exactly as locked.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "make deps: installing the UI's npm packages from web/package-lock.json"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
