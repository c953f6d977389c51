/*
 * topo_parse.c - read the topology file into names and values.
 *
 * The INI events from inifile.c arrive one key at a time; each section
 * kind has a table of its keys. Values are checked for form here (costs,
 * sizes, booleans, patterns, host:port, sender patterns, priorities);
 * references to other sections are kept as names and checked by
 * topo_resolve.c once the whole file is read, so sections may appear in
 * any order.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "topo_priv.h"
#include "schedule.h"
#include "units.h"
#include "xmalloc.h"

enum topo_key_kind {
	K_NAME, K_VERSION, K_DOMAINS,				/* organization */
	K_MASTER, K_BACKUPS, K_HUB,				/* group */
	K_GROUP, K_ADDRESS, K_SMTP_PORT, K_AGENT_PORT, K_MAILBOXES, /* server */
	K_FROM, K_TO, K_COST, K_SOURCES, K_TARGETS, K_MAX_SIZE, K_SCOPE,
	K_ENABLED, K_SPACES, K_SMART, K_ALLOW, K_DENY, K_PRIORITIES,
	K_SYSTEM,						/* connector */
	K_BIDI, K_MAXCONN,
	K_TLS, K_AUTH,
	K_TIMEZONE, K_SCHEDULE,					/* schedules */
};

struct topo_key {
	enum topo_section	 sec;
	const char		*name;
	enum topo_key_kind	 kind;
	int			 list;	/* repeats append (continuation) */
};

static const struct topo_key topo_keys[] = {
	{ TOPO_SEC_ORGANIZATION, "name", K_NAME, 0 },
	{ TOPO_SEC_ORGANIZATION, "version", K_VERSION, 0 },
	{ TOPO_SEC_ORGANIZATION, "domains", K_DOMAINS, 1 },
	{ TOPO_SEC_GROUP, "master", K_MASTER, 0 },
	{ TOPO_SEC_GROUP, "backup_masters", K_BACKUPS, 1 },
	{ TOPO_SEC_GROUP, "hub", K_HUB, 0 },
	{ TOPO_SEC_SERVER, "group", K_GROUP, 0 },
	{ TOPO_SEC_SERVER, "address", K_ADDRESS, 0 },
	{ TOPO_SEC_SERVER, "smtp_port", K_SMTP_PORT, 0 },
	{ TOPO_SEC_SERVER, "agent_port", K_AGENT_PORT, 0 },
	{ TOPO_SEC_SERVER, "mailboxes", K_MAILBOXES, 1 },
	{ TOPO_SEC_CONNECTOR, "from", K_FROM, 0 },
	{ TOPO_SEC_CONNECTOR, "to", K_TO, 0 },
	{ TOPO_SEC_CONNECTOR, "cost", K_COST, 0 },
	{ TOPO_SEC_CONNECTOR, "sources", K_SOURCES, 1 },
	{ TOPO_SEC_CONNECTOR, "targets", K_TARGETS, 1 },
	{ TOPO_SEC_CONNECTOR, "max_size", K_MAX_SIZE, 0 },
	{ TOPO_SEC_CONNECTOR, "scope", K_SCOPE, 0 },
	{ TOPO_SEC_CONNECTOR, "enabled", K_ENABLED, 0 },
	{ TOPO_SEC_CONNECTOR, "address_spaces", K_SPACES, 1 },
	{ TOPO_SEC_CONNECTOR, "smart_hosts", K_SMART, 1 },
	{ TOPO_SEC_CONNECTOR, "senders_allow", K_ALLOW, 1 },
	{ TOPO_SEC_CONNECTOR, "senders_deny", K_DENY, 1 },
	{ TOPO_SEC_CONNECTOR, "priorities", K_PRIORITIES, 1 },
	{ TOPO_SEC_CONNECTOR, "system_messages", K_SYSTEM, 0 },
	{ TOPO_SEC_CONNECTOR, "bidirectional", K_BIDI, 0 },
	{ TOPO_SEC_CONNECTOR, "max_connections", K_MAXCONN, 0 },
	{ TOPO_SEC_CONNECTOR, "tls", K_TLS, 0 },
	{ TOPO_SEC_CONNECTOR, "auth", K_AUTH, 0 },
	{ TOPO_SEC_ORGANIZATION, "timezone", K_TIMEZONE, 0 },
	{ TOPO_SEC_CONNECTOR, "schedule", K_SCHEDULE, 1 },
};

