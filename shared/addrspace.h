/*
 * addrspace.h - address space patterns over recipient domains.
 *
 * Three forms, as in the topology file:
 *   example.com     exactly that domain
 *   *.example.com   any subdomain of it (not example.com itself)
 *   *               every domain
 * Domains are compared case-insensitively; patterns are stored lowercased.
 * When several patterns match a domain, the most specific wins:
 * addrspace_match() returns a specificity where a higher number is more
 * specific (an exact domain beats "*." of the same domain, more labels
 * beat fewer, "*" is 0), or -1 for no match.
 */
#ifndef LSA_ADDRSPACE_H
#define LSA_ADDRSPACE_H

#include <stddef.h>

enum addrspace_kind {
	ADDRSPACE_EXACT,
	ADDRSPACE_SUBDOMAINS,
	ADDRSPACE_ALL,
};

struct addrspace {
	char			*pattern;	/* lowercased, as written */
	const char		*domain;	/* into pattern, "" for "*" */
	enum addrspace_kind	 kind;
	int			 cost;		/* 1..100; 0 where unused */
	int			 line;
};

#define ADDRSPACE_MAX_DOMAIN	253

int addrspace_parse(const char *text, struct addrspace *as, char *err,
    size_t errlen);
int addrspace_valid_domain(const char *d, size_t len);
int addrspace_match(const struct addrspace *as, const char *domain);
void addrspace_free(struct addrspace *as);

#endif
