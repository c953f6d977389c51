/*
 * test_settings.c - shared/settings.c: the defaults settings_init()
 * fills in, settings_load_buf() over text (good values land in the
 * struct; every error is FILE:LINE: KEY: TEXT), and settings_print()
 * writing a file that loads back to the same settings.
 *
 * Tables of cases, one cmocka test per row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tabletest.h"

#include "diag.h"
#include "settings.h"


/* a field of struct settings and the value it should hold */
enum field_kind { F_STR, F_U64, F_INT };

struct field {
	enum field_kind	 kind;
	size_t		 off;
	const char	*s;
	uint64_t	 u;
};

#define STR(f, v)	{ F_STR, offsetof(struct settings, f), (v), 0 }
#define U64(f, v)	{ F_U64, offsetof(struct settings, f), NULL, (v) }
#define INT(f, v)	{ F_INT, offsetof(struct settings, f), NULL, (v) }

static void
check_field(const struct settings *s, const struct field *f)
{
	const char *base = (const char *)s;

	switch (f->kind) {
	case F_STR:
		assert_non_null(*(char *const *)(base + f->off));
		assert_string_equal(*(char *const *)(base + f->off), f->s);
		break;
	case F_U64:
		assert_true(*(const uint64_t *)(base + f->off) == f->u);
		break;
	case F_INT:
		assert_int_equal(*(const int *)(base + f->off), (int)f->u);
		break;
	}
}

/* settings_init: every default */
struct default_case {
	const char	*name;
	struct field	 f;
};

static const struct default_case default_cases[] = {
	{ "default: server", STR(server, "") },
	{ "default: topology", STR(topology, "/etc/lsa/topology.conf") },
	{ "default: state_dir", STR(state_dir, "/var/lib/lsa") },
	{ "default: listen", STR(listen, "0.0.0.0:691") },
	{ "default: tls_ca", STR(tls_ca, "/etc/lsa/tls/ca.pem") },
	{ "default: tls_cert", STR(tls_cert, "/etc/lsa/tls/server.pem") },
	{ "default: tls_key", STR(tls_key, "/etc/lsa/tls/server.key") },
	{ "default: control_socket",
	  STR(control_socket, "/run/lsa/agent.sock") },
	{ "default: config_poll_interval", U64(config_poll_interval, 3600000) },
	{ "default: glitch_retry_interval",
	  U64(glitch_retry_interval, 60000) },
	{ "default: glitch_retries", U64(glitch_retries, 3) },
	{ "default: down_retry_interval", U64(down_retry_interval, 60000) },
	{ "default: probe_timeout", U64(probe_timeout, 10000) },
	{ "default: dead_interval", U64(dead_interval, 180000) },
	{ "default: master_dead_interval", U64(master_dead_interval, 300000) },
	{ "default: peer_idle_timeout", U64(peer_idle_timeout, 300000) },
	{ "default: suppress_state_changes", INT(suppress_state_changes, 0) },
	{ "default: relay", INT(relay, SETTINGS_RELAY_HOP) },
	{ "default: socketmap_listen",
	  STR(socketmap_listen, "inet:127.0.0.1:10691") },
	{ "default: policy_listen",
	  STR(policy_listen, "inet:127.0.0.1:10692") },
	{ "default: snapshot", STR(snapshot, "") },
	{ "default: client_idle_timeout", U64(client_idle_timeout, 300000) },
	{ "default: max_clients", U64(max_clients, 1000) },
	{ "default: milter listen",
	  STR(milter_listen, "inet:10693@127.0.0.1") },
	{ "default: loop_action", INT(loop_action, SETTINGS_ACTION_DEFER) },
	{ "default: hop_limit", U64(hop_limit, 20) },
	{ "default: hop_limit_action",
	  INT(hop_limit_action, SETTINGS_ACTION_BOUNCE) },
};

static void
run_default(void **state)
{
	const struct default_case *c = *state;
	struct settings s;

	settings_init(&s);
	assert_null(s.file);
	check_field(&s, &c->f);
	settings_free(&s);
}

