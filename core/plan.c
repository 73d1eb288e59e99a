/*
 * plan.c: the split of the matrix's units over shards (see plan.h).
 */
#include "plan.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What LPT places: a whole package (all its units) or one unit. */
struct item {
	double cost;
	int pkg, cell;		/* cell -1: the whole package */
	size_t unit;		/* a single unit's index (cell >= 0) */
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

void plan_shards(struct plan_unit *u, size_t nunits, size_t npkgs, int n,
		 int whole_packages)
{
	double *group, total = 0.0, *load;
	unsigned char *builds;		/* [pkg][race] seen */
	struct item *items;
	size_t *first, *by_pkg;		/* units by package: counting sort */
	size_t i, k, nitems = 0;
	int s;

	if (n < 1)
		BUG("plan_shards: %d shards", n);
	for (i = 0; i < nunits; i++)
		if (u[i].pkg < 0 || (size_t)u[i].pkg >= npkgs ||
		    (u[i].race != 0 && u[i].race != 1) || !(u[i].cost > 0) ||
		    !(u[i].build_cost >= 0))
			BUG("plan_shards: bad unit %zu", i);
	group = xcalloc(npkgs + 1, sizeof(*group));
	builds = xcalloc(npkgs * 2 + 1, 1);
	load = xcalloc((size_t)n, sizeof(*load));
	items = xcalloc(nunits + npkgs + 1, sizeof(*items));
	first = xcalloc(npkgs + 2, sizeof(*first));
	by_pkg = xcalloc(nunits + 1, sizeof(*by_pkg));
	for (i = 0; i < nunits; i++)
		first[u[i].pkg + 1]++;
	for (k = 0; k < npkgs; k++)
		first[k + 1] += first[k];
	{
		size_t *fill = xcalloc(npkgs + 1, sizeof(*fill));

		for (i = 0; i < nunits; i++)
			by_pkg[first[u[i].pkg] + fill[u[i].pkg]++] = i;
		free(fill);
	}
	/* A package's cost: its units and each binary it builds, once. */
	for (i = 0; i < nunits; i++) {
		size_t slot = (size_t)u[i].pkg * 2 + (size_t)u[i].race;

		group[u[i].pkg] += u[i].cost;
		if (!builds[slot]) {
			builds[slot] = 1;
			group[u[i].pkg] += u[i].build_cost;
		}
	}
	for (k = 0; k < npkgs; k++)
		total += group[k];
	/* Packages stay whole (one build per binary) unless one holds more
	 * than half a shard's share: then its units are placed one by one,
	 * each paying for its own build. */
	for (k = 0; k < npkgs; k++) {
		if (group[k] <= 0.0)
			continue;
		if (n == 1 || (whole_packages && group[k] <= total / n / 2)) {
			items[nitems].cost = group[k];
			items[nitems].pkg = (int)k;
			items[nitems].cell = -1;
			items[nitems].unit = 0;
			nitems++;
			continue;
		}
		for (i = first[k]; i < first[k + 1]; i++) {
			const struct plan_unit *x = &u[by_pkg[i]];

			items[nitems].cost = x->cost + x->build_cost;
			items[nitems].pkg = (int)k;
			items[nitems].cell = x->cell;
			items[nitems].unit = by_pkg[i];
			nitems++;
		}
	}
	/* Longest first, each to the least loaded shard (the lowest of
	 * equals). */
	qsort(items, nitems, sizeof(*items), cmp_item);
	for (k = 0; k < nitems; k++) {
		int best = 0;

		for (s = 1; s < n; s++)
			if (load[s] < load[best])
				best = s;
		load[best] += items[k].cost;
		if (items[k].cell >= 0)
			u[items[k].unit].shard = best;
		else
			for (i = first[items[k].pkg]; i < first[items[k].pkg + 1];
			     i++)
				u[by_pkg[i]].shard = best;
	}
	free(first);
	free(by_pkg);
	free(group);
	free(builds);
	free(load);
	free(items);
}

unsigned long long plan_digest(const struct plan_unit *u, size_t nunits)
{
	unsigned long long h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < nunits; i++) {
		unsigned long long v[3];
		int k, b;

		v[0] = (unsigned long long)u[i].pkg;
		v[1] = (unsigned long long)u[i].cell;
		v[2] = (unsigned long long)u[i].shard;
		/* Byte by byte, low first: the same on every machine. */
		for (k = 0; k < 3; k++)
			for (b = 0; b < 8; b++) {
				h ^= (v[k] >> (8 * b)) & 0xff;
				h *= 1099511628211ULL;
			}
	}
	return h;
}

long plan_count_tests(const char *path)
{
	static const char *const heads[] = { "func Test", "func Fuzz",
					     "func Example" };
	FILE *f = fopen(path, "r");
	char line[512];
	long n = 0;
	int bol = 1;
	size_t k;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (bol)
			for (k = 0; k < sizeof(heads) / sizeof(heads[0]); k++)
				if (!strncmp(line, heads[k], strlen(heads[k]))) {
					n++;
					break;
				}
		/* A line longer than the buffer continues: not a start. */
		bol = len > 0 && line[len - 1] == '\n';
	}
	fclose(f);
	return n;
}
