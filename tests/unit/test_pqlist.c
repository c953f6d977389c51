/*
 * test_pqlist.c - shared/pqlist.c: `postqueue -j` lines.
 *
 * pqlist_parse_line() rows give one line, shaped as postqueue(1) "JSON
 * OBJECT FORMAT" writes it, and either the message kept, written out as
 * text (msg_text below), or the reason it is refused (jansson's own
 * reasons by their "bad JSON: " start, ours whole). Every line is read
 * from an exactly sized copy, not NUL-terminated, so an over-read shows
 * under SANITIZE=1; the message is filled with garbage first, so a
 * refused one must come back cleared. Two fixed tests take the limits
 * (line length, recipients) at and one past the edge. pqlist_split()
 * rows give whole listings and every call wanted, in order: line
 * number and message, or line number and reason (good lines after a
 * bad one still come); and the count of refused lines returned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tabletest.h"

#include "pqlist.h"

/* msg_text - a message as one line of text */
static void
msg_text(const struct pq_msg *m, char *out, size_t size)
{
	out[0] = '\0';
	assert_non_null(m->sender);
	assert_non_null(m->rcpts);
	tabletest_put(out, size, "q=%s id=%s s=<%s> n=%d", m->queue_name,
	    m->queue_id, m->sender, m->nrcpts);
	for (int i = 0; i < m->nrcpts; i++) {
		assert_non_null(m->rcpts[i]);
		tabletest_put(out, size, " <%s>", m->rcpts[i]);
	}
	if (m->loop_refused)
		tabletest_put(out, size, " loop_refused");
	if (m->held)
		tabletest_put(out, size, " held");
}

/* assert_cleared - what a refused or cleared message must look like */
static void
assert_cleared(const struct pq_msg *m)
{
	assert_string_equal(m->queue_name, "");
	assert_string_equal(m->queue_id, "");
	assert_null(m->sender);
	assert_null(m->rcpts);
	assert_int_equal(m->nrcpts, 0);
}

/* exact_copy - len bytes in a buffer of just that size, to free */
static char *
exact_copy(const char *in, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, in, len);
	return copy;
}

/* parse - pqlist_parse_line() on an exactly sized copy; m garbage first */
static int
parse(const char *in, size_t len, struct pq_msg *m, char *err,
    size_t errlen)
{
	char *copy = exact_copy(in, len);
	int rc;

	memset(m, 0xa5, sizeof(*m));
	err[0] = '\0';
	rc = pqlist_parse_line(copy, len, m, err, errlen);
	free(copy);
	return rc;
}

#define E_JSON	"bad JSON: "	/* jansson's reason follows */
#define E_OBJ	"want a JSON object"
#define E_QNAME	"field \"queue_name\": want a string of 1 to 15 bytes"
#define E_QID	"field \"queue_id\": want 1 to 31 letters and digits"
#define E_SNDR	"field \"sender\": want a string"
#define E_RCPTS	"field \"recipients\": want an array of at most 10000 " \
		"entries"
#define E_RCPT(i)	"recipient " #i ": want an object with a string " \
		"\"address\""

/* text_matches - got is want; or, when want ends in E_JSON, want and more */
static int
text_matches(const char *got, const char *want)
{
	size_t n = strlen(want), e = strlen(E_JSON);

	if (n >= e && strcmp(want + n - e, E_JSON) == 0)
		return strncmp(got, want, n) == 0 && strlen(got) > n;
	return strcmp(got, want) == 0;
}

/* the members before "sender", as postqueue -j writes them */
#define HEAD(q, id)	"{\"queue_name\": \"" q "\", \"queue_id\": \"" id \
		"\", \"arrival_time\": 1718031200, \"message_size\": 2841, " \
		"\"forced_expire\": false, "
#define DEF_	HEAD("deferred", "4F2D1C0A3B")
#define FROM	"\"sender\": \"alice@contoso.test\", "
#define RCPTS_	"\"recipients\": ["
#define REFUSED	"connect to mx.fabrikam.test[192.0.2.25]:25: Connection " \
		"refused"
#define BOB	"{\"address\": \"bob@fabrikam.test\", \"delay_reason\": \"" \
		REFUSED "\"}"
#define CAROL	"{\"address\": \"carol@fabrikam.test\"}"
#define TO_BOB	RCPTS_ BOB "]}"
#define WANT(q, id)	"q=" q " id=" id " s=<alice@contoso.test> n=1 " \
		"<bob@fabrikam.test>"
