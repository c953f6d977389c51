/*
 * agent.c - one agent: the topology in force, the LST and its rules,
 * origination with persisted sequence numbers, the LST file and the
 * snapshot, the listener (see agent.h).
 *
 * Files in the state directory:
 *   lock           flock(2)ed while an agent runs on the directory, with
 *                  its pid; a second agent on it refuses to start before
 *                  reading or raising anything
 *   epoch          this server's epoch, raised and fsynced at each start;
 *                  sequence numbers are epoch << 32 | counter. An epoch
 *                  never wraps: at AGENT_EPOCH_MAX (2^31 - 1) the agent
 *                  refuses to start, and refuses to raise it at run time
 *   lst.json       the LST (lsdb.h), rewritten atomically after changes
 *   lst.snapshot   the snapshot for local readers (snapshot.h), unless
 *                  [policyd] snapshot names another path
 *
 * The topology in force is the newest topology record (version, then
 * sequence) or, when the local file is newer, the local file; a master
 * whose file is newer than the record in force originates it.
 *
 * Who may originate what (a record that breaks these is refused and
 * counted; when the peer that sent it is its origin, the session ends):
 * the origin must be a server of the topology in force; a topology record
 * must come from a master of some group, or from a backup master of a
 * group when it names that backup the group's master (failover,
 * liveness.c); a connector record from a source server of that
 * connector, about itself; a server record from the master of that
 * server's group, or one of its backup masters (a master before a
 * failover or a set-master: its last word may still be on the way). Only
 * a record newer than ours is checked: the same or older is counted, and
 * an older one answered with ours. A peer whose hello announced an older topology than
 * ours is not blamed for its own records (its topology may have allowed
 * them): they are refused, and the session goes on so it catches up. A
 * record of our own origin that is newer than ours (we lost our state)
 * raises our epoch past it and we originate our value again, so sequence
 * numbers never go backwards.
 *
 * Writes are coalesced: changes in one turn of the event loop cause one
 * write of the snapshot, from a zero timer (lsa-policyd reads it), and
 * lst.json follows at most AGENT_LST_WRITE_MS later (lst_ev), once for
 * all the changes in between: it holds every certificate and takes the
 * longest to encode, and a crash loses at most that much of the LST,
 * which the peers resend. A stop writes it at once. Every file is
 * read with safefile_read() (no FIFO, no link, bounded) and replaced with
 * safefile_write(). A write that fails (a full disk) is retried from a
 * timer, after AGENT_WRITE_RETRY_MS doubling up to AGENT_WRITE_RETRY_MAX_MS,
 * not only at the next change: lsa-policyd reads the snapshot, and must
 * not keep a stale one while the LST is quiet. `lsactl status` shows a
 * failing write (agent_status.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "agent_priv.h"
#include "inifile.h"
#include "log.h"
#include "safefile.h"
#include "schedtimer.h"
#include "snapshot.h"
#include "xmalloc.h"

#define AGENT_EPOCH_MAX_BYTES	64		/* the epoch file */
#define AGENT_WRITE_RETRY_MS	1000		/* first retry of a write */
#define AGENT_LST_WRITE_MS	500		/* lst.json, after a change */
#define AGENT_WRITE_RETRY_MAX_MS 30000		/* retries back off to */

/* agent_clock_ms - clock id in ms */
static uint64_t
agent_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* agent_now_ms - monotonic ms, for every interval and timeout (liveness,
 * peers, rerouting): a step of the wall clock does not move it */
uint64_t
agent_now_ms(void)
{
	return agent_clock_ms(CLOCK_MONOTONIC);
}

/* agent_wall_ms - the wall clock in ms: record times (lsrec time_ms) and
 * the record ages shown from them, nothing that is waited for */
uint64_t
agent_wall_ms(void)
{
	return agent_clock_ms(CLOCK_REALTIME);
}

/* agent_after - (re)arm ev to fire in ms: every timer of the agent */
void
agent_after(struct event *ev, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	event_add(ev, &tv);
}

/* agent_clock - the link monitor's clock (injectable, agent_conf; else
 * monotonic) */
uint64_t
agent_clock(const struct agent *a)
{
	return a->conf.clock != NULL ? a->conf.clock(a->conf.arg) :
	    agent_now_ms();
}

/* agent_log_rec - one line per record event */
void
agent_log_rec(const struct agent *a, const char *what, const struct lsrec *r,
    const char *peer)
{
	char key[LSREC_KEY_MAX];

	lsrec_key(r, key, sizeof(key));
	if (r->kind == LSREC_TOPOLOGY)
		log_info("lst %s server=%s key=%s origin=%s seq=%" PRIu64
		    " version=%" PRIu64 " from=%s", what, a->self, key,
		    r->origin, r->seq, r->version, peer ? peer : "self");
	else
		log_info("lst %s server=%s key=%s origin=%s seq=%" PRIu64
		    " state=%s from=%s", what, a->self, key, r->origin, r->seq,
		    r->down ? "down" : "up", peer ? peer : "self");
}

/* agent_first_error - the first diag line, for err */
static void
agent_first_error(const struct diag *d, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	diag_print(d, fp);
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(err, errlen, "%s", buf[0] ? buf : "error");
	free(buf);
}

