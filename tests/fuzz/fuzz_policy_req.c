/*
 * fuzz_policy_req.c - libFuzzer target: any bytes as a policy
 * delegation connection.
 *
 * The first two bytes seed the chunk sizes, the rest is the stream. It
 * is read twice: whole in one call, and in chunks of 1 to 2^k bytes
 * (k from the seed, so small and large pieces both happen), each chunk
 * copied to an exactly sized buffer so ASan sees any read past it.
 * Every complete request is reset after and reading goes on (pipelining)
 * until an error or the end. Besides memory errors, it aborts when:
 *   - the two readings differ (results, where each request ends, the
 *     attributes, the error text): results must not depend on the split;
 *   - a result breaks the contract: MORE without taking everything,
 *     DONE or ERR taking nothing, an empty error text, more attributes
 *     than the limit, an empty name, a name given twice, or
 *     policy_req_get() not finding a stored attribute.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_hash - FNV-1a over n bytes, into h */
static uint64_t
fuzz_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* fuzz_done - check a complete request; fold it into the hash */
static uint64_t
fuzz_done(const struct policy_req *r, size_t end, uint64_t h)
{
	if (r->nattr < 0 || r->nattr > POLICY_REQ_MAX_ATTRS)
		abort();
	h = fuzz_hash(h, "D", 1);
	h = fuzz_hash(h, &end, sizeof(end));
	for (int i = 0; i < r->nattr; i++) {
		const char *name = r->buf + r->attr[i].name;
		const char *value = r->buf + r->attr[i].value;

		if (*name == '\0' || policy_req_get(r, name) != value)
			abort();
		h = fuzz_hash(h, name, strlen(name) + 1);
		h = fuzz_hash(h, value, strlen(value) + 1);
	}
	return h;
}

/* fuzz_read - read the stream in chunks (0: whole); a hash of it all */
static uint64_t
fuzz_read(struct policy_req *r, const char *in, size_t len, uint32_t seed,
    unsigned shift)
{
	uint64_t h = 14695981039346656037ULL;
	size_t start = 0;

	policy_req_reset(r);
	while (start < len) {
		size_t n = len - start, off = 0;
		char *chunk;

		if (shift != 0) {
			seed = seed * 1103515245 + 12345;
			n = 1 + ((seed >> 8) & ((1U << shift) - 1));
			if (n > len - start)
				n = len - start;
		}
		if ((chunk = malloc(n)) == NULL)
			abort();
		memcpy(chunk, in + start, n);
		while (off < n) {
			size_t used = (size_t)-1;
			enum policy_req_result rc;

			rc = policy_req_feed(r, chunk + off, n - off, &used);
			if (used > n - off)
				abort();
			off += used;
			if (rc == POLICY_REQ_MORE) {
				if (off != n)
					abort();
				break;
			}
			if (used == 0)
				abort();
			if (rc == POLICY_REQ_ERR) {
				if (r->err[0] == '\0' ||
				    policy_req_get(r, "request") != NULL)
					abort();
				off += start;	/* where in the stream */
				h = fuzz_hash(h, "E", 1);
				h = fuzz_hash(h, &off, sizeof(off));
				h = fuzz_hash(h, r->err, strlen(r->err));
				free(chunk);
				return h;
			}
			if (rc != POLICY_REQ_DONE)
				abort();
			h = fuzz_done(r, start + off, h);
			policy_req_reset(r);
		}
		free(chunk);
		start += n;
	}
	return fuzz_hash(h, &r->total, sizeof(r->total));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_req r;
	uint32_t seed;
	unsigned shift;

	if (size < 2)
		return 0;
	seed = (uint32_t)data[0] | (uint32_t)data[1] << 8;
	shift = 1 + data[0] % 12;		/* chunks of up to 2..4096 */
	if (fuzz_read(&r, (const char *)data + 2, size - 2, 0, 0) !=
	    fuzz_read(&r, (const char *)data + 2, size - 2, seed, shift))
		abort();
	return 0;
}
