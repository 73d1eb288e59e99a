/*
 * matrix.c: the matrix runner (see matrix.h).
 *
 * One event loop drives every child: builds (`go test -c`), cell runs and
 * reruns (`test2json -p PKG BINARY -test.*`).  Children's stdout arrives
 * on pipes polled together; each run's stream goes straight into its own
 * gtest aggregator, so nothing is ever held whole.  Single-threaded, so
 * the aggregators can share the results without locks; the only threads
 * are the optional CPU burners of --stress.
 */
#include "matrix.h"
#include "buf.h"
#include "bisect.h"
#include "changed.h"
#include "gtest.h"
#include "plan.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Like `go test`, kill a process that outlives its -test.timeout by this. */
#define HARD_TIMEOUT_GRACE_MS 60000
/* ... and one it stopped with SIGQUIT (limit_running()) that is still
 * there after this (a test that catches the signal). */
#define CUT_GRACE_MS 5000

enum job_kind { JOB_BUILD, JOB_RUN, JOB_RERUN, JOB_VERIFY };

struct mpkg {
	char *import_path;
	char *abs_dir;
	int has_tests;
	char *bin[2];		/* by race setting */
	int built[2];		/* 0 not yet, 1 ok, -1 failed */
	char *run[2];		/* -run pattern for this package (--skip) */
	int listed[2];
	long long took[2];	/* ms of the last finished run, 0 unknown */
	long ntests;		/* top-level test functions (plan cost) */
	int prior_flaky;	/* history: failed or flaked lately */
	int changed;		/* --changed-since touches it */
	long long prior_ms;	/* history: slowest execution, ms; 0 unknown */
	const struct cell_key *prior_cells;	/* history: where it failed */
	size_t nprior_cells;
};

struct job {
	enum job_kind kind;
	int pkg, race, cell;
	long long seed;
	char *pattern;		/* -test.run for reruns and verification */
	int count;
	int whole;		/* a rerun of the whole package (its own failure) */
	struct test *verify;	/* the test whose repro is verified */
	int state;		/* 0 waiting, 1 running, 2 done, 3 parked:
				 * a build its race's batch may do */
	int batch;		/* a build of every parked package of its
				 * race in one go command (batch_builds()) */
	int streaming;		/* ... handing binaries over as they link
				 * (batch_keeper()) */
	struct proc p;
	struct gtest_agg *agg;
	struct buf errout;
	long long started, deadline;
	int killed;
	int late_limit;		/* timeout_ms was set while it ran */
	int cut;		/* ... and it ran past it: SIGQUIT sent */
	int round;		/* a --budget round after the first pass: 1.. */
	long long timeout_ms;	/* -test.timeout; 0: the run's */
	long long est_ms;	/* a round's expected time to its closing
				 * line (the exit's linger_ms comes after) */
	long long closed_at;	/* when its closing line came (slots_busy()) */
	long long first_at;	/* when its first test began (struct
				 * unit_time) */
	long long last_out;	/* when its stream last said anything */
	int dropped;		/* a round's, stopped at the round's end with
				 * no hang in evidence (drop_job()) */
};

/*
 * A unit's processes split in two (what a budget round plans from): from
 * the start to the first test's run event -- test2json, exec, the
 * runtime, init, TestMain -- paid once per process, and from there to the
 * closing line, the tests' executions.  Only processes that were neither
 * killed nor timed out, and that printed both.
 */
struct unit_time {
	long long start_ms, run_ms;	/* sums over the processes */
	long long procs, execs;
};

struct mrun {
	struct results *r;
	const struct matrix_opts *o;
	char *tmpdir;
	char *test2json;	/* the converter's path (test2json_path()) */
	struct proc t2j;	/* `go tool -n test2json` while t2j_running */
	int t2j_running;
	char *tooldir;		/* GOTOOLDIR */
	char *goroot_bin;	/* $GOROOT/bin: go test puts it first in PATH */
	int go_minor;		/* 19 for go1.19.x; 0 unknown */
	struct mpkg *pkgs;
	size_t npkgs;
	struct job *jobs;
	size_t njobs, alloc_jobs;
	int running;
	int running_builds;
	int ncpu;
	long long linger_ms[2];	/* longest exit after the closing line, by
				 * race setting (the race runtime's sleep) */
	int max_runs;		/* test processes allowed at once now */
	long long cpu_idle, cpu_total, cpu_sampled;
	long long *cell_start, *cell_end;
	int *cell_left;
	int *cell_finished;	/* done, reported or waiting for earlier ones */
	int cells_done;
	int cells_shown;	/* cell lines print in cell order */
	int builds_total, builds_done;
	long long build_t0, last_build_line;
	size_t jobs_done, jobs_total;
	/* run_jobs() returns 1 when a slot freed and nothing waits while
	 * processes still run (a budget's first pass: more cells may fit) */
	int open_stage;
	long long t0;
	long long last_live;
	int live_shown;
	int trace;		/* FLAKE_TRACE set: a line per finished job */
	atomic_int stop;
	pthread_t *burners;
	int nburners;
	int *here;		/* [pkg * ncells + cell]: executions of the unit
				 * this shard runs (0: another's) */
	/* Per unit [pkg * ncells + cell]: wall ms and executions of its
	 * processes so far (what a budget round plans from). */
	long long *unit_ms, *unit_execs;
	/* The same over the processes that did not run into their timeout:
	 * what an execution usually takes (hang limits). */
	long long *unit_ok_ms, *unit_ok_execs;
	struct unit_time *unit_time;	/* per unit: those processes' start
					 * and run apart */
	long long deadline;	/* --budget: t0 + budget_ms; 0 none */
	long long round_end;	/* the deadline less the reserve for the
				 * reruns, as the last round was planned */
	/* Per cell: 1 once its first pass is planned (plan_runs()); under
	 * a budget cells enter the first pass as they fit (first_pass()),
	 * 2 for a cell that ran only the units plan_early() gave it. */
	unsigned char *planned;
	/* Per unit [pkg * ncells + cell]: 1 once its first-pass processes
	 * are planned (plan_unit()). */
	unsigned char *unit_planned;
	long long first_bin_at, last_bin_at;	/* the first and the latest
						 * test binary built */
	long long build_ms[2];	/* longest build, by race setting */
	int round;		/* the --budget round being planned */
	int reruns;		/* isolated reruns per suspect: o->rerun, fewer
				 * when a budget has no time for them */
	/* matrix_secret_env less o->pass_env: what every process it starts
	 * loses; plain: the options of its go and git commands. */
	const char **unset;
	struct proc_opts plain;
};

const char *const matrix_secret_env[] = {
	"GITHUB_TOKEN", "GH_TOKEN", "FLAKE_TOKEN", "FLAKE_GITHUB_TOKEN",
	"ACTIONS_RUNTIME_TOKEN", "ACTIONS_RUNTIME_URL",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL",
	"ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL", NULL
};


static int start_verify(struct mrun *m, struct job *j, struct err *err);
static long long hang_timeout(const struct mrun *m, const struct job *j);
static long long hang_limit(const struct mrun *m, int pkg, int race,
			    long long count);
static void free_jobs(struct mrun *m);
static int early_unit(const struct mrun *m, size_t *unit);
static int unit_here(const struct mrun *m, size_t p, size_t c);
static int first_execs(const struct mrun *m, size_t p, size_t c);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void matrix_opts_init(struct matrix_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->race = MATRIX_RACE_BOTH;
	o->gomaxprocs[0] = 1;
	o->gomaxprocs[1] = 2;
	o->gomaxprocs[2] = 4;
	o->ngomaxprocs = 3;
	o->count = 3;
	o->timeout_ms = 10 * 60 * 1000;
	o->rerun = 5;
	o->jobs = 0;
	o->go = "go";
}

/* ---- go env / go list --------------------------------------------------- */

static void chomp(struct buf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		buf_truncate(b, b->len - 1);
}

/* "go1.26.8", "go1.19", "devel go1.27-abcdef ..." -> 26, 19, 27; 0 unknown. */
static int go_minor_version(const char *v)
{
	const char *p = strstr(v, "go1.");
	long n;

	if (!p)
		return 0;
	n = strtol(p + 4, NULL, 10);
	return n > 0 && n < 1000 ? (int)n : 0;
}

/*
 * The test2json converter: since Go 1.24 the distribution no longer ships
 * it prebuilt in GOTOOLDIR, and `go tool -n test2json` builds it into the
 * build cache and prints its path (older Go prints the GOTOOLDIR path).
 * That go command takes ~0.1 s, so it starts here and is waited for only
 * when the first test process starts (test2json_path()), while the
 * binaries build.  A converter in GOTOOLDIR is used at once.
 */
static int find_test2json(struct mrun *m, const char *tooldir,
			  struct err *err)
{
	const char *argv[] = { m->o->go, "tool", "-n", "test2json", NULL };
	struct buf path = BUF_INIT(8192);

	if (!buf_addf(&path, "%s/test2json", tooldir) &&
	    access(path.data, X_OK) == 0) {
		m->test2json = buf_detach(&path, NULL);
		return 0;
	}
	m->tooldir = xstrdup(tooldir);
	buf_release(&path);
	if (proc_spawn(&m->t2j, argv, &m->plain, err))
		return -1;
	m->t2j_running = 1;
	return 0;
}

/* The converter's path, once find_test2json()'s go command has ended. */
static int test2json_path(struct mrun *m, struct err *err)
{
	struct buf out = BUF_INIT(8192), errout = BUF_INIT(8192);
	int rc;

	if (m->test2json)
		return 0;
	if (!m->t2j_running)
		return err_set(err, "cannot find Go's test2json");
	rc = proc_collect(&m->t2j, &out, &errout);
	m->t2j_running = 0;
	chomp(&out);
	if (rc == 0 && out.len && !memchr(out.data, '\n', out.len) &&
	    access(out.data, X_OK) == 0) {
		m->test2json = buf_detach(&out, NULL);
	} else {
		chomp(&errout);
		err_set(err, "cannot find Go's test2json ('%s tool -n test2json' "
			"failed: %s; none in %s)", m->o->go,
			errout.len ? buf_str(&errout) : "no output",
			m->tooldir ? m->tooldir : "GOTOOLDIR");
	}
	buf_release(&out);
	buf_release(&errout);
	return m->test2json ? 0 : -1;
}

static int go_env(struct mrun *m, struct err *err)
{
	const char *argv[] = { m->o->go, "env", "GOVERSION", "GOOS", "GOARCH",
			       "GOMOD", "GOTOOLDIR", "GOROOT", "GO111MODULE",
			       NULL };
	struct buf out = BUF_INIT(1 << 16), errout = BUF_INIT(4096);
	char *lines[7] = { 0 }, *p;
	int rc, i, ret = -1;

	if (!proc_in_path(m->o->go))
		return err_set(err, "'%s' not found on PATH: install Go (e.g. "
			       "actions/setup-go, or apt-get install golang-go)",
			       m->o->go);
	rc = proc_run(argv, &m->plain, &out, &errout, err);
	if (rc < 0)
		goto out;
	if (rc != 0) {
		chomp(&errout);
		err_set(err, "'%s env' failed: %s", m->o->go, buf_str(&errout));
		goto out;
	}
	p = out.data;
	for (i = 0; i < 7 && p; i++) {
		char *nl = strchr(p, '\n');

		lines[i] = p;
		if (nl)
			*nl++ = '\0';
		p = nl;
	}
	if (!lines[6]) {
		err_set(err, "unexpected output from '%s env'", m->o->go);
		goto out;
	}
	if (!strcmp(lines[6], "off")) {
		err_set(err, "GO111MODULE=off (GOPATH mode) is not supported: "
			"flake-collector runs Go modules; unset GO111MODULE or "
			"set GO111MODULE=on");
		goto out;
	}
	if (!*lines[3] || !strcmp(lines[3], "/dev/null") ||
	    !strcmp(lines[3], "NUL")) {
		char *cwd = getcwd(NULL, 0);

		err_set(err, "not in a Go module: no go.mod in '%s' or above "
			"(run flake-collector at the root of a Go module; "
			"GOPATH mode, GO111MODULE=off, is not supported)",
			cwd ? cwd : ".");
		free(cwd);
		goto out;
	}
	if (!m->r->meta.go_version)
		m->r->meta.go_version = xstrdup(lines[0]);
	if (!m->r->meta.goos)
		m->r->meta.goos = xstrdup(lines[1]);
	if (!m->r->meta.goarch)
		m->r->meta.goarch = xstrdup(lines[2]);
	m->go_minor = go_minor_version(lines[0]);
	if (*lines[5]) {
		struct buf gb = BUF_INIT(8192);

		if (!buf_addf(&gb, "%s/bin", lines[5]))
			m->goroot_bin = buf_detach(&gb, NULL);
		buf_release(&gb);
	}
	if (find_test2json(m, lines[4], err))
		goto out;
	if (!m->r->meta.module) {
		/* The module path: the history's repository when no
		 * GITHUB_REPOSITORY says otherwise. */
		FILE *f = fopen(lines[3], "r");
		char line[1024];

		while (f && fgets(line, sizeof(line), f)) {
			char *q = line, *e;

			while (*q == ' ' || *q == '\t')
				q++;
			if (strncmp(q, "module", 6) || (q[6] != ' ' && q[6] != '\t'))
				continue;
			q += 6;
			while (*q == ' ' || *q == '\t' || *q == '"')
				q++;
			e = q + strcspn(q, " \t\r\n\"/");
			while (*e == '/')
				e += 1 + strcspn(e + 1, " \t\r\n\"/");
			if (e > q)
				m->r->meta.module = xstrndup(q, (size_t)(e - q));
			break;
		}
		if (f)
			fclose(f);
	}
	ret = 0;
out:
	buf_release(&out);
	buf_release(&errout);
	return ret;
}

static void find_repo_root(struct mrun *m)
{
	const char *argv[] = { "git", "rev-parse", "--show-toplevel", NULL };
	struct buf out = BUF_INIT(8192);

	if (proc_run(argv, &m->plain, &out, NULL, NULL) == 0 && out.len) {
		chomp(&out);
		m->r->repo_root = buf_detach(&out, NULL);
	} else {
		m->r->repo_root = getcwd(NULL, 0);
	}
	buf_release(&out);
}

/*
 * The package directory relative to the working directory, for repro
 * commands the user runs where they ran the collector: both resolved the
 * same way (symlinks: `go list` reports the directory under $PWD, getcwd()
 * the physical one).  NULL when the package lies outside it: the repro
 * then names the import path.
 */
static char *rel_dir(const char *cwd, const char *abs)
{
	char *rc = realpath(cwd, NULL), *ra = realpath(abs, NULL), *ret = NULL;
	const char *c = rc ? rc : cwd, *a = ra ? ra : abs;
	size_t n = strlen(c);

	if (!strcmp(c, a))
		ret = xstrdup(".");
	else if (!strncmp(a, c, n) && (a[n] == '/' || (n == 1 && *c == '/')))
		ret = xstrdup(a + n + (n > 1));
	free(rc);
	free(ra);
	return ret;
}

/* The top-level tests in dir's test files (files: "a_test.go,b_test.go,"),
 * at least 1: the plan's cost of the package. */
static long count_tests(const char *dir, const char *files)
{
	struct buf path = BUF_INIT(1 << 16);
	long n = 0;

	while (*files) {
		size_t len = strcspn(files, ",");

		if (len) {
			buf_reset(&path);
			if (!buf_addf(&path, "%s/%.*s", dir, (int)len, files))
				n += plan_count_tests(buf_str(&path));
		}
		files += len;
		if (*files == ',')
			files++;
	}
	buf_release(&path);
	return n > 0 ? n : 1;
}

