#!/bin/bash
# The Docker Engine API on corrald's docker socket, driven by the clients
# people have: the docker CLI, python3-docker (the Docker SDK for Python).
# corrald parses no HTTP: each connection goes to a corral-docker that runs
# without privileges and calls corrald with the peer's identity, so a
# member gets through this socket what it gets through varlink. Each test
# runs its own corrald in a network namespace of its own (the runner's),
# and cleans up its containers, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null


field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# The socket has the control socket's mode and group; corral-docker, the
# process that reads the client's bytes, is docker-user with no
# capabilities, no_new_privs and a seccomp filter, and cannot read the
# state directory; a peer outside the group is turned away by corrald's own
# check even where the socket's mode lets it connect.
test_dk_socket_and_the_process_that_parses_http() {
	trap cleanup_sv EXIT
	start_sv_group --socket-mode 0666 --docker-socket "$S/docker.sock" --docker-user 65533:65533
	assert_eq "$(stat -c '%a %U' "$S/docker.sock")" "$(stat -c '%a %U' "$SOCK")" "mode and owner as the control socket's"
	mkfifo "$T/hold"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); sys.stdin.read()' "$S/docker.sock" <"$T/hold" &
	local holder=$!
	exec 7>"$T/hold"
	# the one serving the held connection, and the standbys corrald keeps
	# started for the next: each confined
	wait_for 10 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $((DOCKER_STANDBYS + 1)) ]"
	local p
	for p in $(pgrep -P $CORRALD_PID -x corral-docker); do
		assert_eq "$(field "$p" Uid | head -1)" 65533 "corral-docker's uid"
		assert_eq "$(awk '/^Gid:/ {print $2}' "/proc/$p/status")" 65533 "its gid"
		assert_eq "$(awk '/^Groups:/ {print $2}' "/proc/$p/status")" "" "its groups"
		assert_eq "$(field "$p" CapEff)" 0000000000000000 "its effective capabilities"
		assert_eq "$(field "$p" CapBnd)" 0000000000000000 "its bounding set"
		assert_eq "$(field "$p" NoNewPrivs)" 1 "no_new_privs"
		assert_eq "$(field "$p" Seccomp)" 2 "a seccomp filter"
		assert_eq "$(ls -l "/proc/$p/fd" | grep -c "$STATE_D")" 0 "no fd in the state directory"
	done
	exec 7>&-
	wait "$holder"
	# the connection's ends with it; the standbys stay
	wait_for 10 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
	# uid 4545 is in no group of corrald's: it connects (0666), and is closed
	mkdir -p "$T/dc4545" && chown 4545 "$T/dc4545"
	local out
	out=$(setpriv --reuid 4545 --regid 4545 --clear-groups env DOCKER_CONFIG="$T/dc4545" \
		DOCKER_HOST="unix://$S/docker.sock" docker version --format '{{.Server.APIVersion}}' 2>&1) &&
		fail "a peer outside the group was served: $out"
	grep -q "docker socket: uid 4545 is not in corrald's group; refused" "$T/corrald.log" ||
		fail "corrald did not say why: $(grep docker "$T/corrald.log")"
}

# docker version negotiates 1.41; _ping, info and the unversioned paths;
# plugin ls lists none, search says corral has none
test_dk_version_ping_info() {
	trap cleanup_sv EXIT
	start_docker
	assert_eq "$(dock version --format '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}')" \
		"1.41 1.24 linux" "the server's version"
	assert_eq "$(curl -s --unix-socket "$S/docker.sock" http://d/_ping)" OK "_ping"
	curl -sI --unix-socket "$S/docker.sock" http://d/_ping | tr -d '\r' >"$T/h"
	grep -qi '^Api-Version: 1.41$' "$T/h" || fail "no Api-Version header: $(cat "$T/h")"
	assert_eq "$(curl -s --unix-socket "$S/docker.sock" http://d/v1.30/version | jq -r .ApiVersion)" 1.41 "a versioned path"
	import_busybox
	assert_eq "$(dock info --format '{{.Images}} {{.Containers}} {{.OSType}}')" "1 0 linux" "info"
	assert_eq "$(curl -s --unix-socket "$S/docker.sock" http://d/nothing/here | jq -r .message)" "page not found" "an unknown path"
	assert_contains "$(curl -s --unix-socket "$S/docker.sock" -X POST http://d/v1.41/build | jq -r 'select(.error) | .error')" \
		"Dockerfile in the build context" "a build without a context says what is missing"
	assert_eq "$(dock plugin ls --format '{{.Name}}' 2>&1)" "" "plugin ls: none, and no error"
	local out
	out=$(dock search busybox 2>&1) && fail "search succeeded: $out"
	assert_contains "$out" "corral does not search registries" "search says why"
	# --runtime runc (compose's runtime: runc) is dockerd's default: corral
	assert_eq "$(dock run --rm --runtime runc busybox:latest echo rt)" rt "--runtime runc"
	out=$(dock run --rm --runtime nvidia busybox:latest true 2>&1) && fail "--runtime nvidia was taken: $out"
	assert_contains "$out" "HostConfig.Runtime is not supported by corral" "another runtime"
}

