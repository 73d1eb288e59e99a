/*
 * report.h: the human report printed to the terminal at the end of a run.
 *
 * Layout, most important first:
 *   1. each failed, then each flaky test: verdict, name, package, k/n
 *      failed executions, per-cell breakdown, where, each distinct failure
 *      (kind, file:line, cells, signature, first lines of the message) and
 *      the repro command;
 *   2. one line "also failed via subtests: ..." for parents that failed
 *      only because a subtest did (their subtests are listed in 1);
 *   3. packages that did not build, with the first lines of the error;
 *   4. the totals line "N tests: F failed, K flaky, P passed, S skipped,
 *      R notrun — X executions in C cells, W s".
 *
 * Invariants: untrusted text (names, messages, output) is printed with
 * control characters removed (ESC included, so a test cannot drive the
 * terminal; tabs and the message's own line breaks are kept) and invalid
 * UTF-8 replaced by U+FFFD.  ANSI colour is emitted only when asked for.
 *
 * Lifecycle: results_finish(&r); report_terminal(&r, stderr, isatty(2)).
 */
#ifndef CORE_REPORT_H
#define CORE_REPORT_H

#include <stdio.h>

#include "results.h"

/*
 * Prints the report of r (finished) to f, with ANSI colours when color is
 * 1 (any other value: none).  Returns 0 on success, -1 when writing to f
 * failed (errno tells why).
 */
int report_terminal(const struct results *r, FILE *f, int color);

#endif
