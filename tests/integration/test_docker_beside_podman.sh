#!/bin/bash
# time: about 570 s on the loaded 2-core machine (26 cases): every command runs twice, on corral and on podman, through the docker CLI, whose own start costs 0.3 s there; podman takes a second or more a container; one corrald and one podman service serve all cases
# The Docker API side by side (issue 47): the same docker CLI 20.10 commands
# (and python3-docker for one case) against corrald's docker socket and
# against podman 4.3's compat service (`podman system service`), and what
# the client sees compared: exit codes, stdout (normalised: ids, times, the
# localhost/ that both put before a local image's name), stderr's meaning
# where both fail, and inspect fields through --format. Each case runs its
# sequence on corral, then on podman; corral's answer must be podman's and
# Docker's documented one. Where podman itself cannot (its compat service
# has gaps), the case says so in a NOTE (printed at the end of the file)
# and still holds corral to Docker's behaviour.
#
# One corrald and one podman service serve the whole file; each case
# removes what it made on both, and checks that both are back to nothing.
# The differences podman shows (its gaps, each mended with a sed so that
# the rest is still compared) are the NOTE lines at the end; corral's own
# differences from Docker are asserted where they are (top's titles).
# Both run in a network namespace of the file's own ($FX/netns). podman
# runs in a mount namespace of its own (a tmpfs on /run: its netns files,
# runc's state) and a cgroup namespace rooted at corral-podman-<id> in each
# hierarchy: it puts its containers at /libpod_parent, a place no
# containers.conf setting moves, and here that is below the file's own
# cgroup; so nothing of podman's lands in the host's mounts or cgroups.
# podman runs its containers with runc (crun refuses this hybrid cgroup
# host), vfs storage, CNI networks on subnets apart from corral's, and
# file events.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../podman_layout.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
. "$(dirname "$0")/docker_lib.sh"

file_skip() {
	echo "SKIP $(basename "$0"): $*"
	echo "skip $(basename "$0" .sh)" >>"$RESULTS"
	exit 0
}
command -v podman >/dev/null || file_skip "podman is not installed (tests/deps.sh installs it)"
command -v runc >/dev/null || file_skip "runc is not installed: podman's runtime here"
for p in bridge host-local portmap firewall tuning loopback; do
	[ -x "$CNI/$p" ] || file_skip "no CNI plugin $CNI/$p (containernetworking-plugins)"
done
python3 -c 'import docker' 2>/dev/null || file_skip "python3-docker is not installed"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

# The file's fixture: not a case's $T (run_test gives each case its own)
FX="$TESTROOT/beside-$$"
FXID="it$$-beside"
FXS="" # the fixture's sockets (lib.sh's short_dir)
PCG="corral-podman-$FXID" # podman's cgroup namespace root, in every hierarchy
NOTES="$FX/notes"
PM_RUN="" PMH="" PMS=""

# d ARGS...: the docker CLI against $ENGINE (corral or podman)
d() {
	local s=$FXS/docker.sock
	[ "$ENGINE" = podman ] && s=$FXS/pm.sock
	DOCKER_CONFIG="$FX/dc" DOCKER_HOST="unix://$s" docker "$@"
}
# in the fixture's network namespace (a published port is there)
infx() { nsenter --net="$FX/netns" "$@"; }
# pm ARGS...: podman with its own storage and config, in its namespaces
# and in its own cgroup (the namespace's root)
pm() {
	nsenter -t "$PMH" -m -n -C sh -c 'for f in /sys/fs/cgroup/*/cgroup.procs; do echo $$ >"$f"; done; exec "$@"' sh \
		env TMPDIR="$FX/pm/tmp" CONTAINERS_CONF="$FX/containers.conf" \
		podman --root "$FX/pm/root" --runroot "$PM_RUN" --tmpdir "$FX/pm/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file --network-backend cni --runtime runc "$@"
}

# The holder of podman's namespaces: joins corral-podman-<id> in every
# hierarchy, makes a cgroup namespace there and a mount namespace with the
# hierarchies mounted again (so rooted at it) and a tmpfs on /run.
pm_holder() {
	local h
	for h in /sys/fs/cgroup/*/; do echo $$ >"$h$PCG/cgroup.procs" || exit 1; done
	exec unshare -C -m --propagation private sh -c '
	set -e
	mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
	for c in $0; do
		mkdir /sys/fs/cgroup/$c
		case $c in
		unified) mount -t cgroup2 cgroup2 /sys/fs/cgroup/$c ;;
		systemd) mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/$c ;;
		*) mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c ;;
		esac
	done
	mount -t tmpfs -o mode=755 run /run
	echo ready
	exec sleep 1000000' "$(ls /sys/fs/cgroup | tr '\n' ' ')"
}

fx_start() {
	mkdir -p "$FX/pm/tmp" "$FX/pm-net.d" "$FX/dc"
	: >"$NOTES"
	# corrald, as start_sv_netns starts it (in $FX/netns, made there)
	FXS=$(short_dir) || return 1
	T=$FX S=$FXS TID=$FXID
	start_sv_netns $(docker_flags) || return 1
	ctl image import "oci:$IMGS/oci:test" busybox:latest >/dev/null || return 1
	# podman's cgroups: only this host's hierarchies, each with our own
	local h
	for h in /sys/fs/cgroup/*/; do mkdir "$h$PCG" || return 1; done
	cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$PCG/cpuset.cpus" 2>/dev/null
	cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$PCG/cpuset.mems" 2>/dev/null
	# podman wants its run root under 50 characters; the fixture is pulled
	# through the link there (tests/podman_layout.sh)
	PM_RUN=$(podman_layout "$IMGS/oci") || return 1
	# subnets apart from corral's (10.88.0.0/16 and 10.89.0.0/16 are its picks)
	cat >"$FX/containers.conf" <<-EOC
	[containers]
	pids_limit = 0
	log_driver = "k8s-file"
	default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
	[network]
	network_backend = "cni"
	cni_plugin_dirs = ["$CNI"]
	network_config_dir = "$FX/pm-net.d"
	default_subnet = "10.77.0.0/16"
	default_subnet_pools = [{"base" = "10.78.0.0/16", "size" = 24}]
	[engine]
	cgroup_manager = "cgroupfs"
	runtime = "runc"
	events_logger = "file"
	events_logfile_path = "$FX/pm/events.log"
	image_copy_tmp_dir = "$FX/pm/tmp"
	EOC
	mkfifo "$FX/holder.ready"
	nsenter --net="$FX/netns" bash -c "$(declare -f pm_holder); PCG=$PCG; pm_holder" >"$FX/holder.ready" 2>"$FX/holder.err" &
	PMH=$!
	local ready=""
	read -r -t 20 ready <"$FX/holder.ready"
	[ "$ready" = ready ] || { cat "$FX/holder.err" >&2; return 1; }
	pm pull -q "oci:$PM_RUN/layout:test" >"$FX/pm.img" 2>"$FX/pm.err" || { cat "$FX/pm.err" >&2; return 1; }
	pm tag "$(cat "$FX/pm.img")" busybox:latest || return 1
	nsenter -t "$PMH" -m -n -C sh -c 'for f in /sys/fs/cgroup/*/cgroup.procs; do echo $$ >"$f"; done; exec "$@"' sh \
		env TMPDIR="$FX/pm/tmp" CONTAINERS_CONF="$FX/containers.conf" \
		podman --root "$FX/pm/root" --runroot "$PM_RUN" --tmpdir "$FX/pm/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file --network-backend cni --runtime runc \
		system service --time=0 "unix://$FXS/pm.sock" >"$FX/pm-service.log" 2>&1 &
	PMS=$!
	ENGINE=podman wait_for 30 d version || return 1
}

