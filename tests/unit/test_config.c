/*
 * test_config.c --- e4errd.conf: defaults, every key read into its field,
 * every kind of bad value, line and file refused with its line number,
 * all problems reported at once, printing that reads back the same, and
 * the man page and example file kept in step with the keys.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "e4err_err.h"

#define SEC	1000ULL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

/* Parse text; the result code, with cfg and errs to free. */
static errcode_t parse(const char *text, struct e4err_config *cfg,
		       struct e4err_config_errors *errs)
{
	return e4err_config_parse("test.conf", text, strlen(text), cfg, errs);
}

static bool has_error(const struct e4err_config_errors *errs, uint32_t line,
		      const char *needle)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		if (errs->list[i].line == line &&
		    strstr(errs->list[i].message, needle))
			return true;
	return false;
}

static void print_errors(const struct e4err_config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		print_message("# line %u: %s\n", errs->list[i].line,
			      errs->list[i].message);
}

/* text must be refused with exactly one problem, on line, saying needle. */
static void expect_error(const char *text, uint32_t line, const char *needle)
{
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	char where[64];
	errcode_t retval;

	retval = parse(text, &cfg, &errs);
	if (errs.count != 1 || !has_error(&errs, line, needle)) {
		print_message("# for %s", text);
		print_errors(&errs);
	}
	assert_int_equal(retval, E4ERR_CONFIG);
	assert_int_equal(errs.count, 1);
	assert_int_equal(errs.omitted, 0);
	assert_int_equal(errs.list[0].line, line);
	assert_int_equal(errs.list[0].code, E4ERR_CONFIG);
	snprintf(where, sizeof(where), "at test.conf:%u: ", line);
	assert_non_null(strstr(errs.list[0].message, where));
	assert_non_null(strstr(errs.list[0].message, needle));
	/* A refused file leaves nothing behind. */
	assert_null(cfg.daemon.state_dir);
	e4err_config_errors_free(&errs);
	e4err_config_free(&cfg);
}

/* One key in its section, refused on line 2 with a message naming it. */
static void expect_bad(const char *section, const char *key,
		       const char *value, const char *needle)
{
	char text[512], named[128];

	snprintf(text, sizeof(text), "[%s]\n%s = %s\n", section, key, value);
	snprintf(named, sizeof(named), "[%s] %s = \"", section, key);
	expect_error(text, 2, named);
	expect_error(text, 2, needle);
}

static void expect_ok(const char *text, struct e4err_config *cfg)
{
	struct e4err_config_errors errs;
	errcode_t retval;

	retval = parse(text, cfg, &errs);
	if (retval) {
		print_message("# for %s", text);
		print_errors(&errs);
	}
	assert_int_equal(retval, 0);
	assert_int_equal(errs.count, 0);
	e4err_config_errors_free(&errs);
}

static void test_defaults(void **state)
{
	struct e4err_config cfg, empty, loaded;
	struct e4err_config_errors errs;

	assert_int_equal(e4err_config_init(&cfg), 0);
	assert_string_equal(cfg.daemon.state_dir, LOCALSTATEDIR "/lib/e4errd");
	assert_string_equal(cfg.daemon.spool_dir, "/run/e4errd");
	assert_string_equal(cfg.daemon.metrics_file, "");
	assert_int_equal(cfg.daemon.n_mountpoints, 0);
	assert_int_equal(cfg.daemon.flood_window_ms, 10 * SEC);
	assert_int_equal(cfg.daemon.inspect_deadline_ms, 5 * SEC);
	assert_int_equal(cfg.daemon.log_level, E4ERR_LOG_INFO);
	assert_int_equal(cfg.store.max_events_per_fs, 100000);
	assert_int_equal(cfg.store.max_age_ms, 365 * DAY);
	assert_int_equal(cfg.checks.min_interval_ms, HOUR);
	assert_int_equal(cfg.checks.offline_fsck_mode, E4ERR_FSCK_READONLY);
	assert_int_equal(cfg.checks.max_concurrent, 1);
	assert_int_equal(cfg.checks.check_deadline_ms, 6 * HOUR);
	assert_int_equal(cfg.checks.use_e2scrub, E4ERR_AUTO);
	assert_int_equal(cfg.checks.escalate_after, 3);
	assert_int_equal(cfg.checks.check_output_max, 65536);
	assert_int_equal(cfg.checks.retry_delay_ms, 10 * MIN);
	assert_int_equal(cfg.checks.alert_after_failures, 3);
	assert_string_equal(cfg.hooks.hook_dir, HOOKDIR);
	assert_int_equal(cfg.hooks.hook_deadline_ms, 60 * SEC);
	assert_int_equal(cfg.hooks.hook_output_max, 65536);
	assert_string_equal(cfg.hooks.mail_to, "root");
	assert_false(cfg.kmsg.read_history);

	/* Nothing, or only comments and sections, is the defaults. */
	expect_ok("", &empty);
	assert_true(e4err_config_equal(&cfg, &empty));
	e4err_config_free(&empty);
	expect_ok("# nothing\n;\n\n[daemon]\n[kmsg]\n", &empty);
	assert_true(e4err_config_equal(&cfg, &empty));
	e4err_config_free(&empty);

	/* No default file is fine; this build's default path is not there. */
	if (access(E4ERR_CONFIG_FILE, F_OK) == 0) {
		print_message("# %s exists: not checking its absence\n",
			      E4ERR_CONFIG_FILE);
	} else {
		assert_int_equal(e4err_config_load(NULL, &loaded, &errs), 0);
		assert_int_equal(errs.count, 0);
		assert_true(e4err_config_equal(&cfg, &loaded));
		e4err_config_free(&loaded);
	}
	e4err_config_free(&cfg);
	assert_null(cfg.daemon.state_dir);
	e4err_config_free(&cfg);	/* twice is harmless */
}

