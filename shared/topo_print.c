/*
 * topo_print.c - the model written back as a topology file, normalized:
 * every default filled in and every list spelled out, so the output is
 * itself a valid topology file that loads to the same model.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"
#include "units.h"

#define TOPO_PRINT_WRAP	72	/* columns before a continuation line */

/*
 * topo_print_item - one list item, wrapping onto an indented
 * continuation line (which the parser reads as more of the same list)
 * so no line grows past the reader's limit.
 */
static void
topo_print_item(FILE *fp, int *col, int first, const char *item)
{
	int len = (int)strlen(item);

	if (first) {
		*col += fprintf(fp, "%s", item);
	} else if (*col + len + 2 > TOPO_PRINT_WRAP) {
		*col = fprintf(fp, "\n    %s", item) - 1;
	} else {
		*col += fprintf(fp, ", %s", item);
	}
}

/* topo_print_servers - a list of server names */
static void
topo_print_servers(const struct topology *t, FILE *fp, const char *key,
    const struct topo_list *l, int is_default)
{
	int col;

	if (l->n == 0)
		return;
	col = fprintf(fp, "%s = ", key);
	for (int i = 0; i < l->n; i++)
		topo_print_item(fp, &col, i == 0, t->servers[l->v[i]].name);
	fprintf(fp, "%s\n", is_default ? "    ; default" : "");
}

/* topo_print_spaces - a list of address spaces, with costs if any */
static void
topo_print_spaces(FILE *fp, const char *key, const struct addrspace *as,
    int n)
{
	char item[ADDRSPACE_MAX_DOMAIN + 16];
	int col;

	if (n == 0)
		return;
	col = fprintf(fp, "%s = ", key);
	for (int i = 0; i < n; i++) {
		if (as[i].cost)
			snprintf(item, sizeof(item), "%s %d", as[i].pattern,
			    as[i].cost);
		else
			snprintf(item, sizeof(item), "%s", as[i].pattern);
		topo_print_item(fp, &col, i == 0, item);
	}
	fprintf(fp, "\n");
}

/* topo_print_senders - a list of sender patterns */
static void
topo_print_senders(FILE *fp, const char *key, const struct topo_sender *p,
    int n)
{
	int col;

	if (n == 0)
		return;
	col = fprintf(fp, "%s = ", key);
	for (int i = 0; i < n; i++)
		topo_print_item(fp, &col, i == 0, p[i].pattern);
	fprintf(fp, "\n");
}

/* topo_print_classes - the message classes a connector admits */
static void
topo_print_classes(FILE *fp, const struct topo_connector *c)
{
	static const int order[] = { TOPO_PRIO_HIGH, TOPO_PRIO_NORMAL,
	    TOPO_PRIO_LOW };
	int col = fprintf(fp, "priorities = "), first = 1;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(c->priorities & (1u << order[i])))
			continue;
		topo_print_item(fp, &col, first, topo_priority_name(order[i]));
		first = 0;
	}
	fprintf(fp, "\nsystem_messages = %s\n", c->system_messages ? "yes" :
	    "no");
}

/*
 * topo_print_schedule - a connector's schedule; with a moment, a comment
 * with its next opening and closing after it, in local time (the caller
 * has set the topology's zone: schedule_zone_set)
 */
static void
topo_print_schedule(FILE *fp, const struct topo_connector *c,
    const time_t *now)
{
	const struct schedule *s = c->schedule;
	char a[SCHEDULE_TIMEFMT_LEN], b[SCHEDULE_TIMEFMT_LEN];
	time_t o, x;
	int col;

	if (s == NULL || s->nitems == 0) {
		fprintf(fp, "schedule = always\n");
		return;
	}
	col = fprintf(fp, "schedule = ");
	for (int i = 0; i < s->nitems; i++)
		topo_print_item(fp, &col, i == 0, s->items[i]);
	fprintf(fp, "\n");
	if (now == NULL || s->kind != SCHEDULE_LIST)
		return;
	o = schedule_next(s, *now, 1);
	x = schedule_next(s, *now, 0);
	fprintf(fp, "; %s now, next opening %s, next closing %s\n",
	    schedule_open(s, *now) ? "open" : "closed",
	    o == SCHEDULE_NONE ? "none" : schedule_time_fmt(o, a, sizeof(a)),
	    x == SCHEDULE_NONE ? "none" : schedule_time_fmt(x, b, sizeof(b)));
}

static void topo_print_connector(const struct topology *t, int i,
    FILE *fp, const time_t *now);

/* topo_print - normalized topology on fp */
void
topo_print(const struct topology *t, FILE *fp)
{
	topo_print_at(t, fp, NULL);
}

/* topo_print_at - topo_print(), and with now each schedule's next
 * opening and closing after *now as a comment */
