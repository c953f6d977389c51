#!/bin/sh
# daemons.sh - the start-up of lsa-agent, lsa-policyd and lsa-milter:
# `-n` checks the configuration ("configuration OK", exit 0; every error
# as FILE:LINE: KEY: TEXT and exit 1), usage errors exit 2.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
SEED=tests/topologies/seed002.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh

good="$tmp/good.conf"
cat >"$good" <<'EOF'
[agent]
server = lon-bh1
dead_interval = 90s
[policyd]
max_clients = 10
[milter]
hop_limit = 12
EOF

# the topology from the settings, -t not given
viaset="$tmp/via-settings.conf"
printf '[agent]\nserver = HT2\ntopology = %s/tests/topologies/seed004.conf\n' \
    "$(pwd)" >"$viaset"

badset="$tmp/bad.conf"
cat >"$badset" <<'EOF'
[agent]
server = lon-bh1
listen = 691
[milter]
loop_action = drop
EOF

stranger="$tmp/stranger.conf"
printf '[agent]\nserver = par-bh9\n' >"$stranger"

badtopo="$tmp/bad-topology.conf"
printf '[organization]\nname = X\nversion = 1\n[group G]\n' >"$badtopo"

for prog in lsa-agent lsa-policyd lsa-milter; do
	bin="$BUILD/bin/$prog"

	run "$bin" -n -c "$good" -t "$SEED"
	[ "$rc" -eq 0 ] && line out "configuration OK" && lines out 1 &&
	    lines err 0
	result "$prog -n -c (server lon-bh1) -t seed002: configuration OK" $?

	run "$bin" -n -c "$viaset"
	[ "$rc" -eq 0 ] && line out "configuration OK"
	result "$prog -n -c (server HT2, topology seed004): configuration OK" $?

	run "$bin" -n -c "$badset" -t "$SEED"
	[ "$rc" -eq 1 ] && lines out 0 &&
	    line err "$badset:3: listen: bad address \"691\" (want HOST:PORT)" &&
	    line err "$badset:5: loop_action: bad value \"drop\" (want defer, bounce or accept)" &&
	    line err "$prog: configuration has 2 errors" && lines err 3
	result "$prog -n -c bad settings: exit 1, FILE:LINE: KEY: lines" $?

	run "$bin" -n -c "$stranger" -t "$SEED"
	[ "$rc" -eq 1 ] && lines out 0 &&
	    line err "$stranger:0: server: this server \"par-bh9\" is not in the topology $SEED" &&
	    line err "$prog: configuration has 1 error"
	result "$prog -n -c (server par-bh9): exit 1 naming the server" $?

	run "$bin" -n -c "$good" -t "$badtopo"
	[ "$rc" -eq 1 ] && lines out 0 &&
	    line err "$badtopo:4: group \"G\" has no servers" &&
	    line err "$prog: configuration has 1 error"
	result "$prog -n -t bad topology: exit 1, FILE:LINE: lines" $?

	run "$bin" -n -c "$tmp/missing.conf" -t "$SEED"
	[ "$rc" -eq 1 ] && lines out 0 &&
	    line err "$tmp/missing.conf:0: cannot open: No such file or directory"
	result "$prog -n -c missing file: exit 1, FILE:0: cannot open" $?

	for args in "-x" "-n -c $good -t $SEED extra" "-n -c"; do
		# shellcheck disable=SC2086
		run "$bin" $args
		[ "$rc" -eq 2 ] && lines out 0 &&
		    grep -q "^usage: $prog " "$tmp/err"
		result "$prog usage error ($(echo "$args" |
		    sed "s|$tmp/||g")): exit 2" $?
	done
done

[ "$failed" -eq 0 ]
