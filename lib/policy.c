/*
 * policy.c --- deciding which check a filesystem gets, when, and why.
 *
 * Pure functions over struct e4err_policy_fs: no clock, no files, no
 * processes, so every rule can be tested with made-up times and facts.
 * Each decision fills a reason in plain words; the caller stores it with
 * the job.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nls.h"
#include "policy.h"

#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL

void e4err_policy_config_from(struct e4err_policy_config *pc,
			      const struct e4err_config *cfg)
{
	memset(pc, 0, sizeof(*pc));
	pc->min_interval_ns = cfg->checks.min_interval_ms * NS_PER_MS;
	pc->offline_mode = cfg->checks.offline_fsck_mode;
	pc->use_e2scrub = cfg->checks.use_e2scrub;
	pc->escalate_after = cfg->checks.escalate_after;
	pc->retry_delay_ns = cfg->checks.retry_delay_ms * NS_PER_MS;
	pc->alert_after_failures = cfg->checks.alert_after_failures;
}

bool e4err_policy_is_media_error(int32_t error)
{
	int32_t e = error < 0 ? -error : error;

	return e == EIO || e == ENXIO || e == ENOMEDIUM || e == EMEDIUMTYPE ||
	       e == EREMOTEIO;
}

/* ---- names ---- */

const char *e4err_check_result_name(enum e4err_check_result r)
{
	static const char *const names[] = {
		[E4ERR_RESULT_CLEAN] = "clean",
		[E4ERR_RESULT_REPAIRED] = "repaired",
		[E4ERR_RESULT_CORRUPT] = "corrupt",
		[E4ERR_RESULT_BUSY] = "busy",
		[E4ERR_RESULT_RETRY] = "operational-error",
		[E4ERR_RESULT_REFUSED] = "refused",
		[E4ERR_RESULT_INCONCLUSIVE] = "inconclusive",
		[E4ERR_RESULT_STOPPED] = "stopped",
		[E4ERR_RESULT_FAILED] = "failed",
	};

	if ((size_t)r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "unknown";
}

const char *e4err_alert_kind_name(enum e4err_alert_kind k)
{
	static const char *const names[] = {
		[E4ERR_ALERT_NONE] = "none",
		[E4ERR_ALERT_IO_ERROR] = "io-error",
		[E4ERR_ALERT_ESCALATION] = "escalation",
		[E4ERR_ALERT_CHECK_FAILING] = "check-failing",
		[E4ERR_ALERT_REPAIR_OVERDUE] = "repair-overdue",
		[E4ERR_ALERT_REPAIR_INTERRUPTED] = "repair-interrupted",
	};

	if ((size_t)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "unknown";
}

const char *e4err_job_phase_state(enum e4err_job_phase p)
{
	switch (p) {
	case E4ERR_PHASE_QUEUED:
		return "queued";
	case E4ERR_PHASE_DEFERRED:
		return "deferred";
	case E4ERR_PHASE_RUNNING:
		return "running";
	case E4ERR_PHASE_IDLE:
		break;
	}
	return "done";
}

const char *e4err_check_kind_name(enum e4err_check_tool t,
				  enum e4err_fsck_mode mode)
{
	if (t == E4ERR_TOOL_E2SCRUB)
		return "e2scrub";
	if (t != E4ERR_TOOL_E2FSCK)
		return "none";
	switch (mode) {
	case E4ERR_FSCK_PREEN:
		return "e2fsck-preen";
	case E4ERR_FSCK_REPAIR:
		return "e2fsck-repair";
	case E4ERR_FSCK_READONLY:
		break;
	}
	return "e2fsck-readonly";
}

bool e4err_check_kind_parse(const char *kind, enum e4err_check_tool *t,
			    enum e4err_fsck_mode *mode)
{
	static const struct {
		const char *name;
		enum e4err_check_tool tool;
		enum e4err_fsck_mode mode;
	} kinds[] = {
		{ "e2fsck-readonly", E4ERR_TOOL_E2FSCK, E4ERR_FSCK_READONLY },
		{ "e2fsck-preen", E4ERR_TOOL_E2FSCK, E4ERR_FSCK_PREEN },
		{ "e2fsck-repair", E4ERR_TOOL_E2FSCK, E4ERR_FSCK_REPAIR },
		{ "e2scrub", E4ERR_TOOL_E2SCRUB, E4ERR_FSCK_READONLY },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kind && !strcmp(kind, kinds[i].name)) {
			*t = kinds[i].tool;
			*mode = kinds[i].mode;
			return true;
		}
	}
	return false;
}

bool e4err_check_is_repair(enum e4err_check_tool t, enum e4err_fsck_mode m)
{
	return t == E4ERR_TOOL_E2SCRUB ||
	       (t == E4ERR_TOOL_E2FSCK && m != E4ERR_FSCK_READONLY);
}

/* ---- helpers ---- */

static void say(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, E4ERR_POLICY_REASON_MAX, fmt, ap);
	va_end(ap);
}

