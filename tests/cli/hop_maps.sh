#!/bin/sh
# hop_maps.sh - lsa-policyd's tls_policy and sasl_passwd socketmap tables
# through postmap -q (Postfix's own socketmap client), with the keys
# Postfix's smtp(8) asks: a next hop as written ("[10.9.1.1]:2525") for
# the TLS policy, the host alone and then the next hop for the SASL
# password. The credentials file: answered, never logged (policyd -v),
# never shown by lsactl show; refused at start when group or others may
# read it, or with a bad line (FILE:LINE); a connector whose auth names
# no entry answers TEMP (the mail waits).
#
# Run from the repository root with BUILD set to the build directory.
set -u
BUILD=${BUILD:-build}
POLICYD="$BUILD/bin/lsa-policyd"
LSACTL="$BUILD/bin/lsactl"
tmp=$(mktemp -d) || exit 1
pids=""
. tests/cli_lib.sh
trap stop_all EXIT
trap 'exit 130' INT TERM
failed=0
PATH="$PATH:/usr/sbin:/sbin"
PW='Sup3rS3cret-pw'

if ! command -v postmap >/dev/null 2>&1; then
	echo "ok hop_maps # SKIP no postmap"
	exit 0
fi
mkdir "$tmp/pf"
echo 'compatibility_level = 3.6' >"$tmp/pf/main.cf"
cat >"$tmp/topo.conf" <<'EOF2'
[organization]
name = Hops
version = 1
[group A]
[group B]
[server a1]
group = A
address = 10.9.0.1
[server a2]
group = A
address = 10.9.0.2
[server b1]
group = B
address = 10.9.1.1
smtp_port = 2525
[connector AB]
from = A
to = B
[connector BA]
from = B
to = A
tls = none
[connector Net]
sources = a1
address_spaces = *
smart_hosts = [192.0.2.1]:587
auth = isp
tls = encrypt
[connector Net2]
sources = a1
address_spaces = other.test
smart_hosts = [192.0.2.9]:25
auth = nobody
EOF2
printf '# smart hosts\nisp = relayuser:%s\n' "$PW" >"$tmp/credentials"
chmod 600 "$tmp/credentials"
cat >"$tmp/lsa.conf" <<EOF2
[agent]
server = a1
topology = $tmp/topo.conf
tls_ca = $tmp/ca.pem

[policyd]
socketmap_listen = unix:$tmp/sockmap
policy_listen = unix:$tmp/policy
snapshot = $tmp/lst.snapshot
credentials = $tmp/credentials
EOF2
"$LSACTL" snapshot -c "$tmp/lsa.conf" -t "$tmp/topo.conf" -o "$tmp/lst.snapshot" \
    >/dev/null || exit 1

# start LOG: lsa-policyd -d -v in the background, $pid; 1 (and its exit
# status in $rc) if it exited instead of starting
start() {
	"$POLICYD" -d -v -c "$tmp/lsa.conf" 2>"$tmp/$1" &
	pid=$!
	if started "$pid" "$tmp/$1" '^lsa-policyd: started '; then
		pids="$pids $pid"
		return 0
	fi
	wait "$pid"
	rc=$?
	return 1
}

# q TABLE KEY: postmap -q through the daemon's socketmap
q() {
	run postmap -c "$tmp/pf" -q "$2" "socketmap:unix:$tmp/sockmap:$1"
}

start policyd.log
result "lsa-policyd starts with a 0600 credentials file" $?
until_ok grep -q "snapshot=$tmp/lst.snapshot loaded" "$tmp/policyd.log"

q tls_policy '[10.9.1.1]:2525'
[ "$rc" -eq 0 ] && out "secure match=b1 tafile=$tmp/ca.pem"
result "tls_policy: a target server: secure, named, the organization's CA" $?
q tls_policy '[10.9.0.2]:25'
[ "$rc" -eq 0 ] && out "secure match=a2 tafile=$tmp/ca.pem"
result "tls_policy: a server of the same group: secure" $?
q tls_policy '[192.0.2.1]:587'
[ "$rc" -eq 0 ] && out "encrypt"
result "tls_policy: the smart host of an outside connector: its tls" $?
q tls_policy '[192.0.2.9]:25'
[ "$rc" -eq 0 ] && out "may"
result "tls_policy: an outside connector's default: may" $?
q tls_policy 'example.com'
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
result "tls_policy: a domain: not found (main.cf decides)" $?
q tls_policy '[10.9.1.1]:25'
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ]
result "tls_policy: a server's address on another port: not found" $?

