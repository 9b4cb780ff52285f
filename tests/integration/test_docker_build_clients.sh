#!/bin/bash
# Builds as the other clients ask them: docker-compose 1.29's build: (build,
# then up --build after a change), python3-docker's images.build, and
# testcontainers' fromDockerfile; each image then runs. corrald runs in a
# network namespace of the test's own (compose makes its project network).
# time: about 50 s (3 cases): docker-compose's Python start for each call, node's for testcontainers
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
. "$(dirname "$0")/network_lib.sh"

test_dkbc_compose_build_and_up_build() {
	trap cleanup_sv EXIT
	command -v docker-compose >/dev/null || skip "no docker-compose"
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	mkdir -p "$T/proj/app"
	cat >"$T/proj/app/Dockerfile" <<-'EOF'
	FROM busybox:latest
	ARG MSG=hello
	COPY page.txt /www/
	RUN echo "$MSG" >/www/greeting
	CMD ["sh", "-c", "cat /www/greeting /www/page.txt; exec sleep 1000"]
	EOF
	echo first >"$T/proj/app/page.txt"
	cat >"$T/proj/docker-compose.yml" <<-'YML'
	version: "3.8"
	services:
	  app:
	    build:
	      context: ./app
	      args:
	        MSG: from-compose
	    image: proj-app:dev
	YML
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p bproj -f "$T/proj/docker-compose.yml")
	"${dc[@]}" build >"$T/build.out" 2>&1 || fail "compose build: $(cat "$T/build.out")"
	assert_contains "$(cat "$T/build.out")" "Successfully tagged proj-app:dev" "compose's build"
	"${dc[@]}" up -d >"$T/up.out" 2>&1 || fail "compose up: $(cat "$T/up.out")"
	wait_for 30 sh -c "\"$CORRALCTL\" --socket $SOCK logs bproj_app_1 2>/dev/null | grep -q first" ||
		fail "$(cat "$T/up.out"; ctl ps -a; ctl logs bproj_app_1)"
	assert_eq "$(ctl logs bproj_app_1 | tr '\n' ' ')" "from-compose first " "the service runs the built image, with the build arg"
	echo second >"$T/proj/app/page.txt"
	"${dc[@]}" up -d --build >"$T/up2.out" 2>&1 || fail "compose up --build: $(cat "$T/up2.out")"
	wait_for 30 sh -c "\"$CORRALCTL\" --socket $SOCK logs bproj_app_1 2>/dev/null | grep -q second"
	assert_contains "$(ctl logs bproj_app_1)" second "up --build rebuilt after the change, and recreated the service"
	"${dc[@]}" down >"$T/down.out" 2>&1 || fail "compose down: $(cat "$T/down.out")"
	assert_eq "$(ctl ps -a -q | wc -l)" 0 "compose down"
}

test_dkbc_python_docker_images_build() {
	trap cleanup_sv EXIT
	python3 -c 'import docker' 2>/dev/null || skip "no python3-docker"
	start_docker
	import_busybox
	mkdir -p "$T/py"
	printf 'FROM busybox:latest\nRUN echo py-built >/made\nCMD ["cat", "/made"]\n' >"$T/py/Dockerfile"
	local out
	out=$(python3 - "$S/docker.sock" "$T/py" <<-'PY' 2>&1
	import docker, sys
	c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
	img, logs = c.images.build(path=sys.argv[2], tag="py-img:1", rm=True)
	steps = [l["stream"] for l in logs if "stream" in l]
	print("steps", sum(1 for s in steps if s.startswith("Step ")))
	print("tagged", any(t.split("/")[-1] == "py-img:1" for t in img.tags))
	print("ran", c.containers.run("py-img:1", remove=True).decode().strip())
	try:
	    c.images.build(fileobj=__import__("io").BytesIO(b"FROM busybox:latest\nRUN exit 7\n"), rm=True)
	    print("built a failing RUN")
	except docker.errors.BuildError as e:
	    print("error", "non-zero code: 7" in str(e))
	PY
	) || fail "python3-docker: $out"
	assert_eq "$(echo "$out" | tr '\n' ' ')" "steps 3 tagged True ran py-built error True " "what python3-docker saw"
}

test_dkbc_testcontainers_from_dockerfile() {
	trap cleanup_sv EXIT
	command -v npm >/dev/null || skip "no npm"
	local src="$ROOTDIR/tests/clients/testcontainers" dir="$B/npm/testcontainers"
	[ -d "$dir/node_modules/testcontainers" ] ||
		fail "testcontainers is not installed in $dir (make test-deps runs npm ci): $(tail -3 "$dir/npm.log" 2>/dev/null)"
	start_docker
	import_busybox
	mkdir -p "$T/tc"
	printf 'FROM busybox:latest\nARG FLAVOUR\nRUN echo "$FLAVOUR" >/flavour\n' >"$T/tc/Dockerfile"
	local out
	out=$(env DOCKER_HOST="unix://$S/docker.sock" TESTCONTAINERS_RYUK_DISABLED=true NODE_PATH="$dir/node_modules" \
		node "$src/tc_build.js" "$T/tc" 2>&1) || fail "testcontainers: $out"
	assert_eq "$(echo "$out" | tr '\n' ' ')" "built read tc-built stopped " "what testcontainers saw"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
