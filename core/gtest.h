/*
 * gtest.h: the streaming aggregator -- turns one `go test -json` stream
 * (one process, one cell) into counts and failures in a struct results.
 *
 * It follows ../shared/test2json/SPEC.md: every `run` opens an attempt of a
 * (package, test); pass/fail/skip/bench close it (a result with no open
 * attempt still counts); the package's terminal event, or the end of the
 * stream, leaves the attempts still open "incomplete": failures (crash or
 * timeout) when the package failed or the process died, "unknown" in a
 * passing package.  Failures are analysed from the attempt's output as it
 * streams by: the last `file.go:N: msg` log block, panics and their first
 * user frame, `WARNING: DATA RACE` blocks and their two stacks, timeouts
 * and the frame of the test that was running.
 *
 * Memory is bounded by the number of attempts open at once: each keeps at
 * most GTEST_HEAD + 2 * GTEST_TAIL bytes of output and a GTEST_LINE_MAX
 * partial line; a stream line longer than GTEST_STREAM_LINE_MAX is
 * skipped (and counted), never buffered whole.
 *
 * Lifecycle:
 *   1. a = gtest_agg_new(&results, cell, flags, seed);
 *   2. gtest_agg_feed(a, bytes, n) with the stream in chunks of any size;
 *   3. gtest_agg_finish(a, exit_status, reason) once, at end of stream;
 *   4. read a->stats if wanted; gtest_agg_free(a).
 */
#ifndef CORE_GTEST_H
#define CORE_GTEST_H

#include "results.h"

#include <stddef.h>

#define GTEST_HEAD 1536
#define GTEST_TAIL 3072
#define GTEST_LINE_MAX 4096
#define GTEST_STREAM_LINE_MAX (4u << 20)

enum gtest_flags {
	GTEST_RERUN = 1 << 0,	/* an isolated rerun: counts go to rerun_* */
	/*
	 * The stream comes from `go tool test2json -p PKG BINARY` rather than
	 * `go test -json`.  Go <= 1.19's converter then ends a process that
	 * died without printing PASS/FAIL with a terminal event that carries
	 * the last test's name: a package end, not that test's result.  With
	 * this flag a stream's final test-level terminal event is read so.
	 */
	GTEST_DIRECT = 1 << 1,
	/*
	 * An isolated rerun of the package as a whole (its package-level
	 * failure, not chosen tests): only such reruns count for the
	 * package-level pseudo test (RESULTS_PACKAGE_TEST).
	 */
	GTEST_PKG_RERUN = 1 << 2,
};

struct gtest_stats {
	long long bytes;	/* stream bytes fed */
	long long lines;	/* lines seen */
	long long events;	/* lines that were JSON events */
	long long raw_lines;	/* lines that were not */
	long long overlong;	/* lines over GTEST_STREAM_LINE_MAX, skipped */
	long long incomplete;	/* attempts left without a result */
};

struct gtest_agg;

/*
 * Returns a new aggregator writing into r for cell index `cell`.  `seed`
 * is the -shuffle seed of the stream (0 none).  r->repo_root and the
 * packages' abs_dir, when set, make failure paths repo-relative.
 */
struct gtest_agg *gtest_agg_new(struct results *r, int cell, unsigned flags,
				long long seed);

/*
 * Names the package the stream's process tests (GTEST_DIRECT: one binary,
 * one package).  A process that fails without a single event -- the
 * converter could not start the binary -- then still fails that package,
 * and lines that are not events become its output.
 */
void gtest_agg_expect(struct gtest_agg *a, const char *package);

/* Feeds stream bytes; chunk boundaries may fall anywhere. */
void gtest_agg_feed(struct gtest_agg *a, const char *data, size_t len);

/*
 * 1 once the stream held the binary's closing line ("PASS" or "FAIL" at
 * package level): what is left is the process's exit, which under -race
 * waits a second by default (GORACE atexit_sleep_ms) on no CPU.  The
 * stream is still read to its end; this only tells a scheduler that the
 * process no longer needs a core.
 */
int gtest_agg_closing(const struct gtest_agg *a);

/*
 * 1 once the stream held a test's "run" event: the binary has started,
 * its package initialised and TestMain called m.Run.  What came before
 * is the process's start, paid once per process whatever its -count.
 */
int gtest_agg_running(const struct gtest_agg *a);

/*
 * The collector stopped the process at a hang limit of its own, set after
 * the process started (SIGQUIT, as go test does past -timeout; the
 * runtime prints every goroutine's stack): the tests still running when
 * the stream ends are timeouts, as after the binary's own "panic: test
 * timed out after".  msg: their failure's message, in that panic's words
 * ("test timed out after 1s ..."); copied.  A second call changes nothing.
 * Call before gtest_agg_finish().
 */
void gtest_agg_cut(struct gtest_agg *a, const char *msg);

/*
 * The collector stopped the process for want of time, not for anything
 * it did (a --budget round at its end, no hang in evidence; SIGKILL):
 * the executions it finished count as usual, those still running when
 * the stream ends count nowhere -- no result, no failure, not "unknown"
 * -- and the process's exit judges neither the package nor its tests.
 * Call before gtest_agg_finish().
 */
void gtest_agg_drop(struct gtest_agg *a);

/*
 * The executions of its package the stream has finished, as its first
 * top-level test counts them: that test's results so far (under
 * -count=N each of the N passes over the package starts with it,
 * -shuffle off).  0 before any.
 */
long long gtest_agg_done(const struct gtest_agg *a);

/*
 * Ends the stream.  exit_status is the process's: >= 0 an exit code,
 * 128 + N death by signal N, -1 unknown (analyze).  `reason`, when not
 * NULL, explains an abnormal end (e.g. "killed after the hard timeout")
 * and is used in crash messages.  Returns the stream's statistics.
 */
const struct gtest_stats *gtest_agg_finish(struct gtest_agg *a,
					   int exit_status,
					   const char *reason);

/* Frees a (NULL is a no-op). */
void gtest_agg_free(struct gtest_agg *a);

/*
 * Makes a path from test output repo-relative: absolute paths under
 * root are stripped of it, bare file names are joined to the package's
 * directory.  Returns a new string, or NULL for a path outside the repo
 * (Go's own sources).
 */
char *gtest_map_path(const struct results *r, const struct package *p,
		     const char *file, size_t len);

#endif