static int go_list(struct mrun *m, struct err *err)
{
	const char **argv;
	struct buf out = BUF_INIT(64u << 20), errout = BUF_INIT(16384);
	const char *const *pk = m->o->packages;
	static const char *const all[] = { "./...", NULL };
	size_t n = 0, i, alloc = 0;
	char *line, *cwd = getcwd(NULL, 0);
	int rc, ret = -1;

	if (!pk || !pk[0])
		pk = all;
	while (pk[n])
		n++;
	argv = xcalloc(n + 10, sizeof(*argv));
	i = 0;
	argv[i++] = m->o->go;
	argv[i++] = "list";
	argv[i++] = "-e";
	if (m->o->tags) {
		argv[i++] = "-tags";
		argv[i++] = m->o->tags;
	}
	argv[i++] = "-f";
	argv[i++] = "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t"
		    "{{len .XTestGoFiles}}\t{{join .TestGoFiles \",\"}},"
		    "{{join .XTestGoFiles \",\"}}";
	memcpy(&argv[i], pk, n * sizeof(*argv));
	rc = proc_run(argv, &m->plain, &out, &errout, err);
	if (rc < 0)
		goto out;
	if (rc != 0 || !out.len) {
		chomp(&errout);
		err_set(err, "'go list' found no packages to test: %s",
			errout.len ? buf_str(&errout) : "no output");
		goto out;
	}
	for (line = out.data; line && *line;) {
		char *nl = strchr(line, '\n'), *f[5];
		int k;

		if (nl)
			*nl = '\0';
		f[0] = line;
		for (k = 1; k < 5; k++) {
			f[k] = f[k - 1] ? strchr(f[k - 1], '\t') : NULL;
			if (f[k])
				*f[k]++ = '\0';
		}
		if (f[3]) {
			struct mpkg *p;
			struct package *rp;

			xgrow((void **)&m->pkgs, &alloc, m->npkgs + 1,
			      sizeof(*m->pkgs));
			p = &m->pkgs[m->npkgs++];
			memset(p, 0, sizeof(*p));
			p->import_path = xstrdup(f[0]);
			p->abs_dir = xstrdup(f[1]);
			p->has_tests = strcmp(f[2], "0") || strcmp(f[3], "0");
			if (p->has_tests && f[4])
				p->ntests = count_tests(f[1], f[4]);
			rp = results_package(m->r, f[0], 1);
			rp->abs_dir = xstrdup(f[1]);
			rp->dir = rel_dir(cwd ? cwd : "", f[1]);
			if (!p->has_tests)
				rp->status = PKG_NO_TESTS;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!m->npkgs) {
		err_set(err, "'go list' found no packages to test");
		goto out;
	}
	ret = 0;
out:
	free(argv);
	free(cwd);
	buf_release(&out);
	buf_release(&errout);
	return ret;
}

/* ---- jobs ---------------------------------------------------------------- */

static struct job *add_job(struct mrun *m, enum job_kind kind, int pkg,
			   int race, int cell)
{
	struct job *j;

	xgrow((void **)&m->jobs, &m->alloc_jobs, m->njobs + 1, sizeof(*m->jobs));
	j = &m->jobs[m->njobs++];
	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->pkg = pkg;
	j->race = race;
	j->cell = cell;
	j->p.out_fd = j->p.err_fd = -1;
	buf_init(&j->errout, 16384);
	return j;
}

static int is_test_flag(const char *a)
{
	return !strncmp(a, "-test.", 6) || !strncmp(a, "--test.", 7);
}

static long long random_seed(const struct mrun *m)
{
	static unsigned long long state, next;
	struct timespec ts;

	if (m->o->shuffle_seed > 0)
		return m->o->shuffle_seed + (long long)next++;

	if (!state) {
		clock_gettime(CLOCK_REALTIME, &ts);
		state = ((unsigned long long)ts.tv_nsec << 20) ^
			(unsigned long long)ts.tv_sec ^
			((unsigned long long)getpid() << 40);
	}
	/* xorshift64*: seeds only need to differ. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (long long)((state * 2685821657736338717ULL) >> 2) + 1;
}

/*
 * The file `go test -c -o DIR/` writes a package's test binary to: the
 * last element of its import path, or the one before a major version
 * ("example.com/m/v2" -> "m"), as cmd/go's DefaultExecName, + ".test".
 */
static void exec_name(const char *ip, struct buf *out)
{
	const char *e = strrchr(ip, '/'), *prev = NULL;
	size_t n;

	e = e ? e + 1 : ip;
	if (e != ip && e[0] == 'v' && e[1] >= '1' && e[1] <= '9' &&
	    strspn(e + 1, "0123456789") == strlen(e + 1) &&
	    strcmp(e, "v1")) {
		for (prev = e - 1; prev > ip && prev[-1] != '/'; prev--)
			;
		n = (size_t)(e - 1 - prev);
		e = prev;
	} else {
		n = strlen(e);
	}
	buf_reset(out);
	if (buf_add(out, e, n) || buf_adds(out, ".test"))
		BUG("exec name too long");
}

/* The directory a race setting's batch writes into. */
static char *batch_dir(const struct mrun *m, int race)
{
	struct buf b = BUF_INIT(8192);

	if (buf_addf(&b, "%s/b%d", m->tmpdir, race))
		BUG("temporary path too long");
	return buf_detach(&b, NULL);
}

/*
 * A batch build that hands over each test binary as soon as it is linked,
 * so that its runs start while the rest still build (as `go test ./...`
 * overlaps them): `go test -exec KEEPER -vet=off -count=1 pkgs...` builds
 * every package as `go test` does and, instead of running a binary, runs
 * KEEPER on it in the package's directory; KEEPER, a script written into
 * the batch directory, keeps the binary under its file name there -- a
 * hard link, else a copy, made under a dot name and renamed, so a name
 * that appears is a whole binary -- and exits 0.  The run loop picks the
 * names up (batch_collect()).  Sets keep to -exec's value and env to the
 * variable naming the directory; leaves them empty (the caller then uses
 * `go test -c -o DIR/`) when the script cannot be written, when its path
 * cannot be quoted for -exec, or when the user's flags name an -exec of
 * their own.
 */
static void batch_keeper(const struct mrun *m, const char *dir,
			 struct buf *keep, struct buf *env)
{
	static const char script[] =
		"#!/bin/sh\n"
		"# flake-collector's streaming batch build (core/matrix.c,\n"
		"# batch_keeper()): keeps the test binary go test just linked.\n"
		"b=${1##*/}\n"
		"t=\"$FLAKE_BATCH_DIR/.$b.part\"\n"
		"rm -f \"$t\"\n"
		"ln \"$1\" \"$t\" 2>/dev/null || cp \"$1\" \"$t\" || exit 1\n"
		"mv -f \"$t\" \"$FLAKE_BATCH_DIR/$b\"\n";
	struct buf path = BUF_INIT(8192);
	size_t k;
	FILE *f;
	int ok;

	buf_reset(keep);
	buf_reset(env);
	for (k = 0; m->o->extra && m->o->extra[k]; k++)
		if (!strncmp(m->o->extra[k], "-exec", 5) ||
		    !strncmp(m->o->extra[k], "--exec", 6))
			return;
	if (getenv("FLAKE_NO_STREAM_BUILD") || strchr(dir, '\'') ||
	    buf_addf(&path, "%s/.keep.sh", dir))
		goto out;
	f = fopen(buf_str(&path), "w");
	if (!f)
		goto out;
	ok = fputs(script, f) >= 0;
	ok &= fclose(f) == 0;
	if (!ok || chmod(buf_str(&path), 0700))
		goto out;
	/* cmd/go splits -exec's value into fields; quoted, the path is one. */
	if (buf_addf(keep, "'%s'", buf_str(&path)) ||
	    buf_addf(env, "FLAKE_BATCH_DIR=%s", dir)) {
		buf_reset(keep);
		buf_reset(env);
	}
out:
	buf_release(&path);
}

/*
 * The order a batch build names its packages in: cmd/go builds and links
 * them in that order (an action's priority is its place in a depth-first
 * walk from the roots), and each test process starts as soon as its
 * binary is linked.  Changed packages first (docs/BUDGET.md), then the
 * longest tests in the history, so that a package whose tests take half a
 * second runs while the rest still build instead of after them -- longest
 * processing time first, as start_ready() orders the runs -- then go
 * list's order.
 */
struct build_order {
	const char *path;
	int changed;
	long long ms;		/* the history's slowest execution; 0 none */
	size_t k;
};

static int cmp_build_order(const void *a, const void *b)
{
	const struct build_order *x = a, *y = b;

	if (x->changed != y->changed)
		return x->changed ? -1 : 1;
	if (x->ms != y->ms)
		return x->ms > y->ms ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static int start_build(struct mrun *m, struct job *j, struct err *err)
{
	struct mpkg *p = &m->pkgs[j->pkg];
	const char **argv;
	struct buf bin = BUF_INIT(8192), keep = BUF_INIT(8192),
		   env = BUF_INIT(8192);
	struct proc_opts po = { 0 };
	const char *envv[2] = { NULL, NULL };
	size_t i = 0, k, npark = 0;
	char *dir = NULL;
	int ldflags = 0, ret;

	for (k = 0; j->batch && k < m->njobs; k++)
		npark += m->jobs[k].state == 3 && m->jobs[k].race == j->race;
	argv = xcalloc(npark + 64, sizeof(*argv));
	if (j->batch) {
		dir = batch_dir(m, j->race);
		if (mkdir(dir, 0700) && errno != EEXIST) {
			ret = err_sys(err, "mkdir %s", dir);
			goto out;
		}
		if (buf_addf(&bin, "%s/", dir))
			BUG("temporary path too long");
		batch_keeper(m, dir, &keep, &env);
	} else {
		if (buf_addf(&bin, "%s/%zu%s.test", m->tmpdir, (size_t)j->pkg,
			     j->race ? "-race" : ""))
			BUG("temporary path too long");
		p->bin[j->race] = xstrdup(buf_str(&bin));
	}
	argv[i++] = m->o->go;
	argv[i++] = "test";
	if (keep.len) {
		/* Streaming: each binary as soon as it is linked. */
		j->streaming = 1;
		argv[i++] = "-exec";
		argv[i++] = buf_str(&keep);
		argv[i++] = "-vet=off";
		argv[i++] = "-count=1";
	} else {
		argv[i++] = "-c";
		argv[i++] = "-o";
		argv[i++] = buf_str(&bin);
	}
	if (j->race)
		argv[i++] = "-race";
	if (m->o->tags) {
		argv[i++] = "-tags";
		argv[i++] = m->o->tags;
	}
	for (k = 0; m->o->extra && m->o->extra[k] && i < 60; k++) {
		if (is_test_flag(m->o->extra[k]))
			continue;
		if (!strncmp(m->o->extra[k], "-ldflags", 8) ||
		    !strncmp(m->o->extra[k], "--ldflags", 9))
			ldflags = 1;
		argv[i++] = m->o->extra[k];
	}
	/* No symbol table or DWARF: a quarter less link time, and stack
	 * traces keep their file:line (they come from pclntab). */
	if (!ldflags)
		argv[i++] = "-ldflags=-s -w";
	if (j->batch) {
		struct build_order *bo = xcalloc(npark + 1, sizeof(*bo));
		size_t n = 0;

		for (k = 0; k < m->njobs; k++)
			if (m->jobs[k].state == 3 && m->jobs[k].race == j->race) {
				const struct mpkg *q = &m->pkgs[m->jobs[k].pkg];

				bo[n].path = q->import_path;
				bo[n].changed = q->changed;
				bo[n].ms = q->prior_ms;
				bo[n].k = n;
				n++;
			}
		qsort(bo, n, sizeof(*bo), cmp_build_order);
		if (m->trace)
			fprintf(stderr, "trace: %6.2f links first:",
				(double)(now_ms() - m->t0) / 1000.0);
		for (k = 0; k < n; k++) {
			argv[i++] = bo[k].path;
			if (m->trace)
				fprintf(stderr, " %s", bo[k].path);
		}
		if (m->trace)
			fputc('\n', stderr);
		free(bo);
	} else {
		argv[i++] = p->import_path;
	}
	argv[i] = NULL;
	po.merge_stderr = 1;
	po.new_pgrp = 1;
	po.unset = m->unset;
	envv[0] = env.len ? buf_str(&env) : NULL;
	po.env = env.len ? envv : NULL;
	ret = proc_spawn(&j->p, argv, &po, err);
out:
	buf_release(&bin);
	buf_release(&keep);
	buf_release(&env);
	free(dir);
	free(argv);
	return ret;
}

static void build_done(struct mrun *m);

/*
 * Each parked build of race setting `race` whose binary is in the batch
 * directory is done.  With `final` (the batch ended) the others -- a
 * package that did not build, or anything unexpected -- go back to their
 * own `go test -c`, whose output names the error exactly.
 */
static void batch_collect(struct mrun *m, int race, int final)
{
	struct buf path = BUF_INIT(8192), name = BUF_INIT(4096);
	char *dir = batch_dir(m, race);
	size_t k;

	for (k = 0; k < m->njobs; k++) {
		struct job *pj = &m->jobs[k];
		struct mpkg *p = &m->pkgs[pj->pkg];

		if (pj->state != 3 || pj->race != race)
			continue;
		exec_name(p->import_path, &name);
		buf_reset(&path);
		if (buf_addf(&path, "%s/%s", dir, buf_str(&name)))
			BUG("temporary path too long");
		if (access(buf_str(&path), X_OK)) {
			if (final)
				pj->state = 0;
			continue;
		}
		p->bin[race] = xstrdup(buf_str(&path));
		p->built[race] = 1;
		if (m->trace)
			fprintf(stderr, "trace: %6.2f linked %s%s\n",
				(double)(now_ms() - m->t0) / 1000.0,
				p->import_path, race ? " (race)" : "");
		pj->state = 2;
		m->jobs_done++;
		build_done(m);
	}
	buf_release(&path);
	buf_release(&name);
	free(dir);
}

/* Removes the batch directories and anything left in them. */
static void remove_batch_dirs(const struct mrun *m)
{
	struct buf f = BUF_INIT(8192);
	int race;

	for (race = 0; race < 2; race++) {
		char *dir = batch_dir(m, race);
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			buf_reset(&f);
			if (!buf_addf(&f, "%s/%s", dir, e->d_name))
				unlink(buf_str(&f));
		}
		if (d)
			closedir(d);
		rmdir(dir);
		free(dir);
	}
	buf_release(&f);
}

/*
 * Go 1.21+ builds the test binaries of several packages in one `go test
 * -c -o DIR/`: one go command loading the module once and building in
 * parallel, instead of one per package (docs/PERFORMANCE.md: the gate
 * preset's build went from 1.7 s to 0.8 s on 8 packages).  Per race
 * setting with two or more packages to build, unless two of them would
 * write the same file name: their builds are parked behind one batch
 * build (batch_collect()).  Older Go refuses -c with several packages.
 */
static void batch_builds(struct mrun *m)
{
	struct buf a = BUF_INIT(4096), b = BUF_INIT(4096);
	int race;

	if (m->go_minor < 21 || getenv("FLAKE_NO_BATCH_BUILD"))
		return;
	for (race = 0; race < 2; race++) {
		size_t i, k, n = 0, first = 0;
		int unique = 1;

		for (i = 0; i < m->njobs; i++) {
			const struct job *j = &m->jobs[i];

			if (j->kind != JOB_BUILD || j->race != race ||
			    j->state != 0)
				continue;
			if (!n++)
				first = i;
			exec_name(m->pkgs[j->pkg].import_path, &a);
			for (k = first; unique && k < i; k++) {
				const struct job *o = &m->jobs[k];

				if (o->kind != JOB_BUILD || o->race != race)
					continue;
				exec_name(m->pkgs[o->pkg].import_path, &b);
				unique = strcmp(buf_str(&a), buf_str(&b)) != 0;
			}
		}
		if (n < 2 || !unique)
			continue;
		for (i = 0; i < m->njobs; i++)
			if (m->jobs[i].kind == JOB_BUILD &&
			    m->jobs[i].race == race && m->jobs[i].state == 0)
				m->jobs[i].state = 3;
		add_job(m, JOB_BUILD, m->jobs[first].pkg, race, -1)->batch = 1;
	}
	buf_release(&a);
	buf_release(&b);
}

static void add_run_pattern_elem(struct buf *b, const char *s, size_t n)
{
	static const char special[] = "\\.+*?()|[]{}^$";
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(special, s[i]) && buf_addc(b, '\\'))
			BUG("pattern too long");
		if (buf_addc(b, s[i]))
			BUG("pattern too long");
	}
}

