/*
 * cb.c - lsa-milter's libmilter callbacks and its smfiDesc table.
 *
 * Negotiated (xxfi_negotiate): the actions used and nothing else (add a
 * header, delete headers, ask for macros), and only the stages used:
 * connect (the client address), MAIL and RCPT (the envelope), headers
 * (trace, class, size), body (size), end of message; no HELO, DATA,
 * end-of-header or unknown commands; no reply is waited for before end
 * of message (connect, MAIL, RCPT, headers, body) when the MTA offers it
 * (Postfix does), so a message costs the MTA one round trip.
 *
 * State: a struct milter_conn per connection (smfi_setpriv), made at
 * negotiate or connect, freed in one place, close, last; its struct
 * milter_msg is reset by milter_msg_reset() from envfrom, eom, abort and
 * close. Nothing is decided before end of message, where one reference
 * to the snapshot is taken: no snapshot, or any internal error, answers
 * SMFIS_TEMPFAIL (mail waits, nothing is lost). Nothing here waits on
 * the network: the snapshot is in memory (lst.c).
 *
 * Client address: the {client_addr} macro (asked for at connect), else
 * the connect callback's address. Postfix's non_smtpd_milters (pickup,
 * sendmail) connect as localhost, 127.0.0.1: local mail, inside the
 * organization (verdict.c, milter_inside).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "log.h"
#include "milter.h"
#include "xmalloc.h"

#define CB_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST)
#define CB_NOSTEPS	(SMFIP_NOHELO | SMFIP_NODATA | SMFIP_NOEOH | \
			 SMFIP_NOUNKNOWN)
#define CB_NOREPLY	(SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
			 SMFIP_NR_HDR | SMFIP_NR_BODY)

/* milter_msg_reset - forget the message (the connection stays) */
void
milter_msg_reset(struct milter_msg *m)
{
	for (unsigned i = 0; i < m->msg_nrcpt; i++)
		free(m->msg_rcpts[i]);
	free(m->msg_rcpts);
	free(m->msg_hops);
	free(m->msg_sender);
	free(m->msg_qid);
	memset(m, 0, sizeof(*m));
}

/* cb_conn - the connection's state, made on first use */
static struct milter_conn *
cb_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		route_decision_init(&c->conn_dec);
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* cb_noreply - what a stage the MTA waits no reply for returns */
static sfsistat
cb_noreply(const struct milter_conn *c, unsigned long flag)
{
	return (c->conn_steps & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* cb_addr - an envelope address without its <> */
static char *
cb_addr(const char *a)
{
	size_t n = strlen(a);

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		return xstrndup(a + 1, n - 2);
	return xstrdup(a);
}

/*
 * cb_clean - a macro's value for log lines and comparisons: at most max
 * bytes, every byte that is not printable ASCII (or is a space) as '?'
 */
static char *
cb_clean(const char *v, size_t max)
{
	char *s = xstrndup(v, max);

	for (char *p = s; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			*p = '?';
	return s;
}

/* cb_negotiate - the actions and stages used, no more */
static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct milter_conn *c = cb_conn(ctx);

	(void)f2;
	(void)f3;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) !=
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) {
		log_warnx("negotiate: the MTA cannot add and delete headers "
		    "(actions=0x%lx): tempfail", f0);
		return SMFIS_TEMPFAIL;
	}
	*pf0 = f0 & CB_ACTIONS;
	*pf1 = f1 & (CB_NOSTEPS | CB_NOREPLY);
	*pf2 = 0;
	*pf3 = 0;
	c->conn_steps = *pf1;
	if ((*pf0 & SMFIF_SETSYMLIST) &&
	    smfi_setsymlist(ctx, SMFIM_CONNECT, "{client_addr}") != MI_SUCCESS)
		log_warnx("negotiate: cannot ask for {client_addr}");
	if ((*pf0 & SMFIF_SETSYMLIST) &&
	    smfi_setsymlist(ctx, SMFIM_EOM, "i") != MI_SUCCESS)
		log_warnx("negotiate: cannot ask for i");
	return SMFIS_CONTINUE;
}

/* cb_connect - the client's address ("": local mail) */
static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct milter_conn *c = cb_conn(ctx);
	const char *m = smfi_getsymval(ctx, "{client_addr}");

	(void)hostname;
	c->conn_addr[0] = '\0';
	if (m != NULL && *m != '\0') {
		char *a = cb_clean(m, sizeof(c->conn_addr) - 1);

		memcpy(c->conn_addr, a, strlen(a) + 1);
		free(a);
	} else if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->
		    sin_addr, c->conn_addr, sizeof(c->conn_addr));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->
		    sin6_addr, c->conn_addr, sizeof(c->conn_addr));
	return cb_noreply(c, SMFIP_NR_CONN);
}

