/*
 * xmalloc.h - allocation wrappers that never return NULL.
 *
 * Every function here either succeeds or ends the process with a log line:
 * running out of memory is a broken invariant for these daemons, not an
 * input error. Callers own what they get and free it with free(3).
 */
#ifndef LSA_XMALLOC_H
#define LSA_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
