/*
 * cmd_serve.c: `flake-reporter serve` -- options from defaults, then an
 * optional config file, then the environment, then flags (one table
 * drives all three and --help).
 */
#include "cmds.h"
#include "server.h"
#include "core/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	O_DB = 1, O_LISTEN, O_CONFIG, O_PORT_FILE, O_PUBLIC_URL, O_API_URL,
	O_THREADS, O_MAX_BODY, O_COMMENT, O_CONN_TIMEOUT, O_CONN_LIMIT,
	O_GITHUB_TOKEN, O_AUTO_RELEASE,
};

static const struct cli_opt serve_opts[] = {
	{ "db", O_DB, "PATH", "SQLite database (created and migrated; default flake.db)" },
	{ "listen", O_LISTEN, "HOST:PORT", "address to serve (default 127.0.0.1:8080; port 0 = any)" },
	{ "config", O_CONFIG, "FILE", "read options from FILE: one 'name = value' a line, # comments" },
	{ "port-file", O_PORT_FILE, "FILE", "write the port actually bound to FILE" },
	{ "public-url", O_PUBLIC_URL, "URL", "this service's URL, for links in PR comments" },
	{ "github-api-url", O_API_URL, "URL", "GitHub REST API (default $GITHUB_API_URL or https://api.github.com)" },
	{ "threads", O_THREADS, "N", "worker threads (default 4)" },
	{ "max-body-mb", O_MAX_BODY, "N", "largest upload accepted, after gzip (default 64)" },
	{ "comment", O_COMMENT, "WHEN", "post PR comments: auto (default), always, never" },
	{ "conn-timeout", O_CONN_TIMEOUT, "SECONDS", "close idle or slow connections after this (default 30)" },
	{ "conn-limit", O_CONN_LIMIT, "N", "open connections at most (default 512)" },
	{ "auto-release", O_AUTO_RELEASE, "on|off", "release quarantined tests once the evidence "
	  "allows (default off; docs/GATE.md)" },
	{ NULL, 0, NULL, NULL },
};

/* Config-file only: a secret never belongs on a command line. */
static const struct cli_opt file_only[] = {
	{ "github-token", O_GITHUB_TOKEN, "TOKEN", "" },
	{ NULL, 0, NULL, NULL },
};

struct strings {
	char **v;
	size_t n, alloc;
};

static const char *keep(struct strings *s, const char *v)
{
	xgrow((void **)&s->v, &s->alloc, s->n + 1, sizeof(*s->v));
	return s->v[s->n++] = xstrdup(v);
}

static int apply(struct server_cfg *cfg, struct strings *s, int id,
		 const char *name, const char *arg, struct err *err)
{
	long v;

	switch (id) {
	case O_DB: cfg->db_path = keep(s, arg); break;
	case O_LISTEN: cfg->listen = keep(s, arg); break;
	case O_PORT_FILE: cfg->port_file = keep(s, arg); break;
	case O_PUBLIC_URL: cfg->public_url = keep(s, arg); break;
	case O_API_URL: cfg->github_api_url = keep(s, arg); break;
	case O_GITHUB_TOKEN: cfg->github_token = keep(s, arg); break;
	case O_THREADS:
		if (cli_int(name, arg, 1, 256, &v, err))
			return -1;
		cfg->threads = (int)v;
		break;
	case O_MAX_BODY:
		if (cli_int(name, arg, 1, 4096, &v, err))
			return -1;
		cfg->max_body = (size_t)v << 20;
		break;
	case O_CONN_TIMEOUT:
		if (cli_int(name, arg, 1, 3600, &v, err))
			return -1;
		cfg->conn_timeout = (int)v;
		break;
	case O_CONN_LIMIT:
		if (cli_int(name, arg, 4, 100000, &v, err))
			return -1;
		cfg->conn_limit = (int)v;
		break;
	case O_AUTO_RELEASE:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return err_set(err, "option '--%s' wants on or off, not "
				       "'%s'", name, arg);
		cfg->auto_release = !strcmp(arg, "on");
		break;
	case O_COMMENT:
		if (strcmp(arg, "auto") && strcmp(arg, "always") &&
		    strcmp(arg, "never"))
			return err_set(err, "option '--%s' wants auto, always or "
				       "never, not '%s'", name, arg);
		cfg->comment = keep(s, arg);
		break;
	default:
		BUG("unknown serve option %d", id);
	}
	return 0;
}

