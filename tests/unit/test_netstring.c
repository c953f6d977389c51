/*
 * test_netstring.c - shared/netstring.c: netstring framing as the
 * socketmap table speaks it, and shared/socketmap_req.c: the "NAME KEY"
 * request inside.
 *
 * netstring_parse() rows give an input stream and the transcript wanted
 * from reading it: "OK[payload] " per netstring, then "ERR[reason]" if
 * the stream goes bad or "MORE" if it ends inside a netstring. Every row
 * is read whole, split in two at every byte position, and one byte at a
 * time; the transcript must not change. Each read hands the parser an
 * exactly sized copy of the unread bytes, so an over-read is caught
 * under SANITIZE=1. Rows whose first netstring is bad also give the
 * length of the shortest prefix that is already an error: every shorter
 * prefix must be MORE (a bad prefix is judged as soon as it is bad).
 *
 * socketmap_request_parse() rows give a payload and the name and key
 * wanted, or the exact error; netstring_format() rows the bytes wanted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "netstring.h"
#include "socketmap_req.h"

#define SM		NETSTRING_SOCKETMAP_MAX
#define TRANSCRIPT	4096

/* esc - append n bytes to a transcript, non-printables as \xHH */
static void
esc(char *out, size_t size, const char *s, size_t n)
{
	size_t o = strlen(out);

	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\' || c == ']')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* cat - append text to a transcript */
static void
cat(char *out, size_t size, const char *s)
{
	size_t o = strlen(out), n = strlen(s);

	assert_true(o + n < size);
	memcpy(out + o, s, n + 1);
}

/*
 * ns_parse - netstring_parse() on an exactly sized copy; outputs that
 * the result does not define must be left alone
 */
static enum netstring_result
ns_parse(const char *buf, size_t len, size_t max, char *out, size_t size,
    size_t *consumed)
{
	const char *payload = (const char *)1, *err = (const char *)1;
	size_t plen = 7, used = 7;
	char *copy = malloc(len ? len : 1);
	enum netstring_result rc;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	rc = netstring_parse(copy, len, max, &payload, &plen, &used, &err);
	switch (rc) {
	case NETSTRING_OK:
		assert_ptr_equal(err, (const char *)1);
		assert_true(used >= 3 && used <= len);
		assert_true(plen <= max && plen == used - (size_t)(payload -
		    copy) - 1);
		cat(out, size, "OK[");
		esc(out, size, payload, plen);
		cat(out, size, "] ");
		*consumed = used;
		break;
	case NETSTRING_MORE:
		assert_ptr_equal(payload, (const char *)1);
		assert_ptr_equal(err, (const char *)1);
		assert_true(plen == 7 && used == 7);
		break;
	case NETSTRING_ERR:
		assert_ptr_equal(payload, (const char *)1);
		assert_true(plen == 7 && used == 7);
		assert_non_null(err);
		cat(out, size, "ERR[");
		cat(out, size, err);
		cat(out, size, "]");
		break;
	default:
		fail_msg("netstring_parse returned %d", (int)rc);
	}
	free(copy);
	return rc;
}

/*
 * ns_stream - read a stream that arrives in pieces ending at cuts[]
 * (the last cut is len) into a transcript
 */
static void
ns_stream(const char *in, size_t len, size_t max, const size_t *cuts,
    size_t ncuts, char *out, size_t size)
{
	size_t start = 0, used;

	out[0] = '\0';
	for (size_t c = 0; c < ncuts; c++) {
		for (;;) {
			enum netstring_result rc;

			rc = ns_parse(in + start, cuts[c] - start, max, out,
			    size, &used);
			if (rc == NETSTRING_ERR)
				return;
			if (rc == NETSTRING_MORE)
				break;
			start += used;
		}
	}
	if (start < len)
		cat(out, size, "MORE");
}

struct parse_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	size_t		 max;
	const char	*want;		/* transcript */
	size_t		 errat;		/* shortest bad prefix, or 0 */
};

#define LEN(s)		(sizeof(s) - 1)
#define U64MAX		"18446744073709551615"

