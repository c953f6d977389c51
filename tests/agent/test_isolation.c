/*
 * test_isolation.c - what the agent hands to others and what it waits
 * for, with agents in one process (harness.h) holding established peer
 * sessions: a child (child.c) gets descriptors 0, 1 and 2 only and a
 * minimal environment; every descriptor the agents open is close-on-exec;
 * a peer and a probe target whose name resolves slowly (a resolver that
 * never answers) do not stall the event loop, so the other sessions and
 * their keepalives go on.
 *
 * getaddrinfo() is interposed: a name under .invalid takes SLOW_MS and
 * fails, as libc's would behind a dead name server (at once with
 * AI_NUMERICHOST, which never asks one).
 */
#include <dlfcn.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_priv.h"
#include "child.h"
#include "harness.h"
#include "xmalloc.h"

#define WAIT_MS		10000
#define SLOW_MS		1000
#define SLOW_NAME	"slow.invalid"

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);

/* getaddrinfo - libc's, except that names under .invalid are slow */
int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn real;
	size_t n = node != NULL ? strlen(node) : 0;

	if (n >= 8 && strcmp(node + n - 8, ".invalid") == 0 &&
	    (hints == NULL || !(hints->ai_flags & AI_NUMERICHOST))) {
		usleep(SLOW_MS * 1000);
		return EAI_AGAIN;
	}
	if (real == NULL)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}

/* a and b in group g, c alone in group h, a the source of connector g-h
 * to c (probed by a's link monitor); c's address is third */
static char *
topology(const char *third)
{
	static int next;	/* a failed test leaves its ports bound */
	int port = harness_port_base(3) + 3 * next++;

	return xasprintf("[organization]\nname = Iso\nversion = 1\n"
	    "[group g]\n[group h]\n"
	    "[server a]\ngroup = g\naddress = 127.0.0.1\nagent_port = %d\n"
	    "[server b]\ngroup = g\naddress = 127.0.0.1\nagent_port = %d\n"
	    "[server c]\ngroup = h\naddress = %s\nagent_port = %d\n"
	    "smtp_port = %d\n"
	    "[connector g-h]\nfrom = g\nto = h\nsources = a\ntargets = c\n",
	    port, port + 1, third, port + 2, port + 2);
}

struct ran {
	int	 done;
	int	 status;
	char	 out[8192];
};

/* ran_cb - child_run's done */
static void
ran_cb(void *arg, int status, const char *out, size_t len)
{
	struct ran *r = arg;

	(void)len;
	r->done = 1;
	r->status = status;
	snprintf(r->out, sizeof(r->out), "%s", out);
}

/* cond: the child is done */
static int
ran_done(struct harness *h, void *arg)
{
	(void)h;
	return ((struct ran *)arg)->done;
}

/* run - argv through child_run, on h's loop */
static void
run(struct harness *h, char *const argv[], struct ran *r)
{
	memset(r, 0, sizeof(*r));
	assert_non_null(child_run(h->base, argv, sizeof(r->out) - 1, 5000,
	    ran_cb, r));
	assert_int_equal(harness_run_until(h, ran_done, r, WAIT_MS), 0);
	assert_int_equal(r->status, 0);
}

/* established - start a, b (c is never started); wait a-b full */
static struct harness *
established(const char *third)
{
	char *t = topology(third);
	struct harness *h = harness_new(t, NULL, HARNESS_NO_MONITOR);

	free(t);
	assert_int_equal(harness_start(h, harness_find(h, "a")), 0);
	assert_int_equal(harness_start(h, harness_find(h, "b")), 0);
	return h;
}

/* cond: a and b have their adjacency full */
static int
ab_full(struct harness *h, void *arg)
{
	struct peer *p = peer_find(h->ag[harness_find(h, "a")], "b");

	(void)arg;
	return p != NULL && p->state == PEER_FULL;
}

