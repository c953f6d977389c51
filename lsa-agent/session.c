/*
 * session.c - one TCP connection between two agents.
 *
 * The wire, as the seeds have it (SMTP-shaped, port 691):
 *
 *   S: 220 NAME ESMTP lsa-agent
 *   C: EHLO NAME                 S: 250-NAME / 250-STARTTLS / 250 X-LINK2STATE
 *   C: STARTTLS                  S: 220 2.0.0 Ready to start TLS
 *      (TLS, both sides show a certificate of the organization's CA)
 *   C: EHLO NAME                 S: 250-NAME / 250 X-LINK2STATE
 *   C: X-LINK2STATE              S: 250 2.0.0 link-state mode
 *   then both sides send X-LINK2STATE chunk lines (l2s.h), NOOP, QUIT.
 *
 * Before TLS only EHLO, HELO, STARTTLS, NOOP, RSET and QUIT are taken;
 * after TLS the EHLO name must be a neighbour in the topology in force and
 * the certificate must name it, or the session ends (554) and the attempt
 * is logged. Bytes pipelined after STARTTLS end the session (no plaintext
 * injection into the TLS session). Lines are bounded (512 bytes before
 * link-state mode, 1000 in it); three bad commands, a handshake that takes
 * longer than AGENT_HANDSHAKE_MS, or peer_idle_timeout of silence in
 * link-state mode end the session. A session is freed from a zero timer
 * after its last output drained (at most 1 s), never inside a callback
 * that still runs; closed sessions wait on the agent's closing list, which
 * agent_free() empties at once.
 *
 * Hostile clients that never authenticate (session_cmd.c has the command
 * budgets): before authentication the next command is taken only once
 * the last reply has reached the socket (reading stops meanwhile; more
 * than AGENT_SETUP_OUTPUT_MAX unread bytes end the session), so a client
 * that does not read its replies holds a few hundred bytes, not the
 * agent's memory. Set-up sessions are limited per source address
 * (AGENT_SETUP_PER_ADDRESS) and in all (AGENT_MAX_PENDING); the addresses
 * of the topology's servers have slots of their own, so strangers cannot
 * starve a neighbour. Refusals at accept are logged at most once a
 * second, with the number left unlogged.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "agent_priv.h"
#include "log.h"
#include "resolve.h"
#include "xmalloc.h"

static const char *session_states[] = {
	"greeted", "ehlo", "tls", "tls-greeted", "ready",
	"c-banner", "c-ehlo", "c-starttls", "c-tls", "c-ehlo2", "c-link",
	"link", "closed",
};

static void session_read_cb(struct bufferevent *, void *);
static void session_event_cb(struct bufferevent *, short, void *);
static void session_free_cb(evutil_socket_t, short, void *);
static void session_resume_cb(evutil_socket_t, short, void *);
static size_t session_pending(struct session *);

/* session_state_name - for logs and status */
const char *
session_state_name(enum session_state st)
{
	return (unsigned)st <= SS_CLOSED ? session_states[st] : "?";
}

/* session_set_state - every change logged at debug level */
static void
session_set_state(struct session *s, enum session_state st)
{
	log_debug("session server=%s peer=%s state=%s->%s", s->agent->self,
	    s->addr, session_state_name(s->state), session_state_name(st));
	s->state = st;
}

/* session_count_cb - bytes that reach the socket */
static void
session_count_cb(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct session *s = arg;

	s->bytes_out += info->n_added;
	s->agent->stats.bytes_out += info->n_added;
	/* under TLS the socket's buffer is the last to drain */
	if (s->state == SS_CLOSED && info->n_deleted > 0 &&
	    evbuffer_get_length(b) == 0)
		session_close(s, NULL, 0);
	else if (s->paused && info->n_deleted > 0 && session_pending(s) == 0)
		event_active(s->resume_ev, EV_TIMEOUT, 0);
}

