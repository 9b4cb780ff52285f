#!/bin/bash
# Run every cmocka unit test binary ($B/tests/unit/*, one per tests/unit/*.c);
# record counts in $B/results/unit.txt, each log in $B/results/unit/.
set -u
B=${1:-build}
mkdir -p "$B/results/unit"
out="$B/results/unit.txt"
: >"$out"
pass=0 failed=0 skipped=0
for t in "$B"/tests/unit/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	[ -e "tests/unit/$(basename "$t").c" ] || continue # a renamed test's old binary
	log="$B/results/unit/$(basename "$t").log"
	CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^\[       OK \]' "$log")
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{print $4}' | head -1)
	# per-test lines only, not the "[  SKIPPED ] N test(s)" summary
	s=$(grep -cE '^\[  SKIPPED \] [A-Za-z_]' "$log")
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $(basename "$t")"
		grep -E 'FAILED|ERROR|error|Assert|assert' "$log" | head -20 | sed 's/^/    /'
	else
		echo "ok   $(basename "$t") ($p tests)"
	fi
done
echo "$pass $failed $skipped" >"$out"
echo "unit: $pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
