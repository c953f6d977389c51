/*
 * test_credentials.c - shared/credentials.c: the credentials file of
 * outside connectors' `auth`.
 *
 *   - a table of files, each with the entries wanted or the exact error
 *     (FILE:LINE: included); no error ever quotes the password;
 *   - credentials_load: a file group or others may read is refused, a
 *     0600 one is read; credentials_find.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tabletest.h"

#include "credentials.h"

struct cred_case {
	const char	*name;
	const char	*text;
	const char	*want;		/* "NAME=SECRET;..." or an error */
	int		 error;
};

#define LONG300 \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct cred_case cases[] = {
	{ "empty file", "", "", 0 },
	{ "one entry", "relay = alice:s3cret\n", "relay=alice:s3cret;", 0 },
	{ "comments, blanks, CRLF, no last newline",
	  "# smart hosts\n\n  ; old\r\nrelay=alice:pw\r\n  isp.1 =  bob:a b:c  ",
	  "relay=alice:pw;isp.1=bob:a b:c;", 0 },
	{ "no '='", "relay alice:pw\n",
	  "c.conf:1: want NAME = user:password", 1 },
	{ "no ':'", "\n\nrelay = alicepw\n",
	  "c.conf:3: relay: want user:password", 1 },
	{ "empty user", "relay = :pw\n",
	  "c.conf:1: relay: user and password must each have 1..255 bytes", 1 },
	{ "empty password", "relay = alice:\n",
	  "c.conf:1: relay: user and password must each have 1..255 bytes", 1 },
	{ "password too long", "relay = a:" LONG300 "\n",
	  "c.conf:1: relay: user and password must each have 1..255 bytes", 1 },
	{ "blank in the user", "relay = al ice:pw\n",
	  "c.conf:1: relay: a blank in the user", 1 },
	{ "control character", "relay = alice:p\x01w\n",
	  "c.conf:1: relay: a control character in the value", 1 },
	{ "bad name", "re/lay = alice:pw\n",
	  "c.conf:1: bad name (letters, digits, '.', '_', '-'; at most 64)",
	  1 },
	{ "a password with '=' and no name", "alice:pw=x\n",
	  "c.conf:1: bad name", 1 },
	{ "empty name", " = alice:pw\n", "c.conf:1: bad name", 1 },
	{ "twice", "relay = a:b\nother = c:d\nrelay = e:f\n",
	  "c.conf:3: relay: given twice (first at line 1)", 1 },
	{ "line too long", "relay = a:" LONG300 LONG300 LONG300 LONG300 "\n",
	  "c.conf:1: line longer than 1024 bytes", 1 },
	{ "NUL byte", "relay = a:b\0c\n", "c.conf:1: a NUL byte", 1 },
};

/* run_case - parse a row's text, compare entries or the error */
static void
run_case(void **state)
{
	const struct cred_case *c = *state;
	size_t len = strlen(c->text);
	struct credentials *cr;
	char got[2048] = "";
	struct diag d;

	if (strcmp(c->name, "NUL byte") == 0)
		len = 14;
	diag_init(&d);
	cr = credentials_parse("c.conf", c->text, len, &d);
	if (c->error) {
		if (!diag_contains(&d, c->want))
			diag_print(&d, stdout);
		assert_null(cr);
		assert_true(diag_contains(&d, c->want));
		/* a value is never quoted: it may hold the password */
		assert_false(diag_contains(&d, "pw"));
		assert_false(diag_contains(&d, "xxxx"));
		assert_false(diag_contains(&d, "alice"));
	} else {
		assert_non_null(cr);
		assert_int_equal(diag_errors(&d), 0);
		for (int i = 0; i < cr->n; i++)
			tabletest_put(got, sizeof(got), "%s=%s;",
			    cr->v[i].name, cr->v[i].secret);
		assert_string_equal(got, c->want);
	}
	credentials_free(cr);
	diag_free(&d);
}

/* the user's length and credentials_find */
static void
test_find(void **state)
{
	static const char text[] = "a = alice:pw:x\nb = bob:q\n";
	struct credentials *cr;
	struct diag d;

	(void)state;
	diag_init(&d);
	cr = credentials_parse("c.conf", text, strlen(text), &d);
	assert_non_null(cr);
	assert_string_equal(credentials_find(cr, "a")->secret, "alice:pw:x");
	assert_int_equal(credentials_find(cr, "a")->userlen, 5);
	assert_int_equal(credentials_find(cr, "b")->line, 2);
	assert_null(credentials_find(cr, "c"));
	assert_null(credentials_find(NULL, "a"));
	credentials_free(cr);
	diag_free(&d);
}

/* a file group or others may read is refused; 0600 is read */
static void
test_load_mode(void **state)
{
	char dir[] = "/tmp/lsa-credXXXXXX", path[64];
	struct credentials *cr;
	struct diag d;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/credentials", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("relay = alice:pw\n", fp);
	fclose(fp);
	chmod(path, 0640);
	diag_init(&d);
	assert_null(credentials_load(path, &d));
	assert_true(diag_contains(&d, "credentials:0: refused: mode 0640 "
	    "lets group or others in (chmod 600)"));
	diag_free(&d);
	chmod(path, 0604);
	diag_init(&d);
	assert_null(credentials_load(path, &d));
	diag_free(&d);
	chmod(path, 0600);
	diag_init(&d);
	cr = credentials_load(path, &d);
	assert_non_null(cr);
	assert_string_equal(credentials_find(cr, "relay")->secret,
	    "alice:pw");
	credentials_free(cr);
	diag_free(&d);
	unlink(path);
	rmdir(dir);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_find),
	cmocka_unit_test(test_load_mode),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_case, cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return _cmocka_run_group_tests("credentials", tests, n, NULL, NULL);
}
