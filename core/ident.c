/*
 * ident.c: identifiers (see ident.h).
 */
#include "ident.h"

#include <string.h>

static int repo_part_ok(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	size_t i;

	if (n < 1 || n > 100)
		return 0;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(ok, s[i]))
			return 0;
	return 1;
}

int ident_repo_ok(const char *repo)
{
	const char *slash;

	if (!repo || strlen(repo) > IDENT_MAX_REPO)
		return 0;
	slash = strchr(repo, '/');
	if (!slash)
		return 0;
	return repo_part_ok(repo, (size_t)(slash - repo)) &&
	       repo_part_ok(slash + 1, strlen(slash + 1));
}

int ident_repo_parts_ok(const char *owner, const char *name)
{
	return owner && name && strlen(owner) + strlen(name) + 1 <= IDENT_MAX_REPO &&
	       repo_part_ok(owner, strlen(owner)) &&
	       repo_part_ok(name, strlen(name));
}

/* A positive decimal without sign, spaces or leading zeros, <= max. */
static int number(const char *s, size_t n, int max, int *out)
{
	long v = 0;
	size_t i;

	if (n < 1 || n > 4 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return 0;
	*out = (int)v;
	return 1;
}

int ident_shard_ok(const char *s, int *i, int *n)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	int a, b;

	if (!slash || !number(s, (size_t)(slash - s), IDENT_MAX_SHARDS, &a) ||
	    !number(slash + 1, strlen(slash + 1), IDENT_MAX_SHARDS, &b) || a > b)
		return 0;
	if (i)
		*i = a;
	if (n)
		*n = b;
	return 1;
}

int ident_add_key_part(struct buf *b, const char *s)
{
	for (; *s; s++) {
		int rc = *s == '%' ? buf_adds(b, "%25") :
			 *s == '/' ? buf_adds(b, "%2F") : buf_addc(b, *s);

		if (rc)
			return -1;
	}
	return 0;
}
