/*
 * test_sdunit.c --- systemd unit names and systemd-run command lines:
 * path escaping as systemd-escape --path does it (the live comparison
 * with the real tool is in cli/t_units.sh), the e2scrub@ name e2scrub_all
 * computes and its inverse, the systemd-run argument vector (dollars
 * doubled, hostile environment refused) and reading its closing lines.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sdunit.h"

static void expect_escape(const char *path, const char *want)
{
	char *out = NULL;

	assert_int_equal(e4err_systemd_escape_path(path, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void test_escape_path(void **state)
{
	char *out = NULL;

	(void)state;
	expect_escape("/", "-");
	expect_escape("//", "-");
	expect_escape("/mnt/data", "mnt-data");
	expect_escape("/mnt//data/", "mnt-data");
	expect_escape("/mnt/./data", "mnt-data");
	expect_escape("/srv/my photos", "srv-my\\x20photos");
	expect_escape("/srv/a-b", "srv-a\\x2db");
	expect_escape("/srv/back\\slash", "srv-back\\x5cslash");
	expect_escape("/.hidden/x", "\\x2ehidden-x");
	expect_escape("/a/.b", "a-.b");
	expect_escape("/caf\xc3\xa9", "caf\\xc3\\xa9");
	expect_escape("/a:b_c.d", "a:b_c.d");
	expect_escape("/tab\there\nnl", "tab\\x09here\\x0anl");
	assert_int_equal(e4err_systemd_escape_path("relative", &out), EINVAL);
	assert_int_equal(e4err_systemd_escape_path("/a/../b", &out), EINVAL);
	assert_null(out);
}

static void expect_unit(const char *mp, const char *want)
{
	char *unit = NULL, *back = NULL;

	assert_int_equal(e4err_e2scrub_unit_name(mp, &unit), 0);
	assert_string_equal(unit, want);
	assert_int_equal(e4err_e2scrub_unit_mountpoint(unit, &back), 0);
	assert_string_equal(back, mp);
	free(unit);
	free(back);
}

static void test_e2scrub_unit(void **state)
{
	char *unit = NULL, long_mp[300];

	(void)state;
	expect_unit("/", "e2scrub@-.service");
	expect_unit("/home", "e2scrub@-home.service");
	expect_unit("/srv/my-data", "e2scrub@-srv-my\\x2ddata.service");
	expect_unit("/srv/my photos", "e2scrub@-srv-my\\x20photos.service");
	expect_unit("/m\xc3\xbcnchen", "e2scrub@-m\\xc3\\xbcnchen.service");
	memset(long_mp, 'a', sizeof(long_mp));
	long_mp[0] = '/';
	long_mp[sizeof(long_mp) - 1] = '\0';
	assert_int_equal(e4err_e2scrub_unit_name(long_mp, &unit), E2BIG);
	assert_null(unit);
}

static void test_unit_mountpoint_bad(void **state)
{
	static const char *const bad[] = {
		"e2scrub@.service", "other@-x.service", "e2scrub@-x.socket",
		"e2scrub@x.service", "e2scrub@-a\\x00b.service", "", NULL,
	};
	char *mp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mp = NULL;
		assert_int_equal(e4err_e2scrub_unit_mountpoint(bad[i], &mp), EINVAL);
		assert_null(mp);
	}
	/* A stray backslash is kept as systemd keeps it. */
	assert_int_equal(e4err_e2scrub_unit_mountpoint("e2scrub@-a\\zb.service",
						       &mp), 0);
	assert_string_equal(mp, "/a\\zb");
	free(mp);
}

static bool has(char **argv, const char *s)
{
	for (; *argv; argv++)
		if (!strcmp(*argv, s))
			return true;
	return false;
}

