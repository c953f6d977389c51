#!/bin/sh
# demo.sh - the main job, for real (tests/e2e/demo.py): seed 002's 13
# servers as real Postfix instances with their lsa-agents and lsa-policyds
# in a network namespace; mail from Dublin to Boston while London-NewYork
# is cut and comes back. Needs root. Run from the repository root with
# BUILD set (make demo does both); about a minute and a half.
BUILD=${BUILD:-build}
export BUILD
exec python3 tests/e2e/demo.py "$@"
