#!/bin/bash
# corrald --policy (corrald.conf(5) POLICY): ceilings, defaults, bind
# prefixes, privileges, the image allow-list and signatures, and what a
# member of the access group (not root) may do. Each test cleans up its
# daemon, containers, monitors, mounts and cgroups, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
IMGS="$FIXTURES/images"

# The group corrald lets in for the member tests, and a member of it (by a
# supplementary group, as an operator's user would be).
member_group() {
	MGROUP=$(getent group 65534 | cut -d: -f1)
	[ -n "$MGROUP" ] || skip "no group with gid 65534"
	chmod 755 "$T"
}
member() { setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }

# The one line a refusal prints, and its exit code.
refused() { # what COMMAND...
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || { fail "$what: accepted"; return 1; }
	echo "$out"
}

ctr_dir_of() { echo "$STATE_D/containers/$(ctl --json inspect "$1" | jq -r '.[0].id')"; }

test_svp_bad_policy_is_refused_at_startup_naming_the_field() {
	local rc out
	check() { # json expected-text
		echo "$1" >"$T/p.json"
		rc=0
		out=$("$CORRALD" --policy "$T/p.json" --socket "$S/c.sock" --state-dir "$T/state" 2>&1) || rc=$?
		assert_eq "$rc" 2 "exit code for $1"
		assert_contains "$out" "corrald: $T/p.json: $2" "the message for $1"
		[ ! -e "$S/c.sock" ] || fail "corrald listened without its policy"
	}
	check '{"memory": {"max": "1Q"}}' 'memory.max: unknown unit "1Q"'
	check '{"memory": {"default": "2G", "max": "1G"}}' 'memory.default: is above the max'
	check '{"pids": {"max": "many"}}' 'pids.max: must be an integer'
	check '{"max_containers": 2, "colour": "red"}' 'colour: unknown key'
	check '{"bind_mounts": {"allowed": "/srv"}}' 'bind_mounts.allowed: must be an array'
	check '{"bind_mounts": {"allowed": ["srv"]}}' 'bind_mounts.allowed[0]: must be an absolute path'
	check '{"privileges": {"allowed_capabilities": ["NET_RAW", "WIZARDRY"]}}' \
		'privileges.allowed_capabilities[1]: unknown capability "WIZARDRY"'
	check '{"images": {"require_signature": "yes"}}' 'images.require_signature: must be a boolean'
	check '{"images": {"allow": ["sha256:abc"]}}' 'images.allow[0]: must be a name pattern or sha256:'
	check '{"unprivileged": {"privileges": {"allow_directory_images": true}}}' \
		'unprivileged.privileges: must grant nothing: a group member has no privileges'
	check '{"unprivileged": {"cpu": {"max": 0}}}' 'unprivileged.cpu.max: must be a number of CPUs'
	check '[]' '(top): must be an object'
	rc=0
	out=$("$CORRALD" --policy "$T/none.json" --socket "$S/c.sock" --state-dir "$T/state" 2>&1) || rc=$?
	assert_eq "$rc" 2 "a missing policy file"
	assert_contains "$out" "$T/none.json" "names the file"
}

