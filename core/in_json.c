/*
 * in_json.c: the results document, read and validated (see in_json.h).
 *
 * The path of the field being read is kept in a buffer that grows and
 * shrinks as the reader descends, so every message names its field.
 */
#include "in_json.h"
#include "buf.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * An upload's document tree is hundreds of thousands of small jansson
 * allocations that all die together a moment later; through malloc they
 * cost a third of the ingest time (profiled).  While this thread parses a
 * document, jansson allocates from a bump arena instead, frees are
 * no-ops, and the whole arena goes back at once.  Other threads, and this
 * one outside a parse, use malloc as usual.
 */
#define ARENA_CHUNK ((size_t)1 << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

static _Thread_local struct arena_chunk *arena;
static _Thread_local int arena_on;

static void *arena_malloc(size_t n)
{
	struct arena_chunk *c = arena;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (!arena_on)
		return malloc(n);
	if (!c || c->size - c->used < need) {
		size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = arena;
		arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

static void arena_free(void *p)
{
	if (!arena_on)
		free(p);
}

static void arena_release(void)
{
	while (arena) {
		struct arena_chunk *next = arena->next;

		free(arena);
		arena = next;
	}
	arena_on = 0;
}

static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

/*
 * The path of the field being read, as a stack of keys and indexes; it is
 * formatted only when a message needs it (reading must stay cheap: an
 * upload has hundreds of thousands of fields).
 */
#define MAX_DEPTH 16

struct ctx {
	const char *key[MAX_DEPTH];	/* NULL: an array index */
	size_t idx[MAX_DEPTH];
	size_t depth;
	struct in_json_error *fe;
	struct err *err;
};

static void format_path(const struct ctx *c, struct buf *b)
{
	size_t i;
	int r = 0;

	for (i = 0; i < c->depth; i++) {
		if (c->key[i])
			r |= buf_addf(b, "%s%s", i ? "." : "", c->key[i]);
		else
			r |= buf_addf(b, "[%zu]", c->idx[i]);
	}
	if (r)
		BUG("field path too long");
}

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *c, const char *fmt, ...)
{
	struct buf path = BUF_INIT(4096);
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_path(c, &path);
	if (c->fe)
		snprintf(c->fe->field, sizeof(c->fe->field), "%s", buf_str(&path));
	if (path.len)
		err_set(c->err, "%s: %s", buf_str(&path), msg);
	else
		err_set(c->err, "%s", msg);
	buf_release(&path);
	return -1;
}

/* Enters field `key` (or index idx when key is NULL); returns the old
 * depth for leave(). */
static size_t enter(struct ctx *c, const char *key, size_t idx)
{
	size_t old = c->depth;

	if (old >= MAX_DEPTH)
		BUG("field path too deep");
	c->key[old] = key;
	c->idx[old] = idx;
	c->depth = old + 1;
	return old;
}

static void leave(struct ctx *c, size_t old)
{
	c->depth = old;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/*
 * Reads string field key of o into *out (a new string, or NULL when the
 * field is absent or null and not required).
 */
static int get_str(struct ctx *c, const json_t *o, const char *key,
		   int required, size_t max, char **out)
{
	const json_t *v = json_object_get(o, key);
	size_t old = enter(c, key, 0), n;
	int ret = -1;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) {
			fail(c, "required");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (!json_is_string(v)) {
		fail(c, "must be a string, not %s", type_name(v));
		goto out;
	}
	n = json_string_length(v);
	if (n > max) {
		fail(c, "longer than %zu bytes", max);
		goto out;
	}
	if (memchr(json_string_value(v), '\0', n)) {
		fail(c, "must not contain NUL characters");
		goto out;
	}
	*out = xstrndup(json_string_value(v), n);
	ret = 0;
out:
	leave(c, old);
	return ret;
}

static int get_int(struct ctx *c, const json_t *o, const char *key,
		   int required, long long min, long long max, long long *out)
{
	const json_t *v = json_object_get(o, key);
	size_t old = enter(c, key, 0);
	int ret = -1;

	if (!v || json_is_null(v)) {
		if (required)
			fail(c, "required");
		else
			ret = 0;
		goto out;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		fail(c, "must be a whole number from %lld to %lld", min, max);
		goto out;
	}
	*out = json_integer_value(v);
	ret = 0;
out:
	leave(c, old);
	return ret;
}

static int get_count(struct ctx *c, const json_t *o, const char *key,
		     int required, int *out)
{
	long long v = 0;

	if (get_int(c, o, key, required, 0, IN_JSON_MAX_COUNT, &v))
		return -1;
	*out = (int)v;
	return 0;
}

static int get_real(struct ctx *c, const json_t *o, const char *key,
		    double *out)
{
	const json_t *v = json_object_get(o, key);
	size_t old = enter(c, key, 0);
	int ret = 0;

	if (v && !json_is_null(v)) {
		if (!json_is_number(v) || json_number_value(v) < 0 ||
		    json_number_value(v) > 1e12)
			ret = fail(c, "must be a non-negative number");
		else
			*out = json_number_value(v);
	}
	leave(c, old);
	return ret;
}

static int get_bool(struct ctx *c, const json_t *o, const char *key,
		    int *out)
{
	const json_t *v = json_object_get(o, key);
	size_t old = enter(c, key, 0);
	int ret = 0;

	if (v && !json_is_null(v)) {
		if (!json_is_boolean(v))
			ret = fail(c, "must be true or false, not %s",
				   type_name(v));
		else
			*out = json_is_true(v);
	}
	leave(c, old);
	return ret;
}

static const json_t *get_array(struct ctx *c, const json_t *o,
			       const char *key, int required, size_t max)
{
	const json_t *v = json_object_get(o, key);
	size_t old = enter(c, key, 0);
	const json_t *ret = NULL;

	if (!v || json_is_null(v)) {
		if (required)
			fail(c, "required");
		else
			ret = json_null();
		goto out;
	}
	if (!json_is_array(v)) {
		fail(c, "must be an array, not %s", type_name(v));
		goto out;
	}
	if (json_array_size(v) > max) {
		fail(c, "more than %zu entries", max);
		goto out;
	}
	ret = v;
out:
	leave(c, old);
	return ret;
}

static int verdict_of(const char *s, enum verdict *v)
{
	static const enum verdict all[] = { VERDICT_PASSED, VERDICT_FAILED,
		VERDICT_FLAKY, VERDICT_SKIPPED, VERDICT_NOTRUN };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, verdict_name(all[i]))) {
			*v = all[i];
			return 0;
		}
	}
	return -1;
}

