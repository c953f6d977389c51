/*
 * test_reroute.c - rerouting now (reroute.c): agents in one process
 * (harness.h), one of them (g00-0) with tests/agent/postqueue-standin.sh
 * as its postqueue, which records every call and lists a queue the test
 * writes. A connector going down or up changes g00-0's routes to the
 * domain of group g01 (g01.test) and not those to its own group's
 * (g00.test): only deferred mail to g01.test is retried, then rechecked
 * early and past qmgr's resolver cache (the affected active mail too,
 * retried at the first recheck once its attempt failed); most of the
 * queue affected gives one flush; passes are rate-limited; a failed
 * listing retries nothing and the next change catches up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_priv.h"
#include "harness.h"
#include "schedtimer.h"
#include "schedule.h"
#include "xmalloc.h"

#define WAIT_MS		10000
#define REROUTER	"g00-0"

struct rt {
	struct harness	*h;
	char		 dir[256];	/* the stand-in's directory */
};

/* the schedule test's: a schedule on g00-g01 and a wall clock that runs
 * with the monotonic one from a moment the test sets (and steps) */
static const char *test_schedule;
static int64_t test_wall_offset;

/* test_wall - the injected wall clock, ms */
static int64_t
test_wall(void *arg)
{
	(void)arg;
	return (int64_t)harness_ms() + test_wall_offset;
}

/* wall_set - the wall clock reads iso (UTC) and ms now */
static void
wall_set(const char *iso, int64_t ms)
{
	char err[SCHEDULE_ERRLEN];
	time_t t;

	assert_int_equal(schedule_time_parse(iso, &t, err, sizeof(err)), 0);
	test_wall_offset = (int64_t)t * 1000 + ms - (int64_t)harness_ms();
}

/* topology - two groups of three; g00-2 hosts g00.test, g01-2 g01.test;
 * distinct SMTP ports so that next-hop lists differ by server */
static char *
topology(void)
{
	char *t = harness_topology(2, 3, harness_port_base(0));
	static const char *const names[] = { "g00-0", "g00-1", "g00-2",
	    "g01-0", "g01-1", "g01-2" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char head[64], *lines;

		snprintf(head, sizeof(head), "[server %s]", names[i]);
		lines = xasprintf("smtp_port = %zu\n%s", 2500 + i,
		    i == 2 ? "mailboxes = g00.test\n" :
		    i == 5 ? "mailboxes = g01.test\n" : "");
		t = harness_insert(t, head, lines);
		free(lines);
	}
	if (test_schedule != NULL) {
		char *lines = xasprintf("schedule = %s\n", test_schedule);

		t = harness_insert(t, "[connector g00-g01]", lines);
		free(lines);
	}
	return t;
}