test_svp_ceilings_refused_naming_the_field_and_inside_accepted() {
	trap cleanup_sv EXIT
	cat >"$T/p.json" <<-EOF
	{"max_containers": 2, "memory": {"default": "64M", "max": "1G"}, "pids": {"default": 100, "max": 500},
	 "cpu": {"default": 0.5, "max": 2}, "privileges": {"allowed_capabilities": ["NET_ADMIN"]}}
	EOF
	start_sv --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	local out
	out=$(refused memory ctl create --name c1 -m 2g app:1 true)
	assert_contains "$out" "refused by policy: spec.resources.memory" "memory: the field"
	assert_contains "$out" "memory.max=1073741824" "memory: the limit"
	out=$(refused pids ctl create --name c1 --pids-limit 501 app:1 true)
	assert_contains "$out" "spec.resources.pids" "pids: the field"
	assert_contains "$out" "pids.max=500" "pids: the limit"
	out=$(refused cpus ctl create --name c1 --cpus 3 app:1 true)
	assert_contains "$out" "spec.resources.cpus" "cpus: the field"
	assert_contains "$out" "cpu.max=2" "cpus: the limit"
	out=$(refused caps ctl create --name c1 --cap-add SYS_ADMIN app:1 true)
	assert_contains "$out" "spec.capAdd: CAP_SYS_ADMIN is beyond the default set" "caps: the field"
	assert_contains "$out" "privileges.allowed_capabilities=[NET_ADMIN]" "caps: the limit"
	out=$(refused privileged ctl create --name c1 --privileged app:1 true)
	assert_contains "$out" "spec.privileged" "privileged: the field"
	out=$(refused "directory image" ctl create --name c1 "$IMG" true)
	assert_contains "$out" "privileges.allow_directory_images=false" "a privileges section without it"
	out=$(ctl call CreateContainer "{\"spec\":{\"image\":\"app:1\",\"resources\":{\"memory\":2147483648}}}" 2>&1) &&
		fail "the raw call was accepted"
	assert_contains "$out" "io.corral.Supervisor.PolicyViolation" "the varlink error"
	assert_contains "$out" '"limit":"memory.max=1073741824"' "its limit parameter"
	[ -z "$(ls "$STATE_D/containers")" ] || fail "a refused request left a directory: $(ls "$STATE_D/containers")"

	# inside the limits, and the defaults fill what was not asked
	ctl create --name c1 -m 1g --pids-limit 500 --cpus 2 --cap-add NET_ADMIN app:1 true >/dev/null
	ctl create --name c2 app:1 true >/dev/null
	assert_eq "$(jq -c '.linux.resources | [.memory.limit, .pids.limit, .cpu.quota]' "$(ctr_dir_of c1)/config.json")" \
		"[1073741824,500,200000]" "c1 as asked"
	assert_eq "$(jq -c '.linux.resources | [.memory.limit, .pids.limit, .cpu.quota]' "$(ctr_dir_of c2)/config.json")" \
		"[67108864,100,50000]" "c2 took the defaults"
	# max_containers counts live ones: a third is refused until one goes
	out=$(refused count ctl create --name c3 app:1 true)
	assert_contains "$out" "max_containers=2" "count: the limit"
	ctl rm c2 >/dev/null
	ctl create --name c3 app:1 true >/dev/null || fail "a container after one was removed"
	# audited, with the peer, the field and the limit
	local a
	a=$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | grep 'spec.resources.memory' | head -1)
	assert_contains "$a" '"uid":0' "audit: the peer"
	assert_contains "$a" "limit=memory.max=1073741824" "audit: the limit"
	assert_eq "$(grep -c '"result":"PolicyViolation"' "$STATE_D/audit.log")" 8 "every refusal audited"
	# policy show: the file's values and the defaults of the rest
	out=$(ctl --json policy show)
	assert_eq "$(jq -c '[.max_containers, .memory.max, .pids.default, .cpu.max, .bind_mounts.allowed]' <<<"$out")" \
		"[2,1073741824,100,2,null]" "policy show"
	assert_eq "$(jq -c '[.unprivileged.max_containers, .unprivileged.bind_mounts.allowed, .unprivileged.memory.max]' \
		<<<"$out")" "[10,[],1073741824]" "policy show: the unprivileged defaults"
}

