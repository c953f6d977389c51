/*
 * hop_policy.h - what one SMTP hop demands: the TLS policy and the SASL
 * credentials of a next hop, from the topology. lsa-policyd serves them
 * as the socketmap tables tls_policy (smtp_tls_policy_maps) and
 * sasl_passwd (smtp_sasl_password_maps).
 *
 * Keys, as Postfix 3.7's smtp(8) asks them (README "Postfix wiring";
 * src/smtp/smtp_tls_policy.c, smtp_sasl_glue.c, smtp_connect.c): our
 * next hops are lists "[a]:25, [b]:25"; smtp(8) splits them and tries
 * each element in turn, and for each it asks the TLS table with the
 * element as written, "[a]:25" (one lookup: a bracketed next hop is no
 * domain, so no parent domains are tried), and, when the server offers
 * AUTH, the SASL table first with the host ("a": an address literal's
 * address, else the name) and then with the element "[a]:25".
 *
 * TLS answers (Postfix security levels, smtp_tls_policy_maps(5)):
 *   a server S of the organization   the strongest `tls` of the enabled
 *   (address and smtp_port match)    group connectors from here to S
 *                                    (this server a source, S a target);
 *                                    none (same group, relay = direct):
 *                                    TOPO_TLS_GROUP_DEFAULT
 *     verify                         "secure match=S tafile=CA": the
 *                                    certificate must chain to the
 *                                    organization's CA and name S
 *     encrypt, may, none             "encrypt", "may", "none"
 *   a smart host of an enabled outside connector with this server as a
 *   source (the first in file order): its `tls`, verify as "secure"
 *   (the smart host's name, smtp_tls_CAfile's CAs)
 *   anything else (a domain: DNS MX)  not found: main.cf decides
 * tafile is the CA file Postfix reads (empty: "secure match=S" alone,
 * smtp_tls_CAfile's CAs); one with blanks or commas cannot be written in
 * a policy: -1 (lsa-policyd answers TEMP, the mail waits).
 * SASL: the first enabled outside connector with this server as a
 * source, an `auth` and a smart host matching the key (the host alone
 * matches every port of it); no other key is ever answered.
 */
#ifndef LSA_HOP_POLICY_H
#define LSA_HOP_POLICY_H

#include <stddef.h>

#include "topology.h"

#define HOP_POLICY_MAX	512	/* bytes of a TLS answer, NUL included */

int hop_tls_policy(const struct topology *t, int self, const char *key,
    const char *tafile, char *out, size_t outlen);
int hop_sasl_connector(const struct topology *t, int self, const char *key);

#endif