q sasl_passwd '192.0.2.1'
[ "$rc" -eq 0 ] && out "relayuser:$PW"
result "sasl_passwd: the host alone (smtp's first lookup)" $?
q sasl_passwd '[192.0.2.1]:587'
[ "$rc" -eq 0 ] && out "relayuser:$PW"
result "sasl_passwd: the next hop as written (its second)" $?
q sasl_passwd '[10.9.1.1]:2525'
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
result "sasl_passwd: a server of the organization: not found" $?
q sasl_passwd '192.0.2.9'
[ "$rc" -ne 0 ] && grep -q "temporary error: credentials missing" "$tmp/err" &&
    grep -q "sasl_passwd key=192.0.2.9 connector=Net2 auth=nobody: no such entry" \
    "$tmp/policyd.log"
result "sasl_passwd: auth naming no entry: TEMP (mail waits), logged" $?
q transport_nope 'x@y'
[ "$rc" -ne 0 ] && grep -q "unknown table" "$tmp/err"
result "an unknown table: PERM" $?

grep -q "sasl_passwd key=192.0.2.1 connector=Net auth=isp user=relayuser" \
    "$tmp/policyd.log" && ! grep -qF "$PW" "$tmp/policyd.log"
result "lsa-policyd -v logs the user, never the password" $?
run "$LSACTL" show topology -c "$tmp/lsa.conf" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && grep -qx "auth = isp" "$tmp/out" &&
    grep -qx "tls = encrypt" "$tmp/out" && ! grep -qF "$PW" "$tmp/out"
result "lsactl show topology: tls and auth, no password" $?
run "$LSACTL" show settings -c "$tmp/lsa.conf"
[ "$rc" -eq 0 ] && grep -qF "credentials = $tmp/credentials" "$tmp/out" &&
    ! grep -qF "$PW" "$tmp/out"
result "lsactl show settings: the credentials file's name, no password" $?
kill "$pid"
wait "$pid"

chmod 640 "$tmp/credentials"
if start refused.log; then
	result "a group-readable credentials file: no start" 1
else
	[ "$rc" -eq 1 ] && grep -q "credentials:0: refused: mode 0640 lets group or others in" \
	    "$tmp/refused.log"
	cat "$tmp/refused.log" >"$tmp/err"
	result "a group-readable credentials file: no start" $?
fi
chmod 600 "$tmp/credentials"
printf 'isp = relayuser:%s\nbroken line\n' "$PW" >"$tmp/credentials"
if start bad.log; then
	result "a bad credentials line: no start, FILE:LINE" 1
else
	[ "$rc" -eq 1 ] && grep -qF "$tmp/credentials:2: want NAME = user:password" \
	    "$tmp/bad.log" && ! grep -qF "$PW" "$tmp/bad.log"
	result "a bad credentials line: no start, FILE:LINE" $?
fi
run "$BUILD/bin/lsa-policyd" -n -c "$tmp/lsa.conf"
[ "$rc" -eq 1 ] && grep -qF "$tmp/credentials:2: want NAME = user:password" \
    "$tmp/err" && grep -q "configuration has 1 error" "$tmp/err" &&
    ! grep -qF "$PW" "$tmp/err"
result "lsa-policyd -n: the bad credentials line, FILE:LINE, exit 1" $?
printf 'isp = relayuser:%s\n' "$PW" >"$tmp/credentials"
run "$BUILD/bin/lsa-policyd" -n -c "$tmp/lsa.conf"
[ "$rc" -eq 0 ] && grep -q "configuration OK" "$tmp/out"
result "lsa-policyd -n: a good credentials file, configuration OK" $?
chmod 644 "$tmp/credentials"
run "$BUILD/bin/lsa-policyd" -n -c "$tmp/lsa.conf"
[ "$rc" -eq 1 ] && grep -q "refused: mode 0644" "$tmp/err"
result "lsa-policyd -n: a world-readable credentials file, exit 1" $?
chmod 600 "$tmp/credentials"

[ "$failed" -eq 0 ]
