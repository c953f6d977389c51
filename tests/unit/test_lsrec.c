/*
 * test_lsrec.c - shared/lsrec.c: link-state records and agent messages.
 *
 * lsrec_cmp() rows give two records of one key and which is newer
 * (topology: version, then sequence, then origin; the others: sequence,
 * then origin); each row is also run the other way round and against
 * the summary entry of the second (lsrec_cmp_have). lsrec_key() rows
 * give the key wanted. lsmsg_decode() rows give a message's bytes and
 * either the decoded message, written out as text (msg_text below), or
 * the reason it is refused; every input is decoded from an exactly
 * sized copy so an over-read shows under SANITIZE=1. Round-trip rows
 * give records and hellos that must come back unchanged through
 * lsmsg_encode_*() and lsmsg_decode().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "tabletest.h"

#include "lsrec.h"

#define A8	"aaaaaaaa"
#define N64	A8 A8 A8 A8 A8 A8 A8 A8		/* the longest name */
#define N65	N64 "a"
#define H16	"0123456789abcdef"
#define HEX64	H16 H16 H16 H16
#define I64MAX	UINT64_C(9223372036854775807)

/* sign - -1, 0 or 1 */
static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* rec_text - a record as one line of text, for comparisons */
static void
rec_text(const struct lsrec *r, char *out, size_t size)
{
	tabletest_put(out, size, "%s o=%s q=%" PRIu64 " t=%" PRId64,
	    lsrec_kind_name(r->kind), r->origin, r->seq, r->time_ms);
	switch (r->kind) {
	case LSREC_CONNECTOR:
		tabletest_put(out, size, " c=%s s=%s d=%d", r->name, r->source, r->down);
		break;
	case LSREC_SERVER:
		tabletest_put(out, size, " n=%s d=%d", r->name, r->down);
		break;
	case LSREC_TOPOLOGY:
		tabletest_put(out, size, " v=%" PRIu64 " x=", r->version);
		for (const char *p = r->text; p != NULL && *p != '\0'; p++) {
			if (*p == '\n')
				tabletest_put(out, size, "\\n");
			else
				tabletest_put(out, size, "%c", *p);
		}
		break;
	case LSREC_CERT:
		tabletest_put(out, size, " p=%zu bytes", r->text ?
		    strlen(r->text) : 0);
		break;
	}
	if (r->siglen > 0) {
		tabletest_put(out, size, " g=");
		for (size_t i = 0; i < r->siglen; i++)
			tabletest_put(out, size, "%02x", r->sig[i]);
	}
}

/* msg_text - a decoded message as one line of text */
static void
msg_text(const struct lsmsg *m, char *out, size_t size)
{
	out[0] = '\0';
	switch (m->type) {
	case LSMSG_HELLO:
		tabletest_put(out, size, "hello server=%s digest=%s records=%" PRIu64,
		    m->server, m->digest, m->records);
		if (m->topology != 0)
			tabletest_put(out, size, " topology=%" PRIu64,
			    m->topology);
		break;
	case LSMSG_SUMMARY:
		tabletest_put(out, size, "summary");
		for (size_t i = 0; i < m->nhave; i++)
			tabletest_put(out, size, " [%s %s %" PRIu64 " %" PRIu64 "]",
			    m->have[i].key, m->have[i].origin, m->have[i].seq,
			    m->have[i].version);
		break;
	case LSMSG_REC:
		tabletest_put(out, size, "rec ");
		rec_text(&m->rec, out, size);
		break;
	case LSMSG_DONE:
		tabletest_put(out, size, "done");
		break;
	case LSMSG_ALIVE:
		tabletest_put(out, size, "alive");
		break;
	}
}

/* decode - lsmsg_decode() on an exactly sized copy of the bytes */
static int
decode(const char *in, size_t len, struct lsmsg *m, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, in, len);
	err[0] = '\0';
	rc = lsmsg_decode(copy, len, m, err, errlen);
	free(copy);
	return rc;
}

/* assert_cleared - what a refused message must look like */
static void
assert_cleared(const struct lsmsg *m)
{
	assert_null(m->have);
	assert_true(m->nhave == 0);
	assert_null(m->rec.text);
}

/* lsrec_kind_name */
struct kind_case {
	const char	*name;
	int		 kind;
	const char	*want;
};

static const struct kind_case kind_cases[] = {
	{ "kind name: topology", LSREC_TOPOLOGY, "topology" },
	{ "kind name: connector", LSREC_CONNECTOR, "connector" },
	{ "kind name: server", LSREC_SERVER, "server" },
	{ "kind name: cert", LSREC_CERT, "cert" },
	{ "kind name: out of range", 4, "?" },
	{ "kind name: negative", -1, "?" },
};

static void
run_kind(void **state)
{
	const struct kind_case *c = *state;

	assert_string_equal(lsrec_kind_name((enum lsrec_kind)c->kind), c->want);
}

/* lsrec_valid_name */
struct name_case {
	const char	*name;
	const char	*in;
	int		 want;
};

static const struct name_case name_cases[] = {
	{ "name: server", "lon-bh1", 1 },
	{ "name: every allowed kind of byte", "AZaz09._-", 1 },
	{ "name: one byte", "x", 1 },
	{ "name: dot only", ".", 1 },
	{ "name: 64 bytes", N64, 1 },
	{ "name: empty", "", 0 },
	{ "name: 65 bytes", N65, 0 },
	{ "name: space", "lon bh1", 0 },
	{ "name: colon (the key separator)", "lon:bh1", 0 },
	{ "name: slash", "lon/bh1", 0 },
	{ "name: at", "lon@bh1", 0 },
	{ "name: tab", "lon\tbh1", 0 },
	{ "name: newline", "lon\n", 0 },
	{ "name: UTF-8", "l\xc3\xb6n", 0 },
	{ "name: 8-bit", "l\xf6n", 0 },
};

static void
run_name(void **state)
{
	const struct name_case *c = *state;

	assert_int_equal(lsrec_valid_name(c->in), c->want);
}

/* lsrec_cmp and lsrec_cmp_have */
struct cmp_case {
	const char	*name;
	enum lsrec_kind	 kind;
	uint64_t	 av, aq;
	const char	*ao;
	uint64_t	 bv, bq;
	const char	*bo;
	int		 want;		/* sign of lsrec_cmp(a, b) */
};

