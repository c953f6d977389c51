#!/bin/sh
# agent_peers.sh - lsa-agent's port 691 driven by a real client: swaks,
# and tests/agent/peer.py (a scripted peer, see its header) with real TLS
# and certificates of a test CA made here (tests/agent/mkca.sh).
#
# Three agents in the foreground (-d, logs in $tmp), ports from $$ above
# 20000 on 127.0.0.1, reconnect_interval 100ms:
#   m  master of G1        n  member of G1, bridgehead to p
#   p  master of G2        k  member of G1, played by peer.py only; it is
#                             the sole source of the outside connector
#                             K-out and, its name being the smaller,
#                             opens its session to m
# Every case ends one session of m's (a refusal: 554 or a TLS failure,
# logged "session refused" and counted in sessions_refused; bad input
# closes the session and counts in sessions_closed_bad; records are
# counted in rec_new, rec_same, rec_older, rec_refused), and then checks
# that m goes on: still running, its adjacency to n full (lsactl status
# --json), and a fresh session from k gets in sync.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
AGENT="$BUILD/bin/lsa-agent"
LSACTL="$BUILD/bin/lsactl"
PEER="tests/agent/peer.py"
tmp=$(mktemp -d) || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
# the postqueue stand-in (tests/agent/postqueue-standin.sh) of agent n
export LSA_STANDIN_DIR="$tmp/standin"
mkdir "$LSA_STANDIN_DIR" || exit 1
# the agent's children get none of its environment: the stand-in is
# called through a link in its directory
ln -s "$PWD/tests/agent/postqueue-standin.sh" "$LSA_STANDIN_DIR/postqueue" ||
    exit 1
failed=0
cur_log="$tmp/m.log"
. tests/cli_lib.sh
. tests/agent/agent_lib.sh

# The status and LST replies are compact JSON objects of known shape
# (lsa-agent/agent_status.c); sed takes the few fields wanted.

# num AGENT KEY: a number of the agent's status: a counter of "stats" or
# a top-level one such as lst_version ("?" when it does not answer)
num() {
	status "$1" | sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" | grep . ||
	    echo "?"
}

# digest AGENT: the agent's LST digest
digest() {
	status "$1" | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p'
}

# lst AGENT KEY: "ORIGIN SEQ STATE|vVERSION" of one record of the agent's
# LST (lsactl show lst --json), "none" when it has none
lst() {
	ls_r=$("$LSACTL" show lst --json -c "$tmp/$1.conf" |
	    grep -o "{\"key\":\"$2\",[^}]*}")
	if [ -z "$ls_r" ]; then
		echo none
		return
	fi
	ls_origin='"origin":"\([^"]*\)"' ls_seq='"seq":"\{0,1\}\([0-9]*\)"\{0,1\}'
	ls_val='"\(state\|version\)":"\{0,1\}\([^",]*\)'
	printf '%s\n' "$ls_r" |
	    sed -n "s/.*$ls_origin,$ls_seq,$ls_val.*/\\1 \\2 \\3 \\4/p" |
	    sed 's/ state / /; s/ version / v/'
}

# refusals: the number of "session refused" lines in m's log
refusals() {
	grep -c "session refused" "$tmp/m.log"
}

# full_mesh: every adjacency between the three agents is full
full_mesh() {
	[ "$(peers m)" = "k=down n=full" ] && [ "$(peers n)" = "m=full p=full" ] &&
	    [ "$(peers p)" = "n=full" ]
}

# goes_on NAME: m still runs, answers lsactl status with n full, and a
# fresh session from k gets in sync
goes_on() {
	alive "$M_PID" && [ "$(peers m)" = "k=down n=full" ] &&
	    peer k login:k fast peers:k=full quit &&
	    out "link
in sync
peers k=full n=full
closed" && until_ok is "k=down n=full" peers m
	result "$1: then m runs, n full, a fresh session from k in sync" $?
}

