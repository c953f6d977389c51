/*
 * test_monitor.c - the link monitor against real SMTP targets (Postfix's
 * smtp-sink), millisecond timers: the glitch-retry sequence (exact tries,
 * the time of the down mark), local avoidance while retrying with nothing
 * propagated, retry while down with no mail, recovery, manual override,
 * suppress_state_changes; the probe's source address (probe_source, else
 * the server's topology address; a source that cannot be bound fails the
 * probe) against a listener that records its peers; and the damping
 * figures with an injected clock and the default settings.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/listener.h>

#include "agent_priv.h"
#include "harness.h"
#include "xmalloc.h"

#define WAIT_MS		10000
#define GLITCH_MS	60
#define TIMERS	"glitch_retry_interval = %dms\nglitch_retries = 3\n" \
		"probe_interval = 20ms\ndown_retry_interval = 40ms\n" \
		"probe_timeout = 500ms\n%s"

static pid_t sink_pid;
static int sink_port;

/* sink_start - smtp-sink on 127.0.0.1:sink_port, greeting when up */
static void
sink_start(void)
{
	sink_pid = harness_sink_start(sink_port);
}

/* sink_stop - the target goes away: connections refused */
static void
sink_stop(void)
{
	harness_sink_stop(sink_pid);
	sink_pid = 0;
}

/* sink_reap - after each test, passed or failed: no smtp-sink left
 * behind holding its port */
static int
sink_reap(void **state)
{
	(void)state;
	if (sink_pid != 0)
		sink_stop();
	return 0;
}

/* topo - a0 (master of g00, source) -> b0 (g01, target on the sink) */
static char *
topo(void)
{
	int p = harness_port_base(0);

	sink_port = p + 50;
	return xasprintf("[organization]\nname = M\nversion = 1\n"
	    "[group g00]\n[group g01]\n"
	    "[server a0]\ngroup = g00\naddress = 127.0.0.1\nagent_port = %d\n"
	    "[server a1]\ngroup = g00\naddress = 127.0.0.1\nagent_port = %d\n"
	    "[server b0]\ngroup = g01\naddress = 127.0.0.1\nagent_port = %d\n"
	    "smtp_port = %d\n"
	    "[connector g00-g01]\nfrom = g00\nto = g01\nsources = a0\n"
	    "targets = b0\n", p, p + 1, p + 2, sink_port);
}

static struct mon_link *
link_of(struct harness *h)
{
	struct mon_link *l = monitor_find(h->ag[harness_find(h, "a0")],
	    "g00-g01");

	assert_non_null(l);
	return l;
}

/* conditions */
static int
link_state(struct harness *h, void *arg)
{
	return link_of(h)->state == *(enum mon_state *)arg;
}

static int
remote_down(struct harness *h, void *arg)
{
	const struct lsrec *r = lsdb_get(agent_lsdb(h->ag[harness_find(h,
	    arg)]), "connector:g00-g01:a0");

	return r != NULL && r->down;
}

static int
remote_up(struct harness *h, void *arg)
{
	const struct lsrec *r = lsdb_get(agent_lsdb(h->ag[harness_find(h,
	    arg)]), "connector:g00-g01:a0");

	return r != NULL && !r->down;
}

static int
probes_at_least(struct harness *h, void *arg)
{
	return link_of(h)->probes >= *(uint64_t *)arg;
}

/* local_avoided - a0's own routing view has the link down */
static int
local_avoided(struct harness *h)
{
	struct agent *a = h->ag[harness_find(h, "a0")];
	int c = topo_find_connector(a->topo, "g00-g01");

	return a->ls->source_down[c][0];
}

static struct harness *
start(int glitch_ms, const char *extra)
{
	char *t = topo(), *x = xasprintf(TIMERS, glitch_ms, extra);
	struct harness *h;
	enum mon_state up = MON_UP;

	sink_start();
	h = harness_new(t, x, HARNESS_START);
	free(t);
	free(x);
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, link_state, &up, WAIT_MS), 0);
	return h;
}