static int get_verdict(struct ctx *c, const json_t *o, const char *key,
		       enum verdict *out)
{
	char *s;
	int ret = 0;

	if (get_str(c, o, key, 1, 32, &s))
		return -1;
	if (verdict_of(s, out)) {
		size_t old = enter(c, key, 0);

		ret = fail(c, "must be passed, failed, flaky, skipped or "
			   "notrun, not '%s'", s);
		leave(c, old);
	}
	free(s);
	return ret;
}

static int read_meta(struct ctx *c, const json_t *doc, struct run_meta *m)
{
	const json_t *o = json_object_get(doc, "meta");
	size_t old = enter(c, "meta", 0);
	long long v = 0;
	int ret = -1;

	if (!json_is_object(o)) {
		fail(c, o ? "must be an object" : "required");
		goto out;
	}
	if (get_str(c, o, "repository", 0, 200, &m->repository) ||
	    get_str(c, o, "commit", 0, 100, &m->commit) ||
	    get_str(c, o, "branch", 0, 255, &m->branch) ||
	    get_str(c, o, "base_branch", 0, 255, &m->base_branch) ||
	    get_str(c, o, "run_id", 0, 64, &m->run_id) ||
	    get_str(c, o, "job", 0, 255, &m->job) ||
	    get_str(c, o, "workflow", 0, 1024, &m->workflow) ||
	    get_str(c, o, "event", 0, 64, &m->event) ||
	    get_str(c, o, "server_url", 0, 1024, &m->server_url) ||
	    get_str(c, o, "shard", 0, 16, &m->shard) ||
	    get_str(c, o, "module", 0, 1024, &m->module) ||
	    get_str(c, o, "go_version", 0, 64, &m->go_version) ||
	    get_str(c, o, "goos", 0, 64, &m->goos) ||
	    get_str(c, o, "goarch", 0, 64, &m->goarch) ||
	    get_str(c, o, "started_at", 0, 64, &m->started_at) ||
	    get_str(c, o, "tool_version", 0, 64, &m->tool_version))
		goto out;
	if (get_int(c, o, "pr", 0, 1, 999999999, &v))
		goto out;
	m->pr = (int)v;
	v = 0;
	if (get_int(c, o, "run_attempt", 0, 1, 99999, &v))
		goto out;
	m->run_attempt = (int)v;
	if (m->repository) {
		const char *slash = strchr(m->repository, '/');
		size_t old2 = enter(c, "repository", 0);
		int bad = !slash || slash == m->repository || !slash[1] ||
			  strchr(slash + 1, '/') ||
			  strspn(m->repository, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") !=
			  strlen(m->repository) || strstr(m->repository, "..");

		if (bad)
			fail(c, "must be OWNER/NAME (letters, digits, -, _, .), "
			     "not '%s'", m->repository);
		leave(c, old2);
		if (bad)
			goto out;
	}
	if (m->shard) {
		unsigned i, n;
		char extra;
		size_t old2 = enter(c, "shard", 0);
		int bad = sscanf(m->shard, "%u/%u%c", &i, &n, &extra) != 2 ||
			  i < 1 || i > n || n > 256;

		if (bad)
			fail(c, "must be I/N with 1 <= I <= N <= 256");
		leave(c, old2);
		if (bad)
			goto out;
	}
	ret = 0;
out:
	leave(c, old);
	return ret;
}

static int find_cell(const struct results *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		if (!strcmp(r->cells[i].name, name))
			return (int)i;
	return -1;
}

static int read_cells(struct ctx *c, const json_t *doc, struct results *r)
{
	const json_t *a = get_array(c, doc, "cells", 1, IN_JSON_MAX_CELLS);
	size_t i, old;

	if (!a)
		return -1;
	old = enter(c, "cells", 0);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *o = json_array_get(a, i);
		size_t o2 = enter(c, NULL, i);
		struct cell cl;
		long long v = 0;
		char *name = NULL;
		const json_t *race;
		int bad = 1;

		memset(&cl, 0, sizeof(cl));
		if (!json_is_object(o)) {
			fail(c, "must be an object");
			goto next;
		}
		if (get_str(c, o, "name", 1, 200, &name))
			goto next;
		if (!*name || find_cell(r, name) >= 0) {
			size_t o3 = enter(c, "name", 0);

			fail(c, *name ? "'%s' given twice" : "must not be empty",
			     name);
			leave(c, o3);
			goto next;
		}
		race = json_object_get(o, "race");
		cl.race = -1;
		if (race && json_is_boolean(race)) {
			cl.race = json_is_true(race);
		} else if (race && !json_is_null(race)) {
			size_t o3 = enter(c, "race", 0);

			fail(c, "must be true, false or null");
			leave(c, o3);
			goto next;
		}
		if (get_int(c, o, "gomaxprocs", 0, 1, 100000, &v))
			goto next;
		cl.gomaxprocs = (int)v;
		if (get_count(c, o, "count", 0, &cl.count) ||
		    get_bool(c, o, "shuffle", &cl.shuffle) ||
		    get_count(c, o, "stress", 0, &cl.stress))
			goto next;
		v = 0;
		if (get_int(c, o, "wall_ms", 0, 0, 1LL << 50, &v))
			goto next;
		cl.wall_ms = v;
		cl.name = name;
		results_add_cell(r, &cl);
		bad = 0;
next:
		free(name);
		leave(c, o2);
		if (bad)
			return -1;
	}
	leave(c, old);
	return 0;
}

