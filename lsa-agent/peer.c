/*
 * peer.c - adjacencies: which servers this agent keeps a session with,
 * connecting with backoff, the database exchange on connect, flooding.
 *
 * Neighbours (symmetric, so both ends agree): a member and its group's
 * master and backup masters (so a backup knows who is alive when it has
 * to take over, liveness.c); the source and target servers of every
 * group connector. Of
 * two neighbours, the one with the smaller name opens the session; the
 * other accepts it (one session per pair).
 *
 * The exchange, once the session is in link-state mode (lsrec.h has the
 * messages): each side sends hello (its digest as it was then). If the
 * two digests are the same the adjacency is in sync at once. Otherwise
 * each side sends its summary; on the other's summary each sends the
 * records the other lacks or holds older, then done; with done sent and
 * received the adjacency is full. Out-of-order messages (a record before
 * hello, a second hello, summary or done, a summary that is not sorted,
 * more records before done than the peer announced) end the session.
 * After that each new record is flooded to every adjacency but the one it
 * came from. Each side sends alive every peer_idle_timeout / 3 after its
 * hello, so a quiet adjacency is not taken for a dead one (the session
 * ends after peer_idle_timeout of silence).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_priv.h"
#include "log.h"
#include "xmalloc.h"

static const char *peer_states[] = { "down", "connecting", "exchange",
    "full" };

/* peer_state_name - for logs and status */
const char *
peer_state_name(enum peer_state st)
{
	return (unsigned)st <= PEER_FULL ? peer_states[st] : "?";
}

/* peer_set_state - every change logged */
static void
peer_set_state(struct peer *p, enum peer_state st)
{
	enum peer_state old = p->state;

	if (old == st)
		return;
	log_info("peer server=%s peer=%s state=%s->%s", p->agent->self,
	    p->name, peer_state_name(old), peer_state_name(st));
	p->state = st;
	p->since_ms = agent_now_ms();
	if (old == PEER_FULL)
		p->lost_ms = p->since_ms;
	liveness_peer(p, old);
}

/* peer_find - the adjacency with server name, or NULL */
struct peer *
peer_find(struct agent *a, const char *name)
{
	struct peer *p;

	TAILQ_FOREACH(p, &a->peers, entry)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* peer_connect_cb - time to (re)connect */
static void
peer_connect_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;

	(void)fd;
	(void)ev;
	if (p->s != NULL)
		return;
	if ((p->s = session_connect(p->agent, p)) == NULL) {
		peer_session_down(p, "cannot connect");
		return;
	}
	peer_set_state(p, PEER_CONNECTING);
}

/* peer_alive_cb - keepalive */
static void
peer_alive_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;
	size_t len;
	char *msg;

	(void)fd;
	(void)ev;
	if (p->s == NULL)
		return;
	msg = lsmsg_encode_alive(&len);
	session_send(p->s, msg, len);
	free(msg);
}

/* peer_free - close the session, stop the timer, unlink, free */
static void
peer_free(struct agent *a, struct peer *p)
{
	TAILQ_REMOVE(&a->peers, p, entry);
	if (p->s != NULL) {
		struct session *s = p->s;

		p->s = NULL;
		s->peer = NULL;
		session_close(s, "no longer a neighbour", 0);
	}
	event_free(p->retry_ev);
	event_free(p->alive_ev);
	free(p);
}

/* peer_free_all - every adjacency (agent shutdown) */
void
peer_free_all(struct agent *a)
{
	while (!TAILQ_EMPTY(&a->peers))
		peer_free(a, TAILQ_FIRST(&a->peers));
}

/* peer_wanted - the neighbour set of self under the topology in force */
static void
peer_wanted(const struct agent *a, unsigned char *want)
{
	const struct topology *t = a->topo;
	const struct topo_group *g;
	int self = a->self_idx, steward;

	if (self < 0)
		return;
	g = &t->groups[t->servers[self].group];
	steward = g->master == self || topo_list_has(&g->backups, self);
	for (int i = 0; i < g->servers.n; i++) {
		int sv = g->servers.v[i];

		if (steward || sv == g->master ||
		    topo_list_has(&g->backups, sv))
			want[sv] = 1;
	}
	for (int c = 0; c < t->nconnectors; c++) {
		const struct topo_connector *cn = &t->connectors[c];

		if (cn->to < 0 || !cn->enabled)
			continue;
		if (topo_list_has(&cn->sources, self))
			for (int i = 0; i < cn->targets.n; i++)
				want[cn->targets.v[i]] = 1;
		if (topo_list_has(&cn->targets, self))
			for (int i = 0; i < cn->sources.n; i++)
				want[cn->sources.v[i]] = 1;
	}
	want[self] = 0;
}

