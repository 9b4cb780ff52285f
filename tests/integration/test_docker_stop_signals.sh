#!/bin/bash
# The signal that stops a container, as Docker clients name it: the image's
# STOPSIGNAL (nginx's SIGQUIT, systemd's SIGRTMIN+3) unless --stop-signal
# says otherwise, kept across a corrald restart, and the real-time signals
# by name for stop and kill. Each test runs its own corrald, and cleans up
# what it made, also on failure.
# time: about 15 s
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

# A shell as PID 1 that ignores SIGTERM and ends saying which signal came:
# SIGQUIT, or SIGRTMIN+3 (37: glibc's SIGRTMIN is 34). A stop that sends
# SIGTERM would wait out its timeout and kill it (137).
SIGSH='trap "" TERM; trap "echo got-quit; exit 3" QUIT; trap "echo got-rtmin3; exit 4" 37; echo ready; while :; do sleep 0.1; done'
state_is() { [ "$(dock inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }
ready() { dock logs "$1" 2>/dev/null | grep -q ready; }
stopped_with() { # name: exit code and last log line once it stopped within 5 s
	dock stop -t 5 "$1" >/dev/null
	echo "$(dock inspect -f '{{.State.ExitCode}}' "$1") $(dock logs "$1" 2>&1 | tail -1)"
}

test_dkss_the_images_stop_signal_and_real_time_ones() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	# an image whose config says STOPSIGNAL SIGQUIT, and one SIGRTMIN+3
	dock create --name base busybox:latest true >/dev/null
	dock commit -c 'STOPSIGNAL SIGQUIT' base quit:1 >/dev/null
	dock commit -c 'STOPSIGNAL SIGRTMIN+3' base rt:1 >/dev/null
	dock run -d --name q quit:1 sh -c "$SIGSH" >/dev/null
	dock run -d --name r rt:1 sh -c "$SIGSH" >/dev/null
	dock run -d --name o --stop-signal RTMIN+3 quit:1 sh -c "$SIGSH" >/dev/null
	wait_for 10 ready q
	wait_for 10 ready r
	wait_for 10 ready o
	assert_eq "$(dock inspect -f '{{.Config.StopSignal}}' r)" "SIGRTMIN+3" "the image's, in inspect"
	assert_eq "$(stopped_with q)" "3 got-quit" "the image's SIGQUIT stops it"
	assert_eq "$(stopped_with o)" "4 got-rtmin3" "--stop-signal RTMIN+3 wins over the image's"
	# the image's signal outlives corrald
	restart_sv $(docker_flags)
	assert_eq "$(stopped_with r)" "4 got-rtmin3" "the image's SIGRTMIN+3, after a corrald restart"
	dock start q >/dev/null
	wait_for 10 ready q
	dock kill -s SIGRTMIN+3 q >/dev/null || fail "docker kill -s SIGRTMIN+3 refused"
	wait_for 10 state_is q exited
	assert_eq "$(dock inspect -f '{{.State.ExitCode}}' q)" 4 "kill -s SIGRTMIN+3"
	local out
	out=$(dock kill -s RTMIN+99 r 2>&1) && fail "a real-time signal past SIGRTMAX was sent"
	assert_contains "$out" "Invalid signal: RTMIN+99" "Docker's words"
	out=$(dock run -d --stop-signal SIGNOPE busybox:latest true 2>&1) && fail "a stop signal that is none was taken"
	assert_contains "$out" "spec.stopSignal" "the field named"
}
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
