/*
 * test_addrspace.c - shared/addrspace.c: parsing address space patterns
 * ("example.com", "*.example.com", "*"), matching recipient domains,
 * and the specificity order that picks the most specific of several
 * matching patterns.
 *
 * Tables of cases, one cmocka test per row: a pattern and the wanted
 * kind and stored text, or the exact error; a pattern, a domain and the
 * wanted specificity; a domain, several patterns and the one that wins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "addrspace.h"


#define L10	"abcdefghij"
#define L63	L10 L10 L10 L10 L10 L10 "abc"		/* longest label */
#define D63	L63 "."
#define D253	D63 D63 D63 "abcdefghijklmnopqrstuvwxyz" L10 L10 L10 "abcde"
_Static_assert(sizeof(L63) == 64, "L63 is 63 characters");
_Static_assert(sizeof(D253) == 254, "D253 is 253 characters");

#define BAD(s)	"bad address space \"" s "\" (want example.com, " \
		"*.example.com or *)"

/* addrspace_parse */
struct parse_case {
	const char		*name;
	const char		*in;
	enum addrspace_kind	 kind;
	const char		*pattern;	/* stored, lowercased */
	const char		*domain;
	const char		*err;		/* exact, or NULL */
};

static const struct parse_case parse_cases[] = {
	{ "parse: exact", "example.com", ADDRSPACE_EXACT, "example.com",
	  "example.com", NULL },
	{ "parse: exact lowercased", "Example.COM", ADDRSPACE_EXACT,
	  "example.com", "example.com", NULL },
	{ "parse: subdomains", "*.example.com", ADDRSPACE_SUBDOMAINS,
	  "*.example.com", "example.com", NULL },
	{ "parse: subdomains lowercased", "*.UK.Example.com",
	  ADDRSPACE_SUBDOMAINS, "*.uk.example.com", "uk.example.com", NULL },
	{ "parse: all", "*", ADDRSPACE_ALL, "*", "", NULL },
	{ "parse: one label", "localhost", ADDRSPACE_EXACT, "localhost",
	  "localhost", NULL },
	{ "parse: *.tld", "*.com", ADDRSPACE_SUBDOMAINS, "*.com", "com",
	  NULL },
	{ "parse: hyphen inside", "a-b.example", ADDRSPACE_EXACT,
	  "a-b.example", "a-b.example", NULL },
	{ "parse: leading hyphen allowed", "-x", ADDRSPACE_EXACT, "-x", "-x",
	  NULL },
	{ "parse: underscore allowed", "_dmarc.example.com", ADDRSPACE_EXACT,
	  "_dmarc.example.com", "_dmarc.example.com", NULL },
	{ "parse: digits", "1.2.3.4", ADDRSPACE_EXACT, "1.2.3.4", "1.2.3.4",
	  NULL },
	{ "parse: 63-character label", L63 ".example", ADDRSPACE_EXACT,
	  L63 ".example", L63 ".example", NULL },
	{ "parse: 253-character domain", D253, ADDRSPACE_EXACT, D253, D253,
	  NULL },
	{ "parse: *. and 253 characters", "*." D253, ADDRSPACE_SUBDOMAINS,
	  "*." D253, D253, NULL },
	{ "parse: *. alone", "*.", 0, NULL, NULL, BAD("*.") },
	{ "parse: empty label", "a..b", 0, NULL, NULL, BAD("a..b") },
	{ "parse: leading dot", ".example.com", 0, NULL, NULL,
	  BAD(".example.com") },
	{ "parse: trailing dot", "example.com.", 0, NULL, NULL,
	  BAD("example.com.") },
	{ "parse: space inside", "exa mple.com", 0, NULL, NULL,
	  BAD("exa mple.com") },
	{ "parse: star glued to name", "*example.com", 0, NULL, NULL,
	  BAD("*example.com") },
	{ "parse: star in the middle", "a.*.com", 0, NULL, NULL,
	  BAD("a.*.com") },
	{ "parse: two stars", "*.*.example.com", 0, NULL, NULL,
	  BAD("*.*.example.com") },
	{ "parse: **", "**", 0, NULL, NULL, BAD("**") },
	{ "parse: *.. ", "*..com", 0, NULL, NULL, BAD("*..com") },
	{ "parse: empty", "", 0, NULL, NULL, BAD("") },
	{ "parse: at sign", "user@example.com", 0, NULL, NULL,
	  BAD("user@example.com") },
	{ "parse: non-ASCII", "ex\xc3\xa4mple.com", 0, NULL, NULL,
	  BAD("ex\xc3\xa4mple.com") },
	{ "parse: 64-character label", L63 "d.example", 0, NULL, NULL,
	  BAD(L63 "d.example") },
	{ "parse: 254-character domain", D253 "b", 0, NULL, NULL,
	  BAD(D253 "b") },
};

