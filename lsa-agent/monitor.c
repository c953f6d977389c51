/*
 * monitor.c - the link monitor: this server's view of each connector it
 * is a source of.
 *
 * A probe is an SMTP greeting check: connect to the connector's target
 * servers (address, smtp_port), or its smart hosts for an outside
 * connector, in order, until one greets with 220 within probe_timeout
 * (then QUIT). An outside connector that routes by DNS MX is not probed.
 *
 * Probes leave from the address this server's Postfix sends from
 * (smtp_bind_address): probe_source, else this server's address in the
 * topology in force, resolved when the topology or the setting changes.
 * Unbound, the kernel would pick the source, and a cut of Postfix's own
 * path (a firewall rule on its source address) would go unseen. A source
 * that cannot be bound (not an address of this host) fails the probe of
 * that target, logged; one that does not resolve is logged once and the
 * probes go unbound. Numeric addresses never touch DNS; names (targets
 * and the source) are resolved off the event loop (evdns, the agent's
 * resolver), within probe_timeout for a target: a slow name server
 * delays that probe only.
 *
 * Per link, as seed 002 tells it:
 *   up        probed every probe_interval
 *   retrying  after a failed probe: retried every glitch_retry_interval,
 *             glitch_retries times; the link is avoided for this server's
 *             own decisions at once (local overlay on the snapshot) but
 *             nothing is propagated: retrying is local (seed 001)
 *   down      after the last glitch-retry failed: the (connector, this
 *             server) down record is originated; probed every
 *             down_retry_interval even with no mail waiting; a success
 *             marks it up and the up record floods
 *
 * Flap damping (in the spirit of IP event dampening): each up/down change
 * adds 1000 to a penalty that halves every damping_half_life; above
 * damping_suppress the link is held down (advertised down whatever the
 * probes say) until the penalty decays below damping_reuse. The penalty
 * is capped at damping_reuse * 2^(damping_max_suppress / half_life), so a
 * link that became stable is used again within damping_max_suppress.
 *
 * The agent adjacency with a target server is a second signal: when it
 * is lost while the link is up, or becomes full while the link is down,
 * the link is probed at once instead of at its next probe time (the
 * probe decides; an agent that is down does not stop its Postfix).
 *
 * `lsactl connector down|up NAME` overrides the monitor (maintenance);
 * `auto` gives the link back to it. With suppress_state_changes nothing is
 * originated and nothing is overlaid: least cost only.
 */
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "agent_priv.h"
#include "log.h"
#include "resolve.h"
#include "xmalloc.h"

#define MONITOR_PENALTY		1000.0

static const char *monitor_states[] = { "up", "retrying", "down" };
static const char *monitor_overrides[] = { "auto", "up", "down" };

static void monitor_probe(struct mon_link *l);

/* monitor_state_name - for logs and status */
const char *
monitor_state_name(enum mon_state st)
{
	return (unsigned)st <= MON_DOWN ? monitor_states[st] : "?";
}

/* monitor_decay - the penalty now */
static double
monitor_decay(struct mon_link *l, uint64_t now)
{
	double hl = (double)l->a->set->damping_half_life;

	if (l->penalty > 0 && now > l->penalty_ms)
		l->penalty *= exp2(-(double)(now - l->penalty_ms) / hl);
	l->penalty_ms = now;
	return l->penalty;
}

/* monitor_local_down - avoided by this server's own decisions */
int
monitor_local_down(const struct mon_link *l)
{
	if (l->override != MON_AUTO)	/* the admin's word, here too */
		return l->override == MON_FORCE_DOWN;
	return l->advertised == 1 || l->state == MON_RETRYING;
}

/* monitor_want - what should be advertised: 1 down, 0 up */
static int
monitor_want(const struct mon_link *l)
{
	if (l->override != MON_AUTO)
		return l->override == MON_FORCE_DOWN;
	return l->suppressed || l->state == MON_DOWN;
}

/* monitor_publish - originate when the advertised state changes; refresh
 * the local overlay */
static void
monitor_publish(struct mon_link *l, int overlay_changed)
{
	struct agent *a = l->a;
	int want = monitor_want(l);
	char err[256];

	if (want != l->advertised) {
		l->advertised = want;
		l->changes++;
		log_info("link server=%s connector=%s advertised=%s state=%s "
		    "penalty=%.0f suppressed=%d override=%s", a->self, l->name,
		    want ? "down" : "up", monitor_state_name(l->state),
		    l->penalty, l->suppressed, monitor_overrides[l->override]);
		if (!a->set->suppress_state_changes &&
		    agent_set_connector(a, l->name, want, err, sizeof(err)) < 0)
			log_warnx("link server=%s: %s", a->self, err);
		else if (a->set->suppress_state_changes)
			agent_changed(a);
		return;
	}
	if (overlay_changed)
		agent_changed(a);
}