static void test_sdrun_argv(void **state)
{
	const char *cmd[] = { "/usr/sbin/e2fsck", "-fn", "/dev/a$b", NULL };
	const char *env[] = { "E4ERRD_DESC=bad\\x1b[31m", "LC_ALL=C", NULL };
	struct e4err_sdrun run;
	char **argv = NULL;
	size_t i;

	(void)state;
	memset(&run, 0, sizeof(run));
	run.unit = "e4errd-check-1";
	run.description = "e4errd check";
	run.runtime_max_ms = 90500;
	run.stop_timeout_ms = 10000;
	run.env = env;
	run.argv = cmd;
	assert_int_equal(e4err_sdrun_argv(&run, &argv), 0);
	assert_string_equal(argv[0], "/usr/bin/systemd-run");
	assert_true(has(argv, "--wait"));
	assert_true(has(argv, "--pipe"));
	assert_true(has(argv, "--collect"));
	assert_true(has(argv, "--unit=e4errd-check-1.service"));
	assert_true(has(argv, "--property=RuntimeMaxSec=91s"));
	assert_true(has(argv, "--property=TimeoutStopSec=10s"));
	assert_false(has(argv, "--property=SendSIGKILL=no"));
	assert_true(has(argv, "--setenv=LC_ALL=C"));
	for (i = 0; argv[i] && strcmp(argv[i], "--"); i++)
		;
	assert_non_null(argv[i]);
	assert_string_equal(argv[i + 1], "/usr/sbin/e2fsck");
	assert_string_equal(argv[i + 3], "/dev/a$$b");
	assert_null(argv[i + 4]);
	e4err_argv_free(argv);

	/* A repair: never SIGKILLed, no runtime limit. */
	run.runtime_max_ms = 0;
	run.no_sigkill = true;
	run.unit = "x.service";
	assert_int_equal(e4err_sdrun_argv(&run, &argv), 0);
	assert_true(has(argv, "--property=SendSIGKILL=no"));
	assert_true(has(argv, "--unit=x.service"));
	for (i = 0; argv[i]; i++)
		assert_null(strstr(argv[i], "RuntimeMaxSec"));
	e4err_argv_free(argv);

	/* Raw control bytes or invalid UTF-8 in the environment: refused. */
	env[0] = "E4ERRD_DESC=bad\x1b[31m";
	assert_int_equal(e4err_sdrun_argv(&run, &argv), EINVAL);
	env[0] = "E4ERRD_DESC=\xff";
	assert_int_equal(e4err_sdrun_argv(&run, &argv), EINVAL);
	env[0] = "E4ERRD_DESC=caf\xc3\xa9";
	assert_int_equal(e4err_sdrun_argv(&run, &argv), 0);
	e4err_argv_free(argv);
	cmd[0] = "e2fsck";
	assert_int_equal(e4err_sdrun_argv(&run, &argv), EINVAL);
}

static void test_sdrun_outcome(void **state)
{
	static const char out1[] =
		"Running as unit: e4errd-check-1.service\n"
		"Main processes terminated with: code=exited, status=99/FAKE\n"
		"e2fsck output\n"
		"Finished with result: exit-code\n"
		"Main processes terminated with: code=exited, status=4/NOPERMISSION\n"
		"Service runtime: 2.1s\n";
	static const char out2[] =
		"Finished with result: timeout\n"
		"Main processes terminated with: code=killed, status=15/TERM\n";
	static const char out3[] = "Failed to start transient service unit: x\n";
	bool exited, signaled, timeout;
	int status, sig;

	(void)state;
	assert_true(e4err_sdrun_outcome(out1, strlen(out1), &exited, &status,
					&signaled, &sig, &timeout));
	assert_true(exited);
	assert_int_equal(status, 4);
	assert_false(signaled);
	assert_false(timeout);
	assert_true(e4err_sdrun_outcome(out2, strlen(out2), &exited, &status,
					&signaled, &sig, &timeout));
	assert_false(exited);
	assert_true(signaled);
	assert_int_equal(sig, 15);
	assert_true(timeout);
	assert_false(e4err_sdrun_outcome(out3, strlen(out3), &exited, &status,
					 &signaled, &sig, &timeout));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_path),
		cmocka_unit_test(test_e2scrub_unit),
		cmocka_unit_test(test_unit_mountpoint_bad),
		cmocka_unit_test(test_sdrun_argv),
		cmocka_unit_test(test_sdrun_outcome),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
