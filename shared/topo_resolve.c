/*
 * topo_resolve.c - turn names into indices and check every rule.
 *
 * Runs once the whole file is read (sections may come in any order).
 * Each broken rule is one error naming the file, the line and the key;
 * checking goes on so all errors are reported together. The rules, in
 * the order they are checked:
 *   - [organization] with name and version;
 *   - no two groups, servers or connectors of the same name;
 *   - a server names a known group and has an address;
 *   - a group has servers; its master and backup masters are its own;
 *   - a connector has `to` (group connector) or `address_spaces`
 *     (connector to the outside), not both, nor neither; `from` and `to`
 *     name groups and differ; a group connector's sources are in `from`
 *     and its targets in `to`; smart hosts and address spaces belong to
 *     connectors to the outside only; no name is listed twice.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_priv.h"
#include "xmalloc.h"

/* topo_list_add - append an index */
static void
topo_list_add(struct topo_list *l, int v)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = v;
}

/* topo_list_has - whether an index is in the list */
int
topo_list_has(const struct topo_list *l, int v)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

struct topo_sort {
	const struct topology	*t;
	const char		*(*name_of)(const struct topology *, int);
};

/* topo_cmp_name - qsort_r order by name, then file order */
static int
topo_cmp_name(const void *a, const void *b, void *arg)
{
	const struct topo_sort *s = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(s->name_of(s->t, x), s->name_of(s->t, y));

	return c ? c : x - y;
}

/*
 * topo_index - sort indices by name and report duplicates. name_of and
 * line_of read the element; the first in file order is kept, later ones
 * are errors.
 */
static int *
topo_index(struct topo_builder *b, int n, const char *what,
    const char *(*name_of)(const struct topology *, int),
    int (*line_of)(const struct topology *, int))
{
	struct topo_sort sort = { b->t, name_of };
	int *ix = xcalloc((size_t)n + 1, sizeof(*ix));

	for (int i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, (size_t)n, sizeof(*ix), topo_cmp_name, &sort);
	for (int i = 1; i < n; i++)
		if (strcmp(name_of(b->t, ix[i - 1]), name_of(b->t, ix[i])) == 0)
			diag_add(b->d, b->t->file, line_of(b->t, ix[i]), NULL,
			    "duplicate %s name \"%s\" (first at line %d)", what,
			    name_of(b->t, ix[i]), line_of(b->t, ix[i - 1]));
	return ix;
}

static const char *gname(const struct topology *t, int i)
{ return t->groups[i].name; }
static int gline(const struct topology *t, int i)
{ return t->groups[i].line; }
static const char *sname(const struct topology *t, int i)
{ return t->servers[i].name; }
static int sline(const struct topology *t, int i)
{ return t->servers[i].line; }
static const char *cname(const struct topology *t, int i)
{ return t->connectors[i].name; }
static int cline(const struct topology *t, int i)
{ return t->connectors[i].line; }