# run -d, ps, inspect with the templates monitoring scripts use, logs,
# stop, start, restart, kill and rm, as an operator types them
test_dk_container_lifecycle_with_the_cli() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local id out
	id=$(dock run -d --name web -e A=1 -l tier=front --restart on-failure:3 busybox:latest \
		sh -c 'echo started; echo oops >&2; sleep 1000')
	[ ${#id} = 64 ] || fail "run -d printed [$id]"
	assert_eq "$(dock ps --format '{{.Names}} {{.Image}} {{.State}}')" "web busybox:latest running" "ps"
	# ancestor=: by the image's name or ID; one that names no image, none
	assert_eq "$(dock ps --filter ancestor=busybox:latest --format '{{.Names}}')" web "ps --filter ancestor=NAME"
	assert_eq "$(dock ps --filter "ancestor=$(dock image inspect -f '{{.Id}}' busybox:latest | cut -c8-19)" -q)" \
		"${id:0:12}" "ancestor=ID"
	assert_eq "$(dock ps --filter ancestor=nosuch:1 -q)" "" "ancestor= an image that is not there"
	# --read-only as dockerd has it: nothing writable of the engine's (podman
	# and corralctl mount a tmpfs on /tmp, /run and /var/tmp)
	assert_eq "$(dock run --rm --read-only busybox:latest sh -c 'touch /tmp/x 2>/dev/null || echo no-tmp
		touch /run/x 2>/dev/null || echo no-run')" "$(printf 'no-tmp\nno-run')" "--read-only: no tmpfs of its own"
	assert_eq "$(dock run --rm --read-only --tmpfs /tmp busybox:latest sh -c 'touch /tmp/x && echo tmpfs')" tmpfs \
		"--read-only --tmpfs /tmp"
	assert_eq "$(dock inspect -f '{{.State.Status}} {{.State.Running}} {{.Name}} {{.RestartCount}}' web)" \
		"running true /web 0" "inspect: state"
	assert_contains "$(dock inspect -f '{{range .Config.Env}}{{.}} {{end}}' web)" "A=1" "inspect: range over Config.Env"
	assert_eq "$(dock inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{index .Config.Labels "tier"}}' web)" \
		"on-failure:3 front" "inspect: restart policy and labels"
	assert_eq "$(dock inspect -f '{{.Id}}' "${id:0:12}")" "$id" "inspect by a short id"
	wait_for 10 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker logs web 2>&1 | grep -q oops"
	assert_eq "$(dock logs web 2>/dev/null)" started "logs: stdout alone on stdout"
	assert_eq "$(dock logs web 2>&1 >/dev/null)" oops "logs: stderr on stderr"
	# logs --until: up to then; with -f, it ends there
	assert_eq "$(dock logs --until 10m web 2>&1)" "" "logs --until 10m ago"
	assert_eq "$(dock logs --until 2099-01-01T00:00:00Z web 2>/dev/null)" started "logs --until later"
	out=$(timeout 20 env DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" docker logs -f \
		--until "$(($(date +%s) + 2))" web 2>/dev/null) || fail "logs -f --until did not end by itself"
	assert_eq "$out" started "logs -f --until's lines"
	local t0
	t0=$(date +%s)
	dock stop -t 1 web >/dev/null
	assert_eq "$(dock inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" "exited 137" "stopped"
	# dockerd's order: the stop signal's kill (the image's StopSignal,
	# SIGUSR1), the SIGKILL's once the timeout ran out (its pid 1 has no
	# handler for it), the die, then the stop
	assert_eq "$(dock events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=web \
		--format '{{.Action}}{{with .Actor.Attributes.signal}} {{.}}{{end}}' | tr '\n' ,)" "kill 10,kill 9,die,stop," \
		"stop's events"
	assert_eq "$(dock ps -q)" "" "ps shows no running container"
	assert_eq "$(dock ps -aq --no-trunc)" "$id" "ps -a shows it"
	dock start web >/dev/null
	assert_eq "$(dock inspect -f '{{.State.Status}}' web)" running "started again"
	# a signal that is not KILL is answered at once (its pid 1 ignores it)
	dock kill -s USR1 web >/dev/null
	assert_eq "$(dock inspect -f '{{.State.Status}}' web)" running "after kill -s USR1"
	# KILL is answered once it is down, as dockerd does: a script's kill
	# then rm finds it stopped
	dock kill web >/dev/null
	assert_eq "$(dock inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" "exited 137" "at kill's answer"
	dock start web >/dev/null
	dock kill -s SIGKILL web >/dev/null
	dock rm web >/dev/null || fail "rm right after kill -s SIGKILL: it still ran"
	out=$(dock kill nosuch 2>&1) && fail "kill of nothing succeeded"
	assert_contains "$out" "No such container: nosuch" "kill of nothing"
	out=$(dock inspect nosuch 2>&1) && fail "inspect of nothing succeeded"
	assert_contains "$out" "No such" "the error for a missing container"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "gone from corral too"
}

# -e KEY with no KEY in the client's environment (compose's "- KEY" too)
# reaches the daemon as KEY alone, which Docker reads as "not set": the
# image's own KEY goes too. With KEY in the client's environment, its value.
test_dk_env_key_alone_unsets_it() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local show='echo "[${GREETING-unset}] [${NOWHERE-unset}] [${PATH:+path}]"'
	assert_eq "$(env -u GREETING -u NOWHERE DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" \
		docker run --rm -e GREETING -e NOWHERE busybox:latest sh -c "$show")" "[unset] [unset] [path]" \
		"the image's GREETING unset, NOWHERE not set"
	assert_eq "$(dock run --rm busybox:latest sh -c "$show")" "[hello-from-image] [unset] [path]" "the image's own"
	assert_eq "$(GREETING=from-client dock run --rm -e GREETING busybox:latest sh -c "$show")" \
		"[from-client] [unset] [path]" "the client's value"
	# the docker CLI refuses an empty key itself; the API is told why
	assert_contains "$(curl -s --unix-socket "$S/docker.sock" -H 'Content-Type: application/json' \
		-d '{"Image": "busybox:latest", "Env": ["=x"]}' http://d/v1.41/containers/create)" \
		"spec.env[0]: must be KEY=VALUE, or KEY to unset it" "an empty key"
}

