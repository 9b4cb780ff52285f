#!/bin/bash
# time: each case is buildah run or bud under runc and then corral; under the VM's TCG a buildah command takes seconds
# corral under buildah, as image builders drive it: `buildah run` and
# `buildah bud` with --runtime and --isolation oci. Every case runs under
# runc and under corral, with the same buildah, store and options, and must
# give the same. One buildah store serves the whole file (vfs, under $B/tmp);
# its base image is the busybox fixture, added to an empty image by buildah
# itself: nothing is pulled. Its containers have no network at all (and an
# empty CNI configuration, so that a forgotten --network none fails instead
# of making a bridge in the host's namespace) and go below a cgroup parent
# named for the test.
. "$(dirname "$0")/lib.sh"

command -v buildah >/dev/null || { echo "SKIP test_clients_buildah.sh: buildah is not installed (tests/deps.sh installs it)"; echo "skip test_clients_buildah" >>"$RESULTS"; exit 0; }
"$ROOTDIR/tests/fixtures/mkbusybox.sh" "$(dirname "$FIXTURES")" >/dev/null
RUNTIMES="runc corral"
BH=$(mktemp -d "$B/tmp/buildah.XXXXXX")
trap 'rm -rf "$BH"' EXIT

# bh ARGS...: buildah with this file's store and configuration only (none
# of the host's containers.conf, storage.conf, registries, policy, mounts or
# hooks); its bundles go to the test's own directory.
bh() {
	local tmp="${T:-$BH}/bh-tmp"
	mkdir -p "$tmp"
	CONTAINERS_CONF="$BH/containers.conf" CONTAINERS_STORAGE_CONF="$BH/storage.conf" \
		CONTAINERS_REGISTRIES_CONF="$BH/registries.conf" BUILDAH_ISOLATION=oci TMPDIR="$tmp" \
		buildah "$@"
}
rtbin() { [ "$1" = corral ] && echo "$CORRAL" || command -v runc; }
# CLIENT_CGROUP_DRIVER=systemd: buildah's cgroup_manager = "systemd", its
# containers' parent a slice. buildah 1.28 passes the slice alone as
# cgroupsPath, which runc and corral both refuse (not slice:prefix:name), so
# no boot runs this file that way
BH_CGM=${CLIENT_CGROUP_DRIVER:-cgroupfs}
bh_cgp() { if [ "$BH_CGM" = systemd ]; then echo "corralbh_${TID//-/_}.slice"; else echo "/corral-buildah-$TID"; fi; }
# A working container of the base image (or of IMAGE), no network, its
# cgroup below the test's parent.
bh_from() { # [image]
	bh from --pull=never --signature-policy "$BH/policy.json" --network none --cgroupns private \
		--cgroup-parent "$(bh_cgp)" -q "${1:-localhost/bb:1}"
}
bh_run() { # runtime buildah-run-args...
	local rt=$1
	shift
	bh run --runtime "$(rtbin "$rt")" --isolation oci --network none --cgroupns private "$@"
}
# bh_bud runtime dir [bud-args...]: builds dir/Containerfile; the image's
# id goes to $T/iid.<runtime>, and what buildah prints while it copies and
# commits layers (ids, progress) is left out.
bh_bud() {
	local rt=$1 dir=$2
	shift 2
	bh bud --runtime "$(rtbin "$rt")" --isolation oci --network none --cgroupns private \
		--cgroup-parent "$(bh_cgp)" --pull=never --signature-policy "$BH/policy.json" \
		--iidfile "$T/iid.$rt" "$@" "$dir" 2>&1 |
		grep -vE '^(COMMIT|--> |Getting image source signatures|Copying (blob|config) |Writing manifest|Storing signatures|Successfully tagged|[0-9a-f]{64}$)'
	return "${PIPESTATUS[0]}"
}
# What names the runtime in buildah's messages: its path, and the runtime's
# own message after "creating container for [ARGS]: " (runc's and corral's
# wording differ; a case checks what that message says on its own).
norm() { # runtime
	sed -e "s#$(rtbin "$1")#RUNTIME#g" \
		-e 's#\(creating container for \[[^]]*\]\): .*#\1: MESSAGE-OF-THE-RUNTIME#'
}