/* the words of `priorities`, by enum topo_priority */
static const char *const topo_priority_names[TOPO_NPRIO] = {
	"normal", "high", "low",
};

/* topo_priority_parse - "high", "normal" or "low"; -1 for anything else */
int
topo_priority_parse(const char *word)
{
	for (int i = 0; i < TOPO_NPRIO; i++)
		if (strcmp(word, topo_priority_names[i]) == 0)
			return i;
	return -1;
}

/* the words of `tls`, by enum topo_tls */
static const char *const topo_tls_names[] = {
	"none", "may", "encrypt", "verify",
};

/* topo_tls_parse - a word of `tls`; -1 for anything else */
int
topo_tls_parse(const char *word)
{
	for (size_t i = 0; i < sizeof(topo_tls_names) /
	    sizeof(topo_tls_names[0]); i++)
		if (strcmp(word, topo_tls_names[i]) == 0)
			return (int)i;
	return -1;
}

/* topo_tls_name - the word of a tls level */
const char *
topo_tls_name(enum topo_tls tls)
{
	return topo_tls_names[tls];
}

/* topo_priority_name - the word of a priority */
const char *
topo_priority_name(int priority)
{
	return priority >= 0 && priority < TOPO_NPRIO ?
	    topo_priority_names[priority] : "?";
}

#define TOPO_NKEYS	(int)(sizeof(topo_keys) / sizeof(topo_keys[0]))
/* a bit of topo_builder's `seen` per key */
_Static_assert(sizeof(topo_keys) / sizeof(topo_keys[0]) <= 64,
    "more topology keys than bits in topo_builder.seen");

/* topo_valid_name - letters, digits, '.', '_' and '-', bounded */
int
topo_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TOPO_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

/*
 * topo_split - split a comma-separated list, trimming each item. Calls
 * fn for each non-empty item; an empty item ("a,,b") is an error.
 */
static void
topo_split(struct topo_builder *b, const char *file, int line,
    const char *key, const char *value,
    void (*fn)(struct topo_builder *, const char *, int, const char *,
    const char *))
{
	char *copy = xstrdup(value), *p = copy, *item;

	if (*value == '\0') {
		diag_add(b->d, file, line, key, "empty list");
		free(copy);
		return;
	}
	while ((item = strsep(&p, ",")) != NULL) {
		char *e;

		while (isspace((unsigned char)*item))
			item++;
		e = item + strlen(item);
		while (e > item && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*item == '\0') {
			diag_add(b->d, file, line, key, "empty item in list");
			continue;
		}
		fn(b, file, line, key, item);
	}
	free(copy);
}

/* topo_add_ref - one name to a list of references */
static void
topo_add_ref(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	struct topo_refs *r;

	if (!topo_valid_name(item)) {
		diag_add(b->d, file, line, key, "bad name \"%s\"", item);
		return;
	}
	switch (b->sec) {
	case TOPO_SEC_GROUP:
		r = &b->rg[b->idx].backups;
		break;
	case TOPO_SEC_CONNECTOR:
		r = strcmp(key, "sources") == 0 ? &b->rc[b->idx].sources :
		    &b->rc[b->idx].targets;
		break;
	default:
		return;
	}
	if (r->line == 0)
		r->line = line;
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n].name = xstrdup(item);
	r->v[r->n].line = line;
	r->n++;
}

/*
 * topo_add_space - "pattern [cost]" to a list of address spaces: the
 * organization's domains and a server's mailboxes take no cost, a
 * connector's address spaces take an optional one.
 */
