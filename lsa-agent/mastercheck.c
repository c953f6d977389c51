/*
 * mastercheck.c - warn when a limited connector of this server has no
 * Postfix transport in master.cf.
 *
 * Mail over a connector with max_connections leaves through its own
 * transport (lsa-NAME, topo_conn_transport()); lsactl postfix-setup
 * adds it. Without the service, qmgr cannot reach a delivery agent and
 * keeps the mail deferred ("mail transport unavailable"): nothing
 * bounces, but nothing leaves either. So each topology taken into force
 * is checked against [agent] postfix_config_dir's master.cf (the
 * default instance's when empty), and every missing one is logged:
 *   transport missing server=S connector=C transport=T master_cf=PATH ...
 * Only the connectors this server is a source of count. The file is
 * read (bounded, regular files only) when there is one to check.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "agent_priv.h"
#include "log.h"
#include "mastercf.h"

struct mastercheck {
	const struct agent	*a;
	const char		*path;
};

/* mastercheck_warn - one missing transport, logged */
static void
mastercheck_warn(void *arg, const struct topo_connector *c, const char *tr)
{
	const struct mastercheck *mc = arg;

	log_warnx("transport missing server=%s connector=%s transport=%s "
	    "master_cf=%s max_connections=%u: mail over it waits deferred "
	    "until master.cf has the service (lsactl postfix-setup)",
	    mc->a->self, c->name, tr, mc->path, c->max_connections);
}

/* mastercheck_run - check the topology in force; the count missing */
int
mastercheck_run(const struct agent *a)
{
	struct mastercheck mc = { a, NULL };
	char *path;
	int n;

	if (a->topo == NULL || a->self_idx < 0 ||
	    mastercf_limited(a->topo, a->self_idx) == 0)
		return 0;
	mc.path = path = mastercf_path(a->set->postfix_config_dir);
	n = mastercf_check(path, a->topo, a->self_idx, mastercheck_warn, &mc);
	if (n < 0)
		log_warnx("transport check server=%s master_cf=%s: cannot read "
		    "it; %d limited connector(s) unchecked", a->self, path,
		    mastercf_limited(a->topo, a->self_idx));
	free(path);
	return n;
}
