#!/bin/bash
# The CRI's streaming server (corral-stream): kubectl exec, attach and
# port-forward as kubelet brings them, the URL from corrald's CRI answered
# over SPDY/3.1 by the tests' own client (cri/spdy_client.py, proven
# against containerd's server in the VM tier's clients boot), and clients
# that attack it. corrald runs in a network namespace of the test's own,
# and so does every client of the server, which listens on its loopback.
# time: about 40 s (6 cases), each with a corrald of its own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"

start_cri() { # [corrald flags]
	need_cni
	command -v protoc >/dev/null || skip "no protoc (protobuf-compiler)"
	$PY -c 'import grpc, google.protobuf' 2>/dev/null || skip "no python3-grpcio or python3-protobuf"
	mkdir -p "$T/pb" "$T/run"
	protoc --python_out="$T/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" ||
		fail "protoc"
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533 --stream-user 65532:65532 "$@"
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null
}
# a scenario of cri_client.py, in corrald's network namespace
scenario() { # NAME
	inns env CRI_PB="$T/pb" timeout -k 5 120 $PY "$CRIDIR/cri_client.py" "$1" --sock "$S/cri.sock" --handler "" \
		--image busybox:latest --cgparent "/corral-$TID/kubepods" --dir "$T/run"
}
helpers() { pgrep -P "$CORRALD_PID" -x corral-stream | wc -l; }

# kubectl exec: the scenario the clients boot runs beside containerd and
# runc, here through corrald's CRI and its streaming server
test_cri_stream_exec() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(scenario streams 2>&1)
	assert_eq "$out" "pod: ready
pod has an address: True
exec protocol: v4.channel.k8s.io
exec: stdout=b'out\n' stderr=b'err\n' exit=3
exec stdin: stdout=b'hello\ndone\n' exit=0
exec tty: stdout=b'33 111' exit=4
a URL used twice: refused
containers left: 0
left behind: nothing" "kubectl exec through corrald's streaming server"
}

# kubectl attach: the container's stdio, stdin open
test_cri_stream_attach() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(scenario attach 2>&1)
	assert_eq "$out" "pod: ready
pod has an address: True
attach: stdout=b'got:hello\n' stderr=b'bye\n' status=Success
attached container: exit 5
its log: ready got:hello
containers left: 0
left behind: nothing" "kubectl attach through corrald's streaming server"
}

# kubectl port-forward: into the pod's network namespace, never the host's
test_cri_stream_port_forward() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(scenario forward 2>&1)
	assert_eq "$out" "pod: ready
pod has an address: True
forward: HTTP/1.1 200 OK hello-from-pod
forward to a closed port: data=b'' error=True ended=True
forward twice on one connection: HTTP/1.1 200 OK hello-from-pod | HTTP/1.1 200 OK hello-from-pod
forward beside it: HTTP/1.1 200 OK hello-from-pod
containers left: 0
left behind: nothing" "kubectl port-forward through corrald's streaming server"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
