#!/bin/sh
# policyd.sh - lsa-policyd end to end: socketmap lookups through postmap
# (Postfix's own client) and a raw client, policy delegation, rotation,
# snapshot changes under a held connection, malformed input, requests
# split across reads, a client that does not read, many connections at
# once, idle timeout, max_clients and running out of descriptors; hostile
# clients: slowloris (request_timeout, a trickler's place to a new
# client), many recipients in a session (memory), half-close (every reply
# written before the close).
#
# Daemons in the foreground (-d), logs in $tmp:
#   A  seed002 as lon-bh1, unix sockets, snapshot STATE_DIR/lst.snapshot,
#      rotation_interval 1h (answers do not rotate within a check; the
#      expected strings come from `lsactl route -s` at the same rotation)
#   B  an inline topology as a1, inet:127.0.0.1 ports, [policyd]
#      snapshot, rotation_interval 300ms, max_size 1M on connector A-B,
#      sender restrictions on connector A-C
#   C  B's snapshot, unix sockets, client_idle_timeout 500ms, max_clients 3
#   D  B's snapshot, unix sockets, at most 16 descriptors (ulimit -n)
#   E  B's snapshot, unix sockets, max_clients 8, request_timeout 1500ms,
#      client_idle_timeout 10s
# tests/policyd/client.py is the raw client (see its header).
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
SEED=tests/topologies/seed002.conf
POLICYD="$BUILD/bin/lsa-policyd"
LSACTL="$BUILD/bin/lsactl"
CLIENT="tests/policyd/client.py"
tmp=$(mktemp -d) || exit 1
pids=""
. tests/cli_lib.sh
trap stop_all EXIT	# the daemons in $pids, then $tmp
trap 'exit 130' INT TERM
failed=0
cur_log=""

# client ARGS...: the raw client, as run does
client() {
	run python3 "$CLIENT" "$@"
}

# noerr: nothing on stderr
noerr() {
	[ ! -s "$tmp/err" ]
}

