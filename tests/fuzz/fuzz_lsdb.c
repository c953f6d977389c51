/*
 * fuzz_lsdb.c - libFuzzer target: any bytes as the LST file (lsdb_load_buf,
 * the buffer entry point of lsdb_load).
 *
 * lsdb_load_buf() must never crash, leak or read out of bounds. It loads
 * the whole file or nothing: it aborts when a refused file left records
 * in the table or came without a reason, or when a loaded table, encoded
 * again (lsdb_encode) and loaded into a new table, differs from the
 * first (lst_version, count, digest).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsdb *db = lsdb_new(), *db2;
	uint64_t v = 0, v2 = 0;
	struct diag d;
	char *text;

	diag_init(&d);
	if (lsdb_load_buf(db, "fuzz", (const char *)data, size, &v, &d) < 0) {
		if (d.count == 0 || lsdb_count(db) != 0)
			abort();
		lsdb_free(db);
		diag_free(&d);
		return 0;
	}
	text = lsdb_encode(db, v);
	db2 = lsdb_new();
	if (lsdb_load_buf(db2, "again", text, strlen(text), &v2, &d) < 0 ||
	    v2 != v || lsdb_count(db2) != lsdb_count(db) ||
	    strcmp(lsdb_digest(db), lsdb_digest(db2)) != 0)
		abort();
	free(text);
	lsdb_free(db2);
	lsdb_free(db);
	diag_free(&d);
	return 0;
}
