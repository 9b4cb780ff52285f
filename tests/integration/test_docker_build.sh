#!/bin/bash
# Images built from a Dockerfile, as the docker CLI 20.10 and corralctl ask
# corrald: single and multi-stage builds, COPY --from, ARG and ENV,
# .dockerignore, a failing RUN, the layer cache (hits on a rebuild, a miss
# once a COPY'd file changes, --no-cache), --target, the config
# instructions, commit; and what a context, a Dockerfile or a member may
# not do. corrald runs in a network namespace of the test's own.
# time: about 60 s (15 cases): each RUN a container, each step a commit
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null


test_dkb_a_build_runs_and_its_rebuild_hits_the_cache() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" a.txt hello <<'EOF'
FROM busybox:latest
COPY a.txt /app/
RUN echo built >/app/b.txt && cat /app/a.txt
ENV GREETING=hi
CMD ["sh", "-c", "cat /app/a.txt /app/b.txt; echo $GREETING"]
EOF
	local out id1 id2 id3
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "build: $out"
	assert_contains "$out" "Step 3/5 : RUN echo built" "the steps"
	assert_contains "$out" "hello" "RUN's output"
	assert_contains "$out" "Successfully tagged web:1" "the tag"
	assert_eq "$(dock run --rm web:1 | tr '\n' ' ')" "hello built hi " "the image runs"
	# RUN's layer holds what it wrote: not the empty /etc/hosts the runtime
	# made to bind on (busybox has none), which Docker keeps in an init layer
	dock save -o "$T/web.tar" web:1 && mkdir "$T/web" && tar -C "$T/web" -xf "$T/web.tar" || fail "docker save"
	assert_eq "$(tar -tf "$T/web/$(jq -r '.[0].Layers[-1]' "$T/web/manifest.json")" | tr '\n' ' ')" \
		"app/ app/b.txt " "RUN's layer"
	assert_eq "$(dock image inspect -f '[{{.Comment}}]' web:1)" "[]" "a built image has no comment"
	id1=$(dock image inspect -f '{{.Id}}' web:1)
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "rebuild: $out"
	assert_eq "$(grep -c 'Using cache' <<<"$out")" 3 "every step that makes an image comes from the cache"
	assert_not_contains "$out" "Running in" "no container on a rebuild with nothing changed"
	id2=$(dock image inspect -f '{{.Id}}' web:1)
	assert_eq "$id2" "$id1" "the same image"
	echo changed >"$T/c/a.txt"
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "build after a change: $out"
	assert_not_contains "$out" "Using cache" "a changed COPY source misses, and every step after it"
	id3=$(dock image inspect -f '{{.Id}}' web:1)
	[ "$id3" != "$id1" ] || fail "the image did not change"
	assert_contains "$(dock run --rm web:1)" changed "the new content"
	out=$(dock build --no-cache -t web:1 "$T/c" 2>&1) || fail "--no-cache: $out"
	assert_not_contains "$out" "Using cache" "--no-cache"
	assert_contains "$out" "Running in" "--no-cache runs RUN again"
	no_containers_left
	# the steps' images are not listed, and a dangling prune keeps them
	assert_not_contains "$(dock images)" "<none>" "the steps' images in docker images"
	dock image prune -f >/dev/null
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "a build after image prune: $out"
	assert_contains "$out" "Using cache" "the cache after image prune"
	dock builder prune -f >/dev/null || fail "docker builder prune"
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "a build after builder prune: $out"
	assert_not_contains "$out" "Using cache" "builder prune clears the cache"
	dock system prune -f >/dev/null || fail "docker system prune"
	out=$(dock build -t web:1 "$T/c" 2>&1) || fail "a build after system prune: $out"
	assert_not_contains "$out" "Using cache" "system prune clears the cache too"
}

test_dkb_multi_stage_copy_from_and_target() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" src/main.txt "the source" <<'EOF'
ARG BASE=busybox:latest
FROM $BASE AS builder
WORKDIR /work
COPY src/ ./
RUN mkdir -p out && tr a-z A-Z <main.txt >out/app.txt && cp /bin/busybox out/su && chmod 4755 out/su && \
    echo a >out/a.jar && echo b >out/b.jar && echo c >out/one.cfg && ln -s app.txt out/link.txt
