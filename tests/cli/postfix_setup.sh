#!/bin/sh
# postfix_setup.sh - `lsactl postfix-setup` against a scratch Postfix
# configuration directory that already has restrictions and a milter:
# the dry run changes nothing, the wiring lands where the README says
# (policy service before permit_mynetworks, the admin's entries kept in
# order; lsa-policyd's TLS policy and SASL password tables after the
# admin's own), a second run changes nothing, --undo restores main.cf and
# master.cf byte for byte, and `postfix check` accepts the result.
#
# Run from the repository root with BUILD set to the build directory.
set -u
BUILD=${BUILD:-build}
LSACTL="$BUILD/bin/lsactl"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh
PATH="$PATH:/usr/sbin:/sbin"

if ! command -v postconf >/dev/null 2>&1; then
	echo "ok postfix_setup # SKIP no postconf"
	exit 0
fi
pf="$tmp/pf"
mkdir "$pf"
if [ -f /etc/postfix/main.cf ]; then
	cp /etc/postfix/main.cf "$pf/main.cf"
else
	cp /usr/share/postfix/main.cf.debian "$pf/main.cf" 2>/dev/null ||
	    : >"$pf/main.cf"
fi
if [ -f /etc/postfix/master.cf ]; then
	cp /etc/postfix/master.cf "$pf/master.cf"
else
	cp /usr/share/postfix/master.cf.dist "$pf/master.cf"
fi
cat >>"$pf/main.cf" <<'EOF2'
smtpd_recipient_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
smtpd_milters = inet:127.0.0.1:8891
defer_transports = slowlane
smtp_tls_policy_maps = texthash:/etc/postfix/tls_policy
EOF2
cat >"$tmp/lsa.conf" <<'EOF2'
[policyd]
socketmap_listen = inet:127.0.0.1:20691
policy_listen = inet:127.0.0.1:20692
hold_transport = lsawait

[milter]
listen = inet:20693@127.0.0.1
EOF2
cp "$pf/main.cf" "$tmp/main.orig"
cp "$pf/master.cf" "$tmp/master.orig"
postconf -c "$pf" -n >"$tmp/n.orig"
get() { postconf -c "$pf" -h "$1"; }

# --- dry run: prints the commands, changes nothing, makes no backup
run "$LSACTL" postfix-setup --dry-run -C "$pf" -c "$tmp/lsa.conf"
[ "$rc" -eq 0 ] && cmp -s "$pf/main.cf" "$tmp/main.orig" &&
    cmp -s "$pf/master.cf" "$tmp/master.orig" &&
    [ ! -e "$pf/main.cf.lsa-backup" ] &&
    grep -q "smtpd_recipient_restrictions = permit_sasl_authenticated, check_policy_service { inet:127.0.0.1:20692," "$tmp/out" &&
    grep -q -- "-Me 'lsawait/unix=lsawait unix - - n - - smtp'" "$tmp/out"
result "dry run: prints the wiring, changes nothing" $?

# --- first run
run "$LSACTL" postfix-setup -C "$pf" -c "$tmp/lsa.conf"
result "first run: exit 0" "$rc"
cmp -s "$pf/main.cf.lsa-backup" "$tmp/main.orig" &&
    cmp -s "$pf/master.cf.lsa-backup" "$tmp/master.orig"
result "first run: main.cf and master.cf backed up" $?
pol='check_policy_service { inet:127.0.0.1:20692, timeout=5s, { default_action = DUNNO } }'
[ "$(get smtpd_recipient_restrictions)" = "permit_sasl_authenticated, $pol, permit_mynetworks, reject_unauth_destination" ]
result "policy service before permit_mynetworks, the admin's order kept" $?
[ "$(get smtpd_end_of_data_restrictions)" = "$pol" ]
result "policy service at end of data" $?
[ "$(get transport_maps)" = "socketmap:inet:127.0.0.1:20691:transport" ]
result "transport_maps: the socketmap" $?
[ "$(get defer_transports)" = "slowlane, lsawait" ]
result "defer_transports: the admin's and the hold transport" $?
mil='{ inet:127.0.0.1:20693, default_action = tempfail }'
[ "$(get smtpd_milters)" = "inet:127.0.0.1:8891, $mil" ] &&
    [ "$(get non_smtpd_milters)" = "$mil" ]
result "milters: appended, tempfail when the milter is down" $?
[ "$(get milter_header_checks)" = "regexp:/usr/share/lsa/milter_header_checks" ]
result "milter_header_checks" $?
postconf -c "$pf" -M lsawait/unix | grep -q '^lsawait *unix .* smtp$'
result "master.cf: the hold transport" $?
[ "$(get smtp_tls_policy_maps)" = "texthash:/etc/postfix/tls_policy, socketmap:inet:127.0.0.1:20691:tls_policy" ]
result "smtp_tls_policy_maps: the admin's table, then lsa-policyd's" $?
[ "$(get smtp_sasl_password_maps)" = "socketmap:inet:127.0.0.1:20691:sasl_passwd" ] &&
    [ "$(get smtp_sasl_auth_enable)" = yes ] &&
    [ "$(get smtp_sasl_tls_security_options)" = noanonymous ] &&
    [ "$(get smtp_sasl_security_options)" = "noplaintext, noanonymous" ]
result "SASL: the password table, auth on, plain text only inside TLS" $?
if postfix -c "$pf" check >"$tmp/out" 2>"$tmp/err"; then
	result "postfix check accepts the result" 0
else
	echo "ok postfix check accepts the result # SKIP cannot run here: $(head -1 "$tmp/err")"
fi