fx_stop() {
	set +e
	trap - EXIT
	if [ -n "$PMH" ]; then
		pm rm -af -t 0 >/dev/null 2>&1
		if [ -n "$PMS" ]; then
			kill -TERM "$PMS" 2>/dev/null
			wait "$PMS" 2>/dev/null
		fi
		pm volume rm -af >/dev/null 2>&1
		pm system reset -f >/dev/null 2>&1
		kill "$PMH" 2>/dev/null
		wait "$PMH" 2>/dev/null
	fi
	# what still runs in podman's cgroups (a conmon a moment after its
	# container) is ours; then each is removed once empty
	local dirs=() h left
	for h in /sys/fs/cgroup/*/; do [ -d "$h$PCG" ] && dirs+=("$h$PCG"); done
	if [ ${#dirs[@]} -gt 0 ]; then
		for _ in $(seq 100); do
			left=$(find "${dirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
			[ -z "$left" ] && break
			kill -9 $left 2>/dev/null
			sleep 0.05
		done
		for h in "${dirs[@]}"; do find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null; done
		for h in "${dirs[@]}"; do [ -d "$h" ] && echo "test_docker_beside_podman: could not remove $h" >&2; done
	fi
	[ -n "$PM_RUN" ] && rm -rf "$PM_RUN"
	T=$FX S=$FXS TID=$FXID
	cleanup_sv
	[ -s "$NOTES" ] && sed 's/^/NOTE /' "$NOTES"
	rm -rf "$FX"
	drop_short_dir "$FXS"
}

# ---- comparing ----

# norm: what differs between the engines by design, made alike: ids (64
# or 12 hex digits), the localhost/ both put before a local image's name
# (corral names an imported image as podman's compat service does), times.
# And a docker CLI bug dropped: its `run -d` returns while its own wait is
# still in flight and may log that wait's cancellation, whichever engine
# serves it, more often under load (fixed in docker/cli 26.1, #5043)
norm() {
	sed -E -e 's/[0-9a-f]{64}/<id>/g' -e 's/\b[0-9a-f]{12}\b/<id>/g' -e 's#localhost/##g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)/<time>/g' \
		-e '/level=error msg="error waiting for container: context canceled"$/d'
}

# beside SCENARIO: SCENARIO (a function) runs on corral and then on
# podman, with ENGINE set; what each printed (its stdout and stderr, and
# the rc lines it echoes), normalised, goes to OUT_corral and OUT_podman
beside() {
	local e t0 v
	for e in corral podman; do
		ENGINE=$e
		t0=$SECONDS
		printf -v "OUT_$e" '%s' "$("$1" 2>&1 | norm)"
		ENGINE=""
		# shown when the case fails
		v="OUT_$e"
		echo "--- $e ($((SECONDS - t0)) s):"
		echo "${!v}"
	done
}
# same WHAT EXPECTED: corral's output is what Docker documents, and podman's
same() {
	assert_eq "$OUT_corral" "$2" "$1: corral"
	assert_eq "$OUT_podman" "$OUT_corral" "$1: podman beside corral"
}
# gap SED WHY: where podman's compat service cannot give Docker's answer,
# its output mended with SED (so the rest is still compared), and WHY put
# in the file's notes; nothing when podman's output has no such thing
gap() {
	local fixed
	fixed=$(sed -E "$1" <<<"$OUT_podman")
	[ "$fixed" = "$OUT_podman" ] && return 0
	echo "$CASE: podman: $2" >>"$NOTES"
	OUT_podman=$fixed
}
# says FILE TOKEN ERE: TOKEN when FILE (a command's stderr) means ERE, else
# what it said (the engines' words differ; the meaning must not)
says() {
	if grep -qiE "$3" "$1"; then echo "$2"; else echo "$2? [$(head -c 300 "$1")]"; fi
}
# ERR: this engine's file for a command's stderr
err() { echo "$T/$1.err.$ENGINE"; }

# api ENGINE PATH [curl options]: the API itself, for the cleanup
api() {
	local s=$FXS/docker.sock
	[ "$1" = podman ] && s=$FXS/pm.sock
	curl -s --max-time 60 --unix-socket "$s" "http://d/v1.41$2" "${@:3}"
}
# Both engines back to what the fixture has: busybox:latest, no container,
# no volume, no network of a case's. Each case's EXIT trap; through the API
# (a docker CLI's start costs more than the call).
reset_both() {
	local e x ok=0
	for e in corral podman; do
		for x in $(api $e "/containers/json?all=1" | jq -r '.[].Id'); do
			# killed first: podman's forced removal waits out a stop timeout
			api $e "/containers/$x/kill" -X POST >/dev/null
			api $e "/containers/$x?force=1&v=1" -X DELETE >/dev/null
		done
		for x in $(api $e /volumes | jq -r '.Volumes[]?.Name'); do
			api $e "/volumes/$x?force=1" -X DELETE >/dev/null
		done
		for x in $(api $e /networks | jq -r '.[].Name | select(startswith("sbs"))'); do
			api $e "/networks/$x" -X DELETE >/dev/null
		done
		for x in $(api $e /images/json | jq -r '.[].RepoTags[]?' | grep -v '^\(localhost/\)\?busybox:latest$'); do
			api $e "/images/$x?force=1" -X DELETE >/dev/null
		done
		x=$(api $e "/containers/json?all=1" | jq length)
		[ "$x" = 0 ] || { echo "    LEFT on $e: $x containers" >&2; ok=1; }
		x=$(api $e /volumes | jq '.Volumes | length')
		[ "$x" = 0 ] || { echo "    LEFT on $e: $x volumes" >&2; ok=1; }
		x=$(api $e /images/json | jq -r '[.[].RepoTags[]?] | join(" ")')
		[ "$(norm <<<"$x")" = busybox:latest ] || { echo "    LEFT on $e: images $x" >&2; ok=1; }
	done
	return $ok
}
case_start() { # the case's name
	CASE=$1
	trap 'reset_both || exit 1' EXIT
}

# logs_have NAME TEXT...: the container's log (both streams) has each TEXT
logs_have() {
	local n=$1 out t
	shift
	out=$(d logs "$n" 2>&1) || return 1
	for t in "$@"; do [[ $out == *"$t"* ]] || return 1; done
}
# status_is NAME STATUS
status_is() { [ "$(d inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }

# ---- the cases ----

sc_run_exit_codes() {
	d run --rm busybox:latest echo hello
	d run --rm busybox:latest sh -c 'exit 7'
	echo "rc=$?"
	d run --rm busybox:latest sh -c 'echo to-err >&2; exit 0' 2>&1 >/dev/null
	echo "rc=$?"
	# the CLI's 127 and 126 come from the words of the start's error
	d run --rm busybox:latest /nonexistent >/dev/null 2>"$(err run)"
	echo "rc=$?"
	says "$(err run)" "not found" "no such file or directory"
	d run --rm busybox:latest /etc/passwd >/dev/null 2>"$(err run)"
	echo "rc=$?"
	d run --rm nosuchimage:1 true >/dev/null 2>&1
	echo "rc=$?"
	# --rm: none left, also of those that could not start
	d ps -aq | wc -l
}
test_run_exit_codes() {
	case_start run_exit_codes
	beside sc_run_exit_codes
	gap '2s/^rc=0$/rc=7/' "run --rm of a container that exits 7 ends 0: the CLI's wait (condition=removed) gets no exit code"
	gap '/^rc=1$/{N;s/^rc=1\nnot found\? \[.*received 409.*/rc=127\nnot found/}' \
		"run --rm of a missing program: 'unable to upgrade to tcp, received 409' and exit code 1, not Docker's 127"
	gap '/^rc=1$/{N;s/^rc=1\nrc=125$/rc=126\nrc=125/}' "run --rm of a file that is no program: exit code 1, not Docker's 126"
	same "run --rm's output and exit codes" "hello
rc=7
to-err
rc=0
rc=127
not found
rc=126
rc=125
0"
}

