/*
 * policy.c - policy delegation sessions (check_policy_service).
 *
 * Wire (SMTPD_POLICY_README): "name=value" lines, an empty line ends a
 * request; exactly one "action=..." line and an empty line per request;
 * the connection stays open for the next. A malformed request (see
 * policy_req.h for the limits) is logged and the connection closed, as
 * the protocol says: never guess.
 *
 * Decisions:
 *   RCPT             the recipient's route bounces 5.4.4 (no route to an
 *                    owned domain): "550 5.4.4 ..."; the client declared
 *                    SIZE and the route cannot carry it: "552 5.3.4 ..."
 *                    (per recipient, as Exchange 2007 SP1 does); a
 *                    connector on the route refuses the `sender`
 *                    (senders_allow, senders_deny): "550 5.7.1 ...";
 *                    the client is a server of the organization that
 *                    the route would pass the mail straight back to
 *                    (two views that disagree, a record in flight):
 *                    "450 4.4.6 ..." (the mail waits at the client);
 *                    everything else DUNNO: a down link never rejects,
 *                    mail queues at the point of failure.
 *   END-OF-MESSAGE   the real size over any accepted recipient's route
 *                    limit: "552 5.3.4 ..." for the whole message. At
 *                    end of data Postfix leaves `recipient` empty when
 *                    there are several, so what the check needs is kept
 *                    from RCPT for this `instance`: the tightest
 *                    max_size over the accepted recipients' routes and
 *                    the first recipient whose route has it, not the
 *                    recipients (a session keeps at most the instance
 *                    and that one address, each under
 *                    POLICY_REQ_MAX_LINE bytes, however many RCPTs).
 *                    Over it, that recipient is decided again with the
 *                    real size, for the reply and log line; the routes
 *                    are the ones of the snapshot at RCPT (one that
 *                    lifts the limit during DATA lets the message in).
 *                    A `recipient` given at end of data is checked too.
 *   anything else    DUNNO. No snapshot loaded: DUNNO (the transport
 *                    lookup defers the mail instead).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy_req.h"
#include "policyd.h"
#include "smtp_reply.h"
#include "units.h"
#include "xmalloc.h"

#define POLICY_MAX_OUTPUT	(256 * 1024)

struct policy_session {
	struct policyd_conn	 c;		/* first: conn.c's part */
	struct policy_req	 req;
	char			*instance;	/* message the rest belongs to */
	uint64_t		 limit;		/* tightest route max_size of its
						   recipients; 0: none */
	char			 limit_rcpt[POLICY_REQ_MAX_LINE];
						/* first recipient with it */
};

/* policy_forget - drop what was kept of the message */
static void
policy_forget(struct policy_session *s)
{
	s->limit = 0;
	s->limit_rcpt[0] = '\0';
	free(s->instance);
	s->instance = NULL;
}

/*
 * policy_remember - an accepted recipient: its route's tightest
 * max_size, kept with the recipient when tighter than the message's
 */
static void
policy_remember(struct policy_session *s, const struct route_decision *d,
    const char *rcpt)
{
	const struct topology *t = s->c.pd->lst->snap->topo;
	size_t len = strlen(rcpt);
	uint64_t lim = 0, m;

	for (int i = 0; i < d->nconnectors; i++)
		if ((m = t->connectors[d->connectors[i]].max_size) != 0 &&
		    (lim == 0 || m < lim))
			lim = m;
	/* a line of the request is shorter: the test cannot fail */
	if (lim == 0 || (s->limit != 0 && lim >= s->limit) ||
	    len >= sizeof(s->limit_rcpt))
		return;
	memcpy(s->limit_rcpt, rcpt, len + 1);
	s->limit = lim;
}

/* policy_size - the size attribute, 0 when absent or bad */
static uint64_t
policy_size(const struct policy_req *r)
{
	const char *v = policy_req_get(r, "size");
	char err[UNITS_ERRLEN];
	uint64_t n;

	if (v == NULL || units_uint(v, 0, UINT64_MAX, &n, err) < 0)
		return 0;
	return n;
}

