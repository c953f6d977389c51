#!/bin/sh
# agent_local.sh - the local side of the daemons, driven by lsactl and
# small python clients:
#   - lsactl against a control socket that accepts and never answers:
#     exit 1 with a message within its -T timeout; against one that hangs
#     up at once: exit 1 with a message, never killed by SIGPIPE (141)
#   - 64 idle clients on lsa-agent's control socket: lsactl is turned
#     away while they hold it, and works again once control_idle_timeout
#     (1s here) has closed them
#   - as root: lsa-agent, lsa-policyd and lsa-milter with user = nobody
#     run as nobody (uid and gid, every one of the four, and no
#     supplementary group of root's) and still serve: lsactl status,
#     swaks EHLO on the agent's port, a policy request, postmap -q on
#     the socketmap; an unknown user stops the start with one clear line
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
AGENT="$BUILD/bin/lsa-agent"
POLICYD="$BUILD/bin/lsa-policyd"
LSACTL="$BUILD/bin/lsactl"
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
pids=""
failed=0
. tests/cli_lib.sh
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

# ms: a clock in ms
ms() {
	date +%s%3N
}

# serve MODE SOCKET: a unix listener in the background; MODE hang
# accepts and never answers, close accepts and hangs up at once, idle
# holds N (from $2's suffix) connections to SOCKET open
serve() {
	python3 - "$@" <<'EOF' &
import os, socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
if mode.startswith("idle"):
    held = []
    for _ in range(int(mode[4:])):
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        held.append(c)
    open(path + ".held", "w").close()
    time.sleep(30)
    sys.exit(0)
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    if mode == "close":
        c.close()
    else:
        held.append(c)
EOF
	pids="$pids $!"
	last=$!
}

# ---------------------------------------------------------- lsactl alone
serve hang "$tmp/hang.sock"
until_ok test -S "$tmp/hang.sock"
t0=$(ms)
run "$LSACTL" status -S "$tmp/hang.sock" -T 1
t=$(($(ms) - t0))
[ "$rc" -eq 1 ] && line err "lsactl: $tmp/hang.sock: no answer within 1 s" &&
    [ "$t" -ge 900 ] && [ "$t" -lt 3000 ]
result "lsactl -T 1, a socket that never answers: exit 1 after ${t} ms" $?

serve close "$tmp/close.sock"
until_ok test -S "$tmp/close.sock"
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	run "$LSACTL" status -S "$tmp/close.sock" -T 2
	{ [ "$rc" -eq 1 ] && grep -q "^lsactl: $tmp/close.sock: " "$tmp/err"; } ||
	    { bad=$((bad + 1)); break; }
done
[ "$bad" -eq 0 ]
result "lsactl, a socket that hangs up at once: exit 1 with a message (20 tries)" $?

# ------------------------------------------------------------- one agent
sh tests/agent/mkca.sh "$tmp/ca" a >/dev/null 2>&1 || exit 1
chmod -R a+rX "$tmp/ca"
port=$((20000 + ($$ % 1200) * 10 + 7))
cat >"$tmp/topo.conf" <<EOF
[organization]
name = L
version = 1
[group G]
[server a]
group = G
address = 127.0.0.1
agent_port = $port
EOF
# conf NAME EXTRA: settings file NAME.conf for server a, state in NAME/
conf() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1.conf" <<EOF
[agent]
server = a
topology = $tmp/topo.conf
state_dir = $tmp/$1
listen = 127.0.0.1:$port
tls_ca = $tmp/ca/ca.pem
tls_cert = $tmp/ca/a.pem
tls_key = $tmp/ca/a.key
control_socket = $tmp/$1.sock
control_idle_timeout = 1s
reroute_command =
$2
[policyd]
socketmap_listen = unix:$tmp/$1.sm
policy_listen = unix:$tmp/$1.pol
$3
[milter]
listen = unix:$tmp/$1.milter
$3
EOF
}

