/*
 * bench.h - what the benchmarks share: a deterministic random number
 * generator, a monotonic clock, medians, and the generated organization
 * (a ring of groups plus random links) that bench_route.c and
 * bench_policyd.c measure. Each program has its own generator state.
 */
#ifndef LSA_BENCH_H
#define LSA_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;

/* bench_rand - xorshift64*, deterministic */
static inline uint32_t
bench_rand(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return (uint32_t)((bench_rng * 2685821657736338717ULL) >> 32);
}

/* bench_now - monotonic seconds */
static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* bench_cmp - doubles ascending, for qsort */
static inline int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* bench_median - the median of v[0..n-1]; v is left as it was */
static inline double
bench_median(const double *v, int n)
{
	double *c = malloc((size_t)n * sizeof(*c)), m;

	if (c == NULL)
		abort();
	memcpy(c, v, (size_t)n * sizeof(*v));
	qsort(c, (size_t)n, sizeof(*c), bench_cmp);
	m = c[n / 2];
	free(c);
	return m;
}

/*
 * bench_topology - ngroups groups of two servers (the first hosts
 * dN.bench.test), nconn connectors out of each group: the first to the
 * next group (a ring keeps it connected), the others to random groups at
 * random costs. The caller frees the text.
 */
static inline char *
bench_topology(int ngroups, int nconn, size_t *len)
{
	size_t cap = (size_t)ngroups * (300 + 80 * (size_t)nconn) + 4096;
	char *buf = malloc(cap), *p = buf;

	if (buf == NULL)
		abort();
	p += sprintf(p, "[organization]\nname = Bench\nversion = 1\n");
	for (int g = 0; g < ngroups; g++) {
		p += sprintf(p, "[group g%d]\n[server s%da]\ngroup = g%d\n"
		    "address = 127.1.%d.%d\nmailboxes = d%d.bench.test\n"
		    "[server s%db]\ngroup = g%d\naddress = 127.2.%d.%d\n",
		    g, g, g, g / 250, g % 250 + 1, g, g, g, g / 250,
		    g % 250 + 1);
	}
	for (int g = 0; g < ngroups; g++) {
		for (int k = 0; k < nconn; k++) {
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

#endif