static const struct cmp_case cmp_cases[] = {
	{ "cmp topology: the same", LSREC_TOPOLOGY, 3, 7, "lon-rgm", 3, 7,
	  "lon-rgm", 0 },
	{ "cmp topology: higher version wins over lower sequence",
	  LSREC_TOPOLOGY, 4, 1, "lon-rgm", 3, 9, "lon-rgm", 1 },
	{ "cmp topology: lower version loses to higher sequence",
	  LSREC_TOPOLOGY, 2, 99, "lon-rgm", 3, 1, "lon-rgm", -1 },
	{ "cmp topology: version beats origin", LSREC_TOPOLOGY, 4, 1, "a",
	  3, 1, "z", 1 },
	{ "cmp topology: same version, higher sequence", LSREC_TOPOLOGY, 3,
	  8, "lon-rgm", 3, 7, "lon-rgm", 1 },
	{ "cmp topology: same version, lower sequence", LSREC_TOPOLOGY, 3,
	  6, "ny-rgm", 3, 7, "lon-rgm", -1 },
	{ "cmp topology: sequence beats origin", LSREC_TOPOLOGY, 3, 8, "a",
	  3, 7, "z", 1 },
	{ "cmp topology: same version and sequence, origin decides",
	  LSREC_TOPOLOGY, 3, 7, "lon-rgm", 3, 7, "ny-rgm", -1 },
	{ "cmp topology: origin compared bytewise", LSREC_TOPOLOGY, 3, 7,
	  "B", 3, 7, "a", -1 },
	{ "cmp topology: origin prefix is older", LSREC_TOPOLOGY, 3, 7,
	  "lon", 3, 7, "lon-rgm", -1 },
	{ "cmp topology: largest version", LSREC_TOPOLOGY, UINT64_MAX, 0,
	  "a", UINT64_MAX - 1, UINT64_MAX, "a", 1 },
	{ "cmp topology: new epoch beats old counter", LSREC_TOPOLOGY, 3,
	  UINT64_C(0x100000000), "a", 3, UINT64_C(0xffffffff), "a", 1 },
	{ "cmp connector: the same", LSREC_CONNECTOR, 0, 5, "lon-bh1", 0, 5,
	  "lon-bh1", 0 },
	{ "cmp connector: higher sequence", LSREC_CONNECTOR, 0, 6, "lon-bh1",
	  0, 5, "lon-bh1", 1 },
	{ "cmp connector: lower sequence", LSREC_CONNECTOR, 0, 4, "lon-bh1",
	  0, 5, "lon-bh1", -1 },
	{ "cmp connector: version not looked at", LSREC_CONNECTOR, 9, 1,
	  "lon-bh1", 0, 2, "lon-bh1", -1 },
	{ "cmp connector: version alone makes no difference",
	  LSREC_CONNECTOR, 9, 2, "lon-bh1", 0, 2, "lon-bh1", 0 },
	{ "cmp connector: sequence beats origin", LSREC_CONNECTOR, 0, 6, "a",
	  0, 5, "z", 1 },
	{ "cmp connector: same sequence, origin decides", LSREC_CONNECTOR, 0,
	  5, "lon-bh2", 0, 5, "lon-bh1", 1 },
	{ "cmp connector: new epoch beats old counter", LSREC_CONNECTOR, 0,
	  UINT64_C(0x100000000), "a", 0, UINT64_C(0xffffffff), "a", 1 },
	{ "cmp connector: largest sequence", LSREC_CONNECTOR, 0, UINT64_MAX,
	  "a", 0, UINT64_MAX - 1, "a", 1 },
	{ "cmp server: the same", LSREC_SERVER, 0, 1, "lon-rgm", 0, 1,
	  "lon-rgm", 0 },
	{ "cmp server: higher sequence", LSREC_SERVER, 0, 2, "a", 0, 1, "z",
	  1 },
	{ "cmp server: version not looked at", LSREC_SERVER, 0, 2, "a", 7, 2,
	  "a", 0 },
	{ "cmp server: same sequence, origin decides", LSREC_SERVER, 0, 1,
	  "lon-rgm", 0, 1, "lon-bh2", 1 },
};

static void
run_cmp(void **state)
{
	const struct cmp_case *c = *state;
	struct lsrec a, b;
	struct lsmsg_have h;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&h, 0, sizeof(h));
	a.kind = b.kind = c->kind;
	a.version = c->av;
	a.seq = c->aq;
	snprintf(a.origin, sizeof(a.origin), "%s", c->ao);
	b.version = c->bv;
	b.seq = c->bq;
	snprintf(b.origin, sizeof(b.origin), "%s", c->bo);
	lsrec_key(&b, h.key, sizeof(h.key));
	snprintf(h.origin, sizeof(h.origin), "%s", c->bo);
	h.seq = c->bq;
	h.version = c->bv;
	assert_int_equal(sign(lsrec_cmp(&a, &b)), c->want);
	assert_int_equal(sign(lsrec_cmp(&b, &a)), -c->want);
	assert_int_equal(sign(lsrec_cmp(&a, &a)), 0);
	assert_int_equal(sign(lsrec_cmp_have(&a, &h)), c->want);
}

/* lsrec_key */
struct key_case {
	const char	*name;
	enum lsrec_kind	 kind;
	const char	*rname;		/* connector or server */
	const char	*source;
	const char	*want;
};

static const struct key_case key_cases[] = {
	{ "key: topology", LSREC_TOPOLOGY, "", "", "topology" },
	{ "key: topology ignores names", LSREC_TOPOLOGY, "x", "y",
	  "topology" },
	{ "key: connector", LSREC_CONNECTOR, "London-NewYork", "lon-bh1",
	  "connector:London-NewYork:lon-bh1" },
	{ "key: connector, other source", LSREC_CONNECTOR, "London-NewYork",
	  "lon-bh2", "connector:London-NewYork:lon-bh2" },
	{ "key: connector, longest names", LSREC_CONNECTOR, N64, N64,
	  "connector:" N64 ":" N64 },
	{ "key: server", LSREC_SERVER, "ny-bh1", "", "server:ny-bh1" },
	{ "key: server ignores source", LSREC_SERVER, "ny-bh1", "lon-bh1",
	  "server:ny-bh1" },
	{ "key: server, longest name", LSREC_SERVER, N64, "",
	  "server:" N64 },
};

static void
run_key(void **state)
{
	const struct key_case *c = *state;
	struct lsrec r;
	char key[LSREC_KEY_MAX];

	memset(&r, 0, sizeof(r));
	r.kind = c->kind;
	snprintf(r.origin, sizeof(r.origin), "o");
	snprintf(r.name, sizeof(r.name), "%s", c->rname);
	snprintf(r.source, sizeof(r.source), "%s", c->source);
	lsrec_key(&r, key, sizeof(key));
	assert_string_equal(key, c->want);
	/* the origin and sequence are not part of the key */
	r.seq = 99;
	snprintf(r.origin, sizeof(r.origin), "other");
	lsrec_key(&r, key, sizeof(key));
	assert_string_equal(key, c->want);
}

/* lsmsg_decode */
struct decode_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* msg_text, when err is NULL */
	const char	*err;		/* a part of the reason */
};

#define CONN_	"{\"m\":\"rec\",\"k\":\"connector\",\"o\":\"lon-bh1\"," \
		"\"q\":5,\"t\":1000,\"c\":\"London-NewYork\",\"s\":\"lon-bh1\","
#define SRV_	"{\"m\":\"rec\",\"k\":\"server\",\"o\":\"lon-rgm\",\"q\":7," \
		"\"t\":1,"
#define TOPO_	"{\"m\":\"rec\",\"k\":\"topology\",\"o\":\"lon-rgm\",\"q\":2," \
		"\"t\":3,"
