/*
 * test_l2s.c - shared/l2s.c: X-LINK2STATE chunk lines.
 *
 * Line rows give the lines a peer sends (each without its line end, in
 * an exactly sized buffer so an over-read shows under SANITIZE=1) and
 * the transcript wanted from the assembler: per line "MORE", "NOOP",
 * "QUIT", "MSG[bytes]" or "ERR[reason]"; an error ends the session, so
 * nothing after it is read. A line "@PREFIX|N|UNIT|SUFFIX" stands for
 * PREFIX, N times UNIT, then SUFFIX (long lines), and "^@" in a line for
 * a NUL byte. Round-trip rows give a message size: l2s_encode() must cut
 * it into the lines wanted, each within the line limit, and the
 * assembler must give the same bytes back.
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

#include "l2s.h"
#include "lsrec.h"

#define MAXLINES	8
#define V		"X-LINK2STATE "
#define A9		"QUFBQUFBQUFB"		/* AAAAAAAAA */
#define A10		"QUFBQUFBQUFBQQ=="	/* 10 times A */
#define A11		"QUFBQUFBQUFBQUE="
#define E_VERB		"ERR[want X-LINK2STATE, NOOP or QUIT]"
#define E_KIND		"ERR[want ONE, FIRST, NEXT or LAST CHUNK=]"
#define E_B64		"ERR[chunk is not whole base64]"
#define E_LONG		"ERR[line over 1000 bytes]"

/* expand - a row's line as bytes (see the top); the caller frees */
static char *
expand(const char *spec, size_t *len)
{
	char *out, *o;
	size_t cap;

	if (spec[0] == '@') {
		char prefix[64], unit[16], suffix[16];
		size_t n;

		prefix[0] = unit[0] = suffix[0] = '\0';
		if (sscanf(spec + 1, "%63[^|]|%zu|%15[^|]|%15[^|]", prefix, &n,
		    unit, suffix) < 3)
			fail_msg("bad line spec \"%s\"", spec);
		cap = strlen(prefix) + n * strlen(unit) + strlen(suffix) + 1;
		out = malloc(cap);
		assert_non_null(out);
		o = stpcpy(out, prefix);
		for (size_t i = 0; i < n; i++)
			o = stpcpy(o, unit);
		o = stpcpy(o, suffix);
		*len = (size_t)(o - out);
		return out;
	}
	out = malloc(strlen(spec) + 1);
	assert_non_null(out);
	o = out;
	for (const char *p = spec; *p != '\0'; p++) {
		if (p[0] == '^' && p[1] == '@') {
			*o++ = '\0';
			p++;
		} else
			*o++ = *p;
	}
	*len = (size_t)(o - out);
	return out;
}

/* put_msg - "MSG[...]": printable bytes as they are, others as \xHH */
static void
put_msg(char *out, size_t size, const char *msg, size_t len)
{
	if (len > 64) {
		tabletest_put(out, size, "MSG[%zu bytes]", len);
		return;
	}
	tabletest_put(out, size, "MSG[");
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)msg[i];

		if (b >= 0x20 && b < 0x7f && b != '\\')
			tabletest_put(out, size, "%c", b);
		else
			tabletest_put(out, size, "\\x%02x", b);
	}
	tabletest_put(out, size, "]");
}

/* feed - one line, from an exactly sized copy, into the transcript */
static enum l2s_result
feed(struct l2s_asm *a, const char *line, size_t len, char *out,
    size_t size)
{
	const char *msg = NULL;
	size_t msglen = 0;
	char err[256] = "", *copy = malloc(len ? len : 1);
	enum l2s_result rc;

	assert_non_null(copy);
	memcpy(copy, line, len);
	rc = l2s_asm_line(a, copy, len, &msg, &msglen, err, sizeof(err));
	if (out[0] != '\0')
		tabletest_put(out, size, " ");
	switch (rc) {
	case L2S_MORE:
		tabletest_put(out, size, "MORE");
		break;
	case L2S_MSG:
		assert_non_null(msg);
		assert_true(msglen <= a->max);
		put_msg(out, size, msg, msglen);
		break;
	case L2S_NOOP:
		tabletest_put(out, size, "NOOP");
		break;
	case L2S_QUIT:
		tabletest_put(out, size, "QUIT");
		break;
	case L2S_ERR:
		assert_true(err[0] != '\0');
		tabletest_put(out, size, "ERR[%s]", err);
		break;
	default:
		fail_msg("l2s_asm_line returned %d", (int)rc);
	}
	free(copy);
	return rc;
}