/* Append to a reason already started. */
static void add(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(char *buf, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= E4ERR_POLICY_REASON_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, E4ERR_POLICY_REASON_MAX - n, fmt, ap);
	va_end(ap);
}

/* "42s", "17m", "3h": a duration for a reason. */
static const char *span(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = (ns + NS_PER_S - 1) / NS_PER_S;

	if (s < 120)
		snprintf(buf, size, "%" PRIu64 "s", s);
	else if (s < 2 * 3600)
		snprintf(buf, size, "%" PRIu64 "m", (s + 59) / 60);
	else
		snprintf(buf, size, "%" PRIu64 "h", (s + 3599) / 3600);
	return buf;
}

static const char *fsck_flags(enum e4err_fsck_mode m)
{
	switch (m) {
	case E4ERR_FSCK_PREEN:
		return "-fp";
	case E4ERR_FSCK_REPAIR:
		return "-fy";
	case E4ERR_FSCK_READONLY:
		break;
	}
	return "-fn";
}

static void decision_init(struct e4err_policy_decision *d,
			  const struct e4err_policy_fs *st)
{
	memset(d, 0, sizeof(*d));
	d->phase = st->phase;
	d->tool = st->tool;
	d->mode = st->mode;
	d->via_systemd = st->via_systemd;
	d->urgency = st->urgency;
	d->not_before_ns = st->not_before_ns;
}

/* The earliest start the minimum interval allows. */
static uint64_t earliest(const struct e4err_policy_config *pc,
			 const struct e4err_policy_fs *st, uint64_t now_ns)
{
	uint64_t t;

	if (!st->has_last_start)
		return now_ns;
	t = st->last_start_ns + pc->min_interval_ns;
	return t > now_ns ? t : now_ns;
}

/* Why e2scrub is out of the question for a live filesystem, or NULL. */
static const char *no_scrub_reason(const struct e4err_policy_config *pc,
				   const struct e4err_policy_fs *st,
				   const struct e4err_policy_facts *f)
{
	if (!f->on_lvm)
		return _("not on LVM");
	if (pc->use_e2scrub == E4ERR_NO)
		return _("on LVM, but use_e2scrub = no");
	if (st->e2scrub_refused)
		return _("on LVM, but e2scrub refused it");
	if (!f->have_e2scrub)
		return pc->use_e2scrub == E4ERR_YES ?
		       _("on LVM, but e2scrub is not installed (use_e2scrub = "
			 "yes: install e2fsprogs' e2scrub and lvm2)") :
		       _("on LVM, but e2scrub is not installed");
	return NULL;
}

/*
 * Which check the filesystem gets in its present state, into d (tool,
 * mode, phase, not_before) with the reason.
 */
static void choose(const struct e4err_policy_config *pc,
		   const struct e4err_policy_fs *st,
		   const struct e4err_policy_facts *f, uint64_t now_ns,
		   struct e4err_policy_decision *d)
{
	const char *why = f->live ? no_scrub_reason(pc, st, f) : NULL;

