/*
 * fuzz_agent_receive.c - libFuzzer target: any bytes as one message a
 * peer sends in link-state mode; when lsmsg_decode() makes a record of
 * it, agent_receive() of an agent holding a fixed LST takes it from a
 * fake peer: signature verification, the origin rules, installation.
 *
 * Set up once (LLVMFuzzerInitialize), with the agent tests' harness
 * (tests/agent/harness.h, not started: no socket is opened): a topology
 * of two groups of two servers (g00-0 and g01-0 the masters, g00-1 and
 * g01-1 the bridgeheads, connectors g00-g01 and g01-g00), certificates
 * from tests/agent/mkca.sh in a temporary directory, every server's
 * signing key (sig_new on its settings), and an LST file for g00-0 that
 * holds every server's cert record, the two connector records and two
 * server records, each signed by its origin. The agent under test is
 * g00-0 made from that file (agent_new), so it verified all of it.
 *
 * The keys are made afresh at each start, so a signature in a seed never
 * verifies: a record as it comes (with "g" or without) meets the
 * verification, and a record without "g" whose origin is one of the four
 * servers is then also signed with that origin's key and received again,
 * so that any field values reach the rules and the installation.
 *
 * The fake peer is g00-1 for inputs of even length, g01-1 for odd ones.
 * After a record that changed the agent (its LST or its epoch), the
 * agent is made again from the LST file: every input meets the same LST.
 * Besides memory errors and leaks, it aborts when a record went in that
 * the agent's keys do not verify, or when the session is to close for a
 * record the peer did not originate (a relay is never blamed).
 *
 * The agent's warnings (one per refused record) go to /dev/null unless
 * FUZZ_VERBOSE is set: the C library's stderr is pointed there, while
 * libFuzzer and the sanitizers keep writing to descriptor 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_priv.h"
#include "log.h"
#include "lsdb.h"
#include "xmalloc.h"

#include "../agent/harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_SERVERS	4	/* g00-0 (the agent), g00-1, g01-0, g01-1 */
#define FZ_SEQ(n)	((uint64_t)1 << 32 | (n))	/* epoch 1 */
#define FZ_TIME		1700000000000LL

static struct harness	*fz_h;
static struct sig	*fz_sig[FZ_SERVERS];	/* by harness index */
static struct agent	*fz_a;			/* g00-0 */
static int		 fz_self;		/* its harness index */
static char		*fz_lst;		/* the LST file's text */
static size_t		 fz_nrec;		/* records in it */
static struct peer	 fz_peer[2];

/* fz_write - a file with text, or fatal */
static void
fz_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		fatal("fuzz_agent_receive: %s", path);
}

/* fz_signed - put r, signed by its origin, in db; clears r */
static void
fz_signed(struct lsdb *db, struct lsrec *r)
{
	int i = harness_find(fz_h, r->origin);

	if (i < 0 || sig_sign(fz_sig[i], r) < 0 ||
	    lsdb_update(db, r) != LSDB_NEWER)
		fatalx("fuzz_agent_receive: cannot sign %s's record",
		    r->origin);
	lsrec_clear(r);
}

/* fz_state - a connector's state by its source (origin), or a server's
 * liveness by its group's master (origin) */
static void
fz_state(struct lsdb *db, enum lsrec_kind kind, const char *name,
    const char *origin, int down, uint32_t n)
{
	struct lsrec r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	snprintf(r.origin, sizeof(r.origin), "%s", origin);
	snprintf(r.name, sizeof(r.name), "%s", name);
	if (kind == LSREC_CONNECTOR)
		snprintf(r.source, sizeof(r.source), "%s", origin);
	r.down = down;
	r.seq = FZ_SEQ(n);
	r.time_ms = FZ_TIME;
	fz_signed(db, &r);
}

/* fz_make_lst - the fixed LST, as the text of an LST file */
static void
fz_make_lst(void)
{
	struct lsdb *db = lsdb_new();
	struct lsrec r;

	for (int i = 0; i < FZ_SERVERS; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = LSREC_CERT;
		snprintf(r.origin, sizeof(r.origin), "%s", fz_h->names[i]);
		r.seq = FZ_SEQ(1);
		r.time_ms = FZ_TIME;
		r.text = xstrdup(sig_own_cert(fz_sig[i]));
		fz_signed(db, &r);
	}
	fz_state(db, LSREC_CONNECTOR, "g00-g01", "g00-1", 0, 2);
	fz_state(db, LSREC_CONNECTOR, "g01-g00", "g01-1", 1, 3);
	fz_state(db, LSREC_SERVER, "g01-1", "g01-0", 0, 4);
	fz_state(db, LSREC_SERVER, "g00-1", "g00-0", 0, 5);
	fz_nrec = lsdb_count(db);
	fz_lst = lsdb_encode(db, 1);
	lsdb_free(db);
}

