/*
 * tabletest.h - table-driven cmocka tests: one cmocka test per table row.
 *
 * Every row struct starts with its name (const char *). ADD_TABLE appends
 * one test per row of a static table to an array of struct CMUnitTest,
 * with the row as the test's initial state. Include after <cmocka.h>.
 */
#ifndef LSA_TABLETEST_H
#define LSA_TABLETEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* add_table - one cmocka test per row; every row starts with its name */
static inline size_t
add_table(struct CMUnitTest *t, size_t n, CMUnitTestFunction fn,
    const void *table, size_t size, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const void *row = (const char *)table + i * size;

		t[n].name = *(const char *const *)row;
		t[n].test_func = fn;
		t[n].setup_func = NULL;
		t[n].teardown_func = NULL;
		t[n].initial_state = (void *)(uintptr_t)row;
		n++;
	}
	return n;
}

#define ADD_TABLE(t, n, fn, tbl) \
	add_table((t), (n), (fn), (tbl), sizeof((tbl)[0]), nitems(tbl))

/* tabletest_put - append formatted text to out (size bytes) */
static inline void __attribute__((format(printf, 3, 4)))
tabletest_put(char *out, size_t size, const char *fmt, ...)
{
	size_t o = strlen(out);
	va_list ap;

	assert_true(o < size);
	va_start(ap, fmt);
	vsnprintf(out + o, size - o, fmt, ap);
	va_end(ap);
}

#endif
