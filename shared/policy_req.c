/*
 * policy_req.c - Postfix policy delegation requests (see policy_req.h).
 *
 * How: one byte at a time (a request is at most 16 KiB, read once), so
 * every limit is judged at the exact byte that passes it and the result
 * cannot depend on where the reads split the stream. The bytes of the
 * line being read are appended to buf; at its "\n" the line is checked
 * and cut in place into "name\0value\0", the '\0' after the value taking
 * the place of the "\n". Each byte of buf is paid for by a byte of the
 * request, so buf never holds more than POLICY_REQ_MAX_SIZE bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_req.h"

_Static_assert(POLICY_REQ_MAX_SIZE <= UINT16_MAX,
    "attribute offsets are 16 bits");

/* policy_req_reset - forget everything; ready for the next request */
void
policy_req_reset(struct policy_req *r)
{
	r->state = POLICY_REQ_MORE;
	r->total = 0;
	r->used = 0;
	r->line = 0;
	r->lineno = 0;
	r->nattr = 0;
	r->err[0] = '\0';
}

/* policy_req_fail - record an error about the current line and stop */
static enum policy_req_result __attribute__((format(printf, 2, 3)))
policy_req_fail(struct policy_req *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, sizeof(r->err), "line %d: ", r->lineno + 1);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->state = POLICY_REQ_ERR;
	return r->state;
}

/* policy_req_line - a "\n" came: end the request or store an attribute */
static enum policy_req_result
policy_req_line(struct policy_req *r)
{
	size_t start = r->line, end = r->used, eq;
	const char *p;

	if (end > start && r->buf[end - 1] == '\r')
		end--;
	if (end == start) {
		r->used = start;
		r->state = POLICY_REQ_DONE;
		return r->state;
	}
	if ((p = memchr(r->buf + start, '=', end - start)) == NULL)
		return policy_req_fail(r, "no '=' (want name=value)");
	eq = (size_t)(p - r->buf);
	if (eq == start)
		return policy_req_fail(r, "empty attribute name");
	if (r->nattr == POLICY_REQ_MAX_ATTRS)
		return policy_req_fail(r, "more than %d attributes",
		    POLICY_REQ_MAX_ATTRS);
	r->buf[eq] = '\0';
	r->buf[end] = '\0';
	for (int i = 0; i < r->nattr; i++)
		if (strcmp(r->buf + r->attr[i].name, r->buf + start) == 0)
			return policy_req_fail(r, "attribute name repeated");
	r->attr[r->nattr].name = (uint16_t)start;
	r->attr[r->nattr].value = (uint16_t)(eq + 1);
	r->nattr++;
	r->lineno++;
	r->used = end + 1;
	r->line = r->used;
	return POLICY_REQ_MORE;
}

/* policy_req_feed - take the next bytes of the request */
enum policy_req_result
policy_req_feed(struct policy_req *r, const char *buf, size_t len,
    size_t *consumed)
{
	size_t i;

	if (r->state != POLICY_REQ_MORE) {
		*consumed = 0;
		return r->state;
	}
	for (i = 0; i < len; i++) {
		char c = buf[i];
		size_t n = r->used - r->line;	/* line bytes so far */

		if (r->total == POLICY_REQ_MAX_SIZE) {
			*consumed = i + 1;
			return policy_req_fail(r, "request larger than %d "
			    "bytes", POLICY_REQ_MAX_SIZE);
		}
		r->total++;
		if (c == '\n') {
			if (policy_req_line(r) != POLICY_REQ_MORE) {
				*consumed = i + 1;
				return r->state;
			}
			continue;
		}
		/* one byte past the limit may be the "\r" of a "\r\n" */
		if (n > POLICY_REQ_MAX_LINE ||
		    (n == POLICY_REQ_MAX_LINE && c != '\r')) {
			*consumed = i + 1;
			return policy_req_fail(r, "longer than %d bytes",
			    POLICY_REQ_MAX_LINE);
		}
		if (c == '\0') {
			*consumed = i + 1;
			return policy_req_fail(r, "NUL byte");
		}
		r->buf[r->used++] = c;
	}
	*consumed = len;
	return POLICY_REQ_MORE;
}

/* policy_req_get - the value of an attribute of a complete request */
const char *
policy_req_get(const struct policy_req *r, const char *name)
{
	if (r->state != POLICY_REQ_DONE)
		return NULL;
	for (int i = 0; i < r->nattr; i++)
		if (strcmp(r->buf + r->attr[i].name, name) == 0)
			return r->buf + r->attr[i].value;
	return NULL;
}
