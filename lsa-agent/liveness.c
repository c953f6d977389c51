/*
 * liveness.c - server liveness (a master marks its silent members down)
 * and master failover (a backup master takes over a silent master).
 *
 * Both are read off the adjacencies: a server is alive to us while our
 * adjacency with it is full; peer->lost_ms is when it last left full (or,
 * never full, when the adjacency was added).
 *
 * Member liveness: the master of a group originates server:NAME down for
 * a member of its group whose adjacency has not been full for
 * dead_interval, and up as soon as it is full again. Routing puts down
 * servers last in next-hop lists (route.h rule 4). A new master takes the
 * records over: its own, with an epoch past the old master's.
 *
 * Failover: a group may list backup_masters, in order; members keep an
 * adjacency with each of them as with the master (peer.c). Backup number
 * i takes over when the master and every backup before it have been
 * silent, to it, for master_dead_interval: it originates the topology one
 * version up with itself as master and an epoch past every record of the
 * old master (agent_take_over). Every server follows the highest topology
 * version only, so no member accepts two masters at once; records the
 * old master originates under its old role are refused everywhere. When
 * the old master comes back it learns the new version from the first
 * neighbour it reaches and serves as the last backup master until an
 * admin moves the role back with `lsactl set-master` (non-preemptive).
 * Without backup_masters nothing happens: members keep the last LST and
 * wait, as in the seeds.
 *
 * One timer: the check runs from the event loop after every adjacency
 * that became full or stopped being full (never inside the session
 * callback that changed it), after a topology change, and at the next
 * deadline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent_priv.h"
#include "log.h"

#define LIVENESS_NEVER	UINT64_MAX

/* liveness_recorded_down - the LST says server name is down */
static int
liveness_recorded_down(const struct agent *a, const char *name)
{
	const struct lsrec *r;
	char key[LSREC_KEY_MAX];

	snprintf(key, sizeof(key), "server:%s", name);
	r = lsdb_get(a->db, key);
	return r != NULL && r->down;
}

/* liveness_members - a master: mark members down and up; next deadline */
static uint64_t
liveness_members(struct agent *a, const struct topo_group *g, uint64_t now)
{
	const struct topology *t = a->topo;
	uint64_t next = LIVENESS_NEVER, dead = a->set->dead_interval;

	for (int i = 0; i < g->servers.n; i++) {
		const char *name = t->servers[g->servers.v[i]].name;
		struct peer *p = peer_find(a, name);
		int down = liveness_recorded_down(a, name);
		uint64_t silent;

		if (g->servers.v[i] == a->self_idx) {
			if (down)	/* a former master's word on us */
				agent_set_server(a, name, 0);
			continue;
		}
		if (p == NULL)
			continue;
		silent = now > p->lost_ms ? now - p->lost_ms : 0;
		if (p->state == PEER_FULL) {
			if (down) {
				log_info("liveness server=%s member=%s up",
				    a->self, name);
				agent_set_server(a, name, 0);
			}
		} else if (silent >= dead) {
			if (!down) {
				log_info("liveness server=%s member=%s down "
				    "silent_ms=%" PRIu64, a->self, name, silent);
				agent_set_server(a, name, 1);
			}
		} else if (now - silent + dead < next)
			next = now - silent + dead;
	}
	return next;
}

/*
 * liveness_failover - backup number pos: take over when the master and
 * the backups before it have all been silent for master_dead_interval;
 * else the time to look again (never while one of them is alive)
 */
static uint64_t
liveness_failover(struct agent *a, const struct topo_group *g, int pos,
    uint64_t now)
{
	uint64_t due = now, mdi = a->set->master_dead_interval;

	for (int k = -1; k < pos; k++) {
		int sv = k < 0 ? g->master : g->backups.v[k];
		struct peer *p = peer_find(a, a->topo->servers[sv].name);

		if (p == NULL)
			continue;
		if (p->state == PEER_FULL)
			return LIVENESS_NEVER;
		if (p->lost_ms + mdi > due)
			due = p->lost_ms + mdi;
	}
	if (due > now)
		return due;
	agent_take_over(a);
	return LIVENESS_NEVER;
}

/* liveness_check - what this server's role asks for now */
static void
liveness_check(struct agent *a)
{
	const struct topo_group *g;
	uint64_t now = agent_now_ms(), next = LIVENESS_NEVER;

	if (a->self_idx < 0)
		return;
	g = &a->topo->groups[a->topo->servers[a->self_idx].group];
	if (g->master == a->self_idx)
		next = liveness_members(a, g, now);
	else
		for (int i = 0; i < g->backups.n; i++)
			if (g->backups.v[i] == a->self_idx) {
				next = liveness_failover(a, g, i, now);
				break;
			}
	if (next != LIVENESS_NEVER)
		agent_after(a->live_ev, next > now ? next - now : 1);
}

/* liveness_cb - the timer */
static void
liveness_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	liveness_check(arg);
}

/* liveness_start - create the timer and look at once */
void
liveness_start(struct agent *a)
{
	a->live_ev = evtimer_new(a->base, liveness_cb, a);
	liveness_kick(a);
}

/* liveness_free - stop the timer */
void
liveness_free(struct agent *a)
{
	if (a->live_ev != NULL)
		event_free(a->live_ev);
	a->live_ev = NULL;
}

/* liveness_kick - check from the loop, soon */
void
liveness_kick(struct agent *a)
{
	if (a->live_ev != NULL)
		agent_after(a->live_ev, 0);
}

/* liveness_peer - p left state old: full or not full any more? */
void
liveness_peer(struct peer *p, enum peer_state old)
{
	int full = p->state == PEER_FULL;

	if ((old == PEER_FULL) == full)
		return;
	liveness_kick(p->agent);
	if (!p->agent->stopping)
		monitor_peer(p->agent, p->server, full);
}