static const char full[] =
	"[daemon]\n"
	"state_dir = /srv/e4/state\n"
	"spool_dir = /srv/e4/spool\n"
	"metrics_file = /var/lib/prometheus/node-exporter/e4errd.prom\n"
	"mountpoints = / /srv/my\\040photos\n"
	"\t/srv/back\\134slash   ; a comment\n"
	"flood_window = 1500ms\n"
	"inspect_deadline = 2m\n"
	"log_level = debug\n"
	"[store]\n"
	"max_events_per_fs = 5000\n"
	"max_age = 30d\n"
	"[checks]\n"
	"min_interval = 45m\n"
	"offline_fsck_mode = repair\n"
	"max_concurrent = 4\n"
	"check_deadline = 2d\n"
	"use_e2scrub = no\n"
	"escalate_after = 0\n"
	"check_output_max = 256k\n"
	"retry_delay = 90s\n"
	"alert_after_failures = 0\n"
	"[hooks]\n"
	"hook_dir = /opt/e4errd hooks\n"
	"hook_deadline = 90\n"
	"hook_output_max = 1M\n"
	"mail_to = root , ops+disk@example.org\n"
	"[kmsg]\n"
	"read_history = Yes\n";

static void test_every_key(void **state)
{
	struct e4err_config cfg;

	expect_ok(full, &cfg);
	assert_string_equal(cfg.daemon.state_dir, "/srv/e4/state");
	assert_string_equal(cfg.daemon.spool_dir, "/srv/e4/spool");
	assert_string_equal(cfg.daemon.metrics_file,
			    "/var/lib/prometheus/node-exporter/e4errd.prom");
	assert_int_equal(cfg.daemon.n_mountpoints, 3);
	assert_string_equal(cfg.daemon.mountpoints[0], "/");
	assert_string_equal(cfg.daemon.mountpoints[1], "/srv/my photos");
	assert_string_equal(cfg.daemon.mountpoints[2], "/srv/back\\slash");
	assert_int_equal(cfg.daemon.flood_window_ms, 1500);
	assert_int_equal(cfg.daemon.inspect_deadline_ms, 2 * MIN);
	assert_int_equal(cfg.daemon.log_level, E4ERR_LOG_DEBUG);
	assert_int_equal(cfg.store.max_events_per_fs, 5000);
	assert_int_equal(cfg.store.max_age_ms, 30 * DAY);
	assert_int_equal(cfg.checks.min_interval_ms, 45 * MIN);
	assert_int_equal(cfg.checks.offline_fsck_mode, E4ERR_FSCK_REPAIR);
	assert_int_equal(cfg.checks.max_concurrent, 4);
	assert_int_equal(cfg.checks.check_deadline_ms, 2 * DAY);
	assert_int_equal(cfg.checks.use_e2scrub, E4ERR_NO);
	assert_int_equal(cfg.checks.escalate_after, 0);
	assert_int_equal(cfg.checks.check_output_max, 256 << 10);
	assert_int_equal(cfg.checks.retry_delay_ms, 90 * SEC);
	assert_int_equal(cfg.checks.alert_after_failures, 0);
	assert_string_equal(cfg.hooks.hook_dir, "/opt/e4errd hooks");
	assert_int_equal(cfg.hooks.hook_deadline_ms, 90 * SEC);
	assert_int_equal(cfg.hooks.hook_output_max, 1 << 20);
	assert_string_equal(cfg.hooks.mail_to, "root,ops+disk@example.org");
	assert_true(cfg.kmsg.read_history);
	e4err_config_free(&cfg);
}