static void
topo_add_space(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	struct topology *t = b->t;
	struct addrspace as, **arr;
	char pat[512], err[UNITS_ERRLEN];
	const char *sp;
	uint64_t cost = 0;	/* not given: the connector's cost */
	int *cnt, with_cost = b->sec == TOPO_SEC_CONNECTOR;

	sp = item + strcspn(item, " \t");
	if ((size_t)(sp - item) >= sizeof(pat)) {
		diag_add(b->d, file, line, key, "address space too long");
		return;
	}
	memcpy(pat, item, (size_t)(sp - item));
	pat[sp - item] = '\0';
	while (isspace((unsigned char)*sp))
		sp++;
	if (*sp != '\0') {
		if (!with_cost) {
			diag_add(b->d, file, line, key, "\"%s\": no cost is "
			    "taken here", item);
			return;
		}
		if (units_uint(sp, TOPO_COST_MIN, TOPO_COST_MAX, &cost,
		    err) < 0) {
			diag_add(b->d, file, line, key, "cost of \"%s\": %s",
			    pat, err);
			return;
		}
	}
	if (addrspace_parse(pat, &as, err, sizeof(err)) < 0) {
		diag_add(b->d, file, line, key, "%s", err);
		return;
	}
	as.cost = with_cost ? (int)cost : 0;
	as.line = line;
	switch (b->sec) {
	case TOPO_SEC_ORGANIZATION:
		arr = &t->domains;
		cnt = &t->ndomains;
		break;
	case TOPO_SEC_SERVER:
		arr = &t->servers[b->idx].mailboxes;
		cnt = &t->servers[b->idx].nmailboxes;
		break;
	default:
		arr = &t->connectors[b->idx].spaces;
		cnt = &t->connectors[b->idx].nspaces;
		break;
	}
	for (int i = 0; i < *cnt; i++) {
		if (strcmp((*arr)[i].pattern, as.pattern) == 0) {
			diag_add(b->d, file, line, key, "\"%s\" listed twice",
			    as.pattern);
			addrspace_free(&as);
			return;
		}
	}
	*arr = xreallocarray(*arr, *cnt + 1, sizeof(**arr));
	(*arr)[(*cnt)++] = as;
}

/* topo_add_smart - "host[:port]" or "[ip]:port" to the smart hosts */
static void
topo_add_smart(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	struct topo_connector *c = &b->t->connectors[b->idx];
	char host[256], err[UNITS_ERRLEN];
	struct in6_addr addr;
	const char *colon, *text = item;	/* item moves past '[' */
	uint64_t port = TOPO_DEFAULT_SMTP_PORT;
	size_t hl;

	int bracketed = item[0] == '[';

	if (bracketed) {
		const char *close = strchr(item, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		hl = (size_t)(close - item - 1);
		colon = close[1] == ':' ? close + 1 : NULL;
		item++;
	} else {
		colon = strchr(item, ':');
		hl = colon ? (size_t)(colon - item) : strlen(item);
		if (!addrspace_valid_domain(item, hl))
			goto bad;
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, item, hl);
	host[hl] = '\0';
	/* an address, not hex digits and dots: "[1...9]" printed back
	   without brackets would not read as a host */
	if (bracketed && inet_pton(strchr(host, ':') ? AF_INET6 : AF_INET,
	    host, &addr) != 1)
		goto bad;
	if (colon != NULL && units_uint(colon + 1, 1, 65535, &port, err) < 0) {
		diag_add(b->d, file, line, key, "port: %s", err);
		return;
	}
	c->smart_hosts = xreallocarray(c->smart_hosts, c->nsmart + 1,
	    sizeof(*c->smart_hosts));
	c->smart_hosts[c->nsmart].host = xstrdup(host);
	c->smart_hosts[c->nsmart].port = (unsigned)port;
	c->nsmart++;
	return;
bad:
	diag_add(b->d, file, line, key, "bad smart host \"%s\" (want "
	    "host, host:port or [address]:port)", text);
}

/* topo_valid_local - a sender's local part as a pattern may hold it */
static int
topo_valid_local(const char *s, size_t len)
{
	if (len == 0 || len > TOPO_LOCAL_MAX || s[0] == '.' ||
	    s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'/=?^_`{|}~.-", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * topo_parse_sender - "user@example.com", "example.com",
 * "*.example.com" or "*" into p; -1 with err set when it is none.
 */
static int
topo_parse_sender(const char *item, struct topo_sender *p, char *err,
    size_t errlen)
{
	const char *at = strchr(item, '@');
	size_t ll = at != NULL ? (size_t)(at - item) : 0;

	memset(p, 0, sizeof(*p));
	if (at != NULL && memchr(item, '+', ll) != NULL) {
		snprintf(err, errlen, "\"%s\": write the address without "
		    "its +extension (it is dropped from senders)", item);
		return -1;
	}
	if (at != NULL && (!topo_valid_local(item, ll) ||
	    addrspace_parse(at + 1, &p->domain, err, errlen) < 0 ||
	    p->domain.kind != ADDRSPACE_EXACT)) {
		addrspace_free(&p->domain);
		snprintf(err, errlen, "bad sender \"%s\" (want "
		    "user@example.com, example.com, *.example.com or *)",
		    item);
		return -1;
	}
	if (at == NULL && addrspace_parse(item, &p->domain, err, errlen) < 0) {
		snprintf(err, errlen, "bad sender \"%s\" (want "
		    "user@example.com, example.com, *.example.com or *)",
		    item);
		return -1;
	}
	p->pattern = xstrdup(item);
	for (char *c = p->pattern; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (at != NULL)
		p->local = xstrndup(p->pattern, ll);
	return 0;
}

/* topo_sender_listed - the index of a pattern in a list, or -1 */
static int
topo_sender_listed(const struct topo_sender *v, int n, const char *pattern)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].pattern, pattern) == 0)
			return i;
	return -1;
}

