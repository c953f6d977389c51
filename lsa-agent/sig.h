/*
 * sig.h - origin authentication of link-state records.
 *
 * Every record is signed by its origin's private key (the key of its
 * agent certificate, tls_key: ECDSA P-256 with SHA-256, or Ed25519) over
 * lsrec_canon(), and every agent verifies every record it receives, or
 * loads from its LST file, against the origin's certificate before any
 * rule or sequence comparison. A relayed record is thus checked at every
 * hop, whoever relays it: a member's certificate lets it speak for
 * itself only.
 *
 * The certificates travel as records of their own (kind cert, key
 * "cert:ORIGIN", the PEM of tls_cert): one is accepted when its leaf
 * chains to tls_ca (with tls_crl's CRL checked when set, and the chain's
 * validity dates), names the origin (subjectAltName DNS or CN, as the
 * TLS check does), and the record is signed by that leaf's own key.
 * Keys sort "cert:" before every other kind, so the database exchange
 * sends an origin's certificate before its records; flooding sends a
 * certificate when it is installed, before anything it verifies.
 *
 * The keys of installed certificates are kept by origin (sig_learn):
 * verifying a record is one signature check against that key. A record
 * of an origin whose certificate is not known fails ("no certificate").
 * A new certificate for a server (key rollover) is accepted when it
 * chains to the CA and is newer (sequence), like any record.
 *
 * Contract: sig_new() reads tls_key, tls_cert, tls_ca and tls_crl and
 * returns NULL with the reason (file and OpenSSL's text). sig_sign()
 * fills r->sig; sig_verify() returns 0, or -1 with the reason. sig_own_
 * cert() is the PEM text of our certificate (borrowed). sig_learn()
 * keeps the key of an installed cert record (already verified).
 */
#ifndef LSA_SIG_H
#define LSA_SIG_H

#include <stddef.h>

#include "lsrec.h"
#include "settings.h"

struct sig;

struct sig *sig_new(const struct settings *set, const char *self, char *err,
    size_t errlen);
void sig_free(struct sig *g);
int sig_sign(struct sig *g, struct lsrec *r);
int sig_verify(struct sig *g, const struct lsrec *r, char *err,
    size_t errlen);
void sig_learn(struct sig *g, const struct lsrec *r);
const char *sig_own_cert(const struct sig *g);

#endif