FROM scratch AS files
COPY src/main.txt /m.txt
FROM busybox:latest
SHELL ["/bin/sh", "-e", "-c"]
COPY --from=builder /work/out/app.txt /usr/share/app.txt
COPY --from=builder /work/out/su /usr/bin/su
COPY --from=builder /work/out/*.jar /jars/
COPY --from=builder /work/out/one.cf? /etc/one.cfg
COPY --from=builder /work/out/link.txt /usr/share/linked.txt
COPY --from=0 /work/main.txt /usr/share/
COPY --from=files /m.txt /usr/share/scratch.txt
RUN ["sh", "-c", "cmp /usr/share/main.txt /usr/share/scratch.txt && echo exec-form >/exec"]
RUN false; echo "the shell's -e stops here" >/shell
CMD ["cat", "/usr/share/app.txt", "/usr/share/main.txt"]
EOF
	local out
	out=$(dock build -t app "$T/c" 2>&1) && fail "SHELL -e: a RUN with a failing command built: $out"
	assert_contains "$out" "returned a non-zero code: 1" "SHELL's -e"
	sed -i 's/^RUN false; /RUN true; /' "$T/c/Dockerfile"
	out=$(dock build -t app "$T/c" 2>&1) || fail "build: $out"
	assert_eq "$(dock run --rm app | tr '\n' ' ')" "THE SOURCE the source " "files of the first stage"
	assert_eq "$(dock run --rm app stat -c %a /usr/bin/su)" 4755 "COPY --from keeps a setuid bit, as Docker's"
	assert_eq "$(dock run --rm app sh -c 'cat /jars/a.jar /jars/b.jar /etc/one.cfg; test -L /usr/share/linked.txt || cat /usr/share/linked.txt' | tr '\n' ' ')" \
		"a b c THE SOURCE " "COPY --from: a wildcard's matches, and a link followed"
	assert_eq "$(dock run --rm app cat /exec /shell | tr '\n' ' ')" "exec-form the shell's -e stops here " \
		"RUN's exec form, a FROM scratch stage's file, and SHELL"
	assert_eq "$(dock run --rm app ls /work 2>&1 | head -1)" "ls: /work: No such file or directory" \
		"the first stage's files stay out of the image"
	out=$(dock build --target builder -t app-builder "$T/c" 2>&1) || fail "--target: $out"
	assert_eq "$(dock run --rm app-builder cat /work/out/app.txt)" "THE SOURCE" "the target stage's image"
	out=$(dock build --target nosuch "$T/c" 2>&1) && fail "a target that is not there: $out"
	assert_contains "$out" "failed to reach build target nosuch" "its error"
	no_containers_left
}

test_dkb_arg_env_and_dockerignore() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" keep.txt kept secret.key "do not send" logs/x.log "a log" logs/keep.log "wanted" <<'EOF'
FROM busybox:latest
ARG WHO=nobody
ARG DIR
ENV HOME_DIR=/srv/${DIR:-none} WHO_IS=$WHO
WORKDIR $HOME_DIR
COPY . ./
RUN echo "$WHO in $(pwd)" >who.txt
EOF
	printf '%s\n' secret.key 'logs/*.log' '!logs/keep.log' Dockerfile >"$T/c/.dockerignore"
	local out
	out=$(dock build --build-arg WHO=alice --build-arg DIR=data -t args "$T/c" 2>&1) || fail "build: $out"
	assert_eq "$(dock run --rm args cat who.txt)" "alice in /srv/data" "ARG and ENV, expanded"
	assert_eq "$(dock run --rm args sh -c 'echo $WHO_IS')" alice "ENV from an ARG"
	assert_eq "$(dock run --rm args ls -A . logs | tr '\n' ' ')" ".: .dockerignore keep.txt logs who.txt  logs: keep.log " \
		".dockerignore's files are not there, its exception is"
}

# An excluded directory that an exception names a file in ("!cache/keep")
# is searched, as the docker CLI's context walk does: the file comes, its
# neighbours do not, and a COPY may name the directory or the file.
test_dkb_dockerignore_exception_in_an_excluded_directory() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" cache/keep kept cache/junk junk cache/deep/keep deep vendor/keep not-searched <<'EOF'
FROM busybox:latest
COPY . /all/
COPY cache /dir/
COPY cache/keep /file
COPY cach* /glob/
EOF
	printf '%s\n' cache '!cache/keep' '!cache/deep/keep' vendor '!*/keep' >"$T/c/.dockerignore"
	local out
	out=$(dock build -t exc "$T/c" 2>&1) || fail "build: $out"
	assert_eq "$(dock run --rm exc sh -c 'cd /all && find . -type f | sort' | tr '\n' ' ')" \
		"./.dockerignore ./Dockerfile ./cache/deep/keep ./cache/keep " "the whole context: vendor not searched"
	assert_eq "$(dock run --rm exc sh -c 'cd /dir && find . -type f | sort' | tr '\n' ' ')" "./deep/keep ./keep " \
		"the directory named"
	assert_eq "$(dock run --rm exc cat /file)" kept "the file named"
	assert_eq "$(dock run --rm exc sh -c 'cd /glob && find . -type f | sort' | tr '\n' ' ')" "./deep/keep ./keep " \
		"the directory matched by a wildcard"
	printf 'FROM busybox:latest\nCOPY vendor/keep /v\n' >"$T/c/Dockerfile"
	out=$(dock build "$T/c" 2>&1) && fail "a file in a directory not searched was copied: $out"
	assert_contains "$out" "excluded by .dockerignore: vendor/keep" "its error"
}

