/*
 * conn.c - a client connection's I/O, the same for both protocols.
 *
 * No bufferevent: per lookup it costs an event callback, a copy into and
 * out of an evbuffer and its bookkeeping (~1-1.5 us, a sixth of what a
 * lookup costs). Instead, one persistent EV_READ event per connection,
 * whose timeout is the idle timeout (libevent restarts it each time the
 * event fires). On each readiness:
 *   - one read() into a stack buffer (or, while a partial request is
 *     kept, straight into the connection's input evbuffer); no FIONREAD;
 *   - the protocol's input callback takes every whole request from the
 *     bytes and appends its replies to pd->out, one scratch buffer for
 *     the process (the loop is single-threaded and the scratch is empty
 *     between callbacks); what is left, a partial request, is kept in
 *     the input evbuffer, at most proto->max_input bytes;
 *   - one write() of all the replies. Only when the socket does not take
 *     them all is the rest kept in the output evbuffer, and an EV_WRITE
 *     event waits until it drains; replies made meanwhile queue behind
 *     it. More than proto->max_output bytes waiting: the client does not
 *     read its replies, and the connection is closed.
 * So a lookup costs epoll_wait (shared), read() and write(), as a bare
 * server does, and no allocation.
 *
 * Two clocks bound a client (slowloris: a byte now and then holds a
 * place among max_clients):
 *   client_idle_timeout  silence: restarted by every read (so it never
 *                        closes a client that trickles bytes); after EOF,
 *                        by every write of the replies still waiting;
 *   request_timeout      from the first byte of a request to its last,
 *                        whatever trickles in between; a request begun
 *                        in a read that ended others gets its own.
 * A partial request is closed by whichever comes first; between
 * requests only the idle timeout runs (Postfix keeps idle connections).
 * The sessions in a request are listed in pd->unfinished, the longest
 * in one first (one duration for all, so appending keeps the order): at
 * max_clients, a new client takes the place of the first rather than
 * being refused. Postfix writes a request in one go (it is whole in one
 * read, never listed), so the places that go are those of clients that
 * trickle, and however fast they come back, a client that asks at
 * Postfix's pace gets in and its answer. (A client that connects and
 * says nothing is idle, not in a request: client_idle_timeout only.)
 *
 * A connection ends on EOF (once the replies still waiting are written:
 * a client that shuts its write side down after its last request gets
 * every reply), a read or write error, the idle timeout, the request
 * timeout, a request the protocol refuses (input returns -1, having
 * logged why) or a full output; policyd_conn_close() is the one place
 * it is freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "log.h"
#include "policyd.h"
#include "xmalloc.h"

#define CONN_READ_SIZE	16384	/* one read(), on the stack */

/* conn_now_ms - milliseconds of the monotonic clock, never 0 */
static uint64_t
conn_now_ms(void)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	return ms != 0 ? ms : 1;
}

/* conn_unfinished_del - the session is between requests (or ends) */
static void
conn_unfinished_del(struct policyd_conn *c)
{
	struct policyd *pd = c->pd;

	if (c->started_ms == 0)
		return;
	if (c->unf_prev != NULL)
		c->unf_prev->unf_next = c->unf_next;
	else
		pd->unfinished = c->unf_next;
	if (c->unf_next != NULL)
		c->unf_next->unf_prev = c->unf_prev;
	else
		pd->unfinished_last = c->unf_prev;
	c->unf_prev = c->unf_next = NULL;
	c->started_ms = 0;
	evtimer_del(c->deadline);
}

/* conn_unfinished_add - a request begins now: last in the list, timed */
static void
conn_unfinished_add(struct policyd_conn *c)
{
	struct policyd *pd = c->pd;

	c->started_ms = conn_now_ms();
	c->unf_prev = pd->unfinished_last;
	c->unf_next = NULL;
	if (pd->unfinished_last != NULL)
		pd->unfinished_last->unf_next = c;
	else
		pd->unfinished = c;
	pd->unfinished_last = c;
	evtimer_add(c->deadline, pd->req_timeout);
}

/*
 * conn_track - after a read that went well: a partial request keeps the
 * deadline it has, unless requests ended in this read (replied): then
 * the partial one began in it and gets its own. No partial request: no
 * deadline.
 */
static void
conn_track(struct policyd_conn *c, int replied)
{
	int partial = (c->in != NULL && evbuffer_get_length(c->in) > 0) ||
	    (c->proto->partial != NULL && c->proto->partial(c));

	if (partial && c->started_ms != 0 && !replied)
		return;
	conn_unfinished_del(c);
	if (partial)
		conn_unfinished_add(c);
}

/* conn_deadline - request_timeout: the request is not whole yet */
static void
conn_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct policyd_conn *c = arg;

	(void)fd;
	(void)ev;
	log_warnx("%s: request not whole after request_timeout=%jums, "
	    "closing", c->proto->name,
	    (uintmax_t)c->pd->set->request_timeout);
	policyd_conn_close(c);
}

