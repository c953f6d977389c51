/*
 * sockmap.c - socketmap sessions: Postfix transport_maps lookups, and
 * the TLS policy and SASL password of a next hop.
 *
 * Wire (socketmap_table(5)): one netstring per request, "NAME KEY", and
 * one per reply: "OK DATA", "NOTFOUND ", "TEMP REASON" or "PERM REASON",
 * at most 100,000 bytes. The connection stays open across requests;
 * Postfix closes it after 10 s idle, which is normal.
 *
 * Keys are whole addresses as written (socketmap is a pattern table),
 * "*" at start-up, and sender addresses too. Answers, from the routing
 * decision (route.h):
 *   local, default, "*", no '@'   NOTFOUND (Postfix routes as usual)
 *   relay                         OK smtp:[a]:25, [b]:25
 *   defer (held here)             OK lsahold:[a]:25, [b]:25 (the hold
 *                                 transport, in defer_transports: the
 *                                 mail is accepted and waits here)
 *   defer (nothing to name)       OK retry:4.4.1 REASON
 *   bounce                        OK error:5.x.x REASON
 *   no snapshot loaded            TEMP (Postfix defers; nothing is lost)
 *   a table name not "transport"  PERM (a configuration error)
 * Two more tables answer from the topology alone (hop_policy.h has the
 * keys Postfix asks with and the answers):
 *   tls_policy (smtp_tls_policy_maps)   OK secure match=S tafile=CA, OK
 *                                       encrypt, ... or NOTFOUND
 *   sasl_passwd (smtp_sasl_password_maps)  OK user:password, NOTFOUND;
 *                                       TEMP when the connector's auth
 *                                       names no entry of the credentials
 *                                       (mail waits; never sent without)
 * The password is never logged: lines name the connector and its auth.
 * A request that breaks the framing (bad length, missing ':' or ',',
 * oversized) or a key that is not UTF-8 ends the session with a log line:
 * there is no reply that would be right.
 */
#include <stdio.h>
#include <string.h>

#include "hop_policy.h"
#include "log.h"
#include "netstring.h"
#include "policyd.h"
#include "socketmap_req.h"

#define SOCKMAP_MAX_KEY		1024	/* longer keys are no address */
#define SOCKMAP_REASON_MAX	400
#define SOCKMAP_MAX_OUTPUT	(1024 * 1024)	/* a client that does not read */

