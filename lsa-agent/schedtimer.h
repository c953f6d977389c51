/*
 * schedtimer.h - the agent's timer on the edges of the connectors'
 * schedules (schedtimer.c has the rule): an edge, or a step of the wall
 * clock over one, makes a reroute pass.
 *
 * schedtimer_new() starts it on the agent's event base with the
 * topology in force (it follows later topologies by itself);
 * schedtimer_free() stops it. schedtimer_now() is the wall clock, in
 * seconds, every routing of the agent reads the schedules at.
 */
#ifndef LSA_SCHEDTIMER_H
#define LSA_SCHEDTIMER_H

#include <stdint.h>
#include <time.h>

struct agent;
struct schedtimer;

struct schedtimer *schedtimer_new(struct agent *a);
void schedtimer_free(struct schedtimer *st);
/* edges seen since start: ticks at which some connector opened or
 * closed */
uint64_t schedtimer_edges(const struct schedtimer *st);
time_t schedtimer_now(const struct agent *a);

#endif
