/*
 * test_policy.c --- the check policy's decisions, with made-up times and
 * facts: which check, deferral until a true unmount, coalescing, the
 * minimum interval, I/O errors, escalation, retries with backoff and the
 * failing alert, e2scrub's refusal, reports during a run, and the names
 * the store keeps.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"

#define S	1000000000ULL
#define MINUTE	(60 * S)
#define HOUR	(60 * MINUTE)
#define T0	(1700000000ULL * S)

static struct e4err_policy_config pc(void)
{
	struct e4err_policy_config c;

	memset(&c, 0, sizeof(c));
	c.min_interval_ns = HOUR;
	c.offline_mode = E4ERR_FSCK_READONLY;
	c.use_e2scrub = E4ERR_AUTO;
	c.escalate_after = 3;
	c.retry_delay_ns = 10 * MINUTE;
	c.alert_after_failures = 3;
	return c;
}

static struct e4err_policy_facts unmounted(void)
{
	struct e4err_policy_facts f;

	memset(&f, 0, sizeof(f));
	f.have_e2scrub = true;
	return f;
}

static struct e4err_policy_facts mounted(bool lvm)
{
	struct e4err_policy_facts f = unmounted();

	f.live = f.in_mountinfo = true;
	f.on_lvm = lvm;
	return f;
}

static struct e4err_policy_report rep(int32_t error, enum e4err_verdict v)
{
	struct e4err_policy_report r;

	memset(&r, 0, sizeof(r));
	r.has_error = true;
	r.error = error;
	r.has_verdict = true;
	r.verdict = v;
	return r;
}

static struct e4err_policy_report corrupt(void)
{
	return rep(EUCLEAN, E4ERR_VERDICT_NOT_CONFIRMED);
}

static void test_stale_no_check(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_report r = rep(EUCLEAN, E4ERR_VERDICT_STALE);
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_int_equal(st.phase, E4ERR_PHASE_IDLE);
	assert_non_null(strstr(d.reason, "stale"));
}

static void test_which_check(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f;
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	/* Not mounted: e2fsck -fn now. */
	memset(&st, 0, sizeof(st));
	f = unmounted();
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);
	assert_int_equal(d.not_before_ns, T0);
	assert_non_null(strstr(d.reason, "not mounted: e2fsck -fn"));

	/* Mounted, not LVM: deferred. */
	memset(&st, 0, sizeof(st));
	f = mounted(false);
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_non_null(strstr(d.reason, "not on LVM"));

	/* Lazily unmounted, still live: deferred, and said so. */
	memset(&st, 0, sizeof(st));
	f.in_mountinfo = false;
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_non_null(strstr(d.reason, "lazily"));

	/* Mounted on LVM: e2scrub now, through systemd when it runs. */
	memset(&st, 0, sizeof(st));
	f = mounted(true);
	f.systemd = true;
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.tool, E4ERR_TOOL_E2SCRUB);
	assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);
	assert_true(d.via_systemd);
	assert_true(st.via_systemd);

	/* LVM, but e2scrub switched off or missing: deferred. */
	memset(&st, 0, sizeof(st));
	c.use_e2scrub = E4ERR_NO;
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_non_null(strstr(d.reason, "use_e2scrub = no"));
	memset(&st, 0, sizeof(st));
	c.use_e2scrub = E4ERR_AUTO;
	f.have_e2scrub = false;
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_non_null(strstr(d.reason, "not installed"));

	/* The configured repair mode is used offline. */
	memset(&st, 0, sizeof(st));
	c.offline_mode = E4ERR_FSCK_PREEN;
	f = unmounted();
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.mode, E4ERR_FSCK_PREEN);
	assert_non_null(strstr(d.reason, "-fp"));
}

static void test_coalesce_flood(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(false);
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;
	int i, jobs = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 10000; i++) {
		r.error_count = 1 + (uint32_t)(i % 3);
		e4err_policy_report(&c, &st, &f, &r, T0 + (uint64_t)i * 1000, &d);
		if (d.action == E4ERR_ACT_NEW_JOB)
			jobs++;
		else
			assert_int_equal(d.action, E4ERR_ACT_ATTACH);
	}
	assert_int_equal(jobs, 1);
	/* 10000 reports standing for 1..3 errors each; the first opened it. */
	assert_int_equal(st.attached, 3334 * 1 + 3333 * 2 + 3333 * 3 - 1);
	assert_int_equal(st.urgency, E4ERR_URGENCY_NORMAL);
	r = rep(EUCLEAN, E4ERR_VERDICT_CONFIRMED);
	e4err_policy_report(&c, &st, &f, &r, T0 + 20 * S, &d);
	assert_int_equal(d.action, E4ERR_ACT_ATTACH);
	assert_int_equal(st.urgency, E4ERR_URGENCY_HIGH);
}

