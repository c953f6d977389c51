/*
 * settings.c - the settings file and the one table of defaults
 * (see settings.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inifile.h"
#include "log.h"
#include "settings.h"
#include "units.h"
#include "xmalloc.h"

enum settings_type {
	ST_STRING,	/* any non-empty text */
	ST_OPTIONAL,	/* any text, empty allowed */
	ST_PATH,	/* absolute path */
	ST_LISTEN,	/* inet:HOST:PORT or unix:/PATH */
	ST_HOSTPORT,	/* HOST:PORT */
	ST_MILTER,	/* libmilter: inet:PORT@HOST or unix:/PATH */
	ST_TIME,
	ST_UINT,
	ST_BOOL,
	ST_RELAY,	/* hop | direct */
	ST_ACTION,	/* defer | bounce | accept */
};

struct settings_row {
	const char		*section;
	const char		*key;
	enum settings_type	 type;
	size_t			 off;
	const char		*def;
	uint64_t		 min, max;	/* ST_TIME (ms) and ST_UINT */
	const char		*doc;
};

#define O(f)	offsetof(struct settings, f)
#define SEC	1000ULL
#define HOUR	(3600 * SEC)

static const struct settings_row settings_table[] = {
	{ "agent", "server", ST_OPTIONAL, O(server), "", 0, 0,
	  "this server's name in the topology (empty: the host's short name)" },
	{ "agent", "topology", ST_PATH, O(topology), "/etc/lsa/topology.conf",
	  0, 0, "the organization's topology file" },
	{ "agent", "state_dir", ST_PATH, O(state_dir), "/var/lib/lsa", 0, 0,
	  "LST, sequence numbers and snapshot" },
	{ "agent", "listen", ST_HOSTPORT, O(listen), "0.0.0.0:691", 0, 0,
	  "link-state protocol listener" },
	{ "agent", "tls_ca", ST_PATH, O(tls_ca), "/etc/lsa/tls/ca.pem", 0, 0,
	  "the organization's CA certificate" },
	{ "agent", "tls_cert", ST_PATH, O(tls_cert), "/etc/lsa/tls/server.pem",
	  0, 0, "this server's certificate (its name is the server name)" },
	{ "agent", "tls_key", ST_PATH, O(tls_key), "/etc/lsa/tls/server.key",
	  0, 0, "this server's private key" },
	{ "agent", "tls_crl", ST_OPTIONAL, O(tls_crl), "", 0, 0,
	  "the CA's CRL (PEM), checked for TLS peers and record "
	  "certificates; empty: no revocation check" },
	{ "agent", "control_socket", ST_PATH, O(control_socket),
	  "/run/lsa/agent.sock", 0, 0, "lsactl's socket (mode 0660)" },
	{ "agent", "config_poll_interval", ST_TIME, O(config_poll_interval),
	  "1h", 1, 24 * HOUR, "a master re-reads the topology this often" },
	{ "agent", "glitch_retry_interval", ST_TIME, O(glitch_retry_interval),
	  "60s", 1, HOUR, "time between glitch-retries of a failed link" },
	{ "agent", "glitch_retries", ST_UINT, O(glitch_retries), "3", 0, 100,
	  "glitch-retries before a link is marked down" },
	{ "agent", "down_retry_interval", ST_TIME, O(down_retry_interval),
	  "60s", 1, HOUR, "a down link is probed this often" },
	{ "agent", "probe_interval", ST_TIME, O(probe_interval), "30s", 1,
	  HOUR, "an up link is probed this often" },
	{ "agent", "damping_half_life", ST_TIME, O(damping_half_life), "60s",
	  1, HOUR, "a link's flap penalty halves in this time" },
	{ "agent", "damping_suppress", ST_UINT, O(damping_suppress), "2000",
	  1, 1000000, "penalty above which a flapping link is held down "
	  "(each change adds 1000)" },
	{ "agent", "damping_reuse", ST_UINT, O(damping_reuse), "750", 1,
	  1000000, "penalty below which a held link is used again" },
	{ "agent", "damping_max_suppress", ST_TIME, O(damping_max_suppress),
	  "5m", 1, 24 * HOUR, "longest a stable link is held down" },
	{ "agent", "probe_source", ST_OPTIONAL, O(probe_source), "", 0, 0,
	  "source address of link probes, as Postfix's smtp_bind_address "
	  "(empty: this server's address in the topology)" },
	{ "agent", "probe_timeout", ST_TIME, O(probe_timeout), "10s", 1,
	  5 * 60 * SEC, "time allowed for a probe's 220 greeting" },
	{ "agent", "dead_interval", ST_TIME, O(dead_interval), "3m", 1,
	  24 * HOUR, "a master marks a silent member down after this" },
	{ "agent", "master_dead_interval", ST_TIME, O(master_dead_interval),
	  "5m", 1, 24 * HOUR, "a backup master takes over after this" },
	{ "agent", "peer_idle_timeout", ST_TIME, O(peer_idle_timeout), "5m", 1,
	  24 * HOUR, "a silent peer session is closed after this" },
	{ "agent", "reconnect_interval", ST_TIME, O(reconnect_interval), "1s",
	  1, HOUR, "first wait before reconnecting to a peer (then doubled)" },
	{ "agent", "reconnect_max", ST_TIME, O(reconnect_max), "1m", 1,
	  24 * HOUR, "longest wait between reconnection attempts" },
	{ "agent", "reroute_command", ST_OPTIONAL, O(reroute_command),
	  "/usr/sbin/postqueue", 0, 0, "postqueue(1), run to retry deferred "
	  "mail whose route changed (empty: never)" },
	{ "agent", "reroute_kick_command", ST_OPTIONAL,
	  O(reroute_kick_command), "/usr/sbin/postkick", 0, 0,
	  "postkick(1), run to have qmgr forget dead destinations when "
	  "rerouted mail is in the active queue (empty: never)" },
	{ "agent", "postfix_config_dir", ST_OPTIONAL, O(postfix_config_dir),
	  "", 0, 0, "the Postfix instance, postqueue -c (empty: the "
	  "default one)" },
	{ "agent", "reroute_interval", ST_TIME, O(reroute_interval), "5s", 1,
	  HOUR, "at most one reroute pass this often" },
	{ "agent", "reroute_recheck", ST_TIME, O(reroute_recheck), "31s", 1,
	  HOUR, "rerouted mail still deferred is retried once more after "
	  "this (qmgr caches a route for 30 s)" },
	{ "agent", "reroute_flush_percent", ST_UINT, O(reroute_flush_percent),
	  "50", 1, 100, "postqueue -f instead of -i each when more than this "
	  "share of the deferred mail is affected" },
	{ "agent", "suppress_state_changes", ST_BOOL,
	  O(suppress_state_changes), "no", 0, 0,
	  "yes: minor updates are neither sent nor used (least cost only)" },
	{ "agent", "relay", ST_RELAY, O(relay), "hop", 0, 0,
	  "hop: via every group's bridgeheads; direct: skip non-hub groups" },
	{ "agent", "control_idle_timeout", ST_TIME, O(control_idle_timeout),
	  "10s", 1, HOUR, "a control socket client that sends or reads "
	  "nothing is closed after this" },
	{ "agent", "user", ST_OPTIONAL, O(agent_user), "", 0, 0,
	  "run as this user once listening (empty: as started); it must be "
	  "able to write state_dir" },
	{ "policyd", "socketmap_listen", ST_LISTEN, O(socketmap_listen),
	  "inet:127.0.0.1:10691", 0, 0, "transport_maps socketmap listener" },
	{ "policyd", "policy_listen", ST_LISTEN, O(policy_listen),
	  "inet:127.0.0.1:10692", 0, 0, "check_policy_service listener" },
	{ "policyd", "snapshot", ST_OPTIONAL, O(snapshot), "", 0, 0,
	  "LST snapshot to read (empty: STATE_DIR/lst.snapshot)" },
	{ "policyd", "client_idle_timeout", ST_TIME, O(client_idle_timeout),
	  "5m", 1, HOUR, "an idle Postfix connection is closed after this" },
	{ "policyd", "max_clients", ST_UINT, O(max_clients), "1000", 1, 100000,
	  "concurrent Postfix connections" },
	{ "policyd", "transport", ST_STRING, O(transport), "smtp", 0, 0,
	  "Postfix transport of the next-hop answers (master.cf service)" },
	{ "policyd", "hold_transport", ST_STRING, O(hold_transport), "lsahold",
	  0, 0, "transport of mail held at the point of failure (list it in "
	  "defer_transports)" },
	{ "policyd", "rotation_interval", ST_TIME, O(rotation_interval), "1s",
	  1, HOUR, "next-hop lists rotate this often (keeps one message's "
	  "recipients together)" },
	{ "policyd", "snapshot_check_interval", ST_TIME,
	  O(snapshot_check_interval), "1s", 1, HOUR,
	  "how often the snapshot file is checked for a new version" },
	{ "policyd", "request_timeout", ST_TIME, O(request_timeout), "5s", 1,
	  HOUR, "a request must be whole this long after its first byte" },
	{ "policyd", "user", ST_OPTIONAL, O(policyd_user), "", 0, 0,
	  "run as this user once listening (empty: as started)" },
	{ "policyd", "credentials", ST_OPTIONAL, O(credentials), "", 0, 0,
	  "SASL credentials of outside connectors' `auth` (mode 0600; read "
	  "at start; empty: none)" },
	{ "milter", "listen", ST_MILTER, O(milter_listen),
	  "inet:10693@127.0.0.1", 0, 0, "milter socket (libmilter syntax)" },
	{ "milter", "loop_action", ST_ACTION, O(loop_action), "defer", 0, 0,
	  "a message re-entering a group it left: defer (4.4.6) or bounce" },
	{ "milter", "hop_limit", ST_UINT, O(hop_limit), "20", 1, 1000,
	  "groups a message may cross" },
	{ "milter", "hop_limit_action", ST_ACTION, O(hop_limit_action),
	  "bounce", 0, 0, "past hop_limit: bounce (5.4.6) or defer" },
	{ "milter", "user", ST_OPTIONAL, O(milter_user), "", 0, 0,
	  "run as this user once listening (empty: as started)" },
};

