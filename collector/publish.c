/*
 * publish.c: outputs, history and the exit policy shared by `run` and
 * `analyze` (see publish.h).
 */
#include "publish.h"
#include "core/ident.h"
#include "comment.h"
#include "core/buf.h"
#include "core/meta.h"
#include "core/out_gha.h"
#include "core/out_json.h"
#include "core/out_junit.h"
#include "core/out_comment.h"
#include "core/out_md.h"
#include "core/report.h"
#include "core/store.h"
#include "core/store_query.h"
#include "core/quarantine_file.h"
#include "core/upload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUARANTINE_DEFAULT ".github/flake-quarantine.yml"

/* GitHub drops a step summary over 1 MiB whole; keep a margin for what
 * other steps append. */
#define SUMMARY_MAX ((1u << 20) - 16384)

enum {
	O_JSON = PUB_OPT_BASE, O_SUMMARY, O_JUNIT, O_DB, O_NO_HISTORY,
	O_FAIL_ON, O_QUIET, O_COLOR, O_REPOSITORY, O_COMMIT, O_BRANCH,
	O_BASE_BRANCH, O_PR, O_RUN_ID, O_RUN_ATTEMPT, O_JOB, O_SHARD,
	O_REPORTER,
	O_COMMENT, O_GITHUB_API_URL, O_KNOWN_WINDOW, O_STARTED_AT,
	O_COMMENT_FILE, O_QUARANTINE,
};

const struct cli_opt publish_cli_opts[] = {
	{ "json", O_JSON, "FILE", "write the results document (schema/results.schema.json)" },
	{ "summary", O_SUMMARY, "FILE", "markdown summary (default $GITHUB_STEP_SUMMARY in Actions)" },
	{ "junit", O_JUNIT, "FILE", "JUnit XML (flaky tests carry <flakyFailure>)" },
	{ "db", O_DB, "PATH", "history database (default .flake/history.db)" },
	{ "no-history", O_NO_HISTORY, NULL, "do not read or write the history database" },
	{ "fail-on", O_FAIL_ON, "LIST", "exit 1 on: failed,new-flaky,regressed (default), flaky, repeat, none" },
	{ "known-window", O_KNOWN_WINDOW, "DAYS", "a flake is known when the base branch flaked on it "
	  "in the last DAYS days (default 30; docs/GATE.md)" },
	{ "quarantine", O_QUARANTINE, "FILE", "the quarantine list (default .github/flake-quarantine.yml "
	  "of $GITHUB_WORKSPACE or the working directory; docs/GATE.md)" },
	{ "comment-file", O_COMMENT_FILE, "FILE", "write the PR comment's markdown (as posted, or as it "
	  "would be; e.g. for a fork PR's artifact)" },
	{ "started-at", O_STARTED_AT, "TIME", "when the run started, YYYY-MM-DDTHH:MM:SSZ (default now; "
	  "for importing older streams)" },
	{ "quiet", O_QUIET, NULL, "no terminal report" },
	{ "color", O_COLOR, "WHEN", "auto (default), always, never" },
	{ "repository", O_REPOSITORY, "OWNER/NAME", "override $GITHUB_REPOSITORY" },
	{ "commit", O_COMMIT, "SHA", "override the commit" },
	{ "branch", O_BRANCH, "NAME", "override the branch" },
	{ "base-branch", O_BASE_BRANCH, "NAME", "override the PR base branch" },
	{ "pr", O_PR, "N", "override the pull request number" },
	{ "run-id", O_RUN_ID, "ID", "override $GITHUB_RUN_ID" },
	{ "run-attempt", O_RUN_ATTEMPT, "N", "override $GITHUB_RUN_ATTEMPT" },
	{ "job", O_JOB, "NAME", "override $GITHUB_JOB" },
	{ "shard", O_SHARD, "I/N", "run: shard I of N of the work units (package x cell; docs/ACTION.md); analyze: record it" },
	{ "comment", O_COMMENT, "WHEN", "PR comment (token: $GITHUB_TOKEN): auto (default), always, never" },
	{ "github-api-url", O_GITHUB_API_URL, "URL", "GitHub API (default $GITHUB_API_URL, "
	  "else https://api.github.com)" },
	{ "reporter", O_REPORTER, "URL", "upload the results to flake-reporter (token: $FLAKE_TOKEN)" },
	{ NULL, 0, NULL, NULL },
};

