/*
 * lsactl.h - what the command files of lsactl share.
 */
#ifndef LSA_LSACTL_H
#define LSA_LSACTL_H

#include "progconf.h"

void lsactl_usage(void) __attribute__((noreturn));
int lsactl_load(struct progconf *pc, const char *settings,
    const char *topology);
int lsactl_settings(struct settings *s, const char *file);
int lsactl_cmd_route(int argc, char **argv);
int lsactl_cmd_snapshot(int argc, char **argv);
int lsactl_cmd_agent(int argc, char **argv);

/* lsactl_setup.c: postfix-setup, and its list parser (fuzzed) */
struct lsactl_tok {
	size_t	off, len;
};
int lsactl_cmd_postfix_setup(int argc, char **argv);
int lsactl_cmd_pki(int argc, char **argv);
int lsactl_setup_tokens(const char *s, struct lsactl_tok *t, int max);
int lsactl_setup_names(const char *s, const struct lsactl_tok *t,
    const char *addr);
char *lsactl_setup_milter_addr(const char *m);

#endif
