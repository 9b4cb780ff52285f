#!/bin/bash
# Every method of io.corral.Supervisor, as listed by corrald's own interface
# description (owner_walk.py), called by a second member of the access
# group against the first member's objects, and against root's: nothing is
# reached, changed or shown, and each object is whole afterwards. And the
# broker: a second member's container reaches nothing of the first's
# session, and the first member's sockets are not the second's to open.
# time: about 70 s: one case calls every method of the interface as a second member against two owners' objects, and checks each object whole after each call
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
WALK="$ROOTDIR/tests/integration/owner_walk.py"
VLCALL="$B/tests/helpers/vlcall"

cleanup_walk() {
	set +e
	for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		ctl session rm -f "$s" >/dev/null 2>&1
	done
	for w in $(ctl --json get workloads 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		ctl delete "$w" >/dev/null 2>&1
	done
	cleanup_sv
}


# OWNER PREFIX ARCHIVE: the objects of one owner (uid, or 0 for root), named
# PREFIX-*; prints the target file's JSON for owner_walk.py
make_objects() {
	local u=$1 p=$2 a=$3 c=(ctl)
	[ "$u" = 0 ] || c=(mctl "$u")
	local img="$p/img:1"
	"${c[@]}" image import "$a" "$img" >/dev/null || fail "$p: import"
	"${c[@]}" session create --share uts "$p-s" >/dev/null || fail "$p: session"
	"${c[@]}" session state set "$p-s" k "\"$p-state-value-7731\"" >/dev/null || fail "$p: state"
	echo "$p-secret-value" | "${c[@]}" secret create "$p-tok" - >/dev/null || fail "$p: secret"
	local id job
	# its volume is in use (its web holds it), so that the owner's own
	# prune in the walk as 65534 keeps it
	"${c[@]}" volume create "$p-vol" >/dev/null || fail "$p: volume"
	id=$("${c[@]}" run -d --name "$p-web" --session "$p-s" --secret "$p-tok" -v "$p-vol:/data" "$img" sleep 1000) ||
		fail "$p: run"
	job=$("${c[@]}" job submit --name "$p-job" "$img" sleep 1000) || fail "$p: job"
	# an exec instance of its container, made and never started
	local ex
	ex=$("${c[@]}" --json call ExecCreate "{\"id\":\"$id\",\"command\":[\"true\"]}" | jq -r .execId) || fail "$p: exec"
	cat >"$T/$p-wl.yaml" <<-EOF
	apiVersion: v1
	kind: Pod
	metadata:
	  name: $p-wl
	spec:
	  containers:
	  - name: c
	    image: $img
	    command: ["sleep", "1000"]
	EOF
	"${c[@]}" apply -f "$T/$p-wl.yaml" >/dev/null || fail "$p: apply"
	local imgid
	imgid=$("${c[@]}" --json image inspect "$img" | jq -r '.[0].id // .id')
	jq -n --arg ctr "$id" --arg n "$p-web" --arg img "$img" --arg imgid "$imgid" --arg sec "$p-tok" \
		--arg s "$p-s" --arg job "$job" --arg wl "$p-wl" --arg tar "$T/walker.tar" \
		--arg sv "$p-state-value-7731" --arg vol "$p-vol" --arg ex "$ex" --argjson root "$([ "$u" = 0 ] && echo true || echo false)" \
		'{ctr: $ctr, ctrname: $n, img: $img, imgid: $imgid, secret: $sec, session: $s, statekey: "k",
		  statevalue: $sv, job: $job, workload: $wl, tar: $tar, volume: $vol, exec: $ex, root: $root}'
}

# OWNER PREFIX TARGET.json: each object is as it was, for its owner
objects_whole() {
	local u=$1 p=$2 c=(ctl)
	[ "$u" = 0 ] || c=(mctl "$u")
	local t=$3
	assert_eq "$("${c[@]}" inspect --format '{{.Id}}' "$p-web")" "$(jq -r .ctr "$t")" "$p-web is its own"
	assert_eq "$("${c[@]}" inspect --format '{{.State.Status}}' "$p-web")" running "$p-web runs"
	assert_eq "$("${c[@]}" --json image inspect "$p/img:1" | jq -r '.[0].id // .id')" "$(jq -r .imgid "$t")" \
		"$p/img:1 still names its image"
	assert_contains "$("${c[@]}" secret ls)" "$p-tok" "$p-tok"
	assert_eq "$("${c[@]}" session state get "$p-s" k)" "\"$p-state-value-7731\"" "$p-s's state"
	assert_contains "$("${c[@]}" job inspect "$(jq -r .job "$t")")" "$p-job" "$p-job"
	"${c[@]}" --json get workloads | jq -e ".[] | select(.name == \"$p-wl\")" >/dev/null || fail "$p-wl went"
	"${c[@]}" volume inspect "$p-vol" >/dev/null || fail "$p-vol went"
	assert_eq "$("${c[@]}" --json call ExecInspect "{\"execId\":\"$(jq -r .exec "$t")\"}" | jq -r .exec.started)" false \
		"$p's exec instance was not started"
}

