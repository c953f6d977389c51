/*
 * lsrec.c - link-state records and agent messages, encoded and checked
 * with jansson (see lsrec.h for the format).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "log.h"
#include "lsrec.h"
#include "xmalloc.h"

static const char *lsrec_kinds[] = { "topology", "connector", "server",
    "cert" };
#define LSREC_NKINDS	(sizeof(lsrec_kinds) / sizeof(lsrec_kinds[0]))

/* lsrec_kind_name - "topology", "connector", "server" or "cert" */
const char *
lsrec_kind_name(enum lsrec_kind k)
{
	return (unsigned)k < LSREC_NKINDS ? lsrec_kinds[k] : "?";
}

/* lsrec_valid_name - a topology name: [A-Za-z0-9._-], 1..TOPO_NAME_MAX */
int
lsrec_valid_name(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return n > 0 && n <= TOPO_NAME_MAX;
}

/* lsrec_key - the record's key, the same for all its versions */
void
lsrec_key(const struct lsrec *r, char *buf, size_t len)
{
	switch (r->kind) {
	case LSREC_TOPOLOGY:
		snprintf(buf, len, "topology");
		break;
	case LSREC_CONNECTOR:
		snprintf(buf, len, "connector:%s:%s", r->name, r->source);
		break;
	case LSREC_SERVER:
		snprintf(buf, len, "server:%s", r->name);
		break;
	case LSREC_CERT:
		snprintf(buf, len, "cert:%s", r->origin);
		break;
	}
}

/*
 * lsrec_canon - the bytes a signature covers (malloc'd, *len set):
 * "lsa-rec-1", kind, origin, seq, time, name, source, down, version and
 * the text's length, one a line, then the text. Names cannot hold a
 * newline and the text's length is given, so the encoding is one to
 * one.
 */
unsigned char *
lsrec_canon(const struct lsrec *r, size_t *len)
{
	const char *text = r->text != NULL ? r->text : "";
	size_t tl = strlen(text);
	char *buf;
	int n;

	n = asprintf(&buf, "lsa-rec-1\n%s\n%s\n%" PRIu64 "\n%" PRId64 "\n"
	    "%s\n%s\n%d\n%" PRIu64 "\n%zu\n%s", lsrec_kind_name(r->kind),
	    r->origin, r->seq, r->time_ms, r->name, r->source, r->down,
	    r->version, tl, text);
	if (n < 0)
		fatalx("lsrec_canon: out of memory");
	*len = (size_t)n;
	return (unsigned char *)buf;
}

/* lsrec_order - compare (version, seq, origin) triples */
static int
lsrec_order(uint64_t va, uint64_t sa, const char *oa, uint64_t vb,
    uint64_t sb, const char *ob)
{
	int c;

	if (va != vb)
		return va < vb ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	c = strcmp(oa, ob);
	return c < 0 ? -1 : c > 0;
}

/* lsrec_cmp - <0, 0, >0 as a is older, the same, newer than b (same key) */
int
lsrec_cmp(const struct lsrec *a, const struct lsrec *b)
{
	if (a->kind == LSREC_TOPOLOGY)
		return lsrec_order(a->version, a->seq, a->origin, b->version,
		    b->seq, b->origin);
	return lsrec_order(0, a->seq, a->origin, 0, b->seq, b->origin);
}

/* lsrec_cmp_have - compare a record with a summary entry of its key */
int
lsrec_cmp_have(const struct lsrec *a, const struct lsmsg_have *h)
{
	if (a->kind == LSREC_TOPOLOGY)
		return lsrec_order(a->version, a->seq, a->origin, h->version,
		    h->seq, h->origin);
	return lsrec_order(0, a->seq, a->origin, 0, h->seq, h->origin);
}

/* lsrec_copy - deep copy; dst must be clear */
void
lsrec_copy(struct lsrec *dst, const struct lsrec *src)
{
	*dst = *src;
	dst->text = src->text != NULL ? xstrdup(src->text) : NULL;
}