void publish_opts_init(struct publish_opts *o)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	const char *api = getenv("GITHUB_API_URL");

	memset(o, 0, sizeof(*o));
	o->gha = gha && !strcmp(gha, "true");
	o->history = 1;
	o->db_path = STORE_DEFAULT_PATH;
	o->fail_on = FAIL_ON_FAILED | FAIL_ON_NEW_FLAKY | FAIL_ON_REGRESSED;
	o->known_window = STORE_KNOWN_WINDOW_DAYS;
	o->color = -1;
	if (o->gha && summary && *summary)
		o->summary_path = summary;
	o->comment_mode = "auto";
	o->github_api_url = api && *api ? api : NULL;
}

static int parse_fail_on(const char *s, unsigned *out, struct err *err)
{
	unsigned v = 0;
	const char *p = s;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 6 && !strncmp(p, "failed", 6))
			v |= FAIL_ON_FAILED;
		else if (n == 9 && !strncmp(p, "new-flaky", 9))
			v |= FAIL_ON_NEW_FLAKY;
		else if (n == 5 && !strncmp(p, "flaky", 5))
			v |= FAIL_ON_FLAKY;
		else if (n == 6 && !strncmp(p, "repeat", 6))
			v |= FAIL_ON_REPEAT;
		else if (n == 9 && !strncmp(p, "regressed", 9))
			v |= FAIL_ON_REGRESSED;
		else if (!(n == 4 && !strncmp(p, "none", 4)))
			return err_set(err, "option '--fail-on' takes a list of "
				       "failed, new-flaky, regressed, flaky, "
				       "repeat or none, not '%.*s'", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	*out = v;
	return 0;
}

/* YYYY-MM-DDTHH:MM:SSZ with plausible fields. */
static int iso_time_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	int mo, d, h, mi, se;
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return 0;
	mo = atoi(s + 5);
	d = atoi(s + 8);
	h = atoi(s + 11);
	mi = atoi(s + 14);
	se = atoi(s + 17);
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
	       se < 61;
}

static int parse_shard(const char *s, struct err *err)
{
	if (ident_shard_ok(s, NULL, NULL))
		return 0;
	return err_set(err, "option '--shard' wants I/N with 1 <= I <= N <= "
		       "%d (digits only), not '%s'", IDENT_MAX_SHARDS, s);
}

int publish_opt(struct publish_opts *o, struct run_meta *m, int id,
		const char *arg, struct err *err)
{
	long v;

	switch (id) {
	case O_JSON: o->json_path = arg; break;
	case O_SUMMARY: o->summary_path = *arg ? arg : NULL; break;
	case O_JUNIT: o->junit_path = arg; break;
	case O_DB:
		if (!*arg)
			return err_set(err, "option '--db' wants a path");
		o->db_path = arg;
		o->db_set = 1;
		break;
	case O_NO_HISTORY: o->history = 0; break;
	case O_FAIL_ON:
		o->fail_on_set = 1;
		return parse_fail_on(arg, &o->fail_on, err);
	case O_QUIET: o->quiet = 1; break;
	case O_COLOR:
		if (!strcmp(arg, "auto"))
			o->color = -1;
		else if (!strcmp(arg, "always"))
			o->color = 1;
		else if (!strcmp(arg, "never"))
			o->color = 0;
		else
			return err_set(err, "option '--color' wants auto, always "
				       "or never, not '%s'", arg);
		break;
	case O_REPOSITORY:
		if (!ident_repo_ok(arg))
			return err_set(err, "option '--repository' wants "
				       "OWNER/NAME, not '%s'", arg);
		meta_set(&m->repository, arg);
		break;
	case O_COMMIT: meta_set(&m->commit, arg); break;
	case O_BRANCH: meta_set(&m->branch, arg); break;
	case O_BASE_BRANCH: meta_set(&m->base_branch, arg); break;
	case O_PR:
		if (cli_int("pr", arg, 1, 999999999, &v, err))
			return -1;
		m->pr = (int)v;
		break;
	case O_RUN_ID: meta_set(&m->run_id, arg); break;
	case O_RUN_ATTEMPT:
		if (cli_int("run-attempt", arg, 1, 99999, &v, err))
			return -1;
		m->run_attempt = (int)v;
		break;
	case O_JOB: meta_set(&m->job, arg); break;
	case O_COMMENT_FILE: o->comment_file = arg; break;
	case O_QUARANTINE: o->quarantine_file = arg; break;
	case O_KNOWN_WINDOW:
		if (cli_int("known-window", arg, 1, 3650, &v, err))
			return -1;
		o->known_window = (int)v;
		break;
	case O_STARTED_AT:
		if (!iso_time_ok(arg))
			return err_set(err, "option '--started-at' wants "
				       "YYYY-MM-DDTHH:MM:SSZ, not '%s'", arg);
		meta_set(&m->started_at, arg);
		break;
	case O_REPORTER:
		if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
			return err_set(err, "option '--reporter' wants an http:// or "
				       "https:// URL, not '%s'", arg);
		o->reporter_url = arg;
		break;
	case O_SHARD:
		if (parse_shard(arg, err))
			return -1;
		meta_set(&m->shard, arg);
		break;
	case O_COMMENT:
		if (!out_comment_mode_ok(arg))
			return err_set(err, "option '--comment' wants auto, "
				       "always or never, not '%s'", arg);
		o->comment_mode = arg;
		break;
	case O_GITHUB_API_URL:
		if (strncmp(arg, "https://", 8) && strncmp(arg, "http://", 7))
			return err_set(err, "option '--github-api-url' wants an "
				       "http(s) URL, not '%s'", arg);
		o->github_api_url = arg;
		break;
	default:
		BUG("unknown publish option %d", id);
	}
	return 0;
}

