#!/bin/bash
# corrald's pulls: corralctl pull, login and logout, run --pull, the policy,
# two members apart, events and metrics, and corrald killed part way. The
# registries (registry_lib.sh) and corrald share the test's network
# namespace; corrald has no bridge network (--default-network none).
# time: about 105 s (12 cases): pulls through corrald from a registry of the tests' own, with policies, two members and quotas
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/registry_lib.sh"

file_skip() {
	echo "SKIP test_supervisor_pull.sh: $*"
	echo "skip test_supervisor_pull" >>"$RESULTS"
	exit 0
}
for t in docker-registry skopeo htpasswd openssl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$REG_PY -c 'import cryptography' 2>/dev/null || file_skip "Debian's python3-cryptography is not installed (tests/deps.sh)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

cleanup_pull() {
	cleanup_sv
	reg_cleanup
}

# A registry's bytes never reach corrald: its pulls run in corral-images, so
# corrald links no HTTP or TLS client (libcurl and its 29 libraries doubled
# corrald's idle RSS, 4.8 to 9.1 MB, when a credential helper pulled it in).
test_spull_corrald_links_no_http_client() {
	local needed
	needed=$(readelf -d "$B/bin/corrald" | awk '/NEEDED/ {print $NF}')
	assert_contains "$needed" "libc.so" "readelf reads corrald's libraries"
	assert_not_contains "$needed" "libcurl" "corrald's libraries"
	assert_not_contains "$needed" "libssl" "corrald's libraries"
	readelf -d "$B/bin/corral-images" | grep -q 'libcurl' || fail "corral-images has no libcurl: the readelf check reads nothing"
}

test_spull_login_pull_logout_and_the_password_nowhere() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start priv basic >/dev/null
	reg_push_fixtures "$REG_priv"
	start_sv_reg
	local out
	out=$(ctl pull "$REG_priv/library/busybox:1" 2>&1) && fail "pulled without a login"
	assert_contains "$out" "log in to $REG_priv first" "anonymous"
	out=$(echo nope | ctl login -u alice --password-stdin "$REG_priv" 2>&1) && fail "a wrong password was kept"
	assert_contains "$out" "401" "wrong password refused at login"
	[ -z "$(ls "$STATE_D/logins" 2>/dev/null | grep -v '^key$')" ] || fail "a refused login was kept"
	assert_eq "$(echo "$REG_PASS" | ctl login -u alice --password-stdin "$REG_priv")" "Login Succeeded!" "login"
	local id
	id=$(ctl pull -q "$REG_priv/library/busybox:1")
	assert_eq "$(ctl images --format '{{.Repository}}:{{.Tag}}')" "$REG_priv/library/busybox:1" "pulled with the login"
	assert_eq "$(ctl run --rm --pull never "$REG_priv/library/busybox:1" echo hi)" hi "runs"
	# sealed: no file, log, audit entry or event holds it
	assert_eq "$(stat -c %a "$STATE_D/logins")" 700 "logins directory"
	assert_eq "$(find "$STATE_D/logins" -type f ! -perm 600 | wc -l)" 0 "logins files 0600"
	local b64
	b64=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64)
	grep -rqs -e "$REG_PASS" -e "$b64" "$STATE_D" "$T/corrald.log" && fail "the password in corrald's files or log"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	grep -qs -e "$REG_PASS" -e "$b64" "$T/ev" && fail "the password in an event"
	assert_eq "$(jq -r 'select(.action == "pull") | .name' "$T/ev")" "$REG_priv/library/busybox:1" "a pull event"
	ctl metrics >"$T/m"
	grep -qx 'corral_image_pulls_total{result="ok"} 1' "$T/m" || fail "metrics: $(grep pulls "$T/m")"
	[ "$(awk '$1 == "corral_image_pull_bytes_total" {print $2}' "$T/m")" -gt 100000 ] || fail "no bytes counted"
	assert_eq "$(ctl logout "$REG_priv")" "Removed login credentials for $REG_priv" "logout"
	ctl rmi -f "$id" >/dev/null
	out=$(ctl pull "$REG_priv/library/busybox:1" 2>&1) && fail "pulled after logout"
	out=$(ctl logout "$REG_priv" 2>&1) && fail "logged out twice"
	assert_contains "$out" "not logged in to $REG_priv" "logout again"
}