setup_store() {
	mkdir -p "$BH/cni" "$BH/cni-plugins" "$BH/hooks" "$BH/tmp"
	: >"$BH/mounts.conf"
	cat >"$BH/containers.conf" <<EOC
[containers]
netns = "none"
cgroupns = "private"
pids_limit = 0
# this host lacks CAP_SYS_RESOURCE: no limit above its own
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
default_mounts_file = "$BH/mounts.conf"
[engine]
cgroup_manager = "$BH_CGM"
hooks_dir = ["$BH/hooks"]
[network]
network_backend = "cni"
network_config_dir = "$BH/cni"
cni_plugin_dirs = ["$BH/cni-plugins"]
EOC
	cat >"$BH/storage.conf" <<EOC
[storage]
driver = "vfs"
graphroot = "$BH/root"
runroot = "$BH/run"
EOC
	echo 'unqualified-search-registries = []' >"$BH/registries.conf"
	echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$BH/policy.json"
	# the base image: the busybox fixture as one layer, PATH and one more
	# variable in its config
	# only what mkbusybox.sh makes: the shared rootfs also holds the mount
	# points other files' containers left in it, and a tmpfs over an
	# existing directory takes its mode
	tar -C "$FIXTURES/busybox/rootfs" -cf "$BH/busybox.tar" bin dev etc home proc root run sbin sys tmp usr var &&
		local c &&
		c=$(bh from --signature-policy "$BH/policy.json" --network none -q scratch) &&
		bh add -q "$c" "$BH/busybox.tar" / &&
		bh config --env PATH=/bin:/usr/bin --env GREETING=from-image --cmd /bin/sh "$c" &&
		bh commit -q --rm "$c" localhost/bb:1 >/dev/null
}
STORE_ERR=""
setup_store >"$BH/setup.log" 2>&1 || STORE_ERR="buildah store setup failed: $(tail -3 "$BH/setup.log")"

# Each test: the store's base image is there; its containers, images and
# the cgroup parent are gone when it ends.
start_test() {
	[ -z "$STORE_ERR" ] || fail "$STORE_ERR"
	trap cleanup_test EXIT
}
cleanup_test() {
	bh rm -a >/dev/null 2>&1
	local f
	for f in "$T"/iid.*; do
		[ -f "$f" ] && bh rmi -f "$(cat "$f")" >/dev/null 2>&1
	done
	[ "$BH_CGM" = systemd ] && systemctl stop "$(bh_cgp)" >/dev/null 2>&1
	wait_for 10 cgroups_gone "corral-buildah-$TID" 2>/dev/null || true
}
# Runs the case under each runtime; corral's output must be runc's.
# OUT_runc and OUT_corral keep them for the test's own assertions.
run_both() { # function (given the runtime)
	local got rt
	for rt in $RUNTIMES; do
		got=$("$@" "$rt" 2>&1)
		printf -v "OUT_$rt" '%s' "$got"
		[ "$rt" = runc ] || assert_eq "$got" "$OUT_runc" "$* under corral, against runc"
	done
}
# a Containerfile in its own directory
containerfile() { # name; the file on stdin
	mkdir -p "$T/$1"
	cat >"$T/$1/Containerfile"
}

