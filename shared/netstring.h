/*
 * netstring.h - netstring framing, as Postfix socketmap tables use it.
 *
 * Wire format (D. J. Bernstein's netstrings; socketmap_table(5)): each
 * request and each reply travels as
 *
 *	<len>:<payload>,
 *
 * where <len> is the payload's size in bytes in decimal ASCII digits.
 * Rules enforced here:
 *   - <len> is one or more digits, with no sign, space or leading zero
 *     ("0" alone is the empty payload; "05:" is refused): Postfix writes
 *     plain decimal lengths, so a leading zero only comes from a broken
 *     or hostile peer, and refusing it bounds <len> to the digits of
 *     the limit;
 *   - <len> is at most the caller's max_payload (NETSTRING_SOCKETMAP_MAX,
 *     100000 bytes, is socketmap's limit in both directions). The value
 *     is checked digit by digit before it can overflow, so a length is
 *     refused at the first digit that takes it past the limit;
 *   - the payload is any bytes (NUL included), followed by ',' exactly.
 *
 * netstring_parse() looks at the start of a receive buffer and says:
 *   NETSTRING_OK	one whole netstring is there; *payload (into buf)
 *			and *plen give its payload, *consumed its size with
 *			framing (more netstrings may follow: pipelining);
 *   NETSTRING_MORE	everything there is a valid beginning: read more
 *			(an empty buffer is MORE);
 *   NETSTRING_ERR	the bytes there can never become a netstring within
 *			the limit; *err is a static reason. A bad prefix is
 *			judged as soon as it is bad: a non-digit first byte,
 *			a leading zero, a length past the limit, a byte
 *			other than ':' after the digits or other than ','
 *			after the payload. Drop the connection. Reasons:
 *			"missing length", "length does not start with a
 *			digit", "length has a leading zero", "length larger
 *			than the limit", "missing ':' after length",
 *			"missing ',' after payload".
 * Outputs are written only for the result that defines them (payload,
 * plen and consumed on OK, err on ERR); every pointer must be valid.
 *
 * netstring_format() writes "<plen>:<payload>," (no NUL after it) and
 * returns its size, or 0 when out is too small (nothing useful written;
 * the size is computed without overflow). payload may be NULL when plen
 * is 0. It does not apply a limit: replies are kept within
 * NETSTRING_SOCKETMAP_MAX by their writer.
 *
 * Both are pure: no I/O, no allocation, no state. The request inside a
 * socketmap netstring is socketmap_req.h's.
 */
#ifndef LSA_NETSTRING_H
#define LSA_NETSTRING_H

#include <stddef.h>

#define NETSTRING_SOCKETMAP_MAX	100000	/* socketmap payload limit, bytes */

enum netstring_result {
	NETSTRING_OK,
	NETSTRING_MORE,
	NETSTRING_ERR,
};

enum netstring_result netstring_parse(const char *buf, size_t len,
    size_t max_payload, const char **payload, size_t *plen,
    size_t *consumed, const char **err);
size_t netstring_format(char *out, size_t outlen, const char *payload,
    size_t plen);

#endif