# --domainname (compose's domainname:): the container's UTS namespace's,
# with no warning; a member's container (a user namespace of its own) too;
# one that is no domain name is refused naming the field. --uts host: the
# host's names
test_dk_domainname() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	member_import 4242 m:1
	local out
	out=$(dock run --rm --domainname corp.example --hostname web busybox:latest sh -c 'hostname; cat /proc/sys/kernel/domainname' 2>&1)
	assert_eq "$out" "web
corp.example" "hostname and domainname, and no warning"
	dock create --name dn --domainname corp.example busybox:latest true >/dev/null
	assert_eq "$(dock inspect -f '{{.Config.Domainname}}' dn)" corp.example "inspect's Config.Domainname"
	assert_eq "$(dock run --rm busybox:latest cat /proc/sys/kernel/domainname)" "(none)" "none unless asked"
	assert_eq "$(dockm 4242 run --rm --domainname m.example m:1 cat /proc/sys/kernel/domainname 2>&1)" m.example "a member's"
	out=$(dock run --rm --domainname 'bad_name!' busybox:latest true 2>&1) && fail "a bad domainname was taken: $out"
	assert_contains "$out" "spec.domainname: must be 1-" "a bad domainname"
	# --uts host: the host's names, and dockerd's refusal of a hostname beside
	assert_eq "$(dock run --rm --uts host busybox:latest hostname)" "$(hostname)" "--uts host"
	assert_eq "$(dock inspect -f '{{.HostConfig.UTSMode}}' dn)" "" "UTSMode by default"
	out=$(dock run --rm --uts host -h other busybox:latest true 2>&1) && fail "-h beside --uts host: $out"
	assert_contains "$out" "conflicting options: hostname and the UTS mode" "-h with --uts host"
	dock rm dn >/dev/null
}

# docker inspect -s and ps -s: SizeRw, the bytes its writable layer holds,
# and SizeRootFs, those and its image's (ps: "1.05MB (virtual ...)"); a
# plain inspect has neither
test_dk_sizes() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name s busybox:latest sh -c 'head -c 1048576 /dev/zero >/big && sleep 1000' >/dev/null
	wait_for 10 dock exec s test -s /big
	local rw root img
	read -r rw root <<<"$(dock inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' s)"
	img=$(dock image inspect -f '{{.Size}}' busybox:latest)
	[ "$rw" -ge 1048576 ] && [ "$rw" -lt 1200000 ] || fail "SizeRw: $rw"
	assert_eq "$root" "$((rw + img))" "SizeRootFs: SizeRw and the image's"
	assert_eq "$(dock inspect -f '{{.SizeRw}}' s)" "<nil>" "no sizes unless asked"
	assert_contains "$(dock ps -s --format '{{.Names}} {{.Size}}')" "s 1.05MB (virtual " "ps -s"
	local out
	out=$(dock inspect -s nosuch 2>&1) && fail "inspect -s of nothing: $out"
	assert_contains "$out" "No such" "inspect -s of nothing"
	dock rm -f s >/dev/null
}

# HostConfig.ConsoleSize (what a client of API 1.42 on sends for -t): the
# terminal's size from the process's first instruction
test_dk_console_size_from_the_start() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local api=(curl -s --unix-socket "$S/docker.sock" -H 'Content-Type: application/json')
	assert_contains "$("${api[@]}" -d '{"Image": "busybox:latest", "Tty": true, "Cmd": ["stty", "size"],
		"HostConfig": {"ConsoleSize": [40, 120]}}' 'http://d/v1.42/containers/create?name=cs')" '"Id"' "create"
	dock start cs >/dev/null
	wait_for 10 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Status}}' cs)\" = exited ]"
	assert_eq "$(dock logs cs | tr -d '\r')" "40 120" "its size as it started"
	assert_contains "$("${api[@]}" -d '{"Image": "busybox:latest", "Tty": true, "HostConfig": {"ConsoleSize": [70000, 1]}}' \
		http://d/v1.42/containers/create)" "spec.consoleSize.height: 70000 is out of range" "a size past a terminal's"
	dock rm cs >/dev/null
}