# Sources resolve (symlinks, "..") once, and the mount is of what was
# checked: a symlink swapped in afterwards redirects nothing.
test_svp_bind_sources_resolved_once_and_pinned() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/data" "$T/outside"
	echo inside >"$T/allowed/data/marker"
	echo secret >"$T/outside/secret"
	ln -s / "$T/allowed/root"
	ln -s "$T/outside" "$T/allowed/out"
	echo "{\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}" >"$T/p.json"
	start_sv --policy "$T/p.json"
	local out src
	for src in /etc "$T/allowed/root" "$T/allowed/out" "$T/allowed/../outside" "$T/allowed/data/../../outside"; do
		out=$(refused "$src" ctl create -v "$src:/h" "$IMG" true)
		assert_contains "$out" "spec.mounts[0].source" "$src: the field"
		assert_contains "$out" "bind_mounts.allowed=[$T/allowed]" "$src: the limit"
	done
	assert_contains "$(refused symlink ctl create -v "$T/allowed/root:/h" "$IMG" true)" "resolves to /," \
		"the symlink to / resolved"
	assert_eq "$(ctl run --rm -v "$T/allowed/data:/h:ro" "$IMG" cat /h/marker)" inside "inside: accepted"
	assert_eq "$(ctl run --rm -v "$T/allowed/out/../allowed/data:/h" "$IMG" cat /h/marker)" inside \
		"a path through .. that ends inside"

	# checked at create, swapped before start: the container sees what was checked
	mkdir "$T/allowed/swap"
	echo inside >"$T/allowed/swap/marker"
	ctl create --name late -v "$T/allowed/swap:/h" "$IMG" sh -c 'cat /h/marker; ls /h' >/dev/null
	mv "$T/allowed/swap" "$T/allowed/swap.old"
	ln -s "$T/outside" "$T/allowed/swap"
	ctl start late >/dev/null
	ctl wait late >/dev/null
	out=$(ctl logs late)
	assert_contains "$out" inside "the checked directory was mounted"
	assert_not_contains "$out" secret "the swapped-in symlink was not followed"
	ctl rm late >/dev/null

	# a swap racing the check: whatever was accepted is the checked directory
	rm "$T/allowed/swap"
	mkdir "$T/allowed/swap"
	echo inside >"$T/allowed/swap/marker"
	(
		for _ in $(seq 3000); do
			mv -T "$T/allowed/swap" "$T/allowed/swap.d" 2>/dev/null
			ln -sfn "$T/outside" "$T/allowed/swap"
			rm -f "$T/allowed/swap"
			mv -T "$T/allowed/swap.d" "$T/allowed/swap" 2>/dev/null
			sleep 0.01 # a directory half of the time or so
		done
	) &
	local racer=$! i ok=0 no=0 d
	for i in $(seq 30); do
		if ctl create --name r$i -v "$T/allowed/swap:/h" "$IMG" true >/dev/null 2>&1; then
			d=$(ctr_dir_of r$i)
			[ -e "$d/binds/0/marker" ] && [ ! -e "$d/binds/0/secret" ] ||
				fail "r$i: its bind is not the checked directory: $(ls "$d/binds/0")"
			ok=$((ok + 1))
		else
			no=$((no + 1))
		fi
	done
	kill "$racer" 2>/dev/null
	wait "$racer" 2>/dev/null || true
	echo "racing creates: $ok accepted, $no refused"
	[ "$ok" -gt 0 ] || fail "no create got through the race"
	for i in $(seq 30); do ctl rm -f r$i >/dev/null 2>&1 || true; done
	# the trash's remover unmounts them, a moment after each Remove
	pinned() { awk -v d="$STATE_D/" 'index($5, d) == 1 && $5 ~ /binds/' /proc/self/mountinfo | grep -q .; }
	wait_for 10 eval '! pinned' || fail "pinned mounts left after the containers went"
}

# A member of the group is not root: the built-in unprivileged section.
test_svp_group_member_is_bounded() {
	trap cleanup_sv EXIT
	member_group
	start_sv --group "$MGROUP"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	local out
	out=$(refused "bind of /" member create -v /:/host app:1 true)
	assert_contains "$out" "spec.mounts[0].source: / resolves to /" "bind of /: the field"
	assert_contains "$out" "unprivileged.bind_mounts.allowed=[]" "bind of /: the limit"
	out=$(refused "directory image" member create "$IMG" true)
	assert_contains "$out" "spec.image: a directory image" "directory image: the field"
	assert_contains "$out" "unprivileged.privileges.allow_directory_images=false" "directory image: the limit"
	out=$(refused "image over /" member create / true)
	assert_contains "$out" "spec.image" "image: \"/\""
	out=$(refused "cap-add" member create --cap-add SYS_ADMIN app:1 true)
	assert_contains "$out" "spec.capAdd" "cap-add"
	out=$(refused "/etc/shadow" member image import "docker-archive:/etc/shadow")
	assert_contains "$out" "path: /etc/shadow: Permission denied (opened as uid 65534)" "/etc/shadow"
	# a file root may read and the member may not
	cp "$IMGS/test.oci.tar" "$T/private.tar"
	chmod 600 "$T/private.tar"
	out=$(refused "a file only root reads" member image import "oci-archive:$T/private.tar" stolen:1)
	assert_contains "$out" "Permission denied" "the private archive"
	assert_contains "$(ctl images)" "app" "the store"
	assert_not_contains "$(ctl images)" "stolen" "nothing imported from it"
	out=$(refused "a layout directory" member image import "oci:$IMGS/oci:test")
	assert_contains "$out" "archive files" "directories are root's"
	local a
	a=$(grep '"uid":65534' "$STATE_D/audit.log" | grep '"result":"PolicyViolation"' | grep shadow)
	assert_contains "$a" "field=path" "the import refusal audited"
	# what it may do: import what it can read, run an allowed image
	chmod 644 "$T/private.tar"
	member image import "oci-archive:$T/private.tar" mine:1 >/dev/null || fail "a readable archive"
	assert_eq "$(member run --rm mine:1 echo hello)" hello "a member runs an allowed image"
	# and root keeps what it had
	assert_eq "$(ctl run --rm -v /etc:/h:ro "$IMG" head -1 /h/passwd)" "$(head -1 /etc/passwd)" "root binds /etc"
}

