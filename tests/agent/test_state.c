/*
 * test_state.c - an agent's state directory (agent.c): a second agent on
 * the same directory refuses to start, names the holder and touches
 * nothing; epochs never wrap; a failed write of lst.json or the snapshot
 * is retried from a timer (not only at the next change) and shown in the
 * status; record ages are clamped for display.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent_priv.h"
#include "harness.h"
#include "lsdb.h"
#include "xmalloc.h"

#define WAIT_MS	15000

/* start - one group of two servers, started, in sync */
static struct harness *
start(void)
{
	char *t = harness_topology(1, 2, harness_port_base(0));
	struct harness *h = harness_new(t, NULL, HARNESS_START |
	    HARNESS_NO_MONITOR);

	free(t);
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	return h;
}

/* slurp - a file's text (static buffer), "" when missing */
static const char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

/* spit - write a file's text */
static void
spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* second - a second agent_new on agent i's settings: NULL, err set */
static struct agent *
second(struct harness *h, int i, char *err, size_t errlen)
{
	struct agent_conf c;

	memset(&c, 0, sizeof(c));
	c.set = &h->set[i];
	c.server = h->names[i];
	c.no_monitor = 1;
	return agent_new(h->base, &c, err, errlen);
}

/* a second agent on a state directory in use: refused 30 times, each
 * naming the holder's pid, and the epoch is not raised */
static void
test_second_agent(void **state)
{
	struct harness *h = start();
	char *epoch_path = xasprintf("%s/%s/epoch", h->dir, h->names[0]);
	char *before = xstrdup(slurp(epoch_path)), err[512], want[64];
	uint32_t epoch = h->ag[0]->epoch;

	(void)state;
	snprintf(want, sizeof(want), "held by pid %ld", (long)getpid());
	for (int k = 0; k < 30; k++) {
		err[0] = '\0';
		assert_null(second(h, 0, err, sizeof(err)));
		if (strstr(err, want) == NULL)
			fail_msg("error \"%s\" does not name the holder", err);
	}
	assert_string_equal(slurp(epoch_path), before);
	assert_int_equal(h->ag[0]->epoch, epoch);
	/* stopped, the directory is free again: one epoch more */
	harness_stop(h, 0);
	assert_int_equal(harness_start(h, 0), 0);
	assert_int_equal(h->ag[0]->epoch, epoch + 1);
	free(before);
	free(epoch_path);
	harness_free(h);
}

struct epoch_case {
	const char	*name;
	const char	*text;		/* the epoch file */
	const char	*err;		/* substring; NULL: starts */
	uint32_t	 epoch;		/* then, the epoch in force */
};

static const struct epoch_case epoch_cases[] = {
	{ "below the limit", "2147483645\n", NULL, 2147483646 },
	{ "at the limit", "2147483646\n", "at the limit", 0 },
	{ "past the limit", "2147483647\n", "at the limit", 0 },
	{ "the largest 32-bit value (wrapped to 0)", "4294967295\n",
	  "at the limit", 0 },
	{ "past 64 bits", "99999999999999999999999\n", "not an epoch", 0 },
	{ "not digits", "twelve\n", "not an epoch", 0 },
	{ "negative", "-1\n", "not an epoch", 0 },
	{ "trailing text", "12 13\n", "not an epoch", 0 },
	{ "empty", "", "not an epoch", 0 },
};

/* epochs at or past 2^31 - 1 are refused at start; never a wrap */
static void
test_epoch_limit(void **state)
{
	struct harness *h = start();
	char *epoch_path = xasprintf("%s/%s/epoch", h->dir, h->names[0]);
	struct agent *a;
	char err[512];

	(void)state;
	harness_stop(h, 0);
	for (size_t k = 0; k < sizeof(epoch_cases) / sizeof(epoch_cases[0]);
	    k++) {
		const struct epoch_case *c = &epoch_cases[k];

		spit(epoch_path, c->text);
		err[0] = '\0';
		a = second(h, 0, err, sizeof(err));
		if (c->err == NULL) {
			if (a == NULL)
				fail_msg("%s: refused: %s", c->name, err);
			assert_int_equal(a->epoch, c->epoch);
			agent_free(a);
			continue;
		}
		if (a != NULL)
			fail_msg("%s: started with epoch %u", c->name,
			    a->epoch);
		if (strstr(err, c->err) == NULL ||
		    strstr(err, epoch_path) == NULL)
			fail_msg("%s: error \"%s\"", c->name, err);
		assert_string_equal(slurp(epoch_path), c->text);
	}
	free(epoch_path);
	harness_free(h);
}

/* at run time, a record of our own from far in the future does not
 * wrap the epoch to 0 */
