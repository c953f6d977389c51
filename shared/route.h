/*
 * route.h - the routing decision: where a recipient's mail goes next.
 *
 * Pure: no I/O, no clock, no global state. The same topology, link
 * state, local server and recipient give the same answer on every server
 * (determinism is what keeps routing loop-free).
 *
 * Two steps:
 *   route_table_new()   per (topology, link state, local server, params):
 *                       least-cost trees over groups from the local group,
 *                       one with the link state and one without (the
 *                       latter finds the point of failure). Rebuild it when
 *                       the link state changes.
 *   route_decide()      per recipient: candidates from the address space
 *                       index, the least-cost one, the next hop, the size
 *                       check, and an explanation. route_decide_sender()
 *                       also checks the connectors' sender restrictions
 *                       (route_decide() is it with no sender known);
 *                       route_decide_class() routes a message of a given
 *                       class (route_decide_sender() is it for the
 *                       default class).
 *
 * Ownership: the table borrows the topology, the index and the link state
 * (they must outlive it) and copies nothing it can borrow. A struct
 * route_decision is reusable across calls: route_decision_init() once,
 * route_decide() many times, route_decision_free() at the end; every
 * pointer in it is valid until the next route_decide() on it. A table is
 * not written after route_table_new(): threads may decide on one table
 * at once, each with its own decision.
 *
 * Rules (README "Routing" has the whole list; from 7 on its numbers are
 * one more than these, its rule 7 being views that differ):
 *  1. Candidates: servers hosting the domain and enabled, in-scope
 *     connectors to the outside matching it; the most specific visible
 *     match only. None: `default`, or `bounce 5.4.4` when the
 *     organization owns the domain (for an owned domain a match by "*"
 *     alone counts as none). A group-scoped connector is used
 *     through the local group's own sources only.
 *  2. Least cost over group connectors that are up (all of them with
 *     suppress_state_changes). Path ties: fewer hops, then the lower
 *     group name met walking back from the destination, then the lower
 *     connector name. Candidate ties: reach cost + address space cost;
 *     then local server, local group, remote group; then name. A
 *     connector sourced in several groups at equal cost goes to the group
 *     of its first-listed source.
 *  3. Next hop: the first connector's targets if the local server is one
 *     of its sources (and up), else its sources in the local group
 *     (only the up ones when the local server is a source that is down).
 *     relay = direct skips to the first hub group or the last group.
 *     In the destination group, the hosting servers. Outside connectors:
 *     smart hosts, or DNS MX ("smtp:").
 *  4. Lists rotate by the caller's rotation number; servers known down go
 *     last; the local server is never in its own list.
 *  5. Nothing reachable: follow the least-cost path of the whole topology
 *     while its first connector is up (relay), else `defer 4.4.1`.
 *  6. Size over any max_size on the chosen path: `bounce 5.3.4`.
 *  7. A sender refused by a connector on the chosen path (it matches the
 *     connector's senders_deny, or the connector has senders_allow and
 *     it matches none of it): `bounce 5.7.1`, no other path tried. Sender
 *     patterns: "user@example.com" (the sender lowercased, its
 *     +extension dropped), "example.com", "*.example.com", "*" (its
 *     domain; a sender without '@' matches "*" only). The null sender
 *     ("" or "<>": bounces) and an unknown one (NULL) are never refused.
 *  8. Message classes: a priority (high, normal, low) and whether the
 *     message is a system message (null sender, a delivery or read
 *     report). The caller names the class (route_decide_class); the
 *     engine infers nothing, not even from a null sender. The class-less
 *     answers (route_decide, route_decide_sender, so transport lookups)
 *     are the default class's: normal, not system. A connector that does
 *     not admit the class (its `priorities` lack the priority, or
 *     `system_messages = no` and a system message) is, for that class,
 *     as if disabled: no candidate (rule 1 takes the most specific match
 *     the class may use) and no edge of the class's least-cost trees
 *     (rules 2 and 5). So path exclusion decides the route, and a class
 *     may take a cheaper connector reserved to it. Refusal only when the
 *     class has no route (no candidate, or none reachable even over the
 *     whole topology): the decision is taken again without the class
 *     rules, and if that finds a route, the first connector on it that
 *     does not admit the class answers `bounce 5.7.1` naming it, no other
 *     path tried (rules 6 and 7 are not checked on that route); if it
 *     finds none, its answer (5.4.4 or default) stands. Each class's
 *     trees are over one graph on every server with the same LST, so a
 *     message decided for its class at every hop is loop-free as in
 *     rules 2-7.
 *  9. Schedules: a connector outside its hours at params.at (its
 *     `schedule` in the organization's time zone, schedule.h) is down
 *     for every source, as if the LST said so, even with
 *     suppress_state_changes: every server computes the same from the
 *     topology and its clock, so nothing floods. It stays in the trees
 *     of the whole topology, so mail waits at the point of failure
 *     (rule 5). The caller builds a new table at the next edge
 *     (route_table_next_edge).
 */
