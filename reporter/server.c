/*
 * server.c: the HTTP layer (see server.h): libmicrohttpd with a thread
 * pool on epoll, one route table, bodies gathered with a size limit,
 * one access-log line per request, clean shutdown on SIGTERM/SIGINT.
 */
#include <sys/socket.h>
#include <microhttpd.h>

#include "core/jsonw.h"
#include "server.h"
#include "html.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum route_flags {
	ROUTE_BODY = 1 << 0,	/* takes a request body */
};

struct route {
	const char *method;
	const char *pattern;	/* "/api/v1/runs/{}": {} captures a segment */
	void (*fn)(const struct request *q, struct reply *p);
	unsigned flags;
	/* Checks on the headers alone, before any of the body is read: a
	 * request it refuses costs no more than its headers. */
	void (*early)(const struct request *q, struct reply *p);
};

static const struct route routes[] = {
	{ "GET", "/healthz", route_health, 0, NULL },
	{ "POST", "/api/v1/uploads", route_upload, ROUTE_BODY,
	  route_upload_early },
	{ "GET", "/api/v1/repos/{}/{}/tests", route_repo_tests, 0, NULL },
	{ "GET", "/api/v1/repos/{}/{}/tests/{}", route_repo_test, 0, NULL },
	{ "GET", "/api/v1/repos/{}/{}/runs", route_repo_runs, 0, NULL },
	{ "GET", "/api/v1/runs/{}", route_run, 0, NULL },
	{ "GET", "/api/v1/repos/{}/{}/quarantine", route_repo_quarantine, 0, NULL },
	{ "GET", "/metrics", page_metrics, 0, NULL },
	{ "GET", "/static/app.css", page_static_css, 0, NULL },
	{ "GET", "/static/app.js", page_static_js, 0, NULL },
	{ "GET", "/badge/{}/{}", page_badge, 0, NULL },
	/* HTML pages last: "/{}/{}" would also match the paths above. */
	{ "GET", "/", page_home, 0, NULL },
	{ "GET", "/{}/{}", page_repo, 0, NULL },
	{ "GET", "/{}/{}/tests/{}", page_test, 0, NULL },
	{ "GET", "/{}/{}/runs/{}", page_run, 0, NULL },
};

#define MAX_PARAMS 4

/* Per-request state, in *req_cls; freed in the completion callback. */
struct conn_state {
	long long start_ns;
	const struct route *route;
	char *params[MAX_PARAMS + 1];
	struct buf body;
	int rejected;		/* a reply was queued before the body */
	unsigned defer_status;	/* refused mid-body: answer at its end */
	char defer_msg[256];
	unsigned status;
	char method[16];
	char path[256];
};

static _Thread_local struct store *thread_store;

/* Every store opened by a worker, closed at shutdown. */
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store **stores;
static size_t nstores, alloc_stores;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct store *server_store(const struct server_cfg *cfg, struct err *err)
{
	struct store *s;

	if (thread_store)
		return thread_store;
	if (store_open(&s, cfg->db_path, STORE_MUST_EXIST | STORE_DURABLE, err))
		return NULL;
	pthread_mutex_lock(&stores_lock);
	xgrow((void **)&stores, &alloc_stores, nstores + 1, sizeof(*stores));
	stores[nstores++] = s;
	pthread_mutex_unlock(&stores_lock);
	thread_store = s;
	return s;
}

