/*
 * test_plan.c: the split of units over shards -- every unit exactly once,
 * the same plan from the same input, balance against the LPT bound,
 * cells of a package kept together by their build cost, and the
 * counting of test functions in a file.
 */
#include "core/plan.h"
#include "core/err.h"
#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* npkgs packages x ncells cells; costs from a fixed LCG (seed). */
static struct plan_unit *units(size_t npkgs, size_t ncells, unsigned seed,
			       double build, size_t *n)
{
	struct plan_unit *u = xcalloc(npkgs * ncells, sizeof(*u));
	size_t p, c, k = 0;
	unsigned x = seed;

	for (p = 0; p < npkgs; p++) {
		double w;

		x = x * 1103515245u + 12345u;
		w = 1.0 + (double)((x >> 16) % 40);
		for (c = 0; c < ncells; c++, k++) {
			u[k].pkg = (int)p;
			u[k].cell = (int)c;
			u[k].race = c >= ncells / 2;
			u[k].cost = w * (u[k].race ? PLAN_RACE_FACTOR : 1.0);
			u[k].build_cost = build * w;
			u[k].shard = -1;
		}
	}
	*n = k;
	return u;
}

static void test_exact_and_deterministic(void)
{
	size_t n, m, i;
	int shards, s;

	for (shards = 1; shards <= 9; shards++) {
		struct plan_unit *a = units(37, 6, 7u, 1.0, &n);
		struct plan_unit *b = units(37, 6, 7u, 1.0, &m);
		long per[9] = { 0 };
		int ok = 1;

		plan_shards(a, n, 37, shards, 1);
		plan_shards(b, m, 37, shards, 1);
		for (i = 0; i < n; i++) {
			ok &= a[i].shard >= 0 && a[i].shard < shards;
			ok &= a[i].shard == b[i].shard;
			if (a[i].shard >= 0 && a[i].shard < shards)
				per[a[i].shard]++;
		}
		CHECK(ok);
		CHECK(plan_digest(a, n) == plan_digest(b, m));
		/* Every shard gets work when there is enough of it. */
		for (s = 0; s < shards; s++)
			CHECK(per[s] > 0);
		free(a);
		free(b);
	}
}

/* The largest shard is at most total / n plus the largest item; with
 * packages no item exceeds half a share unless it is one unit, so that is
 * at most 1.5 x max(total / n, the largest unit). */
static void test_balance(void)
{
	unsigned seed;

	for (seed = 1; seed <= 50; seed++) {
		size_t n, i;
		struct plan_unit *u = units(25, 4, seed, 0.0, &n);
		double load[4] = { 0 }, total = 0, big = 0, max = 0;
		int s;

		plan_shards(u, n, 25, 4, 1);
		for (i = 0; i < n; i++) {
			load[u[i].shard] += u[i].cost;
			total += u[i].cost;
			if (u[i].cost > big)
				big = u[i].cost;
		}
		for (s = 0; s < 4; s++)
			if (load[s] > max)
				max = load[s];
		CHECK(max <= 1.5 * (total / 4 > big ? total / 4 : big) + 1e-9);
		free(u);
	}
}

/* A build cost as large as the package's execution keeps the 2 cells of
 * each of 8 equal packages on one shard: 4 shards, 2 packages each. */
static void test_keeps_packages(void)
{
	struct plan_unit u[16];
	int p, c, ok = 1, load[4] = { 0 };

	for (p = 0; p < 8; p++)
		for (c = 0; c < 2; c++) {
			struct plan_unit *x = &u[p * 2 + c];

			memset(x, 0, sizeof(*x));
			x->pkg = p;
			x->cell = c;
			x->race = 0;
			x->cost = 1.0;
			x->build_cost = 1.0;
		}
	plan_shards(u, 16, 8, 4, 1);
	for (p = 0; p < 8; p++) {
		ok &= u[p * 2].shard == u[p * 2 + 1].shard;
		load[u[p * 2].shard]++;
	}
	CHECK(ok);
	CHECK(load[0] == 2 && load[1] == 2 && load[2] == 2 && load[3] == 2);
	/* One big package and nothing else: its cells are split after all
	 * when that balances better (each shard builds it once). */
	for (c = 0; c < 4; c++) {
		memset(&u[c], 0, sizeof(u[c]));
		u[c].pkg = 0;
		u[c].cell = c;
		u[c].cost = 10.0;
		u[c].build_cost = 1.0;
	}
	plan_shards(u, 4, 1, 4, 1);
	CHECK(u[0].shard != u[1].shard && u[1].shard != u[2].shard &&
	      u[0].shard != u[2].shard && u[3].shard != u[0].shard &&
	      u[3].shard != u[1].shard && u[3].shard != u[2].shard);
}

/* Spread: units of equal estimate are taken in turn, so each package's
 * units -- 2 packages x 2 cells x 3 executions -- land on every shard,
 * the same number per package on each (one heavy package cannot load one
 * shard), with duplicate (pkg, cell) units placed one by one. */
static void test_spread(void)
{
	struct plan_unit u[12];
	int p, c, k, i = 0, per[2][3] = { { 0 } }, ok = 1;

	for (p = 0; p < 2; p++)
		for (c = 0; c < 2; c++)
			for (k = 0; k < 3; k++, i++) {
				memset(&u[i], 0, sizeof(u[i]));
				u[i].pkg = p;
				u[i].cell = c;
				u[i].cost = 1.0;
				u[i].build_cost = 0.5;
			}
	plan_shards(u, 12, 2, 3, 0);
	for (i = 0; i < 12; i++) {
		ok &= u[i].shard >= 0 && u[i].shard < 3;
		if (ok)
			per[u[i].pkg][u[i].shard]++;
	}
	CHECK(ok);
	for (p = 0; p < 2; p++)
		CHECK(per[p][0] == 2 && per[p][1] == 2 && per[p][2] == 2);
}

static void test_count_tests(void)
{
	char path[] = "/tmp/test_plan_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int i;

	CHECK(f != NULL);
	if (!f)
		return;
	fputs("package p\n\nfunc TestA(t *testing.T) {}\n"
	      "func TestB(t *testing.T) {\n\t// func TestNotAtStart\n}\n"
	      "func FuzzC(f *testing.F) {}\nfunc ExampleD() {}\n"
	      "func BenchmarkE(b *testing.B) {}\nfunc helper() {}\n", f);
	/* A line longer than the reader's buffer holding the words later. */
	for (i = 0; i < 600; i++)
		fputc('x', f);
	fputs(" func TestNo\n", f);
	fclose(f);
	CHECK(plan_count_tests(path) == 4);
	unlink(path);
	CHECK(plan_count_tests("/nonexistent/x_test.go") == 0);
}

int main(void)
{
	test_exact_and_deterministic();
	test_balance();
	test_keeps_packages();
	test_spread();
	test_count_tests();
	return check_done("test_plan");
}