#ifndef LSA_ROUTE_H
#define LSA_ROUTE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "linkstate.h"
#include "route_index.h"
#include "topology.h"

enum route_action {
	ROUTE_LOCAL,
	ROUTE_RELAY,
	ROUTE_DEFER,
	ROUTE_BOUNCE,
	ROUTE_DEFAULT,
};

struct route_params {
	int		 self;		/* local server index */
	int		 relay_direct;	/* relay = direct */
	int		 suppress;	/* suppress_state_changes */
	const char	*transport;	/* Postfix transport, "smtp" */
	const char	*hold_transport; /* "lsahold"; NULL: none (retry:) */
	time_t		 at;		/* schedules are read at this moment:
					   a connector outside its hours is
					   down on every server (rule 9) */
};

struct route_host {
	const char	*name;		/* server name or smart host */
	const char	*address;	/* for the transport string */
	unsigned	 port;
	int		 down;
};

enum route_priority { ROUTE_PRIO_NORMAL = 0, ROUTE_PRIO_HIGH, ROUTE_PRIO_LOW };

struct route_class {
	enum route_priority priority;
	int system;		/* null sender or a delivery/read report */
};

struct route_decision {
	enum route_action action;
	char		 status[8];	/* "4.4.1", "5.3.4", "5.4.4" or "" */
	char		 reason[256];
	const char	*tiebreak;	/* what decided between equals */
	char		*transport;	/* "smtp:[a]:25, [b]:25" or NULL */
	size_t		 transport_cap;
	struct route_host *hosts;
	int		 nhosts;
	int		 hosts_cap;
	int		*path;		/* group indices, local group first */
	int		 npath;
	int		*connectors;	/* connector indices along the path */
	int		 nconnectors;
	int		 path_cap;
	int		 cost;		/* path + address space cost */
	int		 space_cost;	/* address space cost, 0 if none */
	int		 hop_group;	/* group the next hop is in, -1 */
	int		 point_of_failure; /* 1: rule 5 decided */
	uint64_t	 lst_version;
};

struct route_table;

struct route_table *route_table_new(const struct topology *t,
    const struct route_index *ix, const struct linkstate *ls,
    const struct route_params *p);
void route_table_free(struct route_table *rt);
/* route_table_next_edge - the first moment after params.at at which a
 * connector opens or closes (a new table is due), SCHEDULE_NONE if none
 * within SCHEDULE_HORIZON */
time_t route_table_next_edge(const struct route_table *rt);
void route_decision_init(struct route_decision *d);
void route_decision_free(struct route_decision *d);
void route_decide(const struct route_table *rt, const char *recipient,
    uint64_t size, unsigned rotation, struct route_decision *d);
void route_decide_sender(const struct route_table *rt, const char *sender,
    const char *recipient, uint64_t size, unsigned rotation,
    struct route_decision *d);
/* route_decide_class - route_decide_sender() for a message of class cls (NULL: the
 * default class, normal and not system: what transport lookups answer) */
void route_decide_class(const struct route_table *rt, const char *sender,
    const char *recipient, uint64_t size, unsigned rotation,
    const struct route_class *cls, struct route_decision *d);
const char *route_action_name(enum route_action a);
int route_recipient_domain(const char *recipient, char *buf, size_t len);

#endif
