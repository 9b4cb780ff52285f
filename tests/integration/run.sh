#!/bin/bash
# Run every tests/integration/test_*.sh (as root); print one summary line.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$B/results"
export B RESULTS="$B/results/integration.txt"
: >"$RESULTS"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP integration: needs root"
	echo "skip integration-needs-root" >>"$RESULTS"
else
	"$here/../fixtures/mkbusybox.sh" build >/dev/null || { echo "FAIL: fixtures"; exit 1; }
	for f in "$here"/test_*.sh; do
		[ -n "${ONLY:-}" ] && case "$f" in *"$ONLY"*) ;; *) continue ;; esac
		# SKIP_FILES: patterns of files a tier leaves out, with SKIP_REASON
		skipped=""
		for pat in ${SKIP_FILES:-}; do
			case "$(basename "$f")" in *"$pat"*) skipped=1 ;; esac
		done
		if [ -n "$skipped" ]; then
			echo "SKIP $(basename "$f"): ${SKIP_REASON:-left out by this tier}"
			echo "skip $(basename "$f" .sh)" >>"$RESULTS"
			continue
		fi
		echo "== $(basename "$f")"
		# a subreaper reaps the inits that `corral create` leaves behind
		"$B/tests/helpers/reaper" bash "$f"
	done
fi
p=$(grep -c '^pass' "$RESULTS"); f=$(grep -c '^fail' "$RESULTS"); s=$(grep -c '^skip' "$RESULTS")
echo "integration: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
