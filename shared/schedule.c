/*
 * schedule.c - weekly windows, the zone they are read in, the moments
 * they open and close (see schedule.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "schedule.h"
#include "topology.h"
#include "xmalloc.h"

#define SCHEDULE_DAY	(24 * 60)	/* minutes */
#define SCHEDULE_TZDIR	"/usr/share/zoneinfo"

static const char *const schedule_days[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

static char schedule_cur_zone[SCHEDULE_ZONE_MAX + 1] = "UTC";

/* schedule_new - an empty list (open never until a window is added) */
struct schedule *
schedule_new(void)
{
	struct schedule *s = xcalloc(1, sizeof(*s));

	s->kind = SCHEDULE_LIST;
	return s;
}

/* schedule_free - the schedule and its items */
void
schedule_free(struct schedule *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nitems; i++)
		free(s->items[i]);
	free(s->items);
	free(s);
}

/* schedule_dup - a copy of s (NULL: NULL) */
struct schedule *
schedule_dup(const struct schedule *s)
{
	struct schedule *d;

	if (s == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	*d = *s;
	d->items = xreallocarray(NULL, (size_t)s->nitems + 1,
	    sizeof(*d->items));
	for (int i = 0; i < s->nitems; i++)
		d->items[i] = xstrdup(s->items[i]);
	return d;
}

/* schedule_day - "Mon".."Sun" (any case) at *p; its index, or -1 */
static int
schedule_day(const char **p)
{
	for (int d = 0; d < 7; d++)
		if (strncasecmp(*p, schedule_days[d], 3) == 0) {
			*p += 3;
			return d;
		}
	return -1;
}

/* schedule_hhmm - "HH:MM" at *p, in minutes (24:00 is 1440), or -1 */
static int
schedule_hhmm(const char **p)
{
	const char *s = *p;
	int h, m;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*p = s + 5;
	return h * 60 + m;
}

/* schedule_set - open the minutes [from, to) of the week, wrapping */
static void
schedule_set(struct schedule *s, int from, int to)
{
	for (int m = from; m < to; m++) {
		int w = m % SCHEDULE_WEEK_MINUTES;

		s->week[w / 8] |= (unsigned char)(1u << (w % 8));
	}
}

/* schedule_push - keep the normalized item */
static void
schedule_push(struct schedule *s, char *item)
{
	s->items = xreallocarray(s->items, (size_t)s->nitems + 1,
	    sizeof(*s->items));
	s->items[s->nitems++] = item;
}

/* schedule_add - see schedule.h */
int
schedule_add(struct schedule *s, const char *item, char *err, size_t errlen)
{
	const char *p = item;
	int d1, d2, from, to;

	if (strcmp(item, "always") == 0 || strcmp(item, "never") == 0) {
		if (s->nitems > 0) {
			snprintf(err, errlen, "\"%s\" must be the only item",
			    item);
			return -1;
		}
		s->kind = item[0] == 'a' ? SCHEDULE_ALWAYS : SCHEDULE_NEVER;
		schedule_push(s, xstrdup(item));
		return 0;
	}
	if (s->kind != SCHEDULE_LIST) {
		snprintf(err, errlen, "\"%s\" must be the only item",
		    s->items[0]);
		return -1;
	}
	if ((d1 = schedule_day(&p)) < 0)
		goto bad;
	d2 = d1;
	if (*p == '-') {
		p++;
		if ((d2 = schedule_day(&p)) < 0)
			goto bad;
	}
	if (*p != ' ' && *p != '\t')
		goto bad;
	while (*p == ' ' || *p == '\t')
		p++;
	if ((from = schedule_hhmm(&p)) < 0 || from == SCHEDULE_DAY ||
	    *p++ != '-' || (to = schedule_hhmm(&p)) < 0 || *p != '\0')
		goto bad;
	/* an end not after the start is on the next day */
	if (to <= from)
		to += SCHEDULE_DAY;
	for (int d = d1;; d = (d + 1) % 7) {
		schedule_set(s, d * SCHEDULE_DAY + from, d * SCHEDULE_DAY + to);
		if (d == d2)
			break;
	}
	if (d1 == d2)
		schedule_push(s, xasprintf("%s %02d:%02d-%02d:%02d",
		    schedule_days[d1], from / 60, from % 60,
		    to / 60 % 24 + (to == SCHEDULE_DAY ? 24 : 0), to % 60));
	else
		schedule_push(s, xasprintf("%s-%s %02d:%02d-%02d:%02d",
		    schedule_days[d1], schedule_days[d2], from / 60,
		    from % 60, to / 60 % 24 + (to == SCHEDULE_DAY ? 24 : 0),
		    to % 60));
	return 0;
bad:
	snprintf(err, errlen, "bad window \"%s\" (want DAY[-DAY] "
	    "HH:MM-HH:MM, DAY Mon..Sun, or always or never)", item);
	return -1;
}

/* schedule_minute - t's minute of the local week (Monday 00:00 is 0),
 * -1 if it has none */
static int
schedule_minute(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	return ((tm.tm_wday + 6) % 7) * SCHEDULE_DAY + tm.tm_hour * 60 +
	    tm.tm_min;
}

/* schedule_bit - s open in minute w of the local week (w -1: closed) */
static int
schedule_bit(const struct schedule *s, int w)
{
	if (s == NULL || s->kind == SCHEDULE_ALWAYS)
		return 1;
	if (s->kind == SCHEDULE_NEVER || w < 0)
		return 0;
	return (s->week[w / 8] >> (w % 8)) & 1;
}

/* schedule_open - whether the connector is open at t */
int
schedule_open(const struct schedule *s, time_t t)
{
	if (s == NULL || s->kind != SCHEDULE_LIST)
		return schedule_bit(s, 0);
	return schedule_bit(s, schedule_minute(t));
}

/* schedule_first_minute - the first whole minute after t */
static time_t
schedule_first_minute(time_t t)
{
	return (t - ((t % 60) + 60) % 60) + 60;
}

/* schedule_next - the first whole minute after t where the state
 * becomes open (or closed); walks minute by minute so a zone's changes
 * of offset need no special case */
time_t
schedule_next(const struct schedule *s, time_t t, int open)
{
	time_t m, end = t + SCHEDULE_HORIZON;
	int before;

	if (s == NULL || s->kind != SCHEDULE_LIST)
		return SCHEDULE_NONE;
	m = schedule_first_minute(t);
	before = schedule_open(s, m - 60);
	for (; m <= end; m += 60) {
		int now = schedule_open(s, m);

		if (now != before && now == (open != 0))
			return m;
		before = now;
	}
	return SCHEDULE_NONE;
}

/* schedule_topo_next - see schedule.h; one walk for every connector, so
 * one local time a minute however many are scheduled */
time_t
schedule_topo_next(const struct topology *t, time_t at)
{
	time_t m, end = at + SCHEDULE_HORIZON;
	int any = 0, w;

	for (int ci = 0; ci < t->nconnectors; ci++) {
		const struct schedule *s = t->connectors[ci].schedule;

		any |= s != NULL && s->kind == SCHEDULE_LIST;
	}
	if (!any)
		return SCHEDULE_NONE;
	m = schedule_first_minute(at);
	w = schedule_minute(m - 60);
	for (; m <= end; m += 60) {
		int v = schedule_minute(m);

		for (int ci = 0; ci < t->nconnectors; ci++) {
			const struct schedule *s = t->connectors[ci].schedule;

			if (s != NULL && s->kind == SCHEDULE_LIST &&
			    schedule_bit(s, v) != schedule_bit(s, w))
				return m;
		}
		w = v;
	}
	return SCHEDULE_NONE;
}

/* schedule_zone_valid - a sane name with a TZif file in the database */
int
schedule_zone_valid(const char *zone, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	struct stat st;
	FILE *fp;
	int ok;

	if (*zone == '\0' || strlen(zone) > SCHEDULE_ZONE_MAX ||
	    zone[0] == '/' || strstr(zone, "..") != NULL ||
	    zone[strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789/_+-")] != '\0') {
		snprintf(err, errlen, "bad time zone name \"%s\" (want an IANA "
		    "name like Europe/Berlin)", zone);
		return 0;
	}
	if (strcmp(zone, "UTC") == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir != NULL && *dir != '\0' ?
	    dir : SCHEDULE_TZDIR, zone);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "unknown time zone \"%s\" (not in %s)",
		    zone, dir != NULL && *dir != '\0' ? dir : SCHEDULE_TZDIR);
		return 0;
	}
	ok = fread(magic, 1, 4, fp) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(fp);
	if (!ok)
		snprintf(err, errlen, "unknown time zone \"%s\" (%s is not a "
		    "zone file)", zone, path);
	return ok;
}