/* the seed 002 sequence: a failure, glitch_retries retries glitch_retry_
 * interval apart (avoided locally at once, nothing propagated), then the
 * down mark, flooded; retried while down with no mail; recovery floods */
static void
test_glitch_retry(void **state)
{
	struct harness *h = start(GLITCH_MS, "");
	struct mon_link *l = link_of(h);
	enum mon_state retrying = MON_RETRYING, down = MON_DOWN, up = MON_UP;
	uint64_t t_fail, t_down, fails0, probes;

	(void)state;
	assert_false(local_avoided(h));
	fails0 = l->fails;
	sink_stop();
	assert_int_equal(harness_run_until(h, link_state, &retrying, WAIT_MS),
	    0);
	t_fail = harness_ms();
	/* avoided for a0's own decisions at once; nobody else hears of it */
	assert_true(local_avoided(h));
	assert_false(remote_down(h, "a1"));
	assert_false(remote_down(h, "b0"));
	assert_int_equal(harness_run_until(h, link_state, &down, WAIT_MS), 0);
	t_down = harness_ms();
	/* exactly one failure and glitch_retries retries */
	assert_int_equal(l->fails - fails0, 4);
	assert_int_equal(l->tries, 3);
	/* the down mark after 3 intervals (and not much later); t_fail is
	 * when this loop saw the failure, which a busy machine delays: half
	 * an interval of slack still tells 3 intervals from 2 */
	assert_true(t_down - t_fail >= 3 * GLITCH_MS - GLITCH_MS / 2);
	assert_true(t_down - t_fail <= 3 * GLITCH_MS + 150);
	assert_int_equal(harness_run_until(h, remote_down, "a1", WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, remote_down, "b0", WAIT_MS), 0);
	/* retried while down, with no mail */
	probes = l->probes + 3;
	assert_int_equal(harness_run_until(h, probes_at_least, &probes,
	    WAIT_MS), 0);
	assert_int_equal(l->state, MON_DOWN);
	/* the target is back: up, flooded */
	sink_start();
	assert_int_equal(harness_run_until(h, link_state, &up, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, remote_up, "a1", WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, remote_up, "b0", WAIT_MS), 0);
	assert_false(local_avoided(h));
	sink_stop();
	harness_free(h);
}

/* a failure that heals while retrying: never propagated */
static void
test_glitch_heals(void **state)
{
	struct harness *h = start(300, "");
	struct mon_link *l = link_of(h);
	enum mon_state retrying = MON_RETRYING, up = MON_UP;

	(void)state;
	sink_stop();
	assert_int_equal(harness_run_until(h, link_state, &retrying, WAIT_MS),
	    0);
	sink_start();
	assert_int_equal(harness_run_until(h, link_state, &up, WAIT_MS), 0);
	assert_int_equal(l->changes, 0);
	assert_null(lsdb_get(agent_lsdb(h->ag[harness_find(h, "b0")]),
	    "connector:g00-g01:a0"));
	assert_false(local_avoided(h));
	sink_stop();
	harness_free(h);
}

/* lsactl connector down|up|auto: the admin overrides the monitor */
static void
test_override(void **state)
{
	struct harness *h = start(GLITCH_MS, "");
	struct agent *a0 = h->ag[harness_find(h, "a0")];
	char msg[256];

	(void)state;
	assert_int_equal(monitor_override(a0, "g00-g01", "down", msg,
	    sizeof(msg)), 0);
	assert_int_equal(harness_run_until(h, remote_down, "b0", WAIT_MS), 0);
	assert_true(local_avoided(h));
	assert_int_equal(link_of(h)->state, MON_UP);	/* probes still fine */
	assert_int_equal(monitor_override(a0, "g00-g01", "auto", msg,
	    sizeof(msg)), 0);
	assert_int_equal(harness_run_until(h, remote_up, "b0", WAIT_MS), 0);
	assert_int_equal(monitor_override(a0, "nope", "down", msg,
	    sizeof(msg)), -1);
	sink_stop();
	harness_free(h);
}