# docker update: the restart policy (its owner's, in any state; "no" calls
# off a restart that waits out its backoff)
test_dk_update_restart_policy() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	local out
	dock run -d --name u busybox:latest sleep 1000 >/dev/null
	assert_eq "$(dock update --restart always u)" u "update --restart's output"
	assert_eq "$(dock inspect -f '{{.HostConfig.RestartPolicy.Name}}' u)" always "the policy kept"
	# a stopped container's policy, then in force at its next end
	dock run -d --name f busybox:latest sh -c 'exit 3' >/dev/null
	wait_for 10 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Status}}' f)\" = exited ]"
	dock update --restart on-failure:2 f >/dev/null
	assert_eq "$(dock inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' f)" \
		on-failure:2 "on-failure:2 kept"
	dock start f >/dev/null
	wait_for 20 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Status}} {{.RestartCount}}' f)\" = 'exited 2' ]"
	# the policy kept across corrald's restart (the record)
	restart_sv --group "$(getent group 65534 | cut -d: -f1)" $(docker_flags)
	assert_eq "$(dock inspect -f '{{.HostConfig.RestartPolicy.Name}}' u)" always "always after corrald's restart"
	# "no" while a restart waits: it stays down at once
	dock run -d --name b --restart always busybox:latest sh -c 'exit 1' >/dev/null
	wait_for 20 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.RestartCount}}' b)\" -ge 5 ]"
	wait_for 10 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Restarting}}' b)\" = true ]"
	dock update --restart no b >/dev/null
	assert_eq "$(dock inspect -f '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}' b)" "exited no" "called off"
	out=$(dock update --restart sometimes u 2>&1) && fail "a bad policy was taken"
	assert_contains "$out" "invalid parameter restart" "a bad policy"
	dock run -d --rm --name r busybox:latest sleep 1000 >/dev/null
	out=$(dock update --restart always r 2>&1) && fail "a restart policy with --rm was taken"
	assert_contains "$out" "excludes autoRemove" "with --rm"
	out=$(dock update --restart always nosuch 2>&1) && fail "update of nothing succeeded"
	assert_contains "$out" "No such container: nosuch" "update of nothing"
	# what corral has not is a warning, as dockerd's are
	out=$(dock update --blkio-weight 300 u 2>&1) || fail "update --blkio-weight: $out"
	assert_contains "$out" "BlkioWeight is not supported by corral: ignored" "the warning"
	# docker-py's update() with nothing asks nothing: 200, as dockerd
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S/docker.sock" \
		-H 'Content-Type: application/json' -d '{}' http://d/v1.41/containers/u/update)" 200 "an empty update"
	# a member: its own policy, not another's container
	member_import 4242 m:1
	dockm 4242 run -d --name mu m:1 sleep 1000 >/dev/null
	dockm 4242 update --restart unless-stopped mu >/dev/null || fail "a member's update of its policy"
	assert_eq "$(dockm 4242 inspect -f '{{.HostConfig.RestartPolicy.Name}}' mu)" unless-stopped "the member's policy"
	out=$(dockm 4242 update --restart no u 2>&1) && fail "a member changed root's container"
	assert_contains "$out" "No such container: u" "root's container, to a member"
	assert_eq "$(dock inspect -f '{{.HostConfig.RestartPolicy.Name}}' u)" always "root's policy untouched"
	dockm 4242 rm -f mu >/dev/null
	dock rm -f u f b r >/dev/null
}

# docker update's resources: root's, a running container's; enforced where
# cgroups have controllers (the VM tier), refused with the runtime's words
# here. A member's limits are the policy's.
test_dk_update_resources() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	local out
	dock run -d --name u busybox:latest sleep 1000 >/dev/null
	if has_memory_controller; then
		dock update --memory 64m --pids-limit 50 u >/dev/null
		assert_eq "$(dock exec u cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max | tr '\n' ' ')" \
			"67108864 50 " "the limits in force"
		assert_eq "$(dock inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' u)" "67108864 50" "kept"
		# in the bundle too: its next start has them, as Docker's
		dock restart -t 1 u >/dev/null
		assert_eq "$(dock exec u cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max | tr '\n' ' ')" \
			"67108864 50 " "the limits after a restart"
	else
		out=$(dock update --memory 64m u 2>&1) && fail "memory updated with no memory controller"
		assert_contains "$out" "invalid parameter resources" "no controllers: the runtime's refusal"
		assert_eq "$(dock inspect -f '{{.HostConfig.Memory}}' u)" 0 "nothing kept"
	fi
	member_import 4242 m:1
	dockm 4242 run -d --name mu m:1 sleep 1000 >/dev/null
	out=$(dockm 4242 update --memory 64m mu 2>&1) && fail "a member changed its limits"
	assert_contains "$out" "permission denied" "a member's resources"
	dockm 4242 rm -f mu >/dev/null
	dock rm -f u >/dev/null
}

