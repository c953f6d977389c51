/*
 * test_lsdb.c - shared/lsdb.c: the link state table.
 *
 * Rows name records in a short form (spec below) and give what the table
 * must say after taking them in order: the lsdb_update() results, the
 * table in key order, the digest, the summary, the linkstate under the
 * seed-002 topology. LST file rows give a file's text and the error
 * wanted; a refused file must leave the table empty.
 *
 * A record spec is one of
 *   "c CONNECTOR SOURCE ORIGIN SEQ DOWN"
 *   "s SERVER ORIGIN SEQ DOWN"
 *   "t ORIGIN SEQ VERSION"            (text "; vVERSION qSEQ\n")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tabletest.h"

#include "lsdb.h"

#define SEED002		"tests/topologies/seed002.conf"
#define MAXIN		10
#define SHA256_EMPTY	"e3b0c44298fc1c149afbf4c8996fb924" \
			"27ae41e4649b934ca495991b7852b855"

/* spec_rec - a record from its spec; the record owns its text */
static void
spec_rec(const char *spec, struct lsrec *r)
{
	char kind;
	int n = 0;

	memset(r, 0, sizeof(*r));
	r->time_ms = 1000;
	kind = spec[0];
	switch (kind) {
	case 'c':
		r->kind = LSREC_CONNECTOR;
		n = sscanf(spec, "c %64s %64s %64s %" SCNu64 " %d", r->name,
		    r->source, r->origin, &r->seq, &r->down) == 5;
		break;
	case 's':
		r->kind = LSREC_SERVER;
		n = sscanf(spec, "s %64s %64s %" SCNu64 " %d", r->name,
		    r->origin, &r->seq, &r->down) == 4;
		break;
	case 't':
		r->kind = LSREC_TOPOLOGY;
		n = sscanf(spec, "t %64s %" SCNu64 " %" SCNu64, r->origin,
		    &r->seq, &r->version) == 3;
		if (n && asprintf(&r->text, "; v%" PRIu64 " q%" PRIu64 "\n",
		    r->version, r->seq) < 0)
			fail_msg("asprintf");
		break;
	}
	if (!n)
		fail_msg("bad record spec \"%s\"", spec);
}

/* table_text - every record in key order: "KEY ORIGIN SEQ vVERSION dDOWN" */
static void
table_text(const struct lsdb *db, char *out, size_t size)
{
	char key[LSREC_KEY_MAX];

	out[0] = '\0';
	for (size_t i = 0; i < lsdb_count(db); i++) {
		const struct lsrec *r = lsdb_at(db, i);

		lsrec_key(r, key, sizeof(key));
		tabletest_put(out, size, "%s%s %s %" PRIu64 " v%" PRIu64 " d%d",
		    i ? " | " : "", key, r->origin, r->seq, r->version,
		    r->down);
	}
	assert_null(lsdb_at(db, lsdb_count(db)));
}

/* fill - take the specs in order; the results as "NEWER SAME ..." */
static void
fill(struct lsdb *db, const char *const *in, char *res, size_t size)
{
	static const char *names[] = { "OLDER", "SAME", "NEWER", "FULL" };

	if (res != NULL)
		res[0] = '\0';
	for (size_t i = 0; i < MAXIN && in[i] != NULL; i++) {
		struct lsrec r;
		enum lsdb_result rc;

		spec_rec(in[i], &r);
		rc = lsdb_update(db, &r);
		assert_true(rc >= LSDB_OLDER && rc <= LSDB_FULL);
		if (res != NULL)
			tabletest_put(res, size, "%s%s", i ? " " : "", names[rc + 1]);
		lsrec_clear(&r);
	}
}

/* lsdb_update */
struct update_case {
	const char	*name;
	const char	*in[MAXIN];
	const char	*results;
	const char	*table;
};

#define LNY1	"connector:London-NewYork:lon-bh1"

