#!/bin/bash
# Dockerfiles as Docker's builder reads them, through the docker CLI: where
# COPY puts what it copies, ENV's expansion, and RUN's flags (a network
# the step is on; BuildKit's mounts refused). test_docker_build.sh has the
# build, its cache, commit and what a member may do.
# time: about 20 s (4 cases): each RUN a container, each step a commit
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
. "$(dirname "$0")/network_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

# Where COPY puts a file, as Docker's builders do: "." is WORKDIR, a
# destination that is a directory already (a link to one too) takes the
# file inside it, a wildcard with one match may go to a file, and one with
# more must go to a directory; ENV's pairs see the env from before it
test_dkb_copy_destinations_as_docker() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" one.txt one two.txt two app.cfg cfg <<'EOF'
FROM busybox:latest
RUN mkdir -p /opt/real && ln -s /opt/real /opt/link
WORKDIR /app
COPY one.txt .
COPY two.txt /bin
COPY two.txt /opt/link
COPY *.cfg settings.cfg
ENV abc=hello
ENV abc=bye def=$abc
CMD ["sh", "-c", "cat /app/one.txt /bin/two.txt /opt/real/two.txt /app/settings.cfg; echo $abc $def; test -x /bin/sh && echo sh"]
EOF
	local out
	out=$(dock build -t dest:1 "$T/c" 2>&1) || fail "build: $out"
	assert_eq "$(dock run --rm dest:1 | tr '\n' ' ')" "one two two cfg bye hello sh " "where each file went"
	ctx "$T/d" a.txt a b.txt b <<'EOF'
FROM busybox:latest
COPY *.txt /one.txt
EOF
	out=$(dock build "$T/d" 2>&1) && fail "two matches to a file: $out"
	assert_contains "$out" "When using COPY with more than one source file, the destination must be a directory and end with a /" \
		"two matches to a file"
	no_containers_left
}

# RUN --network=none has loopback alone (the build's network beside it has
# eth0); BuildKit's --mount is refused, as Docker's own builder refuses
# it, not ignored
# COPY --chown with names, as Docker's builder takes them: the user from
# the image's /etc/passwd, the group from its /etc/group (a user alone is
# the group's name too), read where a link there leads inside the image
test_dkb_copy_chown_by_name() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" one.txt one <<'EOF'
FROM busybox:latest
RUN echo 'grp2:x:2345:' >>/etc/group
COPY --chown=app one.txt /o1
COPY --chown=app:grp2 one.txt /o2
COPY --chown=1000:grp2 one.txt /o3
COPY --chown=nobody:1234 one.txt /o4
RUN mv /etc/group /etc/group.real && ln -s group.real /etc/group
COPY --chown=app:grp2 one.txt /o5
CMD ["stat", "-c", "%u:%g", "/o1", "/o2", "/o3", "/o4", "/o5"]
EOF
	local out
	out=$(dock build -t owned:1 "$T/c" 2>&1) || fail "build: $out"
	assert_eq "$(dock run --rm owned:1 | tr '\n' ' ')" "1000:1000 1000:2345 1000:2345 65534:1234 1000:2345 " "each --chown's ids"
	ctx "$T/d" one.txt one <<'EOF'
FROM busybox:latest
COPY --chown=ghost one.txt /o
EOF
	out=$(dock build "$T/d" 2>&1) && fail "a user the image does not have: $out"
	assert_contains "$out" 'no user "ghost" in the image'"'"'s /etc/passwd' "the user named"
	ctx "$T/e" one.txt one <<'EOF'
FROM busybox:latest
COPY --chown=app:nogrp one.txt /o
EOF
	out=$(dock build "$T/e" 2>&1) && fail "a group the image does not have: $out"
	assert_contains "$out" 'no group "nogrp" in the image'"'"'s /etc/group' "the group named"
	no_containers_left
}

