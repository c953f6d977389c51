/*
 * test_mastercf.c - shared/mastercf.c: service names found in master.cf
 * text (comments, continuation lines, blanks, other types, a last line
 * without newline, NUL bytes), and the limited connectors of a topology
 * whose transport a master.cf lacks, for one source server or for all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "diag.h"
#include "mastercf.h"
#include "topology.h"

struct has_case {
	const char	*name;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 want;
};

static const struct has_case has_cases[] = {
	{ "has: an entry", "lsa-AB unix - - n - 2 smtp\n", 0, 1 },
	{ "has: tabs, last line without newline",
	  "smtp inet n - y - - smtpd\nlsa-AB\tunix\t-\t-\tn\t-\t2\tsmtp", 0,
	  1 },
	{ "has: with -o lines after it",
	  "lsa-AB unix - - n - 2 smtp\n    -o a=b\n  -o c=\n", 0, 1 },
	{ "has: CRLF", "lsa-AB unix - - n - 2 smtp\r\n", 0, 1 },
	{ "has not: commented out", "#lsa-AB unix - - n - 2 smtp\n", 0, 0 },
	{ "has not: a continuation line", "relay unix - - n - - smtp\n"
	  " lsa-AB unix\n", 0, 0 },
	{ "has not: another type", "lsa-AB inet n - n - 2 smtpd\n", 0, 0 },
	{ "has not: a longer name", "lsa-AB-reverse unix - - n - 2 smtp\n", 0,
	  0 },
	{ "has not: a prefix of the name", "lsa-A unix - - n - 2 smtp\n", 0,
	  0 },
	{ "has not: name alone", "lsa-AB\n", 0, 0 },
	{ "has not: empty", "", 0, 0 },
	{ "has not: past len", "lsa-AB unix", 8, 0 },
	{ "has: a NUL ends the field", "lsa-AB unix\0x - smtp\n", 20, 1 },
};

/* run_has - mastercf_has on the case's bytes */
static void
run_has(void **state)
{
	const struct has_case *c = *state;
	size_t len = c->len ? c->len : strlen(c->text);
	char *buf = malloc(len + 1);

	memcpy(buf, c->text, len);
	assert_int_equal(mastercf_has(buf, len, "lsa-AB", "unix"), c->want);
	free(buf);
}

static const char topo_text[] =
    "[organization]\nname = F\nversion = 1\n[group A]\n[group B]\n"
    "[server a]\ngroup = A\naddress = 10.0.0.1\n"
    "[server b]\ngroup = B\naddress = 10.0.0.2\n"
    "[connector AB]\nfrom = A\nto = B\nbidirectional = yes\n"
    "max_connections = 2\n"
    "[connector Off]\nfrom = A\nto = B\nmax_connections = 1\n"
    "enabled = no\n"
    "[connector Free]\nfrom = A\nto = B\n";

/* collect - the transports reported, space-separated */
static void
collect(void *arg, const struct topo_connector *c, const char *tr)
{
	(void)c;
	strcat(arg, tr);
	strcat(arg, " ");
}

/* test_missing - per source server, and for all */
static void
test_missing(void **state)
{
	static const char mcf[] = "lsa-AB-reverse unix - - n - 2 smtp\n";
	struct topology *t;
	struct diag d;
	char out[256];

	(void)state;
	diag_init(&d);
	t = topo_load_buf("t.conf", topo_text, sizeof(topo_text) - 1, &d);
	assert_non_null(t);
	assert_int_equal(mastercf_limited(t, topo_find_server(t, "a")), 1);
	assert_int_equal(mastercf_limited(t, -1), 2);
	out[0] = '\0';
	assert_int_equal(mastercf_missing("", 0, t, -1, collect, out), 2);
	assert_string_equal(out, "lsa-AB lsa-AB-reverse ");
	out[0] = '\0';
	assert_int_equal(mastercf_missing(mcf, sizeof(mcf) - 1, t,
	    topo_find_server(t, "a"), collect, out), 1);
	assert_string_equal(out, "lsa-AB ");
	out[0] = '\0';
	assert_int_equal(mastercf_missing(mcf, sizeof(mcf) - 1, t,
	    topo_find_server(t, "b"), collect, out), 0);
	assert_string_equal(out, "");
	topo_free(t);
	diag_free(&d);
}

/* test_path - the instance's master.cf */
static void
test_path(void **state)
{
	char *p;

	(void)state;
	p = mastercf_path("");
	assert_string_equal(p, "/etc/postfix/master.cf");
	free(p);
	p = mastercf_path("/etc/postfix-b");
	assert_string_equal(p, "/etc/postfix-b/master.cf");
	free(p);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(has_cases) + 2];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_has, has_cases);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_missing);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_path);
	return _cmocka_run_group_tests("test_mastercf", tests, n, NULL, NULL);
}
