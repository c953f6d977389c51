/*
 * lsactl_pki.c - lsactl pki: the organization's CA and its servers'
 * certificates, made with OpenSSL's library.
 *
 *   lsactl pki init DIR [--days N]          DIR/ca.key, DIR/ca.pem
 *   lsactl pki issue DIR SERVER [-t TOPOLOGY] [--days N] [--owner USER]
 *                                           DIR/SERVER.key, DIR/SERVER.pem
 *   lsactl pki check DIR -t TOPOLOGY
 *
 * Keys are EC P-256 (the agent signs its records with its certificate's
 * key, sig.c, which wants P-256), written at mode 0600 (the directory,
 * made when missing, at 0700); certificates at 0644. The CA certificate
 * is self-signed, CA:TRUE, keyCertSign and cRLSign, CA_DAYS days. A
 * server certificate has CN and subjectAltName DNS the server's topology
 * name (what the agents check, both ways), extendedKeyUsage serverAuth
 * and clientAuth (each agent is a TLS server and client), SERVER_DAYS
 * days, a random 128-bit serial. init refuses a DIR that has a CA key;
 * issue replaces a server's certificate and key. The files are what the
 * settings tls_ca, tls_cert and tls_key name. A server key is given to
 * the user the daemons run as (and its group), so that it stays 0600:
 * --owner USER, else PKI_OWNER when that user exists and lsactl runs as
 * root (only root gives files away); else it stays the caller's. The CA
 * key always stays the caller's.
 *
 * check prints, for the CA and each server of the topology in file
 * order, "NAME ok expires TIME" or "NAME bad: REASON" (missing, not
 * signed by the CA, expired, another name, a key that does not match);
 * TIME is UTC, YYYY-MM-DDTHH:MM:SSZ. Exit 0 when all are ok, 1 when
 * not, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "diag.h"
#include "lsactl.h"
#include "safefile.h"
#include "topology.h"
#include "xmalloc.h"

#define PKI_CA_DAYS		3650
#define PKI_SERVER_DAYS		825
#define PKI_MAXFILE		(1024 * 1024)
#define PKI_OWNER		"lsa"	/* the units' User= */

/* pki_err - the last OpenSSL error after what, on stderr; -1 */
static int
pki_err(const char *what)
{
	unsigned long e = ERR_get_error();

	fprintf(stderr, "lsactl: %s: %s\n", what,
	    e ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
	return -1;
}

/* pki_name_ok - a server name fit for a file name and a DNS name */
static int
pki_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= TOPO_NAME_MAX && s[0] != '.' && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") == n;
}

/* pki_write - a PEM object (key when key != NULL, else cert) to path */
static int
pki_write(const char *path, EVP_PKEY *key, X509 *cert, mode_t mode)
{
	BIO *b = BIO_new(BIO_s_mem());
	char err[256], *data;
	long len;
	int rc;

	if (b == NULL)
		return pki_err("BIO_new");
	rc = key != NULL ? PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0,
	    NULL, NULL) : PEM_write_bio_X509(b, cert);
	if (rc != 1) {
		BIO_free(b);
		return pki_err(path);
	}
	len = BIO_get_mem_data(b, &data);
	rc = safefile_write(path, data, (size_t)len, mode, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "lsactl: %s: %s\n", path, err);
	BIO_free(b);
	return rc;
}

