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

#define RUNS	9

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

/* bench_cmp - doubles ascending */
static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
	qsort(ms, RUNS, sizeof(ms[0]), bench_cmp);
	return ms[RUNS / 2];
}

int
main(void)
{
	uint64_t b100, b2;
	double a100, a2;
	int hops2, hops100;

	setenv("TMPDIR", getenv("TMPDIR") ? getenv("TMPDIR") : "/dev/shm", 1);
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
	return 0;
}
