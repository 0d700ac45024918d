/*
 * checks_int.h --- what checks.c, checks_run.c and checks_store.c share.
 *
 * checks.c        filesystems, facts, reports, the decisions carried out
 * checks_run.c    starting checks, their outcomes, e2scrub@ under systemd
 * checks_store.c  jobs in the store, alerts, hooks, resuming after a start
 */
#ifndef E4ERR_CHECKS_INT_H
#define E4ERR_CHECKS_INT_H

#include <sys/types.h>

#include "checks.h"
#include "hooks.h"
#include "runner.h"

/* What e4errd knows of one filesystem, mounted or not. */
struct ck_fs {
	char *key;		/* the store's name for it */
	bool key_is_uuid;
	char *device;		/* as last seen; may be a loop device long gone */
	char *mountpoint;	/* as last seen, or NULL */
	char *kname;		/* /sys/fs/ext4/<kname>, or NULL */
	char *backing_file;	/* loop-mounted image, or NULL */
	bool has_dev;
	dev_t dev;
	bool seen;		/* mounted since this start: target known */
	bool in_mountinfo;
	bool on_lvm;

	struct e4err_policy_fs pol;
	bool has_job;		/* a pending or running job in the store */
	struct e4err_store_ref job;
	bool running;		/* a runner child, or a watched e2scrub@ */
	uint64_t run_id;
	char *run_what;		/* the command, for messages */

	bool scrub_watch;	/* e2scrub@ started: its outcome is awaited */
	uint64_t scrub_started_ns;
	uint64_t scrub_poll_ms;	/* next look at the store (monotonic) */
	uint64_t scrub_give_up_ms;

	uint64_t live_poll_ms;	/* lazily unmounted: next look (monotonic) */
	bool told_finding;	/* finding-confirmed hooks ran for this job */
	bool told_no_target;
};

struct e4err_checks {
	struct e4err_checks_options opt;
	char *e4errd_path, *sysfs;
	struct e4err_policy_config pc;
	uint32_t max_concurrent;
	uint64_t check_deadline_ms;
	size_t check_output_max;
	struct e4err_store *store;
	struct e4err_runner *runner;
	struct e4err_hooks *hooks;
	struct ck_fs **fs;
	size_t nfs;
	bool looked_e2scrub;
	bool have_e2scrub;
	bool stopping;
};

/* checks.c */
void ck_log(const struct e4err_checks *ck, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t ck_real_ns(void);
uint64_t ck_mono_ms(void);
struct ck_fs *ck_fs_find(const struct e4err_checks *ck, const char *key);
struct ck_fs *ck_fs_get(struct e4err_checks *ck, const char *key);
void ck_facts(struct e4err_checks *ck, const struct ck_fs *fs,
	      struct e4err_policy_facts *f);
void ck_act(struct e4err_checks *ck, struct ck_fs *fs,
	    const struct e4err_policy_decision *d, bool has_inode,
	    uint64_t inode);
void ck_kick(struct e4err_checks *ck);
size_t ck_running(const struct e4err_checks *ck);

/* checks_run.c */
bool ck_start(struct e4err_checks *ck, struct ck_fs *fs);
void ck_run_done(void *arg, const struct e4err_run_result *r);
void ck_run_overdue(void *arg, uint64_t id, void *cookie, uint64_t elapsed_ms);
void ck_run_drop(void *arg, void *cookie, bool repair);
void ck_scrub_poll(struct e4err_checks *ck, struct ck_fs *fs, uint64_t now_ms);
void ck_finished(struct e4err_checks *ck, struct ck_fs *fs,
		 enum e4err_check_result res, const char *what,
		 bool has_status, int status, const char *output,
		 size_t output_len);

/* checks_store.c */
void ck_store_fs(const struct ck_fs *fs, struct e4err_store_fs *out);
bool ck_job_add(struct e4err_checks *ck, struct ck_fs *fs, const char *kind,
		const char *reason, bool has_inode, uint64_t inode,
		const char *state);
void ck_job_update(struct e4err_checks *ck, struct ck_fs *fs,
		   const struct e4err_store_job_update *u);
void ck_job_state(struct e4err_checks *ck, struct ck_fs *fs,
		  const char *state, const char *detail);
void ck_alert(struct e4err_checks *ck, struct ck_fs *fs,
	      enum e4err_alert_kind kind, const char *reason);
void ck_hook_job(struct e4err_checks *ck, struct ck_fs *fs,
		 enum e4err_hook_class cls, const char *state,
		 const char *outcome, const char *reason, bool has_status,
		 int status, const char *output, size_t output_len);
void ck_hook_done(void *arg, const char *name, enum e4err_hook_class cls,
		  const char *uuid, const struct e4err_run_result *r);
void ck_hook_log(void *arg, int prio, const char *msg);

#endif /* E4ERR_CHECKS_INT_H */
