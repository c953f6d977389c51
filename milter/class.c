/*
 * class.c - the message class from its headers (pure: no I/O).
 *
 * Priority, the first of these headers that says high or low decides:
 *   X-Priority: 1 or 2 high, 4 or 5 low (a digit first: "1 (Highest)")
 *   Importance: high | low          (RFC 2156)
 *   Priority: urgent high, non-urgent low (RFC 2156)
 * anything else ("3", "normal"), or none: normal. System mail: the null sender (set by
 * cb.c) or Content-Type multipart/report (DSNs and MDNs, RFC 6522).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "milter.h"

/* class_word - value, white space trimmed, is word (any case) */
static int
class_word(const char *value, const char *word)
{
	size_t n = strlen(word);

	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, word, n) != 0)
		return 0;
	value += n;
	while (*value == ' ' || *value == '\t' || *value == '\r' ||
	    *value == '\n')
		value++;
	return *value == '\0';
}

/* class_priority - what one header says: -1 nothing, else a priority */
static int
class_priority(const char *name, const char *value)
{
	if (strcasecmp(name, "X-Priority") == 0) {
		while (*value == ' ' || *value == '\t')
			value++;
		if (*value == '1' || *value == '2')
			return MILTER_PRIO_HIGH;
		if (*value == '4' || *value == '5')
			return MILTER_PRIO_LOW;
		return *value == '3' ? MILTER_PRIO_NORMAL : -1;
	}
	if (strcasecmp(name, "Importance") == 0) {
		if (class_word(value, "high"))
			return MILTER_PRIO_HIGH;
		if (class_word(value, "low"))
			return MILTER_PRIO_LOW;
		return class_word(value, "normal") ? MILTER_PRIO_NORMAL : -1;
	}
	if (strcasecmp(name, "Priority") == 0) {
		if (class_word(value, "urgent"))
			return MILTER_PRIO_HIGH;
		if (class_word(value, "non-urgent"))
			return MILTER_PRIO_LOW;
		return class_word(value, "normal") ? MILTER_PRIO_NORMAL : -1;
	}
	return -1;
}

/*
 * milter_class_header - one header of the message: *report set on a
 * multipart/report Content-Type, k->priority by the first priority
 * header that says high or low
 */
void
milter_class_header(struct milter_class *k, int *report, const char *name,
    const char *value)
{
	int p;

	if (strcasecmp(name, "Content-Type") == 0) {
		while (*value == ' ' || *value == '\t')
			value++;
		if (strncasecmp(value, "multipart/report", 16) == 0 &&
		    (value[16] == ';' || value[16] == '\0' ||
		    isspace((unsigned char)value[16])))
			*report = 1;
		return;
	}
	if (k->priority == MILTER_PRIO_NORMAL &&
	    (p = class_priority(name, value)) >= 0)
		k->priority = (enum milter_prio)p;
}

/* milter_class_prio_name - for log lines */
const char *
milter_class_prio_name(enum milter_prio p)
{
	switch (p) {
	case MILTER_PRIO_HIGH:
		return "high";
	case MILTER_PRIO_LOW:
		return "low";
	default:
		return "normal";
	}
}
