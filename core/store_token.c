/*
 * store_token.c: upload tokens.  See store_token.h for the contract.
 *
 * Invariants:
 *   - The token text and its random bytes live only in buffers of this
 *     file that are wiped (OPENSSL_cleanse) before they go out of scope,
 *     and in the caller's *token_out.
 *   - The hash is SHA-256 over the whole text, prefix included; the lookup
 *     is by that hash (its UNIQUE index), then CRYPTO_memcmp confirms it,
 *     so no byte-by-byte comparison of secret material is timed.
 */
#include "store_token.h"
#include "ident.h"
#include "store_int.h"
#include "err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_RAW 32
#define TOKEN_HASH 32

/* SHA-256 of p[0..n) into out; 0, or -1 with err set. */
static int sha256(const void *p, size_t n, unsigned char out[TOKEN_HASH],
		  struct err *err)
{
	unsigned int len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) ||
	    len != TOKEN_HASH)
		return err_set(err, "cannot hash a token: SHA-256 failed");
	return 0;
}

/* 1 when t[0..len) has the shape of a token. */
static int well_formed(const char *t, size_t len)
{
	size_t i, plen = strlen(STORE_TOKEN_PREFIX);

	if (len != STORE_TOKEN_LEN || memcmp(t, STORE_TOKEN_PREFIX, plen))
		return 0;
	for (i = plen; i < len; i++)
		if (!((t[i] >= '0' && t[i] <= '9') ||
		      (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return 1;
}

int store_token_create(struct store *s, const char *repo, const char *label,
		       unsigned flags, char **token_out, struct err *err)
{
	static const char hex[] = "0123456789abcdef";
	static const char sql[] =
		"INSERT INTO tokens(repo_id, hash, label, created_at, pr_only)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	unsigned char raw[TOKEN_RAW], hash[TOKEN_HASH];
	char text[STORE_TOKEN_LEN + 1];
	size_t plen = strlen(STORE_TOKEN_PREFIX), i;
	long long rid = 0;
	int in_tx = 0, ret = -1;

	if (!ident_repo_ok(repo))
		return err_set(err, "cannot create a token: '%s' is not "
			       "OWNER/NAME (letters, digits, -, _, .)",
			       repo ? repo : "");
	if (RAND_bytes(raw, TOKEN_RAW) != 1) {
		err_set(err, "cannot create a token: no random bytes");
		goto out;
	}
	memcpy(text, STORE_TOKEN_PREFIX, plen);
	for (i = 0; i < TOKEN_RAW; i++) {
		text[plen + 2 * i] = hex[raw[i] >> 4];
		text[plen + 2 * i + 1] = hex[raw[i] & 0xf];
	}
	text[STORE_TOKEN_LEN] = '\0';
	if (sha256(text, STORE_TOKEN_LEN, hash, err))
		goto out;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_db_err(s, "cannot lock", err);
		goto out;
	}
	in_tx = 1;
	if (store_repo_find(s, repo, 1, &rid, err))
		goto out;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, rid) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 2, hash, TOKEN_HASH, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    store_bind_text(st, 3, label) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (long long)time(NULL)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, flags & STORE_TOKEN_PR_ONLY ? 1 : 0) !=
	    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_db_err(s, "cannot store a token in", err);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_db_err(s, "cannot commit a token to", err);
		goto out;
	}
	in_tx = 0;
	*token_out = xstrdup(text);
	ret = 0;
out:
	sqlite3_finalize(st);
	if (in_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	return ret;
}

