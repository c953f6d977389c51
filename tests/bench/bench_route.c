/*
 * bench_route.c - routing engine benchmarks.
 *
 * Generated organizations of 100, 1,000 and 10,000 groups (2 servers and
 * about 5 one-way connectors a group, costs 1..100, one mailbox domain a
 * group), loaded through the real topology parser. Prints, one figure a
 * line, "bench: NAME VALUE UNIT":
 *   route.rebuild_ms.gN      median time to rebuild the routing table
 *                            after one link change
 *   route.rebuild_ratio.gN   that time over a baseline measured in the
 *                            same run: one pass over every connector of
 *                            the topology (the least work any rebuild does)
 *   route.lookup_us.g1000    median time of one decision, random recipients
 *   route.lookups_per_s.g1000
 *   route.lookup_ratio.g1000 a decision over the baseline of the address
 *                            space index lookup alone
 *   route.growth.g10000_over_g1000  rebuild time ratio; n log n is ~13
 * Medians of repeated runs: the machine is shared and noisy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "linkstate.h"
#include "route.h"
#include "route_index.h"
#include "topology.h"

#define RUNS	21

static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;

/* bench_rand - xorshift64*, deterministic */
static uint32_t
bench_rand(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return (uint32_t)((bench_rng * 2685821657736338717ULL) >> 32);
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp);
	return v[n / 2];
}

/* bench_topology - a generated organization as topology text */
static char *
bench_topology(int ngroups, size_t *len)
{
	size_t cap = (size_t)ngroups * 700 + 4096;
	char *buf = malloc(cap), *p = buf;

	p += sprintf(p, "[organization]\nname = Bench\nversion = 1\n");
	for (int g = 0; g < ngroups; g++) {
		p += sprintf(p, "[group g%d]\n[server s%da]\ngroup = g%d\n"
		    "address = 127.1.%d.%d\nmailboxes = d%d.bench.test\n"
		    "[server s%db]\ngroup = g%d\naddress = 127.2.%d.%d\n",
		    g, g, g, g / 250, g % 250 + 1, g, g, g, g / 250,
		    g % 250 + 1);
	}
	for (int g = 0; g < ngroups; g++) {
		/* a ring keeps it connected; four random links add paths */
		for (int k = 0; k < 5; k++) {
			int to = k == 0 ? (g + 1) % ngroups :
			    (int)(bench_rand() % (uint32_t)ngroups);

			if (to == g)
				to = (g + 1) % ngroups;
			p += sprintf(p, "[connector c%d-%d]\nfrom = g%d\n"
			    "to = g%d\ncost = %u\n", g, k, g, to,
			    1 + bench_rand() % 100);
		}
	}
	*len = (size_t)(p - buf);
	return buf;
}

/* bench_edge_scan - the baseline: touch every connector once */
static double
bench_edge_scan(const struct topology *t)
{
	double t0 = bench_now();
	volatile long sum = 0;

	for (int g = 0; g < t->ngroups; g++)
		for (int k = 0; k < t->groups[g].out.n; k++)
			sum += t->connectors[t->groups[g].out.v[k]].cost;
	return bench_now() - t0;
}

/* bench_one - every figure for one size */
static double
bench_one(int ngroups, int lookups)
{
	struct route_params p = { .self = 0, .transport = "smtp" };
	double rebuild[RUNS], scan[RUNS];
	struct route_decision d;
	struct route_index *ix;
	struct linkstate *ls;
	struct topology *t;
	struct diag dg;
	size_t len;
	char *text = bench_topology(ngroups, &len);

	diag_init(&dg);
	if ((t = topo_load_buf("bench", text, len, &dg)) == NULL) {
		diag_print(&dg, stderr);
		exit(1);
	}
	free(text);
	diag_free(&dg);
	ix = route_index_new(t);
	ls = linkstate_new(t);
	for (int r = 0; r < RUNS; r++) {
		struct route_table *rt;
		int c = (int)(bench_rand() % (uint32_t)t->nconnectors);
		double t0;

		linkstate_set_connector(ls, t, c, -1, r & 1);
		t0 = bench_now();
		rt = route_table_new(t, ix, ls, &p);
		rebuild[r] = bench_now() - t0;
		route_table_free(rt);
		scan[r] = bench_edge_scan(t);
	}
	double rb = bench_median(rebuild, RUNS), sc = bench_median(scan, RUNS);

	printf("bench: route.rebuild_ms.g%d %.3f ms\n", ngroups, rb * 1e3);
	printf("bench: route.rebuild_ratio.g%d %.1f x_edge_scan\n", ngroups,
	    rb / sc);
	if (lookups > 0) {
		struct route_table *rt = route_table_new(t, ix, ls, &p);
		const struct route_entry *e[8];
		double dec[RUNS], base[RUNS];
		char (*rcpt)[64] = malloc((size_t)lookups * sizeof(*rcpt));
		char (*dom)[64] = malloc((size_t)lookups * sizeof(*dom));
		volatile long sink = 0;

		for (int i = 0; i < lookups; i++) {
			unsigned g = bench_rand() % (unsigned)ngroups;

			snprintf(rcpt[i], sizeof(rcpt[i]),
			    "User%u+x@D%u.Bench.Test", bench_rand() % 1000, g);
			snprintf(dom[i], sizeof(dom[i]), "d%u.bench.test", g);
		}
		route_decision_init(&d);
		for (int r = 0; r < RUNS; r++) {
			double t0 = bench_now();

			for (int i = 0; i < lookups; i++) {
				route_decide(rt, rcpt[i], 1000, (unsigned)i, &d);
				sink += d.nhosts;
			}
			dec[r] = (bench_now() - t0) / lookups;
			t0 = bench_now();
			for (int i = 0; i < lookups; i++)
				sink += route_index_lookup(ix, dom[i], NULL,
				    NULL, e, 8);
			base[r] = (bench_now() - t0) / lookups;
		}
		double dm = bench_median(dec, RUNS), bm = bench_median(base,
		    RUNS);

		printf("bench: route.lookup_us.g%d %.3f us\n", ngroups,
		    dm * 1e6);
		printf("bench: route.lookups_per_s.g%d %.0f lookups/s\n",
		    ngroups, 1.0 / dm);
		printf("bench: route.lookup_ratio.g%d %.1f x_index_lookup\n",
		    ngroups, dm / bm);
		route_decision_free(&d);
		route_table_free(rt);
		free(rcpt);
		free(dom);
	}
	linkstate_free(ls);
	route_index_free(ix);
	topo_free(t);
	return rb;
}

int
main(void)
{
	double g1000, g10000;

	bench_one(100, 0);
	g1000 = bench_one(1000, 20000);
	g10000 = bench_one(10000, 0);
	printf("bench: route.growth.g10000_over_g1000 %.1f x (n log n: "
	    "13.3)\n", g10000 / g1000);
	return 0;
}
