/*
 * test_snapshot.c - the LST snapshot (shared/snapshot.c): encode and
 * parse round trip, atomic write and load, and a table of bad snapshots,
 * each refused whole with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "inifile.h"
#include "snapshot.h"

#define SEED002	"tests/topologies/seed002.conf"

static const char *topo_text =
    "[organization]\\nname = T\\nversion = 3\\n"
    "[group A]\\n[group B]\\n"
    "[server a1]\\ngroup = A\\naddress = 127.0.0.1\\n"
    "[server b1]\\ngroup = B\\naddress = 127.0.0.2\\n"
    "[connector A-B]\\nfrom = A\\nto = B\\n";

struct bad_case {
	const char	*name;
	const char	*json;
	const char	*want;	/* substring of an error */
};

static char *
fmt(const char *f, ...)
{
	static char buf[4096];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

/* test_round_trip - every down survives encode, write, load */
static void
test_round_trip(void **state)
{
	struct diag d;
	struct topology *t;
	struct linkstate *ls;
	struct snapshot *s;
	char path[] = "/tmp/lsa-snapXXXXXX", err[256], *text, *json;
	size_t len;
	int fd, c, src, sv;

	(void)state;
	diag_init(&d);
	t = topo_load(SEED002, &d);
	assert_non_null(t);
	text = inifile_slurp(SEED002, &len, &d);
	assert_non_null(text);
	ls = linkstate_new(t);
	c = topo_find_connector(t, "London-NewYork");
	src = topo_find_server(t, "lon-bh2");
	sv = topo_find_server(t, "ny-bh1");
	assert_int_equal(linkstate_set_connector(ls, t, c, src, 1), 0);
	linkstate_set_server(ls, sv, 1);
	json = snapshot_encode(99, text, t, ls);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(snapshot_write(path, json, err, sizeof(err)), 0);
	assert_int_equal(access(fmt("%s.tmp", path), F_OK), -1);
	s = snapshot_load(path, &d);
	assert_non_null(s);
	assert_int_equal(diag_errors(&d), 0);
	assert_int_equal(s->lst_version, 99);
	assert_int_equal(s->ls->version, 99);
	assert_int_equal(s->topo->ngroups, t->ngroups);
	c = topo_find_connector(s->topo, "London-NewYork");
	for (int i = 0; i < s->topo->connectors[c].sources.n; i++) {
		const char *n = s->topo->servers[
		    s->topo->connectors[c].sources.v[i]].name;

		assert_int_equal(s->ls->source_down[c][i],
		    strcmp(n, "lon-bh2") == 0);
	}
	assert_true(s->ls->server_down[topo_find_server(s->topo, "ny-bh1")]);
	assert_false(s->ls->server_down[topo_find_server(s->topo, "ny-bh2")]);
	unlink(path);
	snapshot_free(s);
	free(json);
	free(text);
	linkstate_free(ls);
	topo_free(t);
	diag_free(&d);
}

/* test_write_fails - a directory that does not exist: a clear error */
static void
test_write_fails(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(snapshot_write("/nonexistent-dir/snap.json", "{}",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/snap.json."));
}

/* test_bad - every case is refused whole, with its reason */
static void
test_bad(void **state)
{
	static struct bad_case cases[] = {
		{ "not JSON", "{", "s.json:1: bad JSON" },
		{ "duplicate key", "{\"format\":1,\"format\":2}", "bad JSON" },
		{ "wrong format", "{\"format\":\"other\",\"lst_version\":1,"
		  "\"topology\":\"\"}", "not an lsa-snapshot-1 document" },
		{ "no version", "{\"format\":\"lsa-snapshot-1\","
		  "\"topology\":\"\"}", "not an lsa-snapshot-1 document" },
		{ "negative version", "{\"format\":\"lsa-snapshot-1\","
		  "\"lst_version\":-1,\"topology\":\"\"}",
		  "not an lsa-snapshot-1 document" },
		{ "no topology", "{\"format\":\"lsa-snapshot-1\","
		  "\"lst_version\":1}", "not an lsa-snapshot-1 document" },
		{ "bad topology", "{\"format\":\"lsa-snapshot-1\","
		  "\"lst_version\":1,\"topology\":\"[group A]\\n\"}",
		  "s.json(topology):0: no [organization] section" },
		{ "unknown connector", NULL,
		  "item 0: \"X-Y@a1\" is not a connector" },
		{ "not a source", NULL,
		  "item 0: \"A-B@b1\" is not a connector" },
		{ "down item shape", NULL, "item 0: want {" },
		{ "connectors_down not array", NULL, "not an array" },
		{ "unknown server", NULL, "servers_down: item 1: not a server" },
	};
	static const char *tails[] = {
		"\"connectors_down\":[{\"connector\":\"X-Y\",\"source\":\"a1\"}]",
		"\"connectors_down\":[{\"connector\":\"A-B\",\"source\":\"b1\"}]",
		"\"connectors_down\":[\"A-B\"]",
		"\"connectors_down\":{}",
		"\"servers_down\":[\"a1\",\"zz\"]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag d;
		const char *json = cases[i].json;

		if (json == NULL)
			json = fmt("{\"format\":\"lsa-snapshot-1\","
			    "\"lst_version\":5,\"topology\":\"%s\",%s}",
			    topo_text, tails[i - 7]);
		diag_init(&d);
		if (snapshot_parse("s.json", json, strlen(json), &d) != NULL)
			fail_msg("case \"%s\" loaded", cases[i].name);
		if (!diag_contains(&d, cases[i].want)) {
			diag_print(&d, stderr);
			fail_msg("case \"%s\": no error containing \"%s\"",
			    cases[i].name, cases[i].want);
		}
		diag_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