	d->not_before_ns = earliest(pc, st, now_ns);
	d->via_systemd = false;
	d->mode = pc->offline_mode;
	if (f->live && !why) {
		d->tool = E4ERR_TOOL_E2SCRUB;
		d->phase = E4ERR_PHASE_QUEUED;
		d->via_systemd = f->systemd;
		say(d->reason, _("mounted on an LVM logical volume: online check "
		    "with e2scrub%s"), f->systemd ?
		    " through its systemd unit e2scrub@" : "");
		return;
	}
	d->tool = E4ERR_TOOL_E2FSCK;
	if (f->live) {
		d->phase = E4ERR_PHASE_DEFERRED;
		say(d->reason, _("mounted, %s: no safe online check; e2fsck %s "
		    "once it is truly unmounted"), why, fsck_flags(d->mode));
		if (!f->in_mountinfo)
			add(d->reason, _(" (unmounted lazily, still in use)"));
		return;
	}
	d->phase = E4ERR_PHASE_QUEUED;
	say(d->reason, _("not mounted: e2fsck %s"), fsck_flags(d->mode));
	if (f->loop_file)
		add(d->reason, _(" of the image file through a loop device of "
		    "e4errd's own"));
}

static void add_wait(const struct e4err_policy_decision *d, char *reason,
		     uint64_t now_ns)
{
	char b[32];

	if (d->phase == E4ERR_PHASE_QUEUED && d->not_before_ns > now_ns)
		add(reason, _("; not before %s from now (min_interval)"),
		    span(b, sizeof(b), d->not_before_ns - now_ns));
}

/* Copy a decided job into the filesystem's memory. */
static void adopt(struct e4err_policy_fs *st,
		  const struct e4err_policy_decision *d, uint64_t now_ns,
		  bool new_job)
{
	st->phase = d->phase;
	st->tool = d->tool;
	st->mode = d->mode;
	st->via_systemd = d->via_systemd;
	st->urgency = d->urgency;
	st->not_before_ns = d->not_before_ns;
	if (new_job) {
		st->queued_ns = now_ns;
		st->attached = 0;
	}
}

/* ---- reports ---- */

static const char *verdict_word(const struct e4err_policy_report *rep)
{
	if (!rep->has_verdict)
		return _("not inspected");
	switch (rep->verdict) {
	case E4ERR_VERDICT_CONFIRMED:
		return _("damage confirmed on disk");
	case E4ERR_VERDICT_NOT_CONFIRMED:
		return _("nothing seen on disk (the kernel's report stands)");
	case E4ERR_VERDICT_STALE:
		return _("stale");
	case E4ERR_VERDICT_INCONCLUSIVE:
		break;
	}
	return _("inspection inconclusive");
}

static bool io_report(const struct e4err_policy_report *rep)
{
	return (rep->has_error && e4err_policy_is_media_error(rep->error)) ||
	       rep->inspect_io_error;
}

/* I/O errors: an alert (at most one per min_interval), never a check. */
static void report_io(const struct e4err_policy_config *pc,
		      struct e4err_policy_fs *st, uint64_t now_ns,
		      struct e4err_policy_decision *d)
{
	bool first = !st->io_suspect;

	st->io_suspect = true;
	st->io_reports++;
	if (!st->has_io_alert || now_ns >= st->io_alert_ns + pc->min_interval_ns ||
	    now_ns < st->io_alert_ns) {
		d->alert = E4ERR_ALERT_IO_ERROR;
		st->has_io_alert = true;
		st->io_alert_ns = now_ns;
		say(d->alert_reason, _("the device returned I/O errors (%" PRIu64
		    " so far): a failing disk needs imaging, not a check that "
		    "reads it end to end; no automatic check will run"),
		    st->io_reports);
	}
	if (first && (st->phase == E4ERR_PHASE_QUEUED ||
		      st->phase == E4ERR_PHASE_DEFERRED)) {
		d->action = E4ERR_ACT_CANCEL;
		say(d->reason, _("cancelled: the device returned I/O errors; "
		    "checks are not run automatically on a failing disk"));
		st->phase = E4ERR_PHASE_IDLE;
		return;
	}
	d->action = E4ERR_ACT_NONE;
	say(d->reason, _("I/O error from the device: alert only, no automatic "
	    "check"));
}