static const struct update_case update_cases[] = {
	{ "update: empty table", { NULL }, "", "" },
	{ "update: first record", { "c London-NewYork lon-bh1 lon-bh1 5 1" },
	  "NEWER", LNY1 " lon-bh1 5 v0 d1" },
	{ "update: replay", { "c London-NewYork lon-bh1 lon-bh1 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 5 1" }, "NEWER SAME",
	  LNY1 " lon-bh1 5 v0 d1" },
	{ "update: same key, origin and sequence, other state",
	  { "c London-NewYork lon-bh1 lon-bh1 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 5 0" }, "NEWER SAME",
	  LNY1 " lon-bh1 5 v0 d1" },
	{ "update: higher sequence replaces",
	  { "c London-NewYork lon-bh1 lon-bh1 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 6 0" }, "NEWER NEWER",
	  LNY1 " lon-bh1 6 v0 d0" },
	{ "update: lower sequence ignored",
	  { "c London-NewYork lon-bh1 lon-bh1 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 4 0" }, "NEWER OLDER",
	  LNY1 " lon-bh1 5 v0 d1" },
	{ "update: same sequence, higher origin replaces",
	  { "s ny-bh1 lon-bh1 5 1", "s ny-bh1 lon-rgm 5 0" }, "NEWER NEWER",
	  "server:ny-bh1 lon-rgm 5 v0 d0" },
	{ "update: same sequence, lower origin ignored",
	  { "s ny-bh1 lon-rgm 5 1", "s ny-bh1 lon-bh1 5 0" }, "NEWER OLDER",
	  "server:ny-bh1 lon-rgm 5 v0 d1" },
	{ "update: new epoch replaces a high counter",
	  { "s ny-bh1 ny-bh1 4294967295 1", "s ny-bh1 ny-bh1 4294967296 0" },
	  "NEWER NEWER", "server:ny-bh1 ny-bh1 4294967296 v0 d0" },
	{ "update: sequence climbing, then a replay of each",
	  { "s a o 1 1", "s a o 2 0", "s a o 3 1", "s a o 1 1", "s a o 2 0",
	  "s a o 3 1" }, "NEWER NEWER NEWER OLDER OLDER SAME",
	  "server:a o 3 v0 d1" },
	{ "update: topology, higher version wins over sequence",
	  { "t lon-rgm 9 3", "t lon-rgm 1 4" }, "NEWER NEWER",
	  "topology lon-rgm 1 v4 d0" },
	{ "update: topology, lower version loses to sequence",
	  { "t lon-rgm 1 4", "t lon-rgm 9 3" }, "NEWER OLDER",
	  "topology lon-rgm 1 v4 d0" },
	{ "update: topology, same version, sequence decides",
	  { "t lon-rgm 1 4", "t lon-rgm 2 4", "t lon-rgm 1 4" },
	  "NEWER NEWER OLDER", "topology lon-rgm 2 v4 d0" },
	{ "update: topology, same version and sequence, origin decides",
	  { "t lon-rgm 1 4", "t ny-rgm 1 4", "t lon-rgm 1 4" },
	  "NEWER NEWER OLDER", "topology ny-rgm 1 v4 d0" },
	{ "update: topology replay", { "t lon-rgm 1 4", "t lon-rgm 1 4" },
	  "NEWER SAME", "topology lon-rgm 1 v4 d0" },
	{ "update: keys kept sorted, whatever the order",
	  { "t lon-rgm 1 1", "s sf-bh1 a 1 0", "c Paris-London par-bh1 a 1 0",
	  "s bos-bh1 a 1 1", "c London-NewYork lon-bh2 a 1 0",
	  "c London-NewYork lon-bh1 a 1 1" },
	  "NEWER NEWER NEWER NEWER NEWER NEWER",
	  LNY1 " a 1 v0 d1 | connector:London-NewYork:lon-bh2 a 1 v0 d0 | "
	  "connector:Paris-London:par-bh1 a 1 v0 d0 | server:bos-bh1 a 1 v0 "
	  "d1 | server:sf-bh1 a 1 v0 d0 | topology lon-rgm 1 v1 d0" },
	{ "update: a connector and a server of the same name are two keys",
	  { "c x y o 1 1", "s x o 1 1", "c x z o 1 0" }, "NEWER NEWER NEWER",
	  "connector:x:y o 1 v0 d1 | connector:x:z o 1 v0 d0 | "
	  "server:x o 1 v0 d1" },
};

static void
run_update(void **state)
{
	const struct update_case *c = *state;
	struct lsdb *db = lsdb_new();
	char res[256], got[2048], key[LSREC_KEY_MAX];

	fill(db, c->in, res, sizeof(res));
	assert_string_equal(res, c->results);
	table_text(db, got, sizeof(got));
	assert_string_equal(got, c->table);
	/* lsdb_get finds each by its key */
	for (size_t i = 0; i < lsdb_count(db); i++) {
		lsrec_key(lsdb_at(db, i), key, sizeof(key));
		assert_ptr_equal(lsdb_get(db, key), lsdb_at(db, i));
	}
	assert_null(lsdb_get(db, "server:nobody"));
	lsdb_free(db);
}

/* lsdb_digest: two tables, the same digest or not */
struct digest_case {
	const char	*name;
	const char	*a[MAXIN];
	const char	*b[MAXIN];
	int		 same;
};

