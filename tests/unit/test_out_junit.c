/*
 * test_out_junit.c: the JUnit XML.  Checks content and escaping, and that
 * the document is well-formed: with xmllint when it is installed, and
 * always with a small tag-balance checker.
 */
#include "core/out_junit.h"
#include "core/results.h"
#include "core/err.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/fixture.h"

/* Writes r as JUnit into a temporary file; returns its malloc'd contents
 * and leaves the file's name in path. */
static char *render(const struct results *r, char *path, size_t *len)
{
	struct err err = ERR_INIT;
	FILE *f;
	char *s;
	long n;
	int fd;

	snprintf(path, 64, "/tmp/test_out_junit.XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	f = fdopen(fd, "w+");
	CHECK(f != NULL);
	CHECK(out_junit_write(r, f, &err) == 0);
	CHECK(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	*len = fread(s, 1, (size_t)n, f);
	s[*len] = '\0';
	fclose(f);
	return s;
}

/*
 * A minimal well-formedness check: tags balance, attribute values are
 * quoted, no raw '<' or '&' in text, only the five predefined entities
 * and character references.  Returns 0 when the document passes.
 */
static int check_xml(const char *s, size_t len)
{
	char stack[64][64];
	int depth = 0, root_closed = 0;
	const char *p = s, *end = s + len;

	if (strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39))
		return -1;
	p += 39;
	while (p < end) {
		if (*p == '&') {
			size_t k = strspn(p + 1, "#0123456789abcdefghijklmnop"
					  "qrstuvwxyz");

			if (p[1 + k] != ';' || !(p[1] == '#' ||
			    !strncmp(p, "&lt;", 4) || !strncmp(p, "&gt;", 4) ||
			    !strncmp(p, "&amp;", 5) ||
			    !strncmp(p, "&quot;", 6) ||
			    !strncmp(p, "&apos;", 6)))
				return -1;
			p += k + 2;
			continue;
		}
		if (*p == '>')
			return -1;
		if (*p != '<') {
			if (depth == 0 && *p != '\n')
				return -1;
			p++;
			continue;
		}
		if (root_closed)
			return -1;
		if (p[1] == '/') {
			size_t n = strcspn(p + 2, ">");

			if (!depth || strlen(stack[depth - 1]) != n ||
			    strncmp(stack[depth - 1], p + 2, n))
				return -1;
			depth--;
			root_closed = depth == 0;
			p += n + 3;
			continue;
		}
		{
			size_t n = strcspn(p + 1, " />");
			const char *q = p + 1 + n;

			if (!n || n >= sizeof(stack[0]) || depth >= 64)
				return -1;
			/* attributes: name="value" with no '<' inside */
			while (*q == ' ') {
				q += strcspn(q, "=");
				if (q[1] != '"')
					return -1;
				q += 2;
				q += strcspn(q, "\"<");
				if (*q != '"')
					return -1;
				q++;
			}
			if (*q == '/' && q[1] == '>') {
				p = q + 2;
				continue;
			}
			if (*q != '>')
				return -1;
			memcpy(stack[depth], p + 1, n);
			stack[depth++][n] = '\0';
			p = q + 1;
		}
	}
	return depth == 0 && root_closed ? 0 : -1;
}

static int have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

static void check_wellformed(const char *path, const char *s, size_t len)
{
	char cmd[256];

	CHECK(fx_valid_utf8(s, len));
	CHECK(fx_no_controls(s, len, "\n"));
	CHECK(check_xml(s, len) == 0);
	if (have_xmllint()) {
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
		CHECK(system(cmd) == 0);
	} else {
		fprintf(stderr, "test_out_junit: xmllint not found, "
			"structural check only\n");
	}
}

/* Occurrences of needle in s.  A plain scan: repeated strstr() is
 * quadratic under ASan, whose interceptor measures the haystack. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	for (; *s; s++)
		n += *s == *needle && !strncmp(s, needle, k);
	return n;
}

static void test_content(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;
	const char *pool;

	fx_build(&r, 0);
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(strstr(s, "<testsuites name=\"flake-action\" tests=\"15\" "
		     "failures=\"6\" errors=\"1\" skipped=\"2\" time=\"83.400\">")
	      != NULL);
	pool = strstr(s, "<testsuite name=\"example.com/m/pool\" tests=\"3\" "
		      "failures=\"0\" errors=\"0\" skipped=\"1\" time=\"");
	CHECK(pool != NULL);
	/* suites in import-path order */
	CHECK(strstr(s, "name=\"example.com/m/broken\"") <
	      strstr(s, "name=\"example.com/m/crash\""));
	CHECK(strstr(s, "<testcase classname=\"example.com/m/pool\" "
		     "name=\"TestPut\" time=\"3.000\"/>") != NULL);
	CHECK(strstr(s, "name=\"TestSkip\" time=\"0.000\">\n      "
		     "<skipped/>\n") != NULL);
	CHECK(strstr(s, "name=\"TestAfter\" time=\"0.000\">\n      <skipped "
		     "message=\"not run: the test process died before this "
		     "test started\"/>") != NULL);
	CHECK(strstr(s, "name=\"[build failed]\" time=\"0.000\">\n      <error "
		     "message=\"package did not build\" type=\"build\">broken/"
		     "x.go:3:1: syntax error: unexpected }\n&lt;script&gt;")
	      != NULL);
	CHECK(strstr(s, "<failure message=\"panic: boom [recovered]\" "
		     "type=\"panic\">12 of 12 runs failed") != NULL);
	CHECK(strstr(s, "<flakyFailure message=\"WARNING: DATA RACE\" "
		     "type=\"race\">\n        <stackTrace>race in race "
		     "GOMAXPROCS=2 (x2) at pool/pool.go:42\nrace: "
		     "pool.(*Pool).Get pool/pool.go:42</stackTrace>\n        "
		     "<system-out>") != NULL);
	/* a flaky test passes: no <failure> inside it */
	CHECK(strstr(s, "name=\"TestGet\" time=\"3.000\">\n      "
		     "<flakyFailure") != NULL);
	/* one flakyFailure per distinct failure; failed tests one failure */
	CHECK(count(s, "<flakyFailure ") == 5);
	CHECK(count(s, "<failure ") == 6);
	/* hostile names escaped, invalid UTF-8 replaced */
	CHECK(strstr(s, "<script") == NULL);
	CHECK(strstr(s, "]]>") == NULL);
	CHECK(strstr(s, "name=\"TestEvil/&lt;script&gt;alert(1)&lt;/script"
		     "&gt;\"") != NULL);
	CHECK(strstr(s, "name=\"TestEvil/bad\xEF\xBF\xBD\xEF\xBF\xBD"
		     "\xEF\xBF\xBD(utf8\"") != NULL);
	CHECK(strstr(s, "name=\"TestEvil/ctl\xEF\xBF\xBD\xEF\xBF\xBD[31mred")
	      != NULL);
	CHECK(strstr(s, "<system-out>repro: GOMAXPROCS=2 go test -race -run "
		     "&#39;^TestGet$&#39; -count=") != NULL);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_big(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;

	fx_build(&r, 5000);
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(count(s, "<testcase ") == 5015);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_empty(void)
{
	struct results r;
	char path[64];
	size_t len;
	char *s;

	results_init(&r);
	/* The real path: an empty run is finished like any other. */
	results_finish(&r);
	s = render(&r, path, &len);
	check_wellformed(path, s, len);
	CHECK(strstr(s, "tests=\"0\"") != NULL);
	free(s);
	unlink(path);
	results_release(&r);
}

static void test_write_error(void)
{
	struct results r;
	struct err err = ERR_INIT;
	FILE *f = fx_failing_stream();

	CHECK(f != NULL);
	if (!f)
		return;
	fx_build(&r, 50);
	CHECK(out_junit_write(&r, f, &err) == -1);
	CHECK(strstr(err.msg, "cannot write JUnit XML: ") != NULL);
	fclose(f);
	results_release(&r);
}

int main(void)
{
	test_content();
	test_big();
	test_empty();
	test_write_error();
	return check_done("test_out_junit");
}