/* sockmap_reply - one netstring reply "WORD TEXT" into pd->out */
static void
sockmap_reply(struct policyd *pd, const char *word, const char *text,
    size_t tl)
{
	size_t wl = strlen(word), plen;
	char *p, digits[24];
	int nd = 0;

	if (tl > NETSTRING_SOCKETMAP_MAX - wl - 1)
		tl = NETSTRING_SOCKETMAP_MAX - wl - 1;
	plen = wl + 1 + tl;
	for (size_t v = plen; v > 0 || nd == 0; v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	p = policyd_out_reserve(pd, (size_t)nd + plen + 2);
	for (int i = nd - 1; i >= 0; i--)
		*p++ = digits[i];
	*p++ = ':';
	memcpy(p, word, wl);
	p[wl] = ' ';
	memcpy(p + wl + 1, text, tl);
	p[plen] = ',';
	pd->out.len += (size_t)nd + plen + 2;
}

/* sockmap_tls - the tls_policy table: a next hop's TLS policy */
static void
sockmap_tls(struct policyd *pd, const char *key)
{
	char policy[HOP_POLICY_MAX];
	int r;

	if (pd->lst == NULL) {
		sockmap_reply(pd, "TEMP", "no LST snapshot loaded", 22);
		return;
	}
	r = hop_tls_policy(pd->lst->snap->topo, pd->lst->self, key,
	    pd->set->tls_ca, policy, sizeof(policy));
	if (r < 0) {
		log_warnx("tls_policy key=%s: tls_ca=\"%s\" cannot be written "
		    "in a Postfix policy (blanks or commas): TEMP", key,
		    pd->set->tls_ca);
		sockmap_reply(pd, "TEMP", "tls_ca path unusable", 20);
	} else if (r == 0)
		sockmap_reply(pd, "NOTFOUND", "", 0);
	else {
		log_debug("tls_policy key=%s policy=\"%s\"", key, policy);
		sockmap_reply(pd, "OK", policy, strlen(policy));
	}
}

/* sockmap_sasl - the sasl_passwd table: never logs the password */
static void
sockmap_sasl(struct policyd *pd, const char *key)
{
	const struct topo_connector *c;
	const struct credential *cr;
	int i;

	if (pd->lst == NULL) {
		sockmap_reply(pd, "TEMP", "no LST snapshot loaded", 22);
		return;
	}
	if ((i = hop_sasl_connector(pd->lst->snap->topo, pd->lst->self,
	    key)) < 0) {
		sockmap_reply(pd, "NOTFOUND", "", 0);
		return;
	}
	c = &pd->lst->snap->topo->connectors[i];
	if ((cr = credentials_find(pd->creds, c->auth)) == NULL) {
		log_warnx("sasl_passwd key=%s connector=%s auth=%s: no such "
		    "entry in [policyd] credentials: TEMP (the mail waits)",
		    key, c->name, c->auth);
		sockmap_reply(pd, "TEMP", "credentials missing", 19);
		return;
	}
	log_debug("sasl_passwd key=%s connector=%s auth=%s user=%.*s", key,
	    c->name, c->auth, (int)cr->userlen, cr->secret);
	sockmap_reply(pd, "OK", cr->secret, strlen(cr->secret));
}

/* sockmap_table_is - is the request's table name this one? */
static int
sockmap_table_is(const char *name, size_t namelen, const char *want)
{
	return namelen == strlen(want) && memcmp(name, want, namelen) == 0;
}

/* sockmap_answer - the reply to one lookup */
static void
sockmap_answer(struct policyd *pd, const char *name, size_t namelen,
    const char *key, size_t keylen)
{
	const struct route_decision *d;
	char addr[SOCKMAP_MAX_KEY + 1], text[SOCKMAP_REASON_MAX + 64];
	const char *transport;
	enum route_action action;
	int tl;

	if (sockmap_table_is(name, namelen, "tls_policy") ||
	    sockmap_table_is(name, namelen, "sasl_passwd")) {
		if (keylen > SOCKMAP_MAX_KEY) {
			sockmap_reply(pd, "NOTFOUND", "", 0);
			return;
		}
		memcpy(addr, key, keylen);
		addr[keylen] = '\0';
		if (name[0] == 't')
			sockmap_tls(pd, addr);
		else
			sockmap_sasl(pd, addr);
		return;
	}
	if (!sockmap_table_is(name, namelen, "transport")) {
		log_warnx("socketmap: unknown table \"%.*s\" (want "
		    "socketmap:...:transport, tls_policy or sasl_passwd)",
		    (int)namelen, name);
		sockmap_reply(pd, "PERM", "unknown table", 13);
		return;
	}
	if (keylen > SOCKMAP_MAX_KEY || memchr(key, '@', keylen) == NULL) {
		sockmap_reply(pd, "NOTFOUND", "", 0);
		return;
	}
	memcpy(addr, key, keylen);
	addr[keylen] = '\0';
	if (policyd_transport(pd, addr, &action, &transport, &d) < 0) {
		sockmap_reply(pd, "TEMP", "no LST snapshot loaded", 22);
		return;
	}
	switch (action) {
	case ROUTE_LOCAL:
	case ROUTE_DEFAULT:
		sockmap_reply(pd, "NOTFOUND", "", 0);
		return;
	case ROUTE_RELAY:
		log_debug("recipient=%s decision=relay nexthop=\"%s\" "
		    "lst_version=%ju", addr, transport,
		    (uintmax_t)pd->lst->snap->lst_version);
		sockmap_reply(pd, "OK", transport, strlen(transport));
		return;
	case ROUTE_DEFER:
	case ROUTE_BOUNCE:
		if (action == ROUTE_DEFER && transport[0] != '\0') {
			log_info("recipient=%s decision=hold status=%s "
			    "nexthop=\"%s\" reason=\"%s\" lst_version=%ju",
			    addr, d->status, transport, d->reason,
			    (uintmax_t)d->lst_version);
			sockmap_reply(pd, "OK", transport, strlen(transport));
			return;
		}
		tl = snprintf(text, sizeof(text), "%s:%s %.*s",
		    action == ROUTE_DEFER ? "retry" : "error", d->status,
		    SOCKMAP_REASON_MAX, d->reason);
		log_info("recipient=%s decision=%s status=%s reason=\"%s\" "
		    "lst_version=%ju", addr, route_action_name(action),
		    d->status, d->reason, (uintmax_t)d->lst_version);
		sockmap_reply(pd, "OK", text, (size_t)tl);
		return;
	}
}

/* sockmap_input - every whole request of buf, one reply each */
static int
sockmap_input(struct policyd_conn *c, const char *buf, size_t len,
    size_t *consumed)
{
	size_t off = 0;

	for (;;) {
		size_t plen, used, namelen, keylen;
		const char *payload, *err, *name, *key;

		switch (netstring_parse(buf + off, len - off,
		    NETSTRING_SOCKETMAP_MAX, &payload, &plen, &used, &err)) {
		case NETSTRING_MORE:
			*consumed = off;
			return 0;
		case NETSTRING_ERR:
			log_warnx("socketmap: bad request (%s), closing", err);
			return -1;
		case NETSTRING_OK:
			break;
		}
		if (socketmap_request_parse(payload, plen, &name, &namelen,
		    &key, &keylen, &err) < 0) {
			log_warnx("socketmap: bad request (%s), closing", err);
			return -1;
		}
		sockmap_answer(c->pd, name, namelen, key, keylen);
		off += used;
		if (policyd_conn_full(c))
			return -1;
	}
}

static const struct policyd_proto sockmap_proto = {
	.name = "socketmap",
	/* a request not whole yet: within one netstring's limit */
	.max_input = NETSTRING_SOCKETMAP_MAX + 16,
	.max_output = SOCKMAP_MAX_OUTPUT,
	.input = sockmap_input,
	.fini = NULL,
	.partial = NULL,		/* conn.c keeps it */
};

/* sockmap_accept - a new socketmap session: the connection alone */
void
sockmap_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)sa;
	(void)salen;
	policyd_conn_new(arg, fd, &sockmap_proto, sizeof(struct policyd_conn));
}
