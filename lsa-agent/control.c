/*
 * control.c - the agent's local control socket (unix, mode 0660), for
 * lsactl and the local readers.
 *
 * One request line (at most CONTROL_LINE_MAX bytes), one JSON reply line,
 * then the agent closes the connection:
 *
 *   status                      server, group, role, peers, digest ...
 *   show-lst                    every record: origin, seq, state, age
 *   set-master GROUP SERVER     {"ok":true|false,"message":TEXT}
 *   reload                      the same shape
 *   connector down|up|auto NAME the same shape: override the link monitor
 *                               for a connector of this server (auto: back
 *                               to the monitor)
 *   watch                       stays open; one line per LST change:
 *                               {"event":"lst","lst_version":N}
 *
 * An unknown request gets {"ok":false,"message":...}. At most
 * CONTROL_MAX_CLIENTS connections at once; more are closed at accept. A
 * client that sends no request, or does not read what it is sent, for
 * control_idle_timeout is closed (a watcher may stay silent: only its
 * writes are timed), so idle clients cannot lock lsactl out for long.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "agent_priv.h"
#include "log.h"
#include "xmalloc.h"

#define CONTROL_LINE_MAX	512
#define CONTROL_MAX_CLIENTS	64

struct control_client {
	struct control	*ctl;
	struct bufferevent *bev;
	int		 watch;
	int		 closing;
	TAILQ_ENTRY(control_client) entry;
};

struct control {
	struct agent	*agent;
	struct evconnlistener *listener;
	char		*path;
	int		 nclients;
	TAILQ_HEAD(, control_client) clients;
};

/* control_client_free - unlink and free one client */
static void
control_client_free(struct control_client *cc)
{
	TAILQ_REMOVE(&cc->ctl->clients, cc, entry);
	cc->ctl->nclients--;
	bufferevent_free(cc->bev);
	free(cc);
}

/* control_write_cb - a reply is out: close unless watching */
static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cc = arg;

	(void)bev;
	if (cc->closing)
		control_client_free(cc);
}

/* control_event_cb - the client left, or timed out */
static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cc = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT)
		log_info("control server=%s client closed reason=\"idle "
		    "timeout\"", cc->ctl->agent->self);
	control_client_free(cc);
}

/* control_timeouts - read and write time out; a watcher's writes only */
static void
control_timeouts(struct control_client *cc)
{
	uint64_t ms = cc->ctl->agent->set->control_idle_timeout;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	bufferevent_set_timeouts(cc->bev, cc->watch ? NULL : &tv, &tv);
}

/* control_reply - one JSON line; the client is closed after it */
static void
control_reply(struct control_client *cc, char *json)
{
	bufferevent_write(cc->bev, json, strlen(json));
	bufferevent_write(cc->bev, "\n", 1);
	free(json);
	cc->closing = !cc->watch;
}

/* control_result - {"ok":...,"message":...} */
static char *
control_result(int ok, const char *msg)
{
	json_t *o = json_pack("{sbss}", "ok", ok, "message", msg);
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return s;
}

