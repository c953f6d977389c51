/*
 * main.c - lsa-milter: start-up, libmilter's socket and loop.
 *
 * A libmilter filter for Postfix's smtpd_milters and non_smtpd_milters
 * (README "lsa-milter"): a route trace header per hop, loop and hop-limit
 * checks, lsa-policyd's route checks at end of message, from the LST
 * snapshot lsa-agent publishes ([policyd] snapshot, else
 * STATE_DIR/lst.snapshot; checked every snapshot_check_interval).
 * Listens on [milter] listen. Runs in the foreground (systemd
 * Type=notify: READY=1 once the socket is open); -d logs to stderr, -n
 * checks the configuration. SIGTERM and SIGINT stop it (libmilter's
 * signal thread; SIGHUP too, libmilter's rule: a new snapshot needs no
 * signal).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "milter.h"
#include "xmalloc.h"

struct milter_holder milter_holder;

int
main(int argc, char **argv)
{
	struct daemon_opts o;
	struct progconf pc;
	char *snap_default = NULL;
	const char *path;
	sigset_t set;
	int rc = 1;

	daemon_start("lsa-milter", argc, argv, &o, &pc);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * libmilter's signal thread waits for these; every other thread,
	 * the snapshot thread included, must block them
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pc.set.snapshot[0] != '\0')
		path = pc.set.snapshot;
	else
		path = snap_default = xasprintf("%s/lst.snapshot",
		    pc.set.state_dir);
	milter_lst_init(&milter_holder, &pc.set, pc.server, path);
	if (smfi_setconn(pc.set.milter_listen) != MI_SUCCESS ||
	    smfi_register(milter_desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		log_warnx("listen=%s cannot be opened", pc.set.milter_listen);
		goto out;
	}
	daemon_drop("lsa-milter", pc.set.milter_user);
	if (milter_lst_check(&milter_holder) < 0)
		log_warnx("snapshot=%s not loaded: messages tempfail until it "
		    "is", path);
	if (milter_lst_start(&milter_holder) < 0)
		goto out;
	log_info("started server=%s snapshot=%s listen=%s", pc.server, path,
	    pc.set.milter_listen);
	sd_notify(0, "READY=1");
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	sd_notify(0, "STOPPING=1");
	log_info("stopped server=%s", pc.server);
out:
	milter_lst_stop(&milter_holder);
	free(snap_default);
	progconf_free(&pc);
	return rc;
}
