/*
 * test_policy_req.c - shared/policy_req.c: Postfix policy delegation
 * requests read incrementally.
 *
 * Each row gives a byte stream (one request, several pipelined, or a bad
 * one) and the transcript wanted from reading it: every complete request
 * is written back as its "name=value\n" lines and an empty line (so a
 * well-formed LF request reads back as itself), an error as
 * "ERR at N: TEXT\n" (N: bytes of the stream taken when it was found),
 * and a stream that ends inside a request as "MORE\n". Bytes below 0x20,
 * DEL and '\' are written \xHH. Every row is read whole, split in two at
 * every byte position (at a sample of positions past 4 KiB), and one
 * byte at a time, each piece handed over in an exactly sized copy: the
 * transcript must not change.
 *
 * The Postfix rows are requests written after Postfix 3.7's policy
 * client: the 29 attributes SMTPD_POLICY_README lists up to 3.7, empty
 * ones included, at RCPT and at END-OF-MESSAGE (recipient empty and the
 * real size there), plain, SASL with TLS, and a bounce.
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

#include "policy_req.h"

#define TRANSCRIPT	(64 * 1024)

/* one RCPT request, first recipient of a plain ESMTP session */
#define RCPT1 \
	"request=smtpd_access_policy\n" \
	"protocol_state=RCPT\n" \
	"protocol_name=ESMTP\n" \
	"client_address=192.0.2.25\n" \
	"client_name=mx1.example.net\n" \
	"client_port=48522\n" \
	"reverse_client_name=mx1.example.net\n" \
	"server_address=198.51.100.7\n" \
	"server_port=25\n" \
	"helo_name=mx1.example.net\n" \
	"sender=alice@example.net\n" \
	"recipient=Bob.Smith+lists@B.Test\n" \
	"recipient_count=0\n" \
	"queue_id=\n" \
	"instance=2b7a.6560a7c1.9d3e4.0\n" \
	"size=0\n" \
	"etrn_domain=\n" \
	"stress=\n" \
	"sasl_method=\n" \
	"sasl_username=\n" \
	"sasl_sender=\n" \
	"ccert_subject=\n" \
	"ccert_issuer=\n" \
	"ccert_fingerprint=\n" \
	"ccert_pubkey_fingerprint=\n" \
	"encryption_protocol=TLSv1.3\n" \
	"encryption_cipher=TLS_AES_256_GCM_SHA384\n" \
	"encryption_keysize=256\n" \
	"policy_context=\n" \
	"\n"

/* the second RCPT of the same transaction: queue file open, SIZE= given */
#define RCPT2 \
	"request=smtpd_access_policy\n" \
	"protocol_state=RCPT\n" \
	"protocol_name=ESMTP\n" \
	"client_address=192.0.2.25\n" \
	"client_name=mx1.example.net\n" \
	"client_port=48522\n" \
	"reverse_client_name=mx1.example.net\n" \
	"server_address=198.51.100.7\n" \
	"server_port=25\n" \
	"helo_name=mx1.example.net\n" \
	"sender=alice@example.net\n" \
	"recipient=carol@c.test\n" \
	"recipient_count=0\n" \
	"queue_id=4C1E12C0A53\n" \
	"instance=2b7a.6560a7c1.9d3e4.0\n" \
	"size=18734\n" \
	"etrn_domain=\n" \
	"stress=\n" \
	"sasl_method=\n" \
	"sasl_username=\n" \
	"sasl_sender=\n" \
	"ccert_subject=\n" \
	"ccert_issuer=\n" \
	"ccert_fingerprint=\n" \
	"ccert_pubkey_fingerprint=\n" \
	"encryption_protocol=TLSv1.3\n" \
	"encryption_cipher=TLS_AES_256_GCM_SHA384\n" \
	"encryption_keysize=256\n" \
	"policy_context=\n" \
	"\n"

