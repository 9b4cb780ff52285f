#!/bin/bash
# Connection churn: CHURNERS processes of one member (uid 4242) connect, ask
# and close as fast as they can for SECONDS, on the Docker socket and the
# control socket, while root and another member (4343) ask 10 and 5 times a
# second. Prints each one's answers, refusals and failed connects, root's
# and the other member's worst answer (connect to reply), and corrald's RSS
# before and after. Issue 57's targets: root and a member within its
# bounds answered within 100 ms, no connect of theirs refused. Runs in a
# network namespace of its own; prints figures, never a timed test.
set -eu
[ "${IN_NETNS:-}" = 1 ] || IN_NETNS=1 exec unshare -n "$0" "$@"
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
SECONDS_RUN=${SECONDS_RUN:-10}
CHURNERS=${CHURNERS:-2}
here=$(cd "$(dirname "$0")" && pwd)
CHURN="$here/../integration/churn.py"
. "$here/corrald_lib.sh"
bench_corrald adm --group "$(getent group 65534 | cut -d: -f1)" --log-level error \
	--docker-socket "$d/docker.sock" --docker-user 65533:65533
as() { setpriv --reuid "$1" --regid 12345 --groups 65534 "${@:2}"; }
echo "corrald RSS before: $(rss) kB"
pids=()
for i in $(seq "$CHURNERS"); do
	as 4242 "$CHURN" churn docker "$d/docker.sock" "$SECONDS_RUN" >"$d/churn-docker-$i" &
	pids+=($!)
	as 4242 "$CHURN" churn varlink "$sock" "$SECONDS_RUN" >"$d/churn-varlink-$i" &
	pids+=($!)
done
"$CHURN" probe docker "$d/docker.sock" "$SECONDS_RUN" 10 >"$d/root-docker" &
pids+=($!)
"$CHURN" probe varlink "$sock" "$SECONDS_RUN" 10 >"$d/root-varlink" &
pids+=($!)
as 4343 "$CHURN" probe docker "$d/docker.sock" "$SECONDS_RUN" 5 >"$d/member-docker" &
pids+=($!)
wait "${pids[@]}"
echo "corrald RSS after: $(rss) kB"
for f in "$d"/churn-* "$d/root-docker" "$d/root-varlink" "$d/member-docker"; do
	echo "$(basename "$f"): $(cat "$f")"
done
echo "admission: $SECONDS_RUN s, $CHURNERS churners a socket; target: root and the other member within 100 ms, none refused"
