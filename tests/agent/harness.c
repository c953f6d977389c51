/*
 * harness.c - many agents in one process (see harness.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_priv.h"
#include "harness.h"
#include "log.h"
#include "lsdb.h"
#include "topology.h"
#include "xmalloc.h"

/* harness_ms - monotonic milliseconds */
uint64_t
harness_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* harness_ms_us - monotonic microseconds */
uint64_t
harness_ms_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* harness_never - a condition that never holds: run for the timeout */
int
harness_never(struct harness *h, void *arg)
{
	(void)h;
	(void)arg;
	return 0;
}

/* harness_port_base - n free-looking ports, from the pid */
int
harness_port_base(int n)
{
	(void)n;
	/* below Linux's ephemeral ports (32768 and up) */
	return 20000 + (int)(getpid() % 110) * 110;
}

/*
 * harness_topology - groups gNN with servers gNN-M (M = 0: the master,
 * 1: the bridgehead); connectors gNN-gMM both ways around a ring of the
 * groups, sourced and targeted at the bridgeheads. Caller frees.
 */
char *
harness_topology(int ngroups, int per, int port_base)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int port = port_base;

	fprintf(fp, "[organization]\nname = Harness\nversion = 1\n");
	for (int g = 0; g < ngroups; g++)
		fprintf(fp, "[group g%02d]\n", g);
	for (int g = 0; g < ngroups; g++)
		for (int s = 0; s < per; s++)
			fprintf(fp, "[server g%02d-%d]\ngroup = g%02d\n"
			    "address = 127.0.0.1\nagent_port = %d\n", g, s, g,
			    port++);
	for (int g = 0; ngroups > 1 && g < ngroups; g++) {
		int n = (g + 1) % ngroups;
		int bh = per > 1 ? 1 : 0;

		if (ngroups == 2 && g == 1)
			break;
		fprintf(fp, "[connector g%02d-g%02d]\nfrom = g%02d\nto = g%02d\n"
		    "sources = g%02d-%d\ntargets = g%02d-%d\n", g, n, g, n, g,
		    bh, n, bh);
		fprintf(fp, "[connector g%02d-g%02d]\nfrom = g%02d\nto = g%02d\n"
		    "sources = g%02d-%d\ntargets = g%02d-%d\n", n, g, n, g, n,
		    bh, g, bh);
	}
	fclose(fp);
	return buf;
}

/* harness_insert - see harness.h */
char *
harness_insert(char *text, const char *after, const char *lines)
{
	char *head = xasprintf("%s\n", after), *p, *u;

	if ((p = strstr(text, head)) == NULL)
		fatalx("harness: no line \"%s\"", after);
	p += strlen(head);
	u = xasprintf("%.*s%s%s", (int)(p - text), text, lines, p);
	free(head);
	free(text);
	return u;
}

/* harness_write - a file with text */
static void
harness_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		fatal("harness: %s", path);
}

/* harness_record - count records for the caller */
static void
harness_record(struct agent *a, const struct lsrec *r, void *arg)
{
	struct harness *h = arg;

	if (h->on_record != NULL)
		h->on_record(a, r, h->arg);
}