/* agent_epoch_save - write the epoch durably */
static int
agent_epoch_save(struct agent *a, char *err, size_t errlen)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu32 "\n", a->epoch);
	return safefile_write(a->epoch_path, buf, strlen(buf), 0644, err,
	    errlen);
}

/* agent_epoch_past - make our next sequence number newer than seq */
void
agent_epoch_past(struct agent *a, uint64_t seq)
{
	char err[256];

	if (((uint64_t)a->epoch << 32 | a->counter) > seq)
		return;
	if ((seq >> 32) >= AGENT_EPOCH_MAX) {
		log_warnx("epoch server=%s not raised past seq=%" PRIu64 ": "
		    "the epoch would pass %u", a->self, seq, AGENT_EPOCH_MAX);
		return;
	}
	a->epoch = (uint32_t)(seq >> 32) + 1;
	a->counter = 0;
	if (agent_epoch_save(a, err, sizeof(err)) < 0)
		log_warnx("epoch server=%s: %s", a->self, err);
	log_info("epoch server=%s raised to %" PRIu32 " past seq=%" PRIu64,
	    a->self, a->epoch, seq);
}

/* agent_next_seq - the next sequence number of our own records */
static uint64_t
agent_next_seq(struct agent *a)
{
	if (a->counter == UINT32_MAX) {
		agent_epoch_past(a, (uint64_t)a->epoch << 32 | a->counter);
		if (a->counter == UINT32_MAX)	/* the last epoch is used up */
			return (uint64_t)a->epoch << 32 | a->counter;
	}
	return (uint64_t)a->epoch << 32 | ++a->counter;
}

/* agent_write_file - one state file (text freed); the reason in err */
static int
agent_write_file(const char *path, char *text, char *err, size_t errlen)
{
	int rc = snapshot_write(path, text, err, errlen);

	free(text);
	return rc;
}

/*
 * agent_write_state - write lst.json and the snapshot (both tried: the
 * snapshot may live elsewhere). A failure is logged when writes start
 * failing, and retried from write_ev with back-off; success after
 * failures is logged once.
 */
static void
agent_write_state(struct agent *a)
{
	char err[sizeof(a->write_error)];
	int bad;

	bad = agent_write_file(a->lst_path, lsdb_encode(a->db,
	    a->lst_version), a->write_error, sizeof(a->write_error)) < 0;
	if (agent_write_file(a->snapshot_path, snapshot_encode(a->lst_version,
	    a->topo_text, a->topo, a->ls), err, sizeof(err)) < 0) {
		if (!bad)	/* the first failure is the one shown */
			memcpy(a->write_error, err, sizeof(err));
		bad = 1;
	}
	if (!bad) {
		if (a->write_failing_ms != 0)
			log_info("state write server=%s: recovered after %"
			    PRIu64 " ms", a->self,
			    agent_wall_ms() - a->write_failing_ms);
		a->write_failing_ms = 0;
		a->write_backoff_ms = 0;
		a->write_error[0] = '\0';
		if (a->write_ev != NULL)
			event_del(a->write_ev);
		return;
	}
	a->write_backoff_ms = a->write_backoff_ms == 0 ?
	    AGENT_WRITE_RETRY_MS : a->write_backoff_ms * 2;
	if (a->write_backoff_ms > AGENT_WRITE_RETRY_MAX_MS)
		a->write_backoff_ms = AGENT_WRITE_RETRY_MAX_MS;
	if (a->write_failing_ms == 0) {
		a->write_failing_ms = agent_wall_ms(); /* shown to a person */
		log_warnx("state write server=%s: %s; retrying in %" PRIu64
		    " ms, backing off to %d ms", a->self, a->write_error,
		    a->write_backoff_ms, AGENT_WRITE_RETRY_MAX_MS);
	} else
		log_debug("state write server=%s: still failing: %s",
		    a->self, a->write_error);
	if (a->write_ev != NULL)
		agent_after(a->write_ev, a->write_backoff_ms);
}

/* agent_write_retry_cb - write_ev (try the state files again) and
 * lst_ev (lst.json's turn after changes): both files */
static void
agent_write_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	agent_write_state(arg);
}

/* agent_publish_cb - write the snapshot now, lst.json soon; notify */
static void
agent_publish_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *a = arg;
	char err[sizeof(a->write_error)];

	(void)fd;
	(void)ev;
	if (agent_write_file(a->snapshot_path, snapshot_encode(a->lst_version,
	    a->topo_text, a->topo, a->ls), err, sizeof(err)) < 0 &&
	    a->write_failing_ms == 0)
		agent_write_state(a);	/* failing: retried from write_ev */
	if (a->lst_ev != NULL && !evtimer_pending(a->lst_ev, NULL))
		agent_after(a->lst_ev, AGENT_LST_WRITE_MS);
	if (a->control != NULL)
		control_notify(a->control, a->lst_version);
}

/* agent_rebuild_ls - the routing view: the LST's link state with this
 * server's local overlay, or all up with suppress_state_changes */
static void
agent_rebuild_ls(struct agent *a)
{
	linkstate_free(a->ls);
	if (a->set->suppress_state_changes) {
		a->ls = linkstate_new(a->topo);
		a->ls->version = a->lst_version;
		return;
	}
	a->ls = lsdb_linkstate(a->db, a->topo, a->lst_version);
	monitor_overlay(a, a->ls);
}