# wait_log LOG TEXT [N]: bounded wait (20 s) for N (default 1) lines of
# a log with a fixed string
wait_log() {
	i=0
	while [ "$(grep -Fc -- "$2" "$1")" -lt "${3:-1}" ]; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

# alive PID: the daemon still runs
alive() {
	kill -0 "$1" 2>/dev/null
}

# hour: the rotation number of a daemon with rotation_interval = 1h
hour() {
	echo $(($(date +%s%3N) / 3600000))
}

# lsactl CMD ARGS...: lsactl with settings of its own (no server; routing
# defaults as the daemons have them), whatever /etc/lsa/lsa.conf holds
lsactl() {
	lc_cmd=$1
	shift
	"$LSACTL" "$lc_cmd" -c "$tmp/lsactl.conf" "$@"
}

# transport SNAPSHOT FROM ROTATION KEY: the engine's next-hop string
transport() {
	lsactl route -s "$1" --from "$2" --rotation "$3" "$4" |
	    sed -n '1s/^.* from [^ ]*: relay //p'
}

# decision SNAPSHOT FROM KEY [ARGS...]: the engine's "error:..."/"retry:..."
# text (ARGS: more lsactl route options)
decision() {
	dc_snap=$1 dc_from=$2 dc_key=$3
	shift 3
	lsactl route -s "$dc_snap" --from "$dc_from" --json "$@" "$dc_key" |
	    python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
if d["action"] == "defer" and d["transport"]:
    print(d["transport"])
else:
    print({"bounce": "error", "defer": "retry"}[d["action"]] + ":" +
          d["status"] + " " + d["reason"])'
}

# a_pre, then the command, then a_relay PREFIX KEY: stdout is PREFIX and
# the engine's next-hop string for KEY on daemon A's snapshot, at the
# rotation number before or after the command (an hour boundary may pass)
a_pre() {
	a_h1=$(hour)
}
a_relay() {
	h2=$(hour)
	got=$(cat "$tmp/out")
	[ "$got" = "$1$(transport "$A_SNAP" lon-bh1 "$a_h1" "$2")" ] ||
	    [ "$got" = "$1$(transport "$A_SNAP" lon-bh1 "$h2" "$2")" ]
}

# start NAME SETTINGS [NOFILE]: run a daemon in the background (with at
# most NOFILE descriptors), $pid, wait until it listens; 1 if it exited
# (its log says why)
start() {
	: >"$tmp/$1.log"
	sh -c 'ulimit -n "$2" && exec "$0" -d -c "$1"' "$POLICYD" "$2" \
	    "${3:-$(ulimit -n)}" 2>"$tmp/$1.log" &
	pid=$!
	i=0
	while ! grep -q '^lsa-policyd: started ' "$tmp/$1.log"; do
		if ! alive "$pid"; then
			wait "$pid"
			return 1
		fi
		i=$((i + 1))
		[ "$i" -gt 300 ] && break
		sleep 0.1
	done
	pids="$pids $pid"
}

# snap LOG PID FILE N ARGS...: write a snapshot (lsactl snapshot ARGS),
# SIGHUP, wait until the daemon loaded lst_version N
snap() {
	sn_log=$1 sn_pid=$2 sn_file=$3 sn_n=$4
	shift 4
	lsactl snapshot "$@" --lst-version "$sn_n" -o "$sn_file" &&
	    kill -HUP "$sn_pid" &&
	    wait_log "$sn_log" "snapshot=$sn_file loaded lst_version=$sn_n "
}

# ---------------------------------------------------------------- daemon A
mkdir "$tmp/a" "$tmp/pf"
printf '[policyd]\ntransport = smtp\n' >"$tmp/lsactl.conf"
echo 'compatibility_level = 3.6' >"$tmp/pf/main.cf"
A_SNAP="$tmp/a/lst.snapshot"
A_MAP="unix:$tmp/a/sockmap"
A_POL="unix:$tmp/a/policy"
A_LOG="$tmp/a.log"
cur_log=$A_LOG
cat >"$tmp/a.conf" <<EOF
[agent]
server = lon-bh1
topology = $(pwd)/$SEED
state_dir = $tmp/a
[policyd]
socketmap_listen = $A_MAP
policy_listen = $A_POL
rotation_interval = 1h
snapshot_check_interval = 200ms
EOF
run start a "$tmp/a.conf"
result "daemon A (seed002, lon-bh1) starts on unix sockets" $? || exit 1
A_PID=$pid

# pm KEY: postmap through daemon A's socketmap
pm() {
	run postmap -c "$tmp/pf" -q "$1" "socketmap:$A_MAP:transport"
}

# ---- no snapshot yet
client lookup "$A_MAP" x@boston.contoso.test
out "TEMP no LST snapshot loaded"
result "no snapshot: raw socketmap lookup answers TEMP" $?

pm x@boston.contoso.test
[ "$rc" -ne 0 ] && [ ! -s "$tmp/out" ] &&
    grep -Fxq "postmap: warning: socketmap:$A_MAP:transport socketmap server temporary error: no LST snapshot loaded" "$tmp/err"
result "no snapshot: postmap fails with the socketmap temporary error" $?

RCPT_NOWHERE='request=smtpd_access_policy
protocol_state=RCPT
instance=1.1
recipient=x@nowhere.contoso.test
size=0
'
RCPT_BOSTON='request=smtpd_access_policy
protocol_state=RCPT
instance=1.1
recipient=x@boston.contoso.test
size=0
'
printf '%s\n' "$RCPT_NOWHERE" | client send "$A_POL" --policy --replies 1
out "reply: action=DUNNO
open" && alive "$A_PID"
result "no snapshot: policy RCPT answers DUNNO" $?

grep -Fq "snapshot=$A_SNAP not loaded: lookups answer TEMP" "$A_LOG"
result "no snapshot: the log says lookups answer TEMP" $?

# a bad file while none is loaded: refused once, not re-read every check
printf 'not a snapshot\n' >"$A_SNAP.new" && mv "$A_SNAP.new" "$A_SNAP"
kill -HUP "$A_PID"
wait_log "$A_LOG" "snapshot=$A_SNAP rejected: " && sleep 0.7 &&
    [ "$(grep -c "snapshot=$A_SNAP rejected: " "$A_LOG")" -eq 1 ] &&
    client lookup "$A_MAP" x@boston.contoso.test &&
    out "TEMP no LST snapshot loaded"
result "no snapshot, bad file: rejected once (logged), still TEMP" $?

# ---- every decision through postmap
snap "$A_LOG" "$A_PID" "$A_SNAP" 1 -t "$SEED"
result "snapshot v1 written and loaded (SIGHUP)" $?

a_pre; pm x@boston.contoso.test
[ "$rc" -eq 0 ] && noerr && a_relay "" x@boston.contoso.test &&
    grep -q '^smtp:\[127.0.7.1[12]\]:25, \[127.0.7.1[12]\]:25$' "$tmp/out"
result "postmap relay: smtp:[ny-bh1]:25, [ny-bh2]:25 as the engine says" $?
relay_boston=$(cat "$tmp/out")

pm Mixed.Case+ext@Boston.Contoso.Test
[ "$rc" -eq 0 ] && noerr && out "$relay_boston"
result "postmap Mixed.Case+ext@Boston.Contoso.Test: routed as the lowercase address" $?

a_pre; pm someone@example.com
[ "$rc" -eq 0 ] && noerr && a_relay "" someone@example.com
result "postmap relay to the Internet connector's group" $?

pm x@nowhere.contoso.test
[ "$rc" -eq 0 ] && noerr &&
    out "error:5.4.4 no server or connector serves nowhere.contoso.test, a domain of the organization"
result "postmap bounce: error:5.4.4 for an owned domain nobody serves" $?

pm '*'
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && noerr
result "postmap \"*\": not found" $?

pm postmaster
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && noerr
result "postmap key without '@': not found" $?

printf '%s\n' "$RCPT_NOWHERE" | client send "$A_POL" --policy --replies 1
out "reply: action=550 5.4.4 no server or connector serves nowhere.contoso.test, a domain of the organization
open"
result "policy RCPT to an owned domain nobody serves: 550 5.4.4" $?

# two requests in one write: two replies, in order, nothing else
printf '%s\n%s\n' "$RCPT_NOWHERE" "$RCPT_BOSTON" |
    client send "$A_POL" --policy --replies 2
out "reply: action=550 5.4.4 no server or connector serves nowhere.contoso.test, a domain of the organization
reply: action=DUNNO
open"
result "policy: two pipelined requests, two exact replies in order" $?

# ---- the snapshot changes under a held connection
cat >"$tmp/swap.sh" <<EOF
"$LSACTL" snapshot -c "$tmp/lsactl.conf" -t "$SEED" \
    --down London-NewYork --lst-version 2 -o "$A_SNAP.new" && mv "$A_SNAP.new" "$A_SNAP" &&
    kill -HUP $A_PID || exit 1
i=0
while ! grep -Fq "snapshot=$A_SNAP loaded lst_version=2 " "$A_LOG"; do
	i=\$((i + 1))
	[ "\$i" -gt 200 ] && exit 1
	sleep 0.1
done
EOF
h1=$(hour)
before=$(transport "$A_SNAP" lon-bh1 "$h1" x@boston.contoso.test)
client held "$A_MAP" x@boston.contoso.test sh "$tmp/swap.sh"
after=$(transport "$A_SNAP" lon-bh1 "$h1" x@boston.contoso.test)
[ "$h1" = "$(hour)" ] || { before=$(sed -n 's/^before: OK //p' "$tmp/out");
    after=$(sed -n 's/^after: OK //p' "$tmp/out"); }
out "before: OK $before
after: OK $after" && [ "$before" != "$after" ] &&
    echo "$after" | grep -q '^smtp:\[127.0.5.1[12]\]:25, \[127.0.5.1[12]\]:25$'
result "held connection: new snapshot (London-NewYork down) answers on it, via Copenhagen" $?

# ---- a record in flight: Copenhagen does not know yet that London-NewYork
# is down and sends Boston mail to London, which would send it straight
# back: refused for now (450 4.4.6), the mail waits in Copenhagen
printf '%s%s\n\n%s%s\n\n' "$RCPT_BOSTON" "client_address=127.0.5.11" \
    "$RCPT_BOSTON" "client_address=127.0.1.11" |
    client send "$A_POL" --policy --replies 2
out "reply: action=450 4.4.6 routing loop: this server would pass the mail straight back to cph-bh1; it waits there until the link state agrees
reply: action=DUNNO
open" && grep -Fq "recipient=x@boston.contoso.test client=127.0.5.11 server=cph-bh1 decision=defer status=4.4.6 " "$A_LOG"
result "policy RCPT from a server the route leads straight back to: 450 4.4.6 (logged); from another: DUNNO" $?

# ---- defer: both ways to New York down
snap "$A_LOG" "$A_PID" "$A_SNAP" 3 -t "$SEED" --down London-NewYork \
    --down Copenhagen-NewYork
result "snapshot v3 (London-NewYork, Copenhagen-NewYork down) loaded" $?

# held, not refused: the hold transport (in defer_transports) and where
# the mail would go; a retry: answer would be 450 at RCPT
defer_boston="lsahold:[127.0.7.11]:25, [127.0.7.12]:25"
pm x@boston.contoso.test
[ "$rc" -eq 0 ] && noerr && out "$defer_boston" &&
    [ "$(decision "$A_SNAP" lon-bh1 x@boston.contoso.test)" = "$defer_boston" ]
grep -Fq "recipient=x@boston.contoso.test decision=hold status=4.4.1 nexthop=\"$defer_boston\" reason=\"connector London-NewYork is down; mail waits here, at the point of failure\"" "$A_LOG"
result "postmap defer: held at the point of failure (lsahold: and the next hop), logged" $?

printf '%s\n' "$RCPT_BOSTON" | client send "$A_POL" --policy --replies 1
out "reply: action=DUNNO
open"
result "policy RCPT over a down link: DUNNO (never rejects)" $?

# ---- agent gone: snapshot removed, then replaced by bad files
rm -f "$A_SNAP"
kill -HUP "$A_PID"
sleep 0.5
client lookup "$A_MAP" x@boston.contoso.test
out "OK $defer_boston" && alive "$A_PID"
result "snapshot removed: answers from the last one" $?

printf 'not a snapshot\n' >"$A_SNAP.new" && mv "$A_SNAP.new" "$A_SNAP"
kill -HUP "$A_PID"
wait_log "$A_LOG" "snapshot=$A_SNAP rejected: " 2 &&
    client lookup "$A_MAP" x@boston.contoso.test &&
    out "OK $defer_boston" && alive "$A_PID"
result "snapshot replaced by a bad file: rejected (logged), last one answers" $?

# a good snapshot of another organization: this server is not in it
printf '[organization]\nname = O\nversion = 9\n[group G]\n[server s1]\ngroup = G\naddress = 127.0.0.1\n' >"$tmp/other.conf"
lsactl snapshot -t "$tmp/other.conf" --lst-version 4 -o "$A_SNAP" &&
    kill -HUP "$A_PID" &&
    wait_log "$A_LOG" "snapshot=$A_SNAP rejected: server lon-bh1 is not in its topology" &&
    client lookup "$A_MAP" x@boston.contoso.test &&
    out "OK $defer_boston" && alive "$A_PID"
result "snapshot without this server: rejected (logged), last one answers" $?

snap "$A_LOG" "$A_PID" "$A_SNAP" 5 -t "$SEED"
result "snapshot v5 (all up) loaded after the bad ones" $?

a_pre; pm x@boston.contoso.test
[ "$rc" -eq 0 ] && a_relay "" x@boston.contoso.test
result "postmap relay again on v5" $?

# ---- a hand-over in flight: lon-bh1's own London-NewYork is down, so it
# hands Boston mail to lon-bh2, whose link is up and goes to New York. A
# New York server that sent it here (its view not yet agreeing) would get
# it straight back through lon-bh2: refused for now (450 4.4.6); from
# Dublin it is taken
snap "$A_LOG" "$A_PID" "$A_SNAP" 6 -t "$SEED" --down London-NewYork@lon-bh1
result "snapshot v6 (London-NewYork down from lon-bh1 only) loaded" $?
printf '%s%s\n\n%s%s\n\n' "$RCPT_BOSTON" "client_address=127.0.7.11" \
    "$RCPT_BOSTON" "client_address=127.0.1.11" |
    client send "$A_POL" --policy --replies 2
out "reply: action=450 4.4.6 routing loop: this server would pass the mail straight back to ny-bh1; it waits there until the link state agrees
reply: action=DUNNO
open" && grep -Fq "recipient=x@boston.contoso.test client=127.0.7.11 server=ny-bh1 decision=defer status=4.4.6 " "$A_LOG"
result "policy RCPT, a hand-over inside the group back toward the client's group: 450 4.4.6; from another: DUNNO" $?
snap "$A_LOG" "$A_PID" "$A_SNAP" 7 -t "$SEED"
result "snapshot v7 (all up) loaded" $?

# ---- malformed socketmap requests: each closes its own connection only
LONDON="OK smtp:[127.0.2.10]:25"

# bad_sockmap NAME ERR [--eof]: stdin bytes close the session, logged
# as ERR ("" when the close has no log line); another session goes on
bad_sockmap() {
	bs_name=$1 bs_err=$2
	shift 2
	client send "$A_MAP" --sockmap --other x@london.contoso.test "$@"
	out "closed
other: $LONDON" && alive "$A_PID" &&
	    { [ -z "$bs_err" ] || grep -Fq \
	    "socketmap: bad request ($bs_err), closing" "$A_LOG"; }
	result "socketmap $bs_name: connection closed, others served" $?
}

printf '99999999999999999999:' |
    bad_sockmap "length overflow (99999999999999999999:)" \
    "length larger than the limit"
printf '31:transport x@london.contoso.testX' |
    bad_sockmap "missing comma" "missing ',' after payload"
printf '31;transport x@london.contoso.test,' |
    bad_sockmap "missing colon" "missing ':' after length"
printf '100001:transport ' |
    bad_sockmap "length 100001 (header only)" "length larger than the limit"
printf '18:transport \377@x.test,' |
    bad_sockmap "non-UTF-8 key" "invalid key"
printf '30:transport x@lon' | bad_sockmap "truncated then EOF" "" --eof
printf 'x:' | bad_sockmap "length not a digit" \
    "length does not start with a digit"

# the whole 100001-byte request: closed (or reset, when the daemon
# closed before reading it all)
python3 -c 'import sys; sys.stdout.write("100001:transport " + "a" * 99991 + ",")' |
    client send "$A_MAP" --sockmap --other x@london.contoso.test
{ out "closed
other: $LONDON" || out "reset
other: $LONDON"; } && alive "$A_PID"
result "socketmap oversized request (100001 bytes): connection closed, others served" $?

# the limit itself is allowed: a 100000-byte request is answered
python3 -c 'import sys; sys.stdout.write("100000:transport " + "a" * 99990 + ",")' |
    client send "$A_MAP" --sockmap --replies 1
out "reply: NOTFOUND 
open"
result "socketmap 100000-byte request: answered NOTFOUND, connection stays" $?

printf '21:nottransport x@b.test,31:transport x@london.contoso.test,' |
    client send "$A_MAP" --sockmap --replies 2
out "reply: PERM unknown table
reply: $LONDON
open" && grep -Fq 'socketmap: unknown table "nottransport"' "$A_LOG"
result "socketmap bad table name: PERM, connection stays and answers the next" $?

# ---- requests split across reads, a client that does not read
printf '31:transport x@london.contoso.test,' |
    client send "$A_MAP" --sockmap --pieces 31 --replies 1
out "reply: $LONDON
open"
result "socketmap request sent a byte at a time: answered once whole" $?

printf '%s\n' "$RCPT_NOWHERE" | client send "$A_POL" --policy --pieces 9 --replies 1
out "reply: action=550 5.4.4 no server or connector serves nowhere.contoso.test, a domain of the organization
open"
result "policy request sent in 9 pieces: answered once whole" $?

client flood "$A_MAP" 100000 x@london.contoso.test
{ out "sent all
closed" || out "sent some
closed" || out "sent all
reset" || out "sent some
reset"; } &&
    grep -Fq "socketmap: client does not read its replies, closing" "$A_LOG" &&
    client lookup "$A_MAP" x@london.contoso.test && out "$LONDON" &&
    alive "$A_PID"
result "socketmap client that does not read 100,000 replies: closed past 1 MB, others served" $?

# a client that shuts its write side down after its last request still
# gets every reply (more than the socket buffers hold wait in the daemon)
client halfclose "$A_MAP" 50000 x@london.contoso.test
out "replies 50000 of 50000
closed" && alive "$A_PID"
result "socketmap half-close after 50,000 lookups: all 50,000 replies written, then closed" $?

# ---- malformed policy requests
OTHER_POLICY='request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=x@nowhere.contoso.test\n\n'

# bad_policy NAME ERR: stdin closes the session with ERR logged
bad_policy() {
	client send "$A_POL" --policy --other "$OTHER_POLICY"
	out "closed
other: reply: action=550 5.4.4 no server or connector serves nowhere.contoso.test, a domain of the organization" &&
	    alive "$A_PID" &&
	    grep -Fq "policy: bad request ($2), closing" "$A_LOG"
	result "policy $1: connection closed, others served" $?
}

# attrs N LEN: a request of N attributes "aI=" with LEN-byte lines
attrs() {
	python3 -c '
import sys
n, ln = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    name = "a%d=" % i
    sys.stdout.write(name + "v" * (ln - len(name)) + "\n")
sys.stdout.write("\n")' "$1" "$2"
}

printf 'request=smtpd_access_policy\nno equals sign\n\n' |
    bad_policy "line without '='" "line 2: no '=' (want name=value)"
attrs 1 2049 | bad_policy "line of 2049 bytes" "line 1: longer than 2048 bytes"
attrs 65 10 | bad_policy "65 attributes" "line 65: more than 64 attributes"
attrs 17 1000 | bad_policy "request over 16 KiB" \
    "line 17: request larger than 16384 bytes"

{ attrs 64 10; attrs 7 2048; } | client send "$A_POL" --policy --replies 2
out "reply: action=DUNNO
reply: action=DUNNO
open"
result "policy at the limits (64 attributes, 2048-byte lines): answered" $?

# ---- many connections at once
client many "$A_MAP" 200 x@london.contoso.test
out "connections 200
reply: 200 $LONDON" && alive "$A_PID"
result "200 concurrent socketmap connections: all answered" $?

# ---------------------------------------------------------------- daemon B
cat >"$tmp/tiny.conf" <<'EOF'
[organization]
name = Tiny
version = 1
domains = tiny.test, *.tiny.test
[group A]
[group B]
[group C]
[server a1]
group = A
address = 127.0.10.1
mailboxes = a.tiny.test
[server b1]
group = B
address = 127.0.11.1
mailboxes = b.tiny.test
[server b2]
group = B
address = 127.0.11.2
[server b3]
group = B
address = 127.0.11.3
[server c1]
group = C
address = 127.0.12.1
mailboxes = c.tiny.test
[server c2]
group = C
address = 127.0.12.2
[connector A-B]
from = A
to = B
cost = 10
max_size = 1M
[connector A-C]
from = A
to = C
cost = 10
senders_allow = *.tiny.test, partner@example.com
senders_deny = spam.tiny.test
EOF
B_SNAP="$tmp/b.snapshot"
B_LOG="$tmp/b.log"
cur_log=$B_LOG
lsactl snapshot -t "$tmp/tiny.conf" --lst-version 1 -o "$B_SNAP"
tries=0
while :; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 19990))
	B_MAP="inet:127.0.0.1:$port"
	B_POL="inet:127.0.0.1:$((port + 1))"
	cat >"$tmp/b.conf" <<EOF
[agent]
server = a1
topology = $tmp/tiny.conf
state_dir = $tmp
[policyd]
socketmap_listen = $B_MAP
policy_listen = $B_POL
snapshot = $B_SNAP
rotation_interval = 300ms
EOF
	start b "$tmp/b.conf" && break
	tries=$((tries + 1))
	[ "$tries" -ge 10 ] && break
done
wait_log "$B_LOG" "snapshot=$B_SNAP loaded lst_version=1 " && alive "$pid"
result "daemon B (inline topology, a1) starts on inet:127.0.0.1 ports" $? ||
    exit 1
B_PID=$pid

# pmb KEY: postmap through daemon B's socketmap
pmb() {
	run postmap -c "$tmp/pf" -q "$1" "socketmap:$B_MAP:transport"
}

pmb x@a.tiny.test
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && noerr
result "postmap local (hosted on this server): not found" $?

pmb x@example.com
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && noerr
result "postmap default (no address space matches): not found" $?

pmb x@nobody.tiny.test
[ "$rc" -eq 0 ] && noerr &&
    out "error:5.4.4 no server or connector serves nobody.tiny.test, a domain of the organization"
result "postmap bounce over inet: error:5.4.4" $?

# ---- rotation: the same string within an interval, rotating across
# (each lookup of a new recipient: a recipient looked up again keeps
# its first rotation, below)
client fresh "$B_MAP" 300 1600 x@b.tiny.test y@c.tiny.test
cp "$tmp/out" "$tmp/rot"
# the engine's answers at rotations 0..5 (the lists have 3 and 2 hosts)
for r in 0 1 2 3 4 5; do
	for key in x@b.tiny.test y@c.tiny.test; do
		echo "$r $key OK $(transport "$B_SNAP" a1 "$r" "$key")"
	done
done >"$tmp/engine"
# every interval's answers are the engine's at one rotation number, and
# successive intervals (each has lookups) take successive numbers
python3 - "$tmp/rot" "$tmp/engine" <<'EOF' >"$tmp/out" 2>"$tmp/err"
import sys
eng = {}
for l in open(sys.argv[2]).read().splitlines():
    r, k, v = l.split(" ", 2)
    eng[(int(r), k)] = v
rows = [l.split(" ", 3) for l in open(sys.argv[1]).read().splitlines()]
byiv = {}
for iv, n, k, v in rows:
    byiv.setdefault(int(iv), {})[k] = v
rot = {}
for iv, ans in byiv.items():
    fit = [r for r in range(6) if all(eng[(r, k)] == v for k, v in ans.items())]
    if len(fit) != 1:
        print("interval %d: %r fits %r" % (iv, ans, fit))
        sys.exit(0)
    rot[iv] = fit[0]
ivs = sorted(rot)
bad = [(a, b) for a, b in zip(ivs, ivs[1:]) if b == a + 1 and
       rot[b] != (rot[a] + 1) % 6]
print("ok" if len(ivs) >= 3 and not bad else "bad: %r %r" % (rot, bad))
EOF
out ok
result "rotation: every interval's answer is the engine's at one rotation number, successive intervals at successive ones" $?

# at least three consecutive full intervals, several lookups each, all
# three orders of b1,b2,b3 and both of c1,c2
python3 - "$tmp/rot" <<'EOF' >"$tmp/out" 2>"$tmp/err"
import sys
rows = [l.split(" ", 3) for l in open(sys.argv[1]).read().splitlines()]
full = [(int(r), k, v) for r, n, k, v in rows if int(n) >= 3]
bs = sorted((r, v) for r, k, v in full if k == "x@b.tiny.test")
cs = sorted((r, v) for r, k, v in full if k == "y@c.tiny.test")
byr = dict(bs)
starts = [r for r in byr if r + 1 in byr and r + 2 in byr]
ok = (len(starts) > 0 and
      all(len({byr[r], byr[r + 1], byr[r + 2]}) == 3 for r in starts) and
      len({v for r, v in cs}) == 2 and
      all(v0 != v1 for (r0, v0), (r1, v1) in zip(cs, cs[1:]) if r1 == r0 + 1))
print("ok" if ok else "bad: %r %r" % (bs, cs))
EOF
out ok
result "rotation: {c1,c2} -> {c2,c1}, and {b1,b2,b3} in all three orders over consecutive intervals" $?

# smtpd (at RCPT) and qmgr (in the active queue) look one recipient up
# twice: the second lookup, intervals later, gets the first one's list
client rotation "$B_MAP" 300 1600 x@b.tiny.test y@c.tiny.test
python3 - "$tmp/out" <<'EOF' >"$tmp/out2" 2>"$tmp/err"
import sys
rows = [l.split(" ", 3) for l in open(sys.argv[1]).read().splitlines()]
ivs = {int(r) for r, n, k, v in rows}
per = {}
for r, n, k, v in rows:
    per.setdefault(k, set()).add(v)
ok = len(ivs) >= 3 and all(len(v) == 1 for v in per.values()) and \
    not any("inconsistent" in v for s in per.values() for v in s)
print("ok" if ok else "bad: %r" % rows)
EOF
mv "$tmp/out2" "$tmp/out"
out ok
result "rotation: a recipient looked up again keeps its first lookup's list for ROTATION_KEEP_MS, across intervals" $?

# ---- sizes
RCPT_B='request=smtpd_access_policy
protocol_state=RCPT
instance=2.1
recipient=x@b.tiny.test'
LIMIT_TEXT="exceeds the limit 1048576 of connector A-B on the route"

printf '%s\nsize=2000000\n\n' "$RCPT_B" | client send "$B_POL" --policy --replies 1
out "reply: action=552 5.3.4 message size 2000000 $LIMIT_TEXT
open"
result "policy RCPT, SIZE over the connector's max_size: 552 5.3.4" $?

printf '%s\nsize=1048577\n\n%s\nsize=1048576\n\n%s\n\n' "$RCPT_B" "$RCPT_B" "$RCPT_B" |
    client send "$B_POL" --policy --replies 3
out "reply: action=552 5.3.4 message size 1048577 $LIMIT_TEXT
reply: action=DUNNO
reply: action=DUNNO
open"
result "policy RCPT, SIZE 1M+1 rejected, exactly 1M and none: DUNNO" $?

# one session as smtpd holds it: request, reply, request, ...
cat >"$tmp/eom" <<'EOF'
request=smtpd_access_policy
protocol_state=RCPT
instance=3.1
recipient=y@c.tiny.test
size=0

request=smtpd_access_policy
protocol_state=RCPT
instance=3.1
recipient=x@b.tiny.test
size=0

request=smtpd_access_policy
protocol_state=RCPT
instance=3.1
recipient=x@a.tiny.test
size=0

request=smtpd_access_policy
protocol_state=END-OF-MESSAGE
instance=3.1
recipient=
size=2000000

request=smtpd_access_policy
protocol_state=RCPT
instance=3.2
recipient=x@b.tiny.test
size=0

request=smtpd_access_policy
protocol_state=END-OF-MESSAGE
instance=3.2
recipient=
size=1000000

request=smtpd_access_policy
protocol_state=RCPT
instance=3.3
recipient=x@b.tiny.test
size=0

request=smtpd_access_policy
protocol_state=RCPT
instance=3.4
recipient=y@c.tiny.test
size=0

request=smtpd_access_policy
protocol_state=END-OF-MESSAGE
instance=3.4
recipient=
size=2000000

request=smtpd_access_policy
protocol_state=END-OF-MESSAGE
instance=3.5
recipient=x@b.tiny.test
size=2000000

EOF
client send "$B_POL" --policy --split --replies 10 <"$tmp/eom"
out "reply: action=DUNNO
reply: action=DUNNO
reply: action=DUNNO
reply: action=552 5.3.4 message size 2000000 $LIMIT_TEXT
reply: action=DUNNO
reply: action=DUNNO
reply: action=DUNNO
reply: action=DUNNO
reply: action=DUNNO
reply: action=552 5.3.4 message size 2000000 $LIMIT_TEXT
open"
result "policy END-OF-MESSAGE: recipients remembered per instance, a new instance forgets them" $?

# long_list FIRST N LAST SIZE: one message of FIRST, N recipients with
# no limit on their routes, LAST, then END-OF-MESSAGE with SIZE
long_list() {
	python3 -c '
import sys
first, n, last, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def rcpt(r):
    sys.stdout.write("request=smtpd_access_policy\nprotocol_state=RCPT\n"
                     "instance=5.1\nrecipient=%s\nsize=0\n\n" % r)
rcpt(first)
for i in range(n):
    rcpt("u%d@c.tiny.test" % i)
rcpt(last)
sys.stdout.write("request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n"
                 "instance=5.1\nrecipient=\nsize=%s\n\n" % size)' "$@" |
	    client send "$B_POL" --policy --replies $(($2 + 3))
	[ "$(grep -c '^reply: action=DUNNO$' "$tmp/out")" -ge $(($2 + 2)) ] &&
	    tail -n 2 "$tmp/out" >"$tmp/out2" && mv "$tmp/out2" "$tmp/out"
}

long_list x@b.tiny.test 1500 y@c.tiny.test 2000000
out "reply: action=552 5.3.4 message size 2000000 $LIMIT_TEXT
open"
result "policy END-OF-MESSAGE: the limit of the first of 1,502 recipients rejects (552 5.3.4)" $?

long_list y@c.tiny.test 1500 x@b.tiny.test 2000000
out "reply: action=552 5.3.4 message size 2000000 $LIMIT_TEXT
open" && grep -Fq "recipient=x@b.tiny.test decision=reject status=5.3.4 size=2000000 stage=end-of-message " "$B_LOG"
result "policy END-OF-MESSAGE: the limit of the last of 1,502 recipients rejects (logged)" $?

long_list x@b.tiny.test 1500 y@c.tiny.test 1048576
out "reply: action=DUNNO
open"
result "policy END-OF-MESSAGE: 1,502 recipients, size at the limit: DUNNO" $?

# 20 sessions of 1,000 RCPTs of 2 KB addresses each (40 MB of
# addresses): what the daemon keeps does not grow with them
client rcpts "$B_POL" "$B_PID" 20 1000 2000 c.tiny.test
sed -n 's/^rss_kb \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$tmp/out" >"$tmp/rss"
read -r rss0 rss1 <"$tmp/rss"
echo "# policyd RSS before ${rss0:-?} kB, after 20 x 1,000 recipients ${rss1:-?} kB"
head -n 1 "$tmp/out" | grep -Fxq "replies 20000 of 20000" &&
    [ -n "${rss0:-}" ] && [ "$rss1" -lt $((rss0 + 8192)) ]
result "policy: 20 sessions x 1,000 RCPTs of 2 KB addresses: RSS grows under 8 MB" $?

printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=q@nobody.tiny.test\nsize=0\n\n' |
    client send "$B_POL" --policy --replies 1
out "reply: action=550 5.4.4 no server or connector serves nobody.tiny.test, a domain of the organization
open"
result "policy RCPT over inet, owned domain nobody serves: 550 5.4.4" $?

# ---- sender restrictions (connector A-C)
# rcpt_c SENDER: an RCPT request for y@c.tiny.test from SENDER
rcpt_c() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\ninstance=4.1\nsender=%s\nrecipient=y@c.tiny.test\nsize=0\n\n' "$1" |
	    client send "$B_POL" --policy --replies 1
}
REFUSED_C="550 5.7.1 connector A-C does not accept mail from"

