/*
 * bench_policyd.c - lsa-policyd's socketmap under load.
 *
 * One load generator (epoll, N connections, each sending a socketmap
 * request "transport user<i>@d<k>.bench.test" as a netstring and waiting
 * for its reply before the next, as Postfix's trivial-rewrite does) is
 * pointed in turn at
 *   (a) lsa-policyd, started as a child (-d -c SETTINGS) on a snapshot of
 *       a generated organization of 1,000 groups (bench_route.c's
 *       generator; snapshot written by `lsactl snapshot`). Every key is a
 *       mailbox domain of another group than this server's, so every
 *       answer is a relay "OK smtp:[..]:25, [..]:25" (checked);
 *   (b) a constant server, forked from this program: the same protocol on
 *       a bare epoll loop (read, write), answering every request
 *       "OK smtp:[127.0.0.1]:25" - the cost of the I/O alone.
 *   (c) lsa-policyd again, the same but for rotation_interval = 1ms: its
 *       answers, cached by domain for one rotation number, are made again
 *       almost every time (each domain comes back every ~1,000 lookups,
 *       several ms): the routing engine on every lookup, the cold path.
 * Rounds alternate (a) and (b) at 1, 16 and 200 concurrent clients (closed
 * loop: the most the server does), (c) at 16, then 200 clients in open
 * loop at a
 * fixed 25,000 lookups/s (latency at a load it can carry: with 200
 * requests always out, closed-loop latency is 200 / throughput, Little's
 * law, ~2 ms at 100,000/s whatever the server). Figures are medians over
 * the rounds; the ratio is the median of each round's policyd/constant,
 * the two measured back to back (the machine is shared and noisy).
 * Then lsa-policyd is started again on 2,000 groups x 5 connectors
 * (10,000 connectors), serves lookups a moment, and its VmRSS is read
 * from /proc/PID/status.
 *
 * Prints "bench: NAME VALUE UNIT":
 *   policyd.lookups_per_s.cN      lookups answered a second, N clients
 *   constant.lookups_per_s.cN     the same, constant server
 *   policyd.ratio_vs_constant.cN  policyd / constant (median of rounds)
 *   policyd.p99_ms.cN             99th percentile of a lookup's latency
 *   constant.p99_ms.cN
 *   policyd.cpu_us_per_lookup.cN  server CPU time (user + system, from
 *   constant.cpu_us_per_lookup.cN /proc/PID/schedstat) per lookup: what
 *   client.cpu_us_per_lookup.cN   the throughput is made of, and the least
 *                                 noisy figure here (the client's too:
 *                                 when it costs about what the server
 *                                 does, a run is bound by the client)
 *   policyd.p99_ms.c200_r25000    open loop, 200 clients, 25,000/s; from
 *   constant.p99_ms.c200_r25000   when each request was due
 *   policyd.lookups_per_s.c16_cold   (c), and its ratio to (b) at c16
 *   policyd.ratio_vs_constant.c16_cold
 *   policyd.rss_mb.k10000         VmRSS after loading 10,000 connectors
 *   policyd.rss_hwm_mb.k10000     VmHWM (peak) at the same moment
 *
 * Targets (the issue): ratio >= 0.8, >= 50,000 lookups/s, p99 < 1 ms,
 * RSS < 50 MB. The figures are printed whatever they are; the program
 * fails (exit 1) only when something does not work (a child does not
 * start, a wrong or missing answer).
 *
 * Only 127.0.0.1, ports the kernel picked as free; every child is killed
 * at the end (and dies with this program: PR_SET_PDEATHSIG); the whole
 * run is bounded by an alarm. Needs BUILD/bin/lsa-policyd and lsactl
 * next to BUILD/bench/. BENCH_POLICYD_SECONDS (default 0.5) sets the
 * length of one measurement, BENCH_POLICYD_ROUNDS (default 5) the number
 * of rounds: about 30 s in all.
 */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netstring.h"

#include "bench.h"

#define MAX_ROUNDS	9
#define WARMUP		0.1		/* s before each measurement */
#define NLEVELS		3
#define NREQ		8192		/* distinct requests, cycled */
#define CONN_BUF	8192
#define OPEN_RATE	25000		/* open loop at 200 clients, lookups/s */
#define LATE_MAX	256		/* requests a client may fall behind */
#define BENCH_ALARM	150		/* seconds: the whole run, at most */

