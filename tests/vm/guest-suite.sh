#!/bin/bash
# Runs inside the corral-vm guest: the integration suite, with controllers.
#   guest-suite.sh ROOT B [ONLY]
root=$1 B=$2
export ONLY=${3:-}
cd "$root" || exit 1
tests/integration/run.sh "$B" >"$VM_OUT/log.txt" 2>&1
rc=$?
cp "$B/results/integration.txt" "$VM_OUT/results.txt" 2>/dev/null
tail -1 "$VM_OUT/log.txt"
exit $rc