static void test_io_errors(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(false);
	struct e4err_policy_report r = corrupt(), eio = rep(-EIO, E4ERR_VERDICT_INCONCLUSIVE);
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	assert_true(e4err_policy_is_media_error(EIO));
	assert_true(e4err_policy_is_media_error(-EIO));
	assert_false(e4err_policy_is_media_error(EUCLEAN));
	assert_false(e4err_policy_is_media_error(-EBADMSG));

	/* A pending check is cancelled by the first I/O error. */
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
	e4err_policy_report(&c, &st, &f, &eio, T0 + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_CANCEL);
	assert_int_equal(d.alert, E4ERR_ALERT_IO_ERROR);
	assert_int_equal(st.phase, E4ERR_PHASE_IDLE);
	assert_non_null(strstr(d.alert_reason, "imaging"));

	/* More: no second alert within min_interval, and no check at all. */
	e4err_policy_report(&c, &st, &f, &eio, T0 + 2 * S, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_int_equal(d.alert, E4ERR_ALERT_NONE);
	e4err_policy_report(&c, &st, &f, &r, T0 + 3 * S, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_non_null(strstr(d.reason, "I/O"));
	e4err_policy_report(&c, &st, &f, &eio, T0 + 2 * HOUR, &d);
	assert_int_equal(d.alert, E4ERR_ALERT_IO_ERROR);
	assert_int_equal(st.io_reports, 3);

	/* An inspection that hit EIO counts too. */
	memset(&st, 0, sizeof(st));
	r.inspect_io_error = true;
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_int_equal(d.alert, E4ERR_ALERT_IO_ERROR);

	/* A new mount of it starts afresh. */
	e4err_policy_new_instance(&st);
	r.inspect_io_error = false;
	e4err_policy_report(&c, &st, &f, &r, T0 + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
}

static void test_deferred_until_unmounted(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(false);
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;
	uint64_t wake;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(st.phase, E4ERR_PHASE_DEFERRED);
	/* Still mounted: nothing. */
	e4err_policy_next(&c, &st, &f, T0 + S, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	/* umount -l with a file open: gone from mountinfo, still live. */
	f.in_mountinfo = false;
	e4err_policy_next(&c, &st, &f, T0 + 2 * S, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_int_equal(st.phase, E4ERR_PHASE_DEFERRED);
	/* Truly gone: queued, then due. */
	f.live = false;
	e4err_policy_next(&c, &st, &f, T0 + 3 * S, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_UPDATE);
	assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);
	assert_non_null(strstr(d.reason, "no longer mounted"));
	e4err_policy_next(&c, &st, &f, T0 + 3 * S, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_START);
	/* Mounted again before it could start: deferred again. */
	f = mounted(false);
	e4err_policy_next(&c, &st, &f, T0 + 4 * S, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_UPDATE);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_non_null(strstr(d.reason, "mounted again"));
}

static void test_min_interval(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;
	uint64_t wake;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	e4err_policy_next(&c, &st, &f, T0, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_START);
	e4err_policy_started(&st, T0);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_CLEAN, T0 + MINUTE, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_true(d.resolves);
	assert_int_equal(st.phase, E4ERR_PHASE_IDLE);

	/* A new report 10 minutes later waits until an hour after the start. */
	e4err_policy_report(&c, &st, &f, &r, T0 + 10 * MINUTE, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
	assert_int_equal(d.not_before_ns, T0 + HOUR);
	assert_non_null(strstr(d.reason, "not before 50m"));
	e4err_policy_next(&c, &st, &f, T0 + 30 * MINUTE, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_int_equal(wake, T0 + HOUR);
	e4err_policy_next(&c, &st, &f, T0 + HOUR, &d, &wake);
	assert_int_equal(d.action, E4ERR_ACT_START);
}

static void test_scrub_refused(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(true);
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	assert_int_equal(st.tool, E4ERR_TOOL_E2SCRUB);
	e4err_policy_started(&st, T0);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_REFUSED, T0 + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_non_null(strstr(d.reason, "deferred to an offline check"));
	assert_true(st.e2scrub_refused);
	assert_int_equal(st.failures, 0);
	/* The refused run checked nothing: no minimum interval to wait. */
	assert_int_equal(d.not_before_ns, T0 + S);
	assert_false(st.has_last_start);
	/* It is not tried again on that filesystem, even after a remount. */
	e4err_policy_new_instance(&st);
	st.phase = E4ERR_PHASE_IDLE;
	e4err_policy_report(&c, &st, &f, &r, T0 + 2 * HOUR, &d);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_non_null(strstr(d.reason, "e2scrub refused"));
}

static void test_scrub_unmounted_replaced(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(true);
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.has_last_start = true;
	st.last_start_ns = T0;
	e4err_policy_report(&c, &st, &f, &r, T0 + MINUTE, &d);
	assert_int_equal(st.tool, E4ERR_TOOL_E2SCRUB);
	f = unmounted();
	f.on_lvm = true;
	e4err_policy_next(&c, &st, &f, T0 + 2 * MINUTE, &d, NULL);
	assert_int_equal(d.action, E4ERR_ACT_REPLACE);
	assert_int_equal(d.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(st.tool, E4ERR_TOOL_E2FSCK);
	assert_int_equal(st.phase, E4ERR_PHASE_QUEUED);
	/* The minimum interval still holds. */
	assert_int_equal(st.not_before_ns, T0 + HOUR);
}

static void test_retry_backoff_alert(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;
	uint64_t now = T0;
	int i, alerts = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, now, &d);
	for (i = 1; i <= 12; i++) {
		e4err_policy_started(&st, now);
		e4err_policy_finished(&c, &st, &f, i % 2 ? E4ERR_RESULT_RETRY :
				      E4ERR_RESULT_INCONCLUSIVE, now + S, &d);
		assert_int_equal(d.action, E4ERR_ACT_UPDATE);
		assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);
		if (i <= 5)
			assert_int_equal(d.not_before_ns - (now + S),
					 (10 * MINUTE) << (i - 1));
		else
			assert_true(d.not_before_ns - (now + S) <=
				    E4ERR_POLICY_MAX_BACKOFF_NS);
		if (d.alert == E4ERR_ALERT_CHECK_FAILING) {
			alerts++;
			assert_int_equal(i, 3);
		}
		now = d.not_before_ns;
	}
	assert_int_equal(alerts, 1);
	/* An answer resets the count. */
	e4err_policy_started(&st, now);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_CORRUPT, now + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_NONE);
	assert_false(d.resolves);
	assert_int_equal(st.failures, 0);
}

static void test_busy(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	e4err_policy_started(&st, T0);
	f = mounted(false);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_BUSY, T0 + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_UPDATE);
	assert_int_equal(d.phase, E4ERR_PHASE_DEFERRED);
	assert_int_equal(st.failures, 0);
	f = unmounted();
	e4err_policy_next(&c, &st, &f, T0 + 2 * S, &d, NULL);
	assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);

	/* Still held just after the unmount: soon again, doubling, capped. */
	assert_int_equal(st.busy, 1);
	st.busy = 0;
	e4err_policy_started(&st, T0 + 2 * S);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_BUSY, T0 + 3 * S, &d);
	assert_int_equal(d.phase, E4ERR_PHASE_QUEUED);
	assert_int_equal(d.not_before_ns, T0 + 3 * S + E4ERR_POLICY_BUSY_RETRY_NS);
	assert_false(st.has_last_start);
	e4err_policy_started(&st, T0 + 10 * S);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_BUSY, T0 + 11 * S, &d);
	assert_int_equal(d.not_before_ns, T0 + 11 * S + 2 * E4ERR_POLICY_BUSY_RETRY_NS);
	st.busy = 30;
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_BUSY, T0 + 11 * S, &d);
	assert_int_equal(d.not_before_ns, T0 + 11 * S + c.retry_delay_ns);
	assert_int_equal(st.failures, 0);
}