# Attack: a member takes the names that root's and another member's
# containers hold, and those root's tools will give theirs next (compose's
# proj_web_1, the kubelet's k8s_...). Each owner's names are its own: the
# member gets its own container of that name, root's and the other
# member's keep theirs, and root still makes the one it asks for. Root's
# bare name is root's container; root names the member's NAME@UID; a member
# reaches no other owner's, by either form. No error names another user's
# container.
test_svp_names_are_each_owners_own() {
	trap cleanup_sv EXIT
	member_group
	start_sv --group "$MGROUP"
	member2() { setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	local out rootid theirid n mine
	rootid=$(ctl run -d --name web -e WHO=root app:1 sleep 1000)
	theirid=$(member2 create --name theirs app:1 true) || fail "the other member's create"
	member run -d --name web -e WHO=member app:1 sleep 1000 >/dev/null || fail "the member's web, beside root's"
	member create --name theirs app:1 true >/dev/null || fail "the member's theirs, beside the other member's"
	for n in proj_web_1 k8s_app_web_default_0d6f1a2b_0; do
		member create --name "$n" app:1 true >/dev/null || fail "the member's $n"
		ctl create --name "$n" app:1 true >/dev/null || fail "root's $n, after the member's"
	done
	assert_eq "$(ctl inspect --format '{{.Id}}' web)" "$rootid" "root's web is root's"
	assert_eq "$(ctl exec web sh -c 'echo $WHO')" root "root's exec reaches root's web"
	assert_eq "$(member exec web sh -c 'echo $WHO')" member "the member's reaches its own"
	mine=$(member inspect --format '{{.Id}}' web)
	assert_eq "$(ctl inspect --format '{{.Id}}' web@65534)" "$mine" "root names the member's web@65534"
	out=$(ctl ps -a --format '{{.Names}}' | sort | tr '\n' ' ')
	assert_eq "$out" "k8s_app_web_default_0d6f1a2b_0 k8s_app_web_default_0d6f1a2b_0@65534 proj_web_1 proj_web_1@65534 theirs@4242 theirs@65534 web web@65534 " \
		"root's list"
	assert_eq "$(member ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" \
		"k8s_app_web_default_0d6f1a2b_0 proj_web_1 theirs web " "the member's list: its own, bare"
	for n in web@0 theirs@4242; do
		out=$(refused "the member names $n" member inspect "$n")
		assert_contains "$out" "no such container" "$n"
	done
	out=$(refused "the member's second web" member create --name web app:1 true)
	assert_contains "$out" "name web is in use by ${mine:0:12}" "its own name, in use: its own id"
	member create --name other app:1 true >/dev/null || fail "the member's other"
	out=$(refused "the member's rename to its own web" member rename other web)
	assert_contains "$out" "name web is in use by ${mine:0:12}" "rename: its own web's id"
	member rename other web2 || fail "a rename to a free name of its own"
	out=$(ctl events --since 5m --until 0s --filter container=web@65534)
	assert_contains "$out" "${mine:0:12} web@65534" "root's events of the member's web"
	assert_not_contains "$out" "${rootid:0:12}" "root's events of the member's web: root's"
	out=$(ctl events --since 5m --until 0s --filter container=web)
	assert_contains "$out" "${rootid:0:12} web" "root's events of its own web"
	assert_not_contains "$out" "${mine:0:12}" "root's events of its own web: the member's"
	ctl rm -f web@65534 >/dev/null || fail "root removes the member's web by its name"
	assert_eq "$(ctl inspect --format '{{.State.Status}}' web)" running "root's web runs on"
	assert_eq "$(ctl inspect --format '{{.Id}}' theirs@4242)" "$theirid" "the other member's theirs"
	# root's container uses the member's secret (root names it NAME@UID); the member removes it
	echo x | member secret create s1 - >/dev/null || fail "the member's secret"
	out=$(refused "root's bare s1, which is root's" ctl create --name nosecret --secret s1 app:1 true)
	assert_contains "$out" "no such secret: s1" "root's s1 is root's own"
	ctl create --name sidecar --secret s1@65534 app:1 true >/dev/null || fail "root's container with the member's secret"
	out=$(refused "a member removes its secret root's container uses" member secret rm s1)
	assert_contains "$out" "secret s1 is used by another user's container" "secret rm"
	assert_not_contains "$out" sidecar "secret rm: root's container's name"
}

# Attack: a member binds paths it could not open itself: a link inside the
# allowed prefix to a directory only root reads, and links and names in a
# directory only root reads. corrald resolves and opens them as the member:
# each is refused with one answer, the same whether the path exists or not,
# that names no path of the host it resolved to. What the member can read
# under the prefix it binds; root keeps binding what it could before.
test_svp_member_bind_sources_are_opened_as_the_member() {
	trap cleanup_sv EXIT
	member_group
	mkdir -p "$T/allowed/pub" "$T/allowed/secret" "$T/private" "$T/outside"
	echo public >"$T/allowed/pub/marker"
	echo hidden >"$T/allowed/secret/marker"
	chmod 700 "$T/allowed/secret" "$T/private"
	chmod 755 "$T/allowed" "$T/allowed/pub" "$T/outside"
	ln -s "$T/allowed/secret" "$T/allowed/link"
	ln -s "$T/outside" "$T/private/link"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}}" >"$T/p.json"
	start_sv --group "$MGROUP" --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	local out there gone
	out=$(refused "a link under the prefix to what root alone reads" member create -v "$T/allowed/link:/h" app:1 true)
	assert_contains "$out" "cannot open $T/allowed/link as uid 65534" "the link: the answer"
	assert_not_contains "$out" "$T/allowed/secret" "the link: where it leads"
	out=$(refused "what root alone reads" member create -v "$T/allowed/secret:/h" app:1 true)
	assert_contains "$out" "cannot open $T/allowed/secret as uid 65534" "the directory itself"
	there=$(refused "a link in a directory root alone reads" member create -v "$T/private/link:/h" app:1 true)
	assert_not_contains "$there" "$T/outside" "the private link: where it leads"
	gone=$(refused "a missing name there" member create -v "$T/private/nothere:/h" app:1 true)
	assert_eq "${there//$T\/private\/link/P}" "${gone//$T\/private\/nothere/P}" "one answer, there or not"
	assert_contains "$gone" "cannot open $T/private/nothere as uid 65534" "the missing name: the answer"
	out=$(refused "a missing name under the prefix" member create -v "$T/allowed/nothere:/h" app:1 true)
	assert_contains "$out" "cannot open $T/allowed/nothere as uid 65534" "a missing name under the prefix"
	# what it can read under the prefix it binds; outside it, it is refused by the prefix
	assert_eq "$(member run --rm -v "$T/allowed/pub:/h:ro" app:1 cat /h/marker)" public "a readable bind"
	out=$(refused "a readable path outside the prefix" member create -v "$T/outside:/h" app:1 true)
	assert_contains "$out" "outside the allowed prefixes" "outside the prefix"
	# root as before
	assert_eq "$(ctl run --rm -v "$T/allowed/link:/h:ro" "$IMG" cat /h/marker)" hidden "root binds the link"
}

