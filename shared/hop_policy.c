/*
 * hop_policy.c - the TLS policy and SASL connector of a next hop (see
 * hop_policy.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hop_policy.h"

struct hop_key {
	char		 host[256];
	unsigned	 port;		/* 0: not given (the host alone) */
};

/* hop_key_parse - "[host]:port", "[host]" or "host"; -1: none of these */
static int
hop_key_parse(const char *key, struct hop_key *k)
{
	const char *close, *h = key;
	size_t hl;

	k->port = 0;
	if (key[0] == '[') {
		if ((close = strchr(key, ']')) == NULL)
			return -1;
		h = key + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':') {
			char *end;
			unsigned long v = strtoul(close + 2, &end, 10);

			if (close[2] < '0' || close[2] > '9' || *end != '\0' ||
			    v == 0 || v > 65535)
				return -1;
			k->port = (unsigned)v;
		} else if (close[1] != '\0')
			return -1;
		else
			k->port = 25;
	} else {
		hl = strlen(key);
		if (strpbrk(key, ":[] \t,") != NULL)
			return -1;
	}
	if (hl == 0 || hl >= sizeof(k->host))
		return -1;
	memcpy(k->host, h, hl);
	k->host[hl] = '\0';
	return 0;
}

/* hop_host_match - does host:port match the key (port 0: any)? */
static int
hop_host_match(const struct hop_key *k, const char *host, unsigned port)
{
	return strcasecmp(k->host, host) == 0 &&
	    (k->port == 0 || k->port == port);
}

/* hop_server - the server at the key's address and port, or -1 */
static int
hop_server(const struct topology *t, const struct hop_key *k)
{
	if (k->port == 0)
		return -1;
	for (int s = 0; s < t->nservers; s++)
		if (hop_host_match(k, t->servers[s].address,
		    t->servers[s].smtp_port))
			return s;
	return -1;
}

/*
 * hop_outside - the first enabled outside connector sourced here with a
 * smart host matching the key (with an auth if need_auth), or -1
 */
static int
hop_outside(const struct topology *t, int self, const struct hop_key *k,
    int need_auth)
{
	for (int i = 0; i < t->nconnectors; i++) {
		const struct topo_connector *c = &t->connectors[i];

		if (c->to >= 0 || !c->enabled || (need_auth && !c->auth) ||
		    !topo_list_has(&c->sources, self))
			continue;
		for (int j = 0; j < c->nsmart; j++)
			if (hop_host_match(k, c->smart_hosts[j].host,
			    c->smart_hosts[j].port))
				return i;
	}
	return -1;
}

/* hop_group_tls - the strongest tls of the connectors from self to s */
static enum topo_tls
hop_group_tls(const struct topology *t, int self, int s)
{
	int found = 0;
	enum topo_tls tls = TOPO_TLS_NONE;

	if (t->servers[s].group == t->servers[self].group)
		return TOPO_TLS_GROUP_DEFAULT;
	for (int i = 0; i < t->nconnectors; i++) {
		const struct topo_connector *c = &t->connectors[i];

		if (c->to != t->servers[s].group || !c->enabled ||
		    !topo_list_has(&c->targets, s) ||
		    !topo_list_has(&c->sources, self))
			continue;
		if (!found || c->tls > tls)
			tls = c->tls;
		found = 1;
	}
	return found ? tls : TOPO_TLS_GROUP_DEFAULT;
}

/*
 * hop_tls_policy - see hop_policy.h: 1 and out; 0: not found; -1: the
 * policy cannot be written (a tafile path with blanks or commas)
 */
int
hop_tls_policy(const struct topology *t, int self, const char *key,
    const char *tafile, char *out, size_t outlen)
{
	struct hop_key k;
	enum topo_tls tls;
	int s, c, n;

	if (self < 0 || hop_key_parse(key, &k) < 0 || k.port == 0)
		return 0;
	if ((s = hop_server(t, &k)) >= 0) {
		if (s == self)
			return 0;
		tls = hop_group_tls(t, self, s);
		if (tls == TOPO_TLS_VERIFY && strpbrk(tafile, " \t,") != NULL)
			return -1;	/* no way to write it in a policy */
		if (tls == TOPO_TLS_VERIFY && *tafile == '\0')
			n = snprintf(out, outlen, "secure match=%s",
			    t->servers[s].name);
		else if (tls == TOPO_TLS_VERIFY)
			n = snprintf(out, outlen, "secure match=%s tafile=%s",
			    t->servers[s].name, tafile);
		else
			n = snprintf(out, outlen, "%s", topo_tls_name(tls));
	} else if ((c = hop_outside(t, self, &k, 0)) >= 0) {
		tls = t->connectors[c].tls;
		n = snprintf(out, outlen, "%s", tls == TOPO_TLS_VERIFY ?
		    "secure" : topo_tls_name(tls));
	} else
		return 0;
	return n > 0 && (size_t)n < outlen;
}

/* hop_sasl_connector - see hop_policy.h: a connector index, or -1 */
int
hop_sasl_connector(const struct topology *t, int self, const char *key)
{
	struct hop_key k;

	if (self < 0 || hop_key_parse(key, &k) < 0)
		return -1;
	return hop_outside(t, self, &k, 1);
}
