/*
 * units.c - value parsers for configuration files (see units.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

/* units_digits - parse a leading run of digits; *end past them */
static int
units_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = n;
	*end = p;
	return 0;
}

/* units_mul - multiply with overflow check */
static int
units_mul(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b != 0 && a > UINT64_MAX / b)
		return -1;
	*r = a * b;
	return 0;
}

/* units_time_ms - "250ms", "60s", "5m", "1h" to milliseconds */
int
units_time_ms(const char *s, uint64_t *ms, char *err)
{
	static const struct { const char *sfx; uint64_t mul; } tbl[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const char *end;
	uint64_t n;

	if (units_digits(s, &n, &end) < 0) {
		snprintf(err, UNITS_ERRLEN, "bad time \"%s\" (want a number "
		    "and ms, s, m or h)", s);
		return -1;
	}
	for (size_t i = 0; i < sizeof(tbl) / sizeof(tbl[0]); i++) {
		if (strcmp(end, tbl[i].sfx) != 0)
			continue;
		if (units_mul(n, tbl[i].mul, ms) < 0) {
			snprintf(err, UNITS_ERRLEN, "time \"%s\" too large", s);
			return -1;
		}
		return 0;
	}
	snprintf(err, UNITS_ERRLEN, "bad time \"%s\" (want a number and ms, "
	    "s, m or h)", s);
	return -1;
}

/* units_size - "10M", "512k", "1G", "1000", "unlimited" to bytes */
int
units_size(const char *s, uint64_t *bytes, char *err)
{
	const char *end;
	uint64_t n, mul = 1;

	if (strcasecmp(s, "unlimited") == 0) {
		*bytes = 0;
		return 0;
	}
	if (units_digits(s, &n, &end) < 0)
		goto bad;
	if (strcmp(end, "k") == 0 || strcmp(end, "K") == 0)
		mul = 1024;
	else if (strcmp(end, "M") == 0)
		mul = 1024 * 1024;
	else if (strcmp(end, "G") == 0)
		mul = 1024 * 1024 * 1024;
	else if (*end != '\0')
		goto bad;
	if (units_mul(n, mul, bytes) < 0) {
		snprintf(err, UNITS_ERRLEN, "size \"%s\" too large", s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, UNITS_ERRLEN, "bad size \"%s\" (want a number with "
	    "optional k, M or G, or unlimited)", s);
	return -1;
}

/* units_uint - whole number within [min, max] */
int
units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v,
    char *err)
{
	const char *end;
	uint64_t n;

	if (units_digits(s, &n, &end) < 0 || *end != '\0') {
		snprintf(err, UNITS_ERRLEN, "bad number \"%s\"", s);
		return -1;
	}
	if (n < min || n > max) {
		snprintf(err, UNITS_ERRLEN, "%s is out of range %" PRIu64
		    "..%" PRIu64, s, min, max);
		return -1;
	}
	*v = n;
	return 0;
}

/* units_bool - yes/no and friends */
int
units_bool(const char *s, int *v, char *err)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	snprintf(err, UNITS_ERRLEN, "bad boolean \"%s\" (want yes or no)", s);
	return -1;
}

/* units_fmt_time - milliseconds back to the largest exact unit */
const char *
units_fmt_time(uint64_t ms, char *buf, size_t len)
{
	if (ms != 0 && ms % 3600000 == 0)
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

/* units_fmt_size - bytes back to the largest exact unit */
const char *
units_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes == 0)
		snprintf(buf, len, "unlimited");
	else if (bytes % (1024 * 1024 * 1024) == 0)
		snprintf(buf, len, "%" PRIu64 "G", bytes >> 30);
	else if (bytes % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
	else if (bytes % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 "k", bytes >> 10);
	else
		snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}