void
topo_print_at(const struct topology *t, FILE *fp, const time_t *now)
{
	fprintf(fp, "[organization]\nname = %s\nversion = %" PRIu64 "\n",
	    t->name, t->version);
	fprintf(fp, "timezone = %s\n", t->timezone);
	topo_print_spaces(fp, "domains", t->domains, t->ndomains);
	for (int i = 0; i < t->ngroups; i++) {
		const struct topo_group *g = &t->groups[i];

		fprintf(fp, "\n[group %s]\nmaster = %s%s\n", g->name,
		    t->servers[g->master].name,
		    g->master_default ? "    ; default: first server" : "");
		topo_print_servers(t, fp, "backup_masters", &g->backups, 0);
		fprintf(fp, "hub = %s\n", g->hub ? "yes" : "no");
	}
	for (int i = 0; i < t->nservers; i++) {
		const struct topo_server *s = &t->servers[i];

		fprintf(fp, "\n[server %s]\ngroup = %s\naddress = %s\n"
		    "smtp_port = %u\nagent_port = %u\n", s->name,
		    t->groups[s->group].name, s->address, s->smtp_port,
		    s->agent_port);
		topo_print_spaces(fp, "mailboxes", s->mailboxes,
		    s->nmailboxes);
	}
	/* a reverse (bidirectional) comes after the connector it is made from */
	for (int i = 0; i < t->nconnectors; i++)
		if (t->connectors[i].reverse_of < 0)
			topo_print_connector(t, i, fp, now);
}

/*
 * topo_print_reverse - the connector made by `bidirectional = yes`, as
 * comments: shown, but not read back (the file makes it again)
 */
static void
topo_print_reverse(const struct topology *t, int i, FILE *fp,
    const time_t *now)
{
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return;
	topo_print_connector(t, i, m, now);
	fclose(m);
	fprintf(fp, "\n; made by bidirectional = yes on connector %s:",
	    t->connectors[t->connectors[i].reverse_of].name);
	for (p = text + (*text == '\n'); *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;	/* never: lines end in \n */
		fprintf(fp, "\n; %.*s", (int)(nl - p + (*nl != '\n')), p);
	}
	fprintf(fp, "\n");
	free(text);
}

/* topo_print_connector - one connector's section */
static void
topo_print_connector(const struct topology *t, int i, FILE *fp,
    const time_t *now)
{
	char buf[32], tr[TOPO_TRANSPORT_MAX];

	{
		const struct topo_connector *c = &t->connectors[i];

		fprintf(fp, "\n[connector %s]\n", c->name);
		if (c->from >= 0)
			fprintf(fp, "from = %s\n", t->groups[c->from].name);
		if (c->to >= 0)
			fprintf(fp, "to = %s\n", t->groups[c->to].name);
		fprintf(fp, "cost = %d\n", c->cost);
		topo_print_servers(t, fp, "sources", &c->sources,
		    c->sources_default);
		topo_print_servers(t, fp, "targets", &c->targets,
		    c->targets_default);
		fprintf(fp, "max_size = %s\nscope = %s\nenabled = %s\n",
		    units_fmt_size(c->max_size, buf, sizeof(buf)),
		    c->scope == TOPO_SCOPE_GROUP ? "group" : "organization",
		    c->enabled ? "yes" : "no");
		topo_print_spaces(fp, "address_spaces", c->spaces, c->nspaces);
		if (c->to < 0 && c->nsmart == 0)
			fprintf(fp, "; smart_hosts: none, DNS MX\n");
		if (c->nsmart > 0) {
			int col = fprintf(fp, "smart_hosts = ");

			for (int j = 0; j < c->nsmart; j++) {
				const struct topo_host *h = &c->smart_hosts[j];
				char item[300];

				snprintf(item, sizeof(item), strchr(h->host,
				    ':') ? "[%s]:%u" : "%s:%u", h->host,
				    h->port);
				topo_print_item(fp, &col, j == 0, item);
			}
			fprintf(fp, "\n");
		}
		topo_print_senders(fp, "senders_allow", c->senders_allow,
		    c->nallow);
		topo_print_senders(fp, "senders_deny", c->senders_deny,
		    c->ndeny);
		topo_print_classes(fp, c);
		fprintf(fp, "tls = %s\n", topo_tls_name(c->tls));
		if (c->auth != NULL)
			fprintf(fp, "auth = %s\n", c->auth);
		if (c->to >= 0 && c->reverse_of < 0)
			fprintf(fp, "bidirectional = %s\n", c->bidirectional ?
			    "yes" : "no");
		fprintf(fp, "max_connections = %u%s\n", c->max_connections,
		    c->max_connections ? "" : "    ; unlimited");
		if (topo_conn_transport(c, tr, sizeof(tr)) == 0)
			fprintf(fp, "; Postfix transport: %s (master.cf "
			    "maxproc %u)\n", tr, c->max_connections);
		topo_print_schedule(fp, c, now);
		if (c->reverse >= 0)
			topo_print_reverse(t, c->reverse, fp, now);
	}
}
