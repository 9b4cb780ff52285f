#!/bin/bash
# CopyFrom and CopyTo over an upgraded connection (copy_stream.py speaks the
# wire), into and out of running and stopped containers, and what a hostile
# container does to them: symlinks to the host's files, "..", symlinks
# swapped in while a copy runs, and a hostile tar. Nothing may read or
# write a host file. Each test cleans up its daemon, monitors, containers,
# cgroups and mounts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
IMG="$FIXTURES/busybox/rootfs"
CP="$ROOTDIR/tests/integration/copy_stream.py"

from() { "$CP" "$SOCK" from "$@"; }
to() { "$CP" "$SOCK" to "$@"; }
stat_of() { "$CP" "$SOCK" stat "$@"; }
# sh_run NAME SCRIPT [IMAGE]: a container running sh -c SCRIPT, started
sh_run() {
	ctl call CreateContainer "$(jq -nc --arg i "${3:-t:1}" --arg n "$1" --arg c "$2" \
		'{spec: {image: $i, name: $n, command: ["sh", "-c", $c]}}')" >/dev/null &&
		ctl call Start "{\"id\":\"$1\"}" >/dev/null
}

test_svcp_copy_out_and_in() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	sh_run web 'mkdir -p /srv/d/sub; echo inside >/srv/d/f; chmod 4755 /srv/d/f; ln -s /etc/hostname /srv/d/l
mknod /srv/d/null c 1 3; mkfifo /srv/d/fifo; touch /srv/ready; exec sleep 1000'
	wait_for 5 sh -c "'$CORRALCTL' --socket '$SOCK' exec web test -e /srv/ready"
	from web /srv/d >"$T/d.tar" || fail "CopyFrom failed"
	assert_eq "$(tar tf "$T/d.tar" | sort | tr '\n' ' ')" "d/ d/f d/l d/sub/ " "entries: no device node, no FIFO"
	mkdir "$T/out"
	tar xf "$T/d.tar" -C "$T/out"
	assert_eq "$(cat "$T/out/d/f")" inside "file content"
	assert_eq "$(stat -c %a "$T/out/d/f")" 755 "setuid dropped"
	assert_eq "$(readlink "$T/out/d/l")" /etc/hostname "a symlink stays a symlink"
	assert_eq "$(from web /srv/d/. | tar tf - | sort | tr '\n' ' ')" "./ ./f ./l ./sub/ " "/. sends what it holds"
	# a single file, and a symlink named last is not followed
	assert_eq "$(from web /srv/d/f | tar xO)" inside "one file"
	assert_eq "$(from web /srv/d/l | tar tvf - | awk '{print $1}' | cut -c1)" l "the last name is not followed"
	local e
	e=$(from web /srv/nope 2>&1 >/dev/null) && fail "a missing path copied"
	assert_contains "$e" "/srv/nope: No such file or directory" "a missing path"
	# in: a tree, with modes and times, owned by root
	mkdir -p "$T/src/tree/deep"
	echo hello >"$T/src/tree/a"
	chmod 640 "$T/src/tree/a"
	chown 1234:1234 "$T/src/tree/a"
	echo deep >"$T/src/tree/deep/b"
	tar cf "$T/in.tar" -C "$T/src" tree
	to web /srv <"$T/in.tar" || fail "CopyTo failed"
	assert_eq "$(ctl exec web cat /srv/tree/a /srv/tree/deep/b | tr '\n' ' ')" "hello deep " "copied in"
	assert_eq "$(ctl exec web stat -c '%a %u' /srv/tree/a)" "640 0" "mode kept, owned by root"
	# what is there keeps its kind: no file replaces a directory, nor the
	# reverse, unless overwriteDirs (the Docker API's default)
	ctl exec web sh -c 'mkdir -p /srv/clash/tree/a/kept /srv/clash2 && echo x >/srv/clash/tree/a/kept/x && echo f >/srv/clash2/tree'
	e=$(to web /srv/clash <"$T/in.tar" 2>&1) && fail "a file replaced a directory"
	assert_contains "$e" "/srv/clash: srv/clash/tree/a: cannot overwrite a directory with a non-directory" "a file on a directory"
	assert_eq "$(ctl exec web cat /srv/clash/tree/a/kept/x)" x "the directory is kept, with what it holds"
	e=$(to web /srv/clash2 <"$T/in.tar" 2>&1) && fail "a directory replaced a file"
	assert_contains "$e" "/srv/clash2: srv/clash2/tree: cannot overwrite a non-directory with a directory" "a directory on a file"
	assert_eq "$(ctl exec web cat /srv/clash2/tree)" f "the file is kept"
	"$CP" "$SOCK" to-overwrite web /srv/clash <"$T/in.tar" || fail "CopyTo with overwriteDirs"
	assert_eq "$(ctl exec web cat /srv/clash/tree/a)" hello "with overwriteDirs, the file replaces the directory"
	e=$(to web /srv/nope <"$T/in.tar" 2>&1) && fail "a copy into a missing directory"
	assert_contains "$e" "/srv/nope: No such file or directory" "a missing target directory"
	e=$("$CORRALCTL" --socket "$SOCK" call CopyFrom '{"id":"web","path":"/srv"}' 2>&1) && fail "no upgrade"
	assert_contains "$e" '"parameter":"upgrade"' "a call without upgrade"
	e=$("$CORRALCTL" --socket "$SOCK" call CopyTo '{"id":"web","path":"/srv","owners":true,"toUser":true}' 2>&1) &&
		fail "owners and toUser together"
	assert_contains "$e" '"parameter":"toUser"' "owners and toUser together"
	# a stopped container: its root filesystem
	ctl call Stop '{"id":"web","timeout":0}' >/dev/null
	assert_eq "$(from web /srv/tree/a | tar xO)" hello "CopyFrom a stopped container"
	echo later >"$T/src/tree/a"
	tar cf "$T/in.tar" -C "$T/src" tree
	to web /srv <"$T/in.tar" || fail "CopyTo a stopped container"
	ctl call Start '{"id":"web"}' >/dev/null
	assert_eq "$(ctl exec web cat /srv/tree/a)" later "what was copied in while it was stopped"
	# a stopped container of a shared directory image takes nothing in
	ctl call CreateContainer "{\"spec\":{\"image\":\"$IMG\",\"name\":\"dirimg\",\"command\":[\"true\"]}}" >/dev/null
	e=$(to dirimg /tmp <"$T/in.tar" 2>&1) && fail "copied into a shared directory image"
	assert_contains "$e" "read-only directory" "a shared root refused"
	[ ! -e "$IMG/tmp/tree" ] || { rm -rf "$IMG/tmp/tree"; fail "the shared image was written"; }
}

