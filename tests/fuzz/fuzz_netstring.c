/*
 * fuzz_netstring.c - libFuzzer target: any bytes as a socketmap stream.
 *
 * The input is read the way lsa-policyd reads a connection:
 * netstring_parse() at the start of what is left, with the socketmap
 * limit, until it asks for more or fails; each payload goes through
 * socketmap_request_parse(). Besides memory errors (ASan, UBSan), it
 * aborts when a result breaks the contract:
 *   - OK: the payload lies inside the input, plen <= the limit, and
 *     every shorter prefix of the netstring is MORE, while
 *     netstring_format() of the payload gives back exactly its bytes;
 *   - a request that parses: name and key lie in the payload, split by
 *     one space, the name is not empty and the key is not empty;
 *   - the same stream read with a limit of 64 gives the same netstrings
 *     up to the first longer one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netstring.h"
#include "socketmap_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL_MAX	64

/* fuzz_request - socketmap_request_parse() on one payload, checked */
static void
fuzz_request(const char *payload, size_t plen)
{
	const char *name, *key, *err;
	size_t namelen, keylen;

	if (socketmap_request_parse(payload, plen, &name, &namelen, &key,
	    &keylen, &err) != 0) {
		if (err == NULL || *err == '\0')
			abort();
		return;
	}
	if (name != payload || namelen == 0 || keylen == 0 ||
	    key != payload + namelen + 1 || namelen + 1 + keylen != plen ||
	    payload[namelen] != ' ' || memchr(key, '\0', keylen) != NULL)
		abort();
}

/* fuzz_check_ok - an OK netstring: prefixes and the round trip */
static void
fuzz_check_ok(const char *buf, size_t len, size_t max, const char *payload,
    size_t plen, size_t used)
{
	static char out[NETSTRING_SOCKETMAP_MAX + 32];
	const char *p, *err;
	size_t n, u;

	if (used > len || used < 3 || plen > max || payload < buf ||
	    payload + plen + 1 != buf + used || buf[used - 1] != ',')
		abort();
	/* a few prefixes: all short of the netstring are MORE */
	for (size_t k = used - 1, step = 1; ; k -= step, step *= 2) {
		if (netstring_parse(buf, k, max, &p, &n, &u, &err) !=
		    NETSTRING_MORE)
			abort();
		if (k < step || k == 0)
			break;
	}
	n = netstring_format(out, sizeof(out), payload, plen);
	if (n != used || memcmp(out, buf, used) != 0)
		abort();
	if (netstring_format(out, used - 1, payload, plen) != 0)
		abort();
}

/* fuzz_stream - read the whole stream with one limit; OK count */
static size_t
fuzz_stream(const char *buf, size_t len, size_t max, size_t *ends,
    size_t nends)
{
	size_t off = 0, count = 0;

	for (;;) {
		const char *payload, *err = NULL;
		size_t plen, used;
		enum netstring_result rc;

		rc = netstring_parse(buf + off, len - off, max, &payload,
		    &plen, &used, &err);
		if (rc == NETSTRING_MORE)
			break;
		if (rc == NETSTRING_ERR) {
			if (err == NULL || *err == '\0')
				abort();
			break;
		}
		if (rc != NETSTRING_OK)
			abort();
		fuzz_check_ok(buf + off, len - off, max, payload, plen, used);
		if (max == NETSTRING_SOCKETMAP_MAX)
			fuzz_request(payload, plen);
		off += used;
		if (count < nends)
			ends[count] = off;
		count++;
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t big[65536], small[65536];
	const char *buf = (const char *)data;
	size_t nbig, nsmall, i;

	nbig = fuzz_stream(buf, size, NETSTRING_SOCKETMAP_MAX, big, 65536);
	nsmall = fuzz_stream(buf, size, SMALL_MAX, small, 65536);
	/* the small limit stops at the first long one, never elsewhere */
	if (nsmall > nbig)
		abort();
	for (i = 0; i < nsmall && i < 65536; i++)
		if (small[i] != big[i])
			abort();
	return 0;
}
