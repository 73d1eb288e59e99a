/*
 * Unit tests for core/retry: the one backoff both HTTP clients use.
 */
#include "core/retry.h"
#include "check.h"

int main(void)
{
	struct retry r;
	int a, k;

	retry_init(&r, 500, 15000);
	for (k = 0; k < 200; k++) {
		for (a = 1; a <= 8; a++) {
			long long full = 500LL << (a - 1), w;

			if (full > 15000)
				full = 15000;
			w = retry_wait_ms(&r, a, -1);
			CHECK(w >= full / 2 && w <= full);
		}
	}
	CHECK(retry_wait_ms(&r, 1, 7) == 7000);
	CHECK(retry_wait_ms(&r, 9, 0) == 0);
	CHECK(retry_wait_ms(&r, 1, 999999) == RETRY_AFTER_MAX_S * 1000LL);
	CHECK(retry_header_seconds(" 120\r\n", 6) == 120);
	CHECK(retry_header_seconds("0", 1) == 0);
	CHECK(retry_header_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 29) == -1);
	CHECK(retry_header_seconds("12abc", 5) == -1);
	CHECK(retry_header_seconds("-5", 2) == -1);
	CHECK(retry_header_seconds("", 0) == -1);
	CHECK(retry_header_seconds("99999999999999999999", 20) == -1);
	return check_done("test_retry");
}
