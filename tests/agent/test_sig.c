/*
 * test_sig.c - origin authentication of records (lsa-agent/sig.c), with
 * certificates of a CA made here (tests/agent/mksig.sh): a verifier
 * (server a) learns other servers' certificate records and checks their
 * records. A record signed by its origin verifies; one changed after
 * signing, one signed by another server in the origin's name, one of an
 * origin whose certificate is not known, and an unsigned one do not; a
 * certificate record in another's name, of a foreign CA, revoked by the
 * CRL (tls_crl), or signed by a key that is not its own is refused; a
 * new certificate for a server (new key) is accepted and from then on
 * its records verify with the new key only; Ed25519 keys sign too, and
 * an RSA key is refused at start with a clear reason.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sig.h"
#include "xmalloc.h"

static char dir[] = "/tmp/lsa-test-sig.XXXXXX";

/* setup - the certificates, once */
static int
setup(void **state)
{
	char *cmd;
	int rc;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	cmd = xasprintf("sh tests/agent/mksig.sh %s", dir);
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	(void)state;
	(void)system(cmd);
	free(cmd);
	return 0;
}

/* new_sig - the sig of server name with cert file, key file, ca (files
 * in dir), crl (a file in dir, or NULL); NULL with the reason in err */
static struct sig *
new_sig(const char *name, const char *file, const char *ca,
    const char *crl, char *err, size_t errlen)
{
	struct settings set;
	struct sig *g;

	settings_init(&set);
	free(set.tls_ca);
	free(set.tls_cert);
	free(set.tls_key);
	free(set.tls_crl);
	set.tls_ca = xasprintf("%s/%s", dir, ca);
	set.tls_cert = xasprintf("%s/%s.pem", dir, file);
	set.tls_key = xasprintf("%s/%s.key", dir, file);
	set.tls_crl = crl != NULL ? xasprintf("%s/%s", dir, crl) :
	    xstrdup("");
	g = sig_new(&set, name, err, errlen);
	settings_free(&set);
	return g;
}

/* signer - new_sig that must work */
static struct sig *
signer(const char *name, const char *file)
{
	char err[256] = "";
	struct sig *g = new_sig(name, file, "ca.pem", NULL, err, sizeof(err));

	if (g == NULL)
		fail_msg("%s: %s", name, err);
	return g;
}

/* cert_rec - origin's certificate record from g, signed by g */
static void
cert_rec(struct sig *g, const char *origin, uint64_t seq, struct lsrec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = LSREC_CERT;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	r->seq = seq;
	r->time_ms = 1764900000000;
	r->text = xstrdup(sig_own_cert(g));
	assert_int_equal(sig_sign(g, r), 0);
}

/* conn_rec - connector X of source origin, signed by g */
static void
conn_rec(struct sig *g, const char *origin, uint64_t seq, int down,
    struct lsrec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = LSREC_CONNECTOR;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->name, sizeof(r->name), "X");
	snprintf(r->source, sizeof(r->source), "%s", origin);
	r->seq = seq;
	r->time_ms = 1764900000000;
	r->down = down;
	assert_int_equal(sig_sign(g, r), 0);
}

/* verify - sig_verify's result and reason ("" when it verified) */
static int
verify(struct sig *v, const struct lsrec *r, char *why, size_t len)
{
	why[0] = '\0';
	return sig_verify(v, r, why, len);
}

/* records of b verify at a once a knows b's certificate; forgeries
 * and changes do not */
