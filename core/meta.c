/*
 * meta.c: run metadata from GitHub Actions' environment and git.
 */
#include "meta.h"
#include "err.h"
#include "proc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void meta_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static void from_var(char **field, const char *name)
{
	const char *v = getenv(name);

	if (!*field && v && *v)
		*field = xstrdup(v);
}

static void from_event(struct run_meta *m)
{
	const char *path = getenv("GITHUB_EVENT_PATH");
	json_t *ev, *pr, *v;

	if (!path || !*path)
		return;
	ev = json_load_file(path, 0, NULL);
	if (!ev)
		return;
	pr = json_object_get(ev, "pull_request");
	if (json_is_object(pr)) {
		v = json_object_get(pr, "number");
		if (!m->pr && json_is_integer(v) && json_integer_value(v) > 0 &&
		    json_integer_value(v) < 1000000000)
			m->pr = (int)json_integer_value(v);
		/* A PR's GITHUB_SHA is the test merge commit; history is
		 * about the head commit the author pushed. */
		v = json_object_get(json_object_get(pr, "head"), "sha");
		if (!m->commit && json_is_string(v))
			m->commit = xstrdup(json_string_value(v));
		v = json_object_get(json_object_get(pr, "base"), "ref");
		if (!m->base_branch && json_is_string(v))
			m->base_branch = xstrdup(json_string_value(v));
	}
	json_decref(ev);
}

static void from_git(char **field, const char *dir, const char *what)
{
	const char *argv[] = { "git", "rev-parse", what, NULL, NULL };
	struct buf out = BUF_INIT(4096);
	struct proc_opts o = { 0 };

	if (*field)
		return;
	if (!strcmp(what, "--abbrev-ref")) {
		argv[3] = "HEAD";
	} else {
		argv[2] = "HEAD";
	}
	o.dir = dir;
	if (proc_run(argv, &o, &out, NULL, NULL) == 0 && out.len) {
		while (out.len && (out.data[out.len - 1] == '\n'))
			buf_truncate(&out, out.len - 1);
		if (out.len && strcmp(out.data, "HEAD"))
			*field = buf_detach(&out, NULL);
	}
	buf_release(&out);
}

void meta_from_env(struct run_meta *m, const char *dir)
{
	const char *attempt = getenv("GITHUB_RUN_ATTEMPT");
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	from_event(m);
	from_var(&m->repository, "GITHUB_REPOSITORY");
	from_var(&m->commit, "GITHUB_SHA");
	from_var(&m->branch, "GITHUB_HEAD_REF");
	from_var(&m->branch, "GITHUB_REF_NAME");
	from_var(&m->base_branch, "GITHUB_BASE_REF");
	from_var(&m->run_id, "GITHUB_RUN_ID");
	from_var(&m->job, "GITHUB_JOB");
	from_var(&m->workflow, "GITHUB_WORKFLOW");
	from_var(&m->event, "GITHUB_EVENT_NAME");
	from_var(&m->server_url, "GITHUB_SERVER_URL");
	if (!m->run_attempt && attempt) {
		long v = strtol(attempt, NULL, 10);

		if (v > 0 && v < 100000)
			m->run_attempt = (int)v;
	}
	if (!getenv("GITHUB_ACTIONS")) {
		from_git(&m->commit, dir, "HEAD");
		from_git(&m->branch, dir, "--abbrev-ref");
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!m->started_at)
		m->started_at = xstrdup(now);
}
