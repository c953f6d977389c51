/*
 * lsactl_setup.c - lsactl postfix-setup: wire lsa into Postfix's main.cf
 * and master.cf, with postconf(1), keeping what the admin already has.
 *
 *   lsactl postfix-setup [--dry-run] [--undo] [-C DIR] [-c SETTINGS]
 *
 * What it sets (addresses from [policyd] socketmap_listen, policy_listen,
 * hold_transport and [milter] listen):
 *   transport_maps                  + socketmap:ADDR:transport (appended)
 *   smtpd_recipient_restrictions    + check_policy_service { ADDR,
 *   smtpd_end_of_data_restrictions    timeout=5s, { default_action = DUNNO } }
 *                                     (before permit_mynetworks, else first)
 *   defer_transports                + HOLD (appended)
 *   smtpd_milters, non_smtpd_milters + { ADDR, default_action = tempfail }
 *   milter_header_checks            + regexp:/usr/share/lsa/milter_header_checks
 *   master.cf                       HOLD unix - - n - - smtp
 *   master.cf, for each connector with max_connections = N of the
 *   topology (-t, else [agent] topology when the file exists):
 *     lsa-NAME unix - - n - N smtp
 *         -o smtp_connection_cache_on_demand=no
 *         -o smtp_connection_cache_destinations=
 *         -o smtp_skip_quit_response=no
 *     added when missing, replaced when it differs (N changed); the
 *     process limit N bounds the concurrent sessions over the connector
 *     from this server, no connection caching keeps idle sessions open
 *     beyond it, and waiting for QUIT's reply ends a session at the
 *     target before its process opens the next (README "Connection
 *     limits"). An entry for a
 *     connector no longer limited is left alone (harmless: unused).
 *   smtp_tls_policy_maps            + socketmap:ADDR:tls_policy (appended)
 *   smtp_sasl_password_maps         + socketmap:ADDR:sasl_passwd (appended)
 *   smtp_sasl_auth_enable           = yes
 *   smtp_sasl_tls_security_options  = noanonymous, when at its default
 *                                     (a password in plain text only
 *                                     inside TLS)
 * An entry is added only when the list does not name the address yet, so
 * a second run changes nothing. Before the first change, main.cf and
 * master.cf are copied to main.cf.lsa-backup and master.cf.lsa-backup
 * (never overwritten: the backup is the state before the first run);
 * --undo puts them back and removes them. --dry-run prints the postconf
 * commands and changes nothing. postconf runs through posix_spawnp, no
 * shell. Exit: 0 done (or nothing to do), 1 failure, 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "lsactl.h"
#include "topology.h"
#include "safefile.h"
#include "settings.h"
#include "xmalloc.h"

extern char **environ;

#define SETUP_MAXTOK		512
#define SETUP_MAXFILE		(16 * 1024 * 1024)
#define SETUP_HEADER_CHECKS	"regexp:/usr/share/lsa/milter_header_checks"

struct setup {
	const char	*confdir;	/* -C, NULL: postconf's default */
	char		*dir;		/* the directory main.cf is in */
	int		 dry_run;
	int		 changes;
};

/*
 * lsactl_setup_tokens - split a Postfix list value into its top-level
 * elements: separated by white space and commas, a { } group (nested) is
 * one element, an unclosed group runs to the end. Offsets into s; -1
 * when there are more than max.
 */
int
lsactl_setup_tokens(const char *s, struct lsactl_tok *t, int max)
{
	size_t i = 0;
	int n = 0;

	while (s[i] != '\0') {
		size_t start;

		if (isspace((unsigned char)s[i]) || s[i] == ',') {
			i++;
			continue;
		}
		start = i;
		if (s[i] == '{') {
			int depth = 0;

			do {
				if (s[i] == '{')
					depth++;
				else if (s[i] == '}')
					depth--;
				i++;
			} while (s[i] != '\0' && depth > 0);
		} else
			while (s[i] != '\0' && !isspace((unsigned char)s[i]) &&
			    s[i] != ',' && s[i] != '{')
				i++;
		if (n == max)
			return -1;
		t[n].off = start;
		t[n].len = i - start;
		n++;
	}
	return n;
}

