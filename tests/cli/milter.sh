#!/bin/sh
# milter.sh - lsa-milter, the real binary, driven by miltertest (the Lua
# scripts in tests/milter/, see lib.lua) on tests/milter/tiny.conf as a1
# (group A): the trace header, outsiders' trace headers removed, a loop
# (451 4.4.6), the hop limit (hop_limit = 4: 554 5.4.6), lsa-policyd's
# route checks with its texts (552 5.3.4, 550 5.7.1, 550 5.4.4), the
# message class logged, garbage macros, 10,000 headers, a 60,000-byte
# and a 1 MB header line (tests/bench/bench_milter -1); no snapshot (tempfail), a snapshot
# published later, a bad one refused with the last good kept; -n.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
MILTER="$BUILD/bin/lsa-milter"
LSACTL="$BUILD/bin/lsactl"
TINY="$(pwd)/tests/milter/tiny.conf"
tmp=$(mktemp -d) || exit 1
pids=""
. tests/cli_lib.sh
trap stop_all EXIT	# the daemons in $pids, then $tmp
trap 'exit 130' INT TERM
failed=0
cur_log=""

if ! command -v miltertest >/dev/null; then
	echo "not ok miltertest is installed (packaging/install-deps.sh check)"
	exit 1
fi

# wait_log LOG TEXT: bounded wait (20 s) for a line with a fixed string
wait_log() {
	i=0
	while ! grep -Fq -- "$2" "$1"; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

# conf NAME SNAPSHOT: the settings of a milter on $tmp/NAME.sock
conf() {
	cat >"$tmp/$1.conf" <<EOF2
[agent]
server = a1
topology = $TINY
state_dir = $tmp
[policyd]
snapshot = $2
snapshot_check_interval = 100ms
[milter]
listen = unix:$tmp/$1.sock
hop_limit = 4
EOF2
}

# start NAME: run a milter in the foreground (-v: accepted messages
# logged too), $pid, wait until it serves
start() {
	: >"$tmp/$1.log"
	"$MILTER" -d -v -c "$tmp/$1.conf" 2>"$tmp/$1.log" &
	pid=$!
	pids="$pids $pid"
	wait_log "$tmp/$1.log" "lsa-milter: started "
}

# mt NAME SCRIPT: run tests/milter/SCRIPT.lua against milter NAME
mt() {
	MILTER_SOCK="unix:$tmp/$1.sock" MT_LIB=tests/milter/lib.lua \
	    MT_SCRIPT="tests/milter/$2.lua" \
	    run timeout 120 miltertest -s tests/milter/run.lua
}

# reason KEY ARGS...: the engine's reason for KEY (lsactl route ARGS)
reason() {
	rs_key=$1
	shift
	"$LSACTL" route -c "$tmp/lsactl.conf" -s "$tmp/lst.snapshot" \
	    --from a1 --json "$@" "$rs_key" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])'
}

printf '[policyd]\ntransport = smtp\n' >"$tmp/lsactl.conf"
"$LSACTL" snapshot -c "$tmp/lsactl.conf" -t "$TINY" --lst-version 7 \
    -o "$tmp/lst.snapshot" || exit 1

conf m "$tmp/lst.snapshot"
run "$MILTER" -n -c "$tmp/m.conf"
[ "$rc" -eq 0 ] && out "configuration OK"
result "-n checks the configuration" $?

start m
result "lsa-milter starts with a snapshot" $? || exit 1
M_PID=$pid
cur_log="$tmp/m.log"

mt m trace_added
result "trace header added on top (inside client, local mail), kept ones kept" $rc

mt m outsider
[ "$rc" -eq 0 ] && grep -Fq "OUT1: client=192.0.2.7 removed=2 " "$tmp/m.log"
result "trace headers from outside the topology removed" $?

mt m loop
[ "$rc" -eq 0 ] && grep -Fq 'LOOP1: decision=defer status=4.4.6 reason="routing loop" trace="A,B,A"' "$tmp/m.log"
result "loop A,B,A: 451 4.4.6, logged with the trace; A,A passes" $?

