/*
 * page_metrics.c: GET /metrics in the Prometheus text format (0.0.4):
 * uploads and requests by status class, a request latency histogram,
 * the uploads and result rows stored and the database's size.
 *
 * Invariants: the counters are C11 atomics updated by metrics_observe()
 * from server.c's completion callback on any worker thread, relaxed (each
 * is an independent count; a scrape may see one request in the count and
 * not yet in the sum, which Prometheus tolerates).  The stored uploads
 * and result rows come from the running totals the store keeps in each
 * upload's transaction (store_counts(): one lookup, never a scan).
 */
#include "html.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>

/* Upper bounds in seconds; the +Inf bucket is implied. */
static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				  0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static atomic_ullong uploads_ok, uploads_rejected;
static atomic_ullong by_class[6];		/* [0]: other, [1..5]: 1xx..5xx */
static atomic_ullong hist[NBUCKETS + 1];	/* per bucket, not cumulative */
static atomic_ullong sum_us, count;

void metrics_observe(unsigned status, long long ns, int upload)
{
	unsigned cls = status / 100;
	size_t i;
	double secs = (double)(ns < 0 ? 0 : ns) / 1e9;

	atomic_fetch_add_explicit(&by_class[cls >= 1 && cls <= 5 ? cls : 0], 1,
				  memory_order_relaxed);
	if (upload)
		atomic_fetch_add_explicit(cls == 2 ? &uploads_ok :
					  &uploads_rejected, 1,
					  memory_order_relaxed);
	for (i = 0; i < NBUCKETS && secs > buckets[i]; i++)
		;
	atomic_fetch_add_explicit(&hist[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us, (unsigned long long)(ns < 0 ? 0 :
				  ns / 1000), memory_order_relaxed);
	atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
}

static unsigned long long load(atomic_ullong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

static long long file_size(const char *path, const char *suffix)
{
	char name[4096];
	struct stat sb;

	if (snprintf(name, sizeof(name), "%s%s", path, suffix) >= (int)sizeof(name) ||
	    stat(name, &sb))
		return 0;
	return (long long)sb.st_size;
}

void page_metrics(const struct request *q, struct reply *p)
{
	static const char *const classes[] = { "other", "1xx", "2xx", "3xx",
					       "4xx", "5xx" };
	struct html h;	/* plain text here: only numbers and our names */
	unsigned long long cum = 0;
	long long uploads = -1, rows = -1;
	struct err err = ERR_INIT;
	struct store *st = server_store(q->cfg, &err);
	size_t i;

	html_init(&h, p);
	html_rawf(&h, "# HELP flake_uploads_total Uploads accepted (2xx).\n"
		  "# TYPE flake_uploads_total counter\nflake_uploads_total %llu\n"
		  "# HELP flake_uploads_rejected_total Uploads answered 4xx/5xx.\n"
		  "# TYPE flake_uploads_rejected_total counter\n"
		  "flake_uploads_rejected_total %llu\n"
		  "# HELP flake_http_requests_total HTTP requests by status class.\n"
		  "# TYPE flake_http_requests_total counter\n",
		  load(&uploads_ok), load(&uploads_rejected));
	for (i = 0; i < 6; i++)
		html_rawf(&h, "flake_http_requests_total{class=\"%s\"} %llu\n",
			  classes[i], load(&by_class[i]));
	html_raw(&h, "# HELP flake_http_request_duration_seconds Time from a "
		 "request's arrival to its completion.\n"
		 "# TYPE flake_http_request_duration_seconds histogram\n");
	for (i = 0; i < NBUCKETS; i++) {
		cum += load(&hist[i]);
		html_rawf(&h, "flake_http_request_duration_seconds_bucket"
			  "{le=\"%g\"} %llu\n", buckets[i], cum);
	}
	cum += load(&hist[NBUCKETS]);
	html_rawf(&h, "flake_http_request_duration_seconds_bucket{le=\"+Inf\"} "
		  "%llu\nflake_http_request_duration_seconds_sum %.6f\n"
		  "flake_http_request_duration_seconds_count %llu\n", cum,
		  (double)load(&sum_us) / 1e6, load(&count));
	if (st && !store_counts(st, &uploads, &rows, &err))
		html_rawf(&h, "# HELP flake_stored_uploads Uploads in the "
			  "database.\n# TYPE flake_stored_uploads gauge\n"
			  "flake_stored_uploads %lld\n"
			  "# HELP flake_stored_result_rows Result rows (a test in "
			  "a cell of a run) in the database.\n"
			  "# TYPE flake_stored_result_rows gauge\n"
			  "flake_stored_result_rows %lld\n", uploads, rows);
	html_rawf(&h, "# HELP flake_db_size_bytes Database file plus its WAL.\n"
		  "# TYPE flake_db_size_bytes gauge\nflake_db_size_bytes %lld\n",
		  file_size(q->cfg->db_path, "") +
		  file_size(q->cfg->db_path, "-wal"));
	html_send(&h, 200);
	if (p->status == 200)
		p->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
