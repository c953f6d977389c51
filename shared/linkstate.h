/*
 * linkstate.h - the link state the routing engine reads.
 *
 * For one topology: which (connector, source server) pairs are down,
 * which servers are down, and the LST version these came from. Only up
 * and down travel between servers (seed 001): "retrying" (and an
 * override not yet in the LST) is the link monitor's local business and
 * reaches routing as LINKSTATE_LOCAL: down for this server's own next
 * hop, up for everything the servers must agree on (the paths between
 * groups), since no other server knows it (route.h, "views that differ").
 *
 * A struct linkstate is sized for one topology (linkstate_new) and owns
 * its arrays; linkstate_free() releases it. Everything starts up.
 */
#ifndef LSA_LINKSTATE_H
#define LSA_LINKSTATE_H

#include <stdint.h>

#include "topology.h"

#define LINKSTATE_UP	0
#define LINKSTATE_DOWN	1	/* in the LST: every server knows it */
#define LINKSTATE_LOCAL	2	/* down here only: retrying, an override */

struct linkstate {
	uint64_t	  version;	/* LST version, for explanations */
	int		  nservers;
	int		  nconnectors;
	unsigned char	 *server_down;	/* [nservers] */
	unsigned char	**source_down;	/* [nconnectors][sources.n], LINKSTATE_* */
};

struct linkstate *linkstate_new(const struct topology *t);
/* a copy; t must be the topology ls was made for (or the same text) */
struct linkstate *linkstate_copy(const struct linkstate *ls,
    const struct topology *t);
/* 1 when a and b, made for t (or the same text), hold the same states */
int linkstate_equal(const struct linkstate *a, const struct linkstate *b,
    const struct topology *t);
void linkstate_free(struct linkstate *ls);
/* down: LINKSTATE_UP, LINKSTATE_DOWN (any other non-zero) or
 * LINKSTATE_LOCAL */
int linkstate_set_connector(struct linkstate *ls, const struct topology *t,
    int connector, int source, int down);
void linkstate_set_server(struct linkstate *ls, int server, int down);
/* "CONNECTOR" or "CONNECTOR@SOURCE" set to state (LINKSTATE_DOWN or
 * LINKSTATE_LOCAL); a bare CONNECTOR with a source >= 0 means that
 * source only */
int linkstate_parse_down(struct linkstate *ls, const struct topology *t,
    const char *spec, int state, int source, char *err, size_t errlen);

#endif
