/*
 * test_clock.c - intervals run on the monotonic clock: with the wall
 * clock stepped back an hour while the master of g00 is silent, its backup
 * still takes over within master_dead_interval + 1 s, and the records it
 * originates carry the (stepped) wall time.
 *
 * clock_gettime() is interposed: CLOCK_REALTIME is the real one plus
 * wall_offset_ms; every other clock (libevent's timers, the monotonic
 * clock) is untouched.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent_priv.h"
#include "harness.h"
#include "lsdb.h"
#include "xmalloc.h"

#define WAIT_MS		15000
#define MASTER_DEAD_MS	400
#define STEP_MS		(3600 * 1000LL)

static long long wall_offset_ms;

typedef int (*cgt_fn)(clockid_t, struct timespec *);

/* clock_gettime - libc's, with the wall clock moved by wall_offset_ms */
int
clock_gettime(clockid_t id, struct timespec *ts)
{
	static cgt_fn real;
	long long ns;
	int rc;

	if (real == NULL)
		real = (cgt_fn)dlsym(RTLD_NEXT, "clock_gettime");
	if ((rc = real(id, ts)) != 0 || id != CLOCK_REALTIME)
		return rc;
	ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec +
	    wall_offset_ms * 1000000LL;
	ts->tv_sec = (time_t)(ns / 1000000000LL);
	ts->tv_nsec = (long)(ns % 1000000000LL);
	return 0;
}

/* cond: every running agent follows g00-1 as the master of g00 */
static int
followed(struct harness *h, void *arg)
{
	(void)arg;
	for (int i = 0; i < h->n; i++) {
		struct agent *a = h->ag[i];

		if (a != NULL && strcmp(a->topo->servers[
		    a->topo->groups[0].master].name, "g00-1") != 0)
			return 0;
	}
	return 1;
}

/* the wall clock steps back an hour: failover is not delayed by it */
static void
test_failover_wall_step_back(void **state)
{
	char *t = harness_topology(2, 3, harness_port_base(0));
	struct harness *h;
	const struct lsrec *r;
	struct timespec ts;
	uint64_t t0, took;
	long long wall;

	(void)state;
	t = harness_insert(t, "[group g00]", "backup_masters = g00-1\n");
	h = harness_new(t, NULL, HARNESS_START | HARNESS_NO_MONITOR);
	free(t);
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	for (int i = 0; i < h->n; i++)
		h->set[i].master_dead_interval = MASTER_DEAD_MS;
	t0 = harness_ms();
	harness_stop(h, harness_find(h, "g00-0"));
	harness_run_until(h, harness_never, NULL, MASTER_DEAD_MS / 4);
	wall_offset_ms = -STEP_MS;	/* an NTP step, or an admin's */
	assert_int_equal(harness_run_until(h, followed, NULL, WAIT_MS), 0);
	took = harness_ms() - t0;
	print_message("failover after %ju ms with the wall clock stepped "
	    "back 1 h\n", (uintmax_t)took);
	assert_true(took >= MASTER_DEAD_MS);
	assert_true(took <= MASTER_DEAD_MS + 1000);
	/* the record time is the wall clock's, stepped */
	r = lsdb_get(agent_lsdb(h->ag[harness_find(h, "g00-1")]), "topology");
	assert_non_null(r);
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	assert_true(r->time_ms <= wall && r->time_ms > wall - 60 * 1000);
	wall_offset_ms = 0;
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failover_wall_step_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
