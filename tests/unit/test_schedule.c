/*
 * test_schedule.c - shared/schedule.c and route.h rule 9: the schedule
 * grammar (normalized text or the error), the time zone check, whether a
 * connector is open at a moment and its next opening and closing, in
 * UTC and in Europe/Berlin across both daylight-saving changes of 2026
 * (29 March: 02:00 is skipped; 25 October: 02:00-03:00 repeats), across
 * midnight and across the week's end; --at's time grammar; and routing
 * at a moment: a closed connector is down on every server, mail takes
 * the other path or waits at the point of failure, and a table read
 * before a clock step, or before an edge, answers for its own moment.
 *
 * The clock is injected: every call takes the moment it is read at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "route.h"
#include "route_index.h"
#include "schedule.h"
#include "tabletest.h"
#include "topology.h"

/* at - a moment from ISO text, in the zone set */
static time_t
at(const char *iso)
{
	char err[SCHEDULE_ERRLEN];
	time_t t;

	if (schedule_time_parse(iso, &t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return t;
}

/* build - a schedule from its items, NULL with err on an error */
static struct schedule *
build(const char *text, char *err, size_t errlen)
{
	struct schedule *s = schedule_new();
	char *copy = strdup(text), *p = copy, *item;

	while ((item = strsep(&p, ",")) != NULL) {
		while (*item == ' ')
			item++;
		if (schedule_add(s, item, err, errlen) < 0) {
			schedule_free(s);
			free(copy);
			return NULL;
		}
	}
	free(copy);
	return s;
}

/* ---- the grammar ---- */

struct pcase {
	const char	*name;
	const char	*text;
	const char	*want;		/* normalized, ", "-joined; or error */
};

static const struct pcase pcases[] = {
	{ "always", "always", "always" },
	{ "never", "never", "never" },
	{ "one day", "Mon 08:00-18:00", "Mon 08:00-18:00" },
	{ "range and case", "mon-FRI 8:00-18:00",
	  "error: bad window \"mon-FRI 8:00-18:00\"" },
	{ "list", "Mon-Fri 08:00-18:00, sat 09:00-12:00",
	  "Mon-Fri 08:00-18:00, Sat 09:00-12:00" },
	{ "24:00 end", "Sun 22:00-24:00", "Sun 22:00-24:00" },
	{ "00:00 end is 24:00", "Sun 22:00-00:00", "Sun 22:00-24:00" },
	{ "across midnight", "Fri 22:00-02:00", "Fri 22:00-02:00" },
	{ "wrapping range", "Fri-Mon 09:00-10:00", "Fri-Mon 09:00-10:00" },
	{ "24:00 start", "Mon 24:00-02:00", "error: bad window" },
	{ "24:30", "Mon 08:00-24:30", "error: bad window" },
	{ "minute 60", "Mon 08:60-09:00", "error: bad window" },
	{ "no day", "08:00-18:00", "error: bad window" },
	{ "bad day", "Xyz 08:00-18:00", "error: bad window" },
	{ "no space", "Mon08:00-18:00", "error: bad window" },
	{ "trailing", "Mon 08:00-18:00x", "error: bad window" },
	{ "always with more", "always, Mon 08:00-09:00",
	  "error: \"always\" must be the only item" },
	{ "more after never", "Mon 08:00-09:00, never",
	  "error: \"never\" must be the only item" },
};

static void
test_parse(void **state)
{
	const struct pcase *c = *state;
	char err[SCHEDULE_ERRLEN], got[512] = "";
	struct schedule *s = build(c->text, err, sizeof(err));

	if (s == NULL) {
		snprintf(got, sizeof(got), "error: %s", err);
		assert_non_null(strstr(got, c->want));
		return;
	}
	for (int i = 0; i < s->nitems; i++)
		tabletest_put(got, sizeof(got), "%s%s", i ? ", " : "",
		    s->items[i]);
	assert_string_equal(got, c->want);
	schedule_free(s);
}

/* ---- open at a moment, next opening and closing ---- */

struct ecase {
	const char	*name;
	const char	*zone;
	const char	*sched;
	const char	*now;		/* ISO, in zone unless it has one */
	int		 open;
	const char	*next_open;	/* as schedule_time_fmt, or "none" */
	const char	*next_close;
};

static const struct ecase ecases[] = {
	{ "weekday inside", "UTC", "Mon-Fri 08:00-18:00",
	  "2026-12-07T09:30", 1, "2026-12-08T08:00+00:00",
	  "2026-12-07T18:00+00:00" },
	{ "weekday before", "UTC", "Mon-Fri 08:00-18:00",
	  "2026-12-07T07:59:59", 0, "2026-12-07T08:00+00:00",
	  "2026-12-07T18:00+00:00" },
	{ "the opening minute is open", "UTC", "Mon-Fri 08:00-18:00",
	  "2026-12-07T08:00", 1, "2026-12-08T08:00+00:00",
	  "2026-12-07T18:00+00:00" },
	{ "the end minute is closed", "UTC", "Mon-Fri 08:00-18:00",
	  "2026-12-07T18:00", 0, "2026-12-08T08:00+00:00",
	  "2026-12-08T18:00+00:00" },
	{ "friday night to the weekend", "UTC", "Mon-Fri 08:00-18:00",
	  "2026-12-11T19:00", 0, "2026-12-14T08:00+00:00",
	  "2026-12-14T18:00+00:00" },
	{ "across midnight, before", "UTC", "Fri 22:00-02:00",
	  "2026-12-11T21:59", 0, "2026-12-11T22:00+00:00",
	  "2026-12-12T02:00+00:00" },
	{ "across midnight, friday", "UTC", "Fri 22:00-02:00",
	  "2026-12-11T23:30", 1, "2026-12-18T22:00+00:00",
	  "2026-12-12T02:00+00:00" },
	{ "across midnight, into saturday", "UTC", "Fri 22:00-02:00",
	  "2026-12-12T01:59", 1, "2026-12-18T22:00+00:00",
	  "2026-12-12T02:00+00:00" },
	{ "across midnight, saturday 02:00", "UTC", "Fri 22:00-02:00",
	  "2026-12-12T02:00", 0, "2026-12-18T22:00+00:00",
	  "2026-12-19T02:00+00:00" },
	{ "across the week's end", "UTC", "Sun 22:00-02:00",
	  "2026-12-14T01:00", 1, "2026-12-20T22:00+00:00",
	  "2026-12-14T02:00+00:00" },
	{ "wrapping range, sunday", "UTC", "Fri-Mon 09:00-10:00",
	  "2026-12-13T09:30", 1, "2026-12-14T09:00+00:00",
	  "2026-12-13T10:00+00:00" },
	{ "wrapping range, wednesday", "UTC", "Fri-Mon 09:00-10:00",
	  "2026-12-09T09:30", 0, "2026-12-11T09:00+00:00",
	  "2026-12-11T10:00+00:00" },
	{ "24:00 end", "UTC", "Sun 22:00-24:00", "2026-12-13T23:59", 1,
	  "2026-12-20T22:00+00:00", "2026-12-14T00:00+00:00" },
	{ "a whole day from 08:00", "UTC", "Mon 08:00-08:00",
	  "2026-12-08T07:00", 1, "2026-12-14T08:00+00:00",
	  "2026-12-08T08:00+00:00" },
	{ "always", "UTC", "always", "2026-12-07T09:30", 1, "none", "none" },
	{ "never", "UTC", "never", "2026-12-07T09:30", 0, "none", "none" },
	{ "every minute: no edge", "UTC", "Mon-Sun 00:00-24:00",
	  "2026-12-07T09:30", 1, "none", "none" },
	/* Berlin: the window's hours are local, the offset follows */
	{ "berlin winter", "Europe/Berlin", "Mon-Fri 08:00-18:00",
	  "2026-12-07T07:30Z", 1, "2026-12-08T08:00+01:00",
	  "2026-12-07T18:00+01:00" },
	{ "berlin summer", "Europe/Berlin", "Mon-Fri 08:00-18:00",
	  "2026-07-06T06:30Z", 1, "2026-07-07T08:00+02:00",
	  "2026-07-06T18:00+02:00" },
	/* 29 March 2026, 02:00 CET becomes 03:00 CEST: a window inside
	 * the skipped hour does not happen that day */
	{ "dst skipped hour: no window that day", "Europe/Berlin",
	  "Sun 02:00-03:00", "2026-03-28T12:00", 0,
	  "2026-04-05T02:00+02:00", "2026-04-05T03:00+02:00" },
	{ "dst skipped hour: a window over it closes at 03:00 CEST",
	  "Europe/Berlin", "Sun 01:00-02:30", "2026-03-29T01:30+01:00", 1,
	  "2026-04-05T01:00+02:00", "2026-03-29T03:00+02:00" },
	{ "dst skipped hour: a window from 02:30 opens at 03:00 CEST",
	  "Europe/Berlin", "Sun 02:30-04:00", "2026-03-29T01:30+01:00", 0,
	  "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00" },
	/* 25 October 2026, 03:00 CEST becomes 02:00 CET: the repeated
	 * hour is open both times, the window closes at 03:00 CET */
	{ "dst repeated hour, first time", "Europe/Berlin",
	  "Sun 02:00-03:00", "2026-10-25T00:30Z", 1,
	  "2026-11-01T02:00+01:00", "2026-10-25T03:00+01:00" },
	{ "dst repeated hour, second time", "Europe/Berlin",
	  "Sun 02:00-03:00", "2026-10-25T01:30Z", 1,
	  "2026-11-01T02:00+01:00", "2026-10-25T03:00+01:00" },
	{ "dst repeated hour, before", "Europe/Berlin", "Sun 02:00-03:00",
	  "2026-10-25T01:59+02:00", 0, "2026-10-25T02:00+02:00",
	  "2026-10-25T03:00+01:00" },
};

static void
test_edges(void **state)
{
	const struct ecase *c = *state;
	char err[SCHEDULE_ERRLEN], buf[SCHEDULE_TIMEFMT_LEN];
	struct schedule *s;
	time_t now, o, x;

	schedule_zone_set(c->zone);
	assert_non_null(s = build(c->sched, err, sizeof(err)));
	now = at(c->now);
	assert_int_equal(schedule_open(s, now), c->open);
	o = schedule_next(s, now, 1);
	x = schedule_next(s, now, 0);
	assert_string_equal(o == SCHEDULE_NONE ? "none" :
	    schedule_time_fmt(o, buf, sizeof(buf)), c->next_open);
	assert_string_equal(x == SCHEDULE_NONE ? "none" :
	    schedule_time_fmt(x, buf, sizeof(buf)), c->next_close);
	/* an edge is a change: open from it on, closed just before */
	if (o != SCHEDULE_NONE) {
		assert_true(o > now && o % 60 == 0);
		assert_int_equal(schedule_open(s, o), 1);
		assert_int_equal(schedule_open(s, o - 1), 0);
	}
	if (x != SCHEDULE_NONE) {
		assert_int_equal(schedule_open(s, x), 0);
		assert_int_equal(schedule_open(s, x - 1), 1);
	}
	schedule_free(s);
	schedule_zone_set("UTC");
}

/* ---- the time grammar of --at, the zone check ---- */

struct tcase {
	const char	*name;
	const char	*zone;
	const char	*text;
	long long	 want;		/* epoch; -1: an error */
};

static const struct tcase tcases[] = {
	{ "utc local", "UTC", "2026-12-07T09:30", 1796635800LL },
	{ "seconds", "UTC", "2026-12-07T09:30:15", 1796635815LL },
	{ "Z", "Europe/Berlin", "2026-12-07T09:30Z", 1796635800LL },
	{ "offset", "UTC", "2026-12-07T10:30+01:00", 1796635800LL },
	{ "offset without colon", "UTC", "2026-12-07T04:30-0500",
	  1796635800LL },
	{ "berlin local", "Europe/Berlin", "2026-12-07T10:30",
	  1796635800LL },
	{ "epoch", "Europe/Berlin", "@1796635800", 1796635800LL },
	{ "no T", "UTC", "2026-12-07 09:30", -1 },
	{ "month 13", "UTC", "2026-13-07T09:30", -1 },
	{ "hour 24", "UTC", "2026-12-07T24:00", -1 },
	{ "junk after", "UTC", "2026-12-07T09:30x", -1 },
	{ "empty epoch", "UTC", "@", -1 },
	{ "negative epoch", "UTC", "@-5", -1 },
};

static void
test_time(void **state)
{
	const struct tcase *c = *state;
	char err[SCHEDULE_ERRLEN];
	time_t t;
	int rc;

	schedule_zone_set(c->zone);
	rc = schedule_time_parse(c->text, &t, err, sizeof(err));
	if (c->want < 0) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err, "bad time"));
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal((long long)t, c->want);
	}
	schedule_zone_set("UTC");
}

