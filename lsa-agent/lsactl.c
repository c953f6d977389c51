/*
 * lsactl.c - the admin's command line: commands as a table.
 *
 *   lsactl check [-c SETTINGS] [-t TOPOLOGY]
 *   lsactl show topology [-c SETTINGS] [-t TOPOLOGY] [--at TIME]
 *   lsactl show settings [-c SETTINGS]
 *   lsactl defaults
 *   lsactl route ...            (lsactl_route.c)
 *   lsactl snapshot ...         (lsactl_route.c)
 *   lsactl status | show lst | set-master | reload | connector
 *                               (lsactl_agent.c: ask the running agent)
 *   lsactl postfix-setup ...    (lsactl_setup.c)
 *   lsactl pki init|issue|check (lsactl_pki.c)
 *
 * Exit status: 0 success, 1 configuration errors (printed one a line as
 * FILE:LINE: KEY: TEXT), 2 usage errors.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsactl.h"
#include "log.h"
#include "mastercf.h"
#include "progconf.h"
#include "schedule.h"
#include "settings.h"

/* lsactl_usage - the whole synopsis on stderr, exit 2 */
void
lsactl_usage(void)
{
	fprintf(stderr,
	    "usage: lsactl check [-c settings] [-t topology]\n"
	    "       lsactl show topology [-c settings] [-t topology] [--at TIME]\n"
	    "       lsactl show settings [-c settings]\n"
	    "       lsactl defaults\n"
	    "       lsactl route [-c settings] (-t topology | -s snapshot)\n"
	    "              --from SERVER\n"
	    "              [--down CONNECTOR[@SOURCE]]... [--down-server NAME]...\n"
	    "              [--local-down CONNECTOR]...\n"
	    "              [--size BYTES] [--rotation N] [--relay hop|direct]\n"
	    "              [--suppress] [--sender ADDRESS]\n"
	    "              [--priority high|normal|low] [--system] [--json]\n"
	    "              [--at TIME]\n"
	    "              ADDRESS...\n"
	    "       lsactl snapshot [-c settings] -t topology [--down ...]...\n"
	    "              [--down-server NAME]... [--lst-version N] -o FILE\n"
	    "       lsactl status [-c settings] [-S socket] [-T seconds] [--json]\n"
	    "       lsactl show lst [-c settings] [-S socket] [-T seconds] [--json]\n"
	    "       lsactl set-master [-c settings] [-S socket] [-T seconds] GROUP SERVER\n"
	    "       lsactl reload [-c settings] [-S socket] [-T seconds]\n"
	    "       lsactl connector [-c settings] [-S socket] [-T seconds] down|up|auto NAME\n"
	    "       lsactl postfix-setup [--dry-run] [--undo] [-C postfix-dir] [-c settings] [-t topology]\n"
	    "       lsactl pki init DIR [--days N]\n"
	    "       lsactl pki issue DIR SERVER [-t topology] [--days N]\n"
	    "              [--owner USER]\n"
	    "       lsactl pki check DIR -t topology\n");
	exit(2);
}

/*
 * lsactl_load - settings and topology from -c/-t, errors printed. With
 * -c, the settings' server must be in the topology (a wrong name is a
 * configuration error worth catching here).
 */
int
lsactl_load(struct progconf *pc, const char *settings, const char *topology)
{
	struct diag d;
	int rc;

	diag_init(&d);
	rc = progconf_load(pc, settings, topology,
	    0, &d);
	if (rc == 0 && settings != NULL && pc->set.server[0] != '\0' &&
	    topo_find_server(pc->topo, pc->set.server) < 0) {
		diag_add(&d, pc->set.file, 0, "server", "\"%s\" is not a server "
		    "of the topology %s", pc->set.server, pc->topo->file);
		rc = -1;
	}
	if (rc < 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "lsactl: %d error%s\n", diag_errors(&d),
		    diag_errors(&d) == 1 ? "" : "s");
	}
	diag_free(&d);
	return rc;
}

/*
 * lsactl_settings - the settings file (NULL: the defaults) into s,
 * errors printed; -1 with s freed on error
 */
int
lsactl_settings(struct settings *s, const char *file)
{
	struct diag d;
	int rc = 0;

	settings_init(s);
	diag_init(&d);
	if (file != NULL && settings_load(s, file, &d) < 0) {
		diag_print(&d, stderr);
		settings_free(s);
		rc = -1;
	}
	diag_free(&d);
	return rc;
}

static const char *lsactl_at;	/* --at TIME of show topology, or NULL */

/* lsactl_files - parse -c, -t and --at; returns the first operand's
 * index */
