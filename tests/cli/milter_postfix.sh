#!/bin/sh
# milter_postfix.sh - lsa-milter behind a real Postfix: one scratch
# instance (a1 of tests/milter/tiny.conf, 127.0.10.1) in a network
# namespace made for the test, with smtpd_milters and non_smtpd_milters;
# mail through smtpd (swaks, from several client addresses) and through
# sendmail/pickup: the trace header on delivered mail, an outsider's
# trace removed, a loop A,B,A (451 4.4.6), the hop limit (554 5.4.6),
# sendmail mail over connector A-B's max_size bounced 5.3.4 by the milter
# (no policy service in the non-SMTP path), a sender connector A-C
# refuses (5.7.1); a high-priority message steered whole over a link
# reserved to high priority (X-LSA-Route, milter_header_checks, FILTER).
# About 20 s.
#
# Needs root, `ip netns`, postfix and swaks (otherwise "ok ... # SKIP").
# Run from the repository root with BUILD set (tests/run.sh does both).
set -u
BUILD=${BUILD:-build}
if [ "${1:-}" != "--inner" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null ||
	    ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
		echo "ok milter_postfix # SKIP needs root, ip, postfix, swaks"
		exit 0
	fi
	ns="lsamilter$$"
	if ! ip netns add "$ns" 2>/dev/null; then
		echo "ok milter_postfix # SKIP cannot make a network namespace"
		exit 0
	fi
	trap 'ip netns del "$ns" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	BUILD=$BUILD timeout 180 ip netns exec "$ns" sh "$0" --inner
	exit $?
fi

# ---- inside the namespace
MILTER="$(pwd)/$BUILD/bin/lsa-milter"
LSACTL="$(pwd)/$BUILD/bin/lsactl"
TINY="$(pwd)/tests/milter/tiny.conf"
tmp=$(mktemp -d /tmp/milter_postfix.XXXXXX) || exit 1
chmod 755 "$tmp"
pf="$tmp/postfix"
mpid=""
cleanup() {
	postfix -c "$pf" stop >/dev/null 2>&1
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null && wait "$mpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
failed=0
rc=0
. tests/cli_lib.sh
cur_log="$tmp/maillog"

ip link set lo up
for a in 127.0.10.1 127.0.11.1 127.0.0.5 127.0.13.1; do
	ip addr add "$a/32" dev lo
done
sysctl -qw net.unix.max_dgram_qlen=1024 2>/dev/null

# wait_for FILE PATTERN: bounded wait (20 s) for an extended regexp
wait_for() {
	i=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

# delivered SUBJECT: the file of the delivered message with the subject
# (in new/: a file in tmp/ may be half written)
delivered() {
	i=0
	while :; do
		f=$(grep -ls -- "^Subject: $1\$" "$tmp"/mail/inbox/new/* 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

# ---- the milter
printf '[policyd]\ntransport = smtp\n' >"$tmp/lsactl.conf"
"$LSACTL" snapshot -c "$tmp/lsactl.conf" -t "$TINY" --lst-version 7 \
    -o "$tmp/lst.snapshot" || exit 1
cat >"$tmp/lsa.conf" <<EOF
[agent]
server = a1
topology = $TINY
state_dir = $tmp
[policyd]
snapshot = $tmp/lst.snapshot
[milter]
listen = inet:10693@127.0.10.1
EOF
"$MILTER" -d -v -c "$tmp/lsa.conf" 2>"$tmp/milter.log" &
mpid=$!
wait_for "$tmp/milter.log" "lsa-milter: started "
result "lsa-milter starts" $? || exit 1

# ---- the Postfix instance
mkdir -p "$pf" "$tmp/spool" "$tmp/data" "$tmp/mail"
chown postfix:postfix "$tmp/data"
chown 65534:65534 "$tmp/mail"
cp /etc/postfix/master.cf.proto "$pf/master.cf"
sed -i -E 's/^([a-z]+ +[a-z]+ +[-yn] +[-yn] +)[-y]( )/\1n\2/' "$pf/master.cf"
: >"$pf/main.cf"
M="inet:127.0.10.1:10693"
postconf -c "$pf" -e \
    "compatibility_level=3.6" "queue_directory=$tmp/spool" \
    "data_directory=$tmp/data" "mail_owner=postfix" \
    "setgid_group=postdrop" "myhostname=a1.tiny.test" \
    "mydomain=tiny.test" "myorigin=a.tiny.test" \
    "inet_interfaces=127.0.10.1" "inet_protocols=ipv4" \
    "mydestination=" "local_recipient_maps=" "alias_maps=" \
    "alias_database=" "relay_domains=" "mynetworks=127.0.0.0/8" \
    "smtpd_peername_lookup=no" "smtp_dns_support_level=disabled" \
    "maillog_file=$tmp/maillog" \
    "maillog_file_prefixes=/var, /dev/stdout, $tmp" \
    "virtual_mailbox_domains=a.tiny.test, b.tiny.test, c.tiny.test" \
    "virtual_mailbox_base=$tmp/mail" "virtual_mailbox_maps=static:inbox/" \
    "virtual_uid_maps=static:65534" "virtual_gid_maps=static:65534" \
    "virtual_minimum_uid=100" "smtpd_milters=$M" "non_smtpd_milters=$M" \
    "milter_default_action=tempfail" "message_size_limit=20000000" \
    "smtputf8_enable=no" "biff=no" "delay_warning_time=0" \
    "smtpd_tls_security_level=none" "smtp_tls_security_level=none" \
    "bounce_queue_lifetime=0" "smtpd_banner=\$myhostname ESMTP" \
    "milter_header_checks=regexp:$(pwd)/packaging/milter_header_checks"
run postfix -c "$pf" start
wait_for "$tmp/maillog" "daemon started" || { cat "$tmp/maillog"; false; }
result "postfix starts with smtpd_milters and non_smtpd_milters" $? || exit 1

# swaks_from ADDR SUBJECT [swaks args...]: a message to y@a.tiny.test
swaks_from() {
	sf_addr=$1 sf_subj=$2
	shift 2
	run swaks --server 127.0.10.1 --local-interface "$sf_addr" \
	    --from x@a.tiny.test --to y@a.tiny.test \
	    --header "Subject: $sf_subj" "$@"
}

# ---- through smtpd
swaks_from 127.0.11.1 inside1 \
    --add-header "X-LSA-Trace: group=B; server=b1; lst=7/0; t=1"
f=$(delivered inside1) &&
    grep -Eq '^X-LSA-Trace: group=A; server=a1; lst=7/[0-9a-f]{12}; t=[0-9]+$' "$f" &&
    grep -Fq 'X-LSA-Trace: group=B; server=b1; lst=7/0; t=1' "$f" &&
    [ "$(grep -n '^X-LSA-Trace: group=A' "$f" | cut -d: -f1)" -lt \
      "$(grep -n '^X-LSA-Trace: group=B' "$f" | cut -d: -f1)" ]
result "smtpd: delivered with this hop's trace above b1's" $?

swaks_from 127.0.0.5 outsider1 \
    --add-header "X-LSA-Trace: group=B; server=b1; lst=7/0; t=2" \
    --add-header "X-LSA-Trace: group=A; server=a2; lst=7/0; t=1"
f=$(delivered outsider1) && [ "$(grep -c '^X-LSA-Trace:' "$f")" -eq 1 ] &&
    grep -Eq '^X-LSA-Trace: group=A; server=a1; ' "$f"
result "smtpd: an outsider's trace headers removed, ours added" $?

swaks_from 127.0.11.1 loop1 \
    --add-header "X-LSA-Trace: group=B; server=b1; lst=7/0; t=2" \
    --add-header "X-LSA-Trace: group=A; server=a2; lst=7/0; t=1"
cat "$tmp/err" >>"$tmp/out"
grep -Eq '451 4\.4\.6 routing loop: the message already left group A \(trace A,B,A\)' "$tmp/out"
result "smtpd: loop A,B,A answered 451 4.4.6" $?

set --
for i in $(seq 20 -1 1); do
	set -- "$@" --add-header "X-LSA-Trace: group=X$i; t=1"
done
swaks_from 127.0.11.1 hops1 "$@"
cat "$tmp/err" >>"$tmp/out"
grep -Eq '554 5\.4\.6 too many hops: 21 routing groups, the limit is 20' "$tmp/out"
result "smtpd: 21 groups past hop_limit 20 answered 554 5.4.6" $?

# ---- the whole-message next hop: FILTER through milter_header_checks
# d1 (127.0.13.1) is an smtp-sink; this instance has no transport_maps,
# so only the milter's X-LSA-Route (a high-priority message to D takes
# the high-only A-D link) sends mail there; a normal one is not steered
smtp-sink -u nobody 127.0.13.1:25 64 >/dev/null 2>&1 &
sink=$!
sleep 0.3
swaks_from 127.0.11.1 route1 --to y@d.tiny.test --add-header "Importance: High"
wait_for "$tmp/maillog" 'to=<y@d\.tiny\.test>, relay=127\.0\.13\.1\[127\.0\.13\.1\]:25,.* status=sent' &&
    grep -Fq 'decision=filter class=high system=0 nexthop="smtp:[127.0.13.1]:25"' "$tmp/milter.log"
result "FILTER: a high-priority message to D leaves over the high-only link (X-LSA-Route, milter_header_checks)" $?
swaks_from 127.0.11.1 route2 --to z@d.tiny.test
sleep 2
! grep -Eq 'to=<z@d\.tiny\.test>, relay=127\.0\.13\.1' "$tmp/maillog"
result "FILTER: a normal message to D is left to transport lookups (not steered)" $?
kill "$sink" 2>/dev/null

# ---- through sendmail and pickup (non_smtpd_milters)
printf 'Subject: local1\n\nhello\n' |
    sendmail -C "$pf" -f x@a.tiny.test y@a.tiny.test
f=$(delivered local1) && grep -Eq '^X-LSA-Trace: group=A; server=a1; ' "$f"
result "sendmail: delivered with the trace header" $?

python3 -c 'import sys; sys.stdout.write("Subject: big1\n\n" + ("0123456789" * 7 + "\n") * 16000)' |
    sendmail -C "$pf" -f x@a.tiny.test y@b.tiny.test
wait_for "$tmp/maillog" 'milter-reject: END-OF-MESSAGE .*5\.3\.4 message size [0-9]+ exceeds the limit 1048576 of connector A-B on the route'
result "sendmail: over A-B's max_size bounced 5.3.4 by the milter" $?

printf 'Subject: sender1\n\nhello\n' |
    sendmail -C "$pf" -f bad@spam.tiny.test y@c.tiny.test
wait_for "$tmp/maillog" 'milter-reject: END-OF-MESSAGE .*5\.7\.1 connector A-C does not accept mail from bad@spam\.tiny\.test'
result "sendmail: a sender connector A-C refuses bounced 5.7.1" $?

grep -Fq 'client=127.0.0.1 inside=1' "$tmp/milter.log"
result "non-SMTP mail (localhost, 127.0.0.1) is inside for the milter" $?

exit $((failed > 0))
