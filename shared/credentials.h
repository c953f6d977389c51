/*
 * credentials.h - the SASL credentials of connectors to the outside.
 *
 * A connector's `auth = NAME` names an entry of the credentials file
 * ([policyd] credentials), never a secret: the topology travels to every
 * server and is printed by lsactl; the credentials file stays on the
 * servers that need it, readable by lsa-policyd alone. One entry a line:
 *
 *     # comment (';' too), blank lines are skipped
 *     NAME = user:password
 *
 * NAME as a topology name (letters, digits, '.', '_', '-'; at most 64),
 * each once. user: 1..CREDENTIALS_PART_MAX bytes, no ':', blank or control
 * character (Postfix splits the answer at its first ':'); password:
 * 1..CREDENTIALS_PART_MAX bytes, no control character (':' and inner
 * blanks are kept; blanks around the value are dropped). A line holds at
 * most CREDENTIALS_LINE_MAX bytes; a file at most CREDENTIALS_MAX entries.
 *
 * Errors are FILE:LINE: TEXT in the caller's diag, every one found, and
 * never quote a value: it may hold the password.
 *
 * credentials_load() reads the file with safefile_read(SAFEFILE_PRIVATE):
 * a file that group or others may read or write is refused (as ssh does
 * with a private key). Ownership: the struct credentials owns its
 * strings; credentials_free() wipes the passwords before freeing them.
 */
#ifndef LSA_CREDENTIALS_H
#define LSA_CREDENTIALS_H

#include <stddef.h>

#include "diag.h"

#define CREDENTIALS_LINE_MAX	1024
#define CREDENTIALS_PART_MAX	255
#define CREDENTIALS_MAX		10000
#define CREDENTIALS_FILE_MAX	(1024 * 1024)

struct credential {
	char	*name;
	char	*secret;	/* "user:password", as Postfix wants it */
	size_t	 userlen;	/* bytes of secret before the ':' */
	int	 line;
};

struct credentials {
	struct credential *v;
	int		   n;
};

struct credentials *credentials_parse(const char *file, const char *buf,
    size_t len, struct diag *d);
struct credentials *credentials_load(const char *path, struct diag *d);
const struct credential *credentials_find(const struct credentials *c,
    const char *name);
void credentials_free(struct credentials *c);

#endif
