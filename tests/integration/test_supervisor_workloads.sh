#!/bin/bash
# Declarative workloads: Kubernetes manifests applied with corralctl, kept
# by corrald's reconcile loop (repair, scale, rollout one replica at a
# time, delete), across a kill -9 of corrald, with policy on every
# container it makes, and bad manifests refused with their file, line and
# field path.
# time: about 90 s (14 cases): deployments converge, roll out and repair through probes and restarts, each with a corrald of its own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/workloads_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
. "$(dirname "$0")/network_lib.sh"

start_wl() {
	trap cleanup_workloads EXIT
	start_sv "$@"
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	ctl image import "oci:$IMGS/oci:test" bb:2 >/dev/null
}

# start_wl with the group of gid 65534, whose member wl_member runs as
start_wl_members() {
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_wl --group "$g"
}
wl_member() { setpriv --reuid 65534 --regid 65534 --clear-groups "$CORRALCTL" --socket "$SOCK" "$@"; }

# deployment NAME REPLICAS IMAGE [ENV VALUE]: a Deployment of sleepers,
# each with a liveness probe, so that "ready" means healthy
deployment() {
	cat <<-EOF
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: $1
	  labels:
	    app: $1
	spec:
	  replicas: $2
	  selector:
	    matchLabels:
	      app: $1
	  template:
	    metadata:
	      labels:
	        app: $1
	        tier: pod
	    spec:
	      containers:
	      - name: main
	        image: $3
	        command: ["sleep", "1000"]
	        env:
	        - name: VERSION
	          value: "${4:-one}"
	        livenessProbe:
	          exec:
	            command: ["true"]
	          periodSeconds: 1
	          failureThreshold: 1
	EOF
}

# the workload's containers running and healthy, by what each container says
healthy_members() {
	ctl --json ps | jq "[.[] | select(.labels[\"io.corral.workload\"] == \"$1\" and .state.status == \"running\" and .state.health.status == \"healthy\")] | length"
}

# 3 replicas converge; one removed by hand comes back; scale to 5 and to 1;
# delete -f takes everything away.
test_wl_deployment_converges_repairs_scales() {
	start_wl
	deployment web 3 bb:1 >"$T/web.yaml"
	assert_eq "$(ctl apply -f "$T/web.yaml")" "deployment/web created" "apply says what it did"
	wait_for 60 converged web 3 || fail "3 replicas did not converge: $(ctl describe workload web)"
	assert_eq "$(members web)" 3 "three containers"
	assert_eq "$(sessions_of web)" 3 "three replica sessions"
	assert_eq "$(ctl --json ps | jq -r '[.[] | .labels.tier] | unique | join(",")')" pod "the pods carry the template's labels"
	assert_eq "$(ctl apply -f "$T/web.yaml")" "deployment/web unchanged" "apply again changes nothing"
	# a label of the workload only: configured, nothing rolled
	local tmpl
	tmpl=$(field web template)
	sed '0,/^    app: web$/s//    app: web\n    tier: front/' "$T/web.yaml" >"$T/web-labelled.yaml"
	assert_eq "$(ctl apply -f "$T/web-labelled.yaml")" "deployment/web configured" "a label changed"
	assert_eq "$(field web template)" "$tmpl" "the template is the same: no rollout"
	local victim
	victim=$(ctl --json ps | jq -r '[.[] | select(.labels["io.corral.workload"] == "web")][0].name')
	ctl rm -f "$victim" >/dev/null
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps | jq '[.[] | select(.labels[\"io.corral.workload\"] == \"web\" and .state.status == \"running\")] | length')\" = 3 ]" ||
		fail "the removed replica was not made again"
	assert_eq "$(sessions_of web)" 3 "no replica session left over from the removed one"
	ctl --json ps -a | jq -r '.[].name' | grep -qx "$victim" && fail "$victim is back under its old name"
	deployment web 5 bb:1 >"$T/web.yaml"
	local diff rc=0
	diff=$(ctl diff -f "$T/web.yaml") || rc=$?
	assert_eq "$rc" 1 "diff exits 1 when apply would change something"
	assert_contains "$diff" "replicas: 3 -> 5" "diff shows the field"
	assert_eq "$(field web replicas)" 3 "diff changes nothing"
	ctl apply -f "$T/web.yaml" >/dev/null
	wait_for 60 converged web 5 || fail "did not scale to 5"
	assert_eq "$(members web)" 5 "five containers"
	deployment web 1 bb:1 >"$T/web.yaml"
	ctl apply -f "$T/web.yaml" >/dev/null
	wait_for 60 converged web 1 || fail "did not scale to 1"
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps -a | jq '[.[] | select(.labels[\"io.corral.workload\"] == \"web\")] | length')\" = 1 ]" ||
		fail "the extra replicas were not removed"
	assert_contains "$(ctl metrics)" 'corral_workload_replicas_ready{workload="web"} 1' "the ready gauge"
	assert_contains "$(ctl events --since 5m --until 0s --filter type=workload)" "replica-create" "actions are events"
	assert_eq "$(ctl delete -f "$T/web.yaml")" "workload/web deleted" "delete -f"
	assert_eq "$(members web)" 0 "no container left"
	assert_eq "$(sessions_of web)" 0 "no replica session left"
	assert_eq "$(ls "$STATE_D/workloads")" "" "no desired state left"
	# a removed replica's monitor ends a moment after its record goes
	# (a full run saw two still there at delete's answer)
	wait_for 10 no_process_but_corrald ||
		fail "processes left: $(for p in $(leaked_processes "$T" | grep -vx "$CORRALD_PID"); do echo "$p $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"; done)"
}
no_process_but_corrald() { [ -z "$(leaked_processes "$T" | grep -vx "$CORRALD_PID")" ]; }