sc_run_publish() {
	d run -d --name sbsweb -p 18090:80 busybox:latest \
		sh -c 'mkdir -p /www && echo hello-$((6*7)) >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	echo "rc=$?"
	d port sbsweb
	d inspect -f '{{json .NetworkSettings.Ports}}' sbsweb
	wait_for 20 infx curl -sf --max-time 2 http://127.0.0.1:18090/
	infx curl -s --max-time 5 http://127.0.0.1:18090/
	d kill sbsweb >/dev/null
	d rm sbsweb
	# the port is let go with the container
	infx curl -s --max-time 2 http://127.0.0.1:18090/ >/dev/null
	echo "after rm: rc=$?"
	# -P: every exposed port (--expose's) to a free one of the host's
	d run -d --name sbsall --expose 8080 -P busybox:latest \
		sh -c 'mkdir -p /www && echo all-$((6*7)) >/www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
	local hp
	hp=$(d port sbsall 8080/tcp | head -1 | sed 's/.*://')
	[ -n "$hp" ] && [ "$hp" -gt 0 ] && echo "-P: a host port" || echo "-P: [$(d port sbsall)]"
	wait_for 20 infx curl -sf --max-time 2 "http://127.0.0.1:$hp/"
	infx curl -s --max-time 5 "http://127.0.0.1:$hp/"
	d rm -f sbsall >/dev/null
}
test_run_publish_a_port() {
	case_start run_publish_a_port
	beside sc_run_publish
	gap 's/-> :18090/-> 0.0.0.0:18090/; s/"HostIp":""/"HostIp":"0.0.0.0"/' \
		"a port published on every address has HostIp \"\", where Docker says 0.0.0.0"
	same "run -d -p, port, the published port, rm" 'rc=0
80/tcp -> 0.0.0.0:18090
{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18090"}]}
hello-42
sbsweb
after rm: rc=7
-P: a host port
all-42'
}

sc_run_stdin() {
	echo hello | d run -i --rm busybox:latest tr a-z A-Z
	printf 'one\ntwo\nthree\n' | d run -i --rm busybox:latest sh -c 'wc -l; exit 3'
	echo "rc=$?"
	# without -i, the container's stdin is empty
	echo unseen | d run --rm busybox:latest sh -c 'cat; echo cat=$?'
	printf 'kept\n' | d run -i --name sbsin busybox:latest sh -c 'read -r l; echo got-$l'
	echo "rc=$?"
	d logs sbsin
}
test_run_stdin_piped() {
	case_start run_stdin_piped
	beside sc_run_stdin
	gap '3s/^rc=0$/rc=3/' "run -i --rm ends 0 for a container that exits 3 (as run --rm)"
	same "run -i with stdin piped" "HELLO
3
rc=3
cat=0
got-kept
rc=0
got-kept"
}

sc_exec() {
	d run -d --name sbsx busybox:latest sleep 1000 >/dev/null
	d exec sbsx sh -c 'echo out; echo err >&2; exit 3' 2>"$(err x)"
	echo "rc=$? err=$(cat "$(err x)")"
	echo piped | d exec -i sbsx cat
	d exec -e FOO=bar -w /tmp sbsx sh -c 'echo $FOO $(pwd)'
	d exec -u 1000 sbsx id -u
	d exec sbsx false
	echo "rc=$?"
	d exec nosuch true 2>"$(err x)"
	echo "rc=$?"
	says "$(err x)" "no such container" "no such container"
	d stop -t 0 sbsx >/dev/null
	d exec sbsx true 2>"$(err x)"
	echo "rc=$?"
	says "$(err x)" "not running" "is not running|only .* running containers"
}
test_exec_output_and_exit_codes() {
	case_start exec_output_and_exit_codes
	beside sc_exec
	same "exec" "out
rc=3 err=err
piped
bar /tmp
1000
rc=1
rc=1
no such container
rc=1
not running"
	assert_contains "$(cat "$T/x.err.corral")" "is not running" "corral says it as Docker does"
}

sc_logs() {
	# a pause before the last line: two pipes keep no order between them,
	# so err2 written a microsecond after out2 was read first now and then
	# (corral's monitor reads them in turn), and --tail 1 said out2
	d run -d --name sbsl busybox:latest sh -c 'echo out1; echo err1 >&2; echo out2; sleep 0.2; echo err2 >&2; sleep 1000' >/dev/null
	wait_for 10 logs_have sbsl out2 err2
	d logs sbsl >"$T/o" 2>"$T/e"
	echo "rc=$?"
	cat "$T/o"
	echo --
	cat "$T/e"
	echo --
	d logs --tail 1 sbsl 2>&1
	d logs -t sbsl 2>/dev/null | head -1
	d logs nosuch >/dev/null 2>&1
	echo "rc=$?"
}
test_logs_stdout_and_stderr_apart() {
	case_start logs_stdout_and_stderr_apart
	beside sc_logs
	same "logs >o 2>e" "rc=0
out1
out2
--
err1
err2
--
err2
<time> out1
rc=1"
}

sc_ps() {
	d run -d --name sbsp1 -l app=a busybox:latest sleep 1000 >/dev/null
	d run -d --name sbsp2 -l app=b busybox:latest sleep 1000 >/dev/null
	d run --name sbsp3 busybox:latest sh -c 'exit 2'
	d ps --format '{{.Names}} {{.Image}} {{.State}}' | norm | sort
	echo --
	d ps -a --format '{{.Names}} {{.State}}' | sort
	echo --
	d ps --filter label=app=a --format '{{.Names}}'
	d ps -a --filter status=exited --format '{{.Names}}'
	d ps -a --filter exited=2 --format '{{.Names}}'
	d ps -a --filter exited=0 --format '{{.Names}}' | wc -l
	# the image's labels are the container's too; the CLI joins a map's
	# in no set order
	d ps -a --filter name=sbsp2 --format '{{.Labels}}' | tr , '\n' | sort | tr '\n' ' '
	echo
	d ps --filter label=org.corral.fixture=yes -q | wc -l
	d ps -q | wc -l
	d ps -aq | wc -l
	d ps --no-trunc -q --filter name=sbsp1 | awk '{ print length($0) }'
	d ps --format '{{.Command}}' --filter name=sbsp1
	d ps --format 'table {{.Names}}\t{{.Image}}' --filter name=sbsp1
	d ps -a --filter status=exited --format '{{.Status}}' | sed -E 's/\(2\) .*/(2) <ago>/'
}
test_ps_filters_and_formats() {
	case_start ps_filters_and_formats
	beside sc_ps
	same "ps, ps -a, --filter, --format" 'sbsp1 busybox:latest running
sbsp2 busybox:latest running
--
sbsp1 running
sbsp2 running
sbsp3 exited
--
sbsp1
sbsp3
sbsp3
0
app=b org.corral.fixture=yes 
2
2
3
64
"sleep 1000"
NAMES     IMAGE
sbsp1     busybox:latest
Exited (2) <ago>'
}

sc_inspect() {
	d run -d --name sbsi -e A=1 -e B=two -l tier=front -l team=x --restart on-failure:3 -p 18091:80 \
		busybox:latest sleep 1000 >/dev/null
	d inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}} {{.State.ExitCode}}' sbsi
	# the engines' own variables left out (podman adds TERM, container,
	# HOME and HOSTNAME; Docker none), and in one order: Docker puts the
	# container's first, podman the image's
	d inspect -f '{{range .Config.Env}}{{println .}}{{end}}' sbsi | grep -vE '^(TERM|container|HOME|HOSTNAME)=|^$' | sort | tr '\n' ' '
	echo
	d inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' sbsi
	d inspect -f '{{.NetworkSettings.Ports}}' sbsi
	d inspect -f '{{json .Config.Labels}}' sbsi
	d inspect -f '{{.RestartCount}} {{.Name}}' sbsi
	d inspect -f '{{.Config.Image}} {{.Config.Cmd}}' sbsi
	d inspect -f '{{len .Id}} {{.Image}}' sbsi
	d inspect -f '{{.State.Pid}}' sbsi | awk '{ print ($1 > 0) ? "a pid" : "no pid: " $0 }'
	d inspect -f '{{.State.StartedAt}} {{.Created}}' sbsi
	d inspect --type container -f '{{.Name}}' sbsi
	d inspect -f '{{.Name}}' nosuch 2>"$(err i)"
	echo "rc=$?"
	says "$(err i)" "no such object" "no such (object|container)"
	d stop -t 0 sbsi >/dev/null
	d inspect -f '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' sbsi
}
test_inspect_fields() {
	case_start inspect_fields
	beside sc_inspect
	gap 's/map\[80\/tcp:\[\{ 18091\}\]\]/map[80\/tcp:[{0.0.0.0 18091}]]/' \
		"NetworkSettings.Ports has HostIp \"\" for a port on every address, where Docker says 0.0.0.0"
	same "inspect --format" "running true false 0
A=1 B=two GREETING=hello-from-image PATH=/bin:/usr/bin 
on-failure 3
map[80/tcp:[{0.0.0.0 18091}]]
{\"org.corral.fixture\":\"yes\",\"team\":\"x\",\"tier\":\"front\"}
0 /sbsi
busybox:latest [sleep 1000]
64 sha256:<id>
a pid
<time> <time>
/sbsi

rc=1
no such object
exited false 137"
	# Docker's order of Config.Env: the container's as sent, then the
	# image's. Sent by the API: the docker CLI passes -e through a Go map,
	# so its order differs from run to run (docker/cli#1574).
	ENGINE=corral
	api corral "/containers/create?name=sbse" -X POST -H 'Content-Type: application/json' \
		-d '{"Image":"busybox:latest","Env":["B=two","A=1"],"Cmd":["true"]}' >/dev/null
	assert_eq "$(d inspect -f '{{.Config.Env}}' sbse)" "[B=two A=1 GREETING=hello-from-image PATH=/bin:/usr/bin]" \
		"corral's Config.Env, in Docker's order"
}

# a directory whose path is longer than tar's 100-byte link field
CP_LONG=/tmp/$(printf 'x%.0s' {1..70})/$(printf 'y%.0s' {1..70})
sc_cp() {
	local h=$T/$ENGINE
	mkdir -p "$h"
	echo from-host >"$h/in.txt"
	d run -d --name sbscp busybox:latest sleep 1000 >/dev/null
	d cp "$h/in.txt" sbscp:/tmp/in.txt
	echo "rc=$?"
	d exec sbscp cat /tmp/in.txt
	d exec sbscp sh -c 'mkdir -p /tmp/dir/sub && echo deep >/tmp/dir/sub/f && ln -s f /tmp/dir/sub/l'
	d cp sbscp:/tmp/dir "$h/out"
	echo "rc=$?"
	(cd "$h/out" && find . | sort && cat sub/f && readlink sub/l)
	d cp sbscp:/tmp/in.txt - | tar -tf -
	# -L goes by the stat's linkTarget: a target past tar's 100-byte
	# field, and a link to a link
	d exec sbscp sh -c "mkdir -p $CP_LONG && echo far >$CP_LONG/f && ln -s $CP_LONG/f /tmp/long && ln -s dir/sub/l /tmp/chain"
	d cp -L sbscp:/tmp/long "$h/long" && cat "$h/long"
	d cp -L sbscp:/tmp/chain "$h/chain"
	if [ -L "$h/chain" ]; then echo "chain: a link to $(readlink "$h/chain")"; else cat "$h/chain"; fi
	# a file does not replace a directory, nor a directory a file (the CLI
	# asks noOverwriteDirNonDir); what is there is kept
	d exec sbscp sh -c 'mkdir -p /tmp/clash/in.txt/kept /tmp/clash2 && echo k >/tmp/clash/in.txt/kept/k && echo f >/tmp/clash2/dir'
	d cp "$h/in.txt" sbscp:/tmp/clash/ 2>"$(err clash)"
	echo "rc=$?"
	says "$(err clash)" "refused" "exists|cannot overwrite"
	mkdir -p "$h/dir"
	d cp "$h/dir" sbscp:/tmp/clash2/ 2>"$(err clash2)"
	echo "rc=$?"
	says "$(err clash2)" "refused" "exists|cannot overwrite"
	d exec sbscp cat /tmp/clash/in.txt/kept/k /tmp/clash2/dir
	# into a link (through a link) to a directory: into where it leads
	d exec sbscp sh -c 'ln -s dir /tmp/to-dir && ln -s to-dir/sub /tmp/to-sub'
	d cp "$h/in.txt" sbscp:/tmp/to-sub
	d exec sbscp sh -c 'ls /tmp/dir/sub | tr "\n" " "; readlink /tmp/to-sub'
	# the stat as HEAD answers it (a directory's size and the times are
	# each filesystem's own)
	local p
	for p in /tmp/chain /tmp/dir/sub/l /tmp/long /tmp/in.txt /tmp/dir; do
		echo -n "$p "
		api "$ENGINE" "/containers/sbscp/archive?path=$p" -I | tr -d '\r' |
			sed -n 's/^X-Docker-Container-Path-Stat: //Ip' | base64 -d |
			jq -r '[.name, (if .mode >= 2147483648 then "dir" else .size end), .mode, .linkTarget] | join(" ")'
	done
	d cp sbscp:/nonexistent "$h/x" 2>"$(err cp)"
	echo "rc=$?"
	says "$(err cp)" "not found" "could not find|no such"
	d stop -t 0 sbscp >/dev/null
	# a stopped container's files are still there
	d cp sbscp:/tmp/dir/sub/f "$h/f2" && cat "$h/f2"
}
test_cp_both_ways() {
	case_start cp_both_ways
	beside sc_cp
	# Docker's stat names the path asked for, and gives linkTarget to a link alone
	gap 's|^(/[^ ]*/)([^/ ]+) [^ ]+ ([0-9]+ 134218239 )|\1\2 \2 \3|' "its stat of a link names the link's target, not the link"
	gap 's|^(/[^ ]* [^ ]+ [^ ]+ (420\|2147484141)) .+|\1 |' "its stat gives a linkTarget to what is no link"
	same "cp in, out, to -, a missing path, from a stopped container" "rc=0
from-host
rc=0
.
./sub
./sub/f
./sub/l
deep
f
in.txt
far
deep
rc=1
refused
rc=1
refused
k
f
f in.txt l to-dir/sub
/tmp/chain chain 9 134218239 /tmp/dir/sub/f
/tmp/dir/sub/l l 1 134218239 /tmp/dir/sub/f
/tmp/long long 148 134218239 $CP_LONG/f
/tmp/in.txt in.txt 10 420 
/tmp/dir dir dir 2147484141 
rc=1
not found
deep"
}

# Whose the files copied in are: the tar's owners (the docker CLI sends the
# host file's), as Docker's default and podman's; with -a (copyUIDGID) the
# user the container runs as, its name looked up in the container, as
# podman has it (dockerd looks the name up on its own host, and keeps the
# tar's owners for a container that names no user)
sc_cp_owners() {
	local h=$T/$ENGINE
	mkdir -p "$h/tree/sub"
	echo o >"$h/tree/sub/f"
	chown -R 1234:5678 "$h/tree"
	d run -d --name sbsown busybox:latest sleep 1000 >/dev/null
	d run -d --name sbsownu --user nobody busybox:latest sleep 1000 >/dev/null
	d cp "$h/tree" sbsown:/tmp/
	echo "rc=$?"
	d exec sbsown stat -c '%n %u:%g' /tmp/tree /tmp/tree/sub /tmp/tree/sub/f
	d cp -a "$h/tree" sbsownu:/tmp/
	echo "rc=$?"
	d exec sbsownu stat -c '%n %u:%g' /tmp/tree /tmp/tree/sub /tmp/tree/sub/f
	# -a into a container that names no user: root's
	d cp -a "$h/tree/sub/f" sbsown:/tmp/f2
	d exec sbsown stat -c '%n %u:%g' /tmp/f2
}
test_cp_owners() {
	case_start cp_owners
	beside sc_cp_owners
	same "cp's owners, with and without -a" "rc=0
/tmp/tree 1234:5678
/tmp/tree/sub 1234:5678
/tmp/tree/sub/f 1234:5678
rc=0
/tmp/tree 65534:65534
/tmp/tree/sub 65534:65534
/tmp/tree/sub/f 65534:65534
/tmp/f2 0:0"
}

# docker run's options as a compose file or a script sets them: env (and
# --env-file), workdir, user, entrypoint, hostname, extra hosts, labels, a
# read-only root with a tmpfs, dropped capabilities, an init, ulimits, the
# size of /dev/shm
sc_run_options() {
	local h=$T/$ENGINE
	mkdir -p "$h"
	printf 'E1=from-file\n# a comment\nE2\n' >"$h/envfile"
	E2=from-host d run --rm -e A=1 --env-file "$h/envfile" -w /tmp/wd -u 65534:65534 --hostname hx \
		--add-host db.example:10.1.2.3 --entrypoint sh busybox:latest \
		-c 'echo "$A $E1 $E2"; pwd; id; hostname; grep -c "10.1.2.3[[:space:]]db.example" /etc/hosts'
	echo "rc=$?"
	d run --rm --read-only busybox:latest touch /x 2>/dev/null
	echo "read-only: rc=$?"
	d run --rm --read-only --tmpfs /scratch busybox:latest sh -c 'touch /scratch/x && echo tmpfs-writable'
	d run --rm --cap-drop ALL busybox:latest chown 1 /tmp 2>/dev/null
	echo "cap-drop ALL: rc=$?"
	d run --rm --cap-drop ALL --cap-add CHOWN busybox:latest chown 1 /tmp
	echo "cap-add CHOWN: rc=$?"
	d run --rm --init busybox:latest sh -c 'cat /proc/1/comm | grep -qv "^sh$" && echo "pid 1 is no shell"'
	d run --rm --ulimit nofile=100:200 busybox:latest sh -c 'ulimit -n; ulimit -Hn'
	d run --rm --shm-size 16m busybox:latest df -k /dev/shm | awk 'NR==2 {print "shm", $2}'
	d run -d --name sbslab --label team=x --label tier busybox:latest sleep 1000 >/dev/null
	d inspect -f '{{.Config.Labels.team}}|{{.Config.Labels.tier}}|{{.HostConfig.ReadonlyRootfs}}' sbslab
	d ps --filter label=team=x --format '{{.Names}} {{.Label "team"}}'
	d ps --filter label=team=y --format '{{.Names}}' | wc -l
}
test_run_options() {
	case_start run_options
	beside sc_run_options
	gap 's/^(uid=65534\(nobody\) gid=65534\(nogroup\)) groups=65534\(nogroup\)$/\1/' \
		"it lists the primary group among the supplementary ones (dockerd with runc does not)"
	gap 's/^read-only: rc=0$/read-only: rc=1/' "--read-only: the root filesystem is writable"
	gap 's/^cap-drop ALL: rc=0$/cap-drop ALL: rc=1/' "--cap-drop ALL: chown still works"
	gap 's/^unable to upgrade to tcp, received 409$/100\n200/' "--ulimit nofile=100:200: the run fails (409)"
	same "docker run's options" "1 from-file from-host
/tmp/wd
uid=65534(nobody) gid=65534(nogroup)
hx
1
rc=0
read-only: rc=1
tmpfs-writable
cap-drop ALL: rc=1
cap-add CHOWN: rc=0
pid 1 is no shell
100
200
shm 16384
x||false
sbslab x
0"
}

# docker run's confinement and tuning as compose files set them: sysctls,
# security options, a device, more groups, DNS options, an OOM score, the
# size of /dev/shm, ulimits, the host's PID namespace, and (created only:
# this host's cgroup v2 has no cpu controller) CPU shares and set; a
# security option that is no such thing is refused
sc_run_confinement() {
	d run --rm --sysctl net.ipv4.ip_local_port_range="20000 20100" --sysctl net.core.somaxconn=1000 busybox:latest \
		sh -c 'tr "\t" " " </proc/sys/net/ipv4/ip_local_port_range; cat /proc/sys/net/core/somaxconn'
	d run --rm --security-opt no-new-privileges busybox:latest grep NoNewPrivs /proc/self/status
	d run --rm --security-opt no-new-privileges=false busybox:latest grep NoNewPrivs /proc/self/status
	d run --rm --security-opt seccomp=unconfined busybox:latest grep '^Seccomp:' /proc/self/status
	d run --rm busybox:latest grep '^Seccomp:' /proc/self/status
	d run --rm --device /dev/null:/dev/mynull busybox:latest sh -c 'echo x >/dev/mynull && ls -l /dev/mynull | cut -c1' 2>&1
	d run --rm -u 65534:65534 --group-add 123 --group-add wheel busybox:latest sh -c 'id -G | tr " " "\n" | sort -n | xargs'
	d run --rm --dns-search example.test --dns-option ndots:3 busybox:latest grep -E '^(search|options)' /etc/resolv.conf
	d run -d --name sbsres --oom-score-adj 500 --shm-size 8m busybox:latest sleep 1000 >/dev/null
	d inspect -f '{{.HostConfig.OomScoreAdj}} {{.HostConfig.ShmSize}}' sbsres
	d exec sbsres sh -c 'cat /proc/1/oom_score_adj; df -k /dev/shm | awk "NR==2 {print \$2}"'
	d run --rm --ulimit nproc=50:60 busybox:latest sh -c 'ulimit -u; ulimit -Hu' 2>&1
	d create --name sbscpu --cpu-shares 512 --cpuset-cpus 0 --ulimit nproc=50:60 --group-add 77 --group-add wheel \
		busybox:latest true >/dev/null
	d inspect -f '{{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}} {{end}}' sbscpu
	d inspect -f '{{.HostConfig.GroupAdd}}' sbscpu
	# a glob, not ls: ls stats each entry, and a host's process that ends
	# meanwhile makes it complain
	d run --rm --pid host busybox:latest sh -c 'set -- /proc/[0-9]*; [ $# -gt 5 ] && echo "the host'"'"'s processes"'
	d run --rm --security-opt bogus=1 busybox:latest true 2>"$(err secopt)"
	echo "rc=$?"
	says "$(err secopt)" "refused" "invalid --security-opt"
}
test_run_confinement() {
	case_start run_confinement
	beside sc_run_confinement
	gap 's/^docker: unknown server OS: \.$/c/; /^See .docker run --help.\.$/d' "--device: the docker CLI cannot tell its server's OS"
	gap 's/^unable to upgrade to tcp, received 409$/50\n60/' \
		"--ulimit nproc=50:60: the run fails (409): it adds its default nofile limit (1048576), which this host cannot give"
	gap 's/^512 0 RLIMIT_NOFILE=1048576:1048576 RLIMIT_NPROC=50:60 $/512 0 nproc=50:60 /' \
		"inspect's Ulimits: RLIMIT_ names, and its default nofile among them"
	same "docker run's confinement and tuning" "20000 20100
1000
NoNewPrivs:	1
NoNewPrivs:	0
Seccomp:	0
Seccomp:	2
c
10 123 65534
search example.test
options ndots:3
500 8388608
500
8192
50
60
512 0 nproc=50:60 
[77 wheel]
the host's processes
rc=125
refused"
}

# The lifecycle's other verbs: create then start -a, restart, a restart
# policy's count, export, history, and the prunes
sc_lifecycle_verbs() {
	d create --name sbscr busybox:latest sh -c 'echo started-$((2+3)); exit 4' >/dev/null
	echo "create: rc=$?"
	d inspect -f '{{.State.Status}}' sbscr
	d start -a sbscr
	echo "start -a: rc=$?"
	d inspect -f '{{.State.Status}} {{.State.ExitCode}}' sbscr
	d run -d --name sbsre busybox:latest sh -c 'echo up; sleep 1000' >/dev/null
	d restart -t 1 sbsre >/dev/null
	echo "restart: rc=$?"
	d inspect -f '{{.State.Running}} {{.RestartCount}}' sbsre
	wait_for 20 sh -c "$(declare -f d); ENGINE=$ENGINE FX=$FX FXS=$FXS; [ \$(d logs sbsre | grep -c up) -ge 2 ]"
	d logs sbsre
	d run -d --name sbsrp --restart on-failure:2 busybox:latest sh -c 'exit 3' >/dev/null
	wait_for 30 sh -c "$(declare -f d); ENGINE=$ENGINE FX=$FX FXS=$FXS; [ \"\$(d inspect -f '{{.State.Status}} {{.RestartCount}}' sbsrp)\" = 'exited 2' ]"
	d inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' sbsrp
	d export sbscr | tar -tf - | grep -E '^(\./)?(bin/busybox|etc/passwd)$' | sed 's#^\./##' | sort
	d history --format '{{.CreatedBy}}' busybox:latest | wc -l
	d container prune -f >/dev/null
	echo "prune: rc=$?"
	d ps -a --format '{{.Names}}' | sort
}
test_lifecycle_verbs() {
	case_start lifecycle_verbs
	beside sc_lifecycle_verbs
	same "create, start -a, restart, a restart policy, export, history, prune" "create: rc=0
created
started-5
start -a: rc=4
exited 4
restart: rc=0
true 0
up
up
exited 3 2 on-failure 2
bin/busybox
etc/passwd
3
prune: rc=0
sbsre"
}

sc_stats() {
	d run -d --name sbss busybox:latest sleep 1000 >/dev/null
	d stats --no-stream --format '{{.Name}}|{{.Container}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}' sbss >"$T/stats"
	echo "rc=$?"
	# each field in its shape: the figures are each engine's own
	local name ctr cpu mem memp net blk pids sz='[0-9.]+[kKMGT]?i?B'
	IFS='|' read -r name ctr cpu mem memp net blk pids <"$T/stats"
	echo "$name $ctr"
	[[ $cpu =~ ^[0-9.]+%$ ]] && echo "cpu %" || echo "cpu: [$cpu]"
	[[ $mem =~ ^$sz\ /\ $sz$ ]] && echo "mem a / b" || echo "mem: [$mem]"
	[[ $memp =~ ^[0-9.]+%$ ]] && echo "mem %" || echo "mem%: [$memp]"
	[[ $net =~ ^$sz\ /\ $sz$ ]] && echo "net a / b" || echo "net: [$net]"
	[[ $blk =~ ^$sz\ /\ $sz$ ]] && echo "block a / b" || echo "block: [$blk]"
	[[ $pids =~ ^[0-9]+$ ]] && echo "pids" || echo "pids: [$pids]"
	# without names: every running one, by its short id
	d stats --no-stream --format '{{.Name}} {{.Container}}'
	d stats --no-stream nosuch >/dev/null 2>&1
	echo "rc=$?"
}
test_stats_no_stream() {
	case_start stats_no_stream
	beside sc_stats
	gap 's/^bss /sbss /' "stats' name comes without Docker's leading '/', so the CLI (which cuts it) shows 'bss' for sbss"
	same "stats --no-stream --format" "rc=0
sbss sbss
cpu %
mem a / b
mem %
net a / b
block a / b
pids
sbss <id>
rc=1"
}

sc_events() {
	local since until
	since=$(date +%s)
	d run --name sbse busybox:latest sh -c 'exit 3'
	d rm sbse >/dev/null
	until=$(($(date +%s) + 1))
	d events --since "$since" --until "$until" --filter container=sbse \
		--format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}{{with .Actor.Attributes.exitCode}} {{.}}{{end}}' >"$T/ev"
	echo "rc=$?"
	# the lifecycle's words Docker documents, in order (podman adds its
	# own, init, attach and cleanup, which Docker does not have)
	grep -E ' (create|start|die|destroy) ' "$T/ev"
	# before --since, nothing of it
	d events --since "$((since - 30))" --until "$((since - 1))" --filter container=sbse --format '{{.Action}}' | wc -l
}
test_events_since_until() {
	case_start events_since_until
	beside sc_events
	local want="rc=0
container create sbse
container start sbse
container die sbse 3
container destroy sbse
0"
	# podman's file events give, run by run, none of the container's or the
	# first of them only (the destroy missing): mended where its lines are
	# the start of Docker's
	local got mid
	got=$(sed '1d;$d' <<<"$OUT_podman")
	mid=$(sed '1d;$d' <<<"$want")
	if [ "$OUT_podman" != "$want" ] && [ "$(head -1 <<<"$OUT_podman")" = rc=0 ] && [[ "$mid" == "$got"* ]]; then
		echo "$CASE: podman: events with --since and --until (file events) gave $(grep -c . <<<"$got") of the container's 4" >>"$NOTES"
		OUT_podman=$want
	fi
	same "events --since --until" "$want"
}