# The container points symlinks at the host's paths and at its own root;
# the copies follow them inside the container, or not at all.
test_svcp_hostile_symlinks_stay_inside() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local H="$T/host"
	mkdir -p "$H/dir"
	echo host-secret >"$H/secret"
	sh_run evil "ln -s / /evil-root; ln -s $H /hostdir; ln -s $H/secret /secret-link
ln -s ../../../../../../$H /dotdot; mkdir -p $H/dir; echo container-file >$H/secret
ln -s /loop-b /loop-a; ln -s loop-a /loop-b; ln -s /evil-root/hostdir/../../nowhere/x /dangling; touch /ready; exec sleep 1000"
	wait_for 5 sh -c "'$CORRALCTL' --socket '$SOCK' exec evil test -e /ready"
	local out
	# reading through them gives the container's own files, never the host's
	out=$(from evil /evil-root"$H"/secret | tar xO)
	assert_eq "$out" container-file "/evil-root/... is the container's root"
	out=$(from evil /hostdir/secret | tar xO)
	assert_eq "$out" container-file "an absolute link to a host path"
	out=$(from evil /dotdot/secret | tar xO)
	assert_eq "$out" container-file "a link that climbs with .."
	out=$(from evil /secret-link | tar tvf -)
	assert_contains "$out" "secret-link -> $H/secret" "a link named last is sent as a link"
	from evil "/evil-root/../../../$H/secret" >"$T/dd.tar" 2>"$T/dd.err" || fail "CopyFrom with ..: $(cat "$T/dd.err")"
	out=$(tar xOf "$T/dd.tar")
	assert_not_contains "$out" host-secret "a path with .."
	# the stat's linkTarget (docker cp -L goes there) is where a link leads
	# in the container, every link on the way followed inside it
	assert_eq "$(stat_of evil /secret-link | jq -r .linkTarget)" "$H/secret" "a link to a host path"
	assert_eq "$(stat_of evil /dotdot | jq -r .linkTarget)" "$H" "a link that climbs with .."
	assert_eq "$(stat_of evil /evil-root | jq -r .linkTarget)" / "a link to /"
	# (.. climbs from where /hostdir leads, as the kernel's would)
	assert_eq "$(stat_of evil /dangling | jq -r .linkTarget)" "$(dirname "$(dirname "$H")")/nowhere/x" \
		"a link through links and .. to nothing"
	assert_eq "$(stat_of evil "$H/secret" | jq -c '[.size, .linkTarget]')" '[15,""]' "no link: its size, no target"
	out=$(stat_of evil /loop-a 2>&1) && fail "a loop of links was stat'ed: $out"
	assert_contains "$out" "/loop-a: more than 40 links" "a loop of links is refused by name"
	# statOnly (the Docker API's HEAD, which the docker CLI asks of a copy's
	# target, "/" often): the stat, and no tar of the tree
	out=$("$CP" "$SOCK" stat-only evil /) || fail "statOnly of /: $out"
	assert_eq "$(jq -r '.mode / 4096 | floor' <<<"$out")" 4 "statOnly: the stat of / (a directory), alone"
	# writing through them lands in the container
	mkdir -p "$T/src/drop"
	echo dropped >"$T/src/drop/file"
	tar cf "$T/in.tar" -C "$T/src" drop
	to evil /hostdir <"$T/in.tar" || fail "CopyTo /hostdir"
	to evil /dotdot <"$T/in.tar" || fail "CopyTo /dotdot"
	to evil "/evil-root$H/dir" <"$T/in.tar" || fail "CopyTo /evil-root/..."
	[ ! -e "$H/drop" ] && [ ! -e "$H/dir/drop" ] || fail "a host directory was written: $(ls -R "$H")"
	assert_eq "$(ctl exec evil cat "$H/drop/file")" dropped "written in the container's $H"
	assert_eq "$(cat "$H/secret")" host-secret "the host's file is untouched"
	# a hostile tar: .. entries, and a link entry followed by a file through it
	python3 - "$T/bad.tar" "$H" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    def add(name, data=b"x"):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    add("../../../../../../" + sys.argv[2].lstrip("/") + "/climbed")
    l = tarfile.TarInfo("esc"); l.type = tarfile.SYMTYPE; l.linkname = sys.argv[2]; t.addfile(l)
    add("esc/through-link")
    h = tarfile.TarInfo("hard"); h.type = tarfile.LNKTYPE; h.linkname = "../../../../etc/passwd"; t.addfile(h)
