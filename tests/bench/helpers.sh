#!/bin/bash
# A member's helpers at once: CLIENTS of one member (uid 4242), each in a
# loop until it is refused, ask VolumeInspect of its volume of FILES files
# (each a walk in a child of corrald's) for SECONDS_RUN, while root asks GetInfo on one
# connection every 5 ms. Prints how many walks were at work, their
# niceness, and root's answer times (p50, p90, p99, max). With a second
# build, the same for it, side by side. Runs in a network namespace of its
# own; prints figures, never a timed test.
#   tests/bench/helpers.sh BUILD [OTHER_BUILD]
set -u
[ "${IN_NETNS:-}" = 1 ] || IN_NETNS=1 exec unshare -n "$0" "$@"
CLIENTS=${CLIENTS:-64}
FILES=${FILES:-300000}
SECONDS_RUN=${SECONDS_RUN:-8}
here=$(cd "$(dirname "$0")" && pwd)

# GetInfo every 5 ms on one connection: the answer times, sorted
probe() {
	python3 - "$1" "$2" <<-'PY'
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	ts, end = [], time.monotonic() + float(sys.argv[2])
	while time.monotonic() < end:
	    t = time.monotonic()
	    s.sendall(b'{"method":"org.varlink.service.GetInfo"}\0')
	    b = b""
	    while b"\0" not in b:
	        b += s.recv(65536)
	    ts.append((time.monotonic() - t) * 1000)
	    time.sleep(0.005)
	ts.sort()
	q = lambda p: ts[min(len(ts) - 1, int(p * len(ts)))]
	print("N %d p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms" % (len(ts), q(.5), q(.9), q(.99), ts[-1]))
	PY
}

one() { # BUILD
	(
		B=$1
		case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
		. "$here/corrald_lib.sh"
		bench_corrald hlp --group "$(getent group 65534 | cut -d: -f1)" --log-level error
		as() { setpriv --reuid "$1" --regid 12345 --groups 65534 "${@:2}"; }
		"$here/../fixtures/mkimages.sh" "$B" >/dev/null
		ctl image import "oci:$B/fixtures/images/oci:test" bb:1 >/dev/null
		as 4242 "$B/bin/corralctl" --socket "$sock" run --rm -v big:/data bb:1 \
			sh -c "mkdir /data/d && cd /data/d && seq $FILES | xargs touch" || exit 1
		echo "$B: idle, root's GetInfo: $(probe "$sock" 2)"
		local i
		for i in $(seq "$CLIENTS"); do
			# the member's own loops yield, so that what is measured is corrald's
			# side; one past the bound (answered without a size) stops, as a
			# client told no would (one that asks again at once is the rate
			# limits', tests/bench/admission.sh)
			setsid setpriv --reuid 4242 --regid 12345 --groups 65534 nice -n 19 \
				sh -c "while '$B/bin/corralctl' --socket '$sock' volume inspect big 2>/dev/null | grep -q '\"size\"'; do :; done" &
			bench_group $!
			disown $! # killed at the end: no news
		done
		local want=$((CLIENTS < 16 ? CLIENTS : 16)) # what either build has at work at least
		for i in $(seq 100); do
			[ "$(pgrep -c -P "$pid" -x corrald)" -lt "$want" ] || break
			sleep 0.1
		done
		local kids
		kids=$(pgrep -P "$pid" -x corrald | tr '\n' ,)
		echo "$B: $CLIENTS clients: $(echo "$kids" | tr ',' '\n' | grep -c .) walks at work, nice $(ps -o ni= -p "${kids%%,*}" | tr -d ' ')"
		echo "$B: loaded, root's GetInfo: $(probe "$sock" "$SECONDS_RUN")"
	)
}

one "$1"
[ -z "${2:-}" ] || one "$2"
