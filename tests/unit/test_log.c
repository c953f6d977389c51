/*
 * test_log.c - log line formatting (shared/log.c): the text of %s and %c
 * arguments is escaped (control characters, bytes outside UTF-8, '"'
 * inside a quoted value, backslashes), every other conversion is as
 * printf's, and the log functions themselves write escaped lines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "tabletest.h"

struct esc_case {
	const char	*name;
	const char	*fmt;	/* one %s */
	const char	*arg;
	const char	*want;
};

static const struct esc_case esc_cases[] = {
	{ "plain text unchanged", "to=%s", "a@b.example", "to=a@b.example" },
	{ "CR LF: no forged line", "to=%s", "a\r\nlsa: fake",
	  "to=a\\r\\nlsa: fake" },
	{ "tab", "x=%s", "a\tb", "x=a\\tb" },
	{ "ESC: no terminal sequence", "name=%s", "\x1b[31mred",
	  "name=\\x1b[31mred" },
	{ "other control character", "x=%s", "a\x01z", "x=a\\x01z" },
	{ "DEL", "x=%s", "a\x7f", "x=a\\x7f" },
	{ "quote inside a quoted value", "rcpt=\"%s\" n=1", "a\"b",
	  "rcpt=\"a\\\"b\" n=1" },
	{ "quote outside quotes unchanged", "rcpt=%s", "a\"b", "rcpt=a\"b" },
	{ "second quoted value", "a=\"x\" b=\"%s\"", "\"", "a=\"x\" b=\"\\\"\"" },
	{ "after a closed quote", "a=\"x\" b=%s", "\"", "a=\"x\" b=\"" },
	{ "backslash", "x=%s", "a\\b", "x=a\\\\b" },
	{ "UTF-8 unchanged", "x=%s", "Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x93\xa7",
	  "x=Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x93\xa7" },
	{ "byte 0xff", "x=%s", "a\xff", "x=a\\xff" },
	{ "overlong slash", "x=%s", "\xc0\xaf", "x=\\xc0\\xaf" },
	{ "cut sequence", "x=%s", "a\xc3", "x=a\\xc3" },
	{ "cut 3-byte sequence then ASCII", "x=%s", "\xe2\x82z",
	  "x=\\xe2\\x82z" },
	{ "C1 control (CSI)", "x=%s", "\xc2\x9b" "2J", "x=\\xc2\\x9b2J" },
	{ "surrogate", "x=%s", "\xed\xa0\x80", "x=\\xed\\xa0\\x80" },
	{ "past U+10FFFF", "x=%s", "\xf4\x90\x80\x80",
	  "x=\\xf4\\x90\\x80\\x80" },
	{ "lone continuation", "x=%s", "\x80", "x=\\x80" },
	{ "precision counts input bytes", "x=%.3s", "a\rbcdef", "x=a\\rb" },
	{ "width pads on the left", "[%5s]", "ab", "[   ab]" },
	{ "width pads on the right", "[%-5s]", "ab", "[ab   ]" },
	{ "width after escaping", "[%4s]", "\r", "[  \\r]" },
	{ "format text copied", "100%% \"%s\"", "ok", "100% \"ok\"" },
};

/* test_escape - one row: log_fmt gives the escaped line */
static void
test_escape(void **state)
{
	const struct esc_case *c = *state;
	char buf[256];
	size_t n;

	n = log_fmt(buf, sizeof(buf), c->fmt, c->arg);
	assert_string_equal(buf, c->want);
	assert_int_equal(n, strlen(c->want));
}

/* test_conversions - every other conversion is printf's */
static void
test_conversions(void **state)
{
	char got[256], want[256];
	uint64_t big = UINT64_MAX;
	size_t z = 123456;
	void *p = &z;

	(void)state;
	log_fmt(got, sizeof(got), "%d %i %u %zu %zd %lld %llu %ld %lu %ju %x "
	    "%X %o %#x %08.3f %.1f %5.2f%% %e %g %" PRIu64 " %" PRId64 " %c "
	    "%*d|%-*d|%.*s %p %hhu %hd", -5, 7, 3000000000u, z, (ssize_t)-3,
	    -9000000000LL, 18000000000ULL, -70000L, 70000UL, (uintmax_t)42,
	    255, 255, 8, 16, 3.14159, 2.25, 99.5, 1e10, 0.5, big,
	    (int64_t)INT64_MIN, 'q', 4, 7, 3, 8, 2, "abcdef", p, 300, 70000);
	snprintf(want, sizeof(want), "%d %i %u %zu %zd %lld %llu %ld %lu %ju "
	    "%x %X %o %#x %08.3f %.1f %5.2f%% %e %g %" PRIu64 " %" PRId64
	    " %c %*d|%-*d|%.*s %p %hhu %hd", -5, 7, 3000000000u, z,
	    (ssize_t)-3, -9000000000LL, 18000000000ULL, -70000L, 70000UL,
	    (uintmax_t)42, 255, 255, 8, 16, 3.14159, 2.25, 99.5, 1e10, 0.5,
	    big, (int64_t)INT64_MIN, 'q', 4, 7, 3, 8, 2, "abcdef", p,
	    (unsigned char)300, (short)70000);
	assert_string_equal(got, want);
	log_fmt(got, sizeof(got), "c=%c", '\r');
	assert_string_equal(got, "c=\\r");
}

/* test_truncate - the line is cut to the buffer, NUL-terminated */
static void
test_truncate(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(log_fmt(buf, sizeof(buf), "x=%s", "\r\r\r\r"), 7);
	assert_string_equal(buf, "x=\\r\\r\\");
	assert_int_equal(log_fmt(buf, sizeof(buf), "%d%d%d", 1234, 5678, 9),
	    7);
	assert_string_equal(buf, "1234567");
	assert_int_equal(log_fmt(buf, 0, "abc"), 0);
}

/* test_log_functions - log_warnx and log_info write escaped lines */
static void
test_log_functions(void **state)
{
	char path[] = "/tmp/lsa-logXXXXXX", line[512];
	int fd, saved;
	FILE *fp;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	saved = dup(2);
	assert_int_equal(dup2(fd, 2), 2);
	log_init("t", 1, 0);
	log_warnx("smtp from=%s ehlo=\"%s\"", "a\r\nt: forged", "x\"\x1b");
	log_info("rcpt=%s", "\xff");
	errno = ENOENT;
	log_warn("file=%s", "a\nb");
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	fp = fdopen(fd, "r");
	assert_non_null(fp);
	rewind(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "t: warning: smtp from=a\\r\\nt: forged "
	    "ehlo=\"x\\\"\\x1b\"\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "t: rcpt=\\xff\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "t: warning: file=a\\nb: No such file or "
	    "directory\n");
	assert_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	unlink(path);
}

int
main(void)
{
	static const struct CMUnitTest fixed_tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_log_functions),
	};
	struct CMUnitTest tests[nitems(esc_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, test_escape, esc_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
