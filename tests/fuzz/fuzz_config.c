/*
 * fuzz_config.c --- libFuzzer target: e4errd.conf parsing over arbitrary
 * bytes.  The bytes go to e4err_config_parse() as they are (its own inih
 * reader takes a buffer and length, so NULs and a missing last newline are
 * part of what is fuzzed, which ini_parse_string() would hide).
 *
 * Beyond "no crash, hang, leak or out-of-bounds read": a refused input
 * has at least one problem with a message and leaves nothing allocated in
 * the config; an accepted one prints as a file that parses back to the
 * same settings and prints the same again.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "e4err_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(const char *whoami, long code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void quiet(const char *whoami, long code, const char *fmt, va_list ap)
{
	char buf[64];

	/* Format anyway: the messages are part of what is checked. */
	vsnprintf(buf, sizeof(buf), fmt, ap);
}

static char *print(const struct e4err_config *cfg, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f || e4err_config_print(f, cfg))
		abort();
	fclose(f);
	return text;
}

static void check_refused(const struct e4err_config *cfg,
			  const struct e4err_config_errors *errs)
{
	size_t i;

	if (cfg->daemon.state_dir || cfg->daemon.mountpoints)
		abort();
	if (errs->count == 0 || errs->count > E4ERR_CONFIG_MAX_ERRORS)
		abort();
	for (i = 0; i < errs->count; i++)
		if (!errs->list[i].message || !errs->list[i].message[0])
			abort();
	e4err_config_report("fuzz", errs);
}

static void check_round_trip(const struct e4err_config *cfg)
{
	struct e4err_config_errors errs;
	struct e4err_config back;
	char *text, *again;
	size_t len, len2;

	text = print(cfg, &len);
	if (e4err_config_parse("printed", text, len, &back, &errs)) {
		fprintf(stderr, "printed config refused:\n%s", text);
		abort();
	}
	if (!e4err_config_equal(cfg, &back))
		abort();
	again = print(&back, &len2);
	if (len != len2 || memcmp(text, again, len))
		abort();
	free(again);
	free(text);
	e4err_config_free(&back);
	e4err_config_errors_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	errcode_t retval;

	if (!ready) {
		add_error_table(&et_e4er_error_table);
		set_com_err_hook(quiet);
		ready = 1;
	}
	retval = e4err_config_parse("fuzz", (const char *)data, size, &cfg,
				    &errs);
	if (retval == 0 && errs.count == 0)
		check_round_trip(&cfg);
	else if (retval == E4ERR_CONFIG)
		check_refused(&cfg, &errs);
	else
		abort();
	e4err_config_free(&cfg);
	e4err_config_errors_free(&errs);
	return 0;
}
