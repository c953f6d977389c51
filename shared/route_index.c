/*
 * route_index.c - address space index (see route_index.h).
 *
 * Open addressing over (kind, domain) keys; each slot holds the entries
 * of one pattern. Two key kinds: exact domains and "*." suffixes; the
 * "*" entries are a list of their own.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route_index.h"
#include "xmalloc.h"

struct route_slot {
	const char		*domain;	/* borrowed from the topology */
	int			 sub;		/* 1: "*.domain" */
	struct route_entry	*e;
	int			 n;
};

struct route_index {
	const struct topology	*t;
	struct route_slot	*slots;
	size_t			 mask;
	struct route_entry	*star;
	int			 nstar;
};

/* route_index_hash - FNV-1a over the domain and the kind */
static uint64_t
route_index_hash(const char *d, size_t len, int sub)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)sub;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)d[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* route_index_slot - the slot of (domain, sub): found or empty */
static struct route_slot *
route_index_slot(const struct route_index *ix, const char *d, size_t len,
    int sub)
{
	size_t i = (size_t)route_index_hash(d, len, sub) & ix->mask;

	for (;; i = (i + 1) & ix->mask) {
		struct route_slot *s = &ix->slots[i];

		if (s->domain == NULL)
			return s;
		if (s->sub == sub && strlen(s->domain) == len &&
		    memcmp(s->domain, d, len) == 0)
			return s;
	}
}

/* route_index_add - one pattern's entry */
static void
route_index_add(struct route_index *ix, const struct addrspace *as,
    struct route_entry e)
{
	struct route_slot *s;

	e.as = as;
	if (as->kind == ADDRSPACE_ALL) {
		ix->star = xreallocarray(ix->star, ix->nstar + 1,
		    sizeof(*ix->star));
		ix->star[ix->nstar++] = e;
		return;
	}
	s = route_index_slot(ix, as->domain, strlen(as->domain),
	    as->kind == ADDRSPACE_SUBDOMAINS);
	s->domain = as->domain;
	s->sub = as->kind == ADDRSPACE_SUBDOMAINS;
	s->e = xreallocarray(s->e, s->n + 1, sizeof(*s->e));
	s->e[s->n++] = e;
}

/* route_index_new - index every mailbox and address space of t */
struct route_index *
route_index_new(const struct topology *t)
{
	struct route_index *ix = xcalloc(1, sizeof(*ix));
	size_t n = 0, cap = 16;

	for (int i = 0; i < t->nservers; i++)
		n += (size_t)t->servers[i].nmailboxes;
	for (int i = 0; i < t->nconnectors; i++)
		n += (size_t)t->connectors[i].nspaces;
	while (cap < 2 * n + 1)
		cap <<= 1;
	ix->t = t;
	ix->slots = xcalloc(cap, sizeof(*ix->slots));
	ix->mask = cap - 1;
	for (int i = 0; i < t->nservers; i++)
		for (int j = 0; j < t->servers[i].nmailboxes; j++)
			route_index_add(ix, &t->servers[i].mailboxes[j],
			    (struct route_entry){ ROUTE_ENTRY_MAILBOX, i, 0,
			    NULL });
	for (int i = 0; i < t->nconnectors; i++)
		for (int j = 0; j < t->connectors[i].nspaces; j++)
			route_index_add(ix, &t->connectors[i].spaces[j],
			    (struct route_entry){ ROUTE_ENTRY_CONNECTOR, i,
			    t->connectors[i].spaces[j].cost, NULL });
	return ix;
}

/* route_index_free - the index, not the topology */
void
route_index_free(struct route_index *ix)
{
	if (ix == NULL)
		return;
	for (size_t i = 0; i <= ix->mask; i++)
		free(ix->slots[i].e);
	free(ix->slots);
	free(ix->star);
	free(ix);
}

/* route_index_pick - the entries of one level that pass the filter */
static int
route_index_pick(const struct route_entry *e, int n,
    route_index_filter filter, void *arg, const struct route_entry **out,
    int max)
{
	int got = 0;

	for (int i = 0; i < n && got < max; i++)
		if (filter == NULL || filter(arg, &e[i]))
			out[got++] = &e[i];
	return got;
}

/*
 * route_index_lookup - the most specific visible entries for a
 * lowercased domain; returns how many were stored in out (at most max).
 */
int
route_index_lookup(const struct route_index *ix, const char *domain,
    route_index_filter filter, void *arg, const struct route_entry **out,
    int max)
{
	size_t len = strlen(domain);
	const struct route_slot *s;
	const char *p;
	int got;

	s = route_index_slot(ix, domain, len, 0);
	if (s->domain != NULL &&
	    (got = route_index_pick(s->e, s->n, filter, arg, out, max)) > 0)
		return got;
	for (p = strchr(domain, '.'); p != NULL; p = strchr(p + 1, '.')) {
		s = route_index_slot(ix, p + 1, len - (size_t)(p + 1 - domain),
		    1);
		if (s->domain != NULL && (got = route_index_pick(s->e, s->n,
		    filter, arg, out, max)) > 0)
			return got;
	}
	return route_index_pick(ix->star, ix->nstar, filter, arg, out, max);
}

/* route_index_owned - whether the organization owns the domain */
int
route_index_owned(const struct route_index *ix, const char *domain)
{
	for (int i = 0; i < ix->t->ndomains; i++)
		if (addrspace_match(&ix->t->domains[i], domain) >= 0)
			return 1;
	return 0;
}
