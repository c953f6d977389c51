/*
 * lsactl_agent.c - the commands that ask the running lsa-agent, over its
 * control socket (control.c has the requests and the JSON replies):
 *
 *   lsactl status [-c SETTINGS] [-S SOCKET] [-T SECONDS] [--json]
 *   lsactl show lst [-c SETTINGS] [-S SOCKET] [-T SECONDS] [--json]
 *   lsactl set-master [-c ..] [-S ..] [-T ..] GROUP SERVER
 *   lsactl reload [-c ..] [-S ..] [-T ..]
 *   lsactl connector [-c ..] [-S ..] [-T ..] down|up|auto NAME
 *
 * The socket is -S, else the settings' agent.control_socket. -T SECONDS
 * bounds the whole exchange (default LSACTL_AGENT_TIMEOUT_MS): an agent
 * that does not answer in time is an error, not a hang. Exit status:
 * 0 done, 1 the agent said no (its message on stderr), cannot be reached
 * or did not answer in time, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lsactl.h"
#include "lsrec.h"
#include "settings.h"
#include "xmalloc.h"

#define LSACTL_AGENT_TIMEOUT_MS	10000

struct lsactl_agent_opts {
	const char	*settings;
	const char	*socket;
	int		 json;
	long		 timeout_ms;
};

/* lsactl_agent_opts - -c, -S, --json; returns the first operand */
static int
lsactl_agent_getopt(int argc, char **argv, struct lsactl_agent_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	double secs;
	int ch;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = LSACTL_AGENT_TIMEOUT_MS;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:S:T:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'T':
			secs = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(secs > 0) ||
			    secs > 3600)
				lsactl_usage();
			o->timeout_ms = (long)(secs * 1000 + 0.5);
			if (o->timeout_ms < 1)
				o->timeout_ms = 1;
			break;
		case 'c':
			o->settings = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		default:
			lsactl_usage();
		}
	}
	return optind;
}

/* lsactl_agent_ms - a monotonic clock in ms, for the deadline */
static long
lsactl_agent_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lsactl_agent_ask - send one request, return the reply line (or NULL) */
static json_t *
lsactl_agent_ask(const struct lsactl_agent_opts *o, const char *req,
    char **raw)
{
	struct sockaddr_un sun;
	struct settings s;
	struct diag d;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_t *reply;
	json_error_t je;
	long deadline = lsactl_agent_ms() + o->timeout_ms;
	struct timeval sndto = { o->timeout_ms / 1000,
	    (o->timeout_ms % 1000) * 1000 };
	char *line;
	ssize_t n;
	int fd;

	settings_init(&s);
	diag_init(&d);
	if (o->settings != NULL && settings_load(&s, o->settings, &d) < 0) {
		diag_print(&d, stderr);
		exit(1);
	}
	diag_free(&d);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    o->socket ? o->socket : s.control_socket);
	settings_free(&s);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sndto, sizeof(sndto)) <
	    0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "lsactl: %s: %s (is lsa-agent running?)\n",
		    sun.sun_path, errno == EAGAIN ? "no answer in time" :
		    strerror(errno));
		exit(1);
	}
	line = xasprintf("%s\n", req);
	n = send(fd, line, strlen(line), MSG_NOSIGNAL);
	free(line);
	if (n < 0) {
		fprintf(stderr, "lsactl: %s: %s\n", sun.sun_path,
		    errno == EAGAIN ? "no answer in time" : strerror(errno));
		exit(1);
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long left = deadline - lsactl_agent_ms();

		if (left <= 0 || (n = poll(&pfd, 1, (int)left)) == 0) {
			fprintf(stderr, "lsactl: %s: no answer within %.3g s\n",
			    sun.sun_path, (double)o->timeout_ms / 1000);
			exit(1);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (len + 4096 > cap)
			buf = xreallocarray(buf, cap = cap * 2 + 8192, 1);
		if ((n = read(fd, buf + len, cap - len - 1)) < 0 &&
		    errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "lsactl: %s: %s\n", sun.sun_path,
			    strerror(errno));
			exit(1);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == 0) {
		fprintf(stderr, "lsactl: %s: closed without an answer (too "
		    "many clients?)\n", sun.sun_path);
		exit(1);
	}
	close(fd);
	if (buf == NULL)
		buf = xstrdup("");
	buf[len] = '\0';
	if ((reply = json_loads(buf, 0, &je)) == NULL) {
		fprintf(stderr, "lsactl: bad reply from the agent: %s\n",
		    je.text);
		exit(1);
	}
	*raw = buf;
	return reply;
}