static void
test_zone_valid(void **state)
{
	char err[SCHEDULE_ERRLEN];

	(void)state;
	assert_true(schedule_zone_valid("UTC", err, sizeof(err)));
	assert_true(schedule_zone_valid("Europe/Berlin", err, sizeof(err)));
	assert_true(schedule_zone_valid("America/New_York", err,
	    sizeof(err)));
	assert_false(schedule_zone_valid("Europe/Atlantis", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "unknown time zone \"Europe/Atlantis\""));
	assert_false(schedule_zone_valid("../etc/passwd", err, sizeof(err)));
	assert_non_null(strstr(err, "bad time zone name"));
	assert_false(schedule_zone_valid("/etc/localtime", err, sizeof(err)));
	assert_false(schedule_zone_valid("Europe", err, sizeof(err)));
	assert_false(schedule_zone_valid("", err, sizeof(err)));
}

/* ---- routing at a moment (route.h rule 9) ---- */

/* A and B by a cheap connector open on weekdays 08:00-18:00 and by a
 * dear path over C; D reached only by a connector open on Saturdays */
static const char topo_text[] =
    "[organization]\nname = S\nversion = 1\ntimezone = Europe/Berlin\n"
    "[group A]\n[group B]\n[group C]\n[group D]\n"
    "[server a1]\ngroup = A\naddress = 10.0.0.1\n"
    "[server b1]\ngroup = B\naddress = 10.0.0.2\nmailboxes = b.test\n"
    "[server c1]\ngroup = C\naddress = 10.0.0.3\n"
    "[server d1]\ngroup = D\naddress = 10.0.0.4\nmailboxes = d.test\n"
    "[connector A-B]\nfrom = A\nto = B\ncost = 1\n"
    "schedule = Mon-Fri 08:00-18:00\n"
    "[connector A-C]\nfrom = A\nto = C\ncost = 5\n"
    "[connector C-B]\nfrom = C\nto = B\ncost = 5\n"
    "[connector A-D]\nfrom = A\nto = D\ncost = 1\n"
    "schedule = Sat 09:00-12:00\n";