static int cell_ref(struct ctx *c, const json_t *o, const struct results *r,
		    int *out)
{
	char *name;
	int ret = 0;

	if (get_str(c, o, "cell", 1, 200, &name))
		return -1;
	*out = find_cell(r, name);
	if (*out < 0) {
		size_t old = enter(c, "cell", 0);

		ret = fail(c, "no cell named '%s' in cells", name);
		leave(c, old);
	}
	free(name);
	return ret;
}

static int read_test_cells(struct ctx *c, const json_t *o, struct results *r,
			   struct test *t)
{
	const json_t *a = get_array(c, o, "cells", 1, IN_JSON_MAX_CELLS);
	size_t i, old;

	if (!a)
		return -1;
	old = enter(c, "cells", 0);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		size_t o2 = enter(c, NULL, i);
		struct test_cell *tc;
		int cell, k;

		if (!json_is_object(e)) {
			fail(c, "must be an object");
			return -1;
		}
		if (cell_ref(c, e, r, &cell))
			return -1;
		for (k = 0; k < (int)t->ncells; k++) {
			if (t->cells[k].cell == cell) {
				size_t o3 = enter(c, "cell", 0);

				fail(c, "'%s' given twice", r->cells[cell].name);
				leave(c, o3);
				return -1;
			}
		}
		tc = results_test_cell(t, cell);
		if (get_verdict(c, e, "status", &tc->status) ||
		    get_count(c, e, "passes", 1, &tc->passes) ||
		    get_count(c, e, "failures", 1, &tc->failures) ||
		    get_count(c, e, "skips", 1, &tc->skips) ||
		    get_count(c, e, "notrun", 1, &tc->notrun) ||
		    get_count(c, e, "unknown", 0, &tc->unknown) ||
		    get_count(c, e, "rerun_passes", 0, &tc->rerun_passes) ||
		    get_count(c, e, "rerun_failures", 0, &tc->rerun_failures) ||
		    get_real(c, e, "seconds", &tc->seconds) ||
		    get_int(c, e, "shuffle_seed", 0, 0, INT64_MAX, &tc->fail_seed))
			return -1;
		leave(c, o2);
	}
	leave(c, old);
	return 0;
}