# Labels under io.corral. are corrald's own: jobs and workloads find their
# containers and sessions again by them. A member may not forge one, on a
# container or a session (one invalid-parameter line naming the field); its
# own jobs still label their containers; root keeps what it had.
test_svp_a_member_may_not_set_corralds_own_labels() {
	trap cleanup_sv EXIT
	member_group
	start_sv --group "$MGROUP"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	local out id
	out=$(refused "a job's label" member create --name forged -l io.corral.job=0123456789ab app:1 true)
	assert_contains "$out" "spec.labels.io.corral.job: io.corral. labels are corrald's own" "the field and why"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	ctl inspect forged@65534 >/dev/null 2>&1 && fail "the forged container was made"
	out=$(refused "a workload's label on a session" member session create s1 --share uts -l io.corral.workload=web)
	assert_contains "$out" "labels.io.corral.workload" "the session's field"
	ctl session inspect s1 >/dev/null 2>&1 && fail "the forged session was made"
	# labels of its own are its own; its jobs' containers carry their label
	member create --name own -l app=web -l io.corralx=1 app:1 true >/dev/null || fail "a member's own labels"
	id=$(member job submit app:1 true)
	assert_eq "$(member job wait "$id")" 0 "a member's job labels its container"
	# root may
	ctl create --name rootc -l io.corral.job=0123456789ab app:1 true >/dev/null || fail "root's label"
	ctl session create s2 --share uts -l io.corral.workload=web >/dev/null || fail "root's session label"
	ctl session rm s2 >/dev/null
}

