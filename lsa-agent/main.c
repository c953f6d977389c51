/*
 * main.c - lsa-agent: start-up, signals, the event loop.
 *
 * One agent (agent.h) on one event base. Runs in the foreground (systemd
 * Type=notify: READY=1 once it listens); SIGHUP re-reads the topology
 * file (a master floods it when newer); SIGTERM and SIGINT stop it
 * cleanly (sessions closed, files left as they are: the LST file is
 * always whole). With [agent] user set, it runs as that user once its
 * listener and control socket are open (daemon_drop(); state_dir must be
 * writable by that user).
 */
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <openssl/ssl.h>
#include <systemd/sd-daemon.h>

#include "agent.h"
#include "daemon.h"
#include "log.h"

/* agent_main_stop - SIGTERM, SIGINT */
static void
agent_main_stop(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	log_info("stopping on signal %d", (int)sig);
	event_base_loopbreak(arg);
}

/* agent_main_hup - SIGHUP: re-read the topology */
static void
agent_main_hup(evutil_socket_t sig, short ev, void *arg)
{
	char msg[512];

	(void)sig;
	(void)ev;
	if (agent_reload(arg, msg, sizeof(msg)) < 0)
		log_warnx("SIGHUP: %s", msg);
	else
		log_info("SIGHUP: %s", msg);
}

/*
 * agent_main_status - the LST version as systemd's STATUS= line, at
 * start and every second when it changed
 */
static void
agent_main_status(evutil_socket_t fd, short ev, void *arg)
{
	static uint64_t sent = UINT64_MAX;
	struct agent *a = arg;
	uint64_t v = agent_lst_version(a);

	(void)fd;
	(void)ev;
	if (v != sent)
		sd_notifyf(0, "STATUS=lst_version=%ju", (uintmax_t)v);
	sent = v;
}

int
main(int argc, char **argv)
{
	struct event *sigterm, *sigint, *sighup, *status;
	struct timeval second = { 1, 0 };
	struct event_base *base;
	struct daemon_opts o;
	struct agent_conf c;
	struct progconf pc;
	struct agent *a;
	char err[512];

	daemon_start("lsa-agent", argc, argv, &o, &pc);
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot set up libevent");
	memset(&c, 0, sizeof(c));
	c.set = &pc.set;
	c.server = pc.server;
	c.topology = o.topology;
	if ((a = agent_new(base, &c, err, sizeof(err))) == NULL ||
	    agent_start(a, err, sizeof(err)) < 0)
		fatalx("%s", err);
	/* listening, keys and state loaded: root is no longer needed */
	daemon_drop("lsa-agent", pc.set.agent_user);
	sigterm = evsignal_new(base, SIGTERM, agent_main_stop, base);
	sigint = evsignal_new(base, SIGINT, agent_main_stop, base);
	sighup = evsignal_new(base, SIGHUP, agent_main_hup, a);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_add(sighup, NULL);
	status = event_new(base, -1, EV_PERSIST, agent_main_status, a);
	event_add(status, &second);
	agent_main_status(-1, 0, a);
	sd_notify(0, "READY=1");
	event_base_dispatch(base);
	sd_notify(0, "STOPPING=1");
	event_free(status);
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	agent_free(a);
	event_base_free(base);
	progconf_free(&pc);
	return 0;
}
