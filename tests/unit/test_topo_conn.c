/*
 * test_topo_conn.c - shared/topo_conn.c and the readers of generated
 * names: `bidirectional = yes` (the reverse connector NAME~reverse, its
 * keys, its errors, its printing), `max_connections` (the Postfix
 * transport name, its collisions, the routing answer that names it),
 * and the generated name through topo_find_connector, lsactl --down
 * (linkstate_parse_down) and the snapshot (connectors_down).
 *
 *   - a table of bad texts with the exact FILE:LINE: KEY: TEXT wanted;
 *   - a table of names for topo_valid_connector_name();
 *   - the model of a bidirectional connector, field by field;
 *   - printing: two connectors shown, the output loads to the same model;
 *   - route answers over a limited connector name its transport, in
 *     both directions, only from a source server.
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
#include "snapshot.h"
#include "topology.h"

/* lines 1..17; a case's own text starts on line 18 */
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
	"address = 10.0.1.1\n"	/* 14 */ \
	"[server b2]\n"		/* 15 */ \
	"group = B\n"		/* 16 */ \
	"address = 10.0.1.2\n"	/* 17 */ \

/* AB both ways, limited to 2, with every kind of key set */
#define BIDI \
	BASE \
	"[connector AB]\n"			/* 18 */ \
	"from = A\n" \
	"to = B\n" \
	"cost = 7\n" \
	"sources = a2\n" \
	"targets = b1\n" \
	"max_size = 10M\n" \
	"scope = group\n" \
	"senders_allow = example.com\n" \
	"senders_deny = boss@example.com\n" \
	"priorities = high\n" \
	"system_messages = no\n" \
	"bidirectional = yes\n" \
	"max_connections = 2\n" \
	"[server a3]\n" \
	"group = A\n" \
	"address = 10.0.0.3\n" \
	"mailboxes = a.example\n" \
	"[server b3]\n" \
	"group = B\n" \
	"address = 10.0.1.3\n" \
	"mailboxes = b.example\n"

#define N56	"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
#define N57	N56 "n"

struct bad_case {
	const char	*name;
	const char	*text;
	const char	*want;
};

static const struct bad_case bad_cases[] = {
	{ "bidirectional: on a connector to the outside", BASE
	  "[connector out]\nfrom = A\naddress_spaces = *\n"
	  "bidirectional = yes\n",
	  "t.conf:21: bidirectional: a connector to the outside has one "
	  "direction (bidirectional takes a group connector)" },
	{ "bidirectional: not a boolean", BASE
	  "[connector c]\nfrom = A\nto = B\nbidirectional = both\n",
	  "t.conf:21: bidirectional: " },
	{ "bidirectional: given twice", BASE
	  "[connector c]\nfrom = A\nto = B\nbidirectional = yes\n"
	  "bidirectional = yes\n",
	  "t.conf:22: bidirectional: given twice in [connector c]" },
	{ "bidirectional: name too long for its reverse", BASE
	  "[connector " N57 "]\nfrom = A\nto = B\nbidirectional = yes\n",
	  "t.conf:21: bidirectional: name \"" N57 "\" too long for its "
	  "reverse \"" N57 "~reverse\" (at most 56 characters)" },
	{ "bidirectional: a written name with '~'", BASE
	  "[connector c~reverse]\nfrom = A\nto = B\n",
	  "t.conf:18: bad connector name \"c~reverse\"" },
	{ "max_connections: over the limit", BASE
	  "[connector c]\nfrom = A\nto = B\nmax_connections = 1001\n",
	  "t.conf:21: max_connections: " },
	{ "max_connections: negative", BASE
	  "[connector c]\nfrom = A\nto = B\nmax_connections = -1\n",
	  "t.conf:21: max_connections: " },
	{ "max_connections: two connectors, one transport", BASE
	  "[connector c]\nfrom = A\nto = B\nbidirectional = yes\n"
	  "max_connections = 1\n"
	  "[connector c-reverse]\nfrom = A\nto = B\nmax_connections = 3\n",
	  "t.conf:18: max_connections: connector \"c~reverse\" would share "
	  "the Postfix transport \"lsa-c-reverse\" with connector "
	  "\"c-reverse\" (line 23); rename one" },
};

