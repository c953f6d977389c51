/*
 * schedtimer.c - connectors opening and closing by their schedules
 * (schedule.h): mail waiting for a connector leaves when it opens.
 *
 * Nothing floods: every server computes a connector's hours from the
 * topology and its clock (route.h rule 9). What the agent adds is the
 * moment: a timer on the next edge of any schedule in the topology in
 * force, which logs each connector that opened or closed and makes a
 * reroute pass (reroute_changed), as a link change does, so held and
 * deferred mail is retried at once.
 *
 * The wall clock may step (an NTP correction, an operator): the timer
 * also ticks every SCHEDTIMER_TICK_MS and compares each connector's
 * state now with the state it last saw, so a step over an edge, either
 * way, is caught within a tick; a step is also a reason to compute the
 * next edge again. The clock is agent_conf's wall (tests), else the
 * real one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent_priv.h"
#include "log.h"
#include "reroute.h"
#include "schedtimer.h"
#include "xmalloc.h"

#define SCHEDTIMER_TICK_MS	1000	/* a step is seen within this */

struct schedtimer {
	struct agent	*a;
	struct event	*ev;
	uint64_t	 version;	/* of the topology the states are
					   for */
	unsigned char	*open;		/* per connector, at last_ms */
	int64_t		 last_ms;	/* the wall clock at the last tick */
	time_t		 edge;		/* next edge, SCHEDULE_NONE */
	uint64_t	 edges;		/* edges seen (tests, status) */
};

/* schedtimer_wall_ms - the wall clock the schedules are read with */
static int64_t
schedtimer_wall_ms(const struct agent *a)
{
	return a->conf.wall != NULL ? a->conf.wall(a->conf.arg) :
	    (int64_t)agent_wall_ms();
}

/* schedtimer_floor - seconds of a wall time in ms, rounded down */
static time_t
schedtimer_floor(int64_t ms)
{
	return (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
}

/* schedtimer_track - start over with the topology in force */
static void
schedtimer_track(struct schedtimer *st, time_t now)
{
	const struct topology *t = st->a->topo;

	free(st->open);
	st->version = t->version;
	st->open = xcalloc((size_t)t->nconnectors + 1, 1);
	for (int ci = 0; ci < t->nconnectors; ci++)
		st->open[ci] = (unsigned char)schedule_open(
		    t->connectors[ci].schedule, now);
	st->edge = schedule_topo_next(t, now);
}

/* schedtimer_arm - the next tick: a second, or the edge if sooner */
static void
schedtimer_arm(struct schedtimer *st, int64_t now_ms)
{
	uint64_t wait = SCHEDTIMER_TICK_MS;

	if (st->edge != SCHEDULE_NONE) {
		int64_t to = (int64_t)st->edge * 1000 - now_ms;

		if (to < (int64_t)wait)
			wait = to > 0 ? (uint64_t)to : 0;
	}
	log_debug("schedule server=%s tick_in=%" PRIu64 "ms next_edge=%lld",
	    st->a->self, wait, (long long)st->edge);
	agent_after(st->ev, wait);
}

/* schedtimer_cb - a tick: log and reroute what opened or closed */
static void
schedtimer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct schedtimer *st = arg;
	struct agent *a = st->a;
	int64_t now_ms = schedtimer_wall_ms(a);
	time_t now = schedtimer_floor(now_ms);
	const struct topology *t = a->topo;
	int changed = 0, stepped;

	(void)fd;
	(void)ev;
	if (t->version != st->version) {
		/* a new topology: its own change reroutes, at this moment;
		 * the same version again has the same connectors */
		schedtimer_track(st, now);
		st->last_ms = now_ms;
		schedtimer_arm(st, now_ms);
		return;
	}
	stepped = now_ms < st->last_ms ||
	    now_ms > st->last_ms + 3 * SCHEDTIMER_TICK_MS;
	for (int ci = 0; ci < t->nconnectors; ci++) {
		const struct topo_connector *c = &t->connectors[ci];
		int open = schedule_open(c->schedule, now);
		char when[SCHEDULE_TIMEFMT_LEN];

		if (open == st->open[ci])
			continue;
		st->open[ci] = (unsigned char)open;
		changed = 1;
		log_info("schedule server=%s connector=%s state=%s at=%s%s",
		    a->self, c->name, open ? "open" : "closed",
		    schedule_time_fmt(now, when, sizeof(when)),
		    stepped ? " clock_step=yes" : "");
	}
	if (changed || stepped || (st->edge != SCHEDULE_NONE &&
	    now >= st->edge))
		st->edge = schedule_topo_next(t, now);
	st->last_ms = now_ms;
	if (changed) {
		st->edges++;
		reroute_changed(a);
	}
	schedtimer_arm(st, now_ms);
}

/* schedtimer_new - see schedtimer.h */
struct schedtimer *
schedtimer_new(struct agent *a)
{
	struct schedtimer *st = xcalloc(1, sizeof(*st));

	st->a = a;
	st->ev = evtimer_new(a->base, schedtimer_cb, st);
	st->last_ms = schedtimer_wall_ms(a);
	schedtimer_track(st, schedtimer_floor(st->last_ms));
	schedtimer_arm(st, st->last_ms);
	return st;
}

/* schedtimer_free - see schedtimer.h */
void
schedtimer_free(struct schedtimer *st)
{
	if (st == NULL)
		return;
	event_free(st->ev);
	free(st->open);
	free(st);
}

/* schedtimer_edges - see schedtimer.h */
uint64_t
schedtimer_edges(const struct schedtimer *st)
{
	return st != NULL ? st->edges : 0;
}

/* schedtimer_now - see schedtimer.h */
time_t
schedtimer_now(const struct agent *a)
{
	return schedtimer_floor(schedtimer_wall_ms(a));
}
