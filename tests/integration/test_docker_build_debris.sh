#!/bin/bash
# A build cut short leaves nothing: its step's container goes when its
# corral-build is killed mid-step, and when corrald itself is killed
# under a running step, at corrald's next start; the build's directory
# goes too, and the step's process; a step whose Create was under way is
# not made. No image marks a container a step.
# time: about 40 s (4 cases): a RUN step held, then cut; a restart; a base
# image of 40000 files
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

# the build's step container, running: its name
running_step() {
	ctl --json ps -a |
		jq -e -r '.[] | select(.labels["io.corral.build"] != null and .state.status == "running") | .name'
}
step_gone() { [ "$(ctl --json ps -a | jq length)" = 0 ] && ! pgrep -f "sleep $1" >/dev/null; }
builds_dir_empty() { [ -z "$(ls -A "$STATE_D/builds" 2>/dev/null)" ]; }
client_ended() { ! kill -0 "$1" 2>/dev/null; }

# a docker build in the background whose RUN step holds on sleep N
build_held() { # N: sets BUILD_PID
	ctx "$T/c" <<EOF
FROM busybox:latest
RUN echo held; sleep $1
EOF
	dock build "$T/c" >"$T/build.out" 2>&1 &
	BUILD_PID=$!
	wait_for 30 running_step
}

test_dkb_a_killed_builder_leaves_no_step() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	build_held 4711
	local builder
	builder=$(pgrep -f "corral-build .*--dir $STATE_D/builds/") || fail "no corral-build running"
	kill -KILL "$builder"
	wait_for 30 client_ended "$BUILD_PID"
	wait "$BUILD_PID" && fail "the build succeeded: $(cat "$T/build.out")"
	wait_for 30 step_gone 4711
	wait_for 30 builds_dir_empty
	assert_contains "$(cat "$T/corrald.log")" "its step container" "corrald says what it removed"
	assert_eq "$(ctl ping)" "ok" "corrald answers"
}

test_dkb_corrald_killed_under_a_step_leaves_no_step() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	build_held 4712
	local name
	name=$(running_step)
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait_for 30 client_ended "$BUILD_PID"
	pgrep -f "sleep 4712" >/dev/null || fail "the step's process should run on after corrald's death"
	start_docker
	wait_for 30 step_gone 4712
	wait_for 30 builds_dir_empty
	assert_contains "$(cat "$T/corrald.log")" "its step container $name is left: removed" "the restarted corrald removed the step"
	! pgrep -f "corral-build .*--dir $STATE_D/builds/" >/dev/null || fail "a corral-build outlived its build"
}

# The label is corrald's alone: an image's LABEL io.corral.build (any
# image's author may write one), or root's own --label, does not make a
# container a step, which corrald's next start would remove
test_dkb_an_image_cannot_mark_a_container_a_step() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
LABEL io.corral.build=forged
EOF
	local out
	out=$(dock build -t forged:1 "$T/c" 2>&1) || fail "build: $out"
	dock run -d --name from-image forged:1 sleep 1000 >/dev/null
	dock run -d --name by-label --label io.corral.build=mine busybox:latest sleep 1000 >/dev/null
	stop_sv
	start_docker
	assert_eq "$(ctl --json ps -a | jq -r '[.[] | .name + " " + .state.status] | sort | join(",")')" \
		"by-label running,from-image running" "both are there after corrald's restart, running"
	assert_not_contains "$(cat "$T/corrald.log")" "its step container" "no step was removed"
	assert_eq "$(ctl --json ps -a | jq -c '[.[].labels["io.corral.build"]]')" '[null,null]' \
		"neither is labelled a step, not even by root's own word"
	dock rm -f from-image by-label >/dev/null
}

# A step's Create still under way when its build ends (here in the child
# that fills the step's volume from the image, held stopped) is not made:
# the build's end removed its steps already, and a later one would stay
test_dkb_a_step_made_after_its_build_ended_is_not_kept() {
	trap 'pkill -CONT -P "$CORRALD_PID" 2>/dev/null; cleanup_sv' EXIT
	start_docker
	import_busybox
	# a base image with a volume of 40000 files: a step's Create fills it
	# (docker's copy-up) for long enough to be caught
	ctx "$T/base" <<'EOF'
FROM busybox:latest
RUN mkdir -p /data && cd /data && seq 1 40000 | xargs touch
VOLUME /data
EOF
	local out
	out=$(dock build -t withvol:1 "$T/base" 2>&1) || fail "the base: $out"
	ctx "$T/c" <<'EOF'
FROM withvol:1
RUN echo after
EOF
	dock build "$T/c" >"$T/build.out" 2>&1 &
	BUILD_PID=$!
	# the RUN's Create fills the volume: its child, held
	wait_for 60 sh -c "ls '$STATE_D'/containers/*/filling >/dev/null 2>&1"
	local filler builder
	filler=$(pgrep -P "$CORRALD_PID" -x corrald) || fail "no fill child of corrald's"
	kill -STOP $filler
	builder=$(pgrep -f "corral-build .*--dir $STATE_D/builds/") || fail "no corral-build running"
	kill -KILL "$builder"
	wait_for 30 builds_dir_empty
	kill -CONT $filler
	wait_for 30 client_ended "$BUILD_PID"
	wait "$BUILD_PID" && fail "the build succeeded: $(cat "$T/build.out")"
	wait_for 30 sh -c "! ls '$STATE_D'/containers/*/filling >/dev/null 2>&1"
	assert_eq "$(ctl --json ps -a | jq -r '.[].name')" "" "the containers left"
	ctl rmi withvol:1 >/dev/null
	assert_eq "$(ctl --json volume ls | jq length)" 0 "the volumes left"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