const char *req_header(const struct request *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

const char *req_query(const struct request *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

void reply_json(struct reply *p, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	buf_reset(&p->body);
	p->status = status;
	p->content_type = "application/json; charset=utf-8";
	if (!s || buf_adds(&p->body, s) || buf_addc(&p->body, '\n')) {
		buf_reset(&p->body);
		p->status = 500;
		if (buf_adds(&p->body, "{\"error\":{\"status\":500,\"message\":"
			     "\"response too large\"}}\n"))
			BUG("error body");
	}
	free(s);
}

void reply_error(struct reply *p, unsigned status, const char *field,
		 const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_pack("{s:i,s:s}", "status", (int)status, "message", msg);
	if (field && *field)
		json_object_set_new(e, "field", jsonw_str(field));
	reply_json(p, status, json_pack("{s:o}", "error", e));
}

void reply_unavailable(struct reply *p, const char *what,
		       const struct err *err)
{
	fprintf(stderr, "flake-reporter: %s: %s\n", what, err->msg);
	reply_error(p, 503, NULL, "%s: the database is busy or unavailable; "
		    "retry later", what);
	p->retry_after = 2;
}

/* Matches path against pattern, capturing {} segments (decoded). */
static int match(const char *pattern, const char *path, char **params)
{
	int n = 0;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);

			if (!len || n >= MAX_PARAMS || len > 512)
				goto no;
			params[n++] = xstrndup(path, len);
			path += len;
			pattern += 2;
			continue;
		}
		if (*pattern++ != *path++)
			goto no;
	}
	if (*pattern || *path)
		goto no;
	params[n] = NULL;
	return 1;
no:
	while (n > 0) {
		n--;
		FREE_AND_NULL(params[n]);
	}
	return 0;
}

static void log_access(struct conn_state *st)
{
	double ms = (double)(now_ns() - st->start_ns) / 1e6;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s access %s %s %u %.1fms\n", ts, st->method,
		st->path, st->status, ms);
}

/* Paths are logged, so keep them printable and short. */
static void safe_copy(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static enum MHD_Result send_reply(struct MHD_Connection *c,
				  struct conn_state *st, struct reply *p)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	size_t len = p->body.len;
	/* Handed over, not copied: large pages are megabytes. */
	char *body = buf_detach(&p->body, NULL);

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", p->content_type ?
				p->content_type : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* Badges are embedded in READMEs: let caches keep them 5 minutes. */
	if (p->content_type && !strncmp(p->content_type, "image/svg+xml", 13))
		MHD_add_response_header(r, "Cache-Control", "max-age=300");
	else
		MHD_add_response_header(r, "Cache-Control", "no-store");
	/* Pages show untrusted test names and output: no inline script. */
	if (p->content_type && !strncmp(p->content_type, "text/html", 9)) {
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'none'; style-src 'self'; "
					"script-src 'self'; img-src 'self' data:; "
					"base-uri 'none'; form-action 'self'; "
					"frame-ancestors 'none'");
		MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	}
	if (p->allow[0])
		MHD_add_response_header(r, "Allow", p->allow);
	if (p->location[0])
		MHD_add_response_header(r, "Location", p->location);
	if (p->retry_after > 0) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%d", p->retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	st->status = p->status;
	ret = MHD_queue_response(c, p->status, r);
	MHD_destroy_response(r);
	return ret;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void reply_init(struct reply *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->body, 256u << 20);
}

