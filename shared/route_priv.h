/*
 * route_priv.h - the routing table, shared by route_spf.c (builds it)
 * and route.c (reads it). Not for use outside route*.c.
 */
#ifndef LSA_ROUTE_PRIV_H
#define LSA_ROUTE_PRIV_H

#include <limits.h>

#include "route.h"

#define ROUTE_INF	INT_MAX
#define ROUTE_NCLASS	6		/* 3 priorities x system or not */
#define ROUTE_VIEW_ANY	ROUTE_NCLASS	/* every connector: no class rule */

struct route_tree {			/* least-cost tree over groups */
	int		*dist;		/* from the local group, ROUTE_INF */
	int		*hops;
	int		*pred;		/* connector entering the group, -1 */
	const char	**tiebreak;	/* what chose pred among equals */
};

struct route_heap_item {
	int	dist;
	int	hops;
	int	group;
};

/*
 * The connectors one message class may use (rule 8) and the two trees
 * over them. Classes that admit the same connectors share a view: a
 * topology without class restrictions has one, as before classes.
 */
struct route_view {
	unsigned char		*admit;		/* per connector */
	struct route_tree	 live;		/* with the link state */
	struct route_tree	 full;		/* every enabled connector up */
};

struct route_table {
	const struct topology	*t;
	const struct route_index *ix;
	const struct linkstate	*ls;
	struct route_params	 p;
	int			 self_group;
	unsigned char		*conn_up;	/* some source up (or suppress) */
	struct route_view	 views[ROUTE_NCLASS + 1]; /* nviews used */
	int			 nviews;
	const struct route_view	*view[ROUTE_NCLASS + 1]; /* by class index
					   (route_class_index), and
					   [ROUTE_VIEW_ANY] */
	int			*grank;		/* group name order */
	int			*crank;		/* connector name order */
	struct route_heap_item	*heap;
	int			 heap_cap;
	unsigned char		*closed;	/* outside its schedule at p.at */
};

int route_source_up(const struct route_table *rt, int connector, int i);
int route_source_usable(const struct route_table *rt, int connector, int i);
int route_server_down(const struct route_table *rt, int server);
int route_admits(const struct topo_connector *c, int k);

#endif