static int
lsactl_files(int argc, char **argv, const char **settings,
    const char **topology)
{
	static const struct option longopts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*settings = *topology = NULL;
	lsactl_at = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			lsactl_at = optarg;
			break;
		case 'c':
			*settings = optarg;
			break;
		case 't':
			*topology = optarg;
			break;
		default:
			lsactl_usage();
		}
	}
	return optind;
}

/* lsactl_check_warn - a limited connector without its transport */
static void
lsactl_check_warn(void *arg, const struct topo_connector *c, const char *tr)
{
	printf("warning: connector %s (max_connections = %u): Postfix "
	    "transport %s is not in %s; mail over it waits deferred until "
	    "it is (lsactl postfix-setup)\n", c->name, c->max_connections,
	    tr, (const char *)arg);
}

/*
 * lsactl_check_transports - warn about limited connectors of this
 * server (of any server when it is not in the topology) whose transport
 * master.cf lacks; a warning, not an error
 */
static void
lsactl_check_transports(const struct progconf *pc)
{
	int self = topo_find_server(pc->topo, pc->server);
	char *path;

	if (mastercf_limited(pc->topo, self) == 0)
		return;
	path = mastercf_path(pc->set.postfix_config_dir);
	if (mastercf_check(path, pc->topo, self, lsactl_check_warn, path) < 0)
		printf("warning: %s: cannot read it; the transports of limited "
		    "connectors are unchecked\n", path);
	free(path);
}

/* lsactl_cmd_check - validate, print "configuration OK" */
static int
lsactl_cmd_check(int argc, char **argv)
{
	const char *settings, *topology;
	struct progconf pc;

	if (lsactl_files(argc, argv, &settings, &topology) != argc)
		lsactl_usage();
	if (lsactl_load(&pc, settings, topology) < 0) {
		progconf_free(&pc);
		return 1;
	}
	lsactl_check_transports(&pc);
	printf("configuration OK\n");
	progconf_free(&pc);
	return 0;
}

/* lsactl_cmd_show - the normalized topology or settings */
static int
lsactl_cmd_show(int argc, char **argv)
{
	const char *settings, *topology;
	char err[SCHEDULE_ERRLEN];
	struct progconf pc;
	time_t now;
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "lst") == 0)
			return lsactl_cmd_agent(argc, argv);
	i = lsactl_files(argc, argv, &settings, &topology);
	if (i != argc - 1)
		lsactl_usage();
	if (strcmp(argv[i], "settings") == 0) {
		struct settings s;

		if (lsactl_settings(&s, settings) < 0)
			return 1;
		settings_print(&s, stdout);
		settings_free(&s);
		return 0;
	}
	if (strcmp(argv[i], "topology") != 0)
		lsactl_usage();
	if (lsactl_load(&pc, settings, topology) < 0) {
		progconf_free(&pc);
		return 1;
	}
	/* each schedule's next opening and closing, in the org's zone */
	schedule_zone_set(pc.topo->timezone);
	now = time(NULL);
	if (lsactl_at != NULL && schedule_time_parse(lsactl_at, &now, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "lsactl: --at: %s\n", err);
		progconf_free(&pc);
		return 1;
	}
	topo_print_at(pc.topo, stdout, &now);
	progconf_free(&pc);
	return 0;
}

/* lsactl_cmd_defaults - every setting's default, as README rows */
static int
lsactl_cmd_defaults(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		lsactl_usage();
	settings_print_defaults(stdout);
	return 0;
}

static const struct {
	const char	*name;
	int		(*run)(int, char **);
} lsactl_cmds[] = {
	{ "check", lsactl_cmd_check },
	{ "show", lsactl_cmd_show },
	{ "defaults", lsactl_cmd_defaults },
	{ "route", lsactl_cmd_route },
	{ "snapshot", lsactl_cmd_snapshot },
	{ "status", lsactl_cmd_agent },
	{ "set-master", lsactl_cmd_agent },
	{ "reload", lsactl_cmd_agent },
	{ "connector", lsactl_cmd_agent },
	{ "postfix-setup", lsactl_cmd_postfix_setup },
	{ "pki", lsactl_cmd_pki },
};

int
main(int argc, char **argv)
{
	log_init("lsactl", 1, 0);
	/* a peer that hangs up is a write error, reported, not a silent
	 * exit 141 */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		lsactl_usage();
	for (size_t i = 0; i < sizeof(lsactl_cmds) / sizeof(lsactl_cmds[0]);
	    i++)
		if (strcmp(argv[1], lsactl_cmds[i].name) == 0)
			return lsactl_cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "lsactl: unknown command \"%s\"\n", argv[1]);
	lsactl_usage();
}