#define SETTINGS_NROWS	(sizeof(settings_table) / sizeof(settings_table[0]))

static const char *settings_relay_names[] = { "hop", "direct" };
static const char *settings_action_names[] = { "defer", "bounce", "accept" };

/* settings_enum - index of value in names, -1 if none */
static int
settings_enum(const char *value, const char **names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

/* settings_port_ok - a decimal port 1..65535 */
static int
settings_port_ok(const char *p)
{
	uint64_t v;
	char err[UNITS_ERRLEN];

	return units_uint(p, 1, 65535, &v, err) == 0;
}

/* settings_hostport_ok - HOST:PORT, HOST non-empty without spaces */
static int
settings_hostport_ok(const char *v)
{
	const char *colon = strrchr(v, ':');

	return colon != NULL && colon != v && strcspn(v, " \t") ==
	    strlen(v) && settings_port_ok(colon + 1);
}

/* settings_milter_port_ok - the PORT of inet:PORT@HOST */
static int
settings_milter_port_ok(const char *p, const char *at)
{
	char port[8];
	size_t n = (size_t)(at - p);

	if (n == 0 || n >= sizeof(port))
		return 0;
	memcpy(port, p, n);
	port[n] = '\0';
	return settings_port_ok(port);
}

/*
 * settings_value - check one value and store it. Returns 0, or -1 with
 * the reason in err.
 */
static int
settings_value(struct settings *s, const struct settings_row *r,
    const char *value, char *err, size_t errlen)
{
	char *base = (char *)s;
	char uerr[UNITS_ERRLEN];
	uint64_t v;
	int b, e;

	switch (r->type) {
	case ST_STRING:
	case ST_OPTIONAL:
	case ST_PATH:
	case ST_LISTEN:
	case ST_HOSTPORT:
	case ST_MILTER:
		if (r->type != ST_OPTIONAL && *value == '\0') {
			snprintf(err, errlen, "empty value");
			return -1;
		}
		if (r->type == ST_PATH && value[0] != '/') {
			snprintf(err, errlen, "\"%s\" is not an absolute path",
			    value);
			return -1;
		}
		if (r->type == ST_HOSTPORT && !settings_hostport_ok(value)) {
			snprintf(err, errlen, "bad address \"%s\" (want "
			    "HOST:PORT)", value);
			return -1;
		}
		if (r->type == ST_LISTEN && !(strncmp(value, "unix:/", 6) ==
		    0 || (strncmp(value, "inet:", 5) == 0 &&
		    settings_hostport_ok(value + 5)))) {
			snprintf(err, errlen, "bad listener \"%s\" (want "
			    "inet:HOST:PORT or unix:/PATH)", value);
			return -1;
		}
		if (r->type == ST_MILTER) {
			const char *at = strchr(value, '@');

			if (!(strncmp(value, "unix:/", 6) == 0 ||
			    (strncmp(value, "inet:", 5) == 0 && at != NULL &&
			    at[1] != '\0' && settings_milter_port_ok(value + 5,
			    at)))) {
				snprintf(err, errlen, "bad milter socket \"%s\" "
				    "(want inet:PORT@HOST or unix:/PATH)",
				    value);
				return -1;
			}
		}
		free(*(char **)(base + r->off));
		*(char **)(base + r->off) = xstrdup(value);
		return 0;
	case ST_TIME:
		if (units_time_ms(value, &v, uerr) < 0) {
			snprintf(err, errlen, "%s", uerr);
			return -1;
		}
		if (v < r->min || v > r->max) {
			char lo[32], hi[32];

			snprintf(err, errlen, "%s is out of range %s..%s",
			    value, units_fmt_time(r->min, lo, sizeof(lo)),
			    units_fmt_time(r->max, hi, sizeof(hi)));
			return -1;
		}
		*(uint64_t *)(base + r->off) = v;
		return 0;
	case ST_UINT:
		if (units_uint(value, r->min, r->max, &v, uerr) < 0) {
			snprintf(err, errlen, "%s", uerr);
			return -1;
		}
		*(uint64_t *)(base + r->off) = v;
		return 0;
	case ST_BOOL:
		if (units_bool(value, &b, uerr) < 0) {
			snprintf(err, errlen, "%s", uerr);
			return -1;
		}
		*(int *)(base + r->off) = b;
		return 0;
	case ST_RELAY:
	case ST_ACTION:
		e = r->type == ST_RELAY ?
		    settings_enum(value, settings_relay_names, 2) :
		    settings_enum(value, settings_action_names, 3);
		if (e < 0) {
			snprintf(err, errlen, "bad value \"%s\" (want %s)",
			    value, r->type == ST_RELAY ? "hop or direct" :
			    "defer, bounce or accept");
			return -1;
		}
		*(int *)(base + r->off) = e;
		return 0;
	}
	return -1;
}

/* settings_init - every default, from the table */
void
settings_init(struct settings *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < SETTINGS_NROWS; i++)
		if (settings_value(s, &settings_table[i],
		    settings_table[i].def, err, sizeof(err)) < 0)
			fatalx("default of %s.%s: %s", settings_table[i].section,
			    settings_table[i].key, err);
}

