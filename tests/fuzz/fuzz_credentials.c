/*
 * fuzz_credentials.c - libFuzzer target: any bytes as a credentials file
 * ([policyd] credentials, shared/credentials.c).
 *
 * credentials_parse() must never crash, leak or read out of bounds: it
 * returns the entries or NULL with the errors in the diag. What it
 * returns keeps the header's promises, else abort: names are valid
 * topology names and unique, each secret is "user:password" with the
 * user's length before the first ':' and no control character; a NULL
 * comes with an error, entries never do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_check - the promises of credentials.h on what was parsed */
static void
fuzz_check(const struct credentials *c)
{
	for (int i = 0; i < c->n; i++) {
		const struct credential *e = &c->v[i];
		size_t len = strlen(e->secret);

		if (!topo_valid_name(e->name) || e->userlen == 0 ||
		    e->userlen >= len || e->secret[e->userlen] != ':' ||
		    memchr(e->secret, ':', e->userlen) != NULL ||
		    credentials_find(c, e->name) != e)
			abort();
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)e->secret[k] < 0x20 ||
			    e->secret[k] == 0x7f)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct credentials *c;
	struct diag d;

	diag_init(&d);
	c = credentials_parse("fuzz", (const char *)data, size, &d);
	if (c != NULL) {
		if (diag_errors(&d) != 0)
			abort();
		fuzz_check(c);
		credentials_free(c);
	} else if (diag_errors(&d) == 0)
		abort();
	diag_free(&d);
	return 0;
}
