/*
 * stats.h: confidence intervals for failure rates, and their rendering for
 * humans.  Pure functions: no allocation, no state.
 *
 * The Wilson score interval.  A test failed k times in n executions; the
 * observed rate is p = k/n.  With z the standard-normal quantile of the
 * confidence level (z = 1.959964 for 95%, STATS_Z95), the interval is
 *
 *	centre = (p + z^2 / 2n) / (1 + z^2 / n)
 *	half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
 *	[lo, hi] = [centre - half, centre + half]
 *
 * Unlike the normal ("Wald") interval p +- z sqrt(p(1-p)/n), it stays
 * inside [0, 1], is not empty at k = 0 or k = n, and is accurate for the
 * small n and small p a flaky test gives.  Example: k = 1, n = 20 gives
 * p = 5% and [0.0089, 0.2361].  At k = 0 it is [0, z^2 / (n + z^2)];
 * at k = n, [n / (n + z^2), 1].
 *
 * The rule of three.  When a test never failed (k = 0), the one-sided 95%
 * upper bound on its rate is -ln(0.05)/n ~= 3/n (exactly 1 - 0.05^(1/n),
 * which 3/n slightly overstates for small n, so the bound is safe).  It
 * answers "how flaky could it still be": 0 failures in 150 executions
 * means p < 2.0%.  stats_format_rate() renders that floor for k = 0.
 *
 * Usage:
 *   1. stats_wilson(k, n, STATS_Z95, &lo, &hi) for numbers;
 *   2. stats_format_rate(out, sizeof(out), k, n) for a table cell.
 */
#ifndef CORE_STATS_H
#define CORE_STATS_H

#include <stddef.h>

/* Two-sided 95% standard-normal quantile. */
#define STATS_Z95 1.959964

/* Large enough for any stats_format_rate() output. */
#define STATS_RATE_MAX 96

/*
 * Wilson score interval for k successes ("failures" here) in n trials.
 * Returns 0 and sets *lo, *hi (OUT) with 0 <= lo <= k/n <= hi <= 1.
 * Returns -1, leaving *lo and *hi unmodified, when n <= 0, k < 0, k > n or
 * z <= 0.  lo or hi may be NULL when not wanted.
 */
int stats_wilson(long k, long n, double z, double *lo, double *hi);

/*
 * Rule-of-three upper bound on the rate when 0 of n failed: min(1, 3/n).
 * Returns 1 for n <= 0 (nothing is known).
 */
double stats_zero_upper(long n);

/*
 * Renders the failure rate k/n for humans into out (NUL-terminated UTF-8):
 *   k > 0:   "5.0% (95% CI 1.7–13.7%)"    (3/60; Wilson, z = STATS_Z95)
 *   k == 0:  "0/150 ⇒ p < 2.0%"          (rule of three; never below
 *            "p < 0.01%")
 *   n == 0:  "n/a"
 * Percentages have one decimal, two below 1% ("0.05%"), read "<0.01" below
 * 0.005%, and have no decimals at 100% ("100%").  Returns 0, or -1 when
 * k/n are invalid (k < 0, k > n) or out is too small (out then holds a
 * truncated string when size > 0).
 * STATS_RATE_MAX bytes are always enough.
 */
int stats_format_rate(char *out, size_t size, long k, long n);

/*
 * Renders one percentage (ratio x in [0, 1]) with the rules above, without
 * the "%" sign: 0.125 -> "12.5", 0.0005 -> "0.05", 1 -> "100", 0 -> "0".
 * Returns 0, or -1 when out is too small.
 */
int stats_format_pct(char *out, size_t size, double x);

/*
 * Fisher's exact test of a 2x2 table: a failures and b passes under a
 * condition (e.g. -race), c failures and d passes without it.  The
 * two-sided p-value: the probability, with the margins fixed (the
 * hypergeometric distribution), of a table at most as likely as this one.
 * Exact for every count a program of ours meets (log-gamma sums, relative
 * error ~1e-12).  Returns 1 for an empty row or column (nothing to test),
 * or for negative counts.
 *
 * Example: 5/9 failures under -race, 0/9 without: p = 0.0294 (hand:
 * the tables with all failures on one side, C(9,5)/C(18,5) = 126/8568
 * each, sum to 2 x 0.0147).
 */
double stats_fisher(long a, long b, long c, long d);

/*
 * A 95% interval for a failure rate whose executions come in clusters
 * (runs: executions of one run share a machine, a load, a build, so they
 * fail together).  k[i] failures of n[i] executions in run i, R runs.
 * The rate is sum k / sum n; its variance the cluster-robust (sandwich)
 * estimate R/(R-1) * sum (k_i - p n_i)^2 / (sum n)^2, turned into a
 * design effect d = max(1, that / (p(1-p)/N)); the interval is Wilson's
 * over the effective n = N/d, with the t quantile of R - 1 degrees of
 * freedom in place of z.  With one run (or no spread between runs) it is
 * Wilson's.  A simulation (tests/unit/test_stats.c) shows it covers the
 * true rate in >= 93% of 1000 correlated histories where pooled Wilson
 * covers 81%.  Returns 0 with *lo, *hi; -1 when there is no execution.
 */
int stats_cluster_interval(const long *k, const long *n, size_t runs,
			   double *lo, double *hi);

/*
 * Release from quarantine on evidence (docs/GATE.md): a test quarantined
 * at rate p0 is ready once n executions in a row since its last failure
 * passed, where (1 - p0)^n <= 0.05 -- 0 failures in n would happen less
 * than 5% of the time if it still failed at rate p0.  So
 * n = ceil(ln 0.05 / ln(1 - p0)), p0 clamped to [0.01, 0.5] (an unknown
 * or tiny p0 would need thousands): p0 = 5% needs 59, 1% needs 299.
 */
long stats_release_need(double p0);

/* The significance level the pages and the comment use. */
#define STATS_ALPHA 0.05

/* Large enough for any stats_format_condition() output. */
#define STATS_COND_MAX 160

/*
 * Words one condition's evidence for humans, into out: with p < STATS_ALPHA
 * and a higher rate under it, "only under -race (p = 0.003; 5/9 vs 0/9)"
 * when it never failed without, else "3.5× more under GOMAXPROCS=2
 * (p = 0.01; 7/20 vs 2/20)"; otherwise "no condition stands out
 * (n = 38)".  label is trusted text (a cell property, not a test name).
 * Returns 0, or -1 when out is too small.
 */
int stats_format_condition(char *out, size_t size, const char *label,
			   long k_in, long n_in, long k_out, long n_out);

#endif
