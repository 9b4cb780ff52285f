#!/bin/bash
# Docker's ?filters= as clients send them: docker ps's health, volume,
# since and before; events' label and image (docker-compose follows its
# project's containers by their labels: each container event carries its
# image and labels); docker images' label, before and since. Each test
# runs its own corrald, and cleans up what it made, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

names() { dock ps "$@" --format '{{.Names}}' | sort | tr '\n' ' '; }
state_is() { [ "$(dock inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }

test_dkf_ps() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name first busybox:latest sleep 1000 >/dev/null
	dock run -d --name checked --health-cmd true --health-interval 1s busybox:latest sleep 1000 >/dev/null
	dock run -d --name stored -v data:/data -v "$T:/host:ro" busybox:latest sleep 1000 >/dev/null
	dock run --name ended busybox:latest true
	wait_for 20 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker inspect -f '{{.State.Health.Status}}' checked | grep -qx healthy"
	assert_eq "$(names --filter health=healthy)" "checked " "health=healthy"
	assert_eq "$(names --filter health=none)" "first stored " "health=none"
	assert_eq "$(names --filter health=starting --filter health=unhealthy)" "" "health=starting or unhealthy"
	assert_eq "$(names --filter volume=data)" "stored " "volume=NAME"
	assert_eq "$(names --filter volume=/host)" "stored " "volume=DESTINATION"
	assert_eq "$(names --filter volume="$T")" "stored " "volume=SOURCE of a bind"
	# since and before, by the time each was made; without -a, the running
	assert_eq "$(names --filter since=checked)" "stored " "since=NAME"
	assert_eq "$(names -a --filter since=checked)" "ended stored " "since=NAME with -a"
	assert_eq "$(names --filter before="$(dock inspect -f '{{.Id}}' stored | cut -c1-12)")" "checked first " "before=ID"
	local out
	out=$(dock ps --filter since=nosuch 2>&1) && fail "since a container that is not there: $out"
	assert_contains "$out" "No such container: nosuch" "since=nosuch"
	out=$(dock ps --filter bogus=1 2>&1) && fail "a filter corral does not know was taken: $out"
	assert_contains "$out" "invalid filter 'bogus'" "an unknown filter"
	dock rm -f first checked stored ended >/dev/null
}

# events: label=KEY[=VALUE] holds for a container's labels, image= for its
# image; and docker-compose's events, which ask by the project's label
test_dkf_events() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local t0
	t0=$(date +%s)
	dock run --rm -l proj=one busybox:latest true
	dock run --rm -l proj=two -l extra=yes busybox:latest true
	local until=$(($(date +%s) + 1))
	assert_eq "$(dock events --since "$t0" --until "$until" --filter label=proj=one \
		--format '{{.Action}} {{.Actor.Attributes.proj}} {{.Actor.Attributes.image}}' | tr '\n' ,)" \
		"create one busybox:latest,start one busybox:latest,die one busybox:latest,destroy one busybox:latest," \
		"label=KEY=VALUE, the event carries the labels and the image"
	assert_eq "$(dock events --since "$t0" --until "$until" --filter label=extra --filter label=proj \
		--filter event=start --format '{{.Actor.Attributes.proj}}')" two "label=KEY, and both labels"
	assert_eq "$(dock events --since "$t0" --until "$until" --filter image=busybox:latest --filter event=die \
		--format '{{.Actor.Attributes.proj}}' | tr '\n' ' ')" "one two " "image="
	# an event carries 4 KiB of labels at most: corrald keeps its last 1024
	# events, and a member's labels are as large as its request (64 KiB here)
	local big
	big=$(python3 -c 'import json; print(json.dumps({"image": "busybox:latest", "name": "big", "labels": {"k%04d" % i: "v" * 1000 for i in range(64)}}))')
	ctl call CreateContainer "{\"spec\": $big}" >/dev/null || fail "a container with 64 KiB of labels"
	assert_eq "$(ctl --json events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=big |
		jq -s 'map(.attributes | tostring | length) | max < 4200')" true "an event's labels, bounded"
	ctl rm big >/dev/null
	mkdir -p "$T/p"
	# no network: no CNI (the events are the point)
	printf 'version: "3"\nservices:\n  a:\n    image: busybox:latest\n    command: sleep 1000\n    network_mode: none\n' \
		>"$T/p/docker-compose.yml"
	local dc=(env DOCKER_HOST="unix://$S/docker.sock" DOCKER_CONFIG="$T/dc0" docker-compose -p evp -f "$T/p/docker-compose.yml")
	"${dc[@]}" up -d >/dev/null 2>&1 || fail "compose up"
	"${dc[@]}" events --json >"$T/ev" 2>"$T/ev.err" &
	local ev=$!
	sleep 1
	"${dc[@]}" restart -t 1 a >/dev/null 2>&1 || fail "compose restart"
	wait_for 15 grep -q '"action": "start"' "$T/ev"
	kill "$ev" 2>/dev/null
	wait "$ev" 2>/dev/null || true
	assert_eq "$(jq -r '"\(.service) \(.action)"' "$T/ev" | grep -E ' (die|start)$' | tr '\n' ,)" "a die,a start," \
		"compose events: its service's, by the project's label"
	"${dc[@]}" down >/dev/null 2>&1 || fail "compose down"
}

