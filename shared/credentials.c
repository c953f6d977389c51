/*
 * credentials.c - read the credentials file (see credentials.h).
 */
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "safefile.h"
#include "topology.h"
#include "xmalloc.h"

/* credentials_blank - a space or a tab */
static int
credentials_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* credentials_ctl - does [s, s+n) hold a control character? */
static int
credentials_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* credentials_trim - [*s, *e) without blanks at either end */
static void
credentials_trim(const char **s, const char **e)
{
	while (*s < *e && credentials_blank(**s))
		(*s)++;
	while (*e > *s && credentials_blank((*e)[-1]))
		(*e)--;
}

/*
 * credentials_line - one line [p, e) that is not blank or a comment;
 * errors never quote the value
 */
static void
credentials_line(struct credentials *c, const char *file, int line,
    const char *p, const char *e, struct diag *d)
{
	const char *eq = memchr(p, '=', (size_t)(e - p)), *ns, *ne, *vs, *ve;
	const char *colon;
	char name[TOPO_NAME_MAX + 1];
	size_t ul, pl;

	if (eq == NULL) {
		diag_add(d, file, line, NULL, "want NAME = user:password");
		return;
	}
	ns = p;
	ne = eq;
	credentials_trim(&ns, &ne);
	/* a bad name is not quoted either: "user:pa=ss" has no name */
	if ((size_t)(ne - ns) <= TOPO_NAME_MAX && ne > ns) {
		memcpy(name, ns, (size_t)(ne - ns));
		name[ne - ns] = '\0';
	} else
		name[0] = '\0';
	if (!topo_valid_name(name)) {
		diag_add(d, file, line, NULL, "bad name (letters, digits, '.', "
		    "'_', '-'; at most %d)", TOPO_NAME_MAX);
		return;
	}
	vs = eq + 1;
	ve = e;
	credentials_trim(&vs, &ve);
	colon = memchr(vs, ':', (size_t)(ve - vs));
	if (colon == NULL) {
		diag_add(d, file, line, name, "want user:password");
		return;
	}
	ul = (size_t)(colon - vs);
	pl = (size_t)(ve - colon - 1);
	if (ul == 0 || ul > CREDENTIALS_PART_MAX || pl == 0 ||
	    pl > CREDENTIALS_PART_MAX) {
		diag_add(d, file, line, name, "user and password must each "
		    "have 1..%d bytes", CREDENTIALS_PART_MAX);
		return;
	}
	for (const char *q = vs; q < colon; q++)
		if (credentials_blank(*q)) {
			diag_add(d, file, line, name, "a blank in the user");
			return;
		}
	if (credentials_ctl(vs, (size_t)(ve - vs))) {
		diag_add(d, file, line, name, "a control character in the "
		    "value");
		return;
	}
	if (credentials_find(c, name) != NULL) {
		diag_add(d, file, line, name, "given twice (first at line %d)",
		    credentials_find(c, name)->line);
		return;
	}
	if (c->n >= CREDENTIALS_MAX) {
		diag_add(d, file, line, name, "more than %d entries",
		    CREDENTIALS_MAX);
		return;
	}
	c->v = xreallocarray(c->v, (size_t)c->n + 1, sizeof(*c->v));
	c->v[c->n].name = xstrdup(name);
	c->v[c->n].secret = xstrndup(vs, (size_t)(ve - vs));
	c->v[c->n].userlen = ul;
	c->v[c->n].line = line;
	c->n++;
}

/* credentials_parse - see credentials.h */
struct credentials *
credentials_parse(const char *file, const char *buf, size_t len,
    struct diag *d)
{
	struct credentials *c = xcalloc(1, sizeof(*c));
	int before = diag_errors(d), line = 0;
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end, *s = p;

		line++;
		p = nl != NULL ? nl + 1 : end;
		if (e > s && e[-1] == '\r')
			e--;
		if ((size_t)(e - s) > CREDENTIALS_LINE_MAX) {
			diag_add(d, file, line, NULL, "line longer than %d "
			    "bytes", CREDENTIALS_LINE_MAX);
			continue;
		}
		if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
			diag_add(d, file, line, NULL, "a NUL byte");
			continue;
		}
		while (s < e && credentials_blank(*s))
			s++;
		if (s == e || *s == '#' || *s == ';')
			continue;
		credentials_line(c, file, line, s, e, d);
	}
	if (diag_errors(d) > before) {
		credentials_free(c);
		return NULL;
	}
	return c;
}

/* credentials_load - see credentials.h */
struct credentials *
credentials_load(const char *path, struct diag *d)
{
	struct credentials *c;
	size_t len;
	char *buf;

	if ((buf = safefile_read(path, CREDENTIALS_FILE_MAX,
	    SAFEFILE_FOLLOW | SAFEFILE_PRIVATE, &len, d)) == NULL)
		return NULL;
	c = credentials_parse(path, buf, len, d);
	explicit_bzero(buf, len);
	free(buf);
	return c;
}

/* credentials_find - the entry NAME, or NULL */
const struct credential *
credentials_find(const struct credentials *c, const char *name)
{
	if (c == NULL)
		return NULL;
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* credentials_free - wipe the secrets, free everything */
void
credentials_free(struct credentials *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n; i++) {
		explicit_bzero(c->v[i].secret, strlen(c->v[i].secret));
		free(c->v[i].secret);
		free(c->v[i].name);
	}
	free(c->v);
	free(c);
}
