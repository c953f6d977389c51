#!/bin/sh
# state_files.sh - what sits at the paths of the daemons' files:
#   - lsa-policyd with a FIFO, then a symbolic link, at its snapshot path
#     goes on (it used to block in open() forever): it logs the refusal,
#     keeps the last good snapshot and answers from it;
#   - a FIFO as the topology file: -n says so and exits 1 (no blocking);
#   - lsa-agent: a second agent on a state directory in use exits 1 and
#     names the pid of the first, the epoch file unchanged;
#   - lsa-agent where its state files cannot be written: it goes on,
#     `lsactl status` shows "state_write: failing since ...", and the
#     files are written again by the retry timer once the directory is
#     back.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
SEED=tests/topologies/seed002.conf
POLICYD="$BUILD/bin/lsa-policyd"
AGENT="$BUILD/bin/lsa-agent"
LSACTL="$BUILD/bin/lsactl"
CLIENT="tests/policyd/client.py"
tmp=$(mktemp -d) || exit 1
pids=""
trap stop_all EXIT	# tests/cli_lib.sh
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh
. tests/agent/agent_lib.sh	# alive
cur_log=""

# wait_log LOG TEXT: bounded wait (10 s) for a line of a log with TEXT
wait_log() {
	i=0
	while ! grep -Fq -- "$2" "$1"; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && return 1
		sleep 0.1
	done
}

# ------------------------------------------------- lsa-policyd, snapshot
mkdir "$tmp/p"
SNAP="$tmp/p/lst.snapshot"
MAP="unix:$tmp/p/sockmap"
cat >"$tmp/p.conf" <<EOF
[agent]
server = lon-bh1
topology = $(pwd)/$SEED
state_dir = $tmp/p
[policyd]
socketmap_listen = $MAP
policy_listen = unix:$tmp/p/policy
rotation_interval = 1h
snapshot_check_interval = 100ms
EOF
printf '[policyd]\ntransport = smtp\n' >"$tmp/lsactl.conf"
"$LSACTL" snapshot -c "$tmp/lsactl.conf" -t "$SEED" --lst-version 1 \
    -o "$SNAP" >/dev/null 2>&1
"$LSACTL" snapshot -c "$tmp/lsactl.conf" -t "$SEED" --lst-version 2 \
    -o "$tmp/other.snapshot" >/dev/null 2>&1
cur_log="$tmp/p.log"
"$POLICYD" -d -c "$tmp/p.conf" 2>"$tmp/p.log" &
P_PID=$!
pids="$pids $P_PID"
wait_log "$tmp/p.log" "snapshot=$SNAP loaded lst_version=1 "
result "lsa-policyd starts with snapshot lst_version 1" $? || exit 1

# lookup: one raw socketmap lookup, bounded
lookup() {
	run timeout 10 python3 "$CLIENT" lookup "$MAP" x@boston.contoso.test
}
lookup
FIRST=$(cat "$tmp/out")
case $FIRST in OK*) true ;; *) false ;; esac
result "a lookup answers OK from the snapshot" $?

rm "$SNAP" && mkfifo "$SNAP"
wait_log "$tmp/p.log" "snapshot=$SNAP rejected: $SNAP:0: refused: a FIFO, not a regular file"
result "a FIFO at the snapshot path: refused and logged" $?
lookup
alive "$P_PID" && [ "$(cat "$tmp/out")" = "$FIRST" ]
result "a FIFO at the snapshot path: still running, the last good snapshot answers" $?

rm "$SNAP" && ln -s "$tmp/other.snapshot" "$SNAP"
wait_log "$tmp/p.log" "snapshot=$SNAP rejected: $SNAP:0: refused: a symbolic link"
result "a symbolic link at the snapshot path: refused and logged" $?
lookup
alive "$P_PID" && [ "$(cat "$tmp/out")" = "$FIRST" ] &&
    ! grep -q "loaded lst_version=2" "$tmp/p.log"
result "a symbolic link at the snapshot path: still running, lst_version 1 in use" $?