int store_token_check(struct store *s, const char *token, size_t len,
		      char **repo_out, unsigned *flags_out, struct err *err)
{
	static const char get[] =
		"SELECT t.id, t.hash, t.revoked_at, r.name, t.pr_only FROM tokens t"
		" JOIN repos r ON r.id = t.repo_id WHERE t.hash = ?1";
	static const char used[] =
		"UPDATE tokens SET last_used_at = ?2 WHERE id = ?1"
		" AND (last_used_at IS NULL OR last_used_at <> ?2)";
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	unsigned char hash[TOKEN_HASH];
	const void *stored;
	char *repo = NULL;
	long long id;
	int rc, ret = -1;

	if (!token || !well_formed(token, len))
		return 1;
	if (sha256(token, len, hash, err))
		return -1;
	if (sqlite3_prepare_v2(db, get, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 1, hash, TOKEN_HASH, SQLITE_STATIC) !=
	    SQLITE_OK) {
		store_db_err(s, "cannot read tokens of", err);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_db_err(s, "cannot read tokens of", err);
		goto out;
	}
	stored = sqlite3_column_blob(st, 1);
	if (!stored || sqlite3_column_bytes(st, 1) != TOKEN_HASH ||
	    CRYPTO_memcmp(stored, hash, TOKEN_HASH) ||
	    sqlite3_column_type(st, 2) != SQLITE_NULL) {
		ret = 1;
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	repo = store_col_dup(st, 3);
	if (flags_out)
		*flags_out = sqlite3_column_int(st, 4) ? STORE_TOKEN_PR_ONLY : 0;
	sqlite3_finalize(st);
	st = NULL;
	/*
	 * last_used_at is bookkeeping: it must never fail an upload.  It is
	 * written only when the write lock is free at once (no busy wait
	 * behind a long upload transaction); a skipped update is retried by
	 * the token's next use.
	 */
	sqlite3_busy_timeout(db, 0);
	if (sqlite3_prepare_v2(db, used, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, id) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 2, (long long)time(NULL)) == SQLITE_OK)
		(void)sqlite3_step(st);
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	*repo_out = repo;
	repo = NULL;
	ret = 0;
out:
	sqlite3_finalize(st);
	free(repo);
	OPENSSL_cleanse(hash, sizeof(hash));
	return ret;
}

int store_token_list(struct store *s, const char *repo,
		     struct token_row **rows, size_t *n, struct err *err)
{
	static const char sql[] =
		"SELECT t.id, r.name, t.label, t.created_at,"
		" coalesce(t.last_used_at, 0), coalesce(t.revoked_at, 0),"
		" t.pr_only FROM tokens t JOIN repos r ON r.id = t.repo_id"
		" WHERE ?1 IS NULL OR r.name = ?1 ORDER BY t.id";
	sqlite3_stmt *st = NULL;
	struct token_row *v = NULL;
	size_t count = 0, alloc = 0;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL) !=
	    SQLITE_OK || store_bind_text(st, 1, repo) != SQLITE_OK) {
		store_db_err(s, "cannot read tokens of", err);
		goto out;
	}
	for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		struct token_row *t;

		xgrow((void **)&v, &alloc, count + 1, sizeof(*v));
		t = &v[count++];
		t->id = sqlite3_column_int64(st, 0);
		t->repo = store_col_dup(st, 1);
		if (!t->repo)
			t->repo = xstrdup("");
		t->label = store_col_dup(st, 2);
		t->created_at = sqlite3_column_int64(st, 3);
		t->last_used_at = sqlite3_column_int64(st, 4);
		t->revoked_at = sqlite3_column_int64(st, 5);
		t->flags = sqlite3_column_int(st, 6) ? STORE_TOKEN_PR_ONLY : 0;
	}
	if (rc != SQLITE_DONE) {
		store_db_err(s, "cannot read tokens of", err);
		goto out;
	}
	*rows = v;
	*n = count;
	v = NULL;
	count = 0;
	ret = 0;
out:
	store_token_rows_free(v, count);
	sqlite3_finalize(st);
	return ret;
}

void store_token_rows_free(struct token_row *rows, size_t n)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < n; i++) {
		free(rows[i].repo);
		free(rows[i].label);
	}
	free(rows);
}

int store_token_revoke(struct store *s, long long id, struct err *err)
{
	static const char sql[] =
		"UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2)"
		" WHERE id = ?1";
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (long long)time(NULL)) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_db_err(s, "cannot revoke a token in", err);
		goto out;
	}
	if (sqlite3_changes(db) != 1) {
		err_set(err, "no such token %lld", id);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}