/* session_idle_cb - the handshake or the idle time is over */
static void
session_idle_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session *s = arg;

	(void)fd;
	(void)ev;
	if (s->state == SS_CLOSED) {
		/* the last output did not drain in time */
		session_close(s, NULL, 0);
		return;
	}
	session_close(s, s->state == SS_LINK ? "idle timeout" :
	    "handshake timeout", 0);
}

/* session_arm - (re)start the idle timer for the current state */
static void
session_arm(struct session *s)
{
	agent_after(s->idle_ev, s->state == SS_LINK ?
	    s->agent->set->peer_idle_timeout : AGENT_HANDSHAKE_MS);
}

/* session_new - a session over a connected or connecting socket */
static struct session *
session_new(struct agent *a, evutil_socket_t fd, int inbound)
{
	struct session *s = xcalloc(1, sizeof(*s));

	s->agent = a;
	s->inbound = inbound;
	s->raw = bufferevent_socket_new(a->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->raw == NULL) {
		if (fd >= 0)
			evutil_closesocket(fd);
		free(s);
		return NULL;
	}
	s->bev = s->raw;
	s->count_cb = evbuffer_add_cb(bufferevent_get_output(s->raw),
	    session_count_cb, s);
	s->idle_ev = evtimer_new(a->base, session_idle_cb, s);
	s->free_ev = evtimer_new(a->base, session_free_cb, s);
	s->resume_ev = evtimer_new(a->base, session_resume_cb, s);
	l2s_asm_init(&s->asm_);
	bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	return s;
}

/* session_free_cb - free a closed session, outside its callbacks */
static void
session_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session *s = arg;

	(void)fd;
	(void)ev;
	TAILQ_REMOVE(&s->agent->closing, s, entry);
	evbuffer_remove_cb_entry(bufferevent_get_output(s->raw), s->count_cb);
	bufferevent_free(s->bev);	/* and raw, under TLS */
	event_free(s->idle_ev);
	event_free(s->free_ev);
	event_free(s->resume_ev);
	l2s_asm_free(&s->asm_);
	free(s);
}

/* session_free_closing - free every closed session now (agent_free) */
void
session_free_closing(struct agent *a)
{
	while (!TAILQ_EMPTY(&a->closing))
		session_free_cb(-1, 0, TAILQ_FIRST(&a->closing));
}

/* session_pending - output not yet on the wire: in the TLS filter and in
 * the socket's buffer under it (the filter empties into it at once) */
static size_t
session_pending(struct session *s)
{
	size_t n = evbuffer_get_length(bufferevent_get_output(s->bev));

	if (s->bev != s->raw)
		n += evbuffer_get_length(bufferevent_get_output(s->raw));
	return n;
}

/* session_drained_cb - the last output is out: free the session */
static void
session_drained_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	if (session_pending(arg) == 0)
		session_close(arg, NULL, 0);
}

/*
 * session_close - end the session: unlink it from its peer or the pending
 * list (logging why), stop reading, let queued output drain (at most 1 s)
 * and free it from a zero timer. why NULL: the final step.
 */
