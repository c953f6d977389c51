/*
 * lsdb.c - the link state table: newest record per key, sorted by key
 * (see lsdb.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "log.h"
#include "lsdb.h"
#include "safefile.h"
#include "xmalloc.h"

struct lsdb_ent {
	char		 key[LSREC_KEY_MAX];
	struct lsrec	 rec;
};

struct lsdb {
	struct lsdb_ent	**v;		/* sorted by key */
	size_t		  n;
	size_t		  cap;
	char		  digest[65];	/* "" when stale */
};

/* lsdb_new - an empty table */
struct lsdb *
lsdb_new(void)
{
	return xcalloc(1, sizeof(struct lsdb));
}

/* lsdb_free - the table and every record */
void
lsdb_free(struct lsdb *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->n; i++) {
		lsrec_clear(&db->v[i]->rec);
		free(db->v[i]);
	}
	free(db->v);
	free(db);
}

/* lsdb_find - index of key, or -(insertion point) - 1 */
static ssize_t
lsdb_find(const struct lsdb *db, const char *key)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(db->v[mid]->key, key);

		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(ssize_t)lo - 1;
}

/* lsdb_update - install r (copied) if newer than the stored one */
enum lsdb_result
lsdb_update(struct lsdb *db, const struct lsrec *r)
{
	char key[LSREC_KEY_MAX];
	struct lsdb_ent *e;
	ssize_t at;
	size_t ins;

	lsrec_key(r, key, sizeof(key));
	if ((at = lsdb_find(db, key)) >= 0) {
		e = db->v[at];
		int c = lsrec_cmp(r, &e->rec);

		if (c <= 0)
			return c == 0 ? LSDB_SAME : LSDB_OLDER;
		lsrec_clear(&e->rec);
		lsrec_copy(&e->rec, r);
		db->digest[0] = '\0';
		return LSDB_NEWER;
	}
	if (db->n >= LSDB_MAX_RECORDS)
		return LSDB_FULL;
	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 64;
		db->v = xreallocarray(db->v, db->cap, sizeof(*db->v));
	}
	ins = (size_t)(-at - 1);
	memmove(&db->v[ins + 1], &db->v[ins], (db->n - ins) * sizeof(*db->v));
	e = xcalloc(1, sizeof(*e));
	strcpy(e->key, key);
	lsrec_copy(&e->rec, r);
	db->v[ins] = e;
	db->n++;
	db->digest[0] = '\0';
	return LSDB_NEWER;
}

/* lsdb_get - the record of key, or NULL */
const struct lsrec *
lsdb_get(const struct lsdb *db, const char *key)
{
	ssize_t at = lsdb_find(db, key);

	return at >= 0 ? &db->v[at]->rec : NULL;
}

/* lsdb_count - how many records */
size_t
lsdb_count(const struct lsdb *db)
{
	return db->n;
}

/* lsdb_at - the i-th record in key order */
const struct lsrec *
lsdb_at(const struct lsdb *db, size_t i)
{
	return i < db->n ? &db->v[i]->rec : NULL;
}