static int fail_kind_of(const char *s, enum fail_kind *k)
{
	static const enum fail_kind all[] = { FAIL_ASSERT, FAIL_PANIC,
		FAIL_TIMEOUT, FAIL_RACE, FAIL_CRASH };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, fail_kind_name(all[i]))) {
			*k = all[i];
			return 0;
		}
	}
	return -1;
}

static int read_failures(struct ctx *c, const json_t *o, struct results *r,
			 struct test *t)
{
	const json_t *a = get_array(c, o, "failure_details", 1,
				    RESULTS_MAX_FAILS);
	size_t i, old;

	if (!a)
		return -1;
	old = enter(c, "failure_details", 0);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		size_t o2 = enter(c, NULL, i);
		struct failure f;
		char *kind = NULL;
		long long line = 0;
		int ret = -1;

		memset(&f, 0, sizeof(f));
		if (!json_is_object(e)) {
			fail(c, "must be an object");
			return -1;
		}
		if (cell_ref(c, e, r, &f.cell) ||
		    get_str(c, e, "kind", 1, 16, &kind))
			goto next;
		if (fail_kind_of(kind, &f.kind)) {
			size_t o3 = enter(c, "kind", 0);

			fail(c, "must be fail, panic, timeout, race or crash, "
			     "not '%s'", kind);
			leave(c, o3);
			goto next;
		}
		if (get_str(c, e, "file", 0, IN_JSON_MAX_NAME, &f.file) ||
		    get_int(c, e, "line", 0, 1, 100000000, &line) ||
		    get_str(c, e, "message", 1, IN_JSON_MAX_TEXT, &f.message) ||
		    get_str(c, e, "signature", 1, 1024, &f.signature) ||
		    get_str(c, e, "output", 0, IN_JSON_MAX_TEXT, &f.output) ||
		    get_count(c, e, "count", 0, &f.count) ||
		    get_bool(c, e, "rerun", &f.rerun) ||
		    get_int(c, e, "shuffle_seed", 0, 0, INT64_MAX, &f.seed))
			goto next;
		f.line = (int)line;
		results_add_failure(t, &f);
		ret = 0;
next:
		free(kind);
		free(f.file);
		free(f.message);
		free(f.signature);
		free(f.output);
		if (ret)
			return -1;
		leave(c, o2);
	}
	leave(c, old);
	return 0;
}

static int read_test(struct ctx *c, const json_t *o, struct results *r)
{
	char *pkg = NULL, *name = NULL, *where = NULL, *repro = NULL;
	struct test *t;
	int ret = -1, n;

	if (!json_is_object(o))
		return fail(c, "must be an object");
	if (get_str(c, o, "package", 1, IN_JSON_MAX_NAME, &pkg) ||
	    get_str(c, o, "name", 1, IN_JSON_MAX_NAME, &name) ||
	    get_str(c, o, "where", 0, 4096, &where) ||
	    get_str(c, o, "repro", 0, 65536, &repro))
		goto out;
	if (!*name) {
		size_t old = enter(c, "name", 0);

		fail(c, "must not be empty");
		leave(c, old);
		goto out;
	}
	n = (int)r->ntests;
	t = results_test(r, pkg, name, 1);
	if ((int)r->ntests == n) {
		size_t old = enter(c, "name", 0);

		fail(c, "test '%s' of package '%s' given twice", name, pkg);
		leave(c, old);
		goto out;
	}
	t->where = where;
	t->repro = repro;
	where = repro = NULL;
	if (get_verdict(c, o, "status", &t->status) ||
	    get_count(c, o, "passes", 1, &t->passes) ||
	    get_count(c, o, "failures", 1, &t->failures) ||
	    get_count(c, o, "skips", 1, &t->skips) ||
	    get_count(c, o, "notrun", 0, &t->notrun) ||
	    get_count(c, o, "rerun_passes", 0, &t->rerun_passes) ||
	    get_count(c, o, "rerun_failures", 0, &t->rerun_failures) ||
	    get_real(c, o, "seconds", &t->seconds) ||
	    get_bool(c, o, "via_subtest", &t->via_subtest) ||
	    get_bool(c, o, "new_flaky", &t->new_flaky) ||
	    read_test_cells(c, o, r, t) || read_failures(c, o, r, t))
		goto out;
	t->executions = t->passes + t->failures + t->skips;
	{
		char *worst = NULL;

		if (get_str(c, o, "worst_cell", 0, 200, &worst))
			goto out;
		t->worst_cell = worst ? find_cell(r, worst) : -1;
		free(worst);
	}
	ret = 0;
out:
	free(pkg);
	free(name);
	free(where);
	free(repro);
	return ret;
}

