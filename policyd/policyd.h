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
 * limits), conn.c (a connection's reads, writes, idle timeout and request
 * deadline), lst.c
 * (snapshot holder and the decision), sockmap.c (socketmap sessions),
 * policy.c (policy sessions).
 */
#ifndef LSA_POLICYD_H
#define LSA_POLICYD_H

#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "credentials.h"
#include "route.h"
#include "settings.h"
#include "snapshot.h"

struct policyd_lst {			/* one loaded snapshot, immutable */
	struct snapshot		*snap;
	struct route_index	*ix;
	struct route_table	*rt;
	struct policyd_answer	**cache;	/* transport answers (lst.c) */
	time_t			 at;		/* rt reads the schedules at */
	time_t			 edge;		/* then a new rt (lst.c) */
	int			 self;
	ino_t			 ino;	/* identity of the file it came from */
	struct timespec		 mtime;
	off_t			 size;
};

struct policyd_out {			/* replies of one read, see conn.c */
	char			*buf;
	size_t			 len;
	size_t			 cap;
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
	const struct timeval	*idle;		/* client_idle_timeout, as a
						   libevent common timeout */
	const struct timeval	*req_timeout;	/* request_timeout, the same */
	struct policyd_conn	*unfinished;	/* sessions in a request, the
						   longest in it first */
	struct policyd_conn	*unfinished_last;
	struct policyd_out	 out;		/* replies being made */
	uint64_t		 rot_window;	/* interval of the last lookup */
	unsigned		 rot;		/* its rotation number */
	int			 rot_started;
	struct policyd_rotkeep	*rotkeep;	/* rotation.c: keys' rotations */
	struct credentials	*creds;		/* [policyd] credentials, or
						   NULL: none (sockmap.c) */
};

struct policyd_conn;

struct policyd_proto {			/* one protocol's side of conn.c */
	const char	*name;		/* "socketmap", "policy": log lines */
	size_t		 max_input;	/* a partial request kept, at most */
	size_t		 max_output;	/* replies not read yet, at most */
	/*
	 * input - every whole request of buf: replies appended to pd->out,
	 * *consumed the bytes taken (the rest is kept and given again,
	 * with more, next time). -1 (logged): close the connection.
	 */
	int		(*input)(struct policyd_conn *c, const char *buf,
			    size_t len, size_t *consumed);
	void		(*fini)(struct policyd_conn *c); /* or NULL */
	/*
	 * partial - a request is begun but not whole, kept by the protocol
	 * itself (NULL: only the input evbuffer keeps one)
	 */
	int		(*partial)(const struct policyd_conn *c);
};

struct policyd_conn {			/* first member of each session */
	struct policyd		*pd;
	const struct policyd_proto *proto;
	evutil_socket_t		 fd;
	struct event		*rev;	/* EV_READ|EV_PERSIST, idle timeout */
	struct event		*wev;	/* EV_WRITE while out is not empty */
	struct evbuffer		*in;	/* a partial request, or NULL */
	struct evbuffer		*out;	/* replies the socket did not take */
	struct event		*deadline; /* request_timeout, while in one */
	uint64_t		 started_ms; /* first byte of the request being
					   read (monotonic); 0: between
					   requests */
	struct policyd_conn	*unf_prev, *unf_next; /* pd->unfinished */
	int			 eof;	/* the client sent EOF: flush, close */
};

/* lst.c */
int policyd_lst_check(struct policyd *pd);
void policyd_lst_free(struct policyd_lst *l);
const struct route_decision *policyd_decide(struct policyd *pd,
    const char *sender, const char *recipient, uint64_t size);
int policyd_sends_back(const struct policyd *pd,
    const struct route_decision *d, const char *client_address);
int policyd_transport(struct policyd *pd, const char *recipient,
    enum route_action *action, const char **transport,
    const struct route_decision **d);

/*
 * rotation.c: policyd_rotation() is the rotation number now, moved on
 * (advance) when the interval changed since the last advance; policy
 * decisions read it without advancing it. policyd_rotation_key() is the
 * rotation for a transport lookup of key: the one its first lookup got,
 * when that was less than ROTATION_KEEP_MS ago, else policyd_rotation(pd,
 * 1), kept for the key. policyd_rotation_free() drops the memory.
 */
#define ROTATION_KEEP_MS	10000
unsigned policyd_rotation(struct policyd *pd, int advance);
/* lst.c: FNV-1a of len bytes */
uint64_t policyd_hash(const char *s, size_t len);
unsigned policyd_rotation_key(struct policyd *pd, const char *key,
    size_t len);
void policyd_rotation_free(struct policyd *pd);

/* listen.c */
struct evconnlistener *policyd_listen(struct policyd *pd, const char *spec,
    evconnlistener_cb cb);
int policyd_client_open(struct policyd *pd);
void policyd_client_close(struct policyd *pd);

/* conn.c */
void policyd_conn_new(struct policyd *pd,
    evutil_socket_t fd, const struct policyd_proto *proto, size_t size);
void policyd_conn_close(struct policyd_conn *c);
int policyd_conn_full(const struct policyd_conn *c);
char *policyd_out_reserve(struct policyd *pd, size_t n);
void policyd_out_add(struct policyd *pd, const void *buf, size_t len);

/* sockmap.c, policy.c: accept callbacks */
void sockmap_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);
void policy_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);

#endif
