#!/bin/bash
# What a ContainerSpec asks for, end to end through varlink: ENTRYPOINT and
# CMD as Docker composes them (and corral bundle create alike), hostname,
# readOnly, tmpfs, mount propagation, init, privileged (root only),
# autoRemove (also across a restart of corrald), the camelCase shape of a
# Container, and records written with the old snake_case keys. Each test
# cleans up its daemon, monitors, containers, cgroups and mounts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
IMG="$FIXTURES/busybox/rootfs"

# run_spec NAME SPEC-JSON: create, start and wait; prints its log
run_spec() {
	ctl call CreateContainer "{\"spec\":$(jq -c --arg n "$1" '. + {name: $n}' <<<"$2")}" >/dev/null || return 1
	ctl call Start "{\"id\":\"$1\"}" >/dev/null || return 1
	ctl wait "$1" >/dev/null
	ctl logs "$1"
}
call_error() { ctl call "$@" 2>&1 >/dev/null && echo "no error" || true; }

test_svc_entrypoint_and_cmd_as_docker() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:entry" entry:1 >/dev/null
	assert_eq "$(run_spec e1 '{"image":"entry:1"}')" "ENTRY default-arg" "the image's Entrypoint and Cmd"
	assert_eq "$(run_spec e2 '{"image":"entry:1","command":["myarg"]}')" "ENTRY myarg" \
		"the command replaces Cmd, after the entrypoint"
	assert_eq "$(run_spec e3 '{"image":"entry:1","entrypoint":["echo","NEW"]}')" "NEW" \
		"a new entrypoint drops the image's Cmd"
	assert_eq "$(run_spec e4 '{"image":"entry:1","entrypoint":["echo","NEW"],"command":["x","y"]}')" "NEW x y" \
		"entrypoint and command"
	assert_eq "$(run_spec e5 '{"image":"entry:1","entrypoint":[],"command":["echo","plain"]}')" "plain" \
		"an empty entrypoint clears it"
	local e
	e=$(call_error CreateContainer '{"spec":{"image":"entry:1","entrypoint":[]}}')
	assert_contains "$e" '"parameter":"spec.entrypoint"' "nothing left to run"
	assert_contains "$(call_error CreateContainer '{"spec":{"image":"entry:1","entrypoint":"echo"}}')" \
		"must be an array of strings" "a string entrypoint"
	# corral bundle create composes the same way
	local b="$T/bundle"
	"$CORRAL" bundle create --store "$STATE_D" --image entry:1 "$b" -- myarg >/dev/null
	assert_eq "$(jq -c .process.args "$b/config.json")" '["echo","ENTRY","myarg"]' "bundle create with args"
	"$CORRAL" bundle remove "$b" >/dev/null
	"$CORRAL" bundle create --store "$STATE_D" --image entry:1 "$b" >/dev/null
	assert_eq "$(jq -c .process.args "$b/config.json")" '["echo","ENTRY","default-arg"]' "bundle create without"
	"$CORRAL" bundle remove "$b" >/dev/null
}

