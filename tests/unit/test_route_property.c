/*
 * test_route_property.c - properties of route_decide() over generated
 * organizations (seeded PRNG: every run checks the same topologies).
 *
 * A topology: NG groups of 1-3 servers, a ring of connectors (so the
 * whole topology is connected) and about five more one-way connectors per
 * group at random costs, some with listed sources and targets, a few
 * scoped to their group or disabled; a few hub groups; one mailbox domain
 * per group (and a few domains hosted in two groups); connectors to the
 * outside for `*` sourced across groups, with and without smart hosts,
 * and group-scoped ones for more specific domains, most of them sourced
 * in several groups. Link state: about 10% of the connectors down (from
 * every source or from one; more in the sparse and the small ones), a
 * few servers down. Besides 300, 60 and 150 groups, 40 small
 * organizations of 12 and of 8 groups each, where the scoped connectors
 * are seen from many places and the downs are dense.
 *
 * For many (server, recipient) pairs, in each mode (hop by hop or relay
 * direct, with or without suppress_state_changes):
 *   a. no decision's path repeats a group; the path starts at the local
 *      group and its connectors join its groups;
 *   b. the cost is the least cost an independent Dijkstra finds (over the
 *      live connectors; over all enabled ones at the point of failure);
 *   c. following the next hops server by server (the first host of each
 *      list, and in another walk the last) ends at the hosting server
 *      (local), at a source of the chosen outside connector (delivered
 *      out) or at a defer, within 2 NG + 2 steps (a hand-over inside
 *      each group takes a step of its own), never returning to a group
 *      it has left: no loop. A failed walk prints its last steps.
 *
 * Views that differ (the modes "own views"): every server routes with
 * its own link state, the common one plus, at random (a third of them),
 * its own links down here only (LINKSTATE_LOCAL: retrying, an override
 * not yet flooded), which no other server knows. Besides a-c:
 *   d. following every host of every list (any failover Postfix may
 *      take), no server is reached twice: the next-hop graph of each
 *      recipient has no cycle (a depth-first search over it).
 * Records in flight (the mode "in flight"): besides its own local
 * downs, every server has or has not yet each of a few recent changes of
 * the LST (a tenth of the connectors' sources toggled), at random. Two
 * servers may then disagree on the paths between groups, and a message
 * could go A -> B -> A; lsa-policyd refuses such a hand-over at RCPT
 * (450 4.4.6: B would send it straight back to A's group or to A; when
 * B hands it to another server of its group, the group after B's on
 * B's path counts), so the edge is not taken and the mail waits at A:
 *   e. property d holds over the edges lsa-policyd accepts (the refused
 *      ones are counted), except for cycles through three groups or
 *      more, which no RCPT check of one hop can see: those are counted
 *      as refused by lsa-milter's trace (the edge back to a server
 *      already in the trace gets 451 4.4.6 at end of data).
 *
 * Message classes (the generator "message classes"): about a third of
 * the connectors, ring ones too, admit only some priorities or no system
 * messages (priorities, system_messages; drawn from a PRNG of their own,
 * so the other generators' topologies do not change). Every class is
 * routed (route_decide for the default class, route_decide_class for
 * the others), walked and its next-hop graphs searched as above, the
 * oracle seeing only the connectors that admit the class (rule 8); a
 * bounce is 5.7.1 only where the oracle finds no route for the class,
 * its path the least-cost one without the class rules, and a connector
 * on it refusing the class.
 *
 * In every set a quarter of the group connectors are also bidirectional
 * (their reverse connectors are routed like any other) and a quarter
 * limited (max_connections), from a PRNG of their own: every relay
 * answer names the
 * limited connector's own transport exactly when its hop crosses that
 * connector from one of its sources, "smtp" otherwise.
 * TLS and SASL of the hops (connector keys tls and auth, drawn from a
 * PRNG of their own for every generator: they change no route):
 *   f. every next host of a relay has a TLS policy (hop_policy.c): a
 *      server of the organization one naming that very server when it
 *      is verify, and never weaker than the `tls` of the decision's
 *      first connector when this server is its source and the host its
 *      target; a smart host the `tls` of the decision's outside
 *      connector, and SASL credentials exactly when it has `auth`.
 * Schedules (the generator "schedules"): about a third of the group
 * connectors, ring ones too, have a schedule (from a PRNG of their own),
 * read at one moment (SCHED_AT): those closed then are down from every
 * source, with suppress_state_changes too, in the oracle as in rule 9,
 * and still edges of the whole topology (the point of failure).
 *
 * Checked to catch, with the engine fixes reverted: two down sources of
 * one group listing each other (a ping-pong in the group) and a group-
 * scoped connector reached through another group's source (a loop
 * through a group that cannot see it); and, in the own-views modes, a
 * source retrying its own link handing the mail to another source (two
 * such hand it back and forth: seen on real Postfix, bounced "too many
 * hops").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "hop_policy.h"
#include "linkstate.h"
#include "route.h"
#include "route_index.h"
#include "schedule.h"
#include "topology.h"

#define INF		0x3fffffff
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_STARS	8
#define MAX_SCOPED	4
#define NTRACE		8	/* steps kept for a failed walk's report */
#define TRACE_LEN	400

struct prng {
	uint64_t	s;
};

