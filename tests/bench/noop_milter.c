/*
 * noop_milter.c - the milter bench's baselines: libmilter filters that
 * do nothing.
 *
 *   noop_milter SOCKET      the stages lsa-milter uses, negotiated as it
 *                           negotiates them (milter/cb.c: connect, MAIL,
 *                           RCPT, headers, body without replies; no HELO,
 *                           DATA, end of header), each callback returning
 *                           at once, end of message "continue": what
 *                           libmilter and the protocol cost for the data
 *                           the trace and the checks need
 *   noop_milter -b SOCKET   bare: every callback NULL (libmilter
 *                           negotiates their stages away), only the end
 *                           of message: the protocol's floor
 */
#include <stdio.h>
#include <string.h>

#include <libmilter/mfapi.h>

#define NOOP_NOSTEPS	(SMFIP_NOHELO | SMFIP_NODATA | SMFIP_NOEOH | \
			 SMFIP_NOUNKNOWN)
#define NOOP_NOREPLY	(SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
			 SMFIP_NR_HDR | SMFIP_NR_BODY)

/* noop_negotiate - the stages lsa-milter negotiates */
static sfsistat
noop_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	*pf1 = f1 & (NOOP_NOSTEPS | NOOP_NOREPLY);
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return SMFIS_NOREPLY;
}

static sfsistat
noop_env(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

static sfsistat
noop_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_NOREPLY;
}

static sfsistat
noop_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx;
	(void)chunk;
	(void)len;
	return SMFIS_NOREPLY;
}

static sfsistat
noop_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static struct smfiDesc noop_same = {
	.xxfi_name = "noop",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = noop_connect,
	.xxfi_envfrom = noop_env,
	.xxfi_envrcpt = noop_env,
	.xxfi_header = noop_header,
	.xxfi_body = noop_body,
	.xxfi_eom = noop_eom,
	.xxfi_negotiate = noop_negotiate,
};

static struct smfiDesc noop_bare = {
	.xxfi_name = "noop-bare",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = 0,
};

int
main(int argc, char **argv)
{
	int bare = argc == 3 && strcmp(argv[1], "-b") == 0;

	if (argc != 2 && !bare) {
		fprintf(stderr, "usage: noop_milter [-b] SOCKET\n");
		return 2;
	}
	if (smfi_setconn(argv[argc - 1]) != MI_SUCCESS ||
	    smfi_register(bare ? noop_bare : noop_same) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return 1;
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
