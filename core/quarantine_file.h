/*
 * quarantine_file.h: the quarantine list checked into a repository, for
 * embedded mode (docs/GATE.md, "Quarantine"): .github/flake-quarantine.yml,
 * reviewed in pull requests like code.  A small YAML subset -- a list of
 * flat maps of scalars:
 *
 *   # comments and blank lines anywhere
 *   - test: TestFlip                       (required)
 *     package: example.com/m/flip          (required: the import path)
 *     reason: "races on the listener"      (quotes optional)
 *     added_by: alice
 *     added_at: 2026-11-20                 (or 2026-11-20T10:00:00Z)
 *     issue: https://github.com/o/r/issues/123
 *
 * Anything else (an unknown key, a nested value, a missing test or
 * package) is an error naming the file and line: a list that is silently
 * misread would let failures through or block a team.
 */
#ifndef CORE_QUARANTINE_FILE_H
#define CORE_QUARANTINE_FILE_H

#include "err.h"
#include "store_quarantine.h"

#include <stddef.h>

/* The entries of one file; strings owned here. */
struct quarantine_file {
	struct quarantine_add *v;
	size_t n;
	char **owned;			/* every string v points to */
	size_t nowned;
};

/*
 * Reads path into f.  Returns 1 when path does not exist (f empty), 0
 * when read, -1 with err set ("path:LINE: ...").  At most 1000 entries.
 */
int quarantine_file_read(const char *path, struct quarantine_file *f,
			 struct err *err);

/* Parses text (NUL-terminated) as the file `name`; as above, no 1. */
int quarantine_file_parse(const char *text, const char *name,
			  struct quarantine_file *f, struct err *err);

void quarantine_file_release(struct quarantine_file *f);

#endif