/* monitor_reuse_cb - is a held link's penalty below reuse yet? */
void
monitor_reuse_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct mon_link *l = arg;
	const struct settings *s = l->a->set;
	double p = monitor_decay(l, agent_clock(l->a));

	(void)fd;
	(void)ev;
	if (!l->suppressed)
		return;
	if (p < (double)s->damping_reuse) {
		l->suppressed = 0;
		log_info("link server=%s connector=%s reused penalty=%.0f",
		    l->a->self, l->name, p);
		monitor_publish(l, 1);
		return;
	}
	agent_after(l->reuse_ev, monitor_reuse_in(l));
}

/* monitor_reuse_in - ms until a held link is used again (0: not held) */
uint64_t
monitor_reuse_in(struct mon_link *l)
{
	const struct settings *s = l->a->set;
	double p = monitor_decay(l, agent_clock(l->a));

	if (!l->suppressed || p < (double)s->damping_reuse)
		return 0;
	return (uint64_t)((double)s->damping_half_life *
	    log2(p / (double)s->damping_reuse)) + 1;
}

/* monitor_flap - a real up/down change: penalty, maybe hold it down */
static void
monitor_flap(struct mon_link *l)
{
	const struct settings *s = l->a->set;
	double ceiling = (double)s->damping_reuse *
	    exp2((double)s->damping_max_suppress /
	    (double)s->damping_half_life);
	double p = monitor_decay(l, agent_clock(l->a)) + MONITOR_PENALTY;

	l->penalty = p > ceiling ? ceiling : p;
	if (!l->suppressed && l->penalty > (double)s->damping_suppress) {
		l->suppressed = 1;
		log_info("link server=%s connector=%s suppressed penalty=%.0f",
		    l->a->self, l->name, l->penalty);
	}
	if (l->suppressed)
		monitor_reuse_cb(-1, 0, l);
}

/* monitor_probe_done - the outcome of one probe (all targets) */
void
monitor_probe_done(struct mon_link *l, int ok)
{
	const struct settings *s = l->a->set;
	int before = monitor_local_down(l);

	l->probes++;
	if (ok) {
		if (l->state == MON_DOWN)
			monitor_flap(l);
		if (l->state != MON_UP)
			log_info("link server=%s connector=%s %s->up probes=%ju",
			    l->a->self, l->name, monitor_state_name(l->state),
			    (uintmax_t)l->probes);
		l->state = MON_UP;
		l->tries = 0;
		agent_after(l->timer, s->probe_interval);
	} else {
		l->fails++;
		switch (l->state) {
		case MON_UP:
			l->state = MON_RETRYING;
			l->tries = 0;
			log_info("link server=%s connector=%s up->retrying",
			    l->a->self, l->name);
			break;
		case MON_RETRYING:
			l->tries++;
			break;
		case MON_DOWN:
			break;
		}
		if (l->state == MON_RETRYING &&
		    (uint64_t)l->tries >= s->glitch_retries) {
			log_info("link server=%s connector=%s retrying->down "
			    "tries=%d", l->a->self, l->name, l->tries);
			l->state = MON_DOWN;
			monitor_flap(l);
		}
		agent_after(l->timer, l->state == MON_DOWN ?
		    s->down_retry_interval : s->glitch_retry_interval);
	}
	monitor_publish(l, before != monitor_local_down(l));
}

/* monitor_probe_end - stop the probe in flight */
static void
monitor_probe_end(struct mon_link *l)
{
	resolve_cancel(l->dns_req);
	l->dns_req = NULL;
	if (l->bev != NULL) {
		bufferevent_free(l->bev);
		l->bev = NULL;
	}
	evtimer_del(l->probe_to);
}

/* monitor_target - target i: host and port; -1 when no more */
static int
monitor_target(const struct mon_link *l, int i, const char **host,
    unsigned *port)
{
	const struct topology *t = l->a->topo;
	const struct topo_connector *c = &t->connectors[l->conn];

	if (c->to >= 0) {
		if (i >= c->targets.n)
			return -1;
		*host = t->servers[c->targets.v[i]].address;
		*port = t->servers[c->targets.v[i]].smtp_port;
		return 0;
	}
	if (i >= c->nsmart)
		return -1;
	*host = c->smart_hosts[i].host;
	*port = c->smart_hosts[i].port;
	return 0;
}

