/*
 * test_failover.c - server liveness and master failover (liveness.c), with
 * many agents in one process (harness.h), real TLS on loopback and
 * millisecond timers: a silent member marked down after dead_interval and
 * up when back; a backup master taking over within master_dead_interval
 * + 1 s with a higher epoch; the old master coming back as a backup
 * (fencing: nobody follows it again); the role moved back by set-master;
 * no failover without backup_masters.
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
#include "xmalloc.h"

#define WAIT_MS		15000
#define DEAD_MS		300
#define MASTER_DEAD_MS	400

/* at - agent by name (running) */
static struct agent *
at(struct harness *h, const char *name)
{
	int i = harness_find(h, name);

	assert_true(i >= 0);
	assert_non_null(h->ag[i]);
	return h->ag[i];
}

/* server_state - the LST's server:NAME record at a: 1 down, 0 up, -1 none */
static int
server_state(struct agent *a, const char *name, const char **origin)
{
	const struct lsrec *r;
	char key[LSREC_KEY_MAX];

	snprintf(key, sizeof(key), "server:%s", name);
	if ((r = lsdb_get(agent_lsdb(a), key)) == NULL)
		return -1;
	if (origin != NULL)
		*origin = r->origin;
	return r->down;
}

struct server_want {
	const char	*name;
	int		 down;
	const char	*origin;
};

/* all_server - cond: every running agent holds the wanted server state,
 * and routes with it (the server is down in its link state or not) */
static int
all_server(struct harness *h, void *arg)
{
	const struct server_want *w = arg;

	for (int i = 0; i < h->n; i++) {
		struct agent *a = h->ag[i];
		const char *origin = NULL;
		int sv;

		if (a == NULL)
			continue;
		if (server_state(a, w->name, &origin) != w->down ||
		    strcmp(origin, w->origin) != 0)
			return 0;
		sv = topo_find_server(a->topo, w->name);
		if (sv < 0 || a->ls->server_down[sv] != w->down)
			return 0;
	}
	return 1;
}

/* topology_master - cond: every running agent has the topology version
 * *arg names and in it the master of g00 that it names */
struct master_want {
	uint64_t	 version;
	const char	*master;
};

static int
all_master(struct harness *h, void *arg)
{
	const struct master_want *w = arg;

	for (int i = 0; i < h->n; i++) {
		struct agent *a = h->ag[i];

		if (a == NULL)
			continue;
		if (a->topo->version != w->version ||
		    strcmp(a->topo->servers[a->topo->groups[0].master].name,
		    w->master) != 0)
			return 0;
	}
	return 1;
}

/* start - groups of per servers; g00 with backups (or none); all full */
static struct harness *
start(int per, const char *backups)
{
	char *t = harness_topology(2, per, harness_port_base(0)), *line;
	struct harness *h;

	if (backups != NULL) {
		line = xasprintf("backup_masters = %s\n", backups);
		t = harness_insert(t, "[group g00]", line);
		free(line);
	}
	h = harness_new(t, NULL, HARNESS_START | HARNESS_NO_MONITOR);
	free(t);
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	/* short intervals once every agent runs (the defaults before: a slow
	 * start is not a failure); agents read their settings live */
	for (int i = 0; i < h->n; i++) {
		h->set[i].dead_interval = DEAD_MS;
		h->set[i].master_dead_interval = MASTER_DEAD_MS;
	}
	return h;
}

/* a member silent for dead_interval is marked down by its master, flooded
 * to every agent and routed around; back, it is marked up */
static void
test_member_liveness(void **state)
{
	struct harness *h = start(3, NULL);
	int mi = harness_find(h, "g00-2");
	struct server_want down = { "g00-2", 1, "g00-0" };
	struct server_want up = { "g00-2", 0, "g00-0" };
	uint64_t t0, took;

	(void)state;
	assert_int_equal(server_state(at(h, "g01-0"), "g00-2", NULL), -1);
	t0 = harness_ms();
	harness_stop(h, mi);
	assert_int_equal(harness_run_until(h, all_server, &down, WAIT_MS), 0);
	took = harness_ms() - t0;
	print_message("member marked down everywhere after %ju ms\n",
	    (uintmax_t)took);
	assert_true(took >= DEAD_MS);
	assert_true(took < DEAD_MS + 1000);
	/* the other member of the group is not touched */
	assert_int_equal(server_state(at(h, "g01-2"), "g00-1", NULL), -1);
	assert_int_equal(harness_start(h, mi), 0);
	assert_int_equal(harness_run_until(h, all_server, &up, WAIT_MS), 0);
	harness_free(h);
}

