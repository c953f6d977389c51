/*
 * test_safefile.c - the files of state and configuration
 * (shared/safefile.c): what safefile_read() refuses (FIFO, link,
 * directory, too large) without blocking, as snapshot_load(),
 * lsdb_load() and inifile_slurp() see it; safefile_write() replacing
 * a file atomically under a unique temporary name (a link planted at
 * PATH.tmp is not followed); safefile_lock() naming its holder.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "inifile.h"
#include "lsdb.h"
#include "safefile.h"
#include "snapshot.h"
#include "tabletest.h"

static char dir[64];

/* path - a name in the test directory (static buffer, one of four) */
static const char *
path(const char *name)
{
	static char buf[4][192];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* put - a file with text */
static void
put(const char *name, const char *text)
{
	FILE *fp = fopen(path(name), "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* setup - a fresh directory with: file, fifo, link (to file), subdir */
static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lsa-safefileXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	put("file", "hello\n");
	if (mkfifo(path("fifo"), 0600) < 0 ||
	    symlink(path("file"), path("link")) < 0 ||
	    mkdir(path("subdir"), 0700) < 0)
		return -1;
	alarm(10);	/* a read that blocks on the FIFO fails the test */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	alarm(0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct read_case {
	const char	*name;
	const char	*file;
	size_t		 max;
	int		 flags;
	const char	*want;	/* text read, or NULL */
	const char	*err;	/* substring of the error */
	int		 errnum;
};

static const struct read_case read_cases[] = {
	{ "regular file", "file", 100, 0, "hello\n", NULL, 0 },
	{ "at the limit", "file", 6, 0, "hello\n", NULL, 0 },
	{ "past the limit", "file", 5, 0, NULL,
	  "file larger than 5 bytes", EFBIG },
	{ "FIFO refused, no blocking", "fifo", 100, 0, NULL,
	  "refused: a FIFO, not a regular file", EINVAL },
	{ "FIFO refused with FOLLOW too", "fifo", 100, SAFEFILE_FOLLOW, NULL,
	  "refused: a FIFO", EINVAL },
	{ "link refused", "link", 100, 0, NULL, "refused: a symbolic link",
	  ELOOP },
	{ "link followed with FOLLOW", "link", 100, SAFEFILE_FOLLOW,
	  "hello\n", NULL, 0 },
	{ "directory refused", "subdir", 100, 0, NULL,
	  "refused: a directory", EINVAL },
	{ "missing: ENOENT", "missing", 100, 0, NULL, "cannot open", ENOENT },
};

/* test_read - one row */
static void
test_read(void **state)
{
	const struct read_case *c = *state;
	struct diag d;
	size_t len = 0;
	char *buf, want[256];

	assert_int_equal(setup(NULL), 0);
	diag_init(&d);
	errno = 0;
	buf = safefile_read(path(c->file), c->max, c->flags, &len, &d);
	if (c->want != NULL) {
		assert_non_null(buf);
		assert_int_equal(len, strlen(c->want));
		assert_string_equal(buf, c->want);
		assert_int_equal(d.count, 0);
	} else {
		assert_null(buf);
		assert_int_equal(errno, c->errnum);
		snprintf(want, sizeof(want), "%s:0: %s", path(c->file),
		    c->err);
		if (!diag_contains(&d, want)) {
			diag_print(&d, stderr);
			fail_msg("no error \"%s\"", want);
		}
	}
	free(buf);
	diag_free(&d);
	assert_int_equal(teardown(NULL), 0);
}

/* test_readers - snapshot_load, lsdb_load and inifile_slurp refuse a
 * FIFO at once (they used to block in open) */
static void
test_readers(void **state)
{
	struct lsdb *db = lsdb_new();
	struct diag d;
	uint64_t v;
	size_t len;

	(void)state;
	diag_init(&d);
	assert_null(snapshot_load(path("fifo"), &d));
	assert_true(lsdb_load(db, path("fifo"), &v, &d) < 0);
	assert_null(inifile_slurp(path("fifo"), &len, &d));
	assert_null(snapshot_load(path("link"), &d));
	assert_int_equal(d.count, 4);
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(d.msgs[i], "refused: a FIFO"));
	assert_non_null(strstr(d.msgs[3], "refused: a symbolic link"));
	diag_free(&d);
	lsdb_free(db);
}

/* entries - how many names the test directory holds */
static int
entries(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* test_write - replaced whole, mode as asked, no temporary left */
static void
test_write(void **state)
{
	struct diag d;
	struct stat st;
	char err[256], *buf;
	size_t len;
	int n = entries();

	(void)state;
	assert_int_equal(safefile_write(path("file"), "new text", 8, 0600,
	    err, sizeof(err)), 0);
	assert_int_equal(safefile_write(path("made"), "x", 1, 0644, err,
	    sizeof(err)), 0);
	assert_int_equal(entries(), n + 1);
	diag_init(&d);
	buf = safefile_read(path("file"), 100, 0, &len, &d);
	assert_non_null(buf);
	assert_string_equal(buf, "new text");
	free(buf);
	diag_free(&d);
	assert_int_equal(stat(path("file"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(path("made"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

/* test_write_tmp_link - a link planted at PATH.tmp (the old temporary
 * name, opened with O_TRUNC) is neither followed nor truncated */
static void
test_write_tmp_link(void **state)
{
	struct stat st;
	char err[256];

	(void)state;
	put("victim", "precious\n");
	assert_int_equal(symlink(path("victim"), path("out.tmp")), 0);
	assert_int_equal(safefile_write(path("out"), "data", 4, 0644, err,
	    sizeof(err)), 0);
	assert_int_equal(stat(path("victim"), &st), 0);
	assert_int_equal(st.st_size, 9);
	assert_int_equal(lstat(path("out.tmp"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

/* test_write_fails - a reason naming the path; the old file stays, no
 * temporary is left */
static void
test_write_fails(void **state)
{
	char err[256], want[256];
	int n;

	(void)state;
	/* a file where the directory should be */
	assert_int_equal(safefile_write(path("file/x"), "data", 4, 0644, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, path("file/x")));
	assert_non_null(strstr(err, "Not a directory"));
	/* rename over a directory fails after the write */
	n = entries();
	assert_int_equal(safefile_write(path("subdir"), "data", 4, 0644, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "rename %s:", path("subdir"));
	assert_non_null(strstr(err, want));
	assert_int_equal(entries(), n);
}

/* test_lock - one holder; the second is told its pid; free again after
 * close */
static void
test_lock(void **state)
{
	char err[256], want[64];
	int fd, fd2;

	(void)state;
	fd = safefile_lock(path("lock"), err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(safefile_lock(path("lock"), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "held by pid %ld", (long)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, path("lock")));
	close(fd);
	fd2 = safefile_lock(path("lock"), err, sizeof(err));
	assert_true(fd2 >= 0);
	close(fd2);
	/* a link at the lock path is refused */
	assert_int_equal(safefile_lock(path("link"), err, sizeof(err)), -1);
}

int
main(void)
{
	static const struct CMUnitTest fixed_tests[] = {
		cmocka_unit_test_setup_teardown(test_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_tmp_link, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};
	struct CMUnitTest tests[nitems(read_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, test_read, read_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