sc_tag_images() {
	d tag busybox:latest sbs/mine:2
	echo "rc=$?"
	d tag busybox:latest example.org/sbs:3
	d images --format '{{.Repository}}:{{.Tag}}' | norm | sort
	echo --
	d images sbs/mine --format '{{.Repository}}:{{.Tag}}' | norm | sort
	d images -q | sort -u | wc -l
	d images --no-trunc -q | sort -u | awk '{ print length($0) }'
	d image inspect -f '{{.Os}} {{.Architecture}} {{len .RepoTags}}' sbs/mine:2
	d tag nosuch:1 sbs/x:1 2>"$(err t)"
	echo "rc=$?"
	says "$(err t)" "no such image" "no such image|image not known"
}
test_tag_and_images() {
	case_start tag_and_images
	beside sc_tag_images
	gap '/^--$/{n;N;N;s/^busybox:latest\nexample.org\/sbs:3\nsbs\/mine:2$/sbs\/mine:2/}' \
		"images REPOSITORY lists every image, not those of that repository"
	same "tag, images" "rc=0
busybox:latest
example.org/sbs:3
sbs/mine:2
--
sbs/mine:2
1
71
linux amd64 3
rc=1
no such image"
}

sc_rmi() {
	d tag busybox:latest sbsrm:1
	d rmi sbsrm:1
	echo "rc=$?"
	d images --format '{{.Repository}}:{{.Tag}}'
	d rmi nosuch:1 2>"$(err r)"
	echo "rc=$?"
	says "$(err r)" "no such image" "no such image|image not known"
	# an image a container was made from is kept
	d create --name sbsuse busybox:latest true >/dev/null
	d rmi busybox:latest 2>"$(err r)"
	echo "rc=$?"
	says "$(err r)" "in use" "container .*is using|in use by a container|image is in use"
	d images -q | wc -l
	d rm sbsuse >/dev/null
}
test_rmi() {
	case_start rmi
	beside sc_rmi
	gap 's#^Untagged: docker.io/library/sbsrm:1$#Untagged: sbsrm:1#' \
		"rmi says 'Untagged: docker.io/library/sbsrm:1' for the localhost/sbsrm:1 it made"
	same "rmi" "Untagged: sbsrm:1
rc=0
busybox:latest
rc=1
no such image
rc=1
in use
1"
}

