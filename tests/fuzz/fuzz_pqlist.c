/*
 * fuzz_pqlist.c - libFuzzer target: any bytes as `postqueue -j` output,
 * through pqlist_split() (and so pqlist_parse_line()).
 *
 * The input is split as it comes (libFuzzer's buffer is exactly sized,
 * so ASan sees any read past it). Besides memory errors, it aborts when:
 *   - a message comes with a queue_id that is not 1 to 31 characters of
 *     [0-9A-Za-z] (it goes on a command line), or a queue_name that is
 *     not 1 to 15 bytes;
 *   - a message comes with a NULL sender, recipient array or recipient,
 *     or a recipient count outside 0..PQLIST_RCPT_MAX, or with an err;
 *   - a failure comes without a reason, or with a message;
 *   - lines are not numbered 1, 2, 3 ..., there are not as many calls as
 *     lines, or the count returned is not the number of failures;
 *   - a line read on its own by pqlist_parse_line() (from an exactly
 *     sized copy, with its '\n') does not give the same result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pqlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	const char	*buf;
	size_t		 len;
	size_t		 off;		/* where the next line starts */
	size_t		 calls;
	int		 bad;
};

/* fuzz_valid_id - 1..31 of [0-9A-Za-z], NUL-terminated in its array */
static int
fuzz_valid_id(const char *id)
{
	size_t n;

	for (n = 0; n < PQLIST_ID_MAX + 1 && id[n] != '\0'; n++)
		if (!((id[n] >= '0' && id[n] <= '9') ||
		    (id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= 'a' && id[n] <= 'z')))
			return 0;
	return n >= 1 && n <= PQLIST_ID_MAX;
}

/* fuzz_check_msg - a delivered message keeps the contract */
static void
fuzz_check_msg(const struct pq_msg *m)
{
	size_t qn = strnlen(m->queue_name, sizeof(m->queue_name));

	if (!fuzz_valid_id(m->queue_id) || qn == 0 ||
	    qn > PQLIST_NAME_MAX || m->sender == NULL || m->rcpts == NULL ||
	    m->nrcpts < 0 || m->nrcpts > PQLIST_RCPT_MAX)
		abort();
	for (int i = 0; i < m->nrcpts; i++)
		if (m->rcpts[i] == NULL)
			abort();
}

/* fuzz_same - the line read alone gives the same message or refusal */
static void
fuzz_same(const char *line, size_t n, int ok, const struct pq_msg *m,
    const char *err)
{
	char *copy = malloc(n + 1), again[256] = "";
	struct pq_msg m2;
	int rc;

	if (copy == NULL)
		abort();
	memcpy(copy, line, n);
	copy[n] = '\n';
	rc = pqlist_parse_line(copy, n + 1, &m2, again, sizeof(again));
	free(copy);
	if (!ok) {
		if (rc != -1 || strcmp(err, again) != 0 || m2.sender != NULL ||
		    m2.rcpts != NULL || m2.nrcpts != 0)
			abort();
		return;
	}
	if (rc != 0 || strcmp(m->queue_name, m2.queue_name) != 0 ||
	    strcmp(m->queue_id, m2.queue_id) != 0 ||
	    strcmp(m->sender, m2.sender) != 0 || m->nrcpts != m2.nrcpts)
		abort();
	for (int i = 0; i < m->nrcpts; i++)
		if (strcmp(m->rcpts[i], m2.rcpts[i]) != 0)
			abort();
	pqlist_msg_clear(&m2);
}

/* fuzz_fn - pqlist_split()'s callback */
static void
fuzz_fn(void *arg, int ok, const struct pq_msg *m, const char *err,
    size_t lineno)
{
	struct fuzz_state *s = arg;
	const char *p = s->buf + s->off, *nl;
	size_t n;

	if (lineno != ++s->calls || s->off >= s->len)
		abort();
	nl = memchr(p, '\n', s->len - s->off);
	n = nl != NULL ? (size_t)(nl - p) : s->len - s->off;
	s->off += n + (nl != NULL);
	if (ok == 1) {
		if (m == NULL || err != NULL)
			abort();
		fuzz_check_msg(m);
	} else if (ok == 0) {
		if (m != NULL || err == NULL || err[0] == '\0')
			abort();
		s->bad++;
	} else
		abort();
	fuzz_same(p, n, ok, m, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state s;

	memset(&s, 0, sizeof(s));
	s.buf = (const char *)data;
	s.len = size;
	if (pqlist_split(s.buf, size, fuzz_fn, &s) != s.bad ||
	    s.off != size)
		abort();
	return 0;
}