# Docker's --memory-swap (memory plus swap) and --memory-reservation
# (memory.low): kept and shown as Docker shows them, checked against
# --memory as Docker checks them, at create and at update; in force where
# the memory controller is (the VM tier's systemd boot: through systemd's
# MemorySwapMax and MemoryLow)
test_dk_memory_swap_and_reservation() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	local out
	out=$(dock create --name s --memory 64m --memory-swap 96m --memory-reservation 32m busybox:latest sleep 1000 2>&1) ||
		fail "create: $out"
	assert_not_contains "$out" "not supported" "no warning"
	assert_eq "$(dock inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}}' s)" \
		"67108864 100663296 33554432" "as docker inspect shows them"
	out=$(dock create --memory 64m --memory-swap 32m busybox:latest true 2>&1) && fail "swap below memory: $out"
	assert_contains "$out" "memorySwap: 33554432 is below memory 67108864: it counts memory plus swap" "swap below memory"
	out=$(dock create --memory-swap 96m busybox:latest true 2>&1) && fail "swap without memory: $out"
	assert_contains "$out" "memorySwap: needs memory" "swap without memory"
	out=$(dock create --memory 64m --memory-reservation 128m busybox:latest true 2>&1) && fail "reservation above memory: $out"
	assert_contains "$out" "memoryReservation: 134217728 is above memory 67108864" "reservation above memory"
	ctl create --name u --memory 64m --memory-swap -1 busybox:latest true >/dev/null || fail "corralctl --memory-swap -1"
	assert_eq "$(ctl --json inspect u | jq -c '.[0].config.resources | [.memory, .memorySwap]')" "[67108864,-1]" "corralctl's"
	out=$(ctl create --memory 64m --memory-swap lots busybox:latest true 2>&1) && fail "--memory-swap lots: $out"
	assert_contains "$out" "--memory-swap lots: must be a size like 512m or 1g, or -1" "corralctl's refusal"
	has_memory_controller || return 0
	dock start s >/dev/null
	assert_eq "$(dock exec s cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/memory.low | tr '\n' ' ')" \
		"67108864 33554432 33554432 " "in force: swap is memory plus swap less memory"
	dock update --memory 48m s >/dev/null || fail "update --memory"
	assert_eq "$(dock exec s cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max | tr '\n' ' ')" \
		"50331648 50331648 " "a new memory keeps memory plus swap"
	out=$(dock update --memory 128m s 2>&1) && fail "memory above memory plus swap: $out"
	assert_contains "$out" "below memory" "memory above memory plus swap"
	assert_eq "$(dock exec s cat /sys/fs/cgroup/memory.max)" 50331648 "unchanged"
	dock update --memory-swap -1 s >/dev/null || fail "update --memory-swap -1"
	dock restart -t 1 s >/dev/null
	assert_eq "$(dock exec s cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/memory.low | tr '\n' ' ')" \
		"50331648 max 33554432 " "kept, and in force after a restart"
	dock rm -f s >/dev/null
}

# docker run -v (and compose's volumes: ./data:/data) makes a host path that
# does not exist, as dockerd does (a directory, 0755): root's as root, a
# member's as the member, under the policy's prefixes; --mount does not
test_dk_a_missing_bind_source_is_made() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/mine" "$T/allowed/roots"
	chown 4242 "$T/allowed/mine"
	chmod 755 "$T/allowed" "$T/allowed/roots"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json" $(docker_flags)
	import_busybox
	member_import 4242 m:1
	dock run --rm -v "$T/new/a/b:/d" busybox:latest sh -c 'echo x >/d/f' || fail "-v with a missing source"
	assert_eq "$(stat -c '%a %u:%g' "$T/new" "$T/new/a/b" | tr '\n' ' ')" "755 0:0 755 0:0 " "made as dockerd makes it"
	assert_eq "$(cat "$T/new/a/b/f")" x "the container wrote into it"
	# deleted while the container is kept: its next start makes it again
	dock create --name again -v "$T/again:/d" busybox:latest sh -c 'ls -A /d; touch /d/mark' >/dev/null
	dock start -a again >/dev/null || fail "the first start"
	rm -rf "$T/again"
	assert_eq "$(dock start -a again)" "" "made again, empty, at the next start"
	[ -f "$T/again/mark" ] || fail "the directory made again is the one bound"
	local out
	out=$(dock run --rm --mount "type=bind,src=$T/new2,dst=/d" busybox:latest true 2>&1) && fail "--mount made its source: $out"
	assert_contains "$out" "$T/new2: No such file or directory" "--mount's refusal"
	[ ! -e "$T/new2" ] || fail "--mount made its source"
	# a member's: made as the member where it may write, within the prefixes
	dockm 4242 run --rm -v "$T/allowed/mine/data:/d" m:1 sh -c 'echo y >/d/f' || fail "a member's -v with a missing source"
	assert_eq "$(stat -c '%a %u' "$T/allowed/mine/data")" "755 4242" "made as the member"
	out=$(dockm 4242 run --rm -v "$T/allowed/roots/data:/d" m:1 true 2>&1) && fail "a member made a directory in root's: $out"
	assert_contains "$out" "cannot open $T/allowed/roots/data as uid 4242" "refused as the member"
	[ ! -e "$T/allowed/roots/data" ] || fail "made in root's directory for a member"
	out=$(dockm 4242 run --rm -v "$T/elsewhere:/d" m:1 true 2>&1) && fail "a member made a directory in root's \$T: $out"
	assert_contains "$out" "cannot open $T/elsewhere as uid 4242" "refused as the member"
	[ ! -e "$T/elsewhere" ] || fail "made outside the prefixes for a member"
	# where the member may write, outside the prefixes: made as the member
	# (as it could itself), then refused by the policy, and left as made
	mkdir "$T/free" && chown 4242 "$T/free"
	out=$(dockm 4242 run --rm -v "$T/free/data:/d" m:1 true 2>&1) && fail "a member's source outside the prefixes: $out"
	assert_contains "$out" "outside the allowed prefixes" "refused by the policy"
	assert_eq "$(stat -c %u "$T/free/data")" 4242 "left as the member made it"
	return 0
}

