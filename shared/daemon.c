/*
 * daemon.c - common daemon start-up (see daemon.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* daemon_usage - one line of usage and exit 2 */
static void __attribute__((noreturn))
daemon_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-dnv] [-c settings] [-t topology]\n",
	    prog);
	exit(2);
}

/* daemon_start - options, configuration check, logging */
void
daemon_start(const char *prog, int argc, char **argv, struct daemon_opts *o,
    struct progconf *pc)
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
	    &d) < 0) {
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
	diag_free(&d);
	if (o->check) {
		printf("configuration OK\n");
		progconf_free(pc);
		exit(0);
	}
}
