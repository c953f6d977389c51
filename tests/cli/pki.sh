#!/bin/sh
# pki.sh - `lsactl pki`: a CA made by init, certificates made by issue
# that two real lsa-agent daemons accept (TLS both ways, records signed
# with the keys) up to a full adjacency, keys at mode 0600 (a server's
# given to --owner, or to lsa when that user exists), and check
# naming a server without a certificate and every expiry date.
#
# Run from the repository root with BUILD set to the build directory.
set -u
BUILD=${BUILD:-build}
AGENT="$BUILD/bin/lsa-agent"
LSACTL="$BUILD/bin/lsactl"
PEER="tests/agent/peer.py"
tmp=$(mktemp -d) || exit 1
pids=""
. tests/cli_lib.sh
trap stop_all EXIT	# the daemons in $pids, then $tmp
trap 'exit 130' INT TERM HUP PIPE
failed=0
. tests/agent/agent_lib.sh

configure() {
	base=$((21000 + (($$ + $1 * 397) % 1200) * 10))
	cat >"$tmp/topo.conf" <<EOF2
[organization]
name = T
version = 1
[group G1]
master = m
[server m]
group = G1
address = 127.0.0.1
agent_port = $base
[server n]
group = G1
address = 127.0.0.1
agent_port = $((base + 1))
[server q]
group = G1
address = 127.0.0.1
agent_port = $((base + 2))
EOF2
	agent_conf m "$base"
	agent_conf n "$((base + 1))"
	for a in m n; do
		printf 'reroute_command =\n' >>"$tmp/$a.conf"
	done
}

# --- init and issue
run "$LSACTL" pki init "$tmp/ca"
[ "$rc" -eq 0 ] && [ -f "$tmp/ca/ca.pem" ] &&
    [ "$(stat -c %a "$tmp/ca/ca.key")" = 600 ] &&
    [ "$(stat -c %a "$tmp/ca")" = 700 ]
result "pki init: ca.pem, ca.key at 0600 in a 0700 directory" $?
run "$LSACTL" pki init "$tmp/ca"
[ "$rc" -eq 1 ]
result "pki init again: refused, the CA kept" $?
openssl x509 -in "$tmp/ca/ca.pem" -noout -text >"$tmp/ca.txt" 2>&1
grep -q "CA:TRUE" "$tmp/ca.txt" && grep -q "prime256v1\|P-256" "$tmp/ca.txt"
result "the CA: CA:TRUE, EC P-256" $?
configure 0
ok=0
for s in m n; do
	run "$LSACTL" pki issue "$tmp/ca" "$s" -t "$tmp/topo.conf"
	[ "$rc" -eq 0 ] && [ "$(stat -c %a "$tmp/ca/$s.key")" = 600 ] || ok=1
done
result "pki issue m, n: keys at 0600" $ok
# the owner of a server key: lsa when it exists (root only), else the caller
want=$(id -un)
if [ "$(id -u)" -eq 0 ] && getent passwd lsa >/dev/null; then
	want=lsa
fi
[ "$(stat -c %U "$tmp/ca/m.key")" = "$want" ] &&
    [ "$(stat -c %U "$tmp/ca/ca.key")" = "$(id -un)" ]
result "pki issue: m.key owned by $want, ca.key by the caller" $?
run "$LSACTL" pki init "$tmp/ca2"
if [ "$(id -u)" -eq 0 ]; then
	run "$LSACTL" pki issue "$tmp/ca2" m --owner nobody
	[ "$rc" -eq 0 ] && [ "$(stat -c '%U %a' "$tmp/ca2/m.key")" = "nobody 600" ] &&
	    [ "$(stat -c %U "$tmp/ca2/m.pem")" = root ]
	result "pki issue --owner nobody: the key nobody's, at 0600" $?
else
	echo "ok pki issue --owner nobody # SKIP not root"
fi
run "$LSACTL" pki issue "$tmp/ca2" n --owner no-such-user-lsa
[ "$rc" -eq 1 ] && [ ! -e "$tmp/ca2/n.key" ] &&
    line err "lsactl: --owner no-such-user-lsa: no such user"
result "pki issue --owner: an unknown user refused, no key written" $?
openssl x509 -in "$tmp/ca/m.pem" -noout -text >"$tmp/m.txt" 2>&1
grep -q "Subject: CN *= *m$" "$tmp/m.txt" && grep -q "DNS:m$" "$tmp/m.txt" &&
    grep -q "TLS Web Server Authentication, TLS Web Client Authentication" \
    "$tmp/m.txt" && openssl verify -CAfile "$tmp/ca/ca.pem" \
    "$tmp/ca/m.pem" >/dev/null 2>&1
result "m's certificate: CN and DNS m, both TLS roles, the CA's" $?
run "$LSACTL" pki issue "$tmp/ca" zz -t "$tmp/topo.conf"
[ "$rc" -eq 1 ] && [ ! -e "$tmp/ca/zz.pem" ]
result "pki issue: a name not in the topology refused" $?
run "$LSACTL" pki issue "$tmp/ca" ../x
[ "$rc" -eq 1 ]
result "pki issue: a name that is no server name refused" $?

# --- check: q has none
run "$LSACTL" pki check "$tmp/ca" -t "$tmp/topo.conf"
exp_m=$(openssl x509 -in "$tmp/ca/m.pem" -noout -enddate | cut -d= -f2)
exp_m=$(date -u -d "$exp_m" +%Y-%m-%dT%H:%M:%SZ)
[ "$rc" -eq 1 ] && line out "m ok expires $exp_m" &&
    grep -q "^n ok expires 20[0-9-]*T[0-9:]*Z$" "$tmp/out" &&
    grep -q "^ca ok expires 20" "$tmp/out" &&
    grep -q "^q bad: .*q.pem: No such file" "$tmp/out" && lines out 4
result "pki check: q without a certificate, the expiry of the others" $?
cp "$tmp/ca/m.pem" "$tmp/ca/q.pem"
cp "$tmp/ca/m.key" "$tmp/ca/q.key"
run "$LSACTL" pki check "$tmp/ca" -t "$tmp/topo.conf"
[ "$rc" -eq 1 ] && line out "q bad: certificate is not for q"
result "pki check: another server's certificate is no certificate" $?
run "$LSACTL" pki issue "$tmp/ca" q
run "$LSACTL" pki check "$tmp/ca" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && lines out 4
result "pki check: all ok, exit 0" $?

# --- usage errors: exit 2
for args in "" "frob $tmp/ca" "check $tmp/ca" "init" "issue $tmp/ca" \
    "issue $tmp/ca m --days 0" "init $tmp/ca3 --owner nobody"; do
	# shellcheck disable=SC2086
	run "$LSACTL" pki $args
	[ "$rc" -eq 2 ] && grep -q '^usage: lsactl ' "$tmp/err"
	result "usage error: lsactl pki $args: exit 2" $?
done

# --- two agents with these certificates reach a full adjacency
: >"$tmp/out"
: >"$tmp/err"
rc=0
cur_log="$tmp/m.log"
start_agents m n
result "agents m, n start with the pki certificates" $? || exit 1
until_ok is "n=full q=down" peers m &&
    until_ok is "m=full" peers n
# (n lists no adjacency to q while q is down)
result "m, n: full adjacency (TLS both ways, signed records)" $?
end_agents m n

[ "$failed" -eq 0 ]
