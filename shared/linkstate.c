/*
 * linkstate.c - up/down state per (connector, source) and per server
 * (see linkstate.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkstate.h"
#include "xmalloc.h"

/* linkstate_new - all up, sized for t */
struct linkstate *
linkstate_new(const struct topology *t)
{
	struct linkstate *ls = xcalloc(1, sizeof(*ls));

	ls->nservers = t->nservers;
	ls->nconnectors = t->nconnectors;
	ls->server_down = xcalloc((size_t)t->nservers + 1, 1);
	ls->source_down = xcalloc((size_t)t->nconnectors + 1,
	    sizeof(*ls->source_down));
	for (int i = 0; i < t->nconnectors; i++)
		ls->source_down[i] = xcalloc((size_t)
		    t->connectors[i].sources.n + 1, 1);
	return ls;
}

/* linkstate_copy - a copy of ls, for the same topology */
struct linkstate *
linkstate_copy(const struct linkstate *ls, const struct topology *t)
{
	struct linkstate *c = linkstate_new(t);

	c->version = ls->version;
	memcpy(c->server_down, ls->server_down, (size_t)ls->nservers);
	for (int i = 0; i < ls->nconnectors; i++)
		memcpy(c->source_down[i], ls->source_down[i],
		    (size_t)t->connectors[i].sources.n);
	return c;
}

/* linkstate_equal - the same states (a and b made for topology t) */
int
linkstate_equal(const struct linkstate *a, const struct linkstate *b,
    const struct topology *t)
{
	if (a->nservers != b->nservers || a->nconnectors != b->nconnectors ||
	    memcmp(a->server_down, b->server_down, (size_t)a->nservers) != 0)
		return 0;
	for (int c = 0; c < a->nconnectors; c++)
		if (memcmp(a->source_down[c], b->source_down[c],
		    (size_t)t->connectors[c].sources.n) != 0)
			return 0;
	return 1;
}

/* linkstate_free - release everything */
void
linkstate_free(struct linkstate *ls)
{
	if (ls == NULL)
		return;
	for (int i = 0; i < ls->nconnectors; i++)
		free(ls->source_down[i]);
	free(ls->source_down);
	free(ls->server_down);
	free(ls);
}

/*
 * linkstate_set_connector - mark (connector, source) down or up; source
 * is a server index, or -1 for every source. Returns -1 when the server
 * is not a source of the connector.
 */
int
linkstate_set_connector(struct linkstate *ls, const struct topology *t,
    int connector, int source, int down)
{
	const struct topo_connector *c = &t->connectors[connector];
	int found = 0;

	for (int i = 0; i < c->sources.n; i++) {
		if (source >= 0 && c->sources.v[i] != source)
			continue;
		ls->source_down[connector][i] = down == LINKSTATE_LOCAL ?
		    LINKSTATE_LOCAL : (unsigned char)(down != 0);
		found = 1;
	}
	return found ? 0 : -1;
}

/* linkstate_set_server - mark a server down or up */
void
linkstate_set_server(struct linkstate *ls, int server, int down)
{
	ls->server_down[server] = (unsigned char)(down != 0);
}

/*
 * linkstate_parse_down - "CONNECTOR" or "CONNECTOR@SOURCE" set to state,
 * as lsactl's --down and --local-down take it (source: the server a bare
 * CONNECTOR means, -1 for all). Returns -1 with a reason in err.
 */
int
linkstate_parse_down(struct linkstate *ls, const struct topology *t,
    const char *spec, int state, int source, char *err, size_t errlen)
{
	char name[TOPO_NAME_MAX + 1];
	const char *at = strchr(spec, '@');
	size_t n = at ? (size_t)(at - spec) : strlen(spec);
	int c, s = source;

	if (n == 0 || n > TOPO_NAME_MAX) {
		snprintf(err, errlen, "bad connector \"%s\"", spec);
		return -1;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	if ((c = topo_find_connector(t, name)) < 0) {
		snprintf(err, errlen, "no connector named \"%s\"", name);
		return -1;
	}
	if (at != NULL && (s = topo_find_server(t, at + 1)) < 0) {
		snprintf(err, errlen, "no server named \"%s\"", at + 1);
		return -1;
	}
	if (linkstate_set_connector(ls, t, c, s, state) < 0) {
		snprintf(err, errlen, "\"%s\" is not a source of connector "
		    "\"%s\"", s >= 0 ? t->servers[s].name : "", name);
		return -1;
	}
	return 0;
}
