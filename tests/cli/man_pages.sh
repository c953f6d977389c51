#!/bin/sh
# man_pages.sh - the man pages document what the code has:
#   - every setting `lsactl defaults` prints (the one table in settings.c)
#     is in lsa-settings.5 under its section with the same default, and
#     the page has no setting the table lacks;
#   - every key of the topology key table (shared/topo_parse.c) is in
#     lsa-topology.5 under its section, and a literal default written
#     there is what `lsactl show topology` fills in;
#   - every page is lint-clean (mandoc -T lint, else groff -ww);
#   - every option and command of each program's usage text is in its page.
# The pages' entries are ".It Ic KEY Pq default Ql VALUE" (or "Pq default
# empty" for an empty setting) under ".Ss [SECTION]".
#
# Run from the repository root with BUILD set to the build directory
# (tests/run.sh does both); MAN_DIR names another folder of pages.
# Prints "ok NAME" / "not ok NAME" lines.
set -u
BUILD=${BUILD:-build}
MAN=${MAN_DIR:-packaging/man}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0

ok() { echo "ok $*"; }
not_ok() { echo "not ok $*"; failed=$((failed + 1)); }

PAGES="lsa-agent.8 lsa-policyd.8 lsa-milter.8 lsactl.1 lsa-topology.5 \
lsa-settings.5"
for p in $PAGES; do
	if [ -f "$MAN/$p" ]; then
		ok "$MAN/$p exists"
	else
		not_ok "$MAN/$p exists"
		exit 1
	fi
done

# man_entries PAGE - "SECTION<TAB>KEY<TAB>DEFAULT" for each .It Ic entry:
# SECTION the first word in the brackets of the last .Ss, DEFAULT the
# Ql value, "(empty)" for "default empty", "-" for any other wording
man_entries() {
	awk '
	/^\.Ss / {
		sec = ""
		if (match($0, /\[[a-z]+/))
			sec = substr($0, RSTART + 1, RLENGTH - 1)
		next
	}
	/^\.It Ic [^ ]+/ {
		d = "-"
		rest = $0
		if (sub(/^\.It Ic [^ ]+ Pq default /, "", rest)) {
			if (rest == "empty")
				d = "(empty)"
			else if (sub(/^Ql /, "", rest)) {
				gsub(/^"|"$/, "", rest)
				d = rest
			}
		}
		printf "%s\t%s\t%s\n", sec, $3, d
	}' "$1"
}

# want_hint PAGE ROW - the entry a page lacks, as it should be written
want_hint() {
	printf '%s\n' "$2" | awk -F'\t' -v page="$1" '{
		if (page == "lsa-topology.5")
			print "# want under .Ss [" $1 " NAME]: .It Ic " $2 \
			    " Pq default ... (or Pq required)"
		else if ($3 == "(empty)")
			print "# want under .Ss [" $1 "]: .It Ic " $2 \
			    " Pq default empty"
		else
			print "# want under .Ss [" $1 "]: .It Ic " $2 \
			    " Pq default Ql " $3
	}'
}

# documented PAGE WANT HAVE - every line of WANT (SECTION<TAB>KEY[<TAB>
# DEFAULT], from the code) is a line of HAVE (from the page)
documented() {
	while IFS= read -r row; do
		name=$(printf '%s\n' "$row" | awk -F'\t' '{ d = ""
		    if ($3 != "") d = " = " $3
		    print "[" $1 "] " $2 d }')
		if grep -Fxq -- "$row" "$3"; then
			ok "$1 documents $name"
		else
			not_ok "$1 documents $name"
			want_hint "$1" "$row"
			grep -F -- "$(printf '%s' "$row" | cut -f1,2)	" "$3" |
			    sed 's/^/# the page has: /'
		fi
	done <"$2"
}