# ENV, WORKDIR and USER of buildah run: the image's, buildah config's and
# run's own options, a numeric and a named user from the image's
# /etc/passwd and /etc/group.
case_run_env_workdir_user() {
	local rt=$1 c
	c=$(bh_from)
	bh_run "$rt" "$c" sh -c 'echo "GREETING=$GREETING PATH=$PATH PWD=$(pwd)"; id; ls -ldn /home/app | awk "{print \$1, \$3, \$4}"'
	bh_run "$rt" -e FOO="bar baz" --workingdir /tmp "$c" sh -c 'echo "FOO=$FOO PWD=$PWD"'
	bh_run "$rt" --user 1000 "$c" id
	bh_run "$rt" --user app "$c" id
	bh_run "$rt" --user daemon:wheel "$c" id
	bh config --env CFG=from-config --workingdir /srv/new --user app "$c"
	bh_run "$rt" "$c" sh -c 'echo "CFG=$CFG PWD=$(pwd)"; id; ls -ld /srv/new | awk "{print \$1, \$3, \$4}"'
	bh rm "$c" >/dev/null
}
test_buildah_run_env_workdir_user() {
	start_test
	run_both case_run_env_workdir_user
	assert_eq "$OUT_runc" "GREETING=from-image PATH=/bin:/usr/bin PWD=/
uid=0(root) gid=0(root) groups=0(root)
drwxr-xr-x 1000 1000
FOO=bar baz PWD=/tmp
uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)
uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)
uid=1(daemon) gid=10(wheel) groups=10(wheel)
CFG=from-config PWD=/srv/new
uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)
drwxr-xr-x app app" "what runc gives (the test's premise)"
}