void
session_close(struct session *s, const char *why, int bad)
{
	struct agent *a = s->agent;
	struct timeval one = { 1, 0 };

	if (why == NULL || s->state == SS_CLOSED) {
		if (why != NULL || s->freeing)
			return;
		s->freeing = 1;
		bufferevent_setcb(s->bev, NULL, NULL, NULL, NULL);
		bufferevent_disable(s->bev, EV_READ | EV_WRITE);
		evtimer_del(s->idle_ev);
		evtimer_del(s->resume_ev);
		/* no second final step from session_count_cb */
		evbuffer_cb_clear_flags(bufferevent_get_output(s->raw),
		    s->count_cb, EVBUFFER_CB_ENABLED);
		event_active(s->free_ev, EV_TIMEOUT, 0);
		return;
	}
	if (bad)
		a->stats.sessions_closed_bad++;
	if (s->peer != NULL) {
		struct peer *p = s->peer;

		s->peer = NULL;
		peer_session_down(p, why);
	} else {
		log_info("session closed server=%s peer=%s claimed=%s "
		    "state=%s reason=\"%s\"", a->self, s->addr,
		    s->claimed[0] ? s->claimed : "-",
		    session_state_name(s->state), why);
		if (s->pending) {
			TAILQ_REMOVE(&a->pending, s, entry);
			a->npending--;
			s->pending = 0;
		}
	}
	resolve_cancel(s->dns_req);
	s->dns_req = NULL;
	session_set_state(s, SS_CLOSED);
	s->paused = 0;
	TAILQ_INSERT_TAIL(&a->closing, s, entry);
	bufferevent_disable(s->bev, EV_READ);
	if (session_pending(s) == 0 || a->stopping) {
		session_close(s, NULL, 0);
		return;
	}
	bufferevent_setcb(s->bev, NULL, session_drained_cb, session_event_cb,
	    s);
	evtimer_add(s->idle_ev, &one);
}

/* session_printf - one reply or command line */
static void
session_printf(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
session_printf(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(s->bev), fmt, ap);
	va_end(ap);
}

/* session_send - one agent message as X-LINK2STATE chunks */
void
session_send(struct session *s, const char *msg, size_t len)
{
	size_t n;
	char *lines;

	if (s->state != SS_LINK)
		return;
	lines = l2s_encode(msg, len, &n);
	bufferevent_write(s->bev, lines, n);
	free(lines);
}

/* session_refuse - 554 and the end, logged as a refused peer */
static void
session_refuse(struct session *s, const char *why)
{
	s->agent->stats.sessions_refused++;
	log_warnx("session refused server=%s peer=%s claimed=%s reason=\"%s\"",
	    s->agent->self, s->addr, s->claimed[0] ? s->claimed : "-", why);
	session_printf(s, "554 5.7.1 %s\r\n", why);
	session_close(s, why, 1);
}

/* session_start_tls - wrap the socket in TLS (server or client side) */
static int
session_start_tls(struct session *s)
{
	struct agent *a = s->agent;
	SSL *ssl;

	ssl = SSL_new(s->inbound ? a->ssl_server : a->ssl_client);
	if (ssl == NULL)
		return -1;
	if (!s->inbound) {
		/* the certificate must name the server we meant to reach */
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(ssl, s->peer->name) != 1) {
			SSL_free(ssl);
			return -1;
		}
	}
	s->bev = bufferevent_openssl_filter_new(a->base, s->raw, ssl,
	    s->inbound ? BUFFEREVENT_SSL_ACCEPTING :
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL) {
		SSL_free(ssl);
		s->bev = s->raw;
		return -1;
	}
	bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	session_set_state(s, s->inbound ? SS_TLS : SS_C_TLS);
	return 0;
}

/* session_tls_error - OpenSSL's reason for a failed handshake */
static void
session_tls_error(struct session *s, char *buf, size_t len)
{
	unsigned long e = bufferevent_get_openssl_error(s->bev);

	if (e == 0)
		e = ERR_get_error();
	if (e != 0) {
		char es[200];

		ERR_error_string_n(e, es, sizeof(es));
		snprintf(buf, len, "TLS handshake failed: %s", es);
	} else
		snprintf(buf, len, "TLS handshake failed: connection closed");
	ERR_clear_error();
}

/* --- the server side: session_cmd.c's verdicts carried out -------- */