/* end of data with two recipients: recipient empty, real size */
#define EOM \
	"request=smtpd_access_policy\n" \
	"protocol_state=END-OF-MESSAGE\n" \
	"protocol_name=ESMTP\n" \
	"client_address=192.0.2.25\n" \
	"client_name=mx1.example.net\n" \
	"client_port=48522\n" \
	"reverse_client_name=mx1.example.net\n" \
	"server_address=198.51.100.7\n" \
	"server_port=25\n" \
	"helo_name=mx1.example.net\n" \
	"sender=alice@example.net\n" \
	"recipient=\n" \
	"recipient_count=2\n" \
	"queue_id=4C1E12C0A53\n" \
	"instance=2b7a.6560a7c1.9d3e4.0\n" \
	"size=18911\n" \
	"etrn_domain=\n" \
	"stress=\n" \
	"sasl_method=\n" \
	"sasl_username=\n" \
	"sasl_sender=\n" \
	"ccert_subject=\n" \
	"ccert_issuer=\n" \
	"ccert_fingerprint=\n" \
	"ccert_pubkey_fingerprint=\n" \
	"encryption_protocol=TLSv1.3\n" \
	"encryption_cipher=TLS_AES_256_GCM_SHA384\n" \
	"encryption_keysize=256\n" \
	"policy_context=\n" \
	"\n"

/* submission: SASL login, client certificate, unknown client name */
#define RCPT_SUBMISSION \
	"request=smtpd_access_policy\n" \
	"protocol_state=RCPT\n" \
	"protocol_name=ESMTPSA\n" \
	"client_address=2001:db8::17\n" \
	"client_name=unknown\n" \
	"client_port=53110\n" \
	"reverse_client_name=unknown\n" \
	"server_address=2001:db8::1\n" \
	"server_port=587\n" \
	"helo_name=[IPv6:2001:db8::17]\n" \
	"sender=dave@a.test\n" \
	"recipient=erin@d.test\n" \
	"recipient_count=0\n" \
	"queue_id=\n" \
	"instance=1f03.6560a7d0.1a2b.0\n" \
	"size=0\n" \
	"etrn_domain=\n" \
	"stress=yes\n" \
	"sasl_method=PLAIN\n" \
	"sasl_username=dave\n" \
	"sasl_sender=\n" \
	"ccert_subject=laptop.a.test\n" \
	"ccert_issuer=Example CA\n" \
	"ccert_fingerprint=C2:9D:F4:87:71:73:73:D9:18:E7:C2:F3:C1:DA:6E:04\n" \
	"ccert_pubkey_fingerprint=" \
	"68:B3:29:DA:98:93:E3:40:99:C7:D8:AD:5C:B9:C9:40\n" \
	"encryption_protocol=TLSv1.3\n" \
	"encryption_cipher=TLS_AES_128_GCM_SHA256\n" \
	"encryption_keysize=128\n" \
	"policy_context=submission\n" \
	"\n"

/* a bounce (null sender) at RCPT, without TLS */
#define RCPT_BOUNCE \
	"request=smtpd_access_policy\n" \
	"protocol_state=RCPT\n" \
	"protocol_name=SMTP\n" \
	"client_address=203.0.113.9\n" \
	"client_name=unknown\n" \
	"client_port=33018\n" \
	"reverse_client_name=mail.c.test\n" \
	"server_address=198.51.100.7\n" \
	"server_port=25\n" \
	"helo_name=mail.c.test\n" \
	"sender=\n" \
	"recipient=postmaster@b.test\n" \
	"recipient_count=0\n" \
	"queue_id=\n" \
	"instance=2c11.6560a7e3.5f0.0\n" \
	"size=0\n" \
	"etrn_domain=\n" \
	"stress=\n" \
	"sasl_method=\n" \
	"sasl_username=\n" \
	"sasl_sender=\n" \
	"ccert_subject=\n" \
	"ccert_issuer=\n" \
	"ccert_fingerprint=\n" \
	"ccert_pubkey_fingerprint=\n" \
	"encryption_protocol=\n" \
	"encryption_cipher=\n" \
	"encryption_keysize=0\n" \
	"policy_context=\n" \
	"\n"