# before: the counters of m before a case
before() {
	b_refused=$(num m sessions_refused)
	b_bad=$(num m sessions_closed_bad)
	b_log=$(refusals)
}

# refused: one more refused session, counted and logged
refused() {
	[ "$(num m sessions_refused)" -eq $((b_refused + 1)) ] &&
	    [ "$(refusals)" -eq $((b_log + 1)) ]
}

# closed_bad: one more session closed for bad input; sessions_refused
# grew by $also_refused (0 unless set)
also_refused=0
closed_bad() {
	[ "$(num m sessions_closed_bad)" -eq $((b_bad + 1)) ] &&
	    [ "$(num m sessions_refused)" -eq $((b_refused + also_refused)) ]
}

# ---------------------------------------------------------------- set-up
sh tests/agent/mkca.sh "$tmp/ca" k m n p || exit 1
# configure TRY: ports above 20000 and below the usual ephemeral range,
# from our pid (another set on a later try), the topology and settings
configure() {
	base=$((20000 + (($$ + $1 * 397) % 1200) * 10))
	PORT_M=$base
	PORT_N=$((base + 1))
	PORT_P=$((base + 2))
	PORT_K=$((base + 3))
	cat >"$tmp/topo.conf" <<EOF
[organization]
name = T
version = 1
[group G1]
master = m
[group G2]
[server m]
group = G1
address = 127.0.0.1
agent_port = $PORT_M
[server n]
group = G1
address = 127.0.0.1
agent_port = $PORT_N
[server p]
group = G2
address = 127.0.0.1
agent_port = $PORT_P
[server k]
group = G1
address = 127.0.0.1
agent_port = $PORT_K
[connector G1-G2]
from = G1
to = G2
sources = n
[connector G2-G1]
from = G2
to = G1
targets = n
[connector K-out]
from = G1
sources = k
address_spaces = * 10
EOF
	sed 's/^version = 1$/version = 2/' "$tmp/topo.conf" >"$tmp/topo2.conf"
	for s in m:$PORT_M n:$PORT_N p:$PORT_P; do
		name=${s%%:*}
		agent_conf "$name" "${s#*:}"
		printf 'reroute_interval = 100ms\nreroute_recheck = 400ms\n' \
		    >>"$tmp/$name.conf"
		# n reroutes through the stand-in for postqueue; m and p not
		if [ "$name" = n ]; then
			echo "reroute_command = $LSA_STANDIN_DIR/postqueue"
		else
			echo "reroute_command ="
		fi >>"$tmp/$name.conf"
	done
}

: >"$tmp/out"
: >"$tmp/err"
rc=0
start_agents m n p
result "agents m, n, p start on 127.0.0.1:$PORT_M..$PORT_P" $? || exit 1
until_ok full_mesh &&
    until_ok is "$(digest m)" digest n &&
    until_ok is "$(digest m)" digest p
result "m, n, p: every adjacency full, one LST digest" $? || exit 1

# ---------------------------------------------------------- ESMTP phase
run swaks --server 127.0.0.1 --port "$PORT_M" --quit-after EHLO \
    --timeout 5 </dev/null
[ "$rc" -eq 0 ] && grep -q '^<-  250-STARTTLS$' "$tmp/out" &&
    grep -q '^<-  250 X-LINK2STATE$' "$tmp/out" &&
    grep -q '^<-  221 ' "$tmp/out"
result "swaks --quit-after EHLO: 250-STARTTLS and 250 X-LINK2STATE" $?
goes_on "swaks"

before
peer k banner ehlo:k 'cmd:MAIL FROM:<a@k>' cmd:X-LINK2STATE cmd:DATA \
    closed
out "banner 220
ehlo 250 STARTTLS X-LINK2STATE
reply 530 5.7.0 Must issue a STARTTLS command first
reply 530 5.7.0 Must issue a STARTTLS command first
reply 530 5.7.0 Must issue a STARTTLS command first
closed" && closed_bad
result "commands before STARTTLS: 530; the third ends the session" $?
goes_on "commands before STARTTLS"