PYEOF
	to evil /tmp <"$T/bad.tar" >/dev/null 2>&1 || true # its hard link to a missing file fails it, last
	[ ! -e "$H/climbed" ] && [ ! -e "$H/through-link" ] || fail "the hostile tar wrote on the host: $(ls "$H")"
	ctl exec evil sh -c "cat /tmp/$H/climbed $H/through-link" >/dev/null 2>&1 ||
		fail "the hostile tar's entries did not land in the container"
}

# The container swaps a directory for a symlink to / while copies into and
# out of it run: every copy either works inside the container or fails.
test_svcp_symlink_race_stays_inside() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local H="$T/host"
	mkdir -p "$H/race"
	echo host-secret >"$H/race/secret"
	sh_run racer "mkdir -p $H/race; echo container >$H/race/secret; mkdir /x; touch /ready
while :; do mv /x /xd; ln -s $H /x; rm /x; mv /xd /x; mkdir -p /x/race; echo c >/x/race/secret; done"
	wait_for 5 sh -c "'$CORRALCTL' --socket '$SOCK' exec racer test -e /ready"
	mkdir -p "$T/src/race"
	echo dropped >"$T/src/race/raced"
	tar cf "$T/in.tar" -C "$T/src" race
	local i out ins=0 outs=0
	for i in $(seq 40); do
		# each may fail as the swap goes on under it; none may escape
		to racer /x <"$T/in.tar" >/dev/null 2>&1 && ins=$((ins + 1))
		out=$(from racer /x/race 2>/dev/null | tar xO race/secret 2>/dev/null) && outs=$((outs + 1))
		assert_not_contains "$out" host-secret "a copy out read the host's file"
	done
	echo "copies that got through the race: $ins in, $outs out"
	[ "$ins" -gt 0 ] && [ "$outs" -gt 0 ] || fail "no copy got through: the race was not run"
	[ ! -e "$H/race/raced" ] || fail "a copy in wrote on the host"
	assert_eq "$(cat "$H/race/secret")" host-secret "the host's file is untouched"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svcp_"); do
	run_test "$t"
done
