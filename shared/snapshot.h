/*
 * snapshot.h - the LST snapshot: what lsa-agent publishes for the local
 * readers (lsa-policyd, lsa-milter, lsactl).
 *
 * One JSON document (jansson), written atomically (temporary file in the
 * same directory, fsync, rename, fsync of the directory) so a reader
 * sees the old snapshot or the new one, never a mix:
 *
 *   {
 *     "format": "lsa-snapshot-1",
 *     "lst_version": 42,                  LST version (a counter)
 *     "topology": "[organization]\n...",  the topology file text in force
 *     "connectors_down": [ { "connector": "London-NewYork",
 *                            "source": "lon-bh1" }, ... ],
 *                                      ("local": true: down for this
 *                                      server only, LINKSTATE_LOCAL)
 *     "servers_down": [ "ny-bh2" ]
 *   }
 *
 * The topology travels inside the snapshot because the one in force is
 * the newest seen anywhere in the organization, not necessarily the
 * local file. Every name must resolve in that topology; a snapshot that
 * does not load is refused whole (readers keep the one they have).
 *
 * snapshot_load()/snapshot_parse() return a snapshot the caller owns
 * (snapshot_free), or NULL with the errors in the diag.
 */
#ifndef LSA_SNAPSHOT_H
#define LSA_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "linkstate.h"
#include "topology.h"

#define SNAPSHOT_FORMAT		"lsa-snapshot-1"
#define SNAPSHOT_MAX_BYTES	(64 * 1024 * 1024)

struct snapshot {
	uint64_t		 lst_version;
	struct topology		*topo;
	struct linkstate	*ls;
};

struct snapshot *snapshot_parse(const char *name, const char *buf,
    size_t len, struct diag *d);
struct snapshot *snapshot_load(const char *path, struct diag *d);
void snapshot_free(struct snapshot *s);
char *snapshot_encode(uint64_t lst_version, const char *topology_text,
    const struct topology *t, const struct linkstate *ls);
int snapshot_write(const char *path, const char *json, char *err,
    size_t errlen);

#endif
