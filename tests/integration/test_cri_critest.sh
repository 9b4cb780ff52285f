#!/bin/bash
# critest (cri-tools' CRI validation suite: runtime info, pods, containers,
# security contexts, images, networking, streaming, multiple containers)
# against corrald's own CRI, every spec a Linux runtime answers, and beside
# containerd 1.6 with runc (where cgroup v2 has controllers). critest is
# not packaged in Debian: CRITEST=PATH names one (cri-tools v1.26 builds
# offline with Debian's Go 1.19 from its vendored tree; put it in
# build/clients/critest for the VM tier); without it the file is skipped,
# saying so. CRITEST_FOCUS=REGEX runs the specs it names.
#
# critest pulls its images from gcr.io/k8s-staging-cri-tools and
# registry.k8s.io/e2e-test-images, which this machine cannot reach: a
# registry of the test's own serves both as corrald's mirrors, holding
# images made here from the busybox fixture to what critest asks of each
# (users and groups, a retitled "nginx", a set-user-ID program, a web
# server). Two specs they cannot stand in for are skipped: one pulls
# test-image-digest by a digest nobody here can make; MaskedPaths masks
# /bin/ls and runs `sh -c ls`, which Debian's busybox runs inside its sh
# without exec (kubelet_pod.py's masked paths stand for it).
# time: about 120 s (about 300 s beside containerd, in the VM tier)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
. "$(dirname "$0")/registry_lib.sh"

file_skip() {
	echo "SKIP test_cri_critest.sh: $*"
	echo "skip test_cri_critest" >>"$RESULTS"
	exit 0
}
CRITEST=${CRITEST:-$(command -v critest || echo "$B/clients/critest")}
[ -n "$CRITEST" ] && [ -x "$CRITEST" ] ||
	file_skip "no critest: cri-tools is not packaged in Debian 12 (CRITEST=PATH runs a critest you built)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
SRC="$ROOTDIR/tests/integration/cri/critest"
CRI_TOOLS=gcr.io/k8s-staging-cri-tools
E2E=registry.k8s.io/e2e-test-images

# critest's images come from a registry of the test's own where there is
# docker-registry (the host tier: critest's Image Manager specs pull them);
# else (the VM tier's guest) they stay where corrald built them, and those
# specs are skipped
REGISTRY=$(command -v docker-registry || true)

# corrald with its CRI in a network namespace and an IPC namespace of the
# test's own (critest makes a segment in its own IPC namespace, to see it
# from a container with the node's), pulling both of critest's registries
# from the test's own
start_critest_cri() {
	trap 'reg_cleanup; cleanup_sv; umount "$T/ipcns" 2>/dev/null' EXIT
	need_cni
	local pulls=()
	if [ -n "$REGISTRY" ]; then
		reg_setup
		reg_start reg plain >/dev/null
		pulls=(--registry-certs-dir "$REG_CERTS_D" --registry-insecure "$REG_reg"
			--registry-mirror "gcr.io=$REG_reg" --registry-mirror "registry.k8s.io=$REG_reg")
	else
		: >"$T/netns"
		unshare --net="$T/netns" true
		inns ip link set lo up
	fi
	: >"$T/ipcns"
	unshare --ipc="$T/ipcns" true
	cat >"$T/corrald-ns" <<-WRAP
	#!/bin/sh
	exec nsenter --net="$T/netns" --ipc="$T/ipcns" "$B/bin/corrald" "\$@"
	WRAP
	chmod +x "$T/corrald-ns"
	CORRALD="$T/corrald-ns" start_sv --default-network corral --cri-socket "$S/cri.sock" --cri-user 65533:65533 \
		--stream-address auto "${pulls[@]}"
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null
}