/* Escalation: the clean streak reached its limit and errors go on. */
static void maybe_escalate(const struct e4err_policy_config *pc,
			   struct e4err_policy_fs *st,
			   struct e4err_policy_decision *d)
{
	if (!pc->escalate_after || st->clean_streak < pc->escalate_after ||
	    st->escalated)
		return;
	st->escalated = true;
	d->alert = E4ERR_ALERT_ESCALATION;
	d->urgency = E4ERR_URGENCY_HIGH;
	say(d->alert_reason, _("%u checks in a row found the filesystem clean, "
	    "yet the kernel keeps reporting errors: the fault may lie in "
	    "memory, the device or the driver rather than on disk"),
	    st->clean_streak);
}

void e4err_policy_report(const struct e4err_policy_config *pc,
			 struct e4err_policy_fs *st,
			 const struct e4err_policy_facts *facts,
			 const struct e4err_policy_report *rep, uint64_t now_ns,
			 struct e4err_policy_decision *d)
{
	uint64_t n = rep->error_count ? rep->error_count : 1;

	decision_init(d, st);
	if (rep->has_verdict && rep->verdict == E4ERR_VERDICT_STALE) {
		say(d->reason, _("no check: the report is stale (the inode was "
		    "freed or reused since)"));
		return;
	}
	if (io_report(rep)) {
		report_io(pc, st, now_ns, d);
		return;
	}
	if (st->io_suspect) {
		say(d->reason, _("no automatic check: the device returned I/O "
		    "errors earlier"));
		return;
	}
	if (st->phase == E4ERR_PHASE_RUNNING) {
		st->during_run += n;
		d->action = E4ERR_ACT_ATTACH;
		say(d->reason, _("the check running started before this report: "
		    "another follows it"));
		return;
	}
	if (st->phase != E4ERR_PHASE_IDLE) {
		st->attached += n;
		if (rep->has_verdict && rep->verdict == E4ERR_VERDICT_CONFIRMED)
			st->urgency = E4ERR_URGENCY_HIGH;
		d->action = E4ERR_ACT_ATTACH;
		say(d->reason, _("joins the pending check (%" PRIu64 " reports "
		    "attached)"), st->attached);
		return;
	}
	d->action = E4ERR_ACT_NEW_JOB;
	d->urgency = rep->has_verdict && rep->verdict == E4ERR_VERDICT_CONFIRMED ?
		     E4ERR_URGENCY_HIGH : E4ERR_URGENCY_NORMAL;
	maybe_escalate(pc, st, d);
	choose(pc, st, facts, now_ns, d);
	add(d->reason, "; %s", verdict_word(rep));
	if (d->urgency == E4ERR_URGENCY_HIGH)
		add(d->reason, _(", urgent"));
	add_wait(d, d->reason, now_ns);
	adopt(st, d, now_ns, true);
	st->attached = n - 1;
}

/* ---- the pending job over time ---- */

static void next_live(const struct e4err_policy_config *pc,
		      struct e4err_policy_fs *st,
		      const struct e4err_policy_facts *f, uint64_t now_ns,
		      struct e4err_policy_decision *d)
{
	choose(pc, st, f, now_ns, d);
	d->not_before_ns = st->not_before_ns > d->not_before_ns ?
			   st->not_before_ns : d->not_before_ns;
	if (d->tool != st->tool) {
		d->action = E4ERR_ACT_REPLACE;
	} else if (d->phase != st->phase) {
		d->action = E4ERR_ACT_UPDATE;
		if (d->phase == E4ERR_PHASE_DEFERRED)
			say(d->reason, _("mounted again before the check could "
			    "run: it waits until the filesystem is unmounted"));
		else
			say(d->reason, _("no longer mounted: e2fsck %s can run"),
			    fsck_flags(d->mode));
	} else {
		d->action = E4ERR_ACT_NONE;
		return;
	}
	add_wait(d, d->reason, now_ns);
	adopt(st, d, now_ns, d->action == E4ERR_ACT_REPLACE);
}

void e4err_policy_next(const struct e4err_policy_config *pc,
		       struct e4err_policy_fs *st,
		       const struct e4err_policy_facts *facts, uint64_t now_ns,
		       struct e4err_policy_decision *d, uint64_t *wake_ns)
{
	decision_init(d, st);
	if (wake_ns)
		*wake_ns = 0;
	if (st->phase != E4ERR_PHASE_QUEUED && st->phase != E4ERR_PHASE_DEFERRED)
		return;
	next_live(pc, st, facts, now_ns, d);
	if (d->action != E4ERR_ACT_NONE || st->phase != E4ERR_PHASE_QUEUED)
		return;
	if (now_ns >= st->not_before_ns) {
		d->action = E4ERR_ACT_START;
		say(d->reason, _("due"));
	} else if (wake_ns) {
		*wake_ns = st->not_before_ns;
	}
}