/* Keeps the first error; later ones are dropped (each output is tried). */
static void keep(struct err *first, int *failed, const struct err *e)
{
	if (!*failed && first)
		*first = *e;
	*failed = 1;
}

static int write_summary(const struct results *r, const char *path,
			 struct err *err)
{
	struct buf md = BUF_INIT(SUMMARY_MAX);
	FILE *f;
	int ret = -1;

	if (out_md_summary(r, &md, SUMMARY_MAX, err))
		goto out;
	/* $GITHUB_STEP_SUMMARY is shared by the job's steps: append. */
	f = fopen(path, "a");
	if (!f) {
		err_sys(err, "cannot open summary '%s'", path);
		goto out;
	}
	if (fwrite(buf_str(&md), 1, md.len, f) != md.len) {
		err_sys(err, "cannot write summary '%s'", path);
		fclose(f);
		goto out;
	}
	if (fclose(f)) {
		err_sys(err, "cannot write summary '%s'", path);
		goto out;
	}
	ret = 0;
out:
	buf_release(&md);
	return ret;
}

static int write_junit(const struct results *r, const char *path,
		       struct err *err)
{
	struct buf tmp = BUF_INIT(8192);
	FILE *f;
	int ret = -1;

	if (buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid()))
		return err_set(err, "path too long: '%s'", path);
	f = fopen(tmp.data, "w");
	if (!f) {
		err_sys(err, "cannot write JUnit file '%s'", path);
		goto out;
	}
	if (out_junit_write(r, f, err)) {
		fclose(f);
		unlink(tmp.data);
		goto out;
	}
	if (fclose(f) || rename(tmp.data, path)) {
		err_sys(err, "cannot write JUnit file '%s'", path);
		unlink(tmp.data);
		goto out;
	}
	ret = 0;
out:
	buf_release(&tmp);
	return ret;
}

/*
 * Uploads the results to the reporter.  An outage is a warning, never an
 * error: every local output is already written and the exit status is
 * the tests' (the reporter can be fed later with `analyze --reporter`).
 * Returns 1 when the reporter took care of the PR comment (it posts with
 * its own GitHub token), 0 when the comment is still ours to post; then
 * *markdown (caller frees) is the reporter's rendering when it gave one.
 */

