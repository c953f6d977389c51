/*
 * test_topology.c - shared/topo_parse.c, topo_resolve.c, topo_print.c:
 * loading a topology file into the model, every rule it checks, the
 * defaults it fills in, the lookups, and the printer.
 *
 *   - a table of bad topology texts, each with the exact error wanted,
 *     FILE:LINE: KEY: included (one cmocka test per row);
 *   - a table of good texts that must load without a word;
 *   - the defaults, sections in any order, list continuation, outside
 *     connectors sourced in several groups, topo_find_*;
 *   - the seed files tests/topologies/seed002.conf and seed004.conf
 *     (paths relative to the repository root, where tests are run);
 *   - round trips through topo_print(): print, reload, print again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "diag.h"
#include "topology.h"


#define SEED002		"tests/topologies/seed002.conf"
#define SEED004		"tests/topologies/seed004.conf"

/*
 * Fourteen lines every bad case starts from: a case's own text begins
 * on line 15.
 */
#define BASE \
	"[organization]\n"	/*  1 */ \
	"name = Org\n"		/*  2 */ \
	"version = 1\n"		/*  3 */ \
	"[group A]\n"		/*  4 */ \
	"[group B]\n"		/*  5 */ \
	"[server a1]\n"		/*  6 */ \
	"group = A\n"		/*  7 */ \
	"address = 10.0.0.1\n"	/*  8 */ \
	"[server a2]\n"		/*  9 */ \
	"group = A\n"		/* 10 */ \
	"address = 10.0.0.2\n"	/* 11 */ \
	"[server b1]\n"		/* 12 */ \
	"group = B\n"		/* 13 */ \
	"address = 10.0.1.1\n"	/* 14 */

/* servers and groups without the organization (lines 1..11) */
#define NO_ORG \
	"[group A]\n"		/*  1 */ \
	"[group B]\n"		/*  2 */ \
	"[server a1]\n"		/*  3 */ \
	"group = A\n"		/*  4 */ \
	"address = 10.0.0.1\n"	/*  5 */ \
	"[server a2]\n"		/*  6 */ \
	"group = A\n"		/*  7 */ \
	"address = 10.0.0.2\n"	/*  8 */ \
	"[server b1]\n"		/*  9 */ \
	"group = B\n"		/* 10 */ \
	"address = 10.0.1.1\n"	/* 11 */

/* a group connector A -> B opening on line 15 (lines 15..17) */
#define AB	"[connector c]\nfrom = A\nto = B\n"
/* a connector to the outside from A opening on line 15 (lines 15..17) */
#define OUT	"[connector out]\nfrom = A\naddress_spaces = *\n"

#define H10	"hhhhhhhhhh"
#define H50	H10 H10 H10 H10 H10
#define H186	H50 H50 H50 H10 H10 H10 "hhhhhh"
#define N64	H50 "hhhhhhhhhhhhhh"		/* the longest name */
#define LINE196	"address = " H186		/* the longest line */
#define LINE197	"address = " H186 "h"		/* one too long */

_Static_assert(sizeof(N64) == 65, "N64 is 64 characters");
_Static_assert(sizeof(LINE196) == 197, "LINE196 is 196 characters");

#define SYNTAX	"syntax error (want \"[section]\" or \"key = value\")"
#define NEEDS_TO_OR_SPACES(c) "connector \"" c "\" needs `to` (a group " \
	"connector) or `address_spaces` (a connector to the outside)"
#define BAD_SMART(h)	"bad smart host \"" h "\" (want host, host:port or " \
	"[address]:port)"
#define BAD_SENDER(s)	"bad sender \"" s "\" (want user@example.com, " \
	"example.com, *.example.com or *)"
#define L64	H50 "hhhhhhhhhhhhhh"		/* the longest local part */

struct bad_case {
	const char	*name;
	const char	*text;
	const char	*want;		/* substring of one error */
};

