/*
 * test_runner.c --- the child runner with real processes: output
 * captured and bounded, a clean environment, exec failures reported at
 * start, the concurrency limit, a child past its deadline stopped
 * (SIGTERM, then SIGKILL when it ignores that), a repair never killed but
 * reported overdue, a grandchild holding the pipe not delaying the
 * reaping, and the per-tool reading of exit statuses.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
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

#include "e4err_err.h"
#include "runner.h"

struct seen {
	int done;
	struct e4err_run_result last;
	char *output;
	int overdue;
	uint64_t overdue_id;
};

static void on_done(void *arg, const struct e4err_run_result *r)
{
	struct seen *s = arg;

	s->done++;
	s->last = *r;
	free(s->output);
	s->output = malloc(r->output_len + 1);
	memcpy(s->output, r->output, r->output_len + 1);
	s->last.output = s->output;
}

static void on_overdue(void *arg, uint64_t id, void *cookie, uint64_t ms)
{
	struct seen *s = arg;

	(void)cookie;
	(void)ms;
	s->overdue++;
	s->overdue_id = id;
}

static struct e4err_runner *runner(struct seen *s, uint32_t max)
{
	struct e4err_runner_options o;
	struct e4err_runner *r = NULL;

	memset(s, 0, sizeof(*s));
	memset(&o, 0, sizeof(o));
	o.max_running = max;
	o.kill_grace_ms = 300;
	o.done = on_done;
	o.overdue = on_overdue;
	o.arg = s;
	assert_int_equal(e4err_runner_new(&o, &r), 0);
	return r;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until `want` children ended or limit_ms passed. */
static void loop_until(struct e4err_runner *r, struct seen *s, int want,
		       uint64_t limit_ms)
{
	uint64_t end = ms_now() + limit_ms;
	struct pollfd fds[32];
	size_t n;
	int t;

	while (s->done < want && ms_now() < end) {
		n = e4err_runner_pollfds(r, fds, 32);
		t = e4err_runner_timeout_ms(r);
		if (t < 0 || t > 100)
			t = 100;
		poll(fds, n, t);
		e4err_runner_process(r, fds, n);
	}
}

static errcode_t start(struct e4err_runner *r, const char *const *argv,
		       const char *const *env, uint64_t deadline, size_t max,
		       bool repair, uint64_t *id)
{
	struct e4err_run_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.env = env;
	spec.deadline_ms = deadline;
	spec.output_max = max;
	spec.repair = repair;
	return e4err_runner_start(r, &spec, id);
}

static void test_output_and_env(void **state)
{
	const char *argv[] = { "env", NULL };
	const char *env[] = { "E4ERRD_X=a b", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 1);

	(void)state;
	setenv("LEAKED_FROM_PARENT", "1", 1);
	assert_int_equal(start(r, argv, env, 0, 4096, false, NULL), 0);
	loop_until(r, &s, 1, 5000);
	assert_int_equal(s.done, 1);
	assert_true(s.last.started && s.last.exited);
	assert_int_equal(s.last.exit_status, 0);
	assert_non_null(strstr(s.output, "PATH=/usr/local/sbin:"));
	assert_non_null(strstr(s.output, "E4ERRD_X=a b\n"));
	assert_null(strstr(s.output, "LEAKED_FROM_PARENT"));
	assert_null(strstr(s.output, "HOME="));
	assert_false(s.last.output_truncated);
	assert_int_equal(e4err_runner_running(r), 0);
	e4err_runner_free(r);
	free(s.output);
}

static void test_exec_failures(void **state)
{
	const char *missing[] = { "no-such-program-e4errd", NULL };
	const char *notexec[] = { "/etc/hostname", NULL };
	const char *dir[] = { "/", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 1);

	(void)state;
	assert_int_equal(start(r, missing, NULL, 0, 0, false, NULL), ENOENT);
	assert_int_not_equal(start(r, notexec, NULL, 0, 0, false, NULL), 0);
	assert_int_not_equal(start(r, dir, NULL, 0, 0, false, NULL), 0);
	assert_int_equal(e4err_runner_running(r), 0);
	assert_int_equal(s.done, 0);
	e4err_runner_free(r);
}

static void test_bounded_output(void **state)
{
	const char *argv[] = { "seq", "1", "1000000", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 1);
	size_t len;

	(void)state;
	assert_int_equal(start(r, argv, NULL, 0, 4096, false, NULL), 0);
	loop_until(r, &s, 1, 20000);
	assert_int_equal(s.done, 1);
	assert_int_equal(s.last.exit_status, 0);
	/* seq 1 1000000 writes 6888896 bytes. */
	assert_int_equal(s.last.output_total, 6888896);
	assert_true(s.last.output_truncated);
	len = strlen(s.output);
	assert_true(len < 4096 + 100);
	assert_memory_equal(s.output, "1\n2\n3\n", 6);
	assert_non_null(strstr(s.output, "bytes of output not kept"));
	assert_string_equal(s.output + len - 15, "999999\n1000000\n");
	e4err_runner_free(r);
	free(s.output);
}