# start NAME: lsa-agent -d with NAME.conf until it says started (0) or
# exits (1); its pid in $pid, its log NAME.log
start() {
	: >"$tmp/$1.log"
	"$AGENT" -d -c "$tmp/$1.conf" 2>"$tmp/$1.log" &
	pid=$!
	pids="$pids $pid"
	started "$pid" "$tmp/$1.log" "agent started server=a "
}

stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

conf idle "" ""
start idle
result "lsa-agent starts (control_idle_timeout = 1s)" $? || exit 1
cur_log="$tmp/idle.log"
serve idle64 "$tmp/idle.sock"
until_ok test -e "$tmp/idle.sock.held"
run "$LSACTL" status -S "$tmp/idle.sock" -T 2
[ "$rc" -eq 1 ] && [ -s "$tmp/err" ]
result "64 idle control clients: lsactl is turned away, exit 1" $?
t0=$(ms)
status_ok() {
	run "$LSACTL" status -S "$tmp/idle.sock" -T 2
	[ "$rc" -eq 0 ] && grep -q "^server a, group G" "$tmp/out"
}
until_ok status_ok
rc2=$?
t=$(($(ms) - t0))
[ "$rc2" -eq 0 ] && [ "$t" -lt 3000 ] &&
    grep -q 'client closed reason="idle timeout"' "$tmp/idle.log"
result "the idle clients timed out: lsactl status works ${t} ms later" $?
stop "$pid"
cur_log=

# ------------------------------------------------------- running as nobody
if [ "$(id -u)" -ne 0 ]; then
	echo "ok # SKIP user = nobody (not root)"
	[ "$failed" -eq 0 ]
	exit
fi
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)

# as_nobody PID: every uid and gid of PID is nobody's, and its groups are
# nobody's own
as_nobody() {
	awk -v u="$nobody_uid" -v g="$nobody_gid" -v gs="$(id -G nobody)" '
	    $1 == "Uid:" { ok += ($2 == u && $3 == u && $4 == u && $5 == u) }
	    $1 == "Gid:" { ok += ($2 == g && $3 == g && $4 == g && $5 == g) }
	    $1 == "Groups:" { $1 = ""; sub(/^ /, ""); ok += ($0 == gs) }
	    END { exit ok != 3 }' "/proc/$1/status"
}

conf nobody "user = nobody" "user = nobody"
chown nobody "$tmp/nobody"
start nobody
result "lsa-agent with user = nobody starts" $?
cur_log="$tmp/nobody.log"
as_nobody "$pid"
result "lsa-agent runs as nobody ($(grep -E '^(Uid|Gid|Groups)' \
    "/proc/$pid/status" 2>/dev/null | tr -s '\t\n' '  '))" $?
run "$LSACTL" status -S "$tmp/nobody.sock" -T 2
[ "$rc" -eq 0 ] && grep -q "^server a, group G" "$tmp/out"
result "lsa-agent as nobody serves lsactl status" $?
until_ok test -s "$tmp/nobody/lst.snapshot"
result "lsa-agent as nobody writes its state" $?
if command -v swaks >/dev/null 2>&1; then
	run swaks --server 127.0.0.1 --port "$port" --quit-after EHLO \
	    --ehlo probe.test --timeout 5
	[ "$rc" -eq 0 ] && grep -q "^<-  220 a ESMTP lsa-agent" "$tmp/out" &&
	    grep -q "^<-  250" "$tmp/out"
	result "lsa-agent as nobody answers swaks EHLO on its port $port" $?
else
	echo "ok swaks EHLO on the agent port # SKIP no swaks"
fi
agent_pid=$pid

