/*
 * child.c - run a command without blocking the event loop (see child.h).
 *
 * posix_spawn() (glibc reports an exec failure as its return value), a
 * non-blocking pipe read from the loop, and the child reaped with
 * waitpid(WNOHANG) after end of file, polled every CHILD_REAP_MS: the
 * daemon never blocks in waitpid and needs no SIGCHLD handler. The
 * timeout stays armed until the child is reaped (a child that closes
 * its output and goes on is killed too).
 *
 * The child gets descriptors 0, 1 and 2 only (every other descriptor of
 * the daemon is close-on-exec, and the rest are closed in the child as
 * well) and a minimal environment (child_env): PATH, and MAIL_CONFIG when
 * the daemon has it (postqueue and postfix read it); nothing else of the
 * daemon's environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "child.h"
#include "xmalloc.h"

#define CHILD_REAP_MS	5
#define CHILD_PATH	"PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define CHILD_ENV_MAX	4

struct child {
	pid_t		 pid;
	int		 fd;		/* read end; -1 after end of file */
	int		 failed;	/* killed: status -1 */
	size_t		 max_out;
	struct evbuffer	*out;
	struct event	*read_ev;
	struct event	*reap_ev;
	struct event	*timeout_ev;
	child_done_fn	 done;
	void		*arg;
};

/* child_free - close, stop the events, free; the child is already reaped
 * or killed */
static void
child_free(struct child *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	event_free(sp->read_ev);
	event_free(sp->reap_ev);
	event_free(sp->timeout_ev);
	evbuffer_free(sp->out);
	free(sp);
}

/* child_kill - stop the child and stop reading */
static void
child_kill(struct child *sp)
{
	sp->failed = 1;
	kill(sp->pid, SIGKILL);
	if (sp->fd >= 0) {
		event_del(sp->read_ev);
		close(sp->fd);
		sp->fd = -1;
	}
}

/* child_reap_cb - after end of file: the exit status, then done() */
static void
child_reap_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child *sp = arg;
	struct timeval tv = { 0, CHILD_REAP_MS * 1000 };
	int st, status;
	size_t len;
	const char *out;

	(void)fd;
	(void)ev;
	if (waitpid(sp->pid, &st, WNOHANG) == 0) {
		event_add(sp->reap_ev, &tv);
		return;
	}
	status = !sp->failed && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	evbuffer_add(sp->out, "", 1);
	len = evbuffer_get_length(sp->out) - 1;
	out = (const char *)evbuffer_pullup(sp->out, -1);
	sp->done(sp->arg, status, out, len);
	child_free(sp);
}

/* child_read_cb - the child's output */
static void
child_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child *sp = arg;
	int n;

	(void)ev;
	n = evbuffer_read(sp->out, fd, 65536);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && evbuffer_get_length(sp->out) <= sp->max_out)
		return;
	if (n > 0)
		child_kill(sp);		/* too much */
	else {
		event_del(sp->read_ev);
		close(sp->fd);
		sp->fd = -1;
	}
	event_active(sp->reap_ev, EV_TIMEOUT, 0);
}

/* child_timeout_cb - too slow: kill it */
static void
child_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child *sp = arg;

	(void)fd;
	(void)ev;
	child_kill(sp);
	if (!evtimer_pending(sp->reap_ev, NULL))
		event_active(sp->reap_ev, EV_TIMEOUT, 0);
}

/* child_env - the child's environment into env[CHILD_ENV_MAX]; the
 * strings in buf (or the daemon's environment) */
static void
child_env(char *env[CHILD_ENV_MAX], char *buf, size_t buflen)
{
	const char *mc = getenv("MAIL_CONFIG");
	int n = 0;

	env[n++] = (char *)CHILD_PATH;
	if (mc != NULL && *mc != '\0' &&
	    (size_t)snprintf(buf, buflen, "MAIL_CONFIG=%s", mc) < buflen)
		env[n++] = buf;
	env[n] = NULL;
}

/* child_run - see child.h */
struct child *
child_run(struct event_base *base, char *const argv[], size_t max_out,
    uint64_t timeout_ms, child_done_fn done, void *arg)
{
	posix_spawn_file_actions_t fa;
	struct timeval tv = { (time_t)(timeout_ms / 1000),
	    (suseconds_t)(timeout_ms % 1000) * 1000 };
	struct child *sp;
	char *env[CHILD_ENV_MAX], envbuf[4096];
	int p[2], rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	child_env(env, envbuf, sizeof(envbuf));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	/* a descriptor opened without close-on-exec (a library's) stays
	 * here too */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		errno = rc;
		return NULL;
	}
	evutil_make_socket_nonblocking(p[0]);
	sp = xcalloc(1, sizeof(*sp));
	sp->pid = pid;
	sp->fd = p[0];
	sp->max_out = max_out;
	sp->out = evbuffer_new();
	sp->done = done;
	sp->arg = arg;
	sp->read_ev = event_new(base, p[0], EV_READ | EV_PERSIST,
	    child_read_cb, sp);
	sp->reap_ev = evtimer_new(base, child_reap_cb, sp);
	sp->timeout_ev = evtimer_new(base, child_timeout_cb, sp);
	event_add(sp->read_ev, NULL);
	event_add(sp->timeout_ev, &tv);
	return sp;
}

/* child_cancel - see child.h */
void
child_cancel(struct child *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0 || waitpid(sp->pid, NULL, WNOHANG) == 0) {
		kill(sp->pid, SIGKILL);
		waitpid(sp->pid, NULL, 0);
	}
	child_free(sp);
}
