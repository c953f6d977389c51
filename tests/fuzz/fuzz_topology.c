/*
 * fuzz_topology.c - libFuzzer target: any bytes as a topology file.
 *
 * topo_load_buf() must never crash, leak or read out of bounds, whatever
 * the input: it returns a topology or NULL with the errors in the diag.
 * A topology that loads is printed (into memory, nothing is written) and
 * the print loaded again: topo_print() promises a valid file that loads
 * to the same model, so an error there, or a second print that differs
 * from the first, aborts as a crash. The "    ; default..." notes are
 * left out of the comparison: a default printed is explicit once read
 * back, so the second print has no note where the first had one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_print - the normalized topology as text; NULL if out of memory */
static char *
fuzz_print(const struct topology *t, size_t *lenp)
{
	char *buf = NULL;
	FILE *fp;

	if ((fp = open_memstream(&buf, lenp)) == NULL)
		return NULL;
	topo_print(t, fp);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* fuzz_strip - drop every "    ; default..." note up to its line's end */
static size_t
fuzz_strip(char *s, size_t n)
{
	static const char note[] = "    ; default";
	size_t i = 0, o = 0;

	while (i < n) {
		if (n - i >= sizeof(note) - 1 &&
		    memcmp(s + i, note, sizeof(note) - 1) == 0) {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		s[o++] = s[i++];
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topology *t, *t2;
	struct diag d;
	char *p1, *p2;
	size_t n1, n2;

	diag_init(&d);
	t = topo_load_buf("fuzz.conf", (const char *)data, size, &d);
	if (t == NULL) {
		diag_free(&d);
		return 0;
	}
	p1 = fuzz_print(t, &n1);
	topo_free(t);
	if (p1 == NULL) {
		diag_free(&d);
		return 0;
	}
	t2 = topo_load_buf("print.conf", p1, n1, &d);
	if (t2 == NULL) {
		fprintf(stderr, "printed topology does not reload:\n");
		diag_print(&d, stderr);
		fprintf(stderr, "--- printed:\n%.*s", (int)n1, p1);
		abort();
	}
	p2 = fuzz_print(t2, &n2);
	topo_free(t2);
	if (p2 != NULL) {
		n1 = fuzz_strip(p1, n1);
		n2 = fuzz_strip(p2, n2);
	}
	if (p2 != NULL && (n1 != n2 || memcmp(p1, p2, n1) != 0)) {
		fprintf(stderr, "printed topology is not stable:\n--- first:"
		    "\n%.*s--- second:\n%.*s", (int)n1, p1, (int)n2, p2);
		abort();
	}
	free(p1);
	free(p2);
	diag_free(&d);
	return 0;
}