static int read_config(struct server_cfg *cfg, struct strings *s,
		       const char *path, struct err *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, ret = 0;

	if (!f)
		return err_sys(err, "cannot open config '%s'", path);
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line, *eq, *k, *v, *e;
		const struct cli_opt *o = NULL;
		size_t i;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || *p == '\n')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			ret = err_set(err, "%s:%d: want 'name = value'", path, lineno);
			break;
		}
		k = p;
		for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		for (e = v + strlen(v); e > v && (e[-1] == '\n' || e[-1] == '\r' ||
						  e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		for (i = 0; serve_opts[i].name; i++)
			if (!strcmp(serve_opts[i].name, k))
				o = &serve_opts[i];
		if (!strcmp(k, "github-token"))
			o = &file_only[0];
		if (!o || o->id == O_CONFIG || !o->arg) {
			ret = err_set(err, "%s:%d: unknown setting '%s'", path,
				      lineno, k);
			break;
		}
		if (apply(cfg, s, o->id, o->name, v, err)) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			ret = err_set(err, "%s:%d: %s", path, lineno, msg);
		}
	}
	fclose(f);
	return ret;
}

int cmd_serve(int argc, char **argv, struct err *err)
{
	struct server_cfg cfg;
	struct strings s = { NULL, 0, 0 };
	struct cli_state st = CLI_STATE_INIT;
	const char *arg, *config = NULL;
	int id, rc = 2, i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.db_path = "flake.db";
	cfg.listen = "127.0.0.1:8080";
	cfg.threads = 4;
	cfg.max_body = 64u << 20;
	cfg.comment = "auto";
	cfg.conn_timeout = 30;
	cfg.conn_limit = 512;
	cfg.github_api_url = getenv("GITHUB_API_URL") && *getenv("GITHUB_API_URL") ?
		getenv("GITHUB_API_URL") : "https://api.github.com";
	/* --config first, whatever its position: flags override the file. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			config = argv[i] + 9;
	}
	if (config && read_config(&cfg, &s, config, err))
		goto out;
	if (getenv("FLAKE_GITHUB_TOKEN") && *getenv("FLAKE_GITHUB_TOKEN"))
		cfg.github_token = getenv("FLAKE_GITHUB_TOKEN");
	while ((id = cli_next(serve_opts, &st, argc, argv, &arg, err)) != 0) {
		if (id < 0)
			goto out;
		if (id == 'h') {
			printf("usage: flake-reporter serve [options]\n\n");
			cli_help(serve_opts, stdout);
			printf("\nThe GitHub token that posts PR comments comes from "
			       "$FLAKE_GITHUB_TOKEN or\nthe config file's "
			       "'github-token' setting, never from a flag.\n");
			rc = 0;
			goto out;
		}
		if (id == CLI_OPERAND) {
			err_set(err, "unexpected argument '%s' (see --help)", arg);
			goto out;
		}
		if (id != O_CONFIG && apply(&cfg, &s, id, serve_opts[id - 1].name,
					   arg, err))
			goto out;
	}
	if (st.i < argc) {
		err_set(err, "unexpected argument '%s'", argv[st.i]);
		goto out;
	}
	rc = server_run(&cfg, err) ? 2 : 0;
out:
	for (size_t k = 0; k < s.n; k++)
		free(s.v[k]);
	free(s.v);
	return rc;
}
