#!/bin/bash
# The layout's rules, checked on the tree (DESIGN.md "Layout"):
#   - a folder includes only the folders below it;
#   - supervisor/'s rooms: ctl, daemon and monitor never use each other;
#   - supervisor/ has no .c file at its top level, and none of its files is
#     over 600 lines;
#   - a validator never replies: only a method handler ends a call.
# Results go to $B/results/lint.txt as pass/fail lines.
set -u
B=${1:-build}
cd "$(dirname "$0")/../.."
mkdir -p "$B/results"
out="$B/results/lint.txt"
: >"$out"
rc=0

# what each folder may include, itself aside; a sub-folder is named like any
# other (runtime may not include runtime/cli)
declare -A may=(
	[common]=""
	[bundle]="common"
	[cgroups]="common"
	[runtime]="common bundle cgroups"
	[runtime/cli]="common bundle cgroups runtime"
	[images]="common bundle"
	[supervisor/loop]="common"
	[supervisor/varlink]="common supervisor/loop"
	[supervisor/logs]="common"
	[supervisor/monitor]="common bundle cgroups runtime supervisor/loop supervisor/varlink supervisor/logs"
	[supervisor/daemon]="common bundle cgroups runtime images supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon/broker supervisor/daemon/jobs supervisor/daemon/policy supervisor/daemon/secrets supervisor/daemon/network supervisor/daemon/sessions supervisor/daemon/health supervisor/daemon/workloads"
	[supervisor/daemon/broker]="common supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon supervisor/daemon/sessions"
	[supervisor/daemon/policy]="common bundle images supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon"
	[supervisor/daemon/health]="common supervisor/loop supervisor/varlink supervisor/daemon"
	[supervisor/daemon/secrets]="common bundle images supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon"
	[supervisor/daemon/network]="common bundle images supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon"
	[supervisor/ctl]="common supervisor/varlink"
	[supervisor/daemon/jobs]="common supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon"
	[supervisor/daemon/network]="common supervisor/loop supervisor/varlink supervisor/daemon supervisor/daemon/sessions"
	[supervisor/daemon/sessions]="common bundle images supervisor/loop supervisor/varlink supervisor/logs supervisor/daemon supervisor/daemon/broker supervisor/daemon/network supervisor/daemon/policy"
	[supervisor/daemon/workloads]="common bundle supervisor/loop supervisor/varlink supervisor/daemon supervisor/daemon/sessions supervisor/daemon/health"
)

check() { # name, then the offending lines on stdin
	local bad
	bad=$(cat)
	if [ -z "$bad" ]; then
		echo "pass $1" >>"$out"
		echo "ok   lint: $1"
	else
		echo "fail $1" >>"$out"
		echo "FAIL lint: $1"
		echo "$bad" | head -20 | sed 's/^/    /'
		rc=1
	fi
}

layers() {
	local dir f inc target ok
	for dir in "${!may[@]}"; do
		for f in "$dir"/*.[ch]; do
			[ -e "$f" ] || continue
			grep -o '^#include "[^"]*"' "$f" | sed 's/#include "//; s/"$//' | while read -r inc; do
				case $inc in */*) ;; *) continue ;; esac
				target=${inc%/*}
				[ "$target" = "$dir" ] && continue
				ok=0
				for a in ${may[$dir]}; do [ "$a" = "$target" ] && ok=1; done
				[ $ok = 1 ] || echo "$f includes $inc"
			done
		done
	done
	# every folder with C code has its rule
	find common bundle cgroups runtime images supervisor -name '*.[ch]' -printf '%h\n' | sort -u |
		while read -r dir; do [ -n "${may[$dir]+x}" ] || echo "$dir: no rule in tests/lint/run.sh"; done
}
layers | check "includes point down the layers"

ls supervisor/*.c 2>/dev/null | check "supervisor/ has no .c file at its top level"

find supervisor -name '*.[ch]' ! -name interface.c -exec wc -l {} + | awk '$2 != "total" && $1 > 600 { print $2 ": " $1 " lines" }' |
	check "no file in supervisor/ is over 600 lines"

# A validator returns what was wrong (a json_fault); only a method handler,
# one a vl_method table names, is given the call and answers it:
#   - the validators' own files never name a call;
#   - a function that reads parameters (a yajl_val) takes no call, and
#     answers none, unless it is a method handler.
validators() {
	grep -n 'vl_call' common/json_get.[ch] supervisor/varlink/params.[ch] supervisor/daemon/ctr_spec.[ch]
	local handlers
	handlers=" $(awk -f tests/lint/handlers.awk supervisor/*/*.c $(compgen -G "supervisor/daemon/*/*.c") | tr '\n' ' ') "
	awk -f tests/lint/functions.awk supervisor/*/*.c $(compgen -G "supervisor/daemon/*/*.c") |
		while IFS=$'\t' read -r file name call json answers; do
			[ "$json" = 1 ] || continue
			case $handlers in *" $name "*) continue ;; esac
			[ "$call" = 1 ] && echo "$file: $name reads parameters and takes the call"
			[ "$answers" = 1 ] && echo "$file: $name reads parameters and answers a call"
		done
}
validators | check "validators do not reply"

exit $rc