/* topo_add_sender - one pattern to senders_allow or senders_deny */
static void
topo_add_sender(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	struct topo_connector *c = &b->t->connectors[b->idx];
	int deny = strcmp(key, "senders_deny") == 0;
	struct topo_sender p, **arr = deny ? &c->senders_deny :
	    &c->senders_allow;
	int *cnt = deny ? &c->ndeny : &c->nallow, other;
	char err[UNITS_ERRLEN + 128];

	if (topo_parse_sender(item, &p, err, sizeof(err)) < 0) {
		diag_add(b->d, file, line, key, "%s", err);
		return;
	}
	if (topo_sender_listed(*arr, *cnt, p.pattern) >= 0)
		diag_add(b->d, file, line, key, "\"%s\" listed twice",
		    p.pattern);
	else if ((other = topo_sender_listed(deny ? c->senders_allow :
	    c->senders_deny, deny ? c->nallow : c->ndeny, p.pattern)) >= 0)
		diag_add(b->d, file, line, key, "\"%s\" is in %s too (line "
		    "%d)", p.pattern, deny ? "senders_allow" : "senders_deny",
		    (deny ? c->senders_allow : c->senders_deny)[other].line);
	else {
		p.line = line;
		*arr = xreallocarray(*arr, *cnt + 1, sizeof(**arr));
		(*arr)[(*cnt)++] = p;
		return;
	}
	topo_sender_free(&p);
}

/* topo_add_priority - one word of `priorities` */
static void
topo_add_priority(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	struct topo_connector *c = &b->t->connectors[b->idx];
	int p = topo_priority_parse(item);

	if (p < 0)
		diag_add(b->d, file, line, key, "bad priority \"%s\" (want "
		    "high, normal or low)", item);
	else if (c->priorities & (1u << p))
		diag_add(b->d, file, line, key, "\"%s\" listed twice", item);
	else
		c->priorities |= 1u << p;
}

/* topo_add_window - one item of a connector's schedule */
static void
topo_add_window(struct topo_builder *b, const char *file, int line,
    const char *key, const char *item)
{
	char err[SCHEDULE_ERRLEN];

	if (schedule_add(b->t->connectors[b->idx].schedule, item, err,
	    sizeof(err)) < 0)
		diag_add(b->d, file, line, key, "%s", err);
}

/* topo_set_ref - a single reference such as `group` or `from` */
static void
topo_set_ref(struct topo_builder *b, struct topo_ref *r, const char *file,
    int line, const char *key, const char *value)
{
	if (!topo_valid_name(value)) {
		diag_add(b->d, file, line, key, "bad name \"%s\"", value);
		return;
	}
	r->name = xstrdup(value);
	r->line = line;
}