/* agent_changed - the LST changed: new link state, publish soon */
void
agent_changed(struct agent *a)
{
	a->lst_version++;
	agent_rebuild_ls(a);
	if (a->publish_ev != NULL)
		event_active(a->publish_ev, EV_TIMEOUT, 0);
	reroute_changed(a);
}

/* agent_resync_cb - adjacencies follow a new topology (not in a callback
 * of a session that the change may close) */
static void
agent_resync_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	peer_sync_all(arg);
	monitor_sync(arg);
	liveness_kick(arg);
}

/* agent_use_topology - make t (text) the topology in force; takes both */
static void
agent_use_topology(struct agent *a, struct topology *t, char *text)
{
	topo_free(a->topo);
	free(a->topo_text);
	a->topo = t;
	a->topo_text = text;
	a->self_idx = topo_find_server(t, a->self);
	schedule_zone_set(t->timezone);	/* single-threaded: process-wide */
	if (a->self_idx < 0)
		log_warnx("topology server=%s version=%" PRIu64 ": this server "
		    "is not in it; no adjacencies", a->self, t->version);
	agent_rebuild_ls(a);
	a->transports_missing = mastercheck_run(a);
	if (a->started)
		event_active(a->resync_ev, EV_TIMEOUT, 0);
}

/* agent_master_of_any - server index is a master of some group in t */
static int
agent_master_of_any(const struct topology *t, int sv)
{
	for (int g = 0; g < t->ngroups; g++)
		if (t->groups[g].master == sv)
			return 1;
	return 0;
}

/* agent_is_master - this server is its group's master */
int
agent_is_master(const struct agent *a)
{
	return a->self_idx >= 0 &&
	    a->topo->groups[a->topo->servers[a->self_idx].group].master ==
	    a->self_idx;
}

/* agent_install - put r in the LST; on NEWER: apply, flood, publish. t:
 * the record's topology already loaded (taken), or NULL */
static enum lsdb_result
agent_install(struct agent *a, const struct lsrec *r, struct peer *from,
    struct topology *t)
{
	enum lsdb_result res = lsdb_update(a->db, r);

	switch (res) {
	case LSDB_NEWER:
		a->stats.rec_new++;
		agent_log_rec(a, "update", r, from ? from->name : NULL);
		if (r->kind == LSREC_CERT)
			sig_learn(a->sig, r);
		if (r->kind == LSREC_TOPOLOGY) {
			if (t == NULL) {
				struct diag d;

				diag_init(&d);
				/* checked before install: this cannot fail */
				t = topo_load_buf("topology record", r->text,
				    strlen(r->text), &d);
				diag_free(&d);
			}
			if (t != NULL)
				agent_use_topology(a, t, xstrdup(r->text));
			t = NULL;
		}
		agent_changed(a);
		peer_flood(a, r, from);
		if (a->conf.on_record != NULL)
			a->conf.on_record(a, r, a->conf.arg);
		break;
	case LSDB_SAME:
		a->stats.rec_same++;
		break;
	case LSDB_OLDER:
		a->stats.rec_older++;
		break;
	case LSDB_FULL:
		a->stats.rec_refused++;
		log_warnx("lst full server=%s: record refused", a->self);
		break;
	}
	topo_free(t);		/* not put in force */
	return res;
}

/* agent_originate - a record of our own: sequence, time, install */
static void
agent_originate(struct agent *a, struct lsrec *r)
{
	snprintf(r->origin, sizeof(r->origin), "%s", a->self);
	r->seq = agent_next_seq(a);
	r->time_ms = (int64_t)agent_wall_ms();
	if (sig_sign(a->sig, r) < 0)
		log_warnx("lst server=%s: cannot sign a record: sent "
		    "unsigned, every peer refuses it", a->self);
	agent_install(a, r, NULL, NULL);
}

/* agent_authorized - the origin rules (see top); NULL when fine */
static const char *
agent_authorized(const struct agent *a, const struct lsrec *r,
    struct topology **newtopo)
{
	const struct topology *t = a->topo;
	int o = topo_find_server(t, r->origin), c, sv, g, ng;
	const char *why;
	struct diag d;

	if (o < 0)
		return "origin is not a server of the topology in force";
	switch (r->kind) {
	case LSREC_TOPOLOGY:
		g = t->servers[o].group;
		if (!agent_master_of_any(t, o) &&
		    !topo_list_has(&t->groups[g].backups, o))
			return "topology from a server that is not a master";
		diag_init(&d);
		*newtopo = topo_load_buf("topology record", r->text,
		    strlen(r->text), &d);
		diag_free(&d);
		if (*newtopo == NULL)
			return "topology text does not load";
		why = NULL;
		if ((*newtopo)->version != r->version)
			why = "topology version differs from the record's";
		else if (!agent_master_of_any(t, o) &&
		    ((ng = topo_find_group(*newtopo, t->groups[g].name)) < 0 ||
		    (*newtopo)->groups[ng].master !=
		    topo_find_server(*newtopo, r->origin)))
			why = "topology from a backup master that does not "
			    "make it its group's master";
		if (why != NULL) {
			topo_free(*newtopo);
			*newtopo = NULL;
		}
		return why;
	case LSREC_CONNECTOR:
		if ((c = topo_find_connector(t, r->name)) < 0)
			return "no such connector";
		if (strcmp(r->source, r->origin) != 0 ||
		    !topo_list_has(&t->connectors[c].sources, o))
			return "connector state not from its source server";
		return NULL;
	case LSREC_CERT:
		return NULL;	/* its origin's, checked by sig_verify */
	case LSREC_SERVER:
		if ((sv = topo_find_server(t, r->name)) < 0)
			return "no such server";
		g = t->servers[sv].group;
		if (t->groups[g].master != o &&
		    !topo_list_has(&t->groups[g].backups, o))
			return "server state not from its group's master";
		return NULL;
	}
	return "unknown record";
}