before
peer k banner ehlo:k 'raw:STARTTLS\r\nEHLO k\r\n' reply closed
out "banner 220
ehlo 250 STARTTLS X-LINK2STATE
reply 554 5.5.1 data after STARTTLS
closed" && closed_bad
result "data pipelined after STARTTLS: 554, session closed" $?
goes_on "data pipelined after STARTTLS"

# refusal NAME CERT EHLO WANT LOGTEXT: a refused log-in; peer.py prints
# one line matching the regular expression WANT, m logs "session
# refused" with LOGTEXT and counts it
refusal() {
	before
	peer "$2" "login:$3"
	[ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -Exq "$4" "$tmp/out" &&
	    refused && grep "session refused" "$tmp/m.log" | tail -n 1 |
	    grep -Fq "$5"
	result "$1: $(cat "$tmp/out"), logged, counted" $?
	goes_on "$1"
}

# a failed handshake: the TLS alert, or the end of the connection
tls_failed='tls-failed .*|closed'
refusal "a client without certificate" - k "$tls_failed" \
    'reason="TLS handshake failed'
refusal "a certificate of a foreign CA" foreign/k k "$tls_failed" \
    'reason="TLS handshake failed'
refusal "k's certificate, EHLO n" k n \
    "refused 554 5.7.1 certificate does not name this server" \
    'claimed=n reason="certificate does not name this server"'
refusal "EHLO zz, not a server" k zz \
    "refused 554 5.7.1 not a server of this organization" \
    'claimed=zz reason="not a server of this organization"'
refusal "p's certificate, EHLO p, not a neighbour of m" p p \
    "refused 554 5.7.1 not a neighbour of this server" \
    'claimed=p reason="not a neighbour of this server"'
refusal "n's certificate, EHLO n, but m opens that session" n n \
    "refused 554 5.7.1 this side opens the session" \
    'claimed=n reason="this side opens the session"'
[ "$(peers n)" = "m=full p=full" ]
result "n's adjacency to m untouched by the refused n" $?

# -------------------------------------------------------- link-state mode
# bad NAME REASON STEP...: as k, in sync, then STEP...: the session ends
# as bad input, logged with REASON
bad() {
	bd_name=$1 bd_why=$2
	shift 2
	before
	peer k login:k "$@" closed
	tail -n 1 "$tmp/out" | grep -Fxq closed && closed_bad &&
	    grep -F "server=m " "$tmp/m.log" | grep -F "$bd_why" |
	    tail -n 1 | grep -q . &&
	    [ "$(peers m)" = "k=down n=full" ]
	result "$bd_name: session closed, m's other adjacencies full" $?
	goes_on "$bd_name"
}

long="X-LINK2STATE ONE CHUNK=$(printf '%0992d' 0 | tr 0 A)"
bad "a garbage line" 'reason="want X-LINK2STATE, NOOP or QUIT"' \
    fast 'line:HELO garbage'
bad "a line over 1000 bytes" 'reason="line too long"' fast "line:$long"
bad "NEXT CHUNK with no message open" \
    'reason="NEXT CHUNK with no message open"' \
    fast 'line:X-LINK2STATE NEXT CHUNK=e30='
bad "LAST CHUNK with no message open" \
    'reason="LAST CHUNK with no message open"' \
    fast 'line:X-LINK2STATE LAST CHUNK=e30='
bad "FIRST CHUNK inside an open message" \
    'reason="FIRST CHUNK inside an open message"' \
    fast 'line:X-LINK2STATE FIRST CHUNK=e30=' \
    'line:X-LINK2STATE FIRST CHUNK=e30='
bad "a chunk of bad base64" 'reason="chunk is not whole base64"' \
    fast 'line:X-LINK2STATE ONE CHUNK=e3*='
bad "a message that is not JSON" 'reason="bad JSON' fast 'msg:{"m":'
bad "a message with unknown m" 'reason="unknown message \"bye\""' \
    fast 'msg:{"m":"bye"}'
bad "a record before hello" 'reason="record before hello"' \
    conn:K-out:k:1:0
bad "a second hello" 'reason="second hello"' fast hello
also_refused=1
bad "a hello with another server's name (counted as refused too)" \
    'reason="hello from another server'"'"'s name"' read hello:echo::n
also_refused=0

# ------------------------------------------------------------- records
# lst_refused REASON: m logged a record from k of origin k refused so
lst_refused() {
	grep -Fq "lst refused server=m from=k origin=k reason=\"$1\"" \
	    "$tmp/m.log"
}

S1=21474836481		# epoch 5, counter 1
S0=$((S1 - 1))
r_new=$(num m rec_new)
# synced: m's records are the three certificates and one connector state;
# k's first record of its own is preceded by its certificate (2 new)
peer k login:k sync conn:K-out:k:$S1:1 quit
out "link
synced 4
closed" && [ "$(num m rec_new)" -eq $((r_new + 2)) ] &&
    [ "$(lst m connector:K-out:k)" = "k $S1 down" ] &&
    until_ok is "k $S1 down" lst n connector:K-out:k &&
    until_ok is "k $S1 down" lst p connector:K-out:k
result "k's new connector record: installed on m, flooded to n and p" $?
goes_on "a new record"

r_same=$(num m rec_same)
lv_m=$(num m lst_version)
dg_m=$(digest m)
lv_n=$(num n lst_version)
peer k login:k fast conn:K-out:k:$S1:0 idle:200 quit
out "link
in sync
open
closed" && [ "$(num m rec_same)" -eq $((r_same + 2)) ] &&
    [ "$(num m lst_version)" = "$lv_m" ] &&
    [ "$(digest m)" = "$dg_m" ] &&
    [ "$(num n lst_version)" = "$lv_n" ] &&
    [ "$(lst m connector:K-out:k)" = "k $S1 down" ] &&
    [ "$(lst p connector:K-out:k)" = "k $S1 down" ]
result "the same sequence again: rec_same grows, nothing changes" $?
goes_on "a replayed record"

r_older=$(num m rec_older)
peer k login:k fast conn:K-out:k:$S0:0 wait-rec:connector:K-out:k quit
out "link
in sync
got rec connector:K-out:k k $S1 down
closed" && [ "$(num m rec_older)" -eq $((r_older + 1)) ] &&
    [ "$(num m lst_version)" = "$lv_m" ] &&
    [ "$(lst m connector:K-out:k)" = "k $S1 down" ]
result "an older sequence: rec_older grows, m answers with its newer one" $?
goes_on "an older record"

before
r_ref=$(num m rec_refused)
topo_m=$(lst m topology)
peer k login:k fast topo:2:$S1:"$tmp/topo2.conf" closed
out "link
in sync
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] && closed_bad &&
    lst_refused "topology from a server that is not a master" &&
    [ "$(num m topology_version)" = 1 ] &&
    [ "$(lst m topology)" = "$topo_m" ]