static const int levels[NLEVELS] = { 1, 16, 200 };

static const char *const_reply = "OK smtp:[127.0.0.1]:25";

static pid_t children[4];
static int nchildren;
#define DIR_MAX	1024		/* tmpdir, bindir: paths are made of them */
static char tmpdir[DIR_MAX];
static char bindir[DIR_MAX];

/* bench_kill_children - every child: SIGTERM, a moment, then SIGKILL */
static void
bench_kill_children(void)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	for (int i = 0; i < nchildren; i++) {
		int st;

		if (children[i] <= 0)
			continue;
		for (int k = 0; k < 100; k++) {
			if (waitpid(children[i], &st, WNOHANG) != 0)
				goto reaped;
			usleep(10000);
		}
		kill(children[i], SIGKILL);
		waitpid(children[i], &st, 0);
reaped:
		children[i] = 0;
	}
	nchildren = 0;
}

/* bench_cleanup - children and the temporary directory */
static void
bench_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	bench_kill_children();
	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_policyd: cannot remove %s\n",
			    tmpdir);
		tmpdir[0] = '\0';
	}
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bench_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_policyd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bench_cleanup();
	exit(1);
}

static void
bench_alarm(int sig)
{
	static const char msg[] = "bench_policyd: time limit, giving up\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	for (int i = 0; i < nchildren; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	_exit(1);
}

static void
bench_write_file(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0)
		bench_fail("cannot write %s: %s", path, strerror(errno));
}

/* bench_free_port - a TCP port on 127.0.0.1 the kernel says is free */
static int
bench_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		bench_fail("cannot find a free port: %s", strerror(errno));
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
bench_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* bench_connect - a blocking connection to 127.0.0.1:port, or -1 */
static int
bench_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * The constant server: accept, read netstrings, answer each one with
 * the same reply. Runs in a forked child until killed.
 */
struct cs_conn {
	int	 fd;
	size_t	 inlen, outlen, outoff;
	char	 in[CONN_BUF];
	char	 out[CONN_BUF];
};

static void
cs_close(int ep, struct cs_conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* cs_flush - write what is pending; -1 when the connection broke */
static int
cs_flush(int ep, struct cs_conn *c)
{
	struct epoll_event ev;

	while (c->outoff < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff);

		if (n < 0 && errno == EAGAIN) {
			ev.events = EPOLLIN | EPOLLOUT;
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return 0;
		}
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->outlen = c->outoff = 0;
	return 0;
}

/* cs_read - every whole request in the buffer gets the reply */
static int
cs_read(int ep, struct cs_conn *c)
{
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	size_t off = 0, rlen = strlen(const_reply);

	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -1;
	c->inlen += (size_t)n;
	for (;;) {
		const char *payload, *err;
		size_t plen, consumed, w;

		switch (netstring_parse(c->in + off, c->inlen - off,
		    NETSTRING_SOCKETMAP_MAX, &payload, &plen, &consumed,
		    &err)) {
		case NETSTRING_ERR:
			return -1;
		case NETSTRING_MORE:
			goto done;
		case NETSTRING_OK:
			break;
		}
		off += consumed;
		w = netstring_format(c->out + c->outlen,
		    sizeof(c->out) - c->outlen, const_reply, rlen);
		if (w == 0)
			return -1;	/* a client that does not read */
		c->outlen += w;
	}
done:
	if (off == 0 && c->inlen == sizeof(c->in))
		return -1;		/* request larger than the buffer */
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return cs_flush(ep, c);
}

static void __attribute__((noreturn))
constant_server(int lfd)
{
	struct epoll_event ev, evs[256];
	int ep = epoll_create1(0);

	bench_nonblock(lfd);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct cs_conn *c = evs[i].data.ptr;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					c = calloc(1, sizeof(*c));
					if (c == NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if ((evs[i].events & EPOLLOUT) &&
			    c->outoff < c->outlen) {
				if (cs_flush(ep, c) < 0) {
					cs_close(ep, c);
					continue;
				}
				if (c->outlen == 0) {
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd,
					    &ev);
				}
			}
			if ((evs[i].events & (EPOLLIN | EPOLLHUP |
			    EPOLLERR)) && cs_read(ep, c) < 0)
				cs_close(ep, c);
		}
	}
}

