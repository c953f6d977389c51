/*
 * fuzz_milter_trace.c - libFuzzer target: any bytes as the value of a
 * trace header (milter/trace.c) and as headers for the message class
 * (milter/class.c), the two readers of header text lsa-milter has.
 *
 * The value is copied to an exactly sized buffer (not NUL-terminated), so
 * ASan sees any read past len. Besides memory errors, it aborts when a
 * parsed group is empty, over TOPO_NAME_MAX, or holds a byte that is not
 * printable; or when the header we write for a group read back gives
 * another group; or when the class is out of range. For the class, the
 * input is cut at the first NUL into a name and a NUL-terminated value
 * (as libmilter gives them).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../milter/milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct milter_class k = { MILTER_PRIO_NORMAL, 0 };
	struct milter_hop hop, again;
	char *buf = malloc(size > 0 ? size : 1), out[512], *name, *nul;
	int report = 0;
	size_t n;

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	if (milter_trace_parse(buf, size, &hop) == 0) {
		n = strlen(hop.group);
		if (n == 0 || n > TOPO_NAME_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!isgraph((unsigned char)hop.group[i]))
				abort();
		n = (size_t)milter_trace_format(out, sizeof(out), hop.group,
		    "s", 1, "0", 1);
		if (n >= sizeof(out) || milter_trace_parse(out, n,
		    &again) < 0 || strcmp(again.group, hop.group) != 0)
			abort();
	}
	free(buf);
	/* name NUL value NUL */
	name = malloc(size + 2);
	if (name == NULL)
		abort();
	memcpy(name, data, size);
	name[size] = '\0';
	name[size + 1] = '\0';
	nul = name + strlen(name);
	milter_class_header(&k, &report, name, nul + 1);
	if (k.priority != MILTER_PRIO_NORMAL && k.priority != MILTER_PRIO_HIGH &&
	    k.priority != MILTER_PRIO_LOW)
		abort();
	free(name);
	return 0;
}
