#!/bin/bash
# Runs inside the corral-vm guest: the integration suite, with controllers.
#   guest-suite.sh ROOT B [ONLY]
# Progress goes to the console (the host keeps it, and reads partial results
# from it if the guest never finishes); results and the log go to $VM_OUT.
root=$1 B=$2
export ONLY=${3:-}
cd "$root" || exit 1
# The image store's tests need python3 and user xattrs on the store's
# filesystem (the guest's tmpfs root on this kernel has neither), and
# nothing in them depends on cgroup controllers: they run on the host.
export SKIP_FILES="test_images" SKIP_REASON="image store tests run on the host tier (no python3 or tmpfs user xattrs in the guest)"
tests/integration/run.sh "$B" 2>&1 | tee "$VM_OUT/log.txt"
rc=${PIPESTATUS[0]}
cp "$B/results/integration.txt" "$VM_OUT/results.txt" 2>/dev/null
exit "$rc"
