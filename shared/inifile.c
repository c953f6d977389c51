/*
 * inifile.c - inih with line numbers, section events and limits
 * (see inifile.h).
 *
 * How: inih reads lines through ini_parse_stream()'s reader callback.
 * Our reader counts real lines, refuses over-long lines and control
 * characters, and after each section header hands inih one synthetic line
 * "\001=" that inih reports as a key named "\001" in the new section: that
 * is the section-start event. A real file cannot contain "\001" (the
 * reader refuses control characters), so the marker cannot be forged.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "inifile.h"
#include "safefile.h"
#include "xmalloc.h"

#define INIFILE_MARKER	"\001"

struct inifile_reader {
	const char	*name;		/* file name for errors */
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	int		 line;		/* real line last handed to inih */
	int		 marker;	/* next call returns the marker */
	int		*callmap;	/* inih call number -> real line */
	int		 ncalls;
	struct diag	*diag;
	int		 bad;		/* a line was refused */
	int		 named;		/* inih has a previous key */
	char		 section[INIFILE_MAX_LINE + 1]; /* whole text */
	inifile_fn	 fn;
	void		*arg;
};

/* inifile_note_call - remember which real line inih's next call is */
static void
inifile_note_call(struct inifile_reader *r)
{
	r->callmap = xreallocarray(r->callmap, r->ncalls + 1,
	    sizeof(*r->callmap));
	r->callmap[r->ncalls++] = r->line;
}

/*
 * inifile_section_line - whether inih takes the line (n bytes, no
 * newline) as a section header, by inih's rules: a UTF-8 BOM skipped on
 * line 1; not indented once a key or section was seen (inih then reads
 * an indented line as a continuation); "[" first and "]" before any
 * inline " ;" comment. The text between the brackets goes to section
 * (at least n + 1 bytes).
 */
static int
inifile_section_line(const char *p, size_t n, int line, int named,
    char *section)
{
	int was_space = 0;
	size_t i;

	if (line == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	if (n > 0 && isspace((unsigned char)*p) && named)
		return 0;
	for (i = 0; i < n && isspace((unsigned char)p[i]); i++)
		;
	if (i == n || p[i] != '[')
		return 0;
	for (size_t start = ++i; i < n; i++) {
		if (p[i] == ']') {
			memcpy(section, p + start, i - start);
			section[i - start] = '\0';
			return 1;
		}
		if (was_space && p[i] == ';')
			return 0;
		was_space = isspace((unsigned char)p[i]);
	}
	return 0;
}

/*
 * inifile_cut_comment - end a continuation line (str, n bytes and a
 * newline) at its inline " ;" comment: inih cuts the comment after a
 * "key = value", but inih r55 (Debian 12) hands a continuation line on
 * whole, comment and all; later releases cut it there too.
 */
static void
inifile_cut_comment(char *str, size_t n)
{
	int was_space = 0;

	for (size_t i = 0; i < n; i++) {
		if (was_space && str[i] == ';') {
			str[i] = '\n';
			str[i + 1] = '\0';
			return;
		}
		was_space = isspace((unsigned char)str[i]);
	}
}

/* inifile_read - inih's reader: one line a call, checked */
static char *
inifile_read(char *str, int num, void *stream)
{
	struct inifile_reader *r = stream;
	const char *p, *nl;
	size_t n;

	if (r->marker) {
		r->marker = 0;
		inifile_note_call(r);
		snprintf(str, (size_t)num, "%s=\n", INIFILE_MARKER);
		return str;
	}
	if (r->pos >= r->len)
		return NULL;
	p = r->buf + r->pos;
	nl = memchr(p, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - p) : r->len - r->pos;
	r->pos += n + (nl != NULL);
	r->line++;
	inifile_note_call(r);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > INIFILE_MAX_LINE || n + 2 > (size_t)num) {
		diag_add(r->diag, r->name, r->line, NULL, "line too long "
		    "(at most %d characters; continue a list on an "
		    "indented line)", INIFILE_MAX_LINE);
		r->bad = 1;
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			diag_add(r->diag, r->name, r->line, NULL,
			    "control character 0x%02x in line", c);
			r->bad = 1;
			str[0] = '\n';
			str[1] = '\0';
			return str;
		}
	}
	memcpy(str, p, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	if (inifile_section_line(p, n, r->line, r->named, r->section))
		r->marker = 1;
	else if (n > 0 && isspace((unsigned char)*p) && r->named)
		inifile_cut_comment(str, n);
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	if (n > 0 && *p != ';' && *p != '#')
		r->named = 1;
	return str;
}

