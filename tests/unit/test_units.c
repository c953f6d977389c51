/*
 * test_units.c - shared/units.c: the value parsers of both configuration
 * files (time, size, ranged whole number, boolean) and the formatters
 * that write times and sizes back.
 *
 * Every parser is driven by a table of cases: a name, the input, and
 * either the wanted value or the exact error text. Each row is its own
 * cmocka test, named after the row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "units.h"

#define U64MAX		"18446744073709551615"

/* units_time_ms */
struct time_case {
	const char	*name;
	const char	*in;
	uint64_t	 want;		/* when err is NULL */
	const char	*err;		/* exact error text, or NULL */
};

static const struct time_case time_cases[] = {
	{ "time: 250ms", "250ms", 250, NULL },
	{ "time: 60s", "60s", 60000, NULL },
	{ "time: 5m", "5m", 300000, NULL },
	{ "time: 1h", "1h", 3600000, NULL },
	{ "time: 0s", "0s", 0, NULL },
	{ "time: 0ms", "0ms", 0, NULL },
	{ "time: leading zeros", "007s", 7000, NULL },
	{ "time: largest ms", U64MAX "ms", UINT64_MAX, NULL },
	{ "time: largest h", "5124095576030h", 5124095576030ULL * 3600000,
	  NULL },
	{ "time: bare number refused", "60", 0,
	  "bad time \"60\" (want a number and ms, s, m or h)" },
	{ "time: unknown unit", "1x", 0,
	  "bad time \"1x\" (want a number and ms, s, m or h)" },
	{ "time: unit only", "s", 0,
	  "bad time \"s\" (want a number and ms, s, m or h)" },
	{ "time: empty", "", 0,
	  "bad time \"\" (want a number and ms, s, m or h)" },
	{ "time: negative", "-1s", 0,
	  "bad time \"-1s\" (want a number and ms, s, m or h)" },
	{ "time: fraction", "1.5s", 0,
	  "bad time \"1.5s\" (want a number and ms, s, m or h)" },
	{ "time: space before unit", "1 s", 0,
	  "bad time \"1 s\" (want a number and ms, s, m or h)" },
	{ "time: units are lowercase", "1H", 0,
	  "bad time \"1H\" (want a number and ms, s, m or h)" },
	{ "time: two units", "1h30m", 0,
	  "bad time \"1h30m\" (want a number and ms, s, m or h)" },
	{ "time: number overflows", "99999999999999999999s", 0,
	  "bad time \"99999999999999999999s\" (want a number and ms, s, m "
	  "or h)" },
	{ "time: hours overflow", U64MAX "h", 0,
	  "time \"" U64MAX "h\" too large" },
	{ "time: seconds overflow", U64MAX "s", 0,
	  "time \"" U64MAX "s\" too large" },
	{ "time: one hour too many", "5124095576031h", 0,
	  "time \"5124095576031h\" too large" },
};

static void
run_time(void **state)
{
	const struct time_case *c = *state;
	char err[UNITS_ERRLEN] = "";
	uint64_t v = 12345;
	int rc;

	rc = units_time_ms(c->in, &v, err);
	if (c->err == NULL) {
		assert_int_equal(rc, 0);
		assert_true(v == c->want);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
	}
}

/* units_size */
struct size_case {
	const char	*name;
	const char	*in;
	uint64_t	 want;
	const char	*err;
};

#define BAD_SIZE(s)	"bad size \"" s "\" (want a number with optional k, " \
			"M or G, or unlimited)"