/* settings_load_buf: good text and the value it sets */
struct good_case {
	const char	*name;
	const char	*text;
	struct field	 f;
};

static const struct good_case good_cases[] = {
	{ "good: time in ms", "[agent]\nglitch_retry_interval = 250ms\n",
	  U64(glitch_retry_interval, 250) },
	{ "good: time at its minimum", "[agent]\nglitch_retry_interval = "
	  "1ms\n", U64(glitch_retry_interval, 1) },
	{ "good: time at its maximum", "[agent]\nglitch_retry_interval = "
	  "1h\n", U64(glitch_retry_interval, 3600000) },
	{ "good: 24h poll", "[agent]\nconfig_poll_interval = 24h\n",
	  U64(config_poll_interval, 86400000) },
	{ "good: probe_timeout 5m", "[agent]\nprobe_timeout = 5m\n",
	  U64(probe_timeout, 300000) },
	{ "good: glitch_retries 0", "[agent]\nglitch_retries = 0\n",
	  U64(glitch_retries, 0) },
	{ "good: glitch_retries 100", "[agent]\nglitch_retries = 100\n",
	  U64(glitch_retries, 100) },
	{ "good: bool yes", "[agent]\nsuppress_state_changes = yes\n",
	  INT(suppress_state_changes, 1) },
	{ "good: bool on", "[agent]\nsuppress_state_changes = On\n",
	  INT(suppress_state_changes, 1) },
	{ "good: relay direct", "[agent]\nrelay = direct\n",
	  INT(relay, SETTINGS_RELAY_DIRECT) },
	{ "good: relay hop", "[agent]\nrelay = hop\n",
	  INT(relay, SETTINGS_RELAY_HOP) },
	{ "good: server name", "[agent]\nserver = lon-bh1\n",
	  STR(server, "lon-bh1") },
	{ "good: server empty", "[agent]\nserver =\n", STR(server, "") },
	{ "good: absolute path", "[agent]\ntopology = /srv/lsa/topo.conf\n",
	  STR(topology, "/srv/lsa/topo.conf") },
	{ "good: agent listen", "[agent]\nlisten = 10.0.0.1:1691\n",
	  STR(listen, "10.0.0.1:1691") },
	{ "good: agent listen IPv6", "[agent]\nlisten = [::]:691\n",
	  STR(listen, "[::]:691") },
	{ "good: inline comment", "[agent]\nlisten = 10.0.0.1:1691 ; here\n",
	  STR(listen, "10.0.0.1:1691") },
	{ "good: socketmap inet", "[policyd]\nsocketmap_listen = "
	  "inet:localhost:1\n", STR(socketmap_listen, "inet:localhost:1") },
	{ "good: socketmap unix", "[policyd]\nsocketmap_listen = "
	  "unix:/run/lsa/socketmap.sock\n",
	  STR(socketmap_listen, "unix:/run/lsa/socketmap.sock") },
	{ "good: policy_listen", "[policyd]\npolicy_listen = "
	  "inet:0.0.0.0:65535\n", STR(policy_listen, "inet:0.0.0.0:65535") },
	{ "good: snapshot", "[policyd]\nsnapshot = /tmp/lst.snapshot\n",
	  STR(snapshot, "/tmp/lst.snapshot") },
	{ "good: client_idle_timeout", "[policyd]\nclient_idle_timeout = "
	  "30s\n", U64(client_idle_timeout, 30000) },
	{ "good: max_clients max", "[policyd]\nmax_clients = 100000\n",
	  U64(max_clients, 100000) },
	{ "good: milter inet", "[milter]\nlisten = inet:10693@localhost\n",
	  STR(milter_listen, "inet:10693@localhost") },
	{ "good: milter unix", "[milter]\nlisten = unix:/run/lsa/milter\n",
	  STR(milter_listen, "unix:/run/lsa/milter") },
	{ "good: milter listen leaves agent listen", "[milter]\nlisten = "
	  "unix:/run/lsa/milter\n", STR(listen, "0.0.0.0:691") },
	{ "good: loop_action bounce", "[milter]\nloop_action = bounce\n",
	  INT(loop_action, SETTINGS_ACTION_BOUNCE) },
	{ "good: hop_limit_action accept", "[milter]\nhop_limit_action = "
	  "accept\n", INT(hop_limit_action, SETTINGS_ACTION_ACCEPT) },
	{ "good: hop_limit", "[milter]\nhop_limit = 1000\n",
	  U64(hop_limit, 1000) },
	{ "good: CRLF and comments", "; comment\r\n# another\r\n[agent]\r\n"
	  "glitch_retries = 7\r\n", U64(glitch_retries, 7) },
	{ "good: untouched key keeps its default", "[agent]\nrelay = direct\n",
	  U64(glitch_retry_interval, 60000) },
	{ "good: sections in any order", "[milter]\nhop_limit = 5\n[policyd]\n"
	  "max_clients = 9\n[agent]\nglitch_retries = 4\n",
	  U64(max_clients, 9) },
	{ "good: empty file", "", U64(glitch_retries, 3) },
};

