#!/bin/bash
# corralctl inspect as podman's: Docker's field names (Id, State, Config,
# HostConfig, NetworkSettings, Mounts, RestartCount, Name) beside corral's
# own camelCase keys, read through --format's Go templates, and named as
# podman's inspect names them for a container made alike. The container
# publishes a port: corrald runs in a network namespace of the test's own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

# w: an environment, a label, a port, a volume, a restart policy and a
# health check, on an image with an environment of its own
run_w() {
	need_cni
	start_sv_netns
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	mkdir -p "$T/vol"
	ctl run -d --name w -e K=V -l app=front -p 18080:80 -v "$T/vol:/data" --restart on-failure:3 \
		--health-cmd true --health-interval 1s bb:1 sleep 100 >/dev/null
}
fmt() { ctl inspect --format "$1" w; }
healthy() { [ "$(fmt '{{.State.Health.Status}}')" = healthy ]; }

test_inspect_docker_fields_through_templates() {
	trap cleanup_sv EXIT
	run_w
	local c ip
	c=$(ctl inspect w | jq -c '.[0]')
	ip=$(jq -r '.networks.corral.ipAddress' <<<"$c")
	[[ $ip == 10.88.* ]] || fail "no address on corral's network: [$ip]"
	assert_eq "$(fmt '{{.NetworkSettings.IPAddress}}')" "${ip%/*}" "IPAddress"
	assert_eq "$(fmt '{{range $n, $a := .NetworkSettings.Networks}}{{$n}} {{$a.IPAddress}}{{end}}')" "corral ${ip%/*}" \
		"NetworkSettings.Networks"
	assert_eq "$(fmt '{{range $p, $b := .NetworkSettings.Ports}}{{$p}}->{{(index $b 0).HostPort}}{{end}}')" \
		"80/tcp->18080" "NetworkSettings.Ports"
	# the environment in effect: the image's, then the container's
	assert_eq "$(fmt '{{.Config.Env}}')" "[K=V GREETING=hello-from-image PATH=/bin:/usr/bin]" "Config.Env (dockerd's order: the container's, then the image's)"
	assert_eq "$(fmt '{{range .Mounts}}{{.Destination}} {{.Source}} {{.RW}}{{end}}')" "/data $T/vol true" "Mounts"
	assert_eq "$(fmt '{{len .Mounts}}')" 1 "len"
	assert_eq "$(fmt '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}')" \
		on-failure:3 "HostConfig.RestartPolicy"
	assert_eq "$(fmt '{{.RestartCount}} {{if ne .RestartCount 0}}restarted{{else}}first{{end}}')" "0 first" \
		"RestartCount, ne"
	assert_eq "$(fmt '{{.State.Running}} {{.State.ExitCode}} {{.State.FinishedAt}}')" \
		"true 0 0001-01-01T00:00:00Z" "State"
	assert_eq "$(fmt '{{.State.StartedAt}}')" "$(jq -r .state.startedAt <<<"$c")" "State.StartedAt"
	assert_eq "$(fmt '{{if eq .State.Status "running"}}up{{else}}down{{end}}')" up "if eq"
	wait_for 10 healthy
	assert_eq "$(fmt '{{json .Config.Labels}}')" "$(jq -c .labels <<<"$c")" "json Config.Labels"
	assert_eq "$(fmt '{{index .Config.Labels "app"}} {{lower (upper (index .Config.Labels "app"))}}')" \
		"front front" "index, upper, lower"
	assert_eq "$(fmt '{{join .Config.Cmd " "}}')" "sleep 100" "join Config.Cmd"
	assert_eq "$(fmt '{{upper .Name}}')" W "upper Name"
	assert_eq "$(fmt '{{printf "%s|%.12s" .Id .Id}}')" "$(jq -r '.id + "|" + .id[:12]' <<<"$c")" "printf Id"
	assert_eq "$(fmt '{{.Created}}')" "$(jq -r .created <<<"$c")" "Created"
	assert_eq "$(ctl inspect --format 'table {{.Name}}\t{{.State.Status}}' w | tr -s ' ')" "NAME STATUS
w running" "table"
}

