/*
 * main.c: flake-collector's entry point: dispatches to a subcommand from
 * one table, prints the error a subcommand returns (once), and exits with
 * its status.
 */
#include "core/version.h"
#include "cmds.h"

#include <signal.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>


static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct err *err);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run the Go test matrix and give every test a verdict" },
	{ "analyze", cmd_analyze, "the same verdicts and outputs from existing go test -json files" },
	{ "history", cmd_history, "print flake rates from the history database" },
	{ "publish", cmd_publish, "the PR comment, summary and annotations of another run's results document (fork PRs)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: flake-collector <command> [options] [args]\n\n"
		"Finds flaky Go tests: runs them under -race and several\n"
		"GOMAXPROCS values, many times, and keeps score over time.\n\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'flake-collector <command> --help' describes a command.\n"
		"Exit status: 0 clean, 1 the --fail-on policy tripped,\n"
		"2 usage or internal error.\n");
}

int main(int argc, char **argv)
{
	struct err err = ERR_INIT;
	size_t i;
	int rc;

	/* Before any thread: libcurl's global state is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* A closed pipe on stdout must be an error return, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("flake-collector %s\n", FLAKE_VERSION);
		return EXIT_CLEAN;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = commands[i].fn(argc - 1, argv + 1, &err);
		if (rc == EXIT_ERROR && err.msg[0])
			fprintf(stderr, "flake-collector: %s\n", err.msg);
		if (fflush(stdout) && rc != EXIT_ERROR) {
			fprintf(stderr, "flake-collector: cannot write to stdout\n");
			rc = EXIT_ERROR;
		}
		return rc;
	}
	fprintf(stderr, "flake-collector: unknown command '%s' (see --help)\n",
		argv[1]);
	return EXIT_ERROR;
}