static void
test_epoch_past_limit(void **state)
{
	struct harness *h = start();
	struct agent *a = h->ag[0];
	uint32_t epoch = a->epoch;

	(void)state;
	agent_epoch_past(a, (uint64_t)UINT32_MAX << 32 | 5);
	assert_int_equal(a->epoch, epoch);
	agent_epoch_past(a, (uint64_t)0x7fffffffu << 32);
	assert_int_equal(a->epoch, epoch);
	agent_epoch_past(a, (uint64_t)0x7ffffffeu << 32);
	assert_int_equal(a->epoch, 0x7fffffffu);
	harness_free(h);
}

/* cond: agent 0's state writes succeed again */
static int
writes_ok(struct harness *h, void *arg)
{
	(void)arg;
	return h->ag[0]->write_failing_ms == 0;
}

/* cond: agent 0's state writes fail */
static int
writes_failing(struct harness *h, void *arg)
{
	(void)arg;
	return h->ag[0]->write_failing_ms != 0;
}

/* a state directory where writes fail (a file in its place): the agent
 * goes on, the status says since when and why, and once the directory
 * is back the files are written by the retry timer, with no new change */
static void
test_write_retry(void **state)
{
	struct harness *h = start();
	struct agent *a = h->ag[0];
	char *sd = xasprintf("%s/%s", h->dir, h->names[0]);
	char *moved = xasprintf("%s.moved", sd);
	char *lst = xasprintf("%s/lst.json", sd), *st, want[64];
	json_t *o, *sw;
	uint64_t t0;

	(void)state;
	assert_int_equal(rename(sd, moved), 0);
	spit(sd, "not a directory\n");
	agent_changed(a);
	assert_int_equal(harness_run_until(h, writes_failing, NULL, WAIT_MS),
	    0);
	st = agent_status_json(a);
	o = json_loads(st, 0, NULL);
	assert_non_null(o);
	sw = json_object_get(o, "state_write");
	assert_true(json_is_object(sw));
	assert_true(json_integer_value(json_object_get(sw,
	    "failing_since_ms")) > 0);
	assert_non_null(strstr(json_string_value(json_object_get(sw, "error")),
	    "Not a directory"));
	json_decref(o);
	free(st);
	/* the directory back; no change made: the timer writes */
	assert_int_equal(unlink(sd), 0);
	assert_int_equal(rename(moved, sd), 0);
	t0 = harness_ms();
	assert_int_equal(harness_run_until(h, writes_ok, NULL, WAIT_MS), 0);
	assert_true(harness_ms() - t0 < 5000);
	snprintf(want, sizeof(want), "\"lst_version\":%ju",
	    (uintmax_t)a->lst_version);
	assert_non_null(strstr(slurp(lst), want));
	st = agent_status_json(a);
	o = json_loads(st, 0, NULL);
	assert_true(json_is_null(json_object_get(o, "state_write")));
	json_decref(o);
	free(st);
	free(sd);
	free(moved);
	free(lst);
	harness_free(h);
}

/* record times: 1 ms after 1970 (no real clock) shows no age, a time
 * ahead of ours shows 0, a recent one its age */
static void
test_record_age(void **state)
{
	struct harness *h = start();
	struct agent *a = h->ag[0];
	static const struct {
		const char	*server;
		int64_t		 ago_ms;	/* INT64_MIN: t = 1 */
		int		 is_null;
		int64_t		 lo, hi;
	} cases[] = {
		{ "ancient", INT64_MIN, 1, 0, 0 },
		{ "future", -3600000, 0, 0, 0 },
		{ "recent", 5000, 0, 5000, 60000 },
	};
	char *text;
	json_t *o, *recs, *e;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct lsrec r;

		memset(&r, 0, sizeof(r));
		r.kind = LSREC_SERVER;
		snprintf(r.origin, sizeof(r.origin), "x");
		snprintf(r.name, sizeof(r.name), "%s", cases[i].server);
		r.seq = 1;
		r.time_ms = cases[i].ago_ms == INT64_MIN ? 1 :
		    (int64_t)agent_wall_ms() - cases[i].ago_ms;
		assert_int_equal(lsdb_update(a->db, &r), LSDB_NEWER);
	}
	text = agent_lst_json(a);
	o = json_loads(text, 0, NULL);
	recs = json_object_get(o, "records");
	for (size_t k = 0; k < 3; k++) {
		char key[64];
		json_t *age = NULL;

		snprintf(key, sizeof(key), "server:%s", cases[k].server);
		json_array_foreach(recs, i, e)
			if (strcmp(json_string_value(json_object_get(e, "key")),
			    key) == 0)
				age = json_object_get(e, "age_ms");
		assert_non_null(age);
		if (cases[k].is_null) {
			assert_true(json_is_null(age));
			continue;
		}
		assert_true(json_integer_value(age) >= cases[k].lo);
		assert_true(json_integer_value(age) <= cases[k].hi);
	}
	json_decref(o);
	free(text);
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_agent),
		cmocka_unit_test(test_epoch_limit),
		cmocka_unit_test(test_epoch_past_limit),
		cmocka_unit_test(test_write_retry),
		cmocka_unit_test(test_record_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
