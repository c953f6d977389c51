/*
 * lsactl.h - what the command files of lsactl share.
 */
#ifndef LSA_LSACTL_H
#define LSA_LSACTL_H

#include "progconf.h"

void lsactl_usage(void) __attribute__((noreturn));
int lsactl_load(struct progconf *pc, const char *settings,
    const char *topology);
int lsactl_cmd_route(int argc, char **argv);
int lsactl_cmd_snapshot(int argc, char **argv);
int lsactl_cmd_agent(int argc, char **argv);

#endif
