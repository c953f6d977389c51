/*
 * socketmap_req.h - the request inside a socketmap netstring.
 *
 * Postfix's socketmap client (socketmap_table(5)) sends one netstring
 * (netstring.h) per lookup whose payload is "NAME KEY":
 *   NAME	the table name, the last ':' field of "socketmap:...:NAME" in
 *		main.cf; one or more of [A-Za-z0-9_.-];
 *		then exactly one space;
 *   KEY	the rest, one byte or more: valid UTF-8 (RFC 3629: no
 *		overlong form, surrogate or code point past U+10FFFF) with
 *		no control character (C0, DEL, C1; NUL included). Spaces
 *		inside it are kept (a quoted local part may hold one), and
 *		so is its case: Postfix sends addresses as written.
 *
 * socketmap_request_parse() returns 0 with *name and *key pointing into
 * payload (neither is NUL-terminated), or -1 with *err a static text,
 * one of "empty name", "invalid name", "missing key", "empty key",
 * "invalid key"; the other outputs are then left alone. Pure: no I/O,
 * no allocation, no state.
 */
#ifndef LSA_SOCKETMAP_REQ_H
#define LSA_SOCKETMAP_REQ_H

#include <stddef.h>

int socketmap_request_parse(const char *payload, size_t plen,
    const char **name, size_t *namelen, const char **key, size_t *keylen,
    const char **err);

#endif
