/*
 * lsdb.h - the link state table (LST): the newest record of every key.
 *
 * lsdb_update() is the only way in and applies the one rule: a record
 * replaces the stored one of its key only if it is newer (lsrec_cmp);
 * an equal one (a replay or an echo) and an older one change nothing.
 * Records are kept sorted by key, which gives the canonical order for
 * the digest (SHA-256 over "KEY ORIGIN SEQ VERSION\n" lines: two tables
 * with the same digest hold the same records) and for the summary that
 * peers compare on connect.
 *
 * The LST file (STATE_DIR/lst.json) is
 *   {"format":"lsa-lst-1","lst_version":N,"records":[RECORD,...]}
 * with records as in lsrec.h; lsdb_load() refuses a file that is not
 * exactly that and loads nothing from it.
 *
 * lsdb_linkstate() turns the connector and server records that name
 * things of a topology into the struct linkstate the routing engine
 * reads; records about names the topology does not have are kept (a
 * newer topology may have them) but not used.
 *
 * Ownership: the lsdb owns copies of its records; pointers returned by
 * lsdb_get() and lsdb_at() are borrowed until the next lsdb_update().
 */
#ifndef LSA_LSDB_H
#define LSA_LSDB_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "linkstate.h"
#include "lsrec.h"
#include "topology.h"

#define LSDB_FORMAT		"lsa-lst-1"
#define LSDB_MAX_RECORDS	LSMSG_SUMMARY_MAX
#define LSDB_MAX_BYTES		(64 * 1024 * 1024)	/* the LST file */

enum lsdb_result {
	LSDB_OLDER = -1,	/* ignored: the stored one is newer */
	LSDB_SAME = 0,		/* ignored: already held */
	LSDB_NEWER = 1,		/* installed */
	LSDB_FULL = 2,		/* refused: LSDB_MAX_RECORDS reached */
};

struct lsdb;

struct lsdb *lsdb_new(void);
void lsdb_free(struct lsdb *db);
enum lsdb_result lsdb_update(struct lsdb *db, const struct lsrec *r);
const struct lsrec *lsdb_get(const struct lsdb *db, const char *key);
size_t lsdb_count(const struct lsdb *db);
const struct lsrec *lsdb_at(const struct lsdb *db, size_t i);
const char *lsdb_digest(struct lsdb *db);
struct lsmsg_have *lsdb_summary(const struct lsdb *db, size_t *n);
char *lsdb_encode(const struct lsdb *db, uint64_t lst_version);
int lsdb_load(struct lsdb *db, const char *path, uint64_t *lst_version,
    struct diag *d);
int lsdb_load_buf(struct lsdb *db, const char *name, const char *buf,
    size_t len, uint64_t *lst_version, struct diag *d);
struct linkstate *lsdb_linkstate(const struct lsdb *db,
    const struct topology *t, uint64_t lst_version);

#endif