# --log-opt max-size and max-file (compose's logging: options:), as
# dockerd's json-file driver takes them: the log rotates past max-size and
# keeps max-file files, the live one included; inspect shows them. A
# member's log keeps no more bytes than corrald's own bound
test_dk_log_opts_rotate_the_log() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	member_import 4242 m:1
	dock run --name lg --log-opt max-size=4k --log-opt max-file=2 busybox:latest \
		sh -c 'for i in $(seq 600); do echo line-$i; done' >/dev/null
	local dir files out
	dir="$STATE_D/containers/$(dock inspect -f '{{.Id}}' lg)"
	files=$(find "$dir" -maxdepth 1 -name 'ctr.log*' | wc -l)
	assert_eq "$files" 2 "the log's files: $(ls "$dir")"
	for f in "$dir"/ctr.log*; do [ "$(wc -c <"$f")" -le 4096 ] || fail "$f passed max-size: $(wc -c <"$f") bytes"; done
	out=$(dock logs lg)
	assert_eq "$(echo "$out" | tail -1)" line-600 "the last line"
	assert_not_contains "$out" "line-1$(printf '\n')" "the first lines are rotated away"
	[ "$(echo "$out" | wc -l)" -lt 600 ] || fail "nothing rotated away"
	assert_eq "$(dock inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}}' lg)" \
		"4096 2" "inspect's LogConfig"
	out=$(dock run --rm --log-opt max-size=10x busybox:latest true 2>&1) && fail "max-size 10x: $out"
	assert_contains "$out" "invalid value for max-size: 10x" "a bad max-size"
	# corrald's bound is 10M times 5 files: a member asks no more in all
	dockm 4242 run --rm --log-opt max-size=50m m:1 true || fail "a member's 50m, one file"
	out=$(dockm 4242 run --rm --log-opt max-size=20m --log-opt max-file=3 m:1 true 2>&1) && fail "a member's 60m: $out"
	assert_contains "$out" "a member's log keeps at most corrald's log-max-size times log-max-files (52428800 bytes)" \
		"the member's refusal"
	dock run --rm --log-opt max-size=20m --log-opt max-file=3 busybox:latest true || fail "root's 60m"
	# corralctl's, as podman's --log-opt max-size
	ctl create --name cl --log-opt max-size=8k --log-opt max-file=3 busybox:latest true >/dev/null
	assert_eq "$(ctl --json inspect cl | jq -c '.[0].config | [.logMaxSize, .logMaxFiles]')" "[8192,3]" "corralctl's"
	out=$(ctl create --log-opt tag=x busybox:latest true 2>&1) && fail "--log-opt tag: $out"
	assert_contains "$out" "--log-opt tag=x: max-size=SIZE (4k to 1T) or max-file=N (1 to 100)" "corralctl's refusal"
}

# docker run --platform: the image's own platform (as OS/ARCH, ARCH alone,
# OS alone, or x86_64 for amd64) runs it; another is not found, as
# Docker's answer, whose client then tries a pull: nothing is made of an
# image of the wrong platform
test_dk_run_platform_is_the_images() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local arch other p out
	arch=$(dock image inspect -f '{{.Architecture}}' busybox:latest)
	other=arm64
	[ "$arch" = arm64 ] && other=amd64
	for p in "linux/$arch" "$arch" linux; do
		assert_eq "$(dock run --rm --platform "$p" busybox:latest echo ran)" ran "--platform $p"
	done
	[ "$arch" != amd64 ] || assert_eq "$(dock run --rm --platform linux/x86_64 busybox:latest echo ran)" ran "x86_64"
	out=$(curl -s --unix-socket "$S/docker.sock" -H 'Content-Type: application/json' -d '{"Image":"busybox:latest"}' \
		"http://d/v1.41/containers/create?platform=linux/$other" -w ' %{http_code}')
	assert_eq "$(jq -r .message <<<"${out% *}") ${out##* }" \
		"image with reference busybox:latest was found but does not match the specified platform: wanted linux/$other, actual: linux/$arch 404" \
		"the API's answer"
	out=$(dock run --rm --platform "linux/$other" busybox:latest echo ran 2>&1) && fail "another platform ran: $out"
	assert_eq "$(dock ps -aq | wc -l)" 0 "no container made"
}