#define ID31	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcde"
#define ID32	ID31 "f"
#define NUL_LINE	HEAD("deferred", "A1\0B2") FROM TO_BOB

struct parse_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* msg_text, when err is NULL */
	const char	*err;		/* the reason, or E_JSON and more */
};

static const struct parse_case parse_cases[] = {
	/* good lines */
	{ "deferred, one recipient, with its newline", DEF_ FROM TO_BOB "\n",
	  0, WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "deferred, without the newline", DEF_ FROM TO_BOB, 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "active, recipient without delay_reason (delivery in progress)",
	  HEAD("active", "3Wq8Hd5Jm2z7xKp") FROM RCPTS_ CAROL "]}\n", 0,
	  "q=active id=3Wq8Hd5Jm2z7xKp s=<alice@contoso.test> n=1 "
	  "<carol@fabrikam.test>", NULL },
	{ "deferred by lsa-policyd's loop refusal (450 4.4.6)",
	  DEF_ FROM RCPTS_ CAROL ", {\"address\": \"bob@fabrikam.test\", "
	  "\"delay_reason\": \"host 192.0.2.7[192.0.2.7] said: 450 4.4.6 "
	  "<bob@fabrikam.test>: Recipient address rejected: routing loop\"}]}",
	  0, "q=deferred id=4F2D1C0A3B s=<alice@contoso.test> n=2 "
	  "<carol@fabrikam.test> <bob@fabrikam.test> loop_refused", NULL },
	{ "held by defer_transports (lsa-policyd's hold transport)",
	  DEF_ FROM RCPTS_ "{\"address\": \"bob@fabrikam.test\", "
	  "\"delay_reason\": \"deferred transport\"}]}", 0,
	  WANT("deferred", "4F2D1C0A3B") " held", NULL },
	{ "a 4.4.6 that is not a reply code: not a loop refusal",
	  DEF_ FROM RCPTS_ "{\"address\": \"bob@fabrikam.test\", "
	  "\"delay_reason\": \"host said: 450x4.4.6y\"}]}", 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "hold", HEAD("hold", "9C1E44A07") FROM TO_BOB "\n", 0,
	  WANT("hold", "9C1E44A07"), NULL },
	{ "incoming", HEAD("incoming", "B7A2") FROM TO_BOB "\n", 0,
	  WANT("incoming", "B7A2"), NULL },
	{ "maildrop", HEAD("maildrop", "4Xq3Lk1bVz5sYtq") FROM TO_BOB "\n",
	  0, WANT("maildrop", "4Xq3Lk1bVz5sYtq"), NULL },
	{ "queue name kept as given", HEAD("Deferred queue", "1") FROM TO_BOB,
	  0, WANT("Deferred queue", "1"), NULL },
	{ "queue name of 15 bytes", HEAD("abcdefghijklmno", "1") FROM TO_BOB,
	  0, WANT("abcdefghijklmno", "1"), NULL },
	{ "queue id of one character", HEAD("deferred", "Z") FROM TO_BOB, 0,
	  WANT("deferred", "Z"), NULL },
	{ "queue id of 31 characters", HEAD("deferred", ID31) FROM TO_BOB, 0,
	  WANT("deferred", ID31), NULL },
	{ "queue id of every digit", HEAD("deferred", "0123456789") FROM
	  TO_BOB, 0, WANT("deferred", "0123456789"), NULL },
	{ "null sender (a bounce)", DEF_ "\"sender\": \"\", " TO_BOB "\n", 0,
	  "q=deferred id=4F2D1C0A3B s=<> n=1 <bob@fabrikam.test>", NULL },
	{ "no sender member", DEF_ TO_BOB "\n", 0,
	  "q=deferred id=4F2D1C0A3B s=<> n=1 <bob@fabrikam.test>", NULL },
	{ "no recipients left", DEF_ FROM RCPTS_ "]}\n", 0,
	  "q=deferred id=4F2D1C0A3B s=<alice@contoso.test> n=0", NULL },
	{ "three recipients, some delayed", DEF_ FROM RCPTS_ BOB ", " CAROL
	  ", {\"address\": \"dave@northwind.test\", \"delay_reason\": "
	  "\"host mx.northwind.test[198.51.100.7] said: 451 4.7.1 Try "
	  "again later (in reply to RCPT TO command)\"}]}\n", 0,
	  "q=deferred id=4F2D1C0A3B s=<alice@contoso.test> n=3 "
	  "<bob@fabrikam.test> <carol@fabrikam.test> <dave@northwind.test>",
	  NULL },
	{ "the same recipient twice, kept twice", DEF_ FROM RCPTS_ BOB ", "
	  BOB "]}", 0, "q=deferred id=4F2D1C0A3B s=<alice@contoso.test> n=2 "
	  "<bob@fabrikam.test> <bob@fabrikam.test>", NULL },
	{ "empty recipient address", DEF_ FROM RCPTS_ "{\"address\": \"\"}]}",
	  0, "q=deferred id=4F2D1C0A3B s=<alice@contoso.test> n=1 <>", NULL },
	{ "forced to expire", "{\"queue_name\": \"deferred\", \"queue_id\": "
	  "\"4F2D1C0A3B\", \"arrival_time\": 1717000000, \"message_size\": "
	  "120, \"forced_expire\": true, " FROM TO_BOB "\n", 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "unknown members ignored", "{\"queue_name\": \"deferred\", "
	  "\"queue_id\": \"4F2D1C0A3B\", \"x_new\": {\"a\": [1, null]}, "
	  "\"forced_expire\": true, \"sender\": \"alice@contoso.test\", "
	  "\"recipients\": [{\"address\": \"bob@fabrikam.test\", "
	  "\"x_dsn\": 5, \"delay_reason\": null}], \"x_last\": []}", 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "only the members kept", "{\"recipients\":[{\"address\":"
	  "\"bob@fabrikam.test\"}],\"queue_id\":\"4F2D1C0A3B\","
	  "\"queue_name\":\"deferred\",\"sender\":\"alice@contoso.test\"}", 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "white space around, CR before the newline", " \t" DEF_ FROM TO_BOB
	  " \r\n", 0, WANT("deferred", "4F2D1C0A3B"), NULL },
	{ "escapes and UTF-8 in addresses", DEF_ "\"sender\": "
	  "\"j\\u00f6rg\\\"x\\\\y\\/z@contoso.test\", " RCPTS_ "{\"address\": "
	  "\"\xc3\xa9lise@fabrikam.test\"}]}", 0, "q=deferred id=4F2D1C0A3B "
	  "s=<j\xc3\xb6rg\"x\\y/z@contoso.test> n=1 <\xc3\xa9lise@fabrikam.test>",
	  NULL },
	{ "newline escaped in a delay reason", DEF_ FROM RCPTS_ "{\"address\": "
	  "\"bob@fabrikam.test\", \"delay_reason\": \"a\\nb\"}]}", 0,
	  WANT("deferred", "4F2D1C0A3B"), NULL },

	/* not a JSON object */
	{ "empty line", "", 0, NULL, E_JSON },
	{ "newline alone", "\n", 0, NULL, E_JSON },
	{ "two newlines", "\n\n", 0, NULL, E_JSON },
	{ "postqueue's fatal error", "postqueue: fatal: Queue report "
	  "unavailable - mail system is down\n", 0, NULL, E_JSON },
	{ "mailq listing line", "4F2D1C0A3B*    2841 Mon Jun 10 14:53:20  "
	  "alice@contoso.test\n", 0, NULL, E_JSON },
	{ "cut short", DEF_ FROM RCPTS_ "{\"address\": \"bob@fab", 0, NULL,
	  E_JSON },
	{ "two objects on one line", DEF_ FROM TO_BOB DEF_ FROM TO_BOB, 0,
	  NULL, E_JSON },
	{ "two lines at once", DEF_ FROM TO_BOB "\n" DEF_ FROM TO_BOB "\n", 0,
	  NULL, E_JSON },
	{ "something after the object", DEF_ FROM TO_BOB " x", 0, NULL,
	  E_JSON },
	{ "queue id given twice", "{\"queue_name\": \"deferred\", "
	  "\"queue_id\": \"A1\", \"queue_id\": \"B2\", " TO_BOB, 0, NULL,
	  E_JSON },
	{ "NUL byte in the line", NUL_LINE, sizeof(NUL_LINE) - 1, NULL,
	  E_JSON },
	{ "escaped NUL in the queue id", HEAD("deferred", "A1\\u0000B") FROM
	  TO_BOB, 0, NULL, E_JSON },
	{ "bad UTF-8", DEF_ "\"sender\": \"\xff\", " TO_BOB, 0, NULL, E_JSON },
	{ "an array", "[" DEF_ FROM TO_BOB "]", 0, NULL, E_OBJ },
	{ "empty array", "[]\n", 0, NULL, E_OBJ },

	/* queue_name */
	{ "no queue name", "{\"queue_id\": \"4F2D1C0A3B\", " FROM TO_BOB, 0,
	  NULL, E_QNAME },
	{ "queue name empty", HEAD("", "4F2D1C0A3B") FROM TO_BOB, 0, NULL,
	  E_QNAME },
	{ "queue name of 16 bytes", HEAD("abcdefghijklmnop", "4F2D1C0A3B")
	  FROM TO_BOB, 0, NULL, E_QNAME },
	{ "queue name a number", "{\"queue_name\": 3, \"queue_id\": \"A1\", "
	  FROM TO_BOB, 0, NULL, E_QNAME },
	{ "queue name null", "{\"queue_name\": null, \"queue_id\": \"A1\", "
	  FROM TO_BOB, 0, NULL, E_QNAME },
	{ "queue name an array", "{\"queue_name\": [\"deferred\"], "
	  "\"queue_id\": \"A1\", " FROM TO_BOB, 0, NULL, E_QNAME },

	/* queue_id */
	{ "no queue id", "{\"queue_name\": \"deferred\", " FROM TO_BOB, 0,
	  NULL, E_QID },
	{ "queue id empty", HEAD("deferred", "") FROM TO_BOB, 0, NULL,
	  E_QID },
	{ "queue id of 32 characters", HEAD("deferred", ID32) FROM TO_BOB, 0,
	  NULL, E_QID },
	{ "queue id a number", "{\"queue_name\": \"deferred\", "
	  "\"queue_id\": 4123, " FROM TO_BOB, 0, NULL, E_QID },
	{ "queue id null", "{\"queue_name\": \"deferred\", "
	  "\"queue_id\": null, " FROM TO_BOB, 0, NULL, E_QID },
	{ "queue id with mailq's active mark", HEAD("active", "4F2D1C0A3B*")
	  FROM TO_BOB, 0, NULL, E_QID },
	{ "queue id with mailq's hold mark", HEAD("hold", "4F2D1C0A3B!")
	  FROM TO_BOB, 0, NULL, E_QID },
	{ "queue id an option", HEAD("deferred", "-f") FROM TO_BOB, 0, NULL,
	  E_QID },
	{ "queue id with a space", HEAD("deferred", "4F2D 1C0A3B") FROM
	  TO_BOB, 0, NULL, E_QID },
	{ "queue id with a semicolon", HEAD("deferred", "A1;reboot") FROM
	  TO_BOB, 0, NULL, E_QID },
	{ "queue id a path", HEAD("deferred", "..\\/A1") FROM TO_BOB, 0,
	  NULL, E_QID },
	{ "queue id with a newline", HEAD("deferred", "A1\\nB2") FROM TO_BOB,
	  0, NULL, E_QID },
	{ "queue id with UTF-8", HEAD("deferred", "A\\u00e91") FROM TO_BOB,
	  0, NULL, E_QID },
	{ "queue id with an underscore", HEAD("deferred", "A_1") FROM TO_BOB,
	  0, NULL, E_QID },

	/* sender */
	{ "sender a number", DEF_ "\"sender\": 0, " TO_BOB, 0, NULL, E_SNDR },
	{ "sender null", DEF_ "\"sender\": null, " TO_BOB, 0, NULL, E_SNDR },
	{ "sender an object", DEF_ "\"sender\": {\"address\": \"a@b\"}, "
	  TO_BOB, 0, NULL, E_SNDR },

	/* recipients */
	{ "no recipients member", DEF_ "\"sender\": \"alice@contoso.test\"}",
	  0, NULL, E_RCPTS },
	{ "recipients null", DEF_ FROM "\"recipients\": null}", 0, NULL,
	  E_RCPTS },
	{ "recipients an object", DEF_ FROM "\"recipients\": " BOB "}", 0,
	  NULL, E_RCPTS },
	{ "recipients a string", DEF_ FROM "\"recipients\": "
	  "\"bob@fabrikam.test\"}", 0, NULL, E_RCPTS },
	{ "recipient a string", DEF_ FROM RCPTS_ "\"bob@fabrikam.test\"]}",
	  0, NULL, E_RCPT(0) },
	{ "recipient without address", DEF_ FROM RCPTS_ "{\"delay_reason\": "
	  "\"" REFUSED "\"}]}", 0, NULL, E_RCPT(0) },
	{ "recipient address a number", DEF_ FROM RCPTS_ "{\"address\": 1}]}",
	  0, NULL, E_RCPT(0) },
	{ "recipient address null", DEF_ FROM RCPTS_ "{\"address\": null}]}",
	  0, NULL, E_RCPT(0) },
	{ "recipient address an array", DEF_ FROM RCPTS_ "{\"address\": "
	  "[\"bob@fabrikam.test\"]}]}", 0, NULL, E_RCPT(0) },
	{ "recipient null", DEF_ FROM RCPTS_ "null]}", 0, NULL, E_RCPT(0) },
	{ "third recipient bad, the others freed", DEF_ FROM RCPTS_ BOB ", "
	  CAROL ", {\"addr\": \"dave@northwind.test\"}]}", 0, NULL,
	  E_RCPT(2) },
};

