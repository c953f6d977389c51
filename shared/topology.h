/*
 * topology.h - the organization: groups, servers, connectors.
 *
 * One topology file describes the whole organization (README "The
 * topology file" has the syntax). topo_load() reads it, checks every
 * reference and returns a model in which every reference is an index and
 * every default is filled in; or it returns NULL and the errors, each as
 * FILE:LINE: KEY: TEXT, are in the caller's diag.
 *
 * Ownership: the struct topology owns everything it points to; free it
 * with topo_free(). Arrays keep file order, which matters: a group's
 * default master is its first server, and a connector sourced in several
 * groups at equal cost goes to the group of its first-listed source.
 *
 * Indices: groups, servers and connectors are numbered from 0 in file
 * order; -1 means "none" (an outside connector's `to`).
 */
#ifndef LSA_TOPOLOGY_H
#define LSA_TOPOLOGY_H

#include <stdint.h>
#include <stdio.h>

#include "addrspace.h"
#include "diag.h"
#include "schedule.h"

#define TOPO_COST_MIN		1
#define TOPO_COST_MAX		100
#define TOPO_NAME_MAX		64	/* characters in a name */
#define TOPO_DEFAULT_SMTP_PORT	25
#define TOPO_DEFAULT_AGENT_PORT	691
#define TOPO_DEFAULT_COST	1
#define TOPO_DEFAULT_TIMEZONE	"UTC"
#define TOPO_LOCAL_MAX		64	/* characters in a sender's local part */
#define TOPO_REVERSE_SUFFIX	"~reverse" /* a bidirectional connector's
					   reverse: '~' is never written */
#define TOPO_BIDI_NAME_MAX	(TOPO_NAME_MAX - (int)sizeof(TOPO_REVERSE_SUFFIX) + 1)
#define TOPO_MAXCONN_MAX	1000	/* max_connections */
#define TOPO_TRANSPORT_PREFIX	"lsa-"	/* master.cf service of a limited
					   connector: lsa-NAME */
#define TOPO_TRANSPORT_MAX	(TOPO_NAME_MAX + 8) /* its length, NUL too */

/*
 * Message priorities a connector admits (`priorities`), as bits
 * 1u << enum topo_priority; route.h's enum route_priority has the same
 * values.
 */
enum topo_priority {
	TOPO_PRIO_NORMAL,
	TOPO_PRIO_HIGH,
	TOPO_PRIO_LOW,
	TOPO_NPRIO,
};
#define TOPO_PRIO_ALL	((1u << TOPO_NPRIO) - 1)	/* the default */

enum topo_scope {
	TOPO_SCOPE_ORGANIZATION,
	TOPO_SCOPE_GROUP,
};

/*
 * A connector's `tls`: what the hop over it demands of the target. In
 * order of strength (a hop served by several connectors takes the
 * strongest); hop_policy.c maps them to Postfix's TLS security levels.
 */
enum topo_tls {
	TOPO_TLS_NONE,			/* plain text */
	TOPO_TLS_MAY,			/* TLS when offered */
	TOPO_TLS_ENCRYPT,		/* TLS or wait, certificate unchecked */
	TOPO_TLS_VERIFY,		/* TLS, a certificate naming the target:
					   our CA (group), the smart host's
					   name (outside) */
};
#define TOPO_TLS_GROUP_DEFAULT		TOPO_TLS_VERIFY
#define TOPO_TLS_OUTSIDE_DEFAULT	TOPO_TLS_MAY

struct topo_list {			/* indices into one of the arrays */
	int	*v;
	int	 n;
};

struct topo_group {
	char		*name;
	int		 line;
	int		 master;	/* server index */
	int		 master_default; /* master was not written */
	struct topo_list backups;	/* ordered backup masters */
	int		 hub;
	struct topo_list servers;	/* in file order */
	struct topo_list out;		/* group connectors from here */
};

struct topo_server {
	char		*name;
	int		 line;
	int		 group;
	char		*address;
	unsigned	 smtp_port;
	unsigned	 agent_port;
	struct addrspace *mailboxes;
	int		 nmailboxes;
};