static enum MHD_Result reject(struct MHD_Connection *c, struct conn_state *st,
			      unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum MHD_Result reject(struct MHD_Connection *c, struct conn_state *st,
			      unsigned status, const char *fmt, ...)
{
	struct reply p;
	char msg[512];
	va_list ap;
	enum MHD_Result ret;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_init(&p);
	reply_error(&p, status, NULL, "%s", msg);
	st->rejected = 1;
	ret = send_reply(c, st, &p);
	buf_release(&p.body);
	return ret;
}

/* Counts a header's occurrences and whether their values differ. */
struct header_count {
	const char *name;
	const char *first;
	int n, differ;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	struct header_count *h = cls;

	(void)kind;
	if (strcasecmp(key, h->name))
		return MHD_YES;
	if (h->n++ && strcmp(h->first ? h->first : "", value ? value : ""))
		h->differ = 1;
	if (!h->first)
		h->first = value;
	return MHD_YES;
}

static enum MHD_Result count_arg(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	(*(int *)cls)++;
	return MHD_YES;
}

/*
 * Decodes %XX in place, except %00: a NUL would cut the path short and
 * route "/api/v1/runs/1%00x" as "/api/v1/runs/1".  Kept as the three
 * characters, it matches no route and no identifier.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)c;
	while (*r) {
		int hi, lo;

		if (r[0] == '%' && r[1] && r[2] &&
		    (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 &&
		    (hi || lo)) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

#define MAX_QUERY_ARGS 64

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	const struct server_cfg *cfg = cls;
	struct conn_state *st = *req_cls;
	struct request q;
	struct reply p;
	enum MHD_Result ret;
	size_t i;
	int path_ok = 0;

	(void)version;
	if (!st) {
		st = xcalloc(1, sizeof(*st));
		st->start_ns = now_ns();
		buf_init(&st->body, cfg->max_body);
		safe_copy(st->method, sizeof(st->method), method);
		safe_copy(st->path, sizeof(st->path), url);
		*req_cls = st;
		{
			struct header_count h = { MHD_HTTP_HEADER_CONTENT_LENGTH,
						  NULL, 0, 0 };
			int nargs = 0;

			MHD_get_connection_values(c, MHD_HEADER_KIND,
						  count_header, &h);
			if (h.differ)
				return reject(c, st, 400, "two different "
					      "Content-Length headers");
			MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
						  count_arg, &nargs);
			if (nargs > MAX_QUERY_ARGS)
				return reject(c, st, 414, "%d query arguments: "
					      "at most %d", nargs,
					      MAX_QUERY_ARGS);
		}
		for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
			char *params[MAX_PARAMS + 1] = { 0 };

			if (!match(routes[i].pattern, url, params))
				continue;
			path_ok = 1;
			/* HEAD is GET without the body (RFC 9110 9.3.2);
			 * libmicrohttpd leaves the body out. */
			if (strcmp(routes[i].method, method) &&
			    !(!strcmp(method, "HEAD") &&
			      !strcmp(routes[i].method, "GET"))) {
				int k;

				for (k = 0; params[k]; k++)
					free(params[k]);
				continue;
			}
			st->route = &routes[i];
			memcpy(st->params, params, sizeof(params));
			break;
		}
		if (!st->route) {
			reply_init(&p);
			if (path_ok) {
				reply_error(&p, 405, NULL, "method %s not allowed "
					    "on %s", st->method, st->path);
				for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
					char *params[MAX_PARAMS + 1] = { 0 };
					int k;

					if (!match(routes[i].pattern, url, params))
						continue;
					snprintf(p.allow, sizeof(p.allow), "%s",
						 !strcmp(routes[i].method, "GET") ?
						 "GET, HEAD" : routes[i].method);
					for (k = 0; params[k]; k++)
						free(params[k]);
				}
			} else {
				reply_error(&p, 404, NULL, "no such resource: %s",
					    st->path);
			}
			st->rejected = 1;
			ret = send_reply(c, st, &p);
			buf_release(&p.body);
			return ret;
		}
		if (st->route->flags & ROUTE_BODY) {
			const char *cl = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			const char *te = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

			if (cl && strtoull(cl, NULL, 10) > cfg->max_body)
				return reject(c, st, 413, "body of %s bytes is over "
					      "the limit of %zu bytes", cl,
					      cfg->max_body);
			if (!cl && !te)
				return reject(c, st, 411, "a Content-Length is "
					      "required");
		} else {
			const char *cl = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			const char *te = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

			if ((cl && strtoull(cl, NULL, 10) > 0) || te)
				return reject(c, st, 400, "%s %s takes no request "
					      "body", st->method, st->path);
		}
		if (st->route->early) {
			memset(&q, 0, sizeof(q));
			q.method = st->method;
			q.path = st->path;
			q.params = (const char *const *)st->params;
			q.conn = c;
			q.cfg = cfg;
			reply_init(&p);
			st->route->early(&q, &p);
			if (p.status) {
				st->rejected = 1;
				ret = send_reply(c, st, &p);
				buf_release(&p.body);
				return ret;
			}
			buf_release(&p.body);
		}
		return MHD_YES;
	}
	if (st->rejected) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Over the limit mid-body (chunked): the rest is read and
		 * dropped, and the refusal answered at the end -- a reply
		 * the client sees, never a dropped connection. */
		if (!st->defer_status &&
		    (!(st->route->flags & ROUTE_BODY) ||
		     buf_add(&st->body, upload_data, *upload_data_size))) {
			st->defer_status = st->route->flags & ROUTE_BODY ? 413 : 400;
			snprintf(st->defer_msg, sizeof(st->defer_msg),
				 st->defer_status == 413 ?
				 "body is over the limit of %zu bytes" :
				 "this request takes no body (%zu)",
				 cfg->max_body);
			buf_release(&st->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->defer_status)
		return reject(c, st, st->defer_status, "%s", st->defer_msg);
	memset(&q, 0, sizeof(q));
	q.method = st->method;
	q.path = st->path;
	q.params = (const char *const *)st->params;
	q.body = st->body.data;
	q.body_len = st->body.len;
	q.conn = c;
	q.cfg = cfg;
	reply_init(&p);
	st->route->fn(&q, &p);
	if (!p.status)
		BUG("route %s gave no status", st->route->pattern);
	ret = send_reply(c, st, &p);
	buf_release(&p.body);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *req_cls;
	int k;

	(void)cls;
	(void)c;
	if (!st)
		return;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !st->status)
		st->status = 499;
	log_access(st);
	metrics_observe(st->status, now_ns() - st->start_ns,
			st->route && st->route->fn == route_upload);
	for (k = 0; k < MAX_PARAMS && st->params[k]; k++)
		free(st->params[k]);
	buf_release(&st->body);
	free(st);
	*req_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss,
			socklen_t *len, struct err *err)
{
	const char *colon = strrchr(listen, ':');
	char host[256];
	struct addrinfo hints, *res = NULL;
	int rc;

	if (!colon || (size_t)(colon - listen) >= sizeof(host) ||
	    !colon[1])
		return err_set(err, "--listen wants HOST:PORT, not '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &res);
	if (rc)
		return err_set(err, "cannot use --listen '%s': %s", listen,
			       gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int server_run(const struct server_cfg *cfg, struct err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct store *s;
	sigset_t set;
	int sig = 0;
	size_t i;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ERROR_LOG;

	/*
	 * glibc gives each thread its own malloc arena and keeps each at its
	 * peak; two arenas hold the reporter's memory to what the workers
	 * need at once (measured: 82 MB -> 50 MB at 1M rows), at no cost in
	 * speed here.
	 */
	mallopt(M_ARENA_MAX, 2);
	/* Migrations run once, here, before any worker opens the database. */
	if (store_open(&s, cfg->db_path, 0, err))
		return -1;
	store_close(s);
	if (parse_listen(cfg->listen, &ss, &sslen, err))
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Workers inherit the mask: only this thread takes the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, (void *)(uintptr_t)cfg,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->conn_limit,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     /* Room for many headers and query arguments, so a
			      * long request gets a 414, not a stall. */
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256u << 10),
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
			     MHD_OPTION_END);
	if (!d)
		return err_set(err, "cannot listen on '%s' (address in use, or "
			       "not an address of this machine)", cfg->listen);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "flake-reporter: listening on %s (port %u), database "
		"'%s'\n", cfg->listen, info ? info->port : 0, cfg->db_path);
	if (cfg->port_file && info) {
		FILE *f = fopen(cfg->port_file, "w");

		if (f) {
			fprintf(f, "%u\n", info->port);
			fclose(f);
		}
	}
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "flake-reporter: %s: finishing requests in flight\n",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_stop_daemon(d);
	for (i = 0; i < nstores; i++)
		store_close(stores[i]);
	free(stores);
	stores = NULL;
	nstores = alloc_stores = 0;
	fprintf(stderr, "flake-reporter: stopped\n");
	return 0;
}