rcpt_c x@spam.tiny.test
out "reply: action=$REFUSED_C x@spam.tiny.test
open" && grep -Fq "recipient=y@c.tiny.test sender=x@spam.tiny.test decision=reject status=5.7.1 " "$B_LOG" &&
    [ "$(decision "$B_SNAP" a1 y@c.tiny.test --sender x@spam.tiny.test)" = \
    "error:5.7.1 connector A-C does not accept mail from x@spam.tiny.test" ]
result "policy RCPT, sender in senders_deny: 550 5.7.1 (logged), as lsactl route --sender says" $?

rcpt_c stranger@example.com
out "reply: action=$REFUSED_C stranger@example.com
open"
result "policy RCPT, sender not in senders_allow: 550 5.7.1" $?

rcpt_c boss@a.tiny.test
out "reply: action=DUNNO
open"
result "policy RCPT, sender in senders_allow (*.tiny.test): DUNNO" $?

rcpt_c Partner+news@Example.COM
out "reply: action=DUNNO
open"
result "policy RCPT, sender allowed by full address (case, +extension): DUNNO" $?

rcpt_c ""
out "reply: action=DUNNO
open"
result "policy RCPT, null sender: DUNNO (never refused)" $?

printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=x@spam.tiny.test\nrecipient=x@b.tiny.test\nsize=0\n\n' |
    client send "$B_POL" --policy --replies 1
