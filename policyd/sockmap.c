/*
 * sockmap.c - socketmap sessions: Postfix transport_maps lookups.
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
 *   defer                         OK retry:4.4.1 REASON
 *   bounce                        OK error:5.x.x REASON
 *   no snapshot loaded            TEMP (Postfix defers; nothing is lost)
 *   a table name not "transport"  PERM (a configuration error)
 * A request that breaks the framing (bad length, missing ':' or ',',
 * oversized) or a key that is not UTF-8 ends the session with a log line:
 * there is no reply that would be right.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "netstring.h"
#include "policyd.h"
#include "socketmap_req.h"
#include "xmalloc.h"

#define SOCKMAP_MAX_KEY		1024	/* longer keys are no address */
#define SOCKMAP_REASON_MAX	400
#define SOCKMAP_MAX_OUTPUT	(1024 * 1024)	/* a client that does not read */

struct sockmap_session {
	struct policyd		*pd;
	struct bufferevent	*bev;
};

/* sockmap_close - free the session, last */
static void
sockmap_close(struct sockmap_session *s)
{
	struct policyd *pd = s->pd;

	bufferevent_free(s->bev);
	free(s);
	policyd_client_close(pd);
}

/* sockmap_reply - one netstring reply: "WORD TEXT" */
static void
sockmap_reply(struct sockmap_session *s, const char *word,
    const char *text)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	size_t wl = strlen(word), tl = strlen(text);

	if (tl > NETSTRING_SOCKETMAP_MAX - wl - 1)
		tl = NETSTRING_SOCKETMAP_MAX - wl - 1;
	evbuffer_add_printf(out, "%zu:%s ", wl + 1 + tl, word);
	evbuffer_add(out, text, tl);
	evbuffer_add(out, ",", 1);
}

/* sockmap_answer - the reply to one lookup */
static void
sockmap_answer(struct sockmap_session *s, const char *name, size_t namelen,
    const char *key, size_t keylen)
{
	const struct route_decision *d;
	char addr[SOCKMAP_MAX_KEY + 1], text[SOCKMAP_REASON_MAX + 64];

	if (namelen != strlen("transport") ||
	    memcmp(name, "transport", namelen) != 0) {
		log_warnx("socketmap: unknown table \"%.*s\" (want "
		    "socketmap:...:transport)", (int)namelen, name);
		sockmap_reply(s, "PERM", "unknown table");
		return;
	}
	if (keylen > SOCKMAP_MAX_KEY || memchr(key, '@', keylen) == NULL) {
		sockmap_reply(s, "NOTFOUND", "");
		return;
	}
	memcpy(addr, key, keylen);
	addr[keylen] = '\0';
	if ((d = policyd_decide(s->pd, addr, 0)) == NULL) {
		sockmap_reply(s, "TEMP", "no LST snapshot loaded");
		return;
	}
	switch (d->action) {
	case ROUTE_LOCAL:
	case ROUTE_DEFAULT:
		sockmap_reply(s, "NOTFOUND", "");
		return;
	case ROUTE_RELAY:
		log_debug("recipient=%s decision=relay nexthop=\"%s\" "
		    "lst_version=%ju", addr, d->transport,
		    (uintmax_t)d->lst_version);
		sockmap_reply(s, "OK", d->transport);
		return;
	case ROUTE_DEFER:
	case ROUTE_BOUNCE:
		snprintf(text, sizeof(text), "%s:%s %.*s",
		    d->action == ROUTE_DEFER ? "retry" : "error", d->status,
		    SOCKMAP_REASON_MAX, d->reason);
		log_info("recipient=%s decision=%s status=%s reason=\"%s\" "
		    "lst_version=%ju", addr, route_action_name(d->action),
		    d->status, d->reason, (uintmax_t)d->lst_version);
		sockmap_reply(s, "OK", text);
		return;
	}
}

/*
 * sockmap_flush - send the replies now, from the read callback. Writing
 * through the bufferevent costs, per lookup, an epoll_ctl to watch for
 * EPOLLOUT, one more trip round the loop to learn the socket is
 * writable (it almost always is) and an epoll_ctl to stop watching:
 * three system calls on top of the write itself. So EV_WRITE stays
 * disabled and the replies are written here; only what the socket does
 * not take at once is left to the bufferevent (EV_WRITE enabled until
 * its output drains, sockmap_write). -1: the connection broke.
 */
static int
sockmap_flush(struct sockmap_session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	int n;

	if (evbuffer_get_length(out) == 0 ||
	    (bufferevent_get_enabled(s->bev) & EV_WRITE))
		return 0;		/* nothing, or already waiting */
	/* a socket bufferevent freezes its output's start; so does its
	 * own write callback, around the same evbuffer_write() */
	evbuffer_unfreeze(out, 1);
	errno = 0;
	n = evbuffer_write(out, bufferevent_getfd(s->bev));
	evbuffer_freeze(out, 1);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		log_debug("socketmap: write: %s", strerror(errno));
		return -1;
	}
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(s->bev, EV_WRITE);
	return 0;
}

/* sockmap_write - the output drained: back to writing from the reads */
static void
sockmap_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_disable(bev, EV_WRITE);
}

/* sockmap_read - every whole request in the input buffer */
static void
sockmap_read(struct bufferevent *bev, void *arg)
{
	struct sockmap_session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		size_t len = evbuffer_get_length(in), plen, consumed;
		size_t namelen, keylen;
		const char *payload, *err, *name, *key;
		const char *buf;

		if (len == 0)
			break;
		buf = (const char *)evbuffer_pullup(in, -1);
		switch (netstring_parse(buf, len, NETSTRING_SOCKETMAP_MAX,
		    &payload, &plen, &consumed, &err)) {
		case NETSTRING_MORE:
			goto flush;
		case NETSTRING_ERR:
			log_warnx("socketmap: bad request (%s), closing", err);
			sockmap_close(s);
			return;
		case NETSTRING_OK:
			break;
		}
		if (socketmap_request_parse(payload, plen, &name, &namelen,
		    &key, &keylen, &err) < 0) {
			log_warnx("socketmap: bad request (%s), closing", err);
			sockmap_close(s);
			return;
		}
		sockmap_answer(s, name, namelen, key, keylen);
		evbuffer_drain(in, consumed);
		if (evbuffer_get_length(bufferevent_get_output(bev)) >
		    SOCKMAP_MAX_OUTPUT) {
			log_warnx("socketmap: client does not read its "
			    "replies, closing");
			sockmap_close(s);
			return;
		}
	}
flush:
	if (sockmap_flush(s) < 0)
		sockmap_close(s);
}

/* sockmap_event - EOF, error or idle timeout: the session ends */
static void
sockmap_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & BEV_EVENT_ERROR)
		log_debug("socketmap: connection error");
	sockmap_close(arg);
}

/* sockmap_accept - a new socketmap session */
void
sockmap_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct policyd *pd = arg;
	struct sockmap_session *s;
	struct bufferevent *bev;

	(void)l;
	(void)sa;
	(void)salen;
	/* one request and a little more: the buffer stays bounded */
	if ((bev = policyd_session_bev(pd, fd,
	    2 * (NETSTRING_SOCKETMAP_MAX + 16), "socketmap")) == NULL)
		return;
	s = xcalloc(1, sizeof(*s));
	s->pd = pd;
	s->bev = bev;
	bufferevent_setcb(s->bev, sockmap_read, sockmap_write, sockmap_event,
	    s);
	/* a new bufferevent has EV_WRITE enabled: sockmap_flush does it */
	bufferevent_disable(s->bev, EV_WRITE);
	bufferevent_enable(s->bev, EV_READ);
}
