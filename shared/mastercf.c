/*
 * mastercf.c - service names in master.cf (see mastercf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"

#include "mastercf.h"
#include "safefile.h"
#include "xmalloc.h"

/* mastercf_blank - white space as master(5) reads it */
static int
mastercf_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * mastercf_field - the field at *p (before end) into its start and
 * length; *p moves past it and the blanks after it
 */
static void
mastercf_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *s = *p;

	while (s < end && mastercf_blank(*s))
		s++;
	*f = s;
	while (s < end && *s != '\0' && !mastercf_blank(*s))
		s++;
	*n = (size_t)(s - *f);
	*p = s;
}

/* mastercf_has - see mastercf.h */
int
mastercf_has(const char *buf, size_t len, const char *name,
    const char *type)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol != NULL ? eol : end, *q = p, *f1, *f2;
		size_t n1, n2;

		if (!mastercf_blank(*p) && *p != '#' && *p != '\n') {
			mastercf_field(&q, le, &f1, &n1);
			mastercf_field(&q, le, &f2, &n2);
			if (n1 == strlen(name) && memcmp(f1, name, n1) == 0 &&
			    n2 == strlen(type) && memcmp(f2, type, n2) == 0)
				return 1;
		}
		p = le + 1;
	}
	return 0;
}

/* mastercf_path - CONFDIR/master.cf; "" or NULL: /etc/postfix's */
char *
mastercf_path(const char *confdir)
{
	return xasprintf("%s/master.cf", confdir != NULL && *confdir != '\0' ?
	    confdir : "/etc/postfix");
}

/* mastercf_counts - a limited connector of interest to server self */
static int
mastercf_counts(const struct topology *t, int c, int self)
{
	const struct topo_connector *cn = &t->connectors[c];

	return cn->max_connections > 0 && cn->enabled &&
	    (self < 0 || topo_list_has(&cn->sources, self));
}

/* mastercf_limited - how many limited connectors concern server self */
int
mastercf_limited(const struct topology *t, int self)
{
	int n = 0;

	for (int c = 0; c < t->nconnectors; c++)
		n += mastercf_counts(t, c, self);
	return n;
}

/* mastercf_missing - see mastercf.h */
int
mastercf_missing(const char *buf, size_t len, const struct topology *t,
    int self, void (*fn)(void *, const struct topo_connector *,
    const char *), void *arg)
{
	char tr[TOPO_TRANSPORT_MAX];
	int n = 0;

	for (int c = 0; c < t->nconnectors; c++) {
		if (!mastercf_counts(t, c, self) ||
		    topo_conn_transport(&t->connectors[c], tr, sizeof(tr)) < 0 ||
		    mastercf_has(buf, len, tr, "unix"))
			continue;
		if (fn != NULL)
			fn(arg, &t->connectors[c], tr);
		n++;
	}
	return n;
}

/* mastercf_check - see mastercf.h */
int
mastercf_check(const char *path, const struct topology *t, int self,
    void (*fn)(void *, const struct topo_connector *, const char *),
    void *arg)
{
	struct diag d;
	size_t len;
	char *buf;
	int n = -1;

	diag_init(&d);
	if ((buf = safefile_read(path, MASTERCF_MAX_BYTES, SAFEFILE_FOLLOW,
	    &len, &d)) != NULL)
		n = mastercf_missing(buf, len, t, self, fn, arg);
	free(buf);
	diag_free(&d);
	return n;
}