static void test_escalation(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;
	uint64_t now = T0;
	int i, escalations = 0;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 6; i++) {
		e4err_policy_report(&c, &st, &f, &r, now, &d);
		assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
		if (d.alert == E4ERR_ALERT_ESCALATION) {
			escalations++;
			assert_int_equal(i, 3);
			assert_int_equal(d.urgency, E4ERR_URGENCY_HIGH);
			assert_non_null(strstr(d.alert_reason, "3 checks in a row"));
		}
		now = d.not_before_ns;
		e4err_policy_started(&st, now);
		e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_CLEAN, now + S, &d);
		now += 2 * HOUR;
	}
	assert_int_equal(escalations, 1);
	/* A check that finds damage ends the streak. */
	e4err_policy_report(&c, &st, &f, &r, now, &d);
	e4err_policy_started(&st, now);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_CORRUPT, now + S, &d);
	assert_int_equal(st.clean_streak, 0);
	assert_false(st.escalated);

	/* escalate_after 0: never. */
	c.escalate_after = 0;
	memset(&st, 0, sizeof(st));
	st.clean_streak = 100;
	e4err_policy_report(&c, &st, &f, &r, now, &d);
	assert_int_equal(d.alert, E4ERR_ALERT_NONE);
}

static void test_reports_during_run(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = mounted(true);
	struct e4err_policy_report r = corrupt();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_report(&c, &st, &f, &r, T0, &d);
	e4err_policy_started(&st, T0);
	e4err_policy_report(&c, &st, &f, &r, T0 + S, &d);
	assert_int_equal(d.action, E4ERR_ACT_ATTACH);
	assert_non_null(strstr(d.reason, "started before this report"));
	e4err_policy_report(&c, &st, &f, &r, T0 + 2 * S, &d);
	e4err_policy_finished(&c, &st, &f, E4ERR_RESULT_CLEAN, T0 + MINUTE, &d);
	assert_int_equal(d.action, E4ERR_ACT_NEW_JOB);
	assert_true(d.resolves);
	assert_int_equal(d.tool, E4ERR_TOOL_E2SCRUB);
	assert_int_equal(d.not_before_ns, T0 + HOUR);
	assert_non_null(strstr(d.reason, "2 reports arrived while"));
	assert_int_equal(st.phase, E4ERR_PHASE_QUEUED);
	assert_int_equal(st.during_run, 0);
}

