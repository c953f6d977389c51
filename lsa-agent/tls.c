/*
 * tls.c - TLS for agent sessions: one server and one client context per
 * agent, both requiring a peer certificate signed by the organization's
 * CA (settings tls_ca) and not revoked by its CRL (tls_crl, when set);
 * the name in it must be the server the peer says it is (tls_peer_is).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "agent_priv.h"

/* tls_error - the first OpenSSL error as text */
static void
tls_error(char *err, size_t errlen, const char *what, const char *file)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	snprintf(err, errlen, "%s%s%s: %s", what, file ? " " : "",
	    file ? file : "", buf);
	ERR_clear_error();
}

/* tls_ctx - a context with our certificate, key and the CA */
static SSL_CTX *
tls_ctx(struct agent *a, const SSL_METHOD *m, char *err, size_t errlen)
{
	const struct settings *s = a->set;
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(m)) == NULL) {
		tls_error(err, errlen, "SSL_CTX_new", NULL);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (SSL_CTX_load_verify_locations(ctx, s->tls_ca, NULL) != 1) {
		tls_error(err, errlen, "tls_ca", s->tls_ca);
		goto fail;
	}
	if (s->tls_crl != NULL && s->tls_crl[0] != '\0') {
		/* a revoked peer certificate fails the handshake */
		X509_STORE *st = SSL_CTX_get_cert_store(ctx);

		if (X509_STORE_load_file(st, s->tls_crl) != 1) {
			tls_error(err, errlen, "tls_crl", s->tls_crl);
			goto fail;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, s->tls_cert) != 1) {
		tls_error(err, errlen, "tls_cert", s->tls_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, s->tls_key, SSL_FILETYPE_PEM)
	    != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		tls_error(err, errlen, "tls_key", s->tls_key);
		goto fail;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* tls_init - both contexts; -1 with the reason (file and OpenSSL's text) */
int
tls_init(struct agent *a, char *err, size_t errlen)
{
	X509 *own;

	if ((a->ssl_server = tls_ctx(a, TLS_server_method(), err, errlen))
	    == NULL ||
	    (a->ssl_client = tls_ctx(a, TLS_client_method(), err, errlen))
	    == NULL)
		return -1;
	/* our own certificate must name us, or every peer refuses us */
	own = SSL_CTX_get0_certificate(a->ssl_server);
	if (own == NULL || X509_check_host(own, a->self, 0, 0, NULL) != 1) {
		snprintf(err, errlen, "tls_cert %s: the certificate does not "
		    "name this server (%s)", a->set->tls_cert, a->self);
		return -1;
	}
	return 0;
}

/* tls_free - both contexts */
void
tls_free(struct agent *a)
{
	SSL_CTX_free(a->ssl_server);
	SSL_CTX_free(a->ssl_client);
	a->ssl_server = a->ssl_client = NULL;
}

/* tls_peer_is - 1 when the verified peer certificate names name */
int
tls_peer_is(SSL *ssl, const char *name)
{
	X509 *cert;
	int ok;

	if (SSL_get_verify_result(ssl) != X509_V_OK ||
	    (cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return 0;
	ok = X509_check_host(cert, name, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
	X509_free(cert);
	return ok;
}
