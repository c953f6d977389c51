/*
 * bench_milter.c - lsa-milter's messages per second, against a milter
 * that does nothing, driven by the same client in the same run.
 *
 * The client speaks the milter protocol (version 6) as Postfix's smtpd
 * does: option negotiation offering every action and every "no" and
 * "no reply" step, then per connection BENCH_MSGS_PER_CONN messages
 * (macros, MAIL, RCPT, 5 headers, one 2 KB body chunk, end of message),
 * honouring what the filter negotiated (skipped stages, stages without a
 * reply), and at end of message reads the modifications up to the final
 * reply. BENCH_THREADS client threads run at once (smtpd processes).
 * Each round measures (a) lsa-milter (a child: -d, tests/milter/
 * tiny.conf as a1, a snapshot from `lsactl snapshot`), (b) every lsa-milter
 * noop_milter (next to this program): the same stages negotiated the
 * same way, every callback returning at once (what libmilter costs for
 * the data lsa-milter needs), and (c) noop_milter -b, every stage
 * negotiated away (the protocol's floor, for reference); back to back;
 * every lsa-milter answer must insert the trace header (checked).
 * Medians over rounds.
 *
 * Prints "bench: milter.msgs_per_s VALUE msgs/s", "bench:
 * noop_milter.msgs_per_s", "bench: noop_bare.msgs_per_s", "bench:
 * milter.ratio_vs_noop VALUE x" (target >= 0.9) and "bench:
 * milter.ratio_vs_bare VALUE x". Exit 1 only when something does not
 * work.
 *
 *   bench_milter -1 SOCKET   the long-line test of tests/cli/milter.sh:
 *                            a message with a 60,000-byte header line
 *                            (must pass: the trace inserted), then one
 *                            with a 1 MB line (over libmilter's packet
 *                            limit: the filter must drop the connection,
 *                            not answer continue). Exit 0 when both hold.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "bench.h"

#define BENCH_THREADS		4
#define BENCH_MSGS_PER_CONN	10
#define BENCH_ROUNDS		5
#define BENCH_SECONDS		0.7
#define BENCH_BODY		2048

struct mc {				/* one client connection */
	int		 fd;
	unsigned long	 steps;		/* SMFIP_* the filter negotiated */
	char		*buf;		/* last reply packet */
	size_t		 cap;
	int		 inserted;	/* SMFIR_INSHEADER seen at eom */
};

/* mc_write - one packet: length, command, data */
static int
mc_write(struct mc *c, char cmd, const void *data, size_t len)
{
	uint32_t n = htonl((uint32_t)len + 1);
	char *p = malloc(len + 5);
	size_t off = 0;
	ssize_t w;

	if (p == NULL)
		abort();
	memcpy(p, &n, 4);
	p[4] = cmd;
	memcpy(p + 5, data, len);
	while (off < len + 5) {
		if ((w = write(c->fd, p + off, len + 5 - off)) <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			free(p);
			return -1;
		}
		off += (size_t)w;
	}
	free(p);
	return 0;
}

/* mc_readn - exactly n bytes */
static int
mc_readn(int fd, void *buf, size_t n)
{
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		if ((r = read(fd, (char *)buf + off, n - off)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)r;
	}
	return 0;
}

/* mc_read - one packet: its command, the data in c->buf; -1 on EOF */
static int
mc_read(struct mc *c, size_t *len)
{
	uint32_t n;

	if (mc_readn(c->fd, &n, 4) < 0)
		return -1;
	n = ntohl(n);
	if (n == 0 || n > 1 << 20)
		return -1;
	if (n > c->cap) {
		c->cap = n;
		if ((c->buf = realloc(c->buf, n)) == NULL)
			abort();
	}
	if (mc_readn(c->fd, c->buf, n) < 0)
		return -1;
	*len = n - 1;
	return (unsigned char)c->buf[0];
}

/* mc_step - a stage: sent unless negotiated away, its reply unless NR */
static int
mc_step(struct mc *c, char cmd, const void *data, size_t len,
    unsigned long no, unsigned long nr)
{
	size_t rl;
	int r;

	if (c->steps & no)
		return 0;
	if (mc_write(c, cmd, data, len) < 0)
		return -1;
	if (c->steps & nr)
		return 0;
	r = mc_read(c, &rl);
	return r == SMFIR_CONTINUE ? 0 : -1;
}

/* mc_connect - connect to a unix socket and negotiate; -1 on failure */
static int
mc_connect(struct mc *c, const char *path)
{
	struct sockaddr_un sun;
	uint32_t opt[3];
	size_t len;

	memset(c, 0, sizeof(*c));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(c->fd);
		return -1;
	}
	opt[0] = htonl(6);
	opt[1] = htonl(0x1ff);			/* every action */
	opt[2] = htonl(0x1fffff);		/* every step flag */
	if (mc_write(c, SMFIC_OPTNEG, opt, sizeof(opt)) < 0 ||
	    mc_read(c, &len) != SMFIC_OPTNEG || len < 12)
		return -1;
	memcpy(opt, c->buf + 1, 12);
	c->steps = ntohl(opt[2]);
	return 0;
}