static const struct size_case size_cases[] = {
	{ "size: 10M", "10M", 10 * 1024 * 1024, NULL },
	{ "size: 512k", "512k", 512 * 1024, NULL },
	{ "size: 512K", "512K", 512 * 1024, NULL },
	{ "size: 1G", "1G", 1024 * 1024 * 1024, NULL },
	{ "size: bytes", "1000", 1000, NULL },
	{ "size: unlimited", "unlimited", 0, NULL },
	{ "size: UNLIMITED", "UNLIMITED", 0, NULL },
	{ "size: 0", "0", 0, NULL },
	{ "size: largest bytes", U64MAX, UINT64_MAX, NULL },
	{ "size: largest G", "17179869183G", 17179869183ULL << 30, NULL },
	{ "size: unknown unit", "10Q", 0, BAD_SIZE("10Q") },
	{ "size: lowercase m", "10m", 0, BAD_SIZE("10m") },
	{ "size: lowercase g", "1g", 0, BAD_SIZE("1g") },
	{ "size: two units", "1kk", 0, BAD_SIZE("1kk") },
	{ "size: empty", "", 0, BAD_SIZE("") },
	{ "size: unit only", "k", 0, BAD_SIZE("k") },
	{ "size: negative", "-1", 0, BAD_SIZE("-1") },
	{ "size: space before unit", "1 M", 0, BAD_SIZE("1 M") },
	{ "size: MB", "10MB", 0, BAD_SIZE("10MB") },
	{ "size: number overflows", "99999999999999999999", 0,
	  BAD_SIZE("99999999999999999999") },
	{ "size: G overflows", "17179869184G", 0,
	  "size \"17179869184G\" too large" },
	{ "size: k overflows", U64MAX "k", 0,
	  "size \"" U64MAX "k\" too large" },
};

static void
run_size(void **state)
{
	const struct size_case *c = *state;
	char err[UNITS_ERRLEN] = "";
	uint64_t v = 12345;
	int rc;

	rc = units_size(c->in, &v, err);
	if (c->err == NULL) {
		assert_int_equal(rc, 0);
		assert_true(v == c->want);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
	}
}

/* units_uint */
struct uint_case {
	const char	*name;
	const char	*in;
	uint64_t	 min, max;
	uint64_t	 want;
	const char	*err;
};

static const struct uint_case uint_cases[] = {
	{ "uint: low end", "0", 0, 100, 0, NULL },
	{ "uint: high end", "100", 0, 100, 100, NULL },
	{ "uint: inside", "42", 1, 100, 42, NULL },
	{ "uint: leading zeros", "007", 1, 100, 7, NULL },
	{ "uint: whole range", U64MAX, 0, UINT64_MAX, UINT64_MAX, NULL },
	{ "uint: one value range", "5", 5, 5, 5, NULL },
	{ "uint: above max", "101", 0, 100, 0, "101 is out of range 0..100" },
	{ "uint: below min", "0", 1, 100, 0, "0 is out of range 1..100" },
	{ "uint: port range", "65536", 1, 65535, 0,
	  "65536 is out of range 1..65535" },
	{ "uint: empty", "", 0, 100, 0, "bad number \"\"" },
	{ "uint: letters", "12a", 0, 100, 0, "bad number \"12a\"" },
	{ "uint: negative", "-1", 0, 100, 0, "bad number \"-1\"" },
	{ "uint: plus sign", "+1", 0, 100, 0, "bad number \"+1\"" },
	{ "uint: leading space", " 1", 0, 100, 0, "bad number \" 1\"" },
	{ "uint: fraction", "1.0", 0, 100, 0, "bad number \"1.0\"" },
	{ "uint: hex", "0x10", 0, 100, 0, "bad number \"0x10\"" },
	{ "uint: overflow", "18446744073709551616", 0, UINT64_MAX, 0,
	  "bad number \"18446744073709551616\"" },
};

static void
run_uint(void **state)
{
	const struct uint_case *c = *state;
	char err[UNITS_ERRLEN] = "";
	uint64_t v = 12345;
	int rc;

	rc = units_uint(c->in, c->min, c->max, &v, err);
	if (c->err == NULL) {
		assert_int_equal(rc, 0);
		assert_true(v == c->want);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
		assert_true(v == 12345);	/* untouched */
	}
}

/* units_bool */
struct bool_case {
	const char	*name;
	const char	*in;
	int		 want;
	const char	*err;
};

