/*
 * cli.c: table-driven long-option parsing (see cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_next(const struct cli_opt *opts, struct cli_state *st, int argc,
	     char **argv, const char **arg, struct err *err)
{
	const char *a, *eq;
	size_t n;

	if (st->i >= argc)
		return 0;
	a = argv[st->i++];
	if (!strcmp(a, "--"))
		return 0;
	if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		return 'h';
	if (a[0] != '-' || !strcmp(a, "-")) {
		*arg = a;
		return CLI_OPERAND;
	}
	if (a[1] != '-')
		return err_set(err, "unknown option '%s' (options are spelled "
			       "--name; see --help)", a);
	a += 2;
	eq = strchr(a, '=');
	n = eq ? (size_t)(eq - a) : strlen(a);
	for (; opts->name; opts++) {
		if (strlen(opts->name) != n || strncmp(opts->name, a, n))
			continue;
		if (!opts->arg) {
			if (eq)
				return err_set(err, "option '--%s' takes no value",
					       opts->name);
			*arg = NULL;
			return opts->id;
		}
		if (eq) {
			*arg = eq + 1;
		} else {
			if (st->i >= argc)
				return err_set(err, "option '--%s' needs a value "
					       "(%s)", opts->name, opts->arg);
			*arg = argv[st->i++];
		}
		return opts->id;
	}
	return err_set(err, "unknown option '--%.*s' (see --help)", (int)n, a);
}

void cli_help(const struct cli_opt *opts, FILE *f)
{
	size_t i;

	for (i = 0; opts[i].name; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
			 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-24s %s\n", left, opts[i].help);
	}
}

int cli_int(const char *opt, const char *s, long min, long max, long *out,
	    struct err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno)
		return err_set(err, "option '--%s' wants a whole number, "
			       "not '%s'", opt, s);
	if (v < min || v > max)
		return err_set(err, "option '--%s' must be between %ld and "
			       "%ld, not %ld", opt, min, max, v);
	*out = v;
	return 0;
}

int cli_onoff(const char *opt, const char *s, int *out, struct err *err)
{
	if (!strcmp(s, "on") || !strcmp(s, "true") || !strcmp(s, "1") ||
	    !strcmp(s, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "0") ||
	    !strcmp(s, "no")) {
		*out = 0;
		return 0;
	}
	return err_set(err, "option '--%s' wants on or off, not '%s'", opt, s);
}

int cli_duration(const char *opt, const char *s, long long *ms,
		 struct err *err)
{
	const char *p = s;
	double total = 0;

	if (!*s)
		goto bad;
	while (*p) {
		char *end;
		double v, unit;

		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno || v < 0)
			goto bad;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else {
			goto bad;
		}
		total += v * unit;
	}
	if (total < 1 || total > 1e11)
		goto bad;
	*ms = (long long)total;
	return 0;
bad:
	return err_set(err, "option '--%s' wants a duration like 90s, 10m "
		       "or 1h30m, not '%s'", opt, s);
}

struct cli_opt *cli_merge(struct cli_opt *out, size_t max,
			  const struct cli_opt *a, const struct cli_opt *b)
{
	size_t n = 0;

	for (; a && a->name; a++) {
		if (n + 1 >= max)
			BUG("option table too small");
		out[n++] = *a;
	}
	for (; b && b->name; b++) {
		if (n + 1 >= max)
			BUG("option table too small");
		out[n++] = *b;
	}
	memset(&out[n], 0, sizeof(out[n]));
	return out;
}
