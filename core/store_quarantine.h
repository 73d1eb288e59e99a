/*
 * store_quarantine.h: the quarantine list of a repository (docs/GATE.md,
 * "Quarantine") and its release on evidence.  The reporter keeps it
 * (`flake-reporter quarantine`, the API); embedded mode mirrors a file
 * checked into the repository into the local store (store_quarantine_sync).
 * store_classify() (store_query.h) reads it: quarantined tests are
 * CLASS_QUARANTINED, tests flaking again after a release CLASS_REGRESSED.
 */
#ifndef CORE_STORE_QUARANTINE_H
#define CORE_STORE_QUARANTINE_H

#include "err.h"
#include "store.h"

/* One entry, with its release evidence.  Strings owned by the entry. */
struct q_quarantine {
	long long id;
	char *package, *name, *reason, *added_by, *added_at, *issue_url;
	char *released_at;		/* NULL: still in quarantine */
	double p0;			/* its rate when it was quarantined */
	long long clean;		/* executions since its last failure
					 * (since added_at when none) */
	long long failures;		/* failures since added_at */
	long long need;			/* stats_release_need(p0) */
	int ready;			/* clean >= need: ready to release */
};

/* What add takes (strings borrowed; issue_url may be NULL). */
struct quarantine_add {
	const char *package, *name, *reason, *added_by, *issue_url;
	const char *added_at;		/* NULL: now */
};

/*
 * Quarantines (package, name) in repo (created when unknown).  p0 is the
 * test's failure rate over the last 30 days on any branch, or 5% when the
 * store has no execution of it.  0; -1 with err set ("'x' is already in
 * quarantine", or a database failure).
 */
int store_quarantine_add(struct store *s, const char *repo,
			 const struct quarantine_add *a, long long now_unix,
			 struct err *err);

/* Releases the active entry of (package, name): 0, or -1 with err set
 * ("'x' is not in quarantine"). */
int store_quarantine_release(struct store *s, const char *repo,
			     const char *package, const char *name,
			     long long now_unix, struct err *err);

/*
 * The entries of repo, active first (by added_at), then the released ones
 * of the last 90 days, with their evidence.  0 with *v (OUT; free with
 * store_quarantine_free()) and *n; -1 with err set.  An unknown
 * repository has none.
 */
int store_quarantine_list(struct store *s, const char *repo,
			  long long now_unix, struct q_quarantine **v,
			  size_t *n, struct err *err);

void store_quarantine_free(struct q_quarantine *v, size_t n);

/*
 * Makes repo's active list exactly a[0..n) (embedded mode: the file is
 * the truth): entries missing from a are released, new ones added, kept
 * ones keep their p0 and date.  One transaction.  0, or -1 with err set.
 */
int store_quarantine_sync(struct store *s, const char *repo,
			  const struct quarantine_add *a, size_t n,
			  long long now_unix, struct err *err);

/*
 * --auto-release: releases every active entry of repo that is ready
 * (store_quarantine_list()'s evidence); *released (OUT) counts them.  0,
 * or -1 with err set.
 */
int store_quarantine_auto_release(struct store *s, const char *repo,
				  long long now_unix, size_t *released,
				  struct err *err);

/*
 * For store_classify(): *active 1 when (package, name) is in repo's
 * quarantine now; *released 1 when it is not but was released before
 * `before` (an ISO time).  0, or -1 with err set.
 */
int store_quarantine_state(struct store *s, long long repo_id,
			   const char *package, const char *name,
			   const char *before, int *active, int *released,
			   struct err *err);

#endif
