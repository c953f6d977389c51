/*
 * test_bidi.c - a bidirectional connector in running agents: each
 * direction is a connector of its own, with its own link monitor at its
 * own sources, its own records (connector:NAME:SRC and
 * connector:NAME~reverse:SRC) flooded to the other side, and its own
 * override. a0 (g00) and b0 (g01), each with an smtp-sink as its SMTP
 * port; the connector g00-g01 is bidirectional: a0 probes b0's sink,
 * b0 probes a0's. Killing b0's sink takes the forward direction down
 * only; an override of the reverse at b0 takes only the reverse down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_priv.h"
#include "harness.h"
#include "xmalloc.h"

#define WAIT_MS		10000
#define TIMERS	"glitch_retry_interval = 40ms\nglitch_retries = 2\n" \
		"probe_interval = 20ms\ndown_retry_interval = 40ms\n" \
		"probe_timeout = 500ms\n"
#define FWD	"g00-g01"
#define REV	"g00-g01~reverse"

static pid_t sink_a, sink_b;	/* a0's SMTP port, b0's */

/* sinks_reap - after the test, passed or failed: no sink left behind */
static int
sinks_reap(void **state)
{
	(void)state;
	if (sink_a != 0)
		harness_sink_stop(sink_a);
	if (sink_b != 0)
		harness_sink_stop(sink_b);
	sink_a = sink_b = 0;
	return 0;
}

/* rec_down - server arg's LST holds the record key down (1), up (0) */
struct rec_want {
	const char	*server;
	const char	*key;
	int		 down;
};

static int
rec_is(struct harness *h, void *arg)
{
	const struct rec_want *w = arg;
	const struct lsrec *r = lsdb_get(agent_lsdb(h->ag[harness_find(h,
	    w->server)]), w->key);

	return r != NULL && r->down == w->down;
}

/* link_up - the monitor of server's connector is up */
struct link_want {
	const char	*server;
	const char	*conn;
};

static int
link_up(struct harness *h, void *arg)
{
	const struct link_want *w = arg;
	struct mon_link *l = monitor_find(h->ag[harness_find(h, w->server)],
	    w->conn);

	return l != NULL && l->state == MON_UP && l->probes > 0;
}

static void
test_each_direction_its_own_state(void **state)
{
	int p = harness_port_base(0);
	char *t;
	struct harness *h;
	struct agent *a0, *b0;
	struct link_want fa = { "a0", FWD }, rb = { "b0", REV };
	struct rec_want fwd_down_at_b = { "b0", "connector:" FWD ":a0", 1 };
	struct rec_want rev_down_at_a = { "a0", "connector:" REV ":b0", 1 };
	struct rec_want rev_up_at_a = { "a0", "connector:" REV ":b0", 0 };
	struct rec_want fwd_up_at_b = { "b0", "connector:" FWD ":a0", 0 };
	int cf, cr;
	char msg[256];

	(void)state;
	sink_a = harness_sink_start(p + 50);
	sink_b = harness_sink_start(p + 51);
	t = xasprintf("[organization]\nname = M\nversion = 1\n"
	    "[group g00]\n[group g01]\n"
	    "[server a0]\ngroup = g00\naddress = 127.0.0.1\nagent_port = %d\n"
	    "smtp_port = %d\n"
	    "[server b0]\ngroup = g01\naddress = 127.0.0.1\nagent_port = %d\n"
	    "smtp_port = %d\n"
	    "[connector " FWD "]\nfrom = g00\nto = g01\nbidirectional = yes\n",
	    p, p + 50, p + 1, p + 51);
	h = harness_new(t, TIMERS, HARNESS_START);
	free(t);
	a0 = h->ag[harness_find(h, "a0")];
	b0 = h->ag[harness_find(h, "b0")];
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	/* one monitor per direction, each at its own source */
	assert_int_equal(harness_run_until(h, link_up, &fa, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, link_up, &rb, WAIT_MS), 0);
	assert_null(monitor_find(a0, REV));
	assert_null(monitor_find(b0, FWD));
	cf = topo_find_connector(a0->topo, FWD);
	cr = topo_find_connector(a0->topo, REV);
	assert_true(cf >= 0 && cr >= 0);

	/* b0's SMTP goes away: the forward direction is marked down at a0
	   and flooded to b0; the reverse (b0 -> a0's sink) stays up */
	harness_sink_stop(sink_b);
	sink_b = 0;
	assert_int_equal(harness_run_until(h, rec_is, &fwd_down_at_b,
	    WAIT_MS), 0);
	assert_int_equal(monitor_find(b0, REV)->state, MON_UP);
	assert_null(lsdb_get(agent_lsdb(a0), "connector:" REV ":b0"));
	assert_true(b0->ls->source_down[cf][0]);
	assert_false(b0->ls->source_down[cr][0]);

	/* back up; then the reverse alone overridden down at b0 */
	sink_b = harness_sink_start(p + 51);
	assert_int_equal(harness_run_until(h, rec_is, &fwd_up_at_b,
	    WAIT_MS), 0);
	assert_int_equal(monitor_override(b0, REV, "down", msg, sizeof(msg)),
	    0);
	assert_int_equal(harness_run_until(h, rec_is, &rev_down_at_a,
	    WAIT_MS), 0);
	assert_true(a0->ls->source_down[cr][0]);
	assert_false(a0->ls->source_down[cf][0]);
	assert_int_equal(monitor_find(a0, FWD)->state, MON_UP);
	/* a0 is no source of the reverse: it cannot override it */
	assert_int_equal(monitor_override(a0, REV, "down", msg, sizeof(msg)),
	    -1);
	assert_int_equal(monitor_override(b0, REV, "auto", msg, sizeof(msg)),
	    0);
	assert_int_equal(harness_run_until(h, rec_is, &rev_up_at_a,
	    WAIT_MS), 0);
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_each_direction_its_own_state,
		    sinks_reap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