/*
 * Lists the package's top-level tests from its binary (-test.list), so a
 * test that a crash kept from ever running still gets a verdict (notrun),
 * and, for --skip on Go 1.19 (no -test.skip), builds the -run pattern of
 * the tests the ERE does not match.
 */
static void list_tests(struct mrun *m, int pkgi, int race)
{
	struct mpkg *p = &m->pkgs[pkgi];
	const char *argv[4], *env[2];
	struct buf out = BUF_INIT(8u << 20), pat = BUF_INIT(1u << 20);
	struct buf gorace = BUF_INIT(1u << 16);
	struct proc_opts po = { 0 };
	regex_t re;
	char *line;
	int first = 1, have_re = 0;
	const char *slash = m->o->run ? strchr(m->o->run, '/') : NULL;

	p->listed[race] = 1;
	if (m->o->skip) {
		if (regcomp(&re, m->o->skip, REG_EXTENDED | REG_NOSUB))
			return;
		have_re = 1;
	}
	argv[0] = p->bin[race];
	argv[1] = "-test.list";
	argv[2] = ".";
	argv[3] = NULL;
	if (m->o->run && !slash)
		argv[2] = m->o->run;
	po.dir = p->abs_dir;
	po.unset = m->unset;
	/* A race binary sleeps a second at exit (GORACE atexit_sleep_ms,
	 * for reports of goroutines still running); a listing has none to
	 * wait for, and the loop waits for it.  The user's GORACE comes
	 * first, so this one setting wins. */
	{
		const char *gr = getenv("GORACE");

		if (buf_addf(&gorace, "GORACE=%s%satexit_sleep_ms=0",
			     gr ? gr : "", gr && *gr ? " " : ""))
			goto out;
		env[0] = buf_str(&gorace);
		env[1] = NULL;
		po.env = env;
	}
	if (proc_run(argv, &po, &out, NULL, NULL) != 0)
		goto out;
	if (buf_adds(&pat, "^("))
		goto out;
	for (line = out.data; line && *line;) {
		char *nl = strchr(line, '\n');
		int skipped;

		if (nl)
			*nl = '\0';
		if (!*line || !(!strncmp(line, "Test", 4) ||
				!strncmp(line, "Example", 7) ||
				!strncmp(line, "Fuzz", 4)))
			goto next;
		skipped = have_re && regexec(&re, line, 0, NULL, 0) == 0;
		if (!skipped)
			results_test(m->r, p->import_path, line, 1);
		if (have_re && !skipped) {
			if (!first && buf_addc(&pat, '|'))
				goto out;
			add_run_pattern_elem(&pat, line, strlen(line));
			first = 0;
		}
next:
		line = nl ? nl + 1 : NULL;
	}
	if (!have_re)
		goto out;
	if (first) {
		/* Everything skipped: run nothing. */
		p->run[race] = xstrdup("^$");
		goto out;
	}
	if (buf_adds(&pat, ")$") || (slash && buf_adds(&pat, slash)))
		goto out;
	p->run[race] = buf_detach(&pat, NULL);
out:
	if (have_re)
		regfree(&re);
	buf_release(&out);
	buf_release(&pat);
	buf_release(&gorace);
}

/*
 * The environment go test gives a test binary (cmd/go/internal/test:
 * AppendPATH, AppendPWD): $GOROOT/bin first in PATH, and PWD the package
 * directory it runs in; plus the cell's GOMAXPROCS.  env has room for 4;
 * its strings live in gmp, pwd and path.  Sets po's environment, the
 * names it removes (the runner's tokens), the directory and the process
 * group.
 */
static void test_env(const struct mrun *m, const struct mpkg *p,
		     const struct cell *c, const char **env, char *gmp,
		     size_t gmp_size, struct buf *pwd, struct buf *path,
		     struct proc_opts *po)
{
	size_t e = 0;

	po->env = env;
	po->unset = m->unset;
	po->dir = p->abs_dir;
	po->new_pgrp = 1;

	if (c->gomaxprocs > 0) {
		snprintf(gmp, gmp_size, "GOMAXPROCS=%d", c->gomaxprocs);
		env[e++] = gmp;
	}
	if (!buf_addf(pwd, "PWD=%s", p->abs_dir))
		env[e++] = pwd->data;
	if (m->goroot_bin) {
		const char *old = getenv("PATH");

		if (!buf_addf(path, "PATH=%s%s%s", m->goroot_bin,
			      old && *old ? ":" : "", old ? old : ""))
			env[e++] = path->data;
	}
	env[e] = NULL;
}

static int start_test(struct mrun *m, struct job *j, struct err *err)
{
	struct mpkg *p = &m->pkgs[j->pkg];
	const struct cell *c = &m->r->cells[j->cell];
	const char *argv[80], *env[4];
	char count[32], timeout[48], shuffle[48], gmp[32];
	struct buf run = BUF_INIT(1u << 20), pwd = BUF_INIT(1u << 16),
		   path = BUF_INIT(1u << 20);
	struct proc_opts po = { 0 };
	const char *pattern;
	size_t i = 0, k;
	unsigned flags = GTEST_DIRECT;
	int ret;

	if (test2json_path(m, err))
		return -1;
	/* --skip needs the list first (its -run pattern); otherwise it is
	 * read only once a process of the package died (finish_job()). */
	if (!p->listed[j->race] && m->o->skip)
		list_tests(m, j->pkg, j->race);
	pattern = j->pattern ? j->pattern :
		  p->run[j->race] ? p->run[j->race] : m->o->run;
	if (j->pattern && !*j->pattern)
		pattern = NULL;
	argv[i++] = m->test2json;
	argv[i++] = "-t";
	argv[i++] = "-p";
	argv[i++] = p->import_path;
	argv[i++] = p->bin[j->race];
	/* As go test -json: since Go 1.20 the binary frames its own output
	 * (^V) for the converter, so test output cannot forge events. */
	argv[i++] = m->go_minor >= 20 || !m->go_minor ? "-test.v=test2json" :
		    "-test.v=true";
	argv[i++] = "-test.paniconexit0";
	snprintf(count, sizeof(count), "-test.count=%d", j->count);
	argv[i++] = count;
	snprintf(timeout, sizeof(timeout), "-test.timeout=%lldms",
		 j->timeout_ms > 0 ? j->timeout_ms : m->o->timeout_ms);
	argv[i++] = timeout;
	if (pattern) {
		if (buf_addf(&run, "-test.run=%s", pattern))
			return err_set(err, "-run pattern too long");
		argv[i++] = run.data;
	}
	if (j->seed) {
		snprintf(shuffle, sizeof(shuffle), "-test.shuffle=%lld", j->seed);
		argv[i++] = shuffle;
	}
	for (k = 0; m->o->extra && m->o->extra[k] && i < 76; k++)
		if (is_test_flag(m->o->extra[k]))
			argv[i++] = m->o->extra[k];
	argv[i] = NULL;
	test_env(m, p, c, env, gmp, sizeof(gmp), &pwd, &path, &po);
	if (j->kind == JOB_RERUN)
		flags |= GTEST_RERUN;
	if (j->whole)
		flags |= GTEST_PKG_RERUN;
	ret = proc_spawn(&j->p, argv, &po, err);
	if (!ret) {
		j->agg = gtest_agg_new(m->r, j->cell, flags, j->seed);
		gtest_agg_expect(j->agg, p->import_path);
	}
	buf_release(&run);
	buf_release(&pwd);
	buf_release(&path);
	return ret;
}

static int job_ready(const struct mrun *m, const struct job *j)
{
	if (j->kind == JOB_BUILD)
		return 1;
	return m->pkgs[j->pkg].built[j->race] != 0;
}

static void clear_live(struct mrun *m)
{
	if (m->live_shown && m->o->progress) {
		fputs("\r\033[K", m->o->progress);
		m->live_shown = 0;
	}
}

static void show_cell(struct mrun *m, int cell)
{
	const struct cell *c = &m->r->cells[cell];
	size_t i, nc = m->r->ncells;
	int failing = 0, tests = 0, ran = 0, all = 0;
	char part[96] = "";

	for (i = 0; i < m->r->ntests; i++) {
		struct test *t = m->r->tests[i];
		size_t k;

		for (k = 0; k < t->ncells; k++) {
			if (t->cells[k].cell != cell)
				continue;
			tests++;
			failing += t->cells[k].failures > 0;
		}
	}
	for (i = 0; m->planned[cell] == 2 && i < m->npkgs; i++) {
		if (!m->pkgs[i].has_tests || !unit_here(m, i, (size_t)cell))
			continue;
		all++;
		ran += m->unit_planned[i * nc + (size_t)cell];
	}
	if (m->planned[cell] == 2)
		snprintf(part, sizeof(part), "; %d of %d packages, the rest "
			 "did not fit in the budget", ran, all);
	clear_live(m);
	fprintf(m->o->progress, "flake-collector: cell %d/%zu %-24s %5d tests, "
		"%d with failures, %.1fs%s\n", cell + 1, m->r->ncells,
		c->name, tests, failing,
		(double)(m->cell_end[cell] - m->cell_start[cell]) / 1000.0, part);
	fflush(m->o->progress);
}

/* Cells finish in any order; their lines print in the matrix's order. */
static void cell_done(struct mrun *m, int cell)
{
	m->cells_done++;
	m->cell_finished[cell] = 1;
	while (m->cells_shown < (int)m->r->ncells &&
	       m->cell_finished[m->cells_shown]) {
		if (m->o->progress && m->planned[m->cells_shown])
			show_cell(m, m->cells_shown);
		m->cells_shown++;
	}
}

/* The build phase: binaries built of total, and when the rest will be. */
static void build_done(struct mrun *m)
{
	long long t = now_ms(), el = t - m->build_t0;

	m->builds_done++;
	if (!m->first_bin_at)
		m->first_bin_at = t;
	m->last_bin_at = t;
	if (!m->o->progress || m->o->tty ||
	    (m->builds_done < m->builds_total && t - m->last_build_line < 5000))
		return;
	m->last_build_line = t;
	fprintf(m->o->progress, "flake-collector: built %d/%d test binaries, "
		"%.1fs", m->builds_done, m->builds_total, (double)el / 1000.0);
	if (m->builds_done < m->builds_total && m->builds_done > 0) {
		long long left = el * (m->builds_total - m->builds_done) /
				 m->builds_done / 1000;

		fprintf(m->o->progress, ", ETA %lld:%02lld", left / 60,
			left % 60);
	}
	fputc('\n', m->o->progress);
	fflush(m->o->progress);
}

/* Did a process of package pkg die in cell, before its tests were done? */
static int pkg_crashed(struct mrun *m, int pkg, int cell)
{
	const struct package *rp = results_package(m->r,
						   m->pkgs[pkg].import_path, 0);
	size_t i;

	for (i = 0; rp && i < rp->ncells; i++)
		if (rp->cells[i].cell == cell && rp->cells[i].crashed)
			return 1;
	return 0;
}

static void finish_job(struct mrun *m, struct job *j)
{
	int status = proc_wait(&j->p);
	long long t = now_ms(), busy, done = 0;

	j->state = 2;
	m->running--;
	m->jobs_done++;
	if (m->trace)
		fprintf(stderr, "trace: %6.2f %6.2f %-6s %-24s %s%s%.0d\n",
			(double)(j->started - m->t0) / 1000.0,
			(double)(t - j->started) / 1000.0,
			j->kind == JOB_BUILD ? (j->streaming ? "stream" :
						j->batch ? "batch" : "build") :
			j->kind == JOB_RUN ? (j->round ? "round" : "run") :
			j->kind == JOB_RERUN ? "rerun" : "verify",
			j->cell >= 0 ? m->r->cells[j->cell].name :
			j->race ? "race" : "", m->pkgs[j->pkg].import_path,
			j->kind == JOB_BUILD ? "" : " -count=",
			j->kind == JOB_BUILD ? 0 : j->count);
	if (j->kind == JOB_BUILD && t - j->started > m->build_ms[j->race])
		m->build_ms[j->race] = t - j->started;
	if (j->kind == JOB_BUILD && j->batch) {
		m->running_builds--;
		batch_collect(m, j->race, 1);
	} else if (j->kind == JOB_BUILD) {
		struct mpkg *p = &m->pkgs[j->pkg];

		m->running_builds--;
		p->built[j->race] = status == 0 ? 1 : -1;
		build_done(m);
		if (status != 0) {
			struct package *rp = results_package(m->r, p->import_path, 1);

			rp->status = PKG_BUILD_FAILED;
			if (!rp->error) {
				chomp(&j->errout);
				rp->error = xstrdup(j->errout.len ?
						    buf_str(&j->errout) :
						    "go test -c failed");
			}
		}
	} else if (j->kind == JOB_VERIFY) {
		/* Killed at the bound: no verdict. */
		if (!j->killed) {
			j->verify->verify_runs = 1;
			j->verify->verify_fails = status != 0;
		}
	} else {
		/* test2json's own stderr: why it could not run the binary. */
		if (status != 0 && j->errout.len) {
			gtest_agg_feed(j->agg, j->errout.data, j->errout.len);
			if (j->errout.data[j->errout.len - 1] != '\n')
				gtest_agg_feed(j->agg, "\n", 1);
		}
		gtest_agg_finish(j->agg, status, j->killed ?
				 "killed: it outlived -timeout by a minute" : NULL);
		done = gtest_agg_done(j->agg);
		gtest_agg_free(j->agg);
		j->agg = NULL;
		/* A process died: the tests it kept from running get a
		 * verdict (notrun) from the binary's list of them. */
		if (j->kind == JOB_RUN && !m->pkgs[j->pkg].listed[j->race] &&
		    pkg_crashed(m, j->pkg, j->cell))
			list_tests(m, j->pkg, j->race);
		/* The time it held a slot: to its closing line; the exit
		 * after it (-race sleeps) is kept apart, for deadlines. */
		busy = j->closed_at ? j->closed_at - j->started : t - j->started;
		if (j->closed_at && t - j->closed_at > m->linger_ms[j->race])
			m->linger_ms[j->race] = t - j->closed_at;
		if (j->count > 0 && !j->dropped)
			m->pkgs[j->pkg].took[j->race] = busy * m->o->count /
							j->count + 1;
		if (j->kind == JOB_RUN) {
			size_t u = (size_t)j->pkg * m->r->ncells + (size_t)j->cell;

			/* A dropped one's time says nothing of what an
			 * execution costs. */
			if (!j->dropped) {
				m->unit_ms[u] += busy;
				m->unit_execs[u] += j->count;
			}
			/* Not killed, and ended before its -test.timeout. */
			if (!j->killed && busy + 100 < (j->timeout_ms > 0 ?
			    j->timeout_ms : m->o->timeout_ms)) {
				m->unit_ok_ms[u] += busy;
				m->unit_ok_execs[u] += j->count;
				if (j->first_at && j->closed_at >= j->first_at) {
					struct unit_time *ut = &m->unit_time[u];

					ut->start_ms += j->first_at - j->started;
					ut->run_ms += j->closed_at - j->first_at;
					ut->procs++;
					ut->execs += j->count;
				}
			}
			/* Executions counted: those that ran (a dropped
			 * one's, those it finished). */
			if (j->round) {
				m->r->budget.extra_processes++;
				m->r->budget.extra_counts += j->dropped ? done :
							     j->count;
			}
			if (m->cell_end[j->cell] < t)
				m->cell_end[j->cell] = t;
			if (!j->round && --m->cell_left[j->cell] == 0 &&
			    m->planned[j->cell])
				cell_done(m, j->cell);
		}
	}
	buf_release(&j->errout);
}