"$POLICYD" -d -c "$tmp/nobody.conf" 2>"$tmp/policyd.log" &
pd=$!
pids="$pids $pd"
started "$pd" "$tmp/policyd.log" "started server=a"
result "lsa-policyd with user = nobody starts" $?
as_nobody "$pd"
result "lsa-policyd runs as nobody" $?
run python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=x@y.example\n\n")
print(s.recv(4096).decode().strip())' "$tmp/nobody.pol"
[ "$rc" -eq 0 ] && grep -q "^action=" "$tmp/out"
result "lsa-policyd as nobody answers a policy request" $?
if command -v postmap >/dev/null 2>&1; then
	mkdir -p "$tmp/pf"
	: >"$tmp/pf/main.cf"
	run postmap -c "$tmp/pf" -q "x@y.example" \
	    "socketmap:unix:$tmp/nobody.sm:transport"
	# no route to y.example: policyd answers NOTFOUND (exit 1) or a
	# next hop (exit 0); either is an answer, a failure is exit 2+
	[ "$rc" -le 1 ] && ! grep -q "fatal\|warning" "$tmp/err"
	result "lsa-policyd as nobody answers postmap -q on its socketmap" $?
else
	echo "ok postmap -q # SKIP no postmap"
fi
MILTER="$BUILD/bin/lsa-milter"
"$MILTER" -d -c "$tmp/nobody.conf" 2>"$tmp/milter.log" &
md=$!
pids="$pids $md"
started "$md" "$tmp/milter.log" "started server=a"
result "lsa-milter with user = nobody starts" $?
as_nobody "$md"
result "lsa-milter runs as nobody" $?
stop "$md"
stop "$pd"
stop "$agent_pid"
cur_log=

conf baduser "user = no-such-user-lsa" "user = no-such-user-lsa"
run "$AGENT" -d -c "$tmp/baduser.conf"
[ "$rc" -eq 1 ] && grep -q 'user "no-such-user-lsa": no such user' "$tmp/err"
result "lsa-agent, user = no-such-user-lsa: exit 1, no such user" $?
run "$POLICYD" -d -c "$tmp/baduser.conf"
[ "$rc" -eq 1 ] && grep -q 'user "no-such-user-lsa": no such user' "$tmp/err"
result "lsa-policyd, user = no-such-user-lsa: exit 1, no such user" $?
run "$BUILD/bin/lsa-milter" -d -c "$tmp/baduser.conf"
[ "$rc" -eq 1 ] && grep -q 'user "no-such-user-lsa": no such user' "$tmp/err"
result "lsa-milter, user = no-such-user-lsa: exit 1, no such user" $?

# ------------------------------------- lsactl status: schedules, transports
# a's connector to H is never open and limited (its transport missing
# from this master.cf); H's way back is open on weekdays
cat >"$tmp/topo2.conf" <<EOF
[organization]
name = L
version = 1
timezone = Europe/Berlin
[group G]
[group H]
[server a]
group = G
address = 127.0.0.1
agent_port = $port
[server b]
group = H
address = 127.0.0.1
agent_port = $((port + 1))
[connector G-H]
from = G
to = H
schedule = never
max_connections = 2
[connector H-G]
from = H
to = G
schedule = Mon-Fri 08:00-18:00
EOF
mkdir -p "$tmp/pf2"
printf 'smtp      inet  n       -       n       -       -       smtpd\n' \
    >"$tmp/pf2/master.cf"
conf sched "postfix_config_dir = $tmp/pf2" ""
sed -i "s|^topology = .*|topology = $tmp/topo2.conf|" "$tmp/sched.conf"
start sched
result "lsa-agent with scheduled and limited connectors starts" $?
cur_log="$tmp/sched.log"
run "$LSACTL" status -S "$tmp/sched.sock" -T 2
[ "$rc" -eq 0 ] && line out "schedule G-H: closed" &&
    grep -Eq "^schedule H-G: (open, closes|closed, opens) 20[0-9-]+T[0-9:]+[+-][0-9:]+\$" \
    "$tmp/out" &&
    grep -q "^transports missing: 1 limited connector(s)" "$tmp/out"
result "lsactl status: each schedule (state, next edge), the missing transport" $?
run "$LSACTL" status --json -S "$tmp/sched.sock" -T 2
[ "$rc" -eq 0 ] && grep -q '"schedules":\[{"connector":"G-H","open":false,"next":null}' "$tmp/out" &&
    grep -q '"transports_missing":1' "$tmp/out"
result "lsactl status --json: schedules and transports_missing" $?
stop "$pid"
cur_log=

[ "$failed" -eq 0 ]
