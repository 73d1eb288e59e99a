/*
 * results.c: the run's results: tests indexed by (package, name), counts
 * per cell, bounded failure lists, and the derivations done once at the end
 * (verdicts, worst cell, "where" text, repro command, order).
 */
#include "results.h"
#include "buf.h"
#include "err.h"
#include "sig.h"
#include "utf8.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct test *results_test_exact(struct results *r, const char *package,
				       const char *name, int create);
static struct package *results_package_exact(struct results *r,
					     const char *package, int create);

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASSED: return "passed";
	case VERDICT_FAILED: return "failed";
	case VERDICT_FLAKY: return "flaky";
	case VERDICT_SKIPPED: return "skipped";
	case VERDICT_NOTRUN: return "notrun";
	}
	BUG("bad verdict %d", (int)v);
}

const char *test_class_name(enum test_class c)
{
	switch (c) {
	case CLASS_NONE: return NULL;
	case CLASS_NEW: return "new";
	case CLASS_KNOWN: return "known";
	case CLASS_UNVERIFIED: return "unverified";
	case CLASS_FIXED: return "fixed";
	case CLASS_QUARANTINED: return "quarantined";
	case CLASS_REGRESSED: return "regressed";
	}
	BUG("bad test class %d", (int)c);
}

int test_class_parse(const char *s, enum test_class *out)
{
	static const enum test_class all[] = { CLASS_NEW, CLASS_KNOWN,
		CLASS_UNVERIFIED, CLASS_FIXED, CLASS_QUARANTINED,
		CLASS_REGRESSED };
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, test_class_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

enum verdict results_gate_verdict(const struct test *t)
{
	return t->status == VERDICT_PASSED && t->earlier_attempt > 0 ?
	       VERDICT_FLAKY : t->status;
}

int results_n_earlier(const struct results *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->ntests; i++)
		n += results_gate_verdict(r->tests[i]) != r->tests[i]->status;
	return n;
}

void results_set_class(struct test *t, enum test_class klass,
		       const struct base_rate *base)
{
	t->klass = klass;
	t->new_flaky = klass == CLASS_NEW &&
		       results_gate_verdict(t) == VERDICT_FLAKY;
	if (base) {
		t->base = *base;
		t->has_base = 1;
	}
}

const char *fail_kind_name(enum fail_kind k)
{
	switch (k) {
	case FAIL_ASSERT: return "fail";
	case FAIL_PANIC: return "panic";
	case FAIL_TIMEOUT: return "timeout";
	case FAIL_RACE: return "race";
	case FAIL_CRASH: return "crash";
	case FAIL_EXIT: return "exit";
	case FAIL_REPEAT: return "repeat";
	}
	BUG("bad failure kind %d", (int)k);
}

const char *pkg_status_name(enum pkg_status s)
{
	switch (s) {
	case PKG_OK: return "ok";
	case PKG_FAILED: return "failed";
	case PKG_BUILD_FAILED: return "build-failed";
	case PKG_NO_TESTS: return "no-tests";
	}
	BUG("bad package status %d", (int)s);
}

int verdict_parse(const char *s, enum verdict *out)
{
	static const enum verdict all[] = { VERDICT_PASSED, VERDICT_FAILED,
		VERDICT_FLAKY, VERDICT_SKIPPED, VERDICT_NOTRUN };
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, verdict_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

int fail_kind_parse(const char *s, enum fail_kind *out)
{
	static const enum fail_kind all[] = { FAIL_ASSERT, FAIL_PANIC,
		FAIL_TIMEOUT, FAIL_RACE, FAIL_CRASH, FAIL_EXIT, FAIL_REPEAT };
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, fail_kind_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

int pkg_status_parse(const char *s, enum pkg_status *out)
{
	static const enum pkg_status all[] = { PKG_OK, PKG_FAILED,
		PKG_BUILD_FAILED, PKG_NO_TESTS };
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, pkg_status_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

void results_init(struct results *r)
{
	memset(r, 0, sizeof(*r));
}

static void meta_release(struct run_meta *m)
{
	char **s[] = { &m->repository, &m->commit, &m->branch, &m->base_branch,
		       &m->run_id, &m->job, &m->workflow, &m->event,
		       &m->server_url, &m->go_version, &m->goos, &m->goarch,
		       &m->started_at, &m->shard, &m->module, &m->tool_version };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		FREE_AND_NULL(*s[i]);
}

static void failure_release(struct failure *f)
{
	free(f->file);
	free(f->message);
	free(f->signature);
	free(f->output);
}

static void test_free(struct test *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nfails; i++)
		failure_release(&t->fails[i]);
	free(t->fails);
	free(t->cells);
	free(t->package);
	free(t->name);
	free(t->where);
	free(t->repro);
	free(t->after);
	free(t);
}

void results_release(struct results *r)
{
	size_t i;

	meta_release(&r->meta);
	for (i = 0; i < r->ncells; i++)
		free(r->cells[i].name);
	free(r->cells);
	for (i = 0; i < r->ntests; i++)
		test_free(r->tests[i]);
	free(r->tests);
	for (i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].package);
		free(r->pkgs[i].dir);
		free(r->pkgs[i].abs_dir);
		free(r->pkgs[i].error);
		free(r->pkgs[i].cells);
	}
	free(r->pkgs);
	free(r->repo_root);
	free(r->tags);
	free(r->hidx);
	memset(r, 0, sizeof(*r));
}

int results_add_cell(struct results *r, const struct cell *c)
{
	xgrow((void **)&r->cells, &r->alloc_cells, r->ncells + 1,
	      sizeof(*r->cells));
	r->cells[r->ncells] = *c;
	r->cells[r->ncells].name = xstrdup(c->name ? c->name : "default");
	return (int)r->ncells++;
}

