/*
 * fuzz_postconf_list.c - libFuzzer target: any bytes as a Postfix list
 * value (what `postconf -h` prints) through lsactl postfix-setup's list
 * splitter (lsactl_setup.c). Aborts when an element lies outside the
 * value, is empty, overlaps the one before, or starts with a separator;
 * lsactl_setup_names runs on every element against a fixed address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lsactl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* lsactl_usage - not reached: lsactl_setup.c's command is not run here */
void
lsactl_usage(void)
{
	abort();
}

/* lsactl_settings - not reached either */
int
lsactl_settings(struct settings *s, const char *file)
{
	(void)s;
	(void)file;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lsactl_tok t[64];
	size_t end = 0, len;
	char *s;
	int n;

	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	n = lsactl_setup_tokens(s, t, 64);
	for (int i = 0; i < n; i++) {
		if (t[i].len == 0 || t[i].off < end ||
		    t[i].off + t[i].len > len || s[t[i].off] == ',' ||
		    s[t[i].off] == ' ')
			abort();
		end = t[i].off + t[i].len;
		(void)lsactl_setup_names(s, &t[i], "inet:127.0.0.1:10692");
	}
	free(s);
	return 0;
}
