/*
 * lsactl_route.c - lsactl route and lsactl snapshot: routing offline.
 *
 *   lsactl route [-c SETTINGS] (-t TOPOLOGY | -s SNAPSHOT) --from SERVER
 *       [--down CONNECTOR[@SOURCE]]... [--down-server NAME]...
 *       [--size BYTES] [--sender ADDRESS] [--priority high|normal|low]
 *       [--system] [--rotation N] [--relay hop|direct] [--suppress]
 *       [--at TIME] [--json] ADDRESS...
 *   lsactl snapshot [-c SETTINGS] -t TOPOLOGY [--down ...]...
 *       [--down-server NAME]... [--lst-version N] -o FILE
 *
 * route answers offline, from the topology (or an LST snapshot) and the
 * link state given on the command line, with the same engine lsa-policyd
 * uses; downs given on the command line add to a snapshot's.
 * snapshot writes the LST snapshot lsa-policyd reads (snapshot.h), as
 * lsa-agent publishes it: for tests, and for a static set-up. --from defaults to
 * the settings' server; --relay and --suppress to the settings' relay and
 * suppress_state_changes. --sender checks the connectors' sender
 * restrictions (none given: no sender, never refused). --priority and
 * --system name the message class (default: normal, not system: what
 * transport lookups answer; README Routing rule 9). --json prints one
 * JSON object a line per address; the plain output explains the
 * decision in a few lines. --at reads the connectors' schedules at TIME
 * (schedule_time_parse: 2026-12-07T09:30 in the organization's time
 * zone, with Z or an offset, or @EPOCH) instead of now.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "inifile.h"
#include "route_params.h"
#include "lsactl.h"
#include "linkstate.h"
#include "route.h"
#include "schedule.h"
#include "snapshot.h"
#include "units.h"
#include "xmalloc.h"

struct lsactl_route_opts {
	const char	*settings;
	const char	*topology;
	const char	*snapshot;	/* -s: route from a snapshot */
	const char	*output;	/* -o: snapshot to write */
	uint64_t	 lst_version;
	const char	*from;
	const char	**down;
	int		 ndown;
	const char	**down_servers;
	int		 ndown_servers;
	const char	**local_down;	/* --local-down: down for --from only */
	int		 nlocal_down;
	uint64_t	 size;
	const char	*sender;	/* NULL: none given */
	struct route_class cls;		/* --priority, --system */
	unsigned	 rotation;
	int		 relay;		/* -1: from the settings */
	int		 suppress;	/* -1: from the settings */
	int		 json;
	const char	*at;		/* --at: schedules read then */
};

/* lsactl_route_json - one decision as one JSON line */
static void
lsactl_route_json(const struct topology *t, const char *rcpt,
    const char *sender, const struct route_class *cls, const char *from,
    const struct route_decision *d)
{
	json_t *o = json_object(), *hosts = json_array(), *path = json_array();
	json_t *conns = json_array();
	char *s;

	for (int i = 0; i < d->nhosts; i++)
		json_array_append_new(hosts, json_string(d->hosts[i].name));
	for (int i = 0; i < d->npath; i++)
		json_array_append_new(path,
		    json_string(t->groups[d->path[i]].name));
	for (int i = 0; i < d->nconnectors; i++)
		json_array_append_new(conns,
		    json_string(t->connectors[d->connectors[i]].name));
	json_object_set_new(o, "recipient", json_string(rcpt));
	json_object_set_new(o, "sender", sender != NULL ?
	    json_string(sender) : json_null());
	json_object_set_new(o, "priority",
	    json_string(topo_priority_name((int)cls->priority)));
	json_object_set_new(o, "system", json_boolean(cls->system));
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "action",
	    json_string(route_action_name(d->action)));
	json_object_set_new(o, "transport", d->transport != NULL &&
	    d->transport[0] != '\0' ? json_string(d->transport) :
	    json_null());
	json_object_set_new(o, "hosts", hosts);
	json_object_set_new(o, "path", path);
	json_object_set_new(o, "connectors", conns);
	json_object_set_new(o, "cost", json_integer(d->cost));
	json_object_set_new(o, "status", json_string(d->status));
	json_object_set_new(o, "reason", json_string(d->reason));
	json_object_set_new(o, "tiebreak", d->tiebreak ?
	    json_string(d->tiebreak) : json_null());
	json_object_set_new(o, "next_hop_group", d->hop_group >= 0 ?
	    json_string(t->groups[d->hop_group].name) : json_null());
	json_object_set_new(o, "point_of_failure",
	    json_boolean(d->point_of_failure));
	json_object_set_new(o, "lst_version", json_integer((json_int_t)
	    d->lst_version));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