/* the same with "\r\n" line ends (a hand-written or foreign client) */
#define SHORT_CRLF \
	"request=smtpd_access_policy\r\n" \
	"protocol_state=RCPT\r\n" \
	"sender=\r\n" \
	"recipient=postmaster@b.test\r\n" \
	"\r\n"

#define SHORT_LF \
	"request=smtpd_access_policy\n" \
	"protocol_state=RCPT\n" \
	"sender=\n" \
	"recipient=postmaster@b.test\n" \
	"\n"

/* esc - append n bytes to a transcript, controls, DEL and '\' as \xHH */
static void
esc(char *out, size_t size, const char *s)
{
	size_t o = strlen(out);

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		assert_true(o + 5 < size);
		if (c < 0x20 || c == 0x7f || c == '\\')
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

/* done - write a complete request back; policy_req_get() agrees */
static void
done(const struct policy_req *r, char *out, size_t size)
{
	for (int i = 0; i < r->nattr; i++) {
		const char *name = r->buf + r->attr[i].name;
		const char *value = r->buf + r->attr[i].value;

		assert_ptr_equal(policy_req_get(r, name), value);
		esc(out, size, name);
		cat(out, size, "=");
		esc(out, size, value);
		cat(out, size, "\n");
	}
	cat(out, size, "\n");
}

/*
 * stream - read a stream arriving in pieces that end at cuts[] (the last
 * is len) into a transcript
 */
static void
stream(const char *in, size_t len, const size_t *cuts, size_t ncuts,
    char *out, size_t size)
{
	static struct policy_req r;
	size_t start = 0, off = 0;

	assert_true(ncuts > 0 && cuts[ncuts - 1] == len);
	out[0] = '\0';
	memset(&r, 0, sizeof(r));	/* zeroed is ready, no reset needed */
	for (size_t c = 0; c < ncuts; c++) {
		size_t n = cuts[c] - start;
		char *piece = malloc(n ? n : 1);

		assert_non_null(piece);
		memcpy(piece, in + start, n);
		for (off = 0; off < n || n == 0; ) {
			size_t used = 12345;
			enum policy_req_result rc;
			char at[64];

			rc = policy_req_feed(&r, piece + off, n - off, &used);
			assert_true(used <= n - off);
			off += used;
			if (rc == POLICY_REQ_MORE) {
				assert_true(off == n);
				break;
			}
			if (rc == POLICY_REQ_ERR) {
				assert_true(used > 0);
				snprintf(at, sizeof(at), "ERR at %zu: ",
				    start + off);
				cat(out, size, at);
				cat(out, size, r.err);
				cat(out, size, "\n");
				free(piece);
				return;
			}
			assert_int_equal(rc, POLICY_REQ_DONE);
			assert_true(used > 0);
			done(&r, out, size);
			policy_req_reset(&r);
		}
		free(piece);
		start = cuts[c];
	}
	if (r.total > 0)
		cat(out, size, "MORE\n");
}

struct feed_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;		/* NULL: the input itself */
	size_t		(*gen)(char *, size_t);	/* makes in instead */
};

/* gen_line - "name=" and x's up to n bytes, then end ("\n" or "\r\n") */
static size_t
gen_line(char *p, const char *name, size_t n, const char *end)
{
	size_t k = strlen(name), e = strlen(end);

	memcpy(p, name, k);
	p[k] = '=';
	memset(p + k + 1, 'x', n - k - 1);
	memcpy(p + n, end, e);
	return n + e;
}

static size_t
gen_line_max(char *p, size_t size)
{
	size_t n = gen_line(p, "recipient", POLICY_REQ_MAX_LINE, "\n");

	assert_true(n + 1 <= size);
	p[n] = '\n';
	return n + 1;
}

static size_t
gen_line_max_crlf(char *p, size_t size)
{
	size_t n = gen_line(p, "recipient", POLICY_REQ_MAX_LINE, "\r\n");

	assert_true(n + 2 <= size);
	memcpy(p + n, "\r\n", 2);
	return n + 2;
}

static size_t
gen_line_long(char *p, size_t size)
{
	size_t n = gen_line(p, "recipient", POLICY_REQ_MAX_LINE + 1, "\n");

	assert_true(n + 1 <= size);
	p[n] = '\n';
	return n + 1;
}