# A start that fails keeps why in State.Error, with Docker's exit code
# (127: no such command, 126: one that may not run, 128: anything else),
# across a restart of corrald, until a start succeeds; docker ps says
# Created, as Docker's does
test_dk_a_failed_start_says_why() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local st='{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}'
	dock run --name nocmd busybox:latest /nosuch >/dev/null 2>&1 && fail "a command that is not there ran"
	assert_eq "$(dock inspect -f "$st" nocmd)" "created 127 create $(dock inspect -f '{{.Id}}' nocmd): exec: \"/nosuch\": No such file or directory" "no such command"
	dock run --name noexec busybox:latest /etc/passwd >/dev/null 2>&1 && fail "a file that is no program ran"
	assert_contains "$(dock inspect -f "$st" noexec)" "created 126 " "a command that may not run"
	dock run --name nodir -w /etc/passwd busybox:latest true >/dev/null 2>&1 && fail "a working directory that is a file"
	assert_contains "$(dock inspect -f "$st" nodir)" "created 128 " "another failure"
	assert_contains "$(dock inspect -f '{{.State.Error}}' nodir)" "process.cwd: /etc/passwd" "what failed"
	dock create --name later busybox:latest /bin/later >/dev/null
	dock start later >/dev/null 2>&1 && fail "a start of a command not yet there"
	assert_eq "$(dock ps -a --filter name=later --format '{{.Status}}')" Created "docker ps"
	restart_sv $(docker_flags)
	assert_contains "$(dock inspect -f "$st" later)" "created 127 create" "kept across corrald's restart"
	printf '#!/bin/sh\necho later\n' >"$T/later"
	chmod 755 "$T/later"
	dock cp "$T/later" later:/bin/later
	assert_eq "$(dock start -a later)" later "the start once the command is there"
	assert_eq "$(dock inspect -f "$st" later)" "exited 0 " "a start that succeeds clears it"
	assert_eq "$(ctl --json inspect later | jq -c '.[0].state.startError')" null "corralctl's view"
	assert_contains "$(ctl --json inspect nodir | jq -r '.[0].state.startError')" "process.cwd: /etc/passwd" "corralctl's view of a failure"
}

# images, tag and rmi through the API; what corral says is what docker shows
test_dk_images() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	# a name given at import is local, as podman's compat service shows it
	assert_eq "$(dock images --format '{{.Repository}}:{{.Tag}}')" "localhost/busybox:latest" "images"
	dock tag busybox:latest example.org/mine:2
	assert_eq "$(dock images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" \
		"example.org/mine:2 localhost/busybox:latest " "tagged"
	assert_eq "$(dock image inspect -f '{{.Os}}' example.org/mine:2)" linux "image inspect"
	dock rmi example.org/mine:2 >/dev/null
	assert_eq "$(dock images -q | wc -l)" 1 "one image left"
	local out
	out=$(dock rmi nosuch:1 2>&1) && fail "rmi of nothing succeeded"
	assert_contains "$out" "No such image" "the error for a missing image"
}

# The Docker SDK for Python, as test harnesses use it
test_dk_python_sdk() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local out
	out=$(python3 - "$S/docker.sock" <<'EOF'
import sys, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
print(c.version()["ApiVersion"])
ct = c.containers.run("busybox:latest", ["sh", "-c", "echo from-sdk; sleep 1000"], detach=True, name="sdk")
print(ct.status in ("created", "running"))
ct.reload()
print(ct.status, ct.name)
print([x.name for x in c.containers.list()])
import time
for _ in range(100):
    if b"from-sdk" in ct.logs():
        break
    time.sleep(0.05)
print(ct.logs().decode().strip())
ct.stop(timeout=1)
print(ct.wait()["StatusCode"])
ct.remove()
print(len(c.containers.list(all=True)))
EOF
)
	assert_eq "$(echo "$out" | tr '\n' ' ')" "1.41 True running sdk ['sdk'] from-sdk 137 0 " "what the SDK saw"
}

# Members through the docker socket: their own containers only, and the
# policy's ceilings, with Docker's error shapes
test_dk_members_get_what_varlink_gives_them() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	chmod 755 "$T"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	mctl 4343 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	dockm 4242 run -d --name a m:1 sleep 1000 >/dev/null || fail "member 4242 could not run"
	assert_eq "$(dockm 4343 ps -a --format '{{.Names}}')" "" "4343 sees none of 4242's"
	local out
	out=$(dockm 4343 inspect a 2>&1) && fail "4343 inspected 4242's container: $out"
	assert_contains "$out" "No such" "4343's answer"
	out=$(dockm 4343 rm a 2>&1) && fail "4343 removed 4242's container"
	assert_contains "$out" "No such container" "4343's rm"
	dockm 4343 rm -f a >/dev/null 2>&1 # docker's rm -f says nothing of a missing one
	assert_eq "$(dockm 4242 ps --format '{{.Names}}')" a "4242's container is still there"
	out=$(dockm 4343 run -d --volumes-from a m:1 true 2>&1) && fail "4343 took 4242's volumes"
	assert_contains "$out" "No such container: a (--volumes-from)" "4343's --volumes-from of 4242's container"
	# each --volumes-from is an Inspect of corrald's: a bounded number
	out=$(dockm 4343 run -d $(printf -- '--volumes-from x%d ' $(seq 17)) m:1 true 2>&1) && fail "17 --volumes-from ran"
	assert_contains "$out" "HostConfig.VolumesFrom: more than 16 containers" "17 --volumes-from"
	out=$(dockm 4343 run -d --privileged m:1 true 2>&1) && fail "a member ran a privileged container"
	assert_contains "$out" "privileged" "the refusal names what"
	out=$(dockm 4343 run -d -v /etc:/host-etc m:1 true 2>&1) && fail "a member bound the host's /etc"
	# docker run's confinement options that are root's alone: each refused
	# by corrald, naming its field
	local opt field
	while read -r field opt; do
		out=$(dockm 4343 run -d $opt m:1 true 2>&1) && fail "a member ran with $opt"
		assert_contains "$out" "$field" "$opt: the refusal names the field"
	done <<-EOF
	spec.seccompProfile --security-opt seccomp=unconfined
	spec.devices --device /dev/kmsg
	spec.pidNamespace --pid host
	spec.ipcNamespace --ipc host
	spec.utsNamespace --uts host
	spec.cgroupNamespace --cgroupns host
	spec.sysctls --sysctl net.core.somaxconn=1000
	spec.cgroupParent --cgroup-parent /elsewhere
	spec.maskedPaths --security-opt systempaths=unconfined
	spec.resources.oomScoreAdj --oom-score-adj -500
	EOF
	assert_eq "$(mctl 4343 ps -a -q | wc -l)" 0 "no container was left by the refusals"
	dockm 4242 rm -f a >/dev/null
}