static const struct parse_case parse_cases[] = {
	{ "good", "5:hello,", 0, SM, "OK[hello] ", 0 },
	{ "good: empty payload", "0:,", 0, SM, "OK[] ", 0 },
	{ "good: socketmap request",
	  "26:transport user@example.com,", 0, SM,
	  "OK[transport user@example.com] ", 0 },
	{ "good: socketmap reply",
	  "33:OK smtp:[10.0.0.1]:25, [10.0.0.2],", 0, SM,
	  "OK[OK smtp:[10.0.0.1\\x5d:25, [10.0.0.2\\x5d] ", 0 },
	{ "good: NOTFOUND reply", "9:NOTFOUND ,", 0, SM, "OK[NOTFOUND ] ", 0 },
	{ "good: framing bytes and NUL in payload", "6:a,:\0b,,", 9, SM,
	  "OK[a,:\\x00b,] ", 0 },
	{ "good: two-digit length", "10:0123456789,", 0, SM,
	  "OK[0123456789] ", 0 },
	{ "good: payload exactly at max", "5:hello,", 0, 5, "OK[hello] ", 0 },
	{ "good: max 0 and empty payload", "0:,", 0, 0, "OK[] ", 0 },
	{ "good: largest max", "5:hello,", 0, SIZE_MAX, "OK[hello] ", 0 },
	{ "pipelined", "3:abc,0:,5:hello,", 0, SM, "OK[abc] OK[] OK[hello] ",
	  0 },
	{ "pipelined: socketmap requests",
	  "11:transport *,26:transport user@example.com,", 0, SM,
	  "OK[transport *] OK[transport user@example.com] ", 0 },
	{ "empty input", "", 0, SM, "", 0 },
	{ "truncated: digits only", "12", 0, SM, "MORE", 0 },
	{ "truncated: after colon", "5:", 0, SM, "MORE", 0 },
	{ "truncated: in payload", "5:hel", 0, SM, "MORE", 0 },
	{ "truncated: before comma", "5:hello", 0, SM, "MORE", 0 },
	{ "truncated: after a good one", "5:hello,3:ab", 0, SM,
	  "OK[hello] MORE", 0 },
	{ "truncated: length at the limit of size_t", U64MAX ":", 0,
	  SIZE_MAX, "MORE", 0 },
	{ "missing comma", "5:hello!", 0, SM,
	  "ERR[missing ',' after payload]", 8 },
	{ "missing comma: payload longer than length", "3:hello,", 0, SM,
	  "ERR[missing ',' after payload]", 6 },
	{ "missing comma: after a good one", "5:hello,5:hello!", 0, SM,
	  "OK[hello] ERR[missing ',' after payload]", 0 },
	{ "missing comma: newline instead", "5:hello\n", 0, SM,
	  "ERR[missing ',' after payload]", 8 },
	{ "missing colon", "5hello,", 0, SM, "ERR[missing ':' after length]",
	  2 },
	{ "missing colon: space", "5 :hello,", 0, SM,
	  "ERR[missing ':' after length]", 2 },
	{ "missing colon: comma", "5,hello,", 0, SM,
	  "ERR[missing ':' after length]", 2 },
	{ "missing colon: digits then letter", "12a", 0, SM,
	  "ERR[missing ':' after length]", 3 },
	{ "missing length", ":hello,", 0, SM, "ERR[missing length]", 1 },
	{ "missing length: comma only", ",", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "leading non-digit", "x5:hello,", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "leading space", " 5:hello,", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "negative length", "-5:hello,", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "plus sign", "+5:hello,", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "8-bit first byte", "\xff" "5:hello,", 0, SM,
	  "ERR[length does not start with a digit]", 1 },
	{ "leading zero", "05:hello,", 0, SM, "ERR[length has a leading zero]",
	  2 },
	{ "leading zero: zero length", "00:,", 0, SM,
	  "ERR[length has a leading zero]", 2 },
	{ "overflow", "99999999999999999999999:", 0, SM,
	  "ERR[length larger than the limit]", 6 },
	{ "overflow: largest max", "99999999999999999999999:", 0, SIZE_MAX,
	  "ERR[length larger than the limit]", 20 },
	{ "overflow: size_t plus one", "18446744073709551616:", 0, SIZE_MAX,
	  "ERR[length larger than the limit]", 20 },
	{ "oversized: socketmap limit plus one", "100001:", 0, SM,
	  "ERR[length larger than the limit]", 6 },
	{ "oversized: seven digits", "1000000:", 0, SM,
	  "ERR[length larger than the limit]", 7 },
	{ "oversized: small max", "6:hello!,", 0, 5,
	  "ERR[length larger than the limit]", 1 },
	{ "oversized: max 0", "1:a,", 0, 0,
	  "ERR[length larger than the limit]", 1 },
	{ "oversized: after a good one", "0:,200000:", 0, SM,
	  "OK[] ERR[length larger than the limit]", 0 },
};

