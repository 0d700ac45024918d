/*
 * lost.h --- errors the kernel counted that no event reported, and which
 * source each filesystem can rely on (part of enrich).
 *
 * Owns two small pure state machines, one per filesystem, fed by the
 * caller with the clock (CLOCK_MONOTONIC milliseconds) so tests can drive
 * them:
 *
 * lost_reports.  ext4 counts every error in s_error_count
 * (/sys/fs/ext4/<dev>/errors_count); events say how many errors they
 * report (error_count).  A rise of the counter and the events that explain
 * it arrive in either order, a moment apart, so each waits up to
 * E4ERR_LOST_GRACE_MS for the other:
 *
 *   lost_reports = sum over counter rises r of  max(0, r - a(r))
 *                + kernel "lost filesystem error report" lines
 *
 * where a(r) is the part of the errors reported by events, not yet set
 * against an earlier rise, that arrived within the grace of r.  Corrections:
 *   - errors counted before we watched: the counter at first sight is the
 *     baseline (pre_watch), never a loss;
 *   - a counter that goes down was reset (e2fsck): the new value is the
 *     new baseline, nothing is lost or explained by the fall;
 *   - errors an event reported that the counter never shows within the
 *     grace (read-only mount: ext4 does not write the superblock) are
 *     `uncounted`, and stop explaining later rises: never negative.
 *
 * Mode.  A kernel without FAN_FS_ERROR, or one that accepts the mark and
 * never sends (some stable releases did), is found by behaviour: errors
 * counted with no event within the grace, not explained by lines of error
 * kinds that never send one (mballoc's group-locked errors), on a kernel
 * from which no event came yet, put the filesystem in counters mode.  An
 * event puts it back in events mode.
 */
#ifndef E4ERR_LOST_H
#define E4ERR_LOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A counter rise and the events explaining it are this far apart at most. */
#define E4ERR_LOST_GRACE_MS	10000
/* Waiting arrivals / rises kept each; beyond, the newest ones merge. */
#define E4ERR_LOST_PENDING_MAX	32

struct e4err_lost_wait {
	uint64_t at_ms;
	uint64_t n;
};

struct e4err_lost {
	bool known;		/* first sight happened */
	uint32_t pre_watch;	/* the counter at first sight */
	uint32_t value;		/* the counter as last read */
	struct e4err_lost_wait arrived[E4ERR_LOST_PENDING_MAX];
	size_t narrived;	/* errors events reported, not yet counted */
	struct e4err_lost_wait rises[E4ERR_LOST_PENDING_MAX];
	size_t nrises;		/* counted errors no event explained yet */

	uint64_t reported;	/* sum of the events' error_count */
	uint64_t counted;	/* sum of the counter's rises */
	uint64_t lost_rises;	/* rises no event explained within the grace */
	uint64_t lost_lines;	/* the kernel's own "lost ... error report" */
	uint64_t uncounted;	/* reported errors the counter never showed */
	uint64_t resets;	/* times the counter went down */
};

/* The counter when the filesystem is first seen (the baseline). */
void e4err_lost_first_sight(struct e4err_lost *l, uint32_t counter);
/* An event reported n errors (its error_count; 1 when it has none). */
void e4err_lost_event(struct e4err_lost *l, uint64_t n, uint64_t now_ms);
/* The counter reads value now. */
void e4err_lost_counter(struct e4err_lost *l, uint32_t value, uint64_t now_ms);
/* The kernel logged that it dropped a report for this filesystem. */
void e4err_lost_kernel_line(struct e4err_lost *l);
/*
 * Let what waited past the grace go: rises become lost, arrivals
 * uncounted.  Returns the errors newly found lost by rises; *next_ms
 * (may be NULL) is when to call again (0: nothing waits).
 */
uint64_t e4err_lost_settle(struct e4err_lost *l, uint64_t now_ms,
			   uint64_t *next_ms);
/* lost_reports as documented above. */
uint64_t e4err_lost_reports(const struct e4err_lost *l);

/* ---- mode ------------------------------------------------------------------ */

enum e4err_fs_mode {
	E4ERR_MODE_EVENTS = 0,	/* error events expected (or seen) */
	E4ERR_MODE_COUNTERS,	/* counters, superblock and kernel log only */
};

enum e4err_mode_reason {
	E4ERR_MODE_R_EXPECTED = 0,	/* marked; no event seen yet */
	E4ERR_MODE_R_SEEN,		/* an event came from this filesystem */
	E4ERR_MODE_R_NO_ABI,		/* the kernel offers no error events */
	E4ERR_MODE_R_NO_MARK,		/* marking it failed */
	E4ERR_MODE_R_SILENT,		/* errors counted, no event came */
};

struct e4err_fsmode {
	enum e4err_fs_mode mode;
	enum e4err_mode_reason reason;
	uint64_t since_ms;
	uint64_t silent;	/* errors counted with no event, while deciding */
};

/* Start: events when marked on a kernel that has the ABI, else counters. */
void e4err_fsmode_init(struct e4err_fsmode *m, bool marked, bool abi,
		       uint64_t now_ms);
/* An event came: events mode.  True when the mode changed. */
bool e4err_fsmode_event(struct e4err_fsmode *m, uint64_t now_ms);
/*
 * n errors were found lost (e4err_lost_settle), of which `quiet` are
 * explained by log lines of kinds that never send an event.  proven: an
 * event came from some filesystem since the start (the kernel sends).
 * True when the mode changed (to counters).
 */
bool e4err_fsmode_lost(struct e4err_fsmode *m, uint64_t n, uint64_t quiet,
		       bool proven, uint64_t now_ms);

/* "events" / "counters"; a sentence for the reason. */
const char *e4err_fs_mode_name(enum e4err_fs_mode mode);
const char *e4err_mode_reason_name(enum e4err_mode_reason r);

#endif /* E4ERR_LOST_H */
