/*
 * cli.h: table-driven command-line options.  One table per subcommand
 * drives parsing, validation and --help, so the help text can never
 * disagree with what is accepted.  Options are GNU-style long options
 * ("--count 3" or "--count=3"); operands may stand between them.
 *
 * Lifecycle:
 *   1. static const struct cli_opt opts[] = { { "count", ID, "N", "..." },
 *      ..., { NULL, 0, NULL, NULL } };
 *   2. struct cli_state st = CLI_STATE_INIT;
 *      while ((id = cli_next(opts, &st, argc, argv, &arg, err)) > 0)
 *      handle id (CLI_OPERAND: arg is an operand; 'h': --help or -h);
 *      0 ends the options: at the end of argv, or after "--" (then
 *      argv[st.i..argc) is what followed it); -1 is an error (err names
 *      the option).
 *   3. cli_help(opts, stdout) for --help.
 */
#ifndef CORE_CLI_H
#define CORE_CLI_H

#include "err.h"

#include <stdio.h>

struct cli_opt {
	const char *name;	/* long name, without "--" */
	int id;			/* > 0 and not 'h', returned by cli_next() */
	const char *arg;	/* argument name for help, NULL for a flag */
	const char *help;	/* one line; a default goes in the text */
};

struct cli_state {
	int i;			/* next argv index */
};

#define CLI_STATE_INIT { 1 }
#define CLI_OPERAND 0x7fff

/* Returns the next option's id, CLI_OPERAND, 0 at the end, -1 on error. */
int cli_next(const struct cli_opt *opts, struct cli_state *st, int argc,
	     char **argv, const char **arg, struct err *err);

void cli_help(const struct cli_opt *opts, FILE *f);

/* Value parsers: 0 on success, -1 with err naming the option. */
int cli_int(const char *opt, const char *s, long min, long max, long *out,
	    struct err *err);
/* "off"|"on" (also false/true, 0/1, no/yes) -> 0/1. */
int cli_onoff(const char *opt, const char *s, int *out, struct err *err);
/* A Go duration ("90s", "10m", "1h30m") -> milliseconds. */
int cli_duration(const char *opt, const char *s, long long *ms,
		 struct err *err);



/*
 * Concatenates the tables a and b into out (room for max entries including
 * the terminator).  Returns out.
 */
struct cli_opt *cli_merge(struct cli_opt *out, size_t max,
			  const struct cli_opt *a, const struct cli_opt *b);
#endif