/* agent_same - r is the very record we hold (verified when it came):
 * the same fields and signature */
static int
agent_same(const struct lsrec *r, const struct lsrec *mine)
{
	unsigned char *x, *y;
	size_t xl, yl;
	int same;

	if (mine == NULL || r->siglen != mine->siglen ||
	    memcmp(r->sig, mine->sig, r->siglen) != 0)
		return 0;
	x = lsrec_canon(r, &xl);
	y = lsrec_canon(mine, &yl);
	same = xl == yl && memcmp(x, y, xl) == 0;
	free(x);
	free(y);
	return same;
}

/*
 * agent_verified - r bears its origin's valid signature (or is the very
 * record we hold). A record that fails is refused and logged with the
 * relaying peer; the session ends (*close_session) only when that peer
 * is the claimed origin: a relay may pass on a forgery unknowingly.
 */
static int
agent_verified(struct agent *a, struct peer *from, const struct lsrec *r,
    const struct lsrec *mine, int *close_session)
{
	char why[200];

	if (agent_same(r, mine) ||
	    sig_verify(a->sig, r, why, sizeof(why)) == 0)
		return 1;
	a->stats.rec_refused++;
	a->stats.rec_badsig++;
	agent_log_rec(a, "refused", r, from->name);
	log_warnx("lst refused server=%s from=%s origin=%s reason=\"signature: "
	    "%s\"", a->self, from->name, r->origin, why);
	if (strcmp(r->origin, from->name) == 0)
		*close_session = 1;
	return 0;
}

/*
 * agent_receive - a record from peer from: verify, check, install,
 * flood. Sets *close_session when the peer itself broke the rules.
 */
void
agent_receive(struct agent *a, struct peer *from, struct lsrec *r,
    int *close_session)
{
	struct topology *nt = NULL;
	const struct lsrec *mine;
	const char *why;
	char key[LSREC_KEY_MAX];

	*close_session = 0;
	lsrec_key(r, key, sizeof(key));
	mine = lsdb_get(a->db, key);
	/* before any rule or sequence comparison */
	if (!agent_verified(a, from, r, mine, close_session))
		return;
	if (mine != NULL && lsrec_cmp(r, mine) <= 0)
		goto install;	/* nothing new: nothing to authorize */
	if ((why = agent_authorized(a, r, &nt)) != NULL) {
		a->stats.rec_refused++;
		agent_log_rec(a, "refused", r, from->name);
		log_warnx("lst refused server=%s from=%s origin=%s "
		    "reason=\"%s\"", a->self, from->name, r->origin, why);
		if (strcmp(r->origin, from->name) == 0 &&
		    from->topology >= a->topo->version)
			*close_session = 1;
		return;
	}
	if (strcmp(r->origin, a->self) == 0 &&
	    (mine == NULL || lsrec_cmp(r, mine) > 0)) {
		/* ours from a former life: outdo it */
		struct lsrec again;

		agent_epoch_past(a, r->seq);
		if (r->kind == LSREC_TOPOLOGY) {
			agent_install(a, r, from, nt);
			return;
		}
		lsrec_copy(&again, mine != NULL ? mine : r);
		agent_originate(a, &again);
		lsrec_clear(&again);
		return;
	}
install:
	if (agent_install(a, r, from, nt) == LSDB_OLDER && mine != NULL &&
	    from->s != NULL) {
		/* the peer holds an older one: it gets ours */
		size_t len;
		char *msg = lsmsg_encode_rec(lsdb_get(a->db, key), &len);

		session_send(from->s, msg, len);
		free(msg);
	}
}

/* agent_load_file_topology - the local file: model and text */
static struct topology *
agent_load_file_topology(struct agent *a, char **text, char *err,
    size_t errlen)
{
	struct topology *t;
	struct diag d;
	size_t len;

	diag_init(&d);
	if ((*text = inifile_slurp(a->topo_path, &len, &d)) == NULL ||
	    (t = topo_load_buf(a->topo_path, *text, len, &d)) == NULL) {
		agent_first_error(&d, err, errlen);
		diag_free(&d);
		free(*text);
		*text = NULL;
		return NULL;
	}
	diag_free(&d);
	return t;
}

