/*
 * page_badge.c: GET /badge/{owner}/{repo}.svg -- a shields-style SVG
 * badge "flaky tests | N" (N: tests with a flaky run in the last 7 days,
 * as on the home page): green at 0, yellow up to 5, red above.  Unknown
 * repositories get a grey "unknown" badge with status 404, so an <img>
 * still shows something.  Cached for 5 minutes (server.c, by type).
 */
#include "html.h"
#include "core/store_query.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Rough width of s in Verdana 11px, for the badge's layout. */
static unsigned text_width(const char *s)
{
	return (unsigned)strlen(s) * 7u + 10u;
}

static void badge(struct reply *p, unsigned status, const char *value,
		  const char *colour)
{
	struct html h;
	static const char label[] = "flaky tests";
	unsigned lw = text_width(label), vw = text_width(value);

	html_init(&h, p);
	html_rawf(&h, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		  "height=\"20\" role=\"img\" aria-label=\"%s: ", lw + vw,
		  label);
	html_text(&h, value);
	html_rawf(&h, "\"><title>%s: ", label);
	html_text(&h, value);
	html_rawf(&h, "</title><rect width=\"%u\" height=\"20\" rx=\"3\" "
		  "fill=\"#555\"/><rect x=\"%u\" width=\"%u\" height=\"20\" "
		  "rx=\"3\" fill=\"%s\"/><rect x=\"%u\" width=\"4\" "
		  "height=\"20\" fill=\"%s\"/>", lw + vw, lw, vw, colour, lw,
		  colour);
	html_rawf(&h, "<g fill=\"#fff\" text-anchor=\"middle\" font-family="
		  "\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">"
		  "<text x=\"%u\" y=\"14\">%s</text><text x=\"%u\" y=\"14\">",
		  lw / 2, label, lw + vw / 2);
	html_text(&h, value);
	html_raw(&h, "</text></g></svg>\n");
	if (h.failed)
		BUG("badge larger than the body limit");
	p->status = status;
	p->content_type = "image/svg+xml";
}

void page_badge(const struct request *q, struct reply *p)
{
	char repo[512], value[32];
	struct err err = ERR_INIT;
	struct store *s;
	struct q_repos repos;
	size_t i, n = strlen(q->params[1]);
	long long flaky = -1;
	struct request q2 = *q;
	const char *params[3];
	char name[256];

	if (n <= 4 || n - 4 >= sizeof(name) ||
	    strcmp(q->params[1] + n - 4, ".svg")) {
		badge(p, 404, "unknown", "#9f9f9f");
		return;
	}
	memcpy(name, q->params[1], n - 4);
	name[n - 4] = '\0';
	params[0] = q->params[0];
	params[1] = name;
	params[2] = NULL;
	q2.params = params;
	if (html_repo_param(&q2, repo, sizeof(repo))) {
		badge(p, 404, "unknown", "#9f9f9f");
		return;
	}
	if (!(s = server_store(q->cfg, &err)) ||
	    store_q_repo_list(s, (long long)time(NULL), &repos, &err)) {
		badge(p, 503, "unavailable", "#9f9f9f");
		return;
	}
	for (i = 0; i < repos.n; i++) {
		if (!strcmp(repos.v[i].repository, repo)) {
			flaky = repos.v[i].flaky_tests;
			break;
		}
	}
	store_q_repos_release(&repos);
	if (flaky < 0) {
		badge(p, 404, "unknown", "#9f9f9f");
		return;
	}
	snprintf(value, sizeof(value), "%lld", flaky);
	badge(p, 200, value, flaky == 0 ? "#4c1" : flaky <= 5 ? "#dfb317" :
	      "#e05d44");
}