/* l2s_asm_line */
struct line_case {
	const char	*name;
	size_t		 max;		/* 0: the default */
	const char	*lines[MAXLINES];
	const char	*want;
};

static const struct line_case line_cases[] = {
	/* messages */
	{ "one chunk", 0, { V "ONE CHUNK=aGk=" }, "MSG[hi]" },
	{ "one chunk of JSON", 0, { V "ONE CHUNK=eyJtIjoiZG9uZSJ9" },
	  "MSG[{\"m\":\"done\"}]" },
	{ "one chunk, one byte", 0, { V "ONE CHUNK=QQ==" }, "MSG[A]" },
	{ "one chunk, binary bytes", 0, { V "ONE CHUNK=AP8=" },
	  "MSG[\\x00\\xff]" },
	{ "first and last", 0, { V "FIRST CHUNK=QUFB", V "LAST CHUNK=aGk=" },
	  "MORE MSG[AAAhi]" },
	{ "first, next, next, last", 0, { V "FIRST CHUNK=QUFB",
	  V "NEXT CHUNK=QUJD", V "NEXT CHUNK=REVG", V "LAST CHUNK=R0hJ" },
	  "MORE MORE MORE MSG[AAAABCDEFGHI]" },
	{ "padding in every chunk", 0, { V "FIRST CHUNK=QQ==",
	  V "NEXT CHUNK=QUE=", V "LAST CHUNK=QQ==" }, "MORE MORE MSG[AAAA]" },
	{ "verb in lower case", 0, { "x-link2state one chunk=aGk=" },
	  "MSG[hi]" },
	{ "verb in mixed case", 0, { "X-Link2State First Chunk=QUFB",
	  "x-LINK2STATE nExT cHuNk=QUFB", "X-LINK2STATE last CHUNK=QQ==" },
	  "MORE MORE MSG[AAAAAAA]" },
	{ "two messages in a row", 0, { V "ONE CHUNK=aGk=",
	  V "ONE CHUNK=QQ==" }, "MSG[hi] MSG[A]" },
	{ "a message after a long one starts empty", 0,
	  { V "FIRST CHUNK=QUFB", V "LAST CHUNK=QUFB", V "ONE CHUNK=aGk=",
	  V "FIRST CHUNK=QQ==", V "LAST CHUNK=aGk=" },
	  "MORE MSG[AAAAAA] MSG[hi] MORE MSG[Ahi]" },

	/* NOOP and QUIT */
	{ "NOOP", 0, { "NOOP", "noop", "NoOp" }, "NOOP NOOP NOOP" },
	{ "QUIT", 0, { "QUIT", "quit", "qUiT" }, "QUIT QUIT QUIT" },
	{ "NOOP inside a message", 0, { V "FIRST CHUNK=QUFB", "NOOP",
	  V "LAST CHUNK=QQ==" }, "MORE NOOP MSG[AAAA]" },
	{ "QUIT inside a message", 0, { V "FIRST CHUNK=QUFB", "QUIT" },
	  "MORE QUIT" },
	{ "NOOP with a space after", 0, { "NOOP " }, E_VERB },
	{ "NOOP with a space before", 0, { " NOOP" }, E_VERB },
	{ "NOOP with an argument", 0, { "NOOP x" }, E_VERB },
	{ "QUIT with a CR left on", 0, { "QUIT\r" }, E_VERB },
	{ "NOOP then QUIT on one line", 0, { "NOOPQUIT" }, E_VERB },
	{ "NOO", 0, { "NOO" }, E_VERB },

	/* chunks out of order */
	{ "NEXT with nothing open", 0, { V "NEXT CHUNK=QUFB" },
	  "ERR[NEXT CHUNK with no message open]" },
	{ "LAST with nothing open", 0, { V "LAST CHUNK=QUFB" },
	  "ERR[LAST CHUNK with no message open]" },
	{ "NEXT after a whole message", 0, { V "ONE CHUNK=aGk=",
	  V "NEXT CHUNK=QUFB" }, "MSG[hi] ERR[NEXT CHUNK with no message "
	  "open]" },
	{ "LAST twice", 0, { V "FIRST CHUNK=QUFB", V "LAST CHUNK=QUFB",
	  V "LAST CHUNK=QUFB" }, "MORE MSG[AAAAAA] ERR[LAST CHUNK with no "
	  "message open]" },
	{ "FIRST inside an open message", 0, { V "FIRST CHUNK=QUFB",
	  V "FIRST CHUNK=QUFB" },
	  "MORE ERR[FIRST CHUNK inside an open message]" },
	{ "ONE inside an open message", 0, { V "FIRST CHUNK=QUFB",
	  V "NEXT CHUNK=QUFB", V "ONE CHUNK=aGk=" },
	  "MORE MORE ERR[ONE CHUNK inside an open message]" },
	{ "nothing read after an error", 0, { V "NEXT CHUNK=QUFB",
	  V "ONE CHUNK=aGk=" }, "ERR[NEXT CHUNK with no message open]" },

	/* not a chunk line */
	{ "empty line", 0, { "" }, E_VERB },
	{ "an SMTP command", 0, { "EHLO lon-bh1" }, E_VERB },
	{ "verb alone", 0, { "X-LINK2STATE" }, E_VERB },
	{ "verb and a space", 0, { V }, E_KIND },
	{ "verb then a tab", 0, { "X-LINK2STATE\tONE CHUNK=aGk=" }, E_VERB },
	{ "verb with a space before", 0, { " " V "ONE CHUNK=aGk=" }, E_VERB },
	{ "verb misspelt", 0, { "X-LINK2STAT ONE CHUNK=aGk=" }, E_VERB },
	{ "verb with a suffix", 0, { "X-LINK2STATES ONE CHUNK=aGk=" },
	  E_VERB },
	{ "no chunk word", 0, { V "CHUNK=aGk=" }, E_KIND },
	{ "unknown chunk word", 0, { V "TWO CHUNK=aGk=" }, E_KIND },
	{ "chunk word without CHUNK=", 0, { V "ONE" }, E_KIND },
	{ "CHUNK without =", 0, { V "ONE CHUNK aGk=" }, E_KIND },
	{ "CHUNKS=", 0, { V "ONE CHUNKS=aGk=" }, E_KIND },
	{ "two spaces after the verb", 0, { V " ONE CHUNK=aGk=" }, E_KIND },
	{ "two spaces before CHUNK", 0, { V "ONE  CHUNK=aGk=" }, E_KIND },
	{ "no space before CHUNK", 0, { V "ONECHUNK=aGk=" }, E_KIND },
	{ "empty chunk", 0, { V "ONE CHUNK=" }, E_KIND },
	{ "empty last chunk", 0, { V "FIRST CHUNK=QUFB", V "LAST CHUNK=" },
	  "MORE " E_KIND },

	/* bad base64 */
	{ "base64 of 1", 0, { V "ONE CHUNK=a" }, E_B64 },
	{ "base64 of 2", 0, { V "ONE CHUNK=aG" }, E_B64 },
	{ "base64 of 3", 0, { V "ONE CHUNK=aGk" }, E_B64 },
	{ "base64 of 5", 0, { V "ONE CHUNK=aGk=a" }, E_B64 },
	{ "base64 of 7", 0, { V "ONE CHUNK=QUFBQUF" }, E_B64 },
	{ "base64 with a bang", 0, { V "ONE CHUNK=aG!k" }, E_B64 },
	{ "base64 with a space", 0, { V "ONE CHUNK=aG k" }, E_B64 },
	{ "base64 with a space after", 0, { V "ONE CHUNK=aGk= " }, E_B64 },
	{ "base64 with a space before", 0, { V "ONE CHUNK= aGk=" }, E_B64 },
	{ "base64 with a space in four", 0, { V "ONE CHUNK=QUF " }, E_B64 },
	{ "base64 with a tab", 0, { V "ONE CHUNK=aG\tk" }, E_B64 },
	{ "base64 with a CR left on", 0, { V "ONE CHUNK=QUF\r" }, E_B64 },
	{ "base64 of the URL alphabet", 0, { V "ONE CHUNK=aG-_" }, E_B64 },
	{ "base64 with an 8-bit byte", 0, { V "ONE CHUNK=\xff" "Gk=" },
	  E_B64 },
	{ "base64 with = in the middle", 0, { V "ONE CHUNK=aG=k" }, E_B64 },
	{ "base64 with = first", 0, { V "ONE CHUNK==aGk" }, E_B64 },
	{ "base64 with = second", 0, { V "ONE CHUNK=a=Gk" }, E_B64 },
	{ "base64 with = then a letter", 0, { V "ONE CHUNK=QQ=A" }, E_B64 },
	{ "base64 of three =", 0, { V "ONE CHUNK=a===" }, E_B64 },
	{ "base64 of four =", 0, { V "ONE CHUNK=====" }, E_B64 },
	{ "base64 with padding inside the chunk", 0,
	  { V "ONE CHUNK=aGk=aGk=" }, E_B64 },
	{ "base64 with padding at the end of the first four", 0,
	  { V "ONE CHUNK=QQ==QUFB" }, E_B64 },
	{ "bad base64 in a later chunk", 0, { V "FIRST CHUNK=QUFB",
	  V "NEXT CHUNK=QUFB", V "LAST CHUNK=QU!B" }, "MORE MORE " E_B64 },
	{ "bad base64 in the first chunk", 0, { V "FIRST CHUNK=QUF" },
	  E_B64 },

	/* NUL and line length */
	{ "NUL at the end", 0, { V "ONE CHUNK=aGk=^@" }, "ERR[NUL in line]" },
	{ "NUL in base64", 0, { V "ONE CHUNK=aG^@k" }, "ERR[NUL in line]" },
	{ "NUL in NOOP", 0, { "NO^@P" }, "ERR[NUL in line]" },
	{ "NUL alone", 0, { "^@" }, "ERR[NUL in line]" },
	{ "longest whole chunk line (995 bytes)", 0,
	  { "@" V "ONE CHUNK=|243|QUFB" }, "MSG[729 bytes]" },
	{ "line of 998 bytes is read", 0, { "@" V "ONE CHUNK=|243|QUFB|QUF" },
	  E_B64 },
	{ "line of 999 bytes, 1001 with CRLF", 0,
	  { "@" V "ONE CHUNK=|244|QUFB" }, E_LONG },
	{ "line of 1000 bytes", 0, { "@" V "ONE CHUNK=|244|QUFB|Q" }, E_LONG },
	{ "line of 5000 bytes", 0, { "@" V "ONE CHUNK=|1244|QUFB|QUF" },
	  E_LONG },
	{ "long line in an open message", 0, { V "FIRST CHUNK=QUFB",
	  "@" V "NEXT CHUNK=|244|QUFB" }, "MORE " E_LONG },
	{ "long NOOP", 0, { "@NOOP|995| " }, E_LONG },

	/* the message limit */
	{ "limit: one chunk at the limit", 10, { V "ONE CHUNK=" A10 },
	  "MSG[AAAAAAAAAA]" },
	{ "limit: one chunk one over", 10, { V "ONE CHUNK=" A11 },
	  "ERR[message over 10 bytes]" },
	{ "limit: padding counted out", 11, { V "ONE CHUNK=" A11 },
	  "MSG[AAAAAAAAAAA]" },
	{ "limit: chunks up to the limit", 10, { V "FIRST CHUNK=" A9,
	  V "LAST CHUNK=QQ==" }, "MORE MSG[AAAAAAAAAA]" },
	{ "limit: last chunk over", 10, { V "FIRST CHUNK=" A9,
	  V "LAST CHUNK=QUE=" }, "MORE ERR[message over 10 bytes]" },
	{ "limit: next chunk over", 10, { V "FIRST CHUNK=" A9,
	  V "NEXT CHUNK=QQ==", V "NEXT CHUNK=QQ==" },
	  "MORE MORE ERR[message over 10 bytes]" },
	{ "limit: first chunk over", 8, { V "FIRST CHUNK=" A9 },
	  "ERR[message over 8 bytes]" },
	{ "limit: per message, not per session", 10, { V "ONE CHUNK=" A10,
	  V "FIRST CHUNK=" A9, V "LAST CHUNK=QQ==", V "ONE CHUNK=" A10 },
	  "MSG[AAAAAAAAAA] MORE MSG[AAAAAAAAAA] MSG[AAAAAAAAAA]" },
	{ "limit: one byte", 1, { V "ONE CHUNK=QQ==", V "ONE CHUNK=QUE=" },
	  "MSG[A] ERR[message over 1 bytes]" },
};

