#!/bin/bash
# Secrets: stored sealed, delivered as a file on a tmpfs of the container's
# own, readable by the container's user only, gone with the container, and
# nowhere else in clear: not in the state dir, the logs, the audit log, the
# events, inspect, nor any process's environment. Each test cleans up its
# daemon, monitors, containers, cgroups and mounts, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

# an image of its own (an overlay rootfs: /run/secrets is made in its upper
# layer, never in a shared directory)
start_with_image() {
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
}

# corrald that lets in the group of gid 65534, with the image t:1; member:
# uid 65534's corralctl, of that group
start_with_members() {
	chmod 755 "$T"
	MGROUP=$(getent group 65534 | cut -d: -f1)
	[ -n "$MGROUP" ] || skip "no group with gid 65534"
	start_sv --group "$MGROUP"
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
}
member() { setpriv --reuid 65534 --regid 65534 --clear-groups "$CORRALCTL" --socket "$SOCK" "$@"; }

# a value no one else has: 32 random hex digits
random_value() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# the tmpfs mounts of this test's containers that the host still sees
host_secret_mounts() { awk -v d="$T/" 'index($5, d) == 1 && $5 ~ /\/secrets$/ {print $5}' /proc/self/mountinfo; }

test_svsec_readable_by_the_containers_user_only() {
	trap cleanup_sv EXIT
	start_with_image
	printf 'the-value\n' >"$T/v"
	ctl secret create db "$T/v" >/dev/null
	# the container's user owns it, mode 0400
	assert_eq "$(ctl run --user 1000:1000 --secret db t:1 sh -c 'stat -c "%a %u %g" /run/secrets/db; cat /run/secrets/db')" \
		"400 1000 1000
the-value" "mode, owner and value as user 1000"
	# root gets it too (its own container, its own user)
	assert_eq "$(ctl run --secret db t:1 cat /run/secrets/db)" "the-value" "as root"
	# a container running as another uid cannot read it
	local out rc=0
	out=$(ctl run --user 1001:1001 --secret db,uid=1000 t:1 sh -c 'stat -c "%a %u" /run/secrets/db; cat /run/secrets/db' 2>&1) || rc=$?
	assert_contains "$out" "400 1000" "owned by 1000"
	assert_contains "$out" "Permission denied" "1001 may not read it"
	[ $rc -ne 0 ] || fail "cat as another uid succeeded: $out"
	# nor may it write it: the tmpfs is bound read-only
	rc=0
	out=$(ctl run --secret db t:1 sh -c 'echo x >/run/secrets/db' 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "the secret was writable: $out"
	# another container, without the secret, has no /run/secrets/db
	rc=0
	ctl run t:1 cat /run/secrets/db >/dev/null 2>&1 || rc=$?
	[ $rc -ne 0 ] || fail "a container without the secret read it"
	# target=PATH elsewhere, a bare target name, and mode=
	assert_eq "$(ctl run --user 1000 --secret db,target=/etc/app/key,mode=0440 --secret db,target=alias t:1 \
		sh -c 'stat -c "%a %u" /etc/app/key; cat /etc/app/key /run/secrets/alias; ls /run/secrets')" \
		"440 1000
the-value
the-value
alias" "target=/etc/app/key and target=alias"
}

test_svsec_tmpfs_is_gone_after_stop() {
	trap cleanup_sv EXIT
	start_with_image
	echo -n s3 | ctl secret create s - >/dev/null
	ctl run -d --name web --secret s t:1 sleep 100 >/dev/null
	local pid
	pid=$(ctl inspect --format '{{.State.Pid}}' web)
	assert_eq "$(ctl exec web cat /run/secrets/s)" "s3" "delivered"
	# the container has its tmpfs; the host has let go of it
	assert_eq "$(awk '$5 == "/run/secrets" {print $9}' /proc/"$pid"/mountinfo)" tmpfs "the container's /run/secrets"
	assert_eq "$(host_secret_mounts)" "" "the host's view of the tmpfs, once it runs"
	[ ! -e "$STATE_D/containers/$(ctl inspect --format '{{.ID}}' web)/secrets" ] || fail "its mount point is left"
	ctl stop -t 1 web >/dev/null
	assert_eq "$(host_secret_mounts)" "" "after stop"
	grep -q " /run/secrets " /proc/*/mountinfo 2>/dev/null && fail "a /run/secrets is still mounted somewhere"
	# a start builds it afresh
	ctl start web >/dev/null
	assert_eq "$(ctl exec web cat /run/secrets/s)" "s3" "after a restart"
	# corrald killed and back: the container keeps its secret, and ends clean
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	assert_eq "$(ctl exec web cat /run/secrets/s)" "s3" "after corrald's kill -9 and restart"
	ctl rm -f web >/dev/null
	assert_eq "$(host_secret_mounts)" "" "after rm"
}

# Not in corrald's memory once its calls are done: not in clear, not as
# the base64 SecretCreate carried (a core as gdb makes it, which leaves out
# MADV_DONTDUMP memory as the kernel does).
no_value_in_core() { # value when
	if ! command -v gcore >/dev/null; then
		echo "no gcore here: corrald's core not checked ($2)" >&2
		return 0
	fi
	gcore -o "$T/core" "$CORRALD_PID" >/dev/null 2>&1 || fail "gcore corrald"
	[ -s "$T/core.$CORRALD_PID" ] || fail "no core written"
	grep -qaF -- "$1" "$T/core.$CORRALD_PID" && fail "the value is in corrald's core, $2"
	grep -qaF -- "$(printf '%s' "$1" | base64 -w0 | tr -d =)" "$T/core.$CORRALD_PID" &&
		fail "the value's base64 is in corrald's core, $2"
	rm -f "$T/core.$CORRALD_PID"
}

test_svsec_a_value_leaks_nowhere() {
	trap cleanup_sv EXIT
	start_with_image
	local v
	v=$(random_value)
	printf '%s' "$v" | ctl secret create leak - >/dev/null
	no_value_in_core "$v" "right after SecretCreate"
	# one prints it (masked), one holds it and sleeps, one is only created
	ctl run -d --name printer --secret leak,mask=true t:1 \
		sh -c 'echo before; cat /run/secrets/leak; echo; echo "key=$(cat /run/secrets/leak) here"; echo after; sleep 100' >/dev/null
	ctl run -d --name holder --secret leak,target=/etc/k t:1 sleep 100 >/dev/null
	ctl create --name idle --secret leak t:1 true >/dev/null
	wait_for 10 sh -c "$CORRALCTL --socket $SOCK logs printer | grep -q after"
	# the value is in the container, as it should be
	assert_eq "$(ctl exec holder cat /etc/k)" "$v" "delivered"
	# the log shows [REDACTED] where the value was
	assert_eq "$(ctl logs printer)" "before
[REDACTED]
[REDACTED]
after" "the masked log"
	# everything the daemon wrote, or says
	local out="$T/said"
	{
		ctl inspect printer holder idle
		ctl --json ps -a
		ctl secret ls
		ctl --json secret ls
		timeout 2 "$CORRALCTL" --socket "$SOCK" events --since 0 --json || true
		ctl logs printer holder 2>&1 || true
	} >"$out" 2>&1
	grep -c '"leak"' "$out" >/dev/null || fail "the secret's name is nowhere (the check itself is broken)"
	grep -rlaF -- "$v" "$STATE_D" "$out" "$T/corrald.log" && fail "the value is in the files above"
	local p pids
	pids="$CORRALD_PID $(pgrep -f "corral-monitor.*$STATE_D" | tr '\n' ' ')"
	for c in printer holder; do pids="$pids $(ctl inspect --format '{{.State.Pid}}' $c)"; done
	[ "$(echo $pids | wc -w)" -ge 5 ] || fail "expected corrald, two monitors and two containers: $pids"
	for p in $pids; do
		grep -qaF -- "$v" /proc/"$p"/environ && fail "the value is in the environment of $p ($(cat /proc/$p/comm))"
	done
	# nor in the containers' environment as they see it
	assert_not_contains "$(ctl exec holder env)" "$v" "holder's env"
	no_value_in_core "$v" "after the containers started"
	# the store holds it sealed: a renamed or changed file does not open
	assert_eq "$(stat -c %a "$STATE_D/secrets/key")" 600 "the host key's mode"
	return 0
}

test_svsec_rm_of_a_secret_in_use_is_refused() {
	trap cleanup_sv EXIT
	start_with_image
	echo x | ctl secret create used - >/dev/null
	ctl run -d --name web --secret used t:1 sleep 100 >/dev/null
	local out rc=0
	out=$(ctl secret rm used 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "removed while web runs"
	assert_contains "$out" "secret used is used by container web (running)" "the refusal"
	# a created container holds it too
	ctl rm -f web >/dev/null
	ctl create --name later --secret used t:1 true >/dev/null
	rc=0
	out=$(ctl secret rm used 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "removed while a created container uses it"
	assert_contains "$out" "container later (created)" "the refusal"
	assert_eq "$(ctl secret rm -f used)" used "rm -f"
	assert_eq "$(ctl secret ls --format '{{.Name}}')" "" "gone"
	# the container that used it now fails to start, saying why
	rc=0
	out=$(ctl start later 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "started without its secret"
	assert_contains "$out" "no such secret: used" "why"
	assert_eq "$(host_secret_mounts)" "" "no tmpfs left by the failed start"
	# an exited one does not hold it
	echo y | ctl secret create once - >/dev/null
	ctl run --name done --secret once t:1 true
	assert_eq "$(ctl secret rm once)" once "rm after the container exited"
}

# A group member is not root: it sees, uses and removes only the secrets
# it made; root's are "no such secret" to it (corrald(8) SECURITY).
test_svsec_a_member_has_only_its_own() {
	trap cleanup_sv EXIT
	start_with_members
	printf 'roots-value\n' | ctl secret create rootdb - >/dev/null
	printf 'members-value\n' | member secret create mine - >/dev/null
	assert_eq "$(member --json secret ls | jq -r 'map(.name) | join(",")')" mine "a member lists its own"
	assert_eq "$(ctl --json secret ls | jq -r 'map(.name) | join(",")')" "mine@65534,rootdb" \
		"root lists all, a member's as NAME@UID"
	local out rc=0
	out=$(member run --rm --secret rootdb t:1 cat /run/secrets/rootdb 2>&1) || rc=$?
	assert_eq "$rc" 125 "a member may not use root's secret"
	assert_contains "$out" "no such secret: rootdb" "it does not exist for the member"
	assert_not_contains "$out" "roots-value" "and its value is not shown"
	rc=0
	member secret rm rootdb >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 125 "a member may not remove root's secret"
	assert_eq "$(ctl --json secret ls | jq -r 'map(.name) | join(",")')" "mine@65534,rootdb" "root's is still there"
	assert_eq "$(member run --rm --secret mine t:1 cat /run/secrets/mine)" members-value "its own it may use"
	# each owner's names are its own: the member's rootdb is its own, root's
	# stays root's, and neither container gets the other's value
	printf 'planted\n' | member secret create rootdb - >/dev/null || fail "the member's own rootdb"
	assert_eq "$(ctl run --rm --secret rootdb t:1 cat /run/secrets/rootdb)" roots-value "root's container, root's rootdb"
	assert_eq "$(member run --rm --secret rootdb t:1 cat /run/secrets/rootdb)" planted "the member's, its own"
	assert_eq "$(ctl run --rm --secret rootdb@65534 t:1 cat /run/secrets/rootdb)" planted "root names the member's NAME@UID"
	ctl secret rm rootdb@65534 >/dev/null || fail "root removes the member's by NAME@UID"
	member secret rm mine >/dev/null
	assert_eq "$(ctl --json secret ls | jq -r 'map(.name) | join(",")')" rootdb "and remove"
}

# A container binds to the secret it named at Create, not to the name: a
# member's secret removed, then made again under its name by itself, is
# refused at the container's next start; made under that name by another
# member or by root, it is another owner's secret, which the container's
# name never reaches. Nothing is delivered or left mounted; and the first
# container does not keep the new secret "in use" (nor name itself to its
# owner).
test_svsec_a_secret_made_again_under_its_name_is_not_delivered() {
	trap cleanup_sv EXIT
	start_with_members
	local a=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local b=(setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	printf 'a-value\n' | "${a[@]}" secret create tok - >/dev/null
	assert_eq "$("${a[@]}" run --name ra --secret tok t:1 cat /run/secrets/tok)" a-value "the first run"
	"${a[@]}" secret rm tok >/dev/null || fail "a secret of an exited container could not be removed"
	local who out rc
	for who in b root a; do
		case $who in
		a) printf 'a-remade-value\n' | "${a[@]}" secret create tok - >/dev/null ;;
		b) printf 'b-value\n' | "${b[@]}" secret create tok - >/dev/null ;;
		root) printf 'root-value\n' | ctl secret create tok - >/dev/null ;;
		esac
		rc=0
		out=$("${a[@]}" start ra 2>&1) || rc=$?
		[ $rc -ne 0 ] || fail "ra started with $who's secret tok"
		if [ "$who" = a ]; then
			assert_contains "$out" "secret tok was removed and made again since the container was created" "why ($who)"
		else
			assert_contains "$out" "no such secret: tok" "why ($who): another owner's tok is not a's"
		fi
		assert_eq "$(ctl inspect ra@65534 | jq -r ".[0].state.status")" exited "ra did not start ($who)"
		assert_not_contains "$(ctl logs ra@65534 2>&1)" "$who-$([ "$who" = a ] && echo remade-)value" "$who's value never reached ra"
		assert_eq "$(host_secret_mounts)" "" "no tmpfs left by the refused start ($who)"
		case $who in
		a) ctl secret rm tok@65534 >/dev/null ;;
		b) ctl secret rm tok@4242 >/dev/null ;;
		root) ctl secret rm tok >/dev/null ;;
		esac
	done
	# a created container of a's holds its own tok, not the one made after it
	echo x | "${a[@]}" secret create tok - >/dev/null
	"${a[@]}" create --name held --secret tok t:1 true >/dev/null
	"${a[@]}" secret rm -f tok >/dev/null
	printf 'b-value\n' | "${b[@]}" secret create tok - >/dev/null
	rc=0
	out=$("${b[@]}" secret rm tok 2>&1) || rc=$?
	[ $rc -eq 0 ] || fail "b's new tok was held by a's container: $out"
	assert_not_contains "$out" "held" "a's container is not named to b"
	printf 'b-value\n' | "${b[@]}" secret create tok - >/dev/null
	rc=0
	out=$("${a[@]}" start held 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "held started with b's tok"
	assert_contains "$out" "no such secret: tok" "why (held, b's tok)"
	printf 'a-again\n' | "${a[@]}" secret create tok - >/dev/null
	rc=0
	out=$("${a[@]}" start held 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "held started with a's tok made again"
	assert_contains "$out" "made again" "why (held, a's tok made again)"
}

# A store written when secret names were one for all owners keeps a
# member's as NAME.secret (its owner sealed in its header): corrald moves
# it to the member's own name at start. The member's container still gets
# it, root is shown it as NAME@UID, and root's own NAME is free.
test_svsec_a_store_before_owners_names_is_moved_to_them() {
	trap cleanup_sv EXIT
	start_with_members
	printf 'members-value\n' | member secret create old - >/dev/null
	stop_sv
	mv "$STATE_D/secrets/old@65534.secret" "$STATE_D/secrets/old.secret" # as such a store had it
	start_sv --group "$MGROUP"
	[ -e "$STATE_D/secrets/old@65534.secret" ] && [ ! -e "$STATE_D/secrets/old.secret" ] ||
		fail "not moved: $(ls "$STATE_D/secrets")"
	assert_eq "$(member run --rm --secret old t:1 cat /run/secrets/old)" members-value "the member's, still"
	assert_eq "$(ctl --json secret ls | jq -r 'map(.name) | join(",")')" "old@65534" "root is shown it as NAME@UID"
	printf 'roots-value\n' | ctl secret create old - >/dev/null || fail "root's own old"
	assert_eq "$(ctl run --rm --secret old t:1 cat /run/secrets/old)" roots-value "root's old is root's"
}

test_svsec_bad_input_is_refused() {
	trap cleanup_sv EXIT
	start_with_image
	local out rc
	head -c $((1024 * 1024 + 1)) /dev/zero >"$T/big"
	rc=0
	out=$(ctl secret create big "$T/big" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a secret of 1 MiB + 1 was stored"
	assert_contains "$out" "over the limit of 1 MiB" "corralctl's refusal"
	# the daemon's own bound, for clients that skip corralctl's
	out=$(python3 -c '
import base64, json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
data = base64.b64encode(open(sys.argv[2], "rb").read()).decode()
s.sendall(json.dumps({"method": "io.corral.Supervisor.SecretCreate", "parameters": {"name": "big", "data": data}}).encode() + b"\0")
print(s.recv(65536).decode().rstrip("\0"))' "$SOCK" "$T/big")
	assert_contains "$out" "InvalidParameter" "corrald's refusal"
	assert_contains "$out" "over the limit of 1 MiB" "corrald's reason"
	head -c $((1024 * 1024)) /dev/zero >"$T/max"
	ctl secret create max "$T/max" >/dev/null
	assert_eq "$(ctl secret ls --format '{{.Name}} {{.Bytes}}')" "max 1048576" "exactly 1 MiB is taken"
	rc=0
	out=$(ctl call SecretCreate '{"name":"b","data":"not base64!"}' 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "bad base64 taken"
	assert_contains "$out" "base64" "bad base64"
	rc=0
	out=$(echo v | ctl secret create ../etc - 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a name with / taken"
	assert_contains "$out" "name" "a bad name"
	rc=0
	out=$(echo v | ctl secret create max - 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a second secret max"
	assert_contains "$out" "secret max exists" "a taken name"
	rc=0
	out=$(ctl create --secret nope t:1 true 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "created with an unknown secret"
	assert_eq "$out" "corralctl: CreateContainer: no such secret: nope" "an unknown secret"
	rc=0
	out=$(ctl create --secret max,mode=999 t:1 true 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "mode=999 taken"
	assert_contains "$out" "mode" "a bad mode"
	rc=0
	out=$(ctl create --secret max,target=/run/secrets/a/b t:1 true 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "a nested target under /run/secrets taken"
	rc=0
	out=$(ctl secret rm nope 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "removed an unknown secret"
	assert_eq "$out" "corralctl: SecretRemove: no such secret: nope" "rm of an unknown secret"
	assert_eq "$(ctl ps -a -q)" "" "nothing was created"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svsec_"); do
	run_test "$t"
done