/* constant_start - fork the constant server; its port */
static int
constant_start(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	pid_t pid, parent = getpid();

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 512) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) < 0)
		bench_fail("constant server: %s", strerror(errno));
	if ((pid = fork()) < 0)
		bench_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		signal(SIGALRM, SIG_DFL);
		alarm(0);
		constant_server(lfd);
	}
	close(lfd);
	children[nchildren++] = pid;
	return ntohs(sin.sin_port);
}

/*
 * The load generator.
 */
struct lg_conn {
	int	 fd;
	int	 waiting;		/* a request is out */
	double	 sent;			/* when it was sent (or was due) */
	unsigned lhead, ltail;		/* open loop: due, not sent yet */
	double	 late[LATE_MAX];
	size_t	 len;
	char	 buf[CONN_BUF];
};

struct lg_result {
	double	 rate;			/* lookups/s */
	double	 p50_ms, p99_ms;
	uint64_t n;
	double	 srv_us, cli_us;	/* CPU time a lookup, server, client */
};

/* cpu_ns - CPU time a process has run, ns (/proc/PID/schedstat) */
static double
cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(fp, "%llu", &ns) != 1)
		ns = 0;
	fclose(fp);
	return (double)ns;
}

static char *requests[NREQ];
static size_t reqlen[NREQ];
static unsigned reqnext;
static const char *expect;		/* reply prefix, or NULL: "OK " */

/* lg_requests - the request netstrings: keys in groups other than 0 */
static void
lg_requests(int ngroups)
{
	for (int i = 0; i < NREQ; i++) {
		char key[128], ns[160];
		unsigned g = 1 + bench_rand() % (unsigned)(ngroups - 1);
		int kl = snprintf(key, sizeof(key),
		    "transport user%u@d%u.bench.test", bench_rand() % 100000, g);
		size_t l = netstring_format(ns, sizeof(ns), key, (size_t)kl);

		free(requests[i]);
		requests[i] = malloc(l);
		memcpy(requests[i], ns, l);
		reqlen[i] = l;
	}
}

/* lg_send - the next request on c; its latency counts from `due` */
static void
lg_send(struct lg_conn *c, double due)
{
	unsigned i = reqnext++ % NREQ;
	ssize_t n = write(c->fd, requests[i], reqlen[i]);

	if (n != (ssize_t)reqlen[i])	/* a 40-byte write, one at a time */
		bench_fail("write: %s", n < 0 ? strerror(errno) : "short");
	c->waiting = 1;
	c->sent = due;
}

/* lg_check - one reply payload is what the server should say */
static void
lg_check(const char *payload, size_t plen)
{
	const char *want = expect != NULL ? expect : "OK ";
	size_t wl = strlen(want);

	if (plen < wl || memcmp(payload, want, wl) != 0)
		bench_fail("unexpected reply \"%.*s\" (want \"%s...\")",
		    (int)(plen > 200 ? 200 : plen), payload, want);
}

/*
 * lg_run - nconn clients for `seconds` against port, after a short
 * warm-up that is not counted. rate 0: closed loop, each client sends
 * its next request as soon as it has the reply (the most the server
 * does; latency is then nconn / throughput, Little's law). rate > 0:
 * open loop, requests are due at that aggregate rate, round robin over
 * the clients; one due while its client still waits goes out with the
 * reply, and its latency counts from when it was due (no coordinated
 * omission).
 */
static void
lg_run(int port, pid_t srv, int nconn, double seconds, double rate,
    struct lg_result *r)
{
	double srv0, cli0;
	uint64_t total = 0;
	struct lg_conn *cs = calloc((size_t)nconn, sizeof(*cs));
	struct epoll_event ev, evs[256];
	size_t cap = 1 << 20, nlat = 0;
	double *lat = malloc(cap * sizeof(*lat));
	double t0, start, end, limit, now;
	int ep = epoll_create1(EPOLL_CLOEXEC), outstanding = 0;
	uint64_t k = 0;			/* open loop: the next one due */

