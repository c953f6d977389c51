/*
 * agent_priv.h - what the files of the agent core share: the agent, its
 * peers (adjacencies) and their sessions. Not for other programs.
 *
 * Files are roles: agent.c (the instance, the LST, origination,
 * persistence, publishing), peer.c (adjacencies: who, connect, backoff,
 * database exchange, flooding), session.c (one TCP connection: the ESMTP
 * phase, STARTTLS, link-state mode), tls.c (contexts and peer checks),
 * control.c (the local control socket), liveness.c (member liveness and
 * master failover), monitor.c (the link monitor).
 */
#ifndef LSA_AGENT_PRIV_H
#define LSA_AGENT_PRIV_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "agent.h"
#include "l2s.h"
#include "linkstate.h"
#include "lsdb.h"
#include "reroute.h"
#include "sig.h"
#include "topology.h"

#define AGENT_SMTP_LINE_MAX	512	/* before link-state mode */
#define AGENT_MAX_PENDING	64	/* sessions not yet authenticated, of
					   strangers; as many again of the
					   topology's servers' addresses */
#define AGENT_SETUP_PER_ADDRESS	4	/* of those, from one address (times
					   the servers at a server's address) */
#define AGENT_SETUP_COMMANDS	10	/* taken before authentication */
#define AGENT_SETUP_OUTPUT_MAX	4096	/* unread replies before it, at most */
#define AGENT_BAD_COMMANDS	3	/* then the session ends */
#define AGENT_HANDSHAKE_MS	10000	/* ESMTP + TLS phase, at most */
#define AGENT_SYNC_SLACK	1000	/* records beyond the peer's count */
#define AGENT_EPOCH_MAX		0x7fffffffU /* an epoch never passes it */

enum peer_state {
	PEER_DOWN,		/* no session */
	PEER_CONNECTING,	/* ESMTP and TLS under way */
	PEER_EXCHANGE,		/* link-state mode, database exchange */
	PEER_FULL,		/* in sync; floods only */
};

struct session;

struct peer {
	struct agent	*agent;
	char		 name[TOPO_NAME_MAX + 1];
	int		 server;	/* index in the topology in force */
	int		 initiator;	/* this side connects */
	enum peer_state	 state;
	struct session	*s;		/* NULL when down */
	struct event	*retry_ev;
	struct event	*alive_ev;	/* keepalive while in link mode */
	uint64_t	 backoff_ms;
	uint64_t	 since_ms;	/* state entered */
	uint64_t	 lost_ms;	/* left full (or was added) */
	uint64_t	 topology;	/* its topology version (hello) */
	uint64_t	 sessions;	/* sessions that reached link mode */
	/* database exchange */
	int		 sent_done;
	int		 got_done;
	int		 got_hello;
	int		 got_summary;
	uint64_t	 sync_budget;	/* records allowed before "done" */
	char		 sent_digest[65]; /* in our hello */
	TAILQ_ENTRY(peer) entry;
};
TAILQ_HEAD(peer_list, peer);

enum session_state {
	/* inbound (server side) */
	SS_GREETED,		/* 220 sent, want EHLO */
	SS_EHLO,		/* want STARTTLS */
	SS_TLS,			/* handshake */
	SS_TLS_GREETED,		/* want EHLO again */
	SS_READY,		/* want X-LINK2STATE */
	/* outbound (client side) */
	SS_C_BANNER,		/* want 220 */
	SS_C_EHLO,		/* want 250 to EHLO */
	SS_C_STARTTLS,		/* want 220 to STARTTLS */
	SS_C_TLS,		/* handshake */
	SS_C_EHLO2,		/* want 250 to EHLO after TLS */
	SS_C_LINK,		/* want 250 to X-LINK2STATE */
	/* both */
	SS_LINK,		/* link-state mode */
	SS_CLOSED,
};

/* session_cmd.c: what one command line asks for (server side) */
enum scmd_do {
	SCMD_EHLO,		/* EHLO, HELO: before TLS the offer, after who */
	SCMD_STARTTLS,
	SCMD_LINK,		/* X-LINK2STATE */
	SCMD_NOOP,		/* NOOP, RSET */
	SCMD_QUIT,
	SCMD_REPLY,		/* not taken: send reply, go on */
	SCMD_CLOSE,		/* send reply (if any), end the session: why */
};

