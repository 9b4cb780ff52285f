#!/bin/bash
# The container's process, as the OCI runtime-spec says: pid 1, hostname,
# capabilities (absent sets, runc spec's, Docker's default), user, groups,
# umask, cwd, env and rlimits.
. "$(dirname "$0")/lib.sh"

test_output_pid1_hostname_proc() {
	mkbundle sh -c 'echo hello; echo pid=$$; hostname; test -r /proc/self/status && echo proc-ok'
	cfg '.hostname="box1"'
	out=$(run_ctr "$TID")
	assert_eq "$out" "hello
pid=1
box1
proc-ok" "container output"
}

# Capability sets in /proc/self/status equal the config's.
test_capabilities() {
	mkbundle grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	cfg '.process.capabilities = {"bounding":["CAP_KILL","CAP_NET_BIND_SERVICE","CAP_CHOWN"],
		"effective":["CAP_KILL","CAP_CHOWN"], "permitted":["CAP_KILL","CAP_CHOWN"],
		"inheritable":["CAP_KILL"], "ambient":["CAP_KILL"]}'
	out=$(run_ctr "$TID")
	# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10
	assert_contains "$out" "CapInh:	0000000000000020" CapInh
	assert_contains "$out" "CapPrm:	0000000000000021" CapPrm
	assert_contains "$out" "CapEff:	0000000000000021" CapEff
	assert_contains "$out" "CapBnd:	0000000000000421" CapBnd
	assert_contains "$out" "CapAmb:	0000000000000020" CapAmb
}

# A set that is absent is empty, as in runc: `podman --cap-drop ALL` writes
# "capabilities": {}; run as root without no_new_privileges, a full bounding
# set would hand every capability back at execve. runc 1.1 gives all zeros
# for each of these configs.
test_absent_capability_sets_are_empty() {
	mkbundle grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	cfg '.process.noNewPrivileges=false | .process.user={"uid":0,"gid":0}'
	for caps in null '{}' '{"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}'; do
		cfg --argjson c "$caps" 'if $c == null then del(.process.capabilities) else .process.capabilities=$c end'
		out=$(run_ctr "$TID")
		for set in Inh Prm Eff Bnd Amb; do
			assert_contains "$out" "Cap$set:	0000000000000000" "Cap$set with capabilities $caps"
		done
	done
}

# `runc spec`'s own config lists ambient capabilities and no inheritable
# set: the kernel raises none of them, and runc skips them; so does corral.
test_runc_spec_config_runs_as_under_runc() {
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	mkbundle true
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && runc spec)
	cfg --arg r "$BUSYBOX_ROOTFS" '.root.path=$r | .process.terminal=false | .process.args=["grep","^Cap","/proc/self/status"]'
	ours=$(run_ctr "$TID" 2>&1) || fail "corral refused runc spec's config: $ours"
	theirs=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-runc" </dev/null 2>&1) || fail "runc: $theirs"
	assert_eq "$ours" "$theirs" "capabilities under corral and under runc"
	assert_contains "$ours" "CapEff:	0000000020000420" "the three listed"
}

test_default_capabilities() {
	mkbundle grep -E '^Cap(Eff|Bnd)' /proc/self/status
	out=$(run_ctr "$TID")
	# CAP_KILL(5) CAP_NET_BIND_SERVICE(10) CAP_AUDIT_WRITE(29)
	assert_contains "$out" "CapEff:	0000000020000420" CapEff
	assert_contains "$out" "CapBnd:	0000000020000420" CapBnd
}

test_user_groups_umask_cwd_env() {
	mkbundle sh -c 'id -u; id -g; id -G; umask; pwd; echo "$FOO"; grep NoNewPrivs /proc/self/status'
	cfg '.process.user={"uid":1000,"gid":1000,"additionalGids":[10,20],"umask":23} |
		.process.cwd="/home/app" | .process.env += ["FOO=bar baz"]'
	out=$(run_ctr "$TID")
	assert_eq "$out" "1000
1000
1000 10 20
0027
/home/app
bar baz
NoNewPrivs:	1" "identity"
}

# HOME as runc sets it: when process.env has none (or an empty one), the
# user's home from the container's /etc/passwd, "/" without an entry; in
# run and in exec. runc gives the reference for each case.
test_home_from_passwd_as_runc() {
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	mkbundle sleep 30
	trap 'runc --root "$T/runc" delete -f "$TID-r" >/dev/null 2>&1; true' EXIT
	local uid env want rt got
	for uid in 0 1000 4242; do
		for env in '["PATH=/bin"]' '["PATH=/bin","HOME=/custom"]' '["HOME=","PATH=/bin"]'; do
			cfg --argjson u "$uid" --argjson e "$env" \
				'.process.user={"uid":$u,"gid":0} | .process.env=$e | .process.args=["sh","-c","echo \"$HOME\""]'
			want=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-r" </dev/null 2>&1) || fail "runc: $want"
			got=$(run_ctr "$TID" 2>&1) || fail "corral: $got"
			assert_eq "$got" "$want" "HOME for uid $uid with env $env, against runc"
		done
	done
	assert_eq "$got" "/" "a user with no entry"
	# exec: the exec's user, with the config's env
	cfg '.process.user={"uid":0,"gid":0} | .process.env=["PATH=/bin"] | .process.args=["sleep","30"]'
	(cd "$BUNDLE" && runc --root "$T/runc" run -d "$TID-r" </dev/null >/dev/null 2>&1) || fail "runc run -d"
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >/dev/null) || fail "corral run -d"
	for rt in runc corral; do
		if [ $rt = runc ]; then run=(runc --root "$T/runc"); id=$TID-r; else run=(cr); id=$TID; fi
		got="$("${run[@]}" exec "$id" sh -c 'echo $HOME') $("${run[@]}" exec -u 1000 "$id" sh -c 'echo $HOME')"
		got="$got $("${run[@]}" exec -u 1000 --env HOME=/x "$id" sh -c 'echo $HOME')"
		assert_eq "$got" "/root /home/app /x" "exec's HOME under $rt"
	done
	cr delete -f "$TID"
}

# The container's /etc/passwd is the container's: a fifo there (which no
# one writes) or a link out of the root never holds or leaks the start.
test_home_lookup_of_a_hostile_passwd() {
	mkbundle sh -c 'echo "$HOME"'
	own_rootfs
	cfg '.process.user={"uid":0,"gid":0} | .process.env=["PATH=/bin"]'
	rm "$BUNDLE/rootfs/etc/passwd"
	mkfifo "$BUNDLE/rootfs/etc/passwd"
	assert_eq "$(timeout 10 bash -c "cd '$BUNDLE' && '$CORRAL' --root '$STATE' run '$TID' </dev/null")" "/" "a fifo as /etc/passwd"
	rm "$BUNDLE/rootfs/etc/passwd"
	echo "root:x:0:0:root:/host-only-home:/bin/sh" >"$T/host-passwd"
	ln -s "../../../../../../../../../../$T/host-passwd" "$BUNDLE/rootfs/etc/passwd"
	assert_eq "$(run_ctr "$TID")" "/" "a link to the host's file"
}

test_missing_cwd_is_created() {
	mkbundle pwd
	own_rootfs
	cfg '.process.cwd="/srv/data/x"'
	out=$(run_ctr "$TID")
	assert_eq "$out" /srv/data/x "cwd"
}

test_lowered_rlimit() {
	mkbundle sh -c 'ulimit -n; ulimit -Hn'
	cfg '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":100,"hard":200}]'
	out=$(run_ctr "$TID")
	assert_eq "$out" "100
200" "RLIMIT_NOFILE"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