/* lsrec_clear - free what the record owns */
void
lsrec_clear(struct lsrec *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* lsrec_json_u64 - v as a JSON integer, or above 2^63-1 a decimal
 * string (see lsrec.h) */
void *
lsrec_json_u64(uint64_t v)
{
	char buf[24];

	if (v <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

/* lsrec_u64_value - j as an unsigned 64-bit value: an integer >= 0 or a
 * string of 1 to 20 decimal digits that fits; -1 otherwise */
int
lsrec_u64_value(void *obj, uint64_t *v)
{
	json_t *j = obj;
	const char *s;
	uint64_t x = 0;

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0)
			return -1;
		*v = (uint64_t)json_integer_value(j);
		return 0;
	}
	if ((s = json_string_value(j)) == NULL || *s == '\0' ||
	    json_string_length(j) > 20 || strlen(s) != json_string_length(j))
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* lsrec_get_sig - the optional "g": base64 of at most LSREC_SIG_MAX */
static int
lsrec_get_sig(json_t *o, struct lsrec *r, char *err, size_t errlen)
{
	json_t *g = json_object_get(o, "g");
	unsigned char buf[LSREC_SIG_MAX + 3];
	size_t n;
	int len;

	if (g == NULL)
		return 0;
	n = json_string_length(g);
	if (!json_is_string(g) || n == 0 || n % 4 != 0 ||
	    n > ((LSREC_SIG_MAX + 2) / 3) * 4 ||
	    strspn(json_string_value(g), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") != n ||
	    (len = EVP_DecodeBlock(buf, (const unsigned char *)
	    json_string_value(g), (int)n)) < 0) {
		snprintf(err, errlen, "field \"g\": want a base64 signature "
		    "of at most %d bytes", LSREC_SIG_MAX);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (json_string_value(g)[n - 1] == '=')
		len--;
	if (json_string_value(g)[n - 2] == '=')
		len--;
	if (len <= 0 || (size_t)len > LSREC_SIG_MAX) {
		snprintf(err, errlen, "field \"g\": want a base64 signature "
		    "of at most %d bytes", LSREC_SIG_MAX);
		return -1;
	}
	memcpy(r->sig, buf, (size_t)len);
	r->siglen = (size_t)len;
	return 0;
}

/* lsrec_to_json - the record as a new JSON object */
void *
lsrec_to_json(const struct lsrec *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "k", json_string(lsrec_kind_name(r->kind)));
	json_object_set_new(o, "o", json_string(r->origin));
	json_object_set_new(o, "q", lsrec_json_u64(r->seq));
	json_object_set_new(o, "t", json_integer(r->time_ms));
	switch (r->kind) {
	case LSREC_CONNECTOR:
		json_object_set_new(o, "c", json_string(r->name));
		json_object_set_new(o, "s", json_string(r->source));
		json_object_set_new(o, "d", json_integer(r->down));
		break;
	case LSREC_SERVER:
		json_object_set_new(o, "n", json_string(r->name));
		json_object_set_new(o, "d", json_integer(r->down));
		break;
	case LSREC_TOPOLOGY:
		json_object_set_new(o, "v", lsrec_json_u64(r->version));
		json_object_set_new(o, "x", json_string(r->text));
		break;
	case LSREC_CERT:
		json_object_set_new(o, "p", json_string(r->text));
		break;
	}
	if (r->siglen > 0) {
		char b64[((LSREC_SIG_MAX + 2) / 3) * 4 + 1];

		EVP_EncodeBlock((unsigned char *)b64, r->sig, (int)r->siglen);
		json_object_set_new(o, "g", json_string(b64));
	}
	return o;
}

/* lsrec_get_checked - a required string field that valid() accepts */
static int
lsrec_get_checked(json_t *o, const char *key, int (*valid)(const char *),
    char *dst, char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || !valid(s)) {
		snprintf(err, errlen, "field \"%s\": want a name", key);
		return -1;
	}
	strcpy(dst, s);		/* valid() bounds it by TOPO_NAME_MAX */
	return 0;
}

/* lsrec_get_name - a required name field */
static int
lsrec_get_name(json_t *o, const char *key, char *dst, char *err,
    size_t errlen)
{
	return lsrec_get_checked(o, key, lsrec_valid_name, dst, err, errlen);
}

/* lsrec_get_connector - a required connector name (written or generated) */
static int
lsrec_get_connector(json_t *o, const char *key, char *dst, char *err,
    size_t errlen)
{
	return lsrec_get_checked(o, key, topo_valid_connector_name, dst, err,
	    errlen);
}

/* lsrec_get_u64 - a required non-negative integer field */
static int
lsrec_get_u64(json_t *o, const char *key, uint64_t *v, char *err,
    size_t errlen)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || lsrec_u64_value(j, v) < 0) {
		snprintf(err, errlen, "field \"%s\": want an integer >= 0",
		    key);
		return -1;
	}
	return 0;
}

