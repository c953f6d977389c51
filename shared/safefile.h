/*
 * safefile.h - reading and writing the files of the daemons' state and
 * configuration without being fooled by what sits at the path.
 *
 * safefile_read() is the one way a whole file is read (topology,
 * settings, lst.json, epoch, the snapshot): open with O_RDONLY |
 * O_NONBLOCK | O_CLOEXEC (and O_NOFOLLOW unless SAFEFILE_FOLLOW), fstat,
 * refuse what is not a regular file (a FIFO would block open() or read()
 * forever without O_NONBLOCK), refuse a file larger than the caller's
 * limit (and with SAFEFILE_PRIVATE one whose mode has any of 077), read
 * it whole. The text is NUL-terminated (not counted in the
 * length); the caller frees it. On error: NULL, one diag line
 * "PATH:0: TEXT", and errno says why (ENOENT: there is no file).
 *
 * safefile_write() is the one way a file is replaced: a new file with a
 * unique name in the same directory (O_CREAT | O_EXCL, never following
 * a link, never truncating what someone else made), write, fchmod to
 * mode, fsync, rename over the path, fsync of the directory. A reader
 * sees the old file or the new one, never a mix; on error the temporary
 * file is removed and the old file is left as it was.
 *
 * safefile_lock() takes an exclusive flock(2) on a lock file (made if
 * missing), without waiting, and writes the holder's pid in it. The lock
 * lasts while the returned descriptor is open (close-on-exec). When
 * another holds it, err names that holder's pid.
 */
#ifndef LSA_SAFEFILE_H
#define LSA_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "diag.h"

#define SAFEFILE_FOLLOW		0x1	/* the last component may be a link */
#define SAFEFILE_PRIVATE	0x2	/* refuse a file group or others may
					   read or write (a secret) */

char *safefile_read(const char *path, size_t max, int flags, size_t *lenp,
    struct diag *d);
int safefile_write(const char *path, const char *data, size_t len,
    mode_t mode, char *err, size_t errlen);
int safefile_lock(const char *path, char *err, size_t errlen);

#endif