	if (cs == NULL || lat == NULL || ep < 0)
		bench_fail("out of memory");
	for (int i = 0; i < nconn; i++) {
		if ((cs[i].fd = bench_connect(port)) < 0)
			bench_fail("connect 127.0.0.1:%d (client %d): %s",
			    port, i, strerror(errno));
		bench_nonblock(cs[i].fd);
		ev.events = EPOLLIN;
		ev.data.ptr = &cs[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	srv0 = cpu_ns(srv);
	cli0 = cpu_ns(getpid());
	t0 = now = bench_now();
	start = t0 + WARMUP;		/* caches, first lookups */
	end = start + seconds;
	limit = end + 5.0;		/* the last replies, at most */
	if (rate <= 0)
		for (int i = 0; i < nconn; i++) {
			lg_send(&cs[i], now);
			outstanding++;
		}
	for (;;) {
		struct timespec ts, *tsp = NULL;
		int n;

		if (rate > 0) {
			/* every request due by now goes out (or waits) */
			double due;

			while ((due = t0 + (double)k / rate) <= now &&
			    due < end) {
				struct lg_conn *c = &cs[k++ % (uint64_t)nconn];

				if (c->waiting) {
					if (c->ltail - c->lhead == LATE_MAX)
						bench_fail("port %d: %d "
						    "requests behind at %.0f/s",
						    port, LATE_MAX, rate);
					c->late[c->ltail++ % LATE_MAX] = due;
				} else {
					lg_send(c, due);
					outstanding++;
				}
			}
			if (due < end) {
				double w = due - now;

				ts.tv_sec = (time_t)w;
				ts.tv_nsec = (long)((w - (double)ts.tv_sec) *
				    1e9);
				tsp = &ts;
			}
		}
		if (outstanding == 0 && (rate <= 0 || tsp == NULL))
			break;
		if (tsp == NULL) {
			ts.tv_sec = 1;
			ts.tv_nsec = 0;
			tsp = &ts;
		}
		n = epoll_pwait2(ep, evs, 256, tsp, NULL);
		now = bench_now();
		if (now > limit)
			bench_fail("%d replies missing after %.0f s "
			    "(port %d, %d clients)", outstanding, limit - start,
			    port, nconn);
		for (int i = 0; i < n; i++) {
			struct lg_conn *c = evs[i].data.ptr;
			ssize_t got = read(c->fd, c->buf + c->len,
			    sizeof(c->buf) - c->len);
			const char *payload, *err;
			size_t plen, consumed;

			if (got < 0 && errno == EAGAIN)
				continue;
			if (got <= 0)
				bench_fail("port %d closed the connection%s%s",
				    port, got < 0 ? ": " : "",
				    got < 0 ? strerror(errno) : "");
			c->len += (size_t)got;
			switch (netstring_parse(c->buf, c->len,
			    NETSTRING_SOCKETMAP_MAX, &payload, &plen,
			    &consumed, &err)) {
			case NETSTRING_ERR:
				bench_fail("bad reply: %s", err);
			case NETSTRING_MORE:
				if (c->len == sizeof(c->buf))
					bench_fail("reply too long");
				continue;
			case NETSTRING_OK:
				break;
			}
			if (!c->waiting || consumed != c->len)
				bench_fail("a reply nobody asked for");
			lg_check(payload, plen);
			c->len = 0;
			c->waiting = 0;
			outstanding--;
			total++;
			if (c->sent >= start && now <= end) {
				if (nlat == cap) {
					cap *= 2;
					lat = realloc(lat, cap * sizeof(*lat));
					if (lat == NULL)
						bench_fail("out of memory");
				}
				lat[nlat++] = now - c->sent;
			}
			if (rate > 0 && c->lhead != c->ltail) {
				lg_send(c, c->late[c->lhead++ % LATE_MAX]);
				outstanding++;
			} else if (rate <= 0 && now < end) {
				lg_send(c, now);
				outstanding++;
			}
		}
	}
	r->srv_us = (cpu_ns(srv) - srv0) / 1e3 / (double)total;
	r->cli_us = (cpu_ns(getpid()) - cli0) / 1e3 / (double)total;
	for (int i = 0; i < nconn; i++)
		close(cs[i].fd);
	close(ep);
	if (nlat == 0)
		bench_fail("no replies in %.1f s from port %d (%d clients)",
		    seconds, port, nconn);
	qsort(lat, nlat, sizeof(*lat), bench_cmp);
	r->n = nlat;
	r->rate = (double)nlat / seconds;
	r->p50_ms = lat[nlat / 2] * 1e3;
	r->p99_ms = lat[(size_t)((double)nlat * 0.99)] * 1e3;
	free(lat);
	free(cs);
}

/* bench_run_cmd - run a program of bindir, wait; its output to a file */
static void
bench_run_cmd(char *const argv[], const char *logpath)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		bench_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		bench_fail("%s failed (see %s)", argv[0], logpath);
}

/* bench_show_log - a child's log on stderr, when it failed */
static void
bench_show_log(const char *path)
{
	char line[512];
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		fprintf(stderr, "  | %s", line);
	fclose(fp);
}

/*
 * bench_lookup_once - one lookup on a fresh connection, blocking until
 * deadline: lsa-policyd listens before it loads its snapshot, so the
 * first answer may take a while (seconds under ASan).
 */
static void
bench_lookup_once(int fd, double deadline)
{
	char buf[512];
	size_t len = 0;
	const char *payload, *err;
	size_t plen, consumed;

	if (write(fd, requests[0], reqlen[0]) != (ssize_t)reqlen[0])
		bench_fail("write: %s", strerror(errno));
	for (;;) {
		struct timeval tv = { 1, 0 };
		ssize_t n;

		if (bench_now() > deadline)
			bench_fail("lsa-policyd did not answer a first lookup");
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			bench_fail("lsa-policyd closed the first lookup");
		len += (size_t)n;
		switch (netstring_parse(buf, len, NETSTRING_SOCKETMAP_MAX,
		    &payload, &plen, &consumed, &err)) {
		case NETSTRING_ERR:
			bench_fail("bad reply: %s", err);
		case NETSTRING_MORE:
			if (len == sizeof(buf))
				bench_fail("reply too long");
			continue;
		case NETSTRING_OK:
			lg_check(payload, plen);
			return;
		}
	}
}

struct policyd_child {
	pid_t	 pid;
	int	 port;
	char	 log[PATH_MAX];
};

/*
 * policyd_start - a topology of ngroups x nconn, its snapshot, settings
 * (with `extra` lines in [policyd]), and lsa-policyd on them; returns when
 * it answers a lookup.
 */
static void
policyd_start(const char *tag, int ngroups, int nconn, const char *extra,
    struct policyd_child *pc)
{
	char topo[PATH_MAX], snap[PATH_MAX], conf[PATH_MAX], exe[PATH_MAX];
	char slog[PATH_MAX], settings[3 * PATH_MAX];
	size_t len;
	char *text = bench_topology(ngroups, nconn, &len);

