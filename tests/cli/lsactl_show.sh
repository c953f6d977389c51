#!/bin/sh
# lsactl_show.sh - `lsactl show topology` and `lsactl show settings` write
# files that load back clean and print the same again.
#
# A printed topology notes its defaults ("    ; default..."); read back,
# those values are written out, so the second print has no notes: the
# first and second prints are compared without the notes, the second and
# third byte for byte.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
LSACTL="$BUILD/bin/lsactl"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
. tests/cli_lib.sh

# nonotes FILE: the file without its "    ; default..." notes
nonotes() {
	sed 's/    ; default.*$//' "$1"
}

# roundtrip NAME TOPOLOGY: show, check the print, show it twice more
roundtrip() {
	run "$LSACTL" show topology -t "$2"
	[ "$rc" -eq 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
	result "show topology $1: exit 0" $? || return
	cp "$tmp/out" "$tmp/p1.conf"

	run "$LSACTL" check -t "$tmp/p1.conf"
	[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "configuration OK" ]
	result "show topology $1: the print checks clean" $?

	run "$LSACTL" show topology -t "$tmp/p1.conf"
	cp "$tmp/out" "$tmp/p2.conf"
	nonotes "$tmp/p1.conf" >"$tmp/n1"
	nonotes "$tmp/p2.conf" >"$tmp/n2"
	[ "$rc" -eq 0 ] && cmp -s "$tmp/n1" "$tmp/n2"
	if ! result "show topology $1: shown again, the same but for the notes" $?
	then
		diff "$tmp/n1" "$tmp/n2" | head -20 | sed 's/^/# /'
	fi

	run "$LSACTL" show topology -t "$tmp/p2.conf"
	[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/p2.conf"
	result "show topology $1: a third time, byte for byte the second" $?

	awk 'length($0) > 196 { bad = 1 } END { exit bad }' "$tmp/p1.conf"
	result "show topology $1: no printed line over 196 characters" $?
}

for t in tests/topologies/*.conf; do
	roundtrip "$t" "$t"
done

# Long names and long lists: the printer wraps lists onto indented
# continuation lines, names of 64 characters survive whole.
big="$tmp/big.conf"
long=a123456789b123456789c123456789d123456789e123456789f123456789-xyz
{
	printf '[organization]\nname = Big\nversion = 18446744073709551615\n'
	printf 'domains = big.test'
	i=1
	while [ $i -le 30 ]; do
		printf '\n    d%02d.sub-domain-of-some-length.big.test' $i
		i=$((i + 1))
	done
	printf '\n\n[group %s]\nhub = yes\n[group Two]\n' "$long"
	i=1
	while [ $i -le 12 ]; do
		printf '[server %s%02d]\ngroup = %s\naddress = 10.0.0.%d\n' \
		    "$(echo $long | cut -c1-62)" $i "$long" $i
		printf 'mailboxes = m%02d.big.test, *.m%02d.big.test\n' $i $i
		i=$((i + 1))
	done
	printf '[server two1]\ngroup = Two\naddress = two1.big.test\n'
	printf 'smtp_port = 2525\nagent_port = 65535\n'
	printf '[connector %s]\nfrom = %s\nto = Two\ncost = 100\n' \
	    "$long" "$long"
	printf 'max_size = 1536k\nscope = group\nenabled = no\n'
	printf '[connector Back]\nfrom = Two\nto = %s\n' "$long"
	printf '[connector Out]\nsources = two1, %s01\n' \
	    "$(echo $long | cut -c1-62)"
	printf 'address_spaces = * 50, partner.test\n    *.partner.test 2\n'
	printf 'smart_hosts = [10.1.2.3]:2525, [2001:db8::1]:25\n'
	printf '    relay.partner.test, relay2.partner.test:587\n'
} >"$big"
run "$LSACTL" check -t "$big"
[ "$rc" -eq 0 ]
result "check -t long names and lists: exit 0" $?
roundtrip "(long names and lists)" "$big"
grep -q "^\[group $long\]\$" "$tmp/p1.conf" &&
    grep -q "^\[connector $long\]\$" "$tmp/p1.conf" &&
    grep -q '^    ' "$tmp/p1.conf"
result "show topology: 64-character names whole, lists wrapped" $?

# --- settings: the defaults and a file, printed and read back
run "$LSACTL" show settings
cp "$tmp/out" "$tmp/s1.conf"
[ "$rc" -eq 0 ] && grep -Fxq '[agent]' "$tmp/s1.conf" &&
    grep -Fxq '[policyd]' "$tmp/s1.conf" && grep -Fxq '[milter]' "$tmp/s1.conf"
result "show settings (defaults): exit 0, three sections" $?
run "$LSACTL" show settings -c "$tmp/s1.conf"
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/s1.conf"
result "show settings (defaults): reads back the same" $?

set1="$tmp/set1.conf"
cat >"$set1" <<'EOF'
[milter]
hop_limit = 7
loop_action = bounce
[agent]
server = lon-bh1
dead_interval = 90s
probe_timeout = 2500ms
relay = direct
suppress_state_changes = yes
[policyd]
socketmap_listen = unix:/run/lsa/socketmap.sock
EOF
run "$LSACTL" show settings -c "$set1"
cp "$tmp/out" "$tmp/s2.conf"
[ "$rc" -eq 0 ] && grep -Fxq 'server = lon-bh1' "$tmp/s2.conf" &&
    grep -Fxq 'dead_interval = 90s' "$tmp/s2.conf" &&
    grep -Fxq 'probe_timeout = 2500ms' "$tmp/s2.conf" &&
    grep -Fxq 'relay = direct' "$tmp/s2.conf" &&
    grep -Fxq 'suppress_state_changes = yes' "$tmp/s2.conf" &&
    grep -Fxq 'socketmap_listen = unix:/run/lsa/socketmap.sock' \
    "$tmp/s2.conf" && grep -Fxq 'hop_limit = 7' "$tmp/s2.conf" &&
    grep -Fxq 'loop_action = bounce' "$tmp/s2.conf"
result "show settings -c: the file's values" $?
run "$LSACTL" show settings -c "$tmp/s2.conf"
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/s2.conf"
result "show settings -c: reads back the same" $?

printf '[agent]\nmax_clients = 5\n' >"$tmp/set2.conf"
run "$LSACTL" show settings -c "$tmp/set2.conf"
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] &&
    grep -Fxq "$tmp/set2.conf:2: max_clients: unknown key in [agent]" \
    "$tmp/err"
result "show settings -c bad file: exit 1, FILE:LINE: KEY:" $?

[ "$failed" -eq 0 ]