char *results_canon_name(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, cut;
	struct buf b = BUF_INIT(RESULTS_NAME_MAX * 4 + 64);
	uint64_t h = 1469598103934665603ULL;
	unsigned long cp;
	int valid = 1;

	while (i < n && valid) {
		size_t len = utf8_seq(u + i, n - i, &cp);

		valid = len > 0;
		i += len;
	}
	if (valid && n <= RESULTS_NAME_MAX)
		return NULL;
	for (i = 0; i < n;) {
		size_t len = utf8_seq(u + i, n - i, &cp);

		if (len ? buf_add(&b, s + i, len) : buf_adds(&b, utf8_replacement))
			BUG("name buffer");
		i += len ? len : 1;
		if (b.len > RESULTS_NAME_MAX * 2)
			break;
	}
	if (b.len <= RESULTS_NAME_MAX)
		return buf_detach(&b, NULL);
	/* Too long: a cut at a character boundary, then a hash of the whole
	 * name, so distinct names stay distinct (and the same name always
	 * maps to the same entry). */
	for (i = 0; i < n; i++)
		h = (h ^ u[i]) * 1099511628211ULL;
	cut = utf8_prefix(b.data, b.len, RESULTS_NAME_MAX - 20);
	buf_truncate(&b, cut);
	if (buf_addf(&b, "…#%016llx", (unsigned long long)h))
		BUG("name buffer");
	return buf_detach(&b, NULL);
}

/* FNV-1a over package, a separator, and name. */
static uint64_t test_hash(const char *pkg, const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)pkg; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* Index slots hold test index + 1; 0 is empty. */
static void rehash(struct results *r)
{
	size_t cap = r->hcap ? r->hcap * 2 : 256, i;

	free(r->hidx);
	r->hidx = xcalloc(cap, sizeof(*r->hidx));
	r->hcap = cap;
	for (i = 0; i < r->ntests; i++) {
		size_t h = (size_t)test_hash(r->tests[i]->package,
					     r->tests[i]->name) & (cap - 1);
		while (r->hidx[h])
			h = (h + 1) & (cap - 1);
		r->hidx[h] = i + 1;
	}
}

struct test *results_test(struct results *r, const char *package,
			  const char *name, int create)
{
	char *cpkg = results_canon_name(package), *cname = results_canon_name(name);
	struct test *t;

	t = results_test_exact(r, cpkg ? cpkg : package, cname ? cname : name,
			       create);
	free(cpkg);
	free(cname);
	return t;
}

static struct test *results_test_exact(struct results *r, const char *package,
				       const char *name, int create)
{
	size_t h;
	struct test *t;

	if (r->finished && create)
		BUG("results_test(create) after results_finish");
	if (r->hcap) {
		h = (size_t)test_hash(package, name) & (r->hcap - 1);
		while (r->hidx[h]) {
			t = r->tests[r->hidx[h] - 1];
			if (!strcmp(t->name, name) && !strcmp(t->package, package))
				return t;
			h = (h + 1) & (r->hcap - 1);
		}
	}
	if (!create)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->package = xstrdup(package);
	t->name = xstrdup(name);
	t->worst_cell = -1;
	xgrow((void **)&r->tests, &r->alloc_tests, r->ntests + 1,
	      sizeof(*r->tests));
	r->tests[r->ntests++] = t;
	if (r->ntests * 2 > r->hcap) {
		rehash(r);
	} else {
		h = (size_t)test_hash(package, name) & (r->hcap - 1);
		while (r->hidx[h])
			h = (h + 1) & (r->hcap - 1);
		r->hidx[h] = r->ntests;
	}
	return t;
}

int test_is_package(const struct test *t)
{
	return !strcmp(t->name, RESULTS_PACKAGE_TEST);
}

int test_fails_are_repeat(const struct test *t)
{
	size_t i;

	for (i = 0; i < t->nfails; i++)
		if (t->fails[i].kind != FAIL_REPEAT)
			return 0;
	return t->nfails > 0;
}

struct test *results_package_test(struct results *r, const char *package)
{
	struct test *t = results_test(r, package, RESULTS_PACKAGE_TEST, 0);
	struct package *p;
	size_t i;

	if (t)
		return t;
	t = results_test(r, package, RESULTS_PACKAGE_TEST, 1);
	p = results_package(r, package, 1);
	for (i = 0; i < p->ncells; i++) {
		struct pkg_cell *pc = &p->cells[i];
		struct test_cell *tc;

		if (!pc->clean_procs && !pc->clean_reruns)
			continue;
		tc = results_test_cell(t, pc->cell);
		tc->passes += pc->clean_procs;
		tc->first_passes += pc->clean_procs;
		tc->rerun_passes += pc->clean_reruns;
		pc->clean_procs = pc->clean_reruns = 0;
	}
	return t;
}

struct test_cell *results_test_cell(struct test *t, int cell)
{
	size_t i;

	for (i = t->ncells; i > 0; i--) {
		if (t->cells[i - 1].cell == cell)
			return &t->cells[i - 1];
		if (t->cells[i - 1].cell < cell)
			break;
	}
	xgrow((void **)&t->cells, &t->alloc_cells, t->ncells + 1,
	      sizeof(*t->cells));
	memmove(&t->cells[i + 1], &t->cells[i],
		(t->ncells - i) * sizeof(*t->cells));
	memset(&t->cells[i], 0, sizeof(t->cells[i]));
	t->cells[i].cell = cell;
	t->ncells++;
	return &t->cells[i];
}

