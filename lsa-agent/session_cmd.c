/*
 * session_cmd.c - the server side's ESMTP phase as a pure function: what
 * one command line asks for in a session's state, within the session's
 * budgets. No I/O and no agent: session.c carries the verdict out (the
 * replies, TLS, the checks of who calls after it), and
 * tests/fuzz/fuzz_session_lines.c feeds it any lines.
 *
 * Budgets: before authentication (until the EHLO after TLS names a
 * neighbour that its certificate names) every command line counts, and
 * the (AGENT_SETUP_COMMANDS + 1)th ends the session with 421, whatever it
 * is: an unauthenticated client cannot make the agent answer for ever. At
 * any time AGENT_BAD_COMMANDS commands that are not taken (unknown, out
 * of sequence, with a bad argument) end the session.
 */
#include <string.h>
#include <strings.h>

#include "agent_priv.h"

#define IN(st)	(1u << (st))
static const struct {
	const char	*verb;
	unsigned	 states;	/* where it is taken */
	enum scmd_do	 what;
} scmd_table[] = {
	{ "EHLO", IN(SS_GREETED) | IN(SS_EHLO) | IN(SS_TLS_GREETED),
	    SCMD_EHLO },
	{ "HELO", IN(SS_GREETED) | IN(SS_EHLO) | IN(SS_TLS_GREETED),
	    SCMD_EHLO },
	{ "STARTTLS", IN(SS_EHLO), SCMD_STARTTLS },
	{ L2S_VERB, IN(SS_READY), SCMD_LINK },
	{ "NOOP", ~0u, SCMD_NOOP },
	{ "RSET", ~0u, SCMD_NOOP },
	{ "QUIT", ~0u, SCMD_QUIT },
};
#define SCMD_N	(sizeof(scmd_table) / sizeof(scmd_table[0]))

/* scmd_bad - a command not taken: its reply, and the end at the limit */
static void
scmd_bad(struct scmd_count *c, const char *reply, struct scmd_verdict *v)
{
	v->what = SCMD_REPLY;
	v->reply = reply;
	if (++c->bad >= AGENT_BAD_COMMANDS) {
		v->what = SCMD_CLOSE;
		v->why = "too many bad commands";
		v->bad = 1;
	}
}

/*
 * scmd_take - the verdict on one command line of len bytes (line[len] is
 * NUL; the line may hold other NULs) in state st; setup: the session is
 * not authenticated yet. Updates c. v->arg points into line.
 */
void
scmd_take(enum session_state st, int setup, struct scmd_count *c,
    const char *line, size_t len, struct scmd_verdict *v)
{
	const char *arg;
	size_t i, vlen;

	memset(v, 0, sizeof(*v));
	v->arg = line + len;	/* its NUL: no argument */
	if (memchr(line, '\0', len) != NULL) {
		v->what = SCMD_CLOSE;
		v->why = "NUL in command";
		v->bad = 1;
		return;
	}
	if (setup && ++c->setup > AGENT_SETUP_COMMANDS) {
		v->what = SCMD_CLOSE;
		v->reply = "421 4.7.0 Too many commands before "
		    "authentication\r\n";
		v->why = "too many commands before authentication";
		v->bad = 1;
		return;
	}
	arg = line + strcspn(line, " ");
	vlen = (size_t)(arg - line);
	while (*arg == ' ')
		arg++;
	for (i = 0; i < SCMD_N; i++)
		if (strlen(scmd_table[i].verb) == vlen &&
		    strncasecmp(line, scmd_table[i].verb, vlen) == 0)
			break;
	if (i < SCMD_N && (scmd_table[i].states & (1u << st))) {
		if (scmd_table[i].what == SCMD_LINK && *arg != '\0') {
			scmd_bad(c, "501 5.5.4 no argument expected\r\n", v);
			return;
		}
		v->what = scmd_table[i].what;
		v->arg = arg;
		return;
	}
	if (st == SS_GREETED || st == SS_EHLO)
		scmd_bad(c, "530 5.7.0 Must issue a STARTTLS command first\r\n",
		    v);
	else if (i < SCMD_N)
		scmd_bad(c, "503 5.5.1 Bad sequence of commands\r\n", v);
	else
		scmd_bad(c, "500 5.5.2 Command unrecognized\r\n", v);
}