static void
test_records(void **state)
{
	struct sig *a = signer("a", "a"), *b = signer("b", "b");
	struct lsrec cb, r, f;
	char why[256];

	(void)state;
	conn_rec(b, "b", 7, 1, &r);
	assert_int_equal(verify(a, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "no certificate of b");
	cert_rec(b, "b", 1, &cb);
	assert_int_equal(verify(a, &cb, why, sizeof(why)), 0);
	sig_learn(a, &cb);
	assert_int_equal(verify(a, &r, why, sizeof(why)), 0);
	/* the same record, changed after signing */
	r.down = 0;
	assert_int_equal(verify(a, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "bad signature");
	r.down = 1;
	r.seq++;
	assert_int_equal(verify(a, &r, why, sizeof(why)), -1);
	/* unsigned */
	r.seq--;
	r.siglen = 0;
	assert_int_equal(verify(a, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "unsigned");
	/* a in b's name */
	conn_rec(a, "b", 9, 0, &f);
	assert_int_equal(verify(a, &f, why, sizeof(why)), -1);
	assert_string_equal(why, "bad signature");
	lsrec_clear(&f);
	/* a certificate record in b's name carrying a's certificate */
	cert_rec(a, "b", 2, &f);
	assert_int_equal(verify(a, &f, why, sizeof(why)), -1);
	assert_string_equal(why, "certificate does not name b");
	lsrec_clear(&f);
	/* b's certificate, signed by a */
	cert_rec(b, "b", 3, &f);
	assert_int_equal(sig_sign(a, &f), 0);
	assert_int_equal(verify(a, &f, why, sizeof(why)), -1);
	assert_string_equal(why, "bad signature");
	lsrec_clear(&f);
	lsrec_clear(&r);
	lsrec_clear(&cb);
	sig_free(a);
	sig_free(b);
}

/* a new certificate for b (a new key) is accepted; then b's records
 * verify with the new key only */
static void
test_rollover(void **state)
{
	struct sig *a = signer("a", "a"), *b = signer("b", "b"),
	    *b2 = signer("b", "b2");
	struct lsrec c1, c2, old, neu;
	char why[256];

	(void)state;
	cert_rec(b, "b", 1, &c1);
	sig_learn(a, &c1);
	conn_rec(b, "b", 2, 0, &old);
	assert_int_equal(verify(a, &old, why, sizeof(why)), 0);
	cert_rec(b2, "b", 3, &c2);
	assert_int_equal(verify(a, &c2, why, sizeof(why)), 0);
	sig_learn(a, &c2);
	conn_rec(b2, "b", 4, 1, &neu);
	assert_int_equal(verify(a, &neu, why, sizeof(why)), 0);
	assert_int_equal(verify(a, &old, why, sizeof(why)), -1);
	assert_string_equal(why, "bad signature");
	lsrec_clear(&c1);
	lsrec_clear(&c2);
	lsrec_clear(&old);
	lsrec_clear(&neu);
	sig_free(a);
	sig_free(b);
	sig_free(b2);
}

/* a certificate of a foreign CA, and one the CRL revokes (only with
 * tls_crl set) */
static void
test_foreign_and_revoked(void **state)
{
	struct sig *a = signer("a", "a"), *c = signer("c", "c"), *fa, *ar;
	struct lsrec cc, fc;
	char why[256], err[256];

	(void)state;
	/* our own certificate must chain to tls_ca */
	assert_null(new_sig("a", "foreign/a", "ca.pem", NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "unable to get local issuer"));
	/* a signer of the foreign CA's */
	fa = new_sig("a", "foreign/a", "foreign/ca.pem", NULL, err,
	    sizeof(err));
	if (fa == NULL)
		fail_msg("%s", err);
	cert_rec(fa, "a", 5, &fc);
	assert_int_equal(verify(a, &fc, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "certificate: unable to get local "
	    "issuer certificate"));
	cert_rec(c, "c", 1, &cc);
	assert_int_equal(verify(a, &cc, why, sizeof(why)), 0);
	ar = new_sig("a", "a", "ca.pem", "crl.pem", err, sizeof(err));
	if (ar == NULL)
		fail_msg("%s", err);
	assert_int_equal(verify(ar, &cc, why, sizeof(why)), -1);
	assert_string_equal(why, "certificate: certificate revoked");
	lsrec_clear(&cc);
	lsrec_clear(&fc);
	sig_free(a);
	sig_free(c);
	sig_free(fa);
	sig_free(ar);
}

/* Ed25519 signs and verifies; RSA is refused at start */
static void
test_key_kinds(void **state)
{
	struct sig *a = signer("a", "a"), *e = signer("e", "e");
	struct lsrec ce, r;
	char why[256], err[256];

	(void)state;
	cert_rec(e, "e", 1, &ce);
	assert_int_equal(verify(a, &ce, why, sizeof(why)), 0);
	sig_learn(a, &ce);
	conn_rec(e, "e", 2, 1, &r);
	assert_int_equal(r.siglen, 64);
	assert_int_equal(verify(a, &r, why, sizeof(why)), 0);
	assert_null(new_sig("r", "r", "ca.pem", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "want an EC (P-256) or Ed25519 key"));
	/* a key that is not the certificate's */
	{
		struct settings set;

		settings_init(&set);
		free(set.tls_ca);
		free(set.tls_cert);
		free(set.tls_key);
		set.tls_ca = xasprintf("%s/ca.pem", dir);
		set.tls_cert = xasprintf("%s/b.pem", dir);
		set.tls_key = xasprintf("%s/b2.key", dir);
		assert_null(sig_new(&set, "b", err, sizeof(err)));
		assert_non_null(strstr(err, "does not belong to tls_cert"));
		settings_free(&set);
	}
	lsrec_clear(&ce);
	lsrec_clear(&r);
	sig_free(a);
	sig_free(e);
}

/* test_unreadable - a FIFO, a missing file, an empty file at tls_key or
 * tls_cert: sig_new() fails at once and says which file and why (a
 * FIFO would block an fopen() forever) */
static void
test_unreadable(void **state)
{
	char err[256], *fifo = xasprintf("%s/fifo.key", dir);
	char *empty = xasprintf("%s/empty.pem", dir);
	int fd;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(new_sig("f", "fifo", "ca.pem", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "tls_key"));
	assert_non_null(strstr(err, "fifo.key: cannot read"));
	assert_null(new_sig("m", "missing", "ca.pem", NULL, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "missing.key: cannot read: No such file"));
	/* a good key, an empty certificate */
	assert_true((fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >=
	    0);
	close(fd);
	{
		struct settings set;

		settings_init(&set);
		free(set.tls_ca);
		free(set.tls_cert);
		free(set.tls_key);
		set.tls_ca = xasprintf("%s/ca.pem", dir);
		set.tls_cert = xstrdup(empty);
		set.tls_key = xasprintf("%s/b.key", dir);
		assert_null(sig_new(&set, "b", err, sizeof(err)));
		assert_non_null(strstr(err, "tls_cert"));
		assert_non_null(strstr(err, "want 1 to"));
		settings_free(&set);
	}
	unlink(fifo);
	unlink(empty);
	free(fifo);
	free(empty);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_foreign_and_revoked),
		cmocka_unit_test(test_key_kinds),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