/* prng_next - splitmix64 */
static uint64_t
prng_next(struct prng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* prng_below - uniform in [0, n) (n small: the bias does not matter) */
static int
prng_below(struct prng *r, int n)
{
	return (int)(prng_next(r) % (uint64_t)n);
}

/* prng_pct - true with probability pct/100 */
static int
prng_pct(struct prng *r, int pct)
{
	return prng_below(r, 100) < pct;
}

struct gen_params {
	const char	*name;
	uint64_t	 seed;
	int		 ngroups;
	int		 out;		/* extra connectors per group */
	int		 max_cost;
	int		 hub_pct;
	int		 down_pct;	/* connectors down */
	int		 server_down_pct;
	int		 scoped_pct;	/* group connectors scoped */
	int		 disabled_pct;
	int		 dests;		/* recipients per server */
	int		 server_stride;	/* walk from every Nth server */
	int		 count;		/* topologies, seeds seed.. */
	int		 class_pct;	/* connectors with class keys */
	int		 sched_pct;	/* connectors with a schedule */
};

struct stats {
	long	walks, decisions, locals, outs, defers, pofs, graphs, local;
	long	refused;
	long	trace_caught;	/* in flight: cycles of 3+ groups */
	long	class_refused;	/* bounced 5.7.1: no route for the class */
};

static const struct gen_params gens[] = {
	/* the big one: 300 groups, costs 1..100 */
	{ "300 groups, costs 1-100", 0x5eed0001, 300, 5, 100, 3, 10, 3, 3, 2,
	  8, 1, 1, 0, 0 },
	/* few costs: ties everywhere, more hubs */
	{ "60 groups, costs 1-3", 0x5eed0002, 60, 4, 3, 20, 25, 5, 5, 3, 12,
	  1, 1, 0, 0 },
	/* sparse and broken: long paths, many points of failure */
	{ "150 groups, sparse, 25% down", 0x5eed0003, 150, 1, 20, 10, 25, 5,
	  3, 3, 8, 1, 1, 0, 0 },
	/*
	 * Many small ones: the connectors scoped to several groups are
	 * seen from a good share of the groups, downs are frequent.
	 */
	{ "40 x 12 groups, 30% down", 0x5eed1000, 12, 2, 10, 10, 30, 5, 5, 3,
	  12, 1, 40, 0, 0 },
	{ "40 x 8 groups, 40% down", 0x5eed2000, 8, 2, 5, 10, 40, 5, 5, 3, 12,
	  1, 40, 0, 0 },
	/* message classes: every class over its own connectors */
	{ "40 x 12 groups, message classes", 0x5eed3000, 12, 2, 10, 10, 30, 5,
	  5, 3, 12, 1, 40, 30, 0 },
	/* schedules: closed connectors are down everywhere (rule 9) */
	{ "40 x 12 groups, schedules", 0x5eed4000, 12, 2, 10, 10, 20, 5,
	  5, 3, 12, 1, 40, 0, 35 },
};

/* the moment schedules are read at: Monday 2026-12-07 09:30 UTC */
#define SCHED_AT	((time_t)1796635800)

/* gen_schedule - a schedule for one connector, from its own PRNG: open
 * at SCHED_AT or closed (never, another day, across midnight) */
static void
gen_schedule(FILE *fp, const struct gen_params *gp, struct prng *rs)
{
	static const char *sets[] = { "never", "Mon-Fri 08:00-18:00",
	    "Sat 09:00-12:00", "Fri 22:00-02:00", "Sun-Mon 22:00-09:30",
	    "Mon 09:30-09:31" };

	if (gp->sched_pct > 0 && prng_pct(rs, gp->sched_pct))
		fprintf(fp, "schedule = %s\n", sets[prng_below(rs, 6)]);
}

/* gen_classes - class keys for one connector, from their own PRNG */
static void
gen_classes(FILE *fp, const struct gen_params *gp, struct prng *rc)
{
	static const char *sets[] = { "high", "normal", "low", "high, normal",
	    "high, low", "normal, low" };

	if (gp->class_pct == 0)
		return;
	if (prng_pct(rc, gp->class_pct))
		fprintf(fp, "priorities = %s\n", sets[prng_below(rc, 6)]);
	if (prng_pct(rc, gp->class_pct))
		fprintf(fp, "system_messages = no\n");
}

/*
 * gen_conn - bidirectional and max_connections for a group connector,
 * from a PRNG of their own (the other keys' draws do not change)
 */
static void
gen_conn(FILE *fp, struct prng *rk)
{
	if (prng_pct(rk, 25))
		fprintf(fp, "bidirectional = yes\n");
	if (prng_pct(rk, 25))
		fprintf(fp, "max_connections = %d\n", 1 + prng_below(rk, 4));
}

/*
 * check_transport - a relay answer names a limited connector's own
 * transport exactly when the hop crosses that connector from one of its
 * sources (toward another group or the outside); "smtp" otherwise
 */
static void
check_transport(const struct topology *t, int s,
    const struct route_decision *d)
{
	int ci = d->nconnectors > 0 ? d->connectors[0] : -1;
	char tr[TOPO_TRANSPORT_MAX + 1];

	if (ci >= 0 && d->hop_group != t->servers[s].group &&
	    topo_list_has(&t->connectors[ci].sources, s) &&
	    topo_conn_transport(&t->connectors[ci], tr, sizeof(tr) - 1) == 0)
		strcat(tr, ":");
	else
		strcpy(tr, "smtp:");
	if (strncmp(d->transport, tr, strlen(tr)) != 0)
		fail_msg("from %s: transport %s, want %s...",
		    t->servers[s].name, d->transport, tr);
}

/* gen_hop - tls (and auth, outside) for one connector, own PRNG */
static void
gen_hop(FILE *fp, struct prng *rt, int outside, int i)
{
	static const char *levels[] = { "none", "may", "encrypt", "verify" };

	if (prng_pct(rt, 50))
		fprintf(fp, "tls = %s\n", levels[prng_below(rt, 4)]);
	if (outside && prng_pct(rt, 50))
		fprintf(fp, "auth = cred%d\n", i);
}

/* what the generator knows about the organization, by index */
struct org {
	struct topology		*t;
	struct linkstate	*ls;
	struct route_index	*ix;
	int			*host;		/* group -> hosting server */
	int			 nstars;
	int			 stars[MAX_STARS];	/* `*` connectors */
	int			 nscoped;
	int			 scoped[MAX_SCOPED];	/* scopedN.test */
	struct linkstate	**views;	/* per server: own view */
	struct linkstate	**flight;	/* the same, records in flight */
	int			 nlocal;	/* links down in one view only */
};

/* gen_text - the topology text for one parameter set */
static char *
gen_text(const struct gen_params *gp, struct prng *r, size_t *len)
{
	int ng = gp->ngroups, *nsrv = calloc((size_t)ng, sizeof(int));
	struct prng rc = { gp->seed ^ 0xc1a55e5ULL };
	struct prng rk = { gp->seed ^ 0xb1d1ULL };
	struct prng rt = { gp->seed ^ 0x7150ULL };
	struct prng rs = { gp->seed ^ 0x5c4ed01eULL };
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);

	assert_non_null(fp);
	assert_non_null(nsrv);
	fprintf(fp, "[organization]\nname = Prop\nversion = 1\n"
	    "domains = prop.test, *.prop.test\n");
	for (int g = 0; g < ng; g++) {
		nsrv[g] = 1 + prng_below(r, 3);
		/* names in a shuffled order, so index and name order differ */
		fprintf(fp, "[group g%03d]\n", (g * 7919) % ng);
		if (prng_pct(r, gp->hub_pct))
			fprintf(fp, "hub = yes\n");
	}
	for (int g = 0; g < ng; g++) {
		int gn = (g * 7919) % ng, h = prng_below(r, nsrv[g]);

		for (int s = 0; s < nsrv[g]; s++) {
			fprintf(fp, "[server s%03d-%d]\ngroup = g%03d\n"
			    "address = 10.%d.%d.%d\n", gn, s, gn, g / 250,
			    g % 250, s + 1);
			if (s == h) {
				fprintf(fp, "mailboxes = g%03d.prop.test", gn);
				if (g % 37 == 5)
					fprintf(fp, ", multi%d.prop.test",
					    g % 3);
				fprintf(fp, "\n");
			}
		}
	}
	for (int g = 0; g < ng; g++) {
		int n = 1 + gp->out + (prng_pct(r, 50) ? 1 : -1) *
		    prng_below(r, 2);

		for (int k = 0; k < n; k++) {
			int to = k == 0 ? (g + 1) % ng : prng_below(r, ng);
			int gn = (g * 7919) % ng, tn = (to * 7919) % ng;

			if (to == g)
				continue;
			fprintf(fp, "[connector c%03d-%03d-%d]\nfrom = g%03d\n"
			    "to = g%03d\ncost = %d\n", gn, tn, k, gn, tn,
			    1 + prng_below(r, gp->max_cost));
			if (nsrv[g] > 1 && prng_pct(r, 40))
				fprintf(fp, "sources = s%03d-%d\n", gn,
				    prng_below(r, nsrv[g]));
			if (nsrv[to] > 1 && prng_pct(r, 40))
				fprintf(fp, "targets = s%03d-%d\n", tn,
				    prng_below(r, nsrv[to]));
			if (k > 0 && prng_pct(r, gp->scoped_pct))
				fprintf(fp, "scope = group\n");
			if (k > 0 && prng_pct(r, gp->disabled_pct))
				fprintf(fp, "enabled = no\n");
			gen_classes(fp, gp, &rc);
			gen_conn(fp, &rk);
			gen_hop(fp, &rt, 0, 0);
			gen_schedule(fp, gp, &rs);
		}
	}
	/* the way out: `*` from two or three groups' servers */
	for (int i = 0; i < 5; i++) {
		int g1 = prng_below(r, ng), g2 = prng_below(r, ng);
		int n1 = (g1 * 7919) % ng, n2 = (g2 * 7919) % ng;

		fprintf(fp, "[connector out%d]\nsources = s%03d-0", i, n1);
		if (nsrv[g1] > 1)
			fprintf(fp, ", s%03d-1", n1);
		if (g2 != g1)
			fprintf(fp, ", s%03d-0", n2);
		fprintf(fp, "\naddress_spaces = * %d\n",
		    1 + prng_below(r, gp->max_cost));
		if (i % 2 == 0)
			fprintf(fp, "smart_hosts = relay%d.example.net, "
			    "[192.0.2.%d]:2525\n", i, i + 1);
		if (i == 4)
			fprintf(fp, "enabled = no\n");
		gen_classes(fp, gp, &rc);
		gen_hop(fp, &rt, 1, i);
	}
	/*
	 * Group-scoped connectors for scopedN.test: scoped0 in one group,
	 * the others sourced in two to four groups (visible in each).
	 */
	for (int i = 0; i < MAX_SCOPED; i++) {
		int n = i == 0 ? 1 : 2 + prng_below(r, 3);

		int pick[4];

		fprintf(fp, "[connector scoped%d]\nsources = ", i);
		for (int k = 0; k < n; k++) {
			int dup;

			do {
				pick[k] = prng_below(r, ng);
				dup = 0;
				for (int j = 0; j < k; j++)
					dup |= pick[j] == pick[k];
			} while (dup);
			fprintf(fp, "%ss%03d-0", k ? ", " : "",
			    (pick[k] * 7919) % ng);
		}
		fprintf(fp, "\nscope = group\naddress_spaces = "
		    "scoped%d.test 1\n", i);
		gen_classes(fp, gp, &rc);
		gen_hop(fp, &rt, 1, i + 10);
	}
	fclose(fp);
	free(nsrv);
	return text;
}