/* mc_close - quit and close */
static void
mc_close(struct mc *c)
{
	mc_write(c, SMFIC_QUIT, "", 0);
	close(c->fd);
	free(c->buf);
}

/* mc_conn - the connect stage, from 127.0.11.1 (b1, inside) */
static int
mc_conn(struct mc *c)
{
	static const char mac[] = "C{client_addr}\0" "127.0.11.1";
	static const char conn[] = "b1.tiny.test\0" "4\0\0" "127.0.11.1";

	if (mc_write(c, SMFIC_MACRO, mac, sizeof(mac)) < 0)
		return -1;
	return mc_step(c, SMFIC_CONNECT, conn, sizeof(conn), SMFIP_NOCONNECT,
	    SMFIP_NR_CONN);
}

/*
 * mc_message - one message, header line hlen bytes long (0: none);
 * returns the final reply command, -1 when the connection broke
 */
static int
mc_message(struct mc *c, unsigned n, size_t hlen)
{
	static char body[BENCH_BODY];
	static const char *hdrs[][2] = {
		{ "From", "x@a.tiny.test" }, { "To", "y@a.tiny.test" },
		{ "Subject", "bench" }, { "Message-Id", "<1@a.tiny.test>" },
		{ "X-LSA-Trace", "group=B; server=b1; lst=7/0; t=1" },
	};
	char mac[64], h[256];
	size_t len;
	int r, ml;

	memset(body, 'x', sizeof(body));
	ml = snprintf(mac, sizeof(mac), "Mi%cQ%u", '\0', n) + 1;
	if (mc_write(c, SMFIC_MACRO, mac, (size_t)ml) < 0 ||
	    mc_step(c, SMFIC_MAIL, "<x@a.tiny.test>", 16, SMFIP_NOMAIL,
	    SMFIP_NR_MAIL) < 0 ||
	    mc_step(c, SMFIC_RCPT, "<y@a.tiny.test>", 16, SMFIP_NORCPT,
	    SMFIP_NR_RCPT) < 0 ||
	    mc_step(c, SMFIC_DATA, "", 0, SMFIP_NODATA, SMFIP_NR_DATA) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		size_t a = strlen(hdrs[i][0]) + 1, b = strlen(hdrs[i][1]) + 1;

		memcpy(h, hdrs[i][0], a);
		memcpy(h + a, hdrs[i][1], b);
		if (mc_step(c, SMFIC_HEADER, h, a + b, SMFIP_NOHDRS,
		    SMFIP_NR_HDR) < 0)
			return -1;
	}
	if (hlen > 0) {
		char *big = malloc(hlen + 8);

		if (big == NULL)
			abort();
		memcpy(big, "X-Big", 6);
		memset(big + 6, 'b', hlen);
		big[6 + hlen] = '\0';
		r = mc_step(c, SMFIC_HEADER, big, hlen + 7, SMFIP_NOHDRS,
		    SMFIP_NR_HDR);
		free(big);
		if (r < 0)
			return -1;
	}
	if (mc_step(c, SMFIC_EOH, "", 0, SMFIP_NOEOH, SMFIP_NR_EOH) < 0 ||
	    mc_step(c, SMFIC_BODY, body, sizeof(body), SMFIP_NOBODY,
	    SMFIP_NR_BODY) < 0 ||
	    mc_write(c, SMFIC_BODYEOB, "", 0) < 0)
		return -1;
	c->inserted = 0;
	for (;;) {
		if ((r = mc_read(c, &len)) < 0)
			return -1;
		if (r == SMFIR_INSHEADER || r == SMFIR_ADDHEADER)
			c->inserted = 1;
		else if (r != SMFIR_CHGHEADER && r != SMFIR_PROGRESS)
			return r;
	}
}

struct worker {
	const char	*path;
	double		 until;
	int		 check;		/* the trace must be inserted */
	uint64_t	 msgs;
	int		 failed;
};

/* worker_run - messages until the deadline */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct mc c;

	while (bench_now() < w->until && !w->failed) {
		if (mc_connect(&c, w->path) < 0 || mc_conn(&c) < 0) {
			w->failed = 1;
			break;
		}
		for (unsigned i = 0; i < BENCH_MSGS_PER_CONN; i++) {
			if (mc_message(&c, i, 0) != SMFIR_CONTINUE ||
			    (w->check && !c.inserted)) {
				w->failed = 1;
				break;
			}
			w->msgs++;
		}
		mc_close(&c);
	}
	return NULL;
}

/* measure - messages a second through the filter at path */
static double
measure(const char *path, int check)
{
	struct worker w[BENCH_THREADS];
	pthread_t t[BENCH_THREADS];
	double t0 = bench_now(), secs;
	uint64_t total = 0;

	for (int i = 0; i < BENCH_THREADS; i++) {
		w[i] = (struct worker){ path, t0 + BENCH_SECONDS, check, 0, 0 };
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < BENCH_THREADS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failed) {
			fprintf(stderr, "bench_milter: %s: a message failed\n",
			    path);
			exit(1);
		}
		total += w[i].msgs;
	}
	secs = bench_now() - t0;
	return (double)total / secs;
}

