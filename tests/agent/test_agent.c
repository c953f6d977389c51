/*
 * test_agent.c - many agents in one process (harness.h), real TLS on
 * loopback, millisecond timers: propagation through masters and
 * bridgeheads, replays and older records, the master lost and back, a
 * restart from disk, a lost state directory, set-master, refused origins,
 * keepalives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_priv.h"
#include "harness.h"
#include "lsdb.h"
#include "snapshot.h"
#include "xmalloc.h"

#define WAIT_MS	15000

struct want {				/* a record every agent must hold */
	const char	*key;
	uint64_t	 seq;
	int		 down;
	int		 only;		/* -1: all running agents; else index */
};

/* at - agent by name */
static struct agent *
at(struct harness *h, const char *name)
{
	int i = harness_find(h, name);

	assert_true(i >= 0);
	return h->ag[i];
}

/* holds - agent a holds key with seq >= w->seq in state w->down */
static int
holds(struct agent *a, const struct want *w)
{
	const struct lsrec *r = lsdb_get(agent_lsdb(a), w->key);

	return r != NULL && r->seq >= w->seq && r->down == w->down;
}

/* all_hold - condition: every running agent holds w */
static int
all_hold(struct harness *h, void *arg)
{
	const struct want *w = arg;

	for (int i = 0; i < h->n; i++)
		if (h->ag[i] != NULL && (w->only < 0 || w->only == i) &&
		    !holds(h->ag[i], w))
			return 0;
	return 1;
}

/* set_conn - originate at name; the wanted record */
static struct want
set_conn(struct harness *h, const char *name, const char *conn, int down)
{
	static char key[LSREC_KEY_MAX];
	struct agent *a = at(h, name);
	char err[256];
	const struct lsrec *r;

	assert_int_equal(agent_set_connector(a, conn, down, err, sizeof(err)),
	    0);
	snprintf(key, sizeof(key), "connector:%s:%s", conn, name);
	r = lsdb_get(agent_lsdb(a), key);
	assert_non_null(r);
	return (struct want){ key, r->seq, down, -1 };
}

/* topo_with_outside - the ring plus an outside connector at g01-2 */
static char *
topo_with_outside(int groups, int per)
{
	char *t = harness_topology(groups, per, harness_port_base(0));
	char *u = xasprintf("%s[connector out]\nsources = g01-2\n"
	    "address_spaces = * 10\nsmart_hosts = relay.example.net:25\n", t);

	free(t);
	return u;
}

/* start - a harness with every adjacency in sync */
static struct harness *
start(int groups, int per)
{
	char *t = topo_with_outside(groups, per);
	struct harness *h = harness_new(t, NULL, HARNESS_START | HARNESS_NO_MONITOR);

	free(t);
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	return h;
}

/* a member's change reaches its group through the master and every other
 * group through the bridgeheads; all tables end the same */
static void
test_propagation(void **state)
{
	struct harness *h = start(3, 3);
	struct want w;

	(void)state;
	/* g01-2: a member and no bridgehead: only its master hears it */
	assert_false(agent_is_master(at(h, "g01-2")));
	assert_int_equal(agent_peers(at(h, "g01-2")), 1);
	w = set_conn(h, "g01-2", "out", 1);
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	/* and back up: a newer record replaces it everywhere */
	w = set_conn(h, "g01-2", "out", 0);
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	/* a bridgehead's own connector */
	w = set_conn(h, "g00-1", "g00-g01", 1);
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	for (int i = 0; i < h->n; i++)
		assert_int_equal(agent_stats(h->ag[i])->rec_refused, 0);
	harness_free(h);
}

/* a replayed (equal) record and an older one change nothing and are
 * counted; the peer that sent the older one gets ours back */