static void
run_line(void **state)
{
	const struct line_case *c = *state;
	struct l2s_asm a;
	char got[4096] = "";

	l2s_asm_init(&a);
	assert_true(a.max == LSMSG_MAX_BYTES && a.open == 0 && a.len == 0);
	if (c->max != 0)
		a.max = c->max;
	for (size_t i = 0; i < MAXLINES && c->lines[i] != NULL; i++) {
		size_t len;
		char *line = expand(c->lines[i], &len);
		enum l2s_result rc = feed(&a, line, len, got, sizeof(got));

		free(line);
		if (rc == L2S_ERR)
			break;
	}
	assert_string_equal(got, c->want);
	l2s_asm_free(&a);
	assert_null(a.buf);
}

/* l2s_encode, then the assembler */
struct trip_case {
	const char	*name;
	size_t		 size;
	size_t		 nlines;
};

static const struct trip_case trip_cases[] = {
	{ "round trip: 1 byte", 1, 1 },
	{ "round trip: 2 bytes", 2, 1 },
	{ "round trip: 3 bytes", 3, 1 },
	{ "round trip: 719 bytes", 719, 1 },
	{ "round trip: 720 bytes, one whole chunk", 720, 1 },
	{ "round trip: 721 bytes", 721, 2 },
	{ "round trip: 722 bytes", 722, 2 },
	{ "round trip: 1439 bytes", 1439, 2 },
	{ "round trip: 1440 bytes, two whole chunks", 1440, 2 },
	{ "round trip: 1441 bytes", 1441, 3 },
	{ "round trip: 10000 bytes", 10000, 14 },
	{ "round trip: 100000 bytes", 100000, 139 },
	{ "round trip: the message limit", LSMSG_MAX_BYTES,
	  LSMSG_MAX_BYTES / L2S_CHUNK_RAW + 1 },
};