/* topo_uint_key - a ranged whole number */
static int
topo_uint_key(struct topo_builder *b, const char *file, int line,
    const char *key, const char *value, uint64_t min, uint64_t max,
    uint64_t *v)
{
	char err[UNITS_ERRLEN];

	if (units_uint(value, min, max, v, err) < 0) {
		diag_add(b->d, file, line, key, "%s", err);
		return -1;
	}
	return 0;
}

/* topo_bool_key - yes/no */
static int
topo_bool_key(struct topo_builder *b, const char *file, int line,
    const char *key, const char *value, int *v)
{
	char err[UNITS_ERRLEN];

	if (units_bool(value, v, err) < 0) {
		diag_add(b->d, file, line, key, "%s", err);
		return -1;
	}
	return 0;
}

/* topo_key_value - one key of the current section */
static void
topo_key_value(struct topo_builder *b, const struct topo_key *k,
    const char *file, int line, const char *key, const char *value)
{
	struct topology *t = b->t;
	char err[UNITS_ERRLEN];
	uint64_t v;

	switch (k->kind) {
	case K_NAME:
		if (*value == '\0')
			diag_add(b->d, file, line, key, "empty name");
		else
			t->name = xstrdup(value);
		b->name_line = line;
		break;
	case K_VERSION:
		if (topo_uint_key(b, file, line, key, value, 0, UINT64_MAX,
		    &t->version) == 0)
			b->version_line = line;
		break;
	case K_DOMAINS:
	case K_MAILBOXES:
	case K_SPACES:
		if (k->kind == K_SPACES)
			b->rc[b->idx].spaces_line = line;
		topo_split(b, file, line, key, value, topo_add_space);
		break;
	case K_MASTER:
		topo_set_ref(b, &b->rg[b->idx].master, file, line, key, value);
		break;
	case K_BACKUPS:
	case K_SOURCES:
	case K_TARGETS:
		topo_split(b, file, line, key, value, topo_add_ref);
		break;
	case K_HUB:
		topo_bool_key(b, file, line, key, value, &t->groups[b->idx].hub);
		break;
	case K_GROUP:
		topo_set_ref(b, &b->rs[b->idx].group, file, line, key, value);
		break;
	case K_ADDRESS:
		if (*value == '\0' || strpbrk(value, " \t,[]") != NULL) {
			diag_add(b->d, file, line, key, "bad address \"%s\"",
			    value);
			break;
		}
		t->servers[b->idx].address = xstrdup(value);
		b->rs[b->idx].address_line = line;
		break;
	case K_SMTP_PORT:
	case K_AGENT_PORT:
		if (topo_uint_key(b, file, line, key, value, 1, 65535, &v) == 0)
			*(k->kind == K_SMTP_PORT ?
			    &t->servers[b->idx].smtp_port :
			    &t->servers[b->idx].agent_port) = (unsigned)v;
		break;
	case K_FROM:
		topo_set_ref(b, &b->rc[b->idx].from, file, line, key, value);
		break;
	case K_TO:
		topo_set_ref(b, &b->rc[b->idx].to, file, line, key, value);
		break;
	case K_COST:
		if (topo_uint_key(b, file, line, key, value, TOPO_COST_MIN,
		    TOPO_COST_MAX, &v) == 0)
			t->connectors[b->idx].cost = (int)v;
		break;
	case K_MAX_SIZE:
		if (units_size(value, &v, err) < 0)
			diag_add(b->d, file, line, key, "%s", err);
		else
			t->connectors[b->idx].max_size = v;
		break;
	case K_SCOPE:
		if (strcmp(value, "organization") == 0)
			t->connectors[b->idx].scope = TOPO_SCOPE_ORGANIZATION;
		else if (strcmp(value, "group") == 0)
			t->connectors[b->idx].scope = TOPO_SCOPE_GROUP;
		else
			diag_add(b->d, file, line, key, "bad scope \"%s\" "
			    "(want organization or group)", value);
		break;
	case K_ENABLED:
		topo_bool_key(b, file, line, key, value,
		    &t->connectors[b->idx].enabled);
		break;
	case K_SMART:
		b->rc[b->idx].smart_line = line;
		topo_split(b, file, line, key, value, topo_add_smart);
		break;
	case K_ALLOW:
	case K_DENY:
		topo_split(b, file, line, key, value, topo_add_sender);
		break;
	case K_PRIORITIES:
		/* written: the list replaces the default (all three) */
		if (t->connectors[b->idx].priorities_line == 0) {
			t->connectors[b->idx].priorities = 0;
			t->connectors[b->idx].priorities_line = line;
		}
		topo_split(b, file, line, key, value, topo_add_priority);
		break;
	case K_SYSTEM:
		topo_bool_key(b, file, line, key, value,
		    &t->connectors[b->idx].system_messages);
		break;
	case K_BIDI:
		if (topo_bool_key(b, file, line, key, value,
		    &t->connectors[b->idx].bidirectional) == 0)
			b->rc[b->idx].bidi_line = line;
		break;
	case K_MAXCONN:
		if (topo_uint_key(b, file, line, key, value, 0,
		    TOPO_MAXCONN_MAX, &v) == 0)
			t->connectors[b->idx].max_connections = (unsigned)v;
		break;
	case K_TLS: {
		int tls = topo_tls_parse(value);

		if (tls < 0) {
			diag_add(b->d, file, line, key, "bad tls \"%s\" (want "
			    "none, may, encrypt or verify)", value);
			break;
		}
		t->connectors[b->idx].tls = (enum topo_tls)tls;
		t->connectors[b->idx].tls_line = line;
		break;
	}
	case K_AUTH:
		/* a name of the credentials file, never a secret itself */
		if (!topo_valid_name(value)) {
			diag_add(b->d, file, line, key, "bad credentials name "
			    "\"%s\" (a name of [policyd] credentials)", value);
			break;
		}
		t->connectors[b->idx].auth = xstrdup(value);
		b->rc[b->idx].auth_line = line;
		break;
	case K_TIMEZONE: {
		char zerr[SCHEDULE_ERRLEN];

		if (!schedule_zone_valid(value, zerr, sizeof(zerr)))
			diag_add(b->d, file, line, key, "%s", zerr);
		else {
			free(t->timezone);
			t->timezone = xstrdup(value);
		}
		break;
	}
	case K_SCHEDULE:
		if (t->connectors[b->idx].schedule == NULL)
			t->connectors[b->idx].schedule = schedule_new();
		topo_split(b, file, line, key, value, topo_add_window);
		break;
	}
}