/* cb_envfrom - a new message: its sender; the null sender is system */
static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = cb_conn(ctx);
	struct milter_msg *m = &c->conn_msg;

	milter_msg_reset(m);
	m->msg_sender = cb_addr(argv[0] != NULL ? argv[0] : "");
	m->msg_class.system = m->msg_sender[0] == '\0';
	return cb_noreply(c, SMFIP_NR_MAIL);
}

/*
 * cb_envrcpt - one recipient, kept for the end of message (past
 * MILTER_RCPT_MAX, counted: the end of message tempfails)
 */
static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = cb_conn(ctx);
	struct milter_msg *m = &c->conn_msg;

	if (argv[0] == NULL)
		return cb_noreply(c, SMFIP_NR_RCPT);
	if (m->msg_nrcpt >= MILTER_RCPT_MAX) {
		m->msg_rcpt_over++;
		return cb_noreply(c, SMFIP_NR_RCPT);
	}
	if (m->msg_nrcpt == m->msg_rcpt_cap) {
		m->msg_rcpt_cap = m->msg_rcpt_cap == 0 ? 4 :
		    m->msg_rcpt_cap * 2;
		m->msg_rcpts = xreallocarray(m->msg_rcpts, m->msg_rcpt_cap,
		    sizeof(*m->msg_rcpts));
	}
	m->msg_rcpts[m->msg_nrcpt++] = cb_addr(argv[0]);
	return cb_noreply(c, SMFIP_NR_RCPT);
}

/* cb_trace - one X-LSA-Trace header: counted, and its hop kept */
static void
cb_trace(struct milter_msg *m, const char *value)
{
	struct milter_hop hop;

	m->msg_ntrace++;
	if (m->msg_nhops >= MILTER_TRACE_MAX)
		return;
	if (milter_trace_parse(value, strlen(value), &hop) < 0) {
		m->msg_badtrace++;
		return;
	}
	if (m->msg_hops == NULL)
		m->msg_hops = xreallocarray(NULL, MILTER_TRACE_MAX,
		    sizeof(*m->msg_hops));
	m->msg_hops[m->msg_nhops++] = hop;
}

/* cb_header - trace headers, the class, the size */
static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = cb_conn(ctx);
	struct milter_msg *m = &c->conn_msg;

	m->msg_size += strlen(name) + strlen(value) + 4; /* ": ", CRLF */
	if (strcasecmp(name, MILTER_TRACE_HEADER) == 0)
		cb_trace(m, value);
	else
		milter_class_header(&m->msg_class, &m->msg_report, name,
		    value);
	return cb_noreply(c, SMFIP_NR_HDR);
}

/* cb_body - a body chunk: its size only */
static sfsistat
cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milter_conn *c = cb_conn(ctx);

	(void)chunk;
	c->conn_msg.msg_size += len;
	return cb_noreply(c, SMFIP_NR_BODY);
}

/* cb_reply - set "CODE STATUS TEXT" as the reply; -1 on failure */
static int
cb_reply(SMFICTX *ctx, char *reply)
{
	char *status, *text;

	if ((status = strchr(reply, ' ')) == NULL ||
	    (text = strchr(status + 1, ' ')) == NULL)
		return -1;
	*status++ = '\0';
	*text++ = '\0';
	return smfi_setreply(ctx, reply, status, text) == MI_SUCCESS ? 0 : -1;
}