struct scmd_count {
	int		 setup;		/* commands before authentication */
	int		 bad;		/* commands not taken */
};

struct scmd_verdict {
	enum scmd_do	 what;
	const char	*arg;		/* after the verb, in the line */
	const char	*reply;		/* a whole reply with CRLF, or NULL */
	const char	*why;		/* SCMD_CLOSE: the reason logged */
	int		 bad;		/* SCMD_CLOSE: counts as bad input */
};

struct session {
	struct agent	*agent;
	struct peer	*peer;		/* NULL until authenticated */
	int		 inbound;
	int		 pending;	/* on the agent's pending list */
	int		 known;		/* from a topology server's address */
	int		 paused;	/* reading waits for the output */
	enum session_state state;
	char		 addr[64];	/* the other end, for logs */
	char		 host[64];	/* its address alone (inbound) */
	char		 claimed[TOPO_NAME_MAX + 1]; /* its EHLO name */
	struct bufferevent *raw;	/* the socket */
	struct bufferevent *bev;	/* raw, or the TLS filter over it */
	struct evbuffer_cb_entry *count_cb; /* bytes_out */
	struct event	*idle_ev;
	struct event	*free_ev;	/* the final step, from the loop */
	struct event	*resume_ev;	/* read again: the output drained */
	int		 freeing;
	struct l2s_asm	 asm_;
	struct scmd_count cmds;
	int		 ehlo_ok;	/* client: STARTTLS, X-LINK2STATE seen */
	uint64_t	 bytes_out;
	uint64_t	 recs_in;
	struct resolve	*dns_req;	/* resolving the peer */
	TAILQ_ENTRY(session) entry;
};
TAILQ_HEAD(session_list, session);

enum mon_state {
	MON_UP,
	MON_RETRYING,		/* glitch-retry: local avoidance only */
	MON_DOWN,
};

enum mon_override {
	MON_AUTO,
	MON_FORCE_UP,
	MON_FORCE_DOWN,
};

struct mon_link {			/* monitor.c */
	struct agent	*a;
	char		 name[TOPO_NAME_MAX + 1];
	int		 conn;		/* in the topology in force */
	enum mon_state	 state;
	int		 tries;		/* glitch-retries failed */
	enum mon_override override;
	int		 advertised;	/* 1 down, 0 up */
	int		 suppressed;	/* damping holds it down */
	double		 penalty;
	uint64_t	 penalty_ms;	/* when penalty was last decayed */
	uint64_t	 probes;
	uint64_t	 fails;
	uint64_t	 changes;	/* advertised changes */
	struct event	*timer;		/* next probe */
	struct event	*reuse_ev;
	struct event	*probe_to;
	struct bufferevent *bev;	/* probe in flight */
	struct resolve	*dns_req;	/* target being resolved */
	int		 resolving;	/* in resolve_start() */
	int		 target;
	TAILQ_ENTRY(mon_link) entry;
};
TAILQ_HEAD(mon_list, mon_link);

struct agent {
	struct event_base *base;
	struct evdns_base *dns;		/* peer names, off the loop */
	struct agent_conf conf;
	const struct settings *set;
	char		 self[TOPO_NAME_MAX + 1];
	int		 self_idx;	/* in the topology in force */
	char		*topo_path;
	/* the topology in force and its text */
	struct topology	*topo;
	char		*topo_text;
	struct linkstate *ls;
	struct lsdb	*db;
	uint64_t	 lst_version;
	uint32_t	 epoch;
	uint32_t	 counter;
	char		*lst_path;
	char		*epoch_path;
	char		*snapshot_path;
	SSL_CTX		*ssl_server;
	SSL_CTX		*ssl_client;
	struct sig	*sig;		/* sig.h: records signed, verified */
	struct evconnlistener *listener;
	struct peer_list peers;
	struct mon_list	 links;		/* monitor.c */
	char		*probe_src_text; /* monitor.c: the source in force */
	struct sockaddr_storage probe_src; /* resolved; probe_srclen 0: none */
	socklen_t	 probe_srclen;
	struct resolve	*probe_src_req;	/* its name being resolved */
	struct session_list pending;	/* inbound, not yet bound */
	struct session_list closing;	/* closed, output draining */
	int		 stopping;	/* agent_free: no draining */
	int		 npending;
	uint64_t	 refused_log_ms; /* session.c: last set-up refusal */
	uint64_t	 refused_quiet;	/* refusals not logged since */
	struct event	*publish_ev;
	struct event	*resync_ev;	/* adjacencies follow the topology */
	struct event	*resume_ev;	/* accept again after EMFILE */
	struct event	*poll_ev;	/* config_poll_interval */
	struct event	*live_ev;	/* liveness.c: next check */
	struct reroute	*reroute;	/* reroute.c; NULL: off */
	struct control	*control;
	struct agent_stats stats;
	int		 started;
	/* agent.c: the state directory's lock; writes that failed */
	int		 lock_fd;	/* STATE_DIR/lock, -1: not held */
	struct event	*write_ev;	/* retries the state writes */
	struct event	*lst_ev;	/* lst.json, soon after changes */
	uint64_t	 write_backoff_ms; /* next retry after */
	uint64_t	 write_failing_ms; /* agent_wall_ms; 0: writes succeed */
	int		 transports_missing; /* mastercheck_run() of the
					   topology in force; -1: unreadable */
	char		 write_error[256]; /* the last failure */
	struct schedtimer *schedtimer;	/* schedtimer.c */
};