/*
 * inifile_handler - inih's handler: pass events on with line numbers and
 * the whole section text (inih's own copy is cut at 49 characters)
 */
static int
inifile_handler(void *user, const char *isection, const char *name,
    const char *value)
{
	struct inifile_reader *r = user;
	const char *section = r->section;

	(void)isection;
	if (strcmp(name, INIFILE_MARKER) == 0 && *value != '\0') {
		/* inih continues the marker: an indented line after [x] */
		diag_add(r->diag, r->name, r->line, NULL, "indented line "
		    "after a section header (only a key's value continues "
		    "on an indented line)");
		r->bad = 1;
	} else if (strcmp(name, INIFILE_MARKER) == 0)
		r->fn(r->arg, r->name, r->line, section, NULL, NULL);
	else if (*value == ';')
		/* "key =;x": inih keeps ";x" (its comments need a blank
		   before ";"), but "key = ;x" is empty: so is this */
		r->fn(r->arg, r->name, r->line, section, name, "");
	else
		r->fn(r->arg, r->name, r->line, section, name, value);
	return 1;
}

/* inifile_parse_buf - parse an in-memory file */
int
inifile_parse_buf(const char *name, const char *buf, size_t len,
    inifile_fn fn, void *arg, struct diag *d)
{
	struct inifile_reader r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.buf = buf;
	r.len = len;
	r.diag = d;
	r.fn = fn;
	r.arg = arg;
	if (len > INIFILE_MAX_BYTES) {
		diag_add(d, name, 0, NULL, "file larger than %d bytes",
		    INIFILE_MAX_BYTES);
		return -1;
	}
	rc = ini_parse_stream(inifile_read, &r, inifile_handler, &r);
	if (rc > 0) {
		int line = rc <= r.ncalls ? r.callmap[rc - 1] : r.line;

		diag_add(d, name, line, NULL, "syntax error (want "
		    "\"[section]\" or \"key = value\")");
		r.bad = 1;
	} else if (rc < 0) {
		diag_add(d, name, 0, NULL, "cannot parse (inih error %d)", rc);
		r.bad = 1;
	}
	free(r.callmap);
	return r.bad ? -1 : 0;
}

/* inifile_slurp - read a whole configuration file, bounded; NUL-terminated
 * (safefile_read: no FIFO, no device; a link is followed, as admins link
 * configuration files) */
char *
inifile_slurp(const char *path, size_t *lenp, struct diag *d)
{
	return safefile_read(path, INIFILE_MAX_BYTES, SAFEFILE_FOLLOW, lenp, d);
}

/* inifile_parse - read a file whole, then parse it */
int
inifile_parse(const char *path, inifile_fn fn, void *arg, struct diag *d)
{
	size_t len;
	char *buf;
	int rc;

	if ((buf = inifile_slurp(path, &len, d)) == NULL)
		return -1;
	rc = inifile_parse_buf(path, buf, len, fn, arg, d);
	free(buf);
	return rc;
}

/* inifile_split_section - "group London" -> "group", "London" */
int
inifile_split_section(const char *section, char *type, size_t tlen,
    char *name, size_t nlen)
{
	const char *p = section, *q;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	for (q = p; *q && !isspace((unsigned char)*q); q++)
		;
	n = (size_t)(q - p);
	if (n == 0 || n >= tlen)
		return -1;
	memcpy(type, p, n);
	type[n] = '\0';
	while (isspace((unsigned char)*q))
		q++;
	n = strlen(q);
	while (n > 0 && isspace((unsigned char)q[n - 1]))
		n--;
	if (n >= nlen)
		return -1;
	memcpy(name, q, n);
	name[n] = '\0';
	return 0;
}
