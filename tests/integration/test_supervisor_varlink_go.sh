#!/bin/bash
# corrald's varlink socket through a client corral did not write: the
# varlink project's Go library (golang-github-varlink-go-dev), built here
# offline against Debian's copy of it. Its GetInfo and GetInterfaceDescription
# (org.varlink.service), a call, decoded errors, a oneway call and a call
# with more, each reply of which it reads by the continues flag.
# time: about 5 s (the client's build, then one corrald)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"

GO_LIB=/usr/share/gocode/src/github.com/varlink/go/varlink
if ! command -v go >/dev/null || [ ! -d "$GO_LIB" ]; then
	echo "SKIP test_supervisor_varlink_go.sh: no go or no varlink Go library (tests/deps.sh installs golang-go golang-github-varlink-go-dev)"
	echo "skip test_supervisor_varlink_go" >>"$RESULTS"
	exit 0
fi

# the client, built offline in GOPATH mode from Debian's sources
build_client() {
	mkdir -p "$T/gopath/src/vlclient"
	cp "$(dirname "$0")/varlink_go/main.go" "$T/gopath/src/vlclient/"
	(cd "$T/gopath/src/vlclient" && GO111MODULE=off GOPATH="$T/gopath:/usr/share/gocode" GOCACHE="$T/gocache" \
		go build -o "$T/vlclient" .) >"$T/build.log" 2>&1 || fail "go build: $(tail -5 "$T/build.log")"
}

test_vlgo_a_go_client_calls_corrald() {
	trap cleanup_sv EXIT
	build_client
	start_sv
	ctl run -d --name one "$IMG" true >/dev/null
	ctl wait one >/dev/null
	local out
	out=$("$T/vlclient" "$SOCK" 2>&1) || fail "the client: $out"
	assert_eq "$out" "info: corral corrald org.varlink.service,io.corral.Supervisor
description: true
ping: <nil>
unknown method: org.varlink.service.MethodNotFound
no such container: io.corral.Supervisor.NoSuchContainer
bad parameter: io.corral.Supervisor.InvalidParameter
after oneway: <nil>
events: daemon/start container/create container/start container/die
after events: <nil>" "what the Go library saw"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
