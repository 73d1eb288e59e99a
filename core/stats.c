/*
 * stats.c: Wilson score interval, rule-of-three floor, and their rendering.
 * The math is documented in stats.h.
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int stats_wilson(long k, long n, double z, double *lo, double *hi)
{
	double dn, p, z2, denom, centre, half, l, h;

	if (n <= 0 || k < 0 || k > n || !(z > 0))
		return -1;
	dn = (double)n;
	p = (double)k / dn;
	z2 = z * z;
	denom = 1.0 + z2 / dn;
	centre = (p + z2 / (2.0 * dn)) / denom;
	half = z / denom * sqrt(p * (1.0 - p) / dn + z2 / (4.0 * dn * dn));
	l = centre - half;
	h = centre + half;
	/*
	 * At k = 0 and k = n the bound is exactly p; rounding would leave
	 * a -1e-17 or put p just outside the interval.
	 */
	if (k == 0 || l < 0.0)
		l = 0.0;
	if (k == n || h > 1.0)
		h = 1.0;
	if (l > p)
		l = p;
	if (h < p)
		h = p;
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
	return 0;
}

double stats_zero_upper(long n)
{
	if (n <= 3)
		return 1.0;
	return 3.0 / (double)n;
}

static int fits(int n, size_t size)
{
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int stats_format_pct(char *out, size_t size, double x)
{
	double pct = x * 100.0;
	int n;

	if (!size)
		return -1;
	if (!(pct > 0.0)) {
		n = snprintf(out, size, "0");
	} else if (pct >= 1.0) {
		n = snprintf(out, size, "%.1f", pct);
		/* "100.0" says more precision than there is. */
		if (fits(n, size) == 0 && !strcmp(out, "100.0"))
			n = snprintf(out, size, "100");
	} else if (pct >= 0.005) {
		n = snprintf(out, size, "%.2f", pct);
	} else {
		n = snprintf(out, size, "<0.01");
	}
	return fits(n, size);
}

int stats_format_rate(char *out, size_t size, long k, long n)
{
	char a[32], b[32], c[32];
	double lo, hi;
	int len;

	if (!size)
		return -1;
	out[0] = '\0';
	if (k < 0 || (n > 0 && k > n))
		return -1;
	if (n <= 0) {
		if (k > 0)
			return -1;
		return fits(snprintf(out, size, "n/a"), size);
	}
	if (k == 0) {
		/* Below 0.01% a bound of 0.01% is still true, and readable. */
		lo = stats_zero_upper(n);
		if (lo < 0.0001)
			lo = 0.0001;
		if (stats_format_pct(a, sizeof(a), lo))
			return -1;
		len = snprintf(out, size, "0/%ld \xe2\x87\x92 p < %s%%", n, a);
		return fits(len, size);
	}
	if (stats_wilson(k, n, STATS_Z95, &lo, &hi))
		return -1;
	if (stats_format_pct(a, sizeof(a), (double)k / (double)n) ||
	    stats_format_pct(b, sizeof(b), lo) ||
	    stats_format_pct(c, sizeof(c), hi))
		return -1;
	len = snprintf(out, size, "%s%% (95%% CI %s\xe2\x80\x93%s%%)", a, b, c);
	return fits(len, size);
}

/* ln C(n, k). */
static double lchoose(long n, long k)
{
	return lgamma((double)n + 1) - lgamma((double)k + 1) -
	       lgamma((double)(n - k) + 1);
}

double stats_fisher(long a, long b, long c, long d)
{
	long row1 = a + b, col1 = a + c, n = a + b + c + d, lo, hi, x;
	double lp_obs, p = 0.0;

	if (a < 0 || b < 0 || c < 0 || d < 0 || !row1 || row1 == n || !col1 ||
	    col1 == n)
		return 1.0;
	/* x failures under the condition: P(x) = C(col1, x) C(n - col1,
	 * row1 - x) / C(n, row1). */
	lo = row1 + col1 - n > 0 ? row1 + col1 - n : 0;
	hi = row1 < col1 ? row1 : col1;
	lp_obs = lchoose(col1, a) + lchoose(n - col1, row1 - a) -
		 lchoose(n, row1);
	for (x = lo; x <= hi; x++) {
		double lp = lchoose(col1, x) + lchoose(n - col1, row1 - x) -
			    lchoose(n, row1);

		/* "At most as likely", with room for rounding. */
		if (lp <= lp_obs + 1e-7)
			p += exp(lp);
	}
	return p > 1.0 ? 1.0 : p;
}

int stats_format_condition(char *out, size_t size, const char *label,
			   long k_in, long n_in, long k_out, long n_out)
{
	double p = stats_fisher(k_in, n_in - k_in, k_out, n_out - k_out);
	double r_in = n_in > 0 ? (double)k_in / (double)n_in : 0.0;
	double r_out = n_out > 0 ? (double)k_out / (double)n_out : 0.0;
	char ps[32];
	int n;

	if (p >= STATS_ALPHA || r_in <= r_out) {
		n = snprintf(out, size, "no condition stands out (n = %ld)",
			     n_in + n_out);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	snprintf(ps, sizeof(ps), p < 0.001 ? "p < 0.001" : "p = %.2g", p);
	if (k_out == 0)
		n = snprintf(out, size, "only under %s (%s; %ld/%ld vs %ld/%ld)",
			     label, ps, k_in, n_in, k_out, n_out);
	else
		n = snprintf(out, size, "%.1f\xC3\x97 more under %s (%s; %ld/%ld vs "
			     "%ld/%ld)", r_in / r_out, label, ps, k_in, n_in,
			     k_out, n_out);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

long stats_release_need(double p0)
{
	if (!(p0 >= 0.01))
		p0 = 0.01;
	if (p0 > 0.5)
		p0 = 0.5;
	return (long)ceil(log(0.05) / log(1.0 - p0) - 1e-9);
}

/* Wilson's interval for real-valued k of n with quantile z. */
static void wilson_real(double k, double n, double z, double *lo, double *hi)
{
	double p = k / n, z2 = z * z;
	double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	double h = z / (1 + z2 / n) * sqrt(fmax(p * (1 - p) / n +
						 z2 / (4 * n * n), 0.0));

	*lo = fmax(0.0, centre - h);
	*hi = fmin(1.0, centre + h);
}

/* The 0.975 quantile of Student's t with df degrees of freedom
 * (Cornish-Fisher expansion around z; within 0.3% from df = 3). */
static double t975(double df)
{
	double z = STATS_Z95, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;

	return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) /
	       (96 * df * df) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) /
	       (384 * df * df * df);
}

int stats_cluster_interval(const long *k, const long *n, size_t runs,
			   double *lo, double *hi)
{
	double K = 0, N = 0, p, v = 0, binv, deff = 1.0;
	size_t i;

	for (i = 0; i < runs; i++) {
		K += (double)k[i];
		N += (double)n[i];
	}
	if (N <= 0)
		return -1;
	p = K / N;
	if (runs < 2) {
		wilson_real(K, N, STATS_Z95, lo, hi);
		return 0;
	}
	for (i = 0; i < runs; i++) {
		double r = (double)k[i] - p * (double)n[i];

		v += r * r;
	}
	v = v * (double)runs / (double)(runs - 1) / (N * N);
	binv = p * (1 - p) / N;
	if (binv > 0 && v > binv)
		deff = v / binv;
	wilson_real(K / deff, N / deff, t975((double)(runs - 1)), lo, hi);
	return 0;
}
