/*
 * test_stats.c: Wilson intervals against hand-computed values, the
 * rule-of-three floor, and the human rendering of rates.
 */
#include "core/stats.h"
#include "tests/unit/check.h"

#include <math.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-4)

static void test_wilson_values(void)
{
	double lo = -1, hi = -1;

	/* p = 5%: centre 0.12251, half-width 0.11362. */
	CHECK(stats_wilson(1, 20, STATS_Z95, &lo, &hi) == 0);
	CHECK(NEAR(lo, 0.0089));
	CHECK(NEAR(hi, 0.2361));

	/* k = 0: [0, z^2 / (n + z^2)] = [0, 3.841459 / 13.841459]. */
	CHECK(stats_wilson(0, 10, STATS_Z95, &lo, &hi) == 0);
	CHECK(lo == 0.0);
	CHECK(NEAR(hi, 0.2775));

	/* k = n: [n / (n + z^2), 1]. */
	CHECK(stats_wilson(10, 10, STATS_Z95, &lo, &hi) == 0);
	CHECK(NEAR(lo, 0.7225));
	CHECK(hi == 1.0);

	/* p = 1/2 is symmetric around 0.5. */
	CHECK(stats_wilson(5, 10, STATS_Z95, &lo, &hi) == 0);
	CHECK(NEAR(lo, 0.2366));
	CHECK(NEAR(hi, 0.7634));
	CHECK(NEAR(lo + hi, 1.0));

	/* 3/60 (the store tests' flaky test). */
	CHECK(stats_wilson(3, 60, STATS_Z95, &lo, &hi) == 0);
	CHECK(NEAR(lo, 0.01715));
	CHECK(NEAR(hi, 0.13701));

	/* One of them may be NULL. */
	CHECK(stats_wilson(1, 20, STATS_Z95, NULL, &hi) == 0);
	CHECK(NEAR(hi, 0.2361));
}

static void test_wilson_invalid(void)
{
	double lo = 42, hi = 43;

	CHECK(stats_wilson(0, 0, STATS_Z95, &lo, &hi) == -1);
	CHECK(stats_wilson(1, 0, STATS_Z95, &lo, &hi) == -1);
	CHECK(stats_wilson(-1, 10, STATS_Z95, &lo, &hi) == -1);
	CHECK(stats_wilson(11, 10, STATS_Z95, &lo, &hi) == -1);
	CHECK(stats_wilson(1, 10, 0.0, &lo, &hi) == -1);
	/* Outputs are unmodified on failure. */
	CHECK(lo == 42 && hi == 43);
}

/* Invariant over a grid: 0 <= lo <= p <= hi <= 1, narrowing as n grows. */
static void test_wilson_invariants(void)
{
	long n, k;
	int bad = 0;
	double lo, hi, prev_width = 2.0;

	for (n = 1; n <= 300; n++) {
		for (k = 0; k <= n; k++) {
			double p = (double)k / (double)n;

			if (stats_wilson(k, n, STATS_Z95, &lo, &hi) ||
			    lo < 0.0 || hi > 1.0 || lo > p || hi < p)
				bad++;
		}
	}
	CHECK(bad == 0);
	for (n = 10; n <= 100000; n *= 10) {
		CHECK(stats_wilson(n / 10, n, STATS_Z95, &lo, &hi) == 0);
		CHECK(hi - lo < prev_width);
		prev_width = hi - lo;
	}
}

static void test_zero_upper(void)
{
	CHECK(NEAR(stats_zero_upper(150), 0.02));
	CHECK(NEAR(stats_zero_upper(10), 0.3));
	CHECK(stats_zero_upper(3) == 1.0);
	CHECK(stats_zero_upper(1) == 1.0);
	CHECK(stats_zero_upper(0) == 1.0);
}