result "a member's topology record: refused, session closed" $?
goes_on "a member's topology record"

before
r_ref=$(num m rec_refused)
peer k login:k fast conn:G1-G2:n:$S1:1:k closed
out "link
in sync
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] && closed_bad &&
    lst_refused "connector state not from its source server" &&
    [ "$(lst m connector:G1-G2:n)" = none ]
result "k's record of n's connector state: refused, session closed" $?
goes_on "a record of another source"

before
r_ref=$(num m rec_refused)
peer k login:k fast conn:K-out:n:$S1:1 idle:200 peers quit
out "link
in sync
open
peers k=full n=full
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] &&
    [ "$(num m sessions_closed_bad)" -eq "$b_bad" ] &&
    [ "$(lst m connector:K-out:n)" = none ]
result "a record of origin n for k's connector: refused, session stays" $?
goes_on "a record of origin n for k's connector"

r_same=$(num m rec_same)
bad "more records than announced" 'reason="more records than announced"' \
    read hello:zero:0 read repeat:1001:conn:K-out:k:$S1:1
[ "$(num m rec_same)" -eq $((r_same + 1000)) ]
result "more records than announced: the first 1000 taken (rec_same)" $?

# ------------------------------------------- origin authentication
# Every record is signed by its origin; k holds only its own key. What k
# signs for another origin fails at m, is refused and logged with k as
# the relay, and the session stays (k is not the claimed origin).