/* A build that failed makes its runs pointless: they are done. */
static void drop_unbuildable(struct mrun *m, struct job *j)
{
	j->state = 2;
	m->jobs_done++;
	if (j->kind == JOB_RUN && !j->round && --m->cell_left[j->cell] == 0 &&
	    m->planned[j->cell])
		cell_done(m, j->cell);
}

static void show_live(struct mrun *m)
{
	long long t = now_ms(), el = t - m->t0;
	char eta[32] = "";

	if (!m->o->progress || !m->o->tty || t - m->last_live < 250)
		return;
	m->last_live = t;
	if (m->jobs_done > 0 && m->jobs_done < m->jobs_total) {
		long long left = el * (long long)(m->jobs_total - m->jobs_done) /
				 (long long)m->jobs_done / 1000;

		snprintf(eta, sizeof(eta), ", ETA %lld:%02lld", left / 60,
			 left % 60);
	}
	if (m->builds_done < m->builds_total)
		fprintf(m->o->progress, "\r\033[K  building %d/%d test "
			"binaries, %zu/%zu processes, %lld s%s",
			m->builds_done, m->builds_total, m->jobs_done,
			m->jobs_total, el / 1000, eta);
	else
		fprintf(m->o->progress, "\r\033[K  %zu/%zu processes, %d/%zu "
			"cells, %lld s%s", m->jobs_done, m->jobs_total,
			m->cells_done, m->r->ncells, el / 1000, eta);
	fflush(m->o->progress);
	m->live_shown = 1;
}

/*
 * With --jobs unset the number of test processes adapts: at least one per
 * CPU, and one more (up to two per CPU) whenever at least half a CPU sat
 * idle over the last sample -- test suites that sleep, wait on timers or
 * on the network leave cores idle that another cell can use.
 */
static void adapt_jobs(struct mrun *m)
{
	unsigned long long v[10] = { 0 }, idle, total = 0;
	long long t = now_ms();
	FILE *f;
	int i, n;
	double idle_cpus;

	if (m->o->jobs > 0) {
		m->max_runs = m->o->jobs;
		return;
	}
	if (t - m->cpu_sampled < 200)
		return;
	f = fopen("/proc/stat", "r");
	if (!f)
		return;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 5)
		return;
	for (i = 0; i < n; i++)
		total += v[i];
	idle = v[3] + v[4];
	if (m->cpu_sampled && total > (unsigned long long)m->cpu_total) {
		idle_cpus = (double)m->ncpu * (double)(idle - (unsigned long long)m->cpu_idle) /
			    (double)(total - (unsigned long long)m->cpu_total);
		if (idle_cpus >= 0.5 && m->running - m->running_builds >= m->max_runs &&
		    m->max_runs < 2 * m->ncpu)
			m->max_runs++;
		else if (idle_cpus < 0.25 && m->max_runs > m->ncpu)
			m->max_runs--;
	}
	m->cpu_idle = (long long)idle;
	m->cpu_total = (long long)total;
	m->cpu_sampled = t;
}

/*
 * How long a test process of (pkg, race) is expected to take: the last
 * one's time; else the other race setting's, scaled by the race
 * detector's usual cost; else "long", so unknown packages go early and
 * are measured.
 */
static long long estimate(const struct mrun *m, const struct job *j)
{
	const struct mpkg *p = &m->pkgs[j->pkg];

	if (p->took[j->race])
		return p->took[j->race];
	if (p->took[!j->race])
		return j->race ? p->took[0] * 8 : p->took[1] / 8 + 1;
	return j->race ? 1000000000LL : 500000000LL;
}

/*
 * Test processes holding a slot: those running, less those past their
 * closing line (gtest_agg_closing(): under -race the runtime then sleeps
 * a second before exiting, on no CPU).  Such a process is still read to
 * its end and judged as any other; at most 3 slots' worth are let go,
 * so lingering processes stay bounded.
 */
static int slots_busy(const struct mrun *m)
{
	int n = 0, closing = 0;
	size_t i;

	for (i = 0; i < m->njobs; i++) {
		const struct job *j = &m->jobs[i];

		if (j->state != 1 || j->kind == JOB_BUILD)
			continue;
		n++;
		closing += j->closed_at != 0;
	}
	if (closing > 3 * m->max_runs)
		closing = 3 * m->max_runs;
	return n - closing;
}

/*
 * Starts waiting jobs while there is room.  Builds (go test -c spends much
 * of its time in the go command, not on a CPU) get their own `jobs` slots
 * beside the runs', so runs of built packages start while the rest build.
 * Among runs, the longest expected goes first (longest-processing-time
 * scheduling), so no long process starts last and leaves a core idle.
 */
static int start_ready(struct mrun *m, struct err *err)
{
	for (;;) {
		struct job *best = NULL;
		long long best_est = -1;
		int busy = slots_busy(m);
		size_t i;

		for (i = 0; i < m->njobs; i++) {
			struct job *j = &m->jobs[i];

			if (j->state != 0)
				continue;
			if (j->kind == JOB_BUILD) {
				if (m->running_builds >= 2 * m->ncpu)
					continue;
				/* Race binaries first: their runs are longest. */
				if (!best || best->kind != JOB_BUILD ||
				    (j->race && !best->race))
					best = j;
				continue;
			}
			if (!job_ready(m, j))
				continue;
			if (m->pkgs[j->pkg].built[j->race] < 0) {
				drop_unbuildable(m, j);
				continue;
			}
			if (busy >= m->max_runs ||
			    (best && best->kind == JOB_BUILD))
				continue;
			/* A budget round's process that would exit past
			 * the round's end (the deadline less the reserve for
			 * the reruns) is not started: no time for it. */
			if (j->round && m->round_end &&
			    now_ms() + j->est_ms + m->linger_ms[j->race] >
			    m->round_end) {
				j->state = 2;
				m->jobs_done++;
				m->r->budget.dropped_processes++;
				continue;
			}
			/* Changed packages first, then the longest. */
			if (!best || best->kind == JOB_BUILD ||
			    m->pkgs[j->pkg].changed > m->pkgs[best->pkg].changed ||
			    (m->pkgs[j->pkg].changed == m->pkgs[best->pkg].changed &&
			     estimate(m, j) > best_est)) {
				best = j;
				best_est = estimate(m, j);
			}
		}
		if (!best)
			return 0;
		best->started = now_ms();
		/* Hang detection from what is known now (matrix.h). */
		if ((best->kind == JOB_RUN || best->kind == JOB_RERUN) &&
		    (best->timeout_ms = hang_timeout(m, best)) > 0)
			m->r->budget.hang_limited++;
		if (best->kind == JOB_BUILD ? start_build(m, best, err) :
		    best->kind == JOB_VERIFY ? start_verify(m, best, err) :
		    start_test(m, best, err))
			return -1;
		if (best->kind == JOB_BUILD) {
			m->running_builds++;
		} else {
			best->deadline = best->started + (best->timeout_ms > 0 ?
					 best->timeout_ms : m->o->timeout_ms) +
					 HARD_TIMEOUT_GRACE_MS;
			if (best->kind == JOB_RUN &&
			    (!m->cell_start[best->cell] ||
			     best->started < m->cell_start[best->cell]))
				m->cell_start[best->cell] = best->started;
		}
		best->state = 1;
		m->running++;
	}
}

/* ms as Go prints a time.Duration ("1s", "1.5s", "2m30s", "1h0m0s"). */
static void go_duration(char *out, size_t size, long long ms)
{
	long long h = ms / 3600000, mi = ms / 60000 % 60, s = ms / 1000 % 60,
		  frac = ms % 1000;
	char sec[16];
	int n = snprintf(sec, sizeof(sec), "%lld", s);

	if (frac) {
		n += snprintf(sec + n, sizeof(sec) - (size_t)n, ".%03lld", frac);
		while (sec[n - 1] == '0')
			sec[--n] = '\0';
	}
	if (h)
		snprintf(out, size, "%lldh%lldm%ss", h, mi, sec);
	else if (mi)
		snprintf(out, size, "%lldm%ss", mi, sec);
	else
		snprintf(out, size, "%ss", sec);
}

/*
 * Stops running test process j as go test stops a binary past -timeout:
 * its running tests become timeouts with message msg (gtest_agg_cut()),
 * then SIGQUIT, and a kill CUT_GRACE_MS later if it is still there.
 */
static void cut_job(struct job *j, const char *msg, long long now)
{
	gtest_agg_cut(j->agg, msg);
	proc_kill(&j->p, SIGQUIT);
	j->cut = 1;
	j->deadline = now + CUT_GRACE_MS;
}

/*
 * Under --budget, a test process whose package nothing has timed yet may
 * run for the whole budget, never longer (matrix.h, "Hang detection"):
 * past it, it is stopped as go test -timeout=BUDGET would stop it (its
 * running tests are timeouts, the message says why), so that a hang in
 * the first pass costs at most the budget, not --timeout.
 */
static void budget_cut(struct mrun *m, struct job *j, long long now)
{
	char msg[300], lim[48];

	if (m->o->budget_ms <= 0 || m->o->budget_ms >= m->o->timeout_ms ||
	    now - j->started < m->o->budget_ms)
		return;
	go_duration(lim, sizeof(lim), m->o->budget_ms);
	snprintf(msg, sizeof(msg), "test timed out after %s\nstopped by "
		 "flake-collector (SIGQUIT): it ran for the whole --budget "
		 "before anything timed its package; a test that needs longer "
		 "cannot fit in the budget", lim);
	cut_job(j, msg, now);
	m->r->budget.budget_cut++;
}

/*
 * A test process started before anything timed its package -- the first
 * pass starts a package's cells side by side, with only --timeout -- gets
 * its hang limit (hang_timeout()) once another cell's process of the
 * package has finished; past it, it is stopped as go test stops a binary
 * that outlived -timeout: SIGQUIT, on which the Go runtime prints every
 * goroutine's stack and exits, and the tests it was running are timeouts
 * (gtest_agg_cut()).  test2json ignores SIGQUIT (Go 1.20+); an older one
 * dies with the binary, and the stack may be lost, not the verdict.  A
 * process that printed its closing line is not cut: it is only exiting.
 */
static void limit_running(struct mrun *m, struct job *j)
{
	long long now = now_ms(), quiet;
	char msg[300], lim[48];

	if ((j->kind != JOB_RUN && j->kind != JOB_RERUN) || !j->agg ||
	    j->killed || j->cut || j->closed_at)
		return;
	/* Its tests began and then nothing for longer than a process of
	 * one execution may take: the test running hangs, however many
	 * executions are left (a round's process runs hundreds). */
	if (j->first_at && (quiet = hang_limit(m, j->pkg, j->race, 1)) > 0 &&
	    now - (j->last_out > j->first_at ? j->last_out : j->first_at) >
	    quiet) {
		go_duration(lim, sizeof(lim), quiet);
		snprintf(msg, sizeof(msg), "test timed out after %s\nstopped "
			 "by flake-collector (SIGQUIT): its test was silent for "
			 "%dx its package's usual time per execution",
			 lim, MATRIX_HANG_FACTOR);
		cut_job(j, msg, now);
		m->r->budget.hang_silent++;
		return;
	}
	if (!j->timeout_ms) {
		/* O(cells): cheap beside the poll loop that calls it. */
		if (!(j->timeout_ms = hang_timeout(m, j))) {
			budget_cut(m, j, now);
			return;
		}
		j->late_limit = 1;
		m->r->budget.hang_limited++;
	}
	if (!j->late_limit || now - j->started < j->timeout_ms)
		return;
	/* The first line, the signature's, as the binary's own panic. */
	go_duration(lim, sizeof(lim), j->timeout_ms);
	snprintf(msg, sizeof(msg), "test timed out after %s\nstopped by "
		 "flake-collector (SIGQUIT) at %dx its package's time in "
		 "another cell", lim, MATRIX_HANG_FACTOR);
	cut_job(j, msg, now);
}

/*
 * A budget round's process still running at the round's end: it was
 * planned to end before it, and no test in it has run long enough to be
 * called a hang (limit_running() would have cut it), so it is only
 * slower than planned.  It is killed and its unfinished executions count
 * nowhere (gtest_agg_drop()): a round only adds executions, so dropping
 * one costs no verdict, and rates count only what ran.
 */
static void drop_job(struct mrun *m, struct job *j)
{
	if (!j->round || !m->round_end || !j->agg || j->killed || j->cut ||
	    j->closed_at || now_ms() < m->round_end)
		return;
	gtest_agg_drop(j->agg);
	proc_kill(&j->p, SIGKILL);
	j->killed = 1;
	j->dropped = 1;
	m->r->budget.stopped_processes++;
}

/*
 * Runs every waiting job to completion, `jobs` at a time: returns 0, or -1
 * with err set.  With m->open_stage, returns 1 as soon as a job finished
 * and a test slot is free with no job waiting and no build running, while
 * others still run; called again, it goes on with them and any added.
 */
