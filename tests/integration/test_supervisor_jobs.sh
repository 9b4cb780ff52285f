#!/bin/bash
# The job queue (corralctl job ...): FIFO with at most --max-jobs running,
# timeouts, retries with backoff, wait's exit code, cancel, batch, logs, and
# a queue that outlives kill -9 of corrald.
# time: about 80 s (13 cases): jobs run to completion with real retries (backoffs of 1 and 2 s), timeouts, and six jobs of 2 s at two at a time
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
IMGS="$FIXTURES/images"

# job_field ID JQ: a field of JobInspect
job_field() { ctl --json job inspect "$1" | jq -r ".[0]$2"; }
# ns since the epoch of an RFC 3339 time
ns_of() { date -d "$1" +%s%N; }

# 6 jobs of 2 s at --max-jobs 2: about 6 s, never more than 2 at once,
# measured twice: by sampling the running containers while they run, and
# from the jobs' own start and end times.
test_jobs_six_of_two_seconds_at_max_two() {
	trap cleanup_sv EXIT
	start_sv --max-jobs 2
	local ids=() i t0 t1
	t0=$(date +%s%N)
	for i in 1 2 3 4 5 6; do ids+=("$(ctl job submit --name "j$i" "$IMG" sleep 2)"); done
	# a sampler of running containers, every 0.1 s, until the jobs are done
	(while :; do ctl --json ps | jq length; sleep 0.1; done) >"$T/samples" 2>/dev/null &
	local sampler=$!
	for i in "${ids[@]}"; do assert_eq "$(ctl job wait "$i")" 0 "job $i"; done
	t1=$(date +%s%N)
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	local ms=$(((t1 - t0) / 1000000)) peak
	echo "6 jobs of 2 s at --max-jobs 2: ${ms} ms" | tee -a "$B/results/jobs_figures.txt" >&2
	[ "$ms" -ge 6000 ] || fail "done in $ms ms: more than 2 ran at once"
	[ "$ms" -lt 10000 ] || fail "took $ms ms: they did not run 2 at a time (sequential is 12000)"
	peak=$(sort -n "$T/samples" | tail -1)
	[ "$(wc -l <"$T/samples")" -ge 20 ] || fail "too few samples"
	assert_eq "$peak" 2 "the most containers running at once, sampled"
	# the jobs' own intervals, from the first start to the result
	peak=$(ctl --json job ls | jq '[.[] | {t: .attemptStarts[0], d: 1}, {t: .finishedAt, d: -1}]
		| sort_by(.t, .d) | reduce .[] as $e ({c: 0, m: 0}; .c += $e.d | .m = ([.m, .c] | max)) | .m')
	assert_eq "$peak" 2 "the most jobs running at once, from their times"
	# FIFO: they started in the order they were submitted
	assert_eq "$(ctl --json job ls | jq -r '[.[].attemptStarts[0]] == ([.[].attemptStarts[0]] | sort)')" true "FIFO"
	assert_eq "$(ctl --json job ls | jq -r '[.[] | .attempts] | unique | join(",")')" 1 "one attempt each"
	# the containers are gone once the results are taken
	assert_eq "$(ctl --json ps -a | jq length)" 0 "no container left"
	assert_eq "$(ls "$STATE_D/jobs" | wc -l)" 6 "six result files"
}

test_jobs_timeout_kills_its_job() {
	trap cleanup_sv EXIT
	start_sv
	local id rc=0 t0 ms
	t0=$(date +%s%N)
	id=$(ctl job submit --timeout 1 --stop-timeout 1 "$IMG" sleep 60)
	ctl job wait "$id" >"$T/code" || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 10000 ] || fail "the timeout took $ms ms to end it"
	[ "$ms" -ge 1000 ] || fail "ended after $ms ms, before its timeout"
	assert_eq "$(job_field "$id" .state)" failed "state"
	assert_eq "$(job_field "$id" .timedOut)" true "timedOut"
	# sleep as pid 1 ignores SIGTERM: SIGKILL ended it, a second later
	assert_eq "$(job_field "$id" .exitCode)" 137 "exit code"
	assert_eq "$rc" 137 "job wait's exit code"
	assert_eq "$(cat "$T/code")" 137 "job wait prints it"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "its container is gone"
}