/*
 * views_new - each server's own view: the common link state with each of
 * the server's own links that is up there down here only at random
 */
static void
views_new(struct org *o, struct prng *r)
{
	const struct topology *t = o->t;

	int nflip = 0, flip[64][2];

	/* recent changes: sources toggled, which a server may not have yet */
	for (int c = 0; c < t->nconnectors && nflip < 64; c++)
		for (int i = 0; i < t->connectors[c].sources.n; i++)
			if (prng_pct(r, 10) && nflip < 64) {
				flip[nflip][0] = c;
				flip[nflip++][1] = i;
			}
	o->views = calloc((size_t)t->nservers, sizeof(*o->views));
	o->flight = calloc((size_t)t->nservers, sizeof(*o->flight));
	assert_true(o->views != NULL && o->flight != NULL);
	for (int s = 0; s < t->nservers; s++) {
		o->views[s] = linkstate_copy(o->ls, t);
		for (int c = 0; c < t->nconnectors; c++)
			for (int i = 0; i < t->connectors[c].sources.n; i++)
				if (t->connectors[c].sources.v[i] == s &&
				    o->ls->source_down[c][i] == LINKSTATE_UP &&
				    prng_pct(r, 33)) {
					linkstate_set_connector(o->views[s], t,
					    c, s, LINKSTATE_LOCAL);
					o->nlocal++;
				}
		o->flight[s] = linkstate_copy(o->views[s], t);
		for (int k = 0; k < nflip; k++) {
			int c = flip[k][0], i = flip[k][1];
			unsigned char *v = &o->flight[s]->source_down[c][i];

			if (prng_pct(r, 50))
				*v = *v == LINKSTATE_DOWN ? LINKSTATE_UP :
				    LINKSTATE_DOWN;
		}
	}
}

