/*
 * sig.c - signing and verifying link-state records with OpenSSL (see
 * sig.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "diag.h"
#include "safefile.h"
#include "sig.h"
#include "xmalloc.h"

struct sig_origin {			/* one installed certificate's key */
	char		 name[TOPO_NAME_MAX + 1];
	EVP_PKEY	*pk;
};

struct sig {
	EVP_PKEY		*key;		/* ours, to sign */
	char			*own_pem;	/* tls_cert's text */
	X509_STORE		*store;		/* tls_ca (+ tls_crl) */
	struct sig_origin	*o;
	size_t			 no;
};

/* sig_ossl - the first OpenSSL error as text after what */
static void
sig_ossl(char *err, size_t errlen, const char *what)
{
	char buf[200];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, buf);
	ERR_clear_error();
}

/* sig_md - the digest for a key: SHA-256, none for Ed25519; -1: a kind
 * of key we do not sign with (its signatures would not fit a record) */
static int
sig_md(const EVP_PKEY *pk, const EVP_MD **md)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		*md = EVP_sha256();
		return 0;
	case EVP_PKEY_ED25519:
		*md = NULL;
		return 0;
	default:
		return -1;
	}
}

/* sig_read_file - the whole of a small text file (safefile_read: a
 * regular file, links followed, at most LSREC_CERT_MAX bytes), or NULL
 * with err set */
static char *
sig_read_file(const char *path, char *err, size_t errlen, const char *what)
{
	struct diag d;
	size_t n;
	char *buf;

	diag_init(&d);
	buf = safefile_read(path, LSREC_CERT_MAX, SAFEFILE_FOLLOW, &n, &d);
	diag_free(&d);
	if (buf == NULL) {
		snprintf(err, errlen, "%s %s: cannot read: %s", what, path,
		    errno == EFBIG ? "too large for PEM" : strerror(errno));
		return NULL;
	}
	if (n == 0 || memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s %s: want 1 to %d bytes of PEM", what,
		    path, LSREC_CERT_MAX);
		free(buf);
		return NULL;
	}
	return buf;
}

/* sig_pem_chain - the certificates of a PEM text, leaf first; NULL and
 * *leaf NULL when there is none */
static STACK_OF(X509) *
sig_pem_chain(const char *pem, X509 **leaf)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *x;

	*leaf = NULL;
	while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) !=
	    NULL) {
		if (*leaf == NULL)
			*leaf = x;
		else
			sk_X509_push(rest, x);
	}
	ERR_clear_error();		/* the end of the text */
	BIO_free(b);
	return rest;
}

/* sig_check_sig - r's signature under pk */
static int
sig_check_sig(EVP_PKEY *pk, const struct lsrec *r, char *err, size_t errlen)
{
	EVP_MD_CTX *mc;
	const EVP_MD *md;
	unsigned char *canon;
	size_t len;
	int ok;

	if (r->siglen == 0) {
		snprintf(err, errlen, "unsigned");
		return -1;
	}
	if (sig_md(pk, &md) < 0) {
		snprintf(err, errlen, "the origin's key is not EC or Ed25519");
		return -1;
	}
	canon = lsrec_canon(r, &len);
	mc = EVP_MD_CTX_new();
	ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, md, NULL, pk) == 1 &&
	    EVP_DigestVerify(mc, r->sig, r->siglen, canon, len) == 1;
	EVP_MD_CTX_free(mc);
	free(canon);
	ERR_clear_error();
	if (!ok) {
		snprintf(err, errlen, "bad signature");
		return -1;
	}
	return 0;
}

/* sig_cert_key - the verified leaf key of a cert record (up-referenced),
 * or NULL with the reason */
static EVP_PKEY *
sig_cert_key(struct sig *g, const struct lsrec *r, char *err, size_t errlen)
{
	STACK_OF(X509) *rest;
	X509_STORE_CTX *ctx;
	EVP_PKEY *pk = NULL;
	X509 *leaf;
	int ok;

	rest = sig_pem_chain(r->text != NULL ? r->text : "", &leaf);
	if (leaf == NULL) {
		snprintf(err, errlen, "no certificate in the record");
		goto out;
	}
	ctx = X509_STORE_CTX_new();
	ok = ctx != NULL && X509_STORE_CTX_init(ctx, g->store, leaf, rest) ==
	    1 && X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(err, errlen, "certificate: %s", ctx != NULL ?
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)) : "out of memory");
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		goto out;
	if (X509_check_host(leaf, r->origin, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) != 1) {
		snprintf(err, errlen, "certificate does not name %s",
		    r->origin);
		goto out;
	}
	pk = X509_get_pubkey(leaf);
	if (pk == NULL)
		snprintf(err, errlen, "certificate without a usable key");
out:
	X509_free(leaf);
	sk_X509_pop_free(rest, X509_free);
	return pk;
}

/* sig_find - the key kept for origin, or NULL */
static EVP_PKEY *
sig_find(const struct sig *g, const char *origin)
{
	for (size_t i = 0; i < g->no; i++)
		if (strcmp(g->o[i].name, origin) == 0)
			return g->o[i].pk;
	return NULL;
}

