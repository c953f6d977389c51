/*
 * addrspace.c - address space patterns (see addrspace.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addrspace.h"
#include "xmalloc.h"

/* addrspace_valid_domain - letters, digits, '-' and dots between labels */
int
addrspace_valid_domain(const char *d, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > ADDRSPACE_MAX_DOMAIN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

/* addrspace_labels - how many labels a domain has */
static int
addrspace_labels(const char *d)
{
	int n = 1;

	for (; *d; d++)
		n += (*d == '.');
	return n;
}

/* addrspace_parse - one pattern; cost is left for the caller */
int
addrspace_parse(const char *text, struct addrspace *as, char *err,
    size_t errlen)
{
	size_t len = strlen(text);

	memset(as, 0, sizeof(*as));
	if (strcmp(text, "*") == 0) {
		as->kind = ADDRSPACE_ALL;
	} else if (len > 2 && text[0] == '*' && text[1] == '.') {
		if (!addrspace_valid_domain(text + 2, len - 2))
			goto bad;
		as->kind = ADDRSPACE_SUBDOMAINS;
	} else {
		if (!addrspace_valid_domain(text, len))
			goto bad;
		as->kind = ADDRSPACE_EXACT;
	}
	as->pattern = xstrdup(text);
	for (char *p = as->pattern; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	as->domain = as->pattern + (as->kind == ADDRSPACE_ALL ? 1 :
	    as->kind == ADDRSPACE_SUBDOMAINS ? 2 : 0);
	return 0;
bad:
	snprintf(err, errlen, "bad address space \"%s\" (want example.com, "
	    "*.example.com or *)", text);
	return -1;
}

/* addrspace_match - specificity of the match, -1 for none */
int
addrspace_match(const struct addrspace *as, const char *domain)
{
	size_t dl, pl;

	switch (as->kind) {
	case ADDRSPACE_ALL:
		return 0;
	case ADDRSPACE_EXACT:
		if (strcasecmp(as->domain, domain) != 0)
			return -1;
		return 2 * addrspace_labels(as->domain) + 1;
	case ADDRSPACE_SUBDOMAINS:
		dl = strlen(domain);
		pl = strlen(as->domain);
		if (dl <= pl + 1 || domain[dl - pl - 1] != '.' ||
		    strcasecmp(domain + dl - pl, as->domain) != 0)
			return -1;
		return 2 * addrspace_labels(as->domain);
	}
	return -1;
}

/* addrspace_free - release the pattern text */
void
addrspace_free(struct addrspace *as)
{
	free(as->pattern);
	as->pattern = NULL;
	as->domain = NULL;
}