# no_extra PAGE HAVE_KEYS CODE_KEYS - the page documents nothing the
# code lacks (a key removed or renamed)
no_extra() {
	ne_before=$failed
	while IFS= read -r k; do
		grep -Fxq -- "$k" "$3" ||
		    not_ok "$1 has no key the code lacks: $k"
	done <"$2"
	[ "$failed" -eq "$ne_before" ] && ok "$1 has no key the code lacks"
}

# --- settings: lsa-settings.5 against the table
if ! "$BUILD/bin/lsactl" defaults >"$tmp/defaults.md" 2>"$tmp/err" ||
    [ ! -s "$tmp/defaults.md" ]; then
	not_ok "lsactl defaults prints the table"
	sed 's/^/# stderr: /' "$tmp/err"
	exit 1
fi
# "| `[agent]` | `server` | (empty) | ..." -> "agent<TAB>server<TAB>(empty)"
awk -F' [|] ' '{
	sec = $1; sub(/^[|] `\[/, "", sec); sub(/\]`$/, "", sec)
	key = $2; gsub(/`/, "", key)
	def = $3; gsub(/`/, "", def)
	printf "%s\t%s\t%s\n", sec, key, def
}' "$tmp/defaults.md" >"$tmp/table"
man_entries "$MAN/lsa-settings.5" >"$tmp/settings_page"
cut -f1,2 "$tmp/table" >"$tmp/table_keys"
cut -f1,2 "$tmp/settings_page" >"$tmp/settings_page_keys"
documented lsa-settings.5 "$tmp/table" "$tmp/settings_page"
no_extra lsa-settings.5 "$tmp/settings_page_keys" "$tmp/table_keys"

# --- topology keys: lsa-topology.5 against the key table
sed -n 's/^[[:space:]]*{ *TOPO_SEC_\([A-Z]*\), *"\([a-z_0-9]*\)".*/\1	\2/p' \
    shared/topo_parse.c | tr 'A-Z' 'a-z' >"$tmp/topo_keys"
if [ -s "$tmp/topo_keys" ]; then
	ok "the topology key table read ($(wc -l <"$tmp/topo_keys") keys)"
else
	not_ok "the topology key table read from shared/topo_parse.c"
fi
man_entries "$MAN/lsa-topology.5" >"$tmp/topo_page"
cut -f1,2 "$tmp/topo_page" >"$tmp/topo_page_keys"
documented lsa-topology.5 "$tmp/topo_keys" "$tmp/topo_page_keys"
no_extra lsa-topology.5 "$tmp/topo_page_keys" "$tmp/topo_keys"
# every entry says its default (or that the key is required)
awk '/^\.It Ic / && !/ Pq (default|required)/' "$MAN/lsa-topology.5" \
    >"$tmp/nodefault"
if [ -s "$tmp/nodefault" ]; then
	not_ok "every lsa-topology.5 entry states its default"
	sed 's/^/# /' "$tmp/nodefault"
else
	ok "every lsa-topology.5 entry states its default"
fi
# literal defaults: what lsactl show topology fills into a minimal file
cat >"$tmp/min.conf" <<'EOF'
[organization]
name = Min
version = 1

[group A]
[group B]

[server a1]
group = A
address = 127.0.0.1

[server b1]
group = B
address = 127.0.0.2

[connector A-B]
from = A
to = B

[connector Out]
from = B
address_spaces = *
EOF
if "$BUILD/bin/lsactl" show topology -t "$tmp/min.conf" >"$tmp/shown" \
    2>"$tmp/err"; then
	ok "lsactl show topology fills in a minimal topology"
else
	not_ok "lsactl show topology fills in a minimal topology"
	sed 's/^/# stderr: /' "$tmp/err"
