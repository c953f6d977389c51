/*
 * route_msg.c - whole-message next hops (see route_msg.h).
 */
#include <string.h>

#include "route_msg.h"

/* route_msg_squeeze - s without spaces into out; -1 when it does not fit */
static int
route_msg_squeeze(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (n + 1 >= outlen)
			return -1;
		out[n++] = *s;
	}
	if (outlen == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* route_msg_filter - see route_msg.h */
int
route_msg_filter(const struct route_table *rt, const char *sender,
    const char *const *rcpts, int nrcpts, uint64_t size,
    const struct route_class *cls, struct route_decision *d, char *out,
    size_t outlen)
{
	char hop[1024];
	int differs = 0;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (cls == NULL || nrcpts <= 0)
		return 0;
	for (int i = 0; i < nrcpts; i++) {
		route_decide_class(rt, sender, rcpts[i], size, 0, cls, d);
		if (d->action != ROUTE_RELAY || d->transport == NULL ||
		    route_msg_squeeze(d->transport, hop, sizeof(hop)) < 0 ||
		    (i == 0 && strlen(hop) >= outlen) ||
		    (i > 0 && strcmp(out, hop) != 0)) {
			out[0] = '\0';	/* not relayed, or they disagree */
			return 0;
		}
		if (i == 0)
			memcpy(out, hop, strlen(hop) + 1);
		route_decide_class(rt, sender, rcpts[i], size, 0, NULL, d);
		if (d->action != ROUTE_RELAY || d->transport == NULL ||
		    route_msg_squeeze(d->transport, hop, sizeof(hop)) < 0 ||
		    strcmp(out, hop) != 0)
			differs = 1;
	}
	if (!differs)
		out[0] = '\0';
	return differs;
}
