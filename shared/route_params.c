/*
 * route_params.c - the routing parameters from the settings: one place,
 * so lsa-policyd's answers, lsa-agent's reroute passes and `lsactl route`
 * never decide with different inputs. The moment schedules are read at
 * is the caller's: its clock, or `lsactl route --at`.
 */
#include <string.h>

#include "route_params.h"

/* route_params_from_settings - every parameter the settings decide */
void
route_params_from_settings(struct route_params *p,
    const struct settings *s, int self, time_t at)
{
	memset(p, 0, sizeof(*p));
	p->self = self;
	p->relay_direct = s->relay == SETTINGS_RELAY_DIRECT;
	p->suppress = s->suppress_state_changes;
	p->transport = s->transport;
	p->hold_transport = s->hold_transport;
	p->at = at;
}
