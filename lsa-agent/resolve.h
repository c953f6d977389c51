/*
 * resolve.h - host names to addresses off the event loop, for the agent's
 * peers and probes.
 *
 * resolve_start() looks a numeric address up without any name server
 * (AI_NUMERICHOST); a name goes to the agent's evdns resolver, so a slow
 * name server delays that caller only. done(arg, rc, res) is called once:
 * rc 0 with res (the callee's, freed with evutil_freeaddrinfo), else an
 * EVUTIL_EAI_* code and res NULL. It may be called before resolve_start()
 * returns (a numeric address, /etc/hosts, an immediate failure): then
 * resolve_start() returns NULL. Otherwise it returns a handle, valid
 * until done() is called or resolve_cancel(); after resolve_cancel(),
 * done() is never called (the handle is freed when evdns lets go of it).
 */
#ifndef LSA_RESOLVE_H
#define LSA_RESOLVE_H

#include <event2/util.h>

struct agent;
struct resolve;

typedef void (*resolve_fn)(void *arg, int rc, struct evutil_addrinfo *res);

#define RESOLVE_PASSIVE	0x1	/* an address to bind to */

struct resolve *resolve_start(struct agent *a, const char *host,
    const char *serv, int flags, resolve_fn done, void *arg);
void resolve_cancel(struct resolve *r);

#endif