/* expect - the line gives the message want (msg_text) or the reason why */
static void
expect(const char *in, size_t len, const char *want, const char *why)
{
	struct pq_msg m;
	char err[256], got[4096];
	int rc = parse(in, len, &m, err, sizeof(err));

	if (why != NULL) {
		if (rc != -1 || !text_matches(err, why))
			fail_msg("rc %d, \"%s\"; wanted -1, \"%s\"", rc, err,
			    why);
		assert_cleared(&m);
		return;
	}
	if (rc != 0)
		fail_msg("refused: %s", err);
	msg_text(&m, got, sizeof(got));
	assert_string_equal(got, want);
	pqlist_msg_clear(&m);
	assert_cleared(&m);
	pqlist_msg_clear(&m);		/* clearing twice is fine */
	assert_cleared(&m);
}

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;

	expect(c->in, c->len ? c->len : strlen(c->in), c->want, c->err);
}

/* a line of PQLIST_LINE_MAX bytes passes, with or without its newline */
static void
test_line_limit(void **state)
{
	static const char obj[] = HEAD("deferred", "4F2D1C0A3B") FROM TO_BOB;
	size_t len = PQLIST_LINE_MAX + 2;
	char *buf = malloc(len), why[128];

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', len);
	memcpy(buf, obj, sizeof(obj) - 1);
	buf[PQLIST_LINE_MAX] = '\n';
	expect(buf, PQLIST_LINE_MAX, WANT("deferred", "4F2D1C0A3B"), NULL);
	expect(buf, PQLIST_LINE_MAX + 1, WANT("deferred", "4F2D1C0A3B"),
	    NULL);
	/* one byte more, with or without the newline */
	buf[PQLIST_LINE_MAX] = ' ';
	buf[PQLIST_LINE_MAX + 1] = '\n';
	snprintf(why, sizeof(why), "line of %d bytes (limit %d)",
	    PQLIST_LINE_MAX + 1, PQLIST_LINE_MAX);
	expect(buf, PQLIST_LINE_MAX + 1, NULL, why);
	expect(buf, PQLIST_LINE_MAX + 2, NULL, why);
	free(buf);
}

