/*
 * schedule.h - when a connector is open: `schedule` and the
 * organization's `timezone` (README "Schedules").
 *
 * A schedule is `always`, `never` or a list of weekly windows, each
 * "DAY[-DAY] HH:MM-HH:MM" (Mon..Sun; a day range may wrap, Fri-Mon; an
 * end not after its start crosses midnight into the next day; 24:00 is
 * allowed as an end). Windows are in the organization's local time, to
 * the minute: a schedule is a bit per minute of the local week.
 *
 * Local time: the process's time zone (glibc: TZ, tzset, localtime_r).
 * schedule_zone_set() sets it for the whole process; call it before any
 * thread starts (lsa-milter) or only from the one thread that reads the
 * clock (lsa-agent, lsa-policyd, lsactl). With a zone set, a wall-clock
 * minute that a daylight-saving change skips never opens or closes
 * anything (a window inside it does not happen that day), and a minute
 * that repeats is open both times if its local minute is.
 *
 * Contract of the evaluation: schedule_open(s, T) says whether the
 * connector is open at the UTC moment T; schedule_next(s, T, open) the
 * first moment after T at which it opens (open = 1) or closes
 * (open = 0), or SCHEDULE_NONE when it does not within SCHEDULE_HORIZON.
 * The state only changes on whole minutes (every zone's offset is whole
 * minutes), so edges are multiples of 60 s. A NULL schedule is `always`.
 *
 * Ownership: schedule_new() returns an empty schedule the parser fills
 * with schedule_add(); schedule_dup() a copy (a bidirectional
 * connector's reverse has the same hours); schedule_free() releases it
 * and its text.
 */
#ifndef LSA_SCHEDULE_H
#define LSA_SCHEDULE_H

#include <stddef.h>
#include <time.h>

#define SCHEDULE_WEEK_MINUTES	(7 * 24 * 60)
#define SCHEDULE_HORIZON	(8 * 24 * 3600)	/* seconds searched ahead */
#define SCHEDULE_NONE		((time_t)-1)
#define SCHEDULE_ERRLEN		160
#define SCHEDULE_ZONE_MAX	64	/* characters in a zone name */
#define SCHEDULE_TIMEFMT_LEN	32	/* "2026-12-07T09:30+01:00" and NUL */

enum schedule_kind {
	SCHEDULE_ALWAYS,
	SCHEDULE_NEVER,
	SCHEDULE_LIST,
};

struct schedule {
	enum schedule_kind kind;
	char		**items;	/* normalized, as printed */
	int		  nitems;
	unsigned char	  week[SCHEDULE_WEEK_MINUTES / 8]; /* Mon 00:00 = 0 */
};

struct schedule *schedule_new(void);
void schedule_free(struct schedule *s);
struct schedule *schedule_dup(const struct schedule *s);
/* schedule_add - one item of the list ("always", "never" or a window);
 * -1 and err on a bad one */
int schedule_add(struct schedule *s, const char *item, char *err,
    size_t errlen);
int schedule_open(const struct schedule *s, time_t t);
time_t schedule_next(const struct schedule *s, time_t t, int open);

struct topology;
/* schedule_topo_next - the first moment after t at which a connector of
 * t opens or closes, SCHEDULE_NONE if none within SCHEDULE_HORIZON */
time_t schedule_topo_next(const struct topology *t, time_t at);

/* schedule_zone_valid - the name is in the system's tz database */
int schedule_zone_valid(const char *zone, char *err, size_t errlen);
/* schedule_zone_set - local time is zone from now on, process-wide;
 * nothing when it already is */
void schedule_zone_set(const char *zone);
/* schedule_zone - the zone set last ("UTC" before any) */
const char *schedule_zone(void);

/* schedule_time_parse - "2026-12-07T09:30" (local), with ":SS", "Z" or
 * "+01:00", or "@EPOCH"; -1 and err on anything else */
int schedule_time_parse(const char *text, time_t *t, char *err,
    size_t errlen);
/* schedule_time_fmt - t as local "YYYY-MM-DDTHH:MM+HH:MM" */
char *schedule_time_fmt(time_t t, char *buf, size_t len);

#endif
