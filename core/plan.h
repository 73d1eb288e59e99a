/*
 * plan.h: how the matrix's work is split and spent -- which (package,
 * cell) units a shard of a split run takes (--shard I/N), and the cost
 * model both use.
 *
 * A unit is one package in one cell: one test process per execution
 * batch, after the package's test binary for the cell's race setting is
 * built.  Units are the grain of a split: n jobs of one workflow run each
 * take a disjoint set of them, and together they take every unit once.
 *
 * Invariants of plan_shards():
 *   - Deterministic: the same units (order, costs) and n give the same
 *     assignment on every machine.  It reads nothing else: no clock, no
 *     history, no randomness -- so n jobs that each compute the plan for
 *     themselves agree without talking to each other.  (History differs
 *     between the jobs of a split run -- each restores its own cache --
 *     so a plan from history could run a unit twice and another never.)
 *   - Every unit gets exactly one shard in [0, n).
 *   - Balanced by cost, longest first (LPT): a package is placed whole
 *     (the cost of its units plus one build_cost per race setting it
 *     needs), so a shard builds each binary it runs once; a package
 *     holding more than half a shard's share of the total is placed unit
 *     by unit instead, each unit paying its own build.  Each item goes to
 *     the least loaded shard (the lowest of equals); items of equal cost
 *     are taken in (package, cell) order.  The largest shard is then at
 *     most total / n plus the largest item (Graham's bound).
 */
#ifndef CORE_PLAN_H
#define CORE_PLAN_H

#include <stddef.h>

/* The cost of a unit relative to the others (docs/SCALING.md): the
 * package's top-level tests (Test, Fuzz and Example functions in its test
 * files, at least 1), times PLAN_RACE_FACTOR under the race detector. */
#define PLAN_RACE_FACTOR 3.0

struct plan_unit {
	int pkg;		/* index into the caller's package list */
	int cell;		/* index into the results' cells */
	int race;		/* 0 or 1: which test binary it needs */
	double cost;		/* > 0 */
	double build_cost;	/* of its (pkg, race) binary, >= 0 */
	int shard;		/* OUT: 0 .. n - 1 */
};

/*
 * Assigns every unit of u[0..nunits) a shard of n (>= 1) as above.
 * npkgs bounds the pkg indexes.  whole_packages 0 places every unit by
 * itself (each paying its build): with few packages per shard a cost
 * estimate that misses one heavy package would load one shard with all
 * of it, while units of equal estimate taken in turn spread every
 * package over the shards.  Never fails (BUG on invalid input).
 */
void plan_shards(struct plan_unit *u, size_t nunits, size_t npkgs, int n,
		 int whole_packages);

/* Packages with tests per shard from which a split keeps packages whole
 * (below it, units are spread: see plan_shards()). */
#define PLAN_WHOLE_PACKAGES_PER_SHARD 4

/*
 * A digest of the assignment (FNV-1a over the (pkg, cell, shard)
 * triples in unit order), printed by each shard so that two jobs that
 * planned from different inputs (other packages, other cells) can be
 * told apart.
 */
unsigned long long plan_digest(const struct plan_unit *u, size_t nunits);

/*
 * The number of top-level test functions ("func Test", "func Fuzz",
 * "func Example" at the start of a line) in the file at path; 0 when it
 * cannot be read.
 */
long plan_count_tests(const char *path);

#endif