/* lsactl_route_plain - one decision explained for a person */
static void
lsactl_route_plain(const struct topology *t, const char *rcpt,
    const struct route_class *cls, const char *from,
    const struct route_decision *d)
{
	printf("%s from %s: %s", rcpt, from, route_action_name(d->action));
	if (d->transport != NULL && d->transport[0] != '\0')
		printf(" %s", d->transport);
	if (d->status[0])
		printf(" %s", d->status);
	printf("\n  reason: %s\n", d->reason);
	printf("  class: %s priority%s\n", topo_priority_name((int)
	    cls->priority), cls->system ? ", system message" : "");
	if (d->npath > 0) {
		printf("  path:");
		for (int i = 0; i < d->npath; i++)
			printf("%s%s", i ? " -> " : " ",
			    t->groups[d->path[i]].name);
		printf(" (cost %d)\n", d->cost);
	}
	if (d->nconnectors > 0) {
		printf("  connectors:");
		for (int i = 0; i < d->nconnectors; i++) {
			const struct topo_connector *c =
			    &t->connectors[d->connectors[i]];

			if (c->to < 0)
				printf("%s%s (address space cost %d)", i ? ", " :
				    " ", c->name, d->space_cost);
			else
				printf("%s%s (%d)", i ? ", " : " ", c->name,
				    c->cost);
		}
		printf("\n");
	}
	if (d->nhosts > 0) {
		printf("  next hop:");
		for (int i = 0; i < d->nhosts; i++)
			printf("%s%s%s", i ? ", " : " ", d->hosts[i].name,
			    d->hosts[i].down ? " (down)" : "");
		if (d->hop_group >= 0)
			printf(" in group %s", t->groups[d->hop_group].name);
		printf("\n");
	}
	if (d->tiebreak != NULL)
		printf("  tie-break: %s\n", d->tiebreak);
	if (d->point_of_failure)
		printf("  queue at the point of failure: no path is up\n");
	printf("  LST version: %" PRIu64 "\n", d->lst_version);
}

/* lsactl_route_at - the moment schedules are read at: --at TIME in the
 * topology's zone (which becomes the process's), else now */
static int
lsactl_route_at(const struct topology *t, const char *text, time_t *at)
{
	char err[SCHEDULE_ERRLEN];

	schedule_zone_set(t->timezone);
	if (text == NULL) {
		*at = time(NULL);
		return 0;
	}
	if (schedule_time_parse(text, at, err, sizeof(err)) < 0) {
		fprintf(stderr, "lsactl: --at: %s\n", err);
		return -1;
	}
	return 0;
}

/* lsactl_route_closed - with schedules: the moment, and the connectors
 * closed then */
static void
lsactl_route_closed(const struct topology *t, time_t at)
{
	char when[SCHEDULE_TIMEFMT_LEN];
	int n = 0;

	for (int i = 0; i < t->nconnectors; i++)
		if (t->connectors[i].schedule != NULL)
			n++;
	if (n == 0)
		return;
	printf("  schedules at %s (%s):", schedule_time_fmt(at, when,
	    sizeof(when)), t->timezone);
	n = 0;
	for (int i = 0; i < t->nconnectors; i++)
		if (!schedule_open(t->connectors[i].schedule, at))
			printf("%s%s", n++ ? ", " : " closed ",
			    t->connectors[i].name);
	printf("%s\n", n ? "" : " every connector open");
}

