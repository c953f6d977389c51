#!/bin/sh
# lsactl_check.sh - `lsactl check`: good and bad files, the settings'
# server against the topology, usage errors.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines; on a
# failure, the command's exit status and output follow as "# " lines.
set -u
BUILD=${BUILD:-build}
LSACTL="$BUILD/bin/lsactl"
SEED=tests/topologies/seed002.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh

# --- good topologies
for t in tests/topologies/*.conf; do
	run "$LSACTL" check -t "$t"
	[ "$rc" -eq 0 ] && line out "configuration OK" && lines out 1 &&
	    lines err 0
	result "check -t $t: exit 0, configuration OK" $?
done

# --- a topology with errors: every one as FILE:LINE: KEY: TEXT, a count
bad="$tmp/bad.conf"
cat >"$bad" <<'EOF'
[organization]
name = Bad
version = 1

[group G]
hub = maybe

[server s1]
group = G
address = 10.0.0.1
smtp_port = 0

[connector C]
from = G
to = Nowhere
EOF
run "$LSACTL" check -t "$bad"
[ "$rc" -eq 1 ] && lines out 0 &&
    line err "$bad:6: hub: bad boolean \"maybe\" (want yes or no)" &&
    line err "$bad:11: smtp_port: 0 is out of range 1..65535" &&
    line err "$bad:15: to: no group named \"Nowhere\"" &&
    line err "lsactl: 3 errors" && lines err 4
result "check -t bad topology: exit 1, FILE:LINE: KEY: lines, 3 errors" $?

# errors found while resolving come after those of parsing, all reported
bad2="$tmp/bad2.conf"
cat >"$bad2" <<'EOF'
[organization]
name = Bad2

[group G]
master = nobody

[server s1]
group = G
address = 10.0.0.1
colour = blue
EOF
run "$LSACTL" check -t "$bad2"
[ "$rc" -eq 1 ] &&
    line err "$bad2:10: colour: unknown key in [server s1]" &&
    line err "$bad2:1: version: [organization] has no version" &&
    line err "$bad2:5: master: no server named \"nobody\"" &&
    line err "lsactl: 3 errors" && lines err 4
result "check -t bad topology: unknown key, missing key, bad reference" $?

run "$LSACTL" check -t "$tmp/missing.conf"
[ "$rc" -eq 1 ] && lines out 0 &&
    line err "$tmp/missing.conf:0: cannot open: No such file or directory" &&
    line err "lsactl: 1 error"
result "check -t missing file: exit 1, FILE:0: cannot open" $?

# --- settings and topology together
good="$tmp/good-settings.conf"
printf '[agent]\nserver = lon-bh1\n' >"$good"
run "$LSACTL" check -c "$good" -t "$SEED"
[ "$rc" -eq 0 ] && line out "configuration OK" && lines err 0
result "check -c (server lon-bh1) -t seed002: exit 0" $?

stranger="$tmp/stranger.conf"
printf '; not in the topology\n[agent]\nserver = par-bh9\n' >"$stranger"
run "$LSACTL" check -c "$stranger" -t "$SEED"
[ "$rc" -eq 1 ] && lines out 0 &&
    line err "$stranger:0: server: \"par-bh9\" is not a server of the topology $SEED" &&
    line err "lsactl: 1 error"
result "check -c (server par-bh9) -t seed002: exit 1 naming the server" $?

badset="$tmp/bad-settings.conf"
printf '[agent]\nserver = lon-bh1\ndead_interval = soon\n[milter]\nhop_limit = 0\n' \
    >"$badset"
run "$LSACTL" check -c "$badset" -t "$SEED"
[ "$rc" -eq 1 ] && lines out 0 &&
    line err "$badset:3: dead_interval: bad time \"soon\" (want a number and ms, s, m or h)" &&
    line err "$badset:5: hop_limit: 0 is out of range 1..1000" &&
    line err "lsactl: 2 errors" && lines err 3
result "check -c bad settings: exit 1, FILE:LINE: KEY: lines" $?

# the topology comes from the settings when -t is not given
viaset="$tmp/via-settings.conf"
printf '[agent]\nserver = A\ntopology = %s/tests/topologies/seed004.conf\n' \
    "$(pwd)" >"$viaset"
run "$LSACTL" check -c "$viaset"
[ "$rc" -eq 0 ] && line out "configuration OK"
result "check -c (topology = seed004) without -t: exit 0" $?

# --- usage errors: exit 2, the synopsis on stderr, nothing on stdout
usage() {
	run "$LSACTL" "$@"
	[ "$rc" -eq 2 ] && lines out 0 && grep -q '^usage: lsactl ' "$tmp/err"
	result "usage error: lsactl ${*:-(no command)}: exit 2" $?
}
usage
usage frobnicate
usage check extra
usage check -x
usage check -t
usage show
usage show nothing
usage show topology extra
usage defaults extra

[ "$failed" -eq 0 ]
