/*
 * out_gha.c: GitHub Actions workflow commands and step outputs.
 *
 * A workflow command is one line "::cmd prop=v,prop=v::data".  The runner
 * un-escapes %25 %0D %0A (and %3A %2C in properties) and nothing else, so
 * escaping those characters is what keeps untrusted text inside its field
 * and on its line.  Each annotation is rendered into a buffer first and
 * written whole.
 */
#include "out_gha.h"
#include "utf8.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GHA_LINE_LIMIT (64u << 10)	/* one annotation */
#define GHA_NAME_MAX 200		/* bytes of a test name in a title */
#define GHA_TEXT_MAX 1024		/* bytes of a message line */
#define GHA_BUILD_LINES 10		/* lines of a build error shown */


/*
 * Appends s[0..n) escaped as workflow-command data (prop = 0) or a
 * property value (prop = 1); LF is kept (as %0A) only when keep_lf is set,
 * otherwise it and tab become spaces.  Control characters are dropped;
 * invalid UTF-8 and bidirectional overrides become U+FFFD.
 */
static int gha_escape(struct buf *b, const char *s, size_t n, int prop,
		      int keep_lf)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, start = b->len;
	unsigned long cp;
	int rc = 0;

	while (i < n && !rc) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			rc = buf_adds(b, utf8_replacement);
			i++;
			continue;
		}
		if (cp == '%')
			rc = buf_adds(b, "%25");
		else if (cp == '\n')
			rc = buf_adds(b, keep_lf ? "%0A" : " ");
		else if (cp == '\t')
			rc = buf_addc(b, ' ');
		else if (prop && cp == ':')
			rc = buf_adds(b, "%3A");
		else if (prop && cp == ',')
			rc = buf_adds(b, "%2C");
		else if ((cp >= 0x202A && cp <= 0x202E) ||
			 (cp >= 0x2066 && cp <= 0x2069))
			rc = buf_adds(b, utf8_replacement);
		else if (cp >= 0x20 && (cp < 0x7F || cp >= 0xA0))
			rc = buf_add(b, s + i, len);
		/* other control characters (CR too) are dropped */
		i += len;
	}
	if (rc)
		buf_truncate(b, start);
	return rc;
}

/* At most max bytes of the first line of s, "…" marking a cut. */
static int gha_line(struct buf *b, const char *s, size_t max, int prop)
{
	size_t n = strcspn(s, "\r\n"), k = utf8_prefix(s, n, max);

	if (gha_escape(b, s, k, prop, 0))
		return -1;
	return k < n ? buf_adds(b, "…") : 0;
}

static int gha_str(struct buf *b, const char *s, int prop)
{
	return gha_escape(b, s, strlen(s), prop, 0);
}

static int cmp_annotated(const void *a, const void *b)
{
	const struct test *x = *(struct test *const *)a;
	const struct test *y = *(struct test *const *)b;
	int c;

	if (results_gate_verdict(x) != results_gate_verdict(y))
		return results_gate_verdict(x) == VERDICT_FAILED ? -1 : 1;
	if (x->via_subtest != y->via_subtest)
		return x->via_subtest - y->via_subtest;
	if (x->failures != y->failures)
		return x->failures > y->failures ? -1 : 1;
	c = strcmp(x->package, y->package);
	return c ? c : strcmp(x->name, y->name);
}

/* The failure that best stands for t: most occurrences, a known file. */
static const struct failure *primary_failure(const struct test *t)
{
	const struct failure *best = NULL;
	size_t i;

	for (i = 0; i < t->nfails; i++) {
		const struct failure *f = &t->fails[i];

		if (!best || f->count > best->count ||
		    (f->count == best->count && f->file && !best->file))
			best = f;
	}
	return best;
}

