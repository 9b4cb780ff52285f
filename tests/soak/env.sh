# What run.sh and powerloss.sh begin with, sourced once they have read
# their arguments into B: the checkout as the working directory, B made
# absolute, lib.sh's helpers, the fixtures' images, and a test
# environment ($T) named NAME-PID.
#   . tests/soak/env.sh NAME
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
case "$B" in /*) ;; *) B="$PWD/$B" ;; esac
. tests/integration/lib.sh
tests/fixtures/mkimages.sh "$(dirname "$FIXTURES")" >/dev/null
new_test_env "$1-$$"