static void
run_good(void **state)
{
	const struct good_case *c = *state;
	struct settings s;
	struct diag d;
	int rc;

	settings_init(&s);
	diag_init(&d);
	rc = settings_load_buf(&s, "s.conf", c->text, strlen(c->text), &d);
	if (rc != 0 || diag_errors(&d) != 0)
		diag_print(&d, stdout);
	assert_int_equal(rc, 0);
	assert_int_equal(diag_errors(&d), 0);
	assert_string_equal(s.file, "s.conf");
	check_field(&s, &c->f);
	diag_free(&d);
	settings_free(&s);
}

/* settings_load_buf: bad text and the error wanted (a substring) */
struct bad_case {
	const char	*name;
	const char	*text;
	const char	*want;
};

#define BAD_LISTEN(v)	"bad listener \"" v "\" (want inet:HOST:PORT or " \
			"unix:/PATH)"
#define BAD_MILTER(v)	"bad milter socket \"" v "\" (want inet:PORT@HOST " \
			"or unix:/PATH)"

static const struct bad_case bad_cases[] = {
	{ "bad: unknown section", "[router]\nfoo = 1\n",
	  "s.conf:1: unknown section [router] (want agent, policyd or "
	  "milter)" },
	{ "bad: duplicate section", "[agent]\n[policyd]\n[agent]\n",
	  "s.conf:3: duplicate section [agent] (first at line 1)" },
	{ "bad: key outside any section", "relay = hop\n",
	  "s.conf:1: relay: key outside any section" },
	{ "bad: unknown key", "[agent]\ncolour = red\n",
	  "s.conf:2: colour: unknown key in [agent]" },
	{ "bad: key of another section", "[policyd]\nrelay = hop\n",
	  "s.conf:2: relay: unknown key in [policyd]" },
	{ "bad: given twice", "[agent]\nglitch_retries = 1\n"
	  "glitch_retries = 2\n",
	  "s.conf:3: glitch_retries: given twice in [agent]" },
	{ "bad: time over its maximum", "[agent]\n"
	  "glitch_retry_interval = 2h\n", "s.conf:2: glitch_retry_interval: "
	  "2h is out of range 1ms..1h" },
	{ "bad: time under its minimum", "[agent]\n\n"
	  "down_retry_interval = 0s\n", "s.conf:3: down_retry_interval: "
	  "0s is out of range 1ms..1h" },
	{ "bad: probe_timeout over 5m", "[agent]\nprobe_timeout = 301s\n",
	  "s.conf:2: probe_timeout: 301s is out of range 1ms..5m" },
	{ "bad: dead_interval over 24h", "[agent]\ndead_interval = 25h\n",
	  "s.conf:2: dead_interval: 25h is out of range 1ms..24h" },
	{ "bad: time without unit", "[agent]\nglitch_retry_interval = 60\n",
	  "s.conf:2: glitch_retry_interval: bad time \"60\" (want a number "
	  "and ms, s, m or h)" },
	{ "bad: number over range", "[agent]\nglitch_retries = 101\n",
	  "s.conf:2: glitch_retries: 101 is out of range 0..100" },
	{ "bad: number under range", "[policyd]\nmax_clients = 0\n",
	  "s.conf:2: max_clients: 0 is out of range 1..100000" },
	{ "bad: not a number", "[milter]\nhop_limit = many\n",
	  "s.conf:2: hop_limit: bad number \"many\"" },
	{ "bad: bool", "[agent]\nsuppress_state_changes = maybe\n",
	  "s.conf:2: suppress_state_changes: bad boolean \"maybe\" (want yes "
	  "or no)" },
	{ "bad: relative path", "[agent]\ntopology = etc/topology.conf\n",
	  "s.conf:2: topology: \"etc/topology.conf\" is not an absolute "
	  "path" },
	{ "bad: empty path", "[agent]\nstate_dir =\n",
	  "s.conf:2: state_dir: empty value" },
	{ "bad: agent listen without port", "[agent]\nlisten = 691\n",
	  "s.conf:2: listen: bad address \"691\" (want HOST:PORT)" },
	{ "bad: agent listen without host", "[agent]\nlisten = :691\n",
	  "s.conf:2: listen: bad address \":691\" (want HOST:PORT)" },
	{ "bad: agent listen port 0", "[agent]\nlisten = 0.0.0.0:0\n",
	  "s.conf:2: listen: bad address \"0.0.0.0:0\" (want HOST:PORT)" },
	{ "bad: listener scheme", "[policyd]\nsocketmap_listen = "
	  "tcp:127.0.0.1:10691\n", "s.conf:2: socketmap_listen: "
	  BAD_LISTEN("tcp:127.0.0.1:10691") },
	{ "bad: listener without port", "[policyd]\nsocketmap_listen = "
	  "inet:127.0.0.1\n", "s.conf:2: socketmap_listen: "
	  BAD_LISTEN("inet:127.0.0.1") },
	{ "bad: listener without host", "[policyd]\npolicy_listen = "
	  "inet::10692\n", "s.conf:2: policy_listen: "
	  BAD_LISTEN("inet::10692") },
	{ "bad: listener port too big", "[policyd]\npolicy_listen = "
	  "inet:localhost:65536\n", "s.conf:2: policy_listen: "
	  BAD_LISTEN("inet:localhost:65536") },
	{ "bad: listener relative unix", "[policyd]\nsocketmap_listen = "
	  "unix:run/sock\n", "s.conf:2: socketmap_listen: "
	  BAD_LISTEN("unix:run/sock") },
	{ "bad: milter without host", "[milter]\nlisten = inet:10693\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:10693") },
	{ "bad: milter empty host", "[milter]\nlisten = inet:10693@\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:10693@") },
	{ "bad: milter empty port", "[milter]\nlisten = inet:@127.0.0.1\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:@127.0.0.1") },
	{ "bad: milter port too big", "[milter]\nlisten = "
	  "inet:99999@127.0.0.1\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:99999@127.0.0.1") },
	{ "bad: milter port too long", "[milter]\nlisten = "
	  "inet:000000010693@h\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:000000010693@h") },
	{ "bad: milter in postfix syntax", "[milter]\nlisten = "
	  "inet:127.0.0.1:10693\n",
	  "s.conf:2: listen: " BAD_MILTER("inet:127.0.0.1:10693") },
	{ "bad: relay value", "[agent]\nrelay = fast\n",
	  "s.conf:2: relay: bad value \"fast\" (want hop or direct)" },
	{ "bad: relay is case-sensitive", "[agent]\nrelay = Hop\n",
	  "s.conf:2: relay: bad value \"Hop\" (want hop or direct)" },
	{ "bad: action value", "[milter]\nloop_action = drop\n",
	  "s.conf:2: loop_action: bad value \"drop\" (want defer, bounce or "
	  "accept)" },
	{ "bad: syntax error", "[agent]\nrelay hop\n",
	  "s.conf:2: syntax error (want \"[section]\" or \"key = value\")" },
	{ "bad: control character", "[agent]\nrelay = hop\x01\n",
	  "s.conf:2: control character 0x01 in line" },
};