static void test_names(void **state)
{
	enum e4err_check_tool t;
	enum e4err_fsck_mode m;
	static const char *const kinds[] = {
		"e2fsck-readonly", "e2fsck-preen", "e2fsck-repair", "e2scrub"
	};
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_true(e4err_check_kind_parse(kinds[i], &t, &m));
		assert_string_equal(e4err_check_kind_name(t, m), kinds[i]);
		assert_int_equal(e4err_check_is_repair(t, m), i != 0);
	}
	assert_false(e4err_check_kind_parse("alert", &t, &m));
	assert_false(e4err_check_kind_parse(NULL, &t, &m));
	assert_string_equal(e4err_check_result_name(E4ERR_RESULT_RETRY),
			    "operational-error");
	assert_string_equal(e4err_alert_kind_name(E4ERR_ALERT_IO_ERROR), "io-error");
	assert_string_equal(e4err_job_phase_state(E4ERR_PHASE_DEFERRED), "deferred");
	assert_string_equal(e4err_check_result_name((enum e4err_check_result)99),
			    "unknown");
}

static void test_restore_and_outside(void **state)
{
	struct e4err_policy_config c = pc();
	struct e4err_policy_facts f = unmounted();
	struct e4err_policy_fs st;
	struct e4err_policy_decision d;

	(void)state;
	memset(&st, 0, sizeof(st));
	e4err_policy_restore(&st, E4ERR_TOOL_E2FSCK, E4ERR_FSCK_READONLY,
			     E4ERR_PHASE_QUEUED, T0);
	e4err_policy_next(&c, &st, &f, T0 + S, &d, NULL);
	assert_int_equal(d.action, E4ERR_ACT_START);
	st.io_suspect = true;
	e4err_policy_checked_outside(&st, E4ERR_RESULT_CLEAN, T0 + 2 * S);
	assert_int_equal(st.phase, E4ERR_PHASE_IDLE);
	assert_false(st.io_suspect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale_no_check),
		cmocka_unit_test(test_which_check),
		cmocka_unit_test(test_coalesce_flood),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_deferred_until_unmounted),
		cmocka_unit_test(test_min_interval),
		cmocka_unit_test(test_scrub_refused),
		cmocka_unit_test(test_scrub_unmounted_replaced),
		cmocka_unit_test(test_retry_backoff_alert),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_reports_during_run),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_restore_and_outside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
