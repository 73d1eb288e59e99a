/*
 * retry.h: the one retry policy of both HTTP clients (core/github.c, the
 * GitHub REST client, and core/upload.c, the reporter upload): exponential
 * backoff with equal jitter, Retry-After read one way, sleeps that
 * survive signals.  The clients decide *whether* to retry (which statuses,
 * whether a POST may have been applied); this decides *how long*.
 */
#ifndef CORE_RETRY_H
#define CORE_RETRY_H

#include <stddef.h>
#include <stdint.h>

/* The longest Retry-After honoured, in seconds; longer ones are capped. */
#define RETRY_AFTER_MAX_S 3600

struct retry {
	long long base_ms;	/* first wait */
	long long cap_ms;	/* longest wait */
	uint64_t rng;		/* jitter state, seeded by retry_init() */
};

/* Sets the policy and seeds the jitter from the clock and the pid. */
void retry_init(struct retry *r, long long base_ms, long long cap_ms);

/*
 * The wait before attempt `attempt` + 1 (attempt >= 1): the server's
 * Retry-After when it gave one (retry_after_s >= 0, capped at
 * RETRY_AFTER_MAX_S), else base * 2^(attempt-1) capped at cap, half fixed
 * and half random ("equal jitter").
 */
long long retry_wait_ms(struct retry *r, int attempt, long long retry_after_s);

/* A Retry-After (or rate-limit) header value in seconds: digits, spaces
 * around; -1 when it is not one (an HTTP date is not honoured). */
long long retry_header_seconds(const char *v, size_t n);

/* Sleeps ms milliseconds, resuming after signals. */
void retry_sleep_ms(long long ms);

#endif