struct package *results_package(struct results *r, const char *package,
				int create)
{
	char *canon = results_canon_name(package);
	struct package *p;

	p = results_package_exact(r, canon ? canon : package, create);
	free(canon);
	return p;
}

void results_package_remove(struct results *r, const char *package)
{
	struct package *p = results_package(r, package, 0);
	size_t i;

	if (!p)
		return;
	if (r->finished)
		BUG("results_package_remove after results_finish");
	for (i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i]->package, p->package))
			BUG("results_package_remove: package %s has tests",
			    p->package);
	free(p->package);
	free(p->dir);
	free(p->abs_dir);
	free(p->error);
	free(p->cells);
	i = (size_t)(p - r->pkgs);
	memmove(p, p + 1, (r->npkgs - i - 1) * sizeof(*p));
	r->npkgs--;
}

static struct package *results_package_exact(struct results *r,
					     const char *package, int create)
{
	size_t i;
	struct package *p;

	for (i = r->npkgs; i > 0; i--)
		if (!strcmp(r->pkgs[i - 1].package, package))
			return &r->pkgs[i - 1];
	if (!create)
		return NULL;
	xgrow((void **)&r->pkgs, &r->alloc_pkgs, r->npkgs + 1,
	      sizeof(*r->pkgs));
	p = &r->pkgs[r->npkgs++];
	memset(p, 0, sizeof(*p));
	p->package = xstrdup(package);
	return p;
}

struct pkg_cell *results_pkg_cell(struct package *p, int cell)
{
	size_t i;

	for (i = 0; i < p->ncells; i++)
		if (p->cells[i].cell == cell)
			return &p->cells[i];
	xgrow((void **)&p->cells, &p->alloc_cells, p->ncells + 1,
	      sizeof(*p->cells));
	memset(&p->cells[p->ncells], 0, sizeof(p->cells[0]));
	p->cells[p->ncells].cell = cell;
	return &p->cells[p->ncells++];
}

/* Counts add without overflow: a merge of many shards saturates. */
static int sat_add(int a, int b)
{
	long long v = (long long)a + b;

	return v > INT_MAX ? INT_MAX : v < 0 ? 0 : (int)v;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void results_add_failure(struct test *t, const struct failure *f)
{
	size_t i;
	struct failure *g;
	const char *sig = f->signature ? f->signature : "";

	for (i = 0; i < t->nfails; i++) {
		g = &t->fails[i];
		if (g->cell == f->cell && !strcmp(g->signature, sig)) {
			g->count += f->count ? f->count : 1;
			if (!f->rerun)
				g->rerun = 0;
			if (!g->seed)
				g->seed = f->seed;
			return;
		}
	}
	if (t->nfails >= RESULTS_MAX_FAILS) {
		t->fails_dropped++;
		return;
	}
	xgrow((void **)&t->fails, &t->alloc_fails, t->nfails + 1,
	      sizeof(*t->fails));
	g = &t->fails[t->nfails++];
	*g = *f;
	g->file = f->file ? results_canon_name(f->file) : NULL;
	if (!g->file)
		g->file = dup_or_null(f->file);
	g->message = xstrdup(f->message ? f->message : "");
	g->signature = xstrdup(sig);
	g->output = dup_or_null(f->output);
	if (!g->count)
		g->count = 1;
}

double test_cell_rate(const struct test_cell *tc)
{
	long long n = (long long)tc->passes + tc->failures;

	return n ? (double)tc->failures / (double)n : 0.0;
}

enum verdict results_cell_verdict(const struct test_cell *tc)
{
	if (tc->failures) {
		if (tc->passes || tc->rerun_passes)
			return VERDICT_FLAKY;
		return VERDICT_FAILED;
	}
	if (tc->passes)
		return VERDICT_PASSED;
	if (tc->skips)
		return VERDICT_SKIPPED;
	return VERDICT_NOTRUN;
}

/*
 * Tests that a crashed process never reached: for every cell in which the
 * test's package crashed, the executions the cell asked for and did not get.
 */
static void derive_notrun(struct results *r, struct test *t)
{
	struct package *p = results_package(r, t->package, 0);
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncells; i++) {
		struct pkg_cell *pc = &p->cells[i];
		struct test_cell *tc;
		int want, got;

		if (!pc->crashed)
			continue;
		want = r->cells[pc->cell].count;
		if (want <= 0)
			want = 1;
		tc = results_test_cell(t, pc->cell);
		got = tc->passes + tc->failures + tc->skips + tc->unknown;
		tc->notrun = want > got ? want - got : 0;
	}
}

static int is_ancestor(const char *parent, const char *name)
{
	size_t n = strlen(parent);

	return !strncmp(parent, name, n) && name[n] == '/';
}