# sigref ORIGIN: m logged a record of ORIGIN from k refused: bad signature
sigref() {
	grep -Fq "lst refused server=m from=k origin=$1 reason=\"signature: bad signature\"" \
	    "$tmp/m.log"
}

# a forged topology: origin m (the master), a newer version of k's making
before
r_ref=$(num m rec_refused)
topo_m=$(lst m topology)
peer k login:k fast topo:2:$S1:"$tmp/topo2.conf":m idle:300 peers quit
out "link
in sync
open
peers k=full n=full
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] &&
    [ "$(num m sessions_closed_bad)" -eq "$b_bad" ] && sigref m &&
    [ "$(num m topology_version)" = 1 ] &&
    [ "$(lst m topology)" = "$topo_m" ] &&
    [ "$(num n topology_version)" = 1 ] && [ "$(num p topology_version)" = 1 ]
result "forged origin: k's topology record in the master m's name is refused by m itself (signature), the session stays, n and p keep version 1" $?
goes_on "a forged topology record"

# epoch poisoning: a connector record of origin n with seq 2^63-1
before
r_ref=$(num m rec_refused)
ep_n=$(num n epoch)
peer k login:k fast conn:G1-G2:n:9223372036854775807:1 idle:300 quit
out "link
in sync
open
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] && sigref n &&
    [ "$(lst m connector:G1-G2:n)" = none ] &&
    [ "$(num n epoch)" = "$ep_n" ] &&
    [ "$(peers n)" = "m=full p=full" ]
result "epoch poisoning: a record of origin n with seq 2^63-1 from k is refused; n's epoch unchanged, its adjacencies full" $?
goes_on "a poisoned sequence number"

# a certificate record in n's name (k's certificate): refused, the
# session stays; one of k's own from a foreign CA: refused, and the
# session ends (k itself is the claimed origin)
before
r_ref=$(num m rec_refused)
peer k login:k fast cert:99:"$tmp/ca/k.pem":n idle:300 quit
out "link
in sync
open
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] &&
    [ "$(num m sessions_closed_bad)" -eq "$b_bad" ] &&
    grep -Fq "lst refused server=m from=k origin=n reason=\"signature: certificate does not name n\"" "$tmp/m.log" &&
    [ "$(lst m cert:n | cut -d' ' -f1)" = n ]
result "a certificate record in n's name from k: refused, session stays, n's stays" $?
goes_on "a certificate in another's name"

before
r_ref=$(num m rec_refused)
peer k login:k fast cert:99:"$tmp/ca/foreign/k.pem" closed
out "link
in sync
closed" && [ "$(num m rec_refused)" -eq $((r_ref + 1)) ] && closed_bad &&
    grep -Fq "lst refused server=m from=k origin=k reason=\"signature: certificate: unable to get local issuer certificate\"" "$tmp/m.log" &&
    [ "$(lst m cert:k | cut -d' ' -f2)" = 1 ]
result "k's certificate record of a foreign CA: refused, k's session closed, its certificate stays" $?
goes_on "a certificate of a foreign CA"