test_dkb_a_failing_run_says_so_and_leaves_nothing() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
RUN echo before; exit 3
RUN echo never
EOF
	local out
	out=$(dock build -t bad "$T/c" 2>&1) && fail "a failing RUN built: $out"
	assert_contains "$out" "before" "the step's output"
	assert_contains "$out" "returned a non-zero code: 3" "its exit code"
	assert_contains "$out" "Dockerfile:2" "where"
	assert_not_contains "$out" never "nothing after it"
	dock image inspect bad >/dev/null 2>&1 && fail "an image was tagged"
	no_containers_left
	ctx "$T/d" <<'EOF'
FROM busybox:latest
FORM busybox
EOF
	out=$(dock build "$T/d" 2>&1) && fail "a bad Dockerfile built: $out"
	assert_contains "$out" "Dockerfile:2: unknown instruction: FORM" "the parser's one line"
	ctx "$T/e" <<'EOF'
FROM busybox:latest
COPY nothere.txt /
EOF
	out=$(dock build "$T/e" 2>&1) && fail "a missing source built: $out"
	assert_contains "$out" "file not found in build context" "a missing COPY source"
	no_containers_left
}

test_dkb_the_config_instructions() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
LABEL org.example.team="the team" version=2
EXPOSE 8080 53/udp
VOLUME ["/data"]
USER 1000:1000
WORKDIR /home
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD true
ENTRYPOINT ["/bin/echo"]
ONBUILD RUN echo child
EOF
	local out
	out=$(dock build --label from=cli -t conf "$T/c" 2>&1) || fail "build: $out"
	local j
	j=$(dock image inspect conf | jq '.[0].Config')
	assert_eq "$(jq -cS .Labels <<<"$j")" '{"from":"cli","org.corral.fixture":"yes","org.example.team":"the team","version":"2"}' "labels, the base image's too"
	assert_eq "$(jq -c '.ExposedPorts|keys' <<<"$j")" '["53/udp","8080/tcp"]' "ports"
	assert_eq "$(jq -c '.Volumes|keys' <<<"$j")" '["/data"]' "volumes"
	assert_eq "$(jq -r .User <<<"$j")" 1000:1000 "user"
	assert_eq "$(jq -r .WorkingDir <<<"$j")" /home "workdir"
	assert_eq "$(jq -r .StopSignal <<<"$j")" SIGINT "stop signal"
	assert_eq "$(jq -c .Healthcheck.Test <<<"$j")" '["CMD-SHELL","true"]' "healthcheck (shell form)"
	assert_eq "$(jq -r .Healthcheck.Interval <<<"$j")" 5000000000 "its interval"
	assert_eq "$(jq -c .Entrypoint <<<"$j")" '["/bin/echo"]' "entrypoint"
	assert_eq "$(jq -c '.Cmd // [] | length' <<<"$j")" 0 "an ENTRYPOINT drops the base's CMD"
	assert_eq "$(jq -c .OnBuild <<<"$j")" '["RUN echo child"]' "onbuild"
	assert_eq "$(dock run --rm conf hello)" hello "it runs as its entrypoint says"
	printf 'FROM conf\nUSER 0\n' | ctx "$T/child"
	out=$(dock build -t child "$T/child" 2>&1) || fail "a child of an ONBUILD image: $out"
	assert_contains "$out" "Executing 1 build trigger" "its base's trigger"
	assert_contains "$out" "child" "the trigger ran"
	assert_eq "$(dock image inspect -f '{{len .Config.OnBuild}}' child)" 0 "the child keeps no trigger"
	# a stage FROM an earlier stage runs that stage's ONBUILDs too
	ctx "$T/stages" <<'EOF'
FROM busybox:latest AS base
ONBUILD RUN echo from-the-trigger >/trig
FROM base
RUN cat /trig
EOF
	out=$(dock build -t staged "$T/stages" 2>&1) || fail "a stage of an ONBUILD stage: $out"
	assert_contains "$out" "Executing 1 build trigger" "the earlier stage's trigger"
	assert_eq "$(dock run --rm staged cat /trig)" from-the-trigger "it ran in the later stage"
}

