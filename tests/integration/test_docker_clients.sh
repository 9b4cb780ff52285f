#!/bin/bash
# corrald's Docker socket as the other tools and an attacker use it:
# docker-compose 1.29, the docker CLI's run --rm, run -i, cp and events,
# and hostile HTTP that must cost only its own corral-docker. Each test runs
# its own corrald (network tests in a namespace of their own) and cleans up
# its containers and networks, also on failure.
# time: about 150 s (7 cases); the first compose case alone is about 57 s: eight docker-compose calls (a Python start each), a healthcheck to turn healthy, and three services stopped
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"



# run --rm prints the output and passes the exit code on, and leaves no
# container; run -i feeds stdin; a missing image is a clear error
test_dkc_run_rm_and_stdin() {
	trap cleanup_sv EXIT
	start_sv $(docker_flags)
	import_busybox
	assert_eq "$(dock run --rm busybox:latest echo hello)" hello "run --rm's output"
	local rc=0
	dock run --rm busybox:latest sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "run --rm's exit code"
	assert_eq "$(echo piped | dock run --rm -i busybox:latest cat)" piped "run -i's stdin"
	assert_eq "$(dock run --rm busybox:latest sh -c 'echo out; echo err >&2' 2>/dev/null)" out "stdout apart"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container left by run --rm"
	local out
	out=$(dock run --rm nosuch.invalid/none:1 true 2>&1) && fail "a missing image ran"
	assert_contains "$out" "nosuch.invalid/none" "the error names the image"
}

# docker cp both ways, and events as they happen
test_dkc_cp_and_events() {
	trap cleanup_sv EXIT
	start_sv $(docker_flags)
	import_busybox
	# since: what happens before the stream is set up is replayed, not lost
	local t0
	t0=$(date +%s)
	DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" \
		docker events --since "$t0" --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' >"$T/ev" &
	local ev=$!
	dock run -d --name box busybox:latest sleep 1000 >/dev/null
	head -c 300000 /dev/urandom >"$T/blob"
	dock cp "$T/blob" box:/tmp/blob
	assert_eq "$(ctl exec box md5sum /tmp/blob | cut -d' ' -f1)" \
		"$(md5sum <"$T/blob" | cut -d' ' -f1)" "the file copied in"
	dock cp box:/tmp/blob "$T/back"
	cmp -s "$T/blob" "$T/back" || fail "the file copied out differs"
	dock cp box:/etc/passwd - | tar -tf - | grep -qx passwd || fail "cp to stdout is not a tar with passwd"
	# the API's own default replaces a directory with a file; the CLI asks
	# noOverwriteDirNonDir, and is refused
	ctl exec box mkdir -p /tmp/api/blob /tmp/api2/blob
	tar -C "$T" -cf "$T/blob.tar" blob
	local put="http://d/v1.41/containers/box/archive"
	curl -sf --unix-socket "$S/docker.sock" -X PUT -H 'Content-Type: application/x-tar' --data-binary @"$T/blob.tar" \
		"$put?path=/tmp/api" || fail "PUT without noOverwriteDirNonDir"
	assert_eq "$(ctl exec box md5sum /tmp/api/blob | cut -d' ' -f1)" "$(md5sum <"$T/blob" | cut -d' ' -f1)" \
		"the file replaced the directory"
	assert_eq "$(curl -s -o "$T/put" -w '%{http_code}' --unix-socket "$S/docker.sock" -X PUT \
		-H 'Content-Type: application/x-tar' --data-binary @"$T/blob.tar" "$put?path=/tmp/api2&noOverwriteDirNonDir=true")" \
		400 "PUT with noOverwriteDirNonDir: $(cat "$T/put")"
	assert_contains "$(cat "$T/put")" "cannot overwrite a directory with a non-directory" "its reason"
	ctl exec box test -d /tmp/api2/blob || fail "the directory went"
	# a link whose target is longer than tar's 100-byte field: cp -L goes
	# by the target in X-Docker-Container-Path-Stat, cp copies the link
	local deep
	deep=/tmp/$(printf 'd%.0s' {1..70})/$(printf 'e%.0s' {1..70})
	ctl exec box sh -c "mkdir -p $deep && echo far >$deep/f && ln -s $deep/f /tmp/lnk"
	dock cp -L box:/tmp/lnk "$T/far"
	assert_eq "$(cat "$T/far")" far "cp -L followed the long link"
	dock cp box:/tmp/lnk "$T/lnk"
	assert_eq "$(readlink "$T/lnk")" "$deep/f" "cp copied the long link as it is"
	local out
	out=$(dock cp box:/no/such "$T/x" 2>&1) && fail "cp of a missing path succeeded"
	dock rm -f box >/dev/null
	wait_for 10 grep -q "container destroy box" "$T/ev"
	kill "$ev"
	wait "$ev" 2>/dev/null || true
	assert_eq "$(grep -c ' box$' "$T/ev")" 4 "create, start, die, destroy, each once: $(cat "$T/ev")"
	grep -q "container start box" "$T/ev" || fail "no start event: $(cat "$T/ev")"
	# since and until: the past, and then the stream ends by itself
	assert_eq "$(dock events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=start --format '{{.Action}} {{.Actor.Attributes.name}}')" \
		"start box" "the start, replayed"
}

