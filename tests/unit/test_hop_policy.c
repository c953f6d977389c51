/*
 * test_hop_policy.c - shared/hop_policy.c: the TLS policy and the SASL
 * connector of a next hop, as lsa-policyd's tls_policy and sasl_passwd
 * tables answer them. A table of (this server, key as Postfix asks it,
 * answer wanted) over one topology: hops to servers of the organization
 * (the strongest tls of the connectors there, the default, the same
 * group, ports), smart hosts (sourced here or not, with or without
 * auth, by host alone and by next hop), keys that are no hop of ours.
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

#include "hop_policy.h"

static const char topo_text[] =
	"[organization]\nname = O\nversion = 1\n"
	"[group A]\n[group B]\n[group C]\n"
	"[server a1]\ngroup = A\naddress = 10.0.0.1\n"
	"[server a2]\ngroup = A\naddress = 10.0.0.2\n"
	"[server b1]\ngroup = B\naddress = 10.0.1.1\n"
	"[server b2]\ngroup = B\naddress = 10.0.1.2\nsmtp_port = 2525\n"
	"[server c1]\ngroup = C\naddress = 10.0.2.1\n"
	"[connector AB2]\nfrom = A\nto = B\nsources = a1\ntargets = b1\n"
	"tls = may\n"
	"[connector AB]\nfrom = A\nto = B\nsources = a1\n"
	"[connector AC]\nfrom = A\nto = C\ntls = encrypt\n"
	"[connector CA]\nfrom = C\nto = A\ntls = none\n"
	"[connector BC]\nfrom = B\nto = C\ntls = none\nenabled = no\n"
	"[connector Net]\nsources = a1\naddress_spaces = *\n"
	"smart_hosts = [192.0.2.1]:587, relay.example.net\nauth = isp\n"
	"tls = verify\n"
	"[connector Net2]\nsources = a2\naddress_spaces = *\n"
	"smart_hosts = [192.0.2.1]:587\n";

#define CA	"/etc/lsa/tls/ca.pem"

struct tls_case {
	const char	*name;
	const char	*self;		/* NULL: not in the topology */
	const char	*key;
	const char	*tafile;
	int		 rc;
	const char	*want;
};

static const struct tls_case tls_cases[] = {
	{ "tls: the strongest of two connectors (may, then verify)", "a1",
	  "[10.0.1.1]:25", CA, 1, "secure match=b1 tafile=" CA },
	{ "tls: a target on another port", "a1", "[10.0.1.2]:2525", CA, 1,
	  "secure match=b2 tafile=" CA },
	{ "tls: a server's address on another port", "a1", "[10.0.1.2]:25",
	  CA, 0, NULL },
	{ "tls: no port written means 25", "a1", "[10.0.1.1]", CA, 1,
	  "secure match=b1 tafile=" CA },
	{ "tls: same group, verify", "a1", "[10.0.0.2]:25", CA, 1,
	  "secure match=a2 tafile=" CA },
	{ "tls: encrypt", "a1", "[10.0.2.1]:25", CA, 1, "encrypt" },
	{ "tls: from another source of the connector", "a2",
	  "[10.0.2.1]:25", CA, 1, "encrypt" },
	{ "tls: a source of no connector there: the default", "a2",
	  "[10.0.1.1]:25", CA, 1, "secure match=b1 tafile=" CA },
	{ "tls: none", "c1", "[10.0.0.1]:25", CA, 1, "none" },
	{ "tls: only a disabled connector: the default", "b1",
	  "[10.0.2.1]:25", CA, 1, "secure match=c1 tafile=" CA },
	{ "tls: this server itself", "a1", "[10.0.0.1]:25", CA, 0, NULL },
	{ "tls: a smart host, verify", "a1", "[192.0.2.1]:587", CA, 1,
	  "secure" },
	{ "tls: a smart host by name", "a1", "[relay.example.net]:25", CA, 1,
	  "secure" },
	{ "tls: the same smart host from another connector", "a2",
	  "[192.0.2.1]:587", CA, 1, "may" },
	{ "tls: a smart host not sourced here", "b1", "[192.0.2.1]:587", CA,
	  0, NULL },
	{ "tls: a domain (DNS MX)", "a1", "example.com", CA, 0, NULL },
	{ "tls: a host alone", "a1", "10.0.1.1", CA, 0, NULL },
	{ "tls: not in the topology", NULL, "[10.0.1.1]:25", CA, 0, NULL },
	{ "tls: unclosed bracket", "a1", "[10.0.1.1:25", CA, 0, NULL },
	{ "tls: bad port", "a1", "[10.0.1.1]:x", CA, 0, NULL },
	{ "tls: port 0", "a1", "[10.0.1.1]:0", CA, 0, NULL },
	{ "tls: port too big", "a1", "[10.0.1.1]:65536", CA, 0, NULL },
	{ "tls: a list is no key", "a1", "[10.0.1.1]:25, [10.0.1.2]:2525", CA,
	  0, NULL },
	{ "tls: no tafile", "a1", "[10.0.1.1]:25", "", 1, "secure match=b1" },
	{ "tls: a tafile with a blank", "a1", "[10.0.1.1]:25", "/a b.pem",
	  -1, NULL },
	{ "tls: a tafile with a blank, encrypt", "a1", "[10.0.2.1]:25",
	  "/a b.pem", 1, "encrypt" },
};