test_dkb_commit_as_docker_and_corralctl() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name box busybox:latest sh -c 'echo one >/etc/one; rm /etc/group; mkdir /new; echo x >/new/x; sleep 1000' >/dev/null
	local i
	for i in $(seq 100); do dock exec box test -f /new/x 2>/dev/null && break; sleep 0.05; done
	local id
	id=$(dock commit -m "a message" -a someone -c 'ENV MODE=committed' -c 'CMD ["cat", "/etc/one"]' box snap:1) ||
		fail "docker commit"
	assert_contains "$id" "sha256:" "its ID"
	assert_eq "$(dock run --rm snap:1)" one "the committed image runs its new CMD"
	assert_eq "$(dock run --rm snap:1 sh -c 'echo $MODE; test -e /etc/group || echo gone; cat /new/x')" \
		"$(printf 'committed\ngone\nx')" "its env, a removal (a whiteout) and a new directory"
	assert_eq "$(dock image inspect -f '{{.Author}} [{{.Comment}}]' snap:1)" "someone [a message]" \
		"the author, and the message as inspect shows it"
	assert_contains "$(dock history --no-trunc snap:1)" "a message" "the message in the history"
	# the layer: what the container did, not the runtime's mount point
	dock save -o "$T/snap.tar" snap:1 && mkdir "$T/snap" && tar -C "$T/snap" -xf "$T/snap.tar" || fail "docker save"
	assert_not_contains "$(tar -tf "$T/snap/$(jq -r '.[0].Layers[-1]' "$T/snap/manifest.json")")" hosts \
		"the commit's layer has no /etc/hosts"
	assert_eq "$(dock inspect -f '{{.State.Status}}' box)" running "the container runs on after its commit"
	ctl commit box snap:2 >/dev/null || fail "corralctl commit"
	assert_eq "$(ctl run --rm snap:2 cat /etc/one)" one "corralctl's commit"
	local out
	out=$(dock commit -c 'RUN true' box snap:3 2>&1) && fail "a change that is not a config instruction: $out"
	assert_contains "$out" "RUN" "what was refused"
	# changes are applied in corrald's loop: 5000 ENV pairs of 256 kB each
	# (1.3 GB, which took corrald's loop half a minute and 3 GB), and
	# LABELs past 4096, are refused at the config's bound, and corrald
	# answers meanwhile
	local a params
	a=$(head -c 8192 /dev/zero | tr '\0' x)
	params=$(jq -cn --arg a "$a" '{image: "busybox:latest", name: "boom", changes: [
		"ENV a=\($a)", "ENV b=" + ("$a" * 32), "ENV " + ([range(5000) | "c\(.)=$b"] | join(" "))]}')
	out=$(timeout 60 "$CORRALCTL" --socket "$SOCK" call ImageCommit "$params" 2>&1) && fail "a commit that grows without bound: $out"
	assert_contains "$out" "the image's config would pass 1048576 bytes or 4096 entries" "what was refused"
	params=$(jq -cn '{image: "busybox:latest", name: "boom", changes: ["LABEL " + ([range(5000) | "l\(.)=v"] | join(" "))]}')
	out=$(timeout 60 "$CORRALCTL" --socket "$SOCK" call ImageCommit "$params" 2>&1) && fail "a commit of 5000 labels: $out"
	assert_contains "$out" "4096 entries" "what was refused"
	params=$(jq -cn --arg a "$a$a$a" '{image: "busybox:latest", name: "boom", changes: ["ENV a=\($a)", "ENV b=\($a)", "ENV c=\($a)"]}')
	out=$(timeout 60 "$CORRALCTL" --socket "$SOCK" call ImageCommit "$params" 2>&1) && fail "changes past 64 KiB: $out"
	assert_contains "$out" "the changes pass 65536 bytes in all" "what was refused"
	ctl ping >/dev/null || fail "corrald does not answer"
	ctl image inspect boom >/dev/null 2>&1 && fail "an image was made of a refused commit"
	return 0
}

# corrald stopped while a commit holds its container paused: the container
# runs on unpaused (no one asked it paused past the commit), as corrald's
# next start finds it, and the commit that never ended left no image.
test_dkb_corrald_stopped_mid_commit_thaws_its_container() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctl run -d --name box busybox:latest sh -c 'head -c 400000000 /dev/urandom >/big; touch /ready; exec sleep 1000' \
		>/dev/null || fail "run"
	box_ready() { ctl exec box test -f /ready; }
	wait_for 60 box_ready
	local cg commit
	cg=$(cgroup_of box)
	ctl commit box snap:1 >"$T/commit.out" 2>&1 &
	commit=$!
	wait_for 30 grep -q "frozen 1" "$cg/cgroup.events"
	stop_sv
	wait "$commit" && fail "the commit ended well with corrald gone: $(cat "$T/commit.out")"
	assert_contains "$(cat "$cg/cgroup.events")" "frozen 0" "the container's cgroup once corrald is gone"
	start_docker
	assert_eq "$(status_of box)" running "the container, once corrald is back"
	assert_eq "$(timeout 10 "$CORRALCTL" --socket "$SOCK" exec box echo here)" here "it runs, not frozen"
	ctl image inspect snap:1 >/dev/null 2>&1 && fail "an image of the commit that did not end"
	return 0
}