static const struct digest_case digest_cases[] = {
	{ "digest: both empty", { NULL }, { NULL }, 1 },
	{ "digest: same records, other order",
	  { "t lon-rgm 2 12", "s ny-bh1 lon-rgm 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 7 1", "s bos-bh1 bos-bh1 1 0" },
	  { "s bos-bh1 bos-bh1 1 0", "c London-NewYork lon-bh1 lon-bh1 7 1",
	  "s ny-bh1 lon-rgm 5 1", "t lon-rgm 2 12" }, 1 },
	{ "digest: same newest records, reached another way",
	  { "s ny-bh1 lon-rgm 3 0", "s ny-bh1 lon-rgm 5 1", "t lon-rgm 1 12",
	  "t lon-rgm 2 12" },
	  { "t lon-rgm 2 12", "t lon-rgm 9 11", "s ny-bh1 lon-rgm 5 1",
	  "s ny-bh1 lon-rgm 4 0", "s ny-bh1 lon-rgm 5 1" }, 1 },
	{ "digest: one sequence differs",
	  { "s ny-bh1 lon-rgm 5 1", "s bos-bh1 bos-bh1 1 0" },
	  { "s ny-bh1 lon-rgm 6 1", "s bos-bh1 bos-bh1 1 0" }, 0 },
	{ "digest: one origin differs",
	  { "s ny-bh1 lon-rgm 5 1" }, { "s ny-bh1 lon-bh2 5 1" }, 0 },
	{ "digest: one topology version differs",
	  { "t lon-rgm 2 12" }, { "t lon-rgm 2 13" }, 0 },
	{ "digest: one key differs",
	  { "c London-NewYork lon-bh1 lon-bh1 7 1" },
	  { "c London-NewYork lon-bh2 lon-bh1 7 1" }, 0 },
	{ "digest: one record more",
	  { "s ny-bh1 lon-rgm 5 1" },
	  { "s ny-bh1 lon-rgm 5 1", "s ny-bh2 lon-rgm 5 1" }, 0 },
	{ "digest: empty and not",
	  { NULL }, { "s ny-bh1 lon-rgm 5 1" }, 0 },
	{ "digest: keys that only differ in where the colon is",
	  { "c ab c o 1 1" }, { "c a bc o 1 1" }, 0 },
	/* the digest covers key, origin, sequence and version only */
	{ "digest: same origin and sequence, other state",
	  { "s ny-bh1 lon-rgm 5 1" }, { "s ny-bh1 lon-rgm 5 0" }, 1 },
};

/* digest_of - a table's digest, checked for its form */
static void
digest_of(const char *const *in, char *out)
{
	struct lsdb *db = lsdb_new();
	const char *d;

	fill(db, in, NULL, 0);
	d = lsdb_digest(db);
	assert_int_equal(strlen(d), 64);
	assert_int_equal(strspn(d, "0123456789abcdef"), 64);
	/* asked again, the same */
	assert_string_equal(lsdb_digest(db), d);
	memcpy(out, d, 65);
	lsdb_free(db);
}

static void
run_digest(void **state)
{
	const struct digest_case *c = *state;
	char a[65], b[65];

	digest_of(c->a, a);
	digest_of(c->b, b);
	if (c->same)
		assert_string_equal(a, b);
	else
		assert_string_not_equal(a, b);
}

/* lsdb_digest: known values, SHA-256 of "KEY ORIGIN SEQ VERSION\n" lines */
struct known_case {
	const char	*name;
	const char	*in[MAXIN];
	const char	*want;
};

static const struct known_case known_cases[] = {
	{ "digest value: empty table", { NULL }, SHA256_EMPTY },
	{ "digest value: one server",
	  { "s ny-bh1 lon-rgm 5 1" },	/* "server:ny-bh1 lon-rgm 5 0\n" */
	  "55376c19e955b93949725fb1fdaab36cc1b81b8785f7ef3cc9ddacc1cbb248f5" },
	{ "digest value: one of each kind",
	  { "t lon-rgm 2 12", "s ny-bh1 lon-rgm 5 0",
	  "c London-NewYork lon-bh1 lon-bh1 4294967297 1" },
	  "5547f2aabfea50c04967963d4ad4bcd2640ba35c40b392f86f7ab7b3d94d023e" },
};

static void
run_known(void **state)
{
	const struct known_case *c = *state;
	char got[65];

	digest_of(c->in, got);
	assert_string_equal(got, c->want);
}

/* lsdb_summary */
struct summary_case {
	const char	*name;
	const char	*in[MAXIN];
	const char	*want;
};

static const struct summary_case summary_cases[] = {
	{ "summary: empty table", { NULL }, "" },
	{ "summary: one of each kind, in key order",
	  { "t lon-rgm 2 12", "s ny-bh1 lon-rgm 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 7 1" },
	  "[" LNY1 " lon-bh1 7 0] [server:ny-bh1 lon-rgm 5 0] "
	  "[topology lon-rgm 2 12]" },
	{ "summary: the newest record of each key",
	  { "s ny-bh1 lon-rgm 5 1", "s ny-bh1 lon-rgm 9 0",
	  "s ny-bh1 lon-rgm 7 1", "t lon-rgm 8 1", "t lon-rgm 1 2" },
	  "[server:ny-bh1 lon-rgm 9 0] [topology lon-rgm 1 2]" },
};