#define REC_	"{\"m\":\"rec\","
#define HELLO_	"{\"m\":\"hello\","
#define SUM_	"{\"m\":\"summary\",\"have\":"
#define E_JSON	"bad JSON: "
#define E_OBJ	"want an object with \"m\""
#define E_NAME(f)	"field \"" f "\": want a name"
#define E_U64(f)	"field \"" f "\": want an integer >= 0"
#define E_D	"field \"d\": want 0 or 1"
#define E_K	"field \"k\": unknown record kind"
#define E_X	"field \"x\": want the topology text (1 to 4194304 bytes, " \
		"no NUL)"
#define E_G	"field \"g\": want a base64 signature of at most 160 bytes"
#define E_P	"field \"p\": want the PEM certificate (1 to 16384 bytes, " \
		"no NUL)"
#define B64_8	"AAAAAAAA"
#define B64_40	B64_8 B64_8 B64_8 B64_8 B64_8
#define B64_220	B64_40 B64_40 B64_40 B64_40 B64_40 B64_8 B64_8 "AAAA"
#define E_DIG	"field \"digest\": want 64 hex digits"
#define E_HAVE	"field \"have\": want an array of at most 200000 entries"
#define E_ENT(i)	"summary entry " #i ": want [KEY, ORIGIN, SEQ, VERSION]"