static void monitor_probe_next(struct mon_link *l);

/* monitor_source_cb - the probes' source resolved (or not) */
static void
monitor_source_cb(void *arg, int rc, struct evutil_addrinfo *res)
{
	struct agent *a = arg;

	a->probe_src_req = NULL;
	if (rc != 0) {
		log_warnx("link server=%s source=%s: cannot resolve (%s), "
		    "probes are not bound", a->self, a->probe_src_text,
		    evutil_gai_strerror(rc));
		return;
	}
	if (res->ai_addrlen <= sizeof(a->probe_src)) {
		memcpy(&a->probe_src, res->ai_addr, res->ai_addrlen);
		a->probe_srclen = res->ai_addrlen;
	}
	evutil_freeaddrinfo(res);
	log_debug("link server=%s source=%s", a->self, a->probe_src_text);
}

/* monitor_source_stop - forget the source (and stop resolving it) */
static void
monitor_source_stop(struct agent *a)
{
	resolve_cancel(a->probe_src_req);
	a->probe_src_req = NULL;
	free(a->probe_src_text);
	a->probe_src_text = NULL;
	a->probe_srclen = 0;
}

/*
 * monitor_source - resolve the probes' source (probe_source, else this
 * server's topology address) when it is not the one in force; a source
 * that does not resolve is logged once, and probes go unbound
 */
static void
monitor_source(struct agent *a)
{
	const char *text = a->set->probe_source;

	if ((text == NULL || *text == '\0') && a->self_idx >= 0)
		text = a->topo->servers[a->self_idx].address;
	if (text == NULL)
		text = "";
	if (a->probe_src_text != NULL && strcmp(a->probe_src_text, text) == 0)
		return;
	monitor_source_stop(a);
	a->probe_src_text = xstrdup(text);
	if (*text == '\0')
		return;
	a->probe_src_req = resolve_start(a, text, "0", RESOLVE_PASSIVE,
	    monitor_source_cb, a);
}

/* monitor_socket - a non-blocking, close-on-exec socket for ai, bound to
 * the probes' source if there is one; -1 (logged) if not possible */
static evutil_socket_t
monitor_socket(struct mon_link *l, const struct addrinfo *ai,
    const char *host)
{
	struct agent *a = l->a;
	evutil_socket_t fd;

	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) <
	    0) {
		log_warn("link server=%s connector=%s target=%s: socket",
		    a->self, l->name, host);
		return -1;
	}
	if (evutil_make_socket_nonblocking(fd) < 0 ||
	    evutil_make_socket_closeonexec(fd) < 0) {
		log_warn("link server=%s connector=%s target=%s: fcntl",
		    a->self, l->name, host);
		evutil_closesocket(fd);
		return -1;
	}
	if (a->probe_srclen == 0)
		return fd;
#ifdef IP_BIND_ADDRESS_NO_PORT
	{
		/* the port is picked at connect, per destination: probes do
		 * not use up ephemeral ports for every (source, port) */
		int one = 1;

		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
		    &one, sizeof(one));
	}
#endif
	if (bind(fd, (struct sockaddr *)&a->probe_src, a->probe_srclen) < 0) {
		log_warn("link server=%s connector=%s target=%s source=%s: "
		    "bind", a->self, l->name, host, a->probe_src_text);
		evutil_closesocket(fd);
		return -1;
	}
	return fd;
}

/* monitor_read_cb - the greeting: 220 is success */
static void
monitor_read_cb(struct bufferevent *bev, void *arg)
{
	struct mon_link *l = arg;
	char *line = evbuffer_readln(bufferevent_get_input(bev), NULL,
	    EVBUFFER_EOL_CRLF);

	if (line == NULL) {
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 512) {
			monitor_probe_end(l);
			monitor_probe_next(l);
		}
		return;
	}
	if (line[0] == '2' && line[1] == '2' && line[2] == '0' &&
	    (line[3] == ' ' || line[3] == '\0')) {
		free(line);
		/* straight to the socket: freeing the bufferevent next would
		 * drop queued output, and the target would wait for it */
		(void)send(bufferevent_getfd(bev), "QUIT\r\n", 6,
		    MSG_NOSIGNAL);
		monitor_probe_end(l);
		monitor_probe_done(l, 1);
		return;
	}
	if (line[0] == '2' && line[1] == '2' && line[2] == '0' &&
	    line[3] == '-') {
		free(line);		/* a multi-line greeting goes on */
		monitor_read_cb(bev, arg);
		return;
	}
	log_debug("link server=%s connector=%s target=%d said \"%.60s\"",
	    l->a->self, l->name, l->target, line);
	free(line);
	monitor_probe_end(l);
	monitor_probe_next(l);
}

