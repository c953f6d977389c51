/*
 * log.c - syslog or stderr logging (see log.h).
 *
 * Process-wide by nature (one stderr, one syslog connection); everything
 * else in shared/ keeps its state in objects the caller owns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int log_to_stderr = 1;
static int log_verbosity;
static const char *log_progname = "lsa";

/* log_init - choose the destination and verbosity */
void
log_init(const char *progname, int to_stderr, int verbose)
{
	log_progname = progname;
	log_to_stderr = to_stderr;
	log_verbosity = verbose;
	if (!to_stderr)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_set_verbose - change the verbosity at run time */
void
log_set_verbose(int verbose)
{
	log_verbosity = verbose;
}

/* log_verbose - the current verbosity */
int
log_verbose(void)
{
	return log_verbosity;
}

/* log_vlog - write one line at a priority, with an optional errno text */
static void
log_vlog(int pri, const char *label, int err, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_to_stderr) {
		if (err)
			fprintf(stderr, "%s: %s%s: %s\n", log_progname, label,
			    buf, strerror(err));
		else
			fprintf(stderr, "%s: %s%s\n", log_progname, label, buf);
		fflush(stderr);
	} else if (err) {
		syslog(pri, "%s%s: %s", label, buf, strerror(err));
	} else {
		syslog(pri, "%s%s", label, buf);
	}
}

/* log_warn - warning with strerror(errno) */
void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, "warning: ", err, fmt, ap);
	va_end(ap);
}

/* log_warnx - warning */
void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_WARNING, "warning: ", 0, fmt, ap);
	va_end(ap);
}

/* log_info - informational line */
void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 0)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_INFO, "", 0, fmt, ap);
	va_end(ap);
}

/* log_debug - debug line, only when verbose */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity <= 0)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, "debug: ", 0, fmt, ap);
	va_end(ap);
}

/* fatal - log with strerror(errno) and exit 1 */
void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, "fatal: ", err, fmt, ap);
	va_end(ap);
	exit(1);
}

/* fatalx - log and exit 1 */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, "fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
