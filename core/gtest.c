/*
 * gtest.c: the streaming test2json aggregator (see gtest.h).
 *
 * State per stream: one `struct pstate` per package seen, each holding the
 * attempts still open (run seen, no result yet), the failed attempts whose
 * trailing output may still arrive (Go prints a panic's trace after the
 * test's `--- FAIL` line), and the attempts left incomplete when the
 * package ended, which are judged at gtest_agg_finish() when the process's
 * exit status is known.
 *
 * Output is analysed line by line as it arrives; an attempt keeps only a
 * bounded head and tail of its output for the failure excerpt.
 */
#include "gtest.h"
#include "buf.h"
#include "err.h"
#include "gtest_event.h"
#include "sig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum outcome { O_OPEN, O_PASS, O_FAIL, O_SKIP };

struct frame_loc {
	char *file;
	int line;
};

struct attempt {
	struct test *t;		/* NULL for the package-level pseudo attempt */
	enum outcome result;
	double elapsed;
	long long seen;		/* output bytes seen */
	struct buf head, tail;	/* excerpt: first bytes, last bytes */
	int tail_cut;		/* tail dropped bytes */
	struct buf partial;	/* the current, unfinished output line */
	int partial_cut;

	/* Analysis. */
	struct buf msg;		/* last log block, or the typed error */
	struct frame_loc log_loc;
	int in_log;		/* collecting continuation lines */
	int msg_failish;	/* msg reads like a failure: keep it */
	int typed_error;	/* OutputType "error" seen: msg is final */
	int new_segment;	/* "=== CONT" seen: the next log block starts
				 * the test's own last segment */
	struct buf lastline;	/* last non-framing line (fallback message) */
	struct buf panic;	/* "panic: ..." message */
	int panic_recovered;	/* "[recovered]": the test's own goroutine */
	int in_stack;		/* 1 looking for the first user frame */
	char *cur_func;
	struct frame_loc panic_loc;
	int race_detected;	/* "race detected during execution of test" */
	int race_state;		/* 0 none, 1 in a WARNING: DATA RACE block */
	int race_stack;		/* which access we are reading: 1 or 2 */
	struct buf race_op[2], race_fn[2];
	struct frame_loc race_loc[2];
	char *race_sig;		/* summary of the first complete block */
	char *race_msg;
	struct frame_loc race_at;
	struct frame_loc timeout_loc;
	char *child_failed;	/* first failing subtest seen while open */
	int timeout;		/* set when judged incomplete after a timeout */
	unsigned long long seq;	/* order of creation in its package */
};

struct slot {
	struct test *t;
	struct attempt *a;
};

/* Per test, in one process: its executions in order (state leaks). */
struct order {
	struct test *t;
	int n;			/* executions counted */
	int first_pass;		/* the first one passed */
	int later_pass, later_fail;
};

struct pstate {
	char *name;
	int ended;
	int result;		/* 0 none, 'p' pass, 'f' fail, 's' skip */
	int timeout;		/* "panic: test timed out" seen */
	int had_tests;
	struct buf timeout_msg;
	struct attempt *pkg;	/* package-level output analysis */
	/* Open and pending attempts, indexed by test. */
	struct slot *slots;
	size_t nslots, capslots;
	struct attempt **pending;	/* failed, awaiting trailing output */
	size_t npending, alloc_pending;
	struct attempt **incomplete;	/* left open when the package ended */
	size_t nincomplete, alloc_incomplete;
	struct test **raced;	/* tests the race detector reported */
	size_t nraced, alloc_raced;
	struct buf last_panic;	/* any panic line seen in the package */
	struct frame_loc last_panic_loc;
	char *build_error;	/* from build-output events */
	int test_failures;	/* failures of tests counted in this stream */
	int build_failed;	/* the package did not build or set up */
	struct order *orders;	/* open addressing by test pointer */
	size_t norders, caporders;
	unsigned long long seq;	/* attempts created so far */
};

struct build_out {
	char *import_path;
	struct buf text;
};

struct gtest_agg {
	struct results *r;
	int cell;
	unsigned flags;
	long long seed;
	struct gtest_parser parser;
	struct buf line;
	int line_over;
	struct pstate **pkgs;
	size_t npkgs, alloc_pkgs;
	struct pstate *last_ps;
	struct build_out *builds;
	size_t nbuilds, alloc_builds;
	struct gtest_stats stats;
	int finished;
	int closing;		/* the binary printed its last line (PASS/FAIL) */
	int running;		/* ... and its first test began */
	int dropped;		/* gtest_agg_drop(): no time, no verdict */
	struct test *first_t;	/* the first top-level test run */
	long long first_done;	/* ... and its results */
	char *expect_pkg;	/* the package this process tests (direct) */
	/* GTEST_DIRECT: the last test-level terminal event, held back. */
	int held;
	struct pstate *held_ps;
	struct test *held_t;
	enum outcome held_o;
	double held_elapsed;
};

/* ---- small helpers ------------------------------------------------- */

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static const char *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k > n)
		return NULL;
	for (i = 0; i + k <= n; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, k))
			return s + i;
	return NULL;
}

/* Appends as much of s as fits; a full buffer just stops growing. */
static void add_bounded(struct buf *b, const char *s, size_t n)
{
	size_t room = b->limit - b->len;

	if (buf_add(b, s, n < room ? n : room))
		BUG("bounded append failed");
}

static void add_str(struct buf *b, const char *s)
{
	add_bounded(b, s, strlen(s));
}

static void loc_set(struct frame_loc *l, const char *file, size_t n, int line)
{
	free(l->file);
	l->file = xstrndup(file, n);
	l->line = line;
}

static void loc_release(struct frame_loc *l)
{
	FREE_AND_NULL(l->file);
	l->line = 0;
}

static int parse_int(const char *s, size_t n, int *out)
{
	long v = 0;
	size_t i;

	if (!n || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int)v;
	return 0;
}

/* ---- attempts -------------------------------------------------------- */

static struct attempt *attempt_new(struct test *t)
{
	struct attempt *a = xcalloc(1, sizeof(*a));

	a->t = t;
	buf_init(&a->head, GTEST_HEAD);
	buf_init(&a->tail, 2 * GTEST_TAIL);
	buf_init(&a->partial, GTEST_LINE_MAX);
	buf_init(&a->msg, 1024);
	buf_init(&a->lastline, 512);
	buf_init(&a->panic, 512);
	buf_init(&a->race_op[0], 128);
	buf_init(&a->race_op[1], 128);
	buf_init(&a->race_fn[0], 256);
	buf_init(&a->race_fn[1], 256);
	return a;
}

static void attempt_free(struct attempt *a)
{
	int i;

	if (!a)
		return;
	buf_release(&a->head);
	buf_release(&a->tail);
	buf_release(&a->partial);
	buf_release(&a->msg);
	buf_release(&a->lastline);
	buf_release(&a->panic);
	for (i = 0; i < 2; i++) {
		buf_release(&a->race_op[i]);
		buf_release(&a->race_fn[i]);
		loc_release(&a->race_loc[i]);
	}
	loc_release(&a->log_loc);
	loc_release(&a->panic_loc);
	loc_release(&a->race_at);
	loc_release(&a->timeout_loc);
	free(a->cur_func);
	free(a->race_sig);
	free(a->race_msg);
	free(a->child_failed);
	free(a);
}

/* ---- per-package state ------------------------------------------------ */