rm "$SNAP" && cp "$tmp/other.snapshot" "$SNAP"
wait_log "$tmp/p.log" "snapshot=$SNAP loaded lst_version=2 "
result "a regular file again: loaded" $?
cur_log=""

# ---------------------------------------------- a FIFO as topology file
printf '[agent]\nserver = lon-bh1\n' >"$tmp/n.conf"
mkfifo "$tmp/topo.fifo"
for prog in lsa-agent lsa-policyd; do
	run timeout 10 "$BUILD/bin/$prog" -n -c "$tmp/n.conf" -t "$tmp/topo.fifo"
	[ "$rc" -eq 1 ] &&
	    grep -Fq "$tmp/topo.fifo:0: refused: a FIFO, not a regular file" "$tmp/err"
	result "$prog -n -t FIFO: exit 1, the FIFO named" $?
done

# ------------------------------------------------ lsa-agent, state_dir
sh tests/agent/mkca.sh "$tmp/ca" solo >/dev/null 2>&1 || exit 1
cat >"$tmp/topo.conf" <<EOF
[organization]
name = Solo
version = 1
[group G]
[server solo]
group = G
address = 127.0.0.1
agent_port = 691
EOF
mkdir "$tmp/a"
# a port above 20000 from our pid, apart from agent_peers.sh's sets
PORT=$((20005 + ($$ % 1200) * 10))
cat >"$tmp/a.conf" <<EOF
[agent]
server = solo
topology = $tmp/topo.conf
state_dir = $tmp/a
listen = 127.0.0.1:$PORT
tls_ca = $tmp/ca/ca.pem
tls_cert = $tmp/ca/solo.pem
tls_key = $tmp/ca/solo.key
control_socket = $tmp/ctl.sock
reroute_command =
EOF
cur_log="$tmp/a.log"
"$AGENT" -d -c "$tmp/a.conf" 2>"$tmp/a.log" &
A_PID=$!
pids="$pids $A_PID"
wait_log "$tmp/a.log" "agent started server=solo "
result "lsa-agent solo starts" $? || exit 1
EPOCH=$(cat "$tmp/a/epoch")

run timeout 10 "$AGENT" -d -c "$tmp/a.conf"
[ "$rc" -eq 1 ] && grep -q "held by pid $A_PID\b" "$tmp/err" &&
    [ "$(cat "$tmp/a/epoch")" = "$EPOCH" ]
result "a second lsa-agent on the state directory: exit 1, the pid named, epoch unchanged" $?

# status_line: the state_write line of lsactl status
status_line() {
	"$LSACTL" status -S "$tmp/ctl.sock" 2>/dev/null | grep '^state_write: '
}

mv "$tmp/a" "$tmp/a.moved" && echo "not a directory" >"$tmp/a"
sed 's/^version = 1$/version = 2/' "$tmp/topo.conf" >"$tmp/topo2.conf" &&
    mv "$tmp/topo2.conf" "$tmp/topo.conf" && kill -HUP "$A_PID"
until_ok status_line >/dev/null
run status_line
alive "$A_PID" &&
    grep -Eq "^state_write: failing since [0-9-]+ [0-9:]+, retry in [0-9]+ ms, last error: $tmp/a/lst.json\..*Not a directory$" "$tmp/out"
result "state files cannot be written: still running, lsactl status says since when and why" $?

# cleared: lsactl status answers, without a state_write line
cleared() {
	"$LSACTL" status -S "$tmp/ctl.sock" >"$tmp/st" 2>/dev/null &&
	    ! grep -q '^state_write' "$tmp/st"
}
rm "$tmp/a" && mv "$tmp/a.moved" "$tmp/a"
until_ok cleared && grep -q '"v":2' "$tmp/a/lst.json" &&
    grep -q 'version = 2' "$tmp/a/lst.snapshot"
result "the directory back: the retry writes lst.json and the snapshot, status clear" $?

[ "$failed" -eq 0 ]