test_jobs_retries_with_growing_delays() {
	trap cleanup_sv EXIT
	start_sv
	local id rc=0
	id=$(ctl job submit --retries 2 --name flaky "$IMG" sh -c 'echo try; exit 3')
	ctl job wait "$id" >/dev/null || rc=$?
	assert_eq "$rc" 3 "the last attempt's exit code"
	assert_eq "$(job_field "$id" .attempts)" 3 "attempts"
	assert_eq "$(job_field "$id" .state)" failed "state"
	local s0 s1 s2 g1 g2 e0 e1 d1 d2
	s0=$(ns_of "$(job_field "$id" '.attemptStarts[0]')")
	s1=$(ns_of "$(job_field "$id" '.attemptStarts[1]')")
	s2=$(ns_of "$(job_field "$id" '.attemptStarts[2]')")
	g1=$(((s1 - s0) / 1000000))
	g2=$(((s2 - s1) / 1000000))
	[ "$g1" -ge 1000 ] || fail "the first retry came after $g1 ms, before its 1 s backoff"
	[ "$g2" -ge 2000 ] || fail "the second retry came after $g2 ms, before its 2 s backoff"
	# the backoff runs from an attempt's end (its container's "die" event)
	# to the next start, apart from how long the container took to start
	# (CI, stop 53: the first, cold, took 1.2 s and the second 0.2 s, and
	# the gaps between starts were 2209 and 2167 ms)
	ctl events --since 5m --until 0s --format json >"$T/events"
	e0=$(ns_of "$(jq -r --arg n "job-$id-1" 'select(.action == "die" and .name == $n) | .time' "$T/events")")
	e1=$(ns_of "$(jq -r --arg n "job-$id-2" 'select(.action == "die" and .name == $n) | .time' "$T/events")")
	d1=$(((s1 - e0) / 1000000))
	d2=$(((s2 - e1) / 1000000))
	echo "gaps between attempts: $g1 ms, $g2 ms; from an end to the next start: $d1 ms, $d2 ms" |
		tee -a "$B/results/jobs_figures.txt" >&2
	# backoffs of 1 and 2 s: the second longer by a second, less the jitter
	# of corrald's handling of each end
	[ "$d1" -ge 900 ] && [ "$d2" -gt $((d1 + 500)) ] || fail "the delays did not grow: $d1 ms, then $d2 ms"
	# a job that succeeds on a retry is a success
	id=$(ctl job submit --retries 3 "$IMG" sh -c '[ -e /proc/1 ] && exit 0')
	assert_eq "$(ctl job wait "$id")" 0 "a job that succeeds"
	assert_eq "$(job_field "$id" .attempts)" 1 "no retry after a success"
}

