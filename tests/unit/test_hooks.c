/*
 * test_hooks.c --- the E4ERRD_* environment hooks get: every documented
 * variable from its field, hostile kernel and user strings escaped with
 * an exact *_HEX twin, absent fields absent, a long job output cut to its
 * end; and the class names.  Selection, refusal and running are tested
 * live (live/t_hooks.sh), as root.
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

#include "hooks.h"
#include "sdunit.h"

static const char *get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void test_env_fields(void **state)
{
	static const char desc[] = "bad\n\x1b[31mred\xff\x00tail";
	struct e4err_hook_event ev;
	char **env = NULL, **p;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.cls = E4ERR_HOOK_FINDING_CONFIRMED;
	ev.time_ns = 1700000000123456789ULL;
	ev.uuid = "0d15dd23-a0c9-41f9-8d61-ebaafc873b6e";
	ev.device = "/dev/loop0";
	ev.mountpoint = "/mnt/x\ny";
	ev.has_inode = true;
	ev.inode = 12;
	ev.has_block = true;
	ev.block = 4385;
	ev.has_error = true;
	ev.error = -117;
	ev.error_count = 3;
	ev.verdict = "confirmed";
	ev.desc = desc;
	ev.desc_len = sizeof(desc) - 1;
	ev.function = "ext4_lookup";
	ev.function_len = 11;
	ev.comm = "ls";
	ev.comm_len = 2;
	assert_int_equal(e4err_hooks_env(&ev, "root,ops@example.org", &env), 0);
	assert_string_equal(get(env, "E4ERRD_CLASS"), "finding-confirmed");
	assert_string_equal(get(env, "E4ERRD_TIME"), "1700000000");
	assert_string_equal(get(env, "E4ERRD_TIME_NS"), "1700000000123456789");
	assert_string_equal(get(env, "E4ERRD_UUID"), ev.uuid);
	assert_string_equal(get(env, "E4ERRD_DEVICE"), "/dev/loop0");
	assert_string_equal(get(env, "E4ERRD_DEVICE_HEX"), "2f6465762f6c6f6f7030");
	assert_string_equal(get(env, "E4ERRD_MOUNTPOINT"), "/mnt/x\\ny");
	assert_string_equal(get(env, "E4ERRD_MOUNTPOINT_HEX"), "2f6d6e742f780a79");
	assert_string_equal(get(env, "E4ERRD_INODE"), "12");
	assert_string_equal(get(env, "E4ERRD_BLOCK"), "4385");
	assert_string_equal(get(env, "E4ERRD_ERROR"), "-117");
	assert_string_equal(get(env, "E4ERRD_ERROR_NAME"), "EFSCORRUPTED");
	assert_string_equal(get(env, "E4ERRD_ERROR_COUNT"), "3");
	assert_string_equal(get(env, "E4ERRD_VERDICT"), "confirmed");
	assert_string_equal(get(env, "E4ERRD_FUNCTION"), "ext4_lookup");
	assert_string_equal(get(env, "E4ERRD_COMM"), "ls");
	assert_string_equal(get(env, "E4ERRD_COMM_HEX"), "6c73");
	assert_string_equal(get(env, "E4ERRD_DESC"),
			    "bad\\n\\x1b[31mred\\xff\\x00tail");
	assert_string_equal(get(env, "E4ERRD_DESC_HEX"),
			    "6261640a1b5b33316d726564ff007461696c");
	assert_string_equal(get(env, "E4ERRD_MAIL_TO"), "root,ops@example.org");
	assert_null(get(env, "E4ERRD_PATH"));
	assert_null(get(env, "E4ERRD_JOB_KIND"));
	assert_null(get(env, "E4ERRD_EXIT_STATUS"));
	/* No value holds a control character: safe for any consumer. */
	for (p = env; *p; p++) {
		const unsigned char *c;

		for (c = (const unsigned char *)*p; *c; c++)
			assert_true(*c >= 0x20 && *c != 0x7f);
	}
	e4err_argv_free(env);
}

static void test_env_job(void **state)
{
	struct e4err_hook_event ev;
	char out[10000], **env = NULL;
	const char *v;

	(void)state;
	memset(out, 'a', sizeof(out));
	memcpy(out + sizeof(out) - 4, "END", 4);
	memset(&ev, 0, sizeof(ev));
	ev.cls = E4ERR_HOOK_JOB_FINISHED;
	ev.job_id = "123:4";
	ev.job_kind = "e2fsck-readonly";
	ev.job_state = "done";
	ev.job_outcome = "corrupt";
	ev.job_reason = "not mounted: e2fsck -fn";
	ev.has_exit_status = true;
	ev.exit_status = 4;
	ev.job_output = out;
	ev.job_output_len = sizeof(out) - 1;
	assert_int_equal(e4err_hooks_env(&ev, "", &env), 0);
	assert_string_equal(get(env, "E4ERRD_CLASS"), "job-finished");
	assert_string_equal(get(env, "E4ERRD_JOB_ID"), "123:4");
	assert_string_equal(get(env, "E4ERRD_JOB_KIND"), "e2fsck-readonly");
	assert_string_equal(get(env, "E4ERRD_JOB_STATE"), "done");
	assert_string_equal(get(env, "E4ERRD_JOB_OUTCOME"), "corrupt");
	assert_string_equal(get(env, "E4ERRD_EXIT_STATUS"), "4");
	v = get(env, "E4ERRD_JOB_OUTPUT");
	assert_non_null(v);
	assert_int_equal(strlen(v), E4ERR_HOOKS_OUTPUT_ENV_MAX);
	assert_string_equal(v + strlen(v) - 3, "END");
	assert_null(get(env, "E4ERRD_MAIL_TO"));
	assert_null(get(env, "E4ERRD_INODE"));
	e4err_argv_free(env);
}

static void test_class_names(void **state)
{
	enum e4err_hook_class c;
	unsigned i;

	(void)state;
	for (i = 0; i < E4ERR_HOOK_CLASS_MAX; i++) {
		assert_true(e4err_hook_class_parse(
			e4err_hook_class_name((enum e4err_hook_class)i), &c));
		assert_int_equal(c, i);
	}
	assert_string_equal(e4err_hook_class_name(E4ERR_HOOK_ALERT), "alert");
	assert_false(e4err_hook_class_parse("all", &c));
	assert_false(e4err_hook_class_parse("alert-", &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_fields),
		cmocka_unit_test(test_env_job),
		cmocka_unit_test(test_class_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