struct sasl_case {
	const char	*name;
	const char	*self;
	const char	*key;
	const char	*want;		/* connector name, NULL: none */
};

static const struct sasl_case sasl_cases[] = {
	{ "sasl: the host alone (Postfix's first lookup)", "a1", "192.0.2.1",
	  "Net" },
	{ "sasl: the next hop (the second)", "a1", "[192.0.2.1]:587", "Net" },
	{ "sasl: another port", "a1", "[192.0.2.1]:25", NULL },
	{ "sasl: a name", "a1", "relay.example.net", "Net" },
	{ "sasl: a name in capitals", "a1", "RELAY.example.net", "Net" },
	{ "sasl: a name with its port", "a1", "[relay.example.net]:25",
	  "Net" },
	{ "sasl: a connector without auth", "a2", "192.0.2.1", NULL },
	{ "sasl: not a source", "b1", "192.0.2.1", NULL },
	{ "sasl: a server of ours", "a1", "10.0.1.1", NULL },
	{ "sasl: not in the topology", NULL, "192.0.2.1", NULL },
	{ "sasl: garbage", "a1", "[192.0.2.1", NULL },
};

static struct topology *topo;

/* self - a server's index, -1 for NULL */
static int
self(const char *name)
{
	return name == NULL ? -1 : topo_find_server(topo, name);
}

static void
run_tls(void **state)
{
	const struct tls_case *c = *state;
	char out[HOP_POLICY_MAX] = "";
	int rc = hop_tls_policy(topo, self(c->self), c->key, c->tafile, out,
	    sizeof(out));

	assert_int_equal(rc, c->rc);
	if (c->want != NULL)
		assert_string_equal(out, c->want);
}

static void
run_sasl(void **state)
{
	const struct sasl_case *c = *state;
	int i = hop_sasl_connector(topo, self(c->self), c->key);

	if (c->want == NULL)
		assert_int_equal(i, -1);
	else {
		assert_true(i >= 0);
		assert_string_equal(topo->connectors[i].name, c->want);
	}
}

/* the output buffer too small: no answer, never a cut one */
static void
test_small_buffer(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(hop_tls_policy(topo, self("a1"), "[10.0.1.1]:25",
	    CA, out, sizeof(out)), 0);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(tls_cases) + nitems(sasl_cases) + 1];
	struct diag d;
	size_t n = 0;
	int rc;

	diag_init(&d);
	topo = topo_load_buf("hop.conf", topo_text, strlen(topo_text), &d);
	if (topo == NULL) {
		diag_print(&d, stderr);
		return 1;
	}
	n = ADD_TABLE(tests, n, run_tls, tls_cases);
	n = ADD_TABLE(tests, n, run_sasl, sasl_cases);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_small_buffer);
	rc = _cmocka_run_group_tests("hop_policy", tests, n, NULL, NULL);
	topo_free(topo);
	diag_free(&d);
	return rc;
}