/* agent_offer_topology - as a master, originate the file if newer */
static int
agent_offer_topology(struct agent *a, struct topology *ft, char *ftext,
    char *err, size_t errlen)
{
	const struct lsrec *cur = lsdb_get(a->db, "topology");
	int me = topo_find_server(ft, a->self);
	struct lsrec r;

	if (cur != NULL && ft->version <= cur->version) {
		snprintf(err, errlen, "topology file version %" PRIu64 " is "
		    "not newer than the one in force (%" PRIu64 ")",
		    ft->version, cur->version);
		return 0;
	}
	if (!agent_master_of_any(a->topo, a->self_idx) &&
	    (me < 0 || !agent_master_of_any(ft, me))) {
		snprintf(err, errlen, "this server is not a master; only a "
		    "master floods a topology");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_TOPOLOGY;
	r.version = ft->version;
	r.text = ftext;
	agent_originate(a, &r);
	snprintf(err, errlen, "topology version %" PRIu64 " flooded",
	    ft->version);
	return 1;
}

/* agent_reload - see agent.h; 1 flooded, 0 nothing newer, -1 error */
int
agent_reload(struct agent *a, char *err, size_t errlen)
{
	struct topology *ft;
	char *ftext;
	int rc;

	if ((ft = agent_load_file_topology(a, &ftext, err, errlen)) == NULL)
		return -1;
	rc = agent_offer_topology(a, ft, ftext, err, errlen);
	topo_free(ft);
	free(ftext);
	return rc;
}

/*
 * agent_topology_with_master - the text of the topology in force, one
 * version up, with server sv master of group g: sv leaves the backup
 * masters and the old master joins their end (the caller frees); NULL
 * when the text in force does not load.
 */
static char *
agent_topology_with_master(struct agent *a, int g, int sv)
{
	struct topology *t;
	struct topo_list *b;
	struct diag d;
	char *text = NULL;
	size_t len = 0;
	int old, n = 0;
	FILE *fp;

	diag_init(&d);
	t = topo_load_buf("topology in force", a->topo_text,
	    strlen(a->topo_text), &d);
	diag_free(&d);
	if (t == NULL)
		return NULL;
	old = t->groups[g].master;
	b = &t->groups[g].backups;
	for (int i = 0; i < b->n; i++)
		if (b->v[i] != sv)
			b->v[n++] = b->v[i];
	if (b->n > 0 && old != sv && n < b->n)
		b->v[n++] = old;	/* took sv's place: same length */
	b->n = n;
	t->groups[g].master = sv;
	t->groups[g].master_default = 0;
	t->version = a->topo->version + 1;
	fp = open_memstream(&text, &len);
	topo_print(t, fp);
	fclose(fp);
	topo_free(t);
	return text;
}

/* agent_originate_topology - a new topology in force: text of version */
static void
agent_originate_topology(struct agent *a, char *text, uint64_t version)
{
	struct lsrec r;

	memset(&r, 0, sizeof(r));
	r.kind = LSREC_TOPOLOGY;
	r.version = version;
	r.text = text;
	agent_originate(a, &r);
}

/* agent_set_master - see agent.h */
int
agent_set_master(struct agent *a, const char *group, const char *server,
    char *err, size_t errlen)
{
	char *text;
	int g, sv;

	if (a->self_idx < 0 || !agent_master_of_any(a->topo, a->self_idx)) {
		snprintf(err, errlen, "this server is not a master; run "
		    "set-master on a master");
		return -1;
	}
	if ((g = topo_find_group(a->topo, group)) < 0 ||
	    (sv = topo_find_server(a->topo, server)) < 0 ||
	    a->topo->servers[sv].group != g) {
		snprintf(err, errlen, "%s is not a server of group %s",
		    server, group);
		return -1;
	}
	if ((text = agent_topology_with_master(a, g, sv)) == NULL) {
		snprintf(err, errlen, "the topology in force does not load");
		return -1;
	}
	agent_originate_topology(a, text, a->topo->version + 1);
	free(text);
	snprintf(err, errlen, "group %s master %s: topology version %" PRIu64
	    " flooded", group, server, a->topo->version);
	return 0;
}

/*
 * agent_take_over - failover (liveness.c): this backup master becomes its
 * group's master in a new topology version, with a new epoch, past every
 * record of the old master (its records lose to ours from now on).
 */
void
agent_take_over(struct agent *a)
{
	int g = a->topo->servers[a->self_idx].group;
	const char *old = a->topo->servers[a->topo->groups[g].master].name;
	char *text;

	agent_epoch_past(a, (uint64_t)a->epoch << 32 | a->counter);
	for (size_t i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *r = lsdb_at(a->db, i);

		if (strcmp(r->origin, old) == 0)
			agent_epoch_past(a, r->seq);
	}
	if ((text = agent_topology_with_master(a, g, a->self_idx)) == NULL) {
		log_warnx("failover server=%s: the topology in force does not "
		    "load", a->self);
		return;
	}
	log_info("failover server=%s group=%s old_master=%s epoch=%" PRIu32
	    " topology_version=%" PRIu64, a->self, a->topo->groups[g].name,
	    old, a->epoch, a->topo->version + 1);
	agent_originate_topology(a, text, a->topo->version + 1);
	free(text);
}

/*
 * agent_set_server - as the group's master, originate the state of
 * server name; a record from a former master is outdone
 */
void
agent_set_server(struct agent *a, const char *name, int down)
{
	const struct lsrec *cur;
	struct lsrec r;
	char key[LSREC_KEY_MAX];

	snprintf(key, sizeof(key), "server:%s", name);
	if ((cur = lsdb_get(a->db, key)) != NULL &&
	    strcmp(cur->origin, a->self) != 0)
		agent_epoch_past(a, cur->seq);
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_SERVER;
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.down = down != 0;
	agent_originate(a, &r);
}

/* agent_set_connector - see agent.h */
int
agent_set_connector(struct agent *a, const char *connector, int down,
    char *err, size_t errlen)
{
	int c = topo_find_connector(a->topo, connector);
	struct lsrec r;

	if (c < 0 || a->self_idx < 0 ||
	    !topo_list_has(&a->topo->connectors[c].sources, a->self_idx)) {
		snprintf(err, errlen, "%s is not a connector with this server "
		    "(%s) as a source", connector, a->self);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_CONNECTOR;
	snprintf(r.name, sizeof(r.name), "%s", connector);
	snprintf(r.source, sizeof(r.source), "%s", a->self);
	r.down = down != 0;
	agent_originate(a, &r);
	return 0;
}

static void agent_verify_db(struct agent *a);

/*
 * agent_epoch_parse - the epoch file's text: decimal digits and a
 * newline, below AGENT_EPOCH_MAX - 1 (it is raised by one at start, and
 * an epoch of AGENT_EPOCH_MAX is refused: it could not be raised again)
 */
static int
agent_epoch_parse(const char *path, const char *buf, uint32_t *epoch,
    char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(buf, &end, 10);
	if (end == buf || buf[0] < '0' || buf[0] > '9' || errno != 0 ||
	    (*end != '\0' && strcmp(end, "\n") != 0)) {
		snprintf(err, errlen, "%s: not an epoch (want decimal "
		    "digits)", path);
		return -1;
	}
	if (v + 1 >= AGENT_EPOCH_MAX) {
		snprintf(err, errlen, "%s: epoch %llu is at the limit %u: "
		    "sequence numbers cannot grow further (an epoch never "
		    "wraps)", path, v, AGENT_EPOCH_MAX - 1);
		return -1;
	}
	*epoch = (uint32_t)v;
	return 0;
}

/* agent_load_state - lock the state directory, then the epoch (raised)
 * and the LST file */
static int
agent_load_state(struct agent *a, char *err, size_t errlen)
{
	struct diag d;
	char *buf, *lock;
	size_t len;
	int rc;

	if (mkdir(a->set->state_dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "state_dir %s: %s", a->set->state_dir,
		    strerror(errno));
		return -1;
	}
	lock = xasprintf("%s/lock", a->set->state_dir);
	a->lock_fd = safefile_lock(lock, err, errlen);
	free(lock);
	if (a->lock_fd < 0)
		return -1;
	diag_init(&d);
	if ((buf = safefile_read(a->epoch_path, AGENT_EPOCH_MAX_BYTES, 0, &len,
	    &d)) != NULL) {
		rc = agent_epoch_parse(a->epoch_path, buf, &a->epoch, err,
		    errlen);
		free(buf);
		if (rc < 0) {
			diag_free(&d);
			return -1;
		}
	} else if (errno != ENOENT) {
		agent_first_error(&d, err, errlen);
		diag_free(&d);
		return -1;
	}
	diag_free(&d);
	diag_init(&d);
	a->epoch++;
	a->counter = 0;
	if (agent_epoch_save(a, err, errlen) < 0) {
		diag_free(&d);
		return -1;
	}
	if (lsdb_load(a->db, a->lst_path, &a->lst_version, &d) < 0 &&
	    errno != ENOENT) {
		char bad[512];

		agent_first_error(&d, err, errlen);
		log_warnx("lst server=%s: %s; starting empty, the peers "
		    "resend the LST", a->self, err);
		lsdb_free(a->db);
		a->db = lsdb_new();
		a->lst_version = 0;
		snprintf(bad, sizeof(bad), "%s.bad", a->lst_path);
		(void)rename(a->lst_path, bad);
	}
	diag_free(&d);
	agent_verify_db(a);
	for (size_t i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *r = lsdb_at(a->db, i);

		if (strcmp(r->origin, a->self) == 0)
			agent_epoch_past(a, r->seq);
	}
	return 0;
}

/*
 * agent_verify_db - the LST file's records of other origins are verified
 * as a peer's would be (certificates first: their keys sort first);
 * those that fail are dropped (a peer resends what is valid). Our own
 * are kept: agent_sign_own() signs them again when our key changed.
 */
static void
agent_verify_db(struct agent *a)
{
	struct lsdb *ok = lsdb_new();
	size_t dropped = 0;
	char why[200];

	for (size_t i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *r = lsdb_at(a->db, i);

		if (strcmp(r->origin, a->self) != 0 &&
		    sig_verify(a->sig, r, why, sizeof(why)) < 0) {
			dropped++;
			continue;
		}
		(void)lsdb_update(ok, r);
		if (r->kind == LSREC_CERT && strcmp(r->origin, a->self) != 0)
			sig_learn(a->sig, r);
	}
	if (dropped > 0)
		log_warnx("lst server=%s: %zu records of the LST file fail "
		    "verification (last: %s): dropped", a->self, dropped, why);
	lsdb_free(a->db);
	a->db = ok;
}

/*
 * agent_sign_own - at start: our certificate record when the LST holds
 * none or another one (a new certificate), then every record of ours
 * that our key does not verify (signed with a former key, or by a
 * version that did not sign) originated again, newer
 */
static void
agent_sign_own(struct agent *a)
{
	const struct lsrec *cur;
	struct lsrec r;
	char key[LSREC_KEY_MAX], why[200];

	snprintf(key, sizeof(key), "cert:%s", a->self);
	cur = lsdb_get(a->db, key);
	if (cur == NULL || strcmp(cur->text, sig_own_cert(a->sig)) != 0) {
		memset(&r, 0, sizeof(r));
		r.kind = LSREC_CERT;
		r.text = xstrdup(sig_own_cert(a->sig));
		agent_originate(a, &r);
		lsrec_clear(&r);
	}
	for (size_t i = 0; i < lsdb_count(a->db); i++) {
		const struct lsrec *o = lsdb_at(a->db, i);

		if (strcmp(o->origin, a->self) != 0 ||
		    sig_verify(a->sig, o, why, sizeof(why)) == 0)
			continue;
		lsrec_copy(&r, o);
		agent_originate(a, &r);	/* replaces o: same key, sorted */
		lsrec_clear(&r);
	}
}

/* agent_new - see agent.h */
struct agent *
agent_new(struct event_base *base, const struct agent_conf *c, char *err,
    size_t errlen)
{
	struct agent *a = xcalloc(1, sizeof(*a));
	const struct lsrec *rec;
	struct topology *ft, *rt = NULL;
	char *ftext;
	struct diag d;

	a->base = base;
	a->conf = *c;
	a->set = c->set;
	snprintf(a->self, sizeof(a->self), "%s", c->server);
	a->topo_path = xstrdup(c->topology ? c->topology : c->set->topology);
	a->lst_path = xasprintf("%s/lst.json", a->set->state_dir);
	a->epoch_path = xasprintf("%s/epoch", a->set->state_dir);
	a->snapshot_path = a->set->snapshot[0] ? xstrdup(a->set->snapshot) :
	    xasprintf("%s/lst.snapshot", a->set->state_dir);
	TAILQ_INIT(&a->peers);
	TAILQ_INIT(&a->links);
	TAILQ_INIT(&a->pending);
	TAILQ_INIT(&a->closing);
	a->db = lsdb_new();
	a->self_idx = -1;
	a->lock_fd = -1;
	if ((ft = agent_load_file_topology(a, &ftext, err, errlen)) == NULL)
		goto fail;
	if (topo_find_server(ft, a->self) < 0) {
		snprintf(err, errlen, "%s: server %s is not in the topology",
		    a->topo_path, a->self);
		topo_free(ft);
		free(ftext);
		goto fail;
	}
	if ((a->sig = sig_new(a->set, a->self, err, errlen)) == NULL) {
		topo_free(ft);
		free(ftext);
		goto fail;
	}
	if (agent_load_state(a, err, errlen) < 0) {
		topo_free(ft);
		free(ftext);
		goto fail;
	}
	rec = lsdb_get(a->db, "topology");
	if (rec != NULL && rec->version > ft->version) {
		diag_init(&d);
		rt = topo_load_buf("topology record", rec->text,
		    strlen(rec->text), &d);
		diag_free(&d);
	}
	if (rt != NULL) {
		agent_use_topology(a, rt, xstrdup(rec->text));
		topo_free(ft);
		free(ftext);
	} else
		agent_use_topology(a, ft, ftext);
	if (tls_init(a, err, errlen) < 0)
		goto fail;
	a->publish_ev = evtimer_new(base, agent_publish_cb, a);
	a->write_ev = evtimer_new(base, agent_write_retry_cb, a);
	a->lst_ev = evtimer_new(base, agent_write_retry_cb, a);
	a->resync_ev = evtimer_new(base, agent_resync_cb, a);
	return a;
fail:
	agent_free(a);
	return NULL;
}

/* agent_accept_cb - a new inbound connection */
static void
agent_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	session_accept(arg, fd, sa, salen);
}

/* agent_resume_cb - accept again after EMFILE */
static void
agent_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *a = arg;

	(void)fd;
	(void)ev;
	evconnlistener_enable(a->listener);
}