mt m hop_limit
result "hop limit 4: 4 groups pass, 5 get 554 5.4.6" $rc

REASON_SIZE=$(reason y@b.tiny.test --size 1080016)
REASON_SENDER=$(reason y@c.tiny.test --sender bad@spam.tiny.test)
REASON_NOROUTE=$(reason y@nowhere.tiny.test)
export REASON_SIZE REASON_SENDER REASON_NOROUTE
mt m route_checks
result "route checks with policyd's texts: 552 5.3.4, 550 5.7.1, 550 5.4.4" $rc

mt m class
[ "$rc" -eq 0 ] &&
    grep -Fq "CLASSHIGH: client=local inside=1 hops=0 class=high system=0 " "$tmp/m.log" &&
    grep -Fq "CLASSLOW: client=local inside=1 hops=0 class=low system=0 " "$tmp/m.log" &&
    grep -Fq "CLASSDSN: client=local inside=1 hops=0 class=normal system=1 " "$tmp/m.log" &&
    grep -Fq "CLASSNULL: client=local inside=1 hops=0 class=normal system=1 " "$tmp/m.log"
result "message class computed and logged (priority headers, DSN, null sender)" $?

mt m route
[ "$rc" -eq 0 ] &&
    grep -Fq 'ROUTEHIGH: decision=filter class=high system=0 nexthop="smtp:[127.0.13.1]:25"' "$tmp/m.log" &&
    ! grep -Fq "ROUTENORMAL: decision=filter" "$tmp/m.log" &&
    ! grep -Fq "ROUTEMIXED: decision=filter" "$tmp/m.log" &&
    grep -Fq "ROUTESYS: recipient=y@d.tiny.test sender= decision=reject status=5.7.1 " "$tmp/m.log" &&
    grep -F "ROUTESYS: " "$tmp/m.log" | grep -Fq "connector A-D-express does not accept normal-priority messages"
result "message classes: X-LSA-Route for a high message over the high-only link, none for normal or mixed; a system message with no route of its class refused 5.7.1" $?

mt m hostile
[ "$rc" -eq 0 ] && ! grep -q "$(printf '\001')" "$tmp/m.log"
result "garbage macros, 10,000 headers, 10,000 forged trace headers" $?

# miltertest crashes on header lines of a few KB: the bench's client
# sends them (make check builds it)
run "$BUILD/bench/bench_milter" -1 "$tmp/m.sock"
[ "$rc" -eq 0 ] && kill -0 "$M_PID" && mt m trace_added && [ "$rc" -eq 0 ]
result "a 60,000-byte header line passes, a 1 MB one drops the connection; the filter serves on" $?

# ---- no snapshot, then one, then a bad one (the last good one stays)
conf n "$tmp/n.snapshot"
start n
result "lsa-milter starts without a snapshot" $?
cur_log="$tmp/n.log"
grep -Fq "not loaded: messages tempfail until it is" "$tmp/n.log"
result "no snapshot at start is logged" $?

mt n nosnap
[ "$rc" -eq 0 ] && grep -Fq 'NOSNAP1: decision=defer status=4.3.0 reason="no LST snapshot loaded"' "$tmp/n.log"
result "no snapshot: 451 4.3.0 tempfail" $?

cp "$tmp/lst.snapshot" "$tmp/n.snapshot.new" &&
    mv "$tmp/n.snapshot.new" "$tmp/n.snapshot" &&
    wait_log "$tmp/n.log" "snapshot=$tmp/n.snapshot loaded lst_version=7 "
result "a snapshot published later is loaded" $?
mt n trace_added
result "and used" $rc

echo '{"format": "lsa-snapshot-1", "lst_version": 8}' >"$tmp/n.snapshot.new" &&
    mv "$tmp/n.snapshot.new" "$tmp/n.snapshot" &&
    wait_log "$tmp/n.log" "snapshot=$tmp/n.snapshot rejected"
result "a bad snapshot is refused (logged)" $?
mt n trace_added
result "the last good snapshot stays in use" $rc

exit $((failed > 0))
