/*
 * reroute.c - rerouting now: when this server's routing changes, Postfix
 * retries the deferred mail whose route changed at once, instead of at
 * the end of its backoff time. Nothing is bounced, held or deleted: the
 * only commands run are postqueue -j, -i ID and -f, and postkick public
 * qmgr F.
 *
 * Every LST change (the link monitor's local overlay included) calls
 * reroute_changed(), and so does a connector opening or closing by its
 * schedule (schedtimer.c). A pass, at most one per reroute_interval (changes
 * during a pass or the wait make one more pass):
 *   1. the routing now (topology in force, link state with the overlay)
 *      is compared with the routing of the last pass; when the two are
 *      the same nothing is run;
 *   2. `postqueue [-c postfix_config_dir] -j` lists the queue (pqlist.h);
 *   3. each recipient of each message is decided with both routings, as
 *      lsa-policyd would answer it (route_decide_sender, rotation 0); a
 *      message with a recipient whose answer changed (action, status or
 *      next-hop list), or whose path now has a link or a next hop back
 *      up that was down (mail waiting for it, wherever it waits), is
 *      affected, and so is one deferred by a loop refusal (450 4.4.6:
 *      the next server saw the link state otherwise; rechecks retry
 *      those too, as long as they run after a change);
 *   4. affected deferred messages are retried, `postqueue -i ID` one at
 *      a time; when they are more than one and more than
 *      reroute_flush_percent of the deferred messages, or more than
 *      REROUTE_EACH_MAX, one `postqueue -f` instead (it also clears
 *      qmgr's dead destinations, and costs other mail: not the default);
 *   5. affected messages in the active queue keep the route they had;
 *      when qmgr has found that route's destination dead it keeps them
 *      there, unattempted, until its backoff ends: so `postkick
 *      [-c postfix_config_dir] public qmgr F` (reroute_kick_command)
 *      has qmgr forget its dead destinations, they are attempted again,
 *      fail on the old route or go, and the rechecks below move what
 *      failed (a recheck that finds some of them still active kicks
 *      again); so does a pass after a change that can release mail
 *      (reroute_releases: a link back up), queue or not, since mail
 *      that arrives next goes to a destination qmgr may still hold
 *      dead, and a recheck of such a change that finds mail active;
 *   6. the retried messages and the affected messages in the active
 *      queue (they keep their old route until that attempt ends, which
 *      may fail: the next server refuses mail it would send straight
 *      back, 450 4.4.6) are remembered and rechecked: after
 *      reroute_interval, then twice as long each time, those now
 *      deferred are retried unless every recipient would only be held
 *      again, so mail that an attempt on its old route left deferred
 *      does not wait out Postfix's backoff; the last recheck comes at
 *      reroute_recheck (31 s: qmgr's resolver client caches the last
 *      (sender, recipient) route for 30 s, so a retry within 30 s of
 *      the last attempt may use the old route) and retries every one
 *      still deferred, then the list is dropped;
 *   7. held mail (deferred by defer_transports: lsa-policyd's hold
 *      transport; Postfix never retries it by itself) is retried by a
 *      pass or recheck whenever the routing now would not hold it. A
 *      change that can release held mail (reroute_releases) starts the
 *      rechecks even with nothing remembered: lsa-policyd reads the new
 *      snapshot up to its snapshot_check_interval later, and holds what
 *      arrives meanwhile.
 * A listing that fails (Postfix down) is logged and the pass ends; the
 * routing compared next time is still the old one, so the next change
 * catches up. A listing over REROUTE_LIST_MAX bytes is not read: flush.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_priv.h"
#include "log.h"
#include "pqlist.h"
#include "reroute.h"
#include "route_params.h"
#include "route.h"
#include "route_index.h"
#include "schedtimer.h"
#include "child.h"
#include "xmalloc.h"

#define REROUTE_EACH_MAX	1000		/* -i calls in one go */
#define REROUTE_LIST_MAX	(64u << 20)	/* bytes of postqueue -j */
#define REROUTE_LIST_MS		60000		/* postqueue -j, at most */
#define REROUTE_CMD_MS		10000		/* postqueue -i or -f */
#define REROUTE_KICK		"kick"		/* a todo entry: postkick */

