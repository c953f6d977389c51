#!/bin/sh
# e2e.sh - the end-to-end harness (tests/e2e/e2e.py): every server of
# seed 002 (and then seed 004) as a real Postfix instance with its own
# lsa-agent and lsa-policyd, all in one network namespace made for the
# test, faults injected with nftables, stopped daemons and kill -9.
#
# Needs root and network namespaces (otherwise "ok e2e # SKIP ...").
# Run from the repository root with BUILD set (tests/run.sh does both);
# prints "ok NAME" / "not ok NAME" lines and "# " figures; about 4-6
# minutes on 2 cores. Everything it made is gone when it ends, Ctrl-C
# included. E2E_ONLY=1,3 runs some scenarios only.
set -u
BUILD=${BUILD:-build}
export BUILD
exec python3 tests/e2e/e2e.py ${E2E_ONLY:+--only "$E2E_ONLY"}