/* Every choice of every enumerated and boolean key. */
static void test_choices(void **state)
{
	static const struct {
		const char *text;
		size_t offset;
		int value;
	} cases[] = {
#define C(text, member, v) { text, offsetof(struct e4err_config, member), v }
		C("[daemon]\nlog_level = error", daemon.log_level, LOG_ERR),
		C("[daemon]\nlog_level = warning", daemon.log_level, LOG_WARNING),
		C("[daemon]\nlog_level = notice", daemon.log_level, LOG_NOTICE),
		C("[daemon]\nlog_level = INFO", daemon.log_level, LOG_INFO),
		C("[checks]\noffline_fsck_mode = readonly",
		  checks.offline_fsck_mode, E4ERR_FSCK_READONLY),
		C("[checks]\noffline_fsck_mode = preen",
		  checks.offline_fsck_mode, E4ERR_FSCK_PREEN),
		C("[checks]\nuse_e2scrub = auto", checks.use_e2scrub, E4ERR_AUTO),
		C("[checks]\nuse_e2scrub = yes", checks.use_e2scrub, E4ERR_YES),
#undef C
	};
	static const char *const yes[] = { "yes", "true", "on", "1", "TRUE" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	struct e4err_config cfg;
	char text[64];
	size_t i;
	int v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_ok(cases[i].text, &cfg);
		memcpy(&v, (char *)&cfg + cases[i].offset, sizeof(v));
		assert_int_equal(v, cases[i].value);
		e4err_config_free(&cfg);
	}
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "[kmsg]\nread_history=%s", yes[i]);
		expect_ok(text, &cfg);
		assert_true(cfg.kmsg.read_history);
		e4err_config_free(&cfg);
		snprintf(text, sizeof(text), "[kmsg]\nread_history: %s", no[i]);
		expect_ok(text, &cfg);
		assert_false(cfg.kmsg.read_history);
		e4err_config_free(&cfg);
	}
}

/* Each type's ways of being wrong, each on line 2 with a useful hint. */
static void test_bad_values(void **state)
{
	expect_bad("daemon", "state_dir", "", "must not be empty");
	expect_bad("daemon", "state_dir", "var/lib/e4errd", "absolute path");
	expect_bad("daemon", "spool_dir", "./spool", "absolute path");
	expect_bad("daemon", "metrics_file", "metrics.prom", "absolute path");
	expect_bad("daemon", "state_dir", "/srv/a\tb", "control characters");
	expect_bad("daemon", "state_dir", "/srv/x # the state",
		   "\"#\" starts a comment only");
	expect_bad("daemon", "mountpoints", "/a relative", "\"relative\" is not "
		   "an absolute path");
	expect_bad("daemon", "mountpoints", "/a /b /a", "\"/a\" is listed twice");
	expect_bad("daemon", "mountpoints", "/a\\04", "bad escape");
	expect_bad("daemon", "mountpoints", "/a\\400", "bad escape");
	expect_bad("daemon", "mountpoints", "/a\\000", "bad escape");
	expect_bad("daemon", "mountpoints", "/a\\x20", "bad escape");
	expect_bad("daemon", "mountpoints", "/a\\", "bad escape");
	expect_bad("daemon", "flood_window", "soon", "expected a duration");
	expect_bad("daemon", "flood_window", "2h", "between 0s and 1h");
	expect_bad("daemon", "inspect_deadline", "99ms", "between 100ms and 10m");
	expect_bad("daemon", "inspect_deadline", "", "must not be empty");
	expect_bad("daemon", "log_level", "loud", "error, warning, notice, "
		   "info, debug");
	expect_bad("store", "max_events_per_fs", "99", "between 100 and "
		   "1000000000");
	expect_bad("store", "max_events_per_fs", "1e6", "whole number");
	expect_bad("store", "max_events_per_fs", "-5", "whole number");
	expect_bad("store", "max_age", "36501d", "between 0s and 36500d");
	expect_bad("checks", "min_interval", "31d", "between 0s and 30d");
	expect_bad("checks", "offline_fsck_mode", "yes", "readonly, preen, "
		   "repair");
	expect_bad("checks", "max_concurrent", "0", "between 1 and 64");
	expect_bad("checks", "max_concurrent", "65", "between 1 and 64");
	expect_bad("checks", "check_deadline", "59s", "between 1m and 30d");
	expect_bad("checks", "use_e2scrub", "maybe", "auto, yes, no");
	expect_bad("checks", "escalate_after", "1001", "between 0 and 1000");
	expect_bad("checks", "check_output_max", "17M", "between 0 and 16M");
	expect_bad("checks", "retry_delay", "500ms", "between 1s and 1d");
	expect_bad("checks", "retry_delay", "2d", "between 1s and 1d");
	expect_bad("checks", "alert_after_failures", "1001", "between 0 and 1000");
	expect_bad("checks", "alert_after_failures", "-1", "expected a whole number");
	expect_bad("hooks", "hook_dir", "hooks.d", "absolute path");
	expect_bad("hooks", "hook_deadline", "0", "between 1s and 1d");
	expect_bad("hooks", "hook_output_max", "64kB", "expected a size");
	expect_bad("hooks", "hook_output_max", "16385k", "between 0 and 16M");
	expect_bad("hooks", "mail_to", "-oQ/tmp root", "not a plain mail address");
	expect_bad("hooks", "mail_to", "root,", "\"\" is not a plain");
	expect_bad("hooks", "mail_to", "a@b@c", "not a plain mail address");
	expect_bad("hooks", "mail_to", "root;rm", "not a plain mail address");
	expect_bad("kmsg", "read_history", "2", "expected yes or no");
	expect_bad("kmsg", "read_history", "", "must not be empty");
}

