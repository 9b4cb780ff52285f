#!/bin/bash
# `make bench`: every benchmark, each printing its figures and ratios
# measured in the same run. Never timed tests: nothing here passes or fails
# on speed. BENCH=lifecycle|images|supervisor|vm|network|broker|workloads|cri|pull|admission|followers|helpers|build picks one.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
want=${BENCH:-lifecycle images supervisor vm network broker workloads cri pull admission followers helpers build}
for b in $want; do
	echo "=== bench: $b"
	case $b in
	lifecycle) "$here/lifecycle.sh" "$B" ;;
	images) "$here/images.sh" "$B" ;;
	supervisor) "$here/supervisor.sh" "$B" ;;
	vm) "$here/lifecycle-vm.sh" "$B" ;;
	network) "$here/network-vm.sh" "$B" ;;
	broker) "$here/broker.sh" "$B" ;;
	workloads) "$here/workloads.sh" "$B" ;;
	cri) "$here/cri-vm.sh" "$B" ;;
	pull) "$here/pull.sh" "$B" ;;
	admission) "$here/admission.sh" "$B" ;;
	followers) "$here/followers.sh" "$B" ;;
	helpers) "$here/helpers.sh" "$B" ;;
	build) "$here/build.sh" "$B" ;;
	*) echo "bench: unknown benchmark $b" ;;
	esac
done