static int render_test(struct buf *b, const struct results *r,
		       const struct test *t)
{
	const struct failure *f = primary_failure(t);
	int flaky = results_gate_verdict(t) == VERDICT_FLAKY, err = 0;

	err |= buf_adds(b, flaky ? "::warning " : "::error ");
	if (f && f->file && *f->file) {
		err |= buf_adds(b, "file=");
		err |= gha_str(b, f->file, 1);
		if (f->line > 0)
			err |= buf_addf(b, ",line=%d", f->line);
		err |= buf_adds(b, ",");
	}
	err |= buf_addf(b, "title=%s%%3A ", flaky ? "flaky" : "failed");
	err |= gha_line(b, t->name, GHA_NAME_MAX, 1);
	err |= buf_addf(b, " (%d/%d failed", t->failures,
			t->passes + t->failures);
	if (t->earlier_attempt)
		err |= buf_addf(b, "%%2C failed in attempt %d of this run",
				t->earlier_attempt);
	if (t->via_subtest)
		err |= buf_adds(b, "%2C via a subtest");
	if (t->where) {
		err |= buf_adds(b, "%2C ");
		err |= gha_line(b, t->where, GHA_TEXT_MAX, 1);
	} else if (t->worst_cell >= 0 && r->ncells > 1 && flaky) {
		err |= buf_adds(b, "%2C worst in ");
		err |= gha_line(b, r->cells[t->worst_cell].name, GHA_TEXT_MAX,
				1);
	}
	err |= buf_adds(b, ")::");
	if (f) {
		const char *kind = fail_kind_name(f->kind);
		const char *msg = *f->message ? f->message : f->signature;
		size_t k = strlen(kind);

		/* "panic: boom", not "panic: panic: boom" */
		if (strncmp(msg, kind, k) || msg[k] != ':')
			err |= buf_addf(b, "%s: ", kind);
		err |= gha_line(b, msg, GHA_TEXT_MAX, 0);
		if (*f->signature && *f->message &&
		    strcmp(f->signature, f->message)) {
			err |= buf_adds(b, "%0Asignature: ");
			err |= gha_line(b, f->signature, GHA_TEXT_MAX, 0);
		}
		err |= buf_adds(b, "%0A");
	}
	err |= buf_adds(b, "package: ");
	err |= gha_line(b, t->package, GHA_TEXT_MAX, 0);
	if (t->repro) {
		err |= buf_adds(b, "%0Arepro: ");
		err |= gha_str(b, t->repro, 0);
	}
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

static int render_build(struct buf *b, const struct package *p)
{
	const char *s = p->error ? p->error : "";
	int err = 0, lines = 0;

	err |= buf_adds(b, "::error title=build failed%3A ");
	err |= gha_line(b, p->package, GHA_TEXT_MAX, 1);
	err |= buf_adds(b, "::");
	err |= gha_line(b, p->package, GHA_TEXT_MAX, 0);
	err |= buf_adds(b, " did not build");
	while (*s && lines < GHA_BUILD_LINES) {
		size_t n = strcspn(s, "\n");

		err |= buf_adds(b, "%0A");
		err |= gha_line(b, s, GHA_TEXT_MAX, 0);
		s += n;
		if (*s)
			s++;
		lines++;
	}
	if (*s)
		err |= buf_adds(b, "%0A…");
	err |= buf_adds(b, "\n");
	return err ? -1 : 0;
}

/* Writes b to f and empties it; -1 on a short write. */
static int flush_buf(struct buf *b, FILE *f)
{
	int rc = 0;

	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	buf_reset(b);
	return rc;
}

int out_gha_annotations(const struct results *r, FILE *f, int max_errors,
			int max_warnings)
{
	struct buf b = BUF_INIT(GHA_LINE_LIMIT);
	struct test **tests;
	size_t i, n = 0;
	int nerr = 0, nwarn = 0, drop_err = 0, drop_warn = 0, rc = -1;

	if (!r->finished)
		BUG("out_gha_annotations before results_finish");
	tests = xcalloc(r->ntests + 1, sizeof(struct test *));
	for (i = 0; i < r->ntests; i++)
		if (results_gate_verdict(r->tests[i]) == VERDICT_FAILED ||
		    results_gate_verdict(r->tests[i]) == VERDICT_FLAKY)
			tests[n++] = r->tests[i];
	qsort(tests, n, sizeof(struct test *), cmp_annotated);
	for (i = 0; i < r->npkgs; i++) {
		if (r->pkgs[i].status != PKG_BUILD_FAILED)
			continue;
		if (nerr >= max_errors) {
			drop_err++;
			continue;
		}
		/* An annotation too large for the buffer is dropped. */
		if (render_build(&b, &r->pkgs[i])) {
			buf_reset(&b);
			drop_err++;
			continue;
		}
		if (flush_buf(&b, f))
			goto out;
		nerr++;
	}
	for (i = 0; i < n; i++) {
		int flaky = results_gate_verdict(tests[i]) == VERDICT_FLAKY;
		int *done = flaky ? &nwarn : &nerr;
		int *dropped = flaky ? &drop_warn : &drop_err;

		if (*done >= (flaky ? max_warnings : max_errors) ||
		    render_test(&b, r, tests[i])) {
			buf_reset(&b);
			(*dropped)++;
			continue;
		}
		if (flush_buf(&b, f))
			goto out;
		(*done)++;
	}
	if ((drop_err || drop_warn) &&
	    (buf_addf(&b, "::notice title=flake-action::%d more failures and "
		      "%d more flaky tests were not annotated (at most %d "
		      "errors and %d warnings per step); see the job summary\n",
		      drop_err, drop_warn, max_errors > 0 ? max_errors : 0,
		      max_warnings > 0 ? max_warnings : 0) ||
	     flush_buf(&b, f)))
		goto out;
	if (fflush(f) || ferror(f))
		goto out;
	rc = nerr + nwarn;
out:
	buf_release(&b);
	free(tests);
	return rc;
}

/* A delimiter "ghadelim_<16 hex digits>" that does not occur in value. */
static void make_delim(char *d, size_t size, const char *value)
{
	static unsigned long long counter;
	unsigned long long x = 0;
	int fd;

	do {
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, &x, sizeof(x)) != (ssize_t)sizeof(x))
			x = ((unsigned long long)time(NULL) << 20) ^
			    ((unsigned long long)getpid() << 40) ^
			    (uintptr_t)d;
		if (fd >= 0)
			close(fd);
		x ^= ++counter * 0x9E3779B97F4A7C15ULL;
		snprintf(d, size, "ghadelim_%016llx", x);
	} while (strstr(value, d));
}