/* sig_keep - keep pk (taken) as origin's key */
static void
sig_keep(struct sig *g, const char *origin, EVP_PKEY *pk)
{
	for (size_t i = 0; i < g->no; i++)
		if (strcmp(g->o[i].name, origin) == 0) {
			EVP_PKEY_free(g->o[i].pk);
			g->o[i].pk = pk;
			return;
		}
	g->o = xreallocarray(g->o, g->no + 1, sizeof(*g->o));
	snprintf(g->o[g->no].name, sizeof(g->o[g->no].name), "%s", origin);
	g->o[g->no++].pk = pk;
}

/* sig_new - see sig.h */
struct sig *
sig_new(const struct settings *set, const char *self, char *err,
    size_t errlen)
{
	struct sig *g = xcalloc(1, sizeof(*g));
	const EVP_MD *md;
	char *pem;
	BIO *b;

	if ((pem = sig_read_file(set->tls_key, err, errlen, "tls_key")) ==
	    NULL)
		goto fail;
	if ((b = BIO_new_mem_buf(pem, -1)) != NULL) {
		g->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	if (g->key == NULL) {
		sig_ossl(err, errlen, "tls_key");
		goto fail;
	}
	if (sig_md(g->key, &md) < 0) {
		snprintf(err, errlen, "tls_key %s: want an EC (P-256) or "
		    "Ed25519 key: records are signed with it", set->tls_key);
		goto fail;
	}
	if ((g->own_pem = sig_read_file(set->tls_cert, err, errlen,
	    "tls_cert")) == NULL)
		goto fail;
	g->store = X509_STORE_new();
	if (g->store == NULL || X509_STORE_load_file(g->store,
	    set->tls_ca) != 1) {
		sig_ossl(err, errlen, "tls_ca");
		goto fail;
	}
	if (set->tls_crl != NULL && set->tls_crl[0] != '\0') {
		if (X509_STORE_load_file(g->store, set->tls_crl) != 1) {
			sig_ossl(err, errlen, "tls_crl");
			goto fail;
		}
		X509_STORE_set_flags(g->store, X509_V_FLAG_CRL_CHECK);
	}
	{
		/* ours must pass the check every peer makes */
		struct lsrec r;
		EVP_PKEY *pk;
		char why[200];

		memset(&r, 0, sizeof(r));
		r.kind = LSREC_CERT;
		snprintf(r.origin, sizeof(r.origin), "%s", self);
		r.text = g->own_pem;
		if ((pk = sig_cert_key(g, &r, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "tls_cert %s: %s", set->tls_cert,
			    why);
			goto fail;
		}
		if (EVP_PKEY_eq(pk, g->key) != 1) {
			EVP_PKEY_free(pk);
			snprintf(err, errlen, "tls_key %s does not belong to "
			    "tls_cert %s", set->tls_key, set->tls_cert);
			goto fail;
		}
		sig_keep(g, self, pk);
	}
	return g;
fail:
	ERR_clear_error();
	sig_free(g);
	return NULL;
}

/* sig_free - NULL is fine */
void
sig_free(struct sig *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->no; i++)
		EVP_PKEY_free(g->o[i].pk);
	free(g->o);
	EVP_PKEY_free(g->key);
	X509_STORE_free(g->store);
	free(g->own_pem);
	free(g);
}

/* sig_sign - see sig.h */
int
sig_sign(struct sig *g, struct lsrec *r)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	const EVP_MD *md = NULL;
	unsigned char *canon;
	size_t len, siglen = sizeof(r->sig);
	int ok;

	(void)sig_md(g->key, &md);
	canon = lsrec_canon(r, &len);
	ok = mc != NULL && EVP_DigestSignInit(mc, NULL, md, NULL, g->key) ==
	    1 && EVP_DigestSign(mc, r->sig, &siglen, canon, len) == 1;
	EVP_MD_CTX_free(mc);
	free(canon);
	ERR_clear_error();
	r->siglen = ok ? siglen : 0;
	return ok ? 0 : -1;
}

/* sig_verify - see sig.h */
int
sig_verify(struct sig *g, const struct lsrec *r, char *err, size_t errlen)
{
	EVP_PKEY *pk;
	int rc;

	if (r->kind == LSREC_CERT) {
		if ((pk = sig_cert_key(g, r, err, errlen)) == NULL)
			return -1;
		rc = sig_check_sig(pk, r, err, errlen);
		EVP_PKEY_free(pk);
		return rc;
	}
	if ((pk = sig_find(g, r->origin)) == NULL) {
		snprintf(err, errlen, "no certificate of %s", r->origin);
		return -1;
	}
	return sig_check_sig(pk, r, err, errlen);
}

/* sig_learn - see sig.h */
void
sig_learn(struct sig *g, const struct lsrec *r)
{
	char err[200];
	EVP_PKEY *pk;

	if (r->kind == LSREC_CERT &&
	    (pk = sig_cert_key(g, r, err, sizeof(err))) != NULL)
		sig_keep(g, r->origin, pk);
}

/* sig_own_cert - see sig.h */
const char *
sig_own_cert(const struct sig *g)
{
	return g->own_pem;
}
