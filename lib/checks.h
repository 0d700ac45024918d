/*
 * checks.h --- targeted checks: the policy's decisions carried out.
 *
 * Owned by checks.c (and checks_run.c, checks_store.c): the API the
 * daemon's event loop calls.  It keeps, per filesystem, the policy's
 * memory (policy.h) and what the check needs to run (device, image file
 * behind a loop device, mount point, LVM or not); records every job and
 * decision in the store with its reason; runs checks through a runner
 * (`e4errd check` for e2fsck, e2scrub directly or through its systemd
 * unit) and hooks (hooks.h) for what happened; and hands the caller the
 * descriptors to poll and the time to wake up, never blocking.
 *
 * The caller (the daemon) tells it what it learns: filesystems seen and
 * their superblock state, mount table changes, and each kernel report
 * after inspection.  Nothing here reads a device: `e4errd check` does
 * that in its own process.
 */
#ifndef E4ERR_CHECKS_H
#define E4ERR_CHECKS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#include "conf.h"
#include "event.h"
#include "fsmap.h"
#include "inspect.h"
#include "policy.h"
#include "store.h"

/* A filesystem that left the mount table but still lives is looked at
 * this often (nothing notifies its end). */
#define E4ERR_CHECKS_LIVE_POLL_MS	5000
/* Under systemd, the store is read this often for an e2scrub@ outcome. */
#define E4ERR_CHECKS_SCRUB_POLL_MS	30000
/* Hooks run at most this many at once. */
#define E4ERR_CHECKS_MAX_HOOKS		2

struct e4err_checks;

typedef void (*e4err_checks_log_fn)(void *arg, int prio, const char *msg);

struct e4err_checks_options {
	const struct e4err_config *cfg;	/* read at new() and set_config() */
	struct e4err_store *store;	/* the writer; jobs are recorded here */
	const char *e4errd_path;	/* absolute: runs `e4errd check` */
	bool systemd;			/* systemd is PID 1 */
	uint64_t live_poll_ms;		/* 0: E4ERR_CHECKS_LIVE_POLL_MS */
	uint64_t scrub_poll_ms;		/* 0: E4ERR_CHECKS_SCRUB_POLL_MS */
	uint64_t kill_grace_ms;		/* SIGTERM to SIGKILL; 0: runner's */
	const char *sysfs;		/* NULL: "/sys" (tests point elsewhere) */
	e4err_checks_log_fn log;	/* may be NULL */
	void *log_arg;
};

errcode_t e4err_checks_new(const struct e4err_checks_options *opt,
			   struct e4err_checks **ck);

/*
 * Stop: read-only checks and hooks are stopped and their jobs put back
 * to "queued" (run again after the restart); repairs are left running on
 * their own, and found "interrupted" by the next start.
 */
void e4err_checks_free(struct e4err_checks *ck);

/* New settings (a reload); running checks keep theirs. */
errcode_t e4err_checks_set_config(struct e4err_checks *ck,
				  const struct e4err_config *cfg);

/* What the daemon read of a superblock when it first saw a filesystem. */
struct e4err_checks_sb {
	bool has_last_check;
	uint64_t last_check;	/* s_lastcheck, seconds */
	bool error_flag;	/* s_state has EXT2_ERROR_FS */
};

/*
 * A filesystem is mounted (call for each one seen, at start and when it
 * appears).  key is its store key (the UUID, or "dev:<device>"), as the
 * daemon names it in the store.  sb (may be NULL): when a pending job is
 * older than the superblock's last check and the error flag is clear, a
 * boot-time fsck ran: the job is closed with that outcome.
 */
errcode_t e4err_checks_fs_seen(struct e4err_checks *ck, const char *key,
			       const struct e4err_fs *fs,
			       const struct e4err_checks_sb *sb);

/*
 * The mount table changed (the daemon re-read it): filesystems no longer
 * in it may be gone, or lazily unmounted and still in use -- deferred
 * checks start once they are truly gone.
 */
void e4err_checks_mounts_changed(struct e4err_checks *ck,
				 const struct e4err_fsmap *map);

/*
 * One kernel report, after its inspection; absent fields are false/0.
 * ev (may be NULL): a decoded event whose error, count, inode, block,
 * function and description fill in the fields left unset.
 */
struct e4err_checks_report {
	const struct e4err_event *ev;
	bool has_error;
	int32_t error;			/* raw, as the kernel sent it */
	uint32_t error_count;		/* errors it stands for; 0 counts as 1 */
	bool has_inode;
	uint64_t inode;
	bool has_block;
	uint64_t block;
	bool has_verdict;
	enum e4err_verdict verdict;
	bool inspect_io_error;		/* e4err_checks_io_error(inspection) */
	/* Kernel strings when known (raw bytes, for hooks only). */
	const char *function;
	size_t function_len;
	const char *desc;
	size_t desc_len;
	const char *comm;
	size_t comm_len;
	const char *path;
	size_t path_len;
};

/* The inspection could not read the device (EIO): a media error. */
bool e4err_checks_io_error(const struct e4err_inspection *in);

/*
 * Decide and act: a job (recorded with its reason), a report joining the
 * pending one, an alert, or nothing (stale).  Confirmed damage runs the
 * finding-confirmed hooks, once per check (not per report).  key as for
 * fs_seen; a filesystem never seen (nor resumed) is refused (ENOENT).
 * Call it for every report after its inspection, including those with
 * nothing to inspect (verdict inconclusive); coalescing is done here.
 */
errcode_t e4err_checks_report(struct e4err_checks *ck, const char *key,
			      const struct e4err_checks_report *r);

/* The poll loop: as runner.h, for checks and hooks together. */
size_t e4err_checks_pollfds(const struct e4err_checks *ck, struct pollfd *fds,
			    size_t max);
void e4err_checks_process(struct e4err_checks *ck, const struct pollfd *fds,
			  size_t n);
/* Milliseconds until process() is due anyway (with no fd ready); -1 none. */
int e4err_checks_timeout_ms(const struct e4err_checks *ck);
/* Nothing runs, nothing is due; deferred jobs may still wait. */
bool e4err_checks_idle(const struct e4err_checks *ck);

/*
 * After a start: jobs the store holds unfinished.  Queued and deferred
 * ones are taken up again; a read-only check that was running is queued
 * again; a repair that was running is marked interrupted (alert), never
 * run again blindly; an e2scrub@ unit started under systemd is watched.
 * Call after the fs_seen() calls for what is mounted.
 */
errcode_t e4err_checks_resume(struct e4err_checks *ck);

/*
 * A boot-time (or any outside) e2fsck ran: every unfinished job of
 * filesystem key created before last_check_s is closed, result
 * "checked-outside", when error_flag is clear.  *closed (may be NULL):
 * how many.  For callers without a struct e4err_checks (record-scrub).
 */
errcode_t e4err_checks_close_after_fsck(struct e4err_store *st,
					const struct e4err_store_fs *fs,
					uint64_t last_check_s, bool error_flag,
					uint64_t now_ns, size_t *closed);

#endif /* E4ERR_CHECKS_H */