/* org_new - generate, load, index; the link state with random downs */
static void
org_new(struct org *o, const struct gen_params *gp)
{
	struct prng r = { gp->seed };
	struct diag d;
	size_t len;
	char *text = gen_text(gp, &r, &len);
	const struct topology *t;

	memset(o, 0, sizeof(*o));
	diag_init(&d);
	o->t = topo_load_buf("prop.conf", text, len, &d);
	if (o->t == NULL)
		diag_print(&d, stderr);
	diag_free(&d);
	free(text);
	assert_non_null(o->t);
	t = o->t;
	o->ls = linkstate_new(t);
	o->ls->version = 9;
	o->ix = route_index_new(t);
	o->host = calloc((size_t)t->ngroups, sizeof(int));
	assert_non_null(o->host);
	for (int g = 0; g < t->ngroups; g++) {
		o->host[g] = -1;
		for (int i = 0; i < t->groups[g].servers.n; i++) {
			int s = t->groups[g].servers.v[i];

			for (int m = 0; m < t->servers[s].nmailboxes; m++)
				if (strncmp(t->servers[s].mailboxes[m].pattern,
				    t->groups[g].name, 4) == 0)
					o->host[g] = s;
		}
		assert_true(o->host[g] >= 0);
	}
	for (int c = 0; c < t->nconnectors; c++) {
		const struct topo_connector *cn = &t->connectors[c];

		if (cn->to < 0 && strncmp(cn->name, "out", 3) == 0)
			o->stars[o->nstars++] = c;
		else if (cn->to < 0)
			o->scoped[o->nscoped++] = c;
		if (!prng_pct(&r, gp->down_pct))
			continue;
		if (cn->sources.n > 1 && prng_pct(&r, 50))
			linkstate_set_connector(o->ls, t, c, cn->sources.v[
			    prng_below(&r, cn->sources.n)], 1);
		else
			linkstate_set_connector(o->ls, t, c, -1, 1);
	}
	for (int s = 0; s < t->nservers; s++)
		if (prng_pct(&r, gp->server_down_pct))
			linkstate_set_server(o->ls, s, 1);
	views_new(o, &r);
}

static void
org_free(struct org *o)
{
	for (int s = 0; s < o->t->nservers; s++) {
		linkstate_free(o->views[s]);
		linkstate_free(o->flight[s]);
	}
	free(o->views);
	free(o->flight);
	route_index_free(o->ix);
	linkstate_free(o->ls);
	topo_free(o->t);
	free(o->host);
}

/* ---- the oracle: least costs computed apart from the engine ---- */

/* source_up - as the link state says, unless suppressed; never while
 * the connector is closed by its schedule, suppressed or not */
static int
source_up(const struct org *o, int c, int i, int suppress)
{
	const struct topo_connector *cn = &o->t->connectors[c];

	if (!schedule_open(cn->schedule, SCHED_AT))
		return 0;
	return suppress || (!o->ls->source_down[c][i] &&
	    !o->ls->server_down[cn->sources.v[i]]);
}

/*
 * admits - whether a connector admits class cls (priority cls / 2,
 * system cls % 2); cls -1: no class rule
 */
static int
admits(const struct topo_connector *cn, int cls)
{
	return cls < 0 || ((cn->priorities & (1u << (cls / 2))) &&
	    (cls % 2 == 0 || cn->system_messages));
}

/* oracle_dist - O(V^2) Dijkstra from group g over usable connectors */
static void
oracle_dist(const struct org *o, int g, int live, int suppress, int cls,
    int *dist)
{
	const struct topology *t = o->t;
	char *done = calloc((size_t)t->ngroups, 1);

	assert_non_null(done);
	for (int i = 0; i < t->ngroups; i++)
		dist[i] = INF;
	dist[g] = 0;
	for (;;) {
		int u = -1;

		for (int i = 0; i < t->ngroups; i++)
			if (!done[i] && dist[i] < INF && (u < 0 ||
			    dist[i] < dist[u]))
				u = i;
		if (u < 0)
			break;
		done[u] = 1;
		for (int c = 0; c < t->nconnectors; c++) {
			const struct topo_connector *cn = &t->connectors[c];
			int up = !live;

			if (cn->from != u || cn->to < 0 || !cn->enabled ||
			    !admits(cn, cls) ||
			    (cn->scope == TOPO_SCOPE_GROUP && cn->from != g))
				continue;
			for (int i = 0; !up && i < cn->sources.n; i++)
				up = source_up(o, c, i, suppress);
			if (up && dist[u] + cn->cost < dist[cn->to])
				dist[cn->to] = dist[u] + cn->cost;
		}
	}
	free(done);
}

/* visible - an outside connector seen from group g by class cls */
static int
visible(const struct topology *t, int c, int g, int cls)
{
	const struct topo_connector *cn = &t->connectors[c];

	if (!cn->enabled || !admits(cn, cls))
		return 0;
	if (cn->scope == TOPO_SCOPE_ORGANIZATION || cn->from == g)
		return 1;
	for (int i = 0; i < cn->sources.n; i++)
		if (t->servers[cn->sources.v[i]].group == g)
			return 1;
	return 0;
}

/*
 * conn_cost - least reach + address space cost of outside connector c
 * from group self; a group-scoped one only through self's own sources
 */
static int
conn_cost(const struct org *o, int c, int self, const int *dist, int live,
    int suppress)
{
	const struct topo_connector *cn = &o->t->connectors[c];
	int best = INF;

	for (int i = 0; i < cn->sources.n; i++) {
		int g = o->t->servers[cn->sources.v[i]].group;

		if ((live && !source_up(o, c, i, suppress)) || dist[g] >= INF ||
		    (cn->scope == TOPO_SCOPE_GROUP && g != self))
			continue;
		if (dist[g] + cn->spaces[0].cost < best)
			best = dist[g] + cn->spaces[0].cost;
	}
	return best;
}

/*
 * expect_cost - the least cost to the recipient's candidates: kind 0 a
 * mailbox domain hosted in the groups dst[0..ndst), 1 `*`, 2 scopedN.
 */