/* what a routing test decides on, in Berlin */
struct renv {
	struct topology		*t;
	struct linkstate	*ls;
	struct route_index	*ix;
};

static void
renv_load(struct renv *e)
{
	struct diag dg;

	schedule_zone_set("Europe/Berlin");
	diag_init(&dg);
	assert_non_null(e->t = topo_load_buf("s.conf", topo_text,
	    sizeof(topo_text) - 1, &dg));
	diag_free(&dg);
	e->ls = linkstate_new(e->t);
	e->ix = route_index_new(e->t);
}

static void
renv_free(struct renv *e)
{
	route_index_free(e->ix);
	linkstate_free(e->ls);
	topo_free(e->t);
	schedule_zone_set("UTC");
}

struct rcase {
	const char	*name;
	const char	*at;		/* Berlin time */
	int		 suppress;
	const char	*rcpt;
	const char	*want;		/* "action transport/first connector" */
};

static const struct rcase rcases[] = {
	{ "open: the cheap path", "2026-12-07T09:30", 0, "x@b.test",
	  "relay A-B" },
	{ "closed: the other path", "2026-12-07T19:30", 0, "x@b.test",
	  "relay A-C" },
	{ "closed with suppress_state_changes too", "2026-12-07T19:30", 1,
	  "x@b.test", "relay A-C" },
	{ "only path closed: waits at the point of failure",
	  "2026-12-07T09:30", 0, "x@d.test", "defer A-D" },
	{ "only path open", "2026-12-12T09:00", 0, "x@d.test", "relay A-D" },
};

