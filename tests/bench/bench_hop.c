/*
 * bench_hop.c - what the connectors' schedules, TLS policies and SASL
 * lookups cost, each against a baseline measured in the same run.
 *
 * The generated organization of bench_route.c at 1,000 groups (2 servers
 * and 5 one-way connectors a group), once as it is and once with every
 * other connector given `schedule = Mon-Fri 08:00-18:00, Sat
 * 09:00-12:00` and a third of them `tls = encrypt`, loaded through the
 * real topology parser. Prints, one figure a line, "bench: NAME VALUE
 * UNIT":
 *   route.rebuild_ms.g1000_sched   median routing-table rebuild with the
 *                                  schedules read (a Monday 12:00 UTC: open)
 *   route.sched_ratio.g1000        that over the same rebuild of the
 *                                  topology without schedules
 *   schedule.next_edge_ms.g1000    median time to find the next opening
 *                                  or closing of any connector (what
 *                                  lsa-agent's timer and lsa-policyd do
 *                                  at each edge)
 *   hop.tls_policy_us.g1000        one smtp_tls_policy_maps answer for a
 *                                  random server "[address]:25"
 *   hop.tls_ratio_vs_decision.g1000  that over one transport decision
 *                                  (route_decide) for a random recipient
 *   hop.sasl_us.g1000              one smtp_sasl_password_maps lookup
 * Medians of repeated runs: the machine is shared and noisy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "hop_policy.h"
#include "linkstate.h"
#include "route.h"
#include "route_index.h"
#include "schedule.h"
#include "topology.h"

#include "bench.h"

#define RUNS		15
#define NGROUPS		1000
#define LOOKUPS		20000
#define AT		((time_t)1796644800)	/* Mon 2026-12-07 12:00 UTC */

/* hop_with_keys - text with a schedule on every other connector and
 * tls = encrypt on every third; the caller frees it */
static char *
hop_with_keys(const char *text, size_t *len)
{
	size_t cap = strlen(text) * 2 + 4096, n = 0;
	char *out = malloc(cap);
	const char *p = text;
	int k = 0;

	if (out == NULL)
		abort();
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t l = nl != NULL ? (size_t)(nl - p + 1) : strlen(p);

		memcpy(out + n, p, l);
		n += l;
		if (strncmp(p, "cost = ", 7) == 0) {
			if (k % 2 == 0)
				n += (size_t)sprintf(out + n, "schedule = "
				    "Mon-Fri 08:00-18:00, Sat 09:00-12:00\n");
			if (k % 3 == 0)
				n += (size_t)sprintf(out + n,
				    "tls = encrypt\n");
			k++;
		}
		p += l;
	}
	out[n] = '\0';
	*len = n;
	return out;
}

/* hop_load - a topology from text, or exit */
static struct topology *
hop_load(const char *text, size_t len)
{
	struct topology *t;
	struct diag d;

	diag_init(&d);
	if ((t = topo_load_buf("bench", text, len, &d)) == NULL) {
		diag_print(&d, stderr);
		exit(1);
	}
	diag_free(&d);
	return t;
}

/* hop_rebuild - median seconds of a rebuild of t's routing table */
static double
hop_rebuild(const struct topology *t, const struct route_params *p)
{
	struct route_index *ix = route_index_new(t);
	struct linkstate *ls = linkstate_new(t);
	double v[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = bench_now();
		struct route_table *rt = route_table_new(t, ix, ls, p);

		v[r] = bench_now() - t0;
		route_table_free(rt);
	}
	linkstate_free(ls);
	route_index_free(ix);
	return bench_median(v, RUNS);
}

int
main(void)
{
	struct route_params p = { .self = 0, .transport = "smtp",
	    .at = AT };
	size_t len, slen;
	char *text = bench_topology(NGROUPS, 5, &len);
	char *stext = hop_with_keys(text, &slen);
	struct topology *t = hop_load(text, len), *ts = hop_load(stext, slen);
	double plain, sched, edge[RUNS], tls[RUNS], dec[RUNS], sasl[RUNS];
	char (*keys)[40] = malloc(LOOKUPS * sizeof(*keys));
	char (*rcpt)[64] = malloc(LOOKUPS * sizeof(*rcpt));
	char out[HOP_POLICY_MAX];
	struct route_decision d;
	struct route_index *ix;
	struct linkstate *ls;
	struct route_table *rt;
	volatile long sink = 0;

	free(text);
	free(stext);
	schedule_zone_set("UTC");
	plain = hop_rebuild(t, &p);
	sched = hop_rebuild(ts, &p);
	printf("bench: route.rebuild_ms.g%d_sched %.3f ms\n", NGROUPS,
	    sched * 1e3);
	printf("bench: route.sched_ratio.g%d %.2f x_no_schedules\n", NGROUPS,
	    sched / plain);
	for (int r = 0; r < RUNS; r++) {
		double t0 = bench_now();

		sink += (long)schedule_topo_next(ts, AT + r * 3600);
		edge[r] = bench_now() - t0;
	}
	printf("bench: schedule.next_edge_ms.g%d %.3f ms\n", NGROUPS,
	    bench_median(edge, RUNS) * 1e3);

	for (int i = 0; i < LOOKUPS; i++) {
		unsigned g = bench_rand() % NGROUPS;

		snprintf(keys[i], sizeof(keys[i]), "[127.%u.%u.%u]:25",
		    1 + bench_rand() % 2, g / 250, g % 250 + 1);
		snprintf(rcpt[i], sizeof(rcpt[i]), "user%u@d%u.bench.test",
		    bench_rand() % 1000, g);
	}
	ix = route_index_new(ts);
	ls = linkstate_new(ts);
	rt = route_table_new(ts, ix, ls, &p);
	route_decision_init(&d);
	for (int r = 0; r < RUNS; r++) {
		double t0 = bench_now();

		for (int i = 0; i < LOOKUPS; i++)
			sink += hop_tls_policy(ts, 0, keys[i], "/etc/lsa/ca.pem",
			    out, sizeof(out));
		tls[r] = (bench_now() - t0) / LOOKUPS;
		t0 = bench_now();
		for (int i = 0; i < LOOKUPS; i++) {
			route_decide(rt, rcpt[i], 1000, (unsigned)i, &d);
			sink += d.nhosts;
		}
		dec[r] = (bench_now() - t0) / LOOKUPS;
		t0 = bench_now();
		for (int i = 0; i < LOOKUPS; i++)
			sink += hop_sasl_connector(ts, 0, keys[i]);
		sasl[r] = (bench_now() - t0) / LOOKUPS;
	}
	printf("bench: hop.tls_policy_us.g%d %.3f us\n", NGROUPS,
	    bench_median(tls, RUNS) * 1e6);
	printf("bench: hop.tls_ratio_vs_decision.g%d %.2f x\n", NGROUPS,
	    bench_median(tls, RUNS) / bench_median(dec, RUNS));
	printf("bench: hop.sasl_us.g%d %.3f us\n", NGROUPS,
	    bench_median(sasl, RUNS) * 1e6);
	route_decision_free(&d);
	route_table_free(rt);
	linkstate_free(ls);
	route_index_free(ix);
	free(keys);
	free(rcpt);
	topo_free(t);
	topo_free(ts);
	return sink == 42 ? 1 : 0;
}