static struct pstate *pstate_get(struct gtest_agg *a, const char *name,
				 size_t n)
{
	struct pstate *ps;
	size_t i;

	if (a->last_ps && strlen(a->last_ps->name) == n &&
	    !memcmp(a->last_ps->name, name, n))
		return a->last_ps;
	for (i = 0; i < a->npkgs; i++) {
		ps = a->pkgs[i];
		if (strlen(ps->name) == n && !memcmp(ps->name, name, n))
			return a->last_ps = ps;
	}
	ps = xcalloc(1, sizeof(*ps));
	ps->name = xstrndup(name, n);
	buf_init(&ps->timeout_msg, 256);
	buf_init(&ps->last_panic, 512);
	ps->pkg = attempt_new(NULL);
	xgrow((void **)&a->pkgs, &a->alloc_pkgs, a->npkgs + 1,
	      sizeof(*a->pkgs));
	a->pkgs[a->npkgs++] = ps;
	results_package(a->r, ps->name, 1);
	return a->last_ps = ps;
}

static size_t slot_hash(const struct test *t, size_t cap)
{
	uintptr_t v = (uintptr_t)t;

	return (size_t)((v >> 4) * 11400714819323198485ULL) & (cap - 1);
}

static struct slot *slot_find(struct pstate *ps, const struct test *t)
{
	size_t h;

	if (!ps->capslots)
		return NULL;
	h = slot_hash(t, ps->capslots);
	while (ps->slots[h].t) {
		if (ps->slots[h].t == t)
			return ps->slots[h].a ? &ps->slots[h] : NULL;
		h = (h + 1) & (ps->capslots - 1);
	}
	return NULL;
}

/*
 * Slots are never removed, only emptied (a = NULL), so probing stays
 * simple; the table is rebuilt without empty slots when it grows.
 */
static void slot_put(struct pstate *ps, struct test *t, struct attempt *at)
{
	size_t h, i;

	if ((ps->nslots + 1) * 2 > ps->capslots) {
		struct slot *old = ps->slots;
		size_t oldcap = ps->capslots, live = 0;

		for (i = 0; i < oldcap; i++)
			live += old[i].a != NULL;
		ps->capslots = 64;
		while (ps->capslots < (live + 1) * 4)
			ps->capslots *= 2;
		ps->slots = xcalloc(ps->capslots, sizeof(*ps->slots));
		ps->nslots = 0;
		for (i = 0; i < oldcap; i++) {
			if (!old[i].a)
				continue;
			h = slot_hash(old[i].t, ps->capslots);
			while (ps->slots[h].t)
				h = (h + 1) & (ps->capslots - 1);
			ps->slots[h] = old[i];
			ps->nslots++;
		}
		free(old);
	}
	h = slot_hash(t, ps->capslots);
	while (ps->slots[h].t && ps->slots[h].t != t)
		h = (h + 1) & (ps->capslots - 1);
	if (!ps->slots[h].t)
		ps->nslots++;
	ps->slots[h].t = t;
	ps->slots[h].a = at;
}

static struct order *order_get(struct pstate *ps, struct test *t)
{
	size_t h, i;

	if ((ps->norders + 1) * 2 > ps->caporders) {
		struct order *old = ps->orders;
		size_t oldcap = ps->caporders;

		ps->caporders = oldcap ? oldcap * 2 : 64;
		ps->orders = xcalloc(ps->caporders, sizeof(*ps->orders));
		for (i = 0; i < oldcap; i++) {
			if (!old[i].t)
				continue;
			h = slot_hash(old[i].t, ps->caporders);
			while (ps->orders[h].t)
				h = (h + 1) & (ps->caporders - 1);
			ps->orders[h] = old[i];
		}
		free(old);
	}
	h = slot_hash(t, ps->caporders);
	while (ps->orders[h].t && ps->orders[h].t != t)
		h = (h + 1) & (ps->caporders - 1);
	if (!ps->orders[h].t) {
		ps->orders[h].t = t;
		ps->norders++;
	}
	return &ps->orders[h];
}

static void slot_clear(struct pstate *ps, const struct test *t)
{
	struct slot *s = slot_find(ps, t);

	if (s)
		s->a = NULL;
}

static void list_push(struct attempt ***list, size_t *n, size_t *alloc,
		      struct attempt *at)
{
	xgrow((void **)list, alloc, *n + 1, sizeof(**list));
	(*list)[(*n)++] = at;
}

static void list_remove(struct attempt **list, size_t *n,
			const struct attempt *at)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (list[i] == at) {
			memmove(&list[i], &list[i + 1],
				(*n - i - 1) * sizeof(*list));
			(*n)--;
			return;
		}
	}
}

/* ---- output analysis ---------------------------------------------------- */

static int is_framing(const char *s, size_t n)
{
	while (n && *s == ' ') {
		s++;
		n--;
	}
	return starts(s, n, "=== RUN") || starts(s, n, "=== PAUSE") ||
	       starts(s, n, "=== CONT") || starts(s, n, "=== NAME") ||
	       starts(s, n, "--- PASS") || starts(s, n, "--- FAIL") ||
	       starts(s, n, "--- SKIP") || starts(s, n, "--- BENCH");
}

/* The binary's and cmd/go's own closing lines: they never explain. */
static int is_summary(const char *s, size_t n)
{
	return (n == 4 && (!memcmp(s, "PASS", 4) || !memcmp(s, "FAIL", 4))) ||
	       starts(s, n, "FAIL\t") || starts(s, n, "ok  \t") ||
	       starts(s, n, "exit status ") ||
	       starts(s, n, "testing: warning: no tests to run");
}

/*
 * "    file.go:12: message" (Go 1.15+) or "    TestX: file.go:12: msg"
 * (1.14).  On a match returns the message start and sets the location.
 */
static const char *match_log(const char *s, size_t n, const char **file,
			     size_t *flen, int *line)
{
	const char *p = s, *end = s + n, *f, *q;

	if (n < 4 || memcmp(s, "    ", 4))
		return NULL;
	while (p < end && *p == ' ')
		p++;
	for (;;) {
		f = p;
		while (p < end && *p != ':' && *p != ' ')
			p++;
		if (p >= end || *p != ':')
			return NULL;
		if (p - f > 3 && !memcmp(p - 3, ".go", 3))
			break;
		/* Go 1.14: "TestName: file.go:N: msg". */
		if (p + 1 < end && p[1] == ' ' && f == s + 4) {
			p += 2;
			continue;
		}
		return NULL;
	}
	q = ++p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == q || p >= end || *p != ':' || parse_int(q, (size_t)(p - q), line))
		return NULL;
	*file = f;
	*flen = (size_t)(q - 1 - f);
	p++;
	if (p < end && *p == ' ')
		p++;
	return p;
}

/* Frames of Go itself and of the testing package are not "where". */
static int is_runtime_func(const char *fn)
{
	return !strncmp(fn, "runtime.", 8) || !strncmp(fn, "testing.", 8) ||
	       !strncmp(fn, "panic(", 6) || !strncmp(fn, "created by ", 11) ||
	       !strncmp(fn, "sync.", 5) || !strncmp(fn, "sync/atomic.", 12) ||
	       !strncmp(fn, "reflect.", 8) || !strncmp(fn, "main.main", 9) ||
	       !strncmp(fn, "time.", 5);
}

/* "\t/path/file.go:12 +0x39" -> file, line. */
static int parse_frame_file(const char *s, size_t n, const char **file,
			    size_t *flen, int *line)
{
	const char *p = s, *end = s + n, *colon = NULL, *q;

	while (p < end && (*p == '\t' || *p == ' '))
		p++;
	*file = p;
	for (q = p; q < end && *q != ' '; q++)
		if (*q == ':')
			colon = q;
	if (!colon || colon - p < 4 || memcmp(colon - 3, ".go", 3))
		return -1;
	if (parse_int(colon + 1, (size_t)(q - colon - 1), line))
		return -1;
	*flen = (size_t)(colon - p);
	return 0;
}

