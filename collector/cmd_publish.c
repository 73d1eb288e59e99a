/*
 * cmd_publish.c: `flake-collector publish --pr N --commit SHA [options]
 * RESULTS.json` -- the PR comment, summary and annotations of an existing
 * results document, for the second half of the fork recipe (docs/
 * ACTION.md, examples/workflows/fork-comment.yml): a `workflow_run` job
 * that never runs the fork's code publishes what its `pull_request` run
 * left as an artifact.
 *
 * The document came from a run the fork controls, so nothing in it says
 * where it belongs: the repository, pull request, commit, branches, event,
 * run and server are dropped from its meta and taken from the options
 * (the workflow_run payload and the API) and from this job's environment
 * (GITHUB_REPOSITORY, GITHUB_SERVER_URL).  It keeps no history and
 * uploads nowhere: a fork's run must not become anyone's history.
 */
#include "cmds.h"
#include "publish.h"
#include "core/buf.h"
#include "core/gz.h"
#include "core/in_json.h"
#include "core/meta.h"
#include "core/results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An artifact is a results document: at most what a reporter takes. */
#define DOC_MAX ((size_t)256 << 20)

static void help(const struct cli_opt *opts)
{
	printf("usage: flake-collector publish --pr N --commit SHA [options] "
	       "RESULTS.json\n\n"
	       "Posts the PR comment (token: $GITHUB_TOKEN), the step summary\n"
	       "and the annotations of a results document another run wrote\n"
	       "(flake-collector run --json), e.g. a fork's pull_request run.\n"
	       "Where it belongs comes from the options and this job's\n"
	       "GITHUB_REPOSITORY and GITHUB_SERVER_URL, never from the\n"
	       "document: --pr and --commit are required, --branch,\n"
	       "--base-branch, --run-id and --run-attempt name the tested run.\n"
	       "No history is kept and nothing is uploaded.\n\n");
	cli_help(opts, stdout);
	printf("\nExit status: 0 published (or nothing to publish), 1 the\n"
	       "--fail-on policy tripped (default none here), 2 usage, an\n"
	       "unreadable or invalid document, or a failed output.\n");
}

static int read_doc(const char *path, struct buf *out, struct err *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int ret = 0;

	if (!f)
		return err_sys(err, "cannot open '%s'", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(out, chunk, n)) {
			ret = err_set(err, "'%s' is larger than %zu MiB: not a "
				      "results document", path, DOC_MAX >> 20);
			break;
		}
	if (!ret && ferror(f))
		ret = err_sys(err, "cannot read '%s'", path);
	fclose(f);
	return ret;
}

/* Drops what the document's writer could claim about where it belongs. */
static void untrust(struct run_meta *m)
{
	char **s[] = { &m->repository, &m->commit, &m->branch,
		       &m->base_branch, &m->run_id, &m->event,
		       &m->server_url, &m->workflow };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
	m->pr = 0;
	m->run_attempt = 0;
}

static void take(char **dst, char **src)
{
	if (*src) {
		free(*dst);
		*dst = *src;
		*src = NULL;
	}
}

int cmd_publish(int argc, char **argv, struct err *err)
{
	struct cli_opt opts[64];
	struct cli_state st = CLI_STATE_INIT;
	struct publish_opts po;
	struct results r, given;
	struct buf doc = BUF_INIT(DOC_MAX), json = BUF_INIT(DOC_MAX);
	const struct buf *use = &doc;
	struct in_json_error fe;
	const char *arg = NULL, *path = NULL, *env;
	int id, rc = EXIT_ERROR, tripped = 0;

	cli_merge(opts, 64, NULL, publish_cli_opts);
	results_init(&r);
	results_init(&given);
	publish_opts_init(&po);
	while ((id = cli_next(opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			goto out;
		if (id == 'h') {
			help(opts);
			rc = EXIT_CLEAN;
			goto out;
		}
		if (id == CLI_OPERAND) {
			if (path) {
				err_set(err, "publish takes one results document, "
					"not '%s' and '%s'", path, arg);
				goto out;
			}
			path = arg;
			continue;
		}
		if (publish_opt(&po, &given.meta, id, arg, err))
			goto out;
	}
	if (st.i < argc && !path)
		path = argv[st.i++];
	if (!path) {
		err_set(err, "no results document (usage: flake-collector "
			"publish --pr N --commit SHA RESULTS.json)");
		goto out;
	}
	if (!given.meta.pr || !given.meta.commit) {
		err_set(err, "publish needs --pr and --commit: take them from "
			"the workflow_run event and the API, never from the "
			"document");
		goto out;
	}
	if (po.reporter_url || po.db_set) {
		err_set(err, "publish keeps no history and uploads nowhere "
			"(--%s): a fork's run must not become history; upload "
			"with the reporter recipe of docs/ACTION.md instead",
			po.reporter_url ? "reporter" : "db");
		goto out;
	}
	if (read_doc(path, &doc, err))
		goto out;
	/* gzip (an artifact as uploaded) or JSON text, read in place. */
	if (doc.len >= 2 && (unsigned char)doc.data[0] == 0x1f &&
	    (unsigned char)doc.data[1] == 0x8b) {
		if (gz_inflate(doc.data, doc.len, &json, err))
			goto out;
		use = &json;
	}
	if (in_json_results(use->data ? use->data : "", use->len, &r, &fe,
			    err)) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		err_set(err, "'%s' is not a results document: %s", path, why);
		goto out;
	}
	untrust(&r.meta);
	take(&r.meta.repository, &given.meta.repository);
	take(&r.meta.commit, &given.meta.commit);
	take(&r.meta.branch, &given.meta.branch);
	take(&r.meta.base_branch, &given.meta.base_branch);
	take(&r.meta.run_id, &given.meta.run_id);
	take(&r.meta.job, &given.meta.job);
	take(&r.meta.shard, &given.meta.shard);
	r.meta.pr = given.meta.pr;
	r.meta.run_attempt = given.meta.run_attempt;
	r.meta.event = xstrdup("pull_request");
	if (!r.meta.repository && (env = getenv("GITHUB_REPOSITORY")) && *env)
		r.meta.repository = xstrdup(env);
	if ((env = getenv("GITHUB_SERVER_URL")) && *env)
		r.meta.server_url = xstrdup(env);
	if (!r.meta.repository) {
		err_set(err, "publish needs the repository: --repository or "
			"$GITHUB_REPOSITORY");
		goto out;
	}
	po.history = 0;
	if (!po.fail_on_set)
		po.fail_on = 0;
	if (publish(&r, &po, &tripped, err))
		goto out;
	rc = tripped ? EXIT_POLICY : EXIT_CLEAN;
out:
	buf_release(&doc);
	buf_release(&json);
	results_release(&r);
	results_release(&given);
	return rc;
}