static size_t
gen_line_long_cr(char *p, size_t size)
{
	size_t n = gen_line(p, "recipient", POLICY_REQ_MAX_LINE, "\rx\n\n");

	assert_true(n <= size);
	return n;
}

static size_t
gen_line_long_third(char *p, size_t size)
{
	size_t n = 0;

	n += gen_line(p + n, "request", 27, "\n");
	n += gen_line(p + n, "sender", 20, "\n");
	n += gen_line(p + n, "recipient", 4096, "\n");
	assert_true(n + 1 <= size);
	p[n] = '\n';
	return n + 1;
}

static size_t
gen_line_no_newline(char *p, size_t size)
{
	assert_true(size >= 3 * POLICY_REQ_MAX_LINE);
	memset(p, 'x', 3 * POLICY_REQ_MAX_LINE);
	return 3 * POLICY_REQ_MAX_LINE;
}

/* gen_attrs - n attributes a0=0 ... and the empty line */
static size_t
gen_attrs(char *p, size_t size, int count)
{
	size_t n = 0;

	for (int i = 0; i < count; i++)
		n += (size_t)snprintf(p + n, size - n, "a%d=%d\n", i, i);
	assert_true(n + 1 <= size);
	p[n] = '\n';
	return n + 1;
}

static size_t
gen_attrs_max(char *p, size_t size)
{
	return gen_attrs(p, size, POLICY_REQ_MAX_ATTRS);
}

static size_t
gen_attrs_over(char *p, size_t size)
{
	return gen_attrs(p, size, POLICY_REQ_MAX_ATTRS + 1);
}

/*
 * gen_size - lines of 2048 bytes with their "\n" up to the limit: seven
 * of them, an eighth of 2047 + extra, then the empty line: 16384 + extra
 * bytes in all
 */
static size_t
gen_size(char *p, size_t size, size_t extra)
{
	char name[8];
	size_t n = 0;

	assert_true(size >= POLICY_REQ_MAX_SIZE + extra);
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		n += gen_line(p + n, name, 2047, "\n");
	}
	n += gen_line(p + n, "a7", 2046 + extra, "\n");
	p[n++] = '\n';
	assert_true(n == POLICY_REQ_MAX_SIZE + extra);
	return n;
}

static size_t
gen_size_max(char *p, size_t size)
{
	return gen_size(p, size, 0);
}

static size_t
gen_size_over(char *p, size_t size)
{
	return gen_size(p, size, 1);
}

