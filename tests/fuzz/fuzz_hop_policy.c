/*
 * fuzz_hop_policy.c - libFuzzer target: any bytes as the key of a
 * tls_policy or sasl_passwd lookup (shared/hop_policy.c), as Postfix's
 * smtp(8) would send it through lsa-policyd's socketmap.
 *
 * Over a fixed topology (servers on several ports, a smart host by
 * address and by name), hop_tls_policy() and hop_sasl_connector() must
 * never crash or read out of bounds; an answer is 1 with a non-empty
 * NUL-terminated policy, or 0, and a connector index is -1 or an
 * outside connector with an auth, else abort.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hop_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topo_text[] =
	"[organization]\nname = F\nversion = 1\n[group A]\n[group B]\n"
	"[server a1]\ngroup = A\naddress = 10.0.0.1\n"
	"[server b1]\ngroup = B\naddress = 10.0.1.1\nsmtp_port = 2525\n"
	"[server b2]\ngroup = B\naddress = b2.example\n"
	"[connector AB]\nfrom = A\nto = B\ntls = encrypt\n"
	"[connector Net]\nsources = a1\naddress_spaces = *\n"
	"smart_hosts = [192.0.2.1]:587, relay.example.net, [2001:db8::1]:25\n"
	"auth = isp\n";

static struct topology *topo;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[1100], out[HOP_POLICY_MAX];
	struct diag d;
	int rc, c;

	if (topo == NULL) {
		diag_init(&d);
		topo = topo_load_buf("fuzz", topo_text, strlen(topo_text), &d);
		diag_free(&d);
		if (topo == NULL)
			abort();
	}
	if (size >= sizeof(key) || memchr(data, '\0', size) != NULL)
		return 0;	/* socketmap keys: bounded, no NUL */
	memcpy(key, data, size);
	key[size] = '\0';
	for (int self = -1; self < topo->nservers; self++) {
		memset(out, 'x', sizeof(out));
		rc = hop_tls_policy(topo, self, key, "/ca.pem", out,
		    sizeof(out));
		if (rc == 1 && (out[0] == '\0' ||
		    memchr(out, '\0', sizeof(out)) == NULL))
			abort();
		if (rc != 0 && rc != 1)
			abort();
		c = hop_sasl_connector(topo, self, key);
		if (c != -1 && (c < 0 || c >= topo->nconnectors ||
		    topo->connectors[c].to != -1 ||
		    topo->connectors[c].auth == NULL))
			abort();
	}
	return 0;
}