static void test_deadline_stops(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	const char *stubborn[] = { "sh", "-c", "trap '' TERM; sleep 100", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 2);
	sigset_t set;
	uint64_t t0;

	(void)state;
	/* The daemon blocks SIGTERM for its signalfd: children must not. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	t0 = ms_now();
	assert_int_equal(start(r, argv, NULL, 300, 100, false, NULL), 0);
	loop_until(r, &s, 1, 5000);
	assert_int_equal(s.done, 1);
	assert_true(s.last.stopped);
	assert_true(s.last.signaled);
	assert_int_equal(s.last.signal, SIGTERM);
	assert_true(ms_now() - t0 < 2000);
	assert_int_equal(e4err_run_check_result(&s.last, E4ERR_TOOL_E2FSCK, NULL),
			 E4ERR_RESULT_STOPPED);

	/* One that ignores SIGTERM gets SIGKILL after the grace. */
	assert_int_equal(start(r, stubborn, NULL, 300, 100, false, NULL), 0);
	loop_until(r, &s, 2, 5000);
	assert_int_equal(s.done, 2);
	assert_true(s.last.stopped);
	assert_int_equal(s.last.signal, SIGKILL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	e4err_runner_free(r);
	free(s.output);
}

static void test_repair_never_killed(void **state)
{
	const char *argv[] = { "sleep", "1", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 1);
	uint64_t id = 0;

	(void)state;
	assert_int_equal(start(r, argv, NULL, 200, 100, true, &id), 0);
	/* Asking to stop a repair does not signal it either. */
	assert_int_equal(e4err_runner_stop(r, id), 0);
	loop_until(r, &s, 1, 5000);
	assert_int_equal(s.done, 1);
	assert_int_equal(s.overdue, 1);
	assert_int_equal(s.overdue_id, id);
	assert_true(s.last.overdue);
	assert_false(s.last.stopped);
	assert_true(s.last.exited);
	assert_int_equal(s.last.exit_status, 0);
	assert_true(s.last.elapsed_ms >= 900);
	e4err_runner_free(r);
	free(s.output);
}

static void test_limit_and_grandchild(void **state)
{
	const char *fork_exit[] = { "sh", "-c", "sleep 3 & echo started; exit 3",
				    NULL };
	const char *quick[] = { "true", NULL };
	struct seen s;
	struct e4err_runner *r = runner(&s, 2);
	uint64_t t0;

	(void)state;
	t0 = ms_now();
	assert_int_equal(start(r, fork_exit, NULL, 0, 100, false, NULL), 0);
	assert_int_equal(start(r, quick, NULL, 0, 100, false, NULL), 0);
	assert_true(e4err_runner_full(r));
	assert_int_equal(start(r, quick, NULL, 0, 100, false, NULL),
			 E4ERR_RUNNER_FULL);
	loop_until(r, &s, 2, 5000);
	assert_int_equal(s.done, 2);
	/* The grandchild still holds the pipe; the child was reaped anyway. */
	assert_true(ms_now() - t0 < 2500);
	assert_false(e4err_runner_full(r));
	e4err_runner_free(r);
	free(s.output);
}

static void test_exit_meanings(void **state)
{
	(void)state;
	assert_int_equal(e4err_e2fsck_result(0, NULL), E4ERR_RESULT_CLEAN);
	assert_int_equal(e4err_e2fsck_result(1, NULL), E4ERR_RESULT_REPAIRED);
	assert_int_equal(e4err_e2fsck_result(2, NULL), E4ERR_RESULT_REPAIRED);
	assert_int_equal(e4err_e2fsck_result(3, NULL), E4ERR_RESULT_REPAIRED);
	assert_int_equal(e4err_e2fsck_result(4, NULL), E4ERR_RESULT_CORRUPT);
	assert_int_equal(e4err_e2fsck_result(12, NULL), E4ERR_RESULT_CORRUPT);
	assert_int_equal(e4err_e2fsck_result(8, NULL), E4ERR_RESULT_RETRY);
	assert_int_equal(e4err_e2fsck_result(16, NULL), E4ERR_RESULT_FAILED);
	assert_int_equal(e4err_e2fsck_result(32, NULL), E4ERR_RESULT_RETRY);
	assert_int_equal(e4err_e2fsck_result(128, NULL), E4ERR_RESULT_FAILED);
	assert_int_equal(e4err_e2fsck_result(132, NULL), E4ERR_RESULT_FAILED);
	assert_int_equal(e4err_check_exit_result(64, NULL), E4ERR_RESULT_BUSY);
	assert_int_equal(e4err_check_exit_result(65, NULL), E4ERR_RESULT_FAILED);
	assert_int_equal(e4err_check_exit_result(4, NULL), E4ERR_RESULT_CORRUPT);
	assert_int_equal(e4err_e2scrub_result(0, false, NULL), E4ERR_RESULT_CLEAN);
	assert_int_equal(e4err_e2scrub_result(6, false, NULL), E4ERR_RESULT_CORRUPT);
	assert_int_equal(e4err_e2scrub_result(8, false, NULL), E4ERR_RESULT_RETRY);
	assert_int_equal(e4err_e2scrub_result(16, false, NULL), E4ERR_RESULT_REFUSED);
	assert_int_equal(e4err_e2scrub_result(1, false, NULL), E4ERR_RESULT_REFUSED);
	assert_int_equal(e4err_e2scrub_result(1, true, NULL),
			 E4ERR_RESULT_INCONCLUSIVE);
	assert_int_equal(e4err_e2scrub_result(2, false, NULL), E4ERR_RESULT_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_env),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_bounded_output),
		cmocka_unit_test(test_deadline_stops),
		cmocka_unit_test(test_repair_never_killed),
		cmocka_unit_test(test_limit_and_grandchild),
		cmocka_unit_test(test_exit_meanings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