static void test_format(void)
{
	char out[STATS_RATE_MAX];

	CHECK(stats_format_rate(out, sizeof(out), 1, 20) == 0);
	CHECK_STR(out, "5.0% (95% CI 0.89\xe2\x80\x93" "23.6%)");
	CHECK(stats_format_rate(out, sizeof(out), 3, 60) == 0);
	CHECK_STR(out, "5.0% (95% CI 1.7\xe2\x80\x93" "13.7%)");
	CHECK(stats_format_rate(out, sizeof(out), 1, 8) == 0);
	CHECK(!strncmp(out, "12.5% (95% CI ", 14));
	CHECK(stats_format_rate(out, sizeof(out), 20, 20) == 0);
	CHECK_STR(out, "100% (95% CI 83.9\xe2\x80\x93" "100%)");
	CHECK(stats_format_rate(out, sizeof(out), 1, 2000) == 0);
	CHECK_STR(out, "0.05% (95% CI 0.01\xe2\x80\x93" "0.28%)");
	CHECK(stats_format_rate(out, sizeof(out), 1, 100000) == 0);
	CHECK_STR(out, "<0.01% (95% CI <0.01\xe2\x80\x93" "0.01%)");

	/* The rule-of-three floor. */
	CHECK(stats_format_rate(out, sizeof(out), 0, 150) == 0);
	CHECK_STR(out, "0/150 \xe2\x87\x92 p < 2.0%");
	CHECK(stats_format_rate(out, sizeof(out), 0, 10) == 0);
	CHECK_STR(out, "0/10 \xe2\x87\x92 p < 30.0%");
	CHECK(stats_format_rate(out, sizeof(out), 0, 2) == 0);
	CHECK_STR(out, "0/2 \xe2\x87\x92 p < 100%");
	CHECK(stats_format_rate(out, sizeof(out), 0, 1000000) == 0);
	CHECK_STR(out, "0/1000000 \xe2\x87\x92 p < 0.01%");

	CHECK(stats_format_rate(out, sizeof(out), 0, 0) == 0);
	CHECK_STR(out, "n/a");

	/* Invalid input and truncation fail; the output stays a string. */
	CHECK(stats_format_rate(out, sizeof(out), 3, 2) == -1);
	CHECK(stats_format_rate(out, sizeof(out), -1, 2) == -1);
	CHECK(stats_format_rate(out, sizeof(out), 1, 0) == -1);
	CHECK(stats_format_rate(out, 8, 1, 20) == -1);
	CHECK(strlen(out) < 8);
	CHECK(stats_format_rate(out, 0, 1, 20) == -1);

	CHECK(stats_format_pct(out, sizeof(out), 0.125) == 0);
	CHECK_STR(out, "12.5");
	CHECK(stats_format_pct(out, sizeof(out), 0.0) == 0);
	CHECK_STR(out, "0");
	CHECK(stats_format_pct(out, sizeof(out), 0.99999) == 0);
	CHECK_STR(out, "100");
	CHECK(stats_format_pct(out, sizeof(out), 0.0005) == 0);
	CHECK_STR(out, "0.05");
	CHECK(stats_format_pct(out, 3, 0.125) == -1);
}

/* Fisher's exact test against values computed by hand. */
static void test_fisher(void)
{
	char out[STATS_COND_MAX];

	/* All 5 failures among 9 under the condition: C(9,5)/C(18,5) per
	 * extreme table = 126/8568, two of them. */
	CHECK(fabs(stats_fisher(5, 4, 0, 9) - 252.0 / 8568.0) < 1e-9);
	/* Fisher's tea: [[3,1],[1,3]]: (16 + 16 + 1 + 1) / 70. */
	CHECK(fabs(stats_fisher(3, 1, 1, 3) - 34.0 / 70.0) < 1e-9);
	/* Wikipedia's dieting table [[1,9],[11,3]]: p = 0.002759. */
	CHECK(fabs(stats_fisher(1, 9, 11, 3) - 0.0027594) < 1e-6);
	/* Symmetric in the rows; nothing to test is p = 1. */
	CHECK(fabs(stats_fisher(1, 9, 11, 3) - stats_fisher(11, 3, 1, 9)) < 1e-12);
	CHECK(stats_fisher(0, 0, 3, 4) == 1.0 && stats_fisher(0, 5, 0, 5) == 1.0);
	CHECK(stats_fisher(-1, 2, 3, 4) == 1.0);
	CHECK(stats_fisher(2, 2, 2, 2) > 0.999);

	CHECK(stats_format_condition(out, sizeof(out), "-race", 5, 9, 0, 9) == 0);
	CHECK_STR(out, "only under -race (p = 0.029; 5/9 vs 0/9)");
	CHECK(stats_format_condition(out, sizeof(out), "GOMAXPROCS=2", 11, 14, 1,
				     10) == 0);
	CHECK_STR(out, "7.9\xC3\x97 more under GOMAXPROCS=2 (p = 0.0028; "
		  "11/14 vs 1/10)");
	CHECK(stats_format_condition(out, sizeof(out), "-race", 2, 9, 0, 9) == 0);
	CHECK_STR(out, "no condition stands out (n = 18)");
	/* Significant but lower under it: not a condition of failing. */
	CHECK(stats_format_condition(out, sizeof(out), "-race", 0, 9, 5, 9) == 0);
	CHECK_STR(out, "no condition stands out (n = 18)");
	CHECK(stats_format_condition(out, 10, "-race", 5, 9, 0, 9) == -1);
}

