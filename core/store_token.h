/*
 * store_token.h: the reporter's upload tokens, kept in the history store
 * (table tokens, schema/002_reporter.sql).
 *
 * A token is "flk_" followed by 64 lowercase hex digits: 32 bytes from
 * OpenSSL's RAND_bytes().  Only its SHA-256 is stored, so a copy of the
 * database does not give upload rights; the text exists once, in the
 * output of store_token_create().  A token writes only its repository.
 *
 * Invariants:
 *   - Nothing here logs, stores or puts a token's text into an error
 *     message.  (Caller: wipe your copies, as store_token_create() does
 *     with its own buffers.)
 *   - A revoked token stays in the table (revoked_at set) and never
 *     validates again.
 *
 * Lifecycle (flake-reporter token create|list|revoke, and the server):
 *   1. store_open() as usual (migration 2 adds the table);
 *   2. store_token_create(s, "acme/api", "ci", &tok, err): print tok once,
 *      wipe and free it;
 *   3. on each upload: store_token_check(s, text, len, &repo, err);
 *   4. store_token_list() / store_token_revoke() for administration.
 * Same threading rule as the store: one thread at a time per store.
 */
#ifndef CORE_STORE_TOKEN_H
#define CORE_STORE_TOKEN_H

#include "err.h"
#include "store.h"

#include <stddef.h>

/* "flk_" + 64 hex digits. */
#define STORE_TOKEN_PREFIX "flk_"
#define STORE_TOKEN_LEN 68

/*
 * Makes a token for repository repo (created when missing) with an
 * optional label (NULL: none), and stores its hash.  Returns 0 and sets
 * *token_out (OUT, NUL-terminated, STORE_TOKEN_LEN characters; the caller
 * frees it, best after wiping it).  Returns -1 with err set and *token_out
 * unmodified when repo is empty, the random generator fails, or the
 * database cannot be written.
 */
int store_token_create(struct store *s, const char *repo, const char *label,
		       unsigned flags, char **token_out, struct err *err);

/* Flags of a token (store_token_create(), store_token_check()). */
#define STORE_TOKEN_PR_ONLY 1u	/* uploads pull-request runs only */

/*
 * Checks the token token[0..len) (need not be NUL-terminated; an
 * "Authorization: Bearer" value).  Returns 0 when it is a known token that
 * is not revoked: *repo_out (OUT, caller frees) is its repository,
 * *flags_out (OUT, may be NULL) its flags, and its last_used_at is set to
 * now.  Returns 1 when it is malformed, unknown
 * or revoked (not an error: *repo_out unmodified, err untouched).
 * Returns -1 with err set (*repo_out unmodified) on a database error.
 * The stored hash is compared in constant time (CRYPTO_memcmp).
 * last_used_at is updated when the write lock is free at once, else
 * skipped: bookkeeping never fails or delays a check.
 */
int store_token_check(struct store *s, const char *token, size_t len,
		      char **repo_out, unsigned *flags_out, struct err *err);

/* One token as listed: never its text or hash.  Strings owned by the row. */
struct token_row {
	long long id;
	char *repo;
	char *label;		/* NULL: none */
	long long created_at;	/* unix seconds */
	long long last_used_at;	/* 0: never used */
	long long revoked_at;	/* 0: valid */
	unsigned flags;		/* STORE_TOKEN_PR_ONLY */
};

/*
 * The tokens of repository repo (NULL: of every repository), by id.
 * Returns 0 and sets *rows (OUT, NULL when none; free with
 * store_token_rows_free()) and *n (OUT).  Returns -1 with err set, *rows
 * and *n unmodified.
 */
int store_token_list(struct store *s, const char *repo,
		     struct token_row **rows, size_t *n, struct err *err);

/* Frees rows[0..n) and the array.  NULL is a no-op. */
void store_token_rows_free(struct token_row *rows, size_t n);

/*
 * Revokes token id (from store_token_list()) now.  Revoking a revoked
 * token is a no-op that succeeds (its revoked_at is kept).  Returns 0, or
 * -1 with err set: "no such token N", or a database error.
 */
int store_token_revoke(struct store *s, long long id, struct err *err);

#endif