/* cmd_ehlo - before TLS: offer STARTTLS; after: check who is calling */
static void
cmd_ehlo(struct session *s, const char *arg)
{
	struct agent *a = s->agent;
	struct peer *p;

	if (s->state == SS_GREETED || s->state == SS_EHLO) {
		session_printf(s, "250-%s\r\n250-STARTTLS\r\n250 %s\r\n",
		    a->self, L2S_VERB);
		session_set_state(s, SS_EHLO);
		return;
	}
	snprintf(s->claimed, sizeof(s->claimed), "%s", arg);
	if (!lsrec_valid_name(arg) || topo_find_server(a->topo, arg) < 0) {
		session_refuse(s, "not a server of this organization");
		return;
	}
	if (!tls_peer_is(bufferevent_openssl_get_ssl(s->bev), arg)) {
		session_refuse(s, "certificate does not name this server");
		return;
	}
	if ((p = peer_find(a, arg)) == NULL) {
		session_refuse(s, "not a neighbour of this server");
		return;
	}
	if (p->initiator) {
		session_refuse(s, "this side opens the session");
		return;
	}
	TAILQ_REMOVE(&a->pending, s, entry);
	a->npending--;
	s->pending = 0;
	if (p->s != NULL)
		session_close(p->s, "replaced by a new session", 0);
	p->s = s;
	s->peer = p;
	p->state = PEER_CONNECTING;
	session_printf(s, "250-%s\r\n250 %s\r\n", a->self, L2S_VERB);
	session_set_state(s, SS_READY);
}

/* cmd_starttls - 220, then TLS; nothing may be pipelined after it */
static void
cmd_starttls(struct session *s, const char *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_input(s->bev)) != 0) {
		session_printf(s, "554 5.5.1 data after STARTTLS\r\n");
		session_close(s, "data pipelined after STARTTLS", 1);
		return;
	}
	session_printf(s, "220 2.0.0 Ready to start TLS\r\n");
	if (session_start_tls(s) < 0)
		session_close(s, "cannot start TLS", 0);
}

/* cmd_link - enter link-state mode */
static void
cmd_link(struct session *s, const char *arg)
{
	(void)arg;
	session_printf(s, "250 2.0.0 link-state mode\r\n");
	session_set_state(s, SS_LINK);
	session_arm(s);
	peer_session_up(s->peer, s);
}

/* cmd_noop - NOOP and RSET */
static void
cmd_noop(struct session *s, const char *arg)
{
	(void)arg;
	session_printf(s, "250 2.0.0 OK\r\n");
}

/* cmd_quit - 221 and the end */
static void
cmd_quit(struct session *s, const char *arg)
{
	(void)arg;
	session_printf(s, "221 2.0.0 Bye\r\n");
	session_close(s, "client quit", 0);
}

/* session_command - one command line on the server side (session_cmd.c
 * says what it asks for) */
static void
session_command(struct session *s, const char *line, size_t len)
{
	struct scmd_verdict v;

	scmd_take(s->state, s->pending, &s->cmds, line, len, &v);
	if (v.reply != NULL)
		session_printf(s, "%s", v.reply);
	switch (v.what) {
	case SCMD_EHLO:
		cmd_ehlo(s, v.arg);
		break;
	case SCMD_STARTTLS:
		cmd_starttls(s, v.arg);
		break;
	case SCMD_LINK:
		cmd_link(s, v.arg);
		break;
	case SCMD_NOOP:
		cmd_noop(s, v.arg);
		break;
	case SCMD_QUIT:
		cmd_quit(s, v.arg);
		break;
	case SCMD_REPLY:
		break;
	case SCMD_CLOSE:
		session_close(s, v.why, v.bad);
		break;
	}
}

/* --- the client side ---------------------------------------------- */

