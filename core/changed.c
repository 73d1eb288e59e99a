/*
 * changed.c: the packages a change touches (see changed.h).
 */
#include "changed.h"
#include "buf.h"
#include "matrix.h"
#include "proc.h"

#include <stdlib.h>
#include <string.h>

static void chomp(struct buf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n' ||
			  b->data[b->len - 1] == '\r'))
		buf_truncate(b, b->len - 1);
}

/* Runs argv in dir; 0 with its stdout in out (chomped when trim). */
static int run(const char *dir, const char *const *argv, struct buf *out,
	       int trim, struct err *err)
{
	struct proc_opts po = { 0 };
	int rc;

	po.dir = dir;
	po.unset = matrix_secret_env;
	buf_reset(out);
	rc = proc_run(argv, &po, out, NULL, err);
	if (rc < 0)
		return -1;
	if (trim)
		chomp(out);
	return rc;
}

/* 1 when path is dir or below it (both absolute, no trailing slash). */
static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/' ||
					  (n == 1 && dir[0] == '/'));
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The package whose directory holds the file at abs (the deepest). */
static struct changed_pkg *owner(struct changed_pkg *pkgs, size_t n,
				 const char *abs)
{
	struct changed_pkg *best = NULL;
	size_t i, best_len = 0;
	char *d = xstrdup(abs), *slash = strrchr(d, '/');

	if (slash)
		*slash = '\0';
	for (i = 0; i < n; i++) {
		size_t len = strlen(pkgs[i].dir);

		if (under(d, pkgs[i].dir) && len >= best_len) {
			best = &pkgs[i];
			best_len = len;
		}
	}
	free(d);
	return best;
}

/*
 * One changed path (relative to top): marks its package, or says that
 * everything is touched.  Returns 1 for "everything".
 */
static int one_path(const char *top, const char *dir, const char *rel,
		    struct changed_pkg *pkgs, size_t n, const char **why)
{
	struct buf abs = BUF_INIT(1u << 16);
	const char *b = base_name(rel);
	struct changed_pkg *p;
	int all = 0;
	char *fdir;

	if (buf_addf(&abs, "%s/%s", top, rel)) {
		buf_release(&abs);
		*why = "a changed path is too long";
		return 1;
	}
	fdir = xstrdup(buf_str(&abs));
	if (strrchr(fdir, '/'))
		*strrchr(fdir, '/') = '\0';
	if (!strcmp(b, "go.mod") || !strcmp(b, "go.sum") ||
	    !strcmp(b, "go.work") || !strcmp(b, "go.work.sum")) {
		/* The module's own (at or above its root), not a nested
		 * module's. */
		if (under(dir, fdir)) {
			*why = "go.mod, go.sum or go.work changed";
			all = 1;
		}
	} else if (under(buf_str(&abs), dir)) {
		p = owner(pkgs, n, buf_str(&abs));
		if (p) {
			/* Its tests or their data only: its importers do not
			 * see the change. */
			size_t bl = strlen(b);
			int test_only = (bl > 8 && !strcmp(b + bl - 8, "_test.go")) ||
				strstr(buf_str(&abs) + strlen(p->dir), "/testdata/");

			if (!test_only)
				p->touched = 1;
			else if (!p->touched)
				p->touched = 3;
		} else if (strlen(b) > 3 && !strcmp(b + strlen(b) - 3, ".go")) {
			*why = "a .go file changed outside every package "
			       "(a deleted or moved package)";
			all = 1;
		}
	}
	free(fdir);
	buf_release(&abs);
	return all;
}

/* NUL-separated paths in out: each through one_path(). */
static int paths(const char *top, const char *dir, const struct buf *out,
		 struct changed_pkg *pkgs, size_t n, const char **why,
		 size_t *nfiles)
{
	size_t i = 0;

	while (i < out->len) {
		const char *rel = out->data + i;
		size_t len = strnlen(rel, out->len - i);

		if (len && i + len < out->len) {
			(*nfiles)++;
			if (one_path(top, dir, rel, pkgs, n, why))
				return 1;
		}
		i += len + 1;
	}
	return 0;
}

/* The importers: `go list -test -deps`'s test binaries and packages
 * whose dependencies hold a changed package are touched (2). */
static int importers(const char *go, const char *dir, const char *tags,
		     struct changed_pkg *pkgs, size_t n, const char **why,
		     struct err *err)
{
	const char *argv[10];
	struct buf out = BUF_INIT(256u << 20);
	char *line;
	size_t i = 0, k, nchanged = 0;
	size_t *changed = xcalloc(n + 1, sizeof(*changed));
	int rc;

	/* Only the changed packages are looked for in the dependencies. */
	for (k = 0; k < n; k++)
		if (pkgs[k].touched == 1)
			changed[nchanged++] = k;