struct settings_loader {
	struct settings	*s;
	struct diag	*d;
	const char	*section;	/* known section being read, or NULL */
	unsigned char	 seen[SETTINGS_NROWS];
	int		 sections_seen[3];
};

static const char *settings_sections[] = { "agent", "policyd", "milter" };

/* settings_event - the inifile callback */
static void
settings_event(void *arg, const char *file, int line, const char *section,
    const char *key, const char *value)
{
	struct settings_loader *l = arg;
	char err[256];

	if (key == NULL) {
		int e = settings_enum(section, settings_sections, 3);

		l->section = NULL;
		if (e < 0)
			diag_add(l->d, file, line, NULL, "unknown section [%s] "
			    "(want agent, policyd or milter)", section);
		else if (l->sections_seen[e])
			diag_add(l->d, file, line, NULL, "duplicate section "
			    "[%s] (first at line %d)", section,
			    l->sections_seen[e]);
		else {
			l->sections_seen[e] = line;
			l->section = settings_sections[e];
		}
		return;
	}
	if (l->section == NULL) {
		if (*section == '\0')
			diag_add(l->d, file, line, key, "key outside any "
			    "section");
		return;
	}
	for (size_t i = 0; i < SETTINGS_NROWS; i++) {
		const struct settings_row *r = &settings_table[i];

		if (strcmp(r->section, l->section) != 0 ||
		    strcmp(r->key, key) != 0)
			continue;
		if (l->seen[i]) {
			diag_add(l->d, file, line, key, "given twice in [%s]",
			    l->section);
			return;
		}
		l->seen[i] = 1;
		if (settings_value(l->s, r, value, err, sizeof(err)) < 0)
			diag_add(l->d, file, line, key, "%s", err);
		return;
	}
	diag_add(l->d, file, line, key, "unknown key in [%s]", l->section);
}

