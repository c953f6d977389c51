#!/bin/sh
# run.sh - run every test program and script given; print a summary.
#
# cmocka programs print their own summaries; shell tests print
# "ok NAME" / "not ok NAME" lines. The last line is "N passed, N failed"
# counted over programs and scripts; the exit status is 1 if any failed.
set -u
pass=0
fail=0
failed=""
for t in "$@"; do
	echo "== $t"
	case "$t" in
	*.sh) sh "$t" ;;
	*) "$t" ;;
	esac
	if [ $? -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $t"
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