# HOME as the process sees it: the runtime sets it from the image's
# /etc/passwd for the process's user (/ for a uid that has none) when the
# process's environment has none (runc's libcontainer does; buildah leaves
# it to the runtime).
case_run_home() {
	local rt=$1 c u
	c=$(bh_from)
	for u in root 1000 daemon 4242; do
		bh_run "$rt" --user "$u" "$c" sh -c 'echo "'"$u"': HOME=$HOME"'
	done
	bh_run "$rt" --user app -e HOME=/custom "$c" sh -c 'echo "app, -e HOME: HOME=$HOME"'
	bh config --env HOME=/from-config "$c"
	bh_run "$rt" "$c" sh -c 'echo "root, HOME in config: HOME=$HOME"'
	bh rm "$c" >/dev/null
}
test_buildah_run_home() {
	start_test
	run_both case_run_home
	assert_eq "$OUT_runc" "root: HOME=/root
1000: HOME=/home/app
daemon: HOME=/usr/sbin
4242: HOME=/
app, -e HOME: HOME=/custom
root, HOME in config: HOME=/from-config" "what runc gives (the test's premise)"
}

# A failing command: buildah run's exit code and its own words, the
# process's stdout and stderr; a command that is not there.
case_run_failures() {
	local rt=$1 c
	c=$(bh_from)
	bh_run "$rt" "$c" sh -c 'echo out; echo err >&2; exit 5' >"$T/o" 2>"$T/e"
	echo "rc=$?"
	cat "$T/o"
	echo "stderr:"
	norm "$rt" <"$T/e"
	bh_run "$rt" "$c" /nonexistent arg >"$T/o" 2>"$T/e"
	echo "rc=$?"
	cat "$T/o"
	echo "stderr:"
	norm "$rt" <"$T/e"
	# the runtime's own message names the file and says why
	grep -q '/nonexistent.*[Nn]o such file or directory' "$T/e" && echo "the runtime names the file: no such file"
	bh rm "$c" >/dev/null
}
test_buildah_run_failing_command() {
	start_test
	run_both case_run_failures
	assert_eq "$OUT_runc" "rc=5
out
stderr:
err
Error: while running runtime: exit status 5
rc=1
stderr:
error running container: from RUNTIME creating container for [/nonexistent arg]: MESSAGE-OF-THE-RUNTIME
: exit status 1
Error: while running runtime: exit status 1
the runtime names the file: no such file" "what runc gives (the test's premise)"
}

# ENV, WORKDIR and USER (numeric, named, user:group) in a Containerfile;
# then the built image's config, and a container of it under the runtime.
case_bud_env_workdir_user() {
	local rt=$1 c
	bh_bud "$rt" "$T/bud"
	echo "rc=$?"
	bh inspect --type image --format '{{.OCIv1.Config.User}}|{{.OCIv1.Config.WorkingDir}}|{{.OCIv1.Config.Env}}' "$(cat "$T/iid.$rt")"
	echo
	c=$(bh_from "$(cat "$T/iid.$rt")")
	bh_run "$rt" "$c" sh -c 'echo "FOO=$FOO PWD=$(pwd)"; id; cat /srv/app/by-1000'
	bh rm "$c" >/dev/null
}
test_buildah_bud_env_workdir_user() {
	start_test
	containerfile bud <<'EOF'
FROM localhost/bb:1
ENV GREETING=from-containerfile FOO="bar baz"
WORKDIR /srv/app
RUN echo "ENV: GREETING=$GREETING FOO=$FOO PATH=$PATH"; echo "WORKDIR: $(pwd)"; ls -ld /srv/app | awk '{print $1, $3, $4}'; chmod 777 /srv/app
USER 1000
RUN echo "USER 1000: $(id)"; echo "written by $(id -u)" >by-1000 && ls -ln by-1000 | awk '{print $3, $4}'
USER app:wheel
RUN echo "USER app:wheel: $(id)"
USER daemon
WORKDIR /tmp
RUN echo "USER daemon: $(id) in $(pwd)"
USER app
WORKDIR /srv/app
EOF
	run_both case_bud_env_workdir_user
	assert_eq "$OUT_runc" "STEP 1/13: FROM localhost/bb:1
STEP 2/13: ENV GREETING=from-containerfile FOO=\"bar baz\"
STEP 3/13: WORKDIR /srv/app
STEP 4/13: RUN echo \"ENV: GREETING=\$GREETING FOO=\$FOO PATH=\$PATH\"; echo \"WORKDIR: \$(pwd)\"; ls -ld /srv/app | awk '{print \$1, \$3, \$4}'; chmod 777 /srv/app
ENV: GREETING=from-containerfile FOO=bar baz PATH=/bin:/usr/bin
WORKDIR: /srv/app
drwxr-xr-x root root
STEP 5/13: USER 1000
STEP 6/13: RUN echo \"USER 1000: \$(id)\"; echo \"written by \$(id -u)\" >by-1000 && ls -ln by-1000 | awk '{print \$3, \$4}'
USER 1000: uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)
1000 1000
STEP 7/13: USER app:wheel
STEP 8/13: RUN echo \"USER app:wheel: \$(id)\"
USER app:wheel: uid=1000(app) gid=10(wheel) groups=10(wheel)
STEP 9/13: USER daemon
STEP 10/13: WORKDIR /tmp
STEP 11/13: RUN echo \"USER daemon: \$(id) in \$(pwd)\"
USER daemon: uid=1(daemon) gid=1(daemon) groups=1(daemon) in /tmp
STEP 12/13: USER app
STEP 13/13: WORKDIR /srv/app
rc=0
app|/srv/app|[PATH=/bin:/usr/bin GREETING=from-containerfile FOO=bar baz]
FOO=bar baz PWD=/srv/app
uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)
written by 1000" "what runc gives (the test's premise)"
}

# HOME in RUN steps: root, a user named in USER with a home in /etc/passwd,
# a uid with no entry (/), and an ENV HOME, which the runtime leaves as it
# is. (buildah run above has the uid, and a home outside /home.)
case_bud_home() {
	local rt=$1
	bh_bud "$rt" "$T/home"
	echo "rc=$?"
}
test_buildah_bud_home() {
	start_test
	containerfile home <<'EOF'
FROM localhost/bb:1
RUN echo "root: HOME=$HOME"
USER app
RUN echo "app: HOME=$HOME"
USER 4242
RUN echo "4242: HOME=$HOME"
ENV HOME=/custom
RUN echo "4242, ENV HOME: HOME=$HOME"
EOF
	run_both case_bud_home
	assert_eq "$(echo "$OUT_runc" | grep -v '^STEP')" "root: HOME=/root
app: HOME=/home/app
4242: HOME=/
4242, ENV HOME: HOME=/custom
rc=0" "what runc gives (the test's premise)"
}

# RUN --mount=type=tmpfs: a tmpfs only for that step (its options, its mode,
# what is written there stays out of the image); buildah run --mount too.
case_tmpfs() {
	local rt=$1 c
	bh_bud "$rt" "$T/tmpfs"
	echo "rc=$?"
	c=$(bh_from)
	bh_run "$rt" --mount type=tmpfs,destination=/scratch "$c" sh -c 'echo run >/scratch/f; cat /scratch/f; grep " /scratch " /proc/self/mounts'
	bh rm "$c" >/dev/null
}
test_buildah_tmpfs_mounts() {
	start_test
	containerfile tmpfs <<'EOF'
FROM localhost/bb:1
RUN --mount=type=tmpfs,target=/scratch --mount=type=tmpfs,target=/srv/t,tmpfs-size=1m echo x >/scratch/f && ls -A /scratch && grep -E " /(scratch|srv/t) " /proc/self/mounts && stat -c "%a %U" /scratch /srv/t
RUN if test -e /scratch/f; then echo "tmpfs content kept"; else echo "tmpfs content gone"; fi; test -d /scratch && echo "mount point kept" || echo "mount point gone"
EOF
	run_both case_tmpfs
	# (tmpfs shows inode64 on the VM's kernel and not on the host's)
	assert_eq "$(echo "$OUT_runc" | grep -v '^STEP' | sed 's/,inode64//')" "f
tmpfs /scratch tmpfs rw,relatime 0 0
tmpfs /srv/t tmpfs rw,relatime,size=1024k 0 0
1777 root
1777 root
tmpfs content gone
mount point gone
rc=0
run
tmpfs /scratch tmpfs rw,relatime 0 0" "what runc gives (the test's premise)"
}

# A failing RUN: the build stops there with the step's exit code and
# buildah's words; an exec-form RUN of a command that is not there.
case_bud_failing_run() {
	local rt=$1
	bh_bud "$rt" "$T/fail" --no-cache --force-rm | norm "$rt"
	echo "rc=${PIPESTATUS[0]}"
	bh_bud "$rt" "$T/missing" --no-cache --force-rm >"$T/b"
	echo "rc=$?"
	norm "$rt" <"$T/b"
	grep -q '/nonexistent.*[Nn]o such file or directory' "$T/b" && echo "the runtime names the file: no such file"
	bh containers -q | wc -l
}
test_buildah_bud_failing_run() {
	start_test
	containerfile fail <<'EOF'
FROM localhost/bb:1
RUN echo before
RUN sh -c 'echo failing >&2; exit 3'
RUN echo never
EOF
	containerfile missing <<'EOF'
FROM localhost/bb:1
RUN ["/nonexistent", "arg"]
EOF
	run_both case_bud_failing_run
	assert_eq "$OUT_runc" "STEP 1/4: FROM localhost/bb:1
STEP 2/4: RUN echo before
before
STEP 3/4: RUN sh -c 'echo failing >&2; exit 3'
failing
Error: building at STEP \"RUN sh -c 'echo failing >&2; exit 3'\": while running runtime: exit status 3
rc=3
rc=1
STEP 1/2: FROM localhost/bb:1
STEP 2/2: RUN [\"/nonexistent\", \"arg\"]
error running container: from RUNTIME creating container for [/nonexistent arg]: MESSAGE-OF-THE-RUNTIME
: exit status 1
Error: building at STEP \"RUN /nonexistent arg\": while running runtime: exit status 1
the runtime names the file: no such file
0" "what runc gives (the test's premise)"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
