#!/bin/bash
# Log followers that never read: a container writes about 10 MB/s of log
# lines while FOLLOWERS clients follow its log and read nothing (half with
# corralctl logs -f, half through the Docker API, each into a pipe nobody
# reads). Prints corrald's RSS at the start and after SECONDS_RUN, and
# root's worst Ping meanwhile. Issue 57's targets: corrald <= 64 MiB, root
# answered within 100 ms. Runs in a network namespace of its own; prints
# figures, never a timed test.
set -u
[ "${IN_NETNS:-}" = 1 ] || IN_NETNS=1 exec unshare -n "$0" "$@"
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
FOLLOWERS=${FOLLOWERS:-30}
SECONDS_RUN=${SECONDS_RUN:-10}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/corrald_lib.sh"
bench_corrald fol --log-level error --docker-socket "$d/docker.sock" --docker-user 65533:65533
bench_on_exit "ctl rm -f w"
"$here/../fixtures/mkimages.sh" "$(dirname "$B")/$(basename "$B")" >/dev/null
ctl image import "oci:$B/fixtures/images/oci:test" bb:1 >/dev/null
ctl run -d --name w bb:1 sh -c 'while :; do head -c 1000000 /dev/zero | tr "\0" x | fold -w 99; sleep 0.1; done' >/dev/null
echo "corrald RSS at the start: $(rss) kB"
for i in $(seq "$FOLLOWERS"); do
	if [ $((i % 2)) = 0 ]; then
		setsid sh -c "'$B/bin/corralctl' --socket '$sock' logs -f w | sleep 100000" &
	else
		setsid sh -c "curl -s -N --unix-socket '$d/docker.sock' 'http://d/v1.41/containers/w/logs?follow=1&stdout=1' | sleep 100000" &
	fi
	bench_group $!
done
# root asks 5 times a second, each time on a new connection (connect to answer)
probe=$("$here/../integration/churn.py" probe varlink "$sock" "$SECONDS_RUN" 5)
echo "corrald RSS after $SECONDS_RUN s of $FOLLOWERS stalled followers: $(rss) kB (peak $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") kB)"
echo "root's GetInfo meanwhile: $probe"
echo "followers: target corrald <= 65536 kB, root within 100 ms"
