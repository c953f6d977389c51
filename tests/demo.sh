#!/bin/sh
# demo.sh - the main job on the example organization (seed 002, Contoso):
# mail from Dublin to Boston, then the London-New York link fails, then
# the backup link fails too, then the link comes back. Offline, with the
# same routing engine lsa-policyd uses.
set -eu
BUILD=${BUILD:-build}
lsactl="$BUILD/bin/lsactl"
topo=tests/topologies/seed002.conf
rcpt=alice@boston.contoso.test

step() { printf '\n== %s\n' "$*"; }

step "lsactl check -t $topo"
"$lsactl" check -t "$topo"

step "Dublin to Boston, every link up"
"$lsactl" route -t "$topo" --from dub-bh1 "$rcpt"

step "London-NewYork is down: London reroutes via Copenhagen"
"$lsactl" route -t "$topo" --from lon-bh1 --down London-NewYork "$rcpt"
"$lsactl" route -t "$topo" --from dub-bh1 --down London-NewYork "$rcpt"

step "Copenhagen-NewYork is down as well: queue at the point of failure"
"$lsactl" route -t "$topo" --from dub-bh1 --down London-NewYork \
    --down Copenhagen-NewYork "$rcpt"
"$lsactl" route -t "$topo" --from lon-bh1 --down London-NewYork \
    --down Copenhagen-NewYork "$rcpt"

step "The link is back: the least-cost path again (as JSON)"
"$lsactl" route -t "$topo" --from dub-bh1 --json "$rcpt"

step "Round robin over London's bridgeheads, three successive answers"
for r in 0 1 2; do
	"$lsactl" route -t "$topo" --from dub-bh1 --rotation $r --json \
	    "$rcpt" | sed 's/.*"transport":"\([^"]*\)".*/\1/'
done

step "Outside mail from Paris: to New York's Internet connector"
"$lsactl" route -t "$topo" --from par-bh1 bob@example.org