/* start - only REROUTER runs the stand-in; all adjacencies full */
static void
start(struct rt *r, const char *extra)
{
	char *standin = realpath("tests/agent/postqueue-standin.sh", NULL);
	char *t = topology(), *ex, *link;

	assert_non_null(standin);
	ex = xasprintf("reroute_command = %s\nreroute_kick_command = %s\n%s",
	    standin, standin, extra);
	r->h = harness_new(t, ex, HARNESS_NO_MONITOR);
	if (test_schedule != NULL)
		r->h->wall = test_wall;
	snprintf(r->dir, sizeof(r->dir), "%s/standin", r->h->dir);
	assert_int_equal(mkdir(r->dir, 0700), 0);
	/* children get no environment of ours: the stand-in finds its
	 * directory as the one it is called from */
	link = xasprintf("%s/postqueue", r->dir);
	assert_int_equal(symlink(standin, link), 0);
	for (int i = 0; i < r->h->n; i++) {
		free(r->h->set[i].reroute_command);
		r->h->set[i].reroute_command = xstrdup(strcmp(r->h->names[i],
		    REROUTER) == 0 ? link : "");
		if (strcmp(r->h->names[i], REROUTER) == 0) {
			free(r->h->set[i].reroute_kick_command);
			r->h->set[i].reroute_kick_command = xstrdup(link);
		}
		assert_int_equal(harness_start(r->h, i), 0);
	}
	assert_int_equal(harness_run_until(r->h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(r->h, harness_all_same, NULL,
	    WAIT_MS), 0);
	free(standin);
	free(link);
	free(t);
	free(ex);
}

/* put - write a file of the stand-in's directory (NULL text: remove) */
static void
put(struct rt *r, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", r->dir, name);
	FILE *fp;

	if (text == NULL)
		unlink(path);
	else {
		assert_non_null(fp = fopen(path, "w"));
		fputs(text, fp);
		fclose(fp);
	}
	free(path);
}

/* calls - the stand-in's calls, "ARGS" a line (times dropped), and
 * their times in ms */
static int
calls(struct rt *r, char lines[][64], uint64_t *ms, int max)
{
	char *path = xasprintf("%s/calls", r->dir);
	FILE *fp = fopen(path, "r");
	char buf[256];
	int n = 0;

	free(path);
	if (fp == NULL)
		return 0;
	while (n < max && fgets(buf, sizeof(buf), fp) != NULL) {
		char *sp = strchr(buf, ' ');

		buf[strcspn(buf, "\n")] = '\0';
		if (ms != NULL)
			ms[n] = strtoull(buf, NULL, 10);
		snprintf(lines[n++], 64, "%s", sp != NULL ? sp + 1 : "");
	}
	fclose(fp);
	return n;
}

struct at_least {
	struct rt	*r;
	int		 n;
};

/* cond: the stand-in was called at least n times */
static int
called(struct harness *h, void *arg)
{
	struct at_least *w = arg;
	char lines[64][64];

	(void)h;
	return calls(w->r, lines, NULL, 64) >= w->n;
}

/* wait_calls - run until n calls, then a little more: no others */
static int
wait_calls(struct rt *r, int n, char lines[][64], uint64_t *ms)
{
	struct at_least w = { r, n };

	assert_int_equal(harness_run_until(r->h, called, &w, WAIT_MS), 0);
	harness_run_until(r->h, harness_never, NULL, 150);
	return calls(r, lines, ms, 64);
}

/* conn - originate connector g00-g01's state at its source g00-1 */
static void
conn(struct rt *r, int down)
{
	char err[256];

	assert_int_equal(agent_set_connector(r->h->ag[harness_find(r->h,
	    "g00-1")], "g00-g01", down, err, sizeof(err)), 0);
}

#define MSG(q, id, rcpts) "{\"queue_name\": \"" q "\", \"queue_id\": \"" id \
	"\", \"arrival_time\": 1763900000, \"message_size\": 512, " \
	"\"forced_expire\": false, \"sender\": \"alice@g00.test\", " \
	"\"recipients\": [" rcpts "]}\n"
#define RCPT(a)	"{\"address\": \"" a "\", \"delay_reason\": \"connect to " \
	"127.0.0.1[127.0.0.1]:2501: Connection refused\"}"

/*
 * the connector down: qmgr is kicked (an affected message is active: its
 * old route's destination may be dead), then only the deferred messages
 * with a recipient in g01.test are retried, each (A, C); they and the
 * affected active one
 * (D) are rechecked: after reroute_interval the deferred ones not merely
 * held again (C: its g00.test recipient is relayed), at reroute_recheck
 * every one still deferred (A, C); D, still active, is never retried
 * but each recheck that finds it so kicks qmgr again. The
 * connector back: A and D (deferred meanwhile) affected, 2 of 3 < 90 %:
 * each, after a kick (a link back: qmgr may still hold its destination
 * dead), then the same rechecks (now none is held)
 */
static void
test_affected_only(void **state)
{
	static const char *const want[] = {
		"-j", "public qmgr F", "-i 4AAAAAAAAA",		/* pass */
		"-i 4CCCCCCCCC",
		"-j", "public qmgr F", "-i 4CCCCCCCCC",		/* early */
		"-j", "public qmgr F", "-i 4AAAAAAAAA",		/* last */
		"-i 4CCCCCCCCC",
		"-j", "public qmgr F", "-i 4AAAAAAAAA",		/* back up: */
		"-i 4DDDDDDDDD",		/* a release kicks qmgr */
		"-j", "-i 4AAAAAAAAA", "-i 4DDDDDDDDD",
		"-j", "-i 4AAAAAAAAA", "-i 4DDDDDDDDD",
	};
	struct rt r;
	char lines[64][64];
	int n;

	(void)state;
	start(&r, "reroute_interval = 100ms\nreroute_recheck = 300ms\n"
	    "reroute_flush_percent = 90\n");
	put(&r, "queue",
	    MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test"))
	    MSG("deferred", "4BBBBBBBBB", RCPT("carol@g00.test"))
	    "not a listing line\n"
	    MSG("deferred", "4CCCCCCCCC", RCPT("dave@g00.test") ", "
	        RCPT("erin@g01.test"))
	    MSG("active", "4DDDDDDDDD", RCPT("frank@g01.test"))
	    MSG("hold", "4EEEEEEEEE", RCPT("grace@g01.test")));
	conn(&r, 1);
	n = wait_calls(&r, 11, lines, NULL);
	/* nothing more: the rechecks end */
	harness_run_until(r.h, harness_never, NULL, 600);
	n = calls(&r, lines, NULL, 64);
	assert_int_equal(n, 11);
	for (int i = 0; i < n; i++)
		assert_string_equal(lines[i], want[i]);
	/* meanwhile C was delivered and D deferred */
	put(&r, "queue",
	    MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test"))
	    MSG("deferred", "4BBBBBBBBB", RCPT("carol@g00.test"))
	    MSG("deferred", "4DDDDDDDDD", RCPT("frank@g01.test")));
	conn(&r, 0);
	n = wait_calls(&r, 21, lines, NULL);
	harness_run_until(r.h, harness_never, NULL, 600);
	n = calls(&r, lines, NULL, 64);
	assert_int_equal(n, 21);
	for (int i = 11; i < n; i++)
		assert_string_equal(lines[i], want[i]);
	harness_free(r.h);
}

/*
 * mail in the active queue keeps its old route; when that attempt fails
 * (the next server refuses what it would send back, 450 4.4.6) it is
 * deferred, and retried at the first recheck, long before
 * reroute_recheck and Postfix's backoff
 */
static void
test_active_early(void **state)
{
	struct rt r;
	char lines[64][64];
	uint64_t ms[64];
	int n;

	(void)state;
	start(&r, "reroute_interval = 300ms\nreroute_recheck = 20s\n");
	conn(&r, 1);
	n = wait_calls(&r, 1, lines, NULL);
	put(&r, "queue", MSG("active", "4DDDDDDDDD", RCPT("frank@g01.test")));
	harness_run_until(r.h, harness_never, NULL, 400);
	conn(&r, 0);
	/* the pass: D affected but active, nothing to retry yet; qmgr
	 * forgets its dead destinations so D is attempted at once */
	n = wait_calls(&r, 3, lines, ms);
	assert_int_equal(n, 3);
	assert_string_equal(lines[1], "-j");
	assert_string_equal(lines[2], "public qmgr F");
	/* the attempt on the old route failed: deferred now */
	put(&r, "queue", MSG("deferred", "4DDDDDDDDD",
	    RCPT("frank@g01.test")));
	n = wait_calls(&r, 5, lines, ms);
	assert_int_equal(n, 5);
	assert_string_equal(lines[3], "-j");
	assert_string_equal(lines[4], "-i 4DDDDDDDDD");
	print_message("retried %ju ms after the pass\n",
	    (uintmax_t)(ms[4] - ms[1]));
	assert_true(ms[4] - ms[1] < 2000);
	harness_free(r.h);
}

/*
 * mail the next server refused as a loop (450 4.4.6: it saw the link
 * state otherwise) is retried by the next pass, although its own answer
 * did not change, and by the rechecks that follow
 */
static void
test_loop_refused(void **state)
{
	struct rt r;
	char lines[64][64];
	int n;

	(void)state;
	start(&r, "reroute_interval = 100ms\nreroute_recheck = 300ms\n"
	    "reroute_flush_percent = 90\n");
	put(&r, "queue",
	    MSG("deferred", "4AAAAAAAAA", "{\"address\": \"carol@g00.test\", "
	    "\"delay_reason\": \"host 127.0.0.1[127.0.0.1] said: 450 4.4.6 "
	    "<carol@g00.test>: Recipient address rejected: routing loop\"}")
	    MSG("deferred", "4BBBBBBBBB", RCPT("dave@g00.test")));
	conn(&r, 1);
	n = wait_calls(&r, 2, lines, NULL);
	assert_true(n >= 2);
	assert_string_equal(lines[0], "-j");
	assert_string_equal(lines[1], "-i 4AAAAAAAAA");
	harness_run_until(r.h, harness_never, NULL, 600);
	n = calls(&r, lines, NULL, 64);
	/* B, deferred for another reason, is never retried */
	for (int i = 0; i < n; i++)
		assert_string_not_equal(lines[i], "-i 4BBBBBBBBB");
	harness_free(r.h);
}

#define HELD(a)	"{\"address\": \"" a "\", \"delay_reason\": " \
	"\"deferred transport\"}"

/*
 * held mail (defer_transports) is ours alone to retry: a connector back
 * up starts the rechecks even when the pass found nothing (lsa-policyd
 * reads the new snapshot a moment later and holds what arrives
 * meanwhile), and a recheck retries a held message the routing would
 * now send; a connector going down starts none
 */
static void
test_held_released(void **state)
{
	struct rt r;
	char lines[64][64];
	int n;

	(void)state;
	start(&r, "reroute_interval = 100ms\nreroute_recheck = 2s\n");
	conn(&r, 1);
	n = wait_calls(&r, 1, lines, NULL);
	harness_run_until(r.h, harness_never, NULL, 500);
	n = calls(&r, lines, NULL, 64);
	assert_int_equal(n, 1);		/* going down: no rechecks */
	assert_string_equal(lines[0], "-j");
	conn(&r, 0);
	n = wait_calls(&r, 3, lines, NULL);
	assert_string_equal(lines[1], "-j");	/* the pass: an empty queue */
	assert_string_equal(lines[2], "public qmgr F");	/* a release */
	/* then held by a lsa-policyd on the old snapshot */
	put(&r, "queue", MSG("deferred", "4HHHHHHHHH", HELD("bob@g01.test"))
	    MSG("deferred", "4BBBBBBBBB", RCPT("carol@g00.test")));
	n = wait_calls(&r, 5, lines, NULL);
	put(&r, "queue", NULL);
	n = calls(&r, lines, NULL, 64);
	for (int i = 3; i < n; i++)
		assert_string_not_equal(lines[i], "-i 4BBBBBBBBB");
	for (n--; n > 3 && strcmp(lines[n], "-i 4HHHHHHHHH") != 0; n--)
		;
	assert_string_equal(lines[n], "-i 4HHHHHHHHH");
	harness_free(r.h);
}

/*
 * schedules (schedtimer.c): g00-g01, g00's only way to g01, is open on
 * weekdays 08:00-18:00 UTC. At 18:00 it closes: no link changed, yet a
 * reroute pass lists the queue within the tick (deferred mail to g01 is
 * now held at the point of failure). Then the wall clock steps to the
 * next morning, over the opening: the step is seen within a tick, a
 * pass follows and the held message is retried at once
 */
static void
test_schedule_edges(void **state)
{
	struct agent *a;
	struct rt r;
	char lines[64][64];
	uint64_t ms[64], t0;
	int n;

	(void)state;
	test_schedule = "Mon-Fri 08:00-18:00";
	wall_set("2026-12-07T12:00Z", 0);
	start(&r, "reroute_interval = 100ms\nreroute_recheck = 300ms\n");
	a = r.h->ag[harness_find(r.h, REROUTER)];
	put(&r, "queue", MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test")));
	/* a step to just before the edge: nothing to reroute, no pass */
	wall_set("2026-12-07T17:59:59Z", 300);
	harness_run_until(r.h, harness_never, NULL, 500);
	assert_int_equal(calls(&r, lines, NULL, 64), 0);
	assert_int_equal(schedtimer_edges(a->schedtimer), 0);
	/* the stand-in logs the real wall clock: the edge in its terms */
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		t0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec /
		    1000000 + (uint64_t)(1796666400LL * 1000 -
		    test_wall(NULL));
	}
	n = wait_calls(&r, 1, lines, ms);
	assert_true(n >= 1);
	assert_string_equal(lines[0], "-j");
	print_message("pass about %jd ms after the closing edge\n",
	    (intmax_t)(ms[0] - t0));
	assert_int_equal(schedtimer_edges(a->schedtimer), 1);
	assert_true(reroute_stats(a->reroute)->passes >= 1);
	/* held now; the rechecks end */
	put(&r, "queue", MSG("deferred", "4HHHHHHHHH", HELD("bob@g01.test")));
	harness_run_until(r.h, harness_never, NULL, 800);
	n = calls(&r, lines, NULL, 64);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(lines[i], "-i 4HHHHHHHHH");
	/* the clock steps over the night: open again, the held mail goes */
	wall_set("2026-12-08T09:00Z", 0);
	n = wait_calls(&r, n + 2, lines, NULL);
	for (n--; n > 0 && strcmp(lines[n], "-i 4HHHHHHHHH") != 0; n--)
		;
	assert_string_equal(lines[n], "-i 4HHHHHHHHH");
	assert_int_equal(schedtimer_edges(a->schedtimer), 2);
	harness_free(r.h);
	test_schedule = NULL;
}

/* most of the deferred mail affected: one postqueue -f, and the recheck
 * flushes as well when most of it is still there */
static void
test_flush(void **state)
{
	struct rt r;
	char lines[64][64];
	int n;

	(void)state;
	start(&r, "reroute_interval = 100ms\nreroute_recheck = 300ms\n");
	put(&r, "queue",
	    MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test"))
	    MSG("deferred", "4BBBBBBBBB", RCPT("carol@g00.test"))
	    MSG("deferred", "4CCCCCCCCC", RCPT("erin@g01.test")));
	conn(&r, 1);
	/* the pass flushes; the early recheck retries nothing (A and C
	 * would only be held again); the last one flushes again */
	n = wait_calls(&r, 5, lines, NULL);
	assert_int_equal(n, 5);
	assert_string_equal(lines[0], "-j");
	assert_string_equal(lines[1], "-f");
	assert_string_equal(lines[2], "-j");
	assert_string_equal(lines[3], "-j");
	assert_string_equal(lines[4], "-f");
	harness_free(r.h);
}

/* changes closer than reroute_interval: the second pass waits for it */
static void
test_rate_limit(void **state)
{
	struct rt r;
	char lines[64][64];
	uint64_t ms[64];
	int n, k;

	(void)state;
	start(&r, "reroute_interval = 700ms\nreroute_recheck = 10s\n");
	put(&r, "queue", MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test")));
	conn(&r, 1);
	n = wait_calls(&r, 2, lines, ms);
	assert_int_equal(n, 2);
	conn(&r, 0);
	harness_run_until(r.h, harness_never, NULL, 50);
	conn(&r, 1);
	harness_run_until(r.h, harness_never, NULL, 50);
	conn(&r, 0);
	n = wait_calls(&r, 4, lines, ms);
	/* the second pass's -i (an early recheck of the first pass may
	 * list the queue in between: A is held then, nothing retried) */
	for (k = 2; k < n && strcmp(lines[k], "-i 4AAAAAAAAA") != 0; k++)
		if (strcmp(lines[k], "public qmgr F") != 0) /* a release */
			assert_string_equal(lines[k], "-j");
	assert_true(k < n);
	print_message("second pass %ju ms after the first\n",
	    (uintmax_t)(ms[k - 1] - ms[0]));
	assert_true(ms[k - 1] - ms[0] >= 650);
	harness_free(r.h);
}

/* a change that moves no mail lists the queue and retries nothing; a
 * failed listing retries nothing, and the next change still sees the
 * route changes since the last good listing */
static void
test_no_change_and_failure(void **state)
{
	struct rt r;
	char lines[64][64], err[256];
	int n;

	(void)state;
	start(&r, "reroute_interval = 50ms\nreroute_recheck = 10s\n");
	put(&r, "queue",
	    MSG("deferred", "4AAAAAAAAA", RCPT("bob@g01.test"))
	    MSG("deferred", "4BBBBBBBBB", RCPT("carol@g00.test"))
	    MSG("deferred", "4CCCCCCCCC", RCPT("dave@g00.test")));
	/* g01-g00 is not on g00-0's way to g01.test */
	assert_int_equal(agent_set_connector(r.h->ag[harness_find(r.h,
	    "g01-1")], "g01-g00", 1, err, sizeof(err)), 0);
	n = wait_calls(&r, 1, lines, NULL);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "-j");
	/* Postfix down: the listing fails */
	put(&r, "fail", "");
	conn(&r, 1);
	n = wait_calls(&r, 2, lines, NULL);
	assert_int_equal(n, 2);
	assert_string_equal(lines[1], "-j");
	/* back; an unrelated change: A's route changed since the last good
	 * listing, so A is retried now */
	put(&r, "fail", NULL);
	assert_int_equal(agent_set_connector(r.h->ag[harness_find(r.h,
	    "g01-1")], "g01-g00", 0, err, sizeof(err)), 0);
	n = wait_calls(&r, 5, lines, NULL);
	assert_true(n >= 5);
	assert_string_equal(lines[2], "-j");
	assert_string_equal(lines[3], "public qmgr F");	/* g01-g00 back */
	assert_string_equal(lines[4], "-i 4AAAAAAAAA");
	/* then early rechecks only list: A would only be held again */
	for (int i = 5; i < n; i++)
		assert_string_equal(lines[i], "-j");
	assert_int_equal(reroute_stats(r.h->ag[harness_find(r.h,
	    REROUTER)]->reroute)->retried, 1);
	harness_free(r.h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_affected_only),
		cmocka_unit_test(test_active_early),
		cmocka_unit_test(test_loop_refused),
		cmocka_unit_test(test_held_released),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_no_change_and_failure),
		cmocka_unit_test(test_schedule_edges),
	};

	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