/* lsrec_get_seq - a sequence number or version: the whole u64 space,
 * a decimal string above 2^63-1 (lsrec_u64_value) */
static int
lsrec_get_seq(json_t *o, const char *key, uint64_t *v, char *err,
    size_t errlen)
{
	json_t *j = json_object_get(o, key);

	if (lsrec_u64_value(j, v) < 0) {
		snprintf(err, errlen, "field \"%s\": want an integer >= 0",
		    key);
		return -1;
	}
	return 0;
}

/* lsrec_get_down - "d": 0 or 1 */
static int
lsrec_get_down(json_t *o, int *down, char *err, size_t errlen)
{
	uint64_t v;

	if (lsrec_get_u64(o, "d", &v, err, errlen) < 0)
		return -1;
	if (v > 1) {
		snprintf(err, errlen, "field \"d\": want 0 or 1");
		return -1;
	}
	*down = (int)v;
	return 0;
}

/* lsrec_from_json - check and read a record object; r is cleared first */
int
lsrec_from_json(void *obj, struct lsrec *r, char *err, size_t errlen)
{
	json_t *o = obj, *x;
	const char *k;
	uint64_t t;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		snprintf(err, errlen, "record: want an object");
		return -1;
	}
	k = json_string_value(json_object_get(o, "k"));
	for (i = 0; i < LSREC_NKINDS; i++)
		if (k != NULL && strcmp(k, lsrec_kinds[i]) == 0)
			break;
	if (i == LSREC_NKINDS) {
		snprintf(err, errlen, "field \"k\": unknown record kind");
		return -1;
	}
	r->kind = (enum lsrec_kind)i;
	if (lsrec_get_name(o, "o", r->origin, err, errlen) < 0 ||
	    lsrec_get_seq(o, "q", &r->seq, err, errlen) < 0 ||
	    lsrec_get_u64(o, "t", &t, err, errlen) < 0 ||
	    lsrec_get_sig(o, r, err, errlen) < 0)
		return -1;
	if (t > (uint64_t)INT64_MAX) {
		snprintf(err, errlen, "field \"t\": want an integer >= 0");
		return -1;
	}
	if (t > (uint64_t)LSREC_TIME_MAX) {
		snprintf(err, errlen, "field \"t\": a time past the year 2100");
		return -1;
	}
	r->time_ms = (int64_t)t;
	switch (r->kind) {
	case LSREC_CONNECTOR:
		if (lsrec_get_connector(o, "c", r->name, err, errlen) < 0 ||
		    lsrec_get_name(o, "s", r->source, err, errlen) < 0 ||
		    lsrec_get_down(o, &r->down, err, errlen) < 0)
			return -1;
		break;
	case LSREC_SERVER:
		if (lsrec_get_name(o, "n", r->name, err, errlen) < 0 ||
		    lsrec_get_down(o, &r->down, err, errlen) < 0)
			return -1;
		break;
	case LSREC_TOPOLOGY:
		if (lsrec_get_seq(o, "v", &r->version, err, errlen) < 0)
			return -1;
		x = json_object_get(o, "x");
		if (!json_is_string(x) || json_string_length(x) == 0 ||
		    json_string_length(x) > LSREC_TEXT_MAX ||
		    strlen(json_string_value(x)) != json_string_length(x)) {
			snprintf(err, errlen, "field \"x\": want the topology "
			    "text (1 to %d bytes, no NUL)", LSREC_TEXT_MAX);
			return -1;
		}
		r->text = xstrdup(json_string_value(x));
		break;
	case LSREC_CERT:
		x = json_object_get(o, "p");
		if (!json_is_string(x) || json_string_length(x) == 0 ||
		    json_string_length(x) > LSREC_CERT_MAX ||
		    strlen(json_string_value(x)) != json_string_length(x)) {
			snprintf(err, errlen, "field \"p\": want the PEM "
			    "certificate (1 to %d bytes, no NUL)",
			    LSREC_CERT_MAX);
			return -1;
		}
		r->text = xstrdup(json_string_value(x));
		break;
	}
	return 0;
}