# diff, export and import, round trip: what a container changed, its root
# filesystem as a tar (without what is mounted on it), and that tar (3 MB,
# past the bound of a JSON body) as an image's one layer, with changes.
test_dkb_diff_export_import() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name box busybox:latest sh -c 'echo x >/new; rm /etc/group; mkdir -p /usr/local/z;
		head -c 3000000 /dev/urandom >/big; cp /bin/busybox /su; chmod 4755 /su; touch /ready;
		exec sleep 1000' >/dev/null
	box_ready() { [ "$(dock exec box ls /ready 2>/dev/null)" = /ready ]; }
	wait_for 30 box_ready
	local diff
	diff=$(dock diff box) || fail "docker diff"
	assert_contains "$diff" "A /new" "an added file"
	assert_contains "$diff" "D /etc/group" "a deleted file"
	assert_contains "$diff" "C /etc" "the directory that holds it"
	assert_not_contains "$diff" "/etc/hosts" "not the mount point the runtime made, as docker diff"
	assert_contains "$diff" "A /usr/local/z" "an added directory"
	assert_not_contains "$diff" "/bin/sh" "what did not change"
	assert_eq "$(ctl container diff box)" "$diff" "corralctl container diff, the same lines"
	dock export -o "$T/box.tar" box || fail "docker export"
	local list
	list=$(tar tf "$T/box.tar")
	assert_contains "$list" "./new" "the export holds the new file"
	assert_contains "$list" "./bin/busybox" "and the image's"
	assert_not_contains "$list" "./etc/group" "not what was deleted"
	assert_not_contains "$list" "./proc/1/" "nor what is mounted in the container"
	assert_eq "$(tar tvf "$T/box.tar" ./su | cut -c1-10)" "-rwsr-xr-x" "a setuid file stays so, as docker export"
	ctl export -o "$T/box2.tar" box || fail "corralctl export"
	assert_eq "$(tar tf "$T/box2.tar" | sort | md5sum)" "$(sort <<<"$list" | md5sum)" "corralctl export, the same entries"
	local id out
	id=$(dock import -c 'CMD ["cat", "/new"]' -c 'ENV FROM=import' -m "from a tar" "$T/box.tar" imported:1) ||
		fail "docker import"
	assert_contains "$id" "sha256:" "its ID"
	assert_eq "$(dock run --rm imported:1)" x "the imported image runs its CMD"
	assert_eq "$(dock run --rm imported:1 sh -c 'echo $FROM; wc -c </big; stat -c %a /su')" \
		"$(printf 'import\n3000000\n4755')" "its ENV, the 3 MB file, the setuid bit"
	assert_contains "$(dock history --no-trunc imported:1)" "from a tar" "the message"
	assert_eq "$(dock image inspect -f '{{.Comment}}' imported:1)" "from a tar" "the message, as inspect shows it"
	out=$(dock import - empty:1 </dev/null 2>&1) && fail "an empty stream was imported: $out"
	assert_contains "$out" "the tar is empty" "an empty stream"
	gzip -c "$T/box.tar" >"$T/box.tgz"
	id=$(ctl import -c 'CMD ["cat", "/new"]' "$T/box.tgz" imported:2) || fail "corralctl import of a gzipped tar"
	assert_eq "$(ctl run --rm imported:2)" x "corralctl's import"
	out=$(head -c 4096 /dev/urandom | ctl import - bad 2>&1) && fail "a file that is no tar was imported: $out"
	assert_contains "$out" "import:" "its error"
	dock rm -f box >/dev/null
}

# ADD: a local archive is unpacked, a URL is fetched (and never unpacked),
# globs and --chmod; FROM --platform is the host's or refused.
test_dkb_add_and_platform() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	mkdir -p "$T/c/pkg/sub" "$T/www"
	echo inside >"$T/c/pkg/sub/in.txt"
	# a hard link, a symlink, and owners of the archive's own
	ln "$T/c/pkg/sub/in.txt" "$T/c/pkg/sub/hard.txt"
	ln -s in.txt "$T/c/pkg/sub/soft"
	tar -C "$T/c/pkg" --owner=1000 --group=1001 -czf "$T/c/pkg.tgz" sub
	cp "$T/c/pkg.tgz" "$T/www/remote.tgz"
	echo one >"$T/c/a.conf"
	echo two >"$T/c/b.conf"
	local port=$((20000 + RANDOM % 10000))
	python3 -m http.server --bind 127.0.0.1 "$port" --directory "$T/www" >/dev/null 2>&1 &
	local web=$!
	wait_for 10 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/remote.tgz')"
	ctx "$T/c" <<EOF
FROM --platform=\$BUILDPLATFORM busybox:latest
ADD pkg.tgz /opt/
ADD http://127.0.0.1:$port/remote.tgz /dl/
ADD --chmod=600 *.conf /conf/
EOF
	local out
	out=$(dock build -t added "$T/c" 2>&1) || { kill $web; fail "build: $out"; }
	kill $web
	assert_eq "$(dock run --rm added cat /opt/sub/in.txt)" inside "a local archive, unpacked"
	assert_eq "$(dock run --rm added stat -c '%h %u:%g %n' /opt/sub/hard.txt /opt/sub/in.txt | tr '\n' ' ')" \
		"2 1000:1001 /opt/sub/hard.txt 2 1000:1001 /opt/sub/in.txt " "its hard link and owners, as Docker's ADD keeps them"
	assert_eq "$(dock run --rm added stat -c '%u:%g' /conf/a.conf)" 0:0 "the context's files are root's"
	# a changed symlink in the archive, and nothing else: a new layer
	python3 -m http.server --bind 127.0.0.1 "$port" --directory "$T/www" >/dev/null 2>&1 &
	web=$!
	wait_for 10 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/remote.tgz')"
	ln -sfn hard.txt "$T/c/pkg/sub/soft"
	tar -C "$T/c/pkg" --owner=1000 --group=1001 -czf "$T/c/pkg.tgz" sub
	out=$(dock build -t added "$T/c" 2>&1) || { kill $web; fail "rebuild: $out"; }
	kill $web
	assert_eq "$(dock run --rm added readlink /opt/sub/soft)" hard.txt "a changed link in the archive misses the cache"
	assert_eq "$(dock run --rm added sh -c 'ls /dl; stat -c %a /dl/remote.tgz')" "$(printf 'remote.tgz\n600')" \
		"a URL's file, kept whole, 0600"
	assert_eq "$(dock run --rm added sh -c 'cat /conf/a.conf /conf/b.conf; stat -c %a /conf/a.conf')" \
		"$(printf 'one\ntwo\n600')" "a glob, with --chmod"
	printf 'FROM --platform=linux/s390x busybox:latest\n' | ctx "$T/p"
	out=$(dock build "$T/p" 2>&1) && fail "a foreign platform built: $out"
	assert_contains "$out" "corral builds for this host's platform" "why"
}