static void
run_bad(void **state)
{
	const struct bad_case *c = *state;
	struct settings s;
	struct diag d;
	int rc;

	settings_init(&s);
	diag_init(&d);
	rc = settings_load_buf(&s, "s.conf", c->text, strlen(c->text), &d);
	if (!diag_contains(&d, c->want))
		diag_print(&d, stdout);
	assert_int_equal(rc, -1);
	assert_true(diag_contains(&d, c->want));
	diag_free(&d);
	settings_free(&s);
}

/* every error in a file is reported, each once, in file order */
static void
test_all_errors(void **state)
{
	static const char text[] =
	    "[agent]\n"				/* 1 */
	    "glitch_retries = 500\n"		/* 2 */
	    "relay = sideways\n"		/* 3 */
	    "[nowhere]\n"			/* 4 */
	    "anything = goes\n"			/* 5: not reported */
	    "[milter]\n"			/* 6 */
	    "hop_limit = 0\n"			/* 7 */
	    "hop_limit = 5\n";			/* 8 */
	struct settings s;
	struct diag d;

	(void)state;
	settings_init(&s);
	diag_init(&d);
	assert_int_equal(settings_load_buf(&s, "s.conf", text,
	    sizeof(text) - 1, &d), -1);
	assert_int_equal(diag_errors(&d), 5);
	assert_non_null(strstr(d.msgs[0], "s.conf:2: glitch_retries:"));
	assert_non_null(strstr(d.msgs[1], "s.conf:3: relay:"));
	assert_non_null(strstr(d.msgs[2], "s.conf:4: unknown section"));
	assert_non_null(strstr(d.msgs[3], "s.conf:7: hop_limit:"));
	assert_non_null(strstr(d.msgs[4], "s.conf:8: hop_limit: given twice"));
	/* bad values leave the defaults */
	assert_true(s.glitch_retries == 3);
	assert_int_equal(s.relay, SETTINGS_RELAY_HOP);
	assert_true(s.hop_limit == 20);
	diag_free(&d);
	settings_free(&s);
}

