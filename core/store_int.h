/*
 * store_int.h: what the store's modules (store.c, store_token.c,
 * store_query.c) share and programs must not use: the SQLite connection
 * and small helpers over it.  Programs include store.h, store_token.h and
 * store_query.h only.
 */
#ifndef CORE_STORE_INT_H
#define CORE_STORE_INT_H

#include "err.h"
#include "store.h"

#include <sqlite3.h>
#include <stddef.h>

/* How long a write waits for the write lock (SQLite busy timeout). */
#define STORE_BUSY_MS 30000

/* Borrowed: the store's connection, valid until store_close(). */
sqlite3 *store_sqlite(struct store *s);

/* Sets err to "what 'path': sqlite's last message"; returns -1. */
int store_db_err(struct store *s, const char *what, struct err *err);

/* Binds v as static text, or NULL when v is NULL; SQLite's result code. */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);

/* A new copy of column i (caller frees), NULL when the column is NULL. */
char *store_col_dup(sqlite3_stmt *st, int i);

/*
 * 'YYYY-MM-DD' (UTC) of the first day of a window of window_days days
 * ending with the day of now into out (>= 11 bytes); "" when
 * window_days <= 0 (all time).
 */
void store_window_start(int window_days, long long now, char *out,
			size_t size);

/*
 * The id of repository name: 0 and *id (OUT) when it exists; 1 when it
 * does not and create is 0 (*id unmodified); creates it when create is
 * set.  -1 with err set on failure.
 */
int store_repo_find(struct store *s, const char *name, int create,
		    long long *id, struct err *err);

#endif