/*
 * lsactl_setup_names - whether element t of s names addr: the element
 * itself, or the first element inside a { } group.
 */
int
lsactl_setup_names(const char *s, const struct lsactl_tok *t,
    const char *addr)
{
	struct lsactl_tok in[1];
	char *inner;
	int n, yes;

	if (s[t->off] != '{')
		return t->len == strlen(addr) &&
		    strncmp(s + t->off, addr, t->len) == 0;
	inner = xstrndup(s + t->off + 1, t->len - 1);
	if (t->len >= 2 && inner[t->len - 2] == '}')
		inner[t->len - 2] = '\0';
	/* only the first element matters: a full list is fine */
	n = lsactl_setup_tokens(inner, in, 1);
	yes = n != 0 && in[0].len == strlen(addr) &&
	    strncmp(inner + in[0].off, addr, in[0].len) == 0;
	free(inner);
	return yes;
}

/*
 * setup_find - index of the element naming addr (after an element equal
 * to verb when verb is not NULL), -1 when none, -2 when too long a list
 */
static int
setup_find(const char *s, const char *verb, const char *addr)
{
	struct lsactl_tok t[SETUP_MAXTOK];
	int n, i;

	if ((n = lsactl_setup_tokens(s, t, SETUP_MAXTOK)) < 0)
		return -2;
	for (i = 0; i < n; i++) {
		if (verb != NULL) {
			if (i + 1 < n && t[i].len == strlen(verb) &&
			    strncmp(s + t[i].off, verb, t[i].len) == 0 &&
			    lsactl_setup_names(s, &t[i + 1], addr))
				return i;
		} else if (lsactl_setup_names(s, &t[i], addr))
			return i;
	}
	return -1;
}

/* setup_before - offset of the element equal to word, -1 when none */
static long
setup_before(const char *s, const char *word)
{
	struct lsactl_tok t[SETUP_MAXTOK];
	int n, i;

	n = lsactl_setup_tokens(s, t, SETUP_MAXTOK);
	for (i = 0; i < n; i++)
		if (t[i].len == strlen(word) &&
		    strncmp(s + t[i].off, word, t[i].len) == 0)
			return (long)t[i].off;
	return -1;
}

/*
 * setup_run - run argv (postconf) without a shell; with out, its stdout
 * is collected (NUL-terminated, the last newline cut); quiet sends its
 * stderr to /dev/null. Returns the exit status, -1 when it did not run.
 */