/* harness_new - see harness.h */
struct harness *
harness_new(const char *topo_text, const char *extra, int flags)
{
	struct harness *h = xcalloc(1, sizeof(*h));
	struct topology *t;
	struct diag d;
	char *cmd, *names = xstrdup("");

	h->flags = flags;
	log_init("harness", 1, getenv("HARNESS_VERBOSE") ?
	    atoi(getenv("HARNESS_VERBOSE")) : -1);
	snprintf(h->dir, sizeof(h->dir), "%s/lsa-harness.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(h->dir) == NULL)
		fatal("harness: mkdtemp");
	h->topo_path = xasprintf("%s/topology.conf", h->dir);
	harness_write(h->topo_path, topo_text);
	diag_init(&d);
	if ((t = topo_load(h->topo_path, &d)) == NULL) {
		diag_print(&d, stderr);
		fatalx("harness: bad topology");
	}
	diag_free(&d);
	h->n = t->nservers;
	h->names = xcalloc((size_t)h->n, sizeof(char *));
	h->set = xcalloc((size_t)h->n, sizeof(struct settings));
	h->ag = xcalloc((size_t)h->n, sizeof(struct agent *));
	for (int i = 0; i < h->n; i++) {
		char *p = names;

		h->names[i] = xstrdup(t->servers[i].name);
		names = xasprintf("%s %s", p, h->names[i]);
		free(p);
	}
	cmd = xasprintf("sh tests/agent/mkca.sh %s/ca %s intruder", h->dir,
	    names);
	if (system(cmd) != 0)
		fatalx("harness: %s failed", cmd);
	free(cmd);
	free(names);
	for (int i = 0; i < h->n; i++) {
		char *sp = xasprintf("%s/%s.conf", h->dir, h->names[i]);
		char *text = xasprintf("[agent]\nserver = %s\ntopology = %s\n"
		    "state_dir = %s/%s\nlisten = 127.0.0.1:%u\n"
		    "tls_ca = %s/ca/ca.pem\ntls_cert = %s/ca/%s.pem\n"
		    "tls_key = %s/ca/%s.key\ncontrol_socket = %s/%s.sock\n"
		    "reconnect_interval = 10ms\nreconnect_max = 200ms\n"
		    "peer_idle_timeout = 10s\n%s%s", h->names[i], h->topo_path,
		    h->dir, h->names[i], t->servers[i].agent_port, h->dir,
		    h->dir, h->names[i], h->dir, h->names[i], h->dir,
		    h->names[i], extra != NULL &&
		    strstr(extra, "reroute_command") != NULL ? "" :
		    "reroute_command =\n", extra ? extra : "");

		harness_write(sp, text);
		settings_init(&h->set[i]);
		diag_init(&d);
		if (settings_load(&h->set[i], sp, &d) < 0) {
			diag_print(&d, stderr);
			fatalx("harness: bad settings");
		}
		diag_free(&d);
		free(sp);
		free(text);
	}
	topo_free(t);
	h->base = event_base_new();
	for (int i = 0; (flags & HARNESS_START) && i < h->n; i++)
		if (harness_start(h, i) < 0)
			fatalx("harness: cannot start %s", h->names[i]);
	return h;
}

/* harness_find - index of a server name, -1 if none */
int
harness_find(const struct harness *h, const char *name)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return i;
	return -1;
}

/* harness_conf - what agent i is made with */
static void
harness_conf(struct harness *h, int i, struct agent_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->set = &h->set[i];
	c->server = h->names[i];
	c->on_record = harness_record;
	c->no_monitor = (h->flags & HARNESS_NO_MONITOR) != 0;
	c->arg = h;
	c->resolv_conf = h->resolv_conf;
	c->wall = h->wall;
}

/* harness_start - start agent i (from its files, as after a restart) */
int
harness_start(struct harness *h, int i)
{
	struct agent_conf c;
	char err[512];

	harness_conf(h, i, &c);
	if ((h->ag[i] = agent_new(h->base, &c, err, sizeof(err))) == NULL ||
	    agent_start(h->ag[i], err, sizeof(err)) < 0) {
		fprintf(stderr, "harness: %s: %s\n", h->names[i], err);
		agent_free(h->ag[i]);
		h->ag[i] = NULL;
		return -1;
	}
	return 0;
}

/* harness_stop - stop agent i (its files stay) */
void
harness_stop(struct harness *h, int i)
{
	agent_free(h->ag[i]);
	h->ag[i] = NULL;
	/* let the closed sessions' frees and the peers' EOFs run */
	event_base_loop(h->base, EVLOOP_NONBLOCK);
}

/* harness_tick - a 1 ms timer that ends the loop to check again */
static void
harness_tick(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	event_base_loopbreak(arg);
}

/* harness_run_until - see harness.h; 0 when cond held, -1 on timeout */
int
harness_run_until(struct harness *h, int (*cond)(struct harness *, void *),
    void *arg, uint64_t timeout_ms)
{
	uint64_t end = harness_ms() + timeout_ms;
	struct timeval tv = { 0, 1000 };
	struct event *tick = event_new(h->base, -1, EV_PERSIST, harness_tick,
	    h->base);
	int rc = -1;

	event_add(tick, &tv);
	for (;;) {
		if (cond(h, arg)) {
			rc = 0;
			break;
		}
		if (harness_ms() >= end)
			break;
		event_base_loop(h->base, EVLOOP_ONCE);
	}
	event_free(tick);
	return rc;
}

