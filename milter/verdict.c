/*
 * verdict.c - what lsa-milter decides at the end of a message.
 *
 * In order, on the snapshot of that moment (one reference held by the
 * caller):
 *  1. Loop: the trace (trusted headers only, newest first) shows the
 *     message in this server's group, then in another, and now here
 *     again (A, B, A): `loop_action`, defer "451 4.4.6" (the mail waits
 *     at the previous hop until the link state agrees) or bounce
 *     "554 5.4.6", or accept (logged). Hops within one group (A, A) are
 *     no loop.
 *  2. Hop limit: the groups crossed, this one included (a run of hops in
 *     one group counts once), over `hop_limit`: `hop_limit_action`,
 *     bounce "554 5.4.6" or defer "451 4.4.6", or accept (logged).
 *  3. The route checks of lsa-policyd, for mail that never met it (non-
 *     SMTP mail, clients that skip the policy service): each recipient
 *     decided with the sender and the message size; the first decision
 *     that bounces (5.3.4 too big for a connector on its route, 5.7.1
 *     sender refused by one, 5.4.4 no route to an owned domain) refuses
 *     the whole message, with the reply lsa-policyd gives
 *     (smtp_reply_format). Down links never refuse: mail queues at the
 *     point of failure. Recipients are decided for the message's class
 *     (route_decide_class), so a connector that refuses the class
 *     answers 5.7.1.
 *  4. Whole-message next hop: when the class's route differs from the
 *     transport lookups' (the default class's) and every recipient
 *     shares it (route_msg_filter), msg_route is set and cb.c adds
 *     `X-LSA-Route: transport:nexthop`, which milter_header_checks maps
 *     to FILTER.
 * Every refusal and deferral is logged with its reason and the trace.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "milter.h"
#include "route_msg.h"
#include "smtp_reply.h"

/* milter_route_class - the engine's class for the message's */
static struct route_class
milter_route_class(const struct milter_class *k)
{
	struct route_class rc = { ROUTE_PRIO_NORMAL, k->system != 0 };

	if (k->priority == MILTER_PRIO_HIGH)
		rc.priority = ROUTE_PRIO_HIGH;
	else if (k->priority == MILTER_PRIO_LOW)
		rc.priority = ROUTE_PRIO_LOW;
	return rc;
}

/*
 * milter_decide - the one call into the routing engine: the recipient
 * decided for the message's class (cb.c, class.c), as every hop decides
 * it (route.h, rule 8)
 */
static void
milter_decide(const struct milter_lst *l, const struct milter_class *k,
    const char *sender, const char *rcpt, uint64_t size,
    struct route_decision *d)
{
	struct route_class rc = milter_route_class(k);

	route_decide_class(l->rt, sender, rcpt, size, 0, &rc, d);
}

/*
 * milter_inside - a client address the organization's own: a server of
 * the topology, or this host: none ("", non-SMTP mail where the MTA
 * sends no address), or the loopback address (Postfix's
 * non_smtpd_milters connect as localhost, 127.0.0.1)
 */
int
milter_inside(const struct milter_lst *l, const char *addr)
{
	const struct topology *t = l->snap->topo;

	if (*addr == '\0' || strcmp(addr, "127.0.0.1") == 0 ||
	    strcmp(addr, "::1") == 0)
		return 1;
	return topo_find_address(t, addr) >= 0;
}

