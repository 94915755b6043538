#!/bin/sh
# Fails on calls to the functions this project bans (git's banned.h list, curl's checksrc):
# they truncate silently, overflow, or are not thread-safe. Use core/str.h and gmtime_r.
cd "$(dirname "$0")/.." || exit 2
hits=$(grep -rnE '\b(strcpy|strcat|strncpy|strncat|sprintf|vsprintf|strtok|atoi|atol|atoll|gets|gmtime|localtime|asctime|ctime)[[:space:]]*\(' src tests --include='*.c' --include='*.h')
if [ -n "$hits" ]; then
    echo "banned functions used (see scripts/checksrc.sh):"
    echo "$hits"
    exit 1
fi
echo "checksrc: no banned functions"