/* The top-level test of a name: "TestA/sub" -> "TestA". */
static size_t top_len(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash ? (size_t)(slash - name) : strlen(name);
}

/* Does Go function `fn` belong to test `name` ("pkg.TestX(" / ".TestX.func")? */
static int func_of_test(const char *fn, const char *name)
{
	size_t k = top_len(name);
	const char *p = fn;

	while ((p = strstr(p, ".")) != NULL) {
		p++;
		if (!strncmp(p, name, k) && (p[k] == '(' || p[k] == '.' ||
					      p[k] == '\0'))
			return 1;
	}
	return 0;
}

static void analyze_stack_line(struct gtest_agg *ag, struct pstate *ps,
			       struct attempt *a, const char *s, size_t n)
{
	const char *file;
	size_t flen, i;
	int line;

	if (!n || starts(s, n, "goroutine ")) {
		FREE_AND_NULL(a->cur_func);
		return;
	}
	if (s[0] != '\t') {
		free(a->cur_func);
		a->cur_func = xstrndup(s, n);
		return;
	}
	if (!a->cur_func || parse_frame_file(s, n, &file, &flen, &line))
		return;
	/* During a timeout's goroutine dump: the frame of each running test. */
	if (ps->timeout) {
		for (i = 0; i < ps->capslots; i++) {
			struct attempt *o = ps->slots[i].a;

			if (o && o->result == O_OPEN && !o->timeout_loc.file &&
			    func_of_test(a->cur_func, o->t->name))
				loc_set(&o->timeout_loc, file, flen, line);
		}
	}
	if (a->in_stack && !is_runtime_func(a->cur_func)) {
		loc_set(&a->panic_loc, file, flen, line);
		if (!ps->last_panic_loc.file)
			loc_set(&ps->last_panic_loc, file, flen, line);
		a->in_stack = 0;
	}
	(void)ag;
}

static void race_line(struct attempt *a, const char *s, size_t n)
{
	int k = a->race_stack - 1;

	if (starts(s, n, "==================")) {
		struct buf b = BUF_INIT(1024);

		a->race_state = 0;
		if (a->race_sig || !a->race_op[0].len)
			return;
		if (buf_addf(&b, "%s %s", buf_str(&a->race_op[0]),
			     buf_str(&a->race_fn[0])) ||
		    (a->race_op[1].len &&
		     buf_addf(&b, " vs %s %s", buf_str(&a->race_op[1]),
			      buf_str(&a->race_fn[1]))))
			BUG("race summary too long");
		a->race_msg = buf_detach(&b, NULL);
		a->race_sig = xstrdup(a->race_msg);
		if (a->race_loc[0].file)
			loc_set(&a->race_at, a->race_loc[0].file,
				strlen(a->race_loc[0].file), a->race_loc[0].line);
		return;
	}
	if (a->race_sig)
		return;
	/* "Read at 0x00c0000b2168 by goroutine 8:" starts an access. */
	if (n && s[0] != ' ' && s[0] != '\t' && find(s, n, " at 0x") &&
	    find(s, n, " by ") && a->race_stack < 2) {
		const char *at = find(s, n, " at 0x");

		a->race_stack++;
		k = a->race_stack - 1;
		buf_reset(&a->race_op[k]);
		add_bounded(&a->race_op[k], s, (size_t)(at - s));
		return;
	}
	if (k < 0 || k > 1)
		return;
	if (starts(s, n, "  ") && !starts(s, n, "      ") && !a->race_fn[k].len) {
		const char *p = s + 2, *paren;
		size_t m = n - 2;

		paren = memchr(p, '(', m);
		if (paren && paren > p)
			m = (size_t)(paren - p);
		add_bounded(&a->race_fn[k], p, m);
		return;
	}
	if (starts(s, n, "      ") && a->race_fn[k].len && !a->race_loc[k].file) {
		const char *file;
		size_t flen;
		int line;

		if (!parse_frame_file(s, n, &file, &flen, &line))
			loc_set(&a->race_loc[k], file, flen, line);
	}
}

/*
 * Does a log message read like a failure rather than a progress note?
 * Go <= 1.25 does not mark t.Error lines apart from t.Log ones, so the
 * words that assertion messages use stand in for the mark.
 */