	snprintf(topo, sizeof(topo), "%s/%s.topology", tmpdir, tag);
	snprintf(snap, sizeof(snap), "%s/%s.snapshot", tmpdir, tag);
	snprintf(conf, sizeof(conf), "%s/%s.conf", tmpdir, tag);
	snprintf(slog, sizeof(slog), "%s/%s.lsactl.log", tmpdir, tag);
	snprintf(pc->log, sizeof(pc->log), "%s/%s.policyd.log", tmpdir, tag);
	bench_write_file(topo, text, len);
	free(text);
	snprintf(exe, sizeof(exe), "%s/lsactl", bindir);
	{
		char *argv[] = { exe, "snapshot", "-t", topo, "--lst-version",
		    "1", "-o", snap, NULL };

		bench_run_cmd(argv, slog);
	}
	for (int attempt = 0; attempt < 5; attempt++) {
		int pport = bench_free_port(), st;
		double deadline;

		pc->port = bench_free_port();
		if (pc->port == pport)
			continue;
		len = (size_t)snprintf(settings, sizeof(settings),
		    "[agent]\nserver = s0a\ntopology = %s\n"
		    "[policyd]\nsocketmap_listen = inet:127.0.0.1:%d\n"
		    "policy_listen = inet:127.0.0.1:%d\nsnapshot = %s\n%s",
		    topo, pc->port, pport, snap, extra);
		bench_write_file(conf, settings, len);
		snprintf(exe, sizeof(exe), "%s/lsa-policyd", bindir);
		if ((pc->pid = fork()) < 0)
			bench_fail("fork: %s", strerror(errno));
		if (pc->pid == 0) {
			int fd = open(pc->log, O_WRONLY | O_CREAT | O_TRUNC,
			    0644);

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			signal(SIGALRM, SIG_DFL);
			alarm(0);
			execl(exe, exe, "-d", "-c", conf, (char *)NULL);
			_exit(127);
		}
		children[nchildren++] = pc->pid;
		/* up when it answers; the snapshot loads before the loop */
		deadline = bench_now() + 60;
		while (bench_now() < deadline) {
			int fd;

			if (waitpid(pc->pid, &st, WNOHANG) == pc->pid) {
				children[--nchildren] = 0;
				pc->pid = 0;
				break;	/* a port taken meanwhile: again */
			}
			if ((fd = bench_connect(pc->port)) >= 0) {
				expect = "OK smtp:[";
				bench_lookup_once(fd, deadline);
				close(fd);
				return;
			}
			usleep(20000);
		}
		if (pc->pid != 0) {
			bench_show_log(pc->log);
			bench_fail("lsa-policyd did not listen in 60 s");
		}
	}
	bench_show_log(pc->log);
	bench_fail("lsa-policyd did not start");
}

/* policyd_stop - SIGTERM and wait; it must exit by itself */
static void
policyd_stop(struct policyd_child *pc)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i] == pc->pid) {
			int st;

			kill(pc->pid, SIGTERM);
			waitpid(pc->pid, &st, 0);
			children[i] = children[--nchildren];
			children[nchildren] = 0;
			break;
		}
	pc->pid = 0;
}

