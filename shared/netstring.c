/*
 * netstring.c - netstring framing (see netstring.h).
 *
 * How: netstring_parse() is stateless; it rescans the length digits on
 * every call (at most the digits of max_payload, since leading zeros are
 * refused), so a caller keeps its receive buffer and calls again when
 * more bytes arrive. No sum is formed that can wrap: the length is
 * compared with the limit before each digit is added, and the payload
 * is located by comparing plen with the bytes left, never by adding.
 */
#include <stdint.h>
#include <string.h>

#include "netstring.h"

/* netstring_parse - one netstring at the start of buf, or why not */
enum netstring_result
netstring_parse(const char *buf, size_t len, size_t max_payload,
    const char **payload, size_t *plen, size_t *consumed, const char **err)
{
	size_t i, n = 0, left;

	if (len == 0)
		return NETSTRING_MORE;
	if (buf[0] == ':') {
		*err = "missing length";
		return NETSTRING_ERR;
	}
	if (buf[0] < '0' || buf[0] > '9') {
		*err = "length does not start with a digit";
		return NETSTRING_ERR;
	}
	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		size_t d = (size_t)(buf[i] - '0');

		if (i == 1 && buf[0] == '0') {
			*err = "length has a leading zero";
			return NETSTRING_ERR;
		}
		if (d > max_payload || n > (max_payload - d) / 10) {
			*err = "length larger than the limit";
			return NETSTRING_ERR;
		}
		n = n * 10 + d;
	}
	if (i == len)
		return NETSTRING_MORE;
	if (buf[i] != ':') {
		*err = "missing ':' after length";
		return NETSTRING_ERR;
	}
	i++;
	left = len - i;			/* bytes after the ':' */
	if (left <= n)
		return NETSTRING_MORE;	/* payload or ',' still to come */
	if (buf[i + n] != ',') {
		*err = "missing ',' after payload";
		return NETSTRING_ERR;
	}
	*payload = buf + i;
	*plen = n;
	*consumed = i + n + 1;
	return NETSTRING_OK;
}

/* netstring_format - "<plen>:<payload>," into out; its size or 0 */
size_t
netstring_format(char *out, size_t outlen, const char *payload, size_t plen)
{
	size_t ndig = 1, total;

	for (size_t v = plen; v >= 10; v /= 10)
		ndig++;
	if (plen > SIZE_MAX - ndig - 2)
		return 0;
	total = ndig + plen + 2;
	if (total > outlen)
		return 0;
	for (size_t v = plen, k = ndig; k > 0; v /= 10)
		out[--k] = (char)('0' + v % 10);
	out[ndig] = ':';
	if (plen > 0)
		memcpy(out + ndig + 1, payload, plen);
	out[total - 1] = ',';
	return total;
}
