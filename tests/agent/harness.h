/*
 * harness.h - many lsa-agent cores in one process, on loopback, with real
 * TLS (a CA made by tests/agent/mkca.sh at start) and millisecond timers.
 * For the agent tests and the convergence benchmark.
 *
 * harness_new() makes a temporary directory with the certificates, one
 * settings file and one state directory per server of the topology text
 * (servers must have address 127.0.0.1 and distinct agent_port), and
 * starts every agent. harness_run_until() runs the event loop until a
 * condition holds or the time is over. harness_free() stops them all and
 * removes the directory.
 */
#ifndef LSA_HARNESS_H
#define LSA_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include "agent.h"

struct harness {
	struct event_base *base;
	char		 dir[128];
	char		*topo_path;
	int		 n;
	char		**names;
	struct settings	*set;	/* [n] */
	struct agent	**ag;	/* [n]; NULL while stopped */
	void		(*on_record)(struct agent *, const struct lsrec *,
			    void *);
	void		*arg;
	int		 flags;
	const char	*resolv_conf;	/* agent_conf's; NULL: the system's */
	int64_t		(*wall)(void *); /* agent_conf's; NULL: the real one */
};

#define HARNESS_START		0x1	/* start every agent */
#define HARNESS_NO_MONITOR	0x2	/* agents without link monitor */

/* a topology: ngroups groups of per servers, a ring of connectors */
char *harness_topology(int ngroups, int per, int port_base);
int harness_port_base(int n);
/* text with lines put right after its first line "after\n" (there must
 * be one, else fatal); takes text, the caller frees the result */
char *harness_insert(char *text, const char *after, const char *lines);
/* extra: more [agent] settings lines for every agent, or NULL */
struct harness *harness_new(const char *topo_text, const char *extra,
    int flags);
void harness_free(struct harness *h);
int harness_find(const struct harness *h, const char *name);
int harness_start(struct harness *h, int i);
void harness_stop(struct harness *h, int i);
int harness_run_until(struct harness *h, int (*cond)(struct harness *,
    void *), void *arg, uint64_t timeout_ms);
int harness_all_full(struct harness *h, void *arg);
int harness_all_same(struct harness *h, void *arg);
int harness_never(struct harness *h, void *arg);
uint64_t harness_ms(void);
uint64_t harness_ms_us(void);
struct mon_link;
struct agent *harness_clocked(struct harness *h, int i,
    uint64_t (*clock)(void *));
uint64_t harness_flap(struct mon_link *l, uint64_t *now, uint64_t period_ms,
    uint64_t total_ms);
pid_t harness_sink_start(int port);
void harness_sink_stop(pid_t pid);

#endif