# A Pod named as a running Deployment (and the other way) is refused and
# touches nothing: its replicas are found by name, and kubectl keeps kinds
# apart. get, describe and delete take KIND/NAME; delete -f of the Pod's
# file deletes no Deployment.
test_wl_kinds_apart() {
	start_wl
	deployment web 2 bb:1 >"$T/web.yaml"
	ctl apply -f "$T/web.yaml" >/dev/null
	wait_for 60 converged web 2 || fail "2 replicas did not converge: $(ctl describe workload web)"
	local before out rc=0
	before=$(ctl --json ps | jq -r '[.[] | select(.labels["io.corral.workload"] == "web") | .id] | sort | join(",")')
	cat >"$T/pod.yaml" <<-EOF
	apiVersion: v1
	kind: Pod
	metadata: {name: web}
	spec:
	  containers:
	  - {name: main, image: bb:1, command: ["sleep", "1000"]}
	EOF
	out=$(ctl apply -f "$T/pod.yaml" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "a Pod named as the Deployment was applied: $out"
	assert_contains "$out" "pod/web: a Deployment named web is there: delete deployment/web first" "the refusal says why"
	rc=0
	out=$(ctl diff -f "$T/pod.yaml" 2>&1) || rc=$?
	assert_contains "$out" "a Deployment named web is there" "diff refuses it too"
	assert_eq "$(field web kind)" Deployment "still a Deployment"
	out=$(ctl delete --wait false -f "$T/pod.yaml")
	assert_eq "$out" "" "delete -f of the Pod deletes nothing"
	rc=0
	ctl delete --wait false pod/web >/dev/null 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "delete pod/web deleted the Deployment"
	! ctl get pod/web >/dev/null 2>&1 || fail "get pod/web found the Deployment"
	assert_eq "$(ctl --json get deployment/web | jq -r '.[].name')" web "get deployment/web"
	assert_eq "$(ctl --json get pods | jq length)" 0 "get pods: none"
	assert_contains "$(ctl describe deploy/web)" "Kind:        Deployment" "describe deploy/web"
	out=$(ctl get nodes 2>&1) && fail "get nodes answered: $out"
	assert_contains "$out" "nodes: takes KIND or KIND/NAME" "an unknown kind is named"
	wait_for 30 converged web 2 || fail "the Deployment lost replicas: $(ctl describe workload web)"
	assert_eq "$(ctl --json ps | jq -r '[.[] | select(.labels["io.corral.workload"] == "web") | .id] | sort | join(",")')" \
		"$before" "the same replicas run"
	assert_eq "$(ctl delete deployment/web)" "workload/web deleted" "delete deployment/web"
	assert_eq "$(members web)" 0 "no container left"
	# and the other way: a Deployment named as a Pod that runs
	ctl apply -f "$T/pod.yaml" >/dev/null
	wait_for 60 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get pods | jq -r '.[0].ready')\" = 1 ]" ||
		fail "the Pod did not start: $(ctl describe pod/web)"
	rc=0
	out=$(ctl apply -f "$T/web.yaml" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "a Deployment named as the Pod was applied"
	assert_contains "$out" "deployment/web: a Pod named web is there: delete pod/web first" "the refusal says why"
	assert_eq "$(members web)" 1 "the Pod's container stays"
}

# A changed image, then a changed env, roll the replicas one at a time:
# never fewer than 2 of 3 healthy on the way.
test_wl_rollout_keeps_two_healthy() {
	start_wl
	deployment roll 3 bb:1 >"$T/roll.yaml"
	ctl apply -f "$T/roll.yaml" >/dev/null
	wait_for 60 converged roll 3 || fail "did not converge"
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps | jq '[.[] | select(.state.health.status == \"healthy\")] | length')\" = 3 ]" ||
		fail "the probes never passed"
	local step min
	for step in "bb:2 one" "bb:2 two"; do
		# shellcheck disable=SC2086
		deployment roll 3 $step >"$T/roll.yaml"
		local old
		old=$(field roll template)
		assert_contains "$(ctl apply -f "$T/roll.yaml")" "configured" "apply of $step"
		min=3
		for _ in $(seq 600); do
			local h
			h=$(healthy_members roll)
			[ "$h" -lt "$min" ] && min=$h
			[ "$(field roll status)" = converged ] && [ "$(field roll template)" != "$old" ] &&
				[ "$(ctl --json ps -a | jq "[.[] | select(.labels[\"io.corral.template\"] == \"$old\")] | length")" = 0 ] && break
			sleep 0.1
		done
		assert_eq "$(field roll status)" converged "the rollout of $step finished"
		[ "$min" -ge 2 ] || fail "only $min healthy replicas during the rollout of $step"
		assert_eq "$(members roll)" 3 "three containers after the rollout of $step"
	done
	assert_eq "$(ctl --json ps | jq -r '[.[] | .image] | unique | join(",")')" "localhost/bb:2" "every replica runs the new image"
	assert_eq "$(ctl exec "$(ctl --json ps | jq -r '.[0].name')" sh -c 'echo $VERSION')" two "and the new env"
}

# kill -9 of corrald in the middle of a rollout: once it is back, the
# rollout finishes with three replicas, none twice, none orphaned.
test_wl_kill9_mid_rollout() {
	start_wl
	deployment k 3 bb:1 >"$T/k.yaml"
	ctl apply -f "$T/k.yaml" >/dev/null
	wait_for 60 converged k 3 || fail "did not converge"
	deployment k 3 bb:2 >"$T/k.yaml"
	ctl apply -f "$T/k.yaml" >/dev/null
	wait_for 30 sh -c "$CORRALCTL --socket $SOCK --json ps -a | jq -e '[.[] | select(.image == \"localhost/bb:2\")] | length > 0' >/dev/null" ||
		fail "the rollout did not start"
	local old_left
	old_left=$(ctl --json ps -a | jq '[.[] | select(.image == "localhost/bb:1")] | length')
	kill -9 "$CORRALD_PID"
	[ "$old_left" -ge 1 ] || fail "the rollout was over before the kill: not a test of a rollout cut short"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	wait_for 90 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps -a | jq -r '[.[] | .image] | unique | join(\",\")')\" = localhost/bb:2 ]" ||
		fail "the rollout did not finish: $(ctl describe workload k)"
	wait_for 60 converged k 3 || fail "did not converge again"
	assert_eq "$(members k)" 3 "three containers: none twice"
	assert_eq "$(sessions_of k)" 3 "three sessions: none orphaned"
	assert_eq "$(ctl --json session ls | jq length)" 3 "no other session"
	# a delete cut short by kill -9 goes on after the restart
	ctl delete workload --wait false k >/dev/null
	kill -9 "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	wait_for 60 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get workloads | jq length)\" = 0 ]" ||
		fail "the delete did not go on: $(ctl get workloads)"
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps -a | jq length)\" = 0 ]" || fail "replicas left"
	assert_eq "$(ctl --json session ls | jq length)" 0 "no session left"
}

# A Pod's containers share localhost; the Pod is one session.
test_wl_pod_shares_localhost() {
	start_wl
	cat >"$T/pod.yaml" <<-EOF
	apiVersion: v1
	kind: Pod
	metadata:
	  name: duo
	spec:
	  containers:
	  - name: server
	    image: bb:1
	    # the line read, to its stdout (fd 3: nc -e gives the program the
	    # socket as 0 and 1), before the answer: busybox's nc fed by a pipe
	    # could close at that pipe's end, before it read the client's line
	    command:
	    - sh
	    - -c
	    - exec 3>&1; while :; do nc -l -p 8080 -e sh -c 'read -r l; echo "\$l" >&3; echo pong'; done
	  - name: client
	    image: bb:1
	    command: ["sleep"]
	    args: ["1000"]
	    workingDir: /tmp
	    env:
	    - name: ROLE
	      value: client
	    securityContext:
	      runAsUser: 1000
	      runAsGroup: 1000
	      readOnlyRootFilesystem: true
	      capabilities:
	        drop: ["ALL"]
	EOF
	assert_eq "$(ctl apply -f "$T/pod.yaml")" "pod/duo created" "apply of a Pod"
	wait_for 60 converged duo 1 || fail "the pod did not converge"
	assert_eq "$(sessions_of duo)" 1 "one session"
	local client
	client=$(ctl --json ps | jq -r '.[] | select(.labels["io.corral.container"] == "client") | .name')
	wait_for 10 sh -c "$CORRALCTL --socket $SOCK exec $client sh -c 'echo ping | nc -w 1 127.0.0.1 8080' | grep -q pong" ||
		fail "the client did not reach the server on localhost"
	# the container's fields, as CreateContainer got them
	assert_eq "$(ctl exec "$client" id -u):$(ctl exec "$client" id -g)" 1000:1000 "runAsUser, runAsGroup"
	assert_eq "$(ctl exec "$client" sh -c 'echo $ROLE')" client "env"
	ctl exec "$client" touch /x 2>/dev/null && fail "readOnlyRootFilesystem: / is writable"
	assert_eq "$(ctl exec "$client" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')" 0000000000000000 "capabilities.drop ALL"
	local cfg
	cfg=$(ctl --json inspect "$client" | jq -c '.[0].config | {entrypoint, command}')
	assert_eq "$cfg" '{"entrypoint":["sleep"],"command":["1000"]}' "command and args"
	assert_eq "$(ctl exec "$client" pwd)" /tmp "workingDir"
	# logs and exec by the workload, as kubectl logs pod/NAME -c C
	assert_eq "$(ctl exec -c client duo sh -c 'echo $ROLE')" client "exec -c C WORKLOAD"
	assert_eq "$(ctl exec -c client pod/duo id -u)" 1000 "exec -c C pod/NAME"
	# (the server wrote "ping" before it answered; its monitor logs it a moment after)
	wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' logs duo -c server | grep -q ping" ||
		fail "logs WORKLOAD -c C: no ping in [$(ctl logs duo -c server 2>&1)]"
	assert_contains "$(ctl logs deploy/duo 2>&1)" 'Defaulted container "server" out of: server, client' "the first container"
	local e
	e=$(ctl logs duo -c nope 2>&1) && fail "a container the workload lacks"
	assert_eq "$e" 'corralctl: logs: workload duo has no container "nope" (it has: server, client)' "-c of no container"
	e=$(ctl exec deploy/nosuch true 2>&1) && fail "exec in no workload"
	assert_eq "$e" "corralctl: exec: no such workload: nosuch" "no such workload"
	# a container's own name wins over a workload's
	ctl run -d --name duo bb:1 sh -c 'echo mine; exec sleep 1000' >/dev/null
	wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' logs duo | grep -q mine" || fail "logs NAME: not the container"
	assert_contains "$(ctl logs pod/duo -c server)" ping "pod/NAME is the workload still"
}

# resources.limits land in the replica's cgroup (the VM tier: controllers).
test_wl_limits_enforced() {
	need_memory_controller
	start_wl
	cat >"$T/lim.yaml" <<-EOF
	apiVersion: v1
	kind: Pod
	metadata:
	  name: lim
	spec:
	  containers:
	  - name: hog
	    image: bb:1
	    command: ["sleep", "1000"]
	    resources:
	      limits:
	        memory: 64Mi
	        cpu: 500m
	EOF
	ctl apply -f "$T/lim.yaml" >/dev/null
	wait_for 60 converged lim 1 || fail "did not converge: $(ctl describe workload lim)"
	local pid cg root=/sys/fs/cgroup/unified
	[ -d "$root" ] || root=/sys/fs/cgroup
	pid=$(ctl --json ps | jq -r '.[0].state.pid')
	cg=$root$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	assert_eq "$(cat "$cg/memory.max")" 67108864 "memory.max of limits.memory 64Mi"
	assert_eq "$(cat "$cg/cpu.max")" "50000 100000" "cpu.max of limits.cpu 500m"
	local rc=0
	# dd's one buffer of 128 MiB, filled by the kernel: a shell growing a
	# string through tr at the 0.5 CPU of the limit took 70 s under TCG
	ctl exec "$(ctl --json ps | jq -r '.[0].name')" sh -c 'dd if=/dev/zero of=/dev/null bs=128M count=1 && echo survived' || rc=$?
	assert_eq "$rc" 137 "128 MiB under a 64 MiB limit: the OOM killer's SIGKILL"
}

# Bad manifests: refused with the file, the line and the field path;
# nothing applied.
test_wl_bad_manifests() {
	start_wl
	deployment bad 1 bb:1 >"$T/bad.yaml"
	sed -i 's/^\(\s*\)image: bb:1/&\n\1lifecycle: {}/' "$T/bad.yaml"
	local out line
	line=$(grep -n lifecycle "$T/bad.yaml" | cut -d: -f1)
	out=$(ctl apply -f "$T/bad.yaml" 2>&1) && fail "an unsupported field was applied"
	assert_contains "$out" "bad.yaml:$line: spec.template.spec.containers[0].lifecycle: not supported" "its path and line"
	printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [\n' >"$T/broken.yaml"
	out=$(ctl apply -f "$T/broken.yaml" 2>&1) && fail "bad YAML was applied"
	assert_contains "$out" "broken.yaml:" "bad YAML names the file"
	printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n' >"$T/svc.yaml"
	out=$(ctl apply -f "$T/svc.yaml" 2>&1) && fail "a Service was applied"
	assert_contains "$out" "kind" "an unknown kind is named"
	assert_eq "$(ctl --json get workloads | jq length)" 0 "nothing applied"
	# the parse is corrald's: a client that skips corralctl's file reading is refused the same
	out=$("$CORRALCTL" --socket "$SOCK" call io.corral.Supervisor.WorkloadApply \
		"$(jq -n --rawfile t "$T/bad.yaml" '{file: "raw.yaml", text: $t}')" 2>&1) && fail "corrald applied it"
	assert_contains "$out" "raw.yaml:$line: spec.template.spec.containers[0].lifecycle: not supported" "corrald's error"
}

# A workload that cannot converge (an image not in the store) says why in
# describe, and the loop backs off rather than spinning.
test_wl_backoff_with_reason() {
	start_wl
	deployment ghost 2 nosuch:1 >"$T/ghost.yaml"
	ctl apply -f "$T/ghost.yaml" >/dev/null
	wait_for 10 backing_off ghost NoSuchImage || fail "no reason while backing off: $(ctl describe workload ghost)"
	assert_contains "$(ctl describe workload ghost)" "NoSuchImage" "describe says why"
	local a1 a2
	a1=$(field ghost actions)
	sleep 3
	a2=$(field ghost actions)
	[ $((a2 - a1)) -le 4 ] || fail "the loop spins: $a1 then $a2 actions in 3 s"
	assert_eq "$(members ghost)" 0 "no half-made container"
	assert_eq "$(sessions_of ghost)" 0 "no half-made session"
}

# Policy holds for every container the loop makes, as the peer that
# applied it: a member's hostPath of / is refused, and the refusal is the
# workload's reason.
test_wl_policy_applies() {
	start_wl_members
	deployment hp 1 bb:1 >"$T/hp.yaml"
	cat >>"$T/hp.yaml" <<-EOF
	        volumeMounts:
	        - name: root
	          mountPath: /host
	      volumes:
	      - name: root
	        hostPath:
	          path: /
	EOF
	wl_member apply -f "$T/hp.yaml" >/dev/null || fail "a member could not apply"
	wait_for 10 sh -c "setpriv --reuid 65534 --regid 65534 --clear-groups $CORRALCTL --socket $SOCK describe workload hp | grep -q 'Reason:.*PolicyViolation'" ||
		fail "the policy did not refuse it: $(wl_member describe workload hp)"
	assert_eq "$(members hp)" 0 "no container of it"
	assert_contains "$(grep PolicyViolation "$STATE_D/audit.log" | tail -1)" '"uid":65534' "audited as the member's"
	assert_eq "$(ctl --json get workloads | jq -r '.[].name')" hp@65534 "root sees it, as NAME@UID"
	wl_member --json get workloads | jq -e 'length == 1' >/dev/null || fail "the member sees its own"
}

# A hostPath's type is checked as the kubelet checks it, and a
# DirectoryOrCreate's missing directory is made (0755); a path of another
# type is the workload's reason, and no container of it is made.
test_wl_host_path_types() {
	start_wl
	echo f >"$T/afile"
	deployment typed 1 bb:1 >"$T/typed.yaml"
	cat >>"$T/typed.yaml" <<-EOF
	        volumeMounts:
	        - {name: made, mountPath: /made}
	        - {name: file, mountPath: /file}
	      volumes:
	      - name: made
	        hostPath: {path: "$T/new/deep", type: DirectoryOrCreate}
	      - name: file
	        hostPath: {path: "$T/afile", type: File}
	EOF
	ctl apply -f "$T/typed.yaml" >/dev/null || fail "apply"
	wait_for 20 eval '[ "$(healthy_members typed)" = 1 ]'
	assert_eq "$(stat -c '%a %F' "$T/new/deep")" "755 directory" "DirectoryOrCreate made it"
	local id
	id=$(ctl --json ps | jq -r '.[] | select(.labels["io.corral.workload"] == "typed") | .id')
	assert_eq "$(ctl exec "$id" sh -c 'echo w >/made/x && cat /file')" f "both bound"
	deployment wrong 1 bb:1 >"$T/wrong.yaml"
	cat >>"$T/wrong.yaml" <<-EOF
	        volumeMounts:
	        - {name: d, mountPath: /d}
	      volumes:
	      - name: d
	        hostPath: {path: "$T/afile", type: Directory}
	EOF
	ctl apply -f "$T/wrong.yaml" >/dev/null || fail "apply"
	wait_for 10 backing_off wrong "is not a directory" || fail "no reason: $(ctl describe workload wrong)"
	assert_eq "$(members wrong)" 0 "no container of it"
}

# A hostPort is published by the replica's session (its containers share
# its network namespace) on corral's CNI network; delete takes the rules back.
test_wl_host_port() {
	need_cni
	trap cleanup_workloads EXIT
	start_sv_netns
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	# the first attachment with a port makes the bridge and CNI's chains
	# (portmap's CNI-HOSTPORT-* too), which stay, as with podman
	ctl session create -p 18099:80 warm >/dev/null
	ctl session rm -f warm >/dev/null
	local before
	wait_for 10 sh -c "[ ! -e '$STATE_D/sessions/warm' ]"
	before=$(net_state)
	cat >"$T/hp.yaml" <<-EOF
	apiVersion: v1
	kind: Pod
	metadata:
	  name: www
	spec:
	  containers:
	  - name: httpd
	    image: bb:1
	    command: ["sh", "-c", "mkdir -p /tmp/w && echo hello from the pod >/tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w"]
	    ports:
	    - containerPort: 80
	      hostPort: 18095
	EOF
	ctl apply -f "$T/hp.yaml" >/dev/null
	wait_for 60 converged www 1 || fail "did not converge: $(ctl describe workload www)"
	assert_contains "$(ctl --json session ls | jq -c '.[0].ports')" '"hostPort":18095' "the session publishes it"
	wait_for 10 get http://127.0.0.1:18095/ || fail "the host port does not answer"
	assert_eq "$(get http://127.0.0.1:18095/)" "hello from the pod" "through the host port"
	# a second pod on the same host port cannot be made: the reason says so
	sed -e 's/name: www/name: www2/' "$T/hp.yaml" >"$T/hp2.yaml"
	ctl apply -f "$T/hp2.yaml" >/dev/null
	wait_for 10 sh -c "$CORRALCTL --socket $SOCK describe workload www2 | grep -q 'Reason:.*18095/tcp: published by session'" ||
		fail "the taken port is not the reason: $(ctl describe workload www2)"
	ctl delete workload www www2 >/dev/null
	wait_for 20 state_is "$before" || fail "rules or veths left: $(net_state)"
}

# A replica whose liveness probe fails is replaced by a new one.
test_wl_unhealthy_replaced() {
	start_wl
	deployment sick 2 bb:1 | sed 's/command: \["true"\]/command: ["sh", "-c", "test ! -e \/tmp\/sick"]/' >"$T/sick.yaml"
	ctl apply -f "$T/sick.yaml" >/dev/null
	wait_for 60 converged sick 2 || fail "did not converge"
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps | jq '[.[] | select(.state.health.status == \"healthy\")] | length')\" = 2 ]" ||
		fail "the probes never passed"
	local victim replica
	victim=$(ctl --json ps | jq -r '.[0].name')
	replica=${victim%-main}
	ctl exec "$victim" touch /tmp/sick
	wait_for 30 sh -c "! $CORRALCTL --socket $SOCK session inspect $replica >/dev/null 2>&1" ||
		fail "the unhealthy replica $replica was not replaced: $(ctl describe workload sick)"
	wait_for 60 converged sick 2 || fail "did not converge again"
	assert_eq "$(members sick)" 2 "two containers"
	assert_contains "$(ctl events --since 5m --until 0s --filter type=workload)" "container main is unhealthy" "the reason is in the event"
}

# The status is converged only once every replica is ready; until then it
# says how far it has come (progressing, as kubectl rollout status does),
# and a replica that fails makes it degraded, with why.
test_wl_status_says_what_is_happening() {
	start_wl
	deployment slow 2 bb:1 | sed -e 's/command: \["true"\]/command: ["test", "-e", "\/tmp\/ready"]/' \
		-e 's/failureThreshold: 1/failureThreshold: 1\n          initialDelaySeconds: 3600/' >"$T/slow.yaml"
	ctl apply -f "$T/slow.yaml" >/dev/null
	wait_for 30 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json ps | jq '[.[] | select(.state.health.log | length > 0)] | length')\" = 2 ]"
	assert_eq "$(field slow status)/$(field slow ready)" progressing/0 "no replica ready: not converged"
	assert_contains "$(field slow reason)" "0 of 2 updated replicas are ready; replica slow-" "how far"
	assert_contains "$(field slow reason)" "container main has not passed its health check yet" "what it waits for"
	ctl exec "$(ctl --json ps | jq -r '.[0].name')" touch /tmp/ready
	wait_for 10 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get workloads | jq '.[0].ready')\" = 1 ]"
	assert_eq "$(field slow status)" progressing "READY 1/2 is not converged"
	assert_contains "$(ctl get workloads)" "1 of 2 updated replicas are ready" "get workloads says why"
	assert_contains "$(ctl describe workload slow)" "Status:      progressing" "describe too"
	ctl exec "$(ctl --json ps | jq -r '.[1].name')" touch /tmp/ready
	wait_for 10 converged slow 2 || fail "did not converge: $(ctl describe workload slow)"
	assert_eq "$(field slow reason)" null "no reason once converged"
	ctl delete workload slow >/dev/null
	# a crash-looping replica
	deployment crash 1 bb:1 | sed 's/command: \["sleep", "1000"\]/command: ["sh", "-c", "exit 3"]/' >"$T/crash.yaml"
	ctl apply -f "$T/crash.yaml" >/dev/null
	wait_for 20 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get workloads | jq -r '.[] | select(.name == \"crash\") | .status')\" = degraded ]" ||
		fail "a crash-looping replica: $(ctl get workloads)"
	assert_contains "$(field crash reason)" "container main " "degraded says why"
}