/* peer_sync_all - make the adjacencies those of the topology in force */
void
peer_sync_all(struct agent *a)
{
	unsigned char *want = xcalloc((size_t)a->topo->nservers + 1, 1);
	struct peer *p, *next;

	peer_wanted(a, want);
	for (p = TAILQ_FIRST(&a->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		p->server = topo_find_server(a->topo, p->name);
		if (p->server < 0 || !want[p->server]) {
			log_info("peer server=%s peer=%s removed (not a "
			    "neighbour in topology version %ju)", a->self,
			    p->name, (uintmax_t)a->topo->version);
			peer_free(a, p);
		} else
			want[p->server] = 2;
	}
	for (int i = 0; i < a->topo->nservers; i++) {
		if (want[i] != 1)
			continue;
		p = xcalloc(1, sizeof(*p));
		p->agent = a;
		snprintf(p->name, sizeof(p->name), "%s",
		    a->topo->servers[i].name);
		p->server = i;
		p->initiator = strcmp(a->self, p->name) < 0;
		p->retry_ev = evtimer_new(a->base, peer_connect_cb, p);
		p->alive_ev = event_new(a->base, -1, EV_PERSIST, peer_alive_cb,
		    p);
		p->since_ms = p->lost_ms = agent_now_ms();
		TAILQ_INSERT_TAIL(&a->peers, p, entry);
		log_debug("peer server=%s peer=%s added initiator=%d",
		    a->self, p->name, p->initiator);
		if (p->initiator)
			agent_after(p->retry_ev, 0);
	}
	free(want);
}

/* peer_send - encode and send on p's session */
static void
peer_send(struct peer *p, char *msg, size_t len)
{
	if (p->s != NULL)
		session_send(p->s, msg, len);
	free(msg);
}

/* peer_session_up - link-state mode reached: start the exchange */
void
peer_session_up(struct peer *p, struct session *s)
{
	struct agent *a = p->agent;
	size_t len;
	char *msg;

	p->s = s;
	p->sent_done = p->got_done = p->got_hello = p->got_summary = 0;
	p->topology = 0;
	p->sessions++;
	snprintf(p->sent_digest, sizeof(p->sent_digest), "%s",
	    lsdb_digest(a->db));
	peer_set_state(p, PEER_EXCHANGE);
	agent_after(p->alive_ev, a->set->peer_idle_timeout / 3 + 1);
	msg = lsmsg_encode_hello(a->self, p->sent_digest, lsdb_count(a->db),
	    a->topo->version, &len);
	peer_send(p, msg, len);
}

/* peer_session_down - the session ended; the initiator reconnects */
void
peer_session_down(struct peer *p, const char *why)
{
	const struct settings *set = p->agent->set;

	log_info("peer server=%s peer=%s session down reason=\"%s\"",
	    p->agent->self, p->name, why);
	p->s = NULL;
	event_del(p->alive_ev);
	peer_set_state(p, PEER_DOWN);
	if (!p->initiator)
		return;
	if (p->backoff_ms < set->reconnect_interval)
		p->backoff_ms = set->reconnect_interval;
	else if (p->backoff_ms < set->reconnect_max / 2)
		p->backoff_ms *= 2;
	else
		p->backoff_ms = set->reconnect_max;
	agent_after(p->retry_ev, p->backoff_ms);
}

/* peer_full - exchange over */
static void
peer_full(struct peer *p)
{
	p->backoff_ms = 0;
	peer_set_state(p, PEER_FULL);
}

/* peer_have_cmp - summary entries by key */
static int
peer_have_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct lsmsg_have *)e)->key);
}