test_svc_hostname_read_only_tmpfs() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	assert_eq "$(run_spec h '{"image":"t:1","hostname":"box1.example","command":["hostname"]}')" box1.example "hostname"
	assert_contains "$(call_error CreateContainer '{"spec":{"image":"t:1","hostname":"-bad"}}')" spec.hostname \
		"a bad hostname"
	# a writable root unless readOnly
	assert_eq "$(run_spec rw '{"image":"t:1","command":["sh","-c","touch /x && echo wrote"]}')" wrote "rw root"
	local out
	out=$(run_spec ro '{"image":"t:1","readOnly":true,"command":["sh","-c",
		"touch /x 2>/dev/null || echo root-ro; for d in /tmp /run /var/tmp; do touch $d/f && echo $d-rw; done"]}')
	assert_eq "$(echo $out)" "root-ro /tmp-rw /run-rw /var/tmp-rw" "readOnly and its scratch tmpfs"
	out=$(run_spec tm '{"image":"t:1","tmpfs":["/scratch:size=1m,mode=700","/exe:exec"],"command":["sh","-c",
		"grep -E \" /(scratch|exe) \" /proc/mounts; echo hi >/scratch/f && cat /scratch/f"]}')
	assert_contains "$out" "tmpfs /scratch tmpfs rw,nosuid,nodev,noexec" "tmpfs defaults as podman's"
	assert_contains "$out" "size=1024k,mode=700" "tmpfs options"
	assert_not_contains "$(grep ' /exe ' <<<"$out")" noexec "exec overrides noexec"
	assert_contains "$out" hi "the tmpfs is writable"
	assert_contains "$(call_error CreateContainer '{"spec":{"image":"t:1","tmpfs":["/x:bogus"]}}')" \
		'"parameter":"spec.tmpfs[0]"' "an unknown tmpfs option"
	assert_contains "$(call_error CreateContainer '{"spec":{"image":"t:1","tmpfs":["rel"]}}')" spec.tmpfs "a relative tmpfs"
	# bind mounts: propagation, and nothing unknown
	mkdir -p "$T/vol"
	run_spec pr "{\"image\":\"t:1\",\"command\":[\"true\"],
		\"mounts\":[{\"source\":\"$T/vol\",\"destination\":\"/vol\",\"propagation\":\"rslave\"}]}" >/dev/null
	local id
	id=$(ctl call Inspect '{"id":"pr"}' | jq -r .container.id)
	assert_eq "$(jq -c '.mounts[] | select(.destination == "/vol") | .options' "$STATE_D/containers/$id/config.json")" \
		'["rbind","rw","nosuid","nodev","rslave"]' "propagation in the bundle"
	assert_contains "$(call_error CreateContainer "{\"spec\":{\"image\":\"t:1\",\"mounts\":[{\"source\":\"$T/vol\",\"destination\":\"/v\",\"propagation\":\"sideways\"}]}}")" \
		spec.mounts[0].propagation "a bad propagation"
	assert_contains "$(call_error CreateContainer "{\"spec\":{\"image\":\"t:1\",\"mounts\":[{\"source\":\"$T/vol\",\"destination\":\"/v\",\"options\":[\"r0\"]}]}}")" \
		"unknown field" "an unknown mount field"
	# as many variables as given, not a silent 256
	local env
	env=$(seq 300 | sed 's/.*/"V&=&"/' | paste -sd,)
	assert_eq "$(run_spec many "{\"image\":\"t:1\",\"env\":[$env],\"command\":[\"sh\",\"-c\",\"env | grep -c ^V\"]}")" 300 \
		"300 variables"
}

# sh_spec IMAGE SCRIPT [JQ-FILTER]: a spec running sh -c SCRIPT
sh_spec() { jq -nc --arg i "$1" --arg c "$2" "{image: \$i, command: [\"sh\", \"-c\", \$c]} ${3:+| $3}"; }

test_svc_init_is_pid_1() {
	trap cleanup_sv EXIT
	[ -x /usr/bin/catatonit ] || skip "no catatonit (tests/deps.sh installs it)"
	start_sv
	local script='tr "\0" " " </proc/1/cmdline; echo; echo $$; exit 7' out
	out=$(run_spec i1 "$(sh_spec "$IMG" "$script" '.init = true')")
	assert_eq "$out" "/run/corral-init -- sh -c $script 
2" "the init is pid 1, the command its child"
	assert_eq "$(ctl wait i1)" 7 "the command's exit code"
	# the init passes the stop signal on
	ctl call CreateContainer "{\"spec\":$(sh_spec "$IMG" 'trap "exit 5" TERM; while :; do sleep 0.1; done' \
		'.init = true | .name = "i2"')}" >/dev/null
	ctl call Start '{"id":"i2"}' >/dev/null
	wait_for 10 child_catches "$(ctl call Inspect '{"id":"i2"}' | jq -r .container.state.pid)" 15
	assert_eq "$(ctl call Stop '{"id":"i2","timeout":10}' | jq -c .)" '{"exitCode":5,"killed":false}' \
		"SIGTERM reached the command"
}

