/*
 * topo_conn.c - connectors the topology makes itself, and the Postfix
 * names of limited ones.
 *
 * bidirectional = yes on a group connector NAME makes the reverse
 * connector NAME~reverse: `from` and `to` swapped, `sources` and
 * `targets` swapped (with their defaults), every other key copied (cost,
 * max_size, scope, enabled, senders, classes, max_connections, and the
 * keys added after them: the struct is copied whole, then every pointer
 * it owns is duplicated here). Each direction is a connector of its
 * own: its own link state records (connector:NAME~reverse:SOURCE), its
 * own probes, its own overrides. '~' is never allowed in a written name,
 * so a generated name cannot collide with one an admin wrote; every
 * reader of names from outside (LST records, the snapshot, lsactl
 * --down, the control socket) takes both kinds through
 * topo_valid_connector_name(). The reverse is appended after the written
 * connectors (file order is only a tiebreak between the sources of an
 * outside connector, which is never bidirectional); its line is the
 * written connector's, so errors point at what the admin wrote.
 *
 * max_connections = N (N > 0): mail over the connector leaves through a
 * Postfix transport of its own, TOPO_TRANSPORT_PREFIX + the name with
 * '~' written '-' (a master.cf service name: letters, digits, '.', '_',
 * '-'), whose master.cf process limit is N (README "Connection limits").
 * Two limited connectors may not map to one transport name.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_priv.h"
#include "xmalloc.h"

/* topo_valid_connector_name - a written name, or one made by bidirectional */
int
topo_valid_connector_name(const char *s)
{
	size_t n = strlen(s), sl = strlen(TOPO_REVERSE_SUFFIX);
	char base[TOPO_NAME_MAX + 1];

	if (topo_valid_name(s))
		return 1;
	if (n <= sl || n > TOPO_NAME_MAX ||
	    strcmp(s + n - sl, TOPO_REVERSE_SUFFIX) != 0)
		return 0;
	memcpy(base, s, n - sl);
	base[n - sl] = '\0';
	return topo_valid_name(base) && (int)strlen(base) <= TOPO_BIDI_NAME_MAX;
}

/*
 * topo_conn_transport - the master.cf service of a limited connector
 * into buf ("lsa-London-NewYork", "lsa-London-NewYork-reverse"); 0, or
 * -1 when the connector has no limit or buf is too small
 */
int
topo_conn_transport(const struct topo_connector *c, char *buf, size_t len)
{
	int n;

	if (c->max_connections == 0)
		return -1;
	n = snprintf(buf, len, "%s%s", TOPO_TRANSPORT_PREFIX, c->name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '~')
			*p = '-';
	return 0;
}

/* topo_senders_dup - a deep copy of a sender list */
static struct topo_sender *
topo_senders_dup(const struct topo_sender *v, int n)
{
	struct topo_sender *r;

	if (n == 0)
		return NULL;
	r = xcalloc((size_t)n, sizeof(*r));
	for (int i = 0; i < n; i++) {
		r[i] = v[i];
		r[i].pattern = xstrdup(v[i].pattern);
		r[i].local = v[i].local ? xstrdup(v[i].local) : NULL;
		r[i].domain.pattern = xstrdup(v[i].domain.pattern);
		r[i].domain.domain = r[i].domain.pattern +
		    (v[i].domain.domain - v[i].domain.pattern);
	}
	return r;
}

/* topo_list_dup - a copy of an index list */
static struct topo_list
topo_list_dup(const struct topo_list *l)
{
	struct topo_list r = { NULL, l->n };

	if (l->n > 0) {
		r.v = xcalloc((size_t)l->n, sizeof(*r.v));
		memcpy(r.v, l->v, (size_t)l->n * sizeof(*r.v));
	}
	return r;
}

/*
 * topo_conn_copy - c's reverse into r: the whole struct, then every
 * pointer it owns duplicated (a group connector has no address spaces
 * and no smart hosts)
 */
