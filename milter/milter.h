/*
 * milter.h - lsa-milter: what its files share.
 *
 * A libmilter filter (smtpd_milters and non_smtpd_milters). libmilter
 * runs every connection in a thread of its own; the only state shared
 * between threads is the snapshot holder (lst.c), behind a mutex, whose
 * loaded snapshots are reference counted: a callback takes a reference,
 * decides on it without the lock, and drops it. Everything else lives in
 * the per-connection struct milter_conn (libmilter's private pointer),
 * which holds the per-message struct milter_msg, reset in one function
 * (milter_msg_reset) from envfrom, eom, abort and close.
 *
 * Files: main.c (start-up, libmilter's socket and loop), lst.c (the
 * snapshot holder and its check thread), cb.c (the callbacks and the
 * smfiDesc table), verdict.c (what the end of message decides: loops, the
 * hop limit, the route checks), trace.c (the X-LSA-Trace header, made and
 * read: pure), class.c (the message class from its headers: pure).
 */
#ifndef LSA_MILTER_H
#define LSA_MILTER_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "route.h"
#include "settings.h"
#include "snapshot.h"
#include "topology.h"

#define MILTER_TRACE_HEADER	"X-LSA-Trace"
#define MILTER_ROUTE_HEADER	"X-LSA-Route"	/* milter_header_checks */
#define MILTER_TRACE_MAX	1024	/* hops kept from a message's trace;
					   hop_limit is at most 1000 */
#define MILTER_DIGEST_HEX	12	/* snapshot digest prefix in a trace */
#define MILTER_ADDR_MAX		64	/* a client address, as text */
#define MILTER_REPLY_MAX	512
#define MILTER_QID_MAX		64	/* a queue id ("i" macro) kept */
#define MILTER_LIST_MAX		1024	/* the trace as one log field */
#define MILTER_RCPT_MAX		10000	/* recipients of a message; more:
					   tempfail at end of message
					   (Postfix's default limit: 1000) */

/* one loaded snapshot, immutable once published; lst.c */
struct milter_lst {
	struct snapshot		*snap;
	struct route_index	*ix;
	struct route_table	*rt;
	int			 self;
	char			 digest[MILTER_DIGEST_HEX + 1];
	unsigned		 refs;	/* holder's own + callbacks' (lock) */
	time_t			 at;	/* rt reads the schedules at */
	time_t			 edge;	/* then it is loaded again */
	ino_t			 ino;	/* identity of the file it came from */
	struct timespec		 mtime;
	off_t			 size;
};

struct milter_holder {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;	/* the check thread's sleep */
	struct milter_lst	*cur;	/* NULL: no snapshot (tempfail) */
	struct milter_lst	 refused; /* identity of a refused file */
	const struct settings	*set;
	const char		*server;
	const char		*path;
	int			 stop;
	pthread_t		 thread;
	int			 running;
};

/* message class, computed per message. route_decide_class() takes one */
enum milter_prio {
	MILTER_PRIO_NORMAL,
	MILTER_PRIO_HIGH,
	MILTER_PRIO_LOW,
};

struct milter_class {
	enum milter_prio	 priority;
	int			 system;	/* null sender, DSN/MDN report */
};

/* one hop read from a trace header (trace.c) */
struct milter_hop {
	char			 group[TOPO_NAME_MAX + 1];
};

struct milter_msg {			/* per message: milter_msg_reset() */
	char			*msg_sender;	/* envelope, without <> */
	char			*msg_qid;	/* "i" macro, or NULL */
	uint64_t		 msg_size;	/* headers and body, bytes */
	char			**msg_rcpts;	/* envelope recipients */
	unsigned		 msg_nrcpt;
	unsigned		 msg_rcpt_cap;
	unsigned		 msg_rcpt_over;	/* past MILTER_RCPT_MAX */
	struct milter_hop	*msg_hops;	/* trace, newest first */
	int			 msg_nhops;
	unsigned		 msg_ntrace;	/* trace headers seen */
	unsigned		 msg_badtrace;	/* unreadable ones */
	struct milter_class	 msg_class;
	int			 msg_report;	/* Content-Type multipart/report */
	char			 msg_route[512]; /* X-LSA-Route value, or "" */
};

struct milter_conn {			/* per connection, smfi_setpriv */
	char			 conn_addr[MILTER_ADDR_MAX]; /* "" local */
	unsigned long		 conn_steps;	/* negotiated SMFIP_* */
	struct milter_msg	 conn_msg;
	struct route_decision	 conn_dec;	/* reused by decisions */
};

extern struct milter_holder milter_holder;	/* the one holder */

/* lst.c */
void milter_lst_init(struct milter_holder *h, const struct settings *set,
    const char *server, const char *path);
int milter_lst_check(struct milter_holder *h);
int milter_lst_start(struct milter_holder *h);
void milter_lst_stop(struct milter_holder *h);
struct milter_lst *milter_lst_get(struct milter_holder *h);
void milter_lst_put(struct milter_holder *h, struct milter_lst *l);

/* cb.c */
struct smfiDesc;
extern struct smfiDesc milter_desc;
void milter_msg_reset(struct milter_msg *m);

/* verdict.c */
enum milter_verdict {
	MILTER_PASS,		/* add the trace, accept */
	MILTER_DEFER,		/* reply 4xx */
	MILTER_REJECT,		/* reply 5xx */
};
enum milter_verdict milter_verdict(const struct milter_lst *l,
    const struct settings *set, struct milter_conn *c, char *reply,
    size_t len);
int milter_inside(const struct milter_lst *l, const char *addr);

/* trace.c */
int milter_trace_format(char *buf, size_t len, const char *group,
    const char *server, uint64_t lst_version, const char *digest,
    time_t t);
int milter_trace_parse(const char *value, size_t len,
    struct milter_hop *hop);

/* class.c */
void milter_class_header(struct milter_class *k, int *report,
    const char *name, const char *value);
const char *milter_class_prio_name(enum milter_prio p);

#endif
