/*
 * route.c - one routing decision (rules in route.h).
 *
 * Candidates come from the address space index, seen through the view of
 * the message's class (rule 8); each is scored against the view's live
 * least-cost tree, and only when none is reachable there against its
 * whole topology's tree (queue at the point of failure). The winner
 * gives a target group; the path is read back from the tree's
 * predecessors; the next hop follows from the path's first connector.
 */
#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_priv.h"
#include "xmalloc.h"

#define ROUTE_MAX_CANDIDATES	256

_Static_assert((int)ROUTE_PRIO_NORMAL == TOPO_PRIO_NORMAL &&
    (int)ROUTE_PRIO_HIGH == TOPO_PRIO_HIGH &&
    (int)ROUTE_PRIO_LOW == TOPO_PRIO_LOW, "one numbering of priorities");

struct route_seen {		/* route_visible's argument */
	const struct route_table *rt;
	const struct route_view	*v;
};

struct route_cand {
	const struct route_entry *e;
	int	group;		/* hosting group, or the source group */
	int	reach;		/* cost to reach that group */
	int	cost;		/* reach + address space cost */
	int	prox;		/* 0 local server, 1 local group, 2 remote */
	int	first_src;	/* a later source tied on cost and proximity */
};

static const char *route_action_names[] = {
	"local", "relay", "defer", "bounce", "default",
};

/* route_action_name - "local", "relay", ... */
const char *
route_action_name(enum route_action a)
{
	return route_action_names[a];
}

/*
 * route_recipient_domain - the lowercased domain of an address, as
 * Postfix sends it ("Mixed.Case+ext@B.Test" -> "b.test"); a trailing dot
 * is dropped. Returns -1 when there is no valid domain.
 */
int
route_recipient_domain(const char *recipient, char *buf, size_t len)
{
	const char *at = strrchr(recipient, '@');
	size_t n;

	if (at == NULL)
		return -1;
	n = strlen(at + 1);
	if (n > 0 && at[n] == '.')
		n--;
	if (n == 0 || n >= len || !addrspace_valid_domain(at + 1, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)at[1 + i]);
	buf[n] = '\0';
	return 0;
}

/* route_decision_init - an empty, reusable decision */
void
route_decision_init(struct route_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->hop_group = -1;
}

/* route_decision_free - its buffers */
void
route_decision_free(struct route_decision *d)
{
	free(d->transport);
	free(d->hosts);
	free(d->path);
	free(d->connectors);
	memset(d, 0, sizeof(*d));
}

/* route_visible - index filter: enabled, in-scope connectors that
 * admit the view's class */
static int
route_visible(void *arg, const struct route_entry *e)
{
	const struct route_seen *sn = arg;
	const struct route_table *rt = sn->rt;
	const struct topo_connector *c;

	if (e->kind == ROUTE_ENTRY_MAILBOX)
		return 1;
	c = &rt->t->connectors[e->idx];
	if (!c->enabled || !sn->v->admit[e->idx])
		return 0;
	if (c->scope == TOPO_SCOPE_ORGANIZATION)
		return 1;
	if (c->from >= 0 && c->from == rt->self_group)
		return 1;
	for (int i = 0; i < c->sources.n; i++)
		if (rt->t->servers[c->sources.v[i]].group == rt->self_group)
			return 1;
	return 0;
}