static void test_durations_and_sizes(void **state)
{
	static const struct {
		const char *value;
		uint64_t ms;
	} good[] = {
		{ "0", 0 }, { "0s", 0 }, { "0ms", 0 }, { "1ms", 1 },
		{ "3600000ms", HOUR }, { "60m", HOUR }, { "1h", HOUR },
		{ "007s", 7 * SEC }, { "3600", HOUR },
	};
	static const char *const bad[] = {
		"1.5h", "1h30m", "+1s", "-1s", "1 s", "s", "1S", "1M",
		"1w", "0x10", "1sec", "١s",
	};
	struct e4err_config cfg;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\nflood_window = %s",
			 good[i].value);
		expect_ok(text, &cfg);
		assert_int_equal(cfg.daemon.flood_window_ms, good[i].ms);
		e4err_config_free(&cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad("checks", "min_interval", bad[i], "expected a duration");

	/* Range ends are inclusive. */
	expect_ok("[store]\nmax_age = 36500d\n[checks]\nmin_interval = 30d\n"
		  "check_deadline = 1m\n[daemon]\ninspect_deadline = 100ms\n",
		  &cfg);
	assert_int_equal(cfg.store.max_age_ms, 36500 * DAY);
	assert_int_equal(cfg.checks.check_deadline_ms, MIN);
	e4err_config_free(&cfg);

	/* Overflow of the digits, and of the unit's multiplication. */
	expect_bad("store", "max_age", "18446744073709551616ms", "too large");
	expect_bad("store", "max_age", "18446744073709551615s", "too large");
	expect_bad("store", "max_age", "213503982335d", "too large");
	expect_bad("store", "max_age", "18446744073709551615ms", "out of range");
	expect_bad("store", "max_age", "99999999999999999999999999999999d",
		   "too large");
	expect_bad("checks", "max_concurrent", "4294967297", "out of range");
	expect_bad("checks", "max_concurrent", "99999999999999999999999",
		   "out of range");

	expect_ok("[hooks]\nhook_output_max = 0\n", &cfg);
	assert_int_equal(cfg.hooks.hook_output_max, 0);
	e4err_config_free(&cfg);
	expect_ok("[hooks]\nhook_output_max = 16M\n", &cfg);
	assert_int_equal(cfg.hooks.hook_output_max, 16 << 20);
	e4err_config_free(&cfg);
	expect_ok("[hooks]\nhook_output_max = 2K\n", &cfg);
	assert_int_equal(cfg.hooks.hook_output_max, 2048);
	e4err_config_free(&cfg);
	expect_ok("[hooks]\nhook_output_max = 16777216\n", &cfg);
	assert_int_equal(cfg.hooks.hook_output_max, 16 << 20);
	e4err_config_free(&cfg);
	expect_bad("hooks", "hook_output_max", "16777217", "between 0 and 16M");
	expect_bad("hooks", "hook_output_max", "1G", "between 0 and 16M");
	expect_bad("hooks", "hook_output_max", "17179869184G", "too large");
	expect_bad("hooks", "hook_output_max", "1.5M", "expected a size");
}

static void test_empty_values(void **state)
{
	struct e4err_config cfg;

	/* Empty means "off" or "all" where a key allows it. */
	expect_ok("[daemon]\nmetrics_file =\nmountpoints = \n[hooks]\n"
		  "mail_to=\n", &cfg);
	assert_string_equal(cfg.daemon.metrics_file, "");
	assert_int_equal(cfg.daemon.n_mountpoints, 0);
	assert_string_equal(cfg.hooks.mail_to, "");
	e4err_config_free(&cfg);
	expect_bad("daemon", "spool_dir", "", "must not be empty");
	expect_bad("hooks", "hook_dir", "   ", "must not be empty");
	expect_bad("daemon", "log_level", "", "must not be empty");
	expect_bad("store", "max_events_per_fs", "", "must not be empty");
	expect_bad("hooks", "hook_output_max", "", "must not be empty");
}

