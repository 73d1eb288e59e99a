/*
 * main.c: flake-reporter's entry point: one table of subcommands; the
 * error a subcommand returns is printed once, here.
 */
#include "core/version.h"
#include "cmds.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>


static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct err *err);
	const char *help;
} commands[] = {
	{ "serve", cmd_serve, "run the HTTP service (uploads, API, PR comments)" },
	{ "token", cmd_token, "create, list or revoke upload tokens" },
	{ "prune", cmd_prune, "delete the raw rows of old runs (rollups stay)" },
	{ "quarantine", cmd_quarantine, "add, remove or list quarantined tests" },
	{ "backup", cmd_backup, "write a consistent copy of the database, online" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: flake-reporter <command> [options]\n\n"
		"Keeps the flake history of an organisation's repositories:\n"
		"ingests flake-collector uploads, computes flake rates and keeps\n"
		"one PR comment current.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'flake-reporter <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	struct err err = ERR_INIT;
	size_t i;
	int rc;

	/* Before any thread: libcurl's global state is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("flake-reporter %s\n", FLAKE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = commands[i].fn(argc - 1, argv + 1, &err);
		if (rc && err.msg[0])
			fprintf(stderr, "flake-reporter: %s\n", err.msg);
		return rc;
	}
	fprintf(stderr, "flake-reporter: unknown command '%s' (see --help)\n",
		argv[1]);
	return 2;
}