static const struct feed_case feed_cases[] = {
	{ "postfix 3.7: RCPT, first recipient", RCPT1, 0, NULL, NULL },
	{ "postfix 3.7: RCPT, second recipient", RCPT2, 0, NULL, NULL },
	{ "postfix 3.7: END-OF-MESSAGE, two recipients", EOM, 0, NULL, NULL },
	{ "postfix 3.7: RCPT, SASL and client certificate", RCPT_SUBMISSION, 0,
	  NULL, NULL },
	{ "postfix 3.7: RCPT, null sender, no TLS", RCPT_BOUNCE, 0, NULL,
	  NULL },
	{ "postfix 3.7: pipelined transaction", RCPT1 RCPT2 EOM, 0, NULL,
	  NULL },
	{ "postfix 3.7: next request truncated", RCPT1 "request=smtpd_acc", 0,
	  RCPT1 "MORE\n", NULL },
	{ "CRLF lines", SHORT_CRLF, 0, SHORT_LF, NULL },
	{ "CRLF and LF lines mixed", "a=1\r\nb=2\n\r\n", 0, "a=1\nb=2\n\n",
	  NULL },
	{ "minimal", "request=smtpd_access_policy\n\n", 0, NULL, NULL },
	{ "no attributes", "\n", 0, NULL, NULL },
	{ "no attributes, CRLF", "\r\n", 0, "\n", NULL },
	{ "three empty requests", "\n\n\n", 0, NULL, NULL },
	{ "empty value", "sasl_method=\n\n", 0, NULL, NULL },
	{ "value holding '='", "ccert_subject=CN=x=y\n\n", 0, NULL, NULL },
	{ "value of '=' only", "a==\n\n", 0, NULL, NULL },
	{ "8-bit value kept", "sender=j\xc3\xb6rg@b.test\nx=\xff\n\n", 0,
	  NULL, NULL },
	{ "spaces kept", " recipient = a@b \n\n", 0, NULL, NULL },
	{ "CR inside a value kept", "a=b\rc\n\n", 0, "a=b\\x0dc\n\n", NULL },
	{ "only the last CR dropped", "a=b\r\r\n\n", 0, "a=b\\x0d\n\n", NULL },
	{ "tab kept", "a=b\tc\n\n", 0, "a=b\\x09c\n\n", NULL },
	{ "truncated: no empty line", "request=smtpd_access_policy\n", 0,
	  "MORE\n", NULL },
	{ "truncated: in a line", "request=smtpd_access_policy\nrecipient=a",
	  0, "MORE\n", NULL },
	{ "truncated: CR of the empty line", "a=1\n\r", 0, "MORE\n", NULL },
	{ "truncated: after a good one", "a=1\n\nb=2\n", 0, "a=1\n\nMORE\n",
	  NULL },
	{ "empty input", "", 0, "", NULL },
	{ "no '='", "request=smtpd_access_policy\nrecipient\n\n", 0,
	  "ERR at 38: line 2: no '=' (want name=value)\n", NULL },
	{ "no '=': CRLF", "recipient\r\n", 0,
	  "ERR at 11: line 1: no '=' (want name=value)\n", NULL },
	{ "no '=': a lone CR line", "a=1\n\r\r\n", 0,
	  "ERR at 7: line 2: no '=' (want name=value)\n", NULL },
	{ "no '=': after a good one", "a=1\n\nb\n\n", 0,
	  "a=1\n\nERR at 7: line 1: no '=' (want name=value)\n", NULL },
	{ "empty name", "=smtpd_access_policy\n\n", 0,
	  "ERR at 21: line 1: empty attribute name\n", NULL },
	{ "empty name and value", "a=1\n=\n\n", 0,
	  "ERR at 6: line 2: empty attribute name\n", NULL },
	{ "NUL in value", "a=b\0c\n\n", 7, "ERR at 4: line 1: NUL byte\n",
	  NULL },
	{ "NUL in name", "\0=b\n\n", 5, "ERR at 1: line 1: NUL byte\n", NULL },
	{ "NUL as an empty line", "a=1\n\0\n", 6,
	  "ERR at 5: line 2: NUL byte\n", NULL },
	{ "name repeated", "recipient=a@b\nsize=0\nrecipient=c@d\n\n", 0,
	  "ERR at 35: line 3: attribute name repeated\n", NULL },
	{ "name repeated, empty values", "a=\na=\n\n", 0,
	  "ERR at 6: line 2: attribute name repeated\n", NULL },
	{ "names differing in case", "a=1\nA=2\n\n", 0, NULL, NULL },
	{ "line at the limit", NULL, 0, NULL, gen_line_max },
	{ "line at the limit, CRLF", NULL, 0, "*crlf", gen_line_max_crlf },
	{ "line too long", NULL, 0,
	  "ERR at 2049: line 1: longer than 2048 bytes\n", gen_line_long },
	{ "line too long: CR then more", NULL, 0,
	  "ERR at 2050: line 1: longer than 2048 bytes\n", gen_line_long_cr },
	{ "line too long: third line", NULL, 0,
	  "ERR at 2098: line 3: longer than 2048 bytes\n",
	  gen_line_long_third },
	{ "line too long: no newline at all", NULL, 0,
	  "ERR at 2049: line 1: longer than 2048 bytes\n",
	  gen_line_no_newline },
	{ "attributes at the limit", NULL, 0, NULL, gen_attrs_max },
	{ "too many attributes", NULL, 0,
	  "ERR at 435: line 65: more than 64 attributes\n", gen_attrs_over },
	{ "request at the limit", NULL, 0, NULL, gen_size_max },
	{ "request too big", NULL, 0,
	  "ERR at 16385: line 9: request larger than 16384 bytes\n",
	  gen_size_over },
};

