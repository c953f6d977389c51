#!/bin/sh
# readme_defaults.sh - the README documents every setting as the code has
# it: each line `lsactl defaults` prints (one table row per setting, from
# the one table in settings.c) must be a line of README.md, verbatim.
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both). Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
README=README.md
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0

if ! "$BUILD/bin/lsactl" defaults >"$tmp/defaults" 2>"$tmp/err" ||
    [ ! -s "$tmp/defaults" ]; then
	echo "not ok lsactl defaults prints the table"
	sed 's/^/# stderr: /' "$tmp/err"
	exit 1
fi
echo "ok lsactl defaults prints the table ($(wc -l <"$tmp/defaults") settings)"

if [ ! -f "$README" ]; then
	echo "not ok $README exists"
	exit 1
fi
echo "ok $README exists"

while IFS= read -r row; do
	# "| `[agent]` | `server` | ..." -> "[agent] server"
	name=$(printf '%s\n' "$row" | awk -F'`' '{ print $2 " " $4 }')
	if grep -Fxq -- "$row" "$README"; then
		echo "ok $README documents $name"
	else
		echo "not ok $README documents $name"
		echo "# want the line: $row"
		grep -F -- "\`${name#* }\`" "$README" | sed 's/^/# README has: /'
		failed=$((failed + 1))
	fi
done <"$tmp/defaults"

[ "$failed" -eq 0 ]
