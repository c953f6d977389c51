/*
 * safefile.c - read whole, replace atomically, lock (see safefile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "xmalloc.h"

/* safefile_kind - what a non-regular file is, for the error text */
static const char *
safefile_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* safefile_read - see safefile.h */
char *
safefile_read(const char *path, size_t max, int flags, size_t *lenp,
    struct diag *d)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC, e;

	if (!(flags & SAFEFILE_FOLLOW))
		oflags |= O_NOFOLLOW;
	if ((fd = open(path, oflags)) < 0) {
		e = errno;
		if (e == ELOOP && !(flags & SAFEFILE_FOLLOW))
			diag_add(d, path, 0, NULL, "refused: a symbolic link");
		else
			diag_add(d, path, 0, NULL, "cannot open: %s",
			    strerror(e));
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		diag_add(d, path, 0, NULL, "cannot stat: %s", strerror(e));
		close(fd);
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(d, path, 0, NULL, "refused: %s, not a regular file",
		    safefile_kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((flags & SAFEFILE_PRIVATE) && (st.st_mode & 077) != 0) {
		diag_add(d, path, 0, NULL, "refused: mode %04o lets group or "
		    "others in (chmod 600)", (unsigned)(st.st_mode & 07777));
		close(fd);
		errno = EPERM;
		return NULL;
	}
	if ((uintmax_t)st.st_size > max) {
		diag_add(d, path, 0, NULL, "file larger than %zu bytes", max);
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			diag_add(d, path, 0, NULL, "cannot read: %s",
			    n < 0 ? strerror(e) : "short read");
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*lenp = got;
	return buf;
}

/* safefile_write_all - write len bytes to fd */
static int
safefile_write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* safefile_write - see safefile.h */
int
safefile_write(const char *path, const char *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.XXXXXX", path), *dir = xstrdup(path);
	int fd, rc = -1;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (safefile_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
	    0) {
		(void)fsync(fd);
		close(fd);
	}
	rc = 0;
out:
	free(tmp);
	free(dir);
	return rc;
}

/* safefile_lock - see safefile.h */
int
safefile_lock(const char *path, char *err, size_t errlen)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EWOULDBLOCK) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(err, errlen, "%s: held by pid %s: another "
			    "agent uses this state directory", path,
			    buf[0] ? buf : "(unknown)");
		} else
			snprintf(err, errlen, "%s: cannot lock: %s", path,
			    strerror(e));
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