static int run_jobs(struct mrun *m, struct err *err)
{
	struct pollfd *fds = xcalloc(2 * m->njobs + 1, sizeof(*fds));
	size_t *owner = xcalloc(2 * m->njobs + 1, sizeof(*owner));
	size_t done0 = m->jobs_done, i;
	int ret = -1;

	/* Progress counts across phases (builds and cells, then reruns). */
	m->jobs_total = m->jobs_done;
	for (i = 0; i < m->njobs; i++)
		m->jobs_total += m->jobs[i].state != 2;
	for (;;) {
		size_t nf = 0;
		int waiting = 0, ready = 0, streaming;

		adapt_jobs(m);
		if (start_ready(m, err))
			goto out;
		for (i = 0; i < m->njobs; i++) {
			struct job *j = &m->jobs[i];

			if (j->state == 0) {
				waiting = 1;
				ready |= job_ready(m, j);
			}
			if (j->state != 1)
				continue;
			if (j->p.out_fd >= 0) {
				fds[nf].fd = j->p.out_fd;
				fds[nf].events = POLLIN;
				owner[nf++] = i;
			}
			if (j->p.err_fd >= 0) {
				fds[nf].fd = j->p.err_fd;
				fds[nf].events = POLLIN;
				owner[nf++] = i;
			}
		}
		if (!nf && !m->running) {
			if (!waiting)
				break;
			/* Waiting jobs whose build is not started: cannot
			 * happen, builds are always ready. */
			BUG("matrix deadlock");
		}
		/* A slot is free: with the builds done and nothing waiting,
		 * more cells may fit (cells_that_fit()); while a build still
		 * runs, a built package's later cells may (plan_early()). */
		if (m->open_stage && m->jobs_done != done0 &&
		    slots_busy(m) < m->max_runs &&
		    (!m->running_builds ? !waiting :
		     !ready && early_unit(m, NULL))) {
			ret = 1;
			goto out;
		}
		/* A streaming batch hands binaries over as it links them:
		 * look for them often. */
		streaming = 0;
		for (i = 0; i < m->njobs; i++) {
			const struct job *j = &m->jobs[i];

			if (j->state == 1 && j->kind == JOB_BUILD && j->streaming) {
				streaming = 1;
				batch_collect(m, j->race, 0);
			}
		}
		if (poll(fds, (nfds_t)nf, streaming ? 20 : 250) < 0 &&
		    errno != EINTR) {
			err_sys(err, "poll");
			goto out;
		}
		for (i = 0; i < nf; i++) {
			struct job *j = &m->jobs[owner[i]];
			char chunk[65536];
			ssize_t n;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				if (fds[i].fd == j->p.out_fd)
					j->p.out_fd = -1;
				else
					j->p.err_fd = -1;
				continue;
			}
			if (j->agg && fds[i].fd == j->p.out_fd) {
				gtest_agg_feed(j->agg, chunk, (size_t)n);
				j->last_out = now_ms();
				if (!j->first_at && gtest_agg_running(j->agg))
					j->first_at = now_ms();
				if (!j->closed_at && gtest_agg_closing(j->agg))
					j->closed_at = now_ms();
			} else {
				size_t room = j->errout.limit - j->errout.len;

				if (buf_add(&j->errout, chunk,
					    (size_t)n < room ? (size_t)n : room))
					BUG("bounded append");
			}
		}
		for (i = 0; i < m->njobs; i++) {
			struct job *j = &m->jobs[i];

			if (j->state != 1)
				continue;
			if (j->p.out_fd < 0 && j->p.err_fd < 0) {
				finish_job(m, j);
				continue;
			}
			limit_running(m, j);
			drop_job(m, j);
			if (j->deadline && !j->killed && now_ms() > j->deadline) {
				proc_kill(&j->p, SIGKILL);
				j->killed = 1;
			}
		}
		show_live(m);
	}
	ret = 0;
out:
	clear_live(m);
	free(fds);
	free(owner);
	return ret;
}

/* ---- stress -------------------------------------------------------------- */

static void *burn(void *arg)
{
	struct mrun *m = arg;
	volatile unsigned long long x = 1;

	while (!atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		int i;

		for (i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	return NULL;
}

static void stress_start(struct mrun *m)
{
	int i;

	if (m->o->stress <= 0)
		return;
	atomic_store(&m->stop, 0);
	m->burners = xcalloc((size_t)m->o->stress, sizeof(*m->burners));
	for (i = 0; i < m->o->stress; i++)
		if (pthread_create(&m->burners[m->nburners], NULL, burn, m) == 0)
			m->nburners++;
}

static void stress_stop(struct mrun *m)
{
	int i;

	atomic_store(&m->stop, 1);
	for (i = 0; i < m->nburners; i++)
		pthread_join(m->burners[i], NULL);
	FREE_AND_NULL(m->burners);
	m->nburners = 0;
}

/* ---- phases --------------------------------------------------------------- */

/* The -test.parallel of a cell (docs/COLLECTOR.md): the user's after
 * --, else the test binary's default, GOMAXPROCS; 0 when that is the
 * machine's. */
static int cell_parallel(const struct matrix_opts *o, int gmp)
{
	size_t k;
	int v = 0;

	for (k = 0; o->extra && o->extra[k]; k++) {
		const char *a = o->extra[k];

		if (*a == '-' && a[1] == '-')
			a++;
		if (!strncmp(a, "-test.parallel=", 15) && atoi(a + 15) > 0)
			v = atoi(a + 15);
	}
	return v > 0 ? v : gmp;
}

/* "race GOMAXPROCS=2 shuffle stress=2": the cell's settings, space-
 * separated; "default" for none (GOMAXPROCS unset: go test's own). */
static void cell_name(struct buf *b, int race, int gmp, const struct matrix_opts *o)
{
	int err = 0;

	if (race)
		err |= buf_adds(b, "race");
	if (gmp > 0)
		err |= buf_addf(b, "%sGOMAXPROCS=%d", b->len ? " " : "", gmp);
	if (o->shuffle)
		err |= buf_addf(b, "%sshuffle", b->len ? " " : "");
	if (o->stress > 0)
		err |= buf_addf(b, "%sstress=%d", b->len ? " " : "", o->stress);
	if (!b->len)
		err |= buf_adds(b, "default");
	if (err)
		BUG("cell name");
}

static void add_cells(struct mrun *m)
{
	const struct matrix_opts *o = m->o;
	int race, g;

	for (race = 0; race < 2; race++) {
		if (!(o->race & (race ? MATRIX_RACE_ON : MATRIX_RACE_OFF)))
			continue;
		for (g = 0; g < o->ngomaxprocs; g++) {
			struct buf name = BUF_INIT(256);
			struct cell c;

			cell_name(&name, race, o->gomaxprocs[g], o);
			memset(&c, 0, sizeof(c));
			c.name = (char *)(uintptr_t)buf_str(&name);
			c.race = race;
			c.gomaxprocs = o->gomaxprocs[g];
			c.count = o->count;
			c.shuffle = o->shuffle;
			c.stress = o->stress;
			c.parallel = cell_parallel(o, o->gomaxprocs[g]);
			results_add_cell(m->r, &c);
			buf_release(&name);
		}
	}
}

/*
 * Cells interleave by package rather than run one after the other, so the
 * two processes running at once are usually different packages in
 * different cells: no two copies of one test contend for the same files or
 * ports.
 */
/*
 * --shard I/N: the units (package x cell) of this shard, by plan_shards()
 * over the packages' test counts -- which every shard reads the same from
 * the checkout.  A package none of whose units run here leaves the
 * results: another shard reports it.
 */
/* Executions of part k of a unit of count executions in parts parts: the
 * first ones get the remainder. */
static int part_execs(int count, int parts, int k)
{
	return count / parts + (k < count % parts);
}

static void plan_shard(struct mrun *m)
{
	size_t nc = m->r->ncells, p, c, n = 0, here = 0, pkgs_here = 0;
	size_t tested = 0;
	int want = m->o->shard_index - 1, k, parts, whole;
	struct plan_unit *u;

	for (p = 0; p < m->npkgs; p++)
		tested += m->pkgs[p].has_tests != 0;
	/* Few packages per shard: spread every unit, and split each into
	 * parts of at least two executions (so that a state leak across the
	 * executions of one process still shows: `repeat`), so that no
	 * estimate that misses a heavy package puts all of it on one shard
	 * (core/plan.h).  With -shuffle every execution is its own process:
	 * parts of one. */
	whole = tested >= (size_t)PLAN_WHOLE_PACKAGES_PER_SHARD *
			  (size_t)m->o->shard_count;
	parts = whole ? 1 : m->o->shuffle ? m->o->count : m->o->count / 2;
	if (parts < 1)
		parts = 1;
	u = xcalloc(m->npkgs * nc * (size_t)parts + 1, sizeof(*u));
	m->here = xcalloc(m->npkgs * nc + 1, sizeof(*m->here));
	for (p = 0; p < m->npkgs; p++) {
		if (!m->pkgs[p].has_tests)
			continue;
		for (c = 0; c < nc; c++)
			for (k = 0; k < parts; k++) {
				u[n].pkg = (int)p;
				u[n].cell = (int)c;
				u[n].race = m->r->cells[c].race == 1;
				u[n].cost = (double)m->pkgs[p].ntests *
					    (u[n].race ? PLAN_RACE_FACTOR : 1.0) *
					    part_execs(m->o->count, parts, k) /
					    m->o->count;
				/* A build costs about one execution of the
				 * package. */
				u[n].build_cost = (double)m->pkgs[p].ntests /
						  parts;
				n++;
			}
	}
	plan_shards(u, n, m->npkgs, m->o->shard_count, whole);
	for (c = 0; c < n; c++)
		if (u[c].shard == want) {
			/* Executions of the unit here: its parts'. */
			m->here[(size_t)u[c].pkg * nc + (size_t)u[c].cell] +=
				part_execs(m->o->count, parts, (int)(c % (size_t)parts));
			here++;
		}
	for (p = m->npkgs; p-- > 0;) {
		int any = 0;

		for (c = 0; c < nc; c++)
			any |= m->here[p * nc + c] > 0;
		if (any)
			pkgs_here++;
		else if (m->pkgs[p].has_tests) {
			results_package_remove(m->r, m->pkgs[p].import_path);
			m->pkgs[p].has_tests = 0;
		}
	}
	if (m->o->progress)
		fprintf(m->o->progress, "flake-collector: shard %d/%d: %zu of %zu "
			"units (%zu package%s; plan %016llx)\n",
			m->o->shard_index, m->o->shard_count, here, n, pkgs_here,
			pkgs_here == 1 ? "" : "s", plan_digest(u, n));
	free(u);
}

/* The priors of o->prior, onto the packages by import path. */
static void apply_priors(struct mrun *m)
{
	size_t i, k, n = 0;

	for (i = 0; i < m->o->nprior; i++)
		for (k = 0; k < m->npkgs; k++)
			if (m->o->prior[i].package &&
			    !strcmp(m->o->prior[i].package, m->pkgs[k].import_path)) {
				m->pkgs[k].prior_flaky = m->o->prior[i].flaky;
				m->pkgs[k].prior_ms = m->o->prior[i].exec_ms;
				m->pkgs[k].prior_cells = m->o->prior[i].cells;
				m->pkgs[k].nprior_cells = m->o->prior[i].ncells;
				n++;
			}
	if (m->trace)
		fprintf(stderr, "trace: %6.2f history: priors for %zu of %zu "
			"packages\n", (double)(now_ms() - m->t0) / 1000.0, n,
			m->npkgs);
}

/*
 * The -test.timeout of job j from what an execution of its package
 * usually takes (matrix.h, "Hang detection"): this run's measurement of
 * the unit when there is one, else the history's; 0 (the run's timeout)
 * when neither knows.
 */
/*
 * Unit u's timed processes (struct unit_time) as a process's cost: *start
 * ms to begin, once per process, and *exec ms per execution after it;
 * each process's run counts a millisecond more than measured, the
 * clock's grain, so that tests of microseconds are not taken for free --
 * a process of 300 such executions then measures them exactly.  Returns
 * 0 (and sets nothing) when none was timed.
 */
static int unit_split(const struct mrun *m, size_t u, double *start,
		      double *exec)
{
	const struct unit_time *ut = &m->unit_time[u];

	if (ut->procs <= 0 || ut->execs <= 0)
		return 0;
	*start = (double)ut->start_ms / (double)ut->procs;
	*exec = (double)(ut->run_ms + ut->procs) / (double)ut->execs;
	return 1;
}

static long long hang_timeout(const struct mrun *m, const struct job *j)
{
	return hang_limit(m, j->pkg, j->race, j->count > 0 ? j->count : 1);
}

/* The hang limit of a process of package pkg running count executions
 * under race setting race (matrix.h, "Hang detection"); 0 none known. */
static long long hang_limit(const struct mrun *m, int pkg, int race,
			    long long count)
{
	size_t nc = m->r->ncells, c, base = (size_t)pkg * nc;
	double per = 0.0, other = 0.0, lim, proc = 0.0;
	long long floor_ms = MATRIX_HANG_FLOOR_MS;

	/* The slowest measured cell of the package with the same race
	 * setting; else the other setting's, scaled; else the history's.
	 * A process is its start plus its executions (unit_split()) where
	 * its cell timed one, so that a process of many executions of a
	 * cheap test is not given their count times the start. */
	for (c = 0; c < nc; c++) {
		double x, p, start, exec;

		if (!m->unit_ok_execs[base + c])
			continue;
		x = (double)m->unit_ok_ms[base + c] /
		    (double)m->unit_ok_execs[base + c];
		p = unit_split(m, base + c, &start, &exec) ?
		    start + exec * (double)count : x * (double)count;
		if ((m->r->cells[c].race == 1) == (race == 1)) {
			if (x > per)
				per = x;
			if (p > proc)
				proc = p;
		} else if (x > other) {
			other = x;
		}
	}
	if (per <= 0.0 && other > 0.0)
		per = race ? other * PLAN_RACE_FACTOR : other;
	if (per <= 0.0 && m->pkgs[pkg].prior_ms > 0)
		per = (double)m->pkgs[pkg].prior_ms *
		      (race ? PLAN_RACE_FACTOR : 1.0);
	if (per <= 0.0)
		return 0;
	if (proc <= 0.0)
		proc = per * (double)count;
	if (m->o->budget_ms > 0 && m->o->budget_ms / 8 < floor_ms)
		floor_ms = m->o->budget_ms / 8 > 1000 ? m->o->budget_ms / 8 : 1000;
	lim = proc * MATRIX_HANG_FACTOR;
	if (lim < (double)floor_ms)
		lim = (double)floor_ms;
	if (lim >= (double)m->o->timeout_ms)
		return 0;
	return (long long)lim;
}

/* 1 when the unit (package p, cell c) runs in this process. */
static int unit_here(const struct mrun *m, size_t p, size_t c)
{
	return !m->here || m->here[p * m->r->ncells + c] > 0;
}

/*
 * --changed-since: marks the packages the change touches; with
 * --only-changed the others leave the plan and the results.
 */
static int plan_changed(struct mrun *m, struct err *err)
{
	struct changed_pkg *cp = xcalloc(m->npkgs + 1, sizeof(*cp));
	const char *why = NULL;
	size_t i, nfiles = 0, direct = 0, importing = 0;
	int all = 0;
	char *cwd = getcwd(NULL, 0);

	for (i = 0; i < m->npkgs; i++) {
		cp[i].import_path = m->pkgs[i].import_path;
		cp[i].dir = m->pkgs[i].abs_dir;
	}
	if (changed_mark(m->o->go, cwd ? cwd : ".", m->o->changed_since,
			 m->o->tags, cp, m->npkgs, &all, &why, &nfiles, err)) {
		free(cp);
		free(cwd);
		return -1;
	}
	for (i = 0; i < m->npkgs; i++) {
		m->pkgs[i].changed = cp[i].touched != 0;
		if (cp[i].touched == 2)
			importing++;
		else if (cp[i].touched)
			direct++;
	}
	if (m->o->progress) {
		if (all)
			fprintf(m->o->progress, "flake-collector: changed since %s: "
				"every package (%s)\n", m->o->changed_since, why);
		else
			fprintf(m->o->progress, "flake-collector: changed since %s: "
				"%zu package%s (+%zu importing them), %zu file%s\n",
				m->o->changed_since, direct, direct == 1 ? "" : "s",
				importing, nfiles, nfiles == 1 ? "" : "s");
	}
	if (m->o->only_changed && !all)
		for (i = m->npkgs; i-- > 0;)
			if (!m->pkgs[i].changed) {
				results_package_remove(m->r, m->pkgs[i].import_path);
				m->pkgs[i].has_tests = 0;
			}
	free(cp);
	free(cwd);
	return 0;
}

/* Plans the first-pass processes of unit (package p, cell c). */
static void plan_unit(struct mrun *m, size_t p, size_t c)
{
	/* This shard's executions of the unit. */
	int execs = first_execs(m, p, c);
	int procs = m->o->shuffle ? execs : 1, k;

	m->unit_planned[p * m->r->ncells + c] = 1;
	for (k = 0; k < procs; k++) {
		struct job *j = add_job(m, JOB_RUN, (int)p, m->r->cells[c].race,
					(int)c);

		j->count = m->o->shuffle ? 1 : execs;
		if (m->o->shuffle)
			j->seed = random_seed(m);
		m->cell_left[c]++;
	}
}

/*
 * Plans the first pass of the cells `want` marks (NULL: every cell): the
 * builds they need that are not done yet, and their runs (those of units
 * plan_early() did not plan already).
 */
static void plan_runs(struct mrun *m, const unsigned char *want)
{
	size_t p, c;

	if (m->o->shard_count > 1 && !m->here)
		plan_shard(m);
	for (p = 0; p < m->npkgs; p++) {
		int race;

		if (!m->pkgs[p].has_tests)
			continue;
		for (race = 0; race < 2; race++) {
			int need = 0;

			if (!(m->o->race & (race ? MATRIX_RACE_ON : MATRIX_RACE_OFF)) ||
			    m->pkgs[p].built[race])
				continue;
			for (c = 0; c < m->r->ncells; c++)
				need |= m->r->cells[c].race == race &&
					(!want || want[c]) && unit_here(m, p, c);
			if (need) {
				add_job(m, JOB_BUILD, (int)p, race, -1);
				m->builds_total++;
			}
		}
	}
	batch_builds(m);
	for (c = 0; c < m->r->ncells; c++) {
		if (want && !want[c])
			continue;
		m->planned[c] = 1;
		for (p = 0; p < m->npkgs; p++)
			if (m->pkgs[p].has_tests && unit_here(m, p, c) &&
			    !m->unit_planned[p * m->r->ncells + c])
				plan_unit(m, p, c);
		/* Nothing of it left to run (plan_early() ran it all, or
		 * this shard has none of it). */
		if (!m->cell_left[c])
			cell_done(m, (int)c);
	}
}

static struct mpkg *pkg_by_path(struct mrun *m, const char *path, int *idx)
{
	size_t i;

	for (i = 0; i < m->npkgs; i++) {
		if (!strcmp(m->pkgs[i].import_path, path)) {
			*idx = (int)i;
			return &m->pkgs[i];
		}
	}
	return NULL;
}

/*
 * Tests that failed every execution of a cell are rerun alone there, each
 * rerun its own process; a failing subtest reruns its top-level test (Go's -run cannot select one
 * subtest of several top-level tests in one pattern).
 */
/* ---- order-dependent tests (core/bisect.h) ------------------------------ */

/* Tests bisected per run, probes per test, tries per check. */
#define BISECT_MAX_TESTS 4
#define BISECT_MAX_PROBES 24
#define BISECT_TRIES 2

struct order_probe {
	struct mrun *m;
	int pkg, cell;
	long long seed;
	const char *target;
};

/*
 * One probe: the package's binary with the failing seed, -test.v, and a
 * -run of exactly these top-level tests; its "=== RUN" lines give the
 * order, a "--- FAIL: target " line the failure.
 */
static int order_probe_run(void *ctx, const char *const *names, size_t n,
			   int *failed, char ***order, size_t *norder,
			   struct err *err)
{
	struct order_probe *op = ctx;
	struct mrun *m = op->m;
	struct mpkg *p = &m->pkgs[op->pkg];
	const struct cell *c = &m->r->cells[op->cell];
	const char *argv[80], *env[4];
	char shuffle[48], timeout[48], gmp[32];
	struct buf run = BUF_INIT(1u << 20), pwd = BUF_INIT(1u << 16),
		   path = BUF_INIT(1u << 20), out = BUF_INIT(64u << 20),
		   errout = BUF_INIT(1u << 16), fail = BUF_INIT(8192);
	struct proc_opts po = { 0 };
	size_t i = 0, k, alloc = 0;
	char *line;
	int rc;

	argv[i++] = p->bin[c->race == 1];
	argv[i++] = "-test.v=true";
	argv[i++] = "-test.count=1";
	snprintf(shuffle, sizeof(shuffle), "-test.shuffle=%lld", op->seed);
	argv[i++] = shuffle;
	snprintf(timeout, sizeof(timeout), "-test.timeout=%lldms",
		 m->o->timeout_ms);
	argv[i++] = timeout;
	if (n) {
		if (buf_adds(&run, "-test.run=^("))
			BUG("pattern");
		for (k = 0; k < n; k++) {
			if (k && buf_addc(&run, '|'))
				BUG("pattern");
			add_run_pattern_elem(&run, names[k], strlen(names[k]));
		}
		if (buf_adds(&run, ")$"))
			BUG("pattern");
		argv[i++] = buf_str(&run);
	}
	/* The user's test flags, as every process of the run has them,
	 * but none that would change what a probe runs or reads. */
	for (k = 0; m->o->extra && m->o->extra[k] && i < 76; k++) {
		const char *f = m->o->extra[k] + (m->o->extra[k][1] == '-');

		if (is_test_flag(m->o->extra[k]) &&
		    strncmp(f, "-test.v", 7) && strncmp(f, "-test.run", 9) &&
		    strncmp(f, "-test.count", 11) &&
		    strncmp(f, "-test.shuffle", 13))
			argv[i++] = m->o->extra[k];
	}
	argv[i] = NULL;
	test_env(m, p, c, env, gmp, sizeof(gmp), &pwd, &path, &po);
	rc = proc_run(argv, &po, &out, &errout, err);
	*failed = 0;
	if (order) {
		*order = NULL;
		*norder = 0;
	}
	if (rc >= 0 && buf_addf(&fail, "--- FAIL: %s ", op->target))
		BUG("name too long");
	for (line = rc >= 0 ? out.data : NULL; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "=== RUN   ", 10) && order &&
		    !strchr(line + 10, '/')) {
			xgrow((void **)order, &alloc, *norder + 1,
			      sizeof(**order));
			(*order)[(*norder)++] = xstrdup(line + 10);
		}
		if (!strncmp(line, buf_str(&fail), fail.len))
			*failed = 1;
		line = nl ? nl + 1 : NULL;
	}
	buf_release(&run);
	buf_release(&pwd);
	buf_release(&path);
	buf_release(&out);
	buf_release(&errout);
	buf_release(&fail);
	return rc < 0 ? -1 : 0;
}