static int
setup_run(char *const argv[], char **out, int quiet)
{
	posix_spawn_file_actions_t fa;
	int fd[2] = { -1, -1 }, status, rc;
	size_t len = 0, cap = 256;
	pid_t pid;
	ssize_t r;
	char *buf = NULL;

	if (out != NULL && pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	if (out != NULL)
		posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out != NULL)
		close(fd[1]);
	if (rc != 0) {
		fprintf(stderr, "lsactl: %s: %s\n", argv[0], strerror(rc));
		if (out != NULL)
			close(fd[0]);
		return -1;
	}
	if (out != NULL) {
		buf = xmalloc(cap);
		for (;;) {
			if (len + 1 == cap)
				buf = xreallocarray(buf, cap *= 2, 1);
			r = read(fd[0], buf + len, cap - len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		close(fd[0]);
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		buf[len] = '\0';
		*out = buf;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* setup_argv - postconf [-c DIR] A1 A2 into argv (NULL-ended) */
static void
setup_argv(const struct setup *st, char **argv, const char *a1,
    const char *a2)
{
	int n = 0;

	argv[n++] = (char *)"postconf";
	if (st->confdir != NULL) {
		argv[n++] = (char *)"-c";
		argv[n++] = (char *)st->confdir;
	}
	argv[n++] = (char *)a1;
	argv[n++] = (char *)a2;
	argv[n] = NULL;
}

/* setup_get - a parameter's value (postconf -h), NULL on failure */
static char *
setup_get(const struct setup *st, const char *name)
{
	char *argv[6], *out = NULL;

	setup_argv(st, argv, "-h", name);
	if (setup_run(argv, &out, 0) != 0) {
		fprintf(stderr, "lsactl: postconf -h %s failed\n", name);
		free(out);
		return NULL;
	}
	return out;
}

/*
 * setup_copy - DIR/NAME.lsa-backup made from DIR/NAME (restore 0: kept
 * when there is one already), or put back over DIR/NAME and removed
 * (restore 1); the mode goes along
 */
static int
setup_copy(const struct setup *st, const char *name, int restore)
{
	char *path = xasprintf("%s/%s", st->dir, name);
	char *bak = xasprintf("%s/%s.lsa-backup", st->dir, name);
	const char *from = restore ? bak : path, *to = restore ? path : bak;
	char err[256], *text;
	struct diag d;
	struct stat sb;
	size_t len;
	int rc = -1;

	diag_init(&d);
	if (!restore && lstat(bak, &sb) == 0) {
		rc = 0;
		goto out;
	}
	if ((text = safefile_read(from, SETUP_MAXFILE, 0, &len, &d)) == NULL) {
		diag_print(&d, stderr);
		goto out;
	}
	if (stat(from, &sb) < 0)
		sb.st_mode = 0644;
	if (safefile_write(to, text, len, sb.st_mode & 07777, err,
	    sizeof(err)) < 0)
		fprintf(stderr, "lsactl: %s: %s\n", to, err);
	else if (restore && unlink(bak) < 0)
		fprintf(stderr, "lsactl: %s: %s\n", bak, strerror(errno));
	else {
		printf("%s %s\n", restore ? "restored" : "backup", to);
		rc = 0;
	}
	free(text);
out:
	diag_free(&d);
	free(path);
	free(bak);
	return rc;
}

/* setup_backups - the backups, before the first change of a run */
static int
setup_backups(struct setup *st)
{
	if (st->dry_run || st->changes++ > 0)
		return 0;
	if (setup_copy(st, "main.cf", 0) < 0 ||
	    setup_copy(st, "master.cf", 0) < 0)
		return -1;
	return 0;
}

/* setup_apply - print (dry run) or run postconf FLAG ARG */
static int
setup_apply(struct setup *st, const char *flag, const char *arg)
{
	char *argv[6];

	if (st->dry_run) {
		printf("postconf%s%s %s '%s'\n", st->confdir ? " -c " : "",
		    st->confdir ? st->confdir : "", flag, arg);
		st->changes++;
		return 0;
	}
	if (setup_backups(st) < 0)
		return -1;
	printf("postconf %s '%s'\n", flag, arg);
	setup_argv(st, argv, flag, arg);
	if (setup_run(argv, NULL, 0) != 0) {
		fprintf(stderr, "lsactl: postconf %s '%s' failed\n", flag, arg);
		return -1;
	}
	return 0;
}

/*
 * setup_list - make parameter name's list hold entry (naming addr, after
 * verb when not NULL): inserted before the element "before" when given
 * and present, else first when first, else appended
 */
static int
setup_list(struct setup *st, const char *name, const char *verb,
    const char *addr, const char *entry, const char *before, int first)
{
	char *cur, *val, *arg;
	long at = -1;
	int found, rc;

	if ((cur = setup_get(st, name)) == NULL)
		return -1;
	if ((found = setup_find(cur, verb, addr)) >= 0) {
		free(cur);
		return 0;
	}
	if (found == -2) {
		fprintf(stderr, "lsactl: %s: too long a list\n", name);
		free(cur);
		return -1;
	}
	if (before != NULL)
		at = setup_before(cur, before);
	if (at < 0 && first)
		at = 0;
	if (cur[strspn(cur, " \t,")] == '\0')
		val = xstrdup(entry);
	else if (at >= 0)
		val = xasprintf("%.*s%s, %s", (int)at, cur, entry, cur + at);
	else
		val = xasprintf("%s, %s", cur, entry);
	arg = xasprintf("%s = %s", name, val);
	rc = setup_apply(st, "-e", arg);
	free(arg);
	free(val);
	free(cur);
	return rc;
}

/*
 * setup_scalar - make parameter name want; with only_if, only while it
 * is that (its default: an admin's own value stays)
 */
static int
setup_scalar(struct setup *st, const char *name, const char *want,
    const char *only_if)
{
	char *cur, *arg;
	int rc = 0;

	if ((cur = setup_get(st, name)) == NULL)
		return -1;
	if (strcmp(cur, want) != 0 &&
	    (only_if == NULL || strcmp(cur, only_if) == 0)) {
		arg = xasprintf("%s = %s", name, want);
		rc = setup_apply(st, "-e", arg);
		free(arg);
	}
	free(cur);
	return rc;
}

/* setup_hops - the TLS policy and SASL password tables of lsa-policyd */
static int
setup_hops(struct setup *st, const struct settings *s)
{
	char *tls = xasprintf("socketmap:%s:tls_policy", s->socketmap_listen);
	char *sasl = xasprintf("socketmap:%s:sasl_passwd",
	    s->socketmap_listen);
	int rc = -1;

	if (setup_list(st, "smtp_tls_policy_maps", NULL, tls, tls, NULL,
	    0) == 0 &&
	    setup_list(st, "smtp_sasl_password_maps", NULL, sasl, sasl, NULL,
	    0) == 0 &&
	    setup_scalar(st, "smtp_sasl_auth_enable", "yes", NULL) == 0 &&
	    setup_scalar(st, "smtp_sasl_tls_security_options", "noanonymous",
	    "$smtp_sasl_security_options") == 0)
		rc = 0;
	free(tls);
	free(sasl);
	return rc;
}

/* setup_master - the hold transport's master.cf entry, when missing */
static int
setup_master(struct setup *st, const char *hold)
{
	char *argv[6], *out = NULL, *svc, *arg;
	int rc = 0;

	svc = xasprintf("%s/unix", hold);
	setup_argv(st, argv, "-M", svc);
	if (setup_run(argv, &out, 1) != 0) {
		fprintf(stderr, "lsactl: postconf -M %s failed\n", svc);
		rc = -1;
	} else if (out[0] == '\0') {
		arg = xasprintf("%s=%s unix - - n - - smtp", svc, hold);
		rc = setup_apply(st, "-Me", arg);
		free(arg);
	}
	free(out);
	free(svc);
	return rc;
}

/* setup_squeeze - runs of white space as one space, none at the ends */
static void
setup_squeeze(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			if (w > s && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *r;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/*
 * setup_conn_master - the master.cf entry of one limited connector:
 * added when missing, replaced when it differs
 */
static int
setup_conn_master(struct setup *st, const struct topo_connector *c)
{
	char tr[TOPO_TRANSPORT_MAX], *argv[6], *out = NULL, *svc, *entry,
	    *arg;
	int rc = 0;

	if (topo_conn_transport(c, tr, sizeof(tr)) < 0)
		return 0;
	svc = xasprintf("%s/unix", tr);
	entry = xasprintf("%s unix - - n - %u smtp -o "
	    "smtp_connection_cache_on_demand=no -o "
	    "smtp_connection_cache_destinations= -o "
	    "smtp_skip_quit_response=no", tr, c->max_connections);
	setup_argv(st, argv, "-M", svc);
	if (setup_run(argv, &out, 1) != 0) {
		fprintf(stderr, "lsactl: postconf -M %s failed\n", svc);
		rc = -1;
	} else {
		setup_squeeze(out);
		if (strcmp(out, entry) != 0) {
			arg = xasprintf("%s=%s", svc, entry);
			rc = setup_apply(st, "-Me", arg);
			free(arg);
		}
	}
	free(out);
	free(entry);
	free(svc);
	return rc;
}

/*
 * setup_connectors - the master.cf entries of the topology's limited
 * connectors; path NULL: [agent] topology, skipped when it is missing
 */
static int
setup_connectors(struct setup *st, const struct settings *s,
    const char *path)
{
	struct topology *t;
	struct diag d;
	int rc = 0;

	if (path == NULL && access(s->topology, F_OK) < 0)
		return 0;
	diag_init(&d);
	if ((t = topo_load(path != NULL ? path : s->topology, &d)) == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return -1;
	}
	for (int i = 0; i < t->nconnectors && rc == 0; i++)
		rc = setup_conn_master(st, &t->connectors[i]);
	topo_free(t);
	diag_free(&d);
	return rc;
}

/*
 * lsactl_setup_milter_addr - libmilter's inet:PORT@HOST as Postfix's
 * inet:HOST:PORT ([HOST] when it has a colon); unix:/PATH as it is
 */
char *
lsactl_setup_milter_addr(const char *m)
{
	const char *at = strchr(m, '@');

	if (strncmp(m, "inet:", 5) != 0 || at == NULL)
		return xstrdup(m);
	if (strchr(at + 1, ':') != NULL)
		return xasprintf("inet:[%s]:%.*s", at + 1,
		    (int)(at - m - 5), m + 5);
	return xasprintf("inet:%s:%.*s", at + 1, (int)(at - m - 5), m + 5);
}

/* setup_wire - every change the wiring needs, in order */
static int
setup_wire(struct setup *st, const struct settings *s)
{
	char *sm, *pol, *milter, *mil;
	int rc = -1;

	sm = xasprintf("socketmap:%s:transport", s->socketmap_listen);
	pol = xasprintf("{ %s, timeout=5s, { default_action = DUNNO } }",
	    s->policy_listen);
	milter = lsactl_setup_milter_addr(s->milter_listen);
	mil = xasprintf("{ %s, default_action = tempfail }", milter);
	if (setup_list(st, "transport_maps", NULL, sm, sm, NULL, 0) < 0)
		goto out;
	{
		char *e = xasprintf("check_policy_service %s", pol);
		int r = setup_list(st, "smtpd_recipient_restrictions",
		    "check_policy_service", s->policy_listen, e,
		    "permit_mynetworks", 1);

		if (r == 0)
			r = setup_list(st, "smtpd_end_of_data_restrictions",
			    "check_policy_service", s->policy_listen, e,
			    "permit_mynetworks", 1);
		free(e);
		if (r < 0)
			goto out;
	}
	if (setup_list(st, "defer_transports", NULL, s->hold_transport,
	    s->hold_transport, NULL, 0) < 0 ||
	    setup_list(st, "smtpd_milters", NULL, milter, mil, NULL, 0) < 0 ||
	    setup_list(st, "non_smtpd_milters", NULL, milter, mil, NULL,
	    0) < 0 ||
	    setup_list(st, "milter_header_checks", NULL, SETUP_HEADER_CHECKS,
	    SETUP_HEADER_CHECKS, NULL, 0) < 0 ||
	    setup_master(st, s->hold_transport) < 0 ||
	    setup_hops(st, s) < 0)
		goto out;
	rc = 0;
out:
	free(sm);
	free(pol);
	free(milter);
	free(mil);
	return rc;
}

/* lsactl_cmd_postfix_setup - the command */
int
lsactl_cmd_postfix_setup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "undo", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct setup st = { 0 };
	const char *settings = NULL, *topology = NULL;
	struct settings s;
	int ch, undo = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "C:c:t:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 't':
			topology = optarg;
			break;
		case 'C':
			st.confdir = optarg;
			break;
		case 'c':
			settings = optarg;
			break;
		case 'n':
			st.dry_run = 1;
			break;
		case 'u':
			undo = 1;
			break;
		default:
			lsactl_usage();
		}
	}
	if (optind != argc || (undo && st.dry_run))
		lsactl_usage();
	if (st.confdir != NULL)
		st.dir = xstrdup(st.confdir);
	else if ((st.dir = setup_get(&st, "config_directory")) == NULL)
		return 1;
	if (undo) {
		rc = setup_copy(&st, "main.cf", 1) < 0 ||
		    setup_copy(&st, "master.cf", 1) < 0;
		free(st.dir);
		return rc;
	}
	if (lsactl_settings(&s, settings) < 0) {
		free(st.dir);
		return 1;
	}
	rc = setup_wire(&st, &s) < 0 ||
	    setup_connectors(&st, &s, topology) < 0;
	if (rc == 0 && st.changes == 0)
		printf("postfix-setup: nothing to change in %s\n", st.dir);
	settings_free(&s);
	free(st.dir);
	return rc;
}
