# For the workload tests (sourced after lib.sh and supervisor_lib.sh):
# their cleanup, and what `corralctl get workloads` and ps say of one.

# workloads first (their replicas), then the rest
cleanup_workloads() {
	set +e
	if [ -n "${CORRALD_PID:-}" ] && kill -0 "$CORRALD_PID" 2>/dev/null; then
		for w in $(ctl --json get workloads 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
			ctl delete workload --wait false "$w" >/dev/null 2>&1
		done
		for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
			ctl session rm -f "$s" >/dev/null 2>&1
		done
	fi
	cleanup_sv
}

# field NAME KEY: of the workload, as get workloads says it
field() { ctl --json get workloads | jq -r ".[] | select(.name == \"$1\") | .$2"; }
# backing_off NAME TEXT: its status backoff and its reason holding TEXT, in
# one answer (once a back-off is over its status is progressing while the
# next try runs, with the reason kept until that fails)
backing_off() {
	local got
	got=$(ctl --json get workloads | jq -r --arg n "$1" '.[] | select(.name == $n) | "\(.status) \(.reason)"')
	case "$got" in "backoff "*"$2"*) return 0 ;; esac
	return 1
}
converged() { [ "$(field "$1" status)" = converged ] && [ "$(field "$1" ready)" = "$2" ]; }
# its containers and its replica sessions
members() { ctl --json ps -a | jq "[.[] | select(.labels[\"io.corral.workload\"] == \"$1\")] | length"; }
sessions_of() { ctl --json session ls | jq "[.[] | select(.labels[\"io.corral.workload\"] == \"$1\")] | length"; }