# corral's own keys are there as they were, for jq and for templates
test_inspect_keeps_corral_keys() {
	trap cleanup_sv EXIT
	run_w
	local c
	c=$(ctl inspect w | jq -c '.[0]')
	assert_eq "$(jq -r '[.state.status, .name, .config.env[0], .Name, .Id == .id] | join(" ")' <<<"$c")" \
		"running w K=V w true" "jq's .state, .name, .config"
	# the two sets do not collide: no key twice in the text
	ctl inspect w | python3 -c 'import json, sys
def once(pairs):
	keys = [k for k, _ in pairs]
	if len(keys) != len(set(keys)):
		sys.exit("a key twice: %s" % keys)
	return dict(pairs)
json.load(sys.stdin, object_pairs_hook=once)' || fail "inspect has a key twice"
	# a path not in Docker's State is looked for in corral's state
	assert_eq "$(fmt '{{.State.Checkpointed}} {{.state.restartCount}} {{json .config.env}}')" 'false 0 ["K=V"]' \
		"corral's keys through templates"
	assert_eq "$(fmt '{{range .Config.Mounts}}{{.destination}}{{end}}')" /data "Config.Mounts, corral's"
}

# A podman of the test's own, its storage under $T (its run root under 50
# characters); `podman create` runs no runtime, so none is named.
pm() {
	TMPDIR="$T/pm/tmp" CONTAINERS_CONF="$T/containers.conf" podman --root "$T/pm/root" --runroot "$PM_RUN" \
		--tmpdir "$T/pm/tmp" --storage-driver vfs --cgroup-manager cgroupfs --events-backend file "$@"
}
# (no system reset: it would remove the host's podman networks too)
cleanup_pm() {
	pm rm -af >/dev/null 2>&1
	pm rmi -af >/dev/null 2>&1
	rm -rf "$PM_RUN"
	cleanup_sv
}

# type_at JSON PATH: the type of what PATH (a jq path, as "State.Status")
# holds in the inspect's first object
type_at() { jq -r --arg p "$2" '.[0] | getpath($p | split(".")) | type' <<<"$1"; }

test_inspect_names_as_podmans() {
	command -v podman >/dev/null || skip "podman is not installed (tests/deps.sh installs it)"
	mkdir -p "$T/pm/tmp"
	PM_RUN=$(mktemp -d /tmp/corral-pm.XXXXXX)
	trap cleanup_pm EXIT
	run_w
	printf '[containers]\nnetns = "none"\n' >"$T/containers.conf"
	tar -C "$IMG" -cf "$T/bb.tar" .
	pm import -q "$T/bb.tar" localhost/bb:1 >/dev/null
	pm create --name w -e K=V -l app=front -p 18080:80 --network bridge -v "$T/vol:/data" --restart on-failure:3 \
		--health-cmd true localhost/bb:1 sleep 100 >/dev/null
	local ours theirs p
	ours=$(ctl inspect w)
	theirs=$(pm inspect w)
	for p in Id Created Name RestartCount State.Status State.Running State.ExitCode State.StartedAt \
		State.FinishedAt State.Health.Status Config.Env Config.Cmd Config.Labels Config.Image \
		HostConfig.RestartPolicy.Name HostConfig.RestartPolicy.MaximumRetryCount HostConfig.PortBindings \
		HostConfig.Binds NetworkSettings.IPAddress NetworkSettings.Ports NetworkSettings.Networks Mounts; do
		assert_eq "$(type_at "$ours" "$p")" "$(type_at "$theirs" "$p")" "$p, podman's type"
		[ "$(type_at "$ours" "$p")" != null ] || fail "$p: not in corralctl inspect"
	done
	# what ours has in these, podman has too
	local q
	for q in .State .Config .NetworkSettings '.Mounts[0]' .HostConfig.RestartPolicy; do
		assert_eq "$(jq -c --argjson t "$theirs" "[.[0]$q | keys[] | select(. as \$k | \$t[0]$q | has(\$k) | not)]" <<<"$ours")" \
			"[]" "$q's keys not in podman's"
	done
	local same='.[0] | [.Name, .Config.Cmd, .Config.Labels.app, .HostConfig.RestartPolicy,
		(.Mounts[0] | .Type, .Source, .Destination, .RW), .NetworkSettings.Ports["80/tcp"][0].HostPort]'
	assert_eq "$(jq -c "$same" <<<"$ours")" "$(jq -c "$same" <<<"$theirs")" "the values podman gives alike"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_inspect_"); do
	run_test "$t"
done
