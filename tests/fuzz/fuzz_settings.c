/*
 * fuzz_settings.c - libFuzzer target: any bytes as a settings file.
 *
 * settings_load_buf() reads over the defaults of settings_init(); it
 * must never crash, leak or read out of bounds. Settings that load are
 * printed (into memory, nothing is written) and the print loaded over
 * fresh defaults: `lsactl show settings` promises a file that reads back
 * to the same values, so an error there, or a second print that differs
 * from the first, aborts as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_print - the settings as text; NULL if out of memory */
static char *
fuzz_print(const struct settings *s, size_t *lenp)
{
	char *buf = NULL;
	FILE *fp;

	if ((fp = open_memstream(&buf, lenp)) == NULL)
		return NULL;
	settings_print(s, fp);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s, s2;
	struct diag d;
	char *p1, *p2;
	size_t n1, n2;
	int rc;

	settings_init(&s);
	diag_init(&d);
	rc = settings_load_buf(&s, "fuzz.conf", (const char *)data, size, &d);
	p1 = rc == 0 ? fuzz_print(&s, &n1) : NULL;
	settings_free(&s);
	if (p1 == NULL) {
		diag_free(&d);
		return 0;
	}
	settings_init(&s2);
	if (settings_load_buf(&s2, "print.conf", p1, n1, &d) < 0) {
		fprintf(stderr, "printed settings do not read back:\n");
		diag_print(&d, stderr);
		fprintf(stderr, "--- printed:\n%.*s", (int)n1, p1);
		abort();
	}
	p2 = fuzz_print(&s2, &n2);
	settings_free(&s2);
	if (p2 != NULL && (n1 != n2 || memcmp(p1, p2, n1) != 0)) {
		fprintf(stderr, "printed settings are not stable:\n--- first:"
		    "\n%.*s--- second:\n%.*s", (int)n1, p1, (int)n2, p2);
		abort();
	}
	free(p1);
	free(p2);
	diag_free(&d);
	return 0;
}
