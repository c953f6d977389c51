/*
 * diag.h - configuration errors collected while loading a file.
 *
 * Loading a file does not stop at the first problem: every error is
 * recorded as "FILE:LINE: KEY: TEXT" (LINE 0 when the error is about the
 * whole file, KEY empty when about a section or a line) so an admin fixes
 * them all in one pass. The caller owns the struct diag and frees it with
 * diag_free(); entries are kept in the order they were found.
 */
#ifndef LSA_DIAG_H
#define LSA_DIAG_H

#include <stdio.h>

#define DIAG_MAX_ERRORS	100	/* further errors are counted, not kept */

struct diag {
	char	**msgs;		/* formatted errors, in order */
	int	  count;	/* errors kept */
	int	  dropped;	/* errors past DIAG_MAX_ERRORS */
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
void diag_add(struct diag *d, const char *file, int line, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int diag_errors(const struct diag *d);
void diag_print(const struct diag *d, FILE *fp);
int diag_contains(const struct diag *d, const char *needle);

#endif
