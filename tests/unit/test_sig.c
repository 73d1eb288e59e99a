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
	return check_done("test_sig");
}
