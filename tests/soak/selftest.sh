#!/bin/bash
# The soak tested: a bug of each kind, planted before its last check,
# makes it fail with a message that names it; none planted, it passes.
#   tests/soak/selftest.sh [BUILD_DIR]
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
expect() { # PLANT WORDS
	local out
	out=$("$here/run.sh" --seed 7 --ops 20 --faults 2 --plant "$1" "$B" 2>&1) && { echo "FAIL soak selftest $1: passed"; rc=1; return; }
	if grep -q "VIOLATION $2" <<<"$out"; then
		echo "ok   soak selftest $1: $(grep -m1 "VIOLATION $2" <<<"$out")"
	else
		echo "FAIL soak selftest $1: no [VIOLATION $2]"
		echo "$out" | tail -5 | sed 's/^/    /'
		rc=1
	fi
}
expect orphan-mount "accounted: mount STATE/containers/ffffffffffff"
expect bad-blob "store: blob"
expect member-read "members: uid 4242 lists"
expect leaked-fd "bounded: corrald holds"
if out=$("$here/run.sh" --seed 7 --ops 20 --faults 2 "$B" 2>&1); then
	echo "ok   soak selftest: none planted, it passes"
else
	echo "FAIL soak selftest: it fails with nothing planted"
	echo "$out" | grep -E "VIOLATION|soak:" | head -10 | sed 's/^/    /'
	rc=1
fi
exit $rc