static const struct bool_case bool_cases[] = {
	{ "bool: yes", "yes", 1, NULL },
	{ "bool: true", "true", 1, NULL },
	{ "bool: on", "on", 1, NULL },
	{ "bool: 1", "1", 1, NULL },
	{ "bool: YES", "YES", 1, NULL },
	{ "bool: On", "On", 1, NULL },
	{ "bool: no", "no", 0, NULL },
	{ "bool: false", "false", 0, NULL },
	{ "bool: off", "off", 0, NULL },
	{ "bool: 0", "0", 0, NULL },
	{ "bool: NO", "NO", 0, NULL },
	{ "bool: y", "y", 0, "bad boolean \"y\" (want yes or no)" },
	{ "bool: 2", "2", 0, "bad boolean \"2\" (want yes or no)" },
	{ "bool: empty", "", 0, "bad boolean \"\" (want yes or no)" },
	{ "bool: yess", "yess", 0, "bad boolean \"yess\" (want yes or no)" },
	{ "bool: padded", " yes", 0, "bad boolean \" yes\" (want yes or no)" },
};

static void
run_bool(void **state)
{
	const struct bool_case *c = *state;
	char err[UNITS_ERRLEN] = "";
	int v = 7, rc;

	rc = units_bool(c->in, &v, err);
	if (c->err == NULL) {
		assert_int_equal(rc, 0);
		assert_int_equal(v, c->want);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(err, c->err);
		assert_int_equal(v, 7);
	}
}

/*
 * units_fmt_time / units_fmt_size: the value, the text wanted, and the
 * round trip: the text parses back to the value.
 */
struct fmt_case {
	const char	*name;
	uint64_t	 in;
	const char	*want;
};

static const struct fmt_case fmt_time_cases[] = {
	{ "fmt time: 0", 0, "0s" },
	{ "fmt time: 1ms", 1, "1ms" },
	{ "fmt time: 250ms", 250, "250ms" },
	{ "fmt time: 1s", 1000, "1s" },
	{ "fmt time: 1500ms", 1500, "1500ms" },
	{ "fmt time: 90s", 90000, "90s" },
	{ "fmt time: 1m", 60000, "1m" },
	{ "fmt time: 90m", 5400000, "90m" },
	{ "fmt time: 1h", 3600000, "1h" },
	{ "fmt time: 24h", 86400000, "24h" },
	{ "fmt time: largest", UINT64_MAX, U64MAX "ms" },
	{ "fmt time: largest h", 5124095576030ULL * 3600000,
	  "5124095576030h" },
};

static void
run_fmt_time(void **state)
{
	const struct fmt_case *c = *state;
	char buf[64], err[UNITS_ERRLEN] = "";
	uint64_t back = 12345;

	assert_ptr_equal(units_fmt_time(c->in, buf, sizeof(buf)), buf);
	assert_string_equal(buf, c->want);
	assert_int_equal(units_time_ms(buf, &back, err), 0);
	assert_true(back == c->in);
}

static const struct fmt_case fmt_size_cases[] = {
	{ "fmt size: unlimited", 0, "unlimited" },
	{ "fmt size: 1", 1, "1" },
	{ "fmt size: 1000", 1000, "1000" },
	{ "fmt size: 1k", 1024, "1k" },
	{ "fmt size: 1536", 1536, "1536" },
	{ "fmt size: 1536k", 1536 * 1024, "1536k" },
	{ "fmt size: 10M", 10 * 1024 * 1024, "10M" },
	{ "fmt size: 1G", 1024 * 1024 * 1024, "1G" },
	{ "fmt size: 3G", 3ULL << 30, "3G" },
	{ "fmt size: largest G", 17179869183ULL << 30, "17179869183G" },
	{ "fmt size: largest", UINT64_MAX, U64MAX },
};

static void
run_fmt_size(void **state)
{
	const struct fmt_case *c = *state;
	char buf[64], err[UNITS_ERRLEN] = "";
	uint64_t back = 12345;

	assert_ptr_equal(units_fmt_size(c->in, buf, sizeof(buf)), buf);
	assert_string_equal(buf, c->want);
	assert_int_equal(units_size(buf, &back, err), 0);
	assert_true(back == c->in);
}

