/*
 * snapshot.c - encode, write atomically, read and check the LST snapshot
 * (see snapshot.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "safefile.h"
#include "snapshot.h"
#include "xmalloc.h"

/* snapshot_free - the snapshot and what it owns */
void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	linkstate_free(s->ls);
	topo_free(s->topo);
	free(s);
}

/* snapshot_downs - connectors_down into the link state */
static int
snapshot_downs(struct snapshot *s, const char *name, json_t *arr,
    struct diag *d)
{
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr)) {
		diag_add(d, name, 0, "connectors_down", "not an array");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		const char *cn = json_string_value(json_object_get(v,
		    "connector"));
		const char *sn = json_string_value(json_object_get(v,
		    "source"));
		json_t *local = json_object_get(v, "local");
		int c, sv;

		if (cn == NULL || sn == NULL || (local != NULL &&
		    !json_is_boolean(local))) {
			diag_add(d, name, 0, "connectors_down", "item %zu: "
			    "want {\"connector\": NAME, \"source\": NAME"
			    "[, \"local\": BOOL]}", i);
			return -1;
		}
		if ((c = topo_find_connector(s->topo, cn)) < 0 ||
		    (sv = topo_find_server(s->topo, sn)) < 0 ||
		    linkstate_set_connector(s->ls, s->topo, c, sv,
		    json_is_true(local) ? LINKSTATE_LOCAL : LINKSTATE_DOWN) <
		    0) {
			diag_add(d, name, 0, "connectors_down", "item %zu: "
			    "\"%s@%s\" is not a connector and one of its "
			    "sources", i, cn, sn);
			return -1;
		}
	}
	return 0;
}

/* snapshot_servers - servers_down into the link state */
static int
snapshot_servers(struct snapshot *s, const char *name, json_t *arr,
    struct diag *d)
{
	size_t i;
	json_t *v;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr)) {
		diag_add(d, name, 0, "servers_down", "not an array");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		const char *sn = json_string_value(v);
		int sv;

		if (sn == NULL || (sv = topo_find_server(s->topo, sn)) < 0) {
			diag_add(d, name, 0, "servers_down", "item %zu: not a "
			    "server of the topology", i);
			return -1;
		}
		linkstate_set_server(s->ls, sv, 1);
	}
	return 0;
}

/* snapshot_parse - a snapshot from memory */
struct snapshot *
snapshot_parse(const char *name, const char *buf, size_t len,
    struct diag *d)
{
	struct snapshot *s;
	json_error_t jerr;
	json_t *root, *ver;
	const char *fmt, *text;
	char *tname;

	if (len > SNAPSHOT_MAX_BYTES) {
		diag_add(d, name, 0, NULL, "snapshot larger than %d bytes",
		    SNAPSHOT_MAX_BYTES);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		diag_add(d, name, jerr.line, NULL, "bad JSON: %s", jerr.text);
		return NULL;
	}
	fmt = json_string_value(json_object_get(root, "format"));
	ver = json_object_get(root, "lst_version");
	text = json_string_value(json_object_get(root, "topology"));
	if (fmt == NULL || strcmp(fmt, SNAPSHOT_FORMAT) != 0 ||
	    !json_is_integer(ver) || json_integer_value(ver) < 0 ||
	    text == NULL) {
		diag_add(d, name, 0, NULL, "not an %s document (want format, "
		    "lst_version, topology)", SNAPSHOT_FORMAT);
		json_decref(root);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->lst_version = (uint64_t)json_integer_value(ver);
	tname = xasprintf("%s(topology)", name);
	s->topo = topo_load_buf(tname, text,
	    json_string_length(json_object_get(root, "topology")), d);
	free(tname);
	if (s->topo == NULL) {
		free(s);
		json_decref(root);
		return NULL;
	}
	s->ls = linkstate_new(s->topo);
	s->ls->version = s->lst_version;
	if (snapshot_downs(s, name, json_object_get(root, "connectors_down"),
	    d) < 0 || snapshot_servers(s, name, json_object_get(root,
	    "servers_down"), d) < 0) {
		snapshot_free(s);
		s = NULL;
	}
	json_decref(root);
	return s;
}

/* snapshot_load - a snapshot from a file (a regular file, not a link:
 * safefile_read) */
struct snapshot *
snapshot_load(const char *path, struct diag *d)
{
	struct snapshot *s;
	size_t len;
	char *buf;

	if ((buf = safefile_read(path, SNAPSHOT_MAX_BYTES, 0, &len, d)) ==
	    NULL)
		return NULL;
	s = snapshot_parse(path, buf, len, d);
	free(buf);
	return s;
}

/* snapshot_encode - the JSON text of a snapshot; the caller frees it */
char *
snapshot_encode(uint64_t lst_version, const char *topology_text,
    const struct topology *t, const struct linkstate *ls)
{
	json_t *root = json_object(), *downs = json_array();
	json_t *servers = json_array();
	char *out;

	for (int c = 0; c < t->nconnectors; c++)
		for (int i = 0; i < t->connectors[c].sources.n; i++) {
			json_t *o;

			if (!ls->source_down[c][i])
				continue;
			o = json_object();
			json_object_set_new(o, "connector",
			    json_string(t->connectors[c].name));
			json_object_set_new(o, "source", json_string(
			    t->servers[t->connectors[c].sources.v[i]].name));
			if (ls->source_down[c][i] == LINKSTATE_LOCAL)
				json_object_set_new(o, "local", json_true());
			json_array_append_new(downs, o);
		}
	for (int sv = 0; sv < t->nservers; sv++)
		if (ls->server_down[sv])
			json_array_append_new(servers,
			    json_string(t->servers[sv].name));
	json_object_set_new(root, "format", json_string(SNAPSHOT_FORMAT));
	json_object_set_new(root, "lst_version",
	    json_integer((json_int_t)lst_version));
	json_object_set_new(root, "topology", json_string(topology_text));
	json_object_set_new(root, "connectors_down", downs);
	json_object_set_new(root, "servers_down", servers);
	out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (out == NULL)
		fatalx("snapshot_encode: out of memory");
	return out;
}

/* snapshot_write - write text atomically (safefile_write, mode 0644).
 * Returns -1 with a reason in err. */
int
snapshot_write(const char *path, const char *json, char *err,
    size_t errlen)
{
	return safefile_write(path, json, strlen(json), 0644, err, errlen);
}