# One member cannot take every corral-docker: past 32 connections it is
# told so (429) before a byte of its request is read, while another member
# and root are still served; closing them frees its share.
test_dk_member_connections_are_bounded() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	chmod 755 "$T"
	mkdir -m 1777 "$T/hog"
	as_uid 4242 /usr/bin/python3 - "$S/docker.sock" "$T/hog/held" >"$T/hog.out" 2>&1 <<-'PY' &
	import os, socket, sys, time
	path, flag = sys.argv[1], sys.argv[2]
	held = []
	for i in range(32):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(path)
	    s.sendall(b"GET /_pi")  # half a request: its corral-docker waits on it
	    held.append(s)
	s = socket.socket(socket.AF_UNIX)
	s.connect(path)
	s.settimeout(10)
	said = b""
	while chunk := s.recv(4096):  # Connection: close, so read to the end
	    said += chunk
	print("33rd", said.decode(errors="replace").replace("\r\n", " "), flush=True)
	open(flag, "w").close()
	while os.path.exists(flag):
	    time.sleep(0.05)
	PY
	local hog=$!
	wait_for 100 sh -c "test -e '$T/hog/held' || ! kill -0 $hog 2>/dev/null"
	[ -e "$T/hog/held" ] || fail "the 33rd connection: $(cat "$T/hog.out")"
	assert_contains "$(cat "$T/hog.out")" "429 Too Many Requests" "the 33rd connection"
	assert_contains "$(cat "$T/hog.out")" "uid 4242 has 32 Docker API connections open" "what it is told"
	assert_eq "$(dockm 4343 version --format '{{.Server.APIVersion}}')" 1.41 "another member, beside the hog"
	assert_eq "$(dock version --format '{{.Server.APIVersion}}')" 1.41 "root, beside the hog"
	rm -f "$T/hog/held"
	wait "$hog"
	wait_for 50 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]" || fail "the hog's corral-dockers did not end"
	assert_eq "$(dockm 4242 version --format '{{.Server.APIVersion}}')" 1.41 "the member, after it let go"
}

# A figure the host cannot give is said to be missing, never 0. Where the
# cgroup2 root offers no memory controller (this host's), Stats' memory is
# null: corralctl stats shows "--", the Docker API leaves memory_stats
# empty, as dockerd does, and docker info says MemoryLimit false with
# dockerd's warning. (Where it offers one, the VM tier's
# test_sv_memory_figures_where_the_controller_is checks the figures.)
test_dk_stats_and_info_say_a_figure_is_missing() {
	trap cleanup_sv EXIT
	local mount=/sys/fs/cgroup have
	[ "$(stat -f -c %T "$mount")" = cgroup2fs ] || mount=/sys/fs/cgroup/unified
	have=$(cat "$mount/cgroup.controllers")
	[[ " $have " != *" memory "* ]] || skip "the cgroup2 root here has a memory controller"
	start_docker
	import_busybox
	dock run -d --name st busybox:latest sleep 1000 >/dev/null
	assert_eq "$(ctl --json info | jq -r '.host.cgroupControllers | join(" ")')" "$have" "what corrald says the root offers"
	assert_eq "$(ctl stats --no-stream --json st | jq -c '.[0].memoryBytes')" null "Stats' memory, with no controller"
	assert_eq "$(curl -s --unix-socket "$S/docker.sock" 'http://d/v1.41/containers/st/stats?stream=false' | jq -c .memory_stats)" \
		"{}" "the API's memory_stats, with no controller"
	assert_eq "$(dock info --format '{{.MemoryLimit}}')" false "docker info's MemoryLimit"
	assert_contains "$(dock info 2>&1)" "WARNING: No memory limit support" "docker info"
	assert_eq "$(ctl stats --no-stream --format '{{.MemUsage}} {{.MemPerc}}' st)" "-- / -- --" "corralctl stats"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
