/*
 * cmds.h: the collector's subcommands, dispatched from main.c's table.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand) and
 * returns an exit status from enum exit_code.  On EXIT_ERROR it has filled
 * err with the message, which main() prints once ("flake-collector: ...").
 * Subcommands print their own --help to stdout and return EXIT_CLEAN.
 */
#ifndef COLLECTOR_CMDS_H
#define COLLECTOR_CMDS_H

#include "core/err.h"

enum exit_code {
	EXIT_CLEAN = 0,		/* nothing tripped the policy */
	EXIT_POLICY = 1,	/* --fail-on tripped */
	EXIT_ERROR = 2,		/* usage or internal error */
};

int cmd_run(int argc, char **argv, struct err *err);
int cmd_analyze(int argc, char **argv, struct err *err);
int cmd_history(int argc, char **argv, struct err *err);
int cmd_publish(int argc, char **argv, struct err *err);

#endif