out "reply: action=DUNNO
open"
result "policy RCPT, refused sender to a route without restrictions: DUNNO" $?

client lookup "$B_MAP" y@c.tiny.test
grep -q '^OK smtp:\[127.0.12.[12]\]:25, \[127.0.12.[12]\]:25$' "$tmp/out"
result "socketmap lookup on the restricted route: relay (transport lookups carry no sender)" $?

# ---------------------------------------------------------------- daemons C, D
# settings NAME EXTRA: for the limits, unix sockets in $tmp, B's snapshot
settings() {
	cat <<EOF
[agent]
server = a1
topology = $tmp/tiny.conf
state_dir = $tmp
[policyd]
socketmap_listen = unix:$tmp/$1.map
policy_listen = unix:$tmp/$1.pol
snapshot = $B_SNAP
$2
EOF
}
settings c "client_idle_timeout = 500ms
max_clients = 3" >"$tmp/c.conf"
C_LOG="$tmp/c.log"
cur_log=$C_LOG
start c "$tmp/c.conf" && wait_log "$C_LOG" "snapshot=$B_SNAP loaded "
result "daemon C (client_idle_timeout 500ms, max_clients 3) starts" $? ||
    exit 1
C_PID=$pid
C_MAP="unix:$tmp/c.map"

client idle "$C_MAP" x@example.com 400
out "reply: NOTFOUND 
closed"
result "idle timeout: a silent connection is closed after client_idle_timeout" $?

