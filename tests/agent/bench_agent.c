/*
 * bench_agent.c - convergence of the link-state protocol: 100 agents in
 * 20 groups (harness.h: one process, real TLS on loopback); from one
 * connector state change at a bridgehead member to every agent holding
 * it. Prints, as "bench: NAME VALUE UNIT":
 *
 *   lsa.converge_ms.a100     median over the runs (target < 100 ms)
 *   lsa.converge_ms.a2       the same with two agents (one hop): baseline
 *   lsa.converge_ratio.a100_over_a2
 *   lsa.hops.a2, .a100       adjacency hops from the origin to the farthest
 *   lsa.bytes_per_peer       most bytes one session sent for one change,
 *                            TLS included (target <= 512)
 *   lsa.detect_to_all_ms     a real link failure (smtp-sink killed) at
 *                            g00-1: from the down mark, after the glitch
 *                            sequence, to every agent holding it
 *   lsa.glitch_to_all_ms     the same from the first failed probe
 *   lsa.flap_changes         changes propagated by a link flapping every
 *                            10 s for 10 minutes (default damping
 *                            settings, injected clock; target <= 6)
 *   lsa.failover_ms          100 agents, group g00 with backup masters:
 *                            from the master stopped to every agent
 *                            following the first backup (median of
 *                            FAILOVER_RUNS; master_dead_interval
 *                            FAILOVER_MDI_MS is in it: target <= it + 1 s)
 *   lsa.failover_over_mdi_ms the same less master_dead_interval
 *   lsa.sign_us              sig_sign() of one connector record: median
 *                            over SIG_RECORDS records after SIG_WARMUP
 *   lsa.verify_us            sig_verify() of one connector record (the
 *                            origin's key known): median, the same way
 *   lsa.verify_cert_us       sig_verify() of one cert record (chain to
 *                            the CA, then the signature): median
 *
 * The keys are tests/agent/mkca.sh's: EC P-256, records signed with
 * ECDSA over SHA-256.
 *
 * State directories go to TMPDIR (default /dev/shm): one process writes
 * every agent's files here, 200 fsyncs a change, which on a disk would
 * measure the disk; each real agent writes only its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_priv.h"
#include "harness.h"
#include "xmalloc.h"

#include "../bench/bench.h"

#define RUNS	9
#define FAILOVER_RUNS	5
#define FAILOVER_MDI_MS	200
#define SIG_RECORDS	2000
#define SIG_WARMUP	200

struct watch {
	char		 key[LSREC_KEY_MAX];
	uint64_t	 seq;
	int		 got;
	int		 hops_max;
};

/* bench_seen - count agents that installed the watched record */
static void
bench_seen(struct agent *a, const struct lsrec *r, void *arg)
{
	struct watch *w = arg;
	char key[LSREC_KEY_MAX];

	(void)a;
	lsrec_key(r, key, sizeof(key));
	if (r->seq == w->seq && strcmp(key, w->key) == 0)
		w->got++;
}

/* bench_all_got - every agent has it */
static int
bench_all_got(struct harness *h, void *arg)
{
	return ((struct watch *)arg)->got >= h->n;
}

/* bench_bytes - bytes_out of every session, in a fixed order */
static size_t
bench_bytes(struct harness *h, uint64_t *out, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < h->n; i++) {
		struct peer *p;

		TAILQ_FOREACH(p, &h->ag[i]->peers, entry)
			if (n < max)
				out[n++] = p->s ? p->s->bytes_out : 0;
	}
	return n;
}

/* bench_hops - adjacency hops from agent o to the farthest (BFS) */
static int
bench_hops(struct harness *h, int o)
{
	int *dist = xcalloc((size_t)h->n, sizeof(int));
	int *queue = xcalloc((size_t)h->n, sizeof(int));
	int head = 0, tail = 0, far = 0;

	for (int i = 0; i < h->n; i++)
		dist[i] = -1;
	dist[o] = 0;
	queue[tail++] = o;
	while (head < tail) {
		int u = queue[head++];
		struct peer *p;

		TAILQ_FOREACH(p, &h->ag[u]->peers, entry) {
			int v = harness_find(h, p->name);

			if (v >= 0 && dist[v] < 0) {
				dist[v] = dist[u] + 1;
				far = dist[v] > far ? dist[v] : far;
				queue[tail++] = v;
			}
		}
	}
	free(dist);
	free(queue);
	return far;
}