/* PQLIST_RCPT_MAX recipients pass, one more does not */
static void
test_rcpt_limit(void **state)
{
	static const char head[] = DEF_ FROM RCPTS_;
	size_t n = PQLIST_RCPT_MAX + 1, size = sizeof(head) + n * 40 + 8;
	char *buf = malloc(size), err[256], *p;
	struct pq_msg m;
	size_t len, last;

	(void)state;
	assert_non_null(buf);
	p = buf + snprintf(buf, size, "%s", head);
	last = 0;
	for (size_t i = 0; i < n; i++) {
		last = (size_t)(p - buf);
		p += snprintf(p, size - (size_t)(p - buf),
		    "{\"address\": \"r%zu@fabrikam.test\"},", i);
	}
	memcpy(p - 1, "]}", 3);
	len = (size_t)(p + 1 - buf);
	expect(buf, len, NULL, E_RCPTS);
	/* drop the last one */
	memcpy(buf + last - 1, "]}", 3);
	len = last + 1;
	if (parse(buf, len, &m, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(m.nrcpts, PQLIST_RCPT_MAX);
	assert_string_equal(m.rcpts[0], "r0@fabrikam.test");
	assert_string_equal(m.rcpts[PQLIST_RCPT_MAX - 1],
	    "r9999@fabrikam.test");
	pqlist_msg_clear(&m);
	assert_cleared(&m);
	free(buf);
}

/* what pqlist_split() hands fn, as text, one entry a call */
struct seen {
	char	 calls[16][160];
	size_t	 n;
};

/* seen_fn - record one call: "LINENO ok ID SENDER NRCPTS" or "LINENO
 * bad REASON" */
static void
seen_fn(void *arg, int ok, const struct pq_msg *m, const char *err,
    size_t lineno)
{
	struct seen *s = arg;
	char *out;

	assert_true(s->n < nitems(s->calls));
	out = s->calls[s->n++];
	out[0] = '\0';
	if (ok) {
		assert_int_equal(ok, 1);
		assert_null(err);
		assert_non_null(m);
		tabletest_put(out, sizeof(s->calls[0]), "%zu ok ", lineno);
		msg_text(m, out + strlen(out), sizeof(s->calls[0]) - strlen(out));
	} else {
		assert_null(m);
		assert_non_null(err);
		tabletest_put(out, sizeof(s->calls[0]), "%zu bad %s", lineno,
		    err);
	}
}

/* split - pqlist_split() on an exactly sized copy */
static int
split(const char *in, size_t len, struct seen *s)
{
	char *copy = exact_copy(in, len);
	int rc;

	memset(s, 0, sizeof(*s));
	rc = pqlist_split(copy, len, seen_fn, s);
	free(copy);
	return rc;
}

#define LINE(q, id)	HEAD(q, id) FROM TO_BOB "\n"
#define SEEN(no, q, id)	#no " ok " WANT(q, id)

struct split_case {
	const char	*name;
	const char	*in;
	int		 want_bad;
	const char	*want[8];	/* the calls, in order; NULL ends */
};

static const struct split_case split_cases[] = {
	{ "split: empty", "", 0, { NULL } },
	{ "split: one line", LINE("deferred", "A1"), 0,
	  { SEEN(1, "deferred", "A1"), NULL } },
	{ "split: last line without its newline", LINE("deferred", "A1")
	  HEAD("active", "B2") FROM TO_BOB, 0,
	  { SEEN(1, "deferred", "A1"), SEEN(2, "active", "B2"), NULL } },
	{ "split: one bad line in the middle", LINE("deferred", "A1")
	  LINE("hold", "B2") "postqueue: warning: bad\n"
	  LINE("deferred", "C3") LINE("incoming", "D4"), 1,
	  { SEEN(1, "deferred", "A1"), SEEN(2, "hold", "B2"),
	    "3 bad " E_JSON, SEEN(4, "deferred", "C3"),
	    SEEN(5, "incoming", "D4"), NULL } },
	{ "split: refusals of every kind counted", LINE("deferred", "A1")
	  LINE("deferred", "A1*") "\n" LINE("deferred", "B2") "[]\n"
	  LINE("abcdefghijklmnop", "C3"), 4,
	  { SEEN(1, "deferred", "A1"), "2 bad " E_QID, "3 bad " E_JSON,
	    SEEN(4, "deferred", "B2"), "5 bad " E_OBJ, "6 bad " E_QNAME,
	    NULL } },
	{ "split: newline alone is one empty line", "\n", 1,
	  { "1 bad " E_JSON, NULL } },
	{ "split: CRLF lines", HEAD("deferred", "A1") FROM TO_BOB "\r\n"
	  HEAD("deferred", "B2") FROM TO_BOB "\r\n", 0,
	  { SEEN(1, "deferred", "A1"), SEEN(2, "deferred", "B2"), NULL } },
	{ "split: every line bad", "a\nb\nc", 3,
	  { "1 bad " E_JSON, "2 bad " E_JSON, "3 bad " E_JSON, NULL } },
};

static void
run_split(void **state)
{
	const struct split_case *c = *state;
	struct seen s;
	size_t i;

	assert_int_equal(split(c->in, strlen(c->in), &s), c->want_bad);
	for (i = 0; i < nitems(c->want) && c->want[i] != NULL; i++) {
		if (i >= s.n)
			fail_msg("%zu calls, wanted \"%s\" next", s.n,
			    c->want[i]);
		if (!text_matches(s.calls[i], c->want[i]))
			fail_msg("call %zu: got \"%s\", wanted \"%s\"", i,
			    s.calls[i], c->want[i]);
	}
	assert_int_equal(s.n, i);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_line_limit),
	cmocka_unit_test(test_rcpt_limit),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(parse_cases) + nitems(split_cases) +
	    nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_parse, parse_cases);
	n = ADD_TABLE(tests, n, run_split, split_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_pqlist: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
