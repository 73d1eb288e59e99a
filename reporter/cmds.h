/*
 * cmds.h: flake-reporter's subcommands, dispatched from main.c's table.
 * Each returns an exit status (0 ok, 2 usage or error); on 2 it has filled
 * err with the message main() prints once.
 */
#ifndef REPORTER_CMDS_H
#define REPORTER_CMDS_H

#include "core/err.h"

int cmd_serve(int argc, char **argv, struct err *err);
int cmd_token(int argc, char **argv, struct err *err);
int cmd_prune(int argc, char **argv, struct err *err);
int cmd_backup(int argc, char **argv, struct err *err);
int cmd_quarantine(int argc, char **argv, struct err *err);

#endif