# A client that goes away cancels its build: the running step's container
# is killed and removed, no image is made, the build's directory goes.
test_dkb_a_client_that_goes_away_cancels_the_build() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	printf 'FROM busybox:latest\nRUN echo started; exec sleep 1000\nRUN touch /never\n' | ctx "$T/c"
	"$CORRALCTL" --socket "$SOCK" build -t cancelled "$T/c" >"$T/out" 2>&1 &
	local client=$! # corralctl itself, not a shell around it
	step_running() { grep -q started "$T/out"; }
	wait_for 30 step_running
	assert_eq "$(ctl --json ps -a | jq length)" 1 "the step's container"
	kill -KILL $client
	wait $client 2>/dev/null || true
	containers_gone() { [ "$(ctl --json ps -a | jq length)" = 0 ]; }
	wait_for 30 containers_gone
	no_build_dirs() { [ -z "$(find "$T/state/builds" -mindepth 1 2>/dev/null)" ]; }
	wait_for 30 no_build_dirs
	ctl image inspect cancelled >/dev/null 2>&1 && fail "a cancelled build tagged its image"
	grep -q "the client went away" "$T/corrald.log" || fail "corrald's log does not say why: $(tail -3 "$T/corrald.log")"
	# the docker CLI ended (TERM: a background job here ignores INT, as a
	# non-interactive shell starts it): corral-docker sees the hangup while it waits
	: >"$T/out"
	DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" docker build --no-cache -t cancelled "$T/c" >"$T/out" 2>&1 &
	client=$!
	step_container() { [ "$(ctl --json ps -a | jq length)" = 1 ]; }
	wait_for 30 step_container
	kill -TERM $client
	wait $client 2>/dev/null || true
	wait_for 30 containers_gone
	wait_for 30 no_build_dirs
	if ctl image inspect cancelled >/dev/null 2>&1; then fail "a build cancelled through the docker CLI tagged its image"; fi
	assert_eq "$(grep -c "the client went away" "$T/corrald.log")" 2 "both builds stopped for it"
}

test_dkb_corralctl_build() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	mkdir -p "$T/elsewhere"
	ctx "$T/c" data.txt "some data" <<'EOF'
EOF
	cat >"$T/elsewhere/Build.file" <<'EOF'
FROM busybox:latest
ARG NAME
COPY data.txt /
RUN echo "$NAME" >/name
EOF
	local out id
	out=$(ctl build -f "$T/elsewhere/Build.file" --build-arg NAME=ctl -t ctl-img:1 -t ctl-img:2 --iidfile "$T/iid" "$T/c" 2>&1) ||
		fail "corralctl build: $out"
	assert_contains "$out" "Step 4/4 : RUN" "its steps"
	assert_eq "$(ctl run --rm ctl-img:2 cat /name /data.txt | tr '\n' ' ')" "ctl some data " "both names, and the ARG"
	id=$(ctl image inspect --format '{{.Id}}' ctl-img:1)
	assert_eq "$(cat "$T/iid")" "$id" "--iidfile"
	out=$(ctl build -q -f "$T/elsewhere/Build.file" --build-arg NAME=ctl "$T/c" 2>&1) || fail "-q: $out"
	assert_eq "$out" "$id" "-q prints only the ID (from the cache)"
	out=$(ctl build "$T/nosuch" 2>&1) && fail "a missing directory built"
	assert_contains "$out" "nosuch: not a directory" "its error"
}

# VOLUME as Docker's builder without BuildKit has it: each later step's
# container gets an anonymous volume there, with what the image has there,
# so the step may write into it and what it writes is not kept; the
# directory is made in the image; no volume outlives its step
test_dkb_volume_in_a_dockerfile() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
RUN mkdir /vol && echo a >/vol/a
VOLUME /vol /new
RUN cat /vol/a && echo b >/vol/b && echo n >/new/n
RUN ls /vol /new && echo c >/vol/c
EOF
	local out
	out=$(dock build -t vols:1 "$T/c" 2>&1) || fail "the build: $out"
	assert_contains "$out" "$(printf '/new:\n\n/vol:\na')" "the step after sees the volume's copy of the image's /vol and an empty /new"
	assert_eq "$(dock run --rm vols:1 ls /vol /new | tr '\n' ' ')" "/new:  /vol: a " "what steps wrote there was not kept"
	assert_eq "$(dock image inspect -f '{{json .Config.Volumes}}' vols:1)" '{"/new":{},"/vol":{}}' "the image's volumes"
	assert_eq "$(ctl --json volume ls | jq length)" 0 "volumes left by the build's steps and the run"
	no_containers_left
}

