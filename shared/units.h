/*
 * units.h - parsers for the value types of both configuration files.
 *
 * Each parser takes a NUL-terminated value (already trimmed by the INI
 * reader), returns 0 and stores the result, or returns -1 and leaves a
 * reason in the caller's buffer (errbuf, at least UNITS_ERRLEN bytes).
 * They are pure: no allocation, no global state, so they are fuzzed and
 * table-tested directly.
 *
 *   time: a whole number and a unit: ms, s, m, h ("60s", "1h", "250ms").
 *         A bare number is refused: the unit is always written.
 *   size: a whole number of bytes with an optional k, M or G (powers of
 *         1024), or "unlimited" / "0" for no limit (stored as 0).
 *   uint: a whole number in [min, max].
 *   bool: yes/no, true/false, on/off, 1/0.
 */
#ifndef LSA_UNITS_H
#define LSA_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define UNITS_ERRLEN	128

int units_time_ms(const char *s, uint64_t *ms, char *err);
int units_size(const char *s, uint64_t *bytes, char *err);
int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v,
    char *err);
int units_bool(const char *s, int *v, char *err);
const char *units_fmt_time(uint64_t ms, char *buf, size_t len);
const char *units_fmt_size(uint64_t bytes, char *buf, size_t len);

#endif
