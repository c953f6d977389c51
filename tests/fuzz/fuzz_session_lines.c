/*
 * fuzz_session_lines.c - libFuzzer target: any bytes as the lines a
 * client sends to the server side of a session, before TLS, after it and
 * in link-state mode, through the command verdicts (session_cmd.c), the
 * chunk assembler (l2s.c) and the message decoder (lsrec.c).
 *
 * The first byte decides what the impure steps would have done (bit 0:
 * the TLS handshake after STARTTLS succeeds; bit 1: the EHLO after TLS
 * names an authenticated neighbour); the rest is cut at '\n' (a CR before
 * it is dropped) and each line, copied to an exactly sized buffer so ASan
 * sees any read past it, goes to a simulated session that moves through
 * the states as session.c does and is bounded as its reader is (512
 * bytes a command line, 1000 in link-state mode). When the session ends a
 * new one takes the next line. Besides memory errors, it aborts when:
 *   - a verdict is out of range, a command is taken in a state that does
 *     not take it, an argument points outside its line, a reply is not a
 *     4xx/5xx line ending in CRLF, or an end comes without a reason;
 *   - more than AGENT_SETUP_COMMANDS commands are taken before
 *     authentication, or AGENT_BAD_COMMANDS bad ones at any time;
 *   - what the server would have written before authentication (replies
 *     with a name of TOPO_NAME_MAX characters) exceeds
 *     AGENT_SETUP_OUTPUT_MAX: the budget alone bounds it;
 *   - the assembler or the decoder fails without a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_priv.h"
#include "lsrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* what the real server writes for taken commands (session.c) */
#define FUZZ_EHLO_REPLY		(sizeof("250-\r\n250-STARTTLS\r\n250 \r\n") - 1 + \
				 TOPO_NAME_MAX + sizeof(L2S_VERB) - 1)
#define FUZZ_OK_REPLY		(sizeof("250 2.0.0 OK\r\n") - 1)
#define FUZZ_QUIT_REPLY		(sizeof("221 2.0.0 Bye\r\n") - 1)
#define FUZZ_TLS_REPLY		(sizeof("220 2.0.0 Ready to start TLS\r\n") - 1)

struct fuzz_session {
	enum session_state st;
	int		 setup;		/* not authenticated */
	struct scmd_count c;
	size_t		 out;		/* bytes written before authentication */
	struct l2s_asm	 asm_;
	unsigned	 choices;
};

static void
fuzz_begin(struct fuzz_session *f, unsigned choices)
{
	memset(f, 0, sizeof(*f));
	f->st = SS_GREETED;
	f->setup = 1;
	f->choices = choices;
	l2s_asm_init(&f->asm_);
}

static void
fuzz_end(struct fuzz_session *f)
{
	l2s_asm_free(&f->asm_);
	fuzz_begin(f, f->choices);
}

/* fuzz_reply_ok - a 4xx/5xx reply line of sane length ending in CRLF */
static int
fuzz_reply_ok(const char *r)
{
	size_t n = strlen(r);

	return n >= 6 && n <= 100 && (r[0] == '4' || r[0] == '5') &&
	    r[3] == ' ' && r[n - 2] == '\r' && r[n - 1] == '\n' &&
	    memchr(r, '\n', n - 1) == NULL;
}

/* fuzz_out - count what the server writes before authentication */
static void
fuzz_out(struct fuzz_session *f, size_t n)
{
	if (!f->setup)
		return;
	f->out += n;
	if (f->out > AGENT_SETUP_OUTPUT_MAX)
		abort();
}

/* fuzz_command - one command line, as session_command() takes it */
static void
fuzz_command(struct fuzz_session *f, const char *line, size_t len)
{
	struct scmd_verdict v;
	enum session_state st = f->st;

	scmd_take(st, f->setup, &f->c, line, len, &v);
	if ((unsigned)v.what > SCMD_CLOSE)
		abort();
	if (v.arg == NULL || v.arg < line || v.arg > line + len)
		abort();
	if (v.reply != NULL) {
		if (!fuzz_reply_ok(v.reply))
			abort();
		fuzz_out(f, strlen(v.reply));
	}
	if (v.what == SCMD_CLOSE) {
		if (v.why == NULL || v.why[0] == '\0')
			abort();
		fuzz_end(f);
		return;
	}
	if (v.why != NULL || v.bad)
		abort();
	if (f->setup && f->c.setup > AGENT_SETUP_COMMANDS)
		abort();
	if (f->c.bad >= AGENT_BAD_COMMANDS)
		abort();
	switch (v.what) {
	case SCMD_EHLO:
		if (st == SS_GREETED || st == SS_EHLO) {
			fuzz_out(f, FUZZ_EHLO_REPLY);
			f->st = SS_EHLO;
		} else if (st == SS_TLS_GREETED) {
			if (!(f->choices & 2)) {	/* 554, refused */
				fuzz_end(f);
				return;
			}
			f->setup = 0;
			f->st = SS_READY;
		} else
			abort();
		break;
	case SCMD_STARTTLS:
		if (st != SS_EHLO)
			abort();
		fuzz_out(f, FUZZ_TLS_REPLY);
		if (!(f->choices & 1)) {	/* handshake failed */
			fuzz_end(f);
			return;
		}
		f->st = SS_TLS_GREETED;
		break;
	case SCMD_LINK:
		if (st != SS_READY || *v.arg != '\0')
			abort();
		f->st = SS_LINK;
		break;
	case SCMD_NOOP:
		fuzz_out(f, FUZZ_OK_REPLY);
		break;
	case SCMD_QUIT:
		fuzz_out(f, FUZZ_QUIT_REPLY);
		fuzz_end(f);
		break;
	case SCMD_REPLY:
		if (v.reply == NULL)
			abort();
		break;
	case SCMD_CLOSE:
		abort();
	}
}

/* fuzz_link - one line in link-state mode, as session_link_line() */
static void
fuzz_link(struct fuzz_session *f, const char *line, size_t len)
{
	char err[160] = "";
	const char *msg = NULL;
	size_t mlen = 0;
	struct lsmsg m;

	switch (l2s_asm_line(&f->asm_, line, len, &msg, &mlen, err,
	    sizeof(err))) {
	case L2S_MORE:
	case L2S_NOOP:
		return;
	case L2S_QUIT:
		fuzz_end(f);
		return;
	case L2S_MSG:
		if (msg == NULL)
			abort();
		err[0] = '\0';
		if (lsmsg_decode(msg, mlen, &m, err, sizeof(err)) == 0)
			lsmsg_clear(&m);
		else if (err[0] == '\0')
			abort();
		return;
	case L2S_ERR:
		if (err[0] == '\0')
			abort();
		fuzz_end(f);
		return;
	}
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_session f;
	const char *p, *end;

	if (size == 0)
		return 0;
	fuzz_begin(&f, data[0]);
	for (p = (const char *)data + 1, end = (const char *)data + size;
	    p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		size_t len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		size_t max = f.st == SS_LINK ? L2S_LINE_MAX :
		    AGENT_SMTP_LINE_MAX;
		char *line;

		p += n + (nl != NULL);
		if (len + 2 > max) {		/* "line too long" */
			fuzz_end(&f);
			continue;
		}
		if ((line = malloc(len + 1)) == NULL)
			abort();
		memcpy(line, p - n - (nl != NULL), len);
		line[len] = '\0';
		if (f.st == SS_LINK)
			fuzz_link(&f, line, len);
		else
			fuzz_command(&f, line, len);
		free(line);
	}
	l2s_asm_free(&f.asm_);
	return 0;
}
