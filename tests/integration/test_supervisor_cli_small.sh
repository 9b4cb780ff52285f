#!/bin/bash
# Small things people notice at corralctl and corrald: an unknown command
# named by its own words, bytes that are not UTF-8, the address in
# corrald's start line, and a Ctrl-C'd image import that is cancelled and
# leaves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"

# NAME MB: an OCI layout in $T/NAME holding one image of one uncompressed
# layer with a file of MB MiB
big_layout() {
	python3 - "$T/$1" "$2" <<-'PYEOF'
	import hashlib, io, json, os, sys, tarfile
	out, mb = sys.argv[1], int(sys.argv[2])
	blobs = os.path.join(out, "blobs", "sha256")
	os.makedirs(blobs)
	class Zeros(io.RawIOBase):
	    def __init__(self, n): self.left = n
	    def readable(self): return True
	    def readinto(self, b):
	        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
	tmp = os.path.join(out, "layer.tar")
	with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as t:
	    i = tarfile.TarInfo("big"); i.size = mb << 20; i.mode = 0o644
	    t.addfile(i, Zeros(i.size))
	h = hashlib.sha256()
	with open(tmp, "rb") as f:
	    for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
	layer = h.hexdigest(); size = os.path.getsize(tmp)
	os.rename(tmp, os.path.join(blobs, layer))
	def blob(obj, media):
	    data = json.dumps(obj).encode(); d = hashlib.sha256(data).hexdigest()
	    open(os.path.join(blobs, d), "wb").write(data)
	    return {"mediaType": media, "digest": "sha256:" + d, "size": len(data)}
	cfg = blob({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
	            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer]}},
	           "application/vnd.oci.image.config.v1+json")
	man = blob({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cfg,
	            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + layer,
	                        "size": size}]},
	           "application/vnd.oci.image.manifest.v1+json")
	man["annotations"] = {"org.opencontainers.image.ref.name": "big"}
	json.dump({"schemaVersion": 2, "manifests": [man]}, open(os.path.join(out, "index.json"), "w"))
	open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
	PYEOF
}

# "tag busybox:demo" was "unknown command: tag busybox:demo"
test_cli_unknown_command_is_named_alone() {
	local e
	e=$("$CORRALCTL" frob busybox:demo 2>&1) && fail "an unknown command ran"
	assert_eq "$e" 'corralctl: unknown command "frob" (see corralctl --help)' "an unknown command, its argument apart"
	e=$("$CORRALCTL" image foo x 2>&1) && fail "image foo ran"
	assert_eq "$e" 'corralctl: unknown command "image foo": image takes import, ls, inspect, rm, prune, tag, load, save, history, sign, verify' \
		"an unknown command of a group"
	e=$("$CORRALCTL" network 2>&1) && fail "network alone ran"
	assert_eq "$e" 'corralctl: network: missing its command, one of: create, ls, inspect, rm, connect, disconnect' "a group alone"
}

# A name or a value that is not UTF-8 (corrald's varlink is JSON) is
# refused by corralctl before it is sent, said so, and corrald goes on; it
# was "connection closed by the server", corrald having hung up on what it
# read as a broken message
test_cli_bytes_that_are_not_utf8_are_refused() {
	trap cleanup_sv EXIT
	start_sv
	local e
	e=$(ctl stop $'a\xffb' 2>&1) && fail "a container's name that is not UTF-8 was stopped"
	assert_eq "$e" "corralctl: io.corral.Supervisor.Stop: a string among its parameters is not UTF-8" "a name"
	e=$(ctl volume create $'v\xed\xa0\x80' 2>&1) && fail "a volume name that is not UTF-8 was made"
	assert_contains "$e" "VolumeCreate: a string among its parameters is not UTF-8" "a surrogate"
	! grep -q "not UTF-8; disconnecting" "$T/corrald.log" || fail "corrald was sent it"
	assert_eq "$(ctl volume create ok)" ok "corrald goes on"
}