/* monitor_event_cb - refused, reset, closed: the next target */
static void
monitor_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct mon_link *l = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	monitor_probe_end(l);
	monitor_probe_next(l);
}

/* monitor_timeout_cb - no greeting within probe_timeout */
static void
monitor_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct mon_link *l = arg;

	(void)fd;
	(void)ev;
	monitor_probe_end(l);
	monitor_probe_next(l);
}

/* monitor_dial - connect the probe to target host at ai; -1: failed */
static int
monitor_dial(struct mon_link *l, const struct evutil_addrinfo *ai,
    const char *host)
{
	evutil_socket_t fd;

	/* a bind failure fails this target, as a refusal would */
	if ((fd = monitor_socket(l, ai, host)) < 0)
		return -1;
	if ((l->bev = bufferevent_socket_new(l->a->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		return -1;
	}
	bufferevent_setcb(l->bev, monitor_read_cb, NULL, monitor_event_cb, l);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(l->bev, ai->ai_addr,
	    (int)ai->ai_addrlen) < 0) {
		monitor_probe_end(l);
		return -1;
	}
	agent_after(l->probe_to, l->a->set->probe_timeout);
	return 0;
}

/* monitor_resolved_cb - the target's address: connect, or the next
 * target */
static void
monitor_resolved_cb(void *arg, int rc, struct evutil_addrinfo *res)
{
	struct mon_link *l = arg;
	const char *host;
	unsigned port;
	int ok;

	l->dns_req = NULL;
	evtimer_del(l->probe_to);
	ok = rc == 0 && monitor_target(l, l->target, &host, &port) == 0 &&
	    monitor_dial(l, res, host) == 0;
	if (rc != 0)
		log_debug("link server=%s connector=%s target=%d: %s",
		    l->a->self, l->name, l->target, evutil_gai_strerror(rc));
	else
		evutil_freeaddrinfo(res);
	if (!ok && !l->resolving)
		monitor_probe_next(l);
}

/* monitor_probe_next - try the next target, or conclude; a target's name
 * is resolved within probe_timeout */
static void
monitor_probe_next(struct mon_link *l)
{
	const char *host;
	unsigned port;
	char serv[16];

	for (;;) {
		l->target++;
		if (monitor_target(l, l->target, &host, &port) < 0) {
			monitor_probe_done(l, 0);
			return;
		}
		snprintf(serv, sizeof(serv), "%u", port);
		agent_after(l->probe_to, l->a->set->probe_timeout);
		/* an answer at once comes back here: the loop goes on
		 * rather than recursing */
		l->resolving = 1;
		l->dns_req = resolve_start(l->a, host, serv, 0,
		    monitor_resolved_cb, l);
		l->resolving = 0;
		if (l->dns_req != NULL || l->bev != NULL)
			return;		/* resolving, or connecting */
	}
}

/* monitor_probe - start a probe from the first target */
static void
monitor_probe(struct mon_link *l)
{
	if (l->bev != NULL || l->dns_req != NULL)
		return;
	l->target = -1;
	monitor_probe_next(l);
}

/* monitor_peer - the adjacency with server sv became full or was lost */
void
monitor_peer(struct agent *a, int sv, int full)
{
	struct mon_link *l;

	TAILQ_FOREACH(l, &a->links, entry) {
		if (l->bev != NULL || l->dns_req != NULL || l->conn < 0 ||
		    !topo_list_has(&a->topo->connectors[l->conn].targets, sv) ||
		    l->state != (full ? MON_DOWN : MON_UP))
			continue;
		log_debug("link server=%s connector=%s probe now: adjacency "
		    "%s", a->self, l->name, full ? "full" : "lost");
		evtimer_del(l->timer);
		monitor_probe(l);
	}
}

/* monitor_timer_cb - time for the next probe */
static void
monitor_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	monitor_probe(arg);
}

/* monitor_link_free - stop and free one link */
static void
monitor_link_free(struct agent *a, struct mon_link *l)
{
	TAILQ_REMOVE(&a->links, l, entry);
	monitor_probe_end(l);
	event_free(l->timer);
	event_free(l->reuse_ev);
	event_free(l->probe_to);
	free(l);
}

/* monitor_free_all - every link (agent shutdown) */
void
monitor_free_all(struct agent *a)
{
	while (!TAILQ_EMPTY(&a->links))
		monitor_link_free(a, TAILQ_FIRST(&a->links));
	monitor_source_stop(a);
}

