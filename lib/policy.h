/*
 * policy.h --- which check a filesystem gets, when, how often, and why.
 *
 * Owned by policy.c: pure decisions, no I/O.  The caller passes what it
 * knows of a filesystem now (struct e4err_policy_facts: mounted or still
 * live, on LVM, systemd running...), the report or the check outcome, and
 * the time; the policy updates the filesystem's memory (struct
 * e4err_policy_fs, kept by the caller, changed only here) and says what to
 * do, always with a reason the store keeps, so `e4errd report` can say why
 * a check did or did not run.
 *
 * The rules (DESIGN.md, "Checks and e2scrub"): the kernel's report is
 * authoritative, so every report that is not stale leads to a check; the
 * inspection's verdict sets urgency, never vetoes.  I/O errors from the
 * device get an alert and no automatic check.  One pending check per
 * filesystem: further reports join it.  A minimum interval between two
 * checks of one filesystem; escalation (an alert) when clean checks keep
 * being followed by more errors; retries with backoff and an alert when
 * checks keep failing to give an answer.  A mounted filesystem on LVM is
 * scrubbed online by e2scrub; any other mounted filesystem waits until it
 * is truly unmounted, then gets e2fsck (read-only unless configured).
 */
#ifndef E4ERR_POLICY_H
#define E4ERR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "inspect.h"

#define E4ERR_POLICY_REASON_MAX	320

/* Backoff of retries never grows past this. */
#define E4ERR_POLICY_MAX_BACKOFF_NS	(24ULL * 3600 * 1000000000ULL)
/*
 * A device found in use just after its unmount (a loop device detaching
 * lags behind) is tried again soon: this, doubling, up to retry_delay.
 */
#define E4ERR_POLICY_BUSY_RETRY_NS	(5ULL * 1000000000ULL)

enum e4err_check_tool {
	E4ERR_TOOL_NONE = 0,
	E4ERR_TOOL_E2FSCK,	/* offline: e2fsck on the unmounted filesystem */
	E4ERR_TOOL_E2SCRUB,	/* online: e2scrub on an LVM snapshot */
};

enum e4err_job_phase {
	E4ERR_PHASE_IDLE = 0,	/* no check pending */
	E4ERR_PHASE_QUEUED,	/* starts once not_before has passed */
	E4ERR_PHASE_DEFERRED,	/* waits until the filesystem is truly unmounted */
	E4ERR_PHASE_RUNNING,
};

enum e4err_urgency {
	E4ERR_URGENCY_NORMAL = 0,
	E4ERR_URGENCY_HIGH,	/* damage confirmed on disk, or escalated */
};

enum e4err_alert_kind {
	E4ERR_ALERT_NONE = 0,
	E4ERR_ALERT_IO_ERROR,		/* the device returns I/O errors */
	E4ERR_ALERT_ESCALATION,		/* clean checks, yet errors keep coming */
	E4ERR_ALERT_CHECK_FAILING,	/* checks keep failing to give an answer */
	E4ERR_ALERT_REPAIR_OVERDUE,	/* a repair runs past its deadline */
	E4ERR_ALERT_REPAIR_INTERRUPTED,	/* a repair's outcome was lost (restart) */
};

/* What a finished check said, per tool (runner.h interprets exit codes). */
enum e4err_check_result {
	E4ERR_RESULT_CLEAN = 0,		/* no errors */
	E4ERR_RESULT_REPAIRED,		/* errors found and corrected */
	E4ERR_RESULT_CORRUPT,		/* errors found and left */
	E4ERR_RESULT_BUSY,		/* device in use: not checked, no failure */
	E4ERR_RESULT_RETRY,		/* operational error: try again later */
	E4ERR_RESULT_REFUSED,		/* e2scrub: not on LVM or cannot run here */
	E4ERR_RESULT_INCONCLUSIVE,	/* ran, but nothing tells the outcome */
	E4ERR_RESULT_STOPPED,		/* stopped at its deadline */
	E4ERR_RESULT_FAILED,		/* could not run, or died */
};

/* The settings the policy reads (from struct e4err_config). */
struct e4err_policy_config {
	uint64_t min_interval_ns;	/* between starts of two checks of one fs */
	enum e4err_fsck_mode offline_mode;
	enum e4err_tristate use_e2scrub;
	uint32_t escalate_after;	/* clean checks followed by errors; 0 never */
	uint64_t retry_delay_ns;	/* first retry; doubles each time */
	uint32_t alert_after_failures;	/* 0 never */
};

/* What the caller knows of the filesystem right now. */
struct e4err_policy_facts {
	bool live;		/* mounted, or unmounted lazily and still in use */
	bool in_mountinfo;	/* some mount of it is visible */
	bool on_lvm;		/* an LVM logical volume (device-mapper uuid LVM-) */
	bool have_e2scrub;	/* e2scrub is installed */
	bool systemd;		/* systemd is PID 1: scrub through e2scrub@.service */
	bool loop_file;		/* checked through a loop device of our own */
};

/* One kernel report, after inspection. */
struct e4err_policy_report {
	bool has_error;
	int32_t error;		/* raw, as the kernel sent it (sign varies) */
	uint32_t error_count;	/* errors it stands for; 0 counts as 1 */
	bool has_verdict;
	enum e4err_verdict verdict;
	bool inspect_io_error;	/* the inspection got EIO reading the device */
};

/* The policy's memory of one filesystem; zero it to start. */
struct e4err_policy_fs {
	enum e4err_job_phase phase;
	enum e4err_check_tool tool;
	enum e4err_fsck_mode mode;	/* for e2fsck */
	bool via_systemd;		/* e2scrub through systemctl */
	enum e4err_urgency urgency;
	uint64_t queued_ns;		/* the pending job was created */
	uint64_t not_before_ns;
	uint64_t attached;		/* reports that joined the pending job */
	uint64_t during_run;		/* reports while the check ran */

