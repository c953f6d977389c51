/*
 * pqlist.h - the mail queue as `postqueue -j` lists it, read so that
 * deferred messages whose route changed can be retried (postqueue -i ID).
 *
 * postqueue(1), "JSON OBJECT FORMAT": one JSON object a queue file, on a
 * line of its own ending in '\n':
 *
 *   {"queue_name": "deferred", "queue_id": "4Xq3Lk1bVz5sYtq",
 *    "arrival_time": 1718000000, "message_size": 1234,
 *    "forced_expire": false, "sender": "alice@contoso.test",
 *    "recipients": [{"address": "bob@fabrikam.test",
 *                    "delay_reason": "connect to ...: Connection refused"}]}
 *
 * pqlist_parse_line() reads one such line (len bytes, not necessarily
 * NUL-terminated; one trailing '\n' is dropped) with jansson and keeps
 * what the retry needs. It refuses, with a reason in err and m cleared:
 *   - a line over PQLIST_LINE_MAX bytes (without its '\n'), before
 *     parsing it;
 *   - bad JSON (a key given twice included), or JSON that is not an
 *     object;
 *   - "queue_name" missing, not a string, empty or over
 *     PQLIST_NAME_MAX bytes (kept as given otherwise);
 *   - "queue_id" missing, not a string, or not 1 to PQLIST_ID_MAX
 *     characters of [0-9A-Za-z]: it goes on a command line;
 *   - "sender" present but not a string (missing: the null sender, "");
 *   - "recipients" missing or not an array, or holding more than
 *     PQLIST_RCPT_MAX entries; an entry that is not an object with a
 *     string "address" (kept as given; "delay_reason" is not kept, but
 *     a recipient deferred by a "450 4.4.6" reply, lsa-policyd's loop
 *     refusal, sets loop_refused; one deferred as "deferred transport",
 *     qmgr's word for mail held by defer_transports (lsa-policyd's hold
 *     transport), sets held).
 * Other members are ignored: Postfix adds members over time.
 *
 * On success the message owns its sender and its recipients; neither
 * sender nor rcpts nor any rcpts[i] is NULL (rcpts is an empty array
 * when nrcpts is 0). pqlist_msg_clear() frees them and zeroes m; it may
 * be called on a cleared message.
 *
 * pqlist_split() cuts buf[0..len) into lines at '\n' (a last line
 * without one counts too; an empty line is a line, and is refused), and
 * calls fn once a line, in order, with lineno counting from 1: with ok
 * 1, the message and err NULL; or with ok 0, m NULL and the reason.
 * The message is cleared when fn returns: fn copies what it keeps. It
 * returns the number of lines refused.
 */
#ifndef LSA_PQLIST_H
#define LSA_PQLIST_H

#include <stddef.h>

#define PQLIST_LINE_MAX		(1024 * 1024)	/* bytes, without '\n' */
#define PQLIST_RCPT_MAX		10000		/* recipients a message */
#define PQLIST_LOOP_STATUS	"4.4.6"		/* lsa-policyd's loop refusal */
#define PQLIST_HELD_REASON	"deferred transport"	/* defer_transports */
#define PQLIST_NAME_MAX		15		/* queue_name bytes */
#define PQLIST_ID_MAX		31		/* queue_id characters */

struct pq_msg {
	char	 queue_name[PQLIST_NAME_MAX + 1];	/* "deferred", ... */
	char	 queue_id[PQLIST_ID_MAX + 1];	/* [0-9A-Za-z], 1..31 */
	char	*sender;		/* as given ("" for the null sender) */
	char	**rcpts;		/* recipient addresses, nrcpts of them */
	int	 nrcpts;
	int	 loop_refused;		/* a recipient deferred by 4.4.6 */
	int	 held;			/* a recipient held: defer_transports */
};

int pqlist_parse_line(const char *line, size_t len, struct pq_msg *m,
    char *err, size_t errlen);
void pqlist_msg_clear(struct pq_msg *m);
int pqlist_split(const char *buf, size_t len,
    void (*fn)(void *arg, int ok, const struct pq_msg *m, const char *err,
    size_t lineno), void *arg);

#endif