/* session_reply - one reply line on the client side */
static void
session_reply(struct session *s, char *line)
{
	int code, last;

	if (strlen(line) < 3 || line[0] < '2' || line[0] > '5' ||
	    (line[3] != '\0' && line[3] != ' ' && line[3] != '-')) {
		session_close(s, "bad reply line", 1);
		return;
	}
	code = atoi(line);
	last = line[3] != '-';
	if (s->state == SS_C_EHLO || s->state == SS_C_EHLO2) {
		const char *kw = line + (line[3] ? 4 : 3);

		if (strcasecmp(kw, "STARTTLS") == 0)
			s->ehlo_ok |= 1;
		if (strcasecmp(kw, L2S_VERB) == 0)
			s->ehlo_ok |= 2;
	}
	if (!last)
		return;
	switch (s->state) {
	case SS_C_BANNER:
		if (code != 220)
			break;
		session_printf(s, "EHLO %s\r\n", s->agent->self);
		session_set_state(s, SS_C_EHLO);
		return;
	case SS_C_EHLO:
		if (code != 250 || s->ehlo_ok != 3)
			break;
		session_printf(s, "STARTTLS\r\n");
		session_set_state(s, SS_C_STARTTLS);
		return;
	case SS_C_STARTTLS:
		if (code != 220)
			break;
		if (evbuffer_get_length(bufferevent_get_input(s->bev)) != 0) {
			session_close(s, "data pipelined after 220", 1);
			return;
		}
		if (session_start_tls(s) < 0)
			session_close(s, "cannot start TLS", 0);
		return;
	case SS_C_EHLO2:
		if (code != 250 || !(s->ehlo_ok & 2))
			break;
		session_printf(s, "%s\r\n", L2S_VERB);
		session_set_state(s, SS_C_LINK);
		return;
	case SS_C_LINK:
		if (code != 250)
			break;
		session_set_state(s, SS_LINK);
		session_arm(s);
		peer_session_up(s->peer, s);
		return;
	default:
		break;
	}
	{
		char why[128];

		snprintf(why, sizeof(why), "peer said \"%.80s\" in state %s",
		    line, session_state_name(s->state));
		session_close(s, why, 0);
	}
}

/* --- both sides --------------------------------------------------- */

/* session_link_line - one line in link-state mode */
static void
session_link_line(struct session *s, const char *line, size_t len)
{
	char err[160];
	const char *msg;
	size_t mlen;

	switch (l2s_asm_line(&s->asm_, line, len, &msg, &mlen, err,
	    sizeof(err))) {
	case L2S_MORE:
	case L2S_NOOP:
		return;
	case L2S_QUIT:
		session_close(s, "peer quit", 0);
		return;
	case L2S_MSG:
		if (peer_message(s->peer, msg, mlen) < 0 &&
		    s->state != SS_CLOSED)
			session_close(s, "bad message", 1);
		return;
	case L2S_ERR:
		log_warnx("session bad input server=%s peer=%s reason=\"%s\"",
		    s->agent->self, s->addr, err);
		session_close(s, err, 1);
		return;
	}
}

/* session_pause - stop reading until the output drained (session_count_cb
 * and session_resume_cb), or end the session when too much waits */
static void
session_pause(struct session *s)
{
	if (session_pending(s) > AGENT_SETUP_OUTPUT_MAX) {
		session_close(s, "replies not read", 1);
		return;
	}
	s->paused = 1;
	bufferevent_disable(s->bev, EV_READ);
}

/* session_resume_cb - the output drained: read again */
static void
session_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session *s = arg;

	(void)fd;
	(void)ev;
	if (!s->paused || s->state == SS_CLOSED)
		return;
	s->paused = 0;
	bufferevent_enable(s->bev, EV_READ);
	session_read_cb(s->bev, s);
}