static const struct decode_case decode_cases[] = {
	/* good messages */
	{ "hello", HELLO_ "\"server\":\"lon-bh1\",\"digest\":\"" HEX64
	  "\",\"records\":3}", 0,
	  "hello server=lon-bh1 digest=" HEX64 " records=3", NULL },
	{ "hello: fields in any order, spaces", " { \"records\" : 0 , "
	  "\"digest\" : \"" HEX64 "\" , \"server\" : \"x\" , \"m\" : "
	  "\"hello\" } \n", 0, "hello server=x digest=" HEX64 " records=0",
	  NULL },
	{ "hello: longest server name", HELLO_ "\"server\":\"" N64 "\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0,
	  "hello server=" N64 " digest=" HEX64 " records=1", NULL },
	{ "hello: largest record count", HELLO_ "\"server\":\"a\","
	  "\"digest\":\"" HEX64 "\",\"records\":9223372036854775807}", 0,
	  "hello server=a digest=" HEX64 " records=9223372036854775807",
	  NULL },
	{ "hello: with the topology version", HELLO_ "\"server\":\"a\","
	  "\"digest\":\"" HEX64 "\",\"records\":2,\"topology\":7}", 0,
	  "hello server=a digest=" HEX64 " records=2 topology=7", NULL },
	{ "done", "{\"m\":\"done\"}", 0, "done", NULL },
	{ "alive", "{\"m\":\"alive\"}", 0, "alive", NULL },
	{ "summary: empty", SUM_ "[]}", 0, "summary", NULL },
	{ "summary: every kind of key", SUM_ "[[\"connector:London-NewYork:"
	  "lon-bh1\",\"lon-bh1\",5,0],[\"server:ny-bh1\",\"lon-rgm\",7,0],"
	  "[\"topology\",\"lon-rgm\",2,12]]}", 0,
	  "summary [connector:London-NewYork:lon-bh1 lon-bh1 5 0] "
	  "[server:ny-bh1 lon-rgm 7 0] [topology lon-rgm 2 12]", NULL },
	{ "summary: longest key", SUM_ "[[\"connector:" N64 ":" N64 "\",\""
	  N64 "\",9223372036854775807,9223372036854775807]]}", 0,
	  "summary [connector:" N64 ":" N64 " " N64 " 9223372036854775807 "
	  "9223372036854775807]", NULL },
	{ "rec: connector down", CONN_ "\"d\":1}", 0,
	  "rec connector o=lon-bh1 q=5 t=1000 c=London-NewYork s=lon-bh1 d=1",
	  NULL },
	{ "rec: connector up", CONN_ "\"d\":0}", 0,
	  "rec connector o=lon-bh1 q=5 t=1000 c=London-NewYork s=lon-bh1 d=0",
	  NULL },
	{ "rec: server down", SRV_ "\"n\":\"ny-bh1\",\"d\":1}", 0,
	  "rec server o=lon-rgm q=7 t=1 n=ny-bh1 d=1", NULL },
	{ "rec: topology", TOPO_ "\"v\":12,\"x\":\"[organization]\\nname = "
	  "T\\n\"}", 0, "rec topology o=lon-rgm q=2 t=3 v=12 "
	  "x=[organization]\\nname = T\\n", NULL },
	{ "rec: topology text of one byte", TOPO_ "\"v\":0,\"x\":\";\"}", 0,
	  "rec topology o=lon-rgm q=2 t=3 v=0 x=;", NULL },
	{ "rec: topology text with escapes and UTF-8", TOPO_ "\"v\":1,"
	  "\"x\":\"\\u00e9\\t\\\"\\\\\xc3\xa4\"}", 0,
	  "rec topology o=lon-rgm q=2 t=3 v=1 x=\xc3\xa9\t\"\\\xc3\xa4", NULL },
	{ "rec: sequence of epoch 1, counter 1", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":4294967297,\"t\":0,\"n\":\"b\",\"d\":0}", 0,
	  "rec server o=a q=4294967297 t=0 n=b d=0", NULL },
	{ "rec: largest sequence and time", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":9223372036854775807,\"t\":4102444800000,"
	  "\"n\":\"b\",\"d\":0}", 0, "rec server o=a q=9223372036854775807 "
	  "t=4102444800000 n=b d=0", NULL },
	{ "rec: sequence over 2^63-1, as a decimal string", REC_ "\"k\":"
	  "\"server\",\"o\":\"a\",\"q\":\"18446744073709551615\",\"t\":0,"
	  "\"n\":\"b\",\"d\":0}", 0, "rec server o=a q=18446744073709551615 "
	  "t=0 n=b d=0", NULL },
	{ "rec: small sequence as a string too", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":\"7\",\"t\":0,\"n\":\"b\",\"d\":0}", 0,
	  "rec server o=a q=7 t=0 n=b d=0", NULL },
	{ "rec: sequence 2^64: too big", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":\"18446744073709551616\",\"t\":0,\"n\":\"b\",\"d\":0}", 0,
	  NULL, E_U64("q") },
	{ "rec: sequence string with a sign", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":\"-1\",\"t\":0,\"n\":\"b\",\"d\":0}", 0,
	  NULL, E_U64("q") },
	{ "rec: sequence string empty", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":\"\",\"t\":0,\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("q") },
	{ "rec: sequence string with an exponent", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":\"1e3\",\"t\":0,\"n\":\"b\",\"d\":0}", 0,
	  NULL, E_U64("q") },
	{ "rec: time as a string over 2^63-1", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":1,\"t\":\"9223372036854775808\",\"n\":\"b\","
	  "\"d\":0}", 0, NULL, E_U64("t") },
	{ "rec: with a signature", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1,\"t\":0,\"n\":\"b\",\"d\":0,\"g\":\"AAEC/w==\"}", 0,
	  "rec server o=a q=1 t=0 n=b d=0 g=000102ff", NULL },
	{ "rec: signature not base64", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1,\"t\":0,\"n\":\"b\",\"d\":0,\"g\":\"AA*C\"}", 0,
	  NULL, E_G },
	{ "rec: signature not a string", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1,\"t\":0,\"n\":\"b\",\"d\":0,\"g\":5}", 0, NULL, E_G },
	{ "rec: signature too long", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1,\"t\":0,\"n\":\"b\",\"d\":0,\"g\":\"" B64_220 "\"}", 0,
	  NULL, E_G },
	{ "rec: cert", REC_ "\"k\":\"cert\",\"o\":\"a\",\"q\":1,\"t\":0,"
	  "\"p\":\"-----BEGIN CERTIFICATE-----\"}", 0,
	  "rec cert o=a q=1 t=0 p=27 bytes", NULL },
	{ "rec: cert without PEM", REC_ "\"k\":\"cert\",\"o\":\"a\",\"q\":1,"
	  "\"t\":0}", 0, NULL, E_P },
	{ "rec: cert with an empty PEM", REC_ "\"k\":\"cert\",\"o\":\"a\","
	  "\"q\":1,\"t\":0,\"p\":\"\"}", 0, NULL, E_P },
	{ "summary: sequence over 2^63-1 and a cert key", SUM_ "[[\"cert:a\","
	  "\"a\",\"18446744073709551615\",0],[\"topology\",\"a\",2,"
	  "\"9223372036854775808\"]]}", 0,
	  "summary [cert:a a 18446744073709551615 0] "
	  "[topology a 2 9223372036854775808]", NULL },
	{ "summary: sequence string that is not a number", SUM_
	  "[[\"cert:a\",\"a\",\"x\",0]]}", 0, NULL, E_ENT(0) },
	{ "rec: longest names", REC_ "\"k\":\"connector\",\"o\":\"" N64 "\","
	  "\"q\":1,\"t\":1,\"c\":\"" N64 "\",\"s\":\"" N64 "\",\"d\":1}", 0,
	  "rec connector o=" N64 " q=1 t=1 c=" N64 " s=" N64 " d=1", NULL },

	/* not JSON */
	{ "bad JSON: empty", "", 0, NULL, E_JSON },
	{ "bad JSON: only spaces", "  \r\n", 0, NULL, E_JSON },
	{ "bad JSON: cut short", "{\"m\":\"do", 0, NULL, E_JSON },
	{ "bad JSON: words", "hello lon-bh1", 0, NULL, E_JSON },
	{ "bad JSON: trailing bytes", "{\"m\":\"done\"} x", 0, NULL, E_JSON },
	{ "bad JSON: two objects", "{\"m\":\"done\"}{\"m\":\"done\"}", 0, NULL,
	  E_JSON },
	{ "bad JSON: trailing comma", "{\"m\":\"done\",}", 0, NULL, E_JSON },
	{ "bad JSON: single quotes", "{'m':'done'}", 0, NULL, E_JSON },
	{ "bad JSON: NUL after the object", "{\"m\":\"done\"}\0", 13, NULL,
	  E_JSON },
	{ "bad JSON: NUL inside", "{\"m\":\"do\0ne\"}", 14, NULL, E_JSON },
	{ "bad JSON: bad UTF-8", "{\"m\":\"d\xffone\"}", 0, NULL, E_JSON },
	{ "bad JSON: top-level string", "\"done\"", 0, NULL, E_JSON },
	{ "bad JSON: top-level number", "42", 0, NULL, E_JSON },
	{ "bad JSON: duplicate \"m\"", "{\"m\":\"done\",\"m\":\"done\"}", 0,
	  NULL, E_JSON "duplicate object key" },
	{ "bad JSON: duplicate key in a record", CONN_ "\"d\":1,\"q\":6}", 0,
	  NULL, E_JSON "duplicate object key" },
	{ "bad JSON: duplicate key in a hello", HELLO_ "\"server\":\"a\","
	  "\"server\":\"b\",\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_JSON "duplicate object key" },
	{ "bad JSON: number past 2^63-1", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":9223372036854775808,\"t\":0,\"n\":\"b\",\"d\":0}", 0, NULL,
	  E_JSON "too big integer" },
	{ "bad JSON: number of 2^64", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":18446744073709551616,\"t\":0,\"n\":\"b\",\"d\":0}", 0, NULL,
	  E_JSON "too big integer" },
	{ "bad JSON: NUL escaped in topology text", TOPO_ "\"v\":1,"
	  "\"x\":\"a\\u0000b\"}", 0, NULL, E_JSON "\\u0000 is not allowed" },
	{ "bad JSON: NUL escaped in a name", SRV_ "\"n\":\"a\\u0000b\","
	  "\"d\":0}", 0, NULL, E_JSON "\\u0000 is not allowed" },

	/* not an object, or no "m" */
	{ "not an object: empty array", "[]", 0, NULL, E_OBJ },
	{ "not an object: array of a message", "[{\"m\":\"done\"}]", 0, NULL,
	  E_OBJ },
	{ "no \"m\": empty object", "{}", 0, NULL, E_OBJ },
	{ "no \"m\": other field", "{\"type\":\"done\"}", 0, NULL, E_OBJ },
	{ "no \"m\": upper case key", "{\"M\":\"done\"}", 0, NULL, E_OBJ },
	{ "no \"m\": number", "{\"m\":1}", 0, NULL, E_OBJ },
	{ "no \"m\": null", "{\"m\":null}", 0, NULL, E_OBJ },
	{ "no \"m\": array", "{\"m\":[\"done\"]}", 0, NULL, E_OBJ },
	{ "unknown \"m\"", "{\"m\":\"bye\"}", 0, NULL,
	  "unknown message \"bye\"" },
	{ "unknown \"m\": empty", "{\"m\":\"\"}", 0, NULL,
	  "unknown message \"\"" },
	{ "unknown \"m\": case matters", "{\"m\":\"DONE\"}", 0, NULL,
	  "unknown message \"DONE\"" },
	{ "unknown \"m\": long, cut in the reason", "{\"m\":\"" N64 "\"}", 0,
	  NULL, "unknown message \"" A8 A8 A8 A8 "\"" },

	/* hello */
	{ "hello: no server", HELLO_ "\"digest\":\"" HEX64 "\","
	  "\"records\":1}", 0, NULL, E_NAME("server") },
	{ "hello: empty server", HELLO_ "\"server\":\"\",\"digest\":\""
	  HEX64 "\",\"records\":1}", 0, NULL, E_NAME("server") },
	{ "hello: server of 65 bytes", HELLO_ "\"server\":\"" N65 "\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_NAME("server") },
	{ "hello: server with a space", HELLO_ "\"server\":\"lon bh1\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_NAME("server") },
	{ "hello: server with a colon", HELLO_ "\"server\":\"lon:bh1\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_NAME("server") },
	{ "hello: server with UTF-8", HELLO_ "\"server\":\"l\\u00f6n\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_NAME("server") },
	{ "hello: server with a newline", HELLO_ "\"server\":\"lon\\n\","
	  "\"digest\":\"" HEX64 "\",\"records\":1}", 0, NULL,
	  E_NAME("server") },
	{ "hello: server a number", HELLO_ "\"server\":5,\"digest\":\""
	  HEX64 "\",\"records\":1}", 0, NULL, E_NAME("server") },
	{ "hello: negative topology", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":1,\"topology\":-1}", 0, NULL,
	  E_U64("topology") },
	{ "hello: topology a string", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":1,\"topology\":\"7\"}", 0, NULL,
	  E_U64("topology") },
	{ "hello: no records", HELLO_ "\"server\":\"a\",\"digest\":\"" HEX64
	  "\"}", 0, NULL, E_U64("records") },
	{ "hello: negative records", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":-1}", 0, NULL, E_U64("records") },
	{ "hello: records a real", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":1.0}", 0, NULL, E_U64("records") },
	{ "hello: records in exponent form", HELLO_ "\"server\":\"a\","
	  "\"digest\":\"" HEX64 "\",\"records\":1e3}", 0, NULL,
	  E_U64("records") },
	{ "hello: records a string", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":\"3\"}", 0, NULL, E_U64("records") },
	{ "hello: records true", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "\",\"records\":true}", 0, NULL, E_U64("records") },
	{ "hello: no digest", HELLO_ "\"server\":\"a\",\"records\":1}", 0,
	  NULL, E_DIG },
	{ "hello: digest of 63", HELLO_ "\"server\":\"a\",\"digest\":\""
	  H16 H16 H16 "0123456789abcde\",\"records\":1}", 0, NULL, E_DIG },
	{ "hello: digest of 65", HELLO_ "\"server\":\"a\",\"digest\":\""
	  HEX64 "0\",\"records\":1}", 0, NULL, E_DIG },
	{ "hello: digest empty", HELLO_ "\"server\":\"a\",\"digest\":\"\","
	  "\"records\":1}", 0, NULL, E_DIG },
	{ "hello: digest not hex", HELLO_ "\"server\":\"a\",\"digest\":\""
	  H16 H16 H16 "0123456789abcdeg\",\"records\":1}", 0, NULL, E_DIG },
	{ "hello: digest with a space", HELLO_ "\"server\":\"a\",\"digest\":"
	  "\" " H16 H16 H16 "123456789abcdef\",\"records\":1}", 0, NULL,
	  E_DIG },
	{ "hello: digest in upper case", HELLO_ "\"server\":\"a\","
	  "\"digest\":\"" H16 H16 H16 "0123456789ABCDEF\",\"records\":1}", 0,
	  NULL, E_DIG },
	{ "hello: digest a number", HELLO_ "\"server\":\"a\",\"digest\":0,"
	  "\"records\":1}", 0, NULL, E_DIG },

	/* rec: kind, origin, sequence, time */
	{ "rec: no kind", REC_ "\"o\":\"a\",\"q\":1,\"t\":1,\"n\":\"b\","
	  "\"d\":0}", 0, NULL, E_K },
	{ "rec: unknown kind", REC_ "\"k\":\"link\",\"o\":\"a\",\"q\":1,"
	  "\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_K },
	{ "rec: kind in upper case", REC_ "\"k\":\"Server\",\"o\":\"a\","
	  "\"q\":1,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_K },
	{ "rec: kind a number", REC_ "\"k\":2,\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"n\":\"b\",\"d\":0}", 0, NULL, E_K },
	{ "rec: kind empty", REC_ "\"k\":\"\",\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"n\":\"b\",\"d\":0}", 0, NULL, E_K },
	{ "rec: no origin", REC_ "\"k\":\"server\",\"q\":1,\"t\":1,"
	  "\"n\":\"b\",\"d\":0}", 0, NULL, E_NAME("o") },
	{ "rec: empty origin", REC_ "\"k\":\"server\",\"o\":\"\",\"q\":1,"
	  "\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_NAME("o") },
	{ "rec: origin of 65 bytes", REC_ "\"k\":\"server\",\"o\":\"" N65
	  "\",\"q\":1,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_NAME("o") },
	{ "rec: origin with a slash", REC_ "\"k\":\"server\",\"o\":\"a/b\","
	  "\"q\":1,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_NAME("o") },
	{ "rec: no sequence", REC_ "\"k\":\"server\",\"o\":\"a\",\"t\":1,"
	  "\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("q") },
	{ "rec: negative sequence", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":-1,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("q") },
	{ "rec: most negative sequence", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":-9223372036854775808,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL,
	  E_U64("q") },
	{ "rec: sequence a real", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1.5,\"t\":1,\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("q") },
	{ "rec: no time", REC_ "\"k\":\"server\",\"o\":\"a\",\"q\":1,"
	  "\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("t") },
	{ "rec: negative time", REC_ "\"k\":\"server\",\"o\":\"a\",\"q\":1,"
	  "\"t\":-5,\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("t") },
	{ "rec: time past 2100", REC_ "\"k\":\"server\",\"o\":\"a\","
	  "\"q\":1,\"t\":4102444800001,\"n\":\"b\",\"d\":0}", 0, NULL,
	  "field \"t\": a time past the year 2100" },
	{ "rec: time the largest integer", REC_ "\"k\":\"server\","
	  "\"o\":\"a\",\"q\":1,\"t\":9223372036854775807,\"n\":\"b\","
	  "\"d\":0}", 0, NULL, "field \"t\": a time past the year 2100" },
	{ "rec: time null", REC_ "\"k\":\"server\",\"o\":\"a\",\"q\":1,"
	  "\"t\":null,\"n\":\"b\",\"d\":0}", 0, NULL, E_U64("t") },

	/* rec: connector */
	{ "connector: no name", REC_ "\"k\":\"connector\",\"o\":\"a\","
	  "\"q\":1,\"t\":1,\"s\":\"b\",\"d\":0}", 0, NULL, E_NAME("c") },
	{ "connector: name with a colon", REC_ "\"k\":\"connector\","
	  "\"o\":\"a\",\"q\":1,\"t\":1,\"c\":\"x:y\",\"s\":\"b\",\"d\":0}", 0,
	  NULL, E_NAME("c") },
	{ "connector: name of 65 bytes", REC_ "\"k\":\"connector\","
	  "\"o\":\"a\",\"q\":1,\"t\":1,\"c\":\"" N65 "\",\"s\":\"b\","
	  "\"d\":0}", 0, NULL, E_NAME("c") },
	{ "connector: a reverse made by bidirectional", REC_
	  "\"k\":\"connector\",\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"c\":\"x~reverse\",\"s\":\"b\",\"d\":1}", 0,
	  "rec connector o=a q=1 t=1 c=x~reverse s=b d=1", NULL },
	{ "connector: '~' but not the reverse suffix", REC_
	  "\"k\":\"connector\",\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"c\":\"x~y\",\"s\":\"b\",\"d\":0}", 0, NULL, E_NAME("c") },
	{ "connector: the reverse suffix alone", REC_
	  "\"k\":\"connector\",\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"c\":\"~reverse\",\"s\":\"b\",\"d\":0}", 0, NULL,
	  E_NAME("c") },
	{ "connector: a reverse as source", REC_
	  "\"k\":\"connector\",\"o\":\"a\",\"q\":1,\"t\":1,"
	  "\"c\":\"x\",\"s\":\"b~reverse\",\"d\":0}", 0, NULL,
	  E_NAME("s") },
	{ "summary: a reverse connector's key", SUM_
	  "[[\"connector:x~reverse:b\",\"b\",1,0]]}", 0,
	  "summary [connector:x~reverse:b b 1 0]", NULL },
	{ "summary: a reverse name as the source", SUM_
	  "[[\"connector:x:b~reverse\",\"b\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "connector: server name instead (\"n\")", REC_ "\"k\":\"connector\","
	  "\"o\":\"a\",\"q\":1,\"t\":1,\"n\":\"x\",\"s\":\"b\",\"d\":0}", 0,
	  NULL, E_NAME("c") },
	{ "connector: no source", REC_ "\"k\":\"connector\",\"o\":\"a\","
	  "\"q\":1,\"t\":1,\"c\":\"x\",\"d\":0}", 0, NULL, E_NAME("s") },
	{ "connector: empty source", REC_ "\"k\":\"connector\",\"o\":\"a\","
	  "\"q\":1,\"t\":1,\"c\":\"x\",\"s\":\"\",\"d\":0}", 0, NULL,
	  E_NAME("s") },
	{ "connector: source an array", REC_ "\"k\":\"connector\","
	  "\"o\":\"a\",\"q\":1,\"t\":1,\"c\":\"x\",\"s\":[\"b\"],\"d\":0}", 0,
	  NULL, E_NAME("s") },
	{ "connector: no down", CONN_ "\"x\":1}", 0, NULL, E_U64("d") },
	{ "connector: down 2", CONN_ "\"d\":2}", 0, NULL, E_D },
	{ "connector: down large", CONN_ "\"d\":4294967297}", 0, NULL, E_D },
	{ "connector: down -1", CONN_ "\"d\":-1}", 0, NULL, E_U64("d") },
	{ "connector: down true", CONN_ "\"d\":true}", 0, NULL, E_U64("d") },
	{ "connector: down a string", CONN_ "\"d\":\"1\"}", 0, NULL,
	  E_U64("d") },
	{ "connector: down a real", CONN_ "\"d\":0.0}", 0, NULL, E_U64("d") },

	/* rec: server */
	{ "server: no name", SRV_ "\"d\":0}", 0, NULL, E_NAME("n") },
	{ "server: empty name", SRV_ "\"n\":\"\",\"d\":0}", 0, NULL,
	  E_NAME("n") },
	{ "server: name of 65 bytes", SRV_ "\"n\":\"" N65 "\",\"d\":0}", 0,
	  NULL, E_NAME("n") },
	{ "server: name with a tab", SRV_ "\"n\":\"a\\tb\",\"d\":0}", 0,
	  NULL, E_NAME("n") },
	{ "server: connector name instead (\"c\")", SRV_ "\"c\":\"x\","
	  "\"d\":0}", 0, NULL, E_NAME("n") },
	{ "server: no down", SRV_ "\"n\":\"x\"}", 0, NULL, E_U64("d") },
	{ "server: down 2", SRV_ "\"n\":\"x\",\"d\":2}", 0, NULL, E_D },
	{ "server: down false", SRV_ "\"n\":\"x\",\"d\":false}", 0, NULL,
	  E_U64("d") },

	/* rec: topology */
	{ "topology: no version", TOPO_ "\"x\":\"a\"}", 0, NULL, E_U64("v") },
	{ "topology: negative version", TOPO_ "\"v\":-1,\"x\":\"a\"}", 0,
	  NULL, E_U64("v") },
	{ "topology: version a decimal string", TOPO_ "\"v\":\"12\",\"x\":"
	  "\"a\"}", 0, "rec topology o=lon-rgm q=2 t=3 v=12 x=a", NULL },
	{ "topology: version a string of letters", TOPO_ "\"v\":\"x\",\"x\":"
	  "\"a\"}", 0, NULL, E_U64("v") },
	{ "topology: no text", TOPO_ "\"v\":1}", 0, NULL, E_X },
	{ "topology: empty text", TOPO_ "\"v\":1,\"x\":\"\"}", 0, NULL, E_X },
	{ "topology: text a number", TOPO_ "\"v\":1,\"x\":5}", 0, NULL, E_X },
	{ "topology: text null", TOPO_ "\"v\":1,\"x\":null}", 0, NULL, E_X },
	{ "topology: text an array", TOPO_ "\"v\":1,\"x\":[\"a\"]}", 0, NULL,
	  E_X },

	/* summary */
	{ "summary: no have", "{\"m\":\"summary\"}", 0, NULL, E_HAVE },
	{ "summary: have an object", SUM_ "{}}", 0, NULL, E_HAVE },
	{ "summary: have null", SUM_ "null}", 0, NULL, E_HAVE },
	{ "summary: have a string", SUM_ "\"topology\"}", 0, NULL, E_HAVE },
	{ "summary: entry a string", SUM_ "[\"topology\"]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: entry an object", SUM_ "[{\"k\":\"topology\"}]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: entry empty", SUM_ "[[]]}", 0, NULL, E_ENT(0) },
	{ "summary: entry of three", SUM_ "[[\"topology\",\"a\",1]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: entry of five", SUM_ "[[\"topology\",\"a\",1,2,3]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: key a number", SUM_ "[[1,\"a\",1,2]]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: origin a number", SUM_ "[[\"topology\",1,1,2]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: sequence a decimal string", SUM_ "[[\"topology\",\"a\","
	  "\"1\",2]]}", 0, "summary [topology a 1 2]", NULL },
	{ "summary: sequence a real", SUM_ "[[\"topology\",\"a\",1.5,2]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: negative sequence", SUM_ "[[\"topology\",\"a\",-1,2]]}",
	  0, NULL, E_ENT(0) },
	{ "summary: negative version", SUM_ "[[\"topology\",\"a\",1,-2]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: unknown key kind", SUM_ "[[\"link:x\",\"a\",1,0]]}", 0,
	  NULL, E_ENT(0) },
	{ "summary: empty key", SUM_ "[[\"\",\"a\",1,0]]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: topology with a name", SUM_ "[[\"topology:x\",\"a\",1,0]]}",
	  0, NULL, E_ENT(0) },
	{ "summary: server without a name", SUM_ "[[\"server:\",\"a\",1,0]]}",
	  0, NULL, E_ENT(0) },
	{ "summary: server name with a space",
	  SUM_ "[[\"server:a b\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: server name of 65 bytes",
	  SUM_ "[[\"server:" N65 "\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: connector without a source",
	  SUM_ "[[\"connector:x\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: connector with an empty source",
	  SUM_ "[[\"connector:x:\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: connector with an empty name",
	  SUM_ "[[\"connector::b\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: connector key of three names",
	  SUM_ "[[\"connector:x:b:c\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: connector name of 65 bytes",
	  SUM_ "[[\"connector:" N65 ":b\",\"a\",1,0]]}", 0, NULL, E_ENT(0) },
	{ "summary: key past the longest",
	  SUM_ "[[\"connector:" N64 N64 ":" N64 "\",\"a\",1,0]]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: empty origin", SUM_ "[[\"topology\",\"\",1,0]]}", 0, NULL,
	  E_ENT(0) },
	{ "summary: origin of 65 bytes", SUM_ "[[\"topology\",\"" N65 "\",1,"
	  "0]]}", 0, NULL, E_ENT(0) },
	{ "summary: second entry bad", SUM_ "[[\"topology\",\"a\",1,0],"
	  "[\"server:b\",\"a:b\",1,0]]}", 0, NULL, E_ENT(1) },
};

static void
run_decode(void **state)
{
	const struct decode_case *c = *state;
	size_t len = c->len ? c->len : strlen(c->in);
	struct lsmsg m;
	char err[256], got[4096];
	int rc;

	rc = decode(c->in, len, &m, err, sizeof(err));
	if (c->err != NULL) {
		if (rc != -1)
			fail_msg("accepted; wanted \"%s\"", c->err);
		if (strstr(err, c->err) == NULL)
			fail_msg("got \"%s\", wanted \"%s\"", err, c->err);
		assert_cleared(&m);
		return;
	}
	if (rc != 0)
		fail_msg("refused: %s", err);
	msg_text(&m, got, sizeof(got));
	assert_string_equal(got, c->want);
	lsmsg_clear(&m);
	assert_cleared(&m);
}

/* round trips of records */
struct rec_case {
	const char	*name;
	enum lsrec_kind	 kind;
	const char	*origin;
	uint64_t	 seq;
	int64_t		 time_ms;
	const char	*rname;
	const char	*source;
	int		 down;
	uint64_t	 version;
	const char	*text;
};

static const struct rec_case rec_cases[] = {
	{ "round trip: connector down", LSREC_CONNECTOR, "lon-bh1", 5, 1000,
	  "London-NewYork", "lon-bh1", 1, 0, NULL },
	{ "round trip: connector up", LSREC_CONNECTOR, "lon-bh2",
	  UINT64_C(0x300000007), 1700000000000, "London-NewYork", "lon-bh2",
	  0, 0, NULL },
	{ "round trip: connector, longest names", LSREC_CONNECTOR, N64, 1, 0,
	  N64, N64, 1, 0, NULL },
	{ "round trip: server down", LSREC_SERVER, "lon-rgm", 7, 1, "ny-bh1",
	  NULL, 1, 0, NULL },
	{ "round trip: server, sequence 0", LSREC_SERVER, "a", 0, 0, "b",
	  NULL, 0, 0, NULL },
	{ "round trip: server, largest sequence and time", LSREC_SERVER, "a",
	  I64MAX, LSREC_TIME_MAX, "b", NULL, 0, 0, NULL },
	{ "round trip: topology", LSREC_TOPOLOGY, "lon-rgm", 2, 3, NULL, NULL,
	  0, 12, "[organization]\nname = Contoso\nversion = 12\n" },
	{ "round trip: topology, quotes, backslashes, control bytes, UTF-8",
	  LSREC_TOPOLOGY, "lon-rgm", 2, 3, NULL, NULL, 0, 1,
	  "\"q\" \\ \t\x01\x1f\x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "round trip: topology, largest version", LSREC_TOPOLOGY, "x", 1, 1,
	  NULL, NULL, 0, I64MAX, ";" },
	{ "round trip: server, sequence 2^64-1", LSREC_SERVER, "a",
	  UINT64_MAX, 1, "b", NULL, 1, 0, NULL },
	{ "round trip: server, sequence 2^63", LSREC_SERVER, "a",
	  I64MAX + 1, 1, "b", NULL, 0, 0, NULL },
	{ "round trip: topology, version 2^64-1", LSREC_TOPOLOGY, "x", 1, 1,
	  NULL, NULL, 0, UINT64_MAX, ";" },
	{ "round trip: cert", LSREC_CERT, "lon-bh1", 9, 2, NULL, NULL, 0, 0,
	  "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
};

/* make_rec - a record from a row; it owns a copy of the text */
static void
make_rec(const struct rec_case *c, struct lsrec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = c->kind;
	snprintf(r->origin, sizeof(r->origin), "%s", c->origin);
	r->seq = c->seq;
	r->time_ms = c->time_ms;
	if (c->rname != NULL)
		snprintf(r->name, sizeof(r->name), "%s", c->rname);
	if (c->source != NULL)
		snprintf(r->source, sizeof(r->source), "%s", c->source);
	r->down = c->down;
	r->version = c->version;
	if (c->text != NULL) {
		r->text = strdup(c->text);
		assert_non_null(r->text);
	}
}

/* assert_rec_equal - every field the record's kind has */
static void
assert_rec_equal(const struct lsrec *a, const struct lsrec *b)
{
	char ta[1024] = "", tb[1024] = "";

	rec_text(a, ta, sizeof(ta));
	rec_text(b, tb, sizeof(tb));
	assert_string_equal(ta, tb);
	if (a->kind == LSREC_TOPOLOGY || a->kind == LSREC_CERT)
		assert_string_equal(a->text, b->text);
}

static void
run_rec(void **state)
{
	const struct rec_case *c = *state;
	struct lsrec r, copy, back;
	struct lsmsg m;
	char err[256], *buf;
	size_t len;
	json_t *o;

	make_rec(c, &r);

	/* as a message */
	buf = lsmsg_encode_rec(&r, &len);
	assert_non_null(buf);
	assert_true(len == strlen(buf));
	if (decode(buf, len, &m, err, sizeof(err)) != 0)
		fail_msg("refused %s: %s", buf, err);
	assert_int_equal(m.type, LSMSG_REC);
	assert_rec_equal(&m.rec, &r);
	lsmsg_clear(&m);
	free(buf);

	/* as a JSON object (the LST file's form) */
	o = lsrec_to_json(&r);
	assert_non_null(o);
	if (lsrec_from_json(o, &back, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	json_decref(o);
	assert_rec_equal(&back, &r);
	lsrec_clear(&back);

	/* a copy owns its own text */
	lsrec_copy(&copy, &r);
	if (r.text != NULL)
		assert_ptr_not_equal(copy.text, r.text);
	lsrec_clear(&r);
	assert_null(r.text);
	make_rec(c, &r);
	assert_rec_equal(&copy, &r);
	lsrec_clear(&copy);
	lsrec_clear(&r);
}

/* round trips of hellos */
struct hello_case {
	const char	*name;
	const char	*server;
	const char	*digest;
	uint64_t	 records;
	uint64_t	 topology;
};

static const struct hello_case hello_cases[] = {
	{ "round trip: hello", "lon-bh1", HEX64, 3, 12 },
	{ "round trip: hello, empty table",
	  "ny-bh2", "e3b0c44298fc1c149afbf4c8996fb924"
	  "27ae41e4649b934ca495991b7852b855", 0, 0 },
	{ "round trip: hello, longest name, most records", N64, HEX64,
	  I64MAX, I64MAX },
};

static void
run_hello(void **state)
{
	const struct hello_case *c = *state;
	struct lsmsg m;
	char err[256], *buf;
	size_t len;

	buf = lsmsg_encode_hello(c->server, c->digest, c->records,
	    c->topology, &len);
	assert_true(len == strlen(buf));
	if (decode(buf, len, &m, err, sizeof(err)) != 0)
		fail_msg("refused %s: %s", buf, err);
	assert_int_equal(m.type, LSMSG_HELLO);
	assert_string_equal(m.server, c->server);
	assert_string_equal(m.digest, c->digest);
	assert_true(m.records == c->records);
	assert_true(m.topology == c->topology);
	lsmsg_clear(&m);
	free(buf);
}

/* done, alive and summary, encoded then decoded */
static void
test_done_round_trip(void **state)
{
	static const struct {
		char		*(*encode)(size_t *);
		const char	*text;
		enum lsmsg_type	 type;
	} bare[] = {
		{ lsmsg_encode_done, "{\"m\":\"done\"}", LSMSG_DONE },
		{ lsmsg_encode_alive, "{\"m\":\"alive\"}", LSMSG_ALIVE },
	};
	struct lsmsg m;
	char err[256], *buf;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		buf = bare[i].encode(&len);
		assert_string_equal(buf, bare[i].text);
		assert_int_equal(decode(buf, len, &m, err, sizeof(err)), 0);
		assert_int_equal(m.type, bare[i].type);
		lsmsg_clear(&m);
		free(buf);
	}
}

static void
test_summary_round_trip(void **state)
{
	static const struct lsmsg_have have[] = {
		{ "connector:London-NewYork:lon-bh1", "lon-bh1", 5, 0 },
		{ "connector:" N64 ":" N64, N64, I64MAX, 0 },
		{ "server:ny-bh1", "lon-rgm", 0, 0 },
		{ "topology", "lon-rgm", 2, I64MAX },
		{ "cert:a", "a", UINT64_MAX, UINT64_MAX },
	};
	struct lsmsg m;
	char err[256], *buf;
	size_t len;

	(void)state;
	for (size_t n = 0; n <= nitems(have); n++) {
		buf = lsmsg_encode_summary(have, n, &len);
		if (decode(buf, len, &m, err, sizeof(err)) != 0)
			fail_msg("refused %s: %s", buf, err);
		assert_int_equal(m.type, LSMSG_SUMMARY);
		assert_true(m.nhave == n);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(m.have[i].key, have[i].key);
			assert_string_equal(m.have[i].origin, have[i].origin);
			assert_true(m.have[i].seq == have[i].seq);
			assert_true(m.have[i].version == have[i].version);
		}
		lsmsg_clear(&m);
		free(buf);
	}
}

/* lsrec_from_json checks what jansson lets through when built in C */
static void
test_from_json_checks(void **state)
{
	struct lsrec r;
	char err[256];
	json_t *o;

	(void)state;
	o = json_array();
	assert_int_equal(lsrec_from_json(o, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "record: want an object");
	json_decref(o);

	/* a NUL inside the topology text cannot come from JSON text */
	o = json_pack("{s:s,s:s,s:I,s:I,s:I}", "k", "topology", "o", "a",
	    "q", (json_int_t)1, "t", (json_int_t)1, "v", (json_int_t)1);
	assert_non_null(o);
	json_object_set_new(o, "x", json_stringn("a\0b", 3));
	assert_int_equal(lsrec_from_json(o, &r, err, sizeof(err)), -1);
	assert_string_equal(err, E_X);
	assert_null(r.text);
	json_object_set_new(o, "x", json_stringn("a", 1));
	assert_int_equal(lsrec_from_json(o, &r, err, sizeof(err)), 0);
	assert_string_equal(r.text, "a");
	lsrec_clear(&r);
	json_decref(o);
}

/* a message one byte over the limit is refused before it is parsed */
static void
test_decode_limit(void **state)
{
	size_t len = LSMSG_MAX_BYTES + 1;
	char *buf = malloc(len), err[256], want[128];
	struct lsmsg m;

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', len);
	memcpy(buf, "{\"m\":\"done\"}", 12);
	assert_int_equal(lsmsg_decode(buf, len, &m, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "message of %zu bytes (limit %d)", len,
	    LSMSG_MAX_BYTES);
	assert_string_equal(err, want);
	/* at the limit, the spaces are just white space */
	assert_int_equal(lsmsg_decode(buf, len - 1, &m, err, sizeof(err)), 0);
	assert_int_equal(m.type, LSMSG_DONE);
	lsmsg_clear(&m);
	free(buf);
	buf = lsmsg_encode_alive(&len);
	assert_string_equal(buf, "{\"m\":\"alive\"}");
	assert_int_equal(decode(buf, len, &m, err, sizeof(err)), 0);
	assert_int_equal(m.type, LSMSG_ALIVE);
	lsmsg_clear(&m);
	free(buf);
}

/* a summary of LSMSG_SUMMARY_MAX entries passes, one more does not */
static void
test_summary_limit(void **state)
{
	static const char entry[] = "[\"topology\",\"a\",1,0],";
	size_t esz = sizeof(entry) - 1, n = LSMSG_SUMMARY_MAX + 1;
	size_t len = strlen(SUM_) + n * esz + 2;
	char *buf = malloc(len + 1), err[256], *p;
	struct lsmsg m;

	(void)state;
	assert_non_null(buf);
	p = buf + snprintf(buf, len + 1, "%s[", SUM_);
	for (size_t i = 0; i < n; i++, p += esz)
		memcpy(p, entry, esz);
	memcpy(p - 1, "]}", 3);
	assert_true((size_t)(p + 1 - buf) == len);
	assert_int_equal(lsmsg_decode(buf, len, &m, err, sizeof(err)), -1);
	assert_string_equal(err, E_HAVE);
	assert_cleared(&m);
	/* drop the last entry */
	p -= esz;
	memcpy(p - 1, "]}", 3);
	assert_int_equal(lsmsg_decode(buf, (size_t)(p + 1 - buf), &m, err,
	    sizeof(err)), 0);
	assert_true(m.nhave == LSMSG_SUMMARY_MAX);
	lsmsg_clear(&m);
	free(buf);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_done_round_trip),
	cmocka_unit_test(test_summary_round_trip),
	cmocka_unit_test(test_from_json_checks),
	cmocka_unit_test(test_decode_limit),
	cmocka_unit_test(test_summary_limit),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(kind_cases) + nitems(name_cases) +
	    nitems(cmp_cases) + nitems(key_cases) + nitems(decode_cases) +
	    nitems(rec_cases) + nitems(hello_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_kind, kind_cases);
	n = ADD_TABLE(tests, n, run_name, name_cases);
	n = ADD_TABLE(tests, n, run_cmp, cmp_cases);
	n = ADD_TABLE(tests, n, run_key, key_cases);
	n = ADD_TABLE(tests, n, run_decode, decode_cases);
	n = ADD_TABLE(tests, n, run_rec, rec_cases);
	n = ADD_TABLE(tests, n, run_hello, hello_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_lsrec: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