# A pull in progress shows no credential in corral-images' arguments or
# environment; kill -9 of corrald ends it, and leaves no half layer.
test_spull_corrald_killed_mid_pull() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start_hostile h
	start_sv_reg --registry-insecure "$REG_h"
	echo "$REG_PASS" | ctl login -u alice --password-stdin "$REG_h" >/dev/null
	ctl pull "$REG_h/neverends:latest" >/dev/null 2>&1 &
	local p=$! child="" i
	for i in $(seq 50); do
		child=$(pgrep -f "image pull --store $STATE_D" | head -1) # this corrald's, not another lane's
		[ -n "$child" ] && [ -n "$(find "$STATE_D/images/ingest" -type f -size +0c 2>/dev/null)" ] && break
		sleep 0.2
	done
	[ -n "$child" ] || fail "no corral-images pull running"
	tr '\0' '\n' <"/proc/$child/cmdline" | grep -qs -e "$REG_PASS" -e alice && fail "credentials in its arguments"
	tr '\0' '\n' <"/proc/$child/environ" | grep -qs -e "$REG_PASS" -e alice && fail "credentials in its environment"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$child" 2>/dev/null && fail "the pull outlived corrald"
	assert_eq "$(ls "$STATE_D/images/layers")" "" "no half layer"
	# started again: the pull goes on where it stopped, from a good repository
	start_sv_reg --registry-insecure "$REG_h"
	ctl pull -q "$REG_h/good:latest" >/dev/null
	grep -q "range=bytes=[1-9][0-9]*-" "$REG_LOG_h" || fail "not resumed"
	assert_eq "$(find "$STATE_D/images/staging" -mindepth 1 | wc -l)" 0 "nothing staged"
	assert_eq "$(find "$STATE_D/images/ingest" -type f)" "" "nothing in ingest"
}

# corrald stopped (SIGTERM) under a pull: it ends at once, the pull's
# caller is told it failed, nothing the pull held is left (the sanitizers'
# build checks its exit), and its corral-images goes with it.
test_spull_corrald_stopped_mid_pull() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start_hostile h
	start_sv_reg --registry-insecure "$REG_h"
	ctl pull "$REG_h/neverends:latest" >"$T/pull.out" 2>&1 &
	local p=$! child
	wait_for 20 pgrep -f "image pull --store $STATE_D"
	child=$(pgrep -f "image pull --store $STATE_D" | head -1)
	kill -TERM "$CORRALD_PID"
	wait_for 10 sh -c "! kill -0 $CORRALD_PID 2>/dev/null" || fail "corrald did not end under a pull"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait "$p" && fail "the pull's caller was told it succeeded: $(cat "$T/pull.out")"
	wait_for 10 sh -c "! kill -0 $child 2>/dev/null" || fail "the pull outlived corrald"
}

# run --pull: missing (the default) pulls once, always each time, never not
# at all; a short name is pulled from registry-search's registries only.
test_spull_run_pull_policies() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	start_sv_reg
	local ref="$REG_main/library/busybox:1" out
	out=$(ctl run --rm --pull never "$ref" true 2>&1) && fail "--pull never pulled"
	assert_contains "$out" "no such image" "never"
	reg_log_mark main
	assert_eq "$(ctl run --rm "$ref" echo one 2>/dev/null)" one "missing: pulled, then run"
	assert_eq "$(ctl run --rm "$ref" echo two)" two "missing: present"
	assert_eq "$(reg_gets main /manifests/1)" 1 "missing pulled once"
	ctl run --rm --pull always "$ref" true 2>/dev/null
	assert_eq "$(reg_gets main /manifests/1)" 2 "always pulls again"
	ctl run --rm --pull newer "$ref" true 2>/dev/null
	assert_eq "$(reg_gets main /manifests/1)" 3 "newer asks the registry"
	out=$(ctl run --rm --pull sometimes "$ref" true 2>&1) && fail "--pull sometimes accepted"
	assert_contains "$out" "expected always, missing, newer or never" "bad policy"
	out=$(ctl run --rm nosuch/busybox:1 true 2>&1) && fail "a short name pulled with no registry-search"
	assert_contains "$out" "no such image" "short name, no search"
	# a short name of what the store has is found there, as podman finds it
	assert_eq "$(ctl run --rm --pull never library/busybox:1 echo found)" found "found by its short name"
}