/*
 * conn_evict - at max_clients: close the session longest in a request,
 * if any, for a new client
 */
static void
conn_evict(struct policyd *pd)
{
	struct policyd_conn *c = pd->unfinished;
	uint64_t age;

	if (c == NULL)
		return;
	age = conn_now_ms() - c->started_ms;
	log_warnx("%s: max_clients=%ju reached, closing the session longest "
	    "in a request (%jums) for a new client", c->proto->name,
	    (uintmax_t)pd->set->max_clients, (uintmax_t)age);
	policyd_conn_close(c);
}

/* policyd_out_reserve - room for n more bytes in pd->out; where */
char *
policyd_out_reserve(struct policyd *pd, size_t n)
{
	struct policyd_out *o = &pd->out;

	if (n > o->cap - o->len) {
		size_t cap = o->cap ? o->cap : 4096;

		while (cap - o->len < n)
			cap *= 2;
		o->buf = xreallocarray(o->buf, cap, 1);
		o->cap = cap;
	}
	return o->buf + o->len;
}

/* policyd_out_add - append bytes to pd->out */
void
policyd_out_add(struct policyd *pd, const void *buf, size_t len)
{
	memcpy(policyd_out_reserve(pd, len), buf, len);
	pd->out.len += len;
}

/* policyd_conn_full - replies waiting past the protocol's limit */
int
policyd_conn_full(const struct policyd_conn *c)
{
	size_t waiting = c->pd->out.len;

	if (c->out != NULL)
		waiting += evbuffer_get_length(c->out);
	if (waiting <= c->proto->max_output)
		return 0;
	log_warnx("%s: client does not read its replies, closing",
	    c->proto->name);
	return 1;
}

/* policyd_conn_close - the session ends: free it, last */
void
policyd_conn_close(struct policyd_conn *c)
{
	struct policyd *pd = c->pd;

	if (c->proto->fini != NULL)
		c->proto->fini(c);
	conn_unfinished_del(c);
	event_free(c->deadline);
	event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	if (c->in != NULL)
		evbuffer_free(c->in);
	if (c->out != NULL)
		evbuffer_free(c->out);
	evutil_closesocket(c->fd);
	free(c);
	policyd_client_close(pd);
}

/*
 * conn_write - EV_WRITE: the replies the socket did not take before; or
 * the idle timeout, the client reading none of them. After EOF, the
 * session ends once they are all written.
 */
static void
conn_write(evutil_socket_t fd, short ev, void *arg)
{
	struct policyd_conn *c = arg;

	if (ev & EV_TIMEOUT) {
		log_warnx("%s: replies not read within client_idle_timeout, "
		    "closing", c->proto->name);
		policyd_conn_close(c);
		return;
	}
	if (evbuffer_write(c->out, fd) < 0 && errno != EAGAIN &&
	    errno != EWOULDBLOCK && errno != EINTR) {
		log_debug("%s: write: %s", c->proto->name, strerror(errno));
		policyd_conn_close(c);
		return;
	}
	if (evbuffer_get_length(c->out) > 0)
		event_add(c->wev, c->pd->idle);
	else if (c->eof)
		policyd_conn_close(c);
}

/*
 * conn_eof - the client sent EOF (or a read failed): end now, or, after
 * EOF with replies waiting, read no more and end once they are written
 */
static void
conn_eof(struct policyd_conn *c)
{
	if (!c->eof || c->out == NULL || evbuffer_get_length(c->out) == 0) {
		policyd_conn_close(c);
		return;
	}
	/* a partial request stays so: it has no reply to wait for */
	conn_unfinished_del(c);
	event_del(c->rev);
}

/*
 * conn_send - write pd->out now, keep what the socket does not take;
 * -1 when the connection broke.
 */
static int
conn_send(struct policyd_conn *c)
{
	struct policyd_out *o = &c->pd->out;
	ssize_t n = 0;

	if (o->len == 0)
		return 0;
	if (c->out == NULL || evbuffer_get_length(c->out) == 0) {
		n = write(c->fd, o->buf, o->len);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			log_debug("%s: write: %s", c->proto->name,
			    strerror(errno));
			o->len = 0;
			return -1;
		}
		if (n < 0)
			n = 0;
		if ((size_t)n == o->len) {
			o->len = 0;
			return 0;
		}
		if (c->out == NULL)
			c->out = evbuffer_new();
		if (c->wev == NULL)
			c->wev = event_new(c->pd->base, c->fd, EV_WRITE,
			    conn_write, c);
		if (c->out == NULL || c->wev == NULL)
			fatalx("out of memory");
		event_add(c->wev, c->pd->idle);
	}
	/* behind replies still waiting: in order, after them */
	evbuffer_add(c->out, o->buf + n, o->len - (size_t)n);
	o->len = 0;
	return 0;
}

/*
 * conn_fill - read once; the bytes to parse in *buf, *len (on the stack,
 * or the input evbuffer with the kept partial request first). 1: bytes,
 * 0: nothing this time, -1: EOF (c->eof set) or error, the session
 * ends.
 */