/*
 * Under -shuffle, a test that failed in some orders and passed in others
 * (or alone, in its reruns) is bisected over its failing seed's order to
 * name the test it fails after (t->after).  Bounded: BISECT_MAX_TESTS
 * top-level tests per run, BISECT_MAX_PROBES processes each, none past a
 * budget's deadline.
 */
static void bisect_orders(struct mrun *m)
{
	struct done_top {
		char *pkg, *top, *after;
		long long seed;
		int cell;
	} *done = NULL;
	size_t ndone = 0, alloc = 0, i, k, d;

	if (!m->o->shuffle)
		return;
	for (i = 0; i < m->r->ntests; i++) {
		struct test *t = m->r->tests[i];
		size_t tl = strcspn(t->name, "/");

		if (test_is_package(t) || t->after)
			continue;
		for (k = 0; k < t->ncells && !t->after; k++) {
			const struct test_cell *tc = &t->cells[k];
			const struct cell *c = &m->r->cells[tc->cell];
			struct order_probe op;
			struct bisect_result br;
			struct err err = ERR_INIT;
			size_t pi;
			int hit = -1;

			if (!c->shuffle || !tc->failures || !tc->fail_seed ||
			    !(tc->passes || (tc->rerun_passes &&
					     !tc->rerun_failures)))
				continue;
			for (d = 0; d < ndone; d++)
				if (!strcmp(done[d].pkg, t->package) &&
				    strlen(done[d].top) == tl &&
				    !strncmp(done[d].top, t->name, tl))
					hit = (int)d;
			if (hit >= 0) {
				if (done[hit].after && done[hit].cell == tc->cell) {
					t->after = xstrdup(done[hit].after);
					t->after_seed = done[hit].seed;
					t->after_cell = done[hit].cell;
				}
				continue;
			}
			if (ndone >= BISECT_MAX_TESTS ||
			    (m->deadline && now_ms() >= m->deadline))
				continue;
			for (pi = 0; pi < m->npkgs; pi++)
				if (!strcmp(m->pkgs[pi].import_path, t->package))
					break;
			if (pi == m->npkgs || m->pkgs[pi].built[c->race == 1] != 1)
				continue;
			xgrow((void **)&done, &alloc, ndone + 1, sizeof(*done));
			done[ndone].pkg = xstrdup(t->package);
			done[ndone].top = xstrndup(t->name, tl);
			done[ndone].after = NULL;
			done[ndone].seed = tc->fail_seed;
			done[ndone].cell = tc->cell;
			op.m = m;
			op.pkg = (int)pi;
			op.cell = tc->cell;
			op.seed = tc->fail_seed;
			op.target = done[ndone].top;
			if (bisect_order(done[ndone].top, order_probe_run, &op,
					 BISECT_TRIES, BISECT_MAX_PROBES, &br,
					 &err)) {
				if (m->o->progress)
					fprintf(m->o->progress, "flake-collector: "
						"%s: order not bisected: %s\n",
						done[ndone].top, err.msg);
			} else if (br.culprit) {
				done[ndone].after = xstrdup(br.culprit);
				t->after = xstrdup(br.culprit);
				t->after_seed = tc->fail_seed;
				t->after_cell = tc->cell;
				if (m->o->progress)
					fprintf(m->o->progress, "flake-collector: "
						"%s fails after %s (-shuffle=%lld, "
						"%d probes)\n", done[ndone].top,
						br.culprit, tc->fail_seed,
						br.probes);
			} else if (m->o->progress) {
				fprintf(m->o->progress, "flake-collector: %s: "
					"order not bisected: %s (%d probes)\n",
					done[ndone].top, br.why, br.probes);
			}
			bisect_result_release(&br);
			ndone++;
		}
	}
	for (d = 0; d < ndone; d++) {
		free(done[d].pkg);
		free(done[d].top);
		free(done[d].after);
	}
	free(done);
}

static void plan_reruns(struct mrun *m)
{
	size_t c, i, p, k;

	for (c = 0; c < m->r->ncells; c++) {
		for (p = 0; p < m->npkgs; p++) {
			struct buf pat = BUF_INIT(1u << 20);
			const char *pkg = m->pkgs[p].import_path;
			char **tops = NULL;
			size_t ntops = 0, alloc = 0;
			int whole = 0, before = 0;

			for (i = 0; i < m->r->ntests; i++) {
				struct test *t = m->r->tests[i];
				struct test_cell *tc = NULL;
				size_t tl;
				int dup = 0;

				if (strcmp(t->package, pkg))
					continue;
				for (k = 0; k < t->ncells; k++)
					if (t->cells[k].cell == (int)c)
						tc = &t->cells[k];
				if (!tc || !tc->failures || tc->passes)
					continue;
				if (test_is_package(t)) {
					struct package *rp = results_package(
						m->r, pkg, 0);

					whole = 1;
					for (k = 0; rp && k < rp->ncells; k++)
						if (rp->cells[k].cell == (int)c)
							before = rp->cells[k].fail_before_tests;
					continue;
				}
				tl = strcspn(t->name, "/");
				for (k = 0; k < ntops; k++)
					dup |= strlen(tops[k]) == tl &&
					       !strncmp(tops[k], t->name, tl);
				if (dup)
					continue;
				xgrow((void **)&tops, &alloc, ntops + 1, sizeof(*tops));
				tops[ntops++] = xstrndup(t->name, tl);
			}
			if (ntops) {
				struct job *j;

				if (buf_adds(&pat, "^("))
					BUG("pattern");
				for (k = 0; k < ntops; k++) {
					if (k && buf_addc(&pat, '|'))
						BUG("pattern");
					add_run_pattern_elem(&pat, tops[k],
							     strlen(tops[k]));
				}
				if (buf_adds(&pat, ")$"))
					BUG("pattern");
				/* One process per rerun: a crash or a reported
				 * race in one cannot hide the others. */
				for (k = 0; k < (size_t)m->reruns; k++) {
					j = add_job(m, JOB_RERUN, (int)p,
						    m->r->cells[c].race, (int)c);
					j->pattern = xstrdup(buf_str(&pat));
					j->count = 1;
				}
			}
			/*
			 * The package's own failure: rerun the package as a
			 * whole -- with no test at all when it failed before
			 * any ran (init, TestMain before m.Run), else as it
			 * ran, which costs a whole run: at most two.
			 */
			if (whole) {
				int n = before ? m->reruns :
					m->reruns < 2 ? m->reruns : 2;

				for (k = 0; k < (size_t)n; k++) {
					struct job *j = add_job(m, JOB_RERUN,
						(int)p, m->r->cells[c].race,
						(int)c);

					j->pattern = xstrdup(before ? "^$" : "");
					j->count = 1;
					j->whole = 1;
				}
			}
			for (k = 0; k < ntops; k++)
				free(tops[k]);
			free(tops);
			buf_release(&pat);
		}
	}
}

/* ---- --budget (docs/BUDGET.md) -------------------------------------------- */

/* A round is not worth planning below this. */
#define BUDGET_MIN_ROUND_MS 100

/* Weights of a unit's share of a round, in the order of docs/BUDGET.md. */
#define BUDGET_W_SUSPECT 16	/* a test failed every execution there, and
				 * the unit has run fewer than
				 * BUDGET_SUSPECT_EXECS: flaky or broken? */
#define BUDGET_W_FAILED 8	/* a test failed and passed there: a flake,
				 * whose neighbours are likelier to flake */
#define BUDGET_W_HISTORY 4	/* a test of the package failed lately in
				 * this cell (its race setting and
				 * GOMAXPROCS), or the history does not say
				 * where */
#define BUDGET_W_ELSEWHERE 2	/* ... in its other cells only */
#define BUDGET_W_CHANGED 2	/* --changed-since touches the package */
#define BUDGET_W_REST 1		/* everything else: round-robin by share */
#define BUDGET_SUSPECT_EXECS 10

/* The history's weight of package p in cell c: 0 when it says nothing. */
static int history_weight(const struct mrun *m, size_t p, size_t c)
{
	const struct mpkg *q = &m->pkgs[p];
	const struct cell *cl = &m->r->cells[c];
	size_t i;

	for (i = 0; i < q->nprior_cells; i++)
		if ((q->prior_cells[i].race == 1) == (cl->race == 1) &&
		    q->prior_cells[i].gomaxprocs == cl->gomaxprocs)
			return BUDGET_W_HISTORY;
	if (q->nprior_cells)
		return BUDGET_W_ELSEWHERE;
	return q->prior_flaky ? BUDGET_W_HISTORY : 0;
}

/* ms per execution of unit u so far (process start included), 0 none. */
static double unit_per(const struct mrun *m, size_t u)
{
	return m->unit_execs[u] > 0 ?
	       (double)m->unit_ms[u] / (double)m->unit_execs[u] : 0.0;
}

/*
 * ms a rerun of unit u's suspect costs: an execution that did not run
 * into its timeout (a hang's kill says nothing of a rerun's cost), of the
 * unit, else of its package in any cell, else what the unit measured.
 */