/* run_bad - the text does not load, and the error is the one wanted */
static void
run_bad(void **state)
{
	const struct bad_case *c = *state;
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load_buf("t.conf", c->text, strlen(c->text), &d);
	if (t != NULL || !diag_contains(&d, c->want))
		diag_print(&d, stdout);
	assert_null(t);
	assert_true(diag_contains(&d, c->want));
	diag_free(&d);
}

struct name_case {
	const char	*name;
	const char	*in;
	int		 want;
};

static const struct name_case name_cases[] = {
	{ "name: written", "London-NewYork", 1 },
	{ "name: reverse", "London-NewYork~reverse", 1 },
	{ "name: reverse of the longest base", N56 "~reverse", 1 },
	{ "name: reverse of a base too long", N57 "~reverse", 0 },
	{ "name: suffix alone", "~reverse", 0 },
	{ "name: another suffix", "a~forward", 0 },
	{ "name: suffix twice", "a~reverse~reverse", 0 },
	{ "name: '~' in the middle", "a~reverseb", 0 },
	{ "name: empty", "", 0 },
	{ "name: colon", "a:b~reverse", 0 },
};

/* run_name - topo_valid_connector_name */
static void
run_name(void **state)
{
	const struct name_case *c = *state;

	assert_int_equal(topo_valid_connector_name(c->in), c->want);
}

/* load - a text that must load */
static struct topology *
load(const char *text)
{
	struct topology *t;
	struct diag d;

	diag_init(&d);
	t = topo_load_buf("t.conf", text, strlen(text), &d);
	if (t == NULL)
		diag_print(&d, stdout);
	assert_non_null(t);
	diag_free(&d);
	return t;
}

/* srv - the server name of list element i */
static const char *
srv(const struct topology *t, const struct topo_list *l, int i)
{
	assert_in_range(i, 0, l->n - 1);
	return t->servers[l->v[i]].name;
}

/* test_reverse_model - NAME~reverse: swapped ends, every key copied */
static void
test_reverse_model(void **state)
{
	struct topology *t = load(BIDI);
	int f = topo_find_connector(t, "AB");
	int r = topo_find_connector(t, "AB~reverse");
	const struct topo_connector *cf, *cr;
	char tr[TOPO_TRANSPORT_MAX];

	(void)state;
	assert_int_equal(t->nconnectors, 2);
	assert_true(f >= 0 && r >= 0 && f != r);
	cf = &t->connectors[f];
	cr = &t->connectors[r];
	assert_int_equal(cf->reverse, r);
	assert_int_equal(cf->reverse_of, -1);
	assert_int_equal(cr->reverse_of, f);
	assert_int_equal(cr->reverse, -1);
	assert_true(cf->bidirectional);
	assert_false(cr->bidirectional);
	assert_string_equal(t->groups[cr->from].name, "B");
	assert_string_equal(t->groups[cr->to].name, "A");
	assert_int_equal(cr->sources.n, 1);
	assert_string_equal(srv(t, &cr->sources, 0), "b1");
	assert_int_equal(cr->targets.n, 1);
	assert_string_equal(srv(t, &cr->targets, 0), "a2");
	assert_int_equal(cr->cost, 7);
	assert_int_equal(cr->max_size, 10 * 1024 * 1024);
	assert_int_equal(cr->scope, TOPO_SCOPE_GROUP);
	assert_int_equal(cr->nallow, 1);
	assert_string_equal(cr->senders_allow[0].pattern, "example.com");
	assert_int_equal(cr->ndeny, 1);
	assert_string_equal(cr->senders_deny[0].local, "boss");
	assert_ptr_not_equal(cr->senders_deny, cf->senders_deny);
	assert_int_equal(cr->priorities, 1u << TOPO_PRIO_HIGH);
	assert_false(cr->system_messages);
	assert_int_equal(cr->max_connections, 2);
	assert_int_equal(cr->line, cf->line);
	/* the reverse leaves B: it is in B's outgoing connectors */
	assert_true(topo_list_has(&t->groups[topo_find_group(t, "B")].out, r));
	assert_false(topo_list_has(&t->groups[topo_find_group(t, "A")].out,
	    r));
	assert_int_equal(topo_conn_transport(cf, tr, sizeof(tr)), 0);
	assert_string_equal(tr, "lsa-AB");
	assert_int_equal(topo_conn_transport(cr, tr, sizeof(tr)), 0);
	assert_string_equal(tr, "lsa-AB-reverse");
	assert_int_equal(topo_conn_transport(cr, tr, 14), -1);
	topo_free(t);
}