sc_volumes() {
	d volume create sbsv1
	d volume create --label k=v sbsv2
	d volume ls --format '{{.Name}} {{.Driver}}' | sort
	d volume ls -q --filter label=k=v
	d volume inspect -f '{{.Name}} {{.Driver}} {{json .Labels}}' sbsv2
	d volume inspect -f '{{.Mountpoint}}' sbsv1 | grep -q . && echo "a mountpoint"
	d run --rm -v sbsv1:/data busybox:latest sh -c 'echo kept >/data/f'
	d run --rm -v sbsv1:/data busybox:latest cat /data/f
	d run -d --name sbsvu -v sbsv1:/data -v /anon busybox:latest sleep 1000 >/dev/null
	# inspect's Mounts name its volumes, an anonymous one too (compose
	# reads them there to keep them when it makes the container again)
	d inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.Driver}} {{.RW}} {{if .Name}}named{{end}}|{{end}}' sbsvu |
		tr '|' '\n' | sort | sed '/^$/d'
	d volume inspect -f '{{.Mountpoint}}' "$(d inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' sbsvu)" |
		sed 's#.*/##'
	# --volumes-from: its volumes, the anonymous one too, as they are or ro
	d run --rm --volumes-from sbsvu busybox:latest sh -c 'echo from >/anon/f && cat /data/f'
	d run --rm --volumes-from sbsvu:ro busybox:latest sh -c 'cat /anon/f; touch /anon/g 2>/dev/null || echo ro'
	d run --rm --volumes-from nosuch busybox:latest true 2>"$(err vf)"
	echo "rc=$?"
	says "$(err vf)" "no such container" "no such container"
	d volume rm sbsv1 2>"$(err v)"
	echo "rc=$?"
	says "$(err v)" "in use" "in use|being used"
	d kill sbsvu >/dev/null
	d rm -v sbsvu >/dev/null
	d volume rm sbsv1 sbsv2
	d volume ls -q | wc -l
	d volume inspect sbsv1 2>"$(err v)"
	echo "rc=$?"
	says "$(err v)" "no such volume" "no such volume"
}
test_volume_create_ls_inspect_rm() {
	case_start volume_create_ls_inspect_rm
	beside sc_volumes
	same "volume create, ls, inspect, rm" 'sbsv1
sbsv2
sbsv1 local
sbsv2 local
sbsv2
sbsv2 local {"k":"v"}
a mountpoint
kept
volume /anon local true named
volume /data local true named
_data
kept
from
ro
rc=125
no such container
rc=1
in use
sbsv1
sbsv2
0
[]
rc=1
no such volume'
}