static void test_comments(void **state)
{
	struct e4err_config cfg;

	expect_ok("; semicolon\n# hash\n   # indented\n[daemon] ; after\n"
		  "state_dir = /srv/s ; inline comment\n"
		  "spool_dir = /srv/a;b\n"		/* no blank: part of it */
		  "metrics_file = /srv/#m\n"		/* no blank: part of it */
		  "[hooks]  # after a section\n"
		  "mail_to = root\t; tab before\n", &cfg);
	assert_string_equal(cfg.daemon.state_dir, "/srv/s");
	assert_string_equal(cfg.daemon.spool_dir, "/srv/a;b");
	assert_string_equal(cfg.daemon.metrics_file, "/srv/#m");
	assert_string_equal(cfg.hooks.mail_to, "root");
	e4err_config_free(&cfg);
	expect_bad("checks", "min_interval", "2h # two hours",
		   "\"#\" starts a comment only");

	/* CR LF line ends and a byte order mark. */
	expect_ok("\xef\xbb\xbf[checks]\r\nmax_concurrent = 3\r\n", &cfg);
	assert_int_equal(cfg.checks.max_concurrent, 3);
	e4err_config_free(&cfg);
}

static void test_unknown(void **state)
{
	expect_error("[daemon]\nstate_dri = /x\n", 2,
		     "unknown key \"state_dri\" in [daemon]; expected one of: "
		     "state_dir, spool_dir");
	expect_error("[checks]\n\nmail_to = root\n", 3,
		     "mail_to belongs under [hooks], not [checks]");
	expect_error("state_dir = /x\n", 1,
		     "state_dir is outside any section; it belongs under "
		     "[daemon]");
	expect_error("frobnicate = 1\n", 1, "unknown key \"frobnicate\" "
		     "outside any section");
	expect_error("[daemon]\nState_Dir = /x\n", 2, "unknown key");
	/* An unknown section is reported once, not once per key in it. */
	expect_error("[daemon]\n[dameon]\nstate_dir = /x\nspool_dir = /y\n", 2,
		     "unknown section [dameon]; expected [daemon], [store], "
		     "[checks], [hooks], [kmsg]");
	expect_error("[Daemon]\n", 1, "unknown section [Daemon]");
	expect_error("[]\n", 1, "unknown section []");
	expect_error("[daemon\n", 1, "without a closing \"]\"");
	expect_error("[daemon ;]\n", 1, "without a closing \"]\"");
	expect_error("[daemon] x\n", 1, "unexpected text after [daemon]");
	expect_error("[daemon]\n= /x\n", 2, "no key name");
	expect_error("[daemon]\nstate_dir\n", 2, "expected a [section] line, "
		     "a key = value line or a comment");
	expect_error("[x\x1b[31m]\n", 1, "unknown section [x\\x1b[31m]");
}

static void test_structure(void **state)
{
	struct e4err_config cfg;

	expect_error("[checks]\nmax_concurrent = 2\nmax_concurrent = 3\n", 3,
		     "[checks] max_concurrent is set twice (first on line 2)");
	/* Re-opening a section is fine; setting a key again is not. */
	expect_ok("[daemon]\nstate_dir=/a\n[hooks]\nmail_to=\n[daemon]\n"
		  "spool_dir=/b\n", &cfg);
	assert_string_equal(cfg.daemon.spool_dir, "/b");
	e4err_config_free(&cfg);
	/* inih: an indented line after a pair continues it. */
	expect_error("[daemon]\nstate_dir = /a\n  spool_dir = /b\n", 3,
		     "continues [daemon] state_dir from line 2, but only "
		     "mountpoints");
	/* ...but not right after a section line: then it is a pair. */
	expect_ok("[daemon]\n  state_dir = /a\n", &cfg);
	assert_string_equal(cfg.daemon.state_dir, "/a");
	e4err_config_free(&cfg);
	/* Continuation lines of the list, with comments between. */
	expect_ok("[daemon]\nmountpoints =\n  /a\n# between\n  /b ; c\n"
		  "\t/c /d\n[hooks]\n", &cfg);
	assert_int_equal(cfg.daemon.n_mountpoints, 4);
	assert_string_equal(cfg.daemon.mountpoints[3], "/d");
	e4err_config_free(&cfg);
	expect_error("[daemon]\nmountpoints = /a\n  /b\n  /a\n", 4,
		     "\"/a\" is listed twice");
	expect_error("[daemon]\nstate_dir = /same\nspool_dir = /same\n", 3,
		     "spool_dir is the same directory as state_dir");
}

/* Several problems: every one is reported, in line order. */
static void test_all_reported(void **state)
{
	static const char text[] =
		"[daemon]\n"
		"flood_window = 1x\n"		/* 2 */
		"not a setting\n"		/* 3 */
		"[checks\n"			/* 4 */
		"[checks]\n"
		"max_concurrent = 0\n"		/* 6 */
		"also bad\n"			/* 7 */
		"[nope]\n"			/* 8 */
		"x = 1\n"
		"[kmsg]\n"
		"read_history = perhaps\n"	/* 11 */
		"read_history = no\n";		/* 12 */
	static const uint32_t lines[] = { 2, 3, 4, 6, 7, 8, 11, 12 };
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	size_t i;

	assert_int_equal(parse(text, &cfg, &errs), E4ERR_CONFIG);
	print_errors(&errs);
	assert_int_equal(errs.count, sizeof(lines) / sizeof(lines[0]));
	for (i = 0; i < errs.count; i++)
		assert_int_equal(errs.list[i].line, lines[i]);
	assert_true(has_error(&errs, 3, "expected a [section] line"));
	assert_true(has_error(&errs, 7, "expected a [section] line"));
	assert_true(has_error(&errs, 12, "set twice (first on line 11)"));
	e4err_config_errors_free(&errs);
	assert_null(errs.list);
}