test_jobs_wait_code_and_logs() {
	trap cleanup_sv EXIT
	start_sv
	local id rc=0 out
	id=$(ctl job submit "$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7')
	out=$(ctl job wait "$id") || rc=$?
	assert_eq "$out" 7 "printed"
	assert_eq "$rc" 7 "exit code"
	assert_eq "$(ctl job logs "$id" 2>/dev/null)" to-stdout "stdout"
	assert_eq "$(ctl job logs "$id" 2>&1 >/dev/null)" to-stderr "stderr"
	assert_eq "$(job_field "$id" '.output | length')" 2 "the output tail in inspect"
	assert_eq "$(job_field "$id" .runMs | awk '{print ($1 >= 0)}')" 1 "runMs"
	# job ls: a table, ids with -q, and --format
	assert_eq "$(ctl job ls | head -1 | tr -s ' ')" "ID NAME IMAGE STATE ATTEMPTS EXIT DURATION SUBMITTED" "job ls"
	assert_eq "$(ctl job ls -q)" "${id:0:12}" "job ls -q"
	assert_eq "$(ctl job ls --format '{{.State}} {{.Exit}}')" "failed 7" "job ls --format"
	# a running job's logs: what it has said so far
	id=$(ctl job submit "$IMG" sh -c 'echo early; sleep 30')
	wait_for 10 sh -c "\"$CORRALCTL\" --socket $SOCK job logs $id | grep -q early"
	ctl job cancel "$id" >/dev/null
	# unknown ids
	rc=0
	out=$(ctl job wait nosuchjob 2>&1) || rc=$?
	assert_eq "$rc" 125 "exit code for an unknown job"
	assert_eq "$out" "corralctl: JobWait: no such job: nosuchjob" "unknown job"
}

test_jobs_cancel_queued_and_running() {
	trap cleanup_sv EXIT
	start_sv --max-jobs 1
	local a b rc=0 t0 ms
	a=$(ctl job submit --stop-timeout 1 "$IMG" sleep 60)
	b=$(ctl job submit "$IMG" sleep 60)
	wait_for 10 sh -c "[ \"\$(\"$CORRALCTL\" --socket $SOCK --json job inspect $a | jq -r '.[0].container // empty')\" != '' ]"
	assert_eq "$(job_field "$b" .state)" queued "the second waits"
	assert_eq "$(ctl job cancel "$b")" "$b" "cancel prints the id"
	assert_eq "$(job_field "$b" .state)" cancelled "a queued job is cancelled at once"
	assert_eq "$(job_field "$b" .attempts)" 0 "and never ran"
	ctl job wait "$b" 2>"$T/err" && fail "job wait of a job that never ran exits 0"
	assert_contains "$(cat "$T/err")" cancelled "job wait says so"
	t0=$(date +%s%N)
	ctl job cancel "$a" >/dev/null
	ctl job wait "$a" >/dev/null || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 8000 ] || fail "cancelling a running job took $ms ms"
	assert_eq "$(job_field "$a" .state)" cancelled "a running job is cancelled"
	assert_eq "$rc" 137 "killed (sleep as pid 1 ignores SIGTERM)"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "its container is gone"
	# cancelling a finished job is an error that says why
	rc=0
	ctl job cancel "$a" 2>"$T/err" || rc=$?
	assert_eq "$rc" 125 "cancel of a finished job"
	assert_contains "$(cat "$T/err")" "it has finished" "why"
}

test_jobs_batch_every_result_and_fail_fast() {
	trap cleanup_sv EXIT
	start_sv --max-jobs 1
	local rc=0
	jq -n --arg i "$IMG" '[{image: $i, command: ["echo", "one"]}, {image: $i, command: ["sh", "-c", "exit 5"]},
		{image: $i, command: ["echo", "three"], name: "third"}]' >jobs.json
	ctl job batch jobs.json >"$T/out" || rc=$?
	assert_eq "$rc" 1 "a batch with a failure"
	assert_eq "$(jq -r '[.[].state] | join(",")' "$T/out")" succeeded,failed,succeeded "every result"
	assert_eq "$(jq -r '[.[].exitCode] | join(",")' "$T/out")" 0,5,0 "exit codes"
	assert_eq "$(jq -r '.[2].name' "$T/out")" third "the name"
	# --fail-fast: what comes after the failure is cancelled. The third ends
	# at once on its stop signal, and its slot is free: the fourth, still
	# queued, must not take it
	jq -n --arg i "$IMG" '[{image: $i, command: ["true"]}, {image: $i, command: ["sh", "-c", "exit 4"]},
		{image: $i, command: ["sh", "-c", "trap \"exit 1\" TERM; sleep 30 & wait"], stopTimeout: 1},
		{image: $i, command: ["true"]}]' >ff.json
	rc=0
	ctl job batch --fail-fast ff.json >"$T/out" || rc=$?
	assert_eq "$rc" 1 "fail-fast's exit code"
	assert_eq "$(jq -r '[.[].state] | join(",")' "$T/out")" succeeded,failed,cancelled,cancelled "fail-fast"
	assert_eq "$(jq -r '.[3].attempts' "$T/out")" 0 "the last never ran"
	# all good: exit 0
	jq -n --arg i "$IMG" '[{image: $i, command: ["true"]}, {image: $i, command: ["true"], retries: 1}]' >ok.json
	assert_eq "$(ctl job batch ok.json | jq -r '[.[].state] | join(",")')" succeeded,succeeded "all good"
}