/* loading twice: the second file goes over the first */
static void
test_load_twice(void **state)
{
	static const char one[] = "[agent]\nserver = a\nglitch_retries = 1\n";
	static const char two[] = "[agent]\nserver = b\n";
	struct settings s;
	struct diag d;

	(void)state;
	settings_init(&s);
	diag_init(&d);
	assert_int_equal(settings_load_buf(&s, "one.conf", one,
	    sizeof(one) - 1, &d), 0);
	assert_int_equal(settings_load_buf(&s, "two.conf", two,
	    sizeof(two) - 1, &d), 0);
	assert_string_equal(s.file, "two.conf");
	assert_string_equal(s.server, "b");
	assert_true(s.glitch_retries == 1);
	diag_free(&d);
	settings_free(&s);
}

/* settings_load on a missing file: an error naming it, line 0 */
static void
test_load_missing_file(void **state)
{
	struct settings s;
	struct diag d;

	(void)state;
	settings_init(&s);
	diag_init(&d);
	assert_int_equal(settings_load(&s, "/nonexistent/lsa.conf", &d), -1);
	assert_true(diag_contains(&d, "/nonexistent/lsa.conf:0: cannot open"));
	diag_free(&d);
	settings_free(&s);
}

/* print_settings - settings_print() into a new string */
static char *
print_settings(const struct settings *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	settings_print(s, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* settings_print writes a file that loads back to the same settings */
static void
test_print_round_trip(void **state)
{
	static const char text[] =
	    "[agent]\nserver = x1\nglitch_retry_interval = 1500ms\n"
	    "suppress_state_changes = yes\nrelay = direct\n"
	    "[policyd]\nsnapshot = /tmp/snap\nmax_clients = 7\n"
	    "[milter]\nlisten = unix:/run/m.sock\nloop_action = accept\n";
	struct settings s, s2;
	struct diag d;
	char *one, *two;

	(void)state;
	settings_init(&s);
	diag_init(&d);
	assert_int_equal(settings_load_buf(&s, "s.conf", text,
	    sizeof(text) - 1, &d), 0);
	one = print_settings(&s);
	assert_non_null(strstr(one, "[agent]\nserver = x1\n"));
	assert_non_null(strstr(one, "glitch_retry_interval = 1500ms\n"));
	assert_non_null(strstr(one, "\n[milter]\nlisten = unix:/run/m.sock\n"));
	settings_init(&s2);
	assert_int_equal(settings_load_buf(&s2, "one.conf", one, strlen(one),
	    &d), 0);
	two = print_settings(&s2);
	assert_string_equal(one, two);
	free(one);
	free(two);
	diag_free(&d);
	settings_free(&s);
	settings_free(&s2);
}

/* the defaults as printed load back to the defaults */
static void
test_print_defaults(void **state)
{
	struct settings s, s2;
	struct diag d;
	char *one, *two, *rows = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	settings_init(&s);
	diag_init(&d);
	one = print_settings(&s);
	assert_non_null(strstr(one, "glitch_retry_interval = 1m\n"));
	assert_non_null(strstr(one,
	    "socketmap_listen = inet:127.0.0.1:10691\n"));
	settings_init(&s2);
	assert_int_equal(settings_load_buf(&s2, "d.conf", one, strlen(one),
	    &d), 0);
	two = print_settings(&s2);
	assert_string_equal(one, two);

	assert_non_null(fp = open_memstream(&rows, &len));
	settings_print_defaults(fp);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(strstr(rows,
	    "| `[agent]` | `glitch_retry_interval` | `60s` | "));
	assert_non_null(strstr(rows,
	    "| `[milter]` | `listen` | `inet:10693@127.0.0.1` | "));
	free(rows);
	free(one);
	free(two);
	diag_free(&d);
	settings_free(&s);
	settings_free(&s2);
}

/* settings_server_name: the setting, or the host's short name */
static void
test_server_name(void **state)
{
	static const char text[] = "[agent]\nserver = lon-bh1\n";
	struct settings s;
	struct diag d;
	char buf[256];

	(void)state;
	settings_init(&s);
	diag_init(&d);
	settings_server_name(&s, buf, sizeof(buf));
	assert_true(buf[0] != '\0');
	assert_null(strchr(buf, '.'));
	assert_int_equal(settings_load_buf(&s, "s.conf", text,
	    sizeof(text) - 1, &d), 0);
	assert_string_equal(settings_server_name(&s, buf, sizeof(buf)),
	    "lon-bh1");
	diag_free(&d);
	settings_free(&s);
}

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_all_errors),
	cmocka_unit_test(test_load_twice),
	cmocka_unit_test(test_load_missing_file),
	cmocka_unit_test(test_print_round_trip),
	cmocka_unit_test(test_print_defaults),
	cmocka_unit_test(test_server_name),
};

int
main(void)
{
	struct CMUnitTest tests[nitems(default_cases) + nitems(good_cases) +
	    nitems(bad_cases) + nitems(fixed_tests)];
	size_t n = 0;

	n = ADD_TABLE(tests, n, run_default, default_cases);
	n = ADD_TABLE(tests, n, run_good, good_cases);
	n = ADD_TABLE(tests, n, run_bad, bad_cases);
	for (size_t i = 0; i < nitems(fixed_tests); i++)
		tests[n++] = fixed_tests[i];
	if (n != nitems(tests)) {
		fprintf(stderr, "test_settings: %zu tests, %zu slots\n", n,
		    nitems(tests));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