static void
test_route_at(void **state)
{
	const struct rcase *c = *state;
	struct route_params p = { 0 };
	struct route_decision d;
	struct route_table *rt;
	struct renv e;
	char got[128];

	renv_load(&e);
	p.self = topo_find_server(e.t, "a1");
	p.suppress = c->suppress;
	p.transport = "smtp";
	p.hold_transport = "lsahold";
	p.at = at(c->at);
	rt = route_table_new(e.t, e.ix, e.ls, &p);
	route_decision_init(&d);
	route_decide(rt, c->rcpt, 0, 0, &d);
	snprintf(got, sizeof(got), "%s %s", route_action_name(d.action),
	    d.nconnectors > 0 ? e.t->connectors[d.connectors[0]].name : "-");
	assert_string_equal(got, c->want);
	if (d.action == ROUTE_DEFER) {
		assert_true(d.point_of_failure);
		assert_non_null(strstr(d.reason, "closed (schedule)"));
		assert_non_null(strstr(d.transport, "lsahold:"));
	}
	route_decision_free(&d);
	route_table_free(rt);
	renv_free(&e);
}

/*
 * A table answers for the moment it was made at: the next edge it names
 * is when a new one is due; a clock stepped back over an edge (or
 * forward over one) gives, in a new table, the answer of the new moment
 */
