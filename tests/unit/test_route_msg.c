/*
 * test_route_msg.c - shared/route_msg.c: whole-message next hops, on seed
 * 002 seen from dub-bh1 with a cheap Dublin -> New York connector for
 * high priority only. A high-priority message whose recipients all go
 * over it is steered (FILTER with the express next hop, without spaces);
 * a normal one, or a high one with a recipient whose class route is
 * another (London: the recipients disagree), or with a recipient the
 * class cannot relay, is left to transport_maps; recipients that all
 * take the default route anyway are left alone too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tabletest.h"

#include "inifile.h"
#include "route_index.h"
#include "route_msg.h"
#include "xmalloc.h"

#define EXPRESS	"\n[connector Dublin-NewYork-Express]\nfrom = Dublin\n" \
	"to = NewYork\ncost = 5\npriorities = high\n"
#define NY_HOPS	"smtp:[127.0.7.11]:25,[127.0.7.12]:25"	/* ny-bh1, ny-bh2 */

static struct env *env;		/* the group's, from setup */

struct env {
	struct topology		*t;
	struct route_index	*ix;
	struct linkstate	*ls;
	struct route_table	*rt;
	struct route_decision	 d;
};

static int
setup(void **state)
{
	struct env *e = xcalloc(1, sizeof(*e));
	struct route_params p = { -1, 0, 0, "smtp", "lsahold", 0 };
	struct diag dg;
	size_t len;
	char *text, *all;

	diag_init(&dg);
	text = inifile_slurp("tests/topologies/seed002.conf", &len, &dg);
	assert_non_null(text);
	all = xasprintf("%s%s", text, EXPRESS);
	e->t = topo_load_buf("seed002+express", all, strlen(all), &dg);
	if (e->t == NULL)
		diag_print(&dg, stderr);
	assert_non_null(e->t);
	diag_free(&dg);
	free(text);
	free(all);
	p.self = topo_find_server(e->t, "dub-bh1");
	e->ix = route_index_new(e->t);
	e->ls = linkstate_new(e->t);
	e->rt = route_table_new(e->t, e->ix, e->ls, &p);
	route_decision_init(&e->d);
	(void)state;	/* the rows are the tests' states */
	env = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = env;

	(void)state;
	route_decision_free(&e->d);
	route_table_free(e->rt);
	linkstate_free(e->ls);
	route_index_free(e->ix);
	topo_free(e->t);
	free(e);
	return 0;
}

struct mcase {
	const char	*name;
	enum route_priority prio;
	int		 system;
	const char	*rcpts[4];
	const char	*want;		/* NULL: left to transport_maps */
};

static const struct mcase mcases[] = {
	{ "high, every recipient in Boston: the express next hop",
	  ROUTE_PRIO_HIGH, 0, { "a@boston.contoso.test",
	  "b@boston.contoso.test" }, NY_HOPS },
	{ "high, Boston and New York: both behind the express link",
	  ROUTE_PRIO_HIGH, 0, { "a@boston.contoso.test",
	  "b@newyork.contoso.test" }, NY_HOPS },
	{ "high system message: the express link admits it too",
	  ROUTE_PRIO_HIGH, 1, { "a@boston.contoso.test" }, NY_HOPS },
	{ "normal: the default route, nothing to steer",
	  ROUTE_PRIO_NORMAL, 0, { "a@boston.contoso.test" }, NULL },
	{ "low: avoids the express link like the default class",
	  ROUTE_PRIO_LOW, 0, { "a@boston.contoso.test" }, NULL },
	{ "high, Boston and London: the recipients disagree",
	  ROUTE_PRIO_HIGH, 0, { "a@boston.contoso.test",
	  "b@london.contoso.test" }, NULL },
	{ "high, London only: the class route is the default one",
	  ROUTE_PRIO_HIGH, 0, { "b@london.contoso.test" }, NULL },
	{ "high, a recipient nobody serves: not relayed, left alone",
	  ROUTE_PRIO_HIGH, 0, { "a@boston.contoso.test",
	  "x@nowhere.contoso.test" }, NULL },
	{ "high, a local recipient (Dublin): not relayed, left alone",
	  ROUTE_PRIO_HIGH, 0, { "a@dublin.contoso.test" }, NULL },
};

static void
run_mcase(void **state)
{
	const struct mcase *c = *state;
	struct env *e = env;
	struct route_class cls = { c->prio, c->system };
	char out[512];
	int n = 0, rc;

	while (n < 4 && c->rcpts[n] != NULL)
		n++;
	rc = route_msg_filter(e->rt, "s@dublin.contoso.test", c->rcpts, n,
	    1000, &cls, &e->d, out, sizeof(out));
	if (c->want == NULL) {
		assert_int_equal(rc, 0);
		assert_string_equal(out, "");
	} else {
		assert_int_equal(rc, 1);
		assert_string_equal(out, c->want);
	}
}

/* no class, or no room for the string: left to transport_maps */
static void
test_edges(void **state)
{
	struct env *e = env;
	static const char *const r[] = { "a@boston.contoso.test" };
	struct route_class high = { ROUTE_PRIO_HIGH, 0 };
	char out[16];

	(void)state;
	assert_int_equal(route_msg_filter(e->rt, "", r, 1, 0, NULL, &e->d,
	    out, sizeof(out)), 0);
	assert_int_equal(route_msg_filter(e->rt, "", r, 1, 0, &high, &e->d,
	    out, sizeof(out)), 0);
	assert_int_equal(route_msg_filter(e->rt, "", r, 0, 0, &high, &e->d,
	    out, sizeof(out)), 0);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(mcases) + 1];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_mcase, mcases);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_edges);
	return cmocka_run_group_tests(tests, setup, teardown);
}
