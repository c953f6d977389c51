#!/bin/sh
# postqueue-standin.sh - stands in for postqueue(1) in the reroute tests.
# Its directory D is the one it is called from (a link to it there: the
# agent's children get no environment of its own) or $LSA_STANDIN_DIR.
# Each call appends "MS ARGS" (wall clock in ms) to D/calls; -j prints
# D/queue (the listing the test wrote) and exits 75 when D/fail exists
# (as postqueue does when the mail system is down).
d=${LSA_STANDIN_DIR:-$(dirname "$0")}
echo "$(date +%s%3N) $*" >>"$d/calls"
case " $* " in
*" -j "*)
	[ -e "$d/fail" ] && exit 75
	cat "$d/queue" 2>/dev/null
	;;
esac
exit 0
