/*
 * progconf.h - what every program loads at start: settings and topology.
 *
 * progconf_load() reads the settings file (the one given, or the default
 * path when it exists, else built-in defaults), then the topology (the
 * one given, else the settings' agent.topology), and, when asked, checks
 * that this server (agent.server, or the host's short name) is in the
 * topology. Every error goes to the diag; it returns -1 if any.
 * progconf_free() releases what was loaded.
 */
#ifndef LSA_PROGCONF_H
#define LSA_PROGCONF_H

#include "diag.h"
#include "settings.h"
#include "topology.h"

struct progconf {
	struct settings	 set;
	struct topology	*topo;
	char		 server[256];	/* this server's name */
	int		 self;		/* its index, -1 if not checked */
};

#define PROGCONF_NEED_SERVER	0x1

int progconf_load(struct progconf *pc, const char *settings_path,
    const char *topology_path, int flags, struct diag *d);
void progconf_free(struct progconf *pc);

#endif
