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

#include "bench.h"

#define RUNS	21

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
	char *text = bench_topology(ngroups, 5, &len);

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
