/*
 * l2s.h - X-LINK2STATE chunk framing: the lines that carry agent messages
 * (lsrec.h) on port 691 once a session is in link-state mode.
 *
 * A message (its JSON bytes) is base64 (OpenSSL) and cut into chunks of
 * at most L2S_CHUNK_RAW bytes, one a line:
 *
 *   X-LINK2STATE ONE CHUNK=<base64>          a message in one chunk
 *   X-LINK2STATE FIRST CHUNK=<base64>        opens a message
 *   X-LINK2STATE NEXT CHUNK=<base64>         continues it
 *   X-LINK2STATE LAST CHUNK=<base64>         ends it
 *   NOOP                                     keepalive, no reply
 *   QUIT                                     the peer is leaving
 *
 * Lines end in CRLF (a bare LF is accepted) and are at most L2S_LINE_MAX
 * bytes with the line end, as RFC 5321 text lines. The assembler insists
 * that a chunk sequence starts where it must: NEXT or LAST with no open
 * message, FIRST or ONE inside one, a chunk that is not whole base64, or
 * a message growing past LSMSG_MAX_BYTES is an error, and the session
 * that sent it must end (the CVE-2005-0560 class of bug cannot happen:
 * sizes are checked before anything is copied).
 *
 * l2s_asm_line() takes one line without its line end. Ownership: the
 * assembler owns its buffer; a message returned by l2s_asm_line() is
 * borrowed until the next call.
 */
#ifndef LSA_L2S_H
#define LSA_L2S_H

#include <stddef.h>

#define L2S_LINE_MAX	1000			/* with CRLF */
#define L2S_CHUNK_RAW	720			/* bytes before base64 */
#define L2S_VERB	"X-LINK2STATE"

enum l2s_result {
	L2S_ERR = -1,
	L2S_MORE = 0,		/* a chunk taken, the message goes on */
	L2S_MSG,		/* a whole message is ready */
	L2S_NOOP,
	L2S_QUIT,
};

struct l2s_asm {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 open;		/* inside FIRST ... LAST */
	size_t	 max;		/* message limit, LSMSG_MAX_BYTES by default */
};

void l2s_asm_init(struct l2s_asm *a);
void l2s_asm_free(struct l2s_asm *a);
enum l2s_result l2s_asm_line(struct l2s_asm *a, const char *line,
    size_t len, const char **msg, size_t *msglen, char *err, size_t errlen);
char *l2s_encode(const char *msg, size_t len, size_t *outlen);

#endif
