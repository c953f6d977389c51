#!/bin/sh
# agent_dos.sh - lsa-agent's port 691 against hostile clients that never
# authenticate (tests/agent/flood.py), while real neighbours log in.
#
# Two agents in the foreground (-d, logs in $tmp) on 127.0.0.1, ports from
# $$ above 20000, and a third neighbour played by tests/agent/peer.py:
#   m  master of G1, the target     j  member of G1 (an agent; connects
#   k  member of G1 (peer.py;          to m, its name being the smaller)
#      connects to m)
# The strangers come from other loopback addresses (127.0.0.2 and up, the
# topology's servers being at 127.0.0.1). Each case checks that the attack
# fails (m's memory, its log) and that m goes on serving its neighbours:
# k logs in and gets in sync every time, j's adjacency is (re)formed.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both); AGENT may name another lsa-agent binary.
# Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
AGENT=${AGENT:-"$BUILD/bin/lsa-agent"}
LSACTL="$BUILD/bin/lsactl"
PEER="tests/agent/peer.py"
FLOOD="tests/agent/flood.py"
tmp=$(mktemp -d) || exit 1
pids=""
flood_pid=""
cleanup() {
	[ -n "$flood_pid" ] && kill "$flood_pid" 2>/dev/null
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids $flood_pid; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
failed=0
cur_log="$tmp/m.log"
# under ASan, freed memory waits in a quarantine (256 MB): keep it small
# so that the resident set shows what is held
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
. tests/cli_lib.sh
. tests/agent/agent_lib.sh

# rss PID: the resident set of a process, kB
rss() {
	sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"
}

# stop_j: end agent j (its adjacency to m goes down)
stop_j() {
	kill "$J_PID" 2>/dev/null
	wait "$J_PID" 2>/dev/null
	pids=$(echo "$pids" | sed "s/ $J_PID\$//; s/ $J_PID / /")
	until_ok is "j=down k=down" peers m
}

# flood MODE FROM CONNS [SECONDS]: flood.py in the background; waits
# until it has opened its connections
flood() {
	python3 "$FLOOD" --port "$PORT_M" --from "$2" --conns "$3" \
	    --seconds "${4:-0}" "$1" >"$tmp/flood.out" 2>&1 &
	flood_pid=$!
	until_ok grep -q '^ready$' "$tmp/flood.out"
}

# flood_end: stop flood.py (if still running) and wait for it
flood_end() {
	kill "$flood_pid" 2>/dev/null
	wait "$flood_pid" 2>/dev/null
	flood_pid=""
}

# k_logins N: N sessions of k in a row, each in sync at once
k_logins() {
	kl_i=0
	kl_ok=0
	while [ "$kl_i" -lt "$1" ]; do
		peer k login:k fast quit
		out "link
in sync
closed" && kl_ok=$((kl_ok + 1))
		kl_i=$((kl_i + 1))
	done
	echo "$kl_ok of $1"
	[ "$kl_ok" -eq "$1" ]
}

# j_forms: agent j started (again) gets full with m
j_forms() {
	start j && J_PID=$pid && until_ok is "j=full k=down" peers m
}

# ---------------------------------------------------------------- set-up
sh tests/agent/mkca.sh "$tmp/ca" j k m || exit 1
configure() {
	base=$((20000 + (($$ + $1 * 397 + 600) % 1200) * 10))
	PORT_M=$base
	PORT_J=$((base + 1))
	PORT_K=$((base + 2))
	cat >"$tmp/topo.conf" <<EOF
[organization]
name = T
version = 1
[group G1]
master = m
[server m]
group = G1
address = 127.0.0.1
agent_port = $PORT_M
[server j]
group = G1
address = 127.0.0.1
agent_port = $PORT_J
[server k]
group = G1
address = 127.0.0.1
agent_port = $PORT_K
EOF
	for s in m:$PORT_M j:$PORT_J; do
		name=${s%%:*}
		agent_conf "$name" "${s#*:}"
		printf 'reconnect_max = 1s\nreroute_command =\n' \
		    >>"$tmp/$name.conf"
	done
}

: >"$tmp/out"
: >"$tmp/err"
rc=0
start_agents m j
result "agents m, j start on 127.0.0.1:$PORT_M..$PORT_J" $? || exit 1
until_ok is "j=full k=down" peers m && k_logins 1 >/dev/null
result "m: j full, k logs in" $? || exit 1

# ------------------------------------------ commands before authentication
peer - banner ehlo:x repeat:9:cmd:NOOP cmd:NOOP closed
out "banner 220
ehlo 250 STARTTLS X-LINK2STATE
reply 421 4.7.0 Too many commands before authentication
closed" && grep -q 'reason="too many commands before authentication"' \
    "$tmp/m.log"
result "the 11th command before authentication: 421, session closed" $?

peer k banner repeat:3:cmd:RSET ehlo:x repeat:5:cmd:NOOP starttls
out "banner 220
ehlo 250 STARTTLS X-LINK2STATE
tls"
result "10 commands before authentication are taken" $?

# ------------------------------------- clients that never read their replies
# 64 strangers (4 addresses) send NOOP as fast as m takes them, reading
# nothing, for 3 s; k logs in meanwhile. m's resident set grows by less
# than 16 MB (unbounded, it grew by hundreds).
rss0=$(rss "$M_PID")
flood noop 127.0.0.2-17 64 3
k_logins 3 >"$tmp/k_logins"
wait "$flood_pid"
flood_pid=""
rss1=$(rss "$M_PID")
echo "# m's RSS before/after 3 s of 64 never-reading clients:" \
    "${rss0} kB / ${rss1} kB ($(cat "$tmp/flood.out" | tail -n 1))"
alive "$M_PID" && [ $((rss1 - rss0)) -lt 16384 ] &&
    grep -q "3 of 3" "$tmp/k_logins" &&
    [ "$(peers m)" = "j=full k=down" ]
result "64 never-reading clients: m grows <16 MB, k logs in, j full" $?

# ------------------------------------------------ idle sessions in set-up
# 500 idle connections from 127.0.0.2, opened again as soon as m ends
# them: m keeps a few set-up slots for that address and refuses the rest
# (logged); j's adjacency forms again, k logs in every time
stop_j
: >"$tmp/k_logins"
flood idle 127.0.0.2 500
sleep 0.5
j_forms && k_logins 5 >"$tmp/k_logins"
rc=$?
flood_end
grep -q 'reason="too many sessions in set-up from this address"' \
    "$tmp/m.log" && [ "$rc" -eq 0 ]
result "500 idle from one address: j full again, k: $(cat "$tmp/k_logins")" $?

# 400 idle connections from 100 strangers' addresses fill the strangers'
# slots; the neighbours' address has slots of its own
stop_j
: >"$tmp/k_logins"
flood idle 127.0.0.2-101 400
sleep 0.5
j_forms && k_logins 5 >"$tmp/k_logins"
rc=$?
flood_end
grep -q 'reason="too many sessions in set-up"' "$tmp/m.log" &&
    [ "$rc" -eq 0 ]
result "400 idle from 100 addresses: j full again, k: $(cat "$tmp/k_logins")" $?

# ---------------------------------------------------------------- the end
alive "$M_PID" && until_ok is "j=full k=down" peers m
result "m still runs, j full" $?
end_agents m j

[ "$failed" -eq 0 ]