/* pki_read - the PEM certificate (key NULL) or key at DIR/NAME.EXT */
static void *
pki_read(const char *dir, const char *name, int key, char *why,
    size_t whylen)
{
	char *path = xasprintf("%s/%s.%s", dir, name, key ? "key" : "pem");
	void *obj = NULL;
	struct diag d;
	size_t len;
	char *text;
	BIO *b;

	diag_init(&d);
	text = safefile_read(path, PKI_MAXFILE, SAFEFILE_FOLLOW, &len, &d);
	if (text == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((b = BIO_new_mem_buf(text, (int)len)) != NULL) {
		obj = key ? (void *)PEM_read_bio_PrivateKey(b, NULL, NULL,
		    NULL) : (void *)PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	if (obj == NULL)
		snprintf(why, whylen, "%s: not a PEM %s", path,
		    key ? "private key" : "certificate");
	ERR_clear_error();
	free(text);
out:
	diag_free(&d);
	free(path);
	return obj;
}

/* pki_ext - add one extension in openssl's config syntax */
static int
pki_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int rc;

	X509V3_set_ctx(&ctx, issuer, c, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return pki_err(value);
	rc = X509_add_ext(c, e, -1);
	X509_EXTENSION_free(e);
	return rc == 1 ? 0 : pki_err("X509_add_ext");
}

/*
 * pki_cert - a certificate for key named cn, signed by cakey as ca (NULL:
 * self-signed CA), days long; NULL on failure
 */
static X509 *
pki_cert(EVP_PKEY *key, const char *cn, X509 *ca, EVP_PKEY *cakey,
    long days)
{
	unsigned char serial[16];
	X509 *c = X509_new();
	X509_NAME *n;
	BIGNUM *bn = NULL;
	char *san = NULL;
	int ok = 0;

	if (c == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) == NULL ||
	    X509_set_version(c, X509_VERSION_3) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(c), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(c), (int)days, 0,
	    NULL) == NULL || X509_set_pubkey(c, key) != 1)
		goto out;
	n = X509_get_subject_name(c);
	if (X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(c, ca != NULL ? X509_get_subject_name(ca) :
	    n) != 1)
		goto out;
	if (ca == NULL) {
		if (pki_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
		    pki_ext(c, c, NID_key_usage,
		    "critical,keyCertSign,cRLSign") < 0 ||
		    pki_ext(c, c, NID_subject_key_identifier, "hash") < 0)
			goto out;
		ca = c;
		cakey = key;
	} else {
		san = xasprintf("DNS:%s", cn);
		if (pki_ext(c, ca, NID_basic_constraints, "CA:FALSE") < 0 ||
		    pki_ext(c, ca, NID_key_usage,
		    "critical,digitalSignature") < 0 ||
		    pki_ext(c, ca, NID_ext_key_usage,
		    "serverAuth,clientAuth") < 0 ||
		    pki_ext(c, ca, NID_subject_alt_name, san) < 0 ||
		    pki_ext(c, ca, NID_subject_key_identifier, "hash") < 0 ||
		    pki_ext(c, ca, NID_authority_key_identifier,
		    "keyid:always") < 0)
			goto out;
	}
	if (X509_sign(c, cakey, EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	if (!ok) {
		pki_err(cn);
		X509_free(c);
		c = NULL;
	}
	BN_free(bn);
	free(san);
	return c;
}

/*
 * pki_owner - the owner of a server key: --owner (owner != NULL; an
 * unknown user is an error), else PKI_OWNER when it exists and we are
 * root. 1 with *pw set, 0 for none, -1 on error (printed).
 */
static int
pki_owner(const char *owner, struct passwd *pw)
{
	struct passwd *p;

	errno = 0;
	p = getpwnam(owner != NULL ? owner : PKI_OWNER);
	if (p == NULL && owner != NULL) {
		fprintf(stderr, "lsactl: --owner %s: %s\n", owner,
		    errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (p == NULL || (owner == NULL && geteuid() != 0))
		return 0;
	*pw = *p;
	return 1;
}

/* pki_issue_files - key and certificate as DIR/NAME.key, DIR/NAME.pem */
static int
pki_issue_files(const char *dir, const char *name, X509 *ca,
    EVP_PKEY *cakey, long days, const struct passwd *owner)
{
	char *kp = xasprintf("%s/%s.key", dir, name);
	char *cp = xasprintf("%s/%s.pem", dir, name);
	EVP_PKEY *key;
	X509 *c = NULL;
	int rc = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL) {
		pki_err("EVP_EC_gen");
		goto out;
	}
	if ((c = pki_cert(key, ca != NULL ? name : "lsa organization CA",
	    ca, cakey, days)) == NULL)
		goto out;
	if (pki_write(kp, key, NULL, 0600) < 0 ||
	    pki_write(cp, NULL, c, 0644) < 0)
		goto out;
	if (owner != NULL && lchown(kp, owner->pw_uid, owner->pw_gid) < 0) {
		fprintf(stderr, "lsactl: %s: chown to %s: %s\n", kp,
		    owner->pw_name, strerror(errno));
		goto out;
	}
	printf("wrote %s %s\n", kp, cp);
	rc = 0;
out:
	X509_free(c);
	EVP_PKEY_free(key);
	free(kp);
	free(cp);
	return rc;
}

/* pki_days - --days N, within 1..36500 */
static long
pki_days(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 36500)
		lsactl_usage();
	return v;
}

/* pki_init - the organization's CA in dir */
static int
pki_init(const char *dir, long days)
{
	char *kp = xasprintf("%s/ca.key", dir);
	struct stat sb;
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "lsactl: %s: %s\n", dir, strerror(errno));
		free(kp);
		return 1;
	}
	if (lstat(kp, &sb) == 0) {
		fprintf(stderr, "lsactl: %s exists: not replacing a CA\n", kp);
		free(kp);
		return 1;
	}
	free(kp);
	rc = pki_issue_files(dir, "ca", NULL, NULL, days, NULL) < 0;
	return rc;
}