/* fz_agent - the agent under test, made again from the fixed files */
static void
fz_agent(void)
{
	const struct settings *set = &fz_h->set[fz_self];
	struct agent_conf c;
	char *path, err[512];

	agent_free(fz_a);
	path = xasprintf("%s/lst.json", set->state_dir);
	fz_write(path, fz_lst);
	free(path);
	path = xasprintf("%s/epoch", set->state_dir);
	fz_write(path, "1\n");
	free(path);
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.server = fz_h->names[fz_self];
	c.no_monitor = 1;
	if ((fz_a = agent_new(fz_h->base, &c, err, sizeof(err))) == NULL)
		fatalx("fuzz_agent_receive: agent: %s", err);
	if (lsdb_count(agent_lsdb(fz_a)) != fz_nrec)
		fatalx("fuzz_agent_receive: the agent verified %zu of %zu "
		    "records", lsdb_count(agent_lsdb(fz_a)), fz_nrec);
	for (int i = 0; i < 2; i++) {
		struct peer *p = &fz_peer[i];

		memset(p, 0, sizeof(*p));
		p->agent = fz_a;
		snprintf(p->name, sizeof(p->name), "%s", i == 0 ? "g00-1" :
		    "g01-1");
		p->server = topo_find_server(fz_a->topo, p->name);
		p->state = PEER_FULL;
		p->topology = fz_a->topo->version;
	}
}

/* fz_cleanup - at exit: free all, remove the directory */
static void
fz_cleanup(void)
{
	agent_free(fz_a);
	for (int i = 0; i < FZ_SERVERS; i++)
		sig_free(fz_sig[i]);
	free(fz_lst);
	harness_free(fz_h);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *t, err[512];

	(void)argc;
	(void)argv;
	/* tmpfs: a record that changes the agent rewrites its files */
	if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	t = harness_topology(2, 2, harness_port_base(0));
	fz_h = harness_new(t, NULL, 0);
	free(t);
	if (fz_h->n != FZ_SERVERS)
		fatalx("fuzz_agent_receive: want %d servers", FZ_SERVERS);
	for (int i = 0; i < FZ_SERVERS; i++)
		if ((fz_sig[i] = sig_new(&fz_h->set[i], fz_h->names[i], err,
		    sizeof(err))) == NULL)
			fatalx("fuzz_agent_receive: %s: %s", fz_h->names[i],
			    err);
	fz_self = harness_find(fz_h, "g00-0");
	if (mkdir(fz_h->set[fz_self].state_dir, 0750) < 0)
		fatal("fuzz_agent_receive: %s", fz_h->set[fz_self].state_dir);
	fz_make_lst();
	fz_agent();
	atexit(fz_cleanup);
	if (getenv("FUZZ_VERBOSE") == NULL) {
		FILE *null = fopen("/dev/null", "w");

		if (null != NULL)
			stderr = null;	/* leaked on purpose: for the run */
	}
	return 0;
}

/* fz_receive - r from peer p; abort on a broken promise */
static void
fz_receive(struct peer *p, struct lsrec *r)
{
	uint64_t version = agent_lst_version(fz_a);
	uint32_t epoch = fz_a->epoch;
	char key[LSREC_KEY_MAX], why[200];
	const struct lsrec *in;
	int close_session;

	agent_receive(fz_a, p, r, &close_session);
	if (close_session && strcmp(r->origin, p->name) != 0)
		abort();	/* a relay blamed */
	if (agent_lst_version(fz_a) == version && fz_a->epoch == epoch)
		return;
	lsrec_key(r, key, sizeof(key));
	in = lsdb_get(agent_lsdb(fz_a), key);
	if (in == NULL || sig_verify(fz_a->sig, in, why, sizeof(why)) < 0)
		abort();	/* an unverified record went in */
	fz_agent();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), err[256];
	struct peer *p = &fz_peer[size % 2];
	struct lsmsg m;
	int i;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);	/* exactly sized: ASan sees overreads */
	if (lsmsg_decode(copy, size, &m, err, sizeof(err)) < 0) {
		free(copy);
		return 0;
	}
	free(copy);
	if (m.type == LSMSG_REC) {
		fz_receive(p, &m.rec);
		if (m.rec.siglen == 0 &&
		    (i = harness_find(fz_h, m.rec.origin)) >= 0 &&
		    sig_sign(fz_sig[i], &m.rec) == 0)
			fz_receive(p, &m.rec);
	}
	lsmsg_clear(&m);
	return 0;
}
