/* Unit tests for core/sig: what is masked and what is kept. */
#include "core/sig.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static void norm(const char *in, const char *want)
{
	struct buf b = BUF_INIT(4096);

	CHECK(sig_normalize(&b, in, strlen(in)) == 0);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

int main(void)
{
	char *s, big[1000];

	norm("got 3 results, want 10", "got N results, want N");
	norm("took 12.3ms, budget 10ms", "took <dur>, budget <dur>");
	norm("timed out after 1m30s", "timed out after <dur>");
	norm("ptr 0xc000123abc at 0x1F", "ptr 0x? at 0x?");
	norm("goroutine 42 [running]", "goroutine N [running]");
	norm("open /tmp/TestX123/001/f.txt: no such file", "open <tmp>: no such file");
	norm("  lots \t of\n space  ", "lots of space");
	norm("func1 sha256 v2 stay", "func1 sha256 v2 stay");
	norm("-5 and 3.14", "-N and N");
	norm("5 seconds", "N seconds");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		struct buf b = BUF_INIT(4096);

		CHECK(sig_normalize(&b, big, strlen(big)) == 0);
		CHECK(b.len == SIG_MAX);
		buf_release(&b);
	}
	s = sig_make("fail", "want 1, got 2", 13, "pkg/a_test.go", 12);
	CHECK_STR(s, "fail: want N, got N @ pkg/a_test.go:12");
	free(s);
	s = sig_make("panic", "boom", 4, NULL, 0);
	CHECK_STR(s, "panic: boom");
	free(s);
	/* A file name of any length (the fuzz find signature-long-file-name)
	 * is cut at SIG_FILE_MAX on a character boundary, so the signature
	 * stays within SIG_TOTAL_MAX, which the reporter accepts. */
	{
		char file[5000];
		size_t i;

		for (i = 0; i + 2 < sizeof(file); i += 2)
			memcpy(file + i, "\xc3\xa9", 2);	/* é */
		file[i] = '\0';
		s = sig_make("fail", big, strlen(big), file, 7);
		CHECK(strlen(s) <= SIG_TOTAL_MAX);
		CHECK(strstr(s, " @ ") != NULL);
		CHECK(strlen(strstr(s, " @ ")) == 3 + 254 + 2);
		CHECK_STR(s + strlen(s) - 4, "\xc3\xa9:7");
		free(s);
	}
	return check_done("test_sig");
}
