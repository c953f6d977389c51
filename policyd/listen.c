/*
 * listen.c - lsa-policyd's listeners: "inet:HOST:PORT" or "unix:/PATH".
 *
 * Limits: at most max_clients sessions (more are closed at once, with a
 * log line); when accept() fails for lack of descriptors (EMFILE,
 * ENFILE), both listeners pause until a session closes or a second has
 * passed, so the loop does not spin on a listening socket it cannot
 * serve (OpenBSD ldpd's accept_pause).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/util.h>

#include "log.h"
#include "policyd.h"

/* policyd_pause - stop accepting for a while */
static void
policyd_pause(struct policyd *pd)
{
	struct timeval tv = { 1, 0 };

	if (pd->sockmap_l != NULL)
		evconnlistener_disable(pd->sockmap_l);
	if (pd->policy_l != NULL)
		evconnlistener_disable(pd->policy_l);
	evtimer_add(pd->resume_ev, &tv);
}

/* policyd_resume - accept again */
static void
policyd_resume(evutil_socket_t fd, short ev, void *arg)
{
	struct policyd *pd = arg;

	(void)fd;
	(void)ev;
	if (pd->sockmap_l != NULL)
		evconnlistener_enable(pd->sockmap_l);
	if (pd->policy_l != NULL)
		evconnlistener_enable(pd->policy_l);
}

/* policyd_accept_error - EMFILE pauses accept; others are logged */
static void
policyd_accept_error(struct evconnlistener *l, void *arg)
{
	struct policyd *pd = arg;
	int err = EVUTIL_SOCKET_ERROR();

	(void)l;
	if (err == EMFILE || err == ENFILE) {
		log_warnx("accept: out of descriptors, pausing accept "
		    "clients=%ju", (uintmax_t)pd->nclients);
		policyd_pause(pd);
		return;
	}
	log_warnx("accept: %s", evutil_socket_error_to_string(err));
}

/* policyd_client_open - count a session in; 0 refuses it */
int
policyd_client_open(struct policyd *pd)
{
	if (pd->nclients >= pd->set->max_clients) {
		log_warnx("refused a client: max_clients=%ju reached",
		    (uintmax_t)pd->set->max_clients);
		return 0;
	}
	pd->nclients++;
	return 1;
}

/* policyd_client_close - count a session out; resume a paused accept */
void
policyd_client_close(struct policyd *pd)
{
	pd->nclients--;
	if (evtimer_pending(pd->resume_ev, NULL)) {
		evtimer_del(pd->resume_ev);
		policyd_resume(-1, 0, pd);
	}
}

/* policyd_listen - bind one listener; NULL (logged) on failure */
struct evconnlistener *
policyd_listen(struct policyd *pd, const char *spec, evconnlistener_cb cb)
{
	struct sockaddr_storage ss;
	struct evconnlistener *l;
	int sslen = sizeof(ss);
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
	    LEV_OPT_REUSEABLE;

	memset(&ss, 0, sizeof(ss));
	if (pd->resume_ev == NULL)
		pd->resume_ev = evtimer_new(pd->base, policyd_resume, pd);
	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
		const char *path = spec + 5;

		if (strlen(path) >= sizeof(sun->sun_path)) {
			log_warnx("listen %s: path too long", spec);
			return NULL;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		sslen = (int)sizeof(*sun);
		if (unlink(path) < 0 && errno != ENOENT) {
			log_warn("listen %s: unlink", spec);
			return NULL;
		}
	} else if (strncmp(spec, "inet:", 5) != 0 ||
	    evutil_parse_sockaddr_port(spec + 5, (struct sockaddr *)&ss,
	    &sslen) < 0) {
		log_warnx("listen %s: want inet:HOST:PORT or unix:/PATH", spec);
		return NULL;
	}
	l = evconnlistener_new_bind(pd->base, cb, pd, flags, 128,
	    (struct sockaddr *)&ss, sslen);
	if (l == NULL) {
		log_warn("listen %s", spec);
		return NULL;
	}
	if (strncmp(spec, "unix:", 5) == 0 && chmod(spec + 5, 0666) < 0)
		log_warn("listen %s: chmod", spec);
	evconnlistener_set_error_cb(l, policyd_accept_error);
	log_info("listening on %s", spec);
	return l;
}