/*
 * A sender pattern (senders_allow, senders_deny): "user@example.com"
 * (that address; local is "user"), or a domain pattern as an address
 * space: "example.com", "*.example.com", "*" (local is NULL). Stored
 * lowercased; a local part never holds '+' (an +extension is dropped
 * from the sender before it is compared).
 */
struct topo_sender {
	char		*pattern;	/* lowercased, as written */
	char		*local;		/* NULL: any sender of the domain */
	struct addrspace domain;
	int		 line;
};

struct topo_host {			/* smart host */
	char		*host;
	unsigned	 port;
};

struct topo_connector {
	char		*name;
	int		 line;
	int		 from;		/* group index; -1 for an outside
					   connector given only `sources` */
	int		 to;		/* group index, -1 for the outside */
	int		 cost;
	struct topo_list sources;	/* server indices, never empty */
	int		 sources_default; /* every server of `from` */
	struct topo_list targets;	/* server indices; empty outside */
	int		 targets_default;
	uint64_t	 max_size;	/* bytes, 0 = unlimited */
	enum topo_scope	 scope;
	int		 enabled;
	struct addrspace *spaces;	/* outside connectors only; a cost
					   not written is the connector's */
	int		 nspaces;
	struct topo_host *smart_hosts;	/* none: DNS MX */
	int		 nsmart;
	struct topo_sender *senders_allow; /* none: every sender */
	int		 nallow;
	struct topo_sender *senders_deny; /* refused, whatever allow says */
	int		 ndeny;
	unsigned	 priorities;	/* admitted: bits 1u << topo_priority;
					   never 0; TOPO_PRIO_ALL by default */
	int		 priorities_line; /* 0: not written */
	int		 system_messages; /* admits system messages (null
					   sender, delivery/read reports) */
	/*
	 * bidirectional = yes (group connectors): topo_load() appends the
	 * reverse connector NAME~reverse (topo_conn.c), every other key
	 * copied, sources and targets swapped. A new key that owns memory
	 * must be duplicated in topo_conn_copy().
	 */
	int		 bidirectional;	/* written yes (never on the reverse) */
	int		 reverse;	/* the reverse's index, -1 if none */
	int		 reverse_of;	/* made from this connector, -1:
					   written in the file */
	unsigned	 max_connections; /* concurrent SMTP sessions from one
					   source server; 0: unlimited */
	enum topo_tls	 tls;		/* default by kind: TOPO_TLS_*_DEFAULT */
	int		 tls_line;	/* 0: not written */
	char		*auth;		/* outside only: a credentials name
					   ([policyd] credentials), or NULL */
	struct schedule	*schedule;	/* NULL: always open (schedule.h) */
};

struct topology {
	char		*file;
	char		*name;		/* organization name */
	uint64_t	 version;
	struct addrspace *domains;	/* address spaces the org owns */
	int		 ndomains;
	struct topo_group *groups;
	int		 ngroups;
	struct topo_server *servers;
	int		 nservers;
	struct topo_connector *connectors;
	int		 nconnectors;
	int		*group_index;	/* sorted by name, for lookups */
	int		*server_index;
	int		*connector_index;
	char		*timezone;	/* IANA name the schedules are in;
					   TOPO_DEFAULT_TIMEZONE if not written */
};

struct topology *topo_load(const char *path, struct diag *d);
struct topology *topo_load_buf(const char *name, const char *buf,
    size_t len, struct diag *d);
void topo_free(struct topology *t);
int topo_find_group(const struct topology *t, const char *name);
int topo_find_server(const struct topology *t, const char *name);
int topo_find_connector(const struct topology *t, const char *name);
int topo_find_address(const struct topology *t, const char *address);
int topo_list_has(const struct topo_list *l, int v);
int topo_priority_parse(const char *word);
const char *topo_priority_name(int priority);
int topo_valid_name(const char *s);
int topo_tls_parse(const char *word);
const char *topo_tls_name(enum topo_tls tls);
void topo_print(const struct topology *t, FILE *fp);
int topo_valid_connector_name(const char *s);
int topo_conn_transport(const struct topo_connector *c, char *buf,
    size_t len);
void topo_print_at(const struct topology *t, FILE *fp, const time_t *now);

#endif
