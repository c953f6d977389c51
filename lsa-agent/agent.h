/*
 * agent.h - the lsa-agent core: one server's link-state agent.
 *
 * An agent holds the link state table (LST) of its organization, keeps
 * adjacencies with its peers over TCP (port 691 by default; ESMTP-shaped,
 * STARTTLS required, mutual certificates) and floods records to them; it
 * persists the LST in its state directory and publishes a snapshot for
 * lsa-policyd, lsa-milter and lsactl; it serves a control socket.
 *
 * The core has no process-wide state: a test or a benchmark runs many
 * agents in one process on one event base. Everything an agent needs is
 * in struct agent_conf; every timer comes from the settings (in ms), so
 * tests run with millisecond timers.
 *
 * agent_new() loads what it needs (topology file, LST file, epoch) and
 * returns NULL with the reason in err when it cannot start; agent_start()
 * opens the listener and the control socket and starts connecting.
 * agent_free() closes every session and frees everything; it does not
 * touch the files.
 */
#ifndef LSA_AGENT_H
#define LSA_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "lsrec.h"
#include "settings.h"

struct agent;

struct agent_conf {
	const struct settings *set;	/* borrowed for the agent's life */
	const char	*server;	/* this server's name */
	const char	*topology;	/* topology file (else set->topology) */
	/* called after each record installed (NULL: none) */
	void		(*on_record)(struct agent *, const struct lsrec *,
			    void *);
	void		*arg;
	int		 no_monitor;	/* tests of the protocol alone */
	/* the link monitor's clock in ms (NULL: the real one); tests */
	uint64_t	(*clock)(void *);
	/* the resolver's configuration (NULL: /etc/resolv.conf); tests */
	const char	*resolv_conf;
	/* the wall clock in ms the schedules are read with (NULL: the
	 * real one); tests */
	int64_t		(*wall)(void *);
};

struct agent_stats {			/* counters since start */
	uint64_t	 rec_new;	/* installed */
	uint64_t	 rec_same;	/* equal: replays and echoes */
	uint64_t	 rec_older;
	uint64_t	 rec_refused;	/* not authorized or not valid */
	uint64_t	 rec_badsig;	/* of those: failed verification */
	uint64_t	 sessions_refused;
	uint64_t	 sessions_closed_bad; /* bad input, ended the session */
	uint64_t	 bytes_out;	/* on the wire, all sessions */
};

struct agent *agent_new(struct event_base *base, const struct agent_conf *c,
    char *err, size_t errlen);
int agent_start(struct agent *a, char *err, size_t errlen);
void agent_free(struct agent *a);

/* originate the state of (connector, this server); -1 if not a source */
int agent_set_connector(struct agent *a, const char *connector, int down,
    char *err, size_t errlen);
/* re-read the topology file; flood it when newer and this is a master */
int agent_reload(struct agent *a, char *err, size_t errlen);
/* make SERVER the master of GROUP: a topology update from a master */
int agent_set_master(struct agent *a, const char *group, const char *server,
    char *err, size_t errlen);

const struct lsdb *agent_lsdb(const struct agent *a);
const char *agent_digest(struct agent *a);
const char *agent_server(const struct agent *a);
int agent_is_master(const struct agent *a);
int agent_peers_full(const struct agent *a);	/* adjacencies in sync */
int agent_peers(const struct agent *a);		/* adjacencies wanted */
uint64_t agent_peer_bytes_max(const struct agent *a); /* per session */
const struct agent_stats *agent_stats(const struct agent *a);
uint64_t agent_lst_version(const struct agent *a);
/* JSON text for the control socket; the caller frees */
char *agent_status_json(struct agent *a);
char *agent_lst_json(struct agent *a);

#endif