static void
run_summary(void **state)
{
	const struct summary_case *c = *state;
	struct lsdb *db = lsdb_new();
	struct lsmsg_have *h;
	struct lsmsg m;
	char got[2048] = "", err[256], *buf;
	size_t n, len;

	fill(db, c->in, NULL, 0);
	h = lsdb_summary(db, &n);
	assert_non_null(h);
	assert_true(n == lsdb_count(db));
	for (size_t i = 0; i < n; i++) {
		tabletest_put(got, sizeof(got), "%s[%s %s %" PRIu64 " %" PRIu64 "]",
		    i ? " " : "", h[i].key, h[i].origin, h[i].seq,
		    h[i].version);
		/* each entry is its record, as the peer compares it */
		assert_int_equal(lsrec_cmp_have(lsdb_at(db, i), &h[i]), 0);
		assert_ptr_equal(lsdb_get(db, h[i].key), lsdb_at(db, i));
	}
	assert_string_equal(got, c->want);

	/* and it goes through a summary message unchanged */
	buf = lsmsg_encode_summary(h, n, &len);
	if (lsmsg_decode(buf, len, &m, err, sizeof(err)) != 0)
		fail_msg("summary refused: %s", err);
	assert_int_equal(m.type, LSMSG_SUMMARY);
	assert_true(m.nhave == n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(m.have[i].key, h[i].key);
		assert_string_equal(m.have[i].origin, h[i].origin);
		assert_true(m.have[i].seq == h[i].seq);
		assert_true(m.have[i].version == h[i].version);
	}
	lsmsg_clear(&m);
	free(buf);
	free(h);
	lsdb_free(db);
}

/* lsdb_encode, then lsdb_load_buf: the same table */
struct encode_case {
	const char	*name;
	const char	*in[MAXIN];
	uint64_t	 lst_version;
};

static const struct encode_case encode_cases[] = {
	{ "encode and load: empty table", { NULL }, 0 },
	{ "encode and load: one of each kind",
	  { "t lon-rgm 2 12", "s ny-bh1 lon-rgm 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 7 1" }, 42 },
	{ "encode and load: large numbers",
	  { "t lon-rgm 9223372036854775807 9223372036854775807",
	  "s ny-bh1 lon-rgm 9223372036854775807 0" },
	  UINT64_C(9223372036854775807) },
	{ "encode and load: many keys",
	  { "c London-NewYork lon-bh1 lon-bh1 7 1",
	  "c London-NewYork lon-bh2 lon-bh2 8 0",
	  "c Internet ny-bh1 ny-bh1 1 1", "c Internet ny-bh2 ny-bh2 1 0",
	  "s ny-bh1 ny-bh1 3 1", "s lon-bh1 lon-rgm 4 0",
	  "s mars-bh1 lon-rgm 1 1", "t lon-rgm 1 1" }, 7 },
};

static void
run_encode(void **state)
{
	const struct encode_case *c = *state;
	struct lsdb *db = lsdb_new(), *back = lsdb_new();
	char a[4096], b[4096], *text, *again;
	uint64_t v = 12345;
	struct diag d;

	fill(db, c->in, NULL, 0);
	text = lsdb_encode(db, c->lst_version);
	assert_non_null(text);
	diag_init(&d);
	if (lsdb_load_buf(back, "lst.json", text, strlen(text), &v, &d) != 0)
		fail_msg("refused: %s", d.count ? d.msgs[0] : "?");
	assert_int_equal(diag_errors(&d), 0);
	assert_true(v == c->lst_version);
	table_text(db, a, sizeof(a));
	table_text(back, b, sizeof(b));
	assert_string_equal(a, b);
	assert_string_equal(lsdb_digest(db), lsdb_digest(back));
	for (size_t i = 0; i < lsdb_count(db); i++) {
		const struct lsrec *x = lsdb_at(db, i), *y = lsdb_at(back, i);

		assert_true(x->time_ms == y->time_ms);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->source, y->source);
		if (x->kind == LSREC_TOPOLOGY)
			assert_string_equal(x->text, y->text);
	}
	/* the file text is canonical: encoding the loaded table again */
	again = lsdb_encode(back, c->lst_version);
	assert_string_equal(again, text);
	free(again);
	free(text);
	diag_free(&d);
	lsdb_free(back);
	lsdb_free(db);
}

/* the LST file's form, to the byte */
static void
test_encode_text(void **state)
{
	static const char *in[MAXIN] = { "s ny-bh1 lon-rgm 5 1",
	    "c London-NewYork lon-bh1 lon-bh1 7 0", "t lon-rgm 2 12" };
	struct lsdb *db = lsdb_new();
	char *text;

	(void)state;
	fill(db, in, NULL, 0);
	text = lsdb_encode(db, 3);
	assert_string_equal(text, "{\"format\":\"lsa-lst-1\",\"lst_version\":3,"
	    "\"records\":[{\"k\":\"connector\",\"o\":\"lon-bh1\",\"q\":7,"
	    "\"t\":1000,\"c\":\"London-NewYork\",\"s\":\"lon-bh1\",\"d\":0},"
	    "{\"k\":\"server\",\"o\":\"lon-rgm\",\"q\":5,\"t\":1000,"
	    "\"n\":\"ny-bh1\",\"d\":1},{\"k\":\"topology\",\"o\":\"lon-rgm\","
	    "\"q\":2,\"t\":1000,\"v\":12,\"x\":\"; v12 q2\\n\"}]}");
	free(text);
	lsdb_free(db);
}

/* lsdb_load_buf: refused files, and nothing loaded from them */
struct load_case {
	const char	*name;
	const char	*text;
	const char	*err;		/* a part of the diag line */
};