# docker images: label= (an image's labels are listed), before= and since=
test_dkf_images() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	mkdir -p "$T/c"
	printf 'FROM busybox:latest\nLABEL tier=web\n' >"$T/c/Dockerfile"
	dock build -q -t labelled:1 "$T/c" >/dev/null || fail "build"
	assert_eq "$(curl -s --unix-socket "$S/docker.sock" http://d/v1.41/images/json | jq -c '.[] | select(.RepoTags[0] == "localhost/labelled:1") | .Labels')" \
		'{"org.corral.fixture":"yes","tier":"web"}' "its labels in the list"
	imgs() { dock images "$@" --format '{{.Repository}}' | sort | tr '\n' ' '; }
	assert_eq "$(imgs --filter label=tier=web)" "localhost/labelled " "label=KEY=VALUE"
	assert_eq "$(imgs --filter label=org.corral.fixture)" "localhost/busybox localhost/labelled " "label=KEY"
	assert_eq "$(imgs --filter label=tier=db)" "" "label=KEY=another"
	assert_eq "$(imgs --filter before=labelled:1)" "localhost/busybox " "before="
	assert_eq "$(imgs --filter since=busybox:latest)" "localhost/labelled " "since="
	local out
	out=$(dock images --filter since=nosuch:1 2>&1) && fail "since an image that is not there: $out"
	assert_contains "$out" "No such image: nosuch:1" "since=nosuch"
}

# prunes: until= (a duration ago, or a time), label= and label!=; what a
# filter keeps stays
test_dkf_prunes() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock create --name old -l keep=yes busybox:latest true >/dev/null
	dock create --name old2 busybox:latest true >/dev/null
	local t0 t1
	t0=$(date +%s)
	wait_for 5 sh -c "[ \$(date +%s) -gt $t0 ]"
	t1=$(date +%s) # after old and old2 were made, before new is
	dock create --name new busybox:latest true >/dev/null
	all() { dock ps -a --format '{{.Names}}' | sort | tr '\n' ' '; }
	dock container prune -f --filter "until=$t1" --filter 'label!=keep' >/dev/null || fail "container prune until= label!="
	assert_eq "$(all)" "new old " "until=TIME and label!=KEY: old2 alone went"
	dock container prune -f --filter label=keep=yes >/dev/null || fail "container prune label="
	assert_eq "$(all)" "new " "label=KEY=VALUE"
	dock container prune -f --filter until=1h >/dev/null || fail "container prune until=1h"
	assert_eq "$(all)" "new " "until=1h: nothing that old"
	local out
	out=$(dock container prune -f --filter until=sometime 2>&1) && fail "a bad until was taken: $out"
	assert_contains "$out" "invalid parameter until" "until= of no time"
	# corralctl's --filter, the same filters
	ctl create --name mine -l team=a busybox:latest true >/dev/null
	ctl container prune --filter label=team=b >/dev/null
	assert_eq "$(all)" "mine new " "corralctl: label= of another value"
	ctl container prune --filter label=team=a >/dev/null
	assert_eq "$(all)" "new " "corralctl: label="
	out=$(ctl container prune --filter colour=red 2>&1) && fail "an unknown filter was taken"
	assert_contains "$out" "--filter colour=red: must be until=TIME" "corralctl's unknown filter"
	# images: label= picks the labelled one; until= before the oldest, none
	mkdir -p "$T/c"
	printf 'FROM busybox:latest\nLABEL drop=me\n' >"$T/c/Dockerfile"
	dock build -q -t dropme:1 "$T/c" >/dev/null || fail "build"
	dock image prune -a -f --filter until=2000-01-01T00:00:00Z >/dev/null || fail "image prune until="
	assert_eq "$(dock images --format '{{.Repository}}' | sort | tr '\n' ' ')" "localhost/busybox localhost/dropme " "until= long ago: none"
	dock image prune -a -f --filter label=drop=me >/dev/null || fail "image prune label="
	assert_eq "$(dock images --format '{{.Repository}}' | sort | tr '\n' ' ')" "localhost/busybox " "label=: the labelled one"
	dock rm new >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
