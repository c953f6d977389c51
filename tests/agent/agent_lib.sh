# agent_lib.sh - what the shell tests of lsa-agent's port 691 share
# (tests/cli/agent_peers.sh, tests/cli/agent_dos.sh); sourced from the
# repository root after tests/cli_lib.sh, with $tmp, $AGENT, $LSACTL,
# $PEER and $pids set. Agent NAME's configuration is $tmp/NAME.conf, its
# control socket $tmp/NAME/ctl.sock, the CA's files are in $tmp/ca
# (tests/agent/mkca.sh), and m (the agent under test) listens on $PORT_M.

# peer CERT STEP...: peer.py against m as the holder of CERT (a name in
# $tmp/ca, "foreign/k" for the foreign CA's, "-" for none)
peer() {
	pe_cert=$1
	shift
	if [ "$pe_cert" != - ]; then
		set -- --cert "$tmp/ca/$pe_cert.pem" --key "$tmp/ca/$pe_cert.key" \
		    "$@"
	fi
	run python3 "$PEER" --port "$PORT_M" --ca "$tmp/ca/ca.pem" --peer m \
	    --ctl "$tmp/m/ctl.sock" "$@"
}

# status AGENT: lsactl status --json of an agent, one line
status() {
	"$LSACTL" status --json -c "$tmp/$1.conf"
}

# peers AGENT: "NAME=STATE ..." of the agent's adjacencies, by name
peers() {
	status "$1" | grep -o '"name":"[^"]*","state":"[^"]*"' |
	    sed 's/"name":"\([^"]*\)","state":"\([^"]*\)"/\1=\2/' | sort |
	    tr '\n' ' ' | sed 's/ $//'
}

# is WANT CMD...: the output of CMD is WANT
is() {
	is_want=$1
	shift
	[ "$("$@")" = "$is_want" ]
}

# alive PID: the daemon still runs
alive() {
	kill -0 "$1" 2>/dev/null
}

# start NAME: run agent NAME in the background, $pid, wait until it
# listens; 1 if it exited (its log says why)
start() {
	: >"$tmp/$1.log"
	"$AGENT" -d -c "$tmp/$1.conf" 2>"$tmp/$1.log" &
	pid=$!
	pids="$pids $pid"
	started "$pid" "$tmp/$1.log" "agent started server=$1 "
}

# agent_conf NAME PORT: $tmp/NAME.conf, the [agent] section of agent NAME
# on 127.0.0.1:PORT with the test CA, $tmp/topo.conf, its state and
# control socket in $tmp/NAME, reconnect_interval 100ms; the caller adds
# its own lines
agent_conf() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1.conf" <<EOF
[agent]
server = $1
topology = $tmp/topo.conf
state_dir = $tmp/$1
listen = 127.0.0.1:$2
tls_ca = $tmp/ca/ca.pem
tls_cert = $tmp/ca/$1.pem
tls_key = $tmp/ca/$1.key
control_socket = $tmp/$1/ctl.sock
reconnect_interval = 100ms
EOF
}

# stop: end the agents started so far
stop() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=""
}

# start_agents NAME...: configure TRY (the test's own: ports, topology
# and configurations) and start the agents, setting NAME_PID (upper case)
# for each; another set of ports when one was in use (three tries).
# 1 if they do not all start (their logs say why).
start_agents() {
	sa_try=0
	while :; do
		configure $sa_try
		sa_ok=1
		for sa_n in "$@"; do
			start "$sa_n" || { sa_ok=0; break; }
			eval "$(echo "$sa_n" | tr a-z A-Z)_PID=\$pid"
		done
		[ "$sa_ok" -eq 1 ] && return 0
		stop
		sa_try=$((sa_try + 1))
		sa_logs=""
		for sa_n in "$@"; do
			sa_logs="$sa_logs $tmp/$sa_n.log"
		done
		# shellcheck disable=SC2086
		grep -q "Address already in use" $sa_logs 2>/dev/null &&
		    [ "$sa_try" -lt 3 ] || return 1
		for sa_n in "$@"; do
			rm -rf "${tmp:?}/$sa_n"
		done
	done
}

# end_agents NAME...: SIGTERM to the agents started: each ends with
# status 0, and no log of NAME... holds a sanitizer report (two results)
end_agents() {
	# shellcheck disable=SC2086
	kill $pids
	ea_st=0
	for p in $pids; do
		wait "$p" || ea_st=1
	done
	pids=""
	[ "$ea_st" -eq 0 ]
	result "SIGTERM: $(echo "$@" | sed 's/ /, /g') exit 0" $?
	ea_logs=""
	for ea_n in "$@"; do
		ea_logs="$ea_logs $tmp/$ea_n.log"
	done
	# shellcheck disable=SC2086
	! grep -Eq "Sanitizer|runtime error" $ea_logs
	result "no sanitizer report in the agents' logs" $?
}