struct reroute_view {			/* one routing, for comparisons */
	struct topology		*t;
	struct route_index	*ix;
	struct linkstate	*ls;
	struct route_table	*rt;
	time_t			 at;	/* schedules read at (schedtimer) */
};

struct reroute_ids {
	char	**v;
	int	  n;
};

struct reroute {
	struct agent		*a;
	struct reroute_view	*base;	/* the routing of the last pass */
	struct reroute_view	*now;	/* the pass's routing */
	struct event		*pass_ev;
	struct event		*recheck_ev;
	struct child		*sp;
	int			 running; /* a pass or a recheck */
	int			 rechecking;
	int			 dirty;	/* changed since the pass started */
	int			 recheck_due;
	int			 recheck_last; /* the next recheck is the last */
	int			 sweep;	/* rechecks also release held mail */
	int			 kick;	/* this pass kicks qmgr: a release */
	uint64_t		 recheck_wait; /* ms before the next recheck */
	uint64_t		 recheck_from; /* the rechecks began, ms */
	uint64_t		 last_ms; /* the last pass started */
	struct reroute_ids	 todo;	/* ids to -i; or "-f" alone */
	int			 next;	/* in todo */
	struct reroute_ids	 recheck;
	struct reroute_stats	 stats;
};

/* reroute_ids_add - append a copy of id */
static void
reroute_ids_add(struct reroute_ids *l, const char *id)
{
	l->v = xreallocarray(l->v, (size_t)l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(id);
}

/* reroute_ids_has - id is in l */
static int
reroute_ids_has(const struct reroute_ids *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i], id) == 0)
			return 1;
	return 0;
}