/* texts that parse and format back to themselves */
static void
test_text_round_trip(void **state)
{
	static const char *times[] = { "250ms", "1s", "59s", "1m", "90m",
	    "1h", "48h", "1001ms" };
	static const char *sizes[] = { "unlimited", "1", "1k", "1023",
	    "10M", "1G", "1025k" };
	char buf[64], err[UNITS_ERRLEN];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < nitems(times); i++) {
		assert_int_equal(units_time_ms(times[i], &v, err), 0);
		assert_string_equal(units_fmt_time(v, buf, sizeof(buf)),
		    times[i]);
	}
	for (size_t i = 0; i < nitems(sizes); i++) {
		assert_int_equal(units_size(sizes[i], &v, err), 0);
		assert_string_equal(units_fmt_size(v, buf, sizeof(buf)),
		    sizes[i]);
	}
}

/* non-canonical texts come back in the largest exact unit */
static void
test_text_normalized(void **state)
{
	static const struct { const char *in, *out; } times[] = {
		{ "60s", "1m" }, { "3600s", "1h" }, { "60m", "1h" },
		{ "1000ms", "1s" }, { "0ms", "0s" }, { "120000ms", "2m" },
	}, sizes[] = {
		{ "0", "unlimited" }, { "1024", "1k" }, { "1024k", "1M" },
		{ "2048M", "2G" }, { "512K", "512k" },
	};
	char buf[64], err[UNITS_ERRLEN];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < nitems(times); i++) {
		assert_int_equal(units_time_ms(times[i].in, &v, err), 0);
		assert_string_equal(units_fmt_time(v, buf, sizeof(buf)),
		    times[i].out);
	}
	for (size_t i = 0; i < nitems(sizes); i++) {
		assert_int_equal(units_size(sizes[i].in, &v, err), 0);
		assert_string_equal(units_fmt_size(v, buf, sizeof(buf)),
		    sizes[i].out);
	}
}

/* a short buffer is truncated, still NUL-terminated */
static void
test_fmt_short_buffer(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(units_fmt_time(12345, buf, sizeof(buf)), "123");
	assert_string_equal(units_fmt_size(0, buf, sizeof(buf)), "unl");
}

/* every error fits UNITS_ERRLEN, even for a long input */
static void
test_long_input_error(void **state)
{
	char in[400], err[UNITS_ERRLEN];
	uint64_t v;
	int b;

	(void)state;
	memset(in, '9', sizeof(in) - 2);
	in[sizeof(in) - 2] = 'x';
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(units_time_ms(in, &v, err), -1);
	assert_true(strlen(err) < UNITS_ERRLEN);
	assert_int_equal(strncmp(err, "bad time \"999", 13), 0);
	assert_int_equal(units_size(in, &v, err), -1);
	assert_true(strlen(err) < UNITS_ERRLEN);
	assert_int_equal(units_uint(in, 0, 1, &v, err), -1);
	assert_true(strlen(err) < UNITS_ERRLEN);
	assert_int_equal(units_bool(in, &b, err), -1);
	assert_true(strlen(err) < UNITS_ERRLEN);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_text_round_trip),
	cmocka_unit_test(test_text_normalized),
	cmocka_unit_test(test_fmt_short_buffer),
	cmocka_unit_test(test_long_input_error),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(time_cases) + nitems(size_cases) +
	    nitems(uint_cases) + nitems(bool_cases) + nitems(fmt_time_cases) +
	    nitems(fmt_size_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_time, time_cases);
	n = ADD_TABLE(tests, n, run_size, size_cases);
	n = ADD_TABLE(tests, n, run_uint, uint_cases);
	n = ADD_TABLE(tests, n, run_bool, bool_cases);
	n = ADD_TABLE(tests, n, run_fmt_time, fmt_time_cases);
	n = ADD_TABLE(tests, n, run_fmt_size, fmt_size_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_units: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
