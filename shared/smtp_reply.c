/*
 * smtp_reply.c - the SMTP reply for a refusing decision (smtp_reply.h).
 */
#include <stdio.h>
#include <string.h>

#include "smtp_reply.h"

/* smtp_reply_code - the reply code that goes with an enhanced status */
const char *
smtp_reply_code(const char *status)
{
	return strcmp(status, "5.3.4") == 0 ? "552" : "550";
}

/* smtp_reply_format - "CODE STATUS REASON" of a bounce decision */
int
smtp_reply_format(char *buf, size_t len, const struct route_decision *d)
{
	return snprintf(buf, len, "%s %s %s", smtp_reply_code(d->status),
	    d->status, d->reason);
}
