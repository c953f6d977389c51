/*
 * agent_status.c - what `lsactl status` and `lsactl show lst` print, as
 * JSON (the control socket's replies; lsactl formats them).
 *
 * status: {"server","group","role","master","topology_version",
 *          "lst_version","digest","records","epoch",
 *          "peers":[{"name","state","initiator","since_ms","bytes_out"}],
 *          "stats":{...agent_stats...},
 *          "reroute":{...reroute_stats...} (when rerouting is on),
 *          "state_write":null, or when writing lst.json or the
 *          snapshot fails: {"failing_since_ms" (wall clock),
 *          "retry_ms", "error"},
 *          "schedules":[{"connector","open","next"}] (every connector
 *          with a schedule other than always: open now by the
 *          schedtimer's clock, and its next opening or closing in the
 *          organization's time zone, null when none within
 *          SCHEDULE_HORIZON),
 *          "transports_missing": limited connectors of this server
 *          whose Postfix transport master.cf lacks (-1: master.cf not
 *          readable)}
 *   role: "master", "backup" (a backup master) or "member"
 * lst:    {"server","digest","records":[{"key","kind","origin","seq",
 *          "state"|"version","age_ms"}]}
 *   age_ms: from the origin's clock ("t", at most LSREC_TIME_MAX when
 *   decoded); clamped for display: a time ahead of ours (clock skew) is
 *   age 0, a time before AGENT_STATUS_TIME_MIN (no real clock) is null
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent_priv.h"
#include "schedtimer.h"
#include "schedule.h"
#include "xmalloc.h"

#define AGENT_STATUS_TIME_MIN	INT64_C(1577836800000)	/* 2020-01-01 */

/* agent_status_dump - compact JSON text of o (released) */
static char *
agent_status_dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s;
}

/* agent_status_schedules - "schedules": the scheduled connectors now */
static void
agent_status_schedules(struct agent *a, json_t *o)
{
	const struct topology *t = a->topo;
	json_t *arr = json_array();
	time_t now = schedtimer_now(a);

	for (int i = 0; i < t->nconnectors; i++) {
		const struct topo_connector *c = &t->connectors[i];
		char when[SCHEDULE_TIMEFMT_LEN];
		time_t next;
		int open;

		if (c->schedule == NULL || c->schedule->kind == SCHEDULE_ALWAYS)
			continue;
		open = schedule_open(c->schedule, now);
		next = schedule_next(c->schedule, now, !open);
		json_array_append_new(arr, json_pack("{sssbso}", "connector",
		    c->name, "open", open, "next", next == SCHEDULE_NONE ?
		    json_null() : json_string(schedule_time_fmt(next, when,
		    sizeof(when)))));
	}
	json_object_set_new(o, "schedules", arr);
}

/* agent_status_json - see agent.h */
char *
agent_status_json(struct agent *a)
{
	const struct topology *t = a->topo;
	json_t *o = json_object(), *peers = json_array(), *st;
	const struct peer *p;
	uint64_t now = agent_now_ms();
	int g = a->self_idx >= 0 ? t->servers[a->self_idx].group : -1;

	json_object_set_new(o, "server", json_string(a->self));
	json_object_set_new(o, "group", g >= 0 ?
	    json_string(t->groups[g].name) : json_null());
	json_object_set_new(o, "role", json_string(agent_is_master(a) ?
	    "master" : g >= 0 && topo_list_has(&t->groups[g].backups,
	    a->self_idx) ? "backup" : "member"));
	json_object_set_new(o, "master", g >= 0 ?
	    json_string(t->servers[t->groups[g].master].name) : json_null());
	json_object_set_new(o, "topology_version",
	    json_integer((json_int_t)t->version));
	json_object_set_new(o, "lst_version",
	    json_integer((json_int_t)a->lst_version));
	json_object_set_new(o, "digest", json_string(lsdb_digest(a->db)));
	json_object_set_new(o, "records",
	    json_integer((json_int_t)lsdb_count(a->db)));
	json_object_set_new(o, "epoch", json_integer(a->epoch));
	TAILQ_FOREACH(p, &a->peers, entry)
		json_array_append_new(peers, json_pack("{sssssbsIsI}",
		    "name", p->name, "state", peer_state_name(p->state),
		    "initiator", p->initiator,
		    "since_ms", (json_int_t)(now - p->since_ms),
		    "bytes_out", (json_int_t)(p->s ? p->s->bytes_out : 0)));
	json_object_set_new(o, "peers", peers);
	st = json_pack("{sIsIsIsIsIsIsI}",
	    "rec_new", (json_int_t)a->stats.rec_new,
	    "rec_same", (json_int_t)a->stats.rec_same,
	    "rec_older", (json_int_t)a->stats.rec_older,
	    "rec_refused", (json_int_t)a->stats.rec_refused,
	    "sessions_refused", (json_int_t)a->stats.sessions_refused,
	    "sessions_closed_bad", (json_int_t)a->stats.sessions_closed_bad,
	    "bytes_out", (json_int_t)a->stats.bytes_out);
	json_object_set_new(o, "stats", st);
	if (a->reroute != NULL) {
		const struct reroute_stats *rs = reroute_stats(a->reroute);

		json_object_set_new(o, "reroute", json_pack(
		    "{sIsIsIsIsIsIsI}", "passes", (json_int_t)rs->passes,
		    "rechecks", (json_int_t)rs->rechecks,
		    "listed", (json_int_t)rs->listed,
		    "affected", (json_int_t)rs->affected,
		    "retried", (json_int_t)rs->retried,
		    "flushes", (json_int_t)rs->flushes,
		    "kicks", (json_int_t)rs->kicks));
	}
	json_object_set_new(o, "state_write", a->write_failing_ms == 0 ?
	    json_null() : json_pack("{sIsIss}",
	    "failing_since_ms", (json_int_t)a->write_failing_ms,
	    "retry_ms", (json_int_t)a->write_backoff_ms,
	    "error", a->write_error));
	agent_status_schedules(a, o);
	json_object_set_new(o, "transports_missing",
	    json_integer(a->transports_missing));
	return agent_status_dump(o);
}

/* agent_status_age - a record's age for display (see the top), or null */
static json_t *
agent_status_age(int64_t now, int64_t t)
{
	if (t < AGENT_STATUS_TIME_MIN)
		return json_null();
	return json_integer(t > now ? 0 : now - t);
}

/* agent_lst_json - see agent.h */
char *
agent_lst_json(struct agent *a)
{
	json_t *o = json_object(), *recs = json_array();
	int64_t now = (int64_t)agent_wall_ms();

	for (size_t i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *r = lsdb_at(a->db, i);
		char key[LSREC_KEY_MAX];
		json_t *e;

		lsrec_key(r, key, sizeof(key));
		e = json_pack("{ssssssso}", "key", key,
		    "kind", lsrec_kind_name(r->kind), "origin", r->origin,
		    "seq", lsrec_json_u64(r->seq));
		if (r->kind == LSREC_TOPOLOGY)
			json_object_set_new(e, "version",
			    lsrec_json_u64(r->version));
		else if (r->kind == LSREC_CERT)
			json_object_set_new(e, "state", json_string("cert"));
		else
			json_object_set_new(e, "state",
			    json_string(r->down ? "down" : "up"));
		json_object_set_new(e, "age_ms",
		    agent_status_age(now, r->time_ms));
		json_array_append_new(recs, e);
	}
	json_object_set_new(o, "server", json_string(a->self));
	json_object_set_new(o, "digest", json_string(lsdb_digest(a->db)));
	json_object_set_new(o, "records", recs);
	return agent_status_dump(o);
}