/* A big file: line numbers stay right, and problems are capped, not lost. */
static void test_ten_thousand_lines(void **state)
{
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	size_t size = 0, i;
	char *text = NULL;
	FILE *f = open_memstream(&text, &size);
	struct timespec t0, t1;

	assert_non_null(f);
	fputs("[daemon]\nmountpoints =\n", f);
	for (i = 3; i <= 9998; i++)
		fprintf(f, i % 2 && i < 2000 ? "  /srv/m%zu\n" :
			"# comment %zu\n", i);
	fputs("[checks]\nmax_concurrent = 65\n", f);	/* line 10000 */
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(parse(text, &cfg, &errs), E4ERR_CONFIG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# 10000 lines parsed in %.1f ms\n",
		      (t1.tv_sec - t0.tv_sec) * 1e3 +
		      (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(errs.count, 1);
	assert_true(has_error(&errs, 10000, "between 1 and 64"));
	e4err_config_errors_free(&errs);

	/* The same with a good last line: all 999 mount points are there. */
	strcpy(text + size - strlen("65\n"), "2\n");
	expect_ok(text, &cfg);
	assert_int_equal(cfg.daemon.n_mountpoints, 999);
	assert_string_equal(cfg.daemon.mountpoints[998], "/srv/m1999");
	e4err_config_free(&cfg);
	free(text);

	/* 1024 mount points is the limit: item j is on line 2 + j. */
	f = open_memstream(&text, &size);
	fputs("[daemon]\nmountpoints =\n", f);
	for (i = 1; i <= 1025; i++)
		fprintf(f, "\t/m%zu\n", i);
	fclose(f);
	expect_error(text, 2 + 1025, "more than 1024 mount points");
	free(text);

	/* 10000 bad lines: the first 50 kept, the rest counted. */
	text = malloc(10000 * 8 + 1);
	assert_non_null(text);
	for (i = 0; i < 10000; i++)
		memcpy(text + 8 * i, "garbage\n", 8);
	text[80000] = '\0';
	assert_int_equal(parse(text, &cfg, &errs), E4ERR_CONFIG);
	assert_int_equal(errs.count, E4ERR_CONFIG_MAX_ERRORS);
	assert_int_equal(errs.omitted, 10000 - E4ERR_CONFIG_MAX_ERRORS);
	assert_int_equal(errs.list[0].line, 1);
	assert_int_equal(errs.list[E4ERR_CONFIG_MAX_ERRORS - 1].line,
			 E4ERR_CONFIG_MAX_ERRORS);
	e4err_config_errors_free(&errs);
	free(text);
}

static void test_long_lines(void **state)
{
	struct e4err_config cfg;
	char text[512];
	size_t n;

	/* 199 bytes is the most a line may hold. */
	strcpy(text, "[daemon]\nstate_dir=/");
	n = strlen(text);
	memset(text + n, 'a', 188);
	strcpy(text + n + 188, "\n");
	assert_int_equal(strlen(strchr(text, 's')), 199 + 1);
	expect_ok(text, &cfg);
	assert_int_equal(strlen(cfg.daemon.state_dir), 189);
	e4err_config_free(&cfg);
	/*
	 * Longer, and the line is refused whole; cut at 199 bytes, as inih
	 * alone would, its tail would read as a setting of its own.
	 */
	strcpy(text + n + 188, "spool_dir=/x\n");
	expect_error(text, 2, "longer than 199 bytes");
}

static void test_binary(void **state)
{
	static const char nul[] = "[daemon]\nstate_dir = /a\0/b\nspool_dir = /c\n";
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	unsigned char buf[4096];
	uint32_t x = 2463534242u;
	errcode_t retval;
	size_t i, round;

	retval = e4err_config_parse("test.conf", nul, sizeof(nul) - 1, &cfg,
				    &errs);
	assert_int_equal(retval, E4ERR_CONFIG);
	assert_int_equal(errs.count, 1);
	assert_true(has_error(&errs, 2, "NUL byte"));
	e4err_config_errors_free(&errs);

	expect_bad("daemon", "state_dir", "/a\x1b[2J", "control character");
	expect_error("[daemon]\nstate_dir = /a\x7f\n", 2, "\\x7f");

	/* Random bytes, with and without newlines and section-like bytes. */
	for (round = 0; round < 200; round++) {
		size_t len = 1 + round * 20;

		for (i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			buf[i] = round % 2 ? (unsigned char)x :
				 (unsigned char)"[]=;# \n\tab/\\0\x01\xff"[x % 16];
		}
		retval = e4err_config_parse("fuzz", (char *)buf, len, &cfg,
					    &errs);
		if (retval == 0)
			e4err_config_free(&cfg);
		else
			assert_int_equal(retval, E4ERR_CONFIG);
		e4err_config_errors_free(&errs);
	}
}

/* What print writes, parse reads back the same. */
static void check_round_trip(const struct e4err_config *cfg)
{
	struct e4err_config back;
	size_t size = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(e4err_config_print(f, cfg), 0);
	fclose(f);
	expect_ok(text, &back);
	if (!e4err_config_equal(cfg, &back))
		print_message("# printed:\n%s", text);
	assert_true(e4err_config_equal(cfg, &back));
	e4err_config_free(&back);
	free(text);
}

static void test_print(void **state)
{
	struct e4err_config cfg, other;
	size_t size = 0, i;
	char *text = NULL;
	FILE *f;

	assert_int_equal(e4err_config_init(&cfg), 0);
	check_round_trip(&cfg);
	e4err_config_free(&cfg);

	expect_ok(full, &cfg);
	check_round_trip(&cfg);
	expect_ok("", &other);
	assert_false(e4err_config_equal(&cfg, &other));
	e4err_config_free(&other);

	/* Units: the largest that says it exactly. */
	f = open_memstream(&text, &size);
	assert_int_equal(e4err_config_print(f, &cfg), 0);
	fclose(f);
	assert_non_null(strstr(text, "\nflood_window = 1500ms\n"));
	assert_non_null(strstr(text, "\nhook_deadline = 90s\n"));
	assert_non_null(strstr(text, "\nhook_output_max = 1M\n"));
	assert_non_null(strstr(text, "\nmountpoints = / /srv/my\\040photos "
			       "/srv/back\\134slash\n"));
	assert_non_null(strstr(text, "\nread_history = yes\n"));
	free(text);
	e4err_config_free(&cfg);

	/* A list longer than a line wraps onto indented lines. */
	f = open_memstream(&text, &size);
	fputs("[daemon]\nmountpoints =\n", f);
	for (i = 0; i < 300; i++)
		fprintf(f, "  /srv/\\001\\011\\040%zu\n", i);
	fprintf(f, "  /%0190d\n", 0);
	fclose(f);
	expect_ok(text, &cfg);
	free(text);
	assert_int_equal(cfg.daemon.n_mountpoints, 301);
	check_round_trip(&cfg);
	e4err_config_free(&cfg);
}

static char *collected;

static void collect(const char *whoami, long code, const char *fmt,
		    va_list args)
	__attribute__((format(printf, 3, 0)));

static void collect(const char *whoami, long code, const char *fmt,
		    va_list args)
{
	char *line = NULL, *joined = NULL;

	if (vasprintf(&line, fmt, args) < 0)
		fail();
	if (asprintf(&joined, "%s%s: %s %s\n", collected ? collected : "",
		     whoami, error_message(code), line) < 0)
		fail();
	free(line);
	free(collected);
	collected = joined;
}

static void test_report(void **state)
{
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	char *text;

	text = calloc(1, 60 * 4 + 1);
	assert_non_null(text);
	while (strlen(text) < 60 * 4)
		strcat(text, "bad\n");
	assert_int_equal(parse(text, &cfg, &errs), E4ERR_CONFIG);
	free(text);
	set_com_err_hook(collect);
	e4err_config_report("e4errd", &errs);
	reset_com_err_hook();
	assert_non_null(collected);
	assert_non_null(strstr(collected, "e4errd: Invalid configuration at "
			       "test.conf:1: expected a [section] line"));
	assert_non_null(strstr(collected, "test.conf:50:"));
	assert_null(strstr(collected, "test.conf:51:"));
	assert_non_null(strstr(collected, "(and 10 more problems not shown)"));
	free(collected);
	collected = NULL;
	e4err_config_errors_free(&errs);
}

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/test_config.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void expect_load_error(const char *path, errcode_t code,
			      const char *needle)
{
	struct e4err_config_errors errs;
	struct e4err_config cfg;

	assert_int_equal(e4err_config_load(path, &cfg, &errs), code);
	assert_int_equal(errs.count, 1);
	assert_int_equal(errs.list[0].line, 0);
	if (!strstr(errs.list[0].message, needle))
		print_errors(&errs);
	assert_non_null(strstr(errs.list[0].message, needle));
	assert_non_null(strstr(errs.list[0].message, path));
	assert_null(cfg.daemon.state_dir);
	e4err_config_errors_free(&errs);
}

static void test_load(void **state)
{
	struct e4err_config_errors errs;
	struct e4err_config cfg;
	char *dir = temp_dir(), path[256], missing[256];

	snprintf(path, sizeof(path), "%s/e4errd.conf", dir);
	snprintf(missing, sizeof(missing), "%s/absent.conf", dir);
	write_file(path, "[checks]\nmax_concurrent = 5\n", 0644);
	assert_int_equal(e4err_config_load(path, &cfg, &errs), 0);
	assert_int_equal(cfg.checks.max_concurrent, 5);
	e4err_config_free(&cfg);

	/* Problems in a file name the file. */
	write_file(path, "[checks]\n\nmax_concurrent = 500\n", 0600);
	assert_int_equal(e4err_config_load(path, &cfg, &errs), E4ERR_CONFIG);
	assert_int_equal(errs.count, 1);
	assert_int_equal(errs.list[0].line, 3);
	assert_non_null(strstr(errs.list[0].message, path));
	assert_non_null(strstr(errs.list[0].message, ":3: "));
	e4err_config_errors_free(&errs);

	/* A file asked for must be there. */
	expect_load_error(missing, ENOENT, "while opening configuration file");
	expect_load_error(dir, E4ERR_CONFIG, "not a regular file");
	write_file(path, "", 0664);
	expect_load_error(path, E4ERR_CONFIG, "writable by group or others "
			  "(mode 0664)");
	write_file(path, "", 0602);
	expect_load_error(path, E4ERR_CONFIG, "writable by group or others");
	if (geteuid() == 0) {
		write_file(path, "", 0644);
		assert_int_equal(chown(path, 4242, 0), 0);
		expect_load_error(path, E4ERR_CONFIG, "owned by uid 4242");
		/* root reads a file it cannot access by mode: so must we. */
		write_file(path, "[kmsg]\nread_history = yes\n", 0);
		assert_int_equal(chown(path, 0, 0), 0);
		assert_int_equal(e4err_config_load(path, &cfg, &errs), 0);
		assert_true(cfg.kmsg.read_history);
		e4err_config_free(&cfg);
	} else {
		print_message("# not root: ownership not checked\n");
	}
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* A source or build file next to tests/, or NULL outside the runner. */
static char *project_file(const char *env, const char *rel)
{
	const char *base = getenv(env);
	char *path = NULL;

	if (!base || asprintf(&path, "%s/../%s", base, rel) < 0)
		return NULL;
	return path;
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "r"), *out = open_memstream(&text, &size);
	int c;

	if (!f)
		print_message("# cannot open %s\n", path);
	assert_non_null(f);
	while ((c = getc(f)) != EOF)
		putc(c, out);
	fclose(f);
	fclose(out);
	return text;
}

/* Each key's name, from what print writes. */
static void for_each_key(void (*fn)(const char *key, void *arg), void *arg)
{
	struct e4err_config cfg;
	char *text = NULL, *line, *eq, *save;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int n = 0;

	assert_int_equal(e4err_config_init(&cfg), 0);
	assert_int_equal(e4err_config_print(f, &cfg), 0);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		eq = strstr(line, " =");
		if (line[0] == '[' || !eq)
			continue;
		*eq = '\0';
		fn(line, arg);
		n++;
	}
	assert_int_equal(n, 23);
	free(text);
	e4err_config_free(&cfg);
}

static void key_in_man(const char *key, void *arg)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "\n.B %s = ", key);
	if (!strstr(arg, needle))
		print_message("# e4errd.conf.5.in lacks \"%s\"\n", needle + 1);
	assert_non_null(strstr(arg, needle));
}

