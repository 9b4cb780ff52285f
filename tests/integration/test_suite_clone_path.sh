#!/bin/bash
# time: the lint, the unit tests, make demo's script and test_supervisor_security.sh again, from a copy of the checkout (about 100 s)
# The suite passes wherever it is cloned: the lint, the unit tests, the
# README's first command (make demo, past its apt-get) and one integration
# file run again from a copy of this checkout at a path with capitals, a
# name of 100 characters and a symlink in it. The suite's
# sockets live in short directories of their own (lib.sh's short_dir) and
# no client is handed the checkout's path as an image name.
. "$(dirname "$0")/lib.sh"

# the build is copied too: the objects are the same wherever they are made
# (every path in them is relative), and making them again would cost the
# run two minutes of its two cores
copy_checkout() { # DEST
	mkdir -p "$1/build"
	git -C "$ROOTDIR" ls-files -z -co --exclude-standard |
		(cd "$ROOTDIR" && tar -c --null -T - -f -) | tar -x -C "$1" || return 1
	local d
	for d in obj lib bin tests clients npm; do
		[ -e "$B/$d" ] && cp -a "$B/$d" "$1/build/"
	done
	return 0
}

test_suite_from_a_long_path_with_capitals_and_a_link() {
	local long here rc
	# under $T (so at least 100 characters from any checkout), and short
	# enough that the copy's fixture rootfs, run as an image whose name
	# holds 255 bytes, fits beneath a checkout of 100 characters itself
	long="Corral-Review-$(printf 'x%.0s' $(seq 26))"
	mkdir -p "$T/Real/$long"
	ln -s Real "$T/Via"
	here="$T/Via/$long"
	[ ${#here} -ge 100 ] || fail "the path is ${#here} characters"
	copy_checkout "$here" || fail "the copy"
	# a stale path to the first checkout would show as a file made there
	touch "$T/.before"
	cd "$here"
	# the rules (their self-test plants violations in a copy under /tmp,
	# wherever the checkout is: the host tier's lint has run it)
	LINT_SELFTEST=0 make -s check-lint >"$T/lint.log" 2>&1 || { tail -20 "$T/lint.log"; fail "the lint, from $here"; }
	make -s check-unit >"$T/unit.log" 2>&1 || { tail -20 "$T/unit.log"; fail "the unit tests, from $here"; }
	tests/demo.sh build >"$T/demo.log" 2>&1 || { tail -20 "$T/demo.log"; fail "make demo, from $here"; }
	assert_contains "$(cat "$T/demo.log")" "hello from corrald" "make demo's container, through corrald"
	rc=0
	# (not the tier's choice of files, which a focused run of this one sets)
	env -u TIER_TESTS -u TIER_REASON ONLY=test_supervisor_security.sh TEST_LANES=1 tests/integration/run.sh build >"$T/it.log" 2>&1 || rc=$?
	grep -E '^(FAIL|    )' "$T/it.log" | head -30
	assert_eq "$rc" 0 "test_supervisor_security.sh from $here"
	assert_eq "$(grep -c '^fail' build/results/integration.txt)" 0 "failed cases"
	[ "$(grep -c "^pass" build/results/integration.txt)" -ge 8 ] ||
		fail "too few cases passed: $(grep -E '^(SKIP|PASS)' "$T/it.log" | grep -v 'left out by this tier' | tr '\n' ';')"
	assert_contains "$(cat build/results/integration.txt)" \
		"pass test_svs_members_who_share_a_group_do_not_reach_each_others_containers" "the case with a socket in it"
	local made
	made=$(find "$ROOTDIR" \( -path "$ROOTDIR/build" -o -path "$ROOTDIR/.git" \) -prune -o -newer "$T/.before" -print | head -3)
	assert_eq "$made" "" "nothing made in the first checkout"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