static void derive_where(struct results *r, struct test *t)
{
	struct buf b = BUF_INIT(4096);
	size_t i;
	int ran_race[2] = { 0, 0 }, fail_race[2] = { 0, 0 };
	int nfail = 0, nran = 0, all_fail_race, gmp_subset = 1, exact = 1;
	int gmp_ran[64], gmp_fail[64], nr = 0, nf = 0, j;

	for (i = 0; i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];
		const struct cell *c = &r->cells[tc->cell];
		int failed = tc->failures > 0;
		int ran = tc->passes + tc->failures > 0;
		int g = c->gomaxprocs, seen;

		if (!ran)
			continue;
		nran++;
		if (c->race >= 0)
			ran_race[c->race]++;
		seen = 0;
		for (j = 0; j < nr; j++)
			seen |= gmp_ran[j] == g;
		if (!seen && nr < 64)
			gmp_ran[nr++] = g;
		if (!failed)
			continue;
		nfail++;
		if (c->race >= 0)
			fail_race[c->race]++;
		seen = 0;
		for (j = 0; j < nf; j++)
			seen |= gmp_fail[j] == g;
		if (!seen && nf < 64)
			gmp_fail[nf++] = g;
	}
	if (!nfail || nfail == nran)
		return;
	all_fail_race = fail_race[1] == nfail && ran_race[0] > 0;
	if (nf >= nr || (nf == 1 && gmp_fail[0] == 0))
		gmp_subset = 0;
	/*
	 * The compact text is only used when it is exact: every cell that ran
	 * and matches the described conditions failed.
	 */
	for (i = 0; i < t->ncells; i++) {
		const struct test_cell *tc = &t->cells[i];
		const struct cell *c = &r->cells[tc->cell];
		int match = 1;

		if (tc->passes + tc->failures == 0)
			continue;
		if (all_fail_race && c->race != 1)
			match = 0;
		if (gmp_subset) {
			int in = 0;

			for (j = 0; j < nf; j++)
				in |= gmp_fail[j] == c->gomaxprocs;
			match &= in;
		}
		if (match != (tc->failures > 0))
			exact = 0;
	}
	if (!(exact && (all_fail_race || gmp_subset)) && nfail * 2 > nran) {
		/* Mostly failing: name the cells where it passed instead. */
		int first = 1;

		if (buf_adds(&b, "in every cell but "))
			goto out;
		for (i = 0; i < t->ncells; i++) {
			const struct test_cell *tc = &t->cells[i];

			if (tc->failures || tc->passes == 0)
				continue;
			if (buf_addf(&b, "%s%s", first ? "" : "; ",
				     r->cells[tc->cell].name))
				goto out;
			first = 0;
		}
	} else if (exact && (all_fail_race || gmp_subset)) {
		if (buf_adds(&b, "only under "))
			goto out;
		if (all_fail_race && buf_adds(&b, "-race"))
			goto out;
		if (gmp_subset) {
			if (buf_addf(&b, "%sGOMAXPROCS=", all_fail_race ? ", " : ""))
				goto out;
			for (j = 0; j < nf; j++)
				if (buf_addf(&b, "%s%d", j ? "," : "", gmp_fail[j]))
					goto out;
		}
	} else {
		int first = 1;

		if (buf_adds(&b, "only in "))
			goto out;
		for (i = 0; i < t->ncells; i++) {
			if (t->cells[i].failures == 0)
				continue;
			if (buf_addf(&b, "%s%s", first ? "" : "; ",
				     r->cells[t->cells[i].cell].name))
				goto out;
			first = 0;
		}
	}
	t->where = buf_detach(&b, NULL);
out:
	buf_release(&b);
}

/*
 * The failure rate a repro command is sized for: over the cell's
 * executions and its isolated reruns (a cell that failed every execution
 * and passed some reruns is flaky at the combined rate, not at 100%).
 */
static double repro_rate(const struct test_cell *tc)
{
	long long n = (long long)tc->passes + tc->failures +
		      tc->rerun_passes + tc->rerun_failures;

	return n ? (double)((long long)tc->failures + tc->rerun_failures) /
		   (double)n : 0.0;
}

/* -count that reproduces a failure of rate p with ~99% probability. */
static int repro_count(double p)
{
	static const int nice[] = { 10, 20, 50, 100, 200, 500, 1000 };
	double n;
	size_t i;

	if (p >= 0.99)
		return 1;
	if (p <= 0.0)
		return 1000;
	n = ceil(log(0.01) / log(1.0 - p));
	for (i = 0; i < sizeof(nice) / sizeof(nice[0]); i++)
		if (n <= nice[i])
			return nice[i];
	return 1000;
}

/* Appends "^elem$/^elem$..." for Go's -run, which splits on '/'. */
/* s[0..n) with the regexp specials escaped. */
static int add_run_pattern_elems(struct buf *b, const char *s, size_t n)
{
	static const char special[] = "\\.+*?()|[]{}^$";
	size_t i;

	for (i = 0; i < n; i++)
		if ((strchr(special, s[i]) && buf_addc(b, '\\')) ||
		    buf_addc(b, s[i]))
			return -1;
	return 0;
}

static int add_run_pattern(struct buf *b, const char *name)
{
	static const char special[] = "\\.+*?()|[]{}^$";
	const char *p;

	if (buf_addc(b, '^'))
		return -1;
	for (p = name; *p; p++) {
		if (*p == '/') {
			if (buf_adds(b, "$/^"))
				return -1;
			continue;
		}
		if (strchr(special, *p) && buf_addc(b, '\\'))
			return -1;
		if (buf_addc(b, *p))
			return -1;
	}
	return buf_addc(b, '$');
}

/* The package argument of a repro command: "./dir", ".", or the import
 * path (quoted for the shell when it needs it). */
static int add_pkg_arg(struct buf *b, const struct package *p,
		       const char *import_path)
{
	struct buf d = BUF_INIT(4096);
	int err = 0;

	if (p && p->dir) {
		if (!strcmp(p->dir, ".") || p->dir[0] == '/' ||
		    !strncmp(p->dir, "../", 3))
			err |= buf_adds(&d, p->dir);
		else
			err |= buf_addf(&d, "./%s", p->dir);
	} else {
		err |= buf_adds(&d, import_path);
	}
	if (strspn(buf_str(&d), "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-~+@") == d.len)
		err |= buf_add(b, d.data, d.len);
	else
		err |= buf_add_shquote(b, buf_str(&d));
	buf_release(&d);
	return err ? -1 : 0;
}