static double unit_rerun_per(const struct mrun *m, size_t u)
{
	size_t nc = m->r->ncells, p = u / nc, k;
	double best = 0.0;

	if (m->unit_ok_execs[u] > 0)
		return (double)m->unit_ok_ms[u] / (double)m->unit_ok_execs[u];
	for (k = 0; k < nc; k++) {
		size_t v = p * nc + k;
		double per;

		if (m->unit_ok_execs[v] <= 0)
			continue;
		per = (double)m->unit_ok_ms[v] / (double)m->unit_ok_execs[v];
		if (m->r->cells[k].race == m->r->cells[u % nc].race ||
		    best <= 0.0)
			best = per > best ? per : best;
	}
	return best > 0.0 ? best : unit_per(m, u);
}

/*
 * Unit u's cost as a process, *start and *exec ms: unit_split() when its
 * processes were timed, else no start and unit_per() per execution.
 * Returns 0 when nothing is known.
 */
static int unit_cost(const struct mrun *m, size_t u, double *start,
		     double *exec)
{
	if (unit_split(m, u, start, exec))
		return 1;
	*start = 0.0;
	*exec = unit_per(m, u);
	return *exec > 0.0;
}

/*
 * Executions of unit (p, c) in the first pass: this shard's (--shard),
 * else --count.  Under a budget with count_fill (--count not given), a
 * unit whose package's process was timed under the same race setting
 * (unit_split(): its start and its execution apart) runs up to
 * BUDGET_FILL_EXECS executions while the ones added cost no more than the
 * start: for a package of quick tests nearly free, and a test that leaks
 * state into its next execution in one process shows (kind repeat) where
 * no round would fit.  Not with -shuffle (one process per execution).
 */
#define BUDGET_FILL_EXECS 3
static int first_execs(const struct mrun *m, size_t p, size_t c)
{
	size_t nc = m->r->ncells, k;
	int race = m->r->cells[c].race == 1, execs = m->o->count;
	double start = 0.0, exec = 0.0, fill;

	if (m->here)
		return m->here[p * nc + c];
	if (!m->deadline || !m->o->count_fill || m->o->shuffle ||
	    execs >= BUDGET_FILL_EXECS)
		return execs;
	/* The slowest execution timed with this race setting, and its
	 * process's start. */
	for (k = 0; k < nc; k++) {
		double s, e;

		if ((m->r->cells[k].race == 1) == race &&
		    unit_split(m, p * nc + k, &s, &e) && e > exec) {
			exec = e;
			start = s;
		}
	}
	if (exec <= 0.0)
		return execs;
	fill = 1.0 + floor(start / exec);
	if (fill > (double)BUDGET_FILL_EXECS)
		fill = BUDGET_FILL_EXECS;
	return fill > (double)execs ? (int)fill : execs;
}

/* Per unit, bits: UF_MIXED when a test failed and passed there (a flake),
 * UF_ALL when one failed every execution there (a suspect). */
#define UF_MIXED 1
#define UF_ALL 2
static unsigned char *unit_failures(const struct mrun *m)
{
	size_t nc = m->r->ncells, i, k, p = 0;
	unsigned char *f = xcalloc(m->npkgs * nc + 1, 1);

	for (i = 0; i < m->r->ntests; i++) {
		const struct test *t = m->r->tests[i];

		/* A package's tests are mostly adjacent: the last one first. */
		if (p >= m->npkgs || strcmp(m->pkgs[p].import_path, t->package))
			for (p = 0; p < m->npkgs; p++)
				if (!strcmp(m->pkgs[p].import_path, t->package))
					break;
		if (p == m->npkgs)
			continue;
		for (k = 0; k < t->ncells; k++) {
			const struct test_cell *tc = &t->cells[k];
			size_t u = p * nc + (size_t)tc->cell;

			if (tc->cell < 0 || (size_t)tc->cell >= nc || !tc->failures)
				continue;
			f[u] |= tc->passes ? UF_MIXED : UF_ALL;
		}
	}
	return f;
}

/* Time kept for the reruns of the suspects and the end: each suspect
 * unit's execution time per rerun, spread over the slots, plus 2% of
 * the budget. */
static long long budget_reserve(const struct mrun *m, const unsigned char *f)
{
	size_t nu = m->npkgs * m->r->ncells, u;
	double ms = (double)m->o->budget_ms * 0.02;

	for (u = 0; u < nu; u++)
		if (f[u] & UF_ALL)
			ms += unit_rerun_per(m, u) * m->o->rerun /
			      (m->max_runs > 0 ? m->max_runs : 1);
	return (long long)ms;
}

/* A unit in a round's plan: its weight, its cost (unit_cost()), its
 * smallest process (executions, ms) and the slot-ms it is given. */
struct round_unit {
	size_t u;
	double w, start, exec, min_execs, min_ms, give;
};

/* The order units get their first process of a round: the heaviest
 * weight first, then the cheapest, then by index. */
static int cmp_round_unit(const void *a, const void *b)
{
	const struct round_unit *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	if (x->min_ms != y->min_ms)
		return x->min_ms < y->min_ms ? -1 : 1;
	return x->u < y->u ? -1 : x->u > y->u;
}

/*
 * Plans one round: half the time left before the deadline (less the
 * reserve; all of it when little is left), times the test slots.  Each
 * unit with a weight gets one process first, in the order of
 * cmp_round_unit() while the round has room for it: of at least three
 * executions, so that a test which leaks state into its next execution
 * shows (kind repeat needs three in a process: docs/COLLECTOR.md), and at
 * least as many as its start costs in executions, so that it is not
 * mostly its start; one under -shuffle.  What is left is shared by the
 * weights of the units that got one.  A unit's time becomes executions at its measured cost
 * (unit_cost(): a process's start once, then each execution) -- many of
 * a cheap package, few of an expensive one -- in processes of at most
 * the round's wall time.  Returns the processes added.
 */
static size_t plan_round(struct mrun *m)
{
	size_t nc = m->r->ncells, nu = m->npkgs * nc, u, k, n = 0, added = 0;
	unsigned char *f = unit_failures(m);
	long long left = m->deadline - now_ms() - budget_reserve(m, f);
	struct round_unit *ru = xcalloc(nu + 1, sizeof(*ru));
	double cap, rest, wsum = 0.0;
	long long wall, execs = 0;

	if (left < BUDGET_MIN_ROUND_MS)
		goto out;
	m->round_end = now_ms() + left;
	wall = left >= 4 * BUDGET_MIN_ROUND_MS ? left / 2 : left;
	cap = (double)wall * (m->max_runs > 0 ? m->max_runs : 1);
	for (u = 0; u < nu; u++) {
		const struct mpkg *p = &m->pkgs[u / nc];
		struct round_unit *x = &ru[n];
		int hw, cw;

		if (!p->has_tests || !unit_here(m, u / nc, u % nc) ||
		    p->built[m->r->cells[u % nc].race == 1] != 1 ||
		    !unit_cost(m, u, &x->start, &x->exec))
			continue;
		if ((f[u] & UF_ALL) && m->unit_execs[u] < BUDGET_SUSPECT_EXECS)
			x->w = BUDGET_W_SUSPECT;
		else if (f[u] & UF_MIXED)
			x->w = BUDGET_W_FAILED;
		else {
			/* The history's or the change's, whichever is more;
			 * else the rest's. */
			hw = history_weight(m, u / nc, u % nc);
			cw = p->changed ? BUDGET_W_CHANGED : 0;
			x->w = hw > cw ? hw : cw;
			if (x->w < BUDGET_W_REST)
				x->w = BUDGET_W_REST;
		}
		x->u = u;
		x->min_execs = m->o->shuffle ? 1.0 :
			       fmax(3.0, fmin(floor(x->start / x->exec),
					      100000.0));
		x->min_ms = x->start + x->min_execs * x->exec;
		n++;
	}
	qsort(ru, n, sizeof(*ru), cmp_round_unit);
	rest = cap;
	for (k = 0; k < n; k++)
		if (ru[k].min_ms <= rest && ru[k].min_ms <= (double)wall) {
			ru[k].give = ru[k].min_ms;
			rest -= ru[k].min_ms;
			wsum += ru[k].w;
		}
	for (k = 0; k < n; k++) {
		struct round_unit *x = &ru[k];
		int race;
		double chunk, have;

		if (x->give <= 0.0)
			continue;
		x->give += rest * x->w / wsum;
		if (m->trace)
			fprintf(stderr, "trace: %6.2f budget: round %d %s %s: "
				"weight %.0f, start %.1f ms, %.3f ms per "
				"execution, %.0f ms\n",
				(double)(now_ms() - m->t0) / 1000.0, m->round,
				m->r->cells[x->u % nc].name,
				m->pkgs[x->u / nc].import_path, x->w, x->start,
				x->exec, x->give);
		race = m->r->cells[x->u % nc].race == 1;
		/* Executions per process: what fits in the round's wall. */
		chunk = m->o->shuffle ? 1.0 : ((double)wall - x->start) / x->exec;
		if (chunk < x->min_execs)
			chunk = x->min_execs;
		if (chunk > 100000.0)
			chunk = 100000.0;
		for (have = x->give; have >= x->min_ms - 1e-9;) {
			struct job *j = add_job(m, JOB_RUN, (int)(x->u / nc),
						race, (int)(x->u % nc));
			double c = (have - x->start) / x->exec;

			if (c > chunk)
				c = chunk;
			if (c < x->min_execs)
				c = x->min_execs;
			j->count = (int)c;
			j->round = m->round;
			j->est_ms = (long long)(x->start + x->exec * j->count);
			if (m->o->shuffle)
				j->seed = random_seed(m);
			have -= x->start + x->exec * j->count;
			execs += j->count;
			added++;
		}
	}
	if (added && m->o->progress)
		fprintf(m->o->progress, "flake-collector: budget round %d: %zu "
			"process%s, %lld executions, %.1fs left\n", m->round,
			added, added == 1 ? "" : "es", execs,
			(double)(m->deadline - now_ms()) / 1000.0);
out:
	free(ru);
	free(f);
	return added;
}

/*
 * The reruns per suspect that fit in the time left: every suspect unit
 * (a test failed every execution there) runs them, each costing about an
 * execution of the unit; at least one (the verdict needs it: without a
 * rerun a flaky test would read as failed), at most --rerun.
 */