static void
test_replay_and_older(void **state)
{
	struct harness *h = start(2, 3);
	struct agent *m = at(h, "g01-0");
	struct want w1 = set_conn(h, "g01-2", "out", 1), w2;
	struct lsrec old, cur;
	struct peer *p;
	const char *d;
	int close_it;

	(void)state;
	assert_int_equal(harness_run_until(h, all_hold, &w1, WAIT_MS), 0);
	lsrec_copy(&old, lsdb_get(agent_lsdb(m), w1.key));
	w2 = set_conn(h, "g01-2", "out", 0);
	assert_int_equal(harness_run_until(h, all_hold, &w2, WAIT_MS), 0);
	lsrec_copy(&cur, lsdb_get(agent_lsdb(m), w2.key));
	d = agent_digest(m);
	p = peer_find(m, "g01-2");
	assert_non_null(p);
	uint64_t same = agent_stats(m)->rec_same;
	uint64_t older = agent_stats(m)->rec_older;

	agent_receive(m, p, &cur, &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(agent_stats(m)->rec_same, same + 1);
	agent_receive(m, p, &old, &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(agent_stats(m)->rec_older, older + 1);
	assert_string_equal(agent_digest(m), d);
	assert_int_equal(lsdb_get(agent_lsdb(m), w2.key)->down, 0);
	lsrec_clear(&old);
	lsrec_clear(&cur);
	harness_free(h);
}

/* signed_by - r signed by the agent named by (its key) */
static struct lsrec *
signed_by(struct harness *h, const char *by, struct lsrec *r)
{
	assert_int_equal(sig_sign(at(h, by)->sig, r), 0);
	return r;
}

/* who may originate what, each record signed by its origin (the rules
 * themselves, not the signature check): a member's topology, a record
 * about another source; and an origin outside the topology, which has
 * no certificate */
static void
test_refused_origins(void **state)
{
	struct harness *h = start(2, 3);
	struct agent *m = at(h, "g01-0");
	struct peer *p = peer_find(m, "g01-2");
	struct lsrec r;
	int close_it;

	(void)state;
	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_TOPOLOGY;
	snprintf(r.origin, sizeof(r.origin), "g01-2");
	r.seq = (uint64_t)9 << 32 | 1;
	r.version = 99;
	r.text = xstrdup(lsdb_get(agent_lsdb(m), "topology")->text);
	agent_receive(m, p, signed_by(h, "g01-2", &r), &close_it);
	assert_int_equal(close_it, 1);		/* a member's topology */
	assert_int_equal(agent_stats(m)->rec_refused, 1);
	lsrec_clear(&r);

	r.kind = LSREC_CONNECTOR;		/* another source's */
	snprintf(r.origin, sizeof(r.origin), "g01-2");
	snprintf(r.name, sizeof(r.name), "out");
	snprintf(r.source, sizeof(r.source), "g00-1");
	r.seq = (uint64_t)9 << 32 | 1;
	agent_receive(m, p, signed_by(h, "g01-2", &r), &close_it);
	assert_int_equal(close_it, 1);
	assert_int_equal(agent_stats(m)->rec_refused, 2);
	assert_int_equal(agent_stats(m)->rec_badsig, 0);
	snprintf(r.origin, sizeof(r.origin), "nobody");
	snprintf(r.source, sizeof(r.source), "nobody");
	agent_receive(m, p, signed_by(h, "g01-2", &r), &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(agent_stats(m)->rec_refused, 3);
	assert_int_equal(agent_stats(m)->rec_badsig, 1);
	assert_null(lsdb_get(agent_lsdb(m), "connector:out:g00-1"));
	assert_null(lsdb_get(agent_lsdb(m), "connector:out:nobody"));
	harness_free(h);
}

/*
 * relayed forgeries: a member (g01-2) signs a topology record in its
 * master's name (g01-0) and a connector state of g00-1's with a
 * sequence number of epoch 2^31-1; both are refused at every agent,
 * the named origins included (the session stays: the relay is not the
 * origin), and nothing changes. Then a genuine record of our own from
 * a "former life" whose epoch is 2^31-1: refused to raise the epoch
 * past 2^31-1 (logged), the agent keeps running and its value stands.
 */
static void
test_forgeries(void **state)
{
	struct harness *h = start(2, 3);
	struct agent *m = at(h, "g01-0"), *b = at(h, "g00-1");
	struct peer *p = peer_find(m, "g01-2");
	const char *dg = agent_digest(m);
	char digest[65];
	uint32_t ep = b->epoch;
	struct lsrec r;
	int close_it;

	(void)state;
	snprintf(digest, sizeof(digest), "%s", dg);
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_TOPOLOGY;
	snprintf(r.origin, sizeof(r.origin), "g01-0");
	r.seq = (uint64_t)9 << 32 | 1;
	r.version = 99;
	r.text = xstrdup(lsdb_get(agent_lsdb(m), "topology")->text);
	agent_receive(m, p, signed_by(h, "g01-2", &r), &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(agent_stats(m)->rec_badsig, 1);
	assert_true(lsdb_get(agent_lsdb(m), "topology")->version < 99);
	lsrec_clear(&r);

	r.kind = LSREC_CONNECTOR;
	snprintf(r.origin, sizeof(r.origin), "g00-1");
	snprintf(r.name, sizeof(r.name), "g00-g01");
	snprintf(r.source, sizeof(r.source), "g00-1");
	r.seq = (uint64_t)0x7fffffff << 32 | 5;
	agent_receive(b, peer_find(b, "g00-0"), signed_by(h, "g01-2", &r),
	    &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(b->epoch, ep);
	assert_int_equal(agent_stats(b)->rec_badsig, 1);
	assert_string_equal(agent_digest(m), digest);

	/* ours, genuinely signed, at the last epoch */
	agent_receive(b, peer_find(b, "g00-0"), signed_by(h, "g00-1", &r),
	    &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(b->epoch, ep);
	assert_true(lsdb_get(agent_lsdb(b), "connector:g00-g01:g00-1")->seq >>
	    32 == ep);
	harness_free(h);
}

/* cond: agent index *arg is in sync with all its peers */
static int
one_full(struct harness *h, void *arg)
{
	struct agent *a = h->ag[*(int *)arg];

	return a != NULL && agent_peers_full(a) == agent_peers(a);
}

/* master down: members keep their LST and snapshot, other groups' news
 * still arrive through the bridgehead; master back: all resynchronize */
static void
test_master_lost_and_back(void **state)
{
	struct harness *h = start(2, 3);
	int mi = harness_find(h, "g00-0");
	struct agent *bh = at(h, "g00-1");
	size_t before = lsdb_count(agent_lsdb(at(h, "g00-2")));
	struct want w;
	struct snapshot *snap;
	struct diag d;
	char *path;

	(void)state;
	harness_stop(h, mi);
	/* the member keeps its table; its snapshot still loads */
	assert_int_equal(lsdb_count(agent_lsdb(at(h, "g00-2"))), before);
	path = xasprintf("%s/g00-2/lst.snapshot", h->dir);
	diag_init(&d);
	snap = snapshot_load(path, &d);
	assert_non_null(snap);
	snapshot_free(snap);
	diag_free(&d);
	free(path);
	/* news from group g01 reach g00's bridgehead without the master */
	w = set_conn(h, "g01-2", "out", 1);
	w.only = harness_find(h, "g00-1");
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	assert_true(holds(bh, &w));
	/* the master comes back: everyone ends with the same table */
	assert_int_equal(harness_start(h, mi), 0);
	w.only = -1;
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, one_full, &mi, WAIT_MS), 0);
	harness_free(h);
}

/* killed and restarted: the LST comes from disk, sequence numbers go on
 * upwards (new epoch) */
static void
test_restart_from_disk(void **state)
{
	struct harness *h = start(2, 3);
	int i = harness_find(h, "g01-2");
	struct want w = set_conn(h, "g01-2", "out", 1), w2;
	size_t count;
	char *digest;

	(void)state;
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	/* one loop turn writes the files */
	event_base_loop(h->base, EVLOOP_NONBLOCK);
	count = lsdb_count(agent_lsdb(h->ag[i]));
	digest = xstrdup(agent_digest(h->ag[i]));
	harness_stop(h, i);
	assert_int_equal(harness_start(h, i), 0);
	assert_int_equal(lsdb_count(agent_lsdb(h->ag[i])), count);
	assert_string_equal(agent_digest(h->ag[i]), digest);
	free(digest);
	w2 = set_conn(h, "g01-2", "out", 0);
	assert_true(w2.seq > w.seq);
	assert_true(w2.seq >> 32 > w.seq >> 32);	/* a new epoch */
	assert_int_equal(harness_run_until(h, all_hold, &w2, WAIT_MS), 0);
	harness_free(h);
}

/* the state directory lost: the agent learns its own old records from the
 * peers, raises its epoch past them and speaks again, newer */
static void
test_state_lost(void **state)
{
	struct harness *h = start(2, 3);
	int i = harness_find(h, "g01-2");
	struct want w = set_conn(h, "g01-2", "out", 1), w2;
	char *cmd;

	(void)state;
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	harness_stop(h, i);
	cmd = xasprintf("rm -rf '%s/g01-2'", h->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(harness_start(h, i), 0);
	assert_null(lsdb_get(agent_lsdb(h->ag[i]), w.key));
	/* it re-originates its old word with a newer sequence number */
	w.seq++;
	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	w2 = set_conn(h, "g01-2", "out", 0);
	assert_true(w2.seq > w.seq);
	assert_int_equal(harness_run_until(h, all_hold, &w2, WAIT_MS), 0);
	harness_free(h);
}

/* cond: g00-2 is the master of g00 everywhere and all are in sync */
static int
new_master(struct harness *h, void *arg)
{
	(void)arg;
	for (int i = 0; i < h->n; i++) {
		const struct lsrec *r = lsdb_get(agent_lsdb(h->ag[i]),
		    "topology");

		if (r == NULL || r->version != 2)
			return 0;
	}
	return agent_is_master(at(h, "g00-2")) &&
	    !agent_is_master(at(h, "g00-0")) && harness_all_full(h, NULL);
}

/* set-master on a master: a topology update flooded org-wide; the new
 * master's group re-forms its adjacencies around it; a member cannot */
static void
test_set_master(void **state)
{
	struct harness *h = start(2, 3);
	char err[256];

	(void)state;
	assert_int_equal(agent_set_master(at(h, "g00-1"), "g00", "g00-2", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a master"));
	assert_int_equal(agent_set_master(at(h, "g00-0"), "g00", "g01-1", err,
	    sizeof(err)), -1);
	assert_int_equal(agent_set_master(at(h, "g00-0"), "g00", "g00-2", err,
	    sizeof(err)), 0);
	assert_int_equal(harness_run_until(h, new_master, NULL, WAIT_MS), 0);
	assert_int_equal(agent_peers(at(h, "g00-2")), 2);
	/* a change at a member reaches everyone through the new master */
	struct want w = set_conn(h, "g01-2", "out", 1);

	assert_int_equal(harness_run_until(h, all_hold, &w, WAIT_MS), 0);
	harness_free(h);
}

/* quiet adjacencies stay up: keepalives come every peer_idle_timeout/3,
 * so no session ends by idle timeout and none is opened again */
static void
test_keepalive(void **state)
{
	char *t = harness_topology(2, 3, harness_port_base(0));
	struct harness *h = harness_new(t, NULL, HARNESS_NO_MONITOR);

	(void)state;
	free(t);
	for (int i = 0; i < h->n; i++) {
		h->set[i].peer_idle_timeout = 300;
		assert_int_equal(harness_start(h, i), 0);
	}
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	harness_run_until(h, harness_never, NULL, 1500);
	for (int i = 0; i < h->n; i++) {
		struct peer *p;

		assert_int_equal(agent_peers_full(h->ag[i]),
		    agent_peers(h->ag[i]));
		TAILQ_FOREACH(p, &h->ag[i]->peers, entry)
			assert_int_equal(p->sessions, 1);
	}
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_propagation),
		cmocka_unit_test(test_replay_and_older),
		cmocka_unit_test(test_refused_origins),
		cmocka_unit_test(test_forgeries),
		cmocka_unit_test(test_master_lost_and_back),
		cmocka_unit_test(test_restart_from_disk),
		cmocka_unit_test(test_state_lost),
		cmocka_unit_test(test_set_master),
		cmocka_unit_test(test_keepalive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