static int add_output(struct buf *b, const char *name, const char *value)
{
	char delim[32];

	if (!strpbrk(value, "\r\n"))
		return buf_addf(b, "%s=%s\n", name, value);
	make_delim(delim, sizeof(delim), value);
	return buf_addf(b, "%s<<%s\n%s\n%s\n", name, delim, value, delim);
}

int out_gha_outputs(const struct results *r, const char *results_path,
		    const char *github_output_path, struct err *err)
{
	struct buf b = BUF_INIT(1 << 20);
	char num[32];
	FILE *f = NULL;
	int rc = 0;

	if (!github_output_path || !*github_output_path)
		return 0;
	snprintf(num, sizeof(num), "%d", r->n_flaky);
	rc |= add_output(&b, "flaky-count", num);
	snprintf(num, sizeof(num), "%d", r->n_failed);
	rc |= add_output(&b, "failed-count", num);
	if (results_path)
		rc |= add_output(&b, "results-path", results_path);
	if (rc) {
		rc = err_set(err, "cannot write step outputs: results path "
			     "too long");
		goto out;
	}
	f = fopen(github_output_path, "a");
	if (!f) {
		rc = err_sys(err, "cannot open '%s'", github_output_path);
		goto out;
	}
	if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f)) {
		rc = err_sys(err, "cannot write '%s'", github_output_path);
		goto out;
	}
out:
	if (f && fclose(f) && !rc)
		rc = err_sys(err, "cannot write '%s'", github_output_path);
	buf_release(&b);
	return rc;
}