/* policy_rcpt - RCPT: no route, or too big for the declared SIZE */
static void
policy_rcpt(struct policy_session *s, char *action, size_t len)
{
	const char *rcpt = policy_req_get(&s->req, "recipient");
	const char *sender = policy_req_get(&s->req, "sender");
	const char *client = policy_req_get(&s->req, "client_address");
	const struct route_decision *d;
	uint64_t size = policy_size(&s->req);
	int back;

	if (rcpt == NULL || *rcpt == '\0' ||
	    (d = policyd_decide(s->c.pd, sender, rcpt, size)) == NULL)
		return;
	if (d->action == ROUTE_BOUNCE) {
		smtp_reply_format(action, len, d);
		log_info("recipient=%s sender=%s decision=reject status=%s "
		    "size=%" PRIu64 " reason=\"%s\" lst_version=%ju", rcpt,
		    sender != NULL ? sender : "", d->status, size, d->reason,
		    (uintmax_t)d->lst_version);
		return;
	}
	if ((back = policyd_sends_back(s->c.pd, d, client)) >= 0) {
		const char *name = s->c.pd->lst->snap->topo->servers[back].name;

		snprintf(action, len, "450 4.4.6 routing loop: this server "
		    "would pass the mail straight back to %s; it waits there "
		    "until the link state agrees", name);
		log_info("recipient=%s client=%s server=%s decision=defer "
		    "status=4.4.6 nexthop=\"%s\" reason=\"routing loop\" "
		    "lst_version=%ju", rcpt, client, name, d->transport,
		    (uintmax_t)d->lst_version);
		return;
	}
	policy_remember(s, d, rcpt);
}

/*
 * policy_eom - END-OF-MESSAGE: the real size against the tightest limit
 * kept, and against the route of a recipient given now
 */
static void
policy_eom(struct policy_session *s, char *action, size_t len)
{
	const char *rcpt = policy_req_get(&s->req, "recipient");
	uint64_t size = policy_size(&s->req);
	const struct route_decision *d;
	const char *check[2];
	int n = 0;

	if (s->limit != 0 && size > s->limit)
		check[n++] = s->limit_rcpt;
	if (rcpt != NULL && *rcpt != '\0')
		check[n++] = rcpt;
	for (int i = 0; i < n && size > 0; i++) {
		if ((d = policyd_decide(s->c.pd, NULL, check[i],
		    size)) == NULL)
			break;
		if (d->action == ROUTE_BOUNCE && strcmp(d->status, "5.3.4") ==
		    0) {
			smtp_reply_format(action, len, d);
			log_info("recipient=%s decision=reject status=5.3.4 "
			    "size=%" PRIu64 " stage=end-of-message reason="
			    "\"%s\"", check[i], size, d->reason);
			break;
		}
	}
	policy_forget(s);
}

/* policy_handle - one complete request, one reply */
static void
policy_handle(struct policy_session *s)
{
	const char *state = policy_req_get(&s->req, "protocol_state");
	const char *inst = policy_req_get(&s->req, "instance");
	char action[512] = "DUNNO";
	int n;

	if (inst != NULL && (s->instance == NULL ||
	    strcmp(inst, s->instance) != 0)) {
		policy_forget(s);
		s->instance = xstrdup(inst);
	}
	if (state != NULL && strcmp(state, "RCPT") == 0)
		policy_rcpt(s, action, sizeof(action));
	else if (state != NULL && strcmp(state, "END-OF-MESSAGE") == 0)
		policy_eom(s, action, sizeof(action));
	n = snprintf(policyd_out_reserve(s->c.pd, sizeof(action) + 16),
	    sizeof(action) + 16, "action=%s\n\n", action);
	s->c.pd->out.len += (size_t)n;
}

/*
 * policy_input - feed the bytes to the request reader; a reply per whole
 * request. Everything is taken: the reader keeps a partial request
 * itself (bounded, policy_req.h).
 */
static int
policy_input(struct policyd_conn *c, const char *buf, size_t len,
    size_t *consumed)
{
	struct policy_session *s = (struct policy_session *)c;
	size_t off = 0;

	while (off < len) {
		size_t used = 0;

		switch (policy_req_feed(&s->req, buf + off, len - off,
		    &used)) {
		case POLICY_REQ_MORE:
			break;
		case POLICY_REQ_ERR:
			log_warnx("policy: bad request (%s), closing",
			    s->req.err);
			return -1;
		case POLICY_REQ_DONE:
			policy_handle(s);
			policy_req_reset(&s->req);
			if (policyd_conn_full(c))
				return -1;
			break;
		}
		off += used;
	}
	*consumed = len;
	return 0;
}

/* policy_partial - a request is begun, kept by the request reader */
static int
policy_partial(const struct policyd_conn *c)
{
	return ((const struct policy_session *)c)->req.total > 0;
}

/* policy_fini - the session's own state; conn.c frees the rest */
static void
policy_fini(struct policyd_conn *c)
{
	policy_forget((struct policy_session *)c);
}

static const struct policyd_proto policy_proto = {
	.name = "policy",
	.max_input = 0,			/* policy_req keeps it */
	.max_output = POLICY_MAX_OUTPUT,
	.input = policy_input,
	.fini = policy_fini,
	.partial = policy_partial,
};

/* policy_accept - a new policy session */
void
policy_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)sa;
	(void)salen;
	policyd_conn_new(arg, fd, &policy_proto,
	    sizeof(struct policy_session));
}
