/*
 * log.h - logging for every program, in the shape Postfix admins grep.
 *
 * Lines go to syslog (facility mail, ident = program name) or, with
 * log_init(..., 1), to stderr with the same text. Messages are free text
 * followed by key=value fields; callers write the fields themselves.
 *
 *   log_warn   - warning plus ": strerror(errno)"
 *   log_warnx  - warning
 *   log_info   - informational (not below verbosity 0: test harnesses)
 *   log_debug  - only when the verbosity is above 0
 *   fatal/fatalx - broken invariant or start-up failure: log and exit(1).
 *                 Never for peer or client input.
 *
 * Every function above formats with log_vfmt(): printf's conversions,
 * but the text of each %s and %c argument is escaped, so text from the
 * network or a file cannot forge a line or reach a terminal raw: a
 * control character becomes \t, \n, \r or \xHH, a byte outside
 * well-formed UTF-8 (and a C1 control) \xHH, a backslash \\, and within
 * a quoted value of the format (key="%s") a '"' becomes \". %n is not
 * supported. The line is cut to the buffer (NUL-terminated when size >
 * 0); the length written is returned.
 */
#ifndef LSA_LOG_H
#define LSA_LOG_H

#include <stdarg.h>
#include <stddef.h>

size_t log_vfmt(char *buf, size_t size, const char *fmt, va_list ap);
size_t log_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_init(const char *progname, int to_stderr, int verbose);
void log_set_verbose(int verbose);
int log_verbose(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