/* lsdb_digest - SHA-256 of the canonical table, 64 hex digits */
const char *
lsdb_digest(struct lsdb *db)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	char line[LSREC_KEY_MAX + TOPO_NAME_MAX + 64];

	if (db->digest[0] != '\0')
		return db->digest;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatalx("lsdb_digest: cannot start SHA-256");
	for (size_t i = 0; i < db->n; i++) {
		const struct lsrec *r = &db->v[i]->rec;
		int len = snprintf(line, sizeof(line), "%s %s %" PRIu64 " %"
		    PRIu64 "\n", db->v[i]->key, r->origin, r->seq,
		    r->version);

		EVP_DigestUpdate(ctx, line, (size_t)len);
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		fatalx("lsdb_digest: SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(db->digest + 2 * i, 3, "%02x", md[i]);
	return db->digest;
}

/* lsdb_summary - (key, origin, seq, version) of every record; caller frees */
struct lsmsg_have *
lsdb_summary(const struct lsdb *db, size_t *n)
{
	struct lsmsg_have *h = xcalloc(db->n ? db->n : 1, sizeof(*h));

	for (size_t i = 0; i < db->n; i++) {
		strcpy(h[i].key, db->v[i]->key);
		strcpy(h[i].origin, db->v[i]->rec.origin);
		h[i].seq = db->v[i]->rec.seq;
		h[i].version = db->v[i]->rec.version;
	}
	*n = db->n;
	return h;
}

/* lsdb_encode - the LST file text; the caller frees it */
char *
lsdb_encode(const struct lsdb *db, uint64_t lst_version)
{
	json_t *root = json_object(), *a = json_array();
	char *out;

	for (size_t i = 0; i < db->n; i++)
		json_array_append_new(a, lsrec_to_json(&db->v[i]->rec));
	json_object_set_new(root, "format", json_string(LSDB_FORMAT));
	json_object_set_new(root, "lst_version",
	    json_integer((json_int_t)lst_version));
	json_object_set_new(root, "records", a);
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (out == NULL)
		fatalx("lsdb_encode: out of memory");
	return out;
}

/*
 * lsdb_load_buf - read an LST file's text into the (empty) table. The
 * records go to a table of their own first: db sees none of them unless
 * the whole file is good, and a key given twice is an error whichever
 * of the two is newer.
 */
int
lsdb_load_buf(struct lsdb *db, const char *name, const char *buf,
    size_t len, uint64_t *lst_version, struct diag *d)
{
	json_error_t je;
	json_t *root, *a, *v, *o;
	const char *fmt;
	char err[256], key[LSREC_KEY_MAX];
	struct lsdb *tmp = NULL;
	size_t i;
	int rc = -1;

	if ((root = json_loadb(buf, len, 0, &je)) == NULL) {
		diag_add(d, name, je.line, "json", "%s", je.text);
		return -1;
	}
	fmt = json_string_value(json_object_get(root, "format"));
	v = json_object_get(root, "lst_version");
	a = json_object_get(root, "records");
	if (fmt == NULL || strcmp(fmt, LSDB_FORMAT) != 0) {
		diag_add(d, name, 0, "format", "want \"%s\"", LSDB_FORMAT);
		goto out;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		diag_add(d, name, 0, "lst_version", "want an integer >= 0");
		goto out;
	}
	if (!json_is_array(a)) {
		diag_add(d, name, 0, "records", "want an array");
		goto out;
	}
	tmp = lsdb_new();
	json_array_foreach(a, i, o) {
		struct lsrec r;

		if (lsrec_from_json(o, &r, err, sizeof(err)) < 0) {
			diag_add(d, name, 0, "records", "item %zu: %s", i,
			    err);
			lsrec_clear(&r);
			goto out;
		}
		lsrec_key(&r, key, sizeof(key));
		if (lsdb_get(tmp, key) != NULL) {
			diag_add(d, name, 0, "records", "item %zu: a second "
			    "record of %s", i, key);
			lsrec_clear(&r);
			goto out;
		}
		if (lsdb_update(tmp, &r) != LSDB_NEWER) {
			diag_add(d, name, 0, "records", "item %zu: more than "
			    "%d records", i, LSDB_MAX_RECORDS);
			lsrec_clear(&r);
			goto out;
		}
		lsrec_clear(&r);
	}
	for (i = 0; i < tmp->n; i++)
		(void)lsdb_update(db, &tmp->v[i]->rec);
	*lst_version = (uint64_t)json_integer_value(v);
	rc = 0;
out:
	lsdb_free(tmp);
	json_decref(root);
	return rc;
}

/* lsdb_load - read the LST file at path (a regular file, not a link) */
int
lsdb_load(struct lsdb *db, const char *path, uint64_t *lst_version,
    struct diag *d)
{
	size_t len;
	char *buf;
	int rc;

	if ((buf = safefile_read(path, LSDB_MAX_BYTES, 0, &len, d)) == NULL)
		return -1;
	rc = lsdb_load_buf(db, path, buf, len, lst_version, d);
	free(buf);
	if (rc < 0)
		errno = EINVAL;	/* there is a file: ENOENT means none */
	return rc;
}

/* lsdb_linkstate - the routing engine's view of the table under t */
struct linkstate *
lsdb_linkstate(const struct lsdb *db, const struct topology *t,
    uint64_t lst_version)
{
	struct linkstate *ls = linkstate_new(t);

	ls->version = lst_version;
	for (size_t i = 0; i < db->n; i++) {
		const struct lsrec *r = &db->v[i]->rec;
		int c, sv;

		if (!r->down)
			continue;
		if (r->kind == LSREC_CONNECTOR &&
		    (c = topo_find_connector(t, r->name)) >= 0 &&
		    (sv = topo_find_server(t, r->source)) >= 0)
			(void)linkstate_set_connector(ls, t, c, sv, 1);
		else if (r->kind == LSREC_SERVER &&
		    (sv = topo_find_server(t, r->name)) >= 0)
			linkstate_set_server(ls, sv, 1);
	}
	return ls;
}