# bad_batch JSON EXPECTED: a one-line error, nothing queued
bad_batch() {
	local rc=0 err
	printf '%s\n' "$1" >jobs.json
	err=$(ctl job batch jobs.json 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 125 "exit code for $1"
	assert_eq "$err" "corralctl: job batch: $2" "error for $1"
}

test_jobs_bad_input() {
	trap cleanup_sv EXIT
	start_sv
	local i="\"$IMG\""
	bad_batch "{\"image\": $i}" "jobs.json: must be a non-empty array of jobs"
	bad_batch "[]" "jobs.json: must be a non-empty array of jobs"
	bad_batch "[{\"image\": $i, \"command\": [\"true\"]}, {\"image\": $i, \"command\": [\"true\"]},
		{\"image\": $i, \"command\": \"true\"}]" "jobs.json: [2].command: must be a non-empty array of strings"
	bad_batch "[{\"image\": $i, \"command\": []}]" "jobs.json: [0].command: must be a non-empty array of strings"
	bad_batch "[{\"image\": $i, \"command\": [\"true\"], \"imag\": 1}]" "jobs.json: [0].imag: unknown field"
	bad_batch "[{\"image\": $i, \"command\": [\"true\"], \"retries\": \"two\"}]" \
		"jobs.json: [0].retries: must be an integer"
	bad_batch "[{\"image\": $i, \"command\": [\"true\"], \"retries\": 101}]" \
		"jobs.json: [0].retries: 101 is out of range [0, 100]"
	bad_batch "[{\"command\": [\"true\"]}]" "jobs.json: [0].image: is required"
	bad_batch "[1]" "jobs.json: [0]: must be an object (a job), not number"
	printf '[{"image": ' >jobs.json
	ctl job batch jobs.json 2>"$T/err" && fail "a batch that does not parse"
	assert_eq "$(wc -l <"$T/err")" 1 "one line for JSON that does not parse"
	assert_contains "$(cat "$T/err")" "jobs.json" "it names the file"
	assert_eq "$(ctl --json job ls | jq length)" 0 "nothing was queued"
	# submit: the same checks
	ctl job submit --retries 101 "$IMG" true 2>"$T/err" && fail "101 retries"
	assert_eq "$(cat "$T/err")" "corralctl: JobSubmit: job.retries: 101 is out of range [0, 100]" "submit"
	# an image that is not there: the job fails, saying why
	local id
	id=$(ctl job submit nosuchimage true)
	ctl job wait "$id" 2>"$T/err" && fail "a job of a missing image"
	assert_eq "$(job_field "$id" .state)" failed "state"
	assert_contains "$(job_field "$id" .error)" "NoSuchImage" "error"
	assert_contains "$(cat "$T/err")" "NoSuchImage" "job wait says why"
}

# A job's containers are made as the peer that submitted it: what
# CreateContainer checks for that peer holds, and the audit names it.
test_jobs_run_as_their_submitter() {
	trap cleanup_sv EXIT
	chmod 755 "$T"
	local g id
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local member=(setpriv --reuid 65534 --regid 65534 --clear-groups "$CORRALCTL" --socket "$SOCK")
	# the policy holds for jobs: a directory image is root's (corrald.conf(5))
	local bad rc=0
	bad=$("${member[@]}" job submit "$IMG" echo hi)
	"${member[@]}" job wait "$bad" >/dev/null 2>&1 || rc=$?
	assert_eq "$(job_field "$bad" .state)" failed "a member's job of a directory image"
	assert_contains "$(job_field "$bad" .error)" "PolicyViolation" "refused by the policy"
	assert_contains "$(grep '"PolicyViolation"\|PolicyViolation' "$STATE_D/audit.log" | tail -1)" '"uid":65534' \
		"the refusal is audited as the member's"
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	# root's jobs are not there for a member: not listed, not readable
	local rootjob
	rootjob=$(ctl job submit "$IMG" echo root-output)
	ctl job wait "$rootjob" >/dev/null
	"${member[@]}" job ls -q | grep -q "${rootjob:0:12}" && fail "a member lists root's job"
	rc=0
	"${member[@]}" job logs "$rootjob" >"$T/out" 2>&1 || rc=$?
	assert_eq "$rc" 125 "a member may not read root's job's logs"
	assert_not_contains "$(cat "$T/out")" root-output "nor see its output"
	id=$("${member[@]}" job submit img:1 echo hi)
	assert_eq "$("${member[@]}" job wait "$id")" 0 "a group member's job"
	assert_eq "$(job_field "$id" .uid)" 65534 "the job keeps its submitter"
	local created
	created=$(grep '"method":"io.corral.Supervisor.CreateContainer"' "$STATE_D/audit.log" | grep "job-$id-1")
	assert_contains "$created" '"uid":65534' "its CreateContainer is the member's, audited"
	assert_contains "$created" '"result":"ok"' "and it was made"
	assert_contains "$(grep '"method":"io.corral.Supervisor.Remove"' "$STATE_D/audit.log" | tail -1)" '"uid":65534' \
		"its Remove too"
}

# kill -9 of corrald while one job runs and two wait: all three complete,
# in order, with their results, after a restart.
test_jobs_queue_survives_kill_9() {
	trap cleanup_sv EXIT
	start_sv --max-jobs 1
	local a b c
	a=$(ctl job submit "$IMG" sh -c 'sleep 2; echo first')
	b=$(ctl job submit "$IMG" sh -c 'echo second; exit 3')
	c=$(ctl job submit "$IMG" echo third)
	wait_for 10 sh -c "[ \"\$(\"$CORRALCTL\" --socket $SOCK --json job inspect $a | jq -r '.[0].container // empty')\" != '' ]"
	sleep 0.3
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	assert_eq "$(jq -r .state "$STATE_D/jobs/$b.json")" queued "queued on disk"
	start_sv --max-jobs 1
	assert_eq "$(ctl job wait "$a")" 0 "the running job, picked up again"
	assert_eq "$(ctl job logs "$a")" first "its output"
	assert_eq "$(job_field "$a" .attempts)" 1 "not run twice"
	local rc=0
	ctl job wait "$b" >/dev/null || rc=$?
	assert_eq "$rc" 3 "the second"
	assert_eq "$(ctl job wait "$c")" 0 "the third"
	assert_eq "$(ctl job logs "$c")" third "its output"
	# in order, one at a time
	[ "$(ns_of "$(job_field "$b" '.attemptStarts[0]')")" -ge "$(ns_of "$(job_field "$a" .finishedAt)")" ] ||
		fail "the second started before the first had finished"
	[ "$(ns_of "$(job_field "$c" '.attemptStarts[0]')")" -ge "$(ns_of "$(job_field "$b" .finishedAt)")" ] ||
		fail "the third started before the second had finished"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "no container left"
}

# After a restart a job finds its container by the id it recorded, else by
# its label: only among its owner's containers. A running container of
# root's that carries a member's job's label is not adopted as that job:
# the member neither reads its output nor reaches it.
test_jobs_adopt_only_their_owners_container() {
	trap cleanup_sv EXIT
	chmod 755 "$T"
	local g id cj
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local member=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	id=$("${member[@]}" job submit img:1 sleep 100)
	wait_for 10 sh -c "[ \"\$(\"$CORRALCTL\" --socket $SOCK --json job inspect $id | jq -r '.[0].container // empty')\" != '' ]"
	cj=$(job_field "$id" .container)
	ctl run -d --name forged -l "io.corral.job=$id" img:1 sh -c 'echo root-output; sleep 100' >/dev/null
	wait_for 5 sh -c "\"$CORRALCTL\" --socket $SOCK logs forged | grep -q root-output"
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	# as if corrald went before the job saved its container: only a label
	# leads to one, and only root's container carries it
	jq 'del(.container)' "$STATE_D/jobs/$id.json" >"$T/job.json" && cat "$T/job.json" >"$STATE_D/jobs/$id.json"
	jq '.spec.labels |= del(.["io.corral.job"])' "$STATE_D/containers/$cj/record.json" >"$T/rec.json" &&
		cat "$T/rec.json" >"$STATE_D/containers/$cj/record.json"
	start_sv --group "$g"
	"${member[@]}" job wait "$id" >/dev/null 2>&1 || true
	assert_not_contains "$("${member[@]}" job logs "$id" 2>&1)" root-output "root's output is not the member's job's"
	assert_not_contains "$(job_field "$id" .container)" "$(ctl --json inspect forged | jq -r '.[0].id')" \
		"root's container is not the job's"
	assert_contains "$(job_field "$id" .error)" "lost while corrald was down" "the job lost its container"
	assert_eq "$(ctl --json inspect forged | jq -r '.[0].state.status')" running "root's container runs on"
}

# Attack: a member fills the queue past its quota (unprivileged.max_jobs,
# lowered to 5) with jobs that stay queued behind root's one running job.
# The 6th, and a batch that would pass the quota, are refused naming the
# quota and the count, audited; a finished (cancelled) job frees its place;
# a second member and root still submit.
test_jobs_member_quota_of_unfinished_jobs() {
	trap cleanup_sv EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	echo '{"unprivileged": {"max_jobs": 5}}' >"$T/p.json"
	start_sv --group "$g" --policy "$T/p.json" --max-jobs 1
	local m1=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local m2=(setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	local blocker ids=() i out rc
	blocker=$(ctl job submit --stop-timeout 1 img:1 sleep 1000)
	wait_for 20 sh -c "[ \"\$(\"$CORRALCTL\" --socket $SOCK --json job inspect $blocker | jq -r '.[0].state')\" = running ]"
	for i in 1 2 3 4 5; do ids+=("$("${m1[@]}" job submit img:1 sleep 1000)") || fail "the member's job $i"; done
	rc=0
	out=$("${m1[@]}" job submit img:1 sleep 1000 2>&1) || rc=$?
	assert_eq "$rc" 125 "the 6th job's exit code"
	assert_contains "$out" "JobSubmit: refused by policy: job: jobs: 5 already" "the 6th: the field and the count"
	assert_contains "$out" "unprivileged.max_jobs=5" "the 6th: the quota"
	assert_eq "$("${m1[@]}" --json job ls | jq '[.[] | select(.state == "queued")] | length')" 5 "five queued"
	# a batch: all or none, counted as a whole
	"${m1[@]}" job cancel "${ids[0]}" "${ids[1]}" >/dev/null
	jq -n '[range(3) | {image: "img:1", command: ["sleep", "1000"]}]' >"$T/three.json"
	jq -n '[range(2) | {image: "img:1", command: ["sleep", "1000"]}]' >"$T/two.json"
	out=$("${m1[@]}" call JobBatch "{\"jobs\":$(cat "$T/three.json")}" 2>&1) && fail "a batch past the quota: $out"
	assert_contains "$out" PolicyViolation "a batch of 3 at 3 of 5"
	assert_contains "$out" "and this asks for more" "the batch's count"
	assert_eq "$("${m1[@]}" --json job ls | jq '[.[] | select(.state == "queued")] | length')" 3 "none of it queued"
	"${m1[@]}" call JobBatch "{\"jobs\":$(cat "$T/two.json")}" >/dev/null || fail "a batch of 2 at 3 of 5"
	out=$("${m1[@]}" job submit img:1 sleep 1000 2>&1) && fail "a 6th after the batch: $out"
	# each member has its own quota; root has none
	for i in 1 2 3 4 5; do "${m2[@]}" job submit img:1 sleep 1000 >/dev/null || fail "the second member's job $i"; done
	for i in $(seq 8); do ctl job submit img:1 sleep 1000 >/dev/null || fail "root's job $i"; done
	local a
	a=$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | grep JobSubmit | head -1)
	assert_contains "$a" '"uid":65534' "audited: the peer"
	assert_contains "$a" "limit=unprivileged.max_jobs=5" "audited: the quota"
	assert_eq "$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | grep -c '"uid":65534')" 3 "every refusal audited"
	ctl job cancel "$blocker" >/dev/null
}

# A job's command is kept in memory and listed: at most 64 KiB in all
# (each argument and its NUL). One of exactly 65536 bytes is queued; one
# byte more is refused, naming the field, for root too, by submit and by
# batch, and nothing is queued.
test_jobs_command_of_at_most_64k() {
	trap cleanup_sv EXIT
	start_sv --max-jobs 1
	local a4095 args=() out rc=0 i
	a4095=$(head -c 4095 /dev/zero | tr '\0' a)
	for i in $(seq 15); do args+=("$a4095"); done
	# "echo" 5 + 15 x 4096 + 4091 = 65536
	out=$(ctl job submit nosuchimage echo "${args[@]}" "${a4095:0:4091}" 2>&1) || rc=$?
	assert_eq "$rc" 125 "exit code"
	assert_eq "$out" "corralctl: JobSubmit: job.command: 65537 bytes; at most 65536 in all" "the error"
	jq -n --arg b "$a4095" '[{image: "nosuchimage", command: ["true"]},
		{image: "nosuchimage", command: (["echo"] + [range(16) | $b])}]' >"$T/b.json"
	out=$(ctl job batch "$T/b.json" 2>&1) && fail "a batch with a large command"
	assert_contains "$out" "b.json: [1].command: 65541 bytes; at most 65536 in all" "the batch's error"
	assert_eq "$(ctl --json job ls | jq length)" 0 "nothing queued"
	ctl job submit nosuchimage echo "${args[@]}" "${a4095:0:4090}" >/dev/null || fail "a command of 65536 bytes"
}

# JobList, page by page, through a raw connection: "PAGES n1 n2 ...",
# "BYTES b1 b2 ..." (each reply's size), then each job's id, one a line.
list_raw() { # PARAMS-OF-THE-FIRST-CALL
	python3 - "$SOCK" "$1" <<-'EOF'
	import json, socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	buf, params, pages, sizes, ids = b"", json.loads(sys.argv[2]), [], [], []
	while True:
	    s.sendall(json.dumps({"method": "io.corral.Supervisor.JobList", "parameters": params}).encode() + b"\0")
	    while b"\0" not in buf:
	        chunk = s.recv(1 << 20)
	        if not chunk:
	            sys.exit("corrald hung up")
	        buf += chunk
	    msg, buf = buf.split(b"\0", 1)
	    rep = json.loads(msg)
	    if "error" in rep:
	        sys.exit(rep["error"])
	    p = rep["parameters"]
	    pages.append(len(p["jobs"]))
	    sizes.append(len(msg))
	    ids += [j["id"] for j in p["jobs"]]
	    if "next" not in p:
	        break
	    assert p["next"] == ids[-1], "next is the page's last job"
	    params = {"after": p["next"]}
	print("PAGES", *pages)
	print("BYTES", *sizes)
	print(*ids, sep="\n")
	EOF
}

# Regression: 60 jobs whose commands are 60000 control bytes each (each
# byte \u0001 in JSON: 360 kB a job, 21 MiB in all) made JobList's one
# reply larger than a peer reads (16 MiB), and job ls failed. Each page is
# now at most about 1 MiB (and one job); job ls fetches them all, in order;
# a raw call with no parameters gets the first page and next; limit and
# after page by count; an after that is no job of the peer's is NoSuchJob.
test_jobs_list_pages_stay_under_the_message_size() {
	trap cleanup_sv EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --max-jobs 1 --group "$g"
	local blocker ids=() i arg args=() out
	blocker=$(ctl job submit --stop-timeout 1 "$IMG" sleep 1000)
	arg=$(head -c 4000 /dev/zero | tr '\0' '\001')
	for i in $(seq 15); do args+=("$arg"); done
	for i in $(seq 60); do ids+=("$(ctl job submit --name "big$i" nosuchimage "${args[@]}")"); done
	ctl job ls -q >"$T/ls" || fail "job ls of 61 jobs: $(cat "$T/ls")"
	assert_eq "$(cat "$T/ls")" "$(printf '%s\n' "$blocker" "${ids[@]}" | cut -c1-12)" "job ls lists every job, in order"
	assert_eq "$(ctl --json job ls | jq -c '[length, (.[1:] | map(.command | map(length) | add) | unique)]')" \
		"[61,[60000]]" "job ls --json: every job, its command whole"
	list_raw '{}' >"$T/raw" || fail "the raw listing"
	assert_eq "$(tail -n +3 "$T/raw")" "$(printf '%s\n' "$blocker" "${ids[@]}")" "the raw pages: every job, in order"
	local pages bytes max
	pages=$(sed -n 's/^PAGES //p' "$T/raw")
	bytes=$(sed -n 's/^BYTES //p' "$T/raw")
	echo "JobList of 61 jobs of 360 kB each in JSON: pages of $pages jobs, $bytes bytes" |
		tee -a "$B/results/jobs_figures.txt" >&2
	max=$(tr ' ' '\n' <<<"$bytes" | sort -n | tail -1)
	[ "$max" -le $((1536 * 1024)) ] || fail "a page of $max bytes: past 1 MiB and one job"
	[ "$(wc -w <<<"$pages")" -ge 16 ] || fail "$pages: fewer pages than 21 MiB of jobs needs"
	# by count; what a member may name as after
	out=$(ctl call JobList '{"limit": 2}')
	assert_eq "$(jq -c '[(.jobs | map(.id)), .next]' <<<"$out")" "[[\"$blocker\",\"${ids[0]}\"],\"${ids[0]}\"]" "limit 2"
	assert_eq "$(ctl call JobList "{\"limit\": 1, \"after\": \"${ids[58]}\"}" | jq -c '[(.jobs | map(.id)), .next]')" \
		"[[\"${ids[59]}\"],null]" "the last page has no next"
	out=$(ctl call JobList '{"after": "0123456789abcdef"}' 2>&1) && fail "an after of no job: $out"
	assert_contains "$out" NoSuchJob "an after of no job"
	out=$(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" call JobList \
		"{\"after\": \"$blocker\"}" 2>&1) && fail "a member paged after root's job: $out"
	assert_contains "$out" NoSuchJob "root's job is no cursor for a member"
	out=$(ctl call JobList '{"limit": 0}' 2>&1) && fail "limit 0: $out"
	assert_contains "$out" limit "limit 0 is refused"
	ctl job cancel "$blocker" >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
