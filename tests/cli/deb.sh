#!/bin/sh
# deb.sh - `make deb`: the package builds (dpkg-buildpackage, in
# $BUILD/deb), holds the expected files, lintian finds no error, and,
# as root on a machine where no lsa package is installed, its maintainer
# scripts do what they say: dpkg -i makes the system user and group lsa
# (lsa in postdrop), /etc/lsa 0750 root:lsa and /var/lib/lsa owned by
# lsa, enables and starts no unit and leaves /etc/postfix/main.cf as it
# was; dpkg -r keeps that configuration; dpkg --purge removes what
# postinst made and only that (an /etc/lsa that was there before stays).
# The machine is put back (purge) whatever fails.
#
# Run from the repository root with BUILD set to the build directory.
set -u
BUILD=${BUILD:-build}
DEBDIR="$BUILD/deb"
tmp=$(mktemp -d) || exit 1
failed=0
installed=0	# 1 while this test's package is on the machine
premade=""	# an /etc/lsa this test made to see purge keep it
. tests/cli_lib.sh

cleanup() {
	[ "$installed" -eq 1 ] && dpkg --purge lsa >/dev/null 2>&1
	[ -n "$premade" ] && rm -rf "$premade"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

for t in dpkg-buildpackage dh dpkg-deb; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "ok deb # SKIP no $t (packaging/install-deps.sh deb)"
		exit 0
	fi
done

# --- the build
start=$(date +%s)
git status --porcelain >"$tmp/git.before" 2>&1
run make --no-print-directory deb DEBDIR="$DEBDIR"
deb=$(ls "$DEBDIR"/lsa_*_*.deb 2>/dev/null | head -1)
git status --porcelain >"$tmp/git.after" 2>&1
[ "$rc" -eq 0 ] && [ -n "$deb" ] && [ ! -e debian ] &&
    cmp -s "$tmp/git.before" "$tmp/git.after"
result "make deb: $deb built in $(($(date +%s) - start)) s, the checkout untouched" $? ||
    exit 1

# --- the file list: programs, units, man pages, examples, the table
{
	for f in /lib/systemd/system/lsa-agent.service \
	    /lib/systemd/system/lsa-milter.service \
	    /lib/systemd/system/lsa-policyd.service /usr/bin/lsactl \
	    /usr/sbin/lsa-agent /usr/sbin/lsa-milter /usr/sbin/lsa-policyd \
	    /usr/share/doc/lsa/changelog.gz /usr/share/doc/lsa/copyright \
	    /usr/share/lsa/milter_header_checks; do
		echo "$f"
	done
	for f in packaging/examples/*; do
		echo "/usr/share/doc/lsa/examples/${f##*/}"
	done
	for m in packaging/man/*.[158]; do
		[ -f "$m" ] && echo "/usr/share/man/man${m##*.}/${m##*/}.gz"
	done
} | sort >"$tmp/want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' |
    sort >"$tmp/have"
diff "$tmp/want" "$tmp/have" >"$tmp/out" 2>&1
result "dpkg -c: exactly the expected files" $?
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ && $6 ~ /bin\// { print $1, $2, $6 }' >"$tmp/out"
[ "$(grep -c '^-rwxr-xr-x root/root ' "$tmp/out")" -eq 4 ] && lines out 4
result "dpkg -c: the four programs 0755 root" $?
dpkg-deb -x "$deb" "$tmp/root"
grep -q '^ExecStart=/usr/sbin/lsa-agent -c /etc/lsa/lsa.conf$' \
    "$tmp/root/lib/systemd/system/lsa-agent.service"
result "units: ExecStart names /usr/sbin and /etc/lsa" $?
run dpkg-deb -f "$deb" Depends
grep -q "adduser" "$tmp/out" && grep -q "postfix" "$tmp/out" &&
    grep -q "libjansson" "$tmp/out" && grep -q "libmilter" "$tmp/out"
result "Depends: adduser, postfix and the shared libraries" $?

# --- lintian: no error (warnings shown)
if command -v lintian >/dev/null 2>&1; then
	run lintian --fail-on error "$deb"
	sed -n 's/^\([EW]: .*\)/# lintian: \1/p' "$tmp/out"
	[ "$rc" -eq 0 ] && ! grep -q '^E: ' "$tmp/out"
	result "lintian: no error" $?
else
	echo "ok lintian # SKIP no lintian"
fi

# --- the maintainer scripts, for real
if [ "$(id -u)" -ne 0 ]; then
	echo "ok dpkg -i # SKIP not root"
	[ "$failed" -eq 0 ]
	exit
fi
if [ "$(dpkg-query -W -f='${db:Status-Status}' lsa 2>/dev/null)" != "" ] &&
    [ "$(dpkg-query -W -f='${db:Status-Status}' lsa)" != "not-installed" ]; then
	echo "ok dpkg -i # SKIP a package lsa is on this machine already"
	[ "$failed" -eq 0 ]
	exit
fi

