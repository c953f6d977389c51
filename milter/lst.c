/*
 * lst.c - lsa-milter's snapshot holder, shared by every libmilter thread.
 *
 * The same rules as lsa-policyd (policyd/lst.c): the snapshot file is
 * checked every snapshot_check_interval, here by a thread of its own;
 * when its identity (inode, mtime, size) changed it is loaded whole, and
 * the previous one is replaced only when the new one loaded. A file that
 * does not load is logged once and the last good snapshot stays in use;
 * with none at all, callbacks answer SMFIS_TEMPFAIL (mail waits, nothing
 * is lost).
 *
 * Threads: h->cur and the reference counts are under h->mu. A callback
 * takes a reference (milter_lst_get), decides on the immutable snapshot
 * without the lock, and drops it (milter_lst_put); the last reference
 * frees it, so a replaced snapshot lives until its last reader is done.
 * The load itself (file I/O, the route table) runs without the lock.
 *
 * A snapshot's table reads the schedules at the moment it was made; at
 * the next edge the check loads the same file again (so a route check
 * may be a snapshot_check_interval late on an edge, never more).
 *
 * The digest in trace headers is the SHA-256 of the file's bytes (its
 * first MILTER_DIGEST_HEX hex digits): two servers with the same LST
 * version but a different snapshot show it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "milter.h"
#include "route_params.h"
#include "schedule.h"
#include "xmalloc.h"

/* lst_free - one snapshot and its tables */
static void
lst_free(struct milter_lst *l)
{
	if (l == NULL)
		return;
	route_table_free(l->rt);
	route_index_free(l->ix);
	snapshot_free(l->snap);
	free(l);
}