/* verdict_path - the groups crossed, oldest first, then here: "A,B,A" */
static void
verdict_path(const struct milter_msg *m, const char *here, char *buf,
    size_t len)
{
	size_t off = 0;
	int n;

	buf[0] = '\0';
	for (int i = m->msg_nhops - 1; i >= -1 && off < len; i--) {
		n = snprintf(buf + off, len - off, "%s%s", off > 0 ? "," : "",
		    i >= 0 ? m->msg_hops[i].group : here);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* verdict_loop - the trace left this group and comes back to it */
static int
verdict_loop(const struct milter_msg *m, const char *here)
{
	int other = 0;

	for (int i = 0; i < m->msg_nhops; i++) {
		if (strcmp(m->msg_hops[i].group, here) != 0)
			other = 1;
		else if (other)
			return 1;
	}
	return 0;
}

/* verdict_groups - groups crossed, this one included, runs counted once */
static uint64_t
verdict_groups(const struct milter_msg *m, const char *here)
{
	uint64_t n = 1;
	const char *next = here;

	for (int i = 0; i < m->msg_nhops; i++) {
		if (strcmp(m->msg_hops[i].group, next) != 0)
			n++;
		next = m->msg_hops[i].group;
	}
	return n;
}

/* verdict_act - a trace rule's action: the reply, or PASS for accept */
static enum milter_verdict
verdict_act(int action, const char *what, char *reply, size_t len)
{
	switch (action) {
	case SETTINGS_ACTION_DEFER:
		snprintf(reply, len, "451 4.4.6 %s", what);
		return MILTER_DEFER;
	case SETTINGS_ACTION_BOUNCE:
		snprintf(reply, len, "554 5.4.6 %s", what);
		return MILTER_REJECT;
	default:
		return MILTER_PASS;
	}
}

/*
 * milter_verdict - the message's fate: PASS, or DEFER/REJECT with the
 * reply "CODE STATUS TEXT" in reply
 */
enum milter_verdict
milter_verdict(const struct milter_lst *l, const struct settings *set,
    struct milter_conn *c, char *reply, size_t len)
{
	const struct topology *t = l->snap->topo;
	const char *here = t->groups[t->servers[l->self].group].name;
	const char *qid = c->conn_msg.msg_qid != NULL ? c->conn_msg.msg_qid :
	    "NOQUEUE";
	struct milter_msg *m = &c->conn_msg;
	char path[MILTER_LIST_MAX], what[MILTER_LIST_MAX + 128];
	enum milter_verdict v;
	uint64_t groups;

	verdict_path(m, here, path, sizeof(path));
	if (verdict_loop(m, here)) {
		snprintf(what, sizeof(what), "routing loop: the message "
		    "already left group %s (trace %s)", here, path);
		v = verdict_act(set->loop_action, what, reply, len);
		log_info("%s: decision=%s status=%s reason=\"routing loop\" "
		    "trace=\"%s\" lst_version=%ju", qid,
		    v == MILTER_PASS ? "accept" : v == MILTER_DEFER ?
		    "defer" : "reject", v == MILTER_DEFER ? "4.4.6" :
		    v == MILTER_REJECT ? "5.4.6" : "", path,
		    (uintmax_t)l->snap->lst_version);
		if (v != MILTER_PASS)
			return v;
	}
	if ((groups = verdict_groups(m, here)) > set->hop_limit) {
		snprintf(what, sizeof(what), "too many hops: %" PRIu64
		    " routing groups, the limit is %" PRIu64 " (trace %s)",
		    groups, set->hop_limit, path);
		v = verdict_act(set->hop_limit_action, what, reply, len);
		log_info("%s: decision=%s status=%s reason=\"hop limit\" "
		    "groups=%" PRIu64 " hop_limit=%" PRIu64 " trace=\"%s\" "
		    "lst_version=%ju", qid, v == MILTER_PASS ? "accept" :
		    v == MILTER_DEFER ? "defer" : "reject",
		    v == MILTER_DEFER ? "4.4.6" : v == MILTER_REJECT ?
		    "5.4.6" : "", groups, set->hop_limit, path,
		    (uintmax_t)l->snap->lst_version);
		if (v != MILTER_PASS)
			return v;
	}
	for (unsigned i = 0; i < m->msg_nrcpt; i++) {
		struct route_decision *d = &c->conn_dec;

		milter_decide(l, &m->msg_class, m->msg_sender != NULL ?
		    m->msg_sender : NULL, m->msg_rcpts[i], m->msg_size, d);
		if (d->action != ROUTE_BOUNCE)
			continue;
		smtp_reply_format(reply, len, d);
		log_info("%s: recipient=%s sender=%s decision=reject "
		    "status=%s size=%" PRIu64 " reason=\"%s\" trace=\"%s\" "
		    "lst_version=%ju", qid, m->msg_rcpts[i],
		    m->msg_sender != NULL ? m->msg_sender : "", d->status,
		    m->msg_size, d->reason, path, (uintmax_t)d->lst_version);
		return MILTER_REJECT;
	}
	/* 4. the whole message steered when its class has a route of its
	 * own that every recipient shares (route_msg.h): X-LSA-Route, which
	 * milter_header_checks turns into FILTER */
	{
		struct route_class rc = milter_route_class(&m->msg_class);

		if (route_msg_filter(l->rt, m->msg_sender != NULL ?
		    m->msg_sender : "", (const char *const *)m->msg_rcpts,
		    (int)m->msg_nrcpt, m->msg_size, &rc, &c->conn_dec,
		    m->msg_route, sizeof(m->msg_route)) == 1)
			log_info("%s: decision=filter class=%s system=%d "
			    "nexthop=\"%s\" trace=\"%s\" lst_version=%ju", qid,
			    milter_class_prio_name(m->msg_class.priority),
			    m->msg_class.system, m->msg_route, path,
			    (uintmax_t)l->snap->lst_version);
	}
	return MILTER_PASS;
}