# A compose file with three services on the project's network, env,
# ports, depends_on, init (a shell as pid 1 ignores the stop's SIGTERM,
# under Docker too) and a healthcheck: up, ps, logs, down
test_dkc_compose_up_ps_logs_down() {
	trap cleanup_sv EXIT
	command -v docker-compose >/dev/null || skip "no docker-compose"
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir -p "$T/proj"
	cat >"$T/proj/docker-compose.yml" <<-'YML'
	version: "3.7"
	services:
	  web:
	    image: busybox:latest
	    command: sh -c 'mkdir -p /www && echo hello-compose >/www/index.html && httpd -f -p 80 -h /www'
	    ports: ["18080:80"]
	    init: true
	    environment: [GREETING=hi]
	    volumes: ["site:/www"]
	    networks: [back]
	    healthcheck:
	      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1/"]
	      interval: 1s
	  worker:
	    image: busybox:latest
	    command: sh -c 'echo worker says $$GREETING; sleep 1000'
	    init: true
	    environment: [GREETING=hello, NOT_SET_IN_THE_SHELL]
	    extra_hosts: ["host.docker.internal:host-gateway"]
	    volumes: ["site:/site"]
	    networks: [back]
	    depends_on: [web]
	  client:
	    image: busybox:latest
	    command: sh -c 'until wget -q -O- http://$$WEB:80/; do sleep 0.2; done; sleep 1000'
	    init: true
	    environment: [WEB=web]
	    networks: [back]
	    depends_on: [web]
	volumes:
	  site:
	networks:
	  back:
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p demo -f "$T/proj/docker-compose.yml")
	"${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	assert_eq "$(dock ps --format '{{.Names}}' | sort | tr '\n' ' ')" "demo_client_1 demo_web_1 demo_worker_1 " "compose's containers"
	assert_eq "$(dock network ls --format '{{.Name}}' | grep -c '^demo_back$')" 1 "the project's network"
	assert_eq "$(dock volume ls --format '{{.Name}}' | grep -c '^demo_site$')" 1 "the project's volume"
	wait_for 20 sh -c "[ \"\$(DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Health.Status}}' demo_web_1)\" = healthy ]"
	assert_eq "$(inns curl -s http://127.0.0.1:18080/)" hello-compose "the published port"
	# a service's name is an alias on the project's network, as under Docker
	assert_eq "$(ctl exec demo_client_1 wget -q -O- http://web/)" hello-compose "web by its service name"
	assert_eq "$(ctl exec demo_worker_1 wget -q -O- http://web:80/)" hello-compose "from another service too"
	assert_eq "$(ctl exec demo_worker_1 sh -c 'echo ${NOT_SET_IN_THE_SHELL-unset}')" unset \
		"a variable named alone, not set in compose's environment"
	# Docker's host-gateway: the host on the service's network, its gateway
	local gw
	gw=$(ctl exec demo_worker_1 awk '$2 == "host.containers.internal" {print $1}' /etc/hosts)
	[ -n "$gw" ] || fail "no host.containers.internal in the worker's /etc/hosts"
	assert_eq "$(ctl exec demo_worker_1 awk '$2 == "host.docker.internal" {print $1}' /etc/hosts)" "$gw" \
		"extra_hosts' host-gateway"
	wait_for 10 sh -c "'${dc[*]}' logs worker 2>/dev/null | grep -q 'worker says hello'" 2>/dev/null ||
		"${dc[@]}" logs worker 2>&1 | grep -q "worker says hello" || fail "compose logs: $("${dc[@]}" logs worker 2>&1)"
	# exec, as compose does it (no tty), into a service sharing the named volume
	assert_eq "$("${dc[@]}" exec -T worker cat /site/index.html 2>&1)" hello-compose "compose exec, through the named volume"
	local rc=0
	"${dc[@]}" exec -T worker sh -c 'exit 3' || rc=$?
	assert_eq $rc 3 "compose exec's exit code"
	# run: a one-off container of a service, which compose links to the
	# service's running ones (Docker's legacy links: lines of its /etc/hosts)
	local web_ip client_ip out
	web_ip=$(dock inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' demo_web_1)
	client_ip=$(dock inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' demo_client_1)
	out=$("${dc[@]}" run --rm -T client sh -c 'wget -q -O- http://web/; grep -w client_1 /etc/hosts' 2>&1) ||
		fail "compose run: $out"
	assert_contains "$out" "hello-compose" "compose run reaches web"
	assert_contains "$out" "$client_ip	client_1" "compose run's link to the service's own client_1"
	out=$(dock run --rm --network demo_back --link demo_web_1:www busybox:latest grep -w www /etc/hosts 2>&1) ||
		fail "docker run --link: $out"
	assert_eq "$out" "$web_ip	www" "docker run --link NAME:ALIAS"
	out=$(dock run --rm --network demo_back --link nosuch:x busybox:latest true 2>&1) && fail "a link to nothing: $out"
	assert_contains "$out" "could not get container for nosuch" "a link to nothing is named"
	out=$(dock run --rm --network demo_back --link "$(head -c 300 /dev/zero | tr '\0' a):x" busybox:latest true 2>&1) &&
		fail "a 300-byte link name was taken: $out"
	assert_contains "$out" "at most 255 bytes" "a link name too long"
	"${dc[@]}" ps >"$T/ps.out" 2>&1
	assert_eq "$(grep -c ' Up' "$T/ps.out")" 3 "compose ps: $(cat "$T/ps.out")"
	"${dc[@]}" down -v >"$T/down.out" 2>&1 || fail "compose down -v: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
	assert_eq "$(dock network ls --format '{{.Name}}' | grep -c '^demo_back$')" 0 "the network is gone"
	assert_eq "$(dock volume ls -q | wc -l)" 0 "down -v took the named volume"
	# (a veth goes with its netns, which the kernel tears down after the
	# last process in it has gone: not at once)
	wait_for 50 sh -c "[ \$(nsenter --net='$T/netns' ip -o link show type veth | wc -l) -eq 0 ]" ||
		assert_eq "$(inns ip -o link show type veth | wc -l)" 0 "no veth left"
}

# A compose file as a database stack writes one (format 2.4): shm_size,
# ulimits, sysctls, security_opt, cap_add, tmpfs, dns_search, extra_hosts,
# a logging driver's options, read_only, user and working_dir,
# stop_grace_period, two networks, depends_on a healthy service: each
# reaches the container as under Docker (mem_limit needs cgroup v2's
# memory controller, which this host's cgroup2 has not)
test_dkc_compose_a_database_stack() {
	trap cleanup_sv EXIT
	command -v docker-compose >/dev/null || skip "no docker-compose"
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir -p "$T/stack"
	cat >"$T/stack/docker-compose.yml" <<-'YML'
	version: "2.4"
	services:
	  db:
	    image: busybox:latest
	    command: sh -c 'echo db-here >/tmp/ready; exec httpd -f -p 5432 -h /tmp'
	    shm_size: 256m
	    ulimits:
	      nofile: {soft: 4096, hard: 8192}
	      nproc: 500
	    sysctls: {net.core.somaxconn: 1024}
	    security_opt: ["no-new-privileges:true"]
	    cap_add: [NET_ADMIN]
	    tmpfs: [/run/db]
	    stop_grace_period: 3s
	    logging: {driver: json-file, options: {max-size: 10m}}
	    networks: [back]
	    healthcheck:
	      test: ["CMD", "test", "-e", "/tmp/ready"]
	      interval: 1s
	  app:
	    image: busybox:latest
	    command: sh -c 'exec sleep 1000'
	    user: "65534:65534"
	    working_dir: /tmp
	    read_only: true
	    dns_search: [example.test]
	    extra_hosts: ["cache.example:10.9.8.7"]
	    networks: [front, back]
	    depends_on:
	      db: {condition: service_healthy}
	networks:
	  front:
	  back:
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p stack -f "$T/stack/docker-compose.yml")
	"${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	assert_not_contains "$(cat "$T/up.out")" "not supported" "no option went unheard: $(cat "$T/up.out")"
	assert_eq "$(ctl exec stack_db_1 sh -c 'ulimit -n; ulimit -Hn; ulimit -u
		df -k /dev/shm | awk "NR==2 {print \$2}"; cat /proc/sys/net/core/somaxconn
		grep -E "^NoNewPrivs" /proc/self/status | tr "\t" " "; grep -c " /run/db tmpfs" /proc/mounts
		ip addr add 10.255.0.1/32 dev lo && echo net-admin')" "4096
8192
500
262144
1024
NoNewPrivs: 1
1
net-admin" "db: ulimits, shm_size, sysctls, security_opt, tmpfs, cap_add"
	assert_eq "$(dock inspect -f '{{.Config.StopTimeout}}' stack_db_1)" 3 "db: stop_grace_period"
	assert_eq "$(ctl exec stack_app_1 sh -c 'id -u; pwd; grep -c "^search example.test" /etc/resolv.conf
		grep -c "10.9.8.7[[:space:]]cache.example" /etc/hosts; touch /x 2>/dev/null || echo read-only
		ip -o addr show | grep -c "inet 10\."')" "65534
/tmp
1
1
read-only
2" "app: user, working_dir, dns_search, extra_hosts, read_only, two networks"
	# the app reaches the db by its service name on the network they share
	assert_eq "$(ctl exec stack_app_1 wget -q -O- http://db:5432/ready)" db-here "app reaches db by its name"
	"${dc[@]}" down >"$T/down.out" 2>&1 || fail "compose down: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
	assert_eq "$(dock network ls --format '{{.Name}}' | grep -c '^stack_')" 0 "the networks are gone"
}