static int pkg_status_of(const char *s, enum pkg_status *p)
{
	static const enum pkg_status all[] = { PKG_OK, PKG_FAILED,
		PKG_BUILD_FAILED, PKG_NO_TESTS };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, pkg_status_name(all[i]))) {
			*p = all[i];
			return 0;
		}
	}
	return -1;
}

static int read_packages(struct ctx *c, const json_t *doc, struct results *r)
{
	const json_t *a = get_array(c, doc, "packages", 1, IN_JSON_MAX_TESTS);
	size_t i, old;

	if (!a)
		return -1;
	old = enter(c, "packages", 0);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *o = json_array_get(a, i);
		size_t o2 = enter(c, NULL, i);
		char *name = NULL, *status = NULL, *dir = NULL, *error = NULL;
		struct package *p;
		int ret = -1;

		if (!json_is_object(o)) {
			fail(c, "must be an object");
			return -1;
		}
		if (get_str(c, o, "package", 1, IN_JSON_MAX_NAME, &name) ||
		    get_str(c, o, "status", 1, 32, &status) ||
		    get_str(c, o, "dir", 0, IN_JSON_MAX_NAME, &dir) ||
		    get_str(c, o, "error", 0, IN_JSON_MAX_TEXT, &error))
			goto next;
		p = results_package(r, name, 1);
		if (pkg_status_of(status, &p->status)) {
			size_t o3 = enter(c, "status", 0);

			fail(c, "must be ok, failed, build-failed or no-tests, "
			     "not '%s'", status);
			leave(c, o3);
			goto next;
		}
		free(p->dir);
		free(p->error);
		p->dir = dir;
		p->error = error;
		dir = error = NULL;
		ret = 0;
next:
		free(name);
		free(status);
		free(dir);
		free(error);
		if (ret)
			return -1;
		leave(c, o2);
	}
	leave(c, old);
	return 0;
}

int in_json_results(const char *doc, size_t len, struct results *r,
		    struct in_json_error *fe, struct err *err)
{
	struct ctx c;
	json_error_t jerr;
	json_t *root;
	const json_t *tests;
	long long v = 0;
	size_t i, old;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.fe = fe;
	c.err = err;
	if (fe)
		fe->field[0] = '\0';
	pthread_once(&arena_once, arena_install);
	arena_on = 1;
	root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		arena_release();
		err_set(err, "malformed JSON at line %d, column %d: %s",
			jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		fail(&c, "the document must be a JSON object, not %s",
		     type_name(root));
		goto out;
	}
	if (get_int(&c, root, "schema_version", 1, 1, 1, &v))
		goto out;
	if (read_meta(&c, root, &r->meta))
		goto out;
	v = 0;
	if (get_int(&c, root, "wall_ms", 0, 0, 1LL << 50, &v))
		goto out;
	r->wall_ms = v;
	if (read_cells(&c, root, r))
		goto out;
	tests = get_array(&c, root, "tests", 1, IN_JSON_MAX_TESTS);
	if (!tests)
		goto out;
	old = enter(&c, "tests", 0);
	for (i = 0; i < json_array_size(tests); i++) {
		size_t o2 = enter(&c, NULL, i);

		if (read_test(&c, json_array_get(tests, i), r))
			goto out;
		leave(&c, o2);
	}
	leave(&c, old);
	if (read_packages(&c, root, r))
		goto out;
	for (i = 0; i < r->ntests; i++) {
		const struct test *t = r->tests[i];

		r->total_executions += t->executions;
		switch (t->status) {
		case VERDICT_PASSED: r->n_passed++; break;
		case VERDICT_FAILED: r->n_failed++; break;
		case VERDICT_FLAKY: r->n_flaky++; break;
		case VERDICT_SKIPPED: r->n_skipped++; break;
		case VERDICT_NOTRUN: r->n_notrun++; break;
		}
	}
	r->finished = 1;
	ret = 0;
out:
	json_decref(root);
	arena_release();
	return ret;
}