# image NAME... < Dockerfile: built by corrald from a context with the
# stand-ins, named NAME...; with a registry, pushed there under each NAME
# and removed here, so that critest pulls it
image() {
	local ctx="$T/ctx.$RANDOM" n
	mkdir -p "$ctx"
	cp "$B/tests/helpers/critest_nginx" "$ctx/nginx" && cp "$B/tests/helpers/critest_nnp" "$ctx/nnp" &&
		cp "$SRC/pgrep" "$SRC/ipcs" "$ctx/" || fail "the stand-ins: make $B/tests/helpers/critest_nginx"
	cat >"$ctx/Dockerfile"
	ctl build -q -t "$1" "$ctx" >/dev/null || fail "$1 did not build"
	for n in "$@"; do
		if [ -n "$REGISTRY" ]; then
			ctl push -q "$1" "$(mirrored "$n")" >/dev/null || fail "$n was not pushed"
		else
			ctl image tag "$1" "$n" >/dev/null
		fi
	done
	[ -z "$REGISTRY" ] || ctl image rm "$1" >/dev/null
	echo "$@" >>"$T/images"
	rm -rf "$ctx"
}
# where the mirror keeps NAME: its path in its own registry, as containerd mirrors it too
mirrored() {
	case "$1" in
	gcr.io/*) echo "$REG_reg/${1#gcr.io/}" ;;
	registry.k8s.io/*) echo "$REG_reg/${1#registry.k8s.io/}" ;;
	esac
}
# web NAME PORT [first line of its log]
web() {
	image "$1" <<-EOF
	FROM busybox:latest
	RUN mkdir /www && echo 'It works!' >/www/index.html
	CMD ["sh", "-c", "echo \"${3:-serving}\"; exec httpd -f -p $2 -h /www"]
	EOF
}
# every image critest names, by what it asks of each
critest_images() {
	local p='FROM busybox:latest' n
	# busybox's own image: its applets are hard links (a masked /bin/ls
	# is not busybox), and it has pgrep and ipcs
	image $E2E/busybox:1.29-2 <<-EOF
	$p
	RUN cd /bin && for a in \$(busybox --list); do [ \$a = busybox ] || ln -f busybox \$a; done
	COPY pgrep ipcs /bin/
	EOF
	image $E2E/nginx:1.14-2 <<-EOF
	$p
	COPY nginx /usr/sbin/nginx
	RUN mkdir -p /var/run
	CMD ["/usr/sbin/nginx"]
	EOF
	image $E2E/nonewprivs:1.3 <<-EOF
	$p
	COPY nnp /usr/local/bin/nnp
	RUN chmod 4755 /usr/local/bin/nnp
	CMD ["/usr/local/bin/nnp"]
	EOF
	web $E2E/httpd:2.4.39-4 80 "AH00094: Command line: 'httpd -D FOREGROUND'"
	web $E2E/nginx-web:1 80
	web $CRI_TOOLS/hostnet-nginx-amd64:latest 12003
	for n in test-image-latest:latest test-image-tag:test test-image-tag:all \
		test-image-1:latest test-image-2:latest test-image-3:latest; do
		image "$CRI_TOOLS/$n" <<<"$p"$'\n'"RUN echo $n >/which"
	done
	image $CRI_TOOLS/test-image-tags:1 $CRI_TOOLS/test-image-tags:2 $CRI_TOOLS/test-image-tags:3 \
		<<<"$p"$'\nRUN echo tags >/which'
	local www='RUN echo www-data:x:33:33:www-data:/var/www:/bin/sh >>/etc/passwd && echo www-data:x:33: >>/etc/group'
	image $CRI_TOOLS/test-image-user-uid <<<"$p"$'\nUSER 1002'
	image $CRI_TOOLS/test-image-user-username <<<"$p"$'\n'"$www"$'\nUSER www-data'
	image $CRI_TOOLS/test-image-user-uid-group <<<"$p"$'\nUSER 1003:1003'
	image $CRI_TOOLS/test-image-user-username-group <<<"$p"$'\n'"$www"$'\nUSER www-data:www-data'
	image $CRI_TOOLS/test-image-predefined-group <<-EOF
	$p
	RUN echo root:x:0:0:root:/root:/bin/sh >/etc/passwd && \
	    echo default-user:x:1000:1000::/home/default-user:/bin/sh >>/etc/passwd && \
	    printf '%s\\n' root:x:0: default-user:x:1000: group-defined-in-image:x:50000:default-user >/etc/group
	USER 1000
	EOF
	printf '%s\n' "defaultTestContainerImage: $E2E/busybox:1.29-2" \
		"webServerTestImage: $E2E/nginx-web:1" >"$T/images.yaml"
}

# critest on each runtime takes about 6 minutes under the VM tier's TCG
CASE_TIMEOUT=${CASE_TIMEOUT:-1800}

# the specs no stand-in here can serve (see above), and the Image
# Manager's where there is no registry
SKIPPED='public image with digest|should support MaskedPaths'
[ -n "$REGISTRY" ] || SKIPPED+='|Image Manager'

# critest NAME ENDPOINT [ARGS...]: critest on the CRI at ENDPOINT (a unix
# socket path), in the test's namespaces; its output in $T/NAME.out, each
# spec's outcome in $T/NAME.json (ginkgo's report). Returns critest's status.
critest() {
	local rc=0
	# it loads AppArmor's profiles with sudo apparmor_parser: the test is root
	mkdir -p "$T/shims"
	printf '#!/bin/sh\nexec "$@"\n' >"$T/shims/sudo" && chmod +x "$T/shims/sudo"
	PATH="$PATH:$T/shims" nsenter --net="$T/netns" --ipc="$T/ipcns" timeout -k 5 1500 "$CRITEST" --runtime-endpoint "unix://$2" \
		--image-endpoint "unix://$2" --test-images-file "$T/images.yaml" --ginkgo.no-color \
		--ginkgo.json-report "$T/$1.json" --ginkgo.skip "$SKIPPED" \
		${CRITEST_FOCUS:+--ginkgo.focus "$CRITEST_FOCUS"} "${@:3}" >"$T/$1.out" 2>&1 || rc=$?
	echo "critest on $1: $(grep -E '^Ran [0-9]+ of|Passed \|' "$T/$1.out" | tr '\n' ' ')" >&2
	return $rc
}
# NAME: the specs that passed, one a line, sorted
passed() { jq -r '.[].SpecReports[] | select(.LeafNodeType == "It" and .State == "passed") | ([.ContainerHierarchyTexts[], .LeafNodeText] | join(" "))' "$T/$1.json" | sort; }
# NAME ENDPOINT: critest passed whole, every spec it runs here: its 80
# (its 5 benchmarks run only with -benchmark), but those skipped above,
# and AppArmor's 3 where the kernel has it (SELinux's 9 where it is on)
passed_whole() {
	critest "$1" "$2" || fail "critest on $1: $(grep -E '^\s*\[(FAIL|PANICKED)\]' "$T/$1.out" | head -20)"
	assert_contains "$(cat "$T/$1.out")" " Passed | 0 Failed" "critest on $1"
	local want=78
	[ -n "$REGISTRY" ] || want=$((want - 6))
	grep -qs Y /sys/module/apparmor/parameters/enabled && want=$((want + 3))
	[ -n "${CRITEST_FOCUS:-}" ] || [ "$(passed "$1" | wc -l)" -ge $want ] || fail "critest on $1 passed only $(passed "$1" | wc -l) specs"
}

test_critest_on_corral() {
	start_critest_cri
	critest_images
	passed_whole corral "$S/cri.sock"
}

# the same critest on containerd 1.6 with runc (its CRI plugin, the
# reference), in the same namespaces, pulling from the same mirror: corral
# passes every spec that containerd passes. containerd gives its pods
# cgroups with controllers, so this runs where cgroup v2 has them (the VM
# tier's CRI boot)
test_critest_beside_containerd() {
	local c
	for c in cpu memory pids; do
		grep -qw $c /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
			skip "containerd's pods need the $c controller on cgroup v2, which this host binds to v1: the VM tier's CRI boot runs this"
	done
	command -v containerd >/dev/null && command -v runc >/dev/null || skip "no containerd and runc"
	"$ROOTDIR/tests/fixtures/mkpause.sh" "$(dirname "$FIXTURES")" >/dev/null
	start_critest_cri
	critest_images
	. "$ROOTDIR/tests/integration/cri/cri_lib.sh"
	CD="$T/containerd" CD_IN="nsenter --net=$T/netns --ipc=$T/ipcns" RUNTIMES=runc
	trap 'stop_containerd; reg_cleanup; cleanup_sv; umount "$T/ipcns" 2>/dev/null' EXIT
	local h
	if [ -n "$REGISTRY" ]; then # containerd pulls from the same mirror
		CD_HOSTS="$T/hosts"
		for h in gcr.io registry.k8s.io; do
			mkdir -p "$T/hosts/$h"
			printf 'server = "https://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
				"$h" "$REG_reg" >"$T/hosts/$h/hosts.toml"
		done
	fi
	start_containerd || fail "containerd's CRI did not start: $(tail -5 "$CD/log")"
	if [ -z "$REGISTRY" ]; then # the images corrald built, in containerd's store too
		# shellcheck disable=SC2046
		ctl image save -o "$T/images.tar" $(cat "$T/images") && ctr images import "$T/images.tar" >/dev/null ||
			fail "the images did not go to containerd"
	fi
	critest containerd "$CDS/c.sock" ||
		echo "containerd failed: $(grep -E '^\s*\[(FAIL|PANICKED)\]' "$T/containerd.out" | sed 's/^ *//' | tr '\n' ';')" >&2
	passed_whole corral "$S/cri.sock"
	# (grep, not comm: the VM's guest has busybox's tools)
	passed containerd >"$T/containerd.passed"
	passed corral >"$T/corral.passed"
	local missed
	missed=$(grep -Fxv -f "$T/corral.passed" "$T/containerd.passed" || true)
	[ -z "$missed" ] || fail "containerd passed, corral did not: $missed"
	echo "containerd failed, corral passed: $(grep -Fxv -f "$T/containerd.passed" "$T/corral.passed" | tr '\n' ';')" >&2
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
