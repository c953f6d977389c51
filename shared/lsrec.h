/*
 * lsrec.h - link-state records and the messages that carry them between
 * agents (the payload of X-LINK2STATE chunks, see lsa-agent/frame.h).
 *
 * A record says one thing and is owned by one origin server:
 *
 *   topology    the topology document in force (a major update); only a
 *               group's master may originate one; key "topology"
 *   connector   the state of one (connector, source server), up or down
 *               (a minor update); originated by that source server;
 *               key "connector:NAME:SOURCE"
 *   server      a server's liveness as seen by its group's master;
 *               key "server:NAME"
 *   cert        the origin's agent certificate (PEM, leaf first, then
 *               any intermediates): what every other record of that
 *               origin is verified with; key "cert:ORIGIN"
 *
 * Each record carries its origin and a 64-bit sequence number: the
 * origin's persisted epoch in the high 32 bits and a counter in the low
 * 32 bits, so sequence numbers never go backwards across restarts. The
 * newer of two records with the same key is the one with the higher
 * (topology version, sequence, origin name) for topology records, and
 * the higher sequence for the others (lsrec_cmp).
 *
 * Each record is signed by its origin (lsa-agent/sig.h): "g" holds the
 * signature, base64, over lsrec_canon(): the fields below in a fixed
 * order, one line each, the text (topology or PEM) last with its length
 * first, so no two records share an encoding. A record decodes without
 * "g" (it then fails verification, not decoding).
 *
 * Sequence numbers and versions use the whole unsigned 64-bit space: in
 * JSON an integer up to 2^63-1, above that a string of decimal digits
 * (jansson's integers are signed); both forms are read.
 *
 * Every message is one JSON object (jansson encodes and parses it; nothing
 * is built by hand), with "m" naming the message:
 *
 *   {"m":"hello","server":S,"digest":HEX,"records":N,"topology":V}
 *       V: the version of the sender's topology in force (0 when
 *       absent); a peer that is behind is not blamed for records its
 *       older topology allowed
 *   {"m":"summary","have":[[KEY,ORIGIN,SEQ,VERSION],...]}
 *   {"m":"rec","k":KIND,"o":ORIGIN,"q":SEQ,"t":MS, ...}
 *       connector: "c":CONNECTOR,"s":SOURCE,"d":0|1
 *       server:    "n":SERVER,"d":0|1
 *       topology:  "v":VERSION,"x":TEXT
 *       cert:      "p":PEM
 *       and "g":SIGNATURE (base64) on every kind
 *   {"m":"done"}                      end of the initial exchange
 *   {"m":"alive"}                     keepalive, any time after hello
 *
 * lsmsg_decode() checks everything a peer could get wrong (types, name
 * syntax, lengths, unknown kinds) and returns -1 with a reason; it never
 * trusts a length it has not checked. Names are topology names (letters,
 * digits, '.', '_', '-'; at most TOPO_NAME_MAX), so keys never clash;
 * a connector's may also be one made by bidirectional, NAME~reverse.
 *
 * Ownership: a struct lsrec owns its topology text (lsrec_clear frees
 * it); a struct lsmsg owns its record and summary (lsmsg_clear).
 */
#ifndef LSA_LSREC_H
#define LSA_LSREC_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

#define LSREC_KEY_MAX		(2 * TOPO_NAME_MAX + 16)
#define LSREC_TEXT_MAX		(4 * 1024 * 1024)	/* topology text */
#define LSREC_CERT_MAX		(16 * 1024)		/* PEM bytes */
#define LSREC_SIG_MAX		160			/* signature bytes */
#define LSMSG_MAX_BYTES		(6 * 1024 * 1024)	/* one message */
#define LSMSG_SUMMARY_MAX	200000			/* entries */
/* "t" is refused past this (2100-01-01 in ms): no clock makes it, and an
 * age computed from it would overflow; display clamps the rest */
#define LSREC_TIME_MAX		INT64_C(4102444800000)

enum lsrec_kind {
	LSREC_TOPOLOGY,
	LSREC_CONNECTOR,
	LSREC_SERVER,
	LSREC_CERT,
};

struct lsrec {
	enum lsrec_kind	 kind;
	char		 origin[TOPO_NAME_MAX + 1];
	uint64_t	 seq;
	int64_t		 time_ms;	/* origin's clock when made */
	char		 name[TOPO_NAME_MAX + 1];   /* connector or server */
	char		 source[TOPO_NAME_MAX + 1]; /* connector's source */
	int		 down;
	uint64_t	 version;	/* topology version */
	char		*text;		/* topology text or PEM, owned */
	unsigned char	 sig[LSREC_SIG_MAX]; /* the origin's signature */
	size_t		 siglen;	/* 0: unsigned */
};

enum lsmsg_type {
	LSMSG_HELLO,
	LSMSG_SUMMARY,
	LSMSG_REC,
	LSMSG_DONE,
	LSMSG_ALIVE,
};

struct lsmsg_have {			/* one summary entry */
	char		 key[LSREC_KEY_MAX];
	char		 origin[TOPO_NAME_MAX + 1];
	uint64_t	 seq;
	uint64_t	 version;
};

struct lsmsg {
	enum lsmsg_type	 type;
	/* hello */
	char		 server[TOPO_NAME_MAX + 1];
	char		 digest[65];
	uint64_t	 records;
	uint64_t	 topology;	/* its topology version, 0: not said */
	/* summary */
	struct lsmsg_have *have;
	size_t		 nhave;
	/* rec */
	struct lsrec	 rec;
};

const char *lsrec_kind_name(enum lsrec_kind k);
void lsrec_key(const struct lsrec *r, char *buf, size_t len);
int lsrec_cmp(const struct lsrec *a, const struct lsrec *b);
int lsrec_cmp_have(const struct lsrec *a, const struct lsmsg_have *h);
void lsrec_copy(struct lsrec *dst, const struct lsrec *src);
void lsrec_clear(struct lsrec *r);
int lsrec_valid_name(const char *s);
unsigned char *lsrec_canon(const struct lsrec *r, size_t *len);

/* a u64 as JSON (integer, or a decimal string above 2^63-1), and back */
void *lsrec_json_u64(uint64_t v);
int lsrec_u64_value(void *json, uint64_t *v);

/* JSON of one record (as in "rec" without "m"), for the LST file too */
void *lsrec_to_json(const struct lsrec *r);
int lsrec_from_json(void *obj, struct lsrec *r, char *err, size_t errlen);

char *lsmsg_encode_hello(const char *server, const char *digest,
    uint64_t records, uint64_t topology, size_t *len);
char *lsmsg_encode_rec(const struct lsrec *r, size_t *len);
char *lsmsg_encode_done(size_t *len);
char *lsmsg_encode_alive(size_t *len);
/* summary: the caller fills entries; see lsdb_summary() */
char *lsmsg_encode_summary(const struct lsmsg_have *h, size_t n,
    size_t *len);
int lsmsg_decode(const char *buf, size_t len, struct lsmsg *m, char *err,
    size_t errlen);
void lsmsg_clear(struct lsmsg *m);

#endif
