/*
 * diag.c - configuration error collection (see diag.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xmalloc.h"

/* diag_init - empty error list */
void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

/* diag_free - release every message */
void
diag_free(struct diag *d)
{
	for (int i = 0; i < d->count; i++)
		free(d->msgs[i]);
	free(d->msgs);
	memset(d, 0, sizeof(*d));
}

/* diag_add - record one error as FILE:LINE: KEY: TEXT */
void
diag_add(struct diag *d, const char *file, int line, const char *key,
    const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (d->count >= DIAG_MAX_ERRORS) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	d->msgs = xreallocarray(d->msgs, d->count + 1, sizeof(*d->msgs));
	if (key != NULL && *key != '\0')
		d->msgs[d->count++] = xasprintf("%s:%d: %s: %s", file, line,
		    key, text);
	else
		d->msgs[d->count++] = xasprintf("%s:%d: %s", file, line, text);
}

/* diag_errors - how many errors were found in all */
int
diag_errors(const struct diag *d)
{
	return d->count + d->dropped;
}

/* diag_print - one error a line, then a count of the dropped ones */
void
diag_print(const struct diag *d, FILE *fp)
{
	for (int i = 0; i < d->count; i++)
		fprintf(fp, "%s\n", d->msgs[i]);
	if (d->dropped)
		fprintf(fp, "... and %d more errors\n", d->dropped);
}

/* diag_contains - whether any error contains the text (for tests) */
int
diag_contains(const struct diag *d, const char *needle)
{
	for (int i = 0; i < d->count; i++)
		if (strstr(d->msgs[i], needle) != NULL)
			return 1;
	return 0;
}