static void
run_parse(void **state)
{
	const struct parse_case *c = *state;
	struct addrspace as;
	char err[512] = "";
	int rc;

	rc = addrspace_parse(c->in, &as, err, sizeof(err));
	if (c->err != NULL) {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
		assert_null(as.pattern);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(as.kind, c->kind);
	assert_string_equal(as.pattern, c->pattern);
	assert_string_equal(as.domain, c->domain);
	assert_int_equal(as.cost, 0);		/* left for the caller */
	addrspace_free(&as);
	assert_null(as.pattern);
	assert_null(as.domain);
	addrspace_free(&as);			/* twice is harmless */
}

/* addrspace_match: exact 2 * labels + 1, *. 2 * labels, * 0, none -1 */
struct match_case {
	const char	*name;
	const char	*pattern;
	const char	*domain;
	int		 want;
};

static const struct match_case match_cases[] = {
	{ "match: exact", "example.com", "example.com", 5 },
	{ "match: exact, domain upper case", "example.com", "EXAMPLE.Com",
	  5 },
	{ "match: exact, pattern upper case", "EXAMPLE.COM", "example.com",
	  5 },
	{ "match: exact one label", "localhost", "localhost", 3 },
	{ "match: exact three labels", "uk.example.com", "uk.example.com",
	  7 },
	{ "match: exact, not a subdomain", "example.com", "a.example.com",
	  -1 },
	{ "match: exact, not a parent", "a.example.com", "example.com", -1 },
	{ "match: exact, shorter", "example.com", "example.co", -1 },
	{ "match: exact, longer", "example.co", "example.com", -1 },
	{ "match: *. subdomain", "*.example.com", "a.example.com", 4 },
	{ "match: *. deeper subdomain", "*.example.com", "a.b.example.com",
	  4 },
	{ "match: *. case-insensitive", "*.example.com", "A.Example.COM", 4 },
	{ "match: *. not the domain itself", "*.example.com", "example.com",
	  -1 },
	{ "match: *. needs a label boundary", "*.example.com",
	  "badexample.com", -1 },
	{ "match: *. empty label", "*.example.com", ".example.com", -1 },
	{ "match: *. other domain", "*.example.com", "a.example.org", -1 },
	{ "match: *. of a tld", "*.com", "example.com", 2 },
	{ "match: *. deeper pattern", "*.uk.example.com", "a.uk.example.com",
	  6 },
	{ "match: *. deeper pattern, sibling", "*.uk.example.com",
	  "a.us.example.com", -1 },
	{ "match: *", "*", "example.com", 0 },
	{ "match: * one label", "*", "localhost", 0 },
	{ "match: * empty domain", "*", "", 0 },
	{ "match: exact, empty domain", "example.com", "", -1 },
	{ "match: *. empty domain", "*.example.com", "", -1 },
};

static void
run_match(void **state)
{
	const struct match_case *c = *state;
	struct addrspace as;
	char err[512];

	assert_int_equal(addrspace_parse(c->pattern, &as, err, sizeof(err)),
	    0);
	assert_int_equal(addrspace_match(&as, c->domain), c->want);
	addrspace_free(&as);
}

/*
 * The most specific match wins: the domain, the candidate patterns (in
 * an order that must not matter) and the winner, or NULL for none.
 */
struct best_case {
	const char	*name;
	const char	*domain;
	const char	*patterns[6];	/* NULL-terminated */
	const char	*want;
};

static const struct best_case best_cases[] = {
	{ "best: exact beats *. of the parent", "a.example.com",
	  { "*.example.com", "a.example.com", NULL }, "a.example.com" },
	{ "best: exact beats *. of the same domain", "example.com",
	  { "*", "example.com", NULL }, "example.com" },
	{ "best: deeper *. beats shallower", "a.uk.example.com",
	  { "*.example.com", "*.uk.example.com", NULL }, "*.uk.example.com" },
	{ "best: deeper *. beats shallower, reversed", "a.uk.example.com",
	  { "*.uk.example.com", "*.example.com", NULL }, "*.uk.example.com" },
	{ "best: *. beats *", "a.example.com",
	  { "*", "*.example.com", NULL }, "*.example.com" },
	{ "best: * when nothing else", "example.org",
	  { "*.example.com", "*", "example.com", NULL }, "*" },
	{ "best: *. skips the domain itself", "example.com",
	  { "*.example.com", "*", NULL }, "*" },
	{ "best: the full ladder", "a.uk.example.com",
	  { "*", "*.com", "*.example.com", "*.uk.example.com",
	    "a.uk.example.com", NULL }, "a.uk.example.com" },
	{ "best: nothing matches", "example.org",
	  { "example.com", "*.example.org", NULL }, NULL },
};

static void
run_best(void **state)
{
	const struct best_case *c = *state;
	struct addrspace as;
	char err[512], *best = NULL;
	int bestspec = -1;

	for (int i = 0; c->patterns[i] != NULL; i++) {
		int spec;

		assert_int_equal(addrspace_parse(c->patterns[i], &as, err,
		    sizeof(err)), 0);
		spec = addrspace_match(&as, c->domain);
		/* no two matching patterns tie */
		assert_true(spec < 0 || spec != bestspec);
		if (spec > bestspec) {
			bestspec = spec;
			best = (char *)(uintptr_t)c->patterns[i];
		}
		addrspace_free(&as);
	}
	if (c->want == NULL)
		assert_null(best);
	else {
		assert_non_null(best);
		assert_string_equal(best, c->want);
	}
}

/* addrspace_valid_domain with an explicit length (not NUL-bounded) */
static void
test_valid_domain_length(void **state)
{
	(void)state;
	assert_true(addrspace_valid_domain("example.com:25", 11));
	assert_false(addrspace_valid_domain("example.com:25", 12));
	assert_false(addrspace_valid_domain("example.com", 0));
	assert_true(addrspace_valid_domain("example.", 7));
	assert_false(addrspace_valid_domain("example.", 8));
	assert_true(addrspace_valid_domain(D253, 253));
	assert_false(addrspace_valid_domain(D253 "b", 254));
}

/* a short error buffer is truncated, not overrun */
static void
test_parse_short_errbuf(void **state)
{
	struct addrspace as;
	char err[8];

	(void)state;
	assert_int_equal(addrspace_parse("a..b", &as, err, sizeof(err)), -1);
	assert_string_equal(err, "bad add");
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_valid_domain_length),
	cmocka_unit_test(test_parse_short_errbuf),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(parse_cases) + nitems(match_cases) +
	    nitems(best_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_parse, parse_cases);
	n = ADD_TABLE(tests, n, run_match, match_cases);
	n = ADD_TABLE(tests, n, run_best, best_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_addrspace: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