/* control_request - one request line */
static void
control_request(struct control_client *cc, char *line)
{
	struct agent *a = cc->ctl->agent;
	char *argv[4], *save = NULL, msg[512];
	int argc = 0, rc;

	for (char *w = strtok_r(line, " \t", &save); w != NULL && argc < 4;
	    w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	if (argc == 1 && strcmp(argv[0], "status") == 0)
		control_reply(cc, agent_status_json(a));
	else if (argc == 1 && strcmp(argv[0], "show-lst") == 0)
		control_reply(cc, agent_lst_json(a));
	else if (argc == 1 && strcmp(argv[0], "watch") == 0) {
		char *ev = xasprintf("{\"event\":\"lst\",\"lst_version\":%ju}\n",
		    (uintmax_t)agent_lst_version(a));

		cc->watch = 1;
		control_timeouts(cc);
		bufferevent_write(cc->bev, ev, strlen(ev));
		free(ev);
	} else if (argc == 3 && strcmp(argv[0], "set-master") == 0) {
		rc = agent_set_master(a, argv[1], argv[2], msg, sizeof(msg));
		log_info("control server=%s set-master %s %s: %s", a->self,
		    argv[1], argv[2], msg);
		control_reply(cc, control_result(rc == 0, msg));
	} else if (argc == 1 && strcmp(argv[0], "reload") == 0) {
		rc = agent_reload(a, msg, sizeof(msg));
		log_info("control server=%s reload: %s", a->self, msg);
		control_reply(cc, control_result(rc >= 0, msg));
	} else if (argc == 3 && strcmp(argv[0], "connector") == 0 &&
	    (strcmp(argv[1], "down") == 0 || strcmp(argv[1], "up") == 0 ||
	    strcmp(argv[1], "auto") == 0)) {
		rc = monitor_override(a, argv[2], argv[1], msg, sizeof(msg));
		log_info("control server=%s %s", a->self, msg);
		control_reply(cc, control_result(rc == 0, msg));
	} else
		control_reply(cc, control_result(0, "unknown request; want "
		    "status, show-lst, watch, set-master GROUP SERVER, "
		    "reload, connector down|up|auto NAME"));
}

/* control_read_cb - a request line (a watcher's input is ignored) */
static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	if (cc->closing || cc->watch) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF)) == NULL) {
		if (evbuffer_get_length(in) > CONTROL_LINE_MAX) {
			evbuffer_drain(in, evbuffer_get_length(in));
			control_reply(cc, control_result(0, "request too "
			    "long"));
		}
		return;
	}
	if (n > CONTROL_LINE_MAX)
		control_reply(cc, control_result(0, "request too long"));
	else
		control_request(cc, line);
	free(line);
}

/* control_accept_cb - a new local client */
static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control *c = arg;
	struct control_client *cc;

	(void)l;
	(void)sa;
	(void)salen;
	if (c->nclients >= CONTROL_MAX_CLIENTS) {
		log_warnx("control server=%s: too many clients",
		    c->agent->self);
		evutil_closesocket(fd);
		return;
	}
	cc = xcalloc(1, sizeof(*cc));
	cc->ctl = c;
	cc->bev = bufferevent_socket_new(c->agent->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(cc->bev, control_read_cb, control_write_cb,
	    control_event_cb, cc);
	control_timeouts(cc);
	bufferevent_enable(cc->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&c->clients, cc, entry);
	c->nclients++;
}

/* control_new - listen on path (a stale socket file is replaced) */
struct control *
control_new(struct agent *a, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct control *c;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control_socket %s: path too long",
		    path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	(void)unlink(path);
	c = xcalloc(1, sizeof(*c));
	c->agent = a;
	c->path = xstrdup(path);
	TAILQ_INIT(&c->clients);
	old = umask(0117);
	c->listener = evconnlistener_new_bind(a->base, control_accept_cb, c,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (c->listener == NULL) {
		snprintf(err, errlen, "control_socket %s: %s", path,
		    strerror(errno));
		free(c->path);
		free(c);
		return NULL;
	}
	(void)chmod(path, 0660);
	return c;
}

/* control_free - close every client and the socket */
void
control_free(struct control *c)
{
	while (!TAILQ_EMPTY(&c->clients))
		control_client_free(TAILQ_FIRST(&c->clients));
	evconnlistener_free(c->listener);
	(void)unlink(c->path);
	free(c->path);
	free(c);
}

/* control_notify - tell every watcher the LST changed */
void
control_notify(struct control *c, uint64_t lst_version)
{
	struct control_client *cc;
	char line[64];

	snprintf(line, sizeof(line), "{\"event\":\"lst\",\"lst_version\":%ju}"
	    "\n", (uintmax_t)lst_version);
	TAILQ_FOREACH(cc, &c->clients, entry)
		if (cc->watch)
			bufferevent_write(cc->bev, line, strlen(line));
}