/* stream_len - a row's input size */
static size_t
stream_len(const struct parse_case *c)
{
	return c->len ? c->len : strlen(c->in);
}

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	size_t len = stream_len(c), cuts[2], *each;
	char got[TRANSCRIPT];

	/* whole */
	cuts[0] = len;
	ns_stream(c->in, len, c->max, cuts, 1, got, sizeof(got));
	assert_string_equal(got, c->want);

	/* in two pieces, cut at every position */
	for (size_t k = 0; k <= len; k++) {
		cuts[0] = k;
		cuts[1] = len;
		ns_stream(c->in, len, c->max, cuts, 2, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fail_msg("cut at %zu: got \"%s\"", k, got);
	}

	/* a byte at a time */
	each = calloc(len + 1, sizeof(*each));
	assert_non_null(each);
	for (size_t k = 0; k <= len; k++)
		each[k] = k;
	ns_stream(c->in, len, c->max, each, len + 1, got, sizeof(got));
	assert_string_equal(got, c->want);
	free(each);

	/* judged bad at the first bad byte, not later */
	if (c->errat != 0) {
		for (size_t k = 0; k <= len; k++) {
			size_t used;
			enum netstring_result rc;

			got[0] = '\0';
			rc = ns_parse(c->in, k, c->max, got, sizeof(got),
			    &used);
			if (k < c->errat)
				assert_int_equal(rc, NETSTRING_MORE);
			else
				assert_int_equal(rc, NETSTRING_ERR);
		}
	}
}

/* the socketmap limit itself: 100000 bytes pass, every prefix is MORE */
static void
test_parse_socketmap_limit(void **state)
{
	size_t len = 7 + SM + 1, plen, used;
	const char *payload, *err;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "100000:", 7);
	memset(buf + 7, 'a', SM);
	buf[len - 1] = ',';
	for (size_t k = 0; k < len; k++)
		assert_int_equal(netstring_parse(buf, k, SM, &payload, &plen,
		    &used, &err), NETSTRING_MORE);
	assert_int_equal(netstring_parse(buf, len, SM, &payload, &plen, &used,
	    &err), NETSTRING_OK);
	assert_ptr_equal(payload, buf + 7);
	assert_true(plen == SM && used == len);
	buf[len - 1] = 'a';
	assert_int_equal(netstring_parse(buf, len, SM, &payload, &plen, &used,
	    &err), NETSTRING_ERR);
	assert_string_equal(err, "missing ',' after payload");
	assert_int_equal(netstring_parse(buf, len, SM - 1, &payload, &plen,
	    &used, &err), NETSTRING_ERR);
	assert_string_equal(err, "length larger than the limit");
	free(buf);
}

/* netstring_format */
struct format_case {
	const char	*name;
	const char	*payload;
	size_t		 plen;
	size_t		 outlen;
	const char	*want;		/* NULL: 0 returned */
	size_t		 wantlen;
};

static const struct format_case format_cases[] = {
	{ "format: hello", "hello", 5, 64, "5:hello,", 8 },
	{ "format: empty", "", 0, 64, "0:,", 3 },
	{ "format: empty, no payload pointer", NULL, 0, 3, "0:,", 3 },
	{ "format: NOTFOUND", "NOTFOUND ", 9, 64, "9:NOTFOUND ,", 12 },
	{ "format: two digits", "0123456789", 10, 64, "10:0123456789,", 14 },
	{ "format: NUL and framing bytes", "a\0,:", 4, 64, "4:a\0,:,", 7 },
	{ "format: exact fit", "hello", 5, 8, "5:hello,", 8 },
	{ "format: one byte short", "hello", 5, 7, NULL, 0 },
	{ "format: empty, one byte short", "", 0, 2, NULL, 0 },
	{ "format: no room at all", "hello", 5, 0, NULL, 0 },
	{ "format: digits only fit", "0123456789", 10, 3, NULL, 0 },
	{ "format: size would wrap", NULL, SIZE_MAX - 2, SIZE_MAX, NULL, 0 },
	{ "format: size just wraps", NULL, SIZE_MAX - 21, SIZE_MAX, NULL, 0 },
	{ "format: largest size, small buffer", NULL, SIZE_MAX - 22, 64, NULL,
	  0 },
};

