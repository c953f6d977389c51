/*
 * route_msg.h - whole-message next hops: the one case transport lookups
 * cannot serve.
 *
 * Transport lookups (lsa-policyd's socketmap) know the recipient only, so
 * they answer the default class's route (route.h, rule 8). A message of
 * another class (a priority, a system message) may have a route of its
 * own, e.g. over a cheaper connector reserved to high priority. lsa-milter
 * sees the class and all the recipients at once, and may steer the whole
 * message with a header that milter_header_checks maps to FILTER
 * transport:nexthop (postconf(5)).
 *
 * route_msg_filter() decides whether to: it returns 1 and the class's
 * next-hop string in out ("smtp:[a]:25,[b]:25", no spaces: the header
 * checks action takes one word) when every recipient's decision for the
 * class is relay with one and the same next-hop string, and that string
 * differs from the default class's answer for at least one recipient;
 * otherwise 0 (leave the message to transport_maps: recipients that
 * disagree, a class routed as the default one, any recipient the class
 * does not relay, or a string longer than outlen). Decisions at rotation
 * 0, with the message's sender and size, as route_decide_class() makes
 * them. d is scratch space owned by the caller.
 */
#ifndef LSA_ROUTE_MSG_H
#define LSA_ROUTE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "route.h"

int route_msg_filter(const struct route_table *rt, const char *sender,
    const char *const *rcpts, int nrcpts, uint64_t size,
    const struct route_class *cls, struct route_decision *d, char *out,
    size_t outlen);

#endif
