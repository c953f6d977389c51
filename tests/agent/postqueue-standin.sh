#!/bin/sh
# postqueue-standin.sh - stands in for postqueue(1) in the reroute tests.
# Each call appends "MS ARGS" (wall clock in ms) to $LSA_STANDIN_DIR/calls;
# -j prints $LSA_STANDIN_DIR/queue (the listing the test wrote) and exits
# 75 when $LSA_STANDIN_DIR/fail exists (as postqueue does when the mail
# system is down).
d=${LSA_STANDIN_DIR:?}
echo "$(date +%s%3N) $*" >>"$d/calls"
case " $* " in
*" -j "*)
	[ -e "$d/fail" ] && exit 75
	cat "$d/queue" 2>/dev/null
	;;
esac
exit 0