	argv[i++] = go;
	argv[i++] = "list";
	argv[i++] = "-e";
	argv[i++] = "-test";
	if (tags) {
		argv[i++] = "-tags";
		argv[i++] = tags;
	}
	argv[i++] = "-f";
	argv[i++] = "{{.ImportPath}}\t{{join .Deps \" \"}}";
	argv[i++] = "./...";
	argv[i] = NULL;
	rc = run(dir, argv, &out, 0, err);
	if (rc != 0) {
		buf_release(&out);
		free(changed);
		if (rc < 0)
			return -1;
		*why = "'go list -test' failed: the imports are unknown";
		return 1;
	}
	for (line = out.data; line && *line;) {
		char *nl = strchr(line, '\n'), *tab, *sp, *name, *dep;
		struct changed_pkg *who = NULL;
		size_t nlen;

		if (nl)
			*nl = '\0';
		tab = strchr(line, '\t');
		sp = strchr(line, ' ');
		if (!tab || (sp && sp < tab))
			goto next;	/* "p [p.test]": its p.test has it */
		*tab = '\0';
		name = line;
		nlen = strlen(name);
		if (nlen > 5 && !strcmp(name + nlen - 5, ".test"))
			name[nlen - 5] = '\0';
		for (k = 0; k < n; k++)
			if (!strcmp(pkgs[k].import_path, name))
				who = &pkgs[k];
		if (!who || who->touched)
			goto next;
		for (dep = tab + 1; *dep && !who->touched;) {
			size_t dl = strcspn(dep, " ");
			size_t bl = dl;
			const char *br = memchr(dep, '[', dl);

			/* "q [p.test]" is q compiled for p's test. */
			if (br && br > dep)
				bl = (size_t)(br - dep) - 1;
			for (k = 0; k < nchanged; k++) {
				const char *ip = pkgs[changed[k]].import_path;

				if (strlen(ip) == bl && !strncmp(ip, dep, bl)) {
					who->touched = 2;
					break;
				}
			}
			dep += dl;
			while (*dep == ' ')
				dep++;
		}
next:
		line = nl ? nl + 1 : NULL;
	}
	buf_release(&out);
	free(changed);
	return 0;
}

int changed_mark(const char *go, const char *dir, const char *ref,
		 const char *tags, struct changed_pkg *pkgs, size_t n,
		 int *everything, const char **why, size_t *nfiles,
		 struct err *err)
{
	struct buf top = BUF_INIT(1u << 16), base = BUF_INIT(4096);
	struct buf out = BUF_INIT(64u << 20);
	struct buf spec = BUF_INIT(4096);
	const char *argv[12];
	size_t i;
	int rc, ret = -1;

	*everything = 0;
	*why = NULL;
	*nfiles = 0;
	for (i = 0; i < n; i++)
		pkgs[i].touched = 0;
	argv[0] = "git";
	argv[1] = "rev-parse";
	argv[2] = "--show-toplevel";
	argv[3] = NULL;
	rc = run(dir, argv, &top, 1, err);
	if (rc < 0)
		goto out;
	if (rc != 0 || !top.len) {
		*why = "not a git repository (or no git)";
		goto all;
	}
	if (buf_addf(&spec, "%s^{commit}", ref)) {
		*why = "the reference is too long";
		goto all;
	}
	argv[1] = "rev-parse";
	argv[2] = "--verify";
	argv[3] = "--quiet";
	argv[4] = buf_str(&spec);
	argv[5] = NULL;
	rc = run(dir, argv, &base, 1, err);
	if (rc < 0)
		goto out;
	if (rc != 0) {
		*why = "the reference is unknown to git (a shallow clone? "
		       "fetch it, or use fetch-depth: 0)";
		goto all;
	}
	argv[1] = "merge-base";
	argv[2] = ref;
	argv[3] = "HEAD";
	argv[4] = NULL;
	rc = run(dir, argv, &out, 1, err);
	if (rc < 0)
		goto out;
	if (rc == 0 && out.len) {
		buf_reset(&base);
		if (buf_adds(&base, buf_str(&out))) {
			*why = "the merge base is too long";
			goto all;
		}
	}
	/* From the base to the working tree: commits and local edits. */
	argv[0] = "git";
	argv[1] = "diff";
	argv[2] = "--name-only";
	argv[3] = "-z";
	argv[4] = "--no-renames";
	argv[5] = buf_str(&base);
	argv[6] = "--";
	argv[7] = NULL;
	rc = run(buf_str(&top), argv, &out, 0, err);
	if (rc < 0)
		goto out;
	if (rc != 0) {
		*why = "'git diff' failed";
		goto all;
	}
	if (paths(buf_str(&top), dir, &out, pkgs, n, why, nfiles))
		goto all;
	argv[1] = "ls-files";
	argv[2] = "--others";
	argv[3] = "--exclude-standard";
	argv[4] = "-z";
	argv[5] = NULL;
	rc = run(buf_str(&top), argv, &out, 0, err);
	if (rc < 0)
		goto out;
	if (rc == 0 && paths(buf_str(&top), dir, &out, pkgs, n, why, nfiles))
		goto all;
	for (i = 0; i < n && !pkgs[i].touched; i++)
		;
	if (i < n) {
		rc = importers(go, dir, tags, pkgs, n, why, err);
		if (rc < 0)
			goto out;
		if (rc > 0)
			goto all;
	}
	ret = 0;
	goto out;
all:
	*everything = 1;
	for (i = 0; i < n; i++)
		pkgs[i].touched = 1;
	ret = 0;
out:
	buf_release(&top);
	buf_release(&base);
	buf_release(&out);
	buf_release(&spec);
	return ret;
}
