/*
 * test_route.c - shared/route*.c: the routing decision, rule by rule, on
 * the seeds' worked examples.
 *
 * Every row of the table is one cmocka test: a topology (a seed file,
 * optionally edited, or an inline text), the local server, the link
 * state (connector and server downs), size, rotation, relay mode,
 * suppress_state_changes and a recipient; and the whole wanted decision:
 * action, status, hosts in order, transport string, path groups,
 * connectors, cost, next-hop group, tie-break and point of failure.
 *
 * Rules (route.h) and where they are tested:
 *   1. candidates, most specific visible match, default, bounce 5.4.4:
 *      "001", "match", "scope", "disabled", "parse" rows;
 *   2. least cost, path and candidate tie-breaks, first-listed source:
 *      "002" (Dublin-Boston), "004" (ADSite1-4, C1), "003" (proximity,
 *      connector name) rows;
 *   3. next hop: targets, sources, relay direct, hosting servers, smart
 *      hosts and DNS MX: "002", "003", "004" rows;
 *   4. rotation, down servers last, never the local server: "004 rr";
 *   5. point of failure: "002 pof" rows;
 *   6. size limits: "003 size" rows;
 *   7. sender restrictions: "senders" rows (route_decide_sender);
 *   8. message classes: "classes" rows (route_decide_class); every other
 *      row also checks that route_decide_class() for the default class,
 *      given or NULL, answers as route_decide_sender().
 * Readings picked where the rules leave room are named in the rows.
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
#include "linkstate.h"
#include "route.h"
#include "route_index.h"
#include "topology.h"


#define S2	"tests/topologies/seed002.conf"
#define S4	"tests/topologies/seed004.conf"
#define M	(1024ULL * 1024)
#define LSTV	17		/* the LST version every row's state has */

/*
 * Seed 003: connector selection (Exchange 2007 and 2003 coexistence).
 * Hub in the middle; Redmond's scoped IMS for microsoft.com; Far behind a
 * size-limited connector from Hub, or an unlimited costlier way from
 * Spoke; partner.test, near.test, twin.test and order.test served from
 * several places at equal cost to exercise proximity and names.
 */
static const char topo003[] =
    "[organization]\n"
    "name = Compaq\n"
    "version = 3\n"
    "domains = compaq.test, *.compaq.test\n"
    "[group Hub]\n"
    "[group Redmond]\n"
    "[group Spoke]\n"
    "[group Far]\n"
    "[server hub1]\ngroup = Hub\naddress = 127.0.20.1\n"
    "mailboxes = hub.compaq.test\n"
    "[server hub2]\ngroup = Hub\naddress = 127.0.20.2\n"
    "[server red1]\ngroup = Redmond\naddress = 127.0.21.1\n"
    "mailboxes = redmond.compaq.test\n"
    "[server red2]\ngroup = Redmond\naddress = 127.0.21.2\n"
    "[server spk1]\ngroup = Spoke\naddress = 127.0.22.1\n"
    "mailboxes = spoke.compaq.test\n"
    "[server spk2]\ngroup = Spoke\naddress = 127.0.22.2\n"
    "[server spk3]\ngroup = Spoke\naddress = 127.0.22.3\n"
    "[server far1]\ngroup = Far\naddress = 127.0.23.1\n"
    "mailboxes = far.compaq.test\n"
    "[connector Hub-Redmond]\nfrom = Hub\nto = Redmond\ncost = 10\n"
    "[connector Redmond-Hub]\nfrom = Redmond\nto = Hub\ncost = 10\n"
    "[connector Hub-Spoke]\nfrom = Hub\nto = Spoke\ncost = 10\n"
    "[connector Spoke-Hub]\nfrom = Spoke\nto = Hub\ncost = 10\n"
    "[connector Hub-Far]\nfrom = Hub\nto = Far\ncost = 50\n"
    "max_size = 10M\n"
    "[connector Far-Hub]\nfrom = Far\nto = Hub\ncost = 50\n"
    "[connector Spoke-Far]\nfrom = Spoke\nto = Far\ncost = 65\n"
    "[connector Far-Spoke]\nfrom = Far\nto = Spoke\ncost = 65\n"
    "[connector Redmond-Far]\nfrom = Redmond\nto = Far\ncost = 5\n"
    "scope = group\n"
    "[connector IMS-Microsoft]\nfrom = Redmond\nsources = red2\n"
    "scope = group\naddress_spaces = microsoft.com 1\n"
    "smart_hosts = ms-gw.example:25\n"
    "[connector Internet]\nfrom = Hub\naddress_spaces = * 10\n"
    "max_size = 50M\n"
    "[connector A-Remote]\nfrom = Hub\nsources = hub2\n"
    "address_spaces = partner.test 1\nsmart_hosts = [192.0.2.1]:25\n"
    "[connector Z-Local]\nfrom = Spoke\nsources = spk1\n"
    "address_spaces = partner.test 11\nsmart_hosts = [192.0.2.2]:25\n"
    "[connector M-Group]\nfrom = Spoke\nsources = spk2\n"
    "address_spaces = partner.test 11\nsmart_hosts = [192.0.2.3]:25\n"
    "[connector B-Remote]\nfrom = Hub\nsources = hub1\n"
    "address_spaces = near.test 1\nsmart_hosts = [192.0.2.4]:25\n"
    "[connector Y-Local]\nfrom = Spoke\nsources = spk1\n"
    "address_spaces = near.test 11\nsmart_hosts = [192.0.2.5]:25\n"
    "[connector Y-Twin]\nfrom = Spoke\nsources = spk1\n"
    "address_spaces = twin.test 5\nsmart_hosts = [192.0.2.6]:25\n"
    "[connector X-Twin]\nfrom = Spoke\nsources = spk1\n"
    "address_spaces = twin.test 5\nsmart_hosts = [192.0.2.7]:25\n"
    "[connector N-Group]\nfrom = Spoke\nsources = spk2\n"
    "address_spaces = order.test 11\nsmart_hosts = [192.0.2.8]:25\n"
    "[connector P-Local]\nfrom = Spoke\nsources = spk1\n"
    "address_spaces = order.test 11\nsmart_hosts = [192.0.2.9]:25\n"
    "[connector C-Remote]\nfrom = Hub\nsources = hub2\n"
    "address_spaces = order.test 1\nsmart_hosts = [192.0.2.10]:25\n";

/* Two groups and no connector between them. */
static const char topo_island[] =
    "[organization]\nname = Island\nversion = 1\n"
    "[group One]\n[group Two]\n"
    "[server one1]\ngroup = One\naddress = 127.0.30.1\n"
    "mailboxes = one.test\n"
    "[server two1]\ngroup = Two\naddress = 127.0.30.2\n"
    "mailboxes = two.test\n";

/*
 * A connector scoped to groups B and C (sourced on b1 and c1): A cannot
 * see it and sends z.test toward `*` in W through B; B must not send it
 * back through A to reach c1 when b1's source is down.
 */
static const char topo_scoped2[] =
    "[organization]\nname = Scoped\nversion = 1\n"
    "[group A]\n[group B]\n[group C]\n[group W]\n"
    "[server a1]\ngroup = A\naddress = 127.0.40.1\n"
    "[server b1]\ngroup = B\naddress = 127.0.40.2\n"
    "[server c1]\ngroup = C\naddress = 127.0.40.3\n"
    "[server w1]\ngroup = W\naddress = 127.0.40.4\n"
    "[connector A-B]\nfrom = A\nto = B\n"
    "[connector B-A]\nfrom = B\nto = A\n"
    "[connector A-C]\nfrom = A\nto = C\n"
    "[connector B-W]\nfrom = B\nto = W\n"
    "[connector Z]\nsources = b1, c1\nscope = group\n"
    "address_spaces = z.test\n"
    "[connector Star]\nfrom = W\naddress_spaces = *\n";

/* seed 004 plus ADSite5 one hop behind ADSite4 */
static const char add_site5[] =
    "[group ADSite5]\n"
    "[server HT5]\ngroup = ADSite5\naddress = 127.0.15.1\n"
    "mailboxes = site5.fabrikam.test\n"
    "[connector 4-5]\nfrom = ADSite4\nto = ADSite5\ncost = 10\n";

/* seed 004 plus a three-hop way 1 -> Detour -> ADSite0 -> 4 of cost 20 */
static const char add_detour[] =
    "[group Detour]\n[group ADSite0]\n"
    "[server DT1]\ngroup = Detour\naddress = 127.0.16.1\n"
    "[server Z01]\ngroup = ADSite0\naddress = 127.0.16.2\n"
    "[connector 1-Detour]\nfrom = ADSite1\nto = Detour\ncost = 5\n"
    "[connector Detour-0]\nfrom = Detour\nto = ADSite0\ncost = 5\n"
    "[connector 0-4]\nfrom = ADSite0\nto = ADSite4\ncost = 10\n";

/* seed 002 plus connectors for partner.test at several specificities */
static const char add_partner[] =
    "[connector Partner-Exact]\nfrom = Paris\n"
    "address_spaces = deep.partner.test 50\n"
    "[connector Partner-Sub]\nfrom = Frankfurt\n"
    "address_spaces = *.partner.test 50\n";

struct edit {
	const char	*from;		/* must occur exactly once */
	const char	*to;
};

struct rcase {
	const char	*name;
	/* the topology: a seed file or a text, appended to, then edited */
	const char	*file;
	const char	*text;
	struct edit	 edits[3];
	const char	*append;
	/* the question */
	const char	*self;		/* NULL: not in the topology */
	const char	*down[4];	/* CONNECTOR or CONNECTOR@SOURCE */
	const char	*down_servers[3];
	const char	*local[2];	/* CONNECTOR: self's link, down here
					   only (retrying: LINKSTATE_LOCAL) */
	uint64_t	 size;
	unsigned	 rotation;
	int		 direct;
	int		 suppress;
	const char	*sender;	/* NULL: unknown */
	enum route_priority prio;	/* the message class */
	int		 system;
	const char	*rcpt;
	/* the wanted answer: every field is checked */
	enum route_action action;
	const char	*status;	/* NULL: "" */
	const char	*hosts;		/* "a,b" in order; NULL: none */
	const char	*transport;	/* relay only; NULL: "smtp:" */
	const char	*path;		/* groups; NULL: none */
	const char	*conns;		/* connectors; NULL: none */
	int		 cost;
	const char	*hop;		/* next-hop group; NULL: none */
	const char	*tiebreak;	/* NULL: none */
	int		 pof;		/* point_of_failure */
	const char	*reason;	/* a substring of it; NULL: unchecked */
};