/* check_line - one encoded line: its form, and the word at its place */
static void
check_line(const char *line, size_t len, size_t i, size_t n)
{
	const char *word = n == 1 ? "ONE" : i == 0 ? "FIRST" : i + 1 == n ?
	    "LAST" : "NEXT";
	char head[64];
	size_t hlen, b64;

	snprintf(head, sizeof(head), V "%s CHUNK=", word);
	hlen = strlen(head);
	if (len + 2 > L2S_LINE_MAX)
		fail_msg("line %zu: %zu bytes with CRLF", i, len + 2);
	if (len < hlen || memcmp(line, head, hlen) != 0)
		fail_msg("line %zu: does not start \"%s\"", i, head);
	b64 = len - hlen;
	assert_true(b64 > 0 && b64 % 4 == 0);
	assert_true(b64 <= L2S_CHUNK_RAW / 3 * 4);
	assert_true(strspn(line + hlen, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") >= b64);
	/* only the last chunk is short */
	if (i + 1 < n)
		assert_true(b64 == L2S_CHUNK_RAW / 3 * 4);
}

static void
run_trip(void **state)
{
	const struct trip_case *c = *state;
	char *msg = malloc(c->size), *text, got[64] = "";
	const char *p, *end, *out = NULL;
	size_t len, n = 0, outlen = 0;
	struct l2s_asm a;
	enum l2s_result rc = L2S_ERR;

	assert_non_null(msg);
	for (size_t i = 0; i < c->size; i++)
		msg[i] = (char)(i * 131 + c->size);
	text = l2s_encode(msg, c->size, &len);
	assert_non_null(text);
	assert_true(len == strlen(text));
	assert_true(len >= 2 && memcmp(text + len - 2, "\r\n", 2) == 0);

	l2s_asm_init(&a);
	for (int pass = 0; pass < 2; pass++) {	/* the assembler reused */
		n = 0;
		for (p = text, end = text + len; p < end; p = p + 2) {
			const char *eol = memchr(p, '\r', (size_t)(end - p));

			assert_non_null(eol);
			assert_true(eol[1] == '\n');
			assert_null(memchr(p, '\n', (size_t)(eol - p)));
			size_t ll = (size_t)(eol - p);
			char *line = malloc(ll);

			check_line(p, ll, n, c->nlines);
			assert_true(n < c->nlines);
			assert_non_null(line);
			memcpy(line, p, ll);	/* exactly sized */
			got[0] = '\0';
			rc = l2s_asm_line(&a, line, ll, &out, &outlen, got,
			    sizeof(got));
			free(line);
			if (rc != (n + 1 == c->nlines ? L2S_MSG : L2S_MORE))
				fail_msg("line %zu: %d %s", n, (int)rc, got);
			n++;
			p = eol;
		}
		assert_true(n == c->nlines);
		assert_int_equal(rc, L2S_MSG);
		assert_true(outlen == c->size);
		assert_memory_equal(out, msg, c->size);
	}
	l2s_asm_free(&a);
	free(text);
	free(msg);
}

/* l2s_encode: the bytes of small messages */
static void
test_encode_text(void **state)
{
	char *text;
	size_t len;

	(void)state;
	text = l2s_encode("hi", 2, &len);
	assert_string_equal(text, V "ONE CHUNK=aGk=\r\n");
	assert_true(len == strlen(text));
	free(text);
	text = l2s_encode("{\"m\":\"done\"}", 12, &len);
	assert_string_equal(text, V "ONE CHUNK=eyJtIjoiZG9uZSJ9\r\n");
	free(text);
}

/* a message one byte over LSMSG_MAX_BYTES is refused at its last chunk */
static void
test_default_limit(void **state)
{
	size_t size = LSMSG_MAX_BYTES + 1, len, n = 0, outlen;
	char *msg = calloc(1, size), *text, err[128];
	const char *p, *end, *out;
	struct l2s_asm a;
	enum l2s_result rc = L2S_MORE;

	(void)state;
	assert_non_null(msg);
	text = l2s_encode(msg, size, &len);
	l2s_asm_init(&a);
	for (p = text, end = text + len; p < end && rc == L2S_MORE; n++) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));

		rc = l2s_asm_line(&a, p, (size_t)(eol - p), &out, &outlen,
		    err, sizeof(err));
		p = eol + 2;
	}
	assert_int_equal(rc, L2S_ERR);
	assert_true(p == end);		/* at the last line, not before */
	assert_true(n == size / L2S_CHUNK_RAW + 1);
	assert_string_equal(err, "message over 6291456 bytes");
	l2s_asm_free(&a);
	free(text);
	free(msg);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_encode_text),
	cmocka_unit_test(test_default_limit),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(line_cases) + nitems(trip_cases) +
	    nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_line, line_cases);
	n = ADD_TABLE(tests, n, run_trip, trip_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_l2s: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
