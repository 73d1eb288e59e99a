/*
 * test_out_gha.c: workflow-command annotations and step outputs.  Checks
 * the per-kind maximum and the notice, the order (build errors, failed,
 * flaky; real tests before via-subtest parents; more failures first), and
 * that no untrusted text escapes its field or its line.
 */
#include "core/out_gha.h"
#include "core/results.h"
#include "core/err.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/fixture.h"

static char *slurp(FILE *f)
{
	char *s;
	long n;

	fflush(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	return s;
}

/* Runs out_gha_annotations into memory; *rc gets its result. */
static char *annotate(const struct results *r, int max_err, int max_warn,
		      int *rc)
{
	FILE *f = tmpfile();
	char *s;

	CHECK(f != NULL);
	*rc = out_gha_annotations(r, f, max_err, max_warn);
	s = slurp(f);
	fclose(f);
	return s;
}

/*
 * Every line is one workflow command whose properties hold no raw ':' or
 * ',' inside values.  Counts ::error and ::warning lines.
 */
static int check_commands(const char *s, int *nerr, int *nwarn, int *nnote)
{
	const char *line = s;

	*nerr = *nwarn = *nnote = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		const char *props, *sep, *p;

		if (!nl)
			return -1;
		if (!strncmp(line, "::error ", 8))
			(*nerr)++;
		else if (!strncmp(line, "::warning ", 10))
			(*nwarn)++;
		else if (!strncmp(line, "::notice ", 9))
			(*nnote)++;
		else
			return -1;
		props = strchr(line, ' ') + 1;
		sep = strstr(props, "::");
		if (!sep || sep > nl)
			return -1;
		/* properties: k=v,k=v with no ':' and no ',' inside a value */
		for (p = props; p < sep; ) {
			size_t k = strcspn(p, "=");
			size_t v;

			if (p + k >= sep)
				return -1;
			p += k + 1;
			v = strcspn(p, ",:");
			if (p + v < sep && p[v] == ':')
				return -1;
			p += v + (p + v < sep);
		}
		for (p = line; p < nl; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				return -1;
		line = nl + 1;
	}
	return 0;
}

static void test_annotations(void)
{
	struct results r;
	const char *get, *evil, *boom, *build;
	int rc, nerr, nwarn, nnote;
	char *s;

	fx_build(&r, 0);
	s = annotate(&r, 10, 10, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(fx_valid_utf8(s, strlen(s)));
	CHECK(fx_no_controls(s, strlen(s), "\n"));
	/* build + 6 failed tests; 5 flaky; nothing dropped */
	CHECK(rc == 12);
	CHECK(nerr == 7);
	CHECK(nwarn == 5);
	CHECK(nnote == 0);
	get = strstr(s, "::warning file=pool/pool.go,line=42,title=flaky%3A "
		     "TestGet (2/12 failed%2C only under -race%2C "
		     "GOMAXPROCS=2)::race: WARNING: DATA RACE%0Asignature: "
		     "race: pool.(*Pool).Get pool/pool.go:42%0Apackage: "
		     "example.com/m/pool%0Arepro: GOMAXPROCS=2 go test -race "
		     "-run '^TestGet$' -count=10 ./pool\n");
	CHECK(get != NULL);
	build = strstr(s, "::error title=build failed%3A example.com/m/broken::"
		       "example.com/m/broken did not build%0Abroken/x.go:3:1: "
		       "syntax error: unexpected }%0A<script>");
	CHECK(build == s);
	boom = strstr(s, "::error file=crash/crash_test.go,line=12,title="
		      "failed%3A TestBoom (12/12 failed)::panic: boom "
		      "[recovered]%0Asignature: panic: boom%0A");
	CHECK(boom != NULL);
	/* the via-subtest parent comes last among the errors, without file */
	evil = strstr(s, "::error title=failed%3A TestEvil (12/12 failed%2C "
		      "via a subtest)::fail: subtest failed%0Apackage: ");
	CHECK(evil != NULL);
	CHECK(boom && evil && boom < evil);
	CHECK(evil && strstr(evil + 1, "::error ") == NULL);
	/* escaping: name with , : % in a property; % CR LF in data */
	CHECK(strstr(s, "title=flaky%3A TestEvil/a|b%2Cc%3Ad%250A (") != NULL);
	CHECK(strstr(s, "%0A::error::injected") == NULL);
	CHECK(strstr(s, "TestEvil/bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
		     "(utf8") != NULL);
	CHECK(strstr(s, "TestEvil/ctl[31mred (") != NULL);
	/* a message's first line only; the rest is cut with "…" */
	CHECK(strstr(s, "::fail: boom ``` </details>") != NULL);
	/* bidirectional overrides are replaced */
	CHECK(strstr(s, "\xe2\x80\xae") == NULL);
	CHECK(strstr(s, " utf8 \xEF\xBF\xBDrtl%0Asignature") != NULL);
	free(s);
	results_release(&r);
}

static void test_limits(void)
{
	struct results r;
	const char *p, *last = NULL;
	int rc, nerr, nwarn, nnote, prev = 1 << 30;
	char *s;

	fx_build(&r, 40);
	s = annotate(&r, 5, 10, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(rc == 15);
	CHECK(nerr == 5);
	CHECK(nwarn == 10);
	CHECK(nnote == 1);
	CHECK(strstr(s, "::notice title=flake-action::2 more failures and 35 "
		     "more flaky tests were not annotated (at most 5 errors "
		     "and 10 warnings per step); see the job summary\n")
	      != NULL);
	/* the parent that failed only via subtests was the one dropped */
	CHECK(strstr(s, "TestEvil (12/12 failed%2C via a subtest)") == NULL);
	CHECK(strstr(s, "TestBoom (12/12") != NULL);
	/* warnings in descending failure counts: the hostile flaky tests
	 * (2 failures) before the many (1 failure) */
	for (p = strstr(s, "::warning "); p; p = strstr(p + 1, "::warning ")) {
		const char *q = strstr(p, " failed");
		int k = 0;

		while (q > p && q[-1] != '(')
			q--;
		k = (int)strtol(q, NULL, 10);
		CHECK(k <= prev);
		prev = k;
		last = p;
	}
	CHECK(last != NULL);
	free(s);

	s = annotate(&r, 0, -1, &rc);
	CHECK(check_commands(s, &nerr, &nwarn, &nnote) == 0);
	CHECK(rc == 0);
	CHECK(nerr == 0 && nwarn == 0 && nnote == 1);
	CHECK(strstr(s, "::notice title=flake-action::7 more failures and 45 "
		     "more flaky tests") != NULL);
	free(s);
	results_release(&r);
}

static void test_write_error(void)
{
	struct results r;
	FILE *f = fx_failing_stream();

	CHECK(f != NULL);
	if (!f)
		return;
	fx_build(&r, 0);
	CHECK(out_gha_annotations(&r, f, 10, 10) == -1);
	fclose(f);
	results_release(&r);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;

	CHECK(f != NULL);
	if (!f)
		return xstrdup("");
	s = slurp(f);
	fclose(f);
	return s;
}

static void test_outputs(void)
{
	struct results r;
	struct err err = ERR_INIT;
	char path[] = "/tmp/test_out_gha.XXXXXX", delim[64], want[256];
	const char *p;
	char *s;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "before=1\n", 9) == 9);
	close(fd);
	fx_build(&r, 0);
	CHECK(out_gha_outputs(&r, "out/results.json", path, &err) == 0);
	s = read_file(path);
	CHECK_STR(s, "before=1\nflaky-count=5\nfailed-count=5\n"
		  "results-path=out/results.json\n");
	free(s);

	/* a newline in a value: heredoc with a random delimiter */
	CHECK(out_gha_outputs(&r, "odd\ndir/r.json", path, &err) == 0);
	s = read_file(path);
	p = strstr(s, "results-path<<ghadelim_");
	CHECK(p != NULL);
	if (p) {
		size_t n = strcspn(p + 14, "\n");

		CHECK(n == 25 && n < sizeof(delim));
		memcpy(delim, p + 14, n);
		delim[n] = '\0';
		snprintf(want, sizeof(want), "results-path<<%s\nodd\ndir/"
			 "r.json\n%s\n", delim, delim);
		CHECK_STR(p, want);
	}
	free(s);

	/* not under Actions: nothing to do */
	CHECK(out_gha_outputs(&r, "x", NULL, &err) == 0);
	CHECK(out_gha_outputs(&r, "x", "", &err) == 0);
	/* no results path: only the counts */
	CHECK(truncate(path, 0) == 0);
	CHECK(out_gha_outputs(&r, NULL, path, &err) == 0);
	s = read_file(path);
	CHECK_STR(s, "flaky-count=5\nfailed-count=5\n");
	free(s);
	unlink(path);

	CHECK(out_gha_outputs(&r, "x", "/nonexistent/dir/out", &err) == -1);
	CHECK(strstr(err.msg, "cannot open '/nonexistent/dir/out': ") != NULL);
	if (access("/dev/full", W_OK) == 0) {
		memset(&err, 0, sizeof(err));
		CHECK(out_gha_outputs(&r, "x", "/dev/full", &err) == -1);
		CHECK(strstr(err.msg, "cannot write '/dev/full': ") != NULL);
	}
	results_release(&r);
}

int main(void)
{
	test_annotations();
	test_limits();
	test_write_error();
	test_outputs();
	return check_done("test_out_gha");
}
