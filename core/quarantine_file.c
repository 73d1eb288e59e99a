/*
 * quarantine_file.c: .github/flake-quarantine.yml (see quarantine_file.h).
 */
#include "quarantine_file.h"
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QF_MAX_ENTRIES 1000
#define QF_MAX_BYTES (1u << 20)

static char *own(struct quarantine_file *f, const char *s, size_t n)
{
	char *c = xstrndup(s, n);

	f->owned = xrealloc(f->owned, (f->nowned + 1) * sizeof(*f->owned));
	f->owned[f->nowned++] = c;
	return c;
}

/* s[0..n) without surrounding blanks. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
		      (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* A scalar: "double" or 'single' quoted, or plain up to " #". */
static int scalar(const char *v, size_t n, const char **out, size_t *on)
{
	trim(&v, &n);
	if (n && (v[0] == '"' || v[0] == '\'')) {
		const char *end = memchr(v + 1, v[0], n - 1);
		const char *rest;
		size_t rn;

		if (!end)
			return -1;
		rest = end + 1;
		rn = n - (size_t)(rest - v);
		trim(&rest, &rn);
		if (rn && rest[0] != '#')
			return -1;
		*out = v + 1;
		*on = (size_t)(end - v - 1);
		return 0;
	}
	{
		size_t i;

		for (i = 0; i + 1 < n; i++)
			if ((v[i] == ' ' || v[i] == '\t') && v[i + 1] == '#')
				break;
		if (i + 1 < n)
			n = i;
		trim(&v, &n);
	}
	if (n && (v[0] == '[' || v[0] == '{' || v[0] == '|' || v[0] == '>'))
		return -1;
	*out = v;
	*on = n;
	return 0;
}

/* "2026-11-20" -> "2026-11-20T00:00:00Z"; an ISO time as is; NULL bad. */
static char *date_of(struct quarantine_file *f, const char *v, size_t n)
{
	char tmp[32];
	size_t i;

	if (n == 10 || n == 20) {
		for (i = 0; i < n; i++) {
			char c = v[i], want = "dddd-dd-ddTdd:dd:ddZ"[i];

			if (want == 'd' ? (c < '0' || c > '9') : c != want)
				return NULL;
		}
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)n, v,
			 n == 10 ? "T00:00:00Z" : "");
		return own(f, tmp, strlen(tmp));
	}
	return NULL;
}

static int check_entry(const struct quarantine_add *a, const char *name,
		       int line, struct err *err)
{
	if (!a->name || !*a->name)
		return err_set(err, "%s:%d: the entry has no 'test'", name, line);
	if (!a->package || !*a->package)
		return err_set(err, "%s:%d: the entry has no 'package' (the "
			       "test's import path)", name, line);
	return 0;
}

int quarantine_file_parse(const char *text, const char *name,
			  struct quarantine_file *f, struct err *err)
{
	const char *p = text;
	int line = 0, start_line = 0;
	struct quarantine_add *cur = NULL;

	memset(f, 0, sizeof(*f));
	while (*p) {
		const char *eol = strchr(p, '\n'), *s = p, *colon, *v;
		size_t len = eol ? (size_t)(eol - p) : strlen(p), k, vn;
		int dash = 0;

		p += len + (eol != NULL);
		line++;
		trim(&s, &len);
		if (!len || s[0] == '#')
			continue;
		if (s[0] == '-' && (len == 1 || s[1] == ' ')) {
			if (cur && check_entry(cur, name, start_line, err))
				goto fail;
			if (f->n == QF_MAX_ENTRIES) {
				err_set(err, "%s:%d: more than %d entries", name,
					line, QF_MAX_ENTRIES);
				goto fail;
			}
			f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
			cur = &f->v[f->n++];
			memset(cur, 0, sizeof(*cur));
			start_line = line;
			dash = 1;
			s++;
			len--;
			trim(&s, &len);
			if (!len)
				continue;
		}
		if (!cur) {
			err_set(err, "%s:%d: want a list of entries ('- test: "
				"TestName')", name, line);
			goto fail;
		}
		(void)dash;
		colon = memchr(s, ':', len);
		if (!colon) {
			err_set(err, "%s:%d: want 'key: value'", name, line);
			goto fail;
		}
		k = (size_t)(colon - s);
		if (scalar(colon + 1, len - k - 1, &v, &vn)) {
			err_set(err, "%s:%d: the value must be a plain or quoted "
				"scalar", name, line);
			goto fail;
		}
#define KEY(w) (k == sizeof(w) - 1 && !memcmp(s, w, k))
		if (KEY("test"))
			cur->name = own(f, v, vn);
		else if (KEY("package"))
			cur->package = own(f, v, vn);
		else if (KEY("reason"))
			cur->reason = own(f, v, vn);
		else if (KEY("added_by"))
			cur->added_by = own(f, v, vn);
		else if (KEY("issue"))
			cur->issue_url = own(f, v, vn);
		else if (KEY("added_at")) {
			if (!(cur->added_at = date_of(f, v, vn))) {
				err_set(err, "%s:%d: added_at wants YYYY-MM-DD or "
					"YYYY-MM-DDTHH:MM:SSZ", name, line);
				goto fail;
			}
		} else {
			err_set(err, "%s:%d: unknown key '%.*s' (test, package, "
				"reason, added_by, added_at, issue)", name, line,
				(int)(k > 40 ? 40 : k), s);
			goto fail;
		}
#undef KEY
	}
	if (cur && check_entry(cur, name, start_line, err))
		goto fail;
	return 0;
fail:
	quarantine_file_release(f);
	return -1;
}

int quarantine_file_read(const char *path, struct quarantine_file *f,
			 struct err *err)
{
	struct buf b = BUF_INIT(QF_MAX_BYTES);
	FILE *in = fopen(path, "r");
	char chunk[8192];
	size_t n;
	int ret;

	memset(f, 0, sizeof(*f));
	if (!in) {
		if (errno == ENOENT)
			return 1;
		return err_sys(err, "cannot open '%s'", path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (buf_add(&b, chunk, n)) {
			fclose(in);
			buf_release(&b);
			return err_set(err, "'%s' is over %u bytes", path,
				       QF_MAX_BYTES);
		}
	if (ferror(in)) {
		fclose(in);
		buf_release(&b);
		return err_sys(err, "cannot read '%s'", path);
	}
	fclose(in);
	if (memchr(buf_str(&b), '\0', b.len)) {
		buf_release(&b);
		return err_set(err, "'%s' contains a NUL byte", path);
	}
	ret = quarantine_file_parse(buf_str(&b), path, f, err);
	buf_release(&b);
	return ret;
}

void quarantine_file_release(struct quarantine_file *f)
{
	size_t i;

	for (i = 0; i < f->nowned; i++)
		free(f->owned[i]);
	free(f->owned);
	free(f->v);
	memset(f, 0, sizeof(*f));
}
