/*
 * smtp_reply.h - the SMTP reply for a routing decision that refuses mail,
 * made in one place so lsa-policyd (policy delegation) and lsa-milter
 * (end of message) never answer one decision differently.
 *
 *   smtp_reply_code()    "552" for status 5.3.4 (message too big for the
 *                        route, RFC 1870/3463), "550" for every other
 *                        permanent status (5.4.4, 5.7.1)
 *   smtp_reply_format()  "CODE STATUS REASON" for a ROUTE_BOUNCE decision,
 *                        as policyd's action= and the milter's reply carry
 *                        it; returns snprintf's count
 */
#ifndef LSA_SMTP_REPLY_H
#define LSA_SMTP_REPLY_H

#include <stddef.h>

#include "route.h"

const char *smtp_reply_code(const char *status);
int smtp_reply_format(char *buf, size_t len, const struct route_decision *d);

#endif