/* test_defaults - neither key: one connector, unlimited */
static void
test_defaults(void **state)
{
	struct topology *t = load(BASE "[connector c]\nfrom = A\nto = B\n");
	char tr[TOPO_TRANSPORT_MAX];

	(void)state;
	assert_int_equal(t->nconnectors, 1);
	assert_false(t->connectors[0].bidirectional);
	assert_int_equal(t->connectors[0].reverse, -1);
	assert_int_equal(t->connectors[0].reverse_of, -1);
	assert_int_equal(t->connectors[0].max_connections, 0);
	assert_int_equal(topo_conn_transport(&t->connectors[0], tr,
	    sizeof(tr)), -1);
	assert_int_equal(topo_find_connector(t, "c~reverse"), -1);
	topo_free(t);
}

/* print - topo_print into a string */
static char *
print(const struct topology *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	topo_print(t, fp);
	fclose(fp);
	return buf;
}

/* test_print - two connectors shown; the output loads to the same model */
static void
test_print(void **state)
{
	struct topology *t = load(BIDI), *t2;
	char *a, *b;

	(void)state;
	a = print(t);
	assert_non_null(strstr(a, "[connector AB]\n"));
	assert_non_null(strstr(a, "bidirectional = yes\nmax_connections = 2\n"
	    "; Postfix transport: lsa-AB (master.cf maxproc 2)\n"));
	assert_non_null(strstr(a, "\n; [connector AB~reverse]\n; from = B\n"
	    "; to = A\n; cost = 7\n; sources = b1\n; targets = a2\n"));
	assert_non_null(strstr(a, "; max_connections = 2\n; ; Postfix "
	    "transport: lsa-AB-reverse"));
	/* printed again, the text is the same: written defaults aside */
	t2 = load(a);
	assert_int_equal(t2->nconnectors, 2);
	b = print(t2);
	topo_free(t);
	t = load(b);
	free(a);
	a = print(t);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "\n; [connector AB~reverse]\n"));
	free(a);
	free(b);
	topo_free(t);
	topo_free(t2);
}

/* test_parse_down - lsactl --down NAME~reverse[@SOURCE] */
static void
test_parse_down(void **state)
{
	struct topology *t = load(BIDI);
	struct linkstate *ls = linkstate_new(t);
	int f = topo_find_connector(t, "AB"), r = topo_find_connector(t,
	    "AB~reverse");
	char err[256];

	(void)state;
	assert_int_equal(linkstate_parse_down(ls, t, "AB~reverse@b1",
	    LINKSTATE_DOWN, -1, err, sizeof(err)), 0);
	assert_int_equal(ls->source_down[r][0], LINKSTATE_DOWN);
	assert_int_equal(ls->source_down[f][0], LINKSTATE_UP);
	/* a1 is no source of the reverse (b1 is) */
	assert_int_equal(linkstate_parse_down(ls, t, "AB~reverse@a2",
	    LINKSTATE_DOWN, -1, err, sizeof(err)), -1);
	linkstate_free(ls);
	topo_free(t);
}

/* test_snapshot - connectors_down names the reverse; each its own state */
static void
test_snapshot(void **state)
{
	struct topology *t = load(BIDI);
	struct linkstate *ls = linkstate_new(t);
	int r = topo_find_connector(t, "AB~reverse");
	struct snapshot *s;
	struct diag d;
	char *json;

	(void)state;
	assert_int_equal(linkstate_set_connector(ls, t, r, -1,
	    LINKSTATE_DOWN), 0);
	json = snapshot_encode(9, BIDI, t, ls);
	assert_non_null(strstr(json, "\"AB~reverse\""));
	diag_init(&d);
	s = snapshot_parse("s.json", json, strlen(json), &d);
	if (s == NULL)
		diag_print(&d, stdout);
	assert_non_null(s);
	assert_int_equal(s->ls->source_down[topo_find_connector(s->topo,
	    "AB~reverse")][0], LINKSTATE_DOWN);
	assert_int_equal(s->ls->source_down[topo_find_connector(s->topo,
	    "AB")][0], LINKSTATE_UP);
	snapshot_free(s);
	diag_free(&d);
	free(json);
	linkstate_free(ls);
	topo_free(t);
}