/* Flags every repro carries from the run: tags and the timeout. */
static int add_run_flags(struct buf *b, const struct results *r,
			 const struct test *t)
{
	int err = 0, timeout = 0;
	size_t i;

	if (r->tags && *r->tags) {
		err |= buf_adds(b, " -tags ");
		err |= buf_add_shquote(b, r->tags);
	}
	for (i = 0; i < t->nfails; i++)
		timeout |= t->fails[i].kind == FAIL_TIMEOUT;
	if (timeout && r->timeout_ms > 0)
		err |= buf_addf(b, " -timeout=%llds",
				(r->timeout_ms + 999) / 1000);
	return err ? -1 : 0;
}

/*
 * A package-level failure: the process fails, not a test, and -count
 * repeats tests inside one process, so a flaky one is reproduced by
 * running the process again: `sh -c 'for i in ...; do go test ... ||
 * exit 1; done'` fails as soon as one run fails.
 */
static char *package_repro_cmd(const struct results *r, const struct test *t,
			       int cell, int count)
{
	struct buf cmd = BUF_INIT(16384), b = BUF_INIT(32768);
	const struct cell *c = cell >= 0 ? &r->cells[cell] : NULL;
	const struct package *p = NULL;
	int before = 0, err = 0;
	size_t i;
	char *ret = NULL;

	for (i = 0; i < r->npkgs; i++)
		if (!strcmp(r->pkgs[i].package, t->package))
			p = &r->pkgs[i];
	for (i = 0; p && i < p->ncells; i++)
		if (p->cells[i].cell == cell)
			before = p->cells[i].fail_before_tests;
	if (c && c->gomaxprocs > 0)
		err |= buf_addf(&cmd, "GOMAXPROCS=%d ", c->gomaxprocs);
	err |= buf_adds(&cmd, "go test");
	if (c && c->race == 1)
		err |= buf_adds(&cmd, " -race");
	err |= add_run_flags(&cmd, r, t);
	/* It failed before any test ran: no test needs to run.  Double
	 * quotes inside the loop, which is single-quoted for sh -c. */
	if (before)
		err |= buf_adds(&cmd, count <= 1 || t->status == VERDICT_FAILED ?
				" -run '^$'" : " -run \"^$\"");
	err |= buf_adds(&cmd, " -count=1 ");
	err |= add_pkg_arg(&cmd, p, t->package);
	if (err)
		goto out;
	if (count <= 1 || t->status == VERDICT_FAILED) {
		ret = buf_detach(&cmd, NULL);
		goto out;
	}
	err |= buf_addf(&b, "for i in $(seq %d); do %s || exit 1; done",
			count, buf_str(&cmd));
	buf_reset(&cmd);
	err |= buf_adds(&cmd, "sh -c ");
	err |= buf_add_shquote(&cmd, buf_str(&b));
	if (!err)
		ret = buf_detach(&cmd, NULL);
out:
	buf_release(&cmd);
	buf_release(&b);
	return ret;
}

char *results_repro_cmd(const struct results *r, const struct test *t,
			int cell, int count)
{
	struct buf b = BUF_INIT(16384), pat = BUF_INIT(8192);
	const struct cell *c = cell >= 0 ? &r->cells[cell] : NULL;
	const struct package *p = NULL;
	const struct test_cell *tc = NULL;
	size_t i;
	int order = 0, err = 0;
	char *ret = NULL;

	if (test_is_package(t))
		return package_repro_cmd(r, t, cell, count);
	for (i = 0; i < r->npkgs; i++)
		if (!strcmp(r->pkgs[i].package, t->package))
			p = &r->pkgs[i];
	for (i = 0; i < t->ncells; i++)
		if (t->cells[i].cell == cell)
			tc = &t->cells[i];
	/*
	 * A failure seen under -shuffle that isolated reruns never repeated
	 * (they all passed) depends on which tests ran before it: reproduce
	 * with the seed and the whole package, not an anchored -run.  When
	 * bisection named the test it needs before it: the two of them.
	 */
	if (c && c->shuffle && tc && tc->fail_seed && tc->rerun_passes > 0 &&
	    tc->rerun_failures == 0)
		order = 1;
	if (t->after && cell == t->after_cell)
		order = 2;
	if (c && c->gomaxprocs > 0)
		err |= buf_addf(&b, "GOMAXPROCS=%d ", c->gomaxprocs);
	err |= buf_adds(&b, "go test");
	if (c && c->race == 1)
		err |= buf_adds(&b, " -race");
	err |= add_run_flags(&b, r, t);
	if (order == 2) {
		size_t tl = strcspn(t->name, "/");

		err |= buf_adds(&pat, "^(");
		err |= add_run_pattern_elems(&pat, t->after, strlen(t->after));
		err |= buf_addc(&pat, '|');
		err |= add_run_pattern_elems(&pat, t->name, tl);
		err |= buf_adds(&pat, ")$");
		err |= buf_adds(&b, " -run ");
		err |= buf_add_shquote(&b, buf_str(&pat));
		err |= buf_addf(&b, " -shuffle=%lld", t->after_seed);
		count = 1;
	} else if (order) {
		err |= buf_addf(&b, " -shuffle=%lld", tc->fail_seed);
	} else {
		err |= add_run_pattern(&pat, t->name);
		err |= buf_adds(&b, " -run ");
		err |= buf_add_shquote(&b, buf_str(&pat));
		if (c && c->shuffle && tc && tc->fail_seed)
			err |= buf_addf(&b, " -shuffle=%lld", tc->fail_seed);
	}
	err |= buf_addf(&b, " -count=%d ", count);
	err |= add_pkg_arg(&b, p, t->package);
	if (!err)
		ret = buf_detach(&b, NULL);
	buf_release(&b);
	buf_release(&pat);
	return ret;
}

