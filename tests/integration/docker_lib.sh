# For the Docker API's tests (sourced after lib.sh and supervisor_lib.sh):
# corrald with its docker socket in $T, and the docker CLI as root or as a
# member, each with a config directory of its own.
IMGS="$FIXTURES/images"
DOCKER_STANDBYS=2 # the corral-dockers corrald keeps started ahead (docker_socket.c)
# Debian's docker CLI 20.10 (make test-deps takes it from the docker.io
# package): the client the issue names, and the API version it negotiates
DOCKER_CLI_DIR="$B/clients/docker-20.10"
if [ ! -x "$DOCKER_CLI_DIR/docker" ]; then
	echo "FAIL $(basename "$0"): no docker 20.10 client in $DOCKER_CLI_DIR (make test-deps takes it from the docker.io package)"
	echo "fail $(basename "$0" .sh)-docker-cli" >>"$RESULTS"
	exit 1
fi
PATH="$DOCKER_CLI_DIR:$PATH"
start_docker() { start_sv --docker-socket "$S/docker.sock" --docker-user 65533:65533 "$@"; }
docker_flags() { echo --docker-socket "$S/docker.sock" --docker-user 65533:65533; }
dock() { DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" docker "$@"; }
dockm() { # UID ARGS...
	local u=$1
	shift
	mkdir -p "$T/dc$u" && chown "$u" "$T/dc$u"
	as_uid "$u" env DOCKER_CONFIG="$T/dc$u" DOCKER_HOST="unix://$S/docker.sock" docker "$@"
}
import_busybox() { ctl image import "oci:$IMGS/oci:test" busybox:latest >/dev/null; }
# member_import UID NAME: the fixture image imported by a member, from an
# archive the member can read
member_import() {
	[ -f "$T/img.tar" ] || { cp "$IMGS/test.oci.tar" "$T/img.tar" && chmod 644 "$T/img.tar"; }
	mctl "$1" image import "oci-archive:$T/img.tar" "$2" >/dev/null
}
# compose_file: the case's docker-compose.yml, from stdin (skips the rest
# of the case without docker-compose)
compose_file() {
	command -v docker-compose >/dev/null || skip "no docker-compose"
	mkdir -p "$T/proj"
	cat >"$T/proj/docker-compose.yml"
}
# dc PROJECT ARGS...: docker-compose on that file, against corrald's socket
dc() {
	local p=$1
	shift
	env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p "$p" -f "$T/proj/docker-compose.yml" "$@"
}

# For the build's cases:
# a context directory with a Dockerfile (stdin) and the files named after
ctx() { # DIR [FILE CONTENT]...
	local d=$1
	shift
	mkdir -p "$d"
	cat >"$d/Dockerfile"
	while [ $# -ge 2 ]; do
		mkdir -p "$(dirname "$d/$1")"
		printf '%s\n' "$2" >"$d/$1"
		shift 2
	done
}
no_containers_left() { assert_eq "$(ctl --json ps -a | jq length)" 0 "containers left by the build"; }