/* lsactl_agent_str - a string member or "-" */
static const char *
lsactl_agent_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* lsactl_agent_int - an integer member */
static long long
lsactl_agent_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* lsactl_agent_schedules_print - one line a scheduled connector */
static void
lsactl_agent_schedules_print(json_t *r)
{
	json_t *sc = json_object_get(r, "schedules"), *e;
	size_t i;

	json_array_foreach(sc, i, e) {
		int open = json_is_true(json_object_get(e, "open"));
		json_t *next = json_object_get(e, "next");

		printf("schedule %s: %s", lsactl_agent_str(e, "connector"),
		    open ? "open" : "closed");
		if (json_is_string(next))
			printf(", %s %s", open ? "closes" : "opens",
			    json_string_value(next));
		printf("\n");
	}
}

/* lsactl_agent_status_print - the status reply as text */
static void
lsactl_agent_status_print(json_t *r)
{
	json_t *peers = json_object_get(r, "peers"), *p, *rr;
	size_t i;

	printf("server %s, group %s, role %s, master %s\n",
	    lsactl_agent_str(r, "server"), lsactl_agent_str(r, "group"),
	    lsactl_agent_str(r, "role"), lsactl_agent_str(r, "master"));
	printf("topology version %lld, lst version %lld, %lld records, "
	    "epoch %lld\ndigest %s\n", lsactl_agent_int(r, "topology_version"),
	    lsactl_agent_int(r, "lst_version"), lsactl_agent_int(r, "records"),
	    lsactl_agent_int(r, "epoch"), lsactl_agent_str(r, "digest"));
	if ((rr = json_object_get(r, "reroute")) != NULL)
		printf("reroute: %lld passes, %lld rechecks, %lld affected, "
		    "%lld retried, %lld flushes, %lld kicks\n",
		    lsactl_agent_int(rr, "passes"),
		    lsactl_agent_int(rr, "rechecks"),
		    lsactl_agent_int(rr, "affected"),
		    lsactl_agent_int(rr, "retried"),
		    lsactl_agent_int(rr, "flushes"),
		    lsactl_agent_int(rr, "kicks"));
	if ((rr = json_object_get(r, "state_write")) != NULL &&
	    json_is_object(rr)) {
		time_t since = (time_t)(lsactl_agent_int(rr,
		    "failing_since_ms") / 1000);
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		    localtime(&since));
		printf("state_write: failing since %s, retry in %lld ms, "
		    "last error: %s\n", when, lsactl_agent_int(rr, "retry_ms"),
		    lsactl_agent_str(rr, "error"));
	}
	lsactl_agent_schedules_print(r);
	if (lsactl_agent_int(r, "transports_missing") > 0)
		printf("transports missing: %lld limited connector(s) without "
		    "their master.cf service: mail over them waits (lsactl "
		    "postfix-setup)\n", lsactl_agent_int(r,
		    "transports_missing"));
	else if (lsactl_agent_int(r, "transports_missing") < 0)
		printf("transports missing: master.cf not readable, limited "
		    "connectors unchecked\n");
	printf("%-24s %-11s %-9s %10s %12s\n", "PEER", "STATE", "OPENS",
	    "SINCE_S", "BYTES_OUT");
	json_array_foreach(peers, i, p)
		printf("%-24s %-11s %-9s %10.1f %12lld\n",
		    lsactl_agent_str(p, "name"), lsactl_agent_str(p, "state"),
		    json_is_true(json_object_get(p, "initiator")) ? "this" :
		    "peer", (double)lsactl_agent_int(p, "since_ms") / 1000,
		    lsactl_agent_int(p, "bytes_out"));
}