# Steps that change nothing each commit the same empty layer, so an image
# can list one layer more than once (as old builders' images do); overlay
# refuses a layer twice (ELOOP), and the rootfs takes each once, at its
# topmost place, which is the same tree
test_dkb_a_layer_twice_in_an_image() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
RUN echo one >/one
RUN true
RUN true
RUN rm /one && echo two >/two
RUN true
EOF
	local out
	out=$(dock build -q -t twice:1 "$T/c" 2>&1) || fail "the build: $out"
	local layers
	layers=$(dock image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' twice:1 | grep .)
	[ "$(echo "$layers" | sort -u | wc -l)" -lt "$(echo "$layers" | wc -l)" ] || fail "no layer twice: $layers"
	assert_eq "$(dock run --rm twice:1 sh -c 'ls /one 2>&1; cat /two')" "ls: /one: No such file or directory
two" "its files, as its steps left them"
}

# docker build -f with a Dockerfile outside the context: the CLI adds it
# to the context's tar (and to its .dockerignore) and ends the stream
# right after the last file's data, with no padding and no end blocks,
# which dockerd's Go reader takes as the end. A stream cut inside a file
# is still refused.
test_dkb_docker_build_with_a_dockerfile_outside_the_context() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	mkdir -p "$T/elsewhere" "$T/c"
	echo "some data" >"$T/c/data.txt"
	printf 'FROM busybox:latest\nCOPY data.txt /\n' >"$T/elsewhere/Build.file"
	local out cli
	for cli in "$DOCKER_CLI_DIR/docker" /usr/bin/docker; do
		[ -x "$cli" ] || continue
		: >"$T/c/.dockerignore" # the CLI appends to it: then it is the stream's last file
		[ "$cli" = /usr/bin/docker ] && rm "$T/c/.dockerignore"
		out=$(DOCKER_CONFIG="$T/dc0" DOCKER_HOST="unix://$S/docker.sock" DOCKER_BUILDKIT=0 "$cli" build \
			-f "$T/elsewhere/Build.file" -t out:1 "$T/c" 2>&1) || fail "$cli build -f outside the context: $out"
		assert_eq "$(dock run --rm out:1 cat /data.txt)" "some data" "$cli: the image"
		dock rmi out:1 >/dev/null
	done
	# the same stream as a file, cut inside the Dockerfile's data
	(cd "$T/c" && tar --format=ustar -cf - data.txt) | head -c 1024 >"$T/cut.tar"
	printf 'FROM busybox:latest\n' >"$T/df"
	(cd "$T" && tar --format=ustar -cf - df) | head -c 520 >>"$T/cut.tar"
	out=$(curl -s --unix-socket "$S/docker.sock" -X POST --data-binary @"$T/cut.tar" 'http://d/v1.41/build?dockerfile=df&t=cut:1')
	assert_contains "$out" "the build context" "a stream cut inside a file is refused"
	if dock image inspect cut:1 >/dev/null 2>&1; then fail "a cut stream built"; fi
	no_containers_left
}

# docker build -q prints the image's id alone, as Docker's builder sends
# it, and --iidfile writes it; a quiet build that fails says what its
# steps printed, then why.
test_dkb_docker_build_quiet_and_iidfile() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	ctx "$T/c" <<'EOF'
FROM busybox:latest
RUN echo quiet-step
EOF
	local out id
	out=$(dock build -q -t q:1 "$T/c" 2>"$T/err") || fail "-q: $out $(cat "$T/err")"
	id=$(dock image inspect -f '{{.Id}}' q:1)
	assert_eq "$out" "$id" "-q prints the id alone"
	assert_eq "$(cat "$T/err")" "" "-q says nothing else"
	out=$(dock build -q --iidfile "$T/iid1" "$T/c" 2>&1) || fail "-q --iidfile: $out"
	assert_eq "$(cat "$T/iid1")" "$id" "-q --iidfile"
	out=$(dock build --iidfile "$T/iid2" "$T/c" 2>&1) || fail "--iidfile: $out"
	assert_eq "$(cat "$T/iid2")" "$id" "--iidfile"
	printf 'FROM busybox:latest\nRUN echo said-before-failing && exit 4\n' >"$T/c/Dockerfile"
	out=$(dock build -q "$T/c" 2>&1) && fail "a failing quiet build: $out"
	assert_contains "$out" "said-before-failing" "the failing step's output"
	assert_contains "$out" "returned a non-zero code: 4" "its error"
	no_containers_left
}