struct hop_case {
	const char	*name;
	const char	*self;
	const char	*rcpt;
	const char	*want;		/* the transport answer */
};

/* scope = group in BIDI: the other group's servers do not see AB */
#define LIMITED \
	BASE \
	"[connector AB]\nfrom = A\nto = B\nsources = a2\ntargets = b1\n" \
	"bidirectional = yes\nmax_connections = 2\n" \
	"[server a3]\ngroup = A\naddress = 10.0.0.3\nmailboxes = a.example\n" \
	"[server b3]\ngroup = B\naddress = 10.0.1.3\nmailboxes = b.example\n"

static const struct hop_case hop_cases[] = {
	{ "hop: a source, over the connector", "a2", "x@b.example",
	  "lsa-AB:[10.0.1.1]:25" },
	{ "hop: the reverse's source, over the reverse", "b1", "x@a.example",
	  "lsa-AB-reverse:[10.0.0.2]:25" },
	{ "hop: not a source, to the source in its group", "a1",
	  "x@b.example", "smtp:[10.0.0.2]:25" },
	{ "hop: inside the destination group", "b1", "x@b.example",
	  "smtp:[10.0.1.3]:25" },
};

/* run_hop - the transport answer for one server and recipient */
static void
run_hop(void **state)
{
	const struct hop_case *c = *state;
	struct topology *t = load(LIMITED);
	struct route_index *ix = route_index_new(t);
	struct linkstate *ls = linkstate_new(t);
	struct route_params p = { .self = topo_find_server(t, c->self),
	    .transport = "smtp", .hold_transport = "lsahold" };
	struct route_table *rt = route_table_new(t, ix, ls, &p);
	struct route_decision d;

	route_decision_init(&d);
	route_decide(rt, c->rcpt, 0, 0, &d);
	assert_int_equal(d.action, ROUTE_RELAY);
	assert_string_equal(d.transport, c->want);
	route_decision_free(&d);
	route_table_free(rt);
	linkstate_free(ls);
	route_index_free(ix);
	topo_free(t);
}

/* test_hold_unchanged - mail held at the point of failure: hold transport */
static void
test_hold_unchanged(void **state)
{
	struct topology *t = load(LIMITED);
	struct route_index *ix = route_index_new(t);
	struct linkstate *ls = linkstate_new(t);
	struct route_params p = { .self = topo_find_server(t, "a2"),
	    .transport = "smtp", .hold_transport = "lsahold" };
	struct route_table *rt;
	struct route_decision d;

	(void)state;
	assert_int_equal(linkstate_set_connector(ls, t, topo_find_connector(t,
	    "AB"), -1, LINKSTATE_DOWN), 0);
	rt = route_table_new(t, ix, ls, &p);
	route_decision_init(&d);
	route_decide(rt, "x@b.example", 0, 0, &d);
	assert_int_equal(d.action, ROUTE_DEFER);
	assert_string_equal(d.transport, "lsahold:[10.0.1.1]:25");
	route_decision_free(&d);
	route_table_free(rt);
	/* the reverse keeps its own state: still up */
	p.self = topo_find_server(t, "b1");
	rt = route_table_new(t, ix, ls, &p);
	route_decision_init(&d);
	route_decide(rt, "x@a.example", 0, 0, &d);
	assert_int_equal(d.action, ROUTE_RELAY);
	route_decision_free(&d);
	route_table_free(rt);
	linkstate_free(ls);
	route_index_free(ix);
	topo_free(t);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_reverse_model),
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_print),
	cmocka_unit_test(test_parse_down),
	cmocka_unit_test(test_snapshot),
	cmocka_unit_test(test_hold_unchanged),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(bad_cases) + nitems(name_cases) +
	    nitems(hop_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_bad, bad_cases);
	n = ADD_TABLE(tests, n, run_name, name_cases);
	n = ADD_TABLE(tests, n, run_hop, hop_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return _cmocka_run_group_tests("test_topo_conn", tests, n, NULL,
	    NULL);
}
