/*
 * child.h - run a command without blocking the event loop: its standard
 * output collected (up to a limit), its exit reported.
 *
 * child_run() starts argv[0] (a path; no shell, no PATH search) with
 * standard input from /dev/null, standard output to a pipe the loop reads,
 * standard error inherited (the daemon's log), no other descriptor, and
 * a minimal environment: PATH=/usr/sbin:/usr/bin:/sbin:/bin, and
 * MAIL_CONFIG when the daemon has it. When the child has exited
 * and its output is read to the end, done() is called once with the
 * output (NUL-terminated; not NULL) and a status: the exit code, or -1
 * when it was killed (timeout_ms passed: SIGKILL) or wrote more than
 * max_out bytes (the rest is not read; the child is killed). When the
 * command cannot start, child_run() returns NULL with errno set and done
 * is not called. Nothing of the child is left after done() returns: the output
 * buffer belongs to the child and is freed then.
 *
 * child_cancel() kills the child and frees everything, without done().
 */
#ifndef LSA_CHILD_H
#define LSA_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

struct child;

typedef void (*child_done_fn)(void *arg, int status, const char *out,
    size_t len);

struct child *child_run(struct event_base *base, char *const argv[],
    size_t max_out, uint64_t timeout_ms, child_done_fn done, void *arg);
void child_cancel(struct child *sp);

#endif