/* cb_eom_lst - end of message on a snapshot: the verdict, the trace */
static sfsistat
cb_eom_lst(SMFICTX *ctx, struct milter_conn *c, const struct milter_lst *l,
    const char *qid)
{
	const struct topology *t = l->snap->topo;
	const struct topo_server *self = &t->servers[l->self];
	struct milter_msg *m = &c->conn_msg;
	char reply[MILTER_REPLY_MAX], value[512];
	enum milter_verdict v;
	int inside = milter_inside(l, c->conn_addr);

	if (!inside && m->msg_ntrace > 0) {
		/* from the last: deleting one does not renumber the others */
		for (unsigned i = m->msg_ntrace; i > 0; i--)
			if (smfi_chgheader(ctx, MILTER_TRACE_HEADER, (int)i,
			    NULL) != MI_SUCCESS) {
				log_warnx("%s: cannot delete a trace header: "
				    "tempfail", qid);
				return SMFIS_TEMPFAIL;
			}
		log_info("%s: client=%s removed=%u reason=\"trace headers "
		    "from outside the organization\"", qid, c->conn_addr,
		    m->msg_ntrace);
		m->msg_nhops = 0;
	}
	m->msg_class.system |= m->msg_report;
	if (m->msg_rcpt_over > 0) {
		log_warnx("%s: decision=defer status=4.5.3 recipients=%u "
		    "reason=\"over %d recipients\"", qid,
		    m->msg_nrcpt + m->msg_rcpt_over, MILTER_RCPT_MAX);
		smfi_setreply(ctx, "452", "4.5.3", "too many recipients");
		return SMFIS_TEMPFAIL;
	}
	v = milter_verdict(l, milter_holder.set, c, reply, sizeof(reply));
	if (v != MILTER_PASS) {
		if (cb_reply(ctx, reply) < 0) {
			log_warnx("%s: cannot set the reply: tempfail", qid);
			return SMFIS_TEMPFAIL;
		}
		return v == MILTER_DEFER ? SMFIS_TEMPFAIL : SMFIS_REJECT;
	}
	milter_trace_format(value, sizeof(value), t->groups[self->group].name,
	    self->name, l->snap->lst_version, l->digest, time(NULL));
	if (smfi_insheader(ctx, 0, MILTER_TRACE_HEADER, value) !=
	    MI_SUCCESS) {
		log_warnx("%s: cannot add the trace header: tempfail", qid);
		return SMFIS_TEMPFAIL;
	}
	if (m->msg_route[0] != '\0' && smfi_addheader(ctx,
	    MILTER_ROUTE_HEADER, m->msg_route) != MI_SUCCESS) {
		log_warnx("%s: cannot add the route header: tempfail", qid);
		return SMFIS_TEMPFAIL;
	}
	log_debug("%s: client=%s inside=%d hops=%d class=%s system=%d "
	    "decision=accept trace=\"%s\"", qid, *c->conn_addr != '\0' ?
	    c->conn_addr : "local", inside, m->msg_nhops,
	    milter_class_prio_name(m->msg_class.priority),
	    m->msg_class.system, value);
	return SMFIS_CONTINUE;
}

/* cb_eom - end of message: everything is decided here */
static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct milter_conn *c = cb_conn(ctx);
	const char *i = smfi_getsymval(ctx, "i");
	struct milter_lst *l;
	sfsistat rc;

	c->conn_msg.msg_size += 2;	/* the empty line after the headers */
	if (i != NULL && *i != '\0')
		c->conn_msg.msg_qid = cb_clean(i, MILTER_QID_MAX);
	if ((l = milter_lst_get(&milter_holder)) == NULL) {
		log_warnx("%s: decision=defer status=4.3.0 reason=\"no LST "
		    "snapshot loaded\"", i != NULL && *i != '\0' ? i :
		    "NOQUEUE");
		smfi_setreply(ctx, "451", "4.3.0", "no LST snapshot loaded");
		rc = SMFIS_TEMPFAIL;
	} else {
		rc = cb_eom_lst(ctx, c, l, c->conn_msg.msg_qid != NULL ?
		    c->conn_msg.msg_qid : "NOQUEUE");
		milter_lst_put(&milter_holder, l);
	}
	milter_msg_reset(&c->conn_msg);
	return rc;
}

/* cb_abort - the message is dropped by the MTA */
static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		milter_msg_reset(&c->conn_msg);
	return SMFIS_CONTINUE;
}

/* cb_close - the one place a connection's state is freed, last */
static sfsistat
cb_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		smfi_setpriv(ctx, NULL);
		milter_msg_reset(&c->conn_msg);
		route_decision_free(&c->conn_dec);
		free(c);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_desc = {
	.xxfi_name = "lsa-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = CB_ACTIONS,	/* what negotiate may ask for */
	.xxfi_connect = cb_connect,	/* the client address */
	.xxfi_helo = NULL,		/* not used: SMFIP_NOHELO */
	.xxfi_envfrom = cb_envfrom,	/* new message, the sender */
	.xxfi_envrcpt = cb_envrcpt,	/* the recipients */
	.xxfi_header = cb_header,	/* trace, class, size */
	.xxfi_eoh = NULL,		/* not used: SMFIP_NOEOH */
	.xxfi_body = cb_body,		/* size */
	.xxfi_eom = cb_eom,		/* the verdict, the trace header */
	.xxfi_abort = cb_abort,		/* message dropped */
	.xxfi_close = cb_close,		/* frees the connection */
	.xxfi_unknown = NULL,		/* not used: SMFIP_NOUNKNOWN */
	.xxfi_data = NULL,		/* not used: SMFIP_NODATA */
	.xxfi_negotiate = cb_negotiate,	/* the above, no more */
};