void e4err_policy_started(struct e4err_policy_fs *st, uint64_t now_ns)
{
	st->had_start = st->has_last_start;
	st->prev_start_ns = st->last_start_ns;
	st->phase = E4ERR_PHASE_RUNNING;
	st->has_last_start = true;
	st->last_start_ns = now_ns;
	st->during_run = 0;
}

/* ---- outcomes ---- */

static uint64_t backoff(const struct e4err_policy_config *pc, uint32_t failures)
{
	uint64_t t = pc->retry_delay_ns;
	uint32_t i;

	for (i = 1; i < failures && t < E4ERR_POLICY_MAX_BACKOFF_NS; i++)
		t *= 2;
	return t < E4ERR_POLICY_MAX_BACKOFF_NS ? t : E4ERR_POLICY_MAX_BACKOFF_NS;
}

/* No answer: retry with backoff, alert once after a few failures. */
static void finished_no_answer(const struct e4err_policy_config *pc,
			       struct e4err_policy_fs *st, uint64_t now_ns,
			       enum e4err_check_result r,
			       struct e4err_policy_decision *d)
{
	char b[32];
	uint64_t wait;

	st->failures++;
	wait = backoff(pc, st->failures);
	d->action = E4ERR_ACT_UPDATE;
	d->phase = E4ERR_PHASE_QUEUED;
	d->not_before_ns = now_ns + wait;
	say(d->reason, _("%s (%u in a row): retried in %s"),
	    e4err_check_result_name(r), st->failures,
	    span(b, sizeof(b), wait));
	if (pc->alert_after_failures && st->failures == pc->alert_after_failures) {
		d->alert = E4ERR_ALERT_CHECK_FAILING;
		say(d->alert_reason, _("%u checks in a row gave no answer (last: "
		    "%s); still retrying, with growing delays"),
		    st->failures, e4err_check_result_name(r));
	}
	st->phase = d->phase;
	st->not_before_ns = d->not_before_ns;
}

/* A run that checked nothing (refused, device busy) uses no interval. */
static void undo_start(struct e4err_policy_fs *st)
{
	st->has_last_start = st->had_start;
	st->last_start_ns = st->prev_start_ns;
}

/* e2scrub said no: the filesystem waits for an offline check instead. */
static void finished_refused(const struct e4err_policy_config *pc,
			     struct e4err_policy_fs *st,
			     const struct e4err_policy_facts *f,
			     uint64_t now_ns, struct e4err_policy_decision *d)
{
	st->e2scrub_refused = true;
	undo_start(st);
	choose(pc, st, f, now_ns, d);
	d->action = E4ERR_ACT_NEW_JOB;
	say(d->reason, _("e2scrub refused it (not on LVM, or e2scrub cannot run "
	    "here): deferred to an offline check, e2fsck %s %s"),
	    fsck_flags(d->mode), d->phase == E4ERR_PHASE_QUEUED ?
	    "now (not mounted)" : "once it is truly unmounted");
	add_wait(d, d->reason, now_ns);
	adopt(st, d, now_ns, true);
}

/*
 * In use at the gate: mounted again (deferred), or still held a moment
 * after the unmount (tried again soon).  Nothing failed.
 */
static void finished_busy(const struct e4err_policy_config *pc,
			  struct e4err_policy_fs *st,
			  const struct e4err_policy_facts *f, uint64_t now_ns,
			  struct e4err_policy_decision *d)
{
	uint64_t wait = E4ERR_POLICY_BUSY_RETRY_NS;
	uint32_t i;
	char b[32];