static int failish(const char *s, size_t n)
{
	static const char *const words[] = {
		"fail", "error", "got", "want", "expect", "mismatch",
		"unexpected", "should", "must", "!=", "differ", "missing",
		"not equal", "timed out", "timeout", "wrong", "invalid",
	};
	char low[256];
	size_t i, k = n < sizeof(low) - 1 ? n : sizeof(low) - 1;

	for (i = 0; i < k; i++)
		low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	low[k] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

static void analyze_line(struct gtest_agg *ag, struct pstate *ps,
			 struct attempt *a, const char *s, size_t n)
{
	const char *msg, *file;
	size_t flen;
	int line;

	if (n && s[n - 1] == '\r')
		n--;
	if (a->race_state) {
		race_line(a, s, n);
		return;
	}
	if (starts(s, n, "WARNING: DATA RACE")) {
		a->race_state = 1;
		a->race_stack = 0;
		return;
	}
	if (starts(s, n, "panic: test timed out after")) {
		ps->timeout = 1;
		buf_reset(&ps->timeout_msg);
		add_bounded(&ps->timeout_msg, s + 7, n - 7);
		a->in_stack = 0;
		return;
	}
	if ((starts(s, n, "panic: ") || starts(s, n, "fatal error: ")) &&
	    !a->panic.len) {
		size_t k = s[0] == 'p' ? 7 : 0;
		/* Go 1.23+ says "[recovered, repanicked]". */
		const char *rec = find(s, n, " [recovered");
		size_t end = rec ? (size_t)(rec - s) : n;

		add_bounded(&a->panic, s + k, end - k);
		a->panic_recovered = rec != NULL;
		if (!ps->last_panic.len)
			add_bounded(&ps->last_panic, s + k, end - k);
		a->in_stack = 1;
		return;
	}
	if (a->panic.len || ps->timeout) {
		if (starts(s, n, "\tpanic: ") || starts(s, n, "[signal "))
			return;
		analyze_stack_line(ag, ps, a, s, n);
		if (a->panic.len)
			return;
	}
	if (find(s, n, "race detected during execution of test")) {
		a->race_detected = 1;
		a->in_log = 0;
		return;
	}
	if (is_framing(s, n)) {
		/* A parallel test resumes: what it logged before its pause
		 * (setup) gives way to what it logs from here, the segment
		 * that ends in its --- FAIL. */
		if (starts(s, n, "=== CONT"))
			a->new_segment = 1;
		a->in_log = 0;
		return;
	}
	if (!a->typed_error && (msg = match_log(s, n, &file, &flen, &line))) {
		size_t mlen = n - (size_t)(msg - s);

		/* The first block that reads like a failure wins; until one
		 * is seen, the last block (t.Fatal usually ends a test). */
		a->in_log = 0;
		if (a->new_segment) {
			a->new_segment = 0;
			a->msg_failish = 0;
		}
		if (a->msg_failish)
			return;
		buf_reset(&a->msg);
		add_bounded(&a->msg, msg, mlen);
		loc_set(&a->log_loc, file, flen, line);
		a->msg_failish = failish(msg, mlen);
		a->in_log = 1;
		return;
	}
	if (a->in_log && starts(s, n, "        ")) {
		add_bounded(&a->msg, "\n", 1);
		add_bounded(&a->msg, s + 8, n - 8);
		return;
	}
	a->in_log = 0;
	if (n && !is_summary(s, n)) {
		buf_reset(&a->lastline);
		add_bounded(&a->lastline, s, n);
	}
}

/* A typed error line (tip's OutputType "error"): the failure, exactly. */
static void analyze_typed(struct attempt *a, const char *s, size_t n,
			  int first)
{
	const char *msg, *file;
	size_t flen;
	int line;

	if (first && !a->typed_error) {
		a->typed_error = 1;
		buf_reset(&a->msg);
		msg = match_log(s, n, &file, &flen, &line);
		if (msg) {
			loc_set(&a->log_loc, file, flen, line);
			add_bounded(&a->msg, msg, n - (size_t)(msg - s));
		} else {
			add_bounded(&a->msg, s, n);
		}
	} else if (!first && a->typed_error) {
		add_bounded(&a->msg, "\n", 1);
		add_bounded(&a->msg, s, n);
	}
}

static void keep_excerpt(struct attempt *a, const char *s, size_t n)
{
	size_t room = a->head.limit - a->head.len, k = n < room ? n : room;

	/* An event without "Output" has s NULL: no arithmetic on it. */
	if (!n)
		return;
	if (k)
		add_bounded(&a->head, s, k);
	s += k;
	n -= k;
	a->seen += (long long)k;
	if (!n)
		return;
	a->seen += (long long)n;
	if (n >= GTEST_TAIL) {
		buf_reset(&a->tail);
		add_bounded(&a->tail, s + n - GTEST_TAIL, GTEST_TAIL);
		a->tail_cut = 1;
		return;
	}
	if (a->tail.len + n > a->tail.limit) {
		size_t keep = GTEST_TAIL - n, drop = a->tail.len - keep;

		memmove(a->tail.data, a->tail.data + drop, keep);
		buf_truncate(&a->tail, keep);
		a->tail_cut = 1;
	}
	add_bounded(&a->tail, s, n);
}

static void attempt_output(struct gtest_agg *ag, struct pstate *ps,
			   struct attempt *a, const char *s, size_t n,
			   const struct gtest_str *otype)
{
	const char *nl;
	int typed = 0, typed_first = 0;

	keep_excerpt(a, s, n);
	if (otype && otype->len) {
		typed_first = otype->len == 5 && !memcmp(otype->ptr, "error", 5);
		typed = typed_first || (otype->len == 14 &&
			!memcmp(otype->ptr, "error-continue", 14));
	}
	while (n) {
		nl = memchr(s, '\n', n);
		if (!nl) {
			if (buf_add(&a->partial, s, n))
				a->partial_cut = 1;
			return;
		}
		if (a->partial.len || a->partial_cut) {
			if (buf_add(&a->partial, s, (size_t)(nl - s)))
				a->partial_cut = 1;
			analyze_line(ag, ps, a, a->partial.data ? a->partial.data : "",
				     a->partial.len);
			if (typed)
				analyze_typed(a, buf_str(&a->partial),
					      a->partial.len, typed_first);
			buf_reset(&a->partial);
			a->partial_cut = 0;
		} else {
			analyze_line(ag, ps, a, s, (size_t)(nl - s));
			if (typed)
				analyze_typed(a, s, (size_t)(nl - s), typed_first);
		}
		typed_first = 0;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

/* ---- judging failures ---------------------------------------------------- */

static char *excerpt(const struct attempt *a)
{
	struct buf b = BUF_INIT(GTEST_HEAD + GTEST_TAIL + 128);

	add_bounded(&b, buf_str(&a->head), a->head.len);
	if (a->tail.len) {
		size_t k = a->tail.len > GTEST_TAIL ? GTEST_TAIL : a->tail.len;
		long long omitted = a->seen - (long long)a->head.len -
				    (long long)k;

		if (omitted > 0 && buf_addf(&b, "\n[... %lld bytes omitted ...]\n",
					    omitted))
			BUG("excerpt marker");
		add_bounded(&b, a->tail.data + a->tail.len - k, k);
	}
	return buf_detach(&b, NULL);
}

static void first_line(const char *s, size_t n, size_t *out)
{
	const char *nl = memchr(s, '\n', n);

	*out = nl ? (size_t)(nl - s) : n;
}

/*
 * Records attempt a's failure.  `incomplete` is set when the attempt had
 * no result because the process died (or timed out) while it ran.
 */
static void judge_failure(struct gtest_agg *ag, struct pstate *ps,
			  struct attempt *a, int incomplete,
			  const char *death)
{
	struct failure f;
	struct package *p = results_package(ag->r, ps->name, 1);
	struct test_cell *tc = results_test_cell(a->t, ag->cell);
	struct buf msg = BUF_INIT(2048);
	const struct frame_loc *loc = NULL;
	const char *sigmsg;
	size_t siglen;
	char *file = NULL;

	memset(&f, 0, sizeof(f));
	f.cell = ag->cell;
	f.rerun = (ag->flags & GTEST_RERUN) != 0;
	f.seed = ag->seed;
	f.count = 1;
	if (a->race_detected || a->race_msg) {
		f.kind = FAIL_RACE;
		if (a->race_msg)
			add_bounded(&msg, "DATA RACE: ", 11);
		add_bounded(&msg, a->race_msg ? a->race_msg :
			    "race detected during execution of test",
			    strlen(a->race_msg ? a->race_msg :
				   "race detected during execution of test"));
		loc = &a->race_at;
	} else if (incomplete && ps->timeout) {
		f.kind = FAIL_TIMEOUT;
		add_bounded(&msg, buf_str(&ps->timeout_msg), ps->timeout_msg.len);
		if (a->child_failed || !a->timeout_loc.file)
			loc = a->timeout_loc.file ? &a->timeout_loc : &a->log_loc;
		else
			loc = &a->timeout_loc;
	} else if (incomplete && a->panic_recovered) {
		/* testing re-panics a test's own panic "[recovered]"; run
		 * without cmd/go the test gets no result of its own. */
		f.kind = FAIL_PANIC;
		add_bounded(&msg, "panic: ", 7);
		add_bounded(&msg, a->panic.data, a->panic.len);
		loc = &a->panic_loc;
	} else if (incomplete) {
		f.kind = FAIL_CRASH;
		if (a->panic.len) {
			add_bounded(&msg, "panic: ", 7);
			add_bounded(&msg, a->panic.data, a->panic.len);
			loc = &a->panic_loc;
		} else if (ps->last_panic.len) {
			add_bounded(&msg, "panic: ", 7);
			add_bounded(&msg, ps->last_panic.data, ps->last_panic.len);
			loc = &ps->last_panic_loc;
		} else {
			if (buf_addf(&msg, "test process died while the test "
				     "was running (%s)", death))
				BUG("crash message");
			loc = &a->log_loc;
		}
	} else if (a->panic.len) {
		f.kind = FAIL_PANIC;
		add_bounded(&msg, "panic: ", 7);
		add_bounded(&msg, a->panic.data, a->panic.len);
		loc = &a->panic_loc;
	} else if (a->child_failed && !a->typed_error) {
		f.kind = FAIL_ASSERT;
		/* Bounded: a subtest name may be longer than msg's limit. */
		add_bounded(&msg, "subtest failed: ", 16);
		add_bounded(&msg, a->child_failed, strlen(a->child_failed));
	} else {
		f.kind = FAIL_ASSERT;
		if (a->msg.len) {
			add_bounded(&msg, a->msg.data, a->msg.len);
			loc = &a->log_loc;
		} else if (a->lastline.len) {
			add_bounded(&msg, a->lastline.data, a->lastline.len);
		} else {
			add_bounded(&msg, "failed with no output", 21);
		}
	}
	if (loc && loc->file)
		file = gtest_map_path(ag->r, p, loc->file, strlen(loc->file));
	f.file = file;
	f.line = file ? loc->line : 0;
	f.message = (char *)(uintptr_t)buf_str(&msg);
	/* A parent whose subtest failed (or died) under it: its failure is
	 * the subtest's, and reports lead with the subtest. */
	if (a->child_failed && !a->typed_error && !a->panic.len &&
	    f.kind != FAIL_RACE) {
		f.signature = sig_make("subtest failed", a->child_failed,
				       strlen(a->child_failed), NULL, 0);
	} else if (f.kind == FAIL_RACE && a->race_sig) {
		f.signature = sig_make("race", a->race_sig, strlen(a->race_sig),
				       file, f.line);
	} else {
		sigmsg = msg.data;
		first_line(sigmsg, msg.len, &siglen);
		f.signature = sig_make(fail_kind_name(f.kind), sigmsg, siglen,
				       file, f.line);
	}
	f.output = excerpt(a);
	results_add_failure(a->t, &f);
	if (!tc->fail_seed && ag->seed)
		tc->fail_seed = ag->seed;
	free(f.signature);
	free(f.output);
	free(file);
	buf_release(&msg);
}

/* Marks open ancestors of a failing test: their failure is the child's. */
static void mark_ancestors(struct gtest_agg *ag, struct pstate *ps,
			   const struct test *child)
{
	const char *name = child->name;
	size_t n = strlen(name);
	char *tmp = xstrndup(name, n);

	while (n > 0) {
		struct test *pt;
		struct slot *s;

		while (n > 0 && tmp[n - 1] != '/')
			n--;
		if (!n)
			break;
		tmp[--n] = '\0';
		pt = results_test(ag->r, ps->name, tmp, 0);
		if (!pt || !(s = slot_find(ps, pt)) || s->a->result != O_OPEN)
			continue;
		if (!s->a->child_failed)
			s->a->child_failed = xstrdup(name + n + 1);
	}
	free(tmp);
}

static void count_result(struct gtest_agg *ag, struct pstate *ps,
			 struct test *t, enum outcome o, double elapsed)
{
	struct test_cell *tc = results_test_cell(t, ag->cell);
	int rerun = (ag->flags & GTEST_RERUN) != 0;

	if (o == O_FAIL)
		ps->test_failures++;
	if (!rerun && (o == O_PASS || o == O_FAIL)) {
		struct order *od = order_get(ps, t);

		if (!od->n++) {
			od->first_pass = o == O_PASS;
			if (o == O_PASS)
				tc->first_passes++;
			else
				tc->first_failures++;
		} else if (o == O_PASS) {
			od->later_pass++;
		} else {
			od->later_fail++;
		}
	}

	switch (o) {
	case O_PASS:
		if (rerun)
			tc->rerun_passes++;
		else
			tc->passes++;
		break;
	case O_FAIL:
		if (rerun)
			tc->rerun_failures++;
		else
			tc->failures++;
		break;
	case O_SKIP:
		if (!rerun)
			tc->skips++;
		break;
	case O_OPEN:
		BUG("counting an open attempt");
	}
	if (!rerun)
		tc->seconds += elapsed;
}

static void finalize_pending(struct gtest_agg *ag, struct pstate *ps,
			     struct attempt *a)
{
	judge_failure(ag, ps, a, 0, NULL);
	list_remove(ps->pending, &ps->npending, a);
	slot_clear(ps, a->t);
	attempt_free(a);
}

/* Bound the failed attempts kept for trailing output. */
#define MAX_PENDING 32

static int raced(const struct pstate *ps, const struct test *t)
{
	size_t i;

	for (i = 0; i < ps->nraced; i++)
		if (ps->raced[i] == t)
			return 1;
	return 0;
}

static void close_attempt(struct gtest_agg *ag, struct pstate *ps,
			  struct attempt *a, enum outcome o, double elapsed)
{
	/*
	 * The race detector reports each race once per process: after it
	 * reported one in this test, a later pass in the same process says
	 * nothing about the race.  Such passes are unknown, not passes.
	 */
	if (o == O_PASS && raced(ps, a->t)) {
		if (!(ag->flags & GTEST_RERUN))
			results_test_cell(a->t, ag->cell)->unknown++;
		slot_clear(ps, a->t);
		attempt_free(a);
		return;
	}
	if (o == O_FAIL && (a->race_detected || a->race_msg) &&
	    !raced(ps, a->t)) {
		xgrow((void **)&ps->raced, &ps->alloc_raced, ps->nraced + 1,
		      sizeof(*ps->raced));
		ps->raced[ps->nraced++] = a->t;
	}
	a->result = o;
	a->elapsed = elapsed;
	count_result(ag, ps, a->t, o, elapsed);
	if (o != O_FAIL) {
		slot_clear(ps, a->t);
		attempt_free(a);
		return;
	}
	mark_ancestors(ag, ps, a->t);
	list_push(&ps->pending, &ps->npending, &ps->alloc_pending, a);
	if (ps->npending > MAX_PENDING)
		finalize_pending(ag, ps, ps->pending[0]);
}

/* ---- events ---------------------------------------------------------------- */

static struct test *event_test(struct gtest_agg *ag, struct pstate *ps,
			       const struct gtest_str *name)
{
	char small[256], *tmp;
	struct test *t;

	if (name->len < sizeof(small)) {
		memcpy(small, name->ptr, name->len);
		small[name->len] = '\0';
		return results_test(ag->r, ps->name, small, 1);
	}
	tmp = xstrndup(name->ptr, name->len);
	t = results_test(ag->r, ps->name, tmp, 1);
	free(tmp);
	return t;
}

static void on_run(struct gtest_agg *ag, struct pstate *ps, struct test *t)
{
	struct slot *s = slot_find(ps, t);
	struct attempt *a;

	ps->had_tests = 1;
	if (s) {
		a = s->a;
		if (a->result == O_OPEN) {
			/* A second run with no result between: the first
			 * attempt's outcome is unknown. */
			if (!(ag->flags & GTEST_RERUN))
				results_test_cell(t, ag->cell)->unknown++;
			ag->stats.incomplete++;
			slot_clear(ps, t);
			attempt_free(a);
		} else {
			finalize_pending(ag, ps, a);
		}
	}
	a = attempt_new(t);
	a->seq = ++ps->seq;
	slot_put(ps, t, a);
}

static void on_result(struct gtest_agg *ag, struct pstate *ps, struct test *t,
		      enum outcome o, double elapsed)
{
	struct slot *s = slot_find(ps, t);
	struct attempt *a;

	ps->had_tests = 1;
	if (t == ag->first_t)
		ag->first_done++;
	if (s && s->a->result == O_OPEN) {
		close_attempt(ag, ps, s->a, o, elapsed);
		return;
	}
	/* A result with no open attempt (benchmarks, duplicate "=== PASS"
	 * lines, output spoofing in Go <= 1.19): it still counts. */
	if (s)
		finalize_pending(ag, ps, s->a);
	a = attempt_new(t);
	a->seq = ++ps->seq;
	slot_put(ps, t, a);
	close_attempt(ag, ps, a, o, elapsed);
}

static int by_seq(const void *x, const void *y)
{
	const struct attempt *a = *(struct attempt *const *)x;
	const struct attempt *b = *(struct attempt *const *)y;

	return (a->seq > b->seq) - (a->seq < b->seq);
}

/*
 * Moves every attempt still open to ps->incomplete, in the order they
 * started: the slots are hashed by address, and what is judged from the
 * list (a parent's first failing child, the order failures are recorded
 * in) must not depend on where malloc put things.
 */
static void sweep_open(struct pstate *ps)
{
	size_t i;

	for (i = 0; i < ps->capslots; i++) {
		struct attempt *a = ps->slots[i].a;

		if (!a)
			continue;
		ps->slots[i].a = NULL;
		list_push(&ps->incomplete, &ps->nincomplete,
			  &ps->alloc_incomplete, a);
	}
	if (ps->nincomplete > 1)
		qsort(ps->incomplete, ps->nincomplete,
		      sizeof(*ps->incomplete), by_seq);
}

static void on_package_end(struct gtest_agg *ag, struct pstate *ps, int result,
			   const struct gtest_str *failed_build)
{
	struct package *p = results_package(ag->r, ps->name, 1);
	struct pkg_cell *pc;

	while (ps->npending)
		finalize_pending(ag, ps, ps->pending[0]);
	sweep_open(ps);
	ps->ended = 1;
	ps->result = result;
	if (ag->flags & GTEST_RERUN)
		return;
	pc = results_pkg_cell(p, ag->cell);
	pc->ran = 1;
	if (result == 'f')
		pc->failed = 1;
	if (result == 's' && !ps->had_tests && p->status == PKG_OK)
		p->status = PKG_NO_TESTS;
	if (failed_build && failed_build->len) {
		size_t j;

		p->status = PKG_BUILD_FAILED;
		ps->build_failed = 1;
		for (j = 0; j < ag->nbuilds && !p->error; j++)
			if (strlen(ag->builds[j].import_path) == failed_build->len &&
			    !memcmp(ag->builds[j].import_path, failed_build->ptr,
				    failed_build->len))
				p->error = xstrdup(buf_str(&ag->builds[j].text));
		if (!p->error)
			p->error = xstrdup("build failed");
	}
	if (p->status == PKG_NO_TESTS && ps->had_tests)
		p->status = PKG_OK;
}

static void on_raw_line(struct gtest_agg *ag, const char *s, size_t n)
{
	const char *sp;

	ag->stats.raw_lines++;
	/* Direct: the converter's own complaints (it could not start the
	 * binary) are the process's output. */
	if (ag->expect_pkg) {
		struct pstate *eps = pstate_get(ag, ag->expect_pkg,
						strlen(ag->expect_pkg));

		attempt_output(ag, eps, eps->pkg, s, n, NULL);
		attempt_output(ag, eps, eps->pkg, "\n", 1, NULL);
	}
	/* Go <= 1.23: "FAIL\t<pkg> [build failed]" / "[setup failed]". */
	if (starts(s, n, "FAIL\t") && (sp = memchr(s + 5, ' ', n - 5)) &&
	    (find(sp, n - (size_t)(sp - s), " [build failed]") ||
	     find(sp, n - (size_t)(sp - s), " [setup failed]"))) {
		struct pstate *ps = pstate_get(ag, s + 5, (size_t)(sp - s - 5));
		struct package *p = results_package(ag->r, ps->name, 1);

		/* cmd/go's own line: part of a valid stream. */
		ag->stats.events++;
		ag->stats.raw_lines--;

		ps->ended = 1;
		ps->result = 'f';
		ps->build_failed = 1;
		p->status = PKG_BUILD_FAILED;
		if (!p->error)
			p->error = xstrndup(sp + 2, n - (size_t)(sp - s) - 3);
		if (!(ag->flags & GTEST_RERUN))
			results_pkg_cell(p, ag->cell)->ran = 1;
	}
}

static void on_build_event(struct gtest_agg *ag, const struct gtest_event *ev)
{
	struct build_out *b = NULL;
	size_t i;

	for (i = 0; i < ag->nbuilds; i++)
		if (strlen(ag->builds[i].import_path) == ev->import_path.len &&
		    !memcmp(ag->builds[i].import_path, ev->import_path.ptr,
			    ev->import_path.len))
			b = &ag->builds[i];
	if (!b) {
		if (ag->nbuilds >= 64)
			return;
		xgrow((void **)&ag->builds, &ag->alloc_builds, ag->nbuilds + 1,
		      sizeof(*ag->builds));
		b = &ag->builds[ag->nbuilds++];
		b->import_path = xstrndup(ev->import_path.ptr, ev->import_path.len);
		buf_init(&b->text, 8192);
	}
	if (ev->action == GA_BUILD_OUTPUT)
		add_bounded(&b->text, ev->output.ptr, ev->output.len);
}

static void on_event(struct gtest_agg *ag, const struct gtest_event *ev)
{
	struct pstate *ps;
	struct test *t = NULL;
	struct slot *s;

	ag->stats.events++;
	if (ev->action == GA_BUILD_OUTPUT || ev->action == GA_BUILD_FAIL) {
		on_build_event(ag, ev);
		return;
	}
	ps = pstate_get(ag, ev->package.ptr ? ev->package.ptr : "",
			ev->package.len);
	if (ev->test.len)
		t = event_test(ag, ps, &ev->test);
	switch (ev->action) {
	case GA_RUN:
		if (t) {
			on_run(ag, ps, t);
			ag->running = 1;
			if (!ag->first_t && !memchr(ev->test.ptr, '/',
						    ev->test.len))
				ag->first_t = t;
		}
		break;
	case GA_PASS:
	case GA_BENCH:
	case GA_FAIL:
	case GA_SKIP: {
		enum outcome o = ev->action == GA_FAIL ? O_FAIL :
				 ev->action == GA_SKIP ? O_SKIP : O_PASS;

		if (t && (ag->flags & GTEST_DIRECT)) {
			ag->held = 1;
			ag->held_ps = ps;
			ag->held_t = t;
			ag->held_o = o;
			ag->held_elapsed = ev->elapsed;
		} else if (t) {
			on_result(ag, ps, t, o, ev->elapsed);
		} else {
			on_package_end(ag, ps, ev->action == GA_FAIL ? 'f' :
				       ev->action == GA_SKIP ? 's' : 'p',
				       &ev->failed_build);
		}
		break;
	}
	case GA_OUTPUT:
		if (t && (s = slot_find(ps, t)))
			attempt_output(ag, ps, s->a, ev->output.ptr,
				       ev->output.len, &ev->output_type);
		else
			attempt_output(ag, ps, ps->pkg, ev->output.ptr,
				       ev->output.len, &ev->output_type);
		if (!t && ev->output.len >= 5 && ev->output.len <= 6 &&
		    (!memcmp(ev->output.ptr, "PASS", 4) ||
		     !memcmp(ev->output.ptr, "FAIL", 4)) &&
		    ev->output.ptr[ev->output.len - 1] == '\n')
			ag->closing = 1;
		break;
	case GA_START:
		if (!(ag->flags & GTEST_RERUN))
			results_pkg_cell(results_package(ag->r, ps->name, 1),
					 ag->cell)->ran = 1;
		break;
	case GA_UNKNOWN: case GA_PAUSE: case GA_CONT: case GA_ATTR:
	case GA_ARTIFACTS: case GA_BUILD_OUTPUT: case GA_BUILD_FAIL:
		break;
	}
}

static void release_held(struct gtest_agg *ag)
{
	if (!ag->held)
		return;
	ag->held = 0;
	on_result(ag, ag->held_ps, ag->held_t, ag->held_o, ag->held_elapsed);
}

static void on_line(struct gtest_agg *ag, const char *s, size_t n)
{
	struct gtest_event ev;

	ag->stats.lines++;
	if (n && s[n - 1] == '\r')
		n--;
	if (!n)
		return;
	release_held(ag);
	if (gtest_parse_line(&ag->parser, s, n, &ev)) {
		on_raw_line(ag, s, n);
		return;
	}
	on_event(ag, &ev);
}

/* ---- public API ------------------------------------------------------------ */

struct gtest_agg *gtest_agg_new(struct results *r, int cell, unsigned flags,
				long long seed)
{
	struct gtest_agg *a = xcalloc(1, sizeof(*a));
	struct gtest_parser p = GTEST_PARSER_INIT;

	a->r = r;
	a->cell = cell;
	a->flags = flags;
	a->seed = seed;
	a->parser = p;
	buf_init(&a->line, GTEST_STREAM_LINE_MAX);
	return a;
}

void gtest_agg_feed(struct gtest_agg *a, const char *data, size_t len)
{
	const char *nl;

	if (a->finished)
		BUG("gtest_agg_feed after finish");
	a->stats.bytes += (long long)len;
	while (len) {
		nl = memchr(data, '\n', len);
		if (!nl) {
			if (!a->line_over && buf_add(&a->line, data, len)) {
				a->line_over = 1;
				buf_reset(&a->line);
			}
			return;
		}
		if (a->line_over) {
			a->stats.overlong++;
			a->stats.lines++;
			a->line_over = 0;
		} else if (a->line.len) {
			if (buf_add(&a->line, data, (size_t)(nl - data))) {
				a->stats.overlong++;
				a->stats.lines++;
			} else {
				on_line(a, a->line.data, a->line.len);
			}
			buf_reset(&a->line);
		} else {
			on_line(a, data, (size_t)(nl - data));
		}
		len -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

static void describe_death(char *out, size_t n, int exit_status,
			   const char *reason)
{
	if (reason)
		snprintf(out, n, "%s", reason);
	else if (exit_status > 128)
		snprintf(out, n, "killed by signal %d", exit_status - 128);
	else if (exit_status >= 0)
		snprintf(out, n, "exit status %d", exit_status);
	else
		snprintf(out, n, "the stream ended before its result");
}

/*
 * Judges the attempts left without a result.  In a package that passed
 * they are "unknown" (a glued "--- PASS" line, output spoofing); where the
 * package failed, never reported, or the process died, they are failures.
 */
static void judge_incomplete(struct gtest_agg *ag, struct pstate *ps,
			     int exit_status, const char *death)
{
	struct package *p = results_package(ag->r, ps->name, 1);
	int died = ps->result == 'f' || (!ps->ended && exit_status != 0);
	size_t i;

	if (!ps->nincomplete)
		return;
	ag->stats.incomplete += (long long)ps->nincomplete;
	if (died && !(ag->flags & GTEST_RERUN)) {
		struct pkg_cell *pc = results_pkg_cell(p, ag->cell);

		pc->ran = 1;
		pc->crashed = 1;
		pc->failed = 1;
		if (ps->timeout)
			pc->timed_out = 1;
	}
	for (i = 0; i < ps->nincomplete; i++) {
		struct attempt *a = ps->incomplete[i];
		struct test *t = a->t;

		/* Go 1.20+ reports a passing benchmark with "run" and no
		 * result: never a failure of its own. */
		if (!died || !strncmp(t->name, "Benchmark", 9)) {
			if (!(ag->flags & GTEST_RERUN))
				results_test_cell(t, ag->cell)->unknown++;
			continue;
		}
		count_result(ag, ps, t, O_FAIL, 0);
		judge_failure(ag, ps, a, 1, death);
	}
}

/* "name.go:12: msg" at the start of a line: file and line. */
static int line_loc(const char *s, size_t n, const char **file, size_t *flen,
		    int *line)
{
	const char *p = s, *end = s + n, *q;

	while (p < end && *p != ':' && *p != ' ')
		p++;
	if (p >= end || *p != ':' || p - s < 4 || memcmp(p - 3, ".go", 3))
		return -1;
	q = ++p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == q || p >= end || *p != ':' ||
	    parse_int(q, (size_t)(p - q), line))
		return -1;
	*file = s;
	*flen = (size_t)(q - 1 - s);
	return 0;
}

/*
 * The package's own result in one process, as `go test` gives it: a
 * process that failed while none of its tests did (TestMain exiting 1
 * before or after m.Run, a panic in init, os.Exit outside a test, a
 * signal) is a failure of the package-level pseudo test; a process that
 * ended cleanly is a pass of it.
 */
static void judge_package(struct gtest_agg *ag, struct pstate *ps,
			  int exit_status, const char *death)
{
	struct package *p = results_package(ag->r, ps->name, 1);
	int rerun = (ag->flags & GTEST_RERUN) != 0, failed;
	struct attempt *a = ps->pkg;
	struct pkg_cell *pc;
	struct test_cell *tc;
	struct failure f;
	struct buf msg = BUF_INIT(2048);
	const char *lfile = NULL;
	size_t lflen = 0, n;
	int lline = 0;
	char *file = NULL;

	if (ps->build_failed || !ps->name[0] ||
	    (rerun && !(ag->flags & GTEST_PKG_RERUN)))
		return;
	failed = ps->ended ? ps->result == 'f' : exit_status != 0;
	pc = results_pkg_cell(p, ag->cell);
	if (!failed || ps->test_failures) {
		struct test *pt;

		if (!ps->ended && !ps->had_tests)
			return;
		pt = results_test(ag->r, ps->name, RESULTS_PACKAGE_TEST, 0);
		if (!pt) {
			if (rerun)
				pc->clean_reruns++;
			else
				pc->clean_procs++;
			return;
		}
		tc = results_test_cell(pt, ag->cell);
		if (rerun) {
			tc->rerun_passes++;
		} else {
			tc->passes++;
			tc->first_passes++;
		}
		return;
	}
	tc = results_test_cell(results_package_test(ag->r, ps->name),
			       ag->cell);
	if (rerun) {
		tc->rerun_failures++;
	} else {
		tc->failures++;
		tc->first_failures++;
		pc->ran = 1;
		pc->failed = 1;
		if (!ps->had_tests)
			pc->fail_before_tests = 1;
	}
	memset(&f, 0, sizeof(f));
	f.cell = ag->cell;
	f.rerun = rerun;
	f.seed = ag->seed;
	f.count = 1;
	if (ps->timeout) {
		f.kind = FAIL_TIMEOUT;
		add_bounded(&msg, buf_str(&ps->timeout_msg), ps->timeout_msg.len);
		add_str(&msg, " (outside any test: TestMain or a goroutine it "
			"waits for)");
	} else if (a->panic.len) {
		f.kind = FAIL_PANIC;
		add_bounded(&msg, "panic: ", 7);
		add_bounded(&msg, a->panic.data, a->panic.len);
		if (!ps->had_tests)
			add_str(&msg, " (during package initialization, before "
				"any test)");
		if (a->panic_loc.file) {
			lfile = a->panic_loc.file;
			lflen = strlen(lfile);
			lline = a->panic_loc.line;
		}
	} else {
		const char *why = ps->had_tests ?
			"the test binary failed after its tests passed" :
			"the test binary failed before running any test";

		/* cmd/go names a signal ("signal: killed"); a converter
		 * run directly cannot (test2json exits 1 either way). */
		f.kind = exit_status > 128 ||
			 starts(a->lastline.data ? a->lastline.data : "",
				a->lastline.len, "signal: ") ?
			 FAIL_CRASH : FAIL_EXIT;
		add_bounded(&msg, why, strlen(why));
		if (exit_status > 128 || (exit_status > 1 && !ps->ended)) {
			if (buf_addf(&msg, " (%s)", death))
				BUG("death too long");
		}
		if (a->lastline.len) {
			add_bounded(&msg, ": ", 2);
			add_bounded(&msg, a->lastline.data, a->lastline.len);
			if (line_loc(a->lastline.data, a->lastline.len, &lfile,
				     &lflen, &lline))
				lfile = NULL;
		} else if (!ps->ended && exit_status < 0) {
			add_str(&msg, ": the stream ended before the package's "
				"result");
		} else {
			add_str(&msg, " (no output explains it: TestMain or "
				"os.Exit outside a test)");
		}
	}
	if (lfile)
		file = gtest_map_path(ag->r, p, lfile, lflen);
	f.file = file;
	f.line = file ? lline : 0;
	f.message = (char *)(uintptr_t)buf_str(&msg);
	n = strcspn(buf_str(&msg), "\n");
	f.signature = sig_make(fail_kind_name(f.kind), msg.data, n, file,
			       f.line);
	f.output = excerpt(a);
	results_add_failure(results_package_test(ag->r, ps->name), &f);
	free(f.signature);
	free(f.output);
	free(file);
	buf_release(&msg);
}

/* Each process's order of outcomes, for state leaks (results.c). */
static void count_orders(struct gtest_agg *ag, struct pstate *ps)
{
	size_t i;

	if (ag->flags & GTEST_RERUN)
		return;
	for (i = 0; i < ps->caporders; i++) {
		const struct order *od = &ps->orders[i];
		struct test_cell *tc;

		if (!od->t || od->n < 3)
			continue;
		tc = results_test_cell(od->t, ag->cell);
		tc->procs_multi++;
		if (od->first_pass && od->later_fail == od->n - 1)
			tc->procs_fp++;
		else if (!od->first_pass && od->later_pass == od->n - 1)
			tc->procs_ff++;
	}
}

int gtest_agg_running(const struct gtest_agg *a)
{
	return a->running;
}

int gtest_agg_closing(const struct gtest_agg *a)
{
	return a->closing;
}

const struct gtest_stats *gtest_agg_finish(struct gtest_agg *a,
					   int exit_status, const char *reason)
{
	char death[256];
	size_t i, j;

	if (a->finished)
		BUG("gtest_agg_finish called twice");
	if (a->line.len || a->line_over) {
		if (a->line_over)
			a->stats.overlong++;
		else
			on_line(a, a->line.data, a->line.len);
		buf_reset(&a->line);
	}
	if (a->held) {
		/* The converter's final event for a process that died: the
		 * package's end; the named test never finished.  Not when the
		 * collector dropped it: SIGKILL took the converter too, so
		 * the event is the test's own. */
		a->held = 0;
		if (!a->held_ps->ended && !a->dropped)
			on_package_end(a, a->held_ps,
				       a->held_o == O_FAIL ? 'f' : 'p', NULL);
		else
			on_result(a, a->held_ps, a->held_t, a->held_o,
				  a->held_elapsed);
	}
	describe_death(death, sizeof(death), exit_status, reason);
	/* A process that died with no event at all still fails its package. */
	if (a->expect_pkg && exit_status != 0)
		pstate_get(a, a->expect_pkg, strlen(a->expect_pkg));
	for (i = 0; i < a->npkgs; i++) {
		struct pstate *ps = a->pkgs[i];

		if (!ps->ended) {
			while (ps->npending)
				finalize_pending(a, ps, ps->pending[0]);
			sweep_open(ps);
		}
		/* Parents after children: a parent's crash is its child's. */
		for (j = ps->nincomplete; j > 0; j--) {
			struct attempt *c = ps->incomplete[j - 1];
			size_t k;

			for (k = 0; k < ps->nincomplete; k++) {
				struct attempt *o = ps->incomplete[k];
				size_t n = strlen(o->t->name);

				if (o != c && !o->child_failed &&
				    !strncmp(o->t->name, c->t->name, n) &&
				    c->t->name[n] == '/')
					o->child_failed = xstrdup(c->t->name + n + 1);
			}
		}
		if (a->dropped) {
			a->stats.incomplete += (long long)ps->nincomplete;
			count_orders(a, ps);
			continue;
		}
		judge_incomplete(a, ps, exit_status, death);
		count_orders(a, ps);
		judge_package(a, ps, exit_status, death);
	}
	a->finished = 1;
	return &a->stats;
}

void gtest_agg_free(struct gtest_agg *a)
{
	size_t i, j;

	if (!a)
		return;
	for (i = 0; i < a->npkgs; i++) {
		struct pstate *ps = a->pkgs[i];

		/* Pending attempts are also in their slots: free them once. */
		for (j = 0; j < ps->npending; j++) {
			slot_clear(ps, ps->pending[j]->t);
			attempt_free(ps->pending[j]);
		}
		for (j = 0; j < ps->capslots; j++)
			attempt_free(ps->slots[j].a);
		for (j = 0; j < ps->nincomplete; j++)
			attempt_free(ps->incomplete[j]);
		free(ps->slots);
		free(ps->raced);
		free(ps->pending);
		free(ps->incomplete);
		attempt_free(ps->pkg);
		buf_release(&ps->timeout_msg);
		buf_release(&ps->last_panic);
		loc_release(&ps->last_panic_loc);
		free(ps->build_error);
		free(ps->orders);
		free(ps->name);
		free(ps);
	}
	free(a->pkgs);
	for (i = 0; i < a->nbuilds; i++) {
		free(a->builds[i].import_path);
		buf_release(&a->builds[i].text);
	}
	free(a->builds);
	gtest_parser_release(&a->parser);
	buf_release(&a->line);
	free(a->expect_pkg);
	free(a);
}

void gtest_agg_cut(struct gtest_agg *a, const char *msg)
{
	struct pstate *ps = a->expect_pkg ?
			    pstate_get(a, a->expect_pkg, strlen(a->expect_pkg)) :
			    a->last_ps;

	if (!ps || ps->timeout)
		return;
	ps->timeout = 1;
	buf_reset(&ps->timeout_msg);
	add_bounded(&ps->timeout_msg, msg, strlen(msg));
}

void gtest_agg_drop(struct gtest_agg *a)
{
	a->dropped = 1;
}

long long gtest_agg_done(const struct gtest_agg *a)
{
	return a->first_done;
}

void gtest_agg_expect(struct gtest_agg *a, const char *package)
{
	free(a->expect_pkg);
	a->expect_pkg = xstrdup(package);
}

char *gtest_map_path(const struct results *r, const struct package *p,
		     const char *file, size_t len)
{
	struct buf b = BUF_INIT(8192);
	size_t rl;

	if (!len)
		return NULL;
	if (file[0] == '/') {
		char *tmp, *real;

		if (!r->repo_root)
			return NULL;
		rl = strlen(r->repo_root);
		if (len > rl + 1 && !memcmp(file, r->repo_root, rl) &&
		    file[rl] == '/')
			return xstrndup(file + rl + 1, len - rl - 1);
		/* Compiled under a symlinked path (go uses $PWD): the
		 * physical path may still lie in the repository. */
		tmp = xstrndup(file, len);
		real = realpath(tmp, NULL);
		free(tmp);
		if (real && strlen(real) > rl + 1 &&
		    !memcmp(real, r->repo_root, rl) && real[rl] == '/') {
			tmp = xstrdup(real + rl + 1);
			free(real);
			return tmp;
		}
		free(real);
		return NULL;
	}
	if (memchr(file, '/', len))
		return xstrndup(file, len);
	if (p && p->abs_dir && r->repo_root) {
		char *real = NULL;
		const char *d = p->abs_dir;

		rl = strlen(r->repo_root);
		if (strncmp(d, r->repo_root, rl) || d[rl] != '/') {
			real = realpath(d, NULL);
			if (real)
				d = real;
		}
		if (!strncmp(d, r->repo_root, rl) && d[rl] == '/') {
			if (buf_addf(&b, "%s/", d + rl + 1))
				BUG("path too long");
		}
		free(real);
	}
	if (buf_add(&b, file, len)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}