#define LST_(v)		"{\"format\":\"lsa-lst-1\",\"lst_version\":" #v "," \
			"\"records\":"
#define SRV(n, q)	"{\"k\":\"server\",\"o\":\"lon-rgm\",\"q\":" #q \
			",\"t\":1,\"n\":\"" n "\",\"d\":1}"
#define E_REC		"lst.json:0: records: "

static const struct load_case load_cases[] = {
	{ "load: empty file", "", "lst.json:1: json: " },
	{ "load: not JSON", "format = lsa-lst-1\n", "lst.json:1: json: " },
	{ "load: cut short", LST_(1) "[" SRV("a", 1), "lst.json:1: json: " },
	{ "load: an array", "[]",
	  "lst.json:0: format: want \"lsa-lst-1\"" },
	{ "load: no format", "{\"lst_version\":1,\"records\":[]}",
	  "lst.json:0: format: want \"lsa-lst-1\"" },
	{ "load: other format", "{\"format\":\"lsa-lst-2\",\"lst_version\":1,"
	  "\"records\":[]}", "lst.json:0: format: want \"lsa-lst-1\"" },
	{ "load: format a number", "{\"format\":1,\"lst_version\":1,"
	  "\"records\":[]}", "lst.json:0: format: want \"lsa-lst-1\"" },
	{ "load: format with a suffix", "{\"format\":\"lsa-lst-1x\","
	  "\"lst_version\":1,\"records\":[]}",
	  "lst.json:0: format: want \"lsa-lst-1\"" },
	{ "load: no lst_version", "{\"format\":\"lsa-lst-1\",\"records\":[]}",
	  "lst.json:0: lst_version: want an integer >= 0" },
	{ "load: negative lst_version", LST_(-1) "[]}",
	  "lst.json:0: lst_version: want an integer >= 0" },
	{ "load: lst_version a string", LST_("1") "[]}",
	  "lst.json:0: lst_version: want an integer >= 0" },
	{ "load: lst_version a real", LST_(1.0) "[]}",
	  "lst.json:0: lst_version: want an integer >= 0" },
	{ "load: lst_version too big", LST_(9223372036854775808) "[]}",
	  "json: too big integer" },
	{ "load: no records", "{\"format\":\"lsa-lst-1\",\"lst_version\":1}",
	  "lst.json:0: records: want an array" },
	{ "load: records an object", LST_(1) "{}}",
	  "lst.json:0: records: want an array" },
	{ "load: record a number", LST_(1) "[5]}",
	  E_REC "item 0: record: want an object" },
	{ "load: record of an unknown kind", LST_(1) "[{\"k\":\"link\"}]}",
	  E_REC "item 0: field \"k\": unknown record kind" },
	{ "load: record without a sequence", LST_(1) "[{\"k\":\"server\","
	  "\"o\":\"a\",\"t\":1,\"n\":\"b\",\"d\":0}]}",
	  E_REC "item 0: field \"q\": want an integer >= 0" },
	{ "load: record with a bad name", LST_(1) "[" SRV("a b", 1) "]}",
	  E_REC "item 0: field \"n\": want a name" },
	{ "load: bad record after good ones", LST_(1) "[" SRV("a", 1) ","
	  SRV("b", 1) "," SRV("c", -1) "]}",
	  E_REC "item 2: field \"q\": want an integer >= 0" },
	{ "load: a message, not a record", LST_(1) "[{\"m\":\"done\"}]}",
	  E_REC "item 0: field \"k\": unknown record kind" },
	{ "load: duplicate key, the same record", LST_(1) "[" SRV("a", 1) ","
	  SRV("a", 1) "]}", E_REC "item 1: a second record of server:a" },
	{ "load: duplicate key, older", LST_(1) "[" SRV("a", 2) ","
	  SRV("a", 1) "]}", E_REC "item 1: a second record of server:a" },
	{ "load: duplicate key, newer", LST_(1) "[" SRV("a", 1) ","
	  SRV("a", 2) "]}", E_REC "item 1: a second record of server:a" },
	{ "load: duplicate key, apart", LST_(1) "[" SRV("a", 1) ","
	  SRV("b", 1) "," SRV("a", 2) "]}",
	  E_REC "item 2: a second record of server:a" },
	{ "load: duplicate topology", LST_(1) "[{\"k\":\"topology\","
	  "\"o\":\"a\",\"q\":1,\"t\":1,\"v\":1,\"x\":\"x\"},"
	  "{\"k\":\"topology\",\"o\":\"b\",\"q\":1,\"t\":1,\"v\":2,"
	  "\"x\":\"y\"}]}",
	  E_REC "item 1: a second record of topology" },
};