	undo_start(st);
	for (i = 0; i < st->busy && wait < pc->retry_delay_ns; i++)
		wait *= 2;
	if (wait > pc->retry_delay_ns)
		wait = pc->retry_delay_ns;
	st->busy++;
	d->action = E4ERR_ACT_UPDATE;
	d->phase = f->live ? E4ERR_PHASE_DEFERRED : E4ERR_PHASE_QUEUED;
	d->not_before_ns = f->live ? now_ns : now_ns + wait;
	if (f->live)
		say(d->reason, _("the device was in use when the check was to "
		    "start (mounted again): it waits until it is unmounted"));
	else
		say(d->reason, _("the device was still in use when the check was "
		    "to start: tried again in %s"), span(b, sizeof(b), wait));
	st->phase = d->phase;
	st->not_before_ns = d->not_before_ns;
}

/* A definitive answer: update the streaks, and follow up reports. */
static void finished_answer(const struct e4err_policy_config *pc,
			    struct e4err_policy_fs *st,
			    const struct e4err_policy_facts *f,
			    enum e4err_check_result r, uint64_t now_ns,
			    struct e4err_policy_decision *d)
{
	st->failures = 0;
	st->busy = 0;
	if (r == E4ERR_RESULT_CLEAN) {
		st->clean_streak++;
	} else {
		st->clean_streak = 0;
		st->escalated = false;
	}
	d->resolves = r == E4ERR_RESULT_CLEAN || r == E4ERR_RESULT_REPAIRED;
	st->phase = E4ERR_PHASE_IDLE;
	say(d->reason, "%s", e4err_check_result_name(r));
	if (!st->during_run)
		return;
	d->action = E4ERR_ACT_NEW_JOB;
	d->urgency = E4ERR_URGENCY_NORMAL;
	if (r == E4ERR_RESULT_CLEAN)
		maybe_escalate(pc, st, d);
	choose(pc, st, f, now_ns, d);
	add(d->reason, _("; %" PRIu64 " reports arrived while the last check "
	    "ran"), st->during_run);
	add_wait(d, d->reason, now_ns);
	adopt(st, d, now_ns, true);
	st->attached = st->during_run - 1;
	st->during_run = 0;
}

void e4err_policy_finished(const struct e4err_policy_config *pc,
			   struct e4err_policy_fs *st,
			   const struct e4err_policy_facts *facts,
			   enum e4err_check_result r, uint64_t now_ns,
			   struct e4err_policy_decision *d)
{
	decision_init(d, st);
	st->has_last_result = true;
	st->last_result = r;
	st->last_result_ns = now_ns;
	switch (r) {
	case E4ERR_RESULT_CLEAN:
	case E4ERR_RESULT_REPAIRED:
	case E4ERR_RESULT_CORRUPT:
		finished_answer(pc, st, facts, r, now_ns, d);
		return;
	case E4ERR_RESULT_BUSY:
		finished_busy(pc, st, facts, now_ns, d);
		return;
	case E4ERR_RESULT_REFUSED:
		finished_refused(pc, st, facts, now_ns, d);
		return;
	case E4ERR_RESULT_RETRY:
	case E4ERR_RESULT_INCONCLUSIVE:
	case E4ERR_RESULT_STOPPED:
	case E4ERR_RESULT_FAILED:
		break;
	}
	finished_no_answer(pc, st, now_ns, r, d);
}

void e4err_policy_restore(struct e4err_policy_fs *st,
			  enum e4err_check_tool tool, enum e4err_fsck_mode mode,
			  enum e4err_job_phase phase, uint64_t queued_ns)
{
	st->phase = phase;
	st->tool = tool;
	st->mode = mode;
	st->queued_ns = queued_ns;
	st->not_before_ns = 0;
	st->urgency = E4ERR_URGENCY_NORMAL;
}

void e4err_policy_checked_outside(struct e4err_policy_fs *st,
				  enum e4err_check_result r, uint64_t now_ns)
{
	st->phase = E4ERR_PHASE_IDLE;
	st->has_last_result = true;
	st->last_result = r;
	st->last_result_ns = now_ns;
	st->failures = 0;
	st->attached = 0;
	st->during_run = 0;
	if (r == E4ERR_RESULT_CLEAN || r == E4ERR_RESULT_REPAIRED) {
		st->io_suspect = false;
		st->io_reports = 0;
	}
}

void e4err_policy_new_instance(struct e4err_policy_fs *st)
{
	st->io_suspect = false;
	st->io_reports = 0;
	st->has_io_alert = false;
}
