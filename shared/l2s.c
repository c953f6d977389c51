/*
 * l2s.c - X-LINK2STATE chunk framing (see l2s.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "l2s.h"
#include "lsrec.h"
#include "xmalloc.h"

static const struct {
	const char	*word;
	int		 opens;		/* must start a message */
	int		 closes;	/* ends it */
} l2s_kinds[] = {
	{ "ONE", 1, 1 },
	{ "FIRST", 1, 0 },
	{ "NEXT", 0, 0 },
	{ "LAST", 0, 1 },
};

/* l2s_asm_init - an empty assembler */
void
l2s_asm_init(struct l2s_asm *a)
{
	memset(a, 0, sizeof(*a));
	a->max = LSMSG_MAX_BYTES;
}

/* l2s_asm_free - release the buffer */
void
l2s_asm_free(struct l2s_asm *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/*
 * l2s_b64_letters - whether the n bytes are all base64 letters; counted
 * in the line, which has no NUL after it (strspn would read on)
 */
static int
l2s_b64_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

/* l2s_b64_decode - append the decoding of b64 to the message */
static int
l2s_b64_decode(struct l2s_asm *a, const char *b64, size_t n, char *err,
    size_t errlen)
{
	size_t raw, pad = 0;
	int got;

	if (n == 0 || n % 4 != 0 || n > L2S_LINE_MAX) {
		snprintf(err, errlen, "chunk is not whole base64");
		return -1;
	}
	if (b64[n - 1] == '=')
		pad++;
	if (b64[n - 2] == '=')
		pad++;
	raw = n / 4 * 3 - pad;
	if (raw > a->max - a->len) {
		snprintf(err, errlen, "message over %zu bytes", a->max);
		return -1;
	}
	if (a->len + n / 4 * 3 + 1 > a->cap) {
		a->cap = a->len + n / 4 * 3 + 1 + a->cap;
		a->buf = xreallocarray(a->buf, a->cap, 1);
	}
	/* '=' only at the end: EVP_DecodeBlock would accept it inside */
	if (!l2s_b64_letters(b64, n - pad) ||
	    (got = EVP_DecodeBlock((unsigned char *)a->buf + a->len,
	    (const unsigned char *)b64, (int)n)) < 0 ||
	    (size_t)got != n / 4 * 3) {
		snprintf(err, errlen, "chunk is not whole base64");
		return -1;
	}
	a->len += raw;
	a->buf[a->len] = '\0';
	return 0;
}

/* l2s_asm_line - take one line (no line end); see l2s.h */
enum l2s_result
l2s_asm_line(struct l2s_asm *a, const char *line, size_t len,
    const char **msg, size_t *msglen, char *err, size_t errlen)
{
	static const char verb[] = L2S_VERB " ";
	const char *p, *end = line + len;
	size_t i, w;

	if (len + 2 > L2S_LINE_MAX) {
		snprintf(err, errlen, "line over %d bytes", L2S_LINE_MAX);
		return L2S_ERR;
	}
	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL in line");
		return L2S_ERR;
	}
	if (len == 4 && strncasecmp(line, "NOOP", 4) == 0)
		return L2S_NOOP;
	if (len == 4 && strncasecmp(line, "QUIT", 4) == 0)
		return L2S_QUIT;
	if (len < sizeof(verb) - 1 ||
	    strncasecmp(line, verb, sizeof(verb) - 1) != 0) {
		snprintf(err, errlen, "want %s, NOOP or QUIT", L2S_VERB);
		return L2S_ERR;
	}
	p = line + sizeof(verb) - 1;
	for (i = 0; i < 4; i++) {
		w = strlen(l2s_kinds[i].word);
		if ((size_t)(end - p) > w + 7 &&
		    strncasecmp(p, l2s_kinds[i].word, w) == 0 &&
		    strncasecmp(p + w, " CHUNK=", 7) == 0)
			break;
	}
	if (i == 4) {
		snprintf(err, errlen, "want ONE, FIRST, NEXT or LAST CHUNK=");
		return L2S_ERR;
	}
	if (l2s_kinds[i].opens == a->open) {
		snprintf(err, errlen, "%s CHUNK %s", l2s_kinds[i].word,
		    a->open ? "inside an open message" : "with no message "
		    "open");
		return L2S_ERR;
	}
	if (l2s_kinds[i].opens) {
		a->len = 0;
		a->open = 1;
	}
	p += w + 7;
	if (l2s_b64_decode(a, p, (size_t)(end - p), err, errlen) < 0)
		return L2S_ERR;
	if (!l2s_kinds[i].closes)
		return L2S_MORE;
	a->open = 0;
	*msg = a->buf;
	*msglen = a->len;
	return L2S_MSG;
}

/* l2s_encode - the chunk lines (CRLF) of one message; the caller frees */
char *
l2s_encode(const char *msg, size_t len, size_t *outlen)
{
	size_t nchunks = len ? (len + L2S_CHUNK_RAW - 1) / L2S_CHUNK_RAW : 1;
	size_t cap = nchunks * (L2S_CHUNK_RAW / 3 * 4 + 64) + 1, off = 0;
	char *out = xmalloc(cap);

	for (size_t c = 0; c < nchunks; c++) {
		size_t n = len - c * L2S_CHUNK_RAW;
		const char *word;

		if (n > L2S_CHUNK_RAW)
			n = L2S_CHUNK_RAW;
		word = nchunks == 1 ? "ONE" : c == 0 ? "FIRST" :
		    c + 1 == nchunks ? "LAST" : "NEXT";
		off += (size_t)snprintf(out + off, cap - off, "%s %s CHUNK=",
		    L2S_VERB, word);
		off += (size_t)EVP_EncodeBlock((unsigned char *)out + off,
		    (const unsigned char *)msg + c * L2S_CHUNK_RAW, (int)n);
		out[off++] = '\r';
		out[off++] = '\n';
	}
	out[off] = '\0';
	*outlen = off;
	return out;
}