/* policyd_rss - VmRSS and VmHWM of a process, MB */
static void
policyd_rss(pid_t pid, double *rss, double *hwm)
{
	char path[64], line[256];
	FILE *fp;

	*rss = *hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		bench_fail("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		unsigned long kb;

		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			*rss = (double)kb / 1024;
		else if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			*hwm = (double)kb / 1024;
	}
	fclose(fp);
	if (*rss < 0 || *hwm < 0)
		bench_fail("%s: no VmRSS/VmHWM", path);
}

/* lg_median - the median of one figure over the rounds */
static double
lg_median(const struct lg_result *r, size_t off, int rounds)
{
	double v[MAX_ROUNDS];

	for (int k = 0; k < rounds; k++)
		memcpy(&v[k], (const char *)&r[k] + off, sizeof(double));
	return bench_median(v, rounds);
}

#define MEDIAN(r, f)	lg_median((r), offsetof(struct lg_result, f), rounds)

static double
bench_env(const char *name, double def, double lo, double hi)
{
	const char *v = getenv(name);
	double d;

	if (v == NULL || *v == '\0')
		return def;
	d = atof(v);
	return d < lo ? lo : d > hi ? hi : d;
}

int
main(void)
{
	struct lg_result pr[NLEVELS][MAX_ROUNDS], cr[NLEVELS][MAX_ROUNDS];
	struct lg_result po[MAX_ROUNDS], co[MAX_ROUNDS], pcold[MAX_ROUNDS];
	struct policyd_child pdc, cold;
	double ratio[MAX_ROUNDS];
	char exe[PATH_MAX];
	double seconds = bench_env("BENCH_POLICYD_SECONDS", 0.5, 0.1, 5);
	int rounds = (int)bench_env("BENCH_POLICYD_ROUNDS", 5, 1, MAX_ROUNDS);
	int cport;
	pid_t cpid;
	ssize_t el;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, bench_alarm);
	alarm(BENCH_ALARM);
	/* the programs: BUILD/bench/bench_policyd -> BUILD/bin/ */
	if ((el = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		bench_fail("/proc/self/exe: %s", strerror(errno));
	exe[el] = '\0';
	if (strlen(dirname(exe)) + 8 > sizeof(bindir))
		bench_fail("%s: path too long", exe);
	snprintf(bindir, sizeof(bindir), "%.1000s/../bin", exe);
	snprintf(exe, sizeof(exe), "%s/lsa-policyd", bindir);
	if (access(exe, X_OK) < 0)
		bench_fail("%s: %s (make progs first)", exe, strerror(errno));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bench_policyd.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		bench_fail("mkdtemp: %s", strerror(errno));
	}

	/* (a) and (b), alternating rounds */
	lg_requests(1000);
	policyd_start("g1000", 1000, 5, "", &pdc);
	policyd_start("g1000cold", 1000, 5, "rotation_interval = 1ms\n",
	    &cold);
	cport = constant_start();
	cpid = children[nchildren - 1];
	for (int round = 0; round < rounds; round++) {
		for (int l = 0; l < NLEVELS; l++) {
			expect = "OK smtp:[";
			lg_run(pdc.port, pdc.pid, levels[l], seconds, 0,
			    &pr[l][round]);
			expect = const_reply;
			lg_run(cport, cpid, levels[l], seconds, 0,
			    &cr[l][round]);
		}
		expect = "OK smtp:[";
		lg_run(cold.port, cold.pid, 16, seconds, 0, &pcold[round]);
		lg_run(pdc.port, pdc.pid, 200, seconds, OPEN_RATE,
		    &po[round]);
		expect = const_reply;
		lg_run(cport, cpid, 200, seconds, OPEN_RATE, &co[round]);
	}
	for (int l = 0; l < NLEVELS; l++) {
		int c = levels[l];

		for (int k = 0; k < rounds; k++)
			ratio[k] = pr[l][k].rate / cr[l][k].rate;
		printf("bench: policyd.lookups_per_s.c%d %.0f lookups/s\n", c,
		    MEDIAN(pr[l], rate));
		printf("bench: constant.lookups_per_s.c%d %.0f lookups/s\n", c,
		    MEDIAN(cr[l], rate));
		printf("bench: policyd.ratio_vs_constant.c%d %.2f x\n", c,
		    bench_median(ratio, rounds));
		printf("bench: policyd.p99_ms.c%d %.3f ms\n", c,
		    MEDIAN(pr[l], p99_ms));
		printf("bench: constant.p99_ms.c%d %.3f ms\n", c,
		    MEDIAN(cr[l], p99_ms));
		if (c == 1)
			continue;	/* c1: mostly sleeping and waking */
		printf("bench: policyd.cpu_us_per_lookup.c%d %.2f us\n", c,
		    MEDIAN(pr[l], srv_us));
		printf("bench: constant.cpu_us_per_lookup.c%d %.2f us\n", c,
		    MEDIAN(cr[l], srv_us));
		printf("bench: client.cpu_us_per_lookup.c%d %.2f us\n", c,
		    MEDIAN(pr[l], cli_us));
	}
	printf("bench: policyd.p99_ms.c200_r%d %.3f ms\n", OPEN_RATE,
	    MEDIAN(po, p99_ms));
	printf("bench: constant.p99_ms.c200_r%d %.3f ms\n", OPEN_RATE,
	    MEDIAN(co, p99_ms));
	for (int k = 0; k < rounds; k++)
		ratio[k] = pcold[k].rate / cr[1][k].rate; /* levels[1]: 16 */
	printf("bench: policyd.lookups_per_s.c16_cold %.0f lookups/s\n",
	    MEDIAN(pcold, rate));
	printf("bench: policyd.ratio_vs_constant.c16_cold %.2f x\n",
	    bench_median(ratio, rounds));
	printf("bench: policyd.cpu_us_per_lookup.c16_cold %.2f us\n",
	    MEDIAN(pcold, srv_us));
	policyd_stop(&cold);
	policyd_stop(&pdc);
	bench_kill_children();

	/* RSS on 2,000 groups x 5 connectors = 10,000 connectors */
	{
		struct lg_result r;
		double rss, hwm;

		lg_requests(2000);
		policyd_start("k10000", 2000, 5, "", &pdc);
		expect = "OK smtp:[";
		lg_run(pdc.port, pdc.pid, 16, 0.3, 0, &r);
		policyd_rss(pdc.pid, &rss, &hwm);
		printf("bench: policyd.rss_mb.k10000 %.1f MB\n", rss);
		printf("bench: policyd.rss_hwm_mb.k10000 %.1f MB\n", hwm);
		policyd_stop(&pdc);
	}
	bench_cleanup();
	for (int i = 0; i < NREQ; i++)
		free(requests[i]);
	return 0;
}