/* topo_new_section - start a section: grow the right array */
static void
topo_new_section(struct topo_builder *b, const char *file, int line,
    const char *section)
{
	struct topology *t = b->t;
	char type[32], name[256];

	b->seen = 0;
	b->sec = TOPO_SEC_BAD;
	if (inifile_split_section(section, type, sizeof(type), name,
	    sizeof(name)) < 0) {
		diag_add(b->d, file, line, NULL, "bad section [%s]", section);
		return;
	}
	if (strcmp(type, "organization") == 0) {
		if (*name != '\0')
			diag_add(b->d, file, line, NULL, "[organization] "
			    "takes no name (use the name key)");
		else if (b->org_line != 0)
			diag_add(b->d, file, line, NULL, "duplicate "
			    "[organization] (first at line %d)", b->org_line);
		else {
			b->org_line = line;
			b->sec = TOPO_SEC_ORGANIZATION;
		}
		return;
	}
	if (strcmp(type, "group") != 0 && strcmp(type, "server") != 0 &&
	    strcmp(type, "connector") != 0) {
		diag_add(b->d, file, line, NULL, "unknown section [%s] (want "
		    "organization, group NAME, server NAME or connector NAME)",
		    section);
		return;
	}
	if (!topo_valid_name(name)) {
		diag_add(b->d, file, line, NULL, "bad %s name \"%s\" (letters, "
		    "digits, '.', '_', '-'; at most %d)", type, name,
		    TOPO_NAME_MAX);
		return;
	}
	if (type[0] == 'g') {
		t->groups = xreallocarray(t->groups, t->ngroups + 1,
		    sizeof(*t->groups));
		b->rg = xreallocarray(b->rg, t->ngroups + 1, sizeof(*b->rg));
		memset(&t->groups[t->ngroups], 0, sizeof(*t->groups));
		memset(&b->rg[t->ngroups], 0, sizeof(*b->rg));
		t->groups[t->ngroups].name = xstrdup(name);
		t->groups[t->ngroups].line = line;
		t->groups[t->ngroups].master = -1;
		b->idx = t->ngroups++;
		b->sec = TOPO_SEC_GROUP;
	} else if (type[0] == 's') {
		struct topo_server *s;

		t->servers = xreallocarray(t->servers, t->nservers + 1,
		    sizeof(*t->servers));
		b->rs = xreallocarray(b->rs, t->nservers + 1, sizeof(*b->rs));
		s = &t->servers[t->nservers];
		memset(s, 0, sizeof(*s));
		memset(&b->rs[t->nservers], 0, sizeof(*b->rs));
		s->name = xstrdup(name);
		s->line = line;
		s->group = -1;
		s->smtp_port = TOPO_DEFAULT_SMTP_PORT;
		s->agent_port = TOPO_DEFAULT_AGENT_PORT;
		b->idx = t->nservers++;
		b->sec = TOPO_SEC_SERVER;
	} else {
		struct topo_connector *c;

		t->connectors = xreallocarray(t->connectors,
		    t->nconnectors + 1, sizeof(*t->connectors));
		b->rc = xreallocarray(b->rc, t->nconnectors + 1,
		    sizeof(*b->rc));
		c = &t->connectors[t->nconnectors];
		memset(c, 0, sizeof(*c));
		memset(&b->rc[t->nconnectors], 0, sizeof(*b->rc));
		c->name = xstrdup(name);
		c->line = line;
		c->from = c->to = -1;
		c->cost = TOPO_DEFAULT_COST;
		c->scope = TOPO_SCOPE_ORGANIZATION;
		c->enabled = 1;
		c->priorities = TOPO_PRIO_ALL;
		c->system_messages = 1;
		c->reverse = c->reverse_of = -1;
		b->idx = t->nconnectors++;
		b->sec = TOPO_SEC_CONNECTOR;
	}
}