/* monitor_find - the link of connector name, or NULL */
struct mon_link *
monitor_find(struct agent *a, const char *name)
{
	struct mon_link *l;

	TAILQ_FOREACH(l, &a->links, entry)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

/*
 * monitor_sync - one link per enabled connector this server is a source
 * of, under the topology in force; a new link starts from our own record
 * in the LST (after a restart) and is probed at once. The probes' source
 * follows the topology too.
 */
void
monitor_sync(struct agent *a)
{
	const struct topology *t = a->topo;
	struct mon_link *l, *next;

	if (a->conf.no_monitor)
		return;
	monitor_source(a);
	for (l = TAILQ_FIRST(&a->links); l != NULL; l = next) {
		next = TAILQ_NEXT(l, entry);
		l->conn = topo_find_connector(t, l->name);
		if (l->conn < 0 || a->self_idx < 0 ||
		    !t->connectors[l->conn].enabled ||
		    !topo_list_has(&t->connectors[l->conn].sources,
		    a->self_idx))
			monitor_link_free(a, l);
	}
	for (int c = 0; a->self_idx >= 0 && c < t->nconnectors; c++) {
		const struct topo_connector *cn = &t->connectors[c];
		char key[LSREC_KEY_MAX];
		const struct lsrec *own;

		if (!cn->enabled || !topo_list_has(&cn->sources, a->self_idx) ||
		    monitor_find(a, cn->name) != NULL ||
		    (cn->to < 0 && cn->nsmart == 0))
			continue;
		l = xcalloc(1, sizeof(*l));
		l->a = a;
		l->conn = c;
		snprintf(l->name, sizeof(l->name), "%s", cn->name);
		snprintf(key, sizeof(key), "connector:%s:%s", cn->name,
		    a->self);
		own = lsdb_get(a->db, key);
		l->advertised = own != NULL && own->down;
		l->state = l->advertised ? MON_DOWN : MON_UP;
		l->timer = evtimer_new(a->base, monitor_timer_cb, l);
		l->reuse_ev = evtimer_new(a->base, monitor_reuse_cb, l);
		l->probe_to = evtimer_new(a->base, monitor_timeout_cb, l);
		TAILQ_INSERT_TAIL(&a->links, l, entry);
		agent_after(l->timer, 0);
	}
}

/* monitor_lst_down - the LST already has link l down */
static int
monitor_lst_down(const struct agent *a, const struct linkstate *ls,
    const struct mon_link *l)
{
	const struct topo_connector *c = &a->topo->connectors[l->conn];

	for (int i = 0; i < c->sources.n; i++)
		if (c->sources.v[i] == a->self_idx)
			return ls->source_down[l->conn][i] == LINKSTATE_DOWN;
	return 0;
}

/* monitor_overlay - this server's local view over the LST's: a link
 * down here only is LINKSTATE_LOCAL (routing keeps it to this server) */
void
monitor_overlay(struct agent *a, struct linkstate *ls)
{
	struct mon_link *l;

	if (a->set->suppress_state_changes)
		return;
	TAILQ_FOREACH(l, &a->links, entry)
		if (monitor_local_down(l) && !monitor_lst_down(a, ls, l))
			(void)linkstate_set_connector(ls, a->topo, l->conn,
			    a->self_idx, LINKSTATE_LOCAL);
}

/* monitor_override - down, up or auto for connector name */
int
monitor_override(struct agent *a, const char *name, const char *mode,
    char *err, size_t errlen)
{
	struct mon_link *l = monitor_find(a, name);
	int before;

	if (l == NULL) {
		snprintf(err, errlen, "%s is not a monitored connector with "
		    "this server (%s) as a source", name, a->self);
		return -1;
	}
	before = monitor_local_down(l);
	if (strcmp(mode, "down") == 0)
		l->override = MON_FORCE_DOWN;
	else if (strcmp(mode, "up") == 0)
		l->override = MON_FORCE_UP;
	else
		l->override = MON_AUTO;
	monitor_publish(l, before != monitor_local_down(l));
	snprintf(err, errlen, "connector %s source %s: %s (state %s, "
	    "advertised %s)", name, a->self, mode, monitor_state_name(l->state),
	    l->advertised ? "down" : "up");
	return 0;
}

/* monitor_override_name - for status */
const char *
monitor_override_name(enum mon_override o)
{
	return (unsigned)o <= MON_FORCE_DOWN ? monitor_overrides[o] : "?";
}