/* An http(s) URL with no space or control character: safe on a log line. */
static int url_ok(const char *u)
{
	if (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

static int upload(struct results *r, const struct publish_opts *o,
		  char **markdown, int *reached)
{
	int handled = 0;
	struct upload_opts uo;
	struct upload_result res;
	struct err e = ERR_INIT;
	char *doc = out_json_dumps(r, &e), *key = store_run_key(r);

	memset(&uo, 0, sizeof(uo));
	memset(&res, 0, sizeof(res));
	uo.url = o->reporter_url;
	uo.token = getenv("FLAKE_TOKEN");
	/* CI keys are stable per job (repo/run/attempt/job/shard): a job
	 * rerun by hand with the same attempt is recognised too. */
	uo.idem_key = key;
	if (getenv("FLAKE_UPLOAD_MAX_WAIT_MS"))
		uo.max_wait_ms = strtoll(getenv("FLAKE_UPLOAD_MAX_WAIT_MS"), NULL, 10);
	if (!doc || upload_results(&uo, doc, strlen(doc), &res, &e)) {
		fprintf(stderr, "flake-collector: warning: upload to the reporter "
			"failed: %s (results kept locally; exit status "
			"unaffected)\n", e.msg);
	} else {
		fprintf(stderr, "flake-collector: uploaded to the reporter: run %lld%s%s\n",
			res.run_id, res.run_url ? " " : "",
			res.run_url ? res.run_url : "");
		/* The reporter has every runner's history: its classes
		 * decide (docs/GATE.md). */
		*reached = res.gate;
		upload_apply_classes(&res, r);
		if (res.comment_markdown) {
			*markdown = res.comment_markdown;
			res.comment_markdown = NULL;
		} else if (res.comment_status &&
			   strcmp(res.comment_status, "failed")) {
			handled = 1;
			/* The same line as when we post it (the Action's
			 * comment-url output reads it). */
			if (res.comment_url && url_ok(res.comment_url) &&
			    !o->quiet)
				fprintf(stderr, "flake-collector: PR comment %s "
					"by the reporter: %s\n",
					res.comment_status, res.comment_url);
		}
	}
	upload_result_release(&res);
	free(doc);
	free(key);
	return handled;
}

/* The quarantine file (--quarantine, else the default path): entries in
 * qf (empty when there is no file).  0, or -1 with err set. */
static int read_quarantine(const struct publish_opts *o,
			   struct quarantine_file *qf, struct err *err)
{
	struct buf path = BUF_INIT(4096);
	const char *ws = getenv("GITHUB_WORKSPACE");
	int rc;

	memset(qf, 0, sizeof(*qf));
	if (o->quarantine_file)
		rc = buf_adds(&path, o->quarantine_file);
	else if (ws && *ws)
		rc = buf_addf(&path, "%s/%s", ws, QUARANTINE_DEFAULT);
	else
		rc = buf_adds(&path, QUARANTINE_DEFAULT);
	if (rc) {
		buf_release(&path);
		return err_set(err, "the quarantine file's path is too long");
	}
	rc = quarantine_file_read(buf_str(&path), qf, err);
	if (rc > 0 && o->quarantine_file)
		rc = err_set(err, "no quarantine file '%s'", o->quarantine_file);
	buf_release(&path);
	return rc < 0 ? -1 : 0;
}

/* Without a history store: the listed tests are quarantined as they are. */
static void quarantine_direct(struct results *r, const struct quarantine_file *qf)
{
	size_t i;

	for (i = 0; i < qf->n; i++) {
		struct test *t = results_test(r, qf->v[i].package, qf->v[i].name, 0);

		if (t && (results_gate_verdict(t) == VERDICT_FLAKY ||
			  results_gate_verdict(t) == VERDICT_FAILED))
			results_set_class(t, CLASS_QUARANTINED, NULL);
	}
}

/* --comment-file: the reporter's markdown when it rendered one, else
 * ours (collector/comment.h). */
static int write_comment_file(struct results *r, const struct publish_opts *o,
			      const char *markdown, struct err *err)
{
	struct buf md = BUF_INIT(OUT_COMMENT_MAX);
	FILE *f;
	int ret = -1;

	if (markdown ? buf_adds(&md, markdown) < 0 : comment_render(r, o, &md, err)) {
		if (markdown)
			err_set(err, "the reporter's comment is over %d bytes",
				OUT_COMMENT_MAX);
		goto out;
	}
	if (!(f = fopen(o->comment_file, "w"))) {
		err_sys(err, "cannot open '%s'", o->comment_file);
		goto out;
	}
	if (fwrite(md.data ? md.data : "", 1, md.len, f) != md.len) {
		err_sys(err, "cannot write '%s'", o->comment_file);
		fclose(f);
		goto out;
	}
	if (fclose(f)) {
		err_sys(err, "cannot write '%s'", o->comment_file);
		goto out;
	}
	ret = 0;
out:
	buf_release(&md);
	return ret;
}

/*
 * The reporter could not be reached (or gave no classes) and the local
 * history has no run of the comparison branch in the window: nothing
 * tells a known flake from a new one, so no flake blocks (docs/GATE.md).
 */
static void unverified(struct results *r, const struct publish_opts *o)
{
	const char *b = store_compare_branch(r);
	size_t i, n = 0;

	for (i = 0; i < r->ntests; i++)
		if (r->tests[i]->klass == CLASS_NEW) {
			results_set_class(r->tests[i], CLASS_UNVERIFIED, NULL);
			n += results_gate_verdict(r->tests[i]) == VERDICT_FLAKY;
		}
	if (n)
		fprintf(stderr, "flake-collector: warning: the reporter gave no "
			"classes and the local history has no run of '%s' in "
			"the last %d days: %zu flaky test%s unverified and do "
			"not fail the job (docs/GATE.md)\n", b ? b : "(no branch)",
			o->known_window, n, n == 1 ? " is" : "s are");
}

int publish(struct results *r, const struct publish_opts *o, int *tripped,
	    struct err *err)
{
	struct store *st = NULL;
	struct err e = ERR_INIT;
	char *markdown = NULL;
	int failed = 0, color = o->color, comment_done = 0, reached = 0;
	struct quarantine_file qf;
	long long evidence = 0;
	size_t i;

	*tripped = 0;
	/* The gate's classes (docs/GATE.md), one rule everywhere (JSON,
	 * report, exit status): from the local history, then from the
	 * reporter when it answers.  With no history to say otherwise,
	 * every flaky or failed test is new. */
	for (i = 0; i < r->ntests; i++)
		if (r->tests[i]->status == VERDICT_FLAKY ||
		    r->tests[i]->status == VERDICT_FAILED)
			results_set_class(r->tests[i], CLASS_NEW, NULL);
	if (read_quarantine(o, &qf, &e))
		keep(err, &failed, &e);
	if (o->history) {
		if (store_open(&st, o->db_path, 0, &e) ||
		    store_quarantine_sync(st, store_repo_name(r), qf.v, qf.n,
					  (long long)time(NULL), &e) ||
		    store_classify(st, r, o->known_window, (long long)time(NULL),
				   &evidence, &e)) {
			keep(err, &failed, &e);
			store_close(st);
			st = NULL;
		}
	}
	if (!st)
		quarantine_direct(r, &qf);
	quarantine_file_release(&qf);
	if (o->reporter_url) {
		comment_done = upload(r, o, &markdown, &reached);
		if (!reached && !evidence)
			unverified(r, o);
	}
	if (color < 0)
		color = isatty(1) && !getenv("NO_COLOR");
	if (!o->quiet && report_terminal(r, stdout, color) < 0) {
		err_sys(&e, "cannot write the report");
		keep(err, &failed, &e);
	}
	if (o->json_path && out_json_write(r, o->json_path, &e))
		keep(err, &failed, &e);
	if (o->summary_path && write_summary(r, o->summary_path, &e))
		keep(err, &failed, &e);
	if (o->junit_path && write_junit(r, o->junit_path, &e))
		keep(err, &failed, &e);
	if (o->gha) {
		fflush(stdout);
		if (out_gha_annotations(r, stdout, 10, 10) < 0) {
			err_sys(&e, "cannot write annotations");
			keep(err, &failed, &e);
		}
		if (out_gha_outputs(r, o->json_path, getenv("GITHUB_OUTPUT"), &e))
			keep(err, &failed, &e);
	}
	if (st) {
		long long run_id;

		if (store_add_run(st, r, NULL, &run_id, &e))
			keep(err, &failed, &e);
		store_close(st);
	}
	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];
		/* Flaky also when it failed in an earlier attempt. */
		enum verdict v = results_gate_verdict(t);

		/* A quarantined test still runs; it never fails the job. */
		if (t->klass == CLASS_QUARANTINED)
			continue;
		if ((o->fail_on & FAIL_ON_FAILED) && v == VERDICT_FAILED)
			*tripped = 1;
		if ((o->fail_on & FAIL_ON_FLAKY) && v == VERDICT_FLAKY)
			*tripped = 1;
		if ((o->fail_on & FAIL_ON_REGRESSED) && t->klass == CLASS_REGRESSED)
			*tripped = 1;
		if ((o->fail_on & FAIL_ON_NEW_FLAKY) && t->new_flaky)
			*tripped = 1;
		if ((o->fail_on & FAIL_ON_REPEAT) && t->repeat)
			*tripped = 1;
	}
	if (o->fail_on & FAIL_ON_FAILED)
		for (i = 0; i < r->npkgs; i++)
			if (r->pkgs[i].status == PKG_BUILD_FAILED)
				*tripped = 1;
	/* Last, after history was written; only ever a warning.  With a
	 * reporter, its comment covers every shard; else ours from local
	 * history. */
	fflush(stdout);
	if (o->comment_file && write_comment_file(r, o, markdown, &e))
		keep(err, &failed, &e);
	if (markdown ? comment_post_markdown(r, o, markdown, &e) :
	    !comment_done && comment_publish(r, o, &e))
		fprintf(stderr, "flake-collector: warning: could not post the PR "
			"comment: %s\n", e.msg);
	free(markdown);
	return failed ? -1 : 0;
}