/* agent.c */
uint64_t agent_now_ms(void);
uint64_t agent_wall_ms(void);
uint64_t agent_clock(const struct agent *a);
void agent_after(struct event *ev, uint64_t ms);
void agent_receive(struct agent *a, struct peer *from, struct lsrec *r,
    int *close_session);
void agent_changed(struct agent *a);
void agent_epoch_past(struct agent *a, uint64_t seq);
void agent_take_over(struct agent *a);
void agent_set_server(struct agent *a, const char *name, int down);
void agent_log_rec(const struct agent *a, const char *what,
    const struct lsrec *r, const char *peer);

/* peer.c */
void peer_sync_all(struct agent *a);
void peer_free_all(struct agent *a);
struct peer *peer_find(struct agent *a, const char *name);
void peer_session_up(struct peer *p, struct session *s);
void peer_session_down(struct peer *p, const char *why);
int peer_message(struct peer *p, const char *msg, size_t len);
void peer_flood(struct agent *a, const struct lsrec *r, struct peer *except);
const char *peer_state_name(enum peer_state st);

/* session.c */
struct session *session_accept(struct agent *a, evutil_socket_t fd,
    const struct sockaddr *sa, int salen);
struct session *session_connect(struct agent *a, struct peer *p);
void session_close(struct session *s, const char *why, int bad);
void session_send(struct session *s, const char *msg, size_t len);
void session_free_closing(struct agent *a);
const char *session_state_name(enum session_state st);

/* session_cmd.c */
void scmd_take(enum session_state st, int setup, struct scmd_count *c,
    const char *line, size_t len, struct scmd_verdict *v);

/* monitor.c */
void monitor_sync(struct agent *a);
void monitor_free_all(struct agent *a);
void monitor_overlay(struct agent *a, struct linkstate *ls);
struct mon_link *monitor_find(struct agent *a, const char *name);
int monitor_local_down(const struct mon_link *l);
int monitor_override(struct agent *a, const char *name, const char *mode,
    char *err, size_t errlen);
const char *monitor_state_name(enum mon_state st);
const char *monitor_override_name(enum mon_override o);
void monitor_probe_done(struct mon_link *l, int ok);
uint64_t monitor_reuse_in(struct mon_link *l);
void monitor_reuse_cb(evutil_socket_t fd, short ev, void *arg);
void monitor_peer(struct agent *a, int sv, int full);

/* liveness.c */
void liveness_start(struct agent *a);
void liveness_free(struct agent *a);
void liveness_kick(struct agent *a);
void liveness_peer(struct peer *p, enum peer_state old);

/* tls.c */
int tls_init(struct agent *a, char *err, size_t errlen);
void tls_free(struct agent *a);
int tls_peer_is(SSL *ssl, const char *name);

/* control.c */
struct control *control_new(struct agent *a, const char *path, char *err,
    size_t errlen);
void control_free(struct control *c);
void control_notify(struct control *c, uint64_t lst_version);

/* mastercheck.c */
int mastercheck_run(const struct agent *a);

#endif