static void
run_format(void **state)
{
	const struct format_case *c = *state;
	char out[64];
	size_t n, plen, used;
	const char *payload, *err;

	memset(out, '#', sizeof(out));
	n = netstring_format(out, c->outlen, c->payload, c->plen);
	if (c->want == NULL) {
		assert_true(n == 0);
		return;
	}
	assert_true(n == c->wantlen);
	assert_memory_equal(out, c->want, n);
	assert_true(n == sizeof(out) || out[n] == '#');	/* nothing after */
	/* and it reads back */
	assert_int_equal(netstring_parse(out, n, SM, &payload, &plen, &used,
	    &err), NETSTRING_OK);
	assert_true(plen == c->plen && used == n);
	if (plen > 0)
		assert_memory_equal(payload, c->payload, plen);
}

/* format then parse, for lengths around each power of ten */
static void
test_format_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999,
	    1000, 9999, 10000, 99999, SM };
	size_t size = SM + 16, plen, used;
	char *in = malloc(SM), *out = malloc(size);
	const char *payload, *err;

	(void)state;
	assert_non_null(in);
	assert_non_null(out);
	for (size_t i = 0; i < SM; i++)
		in[i] = (char)(i * 7 + 3);
	for (size_t i = 0; i < nitems(lens); i++) {
		size_t n = netstring_format(out, size, in, lens[i]);
		char digits[16];

		snprintf(digits, sizeof(digits), "%zu:", lens[i]);
		assert_true(n == strlen(digits) + lens[i] + 1);
		assert_memory_equal(out, digits, strlen(digits));
		assert_true(netstring_format(out, n - 1, in, lens[i]) == 0);
		assert_int_equal(netstring_parse(out, n, SM, &payload, &plen,
		    &used, &err), NETSTRING_OK);
		assert_true(plen == lens[i] && used == n);
		assert_memory_equal(payload, in, plen);
	}
	free(in);
	free(out);
}

/* socketmap_request_parse */
struct req_case {
	const char	*name;
	const char	*payload;
	size_t		 len;		/* 0: strlen(payload) */
	const char	*want_name;	/* when err is NULL */
	const char	*want_key;
	const char	*err;
};

