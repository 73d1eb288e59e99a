/*
 * proc.h: child processes with their output on pipes.
 *
 * Lifecycle:
 *   1. struct proc p; proc_spawn(&p, argv, &opts, err);
 *   2. read p.out_fd (and p.err_fd unless merged) until EOF, e.g. with poll;
 *   3. proc_wait(&p) -> the exit status: the exit code, or 128 + signal.
 *      It closes the descriptors.
 */
#ifndef CORE_PROC_H
#define CORE_PROC_H

#include "buf.h"
#include "err.h"

#include <sys/types.h>

struct proc {
	pid_t pid;
	int out_fd;		/* child's stdout, -1 when closed */
	int err_fd;		/* child's stderr, -1 when merged or closed */
};

struct proc_opts {
	const char *dir;		/* working directory, NULL inherit */
	const char *const *env;		/* "NAME=value" set in the child */
	const char *const *unset;	/* names removed in the child */
	int merge_stderr;		/* stderr into out_fd */
	int new_pgrp;			/* own process group (for killing) */
};

/* Starts argv[0] (searched in PATH) with stdin on /dev/null and stdout and
 * stderr on the pipes.  Like go test's children it inherits what the
 * caller's parent left open, never the caller's own pipes or files (all
 * close-on-exec).  Returns 0, or -1 with err set; a
 * program that is not found is reported by the child as exit status 127
 * with a message on its stderr. */
int proc_spawn(struct proc *p, const char *const *argv,
	       const struct proc_opts *o, struct err *err);

/* Waits for the child; returns its exit status (code, or 128 + signal). */
int proc_wait(struct proc *p);

/* Sends sig to the child's process group (new_pgrp) or the child. */
void proc_kill(struct proc *p, int sig);

/*
 * Runs argv to completion, stdout into out (bounded by its limit; excess
 * discarded) and stderr into errout (may be NULL to discard).  Returns the
 * exit status, or -1 with err set when it could not be started.
 */
int proc_run(const char *const *argv, const struct proc_opts *o,
	     struct buf *out, struct buf *errout, struct err *err);

/*
 * proc_run()'s second half, for a child proc_spawn() started earlier
 * (its output small enough to wait in the pipes meanwhile, or read as
 * it comes here): stdout into out, stderr into errout (NULL discards),
 * to their end; then waits.  Returns the exit status.
 */
int proc_collect(struct proc *p, struct buf *out, struct buf *errout);

/* Is `prog` an executable somewhere on PATH? */
int proc_in_path(const char *prog);

#endif
