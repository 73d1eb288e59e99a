/*
 * store_group.h: a merged run read back whole -- every upload (job,
 * shard) of one workflow run attempt, merged into one struct results, so
 * the PR comment covers all shards uploaded so far.
 */
#ifndef CORE_STORE_GROUP_H
#define CORE_STORE_GROUP_H

#include "results.h"
#include "store.h"

/*
 * Reads back every upload of run group group_id but upload except_run
 * (> 0: one the caller has in memory already) and merges them into r
 * (initialised by the caller, not finished; the caller merges its own and
 * finishes).  An upload recorded since schema 006 is read from its rows
 * (runs, cells, run_packages, results, verdicts, failures: what the PR
 * comment shows, not per-cell seconds or order counts); an older one, or
 * one whose rows were pruned, from the document stored with it
 * (store_add_run_ex()'s doc, or store_set_results_json()), and is skipped
 * when it has none.  Returns the number of uploads merged (0 when none),
 * or -1 with err set naming the upload (r must still be released).
 */
int store_group_results(struct store *s, long long group_id,
			long long except_run, struct results *r,
			struct err *err);

#endif
