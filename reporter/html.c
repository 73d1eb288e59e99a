/*
 * html.c: the helpers the pages share (see html.h): escaping writers,
 * the document frame, error pages, parameter checks, JSON readers.
 *
 * Invariant: nothing here writes untrusted text except through
 * buf_add_html(), directly or after percent-encoding.
 */
#include "html.h"
#include "core/ident.h"
#include "core/stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void html_init(struct html *h, struct reply *p)
{
	h->p = p;
	h->failed = 0;
	buf_reset(&p->body);
}

void html_raw(struct html *h, const char *s)
{
	if (!h->failed && buf_adds(&h->p->body, s))
		h->failed = 1;
}

void html_rawf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	if (h->failed)
		return;
	va_start(ap, fmt);
	if (buf_vaddf(&h->p->body, fmt, ap))
		h->failed = 1;
	va_end(ap);
}

void html_text(struct html *h, const char *s)
{
	if (!s || h->failed)
		return;
	if (buf_add_html(&h->p->body, s, strlen(s)))
		h->failed = 1;
}

void html_url(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	char enc[4];

	for (; u && *u && !h->failed; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || strchr("-_.~", *u)) {
			enc[0] = (char)*u;
			enc[1] = '\0';
		} else {
			enc[0] = '%';
			enc[1] = hex[*u >> 4];
			enc[2] = hex[*u & 15];
			enc[3] = '\0';
		}
		html_raw(h, enc);
	}
}

void html_time(struct html *h, const char *iso)
{
	char shown[17];

	if (!iso || strlen(iso) < 16) {
		html_raw(h, iso ? "" : "\xE2\x80\x93");
		html_text(h, iso);
		return;
	}
	memcpy(shown, iso, 16);
	shown[10] = ' ';
	shown[16] = '\0';
	html_raw(h, "<time datetime=\"");
	html_text(h, iso);
	html_raw(h, "\">");
	html_text(h, shown);
	html_raw(h, "</time>");
}

void html_pct(struct html *h, double x)
{
	char out[32];

	if (stats_format_pct(out, sizeof(out), x))
		html_raw(h, "?");
	else
		html_rawf(h, "%s%%", out);
}

void html_commit(struct html *h, const char *repo, const char *sha)
{
	char short_sha[13];

	if (!sha || !*sha) {
		html_raw(h, "\xE2\x80\x93");
		return;
	}
	snprintf(short_sha, sizeof(short_sha), "%s", sha);
	html_raw(h, "<a class=\"sha\" href=\"https://github.com/");
	html_text(h, repo);
	html_raw(h, "/commit/");
	html_url(h, sha);
	html_raw(h, "\"><code>");
	html_text(h, short_sha);
	html_raw(h, "</code></a>");
}

void html_pr(struct html *h, const char *repo, long long pr)
{
	if (pr <= 0)
		return;
	html_raw(h, "<a href=\"https://github.com/");
	html_text(h, repo);
	html_rawf(h, "/pull/%lld\">#%lld</a>", pr, pr);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

void html_rate_bar(struct html *h, double rate, double lo, double hi)
{
	/* 100 user units wide: x is a percentage of the bar. */
	html_raw(h, "<svg class=\"bar\" viewBox=\"0 0 100 10\" width=\"100\" "
		 "height=\"10\" role=\"img\" aria-label=\"rate ");
	html_pct(h, clamp01(rate));
	html_raw(h, ", interval ");
	html_pct(h, clamp01(lo));
	html_raw(h, " to ");
	html_pct(h, clamp01(hi));
	html_raw(h, "\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" "
		 "height=\"10\"/>");
	html_rawf(h, "<rect class=\"ci\" x=\"%.2f\" y=\"2\" width=\"%.2f\" "
		  "height=\"6\"/>", clamp01(lo) * 100,
		  (clamp01(hi) - clamp01(lo)) * 100);
	html_rawf(h, "<rect class=\"rate\" x=\"%.2f\" y=\"0\" width=\"2\" "
		  "height=\"10\"/></svg>", clamp01(rate) * 98);
}

void html_sparkline(struct html *h, const long long *values, size_t n)
{
	long long max = 0, total = 0;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		long long v = values[i];

		total += v;
		if (v > max)
			max = v;
	}
	html_rawf(h, "<svg class=\"spark\" viewBox=\"0 0 %zu 16\" width=\"%zu\" "
		  "height=\"16\" role=\"img\" aria-label=\"%lld failures in %zu "
		  "days\"><title>%lld failures in %zu days</title><polyline "
		  "points=\"", 2 * n, 2 * n, total, n, total, n);
	for (i = 0; i < n; i++) {
		long long v = values[i];

		html_rawf(h, "%s%zu,%.1f", i ? " " : "", 2 * i + 1,
			  15.0 - (max ? 14.0 * (double)v / (double)max : 0.0));
	}
	html_raw(h, "\"/></svg>");
}