/* schedule_zone_set - TZ for the whole process */
void
schedule_zone_set(const char *zone)
{
	if (strcmp(zone, schedule_cur_zone) == 0 && getenv("TZ") != NULL)
		return;
	snprintf(schedule_cur_zone, sizeof(schedule_cur_zone), "%s", zone);
	setenv("TZ", schedule_cur_zone, 1);
	tzset();
}

/* schedule_zone - the zone in use */
const char *
schedule_zone(void)
{
	return schedule_cur_zone;
}

/* schedule_num - exactly n digits at *p */
static int
schedule_num(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* schedule_time_parse - see schedule.h */
int
schedule_time_parse(const char *text, time_t *t, char *err, size_t errlen)
{
	const char *p = text;
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, oh, om, off = 0, zoned = 0;

	if (*p == '@') {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(p + 1, &end, 10);
		if (p[1] == '\0' || *end != '\0' || errno != 0 || v < 0)
			goto bad;
		*t = (time_t)v;
		return 0;
	}
	if (schedule_num(&p, 4, &y) < 0 || *p++ != '-' ||
	    schedule_num(&p, 2, &mo) < 0 || *p++ != '-' ||
	    schedule_num(&p, 2, &d) < 0 || *p++ != 'T' ||
	    schedule_num(&p, 2, &h) < 0 || *p++ != ':' ||
	    schedule_num(&p, 2, &mi) < 0)
		goto bad;
	if (*p == ':' && (p++, schedule_num(&p, 2, &sec) < 0))
		goto bad;
	if (*p == 'Z') {
		p++;
		zoned = 1;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;

		if (schedule_num(&p, 2, &oh) < 0)
			goto bad;
		if (*p == ':')
			p++;
		if (schedule_num(&p, 2, &om) < 0 || oh > 23 || om > 59)
			goto bad;
		off = sign * (oh * 3600 + om * 60);
		zoned = 1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	*t = zoned ? timegm(&tm) - off : mktime(&tm);
	return 0;
bad:
	snprintf(err, errlen, "bad time \"%s\" (want YYYY-MM-DDTHH:MM[:SS] "
	    "in the organization's time zone, with Z or +HH:MM, or @EPOCH)",
	    text);
	return -1;
}

/* schedule_time_fmt - t in local time with its offset */
char *
schedule_time_fmt(time_t t, char *buf, size_t len)
{
	char off[8];
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "@%lld", (long long)t);
		return buf;
	}
	strftime(off, sizeof(off), "%z", &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d%.3s:%.2s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, off, off + 3);
	return buf;
}