# --- second run: nothing changes, the backup stays the first run's
postconf -c "$pf" -n >"$tmp/n.1"
cp "$pf/master.cf" "$tmp/master.1"
echo "# the second run's" >>"$pf/main.cf"
cp "$pf/main.cf" "$tmp/main.1"
run "$LSACTL" postfix-setup -C "$pf" -c "$tmp/lsa.conf"
postconf -c "$pf" -n >"$tmp/n.2"
[ "$rc" -eq 0 ] && cmp -s "$tmp/n.1" "$tmp/n.2" &&
    cmp -s "$pf/main.cf" "$tmp/main.1" &&
    cmp -s "$pf/master.cf" "$tmp/master.1" &&
    grep -q "nothing to change" "$tmp/out" &&
    cmp -s "$pf/main.cf.lsa-backup" "$tmp/main.orig"
result "second run: changes nothing, keeps the first backup" $?

# --- undo: byte for byte, backups gone
run "$LSACTL" postfix-setup --undo -C "$pf"
[ "$rc" -eq 0 ] && cmp -s "$pf/main.cf" "$tmp/main.orig" &&
    cmp -s "$pf/master.cf" "$tmp/master.orig" &&
    [ ! -e "$pf/main.cf.lsa-backup" ] && [ ! -e "$pf/master.cf.lsa-backup" ]
result "undo: main.cf and master.cf as they were" $?
postconf -c "$pf" -n >"$tmp/n.3"
cmp -s "$tmp/n.orig" "$tmp/n.3"
result "undo: postconf -n as before" $?
run "$LSACTL" postfix-setup --undo -C "$pf"
[ "$rc" -eq 1 ]
result "undo without a backup: exit 1" $?

# --- no restrictions at all: the policy service alone; defaults used
rm -f "$pf/main.cf.lsa-backup" "$pf/master.cf.lsa-backup"
postconf -c "$pf" -X smtpd_recipient_restrictions
postconf -c "$pf" -e "smtp_sasl_tls_security_options = noanonymous, noplaintext"
run "$LSACTL" postfix-setup -C "$pf"
[ "$rc" -eq 0 ] && [ "$(get smtpd_recipient_restrictions)" = "check_policy_service { inet:127.0.0.1:10692, timeout=5s, { default_action = DUNNO } }" ] &&
    [ "$(get transport_maps)" = "socketmap:inet:127.0.0.1:10691:transport" ] &&
    [ "$(get smtp_tls_policy_maps)" = "texthash:/etc/postfix/tls_policy, socketmap:inet:127.0.0.1:10691:tls_policy" ]
result "empty restrictions, default settings" $?
[ "$(get smtp_sasl_tls_security_options)" = "noanonymous, noplaintext" ]
result "SASL: the admin's own smtp_sasl_tls_security_options stays" $?

run "$LSACTL" postfix-setup --dry-run --undo -C "$pf"
[ "$rc" -eq 2 ]
result "usage: --dry-run with --undo" $?

# --- limited connectors (max_connections): a transport each, idempotent
cat >"$tmp/topo.conf" <<'EOF2'
[organization]
name = Org
version = 1
[group A]
[group B]
[server a1]
group = A
address = 10.0.0.1
[server b1]
group = B
address = 10.0.1.1
[connector AB]
from = A
to = B
bidirectional = yes
max_connections = 2
[connector Free]
from = A
to = B
EOF2
printf '[agent]\nserver = a1\npostfix_config_dir = %s\n' "$pf" >"$tmp/lsa2.conf"
run "$LSACTL" check -c "$tmp/lsa2.conf" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && grep -q "^warning: connector AB (max_connections = 2): Postfix transport lsa-AB is not in $pf/master.cf" "$tmp/out" &&
    ! grep -q "lsa-AB-reverse" "$tmp/out" && grep -q "configuration OK" "$tmp/out"
result "check: warns of a limited connector of this server without its transport" $?
run "$LSACTL" postfix-setup -C "$pf" -c "$tmp/lsa2.conf" -t "$tmp/topo.conf"
ent() { postconf -c "$pf" -M "$1/unix" | tr -s ' \t' ' '; }
want=" unix - - n - 2 smtp -o smtp_connection_cache_on_demand=no -o smtp_connection_cache_destinations= -o smtp_skip_quit_response=no"
[ "$rc" -eq 0 ] && [ "$(ent lsa-AB)" = "lsa-AB$want" ] &&
    [ "$(ent lsa-AB-reverse)" = "lsa-AB-reverse$want" ] &&
    [ -z "$(postconf -c "$pf" -M lsa-Free/unix 2>/dev/null)" ]
result "postfix-setup: a transport per limited connector, maxproc N, no connection cache" $?
run "$LSACTL" check -c "$tmp/lsa2.conf" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && ! grep -q "^warning" "$tmp/out"
result "check: no warning once the transports are there" $?
cp "$pf/master.cf" "$tmp/master.2"
run "$LSACTL" postfix-setup -C "$pf" -c "$tmp/lsa2.conf" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && cmp -s "$pf/master.cf" "$tmp/master.2" && grep -q "nothing to change" "$tmp/out"
result "postfix-setup: a second run changes nothing" $?
sed -i 's/max_connections = 2/max_connections = 5/' "$tmp/topo.conf"
run "$LSACTL" postfix-setup -C "$pf" -c "$tmp/lsa2.conf" -t "$tmp/topo.conf"
[ "$rc" -eq 0 ] && [ "$(ent lsa-AB)" = "lsa-AB unix - - n - 5 smtp -o smtp_connection_cache_on_demand=no -o smtp_connection_cache_destinations= -o smtp_skip_quit_response=no" ] &&
    [ "$(grep -c '^lsa-AB ' "$pf/master.cf")" -eq 1 ]
result "postfix-setup: a changed limit replaces the entry" $?

[ "$failed" -eq 0 ]