static const struct req_case req_cases[] = {
	{ "request: address", "transport user@example.com", 0, "transport",
	  "user@example.com", NULL },
	{ "request: as written", "transport Mixed.Case+ext@B.Test", 0,
	  "transport", "Mixed.Case+ext@B.Test", NULL },
	{ "request: start-up probe", "transport *", 0, "transport", "*",
	  NULL },
	{ "request: domain only", "transport b.test", 0, "transport",
	  "b.test", NULL },
	{ "request: null sender", "transport <>", 0, "transport", "<>", NULL },
	{ "request: name of every allowed byte",
	  "AZaz09_.-lsa_route-v1.2 a@b", 0, "AZaz09_.-lsa_route-v1.2", "a@b",
	  NULL },
	{ "request: one-byte name and key", "t k", 0, "t", "k", NULL },
	{ "request: space in key", "transport \"john doe\"@example.com", 0,
	  "transport", "\"john doe\"@example.com", NULL },
	{ "request: key starting with a space", "transport  a@b", 0,
	  "transport", " a@b", NULL },
	{ "request: key of one space", "transport  ", 0, "transport", " ",
	  NULL },
	{ "request: UTF-8 two bytes",
	  "transport j\xc3\xb6rg@ex\xc3\xa4mple.de", 0, "transport",
	  "j\xc3\xb6rg@ex\xc3\xa4mple.de", NULL },
	{ "request: UTF-8 three bytes",
	  "transport \xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.test",
	  0, "transport",
	  "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.test", NULL },
	{ "request: UTF-8 four bytes", "transport \xf0\x9f\x98\x80@x.test", 0,
	  "transport", "\xf0\x9f\x98\x80@x.test", NULL },
	{ "request: U+00A0, first past C1", "transport a\xc2\xa0" "b", 0,
	  "transport", "a\xc2\xa0" "b", NULL },
	{ "request: U+0800", "transport \xe0\xa0\x80", 0, "transport",
	  "\xe0\xa0\x80", NULL },
	{ "request: U+D7FF, last before surrogates", "transport \xed\x9f\xbf",
	  0, "transport", "\xed\x9f\xbf", NULL },
	{ "request: U+E000, first after surrogates", "transport \xee\x80\x80",
	  0, "transport", "\xee\x80\x80", NULL },
	{ "request: U+FFFF", "transport \xef\xbf\xbf", 0, "transport",
	  "\xef\xbf\xbf", NULL },
	{ "request: U+10000", "transport \xf0\x90\x80\x80", 0, "transport",
	  "\xf0\x90\x80\x80", NULL },
	{ "request: U+10FFFF, last", "transport \xf4\x8f\xbf\xbf", 0,
	  "transport", "\xf4\x8f\xbf\xbf", NULL },
	{ "request: tilde, last printable ASCII", "transport ~", 0,
	  "transport", "~", NULL },
	{ "request: empty", "", 0, NULL, NULL, "empty name" },
	{ "request: no name", " a@b", 0, NULL, NULL, "empty name" },
	{ "request: name only", "transport", 0, NULL, NULL, "missing key" },
	{ "request: empty key", "transport ", 0, NULL, NULL, "empty key" },
	{ "request: slash in name", "trans/port a@b", 0, NULL, NULL,
	  "invalid name" },
	{ "request: colon in name", "socketmap:transport a@b", 0, NULL, NULL,
	  "invalid name" },
	{ "request: tab after name", "transport\ta@b", 0, NULL, NULL,
	  "invalid name" },
	{ "request: NUL in name", "trans\0port a@b", 15, NULL, NULL,
	  "invalid name" },
	{ "request: 8-bit name", "tr\xc3\xa4nsport a@b", 0, NULL, NULL,
	  "invalid name" },
	{ "request: NUL in key", "transport a\0b", 13, NULL, NULL,
	  "invalid key" },
	{ "request: NUL key", "transport \0", 11, NULL, NULL, "invalid key" },
	{ "request: tab in key", "transport a\tb", 0, NULL, NULL,
	  "invalid key" },
	{ "request: newline in key", "transport a@b\n", 0, NULL, NULL,
	  "invalid key" },
	{ "request: CR in key", "transport a@b\r", 0, NULL, NULL,
	  "invalid key" },
	{ "request: escape in key", "transport \x1b[0ma@b", 0, NULL, NULL,
	  "invalid key" },
	{ "request: DEL in key", "transport a\x7f" "b", 0, NULL, NULL,
	  "invalid key" },
	{ "request: C1 NEL in key", "transport a\xc2\x85" "b", 0, NULL, NULL,
	  "invalid key" },
	{ "request: C1 U+0080", "transport \xc2\x80", 0, NULL, NULL,
	  "invalid key" },
	{ "request: C1 U+009F", "transport \xc2\x9f", 0, NULL, NULL,
	  "invalid key" },
	{ "request: Latin-1 key", "transport j\xf6rg@b.test", 0, NULL, NULL,
	  "invalid key" },
	{ "request: overlong NUL", "transport a\xc0\x80" "b", 0, NULL, NULL,
	  "invalid key" },
	{ "request: overlong slash two bytes", "transport \xc0\xaf", 0, NULL,
	  NULL, "invalid key" },
	{ "request: overlong C1 lead", "transport \xc1\xbf", 0, NULL, NULL,
	  "invalid key" },
	{ "request: overlong slash three bytes", "transport \xe0\x80\xaf", 0,
	  NULL, NULL, "invalid key" },
	{ "request: overlong U+07FF three bytes", "transport \xe0\x9f\xbf", 0,
	  NULL, NULL, "invalid key" },
	{ "request: overlong slash four bytes", "transport \xf0\x80\x80\xaf",
	  0, NULL, NULL, "invalid key" },
	{ "request: overlong U+FFFF four bytes",
	  "transport \xf0\x8f\xbf\xbf", 0, NULL, NULL, "invalid key" },
	{ "request: surrogate U+D800", "transport \xed\xa0\x80", 0, NULL, NULL,
	  "invalid key" },
	{ "request: surrogate U+DFFF", "transport \xed\xbf\xbf", 0, NULL, NULL,
	  "invalid key" },
	{ "request: surrogate pair (CESU-8)",
	  "transport \xed\xa0\xbd\xed\xb8\x80", 0, NULL, NULL, "invalid key" },
	{ "request: past U+10FFFF", "transport \xf4\x90\x80\x80", 0, NULL,
	  NULL, "invalid key" },
	{ "request: F5 lead", "transport \xf5\x80\x80\x80", 0, NULL, NULL,
	  "invalid key" },
	{ "request: five-byte form", "transport \xf8\x88\x80\x80\x80", 0, NULL,
	  NULL, "invalid key" },
	{ "request: FE", "transport \xfe", 0, NULL, NULL, "invalid key" },
	{ "request: FF", "transport \xff", 0, NULL, NULL, "invalid key" },
	{ "request: lone continuation", "transport a\x80" "b", 0, NULL, NULL,
	  "invalid key" },
	{ "request: continuation first", "transport \xbf", 0, NULL, NULL,
	  "invalid key" },
	{ "request: extra continuation", "transport \xc3\xa4\xa4", 0, NULL,
	  NULL, "invalid key" },
	{ "request: truncated two bytes at end", "transport a\xc3", 0, NULL,
	  NULL, "invalid key" },
	{ "request: truncated three bytes at end", "transport \xe2\x82", 0,
	  NULL, NULL, "invalid key" },
	{ "request: truncated four bytes at end", "transport \xf0\x9f\x98", 0,
	  NULL, NULL, "invalid key" },
	{ "request: truncated before ASCII", "transport \xc3" "a", 0, NULL,
	  NULL, "invalid key" },
	{ "request: truncated three bytes before ASCII",
	  "transport \xe2\x82" "a", 0, NULL, NULL, "invalid key" },
	{ "request: bad third byte", "transport \xe2\x82\xc0", 0, NULL, NULL,
	  "invalid key" },
	{ "request: bad fourth byte", "transport \xf0\x9f\x98\x20", 0, NULL,
	  NULL, "invalid key" },
};

