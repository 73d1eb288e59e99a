/*
 * server.h: flake-reporter's HTTP layer on libmicrohttpd -- request state,
 * the route table, response helpers and the access log.  Route handlers
 * live in one file per route group (route_*.c) and see only this header
 * and core/.
 *
 * Threads: libmicrohttpd runs a pool of worker threads; each has its own
 * SQLite connection (server_store()), opened on first use.  SQLite in WAL
 * mode lets readers run beside the one writer; writers wait on the busy
 * timeout, never answering SQLITE_BUSY to a client.
 *
 * A handler fills `struct reply` (status, JSON or text body, extra
 * headers); the server sends it, logs one access line (method, path,
 * status, milliseconds -- never a header or query string) and frees it.
 */
#ifndef REPORTER_SERVER_H
#define REPORTER_SERVER_H

#include "core/buf.h"
#include "core/err.h"
#include "core/store.h"

#include <jansson.h>

struct server_cfg {
	const char *db_path;
	const char *listen;		/* HOST:PORT; port 0 = any */
	const char *port_file;		/* write the bound port here */
	const char *public_url;		/* base for links, e.g. https://flakes.example */
	const char *github_api_url;
	const char *github_token;	/* posts PR comments when set */
	const char *comment;		/* auto|always|never */
	size_t max_body;		/* bytes, after gzip inflation */
	int threads;
	int conn_timeout;		/* seconds an idle connection may live */
	int conn_limit;			/* open connections at most */
	int auto_release;		/* release quarantined tests when ready */
};

struct request {
	const char *method;
	const char *path;		/* without the query string */
	const char *const *params;	/* path parameters captured by the route */
	const char *body;		/* NULL unless the route takes one */
	size_t body_len;
	void *conn;			/* struct MHD_Connection, for headers */
	const struct server_cfg *cfg;
};

struct reply {
	unsigned status;
	struct buf body;
	const char *content_type;	/* static string */
	char allow[64];			/* Allow header for 405 */
	int retry_after;		/* seconds, for 503; 0 none */
	char location[512];
};

/* The request's header (case-insensitive), or NULL.  Borrowed. */
const char *req_header(const struct request *q, const char *name);
/* The query parameter, or NULL.  Borrowed. */
const char *req_query(const struct request *q, const char *name);

/* This thread's store, opened on first use; NULL with err set on failure. */
struct store *server_store(const struct server_cfg *cfg, struct err *err);

/* Reply helpers.  reply_json steals j (json_decref'd). */
void reply_json(struct reply *p, unsigned status, json_t *j);
void reply_error(struct reply *p, unsigned status, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * 503 for a database that is busy or cannot be opened: the detail (which
 * names server paths) goes to the log, the client gets a generic message
 * and Retry-After.
 */
void reply_unavailable(struct reply *p, const char *what,
		       const struct err *err);

/* Route handlers (route_*.c). */
void route_health(const struct request *q, struct reply *p);
void route_upload(const struct request *q, struct reply *p);
/* The upload's header checks (token first), on the first callback: sets
 * p->status when the request is refused before its body is read. */
void route_upload_early(const struct request *q, struct reply *p);
void route_repo_tests(const struct request *q, struct reply *p);
void route_repo_test(const struct request *q, struct reply *p);
void route_repo_runs(const struct request *q, struct reply *p);
void route_repo_quarantine(const struct request *q, struct reply *p);
void route_run(const struct request *q, struct reply *p);

/*
 * Runs the server until SIGTERM or SIGINT, then stops accepting, lets the
 * requests in flight finish and returns 0; -1 with err set when it cannot
 * start (bad --listen, port in use, database unusable).
 */
int server_run(const struct server_cfg *cfg, struct err *err);

#endif