# Root's bare workload name is root's own: root's `delete -f web.yaml` (a
# pipeline's delete-then-apply) took a member's web when root's was not
# there. Root names a member's NAME@UID, and is shown it so.
# Each owner's workload names are its own (as each user's pods in podman):
# a member's web takes no name from root or another member; root's bare
# name is root's own, root names the member's web@UID; each one's file is
# its own, and a member's file of before (<name>.json) is moved to its
# name at start.
test_wl_each_owners_names_are_its_own() {
	start_wl_members
	deployment web 0 bb:1 >"$T/web.yaml"
	wl_member apply -f "$T/web.yaml" >/dev/null || fail "a member could not apply"
	local out
	out=$(ctl delete --wait false -f "$T/web.yaml" 2>&1)
	assert_not_contains "$out" "deleted" "root's delete -f of a name only a member's workload has"
	assert_eq "$(wl_member --json get workloads | jq -r '.[] | "\(.name) \(.status)"')" "web converged" \
		"the member's workload after root's delete -f"
	out=$(ctl get deployment/web 2>&1) && fail "root's bare name found the member's: $out"
	out=$(ctl delete --wait false deployment/web 2>&1) && fail "root's bare name deleted the member's: $out"
	assert_eq "$(ctl --json get workloads | jq -r '.[].name')" web@65534 "root is shown the member's NAME@UID"
	ctl get deployment/web@65534 >/dev/null || fail "root's NAME@UID did not find the member's"
	out=$(wl_member get deployment/web@0 2>&1) && fail "a member named root's by @0: $out"
	assert_contains "$(ctl events --since 1m --until 0s --filter type=workload)" "web@65534" \
		"root's events name the member's workload"
	# root's web beside the member's: each its own, in its own file
	ctl apply -f "$T/web.yaml" >/dev/null || fail "root's apply of a name a member has"
	assert_eq "$(ctl --json get workloads | jq -r '.[].name' | sort | tr '\n' ' ')" "web web@65534 " \
		"root's web and the member's"
	assert_eq "$(wl_member --json get workloads | jq -r '.[] | "\(.name) \(.generation)"')" "web 1" \
		"the member's own, not changed by root's apply"
	assert_eq "$(cd "$STATE_D/workloads" && ls | tr '\n' ' ')" "web.json web@65534.json " "their files"
	assert_contains "$(ctl metrics | grep '^corral_workload_replicas_desired')" \
		"$(printf '{workload="web"} 0\ncorral_workload_replicas_desired{workload="web@65534"} 0')" \
		"the member's series apart from root's"
	ctl delete --wait false -f "$T/web.yaml" >/dev/null
	wait_for 20 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get workloads | jq -r '.[].name')\" = web@65534 ]"
	wl_member get deployment/web >/dev/null || fail "root's delete -f took the member's"
	# a member's file of before: <name>.json, moved to its name at start
	stop_sv
	mv "$STATE_D/workloads/web@65534.json" "$STATE_D/workloads/web.json"
	start_sv --group "$(getent group 65534 | cut -d: -f1)"
	assert_eq "$(wl_member --json get workloads | jq -r '.[].name')" web "the member's, loaded from its file of before"
	assert_eq "$(cd "$STATE_D/workloads" && ls | tr '\n' ' ')" "web@65534.json " "moved to its name"
	ctl apply -f "$T/web.yaml" >/dev/null || fail "root's apply after the move"
	assert_eq "$(wl_member --json get workloads | jq -r '.[] | "\(.name) \(.generation)"')" "web 1" \
		"the member's, once root has its own"
	assert_contains "$(ctl delete --wait false deployment/web@65534)" "web@65534" "root deletes it by NAME@UID"
	wait_for 20 sh -c "[ \"\$($CORRALCTL --socket $SOCK --json get workloads | jq -r '.[].name')\" = web ]"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_wl_'); do
	run_test "$t"
done
