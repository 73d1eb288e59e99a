/*
 * ident.h: the one rule per identifier, used by every caller in both
 * programs (the collector's options, the upload reader, the API and page
 * routes, the GitHub client, token creation, the store's run keys), so no
 * two places can disagree on what a valid one is.
 *
 *   repository  OWNER/NAME: each part 1..100 of [A-Za-z0-9-_.], neither
 *               "." nor "..", one slash, at most 200 bytes in all.
 *   shard       I/N in canonical form: digits without sign, spaces or
 *               leading zeros, 1 <= I <= N <= IDENT_MAX_SHARDS.
 *   key part    a component of a run key: '%' and '/' are percent-encoded,
 *               so "5/1/x" as one part never equals two parts "5", "1/x".
 */
#ifndef CORE_IDENT_H
#define CORE_IDENT_H

#include "buf.h"

#define IDENT_MAX_REPO 200
#define IDENT_MAX_SHARDS 256

/* 1 when repo is a valid OWNER/NAME, else 0. */
int ident_repo_ok(const char *repo);
/* The same for the two parts apart (a route's {owner}/{repo}). */
int ident_repo_parts_ok(const char *owner, const char *name);
/* 1 when s is a canonical I/N (then *i, *n set; either may be NULL). */
int ident_shard_ok(const char *s, int *i, int *n);
/* Appends s as one run-key component.  0, or -1 when b is full. */
int ident_add_key_part(struct buf *b, const char *s)
	__attribute__((warn_unused_result));

#endif