/* lsactl_agent_lst_print - the LST reply as text */
static void
lsactl_agent_lst_print(json_t *r)
{
	json_t *recs = json_object_get(r, "records"), *e;
	size_t i;

	printf("server %s, digest %s\n", lsactl_agent_str(r, "server"),
	    lsactl_agent_str(r, "digest"));
	printf("%-48s %-20s %22s %-12s %10s\n", "KEY", "ORIGIN", "SEQ",
	    "STATE", "AGE_S");
	json_array_foreach(recs, i, e) {
		char state[40], age[32];
		uint64_t seq = 0, v = 0;

		(void)lsrec_u64_value(json_object_get(e, "seq"), &seq);
		if (lsrec_u64_value(json_object_get(e, "version"), &v) == 0)
			snprintf(state, sizeof(state), "version %" PRIu64, v);
		else
			snprintf(state, sizeof(state), "%s",
			    lsactl_agent_str(e, "state"));
		if (json_is_integer(json_object_get(e, "age_ms")))
			snprintf(age, sizeof(age), "%.1f",
			    (double)lsactl_agent_int(e, "age_ms") / 1000);
		else
			snprintf(age, sizeof(age), "-");	/* unknown */
		printf("%-48s %-20s %22" PRIu64 " %-12s %10s\n",
		    lsactl_agent_str(e, "key"), lsactl_agent_str(e, "origin"),
		    seq, state, age);
	}
}

/*
 * lsactl_cmd_agent - status, show lst, set-master, reload, connector.
 * argv[0] is the command ("show" arrives here only for "show lst").
 */
int
lsactl_cmd_agent(int argc, char **argv)
{
	struct lsactl_agent_opts o;
	char req[512], *raw = NULL;
	json_t *r;
	int i = lsactl_agent_getopt(argc, argv, &o), rc = 0, nargs = argc - i;
	const char *cmd = argv[0];

	if (strcmp(cmd, "status") == 0 && nargs == 0)
		snprintf(req, sizeof(req), "status");
	else if (strcmp(cmd, "show") == 0 && nargs == 1 &&
	    strcmp(argv[i], "lst") == 0)
		snprintf(req, sizeof(req), "show-lst");
	else if (strcmp(cmd, "set-master") == 0 && nargs == 2)
		snprintf(req, sizeof(req), "set-master %s %s", argv[i],
		    argv[i + 1]);
	else if (strcmp(cmd, "reload") == 0 && nargs == 0)
		snprintf(req, sizeof(req), "reload");
	else if (strcmp(cmd, "connector") == 0 && nargs == 2 &&
	    (strcmp(argv[i], "down") == 0 || strcmp(argv[i], "up") == 0 ||
	    strcmp(argv[i], "auto") == 0))
		snprintf(req, sizeof(req), "connector %s %s", argv[i],
		    argv[i + 1]);
	else
		lsactl_usage();
	if (strpbrk(req, "\r\n") != NULL)
		lsactl_usage();
	r = lsactl_agent_ask(&o, req, &raw);
	if (o.json)
		fputs(raw, stdout);
	else if (strcmp(cmd, "status") == 0)
		lsactl_agent_status_print(r);
	else if (strcmp(cmd, "show") == 0)
		lsactl_agent_lst_print(r);
	if (json_object_get(r, "ok") != NULL) {
		int ok = json_is_true(json_object_get(r, "ok"));

		if (!o.json)
			fprintf(ok ? stdout : stderr, "%s%s\n",
			    ok ? "" : "lsactl: ",
			    lsactl_agent_str(r, "message"));
		rc = ok ? 0 : 1;
	}
	json_decref(r);
	free(raw);
	return rc;
}