/* suppress_state_changes: the link goes down, nothing is sent or used */
static void
test_suppress_state_changes(void **state)
{
	struct harness *h = start(GLITCH_MS, "suppress_state_changes = yes\n");
	enum mon_state down = MON_DOWN;

	(void)state;
	sink_stop();
	assert_int_equal(harness_run_until(h, link_state, &down, WAIT_MS), 0);
	harness_run_until(h, harness_never, NULL, 100);
	assert_false(local_avoided(h));
	assert_null(lsdb_get(agent_lsdb(h->ag[harness_find(h, "a0")]),
	    "connector:g00-g01:a0"));
	assert_null(lsdb_get(agent_lsdb(h->ag[harness_find(h, "b0")]),
	    "connector:g00-g01:a0"));
	harness_free(h);
}

/* the probe source tests' target: a greeting listener that notes where
 * each connection came from */
struct greeter {
	struct evconnlistener *lev;
	int		 accepted;
	int		 other;		/* from another address than want */
	const char	*want;
	char		 last[INET6_ADDRSTRLEN];
};

/* greeter_accept_cb - note the peer, greet, close (the probe has read
 * nothing yet, so this is a plain FIN after the 220) */
static void
greeter_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct greeter *g = arg;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	(void)lev;
	(void)salen;
	g->accepted++;
	if (sa->sa_family != AF_INET ||
	    inet_ntop(AF_INET, &sin->sin_addr, g->last, sizeof(g->last)) ==
	    NULL)
		snprintf(g->last, sizeof(g->last), "?");
	if (strcmp(g->last, g->want) != 0)
		g->other++;
	(void)write(fd, "220 greeter ESMTP\r\n", 19);
	close(fd);
}

/* source_topo - a0 (address a0_addr, source) -> b0 (127.0.0.1, target
 * on the greeter); only a0 runs, so its address need not be listened on */
static char *
source_topo(const char *a0_addr)
{
	int p = harness_port_base(0);

	sink_port = p + 51;
	return xasprintf("[organization]\nname = M\nversion = 1\n"
	    "[group g00]\n[group g01]\n"
	    "[server a0]\ngroup = g00\naddress = %s\nagent_port = %d\n"
	    "[server b0]\ngroup = g01\naddress = 127.0.0.1\nagent_port = %d\n"
	    "smtp_port = %d\n"
	    "[connector g00-g01]\nfrom = g00\nto = g01\nsources = a0\n"
	    "targets = b0\n", a0_addr, p, p + 2, sink_port);
}

static int
greeted(struct harness *h, void *arg)
{
	(void)h;
	return ((struct greeter *)arg)->accepted >= 3;
}

/* source_run - a0 alone with the greeter as b0's Postfix; extra settings;
 * the greeter wants connections from want */
static struct harness *
source_run(const char *a0_addr, const char *extra, struct greeter *g,
    const char *want)
{
	char *t = source_topo(a0_addr), *x = xasprintf(TIMERS, GLITCH_MS,
	    extra);
	struct harness *h = harness_new(t, x, 0);
	struct sockaddr_in sin;

	free(t);
	free(x);
	memset(g, 0, sizeof(*g));
	g->want = want;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)sink_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g->lev = evconnlistener_new_bind(h->base, greeter_accept_cb, g,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&sin, sizeof(sin));
	assert_non_null(g->lev);
	assert_int_equal(harness_start(h, harness_find(h, "a0")), 0);
	return h;
}

/* source_stop - the greeter, then the agents */
static void
source_stop(struct harness *h, struct greeter *g)
{
	evconnlistener_free(g->lev);
	harness_free(h);
}

/*
 * the probe leaves from probe_source when set, else from the server's
 * topology address, as Postfix's smtp_bind_address would (the kernel
 * would pick 127.0.0.1 for a connection to 127.0.0.1); each case's
 * source differs from the other addresses involved
 */