test_spull_short_names_and_search_registries() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	start_sv_reg --registry-search "$REG_main"
	assert_eq "$(ctl run --rm docker2:1 echo hi 2>/dev/null)" hi "docker2:1 from the search registry"
	assert_eq "$(ctl images --format '{{.Repository}}')" "$REG_main/docker2" "named in full"
	out=$(ctl pull nosuch:1 2>&1) && fail "a missing short name pulled"
	assert_contains "$out" "not found (404)" "the registry said so"
}

# The policy decides: images.registries and images.allow on the reference as
# pulled; a member pulls only what it may run, with its own logins only.
test_spull_policy_and_members_apart() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start main tls >/dev/null
	reg_start priv basic >/dev/null
	reg_push_fixtures "$REG_main"
	reg_push_fixtures "$REG_priv"
	cat >"$T/policy.json" <<-EOF
	{"unprivileged": {"images": {"registries": ["$REG_main", "$REG_priv"],
	                             "allow": ["$REG_main/library/*", "$REG_priv/docker2"]}}}
	EOF
	start_sv_group --policy "$T/policy.json"
	cleanup_sv >/dev/null 2>&1
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --policy "$T/policy.json"
	local out
	mctl 4242 pull "$REG_main/library/busybox:1" >/dev/null 2>&1 || fail "a member pulled what it may run: $(mctl 4242 pull "$REG_main/library/busybox:1" 2>&1)"
	out=$(mctl 4242 pull "$REG_main/multi:1" 2>&1) && fail "a member pulled what images.allow forbids"
	assert_contains "$out" "not on the allow-list" "images.allow"
	assert_contains "$out" "unprivileged.images.allow" "names the policy's key"
	out=$(mctl 4242 pull "127.0.0.2:1/library/busybox:1" 2>&1) && fail "a member pulled from another registry"
	assert_contains "$out" "unprivileged.images.registries" "images.registries"
	# member 4242 logs in; member 4343 does not have its login, root neither
	echo "$REG_PASS" | mctl 4242 login -u alice --password-stdin "$REG_priv" >/dev/null
	mctl 4242 pull -q "$REG_priv/docker2:1" >/dev/null
	out=$(mctl 4343 pull "$REG_priv/docker2:1" 2>&1) && fail "another member used 4242's login"
	assert_contains "$out" "log in to $REG_priv first" "the other member"
	out=$(ctl pull "$REG_priv/docker2:1" 2>&1) && fail "root used a member's login"
	out=$(mctl 4343 logout "$REG_priv" 2>&1) && fail "a member removed another's login"
	# a login reaches the registry: only one on the member's images.registries
	out=$(echo x | mctl 4242 login -u a --password-stdin 127.0.0.2:1 2>&1) && fail "a member logged in elsewhere"
	assert_contains "$out" "unprivileged.images.registries" "Login obeys images.registries"
	[ -r "$STATE_D/logins" ] && as_uid 4343 ls "$STATE_D/logins" >/dev/null 2>&1 && fail "a member reads the logins"
	true
}

# A layer in the shared store is a member's only once it has shown it may
# read it. 4242 pulls a private image with its login; 4343 then pulls, from
# a registry of its own, a manifest that names the same layers but serves
# none of them (404). Once the store's copies were used and 4343's container
# read 4242's files. A registry that does serve them is asked with HEAD
# (its yes vouches for the layer), and nothing is fetched twice.
test_spull_private_layer_needs_its_blob() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start priv basic >/dev/null
	reg_push_fixtures "$REG_priv"
	reg_start_hostile h
	chmod 755 "$T" # for the members, as start_sv_group opens it
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --registry-insecure "$REG_h"
	echo "$REG_PASS" | mctl 4242 login -u alice --password-stdin "$REG_priv" >/dev/null
	mctl 4242 pull -q "$REG_priv/docker2:1" >/dev/null
	local out
	reg_log_mark h
	out=$(mctl 4343 pull "$REG_h/t/nolayers:test" 2>&1) && fail "4343 got 4242's private layers by naming them: $out"
	assert_contains "$out" "not found (404)" "the layer is asked of 4343's registry, which has none"
	[ "$(reg_gets h /v2/t/nolayers/blobs/ HEAD)" -ge 1 ] || fail "no HEAD of a blob the store holds"
	assert_eq "$(mctl 4343 images -q | wc -l)" 0 "4343 has no image"
	# a registry that serves the blobs vouches for them: HEAD, no GET
	reg_log_mark h
	mctl 4343 pull -q "$REG_h/t/good:test" >/dev/null
	[ "$(reg_gets h /v2/t/good/blobs/ HEAD)" -ge 1 ] || fail "the layers were not asked with HEAD"
	local layer
	for layer in $(jq -r '.layers[].digest' "$FIXTURES/images/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$FIXTURES/images/oci/index.json" | cut -d: -f2)"); do
		assert_eq "$(reg_gets h "/v2/t/good/blobs/$layer")" 0 "layer $layer fetched again"
	done
	# and once shown, it is 4343's own: the registry may forget it
	mctl 4343 rmi "$REG_h/t/good:test" >/dev/null
	mctl 4343 pull -q "$REG_h/t/nolayers:test" >/dev/null || fail "4343 lost a layer it had shown it may read"
}

