/*
 * daemon.c - common daemon start-up (see daemon.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "schedule.h"
#include "log.h"

/* daemon_usage - one line of usage and exit 2 */
static void __attribute__((noreturn))
daemon_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-dnv] [-c settings] [-t topology]\n",
	    prog);
	exit(2);
}

/* daemon_start - see daemon.h */
void
daemon_start(const char *prog, int argc, char **argv, struct daemon_opts *o,
    struct progconf *pc)
{
	daemon_start_with(prog, argc, argv, o, pc, NULL);
}

/* daemon_start_with - see daemon.h */
void
daemon_start_with(const char *prog, int argc, char **argv,
    struct daemon_opts *o, struct progconf *pc, daemon_check_fn more)
{
	struct diag d;
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "c:dnt:v")) != -1) {
		switch (ch) {
		case 'c':
			o->settings = optarg;
			break;
		case 'd':
			o->foreground = 1;
			break;
		case 'n':
			o->check = 1;
			break;
		case 't':
			o->topology = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			daemon_usage(prog);
		}
	}
	if (optind != argc)
		daemon_usage(prog);
	log_init(prog, o->foreground || o->check, o->verbose);
	diag_init(&d);
	if (progconf_load(pc, o->settings, o->topology, PROGCONF_NEED_SERVER,
	    &d) < 0 || (more != NULL && more(pc, &d) < 0)) {
		if (o->foreground || o->check)
			diag_print(&d, stderr);
		else
			for (int i = 0; i < d.count; i++)
				log_warnx("%s", d.msgs[i]);
		fprintf(stderr, "%s: configuration has %d error%s\n", prog,
		    diag_errors(&d), diag_errors(&d) == 1 ? "" : "s");
		diag_free(&d);
		progconf_free(pc);
		exit(1);
	}
	/* the schedules' zone, process-wide: before any thread starts */
	schedule_zone_set(pc->topo->timezone);
	diag_free(&d);
	if (o->check) {
		printf("configuration OK\n");
		progconf_free(pc);
		exit(0);
	}
}

/* daemon_drop - see daemon.h */
void
daemon_drop(const char *prog, const char *user)
{
	struct passwd *pw;
	uid_t ru, eu, su;

	if (user == NULL || *user == '\0') {
		if (geteuid() == 0)
			log_warnx("%s runs as root: set user in its section "
			    "to run unprivileged", prog);
		return;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("user \"%s\": %s", user, errno != 0 ? strerror(errno) :
		    "no such user");
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid && getuid() == pw->pw_uid)
			return;
		fatalx("user \"%s\": started as uid %u, not root: cannot "
		    "become uid %u", user, (unsigned)geteuid(),
		    (unsigned)pw->pw_uid);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		fatal("user \"%s\": cannot switch", user);
	if (getresuid(&ru, &eu, &su) < 0 || ru != pw->pw_uid ||
	    eu != pw->pw_uid || su != pw->pw_uid ||
	    (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)))
		fatalx("user \"%s\": root could be regained", user);
	log_info("running as user=%s uid=%u gid=%u", user,
	    (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
}