/* lsactl_route_parse - options into o; returns the first address index */
static int
lsactl_route_parse(int argc, char **argv, struct lsactl_route_opts *o)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "down", required_argument, NULL, 'D' },
		{ "down-server", required_argument, NULL, 'S' },
		{ "local-down", required_argument, NULL, 'l' },
		{ "size", required_argument, NULL, 'z' },
		{ "sender", required_argument, NULL, 'e' },
		{ "priority", required_argument, NULL, 'P' },
		{ "system", no_argument, NULL, 'Y' },
		{ "rotation", required_argument, NULL, 'r' },
		{ "relay", required_argument, NULL, 'R' },
		{ "suppress", no_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'j' },
		{ "lst-version", required_argument, NULL, 'L' },
		{ "at", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	char err[UNITS_ERRLEN];
	uint64_t v;
	int ch, p;

	memset(o, 0, sizeof(*o));
	o->relay = o->suppress = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:s:t:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			o->settings = optarg;
			break;
		case 't':
			o->topology = optarg;
			break;
		case 's':
			o->snapshot = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'L':
			if (units_uint(optarg, 0, INT64_MAX, &o->lst_version,
			    err) < 0) {
				fprintf(stderr, "lsactl: --lst-version: %s\n",
				    err);
				exit(2);
			}
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'D':
			o->down = xreallocarray(o->down, o->ndown + 1,
			    sizeof(*o->down));
			o->down[o->ndown++] = optarg;
			break;
		case 'l':
			o->local_down = xreallocarray(o->local_down,
			    o->nlocal_down + 1, sizeof(*o->local_down));
			o->local_down[o->nlocal_down++] = optarg;
			break;
		case 'S':
			o->down_servers = xreallocarray(o->down_servers,
			    o->ndown_servers + 1, sizeof(*o->down_servers));
			o->down_servers[o->ndown_servers++] = optarg;
			break;
		case 'z':
			if (units_size(optarg, &o->size, err) < 0) {
				fprintf(stderr, "lsactl: --size: %s\n", err);
				exit(2);
			}
			break;
		case 'e':
			o->sender = optarg;
			break;
		case 'P':
			if ((p = topo_priority_parse(optarg)) < 0) {
				fprintf(stderr, "lsactl: --priority: want high, "
				    "normal or low\n");
				exit(2);
			}
			o->cls.priority = (enum route_priority)p;
			break;
		case 'Y':
			o->cls.system = 1;
			break;
		case 'r':
			if (units_uint(optarg, 0, UINT32_MAX, &v, err) < 0) {
				fprintf(stderr, "lsactl: --rotation: %s\n",
				    err);
				exit(2);
			}
			o->rotation = (unsigned)v;
			break;
		case 'R':
			if (strcmp(optarg, "hop") != 0 &&
			    strcmp(optarg, "direct") != 0) {
				fprintf(stderr, "lsactl: --relay: want hop or "
				    "direct\n");
				exit(2);
			}
			o->relay = strcmp(optarg, "direct") == 0;
			break;
		case 'U':
			o->suppress = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'A':
			o->at = optarg;
			break;
		default:
			lsactl_usage();
		}
	}
	return optind;
}

/*
 * lsactl_route_state - --down, --local-down (self's own link, known to
 * self only: retrying) and --down-server into a link state: a new one,
 * or ls when given (a snapshot's). NULL after an error.
 */
static struct linkstate *
lsactl_route_state(const struct topology *t,
    const struct lsactl_route_opts *o, struct linkstate *ls, int self)
{
	char err[256];

	if (ls == NULL)
		ls = linkstate_new(t);

	for (int i = 0; i < o->ndown + o->nlocal_down; i++) {
		int local = i >= o->ndown;
		const char *spec = local ? o->local_down[i - o->ndown] :
		    o->down[i];

		if (linkstate_parse_down(ls, t, spec, local ? LINKSTATE_LOCAL :
		    LINKSTATE_DOWN, local ? self : -1, err, sizeof(err)) < 0) {
			fprintf(stderr, "lsactl: --%s %s: %s\n", local ?
			    "local-down" : "down", spec, err);
			linkstate_free(ls);
			return NULL;
		}
	}
	for (int i = 0; i < o->ndown_servers; i++) {
		int s = topo_find_server(t, o->down_servers[i]);

		if (s < 0) {
			fprintf(stderr, "lsactl: --down-server: no server "
			    "named \"%s\"\n", o->down_servers[i]);
			linkstate_free(ls);
			return NULL;
		}
		linkstate_set_server(ls, s, 1);
	}
	return ls;
}

/* lsactl_route_snapshot - a snapshot for -s, errors printed */
static struct snapshot *
lsactl_route_snapshot(const char *path)
{
	struct snapshot *snap;
	struct diag d;

	diag_init(&d);
	if ((snap = snapshot_load(path, &d)) == NULL)
		diag_print(&d, stderr);
	diag_free(&d);
	return snap;
}