/* route_result - set action, status and reason */
static void
route_result(struct route_decision *d, enum route_action a,
    const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
route_result(struct route_decision *d, enum route_action a,
    const char *status, const char *fmt, ...)
{
	va_list ap;

	d->action = a;
	snprintf(d->status, sizeof(d->status), "%s", status);
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* route_add_host - append one next-hop host */
static void
route_add_host(struct route_decision *d, const char *name,
    const char *address, unsigned port, int down)
{
	if (d->nhosts == d->hosts_cap) {
		d->hosts_cap = d->hosts_cap ? d->hosts_cap * 2 : 8;
		d->hosts = xreallocarray(d->hosts, (size_t)d->hosts_cap,
		    sizeof(*d->hosts));
	}
	d->hosts[d->nhosts++] = (struct route_host){ name, address, port,
	    down };
}

/* route_add_server - a server as a next hop, never the local one */
static void
route_add_server(const struct route_table *rt, struct route_decision *d,
    int s, int down)
{
	const struct topo_server *sv = &rt->t->servers[s];

	if (s == rt->p.self)
		return;
	route_add_host(d, sv->name, sv->address, sv->smtp_port,
	    down || route_server_down(rt, s));
}

/* route_reverse - reverse hosts [i, j) in place */
static void
route_reverse(struct route_host *h, int i, int j)
{
	for (j--; i < j; i++, j--) {
		struct route_host tmp = h[i];

		h[i] = h[j];
		h[j] = tmp;
	}
}

/*
 * route_arrange - rotate the list by the rotation number (seed 004:
 * {HT1,HT2,HT3}, {HT2,HT3,HT1}, ...), then move hosts known down to the
 * end, keeping order otherwise. In place, no allocation.
 */
static void
route_arrange(struct route_decision *d, unsigned rotation)
{
	struct route_host *h = d->hosts;
	int n = d->nhosts, k, up = 0;

	if (n < 2)
		return;
	k = (int)(rotation % (unsigned)n);
	route_reverse(h, 0, k);
	route_reverse(h, k, n);
	route_reverse(h, 0, n);
	for (int i = 0; i < n; i++) {
		struct route_host tmp = h[i];

		if (tmp.down)
			continue;
		memmove(&h[up + 1], &h[up], (size_t)(i - up) * sizeof(*h));
		h[up++] = tmp;
	}
}

/* route_append - copy n bytes to p; past them */
static char *
route_append(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * route_transport - "smtp:[a]:25, [b]:25", or "smtp:" for DNS MX (name
 * is the transport). Built
 * with copies, not printf: it is made on every lookup that relays.
 */
static void
route_transport(struct route_decision *d, const char *name)
{
	size_t tl = strlen(name), need = tl + 2;
	char *p, port[16];

	for (int i = 0; i < d->nhosts; i++)
		need += strlen(d->hosts[i].address) + 12;
	if (need > d->transport_cap) {
		free(d->transport);
		d->transport = xmalloc(need);
		d->transport_cap = need;
	}
	p = route_append(d->transport, name, tl);
	*p++ = ':';
	for (int i = 0; i < d->nhosts; i++) {
		int n = 0;

		if (i > 0)
			p = route_append(p, ", ", 2);
		*p++ = '[';
		p = route_append(p, d->hosts[i].address,
		    strlen(d->hosts[i].address));
		p = route_append(p, "]:", 2);
		for (unsigned v = d->hosts[i].port; v > 0 || n == 0; v /= 10)
			port[n++] = (char)('0' + v % 10);
		while (n > 0)
			*p++ = port[--n];
	}
	*p = '\0';
}

/* route_path - read the path to group g back from a tree */
static void
route_path(const struct route_table *rt, const struct route_tree *tr,
    int g, struct route_decision *d)
{
	int n = tr->hops[g] + 1;

	if (n + 1 > d->path_cap) {
		d->path_cap = n + 1;
		d->path = xreallocarray(d->path, (size_t)d->path_cap,
		    sizeof(*d->path));
		d->connectors = xreallocarray(d->connectors,
		    (size_t)d->path_cap, sizeof(*d->connectors));
	}
	d->npath = n;
	d->nconnectors = n - 1;
	for (int i = n - 1; i > 0; i--) {
		d->path[i] = g;
		d->connectors[i - 1] = tr->pred[g];
		g = rt->t->connectors[tr->pred[g]].from;
	}
	d->path[0] = g;
}

/* route_score - place a candidate on a tree; 0 when unreachable */
static int
route_score(const struct route_table *rt, const struct route_tree *tr,
    int live, const struct route_entry *e, struct route_cand *c)
{
	const struct topology *t = rt->t;
	const struct topo_connector *cn;

	memset(c, 0, sizeof(*c));
	c->e = e;
	if (e->kind == ROUTE_ENTRY_MAILBOX) {
		c->group = t->servers[e->idx].group;
		c->reach = tr->dist[c->group];
		c->cost = c->reach;
		c->prox = c->group == rt->self_group ? 1 : 2;
		return c->reach != ROUTE_INF;
	}
	cn = &t->connectors[e->idx];
	c->reach = ROUTE_INF;
	for (int i = 0; i < cn->sources.n; i++) {
		int s = cn->sources.v[i], g = t->servers[s].group;
		int prox = s == rt->p.self ? 0 : g == rt->self_group ? 1 : 2;

		/*
		 * A group-scoped connector is used from its own groups only,
		 * through their own sources: a group that cannot see it would
		 * send the mail back (a loop).
		 */
		if ((live && !route_source_up(rt, e->idx, i)) ||
		    tr->dist[g] == ROUTE_INF || (cn->scope ==
		    TOPO_SCOPE_GROUP && g != rt->self_group))
			continue;
		if (tr->dist[g] < c->reach || (tr->dist[g] == c->reach &&
		    prox < c->prox)) {
			c->first_src = c->reach == tr->dist[g] &&
			    c->group != g && prox == c->prox;
			c->reach = tr->dist[g];
			c->group = g;
			c->prox = prox;
		} else if (tr->dist[g] == c->reach && prox == c->prox &&
		    g != c->group) {
			c->first_src = 1;
		}
	}
	c->cost = c->reach == ROUTE_INF ? ROUTE_INF : c->reach + e->cost;
	return c->reach != ROUTE_INF;
}

/* route_cand_name - the name candidates are ordered by last */
static const char *
route_cand_name(const struct route_table *rt, const struct route_cand *c)
{
	return c->e->kind == ROUTE_ENTRY_MAILBOX ?
	    rt->t->groups[c->group].name : rt->t->connectors[c->e->idx].name;
}

/*
 * route_cand_cmp - candidate order: cost, proximity, mailboxes before
 * connectors, name. Sets *why to the rule that decided when not cost.
 */
static int
route_cand_cmp(const struct route_table *rt, const struct route_cand *a,
    const struct route_cand *b, const char **why)
{
	int c;

	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->prox != b->prox) {
		*why = b->prox == 2 ? "local group over remote" :
		    "local server over local group";
		if (a->prox > b->prox)
			*why = a->prox == 2 ? "local group over remote" :
			    "local server over local group";
		return a->prox < b->prox ? -1 : 1;
	}
	if (a->e->kind != b->e->kind) {
		*why = "mailbox server over connector";
		return a->e->kind == ROUTE_ENTRY_MAILBOX ? -1 : 1;
	}
	c = strcmp(route_cand_name(rt, a), route_cand_name(rt, b));
	if (c != 0) {
		*why = a->e->kind == ROUTE_ENTRY_MAILBOX ? "group name" :
		    "connector name";
		return c;
	}
	return 0;
}

/* route_choose - the best candidate on one tree; 0 if none reachable */
static int
route_choose(const struct route_table *rt, const struct route_tree *tr,
    int live, const struct route_entry **e, int n, struct route_cand *best,
    const char **why)
{
	struct route_cand c, rival = { 0 };
	int have = 0, rivals = 0;

	*why = NULL;
	for (int i = 0; i < n; i++) {
		const char *w = NULL;

		if (!route_score(rt, tr, live, e[i], &c))
			continue;
		if (!have) {
			*best = c;
			have = 1;
		} else if (route_cand_cmp(rt, &c, best, &w) < 0) {
			rival = *best;
			*best = c;
			rivals = 1;
		} else if (route_cand_cmp(rt, best, &c, &w) != 0 && (!rivals ||
		    route_cand_cmp(rt, &c, &rival, &w) < 0)) {
			rival = c;
			rivals = 1;
		}
	}
	/*
	 * The tie-break is the rule between the best and the runner-up
	 * (the closest rival), whatever order the candidates came in.
	 * Candidates that compare equal (servers of one group) are one.
	 */
	if (rivals)
		route_cand_cmp(rt, best, &rival, why);
	return have;
}

/* route_size_check - bounce 5.3.4 when over a limit on the path */
static int
route_size_check(const struct route_table *rt, struct route_decision *d,
    uint64_t size)
{
	for (int i = 0; size > 0 && i < d->nconnectors; i++) {
		const struct topo_connector *c =
		    &rt->t->connectors[d->connectors[i]];

		if (c->max_size != 0 && size > c->max_size) {
			route_result(d, ROUTE_BOUNCE, "5.3.4", "message size "
			    "%" PRIu64 " exceeds the limit %" PRIu64 " of "
			    "connector %s on the route", size, c->max_size,
			    c->name);
			return -1;
		}
	}
	return 0;
}

/*
 * route_sender_split - a sender's local part, lowercased and without its
 * +extension, and its lowercased domain; a part that is missing, too long
 * or (the domain) not a domain is "", which no pattern but "*" matches.
 */
static void
route_sender_split(const char *sender, char *local, size_t llen,
    char *domain, size_t dlen)
{
	size_t n = strcspn(sender, "+@");

	local[0] = domain[0] = '\0';
	if (strchr(sender, '@') == NULL)
		return;
	if (n < llen) {
		for (size_t i = 0; i < n; i++)
			local[i] = (char)tolower((unsigned char)sender[i]);
		local[n] = '\0';
	}
	if (route_recipient_domain(sender, domain, dlen) < 0)
		domain[0] = '\0';
}

/* route_sender_match - whether a split sender matches a pattern of p */
static int
route_sender_match(const struct topo_sender *p, int n, const char *local,
    const char *domain)
{
	for (int i = 0; i < n; i++) {
		if (p[i].local == NULL ? addrspace_match(&p[i].domain,
		    domain) >= 0 : strcmp(p[i].local, local) == 0 &&
		    strcmp(p[i].domain.domain, domain) == 0)
			return 1;
	}
	return 0;
}

/* route_sender_check - bounce 5.7.1 when a connector refuses the sender */
static int
route_sender_check(const struct route_table *rt, struct route_decision *d,
    const char *sender)
{
	char local[TOPO_LOCAL_MAX + 1], domain[ADDRSPACE_MAX_DOMAIN + 1];
	char shown[128];
	int split = 0;
	size_t k;

	if (sender == NULL || *sender == '\0' || strcmp(sender, "<>") == 0)
		return 0;
	for (int i = 0; i < d->nconnectors; i++) {
		const struct topo_connector *c =
		    &rt->t->connectors[d->connectors[i]];

		if (c->nallow == 0 && c->ndeny == 0)
			continue;
		if (!split) {
			route_sender_split(sender, local, sizeof(local), domain,
			    sizeof(domain));
			split = 1;
		}
		if (!route_sender_match(c->senders_deny, c->ndeny, local,
		    domain) && (c->nallow == 0 || route_sender_match(
		    c->senders_allow, c->nallow, local, domain)))
			continue;
		/* the sender as written, but only printable bytes: it goes
		   into an SMTP reply */
		for (k = 0; sender[k] != '\0' && k < sizeof(shown) - 1; k++)
			shown[k] = isgraph((unsigned char)sender[k]) ?
			    sender[k] : '?';
		shown[k] = '\0';
		route_result(d, ROUTE_BOUNCE, "5.7.1", "connector %s does not "
		    "accept mail from %s", c->name, shown);
		return -1;
	}
	return 0;
}

/* route_class_index - 0..ROUTE_NCLASS-1, the default class (NULL) 0;
 * an unknown priority counts as normal */
static int
route_class_index(const struct route_class *cls)
{
	int p;

	if (cls == NULL)
		return 0;
	p = cls->priority <= ROUTE_PRIO_LOW ? (int)cls->priority : 0;
	return p * 2 + (cls->system != 0);
}

/*
 * route_class_refuse - bounce 5.7.1 naming the first connector on the
 * path (found without the class rules) that does not admit class k
 */
static void
route_class_refuse(const struct route_table *rt, struct route_decision *d,
    int k)
{
	for (int i = 0; i < d->nconnectors; i++) {
		const struct topo_connector *c =
		    &rt->t->connectors[d->connectors[i]];

		if (route_admits(c, k))
			continue;
		if (!(c->priorities & (1u << (k / 2))))
			route_result(d, ROUTE_BOUNCE, "5.7.1", "connector %s "
			    "does not accept %s-priority messages", c->name,
			    topo_priority_name(k / 2));
		else
			route_result(d, ROUTE_BOUNCE, "5.7.1", "connector %s "
			    "does not accept system messages", c->name);
		return;
	}
	/* not reached: a route every connector of which admits the class
	   is a route of the class */
	route_result(d, ROUTE_BOUNCE, "5.7.1", "no route admits the message's "
	    "class");
}

/*
 * route_handover - the local server is source self_src of connector ci
 * but cannot use its own link: add the sources of the local group it may
 * pass the mail to, and return how many. What keeps routing loop-free
 * when views differ:
 *  - its link is down in the LST (every server knows): to any source
 *    that is up; none of them hands it back, as all see this one down;
 *  - down here only (retrying, an override not yet flooded): to none.
 *    The others think this link is up, and any of them may be in the
 *    same state: two sources that each saw only their own link fail
 *    would pass mail back and forth, and one that passed it on early
 *    would see it come back when the other's link is marked down. The
 *    mail waits here until the glitch-retries end (the link marked down:
 *    the LST moves it) or the link is back.
 * None: the mail waits here (route_hold).
 */
static int
route_handover(const struct route_table *rt, struct route_decision *d,
    int ci, int self_src)
{
	const struct topo_connector *c = &rt->t->connectors[ci];
	int n0 = d->nhosts;

	if (route_source_up(rt, ci, self_src))
		return 0;		/* down here only */
	for (int i = 0; i < c->sources.n; i++) {
		int s = c->sources.v[i];

		if (i == self_src || rt->t->servers[s].group != rt->self_group ||
		    !route_source_usable(rt, ci, i))
			continue;
		route_add_server(rt, d, s, 0);
	}
	return d->nhosts - n0;
}

/* route_self_source - the local server's index among a connector's
 * sources, -1 */
static int
route_self_source(const struct route_table *rt, int ci)
{
	const struct topo_connector *c = &rt->t->connectors[ci];

	for (int i = 0; i < c->sources.n; i++)
		if (c->sources.v[i] == rt->p.self)
			return i;
	return -1;
}

/* route_add_targets - a group connector's targets */
static void
route_add_targets(const struct route_table *rt, struct route_decision *d,
    const struct topo_connector *c)
{
	for (int i = 0; i < c->targets.n; i++)
		route_add_server(rt, d, c->targets.v[i], 0);
}

/* route_add_smart - an outside connector's smart hosts */
static void
route_add_smart(struct route_decision *d, const struct topo_connector *c)
{
	for (int i = 0; i < c->nsmart; i++)
		route_add_host(d, c->smart_hosts[i].host, c->smart_hosts[i].host,
		    c->smart_hosts[i].port, 0);
}

/*
 * route_next_group_hop - next hop toward another group along the path.
 * Returns 1 when the mail must wait here (hosts: where it would go).
 */
static int
route_next_group_hop(const struct route_table *rt,
    struct route_decision *d)
{
	const struct topology *t = rt->t;
	int ci = d->connectors[0], self_src;
	const struct topo_connector *c1 = &t->connectors[ci];

	if (rt->p.relay_direct) {
		/* Exchange 2007: straight to the first hub or the last group */
		int stop = d->npath - 1;

		for (int i = 1; i < d->npath - 1; i++)
			if (t->groups[d->path[i]].hub) {
				stop = i;
				break;
			}
		d->hop_group = d->path[stop];
		route_add_targets(rt, d, &t->connectors[d->connectors[stop - 1]]);
		return 0;
	}
	if ((self_src = route_self_source(rt, ci)) >= 0) {
		d->hop_group = d->path[1];
		if (route_source_usable(rt, ci, self_src)) {
			route_add_targets(rt, d, c1);
			return 0;
		}
		d->hop_group = d->path[0];
		if (route_handover(rt, d, ci, self_src) > 0)
			return 0;
		d->hop_group = d->path[1];
		route_add_targets(rt, d, c1);
		return 1;
	}
	/* not a source: the local group's sources, down ones last */
	d->hop_group = d->path[0];
	for (int i = 0; i < c1->sources.n; i++)
		route_add_server(rt, d, c1->sources.v[i],
		    !route_source_up(rt, ci, i));
	return 0;
}

/*
 * route_outside_hop - the local group is the connector's source group.
 * Returns 1 when the mail must wait here (hosts: where it would go).
 */
static int
route_outside_hop(const struct route_table *rt, struct route_decision *d,
    const struct route_cand *c)
{
	const struct topo_connector *cn = &rt->t->connectors[c->e->idx];
	int self_src = route_self_source(rt, c->e->idx);

	if (c->prox == 0) {
		/* the local server is a source: it delivers itself */
		d->hop_group = -1;
		if (route_source_usable(rt, c->e->idx, self_src)) {
			route_add_smart(d, cn);
			return 0;
		}
		d->hop_group = rt->self_group;
		if (route_handover(rt, d, c->e->idx, self_src) > 0)
			return 0;
		d->hop_group = -1;
		route_add_smart(d, cn);
		return 1;
	}
	d->hop_group = rt->self_group;
	if (self_src >= 0) {
		if (route_handover(rt, d, c->e->idx, self_src) > 0)
			return 0;
		d->hop_group = -1;
		route_add_smart(d, cn);
		return 1;
	}
	for (int i = 0; i < cn->sources.n; i++)
		if (rt->t->servers[cn->sources.v[i]].group == rt->self_group)
			route_add_server(rt, d, cn->sources.v[i],
			    !route_source_up(rt, c->e->idx, i));
	return 0;
}

/*
 * route_hop_transport - the transport of a relay answer: a limited
 * connector's own (max_connections: its master.cf process limit bounds
 * the sessions this server opens over it) when this hop crosses it from
 * this server, one of its sources, toward another group or the outside;
 * else the configured one. With relay = direct the hop is charged to the
 * path's first connector.
 */
static const char *
route_hop_transport(const struct route_table *rt,
    const struct route_decision *d, char *buf, size_t len)
{
	int ci = d->nconnectors > 0 ? d->connectors[0] : -1;

	if (ci < 0 || d->hop_group == rt->self_group ||
	    route_self_source(rt, ci) < 0 ||
	    topo_conn_transport(&rt->t->connectors[ci], buf, len) < 0)
		return rt->p.transport;
	return buf;
}

/*
 * route_would_hop - where the mail would go from here if the first
 * connector were up: for a mail held at the point of failure.
 */
static void
route_would_hop(const struct route_table *rt, struct route_decision *d,
    const struct route_cand *best)
{
	int ci = d->connectors[0];
	const struct topo_connector *c = &rt->t->connectors[ci];
	int self_src = route_self_source(rt, ci);

	d->nhosts = 0;
	if (self_src < 0) {
		d->hop_group = rt->self_group;
		for (int i = 0; i < c->sources.n; i++)
			if (rt->t->servers[c->sources.v[i]].group ==
			    rt->self_group)
				route_add_server(rt, d, c->sources.v[i], 1);
	} else if (d->npath > 1) {
		d->hop_group = d->path[1];
		route_add_targets(rt, d, c);
	} else if (best->e->kind == ROUTE_ENTRY_CONNECTOR) {
		d->hop_group = -1;
		route_add_smart(d, c);
	}
}

/*
 * route_hold - the mail waits here, accepted, at the point of failure:
 * `defer 4.4.1`, and the transport answer names the hold transport and
 * where the mail would go (Postfix's defer_transports keeps it queued
 * without delivery attempts; a `retry:` answer would be refused at RCPT
 * and leave the mail at the previous hop). Without a hold transport the
 * transport is left empty (`retry:`).
 */
static void
route_hold(const struct route_table *rt, struct route_decision *d)
{
	if (rt->p.hold_transport != NULL) {
		/* not rotated: held mail goes nowhere, and one answer per
		   state keeps the reroute comparison and the logs steady */
		route_arrange(d, 0);
		route_transport(d, rt->p.hold_transport);
	}
	d->action = ROUTE_DEFER;
	snprintf(d->status, sizeof(d->status), "4.4.1");
}

/* route_decide - the decision for one recipient, the sender unknown */
void
route_decide(const struct route_table *rt, const char *recipient,
    uint64_t size, unsigned rotation, struct route_decision *d)
{
	route_decide_class(rt, NULL, recipient, size, rotation, NULL, d);
}

/* route_decide_sender - the decision for a message of the default class */
void
route_decide_sender(const struct route_table *rt, const char *sender,
    const char *recipient, uint64_t size, unsigned rotation,
    struct route_decision *d)
{
	route_decide_class(rt, sender, recipient, size, rotation, NULL, d);
}

/*
 * route_lookup - the candidates a view sees for the domain: the most
 * specific visible match, but never "*" alone for a domain of the
 * organization (its MX would bring the mail straight back)
 */
static int
route_lookup(const struct route_table *rt, const struct route_view *v,
    const char *domain, const struct route_entry **e)
{
	struct route_seen sn = { rt, v };
	int n;

	n = route_index_lookup(rt->ix, domain, route_visible, &sn, e,
	    ROUTE_MAX_CANDIDATES);
	if (n > 0 && e[0]->as->kind == ADDRSPACE_ALL &&
	    route_index_owned(rt->ix, domain))
		n = 0;
	return n;
}

/*
 * route_pick - the best candidate on the view's live tree, else on its
 * whole topology's (*pof set); 0 when none is reachable on either
 */
static int
route_pick(const struct route_table *rt, const struct route_view *v,
    const struct route_entry **e, int n, struct route_cand *best,
    const char **why, const struct route_tree **tr, int *pof)
{
	*pof = 0;
	*tr = &v->live;
	if (route_choose(rt, *tr, 1, e, n, best, why))
		return 1;
	*pof = 1;
	*tr = &v->full;
	if (route_choose(rt, *tr, 0, e, n, best, why))
		return 1;
	*pof = 0;
	return 0;
}

/* route_decide_class - the whole decision for one recipient */
void
route_decide_class(const struct route_table *rt, const char *sender,
    const char *recipient, uint64_t size, unsigned rotation,
    const struct route_class *cls, struct route_decision *d)
{
	char hop_tr[TOPO_TRANSPORT_MAX];
	const struct topology *t = rt->t;
	const struct route_entry *e[ROUTE_MAX_CANDIDATES];
	const struct route_tree *tr;
	const struct route_view *v;
	struct route_cand best;
	char domain[ADDRSPACE_MAX_DOMAIN + 1];
	const char *why;
	int n, k = route_class_index(cls), found, refuse = 0, hold = 0;

	d->action = ROUTE_DEFAULT;
	d->status[0] = d->reason[0] = '\0';
	d->tiebreak = NULL;
	d->nhosts = d->npath = d->nconnectors = 0;
	d->cost = d->space_cost = 0;
	d->hop_group = -1;
	d->point_of_failure = 0;
	d->lst_version = rt->ls->version;
	if (d->transport != NULL)
		d->transport[0] = '\0';
	if (rt->self_group < 0) {
		route_result(d, ROUTE_DEFER, "4.3.5", "the local server is not "
		    "in the topology");
		return;
	}
	if (route_recipient_domain(recipient, domain, sizeof(domain)) < 0) {
		route_result(d, ROUTE_DEFAULT, "", "no domain to route on");
		return;
	}
	v = rt->view[k];
	n = route_lookup(rt, v, domain, e);
	for (int i = 0; i < n; i++)
		if (e[i]->kind == ROUTE_ENTRY_MAILBOX && e[i]->idx == rt->p.self) {
			d->npath = 0;
			route_result(d, ROUTE_LOCAL, "", "%s is hosted here",
			    domain);
			return;
		}
	found = n > 0 && route_pick(rt, v, e, n, &best, &why, &tr,
	    &d->point_of_failure);
	if (!found && v != rt->view[ROUTE_VIEW_ANY]) {
		/* rule 8: no route for the class; one without its rules
		   is refused by a connector on it */
		v = rt->view[ROUTE_VIEW_ANY];
		n = route_lookup(rt, v, domain, e);
		found = refuse = n > 0 && route_pick(rt, v, e, n, &best, &why,
		    &tr, &d->point_of_failure);
	}
	if (n == 0) {
		if (route_index_owned(rt->ix, domain))
			route_result(d, ROUTE_BOUNCE, "5.4.4", "no server or "
			    "connector serves %s, a domain of the "
			    "organization", domain);
		else
			route_result(d, ROUTE_DEFAULT, "", "no address space "
			    "matches %s", domain);
		return;
	}
	if (!found) {
		route_result(d, ROUTE_BOUNCE, "5.4.4", "no path in the "
		    "topology from group %s to any server or connector for %s",
		    t->groups[rt->self_group].name, domain);
		return;
	}
	d->tiebreak = why != NULL ? why : best.first_src ?
	    "first-listed source" : NULL;
	route_path(rt, tr, best.group, d);
	/* a path tie anywhere on the way, the nearest the destination */
	for (int i = d->npath - 1; i > 0 && d->tiebreak == NULL; i--)
		d->tiebreak = tr->tiebreak[d->path[i]];
	d->cost = best.cost;
	d->space_cost = best.e->cost;
	if (best.e->kind == ROUTE_ENTRY_CONNECTOR)
		d->connectors[d->nconnectors++] = best.e->idx;
	if (refuse) {
		route_class_refuse(rt, d, k);
		return;
	}
	if (route_size_check(rt, d, size) < 0 ||
	    route_sender_check(rt, d, sender) < 0)
		return;
	if (d->point_of_failure && (d->npath == 1 ||
	    !rt->conn_up[d->connectors[0]])) {
		const struct topo_connector *c = &t->connectors[
		    d->connectors[0]];

		route_would_hop(rt, d, &best);
		route_hold(rt, d);
		snprintf(d->reason, sizeof(d->reason), "connector %s is %s; "
		    "mail waits here, at the point of failure", c->name,
		    rt->closed[d->connectors[0]] ? "closed (schedule)" :
		    "down");
		return;
	}
	if (d->npath > 1)
		hold = route_next_group_hop(rt, d);
	else if (best.e->kind == ROUTE_ENTRY_CONNECTOR)
		hold = route_outside_hop(rt, d, &best);
	else {
		d->hop_group = best.group;
		for (int i = 0; i < n; i++)
			if (e[i]->kind == ROUTE_ENTRY_MAILBOX &&
			    t->servers[e[i]->idx].group == best.group)
				route_add_server(rt, d, e[i]->idx, 0);
	}
	if (hold) {
		int ci = d->connectors[0];

		route_hold(rt, d);
		snprintf(d->reason, sizeof(d->reason), "this server's link over "
		    "connector %s is down%s and no other source may take the "
		    "mail; it waits here", t->connectors[ci].name,
		    route_source_up(rt, ci, route_self_source(rt, ci)) ?
		    " here only (retrying or held)" : "");
		return;
	}
	if (d->nhosts == 0 && !(best.e->kind == ROUTE_ENTRY_CONNECTOR &&
	    d->npath == 1 && best.prox == 0)) {
		route_result(d, ROUTE_DEFER, "4.4.1", "no next hop is up "
		    "toward %s", route_cand_name(rt, &best));
		return;
	}
	route_arrange(d, rotation);
	route_transport(d, route_hop_transport(rt, d, hop_tr, sizeof(hop_tr)));
	route_result(d, ROUTE_RELAY, "", "%s%s %s", d->point_of_failure ?
	    "toward the point of failure: " : "",
	    best.e->kind == ROUTE_ENTRY_MAILBOX ? "mailbox server in group" :
	    "connector", route_cand_name(rt, &best));
}
