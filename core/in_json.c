/*
 * in_json.c: the results document, read and validated (see in_json.h).
 *
 * The document is pulled field by field (core/json_pull.h): nothing but
 * the struct results is built, so reading costs a scan of the text and
 * memory stays that of the results.  Cells must be known before tests
 * name them, and JSON objects are unordered, so the root is read twice:
 * first the metadata and cells, then the tests and packages.
 *
 * Within every object a field may appear once ("duplicate field"); an
 * unknown field is skipped (newer writers may add some).  The path of the
 * field being read is a stack of keys and indexes, formatted only when a
 * message needs it.
 */
#include "in_json.h"
#include "ident.h"
#include "buf.h"
#include "json_pull.h"
#include "sig.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

struct ctx {
	const char *key[MAX_DEPTH];	/* NULL: an array index */
	size_t idx[MAX_DEPTH];
	size_t depth;
	struct in_json_error *fe;
	struct err *err;
	struct jpull j;
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

/* A syntax error: the parser's message, no field. */
static int syntax(struct ctx *c)
{
	if (c->fe)
		c->fe->field[0] = '\0';
	return err_set(c->err, "%s", jp_error(&c->j) ? jp_error(&c->j) :
		       "malformed JSON");
}

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

static const char *type_name(enum jp_type t)
{
	switch (t) {
	case JP_OBJECT: return "an object";
	case JP_ARRAY: return "an array";
	case JP_STRING: return "a string";
	case JP_NUMBER: return "a number";
	case JP_BOOL: return "a boolean";
	case JP_NULL: return "null";
	case JP_ERROR: break;
	}
	return "not a value";
}

/* Fails on a syntax error at the next value, else with "must be ...". */
static int wrong_type(struct ctx *c, const char *want)
{
	enum jp_type t = jp_peek(&c->j);

	if (t == JP_ERROR) {
		jp_skip(&c->j);
		return syntax(c);
	}
	return fail(c, "must be %s, not %s", want, type_name(t));
}

/*
 * Field readers: the value after the key (the path already names it).
 * A null counts as absent.  They return 0, or -1 with the error set.
 */
static int rd_str(struct ctx *c, size_t max, char **out)
{
	const char *s;
	size_t n;
	int r = jp_null(&c->j);

	free(*out);
	*out = NULL;
	if (r)
		return r < 0 ? syntax(c) : 0;
	if (jp_peek(&c->j) != JP_STRING)
		return wrong_type(c, "a string");
	if (jp_string(&c->j, &s, &n))
		return syntax(c);
	if (n > max)
		return fail(c, "longer than %zu bytes", max);
	if (memchr(s, '\0', n))
		return fail(c, "must not contain NUL characters");
	*out = xstrndup(s, n);
	return 0;
}

static int rd_int(struct ctx *c, long long min, long long max, long long *out)
{
	long long v;
	int r = jp_null(&c->j);

	if (r)
		return r < 0 ? syntax(c) : 0;
	if (jp_peek(&c->j) != JP_NUMBER)
		return wrong_type(c, "a whole number");
	r = jp_int(&c->j, &v);
	if (r == -1)
		return syntax(c);
	if (r || v < min || v > max)
		return fail(c, "must be a whole number from %lld to %lld", min,
			    max);
	*out = v;
	return 0;
}

static int rd_count(struct ctx *c, int *out)
{
	long long v = 0;

	if (rd_int(c, 0, IN_JSON_MAX_COUNT, &v))
		return -1;
	*out = (int)v;
	return 0;
}

static int rd_real(struct ctx *c, double *out)
{
	double v;
	int r = jp_null(&c->j);

	if (r)
		return r < 0 ? syntax(c) : 0;
	if (jp_peek(&c->j) != JP_NUMBER)
		return wrong_type(c, "a non-negative number");
	r = jp_real(&c->j, &v);
	if (r == -1)
		return syntax(c);
	/* Every error return is an error: -2 leaves v unread. */
	if (r)
		return fail(c, "must be a number of at most 63 characters");
	if (!(v >= 0 && v <= 1e12))
		return fail(c, "must be a non-negative number");
	*out = v;
	return 0;
}

static int rd_bool(struct ctx *c, int *out)
{
	int r = jp_null(&c->j);

	if (r)
		return r < 0 ? syntax(c) : 0;
	if (jp_peek(&c->j) != JP_BOOL)
		return wrong_type(c, "true or false");
	return jp_bool(&c->j, out) ? syntax(c) : 0;
}

/*
 * Object iteration with duplicate and required-field checks.  fields[] is
 * the object's known keys; next_field() returns the index of the next
 * field (path entered: leave it after reading the value), -1 for an
 * unknown one (already skipped: call again), -2 at the end, -3 on error.
 */
struct obj {
	const char *const *fields;
	unsigned long seen;
	size_t old;
};

static int begin_obj(struct ctx *c, struct obj *o, const char *const *fields)
{
	o->fields = fields;
	o->seen = 0;
	o->old = c->depth;
	if (jp_peek(&c->j) != JP_OBJECT)
		return wrong_type(c, "an object");
	return jp_object(&c->j) ? syntax(c) : 0;
}

static int next_field(struct ctx *c, struct obj *o)
{
	const char *k;
	size_t n;
	int r, i;

	for (;;) {
		r = jp_key(&c->j, &k, &n);
		if (r < 0)
			return syntax(c), -3;
		if (r == 0)
			return -2;
		for (i = 0; o->fields[i]; i++)
			if (strlen(o->fields[i]) == n && !memcmp(o->fields[i], k, n))
				break;
		if (!o->fields[i]) {
			if (jp_skip(&c->j))
				return syntax(c), -3;
			continue;
		}
		enter(c, o->fields[i], 0);
		if (o->seen & (1UL << i))
			return fail(c, "duplicate field"), -3;
		o->seen |= 1UL << i;
		return i;
	}
}

/* Fails naming the first field of required (a mask) that was not seen. */
static int required(struct ctx *c, const struct obj *o, unsigned long mask)
{
	int i;

	for (i = 0; o->fields[i]; i++) {
		if ((mask & (1UL << i)) && !(o->seen & (1UL << i))) {
			size_t old = enter(c, o->fields[i], 0);

			fail(c, "required");
			leave(c, old);
			return -1;
		}
	}
	return 0;
}

#define BIT(i) (1UL << (i))

static int begin_array(struct ctx *c)
{
	if (jp_peek(&c->j) != JP_ARRAY)
		return wrong_type(c, "an array");
	return jp_array(&c->j) ? syntax(c) : 0;
}

/* 1 when another element follows (its index entered), 0 at the end. */
static int next_elem(struct ctx *c, size_t *i, size_t max, size_t base)
{
	int r = jp_elem(&c->j);

	c->depth = base;
	if (r < 0)
		return syntax(c);
	if (!r)
		return 0;
	if (*i >= max)
		return fail(c, "more than %zu entries", max);
	enter(c, NULL, (*i)++);
	return 1;
}

/* ---- enums ------------------------------------------------------------ */

static int rd_verdict(struct ctx *c, enum verdict *out)
{
	char *s = NULL;
	int ret = 0;

	if (rd_str(c, 32, &s))
		return -1;
	if (!s || verdict_parse(s, out))
		ret = fail(c, "must be passed, failed, flaky, skipped or "
			   "notrun, not '%s'", s ? s : "null");
	free(s);
	return ret;
}

static int rd_class(struct ctx *c, enum test_class *out)
{
	char *s = NULL;
	int ret = 0;

	if (rd_str(c, 32, &s))
		return -1;
	*out = CLASS_NONE;
	if (s && test_class_parse(s, out))
		ret = fail(c, "must be new, known, unverified, fixed, "
			   "quarantined, regressed or null, not '%s'", s);
	free(s);
	return ret;
}

static const char *const base_fields[] = {
	"executions", "failures", "runs", "flaky_runs", NULL,
};

/* A test's "base": null, or all four counts. */
static int rd_base(struct ctx *c, struct test *t)
{
	struct obj o;
	long long v[4] = { 0, 0, 0, 0 };
	int f, r = jp_null(&c->j);

	if (r)
		return r < 0 ? syntax(c) : 0;
	if (begin_obj(c, &o, base_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		if (rd_int(c, 0, IN_JSON_MAX_COUNT, &v[f]))
			return -1;
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, 0xFUL))
		return -1;
	t->has_base = 1;
	t->base.executions = (long)v[0];
	t->base.failures = (long)v[1];
	t->base.runs = (long)v[2];
	t->base.flaky_runs = (long)v[3];
	return 0;
}

static int rd_cell_ref(struct ctx *c, const struct results *r, int *out);

static const char *const order_fields[] = {
	"after", "shuffle_seed", "cell", NULL,
};

/* A test's "order": null, or the test it fails after, the seed and cell. */
static int rd_order(struct ctx *c, const struct results *r, struct test *t)
{
	struct obj o;
	char *after = NULL;
	long long seed = 0;
	int f, cell = -1, rc = jp_null(&c->j);

	if (rc)
		return rc < 0 ? syntax(c) : 0;
	if (begin_obj(c, &o, order_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		switch (f) {
		case 0: free(after); after = NULL;
			rc = rd_str(c, IN_JSON_MAX_NAME, &after); break;
		case 1: rc = rd_int(c, 1, INT64_MAX, &seed); break;
		default: rc = rd_cell_ref(c, r, &cell); break;
		}
		if (rc) {
			free(after);
			return -1;
		}
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, 0x7UL)) {
		free(after);
		return -1;
	}
	if (!after)
		return fail(c, "order.after: must be a test name, not null");
	free(t->after);
	t->after = after;
	t->after_seed = seed;
	t->after_cell = cell;
	return 0;
}

static int find_cell(const struct results *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		if (!strcmp(r->cells[i].name, name))
			return (int)i;
	return -1;
}

/* A "cell" field's value: the index of a known cell. */
static int rd_cell_ref(struct ctx *c, const struct results *r, int *out)
{
	char *name = NULL;
	int ret = 0;

	if (rd_str(c, 200, &name))
		return -1;
	if (!name)
		return fail(c, "required");
	*out = find_cell(r, name);
	if (*out < 0)
		ret = fail(c, "no cell named '%s' in cells", name);
	free(name);
	return ret;
}

/* ---- meta ----------------------------------------------------------------- */

enum {
	M_REPOSITORY, M_COMMIT, M_BRANCH, M_BASE, M_RUN_ID, M_JOB, M_WORKFLOW,
	M_EVENT, M_SERVER, M_SHARD, M_MODULE, M_GOVERSION, M_GOOS, M_GOARCH,
	M_STARTED, M_TOOL, M_PR, M_ATTEMPT,
};

static const char *const meta_fields[] = {
	"repository", "commit", "branch", "base_branch", "run_id", "job",
	"workflow", "event", "server_url", "shard", "module", "go_version",
	"goos", "goarch", "started_at", "tool_version", "pr", "run_attempt",
	NULL,
};

static int check_repository(struct ctx *c, const char *repo)
{
	if (!ident_repo_ok(repo))
		return fail(c, "must be OWNER/NAME (letters, digits, -, _, .), "
			    "not '%s'", repo);
	return 0;
}

static int check_shard(struct ctx *c, const char *shard)
{
	if (!ident_shard_ok(shard, NULL, NULL))
		return fail(c, "must be I/N with 1 <= I <= N <= %d, digits only, "
			    "not '%s'", IDENT_MAX_SHARDS, shard);
	return 0;
}

static int read_meta(struct ctx *c, struct run_meta *m)
{
	static const size_t max[] = { 200, 100, 255, 255, 64, 255, 1024, 64,
				      1024, 16, 1024, 64, 64, 64, 64, 64 };
	char **str[] = { &m->repository, &m->commit, &m->branch,
			 &m->base_branch, &m->run_id, &m->job, &m->workflow,
			 &m->event, &m->server_url, &m->shard, &m->module,
			 &m->go_version, &m->goos, &m->goarch, &m->started_at,
			 &m->tool_version };
	struct obj o;
	long long v;
	int f;

	if (begin_obj(c, &o, meta_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		if (f <= M_TOOL) {
			if (rd_str(c, max[f], str[f]))
				return -1;
			if (f == M_REPOSITORY && m->repository &&
			    check_repository(c, m->repository))
				return -1;
			if (f == M_SHARD && m->shard && check_shard(c, m->shard))
				return -1;
		} else {
			v = 0;
			if (rd_int(c, 1, f == M_PR ? 999999999 : 99999, &v))
				return -1;
			if (f == M_PR)
				m->pr = (int)v;
			else
				m->run_attempt = (int)v;
		}
		leave(c, o.old);
	}
	return f == -2 ? 0 : -1;
}

/* ---- cells ----------------------------------------------------------------- */

enum { C_NAME, C_RACE, C_GMP, C_COUNT, C_SHUFFLE, C_STRESS, C_WALL,
       C_PARALLEL };

static const char *const cell_fields[] = {
	"name", "race", "gomaxprocs", "count", "shuffle", "stress", "wall_ms",
	"parallel", NULL,
};

static int read_cell(struct ctx *c, struct results *r)
{
	struct obj o;
	struct cell cl;
	char *name = NULL;
	long long v;
	int f, ret = -1;

	memset(&cl, 0, sizeof(cl));
	cl.race = -1;
	if (begin_obj(c, &o, cell_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		v = 0;
		switch (f) {
		case C_NAME:
			rc = rd_str(c, 200, &name);
			if (!rc && name && !*name)
				rc = fail(c, "must not be empty");
			else if (!rc && name && find_cell(r, name) >= 0)
				rc = fail(c, "'%s' given twice", name);
			break;
		case C_RACE:
			if (jp_peek(&c->j) == JP_BOOL || jp_peek(&c->j) == JP_NULL) {
				int b = -1;

				rc = rd_bool(c, &b);
				cl.race = b;
			} else {
				rc = fail(c, "must be true, false or null");
			}
			break;
		case C_GMP:
			rc = rd_int(c, 1, 100000, &v);
			cl.gomaxprocs = (int)v;
			break;
		case C_COUNT: rc = rd_count(c, &cl.count); break;
		case C_SHUFFLE: rc = rd_bool(c, &cl.shuffle); break;
		case C_STRESS: rc = rd_count(c, &cl.stress); break;
		case C_WALL:
			rc = rd_int(c, 0, 1LL << 50, &v);
			cl.wall_ms = v;
			break;
		case C_PARALLEL:
			/* null (unknown) reads as absent */
			rc = rd_int(c, 1, 100000, &v);
			cl.parallel = (int)v;
			break;
		default: break;
		}
		if (rc)
			goto out;
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, BIT(C_NAME)))
		goto out;
	if (!name) {
		size_t old = enter(c, "name", 0);

		fail(c, "required");
		leave(c, old);
		goto out;
	}
	cl.name = name;
	results_add_cell(r, &cl);
	ret = 0;
out:
	free(name);
	return ret;
}

/* ---- tests ------------------------------------------------------------------ */

enum {
	TC_CELL, TC_STATUS, TC_PASSES, TC_FAILURES, TC_SKIPS, TC_NOTRUN,
	TC_UNKNOWN, TC_RPASSES, TC_RFAILURES, TC_SECONDS, TC_SEED,
};

static const char *const tcell_fields[] = {
	"cell", "status", "passes", "failures", "skips", "notrun", "unknown",
	"rerun_passes", "rerun_failures", "seconds", "shuffle_seed", NULL,
};

static int read_test_cell(struct ctx *c, struct results *r, struct test *t)
{
	struct obj o;
	struct test_cell tmp;
	int f, cell = -1, k;
	long long seed = 0;

	memset(&tmp, 0, sizeof(tmp));
	if (begin_obj(c, &o, tcell_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		switch (f) {
		case TC_CELL:
			rc = rd_cell_ref(c, r, &cell);
			for (k = 0; !rc && k < (int)t->ncells; k++)
				if (t->cells[k].cell == cell)
					rc = fail(c, "'%s' given twice",
						  r->cells[cell].name);
			break;
		case TC_STATUS: rc = rd_verdict(c, &tmp.status); break;
		case TC_PASSES: rc = rd_count(c, &tmp.passes); break;
		case TC_FAILURES: rc = rd_count(c, &tmp.failures); break;
		case TC_SKIPS: rc = rd_count(c, &tmp.skips); break;
		case TC_NOTRUN: rc = rd_count(c, &tmp.notrun); break;
		case TC_UNKNOWN: rc = rd_count(c, &tmp.unknown); break;
		case TC_RPASSES: rc = rd_count(c, &tmp.rerun_passes); break;
		case TC_RFAILURES: rc = rd_count(c, &tmp.rerun_failures); break;
		case TC_SECONDS: rc = rd_real(c, &tmp.seconds); break;
		case TC_SEED: rc = rd_int(c, 0, INT64_MAX, &seed); break;
		default: break;
		}
		if (rc)
			return -1;
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, BIT(TC_CELL) | BIT(TC_STATUS) |
			       BIT(TC_PASSES) | BIT(TC_FAILURES) |
			       BIT(TC_SKIPS) | BIT(TC_NOTRUN)))
		return -1;
	tmp.cell = cell;
	tmp.fail_seed = seed;
	*results_test_cell(t, cell) = tmp;
	return 0;
}

enum {
	FD_CELL, FD_KIND, FD_FILE, FD_LINE, FD_MESSAGE, FD_SIGNATURE,
	FD_OUTPUT, FD_COUNT, FD_RERUN, FD_SEED,
};

static const char *const fail_fields[] = {
	"cell", "kind", "file", "line", "message", "signature", "output",
	"count", "rerun", "shuffle_seed", NULL,
};

static int read_failure(struct ctx *c, struct results *r, struct test *t)
{
	struct obj o;
	struct failure fl;
	char *kind = NULL;
	long long v;
	int f, ret = -1;

	memset(&fl, 0, sizeof(fl));
	if (begin_obj(c, &o, fail_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		v = 0;
		switch (f) {
		case FD_CELL: rc = rd_cell_ref(c, r, &fl.cell); break;
		case FD_KIND:
			rc = rd_str(c, 16, &kind);
			if (!rc && (!kind || fail_kind_parse(kind, &fl.kind)))
				rc = fail(c, "must be fail, panic, timeout, race "
					  "or crash, not '%s'", kind ? kind : "null");
			break;
		case FD_FILE: rc = rd_str(c, IN_JSON_MAX_NAME, &fl.file); break;
		case FD_LINE:
			rc = rd_int(c, 1, 100000000, &v);
			fl.line = (int)v;
			break;
		case FD_MESSAGE: rc = rd_str(c, IN_JSON_MAX_TEXT, &fl.message); break;
		case FD_SIGNATURE: rc = rd_str(c, SIG_TOTAL_MAX, &fl.signature); break;
		case FD_OUTPUT: rc = rd_str(c, IN_JSON_MAX_TEXT, &fl.output); break;
		case FD_COUNT: rc = rd_count(c, &fl.count); break;
		case FD_RERUN: rc = rd_bool(c, &fl.rerun); break;
		case FD_SEED: rc = rd_int(c, 0, INT64_MAX, &fl.seed); break;
		default: break;
		}
		if (rc)
			goto out;
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, BIT(FD_CELL) | BIT(FD_KIND) |
			       BIT(FD_MESSAGE) | BIT(FD_SIGNATURE)))
		goto out;
	results_add_failure(t, &fl);
	ret = 0;
out:
	free(kind);
	free(fl.file);
	free(fl.message);
	free(fl.signature);
	free(fl.output);
	return ret;
}

enum {
	T_PACKAGE, T_NAME, T_STATUS, T_PASSES, T_FAILURES, T_SKIPS, T_NOTRUN,
	T_RPASSES, T_RFAILURES, T_SECONDS, T_VIA, T_NEW, T_WHERE, T_REPRO,
	T_WORST, T_CELLS, T_FAILS, T_CLASS, T_BASE, T_ORDER, T_EARLIER,
};

static const char *const test_fields[] = {
	"package", "name", "status", "passes", "failures", "skips", "notrun",
	"rerun_passes", "rerun_failures", "seconds", "via_subtest", "new_flaky",
	"where", "repro", "worst_cell", "cells", "failure_details", "class",
	"base", "order", "earlier_attempt", NULL,
};

/*
 * Reads one test.  Its package and name must come before its counts:
 * the collector writes them first; a document that does not is refused
 * with a message saying so.
 */
static int read_test(struct ctx *c, struct results *r)
{
	struct obj o;
	struct test *t = NULL;
	char *pkg = NULL, *name = NULL, *worst = NULL;
	int f, ret = -1;

	if (begin_obj(c, &o, test_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		if (f > T_NAME && !t) {
			if (!pkg || !name) {
				fail(c, "package and name must come before "
				     "the test's other fields");
				goto out;
			}
		}
		switch (f) {
		case T_PACKAGE: rc = rd_str(c, IN_JSON_MAX_NAME, &pkg); break;
		case T_NAME:
			rc = rd_str(c, IN_JSON_MAX_NAME, &name);
			if (!rc && name && !*name)
				rc = fail(c, "must not be empty");
			break;
		case T_STATUS: rc = rd_verdict(c, &t->status); break;
		case T_PASSES: rc = rd_count(c, &t->passes); break;
		case T_FAILURES: rc = rd_count(c, &t->failures); break;
		case T_SKIPS: rc = rd_count(c, &t->skips); break;
		case T_NOTRUN: rc = rd_count(c, &t->notrun); break;
		case T_RPASSES: rc = rd_count(c, &t->rerun_passes); break;
		case T_RFAILURES: rc = rd_count(c, &t->rerun_failures); break;
		case T_SECONDS: rc = rd_real(c, &t->seconds); break;
		case T_VIA: rc = rd_bool(c, &t->via_subtest); break;
		case T_NEW: rc = rd_bool(c, &t->new_flaky); break;
		case T_WHERE: rc = rd_str(c, 4096, &t->where); break;
		case T_REPRO: rc = rd_str(c, 65536, &t->repro); break;
		case T_WORST: rc = rd_str(c, 200, &worst); break;
		case T_CLASS: rc = rd_class(c, &t->klass); break;
		case T_BASE: rc = rd_base(c, t); break;
		case T_ORDER: rc = rd_order(c, r, t); break;
		case T_EARLIER: rc = rd_count(c, &t->earlier_attempt); break;
		case T_CELLS: {
			size_t i = 0, base = c->depth;

			if ((rc = begin_array(c)))
				break;
			while ((rc = next_elem(c, &i, IN_JSON_MAX_CELLS, base)) > 0)
				if ((rc = read_test_cell(c, r, t)))
					break;
			c->depth = base;
			break;
		}
		case T_FAILS: {
			size_t i = 0, base = c->depth;

			if ((rc = begin_array(c)))
				break;
			while ((rc = next_elem(c, &i, RESULTS_MAX_FAILS, base)) > 0)
				if ((rc = read_failure(c, r, t)))
					break;
			c->depth = base;
			break;
		}
		default: break;
		}
		if (rc)
			goto out;
		leave(c, o.old);
		if (!t && pkg && name) {
			size_t n = r->ntests;

			t = results_test(r, pkg, name, 1);
			if (r->ntests == n) {
				size_t old = enter(c, "name", 0);

				fail(c, "test '%s' of package '%s' given twice",
				     name, pkg);
				leave(c, old);
				t = NULL;
				goto out;
			}
		}
	}
	if (f != -2 || required(c, &o, BIT(T_PACKAGE) | BIT(T_NAME) |
			       BIT(T_STATUS) | BIT(T_PASSES) |
			       BIT(T_FAILURES) | BIT(T_SKIPS) | BIT(T_CELLS) |
			       BIT(T_FAILS)))
		goto out;
	if (!t) {
		size_t old = enter(c, pkg ? "name" : "package", 0);

		fail(c, "required");
		leave(c, old);
		goto out;
	}
	/* Sums of accepted counts stay in range, or the document is refused:
	 * no int that is derived from them can overflow. */
	{
		long long sum = (long long)t->passes + t->failures + t->skips;
		long long cells = 0;
		size_t k;

		for (k = 0; k < t->ncells; k++) {
			const struct test_cell *tc = &t->cells[k];

			cells += (long long)tc->passes + tc->failures + tc->skips +
				 tc->notrun + tc->unknown + tc->rerun_passes +
				 tc->rerun_failures;
		}
		if (sum > IN_JSON_MAX_COUNT || cells > IN_JSON_MAX_COUNT ||
		    (long long)t->rerun_passes + t->rerun_failures +
		    t->notrun > IN_JSON_MAX_COUNT) {
			size_t old = enter(c, sum > IN_JSON_MAX_COUNT ?
					   "passes" : "cells", 0);

			fail(c, "the test's counts add up to more than %d",
			     IN_JSON_MAX_COUNT);
			leave(c, old);
			goto out;
		}
	}
	t->executions = t->passes + t->failures + t->skips;
	t->worst_cell = worst ? find_cell(r, worst) : -1;
	ret = 0;
out:
	free(pkg);
	free(name);
	free(worst);
	return ret;
}

/* ---- packages ---------------------------------------------------------------- */

enum { P_PACKAGE, P_STATUS, P_DIR, P_ERROR };

static const char *const pkg_fields[] = {
	"package", "status", "dir", "error", NULL,
};

static int read_package(struct ctx *c, struct results *r)
{
	struct obj o;
	char *name = NULL, *status = NULL, *dir = NULL, *error = NULL;
	enum pkg_status ps = PKG_OK;
	struct package *p;
	int f, ret = -1;

	if (begin_obj(c, &o, pkg_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		switch (f) {
		case P_PACKAGE: rc = rd_str(c, IN_JSON_MAX_NAME, &name); break;
		case P_STATUS:
			rc = rd_str(c, 32, &status);
			if (!rc && (!status || pkg_status_parse(status, &ps)))
				rc = fail(c, "must be ok, failed, build-failed or "
					  "no-tests, not '%s'",
					  status ? status : "null");
			break;
		case P_DIR: rc = rd_str(c, IN_JSON_MAX_NAME, &dir); break;
		case P_ERROR: rc = rd_str(c, IN_JSON_MAX_TEXT, &error); break;
		default: break;
		}
		if (rc)
			goto out;
		leave(c, o.old);
	}
	if (f != -2 || required(c, &o, BIT(P_PACKAGE) | BIT(P_STATUS)))
		goto out;
	if (!name) {
		size_t old = enter(c, "package", 0);

		fail(c, "required");
		leave(c, old);
		goto out;
	}
	p = results_package(r, name, 1);
	p->status = ps;
	free(p->dir);
	free(p->error);
	p->dir = dir;
	p->error = error;
	dir = error = NULL;
	ret = 0;
out:
	free(name);
	free(status);
	free(dir);
	free(error);
	return ret;
}

/* ---- the document ---------------------------------------------------------------- */

enum { R_VERSION, R_META, R_WALL, R_CELLS, R_TESTS, R_PACKAGES };

static const char *const root_fields[] = {
	"schema_version", "meta", "wall_ms", "cells", "tests", "packages", NULL,
};

static int read_list(struct ctx *c, struct results *r, size_t max,
		     int (*one)(struct ctx *, struct results *))
{
	size_t i = 0, base = c->depth;
	int rc;

	if (begin_array(c))
		return -1;
	while ((rc = next_elem(c, &i, max, base)) > 0)
		if (one(c, r))
			return -1;
	c->depth = base;
	return rc;
}

/* Pass 1 reads the fields in mask1, pass 2 those in mask2; each skips
 * the others. */
static int read_root(struct ctx *c, struct results *r, unsigned long want)
{
	struct obj o;
	long long v;
	int f;

	if (jp_peek(&c->j) != JP_OBJECT) {
		enum jp_type t = jp_peek(&c->j);

		/* Malformed text is malformed, whatever it starts with. */
		if (jp_skip(&c->j) || jp_end(&c->j))
			return syntax(c);
		return fail(c, "the document must be a JSON object, not %s",
			    type_name(t));
	}
	if (begin_obj(c, &o, root_fields))
		return -1;
	while ((f = next_field(c, &o)) >= 0) {
		int rc = 0;

		if (!(want & BIT(f))) {
			rc = jp_skip(&c->j) ? syntax(c) : 0;
		} else {
			v = 0;
			switch (f) {
			case R_VERSION:
				rc = rd_int(c, 1, 1, &v);
				if (!rc && !v)
					rc = fail(c, "required");
				break;
			case R_META: rc = read_meta(c, &r->meta); break;
			case R_WALL:
				rc = rd_int(c, 0, 1LL << 50, &v);
				r->wall_ms = v;
				break;
			case R_CELLS:
				rc = read_list(c, r, IN_JSON_MAX_CELLS, read_cell);
				break;
			case R_TESTS:
				rc = read_list(c, r, IN_JSON_MAX_TESTS, read_test);
				break;
			case R_PACKAGES:
				rc = read_list(c, r, IN_JSON_MAX_TESTS, read_package);
				break;
			default: break;
			}
		}
		if (rc)
			return -1;
		leave(c, o.old);
	}
	if (f != -2 || jp_end(&c->j))
		return f == -3 ? -1 : syntax(c);
	return required(c, &o, want & (BIT(R_VERSION) | BIT(R_META) |
				       BIT(R_CELLS) | BIT(R_TESTS) |
				       BIT(R_PACKAGES)));
}

int in_json_results(const char *doc, size_t len, struct results *r,
		    struct in_json_error *fe, struct err *err)
{
	struct ctx c;
	size_t i;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.fe = fe;
	c.err = err;
	if (fe)
		fe->field[0] = '\0';
	jp_init(&c.j, doc, len);
	if (read_root(&c, r, BIT(R_VERSION) | BIT(R_META) | BIT(R_WALL) |
		      BIT(R_CELLS)))
		goto out;
	jp_release(&c.j);
	jp_init(&c.j, doc, len);
	c.depth = 0;
	if (read_root(&c, r, BIT(R_TESTS) | BIT(R_PACKAGES)))
		goto out;
	for (i = 0; i < r->ntests; i++) {
		r->tests[i]->repeat = test_fails_are_repeat(r->tests[i]);
		/* Only a test that passed here can carry it (results.h). */
		if (r->tests[i]->status != VERDICT_PASSED)
			r->tests[i]->earlier_attempt = 0;
	}
	results_count(r);
	r->finished = 1;
	ret = 0;
out:
	jp_release(&c.j);
	return ret;
}