/* bench_run - converge RUNS changes; median ms, max bytes per session */
static double
bench_run(int groups, int per, const char *origin, const char *conn,
    uint64_t *bytes_max, int *hops)
{
	char *t = harness_topology(groups, per, harness_port_base(0));
	struct harness *h = harness_new(t, NULL, HARNESS_START | HARNESS_NO_MONITOR);
	struct watch w;
	double ms[RUNS];
	uint64_t before[4096], after[4096];
	int oi = harness_find(h, origin);

	free(t);
	if (harness_run_until(h, harness_all_full, NULL, 60000) < 0 ||
	    harness_run_until(h, harness_all_same, NULL, 60000) < 0) {
		fprintf(stderr, "bench_agent: agents did not synchronize\n");
		exit(1);
	}
	*hops = bench_hops(h, oi);
	memset(&w, 0, sizeof(w));
	h->on_record = bench_seen;
	h->arg = &w;
	*bytes_max = 0;
	for (int r = 0; r < RUNS; r++) {
		char err[256];
		size_t n = bench_bytes(h, before, 4096);
		uint64_t t0 = harness_ms_us();
		const struct lsrec *rec;

		w.got = 0;
		snprintf(w.key, sizeof(w.key), "connector:%s:%s", conn,
		    origin);
		/* the seq the change will get: the hook counts the origin */
		w.seq = (uint64_t)h->ag[oi]->epoch << 32 |
		    (h->ag[oi]->counter + 1);
		if (agent_set_connector(h->ag[oi], conn, r % 2 == 0, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "bench_agent: %s\n", err);
			exit(1);
		}
		rec = lsdb_get(agent_lsdb(h->ag[oi]), w.key);
		if (rec == NULL || rec->seq != w.seq ||
		    harness_run_until(h, bench_all_got, &w, 10000) < 0) {
			fprintf(stderr, "bench_agent: no convergence (%d of "
			    "%d)\n", w.got, h->n);
			exit(1);
		}
		ms[r] = (double)(harness_ms_us() - t0) / 1000.0;
		/* let echoes and the files settle before counting bytes */
		harness_run_until(h, harness_never, NULL, 30);
		if (bench_bytes(h, after, 4096) != n) {
			fprintf(stderr, "bench_agent: sessions changed\n");
			exit(1);
		}
		for (size_t i = 0; i < n; i++)
			if (after[i] - before[i] > *bytes_max)
				*bytes_max = after[i] - before[i];
	}
	harness_free(h);
	return bench_median(ms, RUNS);
}

/* detection: the monitor's down mark to all */
struct detect {
	char		 key[LSREC_KEY_MAX];
	const char	*origin;
	uint64_t	 t_mark;	/* us */
	uint64_t	 t_all;
	int		 got;
};

static void
bench_detect_seen(struct agent *a, const struct lsrec *r, void *arg)
{
	struct detect *d = arg;
	char key[LSREC_KEY_MAX];

	lsrec_key(r, key, sizeof(key));
	if (strcmp(key, d->key) != 0 || !r->down)
		return;
	if (strcmp(agent_server(a), d->origin) == 0)
		d->t_mark = harness_ms_us();
	d->got++;
}

static int
bench_detect_all(struct harness *h, void *arg)
{
	struct detect *d = arg;

	if (d->got >= h->n && d->t_all == 0)
		d->t_all = harness_ms_us();
	return d->got >= h->n;
}

static int
bench_links_up(struct harness *h, void *arg)
{
	struct mon_link *l;

	(void)arg;
	for (int i = 0; i < h->n; i++)
		TAILQ_FOREACH(l, &h->ag[i]->links, entry)
			if (l->state != MON_UP || l->advertised)
				return 0;
	return 1;
}

static int
bench_retrying(struct harness *h, void *arg)
{
	struct mon_link *l = monitor_find(h->ag[harness_find(h, "g00-1")],
	    "g00-g01");

	(void)arg;
	return l != NULL && l->state != MON_UP;
}