# The start line names the metrics address; a Ctrl-C on image import
# cancels it: no image, and nothing left in the store (staging, blobs,
# layers) or of corral-images.
test_cli_metrics_address_and_import_cancel() {
	trap cleanup_sv EXIT
	start_sv_netns --metrics-listen 127.0.0.1:0
	local line port
	line=$(grep -o 'metrics on http://[^ ]*' "$T/corrald.log")
	port=$(echo "$line" | sed -n 's|^metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p')
	[ -n "$port" ] && [ "$port" != 0 ] || fail "the start line: $(grep serving "$T/corrald.log")"
	inns curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^corral_' || fail "metrics not at $line"

	big_layout big 512
	local store="$STATE_D/images" blobs layers
	ctl image ls >/dev/null # the store exists
	blobs=$(ls "$store/blobs/sha256" | sort)
	layers=$(ls "$store/layers" | sort)
	env --default-signal=INT "$CORRALCTL" --socket "$SOCK" image import "oci:$T/big:big" big:1 >"$T/imp.out" 2>"$T/imp.err" &
	local client=$!
	# mid-import: its staging holds the layer being written
	wait_for 30 sh -c "[ -n \"\$(find '$store/staging' -name big -size +1M 2>/dev/null)\" ]" ||
		fail "the import never staged its layer"
	kill -INT "$client"
	local rc=0
	wait "$client" || rc=$?
	assert_eq "$rc" 130 "the client's exit"
	assert_eq "$(cat "$T/imp.err")" "corralctl: image import: cancelled" "what the client says"
	wait_for 10 sh -c "! pgrep -P $CORRALD_PID -f corral-images" || fail "corral-images goes on"
	wait_for 10 sh -c "[ -z \"\$(ls -A '$store/staging')\" ]" || fail "staging left: $(ls -A "$store/staging")"
	assert_eq "$(ctl image ls --format '{{.Repository}}' | grep -c big)" 0 "no image"
	assert_eq "$(ls "$store/blobs/sha256" | sort)" "$blobs" "no blob left"
	assert_eq "$(ls "$store/layers" | sort)" "$layers" "no layer left"
	return 0
}

# system info says what podman's does of the host; system df adds up what
# images and containers take, and what a prune would free
test_cli_system_info_and_df() {
	trap cleanup_sv EXIT
	start_sv
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	ctl run -d --name up bb:1 sleep 1000 >/dev/null
	ctl run --name wrote bb:1 sh -c 'head -c 300000 /dev/zero >/big'
	local info
	info=$(ctl --json system info)
	assert_eq "$(jq -r .host.kernel <<<"$info")" "$(uname -r)" "the kernel"
	assert_eq "$(jq -r .host.arch <<<"$info")" "$(uname -m)" "the arch"
	assert_eq "$(jq -r '.host.cgroupManager, .host.ociRuntime, .host.networkBackend' <<<"$info" | tr '\n' ' ')" \
		"cgroupfs corral cni " "the manager, runtime and network backend"
	assert_eq "$(jq -r '.host.containerStates | "\(.running) \(.exited) \(.created)"' <<<"$info")" "1 1 0" "containers by state"
	assert_contains "$(ctl system info)" "  kernel             $(uname -r)" "the text form, the host's indented"
	local df
	df=$(ctl --json system df)
	assert_eq "$(jq -r '.[1] | "\(.total) \(.active) \(.reclaimable >= 300000)"' <<<"$df")" "2 1 true" "containers"
	assert_eq "$(jq -r '.[0] | "\(.total) \(.active) \(.reclaimable)"' <<<"$df")" "1 1 0" "images: the one in use"
	assert_contains "$(ctl system df | head -1)" "TYPE" "the table's header"
	ctl rm -f up wrote >/dev/null
	assert_eq "$(ctl --json system df | jq -r '.[0].reclaimable > 0')" true "an unused image is reclaimable"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
