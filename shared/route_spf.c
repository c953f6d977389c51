/*
 * route_spf.c - least-cost trees over groups (Dijkstra), the routing
 * table's build and free.
 *
 * Keys are (cost, hops). Among equal keys the predecessor with the lower
 * group name wins, then the lower connector name: that is "the lower
 * group name met walking back from the destination" (seed 004: {1-2-4}
 * beats {1-3-4}), because every predecessor has a strictly smaller key
 * and is settled before the group itself is popped. Names are compared
 * through precomputed ranks, so the inner loop compares integers.
 *
 * One pair of trees per view (route_priv.h): per set of connectors a
 * message class may use. All views are built here, at most seven, and
 * only as many as there are distinct sets (one without class keys): the
 * table is never written after route_table_new(), so threads may share
 * it (lsa-milter's callbacks run in several).
 */
#include <stdlib.h>
#include <string.h>

#include "route_priv.h"
#include "xmalloc.h"

/* route_source_up - whether source i of the connector is up in the
 * view every server shares (a LINKSTATE_LOCAL down counts as up) */
int
route_source_up(const struct route_table *rt, int connector, int i)
{
	const struct topo_connector *c = &rt->t->connectors[connector];

	if (rt->closed[connector])
		return 0;	/* rule 9: every server agrees, suppress too */
	if (rt->p.suppress)
		return 1;
	return rt->ls->source_down[connector][i] != LINKSTATE_DOWN &&
	    !rt->ls->server_down[c->sources.v[i]];
}

/* route_source_usable - whether source i of the connector is up in this
 * server's own view (LINKSTATE_LOCAL too counts as down) */
int
route_source_usable(const struct route_table *rt, int connector, int i)
{
	return route_source_up(rt, connector, i) && (rt->p.suppress ||
	    rt->ls->source_down[connector][i] == LINKSTATE_UP);
}

/* route_server_down - whether a server is known down */
int
route_server_down(const struct route_table *rt, int server)
{
	return !rt->p.suppress && rt->ls->server_down[server];
}

/* route_heap_less - (dist, hops) order */
static int
route_heap_less(const struct route_heap_item *a,
    const struct route_heap_item *b)
{
	return a->dist < b->dist || (a->dist == b->dist && a->hops < b->hops);
}

/* route_heap_push - add an item, sift up */
static void
route_heap_push(struct route_table *rt, int *n, struct route_heap_item it)
{
	int i;

	if (*n == rt->heap_cap) {
		rt->heap_cap = rt->heap_cap ? rt->heap_cap * 2 : 64;
		rt->heap = xreallocarray(rt->heap, (size_t)rt->heap_cap,
		    sizeof(*rt->heap));
	}
	for (i = (*n)++; i > 0; i = (i - 1) / 2) {
		if (!route_heap_less(&it, &rt->heap[(i - 1) / 2]))
			break;
		rt->heap[i] = rt->heap[(i - 1) / 2];
	}
	rt->heap[i] = it;
}

/* route_heap_pop - remove the least item, sift down */
static struct route_heap_item
route_heap_pop(struct route_table *rt, int *n)
{
	struct route_heap_item top = rt->heap[0], last = rt->heap[--(*n)];
	int i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && route_heap_less(&rt->heap[c + 1],
		    &rt->heap[c]))
			c++;
		if (!route_heap_less(&rt->heap[c], &last))
			break;
		rt->heap[i] = rt->heap[c];
		i = c;
	}
	rt->heap[i] = last;
	return top;
}

/*
 * route_admits - whether a connector admits class index k (priority
 * k / 2, system k % 2); every connector admits ROUTE_VIEW_ANY
 */
int
route_admits(const struct topo_connector *c, int k)
{
	if (k == ROUTE_VIEW_ANY)
		return 1;
	return (c->priorities & (1u << (k / 2))) != 0 &&
	    (k % 2 == 0 || c->system_messages);
}

/* route_usable - whether a connector is an edge of the view's tree */
static int
route_usable(const struct route_table *rt, const struct route_view *v,
    int ci, int live)
{
	const struct topo_connector *c = &rt->t->connectors[ci];

	if (!c->enabled || c->to < 0 || !v->admit[ci])
		return 0;
	/* a group-scoped connector is only for its own group's servers */
	if (c->scope == TOPO_SCOPE_GROUP && c->from != rt->self_group)
		return 0;
	return !live || rt->conn_up[ci];
}

/*
 * route_better - whether via connector ci (key d, h) beats the current
 * pred of v. When the keys tie, *why names the rule that decided,
 * whichever way it went.
 */
static int
route_better(const struct route_table *rt, const struct route_tree *tr,
    int v, int d, int h, int ci, const char **why)
{
	const struct topology *t = rt->t;
	int old, gnew, gold;

	*why = NULL;
	if (d != tr->dist[v])
		return d < tr->dist[v];
	*why = "fewer hops";
	if (h != tr->hops[v])
		return h < tr->hops[v];
	old = tr->pred[v];
	gnew = t->connectors[ci].from;
	gold = t->connectors[old].from;
	if (gnew != gold) {
		*why = "group name";
		return rt->grank[gnew] < rt->grank[gold];
	}
	*why = "connector name";
	return rt->crank[ci] < rt->crank[old];
}

/* route_tie_depth - how far down the path rules a tie went, 0: none */
static int
route_tie_depth(const char *why)
{
	if (why == NULL)
		return 0;
	return strcmp(why, "fewer hops") == 0 ? 1 :
	    strcmp(why, "group name") == 0 ? 2 : 3;
}

/* route_spf - one tree of a view from the local group */
static void
route_spf(struct route_table *rt, const struct route_view *vw,
    struct route_tree *tr, int live)
{
	const struct topology *t = rt->t;
	int n = 0;