/* session_read_cb - take every whole line that has arrived */
static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char line[L2S_LINE_MAX + 1];

	while (s->state != SS_CLOSED && s->state != SS_TLS &&
	    s->state != SS_C_TLS) {
		size_t max = s->state == SS_LINK ? L2S_LINE_MAX :
		    AGENT_SMTP_LINE_MAX, eol_len = 0, n;
		struct evbuffer_ptr eol;

		if (s->pending && session_pending(s) > 0) {
			/* one reply at a time before authentication */
			session_pause(s);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eol_len,
		    EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > max)
				session_close(s, "line too long", 1);
			return;
		}
		if ((size_t)eol.pos + 2 > max) {
			session_close(s, "line too long", 1);
			return;
		}
		n = (size_t)eol.pos;
		evbuffer_remove(in, line, n);
		evbuffer_drain(in, eol_len);
		line[n] = '\0';
		if (s->state == SS_LINK) {
			session_arm(s);
			session_link_line(s, line, n);
		} else if (s->inbound)
			session_command(s, line, n);
		else if (memchr(line, '\0', n) != NULL)
			session_close(s, "NUL in reply", 1);
		else
			session_reply(s, line);
	}
}

/* session_event_cb - connected, TLS up, EOF, error */
static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;
	char why[256];

	(void)bev;
	if (s->state == SS_CLOSED) {
		if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
			session_close(s, NULL, 0);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		if (s->state == SS_TLS) {
			session_set_state(s, SS_TLS_GREETED);
			/* EHLO may have come with the last handshake flight */
			session_read_cb(s->bev, s);
		} else if (s->state == SS_C_TLS) {
			if (!tls_peer_is(bufferevent_openssl_get_ssl(s->bev),
			    s->peer->name)) {
				session_close(s, "certificate does not name "
				    "the peer", 1);
				return;
			}
			s->ehlo_ok = 0;
			session_printf(s, "EHLO %s\r\n", s->agent->self);
			session_set_state(s, SS_C_EHLO2);
		}
		return;
	}
	if (s->state == SS_TLS || s->state == SS_C_TLS) {
		session_tls_error(s, why, sizeof(why));
		s->agent->stats.sessions_refused++;
		log_warnx("session refused server=%s peer=%s reason=\"%s\"",
		    s->agent->self, s->addr, why);
		session_close(s, why, 1);
		return;
	}
	if (what & BEV_EVENT_EOF)
		session_close(s, "connection closed by peer", 0);
	else
		session_close(s, "connection error", 0);
}

/* session_known - how many of the topology's servers have sa's address
 * (numeric addresses only: the accept path does not wait for DNS) */
static int
session_known(const struct agent *a, const struct sockaddr *sa)
{
	const struct in6_addr *a6;
	const void *addr;
	unsigned char buf[sizeof(struct in6_addr)];
	size_t alen;
	int af, i, n = 0;

	if (sa->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		af = AF_INET;
		alen = sizeof(struct in_addr);
	} else if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		af = AF_INET6;
		addr = a6;
		alen = sizeof(*a6);
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			af = AF_INET;
			addr = &a6->s6_addr[12];
			alen = sizeof(struct in_addr);
		}
	} else
		return 0;
	for (i = 0; i < a->topo->nservers; i++) {
		const char *txt = a->topo->servers[i].address;

		if (txt != NULL && inet_pton(af, txt, buf) == 1 &&
		    memcmp(buf, addr, alen) == 0)
			n++;
	}
	return n;
}

/* session_setup_full - why a set-up slot is refused to a session from
 * host (known: servers at that address), or NULL */
static const char *
session_setup_full(struct agent *a, const char *host, int known)
{
	struct session *o;
	int same_addr = 0, same_pool = 0;

	TAILQ_FOREACH(o, &a->pending, entry) {
		if (o->known == (known > 0))
			same_pool++;
		if (strcmp(o->host, host) == 0)
			same_addr++;
	}
	if (same_addr >= AGENT_SETUP_PER_ADDRESS * (known > 0 ? known : 1))
		return "too many sessions in set-up from this address";
	if (same_pool >= AGENT_MAX_PENDING)
		return "too many sessions in set-up";
	return NULL;
}

/* session_refuse_accept - count a refused connection; log at most one a
 * second (a flood must not flood the log too) */