/*
 * bench_detect - 100 agents with their link monitors; every target greets
 * from one smtp-sink but g01-1 (the target of g00-g01) from another, which
 * is killed. Median over runs of (down mark -> all) and (first failure ->
 * all), in ms.
 */
static void
bench_detect(double *mark_ms, double *glitch_ms)
{
	int base = harness_port_base(0), runs = 5;
	char *t = harness_topology(20, 5, base), *u = NULL;
	size_t ulen = 0;
	FILE *fp = open_memstream(&u, &ulen);
	double m[5], g[5];
	struct harness *h;
	struct detect d;
	pid_t all, one;

	/* every server's smtp_port: the common sink, g01-1's its own */
	for (const char *p = t; *p != '\0'; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		fwrite(p, 1, n, fp);
		if (strncmp(p, "agent_port = ", 13) == 0)
			fprintf(fp, "smtp_port = %d\n", atoi(p + 13) ==
			    base + 6 ? base + 100 : base + 101);
		p += n;
	}
	fclose(fp);
	free(t);
	all = harness_sink_start(base + 101);
	one = harness_sink_start(base + 100);
	h = harness_new(u, "glitch_retry_interval = 20ms\nglitch_retries = 3\n"
	    "probe_interval = 10ms\ndown_retry_interval = 20ms\n"
	    "probe_timeout = 1s\ndamping_half_life = 10ms\n"
	    "damping_max_suppress = 50ms\n", HARNESS_START);
	free(u);
	if (harness_run_until(h, harness_all_full, NULL, 60000) < 0 ||
	    harness_run_until(h, bench_links_up, NULL, 60000) < 0 ||
	    harness_run_until(h, harness_all_same, NULL, 60000) < 0) {
		fprintf(stderr, "bench_agent: monitored agents did not settle\n");
		exit(1);
	}
	memset(&d, 0, sizeof(d));
	d.origin = "g00-1";
	snprintf(d.key, sizeof(d.key), "connector:g00-g01:g00-1");
	h->on_record = bench_detect_seen;
	h->arg = &d;
	for (int r = 0; r < runs; r++) {
		uint64_t t_fail;

		d.got = 0;
		d.t_mark = d.t_all = 0;
		harness_sink_stop(one);
		if (harness_run_until(h, bench_retrying, NULL, 10000) < 0)
			exit(1);
		t_fail = harness_ms_us();
		if (harness_run_until(h, bench_detect_all, &d, 10000) < 0) {
			fprintf(stderr, "bench_agent: detection incomplete "
			    "(%d of %d)\n", d.got, h->n);
			exit(1);
		}
		m[r] = (double)(d.t_all - d.t_mark) / 1000.0;
		g[r] = (double)(d.t_all - t_fail) / 1000.0;
		one = harness_sink_start(base + 100);
		if (harness_run_until(h, bench_links_up, NULL, 20000) < 0 ||
		    harness_run_until(h, harness_all_same, NULL, 20000) < 0) {
			fprintf(stderr, "bench_agent: no recovery\n");
			exit(1);
		}
	}
	harness_free(h);
	harness_sink_stop(one);
	harness_sink_stop(all);
	*mark_ms = bench_median(m, runs);
	*glitch_ms = bench_median(g, runs);
}

/* the injected clock of the flap figure */
static uint64_t flap_now;

static uint64_t
bench_clock(void *arg)
{
	(void)arg;
	return flap_now;
}

/* bench_flap - changes propagated by a link flapping every 10 s for 10
 * minutes, with the default damping settings */
static uint64_t
bench_flap(void)
{
	char *t = harness_topology(2, 2, harness_port_base(0));
	struct harness *h = harness_new(t, NULL, 0);
	struct agent *a;
	uint64_t n;

	free(t);
	flap_now = 1000000;
	a = harness_clocked(h, harness_find(h, "g00-1"), bench_clock);
	n = harness_flap(monitor_find(a, "g00-g01"), &flap_now, 10000,
	    600000);
	harness_free(h);
	return n;
}