static int
expect_cost(const struct org *o, int self_group, const int *dist, int live,
    int suppress, int cls, int kind, const int *dst, int ndst)
{
	int best = INF, any = 0;

	if (kind == 0) {
		for (int i = 0; i < ndst; i++)
			if (dist[dst[i]] < best)
				best = dist[dst[i]];
		return best;
	}
	if (kind == 2) {
		for (int i = 0; i < o->nscoped; i++) {
			int c = o->scoped[i], v;

			if (!visible(o->t, c, self_group, cls) ||
			    strncmp(o->t->connectors[c].spaces[0].pattern,
			    "scoped", 6) != 0 || o->t->connectors[c].name[6] !=
			    '0' + dst[0])
				continue;
			any = 1;
			if ((v = conn_cost(o, c, self_group, dist, live,
			    suppress)) < best)
				best = v;
		}
		if (any)
			return best;
	}
	for (int i = 0; i < o->nstars; i++) {
		int c = o->stars[i], v;

		if (visible(o->t, o->stars[i], self_group, cls) &&
		    (v = conn_cost(o, c, self_group, dist, live,
			    suppress)) < best)
			best = v;
	}
	return best;
}

/* ---- the walk ---- */

struct mode {
	int	direct;
	int	suppress;
	int	views;		/* 1: each server its own view (org.views);
				   2: and records in flight (org.flight) */
	int	cls;		/* message class: priority cls / 2, system
				   cls % 2; 0, the default: route_decide */
};

struct walker {
	struct org		*o;
	struct mode		 m;
	struct route_table	**tables;	/* per server, lazily */
	int			*dist_live;	/* per group, lazily: ngroups^2 */
	int			*dist_full;
	char			*have_dist;
	struct route_decision	 d;
	struct route_decision	 d2;		/* the next server's */
	struct stats		*st;
};

static struct route_table *
walker_table(struct walker *w, int s)
{
	if (w->tables[s] == NULL) {
		struct route_params p = { s, w->m.direct, w->m.suppress,
		    "smtp", "lsahold", SCHED_AT };

		w->tables[s] = route_table_new(w->o->t, w->o->ix,
		    w->m.views == 2 ? w->o->flight[s] : w->m.views ?
		    w->o->views[s] : w->o->ls, &p);
	}
	return w->tables[s];
}

/* decide - the decision at server s for the mode's class */
static void
decide(struct walker *w, int s, const char *rcpt, unsigned rotation,
    struct route_decision *d)
{
	struct route_class cls = { (enum route_priority)(w->m.cls / 2),
	    w->m.cls % 2 };

	if (w->m.cls == 0)
		route_decide(walker_table(w, s), rcpt, 0, rotation, d);
	else
		route_decide_class(walker_table(w, s), NULL, rcpt, 0, rotation,
		    &cls, d);
}

static void
walker_dists(struct walker *w, int g, int **live, int **full)
{
	int n = w->o->t->ngroups;

	*live = &w->dist_live[(size_t)g * (size_t)n];
	*full = &w->dist_full[(size_t)g * (size_t)n];
	if (!w->have_dist[g]) {
		oracle_dist(w->o, g, 1, w->m.suppress, w->m.cls, *live);
		oracle_dist(w->o, g, 0, w->m.suppress, w->m.cls, *full);
		w->have_dist[g] = 1;
	}
}

/*
 * check_refused - a bounce (w->d at server self) is rule 8's: 5.7.1, the
 * class has no route (the oracle over its connectors finds none, live or
 * whole), the path is the least-cost one without the class rules and a
 * connector on it refuses the class. kind -1: the recipient's kind
 * unknown (a graph search), the costs not checked.
 */
static void
check_refused(struct walker *w, int self, const char *rcpt, int kind,
    const int *dst, int ndst)
{
	const struct topology *t = w->o->t;
	const struct route_decision *d = &w->d;
	int g = t->servers[self].group, *live, *full, *any, refuses = 0;

	if (strcmp(d->status, "5.7.1") != 0)
		fail_msg("%s from %s: bounce %s (%s)", rcpt,
		    t->servers[self].name, d->status, d->reason);
	w->st->class_refused++;
	for (int i = 0; i < d->nconnectors; i++)
		refuses |= !admits(&t->connectors[d->connectors[i]], w->m.cls);
	if (!refuses)
		fail_msg("%s from %s: 5.7.1 but every connector on the path "
		    "admits the class (%s)", rcpt, t->servers[self].name,
		    d->reason);
	if (kind < 0)
		return;
	walker_dists(w, g, &live, &full);
	assert_int_equal(expect_cost(w->o, g, live, 1, w->m.suppress,
	    w->m.cls, kind, dst, ndst), INF);
	assert_int_equal(expect_cost(w->o, g, full, 0, w->m.suppress,
	    w->m.cls, kind, dst, ndst), INF);
	any = malloc((size_t)t->ngroups * sizeof(int));
	assert_non_null(any);
	oracle_dist(w->o, g, !d->point_of_failure, w->m.suppress, -1, any);
	assert_int_equal(d->cost, expect_cost(w->o, g, any,
	    !d->point_of_failure, w->m.suppress, -1, kind, dst, ndst));
	free(any);
}

/* check_shape - property a (and b): the decision alone */
/* policy_level - the topo_tls of a TLS policy answer */
static int
policy_level(const char *policy)
{
	return strncmp(policy, "secure", 6) == 0 ? TOPO_TLS_VERIFY :
	    topo_tls_parse(policy);
}

