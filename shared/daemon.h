/*
 * daemon.h - the start of every daemon: options, configuration, logging.
 *
 * Options common to lsa-agent, lsa-policyd and lsa-milter:
 *   -c FILE   settings file (default /etc/lsa/lsa.conf if it exists)
 *   -t FILE   topology file (default: the settings' agent.topology)
 *   -n        check the configuration, print "configuration OK", exit 0
 *             (exit 1 with every error, one a line, FILE:LINE: KEY: TEXT)
 *   -d        stay in the foreground and log to stderr
 *   -v        more logging (repeat for more)
 * daemon_start() returns only when the program should run; it exits
 * with status 1 on a configuration error and 2 on a usage error.
 * daemon_start_with() also runs more() on the loaded configuration, for
 * files of the program's own (lsa-policyd's credentials): an error it
 * adds to d (returning -1) is a configuration error like the others,
 * under -n and at start.
 *
 * daemon_drop() gives up root once the daemon has opened what needs it
 * (listeners, keys, state): the user's groups (initgroups), its gid, its
 * uid, all three ids of each (setresgid, setresuid), then checks that
 * root cannot be had back. user "" keeps the daemon as started (a warning
 * when that is root). An unknown user, or one the daemon cannot become,
 * ends it: exit 1 with one line naming the user.
 */
#ifndef LSA_DAEMON_H
#define LSA_DAEMON_H

#include "progconf.h"

struct daemon_opts {
	const char	*settings;
	const char	*topology;
	int		 check;
	int		 foreground;
	int		 verbose;
};

typedef int (*daemon_check_fn)(struct progconf *pc, struct diag *d);

void daemon_start(const char *prog, int argc, char **argv,
    struct daemon_opts *o, struct progconf *pc);
void daemon_start_with(const char *prog, int argc, char **argv,
    struct daemon_opts *o, struct progconf *pc, daemon_check_fn more);
void daemon_drop(const char *prog, const char *user);

#endif