void html_status(struct html *h, const char *status)
{
	static const char *const known[] = { "failed", "flaky", "passed",
		"skipped", "notrun", "infra" };
	size_t i;
	const char *cls = "other";

	for (i = 0; status && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(status, known[i]))
			cls = known[i];
	html_rawf(h, "<span class=\"st st-%s\">", cls);
	html_text(h, status ? status : "?");
	html_raw(h, "</span>");
}

void html_head(struct html *h, const char *title, const char *repo)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		 "content=\"width=device-width, initial-scale=1\">\n"
		 "<meta name=\"color-scheme\" content=\"light dark\">\n"
		 "<link rel=\"icon\" href=\"data:,\">\n<title>");
	html_text(h, title);
	html_raw(h, " \xE2\x80\x93 flake-reporter</title>\n"
		 "<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
		 "<script src=\"/static/app.js\" defer></script>\n</head>\n"
		 "<body>\n<header class=\"site\"><nav aria-label=\"breadcrumb\">"
		 "<a href=\"/\">flake-reporter</a>");
	if (repo) {
		html_raw(h, " / <a href=\"/");
		html_text(h, repo);
		html_raw(h, "\">");
		html_text(h, repo);
		html_raw(h, "</a>");
	}
	html_raw(h, "</nav></header>\n<main>\n");
}

void html_foot(struct html *h)
{
	html_raw(h, "</main>\n</body>\n</html>\n");
}

void html_send(struct html *h, unsigned status)
{
	if (h->failed) {
		html_error_page(h->p, 500, "the page is too large");
		return;
	}
	h->p->status = status;
	h->p->content_type = "text/html; charset=utf-8";
}

void html_error_page(struct reply *p, unsigned status, const char *msg)
{
	struct html h;
	const char *title = status == 404 ? "Not found" :
			    status == 503 ? "Service unavailable" : "Error";

	html_init(&h, p);
	html_head(&h, title, NULL);
	html_rawf(&h, "<h1>%u ", status);
	html_text(&h, title);
	html_raw(&h, "</h1>\n<p>");
	html_text(&h, msg);
	html_raw(&h, "</p>\n<p><a href=\"/\">All repositories</a></p>\n");
	html_foot(&h);
	if (h.failed) {
		/* Cannot happen with a short message; keep a body anyway. */
		buf_reset(&p->body);
		status = 500;
	}
	p->status = status;
	p->content_type = "text/html; charset=utf-8";
}

int html_repo_param(const struct request *q, char *out, size_t n)
{
	const char *o = q->params[0], *r = q->params[1];

	if (!ident_repo_parts_ok(o, r) || strlen(o) + strlen(r) + 2 > n)
		return -1;
	if (snprintf(out, n, "%s/%s", o, r) >= (int)n)
		BUG("repository name length checked above");
	return 0;
}

int html_id_param(const char *s, long long *out)
{
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18)
		return -1;
	v = strtoll(s, NULL, 10);
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

struct store *html_store(const struct request *q, struct reply *p)
{
	struct err err = ERR_INIT;
	struct store *s = server_store(q->cfg, &err);

	if (!s)
		html_error_page(p, 503, "the database is unavailable");
	return s;
}

void html_query_failed(struct reply *p, const struct err *err)
{
	if (!strncmp(err->msg, "no such", 7))
		html_error_page(p, 404, err->msg);
	else
		html_error_page(p, 500, "a database query failed");
}

