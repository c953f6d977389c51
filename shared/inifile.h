/*
 * inifile.h - INI files through inih, with line numbers and empty sections.
 *
 * inih (libinih) does the parsing. This module adds what the
 * configuration loaders need and inih does not give through its API:
 *   - the line number of every key (counted by our own line reader);
 *   - a callback at each section header, even a section with no keys
 *     (key == NULL), so "[group Paris]" alone still declares a group;
 *   - limits: a file of at most INIFILE_MAX_BYTES, lines of at most
 *     INIFILE_MAX_LINE characters (inih's own buffer), no control
 *     characters. A line over the limit is an error, never split.
 *
 * Syntax (inih's): "[section]", "key = value", comments start with ";"
 * or "#" at the beginning of a line, or " ;" after a value (a value
 * never begins with ";": "key =;x" is an empty value). An indented
 * line continues the previous key: the callback sees the same key again.
 *
 * The callback gets the raw section text ("group London"); it returns 0
 * to go on (errors are its own to record in the diag). inifile_parse*
 * returns 0 when the file was read and every line was well formed, -1
 * otherwise; syntax errors are added to the diag as FILE:LINE: text.
 */
#ifndef LSA_INIFILE_H
#define LSA_INIFILE_H

#include <stddef.h>

#include "diag.h"

#define INIFILE_MAX_BYTES	(16 * 1024 * 1024)
#define INIFILE_MAX_LINE	196	/* characters, without the newline */

typedef void (*inifile_fn)(void *arg, const char *file, int line,
    const char *section, const char *key, const char *value);

int inifile_parse(const char *path, inifile_fn fn, void *arg,
    struct diag *d);
int inifile_parse_buf(const char *name, const char *buf, size_t len,
    inifile_fn fn, void *arg, struct diag *d);
char *inifile_slurp(const char *path, size_t *lenp, struct diag *d);
int inifile_split_section(const char *section, char *type, size_t tlen,
    char *name, size_t nlen);

#endif