static void
run_load(void **state)
{
	const struct load_case *c = *state;
	struct lsdb *db = lsdb_new();
	uint64_t v = 12345;
	size_t len = strlen(c->text);
	char *copy = malloc(len ? len : 1);
	struct diag d;

	assert_non_null(copy);
	memcpy(copy, c->text, len);
	diag_init(&d);
	assert_int_equal(lsdb_load_buf(db, "lst.json", copy, len, &v, &d), -1);
	if (!diag_contains(&d, c->err))
		fail_msg("got \"%s\", wanted \"%s\"", d.count ? d.msgs[0] :
		    "no error", c->err);
	assert_int_equal(diag_errors(&d), 1);
	/* nothing loaded, the version untouched */
	assert_true(lsdb_count(db) == 0);
	assert_string_equal(lsdb_digest(db), SHA256_EMPTY);
	assert_true(v == 12345);
	diag_free(&d);
	free(copy);
	lsdb_free(db);
}

/* lsdb_load: a real file, and a missing one */
static void
test_load_file(void **state)
{
	static const char *in[MAXIN] = { "s ny-bh1 lon-rgm 5 1",
	    "c London-NewYork lon-bh1 lon-bh1 7 0", "t lon-rgm 2 12" };
	char path[] = "/tmp/lsa-lstXXXXXX", a[1024], b[1024], *text;
	struct lsdb *db = lsdb_new(), *back = lsdb_new();
	uint64_t v = 0;
	struct diag d;
	FILE *fp;
	int fd;

	(void)state;
	fill(db, in, NULL, 0);
	text = lsdb_encode(db, 77);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	diag_init(&d);
	assert_int_equal(lsdb_load(back, path, &v, &d), 0);
	assert_int_equal(diag_errors(&d), 0);
	assert_true(v == 77);
	table_text(db, a, sizeof(a));
	table_text(back, b, sizeof(b));
	assert_string_equal(a, b);
	assert_int_equal(unlink(path), 0);
	lsdb_free(back);

	back = lsdb_new();
	assert_int_equal(lsdb_load(back, path, &v, &d), -1);
	assert_true(diag_errors(&d) > 0 && diag_contains(&d, path));
	assert_true(lsdb_count(back) == 0 && v == 77);
	diag_free(&d);
	free(text);
	lsdb_free(back);
	lsdb_free(db);
}

/* lsdb_linkstate under the seed-002 topology */
struct linkstate_case {
	const char	*name;
	const char	*in[MAXIN];
	const char	*want;		/* CONNECTOR@SOURCE and server:NAME */
	size_t		 count;		/* records kept, used or not */
};

static const struct linkstate_case linkstate_cases[] = {
	{ "linkstate: empty table, all up", { NULL }, "", 0 },
	{ "linkstate: a connector source down",
	  { "c London-NewYork lon-bh1 lon-bh1 5 1" }, "London-NewYork@lon-bh1",
	  1 },
	{ "linkstate: a connector source up",
	  { "c London-NewYork lon-bh1 lon-bh1 5 0" }, "", 1 },
	{ "linkstate: both sources down",
	  { "c London-NewYork lon-bh2 lon-bh2 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 5 1" },
	  "London-NewYork@lon-bh1 London-NewYork@lon-bh2", 2 },
	{ "linkstate: outside connector", { "c Internet ny-bh2 ny-bh2 3 1" },
	  "Internet@ny-bh2", 1 },
	{ "linkstate: default source, every server of from",
	  { "c Dublin-London dub-bh1 dub-bh1 3 1",
	  "c Copenhagen-NewYork cph-bh2 cph-bh2 1 1" },
	  "Dublin-London@dub-bh1 Copenhagen-NewYork@cph-bh2", 2 },
	{ "linkstate: a server down", { "s ny-bh1 ny-bh1 2 1" },
	  "server:ny-bh1", 1 },
	{ "linkstate: a server up", { "s ny-bh1 ny-bh1 2 0" }, "", 1 },
	{ "linkstate: unknown connector ignored",
	  { "c London-Mars lon-bh1 lon-bh1 5 1" }, "", 1 },
	{ "linkstate: unknown source server ignored",
	  { "c London-NewYork lon-bh9 lon-bh9 5 1" }, "", 1 },
	{ "linkstate: a server that is no source of the connector ignored",
	  { "c London-NewYork ny-bh1 ny-bh1 5 1",
	  "c London-NewYork lon-rgm lon-rgm 5 1" }, "", 2 },
	{ "linkstate: a group name as a server ignored",
	  { "s London lon-rgm 5 1" }, "", 1 },
	{ "linkstate: a connector name as a server ignored",
	  { "s London-NewYork lon-rgm 5 1" }, "", 1 },
	{ "linkstate: unknown server ignored", { "s mars-bh1 lon-rgm 5 1" },
	  "", 1 },
	{ "linkstate: newer up replaces down",
	  { "c London-NewYork lon-bh1 lon-bh1 5 1",
	  "c London-NewYork lon-bh1 lon-bh1 6 0", "s ny-bh1 ny-bh1 1 1",
	  "s ny-bh1 ny-bh1 2 0" }, "", 2 },
	{ "linkstate: older down does not replace up",
	  { "c London-NewYork lon-bh1 lon-bh1 6 0",
	  "c London-NewYork lon-bh1 lon-bh1 5 1", "s ny-bh1 ny-bh1 2 0",
	  "s ny-bh1 ny-bh1 1 1" }, "", 2 },
	{ "linkstate: topology records are not link state",
	  { "t lon-rgm 1 1" }, "", 1 },
	{ "linkstate: known and unknown together",
	  { "t lon-rgm 1 1", "c London-NewYork lon-bh2 lon-bh2 5 1",
	  "c Mars-Venus m1 m1 1 1", "s sf-bh1 ny-bh1 3 1",
	  "s bos-bh1 bos-bh1 3 0", "s venus-bh1 lon-rgm 1 1",
	  "c Internet ny-bh1 ny-bh1 2 1", "c Internet ny-bh3 ny-bh1 2 1" },
	  "London-NewYork@lon-bh2 Internet@ny-bh1 server:sf-bh1", 8 },
};