#define RELAY	.action = ROUTE_RELAY
#define DEFER	.action = ROUTE_DEFER, .status = "4.4.1"
#define LOCAL	.action = ROUTE_LOCAL
#define LON	"smtp:[127.0.2.11]:25, [127.0.2.12]:25"
#define NY	"smtp:[127.0.7.11]:25, [127.0.7.12]:25"
#define HOLD_NY	"lsahold:[127.0.7.11]:25, [127.0.7.12]:25"
#define CPH	"smtp:[127.0.5.11]:25, [127.0.5.12]:25"
#define SITE2	"smtp:[127.0.12.1]:25, [127.0.12.2]:25"
#define HUB	"smtp:[127.0.20.1]:25, [127.0.20.2]:25"
#define HT(a, b, c) "smtp:[127.0.14." #a "]:25, [127.0.14." #b \
	"]:25, [127.0.14." #c "]:25"
#define NO_HUB2	{ { "[group ADSite2]\nhub = yes\n", "[group ADSite2]\n" } }
/* seed 002's connector C with sender restriction keys added */
#define SENDERS(c, keys) { "[connector " c "]\n", "[connector " c "]\n" keys }
#define REFUSED	.action = ROUTE_BOUNCE, .status = "5.7.1"
/* Dublin to Boston, seed 002: the path and, for relay, the next hop */
#define DUB_BOS	.file = S2, .self = "dub-bh1", \
	.rcpt = "user@boston.contoso.test", \
	.path = "Dublin,London,NewYork,Boston", \
	.conns = "Dublin-London,London-NewYork,NewYork-Boston", .cost = 40
#define VIA_LON	RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON, \
	.hop = "London"
#define ALLOW_LNY { SENDERS("London-NewYork", \
	"senders_allow = *.fabrikam.test, boss@tailspin.test\n") }
/* seed 002 plus a cheap Dublin -> New York link for high priority only */
#define EXPRESS	.append = "[connector Dublin-NewYork-Express]\n" \
	"from = Dublin\nto = NewYork\ncost = 5\npriorities = high\n"
#define VIA_EXPRESS .file = S2, .self = "dub-bh1", \
	.rcpt = "user@boston.contoso.test", RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY, \
	.hop = "NewYork", .path = "Dublin,NewYork,Boston", \
	.conns = "Dublin-NewYork-Express,NewYork-Boston", .cost = 15
/* seed 002's connector C with class keys added */
#define CLASSES(c, keys) SENDERS(c, keys)