static int verdict_rank(enum verdict v)
{
	switch (v) {
	case VERDICT_FAILED: return 0;
	case VERDICT_FLAKY: return 1;
	case VERDICT_PASSED: return 2;
	case VERDICT_SKIPPED: return 3;
	case VERDICT_NOTRUN: return 4;
	}
	return 5;
}

static int cmp_tests(const void *a, const void *b)
{
	const struct test *x = *(struct test *const *)a;
	const struct test *y = *(struct test *const *)b;
	int c = verdict_rank(x->status) - verdict_rank(y->status);

	if (c)
		return c;
	if (x->via_subtest != y->via_subtest)
		return x->via_subtest - y->via_subtest;
	c = strcmp(x->package, y->package);
	return c ? c : strcmp(x->name, y->name);
}

/*
 * A state leak across executions: in every process that ran the test three
 * times or more (two such processes at least), the first execution passed
 * and every later one failed -- or the reverse.  Two executions cannot
 * tell "fails after the first" from "fails every second time".  `go test` runs each test once, so only the
 * first execution of each process says what it would see: the later ones
 * become unknown, and the failures are re-kinded FAIL_REPEAT.
 */
static void derive_repeat(struct test *t)
{
	int multi = 0, fp = 0, ff = 0;
	size_t i;

	for (i = 0; i < t->ncells; i++) {
		multi += t->cells[i].procs_multi;
		fp += t->cells[i].procs_fp;
		ff += t->cells[i].procs_ff;
	}
	if (multi < 2 || (fp != multi && ff != multi))
		return;
	t->repeat = 1;
	t->first_fails = ff == multi;
	for (i = 0; i < t->ncells; i++) {
		struct test_cell *tc = &t->cells[i];
		int later = tc->passes + tc->failures - tc->first_passes -
			    tc->first_failures;

		if (later > 0)
			tc->unknown += later;
		tc->passes = tc->first_passes;
		tc->failures = tc->first_failures;
	}
	for (i = 0; i < t->nfails; i++) {
		struct failure *f = &t->fails[i];
		size_t n = strcspn(f->message, "\n");

		f->kind = FAIL_REPEAT;
		free(f->signature);
		f->signature = sig_make("repeat", f->message, n, f->file,
					f->line);
	}
}

static void derive_test(struct results *r, struct test *t)
{
	size_t i;
	int any_failed = 0, any_flaky = 0, any_pass = 0, any_skip = 0;
	double worst = -1.0;

	derive_notrun(r, t);
	if (!t->repeat)
		derive_repeat(t);
	if (!t->repeat)
		t->repeat = test_fails_are_repeat(t);
	t->executions = t->passes = t->failures = t->skips = t->notrun = 0;
	t->rerun_passes = t->rerun_failures = 0;
	t->seconds = 0;
	for (i = 0; i < t->ncells; i++) {
		struct test_cell *tc = &t->cells[i];
		double rate;

		tc->status = results_cell_verdict(tc);
		t->passes = sat_add(t->passes, tc->passes);
		t->failures = sat_add(t->failures, tc->failures);
		t->skips = sat_add(t->skips, tc->skips);
		t->notrun = sat_add(t->notrun, tc->notrun);
		t->rerun_passes = sat_add(t->rerun_passes, tc->rerun_passes);
		t->rerun_failures = sat_add(t->rerun_failures,
					    tc->rerun_failures);
		t->seconds += tc->seconds;
		switch (tc->status) {
		case VERDICT_FAILED: any_failed = 1; break;
		case VERDICT_FLAKY: any_flaky = 1; break;
		case VERDICT_PASSED: any_pass = 1; break;
		case VERDICT_SKIPPED: any_skip = 1; break;
		case VERDICT_NOTRUN: break;
		}
		if (!tc->failures)
			continue;
		rate = tc->status == VERDICT_FAILED ? 2.0 : test_cell_rate(tc);
		if (rate > worst || (rate == worst &&
				     tc->failures > t->cells[0].failures)) {
			worst = rate;
			t->worst_cell = tc->cell;
		}
	}
	t->executions = sat_add(sat_add(t->passes, t->failures), t->skips);
	if (any_failed)
		t->status = VERDICT_FAILED;
	else if (any_flaky)
		t->status = VERDICT_FLAKY;
	else if (any_pass)
		t->status = VERDICT_PASSED;
	else if (any_skip)
		t->status = VERDICT_SKIPPED;
	else
		t->status = VERDICT_NOTRUN;
	if (t->repeat && !t->where) {
		t->where = xstrdup(t->first_fails ?
			"fails on its first execution in a process and passes "
			"when run again in it (it needs state an earlier "
			"execution leaves)" :
			"fails when run more than once in one process (state "
			"left by an earlier execution)");
	}
	if (t->repeat && t->status == VERDICT_PASSED && t->nfails) {
		free(t->repro);
		t->repro = results_repro_cmd(r, t, t->fails[0].cell, 2);
		t->worst_cell = t->fails[0].cell;
	}
	if (t->status == VERDICT_FAILED || t->status == VERDICT_FLAKY) {
		const struct test_cell *wc = NULL;
		int count;

		for (i = 0; i < t->ncells; i++)
			if (t->cells[i].cell == t->worst_cell)
				wc = &t->cells[i];
		count = wc && wc->status != VERDICT_FAILED ?
			repro_count(repro_rate(wc)) : 1;
		if (t->repeat)
			count = 2;
		if (t->after && !t->repeat) {
			struct buf w = BUF_INIT(8192);

			free(t->where);
			if (buf_addf(&w, "fails when %s runs before it "
				     "(-shuffle=%lld)", t->after,
				     t->after_seed))
				BUG("where text");
			t->where = buf_detach(&w, NULL);
			t->worst_cell = t->after_cell;
		} else if (!t->repeat) {
			derive_where(r, t);
		}
		free(t->repro);
		t->repro = results_repro_cmd(r, t, t->worst_cell, count);
	}
}

