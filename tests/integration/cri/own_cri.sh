# corrald's own CRI for a test of the host tier: the messages' Python from
# the project's runtime_v1.proto into $T/pb, then corrald in a network
# namespace of the test's own with its CRI socket at $S/cri.sock and the
# test image as busybox:latest. Sourced after lib.sh, supervisor_lib.sh and
# network_lib.sh.
PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"

start_cri() { # [corrald flags]
	need_cni
	command -v protoc >/dev/null || skip "no protoc (protobuf-compiler)"
	$PY -c 'import grpc, google.protobuf' 2>/dev/null || skip "no python3-grpcio or python3-protobuf"
	mkdir -p "$T/pb" "$T/logs"
	protoc --python_out="$T/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" ||
		fail "protoc"
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533 --stream-address auto "$@"
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null
}
