/*
 * resolve.c - host names to addresses off the event loop (see resolve.h).
 *
 * evdns calls back even after a cancel, later, from the loop; by then the
 * caller's object may be gone. So evdns gets a small handle of ours, not
 * the caller's object: a cancel clears the handle's callback, and the
 * handle is freed when evdns calls back (the agent frees its resolver with
 * fail_requests, so every request calls back).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/dns.h>

#include "agent_priv.h"
#include "resolve.h"
#include "xmalloc.h"

struct resolve {
	resolve_fn	 done;		/* NULL once cancelled */
	void		*arg;
	struct evdns_getaddrinfo_request *req;
};

/* resolve_cb - evdns's answer: to the caller, unless cancelled */
static void
resolve_cb(int rc, struct evutil_addrinfo *res, void *arg)
{
	struct resolve *r = arg;
	resolve_fn done = r->done;
	void *darg = r->arg;

	free(r);
	if (done == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	done(darg, rc, rc == 0 ? res : NULL);
}

/* resolve_start - see resolve.h */
struct resolve *
resolve_start(struct agent *a, const char *host, const char *serv,
    int flags, resolve_fn done, void *arg)
{
	struct evutil_addrinfo hints, *res = NULL;
	struct evdns_getaddrinfo_request *req;
	struct resolve *r;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_NUMERICSERV | EVUTIL_AI_NUMERICHOST |
	    ((flags & RESOLVE_PASSIVE) ? EVUTIL_AI_PASSIVE : 0);
	if ((rc = evutil_getaddrinfo(host, serv, &hints, &res)) == 0 ||
	    a->dns == NULL) {
		done(arg, rc, rc == 0 ? res : NULL);
		return NULL;
	}
	hints.ai_flags &= ~EVUTIL_AI_NUMERICHOST;
	r = xcalloc(1, sizeof(*r));
	r->done = done;
	r->arg = arg;
	/* NULL: resolve_cb has run (and freed r) */
	if ((req = evdns_getaddrinfo(a->dns, host, serv, &hints, resolve_cb,
	    r)) == NULL)
		return NULL;
	r->req = req;
	return r;
}

/* resolve_cancel - see resolve.h */
void
resolve_cancel(struct resolve *r)
{
	if (r == NULL)
		return;
	r->done = NULL;
	evdns_getaddrinfo_cancel(r->req);
}