sc_networks() {
	local id
	id=$(d network create sbsnet)
	echo "rc=$?"
	# the Id is 64 hex digits, as dockerd's, and inspect takes a prefix
	[[ $id =~ ^[0-9a-f]{64}$ ]] && echo "a 64-digit Id"
	d network inspect -f '{{.Name}}' "${id:0:12}"
	d network ls --format '{{.Name}} {{.Driver}}' | grep sbs
	d network ls -q --filter name=sbsnet | wc -l
	d network ls --filter driver=bridge --format '{{.Name}}' | grep -c sbsnet
	d network inspect -f '{{.Name}} {{.Driver}} {{.Internal}}' sbsnet
	d network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' sbsnet | grep -Eq '^[0-9.]+/[0-9]+$' && echo "a subnet"
	d run --rm --network sbsnet busybox:latest sh -c 'ip -4 -o addr show eth0 | wc -l'
	d run -d --name sbsnu --network sbsnet busybox:latest sleep 1000 >/dev/null
	d network rm sbsnet 2>"$(err n)"
	echo "rc=$?"
	says "$(err n)" "in use" "active endpoints|in use|containers"
	d kill sbsnu >/dev/null
	d rm sbsnu >/dev/null
	d network rm sbsnet
	d network inspect sbsnet >/dev/null 2>"$(err n)"
	echo "rc=$?"
	says "$(err n)" "no such network" "no such network|not found"
	d network ls -q --filter name=sbsnet | wc -l
}
test_network_create_ls_inspect_rm() {
	case_start network_create_ls_inspect_rm
	beside sc_networks
	same "network create, ls, inspect, rm" "rc=0
a 64-digit Id
sbsnet
sbsnet bridge
1
1
sbsnet bridge false
a subnet
1
rc=1
in use
sbsnet
rc=1
no such network
0"
}

