#!/bin/bash
# A member's files on a FUSE file system it serves: every close(2) of a
# file there waits, unkillably, for the server to answer its FLUSH. A
# member's archive or checkpoint file there is refused in one line, never
# opened, so no close of corrald's (or of a helper's) can be held up.
# fuse_hold.py stands in for the member's server (a user-namespace mount
# here needs no privilege; the test mounts it as root, with allow_other),
# and holds every FLUSH corrald sends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"

# corrald with the group of gid 65534 (and FLAGS), a container of a
# member's with a checkpoint as a dump leaves it, and the file system
# mounted at $T/fuse
setup() { # [FLAG]...
	FUSE_PID=""
	trap '[ -z "$FUSE_PID" ] || kill "$FUSE_PID"; umount -l "$T/fuse" 2>/dev/null || true; cleanup_sv' EXIT
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/fuse\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json" "$@"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	mctl 4141 create --name src app:1 true >/dev/null || fail "the member's container"
	mkdir "$STATE_D/containers/$(ctl inspect --format '{{.Id}}' src@4141)/checkpoint"
	echo inventory >"$STATE_D/containers/$(ctl inspect --format '{{.Id}}' src@4141)/checkpoint/inventory.img"
	mkdir "$T/fuse"
	FUSE_HOLD=${FUSE_HOLD:-} FUSE_HOLD_THEIRS=${FUSE_HOLD_THEIRS:-} FUSE_HOLD_KIDS=${FUSE_HOLD_KIDS:-} \
		python3 "$(dirname "$0")/fuse_hold.py" "$T/fuse" "$T/fuse.log" "$CORRALD_PID" &
	FUSE_PID=$!
	wait_for 10 grep -q "^INIT" "$T/fuse.log"
	[ "$(stat -c %s "$T/fuse/x.tar")" = 4096 ] || fail "the file system does not serve x.tar"
}

# one line naming the file and the file system, corrald answering at once
# after it, and no request of the file's but its lookups
refused_on_fuse() { # what COMMAND...
	local what=$1 out
	shift
	out=$("$@" 2>&1) && fail "$what: accepted"
	assert_eq "$(echo "$out" | wc -l)" 1 "$what: one line: $out"
	assert_contains "$out" "$T/fuse/" "$what: names the file"
	assert_contains "$out" "on a FUSE or overlay file system" "$what: says why"
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "$what: corrald answers no more"
}

# One call as the member, straight (corralctl save opens its -o file itself,
# and has no verb for CheckpointExport): its error's reason, failing
vl() { # METHOD PARAMS
	as_uid 4141 "$B/tests/helpers/vlcall" "$SOCK" "{\"method\":\"io.corral.Supervisor.$1\",\"parameters\":$2}" |
		jq -e -c 'if .error then (.parameters.reason // .) | halt_error else . end'
}

test_svmf_a_members_file_on_fuse_is_never_opened() {
	setup
	refused_on_fuse "ImageImport" mctl 4141 image import "oci-archive:$T/fuse/x.tar" x:1
	refused_on_fuse "ImageLoad" mctl 4141 image load -i "$T/fuse/x.tar"
	refused_on_fuse "ImageSave over a file there" vl ImageSave "{\"images\":[\"app:1\"],\"path\":\"$T/fuse/x.tar\"}"
	refused_on_fuse "CheckpointImport" mctl 4141 restore --import "$T/fuse/x.tar" --name copy
	refused_on_fuse "CheckpointExport of a new file there" vl CheckpointExport \
		"{\"id\":\"src\",\"path\":\"$T/fuse/new.tar\",\"create\":true}"
	assert_eq "$(grep -cE '^(OPEN|CREATE|FLUSH|READ) ' "$T/fuse.log")" 0 "a file there was opened: $(sort "$T/fuse.log" | uniq -c)"
	assert_eq "$(ctl images --format '{{.Repository}}' | sort | tr '\n' ' ')" "localhost/app " "nothing was imported"
	assert_eq "$(ctl ps -a --format '{{.Names}}')" src@4141 "no container was made"
}