no_pull_runs() { ! pgrep -f "image pull --store $STATE_D" >/dev/null; }
pulls_run() { [ "$(pgrep -fc "image pull --store $STATE_D")" -ge "$1" ]; }
has_image() { ctl images | grep -q "$1"; }

# ms COMMAND...: how long the command took, in milliseconds (it must pass)
ms() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null || return 1
	echo $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
}

# A pull that stalls holds the store's lock; a member's prune then waits for
# it. corrald's loop never does: once it waited in flock for the prune's gc,
# and every client, root included, got no reply until the pull ended. The
# prune answers after the pull, which ends when its caller hangs up (once
# it went on for ever, a root process per pull).
test_spull_stalled_pull_holds_up_nobody() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start_hostile h
	chmod 755 "$T"
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --registry-insecure "$REG_h"
	mctl 4343 pull "$REG_h/t/stall:test" >"$T/pull.out" 2>&1 &
	local puller=$! pruner t what
	wait_for 20 grep -q "^GET /v2/t/stall/blobs/.* range=-" "$REG_DIR/h.log"
	mctl 4343 image prune >"$T/prune.out" 2>&1 &
	pruner=$!
	wait_for 10 pgrep -f "image gc --store $STATE_D"
	# a bound with margin, not a time: a loop caught in flock answers no
	# one until the pull ends, and the pull stalls until its caller goes
	# (a loaded CI took 102 ms for a member's whole corralctl run)
	for what in "ctl ping" "ctl ps -a" "ctl images" "mctl 4242 images" "mctl 4242 ps"; do
		t=$(ms $what) || fail "$what failed while the prune waited"
		[ "$t" -lt 2000 ] || fail "$what took $t ms while the prune waited for the store"
	done
	kill -0 "$pruner" 2>/dev/null || fail "the prune answered before the pull let go of the store: $(cat "$T/prune.out")"
	# the caller hangs up: its pull ends, and the prune goes on
	pkill -f "corralctl --socket $SOCK --timeout 30 pull $REG_h/t/stall"
	wait "$puller" 2>/dev/null || true
	wait_for 20 no_pull_runs
	wait "$pruner" || fail "the prune failed: $(cat "$T/prune.out")"
	[ -z "$(find "$STATE_D/images/ingest" -type f -size +0c 2>/dev/null)" ] ||
		fail "the stalled pull left bytes in ingest"
}

# A pull asked with detach goes on without its caller; a member runs at most
# unprivileged.max_pulls at once; pull-timeout ends a pull that trickles on.
test_spull_detach_quota_and_deadline() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start_hostile h
	chmod 755 "$T"
	echo '{"unprivileged": {"max_pulls": 2}}' >"$T/policy.json"
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --registry-insecure "$REG_h" \
		--policy "$T/policy.json" --pull-timeout 3
	# two trickling pulls of 4343's; a third is refused, 4242 is not held up
	mctl 4343 pull "$REG_h/t/neverends:test" >/dev/null 2>&1 &
	local p1=$!
	mctl 4343 pull "$REG_h/t/stall:test" >/dev/null 2>&1 &
	local p2=$!
	wait_for 10 pulls_run 2
	local out
	out=$(mctl 4343 pull "$REG_h/t/good:test" 2>&1) && fail "a third pull of 4343's ran"
	assert_contains "$out" "unprivileged.max_pulls=2" "names the quota"
	# the deadline ends both (the stall timeout alone would not end the trickle)
	local rc=0
	wait "$p1" || rc=$?
	[ "$rc" -ne 0 ] || fail "a pull past pull-timeout succeeded"
	wait "$p2" || true
	mctl 4343 pull "$REG_h/t/neverends:test" 2>&1 | tail -1 >"$T/out" || true
	assert_contains "$(cat "$T/out")" "pull-timeout" "the error names pull-timeout"
	# detach: the caller sends the call and goes
	"$REG_PY" - "$SOCK" "$REG_h/t/good:test" <<-'PY'
	import json, socket, sys
	s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
	s.sendall(json.dumps({"method": "io.corral.Supervisor.ImagePull",
	                      "parameters": {"reference": sys.argv[2], "detach": True}}).encode() + b"\0")
	s.close()
	PY
	wait_for 20 has_image t/good
	assert_eq "$(ctl images | grep -c t/good)" 1 "the detached pull, root's, finished without its caller"
	mctl 4242 pull -q "$REG_h/t/good:test" >/dev/null || fail "another member was held up by 4343's quota"
}