static void
run_request(void **state)
{
	const struct req_case *c = *state;
	size_t len = c->len ? c->len : strlen(c->payload);
	size_t namelen = 7, keylen = 7;
	const char *name = (const char *)1, *key = (const char *)1;
	const char *err = (const char *)1;
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, c->payload, len);
	rc = socketmap_request_parse(copy, len, &name, &namelen, &key,
	    &keylen, &err);
	if (c->err == NULL) {
		assert_int_equal(rc, 0);
		assert_ptr_equal(err, (const char *)1);
		assert_ptr_equal(name, copy);
		assert_true(namelen == strlen(c->want_name));
		assert_memory_equal(name, c->want_name, namelen);
		assert_ptr_equal(key, copy + namelen + 1);
		assert_true(keylen == strlen(c->want_key));
		assert_memory_equal(key, c->want_key, keylen);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
		assert_ptr_equal(name, (const char *)1);
		assert_ptr_equal(key, (const char *)1);
		assert_true(namelen == 7 && keylen == 7);
	}
	free(copy);
}

/*
 * every key of one code point: valid exactly when the tables say so;
 * a multi-byte one cut short never is
 */
static void
test_request_every_code_point(void **state)
{
	char buf[16];
	const char *name, *key, *err;
	size_t namelen, keylen, n;
	int bad;

	(void)state;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		memcpy(buf, "t ", 2);
		n = 2;
		if (cp < 0x80)
			buf[n++] = (char)cp;
		else if (cp < 0x800) {
			buf[n++] = (char)(0xc0 | cp >> 6);
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[n++] = (char)(0xe0 | cp >> 12);
			buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[n++] = (char)(0xf0 | cp >> 18);
			buf[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[n++] = (char)(0x80 | (cp & 0x3f));
		}
		bad = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
		    (cp >= 0xd800 && cp <= 0xdfff);
		if (socketmap_request_parse(buf, n, &name, &namelen, &key,
		    &keylen, &err) != (bad ? -1 : 0))
			fail_msg("U+%04X %s", (unsigned)cp, bad ? "accepted" :
			    "refused");
		/* cut short, with the missing byte still in memory after */
		if (n > 3 && socketmap_request_parse(buf, n - 1, &name,
		    &namelen, &key, &keylen, &err) != -1)
			fail_msg("U+%04X cut short accepted", (unsigned)cp);
	}
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_parse_socketmap_limit),
	cmocka_unit_test(test_format_round_trip),
	cmocka_unit_test(test_request_every_code_point),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(parse_cases) + nitems(format_cases) +
	    nitems(req_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_parse, parse_cases);
	n = ADD_TABLE(tests, n, run_format, format_cases);
	n = ADD_TABLE(tests, n, run_request, req_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_netstring: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