# The built-in policy gives a member's containers memory and pids limits
# (1 GiB, 1024), which it may lower and not raise. This host's controllers
# are on cgroup v1: what is checked is the generated config.json.
test_svp_member_gets_default_limits() {
	trap cleanup_sv EXIT
	member_group
	start_sv --group "$MGROUP"
	cp "$IMGS/test.oci.tar" "$T/mine.tar"
	chmod 644 "$T/mine.tar"
	member image import "oci-archive:$T/mine.tar" mine:1 >/dev/null || fail "import"
	local out lim='.linux.resources | [.memory.limit, .pids.limit]'
	member create --name d mine:1 true >/dev/null || fail "create with no limits asked"
	assert_eq "$(jq -c "$lim" "$(ctr_dir_of d@65534)/config.json")" "[1073741824,1024]" "the defaults"
	assert_eq "$(jq -r '.annotations["io.corral.limits.optional"]' "$(ctr_dir_of d@65534)/config.json")" "memory pids" \
		"marked as defaults, dropped where the host lacks the controllers"
	# which is so here: the member's container runs
	assert_eq "$(member run --rm mine:1 echo hello)" hello "a member's container with the defaults runs"
	# where the host has the controllers (the VM tier), they hold: a fork
	# bomb stays inside 1024; here, without them, the files are absent
	local lims cgr=/sys/fs/cgroup/unified
	[ -d "$cgr" ] || cgr=/sys/fs/cgroup
	lims=$(member run --rm mine:1 sh -c 'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max 2>/dev/null; true')
	if grep -qw pids "$cgr/cgroup.controllers" 2>/dev/null; then
		assert_eq "$lims" "1024
1073741824" "pids.max and memory.max in the member's cgroup"
	else
		assert_eq "$lims" "" "no controllers here: no limit files"
	fi
	# a label cannot mark what was asked for: io.corral. labels are corrald's own
	out=$(refused "a member's limits.optional label" member create --name lab -m 64m --pids-limit 50 \
		-l io.corral.limits.optional=memory mine:1 true)
	assert_contains "$out" "spec.labels.io.corral.limits.optional: io.corral. labels are corrald's own" "the label"
	member create --name low -m 64m --pids-limit 50 mine:1 true >/dev/null || fail "create with lower limits"
	assert_eq "$(jq -c "$lim" "$(ctr_dir_of low@65534)/config.json")" "[67108864,50]" "less, as asked"
	out=$(refused "2g" member create --name big -m 2g mine:1 true)
	assert_contains "$out" "spec.resources.memory" "memory: the field"
	assert_contains "$out" "unprivileged.memory.max=1073741824" "memory: the limit"
	out=$(refused "pids 4096" member create --name big --pids-limit 4096 mine:1 true)
	assert_contains "$out" "unprivileged.pids.max=1024" "pids: the limit"
	# a reservation with no limit asked is held to the default limit
	out=$(refused "a reservation of 2g" member create --name big --memory-reservation 2g mine:1 true)
	assert_contains "$out" "spec.resources.memoryReservation" "reservation: the field"
	assert_contains "$out" "unprivileged.memory.max=1073741824" "reservation: the limit"
	member create --name res --memory-reservation 64m mine:1 true >/dev/null || fail "a reservation within the default"
	assert_eq "$(jq -c '.linux.resources.memory | [.limit, .reservation]' "$(ctr_dir_of res@65534)/config.json")" \
		"[1073741824,67108864]" "the default limit, the reservation asked"
	# root keeps no limit
	ctl create --name r mine:1 true >/dev/null 2>&1 || ctl create --name r "$IMG" true >/dev/null
	assert_eq "$(jq -c "$lim" "$(ctr_dir_of r)/config.json")" "[null,null]" "root's are unlimited"
}