static void
session_refuse_accept(struct agent *a, const char *host, const char *serv,
    const char *why)
{
	uint64_t now = agent_clock(a);

	a->stats.sessions_refused++;
	if (a->refused_log_ms != 0 && now >= a->refused_log_ms &&
	    now - a->refused_log_ms < 1000) {
		a->refused_quiet++;
		return;
	}
	log_warnx("session refused server=%s peer=%s:%s reason=\"%s\" "
	    "unlogged=%llu", a->self, host, serv, why,
	    (unsigned long long)a->refused_quiet);
	a->refused_log_ms = now;
	a->refused_quiet = 0;
}

/* session_accept - an inbound connection: greet it, if it gets a set-up
 * slot */
struct session *
session_accept(struct agent *a, evutil_socket_t fd, const struct sockaddr *sa,
    int salen)
{
	char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
	struct session *s;
	const char *why;
	int known;

	getnameinfo(sa, (socklen_t)salen, host, sizeof(host), serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
	known = session_known(a, sa);
	if ((why = session_setup_full(a, host, known)) != NULL) {
		session_refuse_accept(a, host, serv, why);
		evutil_closesocket(fd);
		return NULL;
	}
	if ((s = session_new(a, fd, 1)) == NULL)
		return NULL;
	snprintf(s->addr, sizeof(s->addr), "%s:%s", host, serv);
	snprintf(s->host, sizeof(s->host), "%s", host);
	s->known = known > 0;
	TAILQ_INSERT_TAIL(&a->pending, s, entry);
	a->npending++;
	s->pending = 1;
	s->state = SS_GREETED;
	session_arm(s);
	session_printf(s, "220 %s ESMTP lsa-agent\r\n", a->self);
	return s;
}

/* session_dial - connect s over a close-on-exec socket to ai; -1 on
 * failure (errno) */
static int
session_dial(struct session *s, const struct evutil_addrinfo *ai)
{
	evutil_socket_t fd;

	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bufferevent_setfd(s->raw, fd) < 0) {
		evutil_closesocket(fd);
		return -1;
	}
	bufferevent_enable(s->raw, EV_READ | EV_WRITE);
	return bufferevent_socket_connect(s->raw, ai->ai_addr,
	    (int)ai->ai_addrlen);
}

/* session_resolved_cb - the peer's address: connect, or close the
 * session (the peer retries later) */
static void
session_resolved_cb(void *arg, int rc, struct evutil_addrinfo *res)
{
	struct session *s = arg;
	char why[128];

	s->dns_req = NULL;
	if (rc != 0)
		snprintf(why, sizeof(why), "cannot resolve %s: %s",
		    s->addr, evutil_gai_strerror(rc));
	else if (session_dial(s, res) < 0)
		snprintf(why, sizeof(why), "cannot connect: %s",
		    strerror(errno));
	else
		why[0] = '\0';
	if (res != NULL)
		evutil_freeaddrinfo(res);
	if (why[0] != '\0')
		session_close(s, why, 0);
}

/*
 * session_connect - an outbound session to peer p. A numeric address
 * connects at once; a name is resolved off the event loop (resolve.h: a
 * slow resolver delays this session only), the session waiting in
 * SS_C_BANNER under the handshake timer meanwhile. NULL when it failed
 * at once (logged).
 */
struct session *
session_connect(struct agent *a, struct peer *p)
{
	const struct topo_server *sv = &a->topo->servers[p->server];
	struct session *s;
	char port[16];

	snprintf(port, sizeof(port), "%u", sv->agent_port);
	if ((s = session_new(a, -1, 0)) == NULL)
		return NULL;
	snprintf(s->addr, sizeof(s->addr), "%s:%s", sv->address, port);
	s->state = SS_C_BANNER;
	s->dns_req = resolve_start(a, sv->address, port, 0,
	    session_resolved_cb, s);
	if (s->state == SS_CLOSED)	/* failed at once, logged */
		return NULL;
	s->peer = p;
	session_arm(s);
	return s;
}