/* settings_load_buf - read settings text over the current values */
int
settings_load_buf(struct settings *s, const char *name, const char *buf,
    size_t len, struct diag *d)
{
	struct settings_loader l;
	int before = diag_errors(d);

	memset(&l, 0, sizeof(l));
	l.s = s;
	l.d = d;
	free(s->file);
	s->file = xstrdup(name);
	inifile_parse_buf(name, buf, len, settings_event, &l, d);
	return diag_errors(d) > before ? -1 : 0;
}

/* settings_load - read a settings file over the current values */
int
settings_load(struct settings *s, const char *path, struct diag *d)
{
	size_t len;
	char *buf;
	int rc;

	if ((buf = inifile_slurp(path, &len, d)) == NULL)
		return -1;
	rc = settings_load_buf(s, path, buf, len, d);
	free(buf);
	return rc;
}

/* settings_free - release every string */
void
settings_free(struct settings *s)
{
	for (size_t i = 0; i < SETTINGS_NROWS; i++) {
		const struct settings_row *r = &settings_table[i];

		if (r->type <= ST_MILTER)
			free(*(char **)((char *)s + r->off));
	}
	free(s->file);
	memset(s, 0, sizeof(*s));
}

/* settings_server_name - the configured name, or the host's short name */
const char *
settings_server_name(const struct settings *s, char *buf, size_t len)
{
	if (s->server[0] != '\0') {
		snprintf(buf, len, "%s", s->server);
		return buf;
	}
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
	buf[strcspn(buf, ".")] = '\0';
	return buf;
}

