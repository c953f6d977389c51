#!/bin/sh
# lsactl_schedule.sh - connector schedules on the command line: `lsactl
# route --at TIME` routes at another moment (a closed connector is down:
# the other path, or the point of failure), `lsactl show topology` prints
# each schedule with its next opening and closing in the organization's
# time zone, and a bad zone or window is refused with FILE:LINE.
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

# A reaches B by the cheap A-B, open on weekdays 08:00-18:00 Berlin time,
# or over C; D only by A-D, open Friday nights into Saturday
cat >"$tmp/t.conf" <<'EOF'
[organization]
name = Sched
version = 1
timezone = Europe/Berlin
[group A]
[group B]
[group C]
[group D]
[server a1]
group = A
address = 10.0.0.1
[server b1]
group = B
address = 10.0.0.2
mailboxes = b.test
[server c1]
group = C
address = 10.0.0.3
[server d1]
group = D
address = 10.0.0.4
mailboxes = d.test
[connector A-B]
from = A
to = B
cost = 1
schedule = Mon-Fri 08:00-18:00
[connector A-C]
from = A
to = C
cost = 5
[connector C-B]
from = C
to = B
cost = 5
[connector A-D]
from = A
to = D
schedule = Fri 22:00-02:00
EOF
printf '[policyd]\ntransport = smtp\n' >"$tmp/s.conf"

route() {
	run "$LSACTL" route -c "$tmp/s.conf" -t "$tmp/t.conf" --from a1 "$@"
}

route --at 2026-12-07T09:30 x@b.test
[ "$rc" -eq 0 ] && line out "x@b.test from a1: relay smtp:[10.0.0.2]:25" &&
    line out "  connectors: A-B (1)" &&
    line out "  schedules at 2026-12-07T09:30+01:00 (Europe/Berlin): closed A-D"
result "route --at: inside the window, the cheap connector" $?

route --at 2026-12-07T18:00 x@b.test
[ "$rc" -eq 0 ] && line out "  connectors: A-C (5), C-B (5)" &&
    line out "  schedules at 2026-12-07T18:00+01:00 (Europe/Berlin): closed A-B, A-D"
result "route --at: from the end minute on, the other path" $?

route --at 2026-12-07T16:59:59Z x@b.test
[ "$rc" -eq 0 ] && line out "  connectors: A-B (1)"
result "route --at: a moment in UTC (Z) is read in the zone" $?

route --at 2026-12-07T18:00+01:00 --json x@b.test
[ "$rc" -eq 0 ] && grep -q '"connectors":\["A-C","C-B"\]' "$tmp/out"
result "route --at with an offset, --json" $?

route --at 2026-12-12T01:30 x@d.test
[ "$rc" -eq 0 ] && line out "x@d.test from a1: relay smtp:[10.0.0.4]:25"
result "route --at: a window across midnight, the next morning" $?

route --at 2026-12-12T02:00 x@d.test
[ "$rc" -eq 0 ] &&
    line out "x@d.test from a1: defer lsahold:[10.0.0.4]:25 4.4.1" &&
    line out "  reason: connector A-D is closed (schedule); mail waits here, at the point of failure"
result "route --at: the only connector closed, mail waits (held)" $?

route --at @1796635800 x@b.test
[ "$rc" -eq 0 ] && line out "  schedules at 2026-12-07T10:30+01:00 (Europe/Berlin): closed A-D"
result "route --at @EPOCH" $?

route --at 2026-12-07 x@b.test
[ "$rc" -ne 0 ] && grep -q '^lsactl: --at: bad time "2026-12-07"' "$tmp/err"
result "route --at: a bad time is refused" $?

run "$LSACTL" show topology -t "$tmp/t.conf" --at 2026-12-07T09:30
[ "$rc" -eq 0 ] && line out "timezone = Europe/Berlin" &&
    line out "schedule = Mon-Fri 08:00-18:00" &&
    line out "; open now, next opening 2026-12-08T08:00+01:00, next closing 2026-12-07T18:00+01:00" &&
    line out "schedule = Fri 22:00-02:00" &&
    line out "; closed now, next opening 2026-12-11T22:00+01:00, next closing 2026-12-12T02:00+01:00" &&
    [ "$(grep -c '^schedule = always$' "$tmp/out")" -eq 2 ]
result "show topology: schedules, next opening and closing" $?

# summer time: the same window opens at 08:00 CEST
run "$LSACTL" show topology -t "$tmp/t.conf" --at 2026-07-03T19:00
[ "$rc" -eq 0 ] &&
    line out "; closed now, next opening 2026-07-06T08:00+02:00, next closing 2026-07-06T18:00+02:00"
result "show topology: next opening in summer time" $?

run "$LSACTL" show topology -t "$tmp/t.conf"
cp "$tmp/out" "$tmp/p.conf"
run "$LSACTL" check -t "$tmp/p.conf"
[ "$rc" -eq 0 ] && out "configuration OK"
result "show topology: the print, comments and all, checks clean" $?

sed 's/^timezone = .*/timezone = Europe\/Nowhere/' "$tmp/t.conf" >"$tmp/bad.conf"
run "$LSACTL" check -t "$tmp/bad.conf"
[ "$rc" -ne 0 ] && grep -q "^$tmp/bad.conf:4: timezone: unknown time zone \"Europe/Nowhere\"" "$tmp/err"
result "check: an unknown time zone, with FILE:LINE" $?

sed 's/^schedule = Fri 22:00-02:00/schedule = Fri 22-02/' "$tmp/t.conf" >"$tmp/bad.conf"
run "$LSACTL" check -t "$tmp/bad.conf"
[ "$rc" -ne 0 ] && grep -q "^$tmp/bad.conf:39: schedule: bad window \"Fri 22-02\"" "$tmp/err"
result "check: a bad window, with FILE:LINE" $?

[ "$failed" -eq 0 ]