/* bench_followed - cond: every running agent has g00-2 as g00's master */
static int
bench_followed(struct harness *h, void *arg)
{
	(void)arg;
	for (int i = 0; i < h->n; i++) {
		const struct topology *t;

		if (h->ag[i] == NULL)
			continue;
		t = h->ag[i]->topo;
		if (strcmp(t->servers[t->groups[0].master].name, "g00-2") != 0)
			return 0;
	}
	return 1;
}

/* bench_failover - median ms from the master stopped to all following */
static double
bench_failover(void)
{
	double ms[FAILOVER_RUNS];

	for (int r = 0; r < FAILOVER_RUNS; r++) {
		char *t = harness_insert(harness_topology(20, 5,
		    harness_port_base(0)), "[group g00]",
		    "backup_masters = g00-2, g00-3\n");
		struct harness *h;
		uint64_t t0;

		h = harness_new(t, NULL, HARNESS_START | HARNESS_NO_MONITOR);
		free(t);
		if (harness_run_until(h, harness_all_full, NULL, 60000) < 0 ||
		    harness_run_until(h, harness_all_same, NULL, 60000) < 0) {
			fprintf(stderr, "bench_agent: agents did not "
			    "synchronize\n");
			exit(1);
		}
		/* short once all run: a slow start is not a failure */
		for (int i = 0; i < h->n; i++)
			h->set[i].master_dead_interval = FAILOVER_MDI_MS;
		t0 = harness_ms_us();
		harness_stop(h, harness_find(h, "g00-0"));
		if (harness_run_until(h, bench_followed, NULL, 30000) < 0) {
			fprintf(stderr, "bench_agent: no failover\n");
			for (int i = 0; i < h->n; i++)
				if (h->ag[i] != NULL)
					fprintf(stderr, "%s v%ju %s\n", h->names[i],
					    (uintmax_t)h->ag[i]->topo->version, h->ag[i]->topo->servers[h->ag[i]->topo->groups[0].master].name);
			exit(1);
		}
		ms[r] = (double)(harness_ms_us() - t0) / 1000.0;
		harness_free(h);
	}
	return bench_median(ms, FAILOVER_RUNS);
}