/* reroute_ids_clear - free every id */
static void
reroute_ids_clear(struct reroute_ids *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* reroute_view_free - NULL is fine */
static void
reroute_view_free(struct reroute_view *v)
{
	if (v == NULL)
		return;
	route_table_free(v->rt);
	route_index_free(v->ix);
	linkstate_free(v->ls);
	topo_free(v->t);
	free(v);
}

/* reroute_view_new - the agent's routing now (own copies); NULL when
 * this server is not in the topology in force */
static struct reroute_view *
reroute_view_new(struct agent *a)
{
	struct reroute_view *v;
	struct route_params p;
	struct diag d;

	if (a->self_idx < 0)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	diag_init(&d);
	v->t = topo_load_buf("topology in force", a->topo_text,
	    strlen(a->topo_text), &d);
	diag_free(&d);
	if (v->t == NULL) {
		free(v);
		return NULL;
	}
	v->ls = linkstate_copy(a->ls, v->t);
	v->at = schedtimer_now(a);
	route_params_from_settings(&p, a->set, topo_find_server(v->t,
	    a->self), v->at);
	v->ix = route_index_new(v->t);
	v->rt = route_table_new(v->t, v->ix, v->ls, &p);
	return v;
}

/* reroute_opened - connector c is closed by its schedule in x and open
 * in y (both of one topology version) */
static int
reroute_opened(const struct reroute_view *x, const struct reroute_view *y,
    int c)
{
	const struct schedule *s = y->t->connectors[c].schedule;

	return !schedule_open(s, x->at) && schedule_open(s, y->at);
}

/* reroute_view_same - the two give the same answers (same topology
 * version, link state and connectors open) */
static int
reroute_view_same(const struct reroute_view *x, const struct reroute_view *y)
{
	if (x == NULL || y == NULL || x->t->version != y->t->version ||
	    !linkstate_equal(x->ls, y->ls, x->t))
		return 0;
	for (int c = 0; c < y->t->nconnectors; c++)
		if (schedule_open(y->t->connectors[c].schedule, x->at) !=
		    schedule_open(y->t->connectors[c].schedule, y->at))
			return 0;
	return 1;
}

/*
 * reroute_recovered - a connector on d's path (of the routing now) had a
 * source down in the base routing and has it up now, or a next hop was
 * down and is up: mail waiting here for that path (refused by the next
 * server, waiting out a backoff) goes now, even where the answer itself
 * did not change
 */
static int
reroute_recovered(const struct reroute *r, const struct route_decision *d)
{
	const struct linkstate *was = r->base->ls, *is = r->now->ls;
	const struct topology *t = r->now->t;

	if (d->action != ROUTE_RELAY || r->base->t->version != t->version)
		return 0;
	for (int i = 0; i < d->nconnectors; i++) {
		int c = d->connectors[i];

		if (reroute_opened(r->base, r->now, c))
			return 1;
		for (int k = 0; k < t->connectors[c].sources.n; k++)
			if (was->source_down[c][k] != LINKSTATE_UP &&
			    is->source_down[c][k] == LINKSTATE_UP)
				return 1;
	}
	for (int i = 0; i < d->nhosts; i++) {
		int s = topo_find_server(t, d->hosts[i].name);

		if (s >= 0 && was->server_down[s] && !is->server_down[s])
			return 1;
	}
	return 0;
}

/*
 * reroute_releases - the change from x to y may let held mail go: a new
 * topology, a source that was not up changed state (down here only to
 * down everywhere hands over; down to up opens a path), a connector
 * opened by its schedule, or a server came back. Going down never
 * releases anything.
 */
static int
reroute_releases(const struct reroute_view *x, const struct reroute_view *y)
{
	const struct topology *t = y->t;

	if (x->t->version != t->version)
		return 1;
	for (int c = 0; c < t->nconnectors; c++)
		if (reroute_opened(x, y, c))
			return 1;
	for (int c = 0; c < t->nconnectors; c++)
		for (int k = 0; k < t->connectors[c].sources.n; k++)
			if (x->ls->source_down[c][k] != LINKSTATE_UP &&
			    x->ls->source_down[c][k] !=
			    y->ls->source_down[c][k])
				return 1;
	for (int s = 0; s < t->nservers; s++)
		if (x->ls->server_down[s] && !y->ls->server_down[s])
			return 1;
	return 0;
}

/* reroute_affected - a recipient of m is routed differently now, or its
 * path has just recovered */
static int
reroute_affected(struct reroute *r, const struct pq_msg *m)
{
	struct route_decision d0, d1;
	int changed = 0;

	route_decision_init(&d0);
	route_decision_init(&d1);
	for (int i = 0; i < m->nrcpts && !changed; i++) {
		route_decide_sender(r->base->rt, m->sender, m->rcpts[i], 0, 0,
		    &d0);
		route_decide_sender(r->now->rt, m->sender, m->rcpts[i], 0, 0,
		    &d1);
		changed = d0.action != d1.action ||
		    strcmp(d0.status, d1.status) != 0 ||
		    strcmp(d0.transport ? d0.transport : "",
		    d1.transport ? d1.transport : "") != 0 ||
		    reroute_recovered(r, &d1);
	}
	route_decision_free(&d0);
	route_decision_free(&d1);
	return changed;
}

/* reroute_held - every recipient of m is held here in routing v: a
 * retry would only hold it again */
static int
reroute_held(const struct reroute_view *v, const struct pq_msg *m)
{
	struct route_decision d;
	int held = 1;

	if (v == NULL)
		return 0;
	route_decision_init(&d);
	for (int i = 0; i < m->nrcpts && held; i++) {
		route_decide_sender(v->rt, m->sender, m->rcpts[i], 0, 0,
		    &d);
		held = d.action == ROUTE_DEFER;
	}
	route_decision_free(&d);
	return held;
}

struct reroute_scan {			/* one listing */
	struct reroute	*r;
	int		 listed;
	int		 deferred;
	int		 affected;
	int		 active;	/* affected, in the active queue */
	int		 bad;
};

/* reroute_scan_msg - pqlist_split callback */
static void
reroute_scan_msg(void *arg, int ok, const struct pq_msg *m, const char *err,
    size_t lineno)
{
	struct reroute_scan *sc = arg;
	struct reroute *r = sc->r;
	int deferred;

	if (!ok) {
		if (sc->bad++ == 0)
			log_warnx("reroute server=%s postqueue -j line %zu: %s",
			    r->a->self, lineno, err);
		return;
	}
	sc->listed++;
	deferred = strcmp(m->queue_name, "deferred") == 0;
	sc->deferred += deferred;
	if (r->rechecking) {
		/*
		 * refused as a loop (450 4.4.6): the next server saw the
		 * link state otherwise a moment ago; while rechecks run
		 * (after a change) it is retried like the rest
		 */
		if (deferred && m->loop_refused &&
		    !reroute_ids_has(&r->recheck, m->queue_id))
			reroute_ids_add(&r->recheck, m->queue_id);
		if (!reroute_ids_has(&r->recheck, m->queue_id)) {
			/* held meanwhile by a lsa-policyd still on the old
			 * snapshot: only we retry held mail */
			if (deferred && m->held && !reroute_held(r->base, m))
				reroute_ids_add(&r->todo, m->queue_id);
			/* after a release, mail that came since and waits in
			 * the active queue may wait for a destination qmgr
			 * still holds dead */
			sc->active += r->sweep &&
			    strcmp(m->queue_name, "active") == 0;
			return;
		}
		if (deferred && (r->recheck_last || !reroute_held(r->base,
		    m)))
			reroute_ids_add(&r->todo, m->queue_id);
		/* still active: its old route's destination may be dead */
		sc->active += strcmp(m->queue_name, "active") == 0;
		return;
	}
	if (deferred && m->loop_refused) {
		/* refused as a loop: the views agree better now; retry */
		sc->affected++;
		reroute_ids_add(&r->todo, m->queue_id);
		if (!reroute_ids_has(&r->recheck, m->queue_id))
			reroute_ids_add(&r->recheck, m->queue_id);
		return;
	}
	if ((!deferred && strcmp(m->queue_name, "active") != 0) ||
	    (!reroute_affected(r, m) && !(deferred && m->held &&
	    !reroute_held(r->now, m))))
		return;
	sc->affected++;
	sc->active += !deferred;
	if (deferred)
		reroute_ids_add(&r->todo, m->queue_id);
	if (!reroute_ids_has(&r->recheck, m->queue_id))
		reroute_ids_add(&r->recheck, m->queue_id);
}

static void reroute_step(struct reroute *r);
static void reroute_schedule(struct reroute *r);

/* reroute_run - run postqueue with one or two arguments, or (opt
 * REROUTE_KICK) postkick ... public qmgr F */
static int
reroute_run(struct reroute *r, const char *opt, const char *id,
    size_t max_out, uint64_t timeout_ms, child_done_fn done)
{
	const struct settings *set = r->a->set;
	int kick = strcmp(opt, REROUTE_KICK) == 0;
	char *argv[8];
	int n = 0;

	argv[n++] = kick ? set->reroute_kick_command : set->reroute_command;
	if (set->postfix_config_dir[0] != '\0') {
		argv[n++] = (char *)"-c";
		argv[n++] = set->postfix_config_dir;
	}
	if (kick) {
		argv[n++] = (char *)"public";
		argv[n++] = (char *)"qmgr";
		argv[n++] = (char *)"F";
	} else
		argv[n++] = (char *)opt;
	if (id != NULL)
		argv[n++] = (char *)id;
	argv[n] = NULL;
	r->sp = child_run(r->a->base, argv, max_out, timeout_ms, done, r);
	if (r->sp == NULL) {
		log_warnx("reroute server=%s %s %s: cannot run: %s",
		    r->a->self, set->reroute_command, opt, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * reroute_recheck_next - arm the next recheck: recheck_wait from now,
 * doubled each time, and the last one at reroute_recheck after the
 * sequence began
 */
static void
reroute_recheck_next(struct reroute *r)
{
	uint64_t end = r->recheck_from + r->a->set->reroute_recheck;
	uint64_t now = agent_now_ms(), wait = r->recheck_wait;

	r->recheck_last = now + wait >= end;
	if (r->recheck_last)
		wait = end > now ? end - now : 0;
	r->recheck_wait *= 2;
	agent_after(r->recheck_ev, wait);
}

/* reroute_end - the pass or recheck is over */
static void
reroute_end(struct reroute *r)
{
	reroute_ids_clear(&r->todo);
	r->next = 0;
	r->running = 0;
	if (r->rechecking) {
		r->rechecking = 0;
		if (r->recheck_last) {
			reroute_ids_clear(&r->recheck);
			r->sweep = 0;
		}
		else
			reroute_recheck_next(r);
	} else if (r->recheck.n > 0 || r->sweep) {
		/* a new sequence of rechecks, from this pass */
		r->recheck_from = agent_now_ms();
		r->recheck_wait = r->a->set->reroute_interval;
		reroute_recheck_next(r);
	}
	if (r->recheck_due) {
		r->recheck_due = 0;
		agent_after(r->recheck_ev, 0);
	}
	if (r->dirty)
		reroute_schedule(r);
}

/* reroute_fail - no listing: nothing retried; a pass keeps the old
 * routing to compare with next time */
static void
reroute_fail(struct reroute *r)
{
	if (!r->rechecking) {
		reroute_view_free(r->now);
		r->now = NULL;
	}
	reroute_end(r);
}

/* reroute_cmd_done - one -i or -f ended */
static void
reroute_cmd_done(void *arg, int status, const char *out, size_t len)
{
	struct reroute *r = arg;

	(void)out;
	(void)len;
	r->sp = NULL;
	if (status != 0)	/* a message gone meanwhile is no news */
		log_debug("reroute server=%s postqueue %s %s: status %d",
		    r->a->self, strcmp(r->todo.v[r->next], "-f") == 0 ||
		    strcmp(r->todo.v[r->next], REROUTE_KICK) == 0 ? "" : "-i",
		    r->todo.v[r->next], status);
	r->next++;
	reroute_step(r);
}

/* reroute_step - run the next retry command, or end */
static void
reroute_step(struct reroute *r)
{
	for (; r->next < r->todo.n; r->next++) {
		const char *id = r->todo.v[r->next];
		int flush = strcmp(id, "-f") == 0;
		int kick = strcmp(id, REROUTE_KICK) == 0;

		if (kick)
			r->stats.kicks++;
		else if (flush)
			r->stats.flushes++;
		else
			r->stats.retried++;
		if (reroute_run(r, kick ? REROUTE_KICK : flush ? "-f" : "-i",
		    kick || flush ? NULL : id, 4096, REROUTE_CMD_MS,
		    reroute_cmd_done) == 0)
			return;
	}
	reroute_end(r);
}

/* reroute_plan - -i each, or one -f (see top); first the kick when
 * affected mail is in the active queue (-f kicks qmgr itself) */
static void
reroute_plan(struct reroute *r, int deferred, int active, int forced_flush)
{
	uint64_t pct = r->a->set->reroute_flush_percent;
	int n = r->todo.n;

	if (forced_flush || n > REROUTE_EACH_MAX ||
	    (n > 1 && (uint64_t)n * 100 > (uint64_t)deferred * pct)) {
		reroute_ids_clear(&r->todo);
		reroute_ids_add(&r->todo, "-f");
	} else if ((active > 0 || r->kick) &&
	    r->a->set->reroute_kick_command[0] != '\0') {
		/* first: the retries then find qmgr's queues open */
		struct reroute_ids l = { NULL, 0 };

		reroute_ids_add(&l, REROUTE_KICK);
		for (int i = 0; i < r->todo.n; i++)
			reroute_ids_add(&l, r->todo.v[i]);
		reroute_ids_clear(&r->todo);
		r->todo = l;
	}
	r->kick = 0;
	r->next = 0;
	reroute_step(r);
}

/* reroute_list_done - postqueue -j ended: pick, then retry */
static void
reroute_list_done(void *arg, int status, const char *out, size_t len)
{
	struct reroute *r = arg;
	struct reroute_scan sc = { r, 0, 0, 0, 0, 0 };
	int too_big = len > REROUTE_LIST_MAX;

	r->sp = NULL;
	if (status != 0 && !too_big) {
		log_warnx("reroute server=%s postqueue -j failed (status %d): "
		    "nothing retried", r->a->self, status);
		reroute_fail(r);
		return;
	}
	if (!too_big)
		pqlist_split(out, len, reroute_scan_msg, &sc);
	r->stats.listed += (uint64_t)sc.listed;
	if (!r->rechecking) {
		r->stats.affected += (uint64_t)sc.affected;
		reroute_view_free(r->base);
		r->base = r->now;
		r->now = NULL;
	}
	log_info("reroute server=%s %s listed=%d deferred=%d affected=%d "
	    "retry=%d%s bad_lines=%d", r->a->self, r->rechecking ? "recheck" :
	    "pass", sc.listed, sc.deferred, sc.affected, r->todo.n,
	    too_big ? " listing_too_big" : "", sc.bad);
	reroute_plan(r, sc.deferred, sc.active, too_big);
}

/* reroute_list - start postqueue -j */
static void
reroute_list(struct reroute *r)
{
	r->running = 1;
	if (reroute_run(r, "-j", NULL, REROUTE_LIST_MAX, REROUTE_LIST_MS,
	    reroute_list_done) < 0)
		reroute_fail(r);
}

/* reroute_pass_cb - time for a pass */
static void
reroute_pass_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct reroute *r = arg;

	(void)fd;
	(void)ev;
	if (r->running)
		return;		/* reroute_end() schedules again */
	r->dirty = 0;
	r->last_ms = agent_now_ms();
	r->now = reroute_view_new(r->a);
	if (r->now == NULL || r->base == NULL ||
	    reroute_view_same(r->base, r->now)) {
		/* no routing to compare with, or nothing to see */
		if (r->base == NULL) {
			r->base = r->now;
			r->now = NULL;
		}
		reroute_view_free(r->now);
		r->now = NULL;
		return;
	}
	r->stats.passes++;
	if (reroute_releases(r->base, r->now))
		r->sweep = r->kick = 1;	/* qmgr may hold the way dead */
	reroute_list(r);
}

/* reroute_recheck_cb - time for a recheck */
static void
reroute_recheck_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct reroute *r = arg;

	(void)fd;
	(void)ev;
	if (r->running) {
		r->recheck_due = 1;
		return;
	}
	if (r->recheck.n == 0 && !r->sweep)
		return;
	r->rechecking = 1;
	r->stats.rechecks++;
	reroute_list(r);
}

/* reroute_schedule - a pass now, or when the interval allows */
static void
reroute_schedule(struct reroute *r)
{
	uint64_t now = agent_now_ms(), at = r->last_ms +
	    r->a->set->reroute_interval;

	if (r->last_ms == 0)
		at = now;
	if (!evtimer_pending(r->pass_ev, NULL))
		agent_after(r->pass_ev, at > now ? at - now : 0);
}

/* reroute_changed - see reroute.h */
void
reroute_changed(struct agent *a)
{
	struct reroute *r = a->reroute;

	if (r == NULL)
		return;
	r->dirty = 1;
	if (!r->running)
		reroute_schedule(r);
}

/* reroute_new - see reroute.h */
struct reroute *
reroute_new(struct agent *a)
{
	struct reroute *r;

	if (a->set->reroute_command[0] == '\0')
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->a = a;
	r->base = reroute_view_new(a);
	r->pass_ev = evtimer_new(a->base, reroute_pass_cb, r);
	r->recheck_ev = evtimer_new(a->base, reroute_recheck_cb, r);
	return r;
}

/* reroute_free - see reroute.h */
void
reroute_free(struct reroute *r)
{
	if (r == NULL)
		return;
	child_cancel(r->sp);
	event_free(r->pass_ev);
	event_free(r->recheck_ev);
	reroute_view_free(r->base);
	reroute_view_free(r->now);
	reroute_ids_clear(&r->todo);
	reroute_ids_clear(&r->recheck);
	free(r);
}

/* reroute_stats - see reroute.h */
const struct reroute_stats *
reroute_stats(const struct reroute *r)
{
	return r != NULL ? &r->stats : NULL;
}
