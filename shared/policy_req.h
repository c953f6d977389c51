/*
 * policy_req.h - one Postfix policy delegation request, read
 * incrementally (SMTPD_POLICY_README).
 *
 * Wire format: lines "name=value\n"; an empty line ends the request.
 * The value is everything after the first '=' (it may be empty, as in
 * "sasl_method=", and may hold '='). A "\r" right before a "\n" is
 * dropped, so "\r\n" lines are read too; any other byte, 8-bit ones
 * included, is kept as it is, except NUL (values are C strings here).
 * One connection carries requests one after another; a client may send
 * the next before the reply to this one (pipelining).
 *
 * Limits (each refused as soon as it is passed, not at the end):
 *   POLICY_REQ_MAX_LINE	bytes in a line, its "\n" or "\r\n" not counted
 *   POLICY_REQ_MAX_ATTRS	attributes in a request
 *   POLICY_REQ_MAX_SIZE	bytes in a request, every "\n" and the empty
 *				line's included
 * Other errors: a line without '=', an empty name, a NUL byte, a name
 * given twice (which of two "recipient=" lines is meant cannot be told,
 * and Postfix never repeats one). An empty line with no attribute before
 * it is a request with no attributes: DONE, nattr 0.
 *
 * Use: a struct policy_req that is zeroed or policy_req_reset() holds
 * nothing. policy_req_feed() takes the next bytes received and returns
 *   POLICY_REQ_MORE	all len bytes taken (*consumed == len); feed more;
 *   POLICY_REQ_DONE	the request is complete; *consumed bytes of buf
 *			belonged to it, the rest is the next request's:
 *			policy_req_get() answers, then policy_req_reset()
 *			before feeding that rest;
 *   POLICY_REQ_ERR	r->err says why: "line N: TEXT", N counting
 *			from 1 in this request;
 *			*consumed counts up to the byte that was refused.
 *			Drop the connection.
 * After DONE or ERR, feeding again returns the same result and takes
 * nothing until policy_req_reset(). Results do not depend on how the
 * bytes are split between calls. Error texts after "line N: ":
 * "no '=' (want name=value)", "empty attribute name", "NUL byte",
 * "attribute name repeated", "longer than 2048 bytes", "more than 64
 * attributes", "request larger than 16384 bytes".
 *
 * policy_req_get() gives the value of the named attribute (exact,
 * case-sensitive name) of a complete request, or NULL when there is no
 * such attribute or the request is not DONE. The value lives in r until
 * policy_req_reset(). Attributes in the order received are
 * r->buf + r->attr[i].name / .value for i below r->nattr.
 *
 * Storage is inside the struct (no allocation): the lines are kept in
 * buf as "name\0value\0" and attr[] holds their offsets. A line of n
 * bytes and its "\n" take n + 1 bytes there, so a request within
 * POLICY_REQ_MAX_SIZE always fits.
 */
#ifndef LSA_POLICY_REQ_H
#define LSA_POLICY_REQ_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_REQ_MAX_LINE	2048
#define POLICY_REQ_MAX_ATTRS	64
#define POLICY_REQ_MAX_SIZE	(16 * 1024)
#define POLICY_REQ_ERRLEN	96

enum policy_req_result {
	POLICY_REQ_MORE,		/* 0: a zeroed struct reads on */
	POLICY_REQ_DONE,
	POLICY_REQ_ERR,
};

struct policy_req_attr {
	uint16_t	 name;		/* offsets into buf */
	uint16_t	 value;
};

struct policy_req {
	enum policy_req_result state;	/* MORE until DONE or ERR */
	size_t		 total;		/* request bytes taken so far */
	size_t		 used;		/* bytes of buf in use */
	size_t		 line;		/* where the line being read starts */
	int		 lineno;	/* lines completed */
	int		 nattr;
	struct policy_req_attr attr[POLICY_REQ_MAX_ATTRS];
	char		 err[POLICY_REQ_ERRLEN];
	char		 buf[POLICY_REQ_MAX_SIZE];
};

void policy_req_reset(struct policy_req *r);
enum policy_req_result policy_req_feed(struct policy_req *r,
    const char *buf, size_t len, size_t *consumed);
const char *policy_req_get(const struct policy_req *r, const char *name);

#endif