# the whole 64-bit sequence space: k's own record at 2^64-1 is signed,
# installed, relayed by m to n and on to p (verified at every hop) and
# written to the LST file
QMAX=18446744073709551615
peer k login:k fast conn:K-out:k:$QMAX:0 idle:300 quit
out "link
in sync
open
closed" && [ "$(lst m connector:K-out:k)" = "k $QMAX up" ] &&
    until_ok is "k $QMAX up" lst n connector:K-out:k &&
    until_ok is "k $QMAX up" lst p connector:K-out:k &&
    until_ok grep -q "\"q\":\"$QMAX\"" "$tmp/m/lst.json"
result "seq 2^64-1 round-trips: installed at m, relayed to n and p, written as a decimal string" $?

# ------------------------------------------------------- rerouting now
# n's connector G1-G2 held up, then down, by the admin (overrides, so the
# monitor's view does not matter): n's own routing changed, so the daemon
# lists the queue once (the stand-in's listing is empty: nothing to retry)
# and counts the pass in its status; back to the monitor afterwards
"$LSACTL" connector -c "$tmp/n.conf" up G1-G2 >/dev/null
# a pass that this caused (reroute_interval 100ms) and its rechecks (an
# override up may release held mail: reroute_recheck 400ms) are over
# when the stand-in has not been called for a second (at most 10 s)
quiet=0
while [ "$quiet" -lt 10 ]; do
	c0=$(wc -l <"$LSA_STANDIN_DIR/calls" 2>/dev/null || echo 0)
	sleep 1
	[ "$(wc -l <"$LSA_STANDIN_DIR/calls" 2>/dev/null || echo 0)" = "$c0" ] &&
	    break
	quiet=$((quiet + 1))
done
passes=$(num n passes)
: >"$LSA_STANDIN_DIR/calls"
reroute_status() {
	[ "$(num n passes)" -eq $((passes + 1)) ] &&
	    [ "$(num n retried)" -eq 0 ] && [ "$(num n flushes)" -eq 0 ]
}
"$LSACTL" connector -c "$tmp/n.conf" down G1-G2 >/dev/null &&
    until_ok grep -q ' -j$' "$LSA_STANDIN_DIR/calls" &&
    until_ok reroute_status &&
    [ "$(grep -c . "$LSA_STANDIN_DIR/calls")" -eq 1 ]
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "# passes before: $passes"
	sed 's/^/# calls: /' "$LSA_STANDIN_DIR/calls"
	"$LSACTL" status -c "$tmp/n.conf" | sed 's/^/# status: /'
fi
result "n's routing changed: one postqueue -j, nothing retried" "$rc"
"$LSACTL" connector -c "$tmp/n.conf" auto G1-G2 >/dev/null
result "lsactl connector auto G1-G2 at n" $?

# ---------------------------------------------------------------- the end
alive "$M_PID" && alive "$N_PID" && alive "$P_PID" && full_mesh &&
    until_ok is "$(digest m)" digest n &&
    until_ok is "$(digest m)" digest p &&
    [ "$(lst p connector:K-out:k)" = "k $QMAX up" ]
result "m, n, p still run, adjacencies full, one LST digest" $?

end_agents m n p

# tls_crl: m again, with the CA's CRL revoking k's certificate: k's
# handshake fails; n's and p's sessions come up as before
(
	cd "$tmp/ca" && : >index.txt && echo 01 >crlnumber &&
	printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n' >ca.cnf &&
	openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke k.pem \
	    2>/dev/null &&
	openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl \
	    -out crl.pem 2>/dev/null
) && echo "tls_crl = $tmp/ca/crl.pem" >>"$tmp/m.conf" &&
    start m && M_PID=$pid && start n && N_PID=$pid && start p &&
    until_ok is "k=down n=full" peers m &&
    peer k login:k
out "tls-failed SSLV3_ALERT_CERTIFICATE_REVOKED" ||
    out "tls-failed TLSV1_ALERT_CERTIFICATE_REVOKED"
result "tls_crl: k's revoked certificate fails the handshake at m; n and p full" $?
kill $pids
for p in $pids; do
	wait "$p"
done
pids=""

[ "$failed" -eq 0 ]
