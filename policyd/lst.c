/*
 * lst.c - lsa-policyd's current LST snapshot and the decision made on it.
 *
 * The snapshot file is checked every snapshot_check_interval (and on
 * SIGHUP): when its identity (inode, mtime, size) changed, it is loaded
 * whole into a new struct policyd_lst; the old one is dropped only when
 * the new one loaded. A snapshot that fails to load is logged and the
 * previous one stays in use (seed 001: keep the last known link state);
 * with no snapshot at all, lookups answer TEMP and mail waits.
 *
 * The warm path: a transport decision depends only on the recipient's
 * domain, the rotation number and the snapshot (the size is 0 and there
 * is no sender), so each snapshot holder keeps the answers it made, by
 * domain, for the rotation number they were made at: relay, local and
 * default, the answers that are not logged at the default verbosity
 * (defer and bounce ones are made again, and logged, each time). A
 * fixed table of LST_CACHE_SLOTS, two places for each domain; an entry
 * is allocated the first time its slot is used and then overwritten in
 * place, so a lookup allocates nothing. Dropped with its snapshot, and
 * emptied with a new table when a connector opens or closes by its
 * schedule (route.h rule 9): the holder is immutable but for that.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "policyd.h"
#include "route_params.h"
#include "schedule.h"
#include "xmalloc.h"

#define LST_CACHE_SLOTS	8192		/* a power of two */
#define LST_CACHE_TEXT	320		/* domain and next-hop string */

struct policyd_answer {			/* one cached transport answer */
	uint64_t	 hash;
	unsigned	 rotation;
	enum route_action action;	/* relay, local or default */
	size_t		 dlen;		/* text: the domain, NUL, */
	size_t		 tlen;		/* the next-hop string, NUL */
	char		 text[LST_CACHE_TEXT];
};

/* policyd_lst_free - one loaded snapshot and its tables */
void
policyd_lst_free(struct policyd_lst *l)
{
	if (l == NULL)
		return;
	if (l->cache != NULL)
		for (int i = 0; i < LST_CACHE_SLOTS; i++)
			free(l->cache[i]);
	free(l->cache);
	route_table_free(l->rt);
	route_index_free(l->ix);
	snapshot_free(l->snap);
	free(l);
}

