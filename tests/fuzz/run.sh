#!/bin/bash
# `make check-fuzz`: build every tests/fuzz/fuzz_*.c as a libFuzzer target
# (clang, ASan+UBSan) against the project's libraries, and run each for
# FUZZ_SECONDS (default 60). Optional companions of fuzz_NAME.c:
#   seeds_NAME.c  a program that writes seed inputs into the directory it is given
#   fuzz_NAME.dict  a libFuzzer dictionary
# Crashes land in $B/artifacts/; the corpus grows in $B/corpus/NAME.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
B=${FUZZ_BUILD:-build/fuzz}
CC=${FUZZ_CC:-clang}
ONLY=${1:-}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
FLAGS="-O1 -g $SAN"
PKGS=$(sed -n 's/^PKGS := //p' Makefile)
# -Ulinux and the generated headers, as the Makefile builds supervisor/cri
# (a CRI message has a field named linux)
WARN="-std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Ulinux -I. -I$B/libs/gen $(pkg-config --cflags $PKGS)"
# linked as the Makefile's LDLIBS (its -lresolv: cri_meta.c's base64)
LINK="$(pkg-config --libs $PKGS) -lresolv"

command -v "$CC" >/dev/null || { echo "fuzz: skipped: $CC not installed"; exit 0; }

# The libraries, in the Makefile's link order, built by the Makefile itself.
libs=()
rooms=$(sed -n 's/^ROOMS := //p' Makefile)
for d in $(sed -n 's/^LIBDIRS := //p' Makefile | sed "s|\$(ROOMS)|$rooms|"); do
	for f in "$d"/*.c; do
		[ -e "$f" ] || continue
		case "$f" in */main_*.c) continue ;; esac
		libs+=("$B/libs/lib/lib${d//\//-}.a") # the Makefile names supervisor/logs libsupervisor-logs.a
		break
	done
done
echo "fuzz: building libraries with $CC into $B/libs"
# The Makefile's warning set is gcc's: clang warns where gcc does not, and a
# warning must not stop the fuzzer (gcc's -Werror build still enforces them).
mkdir -p "$B/results"
if ! CCC_OVERRIDE_OPTIONS="+-Wno-error +-Wno-unknown-warning-option" \
	make -s -j"$(nproc)" CC="$CC" B="$B/libs" CFLAGS="$FLAGS -fsanitize=fuzzer-no-link" "${libs[@]}" \
	>"$B/results/libs.log" 2>&1; then
	grep -v '^###' "$B/results/libs.log" | tail -30
	echo "fuzz: building the libraries failed"
	exit 1
fi

mkdir -p "$B/artifacts"
out="$B/results/fuzz.txt"
: >"$out"
rc=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	[ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && [ "$ONLY" != "$short" ] && continue
	bin="$B/$name"
	# shellcheck disable=SC2046
	if ! $CC $FLAGS -fsanitize=fuzzer $WARN -o "$bin" "$src" "${libs[@]}" $LINK; then
		echo "fail $name build" >>"$out"; echo "FAIL $name: build"; rc=1; continue
	fi
	corpus="$B/corpus/$short"
	seeds="$B/seeds/$short"
	mkdir -p "$corpus" "$seeds"
	if [ -f "tests/fuzz/seeds_$short.c" ]; then
		# shellcheck disable=SC2046
		$CC $FLAGS -fsanitize=fuzzer-no-link $WARN -o "$B/seeds_$short" "tests/fuzz/seeds_$short.c" \
			"${libs[@]}" $LINK && "$B/seeds_$short" "$seeds" ||
			{ echo "FAIL $name: seeds"; rc=1; }
	fi
	dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	log="$B/results/$name.log"
	echo "fuzz: $name for ${SECS}s"
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$B/artifacts/$name-" "${dict[@]}" "$corpus" "$seeds" >"$log" 2>&1
	r=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$r" -ne 0 ]; then
		echo "fail $name" >>"$out"
		echo "FAIL $name (exit $r), see $log:"
		grep -E 'ERROR|SUMMARY|Test unit written|round trip' "$log" | head -10 | sed 's/^/    /'
		rc=1
	else
		echo "pass $name ${execs:-?} execs" >>"$out"
		echo "ok   $name: ${execs:-?} executions in ${SECS}s, corpus $(ls "$corpus" | wc -l) inputs"
	fi
done
exit $rc
