/*
 * test_in_json.c: the results document read back.  A document written by
 * out_json reads back into the same document; each malformed document is
 * refused with a message naming the field.
 */
#include "core/in_json.h"
#include "core/out_json.h"
#include "tests/unit/check.h"
#include "tests/unit/fixture.h"

static void round_trip(void)
{
	struct results r, back;
	struct err err = ERR_INIT;
	char *a, *b;

	results_init(&r);
	fx_build(&r, 20);
	a = out_json_dumps(&r, &err);
	CHECK(a != NULL);
	results_init(&back);
	CHECK(in_json_results(a, strlen(a), &back, NULL, &err) == 0);
	if (err.msg[0])
		fprintf(stderr, "in_json: %s\n", err.msg);
	b = out_json_dumps(&back, &err);
	CHECK(b != NULL);
	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
	results_release(&r);
	results_release(&back);
}

static const char base[] =
	"{\"schema_version\":1,\"meta\":{\"repository\":\"o/r\"},\"wall_ms\":1,"
	"\"cells\":[{\"name\":\"c\",\"race\":false,\"gomaxprocs\":2,\"count\":1,"
	"\"shuffle\":false,\"stress\":0,\"wall_ms\":1}],"
	"\"tests\":[{\"package\":\"p\",\"name\":\"TestA\",\"status\":\"passed\","
	"\"executions\":1,\"passes\":1,\"failures\":0,\"skips\":0,\"repro\":null,"
	"\"cells\":[{\"cell\":\"c\",\"status\":\"passed\",\"passes\":1,"
	"\"failures\":0,\"skips\":0,\"notrun\":0}],\"failure_details\":[]}],"
	"\"packages\":[]}";

/* Replaces the first `from` of base with `to` and expects the field. */
static void bad(const char *from, const char *to, const char *field,
		const char *msg)
{
	char doc[4096];
	const char *p = strstr(base, from);
	struct results r;
	struct err err = ERR_INIT;
	struct in_json_error fe;

	CHECK(p != NULL);
	if (!p)
		return;
	snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(p - base), base, to,
		 p + strlen(from));
	results_init(&r);
	CHECK(in_json_results(doc, strlen(doc), &r, &fe, &err) == -1);
	CHECK_STR(fe.field, field);
	if (!strstr(err.msg, msg)) {
		fprintf(stderr, "want message ~ '%s', got '%s'\n", msg, err.msg);
		CHECK(0);
	}
	results_release(&r);
}

int main(void)
{
	struct results r;
	struct err err = ERR_INIT;

	round_trip();
	results_init(&r);
	CHECK(in_json_results(base, strlen(base), &r, NULL, &err) == 0);
	CHECK(r.finished && r.ntests == 1 && r.ncells == 1 && r.n_passed == 1);
	results_release(&r);

	/* An order dependency reads back (and must name a known cell). */
	{
		static const char *from = "\"repro\":null,";
		static const char *to = "\"repro\":null,\"order\":{\"after\":"
			"\"TestReset\",\"shuffle_seed\":7,\"cell\":\"c\"},";
		char doc[4096];
		const char *at = strstr(base, from);

		CHECK(at != NULL);
		snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - base), base,
			 to, at + strlen(from));
		results_init(&r);
		CHECK(in_json_results(doc, strlen(doc), &r, NULL, &err) == 0);
		CHECK(r.ntests == 1 && r.tests[0]->after &&
		      !strcmp(r.tests[0]->after, "TestReset") &&
		      r.tests[0]->after_seed == 7 && r.tests[0]->after_cell == 0);
		results_release(&r);
	}
	bad("\"repro\":null,", "\"repro\":null,\"order\":{\"after\":\"T\","
	    "\"shuffle_seed\":7,\"cell\":\"x\"},", "tests[0].order.cell",
	    "no cell named 'x'");
	bad("\"repro\":null,", "\"repro\":null,\"order\":{\"after\":\"T\","
	    "\"shuffle_seed\":0,\"cell\":\"c\"},", "tests[0].order.shuffle_seed",
	    "whole number");
	bad("{\"schema_version\":1", "[", "", "malformed JSON");
	bad("{\"schema_version\":1", "{\"schema_version\":2", "schema_version",
	    "from 1 to 1");
	bad("\"repository\":\"o/r\"", "\"repository\":\"../etc\"",
	    "meta.repository", "must be OWNER/NAME");
	bad("\"repository\":\"o/r\"", "\"repository\":7", "meta.repository",
	    "must be a string, not a number");
	bad("\"race\":false", "\"race\":\"yes\"", "cells[0].race",
	    "true, false or null");
	bad("\"gomaxprocs\":2", "\"gomaxprocs\":-2", "cells[0].gomaxprocs",
	    "whole number");
	bad("\"status\":\"passed\"", "\"status\":\"great\"", "tests[0].status",
	    "not 'great'");
	bad("\"passes\":1,\"failures\":0,\"skips\":0,\"repro\"",
	    "\"passes\":-1,\"failures\":0,\"skips\":0,\"repro\"",
	    "tests[0].passes", "from 0 to");
	bad("{\"cell\":\"c\"", "{\"cell\":\"nope\"", "tests[0].cells[0].cell",
	    "no cell named 'nope'");
	bad("\"name\":\"TestA\"", "\"name\":\"\"", "tests[0].name",
	    "must not be empty");
	bad("\"failure_details\":[]", "\"failure_details\":{}",
	    "tests[0].failure_details", "must be an array");
	bad("\"failure_details\":[]",
	    "\"failure_details\":[{\"cell\":\"c\",\"kind\":\"boom\",\"message\":\"m\",\"signature\":\"s\"}]",
	    "tests[0].failure_details[0].kind", "not 'boom'");
	bad("\"tests\":[", "\"tests\":{\"a\":1},\"x\":[", "tests",
	    "must be an array");
	bad("\"packages\":[]", "\"packages\":[{\"package\":\"p\",\"status\":\"meh\"}]",
	    "packages[0].status", "not 'meh'");
	bad("\"schema_version\":1,", "\"schema_version\":1,\"schema_version\":1,",
	    "schema_version", "duplicate");
	bad("\"wall_ms\":1", "\"wall_ms\":1.5", "wall_ms", "whole number");
	bad("\"packages\":[]", "\"packages\":[]} extra", "", "trailing");
	bad("{\"schema_version\":1", "{\"schema_version\":1,\"x\":\"\\ud800\"",
	    "", "surrogate");
	return check_done("test_in_json");
}