# Three distinct images of the fixtures: test (signed with a trusted key),
# user (signed with another key) and entry (unsigned).
test_svp_images_allow_list_and_signatures() {
	trap cleanup_sv EXIT
	mkdir -p "$T/keys"
	openssl genpkey -algorithm ed25519 -out "$T/good.key" 2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
	openssl pkey -in "$T/good.key" -pubout -out "$T/keys/good.pem"
	start_sv
	ctl image import "oci:$IMGS/oci:test" tools/a:1 >/dev/null
	ctl image import "oci:$IMGS/oci:user" tools/b:1 >/dev/null
	ctl image import "oci:$IMGS/oci:entry" tools/c:1 >/dev/null
	ctl image import "oci:$IMGS/oci:test" other/a:1 >/dev/null
	ctl image import "oci:$IMGS/oci:user" junk/b:1 >/dev/null
	local dig_a out
	dig_a=$(ctl --json image inspect tools/a:1 | jq -r '.[0].manifestDigest')
	assert_eq "$(ctl image sign "$T/good.key" tools/a:1)" "signed tools/a:1 ($dig_a)" "image sign"
	ctl image sign "$T/other.key" tools/b:1 >/dev/null
	# a signature that does not parse, and a key that is no Ed25519 key
	out=$(ctl call ImageSign '{"image":"tools/a:1","signature":"{\"payload\":\"@@\",\"signature\":\"x\"}"}' 2>&1) &&
		fail "a garbage signature was stored"
	assert_contains "$out" "signature does not parse" "garbage"
	out=$(refused "not a key" ctl image sign "$T/keys/good.pem" tools/a:1)
	assert_contains "$out" "not a PEM Ed25519 private key" "a public key given to sign"
	assert_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line for a bad key: $out"
	cat >"$T/p.json" <<-EOF
	{"images": {"allow": ["tools/*", "$dig_a"], "require_signature": true, "trusted_keys": "$T/keys"}}
	EOF
	kill "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv --policy "$T/p.json"
	assert_eq "$(ctl run --rm tools/a:1 echo signed)" signed "a signed image on the list"
	assert_contains "$(ctl image verify tools/a:1)" "($dig_a): verified by good.pem" "image verify"
	out=$(refused "wrongly signed" ctl create tools/b:1 true)
	assert_contains "$out" "spec.image: tools/b:1: no key in $T/keys verifies its signature" "wrongly signed"
	assert_contains "$out" "images.require_signature=true" "the limit"
	out=$(refused "verify" ctl image verify tools/b:1)
	assert_contains "$out" "no key in $T/keys verifies" "verify: wrongly signed"
	out=$(refused "unsigned" ctl create tools/c:1 true)
	assert_contains "$out" "is not signed" "unsigned"
	ctl create --name bydigest other/a:1 true >/dev/null || fail "a name off the list, its digest on it"
	out=$(refused "off the list" ctl create junk/b:1 true)
	assert_contains "$out" "spec.image: junk/b:1" "off the list: the field"
	assert_contains "$out" "images.allow=[tools/*,$dig_a]" "off the list: the limit"
	# a stored signature that does not parse is said so
	echo "not json" >"$STATE_D/images/signatures/${dig_a#sha256:}.sig"
	assert_contains "$(refused "broken signature" ctl create tools/a:1 true)" "signature does not parse" \
		"a broken signature file"
}

# The allow-list matches the name asked for as typed, or as the full name
# it found: a short name of docker.io's image is docker.io/library/...; a
# short name of localhost's is not.
test_svp_images_allow_list_matches_the_full_name() {
	trap cleanup_sv EXIT
	echo '{"images": {"allow": ["docker.io/library/*"]}}' >"$T/p.json"
	start_sv --policy "$T/p.json"
	skopeo copy -q "oci:$IMGS/oci:user" "docker-archive:$T/u.tar:okimg:1"
	ctl image import "docker-archive:$T/u.tar" >/dev/null
	ctl image import "oci:$IMGS/oci:test" okimg:2 >/dev/null
	assert_eq "$(ctl run --rm okimg:1 id -un)" app "a short name of docker.io/library/okimg:1"
	local out
	out=$(refused "localhost's" ctl create okimg:2 true)
	assert_contains "$out" "spec.image: okimg:2" "localhost/okimg:2 is off the list"
	assert_contains "$out" "images.allow=[docker.io/library/*]" "the limit"
}

