/*
 * changed.h: the packages a change touches (--changed-since REF), for
 * running them first or only them.
 *
 * A package is touched when a file changed in its directory -- any file,
 * tests and testdata included, but not one in a sub-package's directory
 * -- or when it imports a package with a changed non-test file, directly
 * or not, its tests' imports included (`go list -test`'s Deps).  A change
 * to a package's tests only (_test.go files, testdata/) touches that
 * package alone.  Everything is touched when
 * go.mod, go.sum, go.work or go.work.sum changed, or when a .go file
 * changed in a directory that is no package now (a deleted or moved
 * package: its importers changed too, or no longer build).
 *
 * The change is `git diff` from the merge base of REF and HEAD (REF
 * itself when there is none, as in a shallow clone) to the working tree,
 * plus untracked files.  When git cannot answer (no repository, REF
 * unknown), the answer is "everything", with a reason: never fewer
 * packages than the change touches.
 */
#ifndef CORE_CHANGED_H
#define CORE_CHANGED_H

#include "err.h"

#include <stddef.h>

struct changed_pkg {
	const char *import_path;	/* borrowed from the caller */
	const char *dir;		/* absolute, borrowed */
	int touched;			/* OUT: 0 not; 1 changed; 2 imports a
					 * changed one; 3 only its tests (or
					 * their testdata) changed */
};

/*
 * Marks pkgs[0..n) (the module's packages, as go list gives them; the
 * strings stay the caller's) for the change since ref, running git in dir
 * and `go` (the go command) for the imports.  Returns 0 with *everything
 * set to 1 when every package counts as touched (then *why says why,
 * static text), or 0 with the marks set; -1 with err set only when git or
 * go could not be started at all.  *nfiles gets the number of changed
 * files.
 */
int changed_mark(const char *go, const char *dir, const char *ref,
		 const char *tags, struct changed_pkg *pkgs, size_t n,
		 int *everything, const char **why, size_t *nfiles,
		 struct err *err);

#endif