/* lsmsg_dump - compact JSON text of o, which is released */
static char *
lsmsg_dump(json_t *o, size_t *len)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (s == NULL)
		fatalx("json_dumps: out of memory");
	*len = strlen(s);
	return s;
}

/* lsmsg_encode_hello - {"m":"hello",...} */
char *
lsmsg_encode_hello(const char *server, const char *digest, uint64_t records,
    uint64_t topology, size_t *len)
{
	json_t *o = json_object();

	json_object_set_new(o, "m", json_string("hello"));
	json_object_set_new(o, "server", json_string(server));
	json_object_set_new(o, "digest", json_string(digest));
	json_object_set_new(o, "records", json_integer((json_int_t)records));
	json_object_set_new(o, "topology", json_integer((json_int_t)topology));
	return lsmsg_dump(o, len);
}

/* lsmsg_encode_rec - {"m":"rec",...record...} */
char *
lsmsg_encode_rec(const struct lsrec *r, size_t *len)
{
	json_t *o = lsrec_to_json(r);

	json_object_set_new(o, "m", json_string("rec"));
	return lsmsg_dump(o, len);
}

/* lsmsg_encode_bare - {"m":NAME}, a message with no fields */
static char *
lsmsg_encode_bare(const char *name, size_t *len)
{
	json_t *o = json_object();

	json_object_set_new(o, "m", json_string(name));
	return lsmsg_dump(o, len);
}

/* lsmsg_encode_done - {"m":"done"} */
char *
lsmsg_encode_done(size_t *len)
{
	return lsmsg_encode_bare("done", len);
}

/* lsmsg_encode_alive - {"m":"alive"} */
char *
lsmsg_encode_alive(size_t *len)
{
	return lsmsg_encode_bare("alive", len);
}

/* lsmsg_encode_summary - {"m":"summary","have":[[k,o,q,v],...]} */
char *
lsmsg_encode_summary(const struct lsmsg_have *h, size_t n, size_t *len)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[ssoo]", h[i].key,
		    h[i].origin, lsrec_json_u64(h[i].seq),
		    lsrec_json_u64(h[i].version)));
	json_object_set_new(o, "m", json_string("summary"));
	json_object_set_new(o, "have", a);
	return lsmsg_dump(o, len);
}

/* lsmsg_valid_key - KIND[:NAME[:NAME]] made of valid names */
static int
lsmsg_valid_key(const char *k)
{
	char buf[LSREC_KEY_MAX], *p, *q;

	if (strlen(k) >= sizeof(buf))
		return 0;
	if (strcmp(k, "topology") == 0)
		return 1;
	strcpy(buf, k);
	if (strncmp(buf, "server:", 7) == 0)
		return lsrec_valid_name(buf + 7);
	if (strncmp(buf, "cert:", 5) == 0)
		return lsrec_valid_name(buf + 5);
	if (strncmp(buf, "connector:", 10) != 0)
		return 0;
	p = buf + 10;
	if ((q = strchr(p, ':')) == NULL)
		return 0;
	*q++ = '\0';
	return topo_valid_connector_name(p) && lsrec_valid_name(q);
}