# Contexts that the docker CLI would never send, sent raw: what climbs out
# of the context lands inside it; a symlink out of it is copied as a
# symlink, and a path through one finds nothing; a Dockerfile outside it
# is not read; a gzip bomb stops at the member's max_ingest.
test_dkb_a_hostile_context_stays_in_itself() {
	trap cleanup_sv EXIT
	echo '{"unprivileged": {"max_ingest": "16M"}}' >"$T/policy.json"
	start_sv_group $(docker_flags) --policy "$T/policy.json"
	import_busybox
	rm -f /tmp/corral-escaped /tmp/corral-escaped-abs
	local out
	out=$("$ROOTDIR/tests/integration/build_context.py" "$S/docker.sock" escape "t=esc") || fail "escape: $out"
	assert_contains "$out" "Successfully built" "the build"
	[ ! -e /tmp/corral-escaped ] && [ ! -e /tmp/corral-escaped-abs ] || fail "a context entry was written outside it"
	[ -z "$(find "$T/state" -maxdepth 3 -name 'corral-escaped*' 2>/dev/null)" ] || fail "an entry climbed out"
	assert_eq "$(dock run --rm esc sh -c 'cd /ctx && find . -name "corral-escaped*" | sort | tr "\n" " "')" \
		"./corral-escaped-up ./tmp/corral-escaped ./tmp/corral-escaped-abs " "inside the context, where .. stops"
	out=$("$ROOTDIR/tests/integration/build_context.py" "$S/docker.sock" links "t=links") || fail "links: $out"
	assert_contains "$out" "Successfully built" "a context with links out"
	assert_eq "$(dock run --rm links sh -c 'readlink /ctx/shadow; readlink /ctx/up' | tr '\n' ' ')" "/etc/shadow ../../../../../../etc " \
		"copied as links"
	out=$("$ROOTDIR/tests/integration/build_context.py" "$S/docker.sock" follow "t=follow")
	assert_contains "$out" "file not found in build context" "a path through a link out of the context"
	out=$("$ROOTDIR/tests/integration/build_context.py" "$S/docker.sock" dockerfile-outside "dockerfile=../../../../etc/passwd")
	assert_contains "$out" "in the build context" "a Dockerfile outside the context"
	assert_not_contains "$out" "root:x:0" "nothing of it read"
	# a member's context is bounded by its max_ingest, decompressed
	out=$(as_uid 4242 "$ROOTDIR/tests/integration/build_context.py" "$S/docker.sock" bomb "t=bomb")
	assert_contains "$out" "more than 16777216 bytes" "the bomb stops at the quota"
	no_build_dirs() { [ -z "$(find "$T/state/builds" -mindepth 1 2>/dev/null)" ]; }
	wait_for 30 no_build_dirs
	no_containers_left
}

# A member builds as itself: its RUN runs in its user namespace, COPY
# --chown gives ids of it, and the image is its own; another member's
# image is not there for FROM or COPY --from, nor its cache for a rebuild.
# An image's labels under io.corral. are corrald's, not its containers'.
test_dkb_members_build_apart() {
	trap cleanup_sv EXIT
	start_sv_group $(docker_flags)
	import_busybox
	ctx "$T/m1" secret.txt "member one's" <<'EOF'
FROM busybox:latest
LABEL io.corral.job=forged
COPY --chown=1000:1000 secret.txt /secret.txt
RUN stat -c '%u:%g' /secret.txt >/owner && id -u >/ran-as
EOF
	chmod -R a+rX "$T/m1"
	local out
	out=$(dockm 4242 build -t mine "$T/m1" 2>&1) || fail "a member's build: $out"
	assert_eq "$(dockm 4242 run --rm mine cat /owner /ran-as | tr '\n' ' ')" "1000:1000 0 " "--chown, and RUN as the container's root"
	dockm 4242 create --name labelled mine >/dev/null || fail "a container of an image with a label under io.corral."
	assert_eq "$(dockm 4242 inspect -f '{{index .Config.Labels "io.corral.job"}}' labelled)" "" \
		"the image's io.corral. label is not the container's"
	dockm 4242 rm labelled >/dev/null
	assert_contains "$(ctl image ls)" "~4242/localhost/mine" "the image is the member's"
	dockm 4243 image inspect mine >/dev/null 2>&1 && fail "another member sees it"
	ctx "$T/m2" <<'EOF'
FROM busybox:latest
COPY --from=mine /secret.txt /stolen
EOF
	chmod -R a+rX "$T/m2"
	out=$(dockm 4243 build "$T/m2" 2>&1) && fail "COPY --from another member's image: $out"
	assert_not_contains "$out" "Successfully built" "no image"
	out=$(dockm 4243 build -t theirs "$T/m1" 2>&1) || fail "the same Dockerfile, another member: $out"
	assert_not_contains "$out" "Using cache" "another member's cache is not this one's"
	out=$(dockm 4242 build -t mine "$T/m1" 2>&1) || fail "the member's rebuild: $out"
	assert_contains "$out" "Using cache" "its own cache"
	no_containers_left
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