/* topo_bsearch - find a name in a sorted index */
static int
topo_bsearch(const int *ix, int n, const char *name,
    const char *(*name_of)(const struct topology *, int),
    const struct topology *t)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(name, name_of(t, ix[mid]));

		if (c == 0) {
			while (mid > 0 && strcmp(name,
			    name_of(t, ix[mid - 1])) == 0)
				mid--;
			return ix[mid];
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* topo_find_group - group index by name, -1 if none */
int
topo_find_group(const struct topology *t, const char *name)
{
	return topo_bsearch(t->group_index, t->ngroups, name, gname, t);
}

/* topo_find_server - server index by name, -1 if none */
int
topo_find_server(const struct topology *t, const char *name)
{
	return topo_bsearch(t->server_index, t->nservers, name, sname, t);
}

/* topo_find_address - the first server (file order) whose address is
 * exactly address, -1 if none; a scan: callers ask it once a request */
int
topo_find_address(const struct topology *t, const char *address)
{
	for (int i = 0; i < t->nservers; i++)
		if (strcmp(t->servers[i].address, address) == 0)
			return i;
	return -1;
}

/* topo_find_connector - connector index by name, -1 if none */
int
topo_find_connector(const struct topology *t, const char *name)
{
	return topo_bsearch(t->connector_index, t->nconnectors, name, cname,
	    t);
}

/* topo_ref_group - resolve a group reference; -1 (and an error) if bad */
static int
topo_ref_group(struct topo_builder *b, const struct topo_ref *r,
    const char *key)
{
	int g;

	if (r->name == NULL)
		return -1;
	if ((g = topo_find_group(b->t, r->name)) < 0)
		diag_add(b->d, b->t->file, r->line, key, "no group named "
		    "\"%s\"", r->name);
	return g;
}

/*
 * topo_ref_servers - resolve a list of server references into l; each
 * must exist, appear once and, when group >= 0, belong to that group.
 */
static void
topo_ref_servers(struct topo_builder *b, const struct topo_refs *r,
    const char *key, int group, const char *role, struct topo_list *l)
{
	struct topology *t = b->t;

	for (int i = 0; i < r->n; i++) {
		int s = topo_find_server(t, r->v[i].name);

		if (s < 0) {
			diag_add(b->d, t->file, r->v[i].line, key, "no server "
			    "named \"%s\"", r->v[i].name);
			continue;
		}
		if (topo_list_has(l, s)) {
			diag_add(b->d, t->file, r->v[i].line, key, "\"%s\" "
			    "listed twice", r->v[i].name);
			continue;
		}
		if (group >= 0 && t->servers[s].group != group) {
			diag_add(b->d, t->file, r->v[i].line, key, "%s \"%s\" "
			    "is not in group \"%s\"", role, r->v[i].name,
			    t->groups[group].name);
			continue;
		}
		topo_list_add(l, s);
	}
}

/* topo_resolve_servers - groups of servers, addresses */
static void
topo_resolve_servers(struct topo_builder *b)
{
	struct topology *t = b->t;

	for (int i = 0; i < t->nservers; i++) {
		struct topo_server *s = &t->servers[i];

		if (b->rs[i].group.name == NULL)
			diag_add(b->d, t->file, s->line, "group", "server "
			    "\"%s\" has no group", s->name);
		else if ((s->group = topo_ref_group(b, &b->rs[i].group,
		    "group")) >= 0)
			topo_list_add(&t->groups[s->group].servers, i);
		if (s->address == NULL && b->rs[i].address_line == 0)
			diag_add(b->d, t->file, s->line, "address", "server "
			    "\"%s\" has no address", s->name);
	}
}

/* topo_resolve_groups - masters and backup masters */
static void
topo_resolve_groups(struct topo_builder *b)
{
	struct topology *t = b->t;

	for (int i = 0; i < t->ngroups; i++) {
		struct topo_group *g = &t->groups[i];
		struct topo_raw_group *rg = &b->rg[i];

		if (g->servers.n == 0) {
			diag_add(b->d, t->file, g->line, NULL, "group \"%s\" "
			    "has no servers", g->name);
			continue;
		}
		if (rg->master.name == NULL) {
			g->master = g->servers.v[0];
			g->master_default = 1;
		} else {
			int s = topo_find_server(t, rg->master.name);

			if (s < 0)
				diag_add(b->d, t->file, rg->master.line,
				    "master", "no server named \"%s\"",
				    rg->master.name);
			else if (t->servers[s].group != i)
				diag_add(b->d, t->file, rg->master.line,
				    "master", "server \"%s\" is not in group "
				    "\"%s\"", rg->master.name, g->name);
			else
				g->master = s;
		}
		topo_ref_servers(b, &rg->backups, "backup_masters", i,
		    "backup master", &g->backups);
		if (g->master >= 0 && topo_list_has(&g->backups, g->master))
			diag_add(b->d, t->file, rg->backups.line,
			    "backup_masters", "\"%s\" is the master itself",
			    t->servers[g->master].name);
	}
}

/* topo_resolve_connector - one connector's rules */
static void
topo_resolve_connector(struct topo_builder *b, int i)
{
	struct topology *t = b->t;
	struct topo_connector *c = &t->connectors[i];
	struct topo_raw_connector *rc = &b->rc[i];
	int outside = rc->to.name == NULL;

	if (c->tls_line == 0)
		c->tls = outside ? TOPO_TLS_OUTSIDE_DEFAULT :
		    TOPO_TLS_GROUP_DEFAULT;
	if (!outside && rc->auth_line)
		diag_add(b->d, t->file, rc->auth_line, "auth", "a group "
		    "connector (it has `to`) takes no credentials: its hops "
		    "are verified with the organization's CA");
	if (!outside && c->nspaces > 0)
		diag_add(b->d, t->file, rc->spaces_line, "address_spaces",
		    "a group connector (it has `to`) takes no address spaces");
	if (!outside && rc->smart_line)
		diag_add(b->d, t->file, rc->smart_line, "smart_hosts",
		    "a group connector (it has `to`) takes no smart hosts");
	if (outside && c->nspaces == 0) {
		if (rc->spaces_line == 0)
			diag_add(b->d, t->file, c->line, NULL, "connector "
			    "\"%s\" needs `to` (a group connector) or "
			    "`address_spaces` (a connector to the outside)",
			    c->name);
		return;
	}
	for (int k = 0; k < c->nspaces; k++)
		if (c->spaces[k].cost == 0)
			c->spaces[k].cost = c->cost;
	if (outside && rc->targets.line)
		diag_add(b->d, t->file, rc->targets.line, "targets",
		    "a connector to the outside has no targets (use "
		    "smart_hosts)");
	if (rc->from.name == NULL && (!outside || rc->sources.n == 0)) {
		diag_add(b->d, t->file, c->line, "from", "connector \"%s\" "
		    "has no `from`%s", c->name,
		    outside ? " and no `sources`" : "");
		return;
	}
	c->from = topo_ref_group(b, &rc->from, "from");
	if (!outside) {
		c->to = topo_ref_group(b, &rc->to, "to");
		if (c->to >= 0 && c->to == c->from)
			diag_add(b->d, t->file, rc->to.line, "to", "same group "
			    "as `from`");
	}
	if (rc->from.name != NULL && c->from < 0)
		return;
	/* a connector to the outside may be sourced in several groups */
	topo_ref_servers(b, &rc->sources, "sources", outside ? -1 : c->from,
	    "source", &c->sources);
	if (rc->sources.n == 0) {
		c->sources_default = 1;
		for (int s = 0; s < t->groups[c->from].servers.n; s++)
			topo_list_add(&c->sources,
			    t->groups[c->from].servers.v[s]);
	}
	if (outside || c->to < 0)
		return;
	topo_ref_servers(b, &rc->targets, "targets", c->to, "target",
	    &c->targets);
	if (rc->targets.n == 0) {
		c->targets_default = 1;
		for (int s = 0; s < t->groups[c->to].servers.n; s++)
			topo_list_add(&c->targets,
			    t->groups[c->to].servers.v[s]);
	}
	if (c->from >= 0 && c->to >= 0)
		topo_list_add(&t->groups[c->from].out, i);
}

/* topo_resolve - every check, in the order of the header comment */
void
topo_resolve(struct topo_builder *b)
{
	struct topology *t = b->t;

	if (b->org_line == 0)
		diag_add(b->d, t->file, 0, NULL, "no [organization] section");
	else {
		if (b->name_line == 0)
			diag_add(b->d, t->file, b->org_line, "name",
			    "[organization] has no name");
		if (b->version_line == 0)
			diag_add(b->d, t->file, b->org_line, "version",
			    "[organization] has no version");
	}
	t->group_index = topo_index(b, t->ngroups, "group",
	    gname, gline);
	t->server_index = topo_index(b, t->nservers, "server", sname, sline);
	t->connector_index = topo_index(b, t->nconnectors, "connector",
	    cname, cline);
	topo_resolve_servers(b);
	topo_resolve_groups(b);
	for (int i = 0; i < t->nconnectors; i++)
		topo_resolve_connector(b, i);
	topo_conn_expand(b);
}

/* topo_refs_free - names kept while parsing */
static void
topo_refs_free(struct topo_refs *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
}

/* topo_builder_free - everything but the topology itself */
void
topo_builder_free(struct topo_builder *b)
{
	struct topology *t = b->t;

	for (int i = 0; i < t->ngroups; i++) {
		free(b->rg[i].master.name);
		topo_refs_free(&b->rg[i].backups);
	}
	for (int i = 0; i < t->nservers; i++)
		free(b->rs[i].group.name);
	for (int i = 0; i < t->nconnectors; i++) {
		free(b->rc[i].from.name);
		free(b->rc[i].to.name);
		topo_refs_free(&b->rc[i].sources);
		topo_refs_free(&b->rc[i].targets);
	}
	free(b->rg);
	free(b->rs);
	free(b->rc);
}

/* topo_sender_free - one sender pattern's strings */
void
topo_sender_free(struct topo_sender *p)
{
	free(p->pattern);
	free(p->local);
	addrspace_free(&p->domain);
}

/* topo_free - the topology and everything it owns */
void
topo_free(struct topology *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->ndomains; i++)
		addrspace_free(&t->domains[i]);
	free(t->domains);
	for (int i = 0; i < t->ngroups; i++) {
		free(t->groups[i].name);
		free(t->groups[i].backups.v);
		free(t->groups[i].servers.v);
		free(t->groups[i].out.v);
	}
	for (int i = 0; i < t->nservers; i++) {
		struct topo_server *s = &t->servers[i];

		free(s->name);
		free(s->address);
		for (int j = 0; j < s->nmailboxes; j++)
			addrspace_free(&s->mailboxes[j]);
		free(s->mailboxes);
	}
	for (int i = 0; i < t->nconnectors; i++) {
		struct topo_connector *c = &t->connectors[i];

		free(c->name);
		free(c->sources.v);
		free(c->targets.v);
		for (int j = 0; j < c->nspaces; j++)
			addrspace_free(&c->spaces[j]);
		free(c->spaces);
		for (int j = 0; j < c->nsmart; j++)
			free(c->smart_hosts[j].host);
		free(c->smart_hosts);
		for (int j = 0; j < c->nallow; j++)
			topo_sender_free(&c->senders_allow[j]);
		free(c->senders_allow);
		for (int j = 0; j < c->ndeny; j++)
			topo_sender_free(&c->senders_deny[j]);
		free(c->senders_deny);
		free(c->auth);
		schedule_free(c->schedule);
	}
	free(t->groups);
	free(t->servers);
	free(t->connectors);
	free(t->group_index);
	free(t->server_index);
	free(t->connector_index);
	free(t->name);
	free(t->timezone);
	free(t->file);
	free(t);
}
