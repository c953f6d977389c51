/*
 * main.c - lsa-policyd: start-up, signals, the event loop.
 *
 * Answers Postfix's transport_maps (socketmap) and check_policy_service
 * lookups from the LST snapshot lsa-agent publishes, in memory; never
 * talks to other servers. Runs in the foreground (systemd Type=notify:
 * READY=1 once both listeners are up); SIGHUP checks the snapshot now;
 * SIGTERM and SIGINT stop it cleanly. With [policyd] user set, it runs
 * as that user once both listeners are open (the snapshot must be
 * readable by it). The credentials file ([policyd] credentials) is read
 * once, before that: a change needs a restart.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "policyd.h"
#include "xmalloc.h"

/* policyd_clock - milliseconds of the real-time clock */
static uint64_t
policyd_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* policyd_status - the snapshot in use as systemd's STATUS= line */
static void
policyd_status(const struct policyd *pd)
{
	if (pd->lst == NULL)
		sd_notify(0, "STATUS=no snapshot: lookups answer TEMP");
	else
		sd_notifyf(0, "STATUS=lst_version=%ju topology_version=%ju",
		    (uintmax_t)pd->lst->snap->lst_version,
		    (uintmax_t)pd->lst->snap->topo->version);
}

/* policyd_check - the snapshot timer and SIGHUP */
static void
policyd_check(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	if (policyd_lst_check(arg) > 0)
		policyd_status(arg);
}

/* policyd_stop - SIGTERM, SIGINT */
static void
policyd_stop(evutil_socket_t sig, short ev, void *arg)
{
	struct policyd *pd = arg;

	(void)ev;
	log_info("stopping on signal %d lookups=%ju", (int)sig,
	    (uintmax_t)pd->lookups);
	event_base_loopbreak(pd->base);
}

/* the credentials file, read by policyd_load_creds() during the
 * configuration check (-n and start), as started (root): it is for no
 * one else */
static struct credentials *policyd_creds;

/* policyd_load_creds - daemon_check_fn: [policyd] credentials, if set */
static int
policyd_load_creds(struct progconf *pc, struct diag *d)
{
	if (pc->set.credentials[0] == '\0')
		return 0;
	policyd_creds = credentials_load(pc->set.credentials, d);
	return policyd_creds != NULL ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct event *sigterm, *sigint, *sighup;
	struct daemon_opts o;
	struct progconf pc;
	struct policyd pd;
	struct timeval tv;
	char *snap_default = NULL;
	int rc = 1;

	daemon_start_with("lsa-policyd", argc, argv, &o, &pc,
	    policyd_load_creds);
	signal(SIGPIPE, SIG_IGN);
	memset(&pd, 0, sizeof(pd));
	pd.set = &pc.set;
	pd.server = pc.server;
	pd.now_ms = policyd_clock;
	if (pc.set.snapshot[0] != '\0')
		pd.snapshot_path = pc.set.snapshot;
	else
		pd.snapshot_path = snap_default = xasprintf("%s/lst.snapshot",
		    pc.set.state_dir);
	route_decision_init(&pd.dec);
	if ((pd.base = event_base_new()) == NULL)
		fatalx("cannot set up libevent");
	if ((pd.sockmap_l = policyd_listen(&pd, pc.set.socketmap_listen,
	    sockmap_accept)) == NULL ||
	    (pd.policy_l = policyd_listen(&pd, pc.set.policy_listen,
	    policy_accept)) == NULL)
		goto out;
	if ((pd.creds = policyd_creds) != NULL)
		log_info("credentials=%s entries=%d", pc.set.credentials,
		    pd.creds->n);
	daemon_drop("lsa-policyd", pc.set.policyd_user);
	if (policyd_lst_check(&pd) < 0)
		log_warnx("snapshot=%s not loaded: lookups answer TEMP until "
		    "it is", pd.snapshot_path);
	pd.check_ev = event_new(pd.base, -1, EV_PERSIST, policyd_check, &pd);
	tv.tv_sec = (time_t)(pc.set.snapshot_check_interval / 1000);
	tv.tv_usec = (suseconds_t)(pc.set.snapshot_check_interval % 1000) *
	    1000;
	event_add(pd.check_ev, &tv);
	sigterm = evsignal_new(pd.base, SIGTERM, policyd_stop, &pd);
	sigint = evsignal_new(pd.base, SIGINT, policyd_stop, &pd);
	sighup = evsignal_new(pd.base, SIGHUP, policyd_check, &pd);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sighup, NULL);
	log_info("started server=%s snapshot=%s socketmap=%s policy=%s",
	    pd.server, pd.snapshot_path, pc.set.socketmap_listen,
	    pc.set.policy_listen);
	policyd_status(&pd);
	sd_notify(0, "READY=1");
	event_base_dispatch(pd.base);
	sd_notify(0, "STOPPING=1");
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	event_free(pd.check_ev);
	rc = 0;
out:
	if (pd.sockmap_l != NULL)
		evconnlistener_free(pd.sockmap_l);
	if (pd.policy_l != NULL)
		evconnlistener_free(pd.policy_l);
	if (pd.resume_ev != NULL)
		event_free(pd.resume_ev);
	policyd_lst_free(pd.lst);
	policyd_rotation_free(&pd);
	credentials_free(pd.creds);
	route_decision_free(&pd.dec);
	free(pd.out.buf);
	event_base_free(pd.base);
	free(snap_default);
	progconf_free(&pc);
	return rc;
}