/* crlf_to_lf - what a CRLF request reads back as */
static void
crlf_to_lf(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++)
		if (!(in[i] == '\r' && i + 1 < len && in[i + 1] == '\n'))
			out[o++] = in[i];
	out[o] = '\0';
}

static void
run_feed(void **state)
{
	const struct feed_case *c = *state;
	static char in[64 * 1024], want[TRANSCRIPT], got[TRANSCRIPT];
	size_t len, cuts[2], *each;

	if (c->gen != NULL)
		len = c->gen(in, sizeof(in));
	else {
		len = c->len ? c->len : strlen(c->in);
		memcpy(in, c->in, len);
	}
	if (c->want == NULL) {
		memcpy(want, in, len);
		want[len] = '\0';
	} else if (strcmp(c->want, "*crlf") == 0)
		crlf_to_lf(in, len, want);
	else
		snprintf(want, sizeof(want), "%s", c->want);

	/* whole */
	cuts[0] = len;
	stream(in, len, cuts, 1, got, sizeof(got));
	assert_string_equal(got, want);

	/* in two pieces, cut everywhere (past 4 KiB: near the ends only) */
	for (size_t k = 0; k <= len; k++) {
		if (len > 4096 && k > 64 && k + 64 < len && k % 61 != 0)
			continue;
		cuts[0] = k;
		cuts[1] = len;
		stream(in, len, cuts, 2, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail_msg("cut at %zu: got \"%s\"", k, got);
	}

	/* a byte at a time */
	each = calloc(len + 1, sizeof(*each));
	assert_non_null(each);
	for (size_t k = 0; k <= len; k++)
		each[k] = k;
	stream(in, len, each, len + 1, got, sizeof(got));
	assert_string_equal(got, want);
	free(each);
}

/* the attributes of a Postfix request, by name */
static void
test_get(void **state)
{
	static struct policy_req r;
	size_t used;

	(void)state;
	policy_req_reset(&r);
	assert_int_equal(policy_req_feed(&r, EOM, strlen(EOM), &used),
	    POLICY_REQ_DONE);
	assert_true(used == strlen(EOM));
	assert_int_equal(r.nattr, 29);
	assert_string_equal(policy_req_get(&r, "request"),
	    "smtpd_access_policy");
	assert_string_equal(policy_req_get(&r, "protocol_state"),
	    "END-OF-MESSAGE");
	assert_string_equal(policy_req_get(&r, "sender"), "alice@example.net");
	assert_string_equal(policy_req_get(&r, "recipient"), "");
	assert_string_equal(policy_req_get(&r, "recipient_count"), "2");
	assert_string_equal(policy_req_get(&r, "size"), "18911");
	assert_string_equal(policy_req_get(&r, "queue_id"), "4C1E12C0A53");
	assert_string_equal(policy_req_get(&r, "instance"),
	    "2b7a.6560a7c1.9d3e4.0");
	assert_string_equal(policy_req_get(&r, "client_address"),
	    "192.0.2.25");
	assert_string_equal(policy_req_get(&r, "sasl_method"), "");
	assert_string_equal(policy_req_get(&r, "policy_context"), "");
	assert_null(policy_req_get(&r, "compatibility_level"));
	assert_null(policy_req_get(&r, "Recipient"));
	assert_null(policy_req_get(&r, "recipient "));
	assert_null(policy_req_get(&r, ""));
	policy_req_reset(&r);
	assert_null(policy_req_get(&r, "request"));
}

/* pipelined: DONE says where the next request starts */
static void
test_pipelined_consumed(void **state)
{
	static struct policy_req r;
	static const char in[] = RCPT1 RCPT2 "a=1\n";
	size_t used, off = 0;

	(void)state;
	policy_req_reset(&r);
	assert_int_equal(policy_req_feed(&r, in, strlen(in), &used),
	    POLICY_REQ_DONE);
	assert_true(used == strlen(RCPT1));
	assert_string_equal(policy_req_get(&r, "recipient"),
	    "Bob.Smith+lists@B.Test");
	off += used;

	/* not reset: the same answer, nothing taken */
	assert_int_equal(policy_req_feed(&r, in + off, strlen(in) - off,
	    &used), POLICY_REQ_DONE);
	assert_true(used == 0);

	policy_req_reset(&r);
	assert_int_equal(policy_req_feed(&r, in + off, strlen(in) - off,
	    &used), POLICY_REQ_DONE);
	assert_true(used == strlen(RCPT2));
	assert_string_equal(policy_req_get(&r, "recipient"), "carol@c.test");
	assert_string_equal(policy_req_get(&r, "size"), "18734");
	off += used;

	policy_req_reset(&r);
	assert_int_equal(policy_req_feed(&r, in + off, strlen(in) - off,
	    &used), POLICY_REQ_MORE);
	assert_true(used == 4);
	assert_null(policy_req_get(&r, "a"));	/* not complete yet */
	assert_int_equal(policy_req_feed(&r, "\n", 1, &used),
	    POLICY_REQ_DONE);
	assert_string_equal(policy_req_get(&r, "a"), "1");
}

/* after an error: stays an error until reset, then reads again */
static void
test_error_then_reset(void **state)
{
	static struct policy_req r;
	size_t used;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(policy_req_feed(&r, "", 0, &used), POLICY_REQ_MORE);
	assert_true(used == 0);
	assert_int_equal(policy_req_feed(&r, "a=1\nb\nc=2\n\n", 11, &used),
	    POLICY_REQ_ERR);
	assert_true(used == 6);
	assert_string_equal(r.err, "line 2: no '=' (want name=value)");
	assert_null(policy_req_get(&r, "a"));
	assert_int_equal(policy_req_feed(&r, "c=2\n\n", 5, &used),
	    POLICY_REQ_ERR);
	assert_true(used == 0);
	policy_req_reset(&r);
	assert_string_equal(r.err, "");
	assert_int_equal(policy_req_feed(&r, "c=2\n\n", 5, &used),
	    POLICY_REQ_DONE);
	assert_true(used == 5);
	assert_int_equal(r.nattr, 1);
	assert_string_equal(policy_req_get(&r, "c"), "2");
}

/* the largest request fits: 64 attributes and 16384 bytes at once */
static void
test_limits_together(void **state)
{
	static struct policy_req r;
	static char in[POLICY_REQ_MAX_SIZE];
	enum { W = 240, LINE = 4 + W + 1 };	/* "aNN=", W digits, "\n" */
	size_t n = 0, used, last;
	char name[8];
	int i;

	(void)state;
	for (i = 0; i < POLICY_REQ_MAX_ATTRS - 1; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "a%02d=%0*d\n",
		    i, (int)W, i);
	assert_true(n == (size_t)(POLICY_REQ_MAX_ATTRS - 1) * LINE);
	last = POLICY_REQ_MAX_SIZE - n - 2;	/* its "\n", the empty line */
	assert_true(last <= POLICY_REQ_MAX_LINE);
	snprintf(name, sizeof(name), "a%02d", i);
	n += gen_line(in + n, name, last, "\n");
	in[n++] = '\n';
	assert_true(n == POLICY_REQ_MAX_SIZE);
	policy_req_reset(&r);
	assert_int_equal(policy_req_feed(&r, in, n, &used), POLICY_REQ_DONE);
	assert_true(used == n);
	assert_int_equal(r.nattr, POLICY_REQ_MAX_ATTRS);
	assert_true(strlen(policy_req_get(&r, "a63")) == last - 4);
	assert_true(strlen(policy_req_get(&r, "a00")) == W);
	assert_string_equal(policy_req_get(&r, "a62") + W - 2, "62");
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_get),
	cmocka_unit_test(test_pipelined_consumed),
	cmocka_unit_test(test_error_then_reset),
	cmocka_unit_test(test_limits_together),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(feed_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_feed, feed_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_policy_req: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