static int budget_reruns(struct mrun *m)
{
	unsigned char *f = unit_failures(m);
	size_t nu = m->npkgs * m->r->ncells, u;
	double per_round = 0.0, slots = m->max_runs > 0 ? m->max_runs : 1;
	long long left = m->deadline - now_ms();
	int k;

	for (u = 0; u < nu; u++)
		if (f[u] & UF_ALL)
			per_round += unit_rerun_per(m, u);
	free(f);
	if (per_round <= 0.0)
		return m->o->rerun;
	k = left > 0 ? (int)((double)left * slots / per_round) : 0;
	if (k < 1)
		k = 1;
	return k < m->o->rerun ? k : m->o->rerun;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the first pass under a budget -------------------------------------- */

/* Without a measurement, a race build is taken as BUDGET_RACE_BUILD / 10
 * times the other build (1.2-1.5x measured on examples/flaky), and a race
 * execution as BUDGET_RACE_RUN times a plain one (Go's race detector
 * documents 2-20x for CPU time). */
#define BUDGET_RACE_BUILD 15
#define BUDGET_RACE_RUN 5
/* ... and the race runtime's sleep at exit (GORACE atexit_sleep_ms). */
#define BUDGET_RACE_LINGER_MS 1000

/*
 * The order cells enter a budget's first pass: the one nearest a plain
 * `go test` first (race off, GOMAXPROCS nearest the CPUs), then those
 * that change one condition of it -- the other race setting at its
 * GOMAXPROCS, its race setting at the other GOMAXPROCS -- then the rest,
 * each group in the matrix's order.  Fills ord[0..ncells).
 */
static void cell_order(const struct mrun *m, size_t *ord)
{
	size_t nc = m->r->ncells, i, k, base = 0, n = 0;
	const struct cell *cs = m->r->cells;
	int group;

	for (i = 1; i < nc; i++) {
		int gi = cs[i].gomaxprocs ? cs[i].gomaxprocs : m->ncpu,
		    gb = cs[base].gomaxprocs ? cs[base].gomaxprocs : m->ncpu;

		if ((cs[i].race == 1) < (cs[base].race == 1) ||
		    ((cs[i].race == 1) == (cs[base].race == 1) &&
		     abs(gi - m->ncpu) < abs(gb - m->ncpu)))
			base = i;
	}
	ord[n++] = base;
	/* Group 0: only the race setting differs; 1: only GOMAXPROCS; 2:
	 * the rest. */
	for (group = 0; group < 3; group++)
		for (k = 0; k < nc; k++) {
			int race = cs[k].race != cs[base].race,
			    gmp = cs[k].gomaxprocs != cs[base].gomaxprocs;

			if (k != base && group == (race && !gmp ? 0 :
						   gmp && !race ? 1 : 2))
				ord[n++] = k;
		}
}

/* The build of a race setting: as measured, else from the other's. */
static long long build_estimate(const struct mrun *m, int race)
{
	if (m->build_ms[race])
		return m->build_ms[race];
	return race ? m->build_ms[0] * BUDGET_RACE_BUILD / 10 :
	       m->build_ms[1] * 10 / BUDGET_RACE_BUILD;
}

/*
 * ms one process of package p with execs executions costs this run, from
 * the slowest of its processes timed so far (unit_cost()) with the same
 * race setting; *other gets the same for the other setting. 0 unknown.
 */
static double pkg_proc(const struct mrun *m, size_t p, int race, int execs,
		       double *other)
{
	size_t nc = m->r->ncells, k;
	double same = 0.0;

	*other = 0.0;
	for (k = 0; k < nc; k++) {
		double start, exec, proc;

		if (!unit_cost(m, p * nc + k, &start, &exec))
			continue;
		proc = start + exec * (double)execs;
		if ((m->r->cells[k].race == 1) == race)
			same = proc > same ? proc : same;
		else
			*other = proc > *other ? proc : *other;
	}
	return same;
}

/*
 * What the first pass of cell c would take from now, in wall ms with
 * `jobs` test slots: its processes at the cost measured for its packages
 * (pkg_proc()) under the same race setting (the other's, scaled by
 * BUDGET_RACE_RUN, when none ran yet),
 * plus the build when its race setting is not built.  *build is set when
 * that build is counted (once for the cells it serves).
 */
static long long cell_estimate(const struct mrun *m, size_t c, int *build)
{
	size_t nc = m->r->ncells, p;
	int race = m->r->cells[c].race == 1;
	double slot_ms = 0.0, slots = m->max_runs > 0 ? m->max_runs : 1;
	long long ms, linger;

	*build = 0;
	for (p = 0; p < m->npkgs; p++) {
		double same, other;
		int execs = first_execs(m, p, c);

		if (!m->pkgs[p].has_tests || !unit_here(m, p, c) ||
		    m->unit_planned[p * nc + c])
			continue;
		same = pkg_proc(m, p, race, execs, &other);
		if (same <= 0.0)
			same = race ? other * BUDGET_RACE_RUN :
			       other / BUDGET_RACE_RUN;
		slot_ms += same;
		if (m->pkgs[p].built[race] == 0)
			*build = 1;
	}
	linger = m->linger_ms[race] ? m->linger_ms[race] :
		 race ? BUDGET_RACE_LINGER_MS : 0;
	ms = (long long)(slot_ms / slots) + linger;
	if (*build)
		ms += build_estimate(m, race);
	return ms;
}

/*
 * Marks in `want` the cells not yet planned that fit, in cell_order(),
 * in three quarters of the time left before the deadline less the
 * reserve (the last quarter is the rounds': on cheap tests hundreds of
 * executions catch more than one more cell's one): a cell that does not
 * fit is passed over for a cheaper one after it.  Returns how many were
 * marked.
 */
static size_t cells_that_fit(struct mrun *m, unsigned char *want)
{
	size_t nc = m->r->ncells, i, n = 0, *ord = xcalloc(nc, sizeof(*ord));
	unsigned char *f = unit_failures(m);
	long long left = (m->deadline - now_ms() - budget_reserve(m, f)) * 3 / 4,
		  sum = 0;
	int built_for[2] = { 0, 0 };

	cell_order(m, ord);
	memset(want, 0, nc);
	for (i = 0; i < nc; i++) {
		size_t c = ord[i];
		int race = m->r->cells[c].race == 1, build;
		long long ms;

		if (m->planned[c])
			continue;
		ms = cell_estimate(m, c, &build);
		/* Its race setting's build is already counted for another
		 * cell of this stage. */
		if (build && built_for[race])
			ms -= build_estimate(m, race);
		if (m->trace)
			fprintf(stderr, "trace: %6.2f budget: cell %s estimated "
				"%lld ms, %lld ms of the pass's share left%s\n",
				(double)(now_ms() - m->t0) / 1000.0,
				m->r->cells[c].name, ms, left - sum,
				sum + ms > left ? ": not now" : "");
		if (sum + ms > left)
			continue;
		sum += ms;
		built_for[race] |= build;
		want[c] = 1;
		n++;
	}
	free(f);
	free(ord);
	return n;
}

/*
 * When the build in progress will hand over its last binary, in ms from
 * now, at the pace of the binaries so far (the first one also pays the
 * go command's own start); 0 when it cannot tell yet.
 */
static long long build_left(const struct mrun *m)
{
	long long per, left;

	if (!m->running_builds || m->builds_done < 2 ||
	    m->builds_done >= m->builds_total)
		return 0;
	per = (m->last_bin_at - m->first_bin_at) / (m->builds_done - 1);
	left = m->last_bin_at + per * (m->builds_total - m->builds_done) -
	       now_ms();
	return left > 0 ? left : 0;
}

/*
 * The next unit plan_early() takes, in cell_order() and then package
 * order, into *unit when unit is not NULL; returns 0 when there is none.
 * A unit of a cell not planned yet qualifies when its package's binary of
 * that race setting is built and a process of it has ended, so its cost
 * is known (pkg_proc(): the slowest such process); and when its own
 * process is expected to end before the build does (build_left()) and
 * before the deadline.
 */
static int early_unit(const struct mrun *m, size_t *unit)
{
	size_t nc = m->r->ncells, i, p, *ord;
	long long left = build_left(m), now = now_ms();
	int found = 0;

	if (!left || !m->deadline || nc < 2)
		return 0;
	ord = xcalloc(nc, sizeof(*ord));
	cell_order(m, ord);
	for (i = 0; i < nc && !found; i++) {
		size_t c = ord[i];
		int race = m->r->cells[c].race == 1;

		if (m->planned[c])
			continue;
		for (p = 0; p < m->npkgs && !found; p++) {
			int execs = first_execs(m, p, c);
			double other, proc;

			if (!m->pkgs[p].has_tests || m->pkgs[p].built[race] != 1 ||
			    !unit_here(m, p, c) || m->unit_planned[p * nc + c])
				continue;
			proc = pkg_proc(m, p, race, execs, &other);
			if (proc <= 0.0 || proc > (double)left ||
			    now + (long long)proc > m->deadline)
				continue;
			if (unit)
				*unit = p * nc + c;
			found = 1;
		}
	}
	free(ord);
	return found;
}

/*
 * Under a budget, while a build still runs: the test slots that neither
 * its binaries nor a waiting process need run built packages' units of
 * the later cells of their race setting (early_unit()), one per free
 * slot.  They end before the build does, so the pass is not longer for
 * them: on a module whose tests are quick beside their build, the cells
 * of one binary take the time of one.
 */
static void plan_early(struct mrun *m)
{
	size_t u;
	int room = m->max_runs - slots_busy(m);

	while (room-- > 0 && early_unit(m, &u)) {
		if (m->trace)
			fprintf(stderr, "trace: %6.2f budget: %s of %s early, "
				"%lld ms before the build ends\n",
				(double)(now_ms() - m->t0) / 1000.0,
				m->r->cells[u % m->r->ncells].name,
				m->pkgs[u / m->r->ncells].import_path,
				build_left(m));
		plan_unit(m, u / m->r->ncells, u % m->r->ncells);
	}
}

/*
 * The first pass.  Without a budget, every cell at once.  With one, the
 * cell nearest a plain go test first, then, as long as time is left,
 * the cells that fit by what the pass so far measured; the cells that
 * never fit are counted (budget.cells_skipped) and said.  Every test
 * gets its verdicts from the cells it ran in.
 */
static int first_pass(struct mrun *m, struct err *err)
{
	size_t nc = m->r->ncells, c, *ord;
	unsigned char *want;
	int ret = 0;

	m->planned = xcalloc(nc + 1, 1);
	if (!m->deadline || nc < 2) {
		plan_runs(m, NULL);
		ret = run_jobs(m, err);
		free_jobs(m);
		return ret;
	}
	want = xcalloc(nc + 1, 1);
	ord = xcalloc(nc, sizeof(*ord));
	cell_order(m, ord);
	want[ord[0]] = 1;
	plan_runs(m, want);
	/* The next cells are planned whenever a slot frees with nothing
	 * waiting, not once the last process of the cells before has ended:
	 * a hang there holds one slot, not the pass, and the package's
	 * process in the next cell times it for limit_running(). */
	m->open_stage = 1;
	for (;;) {
		ret = run_jobs(m, err);
		if (ret < 0)
			break;
		if (m->running_builds)
			plan_early(m);
		else if (cells_that_fit(m, want) > 0)
			plan_runs(m, want);
		else if (!ret)
			break;
	}
	m->open_stage = 0;
	free_jobs(m);
	for (c = 0; c < nc && !ret; c++) {
		size_t p;

		if (m->planned[c])
			continue;
		for (p = 0; p < m->npkgs && !m->planned[c]; p++)
			if (m->unit_planned[p * nc + c])
				m->planned[c] = 2;
		if (m->planned[c]) {
			/* Ran early (plan_early()), the rest did not fit. */
			m->r->budget.cells_partial++;
			cell_done(m, (int)c);
			continue;
		}
		m->r->budget.cells_skipped++;
		if (m->o->progress) {
			clear_live(m);
			fprintf(m->o->progress, "flake-collector: cell %zu/%zu "
				"%-24s not run: it did not fit in the budget\n",
				c + 1, nc, m->r->cells[c].name);
		}
		cell_done(m, (int)c);
	}
	free(ord);
	free(want);
	return ret;
}

/* plan_round(), its time added to the planner's cost. */
static size_t timed_round(struct mrun *m)
{
	long long t0 = now_us();
	size_t n = plan_round(m);

	m->r->budget.plan_us += now_us() - t0;
	return n;
}

static void free_jobs(struct mrun *m)
{
	size_t i;

	for (i = 0; i < m->njobs; i++) {
		struct job *j = &m->jobs[i];

		if (j->state == 1) {
			proc_kill(&j->p, SIGKILL);
			proc_wait(&j->p);
		}
		gtest_agg_free(j->agg);
		free(j->pattern);
		buf_release(&j->errout);
	}
	free(m->jobs);
	m->jobs = NULL;
	m->njobs = m->alloc_jobs = 0;
}

/*
 * --verify-repro: each printed repro command is run as printed -- through
 * the shell, in the directory the collector was started in -- and its exit
 * status is the verdict.  Never a re-creation of it: what the user pastes
 * is what was checked.
 */
static void plan_verify(struct mrun *m)
{
	size_t i;

	for (i = 0; i < m->r->ntests; i++) {
		struct test *t = m->r->tests[i];
		struct job *j;
		int pi;

		if (!t->repro || t->via_subtest || t->worst_cell < 0 ||
		    !(t->status == VERDICT_FLAKY || t->status == VERDICT_FAILED ||
		      t->repeat) || !pkg_by_path(m, t->package, &pi))
			continue;
		j = add_job(m, JOB_VERIFY, pi, m->r->cells[t->worst_cell].race == 1,
			    t->worst_cell);
		j->verify = t;
	}
}

static int start_verify(struct mrun *m, struct job *j, struct err *err)
{
	const char *argv[] = { "sh", "-c", j->verify->repro, NULL };
	struct proc_opts po = { 0 };

	(void)m;
	po.merge_stderr = 1;
	po.new_pgrp = 1;
	po.unset = m->unset;
	return proc_spawn(&j->p, argv, &po, err);
}

int matrix_run(struct results *r, const struct matrix_opts *o,
	       struct err *err)
{
	struct mrun m;
	char tmpl[] = "/tmp/flake-collector-XXXXXX";
	const char *tmp = getenv("TMPDIR");
	struct buf tdir = BUF_INIT(4096);
	size_t i;
	int ret = -1;

	memset(&m, 0, sizeof(m));
	m.r = r;
	m.o = o;
	m.t0 = now_ms();
	m.trace = getenv("FLAKE_TRACE") != NULL;
	{
		size_t a, b, n = 0;

		m.unset = xcalloc(sizeof(matrix_secret_env) /
				  sizeof(matrix_secret_env[0]), sizeof(*m.unset));
		for (a = 0; matrix_secret_env[a]; a++) {
			int keep = 0;

			for (b = 0; o->pass_env && o->pass_env[b]; b++)
				keep |= !strcmp(o->pass_env[b], matrix_secret_env[a]);
			if (!keep)
				m.unset[n++] = matrix_secret_env[a];
		}
		m.plain.unset = m.unset;
	}
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		m.ncpu = n > 0 && n < 1024 ? (int)n : 2;
		m.max_runs = o->jobs > 0 ? o->jobs : m.ncpu;
	}
	if (o->tags && !r->tags)
		r->tags = xstrdup(o->tags);
	r->timeout_ms = o->timeout_ms;
	if (go_env(&m, err))
		goto out;
	find_repo_root(&m);
	if (m.trace)
		fprintf(stderr, "trace: %6.2f go env done\n",
			(double)(now_ms() - m.t0) / 1000.0);
	if (go_list(&m, err))
		goto out;
	if (m.trace)
		fprintf(stderr, "trace: %6.2f go list done: %zu packages\n",
			(double)(now_ms() - m.t0) / 1000.0, m.npkgs);
	if (buf_addf(&tdir, "%s/flake-collector-XXXXXX",
		     tmp && *tmp ? tmp : "/tmp"))
		goto out;
	m.tmpdir = mkdtemp(tdir.data) ? buf_detach(&tdir, NULL) : NULL;
	if (!m.tmpdir) {
		err_sys(err, "cannot create a temporary directory like '%s'", tmpl);
		goto out;
	}
	add_cells(&m);
	apply_priors(&m);
	m.unit_ms = xcalloc(m.npkgs * r->ncells + 1, sizeof(*m.unit_ms));
	m.unit_execs = xcalloc(m.npkgs * r->ncells + 1, sizeof(*m.unit_execs));
	m.unit_ok_ms = xcalloc(m.npkgs * r->ncells + 1, sizeof(*m.unit_ok_ms));
	m.unit_ok_execs = xcalloc(m.npkgs * r->ncells + 1,
				  sizeof(*m.unit_ok_execs));
	m.unit_time = xcalloc(m.npkgs * r->ncells + 1, sizeof(*m.unit_time));
	if (o->budget_ms > 0) {
		m.deadline = m.t0 + o->budget_ms;
		r->budget.budget_ms = o->budget_ms;
	}
	m.cell_start = xcalloc(r->ncells, sizeof(*m.cell_start));
	m.cell_end = xcalloc(r->ncells, sizeof(*m.cell_end));
	m.cell_left = xcalloc(r->ncells, sizeof(*m.cell_left));
	m.cell_finished = xcalloc(r->ncells, sizeof(*m.cell_finished));
	m.unit_planned = xcalloc(m.npkgs * r->ncells + 1,
				 sizeof(*m.unit_planned));
	m.build_t0 = now_ms();
	if (o->changed_since && plan_changed(&m, err))
		goto out;
	if (o->progress && o->gha)
		fprintf(o->progress, "::group::flake-collector: %zu packages x "
			"%zu cells\n", m.npkgs, r->ncells);
	stress_start(&m);
	if (first_pass(&m, err))
		goto out;
	if (m.deadline) {
		r->budget.first_pass_ms = now_ms() - m.t0;
		r->budget.exceeded = r->budget.first_pass_ms > o->budget_ms;
		for (m.round = 1; m.round <= 100; m.round++) {
			long long none = r->budget.dropped_processes;
			size_t n = timed_round(&m);

			if (!n)
				break;
			r->budget.rounds = m.round;
			if (run_jobs(&m, err))
				goto out;
			free_jobs(&m);
			/* None of its processes fit: nor will the next's. */
			if (r->budget.dropped_processes - none == (long long)n)
				break;
		}
	}
	for (i = 0; i < r->ncells; i++)
		r->cells[i].wall_ms = m.cell_end[i] - m.cell_start[i];
	m.reruns = o->rerun;
	if (m.deadline && o->rerun > 0) {
		long long t1 = now_us();

		m.reruns = budget_reruns(&m);
		r->budget.plan_us += now_us() - t1;
	}
	if (o->rerun > 0) {
		plan_reruns(&m);
		if (m.njobs && o->progress)
			fprintf(o->progress, "flake-collector: rerunning failed "
				"tests alone (%zu processes)\n", m.njobs);
		if (run_jobs(&m, err))
			goto out;
		free_jobs(&m);
	}
	stress_stop(&m);
	bisect_orders(&m);
	results_finish(r);
	if (o->verify_repro) {
		plan_verify(&m);
		if (m.njobs && o->progress)
			fprintf(o->progress, "flake-collector: verifying %zu repro "
				"command%s as printed\n", m.njobs,
				m.njobs == 1 ? "" : "s");
		if (run_jobs(&m, err))
			goto out;
		free_jobs(&m);
	}
	if (o->progress && o->gha)
		fprintf(o->progress, "::endgroup::\n");
	r->wall_ms = now_ms() - m.t0;
	ret = 0;
out:
	stress_stop(&m);
	free_jobs(&m);
	for (i = 0; i < m.npkgs; i++) {
		int k;

		for (k = 0; k < 2; k++) {
			if (m.pkgs[i].bin[k])
				unlink(m.pkgs[i].bin[k]);
			free(m.pkgs[i].bin[k]);
			free(m.pkgs[i].run[k]);
		}
		free(m.pkgs[i].import_path);
		free(m.pkgs[i].abs_dir);
	}
	free(m.pkgs);
	if (m.tmpdir) {
		remove_batch_dirs(&m);
		rmdir(m.tmpdir);
	}
	free(m.tmpdir);
	if (m.t2j_running) {
		proc_kill(&m.t2j, SIGKILL);
		proc_collect(&m.t2j, NULL, NULL);
	}
	free(m.test2json);
	free(m.tooldir);
	free(m.goroot_bin);
	free(m.cell_start);
	free(m.cell_end);
	free(m.cell_left);
	free(m.cell_finished);
	free(m.planned);
	free(m.unit_planned);
	free(m.here);
	free(m.unit_ms);
	free(m.unit_execs);
	free(m.unset);
	free(m.unit_ok_ms);
	free(m.unit_ok_execs);
	free(m.unit_time);
	buf_release(&tdir);
	return ret;
}
