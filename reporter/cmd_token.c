/*
 * cmd_token.c: `flake-reporter token create|list|revoke` -- upload tokens.
 * A new token is printed once; the database keeps only its hash.
 */
#include "core/ident.h"
#include "cmds.h"
#include "core/cli.h"
#include "core/store_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_DB = 1, O_LABEL, O_PR_ONLY };

static const struct cli_opt token_opts[] = {
	{ "db", O_DB, "PATH", "the reporter's database (default flake.db)" },
	{ "label", O_LABEL, "TEXT", "a note to tell tokens apart (create)" },
	{ "pr-only", O_PR_ONLY, NULL, "create: a token that uploads only pull-request runs, "
	  "never a branch's history (the fork recipe's; docs/ACTION.md)" },
	{ NULL, 0, NULL, NULL },
};

static void help(void)
{
	printf("usage: flake-reporter token create [--db PATH] [--label TEXT] [--pr-only] OWNER/REPO\n"
	       "       flake-reporter token list [--db PATH] [OWNER/REPO]\n"
	       "       flake-reporter token revoke [--db PATH] ID\n\n"
	       "create prints a new upload token once (store it as the\n"
	       "repository's FLAKE_TOKEN secret); only its SHA-256 is kept.\n\n");
	cli_help(token_opts, stdout);
}

static void when(long long t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t) {
		snprintf(out, n, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

int cmd_token(int argc, char **argv, struct err *err)
{
	struct cli_state st = CLI_STATE_INIT;
	const char *arg, *db = "flake.db", *label = NULL, *verb = NULL;
	const char *operand = NULL;
	struct store *s = NULL;
	unsigned flags = 0;
	int id, rc = 2;

	while ((id = cli_next(token_opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			return 2;
		if (id == 'h') {
			help();
			return 0;
		}
		if (id == O_DB) {
			db = arg;
		} else if (id == O_LABEL) {
			label = arg;
		} else if (id == O_PR_ONLY) {
			flags |= STORE_TOKEN_PR_ONLY;
		} else if (!verb) {
			verb = arg;
		} else if (!operand) {
			operand = arg;
		} else {
			return err_set(err, "unexpected argument '%s'", arg) ? 2 : 2;
		}
	}
	if (!verb) {
		err_set(err, "token wants create, list or revoke (see --help)");
		return 2;
	}
	if (!strcmp(verb, "create")) {
		char *token = NULL;
		if (!operand || !ident_repo_ok(operand)) {
			err_set(err, "token create wants OWNER/NAME (letters, "
				"digits, -, _, .), not '%s'",
				operand ? operand : "");
			return 2;
		}
		if (store_open(&s, db, 0, err) ||
		    store_token_create(s, operand, label, flags, &token, err))
			goto out;
		printf("%s\n", token);
		fprintf(stderr, "flake-reporter: new %supload token for %s (shown "
			"once; keep it as the FLAKE_TOKEN secret)\n",
			flags & STORE_TOKEN_PR_ONLY ? "pull-request-only " : "",
			operand);
		memset(token, 0, strlen(token));
		free(token);
		rc = 0;
	} else if (!strcmp(verb, "list")) {
		struct token_row *rows = NULL;
		size_t n = 0, i;

		if (store_open(&s, db, STORE_MUST_EXIST, err) ||
		    store_token_list(s, operand, &rows, &n, err))
			goto out;
		printf("%-6s %-30s %-16s %-16s %-16s %s\n", "ID", "REPOSITORY",
		       "CREATED", "LAST USED", "REVOKED", "LABEL");
		for (i = 0; i < n; i++) {
			char c[32], u[32], r[32];

			when(rows[i].created_at, c, sizeof(c));
			when(rows[i].last_used_at, u, sizeof(u));
			when(rows[i].revoked_at, r, sizeof(r));
			printf("%-6lld %-30s %-16s %-16s %-16s %s%s\n", rows[i].id,
			       rows[i].repo, c, u, r,
			       rows[i].flags & STORE_TOKEN_PR_ONLY ? "[pr-only] " : "",
			       rows[i].label ? rows[i].label : "");
		}
		store_token_rows_free(rows, n);
		rc = 0;
	} else if (!strcmp(verb, "revoke")) {
		char *end;
		long long tid = operand ? strtoll(operand, &end, 10) : 0;

		if (!operand || *end || tid <= 0) {
			err_set(err, "token revoke wants a token ID (see token list)");
			return 2;
		}
		if (store_open(&s, db, STORE_MUST_EXIST, err) ||
		    store_token_revoke(s, tid, err))
			goto out;
		printf("revoked token %lld\n", tid);
		rc = 0;
	} else {
		err_set(err, "token wants create, list or revoke, not '%s'", verb);
	}
out:
	store_close(s);
	return rc;
}
