#!/bin/bash
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
x() { echo "\$ docker $*"; dock "$@" 2>&1 | head -15; echo "rc=${PIPESTATUS[0]}"; }
test_zz_explore() {
	trap cleanup_sv EXIT; set +e
	start_docker
	import_busybox
	{
	x run --rm --init busybox:latest ps -o pid,comm
	x run --rm --read-only --tmpfs /run:size=1m busybox:latest sh -c 'touch /x; touch /run/y && echo tmpfs-ok; df /run | tail -1'
	x run --rm --cap-drop ALL --security-opt no-new-privileges busybox:latest sh -c 'grep -E "CapEff|NoNewPrivs" /proc/self/status'
	x run --rm --ulimit nofile=100:200 --pids-limit 50 busybox:latest sh -c 'ulimit -n; ulimit -Hn'
	printf 'A=1\n# c\nB=two words\n' > "$T/env"
	x run --rm --env-file "$T/env" --add-host foo:1.2.3.4 --hostname hh --dns 9.9.9.9 busybox:latest sh -c 'echo $A/$B; grep foo /etc/hosts; hostname; cat /etc/resolv.conf'
	x run --rm --user 1000:1000 --group-add 50 -w /tmp busybox:latest sh -c 'id; pwd'
	x run --rm --entrypoint "" busybox:latest echo no-entrypoint
	x run -d --name t1 --label a=b --stop-timeout 3 busybox:latest sleep 1000
	x top t1
	x rename t1 t2
	x update --memory 64m t2
	x port t2
	x exec -w /etc -e Z=9 -u 1 t2 sh -c 'pwd; echo $Z; id -u'
	x diff t2
	x stats --no-stream --format '{{.Name}} {{.PIDs}}' t2
	x wait --help
	x kill -s USR1 t2
	x stop -t 1 t2
	x wait t2
	x logs --since 1h t2
	x system df
	x info --format '{{.Driver}} {{.CgroupVersion}} {{.Containers}}'
	x container prune -f --filter until=1s
	x image prune -f --filter until=1h
	x image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}'
	x run --rm --mount type=bind,src="$T",dst=/m,readonly busybox:latest sh -c 'touch /m/x 2>&1; ls /m | head -2'
	x run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1000000 busybox:latest sh -c 'df /t | tail -1'
	x run --rm -v vv:/v busybox:latest sh -c 'echo hi > /v/f; cat /v/f'
	x volume inspect vv --format '{{.Name}} {{.Driver}}'
	x run --rm --workdir /newdir busybox:latest pwd
	x run --rm --sysctl net.ipv4.ip_forward=1 busybox:latest cat /proc/sys/net/ipv4/ip_forward
	x run --rm --shm-size 1m busybox:latest df /dev/shm
	x run --rm --device /dev/null:/dev/mynull busybox:latest ls -l /dev/mynull
	x run --rm --privileged busybox:latest sh -c 'grep CapEff /proc/self/status'
	x run --rm --cpus 0.5 --memory 100m --memory-swap 200m busybox:latest true
	x run --rm --restart always busybox:latest true
	x run --rm -e HOME busybox:latest sh -c 'echo $HOME'
	x create --name c3 busybox:latest echo created
	x start -a c3
	x start -a c3
	x commit c3 c3img:1
	x rm c3
	x run --rm --network none busybox:latest ip -o link
	x run --rm --ipc host busybox:latest true
	x run --rm --pid host busybox:latest true
	x run --rm --userns host busybox:latest true
	x run --rm --cgroupns private busybox:latest cat /proc/self/cgroup
	x run --rm --log-driver none busybox:latest echo nolog
	x run --rm --oom-score-adj 500 busybox:latest cat /proc/self/oom_score_adj
	x run --rm --stop-signal SIGTERM --health-cmd true --health-interval 1s busybox:latest true
	x run --rm --platform linux/arm64 busybox:latest true
	x image inspect --format '{{.Os}}/{{.Architecture}}' busybox:latest
	x image tag busybox:latest my/bb:2
	x image rm my/bb:2
	x events --since 1m --until 1s --filter type=container --format '{{.Action}}'
	} > /tmp/ex/sweep.txt 2>&1
}
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