/* harness_all_full - every running agent is in sync with every peer */
int
harness_all_full(struct harness *h, void *arg)
{
	(void)arg;
	for (int i = 0; i < h->n; i++)
		if (h->ag[i] != NULL &&
		    agent_peers_full(h->ag[i]) != agent_peers(h->ag[i]))
			return 0;
	return 1;
}

/* harness_all_same - every running agent holds the same LST */
int
harness_all_same(struct harness *h, void *arg)
{
	const char *d0 = NULL;

	(void)arg;
	for (int i = 0; i < h->n; i++) {
		if (h->ag[i] == NULL)
			continue;
		if (d0 == NULL)
			d0 = agent_digest(h->ag[i]);
		else if (strcmp(d0, agent_digest(h->ag[i])) != 0)
			return 0;
	}
	return 1;
}

/* harness_free - stop everything, remove the directory */
void
harness_free(struct harness *h)
{
	char *cmd;

	for (int i = 0; i < h->n; i++) {
		agent_free(h->ag[i]);
		settings_free(&h->set[i]);
		free(h->names[i]);
	}
	event_base_loop(h->base, EVLOOP_NONBLOCK);
	event_base_free(h->base);
	cmd = xasprintf("rm -rf '%s'", h->dir);
	if (getenv("HARNESS_KEEP") == NULL && system(cmd) != 0)
		fprintf(stderr, "harness: cannot remove %s\n", h->dir);
	free(cmd);
	free(h->names);
	free(h->set);
	free(h->ag);
	free(h->topo_path);
	free(h);
}

/* harness_sink_start - Postfix's smtp-sink on 127.0.0.1:port; its pid */
pid_t
harness_sink_start(int port)
{
	char addr[64];
	pid_t pid;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	if ((pid = fork()) == 0) {
		if (getuid() == 0)	/* it refuses to run as root */
			execl("/usr/sbin/smtp-sink", "smtp-sink", "-u",
			    "nobody", addr, "10", (char *)NULL);
		else
			execl("/usr/sbin/smtp-sink", "smtp-sink", addr, "10",
			    (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		fatal("harness: fork");
	/* return once it greets: a probe before that would count a flap */
	for (int i = 0; i < 500; i++) {
		struct sockaddr_in sin;
		int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
		if (ok)
			return pid;
		usleep(10000);
	}
	fatalx("harness: smtp-sink on port %d does not answer", port);
}

/* harness_sink_stop - stop it: its port refuses connections */
void
harness_sink_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/*
 * harness_clocked - agent i made (not started) with an injected clock and
 * its link monitor set up, for timing tests that drive the monitor by hand
 */
struct agent *
harness_clocked(struct harness *h, int i, uint64_t (*clock)(void *))
{
	struct agent_conf c;
	char err[512];

	harness_conf(h, i, &c);
	c.no_monitor = 0;
	c.clock = clock;
	if ((h->ag[i] = agent_new(h->base, &c, err, sizeof(err))) == NULL)
		fatalx("harness: %s: %s", h->names[i], err);
	monitor_sync(h->ag[i]);
	return h->ag[i];
}

/*
 * harness_flap - link l goes down (a failed probe and every glitch-retry)
 * and up (a good probe) in turn, every period_ms for total_ms of *now, and
 * ends up; the changes it propagated
 */
uint64_t
harness_flap(struct mon_link *l, uint64_t *now, uint64_t period_ms,
    uint64_t total_ms)
{
	uint64_t end = *now + total_ms;

	for (int i = 0; *now < end; i++, *now += period_ms) {
		if (i % 2 == 0)
			for (uint64_t k = 0; k <= l->a->set->glitch_retries;
			    k++)
				monitor_probe_done(l, 0);
		else
			monitor_probe_done(l, 1);
		if (l->suppressed && monitor_reuse_in(l) == 0)
			monitor_reuse_cb(-1, 0, l);
	}
	if (l->state != MON_UP)
		monitor_probe_done(l, 1);
	return l->changes;
}
