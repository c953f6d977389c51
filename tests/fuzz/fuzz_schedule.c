/*
 * fuzz_schedule.c - libFuzzer target: any bytes as schedule items and a
 * moment (schedule.h), in Europe/Berlin (daylight-saving changes).
 *
 * Each line is a schedule item (schedule_add), except a line starting
 * with '@', whose rest is a time for schedule_time_parse() (as --at
 * takes it). Items and times are copied to exactly sized buffers so ASan
 * sees any read past them. Besides memory errors, it aborts when:
 *   - an item is refused without a reason;
 *   - the normalized items, added to a new schedule, do not give the
 *     same week (the printed schedule reads back the same);
 *   - at the moment parsed (else a fixed one), the next opening or
 *     closing is not after it, not on a whole minute, or not an edge (the
 *     state just before it is not the other one).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_edge - e is SCHEDULE_NONE or an edge to state open after t */
static void
fuzz_edge(const struct schedule *s, time_t t, time_t e, int open)
{
	if (e == SCHEDULE_NONE)
		return;
	if (e <= t || e % 60 != 0 || schedule_open(s, e) != open ||
	    schedule_open(s, e - 1) == open)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schedule *s, *again;
	char err[SCHEDULE_ERRLEN];
	time_t t = 1796635800;	/* Monday 2026-12-07 09:30 UTC */
	size_t i = 0;

	schedule_zone_set("Europe/Berlin");
	s = schedule_new();
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;
		char *line = malloc(n + 1);

		if (line == NULL)
			abort();
		memcpy(line, data + i, n);
		line[n] = '\0';
		if (strlen(line) == n) {
			err[0] = '\0';
			if (line[0] == '@') {
				time_t v;

				if (schedule_time_parse(line + 1, &v, err,
				    sizeof(err)) == 0 && v > 0 &&
				    v < (time_t)1 << 40)
					t = v;
				else if (schedule_time_parse(line + 1, &v,
				    err, sizeof(err)) < 0 && err[0] == '\0')
					abort();
			} else if (schedule_add(s, line, err,
			    sizeof(err)) < 0 && err[0] == '\0')
				abort();
		}
		free(line);
		i += n + 1;
	}
	again = schedule_new();
	for (int k = 0; k < s->nitems; k++)
		if (schedule_add(again, s->items[k], err, sizeof(err)) < 0)
			abort();
	if (again->kind != s->kind || memcmp(again->week, s->week,
	    sizeof(s->week)) != 0)
		abort();
	fuzz_edge(s, t, schedule_next(s, t, 1), 1);
	fuzz_edge(s, t, schedule_next(s, t, 0), 0);
	schedule_free(again);
	schedule_free(s);
	return 0;
}