client rotation "$C_MAP" 100 1500 x@example.com
[ -s "$tmp/out" ] && ! grep -v ' x@example.com NOTFOUND $' "$tmp/out"
result "idle timeout: a connection looking up every 20 ms for 1.5 s stays open" $?

sleep 0.2
client many "$C_MAP" 4 x@example.com
out "connections 4
reply: 1 EOF
reply: 3 NOTFOUND " &&
    grep -Fq "refused a client: max_clients=3 reached" "$C_LOG"
result "max_clients 3: a fourth connection is closed at once (logged)" $?

sleep 0.2
client lookup "$C_MAP" x@example.com
out "NOTFOUND " && alive "$C_PID"
result "max_clients: the next connection after those is served" $?

# after EOF, replies the client does not read: closed after
# client_idle_timeout (its place freed), not kept forever
client halfclose "$C_MAP" 50000 x@b.tiny.test --noread 1500
grep -q '^closed$' "$tmp/out" && ! grep -Fxq "replies 50000 of 50000" "$tmp/out" &&
    grep -Fq "socketmap: replies not read within client_idle_timeout, closing" "$C_LOG" &&
    client many "$C_MAP" 3 x@example.com && out "connections 3
reply: 3 NOTFOUND "
result "half-close, replies not read: closed after client_idle_timeout (logged), places free" $?

