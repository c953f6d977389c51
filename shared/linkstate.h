/*
 * linkstate.h - the link state the routing engine reads.
 *
 * For one topology: which (connector, source server) pairs are down,
 * which servers are down, and the LST version these came from. Only up
 * and down exist here (seed 001): "retrying" is the link monitor's local
 * business and reaches routing as a local down.
 *
 * A struct linkstate is sized for one topology (linkstate_new) and owns
 * its arrays; linkstate_free() releases it. Everything starts up.
 */
#ifndef LSA_LINKSTATE_H
#define LSA_LINKSTATE_H

#include <stdint.h>

#include "topology.h"

struct linkstate {
	uint64_t	  version;	/* LST version, for explanations */
	int		  nservers;
	int		  nconnectors;
	unsigned char	 *server_down;	/* [nservers] */
	unsigned char	**source_down;	/* [nconnectors][sources.n] */
};

struct linkstate *linkstate_new(const struct topology *t);
/* a copy; t must be the topology ls was made for (or the same text) */
struct linkstate *linkstate_copy(const struct linkstate *ls,
    const struct topology *t);
/* 1 when a and b, made for t (or the same text), hold the same states */
int linkstate_equal(const struct linkstate *a, const struct linkstate *b,
    const struct topology *t);
void linkstate_free(struct linkstate *ls);
int linkstate_set_connector(struct linkstate *ls, const struct topology *t,
    int connector, int source, int down);
void linkstate_set_server(struct linkstate *ls, int server, int down);
int linkstate_parse_down(struct linkstate *ls, const struct topology *t,
    const char *spec, char *err, size_t errlen);

#endif