/* a child sees 0, 1, 2 (and ls its own directory) and PATH, MAIL_CONFIG */
static void
test_child_fds_env(void **state)
{
	char *env[] = { "/usr/bin/env", NULL };
	char *ls[] = { "/bin/ls", "-l", "/proc/self/fd/", NULL };
	struct harness *h;
	struct ran r;
	char *line, *save = NULL;
	int fds = 0;

	(void)state;
	setenv("LSA_TEST_SECRET", "leaked", 1);
	setenv("MAIL_CONFIG", "/etc/postfix-iso", 1);
	h = established("127.0.0.1");
	assert_int_equal(harness_run_until(h, ab_full, NULL, WAIT_MS), 0);

	run(h, env, &r);
	assert_null(strstr(r.out, "LSA_TEST_SECRET"));
	assert_non_null(strstr(r.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	assert_non_null(strstr(r.out, "MAIL_CONFIG=/etc/postfix-iso\n"));
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		assert_true(strncmp(line, "PATH=", 5) == 0 ||
		    strncmp(line, "MAIL_CONFIG=", 12) == 0);

	run(h, ls, &r);
	save = NULL;
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, " -> ");
		int fd;

		if (arrow == NULL)
			continue;
		while (arrow > line && arrow[-1] != ' ')
			arrow--;
		fd = atoi(arrow);
		if (fd > 2 && strstr(line, "/proc/") == NULL)
			fail_msg("the child holds: %s", line);
		fds++;
	}
	assert_true(fds >= 3 && fds <= 4);
	unsetenv("LSA_TEST_SECRET");
	unsetenv("MAIL_CONFIG");
	harness_free(h);
}

/* every descriptor of the agents is close-on-exec */
static void
test_cloexec(void **state)
{
	char before[1024] = { 0 };
	struct harness *h;
	struct dirent *de;
	DIR *d;

	(void)state;
	assert_non_null(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (atoi(de->d_name) > 0 && atoi(de->d_name) < 1024)
			before[atoi(de->d_name)] = 1;
	closedir(d);
	h = established("127.0.0.1");
	assert_int_equal(harness_run_until(h, ab_full, NULL, WAIT_MS), 0);
	assert_non_null(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (fd <= 2 || fd == dirfd(d) || (fd < 1024 && before[fd]))
			continue;
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC)) {
			char link[256] = "", path[64];

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			(void)!readlink(path, link, sizeof(link) - 1);
			fail_msg("fd %d (%s) is not close-on-exec", fd, link);
		}
	}
	closedir(d);
	harness_free(h);
}

struct gap {
	struct event	*ev;
	uint64_t	 last;
	uint64_t	 max;
};

/* gap_cb - every 20 ms: the longest time between two turns */
static void
gap_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gap *g = arg;
	uint64_t now = harness_ms();

	(void)fd;
	(void)ev;
	if (g->last != 0 && now - g->last > g->max)
		g->max = now - g->last;
	g->last = now;
}

/* a peer and a probe target whose name the resolver never answers stall
 * nothing; the probes of c fail (within probe_timeout) */
static void
test_slow_resolver(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct timeval tv = { 0, 20000 };
	struct harness *h;
	struct gap g = { 0 };
	char *conf;
	FILE *fp;
	int hole;

	(void)state;
	/* a name server that takes queries and never answers */
	hole = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(hole, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(hole, (struct sockaddr *)&sin, &len), 0);
	conf = xasprintf("/tmp/lsa-iso-resolv.%d", (int)getpid());
	assert_non_null(fp = fopen(conf, "w"));
	fprintf(fp, "nameserver 127.0.0.1:%u\noptions timeout:30\n",
	    ntohs(sin.sin_port));
	fclose(fp);

	{
		char *t = topology(SLOW_NAME);

		/* probes every 100 ms: each one resolves c's name */
		h = harness_new(t, "probe_interval = 100ms\n"
		    "glitch_retry_interval = 100ms\n"
		    "down_retry_interval = 100ms\nprobe_timeout = 200ms\n", 0);
		free(t);
	}
	h->resolv_conf = conf;
	g.ev = event_new(h->base, -1, EV_PERSIST, gap_cb, &g);
	event_add(g.ev, &tv);
	assert_int_equal(harness_start(h, harness_find(h, "a")), 0);
	assert_int_equal(harness_start(h, harness_find(h, "b")), 0);
	assert_int_equal(harness_run_until(h, ab_full, NULL, WAIT_MS), 0);
	g.max = 0;
	harness_run_until(h, harness_never, NULL, 3 * SLOW_MS);
	printf("slow resolver: longest loop turn %ju ms\n",
	    (uintmax_t)g.max);
	assert_true(g.max < SLOW_MS / 2);
	assert_true(ab_full(h, NULL));
	assert_non_null(monitor_find(h->ag[harness_find(h, "a")], "g-h"));
	assert_true(monitor_find(h->ag[harness_find(h, "a")], "g-h")->fails >=
	    3);
	event_free(g.ev);
	harness_free(h);
	unlink(conf);
	free(conf);
	close(hole);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_fds_env),
		cmocka_unit_test(test_cloexec),
		cmocka_unit_test(test_slow_resolver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