# compose recreates a service whose config changed, and carries its
# anonymous volumes over to the new container, as under Docker: what a
# database wrote in its image's VOLUME (and in a compose-declared one) is
# still there after "up -d" (docker inspect's Mounts name them)
test_dkc_compose_recreate_keeps_the_data() {
	trap cleanup_sv EXIT
	command -v docker-compose >/dev/null || skip "no docker-compose"
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir -p "$T/keep/db"
	printf 'FROM busybox:latest\nVOLUME /var/lib/db\n' >"$T/keep/db/Dockerfile"
	cat >"$T/keep/docker-compose.yml" <<-'YML'
	version: "3.7"
	services:
	  db:
	    build: ./db
	    image: keep-db:1
	    command: sleep 1000
	    environment: [REV=1]
	    volumes: ["/scratch"]
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p keep -f "$T/keep/docker-compose.yml")
	"${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	ctl exec keep_db_1 sh -c 'echo in-image-volume >/var/lib/db/f && echo in-compose-volume >/scratch/f' ||
		fail "writing the volumes"
	local first
	first=$(dock inspect -f '{{.Id}}' keep_db_1)
	sed -i 's/REV=1/REV=2/' "$T/keep/docker-compose.yml"
	"${dc[@]}" up -d >"$T/up2.out" 2>&1 || fail "compose up again: $(cat "$T/up2.out")"
	assert_contains "$(cat "$T/up2.out")" "Recreating keep_db_1" "the changed service is recreated"
	[ "$(dock inspect -f '{{.Id}}' keep_db_1)" != "$first" ] || fail "the container was not made again"
	assert_eq "$(ctl exec keep_db_1 sh -c 'echo $REV; cat /var/lib/db/f /scratch/f')" "2
