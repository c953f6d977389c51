/*
 * main.c - lsa-policyd: start-up.
 *
 * Loads and checks the configuration (-n checks only). The service
 * itself is built by its own issue; until then the program says so and
 * exits 1, so nothing mistakes it for a running lsa-policyd.
 */
#include "daemon.h"
#include "log.h"

int
main(int argc, char **argv)
{
	struct daemon_opts o;
	struct progconf pc;

	daemon_start("lsa-policyd", argc, argv, &o, &pc);
	log_warnx("server=%s the service is not part of this release yet",
	    pc.server);
	progconf_free(&pc);
	return 1;
}