	bool has_last_start;
	uint64_t last_start_ns;
	bool had_start;			/* the start before, restored when */
	uint64_t prev_start_ns;		/* ... a run turns out not to check */
	bool has_last_result;
	enum e4err_check_result last_result;
	uint64_t last_result_ns;
	uint32_t clean_streak;		/* clean checks in a row */
	bool escalated;			/* alerted for this streak */
	uint32_t failures;		/* checks in a row without an answer */
	uint32_t busy;			/* runs in a row that found it in use */
	bool e2scrub_refused;		/* e2scrub said: not on LVM */

	bool io_suspect;		/* I/O errors seen: no automatic checks */
	bool has_io_alert;
	uint64_t io_alert_ns;
	uint64_t io_reports;
};

enum e4err_policy_action {
	E4ERR_ACT_NONE = 0,	/* nothing changes */
	E4ERR_ACT_NEW_JOB,	/* create a job in phase/tool/mode */
	E4ERR_ACT_ATTACH,	/* the report joins the pending job */
	E4ERR_ACT_UPDATE,	/* the pending job changes phase */
	E4ERR_ACT_REPLACE,	/* close the pending job, create another */
	E4ERR_ACT_START,	/* start the pending job now */
	E4ERR_ACT_CANCEL,	/* close the pending job, none follows */
};

struct e4err_policy_decision {
	enum e4err_policy_action action;
	enum e4err_job_phase phase;	/* of the (new) job */
	enum e4err_check_tool tool;
	enum e4err_fsck_mode mode;
	bool via_systemd;
	enum e4err_urgency urgency;
	uint64_t not_before_ns;
	/* Also raise an alert (besides the action). */
	enum e4err_alert_kind alert;
	/* The finished job's outcome clears the filesystem's errors. */
	bool resolves;
	char reason[E4ERR_POLICY_REASON_MAX];
	char alert_reason[E4ERR_POLICY_REASON_MAX];
};

/* Settings from the configuration file. */
void e4err_policy_config_from(struct e4err_policy_config *pc,
			      const struct e4err_config *cfg);

/* True for error numbers that mean the device failed (EIO and kin). */
bool e4err_policy_is_media_error(int32_t error);

/*
 * A report arrived at now_ns.  Decides NONE (stale; or checks suspended
 * after I/O errors), ATTACH, NEW_JOB, or CANCEL plus an alert (I/O error
 * with a check pending).  NEW_JOB may carry an escalation alert.
 */
void e4err_policy_report(const struct e4err_policy_config *pc,
			 struct e4err_policy_fs *st,
			 const struct e4err_policy_facts *facts,
			 const struct e4err_policy_report *rep, uint64_t now_ns,
			 struct e4err_policy_decision *d);

/*
 * The facts changed or time passed: for a pending job, says UPDATE
 * (queued <-> deferred), REPLACE (e2scrub no longer possible: e2fsck
 * instead), START (due now), or NONE; *wake_ns (may be NULL) gets the
 * time to ask again for a queued job not yet due, else 0.
 */
void e4err_policy_next(const struct e4err_policy_config *pc,
		       struct e4err_policy_fs *st,
		       const struct e4err_policy_facts *facts, uint64_t now_ns,
		       struct e4err_policy_decision *d, uint64_t *wake_ns);

/* The pending job was started at now_ns. */
void e4err_policy_started(struct e4err_policy_fs *st, uint64_t now_ns);

/*
 * The running job ended with result r at now_ns.  Decides NONE (done),
 * UPDATE (queued again for a retry, or deferred: device busy), or NEW_JOB
 * (e2scrub refused: offline check instead; reports arrived while it ran),
 * possibly with an alert.  d->resolves says whether the outcome clears
 * the errors.
 */
void e4err_policy_finished(const struct e4err_policy_config *pc,
			   struct e4err_policy_fs *st,
			   const struct e4err_policy_facts *facts,
			   enum e4err_check_result r, uint64_t now_ns,
			   struct e4err_policy_decision *d);

/*
 * A pending job found in the store after a restart: queued or deferred
 * (running read-only checks are re-queued by the caller first).
 */
void e4err_policy_restore(struct e4err_policy_fs *st,
			  enum e4err_check_tool tool, enum e4err_fsck_mode mode,
			  enum e4err_job_phase phase, uint64_t queued_ns);

/*
 * The filesystem was checked outside e4errd (boot-time fsck, an e2scrub
 * run recorded by the drop-in): the pending job is closed with result r.
 */
void e4err_policy_checked_outside(struct e4err_policy_fs *st,
				  enum e4err_check_result r, uint64_t now_ns);

/* A new superblock (the filesystem was mounted again): forget I/O trouble. */
void e4err_policy_new_instance(struct e4err_policy_fs *st);

/* Stable names for the store and hooks. */
const char *e4err_check_result_name(enum e4err_check_result r);
const char *e4err_alert_kind_name(enum e4err_alert_kind k);
const char *e4err_job_phase_state(enum e4err_job_phase p);
/* "e2fsck-readonly", "e2fsck-preen", "e2fsck-repair", "e2scrub". */
const char *e4err_check_kind_name(enum e4err_check_tool t,
				  enum e4err_fsck_mode mode);
/* The reverse, for jobs read back from the store; false if unknown. */
bool e4err_check_kind_parse(const char *kind, enum e4err_check_tool *t,
			    enum e4err_fsck_mode *mode);
/* A repair is never killed and never re-run blindly. */
bool e4err_check_is_repair(enum e4err_check_tool t, enum e4err_fsck_mode m);

#endif /* E4ERR_POLICY_H */
