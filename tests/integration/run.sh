#!/bin/bash
# Run every tests/integration/test_*.sh (as root); print one summary line.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$B/results"
export B RESULTS="$B/results/integration.txt"
: >"$RESULTS"
: >"$B/results/integration-times.txt" # seconds per file, to find the slow ones
: >"$B/results/integration-cases.txt" # seconds per case (lib.sh's run_test)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP integration: needs root"
	echo "skip integration-needs-root" >>"$RESULTS"
else
	"$here/../fixtures/mkbusybox.sh" build >/dev/null || { echo "FAIL: fixtures"; exit 1; }
	for f in "$here"/test_*.sh; do
		# ONLY: substrings of the file names to run, split by '|'
		if [ -n "${ONLY:-}" ]; then
			hit=""
			IFS='|' read -ra only <<<"$ONLY"
			for o in "${only[@]}"; do case "$f" in *"$o"*) hit=1 ;; esac; done
			[ -n "$hit" ] || continue
		fi
		# TIER_TESTS: what a tier runs, as FILE or FILE:REGEX (test names);
		# the files it leaves out are counted as skips, with TIER_REASON
		filter=""
		if [ -n "${TIER_TESTS:-}" ]; then
			found=""
			for item in $TIER_TESTS; do
				if [ "${item%%:*}" = "$(basename "$f")" ]; then
					found=1
					[ "$item" != "${item#*:}" ] && filter=${item#*:}
				fi
			done
			if [ -z "$found" ]; then
				echo "SKIP $(basename "$f"): ${TIER_REASON:-left out by this tier}"
				echo "skip $(basename "$f" .sh)" >>"$RESULTS"
				continue
			fi
		fi
		export TEST_FILTER="$filter"
		echo "== $(basename "$f")"
		t0=$SECONDS
		# a subreaper reaps the inits that `corral create` leaves behind
		"$B/tests/helpers/reaper" bash "$f"
		echo "$((SECONDS - t0)) $(basename "$f")" >>"$B/results/integration-times.txt"
	done
fi
p=$(grep -c '^pass' "$RESULTS"); f=$(grep -c '^fail' "$RESULTS"); s=$(grep -c '^skip' "$RESULTS")
echo "integration: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
