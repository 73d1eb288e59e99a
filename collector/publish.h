/*
 * publish.h: what `run` and `analyze` share after the streams are read --
 * the output options, history and the exit policy.
 *
 * Lifecycle:
 *   1. struct publish_opts o; publish_opts_init(&o);
 *   2. for each option id >= PUB_OPT_BASE: publish_opt(&o, &r->meta, ...);
 *   3. after results_finish(): publish(&r, &o, &tripped, err).
 */
#ifndef COLLECTOR_PUBLISH_H
#define COLLECTOR_PUBLISH_H

#include "core/cli.h"
#include "core/results.h"

enum fail_on {
	FAIL_ON_FAILED = 1 << 0,	/* a test failed in every execution of a cell */
	FAIL_ON_NEW_FLAKY = 1 << 1,	/* flaky and class new (docs/GATE.md) */
	FAIL_ON_FLAKY = 1 << 2,		/* flaky at all */
	FAIL_ON_REPEAT = 1 << 3,	/* a state leak across executions */
	FAIL_ON_REGRESSED = 1 << 4,	/* released from quarantine, failing again */
};

struct publish_opts {
	const char *json_path;
	const char *summary_path;
	const char *junit_path;
	const char *db_path;
	int history;		/* keep history in db_path */
	int db_set;		/* --db given */
	unsigned fail_on;
	int fail_on_set;	/* --fail-on given */
	int known_window;	/* --known-window DAYS (docs/GATE.md) */
	int quiet;		/* no terminal report */
	int color;		/* -1 auto */
	int gha;		/* GITHUB_ACTIONS=true: annotations, outputs */
	/* PR comment (collector/comment.h) */
	const char *comment_mode;	/* --comment: auto, always, never */
	const char *github_api_url;	/* --github-api-url, else
					 * $GITHUB_API_URL; NULL: default */
	const char *reporter_url;	/* upload to flake-reporter */
	const char *comment_file;	/* --comment-file: the markdown */
	const char *quarantine_file;	/* --quarantine FILE */
};

#define PUB_OPT_BASE 1000

/* The options both subcommands accept, for their tables and --help. */
extern const struct cli_opt publish_cli_opts[];

void publish_opts_init(struct publish_opts *o);

/* Applies option `id` (from publish_cli_opts); -1 with err on a bad value. */
int publish_opt(struct publish_opts *o, struct run_meta *m, int id,
		const char *arg, struct err *err);

/*
 * Classifies the flaky and failed tests (docs/GATE.md: local history,
 * then the reporter's answer), writes every output, records the run
 * in history and sets *tripped when the --fail-on policy trips.  An output
 * that cannot be written does not stop the others; the first such error
 * is returned (-1, err set) after all were attempted.  Last, it posts the
 * PR comment (collector/comment.h); failing that is only a warning on
 * stderr and changes neither the return value nor *tripped.
 */
int publish(struct results *r, const struct publish_opts *o, int *tripped,
	    struct err *err);

#endif