in-image-volume
in-compose-volume" "the new container has the old one's volumes"
	# the new container mounts them by name (compose's Binds), so its rm -v
	# keeps them, as dockerd's does; a prune takes them once unused
	"${dc[@]}" down -v >"$T/down.out" 2>&1 || fail "compose down -v: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "no container after down"
	dock volume prune -f >/dev/null
	assert_eq "$(dock volume ls -q | wc -l)" 0 "a prune took the volumes"
}

# Hostile HTTP costs only the corral-docker that reads it: oversized
# headers and bodies, two Content-Lengths, a path with .., a slow client,
# and a hijack that never reads; corrald and the next client go on, and
# each process ends with its connection.
test_dkc_hostile_http() {
	trap cleanup_sv EXIT
	start_sv $(docker_flags)
	import_busybox
	dock run -d --name box busybox:latest sh -c 'while :; do echo flood flood flood flood; done' >/dev/null
	python3 - "$S/docker.sock" >"$T/hostile.out" 2>&1 <<-'PY' || fail "the hostile client: $(cat "$T/hostile.out")"
	import socket, sys, time
	path = sys.argv[1]
	def conn():
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(path)
	    s.settimeout(10)
	    return s
	def ask(raw):
	    s = conn()
	    try:
	        s.sendall(raw)
	    except (BrokenPipeError, ConnectionResetError):
	        pass  # closed on us mid-request: refused; what it said first is read below
	    try:
	        data = s.recv(65536)
	    except (ConnectionResetError, socket.timeout):
	        data = b""
	    s.close()
	    return data.split(b"\r\n", 1)[0].decode(errors="replace")
	# headers far past any limit
	print("big-headers", ask(b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-A: " + b"a" * 300000 + b"\r\n\r\n"))
	# a body past the 1 MiB bound
	print("big-body", ask(b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n" + b"{" * 2000000))
	# a request smuggled with two lengths
	print("two-lengths", ask(b"POST /v1.41/containers/prune HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /v1.41/containers/json HTTP/1.1\r\n\r\n"))
	# .. in the path
	print("dotdot", ask(b"GET /v1.41/containers/../../etc/passwd HTTP/1.1\r\nHost: d\r\n\r\n"))
	# a slow client: half a request line, then nothing
	slow = conn()
	slow.sendall(b"GET /_pi")
	# a hijack that never reads: attach to the flood
	h = conn()
	h.sendall(b"POST /v1.41/containers/box/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	time.sleep(0.5)
	print("while-held", ask(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"))
	slow.close()
	h.close()
	PY
	cat "$T/hostile.out"
	for what in big-headers big-body two-lengths; do
		grep -q "^$what HTTP/1.1 4[0-9][0-9]" "$T/hostile.out" || grep -q "^$what \$" "$T/hostile.out" ||
			fail "$what was not refused: $(grep "^$what" "$T/hostile.out")"
	done
	grep -q "^dotdot HTTP/1.1 404" "$T/hostile.out" || fail "the path with ..: $(grep '^dotdot' "$T/hostile.out")"
	grep -q "^while-held HTTP/1.1 200" "$T/hostile.out" || fail "a client beside the slow one and the hijack was not served"
	ctl ping >/dev/null || fail "corrald does not answer"
	assert_eq "$(dock version --format '{{.Server.APIVersion}}')" 1.41 "the next client"
	# each connection's corral-docker ended with it; corrald's standbys stay
	wait_for 10 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
	assert_eq "$(dock inspect -f '{{.State.Status}}' box)" running "the flooding container runs on"
	dock rm -f box >/dev/null
}

# testcontainers (npm, with its resource reaper off, as CI runners set it),
# installed by make test-deps in the build tree from the lockfile (npm ci):
# tc SCRIPT runs tests/clients/testcontainers/SCRIPT against a corrald of
# its own (kept for the case to ask), what it printed in $T/tc.out.
tc() {
	trap cleanup_sv EXIT
	command -v npm >/dev/null || skip "no npm"
	need_cni
	local src="$ROOTDIR/tests/clients/testcontainers" dir="$B/npm/testcontainers"
	[ -d "$dir/node_modules/testcontainers" ] ||
		fail "testcontainers is not installed in $dir (make test-deps runs npm ci): $(tail -3 "$dir/npm.log" 2>/dev/null)"
	start_sv_netns $(docker_flags)
	import_busybox
	inns env DOCKER_HOST="unix://$S/docker.sock" TESTCONTAINERS_RYUK_DISABLED=true NODE_PATH="$dir/node_modules" \
		node "$src/$1" >"$T/tc.out" 2>&1 || fail "testcontainers: $(cat "$T/tc.out")"
}

# A container with a wait strategy and a mapped port, an exec, its stop.
test_dkc_testcontainers() {
	tc tc.js
	assert_eq "$(tr '\n' ' ' <"$T/tc.out")" "started true served tc-hello exec exec-ok 3 stopped " "what testcontainers saw"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "testcontainers' stop removed its container"
}

# The options a suite sets on a database or a browser container
# (tc_options.js): each is read back inside the container, as Docker's
# engine gives it (the capabilities from podman's default set).
test_dkc_testcontainers_options() {
	tc tc_options.js
	assert_eq "$(tr '\n' '|' <"$T/tc.out")" \
		"healthy|nofile 1024 2048|nproc 300|shm 32768|tmpfs 8192|caps 00000000800415fa|hosts 10.9.8.7|user 1000 1000 /tmp|env options|seed seeded 0 640|unreadable by 1000|stopped|" \
		"what the container reported"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "testcontainers' stop removed its container"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