/* agent_accept_error_cb - out of descriptors: pause accept for 1 s */
static void
agent_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct agent *a = arg;
	struct timeval one = { 1, 0 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warnx("accept server=%s: %s", a->self,
	    evutil_socket_error_to_string(e));
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		evconnlistener_disable(l);
		evtimer_add(a->resume_ev, &one);
	}
}

/* agent_poll_cb - a master re-reads its topology file */
static void
agent_poll_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct agent *a = arg;
	char msg[256];

	(void)fd;
	(void)ev;
	if (agent_is_master(a) && agent_reload(a, msg, sizeof(msg)) > 0)
		log_info("topology server=%s: %s", a->self, msg);
}

/* agent_dns_start - the resolver of peer names (session_connect) */
static void
agent_dns_start(struct agent *a)
{
	const char *path = a->conf.resolv_conf != NULL ?
	    a->conf.resolv_conf : "/etc/resolv.conf";
	int rc;

	if ((a->dns = evdns_base_new(a->base, 0)) == NULL) {
		log_warnx("dns server=%s: cannot set up the resolver; peer "
		    "names will not resolve", a->self);
		return;
	}
	/* a missing file leaves the defaults (localhost), as libc does */
	if ((rc = evdns_base_resolv_conf_parse(a->dns, DNS_OPTIONS_ALL,
	    path)) != 0)
		log_debug("dns server=%s: %s: error %d, defaults used",
		    a->self, path, rc);
}

