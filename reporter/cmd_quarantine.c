/*
 * cmd_quarantine.c: `flake-reporter quarantine add|remove|list` -- the
 * repository's quarantine list (docs/GATE.md): a listed test still runs,
 * its failures never fail the job, and `list` says when the evidence
 * allows its release.
 */
#include "core/ident.h"
#include "cmds.h"
#include "core/cli.h"
#include "core/store_quarantine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_DB = 1, O_REASON, O_BY, O_ISSUE };

static const struct cli_opt q_opts[] = {
	{ "db", O_DB, "PATH", "the reporter's database (default flake.db)" },
	{ "reason", O_REASON, "TEXT", "why it is quarantined (add; required)" },
	{ "by", O_BY, "WHO", "who quarantines it (add; default $USER)" },
	{ "issue", O_ISSUE, "URL", "the issue that tracks the fix (add)" },
	{ NULL, 0, NULL, NULL },
};

static void help(void)
{
	printf("usage: flake-reporter quarantine add [--db PATH] --reason TEXT "
	       "[--by WHO] [--issue URL] OWNER/REPO PACKAGE TEST\n"
	       "       flake-reporter quarantine remove [--db PATH] OWNER/REPO "
	       "PACKAGE TEST\n"
	       "       flake-reporter quarantine list [--db PATH] OWNER/REPO\n\n"
	       "A quarantined test still runs; its failures never fail the job.\n"
	       "list shows how many clean executions its release still needs.\n\n");
	cli_help(q_opts, stdout);
}

static void list(const struct q_quarantine *v, size_t n)
{
	size_t i;

	printf("%-8s %-12s %-40s %s\n", "STATE", "EVIDENCE", "TEST", "REASON");
	for (i = 0; i < n; i++) {
		char ev[48];
		const char *state = v[i].released_at ? "released" :
				    v[i].ready ? "ready" : "active";

		snprintf(ev, sizeof(ev), "%lld/%lld", v[i].clean, v[i].need);
		printf("%-8s %-12s %s %s  %s (by %s, %.10s)\n", state, ev,
		       v[i].package, v[i].name, v[i].reason, v[i].added_by,
		       v[i].added_at);
	}
}

int cmd_quarantine(int argc, char **argv, struct err *err)
{
	struct cli_state st = CLI_STATE_INIT;
	const char *arg, *db = "flake.db", *verb = NULL, *ops[3] = { NULL };
	struct quarantine_add a;
	struct store *s = NULL;
	int id, nops = 0, rc = 2;

	memset(&a, 0, sizeof(a));
	a.added_by = getenv("USER");
	while ((id = cli_next(q_opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			return 2;
		if (id == 'h') {
			help();
			return 0;
		}
		if (id == O_DB)
			db = arg;
		else if (id == O_REASON)
			a.reason = arg;
		else if (id == O_BY)
			a.added_by = arg;
		else if (id == O_ISSUE)
			a.issue_url = arg;
		else if (!verb)
			verb = arg;
		else if (nops < 3)
			ops[nops++] = arg;
		else
			return err_set(err, "unexpected argument '%s'", arg) ? 2 : 2;
	}
	if (!verb || (strcmp(verb, "add") && strcmp(verb, "remove") &&
		      strcmp(verb, "list"))) {
		err_set(err, "quarantine wants add, remove or list (see --help)");
		return 2;
	}
	if (!ops[0] || !ident_repo_ok(ops[0])) {
		err_set(err, "quarantine %s wants OWNER/REPO first, not '%s'", verb,
			ops[0] ? ops[0] : "");
		return 2;
	}
	if (strcmp(verb, "list") && (nops != 3 || !*ops[1] || !*ops[2])) {
		err_set(err, "quarantine %s wants OWNER/REPO PACKAGE TEST", verb);
		return 2;
	}
	if (!strcmp(verb, "add") && (!a.reason || !*a.reason)) {
		err_set(err, "quarantine add wants --reason TEXT");
		return 2;
	}
	if (!strcmp(verb, "add") && a.issue_url && strncmp(a.issue_url, "https://", 8) &&
	    strncmp(a.issue_url, "http://", 7)) {
		err_set(err, "--issue wants an http(s) URL, not '%s'", a.issue_url);
		return 2;
	}
	if (store_open(&s, db, strcmp(verb, "add") ? STORE_MUST_EXIST : 0, err))
		goto out;
	if (!strcmp(verb, "add")) {
		a.package = ops[1];
		a.name = ops[2];
		if (store_quarantine_add(s, ops[0], &a, (long long)time(NULL), err))
			goto out;
		printf("quarantined %s %s in %s\n", ops[1], ops[2], ops[0]);
	} else if (!strcmp(verb, "remove")) {
		if (store_quarantine_release(s, ops[0], ops[1], ops[2],
					     (long long)time(NULL), err))
			goto out;
		printf("released %s %s in %s\n", ops[1], ops[2], ops[0]);
	} else {
		struct q_quarantine *v = NULL;
		size_t n = 0;

		if (store_quarantine_list(s, ops[0], (long long)time(NULL), &v, &n,
					  err))
			goto out;
		list(v, n);
		store_quarantine_free(v, n);
	}
	rc = 0;
out:
	store_close(s);
	return rc;
}