static void
test_route_edge_and_step(void **state)
{
	struct route_params p = { 0 };
	struct route_decision d;
	struct route_table *rt;
	struct renv e;
	char buf[SCHEDULE_TIMEFMT_LEN];
	const char *const moments[] = {
		"2026-12-07T17:59:59", "2026-12-07T18:00",	/* edge */
		"2026-12-07T09:00",	/* stepped back an hour and more */
		"2026-12-08T07:59",	/* stepped forward a night */
	};
	const char *const want[] = { "A-B", "A-C", "A-B", "A-C" };

	(void)state;
	renv_load(&e);
	p.self = topo_find_server(e.t, "a1");
	p.transport = "smtp";
	route_decision_init(&d);
	for (size_t i = 0; i < nitems(moments); i++) {
		p.at = at(moments[i]);
		rt = route_table_new(e.t, e.ix, e.ls, &p);
		route_decide(rt, "x@b.test", 0, 0, &d);
		assert_string_equal(e.t->connectors[d.connectors[0]].name,
		    want[i]);
		if (i == 0)
			assert_string_equal(schedule_time_fmt(
			    route_table_next_edge(rt), buf, sizeof(buf)),
			    "2026-12-07T18:00+01:00");
		route_table_free(rt);
	}
	route_decision_free(&d);
	renv_free(&e);
}

/* a bidirectional connector's reverse has the same hours, its own copy */
static void
test_reverse_copy(void **state)
{
	static const char text[] =
	    "[organization]\nname = S\nversion = 1\n[group A]\n[group B]\n"
	    "[server a1]\ngroup = A\naddress = 10.0.0.1\n"
	    "[server b1]\ngroup = B\naddress = 10.0.0.2\n"
	    "[connector A-B]\nfrom = A\nto = B\nbidirectional = yes\n"
	    "schedule = Mon-Fri 08:00-18:00, Sat 09:00-12:00\n";
	const struct topo_connector *c, *r;
	struct topology *t;
	struct diag dg;

	(void)state;
	diag_init(&dg);
	assert_non_null(t = topo_load_buf("s.conf", text, sizeof(text) - 1,
	    &dg));
	diag_free(&dg);
	c = &t->connectors[topo_find_connector(t, "A-B")];
	r = &t->connectors[topo_find_connector(t, "A-B~reverse")];
	assert_non_null(r->schedule);
	assert_ptr_not_equal(r->schedule, c->schedule);
	assert_int_equal(r->schedule->nitems, 2);
	assert_string_equal(r->schedule->items[1], "Sat 09:00-12:00");
	assert_memory_equal(r->schedule->week, c->schedule->week,
	    sizeof(c->schedule->week));
	topo_free(t);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_reverse_copy),
	cmocka_unit_test(test_zone_valid),
	cmocka_unit_test(test_route_edge_and_step),
};

int
main(void)
{
	struct CMUnitTest t[nitems(pcases) + nitems(ecases) + nitems(tcases) +
	    nitems(rcases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(t, n, test_parse, pcases);
	n = ADD_TABLE(t, n, test_edges, ecases);
	n = ADD_TABLE(t, n, test_time, tcases);
	n = ADD_TABLE(t, n, test_route_at, rcases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		t[n++] = fixed_tests[i];
	return _cmocka_run_group_tests("schedule", t, n, NULL, NULL);
}
