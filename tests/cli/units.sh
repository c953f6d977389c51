#!/bin/sh
# units.sh - the systemd units of packaging/systemd and the readiness
# the daemons report: `systemd-analyze verify` accepts every unit with
# nothing to say (ExecStart pointed at the build, man pages not looked
# up), and lsa-agent and lsa-policyd, run with NOTIFY_SOCKET on a socket
# the test listens on (tests/cli/notify_listen.py), send STATUS= with
# the LST version and READY=1 once their listeners accept connections.
#
# Run from the repository root with BUILD set to the build directory.
set -u
BUILD=${BUILD:-build}
AGENT="$BUILD/bin/lsa-agent"
POLICYD="$BUILD/bin/lsa-policyd"
LSACTL="$BUILD/bin/lsactl"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh
bin=$(cd "$BUILD/bin" && pwd)

# --- systemd-analyze verify
for u in packaging/systemd/*.service; do
	n=$(basename "$u")
	sed "s|/usr/sbin/|$bin/|" "$u" >"$tmp/$n"
	verify_unit "$tmp/$n" "systemd-analyze verify $n"
done
grep -q '^Type=notify$' packaging/systemd/lsa-agent.service &&
    grep -q '^Type=notify$' packaging/systemd/lsa-policyd.service &&
    grep -q '^Type=notify$' packaging/systemd/lsa-milter.service &&
    grep -q '^AmbientCapabilities=CAP_NET_BIND_SERVICE$' \
    packaging/systemd/lsa-agent.service &&
    [ "$(grep -l '^CapabilityBoundingSet=$' packaging/systemd/*.service |
    wc -l)" -eq 2 ]
result "units: notify for the three daemons, a capability for the agent only" $?

# --- sd_notify: lsa-policyd with a snapshot at LST version 7
base=$((22000 + ($$ % 1000) * 4))
mkdir "$tmp/p"
"$LSACTL" snapshot -t tests/topologies/seed002.conf --lst-version 7 \
    -o "$tmp/p/lst.snapshot" >/dev/null
cat >"$tmp/p.conf" <<EOF2
[agent]
server = lon-bh1
topology = $(pwd)/tests/topologies/seed002.conf
state_dir = $tmp/p
[policyd]
socketmap_listen = inet:127.0.0.1:$base
policy_listen = unix:$tmp/p/policy
EOF2
run python3 tests/cli/notify_listen.py --connect "inet:127.0.0.1:$base" \
    --connect "unix:$tmp/p/policy" -- "$POLICYD" -d -c "$tmp/p.conf"
line out "READY=1" && line out "STATUS=lst_version=7 topology_version=1" &&
    line out "connect inet:127.0.0.1:$base ok" &&
    line out "connect unix:$tmp/p/policy ok" && line out "exit 0"
result "lsa-policyd: STATUS= with the LST version, READY=1 when listening" $?

# --- sd_notify: lsa-milter on the same snapshot
MILTER="$BUILD/bin/lsa-milter"
printf '[milter]\nlisten = inet:%s@127.0.0.1\n' $((base + 1)) >>"$tmp/p.conf"
run python3 tests/cli/notify_listen.py \
    --connect "inet:127.0.0.1:$((base + 1))" -- "$MILTER" -d -c "$tmp/p.conf"
line out "READY=1" && line out "connect inet:127.0.0.1:$((base + 1)) ok" &&
    line out "exit 0"
result "lsa-milter: READY=1 when listening" $?

# --- sd_notify: lsa-agent
sh tests/agent/mkca.sh "$tmp/ca" m >/dev/null 2>&1
cat >"$tmp/topo.conf" <<EOF2
[organization]
name = T
version = 1
[group G1]
[server m]
group = G1
address = 127.0.0.1
agent_port = $((base + 1))
EOF2
mkdir "$tmp/m"
cat >"$tmp/m.conf" <<EOF2
[agent]
server = m
topology = $tmp/topo.conf
state_dir = $tmp/m
listen = 127.0.0.1:$((base + 1))
tls_ca = $tmp/ca/ca.pem
tls_cert = $tmp/ca/m.pem
tls_key = $tmp/ca/m.key
control_socket = $tmp/m/ctl.sock
reroute_command =
EOF2
run python3 tests/cli/notify_listen.py \
    --connect "inet:127.0.0.1:$((base + 1))" --connect "unix:$tmp/m/ctl.sock" \
    -- "$AGENT" -d -c "$tmp/m.conf"
line out "READY=1" && grep -q "^STATUS=lst_version=[0-9][0-9]*$" "$tmp/out" &&
    line out "connect inet:127.0.0.1:$((base + 1)) ok" &&
    line out "connect unix:$tmp/m/ctl.sock ok" && line out "exit 0"
result "lsa-agent: STATUS= with the LST version, READY=1 when listening" $?

[ "$failed" -eq 0 ]