/* bench_sig_new - server i's signing and verifying state, or exit */
static struct sig *
bench_sig_new(struct harness *h, int i)
{
	struct sig *g;
	char err[512];

	if ((g = sig_new(&h->set[i], h->names[i], err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_agent: %s: %s\n", h->names[i], err);
		exit(1);
	}
	return g;
}

/* bench_sig_verify - r verifies under g, or exit */
static void
bench_sig_verify(struct sig *g, const struct lsrec *r)
{
	char err[256];

	if (sig_verify(g, r, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_agent: verify: %s\n", err);
		exit(1);
	}
}

/*
 * bench_sig - median microseconds of sig_sign() and sig_verify() on one
 * connector record (SIG_RECORDS distinct records, after SIG_WARMUP), and
 * of sig_verify() on one cert record (chain and signature), as a peer
 * does it: g00-0 signs, g01-0 verifies with the key of g00-0's cert
 * record it learnt.
 */
static void
bench_sig(double *sign_us, double *verify_us, double *cert_us)
{
	char *t = harness_topology(2, 1, harness_port_base(0));
	struct harness *h = harness_new(t, NULL, 0);
	struct lsrec cert, *recs = xcalloc(SIG_RECORDS, sizeof(*recs));
	double *us = xcalloc(SIG_RECORDS, sizeof(*us)), t0;
	struct sig *signer = bench_sig_new(h, 0), *verifier;

	free(t);
	verifier = bench_sig_new(h, 1);
	memset(&cert, 0, sizeof(cert));
	cert.kind = LSREC_CERT;
	snprintf(cert.origin, sizeof(cert.origin), "%s", h->names[0]);
	cert.seq = (uint64_t)1 << 32 | 1;
	cert.time_ms = 1700000000000LL;
	cert.text = xstrdup(sig_own_cert(signer));
	if (sig_sign(signer, &cert) < 0) {
		fprintf(stderr, "bench_agent: cannot sign\n");
		exit(1);
	}
	bench_sig_verify(verifier, &cert);
	sig_learn(verifier, &cert);
	for (int i = 0; i < SIG_RECORDS; i++) {
		struct lsrec *r = &recs[i];

		r->kind = LSREC_CONNECTOR;
		snprintf(r->origin, sizeof(r->origin), "%s", h->names[0]);
		snprintf(r->name, sizeof(r->name), "g00-g01");
		snprintf(r->source, sizeof(r->source), "%s", h->names[0]);
		r->down = i % 2;
		r->seq = (uint64_t)1 << 32 | (uint64_t)(i + 2);
		r->time_ms = cert.time_ms + i;
	}
	for (int i = 0; i < SIG_WARMUP; i++) {
		(void)sig_sign(signer, &recs[i]);
		bench_sig_verify(verifier, &recs[i]);
	}
	for (int i = 0; i < SIG_RECORDS; i++) {
		t0 = bench_now();
		if (sig_sign(signer, &recs[i]) < 0) {
			fprintf(stderr, "bench_agent: cannot sign\n");
			exit(1);
		}
		us[i] = (bench_now() - t0) * 1e6;
	}
	*sign_us = bench_median(us, SIG_RECORDS);
	for (int i = 0; i < SIG_RECORDS; i++) {
		t0 = bench_now();
		bench_sig_verify(verifier, &recs[i]);
		us[i] = (bench_now() - t0) * 1e6;
	}
	*verify_us = bench_median(us, SIG_RECORDS);
	for (int i = 0; i < SIG_WARMUP; i++)
		bench_sig_verify(verifier, &cert);
	for (int i = 0; i < SIG_RECORDS; i++) {
		t0 = bench_now();
		bench_sig_verify(verifier, &cert);
		us[i] = (bench_now() - t0) * 1e6;
	}
	*cert_us = bench_median(us, SIG_RECORDS);
	lsrec_clear(&cert);
	free(recs);
	free(us);
	sig_free(signer);
	sig_free(verifier);
	harness_free(h);
}

int
main(void)
{
	uint64_t b100, b2;
	double a100, a2;
	int hops2, hops100;
	double mark, glitch, sign_us, verify_us, cert_us;

	setenv("TMPDIR", getenv("TMPDIR") ? getenv("TMPDIR") : "/dev/shm", 1);
	bench_sig(&sign_us, &verify_us, &cert_us);
	printf("bench: lsa.sign_us %.1f us (median of %d connector records, "
	    "EC P-256)\n", sign_us, SIG_RECORDS);
	printf("bench: lsa.verify_us %.1f us (median of %d connector "
	    "records)\n", verify_us, SIG_RECORDS);
	printf("bench: lsa.verify_cert_us %.1f us (median of %d: chain and "
	    "signature)\n", cert_us, SIG_RECORDS);
	fflush(stdout);
	a2 = bench_run(2, 1, "g00-0", "g00-g01", &b2, &hops2);
	a100 = bench_run(20, 5, "g00-1", "g00-g01", &b100,
	    &hops100);
	printf("bench: lsa.converge_ms.a2 %.3f ms\n", a2);
	printf("bench: lsa.converge_ms.a100 %.3f ms\n", a100);
	printf("bench: lsa.converge_ratio.a100_over_a2 %.1f x\n", a100 / a2);
	printf("bench: lsa.hops.a2 %d hops\n", hops2);
	printf("bench: lsa.hops.a100 %d hops\n", hops100);
	printf("bench: lsa.bytes_per_peer %ju bytes\n", (uintmax_t)
	    (b100 > b2 ? b100 : b2));
	bench_detect(&mark, &glitch);
	printf("bench: lsa.detect_to_all_ms %.3f ms\n", mark);
	printf("bench: lsa.glitch_to_all_ms %.3f ms (glitch sequence 3 x "
	    "20 ms)\n", glitch);
	printf("bench: lsa.flap_changes %ju changes (flap every 10 s for "
	    "10 min; target <= 6)\n", (uintmax_t)bench_flap());
	mark = bench_failover();
	printf("bench: lsa.failover_ms %.3f ms (100 agents, "
	    "master_dead_interval %d ms)\n", mark, FAILOVER_MDI_MS);
	printf("bench: lsa.failover_over_mdi_ms %.3f ms\n",
	    mark - FAILOVER_MDI_MS);
	return 0;
}