fi
# "[connector A-B]" / "cost = 1    ; comment" -> "connector<TAB>cost<TAB>1"
awk '
/^\[/ { sec = $0; gsub(/^\[|[] ].*$/, "", sec); next }
/^[a-z_]+ = / {
	v = $0; sub(/^[a-z_]+ = /, "", v); sub(/ *;.*$/, "", v)
	printf "%s\t%s\t%s\n", sec, $1, v
}' "$tmp/shown" >"$tmp/shown_kv"
awk -F'\t' '$3 != "-" && $3 != "(empty)"' "$tmp/topo_page" |
while IFS= read -r e; do
	name=$(printf '%s\n' "$e" | awk -F'\t' '{ print "[" $1 "] " $2 " = " $3 }')
	if grep -Fxq -- "$e" "$tmp/shown_kv"; then
		echo "ok lsa-topology.5 default $name is what lsactl fills in"
	else
		echo "not ok lsa-topology.5 default $name is what lsactl fills in"
		k=$(printf '%s' "$e" | cut -f2)
		grep "^$k = " "$tmp/shown" | sed 's/^/# lsactl shows: /'
	fi
done >"$tmp/topo_defaults"
cat "$tmp/topo_defaults"
n=$(grep -c '^not ok' "$tmp/topo_defaults")
failed=$((failed + n))

# --- lint
if command -v mandoc >/dev/null 2>&1; then
	lint="mandoc -T lint -W warning"
else
	lint="groff -mandoc -ww -z"
	echo "# mandoc not installed: linting with groff -ww"
fi
for p in $PAGES; do
	$lint "$MAN/$p" >"$tmp/lint" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/lint" ]; then
		ok "$p is lint-clean ($lint)"
	else
		not_ok "$p is lint-clean ($lint)"
		sed 's/^/# /' "$tmp/lint"
	fi
done

# --- options and commands of each usage text
# usage_opts - "-x" and "--long" options of a usage text on stdin, one a
# line ("[-dnv]" gives -d, -n, -v)
usage_opts() {
	grep -oE '(^|[][ (|])--?[A-Za-z][A-Za-z-]*' | sed 's/^[][ (|]//' |
	    awk '/^--/ { print; next }
		{ for (i = 2; i <= length($0); i++)
			print "-" substr($0, i, 1) }' | sort -u
}
# page_has_opt PAGE OPT - the page names OPT with .Fl
page_has_opt() {
	case "$2" in
	--*) grep -Eq -- "Fl \\\\-${2#--}( |$)" "$1" ;;
	*) grep -Eq -- "Fl ${2#-}( |$)" "$1" ;;
	esac
}
for prog in lsa-agent lsa-policyd lsa-milter lsactl; do
	case $prog in
	lsactl) page=$MAN/lsactl.1 ;;
	*) page=$MAN/$prog.8 ;;
	esac
	# an unknown option prints the usage text on stderr, exit 2
	"$BUILD/bin/$prog" -'?' >"$tmp/usage" 2>&1
	sed -n '/usage:/,$p' "$tmp/usage" >"$tmp/usage_text"
	if ! grep -q "usage: $prog" "$tmp/usage_text"; then
		not_ok "$prog prints its usage text"
		continue
	fi
	sed 's/usage: //' "$tmp/usage_text" | usage_opts >"$tmp/opts"
	while IFS= read -r opt; do
		if page_has_opt "$page" "$opt"; then
			ok "$(basename "$page") documents $prog $opt"
		else
			not_ok "$(basename "$page") documents $prog $opt (.Fl)"
		fi
	done <"$tmp/opts"
	[ "$prog" = lsactl ] || continue
	# the command words of each usage line: "show lst", "pki init", ...
	sed 's/usage: //' "$tmp/usage_text" | awk '$1 == "lsactl" {
		c = ""
		for (i = 2; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++)
			c = c (c == "" ? "" : " ") $i
		print c
	}' | sort -u >"$tmp/cmds"
	while IFS= read -r c; do
		if grep -Eq "^\\.Cm $c( |$)" "$page"; then
			ok "lsactl.1 documents lsactl $c"
		else
			not_ok "lsactl.1 documents lsactl $c (.Cm $c)"
		fi
	done <"$tmp/cmds"
done

[ "$failed" -eq 0 ]