static const struct rcase cases[] = {
	/* ---- seed 002: Routing, Retries, and Updates ---- */
	{ "002: Dublin to Boston via London and New York, cost 40",
	  .file = S2, .self = "dub-bh1", .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork,Boston",
	  .conns = "Dublin-London,London-NewYork,NewYork-Boston", .cost = 40,
	  .hop = "London", .reason = "mailbox server in group Boston" },
	{ "002: London-NewYork down: via Copenhagen, cost 130",
	  .file = S2, .self = "dub-bh1", .down = { "London-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Copenhagen,NewYork,Boston",
	  .conns = "Dublin-London,London-Copenhagen,Copenhagen-NewYork,"
	  "NewYork-Boston", .cost = 130, .hop = "London" },
	{ "002: London-NewYork down, at London: on to Copenhagen",
	  .file = S2, .self = "lon-bh1", .down = { "London-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "cph-bh1,cph-bh2", .transport = CPH,
	  .path = "London,Copenhagen,NewYork,Boston",
	  .conns = "London-Copenhagen,Copenhagen-NewYork,NewYork-Boston",
	  .cost = 120, .hop = "Copenhagen" },
	{ "002: London-NewYork down, at Copenhagen: the backup link",
	  .file = S2, .self = "cph-bh2", .down = { "London-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "Copenhagen,NewYork,Boston",
	  .conns = "Copenhagen-NewYork,NewYork-Boston", .cost = 110,
	  .hop = "NewYork" },
	{ "002: glitch at lon-bh1 only: the other London bridgehead",
	  .file = S2, .self = "lon-bh1", .down = { "London-NewYork@lon-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh2", .transport = "smtp:[127.0.2.12]:25",
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "London" },
	{ "002: glitch at lon-bh1 only: lon-rgm lists lon-bh1 last",
	  .file = S2, .self = "lon-rgm", .down = { "London-NewYork@lon-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh2,lon-bh1",
	  .transport = "smtp:[127.0.2.12]:25, [127.0.2.11]:25",
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "London" },
	{ "002: at London, not a source: London's bridgeheads",
	  .file = S2, .self = "lon-rgm", .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "London" },
	{ "002: at London, a source: New York's targets",
	  .file = S2, .self = "lon-bh2", .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002: at New York: the hosting server in Boston",
	  .file = S2, .self = "ny-bh2", .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "bos-bh1", .transport = "smtp:[127.0.8.11]:25",
	  .path = "NewYork,Boston", .conns = "NewYork-Boston", .cost = 10,
	  .hop = "Boston" },
	{ "002: at Boston: local",
	  .file = S2, .self = "bos-bh1", .rcpt = "user@boston.contoso.test",
	  LOCAL, .reason = "hosted here" },
	{ "002 pof: both New York links down, at London: defer 4.4.1",
	  .file = S2, .self = "lon-bh1",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2", .transport = HOLD_NY,
	  .path = "London,NewYork,Boston", .hop = "NewYork",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30, .pof = 1,
	  .reason = "London-NewYork is down" },
	{ "002 pof: both New York links down, at lon-rgm: defer 4.4.1",
	  .file = S2, .self = "lon-rgm",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "lon-bh1,lon-bh2",
	  .transport = "lsahold:[127.0.2.11]:25, [127.0.2.12]:25",
	  .path = "London,NewYork,Boston", .hop = "London",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30, .pof = 1 },
	{ "002 pof: both New York links down, at Dublin: relay to London",
	  .file = S2, .self = "dub-bh1",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork,Boston",
	  .conns = "Dublin-London,London-NewYork,NewYork-Boston", .cost = 40,
	  .hop = "London", .pof = 1, .reason = "toward the point of failure" },
	{ "002 pof: both New York links down, at Copenhagen: to London",
	  .file = S2, .self = "cph-bh1",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Copenhagen,London,NewYork,Boston",
	  .conns = "Copenhagen-London,London-NewYork,NewYork-Boston",
	  .cost = 40, .hop = "London", .pof = 1 },
	{ "002 pof: the way back from Boston is up: relay as usual",
	  .file = S2, .self = "bos-bh1",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@newyork.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "Boston,NewYork", .conns = "Boston-NewYork", .cost = 10,
	  .hop = "NewYork" },
	{ "002 pof: suppress: least cost as if all were up",
	  .file = S2, .self = "lon-bh1", .suppress = 1,
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002: suppress ignores a down link",
	  .file = S2, .self = "dub-bh1", .suppress = 1,
	  .down = { "London-NewYork" }, .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork,Boston",
	  .conns = "Dublin-London,London-NewYork,NewYork-Boston", .cost = 40,
	  .hop = "London" },
	{ "002: suppress ignores a down source",
	  .file = S2, .self = "lon-bh1", .suppress = 1,
	  .down = { "London-NewYork@lon-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002: suppress ignores a down server",
	  .file = S2, .self = "lon-bh1", .suppress = 1,
	  .down_servers = { "ny-bh1" }, .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002: a down target server goes last",
	  .file = S2, .self = "lon-bh1", .down_servers = { "ny-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh2,ny-bh1",
	  .transport = "smtp:[127.0.7.12]:25, [127.0.7.11]:25",
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002: a down target server goes last after rotation",
	  .file = S2, .self = "lon-bh1", .down_servers = { "ny-bh2" },
	  .rotation = 1, .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .hop = "NewYork" },
	{ "002 pof: London bridgeheads down: Dublin still relays to them",
	  .file = S2, .self = "dub-bh1",
	  .down_servers = { "lon-bh1", "lon-bh2" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork,Boston",
	  .conns = "Dublin-London,London-NewYork,NewYork-Boston", .cost = 40,
	  .hop = "London", .pof = 1 },
	{ "002 outside: Dublin to the Internet via New York",
	  .file = S2, .self = "dub-bh1", .rcpt = "user@example.org",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .hop = "London", .reason = "connector Internet" },
	{ "002 outside: at ny-bh1, a source: the smart hosts",
	  .file = S2, .self = "ny-bh1", .rcpt = "user@example.org",
	  RELAY, .hosts = "relay1.example.net,relay2.example.net",
	  .transport = "smtp:[relay1.example.net]:25, "
	  "[relay2.example.net]:25", .path = "NewYork", .conns = "Internet",
	  .cost = 10 },
	{ "002 outside: smart hosts rotate",
	  .file = S2, .self = "ny-bh2", .rotation = 3,
	  .rcpt = "user@example.org",
	  RELAY, .hosts = "relay2.example.net,relay1.example.net",
	  .transport = "smtp:[relay2.example.net]:25, "
	  "[relay1.example.net]:25", .path = "NewYork", .conns = "Internet",
	  .cost = 10 },
	{ "002 outside: ny-bh1's source down: to ny-bh2",
	  .file = S2, .self = "ny-bh1", .down = { "Internet@ny-bh1" },
	  .rcpt = "user@example.org",
	  RELAY, .hosts = "ny-bh2", .transport = "smtp:[127.0.7.12]:25",
	  .path = "NewYork", .conns = "Internet", .cost = 10,
	  .hop = "NewYork" },
	{ "002 outside: at Boston: New York's servers",
	  .file = S2, .self = "bos-bh1", .rcpt = "user@example.org",
	  RELAY, .hosts = "ny-bh1,ny-bh2", .transport = NY,
	  .path = "Boston,NewYork", .conns = "Boston-NewYork,Internet",
	  .cost = 20, .hop = "NewYork" },
	/*
	 * Views that differ: a link down here only (retrying, or an
	 * override not yet flooded) is unknown to every other server. It
	 * never changes the path between groups, and a source in that
	 * state holds the mail (lon-bh1 and lon-bh2 each retrying would
	 * otherwise pass mail back and forth).
	 */
	{ "002 views: lon-bh1 retrying London-NewYork holds (lon-bh2 may "
	  "be retrying too)",
	  .file = S2, .self = "lon-bh1", .local = { "London-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2",
	  .transport = HOLD_NY, .path = "London,NewYork,Boston",
	  .hop = "NewYork", .conns = "London-NewYork,NewYork-Boston",
	  .cost = 30, .reason = "down here only" },
	{ "002 views: lon-bh2 retrying London-NewYork holds too",
	  .file = S2, .self = "lon-bh2", .local = { "London-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2", .transport = HOLD_NY,
	  .path = "London,NewYork,Boston", .hop = "NewYork",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30,
	  .reason = "down here only" },
	{ "002 views: lon-bh2 retrying, lon-bh1 down in the LST: holds",
	  .file = S2, .self = "lon-bh2", .local = { "London-NewYork" },
	  .down = { "London-NewYork@lon-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2",
	  .transport = HOLD_NY, .path = "London,NewYork,Boston",
	  .hop = "NewYork", .conns = "London-NewYork,NewYork-Boston",
	  .cost = 30 },
	{ "002 views: lon-bh1 down in the LST hands to lon-bh2 (all know)",
	  .file = S2, .self = "lon-bh1", .down = { "London-NewYork@lon-bh1" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh2", .transport = "smtp:[127.0.2.12]:25",
	  .path = "London,NewYork,Boston", .hop = "London",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30 },
	{ "002 views: the only source retrying holds; no detour via "
	  "Copenhagen (Copenhagen would send it back)",
	  .file = S2, .self = "lon-bh1", .local = { "London-NewYork" },
	  .edits = { { "cost = 20\nsources = lon-bh1, lon-bh2\n",
	  "cost = 20\nsources = lon-bh1\n" } },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2",
	  .transport = HOLD_NY, .path = "London,NewYork,Boston",
	  .hop = "NewYork", .conns = "London-NewYork,NewYork-Boston",
	  .cost = 30 },
	{ "002 views: a member does not know: to the sources as usual",
	  .file = S2, .self = "lon-rgm",
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "London,NewYork,Boston", .hop = "London",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30 },
	{ "002 views: ny-bh1 retrying Internet holds at its smart hosts",
	  .file = S2, .self = "ny-bh1", .local = { "Internet" },
	  .rcpt = "user@example.org",
	  DEFER,
	  .hosts = "relay1.example.net,relay2.example.net",
	  .transport = "lsahold:[relay1.example.net]:25, "
	  "[relay2.example.net]:25",
	  .path = "NewYork", .conns = "Internet", .cost = 10 },
	{ "002 views: ny-bh2 retrying Internet, ny-bh1 down in the LST: "
	  "holds",
	  .file = S2, .self = "ny-bh2", .local = { "Internet" },
	  .down = { "Internet@ny-bh1" }, .rcpt = "user@example.org",
	  DEFER, .hosts = "relay1.example.net,relay2.example.net",
	  .transport = "lsahold:[relay1.example.net]:25, "
	  "[relay2.example.net]:25",
	  .path = "NewYork", .conns = "Internet", .cost = 10 },
	{ "002 views: ny-bh1 down in the LST hands Internet mail to ny-bh2",
	  .file = S2, .self = "ny-bh1", .down = { "Internet@ny-bh1" },
	  .rcpt = "user@example.org",
	  RELAY, .hosts = "ny-bh2", .transport = "smtp:[127.0.7.12]:25",
	  .path = "NewYork", .conns = "Internet", .cost = 10,
	  .hop = "NewYork" },
	{ "002 pof outside: Internet down: defer at New York",
	  .file = S2, .self = "ny-bh1", .down = { "Internet" },
	  .rcpt = "user@example.org",
	  DEFER, .hosts = "relay1.example.net,relay2.example.net",
	  .transport = "lsahold:[relay1.example.net]:25, "
	  "[relay2.example.net]:25",
	  .path = "NewYork", .conns = "Internet", .cost = 10,
	  .pof = 1, .reason = "Internet is down" },
	{ "002 pof outside: Internet down: Dublin relays toward New York",
	  .file = S2, .self = "dub-bh1", .down = { "Internet" },
	  .rcpt = "user@example.org",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .hop = "London", .pof = 1 },
	{ "002 match: *.uk.contoso.test on lon-rgm",
	  .file = S2, .self = "lon-bh1", .rcpt = "user@leeds.uk.contoso.test",
	  RELAY, .hosts = "lon-rgm", .transport = "smtp:[127.0.2.10]:25",
	  .path = "London", .hop = "London" },
	{ "002 match: *.uk.contoso.test does not hold uk.contoso.test",
	  .file = S2, .self = "ny-bh1", .rcpt = "user@uk.contoso.test",
	  .action = ROUTE_BOUNCE, .status = "5.4.4",
	  .reason = "a domain of the organization" },
	/*
	 * An owned domain that no server hosts matches only `*`: it must not
	 * go out to the Internet (its MX is ours), so it bounces 5.4.4.
	 */
	{ "002 match: an owned domain no server hosts does not take *",
	  .file = S2, .self = "ny-bh1", .rcpt = "user@nobody.contoso.test",
	  .action = ROUTE_BOUNCE, .status = "5.4.4",
	  .reason = "a domain of the organization" },
	{ "002 match: a domain not owned takes *",
	  .file = S2, .self = "ny-bh1", .rcpt = "user@nobody.example.org",
	  RELAY, .hosts = "relay1.example.net,relay2.example.net",
	  .transport = "smtp:[relay1.example.net]:25, "
	  "[relay2.example.net]:25", .path = "NewYork", .conns = "Internet",
	  .cost = 10 },
	{ "002 match: exact mailbox beats *. at a higher cost",
	  .file = S2, .self = "dub-bh1",
	  .edits = { { "mailboxes = paris.contoso.test",
	  "mailboxes = paris.contoso.test, leeds.uk.contoso.test" } },
	  .rcpt = "user@leeds.uk.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Paris", .conns = "Dublin-London,London-Paris",
	  .cost = 20, .hop = "London", .reason = "group Paris" },
	{ "002 match: exact connector beats *. and *",
	  .file = S2, .self = "dub-bh1", .append = add_partner,
	  .rcpt = "user@deep.partner.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Paris",
	  .conns = "Dublin-London,London-Paris,Partner-Exact", .cost = 70,
	  .hop = "London" },
	{ "002 match: *. connector beats *",
	  .file = S2, .self = "dub-bh1", .append = add_partner,
	  .rcpt = "user@x.partner.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Frankfurt",
	  .conns = "Dublin-London,London-Frankfurt,Partner-Sub", .cost = 70,
	  .hop = "London" },
	{ "002 match: *. connector for a deeper subdomain",
	  .file = S2, .self = "dub-bh1", .append = add_partner,
	  .rcpt = "user@a.deep.partner.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Frankfurt",
	  .conns = "Dublin-London,London-Frankfurt,Partner-Sub", .cost = 70,
	  .hop = "London" },
	{ "002 match: *.partner.test does not hold partner.test: *",
	  .file = S2, .self = "dub-bh1", .append = add_partner,
	  .rcpt = "user@partner.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .hop = "London" },
	{ "002 disabled: a disabled link is not a path",
	  .file = S2, .self = "dub-bh1",
	  .edits = { { "cost = 20\nsources = lon-bh1, lon-bh2\n",
	  "cost = 20\nenabled = no\nsources = lon-bh1, lon-bh2\n" } },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Copenhagen,NewYork,Boston",
	  .conns = "Dublin-London,London-Copenhagen,Copenhagen-NewYork,"
	  "NewYork-Boston", .cost = 130, .hop = "London" },
	{ "002 disabled: nor at the point of failure: London to Copenhagen",
	  .file = S2, .self = "lon-bh1",
	  .edits = { { "cost = 20\nsources = lon-bh1, lon-bh2\n",
	  "cost = 20\nenabled = no\nsources = lon-bh1, lon-bh2\n" } },
	  .down = { "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  RELAY, .hosts = "cph-bh1,cph-bh2", .transport = CPH,
	  .path = "London,Copenhagen,NewYork,Boston",
	  .conns = "London-Copenhagen,Copenhagen-NewYork,NewYork-Boston",
	  .cost = 120, .hop = "Copenhagen", .pof = 1 },
	{ "002 disabled: ... and Copenhagen defers",
	  .file = S2, .self = "cph-bh1",
	  .edits = { { "cost = 20\nsources = lon-bh1, lon-bh2\n",
	  "cost = 20\nenabled = no\nsources = lon-bh1, lon-bh2\n" } },
	  .down = { "Copenhagen-NewYork" },
	  .rcpt = "user@boston.contoso.test",
	  DEFER, .hosts = "ny-bh1,ny-bh2", .transport = HOLD_NY,
	  .path = "Copenhagen,NewYork,Boston", .hop = "NewYork",
	  .conns = "Copenhagen-NewYork,NewYork-Boston", .cost = 110,
	  .pof = 1 },
	{ "002 disabled: a disabled outside connector is invisible",
	  .file = S2, .self = "ny-bh1",
	  .edits = { { "[connector Internet]\n",
	  "[connector Internet]\nenabled = no\n" } },
	  .rcpt = "user@example.org",
	  .action = ROUTE_DEFAULT, .reason = "no address space matches" },
	{ "002 disabled: owned domain, nothing serves it: bounce 5.4.4",
	  .file = S2, .self = "ny-bh1",
	  .edits = { { "[connector Internet]\n",
	  "[connector Internet]\nenabled = no\n" } },
	  .rcpt = "user@nobody.contoso.test",
	  .action = ROUTE_BOUNCE, .status = "5.4.4",
	  .reason = "a domain of the organization" },
	{ "002 disabled: a disabled connector hides nothing wider",
	  .file = S2, .self = "dub-bh1", .append = add_partner,
	  .edits = { { "[connector Partner-Exact]\n",
	  "[connector Partner-Exact]\nenabled = no\n" } },
	  .rcpt = "user@deep.partner.test",
	  RELAY, .hosts = "lon-bh1,lon-bh2", .transport = LON,
	  .path = "Dublin,London,Frankfurt",
	  .conns = "Dublin-London,London-Frankfurt,Partner-Sub", .cost = 70,
	  .hop = "London" },
	{ "002 parse: Mixed.Case+ext@Dublin.Contoso.Test is local",
	  .file = S2, .self = "dub-bh1",
	  .rcpt = "Mixed.Case+ext@Dublin.Contoso.Test", LOCAL },
	{ "002 parse: a trailing dot is dropped",
	  .file = S2, .self = "dub-bh1", .rcpt = "user@dublin.contoso.test.",
	  LOCAL },
	{ "002 parse: the last @ counts",
	  .file = S2, .self = "dub-bh1",
	  .rcpt = "\"a@boston.contoso.test\"@dublin.contoso.test", LOCAL },
	{ "002 parse: no @: default",
	  .file = S2, .self = "dub-bh1", .rcpt = "dublin.contoso.test",
	  .action = ROUTE_DEFAULT, .reason = "no domain" },
	{ "002 parse: empty domain: default",
	  .file = S2, .self = "dub-bh1", .rcpt = "user@",
	  .action = ROUTE_DEFAULT, .reason = "no domain" },
	{ "002 parse: bad domain: default",
	  .file = S2, .self = "dub-bh1", .rcpt = "user@dublin..contoso.test",
	  .action = ROUTE_DEFAULT, .reason = "no domain" },
	{ "002 parse: empty address: default",
	  .file = S2, .self = "dub-bh1", .rcpt = "",
	  .action = ROUTE_DEFAULT },
	{ "001: a server outside the topology: defer 4.3.5",
	  .file = S2, .self = NULL, .rcpt = "user@boston.contoso.test",
	  .action = ROUTE_DEFER, .status = "4.3.5" },
	{ "001: no connector between the groups: bounce 5.4.4",
	  .text = topo_island, .self = "one1", .rcpt = "user@two.test",
	  .action = ROUTE_BOUNCE, .status = "5.4.4", .reason = "no path" },
	{ "001: not an owned domain, nothing matches: default",
	  .text = topo_island, .self = "one1", .rcpt = "user@three.test",
	  .action = ROUTE_DEFAULT },
	{ "001: same group, other server: the hosting server",
	  .file = S4, .self = "HT2", .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1", .transport = "smtp:[127.0.14.1]:25",
	  .path = "ADSite4", .hop = "ADSite4" },
	{ "001: same group, the hosting server down: still listed",
	  .file = S4, .self = "HT2", .down_servers = { "HT1" },
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1", .transport = "smtp:[127.0.14.1]:25",
	  .path = "ADSite4", .hop = "ADSite4" },
	{ "001: owned, no server, no *: bounce 5.4.4",
	  .file = S4, .self = "A", .rcpt = "user@nowhere.fabrikam.test",
	  .action = ROUTE_BOUNCE, .status = "5.4.4" },
	{ "001: not owned, no match: default",
	  .file = S4, .self = "A", .rcpt = "user@example.org",
	  .action = ROUTE_DEFAULT },

	/* ---- seed 004: load balancing and fault tolerance ---- */
	{ "004 rr: rotation 0: {HT1,HT2,HT3}",
	  .file = S4, .self = "C", .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1,HT2,HT3", .transport = HT(1, 2, 3),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: rotation 1: {HT2,HT3,HT1}",
	  .file = S4, .self = "C", .rotation = 1,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT2,HT3,HT1", .transport = HT(2, 3, 1),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: rotation 2: {HT3,HT1,HT2}",
	  .file = S4, .self = "D", .rotation = 2,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT3,HT1,HT2", .transport = HT(3, 1, 2),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: rotation 3 wraps to {HT1,HT2,HT3}",
	  .file = S4, .self = "C", .rotation = 3,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1,HT2,HT3", .transport = HT(1, 2, 3),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: rotation 4294967294",
	  .file = S4, .self = "C", .rotation = 4294967294U,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT3,HT1,HT2", .transport = HT(3, 1, 2),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: HT1 down goes last",
	  .file = S4, .self = "C", .down_servers = { "HT1" },
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT2,HT3,HT1", .transport = HT(2, 3, 1),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: HT2 down, rotation 1: {HT3,HT1} then HT2",
	  .file = S4, .self = "C", .down_servers = { "HT2" }, .rotation = 1,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT3,HT1,HT2", .transport = HT(3, 1, 2),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: HT2 and HT3 down, rotation 2: HT1, then HT3, HT2",
	  .file = S4, .self = "C", .down_servers = { "HT2", "HT3" },
	  .rotation = 2, .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1,HT3,HT2", .transport = HT(1, 3, 2),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 rr: all down: rotation order kept",
	  .file = S4, .self = "C", .down_servers = { "HT1", "HT2", "HT3" },
	  .rotation = 1, .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT2,HT3,HT1", .transport = HT(2, 3, 1),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 down source: HT1, down itself, lists up sources only",
	  .file = S4, .self = "HT1", .down = { "4-2@HT1", "4-2@HT2" },
	  .rcpt = "user@site2.fabrikam.test",
	  RELAY, .hosts = "HT3", .transport = "smtp:[127.0.14.3]:25",
	  .path = "ADSite4,ADSite2", .conns = "4-2", .cost = 10,
	  .hop = "ADSite4" },
	{ "004 down source: HT3, up, goes to the targets",
	  .file = S4, .self = "HT3", .down = { "4-2@HT1", "4-2@HT2" },
	  .rcpt = "user@site2.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite4,ADSite2", .conns = "4-2", .cost = 10,
	  .hop = "ADSite2" },
	{ "004 down source: C1's local source down: A lists B only",
	  .file = S4, .self = "A", .down = { "C1@A" }, .rotation = 1,
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "B", .transport = "smtp:[127.0.11.2]:25",
	  .path = "ADSite1", .conns = "C1", .cost = 1, .hop = "ADSite1" },
	{ "004 local server: A is a source of C1: it delivers itself",
	  .file = S4, .self = "A", .rcpt = "user@partner.example",
	  RELAY, .hosts = "mx1.partner.example,mx2.partner.example",
	  .transport = "smtp:[mx1.partner.example]:25, "
	  "[mx2.partner.example]:2525", .path = "ADSite1", .conns = "C1",
	  .cost = 1, .reason = "connector C1" },
	{ "004 local server: smart hosts rotate",
	  .file = S4, .self = "B", .rotation = 1,
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "mx2.partner.example,mx1.partner.example",
	  .transport = "smtp:[mx2.partner.example]:2525, "
	  "[mx1.partner.example]:25", .path = "ADSite1", .conns = "C1",
	  .cost = 1 },
	{ "004 local server: C, a source, with the other sources down",
	  .file = S4, .self = "C", .down = { "C1@A", "C1@B", "C1@D" },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "mx1.partner.example,mx2.partner.example",
	  .transport = "smtp:[mx1.partner.example]:25, "
	  "[mx2.partner.example]:2525", .path = "ADSite2", .conns = "C1",
	  .cost = 1 },
	{ "004 local server: A's own source down: to B",
	  .file = S4, .self = "A", .down = { "C1@A" },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "B", .transport = "smtp:[127.0.11.2]:25",
	  .path = "ADSite1", .conns = "C1", .cost = 1, .hop = "ADSite1" },
	{ "004 remote sources at equal cost: the first-listed source's group",
	  .file = S4, .self = "E", .rcpt = "user@partner.example",
	  RELAY, .hosts = "A,B", .transport =
	  "smtp:[127.0.11.1]:25, [127.0.11.2]:25",
	  .path = "ADSite3,ADSite1", .conns = "3-1,C1", .cost = 11,
	  .hop = "ADSite1", .tiebreak = "first-listed source" },
	{ "004 remote sources at equal cost: listed C, D, A, B: ADSite2",
	  .file = S4, .self = "F",
	  .edits = { { "sources = A, B, C, D", "sources = C, D, A, B" } },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite3,ADSite2", .conns = "3-2,C1", .cost = 11,
	  .hop = "ADSite2", .tiebreak = "first-listed source" },
	{ "004 remote sources: ADSite2 at cost 5 wins regardless of order",
	  .file = S4, .self = "E",
	  .edits = { { "from = ADSite3\nto = ADSite2\ncost = 10",
	  "from = ADSite3\nto = ADSite2\ncost = 5" } },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite3,ADSite2", .conns = "3-2,C1", .cost = 6,
	  .hop = "ADSite2" },
	{ "004 remote sources: the first-listed group's sources down",
	  .file = S4, .self = "E", .down = { "C1@A", "C1@B" },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite3,ADSite2", .conns = "3-2,C1", .cost = 11,
	  .hop = "ADSite2" },
	{ "004 remote sources: also sourced on E: E delivers itself",
	  .file = S4, .self = "E",
	  .edits = { { "sources = A, B, C, D", "sources = A, B, C, D, E" } },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "mx1.partner.example,mx2.partner.example",
	  .transport = "smtp:[mx1.partner.example]:25, "
	  "[mx2.partner.example]:2525", .path = "ADSite3", .conns = "C1",
	  .cost = 1 },
	{ "004 remote sources: also sourced on E: F relays to E",
	  .file = S4, .self = "F",
	  .edits = { { "sources = A, B, C, D", "sources = A, B, C, D, E" } },
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "E", .transport = "smtp:[127.0.13.1]:25",
	  .path = "ADSite3", .conns = "C1", .cost = 1, .hop = "ADSite3" },
	{ "004 remote sources: relay direct from ADSite4 to ADSite2",
	  .file = S4, .self = "HT3", .direct = 1,
	  .rcpt = "user@partner.example",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite4,ADSite2", .conns = "4-2,C1", .cost = 11,
	  .hop = "ADSite2" },
	{ "004 path tie: ADSite1 to ADSite4 is {1-2-4}, by group name",
	  .file = S4, .self = "A", .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 path tie: the tie one hop before the destination counts",
	  .file = S4, .self = "B", .append = add_site5,
	  .rcpt = "user@site5.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4,ADSite5", .conns = "1-2,2-4,4-5",
	  .cost = 30, .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 path tie: group name, not the longer path's fewer hops",
	  .file = S4, .self = "A", .append = add_detour,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 path tie: equal cost, fewer hops wins over a lower name",
	  .file = S4, .self = "A", .append = add_detour,
	  .edits = { { "[connector 1-2]\nfrom = ADSite1\nto = ADSite2\n"
	  "cost = 10\n", "[connector 1-2]\nfrom = ADSite1\nto = ADSite2\n"
	  "cost = 10\nenabled = no\n" }, { "[connector 1-3]\n"
	  "from = ADSite1\nto = ADSite3\ncost = 10\n", "[connector 1-3]\n"
	  "from = ADSite1\nto = ADSite3\ncost = 10\nenabled = no\n" } },
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "DT1", .transport = "smtp:[127.0.16.1]:25",
	  .path = "ADSite1,Detour,ADSite0,ADSite4",
	  .conns = "1-Detour,Detour-0,0-4", .cost = 20, .hop = "Detour" },
	{ "004 path tie: 1-2 down: {1-3-4}, no tie left",
	  .file = S4, .self = "A", .down = { "1-2" },
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "E,F", .transport =
	  "smtp:[127.0.13.1]:25, [127.0.13.2]:25",
	  .path = "ADSite1,ADSite3,ADSite4", .conns = "1-3,3-4", .cost = 20,
	  .hop = "ADSite3" },
	{ "004 pof: 1-2 and 1-3 down: defer at ADSite1",
	  .file = S4, .self = "A", .down = { "1-2", "1-3" },
	  .rcpt = "user@site4.fabrikam.test",
	  DEFER, .hosts = "C,D",
	  .transport = "lsahold:[127.0.12.1]:25, [127.0.12.2]:25",
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4",
	  .hop = "ADSite2", .cost = 20, .tiebreak = "group name", .pof = 1 },
	{ "004 direct: ADSite2 a hub: the next hop is in ADSite2",
	  .file = S4, .self = "A", .direct = 1,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 direct: ADSite2 not a hub: straight to ADSite4",
	  .file = S4, .self = "A", .direct = 1, .edits = NO_HUB2,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1,HT2,HT3", .transport = HT(1, 2, 3),
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite4", .tiebreak = "group name" },
	{ "004 direct: ADSite2 not a hub, rotation 2",
	  .file = S4, .self = "B", .direct = 1, .edits = NO_HUB2,
	  .rotation = 2, .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT3,HT1,HT2", .transport = HT(3, 1, 2),
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite4", .tiebreak = "group name" },
	{ "004 direct: ADSite2 not a hub, hop by hop: ADSite2",
	  .file = S4, .self = "A", .edits = NO_HUB2,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 direct: 1-2 down, suppress: still ADSite2 (queued there)",
	  .file = S4, .self = "A", .direct = 1, .suppress = 1,
	  .down = { "1-2" }, .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "C,D", .transport = SITE2,
	  .path = "ADSite1,ADSite2,ADSite4", .conns = "1-2,2-4", .cost = 20,
	  .hop = "ADSite2", .tiebreak = "group name" },
	{ "004 direct: 1-2 down: ADSite3, a hub too",
	  .file = S4, .self = "A", .direct = 1, .down = { "1-2" },
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "E,F", .transport =
	  "smtp:[127.0.13.1]:25, [127.0.13.2]:25",
	  .path = "ADSite1,ADSite3,ADSite4", .conns = "1-3,3-4", .cost = 20,
	  .hop = "ADSite3" },
	{ "004 direct: the destination's neighbour: its targets",
	  .file = S4, .self = "C", .direct = 1,
	  .rcpt = "user@site4.fabrikam.test",
	  RELAY, .hosts = "HT1,HT2,HT3", .transport = HT(1, 2, 3),
	  .path = "ADSite2,ADSite4", .conns = "2-4", .cost = 10,
	  .hop = "ADSite4" },

	/* ---- seed 003: connector selection, scope, size limits ---- */
	{ "003 scope: microsoft.com scoped to Redmond: Spoke uses *",
	  .text = topo003, .self = "spk1", .rcpt = "user@microsoft.com",
	  RELAY, .hosts = "hub1,hub2", .transport = HUB,
	  .path = "Spoke,Hub", .conns = "Spoke-Hub,Internet", .cost = 20,
	  .hop = "Hub", .reason = "connector Internet" },
	{ "003 scope: from Hub, the Internet connector itself (DNS MX)",
	  .text = topo003, .self = "hub2", .rcpt = "user@microsoft.com",
	  RELAY, .transport = "smtp:", .path = "Hub", .conns = "Internet",
	  .cost = 10 },
	{ "003 scope: in Redmond the scoped connector wins: to red2",
	  .text = topo003, .self = "red1", .rcpt = "user@Microsoft.COM",
	  RELAY, .hosts = "red2", .transport = "smtp:[127.0.21.2]:25",
	  .path = "Redmond", .conns = "IMS-Microsoft", .cost = 1,
	  .hop = "Redmond", .reason = "IMS-Microsoft" },
	{ "003 scope: at red2, its source: the smart host",
	  .text = topo003, .self = "red2", .rcpt = "user@microsoft.com",
	  RELAY, .hosts = "ms-gw.example",
	  .transport = "smtp:[ms-gw.example]:25", .path = "Redmond",
	  .conns = "IMS-Microsoft", .cost = 1 },
	{ "003 scope: www.microsoft.com is not microsoft.com: *",
	  .text = topo003, .self = "red1", .rcpt = "user@www.microsoft.com",
	  RELAY, .hosts = "hub1,hub2", .transport = HUB,
	  .path = "Redmond,Hub", .conns = "Redmond-Hub,Internet", .cost = 20,
	  .hop = "Hub" },
	/* reading: the most specific visible match only, even when down */
	{ "003 scope: the scoped connector down: defer, * not tried",
	  .text = topo003, .self = "red1", .down = { "IMS-Microsoft" },
	  .rcpt = "user@microsoft.com",
	  DEFER, .hosts = "red2", .transport = "lsahold:[127.0.21.2]:25",
	  .hop = "Redmond", .path = "Redmond", .conns = "IMS-Microsoft",
	  .cost = 1, .pof = 1 },
	{ "003 scope: a scoped group connector serves its own group",
	  .text = topo003, .self = "red1", .rcpt = "user@far.compaq.test",
	  RELAY, .hosts = "far1", .transport = "smtp:[127.0.23.1]:25",
	  .path = "Redmond,Far", .conns = "Redmond-Far", .cost = 5,
	  .hop = "Far" },
	{ "003 scope: ... and nobody else (Hub does not go via Redmond)",
	  .text = topo003, .self = "hub1", .rcpt = "user@far.compaq.test",
	  RELAY, .hosts = "far1", .transport = "smtp:[127.0.23.1]:25",
	  .path = "Hub,Far", .conns = "Hub-Far", .cost = 50, .hop = "Far" },
	{ "003 scope: scoped to B and C: invisible from A, * through B",
	  .text = topo_scoped2, .self = "a1", .rcpt = "user@z.test",
	  RELAY, .hosts = "b1", .transport = "smtp:[127.0.40.2]:25",
	  .path = "A,B,W", .conns = "A-B,B-W,Star", .cost = 3, .hop = "B" },
	{ "003 scope: scoped to B and C: B's own source (DNS MX)",
	  .text = topo_scoped2, .self = "b1", .rcpt = "user@z.test",
	  RELAY, .path = "B", .conns = "Z", .cost = 1 },
	{ "003 scope: scoped to B and C: C's own source (DNS MX)",
	  .text = topo_scoped2, .self = "c1", .rcpt = "user@z.test",
	  RELAY, .path = "C", .conns = "Z", .cost = 1 },
	{ "003 scope: B's source down: defer in B, not back through A",
	  .text = topo_scoped2, .self = "b1", .down = { "Z@b1" },
	  .rcpt = "user@z.test",
	  DEFER, .transport = "lsahold:", .path = "B", .conns = "Z",
	  .cost = 1, .pof = 1 },
	{ "003 size: 20M over Hub-Far's 10M: bounce 5.3.4",
	  .text = topo003, .self = "hub1", .size = 20 * M,
	  .rcpt = "user@far.compaq.test",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Hub,Far",
	  .conns = "Hub-Far", .cost = 50, .reason = "Hub-Far" },
	{ "003 size: exactly 10M passes",
	  .text = topo003, .self = "hub1", .size = 10 * M,
	  .rcpt = "user@far.compaq.test",
	  RELAY, .hosts = "far1", .transport = "smtp:[127.0.23.1]:25",
	  .path = "Hub,Far", .conns = "Hub-Far", .cost = 50, .hop = "Far" },
	{ "003 size: 10M + 1 bounces",
	  .text = topo003, .self = "hub2", .size = 10 * M + 1,
	  .rcpt = "user@far.compaq.test",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Hub,Far",
	  .conns = "Hub-Far", .cost = 50 },
	{ "003 size: the limit further on the path counts",
	  .text = topo003, .self = "spk3", .size = 20 * M,
	  .rcpt = "user@far.compaq.test",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Spoke,Hub,Far",
	  .conns = "Spoke-Hub,Hub-Far", .cost = 60 },
	{ "003 size: 0 (unknown) never bounces",
	  .text = topo003, .self = "spk3", .size = 0,
	  .rcpt = "user@far.compaq.test",
	  RELAY, .hosts = "hub1,hub2", .transport = HUB,
	  .path = "Spoke,Hub,Far", .conns = "Spoke-Hub,Hub-Far", .cost = 60,
	  .hop = "Hub" },
	{ "003 size: the limited link down: the live path has no limit",
	  .text = topo003, .self = "hub1", .size = 20 * M,
	  .down = { "Hub-Far" }, .rcpt = "user@far.compaq.test",
	  RELAY, .hosts = "spk1,spk2,spk3",
	  .transport = "smtp:[127.0.22.1]:25, [127.0.22.2]:25, "
	  "[127.0.22.3]:25", .path = "Hub,Spoke,Far",
	  .conns = "Hub-Spoke,Spoke-Far", .cost = 75, .hop = "Spoke" },
	{ "003 size: the outside connector's limit counts",
	  .text = topo003, .self = "spk1", .size = 60 * M,
	  .rcpt = "user@example.org",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Spoke,Hub",
	  .conns = "Spoke-Hub,Internet", .cost = 20, .reason = "Internet" },
	{ "003 size: at the point of failure too",
	  .text = topo003, .self = "hub1", .size = 60 * M,
	  .down = { "Internet" }, .rcpt = "user@example.org",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Hub",
	  .conns = "Internet", .cost = 10, .pof = 1 },
	{ "003 proximity: local group over remote at equal cost",
	  .text = topo003, .self = "spk3", .rcpt = "user@near.test",
	  RELAY, .hosts = "spk1", .transport = "smtp:[127.0.22.1]:25",
	  .path = "Spoke", .conns = "Y-Local", .cost = 11, .hop = "Spoke",
	  .tiebreak = "local group over remote" },
	{ "003 proximity: the remote one from elsewhere (cheaper)",
	  .text = topo003, .self = "far1", .rcpt = "user@near.test",
	  RELAY, .hosts = "hub1,hub2", .transport = HUB,
	  .path = "Far,Hub", .conns = "Far-Hub,B-Remote", .cost = 51,
	  .hop = "Hub" },
	{ "003 proximity: local server over local group",
	  .text = topo003, .self = "spk2", .rcpt = "user@partner.test",
	  RELAY, .hosts = "192.0.2.3", .transport = "smtp:[192.0.2.3]:25",
	  .path = "Spoke", .conns = "M-Group", .cost = 11,
	  .tiebreak = "local server over local group" },
	{ "003 proximity: local server over local group and remote",
	  .text = topo003, .self = "spk1", .rcpt = "user@partner.test",
	  RELAY, .hosts = "192.0.2.2", .transport = "smtp:[192.0.2.2]:25",
	  .path = "Spoke", .conns = "Z-Local", .cost = 11,
	  .tiebreak = "local server over local group" },
	{ "003 proximity: two in the local group: connector name",
	  .text = topo003, .self = "spk3", .rcpt = "user@partner.test",
	  RELAY, .hosts = "spk2", .transport = "smtp:[127.0.22.2]:25",
	  .path = "Spoke", .conns = "M-Group", .cost = 11, .hop = "Spoke",
	  .tiebreak = "connector name" },
	{ "003 proximity: the closest rival names the rule, any file order",
	  .text = topo003, .self = "spk3", .rcpt = "user@order.test",
	  RELAY, .hosts = "spk2", .transport = "smtp:[127.0.22.2]:25",
	  .path = "Spoke", .conns = "N-Group", .cost = 11, .hop = "Spoke",
	  .tiebreak = "connector name" },
	{ "003 names: equal everything: the lower connector name",
	  .text = topo003, .self = "spk3", .rcpt = "user@twin.test",
	  RELAY, .hosts = "spk1", .transport = "smtp:[127.0.22.1]:25",
	  .path = "Spoke", .conns = "X-Twin", .cost = 5, .hop = "Spoke",
	  .tiebreak = "connector name" },
	{ "003 names: equal everything at the source: X-Twin's smart host",
	  .text = topo003, .self = "spk1", .rcpt = "user@twin.test",
	  RELAY, .hosts = "192.0.2.7", .transport = "smtp:[192.0.2.7]:25",
	  .path = "Spoke", .conns = "X-Twin", .cost = 5,
	  .tiebreak = "connector name" },
	{ "003 names: from Hub, reach decides, not the name",
	  .text = topo003, .self = "hub1", .rcpt = "user@twin.test",
	  RELAY, .hosts = "spk1,spk2,spk3",
	  .transport = "smtp:[127.0.22.1]:25, [127.0.22.2]:25, "
	  "[127.0.22.3]:25", .path = "Hub,Spoke", .conns = "Hub-Spoke,X-Twin",
	  .cost = 15, .hop = "Spoke", .tiebreak = "connector name" },
	/* ---- sender restrictions ---- */
	{ "senders: allowed by *.domain on the path", DUB_BOS,
	  .edits = ALLOW_LNY, .sender = "Ann@Sales.Fabrikam.Test", VIA_LON },
	{ "senders: not in senders_allow: 5.7.1, the path it would take",
	  DUB_BOS, .edits = ALLOW_LNY, .sender = "ann@fabrikam.test", REFUSED,
	  .reason = "connector London-NewYork does not accept mail from "
	  "ann@fabrikam.test" },
	{ "senders: the full address, without case or +extension", DUB_BOS,
	  .edits = ALLOW_LNY, .sender = "Boss+news@Tailspin.TEST", VIA_LON },
	{ "senders: another user of the full address's domain", DUB_BOS,
	  .edits = ALLOW_LNY, .sender = "clerk@tailspin.test", REFUSED },
	{ "senders: a trailing dot in the sender's domain", DUB_BOS,
	  .edits = ALLOW_LNY, .sender = "ann@sales.fabrikam.test.", VIA_LON },
	{ "senders: senders_deny wins over senders_allow", DUB_BOS,
	  .edits = { SENDERS("Dublin-London", "senders_allow = *.fabrikam.test"
	  "\nsenders_deny = spam.fabrikam.test\n") },
	  .sender = "x@spam.fabrikam.test", REFUSED,
	  .reason = "connector Dublin-London does not accept" },
	{ "senders: senders_deny alone refuses only what it lists", DUB_BOS,
	  .edits = { SENDERS("Dublin-London", "senders_deny = "
	  "spam.fabrikam.test\n") }, .sender = "x@fabrikam.test", VIA_LON },
	{ "senders: the null sender is never refused", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  .sender = "", VIA_LON },
	{ "senders: <> is the null sender", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  .sender = "<>", VIA_LON },
	{ "senders: no sender known (route_decide) is never refused", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  VIA_LON },
	{ "senders: a sender without @ matches * only", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_allow = "
	  "fabrikam.test\n") }, .sender = "MAILER-DAEMON", REFUSED },
	{ "senders: a sender without @ and senders_deny = *", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  .sender = "postmaster", REFUSED },
	{ "senders: unprintable bytes are not in the reason", DUB_BOS,
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  .sender = "a\tb\001@x.test", REFUSED,
	  .reason = "does not accept mail from a?b?@x.test" },
	{ "senders: a connector off the path does not count", DUB_BOS,
	  .edits = { SENDERS("Copenhagen-NewYork", "senders_deny = *\n") },
	  .sender = "x@fabrikam.test", VIA_LON },
	{ "senders: the live path counts: via Copenhagen, refused",
	  .file = S2, .self = "dub-bh1", .down = { "London-NewYork" },
	  .edits = { SENDERS("Copenhagen-NewYork", "senders_deny = *\n") },
	  .sender = "x@fabrikam.test", .rcpt = "user@boston.contoso.test",
	  REFUSED, .path = "Dublin,London,Copenhagen,NewYork,Boston",
	  .conns = "Dublin-London,London-Copenhagen,Copenhagen-NewYork,"
	  "NewYork-Boston", .cost = 130,
	  .reason = "connector Copenhagen-NewYork" },
	{ "senders: at the point of failure too (refused, not deferred)",
	  .file = S2, .self = "lon-bh1",
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .edits = { SENDERS("London-NewYork", "senders_deny = *\n") },
	  .sender = "x@fabrikam.test", .rcpt = "user@boston.contoso.test",
	  REFUSED, .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30, .pof = 1 },
	{ "senders: an outside connector's senders_allow",
	  .file = S2, .self = "dub-bh1",
	  .edits = { SENDERS("Internet", "senders_allow = contoso.test, "
	  "*.contoso.test\n") }, .sender = "x@fabrikam.test",
	  .rcpt = "user@example.org", REFUSED, .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .reason = "connector Internet does not accept mail from "
	  "x@fabrikam.test" },
	{ "senders: the outside connector lets the organization out",
	  .file = S2, .self = "dub-bh1",
	  .edits = { SENDERS("Internet", "senders_allow = contoso.test, "
	  "*.contoso.test\n") }, .sender = "x@dublin.contoso.test",
	  .rcpt = "user@example.org", RELAY, .hosts = "lon-bh1,lon-bh2",
	  .transport = LON, .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .hop = "London" },
	{ "senders: a recipient hosted here crosses no connector",
	  .file = S2, .self = "bos-bh1",
	  .edits = { SENDERS("NewYork-Boston", "senders_deny = *\n") },
	  .sender = "x@fabrikam.test", .rcpt = "user@boston.contoso.test",
	  LOCAL, .reason = "hosted here" },
	{ "senders: size is checked first (5.3.4 over 5.7.1)",
	  .text = topo003, .self = "spk3", .size = 20 * M,
	  .edits = { { "max_size = 10M\n", "max_size = 10M\n"
	  "senders_deny = *\n" } }, .sender = "x@fabrikam.test",
	  .rcpt = "user@far.compaq.test",
	  .action = ROUTE_BOUNCE, .status = "5.3.4", .path = "Spoke,Hub,Far",
	  .conns = "Spoke-Hub,Hub-Far", .cost = 60 },
	/* ---- message classes ---- */
	{ "classes: defaults: every class takes the one least-cost path",
	  DUB_BOS, .prio = ROUTE_PRIO_LOW, .system = 1, VIA_LON },
	{ "classes: a high-only cheaper link: the default class avoids it",
	  DUB_BOS, EXPRESS, VIA_LON },
	{ "classes: a high-only cheaper link: high takes it",
	  EXPRESS, .prio = ROUTE_PRIO_HIGH, VIA_EXPRESS,
	  .reason = "mailbox server in group Boston" },
	{ "classes: a high-only cheaper link: a high system message too",
	  EXPRESS, .prio = ROUTE_PRIO_HIGH, .system = 1, VIA_EXPRESS },
	{ "classes: a high-only cheaper link: low avoids it", DUB_BOS,
	  EXPRESS, .prio = ROUTE_PRIO_LOW, VIA_LON },
	{ "classes: a high-only link, high but system messages refused",
	  DUB_BOS, EXPRESS, .edits = { { "priorities = high\n",
	  "priorities = high\nsystem_messages = no\n" } },
	  .prio = ROUTE_PRIO_HIGH, .system = 1, VIA_LON },
	{ "classes: the express link at New York: high goes on to Boston",
	  .file = S2, .self = "ny-bh1", EXPRESS, .prio = ROUTE_PRIO_HIGH,
	  .rcpt = "user@boston.contoso.test", RELAY, .hosts = "bos-bh1",
	  .transport = "smtp:[127.0.8.11]:25", .path = "NewYork,Boston",
	  .conns = "NewYork-Boston", .cost = 10, .hop = "Boston" },
	{ "classes: low excluded from the least-cost link: via Copenhagen",
	  .file = S2, .self = "dub-bh1", .prio = ROUTE_PRIO_LOW,
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  .rcpt = "user@boston.contoso.test", VIA_LON,
	  .path = "Dublin,London,Copenhagen,NewYork,Boston",
	  .conns = "Dublin-London,London-Copenhagen,Copenhagen-NewYork,"
	  "NewYork-Boston", .cost = 130 },
	{ "classes: low excluded: normal keeps the least-cost link", DUB_BOS,
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  VIA_LON },
	{ "classes: low excluded, at London: on to Copenhagen",
	  .file = S2, .self = "lon-bh1", .prio = ROUTE_PRIO_LOW,
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  .rcpt = "user@boston.contoso.test", RELAY,
	  .hosts = "cph-bh1,cph-bh2", .transport = CPH,
	  .path = "London,Copenhagen,NewYork,Boston",
	  .conns = "London-Copenhagen,Copenhagen-NewYork,NewYork-Boston",
	  .cost = 120, .hop = "Copenhagen" },
	{ "classes: system_messages = no on the only path: a normal message "
	  "relayed", DUB_BOS,
	  .edits = { CLASSES("NewYork-Boston", "system_messages = no\n") },
	  VIA_LON },
	{ "classes: system_messages = no on the only path: a system message "
	  "5.7.1", DUB_BOS, .system = 1,
	  .edits = { CLASSES("NewYork-Boston", "system_messages = no\n") },
	  REFUSED, .reason = "connector NewYork-Boston does not accept "
	  "system messages" },
	{ "classes: refused even with the sender and size allowed", DUB_BOS,
	  .system = 1, .sender = "", .size = 1,
	  .edits = { CLASSES("NewYork-Boston", "system_messages = no\n") },
	  REFUSED, .reason = "connector NewYork-Boston does not accept "
	  "system messages" },
	{ "classes: the only path is high-only: the default class 5.7.1",
	  DUB_BOS, .edits = { CLASSES("NewYork-Boston", "priorities = high\n") },
	  REFUSED, .reason = "connector NewYork-Boston does not accept "
	  "normal-priority messages" },
	{ "classes: the only path is high-only: high relayed", DUB_BOS,
	  .prio = ROUTE_PRIO_HIGH,
	  .edits = { CLASSES("NewYork-Boston", "priorities = high\n") },
	  VIA_LON },
	{ "classes: refused at the point of failure too (not deferred)",
	  .file = S2, .self = "lon-bh1", .system = 1,
	  .down = { "London-NewYork", "Copenhagen-NewYork" },
	  .edits = { CLASSES("NewYork-Boston", "system_messages = no\n") },
	  .rcpt = "user@boston.contoso.test", REFUSED,
	  .path = "London,NewYork,Boston",
	  .conns = "London-NewYork,NewYork-Boston", .cost = 30, .pof = 1 },
	{ "classes: the class's own path is down: toward the point of "
	  "failure", .file = S2, .self = "lon-bh1", .prio = ROUTE_PRIO_LOW,
	  .down = { "Copenhagen-NewYork" },
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  .rcpt = "user@boston.contoso.test", RELAY,
	  .hosts = "cph-bh1,cph-bh2", .transport = CPH,
	  .path = "London,Copenhagen,NewYork,Boston", .hop = "Copenhagen",
	  .conns = "London-Copenhagen,Copenhagen-NewYork,NewYork-Boston",
	  .cost = 120, .pof = 1 },
	{ "classes: the class's own path is down: held at Copenhagen",
	  .file = S2, .self = "cph-bh1", .prio = ROUTE_PRIO_LOW,
	  .down = { "Copenhagen-NewYork" },
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  .rcpt = "user@boston.contoso.test", DEFER,
	  .hosts = "ny-bh1,ny-bh2", .transport = HOLD_NY,
	  .path = "Copenhagen,NewYork,Boston", .hop = "NewYork",
	  .conns = "Copenhagen-NewYork,NewYork-Boston", .cost = 110, .pof = 1,
	  .reason = "Copenhagen-NewYork is down" },
	{ "classes: at Copenhagen the default class goes back via London",
	  .file = S2, .self = "cph-bh1", .down = { "Copenhagen-NewYork" },
	  .edits = { CLASSES("London-NewYork", "priorities = high, normal\n") },
	  .rcpt = "user@boston.contoso.test", VIA_LON,
	  .path = "Copenhagen,London,NewYork,Boston",
	  .conns = "Copenhagen-London,London-NewYork,NewYork-Boston",
	  .cost = 40 },
	{ "classes: a high-only outside connector: high takes it",
	  .file = S2, .self = "dub-bh1", .prio = ROUTE_PRIO_HIGH,
	  .append = "[connector Partner-High]\nfrom = Dublin\n"
	  "address_spaces = partner.test 1\npriorities = high\n"
	  "smart_hosts = [192.0.2.9]:25\n", .rcpt = "user@partner.test",
	  RELAY, .hosts = "192.0.2.9", .transport = "smtp:[192.0.2.9]:25",
	  .path = "Dublin", .conns = "Partner-High", .cost = 1 },
	{ "classes: a high-only outside connector is invisible to normal",
	  .file = S2, .self = "dub-bh1",
	  .append = "[connector Partner-High]\nfrom = Dublin\n"
	  "address_spaces = partner.test 1\npriorities = high\n"
	  "smart_hosts = [192.0.2.9]:25\n", .rcpt = "user@partner.test",
	  VIA_LON, .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40 },
	{ "classes: the only outside connector refuses system messages",
	  .file = S2, .self = "dub-bh1", .system = 1,
	  .edits = { CLASSES("Internet", "system_messages = no\n") },
	  .rcpt = "user@example.org", REFUSED, .path = "Dublin,London,NewYork",
	  .conns = "Dublin-London,London-NewYork,Internet", .cost = 40,
	  .reason = "connector Internet does not accept system messages" },
	{ "classes: a recipient hosted here crosses no connector",
	  .file = S2, .self = "bos-bh1", .system = 1,
	  .edits = { CLASSES("NewYork-Boston", "system_messages = no\n") },
	  .rcpt = "user@boston.contoso.test", LOCAL, .reason = "hosted here" },
	{ "003 cost: the least reach + address space cost wins",
	  .text = topo003, .self = "far1", .rcpt = "user@partner.test",
	  RELAY, .hosts = "hub1,hub2", .transport = HUB,
	  .path = "Far,Hub", .conns = "Far-Hub,A-Remote", .cost = 51,
	  .hop = "Hub" },
};

/* ---- the harness ---- */

/* read_seed - a seed file's text, found from the top or from build/ */
static char *
read_seed(const char *path)
{
	static const char *prefix[] = { "", "../../", "../../../" };
	char buf[512];
	FILE *fp = NULL;
	char *text;
	long n;

	for (size_t i = 0; fp == NULL && i < nitems(prefix); i++) {
		snprintf(buf, sizeof(buf), "%s%s", prefix[i], path);
		fp = fopen(buf, "r");
	}
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	return text;
}

/* apply_edit - replace the one occurrence of e->from */
static char *
apply_edit(char *text, const struct edit *e)
{
	char *at = strstr(text, e->from), *out;
	size_t lf = strlen(e->from), lt = strlen(e->to), n = strlen(text);

	if (at == NULL || strstr(at + 1, e->from) != NULL)
		fail_msg("edit: \"%s\" is not in the text exactly once",
		    e->from);
	out = malloc(n - lf + lt + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	memcpy(out + (at - text), e->to, lt);
	strcpy(out + (at - text) + lt, at + lf);
	free(text);
	return out;
}

/* case_topo - the row's topology, loaded; fails the test on errors */
static struct topology *
case_topo(const struct rcase *c)
{
	struct topology *t;
	struct diag d;
	char *text;

	text = c->file ? read_seed(c->file) : strdup(c->text);
	assert_non_null(text);
	if (c->append != NULL) {
		size_t n = strlen(text);

		text = realloc(text, n + strlen(c->append) + 2);
		assert_non_null(text);
		text[n] = '\n';
		strcpy(text + n + 1, c->append);
	}
	for (size_t i = 0; i < nitems(c->edits) && c->edits[i].from; i++)
		text = apply_edit(text, &c->edits[i]);
	diag_init(&d);
	t = topo_load_buf("case.conf", text, strlen(text), &d);
	if (t == NULL)
		diag_print(&d, stderr);
	diag_free(&d);
	free(text);
	assert_non_null(t);
	return t;
}

/* case_state - the row's link state */
static struct linkstate *
case_state(const struct topology *t, const struct rcase *c)
{
	struct linkstate *ls = linkstate_new(t);
	char err[256];

	ls->version = LSTV;
	for (size_t i = 0; i < nitems(c->down) && c->down[i]; i++)
		if (linkstate_parse_down(ls, t, c->down[i], LINKSTATE_DOWN, -1,
		    err, sizeof(err)) < 0)
			fail_msg("--down %s: %s", c->down[i], err);
	for (size_t i = 0; i < nitems(c->local) && c->local[i]; i++)
		if (linkstate_parse_down(ls, t, c->local[i], LINKSTATE_LOCAL,
		    topo_find_server(t, c->self), err, sizeof(err)) < 0)
			fail_msg("--local-down %s: %s", c->local[i], err);
	for (size_t i = 0; i < nitems(c->down_servers) &&
	    c->down_servers[i]; i++) {
		int s = topo_find_server(t, c->down_servers[i]);

		assert_true(s >= 0);
		linkstate_set_server(ls, s, 1);
	}
	return ls;
}

/* join - names joined by ",", for one comparison per list */
static void
join(char *buf, size_t len, int n, const char *(*name)(const void *, int),
    const void *arg)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "",
		    name(arg, i));
}

struct names {
	const struct topology		*t;
	const struct route_decision	*d;
};

static const char *
host_name(const void *arg, int i)
{
	return ((const struct names *)arg)->d->hosts[i].name;
}

static const char *
path_name(const void *arg, int i)
{
	const struct names *n = arg;

	return n->t->groups[n->d->path[i]].name;
}

static const char *
conn_name(const void *arg, int i)
{
	const struct names *n = arg;

	return n->t->connectors[n->d->connectors[i]].name;
}

/* check_decision - every field of d against the row */
static void
check_decision(const struct topology *t, const struct rcase *c,
    const struct route_decision *d)
{
	struct names nm = { t, d };
	char buf[1024];

	assert_string_equal(route_action_name(d->action),
	    route_action_name(c->action));
	assert_string_equal(d->status, c->status ? c->status : "");
	join(buf, sizeof(buf), d->nhosts, host_name, &nm);
	assert_string_equal(buf, c->hosts ? c->hosts : "");
	if (d->action == ROUTE_RELAY) {
		assert_non_null(d->transport);
		assert_string_equal(d->transport,
		    c->transport ? c->transport : "smtp:");
	}
	if (d->action == ROUTE_DEFER) {
		/* held at the point of failure: where it would go */
		assert_string_equal(d->transport ? d->transport : "",
		    c->transport ? c->transport : "");
	}
	join(buf, sizeof(buf), d->npath, path_name, &nm);
	assert_string_equal(buf, c->path ? c->path : "");
	join(buf, sizeof(buf), d->nconnectors, conn_name, &nm);
	assert_string_equal(buf, c->conns ? c->conns : "");
	assert_int_equal(d->cost, c->cost);
	assert_string_equal(d->hop_group >= 0 ?
	    t->groups[d->hop_group].name : "(none)",
	    c->hop ? c->hop : "(none)");
	assert_string_equal(d->tiebreak ? d->tiebreak : "(none)",
	    c->tiebreak ? c->tiebreak : "(none)");
	assert_int_equal(d->point_of_failure, c->pof);
	if (c->reason != NULL && strstr(d->reason, c->reason) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", d->reason, c->reason);
	if (c->self != NULL)
		assert_int_equal(d->lst_version, LSTV);
	/* a group never repeats on a path; the path starts here */
	for (int i = 0; i < d->npath; i++)
		for (int j = i + 1; j < d->npath; j++)
			assert_int_not_equal(d->path[i], d->path[j]);
	for (int i = 0; i < d->nhosts; i++)
		if (c->self != NULL)
			assert_string_not_equal(d->hosts[i].name, c->self);
}

/* run_case - one row: build everything, decide, check, free */
static void
run_case(void **state)
{
	const struct rcase *c = *state;
	struct topology *t = case_topo(c);
	struct linkstate *ls = case_state(t, c);
	struct route_index *ix = route_index_new(t);
	struct route_params p = { -1, c->direct, c->suppress, "smtp", "lsahold",
	    0 };
	struct route_class cls = { c->prio, c->system };
	struct route_table *rt;
	struct route_decision d;

	if (c->self != NULL) {
		p.self = topo_find_server(t, c->self);
		assert_true(p.self >= 0);
	}
	rt = route_table_new(t, ix, ls, &p);
	route_decision_init(&d);
	if (cls.priority != ROUTE_PRIO_NORMAL || cls.system) {
		route_decide_class(rt, c->sender, c->rcpt, c->size,
		    c->rotation, &cls, &d);
		check_decision(t, c, &d);
		goto out;
	}
	route_decide_sender(rt, c->sender, c->rcpt, c->size, c->rotation, &d);
	check_decision(t, c, &d);
	/* the same question again on the reused decision: the same answer */
	route_decide_sender(rt, c->sender, c->rcpt, c->size, c->rotation, &d);
	check_decision(t, c, &d);
	/* the default class, given or NULL, is the class-less answer */
	route_decide_class(rt, c->sender, c->rcpt, c->size, c->rotation, &cls,
	    &d);
	check_decision(t, c, &d);
	route_decide_class(rt, c->sender, c->rcpt, c->size, c->rotation, NULL,
	    &d);
	check_decision(t, c, &d);
	if (c->sender == NULL) {
		/* route_decide is the same with no sender known */
		route_decide(rt, c->rcpt, c->size, c->rotation, &d);
		check_decision(t, c, &d);
	}
out:
	route_decision_free(&d);
	route_table_free(rt);
	route_index_free(ix);
	linkstate_free(ls);
	topo_free(t);
}

/* ---- route_recipient_domain ---- */

struct dcase {
	const char	*name;
	const char	*in;
	const char	*want;		/* NULL: -1 */
};

static const struct dcase domain_cases[] = {
	{ "domain: plain", "user@b.test", "b.test" },
	{ "domain: lowercased", "Mixed.Case+ext@B.Test", "b.test" },
	{ "domain: trailing dot dropped", "user@b.test.", "b.test" },
	{ "domain: last @", "\"a@x.test\"@y.test", "y.test" },
	{ "domain: single label", "postmaster@localhost", "localhost" },
	{ "domain: digits and hyphens", "u@a-1.b2.test", "a-1.b2.test" },
	{ "domain: no @", "user", NULL },
	{ "domain: empty", "", NULL },
	{ "domain: nothing after @", "user@", NULL },
	{ "domain: only a dot", "user@.", NULL },
	{ "domain: two trailing dots", "user@b.test..", NULL },
	{ "domain: leading dot", "user@.b.test", NULL },
	{ "domain: empty label", "user@b..test", NULL },
	{ "domain: space", "user@b test", NULL },
	{ "domain: bracketed literal", "user@[192.0.2.1]", NULL },
};

static void
run_domain(void **state)
{
	const struct dcase *c = *state;
	char buf[ADDRSPACE_MAX_DOMAIN + 1];

	memset(buf, 'x', sizeof(buf));
	if (c->want == NULL) {
		assert_int_equal(route_recipient_domain(c->in, buf,
		    sizeof(buf)), -1);
		return;
	}
	assert_int_equal(route_recipient_domain(c->in, buf, sizeof(buf)), 0);
	assert_string_equal(buf, c->want);
}

/* the longest domain fits; one more character or a short buffer: -1 */
static void
test_domain_lengths(void **state)
{
	char addr[400], buf[ADDRSPACE_MAX_DOMAIN + 1], small[8];
	size_t n;

	(void)state;
	strcpy(addr, "u@");
	n = 2;
	while (n - 2 + 64 <= ADDRSPACE_MAX_DOMAIN) {
		memset(addr + n, 'a', 63);
		addr[n + 63] = '.';
		n += 64;
	}
	memset(addr + n, 'b', ADDRSPACE_MAX_DOMAIN - (n - 2));
	n = 2 + ADDRSPACE_MAX_DOMAIN;
	addr[n] = '\0';
	assert_int_equal(route_recipient_domain(addr, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), ADDRSPACE_MAX_DOMAIN);
	addr[n] = 'b';
	addr[n + 1] = '\0';
	assert_int_equal(route_recipient_domain(addr, buf, sizeof(buf)), -1);
	assert_int_equal(route_recipient_domain("u@b.test", small,
	    sizeof(small)), 0);
	assert_string_equal(small, "b.test");
	assert_int_equal(route_recipient_domain("u@bbb.test", small,
	    sizeof(small)), -1);
}

/* ---- whole scenarios over several decisions ---- */

struct env {
	struct topology		*t;
	struct linkstate	*ls;
	struct route_index	*ix;
};

static void
env_load(struct env *e, const char *file)
{
	struct rcase c = { .file = file };

	e->t = case_topo(&c);
	e->ls = linkstate_new(e->t);
	e->ix = route_index_new(e->t);
}

static void
env_free(struct env *e)
{
	route_index_free(e->ix);
	linkstate_free(e->ls);
	topo_free(e->t);
}

static struct route_table *
env_table(struct env *e, const char *self, int direct, int suppress)
{
	struct route_params p = { topo_find_server(e->t, self), direct,
	    suppress, NULL, NULL, 0 };

	assert_true(p.self >= 0);
	return route_table_new(e->t, e->ix, e->ls, &p);
}

/*
 * Seed 002: London-NewYork goes down, Dublin's mail to Boston takes
 * Copenhagen (130); the link comes back, a fresh table takes New York
 * again (40). The table borrows the link state: it is rebuilt on change.
 */
static void
test_002_link_returns(void **state)
{
	struct route_decision d;
	struct route_table *rt;
	struct env e;
	int c;

	(void)state;
	env_load(&e, S2);
	c = topo_find_connector(e.t, "London-NewYork");
	route_decision_init(&d);

	rt = env_table(&e, "dub-bh1", 0, 0);
	route_decide(rt, "user@boston.contoso.test", 0, 0, &d);
	assert_int_equal(d.cost, 40);
	assert_int_equal(d.npath, 4);
	route_table_free(rt);

	assert_int_equal(linkstate_set_connector(e.ls, e.t, c, -1, 1), 0);
	e.ls->version = 2;
	rt = env_table(&e, "dub-bh1", 0, 0);
	route_decide(rt, "user@boston.contoso.test", 0, 0, &d);
	assert_int_equal(d.action, ROUTE_RELAY);
	assert_int_equal(d.cost, 130);
	assert_int_equal(d.npath, 5);
	assert_string_equal(e.t->groups[d.path[2]].name, "Copenhagen");
	assert_int_equal(d.lst_version, 2);
	route_table_free(rt);

	assert_int_equal(linkstate_set_connector(e.ls, e.t, c, -1, 0), 0);
	e.ls->version = 3;
	rt = env_table(&e, "dub-bh1", 0, 0);
	route_decide(rt, "user@boston.contoso.test", 0, 0, &d);
	assert_int_equal(d.action, ROUTE_RELAY);
	assert_int_equal(d.cost, 40);
	assert_int_equal(d.npath, 4);
	assert_string_equal(e.t->groups[d.path[2]].name, "NewYork");
	assert_int_equal(d.point_of_failure, 0);
	assert_int_equal(d.lst_version, 3);
	route_table_free(rt);

	route_decision_free(&d);
	env_free(&e);
}

/*
 * One decision reused across answers of every shape, long then short:
 * nothing of an earlier answer survives into a later one.
 */
static void
test_decision_reuse(void **state)
{
	static const struct {
		const char	*rcpt;
		uint64_t	 size;
		enum route_action action;
		int		 nhosts, npath, nconn;
	} seq[] = {
		{ "u@boston.contoso.test", 0, ROUTE_RELAY, 2, 4, 3 },
		{ "u@dublin.contoso.test", 0, ROUTE_LOCAL, 0, 0, 0 },
		{ "u@example.org", 0, ROUTE_RELAY, 2, 3, 3 },
		{ "nodomain", 0, ROUTE_DEFAULT, 0, 0, 0 },
		{ "u@boston.contoso.test", 1, ROUTE_RELAY, 2, 4, 3 },
		{ "u@london.contoso.test", 0, ROUTE_RELAY, 2, 2, 1 },
		{ "u@sanfrancisco.contoso.test", 0, ROUTE_RELAY, 2, 4, 3 },
		{ "u@dublin.contoso.test", 0, ROUTE_LOCAL, 0, 0, 0 },
	};
	struct route_decision d;
	struct route_table *rt;
	struct env e;

	(void)state;
	env_load(&e, S2);
	rt = env_table(&e, "dub-bh1", 0, 0);
	route_decision_init(&d);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < nitems(seq); i++) {
			route_decide(rt, seq[i].rcpt, seq[i].size,
			    (unsigned)round, &d);
			assert_int_equal(d.action, seq[i].action);
			assert_int_equal(d.nhosts, seq[i].nhosts);
			assert_int_equal(d.npath, seq[i].npath);
			assert_int_equal(d.nconnectors, seq[i].nconn);
			assert_null(d.tiebreak);
			assert_int_equal(d.point_of_failure, 0);
			if (d.action != ROUTE_RELAY)
				assert_int_equal(d.hop_group, -1);
			if (d.action == ROUTE_LOCAL)
				assert_int_equal(d.cost, 0);
		}
	route_decision_free(&d);
	route_table_free(rt);
	env_free(&e);
}

/* the transport name is the caller's; NULL means "smtp" */
static void
test_transport_name(void **state)
{
	struct route_params p;
	struct route_decision d;
	struct route_table *rt;
	struct env e;

	(void)state;
	env_load(&e, S4);
	memset(&p, 0, sizeof(p));
	p.self = topo_find_server(e.t, "C");
	p.transport = "lsa-relay";
	rt = route_table_new(e.t, e.ix, e.ls, &p);
	route_decision_init(&d);
	route_decide(rt, "u@site4.fabrikam.test", 0, 1, &d);
	assert_string_equal(d.transport, "lsa-relay:[127.0.14.2]:25, "
	    "[127.0.14.3]:25, [127.0.14.1]:25");
	route_decide(rt, "u@site1.fabrikam.test", 0, 0, &d);
	assert_string_equal(d.transport, "lsa-relay:[127.0.11.1]:25, "
	    "[127.0.11.2]:25");
	route_table_free(rt);
	p.transport = NULL;
	rt = route_table_new(e.t, e.ix, e.ls, &p);
	route_decide(rt, "u@site1.fabrikam.test", 0, 0, &d);
	assert_string_equal(d.transport, "smtp:[127.0.11.1]:25, "
	    "[127.0.11.2]:25");
	route_decision_free(&d);
	route_table_free(rt);
	env_free(&e);
}

/*
 * Determinism: two tables built apart from the same inputs answer every
 * recipient the same way, from every server, in every mode.
 */
static void
test_deterministic(void **state)
{
	static const char *rcpts[] = {
		"u@boston.contoso.test", "u@example.org",
		"u@leeds.uk.contoso.test", "u@stockholm.contoso.test",
		"u@sanfrancisco.contoso.test", "u@dublin.contoso.test",
	};
	struct route_decision a, b;
	struct env e;

	(void)state;
	env_load(&e, S2);
	linkstate_parse_down(e.ls, e.t, "London-NewYork", LINKSTATE_DOWN, -1,
	    (char[64]){ 0 },
	    64);
	route_decision_init(&a);
	route_decision_init(&b);
	for (int s = 0; s < e.t->nservers; s++)
		for (int mode = 0; mode < 4; mode++) {
			const char *self = e.t->servers[s].name;
			struct route_table *r1 = env_table(&e, self, mode & 1,
			    mode >> 1);
			struct route_table *r2 = env_table(&e, self, mode & 1,
			    mode >> 1);

			for (size_t i = 0; i < nitems(rcpts); i++) {
				route_decide(r1, rcpts[i], 0, 5, &a);
				route_decide(r2, rcpts[i], 0, 5, &b);
				assert_int_equal(a.action, b.action);
				assert_int_equal(a.cost, b.cost);
				assert_int_equal(a.npath, b.npath);
				assert_memory_equal(a.path, b.path,
				    sizeof(int) * (size_t)a.npath);
				assert_int_equal(a.nhosts, b.nhosts);
				for (int h = 0; h < a.nhosts; h++)
					assert_string_equal(a.hosts[h].name,
					    b.hosts[h].name);
				assert_string_equal(a.reason, b.reason);
			}
			route_table_free(r1);
			route_table_free(r2);
		}
	route_decision_free(&a);
	route_decision_free(&b);
	env_free(&e);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_domain_lengths),
	cmocka_unit_test(test_002_link_returns),
	cmocka_unit_test(test_decision_reuse),
	cmocka_unit_test(test_transport_name),
	cmocka_unit_test(test_deterministic),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(cases) + nitems(domain_cases) +
	    nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_case, cases);
	n = ADD_TABLE(tests, n, run_domain, domain_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_route: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
