/*
 * meta.h: run metadata from the environment -- the GitHub Actions
 * variables (GITHUB_*) and event payload when present, git otherwise.
 * Explicit flags override both; the caller applies them afterwards.
 */
#ifndef CORE_META_H
#define CORE_META_H

#include "results.h"

/*
 * Fills the unset fields of m from GITHUB_* (and the pull_request event
 * payload at GITHUB_EVENT_PATH), then from `git` run in `dir` (commit,
 * branch) when not in Actions.  Never fails: what cannot be learned stays
 * NULL / 0.  started_at is set to now.
 */
void meta_from_env(struct run_meta *m, const char *dir);

/* Replaces *field with a copy of value (NULL clears). */
void meta_set(char **field, const char *value);

#endif