/* topo_event - the inifile callback */
static void
topo_event(void *arg, const char *file, int line, const char *section,
    const char *key, const char *value)
{
	struct topo_builder *b = arg;

	if (key == NULL) {
		topo_new_section(b, file, line, section);
		return;
	}
	if (b->sec == TOPO_SEC_NONE) {
		diag_add(b->d, file, line, key, "key outside any section");
		return;
	}
	if (b->sec == TOPO_SEC_BAD)
		return;
	for (int i = 0; i < TOPO_NKEYS; i++) {
		const struct topo_key *k = &topo_keys[i];

		if (k->sec != b->sec || strcmp(k->name, key) != 0)
			continue;
		if ((b->seen & (UINT64_C(1) << i)) && !k->list) {
			diag_add(b->d, file, line, key, "given twice in "
			    "[%s]", section);
			return;
		}
		b->seen |= UINT64_C(1) << i;
		topo_key_value(b, k, file, line, key, value);
		return;
	}
	diag_add(b->d, file, line, key, "unknown key in [%s]", section);
}

/* topo_load_buf - parse and check an in-memory topology file */
struct topology *
topo_load_buf(const char *name, const char *buf, size_t len,
    struct diag *d)
{
	struct topo_builder b;
	int before = diag_errors(d);

	memset(&b, 0, sizeof(b));
	b.t = xcalloc(1, sizeof(*b.t));
	b.t->file = xstrdup(name);
	b.d = d;
	inifile_parse_buf(name, buf, len, topo_event, &b, d);
	if (b.t->timezone == NULL)
		b.t->timezone = xstrdup(TOPO_DEFAULT_TIMEZONE);
	topo_resolve(&b);
	topo_builder_free(&b);
	if (diag_errors(d) > before) {
		topo_free(b.t);
		return NULL;
	}
	return b.t;
}

/* topo_load - parse and check a topology file */
struct topology *
topo_load(const char *path, struct diag *d)
{
	struct topology *t;
	size_t len;
	char *buf;

	if ((buf = inifile_slurp(path, &len, d)) == NULL)
		return NULL;
	t = topo_load_buf(path, buf, len, d);
	free(buf);
	return t;
}
