/*
 * trace.c - the route trace header, made and read (pure: no I/O).
 *
 * One header per hop, prepended at end of message by the server the
 * message crosses (seed 002, "Looking at Routing Information"):
 *
 *   X-LSA-Trace: group=London; server=lon-bh1; lst=42/3f9a0c12d4e5; t=1767571200
 *
 * fields separated by ';', each "key=value" with optional white space
 * around it (a header may be folded on the way). Only `group` is read
 * back: the loop and hop checks need the groups a message crossed,
 * newest first as the headers come; the rest is for a person reading
 * the message (which server, which LST version and snapshot digest,
 * when). A value is read from at most len bytes, never past them.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "milter.h"

/* milter_trace_format - the header value for this hop */
int
milter_trace_format(char *buf, size_t len, const char *group,
    const char *server, uint64_t lst_version, const char *digest, time_t t)
{
	return snprintf(buf, len, "group=%s; server=%s; lst=%" PRIu64 "/%s; "
	    "t=%lld", group, server, lst_version, digest, (long long)t);
}

/* trace_space - header white space, folding included */
static int
trace_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * milter_trace_parse - the group of one header value (len bytes, not
 * necessarily NUL-terminated). Returns 0, or -1 when the value has no
 * group field or its name is empty, too long, or holds characters a
 * topology name cannot have.
 */
int
milter_trace_parse(const char *value, size_t len, struct milter_hop *hop)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end, n;

		while (i < len && trace_space(value[i]))
			i++;
		start = i;
		while (i < len && value[i] != ';')
			i++;
		end = i;
		if (i < len)
			i++;		/* the ';' */
		while (end > start && trace_space(value[end - 1]))
			end--;
		if (end - start < 6 || memcmp(value + start, "group", 5) != 0)
			continue;
		start += 5;
		while (start < end && trace_space(value[start]))
			start++;
		if (start == end || value[start] != '=')
			continue;
		start++;
		while (start < end && trace_space(value[start]))
			start++;
		n = end - start;
		if (n == 0 || n > TOPO_NAME_MAX)
			return -1;
		for (size_t k = start; k < end; k++)
			if (!isgraph((unsigned char)value[k]))
				return -1;
		memcpy(hop->group, value + start, n);
		hop->group[n] = '\0';
		return 0;
	}
	return -1;
}