/* linkstate_text - what is down, in topology order */
static void
linkstate_text(const struct linkstate *ls, const struct topology *t,
    char *out, size_t size)
{
	out[0] = '\0';
	for (int c = 0; c < t->nconnectors; c++)
		for (int i = 0; i < t->connectors[c].sources.n; i++)
			if (ls->source_down[c][i])
				tabletest_put(out, size, "%s%s@%s", out[0] ? " " : "",
				    t->connectors[c].name, t->servers[
				    t->connectors[c].sources.v[i]].name);
	for (int s = 0; s < t->nservers; s++)
		if (ls->server_down[s])
			tabletest_put(out, size, "%sserver:%s", out[0] ? " " : "",
			    t->servers[s].name);
}

static void
run_linkstate(void **state)
{
	const struct linkstate_case *c = *state;
	struct lsdb *db = lsdb_new();
	struct topology *t;
	struct linkstate *ls;
	struct diag d;
	char got[1024];

	diag_init(&d);
	t = topo_load(SEED002, &d);
	if (t == NULL)
		fail_msg("%s: %s", SEED002, d.count ? d.msgs[0] : "?");
	fill(db, c->in, NULL, 0);
	assert_true(lsdb_count(db) == c->count);
	ls = lsdb_linkstate(db, t, 42);
	assert_non_null(ls);
	assert_true(ls->version == 42);
	assert_int_equal(ls->nservers, t->nservers);
	assert_int_equal(ls->nconnectors, t->nconnectors);
	linkstate_text(ls, t, got, sizeof(got));
	assert_string_equal(got, c->want);
	linkstate_free(ls);
	topo_free(t);
	diag_free(&d);
	lsdb_free(db);
}

/* next - a small LCG, for orders that are not sorted */
static uint32_t
next(uint32_t *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 8;
}

/* shuffled - a permutation of 0..n-1 */
static size_t *
shuffled(size_t n, uint32_t seed)
{
	size_t *p = calloc(n, sizeof(*p));

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = next(&seed) % i, x = p[i - 1];

		p[i - 1] = p[j];
		p[j] = x;
	}
	return p;
}

/* many_rec - record i of a mixed set of n */
static void
many_rec(size_t i, uint64_t seq, struct lsrec *r)
{
	char spec[128];

	if (i % 3 == 0)
		snprintf(spec, sizeof(spec), "c conn%zu src%zu src%zu %" PRIu64
		    " %d", i / 7, i, i, seq, (int)(i & 1));
	else
		snprintf(spec, sizeof(spec), "s srv%zu org%zu %" PRIu64 " %d",
		    i, i % 5, seq, (int)(i & 1));
	spec_rec(spec, r);
}

/* many keys in a shuffled order: sorted, each found */
static void
test_sorted_many(void **state)
{
	size_t n = 3000, *p = shuffled(n, 7);
	struct lsdb *db = lsdb_new();
	char prev[LSREC_KEY_MAX] = "", key[LSREC_KEY_MAX];
	struct lsrec r;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		many_rec(p[i], 1, &r);
		assert_int_equal(lsdb_update(db, &r), LSDB_NEWER);
		lsrec_clear(&r);
	}
	assert_true(lsdb_count(db) == n);
	for (size_t i = 0; i < n; i++) {
		lsrec_key(lsdb_at(db, i), key, sizeof(key));
		assert_true(strcmp(prev, key) < 0);
		assert_ptr_equal(lsdb_get(db, key), lsdb_at(db, i));
		memcpy(prev, key, sizeof(key));
	}
	for (size_t i = 0; i < n; i++) {
		many_rec(i, 1, &r);
		assert_int_equal(lsdb_update(db, &r), LSDB_SAME);
		lsrec_key(&r, key, sizeof(key));
		assert_non_null(lsdb_get(db, key));
		lsrec_clear(&r);
	}
	assert_null(lsdb_get(db, ""));
	assert_null(lsdb_get(db, "zzz"));
	assert_null(lsdb_get(db, "connector:"));
	free(p);
	lsdb_free(db);
}

/*
 * the same records in different orders, with older ones and replays
 * mixed in, make the same table, digest and summary
 */