settings d "" >"$tmp/d.conf"
D_LOG="$tmp/d.log"
cur_log=$D_LOG
start d "$tmp/d.conf" 16 && wait_log "$D_LOG" "snapshot=$B_SNAP loaded "
result "daemon D (16 descriptors) starts" $? || exit 1
D_PID=$pid
D_MAP="unix:$tmp/d.map"

client hold "$D_MAP" 24 1500 &&
    grep -Fq "accept: out of descriptors, pausing accept" "$D_LOG" &&
    client lookup "$D_MAP" x@example.com && out "NOTFOUND " &&
    client many "$D_MAP" 3 x@example.com && out "connections 3
reply: 3 NOTFOUND " && alive "$D_PID"
result "out of descriptors: accept pauses (logged), serves again once they free" $?

settings e "max_clients = 8
client_idle_timeout = 10s
request_timeout = 1500ms" >"$tmp/e.conf"
E_LOG="$tmp/e.log"
cur_log=$E_LOG
start e "$tmp/e.conf" && wait_log "$E_LOG" "snapshot=$B_SNAP loaded "
result "daemon E (max_clients 8, request_timeout 1500ms) starts" $? || exit 1
E_PID=$pid
E_MAP="unix:$tmp/e.map"
E_POL="unix:$tmp/e.pol"