test_owner_walk_every_method_as_another_member() {
	trap cleanup_walk EXIT
	start_sv_group
	# two images, so that alpha's id is not root's
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	tar -C "$IMGS/broker" -cf "$T/alpha.tar" .
	cp "$IMGS/test.oci.tar" "$T/walker.tar"
	chmod 644 "$T/img.tar" "$T/walker.tar" "$T/alpha.tar"
	make_objects 65534 alpha "oci-archive:$T/alpha.tar" >"$T/alpha.json"
	make_objects 0 root "oci-archive:$T/img.tar" >"$T/root.json"
	[ "$(jq -r .imgid "$T/alpha.json")" != "$(jq -r .imgid "$T/root.json")" ] || fail "one image for both"
	chmod 644 "$T/alpha.json" "$T/root.json"
	local rc=0
	as_uid 4242 /usr/bin/python3 "$WALK" "$SOCK" "$T/alpha.json" >"$T/walk-alpha.out" 2>&1 || rc=$?
	as_uid 4243 /usr/bin/python3 "$WALK" "$SOCK" "$T/root.json" >"$T/walk-root.out" 2>&1 || rc=$?
	# a member against root's, too
	as_uid 65534 /usr/bin/python3 "$WALK" "$SOCK" "$T/root.json" >"$T/walk-root-alpha.out" 2>&1 || rc=$?
	grep -h BREACH "$T"/walk-*.out >&2 || true
	tail -n 1 "$T"/walk-*.out
	[ "$rc" = 0 ] || fail "the walk found breaches"
	grep -q "^walked [1-9][0-9]* methods, 0 breaches" "$T/walk-alpha.out" || fail "the walk did not run"
	objects_whole 65534 alpha "$T/alpha.json"
	objects_whole 0 root "$T/root.json"
}

# A second member's container in its own session: the broker's methods
# reach only its session; the first member's socket on the host is not
# the second member's (or anyone's but corrald's) to open.
test_owner_walk_broker_between_members() {
	trap cleanup_walk EXIT
	start_sv_group
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 65534 image import "oci-archive:$T/img.tar" a:1 >/dev/null
	mctl 4242 image import "oci-archive:$T/img.tar" b:1 >/dev/null
	mctl 65534 session create --share uts sa >/dev/null
	mctl 4242 session create --share uts sb >/dev/null
	mctl 65534 session state set sa secret '"alpha-only"' >/dev/null
	local ida idb
	ida=$(mctl 65534 run -d --session sa --name alpha1 a:1 sleep 1000)
	idb=$(mctl 4242 run -d --session sb --name beta1 b:1 sleep 1000)
	local sa="$STATE_D/sessions/sa@65534/broker/$ida/broker.sock" sb="$STATE_D/sessions/sb@4242/broker/$idb/broker.sock"
	[ -S "$sa" ] && [ -S "$sb" ] || fail "no member sockets"
	# on the host, the sockets are corrald's: no member opens another's
	! as_uid 4242 "$VLCALL" "$sa" '{"method":"io.corral.Broker.Whoami"}' >/dev/null 2>&1 ||
		fail "uid 4242 spoke on alpha1's broker socket"
	# from beta1's socket, every method of io.corral.Broker
	local m out desc
	desc=$("$VLCALL" "$sb" '{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.corral.Broker"}}')
	local n=0
	for m in $(echo "$desc" | jq -r '.parameters.description' | sed -n 's/^method \([A-Za-z]*\)(.*/\1/p'); do
		n=$((n + 1))
		case $m in
		Whoami) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.Whoami"}')
			assert_contains "$out" '"session":"sb"' "Whoami" ;;
		Publish) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.Publish","parameters":{"topic":"t","data":1}}')
			assert_contains "$out" '"delivered":0' "Publish reaches no one of sa" ;;
		Subscribe|Serve|StateWatch)
			out=$("$VLCALL" -w 1 "$sb" "{\"method\":\"io.corral.Broker.$m\",\"parameters\":{\"topics\":[\"*\"]},\"more\":true}" 2>&1 || true)
			assert_not_contains "$out" alpha "$m" ;;
		Request) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.Request","parameters":{"to":"alpha1","topic":"t","data":1,"timeout":0.5}}')
			assert_contains "$out" '"error":"io.corral.Broker.NoSuchMember"' "Request to alpha1" ;;
		Reply) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.Reply","parameters":{"id":"1","data":1}}')
			assert_contains "$out" '"error"' "Reply to nothing" ;;
		StateGet) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.StateGet","parameters":{"key":"secret"}}')
			assert_not_contains "$out" alpha-only "StateGet" ;;
		StateList) out=$("$VLCALL" "$sb" '{"method":"io.corral.Broker.StateList","parameters":{}}')
			assert_not_contains "$out" secret "StateList" ;;
		StateSet) "$VLCALL" "$sb" '{"method":"io.corral.Broker.StateSet","parameters":{"key":"secret","value":"beta"}}' >/dev/null ;;
		StateRemove) "$VLCALL" "$sb" '{"method":"io.corral.Broker.StateRemove","parameters":{"key":"secret"}}' >/dev/null ;;
		*) fail "io.corral.Broker.$m: not covered by this walk (add it)" ;;
		esac
	done
	[ "$n" -ge 11 ] || fail "only $n broker methods listed"
	assert_eq "$(mctl 65534 session state get sa secret)" '"alpha-only"' "sa's state is whole"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