static int
conn_fill(struct policyd_conn *c, char *stack, size_t size,
    const char **buf, size_t *len)
{
	struct evbuffer_iovec v;
	ssize_t n;

	if (c->in == NULL || evbuffer_get_length(c->in) == 0) {
		n = read(c->fd, stack, size);
		*buf = stack;
	} else {
		if (evbuffer_reserve_space(c->in, (ev_ssize_t)size, &v, 1) !=
		    1)
			fatalx("out of memory");
		n = read(c->fd, v.iov_base, size);
		v.iov_len = n > 0 ? (size_t)n : 0;
		evbuffer_commit_space(c->in, &v, 1);
		*buf = (const char *)evbuffer_pullup(c->in, -1);
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	if (n <= 0) {
		if (n < 0)
			log_debug("%s: read: %s", c->proto->name,
			    strerror(errno));
		c->eof = n == 0;
		return -1;
	}
	*len = *buf == stack ? (size_t)n : evbuffer_get_length(c->in);
	return 1;
}

/*
 * conn_keep - after the input callback took `consumed` bytes of buf:
 * drop them, keep the partial request; -1 when it is over the limit.
 */
static int
conn_keep(struct policyd_conn *c, const char *stack, const char *buf,
    size_t len, size_t consumed)
{
	if (buf != stack) {
		evbuffer_drain(c->in, consumed);
		len = evbuffer_get_length(c->in);
	} else if (consumed < len) {
		if (c->in == NULL && (c->in = evbuffer_new()) == NULL)
			fatalx("out of memory");
		evbuffer_add(c->in, buf + consumed, len - consumed);
		len -= consumed;
	} else
		len = 0;
	if (len > c->proto->max_input) {
		log_warnx("%s: request over %zu bytes, closing",
		    c->proto->name, c->proto->max_input);
		return -1;
	}
	return 0;
}

/* conn_read - EV_READ or the idle timeout */
static void
conn_read(evutil_socket_t fd, short ev, void *arg)
{
	struct policyd_conn *c = arg;
	char stack[CONN_READ_SIZE];
	const char *buf;
	size_t len = 0, consumed = 0;
	int r, replied;

	(void)fd;
	if (ev & EV_TIMEOUT) {
		log_debug("%s: idle, closing", c->proto->name);
		policyd_conn_close(c);
		return;
	}
	if ((r = conn_fill(c, stack, sizeof(stack), &buf, &len)) == 0)
		return;
	if (r < 0) {
		conn_eof(c);
		return;
	}
	r = c->proto->input(c, buf, len, &consumed);
	/* each whole request has its reply: replies, a request ended */
	replied = c->pd->out.len > 0;
	/* the replies before a refused request still go out */
	if (conn_send(c) < 0 || r < 0 ||
	    conn_keep(c, stack, buf, len, consumed) < 0)
		policyd_conn_close(c);
	else
		conn_track(c, replied);
}

/* conn_timeout - ms as a libevent common timeout: O(1) re-arming */
static const struct timeval *
conn_timeout(struct event_base *base, uint64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return event_base_init_common_timeout(base, &tv);
}

/*
 * policyd_conn_new - a new client's session of `size` bytes (a struct
 * that starts with its struct policyd_conn), zeroed; counted in (past
 * max_clients, in the place of the session longest in a request, or
 * refused: the descriptor closed), reading with the idle timeout. What
 * the client sent already is read at once: its request answered, or a
 * partial one timed (a trickler can lose its place from now on). The
 * session may thus be over when this returns.
 */
void
policyd_conn_new(struct policyd *pd, evutil_socket_t fd,
    const struct policyd_proto *proto, size_t size)
{
	struct policyd_conn *c;

	if (pd->nclients >= pd->set->max_clients)
		conn_evict(pd);
	if (!policyd_client_open(pd)) {
		evutil_closesocket(fd);
		return;
	}
	if (pd->idle == NULL) {
		pd->idle = conn_timeout(pd->base, pd->set->client_idle_timeout);
		pd->req_timeout = conn_timeout(pd->base,
		    pd->set->request_timeout);
	}
	c = xcalloc(1, size);
	c->pd = pd;
	c->fd = fd;
	c->proto = proto;
	c->rev = event_new(pd->base, fd, EV_READ | EV_PERSIST, conn_read, c);
	c->deadline = evtimer_new(pd->base, conn_deadline, c);
	/* the listener made fd non-blocking (no LEV_OPT_LEAVE_SOCKETS_...) */
	if (c->rev == NULL || c->deadline == NULL || pd->idle == NULL ||
	    pd->req_timeout == NULL || event_add(c->rev, pd->idle) < 0) {
		log_warnx("%s: cannot set up a session", proto->name);
		if (c->rev != NULL)
			event_free(c->rev);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		evutil_closesocket(fd);
		policyd_client_close(pd);
		return;
	}
	conn_read(fd, EV_READ, c);
}
