/*
 * retry.c: the retry policy (see retry.h).
 */
#include "retry.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

void retry_init(struct retry *r, long long base_ms, long long cap_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	r->base_ms = base_ms > 0 ? base_ms : 1;
	r->cap_ms = cap_ms >= r->base_ms ? cap_ms : r->base_ms;
	r->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		 ((uint64_t)getpid() << 40);
	if (!r->rng)
		r->rng = 0x9E3779B97F4A7C15ULL;
}

static uint64_t next(struct retry *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545F4914F6CDD1DULL;
}

long long retry_wait_ms(struct retry *r, int attempt, long long retry_after_s)
{
	long long full = r->base_ms;
	int i;

	if (retry_after_s >= 0)
		return (retry_after_s > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S :
			retry_after_s) * 1000;
	for (i = 1; i < attempt && full < r->cap_ms; i++)
		full *= 2;
	if (full > r->cap_ms)
		full = r->cap_ms;
	return full / 2 + (long long)(next(r) % (uint64_t)(full / 2 + 1));
}

long long retry_header_seconds(const char *v, size_t n)
{
	long long x = 0;
	size_t i = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i == n || v[i] < '0' || v[i] > '9')
		return -1;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (x > 1000000000000LL)
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' ||
			 v[i] == '\n'))
		i++;
	return i == n ? x : -1;
}

void retry_sleep_ms(long long ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) && errno == EINTR)
		ts = rem;
}
