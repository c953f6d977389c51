/*
 * fuzz_l2s.c - libFuzzer target: any bytes as the lines a peer sends in
 * link-state mode, through the chunk assembler (l2s.c) and the message
 * decoder (lsrec.c).
 *
 * The input is cut at '\n' (a CR before it is dropped, as a session
 * would) and each line, copied to an exactly sized buffer so ASan sees
 * any read past it, goes to an assembler; an error ends the "session":
 * the assembler is thrown away and a new one takes the next line. Each
 * whole message goes to lsmsg_decode(). The input is read twice: with
 * the default message limit and with a small one taken from the first
 * byte. Besides memory errors, it aborts when:
 *   - an error comes without a reason, or a message is over the limit;
 *   - a message, framed again by l2s_encode(), does not come back from a
 *     new assembler byte for byte, or a framed line is over the limit;
 *   - a decoded message (hello, summary, rec, done), encoded again by
 *     lsmsg_encode_*() and decoded, is not the same message; or a
 *     refused one comes without a reason, or not cleared.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2s.h"
#include "lsrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_rec_equal - the fields a record of its kind has */
static int
fuzz_rec_equal(const struct lsrec *a, const struct lsrec *b)
{
	if (a->kind != b->kind || strcmp(a->origin, b->origin) != 0 ||
	    a->seq != b->seq || a->time_ms != b->time_ms)
		return 0;
	switch (a->kind) {
	case LSREC_CONNECTOR:
		return strcmp(a->name, b->name) == 0 &&
		    strcmp(a->source, b->source) == 0 && a->down == b->down;
	case LSREC_SERVER:
		return strcmp(a->name, b->name) == 0 && a->down == b->down;
	case LSREC_TOPOLOGY:
		return a->version == b->version && a->text != NULL &&
		    b->text != NULL && strcmp(a->text, b->text) == 0;
	case LSREC_CERT:
		return a->text != NULL && b->text != NULL &&
		    strcmp(a->text, b->text) == 0;
	}
	return 0;
}

/* fuzz_msg_equal - two decoded messages say the same */
static int
fuzz_msg_equal(const struct lsmsg *a, const struct lsmsg *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case LSMSG_HELLO:
		return strcmp(a->server, b->server) == 0 &&
		    strcmp(a->digest, b->digest) == 0 &&
		    a->records == b->records && a->topology == b->topology;
	case LSMSG_SUMMARY:
		if (a->nhave != b->nhave)
			return 0;
		for (size_t i = 0; i < a->nhave; i++)
			if (strcmp(a->have[i].key, b->have[i].key) != 0 ||
			    strcmp(a->have[i].origin, b->have[i].origin) != 0 ||
			    a->have[i].seq != b->have[i].seq ||
			    a->have[i].version != b->have[i].version)
				return 0;
		return 1;
	case LSMSG_REC:
		return fuzz_rec_equal(&a->rec, &b->rec);
	case LSMSG_DONE:
	case LSMSG_ALIVE:
		return 1;
	}
	return 0;
}

/* fuzz_decode - lsmsg_decode() on an exactly sized copy */
static int
fuzz_decode(const char *buf, size_t len, struct lsmsg *m)
{
	char *copy = malloc(len ? len : 1), err[256] = "";
	int rc;

	if (copy == NULL)
		abort();
	memcpy(copy, buf, len);
	rc = lsmsg_decode(copy, len, m, err, sizeof(err));
	free(copy);
	if (rc != 0 && (rc != -1 || err[0] == '\0' || m->have != NULL ||
	    m->rec.text != NULL))
		abort();
	return rc;
}

/* fuzz_reencode - the message encoded again, then decoded: the same */
static void
fuzz_reencode(const struct lsmsg *m)
{
	struct lsmsg again;
	char *buf = NULL;
	size_t len = 0;

	switch (m->type) {
	case LSMSG_HELLO:
		buf = lsmsg_encode_hello(m->server, m->digest, m->records,
		    m->topology, &len);
		break;
	case LSMSG_SUMMARY:
		buf = lsmsg_encode_summary(m->have, m->nhave, &len);
		break;
	case LSMSG_REC:
		buf = lsmsg_encode_rec(&m->rec, &len);
		break;
	case LSMSG_DONE:
		buf = lsmsg_encode_done(&len);
		break;
	case LSMSG_ALIVE:
		buf = lsmsg_encode_alive(&len);
		break;
	}
	if (buf == NULL || fuzz_decode(buf, len, &again) != 0 ||
	    !fuzz_msg_equal(m, &again))
		abort();
	lsmsg_clear(&again);
	free(buf);
}

/* fuzz_reframe - the message framed again comes back the same */
static void
fuzz_reframe(const char *msg, size_t len)
{
	struct l2s_asm a;
	const char *p, *end, *out = NULL;
	size_t tlen, outlen = 0;
	char *text, err[256];
	enum l2s_result rc = L2S_MORE;

	text = l2s_encode(msg, len, &tlen);
	l2s_asm_init(&a);
	for (p = text, end = text + tlen; p < end; ) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));

		if (rc != L2S_MORE || eol == NULL || eol[1] != '\n' ||
		    (size_t)(eol - p) + 2 > L2S_LINE_MAX)
			abort();
		rc = l2s_asm_line(&a, p, (size_t)(eol - p), &out, &outlen,
		    err, sizeof(err));
		p = eol + 2;
	}
	if (rc != L2S_MSG || outlen != len || memcmp(out, msg, len) != 0)
		abort();
	l2s_asm_free(&a);
	free(text);
}

/* fuzz_message - one whole message from the assembler */
static void
fuzz_message(const char *msg, size_t len, size_t max)
{
	struct lsmsg m;

	if (msg == NULL || len > max)
		abort();
	if (len > 0)		/* l2s_encode has nothing to frame */
		fuzz_reframe(msg, len);
	if (fuzz_decode(msg, len, &m) != 0)
		return;
	fuzz_reencode(&m);
	lsmsg_clear(&m);
}

/* fuzz_session - every line of the input through assemblers */
static void
fuzz_session(const char *in, size_t size, size_t max)
{
	const char *p = in, *end = in + size;
	struct l2s_asm a;

	l2s_asm_init(&a);
	if (max != 0)
		a.max = max;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		size_t len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		const char *msg = NULL;
		size_t msglen = 0;
		char *line = malloc(len ? len : 1), err[256] = "";

		if (line == NULL)
			abort();
		memcpy(line, p, len);
		switch (l2s_asm_line(&a, line, len, &msg, &msglen, err,
		    sizeof(err))) {
		case L2S_MSG:
			fuzz_message(msg, msglen, a.max);
			break;
		case L2S_ERR:
			if (err[0] == '\0')
				abort();
			l2s_asm_free(&a);	/* the session ends */
			l2s_asm_init(&a);
			if (max != 0)
				a.max = max;
			break;
		case L2S_MORE:
		case L2S_NOOP:
		case L2S_QUIT:
			break;
		default:
			abort();
		}
		free(line);
		p += n + (nl != NULL);
	}
	l2s_asm_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_session((const char *)data, size, 0);
	if (size > 0)
		fuzz_session((const char *)data, size, 1 + data[0] % 64);
	return 0;
}