# Ingest is bounded per member: what a member keeps there counts against
# unprivileged.max_ingest; a layer refused for its content is dropped (once
# a layer whose bytes matched their digest but were no tar stayed whole);
# what no pull came back for goes after a day, without a gc.
test_spull_ingest_bounded() {
	trap cleanup_pull EXIT
	reg_setup
	reg_start_hostile h
	chmod 755 "$T"
	local in="$T/state/images/ingest/4343"
	mkdir -p "$in"
	head -c 1000 /dev/zero >"$in/$(printf 'a%.0s' $(seq 64))"
	head -c 1000 /dev/zero >"$in/$(printf 'b%.0s' $(seq 64))"
	touch -d '2 days ago' "$in/$(printf 'a%.0s' $(seq 64))"
	echo '{"unprivileged": {"max_ingest": "64K"}}' >"$T/policy.json"
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --registry-insecure "$REG_h" --policy "$T/policy.json"
	wait_for 10 test ! -e "$in/$(printf 'a%.0s' $(seq 64))"
	[ -e "$in/$(printf 'b%.0s' $(seq 64))" ] || fail "the sweep took a file of today"
	local out
	out=$(mctl 4343 pull "$REG_h/t/good:test" 2>&1) && fail "a pull past the member's ingest quota ran"
	assert_contains "$out" "unprivileged.max_ingest" "names the quota"
	assert_eq "$(find "$in" -type f -newer "$T/policy.json" | wc -l)" 0 "nothing fetched past the quota"
	# content refused: dropped, whoever pulled it
	out=$(ctl pull "$REG_h/t/nottar:test" 2>&1) && fail "a layer that is no tar was pulled"
	assert_eq "$(find "$T/state/images/ingest/0" -type f -size +0c | wc -l)" 0 "the refused layer left its bytes"
}

# A person at a terminal (script(1)): a line per layer, redrawn. And
# images.require_signature: the registry's cosign signature is verified by
# the pull and kept, so the image then runs; an unsigned one is refused.
test_spull_on_a_terminal_and_signed() {
	command -v script >/dev/null || skip "no script(1)"
	trap cleanup_pull EXIT
	reg_setup
	reg_start main tls >/dev/null
	reg_push_fixtures "$REG_main"
	mkdir -p "$T/keys"
	cp "$REG_COSIGN_PUB" "$T/keys/cosign.pem"
	printf '{"images": {"require_signature": true, "trusted_keys": "%s"}}\n' "$T/keys" >"$T/policy.json"
	start_sv_reg --policy "$T/policy.json"
	local out
	out=$(script -qec "$CORRALCTL --socket $SOCK pull $REG_main/library/busybox:1" /dev/null)
	assert_contains "$out" "Copying blob" "a line per layer"
	assert_contains "$out" $'\033[K' "redrawn in place"
	assert_contains "$out" "$(ctl images -q --no-trunc | head -1 | sed 's/^sha256://')" "then the image id"
	assert_eq "$(ctl run --rm --pull never "$REG_main/library/busybox:1" echo signed)" signed "a verified pull runs"
	out=$(ctl pull "$REG_main/docker2:1" 2>&1) && fail "an unsigned image pulled"
	assert_contains "$out" "is not signed" "unsigned"
	assert_eq "$(ctl images -q | wc -l)" 1 "nothing more stored"
}

for t in $(declare -F | awk '$3 ~ /^test_spull_/ {print $3}'); do run_test "$t"; done
