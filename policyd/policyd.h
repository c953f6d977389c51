/*
 * policyd.h - lsa-policyd: what its files share.
 *
 * One process, one libevent loop. Two listeners (socketmap for
 * transport_maps, policy delegation for check_policy_service); each
 * connection is a session with its own bounded buffers and idle timer.
 * Answers come from the current LST snapshot, held in a struct
 * policyd_lst that is replaced whole when a new snapshot loads
 * (sessions never keep pointers into it across events).
 *
 * Files: main.c (start-up, signals), listen.c (listeners, accept,
 * limits), lst.c (snapshot holder and the decision), sockmap.c
 * (socketmap sessions), policy.c (policy sessions).
 */
#ifndef LSA_POLICYD_H
#define LSA_POLICYD_H

#include <stdint.h>
#include <sys/types.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "route.h"
#include "settings.h"
#include "snapshot.h"

struct policyd_lst {			/* one loaded snapshot, immutable */
	struct snapshot		*snap;
	struct route_index	*ix;
	struct route_table	*rt;
	int			 self;
	ino_t			 ino;	/* identity of the file it came from */
	struct timespec		 mtime;
	off_t			 size;
};

struct policyd {
	struct event_base	*base;
	const struct settings	*set;
	const char		*server;	/* this server's name */
	const char		*snapshot_path;
	struct policyd_lst	*lst;		/* NULL: no snapshot yet */
	struct policyd_lst	 refused;	/* identity (ino, mtime, size)
						   of the file refused while
						   lst is NULL: not retried */
	struct event		*check_ev;	/* snapshot check timer */
	struct evconnlistener	*sockmap_l;
	struct evconnlistener	*policy_l;
	struct event		*resume_ev;	/* accept paused on EMFILE */
	uint64_t		 nclients;
	uint64_t		 lookups;
	uint64_t		 (*now_ms)(void); /* injectable clock */
	struct route_decision	 dec;		/* reused by each decision */
};

/* lst.c */
int policyd_lst_check(struct policyd *pd);
void policyd_lst_free(struct policyd_lst *l);
const struct route_decision *policyd_decide(struct policyd *pd,
    const char *recipient, uint64_t size);
unsigned policyd_rotation(uint64_t now_ms, uint64_t interval_ms);

/* listen.c */
struct evconnlistener *policyd_listen(struct policyd *pd, const char *spec,
    evconnlistener_cb cb);
int policyd_client_open(struct policyd *pd);
struct bufferevent *policyd_session_bev(struct policyd *pd,
    evutil_socket_t fd, size_t max_input, const char *what);
void policyd_client_close(struct policyd *pd);

/* sockmap.c, policy.c: accept callbacks */
void sockmap_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);
void policy_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);

#endif