static void
test_digest_orders(void **state)
{
	size_t n = 500;
	struct lsdb *db[4];
	char text[2][65536], digest[65];
	struct lsrec r;

	(void)state;
	for (int k = 0; k < 4; k++) {
		size_t *p = shuffled(n, (uint32_t)k * 31);

		db[k] = lsdb_new();
		for (size_t i = 0; i < n; i++) {
			size_t at = k == 0 ? i : k == 1 ? n - 1 - i : p[i];

			if (k == 3) {	/* an older one first, a replay after */
				many_rec(at, 2, &r);
				lsdb_update(db[k], &r);
				lsrec_clear(&r);
			}
			many_rec(at, 3, &r);
			assert_int_equal(lsdb_update(db[k], &r), LSDB_NEWER);
			if (k == 3)
				assert_int_equal(lsdb_update(db[k], &r),
				    LSDB_SAME);
			lsrec_clear(&r);
		}
		free(p);
	}
	memcpy(digest, lsdb_digest(db[0]), sizeof(digest));
	table_text(db[0], text[0], sizeof(text[0]));
	for (int k = 1; k < 4; k++) {
		assert_string_equal(lsdb_digest(db[k]), digest);
		table_text(db[k], text[1], sizeof(text[1]));
		assert_string_equal(text[1], text[0]);
	}
	for (int k = 0; k < 4; k++)
		lsdb_free(db[k]);
}

/* the digest follows the table: new after NEWER, kept after SAME, OLDER */
static void
test_digest_follows(void **state)
{
	struct lsdb *db = lsdb_new();
	char d0[65], d1[65], d2[65];
	struct lsrec r;

	(void)state;
	memcpy(d0, lsdb_digest(db), sizeof(d0));
	spec_rec("s ny-bh1 lon-rgm 5 1", &r);
	assert_int_equal(lsdb_update(db, &r), LSDB_NEWER);
	lsrec_clear(&r);
	memcpy(d1, lsdb_digest(db), sizeof(d1));
	assert_string_not_equal(d0, d1);
	spec_rec("s ny-bh1 lon-rgm 4 0", &r);
	assert_int_equal(lsdb_update(db, &r), LSDB_OLDER);
	lsrec_clear(&r);
	assert_string_equal(lsdb_digest(db), d1);
	spec_rec("s ny-bh1 lon-rgm 5 0", &r);
	assert_int_equal(lsdb_update(db, &r), LSDB_SAME);
	lsrec_clear(&r);
	assert_string_equal(lsdb_digest(db), d1);
	spec_rec("s ny-bh1 lon-rgm 6 0", &r);
	assert_int_equal(lsdb_update(db, &r), LSDB_NEWER);
	lsrec_clear(&r);
	memcpy(d2, lsdb_digest(db), sizeof(d2));
	assert_string_not_equal(d2, d1);
	assert_string_not_equal(d2, d0);
	lsdb_free(db);
}

/* a full table refuses new keys and still takes newer records */
static void
test_full(void **state)
{
	struct lsdb *db = lsdb_new();
	struct lsrec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = LSREC_SERVER;
	snprintf(r.origin, sizeof(r.origin), "o");
	r.seq = 1;
	for (size_t i = 0; i < LSDB_MAX_RECORDS; i++) {
		snprintf(r.name, sizeof(r.name), "s%07zu", i);
		if (lsdb_update(db, &r) != LSDB_NEWER)
			fail_msg("record %zu refused", i);
	}
	assert_true(lsdb_count(db) == LSDB_MAX_RECORDS);
	snprintf(r.name, sizeof(r.name), "s%07d", LSDB_MAX_RECORDS);
	assert_int_equal(lsdb_update(db, &r), LSDB_FULL);
	snprintf(r.name, sizeof(r.name), "a");	/* would go first */
	assert_int_equal(lsdb_update(db, &r), LSDB_FULL);
	assert_true(lsdb_count(db) == LSDB_MAX_RECORDS);
	snprintf(r.name, sizeof(r.name), "s%07d", 17);
	assert_int_equal(lsdb_update(db, &r), LSDB_SAME);
	r.seq = 2;
	assert_int_equal(lsdb_update(db, &r), LSDB_NEWER);
	assert_true(lsdb_get(db, "server:s0000017")->seq == 2);
	lsdb_free(db);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_encode_text),
	cmocka_unit_test(test_load_file),
	cmocka_unit_test(test_sorted_many),
	cmocka_unit_test(test_digest_orders),
	cmocka_unit_test(test_digest_follows),
	cmocka_unit_test(test_full),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(update_cases) + nitems(digest_cases) +
	    nitems(known_cases) + nitems(summary_cases) +
	    nitems(encode_cases) + nitems(load_cases) +
	    nitems(linkstate_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_update, update_cases);
	n = ADD_TABLE(tests, n, run_digest, digest_cases);
	n = ADD_TABLE(tests, n, run_known, known_cases);
	n = ADD_TABLE(tests, n, run_summary, summary_cases);
	n = ADD_TABLE(tests, n, run_encode, encode_cases);
	n = ADD_TABLE(tests, n, run_load, load_cases);
	n = ADD_TABLE(tests, n, run_linkstate, linkstate_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_lsdb: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
