/*
 * fuzz_mastercf.c - libFuzzer target: any bytes as master.cf through
 * mastercf_has() (shared/mastercf.c), given exactly size bytes (no NUL
 * after them, so ASan sees any read past the end), asked for a service
 * the bytes may or may not hold; then mastercf_missing() over a fixed
 * topology with two limited connectors. Aborts when a file made of the
 * input plus a line for the service is not found to have it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mastercf.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topo_text[] =
    "[organization]\nname = F\nversion = 1\n[group A]\n[group B]\n"
    "[server a]\ngroup = A\naddress = 10.0.0.1\n"
    "[server b]\ngroup = B\naddress = 10.0.0.2\n"
    "[connector AB]\nfrom = A\nto = B\nbidirectional = yes\n"
    "max_connections = 2\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topology *t;
	static const char line[] = "\nlsa-AB unix - - n - 2 smtp\n";
	char *buf = malloc(size ? size : 1), *both;
	struct diag d;

	if (t == NULL) {
		diag_init(&d);
		if ((t = topo_load_buf("f.conf", topo_text,
		    sizeof(topo_text) - 1, &d)) == NULL)
			abort();
		diag_free(&d);
	}
	memcpy(buf, data, size);
	(void)mastercf_has(buf, size, "lsa-AB", "unix");
	(void)mastercf_missing(buf, size, t, -1, NULL, NULL);
	both = malloc(size + sizeof(line) - 1);
	memcpy(both, data, size);
	memcpy(both + size, line, sizeof(line) - 1);
	if (!mastercf_has(both, size + sizeof(line) - 1, "lsa-AB", "unix"))
		abort();
	free(both);
	free(buf);
	return 0;
}