/* check_hops - property f: the TLS policy and SASL of each next host */
static void
check_hops(const struct walker *w, int self, const struct route_decision *d)
{
	const struct topology *t = w->o->t;
	char key[300], out[HOP_POLICY_MAX], want[HOP_POLICY_MAX];

	for (int i = 0; i < d->nhosts; i++) {
		int s = topo_find_server(t, d->hosts[i].name), rc;
		const struct topo_connector *c;

		snprintf(key, sizeof(key), "[%s]:%u", d->hosts[i].address,
		    d->hosts[i].port);
		rc = hop_tls_policy(t, self, key, "/ca.pem", out, sizeof(out));
		assert_int_equal(rc, 1);
		if (s >= 0) {
			snprintf(want, sizeof(want), "secure match=%s "
			    "tafile=/ca.pem", t->servers[s].name);
			if (policy_level(out) == TOPO_TLS_VERIFY)
				assert_string_equal(out, want);
			c = d->nconnectors > 0 ?
			    &t->connectors[d->connectors[0]] : NULL;
			if (c != NULL && topo_list_has(&c->sources, self) &&
			    topo_list_has(&c->targets, s))
				assert_true(policy_level(out) >= (int)c->tls);
			assert_int_equal(hop_sasl_connector(t, self,
			    d->hosts[i].address), -1);
			continue;
		}
		c = &t->connectors[d->connectors[d->nconnectors - 1]];
		assert_int_equal(c->to, -1);
		assert_int_equal(policy_level(out), c->tls);
		assert_int_equal(hop_sasl_connector(t, self,
		    d->hosts[i].address) >= 0, c->auth != NULL);
	}
}

static void
check_shape(struct walker *w, int self, const char *rcpt, int kind,
    const int *dst, int ndst)
{
	const struct topology *t = w->o->t;
	const struct route_decision *d = &w->d;
	int g = t->servers[self].group, *live, *full, want;

	for (int i = 0; i < d->npath; i++)
		for (int j = i + 1; j < d->npath; j++)
			if (d->path[i] == d->path[j])
				fail_msg("%s from %s: group %s twice on the "
				    "path", rcpt, t->servers[self].name,
				    t->groups[d->path[i]].name);
	if (d->action == ROUTE_BOUNCE) {
		check_refused(w, self, rcpt, kind, dst, ndst);
		return;
	}
	if (d->action == ROUTE_RELAY)
		check_hops(w, self, d);
	if (d->action == ROUTE_LOCAL || d->npath == 0)
		return;
	assert_int_equal(d->path[0], g);
	assert_true(d->nconnectors == d->npath - 1 ||
	    d->nconnectors == d->npath);
	for (int i = 0; i < d->npath - 1; i++) {
		const struct topo_connector *c =
		    &t->connectors[d->connectors[i]];

		assert_int_equal(c->from, d->path[i]);
		assert_int_equal(c->to, d->path[i + 1]);
		assert_true(c->enabled);
		assert_true(admits(c, w->m.cls));
		if (!d->point_of_failure && !w->m.suppress) {
			int up = 0;

			for (int k = 0; k < c->sources.n; k++)
				up |= source_up(w->o, d->connectors[i], k, 0);
			assert_true(up);
		}
	}
	if (d->nconnectors == d->npath) {
		assert_int_equal(t->connectors[d->connectors[d->npath - 1]].to,
		    -1);
		assert_true(admits(&t->connectors[d->connectors[d->npath - 1]],
		    w->m.cls));
	}
	walker_dists(w, g, &live, &full);
	want = expect_cost(w->o, g, d->point_of_failure ? full : live,
	    !d->point_of_failure, w->m.suppress, w->m.cls, kind, dst, ndst);
	if (d->point_of_failure)
		assert_int_equal(expect_cost(w->o, g, live, 1, w->m.suppress,
		    w->m.cls, kind, dst, ndst), INF);
	if (d->cost != want)
		fail_msg("%s from %s: cost %d, the oracle says %d (pof %d)",
		    rcpt, t->servers[self].name, d->cost, want,
		    d->point_of_failure);
}

/* hosts_domain - whether server s hosts the recipient's domain */
static int
hosts_domain(const struct org *o, int s, int kind, const int *dst, int ndst)
{
	if (kind != 0)
		return 0;
	for (int i = 0; i < ndst; i++)
		if (o->host[dst[i]] == s)
			return 1;
	return 0;
}

/* trace_step - one decision in a line, for the report of a failed walk */
static void
trace_step(const struct walker *w, char *buf, int s)
{
	const struct topology *t = w->o->t;
	const struct route_decision *d = &w->d;
	size_t o = 0;

#define OUT(...) do { if (o < TRACE_LEN) o += (size_t)snprintf(buf + o, \
	TRACE_LEN - o, __VA_ARGS__); } while (0)
	OUT("at %s: %s %s;", t->servers[s].name, route_action_name(d->action),
	    d->reason);
	for (int i = 0; i < d->nhosts; i++)
		OUT(" %s%s", d->hosts[i].name, d->hosts[i].down ? "(down)" : "");
	OUT("; path");
	for (int i = 0; i < d->npath; i++)
		OUT(" %s", t->groups[d->path[i]].name);
	OUT("; via");
	for (int i = 0; i < d->nconnectors; i++)
		OUT(" %s", t->connectors[d->connectors[i]].name);
	OUT("%s", d->point_of_failure ? "; point of failure" : "");
#undef OUT
}

/* trace_dump - the last steps of a walk */
static void
trace_dump(char trace[][TRACE_LEN], int steps)
{
	for (int i = steps > NTRACE ? steps - NTRACE : 0; i < steps; i++)
		fprintf(stderr, "  step %d: %s\n", i, trace[i % NTRACE]);
}

/*
 * walk - property c: from server s, take hosts[0] (last = 0) or
 * hosts[n-1] (last = 1) at each step until an end.
 */