void results_count(struct results *r)
{
	size_t i;

	r->n_tests = r->n_passed = r->n_failed = r->n_flaky = 0;
	r->n_skipped = r->n_notrun = r->n_pkg_failed = r->n_pkg_flaky = 0;
	r->n_repeat = 0;
	r->total_executions = 0;
	for (i = 0; i < r->ntests; i++) {
		struct test *t = r->tests[i];
		int pkg = test_is_package(t);

		r->total_executions += t->executions;
		r->n_tests += !pkg;
		r->n_repeat += t->repeat && !pkg;
		/* A parent that failed only through its subtests is that
		 * subtest's failure, counted once. */
		if (t->via_subtest && (t->status == VERDICT_FAILED ||
				       t->status == VERDICT_FLAKY)) {
			r->n_tests--;
			continue;
		}
		switch (t->status) {
		/* A package's pseudo test passes only when an earlier
		 * attempt gave it one (results_mark_earlier()). */
		case VERDICT_PASSED: r->n_passed += !pkg; break;
		case VERDICT_FAILED:
			r->n_failed++;
			r->n_pkg_failed += pkg;
			break;
		case VERDICT_FLAKY:
			r->n_flaky++;
			r->n_pkg_flaky += pkg;
			break;
		case VERDICT_SKIPPED: r->n_skipped++; break;
		case VERDICT_NOTRUN: r->n_notrun++; break;
		}
	}
}

/*
 * The package-level pseudo test of `package`, created as passed (no
 * executions of its own) when the package ran here and passed, so that a
 * package failure of an earlier attempt has a test to be carried on; NULL
 * when the package did not pass here.  The totals are not recounted.
 */
static struct test *package_passed(struct results *r, const char *package)
{
	struct test *t;
	size_t i;

	for (i = 0; i < r->npkgs; i++)
		if (!strcmp(r->pkgs[i].package, package))
			break;
	if (i == r->npkgs || r->pkgs[i].status != PKG_OK)
		return NULL;
	r->finished = 0;
	t = results_test(r, package, RESULTS_PACKAGE_TEST, 1);
	r->finished = 1;
	t->status = VERDICT_PASSED;
	qsort(r->tests, r->ntests, sizeof(*r->tests), cmp_tests);
	/* The index holds positions: rebuilt for the new order. */
	rehash(r);
	return t;
}

struct test *results_mark_earlier(struct results *r, const char *package,
				  const char *name, int attempt)
{
	struct test *t = results_test(r, package, name, 0);

	if (!r->finished)
		BUG("results_mark_earlier before results_finish");
	if (!t && !strcmp(name, RESULTS_PACKAGE_TEST))
		t = package_passed(r, package);
	/* Only a test that passed here; the latest attempt says most. */
	if (t && t->status == VERDICT_PASSED && attempt > t->earlier_attempt)
		t->earlier_attempt = attempt;
	return t;
}

void results_finish(struct results *r)
{
	size_t i, j;

	if (r->finished)
		BUG("results_finish called twice");
	for (i = 0; i < r->ntests; i++)
		derive_test(r, r->tests[i]);
	/* A parent whose every failure is a subtest's is marked, so reports
	 * can lead with the subtest that actually broke. */
	for (i = 0; i < r->ntests; i++) {
		struct test *t = r->tests[i];
		int own = 0;

		if (t->status != VERDICT_FAILED && t->status != VERDICT_FLAKY)
			continue;
		for (j = 0; j < t->nfails; j++)
			if (strncmp(t->fails[j].signature, "subtest failed", 14))
				own = 1;
		if (!own && t->nfails) {
			for (j = 0; j < r->ntests; j++)
				if (is_ancestor(t->name, r->tests[j]->name) &&
				    !strcmp(t->package, r->tests[j]->package) &&
				    r->tests[j]->failures)
					t->via_subtest = 1;
		}
	}
	for (i = 0; i < r->npkgs; i++) {
		struct package *p = &r->pkgs[i];

		if (p->status == PKG_BUILD_FAILED || p->status == PKG_NO_TESTS)
			continue;
		p->status = PKG_OK;
		for (j = 0; j < p->ncells; j++)
			if (p->cells[j].failed || p->cells[j].crashed)
				p->status = PKG_FAILED;
	}
	results_count(r);
	if (r->ntests)
		qsort(r->tests, r->ntests, sizeof(*r->tests), cmp_tests);
	/* The hash index holds positions; rebuild it for the sorted order. */
	rehash(r);
	r->finished = 1;
}

static void meta_fill(char **dst, const char *src)
{
	if (!*dst && src)
		*dst = xstrdup(src);
}

