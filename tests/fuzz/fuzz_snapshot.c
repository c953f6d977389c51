/*
 * fuzz_snapshot.c - libFuzzer target: any bytes as an LST snapshot
 * (snapshot_parse, the buffer entry point of snapshot_load).
 *
 * snapshot_parse() must never crash, leak or read out of bounds: it
 * returns a snapshot or NULL with the errors in the diag. A snapshot
 * that loads is encoded again (snapshot_encode, with the topology text
 * of the input) and parsed: it aborts when that fails, when a refusal
 * comes without a reason, or when the second snapshot differs from the
 * first (lst_version, every connector source's state, every server's).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"
#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_same - two snapshots with the same version and link state */
static int
fuzz_same(const struct snapshot *a, const struct snapshot *b)
{
	return a->lst_version == b->lst_version &&
	    a->topo->nservers == b->topo->nservers &&
	    a->topo->nconnectors == b->topo->nconnectors &&
	    linkstate_equal(a->ls, b->ls, a->topo);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s, *s2;
	struct diag d;
	json_t *root;
	char *text, *json;

	diag_init(&d);
	s = snapshot_parse("fuzz", (const char *)data, size, &d);
	if (s == NULL) {
		if (d.count == 0)
			abort();	/* refused without a reason */
		diag_free(&d);
		return 0;
	}
	/* the topology text of the input, as the agent would hold it */
	root = json_loadb((const char *)data, size, 0, NULL);
	if (root == NULL)
		abort();
	text = strdup(json_string_value(json_object_get(root, "topology")));
	json_decref(root);
	json = snapshot_encode(s->lst_version, text, s->topo, s->ls);
	s2 = snapshot_parse("again", json, strlen(json), &d);
	if (s2 == NULL || !fuzz_same(s, s2))
		abort();
	snapshot_free(s2);
	snapshot_free(s);
	free(json);
	free(text);
	diag_free(&d);
	return 0;
}