static void
walk(struct walker *w, int s, const char *rcpt, int kind, const int *dst,
    int ndst, int last)
{
	const struct topology *t = w->o->t;
	char *left = calloc((size_t)t->ngroups, 1);
	char trace[NTRACE][TRACE_LEN];
	int steps = 0, start = s;

	assert_non_null(left);
	w->st->walks++;
	for (;; steps++) {
		struct route_decision *d = &w->d;
		int g = t->servers[s].group, next;

		if (steps > 2 * t->ngroups + 2) {
			trace_dump(trace, steps);
			fail_msg("%s from %s: no end after %d steps (at %s)",
			    rcpt, t->servers[start].name, steps,
			    t->servers[s].name);
		}
		decide(w, s, rcpt, (unsigned)steps, d);
		w->st->decisions++;
		w->st->pofs += d->point_of_failure;
		trace_step(w, trace[steps % NTRACE], s);
		check_shape(w, s, rcpt, kind, dst, ndst);
		switch (d->action) {
		case ROUTE_LOCAL:
			if (!hosts_domain(w->o, s, kind, dst, ndst))
				fail_msg("%s: local at %s", rcpt,
				    t->servers[s].name);
			w->st->locals++;
			goto out;
		case ROUTE_DEFER:
			assert_string_equal(d->status, "4.4.1");
			w->st->defers++;
			goto out;
		case ROUTE_RELAY:
			check_transport(t, s, d);
			break;
		case ROUTE_BOUNCE:
			goto out;	/* checked in check_shape */
		default:
			fail_msg("%s from %s: %s %s (%s)", rcpt,
			    t->servers[s].name, route_action_name(d->action),
			    d->status, d->reason);
		}
		if (d->hop_group < 0) {
			/* delivered out: a source of the chosen connector */
			const struct topo_connector *c =
			    &t->connectors[d->connectors[d->nconnectors - 1]];

			assert_true(kind != 0);
			assert_int_equal(c->to, -1);
			assert_int_equal(d->npath, 1);
			assert_true(topo_list_has(&c->sources, s));
			assert_int_equal(d->nhosts, c->nsmart);
			w->st->outs++;
			goto out;
		}
		assert_true(d->nhosts > 0);
		next = topo_find_server(t, d->hosts[last ? d->nhosts - 1 :
		    0].name);
		assert_true(next >= 0);
		assert_int_not_equal(next, s);
		assert_int_equal(t->servers[next].group, d->hop_group);
		if (t->servers[next].group != g) {
			left[g] = 1;
			if (left[t->servers[next].group]) {
				trace_dump(trace, steps + 1);
				fail_msg("%s from %s: back to group %s, left "
				    "before (step %d)", rcpt,
				    t->servers[start].name,
				    t->groups[t->servers[next].group].name,
				    steps);
			}
		}
		s = next;
	}
out:
	free(left);
}

/*
 * sends_back - lsa-policyd's RCPT check (policyd_sends_back): decision d,
 * made at the receiving server, passes the mail straight back to server
 * `from`: one of its hosts, or its next hop in from's group, not its own
 */
static int
sends_back(const struct topology *t, const struct route_decision *d,
    int at, int from)
{
	if (d->action != ROUTE_RELAY)
		return 0;
	int next = d->hop_group;

	for (int i = 0; i < d->nhosts; i++)
		if (strcmp(d->hosts[i].name, t->servers[from].name) == 0)
			return 1;
	/* a hand-over inside the group: the group after it on the path */
	if (next == t->servers[at].group && d->npath >= 2)
		next = d->path[1];
	return next >= 0 && next == t->servers[from].group &&
	    next != t->servers[at].group;
}

/* cycle_groups - the groups on the cycle stack[k..depth] closed by an
 * edge back to server to (stack[k] == to) */
static int
cycle_groups(const struct topology *t, const int *stack, int depth, int to)
{
	int seen[64], n = 0, k = depth;

	while (k > 0 && stack[k] != to)
		k--;
	for (; k <= depth; k++) {
		int g = t->servers[stack[k]].group, j;

		for (j = 0; j < n && seen[j] != g; j++)
			;
		if (j == n && n < (int)(sizeof(seen) / sizeof(seen[0])))
			seen[n++] = g;
	}
	return n;
}

/*
 * graph_visit - property d from server s: every host of every list,
 * depth first; color 1 on the current path (reaching one again is a
 * loop), 2 when every way on from it ended
 */
static void
graph_visit(struct walker *w, int s, const char *rcpt, char *color,
    int *stack, int depth)
{
	const struct topology *t = w->o->t;
	struct route_decision *d = &w->d;
	int next[64], n = 0;

	color[s] = 1;
	stack[depth] = s;
	decide(w, s, rcpt, 0, d);
	w->st->decisions++;
	if (d->action == ROUTE_BOUNCE)
		check_refused(w, s, rcpt, -1, NULL, 0);
	if (d->action == ROUTE_RELAY && d->hop_group >= 0) {
		assert_true(d->nhosts <= (int)(sizeof(next) / sizeof(next[0])));
		for (int i = 0; i < d->nhosts; i++) {
			next[n] = topo_find_server(t, d->hosts[i].name);
			assert_true(next[n] >= 0);
			n++;
		}
	}
	for (int i = 0; i < n; i++) {
		if (w->m.views == 2 && color[next[i]] != 2) {
			decide(w, next[i], rcpt, 0, &w->d2);
			w->st->decisions++;
			if (sends_back(t, &w->d2, next[i], s)) {
				w->st->refused++;
				continue;
			}
		}
		if (color[next[i]] == 1 && w->m.views == 2 &&
		    cycle_groups(t, stack, depth, next[i]) >= 3) {
			/* in flight, a cycle through three groups or more: the
			 * milter's trace refuses the edge that closes it */
			w->st->trace_caught++;
			continue;
		}
		if (color[next[i]] == 1) {
			for (int k = 0; k <= depth; k++)
				fprintf(stderr, "  %s%s", t->servers[stack[k]].name,
				    k < depth ? " ->" : "\n");
			fail_msg("%s: a loop, %s -> %s", rcpt,
			    t->servers[s].name, t->servers[next[i]].name);
		}
		if (color[next[i]] == 0)
			graph_visit(w, next[i], rcpt, color, stack, depth + 1);
	}
	color[s] = 2;
}

/* graph_check - property d for one recipient from server s */
static void
graph_check(struct walker *w, int s, const char *rcpt)
{
	int n = w->o->t->nservers;
	char *color = calloc((size_t)n, 1);
	int *stack = calloc((size_t)n, sizeof(int));

	assert_true(color != NULL && stack != NULL);
	w->st->graphs++;
	graph_visit(w, s, rcpt, color, stack, 0);
	free(color);
	free(stack);
}

