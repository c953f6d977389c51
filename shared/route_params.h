/*
 * route_params.h - struct route_params (route.h) filled from the
 * settings (settings.h): [agent] relay and suppress_state_changes,
 * [policyd] transport and hold_transport. Every program that decides
 * routes uses it; the strings are borrowed from the settings.
 */
#ifndef LSA_ROUTE_PARAMS_H
#define LSA_ROUTE_PARAMS_H

#include "route.h"
#include "settings.h"

void route_params_from_settings(struct route_params *p,
    const struct settings *s, int self, time_t at);

#endif
