/*
 * log.c - syslog or stderr logging (see log.h).
 *
 * Process-wide by nature (one stderr, one syslog connection); everything
 * else in shared/ keeps its state in objects the caller owns.
 *
 * Every line goes through log_vfmt(), which escapes the text of %s and
 * %c arguments: that is where text from the network (names, recipients,
 * record fields) and from files reaches a log, and a CR, an ESC or a
 * broken UTF-8 sequence in it must not forge a line or drive a terminal.
 * The format itself is the program's and is copied as it is.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
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

struct log_out {
	char	*buf;
	size_t	 size;
	size_t	 len;		/* what was written, without the NUL */
};

/* log_put - append n bytes, truncating at the end of the buffer */
static void
log_put(struct log_out *o, const char *p, size_t n)
{
	if (o->size == 0)
		return;
	if (n > o->size - 1 - o->len)
		n = o->size - 1 - o->len;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* log_utf8_len - length of the well-formed UTF-8 sequence at s (at most
 * n bytes; no overlong form, no surrogate, nothing past U+10FFFF, no C1
 * control), or 0 */
static size_t
log_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (c == 0xc2)
		lo = 0xa0;	/* U+0080..U+009F: C1 controls */
	else if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/*
 * log_escape - append n bytes of argument text, escaped: a control
 * character as \t, \n, \r or \xHH, a byte that is not part of
 * well-formed UTF-8 as \xHH, a backslash as \\, and inside a quoted
 * value (quoted) a '"' as \".
 */
static void
log_escape(struct log_out *o, const char *s, size_t n, int quoted)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[8];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		size_t ulen;

		if (c == '\\' || (quoted && c == '"')) {
			esc[0] = '\\';
			esc[1] = (char)c;
			log_put(o, esc, 2);
		} else if (c == '\t' || c == '\n' || c == '\r') {
			esc[0] = '\\';
			esc[1] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
			log_put(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			log_put(o, esc, 4);
		} else if (c < 0x80) {
			log_put(o, (const char *)&u[i], 1);
		} else if ((ulen = log_utf8_len(&u[i], n - i)) > 0) {
			log_put(o, (const char *)&u[i], ulen);
			i += ulen - 1;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			log_put(o, esc, 4);
		}
	}
}

/* log_arg - one conversion (spec: "%...C", '*' already resolved) that
 * is not %s or %c, formatted with the argument of its type */
static void
log_arg(struct log_out *o, const char *spec, const char *lenmod, char conv,
    va_list *ap)
{
	char tmp[128];
	int n = 0;

	switch (conv) {
	case 'd':
	case 'i':
		if (strcmp(lenmod, "l") == 0)
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, long));
		else if (strcmp(lenmod, "ll") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, long long));
		else if (strcmp(lenmod, "z") == 0 || strcmp(lenmod, "t") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, ptrdiff_t));
		else if (strcmp(lenmod, "j") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, intmax_t));
		else
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, int));
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		if (strcmp(lenmod, "l") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, unsigned long));
		else if (strcmp(lenmod, "ll") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, unsigned long long));
		else if (strcmp(lenmod, "z") == 0 || strcmp(lenmod, "t") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, size_t));
		else if (strcmp(lenmod, "j") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, uintmax_t));
		else
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, unsigned int));
		break;
	case 'e': case 'E': case 'f': case 'F':
	case 'g': case 'G': case 'a': case 'A':
		if (strcmp(lenmod, "L") == 0)
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, long double));
		else
			n = snprintf(tmp, sizeof(tmp), spec,
			    va_arg(*ap, double));
		break;
	case 'p':
		n = snprintf(tmp, sizeof(tmp), spec, va_arg(*ap, void *));
		break;
	default:		/* %n and unknown: nothing, no argument taken */
		return;
	}
	if (n > 0)
		log_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/* log_str - a %s or %c argument, escaped, then padded to width */
static void
log_str(struct log_out *o, const char *s, size_t n, int quoted, int width,
    int left)
{
	size_t start = o->len, pad;

	if (!left) {		/* pad before: escape first, then shift */
		log_escape(o, s, n, quoted);
		pad = width > 0 && (size_t)width > o->len - start ?
		    (size_t)width - (o->len - start) : 0;
		if (pad > 0 && o->len + pad < o->size) {
			memmove(o->buf + start + pad, o->buf + start,
			    o->len - start + 1);
			memset(o->buf + start, ' ', pad);
			o->len += pad;
		}
		return;
	}
	log_escape(o, s, n, quoted);
	while (width > 0 && o->len - start < (size_t)width &&
	    o->len + 1 < o->size)
		log_put(o, " ", 1);
}

/* log_vfmt - see log.h */
size_t
log_vfmt(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct log_out o = { buf, size, 0 };
	int quoted = 0;
	va_list ap;

	if (size > 0)
		buf[0] = '\0';
	va_copy(ap, ap0);
	while (*fmt != '\0') {
		char spec[64], lenmod[3] = "", conv;
		int width = 0, prec = -1, left = 0;
		size_t sl = 0, ll = 0;
		const char *p;

		if (*fmt != '%') {
			if (*fmt == '"')
				quoted = !quoted;
			log_put(&o, fmt++, 1);
			continue;
		}
		p = fmt + 1;
		if (*p == '%') {
			log_put(&o, "%", 1);
			fmt = p + 1;
			continue;
		}
		spec[sl++] = '%';
		while (*p != '\0' && strchr("-+ #0", *p) != NULL) {
			left |= *p == '-';
			if (sl < 8)
				spec[sl++] = *p;
			p++;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			p++;
		} else
			for (; *p >= '0' && *p <= '9'; p++)
				if (width < 10000)	/* bounded, no overflow */
					width = width * 10 + (*p - '0');
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else
				for (; *p >= '0' && *p <= '9'; p++)
					if (prec < 10000)
						prec = prec * 10 + (*p - '0');
		}
		while (*p != '\0' && strchr("hlLqjzt", *p) != NULL) {
			if (ll < 2)
				lenmod[ll++] = *p;
			p++;
		}
		lenmod[ll] = '\0';
		if (strcmp(lenmod, "q") == 0)
			strcpy(lenmod, "ll");
		if ((conv = *p) == '\0')
			break;
		fmt = p + 1;
		if (conv == 's') {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				s = "(null)";
			log_str(&o, s, prec >= 0 ? strnlen(s, (size_t)prec) :
			    strlen(s), quoted, width, left);
			continue;
		}
		if (conv == 'c') {
			char c = (char)va_arg(ap, int);

			log_str(&o, &c, 1, quoted, width, left);
			continue;
		}
		snprintf(spec + sl, sizeof(spec) - sl, "%d", width);
		sl = strlen(spec);
		if (prec >= 0)
			snprintf(spec + sl, sizeof(spec) - sl, ".%d", prec);
		sl = strlen(spec);
		snprintf(spec + sl, sizeof(spec) - sl, "%s%c", lenmod, conv);
		log_arg(&o, spec, lenmod, conv, &ap);
	}
	va_end(ap);
	return o.len;
}

/* log_fmt - see log.h */
size_t
log_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = log_vfmt(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* log_vlog - write one line at a priority, with an optional errno text */
static void
log_vlog(int pri, const char *label, int err, const char *fmt, va_list ap)
{
	char buf[2048];

	log_vfmt(buf, sizeof(buf), fmt, ap);
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