/* lst_same - the file is the one l came from (or was refused) */
static int
lst_same(const struct milter_lst *l, const struct stat *st)
{
	return l->ino == st->st_ino && l->size == st->st_size &&
	    l->mtime.tv_sec == st->st_mtim.tv_sec &&
	    l->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* lst_mark - remember the file's identity in l */
static void
lst_mark(struct milter_lst *l, const struct stat *st)
{
	l->ino = st->st_ino;
	l->mtime = st->st_mtim;
	l->size = st->st_size;
}

/* lst_read - the whole file (at most SNAPSHOT_MAX_BYTES), or NULL */
static char *
lst_read(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_warn("snapshot=%s", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || st.st_size > SNAPSHOT_MAX_BYTES) {
		log_warnx("snapshot=%s rejected: cannot be read or over %d "
		    "bytes", path, SNAPSHOT_MAX_BYTES);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size &&
	    (n = read(fd, buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

/* lst_digest - the first hex digits of the SHA-256 of buf */
static void
lst_digest(const char *buf, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		mdlen = 0;
	for (unsigned i = 0; i < MILTER_DIGEST_HEX / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", i < mdlen ? md[i] : 0);
	hex[MILTER_DIGEST_HEX] = '\0';
}

/* lst_load - a new snapshot from the file; NULL (logged) on error */
static struct milter_lst *
lst_load(struct milter_holder *h, const struct stat *st)
{
	struct route_params p;
	struct milter_lst *l;
	struct diag d;
	size_t len = 0;
	char *buf;

	if ((buf = lst_read(h->path, &len)) == NULL)
		return NULL;
	diag_init(&d);
	l = xcalloc(1, sizeof(*l));
	lst_digest(buf, len, l->digest);
	if ((l->snap = snapshot_parse(h->path, buf, len, &d)) == NULL) {
		for (int i = 0; i < d.count; i++)
			log_warnx("snapshot=%s rejected: %s", h->path,
			    d.msgs[i]);
		goto bad;
	}
	if ((l->self = topo_find_server(l->snap->topo, h->server)) < 0) {
		log_warnx("snapshot=%s rejected: server %s is not in its "
		    "topology", h->path, h->server);
		goto bad;
	}
	/* threads read the clock: the zone is the one set at start */
	if (strcmp(l->snap->topo->timezone, schedule_zone()) != 0)
		log_warnx("snapshot=%s timezone=%s: schedules are read in %s "
		    "until lsa-milter restarts", h->path,
		    l->snap->topo->timezone, schedule_zone());
	l->at = time(NULL);
	route_params_from_settings(&p, h->set, l->self, l->at);
	l->ix = route_index_new(l->snap->topo);
	l->rt = route_table_new(l->snap->topo, l->ix, l->snap->ls, &p);
	l->edge = route_table_next_edge(l->rt);
	l->refs = 1;
	lst_mark(l, st);
	free(buf);
	diag_free(&d);
	return l;
bad:
	free(buf);
	diag_free(&d);
	lst_free(l);
	return NULL;
}

/* milter_lst_init - an empty holder */
void
milter_lst_init(struct milter_holder *h, const struct settings *set,
    const char *server, const char *path)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->set = set;
	h->server = server;
	h->path = path;
}

/*
 * milter_lst_check - load the snapshot when the file changed. Returns 1
 * when a new one is in use, 0 when nothing changed, -1 when a changed or
 * missing file could not be loaded (the previous one stays). Called by
 * one thread at a time (start-up, then the check thread).
 */
int
milter_lst_check(struct milter_holder *h)
{
	struct milter_lst *l, *old;
	struct stat st;
	time_t now;
	int same;

	if (stat(h->path, &st) < 0) {
		if (errno != ENOENT)
			log_warn("snapshot=%s", h->path);
		return -1;
	}
	now = time(NULL);
	pthread_mutex_lock(&h->mu);
	/* a connector opened or closed by its schedule (or the clock went
	 * back): the same file gives a new table */
	same = h->cur != NULL ? lst_same(h->cur, &st) && now >= h->cur->at &&
	    (h->cur->edge == SCHEDULE_NONE || now < h->cur->edge) :
	    lst_same(&h->refused, &st);
	pthread_mutex_unlock(&h->mu);
	if (same)
		return h->cur != NULL ? 0 : -1;
	if ((l = lst_load(h, &st)) == NULL) {
		/* do not retry (and log) the same bad file every tick */
		pthread_mutex_lock(&h->mu);
		lst_mark(h->cur != NULL ? h->cur : &h->refused, &st);
		pthread_mutex_unlock(&h->mu);
		return -1;
	}
	log_info("snapshot=%s loaded lst_version=%ju topology_version=%ju "
	    "digest=%s server=%s", h->path, (uintmax_t)l->snap->lst_version,
	    (uintmax_t)l->snap->topo->version, l->digest, h->server);
	pthread_mutex_lock(&h->mu);
	old = h->cur;
	h->cur = l;
	pthread_mutex_unlock(&h->mu);
	milter_lst_put(h, old);
	return 1;
}

/* milter_lst_get - a reference to the current snapshot, or NULL */
struct milter_lst *
milter_lst_get(struct milter_holder *h)
{
	struct milter_lst *l;

	pthread_mutex_lock(&h->mu);
	if ((l = h->cur) != NULL)
		l->refs++;
	pthread_mutex_unlock(&h->mu);
	return l;
}

/* milter_lst_put - drop a reference (NULL: nothing); the last frees */
void
milter_lst_put(struct milter_holder *h, struct milter_lst *l)
{
	int last;

	if (l == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	last = --l->refs == 0;
	pthread_mutex_unlock(&h->mu);
	if (last)
		lst_free(l);
}

/* lst_thread - check the file every snapshot_check_interval until stop */
static void *
lst_thread(void *arg)
{
	struct milter_holder *h = arg;
	uint64_t ms = h->set->snapshot_check_interval;
	struct timespec until;

	pthread_mutex_lock(&h->mu);
	while (!h->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(ms / 1000);
		until.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu,
		    &until) != ETIMEDOUT)
			;
		if (h->stop)
			break;
		pthread_mutex_unlock(&h->mu);
		milter_lst_check(h);
		pthread_mutex_lock(&h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* milter_lst_start - the check thread; -1 (logged) if it cannot start */
int
milter_lst_start(struct milter_holder *h)
{
	pthread_condattr_t ca;
	int e;

	/* the sleep is an interval: the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&h->cv);
	pthread_cond_init(&h->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((e = pthread_create(&h->thread, NULL, lst_thread, h)) != 0) {
		errno = e;
		log_warn("cannot start the snapshot thread");
		return -1;
	}
	h->running = 1;
	return 0;
}

/* milter_lst_stop - stop the thread, drop the holder's snapshot */
void
milter_lst_stop(struct milter_holder *h)
{
	if (h->running) {
		pthread_mutex_lock(&h->mu);
		h->stop = 1;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
		h->running = 0;
	}
	milter_lst_put(h, h->cur);
	h->cur = NULL;
}
