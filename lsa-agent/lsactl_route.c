/*
 * lsactl_route.c - lsactl route: what-if routing from the files.
 */
#include <stdio.h>

#include "lsactl.h"

/* lsactl_cmd_route - placeholder until the routing engine lands */
int
lsactl_cmd_route(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lsactl: route: the routing engine is not built\n");
	return 1;
}