static void key_in_example(const char *key, void *arg)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "\n#%s =", key);
	assert_non_null(strstr(arg, needle));
}

static void test_docs_in_step(void **state)
{
	char *man = project_file("TEST_SRCDIR", "e4errd/e4errd.conf.5.in");
	char *ex = project_file("TEST_BUILDDIR", "e4errd/e4errd.conf.example");
	struct e4err_config cfg, defaults;
	char *text, *p;

	if (!man || !ex || access(ex, R_OK)) {
		free(man);
		free(ex);
		skip();
	}
	text = slurp(man);
	for_each_key(key_in_man, text);
	free(text);

	/* The example, uncommented, is exactly the defaults. */
	text = slurp(ex);
	for_each_key(key_in_example, text);
	/* "#key = value" lines lose their "#"; prose comments stay. */
	for (p = text; (p = strstr(p, "\n#")); p++) {
		size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz_");

		if (n && n == strcspn(p + 2, " ="))
			memmove(p + 1, p + 2, strlen(p + 2) + 1);
	}
	expect_ok(text, &cfg);
	assert_int_equal(e4err_config_init(&defaults), 0);
	assert_true(e4err_config_equal(&cfg, &defaults));
	e4err_config_free(&cfg);
	e4err_config_free(&defaults);
	free(text);
	free(man);
	free(ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_durations_and_sizes),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_all_reported),
		cmocka_unit_test(test_ten_thousand_lines),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_docs_in_step),
	};

	add_error_table(&et_e4er_error_table);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