/* policyd_lst_same - the file is the one l came from (or was refused) */
static int
policyd_lst_same(const struct policyd_lst *l, const struct stat *st)
{
	return l->ino == st->st_ino && l->size == st->st_size &&
	    l->mtime.tv_sec == st->st_mtim.tv_sec &&
	    l->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* policyd_lst_mark - remember the file's identity in l */
static void
policyd_lst_mark(struct policyd_lst *l, const struct stat *st)
{
	l->ino = st->st_ino;
	l->mtime = st->st_mtim;
	l->size = st->st_size;
}

/* policyd_lst_table - the routing table at now, and an empty cache */
static void
policyd_lst_table(struct policyd *pd, struct policyd_lst *l, time_t now)
{
	struct route_params p;

	/* one thread: the zone may follow the snapshot's topology */
	schedule_zone_set(l->snap->topo->timezone);
	route_params_from_settings(&p, pd->set, l->self, now);
	route_table_free(l->rt);
	l->rt = route_table_new(l->snap->topo, l->ix, l->snap->ls, &p);
	l->at = now;
	l->edge = route_table_next_edge(l->rt);
	for (int i = 0; i < LST_CACHE_SLOTS; i++) {
		free(l->cache[i]);
		l->cache[i] = NULL;
	}
}

/*
 * policyd_lst_fresh - a new table once a connector opened or closed by
 * its schedule since the table was made (or the clock stepped back over
 * the moment it was made at): no answer, cached or not, crosses an edge
 */
static void
policyd_lst_fresh(struct policyd *pd)
{
	struct policyd_lst *l = pd->lst;
	time_t now = time(NULL);

	if (now < l->at || (l->edge != SCHEDULE_NONE && now >= l->edge)) {
		policyd_lst_table(pd, l, now);
		log_info("snapshot=%s schedule edge: routing table rebuilt "
		    "next_edge=%lld", pd->snapshot_path, (long long)l->edge);
	}
}

/* policyd_lst_load - a new holder from the file; NULL on error */
static struct policyd_lst *
policyd_lst_load(struct policyd *pd, const struct stat *st)
{
	struct policyd_lst *l;
	struct diag d;

	diag_init(&d);
	l = xcalloc(1, sizeof(*l));
	if ((l->snap = snapshot_load(pd->snapshot_path, &d)) == NULL) {
		for (int i = 0; i < d.count; i++)
			log_warnx("snapshot=%s rejected: %s", pd->snapshot_path,
			    d.msgs[i]);
		goto bad;
	}
	if ((l->self = topo_find_server(l->snap->topo, pd->server)) < 0) {
		log_warnx("snapshot=%s rejected: server %s is not in its "
		    "topology", pd->snapshot_path, pd->server);
		goto bad;
	}
	l->ix = route_index_new(l->snap->topo);
	l->cache = xcalloc(LST_CACHE_SLOTS, sizeof(*l->cache));
	policyd_lst_table(pd, l, time(NULL));
	policyd_lst_mark(l, st);
	diag_free(&d);
	return l;
bad:
	diag_free(&d);
	policyd_lst_free(l);
	return NULL;
}

/*
 * policyd_lst_check - load the snapshot when the file changed. Returns 1
 * when a new one is in use, 0 when nothing changed, -1 when a changed or
 * missing file could not be loaded (the previous one stays).
 */
int
policyd_lst_check(struct policyd *pd)
{
	struct policyd_lst *l;
	struct stat st;

	if (stat(pd->snapshot_path, &st) < 0) {
		if (pd->lst == NULL && errno == ENOENT)
			return -1;	/* not published yet: TEMP */
		if (errno != ENOENT)
			log_warn("snapshot=%s", pd->snapshot_path);
		return -1;
	}
	/* the file in use, or the bad file refused last: nothing new */
	if (pd->lst != NULL && policyd_lst_same(pd->lst, &st))
		return 0;
	if (pd->lst == NULL && policyd_lst_same(&pd->refused, &st))
		return -1;
	if ((l = policyd_lst_load(pd, &st)) == NULL) {
		/* do not retry (and log) the same bad file every tick */
		policyd_lst_mark(pd->lst != NULL ? pd->lst : &pd->refused, &st);
		return -1;
	}
	log_info("snapshot=%s loaded lst_version=%ju topology_version=%ju "
	    "server=%s", pd->snapshot_path, (uintmax_t)l->snap->lst_version,
	    (uintmax_t)l->snap->topo->version, pd->server);
	policyd_lst_free(pd->lst);
	pd->lst = l;
	return 1;
}

/*
 * policyd_decide - the routing decision for a sender (NULL: unknown) and
 * recipient, or NULL with no snapshot
 */
const struct route_decision *
policyd_decide(struct policyd *pd, const char *sender, const char *recipient,
    uint64_t size)
{
	if (pd->lst == NULL)
		return NULL;
	policyd_lst_fresh(pd);
	pd->lookups++;
	route_decide_sender(pd->lst->rt, sender, recipient, size,
	    policyd_rotation(pd, 0),
	    &pd->dec);
	return &pd->dec;
}

/*
 * policyd_sends_back - the decision passes the mail straight back to the
 * server at client_address (a server of the organization): it is one of
 * the next hops, or the next group is the client's, another group than
 * ours. The next group is the next hop's, or, when the next hop is a
 * server of our group (a hand-over: our link is down, another source's
 * is up), the group after ours on the path: the server we hand it to
 * would send it on there. Only two views that do not agree yet (a record
 * in flight) make that; accepting would have the mail cross twice.
 * Returns the client server's index, or -1.
 */
int
policyd_sends_back(const struct policyd *pd, const struct route_decision *d,
    const char *client_address)
{
	const struct topology *t;
	int c, own, next;

	if (pd->lst == NULL || d->action != ROUTE_RELAY ||
	    client_address == NULL || *client_address == '\0')
		return -1;
	t = pd->lst->snap->topo;
	c = topo_find_address(t, client_address);
	if (c < 0 || c == pd->lst->self)
		return -1;
	for (int i = 0; i < d->nhosts; i++)
		if (strcmp(d->hosts[i].name, t->servers[c].name) == 0)
			return c;
	own = t->servers[pd->lst->self].group;
	next = d->hop_group;
	if (next == own && d->npath >= 2)
		next = d->path[1];
	if (next >= 0 && next == t->servers[c].group && next != own)
		return c;
	return -1;
}

/* policyd_hash - see policyd.h */
uint64_t
policyd_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* lst_cache_find - the entry for a domain at a rotation, or NULL */
static struct policyd_answer *
lst_cache_find(struct policyd_lst *l, uint64_t h, const char *domain,
    size_t dlen, unsigned rotation)
{
	for (int k = 0; k < 2; k++) {
		struct policyd_answer *a =
		    l->cache[(h + (uint64_t)k) & (LST_CACHE_SLOTS - 1)];

		if (a != NULL && a->hash == h && a->rotation == rotation &&
		    a->dlen == dlen && memcmp(a->text, domain, dlen) == 0)
			return a;
	}
	return NULL;
}

/* lst_cache_put - keep a decision: the slot's other place, or this one */
static void
lst_cache_put(struct policyd_lst *l, uint64_t h, const char *domain,
    size_t dlen, unsigned rotation, const struct route_decision *d)
{
	const char *tr = d->action == ROUTE_RELAY ? d->transport : "";
	size_t tlen = strlen(tr), i = h & (LST_CACHE_SLOTS - 1);
	struct policyd_answer *a;

	if (dlen + tlen + 2 > LST_CACHE_TEXT)
		return;			/* a long list: not worth a slot */
	/* the first place unless it holds another domain of this rotation */
	if ((a = l->cache[i]) != NULL && a->rotation == rotation &&
	    a->hash != h)
		i = (i + 1) & (LST_CACHE_SLOTS - 1);
	if ((a = l->cache[i]) == NULL)
		a = l->cache[i] = xmalloc(sizeof(*a));
	a->hash = h;
	a->rotation = rotation;
	a->action = d->action;
	a->dlen = dlen;
	a->tlen = tlen;
	memcpy(a->text, domain, dlen + 1);
	memcpy(a->text + dlen + 1, tr, tlen + 1);
}

/*
 * policyd_transport - the transport answer for a recipient: the action
 * and, for relay, the next-hop string in *transport (valid until the
 * next lookup). *d is the whole decision when one was made now, NULL
 * when the answer came from the cache (relay, local, default only).
 * Returns -1 with no snapshot loaded.
 */
int
policyd_transport(struct policyd *pd, const char *recipient,
    enum route_action *action, const char **transport,
    const struct route_decision **d)
{
	char domain[ADDRSPACE_MAX_DOMAIN + 1];
	const struct policyd_answer *a;
	unsigned rotation;
	uint64_t h = 0;
	size_t dlen = 0;
	int cacheable;

	if (pd->lst == NULL)
		return -1;
	policyd_lst_fresh(pd);
	rotation = policyd_rotation_key(pd, recipient, strlen(recipient));
	cacheable = route_recipient_domain(recipient, domain,
	    sizeof(domain)) == 0;
	if (cacheable) {
		dlen = strlen(domain);
		h = policyd_hash(domain, dlen);
		if ((a = lst_cache_find(pd->lst, h, domain, dlen,
		    rotation)) != NULL) {
			pd->lookups++;
			*action = a->action;
			*transport = a->text + a->dlen + 1;
			*d = NULL;
			return 0;
		}
	}
	pd->lookups++;
	route_decide(pd->lst->rt, recipient, 0, rotation, &pd->dec);
	*d = &pd->dec;
	*action = pd->dec.action;
	*transport = pd->dec.transport != NULL ? pd->dec.transport : "";
	if (cacheable && (pd->dec.action == ROUTE_RELAY ||
	    pd->dec.action == ROUTE_LOCAL || pd->dec.action == ROUTE_DEFAULT))
		lst_cache_put(pd->lst, h, domain, dlen, rotation, &pd->dec);
	return 0;
}