# all_normal: slowloris output: the normal client got every answer (of
# 10 tries or more), no trickler's request was answered
all_normal() {
	awk '/^normal / { split($2, f, "/"); ok = f[1] == f[2] && f[2] >= 10 }
	    /^trickler answers / { ok = ok && $3 == 0 } END { exit !ok }' \
	    "$tmp/out"
}

# two tricklers (places to spare): each closed at request_timeout,
# though a byte comes every 0.25 s (the idle timeout never runs out)
client slowloris "$E_MAP" 2 2500 x@b.tiny.test
all_normal && grep -q '^trickler closed [1-9]' "$tmp/out" &&
    grep -Fq "socketmap: request not whole after request_timeout=1500ms, closing" "$E_LOG"
result "slowloris, 2 tricklers: each closed at request_timeout (logged), a normal client served" $?
echo "# $(tr '\n' ' ' <"$tmp/out")"

# 40 tricklers coming back as soon as closed, 8 places: a normal client
# that connects takes the place of the longest in a request
client slowloris "$E_MAP" 40 2500 x@b.tiny.test
all_normal && grep -Fq "socketmap: max_clients=8 reached, closing the session longest in a request" "$E_LOG"
result "slowloris, 40 tricklers on 8 places: a normal socketmap client gets every answer" $?
echo "# $(tr '\n' ' ' <"$tmp/out")"

