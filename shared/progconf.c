/*
 * progconf.c - settings + topology + own server (see progconf.h).
 */
#include <string.h>
#include <unistd.h>

#include "progconf.h"

/* progconf_load - everything a program needs before it starts */
int
progconf_load(struct progconf *pc, const char *settings_path,
    const char *topology_path, int flags, struct diag *d)
{
	int before = diag_errors(d);

	memset(pc, 0, sizeof(*pc));
	pc->self = -1;
	settings_init(&pc->set);
	if (settings_path != NULL)
		settings_load(&pc->set, settings_path, d);
	else if (access(SETTINGS_DEFAULT_PATH, F_OK) == 0)
		settings_load(&pc->set, SETTINGS_DEFAULT_PATH, d);
	if (diag_errors(d) > before)
		return -1;
	pc->topo = topo_load(topology_path ? topology_path :
	    pc->set.topology, d);
	if (pc->topo == NULL)
		return -1;
	settings_server_name(&pc->set, pc->server, sizeof(pc->server));
	if (flags & PROGCONF_NEED_SERVER) {
		pc->self = topo_find_server(pc->topo, pc->server);
		if (pc->self < 0) {
			diag_add(d, pc->set.file ? pc->set.file : "(defaults)",
			    0, "server", "this server \"%s\" is not in the "
			    "topology %s", pc->server, pc->topo->file);
			return -1;
		}
	}
	return 0;
}

/* progconf_free - release settings and topology */
void
progconf_free(struct progconf *pc)
{
	topo_free(pc->topo);
	settings_free(&pc->set);
	memset(pc, 0, sizeof(*pc));
	pc->self = -1;
}