# Top reads the container's /etc/passwd, which its own bind may put on
# the member's FUSE file system: in a child, so that the FLUSH held there
# is no close of corrald's
test_svmf_top_reads_the_containers_files_off_the_loop() {
	setup
	mctl 4141 run -d --name top -v "$T/fuse/passwd:/etc/passwd:ro" app:1 sleep 1000 >/dev/null ||
		fail "the member's container"
	local out
	out=$(mctl 4141 top top) || fail "top: $out"
	assert_contains "$out" "sleep 1000" "its process"
	assert_eq "$(printf '%s\n' "$out" | awk '/sleep 1000/ {print $2}')" 4141 "its user: a uid that passwd names not"
	grep -q "^OPEN " "$T/fuse.log" || fail "top did not read the passwd there: $(sort "$T/fuse.log" | uniq -c)"
	assert_eq "$(grep -c "^held" "$T/fuse.log")" 0 "a close of corrald's waited on the member's server"
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "corrald answers no more"
	mctl 4141 rm -f top >/dev/null
}

# A task stuck in a read of the member's file system never freezes: the
# freeze of a Pause waits for it in a child, and gives up after its bound
# with the container thawed, while corrald answers everyone meanwhile
test_svmf_pause_of_a_task_that_will_not_freeze_blocks_no_one() {
	FUSE_HOLD=READ setup
	mctl 4141 run -d --name reader -v "$T/fuse/passwd:/x:ro" app:1 cat /x >/dev/null || fail "the member's container"
	wait_for 10 grep -q "^READ" "$T/fuse.log"
	local pausing out
	mctl 4141 pause reader >"$T/pause" 2>&1 &
	pausing=$!
	wait_for 10 pgrep -P "$CORRALD_PID" -x corrald # the freeze's child
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "corrald answers no more"
	kill -0 "$pausing" 2>/dev/null || fail "the pause was over before corrald answered another: $(cat "$T/pause")"
	wait "$pausing" && fail "a container with a task that never stops was paused"
	out=$(cat "$T/pause")
	assert_eq "$(echo "$out" | wc -l)" 1 "one line: $out"
	assert_contains "$out" "not frozen after 2000 ms" "why"
	assert_eq "$(ctl inspect --format '{{.State.Status}}' reader@4141)" running "not left paused"
	# a commit pauses it the same way, and goes on unpaused once that fails
	mctl 4141 commit reader stuck:1 >"$T/commit" 2>&1 &
	pausing=$!
	wait_for 10 pgrep -P "$CORRALD_PID" -x corrald
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "corrald answers no more during the commit's pause"
	wait "$pausing" || fail "the commit: $(cat "$T/commit")"
	assert_eq "$(ctl inspect --format '{{.State.Status}}' reader@4141)" running "not left paused by the commit"
	kill "$FUSE_PID" # the read fails: the task can end
	FUSE_PID=""
	mctl 4141 rm -f reader >/dev/null
}

# A member's bind of its FUSE file system: corrald itself never looks into
# it (a stat of corrald's its server holds; without allow_other, root is
# refused there), at Create or at each Start: the member's child says
# whether a source is a directory, and a pin's mount id comes from fdinfo
test_svmf_a_bind_of_the_members_fuse_is_looked_at_by_the_member_only() {
	FUSE_HOLD_THEIRS=GETATTR setup
	assert_eq "$(mctl 4141 run --rm -v "$T/fuse:/h:ro" app:1 wc -c /h/x.tar)" "4096 /h/x.tar" "the bind, in a run"
	mctl 4141 create --name again -v "$T/fuse:/h:ro" app:1 wc -c /h/x.tar >/dev/null || fail "create"
	assert_eq "$(mctl 4141 start -a again)" "4096 /h/x.tar" "a start, its pin looked at"
	assert_eq "$(grep -c "^held" "$T/fuse.log")" 0 "corrald waited on the member's server"
	"$CORRALCTL" --socket "$SOCK" --timeout 5 ping >/dev/null || fail "corrald answers no more"
	mctl 4141 rm again >/dev/null
}