/* splitmix64: a fixed-seed generator, so the simulation is the same
 * every run. */
static unsigned long long sm_state;

static double uniform01(void)
{
	unsigned long long z = (sm_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/*
 * The coverage of the clustered interval in 1000 simulated histories of
 * correlated executions: R runs of m executions; a share of the runs are
 * "bad" (rate hi_rate), the rest good, with mean rate p.  Executions of
 * one run fail together far more than independent ones would.  Pooled
 * Wilson, which assumes independence, must cover clearly less.
 */
static void coverage(int runs, int m, double p, double hi_rate, double share)
{
	double lo_rate = (p - share * hi_rate) / (1 - share), lo, hi;
	long k[64], n[64];
	int t, i, j, cov = 0, cov_pooled = 0;

	sm_state = 1;
	for (t = 0; t < 1000; t++) {
		long K = 0, N = 0;

		for (i = 0; i < runs; i++) {
			double q = uniform01() < share ? hi_rate : lo_rate;

			k[i] = 0;
			n[i] = m;
			for (j = 0; j < m; j++)
				k[i] += uniform01() < q;
			K += k[i];
			N += n[i];
		}
		CHECK(stats_cluster_interval(k, n, (size_t)runs, &lo, &hi) == 0);
		cov += lo <= p && p <= hi;
		CHECK(stats_wilson(K, N, STATS_Z95, &lo, &hi) == 0);
		cov_pooled += lo <= p && p <= hi;
	}
	printf("coverage, %d runs x %d, p = %.2f: clustered %.1f%%, pooled "
	       "Wilson %.1f%%\n", runs, m, p, cov / 10.0, cov_pooled / 10.0);
	CHECK(cov >= 930);
	CHECK(cov_pooled < cov - 30);
}

static void test_cluster(void)
{
	long k1[] = { 3 }, n1[] = { 10 }, k0[] = { 0, 0 }, n0[] = { 0, 0 };
	long ks[] = { 1, 1, 1, 1 }, ns[] = { 10, 10, 10, 10 };
	double lo, hi, wlo, whi;

	/* One run, or runs without spread: Wilson's interval (z; t only
	 * widens it a little for the few runs). */
	CHECK(stats_cluster_interval(k1, n1, 1, &lo, &hi) == 0);
	CHECK(stats_wilson(3, 10, STATS_Z95, &wlo, &whi) == 0);
	CHECK(fabs(lo - wlo) < 1e-12 && fabs(hi - whi) < 1e-12);
	CHECK(stats_cluster_interval(ks, ns, 4, &lo, &hi) == 0);
	CHECK(stats_wilson(4, 40, STATS_Z95, &wlo, &whi) == 0);
	CHECK(lo <= wlo && hi >= whi && lo >= 0 && hi <= 1);
	CHECK(stats_cluster_interval(k0, n0, 2, &lo, &hi) == -1);
	coverage(30, 6, 0.10, 0.30, 0.25);
	coverage(20, 10, 0.10, 0.30, 0.25);
}

int main(void)
{
	test_fisher();
	test_cluster();
	test_wilson_values();
	test_wilson_invalid();
	test_wilson_invariants();
	test_zero_upper();
	test_format();
	return check_done("test_stats");
}
