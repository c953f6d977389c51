/*
 * socketmap_req.c - socketmap requests "NAME KEY" (see socketmap_req.h).
 *
 * How: the name is the longest run of name bytes at the start; the key
 * is checked against the well-formed UTF-8 byte sequences of Unicode
 * table 3-7, which rules out overlong forms, surrogates and values past
 * U+10FFFF by the range allowed for the second byte.
 */
#include "socketmap_req.h"

/* socketmap_req_name_char - a byte allowed in a table name */
static int
socketmap_req_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * socketmap_req_key_ok - valid UTF-8 (RFC 3629; the well-formed sequences
 * of Unicode table 3-7) with no control character: C0, DEL, C1
 */
static int
socketmap_req_key_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;
		size_t need;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c == 0xe0) {
			need = 2;
			lo = 0xa0;		/* else overlong */
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			need = 2;
		else if (c == 0xed) {
			need = 2;
			hi = 0x9f;		/* else a surrogate */
		} else if (c == 0xf0) {
			need = 3;
			lo = 0x90;		/* else overlong */
		} else if (c >= 0xf1 && c <= 0xf3)
			need = 3;
		else if (c == 0xf4) {
			need = 3;
			hi = 0x8f;		/* else past U+10FFFF */
		} else
			return 0;		/* 80..c1, f5..ff */
		if (n - i <= need)
			return 0;		/* truncated */
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		if (c == 0xc2 && s[i + 1] <= 0x9f)
			return 0;		/* C1 control */
		i += need + 1;
	}
	return 1;
}

/* socketmap_request_parse - "NAME KEY" into its two parts */
int
socketmap_request_parse(const char *payload, size_t plen, const char **name,
    size_t *namelen, const char **key, size_t *keylen, const char **err)
{
	size_t i;

	for (i = 0; i < plen; i++)
		if (!socketmap_req_name_char((unsigned char)payload[i]))
			break;
	if (i == 0 && (plen == 0 || payload[0] == ' ')) {
		*err = "empty name";
		return -1;
	}
	if (i < plen && payload[i] != ' ') {
		*err = "invalid name";
		return -1;
	}
	if (i == plen) {
		*err = "missing key";
		return -1;
	}
	if (i + 1 == plen) {
		*err = "empty key";
		return -1;
	}
	if (!socketmap_req_key_ok((const unsigned char *)payload + i + 1,
	    plen - i - 1)) {
		*err = "invalid key";
		return -1;
	}
	*name = payload;
	*namelen = i;
	*key = payload + i + 1;
	*keylen = plen - i - 1;
	return 0;
}