	for (int g = 0; g < t->ngroups; g++) {
		tr->dist[g] = ROUTE_INF;
		tr->hops[g] = 0;
		tr->pred[g] = -1;
		tr->tiebreak[g] = NULL;
	}
	if (rt->self_group < 0)
		return;
	tr->dist[rt->self_group] = 0;
	route_heap_push(rt, &n, (struct route_heap_item){ 0, 0,
	    rt->self_group });
	while (n > 0) {
		struct route_heap_item it = route_heap_pop(rt, &n);
		const struct topo_group *g = &t->groups[it.group];

		if (it.dist != tr->dist[it.group] ||
		    it.hops != tr->hops[it.group])
			continue;	/* stale entry */
		for (int k = 0; k < g->out.n; k++) {
			int ci = g->out.v[k];
			int v = t->connectors[ci].to;
			int d = it.dist + t->connectors[ci].cost;
			int h = it.hops + 1;
			const char *why;

			if (!route_usable(rt, vw, ci, live))
				continue;
			if (!route_better(rt, tr, v, d, h, ci, &why)) {
				/* the rival that came closest names the rule */
				if (route_tie_depth(why) >
				    route_tie_depth(tr->tiebreak[v]))
					tr->tiebreak[v] = why;
				continue;
			}
			if (d != tr->dist[v] || h != tr->hops[v])
				route_heap_push(rt, &n,
				    (struct route_heap_item){ d, h, v });
			tr->dist[v] = d;
			tr->hops[v] = h;
			tr->pred[v] = ci;
			tr->tiebreak[v] = why;
		}
	}
}

/* route_tree_alloc - arrays for one tree */
static void
route_tree_alloc(struct route_tree *tr, int n)
{
	tr->dist = xcalloc((size_t)n + 1, sizeof(*tr->dist));
	tr->hops = xcalloc((size_t)n + 1, sizeof(*tr->hops));
	tr->pred = xcalloc((size_t)n + 1, sizeof(*tr->pred));
	tr->tiebreak = xcalloc((size_t)n + 1, sizeof(*tr->tiebreak));
}

/* route_tree_free - one tree's arrays */
static void
route_tree_free(struct route_tree *tr)
{
	free(tr->dist);
	free(tr->hops);
	free(tr->pred);
	free(tr->tiebreak);
}

/*
 * route_views - a view per distinct set of admitted connectors, and each
 * class index pointed at its own
 */
static void
route_views(struct route_table *rt)
{
	size_t n = (size_t)rt->t->nconnectors;

	for (int k = 0; k <= ROUTE_NCLASS; k++) {
		unsigned char *admit = xcalloc(n + 1, 1);
		struct route_view *v;
		int j;

		for (size_t ci = 0; ci < n; ci++)
			admit[ci] = (unsigned char)route_admits(
			    &rt->t->connectors[ci], k);
		for (j = 0; j < rt->nviews; j++)
			if (memcmp(rt->views[j].admit, admit, n) == 0)
				break;
		if (j < rt->nviews) {
			free(admit);
			rt->view[k] = &rt->views[j];
			continue;
		}
		v = &rt->views[rt->nviews++];
		v->admit = admit;
		route_tree_alloc(&v->live, rt->t->ngroups);
		route_tree_alloc(&v->full, rt->t->ngroups);
		route_spf(rt, v, &v->live, 1);
		route_spf(rt, v, &v->full, 0);
		rt->view[k] = v;
	}
}

/* route_table_new - the trees of every view for the local server */
struct route_table *
route_table_new(const struct topology *t, const struct route_index *ix,
    const struct linkstate *ls, const struct route_params *p)
{
	struct route_table *rt = xcalloc(1, sizeof(*rt));

	rt->t = t;
	rt->ix = ix;
	rt->ls = ls;
	rt->p = *p;
	if (rt->p.transport == NULL)
		rt->p.transport = "smtp";
	rt->self_group = p->self >= 0 ? t->servers[p->self].group : -1;
	rt->grank = xcalloc((size_t)t->ngroups + 1, sizeof(*rt->grank));
	rt->crank = xcalloc((size_t)t->nconnectors + 1, sizeof(*rt->crank));
	for (int i = 0; i < t->ngroups; i++)
		rt->grank[t->group_index[i]] = i;
	for (int i = 0; i < t->nconnectors; i++)
		rt->crank[t->connector_index[i]] = i;
	rt->closed = xcalloc((size_t)t->nconnectors + 1, 1);
	for (int ci = 0; ci < t->nconnectors; ci++)
		rt->closed[ci] = !schedule_open(t->connectors[ci].schedule,
		    p->at);
	rt->conn_up = xcalloc((size_t)t->nconnectors + 1, 1);
	for (int ci = 0; ci < t->nconnectors; ci++)
		for (int i = 0; i < t->connectors[ci].sources.n; i++)
			if (route_source_up(rt, ci, i)) {
				rt->conn_up[ci] = 1;
				break;
			}
	route_views(rt);
	return rt;
}

/* route_table_next_edge - see route.h */
time_t
route_table_next_edge(const struct route_table *rt)
{
	return schedule_topo_next(rt->t, rt->p.at);
}

/* route_table_free - the table, not what it borrows */
void
route_table_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	for (int j = 0; j < rt->nviews; j++) {
		route_tree_free(&rt->views[j].live);
		route_tree_free(&rt->views[j].full);
		free(rt->views[j].admit);
	}
	free(rt->grank);
	free(rt->crank);
	free(rt->conn_up);
	free(rt->closed);
	free(rt->heap);
	free(rt);
}
