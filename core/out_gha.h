/*
 * out_gha.h: GitHub Actions integration: workflow-command annotations
 * (::error / ::warning on the failing lines) and step outputs
 * ($GITHUB_OUTPUT).
 *
 * Invariants:
 *   - GitHub shows at most 10 error and 10 warning annotations per step,
 *     so annotations are chosen most important first: build errors, then
 *     failed tests, as errors; flaky tests as warnings; within each, tests
 *     that failed themselves before parents that failed only via a
 *     subtest, then higher failure counts first.
 *   - Every untrusted string is escaped by GitHub's rules (data: % CR LF;
 *     properties also : and ,), with control characters dropped and
 *     invalid UTF-8 replaced, so a test name or message can neither end
 *     the command early nor start a new one.
 *
 * Lifecycle: results_finish(&r); out_gha_annotations(&r, stdout, 10, 10);
 * out_gha_outputs(&r, path, getenv("GITHUB_OUTPUT"), &err).
 */
#ifndef CORE_OUT_GHA_H
#define CORE_OUT_GHA_H

#include <stdio.h>

#include "err.h"
#include "results.h"

/*
 * Writes to f (the step's stdout) one "::error" per package that did not
 * build and per failed test, and one "::warning" per flaky test, at most
 * max_errors / max_warnings (negative means 0), each at its failure's
 * file and line when known:
 *   ::warning file=pool/pool.go,line=42,title=flaky%3A TestGet (3/18
 *   failed%2C only under -race)::race: WARNING: DATA RACE%0Apackage: ...
 *   %0Arepro: go test ...
 * When some were left out, one more "::notice::" line (not counted
 * against either maximum) says how many.
 *
 * Returns the number of ::error and ::warning lines written (the notice
 * not included), or -1 when writing to f failed.
 */
int out_gha_annotations(const struct results *r, FILE *f, int max_errors,
			int max_warnings);

/*
 * Appends the step outputs flaky-count=N, failed-count=N and (when
 * results_path is not NULL) results-path=PATH to the file
 * github_output_path ($GITHUB_OUTPUT).  A value holding a newline is
 * written in the "name<<ghadelim_RANDOM" heredoc form, with a random
 * delimiter that does not occur in the value.
 *
 * Returns 0 on success (also, doing nothing, when github_output_path is
 * NULL or "": not running under Actions); -1 with err set when the file
 * cannot be opened or written.
 */
int out_gha_outputs(const struct results *r, const char *results_path,
		    const char *github_output_path, struct err *err);

#endif
