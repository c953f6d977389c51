# cli_lib.sh - what the tests in tests/cli share; sourced from the
# repository root after the test has set $tmp and failed=0.
#
#   run CMD...        stdout to $tmp/out, stderr to $tmp/err, status in $rc
#   result NAME RC    one "ok NAME" / "not ok NAME" line; on failure the
#                     command's status and output (and the last lines of
#                     $cur_log when set); returns 1 on failure
#   line STREAM TEXT  the command printed exactly this line on out or err
#   lines STREAM N    the command printed exactly N lines on out or err
#   out TEXT          stdout was exactly TEXT (lines)
#   until_ok CMD...   CMD succeeds within 10 s (polled every 50 ms)
#   stop_all          end the daemons in $pids, remove $tmp (an EXIT trap)
#   started PID LOG TEXT  TEXT shows in LOG within 10 s while PID runs
#   verify_unit FILE NAME  systemd-analyze verify (no man lookup) has
#                     nothing to say on FILE: "ok NAME: no complaint",
#                     a SKIP when systemd-analyze is missing or cannot run

cur_log=${cur_log:-}

run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

result() {
	if [ "$2" -eq 0 ]; then
		echo "ok $1"
	else
		echo "not ok $1"
		failed=$((failed + 1))
		echo "# exit status $rc"
		sed 's/^/# stdout: /' "$tmp/out" | head -20
		sed 's/^/# stderr: /' "$tmp/err" | head -20
		if [ -n "$cur_log" ]; then
			tail -n 5 "$cur_log" | sed 's/^/# log: /'
		fi
		return 1
	fi
}

line() {
	grep -Fxq -- "$2" "$tmp/$1"
}

lines() {
	[ "$(wc -l <"$tmp/$1")" -eq "$2" ]
}

out() {
	printf '%s\n' "$1" | cmp -s - "$tmp/out"
}

until_ok() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.05
	done
}

stop_all() {
	for p in ${pids:-}; do
		kill "$p" 2>/dev/null
	done
	for p in ${pids:-}; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}

started() {
	i=0
	while ! grep -q "$3" "$2" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return 1
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.05
	done
}

verify_unit() {
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		echo "ok $2 # SKIP no systemd-analyze"
		return 0
	fi
	run systemd-analyze verify --man=no "$1"
	if [ "$rc" -ne 0 ] && grep -q "Failed to \(connect\|initialize\)" \
	    "$tmp/err"; then
		echo "ok $2 # SKIP systemd-analyze cannot run here"
		return 0
	fi
	[ "$rc" -eq 0 ] && lines out 0 && lines err 0
	result "$2: no complaint" $?
}
