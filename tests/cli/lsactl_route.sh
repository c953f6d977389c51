#!/bin/sh
# lsactl_route.sh - `lsactl route`: the routing parameters come from the
# settings as the daemons take them ([policyd] transport and
# hold_transport), and --local-down shows what a server does while it
# retries its own link (views that differ: README, Routing rule 7).
#
# Run from the repository root with BUILD set (tests/run.sh does both).
set -u
BUILD=${BUILD:-build}
LSACTL="$BUILD/bin/lsactl"
SEED=tests/topologies/seed002.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
. tests/cli_lib.sh

printf '[policyd]\ntransport = lsarelay\nhold_transport = lsawait\n' \
    >"$tmp/lsa.conf"
BOS=x@boston.contoso.test
NY_LIST="[127.0.7.11]:25, [127.0.7.12]:25"

field() {
	python3 -c 'import json, sys
d = json.loads(sys.stdin.readline())
print(" ".join(str(d[k]) for k in sys.argv[1:]))' "$@" <"$tmp/out"
}

run "$LSACTL" route -c "$tmp/lsa.conf" -t "$SEED" --from lon-bh1 --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field action transport)" = "relay lsarelay:$NY_LIST" ]
result "route --json: the transport of [policyd] transport, as lsa-policyd answers" $?

run "$LSACTL" route -c "$tmp/lsa.conf" -t "$SEED" --from lon-bh1 "$BOS"
[ "$rc" -eq 0 ] && line out "$BOS from lon-bh1: relay lsarelay:$NY_LIST"
result "route: the same in the plain output" $?

run "$LSACTL" route -t "$SEED" --from lon-bh1 --down London-NewYork \
    --down Copenhagen-NewYork --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field action status point_of_failure transport)" = \
    "defer 4.4.1 True lsahold:$NY_LIST" ]
result "route: at the point of failure the mail is held (lsahold: and where it would go)" $?

run "$LSACTL" route -c "$tmp/lsa.conf" -t "$SEED" --from lon-bh1 \
    --down London-NewYork --down Copenhagen-NewYork --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field transport)" = "lsawait:$NY_LIST" ]
result "route: the hold transport of [policyd] hold_transport" $?

# a source retrying its link holds the mail: no hand-over to the other
# source (it may be retrying too), no detour via Copenhagen
run "$LSACTL" route -t "$SEED" --from lon-bh1 --local-down London-NewYork \
    --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field action point_of_failure transport)" = \
    "defer False lsahold:$NY_LIST" ] && grep -q "down here only" "$tmp/out"
result "route --local-down: a source retrying its link holds the mail" $?

run "$LSACTL" route -t "$SEED" --from lon-bh1 --down London-NewYork@lon-bh1 \
    --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field action transport)" = \
    "relay smtp:[127.0.2.12]:25" ]
result "route: lon-bh1's link down in the LST (all know): lon-bh1 hands to lon-bh2" $?

run "$LSACTL" route -t "$SEED" --from lon-bh1 --local-down Dublin-London "$BOS"
[ "$rc" -eq 1 ] && line err 'lsactl: --local-down Dublin-London: "lon-bh1" is not a source of connector "Dublin-London"'
result "route --local-down: a connector the server is no source of is an error" $?

# message classes (README, Routing rule 9): a cheap Dublin -> New York
# link for high priority only, and New York -> Boston refusing system
# messages
cp "$SEED" "$tmp/classes.conf"
printf '[connector Dublin-NewYork-Express]\nfrom = Dublin\nto = NewYork\n%s\n' \
    'cost = 5
priorities = high' >>"$tmp/classes.conf"
sed -i '/^\[connector NewYork-Boston\]/a system_messages = no' "$tmp/classes.conf"

run "$LSACTL" route -t "$tmp/classes.conf" --from dub-bh1 --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field priority system action path)" = \
    "normal False relay ['Dublin', 'London', 'NewYork', 'Boston']" ]
result "route: the default class (normal, not system) avoids a high-only link" $?

run "$LSACTL" route -t "$tmp/classes.conf" --from dub-bh1 --priority high \
    --json "$BOS"
[ "$rc" -eq 0 ] && [ "$(field priority system action path)" = \
    "high False relay ['Dublin', 'NewYork', 'Boston']" ]
result "route --priority high: takes the high-only link" $?

run "$LSACTL" route -t "$tmp/classes.conf" --from dub-bh1 --priority high \
    --system "$BOS"
[ "$rc" -eq 0 ] && line out "$BOS from dub-bh1: bounce 5.7.1" &&
    line out "  reason: connector NewYork-Boston does not accept system messages" &&
    line out "  class: high priority, system message"
result "route --system: refused by system_messages = no on the only path, class shown" $?

run "$LSACTL" route -t "$tmp/classes.conf" --from dub-bh1 --priority low "$BOS"
[ "$rc" -eq 0 ] && line out "  class: low priority" &&
    line out "  path: Dublin -> London -> NewYork -> Boston (cost 40)"
result "route --priority low: the plain output names the class" $?

run "$LSACTL" route -t "$tmp/classes.conf" --from dub-bh1 --priority urgent "$BOS"
[ "$rc" -eq 2 ] && line err "lsactl: --priority: want high, normal or low"
result "route --priority: an unknown priority is an error" $?

[ "$failed" -eq 0 ]