client slowloris "$E_POL" 40 2500 x@b.tiny.test --policy
all_normal && grep -Fq "policy: max_clients=8 reached, closing the session longest in a request" "$E_LOG"
result "slowloris, 40 policy tricklers on 8 places: a normal policy client gets every answer" $?
echo "# $(tr '\n' ' ' <"$tmp/out")"

# ---------------------------------------------------------------- the end
# stop NAME PID LOG: alive until now, exits 0 on SIGTERM, no sanitizer report
stop() {
	rc=1
	alive "$2" && kill -TERM "$2" && wait "$2"
	rc=$?
	pids=$(echo "$pids" | sed "s/ $2\$//; s/ $2 / /")
	cp "$3" "$tmp/err"
	: >"$tmp/out"
	cur_log=""
	[ "$rc" -eq 0 ] && grep -q '^lsa-policyd: stopping on signal 15 ' "$3" &&
	    ! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$3"
	result "daemon $1 alive to the end, stops cleanly on SIGTERM" $?
}
stop A "$A_PID" "$A_LOG"
stop B "$B_PID" "$B_LOG"
stop C "$C_PID" "$C_LOG"
stop D "$D_PID" "$D_LOG"
stop E "$E_PID" "$E_LOG"

[ "$failed" -eq 0 ]