/* lsmsg_decode_summary - the "have" array */
static int
lsmsg_decode_summary(json_t *o, struct lsmsg *m, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, "have"), *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > LSMSG_SUMMARY_MAX) {
		snprintf(err, errlen, "field \"have\": want an array of at "
		    "most %d entries", LSMSG_SUMMARY_MAX);
		return -1;
	}
	m->nhave = json_array_size(a);
	m->have = xcalloc(m->nhave ? m->nhave : 1, sizeof(*m->have));
	json_array_foreach(a, i, e) {
		struct lsmsg_have *h = &m->have[i];
		const char *k, *org;
		json_t *q, *v;

		if (json_unpack(e, "[ssoo!]", &k, &org, &q, &v) != 0 ||
		    !lsmsg_valid_key(k) || !lsrec_valid_name(org) ||
		    lsrec_u64_value(q, &h->seq) < 0 ||
		    lsrec_u64_value(v, &h->version) < 0) {
			snprintf(err, errlen, "summary entry %zu: want "
			    "[KEY, ORIGIN, SEQ, VERSION]", i);
			return -1;
		}
		strcpy(h->key, k);
		strcpy(h->origin, org);
	}
	return 0;
}

/* lsmsg_decode - parse and check one message; m is cleared first */
int
lsmsg_decode(const char *buf, size_t len, struct lsmsg *m, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *o;
	const char *type, *s;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (len > LSMSG_MAX_BYTES) {
		snprintf(err, errlen, "message of %zu bytes (limit %d)", len,
		    LSMSG_MAX_BYTES);
		return -1;
	}
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		snprintf(err, errlen, "bad JSON: %s", je.text);
		return -1;
	}
	if (!json_is_object(o) ||
	    (type = json_string_value(json_object_get(o, "m"))) == NULL) {
		snprintf(err, errlen, "want an object with \"m\"");
		goto out;
	}
	if (strcmp(type, "hello") == 0) {
		m->type = LSMSG_HELLO;
		s = json_string_value(json_object_get(o, "digest"));
		if (lsrec_get_name(o, "server", m->server, err, errlen) < 0 ||
		    lsrec_get_u64(o, "records", &m->records, err, errlen) < 0)
			goto out;
		if (json_object_get(o, "topology") != NULL &&
		    lsrec_get_u64(o, "topology", &m->topology, err,
		    errlen) < 0)
			goto out;
		if (s == NULL || strlen(s) != 64 ||
		    strspn(s, "0123456789abcdef") != 64) {
			snprintf(err, errlen, "field \"digest\": want 64 "
			    "hex digits");
			goto out;
		}
		strcpy(m->digest, s);
	} else if (strcmp(type, "summary") == 0) {
		m->type = LSMSG_SUMMARY;
		if (lsmsg_decode_summary(o, m, err, errlen) < 0)
			goto out;
	} else if (strcmp(type, "rec") == 0) {
		m->type = LSMSG_REC;
		if (lsrec_from_json(o, &m->rec, err, errlen) < 0)
			goto out;
	} else if (strcmp(type, "done") == 0) {
		m->type = LSMSG_DONE;
	} else if (strcmp(type, "alive") == 0) {
		m->type = LSMSG_ALIVE;
	} else {
		snprintf(err, errlen, "unknown message \"%.32s\"", type);
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	if (rc < 0)
		lsmsg_clear(m);
	return rc;
}

/* lsmsg_clear - free what the message owns */
void
lsmsg_clear(struct lsmsg *m)
{
	free(m->have);
	lsrec_clear(&m->rec);
	memset(m, 0, sizeof(*m));
}