/* lsactl_cmd_route - decide and explain each address */
int
lsactl_cmd_route(int argc, char **argv)
{
	struct lsactl_route_opts o;
	time_t at;
	struct route_params p;
	struct route_decision d;
	struct route_index *ix;
	struct route_table *rt;
	struct snapshot *snap = NULL;
	struct linkstate *ls = NULL;
	const struct topology *t;
	struct progconf pc;
	const char *from;
	int first = lsactl_route_parse(argc, argv, &o), rc = 1;

	if (first >= argc || (o.snapshot != NULL && o.topology != NULL))
		lsactl_usage();
	memset(&pc, 0, sizeof(pc));
	if (o.snapshot != NULL) {
		struct diag dg;

		/* the settings only, the topology is the snapshot's */
		settings_init(&pc.set);
		diag_init(&dg);
		if (o.settings != NULL && settings_load(&pc.set, o.settings,
		    &dg) < 0) {
			diag_print(&dg, stderr);
			diag_free(&dg);
			goto out;
		}
		diag_free(&dg);
		settings_server_name(&pc.set, pc.server, sizeof(pc.server));
		if ((snap = lsactl_route_snapshot(o.snapshot)) == NULL)
			goto out;
		t = snap->topo;
		ls = snap->ls;
	} else {
		if (lsactl_load(&pc, o.settings, o.topology) < 0)
			goto out;
		t = pc.topo;
	}
	from = o.from ? o.from : pc.server;
	if (lsactl_route_at(t, o.at, &at) < 0)
		goto out;
	route_params_from_settings(&p, &pc.set, topo_find_server(t, from),
	    at);
	if (p.self < 0) {
		fprintf(stderr, "lsactl: --from: no server named \"%s\" in %s\n",
		    from, t->file);
		goto out;
	}
	if (o.relay >= 0)
		p.relay_direct = o.relay;
	if (o.suppress >= 0)
		p.suppress = o.suppress;
	if ((ls = lsactl_route_state(t, &o, ls, p.self)) == NULL) {
		if (snap != NULL)
			snap->ls = NULL;
		goto out;
	}
	ix = route_index_new(t);
	rt = route_table_new(t, ix, ls, &p);
	route_decision_init(&d);
	for (int i = first; i < argc; i++) {
		route_decide_class(rt, o.sender, argv[i], o.size, o.rotation,
		    &o.cls, &d);
		if (o.json)
			lsactl_route_json(t, argv[i], o.sender, &o.cls, from,
			    &d);
		else {
			lsactl_route_plain(t, argv[i], &o.cls, from, &d);
			lsactl_route_closed(t, at);
		}
	}
	route_decision_free(&d);
	route_table_free(rt);
	route_index_free(ix);
	if (snap == NULL)
		linkstate_free(ls);
	rc = 0;
out:
	snapshot_free(snap);
	progconf_free(&pc);
	free(o.down);
	free(o.down_servers);
	free(o.local_down);
	return rc;
}

/* lsactl_cmd_snapshot - write an LST snapshot from the files */
int
lsactl_cmd_snapshot(int argc, char **argv)
{
	struct lsactl_route_opts o;
	struct linkstate *ls;
	struct progconf pc;
	struct diag d;
	char err[512], *text = NULL, *json;
	size_t len;
	int rc = 1;

	if (lsactl_route_parse(argc, argv, &o) != argc || o.output == NULL ||
	    o.snapshot != NULL)
		lsactl_usage();
	if (lsactl_load(&pc, o.settings, o.topology) < 0)
		goto out;
	diag_init(&d);
	text = inifile_slurp(pc.topo->file, &len, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (text == NULL || (ls = lsactl_route_state(pc.topo, &o,
	    NULL, -1)) == NULL)
		goto out;
	json = snapshot_encode(o.lst_version, text, pc.topo, ls);
	if (snapshot_write(o.output, json, err, sizeof(err)) < 0)
		fprintf(stderr, "lsactl: snapshot: %s\n", err);
	else
		rc = 0;
	free(json);
	linkstate_free(ls);
out:
	free(text);
	progconf_free(&pc);
	free(o.down);
	free(o.down_servers);
	free(o.local_down);
	return rc;
}