/* agent_start - listen, control socket, originate, connect */
int
agent_start(struct agent *a, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	char msg[256];

	if (evutil_parse_sockaddr_port(a->set->listen, (struct sockaddr *)&ss,
	    &sslen) < 0) {
		snprintf(err, errlen, "listen %s: not an address:port",
		    a->set->listen);
		return -1;
	}
	a->listener = evconnlistener_new_bind(a->base, agent_accept_cb, a,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    64, (struct sockaddr *)&ss, sslen);
	if (a->listener == NULL) {
		snprintf(err, errlen, "listen %s: %s", a->set->listen,
		    strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(a->listener, agent_accept_error_cb);
	a->resume_ev = evtimer_new(a->base, agent_resume_cb, a);
	agent_dns_start(a);
	if (a->set->control_socket[0] != '\0' &&
	    (a->control = control_new(a, a->set->control_socket, err,
	    errlen)) == NULL)
		return -1;
	a->started = 1;
	agent_sign_own(a);
	if (agent_is_master(a) && agent_reload(a, msg, sizeof(msg)) > 0)
		log_info("topology server=%s: %s", a->self, msg);
	peer_sync_all(a);
	monitor_sync(a);
	liveness_start(a);
	a->reroute = reroute_new(a);
	a->schedtimer = schedtimer_new(a);
	a->poll_ev = event_new(a->base, -1, EV_PERSIST, agent_poll_cb, a);
	agent_after(a->poll_ev, a->set->config_poll_interval);
	event_active(a->publish_ev, EV_TIMEOUT, 0);
	log_info("agent started server=%s role=%s listen=%s epoch=%" PRIu32
	    " records=%zu topology_version=%" PRIu64, a->self,
	    agent_is_master(a) ? "master" : "member", a->set->listen,
	    a->epoch, lsdb_count(a->db), a->topo->version);
	return 0;
}

/* agent_free - see agent.h */
void
agent_free(struct agent *a)
{
	struct session *s;

	if (a == NULL)
		return;
	a->stopping = 1;
	peer_free_all(a);
	monitor_free_all(a);
	liveness_free(a);
	reroute_free(a->reroute);
	schedtimer_free(a->schedtimer);
	while ((s = TAILQ_FIRST(&a->pending)) != NULL)
		session_close(s, "agent stopping", 0);
	session_free_closing(a);
	if (a->dns != NULL)	/* requests left call back: resolve.c */
		evdns_base_free(a->dns, 1);
	if (a->control != NULL)
		control_free(a->control);
	if (a->listener != NULL)
		evconnlistener_free(a->listener);
	if (a->publish_ev != NULL)
		event_free(a->publish_ev);
	if (a->resync_ev != NULL)
		event_free(a->resync_ev);
	if (a->resume_ev != NULL)
		event_free(a->resume_ev);
	if (a->poll_ev != NULL)
		event_free(a->poll_ev);
	if (a->lst_ev != NULL) {
		if (evtimer_pending(a->lst_ev, NULL))
			agent_write_state(a);	/* a stop: the LST whole */
		event_free(a->lst_ev);
	}
	if (a->write_ev != NULL)
		event_free(a->write_ev);
	if (a->lock_fd >= 0)
		close(a->lock_fd);	/* the lock goes last: files are whole */
	tls_free(a);
	sig_free(a->sig);
	linkstate_free(a->ls);
	topo_free(a->topo);
	free(a->topo_text);
	lsdb_free(a->db);
	free(a->topo_path);
	free(a->lst_path);
	free(a->epoch_path);
	free(a->snapshot_path);
	free(a);
}

/* accessors, see agent.h */
const struct lsdb *
agent_lsdb(const struct agent *a)
{
	return a->db;
}

const char *
agent_digest(struct agent *a)
{
	return lsdb_digest(a->db);
}

const char *
agent_server(const struct agent *a)
{
	return a->self;
}

uint64_t
agent_lst_version(const struct agent *a)
{
	return a->lst_version;
}

const struct agent_stats *
agent_stats(const struct agent *a)
{
	return &a->stats;
}

int
agent_peers(const struct agent *a)
{
	const struct peer *p;
	int n = 0;

	TAILQ_FOREACH(p, &a->peers, entry)
		n++;
	return n;
}

int
agent_peers_full(const struct agent *a)
{
	const struct peer *p;
	int n = 0;

	TAILQ_FOREACH(p, &a->peers, entry)
		n += p->state == PEER_FULL;
	return n;
}

uint64_t
agent_peer_bytes_max(const struct agent *a)
{
	const struct peer *p;
	uint64_t m = 0;

	TAILQ_FOREACH(p, &a->peers, entry)
		if (p->s != NULL && p->s->bytes_out > m)
			m = p->s->bytes_out;
	return m;
}