/* run_mode - every walk of one topology in one mode */
static void
run_mode(struct org *o, const struct gen_params *gp, struct mode m,
    struct stats *st)
{
	const struct topology *t = o->t;
	struct prng r = { gp->seed ^ 0xa5a5a5a5ULL };
	struct walker w;
	size_t n2 = (size_t)t->ngroups * (size_t)t->ngroups;
	char rcpt[128];

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.m = m;
	w.st = st;
	w.tables = calloc((size_t)t->nservers, sizeof(*w.tables));
	w.dist_live = malloc(n2 * sizeof(int));
	w.dist_full = malloc(n2 * sizeof(int));
	w.have_dist = calloc((size_t)t->ngroups, 1);
	assert_true(w.tables && w.dist_live && w.dist_full && w.have_dist);
	route_decision_init(&w.d);
	route_decision_init(&w.d2);
	for (int s = 0; s < t->nservers; s += gp->server_stride)
		for (int k = 0; k < gp->dests + 2; k++) {
			int dst[16], ndst = 1, kind = 0;

			if (k == gp->dests) {
				kind = 1;
				snprintf(rcpt, sizeof(rcpt),
				    "u%d@host%d.example.org", k, s);
			} else if (k == gp->dests + 1 || k == 1) {
				kind = 2;
				dst[0] = prng_below(&r, MAX_SCOPED);
				snprintf(rcpt, sizeof(rcpt), "u@scoped%d.test",
				    dst[0]);
			} else if (k == 0 && s % 5 == 0) {
				/* multiN.prop.test: hosted in several groups */
				int mi = prng_below(&r, 3);

				ndst = 0;
				for (int g = 0; g < t->ngroups; g++)
					if (g % 37 == 5 && g % 3 == mi)
						dst[ndst++] = g;
				if (ndst == 0)
					continue;
				snprintf(rcpt, sizeof(rcpt),
				    "u@multi%d.prop.test", mi);
			} else {
				dst[0] = prng_below(&r, t->ngroups);
				snprintf(rcpt, sizeof(rcpt),
				    "User+%d@%s.Prop.Test", k,
				    t->groups[dst[0]].name);
			}
			/* in flight the views disagree on costs: e only */
			if (m.views != 2) {
				walk(&w, s, rcpt, kind, dst, ndst, 0);
				walk(&w, s, rcpt, kind, dst, ndst, 1);
			}
			if (m.views)
				graph_check(&w, s, rcpt);
		}
	route_decision_free(&w.d);
	route_decision_free(&w.d2);
	for (int s = 0; s < t->nservers; s++)
		route_table_free(w.tables[s]);
	free(w.tables);
	free(w.dist_live);
	free(w.dist_full);
	free(w.have_dist);
}

static void
run_gen(void **state)
{
	const struct gen_params *gp = *state;
	static const struct mode plain[] = {
		{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 1, 1, 0, 0 },
		{ 0, 0, 1, 0 }, { 1, 0, 1, 0 }, { 0, 0, 2, 0 },
	};
	/* every class: one view, and each server its own */
	static const struct mode classes[] = {
		{ 0, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 }, { 0, 0, 1, 1 },
		{ 0, 0, 0, 2 }, { 0, 0, 1, 2 }, { 0, 0, 0, 3 }, { 0, 0, 1, 3 },
		{ 0, 0, 0, 4 }, { 0, 0, 1, 4 }, { 1, 0, 0, 5 }, { 0, 0, 1, 5 },	/* one relay direct */
	};
	const struct mode *modes = gp->class_pct ? classes : plain;
	size_t nmodes = gp->class_pct ? nitems(classes) : nitems(plain);
	struct stats st[nitems(classes)];
	struct org o;
	long class_refused = 0;

	memset(st, 0, sizeof(st));
	for (int k = 0; k < gp->count; k++) {
		struct gen_params g = *gp;

		g.seed = gp->seed + (uint64_t)k;
		org_new(&o, &g);
		for (size_t i = 0; i < nmodes; i++) {
			run_mode(&o, &g, modes[i], &st[i]);
			st[i].local += o.nlocal;
		}
		org_free(&o);
	}
	for (size_t i = 0; i < nmodes; i++) {
		const struct stats *x = &st[i];

		printf("  %s, %s%s%s", gp->name, modes[i].direct ? "direct" :
		    "hop by hop", modes[i].suppress ? ", suppress" : "",
		    modes[i].views == 2 ? ", records in flight" :
		    modes[i].views ? ", own views" : "");
		if (gp->class_pct)
			printf(", %s priority%s", modes[i].cls / 2 == 0 ?
			    "normal" : modes[i].cls / 2 == 1 ? "high" : "low",
			    modes[i].cls % 2 ? ", system" : "");
		printf(": %ld walks, %ld decisions; %ld local, "
		    "%ld out, %ld deferred, %ld at the point of failure",
		    x->walks, x->decisions, x->locals, x->outs, x->defers,
		    x->pofs);
		if (modes[i].views)
			printf("; %ld next-hop graphs, %ld links down in one "
			    "view only", x->graphs, x->local);
		if (modes[i].views == 2)
			printf(", %ld hand-overs refused at RCPT, %ld cycles of "
			    "3+ groups refused by the trace", x->refused,
			    x->trace_caught);
		if (gp->class_pct)
			printf(", %ld refused 5.7.1 (no route for the class)",
			    x->class_refused);
		printf("\n");
		class_refused += x->class_refused;
		if (modes[i].views == 2) {
			/* the check must have had something to refuse */
			assert_true(x->graphs > 0 && x->refused > 0);
			continue;
		}
		/* the generator must produce every kind of end */
		assert_true(x->locals > 0);
		assert_true(x->outs > 0);
		if (!modes[i].suppress)
			assert_true(x->defers > 0 && x->pofs > 0);
		else if (gp->sched_pct)	/* closed is down, suppressed too */
			assert_true(x->pofs > 0);
		else
			assert_true(x->defers == 0 && x->pofs == 0);
	}
	/* classes: some had no route of their own; without classes none */
	assert_true(gp->class_pct ? class_refused > 0 : class_refused == 0);
}

/* the generator is deterministic: the same seed, the same text */
static void
test_gen_deterministic(void **state)
{
	struct prng a = { gens[1].seed }, b = { gens[1].seed };
	size_t la, lb;
	char *ta, *tb;

	(void)state;
	ta = gen_text(&gens[1], &a, &la);
	tb = gen_text(&gens[1], &b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ta, tb, la);
	free(ta);
	free(tb);
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(gens) / sizeof(gens[0]) + 1];
	size_t n = 0;

	schedule_zone_set("UTC");
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_gen_deterministic);
	for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		tests[n].name = gens[i].name;
		tests[n].test_func = run_gen;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = (void *)(uintptr_t)&gens[i];
		n++;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
