/*
 * html.h: the reporter's server-rendered pages (one page_*.c per page),
 * the helpers they share, the badge, the static CSS/JS and the /metrics
 * counters.
 *
 * Invariants:
 *   - Every piece of text that came from a request or the database goes
 *     through html_text() (element text and double-quoted attribute values
 *     alike: buf_add_html escapes both quotes) or html_url() (a query or
 *     path component, percent-encoded and then HTML-escaped).  html_raw()
 *     and html_rawf() are for this program's own markup and numbers only.
 *   - Pages carry no inline script, style or event handler: the server's
 *     Content-Security-Policy forbids them.  Styling is /static/app.css,
 *     the optional sorting and filtering /static/app.js.
 *   - A page is readable without JavaScript; forms use GET.
 *
 * Lifecycle of a page handler:
 *   1. struct html h; html_init(&h, p);
 *   2. html_head(&h, title); html_*() ... ; html_foot(&h);
 *   3. html_send(&h, 200)   (a 500 page when the body grew past its limit).
 * The html_*() writers never fail one by one: the first failed append
 * marks h, later ones are skipped, and html_send() reports it.
 */
#ifndef REPORTER_HTML_H
#define REPORTER_HTML_H

#include "server.h"

#include <stddef.h>

/* An HTML body being written into a reply. */
struct html {
	struct reply *p;
	int failed;		/* an append hit the body's limit */
};

void html_init(struct html *h, struct reply *p);

/* Our own markup, appended as is. */
void html_raw(struct html *h, const char *s);
void html_rawf(struct html *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Untrusted text, escaped for element text and attribute values; NULL is "". */
void html_text(struct html *h, const char *s);
/* Untrusted text percent-encoded for a URL component, then escaped. */
void html_url(struct html *h, const char *s);
/* An ISO time ("2024-05-10T08:00:00Z") as <time>; "–" when NULL. */
void html_time(struct html *h, const char *iso);
/* A ratio in [0, 1] as a percentage ("12.5%"). */
void html_pct(struct html *h, double x);
/* The short commit linked to GitHub; repo is "owner/name" (checked). */
void html_commit(struct html *h, const char *repo, const char *sha);
/* "#n" linked to the GitHub pull request; nothing when pr <= 0. */
void html_pr(struct html *h, const char *repo, long long pr);
/* An inline SVG bar of rate with its interval [lo, hi] (all in [0, 1]). */
void html_rate_bar(struct html *h, double rate, double lo, double hi);
/* A status word as a coloured label (failed, flaky, passed, ...). */
void html_status(struct html *h, const char *status);
/* An inline SVG sparkline of daily counts values[0..n), labelled with
 * their total; nothing when n is 0. */
void html_sparkline(struct html *h, const long long *values, size_t n);

/*
 * Opens the document: doctype, <head> with the title (escaped), the CSS
 * and the deferred script, and the site header.  repo (NULL for none) adds
 * a breadcrumb to the repository page.
 */
void html_head(struct html *h, const char *title, const char *repo);
/* Closes what html_head() opened. */
void html_foot(struct html *h);
/*
 * Sets the reply's status and Content-Type (text/html; charset=utf-8).
 * When an append failed, the reply becomes a short 500 page instead.
 */
void html_send(struct html *h, unsigned status);

/* A complete error page (404, 500, 503) with msg escaped. */
void html_error_page(struct reply *p, unsigned status, const char *msg);

/*
 * Path parameters as route_api.c checks them.  html_repo_param() writes
 * "owner/repo" from params[0] and params[1] into out; 0, or -1 when they
 * are not a repository name.  html_id_param() parses a positive id; 0 or
 * -1 (*out unmodified).
 */
int html_repo_param(const struct request *q, char *out, size_t n);
int html_id_param(const char *s, long long *out);
/* This thread's store, or NULL after replying with a 503 page. */
struct store *html_store(const struct request *q, struct reply *p);
/* A failed query: a 404 page for "no such ...", else a 500 page. */
void html_query_failed(struct reply *p, const struct err *err);

/* Pages (page_*.c). */
void page_home(const struct request *q, struct reply *p);
void page_repo(const struct request *q, struct reply *p);
void page_test(const struct request *q, struct reply *p);
void page_run(const struct request *q, struct reply *p);
void page_badge(const struct request *q, struct reply *p);
void page_static_css(const struct request *q, struct reply *p);
void page_static_js(const struct request *q, struct reply *p);
void page_metrics(const struct request *q, struct reply *p);

/*
 * Records one finished request for /metrics: its status (499 for an
 * aborted one), its duration in nanoseconds, and whether it was an upload.
 * Thread-safe (C11 atomics), lock-free, never fails.
 */
void metrics_observe(unsigned status, long long ns, int upload);

#endif
