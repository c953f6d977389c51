/*
 * route_index.h - which servers and connectors claim a recipient domain.
 *
 * Built once per topology: every server's mailboxes and every connector
 * to the outside's address spaces go into a hash by pattern domain.
 * route_index_lookup() walks from the most specific pattern a domain can
 * match (the domain itself) through its parents' "*." patterns to "*",
 * and reports the first level at which any entry passes the caller's
 * filter (enabled, in scope): the most specific *visible* match, so a
 * connector out of scope can never hide a wider one (seed 002's
 * microsoft.com failure).
 *
 * The index borrows the topology: free the index first.
 */
#ifndef LSA_ROUTE_INDEX_H
#define LSA_ROUTE_INDEX_H

#include "topology.h"

enum route_entry_kind {
	ROUTE_ENTRY_MAILBOX,	/* a server hosts the domain */
	ROUTE_ENTRY_CONNECTOR,	/* a connector to the outside */
};

struct route_entry {
	enum route_entry_kind	 kind;
	int			 idx;	/* server or connector index */
	int			 cost;	/* address space cost (connectors) */
	const struct addrspace	*as;
};

struct route_index;

typedef int (*route_index_filter)(void *arg, const struct route_entry *e);

struct route_index *route_index_new(const struct topology *t);
void route_index_free(struct route_index *ix);
int route_index_lookup(const struct route_index *ix, const char *domain,
    route_index_filter filter, void *arg, const struct route_entry **out,
    int max);
int route_index_owned(const struct route_index *ix, const char *domain);

#endif
