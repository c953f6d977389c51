/*
 * mastercf.h - which limited connectors (max_connections) lack their
 * Postfix transport in master.cf.
 *
 * master.cf (master(5)): a line that starts with white space continues
 * the one before; a line whose first non-blank is '#' is a comment, as
 * is an empty one; otherwise its first field is the service name and
 * its second the type. mastercf_has() takes the file's bytes (buf, len;
 * no NUL needed, NUL bytes end a line's field) and never reads past len.
 *
 * A limited connector's mail is answered with its own transport
 * (topo_conn_transport()); with no such service in master.cf, qmgr
 * cannot reach a delivery agent and the mail waits in the queue
 * (deferred, "mail transport unavailable"), never bounced: the check
 * here makes that visible (agent log, lsactl check).
 */
#ifndef LSA_MASTERCF_H
#define LSA_MASTERCF_H

#include <stddef.h>

#include "topology.h"

#define MASTERCF_MAX_BYTES	(4 * 1024 * 1024)

int mastercf_has(const char *buf, size_t len, const char *name,
    const char *type);
char *mastercf_path(const char *confdir);
/* calls fn for each limited connector sourced at self (any when self <
 * 0) whose transport buf lacks; returns how many */
int mastercf_missing(const char *buf, size_t len, const struct topology *t,
    int self, void (*fn)(void *, const struct topo_connector *,
    const char *), void *arg);
int mastercf_limited(const struct topology *t, int self);
/* mastercf_missing() on the file at path (mastercf_path()); -1 when it
 * cannot be read */
int mastercf_check(const char *path, const struct topology *t, int self,
    void (*fn)(void *, const struct topo_connector *, const char *),
    void *arg);

#endif