static void
test_probe_source(void **state)
{
	static const struct {
		const char	*name;
		const char	*a0_addr;	/* in the topology */
		const char	*extra;
		const char	*want;		/* the probes' source */
	} cases[] = {
		{ "probe_source set", "127.0.0.1",
		  "probe_source = 127.0.0.3\n", "127.0.0.3" },
		{ "probe_source empty: the topology address", "127.0.0.2",
		  "", "127.0.0.2" },
		{ "probe_source empty (written)", "127.0.0.4",
		  "probe_source =\n", "127.0.0.4" },
	};
	enum mon_state up = MON_UP;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct greeter g;
		struct harness *h = source_run(cases[i].a0_addr,
		    cases[i].extra, &g, cases[i].want);

		print_message("%s\n", cases[i].name);
		assert_int_equal(harness_run_until(h, greeted, &g, WAIT_MS),
		    0);
		assert_string_equal(g.last, cases[i].want);
		assert_int_equal(g.other, 0);
		assert_int_equal(harness_run_until(h, link_state, &up,
		    WAIT_MS), 0);
		assert_int_equal(link_of(h)->fails, 0);
		source_stop(h, &g);
	}
}

/* a source the host does not have: bind fails, the probe fails (logged,
 * no crash), the link goes through retrying to down; nothing reached the
 * target */
static void
test_probe_source_unbound(void **state)
{
	struct greeter g;
	struct harness *h = source_run("127.0.0.1",
	    "probe_source = 192.0.2.1\n", &g, "192.0.2.1");
	enum mon_state down = MON_DOWN;

	(void)state;
	assert_int_equal(harness_run_until(h, link_state, &down, WAIT_MS), 0);
	assert_int_equal(link_of(h)->fails, 4);
	assert_int_equal(g.accepted, 0);
	source_stop(h, &g);
}

/* the injected clock for the damping test */
static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/* the damping figures with the default settings: a link flapping every
 * 10 s for 10 minutes makes at most 6 propagated changes; once stable it
 * is back in use within damping_max_suppress + 1 s */
static void
test_damping(void **state)
{
	char *t = topo();
	struct harness *h = harness_new(t, NULL, 0);
	struct agent *a;
	struct mon_link *l;
	uint64_t reuse, max_suppress;

	(void)state;
	free(t);
	fake_now = 1000000;
	a = harness_clocked(h, harness_find(h, "a0"), fake_clock);
	l = monitor_find(a, "g00-g01");
	assert_non_null(l);
	max_suppress = a->set->damping_max_suppress;
	assert_int_equal(max_suppress, 5 * 60 * 1000);	/* the defaults */
	/* 10 minutes of a flap every 10 s, ending up (stable from then) */
	assert_true(harness_flap(l, &fake_now, 10000, 600000) <= 6);
	print_message("damping: %ju propagated changes in 10 minutes\n",
	    (uintmax_t)l->changes);
	assert_true(l->suppressed);
	assert_int_equal(l->advertised, 1);
	/* stable: the hold ends within max_suppress + 1 s */
	reuse = monitor_reuse_in(l);
	assert_true(reuse > 0 && reuse <= max_suppress + 1000);
	fake_now += reuse;
	monitor_reuse_cb(-1, 0, l);
	assert_false(l->suppressed);
	assert_int_equal(l->advertised, 0);
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_glitch_retry, sink_reap),
		cmocka_unit_test_teardown(test_glitch_heals, sink_reap),
		cmocka_unit_test_teardown(test_override, sink_reap),
		cmocka_unit_test_teardown(test_suppress_state_changes, sink_reap),
		cmocka_unit_test_teardown(test_probe_source, sink_reap),
		cmocka_unit_test_teardown(test_probe_source_unbound, sink_reap),
		cmocka_unit_test_teardown(test_damping, sink_reap),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	sink_stop();
	return rc;
}