static void
topo_conn_copy(struct topo_connector *r, const struct topo_connector *c,
    int from_idx)
{
	*r = *c;
	r->name = xasprintf("%s%s", c->name, TOPO_REVERSE_SUFFIX);
	r->from = c->to;
	r->to = c->from;
	r->sources = topo_list_dup(&c->targets);
	r->targets = topo_list_dup(&c->sources);
	r->sources_default = c->targets_default;
	r->targets_default = c->sources_default;
	r->spaces = NULL;
	r->nspaces = 0;
	r->smart_hosts = NULL;
	r->nsmart = 0;
	r->senders_allow = topo_senders_dup(c->senders_allow, c->nallow);
	r->senders_deny = topo_senders_dup(c->senders_deny, c->ndeny);
	r->auth = c->auth != NULL ? xstrdup(c->auth) : NULL; /* outside only:
						   never set here, but owned */
	r->schedule = schedule_dup(c->schedule);	/* the same hours */
	r->bidirectional = 0;
	r->reverse = -1;
	r->reverse_of = from_idx;
}

/* topo_conn_cmp - qsort_r order of the connector index: name, file order */
static int
topo_conn_cmp(const void *a, const void *b, void *arg)
{
	const struct topology *t = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(t->connectors[x].name, t->connectors[y].name);

	return c ? c : x - y;
}

/* topo_conn_transports - no two limited connectors share a transport */
static void
topo_conn_transports(struct topo_builder *b)
{
	struct topology *t = b->t;
	char ti[TOPO_TRANSPORT_MAX], tj[TOPO_TRANSPORT_MAX];

	for (int i = 0; i < t->nconnectors; i++) {
		if (topo_conn_transport(&t->connectors[i], ti, sizeof(ti)) < 0)
			continue;
		for (int j = 0; j < i; j++)
			if (topo_conn_transport(&t->connectors[j], tj,
			    sizeof(tj)) == 0 && strcmp(ti, tj) == 0) {
				diag_add(b->d, t->file, t->connectors[i].line,
				    "max_connections", "connector \"%s\" "
				    "would share the Postfix transport \"%s\" "
				    "with connector \"%s\" (line %d); rename "
				    "one", t->connectors[i].name, ti,
				    t->connectors[j].name,
				    t->connectors[j].line);
				break;
			}
	}
}

/*
 * topo_conn_expand - append the reverse of every bidirectional group
 * connector (after topo_resolve_connector has run on all of them) and
 * sort the connector index again
 */
void
topo_conn_expand(struct topo_builder *b)
{
	struct topology *t = b->t;
	int nwritten = t->nconnectors, added = 0;

	for (int i = 0; i < nwritten; i++) {
		struct topo_connector *c = &t->connectors[i], *r;
		int line = b->rc[i].bidi_line;

		if (!c->bidirectional)
			continue;
		if (b->rc[i].to.name == NULL) {
			diag_add(b->d, t->file, line, "bidirectional", "a "
			    "connector to the outside has one direction "
			    "(bidirectional takes a group connector)");
			continue;
		}
		if ((int)strlen(c->name) > TOPO_BIDI_NAME_MAX) {
			diag_add(b->d, t->file, line, "bidirectional", "name "
			    "\"%s\" too long for its reverse \"%s%s\" (at most "
			    "%d characters)", c->name, c->name,
			    TOPO_REVERSE_SUFFIX, TOPO_BIDI_NAME_MAX);
			continue;
		}
		if (c->from < 0 || c->to < 0)
			continue;	/* already an error */
		t->connectors = xreallocarray(t->connectors,
		    t->nconnectors + 1, sizeof(*t->connectors));
		b->rc = xreallocarray(b->rc, t->nconnectors + 1,
		    sizeof(*b->rc));
		memset(&b->rc[t->nconnectors], 0, sizeof(*b->rc));
		c = &t->connectors[i];
		r = &t->connectors[t->nconnectors];
		topo_conn_copy(r, c, i);
		c->reverse = t->nconnectors;
		t->groups[r->from].out.v = xreallocarray(
		    t->groups[r->from].out.v, t->groups[r->from].out.n + 1,
		    sizeof(int));
		t->groups[r->from].out.v[t->groups[r->from].out.n++] =
		    t->nconnectors;
		t->nconnectors++;
		added++;
	}
	if (added > 0) {
		t->connector_index = xreallocarray(t->connector_index,
		    (size_t)t->nconnectors + 1, sizeof(int));
		for (int i = 0; i < t->nconnectors; i++)
			t->connector_index[i] = i;
		qsort_r(t->connector_index, (size_t)t->nconnectors,
		    sizeof(int), topo_conn_cmp, t);
	}
	topo_conn_transports(b);
}