void results_merge(struct results *dst, const struct results *src)
{
	const struct run_meta *m = &src->meta;
	int *map = xcalloc(src->ncells + 1, sizeof(*map));
	size_t i, j;

	if (dst->finished)
		BUG("results_merge into finished results");
	meta_fill(&dst->meta.repository, m->repository);
	meta_fill(&dst->meta.commit, m->commit);
	meta_fill(&dst->meta.branch, m->branch);
	meta_fill(&dst->meta.base_branch, m->base_branch);
	meta_fill(&dst->meta.run_id, m->run_id);
	meta_fill(&dst->meta.workflow, m->workflow);
	meta_fill(&dst->meta.event, m->event);
	meta_fill(&dst->meta.server_url, m->server_url);
	meta_fill(&dst->meta.module, m->module);
	meta_fill(&dst->meta.go_version, m->go_version);
	meta_fill(&dst->meta.goos, m->goos);
	meta_fill(&dst->meta.goarch, m->goarch);
	meta_fill(&dst->meta.started_at, m->started_at);
	meta_fill(&dst->meta.tool_version, m->tool_version);
	if (!dst->meta.pr)
		dst->meta.pr = m->pr;
	if (!dst->meta.run_attempt)
		dst->meta.run_attempt = m->run_attempt;
	if (src->wall_ms > dst->wall_ms)
		dst->wall_ms = src->wall_ms;
	for (i = 0; i < src->ncells; i++) {
		map[i] = -1;
		for (j = 0; j < dst->ncells; j++)
			if (!strcmp(dst->cells[j].name, src->cells[i].name))
				map[i] = (int)j;
		if (map[i] < 0)
			map[i] = results_add_cell(dst, &src->cells[i]);
	}
	for (i = 0; i < src->npkgs; i++) {
		const struct package *sp = &src->pkgs[i];
		struct package *dp = results_package(dst, sp->package, 1);

		if (!dp->dir && sp->dir)
			dp->dir = xstrdup(sp->dir);
		if (!dp->error && sp->error)
			dp->error = xstrdup(sp->error);
		if (sp->status == PKG_BUILD_FAILED ||
		    (sp->status == PKG_NO_TESTS && dp->status == PKG_OK))
			dp->status = sp->status;
	}
	for (i = 0; i < src->ntests; i++) {
		const struct test *st = src->tests[i];
		struct test *dt = results_test(dst, st->package, st->name, 1);

		for (j = 0; j < st->ncells; j++) {
			const struct test_cell *sc = &st->cells[j];
			struct test_cell *dc = results_test_cell(dt, map[sc->cell]);

			dc->passes = sat_add(dc->passes, sc->passes);
			dc->failures = sat_add(dc->failures, sc->failures);
			dc->skips = sat_add(dc->skips, sc->skips);
			dc->notrun = sat_add(dc->notrun, sc->notrun);
			dc->unknown = sat_add(dc->unknown, sc->unknown);
			dc->rerun_passes = sat_add(dc->rerun_passes,
						   sc->rerun_passes);
			dc->rerun_failures = sat_add(dc->rerun_failures,
						     sc->rerun_failures);
			dc->first_passes = sat_add(dc->first_passes,
						   sc->first_passes);
			dc->first_failures = sat_add(dc->first_failures,
						     sc->first_failures);
			dc->procs_multi += sc->procs_multi;
			dc->procs_fp += sc->procs_fp;
			dc->procs_ff += sc->procs_ff;
			dc->seconds += sc->seconds;
			if (!dc->fail_seed)
				dc->fail_seed = sc->fail_seed;
		}
		for (j = 0; j < st->nfails; j++) {
			struct failure f = st->fails[j];

			f.cell = map[f.cell];
			results_add_failure(dt, &f);
		}
		dt->new_flaky |= st->new_flaky;
		if (!dt->after && st->after) {
			dt->after = xstrdup(st->after);
			dt->after_seed = st->after_seed;
			dt->after_cell = map[st->after_cell];
		}
		if (!dt->klass) {
			dt->klass = st->klass;
			dt->has_base = st->has_base;
			dt->base = st->base;
		}
	}
	free(map);
}

void results_budget_text(const struct run_budget *b, char *out, size_t size)
{
	int n;

	if (!size)
		return;
	out[0] = '\0';
	if (b->budget_ms <= 0)
		return;
	n = snprintf(out, size, "budget %.1f s: first pass %.1f s%s",
		     (double)b->budget_ms / 1000.0,
		     (double)b->first_pass_ms / 1000.0,
		     b->exceeded ? " (over the budget: no time left to spend)" : "");
	if (n > 0 && (size_t)n < size && b->cells_skipped)
		n += snprintf(out + n, size - (size_t)n, ", %d cell%s did not "
			      "fit", b->cells_skipped,
			      b->cells_skipped == 1 ? "" : "s");
	if (n > 0 && (size_t)n < size && b->cells_partial)
		n += snprintf(out + n, size - (size_t)n, ", %d in part",
			      b->cells_partial);
	if (n > 0 && (size_t)n < size && b->rounds)
		n += snprintf(out + n, size - (size_t)n, ", then %d round%s: %lld "
			      "process%s, -count %lld in all", b->rounds,
			      b->rounds == 1 ? "" : "s", b->extra_processes,
			      b->extra_processes == 1 ? "" : "es", b->extra_counts);
	if (n > 0 && (size_t)n < size && b->dropped_processes)
		n += snprintf(out + n, size - (size_t)n, "; %lld not started "
			      "(no time)", b->dropped_processes);
	if (n > 0 && (size_t)n < size && b->hang_limited)
		n += snprintf(out + n, size - (size_t)n, "; %lld with a hang "
			      "limit from their usual time", b->hang_limited);
	if (n > 0 && (size_t)n < size && b->stopped_processes)
		n += snprintf(out + n, size - (size_t)n, "; %lld stopped at the "
			      "end (unfinished executions not counted)",
			      b->stopped_processes);
	if (n > 0 && (size_t)n < size && b->hang_silent)
		n += snprintf(out + n, size - (size_t)n, "; %lld stopped when a "
			      "test hung", b->hang_silent);
	if (n > 0 && (size_t)n < size && b->budget_cut)
		snprintf(out + n, size - (size_t)n, "; %lld stopped after the "
			 "whole budget", b->budget_cut);
}
