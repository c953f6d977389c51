/*
 * reroute.h - rerouting now: Postfix retries the deferred mail whose
 * route changed, at once (reroute.c has the whole rule).
 *
 * reroute_new() returns NULL when reroute_command is empty (rerouting
 * off); every other function takes that NULL too. reroute_changed() is
 * called after each change of the agent's routing view (agent_changed);
 * the passes run from the event loop, rate-limited. reroute_free() kills
 * a command under way.
 */
#ifndef LSA_REROUTE_H
#define LSA_REROUTE_H

#include <stdint.h>

struct agent;
struct reroute;

struct reroute_stats {			/* since start */
	uint64_t	 passes;	/* listings after a routing change */
	uint64_t	 rechecks;	/* second listings */
	uint64_t	 listed;	/* messages seen in listings */
	uint64_t	 affected;	/* messages whose route changed */
	uint64_t	 retried;	/* postqueue -i runs */
	uint64_t	 flushes;	/* postqueue -f runs */
	uint64_t	 kicks;		/* postkick public qmgr F runs */
};

struct reroute *reroute_new(struct agent *a);
void reroute_free(struct reroute *r);
void reroute_changed(struct agent *a);
const struct reroute_stats *reroute_stats(const struct reroute *r);

#endif