test_svc_privileged_is_root_only() {
	trap cleanup_sv EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g"
	local probe='grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; grep " /sys " /proc/mounts
[ -c /dev/kmsg ] && echo kmsg' out
	out=$(run_spec p1 "$(sh_spec "$IMG" "$probe" '.privileged = true')")
	assert_contains "$out" "CapEff:	$(awk '/^CapBnd:/ {print $2}' /proc/"$CORRALD_PID"/status)" \
		"every capability corrald has"
	assert_contains "$out" "Seccomp:	0" "no seccomp filter"
	assert_contains "$out" "NoNewPrivs:	0" "no no_new_privs"
	assert_contains "$out" "sysfs /sys sysfs rw" "/sys writable"
	assert_contains "$out" kmsg "the host's devices"
	out=$(run_spec p0 "$(sh_spec "$IMG" "$probe")")
	assert_contains "$out" "CapEff:	00000000800405fb" "podman's 11 by default"
	assert_not_contains "$out" kmsg "no host devices by default"
	# a member of the group may not ask for it
	local nobody=(setpriv --reuid 65534 --regid 65534 --clear-groups)
	local e rc=0
	e=$("${nobody[@]}" "$CORRALCTL" --socket "$SOCK" call CreateContainer \
		"{\"spec\":$(sh_spec "$IMG" true '.privileged = true | .name = "np"')}" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a group member created a privileged container"
	assert_contains "$e" "io.corral.Supervisor.PermissionDenied" "PermissionDenied"
	assert_contains "$e" "spec.privileged" "the reason names the field"
	assert_contains "$(call_error Inspect '{"id":"np"}')" NoSuchContainer "nothing was made"
	assert_contains "$(grep PermissionDenied "$STATE_D/audit.log" | tail -1)" '"uid":65534' "audited"
	# (of a store image: directory images are root's, corrald.conf(5) POLICY)
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	"${nobody[@]}" "$CORRALCTL" --socket "$SOCK" call CreateContainer \
		"{\"spec\":$(sh_spec img:1 true '.name = "np"')}" >/dev/null ||
		fail "a group member cannot create an ordinary container"
}

# spec.ulimits over the defaults' rlimits (open files: corrald's own), and
# spec.shmSize, as corralctl run --ulimit and --shm-size ask them (-1:
# unlimited); a name that is no rlimit and a soft limit above its hard one
# are refused by field. A member's container, in a user namespace, may set
# its limits up to corrald's own; above them its start fails, saying why,
# and no process of it is left.
test_svc_ulimits_and_shm_size() {
	trap cleanup_sv EXIT
	start_sv_group
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	local probe='ulimit -n; ulimit -Hn; ulimit -c; df -k /dev/shm | awk "NR==2 {print \$2}"' out e
	out=$(ctl run --rm --ulimit nofile=100:200 --ulimit core=-1 --shm-size 8m img:1 sh -c "$probe")
	assert_eq "$out" "100
200
unlimited
8192" "root's: the limits asked, /dev/shm's size"
	# by default, corrald's own open files (as dockerd's containers have
	# dockerd's), no core, 64 MiB
	assert_eq "$(ctl run --rm img:1 sh -c "$probe")" "$(awk '/^Max open files/ {print $4; print $5}' "/proc/$CORRALD_PID/limits")
0
65536" "the defaults"
	e=$(ctl run --rm --ulimit bogus=1 img:1 true 2>&1) && fail "an rlimit of no such name"
	assert_contains "$e" 'spec.ulimits[0].name: "bogus": not an rlimit' "an rlimit of no such name"
	e=$(ctl run --rm --ulimit nofile=200:100 img:1 true 2>&1) && fail "soft above hard"
	assert_contains "$e" "spec.ulimits[0].soft: is above hard" "soft above hard"
	e=$(call_error CreateContainer '{"spec":{"image":"img:1","ulimits":[{"name":"no\u0001file","soft":1,"hard":1}]}}')
	assert_contains "$e" '"parameter":"spec.ulimits[0].name","reason":"holds a control byte (0x01)"' \
		"a name with a control byte"
	e=$(ctl run --rm --ulimit nofile=1 --ulimit nofile=2 img:1 true 2>&1) && fail "one name twice"
	assert_contains "$e" "spec.ulimits[1]: a second limit of its name" "one name twice"
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 65534 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	assert_eq "$(mctl 65534 run --rm --ulimit nofile=50:60 m:1 sh -c 'ulimit -n; ulimit -Hn')" "50
60" "a member's, lower"
	local hard
	hard=$(awk '/^Max open files/ {print $5}' "/proc/$CORRALD_PID/limits")
	e=$(mctl 65534 run --name over --ulimit "nofile=10:$((hard + 1))" m:1 true 2>&1) &&
		fail "a member's container got a hard limit above corrald's own"
	assert_contains "$e" "set RLIMIT_NOFILE to 10/$((hard + 1)): Operation not permitted" "the start says which limit"
	assert_eq "$(ctl call Inspect '{"id":"over@65534"}' | jq -r '.container.state.status, .container.state.pid')" "created
0" "not started, no process of it"
	ctl rm -f over@65534 >/dev/null
}

# corralctl run's options of confinement past the common ones, as docker
# run and podman run spell them, each into its ContainerSpec key (a group
# by its name, the image's)
test_svc_run_confinement_options() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	local out e
	out=$(ctl run --rm --network host --sysctl kernel.msgmax=9000 -u 65534:65534 --group-add 123 --group-add wheel \
		--dns-search example.test --dns-option ndots:3 --security-opt no-new-privileges=false \
		--security-opt seccomp=unconfined --device /dev/null:/dev/mynull:rw --oom-score-adj 300 img:1 sh -c '
		cat /proc/sys/kernel/msgmax; id -G; grep -E "^(search|options)" /etc/resolv.conf
		grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr "\t" " "; ls -l /dev/mynull | cut -c1
		cat /proc/self/oom_score_adj')
	assert_eq "$out" "9000
65534 10 123
search example.test
options ndots:3
NoNewPrivs: 0
Seccomp: 0
c
300" "each option in the container"
	e=$(ctl run --rm --security-opt seccomp='{"defaultAction":"SCMP_ACT_ALLOW"}' img:1 true 2>&1) && fail "a profile's JSON"
	assert_contains "$e" "invalid --security-opt seccomp={" "a profile's JSON"
	e=$(ctl run --rm --security-opt bogus img:1 true 2>&1) && fail "no such option"
	assert_contains "$e" "invalid --security-opt bogus: not KEY=VALUE" "no such option"
	e=$(ctl run --rm --group-add nosuch img:1 true 2>&1) && fail "a group the image has not"
	assert_contains "$e" 'spec.groupNames: no such group "nosuch" in the image'"'"'s /etc/group' "a group the image has not"
	e=$(ctl run --rm --ulimit nofile img:1 true 2>&1) && fail "an rlimit without a value"
	assert_contains "$e" "--ulimit nofile: must be NAME=SOFT[:HARD]" "an rlimit without a value"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container was left by the refusals"
}

# A network namespace of the container's own gets Docker's and
# containerd's defaults: any user of the container opens ping's ICMP
# socket (with no NET_RAW) and binds a port below 1024; in a user
# namespace the group range is what it maps (the kernel refuses more).
# The host's network is left as the host has it; what the spec names wins.
test_svc_own_network_any_user_pings_and_binds_low_ports() {
	trap cleanup_sv EXIT
	cp "$B/tests/helpers/sysprobe" "$T/sysprobe"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/sysprobe\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	local probe='tr "\t" " " </proc/sys/net/ipv4/ping_group_range; cat /proc/sys/net/ipv4/ip_unprivileged_port_start
		/sysprobe icmp; nc -l -p 80 & for i in $(seq 50); do netstat -ltn | grep -q ":80 " && break; usleep 20000; done
		netstat -ltn | grep -q ":80 " && echo "listens on 80"; kill $!'
	local own="icmp: ok
listens on 80"
	assert_eq "$(ctl run --rm -v "$T/sysprobe:/sysprobe:ro" -u 1000:1000 img:1 sh -c "$probe")" "0 2147483647
0
$own" "root's, as user 1000"
	assert_eq "$(ctl run --rm --userns auto -v "$T/sysprobe:/sysprobe:ro" -u 1000:1000 img:1 sh -c "$probe")" "0 65534
0
$own" "root's in a user namespace of its own (65535 groups)"
	assert_eq "$(mctl 4242 run --rm -v "$T/sysprobe:/sysprobe:ro" -u 1000:1000 img:1 sh -c "$probe")" "0 65535
0
$own" "a member's (65536 groups)"
	local host
	host="$(tr '\t' ' ' </proc/sys/net/ipv4/ping_group_range) $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)"
	assert_eq "$(ctl run --rm --network host img:1 sh -c 'echo $(tr "\t" " " </proc/sys/net/ipv4/ping_group_range) $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)')" \
		"$host" "the host's network, as the host has it"
	assert_eq "$(ctl run --rm -v "$T/sysprobe:/sysprobe:ro" -u 1000:1000 --sysctl "net.ipv4.ping_group_range=0 0" \
		--sysctl net.ipv4.ip_unprivileged_port_start=1024 img:1 sh -c "$probe")" "0 0
1024
icmp: EACCES" "what the spec names"
}

test_svc_auto_remove() {
	trap cleanup_sv EXIT
	start_sv
	ctl call CreateContainer "{\"spec\":{\"image\":\"$IMG\",\"name\":\"gone\",\"autoRemove\":true,\"command\":[\"sh\",\"-c\",\"exit 4\"]}}" \
		>"$T/c"
	local id
	id=$(jq -r .id "$T/c")
	ctl call Wait '{"id":"gone"}' >"$T/w" &
	local w=$!
	sleep 0.2
	ctl call Start '{"id":"gone"}' >/dev/null
	wait "$w"
	assert_eq "$(jq .exitCode "$T/w")" 4 "its waiter is answered"
	wait_for 5 sh -c "! '$CORRALCTL' --socket '$SOCK' call Inspect '{\"id\":\"gone\"}'"
	[ ! -e "$STATE_D/containers/$id" ] || fail "its directory is left"
	assert_contains "$(call_error CreateContainer "{\"spec\":{\"image\":\"$IMG\",\"autoRemove\":true,\"restart\":\"always\"}}")" \
		spec.autoRemove "autoRemove with a restart policy"
	# it ends while corrald is down: removed once corrald is back
	ctl call CreateContainer "{\"spec\":{\"image\":\"$IMG\",\"name\":\"later\",\"autoRemove\":true,\"command\":[\"sleep\",\"1\"]}}" \
		>"$T/c"
	id=$(jq -r .id "$T/c")
	ctl call Start '{"id":"later"}' >/dev/null
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	sleep 1.5
	[ -e "$STATE_D/containers/$id" ] || fail "removed with corrald down?"
	start_sv
	wait_for 5 sh -c "[ ! -e '$STATE_D/containers/$id' ]"
	assert_contains "$(call_error Inspect '{"id":"later"}')" NoSuchContainer "removed after corrald's restart"
}

test_svc_camelcase_everywhere() {
	trap cleanup_sv EXIT
	start_sv
	run_spec c1 "{\"image\":\"$IMG\",\"command\":[\"true\"]}" >/dev/null
	ctl call Inspect '{"id":"c1"}' >"$T/i"
	assert_eq "$(jq -c '.container.state | keys' "$T/i")" \
		'["checkpointed","exitCode","finishedAt","oomKilled","pid","restartCount","signal","startedAt","status"]' "State's keys"
	assert_eq "$(jq -c '.container | keys' "$T/i")" \
		'["command","config","created","id","image","imageDigest","labels","name","owner","ports","state"]' "Container's keys"
	assert_eq "$(jq -c '.containers[0].state | keys' <(ctl call List '{"all":true}'))" \
		"$(jq -c '.container.state | keys' "$T/i")" "List's State"
	# no snake_case key anywhere: replies, records, exit files, events
	local id
	id=$(jq -r .container.id "$T/i")
	timeout 2 "$CORRALCTL" --socket "$SOCK" call --more Events '{"since":"0"}' >"$T/ev" || true
	for f in "$T/i" "$STATE_D/containers/$id/record.json" "$STATE_D/containers/$id/exit.json"; do
		assert_eq "$(jq -r '[paths | last | strings | select(test("_"))] | unique | join(",")' "$f")" "" \
			"snake_case keys in $(basename "$f")"
	done
	assert_eq "$(sed -n 's/^\t*"\([a-zA-Z_]*\)": .*/\1/p' "$T/ev" | grep _ | sort -u)" "" "snake_case keys in events"
}

test_svc_old_records_still_load() {
	trap cleanup_sv EXIT
	start_sv
	run_spec old "$(sh_spec "$IMG" 'exit 3')" >/dev/null
	ctl call CreateContainer "{\"spec\":$(sh_spec "$IMG" 'sleep 1; exit 6' '.name = "late"')}" >/dev/null
	ctl call Start '{"id":"late"}' >/dev/null
	local old late
	old="$STATE_D/containers/$(ctl call Inspect '{"id":"old"}' | jq -r .container.id)"
	late="$STATE_D/containers/$(ctl call Inspect '{"id":"late"}' | jq -r .container.id)"
	# corrald goes; late ends meanwhile, and its monitor writes exit.json
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait_for 5 test -e "$late/exit.json"
	# as records and exit files were written before the key style was one
	local snake='{id, name, image, imageDigest, created, spec, status, pid, has_exit: .hasExit,
		exit_code: .exitCode, signal, oom_killed: .oomKilled, started_at: .startedAt,
		finished_at: .finishedAt, restart_count: 2, restarts_since_reset: .restartsSinceReset,
		stopped_by_user: .stoppedByUser, has_run: .hasRun}'
	jq "$snake" "$old/record.json" >"$old/r.tmp" && mv "$old/r.tmp" "$old/record.json"
	jq "$snake" "$late/record.json" >"$late/r.tmp" && mv "$late/r.tmp" "$late/record.json"
	jq '{code: 42, signal, oom_killed: true, started_at: .startedAt, finished_at: .finishedAt}' "$late/exit.json" \
		>"$late/e.tmp" && mv "$late/e.tmp" "$late/exit.json"
	grep -q exit_code "$old/record.json" || fail "the old record was not written"
	start_sv
	assert_eq "$(ctl call Inspect '{"id":"old"}' | jq -c '.container.state |
		[.status, .exitCode, .restartCount, (.startedAt | length > 0)]')" '["exited",3,2,true]' "an old record"
	assert_eq "$(ctl call Inspect '{"id":"late"}' | jq -c '.container.state | [.status, .exitCode, .oomKilled,
		(.finishedAt | length > 0)]')" '["exited",42,true,true]' "an old exit file"
	# and written again in the new style
	assert_eq "$(jq -c '[.exitCode, .restartCount, has("exit_code")]' "$late/record.json")" '[42,2,false]' "rewritten"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svc_"); do
	run_test "$t"
done