/* settings_format - one current value as the file would write it */
static const char *
settings_format(const struct settings *s, const struct settings_row *r,
    char *buf, size_t len)
{
	const char *base = (const char *)s;

	switch (r->type) {
	case ST_TIME:
		return units_fmt_time(*(const uint64_t *)(base + r->off), buf,
		    len);
	case ST_UINT:
		snprintf(buf, len, "%" PRIu64,
		    *(const uint64_t *)(base + r->off));
		return buf;
	case ST_BOOL:
		return *(const int *)(base + r->off) ? "yes" : "no";
	case ST_RELAY:
		return settings_relay_names[*(const int *)(base + r->off)];
	case ST_ACTION:
		return settings_action_names[*(const int *)(base + r->off)];
	default:
		return *(char *const *)(base + r->off);
	}
}

/* settings_print - every setting with its current value, as a file */
void
settings_print(const struct settings *s, FILE *fp)
{
	const char *sec = "";
	char buf[64];

	for (size_t i = 0; i < SETTINGS_NROWS; i++) {
		const struct settings_row *r = &settings_table[i];

		if (strcmp(sec, r->section) != 0) {
			fprintf(fp, "%s[%s]\n", *sec ? "\n" : "", r->section);
			sec = r->section;
		}
		fprintf(fp, "%s = %s\n", r->key,
		    settings_format(s, r, buf, sizeof(buf)));
	}
}

/* settings_print_defaults - the table as README rows */
void
settings_print_defaults(FILE *fp)
{
	for (size_t i = 0; i < SETTINGS_NROWS; i++) {
		const struct settings_row *r = &settings_table[i];

		if (*r->def == '\0')
			fprintf(fp, "| `[%s]` | `%s` | (empty) | %s |\n",
			    r->section, r->key, r->doc);
		else
			fprintf(fp, "| `[%s]` | `%s` | `%s` | %s |\n",
			    r->section, r->key, r->def, r->doc);
	}
}