sc_rm() {
	d run -d --name sbsr busybox:latest sleep 1000 >/dev/null
	d rm sbsr 2>"$(err r)"
	echo "rc=$?"
	says "$(err r)" "it runs" "running container|as it is running"
	# -f kills (SIGKILL), as Docker documents: no stop timeout first
	local t0=$SECONDS
	d rm -f sbsr
	[ $((SECONDS - t0)) -lt 5 ] && echo "killed at once" || echo "took $((SECONDS - t0)) s"
	d ps -aq --filter name=sbsr | wc -l
	d run -d --name sbsr2 -v /data busybox:latest sleep 1000 >/dev/null
	d volume ls -q | wc -l
	d kill sbsr2 >/dev/null
	d rm -v sbsr2
	d volume ls -q | wc -l
	d rm nosuch 2>"$(err r)"
	echo "rc=$?"
	says "$(err r)" "no such container" "no such container"
	# -f: one that is not there is no failure (the CLI says so and ends 0)
	d rm -f nosuch 2>/dev/null
	echo "rc=$?"
}
test_rm_f_and_rm_v() {
	case_start rm_f_and_rm_v
	beside sc_rm
	gap 's/^took [0-9]+ s$/killed at once/' \
		"rm -f of a running container stops it with its stop signal and timeout (10 s) before it kills it; Docker kills at once"
	same "rm, rm -f, rm -v" "rc=1
it runs
sbsr
killed at once
0
1
sbsr2
0
rc=1
no such container
rc=0"
}

sc_wait() {
	d run -d --name sbsw busybox:latest sh -c 'sleep 0.5; exit 5' >/dev/null
	d wait sbsw
	echo "rc=$?"
	d wait sbsw
	d run -d --name sbsw2 busybox:latest sleep 1000 >/dev/null
	d wait sbsw2 >"$T/w.out" &
	local w=$!
	wait_for 10 status_is sbsw2 running
	d kill sbsw2 >/dev/null
	wait $w
	echo "rc=$? $(cat "$T/w.out")"
	d wait nosuch 2>/dev/null
	echo "rc=$?"
}
test_wait() {
	case_start wait
	beside sc_wait
	same "wait" "5
rc=0
5
rc=0 137
rc=1"
}

sc_kill() {
	d run -d --name sbsk busybox:latest sh -c 'trap "echo got-usr1" USR1; trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_for 10 logs_have sbsk ready
	d kill -s USR1 sbsk
	wait_for 10 logs_have sbsk got-usr1
	d inspect -f '{{.State.Status}}' sbsk
	d kill --signal=SIGTERM sbsk
	d wait sbsk
	d logs sbsk
	d kill sbsk 2>"$(err k)"
	echo "rc=$?"
	says "$(err k)" "not running" "is not running|state improper"
	d start sbsk >/dev/null
	d kill -s NOSUCH sbsk 2>"$(err k)"
	echo "rc=$?"
	says "$(err k)" "bad signal" "signal"
	d kill -s 9 sbsk
	d wait sbsk
}
test_kill_with_a_signal() {
	case_start kill_with_a_signal
	beside sc_kill
	same "kill -s" "sbsk
running
sbsk
3
ready
got-usr1
got-term
rc=1
not running
rc=1
bad signal
sbsk
137"
	assert_eq "$(cat "$T/k.err.corral")" "Error response from daemon: Invalid signal: NOSUCH" "corral's words, dockerd's"
}

sc_pause() {
	d run -d --name sbspz busybox:latest sleep 1000 >/dev/null
	d pause sbspz
	d inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' sbspz
	d ps --filter status=paused --format '{{.Names}}'
	d pause sbspz 2>"$(err p)"
	echo "rc=$?"
	says "$(err p)" "already paused" "already paused"
	d unpause sbspz
	d inspect -f '{{.State.Status}} {{.State.Paused}}' sbspz
	d unpause sbspz 2>"$(err p)"
	echo "rc=$?"
	says "$(err p)" "not paused" "not paused"
	d stop -t 0 sbspz >/dev/null
	d pause sbspz 2>"$(err p)"
	echo "rc=$?"
	says "$(err p)" "not running" "not running|state improper"
}
test_pause_unpause() {
	case_start pause_unpause
	beside sc_pause
	same "pause, unpause" "sbspz
paused true true
sbspz
rc=1
already paused
sbspz
running false
rc=1
not paused
rc=1
not running"
	assert_contains "$(cat "$T/p.err.corral")" "is not running" "Docker's words"
}

sc_rename() {
	d run -d --name sbsold busybox:latest sleep 1000 >/dev/null
	d rename sbsold sbsnew
	echo "rc=$?"
	d inspect -f '{{.Name}}' sbsnew
	d ps --format '{{.Names}}'
	d inspect sbsold >/dev/null 2>&1
	echo "rc=$?"
	d run -d --name sbsother busybox:latest sleep 1000 >/dev/null
	d rename sbsnew sbsother 2>"$(err n)"
	echo "rc=$?"
	says "$(err n)" "name taken" "in use|already"
	d rename nosuch sbsx 2>/dev/null
	echo "rc=$?"
}
test_rename() {
	case_start rename
	beside sc_rename
	same "rename" "rc=0
/sbsnew
sbsnew
rc=1
rc=1
name taken
rc=1"
}