test_dkb_run_network_and_mount_flags() {
	trap cleanup_sv EXIT
	need_cni
	start_sv_netns $(docker_flags)
	import_busybox
	local out
	ctx "$T/n" <<'EOF'
FROM busybox:latest
RUN sh -c 'ls /sys/class/net | tr "\\n" " " >/nets'
RUN --network=none sh -c 'ls /sys/class/net >>/nets'
CMD ["cat", "/nets"]
EOF
	out=$(dock build --network corral -t nonet:1 "$T/n" 2>&1) || fail "RUN --network=none: $out"
	assert_eq "$(dock run --rm nonet:1)" "eth0 lo lo" "the build's network, then RUN --network=none's interfaces"
	printf 'FROM busybox:latest\nRUN --mount=type=cache,target=/c true\n' >"$T/n/Dockerfile"
	out=$(dock build "$T/n" 2>&1) && fail "RUN --mount: $out"
	assert_contains "$out" "RUN --mount=type=cache,target=/c: corral's builder mounts nothing into a step" "RUN --mount"
	printf 'FROM busybox:latest\nRUN --network=bridge true\n' >"$T/n/Dockerfile"
	out=$(dock build "$T/n" 2>&1) && fail "RUN --network=bridge: $out"
	assert_contains "$out" "RUN --network=bridge: --network is default, none or host" "RUN --network=bridge"
	no_containers_left
}

# docker history shows each instruction, as Docker's builders and buildah
# record them: one entry each, the ones that changed no file of 0 bytes
# (empty layers, no layer added), written as the Dockerfile has them; a
# stage's ARG at its end too. A cached rebuild is the same image.
test_dkb_history_has_each_instruction() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/h" a.txt a <<'EOF'
FROM busybox:latest
ARG V=1
ENV A=${V} \
    B=b
COPY a.txt /a.txt
WORKDIR sub
LABEL l=1
RUN echo ran >/ran
EXPOSE 80
CMD ["cat", "/ran"]
ARG LAST
EOF
	local out
	out=$(dock build -t hist:1 "$T/h" 2>&1) || fail "build: $out"
	# L: a step that made a layer, -: an empty layer's
	local base
	base=$(dock history -q busybox:latest | wc -l)
	out=$(ctl --json image history hist:1 | jq -r '.[] | "\(if .emptyLayer then "-" else "L" end) \(.createdBy)"' |
		head -n -"$base" | sed 's/file:[0-9a-f]\{64\}/file:HEX/')
	assert_eq "$out" '- ARG LAST
- CMD ["cat", "/ran"]
- EXPOSE 80
L /bin/sh -c echo ran >/ran
- LABEL l=1
- WORKDIR sub
L COPY file:HEX in /a.txt
- ENV A=${V}     B=b
- ARG V=1' "the history, newest first"
	assert_eq "$(dock history --format '{{.CreatedBy}}' hist:1 | head -1)" 'ARG LAST' "docker history's top line"
	assert_eq "$(dock image inspect -f '{{len .RootFS.Layers}}' hist:1)" \
		"$(($(dock image inspect -f '{{len .RootFS.Layers}}' busybox:latest) + 2))" "a layer for COPY and RUN only"
	local id
	id=$(dock image inspect -f '{{.Id}}' hist:1)
	out=$(dock build -t hist:2 "$T/h" 2>&1) || fail "rebuild: $out"
	assert_eq "$(dock image inspect -f '{{.Id}}' hist:2)" "$id" "the cached rebuild's image"
	# past those bounds a build commits what is pending and goes on: 300
	# ENVs, and a LABEL of 5000 characters (é), cut at a character's start
	{
		echo "FROM busybox:latest"
		for i in $(seq 300); do echo "ENV E$i=$i"; done
		printf 'LABEL big=%s\n' "$(printf 'é%.0s' $(seq 2500))"
		echo "RUN test \$E300 = 300"
	} >"$T/h/Dockerfile"
	out=$(dock build -t hist:3 "$T/h" 2>&1) || fail "300 ENVs: $out"
	assert_eq "$(ctl --json image history hist:3 | jq '[.[] | select(.createdBy | startswith("ENV E"))] | length')" 300 \
		"each ENV in the history"
	assert_eq "$(ctl --json image history hist:3 | jq -r '.[] | select(.createdBy | startswith("LABEL")) | .createdBy | length')" \
		2056 "the LABEL's text cut at 4096 bytes, at a character's start: LABEL, big= and 2046 é"
	# a commit's emptySteps are bounded as its changes are
	local params
	params=$(jq -cn '{image: "busybox:latest", emptySteps: [range(257) | "ENV a=\(.)"]}')
	out=$("$CORRALCTL" --socket "$SOCK" call ImageCommit "$params" 2>&1) && fail "257 empty steps: $out"
	assert_contains "$out" "emptySteps" "what was refused"
	params=$(jq -cn '{image: "busybox:latest", emptySteps: ["ENV a=1", 2]}')
	out=$("$CORRALCTL" --socket "$SOCK" call ImageCommit "$params" 2>&1) && fail "a step that is not a string: $out"
	assert_contains "$out" "emptySteps[1]" "what was refused"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
