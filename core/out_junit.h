/*
 * out_junit.h: the run's results as JUnit XML, for CI test-report viewers
 * (GitHub test reporters, Jenkins, GitLab, Buildkite).
 *
 * Shape (Maven Surefire's dialect, which the viewers read):
 *   <testsuites>
 *     <testsuite name="import/path" tests= failures= errors= skipped= time=>
 *       <testcase classname="import/path" name="TestX/sub" time=>
 *         failed:  <failure message= type="race">details</failure>
 *         flaky:   passes, with one <flakyFailure message= type=> per
 *                  distinct failure signature, naming every cell it
 *                  occurred in (<stackTrace>, <system-out> inside)
 *         skipped: <skipped/>; notrun: <skipped message="not run: ..."/>
 *         failed and flaky test cases end with <system-out>repro: CMD
 *       a package that did not build: a testcase "[build failed]" with
 *       <error type="build">
 *
 * Invariants: every string from the test streams is XML-escaped; control
 * characters XML 1.0 forbids or discourages (C0 but tab and LF, DEL, C1)
 * and invalid UTF-8 become U+FFFD, so the document is well-formed UTF-8
 * whatever the tests printed.  Suites are in import-path
 * order and test cases in name order, so the output is deterministic.
 *
 * Lifecycle: results_finish(&r); out_junit_write(&r, f, &err); fclose(f).
 */
#ifndef CORE_OUT_JUNIT_H
#define CORE_OUT_JUNIT_H

#include <stdio.h>

#include "err.h"
#include "results.h"

/*
 * Writes the JUnit XML document for r (finished) to f and flushes it.
 * Returns 0 on success, -1 with err set when writing failed (the file then
 * holds a partial document).  f stays open and owned by the caller.
 */
int out_junit_write(const struct results *r, FILE *f, struct err *err);

#endif
