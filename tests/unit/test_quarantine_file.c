/*
 * Unit tests for core/quarantine_file: the YAML subset of
 * .github/flake-quarantine.yml, and its errors naming file:line.
 */
#include "core/quarantine_file.h"
#include "check.h"

static void ok_file(void)
{
	struct quarantine_file f;
	struct err err = ERR_INIT;

	CHECK(quarantine_file_parse(
		"# quarantine\n\n"
		"- test: TestFlip\n"
		"  package: example.com/m/flip   # the import path\n"
		"  reason: \"races # on the listener\"\n"
		"  added_by: 'alice'\n"
		"  added_at: 2026-11-20\n"
		"  issue: https://github.com/o/r/issues/1\n"
		"-\n"
		"  package: example.com/m/b\n"
		"  test: TestB/sub case\n"
		"  added_at: 2026-11-21T10:00:00Z\n", "q.yml", &f, &err) == 0);
	CHECK(f.n == 2);
	if (f.n == 2) {
		CHECK_STR(f.v[0].name, "TestFlip");
		CHECK_STR(f.v[0].package, "example.com/m/flip");
		CHECK_STR(f.v[0].reason, "races # on the listener");
		CHECK_STR(f.v[0].added_by, "alice");
		CHECK_STR(f.v[0].added_at, "2026-11-20T00:00:00Z");
		CHECK_STR(f.v[0].issue_url, "https://github.com/o/r/issues/1");
		CHECK_STR(f.v[1].name, "TestB/sub case");
		CHECK_STR(f.v[1].added_at, "2026-11-21T10:00:00Z");
		CHECK(f.v[1].reason == NULL);
	}
	quarantine_file_release(&f);
	CHECK(quarantine_file_parse("# nothing\n", "q.yml", &f, &err) == 0 &&
	      f.n == 0);
	quarantine_file_release(&f);
}

static void bad(const char *text, const char *want)
{
	struct quarantine_file f;
	struct err err = ERR_INIT;

	CHECK(quarantine_file_parse(text, "q.yml", &f, &err) == -1);
	CHECK(strstr(err.msg, want) != NULL);
	if (!strstr(err.msg, want))
		fprintf(stderr, "  got: %s\n  want: %s\n", err.msg, want);
	CHECK(f.n == 0 && f.v == NULL);
}

int main(void)
{
	ok_file();
	bad("- test: TestA\n  pakage: x\n", "q.yml:2: unknown key 'pakage'");
	bad("- test: TestA\n", "q.yml:1: the entry has no 'package'");
	bad("- package: p\n- test: T\n  package: p\n", "q.yml:1: the entry has no 'test'");
	bad("test: TestA\n", "q.yml:1: want a list of entries");
	bad("- test: [a, b]\n  package: p\n", "q.yml:1: the value must be");
	bad("- test: \"open\n  package: p\n", "q.yml:1: the value must be");
	bad("- test: T\n  package: p\n  added_at: yesterday\n", "q.yml:3: added_at wants");
	bad("- test: T\n  package p\n", "q.yml:2: want 'key: value'");
	return check_done("test_quarantine_file");
}