# A member has at most 16 of corrald's helpers at work at once, each at
# nice 19: its 16 Tops held by its own server leave room for root's and
# another member's calls, its next is refused in one line, and once its
# server lets go it has its room again
test_svmf_a_members_helpers_are_bounded() {
	# shellcheck disable=SC2046 # each flag a word
	FUSE_HOLD_KIDS=READ setup $(docker_flags)
	mctl 4141 run -d --name held -v "$T/fuse/passwd:/etc/passwd:ro" app:1 sleep 1000 >/dev/null ||
		fail "the member's container"
	mctl 4141 run -d --name plain -v mine:/data app:1 sleep 1000 >/dev/null || fail "the member's other container"
	mctl 4242 run -d --name theirs app:1 sleep 1000 >/dev/null || fail "another member's container"
	ctl run -d --name roots app:1 sleep 1000 >/dev/null || fail "root's container"
	mctl 4141 create --name stopped app:1 true >/dev/null || fail "the member's stopped container"
	mctl 4141 commit stopped unused:1 >/dev/null || fail "the member's own image, which no container uses"
	local i out kid tops=""
	for i in $(seq 16); do
		mctl 4141 top held >/dev/null 2>&1 &
		tops="$tops $!"
	done
	wait_for 10 sh -c "[ \$(pgrep -c -P $CORRALD_PID -x corrald) -ge 16 ]"
	for kid in $(pgrep -P "$CORRALD_PID" -x corrald); do
		assert_eq "$(ps -o ni= -p "$kid" | tr -d ' ')" 19 "a member's helper's niceness"
	done
	out=$(mctl 4141 top plain 2>&1) && fail "a 17th helper of the member's: $out"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line: $out"
	assert_contains "$out" "uid 4141 has 16 of corrald's helpers at work already" "why"
	out=$(mctl 4141 pause plain 2>&1) && fail "a freeze past the bound: $out"
	assert_contains "$out" "helpers at work already" "a Pause too"
	out=$(mctl 4141 cp plain:/etc/hostname - 2>&1) && fail "a copy past the bound: $out"
	assert_eq "$out" "corralctl: CopyFrom: refused by policy: helpers: uid 4141 has 16 of corrald's helpers at work already, the most a member may have at once (limit helpers-per-member)" \
		"a copy, refused before its stream (no tar)"
	assert_eq "$(mctl 4141 volume inspect mine | jq -c .size)" null "a walk past the bound: no size"
	mkdir -m 0777 "$T/mw"
	out=$(vl CheckpointExport "{\"id\":\"src\",\"path\":\"$T/mw/c.tar\",\"create\":true}" 2>&1) &&
		fail "a checkpoint export past the bound: $out"
	assert_contains "$out" "helpers at work already" "a checkpoint export"
	out=$(vl ImageSave "{\"images\":[\"app:1\"],\"path\":\"$T/mw/i.tar\"}" 2>&1) && fail "an image save past the bound: $out"
	assert_contains "$out" "helpers at work already" "an image save"
	assert_eq "$(ls -A "$T/mw")" "" "a refused archive's file"
	out=$(dockm 4141 cp plain:/etc/hostname - 2>&1 >/dev/null) && fail "docker cp past the bound: $out"
	assert_eq "$out" "Error response from daemon: policy: helpers: uid 4141 has 16 of corrald's helpers at work already, the most a member may have at once (helpers-per-member)" \
		"docker cp, as the docker CLI says it"
	# a prune is refused before it drops an image or removes a container
	out=$(mctl 4141 image prune -a -f 2>&1) && fail "an image prune past the bound: $out"
	assert_contains "$out" "helpers at work already" "an image prune"
	out=$(mctl 4141 system prune -a -f 2>&1) && fail "a system prune past the bound: $out"
	assert_contains "$out" "helpers at work already" "a system prune"
	assert_contains "$(mctl 4141 images)" unused "the member's image, after the refused prunes"
	mctl 4141 inspect stopped >/dev/null || fail "the refused system prune removed a container"
	assert_contains "$(ctl top roots)" "sleep 1000" "root's Top meanwhile"
	assert_contains "$(mctl 4242 top theirs)" "sleep 1000" "another member's Top meanwhile"
	kill "$FUSE_PID" # the reads fail: the Tops end
	FUSE_PID=""
	wait_for 15 sh -c "[ \$(pgrep -c -P $CORRALD_PID -x corrald) -eq 0 ]"
	assert_contains "$(mctl 4141 top plain)" "sleep 1000" "the member's room again"
	assert_eq "$(mctl 4141 volume inspect mine | jq '.size >= 0')" true "its walk again"
	# shellcheck disable=SC2086 # each pid a word
	wait $tops || true # they failed, their reads cut short
	ctl rm -f held@4141 plain@4141 theirs@4242 roots stopped@4141 >/dev/null
	mctl 4141 volume rm mine >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