static const struct bad_case bad_cases[] = {
	/* sections */
	{ "unknown section", BASE "[router r1]\nfoo = bar\n",
	  "t.conf:15: unknown section [router r1] (want organization, group "
	  "NAME, server NAME or connector NAME)" },
	{ "section without a type", BASE "[ ]\n",
	  "t.conf:15: bad section [ ]" },
	{ "bad group name", BASE "[group a/b]\n",
	  "t.conf:15: bad group name \"a/b\" (letters, digits, '.', '_', '-'; "
	  "at most 64)" },
	{ "group without a name", BASE "[group]\n",
	  "t.conf:15: bad group name \"\"" },
	{ "name of 65 characters", BASE "[server " N64 "h]\n"
	  "group = A\naddress = 10.9.9.9\n",
	  "t.conf:15: bad server name \"" N64 "h\"" },
	{ "duplicate [organization]", BASE "[organization]\n",
	  "t.conf:15: duplicate [organization] (first at line 1)" },
	{ "[organization] with a name", "[organization X]\n" NO_ORG,
	  "t.conf:1: [organization] takes no name (use the name key)" },
	{ "missing [organization]", NO_ORG,
	  "t.conf:0: no [organization] section" },
	{ "missing name", "[organization]\nversion = 1\n" NO_ORG,
	  "t.conf:1: name: [organization] has no name" },
	{ "empty name", "[organization]\nname =\nversion = 1\n" NO_ORG,
	  "t.conf:2: name: empty name" },
	{ "missing version", "[organization]\nname = Org\n" NO_ORG,
	  "t.conf:1: version: [organization] has no version" },
	{ "bad version", "[organization]\nname = Org\nversion = -1\n" NO_ORG,
	  "t.conf:3: version: bad number \"-1\"" },
	{ "key outside any section", "name = Org\n" BASE,
	  "t.conf:1: name: key outside any section" },
	/* keys */
	{ "unknown key", BASE "[group C]\ncolour = red\n[server c1]\n"
	  "group = C\naddress = 10.0.2.1\n",
	  "t.conf:16: colour: unknown key in [group C]" },
	{ "key of another section", BASE AB "master = a1\n",
	  "t.conf:18: master: unknown key in [connector c]" },
	{ "key given twice", BASE "[server c1]\ngroup = A\naddress = x\n"
	  "address = y\n",
	  "t.conf:18: address: given twice in [server c1]" },
	{ "cost given twice", BASE AB "cost = 5\ncost = 6\n",
	  "t.conf:19: cost: given twice in [connector c]" },
	{ "name given twice", "[organization]\nname = A\nname = B\n"
	  "version = 1\n" NO_ORG, "t.conf:3: name: given twice in "
	  "[organization]" },
	/* lines */
	{ "line too long", BASE "[server c1]\ngroup = A\n" LINE197 "\n",
	  "t.conf:17: line too long (at most 196 characters; continue a list "
	  "on an indented line)" },
	{ "control character", BASE "[group C]\x07\n",
	  "t.conf:15: control character 0x07 in line" },
	{ "DEL character", BASE "[server c1]\ngroup = A\naddress = x\x7f\n",
	  "t.conf:17: control character 0x7f in line" },
	{ "syntax error", BASE "this is not ini\n", "t.conf:15: " SYNTAX },
	{ "unclosed section", BASE "[group C\n", "t.conf:15: " SYNTAX },
	{ "comment inside a section header", BASE "[group C ;x]\n",
	  "t.conf:15: " SYNTAX },
	{ "indented line after a section header", BASE "[group C]\n"
	  "  master = c1\n", "t.conf:16: indented line after a section "
	  "header (only a key's value continues on an indented line)" },
	/* lists */
	{ "empty list item", BASE AB "sources = a1,,a2\n",
	  "t.conf:18: sources: empty item in list" },
	{ "trailing comma", BASE AB "sources = a1, a2,\n",
	  "t.conf:18: sources: empty item in list" },
	{ "empty list", BASE AB "targets =\n",
	  "t.conf:18: targets: empty list" },
	{ "bad name in a list", BASE AB "sources = a1 a2\n",
	  "t.conf:18: sources: bad name \"a1 a2\"" },
	{ "server listed twice", BASE AB "sources = a1, a2, a1\n",
	  "t.conf:18: sources: \"a1\" listed twice" },
	{ "server listed twice on a continuation", BASE AB "sources = a1\n"
	  "  a2, a1\n", "t.conf:19: sources: \"a1\" listed twice" },
	{ "domain listed twice", "[organization]\nname = Org\nversion = 1\n"
	  "domains = x.test, X.Test\n" NO_ORG,
	  "t.conf:4: domains: \"x.test\" listed twice" },
	/* groups and servers */
	{ "group with no servers", BASE "[group C]\n",
	  "t.conf:15: group \"C\" has no servers" },
	{ "server in unknown group", BASE "[server z1]\ngroup = Z\n"
	  "address = 10.0.9.1\n", "t.conf:16: group: no group named \"Z\"" },
	{ "server with no group", BASE "[server z1]\naddress = 10.0.9.1\n",
	  "t.conf:15: group: server \"z1\" has no group" },
	{ "server with no address", BASE "[server c1]\ngroup = A\n",
	  "t.conf:15: address: server \"c1\" has no address" },
	{ "bad address", BASE "[server c1]\ngroup = A\naddress = a b\n",
	  "t.conf:17: address: bad address \"a b\"" },
	{ "address with a comma", BASE "[server c1]\ngroup = A\n"
	  "address = 10.0.0.9,10.0.0.8\n",
	  "t.conf:17: address: bad address \"10.0.0.9,10.0.0.8\"" },
	{ "smtp_port 0", BASE "[server c1]\ngroup = A\naddress = h\n"
	  "smtp_port = 0\n", "t.conf:18: smtp_port: 0 is out of range "
	  "1..65535" },
	{ "agent_port too big", BASE "[server c1]\ngroup = A\naddress = h\n"
	  "agent_port = 65536\n", "t.conf:18: agent_port: 65536 is out of "
	  "range 1..65535" },
	{ "mailbox with a cost", BASE "[server c1]\ngroup = A\naddress = h\n"
	  "mailboxes = c.example 5\n", "t.conf:18: mailboxes: "
	  "\"c.example 5\": no cost is taken here" },
	{ "bad mailbox pattern", BASE "[server c1]\ngroup = A\naddress = h\n"
	  "mailboxes = *example.com\n", "t.conf:18: mailboxes: bad address "
	  "space \"*example.com\" (want example.com, *.example.com or *)" },
	{ "bad hub", BASE "[group C]\nhub = maybe\n[server c1]\ngroup = C\n"
	  "address = h\n", "t.conf:16: hub: bad boolean \"maybe\" (want yes "
	  "or no)" },
	{ "master unknown", BASE "[group C]\nmaster = zz\n[server c1]\n"
	  "group = C\naddress = h\n",
	  "t.conf:16: master: no server named \"zz\"" },
	{ "master not in its group", BASE "[group C]\nmaster = a1\n"
	  "[server c1]\ngroup = C\naddress = h\n",
	  "t.conf:16: master: server \"a1\" is not in group \"C\"" },
	{ "backup master unknown", BASE "[group C]\nbackup_masters = zz\n"
	  "[server c1]\ngroup = C\naddress = h\n",
	  "t.conf:16: backup_masters: no server named \"zz\"" },
	{ "backup master not in its group", BASE "[group C]\n"
	  "backup_masters = a1\n[server c1]\ngroup = C\naddress = h\n",
	  "t.conf:16: backup_masters: backup master \"a1\" is not in group "
	  "\"C\"" },
	{ "backup master is the master", BASE "[group C]\nmaster = c1\n"
	  "backup_masters = c2, c1\n[server c1]\ngroup = C\naddress = h\n"
	  "[server c2]\ngroup = C\naddress = h\n",
	  "t.conf:17: backup_masters: \"c1\" is the master itself" },
	{ "backup master is the default master", BASE "[group C]\n"
	  "backup_masters = c1\n[server c1]\ngroup = C\naddress = h\n"
	  "[server c2]\ngroup = C\naddress = h\n",
	  "t.conf:16: backup_masters: \"c1\" is the master itself" },
	/* duplicates */
	{ "duplicate group", BASE "[group A]\n",
	  "t.conf:15: duplicate group name \"A\" (first at line 4)" },
	{ "duplicate server", BASE "[server a1]\ngroup = A\n"
	  "address = 10.0.0.9\n",
	  "t.conf:15: duplicate server name \"a1\" (first at line 6)" },
	{ "duplicate connector", BASE AB "[connector c]\nfrom = B\nto = A\n",
	  "t.conf:18: duplicate connector name \"c\" (first at line 15)" },
	/* connector references */
	{ "from names no group", BASE "[connector c]\nfrom = Z\nto = B\n",
	  "t.conf:16: from: no group named \"Z\"" },
	{ "to names no group", BASE "[connector c]\nfrom = A\nto = Z\n",
	  "t.conf:17: to: no group named \"Z\"" },
	{ "to same as from", BASE "[connector c]\nfrom = A\nto = A\n",
	  "t.conf:17: to: same group as `from`" },
	{ "group connector without from", BASE "[connector c]\nto = B\n",
	  "t.conf:15: from: connector \"c\" has no `from`" },
	{ "outside connector without from or sources", BASE
	  "[connector out]\naddress_spaces = *\n",
	  "t.conf:15: from: connector \"out\" has no `from` and no "
	  "`sources`" },
	{ "connector with neither to nor address_spaces", BASE
	  "[connector c]\nfrom = A\n", "t.conf:15: " NEEDS_TO_OR_SPACES("c") },
	{ "empty connector", BASE "[connector c]\n",
	  "t.conf:15: " NEEDS_TO_OR_SPACES("c") },
	{ "source not in from", BASE AB "sources = b1\n",
	  "t.conf:18: sources: source \"b1\" is not in group \"A\"" },
	{ "source unknown", BASE AB "sources = zz\n",
	  "t.conf:18: sources: no server named \"zz\"" },
	{ "target not in to", BASE AB "targets = a1\n",
	  "t.conf:18: targets: target \"a1\" is not in group \"B\"" },
	{ "target unknown", BASE AB "targets = a1x\n",
	  "t.conf:18: targets: no server named \"a1x\"" },
	{ "outside source unknown", BASE OUT "sources = zz\n",
	  "t.conf:18: sources: no server named \"zz\"" },
	/* connector values */
	{ "cost 0", BASE AB "cost = 0\n",
	  "t.conf:18: cost: 0 is out of range 1..100" },
	{ "cost 101", BASE AB "cost = 101\n",
	  "t.conf:18: cost: 101 is out of range 1..100" },
	{ "cost not a number", BASE AB "cost = ten\n",
	  "t.conf:18: cost: bad number \"ten\"" },
	{ "address-space cost 0", BASE "[connector out]\nfrom = A\n"
	  "address_spaces = * 0\n", "t.conf:17: address_spaces: cost of "
	  "\"*\": 0 is out of range 1..100" },
	{ "address-space cost 101", BASE "[connector out]\nfrom = A\n"
	  "address_spaces = x.example 5, y.example 101\n",
	  "t.conf:17: address_spaces: cost of \"y.example\": 101 is out of "
	  "range 1..100" },
	{ "address-space cost not a number", BASE "[connector out]\n"
	  "from = A\naddress_spaces = * high\n", "t.conf:17: address_spaces: "
	  "cost of \"*\": bad number \"high\"" },
	{ "bad address space", BASE "[connector out]\nfrom = A\n"
	  "address_spaces = a..b\n", "t.conf:17: address_spaces: bad address "
	  "space \"a..b\" (want example.com, *.example.com or *)" },
	{ "address space listed twice", BASE "[connector out]\nfrom = A\n"
	  "address_spaces = *.x.test 5, *.X.test 6\n",
	  "t.conf:17: address_spaces: \"*.x.test\" listed twice" },
	{ "bad size", BASE AB "max_size = 10Q\n",
	  "t.conf:18: max_size: bad size \"10Q\" (want a number with optional "
	  "k, M or G, or unlimited)" },
	{ "size too large", BASE AB "max_size = 17179869184G\n",
	  "t.conf:18: max_size: size \"17179869184G\" too large" },
	{ "bad scope", BASE AB "scope = world\n",
	  "t.conf:18: scope: bad scope \"world\" (want organization or "
	  "group)" },
	{ "bad enabled", BASE AB "enabled = maybe\n",
	  "t.conf:18: enabled: bad boolean \"maybe\" (want yes or no)" },
	{ "group connector with address_spaces", BASE AB
	  "address_spaces = x.example\n", "t.conf:18: address_spaces: a group "
	  "connector (it has `to`) takes no address spaces" },
	{ "group connector with smart_hosts", BASE AB
	  "smart_hosts = relay.example\n", "t.conf:18: smart_hosts: a group "
	  "connector (it has `to`) takes no smart hosts" },
	{ "outside connector with targets", BASE OUT "targets = b1\n",
	  "t.conf:18: targets: a connector to the outside has no targets "
	  "(use smart_hosts)" },
	/* smart hosts */
	{ "smart host with an empty label", BASE OUT
	  "smart_hosts = relay..example\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("relay..example") },
	{ "smart host with a space", BASE OUT "smart_hosts = relay example\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("relay example") },
	{ "smart host port 0", BASE OUT "smart_hosts = relay.example:0\n",
	  "t.conf:18: smart_hosts: port: 0 is out of range 1..65535" },
	{ "smart host port too big", BASE OUT
	  "smart_hosts = relay.example:65536\n",
	  "t.conf:18: smart_hosts: port: 65536 is out of range 1..65535" },
	{ "smart host empty port", BASE OUT "smart_hosts = relay.example:\n",
	  "t.conf:18: smart_hosts: port: bad number \"\"" },
	{ "smart host without host", BASE OUT "smart_hosts = :25\n",
	  "t.conf:18: smart_hosts: " BAD_SMART(":25") },
	{ "smart host unclosed bracket", BASE OUT
	  "smart_hosts = [10.0.0.1:25\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("[10.0.0.1:25") },
	{ "smart host junk after bracket", BASE OUT
	  "smart_hosts = [10.0.0.1]x\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("[10.0.0.1]x") },
	{ "smart host name in brackets", BASE OUT
	  "smart_hosts = [relay.example]:25\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("[relay.example]:25") },
	{ "smart host empty brackets", BASE OUT "smart_hosts = []:25\n",
	  "t.conf:18: smart_hosts: " BAD_SMART("[]:25") },
	/* sender restrictions */
	{ "sender with an +extension", BASE AB
	  "senders_allow = Boss+Lists@x.example\n",
	  "t.conf:18: senders_allow: \"Boss+Lists@x.example\": write the "
	  "address without its +extension (it is dropped from senders)" },
	{ "sender *@domain", BASE AB "senders_deny = *@x.example\n",
	  "t.conf:18: senders_deny: " BAD_SENDER("*@x.example") },
	{ "sender user@*.domain", BASE AB "senders_allow = u@*.x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("u@*.x.example") },
	{ "sender user@*", BASE AB "senders_allow = u@*\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("u@*") },
	{ "sender without local part", BASE AB "senders_allow = @x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("@x.example") },
	{ "sender without domain", BASE AB "senders_allow = u@\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("u@") },
	{ "sender with two @", BASE AB "senders_allow = a@b@x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("a@b@x.example") },
	{ "sender with a space", BASE AB "senders_allow = a b@x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER("a b@x.example") },
	{ "sender local part starting with a dot", BASE AB
	  "senders_allow = .a@x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER(".a@x.example") },
	{ "sender local part of 65 characters", BASE AB
	  "senders_allow = " L64 "h@x.example\n",
	  "t.conf:18: senders_allow: " BAD_SENDER(L64 "h@x.example") },
	{ "sender domain with an empty label", BASE AB
	  "senders_deny = x..example\n",
	  "t.conf:18: senders_deny: " BAD_SENDER("x..example") },
	{ "sender listed twice (case)", BASE AB
	  "senders_allow = x.example, a@y.example\n  X.Example\n",
	  "t.conf:19: senders_allow: \"x.example\" listed twice" },
	{ "sender in both lists", BASE AB "senders_allow = *.x.example\n"
	  "senders_deny = *.X.example\n",
	  "t.conf:19: senders_deny: \"*.x.example\" is in senders_allow too "
	  "(line 18)" },
	{ "sender in both lists, deny first", BASE OUT
	  "senders_deny = a@x.example\nsenders_allow = A@x.example\n",
	  "t.conf:19: senders_allow: \"a@x.example\" is in senders_deny too "
	  "(line 18)" },
	{ "empty senders_allow", BASE AB "senders_allow =\n",
	  "t.conf:18: senders_allow: empty list" },
	{ "empty item in senders_deny", BASE AB
	  "senders_deny = a.example,,b.example\n",
	  "t.conf:18: senders_deny: empty item in list" },
	{ "senders_allow in a group section", BASE "[group C]\n"
	  "senders_allow = *\n",
	  "t.conf:16: senders_allow: unknown key in [group C]" },
	/* message classes */
	{ "unknown priority", BASE AB "priorities = high, urgent\n",
	  "t.conf:18: priorities: bad priority \"urgent\" (want high, "
	  "normal or low)" },
	{ "priority in capitals", BASE OUT "priorities = High\n",
	  "t.conf:18: priorities: bad priority \"High\" (want high, "
	  "normal or low)" },
	{ "empty priorities", BASE AB "priorities =\n",
	  "t.conf:18: priorities: empty list" },
	{ "empty item in priorities", BASE AB "priorities = high,,low\n",
	  "t.conf:18: priorities: empty item in list" },
	{ "priority listed twice", BASE AB "priorities = high, low, high\n",
	  "t.conf:18: priorities: \"high\" listed twice" },
	{ "priority twice over a continuation line", BASE AB
	  "priorities = low\n  normal, low\n",
	  "t.conf:19: priorities: \"low\" listed twice" },
	{ "priority twice over a repeated key", BASE AB
	  "priorities = normal\npriorities = normal\n",
	  "t.conf:19: priorities: \"normal\" listed twice" },
	{ "bad system_messages", BASE AB "system_messages = some\n",
	  "t.conf:18: system_messages: bad boolean \"some\" (want yes or "
	  "no)" },
	{ "system_messages twice", BASE AB "system_messages = no\n"
	  "system_messages = yes\n",
	  "t.conf:19: system_messages: given twice in [connector c]" },
	{ "priorities in a server section", BASE "[server c1]\n"
	  "priorities = high\n",
	  "t.conf:16: priorities: unknown key in [server c1]" },
	{ "unknown tls", BASE AB "tls = required\n",
	  "t.conf:18: tls: bad tls \"required\" (want none, may, encrypt "
	  "or verify)" },
	{ "tls in capitals", BASE OUT "tls = Verify\n",
	  "t.conf:18: tls: bad tls \"Verify\"" },
	{ "tls twice", BASE AB "tls = may\ntls = none\n",
	  "t.conf:19: tls: given twice in [connector c]" },
	{ "auth on a group connector", BASE AB "auth = relay\n",
	  "t.conf:18: auth: a group connector (it has `to`) takes no "
	  "credentials" },
	{ "auth with a secret in it", BASE OUT "auth = user:secret\n",
	  "t.conf:18: auth: bad credentials name \"user:secret\"" },
	{ "empty auth", BASE OUT "auth =\n",
	  "t.conf:18: auth: bad credentials name \"\"" },
	{ "auth twice", BASE OUT "auth = a\nauth = b\n",
	  "t.conf:19: auth: given twice in [connector out]" },
	{ "tls in a group section", BASE "[group C]\ntls = may\n",
	  "t.conf:16: tls: unknown key in [group C]" },
	/* schedules */
	{ "unknown time zone", "[organization]\nname = Org\nversion = 1\n"
	  "timezone = Mars/Olympus\n[group A]\n[server a1]\ngroup = A\n"
	  "address = 10.0.0.1\n",
	  "t.conf:4: timezone: unknown time zone \"Mars/Olympus\" (not in " },
	{ "bad time zone name", "[organization]\nname = Org\nversion = 1\n"
	  "timezone = ../../etc/passwd\n[group A]\n[server a1]\n"
	  "group = A\naddress = 10.0.0.1\n",
	  "t.conf:4: timezone: bad time zone name \"../../etc/passwd\"" },
	{ "bad schedule window", BASE AB "schedule = Mon 08:00-18:00, "
	  "Mon 8-18\n", "t.conf:18: schedule: bad window \"Mon 8-18\" (want "
	  "DAY[-DAY] HH:MM-HH:MM, DAY Mon..Sun, or always or never)" },
	{ "schedule never with a window", BASE AB "schedule = never\n"
	  "  Sat 09:00-12:00\n",
	  "t.conf:19: schedule: \"never\" must be the only item" },
	{ "empty schedule", BASE AB "schedule =\n",
	  "t.conf:18: schedule: empty list" },
	{ "schedule in a server section", BASE "[server c1]\n"
	  "schedule = always\n",
	  "t.conf:16: schedule: unknown key in [server c1]" },
};

static void
run_bad(void **state)
{
	const struct bad_case *c = *state;
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load_buf("t.conf", c->text, strlen(c->text), &d);
	if (t != NULL || !diag_contains(&d, c->want)) {
		print_message("wanted: %s\ngot:\n", c->want);
		diag_print(&d, stdout);
	}
	assert_null(t);
	assert_true(diag_errors(&d) > 0);
	assert_true(diag_contains(&d, c->want));
	diag_free(&d);
}

/* good texts: each loads with no error at all */
struct good_case {
	const char	*name;
	const char	*text;
};

static const struct good_case good_cases[] = {
	{ "good: the base", BASE },
	{ "good: a group connector", BASE AB },
	{ "good: a connector to the outside", BASE OUT },
	{ "good: line of 196 characters", BASE "[server c1]\ngroup = A\n"
	  LINE196 "\n" },
	{ "good: CRLF line ends", "[organization]\r\nname = Org\r\n"
	  "version = 1\r\n[group A]\r\n[server a1]\r\ngroup = A\r\n"
	  "address = h\r\n" },
	{ "good: 196 characters and CR", BASE "[server c1]\ngroup = A\n"
	  LINE196 "\r\n" },
	{ "good: no newline at the end", BASE "[group C]\n[server c1]\n"
	  "group = C\naddress = h" },
	{ "good: UTF-8 byte-order mark", "\xef\xbb\xbf" BASE },
	{ "good: comments", "; a comment\n# another\n" BASE "; between\n"
	  AB "cost = 5 ; inline comment\n" },
	{ "good: tabs", BASE "[connector c]\nfrom\t=\tA\nto = B\n"
	  "sources = a1\n\ta2\n" },
	{ "good: list key repeated appends", BASE AB "sources = a1\n"
	  "sources = a2\n" },
	{ "good: colon separator", BASE "[connector c]\nfrom: A\nto: B\n" },
	{ "good: a blank line inside a list", BASE AB "sources = a1\n\n"
	  "  a2\n" },
	{ "good: indented continuation starting with [", BASE OUT
	  "smart_hosts = [2001:db8::1]:25\n    [2001:db8::2]:25, "
	  "[10.0.0.1]:2525\n" },
	{ "good: indented section header before any key",
	  "  [organization]\nname = Org\nversion = 1\n[group A]\n"
	  "[server a1]\ngroup = A\naddress = h\n" },
	{ "good: leading hyphen in a name", BASE "[group -x]\n[server -y]\n"
	  "group = -x\naddress = h\n" },
	{ "good: names of 64 characters", BASE "[group " N64 "]\n"
	  "[server " N64 "]\ngroup = " N64 "\naddress = h\n"
	  "[connector " N64 "]\nfrom = " N64 "\nto = A\n" },
	{ "good: names differing after 49 characters", BASE "[group " N64 "]\n"
	  "[group " H50 "hhhhhhhhhhhhhx]\n[server s1]\ngroup = " N64 "\n"
	  "address = h\n[server s2]\ngroup = " H50 "hhhhhhhhhhhhhx\n"
	  "address = h\n" },
	{ "good: cost 1 and 100", BASE AB "cost = 100\n[connector d]\n"
	  "from = B\nto = A\ncost = 1\n" },
	{ "good: outside connector sourced in two groups", BASE
	  "[connector out]\nsources = b1, a1\naddress_spaces = *\n" },
	{ "good: outside connector with from and sources elsewhere", BASE
	  OUT "sources = a1, b1\n" },
	{ "good: two connectors between the same groups", BASE AB
	  "[connector c2]\nfrom = A\nto = B\ncost = 2\n" },
	{ "good: sender restrictions on both kinds of connector", BASE AB
	  "senders_allow = *.contoso.example, boss@fabrikam.example\n"
	  "senders_deny = intern.contoso.example\n[connector out]\n"
	  "from = A\naddress_spaces = *\nsenders_deny = *\n" },
	{ "good: sender local parts", BASE AB "senders_allow = "
	  "o'neil@x.example, a.b_c-d@x.example, " L64 "@x.example\n"
	  "  {x}!#$%&/=?^`|~@x.example\n" },
	{ "good: message classes on both kinds of connector", BASE AB
	  "priorities = high\nsystem_messages = no\n" OUT
	  "priorities = low, normal\n  high\nsystem_messages = yes\n" },
	{ "good: senders_deny alone, senders_allow alone", BASE AB
	  "senders_deny = x.example\n[connector c2]\nfrom = A\nto = B\n"
	  "senders_allow = x.example\n" },
};

static void
run_good(void **state)
{
	const struct good_case *c = *state;
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load_buf("t.conf", c->text, strlen(c->text), &d);
	if (t == NULL)
		diag_print(&d, stdout);
	assert_non_null(t);
	assert_int_equal(diag_errors(&d), 0);
	topo_free(t);
	diag_free(&d);
}

/* load - a text that must load */
static struct topology *
load(const char *name, const char *text, size_t len)
{
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load_buf(name, text, len, &d);
	if (t == NULL)
		diag_print(&d, stdout);
	assert_non_null(t);
	assert_int_equal(diag_errors(&d), 0);
	diag_free(&d);
	return t;
}

#define LOAD(text)	load("t.conf", (text), sizeof(text) - 1)

/* server name of the i-th element of a list */
static const char *
sname(const struct topology *t, const struct topo_list *l, int i)
{
	assert_in_range(i, 0, l->n - 1);
	return t->servers[l->v[i]].name;
}

/* every default filled in */
static void
test_defaults(void **state)
{
	static const char text[] =
	    "[organization]\nname = Org\nversion = 1\n"
	    "[group A]\n[group B]\n"
	    "[server a9]\ngroup = A\naddress = 10.0.0.9\n"	/* first */
	    "[server b1]\ngroup = B\naddress = 10.0.1.1\n"
	    "[server a1]\ngroup = A\naddress = 10.0.0.1\n"
	    "[server b2]\ngroup = B\naddress = 10.0.1.2\n"
	    "[connector ab]\nfrom = A\nto = B\n"
	    "[connector out]\nfrom = B\naddress_spaces = *, x.example 7\n";
	struct topology *t = LOAD(text);
	const struct topo_group *a, *b;
	const struct topo_server *s;
	const struct topo_connector *c;

	(void)state;
	assert_string_equal(t->file, "t.conf");
	assert_string_equal(t->name, "Org");
	assert_true(t->version == 1);
	assert_int_equal(t->ndomains, 0);
	assert_int_equal(t->ngroups, 2);
	assert_int_equal(t->nservers, 4);
	assert_int_equal(t->nconnectors, 2);

	/* master: the first server in file order, not by name */
	a = &t->groups[0];
	b = &t->groups[1];
	assert_string_equal(t->servers[a->master].name, "a9");
	assert_int_equal(a->master_default, 1);
	assert_string_equal(t->servers[b->master].name, "b1");
	assert_int_equal(a->backups.n, 0);
	assert_int_equal(a->hub, 0);
	assert_int_equal(a->servers.n, 2);
	assert_string_equal(sname(t, &a->servers, 0), "a9");
	assert_string_equal(sname(t, &a->servers, 1), "a1");
	assert_int_equal(a->out.n, 1);
	assert_int_equal(a->out.v[0], 0);
	assert_int_equal(b->out.n, 0);	/* an outside connector is not out */

	for (int i = 0; i < t->nservers; i++) {
		s = &t->servers[i];
		assert_int_equal(s->smtp_port, 25);
		assert_int_equal(s->agent_port, 691);
		assert_int_equal(s->nmailboxes, 0);
	}
	assert_int_equal(t->servers[0].group, 0);
	assert_int_equal(t->servers[1].group, 1);
	assert_string_equal(t->servers[2].address, "10.0.0.1");

	/* group connector: sources every server of from, targets of to */
	c = &t->connectors[0];
	assert_string_equal(c->name, "ab");
	assert_int_equal(c->from, 0);
	assert_int_equal(c->to, 1);
	assert_int_equal(c->cost, 1);
	assert_int_equal(c->sources_default, 1);
	assert_int_equal(c->sources.n, 2);
	assert_string_equal(sname(t, &c->sources, 0), "a9");
	assert_string_equal(sname(t, &c->sources, 1), "a1");
	assert_int_equal(c->targets_default, 1);
	assert_int_equal(c->targets.n, 2);
	assert_string_equal(sname(t, &c->targets, 0), "b1");
	assert_string_equal(sname(t, &c->targets, 1), "b2");
	assert_true(c->max_size == 0);
	assert_int_equal(c->scope, TOPO_SCOPE_ORGANIZATION);
	assert_int_equal(c->enabled, 1);
	assert_int_equal(c->nspaces, 0);
	assert_int_equal(c->nsmart, 0);
	assert_int_equal(c->nallow, 0);		/* every sender */
	assert_int_equal(c->ndeny, 0);

	/* outside connector: no to, no targets, DNS MX */
	c = &t->connectors[1];
	assert_int_equal(c->from, 1);
	assert_int_equal(c->to, -1);
	assert_int_equal(c->sources_default, 1);
	assert_int_equal(c->sources.n, 2);
	assert_int_equal(c->targets.n, 0);
	assert_int_equal(c->nsmart, 0);
	assert_int_equal(c->nspaces, 2);
	assert_int_equal(c->spaces[0].kind, ADDRSPACE_ALL);
	assert_int_equal(c->spaces[0].cost, c->cost);	/* not written */
	assert_int_equal(c->spaces[1].cost, 7);
	assert_int_equal(c->spaces[1].line, 23);
	topo_free(t);
}

/* every value written */
static void
test_explicit_values(void **state)
{
	static const char text[] =
	    "[organization]\nname = Contoso Ltd\n"
	    "version = 18446744073709551615\n"
	    "domains = Contoso.test, *.contoso.test\n"
	    "[group A]\nmaster = a2\nbackup_masters = a3, a1\nhub = yes\n"
	    "[group B]\n"
	    "[server a1]\ngroup = A\naddress = mx1.contoso.test\n"
	    "smtp_port = 2525\nagent_port = 1691\n"
	    "mailboxes = a.contoso.test, *.a.contoso.test\n"
	    "[server a2]\ngroup = A\naddress = ::1\n"
	    "[server a3]\ngroup = A\naddress = 10.0.0.3\n"
	    "[server b1]\ngroup = B\naddress = 10.0.1.1\n"
	    "[connector ab]\nfrom = A\nto = B\ncost = 100\nsources = a3, a1\n"
	    "targets = b1\nmax_size = 10M\nscope = group\nenabled = no\n"
	    "[connector out]\nfrom = A\ncost = 7\naddress_spaces = *.org 3\n"
	    "smart_hosts = relay.example, relay.example:2525, "
	    "[10.0.0.1]:26, [2001:db8::1]\n";
	struct topology *t = LOAD(text);
	const struct topo_group *g = &t->groups[0];
	const struct topo_server *s = &t->servers[0];
	const struct topo_connector *c = &t->connectors[0];

	(void)state;
	assert_string_equal(t->name, "Contoso Ltd");
	assert_true(t->version == UINT64_MAX);
	assert_int_equal(t->ndomains, 2);
	assert_string_equal(t->domains[0].pattern, "contoso.test");
	assert_int_equal(t->domains[0].cost, 0);
	assert_int_equal(t->domains[1].kind, ADDRSPACE_SUBDOMAINS);

	assert_string_equal(t->servers[g->master].name, "a2");
	assert_int_equal(g->master_default, 0);
	assert_int_equal(g->backups.n, 2);
	assert_string_equal(sname(t, &g->backups, 0), "a3");
	assert_string_equal(sname(t, &g->backups, 1), "a1");
	assert_int_equal(g->hub, 1);

	assert_string_equal(s->address, "mx1.contoso.test");
	assert_int_equal(s->smtp_port, 2525);
	assert_int_equal(s->agent_port, 1691);
	assert_int_equal(s->nmailboxes, 2);
	assert_string_equal(s->mailboxes[1].pattern, "*.a.contoso.test");
	assert_string_equal(t->servers[1].address, "::1");

	assert_int_equal(c->cost, 100);
	assert_int_equal(c->sources_default, 0);
	assert_int_equal(c->sources.n, 2);
	assert_string_equal(sname(t, &c->sources, 0), "a3");
	assert_int_equal(c->targets_default, 0);
	assert_int_equal(c->targets.n, 1);
	assert_true(c->max_size == 10 * 1024 * 1024);
	assert_int_equal(c->scope, TOPO_SCOPE_GROUP);
	assert_int_equal(c->enabled, 0);

	c = &t->connectors[1];
	assert_int_equal(c->cost, 7);
	assert_int_equal(c->nspaces, 1);
	assert_int_equal(c->spaces[0].cost, 3);
	assert_int_equal(c->nsmart, 4);
	assert_string_equal(c->smart_hosts[0].host, "relay.example");
	assert_int_equal(c->smart_hosts[0].port, 25);
	assert_string_equal(c->smart_hosts[1].host, "relay.example");
	assert_int_equal(c->smart_hosts[1].port, 2525);
	assert_string_equal(c->smart_hosts[2].host, "10.0.0.1");
	assert_int_equal(c->smart_hosts[2].port, 26);
	assert_string_equal(c->smart_hosts[3].host, "2001:db8::1");
	assert_int_equal(c->smart_hosts[3].port, 25);
	topo_free(t);
}

/* sections in any order: references are resolved after the whole file */
static void
test_any_order(void **state)
{
	static const char text[] =
	    "[connector ba]\nfrom = B\nto = A\ntargets = a2\n"
	    "[server b1]\ngroup = B\naddress = 10.0.1.1\n"
	    "[group B]\nmaster = b1\n"
	    "[server a1]\ngroup = A\naddress = 10.0.0.1\n"
	    "[server a2]\ngroup = A\naddress = 10.0.0.2\n"
	    "[group A]\nbackup_masters = a2\n"
	    "[organization]\nname = Org\nversion = 2\n";
	struct topology *t = LOAD(text);
	const struct topo_connector *c = &t->connectors[0];
	int a = topo_find_group(t, "A"), b = topo_find_group(t, "B");

	(void)state;
	assert_int_equal(b, 0);		/* file order */
	assert_int_equal(a, 1);
	assert_int_equal(c->from, b);
	assert_int_equal(c->to, a);
	assert_int_equal(c->targets.n, 1);
	assert_string_equal(sname(t, &c->targets, 0), "a2");
	assert_string_equal(t->servers[t->groups[a].master].name, "a1");
	assert_string_equal(sname(t, &t->groups[a].backups, 0), "a2");
	assert_int_equal(t->groups[b].out.n, 1);
	assert_true(t->version == 2);
	topo_free(t);
}

/* an indented line continues the list above it */
static void
test_continuation(void **state)
{
	static const char text[] =
	    BASE "[server a3]\ngroup = A\naddress = 10.0.0.3\n"	/* 15..17 */
	    "[connector c]\nfrom = A\nto = B\n"			/* 18..20 */
	    "sources = a3\n"					/* 21 */
	    "    a1, a2\n";					/* 22 */
	struct topology *t = LOAD(text);
	const struct topo_connector *c = &t->connectors[0];

	(void)state;
	assert_int_equal(c->sources_default, 0);
	assert_int_equal(c->sources.n, 3);
	assert_string_equal(sname(t, &c->sources, 0), "a3");
	assert_string_equal(sname(t, &c->sources, 1), "a1");
	assert_string_equal(sname(t, &c->sources, 2), "a2");
	assert_int_equal(c->targets_default, 1);
	topo_free(t);
}

/* a NUL byte is a control character, not the end of the text */
static void
test_nul_byte(void **state)
{
	static const char text[] = BASE "[group C]\n\0\n";
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load_buf("t.conf", text, sizeof(text) - 1, &d));
	assert_true(diag_contains(&d, "t.conf:16: control character 0x00 in "
	    "line"));
	diag_free(&d);
}

/* an unknown section is one error; its keys are not checked */
static void
test_unknown_section_keys(void **state)
{
	static const char text[] = BASE "[router r1]\nanything = goes\n"
	    "cost = 0\n[group C]\n[server c1]\ngroup = C\naddress = h\n";
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load_buf("t.conf", text, sizeof(text) - 1, &d));
	assert_int_equal(diag_errors(&d), 1);
	assert_true(diag_contains(&d,
	    "t.conf:15: unknown section [router r1]"));
	diag_free(&d);
}

/* an error on a continuation line names that line */
static void
test_continuation_line_number(void **state)
{
	static const char text[] = BASE AB "sources = a1\n  a2\n\n  b1\n";
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load_buf("t.conf", text, sizeof(text) - 1, &d));
	assert_int_equal(diag_errors(&d), 1);
	assert_true(diag_contains(&d, "t.conf:21: sources: source \"b1\" is "
	    "not in group \"A\""));
	diag_free(&d);
}

/* an outside connector given only sources, in two groups: from is -1 */
static void
test_outside_two_groups(void **state)
{
	static const char text[] = BASE "[connector out]\n"
	    "sources = b1, a2\naddress_spaces = partner.example 5\n"
	    "smart_hosts = mx.partner.example\n";
	struct topology *t = LOAD(text);
	const struct topo_connector *c = &t->connectors[0];

	(void)state;
	assert_int_equal(c->from, -1);
	assert_int_equal(c->to, -1);
	assert_int_equal(c->sources_default, 0);
	assert_int_equal(c->sources.n, 2);
	assert_string_equal(sname(t, &c->sources, 0), "b1");	/* order kept */
	assert_string_equal(sname(t, &c->sources, 1), "a2");
	assert_int_equal(c->targets.n, 0);
	assert_int_equal(t->groups[0].out.n, 0);
	assert_int_equal(t->groups[1].out.n, 0);
	topo_free(t);
}

/* all errors of a file are reported, in the order they were found */
static void
test_all_errors(void **state)
{
	static const char text[] =
	    "[organization]\n"			/*  1: no version */
	    "name = Org\n"			/*  2 */
	    "[group A]\n"			/*  3 */
	    "master = zz\n"			/*  4: unknown master */
	    "[server a1]\n"			/*  5 */
	    "group = A\n"			/*  6 */
	    "address = 10.0.0.1\n"		/*  7 */
	    LINE197 "\n"			/*  8: too long */
	    "[connector c]\n"			/*  9 */
	    "from = A\n"			/* 10 */
	    "to = Nowhere\n"			/* 11: unknown group */
	    "cost = 0\n";			/* 12: out of range */
	static const char *want[] = {
		"t.conf:8: line too long",
		"t.conf:12: cost: 0 is out of range 1..100",
		"t.conf:1: version: [organization] has no version",
		"t.conf:4: master: no server named \"zz\"",
		"t.conf:11: to: no group named \"Nowhere\"",
	};
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load_buf("t.conf", text, sizeof(text) - 1, &d));
	if (diag_errors(&d) != (int)nitems(want))
		diag_print(&d, stdout);
	assert_int_equal(diag_errors(&d), nitems(want));
	for (size_t i = 0; i < nitems(want); i++)
		assert_non_null(strstr(d.msgs[i], want[i]));
	diag_free(&d);
}

/* the diag is appended to: earlier errors do not fail a later load */
static void
test_diag_shared(void **state)
{
	static const char bad[] = BASE "[group C]\n";
	struct topology *t;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load_buf("bad.conf", bad, sizeof(bad) - 1, &d));
	assert_int_equal(diag_errors(&d), 1);
	t = topo_load_buf("good.conf", BASE, sizeof(BASE) - 1, &d);
	assert_non_null(t);
	assert_int_equal(diag_errors(&d), 1);
	topo_free(t);
	diag_free(&d);
}

/* topo_find_* and topo_list_has */
static void
test_find(void **state)
{
	static const char text[] = BASE AB
	    "[connector Zed]\nfrom = B\nto = A\n"
	    "[connector Alpha]\nfrom = A\naddress_spaces = *\n";
	struct topology *t = LOAD(text);

	(void)state;
	assert_int_equal(topo_find_group(t, "A"), 0);
	assert_int_equal(topo_find_group(t, "B"), 1);
	assert_int_equal(topo_find_group(t, "C"), -1);
	assert_int_equal(topo_find_group(t, "a"), -1);	/* case matters */
	assert_int_equal(topo_find_group(t, ""), -1);
	assert_int_equal(topo_find_server(t, "a1"), 0);
	assert_int_equal(topo_find_server(t, "a2"), 1);
	assert_int_equal(topo_find_server(t, "b1"), 2);
	assert_int_equal(topo_find_server(t, "a"), -1);
	assert_int_equal(topo_find_server(t, "a10"), -1);
	assert_int_equal(topo_find_server(t, "A1"), -1);
	assert_int_equal(topo_find_connector(t, "c"), 0);
	assert_int_equal(topo_find_connector(t, "Zed"), 1);
	assert_int_equal(topo_find_connector(t, "Alpha"), 2);
	assert_int_equal(topo_find_connector(t, "zed"), -1);
	assert_int_equal(topo_find_connector(t, "out"), -1);
	assert_true(topo_list_has(&t->groups[0].servers, 0));
	assert_true(topo_list_has(&t->groups[0].servers, 1));
	assert_false(topo_list_has(&t->groups[0].servers, 2));
	assert_true(topo_list_has(&t->groups[1].out, 1));
	assert_false(topo_list_has(&t->groups[0].out, 2));
	topo_free(t);
}

/* load_file - a seed file, relative to the repository root */
static struct topology *
load_file(const char *path)
{
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load(path, &d);
	if (t == NULL)
		diag_print(&d, stdout);
	assert_non_null(t);
	assert_int_equal(diag_errors(&d), 0);
	diag_free(&d);
	return t;
}

static const struct topo_connector *
connector(const struct topology *t, const char *name)
{
	int i = topo_find_connector(t, name);

	assert_true(i >= 0);
	return &t->connectors[i];
}

static const struct topo_group *
group(const struct topology *t, const char *name)
{
	int i = topo_find_group(t, name);

	assert_true(i >= 0);
	return &t->groups[i];
}

/* seed002: the Contoso network */
static void
test_seed002(void **state)
{
	struct topology *t = load_file(SEED002);
	const struct topo_group *g;
	const struct topo_connector *c;

	(void)state;
	assert_string_equal(t->file, SEED002);
	assert_string_equal(t->name, "Contoso");
	assert_true(t->version == 1);
	assert_int_equal(t->ndomains, 2);
	assert_int_equal(t->ngroups, 9);
	assert_int_equal(t->nservers, 13);
	assert_int_equal(t->nconnectors, 19);

	g = group(t, "London");
	assert_string_equal(t->servers[g->master].name, "lon-rgm");
	assert_int_equal(g->master_default, 0);
	assert_int_equal(g->backups.n, 1);
	assert_string_equal(sname(t, &g->backups, 0), "lon-bh2");
	assert_int_equal(g->servers.n, 3);
	assert_int_equal(g->out.n, 5);
	g = group(t, "Copenhagen");
	assert_string_equal(t->servers[g->master].name, "cph-bh1");
	assert_int_equal(g->master_default, 1);
	assert_int_equal(group(t, "Dublin")->servers.n, 1);

	assert_int_equal(t->servers[topo_find_server(t, "lon-rgm")].nmailboxes,
	    2);

	c = connector(t, "Dublin-London");
	assert_int_equal(c->cost, 10);
	assert_int_equal(c->sources_default, 1);
	assert_string_equal(sname(t, &c->sources, 0), "dub-bh1");
	assert_int_equal(c->targets.n, 2);
	assert_string_equal(sname(t, &c->targets, 0), "lon-bh1");
	assert_string_equal(sname(t, &c->targets, 1), "lon-bh2");
	assert_int_equal(connector(t, "London-NewYork")->cost, 20);
	assert_int_equal(connector(t, "Copenhagen-NewYork")->cost, 100);

	c = connector(t, "Internet");
	assert_int_equal(c->from, topo_find_group(t, "NewYork"));
	assert_int_equal(c->to, -1);
	assert_int_equal(c->sources.n, 2);
	assert_int_equal(c->nspaces, 1);
	assert_int_equal(c->spaces[0].kind, ADDRSPACE_ALL);
	assert_int_equal(c->spaces[0].cost, 10);
	assert_int_equal(c->nsmart, 2);
	assert_string_equal(c->smart_hosts[1].host, "relay2.example.net");
	assert_int_equal(c->smart_hosts[1].port, 25);
	topo_free(t);
}

/* seed004: Exchange 2007 load balancing */
static void
test_seed004(void **state)
{
	struct topology *t = load_file(SEED004);
	const struct topo_connector *c;

	(void)state;
	assert_string_equal(t->name, "Fabrikam");
	assert_true(t->version == 4);
	assert_int_equal(t->ngroups, 4);
	assert_int_equal(t->nservers, 9);
	assert_int_equal(t->nconnectors, 11);
	assert_int_equal(group(t, "ADSite1")->hub, 0);
	assert_int_equal(group(t, "ADSite2")->hub, 1);
	assert_int_equal(group(t, "ADSite3")->hub, 1);
	assert_int_equal(group(t, "ADSite4")->hub, 0);
	assert_int_equal(group(t, "ADSite4")->servers.n, 3);
	assert_string_equal(t->servers[group(t, "ADSite4")->master].name,
	    "HT1");
	assert_int_equal(group(t, "ADSite2")->out.n, 3);

	c = connector(t, "2-4");
	assert_int_equal(c->targets.n, 3);
	assert_string_equal(sname(t, &c->targets, 2), "HT3");

	c = connector(t, "C1");
	assert_int_equal(c->from, -1);
	assert_int_equal(c->to, -1);
	assert_int_equal(c->sources.n, 4);
	assert_string_equal(sname(t, &c->sources, 0), "A");
	assert_string_equal(sname(t, &c->sources, 3), "D");
	assert_int_equal(c->nspaces, 1);
	assert_string_equal(c->spaces[0].pattern, "partner.example");
	assert_int_equal(c->spaces[0].cost, 1);
	assert_int_equal(c->nsmart, 2);
	assert_string_equal(c->smart_hosts[0].host, "mx1.partner.example");
	assert_int_equal(c->smart_hosts[0].port, 25);
	assert_int_equal(c->smart_hosts[1].port, 2525);
	topo_free(t);
}

/* sender patterns: lowercased, split into local part and domain */
static void
test_senders(void **state)
{
	static const char text[] = BASE AB
	    "senders_allow = *.Contoso.example, Boss@Fabrikam.example\n"
	    "  fabrikam.example\n"
	    "senders_deny = Intern.contoso.example, *\n";
	struct topology *t = LOAD(text);
	const struct topo_connector *c = connector(t, "c");

	(void)state;
	assert_int_equal(c->nallow, 3);
	assert_int_equal(c->ndeny, 2);
	assert_string_equal(c->senders_allow[0].pattern, "*.contoso.example");
	assert_null(c->senders_allow[0].local);
	assert_int_equal(c->senders_allow[0].domain.kind,
	    ADDRSPACE_SUBDOMAINS);
	assert_string_equal(c->senders_allow[0].domain.domain,
	    "contoso.example");
	assert_int_equal(c->senders_allow[0].line, 18);
	assert_string_equal(c->senders_allow[1].pattern,
	    "boss@fabrikam.example");
	assert_string_equal(c->senders_allow[1].local, "boss");
	assert_int_equal(c->senders_allow[1].domain.kind, ADDRSPACE_EXACT);
	assert_string_equal(c->senders_allow[1].domain.domain,
	    "fabrikam.example");
	assert_string_equal(c->senders_allow[2].pattern, "fabrikam.example");
	assert_null(c->senders_allow[2].local);
	assert_int_equal(c->senders_allow[2].line, 19);
	assert_string_equal(c->senders_deny[0].pattern,
	    "intern.contoso.example");
	assert_int_equal(c->senders_deny[1].domain.kind, ADDRSPACE_ALL);
	assert_int_equal(c->senders_deny[1].line, 20);
	topo_free(t);
}

/* message classes: the defaults, a written list replaces them */
static void
test_classes(void **state)
{
	static const char text[] = BASE AB "priorities = low, high\n"
	    "system_messages = no\n[connector d]\nfrom = A\nto = B\n"
	    "priorities = normal\npriorities = low\n" OUT;
	struct topology *t = LOAD(text);
	const struct topo_connector *c = connector(t, "c");

	(void)state;
	assert_int_equal(c->priorities, (1u << TOPO_PRIO_LOW) |
	    (1u << TOPO_PRIO_HIGH));
	assert_int_equal(c->priorities_line, 18);
	assert_int_equal(c->system_messages, 0);
	c = connector(t, "d");
	assert_int_equal(c->priorities, (1u << TOPO_PRIO_NORMAL) |
	    (1u << TOPO_PRIO_LOW));
	assert_int_equal(c->system_messages, 1);
	c = connector(t, "out");		/* not written: everything */
	assert_int_equal(c->priorities, TOPO_PRIO_ALL);
	assert_int_equal(c->priorities_line, 0);
	assert_int_equal(c->system_messages, 1);
	assert_int_equal(topo_priority_parse("high"), TOPO_PRIO_HIGH);
	assert_int_equal(topo_priority_parse("normal"), TOPO_PRIO_NORMAL);
	assert_int_equal(topo_priority_parse("low"), TOPO_PRIO_LOW);
	assert_int_equal(topo_priority_parse("urgent"), -1);
	assert_string_equal(topo_priority_name(TOPO_PRIO_LOW), "low");
	topo_free(t);
}

/* a missing file: one error naming it */
static void
test_missing_file(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_null(topo_load("tests/topologies/nonexistent.conf", &d));
	assert_int_equal(diag_errors(&d), 1);
	assert_true(diag_contains(&d,
	    "tests/topologies/nonexistent.conf:0: cannot open"));
	diag_free(&d);
}

/* print - topo_print() into a new string */
static char *
print(const struct topology *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	topo_print(t, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* reprint - load printed text and print it again */
static char *
reprint(const char *text)
{
	struct topology *t = load("printed.conf", text, strlen(text));
	char *out = print(t);

	topo_free(t);
	return out;
}

/*
 * strip_defaults - the printer marks defaulted values with a comment
 * ("    ; default..."); once reloaded they are written values and the
 * mark goes. Remove the marks to compare.
 */
static char *
strip_defaults(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;

	assert_non_null(out);
	while (*in) {
		if (strncmp(in, "    ; default", 13) == 0)
			in += strcspn(in, "\n");
		else
			*o++ = *in++;
	}
	*o = '\0';
	return out;
}

/* check_lines - no printed line is over the reader's limit */
static int
check_lines(const char *text)
{
	int cont = 0;

	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		assert_in_range(n, 0, 196);
		if (strncmp(p, "    ", 4) == 0 && p[4] != ';')
			cont++;
		p += n + (p[n] == '\n');
	}
	return cont;
}

/* round trip of a file with defaults: print, reload, print */
static void
round_trip_file(const char *path)
{
	struct topology *t = load_file(path);
	char *one = print(t), *two = reprint(one), *three = reprint(two);
	char *bare = strip_defaults(one);

	check_lines(one);
	assert_string_equal(bare, two);
	assert_string_equal(two, three);
	free(one);
	free(two);
	free(three);
	free(bare);
	topo_free(t);
}

static void
test_round_trip_seed002(void **state)
{
	(void)state;
	round_trip_file(SEED002);
}

static void
test_round_trip_seed004(void **state)
{
	(void)state;
	round_trip_file(SEED004);
}

/* tls and auth: defaults by kind, written values, the printer */
static void
test_tls_auth(void **state)
{
	static const char text[] = BASE AB "tls = encrypt\n"
	    "[connector d]\nfrom = A\nto = B\n" OUT "auth = relay-1\n"
	    "tls = verify\n[connector out2]\nfrom = A\n"
	    "address_spaces = x.test\ntls = none\n";
	struct topology *t = LOAD(text);
	char *out = print(t), *two = reprint(out), *bare;

	(void)state;
	assert_int_equal(connector(t, "c")->tls, TOPO_TLS_ENCRYPT);
	assert_int_equal(connector(t, "c")->tls_line, 18);
	assert_null(connector(t, "c")->auth);
	assert_int_equal(connector(t, "d")->tls, TOPO_TLS_VERIFY);
	assert_int_equal(connector(t, "d")->tls_line, 0);
	assert_int_equal(connector(t, "out")->tls, TOPO_TLS_VERIFY);
	assert_string_equal(connector(t, "out")->auth, "relay-1");
	assert_int_equal(connector(t, "out2")->tls, TOPO_TLS_NONE);
	assert_non_null(strstr(out, "system_messages = yes\ntls = encrypt\n"
	    "bidirectional = no\n"));
	assert_non_null(strstr(out, "tls = verify\nauth = relay-1\n"));
	assert_non_null(strstr(out, "tls = none\n"));
	bare = strip_defaults(out);
	assert_string_equal(bare, two);
	free(bare);
	free(out);
	free(two);
	topo_free(t);
	/* not written: verify between groups, may to the outside */
	t = LOAD(BASE AB OUT);
	assert_int_equal(connector(t, "c")->tls, TOPO_TLS_VERIFY);
	assert_int_equal(connector(t, "out")->tls, TOPO_TLS_MAY);
	out = print(t);
	assert_non_null(strstr(out, "\n[connector out]\n"));
	assert_non_null(strstr(strstr(out, "\n[connector out]\n"),
	    "tls = may\n"));
	assert_null(strstr(out, "auth ="));
	free(out);
	topo_free(t);
	assert_int_equal(topo_tls_parse("encrypt"), TOPO_TLS_ENCRYPT);
	assert_int_equal(topo_tls_parse("secure"), -1);
	assert_string_equal(topo_tls_name(TOPO_TLS_MAY), "may");
}

/* what the printer writes for defaults */
static void
test_print_defaults(void **state)
{
	static const char text[] = BASE OUT "[connector ab]\nfrom = A\n"
	    "to = B\n";
	struct topology *t = LOAD(text);
	char *out = print(t), *two;

	(void)state;
	assert_non_null(strstr(out, "[organization]\nname = Org\n"
	    "version = 1\ntimezone = UTC\n\n[group A]\nmaster = a1    ; default: first "
	    "server\nhub = no\n"));
	assert_non_null(strstr(out, "\n[server a2]\ngroup = A\n"
	    "address = 10.0.0.2\nsmtp_port = 25\nagent_port = 691\n"));
	assert_non_null(strstr(out, "\n[connector out]\nfrom = A\ncost = 1\n"
	    "sources = a1, a2    ; default\nmax_size = unlimited\n"
	    "scope = organization\nenabled = yes\naddress_spaces = * 1\n"
	    "; smart_hosts: none, DNS MX\n"));
	assert_non_null(strstr(out, "\n[connector ab]\nfrom = A\nto = B\n"
	    "cost = 1\nsources = a1, a2    ; default\n"
	    "targets = b1    ; default\n"));
	assert_null(strstr(out, "senders_"));	/* none: every sender */
	assert_non_null(strstr(out, "; smart_hosts: none, DNS MX\n"
	    "priorities = high, normal, low\nsystem_messages = yes\n"));
	assert_non_null(strstr(out, "unlimited\nschedule = always\n"));
	two = reprint(out);
	assert_null(strstr(two, "; default"));
	free(out);
	free(two);
	topo_free(t);
}

/*
 * big_text - a topology with every value written and long lists: 40
 * servers in G1 for sources and targets, 30 address spaces with costs,
 * 20 domains, smart hosts with IPv6 addresses (so a continuation line
 * starts with "["). Lists longer than a line are written as repeated
 * keys and indented continuation lines.
 */
static char *
big_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	fprintf(fp, "[organization]\nname = Big Org\nversion = 7\n"
	    "timezone = America/New_York\n");
	for (int i = 0; i < 20; i++)
		fprintf(fp, "domains = d%02d.example\n", i);
	fprintf(fp, "[group G1]\nmaster = s05\nbackup_masters = s01, s02\n"
	    "hub = yes\n[group G2]\nmaster = t03\nhub = no\n");
	for (int i = 0; i < 40; i++)
		fprintf(fp, "[server s%02d]\ngroup = G1\naddress = 10.0.0.%d\n"
		    "smtp_port = 2525\nagent_port = 1691\n"
		    "mailboxes = m%02d.d00.example, *.m%02d.d00.example\n",
		    i, i, i, i);
	for (int i = 0; i < 5; i++)
		fprintf(fp, "[server t%02d]\ngroup = G2\naddress = "
		    "10.0.1.%d\n", i, i);
	fprintf(fp, "[connector big]\nfrom = G1\nto = G2\ncost = 42\n"
	    "sources = s00");
	for (int i = 1; i < 40; i++)
		fprintf(fp, "%s%02d", i % 8 == 0 ? "\n\ts" : ", s", i);
	fprintf(fp, "\ntargets = t04, t03, t02, t01, t00\nmax_size = 10M\n"
	    "scope = group\nenabled = no\n");
	fprintf(fp, "[connector back]\nfrom = G2\nto = G1\ncost = 100\n"
	    "sources = t00, t01, t02, t03, t04\nmax_size = 1536k\n"
	    "priorities = low, high\nsystem_messages = no\n"
	    "schedule = Mon-Fri 08:00-18:00, Sat 09:00-12:00\n"
	    "\tFri-Mon 22:00-02:00, sun 00:00-24:00\n"
	    "schedule = Wed 12:00-12:00, Thu 23:00-00:00\n");
	for (int i = 39; i >= 0; i--)
		fprintf(fp, "targets = s%02d\n", i);
	fprintf(fp, "[connector out]\nfrom = G1\ncost = 3\n");
	for (int i = 0; i < 40; i += 10)
		fprintf(fp, "sources = s%02d, s%02d, s%02d, s%02d, s%02d, "
		    "s%02d, s%02d, s%02d, s%02d, s%02d\n", i + 9, i + 8, i + 7,
		    i + 6, i + 5, i + 4, i + 3, i + 2, i + 1, i);
	for (int i = 0; i < 30; i++)
		fprintf(fp, "address_spaces = %sa%02d.example.org %d\n",
		    i % 3 == 0 ? "*." : "", i, i + 1);
	fprintf(fp, "smart_hosts = relay.example.net, relay2.example.net:2525"
	    "\n");
	for (int i = 1; i <= 8; i++)
		fprintf(fp, "  [2001:db8::%d]:%d\n", i, 2500 + i);
	for (int i = 0; i < 12; i++)
		fprintf(fp, "senders_allow = user%02d@partner%02d.example.com, "
		    "*.Sub%02d.example.com\n", i, i, i);
	fprintf(fp, "senders_deny = *\n");
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* round trip of a file with long lists and nothing defaulted */
static void
test_round_trip_long_lists(void **state)
{
	char *text = big_text(), *one, *two;
	struct topology *t, *t2;
	const struct topo_connector *c, *c2;

	(void)state;
	t = load("big.conf", text, strlen(text));
	c = connector(t, "big");
	assert_int_equal(c->sources.n, 40);
	assert_int_equal(connector(t, "back")->targets.n, 40);
	assert_int_equal(connector(t, "out")->nspaces, 30);
	assert_int_equal(connector(t, "out")->nsmart, 10);
	assert_int_equal(connector(t, "out")->nallow, 24);
	assert_int_equal(connector(t, "out")->ndeny, 1);
	assert_int_equal(t->ndomains, 20);

	one = print(t);
	assert_null(strstr(one, "; default"));
	/* the printer wrapped the long lists onto continuation lines */
	assert_true(check_lines(one) >= 10);
	assert_non_null(strstr(one, "\n    [2001:db8::"));
	assert_non_null(strstr(one, "\nsources = s00, s01, s02"));
	assert_non_null(strstr(one, "\nsenders_allow = "
	    "user00@partner00.example.com, *.sub00.example.com\n"
	    "    user01@partner01.example.com, "));
	assert_non_null(strstr(one, "\nsenders_deny = *\n"));
	/* the priorities in their order: high, normal, low */
	assert_non_null(strstr(one, "\npriorities = high, low\n"
	    "system_messages = no\n"));

	t2 = load("one.conf", one, strlen(one));
	two = print(t2);
	assert_string_equal(one, two);

	/* and the model is the same */
	assert_int_equal(t2->nservers, t->nservers);
	for (int i = 0; i < t->nconnectors; i++) {
		c = &t->connectors[i];
		c2 = &t2->connectors[i];
		assert_string_equal(c->name, c2->name);
		assert_int_equal(c->sources.n, c2->sources.n);
		assert_memory_equal(c->sources.v, c2->sources.v,
		    sizeof(int) * (size_t)c->sources.n);
		assert_int_equal(c->targets.n, c2->targets.n);
		assert_memory_equal(c->targets.v, c2->targets.v,
		    sizeof(int) * (size_t)c->targets.n);
		assert_int_equal(c->nspaces, c2->nspaces);
		for (int j = 0; j < c->nspaces; j++) {
			assert_string_equal(c->spaces[j].pattern,
			    c2->spaces[j].pattern);
			assert_int_equal(c->spaces[j].cost,
			    c2->spaces[j].cost);
		}
		assert_int_equal(c->nsmart, c2->nsmart);
		for (int j = 0; j < c->nsmart; j++) {
			assert_string_equal(c->smart_hosts[j].host,
			    c2->smart_hosts[j].host);
			assert_int_equal(c->smart_hosts[j].port,
			    c2->smart_hosts[j].port);
		}
		assert_int_equal(c->priorities, c2->priorities);
		assert_int_equal(c->system_messages, c2->system_messages);
		assert_int_equal(c->nallow, c2->nallow);
		for (int j = 0; j < c->nallow; j++)
			assert_string_equal(c->senders_allow[j].pattern,
			    c2->senders_allow[j].pattern);
		assert_int_equal(c->ndeny, c2->ndeny);
		for (int j = 0; j < c->ndeny; j++)
			assert_string_equal(c->senders_deny[j].pattern,
			    c2->senders_deny[j].pattern);
		assert_true(c->max_size == c2->max_size);
		assert_int_equal(c->scope, c2->scope);
		assert_int_equal(c->enabled, c2->enabled);
		/* no schedule prints as "always", read back as one */
		assert_int_equal(c->schedule ? (int)c->schedule->kind :
		    SCHEDULE_ALWAYS, (int)c2->schedule->kind);
		if (c->schedule != NULL) {
			assert_int_equal(c->schedule->nitems,
			    c2->schedule->nitems);
			for (int j = 0; j < c->schedule->nitems; j++)
				assert_string_equal(c->schedule->items[j],
				    c2->schedule->items[j]);
			assert_memory_equal(c->schedule->week,
			    c2->schedule->week, sizeof(c->schedule->week));
		}
	}
	assert_string_equal(t->timezone, t2->timezone);
	free(text);
	free(one);
	free(two);
	topo_free(t);
	topo_free(t2);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_explicit_values),
	cmocka_unit_test(test_any_order),
	cmocka_unit_test(test_continuation),
	cmocka_unit_test(test_continuation_line_number),
	cmocka_unit_test(test_outside_two_groups),
	cmocka_unit_test(test_nul_byte),
	cmocka_unit_test(test_unknown_section_keys),
	cmocka_unit_test(test_all_errors),
	cmocka_unit_test(test_diag_shared),
	cmocka_unit_test(test_find),
	cmocka_unit_test(test_seed002),
	cmocka_unit_test(test_seed004),
	cmocka_unit_test(test_senders),
	cmocka_unit_test(test_classes),
	cmocka_unit_test(test_tls_auth),
	cmocka_unit_test(test_missing_file),
	cmocka_unit_test(test_round_trip_seed002),
	cmocka_unit_test(test_round_trip_seed004),
	cmocka_unit_test(test_print_defaults),
	cmocka_unit_test(test_round_trip_long_lists),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(bad_cases) + nitems(good_cases) +
	    nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_bad, bad_cases);
	n = ADD_TABLE(tests, n, run_good, good_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_topology: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
