/*
 * pqlist.c - `postqueue -j` lines read with jansson (see pqlist.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pqlist.h"
#include "xmalloc.h"

/* pqlist_valid_id - 1..PQLIST_ID_MAX of [0-9A-Za-z], n bytes */
static int
pqlist_valid_id(const char *s, size_t n)
{
	static const char alnum[] = "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	if (n == 0 || n > PQLIST_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(alnum, s[i]) == NULL)
			return 0;
	return 1;
}

/* pqlist_get_queue - queue_name and queue_id into m */
static int
pqlist_get_queue(json_t *o, struct pq_msg *m, char *err, size_t errlen)
{
	json_t *name = json_object_get(o, "queue_name");
	json_t *id = json_object_get(o, "queue_id");
	const char *s;
	size_t n;

	s = json_string_value(name);
	n = json_string_length(name);
	if (s == NULL || n == 0 || n > PQLIST_NAME_MAX || strlen(s) != n) {
		snprintf(err, errlen, "field \"queue_name\": want a string "
		    "of 1 to %d bytes", PQLIST_NAME_MAX);
		return -1;
	}
	memcpy(m->queue_name, s, n + 1);
	s = json_string_value(id);
	n = json_string_length(id);
	if (s == NULL || !pqlist_valid_id(s, n)) {
		snprintf(err, errlen, "field \"queue_id\": want 1 to %d "
		    "letters and digits", PQLIST_ID_MAX);
		return -1;
	}
	memcpy(m->queue_id, s, n + 1);
	return 0;
}

/* pqlist_get_rcpts - the recipients' addresses into m */
static int
pqlist_get_rcpts(json_t *o, struct pq_msg *m, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, "recipients"), *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > PQLIST_RCPT_MAX) {
		snprintf(err, errlen, "field \"recipients\": want an array of "
		    "at most %d entries", PQLIST_RCPT_MAX);
		return -1;
	}
	m->rcpts = xcalloc(json_array_size(a), sizeof(*m->rcpts));
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(json_object_get(e,
		    "address"));

		if (s == NULL) {
			snprintf(err, errlen, "recipient %zu: want an object "
			    "with a string \"address\"", i);
			return -1;
		}
		m->rcpts[i] = xstrdup(s);
		m->nrcpts = (int)i + 1;
		/* our loop refusal: views that disagreed a moment ago */
		s = json_string_value(json_object_get(e, "delay_reason"));
		if (s != NULL && strstr(s, " " PQLIST_LOOP_STATUS " ") != NULL)
			m->loop_refused = 1;
		if (s != NULL && strstr(s, PQLIST_HELD_REASON) != NULL)
			m->held = 1;
	}
	return 0;
}

/* pqlist_parse_line - one line of `postqueue -j`; m is cleared first */
int
pqlist_parse_line(const char *line, size_t len, struct pq_msg *m,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *o, *sender;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > PQLIST_LINE_MAX) {
		snprintf(err, errlen, "line of %zu bytes (limit %d)", len,
		    PQLIST_LINE_MAX);
		return -1;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		snprintf(err, errlen, "bad JSON: %s", je.text);
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "want a JSON object");
		goto out;
	}
	if (pqlist_get_queue(o, m, err, errlen) < 0)
		goto out;
	sender = json_object_get(o, "sender");
	if (sender != NULL && !json_is_string(sender)) {
		snprintf(err, errlen, "field \"sender\": want a string");
		goto out;
	}
	m->sender = xstrdup(sender != NULL ? json_string_value(sender) : "");
	if (pqlist_get_rcpts(o, m, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_decref(o);
	if (rc < 0)
		pqlist_msg_clear(m);
	return rc;
}

/* pqlist_msg_clear - free what the message owns */
void
pqlist_msg_clear(struct pq_msg *m)
{
	for (int i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	free(m->sender);
	memset(m, 0, sizeof(*m));
}

/* pqlist_split - every line of buf through fn; the number refused */
int
pqlist_split(const char *buf, size_t len,
    void (*fn)(void *arg, int ok, const struct pq_msg *m, const char *err,
    size_t lineno), void *arg)
{
	struct pq_msg m;
	char err[256];
	size_t off = 0, lineno = 0;
	int bad = 0;

	while (off < len) {
		const char *p = buf + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - off;

		lineno++;
		if (pqlist_parse_line(p, n, &m, err, sizeof(err)) == 0) {
			fn(arg, 1, &m, NULL, lineno);
			pqlist_msg_clear(&m);
		} else {
			fn(arg, 0, NULL, err, lineno);
			if (bad < INT_MAX)
				bad++;
		}
		off += n + (nl != NULL);
	}
	return bad;
}