# Attack: a member stores secrets and applies workloads past its quotas,
# lowered to 3 and 2: the next is refused naming the quota and the count,
# and not stored; a manifest of two Pods at one of two is refused whole
# (counted as a whole); applying one it has again is no new workload; a
# second member and root still make theirs.
test_svp_member_quotas_of_secrets_and_workloads() {
	trap 'for w in $(ctl --json get workloads 2>/dev/null | jq -r ".[].name"); do
		ctl delete workload --wait false "$w" >/dev/null 2>&1; done; cleanup_sv' EXIT
	member_group
	member2() { setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }
	echo '{"unprivileged": {"max_secrets": 3, "max_workloads": 2}}' >"$T/p.json"
	start_sv --group "$MGROUP" --policy "$T/p.json"
	local i out
	for i in 1 2 3; do echo "v$i" | member secret create "s$i" - >/dev/null || fail "the member's secret $i"; done
	out=$(echo v4 | refused "a 4th secret" member secret create s4 -)
	assert_contains "$out" "SecretCreate: refused by policy: name: secrets: 3 already" "the 4th secret: the count"
	assert_contains "$out" "unprivileged.max_secrets=3" "the 4th secret: the quota"
	member secret inspect s4 >/dev/null 2>&1 && fail "the refused secret was stored"
	for i in 1 2 3; do echo x | member2 secret create "t$i" - >/dev/null || fail "the second member's secret $i"; done
	for i in 1 2 3 4; do echo x | ctl secret create "r$i" - >/dev/null || fail "root's secret $i"; done
	member secret rm s1 >/dev/null
	echo v4 | member secret create s4 - >/dev/null || fail "a secret after one was removed"
	# workloads: Pods of an image there is not, so that none makes a container
	pod() { printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: nosuch:1\n' "$1"; }
	pod p1 >"$T/p1.yaml"
	{ pod p2; echo ---; pod p3; } >"$T/p23.yaml"
	pod p2 >"$T/p2.yaml"
	pod p3 >"$T/p3.yaml"
	member apply -f "$T/p1.yaml" >/dev/null || fail "the member's first workload"
	out=$(refused "two workloads at one of two" member apply -f "$T/p23.yaml")
	assert_contains "$out" "unprivileged.max_workloads=2" "two at one: the quota"
	assert_contains "$out" "workloads: 1 already, and this asks for more" "two at one: the count"
	member apply -f "$T/p2.yaml" >/dev/null || fail "the member's second workload"
	member apply -f "$T/p1.yaml" >/dev/null || fail "applying one it has again"
	out=$(refused "a 3rd workload" member apply -f "$T/p3.yaml")
	assert_contains "$out" "WorkloadApply: refused by policy: text: workloads: 2 already" "the 3rd: the count"
	assert_eq "$(member --json get workloads | jq -r '[.[].name] | sort | join(",")')" p1,p2 "the member's workloads"
	member2 apply -f "$T/p3.yaml" >/dev/null || fail "the second member's workload"
	{ pod r1; echo ---; pod r2; echo ---; pod r3; } >"$T/r.yaml"
	ctl apply -f "$T/r.yaml" >/dev/null || fail "root's three workloads"
	assert_eq "$(grep '"result":"PolicyViolation"' "$STATE_D/audit.log" | grep -c '"uid":65534')" 3 "every refusal audited"
}

# Attack: a member names a bind source whose lookup never ends: a FUSE
# mount whose server never answers (a member makes one in a user namespace
# of its own, and reaches it through /proc/PID/root), directly and through
# a bind volume of its own, two creates at once. corrald opens the
# member's sources as the member, in a child; its loop goes on serving
# root and the member's other calls meanwhile. Once the file system goes,
# each create is refused with one line, and no child, mount or directory
# of the attempts is left.
test_svp_member_bind_source_that_hangs_blocks_no_one() {
	local creating creating2 out
	FUSEFD=""
	trap '[ -z "$FUSEFD" ] || exec {FUSEFD}>&-; umount -l "$T/hang" 2>/dev/null || true; cleanup_sv' EXIT
	member_group
	mkdir -p "$T/hang"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T\"]}}}" >"$T/p.json"
	start_sv --group "$MGROUP" --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	# opened after corrald started, and by no process that stays: the file
	# system ends when this shell closes it
	exec {FUSEFD}<>/dev/fuse || skip "no /dev/fuse"
	mount -i -t fuse -o "fd=$FUSEFD,rootmode=40000,user_id=0,group_id=0,allow_other" hang "$T/hang" ||
		skip "cannot mount a fuse file system"
	member volume create -o type=none -o o=bind -o device="$T/hang/y" hv {FUSEFD}>&- >/dev/null ||
		fail "the member's bind volume"
	member create -v "$T/hang/x:/h" app:1 true >"$T/out" 2>&1 {FUSEFD}>&- &
	creating=$!
	member create -v hv:/h app:1 true >"$T/out2" 2>&1 {FUSEFD}>&- &
	creating2=$!
	wait_for 10 sh -c "[ \$(pgrep -u 65534 -P $CORRALD_PID | wc -l) -eq 2 ]"
	ctl ping >/dev/null {FUSEFD}>&- || fail "root's call while the member's source hangs"
	member ps >/dev/null {FUSEFD}>&- || fail "the member's own other call meanwhile"
	ctl run --rm app:1 true {FUSEFD}>&- || fail "root's run meanwhile"
	kill -0 "$creating" 2>/dev/null || fail "the create ended before its source did: $(cat "$T/out")"
	kill -0 "$creating2" 2>/dev/null || fail "the volume's create ended before its source did: $(cat "$T/out2")"
	exec {FUSEFD}>&- # the server goes: the lookup fails
	FUSEFD=""
	wait "$creating" && fail "the create with a source that hung was accepted"
	wait "$creating2" && fail "the create with a volume that hung was accepted"
	out=$(cat "$T/out")
	assert_eq "$(echo "$out" | wc -l)" 1 "one line: $out"
	assert_contains "$out" "cannot open $T/hang/x as uid 65534" "the refusal"
	out=$(cat "$T/out2")
	assert_eq "$(echo "$out" | wc -l)" 1 "one line: $out"
	assert_contains "$out" "cannot open $T/hang/y as uid 65534" "the volume's refusal"
	wait_for 10 bash -c "! pgrep -u 65534 -P $CORRALD_PID"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "no container of the attempts"
	assert_eq "$(ls "$STATE_D/containers" | wc -l)" 0 "no directory of the attempts"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