/* peer_summary - send what the peer lacks or holds older, then done */
static int
peer_summary(struct peer *p, const struct lsmsg *m)
{
	struct agent *a = p->agent;
	size_t i, len;
	char *msg;

	for (i = 1; i < m->nhave; i++)
		if (strcmp(m->have[i - 1].key, m->have[i].key) >= 0) {
			log_warnx("peer server=%s peer=%s summary not sorted "
			    "at entry %zu", a->self, p->name, i);
			return -1;
		}
	for (i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *r = lsdb_at(a->db, i);
		const struct lsmsg_have *h;
		char key[LSREC_KEY_MAX];

		lsrec_key(r, key, sizeof(key));
		h = bsearch(key, m->have, m->nhave, sizeof(*m->have),
		    peer_have_cmp);
		if (h == NULL || lsrec_cmp_have(r, h) > 0) {
			msg = lsmsg_encode_rec(r, &len);
			peer_send(p, msg, len);
		}
	}
	msg = lsmsg_encode_done(&len);
	peer_send(p, msg, len);
	p->sent_done = 1;
	return 0;
}

/* peer_bad - log why a message ends the session */
static int
peer_bad(struct peer *p, const char *why)
{
	log_warnx("peer server=%s peer=%s bad message reason=\"%s\"",
	    p->agent->self, p->name, why);
	return -1;
}

/*
 * peer_message - one whole message from p's session; -1 ends the session
 * (the caller closes it).
 */
int
peer_message(struct peer *p, const char *msg, size_t len)
{
	struct agent *a = p->agent;
	struct lsmsg m;
	char err[160];
	size_t n;
	int rc = 0, close_it = 0;

	if (lsmsg_decode(msg, len, &m, err, sizeof(err)) < 0)
		return peer_bad(p, err);
	switch (m.type) {
	case LSMSG_HELLO:
		if (p->got_hello) {
			rc = peer_bad(p, "second hello");
			break;
		}
		if (strcmp(m.server, p->name) != 0) {
			a->stats.sessions_refused++;
			rc = peer_bad(p, "hello from another server's name");
			break;
		}
		p->got_hello = 1;
		p->topology = m.topology;
		p->sync_budget = m.records + AGENT_SYNC_SLACK;
		if (strcmp(m.digest, p->sent_digest) == 0) {
			p->got_summary = p->sent_done = p->got_done = 1;
			peer_full(p);
			break;
		}
		{
			struct lsmsg_have *h = lsdb_summary(a->db, &n);
			size_t elen;
			char *e = lsmsg_encode_summary(h, n, &elen);

			free(h);
			peer_send(p, e, elen);
		}
		break;
	case LSMSG_SUMMARY:
		if (!p->got_hello || p->got_summary ||
		    p->state == PEER_FULL) {
			rc = peer_bad(p, "summary out of order");
			break;
		}
		p->got_summary = 1;
		rc = peer_summary(p, &m);
		if (rc == 0 && p->got_done)
			peer_full(p);
		break;
	case LSMSG_REC:
		if (!p->got_hello) {
			rc = peer_bad(p, "record before hello");
			break;
		}
		if (p->state != PEER_FULL && p->sync_budget-- == 0) {
			rc = peer_bad(p, "more records than announced");
			break;
		}
		agent_receive(a, p, &m.rec, &close_it);
		if (close_it)
			rc = -1;
		break;
	case LSMSG_ALIVE:
		if (!p->got_hello)
			rc = peer_bad(p, "alive before hello");
		break;
	case LSMSG_DONE:
		if (!p->got_summary || p->got_done) {
			rc = peer_bad(p, "done out of order");
			break;
		}
		p->got_done = 1;
		if (p->sent_done)
			peer_full(p);
		break;
	}
	lsmsg_clear(&m);
	return rc;
}

/* peer_flood - send r to every adjacency in link-state mode but except */
void
peer_flood(struct agent *a, const struct lsrec *r, struct peer *except)
{
	struct peer *p;
	char *msg = NULL, *lines = NULL;
	size_t len, n = 0;

	TAILQ_FOREACH(p, &a->peers, entry) {
		if (p == except || p->s == NULL || p->s->state != SS_LINK)
			continue;
		if (lines == NULL) {
			msg = lsmsg_encode_rec(r, &len);
			lines = l2s_encode(msg, len, &n);
		}
		bufferevent_write(p->s->bev, lines, n);
	}
	free(msg);
	free(lines);
}