sc_top() {
	d run -d --name sbstop busybox:latest sleep 1000 >/dev/null
	d top sbstop >"$T/top.$ENGINE"
	echo "rc=$?"
	# the process, by its command (the last columns); the titles are
	# each engine's own (see the test)
	tail -n +2 "$T/top.$ENGINE" | awk '{ print $(NF-1), $NF }'
	head -1 "$T/top.$ENGINE" | grep -qw PID && echo "a PID column"
	d stop -t 0 sbstop >/dev/null
	d top sbstop 2>"$(err t)"
	echo "rc=$?"
	says "$(err t)" "not running" "not running"
}
test_top() {
	case_start top
	beside sc_top
	gap '$s/^not running\? \[EOF\]$/not running/' "top of a stopped container fails with the words 'EOF'"
	same "top" "rc=0
sleep 1000
a PID column
rc=1
not running"
	# Docker's titles are ps -ef's, with the host's pids, and corral's are
	# too; podman's are its own descriptors (PID USER COMMAND, or more)
	assert_eq "$(head -1 "$T/top.corral" | awk '{ $1 = $1; print }')" "UID PID PPID C STIME TTY TIME CMD" "corral's titles"
	ENGINE=corral
	d start sbstop >/dev/null
	local pid
	pid=$(d inspect -f '{{.State.Pid}}' sbstop)
	d top sbstop >"$T/top2.corral"
	assert_eq "$(awk -v p="$pid" '$2 == p { print $1, $4, $6, $(NF-1), $NF }' "$T/top2.corral")" "root 0 ? sleep 1000" \
		"the host's pid, root, no CPU, no tty: $(cat "$T/top2.corral")"
	[ "$(awk -v p="$pid" '$2 == p { print $3 }' "$T/top2.corral")" -gt 0 ] || fail "no PPID: $(cat "$T/top2.corral")"
	local out
	out=$(d top sbstop aux 2>&1) && fail "ps_args aux was taken"
	assert_contains "$out" "ps -ef's columns only" "ps_args other than -ef refused, named"
	d top sbstop -ef >/dev/null || fail "top -ef"
	d stop -t 0 sbstop >/dev/null
}

# import, build (multi-stage, ARG, .dockerignore, the cache on a rebuild, a
# failing RUN), commit with a change, and diff: the same context on both
# engines (podman's compat service builds with buildah). The base is
# imported from the busybox rootfs on each: buildah refuses to build on the
# fixture image, whose history names fewer layers than it has.
sc_build_commit_diff() {
	local c="$FX/bctx-$ENGINE" out
	mkdir -p "$c"
	[ -f "$FX/rootfs.tar" ] || tar -C "$FIXTURES/busybox/rootfs" -cf "$FX/rootfs.tar" .
	d import -c 'ENV PATH=/bin' "$FX/rootfs.tar" sbsbase:1 >/dev/null
	echo "rc=$?"
	printf 'FROM sbsbase:1 AS first\nARG WHO=nobody\nCOPY . /src/\nRUN echo "$WHO" >/src/who\n' >"$c/Dockerfile"
	printf 'FROM sbsbase:1\nCOPY --from=first /src/ /app/\nCMD ["sh", "-c", "cat /app/who /app/keep; ls /app"]\n' >>"$c/Dockerfile"
	echo kept >"$c/keep"
	echo secret >"$c/skip"
	printf 'skip\n' >"$c/.dockerignore"
	d build -q --build-arg WHO=both -t sbsb:1 "$c" >/dev/null
	echo "rc=$?"
	d run --rm sbsb:1
	out=$(d build --build-arg WHO=both -t sbsb:1 "$c" 2>&1)
	grep -q "Using cache" <<<"$out" && echo cached || echo "not cached: $out"
	printf 'FROM sbsbase:1\nRUN exit 5\n' >"$c/Dockerfile"
	d build -q "$c" >/dev/null 2>"$(err b)"
	echo "rc=$?"
	says "$(err b)" "non-zero code" "non-zero (exit )?code|exit status 5"
	d run -d --name sbscm sbsbase:1 sh -c 'echo c >/c; rm /etc/group; touch /ready; exec sleep 100' >/dev/null
	for _ in $(seq 100); do d exec sbscm test -f /ready 2>/dev/null && break; sleep 0.1; done
	d commit -c 'CMD ["cat", "/c"]' sbscm sbsc:1 >/dev/null
	echo "rc=$?"
	d run --rm sbsc:1
	d diff sbscm | grep -E '^(A /c|D /etc/group|C /etc)$' | sort
	d rm -f sbscm >/dev/null
	d rmi sbsb:1 sbsc:1 >/dev/null
	# forced: podman's builder leaves containers of its own (buildah's) on it
	d rmi -f sbsbase:1 >/dev/null
	d image prune -f >/dev/null
	rm -rf "$c"
}
test_build_commit_diff() {
	case_start build_commit_diff
	beside sc_build_commit_diff
	same "build, commit, diff" "rc=0
rc=0
both
kept
Dockerfile
keep
who
cached
rc=1
non-zero code
rc=0
c
A /c
C /etc
D /etc/group"
}

sc_python_sdk() {
	local s=$FXS/docker.sock
	[ "$ENGINE" = podman ] && s=$FXS/pm.sock
	python3 - "$s" <<'EOF'
import sys, time, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
print(c.version()["ApiVersion"] >= "1.40")
ct = c.containers.run("busybox:latest", ["sh", "-c", "echo from-sdk; sleep 1000"], detach=True,
                      name="sbssdk", environment={"K": "v"}, labels={"l": "1"})
ct.reload()
print(ct.status, ct.name, sorted(ct.labels.items()))
r = ct.exec_run(["sh", "-c", "echo $K; exit 4"], environment={"K": "x"})
print(r.exit_code, r.output.decode().strip())
print([x.name for x in c.containers.list(filters={"label": "l=1"})])
for _ in range(100):
    if b"from-sdk" in ct.logs():
        break
    time.sleep(0.05)
print(ct.logs(stdout=True, stderr=False).decode().strip())
ct.kill(signal="SIGKILL")
print(ct.wait()["StatusCode"])
ct.remove()
print(len(c.containers.list(all=True)))
try:
    c.containers.get("sbssdk")
except docker.errors.NotFound:
    print("NotFound")
print(sorted(t.split("/")[-1] for i in c.images.list() for t in i.tags))
# run's keyword arguments as scripts pass them: each must reach the
# container, or the run fail by name
try:
    out = c.containers.run("busybox:latest", ["sh", "-c", "ulimit -n; df -k /dev/shm | awk 'NR==2 {print $2}'; "
                           "cat /proc/sys/kernel/msgmax; id -G; pwd; hostname; grep -c 10.1.1.1 /etc/hosts; "
                           "touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs; echo $E"],
                           name="sbskw", ulimits=[docker.types.Ulimit(name="nofile", soft=300, hard=400)],
                           shm_size="8m", sysctls={"kernel.msgmax": "9000"}, user="65534:65534", group_add=["123"],
                           working_dir="/tmp", hostname="sdkhost", extra_hosts={"h.example": "10.1.1.1"},
                           read_only=True, tmpfs={"/scratch": "size=1m,mode=1777"}, environment=["E=e1"],
                           security_opt=["no-new-privileges"], cap_drop=["ALL"], init=True)
    print(out.decode().split())
except docker.errors.APIError as e:
    print("run failed", e.status_code)
c.containers.get("sbskw").remove(force=True)
EOF
}
test_python_sdk() {
	case_start python_sdk
	beside sc_python_sdk
	gap "s/^run failed 500\$/['300', '8192', '9000', '65534', '123', '\/tmp', 'sdkhost', '1', 'ro', 'tmpfs', 'e1']/" \
		"python3-docker's run with ulimits fails (500): it adds its default nofile limit, which this host cannot give"
	same "python3-docker" "True
running sbssdk [('l', '1'), ('org.corral.fixture', 'yes')]
4 x
['sbssdk']
from-sdk
137
0
NotFound
['busybox:latest']
['300', '8192', '9000', '65534', '123', '/tmp', 'sdkhost', '1', 'ro', 'tmpfs', 'e1']"
}

t0=$SECONDS
trap fx_stop EXIT
if ! fx_start >"$FX.start" 2>&1; then
	echo "FAIL $(basename "$0"): the fixture (corrald and podman's service) did not start"
	sed 's/^/    /' "$FX.start" | tail -20
	tail -5 "$FX/pm-service.log" 2>/dev/null | sed 's/^/    /'
	echo "fail $(basename "$0" .sh)-fixture" >>"$RESULTS"
	rm -f "$FX.start"
	exit 0
fi
rm -f "$FX.start"
echo "corrald and podman's compat service ready in $((SECONDS - t0)) s"
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
echo "$(basename "$0"): $((SECONDS - t0)) s with both services' start"