/* cond: index *arg is running, not a master, in sync with all its peers */
static int
rejoined(struct harness *h, void *arg)
{
	struct agent *a = h->ag[*(int *)arg];

	return a != NULL && !agent_is_master(a) &&
	    agent_peers_full(a) == agent_peers(a) && harness_all_full(h, NULL);
}

struct watch {				/* topology installs, after t */
	uint64_t	 min_version;
	int		 older;		/* installs below min_version */
	int		 installs;
};

/* on_topology - count topology records installed below min_version */
static void
on_topology(struct agent *a, const struct lsrec *r, void *arg)
{
	struct watch *w = arg;

	(void)a;
	if (r->kind != LSREC_TOPOLOGY)
		return;
	w->installs++;
	if (r->version < w->min_version)
		w->older++;
}

/* the master stops: the first backup takes over within master_dead_interval
 * + 1 s, with an epoch past the old master's; the second backup does not;
 * the new master marks the old one down. The old master comes back: it
 * follows the new topology as a backup (nobody follows it again, its old
 * role records lose) until set-master moves the role back. */
static void
test_failover_and_fencing(void **state)
{
	struct harness *h = start(4, "g00-2, g00-3");
	int mi = harness_find(h, "g00-0");
	struct master_want w2 = { 2, "g00-2" }, w3 = { 3, "g00-0" };
	struct server_want old_down = { "g00-0", 1, "g00-2" };
	struct server_want old_up = { "g00-0", 0, "g00-2" };
	struct watch watch = { 0, 0, 0 };
	const struct lsrec *r;
	const struct topo_group *g;
	uint64_t t0, took, old_epoch;
	char err[256];

	(void)state;
	/* the epochs so far: the backup's own, the old master's records */
	old_epoch = at(h, "g00-2")->epoch;
	for (size_t i = 0; i < lsdb_count(agent_lsdb(at(h, "g00-2"))); i++) {
		r = lsdb_at(agent_lsdb(at(h, "g00-2")), i);
		if (strcmp(r->origin, "g00-0") == 0 && r->seq >> 32 > old_epoch)
			old_epoch = r->seq >> 32;
	}
	t0 = harness_ms();
	harness_stop(h, mi);
	assert_int_equal(harness_run_until(h, all_master, &w2, WAIT_MS), 0);
	took = harness_ms() - t0;
	print_message("failover: every agent follows the backup after %ju ms\n",
	    (uintmax_t)took);
	assert_true(took >= MASTER_DEAD_MS);
	assert_true(took <= MASTER_DEAD_MS + 1000);
	r = lsdb_get(agent_lsdb(at(h, "g01-0")), "topology");
	assert_string_equal(r->origin, "g00-2");
	assert_true(r->seq >> 32 > old_epoch);
	/* the old master is now the last backup; the second backup stays */
	g = &at(h, "g00-1")->topo->groups[0];
	assert_int_equal(g->backups.n, 2);
	assert_string_equal(at(h, "g00-1")->topo->servers[g->backups.v[0]].name,
	    "g00-3");
	assert_string_equal(at(h, "g00-1")->topo->servers[g->backups.v[1]].name,
	    "g00-0");
	assert_true(agent_is_master(at(h, "g00-2")));
	assert_false(agent_is_master(at(h, "g00-3")));
	/* the new master keeps member liveness: the old one is marked down */
	assert_int_equal(harness_run_until(h, all_server, &old_down, WAIT_MS),
	    0);

	/* the old master comes back with version 1 on disk */
	watch.min_version = 2;
	h->on_record = on_topology;
	h->arg = &watch;
	assert_int_equal(harness_start(h, mi), 0);
	assert_true(agent_is_master(h->ag[mi]));	/* until it hears */
	assert_int_equal(harness_run_until(h, rejoined, &mi, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, all_master, &w2, WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, all_server, &old_up, WAIT_MS),
	    0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	assert_int_equal(watch.older, 0);
	assert_true(watch.installs >= 1);	/* the old master learnt v2 */
	/* quiet for a while: still nobody goes back (non-preemptive) */
	harness_run_until(h, harness_never, NULL, 2 * MASTER_DEAD_MS);
	assert_true(all_master(h, &w2));
	assert_int_equal(watch.older, 0);

	/* the admin moves the role back */
	assert_int_equal(agent_set_master(at(h, "g00-2"), "g00", "g00-0",
	    err, sizeof(err)), 0);
	assert_int_equal(harness_run_until(h, all_master, &w3, WAIT_MS), 0);
	g = &at(h, "g01-1")->topo->groups[0];
	assert_string_equal(at(h, "g01-1")->topo->servers[g->backups.v[0]].name,
	    "g00-3");
	assert_string_equal(at(h, "g01-1")->topo->servers[g->backups.v[1]].name,
	    "g00-2");
	assert_int_equal(harness_run_until(h, harness_all_full, NULL,
	    WAIT_MS), 0);
	assert_int_equal(harness_run_until(h, harness_all_same, NULL,
	    WAIT_MS), 0);
	for (int i = 0; i < h->n; i++)
		assert_int_equal(server_state(h->ag[i], "g00-0", NULL), 0);
	harness_free(h);
}

/* topo_v5_master - the test organization, version 5, master of g00 */
static char *
topo_v5_master(const char *master)
{
	char *t = harness_topology(2, 4, harness_port_base(0));
	char *line = xasprintf("master = %s\n", master);

	strstr(t, "version = 1")[strlen("version = ")] = '5';
	t = harness_insert(t, "[group g00]", line);
	free(line);
	return t;
}

/* a member cannot make itself master; a backup can only make itself the
 * master of its own group: such topology records are refused */
static void
test_backup_rules(void **state)
{
	struct harness *h = start(4, "g00-2");
	struct peer *from = peer_find(at(h, "g00-1"), "g00-2");
	struct lsrec r;
	int close_it;
	uint64_t refused;

	(void)state;
	assert_non_null(from);
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_TOPOLOGY;
	r.version = 5;
	r.seq = (uint64_t)99 << 32;
	/* from the backup, naming g00-3 master: refused */
	snprintf(r.origin, sizeof(r.origin), "g00-2");
	r.text = topo_v5_master("g00-3");
	assert_int_equal(sig_sign(at(h, "g00-2")->sig, &r), 0);
	refused = agent_stats(at(h, "g00-1"))->rec_refused;
	agent_receive(at(h, "g00-1"), from, &r, &close_it);
	assert_int_equal(agent_stats(at(h, "g00-1"))->rec_refused,
	    refused + 1);
	assert_int_equal(at(h, "g00-1")->topo->version, 1);
	/* its peer is up to date: the session is to close */
	assert_int_equal(close_it, 1);
	/* the same from a peer that said it was behind: refused, kept open */
	from->topology = 0;
	agent_receive(at(h, "g00-1"), from, &r, &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(agent_stats(at(h, "g00-1"))->rec_refused,
	    refused + 2);
	/* naming itself master: accepted */
	free(r.text);
	r.text = topo_v5_master("g00-2");
	assert_int_equal(sig_sign(at(h, "g00-2")->sig, &r), 0);
	agent_receive(at(h, "g00-1"), from, &r, &close_it);
	assert_int_equal(close_it, 0);
	assert_int_equal(at(h, "g00-1")->topo->version, 5);
	assert_true(agent_is_master(at(h, "g00-1")) == 0);
	free(r.text);
	harness_free(h);
}

/* without backup_masters: the master stops, nobody takes over, members
 * keep the last topology and LST and wait */
static void
test_no_failover_without_backups(void **state)
{
	struct harness *h = start(3, NULL);
	int mi = harness_find(h, "g00-0");
	struct master_want w1 = { 1, "g00-0" };
	size_t before = lsdb_count(agent_lsdb(at(h, "g00-2")));

	(void)state;
	harness_stop(h, mi);
	harness_run_until(h, harness_never, NULL, MASTER_DEAD_MS + 1000);
	assert_true(all_master(h, &w1));
	for (int i = 0; i < h->n; i++)
		if (h->ag[i] != NULL)
			assert_false(agent_is_master(h->ag[i]) &&
			    h->ag[i]->topo->servers[h->ag[i]->self_idx].group
			    == 0);
	assert_int_equal(lsdb_count(agent_lsdb(at(h, "g00-2"))), before);
	harness_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_liveness),
		cmocka_unit_test(test_failover_and_fencing),
		cmocka_unit_test(test_backup_rules),
		cmocka_unit_test(test_no_failover_without_backups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