# what was there before: purge must put exactly this back
before() {
	{
		getent passwd lsa >/dev/null && echo "user lsa"
		getent group lsa >/dev/null && echo "group lsa"
		[ -e /etc/lsa ] && echo "/etc/lsa $(stat -c '%a %U %G' /etc/lsa)"
		[ -e /var/lib/lsa ] && echo "/var/lib/lsa"
		if [ -e /etc/postfix/main.cf ]; then
			sha256sum </etc/postfix/main.cf
		else
			echo "no main.cf"
		fi
		ls /etc/systemd/system/*/lsa-* 2>/dev/null
	} >"$1"
}
before "$tmp/before"
cp /etc/postfix/main.cf "$tmp/main.cf" 2>/dev/null

installed=1
run dpkg -i "$deb"
result "dpkg -i: installed" $? || exit 1
pw=$(getent passwd lsa)
uid=$(echo "$pw" | cut -d: -f3)
[ -n "$pw" ] && [ "$uid" -lt 1000 ] &&
    [ "$(echo "$pw" | cut -d: -f6,7)" = "/var/lib/lsa:/usr/sbin/nologin" ] &&
    [ "$(id -gn lsa)" = lsa ] &&
    id -nG lsa | tr ' ' '\n' | grep -qx postdrop
result "postinst: system user lsa, group lsa, in group postdrop" $?
[ "$(stat -c '%a %U %G' /etc/lsa)" = "750 root lsa" ] &&
    [ "$(stat -c '%U' /var/lib/lsa)" = lsa ]
result "postinst: /etc/lsa 0750 root:lsa, /var/lib/lsa owned by lsa" $?
if [ -e "$tmp/main.cf" ]; then
	cmp -s "$tmp/main.cf" /etc/postfix/main.cf
else
	[ ! -e /etc/postfix/main.cf ]
fi
result "postinst: /etc/postfix/main.cf as it was" $?
ok=0
for u in lsa-agent lsa-milter lsa-policyd; do
	ls /etc/systemd/system/*/"$u.service" >/dev/null 2>&1 && ok=1
	if command -v systemctl >/dev/null 2>&1; then
		st=$(systemctl is-enabled "$u.service" 2>&1)
		[ "$st" = disabled ] || { echo "# $u: $st"; ok=1; }
		if [ -d /run/systemd/system ]; then
			systemctl is-active --quiet "$u.service" && ok=1
		fi
	fi
done
result "postinst: no lsa unit enabled or active" $ok
for u in /lib/systemd/system/lsa-*.service; do
	verify_unit "$u" "systemd-analyze verify installed ${u##*/}"
done
run /usr/bin/lsactl check -c /usr/share/doc/lsa/examples/lsa.conf \
    -t /usr/share/doc/lsa/examples/topology.conf
[ "$rc" -eq 0 ] && out "configuration OK"
result "installed lsactl: the examples check" $?
mkdir -m 0755 "$tmp/pf" && : >"$tmp/pf/main.cf" && chmod 0755 "$tmp"
run setpriv --reuid=postfix --regid=postfix --clear-groups \
    postmap -c "$tmp/pf" -q "X-LSA-Route: smtp:[192.0.2.1]:25" \
    regexp:/usr/share/lsa/milter_header_checks
[ "$rc" -eq 0 ] && out "FILTER smtp:[192.0.2.1]:25"
result "milter_header_checks: Postfix's user reads it, FILTER" $?
/usr/bin/lsactl pki init "$tmp/ca" >/dev/null &&
    run /usr/bin/lsactl pki issue "$tmp/ca" par-mx1
[ "$rc" -eq 0 ] && [ "$(stat -c '%U %a' "$tmp/ca/par-mx1.key")" = "lsa 600" ]
result "lsactl pki issue: the key lsa's at 0600 once the user exists" $?

# --- remove keeps the configuration, purge takes what postinst made
run dpkg -r lsa
[ "$rc" -eq 0 ] && [ ! -e /usr/sbin/lsa-agent ] && [ -d /etc/lsa ] &&
    getent passwd lsa >/dev/null
result "dpkg -r: programs gone, user and /etc/lsa kept" $?
run dpkg --purge lsa
rc1=$rc
installed=0
before "$tmp/after"
[ "$rc1" -eq 0 ] && diff "$tmp/before" "$tmp/after" >"$tmp/out" 2>&1 &&
    [ -z "$(ls /var/lib/systemd/deb-systemd-helper-enabled 2>/dev/null |
    grep lsa)" ]
result "dpkg --purge: user, group, /etc/lsa, /var/lib/lsa as before" $?

# --- an /etc/lsa of the admin's own is neither changed nor removed
if [ ! -e /etc/lsa ]; then
	premade=/etc/lsa
	mkdir -m 0755 /etc/lsa && echo keep >/etc/lsa/lsa.conf
	installed=1
	run dpkg -i "$deb"
	[ "$rc" -eq 0 ] && [ "$(stat -c '%a %U %G' /etc/lsa)" = "755 root root" ]
	result "postinst: an existing /etc/lsa left as it is" $?
	run dpkg --purge lsa
	installed=0
	before "$tmp/after"
	[ "$rc" -eq 0 ] && [ "$(cat /etc/lsa/lsa.conf)" = keep ] &&
	    [ "$(grep -v '^/etc/lsa' "$tmp/after")" = \
	    "$(grep -v '^/etc/lsa' "$tmp/before")" ]
	result "dpkg --purge: the admin's /etc/lsa kept, the rest removed" $?
fi
echo "# deb.sh: $(($(date +%s) - start)) s"

[ "$failed" -eq 0 ]