/* pki_issue - a certificate for server name, from dir's CA */
static int
pki_issue(const char *dir, const char *name, const char *topology,
    long days, const char *owner)
{
	EVP_PKEY *cakey = NULL;
	X509 *ca = NULL;
	struct progconf pc;
	struct passwd pw;
	char why[512];
	int rc = 1, own;

	if (!pki_name_ok(name) || strcmp(name, "ca") == 0) {
		fprintf(stderr, "lsactl: \"%s\" cannot be a server name\n",
		    name);
		return 1;
	}
	if (topology != NULL) {
		if (lsactl_load(&pc, NULL, topology) < 0) {
			progconf_free(&pc);
			return 1;
		}
		if (topo_find_server(pc.topo, name) < 0) {
			fprintf(stderr, "lsactl: \"%s\" is not a server of "
			    "the topology %s\n", name, topology);
			progconf_free(&pc);
			return 1;
		}
		progconf_free(&pc);
	}
	if ((own = pki_owner(owner, &pw)) < 0)
		return 1;
	if ((ca = pki_read(dir, "ca", 0, why, sizeof(why))) == NULL ||
	    (cakey = pki_read(dir, "ca", 1, why, sizeof(why))) == NULL)
		fprintf(stderr, "lsactl: %s\n", why);
	else
		rc = pki_issue_files(dir, name, ca, cakey, days,
		    own ? &pw : NULL) < 0;
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return rc;
}

/* pki_time - an ASN1 time as YYYY-MM-DDTHH:MM:SSZ */
static void
pki_time(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* pki_check_one - one server's certificate against the CA's store */
static int
pki_check_one(const char *dir, const char *name, X509_STORE *store)
{
	X509_STORE_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	char why[512], when[32];
	X509 *c;
	int ok = 0;

	if ((c = pki_read(dir, name, 0, why, sizeof(why))) == NULL)
		goto out;
	pki_time(X509_get0_notAfter(c), when, sizeof(when));
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, c, NULL) != 1) {
		snprintf(why, sizeof(why), "out of memory");
		goto out;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, sizeof(why), "%s (expires %s)",
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)), when);
		goto out;
	}
	if (X509_check_host(c, name, 0, X509_CHECK_FLAG_NO_WILDCARDS,
	    NULL) != 1) {
		snprintf(why, sizeof(why), "certificate is not for %s", name);
		goto out;
	}
	if ((key = pki_read(dir, name, 1, why, sizeof(why))) == NULL)
		goto out;
	if (X509_check_private_key(c, key) != 1) {
		snprintf(why, sizeof(why), "%s/%s.key does not match the "
		    "certificate", dir, name);
		goto out;
	}
	ok = 1;
out:
	if (ok)
		printf("%s ok expires %s\n", name, when);
	else
		printf("%s bad: %s\n", name, why);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	EVP_PKEY_free(key);
	X509_free(c);
	return ok;
}

/* pki_check - every server of the topology, and the CA */
static int
pki_check(const char *dir, const char *topology)
{
	X509_STORE *store = NULL;
	struct progconf pc;
	char why[512], when[32];
	X509 *ca;
	int i, bad = 0;

	if (lsactl_load(&pc, NULL, topology) < 0) {
		progconf_free(&pc);
		return 1;
	}
	if ((ca = pki_read(dir, "ca", 0, why, sizeof(why))) == NULL) {
		printf("ca bad: %s\n", why);
		progconf_free(&pc);
		return 1;
	}
	pki_time(X509_get0_notAfter(ca), when, sizeof(when));
	if (X509_cmp_current_time(X509_get0_notAfter(ca)) <= 0) {
		printf("ca bad: expired %s\n", when);
		bad++;
	} else
		printf("ca ok expires %s\n", when);
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, ca) != 1) {
		pki_err("X509_STORE");
		bad++;
		goto out;
	}
	for (i = 0; i < pc.topo->nservers; i++)
		if (!pki_check_one(dir, pc.topo->servers[i].name, store))
			bad++;
out:
	X509_STORE_free(store);
	X509_free(ca);
	progconf_free(&pc);
	return bad > 0;
}

/* lsactl_cmd_pki - the command */
int
lsactl_cmd_pki(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "owner", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *topology = NULL, *owner = NULL, *sub;
	long days = 0;
	int ch;

	if (argc < 2)
		lsactl_usage();
	sub = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			topology = optarg;
			break;
		case 'd':
			days = pki_days(optarg);
			break;
		case 'o':
			owner = optarg;
			break;
		default:
			lsactl_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "init") == 0 && argc == 1 && topology == NULL &&
	    owner == NULL)
		return pki_init(argv[0], days ? days : PKI_CA_DAYS);
	if (strcmp(sub, "issue") == 0 && argc == 2)
		return pki_issue(argv[0], argv[1], topology,
		    days ? days : PKI_SERVER_DAYS, owner);
	if (strcmp(sub, "check") == 0 && argc == 1 && topology != NULL &&
	    days == 0 && owner == NULL)
		return pki_check(argv[0], topology);
	lsactl_usage();
}
