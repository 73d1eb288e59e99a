/*
 * proc.c: fork/exec with pipes (see proc.h).
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_fail(const char *what, const char *arg)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "cannot %s '%s': %s\n", what, arg,
			 strerror(errno));

	if (n > 0 && write(2, msg, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

/*
 * A pipe whose ends are not inherited by any child but the one they are
 * dup2()ed into: go test's test binaries get the descriptors its own
 * parent left open and none of go's (os/exec's TestExtraFiles skips itself
 * when it finds another), so the collector must not hand one child the
 * pipes of the others running beside it.
 */
static int pipe_cloexec(int fds[2])
{
	if (pipe(fds))
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) || fcntl(fds[1], F_SETFD, FD_CLOEXEC)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

int proc_spawn(struct proc *p, const char *const *argv,
	       const struct proc_opts *o, struct err *err)
{
	int out[2], errp[2] = { -1, -1 };
	static const struct proc_opts none;
	pid_t pid;

	if (!o)
		o = &none;
	if (pipe_cloexec(out))
		return err_sys(err, "cannot create a pipe");
	if (!o->merge_stderr && pipe_cloexec(errp)) {
		close(out[0]);
		close(out[1]);
		return err_sys(err, "cannot create a pipe");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err_sys(err, "cannot start '%s'", argv[0]);
		close(out[0]);
		close(out[1]);
		if (errp[0] >= 0) {
			close(errp[0]);
			close(errp[1]);
		}
		return -1;
	}
	if (pid == 0) {
		size_t i;
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (o->new_pgrp)
			setpgid(0, 0);
		if (devnull > 0) {
			dup2(devnull, 0);
			close(devnull);
		} else if (devnull == 0) {
			fcntl(0, F_SETFD, 0);	/* it is stdin already */
		}
		dup2(out[1], 1);
		dup2(o->merge_stderr ? out[1] : errp[1], 2);
		close(out[0]);
		close(out[1]);
		if (errp[0] >= 0) {
			close(errp[0]);
			close(errp[1]);
		}
		signal(SIGPIPE, SIG_DFL);
		for (i = 0; o->unset && o->unset[i]; i++)
			unsetenv(o->unset[i]);
		for (i = 0; o->env && o->env[i]; i++)
			putenv((char *)(uintptr_t)o->env[i]);
		if (o->dir && chdir(o->dir))
			child_fail("change to directory", o->dir);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		child_fail("run", argv[0]);
	}
	if (o->new_pgrp)
		setpgid(pid, pid);
	close(out[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = errp[0];
	return 0;
}

int proc_wait(struct proc *p)
{
	int st;

	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
	while (waitpid(p->pid, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

void proc_kill(struct proc *p, int sig)
{
	if (p->pid <= 0)
		return;
	if (kill(-p->pid, sig) < 0)
		kill(p->pid, sig);
}

static void drain(int fd, struct buf *b)
{
	char tmp[65536];
	ssize_t n;

	n = read(fd, tmp, sizeof(tmp));
	if (n > 0 && b) {
		size_t room = b->limit - b->len;

		if (buf_add(b, tmp, (size_t)n < room ? (size_t)n : room))
			BUG("bounded append");
	}
}

int proc_run(const char *const *argv, const struct proc_opts *o,
	     struct buf *out, struct buf *errout, struct err *err)
{
	struct proc p;

	if (proc_spawn(&p, argv, o, err))
		return -1;
	return proc_collect(&p, out, errout);
}

int proc_collect(struct proc *pp, struct buf *out, struct buf *errout)
{
	struct proc p = *pp;
	struct pollfd fds[2];

	for (;;) {
		int nf = 0, i;

		if (p.out_fd >= 0) {
			fds[nf].fd = p.out_fd;
			fds[nf++].events = POLLIN;
		}
		if (p.err_fd >= 0) {
			fds[nf].fd = p.err_fd;
			fds[nf++].events = POLLIN;
		}
		if (!nf)
			break;
		if (poll(fds, (nfds_t)nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < nf; i++) {
			char probe;
			int fd = fds[i].fd;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (fds[i].revents & POLLIN) {
				drain(fd, fd == p.out_fd ? out : errout);
				continue;
			}
			/* Hang-up with nothing left to read: closed. */
			if (read(fd, &probe, 0) >= 0) {
				close(fd);
				if (fd == p.out_fd)
					p.out_fd = -1;
				else
					p.err_fd = -1;
			}
		}
	}
	*pp = p;
	return proc_wait(pp);
}

int proc_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	struct buf b = BUF_INIT(8192);
	int found = 0;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	while (*path && !found) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);

		buf_reset(&b);
		if (!buf_add(&b, n ? path : ".", n ? n : 1) &&
		    !buf_addf(&b, "/%s", prog) && access(b.data, X_OK) == 0)
			found = 1;
		path += n + (colon ? 1 : 0);
	}
	buf_release(&b);
	return found;
}