/* spawn - a child running argv, dying with this program */
static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (freopen(log, "w", stderr) == NULL)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* wait_sock - the socket appears (5 s at most) */
static int
wait_sock(const char *path)
{
	struct stat st;

	for (int i = 0; i < 500; i++) {
		if (stat(path, &st) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* longline - the -1 test against a filter at path */
static int
longline(const char *path)
{
	struct mc c;
	int r;

	if (mc_connect(&c, path) < 0 || mc_conn(&c) < 0)
		return 1;
	r = mc_message(&c, 1, 60000);
	if (r != SMFIR_CONTINUE || !c.inserted) {
		fprintf(stderr, "60,000-byte line: reply %d\n", r);
		return 1;
	}
	r = mc_message(&c, 2, 1024 * 1024);
	mc_close(&c);
	if (r == SMFIR_CONTINUE) {
		fprintf(stderr, "1 MB line: answered continue\n");
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[4096], tmp[] = "/tmp/bench_milter.XXXXXX", cmd[16384];
	char msock[4200], nsock[4200], conf[4200], snap[4200], mlog[4200];
	char nlog[4200], milter[4200], noop[4200], lsactl[4200];
	char bsock[4200], blog[4200];
	double m[BENCH_ROUNDS], n[BENCH_ROUNDS], r[BENCH_ROUNDS];
	double b[BENCH_ROUNDS], rb[BENCH_ROUNDS];
	pid_t mp, np, bp;
	char *bin;
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "-1") == 0)
		return longline(argv[2]);
	alarm(120);
	snprintf(dir, sizeof(dir), "%s", argv[0]);
	bin = dirname(dir);
	snprintf(milter, sizeof(milter), "%s/../bin/lsa-milter", bin);
	snprintf(lsactl, sizeof(lsactl), "%s/../bin/lsactl", bin);
	snprintf(noop, sizeof(noop), "%s/noop_milter", bin);
	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(msock, sizeof(msock), "%s/m.sock", tmp);
	snprintf(nsock, sizeof(nsock), "%s/n.sock", tmp);
	snprintf(bsock, sizeof(bsock), "%s/b.sock", tmp);
	snprintf(blog, sizeof(blog), "%s/b.log", tmp);
	snprintf(conf, sizeof(conf), "%s/m.conf", tmp);
	snprintf(snap, sizeof(snap), "%s/lst.snapshot", tmp);
	snprintf(mlog, sizeof(mlog), "%s/m.log", tmp);
	snprintf(nlog, sizeof(nlog), "%s/n.log", tmp);
	if ((f = fopen(conf, "w")) == NULL)
		return 1;
	fprintf(f, "[agent]\nserver = a1\ntopology = %s/tests/milter/tiny.conf"
	    "\nstate_dir = %s\n[policyd]\ntransport = smtp\nsnapshot = %s\n"
	    "[milter]\nlisten = unix:%s\n", getcwd(cmd, sizeof(cmd)), tmp,
	    snap, msock);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s snapshot -c %s --lst-version 7 -o %s",
	    lsactl, conf, snap);
	if (system(cmd) != 0)
		return 1;
	mp = spawn((char *[]){ milter, "-d", "-c", conf, NULL }, mlog);
	np = spawn((char *[]){ noop, nsock, NULL }, nlog);
	bp = spawn((char *[]){ noop, "-b", bsock, NULL }, blog);
	if (wait_sock(msock) < 0 || wait_sock(nsock) < 0 ||
	    wait_sock(bsock) < 0) {
		fprintf(stderr, "bench_milter: a filter did not start "
		    "(logs in %s)\n", tmp);
		return 1;
	}
	usleep(100000);
	for (int i = 0; i < BENCH_ROUNDS; i++) {
		m[i] = measure(msock, 1);
		n[i] = measure(nsock, 0);
		b[i] = measure(bsock, 0);
		r[i] = m[i] / n[i];
		rb[i] = m[i] / b[i];
	}
	printf("bench: milter.msgs_per_s %.0f msgs/s\n",
	    bench_median(m, BENCH_ROUNDS));
	printf("bench: noop_milter.msgs_per_s %.0f msgs/s\n",
	    bench_median(n, BENCH_ROUNDS));
	printf("bench: noop_bare.msgs_per_s %.0f msgs/s\n",
	    bench_median(b, BENCH_ROUNDS));
	printf("bench: milter.ratio_vs_noop %.2f x\n",
	    bench_median(r, BENCH_ROUNDS));
	printf("bench: milter.ratio_vs_bare %.2f x\n",
	    bench_median(rb, BENCH_ROUNDS));
	kill(mp, SIGTERM);
	kill(np, SIGTERM);
	kill(bp, SIGTERM);
	waitpid(mp, NULL, 0);
	waitpid(np, NULL, 0);
	waitpid(bp, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : 1;
}
